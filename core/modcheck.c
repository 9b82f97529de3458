/* modcheck.c - connection diagnostics; see modcheck.h.
 *
 * The network steps below the panel API (resolve, connect, TLS) are taken
 * apart so that an operator sees which layer fails: getaddrinfo for the
 * name, then one libcurl CONNECT_ONLY transfer for TCP and TLS, whose
 * timings (CURLINFO_*_TIME_T) and error code tell the two apart. The API
 * steps go through the panel client (panel.h, dci.h, ipm.h) so that they
 * are logged like every other call. */
#include "modcheck.h"

#include <curl/curl.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "dci.h"
#include "ipm.h"
#include "module.h"
#include "panel.h"
#include "secret.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

const char *modcheck_state_name(modcheck_state s)
{
	switch (s) {
	case MODCHECK_OK:
		return "ok";
	case MODCHECK_FAIL:
		return "FAIL";
	case MODCHECK_SKIP:
		return "skip";
	case MODCHECK_PENDING:
		break;
	}
	return "...";
}

/* ---- the run: a result being filled, step by step ---- */

typedef struct run {
	modcheck_result *r;
	const modcheck_opts *o;
	double t0;      /* start of the whole check */
	double step_t0; /* start of the current step */
	bool cancelled;
} run;

static size_t add_step(modcheck_result *r, modcheck_id id, const char *name)
{
	modcheck_step *s = &r->steps[r->n];
	memset(s, 0, sizeof(*s));
	s->id = id;
	dc_strlcpy(s->name, name, sizeof(s->name));
	s->state = MODCHECK_PENDING;
	return r->n++;
}

static modcheck_step *find(modcheck_result *r, modcheck_id id)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->steps[i].id == id)
			return &r->steps[i];
	return NULL;
}

static void progress(run *rn, const modcheck_step *s)
{
	if (rn->o && rn->o->progress)
		rn->o->progress(rn->o->user, rn->r, (size_t)(s - rn->r->steps));
}

static bool cancelled(run *rn)
{
	if (!rn->cancelled && rn->o && rn->o->cancel && *rn->o->cancel)
		rn->cancelled = true;
	return rn->cancelled;
}

/* Starts a step; false when the run was cancelled (step then skipped). */
static bool begin(run *rn, modcheck_id id)
{
	modcheck_step *s = find(rn->r, id);
	if (cancelled(rn)) {
		s->state = MODCHECK_SKIP;
		dc_strlcpy(s->detail, "cancelled", sizeof(s->detail));
		progress(rn, s);
		return false;
	}
	rn->step_t0 = now_ms();
	return true;
}

static void ok(run *rn, modcheck_id id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void ok(run *rn, modcheck_id id, const char *fmt, ...)
{
	modcheck_step *s = find(rn->r, id);
	va_list ap;
	s->state = MODCHECK_OK;
	s->ms = now_ms() - rn->step_t0;
	va_start(ap, fmt);
	vsnprintf(s->detail, sizeof(s->detail), fmt, ap);
	va_end(ap);
	progress(rn, s);
}

/* A failed step: the error line from e (or text when e is NULL), the
 * field to fix and what to do. */
static void fail(run *rn, modcheck_id id, const dc_err *e, const char *field,
                 const char *hint_fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void fail(run *rn, modcheck_id id, const dc_err *e, const char *field,
                 const char *hint_fmt, ...)
{
	modcheck_step *s = find(rn->r, id);
	va_list ap;
	s->state = MODCHECK_FAIL;
	s->ms = now_ms() - rn->step_t0;
	s->cat = e ? e->cat : DC_E_INVALID;
	if (e) {
		/* The field is ours to name (the panel's err->field is none of
		 * the form's), so the line is built without it. */
		dc_err c = *e;
		c.field[0] = '\0';
		err_line(&c, s->error, sizeof(s->error));
	}
	dc_strlcpy(s->field, field, sizeof(s->field));
	va_start(ap, hint_fmt);
	vsnprintf(s->hint, sizeof(s->hint), hint_fmt, ap);
	va_end(ap);
	progress(rn, s);
}

static void skip(run *rn, modcheck_id id, const char *why)
{
	modcheck_step *s = find(rn->r, id);
	if (!s || s->state != MODCHECK_PENDING)
		return;
	s->state = MODCHECK_SKIP;
	dc_strlcpy(s->detail, why, sizeof(s->detail));
	progress(rn, s);
}

static void skip_rest(run *rn, const modcheck_id *ids, size_t n,
                      const char *why)
{
	for (size_t i = 0; i < n; i++)
		skip(rn, ids[i], why);
}

/* ---- resolve, connect, TLS ---- */

typedef struct target_url {
	char host[256];
	char port[16];
	bool https;
} target_url;

static int parse_url(const char *url, target_url *t, dc_err *err)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL;
	int rc = -1;
	if (!u)
		return err_set(err, DC_E_NOMEM, "out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) !=
	        CURLUE_OK) {
		err_field(err, DC_E_INVALID, "url", "\"%s\" is not a URL", url);
		goto out;
	}
	/* getaddrinfo wants an IPv6 literal without its brackets */
	size_t hl = strlen(host);
	if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']')
		snprintf(t->host, sizeof(t->host), "%.*s", (int)(hl - 2),
		         host + 1);
	else
		dc_strlcpy(t->host, host, sizeof(t->host));
	dc_strlcpy(t->port, port, sizeof(t->port));
	t->https = strcasecmp(scheme, "https") == 0;
	rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return rc;
}

