/* service.c - service records, addresses, add-on choices and history in
 * the store; see service.h. */
#include "service.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const status_names[SVC_STATUS_COUNT] = {
    "new", "opening", "active", "suspended", "closing", "closed", "failed",
};

static const char *const role_names[SVC_ROLE_COUNT] = {
    "main", "public", "private", "ipv6", "special", "parking",
};

const char *svc_status_name(svc_status s)
{
	return s < SVC_STATUS_COUNT ? status_names[s] : "?";
}

int svc_status_parse(const char *s, svc_status *out)
{
	for (int i = 0; s && i < SVC_STATUS_COUNT; i++)
		if (!strcmp(s, status_names[i])) {
			*out = (svc_status)i;
			return 0;
		}
	return -1;
}

const char *svc_role_name(svc_role r)
{
	return r < SVC_ROLE_COUNT ? role_names[r] : "?";
}

int svc_role_parse(const char *s, svc_role *out)
{
	for (int i = 0; s && i < SVC_ROLE_COUNT; i++)
		if (!strcmp(s, role_names[i])) {
			*out = (svc_role)i;
			return 0;
		}
	return -1;
}

/* ---- small SQLite helpers (the store's own are private to it) ----------- */

static sqlite3_stmt *prep(dc_store *st, const char *sql, dc_err *err)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK) {
		store_sqlerr(st, err, "prepare");
		sqlite3_finalize(s);
		return NULL;
	}
	return s;
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

/* NULL for "" (optional text columns). */
static void bind_opt(sqlite3_stmt *s, int i, const char *v)
{
	bind_text(s, i, v && *v ? v : NULL);
}

static void col_text(sqlite3_stmt *s, int c, char *buf, size_t len)
{
	const char *t = (const char *)sqlite3_column_text(s, c);
	dc_strlcpy(buf, t ? t : "", len);
}

/* Steps a write and finalizes it. A second live service on one server is
 * the unique index service_server: reported as DC_E_CONFLICT. */
static int run(dc_store *st, sqlite3_stmt *s, dc_err *err)
{
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW) {
		sqlite3_finalize(s);
		return 0;
	}
	int ext = sqlite3_extended_errcode(store_db(st));
	char msg[256];
	dc_strlcpy(msg, sqlite3_errmsg(store_db(st)), sizeof(msg));
	sqlite3_finalize(s);
	if ((ext & 0xff) == SQLITE_CONSTRAINT)
		return err_set(err, DC_E_CONFLICT, "refused by the store: %s",
		               msg);
	return err_set(err, DC_E_STORE, "write: %s", msg);
}

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

/* ---- markers and names -------------------------------------------------- */

int service_store_tag(dc_store *st, char tag[SVC_TAG_MAX], dc_err *err)
{
	sqlite3_stmt *s =
	    prep(st, "SELECT value FROM meta WHERE name = 'engine_tag'", err);
	if (!s)
		return -1;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		col_text(s, 0, tag, SVC_TAG_MAX);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW && tag[0])
		return 0;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlerr(st, err, "read store tag");
	return err_set(err, DC_E_STORE,
	               "the store has no engine tag (migration missing)");
}

char *service_marker(const char *tag, int64_t id, char *buf, size_t len)
{
	snprintf(buf, len, "dcictl:%s:%" PRId64, tag, id);
	return buf;
}

bool service_marker_parse(const char *s, const char *tag, int64_t *id,
                          svc_role *role, bool *has_role)
{
	static const char pfx[] = "dcictl:";
	if (!s || strncmp(s, pfx, sizeof(pfx) - 1))
		return false;
	const char *t = s + sizeof(pfx) - 1;
	const char *colon = strchr(t, ':');
	if (!colon || colon == t)
		return false;
	if (tag && (strlen(tag) != (size_t)(colon - t) ||
	            strncmp(t, tag, (size_t)(colon - t))))
		return false;
	const char *p = colon + 1;
	if (!isdigit((unsigned char)*p))
		return false;
	char *end;
	long long v = strtoll(p, &end, 10);
	if (v <= 0)
		return false;
	svc_role r = SVC_ROLE_MAIN;
	bool hr = false;
	if (*end == ':') {
		if (svc_role_parse(end + 1, &r))
			return false;
		hr = true;
	} else if (*end) {
		return false;
	}
	if (id)
		*id = v;
	if (role)
		*role = r;
	if (has_role)
		*has_role = hr;
	return true;
}

