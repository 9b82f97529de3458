/* panel.c - panel handle: login, calls, re-login, batch; see panel.h. */
#include "panel.h"

#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <libxml/parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct panel {
	char *url, *user, *pass;
	char *session;
	unsigned session_gen; /* bumped on each new session */
	int level;
	bool authinfo;
	http_conn *conn;
	http_opts hopts;
	char *cafile, *pinned;
	xml_opts xopts;
	apilog *log;
};

int panel_lib_init(dc_err *err)
{
	CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
	if (rc != CURLE_OK)
		return err_set(err, DC_E_TRANSPORT, "curl_global_init: %s",
		               curl_easy_strerror(rc));
	xmlInitParser();
	return 0;
}

void panel_lib_cleanup(void)
{
	xmlCleanupParser();
	curl_global_cleanup();
}

static void wipe_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static double mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

panel *panel_new(const panel_opts *o, dc_err *err)
{
	if (!o)
		return err_set(err, DC_E_INVALID, "no panel options"), NULL;
	if (http_url_check(o->url, err) < 0)
		return NULL;
	if (!o->username || !o->username[0]) {
		err_field(err, DC_E_INVALID, "username", "user name is empty");
		return NULL;
	}
	if (strchr(o->username, ':') && o->auth_mode == PANEL_AUTH_AUTHINFO) {
		err_field(err, DC_E_INVALID, "username",
		          "user name must not contain ':' in authinfo mode");
		return NULL;
	}
	panel *p = calloc(1, sizeof(*p));
	if (!p) {
		err_set(err, DC_E_NOMEM, "out of memory");
		return NULL;
	}
	p->level = -1;
	p->authinfo = o->auth_mode == PANEL_AUTH_AUTHINFO;
	p->log = o->log;
	p->url = strdup(o->url);
	p->user = strdup(o->username);
	p->pass = strdup(o->password ? o->password : "");
	if (o->cafile)
		p->cafile = strdup(o->cafile);
	if (o->pinned_pubkey)
		p->pinned = strdup(o->pinned_pubkey);
	if (!p->url || !p->user || !p->pass || (o->cafile && !p->cafile) ||
	    (o->pinned_pubkey && !p->pinned)) {
		err_set(err, DC_E_NOMEM, "out of memory");
		panel_free(p);
		return NULL;
	}
	p->hopts = (http_opts){
	    .connect_timeout_ms = o->connect_timeout_ms,
	    .timeout_ms = o->timeout_ms,
	    .body_cap = o->body_cap ? o->body_cap : XML_DEFAULT_MAX_BODY,
	    .cafile = p->cafile,
	    .pinned_pubkey = p->pinned,
	    .insecure = o->insecure,
	};
	p->xopts = (xml_opts){.max_body = p->hopts.body_cap,
	                      .max_depth = o->max_depth};
	p->conn = http_conn_new(&p->hopts, err);
	if (!p->conn) {
		panel_free(p);
		return NULL;
	}
	return p;
}

void panel_free(panel *p)
{
	if (!p)
		return;
	http_conn_free(p->conn);
	free(p->url);
	free(p->user);
	wipe_free(p->pass);
	wipe_free(p->session);
	free(p->cafile);
	free(p->pinned);
	free(p);
}

const char *panel_url(const panel *p)
{
	return p->url;
}

const char *panel_username(const panel *p)
{
	return p->user;
}

int panel_level(const panel *p)
{
	return p->level;
}

apilog *panel_log(const panel *p)
{
	return p->log;
}

const xml_opts *panel_xml_opts(const panel *p)
{
	return &p->xopts;
}

void panel_forget_session(panel *p)
{
	wipe_free(p->session);
	p->session = NULL;
}

void panel_set_cancel(panel *p, const volatile int *flag)
{
	http_conn_set_cancel(p->conn, flag);
}

/* ---- building requests ---- */

static bool reserved_key(const char *k)
{
	return !strcmp(k, "out") || !strcmp(k, "func") || !strcmp(k, "auth") ||
	       !strcmp(k, "authinfo");
}

