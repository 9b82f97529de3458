/* module.h - which processing module serves an order (pure rules).
 *
 * Contract: pure functions over arrays the caller owns; no store, no
 * network, no allocation, thread-safe. The caller gathers the facts (from
 * the store and the panels) into module_candidate rows.
 *
 * The seed's rule (domain.md 2, "Module choice"): among the tariff's
 * enabled modules, ordered by sorting then id, take the first that has a
 * free server of the tariff's type (and enough RAM: the caller counts only
 * such servers in `free`). If opening fails at the claim step on that
 * module, the caller moves on to the next one of module_order. */
#ifndef DC_MODULE_H
#define DC_MODULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct module_candidate {
	int64_t id;      /* module id: the tie-break after sorting */
	int64_t sorting; /* lower wins */
	bool enabled;
	long free; /* free servers that fit; < 0 = not known (not counted) */
} module_candidate;

/* Writes into order[] (room for n) the indexes of the enabled candidates,
 * ordered by sorting then id; returns how many. Modules with no free
 * server are kept (they are the fall-through order for a claim that
 * races); use module_pick for "who has one now". */
size_t module_order(const module_candidate *c, size_t n, size_t *order);

/* Index of the first candidate in module_order's order whose free > 0, or
 * -1 when none has a free server (or n == 0). */
long module_pick(const module_candidate *c, size_t n);

/* The parking type must be one of the types the module's IPmanager has
 * (types as listed by it, ntypes of them). Refusal names "parking_type"
 * and lists the types that exist. */
int module_check_parking(const char *parking_type, const char *const *types,
                         size_t ntypes, dc_err *err);

#endif
