/* simhttp.c - libmicrohttpd front of dcisim (see simhttp.h). */
#include "simhttp.h"
#include "simreq.h"
#include "xbuf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libxml/xmlstring.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define XML_HEAD   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<doc>"
#define MAX_BODY   (1U << 20)
#define MAX_PARAMS 256

struct sim_http {
	sim *s;
	struct MHD_Daemon *plain;
	struct MHD_Daemon *tls;
};

typedef struct conn_ctx {
	simreq req;
	struct MHD_PostProcessor *pp;
	size_t body;
	const char *bad; /* why the request is refused, or NULL */
	char badkey[64];
	double t0;
	char path[64];
} conn_ctx;

/* ---- parameters ---- */

const char *req_get(const simreq *r, const char *key)
{
	for (size_t i = r->nparams; i-- > 0;)
		if (!strcmp(r->params[i].k, key))
			return r->params[i].v;
	return NULL;
}

const char *req_str(const simreq *r, const char *key)
{
	const char *v = req_get(r, key);
	return v ? v : "";
}

bool req_on(const simreq *r, const char *key)
{
	const char *v = req_str(r, key);
	return !strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true") ||
	       !strcmp(v, "1");
}

bool req_sok(const simreq *r)
{
	return *req_str(r, "sok") != '\0';
}

int req_id(simreq *r, const char *key, unsigned *out)
{
	const char *v = req_get(r, key);
	char *end;
	if (!v || !*v)
		return simerr_set(&r->err, "value", key, "",
		                  "parameter %s is required", key);
	errno = 0;
	unsigned long x = strtoul(v, &end, 10);
	if (errno || *end || *v < '0' || *v > '9' || x == 0 || x > 4000000000UL)
		return simerr_set(&r->err, "value", key, v,
		                  "parameter %s must be a positive integer",
		                  key);
	*out = (unsigned)x;
	return 0;
}

int req_long(simreq *r, const char *key, long long lo, long long hi,
             long long def, long long *out)
{
	const char *v = req_get(r, key);
	char *end;
	if (!v || !*v) {
		*out = def;
		return 0;
	}
	errno = 0;
	long long x = strtoll(v, &end, 10);
	if (errno || *end || x < lo || x > hi)
		return simerr_set(&r->err, "value", key, v,
		                  "parameter %s must be an integer %lld..%lld",
		                  key, lo, hi);
	*out = x;
	return 0;
}

static bool value_ok(const char *v, size_t len)
{
	if (strlen(v) != len)
		return false; /* embedded NUL */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];
		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
		    c == 0x7f)
			return false;
	}
	return xmlCheckUTF8((const unsigned char *)v) == 1;
}

static void add_param(conn_ctx *cc, const char *key, size_t klen,
                      const char *val, size_t vlen, bool append)
{
	simreq *r = &cc->req;
	if (append && r->nparams && !strcmp(r->params[r->nparams - 1].k, key)) {
		kv *p = &r->params[r->nparams - 1];
		if (p->vlen + vlen > MAX_BODY)
			return;
		p->v = sim_xrealloc(p->v, p->vlen + vlen + 1);
		memcpy(p->v + p->vlen, val, vlen);
		p->vlen += vlen;
		p->v[p->vlen] = '\0';
		return;
	}
	if (r->nparams >= MAX_PARAMS) {
		cc->bad = "too many parameters";
		return;
	}
	if (r->nparams == r->capparams) {
		r->capparams = r->capparams ? r->capparams * 2 : 16;
		r->params =
		    sim_xrealloc(r->params, r->capparams * sizeof(*r->params));
	}
	kv *p = &r->params[r->nparams++];
	p->k = sim_xmalloc(klen + 1);
	memcpy(p->k, key, klen);
	p->k[klen] = '\0';
	p->v = sim_xmalloc(vlen + 1);
	if (vlen)
		memcpy(p->v, val, vlen);
	p->v[vlen] = '\0';
	p->vlen = vlen;
}

static enum MHD_Result get_arg(void *cls, enum MHD_ValueKind kind,
                               const char *key, size_t key_size,
                               const char *value, size_t value_size)
{
	(void)kind;
	add_param(cls, key, key_size, value ? value : "",
	          value ? value_size : 0, false);
	return MHD_YES;
}