static int check_params(const char *func, const panel_param *params,
                        dc_err *err)
{
	if (!func || !func[0])
		return err_field(err, DC_E_INVALID, "func", "func is empty");
	for (size_t i = 0; params && params[i].key; i++)
		if (reserved_key(params[i].key))
			return err_field(err, DC_E_INVALID, params[i].key,
			                 "parameter '%s' is set by the client "
			                 "itself",
			                 params[i].key);
	return 0;
}

/* The credential part of a request: auth=SESSION or authinfo=U:P. */
static int add_credentials(panel *p, http_buf *b, dc_err *err)
{
	if (p->authinfo) {
		http_buf ui = {0};
		int rc = http_buf_append(&ui, p->user, strlen(p->user), err);
		if (rc == 0)
			rc = http_buf_append(&ui, ":", 1, err);
		if (rc == 0)
			rc =
			    http_buf_append(&ui, p->pass, strlen(p->pass), err);
		if (rc == 0)
			rc = http_form_add(b, "authinfo", ui.data, err);
		http_buf_wipe(&ui);
		return rc;
	}
	if (p->session)
		return http_form_add(b, "auth", p->session, err);
	return 0;
}

/* out=xml&func=F[&credentials]&params; encoded_params is already
 * URL-encoded (batch) or NULL (then params are encoded here). */
static int build_body(panel *p, const char *func, bool with_credentials,
                      const panel_param *params, const http_buf *encoded,
                      http_buf *b, dc_err *err)
{
	if (http_form_add(b, "out", "xml", err) < 0 ||
	    http_form_add(b, "func", func, err) < 0)
		return -1;
	if (with_credentials && add_credentials(p, b, err) < 0)
		return -1;
	if (encoded && encoded->len) {
		if (http_buf_append(b, "&", 1, err) < 0 ||
		    http_buf_append(b, encoded->data, encoded->len, err) < 0)
			return -1;
	}
	return http_form_add_all(b, params, err);
}

/* ---- results ---- */

static void fill_call_err(const panel *p, dc_err *e, const char *func,
                          double ms)
{
	dc_strlcpy(e->func, func, sizeof(e->func));
	dc_strlcpy(e->url, p->url, sizeof(e->url));
	e->elapsed_ms = ms;
}

static void log_call(panel *p, const char *func, const char *params,
                     const struct timespec *start, double ms, const dc_err *e,
                     const xml_doc *doc)
{
	if (!p->log)
		return;
	apilog_rec r;
	memset(&r, 0, sizeof(r));
	r.start = *start;
	r.duration_ms = ms;
	r.ok = e == NULL;
	r.cat = e ? e->cat : DC_OK;
	dc_strlcpy(r.url, p->url, sizeof(r.url));
	dc_strlcpy(r.func, func, sizeof(r.func));
	dc_strlcpy(r.params, params ? params : "", sizeof(r.params));
	if (e)
		err_line(e, r.outcome, sizeof(r.outcome));
	else if (doc && doc->nrows)
		snprintf(r.outcome, sizeof(r.outcome), "ok: %zu rows",
		         doc->nrows);
	else
		dc_strlcpy(r.outcome, "ok", sizeof(r.outcome));
	apilog_add(p->log, &r);
}

/* Decodes an answer of func; doc errors become -1 with e filled, and the
 * doc is still handed back in *out for callers that want it. */
static int decode_answer(panel *p, const http_resp *resp, xml_doc **out,
                         dc_err *e)
{
	*out = xml_decode(resp->body, resp->len, &p->xopts, e);
	if (!*out)
		return -1;
	return xml_doc_err(*out, e);
}

/* One HTTP exchange: send, decode, log. *doc is set on success and on
 * panel <error> answers (then -1). raw, if not NULL, gets a copy of the
 * body whenever one arrived. A call not safe to repeat is sent once: the
 * transport must not re-send it on a new connection after a lost one. */
