/* test_stats.c - the statistics collector and store against dcisim with a
 * virtual clock: stored buckets equal the simulator's ground truth, daily
 * burst and coverage of a day with gaps equal an independent computation,
 * totals equal the panel's traffic report, a collector stopped for 6 hours
 * back-fills exactly the missing buckets, and faults during collection
 * leave neither duplicates nor holes after the next clean run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dci.h"
#include "panel.h"
#include "service.h"
#include "simproc.h"
#include "stats.h"
#include "store.h"

#define NSERVERS 24
/* 2026-01-01 12:00 UTC: a fixed virtual time keeps the data the same on
 * every run. */
#define T0 1767268800LL

typedef struct fx {
	simproc sim;
	char dir[512];
	dc_store *st;
	int64_t module_id;
	char module[32];
} fx;

#define CHECK(call)                                                            \
	do {                                                                   \
		dc_err e_;                                                     \
		err_clear(&e_);                                                \
		if ((call) < 0) {                                              \
			char l_[1024];                                         \
			fail_msg("%s: %s", #call,                              \
			         err_line(&e_, l_, sizeof(l_)));               \
		}                                                              \
	} while (0)

static void rm_tree(const char *dir)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

/* Text of <tag> in an answer as a number; fails the test if absent. */
static double tagnum(const char *xml, const char *tag)
{
	char open[64];
	snprintf(open, sizeof(open), "<%s>", tag);
	const char *p = strstr(xml, open);
	if (!p)
		fail_msg("no <%s> in %s", tag, xml);
	return strtod(p + strlen(open), NULL);
}

static char *ctl(fx *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static char *ctl(fx *f, const char *fmt, ...)
{
	char body[512], *ans = NULL;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	if (simproc_ctl(&f->sim, body, &ans) < 0 || !ans)
		fail_msg("simctl %s failed", body);
	if (strstr(ans, "<error"))
		fail_msg("simctl %s: %s", body, ans);
	return ans;
}

static int64_t sim_now(fx *f)
{
	char *a = ctl(f, "func=clock.get");
	int64_t t = (int64_t)tagnum(a, "now");
	free(a);
	return t;
}

static void advance(fx *f, long seconds)
{
	free(ctl(f, "func=clock.advance&seconds=%ld", seconds));
}

typedef struct truth {
	uint64_t expected, present, sum_in, sum_out;
	double burst_in, burst_out;
} truth;

static truth get_truth(fx *f, long id, int64_t b, int64_t e)
{
	char *a = ctl(f, "func=stat.truth&dc=1&elid=%ld&begin=%lld&end=%lld",
	              id, (long long)b, (long long)e);
	truth t = {
	    (uint64_t)tagnum(a, "expected"), (uint64_t)tagnum(a, "present"),
	    (uint64_t)tagnum(a, "sum_in"),   (uint64_t)tagnum(a, "sum_out"),
	    tagnum(a, "burst_in"),           tagnum(a, "burst_out")};
	free(a);
	return t;
}

typedef struct tbucket {
	bool present;
	uint64_t in, out;
	double power;
} tbucket;

static tbucket get_bucket(fx *f, long id, int64_t t)
{
	char *a = ctl(f, "func=stat.bucket&dc=1&elid=%ld&time=%lld", id,
	              (long long)t);
	tbucket b = {0};
	if (strstr(a, "<present/>")) {
		b.present = true;
		b.in = (uint64_t)tagnum(a, "in");
		b.out = (uint64_t)tagnum(a, "out");
		b.power = tagnum(a, "power");
	}
	free(a);
	return b;
}

static int setup(void **state)
{
	fx *f = calloc(1, sizeof(*f));
	char tt[32], path[600];
	const char *base = getenv("DCITEST_TMP");
	dc_err err;

	if (!f)
		return -1;
	snprintf(tt, sizeof(tt), "%lld", T0);
	const char *args[] = {"--servers", "24", "--clock", tt, NULL};
	if (simproc_start(&f->sim, args) < 0)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/stats.XXXXXX",
	         base && *base ? base : "/tmp");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(path, sizeof(path), "%s/store.db", f->dir);
	if (!(f->st = store_open(path, &err))) {
		fprintf(stderr, "store_open: %s\n", err.msg);
		return -1;
	}
	dc_department d = {.name = "NOC"};
	dc_conn c = {.name = "ipm", .username = "admin"};
	snprintf(c.url, sizeof(c.url), "%s", f->sim.ipmgr);
	dc_module m;
	memset(&m, 0, sizeof(m));
	snprintf(f->module, sizeof(f->module), "dc1");
	snprintf(m.name, sizeof(m.name), "%s", f->module);
	snprintf(m.url, sizeof(m.url), "%s", f->sim.dcimgr[0]);
	snprintf(m.username, sizeof(m.username), "admin");
	snprintf(m.parking_type, sizeof(m.parking_type), "parking");
	m.sorting = 10;
	m.enabled = true;
	if (department_add(f->st, &d, &err) < 0 ||
	    ipmgr_add(f->st, &c, "admin", &err) < 0)
		return -1;
	m.ipmgr_id = c.id;
	m.department_id = d.id;
	if (module_add(f->st, &m, "admin", &err) < 0) {
		fprintf(stderr, "module_add: %s\n", err.msg);
		return -1;
	}
	f->module_id = m.id;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx *f = *state;
	store_close(f->st);
	simproc_stop(&f->sim);
	rm_tree(f->dir);
	free(f);
	return 0;
}

