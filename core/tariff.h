/* tariff.h - tariff and add-on rules that need panel facts, and the
 * availability arithmetic (pure).
 *
 * Contract: pure functions; no store, no network, thread-safe. The caller
 * asks the panels (server types, OS templates, IPmanager types, server
 * lists) and passes the answers in; these functions decide. Add-ons of a
 * tariff are passed resolved: addons[i] is the record for t->addons[i].
 *
 * Free server of type T (protocol.md 4): no owner, type T, none of
 * blocked, hwproblem, diag_in_progress, install_in_progress,
 * operation_failed; and, when the tariff has a RAM add-on, RAM at least
 * the smallest RAM that can be ordered. Times are unix seconds. */
#ifndef DC_TARIFF_H
#define DC_TARIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "model.h"

/* What the panels say about one module of the tariff. A list that could
 * not be fetched is given as known = false and makes the check fail with
 * the module named (the rule cannot be shown to hold). */
typedef struct tariff_module_facts {
	const char *module; /* module name, for messages */
	bool known;
	const char *const *server_types; /* DCImanager server types */
	size_t nserver_types;
	const char *const *os_templates; /* DCImanager OS template names */
	size_t nos_templates;
	const char *const *iptypes; /* types of the module's IPmanager */
	size_t niptypes;
} tariff_module_facts;

/* The server type must exist on at least one of the modules (all modules
 * checked, named in the refusal, field "server_type"). */
int tariff_check_server_type(const char *server_type,
                             const tariff_module_facts *f, size_t nf,
                             dc_err *err);

/* The effective values of t->addons[i]: its override or the add-on's. */
const dc_addon_values *tariff_addon_values(const dc_tariff *t, size_t i,
                                           const dc_addon *addons);

/* Rules between a tariff and its add-ons: at most one add-on per kind
 * (special blocks: one per IP type), every override valid for the add-on's
 * kind. Field "addons". */
int tariff_check_addons(const dc_tariff *t, const dc_addon *addons,
                        dc_err *err);

/* Rules against panel facts, for every module of the tariff (any of them
 * may be picked): the server type (as tariff_check_server_type), every OS
 * value exists as a template ("addons", naming the value and module),
 * every special_ip_block_<type> add-on's type exists in the module's
 * IPmanager ("addons", naming the type and module). */
int tariff_check_facts(const dc_tariff *t, const dc_addon *addons,
                       const tariff_module_facts *f, size_t nf, dc_err *err);

/* A value chosen for an order: for included/none it must be the fixed
 * value (or "" meaning that value); for client, one of the list or an
 * integer inside the range. Field: the add-on's name. */
int tariff_check_choice(const dc_addon *a, const dc_addon_values *v,
                        const char *chosen, dc_err *err);

/* The smallest RAM (MiB) an order of the tariff can ask for, 0 when the
 * tariff has no RAM add-on: this is the floor for "free" servers. */
int64_t tariff_min_ram(const dc_tariff *t, const dc_addon *addons);

/* A server as the availability count sees it (caller maps the panel's
 * list row to this). */
typedef struct avail_server {
	const char *owner; /* NULL or "" = no owner */
	const char *type;
	int64_t ram_mib; /* 0 = not reported */
	bool blocked, hwproblem, diag_in_progress, install_in_progress,
	    operation_failed;
} avail_server;

/* Is the server free for the type (and RAM floor, 0 = any)? A server that
 * does not report RAM does not fit a RAM floor > 0. */
bool avail_server_fits(const avail_server *s, const char *type,
                       int64_t min_ram);
long avail_count_free(const avail_server *s, size_t n, const char *type,
                      int64_t min_ram);

/* Per module input to the availability computation. */
typedef struct avail_module {
	int64_t id;
	const char *name;
	int64_t sorting;
	bool enabled;
	bool counted;       /* a count exists */
	long free;          /* free servers that fit, when counted */
	int64_t counted_at; /* when the count was made */
	const char *error;  /* why the last count failed, or NULL */
} avail_module;

#define AVAIL_REASON_MAX 256

typedef struct tariff_avail {
	long total;         /* sum of known counts of enabled modules */
	bool orderable;     /* enabled tariff and some module has a free one */
	long picked;        /* index into the input of the module the
	                       sorting rule picks now, or -1 */
	int64_t oldest_age; /* seconds since the oldest count used, -1 none */
	char reason[AVAIL_REASON_MAX]; /* why not orderable, or "" */
} tariff_avail;

/* Combines per-module counts into the tariff's availability at `now`:
 * total, orderable, the picked module (module_pick on the same facts) and,
 * when not orderable, the reason ("tariff disabled", "no modules",
 * "all modules disabled", "no free server of type T (RAM >= N MiB)",
 * "not counted yet: m1, m2", "count failed on m1: ..."). */
void tariff_availability(const dc_tariff *t, int64_t min_ram,
                         const avail_module *m, size_t n, int64_t now,
                         tariff_avail *out);

#endif
