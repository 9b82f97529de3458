/* store_conn.c - departments, IPmanager connections and licence servers in
 * the store; see store.h. */
#include "store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- departments --------------------------------------------------------- */

int department_add(dc_store *st, dc_department *d, dc_err *err)
{
	if (model_check_department(d, err) || store_begin(st, err))
		return -1;
	if (st_unique(st, "department", "department", d->name, 0, err))
		return st_fail(st);
	sqlite3_stmt *s =
	    st_prep(st, "INSERT INTO department(name) VALUES (?)", err);
	if (!s)
		return st_fail(st);
	sqlite3_bind_text(s, 1, d->name, -1, SQLITE_STATIC);
	if (st_run(st, s, "name", err))
		return st_fail(st);
	int64_t id = sqlite3_last_insert_rowid(store_db(st));
	if (store_commit(st, err))
		return -1;
	d->id = id;
	return 0;
}

int department_update(dc_store *st, const dc_department *d, dc_err *err)
{
	if (model_check_department(d, err) || store_begin(st, err))
		return -1;
	if (st_must_exist(st, "department", "department", d->id, err) ||
	    st_unique(st, "department", "department", d->name, d->id, err))
		return st_fail(st);
	sqlite3_stmt *s =
	    st_prep(st, "UPDATE department SET name = ? WHERE id = ?", err);
	if (!s)
		return st_fail(st);
	sqlite3_bind_text(s, 1, d->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, d->id);
	if (st_run(st, s, "name", err))
		return st_fail(st);
	return store_commit(st, err);
}

static int department_one(dc_store *st, const char *where, int64_t id,
                          const char *name, dc_department *out, dc_err *err)
{
	char sql[128];
	snprintf(sql, sizeof(sql), "SELECT id, name FROM department WHERE %s",
	         where);
	sqlite3_stmt *s = st_prep(st, sql, err);
	if (!s)
		return -1;
	if (name)
		sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof(*out));
		out->id = sqlite3_column_int64(s, 0);
		st_col_text(s, 1, out->name, sizeof(out->name));
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return store_sqlerr(st, err, "read department");
	if (name)
		return err_set(err, DC_E_NOTFOUND, "no department named \"%s\"",
		               name);
	return err_set(err, DC_E_NOTFOUND, "no department with id %lld",
	               (long long)id);
}

int department_get(dc_store *st, int64_t id, dc_department *out, dc_err *err)
{
	return department_one(st, "id = ?", id, NULL, out, err);
}

int department_get_by_name(dc_store *st, const char *name, dc_department *out,
                           dc_err *err)
{
	return department_one(st, "name = ?", 0, name ? name : "", out, err);
}

int department_list(dc_store *st, dc_department **out, size_t *n, dc_err *err)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *s = st_prep(
	    st, "SELECT id, name FROM department ORDER BY name, id", err);
	if (!s)
		return -1;
	dc_department *v = NULL;
	size_t k = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (k == cap) {
			size_t nc = cap ? cap * 2 : 16;
			dc_department *nv = realloc(v, nc * sizeof(*v));
			if (!nv) {
				free(v);
				sqlite3_finalize(s);
				return err_set(err, DC_E_NOMEM,
				               "out of memory");
			}
			v = nv;
			cap = nc;
		}
		memset(&v[k], 0, sizeof(v[k]));
		v[k].id = sqlite3_column_int64(s, 0);
		st_col_text(s, 1, v[k].name, sizeof(v[k].name));
		k++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(v);
		return store_sqlerr(st, err, "list departments");
	}
	*out = v;
	*n = k;
	return 0;
}

int department_delete(dc_store *st, int64_t id, dc_err *err)
{
	if (store_begin(st, err))
		return -1;
	if (st_must_exist(st, "department", "department", id, err))
		return st_fail(st);
	char names[256];
	int count;
	if (st_names(st,
	             "SELECT name FROM module WHERE department_id = ? ORDER BY "
	             "sorting, id",
	             id, names, sizeof(names), &count, err))
		return st_fail(st);
	if (count) {
		err_set(err, DC_E_CONFLICT,
		        "the department is responsible for module%s %s; give "
		        "%s another department first",
		        count > 1 ? "s" : "", names, count > 1 ? "them" : "it");
		return st_fail(st);
	}
	if (st_names(st,
	             "SELECT '#' || id FROM task WHERE department_id = ? AND "
	             "state = 'open' ORDER BY id",
	             id, names, sizeof(names), &count, err))
		return st_fail(st);
	if (count) {
		err_set(err, DC_E_CONFLICT,
		        "the department has %d open task%s (%s); close them "
		        "first",
		        count, count > 1 ? "s" : "", names);
		return st_fail(st);
	}
	sqlite3_stmt *s =
	    st_prep(st, "DELETE FROM department WHERE id = ?", err);
	if (!s)
		return st_fail(st);
	sqlite3_bind_int64(s, 1, id);
	if (st_run(st, s, NULL, err))
		return st_fail(st);
	return store_commit(st, err);
}

