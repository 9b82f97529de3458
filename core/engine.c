/* engine.c - the journal, the run loop (forward, back-off, rollback),
 * leases, panel handles and the orders that start operations; see
 * engine.h. The steps themselves are in engine_open.c and
 * engine_close.c. */
#include "engine_int.h"

#include "avail.h"
#include "tariff.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

static const char *const kind_names[OPK_COUNT] = {
    "open", "suspend", "resume", "reinstall", "close",
};
static const char *const state_names[OPS_COUNT] = {
    "pending", "running", "done", "failed", "rolling_back", "rolled_back",
};
static const char *const step_names[STEP_STATE_COUNT] = {
    "pending", "running", "done", "failed", "skipped", "undone",
};

const char *op_kind_name(op_kind k)
{
	return k < OPK_COUNT ? kind_names[k] : "?";
}

int op_kind_parse(const char *s, op_kind *out)
{
	for (int i = 0; s && i < OPK_COUNT; i++)
		if (!strcmp(s, kind_names[i])) {
			*out = (op_kind)i;
			return 0;
		}
	return -1;
}

const char *op_state_name(op_state s)
{
	return s < OPS_COUNT ? state_names[s] : "?";
}

int op_state_parse(const char *s, op_state *out)
{
	for (int i = 0; s && i < OPS_COUNT; i++)
		if (!strcmp(s, state_names[i])) {
			*out = (op_state)i;
			return 0;
		}
	return -1;
}

const char *step_state_name(step_state s)
{
	return s < STEP_STATE_COUNT ? step_names[s] : "?";
}

static int step_state_parse(const char *s, step_state *out)
{
	for (int i = 0; s && i < STEP_STATE_COUNT; i++)
		if (!strcmp(s, step_names[i])) {
			*out = (step_state)i;
			return 0;
		}
	return -1;
}

const eng_step_def *eng_steps(op_kind k, size_t *n)
{
	switch (k) {
	case OPK_OPEN:
		*n = eng_open_nsteps;
		return eng_open_steps;
	case OPK_SUSPEND:
		*n = eng_suspend_nsteps;
		return eng_suspend_steps;
	case OPK_RESUME:
		*n = eng_resume_nsteps;
		return eng_resume_steps;
	case OPK_REINSTALL:
		*n = eng_reinstall_nsteps;
		return eng_reinstall_steps;
	case OPK_CLOSE:
		*n = eng_close_nsteps;
		return eng_close_steps;
	default:
		*n = 0;
		return NULL;
	}
}

size_t op_step_count(op_kind k)
{
	size_t n;
	eng_steps(k, &n);
	return n;
}

const char *op_step_name(op_kind k, size_t i)
{
	size_t n;
	const eng_step_def *d = eng_steps(k, &n);
	return d && i < n ? d[i].name : NULL;
}

const char *op_step_title(op_kind k, size_t i)
{
	size_t n;
	const eng_step_def *d = eng_steps(k, &n);
	return d && i < n ? d[i].title : NULL;
}

/* ---- small SQLite helpers ----------------------------------------------- */

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

static int finish(dc_store *st, sqlite3_stmt *s, dc_err *err)
{
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_sqlerr(st, err, "journal write");
	return 0;
}

