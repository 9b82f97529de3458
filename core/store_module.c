/* store_module.c - processing modules in the store; see store.h. */
#include "store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The records a module refers to must exist; said on the form's field. */
static int module_refs(dc_store *st, const dc_module *m, dc_err *err)
{
	bool ok;
	if (st_id_exists(st, "ipmgr", m->ipmgr_id, &ok, err))
		return -1;
	if (!ok)
		return err_field(err, DC_E_INVALID, "ipmgr",
		                 "the chosen IPmanager connection does not "
		                 "exist (id %lld)",
		                 (long long)m->ipmgr_id);
	if (st_id_exists(st, "department", m->department_id, &ok, err))
		return -1;
	if (!ok)
		return err_field(err, DC_E_INVALID, "department",
		                 "the chosen department does not exist (id "
		                 "%lld)",
		                 (long long)m->department_id);
	if (m->licsrv_id) {
		if (st_id_exists(st, "licsrv", m->licsrv_id, &ok, err))
			return -1;
		if (!ok)
			return err_field(err, DC_E_INVALID, "license",
			                 "the chosen licence server does not "
			                 "exist (id %lld)",
			                 (long long)m->licsrv_id);
	}
	return 0;
}

/* Parameters 1..12 in this order for both INSERT and UPDATE. */
static void bind_module(sqlite3_stmt *s, const dc_module *m)
{
	sqlite3_bind_text(s, 1, m->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, m->url, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, m->username, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, m->cafile, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 5, m->insecure);
	sqlite3_bind_int64(s, 6, m->ipmgr_id);
	sqlite3_bind_text(s, 7, m->parking_type, -1, SQLITE_STATIC);
	if (m->licsrv_id)
		sqlite3_bind_int64(s, 8, m->licsrv_id);
	else
		sqlite3_bind_null(s, 8);
	sqlite3_bind_int64(s, 9, m->department_id);
	sqlite3_bind_int64(s, 10, m->sorting);
	sqlite3_bind_int(s, 11, m->enabled);
	sqlite3_bind_int(s, 12, m->wipe_disks);
}

int module_add(dc_store *st, dc_module *m, const char *password, dc_err *err)
{
	if (!password)
		return err_field(err, DC_E_INVALID, "password",
		                 "password is empty");
	if (model_check_module(m, password, err) || store_begin(st, err))
		return -1;
	if (st_unique(st, "module", "module", m->name, 0, err) ||
	    module_refs(st, m, err))
		return st_fail(st);
	sqlite3_stmt *s = st_prep(
	    st,
	    "INSERT INTO module(name, url, username, cafile, insecure, "
	    "ipmgr_id, parking_type, licsrv_id, department_id, sorting, "
	    "enabled, wipe_disks, password_enc) VALUES (?, ?, ?, ?, ?, ?, "
	    "?, ?, ?, ?, ?, ?, ?)",
	    err);
	if (!s)
		return st_fail(st);
	bind_module(s, m);
	if (st_bind_password(st, s, 13, password, err)) {
		sqlite3_finalize(s);
		return st_fail(st);
	}
	if (st_run(st, s, "name", err))
		return st_fail(st);
	int64_t id = sqlite3_last_insert_rowid(store_db(st));
	if (store_commit(st, err))
		return -1;
	m->id = id;
	m->has_password = true;
	return 0;
}

