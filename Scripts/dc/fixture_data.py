"""The fixture the throwaway DC is seeded with (see Scripts/dc/README.md for the same in prose).

Plain data, no samba imports, so it can be read without the samba Python module. DNs are relative
to the domain's base DN (DC=anchor,DC=test).
"""

# The big group needs at least this many members; the bulk users are its members. (dc.sh
# defaults to and enforces the same number.)
MIN_BULK_USERS = 3000
BULK_NAME_FORMAT = "bulk%05d"
BULK_MEMBER_GROUP = "GG-Bulk-Members"

# A second UPN suffix (registered in CN=Partitions uPNSuffixes) for "same prefix, other suffix".
EXTRA_UPN_SUFFIX = "anchor.example"

# bob.brandt's mS-DS-ConsistencyGuid is the bytes_le of this GUID (differs from his objectGUID).
DIFFERENT_CONSISTENCY_GUID = "11223344-5566-7788-99aa-bbccddeeff00"

ROOT = "OU=AnchorBridge"
ENGINEERING = f"OU=Engineering,OU=Staff,{ROOT}"
SALES = f"OU=Sales,OU=Staff,{ROOT}"
STAFF = f"OU=Staff,{ROOT}"
DISABLED = f"OU=Disabled,{ROOT}"
GROUPS_OU = f"OU=Groups,{ROOT}"

# Parents before children.
OUS = [ROOT, STAFF, ENGINEERING, SALES, DISABLED, GROUPS_OU, f"OU=Bulk,{ROOT}"]

X500_PREFIX = "X500:/o=AnchorOrg/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn="

ENABLED = 512  # NORMAL_ACCOUNT
DISABLED_UAC = 514  # NORMAL_ACCOUNT | ACCOUNTDISABLE