static void col_text(sqlite3_stmt *s, int c, char *buf, size_t len)
{
	const char *t = (const char *)sqlite3_column_text(s, c);
	dc_strlcpy(buf, t ? t : "", len);
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

static void host_name(char *buf, size_t len)
{
	if (gethostname(buf, len) != 0)
		dc_strlcpy(buf, "localhost", len);
	buf[len - 1] = '\0';
	/* The colon separates the parts of the owner string. */
	for (char *p = buf; *p; p++)
		if (*p == ':')
			*p = '_';
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- reading the journal ---------------------------------------------------
 */

#define OP_COLS                                                                \
	"id, kind, service_id, state, step, "                                  \
	"coalesce(json_extract(params, '$.dir'), 'forward'), error, "          \
	"lease_owner, lease_until, created_at, updated_at, finished_at "       \
	"FROM operation "

static void read_op(sqlite3_stmt *s, dc_operation *o)
{
	memset(o, 0, sizeof(*o));
	o->id = sqlite3_column_int64(s, 0);
	char t[32];
	col_text(s, 1, t, sizeof(t));
	if (op_kind_parse(t, &o->kind))
		o->kind = OPK_OPEN;
	o->service_id = sqlite3_column_int64(s, 2);
	col_text(s, 3, t, sizeof(t));
	if (op_state_parse(t, &o->state))
		o->state = OPS_FAILED;
	o->step = sqlite3_column_int(s, 4);
	col_text(s, 5, t, sizeof(t));
	o->rollback = !strcmp(t, "rollback");
	col_text(s, 6, o->error, sizeof(o->error));
	col_text(s, 7, o->lease_owner, sizeof(o->lease_owner));
	o->lease_until = sqlite3_column_int64(s, 8);
	o->created_at = sqlite3_column_int64(s, 9);
	o->updated_at = sqlite3_column_int64(s, 10);
	o->finished_at = sqlite3_column_int64(s, 11);
}

static int read_steps(dc_store *st, dc_operation *o, dc_err *err)
{
	sqlite3_stmt *s = prep(st,
	                       "SELECT idx, name, state, attempts, last_error, "
	                       "started_at, finished_at FROM op_step WHERE "
	                       "op_id = ? ORDER BY idx",
	                       err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, o->id);
	int rc;
	o->nsteps = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW &&
	       o->nsteps < OP_STEPS_MAX) {
		op_step *p = &o->steps[o->nsteps++];
		memset(p, 0, sizeof(*p));
		p->idx = sqlite3_column_int(s, 0);
		col_text(s, 1, p->name, sizeof(p->name));
		char t[16];
		col_text(s, 2, t, sizeof(t));
		if (step_state_parse(t, &p->state))
			p->state = STEP_FAILED;
		p->attempts = sqlite3_column_int(s, 3);
		col_text(s, 4, p->last_error, sizeof(p->last_error));
		p->started_at = sqlite3_column_int64(s, 5);
		p->finished_at = sqlite3_column_int64(s, 6);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_sqlerr(st, err, "read steps");
	return 0;
}

int operation_get(dc_store *st, int64_t id, dc_operation *out, dc_err *err)
{
	sqlite3_stmt *s = prep(st, "SELECT " OP_COLS "WHERE id = ?", err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		read_op(s, out);
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return err_set(err, DC_E_NOTFOUND,
		               "no operation with id %" PRId64, id);
	if (rc != SQLITE_ROW)
		return store_sqlerr(st, err, "read operation");
	return read_steps(st, out, err);
}

int operation_list(dc_store *st, const op_filter *f, dc_operation **out,
                   size_t *n, dc_err *err)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *s = prep(st,
	                       "SELECT " OP_COLS
	                       "WHERE (?1 = 0 OR service_id = ?1) AND (?2 = 0 "
	                       "OR state NOT IN ('done', 'rolled_back')) "
	                       "ORDER BY id DESC LIMIT ?3",
	                       err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, f ? f->service_id : 0);
	sqlite3_bind_int(s, 2, f && f->unfinished_only);
	sqlite3_bind_int64(s, 3, f && f->limit ? (int64_t)f->limit : -1);
	dc_operation *v = NULL;
	size_t cnt = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (cnt == cap) {
			size_t nc = cap ? cap * 2 : 8;
			dc_operation *nv = realloc(v, nc * sizeof(*v));
			if (!nv) {
				sqlite3_finalize(s);
				free(v);
				return err_set(err, DC_E_NOMEM,
				               "out of memory");
			}
			v = nv;
			cap = nc;
		}
		read_op(s, &v[cnt++]);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(v);
		return store_sqlerr(st, err, "list operations");
	}
	for (size_t i = 0; i < cnt; i++)
		if (read_steps(st, &v[i], err)) {
			free(v);
			return -1;
		}
	*out = v;
	*n = cnt;
	return 0;
}

int operation_unfinished(dc_store *st, int64_t service_id, int64_t *op_id,
                         dc_err *err)
{
	*op_id = 0;
	sqlite3_stmt *s = prep(st,
	                       "SELECT id FROM operation WHERE service_id = ? "
	                       "AND state NOT IN ('done', 'rolled_back') ORDER "
	                       "BY id DESC LIMIT 1",
	                       err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, service_id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*op_id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlerr(st, err, "read operations");
	return 0;
}

/* ---- the engine object ------------------------------------------------------
 */

void engine_opts_default(engine_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->backoff_ms = 500;
	o->backoff_max_ms = 30000;
	o->attempts = 5;
	o->poll_ms = 2000;
	o->install_timeout_ms = 2L * 3600 * 1000;
	o->power_timeout_ms = 10L * 60 * 1000;
	o->claim_settle_ms = 2000;
	o->lease_ms = 5L * 60 * 1000;
	o->type_public = "public";
	o->type_private = "private";
	o->type_ipv6 = "ipv6";
	o->licence_period = "1";
}

engine *engine_new(dc_store *st, const engine_opts *o, dc_err *err)
{
	engine *e = calloc(1, sizeof(*e));
	if (!e) {
		err_set(err, DC_E_NOMEM, "out of memory");
		return NULL;
	}
	e->st = st;
	if (o)
		e->o = *o;
	else
		engine_opts_default(&e->o);
	engine_opts d;
	engine_opts_default(&d);
	/* Zero means "default" for every tuning knob but the delays, where
	 * tests and benchmarks ask for 0 on purpose. */
	if (e->o.attempts <= 0)
		e->o.attempts = d.attempts;
	if (e->o.backoff_ms < 0)
		e->o.backoff_ms = 0;
	if (e->o.backoff_max_ms <= 0)
		e->o.backoff_max_ms = d.backoff_max_ms;
	if (e->o.poll_ms < 0)
		e->o.poll_ms = 0;
	if (e->o.install_timeout_ms <= 0)
		e->o.install_timeout_ms = d.install_timeout_ms;
	if (e->o.power_timeout_ms <= 0)
		e->o.power_timeout_ms = d.power_timeout_ms;
	if (e->o.claim_settle_ms < 0)
		e->o.claim_settle_ms = 0;
	if (e->o.lease_ms <= 0)
		e->o.lease_ms = d.lease_ms;
	if (!e->o.type_public)
		e->o.type_public = d.type_public;
	if (!e->o.type_private)
		e->o.type_private = d.type_private;
	if (!e->o.type_ipv6)
		e->o.type_ipv6 = d.type_ipv6;
	if (!e->o.licence_period)
		e->o.licence_period = d.licence_period;
	if (service_store_tag(st, e->tag, err)) {
		free(e);
		return NULL;
	}
	host_name(e->host, sizeof(e->host));
	unsigned char nonce[4];
	if (RAND_bytes(nonce, sizeof(nonce)) != 1)
		memset(nonce, 0, sizeof(nonce));
	snprintf(e->lease_owner, sizeof(e->lease_owner),
	         "%s:%ld:%02x%02x%02x%02x", e->host, (long)getpid(), nonce[0],
	         nonce[1], nonce[2], nonce[3]);
	return e;
}

void engine_free(engine *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->npanels; i++)
		panel_free(e->panels[i].p);
	free(e);
}

dc_store *engine_store(engine *e)
{
	return e->st;
}

const char *engine_tag(const engine *e)
{
	return e->tag;
}

/* ---- panels ------------------------------------------------------------- */

static panel *open_panel(engine *e, int kind, int64_t id, dc_err *err)
{
	for (size_t i = 0; i < e->npanels; i++)
		if (e->panels[i].kind == kind && e->panels[i].id == id)
			return e->panels[i].p;
	if (e->npanels == ENG_PANELS_MAX) {
		err_set(err, DC_E_NOMEM, "too many panels open at once");
		return NULL;
	}
	char url[DC_URL_MAX], user[DC_USER_MAX], ca[DC_PATH_MAX];
	bool insecure;
	char *pw = NULL;
	if (kind == ENG_PANEL_DCI) {
		dc_module m;
		if (module_get(e->st, id, &m, err))
			return NULL;
		dc_strlcpy(url, m.url, sizeof(url));
		dc_strlcpy(user, m.username, sizeof(user));
		dc_strlcpy(ca, m.cafile, sizeof(ca));
		insecure = m.insecure;
		pw = module_password(e->st, id, err);
	} else {
		dc_conn c;
		if ((kind == ENG_PANEL_IPM ? ipmgr_get(e->st, id, &c, err)
		                           : licsrv_get(e->st, id, &c, err)))
			return NULL;
		dc_strlcpy(url, c.url, sizeof(url));
		dc_strlcpy(user, c.username, sizeof(user));
		dc_strlcpy(ca, c.cafile, sizeof(ca));
		insecure = c.insecure;
		pw = kind == ENG_PANEL_IPM ? ipmgr_password(e->st, id, err)
		                           : licsrv_password(e->st, id, err);
	}
	if (!pw)
		return NULL;
	panel_opts po = {
	    .url = url,
	    .username = user,
	    .password = pw,
	    .cafile = ca[0] ? ca : NULL,
	    .insecure = insecure,
	    .auth_mode = PANEL_AUTH_SESSION,
	    .connect_timeout_ms = e->o.http_connect_timeout_ms,
	    .timeout_ms = e->o.http_timeout_ms,
	    .body_cap = e->o.xml_max_body,
	    .log = e->o.log,
	};
	panel *p = panel_new(&po, err);
	secret_free(pw);
	if (!p)
		return NULL;
	e->panels[e->npanels++] = (eng_panel){kind, id, p};
	return p;
}

panel *engine_panel_dci(engine *e, int64_t module_id, dc_err *err)
{
	return open_panel(e, ENG_PANEL_DCI, module_id, err);
}

panel *engine_panel_ipm(engine *e, int64_t ipmgr_id, dc_err *err)
{
	return open_panel(e, ENG_PANEL_IPM, ipmgr_id, err);
}

int eng_load_module(eng_ctx *c, int64_t module_id, dc_err *err)
{
	/* 0: the service's module, or the one loaded (a claim trying a
	 * module before the service records it). */
	if (!module_id)
		module_id = c->svc.module_id ? c->svc.module_id
		                             : (c->have_mod ? c->mod.id : 0);
	if (!module_id) {
		c->have_mod = false;
		return err_set(err, DC_E_NOTFOUND,
		               "service %" PRId64 " has no module yet",
		               c->svc.id);
	}
	if (c->have_mod && c->mod.id == module_id)
		return 0;
	if (module_get(c->e->st, module_id, &c->mod, err)) {
		c->have_mod = false;
		return -1;
	}
	c->have_mod = true;
	return 0;
}

panel *eng_dci(eng_ctx *c, dc_err *err)
{
	if (eng_load_module(c, 0, err))
		return NULL;
	return open_panel(c->e, ENG_PANEL_DCI, c->mod.id, err);
}

panel *eng_ipm(eng_ctx *c, dc_err *err)
{
	if (eng_load_module(c, 0, err))
		return NULL;
	return open_panel(c->e, ENG_PANEL_IPM, c->mod.ipmgr_id, err);
}

panel *eng_lic(eng_ctx *c, dc_err *err)
{
	if (eng_load_module(c, 0, err))
		return NULL;
	if (!c->mod.licsrv_id) {
		err_set(err, DC_E_INVALID,
		        "module %s has no licence server, but the service "
		        "has a control-panel licence",
		        c->mod.name);
		return NULL;
	}
	return open_panel(c->e, ENG_PANEL_LIC, c->mod.licsrv_id, err);
}

/* ---- helpers for the steps ---------------------------------------------- */

void eng_mutated(eng_ctx *c, const char *func)
{
	c->e->mutations++;
	if (c->e->o.hook) {
		engine_hook_ev ev = {
		    .op_id = c->op.id,
		    .kind = c->op.kind,
		    .step = c->step,
		    .rollback = c->rollback,
		    .at = ENGINE_AT_MUTATION,
		    .mutation = c->e->mutations,
		    .func = func,
		};
		c->e->o.hook(c->e->o.hook_user, &ev);
	}
}

static void hook(eng_ctx *c, engine_hook_at at)
{
	if (!c->e->o.hook)
		return;
	engine_hook_ev ev = {
	    .op_id = c->op.id,
	    .kind = c->op.kind,
	    .step = c->step,
	    .rollback = c->rollback,
	    .at = at,
	    .mutation = c->e->mutations,
	};
	c->e->o.hook(c->e->o.hook_user, &ev);
}

static bool cancelled(const engine *e)
{
	return e->o.cancel && *e->o.cancel;
}

int eng_sleep(engine *e, long ms, dc_err *err)
{
	int64_t end = mono_ms() + ms;
	for (;;) {
		if (cancelled(e))
			return err_set(err, DC_E_CANCELLED, "cancelled");
		int64_t left = end - mono_ms();
		if (left <= 0)
			return 0;
		if (left > 50)
			left = 50;
		struct timespec ts = {0, (long)left * 1000000L};
		nanosleep(&ts, NULL);
	}
}

static void progress(eng_ctx *c, step_state st, const char *msg)
{
	if (!c->e->o.progress)
		return;
	engine_progress p = {
	    .op_id = c->op.id,
	    .service_id = c->op.service_id,
	    .kind = c->op.kind,
	    .step = c->idx,
	    .step_name = c->step ? c->step : "",
	    .state = st,
	    .op_state = c->op.state,
	    .attempt = c->idx >= 0 && (size_t)c->idx < c->op.nsteps
	                   ? c->op.steps[c->idx].attempts
	                   : 0,
	    .rollback = c->rollback,
	    .msg = msg ? msg : "",
	};
	c->e->o.progress(c->e->o.progress_user, &p);
}

void eng_say(eng_ctx *c, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	progress(c, STEP_RUNNING, buf);
}

int eng_begin(eng_ctx *c, dc_err *err)
{
	return store_begin(c->e->st, err);
}

int eng_commit(eng_ctx *c, dc_err *err)
{
	return store_commit(c->e->st, err);
}

void eng_abort(eng_ctx *c)
{
	store_rollback(c->e->st);
}

/* Renews the lease inside the caller's transaction. */
static int lease_renew_tx(eng_ctx *c, dc_err *err)
{
	sqlite3_stmt *s = prep(c->e->st,
	                       "UPDATE operation SET lease_owner = ?, "
	                       "lease_until = ?, updated_at = ? WHERE id = ?",
	                       err);
	if (!s)
		return -1;
	bind_text(s, 1, c->e->lease_owner);
	sqlite3_bind_int64(s, 2, now_s() + (c->e->o.lease_ms + 999) / 1000);
	sqlite3_bind_int64(s, 3, now_s());
	sqlite3_bind_int64(s, 4, c->op.id);
	return finish(c->e->st, s, err);
}

int eng_touch(eng_ctx *c, dc_err *err)
{
	if (eng_begin(c, err))
		return -1;
	if (lease_renew_tx(c, err)) {
		eng_abort(c);
		return -1;
	}
	return eng_commit(c, err);
}

/* ---- step data ---------------------------------------------------------- */

static int step_idx(eng_ctx *c, const char *step)
{
	if (!step)
		return c->idx;
	for (size_t i = 0; i < c->op.nsteps; i++)
		if (!strcmp(c->op.steps[i].name, step))
			return (int)i;
	return -1;
}

static int data_get(eng_ctx *c, const char *step, const char *key,
                    sqlite3_stmt **out, dc_err *err)
{
	int idx = step_idx(c, step);
	if (idx < 0)
		return err_set(err, DC_E_NOTFOUND, "no step %s", step);
	sqlite3_stmt *s = prep(c->e->st,
	                       "SELECT json_extract(data, '$.' || "
	                       "json_quote(?)) FROM op_step WHERE op_id = ? "
	                       "AND idx = ?",
	                       err);
	if (!s)
		return -1;
	bind_text(s, 1, key);
	sqlite3_bind_int64(s, 2, c->op.id);
	sqlite3_bind_int(s, 3, idx);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		sqlite3_finalize(s);
		return store_sqlerr(c->e->st, err, "read step data");
	}
	if (rc == SQLITE_DONE) {
		sqlite3_finalize(s);
		*out = NULL;
		return 0;
	}
	*out = s;
	return 0;
}

