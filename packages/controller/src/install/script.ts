// The installer a controller serves at /install.sh (run by the one-liner of
// @microseg/protocol installCommand, as root, on the new host). POSIX sh, coreutils and curl only.
//
//   1. the controller's CA: fetched, its DER's SHA-256 compared with --ca-fingerprint (again: the
//      script does not trust whoever ran it to have checked); from then on curl --cacert
//   2. the agent package of this controller's release: .deb where dpkg is, else the tarball;
//      its SHA-256 checked against the controller's SHA256SUMS
//   3. `microseg-agent enrol` (a refused key fails the install here, with the controller's
//      reason; the state directory then holds the controller's URL and pinned CA, all the service
//      needs), then the service, enabled at boot with the boot-time restore
// Every failure says what failed and exits non-zero; nothing is started before enrolment worked.

export function installScript(version: string): string {
  return `#!/bin/sh
# microseg agent installer (release ${version}), served by the microseg controller.
# Usage: sh -s -- --controller URL[,URL...] --enrol-key KEY [--ca-fingerprint FP]
#                 [--workload NAME] [--skip-interface NAME]... [--no-start]
# Several URLs are the replicas of one controller: each download is tried from each in turn,
# and the agent keeps the list (it fails over between them).
set -eu
VERSION='${version}'
controller='' key='' fingerprint='' workload='' skip='' start=yes
die() { echo "microseg install: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
  case "$1" in
    --controller) controller="\${2:?--controller needs a URL}"; shift 2 ;;
    --enrol-key) key="\${2:?--enrol-key needs a key}"; shift 2 ;;
    --ca-fingerprint) fingerprint="\${2:?--ca-fingerprint needs a SHA-256}"; shift 2 ;;
    --workload) workload="\${2:?--workload needs a name}"; shift 2 ;;
    --skip-interface) skip="$skip --skip-interface \${2:?--skip-interface needs a name}"; shift 2 ;;
    --no-start) start=no; shift ;;
    *) die "unknown argument $1 (see the usage at the top of $0)" ;;
  esac
done
[ -n "$controller" ] || die "--controller URL is required"
[ -n "$key" ] || die "--enrol-key KEY is required (microseg enrol-profiles create prints one)"
[ "$(id -u)" = 0 ] || die "run as root (the agent enforces with nftables)"
command -v curl >/dev/null || die "curl is required"
case "$(uname -m)" in x86_64|amd64) ;; *) die "only amd64 packages exist for now, not $(uname -m)" ;; esac
command -v systemctl >/dev/null || die "systemd is required to run the agent as a service"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
urls=$(printf '%s' "$controller" | tr ',' ' ')
scheme=''
for u in $urls; do
  case "$u" in https://*|http://*) ;; *) die "--controller must be https:// URLs, not $u" ;; esac
  [ -z "$scheme" ] || [ "\${u%%://*}" = "$scheme" ] || die "--controller mixes https:// and http:// URLs"
  scheme=\${u%%://*}
done
[ -n "$scheme" ] || die "--controller URL is required"
# get PATH OUT [CURL-FLAG...]: from the first of the controller's URLs that answers.
get() {
  path=$1 out=$2
  shift 2
  for u in $urls; do
    curl -fsS --connect-timeout 5 "$@" "$u$path" -o "$out" && return 0
    echo "microseg install: $u did not answer; trying the next controller URL" >&2
  done
  return 1
}
tls=''
if [ "$scheme" = https ]; then
  [ -n "$fingerprint" ] || die "an https controller needs --ca-fingerprint"
  fingerprint=$(printf '%s' "$fingerprint" | tr -d ':' | tr 'A-F' 'a-f')
  get /api/ca.pem "$work/ca.pem" -k || die "cannot fetch /api/ca.pem from $controller"
  actual=$(sed '/-----/d' "$work/ca.pem" | base64 -d | sha256sum | cut -c1-64)
  [ "$actual" = "$fingerprint" ] ||
    die "the controller's CA has fingerprint $actual, not $fingerprint: refusing to trust it"
  tls="--cacert $work/ca.pem"
else
  echo "microseg install: plain http:// controller, nothing is verified (tests only)" >&2
fi
# shellcheck disable=SC2086 # $tls holds a whole flag
fetch() { get "/packages/$1" "$work/$1" $tls || die "cannot download $1 from $controller/packages/"; }

fetch SHA256SUMS
if command -v dpkg >/dev/null; then file="microseg-agent_\${VERSION}_amd64.deb"; else file="microseg-agent_\${VERSION}_linux-amd64.tar.gz"; fi
fetch "$file"
want=$(awk -v f="$file" '$2 == f { print $1 }' "$work/SHA256SUMS")
got=$(sha256sum "$work/$file" | cut -c1-64)
[ -n "$want" ] && [ "$want" = "$got" ] || die "$file does not match the controller's SHA256SUMS"

echo "microseg install: installing $file" >&2
case "$file" in
  *.deb)
    if dpkg -s nftables conntrack >/dev/null 2>&1 || ! command -v apt-get >/dev/null; then
      dpkg -i "$work/$file" >/dev/null || die "dpkg -i $file failed (it needs nftables and conntrack)"
    else
      apt-get install -y -q "$work/$file" >/dev/null || die "apt-get install $file failed"
    fi ;;
  *)
    command -v nft >/dev/null || die "install nftables first"
    command -v conntrack >/dev/null || die "install conntrack first"
    tar -xzf "$work/$file" -C / --no-same-owner --keep-directory-symlink ./usr ./etc
    systemctl daemon-reload ;;
esac

set -- enrol --enrol-key "$key"
[ -z "$workload" ] || set -- "$@" --workload "$workload"
# shellcheck disable=SC2086 # $skip holds whole flags
MICROSEG_CONTROLLER="$controller" MICROSEG_CA_FINGERPRINT="$fingerprint" microseg-agent "$@" $skip ||
  die "enrolment failed (see the reason above); nothing was started"
if [ -n "$skip" ]; then
  sed -i "s|^MICROSEG_AGENT_ARGS=.*|MICROSEG_AGENT_ARGS=\\"$skip\\"|" /etc/default/microseg-agent
fi
systemctl enable microseg-agent-restore.service microseg-agent.service >/dev/null 2>&1
if [ "$start" = yes ]; then
  systemctl restart microseg-agent.service || die "the service did not start: journalctl -u microseg-agent"
  echo "microseg install: the agent runs; see: microseg-agent status" >&2
fi
`;
}
