/* test_engine_fixture.h - what the engine tests share: a dcisim with fast
 * install and power, a store with the simulator's panels as modules, a
 * licence server, every kind of add-on and a tariff using them all, an
 * engine with short delays, and the simulator's ground truth (servers,
 * address counts per type, licences) through simctl.
 *
 * Header-only (static functions); include after cmocka.h. Builds on
 * test_tariff_fixture.h (dcisim + store + modules). */
#ifndef TEST_ENGINE_FIXTURE_H
#define TEST_ENGINE_FIXTURE_H

#define FX_FAIL(...) fail_msg(__VA_ARGS__)
#include "test_tariff_fixture.h"

#include "engine.h"
#include "reconcile.h"
#include "service.h"
#include "task.h"

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <time.h>

#define EF_CHECK(call)                                                         \
	do {                                                                   \
		dc_err e_;                                                     \
		err_clear(&e_);                                                \
		if ((call) < 0) {                                              \
			char l_[1024];                                         \
			fail_msg("%s: %s", #call,                              \
			         err_line(&e_, l_, sizeof(l_)));               \
		}                                                              \
	} while (0)

/* EF_TRACE=1 in the environment prints every step as it happens. */
static inline void ef_trace(void *user, const engine_progress *p)
{
	(void)user;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	fprintf(stderr, "%ld.%03ld op %lld %s%s step %s %s: %s\n",
	        (long)ts.tv_sec % 1000, ts.tv_nsec / 1000000,
	        (long long)p->op_id, op_kind_name(p->kind),
	        p->rollback ? " (rollback)" : "", p->step_name,
	        step_state_name(p->state), p->msg);
}

typedef struct ef_world {
	fx_world w;
	int64_t licsrv_id;
	int64_t tariff_id;
	char tariff[64];
	char type[64];
	engine_opts eo;
} ef_world;

static inline void ef_addon(ef_world *x, const char *name, const char *kind,
                            const char *billing, const char *values,
                            const char *range)
{
	dc_addon a;
	memset(&a, 0, sizeof(a));
	snprintf(a.name, sizeof(a.name), "%s", name);
	snprintf(a.kind, sizeof(a.kind), "%s", kind);
	dc_err e;
	if (model_parse_addon_kind(kind, &a.kind_id, a.iptype, &e) ||
	    model_parse_billing(billing, &a.v.billing, &e) ||
	    model_addon_values_parse(a.kind_id, a.v.billing, values, range,
	                             &a.v, &e) ||
	    addon_add(x->w.st, &a, &e))
		fail_msg("add-on %s: %s", name, e.msg);
}

/* The tariff "DS" of `type` on every module with every add-on kind. */
static inline void ef_tariff(ef_world *x, const char *name, const char *type)
{
	dc_tariff t;
	memset(&t, 0, sizeof(t));
	snprintf(t.name, sizeof(t.name), "%s", name);
	snprintf(t.server_type, sizeof(t.server_type), "%s", type);
	t.enabled = true;
	for (int i = 0; i < x->w.nmod; i++)
		t.modules[t.nmodules++] = x->w.module_id[i];
	static const char *const names[] = {
	    "ram",       "os",
	    "ns",        "panel",
	    "portspeed", "traffic",
	    "ipv4",      "ipv4_private",
	    "ipv6",      "special_ip_block_guardvlan9",
	};
	dc_err e;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		dc_addon a;
		if (addon_get_by_name(x->w.st, names[i], &a, &e))
			fail_msg("add-on %s: %s", names[i], e.msg);
		t.addons[t.naddons++].addon_id = a.id;
	}
	if (tariff_add(x->w.st, &t, &e))
		fail_msg("tariff_add: %s", e.msg);
	x->tariff_id = t.id;
	snprintf(x->tariff, sizeof(x->tariff), "%s", name);
	snprintf(x->type, sizeof(x->type), "%s", type);
}

/* simargs: extra dcisim arguments (NULL-terminated, may be NULL); fast
 * operations are always asked for. */