static enum MHD_Result post_arg(void *cls, enum MHD_ValueKind kind,
                                const char *key, const char *filename,
                                const char *content_type,
                                const char *transfer_encoding, const char *data,
                                uint64_t off, size_t size)
{
	(void)kind;
	(void)filename;
	(void)content_type;
	(void)transfer_encoding;
	add_param(cls, key, strlen(key), data ? data : "", data ? size : 0,
	          off > 0);
	return MHD_YES;
}

/* Checks every parameter once the request is complete. */
static void check_params(conn_ctx *cc)
{
	simreq *r = &cc->req;
	for (size_t i = 0; i < r->nparams && !cc->bad; i++) {
		kv *p = &r->params[i];
		if (!value_ok(p->k, strlen(p->k)) || !value_ok(p->v, p->vlen)) {
			cc->bad = "parameter is not valid UTF-8 text";
			snprintf(cc->badkey, sizeof(cc->badkey), "%.60s",
			         value_ok(p->k, strlen(p->k)) ? p->k : "?");
		}
	}
}

/* ---- routing ---- */

static int route(const char *url, sim *s, sim_panel *panel, int *loc)
{
	char p[128];
	size_t n = strlen(url);
	if (n >= sizeof(p))
		return -1;
	memcpy(p, url, n + 1);
	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	const char *rest = p;
	*loc = 0;
	if (!strcmp(p, "/simctl")) {
		*panel = PANEL_CTL;
		return 0;
	}
	if (!strncmp(p, "/dc", 3)) {
		char *end;
		long l = strtol(p + 3, &end, 10);
		if (end == p + 3 || *end != '/' || l < 1 || l > s->nlocs)
			return -1;
		*loc = (int)l;
		rest = end;
	}
	if (!strncmp(rest, "/manager/", 9))
		rest += 8;
	if (!strcmp(rest, "/dcimgr")) {
		*panel = PANEL_DCI;
		if (!*loc)
			*loc = 1;
		return 0;
	}
	if (*loc)
		return -1;
	if (!strcmp(rest, "/ipmgr")) {
		*panel = PANEL_IP;
		return 0;
	}
	if (!strcmp(rest, "/billmgr")) {
		*panel = PANEL_BILL;
		return 0;
	}
	return -1;
}

/* ---- authentication ---- */

static int do_auth(sim *s, simreq *r)
{
	const char *u = req_str(r, "username"), *p = req_str(r, "password");
	userdb *db = sim_users(s, r->panel, r->loc);
	simuser *x = db ? userdb_find(db, u) : NULL;
	if (!x || strcmp(x->pass, p))
		return simerr_set(&r->err, "auth", "auth", u,
		                  "invalid username or password");
	session *se = sim_session_new(s, r->panel, r->loc, x);
	snprintf(r->user, sizeof(r->user), "%s", x->name);
	r->level = x->level;
	if (s->o.auth_attr_only)
		xbuf_addf(&r->out, "<auth id=\"%s\" level=\"%d\"/>", se->id,
		          se->level);
	else
		xbuf_addf(&r->out, "<auth id=\"%s\" level=\"%d\">%s</auth>",
		          se->id, se->level, se->id);
	return 0;
}

static int authenticate(sim *s, simreq *r)
{
	const char *sid = req_get(r, "auth"), *ai = req_get(r, "authinfo");
	if (sid && *sid) {
		session *se = sim_session_get(s, sid);
		if (!se)
			return simerr_set(&r->err, "auth", "auth", "",
			                  "session is unknown or expired");
		if (se->panel != r->panel || se->loc != r->loc)
			return simerr_set(&r->err, "auth", "auth", "",
			                  "session belongs to another panel");
		double now = sim_now(s);
		if (now - se->last > s->o.session_idle) {
			sim_session_drop(s, sid);
			return simerr_set(&r->err, "auth", "auth", "",
			                  "session expired");
		}
		se->last = now;
		snprintf(r->user, sizeof(r->user), "%s", se->user);
		r->level = se->level;
		r->session = sid;
		return 0;
	}
	if (ai && *ai) {
		const char *colon = strchr(ai, ':');
		char name[64];
		if (!colon || (size_t)(colon - ai) >= sizeof(name))
			return simerr_set(&r->err, "auth", "authinfo", "",
			                  "authinfo must be user:password");
		memcpy(name, ai, (size_t)(colon - ai));
		name[colon - ai] = '\0';
		userdb *db = sim_users(s, r->panel, r->loc);
		simuser *x = db ? userdb_find(db, name) : NULL;
		if (!x || strcmp(x->pass, colon + 1))
			return simerr_set(&r->err, "auth", "authinfo", name,
			                  "invalid username or password");
		snprintf(r->user, sizeof(r->user), "%s", x->name);
		r->level = x->level;
		return 0;
	}
	return simerr_set(&r->err, "auth", "auth", "",
	                  "authentication required (auth or authinfo)");
}