/* Calls fn for each blank-separated word of s (start, length); stops when
 * fn returns true, and returns that. */
static bool each_word(const char *s,
                      bool (*fn)(const char *w, size_t n, void *arg), void *arg)
{
	const char *p = s ? s : "";
	while (*p) {
		while (*p && isspace((unsigned char)*p))
			p++;
		const char *w = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		if (p > w && fn(w, (size_t)(p - w), arg))
			return true;
	}
	return false;
}

typedef struct find_arg {
	const char *tag;
	int64_t id;
} find_arg;

static bool find_marker(const char *w, size_t n, void *arg)
{
	find_arg *a = arg;
	char word[SVC_MARKER_MAX + 32];
	if (n >= sizeof(word))
		return false;
	memcpy(word, w, n);
	word[n] = '\0';
	return service_marker_parse(word, a->tag, &a->id, NULL, NULL);
}

bool service_notes_marker(const char *notes, const char *tag, int64_t *id)
{
	find_arg a = {tag, 0};
	if (!each_word(notes, find_marker, &a))
		return false;
	if (id)
		*id = a.id;
	return true;
}

static bool is_word(const char *w, size_t n, void *arg)
{
	const char *m = arg;
	return strlen(m) == n && !strncmp(w, m, n);
}

bool service_notes_has(const char *notes, const char *marker)
{
	return each_word(notes, is_word, (void *)marker);
}

char *service_notes_add(const char *notes, const char *marker, char *buf,
                        size_t len)
{
	if (!notes)
		notes = "";
	if (service_notes_has(notes, marker))
		dc_strlcpy(buf, notes, len);
	else if (!*notes)
		dc_strlcpy(buf, marker, len);
	else
		snprintf(buf, len, "%s %s", notes, marker);
	return buf;
}

typedef struct rm_arg {
	const char *marker;
	char *buf;
	size_t len, off;
} rm_arg;

static bool keep_word(const char *w, size_t n, void *arg)
{
	rm_arg *a = arg;
	if (is_word(w, n, (void *)a->marker))
		return false;
	if (a->off < a->len) {
		int k = snprintf(a->buf + a->off, a->len - a->off, "%s%.*s",
		                 a->off ? " " : "", (int)n, w);
		if (k > 0)
			a->off += (size_t)k;
	}
	return false;
}

char *service_notes_remove(const char *notes, const char *marker, char *buf,
                           size_t len)
{
	if (!len)
		return buf;
	buf[0] = '\0';
	if (!notes)
		return buf;
	/* What service_notes_add made comes back exactly as it was. */
	size_t n = strlen(notes), m = strlen(marker);
	if (n == m && !strcmp(notes, marker))
		return buf;
	if (n > m && notes[n - m - 1] == ' ' &&
	    !strcmp(notes + n - m, marker)) {
		char *copy = strndup(notes, n - m - 1);
		if (copy && !service_notes_has(copy, marker)) {
			dc_strlcpy(buf, copy, len);
			free(copy);
			return buf;
		}
		free(copy);
	}
	/* Else word by word, single blanks between what is kept. */
	rm_arg a = {marker, buf, len, 0};
	each_word(notes, keep_word, &a);
	return buf;
}