int eng_data_text(eng_ctx *c, const char *step, const char *key, char *buf,
                  size_t len, bool *found, dc_err *err)
{
	sqlite3_stmt *s;
	if (len)
		buf[0] = '\0';
	*found = false;
	if (data_get(c, step, key, &s, err))
		return -1;
	if (s) {
		*found = sqlite3_column_type(s, 0) != SQLITE_NULL;
		col_text(s, 0, buf, len);
		sqlite3_finalize(s);
	}
	return 0;
}

int eng_data_int(eng_ctx *c, const char *step, const char *key, long long *v,
                 bool *found, dc_err *err)
{
	sqlite3_stmt *s;
	*v = 0;
	*found = false;
	if (data_get(c, step, key, &s, err))
		return -1;
	if (s) {
		*found = sqlite3_column_type(s, 0) != SQLITE_NULL;
		*v = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	return 0;
}

static int data_set(eng_ctx *c, const char *key, const char *tv, long long iv,
                    bool is_int, bool del, dc_err *err)
{
	sqlite3_stmt *s =
	    prep(c->e->st,
	         del ? "UPDATE op_step SET data = json_remove(data, '$.' || "
	               "json_quote(?1)) WHERE op_id = ?3 AND idx = ?4"
	             : "UPDATE op_step SET data = json_set(data, '$.' || "
	               "json_quote(?1), ?2) WHERE op_id = ?3 AND idx = ?4",
	         err);
	if (!s)
		return -1;
	bind_text(s, 1, key);
	if (!del) {
		if (is_int)
			sqlite3_bind_int64(s, 2, iv);
		else
			bind_text(s, 2, tv);
	}
	sqlite3_bind_int64(s, 3, c->op.id);
	sqlite3_bind_int(s, 4, c->idx);
	return finish(c->e->st, s, err);
}

int eng_data_set_text_tx(eng_ctx *c, const char *key, const char *v,
                         dc_err *err)
{
	return data_set(c, key, v, 0, false, false, err);
}

int eng_data_set_int_tx(eng_ctx *c, const char *key, long long v, dc_err *err)
{
	return data_set(c, key, NULL, v, true, false, err);
}

int eng_data_del_tx(eng_ctx *c, const char *key, dc_err *err)
{
	return data_set(c, key, NULL, 0, false, true, err);
}

void eng_strs_free(eng_strs *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->k[i]);
		free(s->v[i]);
	}
	free(s->k);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

int eng_data_keys(eng_ctx *c, const char *step, const char *prefix,
                  eng_strs *out, dc_err *err)
{
	memset(out, 0, sizeof(*out));
	int idx = step_idx(c, step);
	if (idx < 0)
		return err_set(err, DC_E_NOTFOUND, "no step %s", step);
	sqlite3_stmt *s = prep(c->e->st,
	                       "SELECT j.key, j.value FROM op_step, "
	                       "json_each(op_step.data) j WHERE op_id = ? AND "
	                       "idx = ? AND substr(j.key, 1, length(?3)) = ?3 "
	                       "ORDER BY j.id",
	                       err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, c->op.id);
	sqlite3_bind_int(s, 2, idx);
	bind_text(s, 3, prefix);
	int rc;
	size_t cap = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (out->n == cap) {
			size_t nc = cap ? cap * 2 : 8;
			char **nk = realloc(out->k, nc * sizeof(char *));
			if (nk)
				out->k = nk;
			char **nv =
			    nk ? realloc(out->v, nc * sizeof(char *)) : NULL;
			if (nv)
				out->v = nv;
			if (!nk || !nv) {
				sqlite3_finalize(s);
				eng_strs_free(out);
				return err_set(err, DC_E_NOMEM,
				               "out of memory");
			}
			cap = nc;
		}
		const char *k = (const char *)sqlite3_column_text(s, 0);
		const char *v = (const char *)sqlite3_column_text(s, 1);
		out->k[out->n] = strdup(k ? k : "");
		out->v[out->n] = strdup(v ? v : "");
		out->n++;
		if (!out->k[out->n - 1] || !out->v[out->n - 1]) {
			sqlite3_finalize(s);
			eng_strs_free(out);
			return err_set(err, DC_E_NOMEM, "out of memory");
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		eng_strs_free(out);
		return store_sqlerr(c->e->st, err, "read step data");
	}
	return 0;
}

/* ---- leases ------------------------------------------------------------- */

/* Is the lease of o held by someone (not `self`) who may still be running
 * it? host: this machine's name as it appears in lease owners. */
