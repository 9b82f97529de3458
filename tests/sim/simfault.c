/* simfault.c - fault rules (see simfault.h). */
#include "simfault.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *sim_panel_name(sim_panel p)
{
	switch (p) {
	case PANEL_DCI:
		return "dcimgr";
	case PANEL_IP:
		return "ipmgr";
	case PANEL_BILL:
		return "billmgr";
	case PANEL_CTL:
		return "simctl";
	default:
		return "any";
	}
}

static const char *const kind_names[] = {
    [FK_NONE] = "none",   [FK_DELAY] = "delay",       [FK_HTTP500] = "http500",
    [FK_RESET] = "reset", [FK_TRUNCATE] = "truncate", [FK_BADXML] = "badxml",
    [FK_ERROR] = "error", [FK_EXPIRE] = "expire",
};

const char *fault_kind_name(fault_kind k)
{
	return k <= FK_EXPIRE ? kind_names[k] : "?";
}

void faults_init(faults *f)
{
	memset(f, 0, sizeof(*f));
	f->next_id = 1;
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	if (!s || !*s)
		return -1;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int fault_kind_parse(const char *kind, const char *arg, fault_rule *r,
                     char *err, size_t errlen)
{
	bool has_arg = arg && *arg;
	r->ms = 0;
	r->errtype[0] = '\0';
	r->kind = FK_NONE;
	for (int k = FK_DELAY; k <= FK_EXPIRE; k++)
		if (!strcmp(kind, kind_names[k]))
			r->kind = (fault_kind)k;
	switch (r->kind) {
	case FK_NONE:
		snprintf(err, errlen,
		         "unknown fault kind '%s' (delay, http500, reset, "
		         "truncate, badxml, error, expire)",
		         kind);
		return -1;
	case FK_DELAY:
		if (parse_long(arg, 0, 600000, &r->ms) < 0) {
			snprintf(err, errlen,
			         "delay needs milliseconds 0-600000, got '%s'",
			         arg ? arg : "");
			return -1;
		}
		r->act = true;
		return 0;
	case FK_ERROR:
		if (!has_arg || strlen(arg) >= sizeof(r->errtype) ||
		    strspn(arg, "abcdefghijklmnopqrstuvwxyz_") != strlen(arg)) {
			snprintf(err, errlen,
			         "error needs a type of lowercase letters "
			         "(e.g. error:value), got '%s'",
			         arg ? arg : "");
			return -1;
		}
		strcpy(r->errtype, arg);
		r->act = false;
		return 0;
	default:
		if (has_arg) {
			snprintf(err, errlen, "fault kind %s takes no argument",
			         kind);
			return -1;
		}
		/* A dropped or cut answer usually follows the work done; a
		 * 500, bad XML or expiry usually means nothing happened. */
		r->act = r->kind == FK_RESET || r->kind == FK_TRUNCATE;
		return 0;
	}
}

int fault_target_parse(const char *s, fault_rule *r, char *err, size_t errlen)
{
	long loc;
	r->loc = 0;
	if (!s || !*s || !strcmp(s, "any"))
		r->panel = PANEL_ANY;
	else if (!strcmp(s, "dcimgr"))
		r->panel = PANEL_DCI;
	else if (!strcmp(s, "ipmgr"))
		r->panel = PANEL_IP;
	else if (!strcmp(s, "billmgr"))
		r->panel = PANEL_BILL;
	else if (!strncmp(s, "dc", 2) && parse_long(s + 2, 1, 64, &loc) == 0) {
		r->panel = PANEL_DCI;
		r->loc = (int)loc;
	} else {
		snprintf(err, errlen,
		         "unknown fault target '%s' (any, dcimgr, dcN, ipmgr, "
		         "billmgr)",
		         s);
		return -1;
	}
	return 0;
}

int fault_spec_parse(const char *spec, fault_rule *r, char *err, size_t errlen)
{
	char buf[256];
	memset(r, 0, sizeof(*r));
	r->count = -1;
	if (strlen(spec) >= sizeof(buf)) {
		snprintf(err, errlen, "fault spec too long");
		return -1;
	}
	strcpy(buf, spec);
	char *at = strchr(buf, '@');
	if (at) {
		*at = '\0';
		if (parse_long(at + 1, 1, 1000000000, &r->count) < 0) {
			snprintf(err, errlen, "bad fault count '%s'", at + 1);
			return -1;
		}
	}
	char *func = buf, *slash = strchr(buf, '/');
	char *colon = strchr(buf, ':');
	if (slash && (!colon || slash < colon)) {
		*slash = '\0';
		if (fault_target_parse(buf, r, err, errlen) < 0)
			return -1;
		func = slash + 1;
	} else {
		r->panel = PANEL_ANY;
	}
	colon = strchr(func, ':');
	if (!colon || colon == func) {
		snprintf(err, errlen,
		         "fault spec '%s' is not [TARGET/]FUNC:KIND[:ARG]"
		         "[@COUNT]",
		         spec);
		return -1;
	}
	*colon = '\0';
	if (strlen(func) >= sizeof(r->func)) {
		snprintf(err, errlen, "function name too long");
		return -1;
	}
	strcpy(r->func, func);
	char *kind = colon + 1, *arg = strchr(kind, ':');
	if (arg)
		*arg++ = '\0';
	return fault_kind_parse(kind, arg, r, err, errlen);
}

unsigned faults_add(faults *f, const fault_rule *r)
{
	if (f->nrules == FAULT_MAX_RULES)
		return 0;
	fault_rule *n = &f->rules[f->nrules++];
	*n = *r;
	n->id = f->next_id++;
	n->fired = 0;
	return n->id;
}

size_t faults_clear(faults *f, unsigned id)
{
	if (!id) {
		size_t n = f->nrules;
		f->nrules = 0;
		return n;
	}
	for (size_t i = 0; i < f->nrules; i++)
		if (f->rules[i].id == id) {
			memmove(&f->rules[i], &f->rules[i + 1],
			        (f->nrules - i - 1) * sizeof(fault_rule));
			f->nrules--;
			return 1;
		}
	return 0;
}

int faults_set_random(faults *f, double rate, unsigned long long seed,
                      const char *kinds, char *err, size_t errlen)
{
	char buf[512];
	size_t n = 0;
	fault_rule tmp[FAULT_MAX_KINDS];
	if (!(rate >= 0.0 && rate <= 1.0)) {
		snprintf(err, errlen, "fault rate must be in 0..1");
		return -1;
	}
	if (!kinds || !*kinds)
		kinds = "delay:300,http500,reset,truncate,badxml,error:value,"
		        "expire";
	if (strlen(kinds) >= sizeof(buf)) {
		snprintf(err, errlen, "fault kinds list too long");
		return -1;
	}
	strcpy(buf, kinds);
	char *save = NULL;
	for (char *tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (n == FAULT_MAX_KINDS) {
			snprintf(err, errlen, "at most %d fault kinds",
			         FAULT_MAX_KINDS);
			return -1;
		}
		memset(&tmp[n], 0, sizeof(tmp[n]));
		char *arg = strchr(tok, ':');
		if (arg)
			*arg++ = '\0';
		if (fault_kind_parse(tok, arg, &tmp[n], err, errlen) < 0)
			return -1;
		n++;
	}
	if (!n) {
		snprintf(err, errlen, "fault kinds list is empty");
		return -1;
	}
	memcpy(f->kinds, tmp, n * sizeof(fault_rule));
	f->nkinds = n;
	f->rate = rate;
	rnd_seed(&f->rng, seed);
	return 0;
}

static bool rule_matches(const fault_rule *r, sim_panel panel, int loc,
                         const char *func, bool has_session)
{
	if (r->count == 0)
		return false;
	if (r->panel != PANEL_ANY && r->panel != panel)
		return false;
	if (r->loc && r->loc != loc)
		return false;
	if (strcmp(r->func, "*") && strcmp(r->func, func))
		return false;
	if (r->kind == FK_EXPIRE && !has_session)
		return false;
	return true;
}

static void decide_from(const fault_rule *r, fault_decision *d)
{
	d->kind = r->kind;
	d->ms = r->ms;
	d->act = r->act;
	snprintf(d->errtype, sizeof(d->errtype), "%s", r->errtype);
}

bool faults_decide(faults *f, sim_panel panel, int loc, const char *func,
                   bool has_session, fault_decision *d)
{
	memset(d, 0, sizeof(*d));
	for (size_t i = 0; i < f->nrules; i++) {
		fault_rule *r = &f->rules[i];
		if (!rule_matches(r, panel, loc, func, has_session))
			continue;
		if (r->count > 0)
			r->count--;
		r->fired++;
		decide_from(r, d);
		d->rule = r->id;
		return true;
	}
	if (f->rate > 0 && f->nkinds && rnd_double(&f->rng) < f->rate) {
		const fault_rule *k = &f->kinds[rnd_below(&f->rng, f->nkinds)];
		if (k->kind == FK_EXPIRE && !has_session)
			return false;
		decide_from(k, d);
		f->random_fired++;
		return true;
	}
	return false;
}