int service_check_client(const char *s, dc_err *err)
{
	size_t n = s ? strlen(s) : 0;
	if (!n)
		return err_field(err, DC_E_INVALID, "client",
		                 "a client account name is required");
	if (n > 63)
		return err_field(err, DC_E_INVALID, "client",
		                 "at most 63 characters (got %zu)", n);
	size_t ok = strspn(s, "abcdefghijklmnopqrstuvwxyz"
	                      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@");
	if (ok != n)
		return err_field(err, DC_E_INVALID, "client",
		                 "'%c' is not allowed (letters, digits, "
		                 "'.', '_', '-', '@')",
		                 s[ok]);
	return 0;
}

int service_check_hostname(const char *s, dc_err *err)
{
	size_t n = s ? strlen(s) : 0;
	if (!n || n > 253)
		return err_field(err, DC_E_INVALID, "hostname",
		                 "1 to 253 characters");
	size_t label = 0;
	for (size_t i = 0; i <= n; i++) {
		char c = s[i];
		if (c == '.' || !c) {
			if (!label || label > 63)
				return err_field(err, DC_E_INVALID, "hostname",
				                 "\"%s\" has an empty or too "
				                 "long label",
				                 s);
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)c) && c != '-')
			return err_field(err, DC_E_INVALID, "hostname",
			                 "'%c' is not allowed "
			                 "(letters, digits, '-', '.')",
			                 c);
		label++;
	}
	return 0;
}

/* ---- reading ------------------------------------------------------------ */

#define SVC_COLS                                                               \
	"s.id, s.client, s.panel_user, s.tariff_id, t.name, s.module_id, "     \
	"m.name, s.server_id, s.server_name, s.hostname, s.status, "           \
	"s.licence_id, s.created_at, s.updated_at, s.closed_at "               \
	"FROM service s LEFT JOIN tariff t ON t.id = s.tariff_id "             \
	"LEFT JOIN module m ON m.id = s.module_id "

static void read_row(sqlite3_stmt *s, dc_service *v)
{
	memset(v, 0, sizeof(*v));
	v->id = sqlite3_column_int64(s, 0);
	col_text(s, 1, v->client, sizeof(v->client));
	col_text(s, 2, v->panel_user, sizeof(v->panel_user));
	v->tariff_id = sqlite3_column_int64(s, 3);
	col_text(s, 4, v->tariff, sizeof(v->tariff));
	v->module_id = sqlite3_column_int64(s, 5);
	col_text(s, 6, v->module, sizeof(v->module));
	v->server_id = sqlite3_column_int64(s, 7);
	col_text(s, 8, v->server_name, sizeof(v->server_name));
	col_text(s, 9, v->hostname, sizeof(v->hostname));
	char st[16];
	col_text(s, 10, st, sizeof(st));
	if (svc_status_parse(st, &v->status))
		v->status = SVC_FAILED;
	col_text(s, 11, v->licence_id, sizeof(v->licence_id));
	v->created_at = sqlite3_column_int64(s, 12);
	v->updated_at = sqlite3_column_int64(s, 13);
	v->closed_at = sqlite3_column_int64(s, 14);
}

static int read_addons(dc_store *st, dc_service *v, dc_err *err)
{
	sqlite3_stmt *s = prep(st,
	                       "SELECT name, kind, value FROM service_addon "
	                       "WHERE service_id = ? ORDER BY rowid",
	                       err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, v->id);
	int rc;
	v->naddons = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW &&
	       v->naddons < DC_TARIFF_ADDONS_MAX) {
		svc_addon *a = &v->addons[v->naddons++];
		col_text(s, 0, a->name, sizeof(a->name));
		col_text(s, 1, a->kind, sizeof(a->kind));
		col_text(s, 2, a->value, sizeof(a->value));
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_sqlerr(st, err, "read add-ons");
	return 0;
}

