/* test_engine_kill_open.c - kill -9 anywhere in an open, then resume: the
 * service ends active, nothing leaked (see test_engine_kill.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_engine_kill.h"

static void test_kill_open(void **state)
{
	(void)state;
	long k;
	for (k = 1;; k++) {
		long before[EF_NTYPES];
		ef_ip_snapshot(&X, before);
		engine *g = ef_engine(&X);
		int64_t op;
		int64_t sid = ef_open(&X, g, "kim", &op);
		engine_free(g);
		bool killed = run_child(op, RUN_OP, k);
		if (killed)
			resume_all(op, OPS_DONE);
		dc_service s;
		EF_CHECK(service_get(X.w.st, sid, &s, &e_));
		if (s.status != SVC_ACTIVE)
			fail_msg("open killed at event %ld: service %s", k,
			         svc_status_name(s.status));
		check_clean("open", k);
		close_now(sid);
		check_free_server(sid, "open", k);
		check_ips(before, "open", k);
		check_clean("open then close", k);
		if (!killed)
			break;
	}
	/* Every step boundary and every panel change was a kill point. */
	assert_true(k > 30);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kill_open),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
