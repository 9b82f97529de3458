/* store_int.h - helpers shared by the store_*.c files; not for use outside
 * the store (other parts of core use store.h). */
#ifndef DC_STORE_INT_H
#define DC_STORE_INT_H

#include "store.h"

struct dc_store {
	sqlite3 *db;
	char *path;
	secret_key *key;
};

/* Prepares sql; on failure fills err (DC_E_STORE) and returns NULL. */
sqlite3_stmt *st_prep(dc_store *st, const char *sql, dc_err *err);
/* Steps a statement expected to finish (INSERT/UPDATE/DELETE) and
 * finalizes it. Constraint failures become DC_E_INVALID on `field` when
 * field is set (the rules checked first should have caught them). */
int st_run(dc_store *st, sqlite3_stmt *s, const char *field, dc_err *err);
/* Copies column col as text into buf ("" for NULL). */
void st_col_text(sqlite3_stmt *s, int col, char *buf, size_t len);
/* Binds text, or NULL when s is NULL. */
int st_bind_text(sqlite3_stmt *s, int idx, const char *v);
/* Is `name` used by a row of `table` other than self_id? (table is one of
 * ours, never user input). */
int st_name_taken(dc_store *st, const char *table, const char *name,
                  int64_t self_id, bool *taken, dc_err *err);
/* Does a row with this id exist in table? */
int st_id_exists(dc_store *st, const char *table, int64_t id, bool *exists,
                 dc_err *err);
/* Runs a query returning one text column per row and joins the rows with
 * ", " into buf (bounded); *count gets the number of rows. The query takes
 * one integer parameter. */
int st_names(dc_store *st, const char *sql, int64_t param, char *buf,
             size_t len, int *count, dc_err *err);
/* Seals password into the statement's parameter idx. */
int st_bind_password(dc_store *st, sqlite3_stmt *s, int idx,
                     const char *password, dc_err *err);
/* Opens the sealed password column of row id in table. */
char *st_password(dc_store *st, const char *table, int64_t id, dc_err *err);
/* DC_E_INVALID on "name" when another row of table has it. */
int st_unique(dc_store *st, const char *table, const char *what,
              const char *name, int64_t self, dc_err *err);
/* DC_E_NOTFOUND when table has no row id. */
int st_must_exist(dc_store *st, const char *table, const char *what, int64_t id,
                  dc_err *err);
/* Rolls back and returns -1 (for `return st_fail(st);`). */
int st_fail(dc_store *st);

#endif
