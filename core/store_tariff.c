/* store_tariff.c - add-ons and tariffs in the store; see store.h. */
#include "store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tariff.h"

/* ---- add-on values in columns (billing, value, list, min, max) --------- */

static void bind_values(sqlite3_stmt *s, int idx, const dc_addon_values *v)
{
	sqlite3_bind_text(s, idx, model_billing_name(v->billing), -1,
	                  SQLITE_STATIC);
	for (int i = 1; i <= 4; i++)
		sqlite3_bind_null(s, idx + i);
	if (v->billing != DC_BILL_CLIENT) {
		sqlite3_bind_text(s, idx + 1, v->value, -1, SQLITE_STATIC);
	} else if (v->is_range) {
		sqlite3_bind_int64(s, idx + 3, v->min);
		sqlite3_bind_int64(s, idx + 4, v->max);
	} else {
		sqlite3_bind_text(s, idx + 2, v->list, -1, SQLITE_STATIC);
	}
}

/* Reads the five columns from col; false when billing is NULL (no
 * override). */
static bool read_values(sqlite3_stmt *s, int col, dc_addon_values *v)
{
	memset(v, 0, sizeof(*v));
	if (sqlite3_column_type(s, col) == SQLITE_NULL)
		return false;
	const char *b = (const char *)sqlite3_column_text(s, col);
	model_parse_billing(b, &v->billing, NULL);
	st_col_text(s, col + 1, v->value, sizeof(v->value));
	st_col_text(s, col + 2, v->list, sizeof(v->list));
	if (v->billing == DC_BILL_CLIENT &&
	    sqlite3_column_type(s, col + 2) == SQLITE_NULL) {
		v->is_range = true;
		v->min = sqlite3_column_int64(s, col + 3);
		v->max = sqlite3_column_int64(s, col + 4);
	}
	return true;
}

/* ---- add-ons ---------------------------------------------------------------
 */

#define ADDON_COLS "id, name, kind, billing, value, list, min, max"

static void addon_row(sqlite3_stmt *s, dc_addon *a)
{
	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(s, 0);
	st_col_text(s, 1, a->name, sizeof(a->name));
	st_col_text(s, 2, a->kind, sizeof(a->kind));
	model_parse_addon_kind(a->kind, &a->kind_id, a->iptype, NULL);
	read_values(s, 3, &a->v);
}

static int addon_one(dc_store *st, int64_t id, const char *name, dc_addon *out,
                     dc_err *err)
{
	sqlite3_stmt *s =
	    st_prep(st,
	            name ? "SELECT " ADDON_COLS " FROM addon WHERE name = ?"
	                 : "SELECT " ADDON_COLS " FROM addon WHERE id = ?",
	            err);
	if (!s)
		return -1;
	if (name)
		sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		addon_row(s, out);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return store_sqlerr(st, err, "read add-on");
	if (name)
		return err_set(err, DC_E_NOTFOUND, "no add-on named \"%s\"",
		               name);
	return err_set(err, DC_E_NOTFOUND, "no add-on with id %lld",
	               (long long)id);
}

int addon_get(dc_store *st, int64_t id, dc_addon *out, dc_err *err)
{
	return addon_one(st, id, NULL, out, err);
}

int addon_get_by_name(dc_store *st, const char *name, dc_addon *out,
                      dc_err *err)
{
	return addon_one(st, 0, name ? name : "", out, err);
}

int addon_list(dc_store *st, dc_addon **out, size_t *n, dc_err *err)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *s = st_prep(
	    st, "SELECT " ADDON_COLS " FROM addon ORDER BY name, id", err);
	if (!s)
		return -1;
	dc_addon *v = NULL;
	size_t k = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (k == cap) {
			size_t nc = cap ? cap * 2 : 8;
			dc_addon *nv = realloc(v, nc * sizeof(*v));
			if (!nv) {
				free(v);
				sqlite3_finalize(s);
				return err_set(err, DC_E_NOMEM,
				               "out of memory");
			}
			v = nv;
			cap = nc;
		}
		addon_row(s, &v[k++]);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(v);
		return store_sqlerr(st, err, "list add-ons");
	}
	*out = v;
	*n = k;
	return 0;
}

