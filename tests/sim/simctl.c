/* simctl.c - the simulator-only control panel at /simctl.
 *
 * SIMULATOR ONLY: no real panel has this. Tests and the demo use it to read
 * ground truth and to change the world behind dcictl's back (faults, clock,
 * servers taken or freed, flags, exhausted pools). Same wire shape as the
 * panels (func=..., XML <doc> answers, <error> on refusal), no sessions and
 * never any fault. State lock held (simreq.h). */
#include "simreq.h"
#include "simstats.h"
#include "xbuf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static server *ctl_server(sim *s, simreq *r, int *loc)
{
	long long dc;
	unsigned id;
	if (req_long(r, "dc", 1, s->nlocs, 1, &dc) < 0 ||
	    req_id(r, "elid", &id) < 0)
		return NULL;
	*loc = (int)dc;
	server *v = sim_server(s, *loc, id);
	if (!v)
		simerr_set(&r->err, "missed", "server", req_str(r, "elid"),
		           "no server %u in dc%lld", id, dc);
	return v;
}

static void rule_row(xbuf *b, const fault_rule *f)
{
	xbuf_addf(b, "<elem><id>%u</id>", f->id);
	xbuf_elem(b, "target", sim_panel_name(f->panel));
	if (f->loc)
		xbuf_addf(b, "<dc>%d</dc>", f->loc);
	xbuf_elem(b, "func_name", f->func);
	xbuf_elem(b, "kind", fault_kind_name(f->kind));
	if (f->kind == FK_DELAY)
		xbuf_addf(b, "<arg>%ld</arg>", f->ms);
	else if (f->kind == FK_ERROR)
		xbuf_elem(b, "arg", f->errtype);
	xbuf_addf(b, "<count>%ld</count><fired>%ld</fired>", f->count,
	          f->fired);
	xbuf_elem(b, "act", f->act ? "on" : "off");
	xbuf_adds(b, "</elem>");
}

static int c_fault_set(sim *s, simreq *r)
{
	fault_rule f;
	char err[256];
	long long count;
	memset(&f, 0, sizeof(f));
	if (fault_target_parse(req_str(r, "target"), &f, err, sizeof(err)) < 0)
		return simerr_set(&r->err, "value", "target",
		                  req_str(r, "target"), "%s", err);
	if (*req_str(r, "dc")) {
		long long dc;
		if (req_long(r, "dc", 1, s->nlocs, 1, &dc) < 0)
			return -1;
		f.panel = PANEL_DCI;
		f.loc = (int)dc;
	}
	const char *fn = req_str(r, "func_name");
	if (!*fn || strlen(fn) >= sizeof(f.func))
		return simerr_set(&r->err, "value", "func_name", fn,
		                  "func_name is required (\"*\" for any)");
	strcpy(f.func, fn);
	if (fault_kind_parse(req_str(r, "kind"), req_str(r, "arg"), &f, err,
	                     sizeof(err)) < 0)
		return simerr_set(&r->err, "value", "kind", req_str(r, "kind"),
		                  "%s", err);
	if (req_long(r, "count", -1, 1000000000, -1, &count) < 0)
		return -1;
	if (count == 0)
		return simerr_set(&r->err, "value", "count", "0",
		                  "count must be positive or -1 (unlimited)");
	f.count = (long)count;
	const char *act = req_get(r, "act");
	if (act && *act) {
		if (f.kind == FK_DELAY || f.kind == FK_EXPIRE)
			return simerr_set(&r->err, "value", "act", act,
			                  "act does not apply to %s",
			                  fault_kind_name(f.kind));
		f.act = req_on(r, "act");
	}
	unsigned id = faults_add(&s->faults, &f);
	if (!id)
		return simerr_set(&r->err, "limit", "fault", "",
		                  "at most %d fault rules", FAULT_MAX_RULES);
	xbuf_addf(&r->out, "<id>%u</id>", id);
	return 0;
}

static int c_fault_list(sim *s, simreq *r)
{
	for (size_t i = 0; i < s->faults.nrules; i++)
		rule_row(&r->out, &s->faults.rules[i]);
	xbuf_addf(&r->out, "<random><rate>%g</rate><fired>%lu</fired></random>",
	          s->faults.rate, s->faults.random_fired);
	return 0;
}

