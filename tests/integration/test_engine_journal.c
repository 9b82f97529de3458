/* test_engine_journal.c - the parts of services, the journal and tasks
 * that need no panel: markers (ours, another store's, malformed), client
 * and host name rules, names of states and roles, the step plans, leases
 * (a live one, an expired one, one left by a process that is gone), the
 * one-operation-at-a-time rule, restart refusals, and tasks (add, list,
 * done twice). A store of its own, no simulator. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "engine.h"
#include "service.h"
#include "store.h"
#include "task.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[512], path[600];
static dc_store *st;

static int setup(void **state)
{
	(void)state;
	const char *base = getenv("DCITEST_TMP");
	snprintf(dir, sizeof(dir), "%s/journal.XXXXXX",
	         base && *base ? base : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/store.db", dir);
	dc_err e;
	st = store_open(path, &e);
	return st ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	store_close(st);
	static const char *const sfx[] = {"", "-wal", "-shm", ".key"};
	for (size_t i = 0; i < 4; i++) {
		char p[700];
		snprintf(p, sizeof(p), "%s%s", path, sfx[i]);
		unlink(p);
	}
	rmdir(dir);
	return 0;
}

static void test_markers(void **state)
{
	(void)state;
	char tag[SVC_TAG_MAX], m[SVC_MARKER_MAX], note[128];
	dc_err e;
	assert_int_equal(service_store_tag(st, tag, &e), 0);
	assert_int_equal(strlen(tag), 8);
	service_marker(tag, 42, m, sizeof(m));
	int64_t id = 0;
	svc_role r;
	bool hr;
	assert_true(service_marker_parse(m, tag, &id, &r, &hr));
	assert_int_equal(id, 42);
	assert_false(hr);
	snprintf(note, sizeof(note), "%s:parking", m);
	assert_true(service_marker_parse(note, tag, &id, &r, &hr));
	assert_true(hr);
	assert_int_equal(r, SVC_ROLE_PARKING);
	/* another store's, any store's, and not markers at all */
	assert_false(
	    service_marker_parse("dcictl:other:42", tag, NULL, NULL, NULL));
	assert_true(
	    service_marker_parse("dcictl:other:42", NULL, &id, NULL, NULL));
	static const char *const bad[] = {
	    "",
	    "dcictl:",
	    "dcictl::1",
	    "dcictl:t:",
	    "dcictl:t:0",
	    "dcictl:t:-1",
	    "dcictl:t:1x",
	    "dcictl:t:1:nope",
	    "other:t:1",
	    "taken by simctl",
	    "dcictl:t:1:main:x",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (service_marker_parse(bad[i], NULL, NULL, NULL, NULL))
			fail_msg("\"%s\" taken for a marker", bad[i]);
}

static void test_notes(void **state)
{
	(void)state;
	char buf[256];
	const char *m = "dcictl:abcd1234:7";
	int64_t id;
	/* Added to the operator's text, and taken out exactly. */
	service_notes_add("", m, buf, sizeof(buf));
	assert_string_equal(buf, m);
	service_notes_add("spare\nRAID  ok", m, buf, sizeof(buf));
	assert_string_equal(buf, "spare\nRAID  ok dcictl:abcd1234:7");
	assert_true(service_notes_has(buf, m));
	assert_true(service_notes_marker(buf, "abcd1234", &id));
	assert_int_equal(id, 7);
	char back[256];
	service_notes_remove(buf, m, back, sizeof(back));
	assert_string_equal(back, "spare\nRAID  ok");
	/* Added once only. */
	char twice[256];
	service_notes_add(buf, m, twice, sizeof(twice));
	assert_string_equal(twice, buf);
	/* Whole words only: service 7 is not service 70. */
	assert_false(service_notes_has("dcictl:abcd1234:70", m));
	assert_false(service_notes_has("xdcictl:abcd1234:7", m));
	assert_false(
	    service_notes_marker("note dcictl:other:7", "abcd1234", NULL));
	assert_true(service_notes_marker("note dcictl:other:7", NULL, &id));
	/* A marker in the middle (someone wrote after it). */
	service_notes_remove("a dcictl:abcd1234:7 b", m, back, sizeof(back));
	assert_string_equal(back, "a b");
	service_notes_remove(m, m, back, sizeof(back));
	assert_string_equal(back, "");
}

