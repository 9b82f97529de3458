/* inventory.c - panel facts fetched in parallel and cached in the store;
 * see inventory.h. */
#include "inventory.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dci.h"
#include "ipm.h"
#include "secret.h"

/* Migration 3 (store.c migrations[]); shipped: never edit, add a new one.
 * inv_module: one row per module, the times (unix ms) and errors of its
 * facts and the URLs they came from; inv_count: the server summary;
 * inv_name: OS template and IP type names. */
const char inventory_schema_v1[] =
    "CREATE TABLE inv_module(\n"
    "  module_id INTEGER PRIMARY KEY REFERENCES module(id) ON DELETE "
    "CASCADE,\n"
    "  url TEXT NOT NULL DEFAULT '',\n"
    "  servers_at INTEGER NOT NULL DEFAULT 0,\n"
    "  servers_ms INTEGER NOT NULL DEFAULT 0,\n"
    "  tried_at INTEGER NOT NULL DEFAULT 0,\n"
    "  error TEXT NOT NULL DEFAULT '',\n"
    "  invalidated_at INTEGER NOT NULL DEFAULT 0,\n"
    "  os_at INTEGER NOT NULL DEFAULT 0,\n"
    "  os_error TEXT NOT NULL DEFAULT '',\n"
    "  ipm_url TEXT NOT NULL DEFAULT '',\n"
    "  iptypes_at INTEGER NOT NULL DEFAULT 0,\n"
    "  iptypes_error TEXT NOT NULL DEFAULT ''\n"
    ");\n"
    "CREATE TABLE inv_count(\n"
    "  module_id INTEGER NOT NULL REFERENCES module(id) ON DELETE "
    "CASCADE,\n"
    "  server_type TEXT NOT NULL,\n"
    "  ram_mib INTEGER NOT NULL,\n"
    "  total INTEGER NOT NULL,\n"
    "  free INTEGER NOT NULL,\n"
    "  PRIMARY KEY (module_id, server_type, ram_mib)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE inv_name(\n"
    "  module_id INTEGER NOT NULL REFERENCES module(id) ON DELETE "
    "CASCADE,\n"
    "  kind TEXT NOT NULL CHECK (kind IN ('os', 'iptype')),\n"
    "  name TEXT NOT NULL,\n"
    "  PRIMARY KEY (module_id, kind, name)\n"
    ") WITHOUT ROWID;\n";

enum { PART_SERVERS, PART_OS, PART_IPTYPES, NPARTS };

int64_t inv_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void inv_opts_init(inv_opts *o, const dc_config *cfg, apilog *log)
{
	memset(o, 0, sizeof(*o));
	o->log = log;
	if (cfg) {
		o->connect_timeout_ms = (long)cfg->http_connect_timeout_ms;
		o->timeout_ms = (long)cfg->http_timeout_ms;
		o->body_cap = cfg->xml_max_body;
	}
}

static bool cancelled(const inv_opts *o)
{
	return o && o->cancel && *o->cancel;
}

/* ---- panel handles ---------------------------------------------------- */

static panel *open_panel(const char *url, const char *user, const char *pw,
                         const char *cafile, bool insecure, const inv_opts *o,
                         dc_err *err)
{
	panel_opts po = {0};
	po.url = url;
	po.username = user;
	po.password = pw;
	po.cafile = cafile && *cafile ? cafile : NULL;
	po.insecure = insecure;
	po.auth_mode = PANEL_AUTH_SESSION;
	if (o) {
		po.connect_timeout_ms = o->connect_timeout_ms;
		po.timeout_ms = o->timeout_ms;
		po.body_cap = o->body_cap;
		po.log = o->log;
	}
	return panel_new(&po, err);
}

panel *inv_module_panel(dc_store *st, const dc_module *m, const inv_opts *o,
                        dc_err *err)
{
	char *pw = module_password(st, m->id, err);
	if (!pw) {
		err_prefix(err, "module %s: password", m->name);
		return NULL;
	}
	panel *p =
	    open_panel(m->url, m->username, pw, m->cafile, m->insecure, o, err);
	secret_free(pw);
	if (!p)
		err_prefix(err, "module %s", m->name);
	return p;
}

panel *inv_ipmgr_panel(dc_store *st, int64_t ipmgr_id, const inv_opts *o,
                       dc_err *err)
{
	dc_conn c;
	if (ipmgr_get(st, ipmgr_id, &c, err))
		return NULL;
	char *pw = ipmgr_password(st, ipmgr_id, err);
	if (!pw) {
		err_prefix(err, "IPmanager %s: password", c.name);
		return NULL;
	}
	panel *p =
	    open_panel(c.url, c.username, pw, c.cafile, c.insecure, o, err);
	secret_free(pw);
	if (!p)
		err_prefix(err, "IPmanager %s", c.name);
	return p;
}

