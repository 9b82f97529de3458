/* http.c - form POSTs over libcurl (easy and multi); see http.h. */
#include "http.h"

#include <curl/curl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* ---- request bodies ---- */

int http_buf_append(http_buf *buf, const char *s, size_t n, dc_err *err)
{
	if (buf->len + n + 1 > buf->cap) {
		size_t cap = buf->cap ? buf->cap : 256;
		while (cap < buf->len + n + 1)
			cap *= 2;
		/* Not realloc: the old block may hold a password and must be
		 * wiped before it goes back to the allocator. */
		char *d = malloc(cap);
		if (!d)
			return err_set(err, DC_E_NOMEM, "out of memory");
		if (buf->data) {
			memcpy(d, buf->data, buf->len);
			explicit_bzero(buf->data, buf->cap);
			free(buf->data);
		}
		buf->data = d;
		buf->cap = cap;
	}
	memcpy(buf->data + buf->len, s, n);
	buf->len += n;
	buf->data[buf->len] = '\0';
	return 0;
}

void http_buf_wipe(http_buf *buf)
{
	if (!buf)
		return;
	if (buf->data) {
		explicit_bzero(buf->data, buf->cap);
		free(buf->data);
	}
	buf->data = NULL;
	buf->len = buf->cap = 0;
}

static int append_escaped(http_buf *buf, const char *s, dc_err *err)
{
	char *e = curl_easy_escape(NULL, s ? s : "", 0);
	if (!e)
		return err_set(err, DC_E_NOMEM, "out of memory");
	size_t n = strlen(e);
	int rc = http_buf_append(buf, e, n, err);
	explicit_bzero(e, n);
	curl_free(e);
	return rc;
}

int http_form_add(http_buf *buf, const char *key, const char *value,
                  dc_err *err)
{
	if (!key || !key[0])
		return err_field(err, DC_E_INVALID, "param",
		                 "empty parameter name");
	if (buf->len && http_buf_append(buf, "&", 1, err) < 0)
		return -1;
	if (append_escaped(buf, key, err) < 0 ||
	    http_buf_append(buf, "=", 1, err) < 0 ||
	    append_escaped(buf, value, err) < 0)
		return -1;
	return 0;
}

int http_form_add_all(http_buf *buf, const http_param *params, dc_err *err)
{
	for (size_t i = 0; params && params[i].key; i++)
		if (http_form_add(buf, params[i].key, params[i].value, err) < 0)
			return -1;
	return 0;
}

/* ---- URLs ---- */

int http_url_check(const char *url, dc_err *err)
{
	if (!url || !url[0])
		return err_field(err, DC_E_INVALID, "url", "URL is empty");
	CURLU *u = curl_url();
	if (!u)
		return err_set(err, DC_E_NOMEM, "out of memory");
	int rc = -1;
	char *scheme = NULL, *host = NULL, *user = NULL, *pass = NULL;
	CURLUcode uc = curl_url_set(u, CURLUPART_URL, url, 0);
	if (uc != CURLUE_OK) {
		err_field(err, DC_E_INVALID, "url",
		          "not an absolute URL (%s); expected "
		          "https://host:port/path",
		          curl_url_strerror(uc));
		goto out;
	}
	curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
	curl_url_get(u, CURLUPART_HOST, &host, 0);
	curl_url_get(u, CURLUPART_USER, &user, 0);
	curl_url_get(u, CURLUPART_PASSWORD, &pass, 0);
	if (!scheme || (strcmp(scheme, "http") && strcmp(scheme, "https"))) {
		err_field(err, DC_E_INVALID, "url",
		          "scheme must be http or https");
		goto out;
	}
	if (!host || !host[0]) {
		err_field(err, DC_E_INVALID, "url", "URL has no host");
		goto out;
	}
	if (user || pass) {
		err_field(err, DC_E_INVALID, "url",
		          "URL must not carry a user name or password; use "
		          "the username and password fields");
		goto out;
	}
	rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	if (pass) {
		explicit_bzero(pass, strlen(pass));
		curl_free(pass);
	}
	curl_url_cleanup(u);
	return rc;
}

