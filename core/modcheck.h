/* modcheck.h - connection diagnostics for a processing module (and for the
 * IPmanager and licence-server connections it uses), as a list of steps an
 * operator can read: what was tried, how long it took, and on failure the
 * error line and what to do about it.
 *
 * Contract:
 * - Steps of a DCImanager module, in order: resolve host (getaddrinfo),
 *   TCP connect, TLS (https only), login (func=auth), administrator level
 *   (29), API answers (osmgr decodes), IPmanager reachable (its own login
 *   and its list of address types), parking type exists in that list,
 *   licence server login (only when one is set). A connection check
 *   (modcheck_conn_run) has resolve, connect, TLS, login and, for an
 *   IPmanager, the list of address types.
 * - Steps that depend on a failed one are kept in the list as skipped, so
 *   the list always has the same lines; the IPmanager and licence steps
 *   run even when the DCImanager side failed (the operator sees every
 *   problem at once).
 * - Every failed step names the form field / command option to fix in
 *   step.field ("url", "username", "password", "ipmgr", "parking_type",
 *   "license", "cafile") so that a form can put the reason beside it and a
 *   command can refuse naming it.
 * - The functions block on the network: call them from a worker thread.
 *   progress() is called on that thread after each step ends (the caller
 *   marshals it to its UI thread); cancel (may be NULL) is polled between
 *   steps. No global state; passwords given are not kept; nothing is
 *   printed. Times are milliseconds.
 * - modcheck_module and modcheck_conn_stored read the record and its
 *   secrets from the store (one thread per store, as store.h) and, for a
 *   module, write the result with module_set_check. */
#ifndef DC_MODCHECK_H
#define DC_MODCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apilog.h"
#include "err.h"
#include "model.h"
#include "store.h"

typedef enum modcheck_state {
	MODCHECK_PENDING = 0, /* not run yet */
	MODCHECK_OK,
	MODCHECK_FAIL,
	MODCHECK_SKIP, /* not run: an earlier step failed, or not needed */
} modcheck_state;

typedef enum modcheck_id {
	MODCHECK_RESOLVE,
	MODCHECK_CONNECT,
	MODCHECK_TLS,
	MODCHECK_LOGIN,
	MODCHECK_ADMIN,
	MODCHECK_API,
	MODCHECK_IPMGR,
	MODCHECK_PARKING,
	MODCHECK_LICENSE,
	MODCHECK_TYPES, /* connection check of an IPmanager: its types */
} modcheck_id;

#define MODCHECK_MAX_STEPS 10

typedef struct modcheck_step {
	modcheck_id id;
	char name[48]; /* "resolve host", "TCP connect", ... */
	modcheck_state state;
	double ms;        /* time the step took */
	char detail[256]; /* OK: what was found; SKIP: why */
	char error[600];  /* FAIL: the error line (err_line) */
	char hint[300];   /* FAIL: what to do */
	char field[32];   /* FAIL: the field/option to fix */
	dc_errcat cat;    /* FAIL: the error's category */
} modcheck_step;

typedef struct modcheck_result {
	modcheck_step steps[MODCHECK_MAX_STEPS];
	size_t n;
	bool ok;   /* every step OK or skipped-not-needed */
	double ms; /* whole check */
	/* The address types the IPmanager listed (for a form's choice), or
	 * NULL/0 when it could not be asked. Free with modcheck_result_free. */
	char **types;
	size_t ntypes;
	char msg[DC_MSG_MAX]; /* one line: "all N steps passed" or the first
	                         failure */
} modcheck_result;

/* One panel connection's settings. password is required. */
typedef struct modcheck_conn {
	const char *name; /* for messages ("IPmanager ipmgr-main"); may be
	                     NULL */
	const char *url;
	const char *username;
	const char *password;
	const char *cafile; /* NULL or "": system CAs */
	bool insecure;
} modcheck_conn;