static bool lease_live_for(const char *self, const char *myhost,
                           const dc_operation *o)
{
	if (!o->lease_owner[0])
		return false;
	if (self && !strcmp(o->lease_owner, self))
		return false; /* ours */
	if (o->lease_until < now_s())
		return false;
	/* host:pid:nonce - a process of this host that is gone holds
	 * nothing, whatever its lease says (kill -9 leaves leases). */
	char host[64];
	const char *c1 = strchr(o->lease_owner, ':');
	if (!c1 || (size_t)(c1 - o->lease_owner) >= sizeof(host))
		return true;
	memcpy(host, o->lease_owner, (size_t)(c1 - o->lease_owner));
	host[c1 - o->lease_owner] = '\0';
	if (strcmp(host, myhost))
		return true;
	long pid = strtol(c1 + 1, NULL, 10);
	if (pid <= 0)
		return true;
	if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
		return false;
	return true;
}

static bool lease_live(const engine *e, const dc_operation *o)
{
	return lease_live_for(e->lease_owner, e->host, o);
}

bool operation_lease_live(const dc_operation *o)
{
	char host[64];
	host_name(host, sizeof(host));
	return lease_live_for(NULL, host, o);
}

/* Target status of the service when the operation ends done, and the
 * status while it runs. */
static svc_status done_status(op_kind k)
{
	switch (k) {
	case OPK_SUSPEND:
		return SVC_SUSPENDED;
	case OPK_CLOSE:
		return SVC_CLOSED;
	default:
		return SVC_ACTIVE;
	}
}

static int op_param(dc_store *st, int64_t op_id, const char *key, char *buf,
                    size_t len, dc_err *err)
{
	sqlite3_stmt *s = prep(st,
	                       "SELECT json_extract(params, '$.' || "
	                       "json_quote(?)) FROM operation WHERE id = ?",
	                       err);
	if (!s)
		return -1;
	bind_text(s, 1, key);
	sqlite3_bind_int64(s, 2, op_id);
	buf[0] = '\0';
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		col_text(s, 0, buf, len);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE
	           ? 0
	           : store_sqlerr(st, err, "read operation");
}

static svc_status prev_status(eng_ctx *c)
{
	char t[32];
	svc_status s;
	if (op_param(c->e->st, c->op.id, "prev_status", t, sizeof(t), NULL) ||
	    svc_status_parse(t, &s))
		return c->op.kind == OPK_OPEN ? SVC_CLOSED : SVC_ACTIVE;
	return s;
}

static svc_status running_status(eng_ctx *c)
{
	if (c->op.kind == OPK_OPEN)
		return SVC_OPENING;
	if (c->op.kind == OPK_CLOSE)
		return SVC_CLOSING;
	return prev_status(c);
}

static int set_op_state_tx(eng_ctx *c, op_state st, const char *error,
                           bool finished, dc_err *err)
{
	sqlite3_stmt *s = prep(c->e->st,
	                       "UPDATE operation SET state = ?, error = ?, "
	                       "updated_at = ?, finished_at = ?, params = "
	                       "json_set(params, '$.dir', ?) WHERE id = ?",
	                       err);
	if (!s)
		return -1;
	bind_text(s, 1, op_state_name(st));
	bind_text(s, 2, error && *error ? error : NULL);
	sqlite3_bind_int64(s, 3, now_s());
	if (finished)
		sqlite3_bind_int64(s, 4, now_s());
	else
		sqlite3_bind_null(s, 4);
	bind_text(s, 5, c->rollback ? "rollback" : "forward");
	sqlite3_bind_int64(s, 6, c->op.id);
	if (finish(c->e->st, s, err))
		return -1;
	c->op.state = st;
	return 0;
}

static int clear_lease_tx(eng_ctx *c, dc_err *err)
{
	sqlite3_stmt *s = prep(c->e->st,
	                       "UPDATE operation SET lease_owner = NULL, "
	                       "lease_until = NULL WHERE id = ? AND "
	                       "lease_owner = ?",
	                       err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, c->op.id);
	bind_text(s, 2, c->e->lease_owner);
	return finish(c->e->st, s, err);
}

/* Takes the operation for this engine: refuses finished-as-failed and
 * live-leased ones, sets the lease and the running state. *nothing = the
 * operation is already done or rolled back. */
static int acquire(eng_ctx *c, int64_t op_id, bool *nothing, dc_err *err)
{
	*nothing = false;
	if (eng_begin(c, err))
		return -1;
	if (operation_get(c->e->st, op_id, &c->op, err))
		goto fail;
	if (c->op.state == OPS_DONE || c->op.state == OPS_ROLLED_BACK) {
		eng_abort(c);
		*nothing = true;
		return 0;
	}
	if (c->op.state == OPS_FAILED) {
		const op_step *s =
		    &c->op.steps[c->op.step < (int)c->op.nsteps ? c->op.step
		                                                : 0];
		err_set(err, DC_E_CONFLICT,
		        "operation %" PRId64 " (%s) failed at step %s%s: "
		        "retry it or roll it back",
		        op_id, op_kind_name(c->op.kind), s->name,
		        c->op.rollback ? " while rolling back" : "");
		goto fail;
	}
	if (lease_live(c->e, &c->op)) {
		err_set(err, DC_E_CONFLICT,
		        "operation %" PRId64 " is being run by %s (lease until "
		        "%" PRId64 ")",
		        op_id, c->op.lease_owner, c->op.lease_until);
		goto fail;
	}
	c->rollback = c->op.rollback;
	if (lease_renew_tx(c, err) ||
	    set_op_state_tx(c, c->rollback ? OPS_ROLLING_BACK : OPS_RUNNING,
	                    NULL, false, err))
		goto fail;
	if (service_get(c->e->st, c->op.service_id, &c->svc, err))
		goto fail;
	if (!c->rollback && c->svc.status != running_status(c) &&
	    service_set_status_tx(c->e->st, c->svc.id, running_status(c), err))
		goto fail;
	if (op_param(c->e->st, op_id, "os", c->os, sizeof(c->os), err))
		goto fail;
	if (eng_commit(c, err))
		return -1;
	service_marker(c->e->tag, c->op.service_id, c->marker,
	               sizeof(c->marker));
	return 0;
fail:
	eng_abort(c);
	return -1;
}

/* ---- journal writes around a step --------------------------------------- */

static int step_set_tx(eng_ctx *c, step_state st, bool bump, const char *error,
                       dc_err *err)
{
	sqlite3_stmt *s =
	    prep(c->e->st,
	         "UPDATE op_step SET state = ?1, attempts = attempts + ?2, "
	         "last_error = ?3, started_at = CASE WHEN ?1 = 'running' THEN "
	         "coalesce(started_at, ?4) ELSE started_at END, finished_at = "
	         "CASE WHEN ?1 IN ('running', 'pending') THEN NULL ELSE ?4 END "
	         "WHERE op_id = ?5 AND idx = ?6",
	         err);
	if (!s)
		return -1;
	bind_text(s, 1, step_state_name(st));
	sqlite3_bind_int(s, 2, bump ? 1 : 0);
	bind_text(s, 3, error && *error ? error : NULL);
	sqlite3_bind_int64(s, 4, now_s());
	sqlite3_bind_int64(s, 5, c->op.id);
	sqlite3_bind_int(s, 6, c->idx);
	if (finish(c->e->st, s, err))
		return -1;
	op_step *p = &c->op.steps[c->idx];
	p->state = st;
	if (bump)
		p->attempts++;
	dc_strlcpy(p->last_error, error ? error : "", sizeof(p->last_error));
	if (st == STEP_RUNNING && !p->started_at)
		p->started_at = now_s();
	p->finished_at = st == STEP_RUNNING || st == STEP_PENDING ? 0 : now_s();
	return 0;
}

static int set_op_step_tx(eng_ctx *c, dc_err *err)
{
	sqlite3_stmt *s =
	    prep(c->e->st, "UPDATE operation SET step = ? WHERE id = ?", err);
	if (!s)
		return -1;
	sqlite3_bind_int(s, 1, c->idx);
	sqlite3_bind_int64(s, 2, c->op.id);
	if (finish(c->e->st, s, err))
		return -1;
	c->op.step = c->idx;
	return 0;
}

/* Step recorded running before it runs: attempts + 1, the lease renewed. */
static int step_begin(eng_ctx *c, dc_err *err)
{
	if (eng_begin(c, err))
		return -1;
	if (step_set_tx(c, STEP_RUNNING, true, c->op.steps[c->idx].last_error,
	                err) ||
	    set_op_step_tx(c, err) || lease_renew_tx(c, err)) {
		eng_abort(c);
		return -1;
	}
	return eng_commit(c, err);
}

