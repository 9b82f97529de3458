/* panel.h - a connection to one ISPsystem panel (DCImanager, IPmanager,
 * licence BILLmanager): login, calls, errors, API log.
 *
 * Contract:
 * - Program start-up calls panel_lib_init() once on the main thread before
 *   any other thread exists (it runs curl_global_init and xmlInitParser,
 *   which are not thread-safe); panel_lib_cleanup() at exit.
 * - A panel handle holds one HTTP connection (reused between calls), the
 *   session and a copy of the credentials (wiped on free). No global state:
 *   handles are independent. A handle is used by ONE thread at a time
 *   (including a panel_batch run on it); use one handle per worker thread
 *   for parallel synchronous calls.
 * - Every call fills *err on failure with the category (protocol.md 8),
 *   the panel's message/object/value/type, func, the base URL (never
 *   credentials), elapsed ms and retryable; err may be NULL.
 * - Every HTTP exchange, logins included, adds a record to opts.log (if
 *   set) with secret parameters masked. The log must outlive the handle.
 * - Parameters are {key, value} arrays ending with {NULL, NULL}; values are
 *   sent URL-encoded in a POST body, never in the URL. The keys out, func,
 *   auth and authinfo are the client's own and are refused in params.
 * - safe_to_repeat also rules the transport. A safe call reuses the
 *   handle's connection and libcurl may send it again when that connection
 *   turns out dead. A call not safe to repeat is sent at most once, on a
 *   fresh connection (http.h `once`); if its answer is lost the call fails
 *   DC_E_TRANSPORT or DC_E_TIMEOUT, retryable, and the panel may have
 *   acted: read back before repeating it. */
#ifndef DC_PANEL_H
#define DC_PANEL_H

#include <stdbool.h>
#include <stddef.h>

#include "apilog.h"
#include "err.h"
#include "http.h"
#include "xml.h"

typedef http_param panel_param;

#define PANEL_LEVEL_ADMIN 29
#define PANEL_LEVEL_USER  16

typedef enum panel_auth_mode {
	PANEL_AUTH_SESSION,  /* func=auth once, then auth=SESSION */
	PANEL_AUTH_AUTHINFO, /* authinfo=U:P on every call */
} panel_auth_mode;

typedef struct panel_opts {
	const char *url; /* base URL, e.g. https://h:1500/dcimgr */
	const char *username;
	const char *password;
	const char *cafile;        /* or NULL: system CAs */
	const char *pinned_pubkey; /* curl's CURLOPT_PINNEDPUBLICKEY, or NULL */
	bool insecure;             /* no certificate checks; explicit only */
	panel_auth_mode auth_mode;
	long connect_timeout_ms; /* 0: HTTP_DEFAULT_CONNECT_MS */
	long timeout_ms;         /* 0: HTTP_DEFAULT_TIMEOUT_MS */
	size_t body_cap;         /* 0: XML_DEFAULT_MAX_BODY */
	int max_depth;           /* 0: XML_DEFAULT_MAX_DEPTH */
	apilog *log;             /* or NULL */
} panel_opts;

typedef struct panel panel;

int panel_lib_init(dc_err *err);
void panel_lib_cleanup(void);

/* Copies everything in opts (strings included). Checks the URL
 * (http_url_check) and that a user name is given; no network. */
panel *panel_new(const panel_opts *opts, dc_err *err);
/* Wipes the password and session; no logout request is sent. */
void panel_free(panel *p);

/* func=auth with the handle's credentials. Reads the session from the
 * auth@id attribute or from the element's text, and the level from
 * auth@level (-1 when absent). In session mode the session is kept for
 * later calls; in authinfo mode only the level is kept. *level may be
 * NULL. Bad credentials: DC_E_AUTH, not retryable. */
int panel_login(panel *p, int *level, dc_err *err);
/* Logs in if the level is not known yet; DC_E_ACCESS with a message that
 * names the user and the level unless the level is 29 (administrator). */