static inline int ef_start(ef_world *x, const char *const *simargs)
{
	const char *args[64];
	size_t n = 0;
	static const char *const fast[] = {
	    "--install-seconds", "0", "--power-seconds",    "0",
	    "--switch-seconds",  "0", "--flagged-fraction", "0",
	};
	for (size_t i = 0; i < sizeof(fast) / sizeof(fast[0]); i++)
		args[n++] = fast[i];
	for (size_t i = 0; simargs && simargs[i] && n < 62; i++)
		args[n++] = simargs[i];
	args[n] = NULL;
	memset(x, 0, sizeof(*x));
	dc_err e;
	if (panel_lib_init(&e) < 0)
		return -1;
	if (fx_world_start(&x->w, args) < 0)
		return -1;
	dc_conn c;
	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "licences");
	snprintf(c.url, sizeof(c.url), "%s", x->w.sim.billmgr);
	snprintf(c.username, sizeof(c.username), "admin");
	if (licsrv_add(x->w.st, &c, "admin", &e))
		fail_msg("licsrv_add: %s", e.msg);
	x->licsrv_id = c.id;
	for (int i = 0; i < x->w.nmod; i++) {
		dc_module m;
		if (module_get(x->w.st, x->w.module_id[i], &m, &e))
			fail_msg("module_get: %s", e.msg);
		m.licsrv_id = c.id;
		if (module_update(x->w.st, &m, NULL, &e))
			fail_msg("module_update: %s", e.msg);
	}
	ef_addon(x, "ram", "ram", "client", "4096,8192,16384", NULL);
	ef_addon(x, "os", "os", "client", "Debian-12-amd64,CentOS-7-amd64",
	         NULL);
	ef_addon(x, "ns", "ns", "included", "8.8.8.8 1.1.1.1", NULL);
	ef_addon(x, "panel", "panel", "included", "ISPmanager-Lite", NULL);
	ef_addon(x, "portspeed", "portspeed", "included", "100", NULL);
	ef_addon(x, "traffic", "traffic", "included", "1000", NULL);
	ef_addon(x, "ipv4", "ipv4_public", "client", NULL, "0..8");
	ef_addon(x, "ipv4_private", "ipv4_private", "client", NULL, "0..4");
	ef_addon(x, "ipv6", "ipv6", "client", NULL, "0..4");
	ef_addon(x, "special_ip_block_guardvlan9",
	         "special_ip_block_guardvlan9", "none", "2", NULL);
	ef_tariff(x, "DS", "ds-small");
	engine_opts_default(&x->eo);
	x->eo.backoff_ms = 1;
	x->eo.backoff_max_ms = 5;
	x->eo.poll_ms = 5;
	x->eo.claim_settle_ms = 0;
	x->eo.install_timeout_ms = 20000;
	x->eo.power_timeout_ms = 20000;
	x->eo.http_timeout_ms = 20000;
	if (getenv("EF_TRACE"))
		x->eo.progress = ef_trace;
	return 0;
}

static inline void ef_stop(ef_world *x)
{
	fx_world_stop(&x->w);
	panel_lib_cleanup();
}

static inline engine *ef_engine(ef_world *x)
{
	dc_err e;
	engine *g = engine_new(x->w.st, &x->eo, &e);
	if (!g)
		fail_msg("engine_new: %s", e.msg);
	return g;
}

/* ---- ground truth ----------------------------------------------------- */

typedef struct ef_srv {
	char owner[64], hostname[256], notes[128], type[64], power[16];
	bool isfree;
	int naddr;
	char ip[16][64], iptype[16][64];
	bool main[16];
	char switch_state[8];
	long switch_speed;
} ef_srv;

static inline void ef_xstr(xmlXPathContextPtr x, const char *expr, char *out,
                           size_t len)
{
	xmlXPathObjectPtr r = xmlXPathEvalExpression((const xmlChar *)expr, x);
	xmlChar *s = r ? xmlXPathCastToString(r) : NULL;
	snprintf(out, len, "%s", s ? (const char *)s : "");
	xmlFree(s);
	xmlXPathFreeObject(r);
}

static inline double ef_xnum(xmlXPathContextPtr x, const char *expr)
{
	xmlXPathObjectPtr r = xmlXPathEvalExpression((const xmlChar *)expr, x);
	double v = r ? xmlXPathCastToNumber(r) : -1;
	xmlXPathFreeObject(r);
	return v;
}

static inline void ef_server(ef_world *x, int dc, long id, ef_srv *out)
{
	char body[128], *ans = NULL;
	snprintf(body, sizeof(body), "func=state.server&dc=%d&elid=%ld", dc,
	         id);
	if (simproc_ctl(&x->w.sim, body, &ans) < 0)
		fail_msg("simctl %s failed", body);
	xmlDocPtr d = xmlReadMemory(ans, (int)strlen(ans), "s.xml", NULL,
	                            XML_PARSE_NONET | XML_PARSE_NOBLANKS);
	free(ans);
	if (!d)
		fail_msg("simctl %s: unreadable", body);
	xmlXPathContextPtr c = xmlXPathNewContext(d);
	memset(out, 0, sizeof(*out));
	ef_xstr(c, "string(/doc/server/owner)", out->owner, sizeof(out->owner));
	ef_xstr(c, "string(/doc/server/hostname)", out->hostname,
	        sizeof(out->hostname));
	ef_xstr(c, "string(/doc/server/notes)", out->notes, sizeof(out->notes));
	ef_xstr(c, "string(/doc/server/type)", out->type, sizeof(out->type));
	ef_xstr(c, "string(/doc/server/power)", out->power, sizeof(out->power));
	out->isfree = ef_xnum(c, "count(/doc/server/free)") > 0;
	out->naddr = (int)ef_xnum(c, "count(/doc/server/addresses/elem)");
	if (out->naddr > 16)
		out->naddr = 16;
	for (int i = 0; i < out->naddr; i++) {
		char e[128];
		snprintf(e, sizeof(e),
		         "string(/doc/server/addresses/elem[%d]/ip)", i + 1);
		ef_xstr(c, e, out->ip[i], sizeof(out->ip[i]));
		snprintf(e, sizeof(e),
		         "string(/doc/server/addresses/elem[%d]/iptype)",
		         i + 1);
		ef_xstr(c, e, out->iptype[i], sizeof(out->iptype[i]));
		snprintf(e, sizeof(e),
		         "count(/doc/server/addresses/elem[%d]/main)", i + 1);
		out->main[i] = ef_xnum(c, e) > 0;
	}
	ef_xstr(c, "string(/doc/server/connections/elem[type='Switch']/state)",
	        out->switch_state, sizeof(out->switch_state));
	out->switch_speed = (long)ef_xnum(
	    c, "number(/doc/server/connections/elem[type='Switch']/speed)");
	xmlXPathFreeContext(c);
	xmlFreeDoc(d);
}

