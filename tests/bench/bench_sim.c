/* bench_sim.c - dcisim figures for `make bench`:
 *   sim_start_100k  seconds from exec to READY with 100 000 servers and
 *                   1 000 000 public addresses (goal < 5 s);
 *   sim_list_100k   seconds to fetch func=server for those servers;
 *   sim_rate_small  requests per second of func=osmgr on one keep-alive
 *                   connection with a session (bounded count).
 * Prints a BENCH-CONDITIONS line first. */
#include "simproc.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SMALL_CALLS 3000

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef struct sink {
	size_t len;
	char head[512];
} sink;

static size_t take(char *p, size_t size, size_t n, void *ud)
{
	sink *s = ud;
	size_t add = size * n;
	if (s->len < sizeof(s->head) - 1) {
		size_t k = sizeof(s->head) - 1 - s->len;
		if (k > add)
			k = add;
		memcpy(s->head + s->len, p, k);
		s->head[s->len + k] = '\0';
	}
	s->len += add;
	return add;
}

static int post(CURL *c, const char *url, const char *body, sink *s)
{
	long code = 0;
	memset(s, 0, sizeof(*s));
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, take);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
	if (curl_easy_perform(c) != CURLE_OK)
		return -1;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	return code == 200 && !strstr(s->head, "<error") ? 0 : -1;
}

int main(void)
{
	simproc sp;
	sink s;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	printf(
	    "BENCH-CONDITIONS bench=sim cores=%ld servers=100000 "
	    "public_addresses=1000000 small_calls=%d connection=keep-alive\n",
	    sysconf(_SC_NPROCESSORS_ONLN), SMALL_CALLS);
	fflush(stdout);

	const char *big[] = {"--servers",       "100000", "--public", "1000000",
	                     "--busy-fraction", "0.3",    NULL};
	double t0 = now();
	if (simproc_start(&sp, big) < 0) {
		fprintf(stderr, "bench_sim: dcisim did not start\n");
		return 1;
	}
	double start = now() - t0;
	printf("BENCH sim_start_100k %.3f s goal=<5s\n", start);
	CURL *c = curl_easy_init();
	t0 = now();
	int rc = post(c, sp.dcimgr[0], "func=server&authinfo=admin:admin", &s);
	double list = now() - t0;
	if (rc == 0)
		printf("BENCH sim_list_100k %.3f s bytes=%zu\n", list, s.len);
	else
		fprintf(stderr, "bench_sim: func=server failed\n");
	curl_easy_cleanup(c);
	simproc_stop(&sp);

	const char *small[] = {"--servers", "200", NULL};
	if (simproc_start(&sp, small) < 0) {
		fprintf(stderr, "bench_sim: dcisim did not start\n");
		return 1;
	}
	c = curl_easy_init();
	char body[256], sid[64] = "";
	if (post(c, sp.dcimgr[0], "func=auth&username=admin&password=admin",
	         &s) == 0) {
		const char *p = strstr(s.head, "id=\"");
		if (p)
			sscanf(p + 4, "%63[0-9a-f]", sid);
	}
	snprintf(body, sizeof(body), "func=osmgr&out=xml&auth=%s", sid);
	int ok = 0;
	t0 = now();
	for (int i = 0; i < SMALL_CALLS; i++)
		ok += post(c, sp.dcimgr[0], body, &s) == 0;
	double dt = now() - t0;
	curl_easy_cleanup(c);
	simproc_stop(&sp);
	if (ok != SMALL_CALLS) {
		fprintf(stderr, "bench_sim: %d of %d small calls failed\n",
		        SMALL_CALLS - ok, SMALL_CALLS);
		rc = -1;
	}
	printf("BENCH sim_rate_small %.0f req/s\n", ok / dt);
	curl_global_cleanup();
	return rc == 0 ? 0 : 1;
}