/* The URL an error message may show: no user info, query or fragment. */
static void url_for_err(const char *url, char *out, size_t len)
{
	out[0] = '\0';
	CURLU *u = curl_url();
	if (!u)
		return;
	char *clean = NULL;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK) {
		curl_url_set(u, CURLUPART_USER, NULL, 0);
		curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
		curl_url_set(u, CURLUPART_QUERY, NULL, 0);
		curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0);
		if (curl_url_get(u, CURLUPART_URL, &clean, 0) == CURLUE_OK)
			dc_strlcpy(out, clean, len);
		curl_free(clean);
	}
	curl_url_cleanup(u);
}

/* ---- receiving ---- */

/* Answers bigger than this are not kept between requests. */
#define KEEP_BUF_MAX (8u << 20)

typedef struct rbuf {
	char *data;
	size_t len, cap;
	size_t limit;
	bool over; /* the cap was hit: the transfer was aborted by us */
	CURL *h;
} rbuf;

static bool rbuf_reserve(rbuf *rb, size_t need)
{
	if (need <= rb->cap)
		return true;
	size_t cap = rb->cap ? rb->cap : 16384;
	while (cap < need)
		cap *= 2;
	char *d = realloc(rb->data, cap);
	if (!d)
		return false;
	rb->data = d;
	rb->cap = cap;
	return true;
}

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
	rbuf *rb = ud;
	size_t n = size * nmemb;
	if (n > rb->limit || rb->len > rb->limit - n) {
		rb->over = true;
		return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
	}
	if (rb->len == 0) {
		/* Size the buffer once from Content-Length (already checked
		 * against the cap by CURLOPT_MAXFILESIZE_LARGE). */
		curl_off_t cl = -1;
		if (curl_easy_getinfo(rb->h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T,
		                      &cl) == CURLE_OK &&
		    cl > 0 && (size_t)cl <= rb->limit)
			rbuf_reserve(rb, (size_t)cl + 1);
	}
	if (!rbuf_reserve(rb, rb->len + n + 1))
		return 0;
	memcpy(rb->data + rb->len, ptr, n);
	rb->len += n;
	rb->data[rb->len] = '\0';
	return n;
}

static void rbuf_reset(rbuf *rb)
{
	if (rb->cap > KEEP_BUF_MAX) {
		free(rb->data);
		rb->data = NULL;
		rb->cap = 0;
	}
	rb->len = 0;
	rb->over = false;
	if (rb->data)
		rb->data[0] = '\0';
}

/* ---- easy handle setup and error mapping ---- */

typedef struct opts_copy {
	http_opts o;
	char *cafile, *pinned;
} opts_copy;

static int opts_copy_init(opts_copy *c, const http_opts *o, dc_err *err)
{
	memset(c, 0, sizeof(*c));
	if (o)
		c->o = *o;
	if (c->o.connect_timeout_ms <= 0)
		c->o.connect_timeout_ms = HTTP_DEFAULT_CONNECT_MS;
	if (c->o.timeout_ms <= 0)
		c->o.timeout_ms = HTTP_DEFAULT_TIMEOUT_MS;
	if (c->o.body_cap == 0)
		c->o.body_cap = HTTP_DEFAULT_BODY_CAP;
	if (c->o.cafile && !(c->cafile = strdup(c->o.cafile)))
		return err_set(err, DC_E_NOMEM, "out of memory");
	if (c->o.pinned_pubkey && !(c->pinned = strdup(c->o.pinned_pubkey)))
		return err_set(err, DC_E_NOMEM, "out of memory");
	c->o.cafile = c->cafile;
	c->o.pinned_pubkey = c->pinned;
	return 0;
}

static void opts_copy_free(opts_copy *c)
{
	free(c->cafile);
	free(c->pinned);
}

