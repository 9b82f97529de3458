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
	TAG_BURST = 0xb057,
	TAG_BURST_HOUR = 0xb059,
};

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

/* A server's character, fixed for its life: base rate 0.2..200 Mbit/s
 * (log-uniform), inbound share, evening peak, idle and load power. */
void stats_server_init(stats_server *p, uint64_t seed, int loc, unsigned server)
{
	uint64_t hs = rnd_hash4(seed ^ ((uint64_t)TAG_SERVER << 48),
	                        (uint64_t)loc, server, 0);
	p->seed = seed;
	p->loc = loc;
	p->server = server;
	p->base = 0.2 * pow(1000.0, rnd_unit(hs));
	p->in_share = 0.15 + 0.5 * rnd_unit(rnd_mix(hs ^ 1));
	p->peak = (17.0 + 6.0 * rnd_unit(rnd_mix(hs ^ 2))) * 3600.0;
	p->idle_w = 60.0 + 190.0 * rnd_unit(rnd_mix(hs ^ 3));
	p->load_w = 40.0 + 200.0 * rnd_unit(rnd_mix(hs ^ 4));
}

static uint64_t stream(const stats_server *p, uint64_t tag, int64_t k)
{
	return rnd_hash4(p->seed ^ (tag << 48), (uint64_t)p->loc, p->server,
	                 (uint64_t)k);
}

/* One hash per bucket feeds all its random draws (chained mixes), so a
 * month of one server costs a few milliseconds. */
void stats_server_bucket(const stats_server *p, int64_t t, stats_bucket *b)
{
	b->present = false;
	b->in = b->out = 0;
	b->power = 0;
	int64_t k = t / STATS_BUCKET;
	uint64_t h = stream(p, TAG_GAP, k);
	if (rnd_unit(h) < 1.0 / 200)
		return; /* a lost sample */
	/* Some days have an outage of 1-3 hours (collector down). */
	int64_t day = t / 86400;
	uint64_t hd = stream(p, TAG_OUTAGE, day);
	if (rnd_unit(hd) < 0.08) {
		int64_t start = (int64_t)((hd >> 8) % 24) * 3600;
		int64_t len = (int64_t)(1 + (hd >> 20) % 3) * 3600;
		int64_t tod = t - day * 86400;
		if (tod >= start && tod < start + len)
			return;
	}
	double tod = (double)(t % 86400);
	double curve =
	    0.3 +
	    0.7 * (0.5 + 0.5 * cos(2.0 * M_PI * (tod - p->peak) / 86400.0));
	uint64_t h1 = rnd_mix(h ^ TAG_BURST), h2 = rnd_mix(h1);
	uint64_t h3 = rnd_mix(h2), h4 = rnd_mix(h3), h5 = rnd_mix(h4);
	double burst = 1.0;
	if (rnd_unit(h1) < 1.0 / 150)
		burst = 3.0 + 5.0 * rnd_unit(h2);
	if (rnd_unit(stream(p, TAG_BURST_HOUR, t / 3600)) < 1.0 / 120)
		burst *= 2.5;
	double nout = 0.75 + 0.5 * rnd_unit(h3);
	double nin = 0.75 + 0.5 * rnd_unit(h4);
	double out = p->base * curve * nout * burst;
	double in = p->base * p->in_share * curve * nin * burst;
	double load = out / (p->base * 3.0);
	if (load > 1.0)
		load = 1.0;
	double pnoise = 10.0 * rnd_unit(h5) - 5.0;

	b->present = true;
	b->out = kib_of(out);
	b->in = kib_of(in);
	b->power = (unsigned)llround(p->idle_w + p->load_w * load + pnoise);
}

void stats_bucket_at(uint64_t seed, int loc, unsigned server, int64_t t,
                     stats_bucket *b)
{
	stats_server p;
	stats_server_init(&p, seed, loc, server);
	stats_server_bucket(&p, t - t % STATS_BUCKET, b);
}

double stats_rate_mbps(uint64_t kib)
{
	return (double)kib * 1024.0 * 8.0 / STATS_BUCKET / 1e6;
}

/* The k-th smallest (0-based) of v[0..n), reordering v: Hoare
 * quickselect, linear on average (a sort made month-long reports slow). */
static uint64_t select_kth(uint64_t *v, long n, long k)
{
	long lo = 0, hi = n - 1;
	while (lo < hi) {
		uint64_t a = v[lo], b = v[lo + (hi - lo) / 2], c = v[hi];
		uint64_t pivot = a < b ? (b < c ? b : (a < c ? c : a))
		                       : (a < c ? a : (b < c ? c : b));
		long i = lo, j = hi;
		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				uint64_t t = v[i];
				v[i++] = v[j];
				v[j--] = t;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return v[k];
	}
	return v[k];
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
	stats_server p;
	stats_server_init(&p, seed, loc, server);
	for (int64_t t = t0; t < end; t += STATS_BUCKET) {
		stats_bucket b;
		s->expected++;
		stats_server_bucket(&p, t, &b);
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
		long rank = (long)((95 * s->present + 99) / 100);
		s->burst_in_kib = select_kth(vin, (long)s->present, rank - 1);
		s->burst_out_kib = select_kth(vout, (long)s->present, rank - 1);
		s->burst_in = stats_rate_mbps(s->burst_in_kib);
		s->burst_out = stats_rate_mbps(s->burst_out_kib);
		s->power_mean = power / (double)s->present;
	}
	free(vin);
	free(vout);
}