int addon_add(dc_store *st, dc_addon *a, dc_err *err)
{
	if (model_check_addon(a, err) || store_begin(st, err))
		return -1;
	if (st_unique(st, "addon", "add-on", a->name, 0, err))
		return st_fail(st);
	sqlite3_stmt *s =
	    st_prep(st,
	            "INSERT INTO addon(name, kind, unit, billing, "
	            "value, list, min, max) VALUES (?, ?, ?, ?, "
	            "?, ?, ?, ?)",
	            err);
	if (!s)
		return st_fail(st);
	sqlite3_bind_text(s, 1, a->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, a->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, model_addon_unit(a->kind_id), -1,
	                  SQLITE_STATIC);
	bind_values(s, 4, &a->v);
	if (st_run(st, s, "name", err))
		return st_fail(st);
	int64_t id = sqlite3_last_insert_rowid(store_db(st));
	if (store_commit(st, err))
		return -1;
	a->id = id;
	return 0;
}

static const char tariffs_of_addon[] =
    "SELECT t.name FROM tariff t JOIN tariff_addon ta ON ta.tariff_id = "
    "t.id WHERE ta.addon_id = ? ORDER BY t.name";

int addon_update(dc_store *st, const dc_addon *a, dc_err *err)
{
	dc_addon chk = *a;
	if (model_check_addon(&chk, err) || store_begin(st, err))
		return -1;
	dc_addon old;
	if (addon_get(st, a->id, &old, err) ||
	    st_unique(st, "addon", "add-on", a->name, a->id, err))
		return st_fail(st);
	if (strcmp(old.kind, chk.kind)) {
		char names[256];
		int count;
		if (st_names(st, tariffs_of_addon, a->id, names, sizeof(names),
		             &count, err))
			return st_fail(st);
		if (count) {
			err_field(err, DC_E_INVALID, "kind",
			          "the add-on is used by tariff%s %s; its kind "
			          "cannot change",
			          count > 1 ? "s" : "", names);
			return st_fail(st);
		}
	}
	sqlite3_stmt *s = st_prep(st,
	                          "UPDATE addon SET name = ?, kind = ?, unit = "
	                          "?, billing = ?, value = ?, list = ?, min = "
	                          "?, max = ? WHERE id = ?",
	                          err);
	if (!s)
		return st_fail(st);
	sqlite3_bind_text(s, 1, chk.name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, chk.kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, model_addon_unit(chk.kind_id), -1,
	                  SQLITE_STATIC);
	bind_values(s, 4, &chk.v);
	sqlite3_bind_int64(s, 9, chk.id);
	if (st_run(st, s, "name", err))
		return st_fail(st);
	return store_commit(st, err);
}

int addon_delete(dc_store *st, int64_t id, dc_err *err)
{
	if (store_begin(st, err))
		return -1;
	if (st_must_exist(st, "addon", "add-on", id, err))
		return st_fail(st);
	char names[256];
	int count;
	if (st_names(st, tariffs_of_addon, id, names, sizeof(names), &count,
	             err))
		return st_fail(st);
	if (count) {
		err_set(err, DC_E_CONFLICT,
		        "the add-on is used by tariff%s %s; remove it from %s "
		        "first",
		        count > 1 ? "s" : "", names, count > 1 ? "them" : "it");
		return st_fail(st);
	}
	sqlite3_stmt *s = st_prep(st, "DELETE FROM addon WHERE id = ?", err);
	if (!s)
		return st_fail(st);
	sqlite3_bind_int64(s, 1, id);
	if (st_run(st, s, NULL, err))
		return st_fail(st);
	return store_commit(st, err);
}

/* ---- tariffs ----------------------------------------------------------- */

int tariff_resolve_addons(dc_store *st, const dc_tariff *t, dc_addon *out,
                          dc_err *err)
{
	for (size_t i = 0; i < t->naddons && i < DC_TARIFF_ADDONS_MAX; i++) {
		if (addon_get(st, t->addons[i].addon_id, &out[i], err)) {
			if (err && err->cat == DC_E_NOTFOUND)
				err_field(err, DC_E_INVALID, "addons",
				          "add-on %zu (id %lld) does not "
				          "exist",
				          i + 1,
				          (long long)t->addons[i].addon_id);
			return -1;
		}
	}
	return 0;
}

/* Rules that need other records; inside the write transaction. */
static int tariff_refs(dc_store *st, const dc_tariff *t, dc_err *err)
{
	for (size_t i = 0; i < t->nmodules; i++) {
		bool ok;
		if (st_id_exists(st, "module", t->modules[i], &ok, err))
			return -1;
		if (!ok)
			return err_field(err, DC_E_INVALID, "modules",
			                 "module %zu (id %lld) does not exist",
			                 i + 1, (long long)t->modules[i]);
	}
	dc_addon *a = calloc(DC_TARIFF_ADDONS_MAX, sizeof(*a));
	if (!a)
		return err_set(err, DC_E_NOMEM, "out of memory");
	int rc = tariff_resolve_addons(st, t, a, err) ||
	                 tariff_check_addons(t, a, err)
	             ? -1
	             : 0;
	free(a);
	return rc;
}

