#!/usr/bin/env bash
# Proves the throwaway DC does what the integration tests rely on, with the stock OpenLDAP tools:
# verified LDAPS/StartTLS, refused cleartext simple bind, GSSAPI from the keytab, paging, range
# retrieval, and that what LDAP returns matches the fixture manifest seed.py wrote.
# Starts the DC if needed (Scripts/dc.sh start) and leaves it running. Exits non-zero on any failure.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
"$here/../dc.sh" start
set -a
# shellcheck disable=SC1090
source <("$here/../dc.sh" env)
set +a

PY=/usr/bin/python3
failures=0
pass() { echo "ok   $*"; }
fail() {
  echo "FAIL $*"
  failures=$((failures + 1))
}
manifest() { "$PY" -c "import json,sys; m=json.load(open('$AB_DC_FIXTURE')); print(eval(sys.argv[1]))" "$1"; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# libldap: with LDAPNOINIT it ignores the LDAPTLS_* variables too, so the TLS checks run without
# it; HOME/LDAPRC/LDAPCONF point at nothing so only the variables set here add to ldap.conf.
unset LDAPNOINIT LDAPRC LDAPBASE LDAPURI LDAPBINDDN
export HOME=$tmp LDAPCONF=/dev/null LDAPTLS_REQCERT=demand LDAPTLS_CACERT=$AB_DC_CA
admin=(-x -D "$AB_DC_ADMIN_DN" -y "$AB_DC_ADMIN_PASSWORD_FILE")
search() { ldapsearch -o ldif-wrap=no -o nettimeout=10 -LLL "$@"; }

# --- where it listens ----------------------------------------------------------------------------

if command -v ss >/dev/null; then
  elsewhere=$(ss -Hltnu | awk '{print $5}' | grep -E ':(88|389|464|636|3268|3269)$' | grep -v "^$AB_DC_ADDR:" || true)
  if [[ -z $elsewhere ]]; then
    pass "LDAP/GC/Kerberos ports listen only on $AB_DC_ADDR"
  else
    fail "LDAP/GC/Kerberos ports also listen on: $(tr '\n' ' ' <<<"$elsewhere")"
  fi
fi

# --- transport and binds ------------------------------------------------------------------------

if out=$(search -H "$AB_DC_URI_LDAPS" "${admin[@]}" -b "$AB_DC_BASE_DN" -s base dn 2>&1); then
  pass "LDAPS $AB_DC_URI_LDAPS verifies with the test CA ($AB_DC_CA), simple bind as Administrator"
else
  fail "LDAPS with the test CA: $out"
fi

if out=$(LDAPTLS_CACERT=$AB_DC_WRONG_CA search -H "$AB_DC_URI_LDAPS" "${admin[@]}" -b "$AB_DC_BASE_DN" -s base dn 2>&1); then
  fail "LDAPS with the wrong CA was accepted"
else
  pass "LDAPS with the wrong CA is rejected ($(head -1 <<<"$out"))"
fi

if out=$(search -H "$AB_DC_URI_LDAPS_WRONG_NAME" "${admin[@]}" -b "$AB_DC_BASE_DN" -s base dn 2>&1); then
  fail "LDAPS by a name not in the certificate ($AB_DC_URI_LDAPS_WRONG_NAME) was accepted"
else
  pass "LDAPS by a name not in the certificate is rejected ($(head -1 <<<"$out"))"
fi

if out=$(search -H "ldaps://$AB_DC_ADDR" "${admin[@]}" -b "$AB_DC_BASE_DN" -s base dn 2>&1); then
  pass "LDAPS by address verifies (IP SAN $AB_DC_ADDR)"
else
  fail "LDAPS by address: $out"
fi

if out=$(search -ZZ -H "$AB_DC_URI_LDAP" "${admin[@]}" -b "$AB_DC_BASE_DN" -s base dn 2>&1); then
  pass "StartTLS (-ZZ) on $AB_DC_URI_LDAP verifies, simple bind as Administrator"
else
  fail "StartTLS: $out"
fi

set +e
out=$(search -H "$AB_DC_URI_LDAP" "${admin[@]}" -b "$AB_DC_BASE_DN" -s base dn 2>&1)
rc=$?
set -e
if ((rc == 8)); then
  pass "simple bind on cleartext $AB_DC_URI_LDAP is refused by the server (result 8: $(grep -o 'BindSimple.*' <<<"$out"))"
else
  fail "simple bind on cleartext ldap:// returned $rc, expected 8: $out"
fi

export KRB5_CONFIG=$AB_KRB5_CONFIG KRB5CCNAME=FILE:$tmp/krb5cc
if ! out=$(kinit -kt "$AB_DC_KEYTAB" "$AB_DC_SVC_PRINCIPAL" 2>&1); then
  fail "kinit -kt $AB_DC_KEYTAB $AB_DC_SVC_PRINCIPAL: $out"
elif out=$(search -v -N -Y GSSAPI -H "$AB_DC_URI_LDAP" -b "$AB_DC_BASE_DN" "(sAMAccountName=alice.anders)" \
  mS-DS-ConsistencyGuid employeeID 2>&1) &&
  grep -q "SASL username: $AB_DC_SVC_PRINCIPAL" <<<"$out" &&
  grep -q '^mS-DS-ConsistencyGuid:: ' <<<"$out" && grep -q '^employeeID: E1001' <<<"$out"; then
  pass "GSSAPI bind from the keytab as $AB_DC_SVC_PRINCIPAL ($(grep -o 'SASL SSF: [0-9]*' <<<"$out")); it reads mS-DS-ConsistencyGuid and employeeID"
else
  fail "GSSAPI bind/search as $AB_DC_SVC_PRINCIPAL: $out"
fi
password=$(<"$AB_DC_SVC_PASSWORD_FILE")
if out=$(search -H "$AB_DC_URI_LDAPS" -x -D "$AB_DC_SVC_UPN" -w "$password" -b "$AB_DC_BASE_DN" -s base dn 2>&1); then
  pass "simple bind over LDAPS as the service account by UPN ($AB_DC_SVC_UPN)"
else
  fail "simple bind over LDAPS as $AB_DC_SVC_UPN: ${out//$password/<redacted>}"
fi
unset password

# --- paging and ranges --------------------------------------------------------------------------

bulk_ou=$(manifest "m['bulk']['ou']")
bulk_count=$(manifest "m['bulk']['count']")
# -L (not -LLL): the "# pagedresults: cookie=" comment after each page counts the pages.
ldapsearch -o ldif-wrap=no -L -H "$AB_DC_URI_LDAPS" "${admin[@]}" -E pr=300/noprompt -b "$bulk_ou" \
  "(&(objectCategory=person)(objectClass=user))" sAMAccountName >"$tmp/paged" 2>&1 || true
got=$(grep -c '^sAMAccountName: bulk' "$tmp/paged" || true)
pages=$(grep -c '^# pagedresults: ' "$tmp/paged" || true)
if ((got == bulk_count && pages >= bulk_count / 300)); then
  pass "paged search (pr=300) returns all $got bulk users in $pages pages"
else
  fail "paged search returned $got of $bulk_count bulk users in $pages pages"
fi

big=$(manifest "m['roles']['bigGroup']")
big_dn=$(manifest "m['groups']['$big']['dn']")
big_count=$(manifest "m['groups']['$big']['memberCount']")
search -H "$AB_DC_URI_LDAPS" "${admin[@]}" -b "$big_dn" -s base '(objectClass=*)' 'member;range=0-*' >"$tmp/range" 2>&1 || true
got=$(grep -c '^member;range=0-\*: ' "$tmp/range" || true)
if ((got >= 3000 && got == big_count)); then
  pass "$big member;range=0-* returns $got values (manifest: $big_count)"
else
  fail "$big member;range=0-* returned $got values, manifest says $big_count (need >= 3000)"
fi
search -H "$AB_DC_URI_LDAPS" "${admin[@]}" -b "$big_dn" -s base '(objectClass=*)' 'member;range=0-999' >"$tmp/range" 2>&1 || true
if grep -q '^member;range=0-999: ' "$tmp/range" && (($(grep -c '^member;range=0-999: ' "$tmp/range") == 1000)); then
  pass "$big member;range=0-999 returns exactly 1000 values"
else
  fail "$big member;range=0-999: $(head -3 "$tmp/range")"
fi

# --- LDAP against the manifest ------------------------------------------------------------------

root_dn=$(manifest "m['fixtureRootDN']")
samples=$(manifest "''.join('(sAMAccountName=%s)' % s['sAMAccountName'] for s in m['bulk']['samples'])")
search -H "$AB_DC_URI_LDAPS" "${admin[@]}" -b "$root_dn" \
  "(|(objectClass=group)(&(objectCategory=person)(objectClass=user)(|(!(sAMAccountName=bulk*))$samples)))" \
  sAMAccountName objectGUID mS-DS-ConsistencyGuid userPrincipalName userAccountControl groupType member \
  >"$tmp/named.ldif" 2>&1 || fail "searching the named fixture objects: $(head -3 "$tmp/named.ldif")"
if out=$("$PY" - "$AB_DC_FIXTURE" "$tmp/named.ldif" <<'EOF'
import base64, json, sys
manifest = json.load(open(sys.argv[1]))
entries, cur = [], None
for line in open(sys.argv[2], encoding="utf-8"):
    line = line.rstrip("\n")
    if not line:
        cur = None
        continue
    attr, sep, value = line.partition(": ")
    if attr.endswith(":"):
        attr, value = attr[:-1], base64.b64decode(value)
    else:
        value = value.encode("utf-8")
    if attr == "dn":
        cur = {}
        entries.append(cur)
    cur.setdefault(attr, []).append(value)
expected = dict(manifest["users"])
for sample in manifest["bulk"]["samples"]:
    expected[sample["sAMAccountName"]] = sample
problems, checked, by_guid = [], 0, {}
for e in entries:
    name = e["sAMAccountName"][0].decode()
    guid_b64 = base64.b64encode(e["objectGUID"][0]).decode()
    by_guid[e["dn"][0].decode().lower()] = guid_b64
for e in entries:
    name = e["sAMAccountName"][0].decode()
    guid_b64 = base64.b64encode(e["objectGUID"][0]).decode()
    want = expected.get(name) or manifest["groups"].get(name)
    if want is None:
        continue
    checked += 1
    if guid_b64 != want["objectGuidBase64"]:
        problems.append(f"{name}: objectGUID {guid_b64} != manifest {want['objectGuidBase64']}")
    cg = e.get("mS-DS-ConsistencyGuid")
    cg_b64 = base64.b64encode(cg[0]).decode() if cg else None
    if cg_b64 != want.get("consistencyGuidBase64"):
        problems.append(f"{name}: ConsistencyGuid {cg_b64} != manifest {want.get('consistencyGuidBase64')}")
    if "userPrincipalName" in want and e.get("userPrincipalName", [b""])[0].decode() != want["userPrincipalName"]:
        problems.append(f"{name}: userPrincipalName differs")
    if "groupType" in want and int(e["groupType"][0]) != want["groupType"]:
        problems.append(f"{name}: groupType {e['groupType'][0]} != {want['groupType']}")
    if "memberObjectGuids" in want:
        import uuid
        got = sorted(str(uuid.UUID(bytes_le=base64.b64decode(by_guid[m.decode().lower()]))) for m in e.get("member", []))
        if got != want["memberObjectGuids"]:
            problems.append(f"{name}: member objectGUIDs differ")
missing = set(expected) | set(manifest["groups"])
missing -= {e["sAMAccountName"][0].decode() for e in entries}
if missing:
    problems.append(f"not found over LDAP: {sorted(missing)}")
print("\n".join(problems) if problems else f"{checked} objects")
sys.exit(1 if problems else 0)
EOF
); then
  pass "objectGUID / ConsistencyGuid base64, UPN, groupType, members over LDAPS match the manifest ($out)"
else
  fail "LDAP vs manifest: $out"
fi

# Quick look-ups tests will do: non-ASCII UPN, escaped filter metacharacters, binary GUID filter.
upn=$(manifest "m['users']['zoe.mueller']['userPrincipalName']")
if [[ "$(search -H "$AB_DC_URI_LDAPS" "${admin[@]}" -b "$AB_DC_BASE_DN" "(userPrincipalName=$upn)" sAMAccountName 2>&1)" == *"sAMAccountName: zoe.mueller"* ]]; then
  pass "filter on the non-ASCII UPN $upn finds zoe.mueller"
else
  fail "filter on the non-ASCII UPN $upn"
fi
if [[ "$(search -H "$AB_DC_URI_LDAPS" "${admin[@]}" -b "$AB_DC_BASE_DN" '(cn=Meta \2a\28\29\5c User)' sAMAccountName 2>&1)" == *"sAMAccountName: meta.user"* ]]; then
  pass 'filter (cn=Meta \2a\28\29\5c User) finds meta.user'
else
  fail 'filter with escaped metacharacters did not find meta.user'
fi
guid_filter=$(manifest "''.join('\\\\%02x' % b for b in __import__('base64').b64decode(m['users']['alice.anders']['objectGuidBase64']))")
if [[ "$(search -H "$AB_DC_URI_LDAPS" "${admin[@]}" -b "$AB_DC_BASE_DN" "(objectGUID=$guid_filter)" sAMAccountName 2>&1)" == *"sAMAccountName: alice.anders"* ]]; then
  pass "binary filter (objectGUID=$guid_filter) finds alice.anders"
else
  fail "binary objectGUID filter for alice.anders"
fi

usn=$(search -H "$AB_DC_URI_LDAP" -x -b '' -s base highestCommittedUSN 2>/dev/null | sed -n 's/^highestCommittedUSN: //p')
seeded_usn=$(manifest "m['highestCommittedUSN']")
if [[ -n $usn ]] && ((usn >= seeded_usn)); then
  pass "rootDSE highestCommittedUSN $usn >= manifest $seeded_usn (anonymous rootDSE read)"
else
  fail "rootDSE highestCommittedUSN '$usn' vs manifest $seeded_usn"
fi

if out=$(search -H "ldaps://$AB_DC_HOST:3269" "${admin[@]}" -b "$AB_DC_BASE_DN" "(sAMAccountName=alice.anders)" objectGUID 2>&1) && [[ $out == *objectGUID::* ]]; then
  pass "global catalog LDAPS on port 3269 answers"
else
  fail "global catalog on 3269: $out"
fi

if ((failures)); then
  echo "selftest: $failures check(s) failed"
  exit 1
fi
echo "selftest: all checks passed"
