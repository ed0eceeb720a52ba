#!/usr/bin/env bash
# A throwaway Samba 4 AD domain controller for AnchorBridge's integration tests and demo.
#
#   Scripts/dc.sh start  [--users N]   provision + seed + start, or reuse a healthy running DC
#   Scripts/dc.sh reseed [--users N]   wipe and re-provision (e.g. --users 20000 for benchmarks)
#   Scripts/dc.sh stop                 stop the DC (state stays on disk until the next start)
#   Scripts/dc.sh status               "running ..." (exit 0) or "stopped"/"unhealthy" (exit 3)
#   Scripts/dc.sh env                  print the KEY=VALUE settings tests read ($state/dc/env)
#
# Realm ANCHOR.TEST (NetBIOS ANCHOR), DC dc1.anchor.test, bound only to ${AB_DC_ADDR:-127.77.0.2}
# (ldap 389/636, GC 3268/3269, Kerberos 88/464; no DNS, no SMB). State lives under
# ${AB_STATE_DIR:-<repo>/.state}/dc. The bulk size is --users N, else $AB_DC_USERS, else 3000.
# See Scripts/dc/README.md for the fixture and the environment variables.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)

ADDR=${AB_DC_ADDR:-127.77.0.2}
STATE_ROOT=$(realpath -m "${AB_STATE_DIR:-$repo/.state}") # absolute: compared with /proc links
D=$STATE_ROOT/dc
S=$D/samba
REALM=ANCHOR.TEST
NETBIOS=ANCHOR
SHORT=dc1
FQDN=dc1.anchor.test
BASE_DN=DC=anchor,DC=test
SVC=svc-anchor
PY=/usr/bin/python3 # the samba module is a Debian package; a pyenv python3 on PATH lacks it
HOSTS_MARK="# anchorbridge-dc"
DEFAULT_USERS=3000
MIN_USERS=3000

# Keep the caller's Python, LDAP and Kerberos settings out of every tool we run.
unset PYTHONPATH PYTHONHOME LDAPCONF LDAPRC KRB5CCNAME
export LDAPNOINIT=1
export KRB5_CONFIG=$D/krb5.conf

die() {
  echo "dc.sh: $*" >&2
  exit 1
}
say() { echo "dc.sh: $*" >&2; }

usage() {
  sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

now() { date +%s.%N; }
phase() { # phase NAME START
  awk -v n="$1" -v s="$2" -v e="$(now)" 'BEGIN { printf "dc.sh: %-9s %6.1f s\n", n ":", e - s }' >&2
}

case "$ADDR" in
  127.0.0.1 | 0.0.0.0 | localhost | "") die "AB_DC_ADDR=$ADDR: the DC needs a dedicated address (e.g. 127.77.0.2), never 127.0.0.1" ;;
