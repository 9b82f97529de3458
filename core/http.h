/* http.h - form POSTs over libcurl: one reusable connection, and a batch of
 * many requests in flight over curl multi.
 *
 * Contract:
 * - curl_global_init() is the program's job (before any thread starts; see
 *   panel_lib_init in panel.h). Nothing here touches global state.
 * - An http_conn keeps one curl easy handle, so successive requests to the
 *   same host reuse the connection. One thread at a time per http_conn.
 * - A request marked `once` reaches the server at most once: libcurl
 *   re-sends a request by itself when a REUSED keep-alive connection dies
 *   before the first byte of the answer (it takes it for a connection the
 *   server closed while idle), but the server may have received it and
 *   acted. A `once` request therefore goes on a new connection
 *   (CURLOPT_FRESH_CONNECT), which libcurl never re-sends on, closed after
 *   it (CURLOPT_FORBID_REUSE); if that connection dies the request fails
 *   with DC_E_TRANSPORT (retryable: the caller reads back before trying
 *   again). Other requests keep reusing connections and being re-sent.
 * - TLS is verified unless opts.insecure is set explicitly. Redirects are
 *   not followed (a POST carrying a password must not wander) and only
 *   http/https are allowed.
 * - Answers larger than opts.body_cap are refused while receiving (the
 *   transfer is aborted; the body is never held whole) as DC_E_PARSE.
 * - Errors: DC_E_TRANSPORT (connect, reset, short body), DC_E_TLS,
 *   DC_E_TIMEOUT, DC_E_HTTP (status != 200), DC_E_PARSE (too large),
 *   DC_E_INVALID (bad URL), DC_E_CANCELLED (cancel flag, batch cancel).
 * err->url is the request URL without any credentials; err->elapsed_ms is set.
 * Request bodies may hold secrets: the caller wipes its copy; the batch wipes
 * the copies it makes.
 * - Times are milliseconds; sizes bytes. */
#ifndef DC_HTTP_H
#define DC_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define HTTP_DEFAULT_CONNECT_MS 10000L
#define HTTP_DEFAULT_TIMEOUT_MS 120000L
#define HTTP_DEFAULT_BODY_CAP   (64u << 20)

/* A form parameter. Arrays of them end with {NULL, NULL}. */
typedef struct http_param {
	const char *key;
	const char *value;
} http_param;

typedef struct http_opts {
	long connect_timeout_ms; /* 0: HTTP_DEFAULT_CONNECT_MS */
	long timeout_ms;    /* whole transfer; 0: HTTP_DEFAULT_TIMEOUT_MS */
	size_t body_cap;    /* 0: HTTP_DEFAULT_BODY_CAP */
	const char *cafile; /* PEM bundle to verify the peer with, or NULL */
	const char *pinned_pubkey; /* curl's "sha256//..." or a file, or NULL */
	bool insecure; /* skip certificate and host checks (explicit only) */
} http_opts;

/* A received answer. body is NUL-terminated (the NUL is not counted in
 * len) and stays valid until the next request on the same handle. */
typedef struct http_resp {
	const char *body;
	size_t len;
	long status;
	double elapsed_ms; /* curl's total time of this transfer */
} http_resp;

/* A growable byte buffer for request bodies; always NUL-terminated once
 * something was appended. http_buf_wipe zeroes and frees it. */
typedef struct http_buf {
	char *data;
	size_t len, cap;
} http_buf;

/* Appends "key=value" (with a '&' first when buf is not empty), both
 * URL-encoded with curl_easy_escape, so that a value such as
 * "a&func=x" stays one value. Temporary copies are wiped. */
int http_form_add(http_buf *buf, const char *key, const char *value,
                  dc_err *err);
/* Appends every pair of a {NULL,NULL}-terminated array (NULL allowed). */
int http_form_add_all(http_buf *buf, const http_param *params, dc_err *err);
/* Appends raw, already encoded bytes. */
int http_buf_append(http_buf *buf, const char *s, size_t n, dc_err *err);
void http_buf_wipe(http_buf *buf);

/* Checks that url is an absolute http or https URL with a host and no
 * user name or password in it (credentials never go in URLs). */
int http_url_check(const char *url, dc_err *err);

typedef struct http_conn http_conn;

/* opts is copied (cafile and pinned_pubkey included). */
http_conn *http_conn_new(const http_opts *opts, dc_err *err);
void http_conn_free(http_conn *c);

/* A flag another thread may set (non-zero) to abort the transfer in
 * progress and later ones: they fail with DC_E_CANCELLED within about a
 * second. NULL removes it. The flag must outlive its use. */
void http_conn_set_cancel(http_conn *c, const volatile int *flag);

/* POSTs body (application/x-www-form-urlencoded) to url and waits for the
 * answer. once: sent at most once (see the contract above). Returns 0 with
 * *resp filled when the status is 200; else -1. */
int http_post(http_conn *c, const char *url, const char *body, size_t len,
              bool once, http_resp *resp, dc_err *err);

/* ---- Many requests in flight (curl multi) ----
 *
 * Add requests, then run: at most max_parallel transfers at a time, over a
 * shared connection cache (connections to one host are reused). Each
 * request completes exactly once through its callback, called from inside
 * http_batch_run on the running thread, with resp (status 200) or err.
 * resp->body is valid only during the callback. Callbacks may add more
 * requests to the same batch. A batch is used by one thread, except
 * http_batch_cancel which any thread may call. */
typedef struct http_batch http_batch;
typedef void (*http_done_fn)(void *user, const http_resp *resp,
                             const dc_err *err);

http_batch *http_batch_new(const http_opts *opts, int max_parallel,
                           dc_err *err);
void http_batch_free(http_batch *b);
/* url and body are copied (the body copy is wiped after sending). once:
 * sent at most once, on a connection of its own (see the contract). */
int http_batch_add(http_batch *b, const char *url, const char *body, size_t len,
                   bool once, http_done_fn done, void *user, dc_err *err);
/* Runs until every added request completed (or was cancelled: those
 * complete with DC_E_CANCELLED). Returns 0, or -1 if curl multi itself
 * failed (every pending request is then completed with that error). */
int http_batch_run(http_batch *b, dc_err *err);
/* Thread-safe: makes a running http_batch_run finish early. */
void http_batch_cancel(http_batch *b);
/* Requests added and not yet completed. */
size_t http_batch_pending(const http_batch *b);

#endif
