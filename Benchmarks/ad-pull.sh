#!/usr/bin/env bash
# Benchmark: pull every user (objectGUID, UPN, mail, proxyAddresses, mS-DS-ConsistencyGuid) from the
# throwaway DC with `anchorbridge ad users` and with OpenLDAP's `ldapsearch -E pr=1000/noprompt`, in
# the same run, against the same DC, and print wall time, client CPU and peak RSS with ratios.
# Usage: Benchmarks/ad-pull.sh [--users N] [--runs N]   (reseeds the DC with N bulk users when needed)
# AB_READ_CONNECTIONS (default 2): the source's `readConnections`, connections anchorbridge reads
# over at once (one uSNChanged range each); 1 is a single paged search, like ldapsearch's.
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
command -v /usr/bin/time >/dev/null || { apt-get install -y -qq time >/dev/null; }
# AB_BIN: a prebuilt release binary (skips the build).
if [ -n "${AB_BIN:-}" ]; then
  bin="$AB_BIN"
else
  swift build -c release --static-swift-stdlib --product anchorbridge >&2
  bin="$(swift build -c release --static-swift-stdlib --show-bin-path)/anchorbridge"
fi

Scripts/dc.sh start >&2
# shellcheck disable=SC1090
source <(Scripts/dc.sh env)
have=$(python3 -c "import json,sys; print(json.load(open('$AB_DC_FIXTURE'))['bulk']['count'])")
if [ "$have" -lt "$users" ]; then
  Scripts/dc.sh reseed --users "$users" >&2
  source <(Scripts/dc.sh env)
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/c.yaml" <<YAML
directory:
  sources:
    - name: bench
      uris: [$AB_DC_URI_LDAPS]
      tls: { caFile: $AB_DC_CA }
      bind: { method: simple, dn: $AB_DC_SVC_UPN, passwordFile: $AB_DC_SVC_PASSWORD_FILE }
      users: { bases: ["$AB_DC_BASE_DN"] }
      anchor: consistencyGuid
      pageSize: 1000
      readConnections: ${AB_READ_CONNECTIONS:-2}
YAML
# The same attributes anchorbridge requests for users (ActiveDirectoryReader.userAttributes).
attrs="objectGUID mS-DS-ConsistencyGuid userPrincipalName sAMAccountName mail proxyAddresses displayName userAccountControl objectSid whenChanged uSNChanged"
filter='(&(objectCategory=person)(objectClass=user))'

# One measured run: prints "wall_s user_s sys_s maxrss_kb entries". Wall time and peak RSS come
# from /usr/bin/time; CPU time from bash's `time` (getrusage, to the millisecond: /usr/bin/time
# rounds to 10 ms, as coarse as the whole difference being measured). Both tools' CPU includes
# the /usr/bin/time wrapper alike (well under a millisecond).
measure() {
  local name="$1"; shift
  local TIMEFORMAT="%3U %3S"
  { time /usr/bin/time -f "%e %M" -o "$work/$name.time" "$@" >"$work/$name.out" 2>&3; } 3>&2 2>"$work/$name.cpu"
  local wall rss user sys count
  read -r wall rss <"$work/$name.time"
  read -r user sys <"$work/$name.cpu"
  if [ "$name" = ldapsearch ]; then count=$(grep -c '^dn:' "$work/$name.out"); else count=$(grep -c '"dn"' "$work/$name.out"); fi
  echo "$wall $user $sys $rss $count"
}

run_ab() { measure anchorbridge "$bin" ad users --config "$work/c.yaml" --format json; }
run_ls() {
  LDAPTLS_CACERT="$AB_DC_CA" LDAPTLS_REQCERT=demand measure ldapsearch \
    ldapsearch -LLL -o ldif-wrap=no -H "$AB_DC_URI_LDAPS" -x -D "$AB_DC_SVC_UPN" -y "$AB_DC_SVC_PASSWORD_FILE" \
    -b "$AB_DC_BASE_DN" -E pr=1000/noprompt "$filter" $attrs
}

run_ab >/dev/null; run_ls >/dev/null   # warm up the DC's caches for both
: >"$work/ab.txt"; : >"$work/ls.txt"
for _ in $(seq "$runs"); do
  run_ab >>"$work/ab.txt"
  run_ls >>"$work/ls.txt"
done

python3 - "$work/ab.txt" "$work/ls.txt" "$users" "$runs" <<'PY'
import statistics, sys, platform, subprocess, datetime
def load(path):
    rows = [list(map(float, line.split())) for line in open(path) if line.strip()]
    return {
        "wall": statistics.median(r[0] for r in rows),
        "cpu": statistics.median(r[1] + r[2] for r in rows),
        "rss": max(r[3] for r in rows) / 1024,
        "entries": int(rows[0][4]),
    }
ab, ls = load(sys.argv[1]), load(sys.argv[2])
users, runs = sys.argv[3], sys.argv[4]
import os
print(f"AD pull benchmark: {users} bulk users (+ fixture users), {runs} runs each, medians; same DC, same attributes; anchorbridge readConnections: {os.environ.get('AB_READ_CONNECTIONS', '2')}")
print(f"date: {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC, host: {platform.machine()}, cores: {subprocess.check_output(['nproc']).decode().strip()}")
print()
print("| metric | anchorbridge ad users | ldapsearch -E pr=1000 | ratio (anchorbridge / ldapsearch) | target |")
print("|---|---|---|---|---|")
print(f"| entries | {ab['entries']} | {ls['entries']} | | equal |")
print(f"| wall time (s) | {ab['wall']:.2f} | {ls['wall']:.2f} | {ab['wall']/ls['wall']:.2f} | <= 1.0 |")
print(f"| client CPU user+sys (s) | {ab['cpu']:.3f} | {ls['cpu']:.3f} | {ab['cpu']/max(ls['cpu'],0.001):.2f} | <= 1.0 |")
print(f"| peak RSS (MB) | {ab['rss']:.0f} | {ls['rss']:.0f} | {ab['rss']/ls['rss']:.2f} | <= 150 MB |")
PY
