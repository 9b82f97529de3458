/* bench_list.c - fetch and decode the 10 000-server list of a dcisim
 * location through the client (dci_server_list), beside the floor measured
 * in the same run: curl fetching the same body to a file, then
 * `xmllint --stream --noout` over it. Medians of several runs; prints
 * BENCH lines (shared/spec/quality.md). */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dci.h"
#include "panel.h"
#include "simproc.h"

#define RUNS    9
#define SERVERS "10000"

extern char **environ;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Runs argv to completion with stdout/stderr to /dev/null; exit status. */
static int run(char *const argv[])
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	pid_t pid;
	int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		return -1;
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int main(void)
{
	if (panel_lib_init(NULL) < 0)
		return 1;
	simproc sp;
	const char *args[] = {"--servers",       SERVERS, "--locations", "1",
	                      "--busy-fraction", "0.3",   NULL};
	if (simproc_start(&sp, args) < 0) {
		fprintf(stderr, "bench_list: cannot start dcisim\n");
		return 1;
	}
	const char *tmp = getenv("DCITEST_TMP");
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/bench-XXXXXX",
	         tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("bench_list: mkdtemp");
		simproc_stop(&sp);
		return 1;
	}
	char bodyf[600], outf[600], bodyarg[610];
	snprintf(bodyf, sizeof(bodyf), "%s/request", dir);
	snprintf(outf, sizeof(outf), "%s/answer.xml", dir);
	snprintf(bodyarg, sizeof(bodyarg), "@%s", bodyf);

	panel_opts o = {
	    .url = sp.dcimgr[0], .username = "admin", .password = "admin"};
	dc_err e;
	panel *p = panel_new(&o, &e);
	int rc = 1;
	if (!p || panel_login(p, NULL, &e) < 0) {
		fprintf(stderr, "bench_list: %s\n", e.msg);
		goto out;
	}
	/* The floor's request carries the same session, from a 0600 file
	 * (not argv). The session id is read from a fresh login answer. */
	{
		char *raw = NULL;
		size_t len = 0;
		const panel_param ps[] = {
		    {"username", "admin"}, {"password", "admin"}, {NULL, NULL}};
		panel_opts ao = o;
		ao.auth_mode = PANEL_AUTH_AUTHINFO;
		panel *a = panel_new(&ao, &e);
		if (!a || panel_call_raw(a, "auth", ps, true, &raw, &len, &e)) {
			fprintf(stderr, "bench_list: login: %s\n", e.msg);
			panel_free(a);
			free(raw);
			goto out;
		}
		xml_doc *d = xml_decode(raw, len, NULL, &e);
		const char *sid = d ? xml_doc_get(d, "auth@id") : NULL;
		int fd = open(bodyf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (!sid || fd < 0) {
			fprintf(stderr, "bench_list: no session for curl\n");
			xml_doc_free(d);
			panel_free(a);
			free(raw);
			if (fd >= 0)
				close(fd);
			goto out;
		}
		dprintf(fd, "out=xml&func=server&auth=%s", sid);
		close(fd);
		xml_doc_free(d);
		panel_free(a);
		free(raw);
	}

	char *curl[] = {"curl", "-s", "-f",    "-o",
	                outf,   "-d", bodyarg, (char *)sp.dcimgr[0],
	                NULL};
	char *lint[] = {"xmllint", "--stream", "--noout", outf, NULL};
	double client[RUNS], floor_[RUNS];
	size_t nservers = 0;
	/* one warm-up of each, then alternate so that both see the same
	 * machine load */
	for (int i = -1; i < RUNS; i++) {
		double t0 = now_ms();
		dci_servers *l = NULL;
		if (dci_server_list(p, &l, &e) < 0) {
			fprintf(stderr, "bench_list: %s\n", e.msg);
			goto out;
		}
		double t1 = now_ms();
		nservers = l->n;
		dci_servers_free(l);
		double t2 = now_ms();
		if (run(curl) != 0 || run(lint) != 0) {
			fprintf(stderr, "bench_list: curl or xmllint failed "
			                "(are both installed?)\n");
			goto out;
		}
		double t3 = now_ms();
		if (i >= 0) {
			client[i] = t1 - t0;
			floor_[i] = t3 - t2;
		}
	}
	struct stat st;
	stat(outf, &st);
	double c = median(client, RUNS), f = median(floor_, RUNS);
	printf("# bench_list: servers=%zu body=%lld bytes runs=%d (median) "
	       "cores=%ld dcisim on loopback; client = dci_server_list "
	       "(fetch, decode, typed rows); floor = curl -d to a file + "
	       "xmllint --stream --noout\n",
	       nservers, (long long)st.st_size, RUNS,
	       sysconf(_SC_NPROCESSORS_ONLN));
	printf("BENCH list_10k_servers %.1f ms ratio=%.2f goal=ratio<=1.5\n", c,
	       c / f);
	printf("BENCH list_10k_floor %.1f ms\n", f);
	rc = nservers == 10000 ? 0 : 1;
out:
	panel_free(p);
	unlink(bodyf);
	unlink(outf);
	rmdir(dir);
	simproc_stop(&sp);
	panel_lib_cleanup();
	return rc;
}
