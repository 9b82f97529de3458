/* simstats.c - deterministic statistics (see simstats.h). */
#include "simstats.h"
#include "simrand.h"
#include "xbuf.h"

#include <math.h>
#include <stdlib.h>

/* Tags keep the hash streams for different purposes independent. */
enum {
	TAG_SERVER = 0x5e7e,
	TAG_GAP = 0x6a70,
	TAG_OUTAGE = 0x0a7e,
	TAG_NOISE_IN = 0x1001,
	TAG_NOISE_OUT = 0x1002,
	TAG_BURST = 0xb057,
	TAG_BURST_SIZE = 0xb058,
	TAG_BURST_HOUR = 0xb059,
	TAG_POWER = 0x9043,
};

static double unit(uint64_t seed, int loc, unsigned server, uint64_t tag,
                   int64_t k)
{
	return rnd_unit(
	    rnd_hash4(seed ^ (tag << 48), (uint64_t)loc, server, (uint64_t)k));
}

int64_t stats_align_up(int64_t t)
{
	int64_t r = t % STATS_BUCKET;
	if (r < 0)
		r += STATS_BUCKET;
	return r ? t + (STATS_BUCKET - r) : t;
}

static uint64_t kib_of(double mbps)
{
	double kib = mbps * 1e6 * STATS_BUCKET / 8.0 / 1024.0;
	return (uint64_t)llround(kib);
}

static bool bucket_missing(uint64_t seed, int loc, unsigned server, int64_t t)
{
	int64_t b = t / STATS_BUCKET;
	if (unit(seed, loc, server, TAG_GAP, b) < 1.0 / 200)
		return true;
	/* Some days have an outage of 1-3 hours (collector down). */
	int64_t day = t / 86400;
	uint64_t h = rnd_hash4(seed ^ ((uint64_t)TAG_OUTAGE << 48),
	                       (uint64_t)loc, server, (uint64_t)day);
	if (rnd_unit(h) < 0.08) {
		int64_t start = (int64_t)((h >> 8) % 24) * 3600;
		int64_t len = (int64_t)(1 + (h >> 20) % 3) * 3600;
		int64_t tod = t - day * 86400;
		if (tod >= start && tod < start + len)
			return true;
	}
	return false;
}

void stats_bucket_at(uint64_t seed, int loc, unsigned server, int64_t t,
                     stats_bucket *b)
{
	b->present = false;
	b->in = b->out = 0;
	b->power = 0;
	if (bucket_missing(seed, loc, server, t))
		return;
	int64_t k = t / STATS_BUCKET;
	/* Per-server character: base rate 0.2..200 Mbit/s (log-uniform),
	 * inbound share, evening peak hour, idle and load power. */
	uint64_t hs = rnd_hash4(seed ^ ((uint64_t)TAG_SERVER << 48),
	                        (uint64_t)loc, server, 0);
	double base = 0.2 * pow(1000.0, rnd_unit(hs));
	double in_share = 0.15 + 0.5 * rnd_unit(rnd_mix(hs ^ 1));
	double peak = (17.0 + 6.0 * rnd_unit(rnd_mix(hs ^ 2))) * 3600.0;
	double idle_w = 60.0 + 190.0 * rnd_unit(rnd_mix(hs ^ 3));
	double load_w = 40.0 + 200.0 * rnd_unit(rnd_mix(hs ^ 4));

	double tod = (double)(t % 86400);
	double curve =
	    0.3 + 0.7 * (0.5 + 0.5 * cos(2.0 * M_PI * (tod - peak) / 86400.0));
	double burst = 1.0;
	if (unit(seed, loc, server, TAG_BURST, k) < 1.0 / 150)
		burst = 3.0 + 5.0 * unit(seed, loc, server, TAG_BURST_SIZE, k);
	if (unit(seed, loc, server, TAG_BURST_HOUR, t / 3600) < 1.0 / 120)
		burst *= 2.5;
	double nout = 0.75 + 0.5 * unit(seed, loc, server, TAG_NOISE_OUT, k);
	double nin = 0.75 + 0.5 * unit(seed, loc, server, TAG_NOISE_IN, k);
	double out = base * curve * nout * burst;
	double in = base * in_share * curve * nin * burst;
	double load = out / (base * 3.0);
	if (load > 1.0)
		load = 1.0;
	double pnoise = 10.0 * unit(seed, loc, server, TAG_POWER, k) - 5.0;

	b->present = true;
	b->out = kib_of(out);
	b->in = kib_of(in);
	b->power = (unsigned)llround(idle_w + load_w * load + pnoise);
}

double stats_rate_mbps(uint64_t kib)
{
	return (double)kib * 1024.0 * 8.0 / STATS_BUCKET / 1e6;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

void stats_summarize(uint64_t seed, int loc, unsigned server, int64_t begin,
                     int64_t end, int64_t now, stats_summary *s)
{
	*s = (stats_summary){0};
	int64_t t0 = stats_align_up(begin);
	if (end > now - STATS_BUCKET + 1)
		end = now - STATS_BUCKET + 1; /* only buckets that ended */
	if (end <= t0)
		return;
	size_t cap = (size_t)((end - t0 + STATS_BUCKET - 1) / STATS_BUCKET);
	uint64_t *vin = sim_xmalloc(cap * sizeof(uint64_t));
	uint64_t *vout = sim_xmalloc(cap * sizeof(uint64_t));
	double power = 0;
	for (int64_t t = t0; t < end; t += STATS_BUCKET) {
		stats_bucket b;
		s->expected++;
		stats_bucket_at(seed, loc, server, t, &b);
		if (!b.present)
			continue;
		vin[s->present] = b.in;
		vout[s->present] = b.out;
		s->present++;
		s->sum_in += b.in;
		s->sum_out += b.out;
		power += b.power;
	}
	if (s->present) {
		qsort(vin, s->present, sizeof(uint64_t), cmp_u64);
		qsort(vout, s->present, sizeof(uint64_t), cmp_u64);
		uint64_t rank = (95 * s->present + 99) / 100;
		s->burst_in_kib = vin[rank - 1];
		s->burst_out_kib = vout[rank - 1];
		s->burst_in = stats_rate_mbps(s->burst_in_kib);
		s->burst_out = stats_rate_mbps(s->burst_out_kib);
		s->power_mean = power / (double)s->present;
	}
	free(vin);
	free(vout);
}