static int exchange(panel *p, const char *func, bool with_credentials,
                    bool safe, const panel_param *params,
                    const char *log_params, xml_doc **doc, char **raw,
                    size_t *rawlen, dc_err *e)
{
	struct timespec start;
	clock_gettime(CLOCK_REALTIME, &start);
	double t0 = mono_ms();
	*doc = NULL;
	http_buf body = {0};
	int rc = build_body(p, func, with_credentials, params, NULL, &body, e);
	if (rc == 0) {
		http_resp resp;
		rc = http_post(p->conn, p->url, body.data, body.len, !safe,
		               &resp, e);
		if (rc == 0 && raw) {
			*raw = malloc(resp.len + 1);
			if (!*raw) {
				rc = err_set(e, DC_E_NOMEM, "out of memory");
			} else {
				memcpy(*raw, resp.body, resp.len + 1);
				*rawlen = resp.len;
			}
		}
		if (rc == 0)
			rc = decode_answer(p, &resp, doc, e);
	}
	http_buf_wipe(&body);
	double ms = mono_ms() - t0;
	if (rc < 0)
		fill_call_err(p, e, func, ms);
	log_call(p, func, log_params, &start, ms, rc < 0 ? e : NULL, *doc);
	return rc;
}

int panel_login(panel *p, int *level, dc_err *err)
{
	dc_err e;
	err_clear(&e);
	const panel_param params[] = {
	    {"username", p->user}, {"password", p->pass}, {NULL, NULL}};
	char lp[128] = "";
	apilog_format_params(params, lp, sizeof(lp));
	xml_doc *doc = NULL;
	/* A login changes nothing on the panel but a new session. */
	int rc =
	    exchange(p, "auth", false, true, params, lp, &doc, NULL, NULL, &e);
	if (rc < 0) {
		if (e.cat == DC_E_AUTH) {
			/* Wrong credentials do not get better by retrying. */
			e.retryable = false;
			err_prefix(&e, "login as %s refused", p->user);
		}
		goto out;
	}
	const char *sid = xml_doc_get(doc, "auth@id");
	if (!sid || !sid[0])
		sid = xml_doc_get(doc, "auth");
	if (!p->authinfo && (!sid || !sid[0])) {
		rc = err_set(&e, DC_E_PARSE,
		             "login answer carries no session id");
		fill_call_err(p, &e, "auth", 0);
		goto out;
	}
	const char *lv = xml_doc_get(doc, "auth@level");
	char *end = NULL;
	long l = lv ? strtol(lv, &end, 10) : -1;
	p->level =
	    lv && end != lv && *end == '\0' && l >= 0 && l < 1000 ? (int)l : -1;
	if (!p->authinfo) {
		char *s = strdup(sid);
		if (!s) {
			rc = err_set(&e, DC_E_NOMEM, "out of memory");
			goto out;
		}
		panel_forget_session(p);
		p->session = s;
		p->session_gen++;
	}
out:
	xml_doc_free(doc);
	if (rc < 0 && err)
		*err = e;
	if (rc == 0 && level)
		*level = p->level;
	return rc;
}

int panel_require_admin(panel *p, dc_err *err)
{
	if (p->level < 0 && panel_login(p, NULL, err) < 0)
		return -1;
	if (p->level == PANEL_LEVEL_ADMIN)
		return 0;
	if (p->level < 0)
		err_set(err, DC_E_ACCESS,
		        "the panel did not report the access level of user "
		        "%s; an administrator (level %d) is required",
		        p->user, PANEL_LEVEL_ADMIN);
	else
		err_set(err, DC_E_ACCESS,
		        "user %s has access level %d on the panel; a "
		        "processing module needs an administrator (level %d)",
		        p->user, p->level, PANEL_LEVEL_ADMIN);
	if (err) {
		dc_strlcpy(err->func, "auth", sizeof(err->func));
		dc_strlcpy(err->url, p->url, sizeof(err->url));
	}
	return -1;
}