static int step_note_error(eng_ctx *c, const char *line, dc_err *err)
{
	if (eng_begin(c, err))
		return -1;
	if (step_set_tx(c, STEP_RUNNING, false, line, err) ||
	    lease_renew_tx(c, err)) {
		eng_abort(c);
		return -1;
	}
	return eng_commit(c, err);
}

static int step_end(eng_ctx *c, step_state st, dc_err *err)
{
	if (eng_begin(c, err))
		return -1;
	if (step_set_tx(c, st, false, NULL, err) || lease_renew_tx(c, err)) {
		eng_abort(c);
		return -1;
	}
	if (c->note[0] &&
	    service_event_tx(c->e->st, c->svc.id, c->op.id, err, "%s %s: %s",
	                     op_kind_name(c->op.kind),
	                     c->rollback ? "undo" : c->step, c->note)) {
		eng_abort(c);
		return -1;
	}
	return eng_commit(c, err);
}

/* What the service holds, for a task and the history. */
static void held_text(eng_ctx *c, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = '\0';
#define ADD(...)                                                               \
	do {                                                                   \
		if (off < len) {                                               \
			int w_ = snprintf(buf + off, len - off, __VA_ARGS__);  \
			if (w_ > 0)                                            \
				off += (size_t)w_;                             \
		}                                                              \
	} while (0)
	dc_service s;
	if (service_get(c->e->st, c->svc.id, &s, NULL))
		s = c->svc;
	if (s.server_id)
		ADD("server %" PRId64 " (%s) on module %s", s.server_id,
		    s.server_name[0] ? s.server_name : "?",
		    s.module[0] ? s.module : "?");
	else
		ADD("no server");
	svc_addr *a = NULL;
	size_t n = 0;
	if (service_addrs(c->e->st, s.id, &a, &n, NULL) == 0 && n) {
		ADD("; addresses");
		for (size_t i = 0; i < n; i++)
			ADD("%s %s (%s%s%s)", i ? "," : "", a[i].ip,
			    a[i].iptype, a[i].main ? ", main" : "",
			    a[i].panel_ip_id ? ", attached" : "");
	} else {
		ADD("; no addresses");
	}
	free(a);
	if (s.licence_id[0])
		ADD("; licence %s", s.licence_id);
#undef ADD
}

static int64_t task_department(eng_ctx *c)
{
	if (c->svc.module_id && eng_load_module(c, 0, NULL) == 0)
		return c->mod.department_id;
	dc_tariff t;
	if (c->svc.tariff_id &&
	    tariff_get(c->e->st, c->svc.tariff_id, &t, NULL) == 0 &&
	    t.nmodules) {
		dc_module m;
		if (module_get(c->e->st, t.modules[0], &m, NULL) == 0)
			return m.department_id;
	}
	return 0;
}

/* The operation stops failed at the current step: step, operation and
 * service marked, a task opened, the history written, in one transaction. */
static int op_fail(eng_ctx *c, const dc_err *cause, dc_err *err)
{
	char line[OP_ERROR_MAX], held[1024], text[TASK_TEXT_MAX];
	err_line(cause, line, sizeof(line));
	held_text(c, held, sizeof(held));
	int64_t dept = task_department(c);
	snprintf(text, sizeof(text),
	         "Operation %" PRId64 " (%s) of service %" PRId64
	         " (client %.64s) failed %sat step %s: %.600s. Held: %.900s. "
	         "Retry: "
	         "dcictl operation retry %" PRId64
	         "; roll back: dcictl operation rollback %" PRId64 ".",
	         c->op.id, op_kind_name(c->op.kind), c->svc.id, c->svc.client,
	         c->rollback ? "while rolling back " : "", c->step, line, held,
	         c->op.id, c->op.id);
	char opmsg[OP_ERROR_MAX];
	snprintf(opmsg, sizeof(opmsg), "%s%s: %.700s",
	         c->rollback ? "rollback: " : "", c->step, line);
	if (eng_begin(c, err))
		return -1;
	if (step_set_tx(c, STEP_FAILED, false, line, err) ||
	    set_op_state_tx(c, OPS_FAILED, opmsg, false, err) ||
	    clear_lease_tx(c, err) ||
	    service_set_status_tx(c->e->st, c->svc.id, SVC_FAILED, err) ||
	    task_add_tx(c->e->st, dept, c->op.id, text, NULL, err) ||
	    service_event_tx(
	        c->e->st, c->svc.id, c->op.id, err,
	        "%s failed %sat step %s: %s", op_kind_name(c->op.kind),
	        c->rollback ? "while rolling back " : "", c->step, line)) {
		eng_abort(c);
		return -1;
	}
	if (eng_commit(c, err))
		return -1;
	progress(c, STEP_FAILED, line);
	return 0;
}

/* The order cannot be served (no free server): nothing is held; the
 * operation ends rolled back and the service closed, without a task. */
static int op_refuse(eng_ctx *c, const dc_err *cause, dc_err *err)
{
	char line[OP_ERROR_MAX];
	dc_strlcpy(line, cause->msg, sizeof(line));
	if (eng_begin(c, err))
		return -1;
	if (step_set_tx(c, STEP_FAILED, false, line, err) ||
	    set_op_state_tx(c, OPS_ROLLED_BACK, line, true, err) ||
	    clear_lease_tx(c, err) ||
	    service_set_server_tx(c->e->st, c->svc.id, 0, 0, NULL, err) ||
	    service_set_status_tx(c->e->st, c->svc.id, SVC_CLOSED, err) ||
	    service_event_tx(c->e->st, c->svc.id, c->op.id, err,
	                     "open refused: %s", line)) {
		eng_abort(c);
		return -1;
	}
	if (eng_commit(c, err))
		return -1;
	progress(c, STEP_FAILED, line);
	return 0;
}

static void avail_changed(eng_ctx *c, int64_t module_id)
{
	if (!module_id)
		return;
	/* A count that no longer holds is marked stale at once (cheap, no
	 * network); the console's refresh recounts it. */
	avail_invalidate(c->e->st, module_id, NULL);
	if (c->e->o.avail_changed)
		c->e->o.avail_changed(c->e->o.avail_user, module_id);
}

static int op_finish(eng_ctx *c, dc_err *err)
{
	svc_status to = c->rollback ? prev_status(c) : done_status(c->op.kind);
	if (c->rollback && c->op.kind == OPK_OPEN)
		to = SVC_CLOSED;
	if (eng_begin(c, err))
		return -1;
	if (set_op_state_tx(c, c->rollback ? OPS_ROLLED_BACK : OPS_DONE, NULL,
	                    true, err) ||
	    clear_lease_tx(c, err) ||
	    service_set_status_tx(c->e->st, c->svc.id, to, err) ||
	    task_close_for_op_tx(c->e->st, c->op.id, err))
		goto fail;
	/* A closed service holds nothing: its addresses went back to
	 * IPmanager, its parking address belongs to the free server now. */
	if (to == SVC_CLOSED) {
		sqlite3_stmt *s = prep(c->e->st,
		                       "DELETE FROM service_addr WHERE "
		                       "service_id = ?",
		                       err);
		if (!s)
			goto fail;
		sqlite3_bind_int64(s, 1, c->svc.id);
		if (finish(c->e->st, s, err) ||
		    service_set_licence_tx(c->e->st, c->svc.id, NULL, err))
			goto fail;
	}
	if (c->op.kind == OPK_REINSTALL && !c->rollback && c->os[0]) {
		/* The service now runs the OS it was reinstalled with. */
		svc_addon a = {0};
		bool have = false;
		for (size_t i = 0; i < c->svc.naddons; i++)
			if (!strcmp(c->svc.addons[i].kind, "os")) {
				a = c->svc.addons[i];
				have = true;
			}
		if (!have) {
			dc_strlcpy(a.name, "os", sizeof(a.name));
			dc_strlcpy(a.kind, "os", sizeof(a.kind));
		}
		dc_strlcpy(a.value, c->os, sizeof(a.value));
		if (service_set_addon_tx(c->e->st, c->svc.id, &a, err))
			goto fail;
	}
	if (service_event_tx(c->e->st, c->svc.id, c->op.id, err,
	                     "%s %s; "
	                     "service %s",
	                     op_kind_name(c->op.kind),
	                     c->rollback ? "rolled back" : "done",
	                     svc_status_name(to)))
		goto fail;
	if (eng_commit(c, err))
		return -1;
	c->idx = -1;
	c->step = NULL;
	progress(c, STEP_DONE, c->rollback ? "rolled back" : "done");
	if (c->op.kind == OPK_OPEN || c->op.kind == OPK_CLOSE)
		avail_changed(c, c->svc.module_id);
	return 0;
fail:
	eng_abort(c);
	return -1;
}