int module_update(dc_store *st, const dc_module *m, const char *password,
                  dc_err *err)
{
	if (model_check_module(m, password, err) || store_begin(st, err))
		return -1;
	if (st_must_exist(st, "module", "module", m->id, err) ||
	    st_unique(st, "module", "module", m->name, m->id, err) ||
	    module_refs(st, m, err))
		return st_fail(st);
	sqlite3_stmt *s = st_prep(
	    st,
	    "UPDATE module SET name = ?, url = ?, username = ?, cafile = "
	    "?, insecure = ?, ipmgr_id = ?, parking_type = ?, licsrv_id = "
	    "?, department_id = ?, sorting = ?, enabled = ?, wipe_disks = "
	    "?, password_enc = coalesce(?, password_enc) WHERE id = ?",
	    err);
	if (!s)
		return st_fail(st);
	bind_module(s, m);
	sqlite3_bind_int64(s, 14, m->id);
	if (password && st_bind_password(st, s, 13, password, err)) {
		sqlite3_finalize(s);
		return st_fail(st);
	}
	if (st_run(st, s, "name", err))
		return st_fail(st);
	return store_commit(st, err);
}

#define MODULE_COLS                                                            \
	"id, name, url, username, cafile, insecure, password_enc IS NOT "      \
	"NULL, ipmgr_id, parking_type, coalesce(licsrv_id, 0), "               \
	"department_id, sorting, enabled, wipe_disks, "                        \
	"coalesce(last_check_at, 0), coalesce(last_check_ms, 0), "             \
	"coalesce(last_check_ok, -1), coalesce(last_check_msg, '')"

static void module_row(sqlite3_stmt *s, dc_module *m)
{
	memset(m, 0, sizeof(*m));
	m->id = sqlite3_column_int64(s, 0);
	st_col_text(s, 1, m->name, sizeof(m->name));
	st_col_text(s, 2, m->url, sizeof(m->url));
	st_col_text(s, 3, m->username, sizeof(m->username));
	st_col_text(s, 4, m->cafile, sizeof(m->cafile));
	m->insecure = sqlite3_column_int(s, 5) != 0;
	m->has_password = sqlite3_column_int(s, 6) != 0;
	m->ipmgr_id = sqlite3_column_int64(s, 7);
	st_col_text(s, 8, m->parking_type, sizeof(m->parking_type));
	m->licsrv_id = sqlite3_column_int64(s, 9);
	m->department_id = sqlite3_column_int64(s, 10);
	m->sorting = sqlite3_column_int64(s, 11);
	m->enabled = sqlite3_column_int(s, 12) != 0;
	m->wipe_disks = sqlite3_column_int(s, 13) != 0;
	m->check.at = sqlite3_column_int64(s, 14);
	m->check.ms = sqlite3_column_int64(s, 15);
	m->check.ok = sqlite3_column_int(s, 16);
	st_col_text(s, 17, m->check.msg, sizeof(m->check.msg));
}

static int module_one(dc_store *st, int64_t id, const char *name,
                      dc_module *out, dc_err *err)
{
	sqlite3_stmt *s =
	    st_prep(st,
	            name ? "SELECT " MODULE_COLS " FROM module WHERE name = ?"
	                 : "SELECT " MODULE_COLS " FROM module WHERE id = ?",
	            err);
	if (!s)
		return -1;
	if (name)
		sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		module_row(s, out);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return store_sqlerr(st, err, "read module");
	if (name)
		return err_set(err, DC_E_NOTFOUND, "no module named \"%s\"",
		               name);
	return err_set(err, DC_E_NOTFOUND, "no module with id %lld",
	               (long long)id);
}

int module_get(dc_store *st, int64_t id, dc_module *out, dc_err *err)
{
	return module_one(st, id, NULL, out, err);
}

int module_get_by_name(dc_store *st, const char *name, dc_module *out,
                       dc_err *err)
{
	return module_one(st, 0, name ? name : "", out, err);
}

int module_list(dc_store *st, dc_module **out, size_t *n, dc_err *err)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *s = st_prep(
	    st, "SELECT " MODULE_COLS " FROM module ORDER BY sorting, id", err);
	if (!s)
		return -1;
	dc_module *v = NULL;
	size_t k = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (k == cap) {
			size_t nc = cap ? cap * 2 : 8;
			dc_module *nv = realloc(v, nc * sizeof(*v));
			if (!nv) {
				free(v);
				sqlite3_finalize(s);
				return err_set(err, DC_E_NOMEM,
				               "out of memory");
			}
			v = nv;
			cap = nc;
		}
		module_row(s, &v[k++]);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(v);
		return store_sqlerr(st, err, "list modules");
	}
	*out = v;
	*n = k;
	return 0;
}