/* ---- IPmanager connections and licence servers ------------------------ */

/* The two tables have the same shape; `table` picks one. */
typedef struct conn_kind {
	const char *table; /* "ipmgr" / "licsrv" */
	const char *what;  /* for messages */
	const char *module_col;
} conn_kind;

static const conn_kind IPMGR = {"ipmgr", "IPmanager connection", "ipmgr_id"};
static const conn_kind LICSRV = {"licsrv", "licence server", "licsrv_id"};

static int conn_add(const conn_kind *k, dc_store *st, dc_conn *c,
                    const char *password, dc_err *err)
{
	if (!password)
		return err_field(err, DC_E_INVALID, "password",
		                 "password is empty");
	if (model_check_conn(c, password, err) || store_begin(st, err))
		return -1;
	if (st_unique(st, k->table, k->what, c->name, 0, err))
		return st_fail(st);
	char sql[160];
	snprintf(sql, sizeof(sql),
	         "INSERT INTO %s(name, url, username, password_enc, cafile, "
	         "insecure) VALUES (?, ?, ?, ?, ?, ?)",
	         k->table);
	sqlite3_stmt *s = st_prep(st, sql, err);
	if (!s)
		return st_fail(st);
	sqlite3_bind_text(s, 1, c->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, c->url, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, c->username, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, c->cafile, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 6, c->insecure);
	if (st_bind_password(st, s, 4, password, err)) {
		sqlite3_finalize(s);
		return st_fail(st);
	}
	if (st_run(st, s, "name", err))
		return st_fail(st);
	int64_t id = sqlite3_last_insert_rowid(store_db(st));
	if (store_commit(st, err))
		return -1;
	c->id = id;
	c->has_password = true;
	return 0;
}

static int conn_update(const conn_kind *k, dc_store *st, const dc_conn *c,
                       const char *password, dc_err *err)
{
	if (model_check_conn(c, password, err) || store_begin(st, err))
		return -1;
	if (st_must_exist(st, k->table, k->what, c->id, err) ||
	    st_unique(st, k->table, k->what, c->name, c->id, err))
		return st_fail(st);
	char sql[200];
	snprintf(sql, sizeof(sql),
	         "UPDATE %s SET name = ?, url = ?, username = ?, cafile = ?, "
	         "insecure = ?, password_enc = coalesce(?, password_enc) "
	         "WHERE id = ?",
	         k->table);
	sqlite3_stmt *s = st_prep(st, sql, err);
	if (!s)
		return st_fail(st);
	sqlite3_bind_text(s, 1, c->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, c->url, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, c->username, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, c->cafile, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 5, c->insecure);
	sqlite3_bind_int64(s, 7, c->id);
	if (password && st_bind_password(st, s, 6, password, err)) {
		sqlite3_finalize(s);
		return st_fail(st);
	}
	if (st_run(st, s, "name", err))
		return st_fail(st);
	return store_commit(st, err);
}

static void conn_row(sqlite3_stmt *s, dc_conn *c)
{
	memset(c, 0, sizeof(*c));
	c->id = sqlite3_column_int64(s, 0);
	st_col_text(s, 1, c->name, sizeof(c->name));
	st_col_text(s, 2, c->url, sizeof(c->url));
	st_col_text(s, 3, c->username, sizeof(c->username));
	st_col_text(s, 4, c->cafile, sizeof(c->cafile));
	c->insecure = sqlite3_column_int(s, 5) != 0;
	c->has_password = sqlite3_column_int(s, 6) != 0;
}

#define CONN_COLS                                                              \
	"id, name, url, username, cafile, insecure, password_enc IS NOT NULL"

static int conn_one(const conn_kind *k, dc_store *st, int64_t id,
                    const char *name, dc_conn *out, dc_err *err)
{
	char sql[160];
	snprintf(sql, sizeof(sql), "SELECT " CONN_COLS " FROM %s WHERE %s",
	         k->table, name ? "name = ?" : "id = ?");
	sqlite3_stmt *s = st_prep(st, sql, err);
	if (!s)
		return -1;
	if (name)
		sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		conn_row(s, out);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return store_sqlerr(st, err, "read");
	if (name)
		return err_set(err, DC_E_NOTFOUND, "no %s named \"%s\"",
		               k->what, name);
	return err_set(err, DC_E_NOTFOUND, "no %s with id %lld", k->what,
	               (long long)id);
}

