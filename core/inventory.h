/* inventory.h - what the processing modules' panels have, fetched from
 * them in parallel and cached in the store with the time of each fetch.
 *
 * Per module, three facts, each fetched on request (inv_fetch) and kept in
 * the store (tables inv_module, inv_count, inv_name; see doc/tariffs.md):
 *  - servers: the module's DCImanager server list summarised per server
 *    type and RAM size (servers in all, free servers as protocol.md 4 and
 *    dci_server_is_free define them); this is what availability counts;
 *  - os: the names of the DCImanager's OS templates (osmgr);
 *  - iptypes: the address types of the module's IPmanager.
 * A fetch that fails keeps the previous facts and records the error and
 * the time of the attempt, so nothing is silently stale: a reader gets the
 * old facts, how old they are, and why they were not renewed.
 *
 * Threads: inv_fetch runs on the thread that owns the store handle
 * (store.h: one thread at a time). It reads the modules and their
 * passwords there, opens one panel handle per module (panel.h: a handle
 * per thread) and asks the panels from up to max_parallel worker threads
 * of its own, which never touch the store; then it writes every answer in
 * one transaction. Passwords are wiped as soon as the handles hold them.
 *
 * Times are unix milliseconds (UTC); durations milliseconds; RAM MiB.
 * Facts that came from a panel at another URL than the module's current
 * one (the module was edited) are not used: they read as never fetched. */
#ifndef DC_INVENTORY_H
#define DC_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apilog.h"
#include "config.h"
#include "err.h"
#include "model.h"
#include "panel.h"
#include "store.h"
#include "tariff.h"

/* The schema of the cache: migration 3 in store.c. */
extern const char inventory_schema_v1[];

/* What inv_fetch asks for (or-ed). */
enum {
	INV_SERVERS = 1u << 0,
	INV_OS = 1u << 1,
	INV_IPTYPES = 1u << 2,
	INV_ALL = INV_SERVERS | INV_OS | INV_IPTYPES,
};

#define INV_PARALLEL_MAX 16

/* How panels are asked. Zero values mean the panel.h defaults. */
typedef struct inv_opts {
	apilog *log; /* API log for every call, or NULL */
	long connect_timeout_ms;
	long timeout_ms;
	size_t body_cap;
	int max_parallel;           /* worker threads; 0: one per module, at
	                               most INV_PARALLEL_MAX */
	const volatile int *cancel; /* set: stop before the next call */
} inv_opts;

/* Fills o from the config's HTTP settings (cfg may be NULL: defaults). */
void inv_opts_init(inv_opts *o, const dc_config *cfg, apilog *log);

/* Milliseconds since the epoch (CLOCK_REALTIME). */
int64_t inv_now_ms(void);

/* A panel handle for module m's DCImanager / for IPmanager connection id,
 * with the stored password (wiped once the handle has its copy). No
 * network. Free with panel_free. */
panel *inv_module_panel(dc_store *st, const dc_module *m, const inv_opts *o,
                        dc_err *err);
panel *inv_ipmgr_panel(dc_store *st, int64_t ipmgr_id, const inv_opts *o,
                       dc_err *err);

/* One line of a module's server summary. */
typedef struct inv_count {
	char type[DC_TYPE_MAX];
	int64_t ram_mib; /* 0: servers that do not report RAM */
	long total;      /* servers of this type and RAM */
	long free;       /* of them free (no owner, no problem flag) */
} inv_count;

/* One fact's state. at == 0: never fetched (or fetched from another URL). */
typedef struct inv_stamp {
	int64_t at;             /* when the facts held were fetched */
	int64_t tried_at;       /* the last attempt (== at when it worked) */
	int64_t ms;             /* how long the last successful fetch took */
	char error[DC_MSG_MAX]; /* the last attempt failed: why; "" if not */
} inv_stamp;