int panel_require_admin(panel *p, dc_err *err);
/* Forgets the session (the next call logs in again); no network. */
void panel_forget_session(panel *p);
/* Makes calls on p abort (DC_E_CANCELLED) once *flag becomes non-zero,
 * e.g. the console's job_cancel_flag(); NULL removes it. Another thread
 * may set the flag at any time; the handle itself stays single-thread. */
void panel_set_cancel(panel *p, const volatile int *flag);

/* One call. Logs in first when there is no session. On an
 * `<error type="auth">` answer with a session: if safe_to_repeat, logs in
 * again and repeats the call once; if not, returns DC_E_AUTH, retryable,
 * with the session dropped (the panel refused before acting). *doc gets
 * the decoded answer (free with xml_doc_free); doc may be NULL for calls
 * whose answer is only ok/error. An `<error>` answer returns -1. */
int panel_call(panel *p, const char *func, const panel_param *params,
               bool safe_to_repeat, xml_doc **doc, dc_err *err);
/* Like panel_call but hands back the raw answer body (malloc'd, NUL-
 * terminated) in *body, also when it is an `<error>` (returns -1 then,
 * with err filled). For troubleshooting output (`dcictl call`). */
int panel_call_raw(panel *p, const char *func, const panel_param *params,
                   bool safe_to_repeat, char **body, size_t *len, dc_err *err);

/* ---- helpers for the typed adapters (dci, ipm, lic) ---- */

/* panel_call for an apply: the answer must be `<ok/>`, a key (`<id>`,
 * `<ip>`) or empty; *doc as in panel_call (may be NULL). */
int panel_apply(panel *p, const char *func, const panel_param *params,
                bool safe_to_repeat, xml_doc **doc, dc_err *err);
/* Strict decimal parses of a field of func's answer. value NULL gives
 * 0 (absent, not an error). Anything else that is not entirely a number in
 * range: DC_E_PARSE naming func, the field and the value. */
int panel_field_long(const panel *p, const char *func, const char *field,
                     const char *value, long *out, dc_err *err);
int panel_field_double(const panel *p, const char *func, const char *field,
                       const char *value, double *out, dc_err *err);
/* DC_E_PARSE for a missing or malformed part of func's answer. */
int panel_bad_answer(const panel *p, const char *func, dc_err *err,
                     const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

const char *panel_url(const panel *p);
const char *panel_username(const panel *p);
/* Level from the last login, or -1 when not known. */
int panel_level(const panel *p);
apilog *panel_log(const panel *p);
const xml_opts *panel_xml_opts(const panel *p);

/* ---- many calls in flight on one panel (curl multi) ----
 *
 * panel_batch_add queues a call (logging in first, synchronously, if the
 * handle has no session); panel_batch_run performs the queue with at most
 * max_parallel transfers over reused connections and calls done() once per
 * call, on the running thread, with the decoded answer (ownership passes
 * to done; free it with xml_doc_free) or NULL and the error. An expired
 * session is renewed once (one login for all calls that hit it) and safe
 * calls are repeated, as in panel_call. done() may add more calls. The
 * panel handle belongs to the batch while it runs; panel_batch_cancel may
 * be called from any thread (pending calls complete with DC_E_CANCELLED). */
typedef struct panel_batch panel_batch;
typedef void (*panel_done_fn)(void *user, xml_doc *doc, const dc_err *err);

panel_batch *panel_batch_new(panel *p, int max_parallel, dc_err *err);
void panel_batch_free(panel_batch *b);
int panel_batch_add(panel_batch *b, const char *func, const panel_param *params,
                    bool safe_to_repeat, panel_done_fn done, void *user,
                    dc_err *err);
int panel_batch_run(panel_batch *b, dc_err *err);
/* The panel a batch runs on. */
panel *panel_batch_panel(const panel_batch *b);
void panel_batch_cancel(panel_batch *b);

#endif