static int conn_list(const conn_kind *k, dc_store *st, dc_conn **out, size_t *n,
                     dc_err *err)
{
	*out = NULL;
	*n = 0;
	char sql[160];
	snprintf(sql, sizeof(sql),
	         "SELECT " CONN_COLS " FROM %s ORDER BY name, id", k->table);
	sqlite3_stmt *s = st_prep(st, sql, err);
	if (!s)
		return -1;
	dc_conn *v = NULL;
	size_t cnt = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (cnt == cap) {
			size_t nc = cap ? cap * 2 : 8;
			dc_conn *nv = realloc(v, nc * sizeof(*v));
			if (!nv) {
				free(v);
				sqlite3_finalize(s);
				return err_set(err, DC_E_NOMEM,
				               "out of memory");
			}
			v = nv;
			cap = nc;
		}
		conn_row(s, &v[cnt++]);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(v);
		return store_sqlerr(st, err, "list");
	}
	*out = v;
	*n = cnt;
	return 0;
}

static int conn_delete(const conn_kind *k, dc_store *st, int64_t id,
                       dc_err *err)
{
	if (store_begin(st, err))
		return -1;
	if (st_must_exist(st, k->table, k->what, id, err))
		return st_fail(st);
	char sql[160], names[256];
	int count;
	snprintf(sql, sizeof(sql),
	         "SELECT name FROM module WHERE %s = ? ORDER BY sorting, id",
	         k->module_col);
	if (st_names(st, sql, id, names, sizeof(names), &count, err))
		return st_fail(st);
	if (count) {
		err_set(err, DC_E_CONFLICT, "the %s is used by module%s %s",
		        k->what, count > 1 ? "s" : "", names);
		return st_fail(st);
	}
	if (k == &IPMGR) {
		if (st_names(st,
		             "SELECT ip FROM service_addr WHERE ipmgr_id = ? "
		             "ORDER BY id",
		             id, names, sizeof(names), &count, err))
			return st_fail(st);
		if (count) {
			err_set(err, DC_E_CONFLICT,
			        "services still hold %d address%s from it "
			        "(%s)",
			        count, count > 1 ? "es" : "", names);
			return st_fail(st);
		}
	}
	snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE id = ?", k->table);
	sqlite3_stmt *s = st_prep(st, sql, err);
	if (!s)
		return st_fail(st);
	sqlite3_bind_int64(s, 1, id);
	if (st_run(st, s, NULL, err))
		return st_fail(st);
	return store_commit(st, err);
}

int ipmgr_add(dc_store *st, dc_conn *c, const char *password, dc_err *err)
{
	return conn_add(&IPMGR, st, c, password, err);
}

int ipmgr_update(dc_store *st, const dc_conn *c, const char *password,
                 dc_err *err)
{
	return conn_update(&IPMGR, st, c, password, err);
}

int ipmgr_get(dc_store *st, int64_t id, dc_conn *out, dc_err *err)
{
	return conn_one(&IPMGR, st, id, NULL, out, err);
}

int ipmgr_get_by_name(dc_store *st, const char *name, dc_conn *out, dc_err *err)
{
	return conn_one(&IPMGR, st, 0, name ? name : "", out, err);
}

int ipmgr_list(dc_store *st, dc_conn **out, size_t *n, dc_err *err)
{
	return conn_list(&IPMGR, st, out, n, err);
}

int ipmgr_delete(dc_store *st, int64_t id, dc_err *err)
{
	return conn_delete(&IPMGR, st, id, err);
}

char *ipmgr_password(dc_store *st, int64_t id, dc_err *err)
{
	return st_password(st, "ipmgr", id, err);
}

int licsrv_add(dc_store *st, dc_conn *c, const char *password, dc_err *err)
{
	return conn_add(&LICSRV, st, c, password, err);
}

int licsrv_update(dc_store *st, const dc_conn *c, const char *password,
                  dc_err *err)
{
	return conn_update(&LICSRV, st, c, password, err);
}

int licsrv_get(dc_store *st, int64_t id, dc_conn *out, dc_err *err)
{
	return conn_one(&LICSRV, st, id, NULL, out, err);
}

int licsrv_get_by_name(dc_store *st, const char *name, dc_conn *out,
                       dc_err *err)
{
	return conn_one(&LICSRV, st, 0, name ? name : "", out, err);
}

int licsrv_list(dc_store *st, dc_conn **out, size_t *n, dc_err *err)
{
	return conn_list(&LICSRV, st, out, n, err);
}

int licsrv_delete(dc_store *st, int64_t id, dc_err *err)
{
	return conn_delete(&LICSRV, st, id, err);
}

char *licsrv_password(dc_store *st, int64_t id, dc_err *err)
{
	return st_password(st, "licsrv", id, err);
}
