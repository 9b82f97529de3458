/* simreq.h - one panel call as the handlers see it, and the panel
 * function tables.
 *
 * Contract: the HTTP layer fills panel, loc, params, user and level and
 * calls a handler with the state lock held. A handler appends the inside of
 * <doc>...</doc> to r->out and returns 0, or fills r->err and returns -1
 * (the HTTP layer then discards what it appended and answers the error).
 * Parameter values are valid UTF-8 without control characters (checked on
 * input). */
#ifndef SIM_REQ_H
#define SIM_REQ_H

#include "simerr.h"
#include "simfault.h"
#include "simstate.h"
#include "xbuf.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct kv {
	char *k;
	char *v;
	size_t vlen;
} kv;

typedef struct simreq {
	sim_panel panel;
	int loc; /* dcimgr location, 1-based; 0 for other panels */
	const char *func;
	kv *params;
	size_t nparams, capparams;
	char user[64];
	int level;
	const char *session; /* auth=... when the call used a session */
	xbuf out;
	size_t prefix; /* length of the XML head before the handler's part */
	simerr err;
} simreq;

/* Last value of key (the POST body overrides the query string); NULL if
 * absent. */
const char *req_get(const simreq *r, const char *key);
/* Like req_get but "" when absent. */
const char *req_str(const simreq *r, const char *key);
/* "on" (also "yes", "true", "1") */
bool req_on(const simreq *r, const char *key);
/* Whether sok=ok (or any non-empty sok) asks for an apply. */
bool req_sok(const simreq *r);
/* Parses a positive decimal id; fills a "value" error naming key. */
int req_id(simreq *r, const char *key, unsigned *out);
/* Parses an optional integer; absent -> def. */
int req_long(simreq *r, const char *key, long long lo, long long hi,
             long long def, long long *out);

typedef int (*panel_fn)(sim *s, simreq *r);

typedef struct panel_func {
	const char *name;
	panel_fn fn;
	int min_level; /* SIM_LEVEL_USER or SIM_LEVEL_ADMIN */
} panel_func;

const panel_func *dcimgr_func(const char *name);
const panel_func *ipmgr_func(const char *name);
const panel_func *billmgr_func(const char *name);
/* The control panel: no sessions, no faults. */
int simctl_call(sim *s, simreq *r);

#endif
