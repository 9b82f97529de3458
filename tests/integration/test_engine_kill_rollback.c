/* test_engine_kill_rollback.c - kill -9 anywhere in the rollback of a failed
 * open, then resume: rolled back, nothing leaked (see test_engine_kill.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_engine_kill.h"

/* An open that failed at its last step, rolled back by a process that is
 * killed anywhere in the rollback; the next start finishes the rollback. */
static void test_kill_rollback(void **state)
{
	(void)state;
	long k;
	for (k = 1;; k++) {
		long before[EF_NTYPES];
		ef_ip_snapshot(&X, before);
		engine *g = ef_engine(&X);
		int64_t op;
		int64_t sid = ef_open(&X, g, "rolf", &op);
		ef_fault(&X, "dcimgr", "user", "error", "value", -1);
		dc_err e;
		assert_int_equal(engine_run(g, op, &e), -1);
		ef_faults_clear(&X);
		engine_free(g);
		bool killed = run_child(op, ROLLBACK_OP, k);
		if (killed)
			resume_all(op, OPS_ROLLED_BACK);
		dc_service s;
		EF_CHECK(service_get(X.w.st, sid, &s, &e_));
		if (s.status != SVC_CLOSED)
			fail_msg("rollback killed at event %ld: service %s", k,
			         svc_status_name(s.status));
		check_free_server(sid, "rollback", k);
		check_ips(before, "rollback", k);
		check_clean("rollback", k);
		if (!killed)
			break;
	}
	assert_true(k > 15);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kill_rollback),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