static void step_resolve(run *rn, const target_url *tu)
{
	struct addrinfo hints = {0}, *res = NULL;
	char first[64] = "";
	int n = 0;
	dc_err e;

	if (!begin(rn, MODCHECK_RESOLVE))
		return;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_ADDRCONFIG;
	int rc = getaddrinfo(tu->host, tu->port, &hints, &res);
	if (rc != 0) {
		err_set(&e, DC_E_TRANSPORT, "cannot resolve host %s: %s",
		        tu->host,
		        rc == EAI_SYSTEM ? "system error" : gai_strerror(rc));
		fail(rn, MODCHECK_RESOLVE, &e, "url",
		     "check the host name in the URL (try: getent hosts %s); "
		     "check the resolver if the name is right",
		     tu->host);
		return;
	}
	for (struct addrinfo *a = res; a; a = a->ai_next, n++)
		if (n == 0)
			getnameinfo(a->ai_addr, a->ai_addrlen, first,
			            sizeof(first), NULL, 0, NI_NUMERICHOST);
	freeaddrinfo(res);
	if (n > 1)
		ok(rn, MODCHECK_RESOLVE, "%s is %s (+%d more)", tu->host, first,
		   n - 1);
	else
		ok(rn, MODCHECK_RESOLVE, "%s is %s", tu->host, first);
}

static bool curl_tls_error(CURLcode c)
{
	switch (c) {
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CLIENTCERT:
	case CURLE_USE_SSL_FAILED:
		return true;
	default:
		return false;
	}
}

/* TCP connect and TLS handshake in one CONNECT_ONLY transfer: the same
 * certificate rules as every panel call (cafile, insecure), nothing sent. */
