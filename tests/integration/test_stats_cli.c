/* test_stats_cli.c - `dcictl stats collect|show|burst` as a script or cron
 * runs them, against dcisim with a virtual clock: summaries, totals, CSV
 * and JSON equal the simulator's ground truth; bad input is refused with a
 * message naming the option and changes nothing; a run hit by faults
 * exits non-zero and the next run completes the data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "simproc.h"
#include "stats.h"
#include "store.h"

#define T0        1767268800LL /* 2026-01-01 12:00 UTC, virtual */
#define DAY       "2025-12-31"
#define DAY_START 1767139200LL

typedef struct fx {
	simproc sim;
	char dir[512];
	char store[600];
	char config[600];
	const char *tz; /* TZ for dcictl, NULL: as inherited */
} fx;

typedef struct run {
	int code;
	char *out, *err;
} run;

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;
	if (!f)
		return strdup("");
	FILE *m = open_memstream(&buf, &len);
	int c;
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(m);
	fclose(f);
	return buf;
}

/* Runs dcictl with args (NULL-terminated) and the test's config. */
static run dcictl(fx *f, const char *const *args)
{
	const char *bin = getenv("DCICTL");
	char op[700], ep[700];
	const char *argv[32];
	int n = 0;
	run r = {-1, NULL, NULL};

	snprintf(op, sizeof(op), "%s/out", f->dir);
	snprintf(ep, sizeof(ep), "%s/err", f->dir);
	argv[n++] = bin && *bin ? bin : "build/dcictl";
	for (int i = 0; args[i] && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	pid_t pid = fork();
	if (pid == 0) {
		int o = open(op, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int e = open(ep, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int z = open("/dev/null", O_RDONLY);
		if (o < 0 || e < 0 || z < 0)
			_exit(127);
		dup2(z, 0);
		dup2(o, 1);
		dup2(e, 2);
		setenv("DCICTL_CONFIG", f->config, 1);
		if (f->tz)
			setenv("TZ", f->tz, 1);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	int st;
	if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st))
		r.code = WEXITSTATUS(st);
	r.out = slurp(op);
	r.err = slurp(ep);
	return r;
}

static void run_free(run *r)
{
	free(r->out);
	free(r->err);
}

static long long jnum(const char *json, const char *key)
{
	char k[80];
	snprintf(k, sizeof(k), "\"%s\": ", key);
	const char *p = strstr(json, k);
	if (!p)
		fail_msg("no %s in %s", key, json);
	return strtoll(p + strlen(k), NULL, 10);
}

static double jdbl(const char *json, const char *key)
{
	char k[80];
	snprintf(k, sizeof(k), "\"%s\": ", key);
	const char *p = strstr(json, k);
	if (!p)
		fail_msg("no %s in %s", key, json);
	return strtod(p + strlen(k), NULL);
}

static double tagnum(const char *xml, const char *tag)
{
	char open[64];
	snprintf(open, sizeof(open), "<%s>", tag);
	const char *p = strstr(xml, open);
	if (!p)
		fail_msg("no <%s> in %s", tag, xml);
	return strtod(p + strlen(open), NULL);
}

static char *ctl(fx *f, const char *body)
{
	char *ans = NULL;
	if (simproc_ctl(&f->sim, body, &ans) < 0 || !ans ||
	    strstr(ans, "<error"))
		fail_msg("simctl %s: %s", body, ans ? ans : "failed");
	return ans;
}

static int setup(void **state)
{
	fx *f = calloc(1, sizeof(*f));
	const char *base = getenv("DCITEST_TMP");
	char tt[32];
	dc_err err;
	FILE *c;

	if (!f)
		return -1;
	snprintf(tt, sizeof(tt), "%lld", T0);
	const char *args[] = {"--servers", "12", "--clock", tt, NULL};
	if (simproc_start(&f->sim, args) < 0)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/statscli.XXXXXX",
	         base && *base ? base : "/tmp");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->store, sizeof(f->store), "%s/store.db", f->dir);
	snprintf(f->config, sizeof(f->config), "%s/config", f->dir);
	dc_store *st = store_open(f->store, &err);
	if (!st)
		return -1;
	dc_department d = {.name = "NOC"};
	dc_conn ipm = {.name = "ipm", .username = "admin"};
	snprintf(ipm.url, sizeof(ipm.url), "%s", f->sim.ipmgr);
	dc_module m;
	memset(&m, 0, sizeof(m));
	snprintf(m.name, sizeof(m.name), "dc1");
	snprintf(m.url, sizeof(m.url), "%s", f->sim.dcimgr[0]);
	snprintf(m.username, sizeof(m.username), "admin");
	snprintf(m.parking_type, sizeof(m.parking_type), "parking");
	m.sorting = 10;
	m.enabled = true;
	if (department_add(st, &d, &err) < 0 ||
	    ipmgr_add(st, &ipm, "admin", &err) < 0)
		return -1;
	m.ipmgr_id = ipm.id;
	m.department_id = d.id;
	if (module_add(st, &m, "admin", &err) < 0)
		return -1;
	store_close(st);
	if (!(c = fopen(f->config, "w")))
		return -1;
	/* the virtual clock is in the past of ours: keep what it makes */
	fprintf(c, "store = \"%s\";\nstats_retention_days = 36500;\n",
	        f->store);
	fclose(c);
	chmod(f->config, 0600);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx *f = *state;
	char cmd[700];
	simproc_stop(&f->sim);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", f->dir);
	free(f);
	return 0;
}