static long backoff(const engine *e, int tries)
{
	long d = e->o.backoff_ms;
	for (int i = 1; i < tries && d < e->o.backoff_max_ms; i++)
		d *= 2;
	return d > e->o.backoff_max_ms ? e->o.backoff_max_ms : d;
}

static int reload(eng_ctx *c, dc_err *err)
{
	if (service_get(c->e->st, c->op.service_id, &c->svc, err))
		return -1;
	if (c->svc.module_id && eng_load_module(c, 0, err))
		return -1;
	if (!c->svc.module_id)
		c->have_mod = false;
	return 0;
}

/* Back to the claim: the server was lost before anything was attached.
 * The addresses go back too (the next server may be on a module with
 * another IPmanager); the allocation is marked running while they do, so
 * a crash in between is finished by running it again. */
static int reclaim(eng_ctx *c, dc_err *err)
{
	int claim = step_idx(c, "claim"), alloc = step_idx(c, "allocate");
	if (claim < 0 || alloc < 0)
		return err_set(err, DC_E_STORE, "no claim or allocate step");
	size_t n;
	const eng_step_def *defs = eng_steps(c->op.kind, &n);
	int64_t mod = c->svc.module_id;
	long srv = (long)c->svc.server_id;
	int cur = c->idx;
	const char *cur_step = c->step;
	c->idx = alloc;
	c->step = defs[alloc].name;
	if (eng_begin(c, err))
		return -1;
	if (step_set_tx(c, STEP_RUNNING, false, NULL, err)) {
		eng_abort(c);
		return -1;
	}
	if (eng_commit(c, err))
		return -1;
	c->attempts_before = 1;
	if (defs[alloc].undo(c, err))
		return -1; /* the caller fails the operation at this step */
	if (eng_begin(c, err))
		return -1;
	char key[48];
	snprintf(key, sizeof(key), "lost:%" PRId64 ":%ld", mod, srv);
	if (step_set_tx(c, STEP_PENDING, false, NULL, err))
		goto fail;
	c->idx = claim;
	if (eng_data_set_int_tx(c, key, 1, err) ||
	    eng_data_del_tx(c, "claimed_ms", err) ||
	    step_set_tx(c, STEP_PENDING, false, NULL, err))
		goto fail;
	c->idx = cur;
	if (step_set_tx(c, STEP_PENDING, false, NULL, err) ||
	    service_set_server_tx(c->e->st, c->svc.id, mod, 0, NULL, err) ||
	    service_event_tx(c->e->st, c->svc.id, c->op.id, err,
	                     "server %ld was taken by someone else before "
	                     "anything was attached; addresses given back, "
	                     "choosing again",
	                     srv))
		goto fail;
	if (eng_commit(c, err))
		return -1;
	c->idx = claim;
	c->step = defs[claim].name;
	return 0;
fail:
	eng_abort(c);
	c->idx = cur;
	c->step = cur_step;
	return -1;
}

/* Has the operation done anything besides the current step (a claim run
 * again after its server was lost, with addresses already allocated)? */
static bool held_anything(const eng_ctx *c)
{
	for (size_t i = 0; i < c->op.nsteps; i++)
		if ((int)i != c->idx && (c->op.steps[i].state == STEP_DONE ||
		                         c->op.steps[i].state == STEP_RUNNING ||
		                         c->op.steps[i].state == STEP_FAILED))
			return true;
	return false;
}

static int run_backward(eng_ctx *c, dc_err *err);

/* Refused after something was taken: give it back (a rollback), then
 * report the refusal. */
static int refuse_rollback(eng_ctx *c, const dc_err *cause, dc_err *err)
{
	char line[OP_ERROR_MAX];
	dc_strlcpy(line, cause->msg, sizeof(line));
	if (eng_begin(c, err))
		return -1;
	c->rollback = true;
	if (step_set_tx(c, STEP_FAILED, false, line, err) ||
	    set_op_state_tx(c, OPS_ROLLING_BACK, line, false, err) ||
	    service_event_tx(c->e->st, c->svc.id, c->op.id, err,
	                     "open refused: %s; giving back what was taken",
	                     line)) {
		eng_abort(c);
		return -1;
	}
	if (eng_commit(c, err))
		return -1;
	if (run_backward(c, err))
		return -1;
	/* Rolled back: keep the reason on the operation. */
	sqlite3_stmt *s =
	    prep(c->e->st, "UPDATE operation SET error = ? WHERE id = ?", err);
	if (s) {
		bind_text(s, 1, line);
		sqlite3_bind_int64(s, 2, c->op.id);
		finish(c->e->st, s, NULL);
	}
	*err = *cause;
	return -1;
}

static int run_forward(eng_ctx *c, dc_err *err)
{
	size_t n;
	const eng_step_def *defs = eng_steps(c->op.kind, &n);
	int reclaims = 0;
	/* From the first step not finished (not op.step: a crash right after
	 * a reclaim leaves op.step past the claim that must run again). */
	for (int i = 0; (size_t)i < n; i++) {
		op_step *s = &c->op.steps[i];
		if (s->state == STEP_DONE || s->state == STEP_SKIPPED)
			continue;
		c->idx = i;
		c->step = defs[i].name;
		int tries = 0;
		for (;;) {
			if (cancelled(c->e))
				return err_set(err, DC_E_CANCELLED,
				               "cancelled before step %s",
				               c->step);
			if (reload(c, err))
				return -1;
			c->attempts_before = s->attempts;
			if (step_begin(c, err))
				return -1;
			progress(c, STEP_RUNNING, "");
			hook(c, ENGINE_AT_BEFORE);
			c->skipped = false;
			c->note[0] = '\0';
			dc_err se;
			err_clear(&se);
			int rc = defs[i].run(c, &se);
			if (rc == 0) {
				hook(c, ENGINE_AT_AFTER);
				step_state to =
				    c->skipped ? STEP_SKIPPED : STEP_DONE;
				if (step_end(c, to, err))
					return -1;
				progress(c, to, c->note);
				if (i == 0 && c->op.kind == OPK_OPEN)
					avail_changed(c, c->svc.module_id);
				break;
			}
			if (rc == ENG_RECLAIM && reclaims++ < 8) {
				dc_err re;
				err_clear(&re);
				if (reclaim(c, &re) == 0) {
					i = c->idx - 1;
					break;
				}
				/* Giving the addresses back failed: the
				 * operation stops there (the allocation
				 * step), with a task. */
				se = re;
				se.retryable = false;
			}
			if (rc == ENG_REFUSED) {
				if (held_anything(c))
					return refuse_rollback(c, &se, err);
				if (op_refuse(c, &se, err))
					return -1;
				*err = se;
				return -1;
			}
			if (se.cat == DC_E_CANCELLED) {
				*err = se;
				return -1;
			}
			tries++;
			char line[OP_ERROR_MAX];
			err_line(&se, line, sizeof(line));
			if (se.retryable && tries < c->e->o.attempts) {
				long d = backoff(c->e, tries);
				if (step_note_error(c, line, err))
					return -1;
				eng_say(c, "retry in %ld ms after: %s", d,
				        line);
				if (eng_sleep(c->e, d, err))
					return -1;
				continue;
			}
			if (op_fail(c, &se, err))
				return -1;
			*err = se;
			err_prefix(err,
			           "operation %" PRId64 " (%s) failed at "
			           "step %s",
			           c->op.id, op_kind_name(c->op.kind), c->step);
			return -1;
		}
	}
	return op_finish(c, err);
}

