#!/usr/bin/env python3
"""Writes a tenant emulator state (Schemas/tenant-state.schema.json) whose cloud users are the
twins of directory users, from `anchorbridge ad users --format json` output.

  tenant.py --users users.json --out tenant.json --scenario demo
      the demo tenant: cloud-only users to hard-match, a user in a federated domain with a legacy
      anchor, an already synced user, a role holder, a duplicate (two AD users share one mail),
      cloud-only users without an AD twin and a distribution list.
  tenant.py --users users.json --out tenant.json --scenario linked
      every directory user with a UPN has a cloud twin already carrying its ImmutableID (a converged
      tenant, for the incremental-run benchmark).

The client secret comes from --secret-file (the emulator's app registration needs it); it is written
only into the state file, which this script creates with mode 0600.
"""
import argparse
import json
import os
import uuid

TENANT_ID = "6f1c2b7a-1d2e-4c3b-9a8f-5e4d3c2b1a00"
CLIENT_ID = "a7b0c0de-0000-4000-8000-00000000ab01"
NAMESPACE = uuid.UUID("0b6c5e9a-7d1e-4f3a-9c2b-000000000001")


def object_id(name):
    return str(uuid.uuid5(NAMESPACE, name))


def cloud_user(name, upn, mail=None, anchor=None, synced=None, display=None):
    return {
        "id": object_id(name),
        "displayName": display or name,
        "userPrincipalName": upn,
        "mail": mail,
        "mailNickname": upn.split("@")[0].encode("ascii", "ignore").decode() or name,
        "accountEnabled": True,
        "proxyAddresses": [f"SMTP:{mail}"] if mail else [],
        "onPremisesImmutableId": anchor,
        "onPremisesSyncEnabled": synced,
    }


def demo(users):
    by_sam = {u.get("samAccountName"): u for u in users}
    out, roles = [], []

    def twin(sam, **kw):
        u = by_sam[sam]
        return cloud_user(sam, kw.pop("upn", u["userPrincipalName"]), kw.pop("mail", u.get("mail")),
                          display=u.get("displayName") or sam, **kw)

    for sam in ("alice.anders", "bob.brandt", "carol.castro", "zoe.mueller"):
        out.append(twin(sam))                                   # cloud-only: hard match
    out.append(twin("dave.dietrich", anchor=by_sam["dave.dietrich"]["immutableId"], synced=True))
    # meta.user's cloud twin signs in through the federated domain anchor.example and carries a legacy
    # anchor: it matches by primary SMTP and is relinked through the onmicrosoft.com sequence
    # (allowRelink in the demo config).
    out.append(twin("meta.user", upn="meta.user@anchor.example", anchor="legacy-anchor-from-old-adfs"))
    jose = twin("jose.garcia")
    out.append(jose)
    roles.append({"id": object_id("role-jose"), "principalId": jose["id"],
                  "roleDefinitionId": "fe930be7-5e62-47db-91af-98c3a49a38b1",
                  "roleName": "User Administrator", "directoryScopeId": "/"})
    # grace.hopper and grace.hopper2 share the mail grace.hopper@anchor.test in AD: a cloud user with
    # that mail can't be told apart: a conflict, never a guess.
    out.append(cloud_user("g.hopper", "g.hopper@anchor.test", "grace.hopper@anchor.test",
                          display="Grace Hopper (cloud)"))
    out.append(cloud_user("room.42", "room.42@anchor.test", "room.42@anchor.test",
                          display="Meeting room 42 (cloud only)"))
    # A cloud-only distribution list that is the twin of the fixture's DL-Announce (same primary
    # SMTP): `groups plan` snapshots it and plans its delete -> sync -> restore migration.
    groups = [{
        "id": object_id("dl-announce"), "displayName": "Announcements", "mailEnabled": True,
        "securityEnabled": False, "groupTypes": [], "mail": "announce@anchor.test",
        "mailNickname": "announce",
        "proxyAddresses": ["SMTP:announce@anchor.test", "smtp:announcements@anchor.test"],
        "onPremisesSyncEnabled": None,
        "members": [u["id"] for u in out[:4]], "owners": [out[0]["id"]],
    }]
    return out, groups, roles


def linked(users):
    out = []
    for u in users:
        if not u.get("userPrincipalName") or not u.get("immutableId"):
            continue
        out.append(cloud_user(u["samAccountName"], u["userPrincipalName"], u.get("mail"),
                              anchor=u["immutableId"], display=u.get("displayName")))
    return out, [], []


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--secret-file", required=True)
    parser.add_argument("--scenario", choices=["demo", "linked"], default="demo")
    args = parser.parse_args()
    with open(args.users, encoding="utf-8") as f:
        users = json.load(f)
    with open(args.secret_file, encoding="utf-8") as f:
        secret = f.read().strip()
    cloud, groups, roles = (demo if args.scenario == "demo" else linked)(users)
    state = {
        "tenantId": TENANT_ID,
        "domains": [
            {"id": "anchortest.onmicrosoft.com", "authenticationType": "Managed", "isInitial": True,
             "isVerified": True, "isDefault": False},
            {"id": "anchor.test", "authenticationType": "Managed", "isInitial": False,
             "isVerified": True, "isDefault": True},
            {"id": "anchor.example", "authenticationType": "Federated", "isInitial": False,
             "isVerified": True, "isDefault": False},
        ],
        "applications": [{"clientId": CLIENT_ID, "displayName": "AnchorBridge (rehearsal)",
                          "clientSecret": secret, "privilegedRole": False}],
        "users": cloud, "groups": groups, "roleAssignments": roles, "features": {},
        "organization": {"displayName": "Anchor Test", "onPremisesSyncEnabled": True},
    }
    fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(state, f, ensure_ascii=False, indent=1)
    print(f"{len(cloud)} cloud users, {len(groups)} groups, {len(roles)} role assignments -> {args.out}")


if __name__ == "__main__":
    main()