int service_get(dc_store *st, int64_t id, dc_service *out, dc_err *err)
{
	sqlite3_stmt *s = prep(st, "SELECT " SVC_COLS "WHERE s.id = ?", err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		read_row(s, out);
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return err_set(err, DC_E_NOTFOUND,
		               "no service with id %" PRId64, id);
	if (rc != SQLITE_ROW)
		return store_sqlerr(st, err, "read service");
	return read_addons(st, out, err);
}

int service_list(dc_store *st, const service_filter *f, dc_service **out,
                 size_t *n, dc_err *err)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *s =
	    prep(st,
	         "SELECT " SVC_COLS "WHERE (?1 OR s.status <> 'closed') "
	         "AND (?2 = 0 OR s.module_id = ?2) "
	         "AND (?3 IS NULL OR s.client = ?3) ORDER BY s.id DESC",
	         err);
	if (!s)
		return -1;
	sqlite3_bind_int(s, 1, f && f->include_closed);
	sqlite3_bind_int64(s, 2, f ? f->module_id : 0);
	bind_text(s, 3, f ? f->client : NULL);
	dc_service *v = NULL;
	size_t cnt = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (cnt == cap) {
			size_t nc = cap ? cap * 2 : 16;
			dc_service *nv = realloc(v, nc * sizeof(*v));
			if (!nv) {
				sqlite3_finalize(s);
				free(v);
				return err_set(err, DC_E_NOMEM,
				               "out of memory");
			}
			v = nv;
			cap = nc;
		}
		read_row(s, &v[cnt++]);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(v);
		return store_sqlerr(st, err, "list services");
	}
	for (size_t i = 0; i < cnt; i++)
		if (read_addons(st, &v[i], err)) {
			free(v);
			return -1;
		}
	*out = v;
	*n = cnt;
	return 0;
}

int service_addrs(dc_store *st, int64_t service_id, svc_addr **out, size_t *n,
                  dc_err *err)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *s = prep(st,
	                       "SELECT id, service_id, ipmgr_id, ip, family, "
	                       "iptype, role, main, panel_ip_id FROM "
	                       "service_addr WHERE service_id = ? ORDER BY "
	                       "main DESC, id",
	                       err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, service_id);
	svc_addr *v = NULL;
	size_t cnt = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (cnt == cap) {
			size_t nc = cap ? cap * 2 : 8;
			svc_addr *nv = realloc(v, nc * sizeof(*v));
			if (!nv) {
				sqlite3_finalize(s);
				free(v);
				return err_set(err, DC_E_NOMEM,
				               "out of memory");
			}
			v = nv;
			cap = nc;
		}
		svc_addr *a = &v[cnt++];
		memset(a, 0, sizeof(*a));
		a->id = sqlite3_column_int64(s, 0);
		a->service_id = sqlite3_column_int64(s, 1);
		a->ipmgr_id = sqlite3_column_int64(s, 2);
		col_text(s, 3, a->ip, sizeof(a->ip));
		col_text(s, 4, a->family, sizeof(a->family));
		col_text(s, 5, a->iptype, sizeof(a->iptype));
		char r[16];
		col_text(s, 6, r, sizeof(r));
		if (svc_role_parse(r, &a->role))
			a->role = SVC_ROLE_PUBLIC;
		a->main = sqlite3_column_int(s, 7) != 0;
		a->panel_ip_id = (long)sqlite3_column_int64(s, 8);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(v);
		return store_sqlerr(st, err, "list addresses");
	}
	*out = v;
	*n = cnt;
	return 0;
}

int service_events(dc_store *st, int64_t service_id, svc_event **out, size_t *n,
                   dc_err *err)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *s = prep(st,
	                       "SELECT id, service_id, op_id, at, text FROM "
	                       "service_event WHERE service_id = ? ORDER BY "
	                       "id",
	                       err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, service_id);
	svc_event *v = NULL;
	size_t cnt = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (cnt == cap) {
			size_t nc = cap ? cap * 2 : 16;
			svc_event *nv = realloc(v, nc * sizeof(*v));
			if (!nv) {
				sqlite3_finalize(s);
				free(v);
				return err_set(err, DC_E_NOMEM,
				               "out of memory");
			}
			v = nv;
			cap = nc;
		}
		svc_event *e = &v[cnt++];
		e->id = sqlite3_column_int64(s, 0);
		e->service_id = sqlite3_column_int64(s, 1);
		e->op_id = sqlite3_column_int64(s, 2);
		e->at = sqlite3_column_int64(s, 3);
		col_text(s, 4, e->text, sizeof(e->text));
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(v);
		return store_sqlerr(st, err, "read history");
	}
	*out = v;
	*n = cnt;
	return 0;
}

