#!/usr/bin/env bash
# Benchmark (issue 5): `anchorbridge run` with nothing changed (incremental: Graph delta + uSNChanged
# check) against a full `run --full` (every AD user, every cloud user, plan, apply), on a converged
# 20,000-user directory and tenant, measured alternately in the same run. Target: incremental wall
# time <= 10 % of the full run's.
# Usage: Benchmarks/run-incremental.sh [--users N] [--runs N]   (AB_BIN / AB_EMULATOR: prebuilt binaries)
set -euo pipefail
cd "$(dirname "$0")/.."
users=20000
runs=5
while [ $# -gt 0 ]; do
  case "$1" in
    --users) users="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    *) echo "usage: $0 [--users N] [--runs N]" >&2; exit 2 ;;
  esac
done

Scripts/deps.sh
if [ -z "${AB_BIN:-}" ]; then
  swift build -c release --static-swift-stdlib --product anchorbridge >&2
  swift build -c release --static-swift-stdlib --product anchorbridge-emulator >&2
fi
bindir="$(swift build -c release --static-swift-stdlib --show-bin-path)"
bin="${AB_BIN:-$bindir/anchorbridge}"
emulator="${AB_EMULATOR:-$bindir/anchorbridge-emulator}"

Scripts/dc.sh start >&2
# shellcheck disable=SC1090
source <(Scripts/dc.sh env)
have=$(/usr/bin/python3 -c "import json; print(json.load(open('$AB_DC_FIXTURE'))['bulk']['count'])")
if [ "$have" -lt "$users" ]; then
  Scripts/dc.sh reseed --users "$users" >&2
  source <(Scripts/dc.sh env)
fi

work=$(mktemp -d)
chmod 700 "$work"
trap 'kill ${emulator_pid:-} 2>/dev/null || true; rm -rf "$work"' EXIT
(umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$work/secret")
directory() {
  cat <<YAML
directory:
  sources:
    - name: anchor
      uris: [$AB_DC_URI_LDAPS]
      tls: { caFile: $AB_DC_CA }
      bind: { method: simple, dn: $AB_DC_SVC_UPN, passwordFile: $AB_DC_SVC_PASSWORD_FILE }
      users: { bases: ["OU=AnchorBridge,$AB_DC_BASE_DN"] }
      groups: { bases: ["OU=Groups,OU=AnchorBridge,$AB_DC_BASE_DN"] }
      anchor: consistencyGuid
YAML
}
directory >"$work/c.yaml"
"$bin" ad users --config "$work/c.yaml" --format json >"$work/users.json"
/usr/bin/python3 Scripts/demo/tenant.py --users "$work/users.json" --out "$work/tenant.json" \
  --secret-file "$work/secret" --scenario linked >&2
"$emulator" --listen 127.0.0.1:0 --state "$work/tenant.json" >"$work/emulator.log" 2>&1 &
emulator_pid=$!
for _ in $(seq 1 300); do grep -q '^listening on' "$work/emulator.log" && break; sleep 0.1; done
address=$(sed -n 's/^listening on //p' "$work/emulator.log")
{
  directory
  cat <<YAML
tenant:
  id: 6f1c2b7a-1d2e-4c3b-9a8f-5e4d3c2b1a00
  clientId: a7b0c0de-0000-4000-8000-00000000ab01
  authorityHost: http://$address
  graphHost: http://$address
  auth: { clientSecretFile: $work/secret }
state: { dir: $work/state }
YAML
} >"$work/c.yaml"

measure() { # prints "wall user+sys maxrss_kb exit"
  local out="$work/time.txt" rc=0
  /usr/bin/time -f '%e %U %S %M' -o "$out" "$@" >/dev/null 2>"$work/stderr.txt" || rc=$?
  read -r wall user sys rss <"$out"
  echo "$wall $(echo "$user + $sys" | bc) $rss $rc"
}

# Converge once (the cloud twins already carry their anchors: every item is a noop).
"$bin" run --config "$work/c.yaml" --full >/dev/null 2>&1 || true
"$bin" run --config "$work/c.yaml" >/dev/null 2>&1 || true
full=()
incremental=()
for i in $(seq 1 "$runs"); do
  full+=("$(measure "$bin" run --config "$work/c.yaml" --full)")
  incremental+=("$(measure "$bin" run --config "$work/c.yaml")")
  echo "run $i: full ${full[-1]} | incremental ${incremental[-1]}" >&2
done
mode=$(/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["outcome"], r["directoryRead"]["mode"], r["tenantRead"]["mode"])' "$work/state/reports/latest.json")
entries=$(/usr/bin/python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$work/users.json")
cloud=$(/usr/bin/python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["users"]))' "$work/tenant.json")

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
col() { local n=$1; shift; for row in "$@"; do echo "$row" | awk -v n="$n" '{print $n}'; done; }
fw=$(median $(col 1 "${full[@]}")); iw=$(median $(col 1 "${incremental[@]}"))
fc=$(median $(col 2 "${full[@]}")); ic=$(median $(col 2 "${incremental[@]}"))
fr=$(median $(col 3 "${full[@]}")); ir=$(median $(col 3 "${incremental[@]}"))
ratio=$(echo "scale=3; $iw / $fw" | bc)
cat <<EOF2
# Incremental run benchmark (issue 5)

Reproduce: \`Benchmarks/run-incremental.sh --users $users --runs $runs\`.
Directory: $entries AD users (20,000 bulk + fixture users) on the throwaway Samba DC over LDAPS;
tenant: $cloud cloud users in the emulator, each already carrying its twin's ImmutableID (converged).
Full = \`anchorbridge run --full\` (every AD user, every cloud user by delta from scratch, plan, apply:
all no-ops); incremental = \`anchorbridge run\` with nothing changed (Graph delta round with no changes,
uSNChanged search with no results, stop). Alternated, $runs runs each, medians; last incremental report:
$mode (outcome, directory read, tenant read).
date: $(date -u '+%Y-%m-%d %H:%M UTC'), host: $(uname -m), cores: $(nproc), load: $(cut -d' ' -f1-3 /proc/loadavg)

| metric | full run | incremental run | ratio (incremental / full) | target |
|---|---|---|---|---|
| wall time (s) | $fw | $iw | $ratio | <= 0.10 |
| client CPU user+sys (s) | $fc | $ic | $(echo "scale=3; $ic / $fc" | bc) | |
| peak RSS (KB) | $fr | $ir | | |
EOF2
