/* statmath.h - statistics maths: rates, daily burst, totals, days in a time
 * zone, round axis scales and unit formatting.
 *
 * Contract: pure functions over caller-owned memory; no I/O, no allocation,
 * no global state, safe from any thread. The one exception to "pure" is a
 * STATMATH_ZONE_PROCESS zone, which reads the process time zone through
 * localtime_r(): see statmath_zone_parse() for how the program sets it once.
 *
 * Units (shared/spec/domain.md 7): a bucket is 5 minutes (300 s) starting at
 * a unix time that is a multiple of 300; `in`/`out` are KiB in the bucket,
 * `power` is the bucket's mean in W. Rates are SI megabits per second:
 * KiB x 1024 x 8 / 300 / 10^6. Missing data is a missing bucket (or a clear
 * present flag), never a zero. Times are unix seconds (int64_t). Formatted
 * values take base units: bit/s, bytes, W, Wh.
 *
 * Definitions and worked examples: doc/statistics.md. */
#ifndef DC_STATMATH_H
#define DC_STATMATH_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define STATMATH_BUCKET_SECONDS 300
#define STATMATH_DAY_BUCKETS    288 /* in a 24-hour day */
/* Longest local day we accept: 25 h (a DST fall-back day) plus margin. */
#define STATMATH_MAX_DAY_BUCKETS 312

/* statmath_bucket.present bits: which fields the panel reported. */
enum {
	STATMATH_HAS_IN = 1u << 0,
	STATMATH_HAS_OUT = 1u << 1,
	STATMATH_HAS_POWER = 1u << 2,
	STATMATH_HAS_ALL =
	    STATMATH_HAS_IN | STATMATH_HAS_OUT | STATMATH_HAS_POWER,
};

typedef struct statmath_bucket {
	int64_t time;     /* bucket start, unix s, multiple of 300 */
	uint64_t in_kib;  /* KiB received in the bucket */
	uint64_t out_kib; /* KiB sent in the bucket */
	double power_w;   /* mean power over the bucket, W */
	unsigned present; /* STATMATH_HAS_* */
} statmath_bucket;

/* --- rates and the daily burst --------------------------------------- */

/* Mean rate of a 5-minute bucket holding `kib` KiB, in Mbit/s (SI). */
double statmath_rate_mbps(uint64_t kib);

/* The 1-based nearest rank of the 95th percentile among n values:
 * ceil(0.95 x n) in integer arithmetic, (95n + 99) / 100; 0 when n == 0.
 * n = 288 -> 274, n = 20 -> 19, n = 100 -> 95, n = 101 -> 96. */
size_t statmath_rank95(size_t n);

typedef struct statmath_burst {
	double in_mbps;  /* burst_in_day, NaN when no `in` bucket present */
	double out_mbps; /* burst_out_day, NaN when no `out` bucket present */
	size_t n_in;     /* present `in` buckets used */
	size_t n_out;    /* present `out` buckets used */
	size_t rank_in;  /* the 1-based rank picked (0 if none) */
	size_t rank_out;
	size_t expected; /* buckets the day can hold: 288, 276 or 300 (DST) */
	double coverage; /* max(n_in, n_out) / 288 (domain.md 7) */
	double coverage_day; /* max(n_in, n_out) / expected: 1.0 = complete */
} statmath_burst;

/* Daily burst of one local day [day_start, day_end) (from statmath_day_*):
 * per direction, the rates of the present buckets sorted ascending, the
 * value at rank statmath_rank95(n). Missing buckets are left out, not taken
 * as zero. Every bucket must lie in the day, be 5-minute aligned and appear
 * once; otherwise -1 with DC_E_INVALID (a caller bug: double counting would
 * change the burst). n == 0 is not an error: bursts are NaN, coverage 0.
 * `b` need not be sorted. */
int statmath_burst_day(const statmath_bucket *b, size_t n, int64_t day_start,
                       int64_t day_end, statmath_burst *out, dc_err *err);

/* --- totals ------------------------------------------------------------ */

typedef struct statmath_totals {
	size_t n;                    /* buckets seen */
	size_t n_in, n_out, n_power; /* present per field */
	uint64_t in_kib, out_kib;    /* exact sums of present buckets */
	uint64_t max_in_kib, max_out_kib;
	double avg_in_mbps,
	    avg_out_mbps; /* over present buckets; NaN if none */
	double max_in_mbps, max_out_mbps; /* NaN if none */
	double cur_in_mbps,
	    cur_out_mbps; /* latest present bucket; NaN if none */
	int64_t cur_in_time, cur_out_time;            /* its start; 0 if none */
	double avg_power_w, max_power_w, cur_power_w; /* NaN if none */
	int64_t cur_power_time;
	double energy_wh; /* sum of power_w x 300 s / 3600, present buckets */
} statmath_totals;

/* Totals over any set of buckets (order does not matter). Sums are exact
 * uint64 KiB; -1 with DC_E_INVALID if one would overflow (it never does for
 * real traffic: 2^64 KiB is 16 ZiB). */
int statmath_totals_compute(const statmath_bucket *b, size_t n,
                            statmath_totals *out, dc_err *err);

/* --- time: 5-minute alignment, zones and days -------------------------- */

/* Start of the bucket holding t: floor(t / 300) x 300, also for t < 0. */
int64_t statmath_align5(int64_t t);