static int call_common(panel *p, const char *func, const panel_param *params,
                       bool safe, xml_doc **doc_out, char **raw, size_t *rawlen,
                       dc_err *err)
{
	dc_err e;
	err_clear(&e);
	if (doc_out)
		*doc_out = NULL;
	if (raw)
		*raw = NULL;
	if (check_params(func, params, &e) < 0) {
		fill_call_err(p, &e, func, 0);
		if (err)
			*err = e;
		return -1;
	}
	char lp[sizeof(((apilog_rec *)0)->params)] = "";
	apilog_format_params(params, lp, sizeof(lp));
	double t0 = mono_ms();
	xml_doc *doc = NULL;
	int rc = -1;
	bool fresh_login = false;
	for (int attempt = 0; attempt < 2; attempt++) {
		if (!p->authinfo && !p->session) {
			if (panel_login(p, NULL, &e) < 0)
				break;
			fresh_login = true;
		}
		if (raw && *raw) {
			free(*raw);
			*raw = NULL;
		}
		xml_doc_free(doc);
		rc = exchange(p, func, true, safe, params, lp, &doc, raw,
		              rawlen, &e);
		if (rc == 0 || e.cat != DC_E_AUTH || p->authinfo)
			break;
		/* The session was refused: expired, or dropped by the panel.
		 * A session we just got being refused is not an expiry. */
		panel_forget_session(p);
		if (fresh_login)
			break;
		if (!safe) {
			e.retryable = true;
			err_prefix(&e,
			           "session expired; %s not repeated (not "
			           "safe to repeat)",
			           func);
			break;
		}
	}
	if (rc < 0) {
		fill_call_err(p, &e, func, mono_ms() - t0);
		if (err)
			*err = e;
	}
	if (doc_out && rc == 0)
		*doc_out = doc;
	else
		xml_doc_free(doc);
	return rc;
}

int panel_call(panel *p, const char *func, const panel_param *params,
               bool safe_to_repeat, xml_doc **doc, dc_err *err)
{
	return call_common(p, func, params, safe_to_repeat, doc, NULL, NULL,
	                   err);
}

int panel_call_raw(panel *p, const char *func, const panel_param *params,
                   bool safe_to_repeat, char **body, size_t *len, dc_err *err)
{
	size_t l = 0;
	int rc =
	    call_common(p, func, params, safe_to_repeat, NULL, body, &l, err);
	if (len)
		*len = l;
	return rc;
}

/* ---- adapter helpers ---- */

int panel_apply(panel *p, const char *func, const panel_param *params,
                bool safe_to_repeat, xml_doc **doc, dc_err *err)
{
	xml_doc *d = NULL;
	if (panel_call(p, func, params, safe_to_repeat, &d, err) < 0)
		return -1;
	if (!d->ok && d->nrows) {
		xml_doc_free(d);
		return panel_bad_answer(p, func, err,
		                        "expected <ok/> or a key, got a list");
	}
	if (doc)
		*doc = d;
	else
		xml_doc_free(d);
	return 0;
}