#define SINCE "2025-12-30" /* two and a half days before T0 */

static void collect_ok(fx *f)
{
	const char *a[] = {"--json",  "stats", "collect",
	                   "--since", SINCE,   NULL};
	run r = dcictl(f, a);
	if (r.code != 0)
		fail_msg("stats collect: exit %d: %s", r.code, r.err);
	assert_int_equal(jnum(r.out, "servers"), 12);
	assert_int_equal(jnum(r.out, "servers_failed"), 0);
	assert_true(jnum(r.out, "buckets_stored") > 12 * 500);
	run_free(&r);
}

static void test_collect_show_totals(void **state)
{
	fx *f = *state;
	const char *a[] = {"stats", "collect", "--since", SINCE, NULL};
	run r = dcictl(f, a);
	assert_int_equal(r.code, 0);
	assert_non_null(strstr(r.out, "servers_ok:      12"));
	assert_non_null(strstr(r.out, "buckets_stored:"));
	assert_non_null(strstr(r.out, "newest_bucket:   2026-01-01 11:55"));
	run_free(&r);

	/* totals of one day equal the simulator's truth */
	char *t = ctl(f, "func=stat.truth&dc=1&elid=4&begin=1767139200&end="
	                 "1767225600");
	const char *s[] = {"--json",   "stats", "show", "dc1/4",
	                   "--from",   DAY,     "--to", "2026-01-01",
	                   "--totals", NULL};
	r = dcictl(f, s);
	assert_int_equal(r.code, 0);
	assert_int_equal(jnum(r.out, "in_kib"), (long long)tagnum(t, "sum_in"));
	assert_int_equal(jnum(r.out, "out_kib"),
	                 (long long)tagnum(t, "sum_out"));
	assert_int_equal(jnum(r.out, "buckets"),
	                 (long long)tagnum(t, "present"));
	assert_null(strstr(r.out, "\"buckets\": ["));
	run_free(&r);
	free(t);

	/* text rows: one line per bucket with the header */
	const char *rows[] = {"stats",
	                      "show",
	                      "4",
	                      "--module",
	                      "dc1",
	                      "--from",
	                      "2026-01-01 10:00",
	                      "--to",
	                      "2026-01-01 11:00",
	                      NULL};
	r = dcictl(f, rows);
	assert_int_equal(r.code, 0);
	assert_non_null(strstr(r.out, "IN KIB"));
	assert_non_null(strstr(r.out, "2026-01-01 10:00"));
	assert_null(strstr(r.out, "2026-01-01 11:00 ")); /* to is exclusive */
	run_free(&r);
}

static void test_csv(void **state)
{
	fx *f = *state;
	collect_ok(f);
	const char *a[] = {"stats", "show",       "dc1/2", "--from", DAY,
	                   "--to",  "2026-01-01", "--csv", NULL};
	run r = dcictl(f, a);
	assert_int_equal(r.code, 0);
	char *t = ctl(f, "func=stat.truth&dc=1&elid=2&begin=1767139200&end="
	                 "1767225600");
	size_t lines = 0;
	uint64_t sum_in = 0;
	for (char *p = r.out; *p;) {
		char *nl = strchr(p, '\n');
		if (!nl)
			break;
		*nl = '\0';
		if (lines == 0)
			assert_string_equal(p, "time,local_time,in_kib,out_kib,"
			                       "power_w,in_bps,out_bps");
		else
			sum_in += strtoull(strchr(strchr(p, ',') + 1, ',') + 1,
			                   NULL, 10);
		lines++;
		p = nl + 1;
	}
	assert_int_equal(lines - 1, (size_t)tagnum(t, "present"));
	assert_int_equal(sum_in, (uint64_t)tagnum(t, "sum_in"));
	free(t);
	run_free(&r);
}