static int call_panel(sim *s, simreq *r)
{
	if (!strcmp(r->func, "auth"))
		return do_auth(s, r);
	if (authenticate(s, r) < 0)
		return -1;
	const panel_func *pf = r->panel == PANEL_DCI  ? dcimgr_func(r->func)
	                       : r->panel == PANEL_IP ? ipmgr_func(r->func)
	                                              : billmgr_func(r->func);
	if (!pf)
		return simerr_set(&r->err, "missed", "func", r->func,
		                  "unknown function '%s'", r->func);
	if (r->level < pf->min_level)
		return simerr_set(&r->err, "access", "func", r->func,
		                  "function %s needs an administrator "
		                  "(level %d); user %s has level %d",
		                  r->func, pf->min_level, r->user, r->level);
	return pf->fn(s, r);
}

/* ---- responses ---- */

static void write_error(simreq *r)
{
	r->out.len = r->prefix;
	xbuf_adds(&r->out, "<error type=\"");
	xbuf_addesc(&r->out, r->err.type);
	xbuf_adds(&r->out, "\" object=\"");
	xbuf_addesc(&r->out, r->err.object);
	xbuf_adds(&r->out, "\" value=\"");
	xbuf_addesc(&r->out, r->err.value);
	xbuf_adds(&r->out, "\"><msg>");
	xbuf_addesc(&r->out, r->err.msg);
	xbuf_adds(&r->out, "</msg></error>");
}

static enum MHD_Result send_owned(struct MHD_Connection *c, unsigned status,
                                  char *body, size_t len, const char *ctype)
{
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer_with_free_callback(len, body, free);
	if (!resp) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	enum MHD_Result rc = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return rc;
}

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status,
                                 const char *text)
{
	return send_owned(c, status, sim_xstrdup(text), strlen(text),
	                  "text/plain; charset=UTF-8");
}

typedef struct cut_body {
	char *data;
	size_t half;
} cut_body;

static ssize_t cut_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	cut_body *cb = cls;
	if (pos >= cb->half)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	size_t n = cb->half - (size_t)pos;
	if (n > max)
		n = max;
	memcpy(buf, cb->data + pos, n);
	return (ssize_t)n;
}

static void cut_free(void *cls)
{
	cut_body *cb = cls;
	free(cb->data);
	free(cb);
}

/* Announces the full length, sends the first half, then drops the
 * connection. */
static enum MHD_Result send_truncated(struct MHD_Connection *c, char *body,
                                      size_t len)
{
	cut_body *cb = sim_xmalloc(sizeof(*cb));
	cb->data = body;
	cb->half = len / 2;
	struct MHD_Response *resp = MHD_create_response_from_callback(
	    len, 4096, cut_reader, cb, cut_free);
	if (!resp) {
		cut_free(cb);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	                        "text/xml; charset=UTF-8");
	enum MHD_Result rc = MHD_queue_response(c, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return rc;
}

/* Cuts a well-formed answer in the middle and appends bytes no XML
 * parser accepts. */
static void corrupt(xbuf *b)
{
	size_t keep = b->len * 3 / 5;
	if (keep < sizeof(XML_HEAD) - 1)
		keep = b->len;
	b->len = keep;
	xbuf_adds(b, "<<elem attr=\"&broken\"></doc");
}

static void wait_ms(sim *s, long ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&s->stoplock);
	while (!s->stopping)
		if (pthread_cond_timedwait(&s->stopcond, &s->stoplock, &ts) ==
		    ETIMEDOUT)
			break;
	pthread_mutex_unlock(&s->stoplock);
}

