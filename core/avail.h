/* avail.h - tariff availability: free servers of a tariff's type per module
 * and in total, whether it can be ordered and why not, which module the
 * sorting rule picks now, and how old every count is.
 *
 * Counting is inventory.h's server summary: one `server` call per module
 * (all modules in parallel) answers every tariff, whatever its type and
 * RAM floor. avail_refresh asks the panels; avail_tariff / avail_tariffs
 * only read the store, so they are cheap enough for every redraw.
 *
 * Threads: as inventory.h - call on the thread that owns the store handle;
 * avail_refresh blocks on the network (the console runs it as a job).
 * Times: counted_at unix milliseconds, ages seconds, RAM MiB.
 *
 * For the provisioning engine: after a service is opened or closed on a
 * module, call avail_invalidate(st, module_id) (cheap, no network) and,
 * when the new count is wanted at once, avail_refresh(st, &module_id, 1,
 * 0, &opts, &err). An invalidated count stays visible, marked stale, until
 * the next refresh replaces it. */
#ifndef DC_AVAIL_H
#define DC_AVAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "inventory.h"
#include "model.h"
#include "store.h"
#include "tariff.h"

/* One module of a tariff. */
typedef struct avail_mod {
	int64_t module_id;
	char name[DC_NAME_MAX];
	bool enabled;
	int64_t sorting;
	bool have_count;    /* a count from the module's current panel exists */
	bool usable;        /* ... and the last attempt to renew it worked */
	bool stale;         /* invalidated after the count was made */
	long free;          /* free servers that fit (type, RAM floor) */
	long servers;       /* servers of the type, free or not */
	int64_t counted_at; /* unix ms; 0 when !have_count */
	int64_t age_s;      /* seconds since counted_at; -1 when none */
	int64_t ms;         /* how long the count took */
	char error[DC_MSG_MAX]; /* the last attempt failed: why */
} avail_mod;

typedef struct avail_result {
	dc_tariff t;
	int64_t min_ram; /* the RAM floor from the tariff's ram add-on, 0 */
	size_t n;
	avail_mod m[DC_TARIFF_MODULES_MAX]; /* in the tariff's module order */
	/* total (usable counts of enabled modules), orderable, picked (index
	 * into m, -1 none), oldest_age (s), reason (why not orderable) */
	tariff_avail a;
} avail_result;

/* Counts again on the modules ids[0..n) (ids == NULL: every enabled
 * module) whose count is older than max_age_ms, invalidated, or missing
 * (max_age_ms <= 0: all of them). A panel that does not answer is recorded
 * on its module, not returned as an error (see inventory.h inv_fetch).
 * *counted (may be NULL) gets the number of modules asked. */
int avail_refresh(dc_store *st, const int64_t *ids, size_t n,
                  int64_t max_age_ms, const inv_opts *o, size_t *counted,
                  dc_err *err);
/* See inv_invalidate: module_id's counts are out of date (0: all). */
int avail_invalidate(dc_store *st, int64_t module_id, dc_err *err);

/* Availability of tariff t from the stored counts at now_ms. */
int avail_tariff(dc_store *st, const dc_tariff *t, int64_t now_ms,
                 avail_result *out, dc_err *err);
/* The same for every tariff, by name; free *out with free(). */
int avail_tariffs(dc_store *st, int64_t now_ms, avail_result **out, size_t *n,
                  dc_err *err);

/* The combination itself, pure: t, its RAM floor, and the loaded
 * inventory (inv_load) of at least its modules; a module of t missing
 * from m reads as never counted. */
void avail_compute(const dc_tariff *t, int64_t min_ram, const inv_module *m,
                   size_t nm, int64_t now_ms, avail_result *out);

#endif