static void test_burst(void **state)
{
	fx *f = *state;
	collect_ok(f);
	char *t = ctl(f, "func=stat.truth&dc=1&elid=6&begin=1767139200&end="
	                 "1767225600");
	const char *a[] = {"--json", "stats", "burst", "dc1/6",
	                   "--day",  DAY,     NULL};
	run r = dcictl(f, a);
	assert_int_equal(r.code, 0);
	assert_true(fabs(jdbl(r.out, "burst_in_day") - tagnum(t, "burst_in")) <
	            0.0005);
	assert_true(fabs(jdbl(r.out, "burst_out_day") -
	                 tagnum(t, "burst_out")) < 0.0005);
	assert_true(fabs(jdbl(r.out, "coverage") -
	                 tagnum(t, "present") / 288.0) < 0.00005);
	assert_int_equal(jnum(r.out, "buckets_in"),
	                 (long long)tagnum(t, "present"));
	assert_non_null(strstr(r.out, "\"stored\": true"));
	run_free(&r);
	free(t);
	/* by name, in text */
	const char *b[] = {"stats", "burst", "dc1-r01-u06", "--day", DAY, NULL};
	r = dcictl(f, b);
	assert_int_equal(r.code, 0);
	assert_non_null(strstr(r.out, "burst_in_day:"));
	assert_non_null(strstr(r.out, "coverage:"));
	run_free(&r);
}

/* stats_timezone = "Europe/Moscow": dcictl makes it the process zone
 * itself, whatever TZ it was started with, so a day is the Moscow day
 * (21:00 UTC to 21:00 UTC) and times are shown in Moscow time. */
static void test_named_zone(void **state)
{
	fx *f = *state;
	const char *dir = getenv("TZDIR");
	char zpath[512];
	FILE *c;

	snprintf(zpath, sizeof(zpath), "%s/Europe/Moscow",
	         dir && *dir ? dir : "/usr/share/zoneinfo");
	if (access(zpath, R_OK) != 0) {
		print_message("no tzdata (%s): skipped\n", zpath);
		skip();
	}
	collect_ok(f);
	assert_non_null(c = fopen(f->config, "w"));
	fprintf(c,
	        "store = \"%s\";\nstats_retention_days = 36500;\n"
	        "stats_timezone = \"Europe/Moscow\";\n",
	        f->store);
	fclose(c);
	f->tz = "UTC"; /* the shell's zone must not matter */

	/* Moscow is UTC+3 all year: its 2025-12-31 starts 3 h earlier */
	char body[200];
	snprintf(body, sizeof(body),
	         "func=stat.truth&dc=1&elid=6&begin=%lld&end=%lld",
	         DAY_START - 10800, DAY_START + 86400 - 10800);
	char *msk = ctl(f, body);
	char *utc = ctl(f, "func=stat.truth&dc=1&elid=6&begin=1767139200&end="
	                   "1767225600");
	/* the two days differ, or this would not tell the zones apart */
	assert_true(fabs(tagnum(msk, "burst_in") - tagnum(utc, "burst_in")) >
	            0.001);
	const char *a[] = {"--json", "stats", "burst", "dc1/6",
	                   "--day",  DAY,     NULL};
	run r = dcictl(f, a);
	if (r.code != 0)
		fail_msg("stats burst: exit %d: %s", r.code, r.err);
	assert_true(fabs(jdbl(r.out, "burst_in_day") -
	                 tagnum(msk, "burst_in")) < 0.0005);
	assert_int_equal(jnum(r.out, "buckets_in"),
	                 (long long)tagnum(msk, "present"));
	run_free(&r);
	free(msk);
	free(utc);

	/* 13:00 Moscow is 10:00 UTC: the first row is that bucket */
	const char *s[] = {"--json", "stats",
	                   "show",   "dc1/4",
	                   "--from", "2026-01-01 13:00",
	                   "--to",   "2026-01-01 14:00",
	                   NULL};
	r = dcictl(f, s);
	if (r.code != 0)
		fail_msg("stats show: exit %d: %s", r.code, r.err);
	assert_int_equal(jnum(r.out, "time"), T0 - 7200);
	run_free(&r);
	const char *t[] = {"stats",
	                   "show",
	                   "dc1/4",
	                   "--from",
	                   "2026-01-01 13:00",
	                   "--to",
	                   "2026-01-01 13:10",
	                   NULL};
	r = dcictl(f, t);
	assert_int_equal(r.code, 0);
	assert_non_null(strstr(r.out, "2026-01-01 13:05"));
	assert_null(strstr(r.out, "2026-01-01 10:05"));
	run_free(&r);
}