/* What to check: a module's values, saved or not. */
typedef struct modcheck_target {
	modcheck_conn dci;        /* the DCImanager panel */
	modcheck_conn ipmgr;      /* its IPmanager (url NULL: not chosen) */
	const char *parking_type; /* NULL/"": not chosen */
	modcheck_conn license;    /* url NULL: no licence server */
} modcheck_target;

typedef struct modcheck_opts {
	long connect_timeout_ms; /* 0: HTTP_DEFAULT_CONNECT_MS */
	long timeout_ms;         /* 0: HTTP_DEFAULT_TIMEOUT_MS */
	size_t body_cap;         /* 0: default */
	apilog *log;             /* panel calls are logged here; may be NULL */
	const volatile int *cancel;
	/* Called after each step ends (worker thread); may be NULL. */
	void (*progress)(void *user, const modcheck_result *r, size_t step);
	void *user;
} modcheck_opts;

/* Checks a module's values (saved or not). Returns 0 when the check ran
 * (res->ok says whether it passed), -1 only when it could not run at all
 * (out of memory, cancelled: DC_E_CANCELLED). res is filled in both
 * cases and must be freed with modcheck_result_free. */
int modcheck_run(const modcheck_target *t, const modcheck_opts *o,
                 modcheck_result *res, dc_err *err);

typedef enum modcheck_kind {
	MODCHECK_KIND_IPMGR,
	MODCHECK_KIND_LICSRV,
} modcheck_kind;

/* Checks one IPmanager or licence-server connection. As modcheck_run. */
int modcheck_conn_run(modcheck_kind kind, const modcheck_conn *c,
                      const modcheck_opts *o, modcheck_result *res,
                      dc_err *err);

/* Loads module id with its IPmanager, licence server and passwords from
 * the store, checks it, and stores the outcome (module_set_check). -1 when
 * it cannot be loaded or the result cannot be stored. */
int modcheck_module(dc_store *st, int64_t id, const modcheck_opts *o,
                    modcheck_result *res, dc_err *err);

/* The same for a stored IPmanager or licence-server connection (the
 * result is not stored: connections keep no check state). */
int modcheck_conn_stored(dc_store *st, modcheck_kind kind, int64_t id,
                         const modcheck_opts *o, modcheck_result *res,
                         dc_err *err);

/* Fills a module's target from the store: its IPmanager and licence
 * server with their passwords (malloc'd in *secrets, which the caller
 * frees with modcheck_secrets_free after the check). dci.password is
 * taken from the store unless dci_password is given (a form's new
 * value). m's strings are referenced, not copied. */
typedef struct modcheck_secrets {
	char *dci, *ipmgr, *license;
	dc_conn ipmgr_conn, license_conn;
} modcheck_secrets;
int modcheck_target_from_store(dc_store *st, const dc_module *m,
                               const char *dci_password, modcheck_target *t,
                               modcheck_secrets *sec, dc_err *err);
void modcheck_secrets_free(modcheck_secrets *sec);

/* The address types of a stored IPmanager connection (for a form's
 * choice), as a malloc'd array of malloc'd names; free with
 * modcheck_types_free. */
int modcheck_ipmgr_types(dc_store *st, int64_t ipmgr_id, const modcheck_opts *o,
                         char ***types, size_t *n, dc_err *err);
void modcheck_types_free(char **types, size_t n);

/* The result as a stored check record (time now). */
void modcheck_to_check(const modcheck_result *r, dc_check *c);

/* The first failed step, or NULL. */
const modcheck_step *modcheck_first_failure(const modcheck_result *r);

/* "ok", "FAIL", "skip", "..." */
const char *modcheck_state_name(modcheck_state s);

/* Deep copy (types included); -1 on no memory. dst is overwritten. */
int modcheck_result_copy(modcheck_result *dst, const modcheck_result *src);
void modcheck_result_free(modcheck_result *r);

#endif
