/* test_engine_faults.c - for each step of open and of close, a panel
 * failure injected exactly there (from the engine's hook, as the step
 * starts) ends the operation `failed` at that step with a task for the
 * module's department; then both retry (to done) and roll back (to the
 * state before) succeed, with nothing left behind (reconcile clean, the
 * simulator's address counts back where they were). Also a rollback that
 * itself fails, and is retried. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_engine_fixture.h"

static ef_world X;

typedef struct inject {
	const char *step; /* where */
	const char *target, *func;
	bool fired;
} inject;

static void hook(void *user, const engine_hook_ev *ev)
{
	inject *in = user;
	if (!in || !in->step || in->fired || ev->rollback ||
	    ev->at != ENGINE_AT_BEFORE || strcmp(ev->step, in->step))
		return;
	in->fired = true;
	ef_fault(&X, in->target, in->func, "error", "value", -1);
}

static engine *hooked(inject *in)
{
	engine_opts o = X.eo;
	o.hook = hook;
	o.hook_user = in;
	dc_err e;
	engine *g = engine_new(X.w.st, &o, &e);
	if (!g)
		fail_msg("engine_new: %s", e.msg);
	return g;
}

static int setup(void **state)
{
	(void)state;
	const char *args[] = {"--locations", "1",       "--servers",
	                      "12",          "--types", "ds-small",
	                      "--seed",      "5",       NULL};
	if (ef_start(&X, args))
		return -1;
	/* Close wipes the disks, so that step is exercised too. */
	dc_module m;
	dc_err e;
	if (module_get(X.w.st, X.w.module_id[0], &m, &e))
		return -1;
	m.wipe_disks = true;
	return module_update(X.w.st, &m, NULL, &e);
}

static int teardown(void **state)
{
	(void)state;
	ef_stop(&X);
	return 0;
}

static dc_operation get_op(int64_t id)
{
	dc_operation o;
	EF_CHECK(operation_get(X.w.st, id, &o, &e_));
	return o;
}

static dc_service get_svc(int64_t id)
{
	dc_service s;
	EF_CHECK(service_get(X.w.st, id, &s, &e_));
	return s;
}

static int step_index(const dc_operation *o, const char *name)
{
	for (size_t i = 0; i < o->nsteps; i++)
		if (!strcmp(o->steps[i].name, name))
			return (int)i;
	fail_msg("no step %s", name);
	return -1;
}

/* The operation stopped failed at `step` with one open task for NOC that
 * names the step. */
static void check_failed(int64_t op, int64_t sid, const char *step)
{
	dc_operation o = get_op(op);
	assert_int_equal(o.state, OPS_FAILED);
	int i = step_index(&o, step);
	assert_int_equal(o.step, i);
	assert_int_equal(o.steps[i].state, STEP_FAILED);
	assert_true(o.steps[i].last_error[0] != '\0');
	assert_non_null(strstr(o.error, step));
	assert_string_equal(o.lease_owner, "");
	assert_int_equal(get_svc(sid).status, SVC_FAILED);
	dc_task *t = NULL;
	size_t n = 0;
	EF_CHECK(task_list(X.w.st, false, &t, &n, &e_));
	int mine = 0;
	for (size_t k = 0; k < n; k++) {
		if (t[k].op_id != op)
			continue;
		mine++;
		assert_string_equal(t[k].department, "NOC");
		assert_int_equal(t[k].service_id, sid);
		assert_non_null(strstr(t[k].text, step));
		assert_non_null(strstr(t[k].text, "Held:"));
	}
	free(t);
	assert_int_equal(mine, 1);
	/* A failed operation is not run again by accident. */
	engine *g = ef_engine(&X);
	dc_err e;
	assert_int_equal(engine_run(g, op, &e), -1);
	assert_int_equal(e.cat, DC_E_CONFLICT);
	engine_free(g);
}

static void check_server_free(int64_t module_id, long server_id)
{
	ef_srv v;
	ef_server(&X, ef_dc_of(&X, module_id), server_id, &v);
	assert_true(v.isfree);
	assert_string_equal(v.owner, "");
	assert_string_equal(v.notes, "");
	assert_int_equal(v.naddr, 1);
	assert_string_equal(v.iptype[0], "parking");
	assert_true(v.main[0]);
}

static void check_same_ips(const long before[EF_NTYPES])
{
	long now[EF_NTYPES];
	ef_ip_snapshot(&X, now);
	for (int i = 0; i < EF_NTYPES; i++)
		if (now[i] != before[i])
			fail_msg("%s: %ld addresses in use, %ld before",
			         ef_types[i], now[i], before[i]);
}