static int c_fault_clear(sim *s, simreq *r)
{
	long long id;
	if (req_long(r, "id", 0, 1000000000, 0, &id) < 0)
		return -1;
	size_t n = faults_clear(&s->faults, (unsigned)id);
	if (id && !n)
		return simerr_set(&r->err, "missed", "fault", req_str(r, "id"),
		                  "no fault rule %lld", id);
	if (!id || req_on(r, "random"))
		s->faults.rate = 0;
	xbuf_addf(&r->out, "<cleared>%zu</cleared>", n);
	return 0;
}

static int c_fault_random(sim *s, simreq *r)
{
	char err[256], *end;
	const char *rs = req_str(r, "rate");
	double rate = strtod(rs, &end);
	long long seed;
	if (!*rs || *end)
		return simerr_set(&r->err, "value", "rate", rs,
		                  "rate must be a number in 0..1");
	if (req_long(r, "seed", 0, INT64_MAX, (long long)s->o.seed, &seed) < 0)
		return -1;
	if (faults_set_random(&s->faults, rate, (unsigned long long)seed,
	                      req_str(r, "kinds"), err, sizeof(err)) < 0)
		return simerr_set(&r->err, "value", "kinds",
		                  req_str(r, "kinds"), "%s", err);
	xbuf_flag(&r->out, "ok");
	return 0;
}

static void clock_out(sim *s, simreq *r)
{
	xbuf_addf(&r->out, "<now>%lld</now>", (long long)floor(sim_now(s)));
	if (s->virt)
		xbuf_flag(&r->out, "virtual");
}

static int c_clock_get(sim *s, simreq *r)
{
	clock_out(s, r);
	return 0;
}

static int c_clock_set(sim *s, simreq *r)
{
	long long t;
	if (!*req_str(r, "time"))
		return simerr_set(&r->err, "value", "time", "",
		                  "time (unix seconds) is required");
	if (req_long(r, "time", 0, 32503680000LL, 0, &t) < 0)
		return -1;
	if (s->virt && (double)t < s->vnow)
		return simerr_set(&r->err, "value", "time", req_str(r, "time"),
		                  "the virtual clock never goes back");
	s->virt = true;
	s->vnow = (double)t;
	sim_tick(s);
	clock_out(s, r);
	return 0;
}

static int c_clock_advance(sim *s, simreq *r)
{
	long long d;
	if (!s->virt)
		return simerr_set(&r->err, "value", "clock", "real",
		                  "the clock is real; start with --clock or "
		                  "use clock.set");
	if (!*req_str(r, "seconds"))
		return simerr_set(&r->err, "value", "seconds", "",
		                  "seconds is required");
	if (req_long(r, "seconds", 0, 400LL * 86400, 0, &d) < 0)
		return -1;
	s->vnow += (double)d;
	sim_tick(s);
	clock_out(s, r);
	return 0;
}

static int c_server_take(sim *s, simreq *r)
{
	int loc;
	server *v = ctl_server(s, r, &loc);
	if (!v)
		return -1;
	const char *owner = req_str(r, "owner"), *host = req_str(r, "hostname");
	sim_setstr(&v->owner, *owner ? owner : "simctl");
	sim_setstr(&v->hostname, *host ? host : "taken.simctl");
	xbuf_flag(&r->out, "ok");
	return 0;
}

static int c_server_free(sim *s, simreq *r)
{
	int loc;
	server *v = ctl_server(s, r, &loc);
	if (!v)
		return -1;
	free(v->owner);
	v->owner = NULL;
	sim_setstr(&v->hostname, "free.ds");
	xbuf_flag(&r->out, "ok");
	return 0;
}

static const struct {
	const char *name;
	unsigned bit;
} flag_names[] = {
    {"blocked", SRV_BLOCKED},       {"hwproblem", SRV_HWPROBLEM},
    {"diag_in_progress", SRV_DIAG}, {"operation_failed", SRV_OPFAILED},
    {"disabled", SRV_DISABLED},
};

