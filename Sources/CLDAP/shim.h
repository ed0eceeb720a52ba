// CLDAP: the one door from Swift into OpenLDAP's libldap.
// ldap.h is found through pkg-config `ldap` (Debian: libldap-dev); no absolute include paths.
// Macros Swift cannot import (pointer casts and expressions) are re-exported as static inline
// functions named cldap_*.
#ifndef CLDAP_SHIM_H
#define CLDAP_SHIM_H

#include <ldap.h>
#include <lber.h>
#include <stdlib.h>
#include <pthread.h>
#include <signal.h>
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

/// glibc declares pthread_setname_np only under _GNU_SOURCE, and defining that here would change
/// fd_set's layout against the other system modules (a clean build then fails); declare it alone.
extern int pthread_setname_np(pthread_t thread, const char *name);

/// Names the calling thread (at most 15 characters) so ps and gdb show what it is for.
static inline void cldap_name_current_thread(const char *name) {
  (void)pthread_setname_np(pthread_self(), name);
}

/// Blocks SIGPIPE for the calling thread only (see BlockingExecutor): a write to a closed socket
/// then fails with EPIPE instead of ending the process. The signal stays pending on this thread,
/// which never unblocks it.
static inline void cldap_block_sigpipe_on_current_thread(void) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  (void)pthread_sigmask(SIG_BLOCK, &set, NULL);
}

/// Socket watch: libldap's TLS handshake can wait forever on a server that accepts the TCP
/// connection but never answers (its network timeout only bounds connect()). A cldap_watch records
/// the socket of every connection libldap opens (an LDAP_OPT_CONNECT_CB callback), so that another
/// thread can end a stuck call with shutdown(2). The mutex makes interrupt and libldap's delete
/// callback exclusive, so shutdown only ever reaches the still-open socket, never a reused number;
/// once interrupted, the watch refuses any later connection on the handle.
struct cldap_watch {
  struct ldap_conncb callback; /* lc_arg points back to this watch */
  pthread_mutex_t lock;
  int fd;          /* the current connection's socket, -1 when none */
  int connections; /* TCP connections established so far */
  int expired;     /* set by interrupt: refuse further connections */
};

static inline int cldap_watch_add(LDAP *ld, Sockbuf *sb, LDAPURLDesc *srv, struct sockaddr *addr,
                                  struct ldap_conncb *ctx) {
  (void)ld; (void)srv; (void)addr;
  struct cldap_watch *watch = (struct cldap_watch *)ctx->lc_arg;
  ber_socket_t fd = -1;
  int refused = 0;
  pthread_mutex_lock(&watch->lock);
  if (watch->expired) {
    refused = 1;
  } else {
    if (ber_sockbuf_ctrl(sb, LBER_SB_OPT_GET_FD, &fd) == 1) watch->fd = (int)fd;
    watch->connections += 1;
  }
  pthread_mutex_unlock(&watch->lock);
  return refused ? -1 : 0;
}

static inline void cldap_watch_del(LDAP *ld, Sockbuf *sb, struct ldap_conncb *ctx) {
  (void)ld; (void)sb;
  struct cldap_watch *watch = (struct cldap_watch *)ctx->lc_arg;
  pthread_mutex_lock(&watch->lock);
  watch->fd = -1;
  pthread_mutex_unlock(&watch->lock);
}

/// Allocates a watch (calloc); release it with cldap_watch_free only after ldap_unbind_ext_s,
/// because libldap keeps the callback pointer (it does not copy the record) and calls lc_del
/// during unbind. Returns NULL when out of memory.
static inline struct cldap_watch *cldap_watch_new(void) {
  struct cldap_watch *watch = (struct cldap_watch *)calloc(1, sizeof(struct cldap_watch));
  if (watch == NULL) return NULL;
  if (pthread_mutex_init(&watch->lock, NULL) != 0) {
    free(watch);
    return NULL;
  }
  watch->fd = -1;
  watch->callback.lc_add = cldap_watch_add;
  watch->callback.lc_del = cldap_watch_del;
  watch->callback.lc_arg = watch;
  return watch;
}

static inline void cldap_watch_free(struct cldap_watch *watch) {
  if (watch == NULL) return;
  pthread_mutex_destroy(&watch->lock);
  free(watch);
}

static inline struct ldap_conncb *cldap_watch_callback(struct cldap_watch *watch) {
  return &watch->callback;
}

/// Marks the watch expired and shuts the current socket down (both directions), so a blocked
/// libldap call fails at once. Returns 1 when there was a socket to shut down.
static inline int cldap_watch_interrupt(struct cldap_watch *watch) {
  int done = 0;
  pthread_mutex_lock(&watch->lock);
  watch->expired = 1;
  if (watch->fd >= 0 && shutdown(watch->fd, SHUT_RDWR) == 0) done = 1;
  pthread_mutex_unlock(&watch->lock);
  return done;
}

/// How many TCP connections the handle established (0: nothing answered at all).
static inline int cldap_watch_connections(struct cldap_watch *watch) {
  pthread_mutex_lock(&watch->lock);
  int count = watch->connections;
  pthread_mutex_unlock(&watch->lock);
  return count;
}

#endif
