#!/usr/bin/env bash
# Installs the Debian packages AnchorBridge needs to build (libldap, sqlite) and to run its
# integration tests (a throwaway Samba AD DC, Kerberos and LDAP client tools) — only the ones
# that are missing, so a second run is a no-op that prints nothing.
#
# samba-vfs-modules is needed although the DC serves no shares: `samba-tool domain provision`
# writes the sysvol ACLs through the acl_xattr VFS module and fails without it.
set -euo pipefail

packages=(
  libldap-dev ldap-utils
  samba samba-ad-provision samba-dsdb-modules samba-vfs-modules python3-samba
  krb5-user libsasl2-modules-gssapi-mit
  libsqlite3-dev openssl
  python3-jsonschema time curl bc
)

missing=()
for pkg in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "installed" ]] || missing+=("$pkg")
done
((${#missing[@]} == 0)) && exit 0

sudo=()
if ((EUID != 0)); then
  command -v sudo >/dev/null || { echo "deps.sh: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# The packages' own smbd/nmbd/samba-ad-dc services are not wanted (dc.sh runs its own samba):
# without an init policy in place, keep maintainer scripts from starting them during this install.
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee /usr/sbin/policy-rc.d >/dev/null
  "${sudo[@]}" chmod 755 /usr/sbin/policy-rc.d
  trap '"${sudo[@]}" rm -f /usr/sbin/policy-rc.d' EXIT
fi
"${sudo[@]}" apt-get update -qq >/dev/null
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" >/dev/null