/* ---- small helpers ---------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_count(const void *a, const void *b)
{
	const inv_count *x = a, *y = b;
	int c = strcmp(x->type, y->type);
	if (c)
		return c;
	return (x->ram_mib > y->ram_mib) - (x->ram_mib < y->ram_mib);
}

static void free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int push_name(char ***v, size_t *n, size_t *cap, const char *s)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		char **nv = realloc(*v, c * sizeof(*nv));
		if (!nv)
			return -1;
		*v = nv;
		*cap = c;
	}
	char *d = strdup(s);
	if (!d)
		return -1;
	(*v)[(*n)++] = d;
	return 0;
}

static void err_to_msg(const dc_err *e, char *msg, size_t len)
{
	char line[800];
	dc_strlcpy(msg, err_line(e, line, sizeof(line)), len);
}

/* ---- fetching --------------------------------------------------------- */

typedef struct part_result {
	bool asked;
	bool ok;
	int64_t at; /* when the question was sent */
	int64_t ms;
	char error[DC_MSG_MAX];
} part_result;

typedef struct fjob {
	int64_t module_id;
	char url[DC_URL_MAX];
	char ipm_url[DC_URL_MAX];
	unsigned what;
	panel *dci, *ipm;
	part_result part[NPARTS];
	inv_count *counts;
	size_t ncounts;
	char **os;
	size_t nos;
	char **ipt;
	size_t nipt;
} fjob;

typedef struct fpool {
	fjob *jobs;
	size_t n;
	atomic_size_t next;
	const inv_opts *o;
} fpool;

/* The server list folded into (type, RAM) lines: a few dozen lines for
 * any number of servers, which is all availability needs. */
static int summarise(const dci_servers *l, inv_count **out, size_t *nout)
{
	inv_count *v = NULL;
	size_t n = 0, cap = 0, last = 0;
	for (size_t i = 0; i < l->n; i++) {
		const dci_server *s = &l->v[i];
		const char *type = s->type ? s->type : "";
		size_t k = n;
		/* Lists come grouped more often than not: try the last hit. */
		if (n && !strcmp(v[last].type, type) &&
		    v[last].ram_mib == s->ram_mib)
			k = last;
		else
			for (k = 0; k < n; k++)
				if (v[k].ram_mib == s->ram_mib &&
				    !strcmp(v[k].type, type))
					break;
		if (k == n) {
			if (n == cap) {
				size_t c = cap ? cap * 2 : 16;
				inv_count *nv = realloc(v, c * sizeof(*nv));
				if (!nv) {
					free(v);
					return -1;
				}
				v = nv;
				cap = c;
			}
			memset(&v[n], 0, sizeof(v[n]));
			dc_strlcpy(v[n].type, type, sizeof(v[n].type));
			v[n].ram_mib = s->ram_mib;
			n++;
		}
		last = k;
		v[k].total++;
		if (dci_server_is_free(s, NULL))
			v[k].free++;
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_count);
	*out = v;
	*nout = n;
	return 0;
}

static void part_fail(part_result *r, const dc_err *e)
{
	r->ok = false;
	err_to_msg(e, r->error, sizeof(r->error));
}

static void run_servers(fjob *j)
{
	part_result *r = &j->part[PART_SERVERS];
	dc_err e;
	dci_servers *l = NULL;
	int64_t t0 = mono_ms();
	r->at = inv_now_ms();
	if (dci_server_list(j->dci, &l, &e) < 0) {
		part_fail(r, &e);
		return;
	}
	int rc = summarise(l, &j->counts, &j->ncounts);
	dci_servers_free(l);
	r->ms = mono_ms() - t0;
	if (rc < 0) {
		err_set(&e, DC_E_NOMEM, "out of memory");
		part_fail(r, &e);
		return;
	}
	r->ok = true;
}

static void run_os(fjob *j)
{
	part_result *r = &j->part[PART_OS];
	dc_err e;
	dci_os_templates *l = NULL;
	int64_t t0 = mono_ms();
	size_t cap = 0;
	r->at = inv_now_ms();
	if (dci_os_list(j->dci, &l, &e) < 0) {
		part_fail(r, &e);
		return;
	}
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].name && *l->v[i].name &&
		    push_name(&j->os, &j->nos, &cap, l->v[i].name)) {
			dci_os_templates_free(l);
			err_set(&e, DC_E_NOMEM, "out of memory");
			part_fail(r, &e);
			return;
		}
	dci_os_templates_free(l);
	r->ms = mono_ms() - t0;
	r->ok = true;
}

static void run_iptypes(fjob *j)
{
	part_result *r = &j->part[PART_IPTYPES];
	dc_err e;
	ipm_types *l = NULL;
	int64_t t0 = mono_ms();
	size_t cap = 0;
	r->at = inv_now_ms();
	if (ipm_type_list(j->ipm, &l, &e) < 0) {
		part_fail(r, &e);
		return;
	}
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].name && *l->v[i].name &&
		    push_name(&j->ipt, &j->nipt, &cap, l->v[i].name)) {
			ipm_types_free(l);
			err_set(&e, DC_E_NOMEM, "out of memory");
			part_fail(r, &e);
			return;
		}
	ipm_types_free(l);
	r->ms = mono_ms() - t0;
	r->ok = true;
}