const char *service_addon_value(const dc_service *s, const char *kind)
{
	for (size_t i = 0; i < s->naddons; i++)
		if (!strcmp(s->addons[i].kind, kind))
			return s->addons[i].value;
	return NULL;
}

int service_find_by_server(dc_store *st, int64_t module_id, long server_id,
                           int64_t *service_id, dc_err *err)
{
	*service_id = 0;
	sqlite3_stmt *s = prep(st,
	                       "SELECT id FROM service WHERE module_id = ? AND "
	                       "server_id = ? AND status <> 'closed'",
	                       err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, module_id);
	sqlite3_bind_int64(s, 2, server_id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*service_id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlerr(st, err, "find service");
	return 0;
}

/* ---- writing ------------------------------------------------------------ */

int service_insert_tx(dc_store *st, dc_service *v, dc_err *err)
{
	sqlite3_stmt *s = prep(st,
	                       "INSERT INTO service(client, panel_user, "
	                       "tariff_id, hostname, status, created_at, "
	                       "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
	                       err);
	if (!s)
		return -1;
	int64_t t = now_s();
	bind_text(s, 1, v->client);
	bind_text(s, 2, v->panel_user);
	if (v->tariff_id)
		sqlite3_bind_int64(s, 3, v->tariff_id);
	else
		sqlite3_bind_null(s, 3);
	bind_opt(s, 4, v->hostname);
	bind_text(s, 5, svc_status_name(v->status));
	sqlite3_bind_int64(s, 6, t);
	sqlite3_bind_int64(s, 7, t);
	if (run(st, s, err))
		return -1;
	v->id = sqlite3_last_insert_rowid(store_db(st));
	v->created_at = v->updated_at = t;
	for (size_t i = 0; i < v->naddons; i++)
		if (service_set_addon_tx(st, v->id, &v->addons[i], err))
			return -1;
	return 0;
}

static int update1(dc_store *st, const char *sql, int64_t id, const char *v,
                   dc_err *err)
{
	sqlite3_stmt *s = prep(st, sql, err);
	if (!s)
		return -1;
	bind_opt(s, 1, v);
	sqlite3_bind_int64(s, 2, now_s());
	sqlite3_bind_int64(s, 3, id);
	if (run(st, s, err))
		return -1;
	if (sqlite3_changes(store_db(st)) == 0)
		return err_set(err, DC_E_NOTFOUND,
		               "no service with id %" PRId64, id);
	return 0;
}

int service_set_status_tx(dc_store *st, int64_t id, svc_status status,
                          dc_err *err)
{
	sqlite3_stmt *s = prep(st,
	                       "UPDATE service SET status = ?1, updated_at = "
	                       "?2, closed_at = CASE WHEN ?1 = 'closed' THEN "
	                       "?2 ELSE NULL END WHERE id = ?3",
	                       err);
	if (!s)
		return -1;
	bind_text(s, 1, svc_status_name(status));
	sqlite3_bind_int64(s, 2, now_s());
	sqlite3_bind_int64(s, 3, id);
	if (run(st, s, err))
		return -1;
	if (sqlite3_changes(store_db(st)) == 0)
		return err_set(err, DC_E_NOTFOUND,
		               "no service with id %" PRId64, id);
	return 0;
}

int service_set_hostname_tx(dc_store *st, int64_t id, const char *hostname,
                            dc_err *err)
{
	return update1(st,
	               "UPDATE service SET hostname = ?1, updated_at = ?2 "
	               "WHERE id = ?3",
	               id, hostname, err);
}

int service_set_server_tx(dc_store *st, int64_t id, int64_t module_id,
                          long server_id, const char *server_name, dc_err *err)
{
	sqlite3_stmt *s = prep(st,
	                       "UPDATE service SET module_id = ?1, server_id = "
	                       "?2, server_name = ?3, updated_at = ?4 WHERE "
	                       "id = ?5",
	                       err);
	if (!s)
		return -1;
	if (module_id)
		sqlite3_bind_int64(s, 1, module_id);
	else
		sqlite3_bind_null(s, 1);
	if (server_id)
		sqlite3_bind_int64(s, 2, server_id);
	else
		sqlite3_bind_null(s, 2);
	bind_opt(s, 3, server_id ? server_name : NULL);
	sqlite3_bind_int64(s, 4, now_s());
	sqlite3_bind_int64(s, 5, id);
	if (run(st, s, err)) {
		if (err && err->cat == DC_E_CONFLICT)
			err_set(err, DC_E_CONFLICT,
			        "server %ld is already held by another service "
			        "of this store",
			        server_id);
		return -1;
	}
	return 0;
}

int service_set_licence_tx(dc_store *st, int64_t id, const char *licence_id,
                           dc_err *err)
{
	return update1(st,
	               "UPDATE service SET licence_id = ?1, updated_at = ?2 "
	               "WHERE id = ?3",
	               id, licence_id, err);
}

int service_set_addon_tx(dc_store *st, int64_t id, const svc_addon *a,
                         dc_err *err)
{
	sqlite3_stmt *s = prep(st,
	                       "INSERT INTO service_addon(service_id, name, "
	                       "kind, value) VALUES (?, ?, ?, ?) ON "
	                       "CONFLICT(service_id, name) DO UPDATE SET kind "
	                       "= excluded.kind, value = excluded.value",
	                       err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	bind_text(s, 2, a->name);
	bind_text(s, 3, a->kind);
	bind_text(s, 4, a->value);
	return run(st, s, err);
}

static const char *secret_col(const char *which)
{
	if (!strcmp(which, "root"))
		return "root_password_enc";
	if (!strcmp(which, "user"))
		return "user_password_enc";
	return NULL;
}

int service_set_secret_tx(dc_store *st, int64_t id, const char *which,
                          const char *password, dc_err *err)
{
	const char *col = secret_col(which);
	if (!col)
		return err_set(err, DC_E_INVALID, "no secret called %s", which);
	char sql[96];
	snprintf(sql, sizeof(sql), "UPDATE service SET %s = ? WHERE id = ?",
	         col);
	unsigned char *blob;
	size_t len;
	if (store_seal(st, password, &blob, &len, err))
		return -1;
	sqlite3_stmt *s = prep(st, sql, err);
	if (!s) {
		free(blob);
		return -1;
	}
	sqlite3_bind_blob(s, 1, blob, (int)len, free);
	sqlite3_bind_int64(s, 2, id);
	return run(st, s, err);
}

char *service_secret(dc_store *st, int64_t id, const char *which, dc_err *err)
{
	const char *col = secret_col(which);
	if (!col) {
		err_set(err, DC_E_INVALID, "no secret called %s", which);
		return NULL;
	}
	char sql[96];
	snprintf(sql, sizeof(sql), "SELECT %s FROM service WHERE id = ?", col);
	sqlite3_stmt *s = prep(st, sql, err);
	if (!s)
		return NULL;
	sqlite3_bind_int64(s, 1, id);
	char *out = NULL;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) == SQLITE_BLOB)
		out = store_unseal(st, sqlite3_column_blob(s, 0),
		                   (size_t)sqlite3_column_bytes(s, 0), err);
	else if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		err_set(err, DC_E_NOTFOUND,
		        "service %" PRId64 " keeps no %s "
		        "password",
		        id, which);
	else
		store_sqlerr(st, err, "read secret");
	sqlite3_finalize(s);
	return out;
}

