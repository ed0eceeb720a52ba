// CSQLite: the one door from Swift into SQLite (Debian: libsqlite3-dev, found through pkg-config
// `sqlite3`; no absolute include paths). Only PlanExecutor imports it.
#ifndef CSQLITE_SHIM_H
#define CSQLITE_SHIM_H

#include <sqlite3.h>

/// SQLITE_TRANSIENT is ((sqlite3_destructor_type)-1), a cast Swift cannot import: SQLite copies
/// the bound text or blob before sqlite3_bind_* returns, so the Swift buffer may go away after.
static inline sqlite3_destructor_type csqlite_transient(void) { return SQLITE_TRANSIENT; }

#endif