static void run_job(fjob *j, const inv_opts *o)
{
	if ((j->what & INV_SERVERS) && j->dci && !cancelled(o)) {
		j->part[PART_SERVERS].asked = true;
		run_servers(j);
	}
	if ((j->what & INV_OS) && j->dci && !cancelled(o)) {
		j->part[PART_OS].asked = true;
		run_os(j);
	}
	if ((j->what & INV_IPTYPES) && j->ipm && !cancelled(o)) {
		j->part[PART_IPTYPES].asked = true;
		run_iptypes(j);
	}
}

static void *worker(void *arg)
{
	fpool *p = arg;
	for (;;) {
		size_t i = atomic_fetch_add(&p->next, 1);
		if (i >= p->n)
			break;
		run_job(&p->jobs[i], p->o);
	}
	return NULL;
}

static void jobs_free(fjob *jobs, size_t n)
{
	for (size_t i = 0; jobs && i < n; i++) {
		panel_free(jobs[i].dci);
		panel_free(jobs[i].ipm);
		free(jobs[i].counts);
		free_names(jobs[i].os, jobs[i].nos);
		free_names(jobs[i].ipt, jobs[i].nipt);
	}
	free(jobs);
}

/* Does module m need asking for `what`, given max_age? */
static unsigned needs(const inv_module *m, unsigned what, int64_t max_age,
                      int64_t now)
{
	if (max_age <= 0)
		return what;
	unsigned need = 0;
	if ((what & INV_SERVERS) &&
	    (!m->servers.tried_at || now - m->servers.tried_at >= max_age ||
	     (m->invalidated_at && m->invalidated_at >= m->servers.tried_at)))
		need |= INV_SERVERS;
	if ((what & INV_OS) && (!m->os.tried_at || m->os.error[0] ||
	                        now - m->os.tried_at >= max_age))
		need |= INV_OS;
	if ((what & INV_IPTYPES) &&
	    (!m->iptypes.tried_at || m->iptypes.error[0] ||
	     now - m->iptypes.tried_at >= max_age))
		need |= INV_IPTYPES;
	return need;
}

static int keep(dc_err *err, const dc_err *e)
{
	if (err)
		*err = *e;
	return -1;
}

/* Handles for one module, opened on the store's thread. A handle that
 * cannot be made (no password, bad URL) is that part's error. */
static int prepare(dc_store *st, const inv_module *im, unsigned what,
                   const inv_opts *o, fjob *j, dc_err *err)
{
	dc_module m;
	dc_err e;
	if (module_get(st, im->module_id, &m, err))
		return -1;
	j->module_id = m.id;
	j->what = what;
	dc_strlcpy(j->url, m.url, sizeof(j->url));
	if (what & (INV_SERVERS | INV_OS)) {
		j->dci = inv_module_panel(st, &m, o, &e);
		if (!j->dci) {
			if (e.cat == DC_E_STORE || e.cat == DC_E_NOMEM)
				return keep(err, &e);
			for (int k = PART_SERVERS; k <= PART_OS; k++) {
				j->part[k].asked = true;
				j->part[k].at = inv_now_ms();
				part_fail(&j->part[k], &e);
			}
		}
	}
	if (what & INV_IPTYPES) {
		dc_conn c;
		if (ipmgr_get(st, m.ipmgr_id, &c, err))
			return -1;
		dc_strlcpy(j->ipm_url, c.url, sizeof(j->ipm_url));
		j->ipm = inv_ipmgr_panel(st, m.ipmgr_id, o, &e);
		if (!j->ipm) {
			if (e.cat == DC_E_STORE || e.cat == DC_E_NOMEM)
				return keep(err, &e);
			j->part[PART_IPTYPES].asked = true;
			j->part[PART_IPTYPES].at = inv_now_ms();
			part_fail(&j->part[PART_IPTYPES], &e);
		}
	}
	return 0;
}

static int exec_sql(dc_store *st, const char *sql, int64_t id, dc_err *err)
{
	sqlite3_stmt *s = NULL;
	sqlite3 *db = store_db(st);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return store_sqlerr(st, err, "inventory");
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_sqlerr(st, err, "inventory");
	return 0;
}

static sqlite3_stmt *prep(dc_store *st, const char *sql, dc_err *err)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK) {
		store_sqlerr(st, err, "inventory");
		sqlite3_finalize(s);
		return NULL;
	}
	return s;
}

static int done(dc_store *st, sqlite3_stmt *s, dc_err *err)
{
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_sqlerr(st, err, "inventory");
	return 0;
}