static int c_server_set(sim *s, simreq *r)
{
	int loc;
	server *v = ctl_server(s, r, &loc);
	if (!v)
		return -1;
	const char *flag = req_str(r, "flag"), *val = req_str(r, "value");
	if (!strcmp(flag, "power")) {
		if (!strcmp(val, "on"))
			v->power = PWR_ON;
		else if (!strcmp(val, "off"))
			v->power = PWR_OFF;
		else if (!strcmp(val, "error"))
			v->power = PWR_ERROR;
		else
			return simerr_set(&r->err, "value", "value", val,
			                  "power is on, off or error");
		xbuf_flag(&r->out, "ok");
		return 0;
	}
	if (strcmp(val, "on") && strcmp(val, "off"))
		return simerr_set(&r->err, "value", "value", val,
		                  "value must be on or off");
	for (size_t i = 0; i < sizeof(flag_names) / sizeof(*flag_names); i++)
		if (!strcmp(flag, flag_names[i].name)) {
			if (!strcmp(val, "on"))
				v->flags |= flag_names[i].bit;
			else
				v->flags &= ~flag_names[i].bit;
			xbuf_flag(&r->out, "ok");
			return 0;
		}
	return simerr_set(&r->err, "value", "flag", flag,
	                  "flag must be blocked, hwproblem, diag_in_progress, "
	                  "operation_failed, disabled or power");
}

static int c_server_failnext(sim *s, simreq *r)
{
	int loc;
	server *v = ctl_server(s, r, &loc);
	if (!v)
		return -1;
	const char *op = req_str(r, "op");
	if (!strcmp(op, "install"))
		v->fail_install = true;
	else if (!strcmp(op, "power"))
		v->fail_power = true;
	else
		return simerr_set(&r->err, "value", "op", op,
		                  "op must be install or power");
	xbuf_flag(&r->out, "ok");
	return 0;
}

static int c_state_server(sim *s, simreq *r)
{
	int loc;
	server *v = ctl_server(s, r, &loc);
	if (!v)
		return -1;
	static const char *const ops[] = {"none", "poweron", "poweroff",
	                                  "reboot", "install"};
	static const char *const pw[] = {"off", "on", "error"};
	xbuf *b = &r->out;
	xbuf_addf(b, "<server><dc>%d</dc><id>%u</id>", loc, v->id);
	xbuf_elem(b, "name", v->name);
	xbuf_elem(b, "hostname", v->hostname);
	if (v->owner)
		xbuf_elem(b, "owner", v->owner);
	xbuf_elem(b, "type", s->types[v->type]);
	xbuf_addf(b, "<ram>%u</ram>", v->ram);
	xbuf_elem(b, "power", pw[v->power]);
	xbuf_elem(b, "operation", ops[v->op]);
	if (v->op != OP_NONE) {
		xbuf_addf(b, "<operation_done>%.3f</operation_done>",
		          v->op_done);
		xbuf_elem(b, "operation_will_fail", v->op_fail ? "on" : "off");
	}
	xbuf_elem(b, "os", v->os ? v->os : "");
	if (v->rootpw)
		xbuf_elem(b, "root_password", v->rootpw);
	xbuf_elem(b, "notes", v->notes);
	if (server_is_free(v))
		xbuf_flag(b, "free");
	for (size_t i = 0; i < sizeof(flag_names) / sizeof(*flag_names); i++)
		if (v->flags & flag_names[i].bit)
			xbuf_flag(b, flag_names[i].name);
	if (v->flags & SRV_INSTALL)
		xbuf_flag(b, "install_in_progress");
	xbuf_adds(b, "<addresses>");
	for (unsigned i = 0; i < v->naddrs; i++) {
		char a[IPA_STRLEN];
		xbuf_addf(b, "<elem><id>%u</id>", v->addrs[i].id);
		xbuf_elem(b, "ip", ipa_format(&v->addrs[i].rec->a, a));
		xbuf_elem(b, "iptype", v->addrs[i].rec->net->type->name);
		if (v->addrs[i].main)
			xbuf_flag(b, "main");
		xbuf_adds(b, "</elem>");
	}
	xbuf_adds(b, "</addresses><connections>");
	for (int k = 0; k < CONN_COUNT; k++) {
		xbuf_addf(b, "<elem><type>%s</type><speed>%u</speed>",
		          server_conn_kind(k), v->conn[k].speed);
		xbuf_elem(b, "state", v->conn[k].on ? "on" : "off");
		if (v->conn[k].busy)
			xbuf_flag(b, "func_in_progress");
		xbuf_adds(b, "</elem>");
	}
	xbuf_adds(b, "</connections></server>");
	return 0;
}

