/* test_statmath.c - burst, totals, days, scale and format (core/statmath). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "statmath.h"

/* cmocka 1.1 compares only floats; doubles need their own check. */
#define assert_dbl_equal(a, b, eps)                                            \
	dbl_equal((a), (b), (eps), #a, __FILE__, __LINE__)
static void dbl_equal(double a, double b, double eps, const char *what,
                      const char *file, int line)
{
	if (a == b || fabs(a - b) <= eps)
		return;
	print_error("%s = %.17g, want %.17g (within %g)\n", what, a, b, eps);
	_fail(file, line);
}

/* 2024-05-01 00:00:00 UTC */
#define DAY0 1714521600LL

/* A small deterministic generator so that the tests need no fixtures. */
static uint64_t lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 33;
}

/* Fills a full UTC day starting at DAY0 with pseudo-random traffic. */
static void fill_day(statmath_bucket *b, uint64_t seed)
{
	for (int i = 0; i < STATMATH_DAY_BUCKETS; i++) {
		b[i] = (statmath_bucket){
		    .time = DAY0 + i * 300,
		    .in_kib = lcg(&seed) % 5000000,
		    .out_kib = lcg(&seed) % 3000000,
		    .power_w = 100 + (double)(lcg(&seed) % 300),
		    .present = STATMATH_HAS_ALL,
		};
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The reference: the definition read literally, written differently from
 * core: double rates sorted, the rank found by searching the smallest r with
 * r / n >= 0.95 in integers (r x 100 >= 95 x n). */
static double ref_burst(const statmath_bucket *b, size_t n, int dir,
                        size_t *count)
{
	double *r = calloc(n ? n : 1, sizeof(*r));
	size_t m = 0;
	assert_non_null(r);
	for (size_t i = 0; i < n; i++) {
		unsigned flag = dir ? STATMATH_HAS_OUT : STATMATH_HAS_IN;
		if (!(b[i].present & flag))
			continue;
		uint64_t kib = dir ? b[i].out_kib : b[i].in_kib;
		r[m++] = (double)kib * 1024.0 * 8.0 / 300.0 / 1e6;
	}
	*count = m;
	if (m == 0) {
		free(r);
		return NAN;
	}
	qsort(r, m, sizeof(*r), cmp_double);
	size_t rank = 1;
	while (rank * 100 < 95 * m)
		rank++;
	double v = r[rank - 1];
	free(r);
	return v;
}

static void test_rate(void **state)
{
	(void)state;
	/* 36621 KiB in 5 min = 36621*8192/3e8 Mbit/s */
	assert_dbl_equal(statmath_rate_mbps(0), 0, 0);
	assert_dbl_equal(statmath_rate_mbps(36621), 36621.0 * 8192 / 3e8,
	                 1e-12);
	/* 1 Gbit/s for 300 s = 3.75e10 bytes = 36621093.75 KiB */
	assert_dbl_equal(statmath_rate_mbps(36621094), 1000.0, 1e-3);
}

static void test_rank(void **state)
{
	(void)state;
	assert_int_equal(statmath_rank95(0), 0);
	assert_int_equal(statmath_rank95(1), 1);
	assert_int_equal(statmath_rank95(2), 2);
	assert_int_equal(statmath_rank95(19), 19);
	assert_int_equal(statmath_rank95(20), 19);
	assert_int_equal(statmath_rank95(21), 20);
	assert_int_equal(statmath_rank95(100), 95);
	assert_int_equal(statmath_rank95(101), 96);
	assert_int_equal(statmath_rank95(288), 274);
	assert_int_equal(statmath_rank95(300), 285);
	/* Agrees with the literal definition everywhere a day can reach. */
	for (size_t n = 1; n <= 1000; n++) {
		size_t r = 1;
		while (r * 100 < 95 * n)
			r++;
		assert_int_equal(statmath_rank95(n), r);
	}
}

static void test_burst_full_day(void **state)
{
	statmath_bucket b[STATMATH_DAY_BUCKETS];
	statmath_burst r;
	dc_err err;
	(void)state;

	/* in: bucket i holds i+1 units of 1000 KiB, shuffled in time, so the
	 * 274th smallest is 274000 KiB. */
	for (int i = 0; i < STATMATH_DAY_BUCKETS; i++) {
		int v = (i * 97) % STATMATH_DAY_BUCKETS; /* a permutation */
		b[i] = (statmath_bucket){.time = DAY0 + i * 300,
		                         .in_kib = (uint64_t)(v + 1) * 1000,
		                         .out_kib = 7,
		                         .present = STATMATH_HAS_ALL};
	}
	assert_int_equal(statmath_burst_day(b, STATMATH_DAY_BUCKETS, DAY0,
	                                    DAY0 + 86400, &r, &err),
	                 0);
	assert_int_equal(r.n_in, 288);
	assert_int_equal(r.rank_in, 274);
	assert_int_equal(r.expected, 288);
	assert_dbl_equal(r.in_mbps, statmath_rate_mbps(274000), 0);
	assert_dbl_equal(r.out_mbps, statmath_rate_mbps(7), 0);
	assert_dbl_equal(r.coverage, 1.0, 0);
	assert_dbl_equal(r.coverage_day, 1.0, 0);

	/* Random days agree with the reference. */
	for (uint64_t seed = 1; seed <= 20; seed++) {
		size_t cnt;
		fill_day(b, seed);
		assert_int_equal(
		    statmath_burst_day(b, 288, DAY0, DAY0 + 86400, &r, &err),
		    0);
		double want = ref_burst(b, 288, 0, &cnt);
		assert_dbl_equal(r.in_mbps, want, want * 1e-12);
		want = ref_burst(b, 288, 1, &cnt);
		assert_dbl_equal(r.out_mbps, want, want * 1e-12);
	}
}

static void test_burst_gaps(void **state)
{
	statmath_bucket all[STATMATH_DAY_BUCKETS], b[STATMATH_DAY_BUCKETS];
	statmath_burst r;
	dc_err err;
	(void)state;

	for (uint64_t seed = 1; seed <= 50; seed++) {
		uint64_t s = seed * 7919;
		size_t n = 0, cnt_in, cnt_out;
		fill_day(all, seed);
		/* Drop a random share of rows (missing bucket = missing row),
		 * and a few single fields. */
		for (int i = 0; i < STATMATH_DAY_BUCKETS; i++) {
			if (lcg(&s) % 100 < seed)
				continue;
			b[n] = all[i];
			if (lcg(&s) % 50 == 0)
				b[n].present &= ~STATMATH_HAS_OUT;
			n++;
		}
		double want_in = ref_burst(b, n, 0, &cnt_in);
		double want_out = ref_burst(b, n, 1, &cnt_out);
		assert_int_equal(
		    statmath_burst_day(b, n, DAY0, DAY0 + 86400, &r, &err), 0);
		assert_int_equal(r.n_in, cnt_in);
		assert_int_equal(r.n_out, cnt_out);
		/* The reference divides in three steps, core in one: allow
		 * for the rounding, not for a different bucket (those differ
		 * by far more). */
		if (cnt_in)
			assert_dbl_equal(r.in_mbps, want_in, want_in * 1e-12);
		else
			assert_true(isnan(r.in_mbps));
		if (cnt_out)
			assert_dbl_equal(r.out_mbps, want_out,
			                 want_out * 1e-12);
		else
			assert_true(isnan(r.out_mbps));
		size_t used = cnt_in > cnt_out ? cnt_in : cnt_out;
		assert_dbl_equal(r.coverage, (double)used / 288, 1e-15);
	}

	/* Missing is not zero: a day whose present buckets are all 1000 KiB
	 * has burst 1000 KiB however many are missing. Counting the missing
	 * buckets as zeros would give 0 once more than 5 % are missing. */
	for (int i = 0; i < 100; i++)
		b[i] = (statmath_bucket){.time = DAY0 + i * 600,
		                         .in_kib = 1000,
		                         .out_kib = 1000,
		                         .present = STATMATH_HAS_ALL};
	assert_int_equal(
	    statmath_burst_day(b, 100, DAY0, DAY0 + 86400, &r, &err), 0);
	assert_dbl_equal(r.in_mbps, statmath_rate_mbps(1000), 0);
	assert_dbl_equal(r.coverage, 100.0 / 288, 1e-15);
}

static void test_burst_small_n(void **state)
{
	statmath_bucket b[101];
	statmath_burst r;
	dc_err err;
	(void)state;

	/* n = 0: no burst, coverage 0, not an error */
	assert_int_equal(
	    statmath_burst_day(NULL, 0, DAY0, DAY0 + 86400, &r, &err), 0);
	assert_true(isnan(r.in_mbps));
	assert_true(isnan(r.out_mbps));
	assert_int_equal(r.n_in, 0);
	assert_int_equal(r.rank_in, 0);
	assert_dbl_equal(r.coverage, 0, 0);

	/* n = 1: the burst is that bucket */
	b[0] = (statmath_bucket){.time = DAY0 + 3600,
	                         .in_kib = 4242,
	                         .out_kib = 17,
	                         .present = STATMATH_HAS_ALL};
	assert_int_equal(statmath_burst_day(b, 1, DAY0, DAY0 + 86400, &r, &err),
	                 0);
	assert_int_equal(r.rank_in, 1);
	assert_dbl_equal(r.in_mbps, statmath_rate_mbps(4242), 0);
	assert_dbl_equal(r.out_mbps, statmath_rate_mbps(17), 0);

	/* Rank boundaries with values 1..n KiB (reversed in time): the
	 * burst is exactly the rank's value. */
	static const size_t ns[] = {20, 100, 101};
	static const size_t ranks[] = {19, 95, 96};
	for (size_t k = 0; k < 3; k++) {
		for (size_t i = 0; i < ns[k]; i++)
			b[i] =
			    (statmath_bucket){.time = DAY0 + (int64_t)i * 300,
			                      .in_kib = ns[k] - i,
			                      .out_kib = ns[k] - i,
			                      .present = STATMATH_HAS_ALL};
		assert_int_equal(
		    statmath_burst_day(b, ns[k], DAY0, DAY0 + 86400, &r, &err),
		    0);
		assert_int_equal(r.rank_in, ranks[k]);
		assert_dbl_equal(r.in_mbps, statmath_rate_mbps(ranks[k]), 0);
	}
}

static void test_burst_ties(void **state)
{
	statmath_bucket b[288];
	statmath_burst r;
	dc_err err;
	(void)state;

	/* 280 buckets of 500 and 8 of 9000: rank 274 falls in the ties; the
	 * 14 largest would need to exceed 5 % to lift the burst. */
	for (int i = 0; i < 288; i++)
		b[i] = (statmath_bucket){.time = DAY0 + i * 300,
		                         .in_kib = i % 36 == 0 ? 9000 : 500,
		                         .out_kib = 500,
		                         .present = STATMATH_HAS_ALL};
	assert_int_equal(
	    statmath_burst_day(b, 288, DAY0, DAY0 + 86400, &r, &err), 0);
	assert_dbl_equal(r.in_mbps, statmath_rate_mbps(500), 0);
	/* 15 at the top (> 14 = 288 - 274): the burst reaches them. */
	for (int i = 0; i < 288; i++)
		b[i].in_kib = i < 15 ? 9000 : 500;
	assert_int_equal(
	    statmath_burst_day(b, 288, DAY0, DAY0 + 86400, &r, &err), 0);
	assert_dbl_equal(r.in_mbps, statmath_rate_mbps(9000), 0);
	/* exactly 14 at the top: rank 274 is the largest of the rest */
	for (int i = 0; i < 288; i++)
		b[i].in_kib = i < 14 ? 9000 : 500;
	assert_int_equal(
	    statmath_burst_day(b, 288, DAY0, DAY0 + 86400, &r, &err), 0);
	assert_dbl_equal(r.in_mbps, statmath_rate_mbps(500), 0);
}

static void test_burst_refuses(void **state)
{
	statmath_bucket b[2] = {
	    {.time = DAY0, .in_kib = 1, .present = STATMATH_HAS_ALL},
	    {.time = DAY0, .in_kib = 2, .present = STATMATH_HAS_ALL},
	};
	statmath_burst r;
	dc_err err;
	(void)state;

	assert_int_equal(statmath_burst_day(b, 2, DAY0, DAY0 + 86400, &r, &err),
	                 -1);
	assert_int_equal(err.cat, DC_E_INVALID);
	assert_non_null(strstr(err.msg, "twice"));
	b[1].time = DAY0 + 86400; /* next day */
	assert_int_equal(statmath_burst_day(b, 2, DAY0, DAY0 + 86400, &r, &err),
	                 -1);
	assert_non_null(strstr(err.msg, "outside"));
	b[1].time = DAY0 + 301;
	assert_int_equal(statmath_burst_day(b, 2, DAY0, DAY0 + 86400, &r, &err),
	                 -1);
	assert_non_null(strstr(err.msg, "aligned"));
	assert_int_equal(
	    statmath_burst_day(b, 1, DAY0, DAY0 + 40 * 3600, &r, &err), -1);
}

static void test_totals(void **state)
{
	statmath_bucket b[4];
	statmath_totals t;
	dc_err err;
	(void)state;

	/* Large values: floating point would lose the low bits. */
	uint64_t big = (1ULL << 62) + 3;
	b[0] = (statmath_bucket){.time = DAY0 + 600,
	                         .in_kib = big,
	                         .out_kib = 1,
	                         .power_w = 200,
	                         .present = STATMATH_HAS_ALL};
	b[1] = (statmath_bucket){.time = DAY0,
	                         .in_kib = big + 2,
	                         .out_kib = 2,
	                         .power_w = 100,
	                         .present = STATMATH_HAS_ALL};
	b[2] = (statmath_bucket){.time = DAY0 + 300,
	                         .in_kib = 5,
	                         .out_kib = 999,
	                         .present = STATMATH_HAS_IN | STATMATH_HAS_OUT};
	b[3] = (statmath_bucket){.time = DAY0 + 900,
	                         .in_kib = 77,
	                         .present = 0}; /* absent entirely */
	assert_int_equal(statmath_totals_compute(b, 4, &t, &err), 0);
	assert_true(t.in_kib == 2 * big + 2 + 5);
	assert_int_equal(t.out_kib, 1002);
	assert_int_equal(t.n, 4);
	assert_int_equal(t.n_in, 3);
	assert_int_equal(t.n_power, 2);
	assert_true(t.max_in_kib == big + 2);
	assert_int_equal(t.max_out_kib, 999);
	/* current = the latest present bucket, whatever the order given */
	assert_int_equal(t.cur_in_time, DAY0 + 600);
	assert_dbl_equal(t.cur_in_mbps, statmath_rate_mbps(big), 0);
	assert_dbl_equal(t.cur_power_w, 200, 0);
	assert_dbl_equal(t.avg_power_w, 150, 1e-12);
	assert_dbl_equal(t.max_power_w, 200, 0);
	assert_dbl_equal(t.energy_wh, 300 * 300 / 3600.0, 1e-9);
	assert_dbl_equal(t.avg_out_mbps, statmath_rate_mbps(1002) / 3, 1e-12);

	/* overflow is refused, not wrapped */
	b[2].in_kib = UINT64_MAX - big;
	assert_int_equal(statmath_totals_compute(b, 3, &t, &err), -1);
	assert_int_equal(err.cat, DC_E_INVALID);

	/* nothing present: NaN, not zero */
	assert_int_equal(statmath_totals_compute(b, 0, &t, &err), 0);
	assert_true(isnan(t.avg_in_mbps));
	assert_true(isnan(t.cur_out_mbps));
	assert_true(isnan(t.max_power_w));
	assert_int_equal(t.in_kib, 0);
}

static void test_align(void **state)
{
	(void)state;
	assert_int_equal(statmath_align5(DAY0 + 299), DAY0);
	assert_int_equal(statmath_align5(DAY0 + 300), DAY0 + 300);
	assert_int_equal(statmath_align5(-1), -300);
	assert_int_equal(statmath_align5(0), 0);
}

static void test_zone_parse(void **state)
{
	statmath_zone z;
	dc_err err;
	(void)state;

	assert_int_equal(statmath_zone_parse(NULL, &z, &err), 0);
	assert_int_equal(z.kind, STATMATH_ZONE_UTC);
	assert_int_equal(statmath_zone_parse("utc", &z, &err), 0);
	assert_int_equal(z.kind, STATMATH_ZONE_UTC);
	assert_int_equal(statmath_zone_parse("+03:00", &z, &err), 0);
	assert_int_equal(z.kind, STATMATH_ZONE_FIXED);
	assert_int_equal(z.fixed_offset, 3 * 3600);
	assert_int_equal(statmath_zone_parse("-0530", &z, &err), 0);
	assert_int_equal(z.fixed_offset, -(5 * 3600 + 1800));
	assert_int_equal(statmath_zone_parse("UTC+5", &z, &err), 0);
	assert_int_equal(z.fixed_offset, 5 * 3600);
	assert_int_equal(statmath_zone_parse("Europe/Moscow", &z, &err), 0);
	assert_int_equal(z.kind, STATMATH_ZONE_PROCESS);
	assert_string_equal(z.name, "Europe/Moscow");
	assert_int_equal(statmath_zone_parse("local", &z, &err), 0);
	assert_int_equal(z.kind, STATMATH_ZONE_PROCESS);

	static const char *const bad[] = {
	    "+25:00",    "+3:0", "../etc/x", "/etc/passwd",
	    "Europe//X", "a b",  "+03:60",   "Europe/.."};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(statmath_zone_parse(bad[i], &z, &err), -1);
		assert_int_equal(err.cat, DC_E_INVALID);
		assert_string_equal(err.field, "zone");
	}
}

static void test_days_utc_and_fixed(void **state)
{
	statmath_zone utc = statmath_zone_utc(), msk;
	statmath_day d[5];
	statmath_tm tm;
	dc_err err;
	(void)state;

	assert_int_equal(statmath_day_start(&utc, DAY0 + 5000), DAY0);
	assert_int_equal(statmath_day_start(&utc, DAY0), DAY0);
	assert_int_equal(statmath_day_start(&utc, DAY0 - 1), DAY0 - 86400);
	assert_int_equal(statmath_day_next(&utc, DAY0), DAY0 + 86400);
	statmath_civil(&utc, DAY0 + 3661, &tm);
	assert_int_equal(tm.year, 2024);
	assert_int_equal(tm.mon, 5);
	assert_int_equal(tm.mday, 1);
	assert_int_equal(tm.hour, 1);
	assert_int_equal(tm.min, 1);
	assert_int_equal(tm.sec, 1);
	assert_int_equal(tm.wday, 3); /* a Wednesday */

	/* 3 days and a bit: four days overlap */
	assert_int_equal(
	    statmath_split_days(&utc, DAY0 + 10, DAY0 + 3 * 86400 + 1, d, 5),
	    4);
	assert_int_equal(d[0].start, DAY0);
	assert_int_equal(d[3].start, DAY0 + 3 * 86400);
	assert_int_equal(d[3].end, DAY0 + 4 * 86400);
	assert_int_equal(d[2].mday, 3);
	assert_int_equal(
	    statmath_split_days(&utc, DAY0, DAY0 + 30 * 86400, NULL, 0), 30);
	assert_int_equal(statmath_split_days(&utc, DAY0, DAY0, d, 5), 0);

	/* +03:00: the local day of 2024-05-01 starts at 21:00 UTC before */
	assert_int_equal(statmath_zone_parse("+03:00", &msk, &err), 0);
	assert_int_equal(statmath_day_parse(&msk, "2024-05-01", d, &err), 0);
	assert_int_equal(d[0].start, DAY0 - 3 * 3600);
	assert_int_equal(d[0].end, DAY0 + 21 * 3600);
	assert_int_equal(statmath_day_start(&msk, DAY0 + 20 * 3600),
	                 DAY0 - 3 * 3600);
	assert_int_equal(statmath_day_start(&msk, DAY0 + 21 * 3600),
	                 DAY0 + 21 * 3600);

	assert_int_equal(statmath_day_parse(&utc, "2024-02-30", d, &err), -1);
	assert_string_equal(err.field, "day");
	assert_int_equal(statmath_day_parse(&utc, "2024-2-3", d, &err), -1);
	assert_int_equal(statmath_day_parse(&utc, "2024-02-29", d, &err), 0);
	assert_int_equal(statmath_day_parse(&utc, "2023-02-29", d, &err), -1);
}

/* America/New_York through the process zone: a 23-hour and a 25-hour day.
 * The test program sets TZ once in main(), before anything else runs, as
 * statmath.h asks of the real program. */
static void test_days_dst(void **state)
{
	statmath_zone ny;
	statmath_day d;
	statmath_burst r;
	statmath_bucket b[300];
	dc_err err;
	(void)state;

	/* Without tzdata the C library silently falls back to UTC and every
	 * figure below would be wrong for a reason outside dcictl. */
	if (access("/usr/share/zoneinfo/America/New_York", R_OK) != 0) {
		print_message("tzdata missing: DST days not checked\n");
		skip();
	}
	assert_int_equal(statmath_zone_parse("America/New_York", &ny, &err), 0);
	/* 2024-03-10: clocks 02:00 -> 03:00; midnight EST = 05:00 UTC */
	assert_int_equal(statmath_day_parse(&ny, "2024-03-10", &d, &err), 0);
	assert_int_equal(d.start, 1710046800LL);
	assert_int_equal(d.end - d.start, 23 * 3600);
	/* 2024-11-03: clocks 02:00 -> 01:00; midnight EDT = 04:00 UTC */
	assert_int_equal(statmath_day_parse(&ny, "2024-11-03", &d, &err), 0);
	assert_int_equal(d.start, 1730606400LL);
	assert_int_equal(d.end - d.start, 25 * 3600);

	/* A full 25-hour day has 300 buckets; coverage against 288 is over
	 * 1 (domain.md 7), coverage_day is exactly 1. */
	for (int i = 0; i < 300; i++)
		b[i] = (statmath_bucket){.time = d.start + i * 300,
		                         .in_kib = (uint64_t)i,
		                         .present = STATMATH_HAS_IN};
	assert_int_equal(statmath_burst_day(b, 300, d.start, d.end, &r, &err),
	                 0);
	assert_int_equal(r.expected, 300);
	assert_int_equal(r.rank_in, 285);
	assert_dbl_equal(r.in_mbps, statmath_rate_mbps(284), 0);
	assert_dbl_equal(r.coverage_day, 1.0, 0);
	assert_true(r.n_out == 0 && isnan(r.out_mbps));

	/* Days split across the change. */
	statmath_day days[3];
	assert_int_equal(statmath_split_days(&ny, 1710046800LL - 1,
	                                     1710046800LL + 23 * 3600 + 1, days,
	                                     3),
	                 3);
	assert_int_equal(days[1].end - days[1].start, 23 * 3600);
	assert_int_equal(days[1].mday, 10);
	assert_int_equal(days[0].end, days[1].start);
}

static void test_nice_scale(void **state)
{
	double top, step;
	(void)state;

	static const struct {
		double max, top, step;
	} c[] = {
	    {730, 1000, 200},   {1000, 1000, 200}, {1001, 2000, 500},
	    {2.1, 2.5, 0.5},    {2.5, 2.5, 0.5},   {4.9, 5, 1},
	    {0.03, 0.05, 0.01}, {500, 500, 100},   {1.2e9, 2e9, 5e8},
	    {0, 1, 0.2},        {-5, 1, 0.2},      {150, 200, 50},
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		statmath_nice_scale(c[i].max, 0, &top, &step);
		assert_dbl_equal(top, c[i].top, c[i].top * 1e-12);
		assert_dbl_equal(step, c[i].step, c[i].step * 1e-12);
	}
	statmath_nice_scale(NAN, 0, &top, &step);
	assert_dbl_equal(top, 1, 0);

	/* hysteresis: keep 1000 while data stays within [400, 1000] */
	statmath_nice_scale(450, 1000, &top, &step);
	assert_dbl_equal(top, 1000, 0);
	assert_dbl_equal(step, 200, 1e-9);
	statmath_nice_scale(1000, 1000, &top, &step);
	assert_dbl_equal(top, 1000, 0);
	statmath_nice_scale(1001, 1000, &top, &step);
	assert_dbl_equal(top, 2000, 1e-9);
	statmath_nice_scale(390, 1000, &top, &step);
	assert_dbl_equal(top, 500, 1e-9);
}

static void test_nice_scale_units(void **state)
{
	double top, step;
	char buf[32];
	(void)state;

	/* bytes: round in binary prefixes, so the labels print round */
	statmath_nice_scale_unit(STATMATH_UNIT_BYTES, 1.5 * 1048576, 0, &top,
	                         &step);
	assert_dbl_equal(top, 2 * 1048576.0, 0);
	assert_dbl_equal(step, 0.5 * 1048576, 0);
	assert_string_equal(
	    statmath_format(top, STATMATH_UNIT_BYTES, buf, sizeof(buf)),
	    "2 MiB");
	statmath_nice_scale_unit(STATMATH_UNIT_BYTES, 700 * 1024.0, 0, &top,
	                         &step);
	assert_dbl_equal(top, 1048576, 0);
	assert_dbl_equal(step, 262144, 0);
	assert_string_equal(
	    statmath_format(3 * step, STATMATH_UNIT_BYTES, buf, sizeof(buf)),
	    "768 KiB");
	statmath_nice_scale_unit(STATMATH_UNIT_BYTES, 300, 0, &top, &step);
	assert_dbl_equal(top, 500, 0);
	/* hysteresis too */
	statmath_nice_scale_unit(STATMATH_UNIT_BYTES, 500 * 1024.0, 1048576,
	                         &top, &step);
	assert_dbl_equal(top, 1048576, 0);
	/* other units: decimal, the same as statmath_nice_scale */
	statmath_nice_scale_unit(STATMATH_UNIT_BITPS, 730e6, 0, &top, &step);
	assert_dbl_equal(top, 1e9, 1e-3);
	assert_dbl_equal(step, 2e8, 1e-3);
}

static void test_format(void **state)
{
	char buf[32];
	(void)state;

	static const struct {
		double v;
		statmath_unit u;
		const char *want;
	} c[] = {
	    {0, STATMATH_UNIT_BITPS, "0 bit/s"},
	    {999, STATMATH_UNIT_BITPS, "999 bit/s"},
	    {999.7, STATMATH_UNIT_BITPS, "1 kbit/s"},
	    {1000, STATMATH_UNIT_BITPS, "1 kbit/s"},
	    {2.5e6, STATMATH_UNIT_BITPS, "2.5 Mbit/s"},
	    {1.25e6, STATMATH_UNIT_BITPS, "1.25 Mbit/s"},
	    {12.5e6, STATMATH_UNIT_BITPS, "12.5 Mbit/s"},
	    {125e6, STATMATH_UNIT_BITPS, "125 Mbit/s"},
	    {1e9, STATMATH_UNIT_BITPS, "1 Gbit/s"},
	    {40e9, STATMATH_UNIT_BITPS, "40 Gbit/s"},
	    {1536, STATMATH_UNIT_BYTES, "1.5 KiB"},
	    {999, STATMATH_UNIT_BYTES, "999 B"},
	    {1000, STATMATH_UNIT_BYTES, "0.98 KiB"}, /* never 4 digits */
	    {1023, STATMATH_UNIT_BYTES, "1 KiB"},
	    {1048576, STATMATH_UNIT_BYTES, "1 MiB"},
	    {5.5 * 1073741824.0, STATMATH_UNIT_BYTES, "5.5 GiB"},
	    {350, STATMATH_UNIT_WATT, "350 W"},
	    {1500, STATMATH_UNIT_WATT, "1.5 kW"},
	    {12.345, STATMATH_UNIT_WATT, "12.3 W"},
	    {2400, STATMATH_UNIT_WH, "2.4 kWh"},
	    {-2500, STATMATH_UNIT_WATT, "-2.5 kW"},
	    {42, STATMATH_UNIT_NONE, "42"},
	    {4200, STATMATH_UNIT_NONE, "4.2k"},
	    {NAN, STATMATH_UNIT_BITPS, "-"},
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		statmath_format(c[i].v, c[i].u, buf, sizeof(buf));
		assert_string_equal(buf, c[i].want);
	}
	/* truncation keeps the string terminated */
	char small[5];
	assert_ptr_equal(
	    statmath_format(2.5e6, STATMATH_UNIT_BITPS, small, sizeof(small)),
	    small);
	assert_int_equal(strlen(small), 4);
}

int main(void)
{
	/* Process zone for test_days_dst, set before any other call, once,
	 * exactly as the real program must (see statmath_zone_parse). */
	setenv("TZ", "America/New_York", 1);
	tzset();

	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rate),
	    cmocka_unit_test(test_rank),
	    cmocka_unit_test(test_burst_full_day),
	    cmocka_unit_test(test_burst_gaps),
	    cmocka_unit_test(test_burst_small_n),
	    cmocka_unit_test(test_burst_ties),
	    cmocka_unit_test(test_burst_refuses),
	    cmocka_unit_test(test_totals),
	    cmocka_unit_test(test_align),
	    cmocka_unit_test(test_zone_parse),
	    cmocka_unit_test(test_days_utc_and_fixed),
	    cmocka_unit_test(test_days_dst),
	    cmocka_unit_test(test_nice_scale),
	    cmocka_unit_test(test_nice_scale_units),
	    cmocka_unit_test(test_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