static void step_connect_tls(run *rn, const modcheck_conn *c,
                             const target_url *tu)
{
	char ebuf[CURL_ERROR_SIZE] = "";
	curl_off_t t_dns = 0, t_conn = 0, t_app = 0;
	long cto = rn->o && rn->o->connect_timeout_ms
	               ? rn->o->connect_timeout_ms
	               : HTTP_DEFAULT_CONNECT_MS;
	dc_err e;
	const modcheck_id rest[] = {MODCHECK_TLS, MODCHECK_LOGIN,
	                            MODCHECK_ADMIN, MODCHECK_API,
	                            MODCHECK_TYPES};

	if (!begin(rn, MODCHECK_CONNECT))
		return;
	double t0 = rn->step_t0;
	CURL *h = curl_easy_init();
	if (!h) {
		err_set(&e, DC_E_NOMEM, "out of memory");
		fail(rn, MODCHECK_CONNECT, &e, "url", "try again");
		return;
	}
	curl_easy_setopt(h, CURLOPT_URL, c->url);
	curl_easy_setopt(h, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, cto);
	/* the handshake gets the connect budget once more */
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 2 * cto);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
	if (c->cafile && *c->cafile)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->cafile);
	if (c->insecure) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	CURLcode rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_NAMELOOKUP_TIME_T, &t_dns);
	curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &t_conn);
	curl_easy_getinfo(h, CURLINFO_APPCONNECT_TIME_T, &t_app);
	curl_easy_cleanup(h);
	const char *why = ebuf[0] ? ebuf : curl_easy_strerror(rc);
	/* A TLS error means TCP got through; curl leaves the connect time at
	 * 0 on a failed transfer, so the error code decides first. */
	bool tls_failed = rc != CURLE_OK && curl_tls_error(rc);
	bool connected = rc == CURLE_OK || tls_failed || t_conn > 0;
	double total = now_ms() - t0;
	/* curl measured the steps; make ok()/fail() report its figures */
	double conn_ms = t_conn > t_dns ? (double)(t_conn - t_dns) / 1000.0
	                 : connected    ? 0
	                                : total;
	double tls_ms = t_app > t_conn ? (double)(t_app - t_conn) / 1000.0
	                               : total - conn_ms;

	rn->step_t0 = now_ms() - conn_ms;
	if (rc != CURLE_OK && !connected) {
		if (rc == CURLE_OPERATION_TIMEDOUT)
			err_set(
			    &e, DC_E_TIMEOUT,
			    "no connection to %s port %s within %ld ms (%s)",
			    tu->host, tu->port, cto, why);
		else
			err_set(&e, DC_E_TRANSPORT,
			        "cannot connect to %s port %s: %s", tu->host,
			        tu->port, why);
		e.retryable = true;
		fail(rn, MODCHECK_CONNECT, &e, "url",
		     "check the port in the URL and that the panel runs and "
		     "accepts connections from this host (firewall)");
		skip_rest(rn, rest, sizeof(rest) / sizeof(rest[0]),
		          "no connection");
		return;
	}
	ok(rn, MODCHECK_CONNECT, "connected to %s port %s", tu->host, tu->port);
	if (!tu->https) {
		skip(rn, MODCHECK_TLS,
		     "plain http: no TLS (the password crosses the network "
		     "unencrypted)");
		return;
	}
	if (!begin(rn, MODCHECK_TLS))
		return;
	rn->step_t0 = now_ms() - (tls_ms > 0 ? tls_ms : 0);
	if (rc != CURLE_OK) {
		bool tls = curl_tls_error(rc);
		if (rc == CURLE_OPERATION_TIMEDOUT)
			err_set(&e, DC_E_TIMEOUT, "TLS handshake timed out: %s",
			        why);
		else if (tls)
			err_set(&e, DC_E_TLS, "TLS: %s", why);
		else
			err_set(&e, DC_E_TRANSPORT, "TLS handshake: %s", why);
		fail(
		    rn, MODCHECK_TLS, &e, tls ? "cafile" : "url", "%s",
		    tls ? "the panel's certificate is not trusted: give the CA "
		          "file that signed it (cafile); switching "
		          "certificate checks off (insecure) is possible but "
		          "shown in red"
		        : "is this port really the panel's HTTPS port?");
		skip_rest(rn, rest + 1, sizeof(rest) / sizeof(rest[0]) - 1,
		          "no TLS connection");
		return;
	}
	ok(rn, MODCHECK_TLS, "%s",
	   c->insecure ? "handshake done; certificate NOT verified (insecure)"
	               : "certificate verified");
}

/* ---- panel steps ---- */

static panel *open_panel(run *rn, const modcheck_conn *c, dc_err *e)
{
	panel_opts po = {0};
	po.url = c->url;
	po.username = c->username;
	po.password = c->password;
	po.cafile = c->cafile && *c->cafile ? c->cafile : NULL;
	po.insecure = c->insecure;
	po.auth_mode = PANEL_AUTH_SESSION;
	if (rn->o) {
		po.connect_timeout_ms = rn->o->connect_timeout_ms;
		po.timeout_ms = rn->o->timeout_ms;
		po.body_cap = rn->o->body_cap;
		po.log = rn->o->log;
	}
	return panel_new(&po, e);
}