# consistencyGuid: None | "objectGUID" (same 16 bytes) | "different" (DIFFERENT_CONSISTENCY_GUID)
#                  | "fiveBytes" (01 02 03 04 05) | "guidString" (the 36 ASCII bytes of its own GUID string)
NAMED_USERS = [
    {
        "cn": "Alice Anders",
        "ou": ENGINEERING,
        "sAMAccountName": "alice.anders",
        "userPrincipalName": "alice.anders@anchor.test",
        "givenName": "Alice",
        "sn": "Anders",
        "mail": "alice.anders@anchor.test",
        "proxyAddresses": [
            "SMTP:alice.anders@anchor.test",
            "smtp:alice@anchor.test",
            X500_PREFIX + "alice.anders",
        ],
        "employeeID": "E1001",
        "userAccountControl": ENABLED,
        "consistencyGuid": "objectGUID",
    },
    {
        "cn": "Bob Brandt",
        "ou": ENGINEERING,
        "sAMAccountName": "bob.brandt",
        "userPrincipalName": "bob.brandt@anchor.test",
        "givenName": "Bob",
        "sn": "Brandt",
        "mail": "bob.brandt@anchor.test",
        "proxyAddresses": ["SMTP:bob.brandt@anchor.test", "smtp:bob@anchor.test"],
        "employeeID": "E1002",
        "userAccountControl": ENABLED,
        "consistencyGuid": "different",
    },
    {
        "cn": "Carol Castro",
        "ou": SALES,
        "sAMAccountName": "carol.castro",
        "userPrincipalName": "carol.castro@anchor.test",
        "givenName": "Carol",
        "sn": "Castro",
        "mail": "carol.castro@anchor.test",
        "proxyAddresses": ["SMTP:carol.castro@anchor.test"],
        "employeeID": "E1003",
        "userAccountControl": ENABLED,
        "consistencyGuid": "fiveBytes",
    },
    {
        "cn": "Dave Dietrich",
        "ou": SALES,
        "sAMAccountName": "dave.dietrich",
        "userPrincipalName": "dave.dietrich@anchor.test",
        "givenName": "Dave",
        "sn": "Dietrich",
        "mail": "dave.dietrich@anchor.test",
        "proxyAddresses": ["SMTP:dave.dietrich@anchor.test"],
        "employeeID": "E1004",
        "userAccountControl": ENABLED,
        "consistencyGuid": "guidString",
    },
    {
        "cn": "Zoë Müller",
        "ou": ENGINEERING,
        "sAMAccountName": "zoe.mueller",
        "userPrincipalName": "zoë.müller@anchor.test",
        "givenName": "Zoë",
        "sn": "Müller",
        "mail": "zoe.mueller@anchor.test",
        "proxyAddresses": ["SMTP:zoe.mueller@anchor.test", "smtp:zoe@anchor.test"],
        "employeeID": "E1005",
        "userAccountControl": ENABLED,
    },
    {
        "cn": "José García",
        "ou": SALES,
        "sAMAccountName": "jose.garcia",
        "userPrincipalName": "josé.garcía@anchor.test",
        "givenName": "José",
        "sn": "García",
        "mail": "jose.garcia@anchor.test",
        "proxyAddresses": ["SMTP:jose.garcia@anchor.test"],
        "userAccountControl": ENABLED,
    },
    {
        "cn": "Erin Eriksen",
        "ou": DISABLED,
        "sAMAccountName": "erin.eriksen",
        "userPrincipalName": "erin.eriksen@anchor.test",
        "givenName": "Erin",
        "sn": "Eriksen",
        "mail": "erin.eriksen@anchor.test",
        "proxyAddresses": ["SMTP:erin.eriksen@anchor.test"],
        "employeeID": "E1007",
        "userAccountControl": DISABLED_UAC,
        "consistencyGuid": "objectGUID",
    },
    {
        # Disabled although it sits in an ordinary OU: "enabled" comes from userAccountControl.
        "cn": "Frank Fischer",
        "ou": SALES,
        "sAMAccountName": "frank.fischer",
        "userPrincipalName": "frank.fischer@anchor.test",
        "givenName": "Frank",
        "sn": "Fischer",
        "mail": "frank.fischer@anchor.test",
        "employeeID": "E1008",
        "userAccountControl": DISABLED_UAC,
    },
    {
        # grace.hopper and grace.hopper2: same UPN prefix in two suffixes, same mail, same SMTP:.
        "cn": "Grace Hopper",
        "ou": STAFF,
        "sAMAccountName": "grace.hopper",
        "userPrincipalName": "grace.hopper@anchor.test",
        "givenName": "Grace",
        "sn": "Hopper",
        "mail": "grace.hopper@anchor.test",
        "proxyAddresses": ["SMTP:grace.hopper@anchor.test"],
        "userAccountControl": ENABLED,
    },
    {
        "cn": "Grace Hopper (Example)",
        "ou": STAFF,
        "sAMAccountName": "grace.hopper2",
        "userPrincipalName": "grace.hopper@anchor.example",
        "givenName": "Grace",
        "sn": "Hopper",
        "mail": "grace.hopper@anchor.test",
        "proxyAddresses": ["SMTP:grace.hopper@anchor.test", "smtp:grace.hopper@anchor.example"],
        "userAccountControl": ENABLED,
    },
    {
        # LDAP filter metacharacters * ( ) \ in cn and displayName (the DN escapes the backslash).
        "cn": "Meta *()\\ User",
        "ou": STAFF,
        "sAMAccountName": "meta.user",
        "userPrincipalName": "meta.user@anchor.test",
        "givenName": "Meta",
        "sn": "*()\\",
        "mail": "meta.user@anchor.test",
        "proxyAddresses": ["SMTP:meta.user@anchor.test"],
        "userAccountControl": ENABLED,
    },
    {
        # No UPN, no mail, no proxyAddresses: nothing to soft-match on.
        "cn": "Ivan Nomail",
        "ou": STAFF,
        "sAMAccountName": "ivan.nomail",
        "givenName": "Ivan",
        "sn": "Nomail",
        "userAccountControl": ENABLED,
    },
]

