#!/usr/bin/python3
"""Seeds the throwaway Samba AD DC with AnchorBridge's fixture data and writes the fixture manifest.

Run by Scripts/dc.sh with the system interpreter (/usr/bin/python3 — the samba module is a Debian
package, the pyenv python on PATH does not have it) while the DC is NOT running: it opens sam.ldb
directly with the system session and adds everything in one transaction, which takes seconds even
for 20,000 users (the same through LDAP or samba-tool takes many minutes).

After committing it reads everything back from the database and writes the manifest
(fixture.json). The manifest is what the Swift integration tests compare against, so every value in
it is computed here from the raw attribute bytes, independently of AnchorBridge's own code.

It also sets the Administrator password (so it never appears on a command line) and exports the
service account's keytab, the same call `samba-tool domain exportkeytab --principal=...` makes.

    seed.py --smbconf ETC/smb.conf --users N --admin-password-file F --svc-password-file F \
            --keytab OUT.keytab --manifest OUT.json
"""

import argparse
import base64
import hashlib
import json
import os
import sys
import time
import uuid

import ldb
from samba import enable_net_export_keytab
from samba.auth import system_session
from samba.dcerpc import security
from samba.ndr import ndr_unpack
from samba.net import Net
from samba.param import LoadParm
from samba.samdb import SamDB

from fixture_data import (
    BULK_MEMBER_GROUP,
    BULK_NAME_FORMAT,
    DIFFERENT_CONSISTENCY_GUID,
    EXTRA_UPN_SUFFIX,
    GROUPS,
    MIN_BULK_USERS,
    NAMED_USERS,
    OUS,
    ROLES,
    SERVICE_ACCOUNT,
)

UF_ACCOUNTDISABLE = 0x2


def log(message):
    print(f"seed: {message}", file=sys.stderr)


def open_samdb(smbconf):
    lp = LoadParm()
    lp.load(smbconf)
    # batch_mode drops ldb's per-operation sub-transactions (whose cost grows with the database:
    # 3,000 users took a minute without it, ~10 s with it); a failure still cancels everything.
    # The index cache size is what `samba-tool domain join` uses for large databases.
    options = ["batch_mode:1", "transaction_index_cache_size:200000"]
    return SamDB(url=lp.samdb_url(), session_info=system_session(), lp=lp, options=options), lp


def raw(msg, attr):
    """The first value of attr as plain bytes, or None."""
    if attr not in msg:
        return None
    return bytes(msg[attr][0])


def text(msg, attr):
    value = raw(msg, attr)
    return None if value is None else value.decode("utf-8")


def texts(msg, attr):
    if attr not in msg:
        return []
    return [bytes(v).decode("utf-8") for v in msg[attr]]


def guid_string(raw_bytes):
    """Canonical lowercase GUID string of the 16 bytes AD stores (Data1-3 little-endian)."""
    return str(uuid.UUID(bytes_le=raw_bytes))


def b64(raw_bytes):
    return base64.b64encode(raw_bytes).decode("ascii")


