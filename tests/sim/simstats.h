/* simstats.h - the statistics generator: per server and 5-minute bucket,
 * traffic in/out (KiB) and mean power (W).
 *
 * Contract: a bucket is a pure function of (seed, location, server id,
 * bucket start), so every answer (server.stat, traffic, trafficburstable,
 * simctl stat.truth) agrees and tests can compute the truth. The data has a
 * daily curve (peak in the UTC evening, per-server phase), random bursts and
 * burst hours, and gaps (single buckets and hour-long outages) that are
 * missing rows. Thread-safe (no state). Times are unix seconds, UTC. */
#ifndef SIM_STATS_H
#define SIM_STATS_H

#include <stdbool.h>
#include <stdint.h>

#define STATS_BUCKET 300

typedef struct stats_bucket {
	bool present;
	uint64_t in, out; /* KiB in the bucket */
	unsigned power;   /* W, bucket mean */
} stats_bucket;

/* The bucket holding t. */
void stats_bucket_at(uint64_t seed, int loc, unsigned server, int64_t t,
                     stats_bucket *b);

/* For many buckets of one server: the per-server part computed once. */
typedef struct stats_server {
	uint64_t seed;
	int loc;
	unsigned server;
	double base, in_share, peak, idle_w, load_w;
} stats_server;

void stats_server_init(stats_server *p, uint64_t seed, int loc,
                       unsigned server);
/* t must be a bucket start (a multiple of STATS_BUCKET). */
void stats_server_bucket(const stats_server *p, int64_t t, stats_bucket *b);

/* First bucket start >= t. */
int64_t stats_align_up(int64_t t);

/* Summary over the buckets that start in [begin, end) and have ended by
 * now. burst_* is the nearest-rank 95th percentile (rank ceil(0.95 n)) of
 * the present buckets' KiB, i.e. of their rates; rate_* is that in Mbit/s
 * (KiB * 1024 * 8 / 300 / 1e6). */
typedef struct stats_summary {
	uint64_t expected; /* buckets in the range that have ended */
	uint64_t present;
	uint64_t sum_in, sum_out; /* KiB */
	uint64_t burst_in_kib, burst_out_kib;
	double burst_in, burst_out; /* Mbit/s */
	double power_mean;          /* W over present buckets */
} stats_summary;

void stats_summarize(uint64_t seed, int loc, unsigned server, int64_t begin,
                     int64_t end, int64_t now, stats_summary *s);

double stats_rate_mbps(uint64_t kib);

#endif
