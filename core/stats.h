/* stats.h - statistics collection and storage: 5-minute buckets per server
 * pulled from DCImanager (`server.stat`), daily burst rows, and the queries
 * the console and the command line show. Definitions: shared/spec/domain.md
 * 7 and doc/statistics.md; the maths is statmath.h.
 *
 * Contract:
 * - Everything takes the caller's dc_store (one thread at a time, as the
 *   store says); the collector also owns panel handles, so one collector
 *   is used by one thread at a time (it may move between threads between
 *   runs, like the console's jobs worker does). No global state.
 * - Tables (store.c migration "statistics"): stat_bucket (module, server,
 *   bucket start) with in/out KiB and power W, a NULL column = the panel
 *   did not report that field; stat_day (module, server, zone, day) with
 *   burst_in_day / burst_out_day (Mbit/s), coverage and day totals;
 *   stat_cursor (module, server) with next_t, the first bucket the next
 *   run asks for: every bucket before it is stored or was not reported by
 *   the panel in an answer that was stored.
 * - Faults never duplicate or leave holes: a panel answer is stored in one
 *   transaction together with its cursor and the daily rows of the days it
 *   touched, with INSERT .. ON CONFLICT DO UPDATE; an answer that failed
 *   (transport, HTTP, parse, store) stores nothing and moves no cursor, so
 *   those buckets are asked for again on the next run.
 * - Units: times are unix seconds (bucket starts are multiples of 300),
 *   traffic KiB, power W, bursts Mbit/s (SI). Missing is never zero: a
 *   bucket the panel did not report is no row; NaN where a value is absent.
 * - Lists are malloc'd arrays the caller frees with free(). */
#ifndef DC_STATS_H
#define DC_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apilog.h"
#include "err.h"
#include "model.h"
#include "statmath.h"
#include "store.h"

#define STATS_DEFAULT_PARALLEL 8
#define STATS_MAX_PARALLEL     64
/* One server.stat request asks for at most this much (2016 buckets).
 * Windows are asked one after the other per server, the next one while
 * the previous ended before the panel's clock as far as it is known. */
#define STATS_WINDOW_SECONDS (7 * 86400)
/* A server never collected before starts this far back (unless --since). */
#define STATS_FIRST_LOOKBACK (86400)

/* The tables' schema: one migration appended in store.c. */
extern const char stats_schema_sql[];

/* ---- what a statistic belongs to ---------------------------------------- */

typedef struct stats_target {
	int64_t module_id;
	char module[DC_NAME_MAX];
	long server_id;          /* DCImanager server id */
	char server_name[128];   /* as last listed by the collector, or "" */
	int64_t service_id;      /* > 0 when named through a service */
	char service_label[160]; /* "service 7 (client, host)" or "" */
} stats_target;

/* Finds what `text` names. module (a module name, NULL or "" if not
 * given) narrows the search. Forms of text:
 *   "12"            server 12 of `module`, or of the only module that has
 *                   statistics for a server 12 (or of the only module);
 *   "MODULE/12"     server 12 of that module;
 *   "service:7"     the server of service 7 (its module and server id);
 *   anything else   a server name (as listed by DCImanager and recorded
 *                   by the collector) or a service's hostname/server name.
 * Ambiguity and unknown names are DC_E_INVALID (field "target") or
 * DC_E_NOTFOUND with a message saying how to be precise. */
int stats_target_resolve(dc_store *st, const char *module, const char *text,
                         stats_target *out, dc_err *err);

/* ---- collection --------------------------------------------------------- */

typedef struct stats_progress {
	const char *module;  /* the module being collected */
	size_t module_index; /* 1-based */
	size_t modules_total;
	size_t servers_done;  /* in this module, failed ones included */
	size_t servers_total; /* in this module (0 while listing) */
	size_t servers_failed;
	uint64_t buckets; /* new or changed buckets stored, whole run */
	size_t requests;  /* answers received (or failed), whole run */
} stats_progress;

typedef void (*stats_progress_fn)(void *user, const stats_progress *p);

typedef struct stats_collect_opts {
	const char *module; /* a module name; NULL: every enabled module */
	long server_id;     /* > 0: only this server of `module` (no list) */
	int64_t since;      /* > 0: (re)collect from here; 0: from cursors */
	int64_t now;        /* local clock for look-back, continuation and
	                       retention; 0: time(NULL) at each run */
	int max_parallel;   /* requests in flight per module; 0: default */
	const statmath_zone *zone; /* calendar days of daily rows; NULL: UTC */
	int retention_days; /* > 0: delete buckets older than now - days */
	long connect_timeout_ms, timeout_ms; /* 0: the HTTP defaults */
	size_t body_cap;                     /* 0: the XML default */
	apilog *log;                         /* or NULL */
	stats_progress_fn progress;          /* or NULL */
	void *user;
	const volatile int
	    *cancel; /* set: stop between answers (may be NULL) */
} stats_collect_opts;