static int tariff_write_lists(dc_store *st, const dc_tariff *t, int64_t id,
                              dc_err *err)
{
	sqlite3_stmt *s;
	for (size_t i = 0; i < t->nmodules; i++) {
		s = st_prep(st,
		            "INSERT INTO tariff_module(tariff_id, module_id, "
		            "pos) VALUES (?, ?, ?)",
		            err);
		if (!s)
			return -1;
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, t->modules[i]);
		sqlite3_bind_int64(s, 3, (int64_t)i);
		if (st_run(st, s, "modules", err))
			return -1;
	}
	for (size_t i = 0; i < t->naddons; i++) {
		s = st_prep(st,
		            "INSERT INTO tariff_addon(tariff_id, addon_id, "
		            "pos, billing, value, list, min, max) VALUES (?, "
		            "?, ?, ?, ?, ?, ?, ?)",
		            err);
		if (!s)
			return -1;
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, t->addons[i].addon_id);
		sqlite3_bind_int64(s, 3, (int64_t)i);
		if (t->addons[i].override) {
			bind_values(s, 4, &t->addons[i].v);
		} else {
			for (int c = 4; c <= 8; c++)
				sqlite3_bind_null(s, c);
		}
		if (st_run(st, s, "addons", err))
			return -1;
	}
	return 0;
}

int tariff_add(dc_store *st, dc_tariff *t, dc_err *err)
{
	if (model_check_tariff(t, err) || store_begin(st, err))
		return -1;
	if (st_unique(st, "tariff", "tariff", t->name, 0, err) ||
	    tariff_refs(st, t, err))
		return st_fail(st);
	sqlite3_stmt *s = st_prep(st,
	                          "INSERT INTO tariff(name, server_type, "
	                          "enabled) VALUES (?, ?, ?)",
	                          err);
	if (!s)
		return st_fail(st);
	sqlite3_bind_text(s, 1, t->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, t->server_type, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, t->enabled);
	if (st_run(st, s, "name", err))
		return st_fail(st);
	int64_t id = sqlite3_last_insert_rowid(store_db(st));
	if (tariff_write_lists(st, t, id, err))
		return st_fail(st);
	if (store_commit(st, err))
		return -1;
	t->id = id;
	return 0;
}

int tariff_update(dc_store *st, const dc_tariff *t, dc_err *err)
{
	if (model_check_tariff(t, err) || store_begin(st, err))
		return -1;
	if (st_must_exist(st, "tariff", "tariff", t->id, err) ||
	    st_unique(st, "tariff", "tariff", t->name, t->id, err) ||
	    tariff_refs(st, t, err))
		return st_fail(st);
	sqlite3_stmt *s = st_prep(st,
	                          "UPDATE tariff SET name = ?, server_type = "
	                          "?, enabled = ? WHERE id = ?",
	                          err);
	if (!s)
		return st_fail(st);
	sqlite3_bind_text(s, 1, t->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, t->server_type, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, t->enabled);
	sqlite3_bind_int64(s, 4, t->id);
	if (st_run(st, s, "name", err))
		return st_fail(st);
	static const char *const clear[] = {
	    "DELETE FROM tariff_module WHERE tariff_id = ?",
	    "DELETE FROM tariff_addon WHERE tariff_id = ?",
	};
	for (size_t i = 0; i < 2; i++) {
		s = st_prep(st, clear[i], err);
		if (!s)
			return st_fail(st);
		sqlite3_bind_int64(s, 1, t->id);
		if (st_run(st, s, NULL, err))
			return st_fail(st);
	}
	if (tariff_write_lists(st, t, t->id, err))
		return st_fail(st);
	return store_commit(st, err);
}

static int tariff_fill(dc_store *st, dc_tariff *t, dc_err *err)
{
	sqlite3_stmt *s = st_prep(st,
	                          "SELECT module_id FROM tariff_module WHERE "
	                          "tariff_id = ? ORDER BY pos",
	                          err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, t->id);
	int rc;
	t->nmodules = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW &&
	       t->nmodules < DC_TARIFF_MODULES_MAX)
		t->modules[t->nmodules++] = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_sqlerr(st, err, "read tariff modules");
	s = st_prep(st,
	            "SELECT addon_id, billing, value, list, min, max FROM "
	            "tariff_addon WHERE tariff_id = ? ORDER BY pos",
	            err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, t->id);
	t->naddons = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW &&
	       t->naddons < DC_TARIFF_ADDONS_MAX) {
		dc_tariff_addon *ta = &t->addons[t->naddons++];
		ta->addon_id = sqlite3_column_int64(s, 0);
		ta->override = read_values(s, 1, &ta->v);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_sqlerr(st, err, "read tariff add-ons");
	return 0;
}

