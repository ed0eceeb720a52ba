#!/usr/bin/env bash
# The main job end to end on a fresh machine: install what is missing, build, start the throwaway
# Samba AD DC and a tenant emulator seeded with a realistic tenant (cloud-only users to hard-match, a
# user in a federated domain, an already synced user, a role holder, a duplicate, a distribution
# list), then plan -> apply -> run report -> history -> rollback -> groups plan, saying what
# happened at each step.
set -euo pipefail
cd "$(dirname "$0")/.."

Scripts/deps.sh
echo "== build (release)" >&2
swift build -c release --static-swift-stdlib --product anchorbridge
swift build -c release --static-swift-stdlib --product anchorbridge-emulator
bindir="$(swift build -c release --static-swift-stdlib --show-bin-path)"
bin="$bindir/anchorbridge"

echo "== start the throwaway AD DC" >&2
Scripts/dc.sh start
# shellcheck disable=SC1091
source <(Scripts/dc.sh env)

demo="${AB_STATE_DIR:-$PWD/.state}/demo"
rm -rf "$demo/state"
mkdir -p "$demo/state"
chmod 700 "$demo"
config="$demo/anchorbridge.yaml"
secret_file="$demo/client.secret"
# A fresh random client secret for the emulator's app registration (0600, never printed).
(umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$secret_file")

directory_section() {
  cat <<YAML
directory:
  sources:
    - name: anchor
      uris: [$AB_DC_URI_LDAPS]
      tls: { caFile: $AB_DC_CA }
      bind: { method: simple, dn: $AB_DC_SVC_UPN, passwordFile: $AB_DC_SVC_PASSWORD_FILE }
      users: { bases: ["OU=Staff,OU=AnchorBridge,$AB_DC_BASE_DN", "OU=Disabled,OU=AnchorBridge,$AB_DC_BASE_DN"] }
      groups: { bases: ["OU=Groups,OU=AnchorBridge,$AB_DC_BASE_DN"] }
      anchor: consistencyGuid
YAML
}
directory_section >"$config"

echo "== 1. anchorbridge ad users: the directory side (objectGUID / mS-DS-ConsistencyGuid -> ImmutableID)" >&2
"$bin" ad users --config "$config" --format table
"$bin" ad users --config "$config" --format json >"$demo/users.json"

echo "== 2. the tenant emulator, seeded with the cloud twins of those users" >&2
/usr/bin/python3 Scripts/demo/tenant.py --users "$demo/users.json" --out "$demo/tenant.json" \
  --secret-file "$secret_file" --scenario demo >&2
emulator_log="$demo/emulator.log"
"$bindir/anchorbridge-emulator" --listen 127.0.0.1:0 --state "$demo/tenant.json" >"$emulator_log" 2>&1 &
emulator_pid=$!
trap 'kill $emulator_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  grep -q '^listening on' "$emulator_log" 2>/dev/null && break
  sleep 0.1
done
address=$(sed -n 's/^listening on //p' "$emulator_log")
[[ -n "$address" ]] || { cat "$emulator_log" >&2; echo "demo: the emulator did not start" >&2; exit 1; }
echo "   emulator on http://$address (state $demo/tenant.json)" >&2

{
  directory_section
  cat <<YAML
tenant:
  id: 6f1c2b7a-1d2e-4c3b-9a8f-5e4d3c2b1a00
  clientId: a7b0c0de-0000-4000-8000-00000000ab01
  authorityHost: http://$address
  graphHost: http://$address
  auth: { clientSecretFile: $secret_file }
matching:
  allowRelink: true   # the federated user carries a legacy anchor from an old ADFS setup
safety:
  maxChanges: 50
state:
  dir: $demo/state
YAML
} >"$config"
echo "   config: $config" >&2

step() { echo; echo "== $*" >&2; }
status() { "$@" && rc=0 || rc=$?; echo "   -> exit $rc" >&2; }

step "3. anchorbridge plan: read AD and the tenant, decide, change nothing"
"$bin" plan --config "$config" --out "$demo/plan.json" --format table

step "4. anchorbridge apply: compare-and-set, journaled, verified (exit 5 = some items need a person)"
status "$bin" apply --config "$config" --plan "$demo/plan.json" --yes

step "5. anchorbridge run: the cron job (incremental reads, report in $demo/state/reports/latest.json)"
status "$bin" run --config "$config"
status "$bin" run --config "$config"
/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("   report:", r["outcome"], "exit", r["exitCode"], "| directory", r.get("directoryRead"), "| tenant", r.get("tenantRead"))' "$demo/state/reports/latest.json"

step "6. anchorbridge history"
"$bin" history --config "$config"
apply_run=$("$bin" history --config "$config" --format json |
  /usr/bin/python3 -c 'import json,sys; print([r["id"] for r in json.load(sys.stdin) if r["kind"]=="apply"][0])')
"$bin" history --config "$config" --run "$apply_run"

step "7. anchorbridge rollback --run $apply_run: restore every before-image of that run"
status "$bin" rollback --config "$config" --run "$apply_run" --yes
"$bin" history --config "$config"

step "8. anchorbridge groups plan: snapshot the cloud-only DL into the journal, compare members, write the Exchange script"
status "$bin" groups plan --config "$config" --out "$demo/groups-plan.json" --script "$demo/exchange.ps1" --format table
echo "   Exchange Online script: $demo/exchange.ps1 (capture, then -Remove, then -RestoreAccess)" >&2

step "9. the tenant after rollback (cloud users' UPN and ImmutableID, from the emulator)"
curl -s "http://$address/_emulator/state" | /usr/bin/python3 -c '
import json, sys
for u in json.load(sys.stdin)["users"]:
    print("  ", u["userPrincipalName"].ljust(34), u.get("onPremisesImmutableId"))'
echo >&2
echo "demo: done. Everything is under $demo (config, plan, journal, reports)." >&2