typedef enum statmath_zone_kind {
	STATMATH_ZONE_UTC,
	STATMATH_ZONE_FIXED,   /* a constant offset, e.g. "+03:00" */
	STATMATH_ZONE_PROCESS, /* the process zone via localtime_r() */
} statmath_zone_kind;

typedef struct statmath_zone {
	statmath_zone_kind kind;
	int32_t fixed_offset; /* seconds east of UTC, FIXED only */
	char name[64];        /* as configured, for labels ("UTC", ...) */
} statmath_zone;

/* A UTC zone, for callers that have no configuration. */
statmath_zone statmath_zone_utc(void);

/* Parses the configured statistics zone:
 *   NULL, "", "UTC", "Z", "GMT"          -> UTC
 *   "+03:00", "-0530", "+5", "UTC+03:00"  -> FIXED (up to +-18:00)
 *   "local"                               -> PROCESS, the zone the process has
 *   "Europe/Moscow" (an IANA name)        -> PROCESS, name kept
 * An IANA name is only checked for shape here (no I/O). Its rules come from
 * the C library, and the C library keeps ONE zone per process (TZ), which
 * is process-global state that setenv() is not thread-safe to change. So the
 * program, never core, applies it once at start-up, before any thread:
 *     if (z.kind == STATMATH_ZONE_PROCESS && strcmp(z.name, "local") != 0) {
 *             setenv("TZ", z.name, 1); tzset();
 *     }
 * after which localtime_r() is safe from every thread. Core never touches
 * TZ. -1 with DC_E_INVALID naming field "zone" on a malformed spec. */
int statmath_zone_parse(const char *spec, statmath_zone *z, dc_err *err);

/* Offset of local time from UTC at instant t, in seconds east of UTC. */
long statmath_zone_offset(const statmath_zone *z, int64_t t);

/* Local calendar fields of instant t in zone z. */
typedef struct statmath_tm {
	int year, mon, mday; /* mon 1..12 */
	int hour, min, sec;
	int wday;    /* 0 = Sunday */
	long utcoff; /* seconds east of UTC */
} statmath_tm;
void statmath_civil(const statmath_zone *z, int64_t t, statmath_tm *out);

/* Start of the local day holding t (local midnight, or the first instant of
 * the day where midnight does not exist), and the start of the next day.
 * A day is 24 h, or 23/25 h across a DST change. */
int64_t statmath_day_start(const statmath_zone *z, int64_t t);
int64_t statmath_day_next(const statmath_zone *z, int64_t day_start);

typedef struct statmath_day {
	int64_t start, end; /* [start, end) in unix s */
	int year, mon, mday;
} statmath_day;

/* The local days overlapping [from, to), in order. Fills at most `max`
 * entries and returns how many there are in all (like snprintf: call with
 * max 0 to size the array). from >= to gives 0. */
size_t statmath_split_days(const statmath_zone *z, int64_t from, int64_t to,
                           statmath_day *days, size_t max);

/* "YYYY-MM-DD" as a local day in zone z. -1 with DC_E_INVALID naming field
 * "day" if malformed or the day does not exist in the zone. */
int statmath_day_parse(const statmath_zone *z, const char *text,
                       statmath_day *out, dc_err *err);

/* --- axis scale and formatting ----------------------------------------- */

/* Round axis top for data peaking at `max`: the smallest value of the form
 * {1, 2, 2.5, 5} x 10^k that is >= max; `step` divides it into 4 or 5 round
 * intervals (1 -> 0.2, 2 -> 0.5, 2.5 -> 0.5, 5 -> 1, times 10^k).
 * Hysteresis: when prev_top > 0 and 0.4 x prev_top <= max <= prev_top, the
 * previous top is kept so that a live graph does not rescale on every
 * sample. max <= 0 or NaN (no data, all zero) gives top 1, step 0.2. */
void statmath_nice_scale(double max, double prev_top, double *top,
                         double *step);

typedef enum statmath_unit {
	STATMATH_UNIT_NONE,  /* plain number, SI prefixes k M G T */
	STATMATH_UNIT_BITPS, /* bit/s, kbit/s, Mbit/s, Gbit/s, Tbit/s (SI) */
	STATMATH_UNIT_BYTES, /* B, KiB, MiB, GiB, TiB, PiB (binary) */
	STATMATH_UNIT_WATT,  /* W, kW, MW (SI) */
	STATMATH_UNIT_WH,    /* Wh, kWh, MWh, GWh (SI) */
} statmath_unit;

/* As statmath_nice_scale, for an axis in `unit`: bytes get round binary
 * values within their prefix (2 MiB, 256 KiB steps under 1 MiB) so that
 * the labels statmath_format prints are round too; other units are decimal
 * and use statmath_nice_scale unchanged. */
void statmath_nice_scale_unit(statmath_unit unit, double max, double prev_top,
                              double *top, double *step);

/* Formats `value` (in the unit's base: bit/s, bytes, W, Wh) with the
 * largest prefix that keeps the number below 1000 and at most 3 significant
 * digits, trailing zeros dropped: 2500000 bit/s -> "2.5 Mbit/s",
 * 1536 B -> "1.5 KiB", 0 W -> "0 W". NaN -> "-". Always terminates buf
 * (truncating if short); returns buf. */
char *statmath_format(double value, statmath_unit unit, char *buf, size_t len);

#endif