static int write_names(dc_store *st, int64_t id, const char *kind, char **names,
                       size_t n, dc_err *err)
{
	sqlite3_stmt *s = prep(
	    st, "DELETE FROM inv_name WHERE module_id = ?1 AND kind = ?2", err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
	if (done(st, s, err))
		return -1;
	s = prep(st,
	         "INSERT OR IGNORE INTO inv_name(module_id, kind, name) "
	         "VALUES (?1, ?2, ?3)",
	         err);
	if (!s)
		return -1;
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, names[i], -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE) {
			sqlite3_finalize(s);
			return store_sqlerr(st, err, "inventory");
		}
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	return 0;
}

/* Facts from another URL are dropped before new ones are written, so that
 * no fact ever reads as coming from the module's current panel when it
 * did not. */
static int rebase(dc_store *st, const fjob *j, dc_err *err)
{
	if (exec_sql(st,
	             "INSERT OR IGNORE INTO inv_module(module_id) VALUES (?1)",
	             j->module_id, err))
		return -1;
	if (j->what & (INV_SERVERS | INV_OS)) {
		sqlite3_stmt *s =
		    prep(st,
		         "UPDATE inv_module SET url = ?2, servers_at = 0, "
		         "servers_ms = 0, tried_at = 0, error = '', os_at = 0, "
		         "os_error = '' WHERE module_id = ?1 AND url <> ?2",
		         err);
		if (!s)
			return -1;
		sqlite3_bind_int64(s, 1, j->module_id);
		sqlite3_bind_text(s, 2, j->url, -1, SQLITE_STATIC);
		if (done(st, s, err))
			return -1;
		if (sqlite3_changes(store_db(st)) &&
		    (exec_sql(st, "DELETE FROM inv_count WHERE module_id = ?1",
		              j->module_id, err) ||
		     exec_sql(st,
		              "DELETE FROM inv_name WHERE module_id = ?1 AND "
		              "kind = 'os'",
		              j->module_id, err)))
			return -1;
	}
	if (j->what & INV_IPTYPES) {
		sqlite3_stmt *s =
		    prep(st,
		         "UPDATE inv_module SET ipm_url = ?2, iptypes_at = 0, "
		         "iptypes_error = '' WHERE module_id = ?1 AND "
		         "ipm_url <> ?2",
		         err);
		if (!s)
			return -1;
		sqlite3_bind_int64(s, 1, j->module_id);
		sqlite3_bind_text(s, 2, j->ipm_url, -1, SQLITE_STATIC);
		if (done(st, s, err))
			return -1;
		if (sqlite3_changes(store_db(st)) &&
		    exec_sql(st,
		             "DELETE FROM inv_name WHERE module_id = ?1 AND "
		             "kind = 'iptype'",
		             j->module_id, err))
			return -1;
	}
	return 0;
}