/* What to do about a failed login, by category. *field gets the field. */
static const char *login_hint(const dc_err *e, const char **field)
{
	switch (e->cat) {
	case DC_E_AUTH:
		*field = "password";
		return "the panel refused this username and password: check "
		       "both (the account may also be disabled)";
	case DC_E_HTTP:
	case DC_E_PARSE:
		*field = "url";
		return "something answers at this address but not the panel's "
		       "API: check the path of the URL (e.g. "
		       "https://host:1500/dcimgr)";
	case DC_E_TLS:
		*field = "cafile";
		return "the certificate is not trusted: give the CA file "
		       "(cafile)";
	case DC_E_TIMEOUT:
	case DC_E_TRANSPORT:
		*field = "url";
		return "the panel did not answer: check that it runs and the "
		       "URL; try again";
	case DC_E_ACCESS:
		*field = "username";
		return "the panel refused access to this user";
	default:
		*field = "url";
		return "see the API log (:apilog) for the panel's answer";
	}
}

static const modcheck_id dci_after_login[] = {MODCHECK_ADMIN, MODCHECK_API};

static void steps_dci_panel(run *rn, const modcheck_conn *c)
{
	dc_err e;
	int level = -1;
	const char *field;

	if (!begin(rn, MODCHECK_LOGIN))
		return;
	err_clear(&e);
	panel *p = open_panel(rn, c, &e);
	if (!p || panel_login(p, &level, &e) < 0) {
		const char *hint = login_hint(&e, &field);
		fail(rn, MODCHECK_LOGIN, &e, field, "%s", hint);
		skip_rest(rn, dci_after_login, 2, "not logged in");
		panel_free(p);
		return;
	}
	ok(rn, MODCHECK_LOGIN, "logged in as %s", c->username);

	if (begin(rn, MODCHECK_ADMIN)) {
		if (level == PANEL_LEVEL_ADMIN) {
			ok(rn, MODCHECK_ADMIN,
			   "user %s has level %d "
			   "(administrator)",
			   c->username, level);
		} else {
			if (level < 0)
				err_set(
				    &e, DC_E_ACCESS,
				    "the panel did not say the level of user "
				    "%s; a processing module needs an "
				    "administrator (level %d)",
				    c->username, PANEL_LEVEL_ADMIN);
			else
				err_set(
				    &e, DC_E_ACCESS,
				    "user %s has level %d (%s); a processing "
				    "module needs an administrator (level "
				    "%d)",
				    c->username, level,
				    level == PANEL_LEVEL_USER ? "user"
				                              : "not "
				                                "administrator",
				    PANEL_LEVEL_ADMIN);
			fail(rn, MODCHECK_ADMIN, &e, "username",
			     "log in with an administrator account of "
			     "DCImanager, or give %s the administrator role "
			     "there",
			     c->username);
			skip(rn, MODCHECK_API, "not an administrator");
			panel_free(p);
			return;
		}
	}
	if (begin(rn, MODCHECK_API)) {
		dci_os_templates *os = NULL;
		if (dci_os_list(p, &os, &e) < 0) {
			const char *hint = login_hint(&e, &field);
			fail(rn, MODCHECK_API, &e, field,
			     "the panel took the login but not an API read "
			     "(osmgr): %s",
			     hint);
		} else {
			ok(rn, MODCHECK_API,
			   "osmgr answered: %zu OS template%s", os->n,
			   os->n == 1 ? "" : "s");
			dci_os_templates_free(os);
		}
	}
	panel_free(p);
}

static int keep_types(modcheck_result *r, const ipm_types *t, dc_err *err)
{
	r->types = calloc(t->n ? t->n : 1, sizeof(char *));
	if (!r->types)
		return err_set(err, DC_E_NOMEM, "out of memory");
	for (size_t i = 0; i < t->n; i++) {
		if (!(r->types[i] = strdup(t->v[i].name)))
			return err_set(err, DC_E_NOMEM, "out of memory");
		r->ntypes = i + 1;
	}
	return 0;
}

