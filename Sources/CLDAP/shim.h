// CLDAP: the one door from Swift into OpenLDAP's libldap.
// ldap.h is found through pkg-config `ldap` (Debian: libldap-dev); no absolute include paths.
// Macros Swift cannot import (pointer casts and expressions) are re-exported as static inline
// functions named cldap_*.
#ifndef CLDAP_SHIM_H
#define CLDAP_SHIM_H

#include <ldap.h>
#include <lber.h>
#include <stdlib.h>
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

#endif