void service_credentials_wipe(svc_credentials *c)
{
	if (!c)
		return;
	secret_free(c->root);
	secret_free(c->user);
	c->root = c->user = NULL;
}

/* One password, or NULL when none is kept (not an error here). */
static int open_secret(dc_store *st, int64_t id, const char *which, char **out,
                       dc_err *err)
{
	dc_err e;
	err_clear(&e);
	*out = service_secret(st, id, which, &e);
	if (*out || e.cat == DC_E_NOTFOUND)
		return 0;
	if (err)
		*err = e;
	return -1;
}

int service_credentials_reveal(dc_store *st, int64_t id, const char *by,
                               svc_credentials *out, dc_err *err)
{
	memset(out, 0, sizeof(*out));
	dc_service *s = calloc(1, sizeof(*s));
	if (!s)
		return err_set(err, DC_E_NOMEM, "out of memory");
	int rc = service_get(st, id, s, err);
	free(s);
	if (rc || open_secret(st, id, "root", &out->root, err) ||
	    open_secret(st, id, "user", &out->user, err))
		goto fail;
	if (!out->root && !out->user) {
		err_set(err, DC_E_NOTFOUND,
		        "service %" PRId64 " keeps no passwords yet: the open "
		        "makes the root password at its install step and the "
		        "panel user's at its owner step",
		        id);
		goto fail;
	}
	const char *what = out->root && out->user ? "root and panel-user "
	                                            "passwords"
	                   : out->root            ? "root password"
	                                          : "panel-user password";
	if (store_begin(st, err))
		goto fail;
	if (service_event_tx(st, id, 0, err, "credentials shown (%s) %s", what,
	                     by && by[0] ? by : "to an operator") ||
	    store_commit(st, err)) {
		store_rollback(st);
		goto fail;
	}
	return 0;
fail:
	service_credentials_wipe(out);
	return -1;
}