static void check_clean(void)
{
	engine *g = ef_engine(&X);
	char first[512];
	size_t n = ef_drift(&X, g, first, sizeof(first));
	if (n)
		fail_msg("reconcile: %zu item(s), first: %s", n, first);
	engine_free(g);
}

static void close_ok(int64_t sid)
{
	engine *g = ef_engine(&X);
	int64_t op;
	dc_service s = get_svc(sid);
	EF_CHECK(engine_start(g, OPK_CLOSE, sid, NULL, &op, &e_));
	EF_CHECK(engine_run(g, op, &e_));
	assert_int_equal(get_svc(sid).status, SVC_CLOSED);
	check_server_free(s.module_id, (long)s.server_id);
	engine_free(g);
}

static void check_open_tasks_closed(int64_t op)
{
	assert_int_equal(ef_open_tasks(&X, op), 0);
}

typedef struct fault_case {
	const char *step, *target, *func;
} fault_case;

static const fault_case open_cases[] = {
    {"claim", "dcimgr", "server.edit"},
    {"allocate", "ipmgr", "ip.edit"},
    {"attach", "dcimgr", "iplist.edit"},
    {"network", "dcimgr", "server.connection.edit"},
    {"licence", "billmgr", "soft.order.param"},
    {"install", "dcimgr", "server.operations"},
    {"power", "dcimgr", "server"},
    {"owner", "dcimgr", "user"},
};

static const fault_case close_cases[] = {
    {"power_off", "dcimgr", "server.poweroff"},
    {"port_off", "dcimgr", "server.connection.off"},
    {"licence", "billmgr", "soft.delete"},
    {"park", "ipmgr", "ip.edit"},
    {"release", "ipmgr", "ip.delete"},
    {"wipe", "dcimgr", "server.operations"},
    {"free", "dcimgr", "server.edit"},
};

static int64_t open_failing(const fault_case *fc, int64_t *sid)
{
	inject in = {fc->step, fc->target, fc->func, false};
	engine *g = hooked(&in);
	int64_t op;
	*sid = ef_open(&X, g, "faulty", &op);
	dc_err e;
	int rc = engine_run(g, op, &e);
	ef_faults_clear(&X);
	engine_free(g);
	assert_true(in.fired);
	if (rc != -1)
		fail_msg("open with a fault at %s did not fail", fc->step);
	check_failed(op, *sid, fc->step);
	return op;
}

static void test_open_fault_then_retry(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(open_cases) / sizeof(open_cases[0]);
	     i++) {
		long before[EF_NTYPES];
		ef_ip_snapshot(&X, before);
		int64_t sid;
		int64_t op = open_failing(&open_cases[i], &sid);
		engine *g = ef_engine(&X);
		EF_CHECK(engine_retry(g, op, &e_));
		engine_free(g);
		assert_int_equal(get_op(op).state, OPS_DONE);
		assert_int_equal(get_svc(sid).status, SVC_ACTIVE);
		check_open_tasks_closed(op);
		check_clean();
		close_ok(sid);
		check_same_ips(before);
		check_clean();
	}
}

static void test_open_fault_then_rollback(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(open_cases) / sizeof(open_cases[0]);
	     i++) {
		long before[EF_NTYPES];
		ef_ip_snapshot(&X, before);
		int64_t sid;
		int64_t op = open_failing(&open_cases[i], &sid);
		dc_service s = get_svc(sid);
		engine *g = ef_engine(&X);
		EF_CHECK(engine_rollback(g, op, &e_));
		engine_free(g);
		dc_operation o = get_op(op);
		assert_int_equal(o.state, OPS_ROLLED_BACK);
		for (size_t k = 0; k < o.nsteps; k++)
			assert_true(o.steps[k].state == STEP_UNDONE ||
			            o.steps[k].state == STEP_PENDING ||
			            o.steps[k].state == STEP_SKIPPED);
		assert_int_equal(get_svc(sid).status, SVC_CLOSED);
		check_open_tasks_closed(op);
		if (s.server_id)
			check_server_free(s.module_id, (long)s.server_id);
		check_same_ips(before);
		check_clean();
	}
}

static int64_t close_failing(const fault_case *fc, int64_t *sid)
{
	engine *g = ef_engine(&X);
	int64_t op;
	*sid = ef_open(&X, g, "closer", &op);
	EF_CHECK(engine_run(g, op, &e_));
	engine_free(g);
	inject in = {fc->step, fc->target, fc->func, false};
	g = hooked(&in);
	EF_CHECK(engine_start(g, OPK_CLOSE, *sid, NULL, &op, &e_));
	dc_err e;
	int rc = engine_run(g, op, &e);
	ef_faults_clear(&X);
	engine_free(g);
	assert_true(in.fired);
	if (rc != -1)
		fail_msg("close with a fault at %s did not fail", fc->step);
	check_failed(op, *sid, fc->step);
	return op;
}