/* Addresses of a type in use in IPmanager (allocated). */
static inline long ef_ip_used(ef_world *x, const char *type)
{
	xml_doc *d = fx_ctl(&x->w, "func=ip.count&type=%s", type);
	long used = -1;
	for (size_t i = 0; i < d->nrows; i++)
		used = atol(xml_row_get(&d->rows[i], "used"));
	xml_doc_free(d);
	return used;
}

#define EF_NTYPES 5
static const char *const ef_types[EF_NTYPES] = {"public", "private", "ipv6",
                                                "guardvlan9", "parking"};

static inline void ef_ip_snapshot(ef_world *x, long used[EF_NTYPES])
{
	for (int i = 0; i < EF_NTYPES; i++)
		used[i] = ef_ip_used(x, ef_types[i]);
}

/* Live licences (active or suspended) for an address. */
static inline int ef_licences_for(ef_world *x, const char *ip)
{
	xml_doc *d = fx_ctl(&x->w, "func=state.licences");
	int n = 0;
	for (size_t i = 0; i < d->nrows; i++) {
		const char *a = xml_row_get(&d->rows[i], "ip");
		const char *s = xml_row_get(&d->rows[i], "status");
		if (a && !strcmp(a, ip) && s && strcmp(s, "deleted"))
			n++;
	}
	xml_doc_free(d);
	return n;
}

/* Which location (1-based) a module id is. */
static inline int ef_dc_of(ef_world *x, int64_t module_id)
{
	for (int i = 0; i < x->w.nmod; i++)
		if (x->w.module_id[i] == module_id)
			return i + 1;
	fail_msg("no module %lld", (long long)module_id);
	return 0;
}

/* A fault rule at simctl; count -1 = until cleared. */
static inline void ef_fault(ef_world *x, const char *target, const char *func,
                            const char *kind, const char *arg, long count)
{
	xml_doc_free(fx_ctl(&x->w,
	                    "func=fault.set&target=%s&func_name=%s&kind=%s"
	                    "&arg=%s&count=%ld",
	                    target, func, kind, arg ? arg : "", count));
}

static inline void ef_faults_clear(ef_world *x)
{
	xml_doc_free(fx_ctl(&x->w, "func=fault.clear"));
}

/* Drift reported by reconcile (no fixes). */
static inline size_t ef_drift(ef_world *x, engine *g, char *first, size_t len)
{
	rec_item *v = NULL;
	size_t n = 0;
	dc_err e;
	if (reconcile_run(g, false, &v, &n, &e))
		fail_msg("reconcile: %s", e.msg);
	if (first && len)
		snprintf(first, len, "%s", n ? v[0].detail : "");
	free(v);
	(void)x;
	return n;
}

/* Opens one service of the fixture's tariff with every add-on in use. */
static inline int64_t ef_open(ef_world *x, engine *g, const char *client,
                              int64_t *op_id)
{
	static const engine_choice ch[] = {
	    {"ram", "4096"}, {"os", "Debian-12-amd64"},
	    {"ipv4", "2"},   {"ipv4_private", "1"},
	    {"ipv6", "2"},
	};
	engine_open_req r = {
	    .tariff = x->tariff,
	    .client = client,
	    .choices = ch,
	    .nchoices = sizeof(ch) / sizeof(ch[0]),
	};
	int64_t sid = 0;
	EF_CHECK(engine_open(g, &r, &sid, op_id, &e_));
	return sid;
}

static inline long ef_open_tasks(ef_world *x, int64_t op_id)
{
	dc_task *t = NULL;
	size_t n = 0;
	dc_err e;
	if (task_list(x->w.st, false, &t, &n, &e))
		fail_msg("task_list: %s", e.msg);
	long k = 0;
	for (size_t i = 0; i < n; i++)
		k += t[i].op_id == op_id;
	free(t);
	return k;
}

#endif
