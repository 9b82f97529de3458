/* test_engine.c - the provisioning engine against dcisim: open a service
 * with every add-on kind and close it again (the server free with a parking
 * main address, every other address back in IPmanager, the licence gone),
 * suspend/resume/reinstall, orders refused with nothing written, retryable
 * faults retried (also when the panel acted but the answer was lost), no
 * free server refused cleanly, and fall-through to the next module. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_engine_fixture.h"

#include "dci.h"
#include "ipm.h"

static ef_world X;

static int setup(void **state)
{
	(void)state;
	const char *args[] = {"--locations", "2", "--servers", "40",
	                      "--seed",      "3", NULL};
	return ef_start(&X, args);
}

static int teardown(void **state)
{
	(void)state;
	ef_stop(&X);
	return 0;
}

static dc_service get_svc(int64_t id)
{
	dc_service s;
	EF_CHECK(service_get(X.w.st, id, &s, &e_));
	return s;
}

static dc_operation get_op(int64_t id)
{
	dc_operation o;
	EF_CHECK(operation_get(X.w.st, id, &o, &e_));
	return o;
}

static size_t count_rows(const char *table)
{
	char sql[128];
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	sqlite3_stmt *s = NULL;
	assert_int_equal(
	    sqlite3_prepare_v2(store_db(X.w.st), sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	size_t n = (size_t)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* Checks a service that is active: the server as the simulator sees it. */
static void check_active(int64_t sid, const char *client)
{
	dc_service s = get_svc(sid);
	assert_int_equal(s.status, SVC_ACTIVE);
	assert_true(s.server_id > 0);
	ef_srv v;
	ef_server(&X, ef_dc_of(&X, s.module_id), (long)s.server_id, &v);
	assert_string_equal(v.owner, client);
	assert_string_equal(v.hostname, s.hostname);
	assert_string_equal(v.power, "on");
	assert_string_equal(v.switch_state, "on");
	assert_int_equal(v.switch_speed, 100);
	svc_addr *a = NULL;
	size_t n = 0;
	EF_CHECK(service_addrs(X.w.st, sid, &a, &n, &e_));
	/* main + 2 public + 1 private + 2 ipv6 + 2 guardvlan9 */
	assert_int_equal(n, 8);
	assert_int_equal(v.naddr, 8);
	int mains = 0;
	for (size_t i = 0; i < n; i++) {
		bool found = false;
		for (int k = 0; k < v.naddr; k++)
			if (!strcmp(v.ip[k], a[i].ip)) {
				found = true;
				assert_string_equal(v.iptype[k], a[i].iptype);
				assert_int_equal(v.main[k], a[i].main);
			}
		assert_true(found);
		mains += a[i].main;
		if (a[i].main) {
			assert_int_equal(a[i].role, SVC_ROLE_MAIN);
			assert_string_equal(a[i].iptype, "public");
			assert_int_equal(ef_licences_for(&X, a[i].ip), 1);
		}
	}
	assert_int_equal(mains, 1);
	for (int k = 0; k < v.naddr; k++)
		assert_string_not_equal(v.iptype[k], "parking");
	free(a);
	assert_true(s.licence_id[0] != '\0');
}

static void check_free(int dc, long server_id)
{
	ef_srv v;
	ef_server(&X, dc, server_id, &v);
	assert_true(v.isfree);
	assert_string_equal(v.owner, "");
	assert_string_equal(v.hostname, "free.ds");
	assert_string_equal(v.notes, "");
	assert_int_equal(v.naddr, 1);
	assert_string_equal(v.iptype[0], "parking");
	assert_true(v.main[0]);
}