static void tariff_row(sqlite3_stmt *s, dc_tariff *t)
{
	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(s, 0);
	st_col_text(s, 1, t->name, sizeof(t->name));
	st_col_text(s, 2, t->server_type, sizeof(t->server_type));
	t->enabled = sqlite3_column_int(s, 3) != 0;
}

static int tariff_one(dc_store *st, int64_t id, const char *name,
                      dc_tariff *out, dc_err *err)
{
	sqlite3_stmt *s = st_prep(st,
	                          name ? "SELECT id, name, server_type, "
	                                 "enabled FROM tariff WHERE name = ?"
	                               : "SELECT id, name, server_type, "
	                                 "enabled FROM tariff WHERE id = ?",
	                          err);
	if (!s)
		return -1;
	if (name)
		sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		tariff_row(s, out);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return tariff_fill(st, out, err);
	if (rc != SQLITE_DONE)
		return store_sqlerr(st, err, "read tariff");
	if (name)
		return err_set(err, DC_E_NOTFOUND, "no tariff named \"%s\"",
		               name);
	return err_set(err, DC_E_NOTFOUND, "no tariff with id %lld",
	               (long long)id);
}

int tariff_get(dc_store *st, int64_t id, dc_tariff *out, dc_err *err)
{
	return tariff_one(st, id, NULL, out, err);
}

int tariff_get_by_name(dc_store *st, const char *name, dc_tariff *out,
                       dc_err *err)
{
	return tariff_one(st, 0, name ? name : "", out, err);
}

int tariff_list(dc_store *st, dc_tariff **out, size_t *n, dc_err *err)
{
	*out = NULL;
	*n = 0;
	/* One read transaction, so the tariffs and their lists agree. */
	if (sqlite3_exec(store_db(st), "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return store_sqlerr(st, err, "begin");
	sqlite3_stmt *s = st_prep(st,
	                          "SELECT id, name, server_type, enabled FROM "
	                          "tariff ORDER BY name, id",
	                          err);
	if (!s)
		return st_fail(st);
	dc_tariff *v = NULL;
	size_t k = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (k == cap) {
			size_t nc = cap ? cap * 2 : 4;
			dc_tariff *nv = realloc(v, nc * sizeof(*v));
			if (!nv) {
				free(v);
				sqlite3_finalize(s);
				err_set(err, DC_E_NOMEM, "out of memory");
				return st_fail(st);
			}
			v = nv;
			cap = nc;
		}
		tariff_row(s, &v[k++]);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(v);
		store_sqlerr(st, err, "list tariffs");
		return st_fail(st);
	}
	for (size_t i = 0; i < k; i++) {
		if (tariff_fill(st, &v[i], err)) {
			free(v);
			return st_fail(st);
		}
	}
	store_rollback(st);
	*out = v;
	*n = k;
	return 0;
}

int tariff_set_enabled(dc_store *st, int64_t id, bool enabled, dc_err *err)
{
	if (store_begin(st, err))
		return -1;
	if (st_must_exist(st, "tariff", "tariff", id, err))
		return st_fail(st);
	sqlite3_stmt *s =
	    st_prep(st, "UPDATE tariff SET enabled = ? WHERE id = ?", err);
	if (!s)
		return st_fail(st);
	sqlite3_bind_int(s, 1, enabled);
	sqlite3_bind_int64(s, 2, id);
	if (st_run(st, s, NULL, err))
		return st_fail(st);
	return store_commit(st, err);
}

int tariff_delete(dc_store *st, int64_t id, dc_err *err)
{
	if (store_begin(st, err))
		return -1;
	if (st_must_exist(st, "tariff", "tariff", id, err))
		return st_fail(st);
	char names[256];
	int count;
	if (st_names(st,
	             "SELECT '#' || id || ' (' || client || ')' FROM service "
	             "WHERE tariff_id = ? AND status <> 'closed' ORDER BY id",
	             id, names, sizeof(names), &count, err))
		return st_fail(st);
	if (count) {
		err_set(err, DC_E_CONFLICT,
		        "%d service%s of the tariff %s not closed: %s", count,
		        count > 1 ? "s" : "", count > 1 ? "are" : "is", names);
		return st_fail(st);
	}
	sqlite3_stmt *s = st_prep(st, "DELETE FROM tariff WHERE id = ?", err);
	if (!s)
		return st_fail(st);
	sqlite3_bind_int64(s, 1, id);
	if (st_run(st, s, NULL, err))
		return st_fail(st);
	return store_commit(st, err);
}