typedef struct stats_collect_result {
	size_t modules, modules_failed;
	size_t servers, servers_ok, servers_failed;
	uint64_t buckets; /* new or changed buckets stored */
	size_t requests;  /* server.stat calls answered or failed */
	size_t days;      /* daily rows recomputed */
	uint64_t deleted; /* buckets removed by retention */
	int64_t newest;   /* newest bucket start stored by this run, 0: none */
	dc_err first_error;   /* first failure (cat DC_OK when none) */
	char first_where[96]; /* "module/server" or "module" of it */
} stats_collect_result;

typedef struct stats_collector stats_collector;

/* Copies opts (strings and the zone included). No network, no store. */
stats_collector *stats_collector_new(const stats_collect_opts *o, dc_err *err);
/* One pass over the modules and servers the options name: lists servers,
 * asks each for server.stat from its cursor (or `since`), many in flight
 * per module, stores the answers, recomputes touched days, applies
 * retention (at most once an hour per collector). Panel handles (session,
 * connections) are kept for the next run. Returns 0 when every server
 * was collected; -1 with err when something failed (res still counts
 * what was done; failed servers are retried by the next run), with
 * DC_E_CANCELLED when cancelled. */
int stats_collector_run(stats_collector *c, dc_store *st,
                        stats_collect_result *res, dc_err *err);
void stats_collector_free(stats_collector *c);
/* Replaces the cancel flag for the next runs (a console job has its own
 * flag each time). */
void stats_collector_set_cancel(stats_collector *c, const volatile int *cancel);

/* stats_collector_new + run + free. */
int stats_collect(dc_store *st, const stats_collect_opts *o,
                  stats_collect_result *res, dc_err *err);

/* Deletes buckets that start before `before`; *deleted may be NULL. */
int stats_retention_apply(dc_store *st, int64_t before, uint64_t *deleted,
                          dc_err *err);

/* ---- queries ------------------------------------------------------------ */

/* Stored buckets of a server with start in [from, to), by time. */
int stats_buckets(dc_store *st, int64_t module_id, long server_id, int64_t from,
                  int64_t to, statmath_bucket **out, size_t *n, dc_err *err);

/* Totals (exact sums, averages, maxima, current) over [from, to). */
int stats_totals(dc_store *st, int64_t module_id, long server_id, int64_t from,
                 int64_t to, statmath_totals *out, dc_err *err);

/* Start of the newest stored bucket of a server; 0 when none. */
int stats_newest(dc_store *st, int64_t module_id, long server_id, int64_t *t,
                 dc_err *err);

typedef struct stats_day_row {
	statmath_day day;
	char date[11];       /* "YYYY-MM-DD" */
	bool stored;         /* read from stat_day (else computed now) */
	double burst_in;     /* Mbit/s, NaN when no `in` bucket */
	double burst_out;    /* Mbit/s, NaN when no `out` bucket */
	size_t n_in, n_out;  /* present buckets */
	size_t expected;     /* buckets the day can hold (288, or DST) */
	double coverage;     /* max(n_in, n_out) / 288 */
	double coverage_day; /* max(n_in, n_out) / expected */
	uint64_t in_kib, out_kib;
	int64_t computed_at; /* unix s when stored; 0 when computed now */
} stats_day_row;

/* The daily row of one day (statmath_day_parse) in zone z: the stored row
 * when the collector wrote one for that zone, else computed from the
 * stored buckets (not written: queries never write). */
int stats_day_get(dc_store *st, int64_t module_id, long server_id,
                  const statmath_zone *z, const statmath_day *d,
                  stats_day_row *out, dc_err *err);

/* Daily rows of every day overlapping [from, to) in zone z, in order. */
int stats_days(dc_store *st, int64_t module_id, long server_id,
               const statmath_zone *z, int64_t from, int64_t to,
               stats_day_row **out, size_t *n, dc_err *err);

/* ---- input -------------------------------------------------------------- */

/* Parses a time for --since/--from/--to: unix seconds ("1767225600"),
 * "now", a duration ago ("90m", "6h", "2d", "1w"), a local day
 * "YYYY-MM-DD" (its start) or a local time "YYYY-MM-DD HH:MM[:SS]" (also
 * with 'T') in zone z (NULL: UTC). DC_E_INVALID naming `field`. */
int stats_time_parse(const char *text, const statmath_zone *z, int64_t now,
                     const char *field, int64_t *out, dc_err *err);

#endif