def sha256_lines(values):
    """SHA-256 (hex) of the values sorted, joined with "\\n", no trailing newline, UTF-8."""
    return hashlib.sha256("\n".join(sorted(values)).encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------------
# Seeding


def add_ous(db, base):
    for ou in OUS:
        db.add({"dn": f"{ou},{base}", "objectClass": "organizationalUnit"})


def add_upn_suffix(db, base):
    partitions = f"CN=Partitions,{db.get_config_basedn()}"
    msg = ldb.Message(ldb.Dn(db, partitions))
    msg["uPNSuffixes"] = ldb.MessageElement([EXTRA_UPN_SUFFIX], ldb.FLAG_MOD_ADD, "uPNSuffixes")
    db.modify(msg)


def add_named_users(db, base):
    dns = {}
    for spec in NAMED_USERS:
        dn = ldb.Dn(db, f"{spec['ou']},{base}")
        dn.add_child(ldb.Dn(db, "CN=x"))
        dn.set_component(0, "CN", spec["cn"])  # escapes the metacharacters in the value
        record = {
            "dn": dn,
            "objectClass": "user",
            "sAMAccountName": spec["sAMAccountName"],
            "displayName": spec.get("displayName", spec["cn"]),
            "userAccountControl": str(spec["userAccountControl"]),
        }
        for attr in ("userPrincipalName", "givenName", "sn", "mail", "employeeID", "proxyAddresses"):
            if attr in spec:
                record[attr] = spec[attr]
        db.add(record)
        dns[spec["sAMAccountName"]] = dn
    return dns


def add_bulk_users(db, base, count):
    """bulk00001…: every 10th disabled; the odd-numbered ones carry mS-DS-ConsistencyGuid ==
    objectGUID, as Entra Connect's write-back leaves them. For those the GUID is chosen here (a
    random v4 GUID, as AD makes them) and added with the relax control, which permits setting
    objectGUID on add: the same bytes then go into both attributes without a second modify per user
    (that modify was ~10% of the seeding time at 20,000 users)."""
    ou = f"OU=Bulk,OU=AnchorBridge,{base}"
    for i in range(1, count + 1):
        name = BULK_NAME_FORMAT % i
        record = {
            "dn": f"CN={name},{ou}",
            "objectClass": "user",
            "sAMAccountName": name,
            "userPrincipalName": f"{name}@anchor.test",
            "displayName": f"Bulk User {i:05d}",
            "givenName": "Bulk",
            "sn": f"User {i:05d}",
            "mail": f"{name}@anchor.test",
            "proxyAddresses": [f"SMTP:{name}@anchor.test", f"smtp:{name}@bulk.anchor.test"],
            "employeeID": f"B{i:06d}",
            "userAccountControl": "514" if i % 10 == 0 else "512",
        }
        if i % 2 == 1:
            guid = uuid.uuid4().bytes_le
            record["objectGUID"] = guid
            record["mS-DS-ConsistencyGuid"] = guid
            db.add(record, controls=["relax:0"])
        else:
            db.add(record)


def set_consistency_guids(db, named_dns):
    """Sets the named users' mS-DS-ConsistencyGuid; some need the objectGUID assigned on add."""
    for spec in NAMED_USERS:
        mode = spec.get("consistencyGuid")
        if mode is None:
            continue
        dn = named_dns[spec["sAMAccountName"]]
        object_guid = raw(db.search(base=dn, scope=ldb.SCOPE_BASE, attrs=["objectGUID"])[0], "objectGUID")
        value = {
            "objectGUID": object_guid,
            "different": uuid.UUID(DIFFERENT_CONSISTENCY_GUID).bytes_le,
            "fiveBytes": bytes([0x01, 0x02, 0x03, 0x04, 0x05]),
            "guidString": guid_string(object_guid).encode("ascii"),
        }[mode]
        msg = ldb.Message(dn)
        msg["mS-DS-ConsistencyGuid"] = ldb.MessageElement(value, ldb.FLAG_MOD_REPLACE, "mS-DS-ConsistencyGuid")
        db.modify(msg)


def add_groups(db, base, named_dns):
    group_dns = {}
    bulk_dns = None
    for spec in GROUPS:
        dn = f"CN={spec['cn']},{spec['ou']},{base}"
        members = []
        for member in spec.get("members", []):
            if member in named_dns:
                members.append(str(named_dns[member]))
            elif member in group_dns:
                members.append(group_dns[member])
            else:
                raise SystemExit(f"seed: fixture group {spec['cn']} names unknown member {member}")
        if spec["cn"] == BULK_MEMBER_GROUP:
            if bulk_dns is None:
                bulk_dns = [
                    str(m.dn)
                    for m in db.search(
                        base=f"OU=Bulk,OU=AnchorBridge,{base}",
                        scope=ldb.SCOPE_ONELEVEL,
                        expression="(objectClass=user)",
                        attrs=["dn"],
                    )
                ]
            members.extend(bulk_dns)
        record = {
            "dn": dn,
            "objectClass": "group",
            "sAMAccountName": spec["cn"],
            "groupType": str(spec["groupType"]),
        }
        for attr in ("mail", "proxyAddresses", "legacyExchangeDN", "description", "displayName"):
            if attr in spec:
                record[attr] = spec[attr]
        if members:
            record["member"] = members
        db.add(record)
        group_dns[spec["cn"]] = dn
    return group_dns


def add_service_account(db, password):
    spec = SERVICE_ACCOUNT
    db.newuser(
        spec["sAMAccountName"],
        password,
        givenname="AnchorBridge",
        surname="Service",
        description=spec["description"],
    )
    db.setexpiry(f"(sAMAccountName={spec['sAMAccountName']})", 0, no_expiry_req=True)


def ensure_ldap_spn(db):
    """The DC's ldap/<fqdn> SPN; normally samba_spnupdate adds it, but the dnsupdate service is off."""
    dc = db.search(
        base=db.get_default_basedn(),
        expression="(&(objectClass=computer)(sAMAccountName=DC1$))",
        attrs=["servicePrincipalName", "dNSHostName"],
    )[0]
    fqdn = text(dc, "dNSHostName").lower()
    wanted = [f"ldap/{fqdn}", f"ldap/{fqdn.split('.')[0].upper()}"]
    have = {s.lower() for s in texts(dc, "servicePrincipalName")}
    missing = [spn for spn in wanted if spn.lower() not in have]
    if missing:
        msg = ldb.Message(dc.dn)
        msg["servicePrincipalName"] = ldb.MessageElement(
            missing, ldb.FLAG_MOD_ADD, "servicePrincipalName"
        )
        db.modify(msg)


# ---------------------------------------------------------------------------------------------
# Reading back: the manifest

USER_ATTRS = [
    "objectGUID",
    "mS-DS-ConsistencyGuid",
    "sAMAccountName",
    "userPrincipalName",
    "displayName",
    "cn",
    "mail",
    "proxyAddresses",
    "employeeID",
    "userAccountControl",
    "objectSid",
]


def user_entry(msg):
    uac = int(text(msg, "userAccountControl"))
    object_guid = raw(msg, "objectGUID")
    entry = {
        "dn": str(msg.dn),
        "cn": text(msg, "cn"),
        "sAMAccountName": text(msg, "sAMAccountName"),
        "userPrincipalName": text(msg, "userPrincipalName"),
        "displayName": text(msg, "displayName"),
        "objectGuid": guid_string(object_guid),
        "objectGuidBase64": b64(object_guid),
        "objectSid": str(ndr_unpack(security.dom_sid, raw(msg, "objectSid"))),
        "userAccountControl": uac,
        "enabled": (uac & UF_ACCOUNTDISABLE) == 0,
        "proxyAddresses": texts(msg, "proxyAddresses"),
    }
    consistency = raw(msg, "mS-DS-ConsistencyGuid")
    if consistency is not None:
        entry["consistencyGuidBase64"] = b64(consistency)
        entry["consistencyGuidLength"] = len(consistency)
        entry["consistencyGuidEqualsObjectGuid"] = consistency == object_guid
    for attr in ("mail", "employeeID"):
        value = text(msg, attr)
        if value is not None:
            entry[attr] = value
    return {k: v for k, v in entry.items() if v is not None}


def build_manifest(db, lp, bulk_count, seed_seconds):
    base = str(db.get_default_basedn())
    root = f"OU=AnchorBridge,{base}"
    everything = db.search(base=base, scope=ldb.SCOPE_SUBTREE, expression="(objectGUID=*)", attrs=["objectGUID"])
    guid_by_dn = {str(m.dn).lower(): guid_string(raw(m, "objectGUID")) for m in everything}

    users = db.search(
        base=root,
        scope=ldb.SCOPE_SUBTREE,
        expression="(&(objectCategory=person)(objectClass=user))",
        attrs=USER_ATTRS,
    )
    bulk_ou = f"OU=Bulk,{root}".lower()
    named, bulk = {}, []
    for msg in users:
        entry = user_entry(msg)
        if str(msg.dn).lower().endswith(bulk_ou):
            bulk.append(entry)
        else:
            named[entry["sAMAccountName"]] = entry
    bulk.sort(key=lambda e: e["sAMAccountName"])

    groups = {}
    for msg in db.search(
        base=root,
        scope=ldb.SCOPE_SUBTREE,
        expression="(objectClass=group)",
        attrs=[
            "objectGUID",
            "objectSid",
            "sAMAccountName",
            "groupType",
            "mail",
            "proxyAddresses",
            "legacyExchangeDN",
            "member",
        ],
    ):
        object_guid = raw(msg, "objectGUID")
        members = texts(msg, "member")
        member_guids = sorted(guid_by_dn[m.lower()] for m in members)
        group_type = int(text(msg, "groupType"))
        entry = {
            "dn": str(msg.dn),
            "sAMAccountName": text(msg, "sAMAccountName"),
            "objectGuid": guid_string(object_guid),
            "objectGuidBase64": b64(object_guid),
            "objectSid": str(ndr_unpack(security.dom_sid, raw(msg, "objectSid"))),
            "groupType": group_type,
            "securityEnabled": group_type < 0,
            "proxyAddresses": texts(msg, "proxyAddresses"),
            "memberCount": len(members),
            "memberObjectGuidsSHA256": sha256_lines(member_guids),
        }
        for attr in ("mail", "legacyExchangeDN"):
            value = text(msg, attr)
            if value is not None:
                entry[attr] = value
        if len(member_guids) <= 100:
            entry["memberObjectGuids"] = member_guids
        else:
            entry["memberObjectGuidsSample"] = member_guids[:5]
        groups[entry["sAMAccountName"]] = entry

    svc = db.search(
        base=base,
        expression=f"(sAMAccountName={SERVICE_ACCOUNT['sAMAccountName']})",
        attrs=USER_ATTRS,
    )[0]

    sample_indexes = sorted({1, 2, 10, bulk_count})
    by_name = {e["sAMAccountName"]: e for e in bulk}
    rootdse = db.search(base="", scope=ldb.SCOPE_BASE, attrs=["highestCommittedUSN"])[0]
    ous = [f"{ou},{base}" for ou in OUS]

    return {
        "schemaVersion": 1,
        "generatedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "seedSeconds": round(seed_seconds, 2),
        "realm": lp.get("realm"),
        "netbiosDomain": lp.get("workgroup"),
        "baseDN": base,
        "fixtureRootDN": root,
        "domainSid": str(db.get_domain_sid()),
        "invocationId": str(db.get_invocation_id()),
        "highestCommittedUSN": int(text(rootdse, "highestCommittedUSN")),
        "extraUpnSuffix": EXTRA_UPN_SUFFIX,
        "organizationalUnits": ous,
        "counts": {
            "usersUnderFixtureRoot": len(users),
            "disabledUsersUnderFixtureRoot": sum(1 for m in users if int(text(m, "userAccountControl")) & 2),
            "namedUsers": len(named),
            "groups": len(groups),
        },
        "roles": ROLES,
        "users": named,
        "groups": groups,
        "serviceAccount": user_entry(svc),
        "bulk": {
            "ou": f"OU=Bulk,{root}",
            "nameFormat": BULK_NAME_FORMAT,
            "count": len(bulk),
            "disabledCount": sum(1 for e in bulk if not e["enabled"]),
            "consistencyGuidCount": sum(1 for e in bulk if "consistencyGuidBase64" in e),
            "objectGuidsSHA256": sha256_lines(e["objectGuid"] for e in bulk),
            "samples": [by_name[BULK_NAME_FORMAT % i] for i in sample_indexes],
        },
    }


def read_secret(path):
    with open(path, encoding="utf-8") as f:
        return f.read().strip()


def export_keytab(lp, path, principal):
    enable_net_export_keytab()
    if os.path.exists(path):
        os.remove(path)  # export_keytab appends to an existing keytab
    # The C code prints "Export one principal to ..." on stderr; failures raise with their own text.
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        Net(None, lp).export_keytab(keytab=path, principal=principal)
    finally:
        os.dup2(saved, 2)
        os.close(devnull)
        os.close(saved)
    os.chmod(path, 0o600)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smbconf", required=True)
    parser.add_argument("--users", type=int, required=True, help="number of bulk users")
    parser.add_argument("--admin-password-file", required=True)
    parser.add_argument("--svc-password-file", required=True)
    parser.add_argument("--keytab", required=True, help="where to export the service account's keytab")
    parser.add_argument("--manifest", required=True)
    args = parser.parse_args()
    if args.users < MIN_BULK_USERS:
        raise SystemExit(f"seed: --users {args.users} is below {MIN_BULK_USERS} ({BULK_MEMBER_GROUP} needs that many members)")

    started = time.monotonic()
    db, lp = open_samdb(args.smbconf)
    base = str(db.get_default_basedn())
    db.transaction_start()
    try:
        db.setpassword("(&(objectClass=user)(sAMAccountName=Administrator))", read_secret(args.admin_password_file))
        add_ous(db, base)
        add_upn_suffix(db, base)
        named_dns = add_named_users(db, base)
        add_bulk_users(db, base, args.users)
        set_consistency_guids(db, named_dns)
        add_groups(db, base, named_dns)
        add_service_account(db, read_secret(args.svc_password_file))
        ensure_ldap_spn(db)
    except BaseException:
        db.transaction_cancel()
        raise
    db.transaction_commit()
    seeded = time.monotonic() - started
    log(f"added {len(NAMED_USERS)} named users, {args.users} bulk users, {len(GROUPS)} groups in {seeded:.1f} s")

    manifest = build_manifest(db, lp, args.users, seeded)
    tmp = args.manifest + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1, ensure_ascii=False, sort_keys=True)
        f.write("\n")
    os.replace(tmp, args.manifest)

    realm = lp.get("realm").upper()
    export_keytab(lp, args.keytab, f"{SERVICE_ACCOUNT['sAMAccountName']}@{realm}")


if __name__ == "__main__":
    main()