static void types_joined(const ipm_types *t, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < t->n && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "",
		                      t->v[i].name);
}

/* The IPmanager's types (step id_conn: MODCHECK_IPMGR in a module check,
 * where it includes the login, MODCHECK_TYPES in a connection check,
 * where p is already logged in), then in a module check the parking
 * type. p NULL: a handle is opened here. */
static void steps_ipmgr(run *rn, const modcheck_conn *c, panel *p,
                        modcheck_id id_conn, const char *parking,
                        const char *field)
{
	dc_err e;
	const char *name = c->name && *c->name ? c->name : c->url;
	panel *own = NULL;

	if (!begin(rn, id_conn))
		return;
	err_clear(&e);
	if (!c->url || !*c->url) {
		err_set(&e, DC_E_INVALID, "no IPmanager chosen");
		fail(rn, id_conn, &e, field,
		     "choose the IPmanager that allocates this module's "
		     "addresses (add one with: dcictl ipmgr add)");
		skip(rn, MODCHECK_PARKING, "no IPmanager");
		return;
	}
	ipm_types *t = NULL;
	if (!p)
		p = own = open_panel(rn, c, &e);
	if (!p || ipm_type_list(p, &t, &e) < 0) {
		const char *f, *hint = login_hint(&e, &f);
		if (id_conn == MODCHECK_IPMGR)
			fail(rn, id_conn, &e, field,
			     "IPmanager %s: %s (check it with: dcictl ipmgr "
			     "check %s)",
			     name, hint, name);
		else
			fail(rn, id_conn, &e, f, "%s", hint);
		skip(rn, MODCHECK_PARKING, "IPmanager not reachable");
		panel_free(own);
		return;
	}
	panel_free(own);
	char all[200];
	types_joined(t, all, sizeof(all));
	if (id_conn == MODCHECK_IPMGR)
		ok(rn, id_conn, "%s: logged in as %s, %zu address type%s", name,
		   c->username, t->n, t->n == 1 ? "" : "s");
	else
		ok(rn, id_conn, "%zu address type%s: %s", t->n,
		   t->n == 1 ? "" : "s", all);
	if (keep_types(rn->r, t, &e) < 0) {
		ipm_types_free(t);
		return;
	}
	if (id_conn == MODCHECK_IPMGR && begin(rn, MODCHECK_PARKING)) {
		const char **names = calloc(t->n ? t->n : 1, sizeof(char *));
		for (size_t i = 0; names && i < t->n; i++)
			names[i] = t->v[i].name;
		if (!parking || !*parking) {
			err_set(&e, DC_E_INVALID,
			        "no IP type for parking chosen");
			fail(rn, MODCHECK_PARKING, &e, "parking_type",
			     "choose one of the types of IPmanager %s: %s",
			     name, all);
		} else if (!names) {
			err_set(&e, DC_E_NOMEM, "out of memory");
			fail(rn, MODCHECK_PARKING, &e, "parking_type",
			     "try again");
		} else if (module_check_parking(parking, names, t->n, &e) < 0) {
			fail(rn, MODCHECK_PARKING, &e, "parking_type",
			     "choose one of the types IPmanager %s has, or "
			     "create \"%s\" there (Types of IP addresses) and "
			     "give it a range",
			     name, parking);
		} else {
			ok(rn, MODCHECK_PARKING, "IPmanager %s has type %s",
			   name, parking);
		}
		free(names);
	}
	ipm_types_free(t);
}

static void step_license(run *rn, const modcheck_conn *c, modcheck_id id,
                         const char *field)
{
	dc_err e;
	int level = -1;
	const char *name = c->name && *c->name ? c->name : c->url;

	if (!c->url || !*c->url) {
		skip(rn, id, "no licence server set (it is optional)");
		return;
	}
	if (!begin(rn, id))
		return;
	err_clear(&e);
	panel *p = open_panel(rn, c, &e);
	if (!p || panel_login(p, &level, &e) < 0) {
		const char *f, *hint = login_hint(&e, &f);
		if (id == MODCHECK_LICENSE)
			fail(rn, id, &e, field,
			     "licence server %s: %s (check it with: dcictl "
			     "license check %s)",
			     name, hint, name);
		else
			fail(rn, id, &e, f, "%s", hint);
		panel_free(p);
		return;
	}
	panel_free(p);
	ok(rn, id, "%s: logged in as %s", name, c->username);
}