static void test_close_fault_then_retry(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(close_cases) / sizeof(close_cases[0]);
	     i++) {
		long before[EF_NTYPES];
		ef_ip_snapshot(&X, before);
		int64_t sid;
		int64_t op = close_failing(&close_cases[i], &sid);
		dc_service s = get_svc(sid);
		engine *g = ef_engine(&X);
		EF_CHECK(engine_retry(g, op, &e_));
		engine_free(g);
		assert_int_equal(get_op(op).state, OPS_DONE);
		assert_int_equal(get_svc(sid).status, SVC_CLOSED);
		check_open_tasks_closed(op);
		check_server_free(s.module_id, (long)s.server_id);
		check_same_ips(before);
		check_clean();
	}
}

static void test_close_fault_then_rollback(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(close_cases) / sizeof(close_cases[0]);
	     i++) {
		long before[EF_NTYPES];
		ef_ip_snapshot(&X, before);
		int64_t sid;
		int64_t op = close_failing(&close_cases[i], &sid);
		engine *g = ef_engine(&X);
		EF_CHECK(engine_rollback(g, op, &e_));
		engine_free(g);
		assert_int_equal(get_op(op).state, OPS_ROLLED_BACK);
		/* The service is back as it was: active, on its server, with
		 * its addresses attached and a licence. */
		dc_service s = get_svc(sid);
		assert_int_equal(s.status, SVC_ACTIVE);
		assert_true(s.licence_id[0] != '\0');
		ef_srv v;
		ef_server(&X, ef_dc_of(&X, s.module_id), (long)s.server_id, &v);
		assert_string_equal(v.owner, "closer");
		assert_string_equal(v.power, "on");
		assert_string_equal(v.switch_state, "on");
		svc_addr *a = NULL;
		size_t n = 0;
		EF_CHECK(service_addrs(X.w.st, sid, &a, &n, &e_));
		assert_int_equal(n, 8);
		assert_int_equal(v.naddr, 8);
		for (size_t k = 0; k < n; k++) {
			assert_true(a[k].panel_ip_id > 0);
			assert_true(a[k].role != SVC_ROLE_PARKING);
			if (a[k].main)
				assert_int_equal(ef_licences_for(&X, a[k].ip),
				                 1);
		}
		for (int k = 0; k < v.naddr; k++)
			if (v.main[k]) {
				bool is_main_role = false;
				for (size_t j = 0; j < n; j++)
					is_main_role |=
					    !strcmp(a[j].ip, v.ip[k]) &&
					    a[j].role == SVC_ROLE_MAIN;
				assert_true(is_main_role);
			}
		free(a);
		check_open_tasks_closed(op);
		check_clean();
		close_ok(sid);
		check_same_ips(before);
		check_clean();
	}
}

/* The rollback itself fails (an address cannot be detached): the
 * operation is failed again, with a task; a retry finishes the rollback. */
static void test_rollback_fails_then_retried(void **state)
{
	(void)state;
	long before[EF_NTYPES];
	ef_ip_snapshot(&X, before);
	int64_t sid;
	fault_case fc = {"install", "dcimgr", "server.operations"};
	int64_t op = open_failing(&fc, &sid);
	engine *g = ef_engine(&X);
	ef_fault(&X, "dcimgr", "iplist.delete", "error", "value", -1);
	dc_err e;
	assert_int_equal(engine_rollback(g, op, &e), -1);
	ef_faults_clear(&X);
	dc_operation o = get_op(op);
	assert_int_equal(o.state, OPS_FAILED);
	assert_true(o.rollback);
	assert_non_null(strstr(o.error, "rollback"));
	assert_true(ef_open_tasks(&X, op) >= 2);
	EF_CHECK(engine_retry(g, op, &e_));
	engine_free(g);
	assert_int_equal(get_op(op).state, OPS_ROLLED_BACK);
	assert_int_equal(get_svc(sid).status, SVC_CLOSED);
	check_open_tasks_closed(op);
	check_same_ips(before);
	check_clean();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_open_fault_then_retry),
	    cmocka_unit_test(test_open_fault_then_rollback),
	    cmocka_unit_test(test_close_fault_then_retry),
	    cmocka_unit_test(test_close_fault_then_rollback),
	    cmocka_unit_test(test_rollback_fails_then_retried),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