static int run_backward(eng_ctx *c, dc_err *err)
{
	size_t n;
	const eng_step_def *defs = eng_steps(c->op.kind, &n);
	int start = (int)n - 1;
	for (int i = start; i >= 0; i--) {
		op_step *s = &c->op.steps[i];
		if (s->state != STEP_DONE && s->state != STEP_FAILED &&
		    s->state != STEP_RUNNING)
			continue;
		c->idx = i;
		c->step = defs[i].name;
		int tries = 0;
		for (;;) {
			if (cancelled(c->e))
				return err_set(err, DC_E_CANCELLED,
				               "cancelled before undoing %s",
				               c->step);
			if (reload(c, err))
				return -1;
			c->attempts_before = s->attempts;
			if (step_begin(c, err))
				return -1;
			progress(c, STEP_RUNNING, "undoing");
			hook(c, ENGINE_AT_BEFORE);
			c->skipped = false;
			c->note[0] = '\0';
			dc_err se;
			err_clear(&se);
			int rc = defs[i].undo ? defs[i].undo(c, &se) : 0;
			if (rc == 0) {
				hook(c, ENGINE_AT_AFTER);
				if (step_end(c, STEP_UNDONE, err))
					return -1;
				progress(c, STEP_UNDONE, c->note);
				break;
			}
			if (se.cat == DC_E_CANCELLED) {
				*err = se;
				return -1;
			}
			tries++;
			char line[OP_ERROR_MAX];
			err_line(&se, line, sizeof(line));
			if (se.retryable && tries < c->e->o.attempts) {
				long d = backoff(c->e, tries);
				if (step_note_error(c, line, err))
					return -1;
				eng_say(c, "retry in %ld ms after: %s", d,
				        line);
				if (eng_sleep(c->e, d, err))
					return -1;
				continue;
			}
			if (op_fail(c, &se, err))
				return -1;
			*err = se;
			err_prefix(err,
			           "rollback of operation %" PRId64
			           " (%s) failed at step %s",
			           c->op.id, op_kind_name(c->op.kind), c->step);
			return -1;
		}
	}
	return op_finish(c, err);
}

/* Gives the lease back when a run stops without finishing (cancel, store
 * trouble), so that the operation can be resumed at once. */
static void release(eng_ctx *c)
{
	if (eng_begin(c, NULL))
		return;
	if (clear_lease_tx(c, NULL)) {
		eng_abort(c);
		return;
	}
	eng_commit(c, NULL);
}

int engine_run(engine *e, int64_t op_id, dc_err *err)
{
	eng_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return err_set(err, DC_E_NOMEM, "out of memory");
	c->e = e;
	c->idx = -1;
	bool nothing;
	int rc = acquire(c, op_id, &nothing, err);
	if (rc == 0 && !nothing) {
		rc = c->rollback ? run_backward(c, err) : run_forward(c, err);
		if (rc && c->op.state != OPS_FAILED &&
		    c->op.state != OPS_ROLLED_BACK)
			release(c);
	}
	free(c);
	return rc;
}

int engine_restart(engine *e, int64_t op_id, bool rollback, dc_err *err)
{
	dc_operation *o = calloc(1, sizeof(*o));
	if (!o)
		return err_set(err, DC_E_NOMEM, "out of memory");
	int rc = -1;
	if (store_begin(e->st, err))
		goto out;
	if (operation_get(e->st, op_id, o, err))
		goto abort;
	if (o->state == OPS_DONE || o->state == OPS_ROLLED_BACK) {
		err_set(err, DC_E_CONFLICT,
		        "operation %" PRId64 " (%s) is already %s", op_id,
		        op_kind_name(o->kind), op_state_name(o->state));
		goto abort;
	}
	if (!rollback && o->state != OPS_FAILED) {
		err_set(err, DC_E_CONFLICT,
		        "operation %" PRId64 " is %s, not failed: only a "
		        "failed operation is retried (an interrupted one is "
		        "resumed with dcictl operation resume)",
		        op_id, op_state_name(o->state));
		goto abort;
	}
	if (o->state != OPS_FAILED && o->state != OPS_PENDING) {
		if (lease_live(e, o)) {
			err_set(err, DC_E_CONFLICT,
			        "operation %" PRId64 " is being run by %s; "
			        "roll it back when it has stopped",
			        op_id, o->lease_owner);
			goto abort;
		}
	}
	sqlite3_stmt *s = prep(e->st,
	                       "UPDATE operation SET state = 'pending', "
	                       "params = json_set(params, '$.dir', ?), "
	                       "updated_at = ? WHERE id = ?",
	                       err);
	if (!s)
		goto abort;
	bind_text(s, 1, rollback || o->rollback ? "rollback" : "forward");
	sqlite3_bind_int64(s, 2, now_s());
	sqlite3_bind_int64(s, 3, op_id);
	if (finish(e->st, s, err))
		goto abort;
	if (service_event_tx(e->st, o->service_id, op_id, err,
	                     "%s %s by the "
	                     "operator",
	                     op_kind_name(o->kind),
	                     rollback ? "rollback requested" : "retried"))
		goto abort;
	rc = store_commit(e->st, err);
	goto out;
abort:
	store_rollback(e->st);
out:
	free(o);
	return rc;
}

int engine_retry(engine *e, int64_t op_id, dc_err *err)
{
	if (engine_restart(e, op_id, false, err))
		return -1;
	return engine_run(e, op_id, err);
}

int engine_rollback(engine *e, int64_t op_id, dc_err *err)
{
	if (engine_restart(e, op_id, true, err))
		return -1;
	return engine_run(e, op_id, err);
}

int engine_resume_all(engine *e, engine_resume_item **out, size_t *n,
                      dc_err *err)
{
	*out = NULL;
	*n = 0;
	op_filter f = {.unfinished_only = true};
	dc_operation *ops;
	size_t nops;
	if (operation_list(e->st, &f, &ops, &nops, err))
		return -1;
	engine_resume_item *v = calloc(nops ? nops : 1, sizeof(*v));
	if (!v) {
		free(ops);
		return err_set(err, DC_E_NOMEM, "out of memory");
	}
	/* Oldest first: an older operation may hold what a newer waits for. */
	for (size_t k = nops; k-- > 0;) {
		dc_operation *o = &ops[k];
		engine_resume_item *it = &v[*n];
		(*n)++;
		it->op_id = o->id;
		it->service_id = o->service_id;
		it->kind = o->kind;
		it->state = o->state;
		if (o->state == OPS_FAILED) {
			snprintf(it->msg, sizeof(it->msg),
			         "failed%s: %.680s (retry or roll back)",
			         o->rollback ? " while rolling back" : "",
			         o->error);
			continue;
		}
		if (lease_live(e, o)) {
			snprintf(it->msg, sizeof(it->msg), "being run by %s",
			         o->lease_owner);
			continue;
		}
		dc_err re;
		err_clear(&re);
		it->ran = true;
		if (engine_run(e, o->id, &re))
			err_line(&re, it->msg, sizeof(it->msg));
		dc_operation now;
		if (operation_get(e->st, o->id, &now, NULL) == 0)
			it->state = now.state;
		if (!it->msg[0])
			snprintf(it->msg, sizeof(it->msg), "%s",
			         op_state_name(it->state));
	}
	free(ops);
	*out = v;
	return 0;
}

/* ---- starting operations ------------------------------------------------ */

static int insert_op(engine *e, op_kind kind, int64_t service_id,
                     svc_status prev, const char *os, int64_t *op_id,
                     dc_err *err)
{
	sqlite3_stmt *s = prep(e->st,
	                       "INSERT INTO operation(kind, service_id, state, "
	                       "params, created_at, updated_at) VALUES (?, ?, "
	                       "'pending', json_object('dir', 'forward', "
	                       "'prev_status', ?, 'os', ?), ?, ?)",
	                       err);
	if (!s)
		return -1;
	bind_text(s, 1, op_kind_name(kind));
	sqlite3_bind_int64(s, 2, service_id);
	bind_text(s, 3, svc_status_name(prev));
	bind_text(s, 4, os ? os : "");
	sqlite3_bind_int64(s, 5, now_s());
	sqlite3_bind_int64(s, 6, now_s());
	if (finish(e->st, s, err))
		return -1;
	*op_id = sqlite3_last_insert_rowid(store_db(e->st));
	size_t n;
	const eng_step_def *d = eng_steps(kind, &n);
	for (size_t i = 0; i < n; i++) {
		s = prep(
		    e->st,
		    "INSERT INTO op_step(op_id, idx, name) VALUES (?, ?, ?)",
		    err);
		if (!s)
			return -1;
		sqlite3_bind_int64(s, 1, *op_id);
		sqlite3_bind_int(s, 2, (int)i);
		bind_text(s, 3, d[i].name);
		if (finish(e->st, s, err))
			return -1;
	}
	return 0;
}

/* The value an order gets for add-on i of the tariff: the choice, or the
 * add-on's fixed value, or the first it offers. */