static uint64_t count_buckets(fx *f)
{
	dc_err err;
	dc_store *st = store_open(f->store, &err);
	sqlite3_stmt *s;
	assert_non_null(st);
	assert_int_equal(sqlite3_prepare_v2(store_db(st),
	                                    "SELECT count(*) FROM stat_bucket",
	                                    -1, &s, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	uint64_t n = (uint64_t)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	store_close(st);
	return n;
}

static void refused(fx *f, const char *const *args, const char *msg)
{
	run r = dcictl(f, args);
	if (r.code == 0 || !strstr(r.err, msg))
		fail_msg("%s %s: exit %d, stderr '%s' (wanted '%s')", args[0],
		         args[1], r.code, r.err, msg);
	run_free(&r);
}

static void test_bad_input_changes_nothing(void **state)
{
	fx *f = *state;
	collect_ok(f);
	uint64_t before = count_buckets(f);
	const char *a1[] = {"stats", "collect", "--since", "yesterday", NULL};
	refused(f, a1, "--since yesterday");
	const char *a2[] = {"stats", "collect", "--module", "nope", NULL};
	refused(f, a2, "no module named \"nope\"");
	const char *a3[] = {"stats", "show", "nosuch", NULL};
	refused(f, a3, "no server or service named \"nosuch\"");
	const char *a4[] = {"stats", "burst",      "dc1/3",
	                    "--day", "2025-02-30", NULL};
	refused(f, a4, "--day 2025-02-30");
	const char *a5[] = {"stats",      "show", "dc1/3",      "--from",
	                    "2026-01-01", "--to", "2025-12-31", NULL};
	refused(f, a5, "--from must be before --to");
	const char *a6[] = {"stats", "show",     "dc1/3",
	                    "--csv", "--totals", NULL};
	refused(f, a6, "--csv goes alone");
	const char *a7[] = {"stats", "burst", "dc1/3", NULL};
	refused(f, a7, "day");
	const char *a8[] = {"--read-only", "stats", "collect", NULL};
	refused(f, a8, "read-only");
	const char *a9[] = {"stats", "collect", "--parallel", "0", NULL};
	refused(f, a9, "parallel");
	assert_int_equal(count_buckets(f), before);
}

static void test_faults_then_clean_run(void **state)
{
	fx *f = *state;
	collect_ok(f);
	free(ctl(f, "func=clock.advance&seconds=21600"));
	free(ctl(f, "func=fault.set&target=dcimgr&func_name=server.stat&kind="
	            "http500&count=5"));
	const char *a[] = {"stats", "collect", NULL};
	run r = dcictl(f, a);
	assert_int_equal(r.code, 1);
	assert_non_null(strstr(r.err, "5 of 12 servers failed"));
	assert_non_null(strstr(r.err, "asked again on the next run"));
	run_free(&r);
	free(ctl(f, "func=fault.clear"));
	r = dcictl(f, a);
	assert_int_equal(r.code, 0);
	run_free(&r);
	/* everything from --since to the virtual now, exactly once */
	for (long id = 1; id <= 12; id++) {
		char body[200], arg[32];
		snprintf(
		    body, sizeof(body),
		    "func=stat.truth&dc=1&elid=%ld&begin=1767052800&end=%lld",
		    id, T0 + 21600);
		char *t = ctl(f, body);
		snprintf(arg, sizeof(arg), "dc1/%ld", id);
		const char *s[] = {
		    "--json",     "stats", "show",       arg,        "--from",
		    "1767052800", "--to",  "1767290400", "--totals", NULL};
		r = dcictl(f, s);
		assert_int_equal(r.code, 0);
		assert_int_equal(jnum(r.out, "buckets"),
		                 (long long)tagnum(t, "present"));
		assert_int_equal(jnum(r.out, "in_kib"),
		                 (long long)tagnum(t, "sum_in"));
		run_free(&r);
		free(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_collect_show_totals, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_csv, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_burst, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_named_zone, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_input_changes_nothing,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_faults_then_clean_run, setup,
	                                    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