static int c_state_counts(sim *s, simreq *r)
{
	long long dc;
	const char *tf = req_str(r, "type");
	if (req_long(r, "dc", 0, s->nlocs, 0, &dc) < 0)
		return -1;
	if (*tf && sim_type_index(s, tf) < 0)
		return simerr_set(&r->err, "missed", "type", tf,
		                  "no server type '%s'", tf);
	for (int l = 1; l <= s->nlocs; l++) {
		if (dc && l != dc)
			continue;
		location *lp = sim_loc(s, l);
		for (int t = 0; t < s->ntypes; t++) {
			if (*tf && strcmp(tf, s->types[t]))
				continue;
			unsigned total = 0, fr = 0, owned = 0;
			for (unsigned i = 0; i < lp->nservers; i++) {
				const server *v = &lp->servers[i];
				if (v->type != t)
					continue;
				total++;
				fr += server_is_free(v);
				owned += v->owner != NULL;
			}
			xbuf_addf(&r->out, "<elem><dc>%d</dc>", l);
			xbuf_elem(&r->out, "type", s->types[t]);
			xbuf_addf(&r->out,
			          "<total>%u</total><free>%u</free>"
			          "<owned>%u</owned></elem>",
			          total, fr, owned);
		}
	}
	return 0;
}

static int c_ip_count(sim *s, simreq *r)
{
	const char *tf = req_str(r, "type");
	if (*tf && !ippool_type(&s->ip, tf))
		return simerr_set(&r->err, "missed", "iptype", tf,
		                  "no address type '%s'", tf);
	for (size_t i = 0; i < s->ip.ntypes; i++) {
		const iptype *t = s->ip.typev[i];
		if (*tf && strcmp(tf, t->name))
			continue;
		uint64_t fr, used;
		ippool_type_counts(t, 0, &fr, &used);
		xbuf_adds(&r->out, "<elem>");
		xbuf_elem(&r->out, "type", t->name);
		xbuf_addf(&r->out, "<free>%llu</free><used>%llu</used></elem>",
		          (unsigned long long)fr, (unsigned long long)used);
	}
	return 0;
}

static int c_ip_take(sim *s, simreq *r)
{
	const char *tf = req_str(r, "type");
	iptype *t = ippool_type(&s->ip, tf);
	long long count;
	if (!t)
		return simerr_set(&r->err, "missed", "iptype", tf,
		                  "no address type '%s'", tf);
	if (req_long(r, "count", 1, 100000000, 100000000, &count) < 0)
		return -1;
	long long n = 0;
	simerr e;
	for (; n < count; n++) {
		iprec *rec = ippool_alloc(&s->ip, t, 0, &e);
		if (!rec)
			break;
		sim_setstr(&rec->note, "taken by simctl");
	}
	xbuf_addf(&r->out, "<taken>%lld</taken>", n);
	return 0;
}

static int c_stat_truth(sim *s, simreq *r)
{
	int loc;
	server *v = ctl_server(s, r, &loc);
	long long b, e;
	if (!v)
		return -1;
	long long now = (long long)floor(sim_now(s));
	if (req_long(r, "begin", 0, 32503680000LL, now - 86400, &b) < 0 ||
	    req_long(r, "end", 0, 32503680000LL, now, &e) < 0)
		return -1;
	if (e < b || e - b > 400LL * 86400)
		return simerr_set(&r->err, "value", "end", req_str(r, "end"),
		                  "end must be after begin, within 400 days");
	stats_summary sum;
	stats_summarize(s->o.seed, loc, v->id, b, e, now, &sum);
	xbuf_addf(
	    &r->out,
	    "<expected>%llu</expected><present>%llu</present>"
	    "<sum_in>%llu</sum_in><sum_out>%llu</sum_out>"
	    "<burst_in>%.6f</burst_in><burst_out>%.6f</burst_out>"
	    "<burst_in_kib>%llu</burst_in_kib>"
	    "<burst_out_kib>%llu</burst_out_kib>"
	    "<coverage>%.6f</coverage><power_mean>%.3f</power_mean>",
	    (unsigned long long)sum.expected, (unsigned long long)sum.present,
	    (unsigned long long)sum.sum_in, (unsigned long long)sum.sum_out,
	    sum.burst_in, sum.burst_out, (unsigned long long)sum.burst_in_kib,
	    (unsigned long long)sum.burst_out_kib,
	    sum.expected ? (double)sum.present / (double)sum.expected : 0.0,
	    sum.power_mean);
	return 0;
}

