// The real agent (the `microseg agent` command, from source) in a network namespace with two
// controllers (`--controller URL1,URL2`): two fake controller processes stand for two replicas.
//
//   ns "out" 198.18.0.1:7080 (controller 1)                ──veth──  ns "host" 198.18.0.2
//            198.18.0.4:7081 (controller 2) + 198.18.0.3 (client)     agent + servers :80 :81
//
// The policy's management set names controller 1 alone, and the table denies by default: the
// agent reaches controller 2 after the first is killed only because its own channel covers every
// --controller URL's address and port.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RuleSet } from "@microseg/core";
import {
  describePrivileged,
  joinNamespaces,
  type Netns,
  NetnsGroup,
  probeTcp,
  startServers,
} from "@microseg/nft/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { JsonLines, type Line, serverRuleSet } from "./testing/index.js";

const root = join(import.meta.dirname, "../../..");
const TSX = [process.execPath, "--conditions=source", "--import", "tsx"];
const FIRST = { host: "198.18.0.1", port: 7080 };
const SECOND = { host: "198.18.0.4", port: 7081 };
const CLIENT = "198.18.0.3";
const mgmt = { v4: [`${FIRST.host}/32`], v6: [] };
const allow80: RuleSet = serverRuleSet({ v4: [`${CLIENT}/32`], v6: [] }, [80]);
const allow80and81: RuleSet = serverRuleSet({ v4: [`${CLIENT}/32`], v6: [] }, [80, 81]);

describePrivileged("agent with two controllers in a network namespace (real nft)", () => {
  const group = new NetnsGroup("msegt-failover");
  let out: Netns;
  let host: Netns;
  let dir: string;
  let agent: JsonLines | undefined;
  const controllers: JsonLines[] = [];

  const startController = async (at: { host: string; port: number }) => {
    const script = join(root, "packages/agent/testdata/fake-controller-child.mts");
    const c = new JsonLines(
      out.spawn(TSX[0] as string, [...TSX.slice(1), script, at.host, String(at.port)]),
    );
    controllers.push(c);
    await c.waitFor((l) => typeof l.ready === "string", 20_000);
    return c;
  };
  const setPolicy = (c: JsonLines, revision: number, ruleSet: RuleSet) =>
    c.child.stdin?.write(
      `${JSON.stringify({ policy: { revision, ruleSet, management: mgmt } })}\n`,
    );
  const applied = (c: JsonLines, revision: number, ms = 15_000) =>
    c.waitFor((l) => {
      const a = ((l.status as Line | undefined)?.applied ?? {}) as Line;
      return a.revision === revision && a.ok === true;
    }, ms);
  const probe = (port: number) => probeTcp(out, "198.18.0.2", port, { from: CLIENT, ms: 700 });
  const reach = async () => [await probe(80), await probe(81)];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "mseg-failover-priv-"));
    out = await group.create();
    host = await group.create();
    await joinNamespaces(out, host);
    for (const a of [CLIENT, SECOND.host]) {
      await out.exec("ip", ["addr", "add", `${a}/24`, "dev", "mseg0"]);
    }
    await startServers(host, [80, 81]);
  });

  afterAll(async () => {
    await agent?.stop("SIGKILL");
    for (const c of controllers) await c.stop("SIGKILL");
    await group.deleteAll();
    await rm(dir, { recursive: true, force: true });
  });

  it("fails over when the first controller is killed: the table stays, the second's revision applies", async () => {
    const first = await startController(FIRST);
    const second = await startController(SECOND);
    setPolicy(first, 1, allow80);
    setPolicy(second, 1, allow80);
    const urls = [FIRST, SECOND].map((c) => `http://${c.host}:${c.port}`).join(",");
    const cli = join(root, "packages/agent/testdata/agent-cli.mts");
    const args = ["agent", "--controller", urls, "--enrol-key", "key-1", "--state-dir", dir];
    args.push("--heartbeat", "1", "--flows", "off");
    agent = new JsonLines(host.spawn(TSX[0] as string, [...TSX.slice(1), cli, ...args]));
    await applied(first, 1, 30_000);
    expect(await reach()).toEqual([true, false]);

    await first.stop("SIGKILL");
    const killed = Date.now();
    expect(await reach()).toEqual([true, false]); // the table stays in force
    setPolicy(second, 2, allow80and81);
    await applied(second, 2);
    const tookMs = Date.now() - killed;
    expect(await reach()).toEqual([true, true]);
    const failover = agent.lines.find((l) => String(l.msg).startsWith("controller failover"));
    const movedMs = Number(failover?.time) - killed;
    expect(failover).toMatchObject({ from: `http://${FIRST.host}:${FIRST.port}` });
    expect(failover).toMatchObject({ to: `http://${SECOND.host}:${SECOND.port}` });
    // The probes above took up to 1.4 s; the failover itself is immediate (connection refused).
    expect(tookMs).toBeLessThan(5_000);
    process.stdout.write(
      `failover: logged ${movedMs} ms, second controller's revision applied ${tookMs} ms after kill\n`,
    );
  });
});
