/* test_engine_kill.h - what the kill -9 tests share (one program each for
 * open, close and rollback, so each stays within the test time limit
 * under the sanitizers): a child process runs an operation with a hook
 * that SIGKILLs it at the k-th hook event (each step boundary, before and
 * after, and right after every panel change before the journal records
 * it); the parent then resumes every unfinished operation in-process, as
 * the next start of dcictl would, and checks that it ends as it should and
 * that nothing leaked. Include after cmocka.h, in one file per program. */
#ifndef TEST_ENGINE_KILL_H
#define TEST_ENGINE_KILL_H

#include "test_engine_fixture.h"

#include <signal.h>
#include <sys/wait.h>

static ef_world X;

typedef struct killer {
	long at;   /* kill at this hook event (1-based) */
	long seen; /* events so far */
} killer;

static inline void kill_hook(void *user, const engine_hook_ev *ev)
{
	killer *k = user;
	if (++k->seen == k->at)
		raise(SIGKILL);
}

static inline int setup(void **state)
{
	(void)state;
	const char *args[] = {"--locations", "1",       "--servers",
	                      "6",           "--types", "ds-small",
	                      "--seed",      "9",       NULL};
	return ef_start(&X, args);
}

static inline int teardown(void **state)
{
	(void)state;
	ef_stop(&X);
	return 0;
}

enum { RUN_OP, RETRY_OP, ROLLBACK_OP };

/* Forks a child that runs op (what: run, retry or rollback) on its own
 * store handle, killing itself at hook event `at`. Returns true when it
 * was killed, false when it finished first. */
static inline bool run_child(int64_t op, int what, long at)
{
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dc_err e;
		dc_store *st = store_open(X.w.store_path, &e);
		if (!st)
			_exit(3);
		killer k = {.at = at};
		engine_opts o = X.eo;
		o.progress = NULL;
		o.hook = kill_hook;
		o.hook_user = &k;
		engine *g = engine_new(st, &o, &e);
		if (!g)
			_exit(4);
		int rc = what == RUN_OP     ? engine_run(g, op, &e)
		         : what == RETRY_OP ? engine_retry(g, op, &e)
		                            : engine_rollback(g, op, &e);
		engine_free(g);
		store_close(st);
		_exit(rc ? 1 : 0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status)) {
		assert_int_equal(WTERMSIG(status), SIGKILL);
		return true;
	}
	assert_true(WIFEXITED(status));
	return false;
}

/* What the next start does: resume every unfinished operation. */
static inline void resume_all(int64_t op, op_state want)
{
	engine *g = ef_engine(&X);
	engine_resume_item *v = NULL;
	size_t n = 0;
	EF_CHECK(engine_resume_all(g, &v, &n, &e_));
	bool seen = false;
	for (size_t i = 0; i < n; i++)
		if (v[i].op_id == op) {
			seen = true;
			if (v[i].state != want)
				fail_msg("operation %lld resumed to %s: %s",
				         (long long)op,
				         op_state_name(v[i].state), v[i].msg);
		}
	free(v);
	engine_free(g);
	dc_operation o;
	EF_CHECK(operation_get(X.w.st, op, &o, &e_));
	if (!seen && o.state != want)
		fail_msg("operation %lld not resumed and %s", (long long)op,
		         op_state_name(o.state));
	assert_int_equal(o.state, want);
	assert_string_equal(o.lease_owner, "");
}

static inline void check_clean(const char *when, long k)
{
	engine *g = ef_engine(&X);
	char first[512];
	size_t n = ef_drift(&X, g, first, sizeof(first));
	engine_free(g);
	if (n)
		fail_msg("%s, killed at event %ld: reconcile: %zu item(s), "
		         "first: %s",
		         when, k, n, first);
}

static inline void check_ips(const long before[EF_NTYPES], const char *when,
                             long k)
{
	long now[EF_NTYPES];
	ef_ip_snapshot(&X, now);
	for (int i = 0; i < EF_NTYPES; i++)
		if (now[i] != before[i])
			fail_msg("%s, killed at event %ld: %ld %s addresses "
			         "in use, %ld before",
			         when, k, now[i], ef_types[i], before[i]);
}

static inline void close_now(int64_t sid)
{
	engine *g = ef_engine(&X);
	int64_t op;
	EF_CHECK(engine_start(g, OPK_CLOSE, sid, NULL, &op, &e_));
	EF_CHECK(engine_run(g, op, &e_));
	engine_free(g);
}

static inline void check_free_server(int64_t sid, const char *when, long k)
{
	dc_service s;
	EF_CHECK(service_get(X.w.st, sid, &s, &e_));
	ef_srv v;
	ef_server(&X, 1, (long)s.server_id, &v);
	if (!v.isfree || v.naddr != 1 || strcmp(v.iptype[0], "parking") ||
	    !v.main[0])
		fail_msg("%s, killed at event %ld: server %lld not free with "
		         "one parking main address (%d addresses, owner '%s')",
		         when, k, (long long)s.server_id, v.naddr, v.owner);
}

#endif