/* resolve, connect, TLS for one panel; false when they failed (the rest
 * of that panel's steps are then skipped). */
static bool steps_net(run *rn, const modcheck_conn *c)
{
	target_url tu = {0};
	dc_err e;
	const modcheck_id rest[] = {MODCHECK_CONNECT, MODCHECK_TLS,
	                            MODCHECK_LOGIN,   MODCHECK_ADMIN,
	                            MODCHECK_API,     MODCHECK_TYPES};
	const size_t nrest = sizeof(rest) / sizeof(rest[0]);

	if (!begin(rn, MODCHECK_RESOLVE))
		return false;
	err_clear(&e);
	if (model_check_url("url", c->url, &e) < 0 ||
	    parse_url(c->url, &tu, &e) < 0) {
		fail(rn, MODCHECK_RESOLVE, &e, "url",
		     "give the panel's full URL, e.g. "
		     "https://dci.example.net:1500/dcimgr");
		skip_rest(rn, rest, nrest, "no usable URL");
		return false;
	}
	step_resolve(rn, &tu);
	if (find(rn->r, MODCHECK_RESOLVE)->state != MODCHECK_OK) {
		skip_rest(rn, rest, nrest, "host not resolved");
		return false;
	}
	step_connect_tls(rn, c, &tu);
	if (cancelled(rn) ||
	    find(rn->r, MODCHECK_CONNECT)->state != MODCHECK_OK ||
	    find(rn->r, MODCHECK_TLS)->state == MODCHECK_FAIL)
		return false;
	return true;
}

static void finish(run *rn)
{
	modcheck_result *r = rn->r;
	const modcheck_step *f = modcheck_first_failure(r);
	size_t nok = 0;

	r->ms = now_ms() - rn->t0;
	for (size_t i = 0; i < r->n; i++)
		if (r->steps[i].state == MODCHECK_OK)
			nok++;
	r->ok = !f && !rn->cancelled;
	if (f) {
		char line[sizeof(f->name) + sizeof(f->error) + 2];
		snprintf(line, sizeof(line), "%s: %s", f->name, f->error);
		dc_strlcpy(r->msg, line, sizeof(r->msg));
	} else if (rn->cancelled)
		snprintf(r->msg, sizeof(r->msg), "cancelled");
	else
		snprintf(r->msg, sizeof(r->msg), "%zu check%s passed", nok,
		         nok == 1 ? "" : "s");
}

static void layout_net(modcheck_result *r, const char *url)
{
	add_step(r, MODCHECK_RESOLVE, "resolve host");
	add_step(r, MODCHECK_CONNECT, "TCP connect");
	add_step(r, MODCHECK_TLS,
	         url && !strncasecmp(url, "https:", 6) ? "TLS"
	                                               : "TLS (https only)");
	add_step(r, MODCHECK_LOGIN, "login");
}

static void start(run *rn, modcheck_result *res, const modcheck_opts *o)
{
	memset(res, 0, sizeof(*res));
	rn->r = res;
	rn->o = o;
	rn->t0 = now_ms();
	rn->cancelled = false;
}

static int end(run *rn, dc_err *err)
{
	finish(rn);
	if (rn->cancelled)
		return err_set(err, DC_E_CANCELLED,
		               "connection check "
		               "cancelled");
	return 0;
}