int service_addr_insert_tx(dc_store *st, svc_addr *a, dc_err *err)
{
	sqlite3_stmt *s = prep(st,
	                       "INSERT INTO service_addr(service_id, ipmgr_id, "
	                       "ip, family, iptype, main, panel_ip_id, role) "
	                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	                       err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, a->service_id);
	sqlite3_bind_int64(s, 2, a->ipmgr_id);
	bind_text(s, 3, a->ip);
	bind_text(s, 4, a->family);
	bind_text(s, 5, a->iptype);
	sqlite3_bind_int(s, 6, a->main);
	if (a->panel_ip_id)
		sqlite3_bind_int64(s, 7, a->panel_ip_id);
	else
		sqlite3_bind_null(s, 7);
	bind_text(s, 8, svc_role_name(a->role));
	if (run(st, s, err))
		return -1;
	a->id = sqlite3_last_insert_rowid(store_db(st));
	return 0;
}

int service_addr_set_attached_tx(dc_store *st, int64_t addr_id,
                                 long panel_ip_id, bool main, dc_err *err)
{
	sqlite3_stmt *s = prep(st,
	                       "UPDATE service_addr SET panel_ip_id = ?, main "
	                       "= ? WHERE id = ?",
	                       err);
	if (!s)
		return -1;
	if (panel_ip_id)
		sqlite3_bind_int64(s, 1, panel_ip_id);
	else
		sqlite3_bind_null(s, 1);
	sqlite3_bind_int(s, 2, main);
	sqlite3_bind_int64(s, 3, addr_id);
	return run(st, s, err);
}

int service_addr_delete_tx(dc_store *st, int64_t addr_id, dc_err *err)
{
	sqlite3_stmt *s =
	    prep(st, "DELETE FROM service_addr WHERE id = ?", err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, addr_id);
	return run(st, s, err);
}

int service_addr_clear_main_tx(dc_store *st, int64_t service_id, dc_err *err)
{
	sqlite3_stmt *s = prep(
	    st, "UPDATE service_addr SET main = 0 WHERE service_id = ?", err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, service_id);
	return run(st, s, err);
}

int service_event_tx(dc_store *st, int64_t service_id, int64_t op_id,
                     dc_err *err, const char *fmt, ...)
{
	char text[SVC_TEXT_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	sqlite3_stmt *s = prep(st,
	                       "INSERT INTO service_event(service_id, op_id, "
	                       "at, text) VALUES (?, ?, ?, ?)",
	                       err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, service_id);
	if (op_id)
		sqlite3_bind_int64(s, 2, op_id);
	else
		sqlite3_bind_null(s, 2);
	sqlite3_bind_int64(s, 3, now_s());
	bind_text(s, 4, text);
	return run(st, s, err);
}
