#!/usr/bin/env bash
# The main job end to end on a fresh machine: install what is missing, build, start the throwaway
# Samba AD DC, and pull its users and groups with their ImmutableIDs over verified LDAPS.
set -euo pipefail
cd "$(dirname "$0")/.."

Scripts/deps.sh
echo "== build" >&2
swift build -c release --product anchorbridge
bin="$(swift build -c release --show-bin-path)/anchorbridge"

echo "== start the throwaway AD DC" >&2
Scripts/dc.sh start
# shellcheck disable=SC1091
source <(Scripts/dc.sh env)

state="${AB_STATE_DIR:-$PWD/.state}/demo"
mkdir -p "$state"
config="$state/anchorbridge.yaml"
cat >"$config" <<YAML
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
echo "== config: $config" >&2

echo "== anchorbridge ad users (named fixture users)" >&2
"$bin" ad users --config "$config" --format table
echo "== anchorbridge ad groups" >&2
"$bin" ad groups --config "$config" --format table
echo "== anchorbridge ad users, all users as JSON -> $state/users.json" >&2
sed -i 's/^      users: .*/      users: { bases: ["OU=AnchorBridge,'"$AB_DC_BASE_DN"'"] }/' "$config"
"$bin" ad users --config "$config" --format json >"$state/users.json"
echo "   $(grep -c '"dn"' "$state/users.json") users written" >&2