static int write_servers(dc_store *st, const fjob *j, dc_err *err)
{
	const part_result *r = &j->part[PART_SERVERS];
	sqlite3_stmt *s;
	if (!r->ok) {
		s = prep(
		    st,
		    "UPDATE inv_module SET tried_at = ?2, error = ?3 WHERE "
		    "module_id = ?1",
		    err);
		if (!s)
			return -1;
		sqlite3_bind_int64(s, 1, j->module_id);
		sqlite3_bind_int64(s, 2, r->at);
		sqlite3_bind_text(s, 3, r->error, -1, SQLITE_STATIC);
		return done(st, s, err);
	}
	if (exec_sql(st, "DELETE FROM inv_count WHERE module_id = ?1",
	             j->module_id, err))
		return -1;
	s = prep(st,
	         "INSERT INTO inv_count(module_id, server_type, ram_mib, "
	         "total, free) VALUES (?1, ?2, ?3, ?4, ?5)",
	         err);
	if (!s)
		return -1;
	for (size_t i = 0; i < j->ncounts; i++) {
		const inv_count *c = &j->counts[i];
		sqlite3_bind_int64(s, 1, j->module_id);
		sqlite3_bind_text(s, 2, c->type, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, c->ram_mib);
		sqlite3_bind_int64(s, 4, c->total);
		sqlite3_bind_int64(s, 5, c->free);
		if (sqlite3_step(s) != SQLITE_DONE) {
			sqlite3_finalize(s);
			return store_sqlerr(st, err, "inventory");
		}
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	s = prep(st,
	         "UPDATE inv_module SET servers_at = ?2, servers_ms = ?3, "
	         "tried_at = ?2, error = '' WHERE module_id = ?1",
	         err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, j->module_id);
	sqlite3_bind_int64(s, 2, r->at);
	sqlite3_bind_int64(s, 3, r->ms);
	return done(st, s, err);
}

static int write_list(dc_store *st, const fjob *j, int part, dc_err *err)
{
	const part_result *r = &j->part[part];
	bool os = part == PART_OS;
	if (r->ok &&
	    write_names(st, j->module_id, os ? "os" : "iptype",
	                os ? j->os : j->ipt, os ? j->nos : j->nipt, err))
		return -1;
	sqlite3_stmt *s =
	    prep(st,
	         os ? (r->ok ? "UPDATE inv_module SET os_at = ?2, os_error = "
	                       "'' WHERE module_id = ?1"
	                     : "UPDATE inv_module SET os_error = ?3 WHERE "
	                       "module_id = ?1")
	            : (r->ok ? "UPDATE inv_module SET iptypes_at = ?2, "
	                       "iptypes_error = '' WHERE module_id = ?1"
	                     : "UPDATE inv_module SET iptypes_error = ?3 "
	                       "WHERE module_id = ?1"),
	         err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, j->module_id);
	if (r->ok)
		sqlite3_bind_int64(s, 2, r->at);
	else
		sqlite3_bind_text(s, 3, r->error, -1, SQLITE_STATIC);
	return done(st, s, err);
}

static int write_jobs(dc_store *st, const fjob *jobs, size_t n, dc_err *err)
{
	if (store_begin(st, err))
		return -1;
	for (size_t i = 0; i < n; i++) {
		const fjob *j = &jobs[i];
		if (!j->part[PART_SERVERS].asked && !j->part[PART_OS].asked &&
		    !j->part[PART_IPTYPES].asked)
			continue;
		if (rebase(st, j, err) ||
		    (j->part[PART_SERVERS].asked &&
		     write_servers(st, j, err)) ||
		    (j->part[PART_OS].asked &&
		     write_list(st, j, PART_OS, err)) ||
		    (j->part[PART_IPTYPES].asked &&
		     write_list(st, j, PART_IPTYPES, err))) {
			store_rollback(st);
			return -1;
		}
	}
	return store_commit(st, err);
}

int inv_fetch(dc_store *st, const int64_t *ids, size_t n, unsigned what,
              int64_t max_age_ms, const inv_opts *o, size_t *fetched,
              dc_err *err)
{
	inv_module *mods = NULL;
	size_t nm = 0;
	if (fetched)
		*fetched = 0;
	if (inv_load(st, ids, n, &mods, &nm, err))
		return -1;
	fjob *jobs = calloc(nm ? nm : 1, sizeof(*jobs));
	if (!jobs) {
		inv_modules_free(mods, nm);
		return err_set(err, DC_E_NOMEM, "out of memory");
	}
	int64_t now = inv_now_ms();
	size_t nj = 0;
	for (size_t i = 0; i < nm; i++) {
		/* An explicit list asks disabled modules too (a form may
		 * check one); "every module" means the enabled ones. */
		if (!ids && !mods[i].enabled)
			continue;
		unsigned need = needs(&mods[i], what, max_age_ms, now);
		if (!need)
			continue;
		if (prepare(st, &mods[i], need, o, &jobs[nj], err)) {
			inv_modules_free(mods, nm);
			jobs_free(jobs, nj + 1);
			return -1;
		}
		nj++;
	}
	inv_modules_free(mods, nm);

	fpool pool = {.jobs = jobs, .n = nj, .o = o};
	atomic_init(&pool.next, 0);
	size_t nt = o && o->max_parallel > 0 ? (size_t)o->max_parallel : nj;
	if (nt > INV_PARALLEL_MAX)
		nt = INV_PARALLEL_MAX;
	if (nt > nj)
		nt = nj;
	pthread_t th[INV_PARALLEL_MAX];
	size_t started = 0;
	/* The calling thread takes a share too: one module needs no thread. */
	for (size_t i = 1; i < nt; i++) {
		if (pthread_create(&th[started], NULL, worker, &pool))
			break;
		started++;
	}
	worker(&pool);
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);

	int rc = write_jobs(st, jobs, nj, err);
	if (fetched)
		*fetched = nj;
	jobs_free(jobs, nj);
	if (rc == 0 && cancelled(o))
		return err_set(err, DC_E_CANCELLED, "cancelled");
	return rc;
}

int inv_invalidate(dc_store *st, int64_t module_id, dc_err *err)
{
	int64_t now = inv_now_ms();
	if (store_begin(st, err))
		return -1;
	sqlite3_stmt *s =
	    prep(st,
	         module_id ? "INSERT OR IGNORE INTO inv_module(module_id) "
	                     "SELECT id FROM module WHERE id = ?1"
	                   : "INSERT OR IGNORE INTO inv_module(module_id) "
	                     "SELECT id FROM module",
	         err);
	if (!s)
		goto fail;
	if (module_id)
		sqlite3_bind_int64(s, 1, module_id);
	if (done(st, s, err))
		goto fail;
	s = prep(st,
	         module_id ? "UPDATE inv_module SET invalidated_at = ?2 WHERE "
	                     "module_id = ?1"
	                   : "UPDATE inv_module SET invalidated_at = ?2",
	         err);
	if (!s)
		goto fail;
	if (module_id)
		sqlite3_bind_int64(s, 1, module_id);
	sqlite3_bind_int64(s, 2, now);
	if (done(st, s, err))
		goto fail;
	return store_commit(st, err);
fail:
	store_rollback(st);
	return -1;
}