static void test_names_and_rules(void **state)
{
	(void)state;
	dc_err e;
	for (int i = 0; i < SVC_STATUS_COUNT; i++) {
		svc_status s;
		assert_int_equal(svc_status_parse(svc_status_name(i), &s), 0);
		assert_int_equal(s, i);
	}
	for (int i = 0; i < SVC_ROLE_COUNT; i++) {
		svc_role r;
		assert_int_equal(svc_role_parse(svc_role_name(i), &r), 0);
		assert_int_equal(r, i);
	}
	for (int i = 0; i < OPS_COUNT; i++) {
		op_state s;
		assert_int_equal(op_state_parse(op_state_name(i), &s), 0);
		assert_int_equal(s, i);
	}
	op_kind k;
	assert_int_equal(op_kind_parse("close", &k), 0);
	assert_int_equal(k, OPK_CLOSE);
	assert_int_equal(op_kind_parse("delete", &k), -1);
	/* plans */
	assert_int_equal(op_step_count(OPK_OPEN), 8);
	assert_string_equal(op_step_name(OPK_OPEN, 0), "claim");
	assert_string_equal(op_step_name(OPK_OPEN, 7), "owner");
	assert_null(op_step_name(OPK_OPEN, 8));
	assert_int_equal(op_step_count(OPK_CLOSE), 7);
	assert_string_equal(op_step_name(OPK_CLOSE, 3), "park");
	assert_non_null(op_step_title(OPK_SUSPEND, 1));
	/* client names and host names */
	assert_int_equal(service_check_client("acme.corp_1-x@y", &e), 0);
	static const char *const badc[] = {"", "a b", "x/y", "naïve"};
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(service_check_client(badc[i], &e), -1);
		assert_string_equal(e.field, "client");
	}
	char long_name[80];
	memset(long_name, 'a', 64);
	long_name[64] = '\0';
	assert_int_equal(service_check_client(long_name, &e), -1);
	assert_int_equal(service_check_hostname("s1.example.net", &e), 0);
	static const char *const badh[] = {"",   "a..b", ".a",
	                                   "a.", "a_b",  "a b"};
	for (size_t i = 0; i < 6; i++) {
		assert_int_equal(service_check_hostname(badh[i], &e), -1);
		assert_string_equal(e.field, "hostname");
	}
}

/* A service and an operation written straight into the journal. */
static int64_t make_op(op_kind kind, svc_status status, int64_t *sid)
{
	dc_err e;
	dc_service s;
	memset(&s, 0, sizeof(s));
	snprintf(s.client, sizeof(s.client), "c");
	snprintf(s.panel_user, sizeof(s.panel_user), "c");
	s.status = status;
	assert_int_equal(store_begin(st, &e), 0);
	assert_int_equal(service_insert_tx(st, &s, &e), 0);
	assert_int_equal(store_commit(st, &e), 0);
	*sid = s.id;
	if (kind == OPK_OPEN)
		return 0;
	engine *g = engine_new(st, NULL, &e);
	assert_non_null(g);
	int64_t op;
	if (engine_start(g, kind, s.id, NULL, &op, &e))
		fail_msg("engine_start: %s", e.msg);
	engine_free(g);
	return op;
}

static void set_lease(int64_t op, const char *owner, int64_t until)
{
	sqlite3_stmt *s = NULL;
	assert_int_equal(sqlite3_prepare_v2(store_db(st),
	                                    "UPDATE operation SET state = "
	                                    "'running', lease_owner = ?, "
	                                    "lease_until = ? WHERE id = ?",
	                                    -1, &s, NULL),
	                 SQLITE_OK);
	sqlite3_bind_text(s, 1, owner, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, until);
	sqlite3_bind_int64(s, 3, op);
	assert_int_equal(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);
}