int modcheck_run(const modcheck_target *t, const modcheck_opts *o,
                 modcheck_result *res, dc_err *err)
{
	run rn;
	start(&rn, res, o);
	layout_net(res, t->dci.url);
	add_step(res, MODCHECK_ADMIN, "administrator level");
	add_step(res, MODCHECK_API, "API answers");
	add_step(res, MODCHECK_IPMGR, "IPmanager reachable");
	add_step(res, MODCHECK_PARKING, "parking type exists");
	add_step(res, MODCHECK_LICENSE, "licence server login");
	if (o && o->progress)
		o->progress(o->user, res, res->n);

	if (steps_net(&rn, &t->dci))
		steps_dci_panel(&rn, &t->dci);
	steps_ipmgr(&rn, &t->ipmgr, NULL, MODCHECK_IPMGR, t->parking_type,
	            "ipmgr");
	step_license(&rn, &t->license, MODCHECK_LICENSE, "license");
	return end(&rn, err);
}

/* A connection check of an IPmanager: login, then its types on the same
 * handle. */
static void steps_login_types(run *rn, const modcheck_conn *c)
{
	dc_err e;
	int level;

	if (!begin(rn, MODCHECK_LOGIN))
		return;
	err_clear(&e);
	panel *p = open_panel(rn, c, &e);
	if (!p || panel_login(p, &level, &e) < 0) {
		const char *f, *h = login_hint(&e, &f);
		fail(rn, MODCHECK_LOGIN, &e, f, "%s", h);
		skip(rn, MODCHECK_TYPES, "not logged in");
	} else {
		ok(rn, MODCHECK_LOGIN, "logged in as %s", c->username);
		steps_ipmgr(rn, c, p, MODCHECK_TYPES, NULL, "url");
	}
	panel_free(p);
}

int modcheck_conn_run(modcheck_kind kind, const modcheck_conn *c,
                      const modcheck_opts *o, modcheck_result *res, dc_err *err)
{
	run rn;
	start(&rn, res, o);
	layout_net(res, c->url);
	if (kind == MODCHECK_KIND_IPMGR)
		add_step(res, MODCHECK_TYPES, "address types");
	if (o && o->progress)
		o->progress(o->user, res, res->n);
	if (steps_net(&rn, c)) {
		if (kind == MODCHECK_KIND_IPMGR)
			steps_login_types(&rn, c);
		else
			step_license(&rn, c, MODCHECK_LOGIN, "url");
	}
	return end(&rn, err);
}

/* ---- results ---- */

const modcheck_step *modcheck_first_failure(const modcheck_result *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->steps[i].state == MODCHECK_FAIL)
			return &r->steps[i];
	return NULL;
}

void modcheck_to_check(const modcheck_result *r, dc_check *c)
{
	memset(c, 0, sizeof(*c));
	c->at = (int64_t)time(NULL);
	c->ms = (int64_t)(r->ms + 0.5);
	c->ok = r->ok ? 1 : 0;
	dc_strlcpy(c->msg, r->msg, sizeof(c->msg));
}

void modcheck_types_free(char **types, size_t n)
{
	for (size_t i = 0; types && i < n; i++)
		free(types[i]);
	free(types);
}

void modcheck_result_free(modcheck_result *r)
{
	if (!r)
		return;
	modcheck_types_free(r->types, r->ntypes);
	r->types = NULL;
	r->ntypes = 0;
}

int modcheck_result_copy(modcheck_result *dst, const modcheck_result *src)
{
	*dst = *src;
	dst->types = NULL;
	dst->ntypes = 0;
	if (!src->types)
		return 0;
	dst->types = calloc(src->ntypes ? src->ntypes : 1, sizeof(char *));
	if (!dst->types)
		return -1;
	for (size_t i = 0; i < src->ntypes; i++) {
		if (!(dst->types[i] = strdup(src->types[i]))) {
			modcheck_result_free(dst);
			return -1;
		}
		dst->ntypes = i + 1;
	}
	return 0;
}

/* ---- from the store ---- */

static void conn_of(modcheck_conn *mc, const dc_conn *c, const char *pw)
{
	mc->name = c->name;
	mc->url = c->url;
	mc->username = c->username;
	mc->password = pw;
	mc->cafile = c->cafile;
	mc->insecure = c->insecure;
}

void modcheck_secrets_free(modcheck_secrets *sec)
{
	secret_free(sec->dci);
	secret_free(sec->ipmgr);
	secret_free(sec->license);
	sec->dci = sec->ipmgr = sec->license = NULL;
}