/* ---- loading ---------------------------------------------------------- */

static void col_text(sqlite3_stmt *s, int col, char *buf, size_t len)
{
	const char *t = (const char *)sqlite3_column_text(s, col);
	dc_strlcpy(buf, t ? t : "", len);
}

static int load_names(dc_store *st, int64_t id, const char *kind, char ***out,
                      size_t *nout, dc_err *err)
{
	sqlite3_stmt *s = prep(st,
	                       "SELECT name FROM inv_name WHERE module_id = ?1 "
	                       "AND kind = ?2 ORDER BY name",
	                       err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s, 0);
		if (push_name(out, nout, &cap, t ? t : "")) {
			sqlite3_finalize(s);
			return err_set(err, DC_E_NOMEM, "out of memory");
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_sqlerr(st, err, "inventory");
	return 0;
}

static int load_counts(dc_store *st, inv_module *m, dc_err *err)
{
	sqlite3_stmt *s = prep(st,
	                       "SELECT server_type, ram_mib, total, free FROM "
	                       "inv_count WHERE module_id = ?1 ORDER BY "
	                       "server_type, ram_mib",
	                       err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, m->module_id);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (m->ncounts == cap) {
			size_t c = cap ? cap * 2 : 8;
			inv_count *nv = realloc(m->counts, c * sizeof(*nv));
			if (!nv) {
				sqlite3_finalize(s);
				return err_set(err, DC_E_NOMEM,
				               "out of memory");
			}
			m->counts = nv;
			cap = c;
		}
		inv_count *c = &m->counts[m->ncounts++];
		col_text(s, 0, c->type, sizeof(c->type));
		c->ram_mib = sqlite3_column_int64(s, 1);
		c->total = (long)sqlite3_column_int64(s, 2);
		c->free = (long)sqlite3_column_int64(s, 3);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_sqlerr(st, err, "inventory");
	return 0;
}

static int load_one(dc_store *st, const dc_module *mod, inv_module *m,
                    dc_err *err)
{
	memset(m, 0, sizeof(*m));
	m->module_id = mod->id;
	dc_strlcpy(m->name, mod->name, sizeof(m->name));
	dc_strlcpy(m->url, mod->url, sizeof(m->url));
	m->enabled = mod->enabled;
	m->sorting = mod->sorting;
	m->ipmgr_id = mod->ipmgr_id;
	m->check = mod->check;

	dc_conn ipm;
	bool have_ipm = ipmgr_get(st, mod->ipmgr_id, &ipm, NULL) == 0;

	sqlite3_stmt *s =
	    prep(st,
	         "SELECT url, servers_at, servers_ms, tried_at, error, "
	         "invalidated_at, os_at, os_error, ipm_url, iptypes_at, "
	         "iptypes_error FROM inv_module WHERE module_id = ?1",
	         err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, mod->id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		sqlite3_finalize(s);
		return 0;
	}
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		return store_sqlerr(st, err, "inventory");
	}
	const char *url = (const char *)sqlite3_column_text(s, 0);
	const char *ipm_url = (const char *)sqlite3_column_text(s, 8);
	bool dci_same = url && !strcmp(url, mod->url);
	bool ipm_same = have_ipm && ipm_url && !strcmp(ipm_url, ipm.url);
	m->invalidated_at = sqlite3_column_int64(s, 5);
	if (dci_same) {
		m->servers.at = sqlite3_column_int64(s, 1);
		m->servers.ms = sqlite3_column_int64(s, 2);
		m->servers.tried_at = sqlite3_column_int64(s, 3);
		col_text(s, 4, m->servers.error, sizeof(m->servers.error));
		m->os.at = m->os.tried_at = sqlite3_column_int64(s, 6);
		col_text(s, 7, m->os.error, sizeof(m->os.error));
		m->stale =
		    m->invalidated_at && m->invalidated_at >= m->servers.at;
	}
	if (ipm_same) {
		m->iptypes.at = m->iptypes.tried_at =
		    sqlite3_column_int64(s, 9);
		col_text(s, 10, m->iptypes.error, sizeof(m->iptypes.error));
	}
	sqlite3_finalize(s);
	if (dci_same &&
	    (load_counts(st, m, err) ||
	     load_names(st, m->module_id, "os", &m->os_names, &m->nos, err)))
		return -1;
	if (ipm_same && load_names(st, m->module_id, "iptype", &m->iptype_names,
	                           &m->niptypes, err))
		return -1;
	return 0;
}

