/* store.h - dcictl's SQLite store: schema, migrations, and the records of
 * model.h.
 *
 * Contract:
 * - One dc_store is one SQLite connection: use it from one thread at a
 *   time (open one per thread). Several dcictl processes may share a store
 *   file: WAL, a busy timeout, and every write is one BEGIN IMMEDIATE
 *   transaction, so a reader never sees half a record and a killed writer
 *   loses only the transaction in flight.
 * - The file is created with mode 0600 (and its directory 0700 when made);
 *   a store that group or others can read or write is refused with the
 *   chmod that fixes it. Passwords are sealed (secret.h) with the key file
 *   `<store>.key` beside it.
 * - Every add/update validates the whole record first (model.h rules, then
 *   the rules that need other records: unique names, references exist);
 *   a refusal writes nothing. Refusals are DC_E_INVALID naming the field;
 *   deleting something in use is DC_E_CONFLICT naming the users; a missing
 *   id or name is DC_E_NOTFOUND; SQLite failures are DC_E_STORE.
 * - Records never carry passwords. `*_password` opens one on request; free
 *   it with secret_free. Passwords given to add/update are not kept.
 * - Lists are malloc'd arrays the caller frees with free(); with no rows,
 *   *out is NULL and *n 0.
 * - Schema changes are migrations (store.c, `migrations[]`): see
 *   doc/store.md. Other parts of core use store_db() with the transaction
 *   helpers below for their own tables. */
#ifndef DC_STORE_H
#define DC_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "err.h"
#include "model.h"
#include "secret.h"

typedef struct dc_store dc_store;

#define STORE_BUSY_TIMEOUT_MS 10000

/* Opens (creating it and its key when missing) and migrates the store at
 * path. Refuses a store readable or writable by group/others, a key file
 * that does not belong to the store, and a store newer than this program. */
dc_store *store_open(const char *path, dc_err *err);
void store_close(dc_store *st);

const char *store_path(const dc_store *st);
sqlite3 *store_db(dc_store *st);
const secret_key *store_key(const dc_store *st);
void store_set_busy_timeout(dc_store *st, int ms);

/* Schema version of the open store, and the newest this program knows. */
int store_schema_version(dc_store *st);
int store_schema_latest(void);

/* A migration: SQL run with sqlite3_exec, then fn if set, inside one
 * transaction that also sets user_version to its 1-based position. */
typedef struct store_migration {
	const char *name;
	const char *sql;
	int (*fn)(sqlite3 *db, dc_err *err);
} store_migration;
const store_migration *store_migrations(size_t *n);

/* Write transactions: BEGIN IMMEDIATE (waits up to the busy timeout for
 * other writers), COMMIT, ROLLBACK. Not nestable. */
int store_begin(dc_store *st, dc_err *err);
int store_commit(dc_store *st, dc_err *err);
void store_rollback(dc_store *st);
/* Fills err with DC_E_STORE from the connection's last error:
 * "what: sqlite message". Returns -1. */
int store_sqlerr(dc_store *st, dc_err *err, const char *what);

/* Seal/open with the store's key (for other tables holding secrets). */
int store_seal(dc_store *st, const char *plain, unsigned char **blob,
               size_t *len, dc_err *err);
char *store_unseal(dc_store *st, const void *blob, size_t len, dc_err *err);

/* Rules that need other records, one field at a time (forms): "name"
 * unique among `ent` records other than self_id (0 = new record); for
 * modules "ipmgr", "license" ("" allowed), "department" name an existing
 * record; for tariffs "modules" / "addons" one existing module / add-on
 * name. Other fields: model_check_field. */
int store_check_field(dc_store *st, dc_entity ent, int64_t self_id,
                      const char *field, const char *value, dc_err *err);

/* ---- departments ------------------------------------------------------ */
int department_add(dc_store *st, dc_department *d, dc_err *err); /* sets id */
int department_update(dc_store *st, const dc_department *d, dc_err *err);
int department_get(dc_store *st, int64_t id, dc_department *out, dc_err *err);
int department_get_by_name(dc_store *st, const char *name, dc_department *out,
                           dc_err *err);
int department_list(dc_store *st, dc_department **out, size_t *n,
                    dc_err *err); /* by name */
/* Refused while a module or an open task names it. */
int department_delete(dc_store *st, int64_t id, dc_err *err);