static stats_collect_opts opts(fx *f, int64_t since)
{
	stats_collect_opts o = {0};
	o.module = f->module;
	o.since = since;
	o.now = sim_now(f); /* our clock is the simulator's */
	o.max_parallel = 4;
	o.timeout_ms = 20000;
	return o;
}

static uint64_t count_rows(fx *f, long id, int64_t from, int64_t to)
{
	statmath_bucket *b;
	size_t n;
	CHECK(stats_buckets(f->st, f->module_id, id, from, to, &b, &n, &e_));
	free(b);
	return n;
}

static uint64_t count_all(fx *f)
{
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(store_db(f->st),
	                                    "SELECT count(*) FROM stat_bucket",
	                                    -1, &s, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	uint64_t n = (uint64_t)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* Every server's stored buckets in [from, to) against the truth: same
 * count and the same sums, so nothing is missing, doubled or altered. */
static void assert_equal_truth(fx *f, int64_t from, int64_t to)
{
	for (long id = 1; id <= NSERVERS; id++) {
		truth t = get_truth(f, id, from, to);
		statmath_totals tot;
		CHECK(
		    stats_totals(f->st, f->module_id, id, from, to, &tot, &e_));
		if (tot.n != t.present || tot.in_kib != t.sum_in ||
		    tot.out_kib != t.sum_out)
			fail_msg("server %ld [%lld,%lld): stored %zu buckets "
			         "in %" PRIu64 " out %" PRIu64
			         ", truth %" PRIu64 " in %" PRIu64
			         " out %" PRIu64,
			         id, (long long)from, (long long)to, tot.n,
			         tot.in_kib, tot.out_kib, t.present, t.sum_in,
			         t.sum_out);
	}
}

/* ---- tests -------------------------------------------------------------- */

static void test_buckets_equal_truth(void **state)
{
	fx *f = *state;
	int64_t now = sim_now(f), since = now - 2 * 86400;
	stats_collect_result r;
	stats_collect_opts o = opts(f, since);

	CHECK(stats_collect(f->st, &o, &r, &e_));
	assert_int_equal(r.servers, NSERVERS);
	assert_int_equal(r.servers_ok, NSERVERS);
	assert_int_equal(r.servers_failed, 0);
	assert_int_equal(r.buckets, count_all(f));
	assert_equal_truth(f, since, now);
	/* Bucket by bucket for two servers over a few hours: values and the
	 * missing ones. */
	for (long id = 1; id <= 2; id++) {
		statmath_bucket *b;
		size_t n, k = 0;
		int64_t from = now - 6 * 3600;
		CHECK(stats_buckets(f->st, f->module_id, id, from, now, &b, &n,
		                    &e_));
		for (int64_t t = from; t < now - 300; t += 300) {
			tbucket tb = get_bucket(f, id, t);
			bool have = k < n && b[k].time == t;
			assert_int_equal(have, tb.present);
			if (!have)
				continue;
			assert_int_equal(b[k].in_kib, tb.in);
			assert_int_equal(b[k].out_kib, tb.out);
			assert_true(fabs(b[k].power_w - tb.power) < 1e-9);
			assert_int_equal(b[k].present, STATMATH_HAS_ALL);
			k++;
		}
		free(b);
	}
	/* A second run finds nothing new and writes nothing. */
	uint64_t before = count_all(f);
	o = opts(f, 0);
	CHECK(stats_collect(f->st, &o, &r, &e_));
	assert_int_equal(r.buckets, 0);
	assert_int_equal(count_all(f), before);
}

/* Burst of one day computed here from the simulator's buckets, as
 * domain.md 7 says: present buckets only, sorted, rank ceil(0.95 n). */
static void independent_burst(fx *f, long id, int64_t day, double *bin,
                              double *bout, size_t *n)
{
	uint64_t in[288], out[288];
	size_t k = 0;
	for (int i = 0; i < 288; i++) {
		tbucket b = get_bucket(f, id, day + i * 300);
		if (b.present) {
			in[k] = b.in;
			out[k] = b.out;
			k++;
		}
	}
	*n = k;
	if (!k) {
		*bin = *bout = NAN;
		return;
	}
	/* insertion sort: 288 values at most */
	for (size_t i = 1; i < k; i++)
		for (size_t j = i; j > 0 && in[j - 1] > in[j]; j--) {
			uint64_t x = in[j];
			in[j] = in[j - 1];
			in[j - 1] = x;
		}
	for (size_t i = 1; i < k; i++)
		for (size_t j = i; j > 0 && out[j - 1] > out[j]; j--) {
			uint64_t x = out[j];
			out[j] = out[j - 1];
			out[j - 1] = x;
		}
	size_t rank = (size_t)ceil(0.95 * (double)k - 1e-9);
	*bin = (double)in[rank - 1] * 1024.0 * 8.0 / 300.0 / 1e6;
	*bout = (double)out[rank - 1] * 1024.0 * 8.0 / 300.0 / 1e6;
}

static void test_day_with_gaps(void **state)
{
	fx *f = *state;
	int64_t now = sim_now(f), day = (now / 86400 - 1) * 86400;
	stats_collect_result r;
	stats_collect_opts o = opts(f, now - 2 * 86400);
	statmath_zone utc = statmath_zone_utc();
	long id = 0;

	CHECK(stats_collect(f->st, &o, &r, &e_));
	/* the first server whose previous day has gaps */
	for (long s = 1; s <= NSERVERS && !id; s++)
		if (get_truth(f, s, day, day + 86400).present < 288)
			id = s;
	if (!id)
		fail_msg("no server with gaps on the previous day: the "
		         "simulator's generator changed?");
	double bin, bout;
	size_t n;
	independent_burst(f, id, day, &bin, &bout, &n);
	assert_true(n < 288 && n > 0);

	statmath_day d;
	CHECK(statmath_day_parse(&utc, "2025-12-31", &d, &e_));
	assert_int_equal(d.start, day);
	stats_day_row row;
	CHECK(stats_day_get(f->st, f->module_id, id, &utc, &d, &row, &e_));
	assert_true(row.stored); /* written by the collector */
	assert_int_equal(row.n_in, n);
	assert_true(fabs(row.burst_in - bin) < 1e-9);
	assert_true(fabs(row.burst_out - bout) < 1e-9);
	assert_true(fabs(row.coverage - (double)n / 288.0) < 1e-12);
	/* and the simulator's own figure agrees */
	truth t = get_truth(f, id, day, day + 86400);
	assert_true(fabs(row.burst_in - t.burst_in) < 1e-5);
	assert_true(fabs(row.burst_out - t.burst_out) < 1e-5);

	/* The query of the day range gives the same stored row. */
	stats_day_row *rows;
	size_t nr;
	CHECK(stats_days(f->st, f->module_id, id, &utc, day, day + 86400, &rows,
	                 &nr, &e_));
	assert_int_equal(nr, 1);
	assert_true(fabs(rows[0].burst_in - bin) < 1e-9);
	free(rows);
}

static void test_totals_equal_traffic_report(void **state)
{
	fx *f = *state;
	int64_t now = sim_now(f), day = (now / 86400 - 1) * 86400;
	stats_collect_result r;
	stats_collect_opts o = opts(f, now - 2 * 86400);
	dci_traffic_list *tl = NULL;

	CHECK(stats_collect(f->st, &o, &r, &e_));
	panel_opts po = {.url = f->sim.dcimgr[0],
	                 .username = "admin",
	                 .password = "admin",
	                 .timeout_ms = 20000};
	panel *p = panel_new(&po, NULL);
	assert_non_null(p);
	CHECK(dci_traffic(p, "previousday", &tl, &e_));
	assert_int_equal(tl->n, NSERVERS);
	for (size_t i = 0; i < tl->n; i++) {
		statmath_totals tot;
		CHECK(stats_totals(f->st, f->module_id, tl->v[i].id, day,
		                   day + 86400, &tot, &e_));
		assert_int_equal(tot.in_kib, (uint64_t)tl->v[i].rx);
		assert_int_equal(tot.out_kib, (uint64_t)tl->v[i].tx);
	}
	dci_traffic_list_free(tl);
	panel_free(p);
}

static int64_t cursor_of(fx *f, long id)
{
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(store_db(f->st),
	                                    "SELECT next_t FROM stat_cursor "
	                                    "WHERE module_id = ? AND "
	                                    "server_id = ?",
	                                    -1, &s, NULL),
	                 SQLITE_OK);
	sqlite3_bind_int64(s, 1, f->module_id);
	sqlite3_bind_int64(s, 2, id);
	int64_t v =
	    sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
	sqlite3_finalize(s);
	return v;
}

static void test_backfill_after_six_hours(void **state)
{
	fx *f = *state;
	int64_t t1 = sim_now(f), since = t1 - 86400;
	stats_collect_result r;
	stats_collect_opts o = opts(f, since);

	CHECK(stats_collect(f->st, &o, &r, &e_));
	uint64_t first = count_all(f);
	int64_t cur1 = cursor_of(f, 1), newest;
	CHECK(stats_newest(f->st, f->module_id, 1, &newest, &e_));
	assert_int_equal(cur1, newest + 300);

	advance(f, 6 * 3600); /* the collector is off for 6 hours */
	int64_t t2 = sim_now(f);
	uint64_t missing = 0;
	for (long id = 1; id <= NSERVERS; id++)
		missing += get_truth(f, id, cursor_of(f, id), t2).present;
	assert_true(missing > (uint64_t)NSERVERS * 60);
	o = opts(f, 0);
	CHECK(stats_collect(f->st, &o, &r, &e_));
	assert_int_equal(r.buckets, missing);
	assert_int_equal(count_all(f), first + missing);
	assert_equal_truth(f, since, t2);
	assert_true(cursor_of(f, 1) > cur1 + 6 * 3600 - 1200);
}

/* Our clock 30 days behind the panel's: windows end "in the future" for
 * us, and the collector still fetches every window up to the panel's
 * newest data in one run, also for servers whose data has an outage at
 * the end of a window. */
static void test_panel_clock_ahead(void **state)
{
	fx *f = *state;
	int64_t now = sim_now(f), since = 0;
	stats_collect_result r;
	long id = 0;

	/* a start whose first 7-day window ends in an outage of one server:
	 * its data does not reach the window's last hour */
	for (int k = 0; k < 24 * 4 && !id; k++) {
		int64_t s0 = now - 20 * 86400 + (int64_t)k * 3600;
		for (long sv = 1; sv <= NSERVERS && !id; sv++)
			if (get_truth(f, sv, s0 + 7 * 86400 - 3600,
			              s0 + 7 * 86400)
			        .present == 0) {
				id = sv;
				since = s0;
			}
	}
	if (!id)
		fail_msg("no outage at a window's end: the simulator's "
		         "generator changed?");
	stats_collect_opts o = opts(f, since);
	o.now = now - 30 * 86400;
	CHECK(stats_collect(f->st, &o, &r, &e_));
	assert_true(r.requests >= (size_t)NSERVERS * 3);
	assert_equal_truth(f, since, now);
}

static void test_since_after_cursor_keeps_the_gap(void **state)
{
	fx *f = *state;
	int64_t t1 = sim_now(f), since = t1 - 86400;
	stats_collect_result r;
	stats_collect_opts o = opts(f, since);

	CHECK(stats_collect(f->st, &o, &r, &e_));
	int64_t cur = cursor_of(f, 3);
	advance(f, 6 * 3600);
	int64_t t2 = sim_now(f);
	/* --since 1h: the last hour only; the 5 hours before it are not
	 * marked as collected */
	o = opts(f, t2 - 3600);
	CHECK(stats_collect(f->st, &o, &r, &e_));
	assert_int_equal(cursor_of(f, 3), cur);
	assert_int_equal(count_rows(f, 3, cur, t2 - 3600), 0);
	/* the next plain run fills the gap */
	o = opts(f, 0);
	CHECK(stats_collect(f->st, &o, &r, &e_));
	assert_equal_truth(f, since, t2);
}

static void test_faults_leave_no_duplicates_or_holes(void **state)
{
	fx *f = *state;
	int64_t t1 = sim_now(f), since = t1 - 2 * 86400;
	stats_collect_result r;
	stats_collect_opts o;
	int failures = 0;

	/* a clean first run, then collection every 30 minutes while random
	 * faults hit every call: 500s, resets, half-written bodies, bad XML */
	o = opts(f, since);
	CHECK(stats_collect(f->st, &o, &r, &e_));
	free(ctl(f, "func=fault.random&rate=0.35&seed=7&kinds=http500,reset,"
	            "truncate,badxml"));
	for (int run = 0; run < 6; run++) {
		dc_err e;
		advance(f, 1800);
		o = opts(f, 0);
		if (stats_collect(f->st, &o, &r, &e) < 0)
			failures++;
	}
	free(ctl(f, "func=fault.clear"));
	assert_true(failures > 0); /* the faults did hit */
	/* then a burst of truncated answers to server.stat only */
	free(ctl(f, "func=fault.set&target=dcimgr&func_name=server.stat&kind="
	            "truncate&count=10"));
	{
		dc_err e;
		o = opts(f, 0);
		assert_int_equal(stats_collect(f->st, &o, &r, &e), -1);
		assert_true(r.servers_failed > 0);
	}
	free(ctl(f, "func=fault.clear"));
	/* one clean run: everything there, exactly once */
	o = opts(f, 0);
	CHECK(stats_collect(f->st, &o, &r, &e_));
	assert_equal_truth(f, since, sim_now(f));
}

static void test_retention(void **state)
{
	fx *f = *state;
	int64_t now = sim_now(f);
	stats_collect_result r;
	stats_collect_opts o = opts(f, now - 3 * 86400);

	CHECK(stats_collect(f->st, &o, &r, &e_));
	assert_true(count_rows(f, 1, 0, now - 2 * 86400) > 200);
	o = opts(f, 0);
	o.retention_days = 1;
	CHECK(stats_collect(f->st, &o, &r, &e_));
	assert_true(r.deleted > 0);
	assert_int_equal(count_rows(f, 1, 0, now - 86400), 0);
	assert_true(count_rows(f, 1, now - 86400 + 600, now) > 200);
	/* a --since before the horizon asks only from the horizon on */
	o = opts(f, now - 3 * 86400);
	o.retention_days = 1;
	CHECK(stats_collect(f->st, &o, &r, &e_));
	assert_int_equal(count_rows(f, 1, 0, now - 86400), 0);
}

static void test_one_server_and_progress_and_cancel(void **state)
{
	fx *f = *state;
	stats_collect_result r;
	stats_collect_opts o = opts(f, sim_now(f) - 3600);

	o.server_id = 5;
	CHECK(stats_collect(f->st, &o, &r, &e_));
	assert_int_equal(r.servers, 1);
	assert_true(count_rows(f, 5, 0, INT64_MAX) > 0);
	assert_int_equal(count_rows(f, 6, 0, INT64_MAX), 0);
	/* a collector kept between runs reuses its panel (one login) */
	stats_collector *c = stats_collector_new(&o, NULL);
	assert_non_null(c);
	free(ctl(f, "func=calls&reset=on"));
	for (int i = 0; i < 3; i++) {
		advance(f, 300);
		CHECK(stats_collector_run(c, f->st, &r, &e_));
		assert_int_equal(
		    r.buckets,
		    get_truth(f, 5, sim_now(f) - 300, sim_now(f)).present);
	}
	char *calls = ctl(f, "func=calls");
	assert_non_null(strstr(calls, "<name>dc1/auth</name><count>1</count>"));
	assert_non_null(
	    strstr(calls, "<name>dc1/server.stat</name><count>3</count>"));
	free(calls);
	stats_collector_free(c);

	/* cancelling before the start stores nothing */
	volatile int cancel = 1;
	o = opts(f, sim_now(f) - 86400);
	o.module = NULL;
	o.cancel = &cancel;
	dc_err e;
	uint64_t before = count_all(f);
	assert_int_equal(stats_collect(f->st, &o, &r, &e), -1);
	assert_int_equal(e.cat, DC_E_CANCELLED);
	assert_int_equal(count_all(f), before);
}

static void test_bad_module_and_options(void **state)
{
	fx *f = *state;
	stats_collect_result r;
	stats_collect_opts o = opts(f, 0);
	dc_err e;

	o.module = "nope";
	assert_int_equal(stats_collect(f->st, &o, &r, &e), -1);
	assert_int_equal(e.cat, DC_E_INVALID);
	assert_string_equal(e.field, "module");
	o = opts(f, 0);
	o.module = NULL;
	o.server_id = 3;
	assert_int_equal(stats_collect(f->st, &o, &r, &e), -1);
	assert_string_equal(e.field, "module");
	o = opts(f, 0);
	o.max_parallel = 1000;
	assert_int_equal(stats_collect(f->st, &o, &r, &e), -1);
	assert_string_equal(e.field, "parallel");
	/* a wrong password: the module fails, nothing is stored */
	dc_module m;
	CHECK(module_get(f->st, f->module_id, &m, &e_));
	CHECK(module_update(f->st, &m, "wrong", &e_));
	o = opts(f, sim_now(f) - 3600);
	assert_int_equal(stats_collect(f->st, &o, &r, &e), -1);
	assert_int_equal(e.cat, DC_E_AUTH);
	assert_int_equal(count_all(f), 0);
	CHECK(module_update(f->st, &m, "admin", &e_));
}

static void test_target_resolve(void **state)
{
	fx *f = *state;
	stats_collect_result r;
	stats_collect_opts o = opts(f, sim_now(f) - 3600);
	stats_target t;
	dc_err e;

	CHECK(stats_collect(f->st, &o, &r, &e_));
	CHECK(stats_target_resolve(f->st, NULL, "7", &t, &e_));
	assert_int_equal(t.module_id, f->module_id);
	assert_int_equal(t.server_id, 7);
	assert_string_equal(t.module, "dc1");
	assert_true(t.server_name[0]);
	char name[128];
	snprintf(name, sizeof(name), "%s", t.server_name);
	CHECK(stats_target_resolve(f->st, NULL, name, &t, &e_));
	assert_int_equal(t.server_id, 7);
	CHECK(stats_target_resolve(f->st, "dc1", "dc1/9", &t, &e_));
	assert_int_equal(t.server_id, 9);
	assert_int_equal(stats_target_resolve(f->st, NULL, "nosuch", &t, &e),
	                 -1);
	assert_int_equal(e.cat, DC_E_NOTFOUND);
	assert_int_equal(stats_target_resolve(f->st, "zz", "7", &t, &e), -1);
	assert_string_equal(e.field, "module");
	assert_int_equal(stats_target_resolve(f->st, NULL, "dc1/x0", &t, &e),
	                 -1);
	assert_int_equal(stats_target_resolve(f->st, NULL, "", &t, &e), -1);
	assert_string_equal(e.field, "target");
	/* a service names its module and server */
	dc_service sv;
	memset(&sv, 0, sizeof(sv));
	snprintf(sv.client, sizeof(sv.client), "acme");
	snprintf(sv.hostname, sizeof(sv.hostname), "web1.acme.example");
	sv.status = SVC_ACTIVE;
	CHECK(store_begin(f->st, &e_));
	CHECK(service_insert_tx(f->st, &sv, &e_));
	CHECK(service_set_server_tx(f->st, sv.id, f->module_id, 11,
	                            "dc1-r01-u11", &e_));
	CHECK(store_commit(f->st, &e_));
	char svcname[40];
	snprintf(svcname, sizeof(svcname), "service:%lld", (long long)sv.id);
	CHECK(stats_target_resolve(f->st, NULL, svcname, &t, &e_));
	assert_int_equal(t.server_id, 11);
	assert_int_equal(t.service_id, sv.id);
	assert_non_null(strstr(t.service_label, "acme"));
	CHECK(stats_target_resolve(f->st, NULL, "web1.acme.example", &t, &e_));
	assert_int_equal(t.server_id, 11);
	assert_int_equal(
	    stats_target_resolve(f->st, NULL, "service:999", &t, &e), -1);
	assert_int_equal(e.cat, DC_E_NOTFOUND);
}

static void test_time_parse(void **state)
{
	(void)state;
	statmath_zone z;
	int64_t t, now = 1767268800;
	dc_err e;

	CHECK(stats_time_parse("1767225600", NULL, now, "since", &t, &e_));
	assert_int_equal(t, 1767225600);
	CHECK(stats_time_parse("6h", NULL, now, "since", &t, &e_));
	assert_int_equal(t, now - 6 * 3600);
	CHECK(stats_time_parse("now", NULL, now, "to", &t, &e_));
	assert_int_equal(t, now);
	CHECK(stats_time_parse("2026-01-01", NULL, now, "from", &t, &e_));
	assert_int_equal(t, 1767225600);
	CHECK(stats_time_parse("2026-01-01 10:30", NULL, now, "from", &t, &e_));
	assert_int_equal(t, 1767225600 + 10 * 3600 + 1800);
	CHECK(stats_time_parse("2026-01-01T10:30:15", NULL, now, "from", &t,
	                       &e_));
	assert_int_equal(t, 1767225600 + 10 * 3600 + 1815);
	CHECK(statmath_zone_parse("+03:00", &z, &e_));
	CHECK(stats_time_parse("2026-01-01", &z, now, "from", &t, &e_));
	assert_int_equal(t, 1767225600 - 3 * 3600);
	const char *bad[] = {"",
	                     "yesterday",
	                     "2026-13-01",
	                     "2026-01-01 25:00",
	                     "2026-01-01 10:3",
	                     "6x",
	                     "-5"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		assert_int_equal(
		    stats_time_parse(bad[i], NULL, now, "since", &t, &e), -1);
		assert_int_equal(e.cat, DC_E_INVALID);
		assert_string_equal(e.field, "since");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_buckets_equal_truth, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_day_with_gaps, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_totals_equal_traffic_report,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_backfill_after_six_hours,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_panel_clock_ahead, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(
	        test_since_after_cursor_keeps_the_gap, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_faults_leave_no_duplicates_or_holes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_retention, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_one_server_and_progress_and_cancel, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_module_and_options, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_target_resolve, setup,
	                                    teardown),
	    cmocka_unit_test(test_time_parse),
	};
	/* curl and libxml2 global set-up, before anything else */
	if (panel_lib_init(NULL) < 0)
		return 1;
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	panel_lib_cleanup();
	return rc;
}