/* What the store holds about one module. */
typedef struct inv_module {
	int64_t module_id;
	char name[DC_NAME_MAX];
	char url[DC_URL_MAX];
	bool enabled;
	int64_t sorting;
	int64_t ipmgr_id;
	dc_check check; /* the module's last connection check (store.h) */

	inv_stamp servers;
	int64_t invalidated_at; /* inv_invalidate: counts may be out of date */
	bool stale;             /* invalidated since servers.at */
	inv_count *counts;      /* sorted by type, then RAM */
	size_t ncounts;

	inv_stamp os;
	char **os_names; /* sorted */
	size_t nos;

	inv_stamp iptypes;
	char **iptype_names; /* sorted */
	size_t niptypes;
} inv_module;

/* Asks the panels of modules ids[0..n) (ids == NULL: every enabled
 * module) for the facts in `what`, in parallel, and stores the answers.
 * max_age_ms > 0 skips a module whose facts in `what` are all younger than
 * that and not invalidated. A panel that fails is recorded on its module
 * (inv_stamp.error) and is not an error of the call: the call fails only
 * when it cannot read or write the store, a module id does not exist, or
 * cancel was set (DC_E_CANCELLED; answers already in are still stored).
 * *fetched (may be NULL) gets how many modules were asked. */
int inv_fetch(dc_store *st, const int64_t *ids, size_t n, unsigned what,
              int64_t max_age_ms, const inv_opts *o, size_t *fetched,
              dc_err *err);

/* Marks module_id's server counts as out of date (0: every module's):
 * the provisioning engine calls it after it opened or closed a service,
 * so the next refresh counts again. */
int inv_invalidate(dc_store *st, int64_t module_id, dc_err *err);

/* Reads what the store holds for modules ids[0..n) (ids == NULL: every
 * module, by sorting then id), in that order. Free with inv_modules_free. */
int inv_load(dc_store *st, const int64_t *ids, size_t n, inv_module **out,
             size_t *nout, dc_err *err);
void inv_modules_free(inv_module *m, size_t n);
/* The loaded module with that id, or NULL. */
const inv_module *inv_find(const inv_module *m, size_t n, int64_t id);

/* Counts from a loaded summary: free servers of the type with RAM at least
 * min_ram (0: any; a server without RAM does not fit a floor > 0), and all
 * servers of the type. */
long inv_free(const inv_module *m, const char *type, int64_t min_ram);
long inv_total(const inv_module *m, const char *type);
/* The server types in the summary (distinct, sorted), as pointers into m;
 * returns how many were written (at most max). */
size_t inv_types(const inv_module *m, const char **out, size_t max);
/* The distinct server types of several modules, sorted, malloc'd array of
 * pointers into the modules (free the array only). */
int inv_types_union(const inv_module *m, size_t n, const char ***out,
                    size_t *nout, dc_err *err);

/* The tariff.h view of a loaded module: pointers into m (and into *types,
 * an array the caller frees after use). known is true only when all three
 * facts are fetched from the current URLs and the last attempt worked. */
int inv_facts_view(const inv_module *m, tariff_module_facts *f,
                   const char ***types, dc_err *err);

/* Fetches fresh facts (INV_ALL, max_age_ms as inv_fetch) for the tariff's
 * modules and checks the tariff against them (tariff_check_facts): server
 * type on at least one module, OS values and special IP types on every
 * module. addons is t->addons resolved (store.h tariff_resolve_addons). */
int inv_check_tariff(dc_store *st, const dc_tariff *t, const dc_addon *addons,
                     int64_t max_age_ms, const inv_opts *o, dc_err *err);

/* An add-on on its own (before any tariff uses it): OS values must be
 * templates of at least one module, a special block's type must exist in
 * at least one module's IPmanager. Facts are fetched for every enabled
 * module as inv_fetch does. With no module to ask, *unchecked is set and
 * the call succeeds (the tariff check will do it). */
int inv_check_addon(dc_store *st, const dc_addon *a, int64_t max_age_ms,
                    const inv_opts *o, bool *unchecked, dc_err *err);

#endif