static int easy_setup(CURL *h, const http_opts *o, rbuf *rb, char *errbuf,
                      struct curl_slist *hdrs, dc_err *err)
{
	CURLcode rc = CURLE_OK;
#define SET(opt, val)                                                          \
	do {                                                                   \
		if (rc == CURLE_OK)                                            \
			rc = curl_easy_setopt(h, opt, val);                    \
	} while (0)
	SET(CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
#else
	SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_POST, 1L);
	SET(CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
	SET(CURLOPT_TIMEOUT_MS, o->timeout_ms);
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->body_cap);
	SET(CURLOPT_SSL_VERIFYPEER, o->insecure ? 0L : 1L);
	SET(CURLOPT_SSL_VERIFYHOST, o->insecure ? 0L : 2L);
	if (o->cafile)
		SET(CURLOPT_CAINFO, o->cafile);
	if (o->pinned_pubkey)
		SET(CURLOPT_PINNEDPUBLICKEY, o->pinned_pubkey);
	SET(CURLOPT_ACCEPT_ENCODING, "");
	SET(CURLOPT_HTTPHEADER, hdrs);
	SET(CURLOPT_USERAGENT, "dcictl");
	SET(CURLOPT_TCP_KEEPALIVE, 1L);
	SET(CURLOPT_WRITEFUNCTION, on_write);
	SET(CURLOPT_WRITEDATA, rb);
	SET(CURLOPT_ERRORBUFFER, errbuf);
#undef SET
	if (rc != CURLE_OK)
		return err_set(err, DC_E_INVALID, "HTTP setup failed: %s",
		               curl_easy_strerror(rc));
	rb->h = h;
	rb->limit = o->body_cap;
	return 0;
}

static bool is_tls_error(CURLcode rc)
{
	switch (rc) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_SHUTDOWN_FAILED:
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

/* Connection choice of one request. libcurl re-sends a request when the
 * REUSED connection it went out on closes before any byte of the answer
 * (lib/transfer.c Curl_retry_request: it takes the connection for one the
 * server dropped while idle). The server may have received the request and
 * acted, so a request that must not run twice never goes on a reused
 * connection: a fresh one is never re-sent on. It is closed afterwards so
 * that the handle keeps one idle connection for the requests that may be
 * re-sent, instead of gathering one per apply. */
static CURLcode set_once(CURL *h, bool once)
{
	CURLcode rc =
	    curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, once ? 1L : 0L);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(h, CURLOPT_FORBID_REUSE, once ? 1L : 0L);
	return rc;
}

/* Fills err for a finished transfer (rc, status); 0 when it is a 200. */
static int transfer_result(CURL *h, CURLcode rc, bool once, const rbuf *rb,
                           const char *errbuf, const char *url, dc_err *err,
                           double *elapsed_ms, long *status_out)
{
	curl_off_t us = 0;
	curl_easy_getinfo(h, CURLINFO_TOTAL_TIME_T, &us);
	*elapsed_ms = (double)us / 1000.0;
	long status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	*status_out = status;
	if (rc == CURLE_OK && status == 200)
		return 0;

	const char *detail =
	    errbuf && errbuf[0] ? errbuf : curl_easy_strerror(rc);
	/* A lost answer to a request that went out: whoever retries must
	 * know the server may have acted on it. */
	long sent_bytes = 0;
	curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &sent_bytes);
	const char *sent = once && sent_bytes > 0
	                       ? " (the request was sent and is not re-sent: "
	                         "the server may have acted)"
	                       : "";
	if (rc == CURLE_OK) {
		err_set(err, DC_E_HTTP, "HTTP status %ld", status);
		err->retryable =
		    status >= 500 || status == 408 || status == 429;
	} else if (rb->over || rc == CURLE_FILESIZE_EXCEEDED) {
		err_set(err, DC_E_PARSE,
		        "answer larger than the %zu-byte limit; refused",
		        rb->limit);
	} else if (rc == CURLE_ABORTED_BY_CALLBACK) {
		err_set(err, DC_E_CANCELLED, "cancelled");
	} else if (rc == CURLE_OPERATION_TIMEDOUT) {
		err_set(err, DC_E_TIMEOUT, "%s%s", detail, sent);
		err->retryable = true;
	} else if (is_tls_error(rc)) {
		err_set(err, DC_E_TLS, "%s", detail);
	} else if (rc == CURLE_URL_MALFORMAT ||
	           rc == CURLE_UNSUPPORTED_PROTOCOL) {
		err_field(err, DC_E_INVALID, "url", "%s", detail);
	} else if (rc == CURLE_OUT_OF_MEMORY) {
		err_set(err, DC_E_NOMEM, "out of memory");
	} else {
		err_set(err, DC_E_TRANSPORT, "%s%s", detail, sent);
		err->retryable = true;
	}
	if (err) {
		url_for_err(url, err->url, sizeof(err->url));
		err->elapsed_ms = *elapsed_ms;
	}
	return -1;
}

