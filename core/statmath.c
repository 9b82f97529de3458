/* statmath.c - statistics maths; see statmath.h and doc/statistics.md. */
#include "statmath.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY_SECONDS 86400

/* Floor division and modulo that stay right for negative times. */
static int64_t floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

static int64_t ceildiv(int64_t a, int64_t b)
{
	return -floordiv(-a, b);
}

double statmath_rate_mbps(uint64_t kib)
{
	/* kib x 8192 is exact in a double up to 2^40 KiB (1 PiB a bucket);
	 * the single division then rounds once. */
	return (double)kib * 8192.0 / 300e6;
}

size_t statmath_rank95(size_t n)
{
	/* ceil(0.95 n) without floating point: 0.95 has no exact binary form,
	 * so 0.95 * 20 may land a hair above 19 and ceil() would give 20. */
	return (95 * n + 99) / 100;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

int statmath_burst_day(const statmath_bucket *b, size_t n, int64_t day_start,
                       int64_t day_end, statmath_burst *out, dc_err *err)
{
	/* Sorting the KiB counts is the same as sorting the rates (the rate
	 * is a positive multiple of the count) and keeps the comparison
	 * exact; only the picked value is converted. */
	uint64_t in[STATMATH_MAX_DAY_BUCKETS], outv[STATMATH_MAX_DAY_BUCKETS];
	bool seen[STATMATH_MAX_DAY_BUCKETS] = {false};
	size_t n_in = 0, n_out = 0;

	if (!out)
		return err_set(err, DC_E_INVALID, "burst: no result given");
	if (day_end <= day_start)
		return err_set(err, DC_E_INVALID, "burst: empty day");
	int64_t first = ceildiv(day_start, STATMATH_BUCKET_SECONDS);
	int64_t expected = ceildiv(day_end, STATMATH_BUCKET_SECONDS) - first;
	if (expected > STATMATH_MAX_DAY_BUCKETS)
		return err_set(err, DC_E_INVALID,
		               "burst: day of %lld s is longer than 26 h",
		               (long long)(day_end - day_start));
	if (n > 0 && !b)
		return err_set(err, DC_E_INVALID, "burst: no buckets given");

	for (size_t i = 0; i < n; i++) {
		int64_t t = b[i].time;
		if (t % STATMATH_BUCKET_SECONDS != 0)
			return err_set(err, DC_E_INVALID,
			               "burst: bucket %lld is not 5-minute "
			               "aligned",
			               (long long)t);
		if (t < day_start || t >= day_end)
			return err_set(err, DC_E_INVALID,
			               "burst: bucket %lld is outside the day "
			               "[%lld, %lld)",
			               (long long)t, (long long)day_start,
			               (long long)day_end);
		size_t slot = (size_t)(t / STATMATH_BUCKET_SECONDS - first);
		if (seen[slot])
			return err_set(err, DC_E_INVALID,
			               "burst: bucket %lld given twice",
			               (long long)t);
		seen[slot] = true;
		if (b[i].present & STATMATH_HAS_IN)
			in[n_in++] = b[i].in_kib;
		if (b[i].present & STATMATH_HAS_OUT)
			outv[n_out++] = b[i].out_kib;
	}

	memset(out, 0, sizeof(*out));
	out->n_in = n_in;
	out->n_out = n_out;
	out->expected = (size_t)expected;
	out->in_mbps = NAN;
	out->out_mbps = NAN;
	if (n_in > 0) {
		qsort(in, n_in, sizeof(in[0]), cmp_u64);
		out->rank_in = statmath_rank95(n_in);
		out->in_mbps = statmath_rate_mbps(in[out->rank_in - 1]);
	}
	if (n_out > 0) {
		qsort(outv, n_out, sizeof(outv[0]), cmp_u64);
		out->rank_out = statmath_rank95(n_out);
		out->out_mbps = statmath_rate_mbps(outv[out->rank_out - 1]);
	}
	size_t used = n_in > n_out ? n_in : n_out;
	out->coverage = (double)used / STATMATH_DAY_BUCKETS;
	out->coverage_day = (double)used / (double)expected;
	return 0;
}

int statmath_totals_compute(const statmath_bucket *b, size_t n,
                            statmath_totals *out, dc_err *err)
{
	statmath_totals t = {0};
	double power_sum = 0;

	if (!out)
		return err_set(err, DC_E_INVALID, "totals: no result given");
	if (n > 0 && !b)
		return err_set(err, DC_E_INVALID, "totals: no buckets given");
	t.n = n;
	t.cur_power_w = NAN;
	t.max_power_w = NAN;
	for (size_t i = 0; i < n; i++) {
		const statmath_bucket *k = &b[i];
		if (k->present & STATMATH_HAS_IN) {
			if (__builtin_add_overflow(t.in_kib, k->in_kib,
			                           &t.in_kib))
				return err_set(
				    err, DC_E_INVALID,
				    "totals: incoming sum overflows");
			if (k->in_kib > t.max_in_kib)
				t.max_in_kib = k->in_kib;
			if (t.n_in++ == 0 || k->time >= t.cur_in_time) {
				t.cur_in_time = k->time;
				t.cur_in_mbps = statmath_rate_mbps(k->in_kib);
			}
		}
		if (k->present & STATMATH_HAS_OUT) {
			if (__builtin_add_overflow(t.out_kib, k->out_kib,
			                           &t.out_kib))
				return err_set(
				    err, DC_E_INVALID,
				    "totals: outgoing sum overflows");
			if (k->out_kib > t.max_out_kib)
				t.max_out_kib = k->out_kib;
			if (t.n_out++ == 0 || k->time >= t.cur_out_time) {
				t.cur_out_time = k->time;
				t.cur_out_mbps = statmath_rate_mbps(k->out_kib);
			}
		}
		if ((k->present & STATMATH_HAS_POWER) && isfinite(k->power_w)) {
			power_sum += k->power_w;
			if (t.n_power == 0 || k->power_w > t.max_power_w)
				t.max_power_w = k->power_w;
			if (t.n_power++ == 0 || k->time >= t.cur_power_time) {
				t.cur_power_time = k->time;
				t.cur_power_w = k->power_w;
			}
		}
	}
	if (t.n_in > 0) {
		/* Mean of the rates = rate of the mean count; divide last so
		 * the exact sum is used once. */
		t.avg_in_mbps =
		    (double)t.in_kib * 8192.0 / 300e6 / (double)t.n_in;
		t.max_in_mbps = statmath_rate_mbps(t.max_in_kib);
	} else {
		t.avg_in_mbps = t.max_in_mbps = t.cur_in_mbps = NAN;
	}
	if (t.n_out > 0) {
		t.avg_out_mbps =
		    (double)t.out_kib * 8192.0 / 300e6 / (double)t.n_out;
		t.max_out_mbps = statmath_rate_mbps(t.max_out_kib);
	} else {
		t.avg_out_mbps = t.max_out_mbps = t.cur_out_mbps = NAN;
	}
	t.avg_power_w = t.n_power > 0 ? power_sum / (double)t.n_power : NAN;
	t.energy_wh = power_sum * STATMATH_BUCKET_SECONDS / 3600.0;
	*out = t;
	return 0;
}

/* --- time ---------------------------------------------------------------- */

int64_t statmath_align5(int64_t t)
{
	return floordiv(t, STATMATH_BUCKET_SECONDS) * STATMATH_BUCKET_SECONDS;
}

statmath_zone statmath_zone_utc(void)
{
	statmath_zone z = {.kind = STATMATH_ZONE_UTC};
	dc_strlcpy(z.name, "UTC", sizeof(z.name));
	return z;
}

/* "+HH", "+HHMM", "+HH:MM" (sign required) -> seconds; -1 if malformed. */
static int parse_offset(const char *s, int32_t *off)
{
	int sign, hh = 0, mm = 0;
	size_t len = strlen(s);

	if (s[0] == '+')
		sign = 1;
	else if (s[0] == '-')
		sign = -1;
	else
		return -1;
	s++;
	len--;
	for (size_t i = 0; i < len; i++)
		if (!isdigit((unsigned char)s[i]) && !(i == 2 && s[i] == ':'))
			return -1;
	if (len == 1 || len == 2) {
		hh = atoi(s);
	} else if (len == 4 && s[2] != ':') {
		hh = (s[0] - '0') * 10 + (s[1] - '0');
		mm = (s[2] - '0') * 10 + (s[3] - '0');
	} else if (len == 5 && s[2] == ':') {
		hh = (s[0] - '0') * 10 + (s[1] - '0');
		mm = (s[3] - '0') * 10 + (s[4] - '0');
	} else {
		return -1;
	}
	if (hh > 18 || mm > 59 || (hh == 18 && mm > 0))
		return -1;
	*off = sign * (hh * 3600 + mm * 60);
	return 0;
}

/* Shape of an IANA zone name: letters, digits, '_', '-', '+', '/' parts,
 * none of them empty, "." or ".."; so it cannot name a path elsewhere. */
static bool iana_shaped(const char *s)
{
	size_t part = 0;

	if (!isalpha((unsigned char)s[0]))
		return false;
	for (const char *p = s; *p; p++) {
		if (*p == '/') {
			if (part == 0)
				return false;
			part = 0;
			continue;
		}
		if (!isalnum((unsigned char)*p) && !strchr("_-+", *p))
			return false;
		part++;
	}
	return part > 0;
}

int statmath_zone_parse(const char *spec, statmath_zone *z, dc_err *err)
{
	statmath_zone r = {.kind = STATMATH_ZONE_UTC};
	const char *off = NULL;

	if (!z)
		return err_field(err, DC_E_INVALID, "zone", "no result given");
	if (!spec || !*spec || !strcasecmp(spec, "UTC") ||
	    !strcasecmp(spec, "Z") || !strcasecmp(spec, "GMT")) {
		*z = statmath_zone_utc();
		return 0;
	}
	if (strlen(spec) >= sizeof(r.name))
		return err_field(err, DC_E_INVALID, "zone",
		                 "time zone name is longer than %zu characters",
		                 sizeof(r.name) - 1);
	if (spec[0] == '+' || spec[0] == '-')
		off = spec;
	else if ((!strncasecmp(spec, "UTC", 3) ||
	          !strncasecmp(spec, "GMT", 3)) &&
	         (spec[3] == '+' || spec[3] == '-'))
		off = spec + 3;
	if (off) {
		/* Note "UTC+3" means 3 h east here, as people write it; the
		 * POSIX TZ string "UTC+3" would mean west. */
		if (parse_offset(off, &r.fixed_offset) < 0)
			return err_field(err, DC_E_INVALID, "zone",
			                 "bad UTC offset \"%s\" (want +HH:MM, "
			                 "at most 18 h)",
			                 spec);
		r.kind =
		    r.fixed_offset ? STATMATH_ZONE_FIXED : STATMATH_ZONE_UTC;
	} else if (!strcmp(spec, "local") || iana_shaped(spec)) {
		r.kind = STATMATH_ZONE_PROCESS;
	} else {
		return err_field(err, DC_E_INVALID, "zone",
		                 "\"%s\" is not a time zone (want UTC, +HH:MM, "
		                 "local or a name like Europe/Moscow)",
		                 spec);
	}
	dc_strlcpy(r.name, spec, sizeof(r.name));
	*z = r;
	return 0;
}

long statmath_zone_offset(const statmath_zone *z, int64_t t)
{
	if (!z)
		return 0;
	switch (z->kind) {
	case STATMATH_ZONE_FIXED:
		return z->fixed_offset;
	case STATMATH_ZONE_PROCESS: {
		struct tm tm;
		time_t tt = (time_t)t;
		if (!localtime_r(&tt, &tm))
			return 0;
		return tm.tm_gmtoff;
	}
	case STATMATH_ZONE_UTC:
	default:
		return 0;
	}
}

/* Days since 1970-01-01 <-> proleptic Gregorian date (H. Hinnant's
 * algorithms: exact for any int64 day count we can meet). */
static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = floordiv(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int64_t days_from_civil(int y, int m, int d)
{
	int64_t yy = (int64_t)y - (m <= 2);
	int64_t era = floordiv(yy, 400);
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Local day number (days since 1970-01-01 in local time) of instant t. */
static int64_t local_day(const statmath_zone *z, int64_t t)
{
	return floordiv(t + statmath_zone_offset(z, t), DAY_SECONDS);
}

void statmath_civil(const statmath_zone *z, int64_t t, statmath_tm *out)
{
	long off = statmath_zone_offset(z, t);
	int64_t local = t + off;
	int64_t day = floordiv(local, DAY_SECONDS);
	int64_t sod = local - day * DAY_SECONDS;

	civil_from_days(day, &out->year, &out->mon, &out->mday);
	out->hour = (int)(sod / 3600);
	out->min = (int)(sod / 60 % 60);
	out->sec = (int)(sod % 60);
	/* 1970-01-01 was a Thursday (4). */
	out->wday = (int)(day + 4 - floordiv(day + 4, 7) * 7);
	out->utcoff = off;
}

int64_t statmath_day_start(const statmath_zone *z, int64_t t)
{
	int64_t day = local_day(z, t);
	int64_t c = day * DAY_SECONDS - statmath_zone_offset(z, t);

	/* The offset at midnight may differ from the one at t (DST); two
	 * refinements settle it unless midnight itself falls in a change. */
	for (int i = 0; i < 2; i++)
		c = day * DAY_SECONDS - statmath_zone_offset(z, c);
	if (c <= t && local_day(z, c) == day && local_day(z, c - 1) < day)
		return c;
	/* Midnight skipped or repeated: the first instant of the day is the
	 * smallest x with local_day(x) >= day; local_day never decreases. */
	int64_t lo = t - 2 * DAY_SECONDS, hi = t;
	while (hi - lo > 1) {
		int64_t mid = lo + (hi - lo) / 2;
		if (local_day(z, mid) >= day)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

int64_t statmath_day_next(const statmath_zone *z, int64_t day_start)
{
	/* 26 h on lands inside the next day whether this one has 23, 24 or
	 * 25 hours. */
	return statmath_day_start(z, day_start + 26 * 3600);
}

size_t statmath_split_days(const statmath_zone *z, int64_t from, int64_t to,
                           statmath_day *days, size_t max)
{
	size_t count = 0;

	if (from >= to)
		return 0;
	for (int64_t s = statmath_day_start(z, from); s < to;) {
		int64_t e = statmath_day_next(z, s);
		if (count < max && days) {
			statmath_tm tm;
			statmath_civil(z, s, &tm);
			days[count] = (statmath_day){.start = s,
			                             .end = e,
			                             .year = tm.year,
			                             .mon = tm.mon,
			                             .mday = tm.mday};
		}
		count++;
		s = e;
	}
	return count;
}

static int days_in_month(int y, int m)
{
	static const int dim[] = {31, 28, 31, 30, 31, 30,
	                          31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : dim[m - 1];
}

int statmath_day_parse(const statmath_zone *z, const char *text,
                       statmath_day *out, dc_err *err)
{
	int y, m, d;

	if (!text || strlen(text) != 10 || text[4] != '-' || text[7] != '-')
		goto bad;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)text[i]))
			goto bad;
	y = atoi(text);
	m = atoi(text + 5);
	d = atoi(text + 8);
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		goto bad;

	int64_t day = days_from_civil(y, m, d);
	/* Local noon is safely inside the day in every zone. */
	int64_t noon = day * DAY_SECONDS + 43200;
	noon -= statmath_zone_offset(z, noon);
	if (local_day(z, noon) != day)
		return err_field(err, DC_E_INVALID, "day",
		                 "%s does not exist in time zone %s", text,
		                 z ? z->name : "UTC");
	out->start = statmath_day_start(z, noon);
	out->end = statmath_day_next(z, out->start);
	out->year = y;
	out->mon = m;
	out->mday = d;
	return 0;
bad:
	return err_field(
	    err, DC_E_INVALID, "day",
	    "\"%s\" is not a date (want YYYY-MM-DD, 1970 or later)",
	    text ? text : "");
}

/* --- scale and format ---------------------------------------------------- */

void statmath_nice_scale(double max, double prev_top, double *top, double *step)
{
	static const double mant[] = {1, 2, 2.5, 5, 10};
	static const double div[] = {5, 4, 5, 5, 5};
	double t, s;

	if (prev_top > 0 && isfinite(prev_top) && max <= prev_top &&
	    max >= 0.4 * prev_top) {
		/* Keep the old top; recompute its step from its mantissa. */
		max = prev_top;
	}
	if (!(max > 0) || !isfinite(max)) {
		*top = 1;
		*step = 0.2;
		return;
	}
	int k = (int)floor(log10(max));
	double p = pow(10, k);
	double f = max / p;
	size_t i = 0;
	/* The relative slack absorbs log10/pow rounding so that 500 is
	 * its own top rather than 1000. */
	while (i < 4 && f > mant[i] * (1 + 1e-9))
		i++;
	t = mant[i] * p;
	s = t / div[i];
	*top = t;
	*step = s;
}

void statmath_nice_scale_unit(statmath_unit unit, double max, double prev_top,
                              double *top, double *step)
{
	if (unit != STATMATH_UNIT_BYTES) {
		statmath_nice_scale(max, prev_top, top, step);
		return;
	}
	if (prev_top > 0 && isfinite(prev_top) && max <= prev_top &&
	    max >= 0.4 * prev_top)
		max = prev_top;
	if (!(max > 0) || !isfinite(max)) {
		*top = 1;
		*step = 0.2;
		return;
	}
	/* The prefix statmath_format would print max with. */
	double p = 1;
	while (max / p >= 1000 && p < 0x1p50)
		p *= 1024;
	double m = max / p;
	if (m > 500 * (1 + 1e-9)) {
		/* Past 500 the next round value is 1 of the next prefix,
		 * in quarters: 256, 512, 768 KiB under 1 MiB. */
		*top = p * 1024;
		*step = *top / 4;
		return;
	}
	statmath_nice_scale(m, 0, top, step);
	*top *= p;
	*step *= p;
}

char *statmath_format(double value, statmath_unit unit, char *buf, size_t len)
{
	static const char *const bits[] = {"bit/s",  "kbit/s", "Mbit/s",
	                                   "Gbit/s", "Tbit/s", "Pbit/s"};
	static const char *const bytes[] = {"B",   "KiB", "MiB",
	                                    "GiB", "TiB", "PiB"};
	static const char *const watt[] = {"W", "kW", "MW", "GW", "TW", "PW"};
	static const char *const wh[] = {"Wh",  "kWh", "MWh",
	                                 "GWh", "TWh", "PWh"};
	static const char *const none[] = {"", "k", "M", "G", "T", "P"};
	const char *const *names;
	double base;
	char num[32];

	if (!buf || len == 0)
		return buf;
	switch (unit) {
	case STATMATH_UNIT_BITPS:
		names = bits, base = 1000;
		break;
	case STATMATH_UNIT_BYTES:
		names = bytes, base = 1024;
		break;
	case STATMATH_UNIT_WATT:
		names = watt, base = 1000;
		break;
	case STATMATH_UNIT_WH:
		names = wh, base = 1000;
		break;
	case STATMATH_UNIT_NONE:
	default:
		names = none, base = 1000;
		break;
	}
	if (!isfinite(value)) {
		dc_strlcpy(buf,
		           isnan(value) ? "-"
		           : value < 0  ? "-inf"
		                        : "inf",
		           len);
		return buf;
	}
	const char *sign = value < 0 ? "-" : "";
	double v = fabs(value);
	int p = 0;
	for (;;) {
		/* Round first, so 999.7 goes up to "1 k..." and not "1000". */
		int decimals = v >= 100 ? 0 : v >= 10 ? 1 : 2;
		snprintf(num, sizeof(num), "%.*f", decimals, v);
		if (strtod(num, NULL) < 1000 || p == 5)
			break;
		v /= base;
		p++;
	}
	if (strchr(num, '.')) {
		char *e = num + strlen(num) - 1;
		while (*e == '0')
			*e-- = '\0';
		if (*e == '.')
			*e = '\0';
	}
	if (!strcmp(num, "0"))
		sign = "";
	/* A bare number takes its prefix like a suffix: "4.2k". */
	snprintf(buf, len, "%s%s%s%s", sign, num,
	         unit == STATMATH_UNIT_NONE ? "" : " ", names[p]);
	return buf;
}
