/* err.h - errors as values.
 *
 * Contract: every core function that can fail takes a `dc_err *err` as its
 * last argument, returns 0 (or a non-NULL pointer) on success and -1 (or
 * NULL) on failure, and on failure fills *err. Core never prints and never
 * exits. `err` may be NULL when the caller does not care.
 *
 * The categories are those of shared/spec/protocol.md 8, plus the ones core
 * needs for local failures (invalid input, store, config, not found). */
#ifndef DC_ERR_H
#define DC_ERR_H

#include <stdbool.h>
#include <stddef.h>

typedef enum dc_errcat {
	DC_OK = 0,
	DC_E_TRANSPORT, /* connect refused, reset, DNS */
	DC_E_TLS,       /* certificate or handshake */
	DC_E_TIMEOUT,   /* connect or total timeout */
	DC_E_HTTP,      /* non-200 status */
	DC_E_PARSE,     /* malformed, hostile or oversized answer */
	DC_E_AUTH,      /* <error type="auth">, bad credentials, expired */
	DC_E_ACCESS,    /* <error type="access">, level too low */
	DC_E_EXISTS,    /* <error type="exists"> */
	DC_E_MISSED,    /* <error type="missed">: object not found on panel */
	DC_E_VALUE,     /* <error type="value">: panel refused a value */
	DC_E_LIMIT,     /* <error type="limit">: pool or stock exhausted */
	DC_E_PANEL,     /* any other <error type="..."> */
	DC_E_INVALID,   /* local validation: a field or argument is wrong */
	DC_E_NOTFOUND,  /* local: no such record */
	DC_E_CONFLICT,  /* local: refused because something depends on it */
	DC_E_STORE,     /* SQLite failure */
	DC_E_CONFIG,    /* config file problem */
	DC_E_NOMEM,
	DC_E_IO,        /* local file/system call failure */
	DC_E_CANCELLED,
	DC_ERRCAT_COUNT
} dc_errcat;

typedef struct dc_err {
	dc_errcat cat;
	bool retryable;     /* would repeating the same call possibly help */
	double elapsed_ms;  /* for panel calls: time spent, else 0 */
	char msg[512];      /* human text: the panel's message or ours */
	char field[64];     /* DC_E_INVALID/CONFIG: the field/option named */
	char object[128];   /* panel's error object attribute */
	char value[256];    /* panel's error value attribute */
	char func[64];      /* panel func that failed */
	char url[256];      /* panel base URL, never with credentials */
	char type[32];      /* panel's raw error type attribute */
} dc_err;

/* "transport", "tls", ... as in protocol.md 8. */
const char *dc_errcat_name(dc_errcat cat);

void err_clear(dc_err *err);
/* Sets cat and a printf-style message; clears the other fields. Returns -1 so
 * that `return err_set(err, ...)` reads naturally. Safe with err == NULL. */
int err_set(dc_err *err, dc_errcat cat, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Like err_set for DC_E_INVALID/DC_E_CONFIG, naming the field. */
int err_field(dc_err *err, dc_errcat cat, const char *field, const char *fmt,
	      ...) __attribute__((format(printf, 4, 5)));
/* Prefixes the message with "what: " (context added on the way up). */
void err_prefix(dc_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* One readable line for an operator, e.g.
 * "limit: no free address of type guardvlan9 (ip.edit at http://h/ipmgr,
 * object=iptype, 12 ms, retry may help)". Returns buf. */
char *err_line(const dc_err *err, char *buf, size_t len);

/* Bounded string copy that always terminates; returns strlen(src). */
size_t dc_strlcpy(char *dst, const char *src, size_t len);

#endif