/* ---- one connection ---- */

struct http_conn {
	CURL *h;
	opts_copy oc;
	rbuf rb;
	const volatile int *cancel;
	struct curl_slist *hdrs;
	char errbuf[CURL_ERROR_SIZE];
};

static struct curl_slist *default_headers(void)
{
	/* curl would send "Expect: 100-continue" for larger bodies and wait
	 * for the panel to answer it; panels rarely do. */
	return curl_slist_append(NULL, "Expect:");
}

static int on_progress(void *ud, curl_off_t dlt, curl_off_t dln, curl_off_t ult,
                       curl_off_t uln)
{
	const http_conn *c = ud;
	return c->cancel && *c->cancel ? 1 : 0;
}

http_conn *http_conn_new(const http_opts *opts, dc_err *err)
{
	http_conn *c = calloc(1, sizeof(*c));
	if (!c) {
		err_set(err, DC_E_NOMEM, "out of memory");
		return NULL;
	}
	if (opts_copy_init(&c->oc, opts, err) < 0)
		goto fail;
	c->hdrs = default_headers();
	c->h = curl_easy_init();
	if (!c->hdrs || !c->h) {
		err_set(err, DC_E_NOMEM, "cannot create a curl handle");
		goto fail;
	}
	if (easy_setup(c->h, &c->oc.o, &c->rb, c->errbuf, c->hdrs, err) < 0)
		goto fail;
	curl_easy_setopt(c->h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c->h, CURLOPT_XFERINFODATA, c);
	return c;
fail:
	http_conn_free(c);
	return NULL;
}

void http_conn_free(http_conn *c)
{
	if (!c)
		return;
	if (c->h)
		curl_easy_cleanup(c->h);
	curl_slist_free_all(c->hdrs);
	opts_copy_free(&c->oc);
	free(c->rb.data);
	free(c);
}

void http_conn_set_cancel(http_conn *c, const volatile int *flag)
{
	c->cancel = flag;
	curl_easy_setopt(c->h, CURLOPT_NOPROGRESS, flag ? 0L : 1L);
}

int http_post(http_conn *c, const char *url, const char *body, size_t len,
              bool once, http_resp *resp, dc_err *err)
{
	rbuf_reset(&c->rb);
	c->errbuf[0] = '\0';
	if (c->cancel && *c->cancel)
		return err_set(err, DC_E_CANCELLED, "cancelled");
	CURLcode rc = curl_easy_setopt(c->h, CURLOPT_URL, url);
	if (rc == CURLE_OK)
		rc = set_once(c->h, once);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(c->h, CURLOPT_POSTFIELDSIZE_LARGE,
		                      (curl_off_t)len);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, body);
	if (rc == CURLE_OK)
		rc = curl_easy_perform(c->h);
	/* curl must not keep a pointer to a body the caller will wipe. */
	curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, NULL);
	double ms = 0;
	long status = 0;
	if (transfer_result(c->h, rc, once, &c->rb, c->errbuf, url, err, &ms,
	                    &status) < 0)
		return -1;
	if (!rbuf_reserve(&c->rb, 1))
		return err_set(err, DC_E_NOMEM, "out of memory");
	c->rb.data[c->rb.len] = '\0';
	resp->body = c->rb.data;
	resp->len = c->rb.len;
	resp->status = status;
	resp->elapsed_ms = ms;
	return 0;
}

/* ---- batch over curl multi ---- */

typedef struct breq {
	struct breq *next;
	char *url;
	char *body;
	size_t len;
	bool once;
	http_done_fn done;
	void *user;
} breq;

typedef struct bslot {
	CURL *h;
	rbuf rb;
	breq *req; /* NULL when idle */
	char errbuf[CURL_ERROR_SIZE];
} bslot;

struct http_batch {
	opts_copy oc;
	CURLM *m;
	struct curl_slist *hdrs;
	bslot *slots;
	int nslots;
	breq *qhead, *qtail;
	size_t pending; /* queued + running */
	atomic_bool cancel;
};

static void breq_free(breq *r)
{
	if (!r)
		return;
	free(r->url);
	if (r->body) {
		explicit_bzero(r->body, r->len);
		free(r->body);
	}
	free(r);
}

