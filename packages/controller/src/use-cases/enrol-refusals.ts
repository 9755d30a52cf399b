// What an enrolment the store refused answers: a registry code, and a message that names the
// workload, agent or address in the way and what an admin does about it.
import { escapeControls } from "@microseg/core";
import { ApiError, type EnrolRequest } from "@microseg/protocol";
import type { AddressTaken, EnrolRefusal } from "@microseg/store";

const BIND = (w: string) =>
  `create a profile bound to it (microseg enrol-profiles create --name NAME --workload ${w}) and enrol with that key`;
const ELSEWHERE = "or start this agent with --workload OTHER-NAME to become a new workload";

export function enrolRefusal(req: EnrolRequest, r: EnrolRefusal): ApiError {
  switch (r.reason) {
    case "conflict":
      return new ApiError("MSEG_INTERNAL", "agent id collision; retry");
    case "unknown":
    case "revoked":
    case "expired":
    case "exhausted":
      return new ApiError("MSEG_ENROL_REFUSED", `enrolment key refused: ${r.reason}`, {
        reason: r.reason,
      });
    case "wrong-workload":
      return new ApiError(
        "MSEG_ENROL_REFUSED",
        `this key enrols workload "${r.workload}" only, not "${req.workload}": start the agent ` +
          `without --workload, or with --workload ${r.workload}`,
        { reason: r.reason, workload: r.workload },
      );
    case "no-name": {
      const message =
        `hostname "${escapeControls(req.hostname)}" is not a workload name (a lower-case DNS name); ` +
        "start the agent with --workload NAME";
      return new ApiError("MSEG_API_BAD_REQUEST", message, {
        issues: [{ path: "workload", message }],
      });
    }
    case "workload-taken":
      return new ApiError(
        "MSEG_API_CONFLICT",
        `workload "${r.workload}" already has agent ${r.agent}, online or not; to move the ` +
          `workload to this host, revoke that agent (microseg agents revoke ${r.agent}) and ` +
          `${BIND(r.workload)}; ${ELSEWHERE}`,
        { workload: r.workload, agent: r.agent },
      );
    case "workload-exists": {
      const what = r.declared ? "is declared by the active policy" : "exists";
      return new ApiError(
        "MSEG_API_CONFLICT",
        `workload "${r.workload}" ${what} and this key only creates new workloads; for this ` +
          `host to become it, ${BIND(r.workload)}; ${ELSEWHERE}`,
        { workload: r.workload },
      );
    }
    case "address-taken":
      return addressConflict(r, "this host");
  }
}

/** 409 for an address another workload holds (enrolment and PUT alike). */
export function addressConflict(r: AddressTaken, claimant: string): ApiError {
  // A holder stored before names were checked may carry anything; messages end up on terminals.
  const holder = escapeControls(r.holder);
  return new ApiError(
    "MSEG_API_CONFLICT",
    `address ${r.address} belongs to workload "${holder}", and an address belongs to one ` +
      `workload; if ${claimant} took it over, first change or delete "${holder}" ` +
      `(microseg workloads get ${holder}); otherwise leave the address out (an address many ` +
      "hosts share, such as Docker's docker0: start their agents with --skip-interface docker0)",
    { address: r.address, holder: r.holder },
  );
}
