/* apilog.h - bounded in-memory log of panel API calls (the console's
 * "API log" view).
 *
 * Contract: an apilog is a ring of the last `capacity` call records. Every
 * HTTP exchange a panel handle makes (including logins) adds one record.
 * Records hold no secret: parameters are masked on the way in (see
 * apilog_secret_key) and URLs never carry credentials. All functions are
 * thread-safe (one mutex): worker threads add while the console reads.
 * Records are copied in and out, so no pointer into the ring ever escapes.
 * Each record gets a sequence number (1, 2, ...) so that a reader can ask
 * only for what is new since its last look. */
#ifndef DC_APILOG_H
#define DC_APILOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "err.h"
#include "http.h"

typedef struct apilog apilog;

typedef struct apilog_rec {
	uint64_t seq;          /* assigned by apilog_add, increasing */
	struct timespec start; /* CLOCK_REALTIME when the request was sent */
	double duration_ms;    /* request to answer decoded */
	bool ok;               /* false: cat and outcome say why */
	dc_errcat cat;
	char url[256];     /* panel base URL, never with credentials */
	char func[64];     /* the panel func */
	char params[512];  /* "k=v k2=v2", secrets as *** (truncated) */
	char outcome[512]; /* "ok", "ok: 10000 rows" or err_line() */
} apilog_rec;

/* capacity: records kept (at least 1). NULL on allocation failure. */
apilog *apilog_new(size_t capacity);
void apilog_free(apilog *log);

/* Copies *rec (its seq is ignored) and assigns the next sequence number,
 * which it returns. The oldest record is dropped when the ring is full. */
uint64_t apilog_add(apilog *log, const apilog_rec *rec);

/* Copies up to `max` records with seq > after_seq into out, oldest first;
 * returns how many were copied. after_seq = 0 gives everything kept. */
size_t apilog_snapshot(apilog *log, uint64_t after_seq, apilog_rec *out,
                       size_t max);

/* Sequence number of the newest record (0 when empty). */
uint64_t apilog_last_seq(apilog *log);
/* Number of records currently kept. */
size_t apilog_count(apilog *log);

/* True for parameter / element names whose values are secret: password,
 * passwd, checkpasswd, confirm, auth, authinfo, session ids, and any name
 * containing "pass", "secret" or "token". The one list used by the log,
 * the pretty-printer and `dcictl call`. */
bool apilog_secret_key(const char *key);

/* Appends " k=v" for each pair of the {NULL,NULL}-terminated array (NULL
 * allowed) to buf, secret values as "***" and long values shortened; buf is
 * always terminated. Returns buf. */
char *apilog_format_params(const http_param *params, char *buf, size_t len);

#endif