static void test_open_close_every_addon(void **state)
{
	(void)state;
	long before[EF_NTYPES], after[EF_NTYPES];
	ef_ip_snapshot(&X, before);
	engine *g = ef_engine(&X);
	int64_t op;
	int64_t sid = ef_open(&X, g, "acme", &op);
	assert_int_equal(get_svc(sid).status, SVC_OPENING);
	EF_CHECK(engine_run(g, op, &e_));
	dc_operation o = get_op(op);
	assert_int_equal(o.state, OPS_DONE);
	for (size_t i = 0; i < o.nsteps; i++)
		assert_int_equal(o.steps[i].state, STEP_DONE);
	check_active(sid, "acme");
	/* The addresses the service holds came out of IPmanager; the free
	 * server's parking address went back. */
	long mid[EF_NTYPES];
	ef_ip_snapshot(&X, mid);
	assert_int_equal(mid[0], before[0] + 3);
	assert_int_equal(mid[1], before[1] + 1);
	assert_int_equal(mid[2], before[2] + 2);
	assert_int_equal(mid[3], before[3] + 2);
	assert_int_equal(mid[4], before[4] - 1);
	char first[512];
	assert_int_equal(ef_drift(&X, g, first, sizeof(first)), 0);

	dc_service s = get_svc(sid);
	svc_addr *held = NULL;
	size_t nheld = 0;
	EF_CHECK(service_addrs(X.w.st, sid, &held, &nheld, &e_));
	int64_t cop;
	EF_CHECK(engine_start(g, OPK_CLOSE, sid, NULL, &cop, &e_));
	assert_int_equal(get_svc(sid).status, SVC_CLOSING);
	EF_CHECK(engine_run(g, cop, &e_));
	assert_int_equal(get_op(cop).state, OPS_DONE);
	dc_service c = get_svc(sid);
	assert_int_equal(c.status, SVC_CLOSED);
	assert_true(c.closed_at > 0);
	check_free(ef_dc_of(&X, s.module_id), (long)s.server_id);
	ef_ip_snapshot(&X, after);
	for (int i = 0; i < EF_NTYPES; i++)
		assert_int_equal(after[i], before[i]);
	/* Every address the service had is free in IPmanager again. */
	xml_doc *d = fx_ctl(&X.w, "func=state.licences");
	xml_doc_free(d);
	for (size_t i = 0; i < nheld; i++)
		if (held[i].main)
			assert_int_equal(ef_licences_for(&X, held[i].ip), 0);
	free(held);
	size_t naddr = 0;
	svc_addr *left = NULL;
	EF_CHECK(service_addrs(X.w.st, sid, &left, &naddr, &e_));
	assert_int_equal(naddr, 0);
	free(left);
	assert_int_equal(ef_drift(&X, g, first, sizeof(first)), 0);

	/* The history tells the story. */
	svc_event *ev = NULL;
	size_t nev = 0;
	EF_CHECK(service_events(X.w.st, sid, &ev, &nev, &e_));
	assert_true(nev >= 10);
	assert_non_null(strstr(ev[0].text, "open ordered"));
	assert_non_null(strstr(ev[nev - 1].text, "close done"));
	free(ev);
	engine_free(g);
}

static void test_suspend_resume_reinstall(void **state)
{
	(void)state;
	engine *g = ef_engine(&X);
	int64_t op;
	int64_t sid = ef_open(&X, g, "bob", &op);
	EF_CHECK(engine_run(g, op, &e_));
	dc_service s = get_svc(sid);
	int dc = ef_dc_of(&X, s.module_id);

	/* Resume is refused while active, suspend is not. */
	dc_err e;
	assert_int_equal(engine_start(g, OPK_RESUME, sid, NULL, &op, &e), -1);
	assert_int_equal(e.cat, DC_E_CONFLICT);
	EF_CHECK(engine_start(g, OPK_SUSPEND, sid, NULL, &op, &e_));
	/* One operation at a time. */
	assert_int_equal(engine_start(g, OPK_CLOSE, sid, NULL, &op, &e), -1);
	assert_non_null(strstr(e.msg, "suspend"));
	EF_CHECK(engine_run(g, op, &e_));
	assert_int_equal(get_svc(sid).status, SVC_SUSPENDED);
	ef_srv v;
	ef_server(&X, dc, (long)s.server_id, &v);
	assert_string_equal(v.switch_state, "off");
	xml_doc *d = fx_ctl(&X.w, "func=state.server&dc=%d&elid=%lld", dc,
	                    (long long)s.server_id);
	xml_doc_free(d);

	EF_CHECK(engine_start(g, OPK_RESUME, sid, NULL, &op, &e_));
	EF_CHECK(engine_run(g, op, &e_));
	assert_int_equal(get_svc(sid).status, SVC_ACTIVE);
	ef_server(&X, dc, (long)s.server_id, &v);
	assert_string_equal(v.switch_state, "on");

	/* Reinstall with another OS keeps the addresses. */
	svc_addr *a1 = NULL, *a2 = NULL;
	size_t n1 = 0, n2 = 0;
	EF_CHECK(service_addrs(X.w.st, sid, &a1, &n1, &e_));
	assert_int_equal(
	    engine_start(g, OPK_REINSTALL, sid, "no such os!", &op, &e), -1);
	assert_string_equal(e.field, "os");
	EF_CHECK(
	    engine_start(g, OPK_REINSTALL, sid, "CentOS-7-amd64", &op, &e_));
	EF_CHECK(engine_run(g, op, &e_));
	assert_int_equal(get_svc(sid).status, SVC_ACTIVE);
	dc_service r = get_svc(sid);
	assert_string_equal(service_addon_value(&r, "os"), "CentOS-7-amd64");
	EF_CHECK(service_addrs(X.w.st, sid, &a2, &n2, &e_));
	assert_int_equal(n1, n2);
	for (size_t i = 0; i < n1; i++)
		assert_string_equal(a1[i].ip, a2[i].ip);
	free(a1);
	free(a2);
	check_active(sid, "bob");

	EF_CHECK(engine_start(g, OPK_CLOSE, sid, NULL, &op, &e_));
	EF_CHECK(engine_run(g, op, &e_));
	check_free(dc, (long)s.server_id);
	engine_free(g);
}

