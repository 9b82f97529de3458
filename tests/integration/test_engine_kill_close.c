/* test_engine_kill_close.c - kill -9 anywhere in a close, then resume: the
 * server ends free with a parking main address, every address back (see
 * test_engine_kill.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_engine_kill.h"

static void test_kill_close(void **state)
{
	(void)state;
	long k;
	for (k = 1;; k++) {
		long before[EF_NTYPES];
		ef_ip_snapshot(&X, before);
		engine *g = ef_engine(&X);
		int64_t op;
		int64_t sid = ef_open(&X, g, "kurt", &op);
		EF_CHECK(engine_run(g, op, &e_));
		EF_CHECK(engine_start(g, OPK_CLOSE, sid, NULL, &op, &e_));
		engine_free(g);
		bool killed = run_child(op, RUN_OP, k);
		if (killed)
			resume_all(op, OPS_DONE);
		dc_service s;
		EF_CHECK(service_get(X.w.st, sid, &s, &e_));
		if (s.status != SVC_CLOSED)
			fail_msg("close killed at event %ld: service %s", k,
			         svc_status_name(s.status));
		check_free_server(sid, "close", k);
		check_ips(before, "close", k);
		check_clean("close", k);
		if (!killed)
			break;
	}
	assert_true(k > 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kill_close),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