static int c_stat_bucket(sim *s, simreq *r)
{
	int loc;
	server *v = ctl_server(s, r, &loc);
	long long t;
	if (!v || req_long(r, "time", 0, 32503680000LL, 0, &t) < 0)
		return -1;
	stats_bucket b;
	t -= t % STATS_BUCKET;
	stats_bucket_at(s->o.seed, loc, v->id, t, &b);
	xbuf_addf(&r->out, "<time>%lld</time>", t);
	if (b.present)
		xbuf_addf(&r->out,
		          "<present/><in>%llu</in><out>%llu</out>"
		          "<power>%u</power>",
		          (unsigned long long)b.in, (unsigned long long)b.out,
		          b.power);
	return 0;
}

static int c_session_expire(sim *s, simreq *r)
{
	const char *u = req_str(r, "user");
	size_t n = sim_sessions_drop_all(s, *u ? u : NULL, PANEL_ANY, 0);
	xbuf_addf(&r->out, "<expired>%zu</expired>", n);
	return 0;
}

static int c_calls(sim *s, simreq *r)
{
	for (size_t i = 0; i < s->ncalls; i++) {
		xbuf_adds(&r->out, "<elem>");
		xbuf_elem(&r->out, "name", s->callv[i]->key);
		xbuf_addf(&r->out, "<count>%lu</count></elem>", s->callv[i]->n);
	}
	xbuf_addf(&r->out, "<requests>%lu</requests>", s->requests);
	if (req_on(r, "reset")) {
		for (size_t i = 0; i < s->ncalls; i++)
			s->callv[i]->n = 0;
		s->requests = 0;
	}
	return 0;
}

static int c_state_licences(sim *s, simreq *r)
{
	static const char *const st[] = {"active", "suspended", "deleted"};
	for (size_t i = 0; i < s->nlic; i++) {
		const licence *l = s->lic[i];
		xbuf_addf(&r->out, "<elem><id>%u</id>", l->id);
		xbuf_elem(&r->out, "pricelist", s->pricelists[l->pricelist]);
		xbuf_elem(&r->out, "ip", l->ip);
		xbuf_elem(&r->out, "status", st[l->status]);
		xbuf_adds(&r->out, "</elem>");
	}
	return 0;
}

static int c_help(sim *s, simreq *r);

static const struct {
	const char *name;
	int (*fn)(sim *, simreq *);
	const char *args;
} ctl[] = {
    {"help", c_help, ""},
    {"fault.set", c_fault_set, "target dc func_name kind arg count act"},
    {"fault.list", c_fault_list, ""},
    {"fault.clear", c_fault_clear, "[id]"},
    {"fault.random", c_fault_random, "rate seed kinds"},
    {"clock.get", c_clock_get, ""},
    {"clock.set", c_clock_set, "time"},
    {"clock.advance", c_clock_advance, "seconds"},
    {"server.take", c_server_take, "dc elid owner hostname"},
    {"server.free", c_server_free, "dc elid"},
    {"server.set", c_server_set, "dc elid flag value"},
    {"server.failnext", c_server_failnext, "dc elid op"},
    {"state.server", c_state_server, "dc elid"},
    {"state.counts", c_state_counts, "[dc] [type]"},
    {"state.licences", c_state_licences, ""},
    {"ip.count", c_ip_count, "[type]"},
    {"ip.take", c_ip_take, "type [count]"},
    {"stat.truth", c_stat_truth, "dc elid begin end"},
    {"stat.bucket", c_stat_bucket, "dc elid time"},
    {"session.expire", c_session_expire, "[user]"},
    {"calls", c_calls, "[reset=on]"},
};

static int c_help(sim *s, simreq *r)
{
	(void)s;
	for (size_t i = 0; i < sizeof(ctl) / sizeof(*ctl); i++) {
		xbuf_adds(&r->out, "<elem>");
		xbuf_elem(&r->out, "name", ctl[i].name);
		xbuf_elem(&r->out, "args", ctl[i].args);
		xbuf_adds(&r->out, "</elem>");
	}
	return 0;
}

int simctl_call(sim *s, simreq *r)
{
	const char *fn = *r->func ? r->func : "help";
	for (size_t i = 0; i < sizeof(ctl) / sizeof(*ctl); i++)
		if (!strcmp(ctl[i].name, fn))
			return ctl[i].fn(s, r);
	return simerr_set(&r->err, "missed", "func", fn,
	                  "unknown simctl function '%s' (func=help lists them)",
	                  fn);
}