int inv_load(dc_store *st, const int64_t *ids, size_t n, inv_module **out,
             size_t *nout, dc_err *err)
{
	dc_module *mods = NULL;
	size_t nm = 0;
	*out = NULL;
	*nout = 0;
	if (ids) {
		nm = n;
		mods = calloc(n ? n : 1, sizeof(*mods));
		if (!mods)
			return err_set(err, DC_E_NOMEM, "out of memory");
		for (size_t i = 0; i < n; i++)
			if (module_get(st, ids[i], &mods[i], err)) {
				free(mods);
				return -1;
			}
	} else if (module_list(st, &mods, &nm, err)) {
		return -1;
	}
	inv_module *v = calloc(nm ? nm : 1, sizeof(*v));
	if (!v) {
		free(mods);
		return err_set(err, DC_E_NOMEM, "out of memory");
	}
	for (size_t i = 0; i < nm; i++)
		if (load_one(st, &mods[i], &v[i], err)) {
			inv_modules_free(v, i + 1);
			free(mods);
			return -1;
		}
	free(mods);
	*out = v;
	*nout = nm;
	return 0;
}

void inv_modules_free(inv_module *m, size_t n)
{
	for (size_t i = 0; m && i < n; i++) {
		free(m[i].counts);
		free_names(m[i].os_names, m[i].nos);
		free_names(m[i].iptype_names, m[i].niptypes);
	}
	free(m);
}

const inv_module *inv_find(const inv_module *m, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (m[i].module_id == id)
			return &m[i];
	return NULL;
}

long inv_free(const inv_module *m, const char *type, int64_t min_ram)
{
	long k = 0;
	for (size_t i = 0; i < m->ncounts; i++) {
		const inv_count *c = &m->counts[i];
		if (strcmp(c->type, type))
			continue;
		if (min_ram > 0 && c->ram_mib < min_ram)
			continue;
		k += c->free;
	}
	return k;
}

long inv_total(const inv_module *m, const char *type)
{
	long k = 0;
	for (size_t i = 0; i < m->ncounts; i++)
		if (!strcmp(m->counts[i].type, type))
			k += m->counts[i].total;
	return k;
}

size_t inv_types(const inv_module *m, const char **out, size_t max)
{
	size_t k = 0;
	/* counts are sorted by type: distinct types are runs. */
	for (size_t i = 0; i < m->ncounts && k < max; i++)
		if (!k || strcmp(out[k - 1], m->counts[i].type))
			out[k++] = m->counts[i].type;
	return k;
}

int inv_types_union(const inv_module *m, size_t n, const char ***out,
                    size_t *nout, dc_err *err)
{
	size_t cap = 0;
	for (size_t i = 0; i < n; i++)
		cap += m[i].ncounts;
	const char **v = calloc(cap ? cap : 1, sizeof(*v));
	if (!v)
		return err_set(err, DC_E_NOMEM, "out of memory");
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += inv_types(&m[i], v + k, cap - k);
	qsort(v, k, sizeof(*v), cmp_str);
	size_t u = 0;
	for (size_t i = 0; i < k; i++)
		if (!u || strcmp(v[u - 1], v[i]))
			v[u++] = v[i];
	*out = v;
	*nout = u;
	return 0;
}

int inv_facts_view(const inv_module *m, tariff_module_facts *f,
                   const char ***types, dc_err *err)
{
	memset(f, 0, sizeof(*f));
	*types = calloc(m->ncounts ? m->ncounts : 1, sizeof(**types));
	if (!*types)
		return err_set(err, DC_E_NOMEM, "out of memory");
	f->module = m->name;
	f->known = m->servers.at && !m->servers.error[0] && m->os.at &&
	           !m->os.error[0] && m->iptypes.at && !m->iptypes.error[0];
	f->nserver_types = inv_types(m, *types, m->ncounts);
	f->server_types = *types;
	f->os_templates = (const char *const *)m->os_names;
	f->nos_templates = m->nos;
	f->iptypes = (const char *const *)m->iptype_names;
	f->niptypes = m->niptypes;
	return 0;
}

/* Why module m's facts are not known, for refusals: the first error. */
static const char *why_unknown(const inv_module *m)
{
	if (m->servers.error[0])
		return m->servers.error;
	if (m->os.error[0])
		return m->os.error;
	if (m->iptypes.error[0])
		return m->iptypes.error;
	return "not fetched";
}

