/* simfault.h - fault injection rules for dcisim.
 *
 * A rule names a target (any panel, dcimgr at any or one location, ipmgr,
 * billmgr), a function ("*" = any), a kind with its argument, a remaining
 * count (-1 = unlimited) and whether the panel still performs the call
 * ("act"). Random faults fire with a rate from a seeded PRNG, the kind
 * drawn from a list. The simulator-only control panel (/simctl) never gets
 * faults. Contract: called under the state lock; no allocation per call. */
#ifndef SIM_FAULT_H
#define SIM_FAULT_H

#include "simrand.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum sim_panel {
	PANEL_ANY = -1,
	PANEL_DCI = 0,
	PANEL_IP,
	PANEL_BILL,
	PANEL_CTL,
} sim_panel;

const char *sim_panel_name(sim_panel p);

typedef enum fault_kind {
	FK_NONE = 0,
	FK_DELAY,    /* answer after arg ms */
	FK_HTTP500,  /* HTTP 500, HTML body */
	FK_RESET,    /* close the connection without an answer */
	FK_TRUNCATE, /* announce the full length, send half, close */
	FK_BADXML,   /* 200 with malformed XML */
	FK_ERROR,    /* <error type=errtype> */
	FK_EXPIRE,   /* the request's session expires: <error type="auth"> */
} fault_kind;

const char *fault_kind_name(fault_kind k);

typedef struct fault_rule {
	unsigned id;
	sim_panel panel; /* PANEL_ANY, PANEL_DCI, PANEL_IP, PANEL_BILL */
	int loc;         /* dcimgr location, 0 = any */
	char func[64];   /* "*" = any */
	fault_kind kind;
	long ms;          /* FK_DELAY */
	char errtype[32]; /* FK_ERROR */
	long count;       /* remaining; -1 = unlimited */
	long fired;
	bool act; /* does the panel perform the call anyway */
} fault_rule;

#define FAULT_MAX_RULES 256
#define FAULT_MAX_KINDS 16

typedef struct faults {
	fault_rule rules[FAULT_MAX_RULES];
	size_t nrules;
	unsigned next_id;
	double rate;
	rnd_state rng;
	fault_rule kinds[FAULT_MAX_KINDS]; /* templates for random faults */
	size_t nkinds;
	unsigned long random_fired;
} faults;

/* What to do with one request. */
typedef struct fault_decision {
	fault_kind kind;
	long ms;
	char errtype[32];
	bool act;
	unsigned rule; /* 0 for random */
} fault_decision;

void faults_init(faults *f);
/* Sets kind, ms/errtype and the kind's default act from "KIND" and its
 * argument (NULL or empty if none). Returns 0 or -1 with err filled. */
int fault_kind_parse(const char *kind, const char *arg, fault_rule *r,
                     char *err, size_t errlen);
/* Parses the command-line form [TARGET/]FUNC:KIND[:ARG][@COUNT]. */
int fault_spec_parse(const char *spec, fault_rule *r, char *err, size_t errlen);
/* Parses TARGET ("any", "dcimgr", "dcN", "ipmgr", "billmgr"). */
int fault_target_parse(const char *s, fault_rule *r, char *err, size_t errlen);
/* Adds a rule (id assigned); returns the id, 0 if the table is full. */
unsigned faults_add(faults *f, const fault_rule *r);
/* Removes one rule (id) or all (id 0); returns the number removed. */
size_t faults_clear(faults *f, unsigned id);
/* "delay:300,http500,..." -> random fault kinds; rate in [0,1]. */
int faults_set_random(faults *f, double rate, unsigned long long seed,
                      const char *kinds, char *err, size_t errlen);
/* Decides for one call. has_session: the call carries auth=SESSION
 * (expiry faults only apply then). Returns true if a fault fires. */
bool faults_decide(faults *f, sim_panel panel, int loc, const char *func,
                   bool has_session, fault_decision *d);

#endif