http_batch *http_batch_new(const http_opts *opts, int max_parallel, dc_err *err)
{
	if (max_parallel < 1)
		max_parallel = 1;
	http_batch *b = calloc(1, sizeof(*b));
	if (!b) {
		err_set(err, DC_E_NOMEM, "out of memory");
		return NULL;
	}
	atomic_init(&b->cancel, false);
	if (opts_copy_init(&b->oc, opts, err) < 0)
		goto fail;
	b->hdrs = default_headers();
	b->m = curl_multi_init();
	b->slots = calloc((size_t)max_parallel, sizeof(*b->slots));
	if (!b->hdrs || !b->m || !b->slots) {
		err_set(err, DC_E_NOMEM, "cannot create a curl multi handle");
		goto fail;
	}
	b->nslots = max_parallel;
	curl_multi_setopt(b->m, CURLMOPT_MAX_TOTAL_CONNECTIONS,
	                  (long)max_parallel);
	curl_multi_setopt(b->m, CURLMOPT_MAX_HOST_CONNECTIONS,
	                  (long)max_parallel);
	curl_multi_setopt(b->m, CURLMOPT_MAXCONNECTS, (long)max_parallel);
	for (int i = 0; i < max_parallel; i++) {
		bslot *s = &b->slots[i];
		s->h = curl_easy_init();
		if (!s->h) {
			err_set(err, DC_E_NOMEM, "cannot create a curl handle");
			goto fail;
		}
		if (easy_setup(s->h, &b->oc.o, &s->rb, s->errbuf, b->hdrs,
		               err) < 0)
			goto fail;
		curl_easy_setopt(s->h, CURLOPT_PRIVATE, s);
	}
	return b;
fail:
	http_batch_free(b);
	return NULL;
}

void http_batch_free(http_batch *b)
{
	if (!b)
		return;
	for (int i = 0; b->slots && i < b->nslots; i++) {
		bslot *s = &b->slots[i];
		if (s->req) {
			curl_multi_remove_handle(b->m, s->h);
			breq_free(s->req);
		}
		if (s->h)
			curl_easy_cleanup(s->h);
		free(s->rb.data);
	}
	for (breq *r = b->qhead, *n; r; r = n) {
		n = r->next;
		breq_free(r);
	}
	free(b->slots);
	if (b->m)
		curl_multi_cleanup(b->m);
	curl_slist_free_all(b->hdrs);
	opts_copy_free(&b->oc);
	free(b);
}

int http_batch_add(http_batch *b, const char *url, const char *body, size_t len,
                   bool once, http_done_fn done, void *user, dc_err *err)
{
	breq *r = calloc(1, sizeof(*r));
	if (!r)
		return err_set(err, DC_E_NOMEM, "out of memory");
	r->url = strdup(url);
	r->body = malloc(len + 1);
	if (!r->url || !r->body) {
		breq_free(r);
		return err_set(err, DC_E_NOMEM, "out of memory");
	}
	memcpy(r->body, body, len);
	r->body[len] = '\0';
	r->len = len;
	r->once = once;
	r->done = done;
	r->user = user;
	if (b->qtail)
		b->qtail->next = r;
	else
		b->qhead = r;
	b->qtail = r;
	b->pending++;
	return 0;
}

size_t http_batch_pending(const http_batch *b)
{
	return b ? b->pending : 0;
}

void http_batch_cancel(http_batch *b)
{
	if (!b)
		return;
	atomic_store(&b->cancel, true);
	curl_multi_wakeup(b->m);
}

static void complete(http_batch *b, breq *r, const http_resp *resp,
                     const dc_err *err)
{
	b->pending--;
	if (r->done)
		r->done(r->user, resp, err);
	breq_free(r);
}