/* ---- IPmanager connections and licence servers ------------------------ */
/* password: required on add; on update NULL keeps the stored one. */
int ipmgr_add(dc_store *st, dc_conn *c, const char *password, dc_err *err);
int ipmgr_update(dc_store *st, const dc_conn *c, const char *password,
                 dc_err *err);
int ipmgr_get(dc_store *st, int64_t id, dc_conn *out, dc_err *err);
int ipmgr_get_by_name(dc_store *st, const char *name, dc_conn *out,
                      dc_err *err);
int ipmgr_list(dc_store *st, dc_conn **out, size_t *n, dc_err *err);
int ipmgr_delete(dc_store *st, int64_t id, dc_err *err); /* used: conflict */
char *ipmgr_password(dc_store *st, int64_t id, dc_err *err);

int licsrv_add(dc_store *st, dc_conn *c, const char *password, dc_err *err);
int licsrv_update(dc_store *st, const dc_conn *c, const char *password,
                  dc_err *err);
int licsrv_get(dc_store *st, int64_t id, dc_conn *out, dc_err *err);
int licsrv_get_by_name(dc_store *st, const char *name, dc_conn *out,
                       dc_err *err);
int licsrv_list(dc_store *st, dc_conn **out, size_t *n, dc_err *err);
int licsrv_delete(dc_store *st, int64_t id, dc_err *err);
char *licsrv_password(dc_store *st, int64_t id, dc_err *err);

/* ---- processing modules ----------------------------------------------- */
/* The check result (m->check) is not written by add/update. */
int module_add(dc_store *st, dc_module *m, const char *password, dc_err *err);
int module_update(dc_store *st, const dc_module *m, const char *password,
                  dc_err *err);
int module_get(dc_store *st, int64_t id, dc_module *out, dc_err *err);
int module_get_by_name(dc_store *st, const char *name, dc_module *out,
                       dc_err *err);
int module_list(dc_store *st, dc_module **out, size_t *n,
                dc_err *err); /* by sorting, then id */
int module_set_enabled(dc_store *st, int64_t id, bool enabled, dc_err *err);
int module_set_check(dc_store *st, int64_t id, const dc_check *c, dc_err *err);
/* Refused while a tariff uses it (the tariffs named) or a service that is
 * not closed is on it. */
int module_delete(dc_store *st, int64_t id, dc_err *err);
char *module_password(dc_store *st, int64_t id, dc_err *err);

/* ---- add-ons ---------------------------------------------------------- */
int addon_add(dc_store *st, dc_addon *a, dc_err *err);
/* Refused when a tariff using it has no override and its values would
 * stop fitting the kind; the kind of an add-on in use cannot change. */
int addon_update(dc_store *st, const dc_addon *a, dc_err *err);
int addon_get(dc_store *st, int64_t id, dc_addon *out, dc_err *err);
int addon_get_by_name(dc_store *st, const char *name, dc_addon *out,
                      dc_err *err);
int addon_list(dc_store *st, dc_addon **out, size_t *n, dc_err *err);
int addon_delete(dc_store *st, int64_t id, dc_err *err); /* used: conflict */

/* ---- tariffs ---------------------------------------------------------- */
/* Checks model_check_tariff, that its modules and add-ons exist and
 * tariff_check_addons. Panel facts (tariff_check_facts) are the caller's
 * to check before saving, since they need the panels. */
int tariff_add(dc_store *st, dc_tariff *t, dc_err *err);
int tariff_update(dc_store *st, const dc_tariff *t, dc_err *err);
int tariff_get(dc_store *st, int64_t id, dc_tariff *out, dc_err *err);
int tariff_get_by_name(dc_store *st, const char *name, dc_tariff *out,
                       dc_err *err);
int tariff_list(dc_store *st, dc_tariff **out, size_t *n, dc_err *err);
int tariff_set_enabled(dc_store *st, int64_t id, bool enabled, dc_err *err);
/* Refused while a service that is not closed uses it. */
int tariff_delete(dc_store *st, int64_t id, dc_err *err);
/* The add-on records of a tariff, in t->addons order (resolved for
 * tariff.h): out must have room for t->naddons. */
int tariff_resolve_addons(dc_store *st, const dc_tariff *t, dc_addon *out,
                          dc_err *err);

#endif