int modcheck_target_from_store(dc_store *st, const dc_module *m,
                               const char *dci_password, modcheck_target *t,
                               modcheck_secrets *sec, dc_err *err)
{
	memset(t, 0, sizeof(*t));
	memset(sec, 0, sizeof(*sec));
	if (!dci_password) {
		if (!(sec->dci = module_password(st, m->id, err)))
			return -1;
		dci_password = sec->dci;
	}
	t->dci.name = m->name;
	t->dci.url = m->url;
	t->dci.username = m->username;
	t->dci.password = dci_password;
	t->dci.cafile = m->cafile;
	t->dci.insecure = m->insecure;
	t->parking_type = m->parking_type;
	if (m->ipmgr_id > 0) {
		if (ipmgr_get(st, m->ipmgr_id, &sec->ipmgr_conn, err) < 0 ||
		    !(sec->ipmgr = ipmgr_password(st, m->ipmgr_id, err))) {
			modcheck_secrets_free(sec);
			return -1;
		}
		conn_of(&t->ipmgr, &sec->ipmgr_conn, sec->ipmgr);
	}
	if (m->licsrv_id > 0) {
		if (licsrv_get(st, m->licsrv_id, &sec->license_conn, err) < 0 ||
		    !(sec->license = licsrv_password(st, m->licsrv_id, err))) {
			modcheck_secrets_free(sec);
			return -1;
		}
		conn_of(&t->license, &sec->license_conn, sec->license);
	}
	return 0;
}

int modcheck_module(dc_store *st, int64_t id, const modcheck_opts *o,
                    modcheck_result *res, dc_err *err)
{
	dc_module m;
	modcheck_target t;
	modcheck_secrets sec;
	dc_check chk;

	memset(res, 0, sizeof(*res));
	if (module_get(st, id, &m, err) < 0 ||
	    modcheck_target_from_store(st, &m, NULL, &t, &sec, err) < 0)
		return -1;
	int rc = modcheck_run(&t, o, res, err);
	modcheck_secrets_free(&sec);
	if (rc < 0)
		return -1; /* cancelled: the last stored check stays */
	modcheck_to_check(res, &chk);
	return module_set_check(st, id, &chk, err);
}

int modcheck_conn_stored(dc_store *st, modcheck_kind kind, int64_t id,
                         const modcheck_opts *o, modcheck_result *res,
                         dc_err *err)
{
	dc_conn c;
	modcheck_conn mc;
	char *pw;

	memset(res, 0, sizeof(*res));
	if (kind == MODCHECK_KIND_IPMGR) {
		if (ipmgr_get(st, id, &c, err) < 0 ||
		    !(pw = ipmgr_password(st, id, err)))
			return -1;
	} else {
		if (licsrv_get(st, id, &c, err) < 0 ||
		    !(pw = licsrv_password(st, id, err)))
			return -1;
	}
	conn_of(&mc, &c, pw);
	int rc = modcheck_conn_run(kind, &mc, o, res, err);
	secret_free(pw);
	return rc;
}

int modcheck_ipmgr_types(dc_store *st, int64_t ipmgr_id, const modcheck_opts *o,
                         char ***types, size_t *n, dc_err *err)
{
	dc_conn c;
	modcheck_conn mc;
	char *pw;
	ipm_types *t = NULL;
	run rn;
	modcheck_result tmp;

	*types = NULL;
	*n = 0;
	if (ipmgr_get(st, ipmgr_id, &c, err) < 0 ||
	    !(pw = ipmgr_password(st, ipmgr_id, err)))
		return -1;
	conn_of(&mc, &c, pw);
	start(&rn, &tmp, o);
	panel *p = open_panel(&rn, &mc, err);
	int rc = p ? ipm_type_list(p, &t, err) : -1;
	panel_free(p);
	secret_free(pw);
	if (rc < 0) {
		err_prefix(err, "IPmanager %s", c.name);
		return -1;
	}
	rc = keep_types(&tmp, t, err);
	ipm_types_free(t);
	if (rc < 0) {
		modcheck_result_free(&tmp);
		return -1;
	}
	*types = tmp.types;
	*n = tmp.ntypes;
	return 0;
}