/* Starts queued requests on idle slots. */
static int start_queued(http_batch *b, dc_err *err)
{
	for (int i = 0; i < b->nslots && b->qhead; i++) {
		bslot *s = &b->slots[i];
		if (s->req)
			continue;
		breq *r = b->qhead;
		b->qhead = r->next;
		if (!b->qhead)
			b->qtail = NULL;
		r->next = NULL;
		rbuf_reset(&s->rb);
		s->errbuf[0] = '\0';
		curl_easy_setopt(s->h, CURLOPT_URL, r->url);
		set_once(s->h, r->once);
		curl_easy_setopt(s->h, CURLOPT_POSTFIELDSIZE_LARGE,
		                 (curl_off_t)r->len);
		curl_easy_setopt(s->h, CURLOPT_POSTFIELDS, r->body);
		CURLMcode mc = curl_multi_add_handle(b->m, s->h);
		if (mc != CURLM_OK) {
			dc_err e;
			err_set(&e, DC_E_TRANSPORT, "curl multi: %s",
			        curl_multi_strerror(mc));
			complete(b, r, NULL, &e);
			return err_set(err, DC_E_TRANSPORT, "curl multi: %s",
			               curl_multi_strerror(mc));
		}
		s->req = r;
	}
	return 0;
}

static void finish_slot(http_batch *b, bslot *s, CURLcode rc)
{
	breq *r = s->req;
	curl_multi_remove_handle(b->m, s->h);
	curl_easy_setopt(s->h, CURLOPT_POSTFIELDS, NULL);
	s->req = NULL;
	dc_err e;
	err_clear(&e);
	double ms = 0;
	long status = 0;
	if (transfer_result(s->h, rc, r->once, &s->rb, s->errbuf, r->url, &e,
	                    &ms, &status) < 0) {
		complete(b, r, NULL, &e);
		return;
	}
	if (!rbuf_reserve(&s->rb, 1)) {
		err_set(&e, DC_E_NOMEM, "out of memory");
		complete(b, r, NULL, &e);
		return;
	}
	s->rb.data[s->rb.len] = '\0';
	http_resp resp = {.body = s->rb.data,
	                  .len = s->rb.len,
	                  .status = status,
	                  .elapsed_ms = ms};
	complete(b, r, &resp, NULL);
}

/* Completes everything still queued or running with err. */
static void abandon_all(http_batch *b, const dc_err *e)
{
	for (int i = 0; i < b->nslots; i++) {
		bslot *s = &b->slots[i];
		if (!s->req)
			continue;
		breq *r = s->req;
		curl_multi_remove_handle(b->m, s->h);
		curl_easy_setopt(s->h, CURLOPT_POSTFIELDS, NULL);
		s->req = NULL;
		complete(b, r, NULL, e);
	}
	/* Callbacks may have queued more; they are abandoned too. */
	while (b->qhead) {
		breq *r = b->qhead;
		b->qhead = r->next;
		if (!b->qhead)
			b->qtail = NULL;
		complete(b, r, NULL, e);
	}
}

int http_batch_run(http_batch *b, dc_err *err)
{
	while (b->pending > 0) {
		if (atomic_load(&b->cancel)) {
			dc_err e;
			err_set(&e, DC_E_CANCELLED, "cancelled");
			abandon_all(b, &e);
			break;
		}
		dc_err se;
		if (start_queued(b, &se) < 0) {
			abandon_all(b, &se);
			if (err)
				*err = se;
			return -1;
		}
		int running = 0;
		CURLMcode mc = curl_multi_perform(b->m, &running);
		if (mc != CURLM_OK) {
			dc_err e;
			err_set(&e, DC_E_TRANSPORT, "curl multi: %s",
			        curl_multi_strerror(mc));
			abandon_all(b, &e);
			return err_set(err, DC_E_TRANSPORT, "curl multi: %s",
			               curl_multi_strerror(mc));
		}
		bool finished = false;
		CURLMsg *msg;
		int left;
		while ((msg = curl_multi_info_read(b->m, &left))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			bslot *s = NULL;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
			                  (char **)&s);
			CURLcode rc = msg->data.result;
			/* msg is invalid once the handle is removed. */
			finish_slot(b, s, rc);
			finished = true;
		}
		if (finished || b->pending == 0)
			continue;
		mc = curl_multi_poll(b->m, NULL, 0, 1000, NULL);
		if (mc != CURLM_OK) {
			dc_err e;
			err_set(&e, DC_E_TRANSPORT, "curl multi: %s",
			        curl_multi_strerror(mc));
			abandon_all(b, &e);
			return err_set(err, DC_E_TRANSPORT, "curl multi: %s",
			               curl_multi_strerror(mc));
		}
	}
	atomic_store(&b->cancel, false);
	return 0;
}
