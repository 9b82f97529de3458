/* test_store_crash.c - the store survives kill -9 during a save.
 *
 * A child process saves versions of a module and a tariff in a loop (each
 * save one transaction that rewrites several fields, or several rows) and
 * reports each finished save on a pipe. The parent kills it with SIGKILL
 * after a random number of saves plus a random few microseconds, reopens
 * the store, and checks: integrity_check is ok; every record is entirely
 * one version (never fields from two); no save the child reported is lost;
 * the sealed password opens and belongs to the same version. Several
 * rounds, each bounded by poll timeouts, not by sleeping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "secret.h"
#include "store.h"

#define ROUNDS   8
#define NMODULES 3

static char dir[256], path[320];

/* Version v of the module: every field derived from v. */
static void module_version(dc_module *m, int64_t v)
{
	snprintf(m->url, sizeof(m->url), "https://v%lld.example:1500/dcimgr",
	         (long long)v);
	snprintf(m->username, sizeof(m->username), "user%lld", (long long)v);
	snprintf(m->parking_type, sizeof(m->parking_type), "park%lld",
	         (long long)v);
	m->sorting = v;
	m->wipe_disks = v % 2;
	m->insecure = v % 3 == 0;
}

static int64_t module_version_of(const dc_module *m)
{
	long long v;
	if (sscanf(m->url, "https://v%lld.example", &v) != 1)
		return -1;
	dc_module want = *m;
	module_version(&want, v);
	if (strcmp(want.username, m->username) ||
	    strcmp(want.parking_type, m->parking_type) ||
	    want.sorting != m->sorting || want.wipe_disks != m->wipe_disks ||
	    want.insecure != m->insecure)
		return -2; /* half of one version, half of another */
	return v;
}

/* Version v of the tariff: its server type and the number and order of
 * its modules (rows in another table) go together. */
static void tariff_version(dc_tariff *t, const int64_t *mods, int64_t v)
{
	snprintf(t->server_type, sizeof(t->server_type), "type%lld",
	         (long long)v);
	t->nmodules = 1 + (size_t)(v % NMODULES);
	for (size_t i = 0; i < t->nmodules; i++)
		t->modules[i] = mods[(i + (size_t)v) % NMODULES];
}

static int64_t tariff_version_of(const dc_tariff *t, const int64_t *mods)
{
	long long v;
	if (sscanf(t->server_type, "type%lld", &v) != 1)
		return -1;
	dc_tariff want = *t;
	tariff_version(&want, mods, v);
	if (want.nmodules != t->nmodules ||
	    memcmp(want.modules, t->modules,
	           t->nmodules * sizeof(t->modules[0])))
		return -2;
	return v;
}

static void password_of(char *buf, size_t len, int64_t v)
{
	snprintf(buf, len, "pw-%lld-%s", (long long)v,
	         "padding-to-make-it-longer");
}

/* The child: never returns. Exit codes other than death by SIGKILL are
 * failures the parent reports. */
static void child(int wfd, int64_t start, const int64_t *mods,
                  int64_t module_id, int64_t tariff_id)
{
	dc_err err;
	dc_store *st = store_open(path, &err);
	if (!st)
		_exit(2);
	dc_module m;
	dc_tariff t;
	if (module_get(st, module_id, &m, &err) ||
	    tariff_get(st, tariff_id, &t, &err))
		_exit(3);
	for (int64_t v = start;; v++) {
		char pw[64];
		password_of(pw, sizeof(pw), v);
		module_version(&m, v);
		if (module_update(st, &m, pw, &err))
			_exit(4);
		tariff_version(&t, mods, v);
		if (tariff_update(st, &t, &err))
			_exit(5);
		/* both saved: report v */
		if (write(wfd, &v, sizeof(v)) != sizeof(v))
			_exit(6);
	}
}