esac
[[ "$ADDR" =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "AB_DC_ADDR=$ADDR is not an IPv4 address"

# --- health -------------------------------------------------------------------------------------

alive() { # pid $1 exists and is not a zombie waiting to be reaped
  local rest
  { read -r rest <"/proc/$1/stat"; } 2>/dev/null || return 1
  rest=${rest##*) }
  [[ ${rest:0:1} != Z ]]
}

dc_pid() { # prints the pid of our running samba, fails if there is none
  local file=$S/pid/samba.pid pid
  [[ -s $file ]] || return 1
  pid=$(tr -dc 0-9 <"$file")
  [[ -n $pid ]] && alive "$pid" || return 1
  [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == samba ]] || return 1
  # Ours, not another checkout's samba that got a recycled pid: its stdout is our log.
  [[ "$(readlink "/proc/$pid/fd/1" 2>/dev/null)" == "$D/samba.log" ]] || return 1
  echo "$pid"
}

rootdse_answers() { # anonymous rootDSE over plain LDAP on the address, whoever serves it
  timeout 5 ldapsearch -x -H "ldap://$ADDR" -o nettimeout=2 -s base -b '' -LLL dsServiceName \
    >/dev/null 2>&1
}

healthy() { dc_pid >/dev/null && rootdse_answers && [[ -s $D/env && -s $D/fixture.json ]]; }

seeded_users() { cat "$D/users" 2>/dev/null || echo 0; }

# --- host name ----------------------------------------------------------------------------------

ensure_hosts() { # a marked /etc/hosts line so dc1.anchor.test (TLS name, Kerberos SPN) resolves
  local want="$ADDR $FQDN $SHORT $HOSTS_MARK" tmp
  grep -qxF "$want" /etc/hosts && return 0
  tmp=$(mktemp)
  grep -vF "$HOSTS_MARK" /etc/hosts >"$tmp" || true
  echo "$want" >>"$tmp"
  # Rewrite in place (not rename): /etc/hosts is often a bind mount in containers.
  if [[ -w /etc/hosts ]]; then
    cat "$tmp" >/etc/hosts
  else
    sudo tee /etc/hosts <"$tmp" >/dev/null # (tee, not a redirect, writes as root) || die "cannot update /etc/hosts; add: $want"
  fi
  rm -f "$tmp"
}

# --- provisioning -------------------------------------------------------------------------------

new_password() { # complex enough for AD's default policy; never printed; no trailing newline
  printf '%s' "Ab9-$(openssl rand -hex 20)"
}

make_tls() { # test CA + server cert (SAN dc1.anchor.test and the address) + an unrelated CA
  local t=$D/tls
  mkdir -p "$t"
  (
    cd "$t"
    umask 077
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 3650 \
      -subj "/O=AnchorBridge Tests/CN=AnchorBridge Test CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout wrong-ca.key -out wrong-ca.pem -days 3650 \
      -subj "/O=AnchorBridge Tests/CN=AnchorBridge Wrong CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
    openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=$FQDN"
    printf '%s\n' "basicConstraints=critical,CA:FALSE" \
      "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" \
      "subjectAltName=DNS:$FQDN,IP:$ADDR" >server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 825 \
      -extfile server.ext -out server.pem
    rm -f server.csr server.ext ca.srl
    chmod 644 ca.pem wrong-ca.pem server.pem
  ) >"$D/tls.log" 2>&1 || {
    cat "$D/tls.log" >&2
    die "generating the test certificates failed"
  }
  rm -f "$D/tls.log"
}

write_krb5_conf() {
  cat >"$D/krb5.conf" <<EOF
# Written by Scripts/dc.sh for the throwaway test DC; use with KRB5_CONFIG=$D/krb5.conf
[libdefaults]
	default_realm = $REALM
	dns_lookup_kdc = false
	dns_lookup_realm = false
	dns_canonicalize_hostname = false
	rdns = false
	default_ccache_name = FILE:$D/krb5cc

[realms]
	$REALM = {
		kdc = $ADDR
		admin_server = $ADDR
	}

[domain_realm]
	.anchor.test = $REALM
	anchor.test = $REALM
EOF
}

provision() {
  rm -rf "$D"
  mkdir -p "$S" "$D/secrets"
  chmod 700 "$D/secrets"
  (
    umask 077
    new_password >"$D/secrets/admin.password"
    new_password >"$D/secrets/$SVC.password"
  )
  make_tls
  write_krb5_conf
  # No --adminpass: seed.py sets the Administrator password from the file (no secret in argv).
  if ! samba-tool domain provision --realm="$REALM" --domain="$NETBIOS" \
    --server-role=dc --dns-backend=NONE --host-name="$SHORT" --targetdir="$S" \
    --option="interfaces=$ADDR/8" --option="bind interfaces only=yes" \
    --option="server services=ldap kdc" \
    --option="pid directory=$S/pid" --option="winbindd socket directory=$S/winbindd" \
    --option="log file=$S/log.%m" \
    --option="tls enabled=yes" --option="tls keyfile=$D/tls/server.key" \
    --option="tls certfile=$D/tls/server.pem" --option="tls cafile=$D/tls/ca.pem" \
    >"$D/provision.log" 2>&1; then
    tail -25 "$D/provision.log" >&2
    die "samba-tool domain provision failed (log: $D/provision.log)"
  fi
  # The log ends with the generated (about to be replaced) Administrator password; drop it.
  rm -f "$D/provision.log"
}

seed() { # $1 = bulk users
  PYTHONDONTWRITEBYTECODE=1 "$PY" "$here/dc/seed.py" --smbconf "$S/etc/smb.conf" --users "$1" \
    --admin-password-file "$D/secrets/admin.password" \
    --svc-password-file "$D/secrets/$SVC.password" \
    --keytab "$D/$SVC.keytab" --manifest "$D/fixture.json" >/dev/null || die "seeding failed"
  echo "$1" >"$D/users"
}

start_samba() {
  # setsid: outlive this script and the caller's session; 9>&-: don't inherit the start lock.
  # prefork with 2 workers per service: parallel test clients get served concurrently (6 parallel
  # paged reads of 3,000 users: 8.9 s vs 12.6 s with --model=single) without a process per
  # connection.
  setsid samba --foreground --no-process-group --model=prefork --option="prefork children=2" \
    --debug-stdout -s "$S/etc/smb.conf" </dev/null >>"$D/samba.log" 2>&1 9>&- &
  local deadline=$((SECONDS + 60)) pid
  until pid=$(dc_pid) && rootdse_answers; do
    if ((SECONDS > deadline)); then
      tail -20 "$D/samba.log" >&2
      die "samba did not answer on ldap://$ADDR within 60 s (log: $D/samba.log)"
    fi
    sleep 0.2
  done
  session_of "$pid" >"$D/samba.sid"
}

verify_kerberos() { # kinit from the keytab, then a GSSAPI LDAP bind by host name
  # (Samba lacks the WhoAmI extended operation that ldapwhoami sends, so a GSSAPI search of the
  # account's own entry stands in: anonymous searches are refused, and -v names the SASL user.)
  local deadline=$((SECONDS + 20)) out
  export KRB5CCNAME=FILE:$D/krb5cc
  until kinit -kt "$D/$SVC.keytab" "$SVC@$REALM" 2>"$D/kinit.err"; do
    ((SECONDS > deadline)) && { cat "$D/kinit.err" >&2; die "kinit -kt $D/$SVC.keytab failed"; }
    sleep 0.5
  done
  rm -f "$D/kinit.err"
  out=$(ldapsearch -v -N -Y GSSAPI -H "ldap://$FQDN" -b "$BASE_DN" -LLL "(sAMAccountName=$SVC)" \
    sAMAccountName 2>&1) || die "GSSAPI search against ldap://$FQDN failed: $out"
  [[ "$out" == *"SASL username: $SVC@$REALM"* && "$out" == *"sAMAccountName: $SVC"* ]] ||
    die "GSSAPI search against ldap://$FQDN did not authenticate as $SVC@$REALM: $out"
}

write_env() {
  local tmp=$D/env.tmp key value
  {
    echo "AB_DC_STATE=$D"
    echo "AB_DC_ADDR=$ADDR"
    echo "AB_DC_HOST=$FQDN"
    echo "AB_DC_REALM=$REALM"
    echo "AB_DC_NETBIOS=$NETBIOS"
    echo "AB_DC_BASE_DN=$BASE_DN"
    echo "AB_DC_URI_LDAPS=ldaps://$FQDN"
    echo "AB_DC_URI_LDAP=ldap://$FQDN"
    echo "AB_DC_URI_LDAPS_WRONG_NAME=ldaps://$SHORT"
    echo "AB_DC_CA=$D/tls/ca.pem"
    echo "AB_DC_WRONG_CA=$D/tls/wrong-ca.pem"
    echo "AB_DC_ADMIN_DN=CN=Administrator,CN=Users,$BASE_DN"
    echo "AB_DC_ADMIN_PASSWORD_FILE=$D/secrets/admin.password"
    echo "AB_DC_SVC_DN=CN=$SVC,CN=Users,$BASE_DN"
    echo "AB_DC_SVC_UPN=$SVC@anchor.test"
    echo "AB_DC_SVC_PASSWORD_FILE=$D/secrets/$SVC.password"
    echo "AB_DC_SVC_PRINCIPAL=$SVC@$REALM"
    echo "AB_DC_KEYTAB=$D/$SVC.keytab"
    echo "AB_KRB5_CONFIG=$D/krb5.conf"
    echo "AB_KRB5CCNAME=FILE:$D/krb5cc"
    echo "AB_DC_FIXTURE=$D/fixture.json"
    echo "AB_DC_USERS=$(seeded_users)"
  } >"$tmp"
  # Plain KEY=VALUE, no quoting: both `source`-able and trivially parsed, so refuse anything
  # a shell would split or expand.
  while IFS='=' read -r key value; do
    [[ "$value" =~ ^[A-Za-z0-9_./:@=,+-]+$ ]] || die "$key value '$value' needs quoting; use a simpler AB_STATE_DIR"
  done <"$tmp"
  mv "$tmp" "$D/env"
}

session_of() { # session id of pid $1
  local rest session
  read -r rest <"/proc/$1/stat"
  rest=${rest##*) }
  read -r _ _ _ session _ <<<"$rest"
  echo "$session"
}

session_pids() { # samba processes in session $1 (our samba is a session of its own via setsid)
  local stat rest session pid
  [[ $1 =~ ^[0-9]+$ && $1 -gt 1 && $1 != "$(session_of $$)" ]] || return 0
  for stat in /proc/[0-9]*/stat; do
    { read -r rest <"$stat"; } 2>/dev/null || continue
    rest=${rest##*) } # after "pid (comm) ": state ppid pgrp session ...
    read -r _ _ _ session _ <<<"$rest"
    [[ $session == "$1" ]] || continue
    pid=${stat#/proc/}
    pid=${pid%/stat}
    # Only samba itself (workers retitle themselves "samba: task[ldap] ..."), whatever reused the id.
    [[ "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" == samba* ]] && echo "$pid"
  done
  return 0
}

stop_dc() { # idempotent; waits for the processes to go
  local pid i sid
  sid=$(cat "$D/samba.sid" 2>/dev/null || true)
  if ! pid=$(dc_pid); then
    # A dead master normally takes its prefork workers with it; end any that linger, by id.
    [[ -n $sid ]] && session_pids "$sid" | xargs -r kill -KILL 2>/dev/null
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    alive "$pid" || break
    sleep 0.1
  done
  alive "$pid" && kill -KILL "$pid" 2>/dev/null
  [[ -n $sid ]] && session_pids "$sid" | xargs -r kill -KILL 2>/dev/null
  # The prefork workers exit when they notice their master is gone; wait until the address is free.
  for ((i = 0; i < 50; i++)); do
    rootdse_answers || return 0
    sleep 0.2
  done
  say "warning: something still answers on ldap://$ADDR after stopping pid $pid"
}

# --- commands -----------------------------------------------------------------------------------

lock() {
  mkdir -p "$STATE_ROOT"
  exec 9>"$STATE_ROOT/dc.lock"
  flock -w 900 9 || die "another dc.sh is still running (lock $STATE_ROOT/dc.lock)"
}

cmd_start() { # $1 = requested users ("" = whatever is seeded), $2 = force re-provision
  local users=$1 force=$2 t0 t
  if [[ -n $users ]] && ((users < MIN_USERS)); then
    say "--users $users raised to $MIN_USERS (the big group needs >= $MIN_USERS bulk members)"
    users=$MIN_USERS
  fi
  lock
  ensure_hosts
  if [[ $force == no ]] && healthy && [[ -z $users || $users == "$(seeded_users)" ]]; then
    say "reusing the running DC (pid $(dc_pid), $(seeded_users) bulk users) on $ADDR"
    return 0
  fi
  stop_dc
  rootdse_answers && die "something else already serves LDAP on $ADDR (another checkout's DC?); stop it there or set AB_DC_ADDR"
  users=${users:-$DEFAULT_USERS}
  ((EUID == 0)) || die "provisioning and running the DC needs root (ports 88/389/636, samba's checks)"
  "$here/deps.sh"
  command -v samba >/dev/null || die "samba is not installed (Scripts/deps.sh)"

  t0=$(now)
  t=$t0
  provision
  phase provision "$t"
  t=$(now)
  seed "$users"
  phase seed "$t"
  t=$(now)
  start_samba
  verify_kerberos
  write_env
  phase start "$t"
  phase total "$t0"
  say "DC running (pid $(dc_pid)) on $ADDR as $FQDN with $users bulk users; settings: $D/env"
}

cmd_stop() {
  local was_running=no
  lock
  dc_pid >/dev/null && was_running=yes
  stop_dc # also ends workers a dead master left behind
  if [[ $was_running == yes ]]; then say "stopped"; else say "not running"; fi
}

cmd_status() {
  local pid
  if pid=$(dc_pid) && rootdse_answers; then
    echo "running: pid $pid, ldap://$ADDR ($FQDN), $(seeded_users) bulk users, state $D"
  elif [[ -n ${pid:-} ]]; then
    echo "unhealthy: pid $pid does not answer on ldap://$ADDR (log: $D/samba.log)"
    return 3
  else
    echo "stopped"
    return 3
  fi
}

cmd_env() {
  [[ -s $D/env ]] || die "no DC state at $D; run Scripts/dc.sh start"
  cat "$D/env"
}

command=${1:-}
[[ -n $command ]] || usage
shift
users=${AB_DC_USERS:-}
while (($#)); do
  case $1 in
    --users)
      (($# >= 2)) || die "--users needs a number"
      users=$2
      shift 2
      ;;
    --users=*) users=${1#--users=} && shift ;;
    -h | --help) usage ;;
    *) die "unknown argument '$1' (see Scripts/dc.sh --help)" ;;
  esac
done
[[ -z $users || $users =~ ^[0-9]+$ ]] || die "--users '$users' is not a number"

case $command in
  start) cmd_start "$users" no ;;
  reseed) cmd_start "$users" yes ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) cmd_env ;;
  -h | --help | help) usage ;;
  *) die "unknown command '$command' (start|stop|status|env|reseed)" ;;
esac