static double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void log_call(sim *s, conn_ctx *cc, const char *result,
                     const fault_decision *fd)
{
	if (!s->log)
		return;
	simreq *r = &cc->req;
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	const char *elid = req_get(r, "elid"), *plid = req_get(r, "plid");
	pthread_mutex_lock(&s->loglock);
	fprintf(s->log, "%s %s func=%s user=%s", ts, cc->path,
	        r->func ? r->func : "", r->user[0] ? r->user : "-");
	if (plid)
		fprintf(s->log, " plid=%.40s", plid);
	if (elid)
		fprintf(s->log, " elid=%.60s", elid);
	fprintf(s->log, " -> %s", result);
	if (fd->kind != FK_NONE)
		fprintf(s->log, " fault=%s%s", fault_kind_name(fd->kind),
		        fd->rule ? "" : "(random)");
	fprintf(s->log, " %.1fms\n", (mono_now() - cc->t0) * 1000.0);
	pthread_mutex_unlock(&s->loglock);
}

static enum MHD_Result finish(sim_http *h, struct MHD_Connection *c,
                              conn_ctx *cc)
{
	sim *s = h->s;
	simreq *r = &cc->req;
	fault_decision fd = {0};
	int rc = 0;
	char result[64];

	check_params(cc);
	r->func = req_str(r, "func");
	xbuf_adds(&r->out, XML_HEAD);
	r->prefix = r->out.len;

	sim_lock(s);
	sim_tick(s);
	if (cc->bad) {
		rc =
		    simerr_set(&r->err, "value", cc->badkey, "", "%s", cc->bad);
	} else if (r->panel == PANEL_CTL) {
		rc = simctl_call(s, r);
	} else {
		const char *sid = req_get(r, "auth");
		sim_count_call(s, r->panel, r->loc, r->func);
		faults_decide(&s->faults, r->panel, r->loc, r->func,
		              sid && *sid, &fd);
		if (fd.kind == FK_EXPIRE) {
			sim_session_drop(s, sid);
			rc = simerr_set(&r->err, "auth", "auth", "",
			                "session expired");
		} else if (fd.kind != FK_NONE && fd.kind != FK_DELAY &&
		           !fd.act) {
			/* The panel fails before doing anything. */
			xbuf_adds(&r->out, "<elem><id>1</id></elem>");
		} else {
			rc = call_panel(s, r);
		}
		if (fd.kind == FK_ERROR)
			rc = simerr_set(&r->err, fd.errtype, "fault", r->func,
			                "simulated %s error (dcisim fault)",
			                fd.errtype);
	}
	if (rc < 0)
		write_error(r);
	sim_unlock(s);
	xbuf_adds(&r->out, "</doc>\n");
	if (rc < 0)
		snprintf(result, sizeof(result), "error:%s", r->err.type);
	else
		snprintf(result, sizeof(result), "ok");

	size_t len;
	switch (fd.kind) {
	case FK_DELAY:
		wait_ms(s, fd.ms);
		break;
	case FK_RESET:
		log_call(s, cc, result, &fd);
		return MHD_NO;
	case FK_HTTP500:
		log_call(s, cc, result, &fd);
		return send_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
		                 "<html><head><title>500 Internal Server "
		                 "Error</title></head><body><h1>Internal "
		                 "Server Error</h1></body></html>\n");
	case FK_TRUNCATE: {
		log_call(s, cc, result, &fd);
		char *body = xbuf_steal(&r->out, &len);
		return send_truncated(c, body, len);
	}
	case FK_BADXML:
		corrupt(&r->out);
		break;
	default:
		break;
	}
	log_call(s, cc, result, &fd);
	char *body = xbuf_steal(&r->out, &len);
	return send_owned(c, MHD_HTTP_OK, body, len, "text/xml; charset=UTF-8");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
	sim_http *h = cls;
	conn_ctx *cc = *con_cls;
	(void)version;
	if (!cc) {
		sim_panel panel;
		int loc;
		bool get = !strcmp(method, MHD_HTTP_METHOD_GET);
		bool post = !strcmp(method, MHD_HTTP_METHOD_POST);
		if (!get && !post)
			return send_text(c, MHD_HTTP_METHOD_NOT_ALLOWED,
			                 "dcisim: use GET or POST\n");
		if (route(url, h->s, &panel, &loc) < 0)
			return send_text(c, MHD_HTTP_NOT_FOUND,
			                 "dcisim: no panel at this path; see "
			                 "the READY line\n");
		cc = sim_xcalloc(1, sizeof(*cc));
		cc->t0 = mono_now();
		cc->req.panel = panel;
		cc->req.loc = loc;
		xbuf_init(&cc->req.out);
		snprintf(cc->path, sizeof(cc->path), "%.63s", url);
		MHD_get_connection_values_n(c, MHD_GET_ARGUMENT_KIND, get_arg,
		                            cc);
		if (post) {
			cc->pp =
			    MHD_create_post_processor(c, 16384, post_arg, cc);
			/* Without a form encoding the body is not read as
			 * parameters; refuse only if there is a body. */
		}
		*con_cls = cc;
		return MHD_YES;
	}
	if (*upload_size) {
		cc->body += *upload_size;
		if (cc->body > MAX_BODY)
			cc->bad = "request body too large";
		else if (!cc->pp)
			cc->bad = "POST body must be "
			          "application/x-www-form-urlencoded";
		else if (MHD_post_process(cc->pp, upload, *upload_size) !=
		         MHD_YES)
			cc->bad = "malformed POST body";
		*upload_size = 0;
		return MHD_YES;
	}
	return finish(h, c, cc);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	conn_ctx *cc = *con_cls;
	if (!cc)
		return;
	if (cc->pp)
		MHD_destroy_post_processor(cc->pp);
	for (size_t i = 0; i < cc->req.nparams; i++) {
		free(cc->req.params[i].k);
		free(cc->req.params[i].v);
	}
	free(cc->req.params);
	xbuf_free(&cc->req.out);
	free(cc);
	*con_cls = NULL;
}

