// CLDAP: the one door from Swift into OpenLDAP's libldap.
// ldap.h is found through pkg-config `ldap` (Debian: libldap-dev); no absolute include paths.
// Macros Swift cannot import (pointer casts and expressions) are re-exported as static inline
// functions named cldap_*.
#ifndef CLDAP_SHIM_H
#define CLDAP_SHIM_H

#include <ldap.h>
#include <lber.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>

/// LDAP_OPT_ON: a pointer (`&ber_pvt_opt_on`), compared by address inside libldap.
static inline void *cldap_opt_on(void) { return LDAP_OPT_ON; }
/// LDAP_OPT_OFF: the null pointer. Passing `&0` would turn an option ON, so use this.
static inline void *cldap_opt_off(void) { return LDAP_OPT_OFF; }
/// LDAP_SASL_SIMPLE: the null mechanism name that selects a simple bind in ldap_sasl_bind_s.
static inline const char *cldap_sasl_simple(void) { return LDAP_SASL_SIMPLE; }
/// LDAP_OPT_X_TLS_PROTOCOL_TLS1_2: an expression macro ((3 << 8) + 3).
static inline int cldap_tls_protocol_tls1_2(void) { return LDAP_OPT_X_TLS_PROTOCOL_TLS1_2; }
/// LBER_ERROR is ((ber_tag_t)-1), which overflows when imported.
static inline ber_tag_t cldap_lber_error(void) { return LBER_ERROR; }

/// A SASL interaction callback that answers no prompts: GSSAPI takes its credentials from the
/// Kerberos credential cache (or the keytab named by KRB5_CLIENT_KTNAME), never from a prompt.
static inline int cldap_sasl_interact_none(LDAP *ld, unsigned flags, void *defaults, void *interact) {
  (void)ld; (void)flags; (void)defaults; (void)interact;
  return LDAP_SUCCESS;
}
static inline LDAP_SASL_INTERACT_PROC *cldap_sasl_interact_none_proc(void) {
  return cldap_sasl_interact_none;
}

/// Socket watch: libldap's TLS handshake can wait forever on a server that accepts the TCP
/// connection but never answers (its network timeout only bounds connect()). These helpers record
/// the socket of every connection libldap opens (an LDAP_OPT_CONNECT_CB callback) in an int slot
/// owned by the caller, so that another thread can end a stuck call with shutdown(2). The slot is
/// read and written atomically; -1 means "no connection".
static inline int cldap_watch_add(LDAP *ld, Sockbuf *sb, LDAPURLDesc *srv, struct sockaddr *addr,
                                  struct ldap_conncb *ctx) {
  (void)ld; (void)srv; (void)addr;
  ber_socket_t fd = -1;
  if (ber_sockbuf_ctrl(sb, LBER_SB_OPT_GET_FD, &fd) == 1) {
    __atomic_store_n((int *)ctx->lc_arg, (int)fd, __ATOMIC_SEQ_CST);
  }
  return 0;
}
static inline void cldap_watch_del(LDAP *ld, Sockbuf *sb, struct ldap_conncb *ctx) {
  (void)ld; (void)sb;
  __atomic_store_n((int *)ctx->lc_arg, -1, __ATOMIC_SEQ_CST);
}
/// A callback record for LDAP_OPT_CONNECT_CB (libldap keeps the pointer, so it must outlive the
/// handle): malloc'd here, released by the caller with free() after ldap_unbind_ext_s.
static inline struct ldap_conncb *cldap_watch_new(int *slot) {
  struct ldap_conncb *cb = (struct ldap_conncb *)calloc(1, sizeof(struct ldap_conncb));
  if (cb == NULL) return NULL;
  cb->lc_add = cldap_watch_add;
  cb->lc_del = cldap_watch_del;
  cb->lc_arg = slot;
  return cb;
}
/// Shuts the recorded socket down (both directions) so a blocked libldap call returns an error.
/// Returns 1 when there was a socket to shut down.
static inline int cldap_watch_interrupt(int *slot) {
  int fd = __atomic_load_n(slot, __ATOMIC_SEQ_CST);
  if (fd < 0) return 0;
  return shutdown(fd, SHUT_RDWR) == 0 ? 1 : 0;
}

#endif
