/* bench_open.c - 50 opens against dcisim with zero delays (install, power
 * and switch instant, no back-off, no polling pause, no claim settle),
 * each with an OS, a licence, extra public, private, IPv6 and special
 * addresses, on one store on disk.
 *
 * Prints:
 *   BENCH open_total <ms> ms/open            wall time of engine_run
 *   BENCH open_engine_time <ms> ms/open      the same minus the time spent
 *                                            inside panel calls (the API
 *                                            log's durations): the engine's
 *                                            own work (journal writes with
 *                                            their fsyncs, decisions)
 *   BENCH open_panel_calls <n> calls/open
 * and the 50 services are closed again (not timed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../integration/test_engine_fixture.h"

#include "apilog.h"

#define OPENS 50

static double mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double panel_ms(apilog *log, uint64_t after, size_t *calls)
{
	size_t cap = apilog_count(log);
	apilog_rec *r = calloc(cap ? cap : 1, sizeof(*r));
	if (!r) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	size_t n = apilog_snapshot(log, after, r, cap);
	double ms = 0;
	for (size_t i = 0; i < n; i++)
		ms += r[i].duration_ms;
	free(r);
	*calls = n;
	return ms;
}

int main(void)
{
	static ef_world X;
	const char *args[] = {"--locations", "1",       "--servers",
	                      "60",          "--types", "ds-small",
	                      "--seed",      "4",       NULL};
	if (ef_start(&X, args)) {
		fprintf(stderr, "bench_open: cannot start dcisim\n");
		return 1;
	}
	apilog *log = apilog_new(200000);
	X.eo.log = log;
	X.eo.backoff_ms = 0;
	X.eo.poll_ms = 0;
	X.eo.claim_settle_ms = 0;
	X.eo.progress = NULL;
	engine *g = ef_engine(&X);
	printf("# bench_open: %d opens, dcisim on loopback with zero delays, "
	       "60 ds-small servers, every add-on kind (OS, licence, 2 extra "
	       "public, 1 private, 2 IPv6, 2 special addresses), store on "
	       "disk in %s\n",
	       OPENS, getenv("DCITEST_TMP") ? getenv("DCITEST_TMP") : "/tmp");
	int64_t sids[OPENS];
	double total = 0, in_panel = 0;
	size_t calls = 0;
	for (int i = 0; i < OPENS; i++) {
		char client[32];
		snprintf(client, sizeof(client), "bench%02d", i);
		int64_t op;
		sids[i] = ef_open(&X, g, client, &op);
		uint64_t seq = apilog_last_seq(log);
		double t0 = mono_ms();
		dc_err e;
		if (engine_run(g, op, &e)) {
			fprintf(stderr, "bench_open: open %d: %s\n", i, e.msg);
			return 1;
		}
		total += mono_ms() - t0;
		size_t c;
		in_panel += panel_ms(log, seq, &c);
		calls += c;
	}
	printf("BENCH open_total %.2f ms/open\n", total / OPENS);
	printf("BENCH open_engine_time %.2f ms/open\n",
	       (total - in_panel) / OPENS);
	printf("BENCH open_panel_calls %.1f calls/open\n",
	       (double)calls / OPENS);
	for (int i = 0; i < OPENS; i++) {
		int64_t op;
		dc_err e;
		if (engine_start(g, OPK_CLOSE, sids[i], NULL, &op, &e) ||
		    engine_run(g, op, &e)) {
			fprintf(stderr, "bench_open: close %d: %s\n", i, e.msg);
			return 1;
		}
	}
	engine_free(g);
	ef_stop(&X);
	apilog_free(log);
	return 0;
}