static void test_leases(void **state)
{
	(void)state;
	int64_t sid;
	int64_t op = make_op(OPK_SUSPEND, SVC_ACTIVE, &sid);
	dc_err e;
	dc_operation o;
	char host[64], owner[128];
	gethostname(host, sizeof(host));
	host[sizeof(host) - 1] = '\0';
	for (char *p = host; *p; p++)
		if (*p == ':')
			*p = '_';
	int64_t later = (int64_t)time(NULL) + 600;

	/* A live process of this host (this one). */
	snprintf(owner, sizeof(owner), "%s:%ld:aa", host, (long)getpid());
	set_lease(op, owner, later);
	assert_int_equal(operation_get(st, op, &o, &e), 0);
	assert_true(operation_lease_live(&o));
	engine *g = engine_new(st, NULL, &e);
	assert_non_null(g);
	assert_int_equal(engine_run(g, op, &e), -1);
	assert_int_equal(e.cat, DC_E_CONFLICT);
	assert_non_null(strstr(e.msg, "being run by"));
	/* ... which resume leaves alone, and rollback refuses too. */
	engine_resume_item *v = NULL;
	size_t n = 0;
	assert_int_equal(engine_resume_all(g, &v, &n, &e), 0);
	bool reported = false;
	for (size_t i = 0; i < n; i++)
		if (v[i].op_id == op) {
			reported = true;
			assert_false(v[i].ran);
			assert_non_null(strstr(v[i].msg, "being run by"));
		}
	free(v);
	assert_true(reported);
	assert_int_equal(engine_rollback(g, op, &e), -1);
	assert_int_equal(e.cat, DC_E_CONFLICT);

	/* A process of this host that is gone. */
	pid_t child = fork();
	if (child == 0)
		_exit(0);
	waitpid(child, NULL, 0);
	snprintf(owner, sizeof(owner), "%s:%ld:bb", host, (long)child);
	set_lease(op, owner, later);
	assert_int_equal(operation_get(st, op, &o, &e), 0);
	assert_false(operation_lease_live(&o));
	/* Another host's, not expired: assumed alive; expired: not. */
	set_lease(op, "elsewhere:1:cc", later);
	assert_int_equal(operation_get(st, op, &o, &e), 0);
	assert_true(operation_lease_live(&o));
	set_lease(op, "elsewhere:1:cc", (int64_t)time(NULL) - 1);
	assert_int_equal(operation_get(st, op, &o, &e), 0);
	assert_false(operation_lease_live(&o));
	engine_free(g);
}

static void test_one_operation_at_a_time(void **state)
{
	(void)state;
	int64_t sid;
	dc_err e;
	int64_t op = make_op(OPK_SUSPEND, SVC_ACTIVE, &sid);
	engine *g = engine_new(st, NULL, &e);
	assert_non_null(g);
	int64_t other;
	assert_int_equal(engine_start(g, OPK_CLOSE, sid, NULL, &other, &e), -1);
	assert_int_equal(e.cat, DC_E_CONFLICT);
	assert_non_null(strstr(e.msg, "suspend"));
	int64_t busy;
	assert_int_equal(operation_unfinished(st, sid, &busy, &e), 0);
	assert_int_equal(busy, op);
	/* Retry is for failed operations only; a pending one is run. */
	assert_int_equal(engine_restart(g, op, false, &e), -1);
	assert_non_null(strstr(e.msg, "not failed"));
	/* Wrong status for the kind. */
	int64_t sid2;
	make_op(OPK_OPEN, SVC_SUSPENDED, &sid2);
	assert_int_equal(engine_start(g, OPK_SUSPEND, sid2, NULL, &other, &e),
	                 -1);
	assert_non_null(strstr(e.msg, "is suspended"));
	assert_int_equal(engine_start(g, OPK_REINSTALL, sid2, NULL, &other, &e),
	                 -1);
	engine_free(g);
}

static void test_tasks(void **state)
{
	(void)state;
	dc_err e;
	dc_department d = {0};
	snprintf(d.name, sizeof(d.name), "Ops");
	assert_int_equal(department_add(st, &d, &e), 0);
	int64_t id;
	assert_int_equal(store_begin(st, &e), 0);
	assert_int_equal(task_add_tx(st, d.id, 0, "look at server 7", &id, &e),
	                 0);
	assert_int_equal(store_commit(st, &e), 0);
	long open;
	assert_int_equal(task_count_open(st, &open, &e), 0);
	assert_int_equal(open, 1);
	dc_task t;
	assert_int_equal(task_get(st, id, &t, &e), 0);
	assert_string_equal(t.department, "Ops");
	assert_false(t.done);
	/* The department is in use while the task is open. */
	assert_int_equal(department_delete(st, d.id, &e), -1);
	assert_int_equal(task_done(st, id, &e), 0);
	assert_int_equal(task_done(st, id, &e), -1);
	assert_int_equal(e.cat, DC_E_CONFLICT);
	assert_int_equal(task_done(st, 99999, &e), -1);
	assert_int_equal(e.cat, DC_E_NOTFOUND);
	dc_task *v = NULL;
	size_t n = 0;
	assert_int_equal(task_list(st, false, &v, &n, &e), 0);
	assert_int_equal(n, 0);
	free(v);
	assert_int_equal(task_list(st, true, &v, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_true(v[0].done);
	assert_true(v[0].closed_at >= v[0].created_at);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_markers),
	    cmocka_unit_test(test_notes),
	    cmocka_unit_test(test_names_and_rules),
	    cmocka_unit_test(test_leases),
	    cmocka_unit_test(test_one_operation_at_a_time),
	    cmocka_unit_test(test_tasks),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