static void test_kill_during_save(void **state)
{
	const char *tmp = getenv("DCITEST_TMP");
	snprintf(dir, sizeof(dir), "%s/crash-XXXXXX",
	         tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/store.db", dir);

	dc_err err;
	dc_store *st = store_open(path, &err);
	assert_non_null(st);
	dc_department d = {.name = "NOC"};
	assert_int_equal(department_add(st, &d, &err), 0);
	dc_conn c = {
	    .name = "ipm", .url = "https://ipm/ipmgr", .username = "a"};
	assert_int_equal(ipmgr_add(st, &c, "pw", &err), 0);
	int64_t mods[NMODULES];
	dc_module m;
	for (int i = 0; i < NMODULES; i++) {
		memset(&m, 0, sizeof(m));
		snprintf(m.name, sizeof(m.name), "m%d", i);
		module_version(&m, 0);
		m.ipmgr_id = c.id;
		m.department_id = d.id;
		m.enabled = true;
		char pw[64];
		password_of(pw, sizeof(pw), 0);
		assert_int_equal(module_add(st, &m, pw, &err), 0);
		mods[i] = m.id;
	}
	dc_tariff t;
	memset(&t, 0, sizeof(t));
	snprintf(t.name, sizeof(t.name), "T");
	t.enabled = true;
	tariff_version(&t, mods, 0);
	assert_int_equal(tariff_add(st, &t, &err), 0);
	store_close(st); /* no SQLite connection may cross fork() */

	unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	printf("# seed %u\n", seed);
	int64_t last = 0; /* the last version the child reported */
	for (int round = 0; round < ROUNDS; round++) {
		int p[2];
		assert_int_equal(pipe(p), 0);
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(p[0]);
			child(p[1], last + 1, mods, mods[0], t.id);
		}
		close(p[1]);
		/* Let it finish 1..40 saves, then strike mid-save. */
		int want = 1 + rand_r(&seed) % 40;
		for (int got = 0; got < want;) {
			struct pollfd pfd = {.fd = p[0], .events = POLLIN};
			int pr = poll(&pfd, 1, 20000);
			if (pr <= 0) {
				kill(pid, SIGKILL);
				waitpid(pid, NULL, 0);
				fail_msg("round %d: child made no progress",
				         round);
			}
			int64_t v;
			ssize_t r = read(p[0], &v, sizeof(v));
			if (r != sizeof(v)) {
				int status;
				waitpid(pid, &status, 0);
				fail_msg("round %d: child stopped (status %d)",
				         round, status);
			}
			last = v;
			got++;
		}
		struct timespec ts = {0, (long)(rand_r(&seed) % 2000) * 1000};
		nanosleep(&ts, NULL); /* a random moment, not a wait */
		kill(pid, SIGKILL);
		int status;
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
		/* saves reported after our last read were also committed */
		int64_t v;
		while (read(p[0], &v, sizeof(v)) == sizeof(v))
			last = v;
		close(p[0]);

		st = store_open(path, &err);
		if (!st)
			fail_msg("round %d: reopen: %s", round, err.msg);
		sqlite3_stmt *s;
		assert_int_equal(sqlite3_prepare_v2(store_db(st),
		                                    "PRAGMA integrity_check",
		                                    -1, &s, NULL),
		                 SQLITE_OK);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(s, 0),
		                    "ok");
		sqlite3_finalize(s);
		assert_int_equal(sqlite3_prepare_v2(store_db(st),
		                                    "PRAGMA foreign_key_check",
		                                    -1, &s, NULL),
		                 SQLITE_OK);
		assert_int_equal(sqlite3_step(s), SQLITE_DONE);
		sqlite3_finalize(s);

		assert_int_equal(module_get(st, mods[0], &m, &err), 0);
		int64_t mv = module_version_of(&m);
		assert_true(mv >= 0);
		char *pw = module_password(st, mods[0], &err);
		assert_non_null(pw);
		char want_pw[64];
		password_of(want_pw, sizeof(want_pw), mv);
		assert_string_equal(pw, want_pw);
		secret_free(pw);
		assert_int_equal(tariff_get(st, t.id, &t, &err), 0);
		int64_t tv = tariff_version_of(&t, mods);
		assert_true(tv >= 0);
		/* each save is old or new: the module may be one ahead of
		 * the tariff (killed between the two transactions), never
		 * behind the last reported save */
		assert_true(mv == tv || mv == tv + 1);
		assert_true(tv >= last);
		assert_true(mv <= last + 1);
		printf("# round %d: %d saves, killed at v%lld/%lld\n", round,
		       want, (long long)mv, (long long)tv);
		last = mv;
		/* the next child starts from what is stored */
		if (tv != mv) {
			tariff_version(&t, mods, mv);
			assert_int_equal(tariff_update(st, &t, &err), 0);
		}
		store_close(st);
	}
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kill_during_save),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