static void test_bad_orders_write_nothing(void **state)
{
	(void)state;
	engine *g = ef_engine(&X);
	size_t svc0 = count_rows("service"), op0 = count_rows("operation");
	int64_t sid, op;
	dc_err e;
	struct {
		const char *tariff, *client, *host;
		engine_choice ch;
		const char *field;
	} bad[] = {
	    {"nope", "acme", NULL, {NULL, NULL}, "tariff"},
	    {"", "acme", NULL, {NULL, NULL}, "tariff"},
	    {"DS", "", NULL, {NULL, NULL}, "client"},
	    {"DS", "a b", NULL, {NULL, NULL}, "client"},
	    {"DS", "acme", "bad_host!", {NULL, NULL}, "hostname"},
	    {"DS", "acme", NULL, {"colour", "red"}, "addon"},
	    {"DS", "acme", NULL, {"ram", "1234"}, "ram"},
	    {"DS", "acme", NULL, {"ipv4", "9"}, "ipv4"},
	    {"DS", "acme", NULL, {"os", "Windows"}, "os"},
	    {"DS", "acme", NULL, {"panel", "ISPmanager-Pro"}, "panel"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		engine_open_req r = {
		    .tariff = bad[i].tariff,
		    .client = bad[i].client,
		    .hostname = bad[i].host,
		    .choices = bad[i].ch.name ? &bad[i].ch : NULL,
		    .nchoices = bad[i].ch.name ? 1 : 0,
		};
		err_clear(&e);
		assert_int_equal(engine_open(g, &r, &sid, &op, &e), -1);
		assert_int_equal(e.cat, DC_E_INVALID);
		if (strcmp(e.field, bad[i].field))
			fail_msg("case %zu: field %s, want %s (%s)", i, e.field,
			         bad[i].field, e.msg);
	}
	/* A disabled tariff cannot be ordered. */
	EF_CHECK(tariff_set_enabled(X.w.st, X.tariff_id, false, &e_));
	engine_open_req r = {.tariff = "DS", .client = "acme"};
	assert_int_equal(engine_open(g, &r, &sid, &op, &e), -1);
	assert_string_equal(e.field, "tariff");
	assert_non_null(strstr(e.msg, "disabled"));
	EF_CHECK(tariff_set_enabled(X.w.st, X.tariff_id, true, &e_));
	assert_int_equal(count_rows("service"), svc0);
	assert_int_equal(count_rows("operation"), op0);
	/* Operations on a service that does not exist. */
	assert_int_equal(engine_start(g, OPK_CLOSE, 999999, NULL, &op, &e), -1);
	assert_int_equal(e.cat, DC_E_NOTFOUND);
	engine_free(g);
}

/* The panel fails in ways a retry can fix, also after it acted (a reset
 * after the address was allocated): the operation still ends done, the
 * step shows the extra attempts, and nothing leaks. */
static void test_retryable_faults(void **state)
{
	(void)state;
	long before[EF_NTYPES], after[EF_NTYPES];
	ef_ip_snapshot(&X, before);
	engine *g = ef_engine(&X);
	int64_t op;
	int64_t sid = ef_open(&X, g, "carol", &op);
	ef_fault(&X, "ipmgr", "ip.edit", "reset", NULL, 2);
	ef_fault(&X, "dcimgr", "iplist.edit", "truncate", NULL, 1);
	ef_fault(&X, "billmgr", "soft.order.param", "reset", NULL, 1);
	ef_fault(&X, "dcimgr", "server.operations", "http500", NULL, 1);
	EF_CHECK(engine_run(g, op, &e_));
	ef_faults_clear(&X);
	dc_operation o = get_op(op);
	assert_int_equal(o.state, OPS_DONE);
	/* Every fault on an unsafe call costs its step one attempt: the
	 * transport never re-sends those (each acted, the next attempt
	 * reads the effect back); http500 acts not, it is simply retried. */
	assert_int_equal(o.steps[1].attempts, 3); /* allocate: reset x2 */
	assert_int_equal(o.steps[2].attempts, 2); /* attach: truncate */
	assert_int_equal(o.steps[4].attempts, 2); /* licence: reset */
	assert_int_equal(o.steps[5].attempts, 2); /* install: http500 */
	check_active(sid, "carol");
	char first[512];
	assert_int_equal(ef_drift(&X, g, first, sizeof(first)), 0);
	int64_t cop;
	EF_CHECK(engine_start(g, OPK_CLOSE, sid, NULL, &cop, &e_));
	ef_fault(&X, "ipmgr", "ip.delete", "reset", NULL, 2);
	ef_fault(&X, "dcimgr", "iplist.delete", "truncate", NULL, 1);
	EF_CHECK(engine_run(g, cop, &e_));
	ef_faults_clear(&X);
	ef_ip_snapshot(&X, after);
	for (int i = 0; i < EF_NTYPES; i++)
		assert_int_equal(after[i], before[i]);
	assert_int_equal(ef_drift(&X, g, first, sizeof(first)), 0);
	engine_free(g);
}

static void test_no_free_server(void **state)
{
	(void)state;
	engine *g = ef_engine(&X);
	/* Take every free ds-large server behind dcictl's back. */
	ef_tariff(&X, "DL", "ds-large");
	long ids[2][64];
	size_t n[2];
	for (int dc = 1; dc <= 2; dc++) {
		n[dc - 1] =
		    fx_server_ids(&X.w, dc, "ds-large", true, ids[dc - 1], 64);
		for (size_t i = 0; i < n[dc - 1]; i++)
			fx_take(&X.w, dc, ids[dc - 1][i]);
	}
	engine_open_req r = {.tariff = "DL", .client = "dave"};
	int64_t sid, op;
	EF_CHECK(engine_open(g, &r, &sid, &op, &e_));
	dc_err e;
	assert_int_equal(engine_run(g, op, &e), -1);
	assert_int_equal(e.cat, DC_E_LIMIT);
	assert_string_equal(e.msg,
	                    "no free server of type ds-large with RAM >= 4096 "
	                    "MiB");
	assert_int_equal(get_op(op).state, OPS_ROLLED_BACK);
	dc_service s = get_svc(sid);
	assert_int_equal(s.status, SVC_CLOSED);
	assert_int_equal(s.server_id, 0);
	assert_int_equal(ef_open_tasks(&X, op), 0);

	/* Module dc1 still full, dc2 has one: the order falls through. */
	fx_release(&X.w, 2, ids[1][0]);
	EF_CHECK(engine_open(g, &r, &sid, &op, &e_));
	EF_CHECK(engine_run(g, op, &e_));
	s = get_svc(sid);
	assert_int_equal(s.module_id, X.w.module_id[1]);
	assert_int_equal(s.server_id, ids[1][0]);
	EF_CHECK(engine_start(g, OPK_CLOSE, sid, NULL, &op, &e_));
	EF_CHECK(engine_run(g, op, &e_));
	for (int dc = 1; dc <= 2; dc++)
		for (size_t i = 0; i < n[dc - 1]; i++)
			if (!(dc == 2 && i == 0))
				fx_release(&X.w, dc, ids[dc - 1][i]);
	engine_free(g);
}

/* Someone else (another store) writes its own claim over ours: before
 * `step` starts, the server's owner and notes are theirs. */
typedef struct thief {
	const char *step;
	int64_t module_id;
	long server_id;
	bool done;
} thief;

static void steal(void *user, const engine_hook_ev *ev)
{
	thief *t = user;
	if (t->done || ev->rollback || ev->at != ENGINE_AT_BEFORE ||
	    strcmp(ev->step, t->step))
		return;
	t->done = true;
	dc_service s;
	dc_operation o;
	EF_CHECK(operation_get(X.w.st, ev->op_id, &o, &e_));
	EF_CHECK(service_get(X.w.st, o.service_id, &s, &e_));
	t->module_id = s.module_id;
	t->server_id = (long)s.server_id;
	panel_opts po = {.url = X.w.sim.dcimgr[ef_dc_of(&X, s.module_id) - 1],
	                 .username = "admin",
	                 .password = "admin"};
	dc_err e;
	panel *p = panel_new(&po, &e);
	dci_server_form *f = NULL;
	if (!p || dci_server_form_get(p, t->server_id, &f, &e))
		fail_msg("steal: %s", e.msg);
	dci_server_form w = *f;
	w.owner = "admin";
	w.notes = "dcictl:0ther:1";
	w.hostname = "stolen.example";
	if (dci_server_form_apply(p, &w, &e))
		fail_msg("steal: %s", e.msg);
	dci_server_form_free(f);
	panel_free(p);
}

static engine *thief_engine(thief *t)
{
	engine_opts o = X.eo;
	o.hook = steal;
	o.hook_user = t;
	dc_err e;
	engine *g = engine_new(X.w.st, &o, &e);
	if (!g)
		fail_msg("engine_new: %s", e.msg);
	return g;
}

static void give_back(const thief *t)
{
	/* The other store closes its service: the server is free again. */
	fx_release(&X.w, ef_dc_of(&X, t->module_id), t->server_id);
	panel_opts po = {.url = X.w.sim.dcimgr[ef_dc_of(&X, t->module_id) - 1],
	                 .username = "admin",
	                 .password = "admin"};
	dc_err e;
	panel *p = panel_new(&po, &e);
	dci_server_form *f = NULL;
	if (!p || dci_server_form_get(p, t->server_id, &f, &e))
		fail_msg("give back: %s", e.msg);
	dci_server_form w = *f;
	w.owner = "";
	w.notes = "";
	w.hostname = "free.ds";
	if (dci_server_form_apply(p, &w, &e))
		fail_msg("give back: %s", e.msg);
	dci_server_form_free(f);
	panel_free(p);
}

/* Lost after the claim was read back, before anything was attached: the
 * order gives its addresses back and takes another server. */
static void test_claim_lost_before_attach(void **state)
{
	(void)state;
	long before[EF_NTYPES], after[EF_NTYPES];
	ef_ip_snapshot(&X, before);
	thief t = {.step = "attach"};
	engine *g = thief_engine(&t);
	int64_t op;
	int64_t sid = ef_open(&X, g, "erin", &op);
	EF_CHECK(engine_run(g, op, &e_));
	engine_free(g);
	assert_true(t.done);
	dc_service s = get_svc(sid);
	assert_int_equal(s.status, SVC_ACTIVE);
	assert_true(s.server_id != t.server_id || s.module_id != t.module_id);
	check_active(sid, "erin");
	/* The stolen server was left to its new owner. */
	ef_srv v;
	ef_server(&X, ef_dc_of(&X, t.module_id), t.server_id, &v);
	assert_string_equal(v.notes, "dcictl:0ther:1");
	svc_event *ev = NULL;
	size_t nev = 0;
	bool told = false;
	EF_CHECK(service_events(X.w.st, sid, &ev, &nev, &e_));
	for (size_t i = 0; i < nev; i++)
		told |= strstr(ev[i].text, "taken by someone else") != NULL;
	free(ev);
	assert_true(told);
	g = ef_engine(&X);
	char first[512];
	assert_int_equal(ef_drift(&X, g, first, sizeof(first)), 0);
	EF_CHECK(engine_start(g, OPK_CLOSE, sid, NULL, &op, &e_));
	EF_CHECK(engine_run(g, op, &e_));
	engine_free(g);
	give_back(&t);
	ef_ip_snapshot(&X, after);
	/* The stolen server's parking address went back when we attached?
	 * No: nothing was attached, so it is still there. */
	for (int i = 0; i < EF_NTYPES; i++)
		assert_int_equal(after[i], before[i]);
}

/* Lost after addresses were attached: the operation fails with a task
 * (a person must look), and a rollback takes back only what is ours,
 * leaving the server to its new owner. */
static void test_claim_lost_late(void **state)
{
	(void)state;
	long before[EF_NTYPES], after[EF_NTYPES];
	ef_ip_snapshot(&X, before);
	thief t = {.step = "install"};
	engine *g = thief_engine(&t);
	int64_t op;
	int64_t sid = ef_open(&X, g, "frank", &op);
	dc_err e;
	assert_int_equal(engine_run(g, op, &e), -1);
	assert_int_equal(get_svc(sid).status, SVC_FAILED);
	assert_int_equal(e.cat, DC_E_CONFLICT);
	engine_free(g);
	assert_int_equal(get_op(op).state, OPS_FAILED);
	assert_int_equal(ef_open_tasks(&X, op), 1);
	g = ef_engine(&X);
	EF_CHECK(engine_rollback(g, op, &e_));
	assert_int_equal(get_op(op).state, OPS_ROLLED_BACK);
	ef_srv v;
	ef_server(&X, ef_dc_of(&X, t.module_id), t.server_id, &v);
	assert_string_equal(v.notes, "dcictl:0ther:1");
	assert_string_equal(v.owner, "admin");
	/* None of our addresses is left on it. */
	assert_int_equal(v.naddr, 0);
	char first[512];
	assert_int_equal(ef_drift(&X, g, first, sizeof(first)), 0);
	engine_free(g);
	give_back(&t);
	ef_ip_snapshot(&X, after);
	/* The free server's parking address was given back when ours was
	 * attached; the thief's server has none now. */
	for (int i = 0; i < EF_NTYPES - 1; i++)
		assert_int_equal(after[i], before[i]);
	assert_int_equal(after[4], before[4] - 1);
	/* Put a parking address back on it for the next tests. */
	char addr[IPM_ADDR_MAX];
	panel_opts po = {
	    .url = X.w.sim.ipmgr, .username = "admin", .password = "admin"};
	panel *ip = panel_new(&po, &e);
	ipm_alloc al = {.family = IPM_IPV4, .iptype = "parking"};
	assert_int_equal(ipm_ip_allocate(ip, &al, addr, &e), 0);
	panel_free(ip);
	po.url = X.w.sim.dcimgr[ef_dc_of(&X, t.module_id) - 1];
	panel *p = panel_new(&po, &e);
	dci_ip_spec sp = {.ip = addr, .family = "ipv4", .main = true};
	assert_int_equal(dci_ip_attach(p, t.server_id, &sp, NULL, NULL, &e), 0);
	panel_free(p);
}

/* Sets the notes of every free server of the tariff's type. */
static void note_free_servers(const char *notes)
{
	for (int dc = 1; dc <= X.w.nmod; dc++) {
		long ids[64];
		size_t n = fx_server_ids(&X.w, dc, X.type, true, ids, 64);
		panel_opts po = {.url = X.w.sim.dcimgr[dc - 1],
		                 .username = "admin",
		                 .password = "admin"};
		dc_err e;
		panel *p = panel_new(&po, &e);
		assert_non_null(p);
		for (size_t i = 0; i < n; i++) {
			dci_server_form *f = NULL;
			assert_int_equal(dci_server_form_get(p, ids[i], &f, &e),
			                 0);
			dci_server_form w = *f;
			w.notes = notes;
			assert_int_equal(dci_server_form_apply(p, &w, &e), 0);
			dci_server_form_free(f);
		}
		panel_free(p);
	}
}

/* An operator's notes on a free server stay: the claim adds the marker
 * as one more word, the close takes it out again. */
static void test_operator_notes_kept(void **state)
{
	(void)state;
	note_free_servers("spare; disk 2 replaced");
	engine *g = ef_engine(&X);
	int64_t op;
	int64_t sid = ef_open(&X, g, "gina", &op);
	EF_CHECK(engine_run(g, op, &e_));
	dc_service s = get_svc(sid);
	ef_srv v;
	ef_server(&X, ef_dc_of(&X, s.module_id), (long)s.server_id, &v);
	char want[256];
	snprintf(want, sizeof(want), "spare; disk 2 replaced dcictl:%s:%lld",
	         engine_tag(g), (long long)sid);
	assert_string_equal(v.notes, want);
	char first[512];
	assert_int_equal(ef_drift(&X, g, first, sizeof(first)), 0);
	EF_CHECK(engine_start(g, OPK_CLOSE, sid, NULL, &op, &e_));
	EF_CHECK(engine_run(g, op, &e_));
	ef_server(&X, ef_dc_of(&X, s.module_id), (long)s.server_id, &v);
	assert_string_equal(v.notes, "spare; disk 2 replaced");
	assert_true(v.isfree);
	engine_free(g);
	note_free_servers("");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_open_close_every_addon),
	    cmocka_unit_test(test_suspend_resume_reinstall),
	    cmocka_unit_test(test_bad_orders_write_nothing),
	    cmocka_unit_test(test_retryable_faults),
	    cmocka_unit_test(test_no_free_server),
	    cmocka_unit_test(test_claim_lost_before_attach),
	    cmocka_unit_test(test_claim_lost_late),
	    cmocka_unit_test(test_operator_notes_kept),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