GLOBAL_SECURITY = -2147483646  # 0x80000002
DOMAIN_LOCAL_SECURITY = -2147483644  # 0x80000004
UNIVERSAL_SECURITY = -2147483640  # 0x80000008
UNIVERSAL_DISTRIBUTION = 8

# Members name named users (sAMAccountName) or earlier groups (cn); BULK_MEMBER_GROUP also gets
# every bulk user.
GROUPS = [
    {
        "cn": "GG-Engineering",
        "ou": GROUPS_OU,
        "groupType": GLOBAL_SECURITY,
        "members": ["alice.anders", "bob.brandt", "zoe.mueller"],
    },
    {
        "cn": "GG-Sales",
        "ou": GROUPS_OU,
        "groupType": GLOBAL_SECURITY,
        "members": ["carol.castro", "dave.dietrich", "jose.garcia", "frank.fischer"],
    },
    {
        "cn": "GG-Staff",
        "ou": GROUPS_OU,
        "groupType": GLOBAL_SECURITY,
        "members": ["GG-Engineering", "GG-Sales", "grace.hopper", "meta.user"],
    },
    {
        "cn": "UG-AllStaff",
        "ou": GROUPS_OU,
        "groupType": UNIVERSAL_SECURITY,
        "members": ["GG-Staff", "grace.hopper2", "ivan.nomail"],
    },
    {
        "cn": "DLG-FileShare-RW",
        "ou": GROUPS_OU,
        "groupType": DOMAIN_LOCAL_SECURITY,
        "members": ["UG-AllStaff", "erin.eriksen"],
    },
    {
        "cn": "DL-Announce",
        "ou": GROUPS_OU,
        "groupType": UNIVERSAL_DISTRIBUTION,
        "displayName": "Announcements",
        "mail": "announce@anchor.test",
        "proxyAddresses": [
            "SMTP:announce@anchor.test",
            "smtp:news@anchor.test",
            X500_PREFIX + "announce",
        ],
        "legacyExchangeDN": "/o=AnchorOrg/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=announce",
        "members": ["alice.anders", "zoe.mueller", "GG-Sales"],
    },
    {
        "cn": "GG-Empty",
        "ou": GROUPS_OU,
        "groupType": GLOBAL_SECURITY,
        "members": [],
    },
    {
        "cn": BULK_MEMBER_GROUP,
        "ou": GROUPS_OU,
        "groupType": GLOBAL_SECURITY,
        "members": [],
    },
]

SERVICE_ACCOUNT = {
    "sAMAccountName": "svc-anchor",
    "description": "AnchorBridge test service account (keytab exported by Scripts/dc.sh)",
}

# What each fixture case is called, so tests look users up by purpose rather than by name.
ROLES = {
    "consistencyGuidEqualsObjectGuid": "alice.anders",
    "consistencyGuidDiffers": "bob.brandt",
    "consistencyGuidFiveBytes": "carol.castro",
    "consistencyGuidGuidString": "dave.dietrich",
    "nonAsciiUpn": ["zoe.mueller", "jose.garcia"],
    "disabled": ["erin.eriksen", "frank.fischer"],
    "withEmployeeID": ["alice.anders", "bob.brandt", "carol.castro", "dave.dietrich", "zoe.mueller", "erin.eriksen", "frank.fischer"],
    "sameMailDifferentUpnSuffix": ["grace.hopper", "grace.hopper2"],
    "filterMetacharacters": "meta.user",
    "noUpnNoMail": "ivan.nomail",
    "x500ProxyAddress": "alice.anders",
    "bigGroup": BULK_MEMBER_GROUP,
    "nestedGroups": ["GG-Staff", "UG-AllStaff", "DLG-FileShare-RW"],
    "globalSecurityGroup": "GG-Engineering",
    "universalSecurityGroup": "UG-AllStaff",
    "domainLocalGroup": "DLG-FileShare-RW",
    "mailEnabledDistributionGroup": "DL-Announce",
    "emptyGroup": "GG-Empty",
}