int panel_bad_answer(const panel *p, const char *func, dc_err *err,
                     const char *fmt, ...)
{
	if (!err)
		return -1;
	char m[sizeof(err->msg)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	err_set(err, DC_E_PARSE, "unexpected answer: %s", m);
	fill_call_err(p, err, func, 0);
	return -1;
}

int panel_field_long(const panel *p, const char *func, const char *field,
                     const char *value, long *out, dc_err *err)
{
	*out = 0;
	if (!value)
		return 0;
	char *end = NULL;
	errno = 0;
	long v = strtol(value, &end, 10);
	if (errno || end == value || *end != '\0')
		return panel_bad_answer(p, func, err,
		                        "field %s is not an integer: '%.40s'",
		                        field, value);
	*out = v;
	return 0;
}

int panel_field_double(const panel *p, const char *func, const char *field,
                       const char *value, double *out, dc_err *err)
{
	*out = 0;
	if (!value)
		return 0;
	char *end = NULL;
	errno = 0;
	double v = strtod(value, &end);
	if (errno || end == value || *end != '\0' || !isfinite(v))
		return panel_bad_answer(p, func, err,
		                        "field %s is not a number: '%.40s'",
		                        field, value);
	*out = v;
	return 0;
}

/* ---- batch ---- */

typedef struct pbreq {
	panel_batch *pb;
	char *func;
	http_buf params; /* encoded, without out/func/credentials */
	char log_params[sizeof(((apilog_rec *)0)->params)];
	bool safe, repeated;
	unsigned gen; /* session generation it was sent with */
	struct timespec start;
	panel_done_fn done;
	void *user;
} pbreq;

struct panel_batch {
	panel *p;
	http_batch *hb;
};

static void pbreq_free(pbreq *r)
{
	if (!r)
		return;
	free(r->func);
	http_buf_wipe(&r->params);
	free(r);
}

panel_batch *panel_batch_new(panel *p, int max_parallel, dc_err *err)
{
	panel_batch *b = calloc(1, sizeof(*b));
	if (!b) {
		err_set(err, DC_E_NOMEM, "out of memory");
		return NULL;
	}
	b->p = p;
	b->hb = http_batch_new(&p->hopts, max_parallel, err);
	if (!b->hb) {
		free(b);
		return NULL;
	}
	return b;
}

void panel_batch_free(panel_batch *b)
{
	if (!b)
		return;
	http_batch_free(b->hb);
	free(b);
}

void panel_batch_cancel(panel_batch *b)
{
	if (b)
		http_batch_cancel(b->hb);
}

static void on_batch_done(void *user, const http_resp *resp,
                          const dc_err *herr);

static int dispatch(panel_batch *b, pbreq *r, dc_err *err)
{
	panel *p = b->p;
	if (!p->authinfo && !p->session && panel_login(p, NULL, err) < 0)
		return -1;
	http_buf body = {0};
	r->gen = p->session_gen;
	clock_gettime(CLOCK_REALTIME, &r->start);
	int rc = build_body(p, r->func, true, NULL, &r->params, &body, err);
	if (rc == 0)
		rc = http_batch_add(b->hb, p->url, body.data, body.len,
		                    !r->safe, on_batch_done, r, err);
	http_buf_wipe(&body);
	return rc;
}

static void batch_complete(pbreq *r, xml_doc *doc, dc_err *e, double ms)
{
	panel *p = r->pb->p;
	if (e)
		fill_call_err(p, e, r->func, ms);
	log_call(p, r->func, r->log_params, &r->start, ms, e, doc);
	if (r->done)
		r->done(r->user, doc, e);
	else
		xml_doc_free(doc);
	pbreq_free(r);
}

static void on_batch_done(void *user, const http_resp *resp, const dc_err *herr)
{
	pbreq *r = user;
	panel *p = r->pb->p;
	dc_err e;
	if (herr) {
		e = *herr;
		batch_complete(r, NULL, &e, herr->elapsed_ms);
		return;
	}
	double t0 = mono_ms();
	xml_doc *doc = NULL;
	err_clear(&e);
	int rc = decode_answer(p, resp, &doc, &e);
	double ms = resp->elapsed_ms + (mono_ms() - t0);
	if (rc == 0) {
		batch_complete(r, doc, NULL, ms);
		return;
	}
	xml_doc_free(doc);
	if (e.cat == DC_E_AUTH && !p->authinfo && !r->repeated) {
		if (!r->safe) {
			if (p->session_gen == r->gen)
				panel_forget_session(p);
			e.retryable = true;
			err_prefix(&e,
			           "session expired; %s not repeated (not "
			           "safe to repeat)",
			           r->func);
			batch_complete(r, NULL, &e, ms);
			return;
		}
		/* Several calls in flight meet the same expiry: only the
		 * first logs in again; the others reuse the new session. */
		if (p->session_gen == r->gen)
			panel_forget_session(p);
		log_call(p, r->func, r->log_params, &r->start, ms, &e, NULL);
		r->repeated = true;
		dc_err de;
		if (dispatch(r->pb, r, &de) == 0)
			return;
		batch_complete(r, NULL, &de, ms);
		return;
	}
	batch_complete(r, NULL, &e, ms);
}

int panel_batch_add(panel_batch *b, const char *func, const panel_param *params,
                    bool safe_to_repeat, panel_done_fn done, void *user,
                    dc_err *err)
{
	dc_err e;
	err_clear(&e);
	if (check_params(func, params, &e) < 0)
		goto fail;
	pbreq *r = calloc(1, sizeof(*r));
	if (!r || !(r->func = strdup(func))) {
		free(r);
		err_set(&e, DC_E_NOMEM, "out of memory");
		goto fail;
	}
	r->pb = b;
	r->safe = safe_to_repeat;
	r->done = done;
	r->user = user;
	apilog_format_params(params, r->log_params, sizeof(r->log_params));
	if (http_form_add_all(&r->params, params, &e) < 0 ||
	    dispatch(b, r, &e) < 0) {
		pbreq_free(r);
		goto fail;
	}
	return 0;
fail:
	fill_call_err(b->p, &e, func ? func : "", 0);
	if (err)
		*err = e;
	return -1;
}

panel *panel_batch_panel(const panel_batch *b)
{
	return b->p;
}

int panel_batch_run(panel_batch *b, dc_err *err)
{
	return http_batch_run(b->hb, err);
}