static struct MHD_Daemon *start_daemon(sim_http *h, unsigned port,
                                       const char *cert, const char *key,
                                       unsigned *bound)
{
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* No MHD error log: the faults make it complain on purpose, and
	 * start-up failures are reported by the caller. */
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION |
	                 MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO;
	struct MHD_Daemon *d;
	if (cert)
		d = MHD_start_daemon(
		    flags | MHD_USE_TLS, 0, NULL, NULL, on_request, h,
		    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		    MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
		    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
		    MHD_OPTION_CONNECTION_LIMIT, (unsigned)4000,
		    MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
		    MHD_OPTION_HTTPS_MEM_KEY, key, MHD_OPTION_HTTPS_MEM_CERT,
		    cert, MHD_OPTION_END);
	else
		d = MHD_start_daemon(
		    flags, 0, NULL, NULL, on_request, h, MHD_OPTION_SOCK_ADDR,
		    (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED,
		    on_completed, h, MHD_OPTION_CONNECTION_TIMEOUT,
		    (unsigned)120, MHD_OPTION_CONNECTION_LIMIT, (unsigned)4000,
		    MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
		    MHD_OPTION_END);
	if (!d)
		return NULL;
	const union MHD_DaemonInfo *info =
	    MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	*bound = info ? info->port : port;
	return d;
}

sim_http *sim_http_start(sim *s, unsigned port, unsigned tls_port,
                         const char *tls_cert, const char *tls_key,
                         unsigned *bound_port, unsigned *bound_tls_port,
                         char *err, size_t errlen)
{
	sim_http *h = sim_xcalloc(1, sizeof(*h));
	h->s = s;
	h->plain = start_daemon(h, port, NULL, NULL, bound_port);
	if (!h->plain) {
		snprintf(err, errlen,
		         "cannot listen on 127.0.0.1:%u (in use? try --port 0)",
		         port);
		free(h);
		return NULL;
	}
	if (tls_cert) {
		h->tls = start_daemon(h, tls_port, tls_cert, tls_key,
		                      bound_tls_port);
		if (!h->tls) {
			snprintf(err, errlen,
			         "cannot start the TLS listener on "
			         "127.0.0.1:%u",
			         tls_port);
			MHD_stop_daemon(h->plain);
			free(h);
			return NULL;
		}
	}
	return h;
}

void sim_http_stop(sim_http *h)
{
	sim *s = h->s;
	pthread_mutex_lock(&s->stoplock);
	s->stopping = true;
	pthread_cond_broadcast(&s->stopcond);
	pthread_mutex_unlock(&s->stoplock);
	if (h->tls)
		MHD_stop_daemon(h->tls);
	MHD_stop_daemon(h->plain);
	free(h);
}