int inv_check_tariff(dc_store *st, const dc_tariff *t, const dc_addon *addons,
                     int64_t max_age_ms, const inv_opts *o, dc_err *err)
{
	inv_module *m = NULL;
	size_t n = 0;
	if (t->nmodules == 0)
		return tariff_check_facts(t, addons, NULL, 0, err);
	if (inv_fetch(st, t->modules, t->nmodules, INV_ALL, max_age_ms, o, NULL,
	              err) ||
	    inv_load(st, t->modules, t->nmodules, &m, &n, err))
		return -1;
	tariff_module_facts *f = calloc(n, sizeof(*f));
	const char ***types = calloc(n, sizeof(*types));
	int rc = -1;
	if (!f || !types) {
		err_set(err, DC_E_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (inv_facts_view(&m[i], &f[i], &types[i], err))
			goto out;
	rc = tariff_check_facts(t, addons, f, n, err);
	if (rc) {
		/* Say why a module could not be asked: the operator's next
		 * question. */
		for (size_t i = 0; i < n; i++)
			if (!f[i].known) {
				char why[DC_MSG_MAX + 80];
				snprintf(why, sizeof(why), " [%s: %s]",
				         m[i].name, why_unknown(&m[i]));
				size_t l = strlen(err->msg);
				dc_strlcpy(err->msg + l, why,
				           sizeof(err->msg) - l);
				break;
			}
	}
out:
	for (size_t i = 0; types && i < n; i++)
		free(types[i]);
	free(types);
	free(f);
	inv_modules_free(m, n);
	return rc;
}

/* The next item of a comma-separated list at *cursor; 0 at the end. */
static int next_item(char item[DC_VALUE_MAX], const char **cursor)
{
	const char *p = *cursor;
	if (!p || !*p)
		return 0;
	const char *e = strchr(p, ',');
	size_t n = e ? (size_t)(e - p) : strlen(p);
	if (n >= DC_VALUE_MAX)
		n = DC_VALUE_MAX - 1;
	memcpy(item, p, n);
	item[n] = '\0';
	*cursor = e ? e + 1 : p + strlen(p);
	return 1;
}

static bool has_name(char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

int inv_check_addon(dc_store *st, const dc_addon *a, int64_t max_age_ms,
                    const inv_opts *o, bool *unchecked, dc_err *err)
{
	bool os = a->kind_id == DC_ADDON_OS;
	*unchecked = false;
	if (!os && a->kind_id != DC_ADDON_SPECIAL_IP)
		return 0;
	inv_module *m = NULL;
	size_t n = 0;
	if (inv_fetch(st, NULL, 0, os ? INV_OS : INV_IPTYPES, max_age_ms, o,
	              NULL, err) ||
	    inv_load(st, NULL, 0, &m, &n, err))
		return -1;
	int rc = 0;
	char asked[300] = "", failed[400] = "";
	size_t nasked = 0;
	for (size_t i = 0; i < n; i++) {
		if (!m[i].enabled)
			continue;
		const inv_stamp *sp = os ? &m[i].os : &m[i].iptypes;
		size_t l;
		if (!sp->at || sp->error[0]) {
			l = strlen(failed);
			snprintf(failed + l, sizeof(failed) - l, "%s%s: %s",
			         l ? "; " : "", m[i].name,
			         sp->error[0] ? sp->error : "not fetched");
			continue;
		}
		l = strlen(asked);
		snprintf(asked + l, sizeof(asked) - l, "%s%s", l ? ", " : "",
		         m[i].name);
		nasked++;
	}
	if (nasked == 0) {
		if (!failed[0]) {
			*unchecked = true;
			goto out;
		}
		rc = err_field(err, DC_E_INVALID, os ? "values" : "kind",
		               "%s cannot be checked: no module answered (%s)",
		               a->name, failed);
		goto out;
	}
	if (!os) {
		for (size_t i = 0; i < n; i++)
			if (m[i].enabled && m[i].iptypes.at &&
			    !m[i].iptypes.error[0] &&
			    has_name(m[i].iptype_names, m[i].niptypes,
			             a->iptype))
				goto out;
		rc = err_field(err, DC_E_INVALID, "kind",
		               "IP type \"%s\" does not exist in the IPmanager "
		               "of any module (checked: %s); create it in "
		               "IPmanager first",
		               a->iptype, asked);
		goto out;
	}
	const dc_addon_values *v = &a->v;
	const char *cur = v->billing == DC_BILL_CLIENT ? v->list : v->value;
	char item[DC_VALUE_MAX];
	while (next_item(item, &cur)) {
		bool found = false;
		for (size_t i = 0; i < n && !found; i++)
			found = m[i].enabled && m[i].os.at &&
			        !m[i].os.error[0] &&
			        has_name(m[i].os_names, m[i].nos, item);
		if (found)
			continue;
		/* The first answering module's templates, as a hint. */
		char have[240] = "";
		for (size_t i = 0; i < n; i++) {
			if (!m[i].enabled || !m[i].os.at || m[i].os.error[0])
				continue;
			for (size_t k = 0; k < m[i].nos; k++) {
				size_t l = strlen(have);
				snprintf(have + l, sizeof(have) - l, "%s%s",
				         l ? ", " : "", m[i].os_names[k]);
			}
			break;
		}
		rc =
		    err_field(err, DC_E_INVALID, "values",
		              "OS template \"%s\" does not exist on any module "
		              "(checked: %s; templates: %s)",
		              item, asked, have);
		goto out;
	}
out:
	inv_modules_free(m, n);
	return rc;
}