static int module_set(dc_store *st, int64_t id, const char *sql,
                      void (*bind)(sqlite3_stmt *, const void *),
                      const void *arg, dc_err *err)
{
	if (store_begin(st, err))
		return -1;
	if (st_must_exist(st, "module", "module", id, err))
		return st_fail(st);
	sqlite3_stmt *s = st_prep(st, sql, err);
	if (!s)
		return st_fail(st);
	bind(s, arg);
	sqlite3_bind_int64(s, sqlite3_bind_parameter_count(s), id);
	if (st_run(st, s, NULL, err))
		return st_fail(st);
	return store_commit(st, err);
}

static void bind_enabled(sqlite3_stmt *s, const void *arg)
{
	sqlite3_bind_int(s, 1, *(const bool *)arg);
}

int module_set_enabled(dc_store *st, int64_t id, bool enabled, dc_err *err)
{
	return module_set(st, id, "UPDATE module SET enabled = ? WHERE id = ?",
	                  bind_enabled, &enabled, err);
}

static void bind_check(sqlite3_stmt *s, const void *arg)
{
	const dc_check *c = arg;
	sqlite3_bind_int64(s, 1, c->at);
	sqlite3_bind_int64(s, 2, c->ms);
	if (c->ok < 0)
		sqlite3_bind_null(s, 3);
	else
		sqlite3_bind_int(s, 3, c->ok ? 1 : 0);
	sqlite3_bind_text(s, 4, c->msg, -1, SQLITE_TRANSIENT);
}

int module_set_check(dc_store *st, int64_t id, const dc_check *c, dc_err *err)
{
	return module_set(st, id,
	                  "UPDATE module SET last_check_at = ?, last_check_ms "
	                  "= ?, last_check_ok = ?, last_check_msg = ? WHERE "
	                  "id = ?",
	                  bind_check, c, err);
}

int module_delete(dc_store *st, int64_t id, dc_err *err)
{
	if (store_begin(st, err))
		return -1;
	if (st_must_exist(st, "module", "module", id, err))
		return st_fail(st);
	char names[256];
	int count;
	if (st_names(st,
	             "SELECT t.name FROM tariff t JOIN tariff_module tm ON "
	             "tm.tariff_id = t.id WHERE tm.module_id = ? ORDER BY "
	             "t.name",
	             id, names, sizeof(names), &count, err))
		return st_fail(st);
	if (count) {
		err_set(err, DC_E_CONFLICT,
		        "the module is used by tariff%s %s; remove it from "
		        "%s first",
		        count > 1 ? "s" : "", names, count > 1 ? "them" : "it");
		return st_fail(st);
	}
	if (st_names(st,
	             "SELECT '#' || id || ' (' || client || ')' FROM service "
	             "WHERE module_id = ? AND status <> 'closed' ORDER BY id",
	             id, names, sizeof(names), &count, err))
		return st_fail(st);
	if (count) {
		err_set(err, DC_E_CONFLICT,
		        "%d service%s on the module %s not closed: %s", count,
		        count > 1 ? "s" : "", count > 1 ? "are" : "is", names);
		return st_fail(st);
	}
	sqlite3_stmt *s = st_prep(st, "DELETE FROM module WHERE id = ?", err);
	if (!s)
		return st_fail(st);
	sqlite3_bind_int64(s, 1, id);
	if (st_run(st, s, NULL, err))
		return st_fail(st);
	return store_commit(st, err);
}

char *module_password(dc_store *st, int64_t id, dc_err *err)
{
	return st_password(st, "module", id, err);
}