static int resolve_choice(const dc_addon *a, const dc_addon_values *v,
                          const char *chosen, char *out, size_t len,
                          dc_err *err)
{
	if (v->billing != DC_BILL_CLIENT) {
		if (tariff_check_choice(a, v, chosen ? chosen : "", err))
			return -1;
		dc_strlcpy(out, v->value, len);
		return 0;
	}
	char dflt[DC_VALUE_MAX];
	if (!chosen || !*chosen) {
		if (v->is_range) {
			snprintf(dflt, sizeof(dflt), "%lld", (long long)v->min);
		} else {
			dc_strlcpy(dflt, v->list, sizeof(dflt));
			char *comma = strchr(dflt, ',');
			if (comma)
				*comma = '\0';
		}
		chosen = dflt;
	}
	if (tariff_check_choice(a, v, chosen, err))
		return -1;
	dc_strlcpy(out, chosen, len);
	return 0;
}

int engine_open(engine *e, const engine_open_req *r, int64_t *service_id,
                int64_t *op_id, dc_err *err)
{
	if (!r->tariff || !*r->tariff)
		return err_field(err, DC_E_INVALID, "tariff",
		                 "a tariff plan is required");
	if (service_check_client(r->client, err))
		return -1;
	if (r->hostname && *r->hostname &&
	    service_check_hostname(r->hostname, err))
		return -1;
	dc_tariff *t = calloc(1, sizeof(*t));
	dc_addon *addons = calloc(DC_TARIFF_ADDONS_MAX, sizeof(*addons));
	dc_service *s = calloc(1, sizeof(*s));
	int rc = -1;
	if (!t || !addons || !s) {
		err_set(err, DC_E_NOMEM, "out of memory");
		goto out;
	}
	if (tariff_get_by_name(e->st, r->tariff, t, err)) {
		if (err && err->cat == DC_E_NOTFOUND)
			err_field(err, DC_E_INVALID, "tariff",
			          "no tariff plan named \"%s\"", r->tariff);
		goto out;
	}
	if (!t->enabled) {
		err_field(err, DC_E_INVALID, "tariff",
		          "%s is disabled and cannot be ordered", t->name);
		goto out;
	}
	if (!t->nmodules) {
		err_field(err, DC_E_INVALID, "tariff",
		          "%s has no processing module", t->name);
		goto out;
	}
	if (tariff_resolve_addons(e->st, t, addons, err))
		goto out;
	for (size_t k = 0; k < r->nchoices; k++) {
		const engine_choice *ch = &r->choices[k];
		bool known = false;
		for (size_t i = 0; i < t->naddons; i++)
			known |=
			    !strcmp(addons[i].name, ch->name ? ch->name : "");
		if (!known) {
			err_field(err, DC_E_INVALID, "addon",
			          "tariff %s has no add-on named \"%s\"",
			          t->name, ch->name ? ch->name : "");
			goto out;
		}
		for (size_t j = 0; j < k; j++)
			if (!strcmp(r->choices[j].name, ch->name)) {
				err_field(err, DC_E_INVALID, "addon",
				          "%s is chosen twice", ch->name);
				goto out;
			}
	}
	s->status = SVC_OPENING;
	s->tariff_id = t->id;
	dc_strlcpy(s->client, r->client, sizeof(s->client));
	dc_strlcpy(s->panel_user, r->client, sizeof(s->panel_user));
	for (size_t i = 0; i < t->naddons; i++) {
		const char *chosen = NULL;
		for (size_t k = 0; k < r->nchoices; k++)
			if (!strcmp(r->choices[k].name, addons[i].name))
				chosen = r->choices[k].value;
		svc_addon *a = &s->addons[s->naddons++];
		dc_strlcpy(a->name, addons[i].name, sizeof(a->name));
		dc_strlcpy(a->kind, addons[i].kind, sizeof(a->kind));
		if (resolve_choice(&addons[i],
		                   tariff_addon_values(t, i, addons), chosen,
		                   a->value, sizeof(a->value), err))
			goto out;
	}
	if (r->hostname && *r->hostname)
		dc_strlcpy(s->hostname, r->hostname, sizeof(s->hostname));
	if (store_begin(e->st, err))
		goto out;
	if (service_insert_tx(e->st, s, err))
		goto abort;
	if (!s->hostname[0]) {
		snprintf(s->hostname, sizeof(s->hostname), "s%" PRId64 "-%s.ds",
		         s->id, e->tag);
		if (service_set_hostname_tx(e->st, s->id, s->hostname, err))
			goto abort;
	}
	char choices[600] = "";
	size_t off = 0;
	for (size_t i = 0; i < s->naddons && off < sizeof(choices); i++) {
		int w = snprintf(choices + off, sizeof(choices) - off,
		                 "%s%s=%s", i ? ", " : "", s->addons[i].name,
		                 s->addons[i].value);
		if (w > 0)
			off += (size_t)w;
	}
	if (insert_op(e, OPK_OPEN, s->id, SVC_CLOSED, NULL, op_id, err) ||
	    service_event_tx(e->st, s->id, *op_id, err,
	                     "open ordered: client %s, tariff %s, host %s%s%s",
	                     s->client, t->name, s->hostname,
	                     choices[0] ? ", " : "", choices))
		goto abort;
	if (store_commit(e->st, err))
		goto out;
	*service_id = s->id;
	rc = 0;
	goto out;
abort:
	store_rollback(e->st);
out:
	free(t);
	free(addons);
	free(s);
	return rc;
}

int engine_start(engine *e, op_kind kind, int64_t service_id, const char *os,
                 int64_t *op_id, dc_err *err)
{
	if (kind == OPK_OPEN || kind >= OPK_COUNT)
		return err_set(err, DC_E_INVALID,
		               "use engine_open to open a service");
	dc_service *s = calloc(1, sizeof(*s));
	if (!s)
		return err_set(err, DC_E_NOMEM, "out of memory");
	int rc = -1;
	if (store_begin(e->st, err))
		goto out;
	if (service_get(e->st, service_id, s, err))
		goto abort;
	int64_t busy;
	if (operation_unfinished(e->st, service_id, &busy, err))
		goto abort;
	if (busy) {
		dc_operation o;
		if (operation_get(e->st, busy, &o, err))
			goto abort;
		err_set(err, DC_E_CONFLICT,
		        "service %" PRId64 " has operation %" PRId64
		        " (%s) %s%s; finish, retry or roll it back first",
		        service_id, busy, op_kind_name(o.kind),
		        op_state_name(o.state),
		        o.state == OPS_FAILED ? " at a step" : "");
		goto abort;
	}
	bool ok;
	const char *want;
	switch (kind) {
	case OPK_SUSPEND:
		ok = s->status == SVC_ACTIVE;
		want = "active";
		break;
	case OPK_RESUME:
		ok = s->status == SVC_SUSPENDED;
		want = "suspended";
		break;
	case OPK_REINSTALL:
		ok = s->status == SVC_ACTIVE;
		want = "active";
		break;
	default:
		ok = s->status == SVC_ACTIVE || s->status == SVC_SUSPENDED;
		want = "active or suspended";
		break;
	}
	if (!ok) {
		err_set(err, DC_E_CONFLICT,
		        "service %" PRId64 " is %s; %s needs it %s", service_id,
		        svc_status_name(s->status), op_kind_name(kind), want);
		goto abort;
	}
	char osv[DC_VALUE_MAX] = "";
	if (kind == OPK_REINSTALL) {
		const char *cur = service_addon_value(s, "os");
		if (os && *os) {
			if (model_check_addon_value(DC_ADDON_OS, "os", os, err))
				goto abort;
			dc_strlcpy(osv, os, sizeof(osv));
		} else if (cur && *cur) {
			dc_strlcpy(osv, cur, sizeof(osv));
		} else {
			err_field(err, DC_E_INVALID, "os",
			          "service %" PRId64 " has no OS add-on; "
			          "name the OS template to install",
			          service_id);
			goto abort;
		}
	}
	if (insert_op(e, kind, service_id, s->status, osv, op_id, err))
		goto abort;
	if (kind == OPK_CLOSE &&
	    service_set_status_tx(e->st, service_id, SVC_CLOSING, err))
		goto abort;
	if (service_event_tx(e->st, service_id, *op_id, err, "%s ordered%s%s",
	                     op_kind_name(kind), osv[0] ? ": OS " : "", osv))
		goto abort;
	rc = store_commit(e->st, err);
	goto out;
abort:
	store_rollback(e->st);
out:
	free(s);
	return rc;
}
