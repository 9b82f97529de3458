/* bench_stats.c - statistics benchmarks (shared/spec/quality.md):
 *
 * - stats_backfill_1000x1d: one day of 5-minute buckets for 1 000 servers
 *   from dcisim (server.stat over curl multi, reused connections, at most
 *   STATS_DEFAULT_PARALLEL in flight), stored with their daily rows;
 *   wall seconds and this process's CPU seconds (the collector is one
 *   thread: "on one core"). Goal: under 10 s.
 * - idle_cpu_graph: the console with a live Graphs screen (refresh 2 s,
 *   collecting at every tick) and `htop -d 20` side by side, each in its
 *   own pseudo-terminal, for the same wall time; CPU ticks (utime + stime
 *   from /proc/PID/stat) of each. Goal: no more than htop.
 *
 * Prints a conditions line, then BENCH lines. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "panel.h"
#include "simproc.h"
#include "stats.h"
#include "store.h"

#define SERVERS 1000

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int make_store(const char *path, const simproc *sp, dc_err *err)
{
	dc_store *st = store_open(path, err);
	if (!st)
		return -1;
	dc_department d = {.name = "NOC"};
	dc_conn ipm = {.name = "ipm", .username = "admin"};
	snprintf(ipm.url, sizeof(ipm.url), "%s", sp->ipmgr);
	dc_module m;
	memset(&m, 0, sizeof(m));
	snprintf(m.name, sizeof(m.name), "dc1");
	snprintf(m.url, sizeof(m.url), "%s", sp->dcimgr[0]);
	snprintf(m.username, sizeof(m.username), "admin");
	snprintf(m.parking_type, sizeof(m.parking_type), "parking");
	m.sorting = 10;
	m.enabled = true;
	int rc = -1;
	if (department_add(st, &d, err) == 0 &&
	    ipmgr_add(st, &ipm, "admin", err) == 0) {
		m.ipmgr_id = ipm.id;
		m.department_id = d.id;
		rc = module_add(st, &m, "admin", err);
	}
	store_close(st);
	return rc;
}

/* ---- back-fill ------------------------------------------------------------
 */

static int bench_backfill(const char *dir)
{
	simproc sp;
	char clk[32], path[600];
	int64_t t0 = 1767268800; /* 2026-01-01 12:00 UTC, virtual */
	dc_err err;

	snprintf(clk, sizeof(clk), "%lld", (long long)t0);
	const char *args[] = {"--servers", "1000", "--clock", clk, NULL};
	if (simproc_start(&sp, args) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/backfill.db", dir);
	if (make_store(path, &sp, &err) < 0) {
		fprintf(stderr, "bench_stats: store: %s\n", err.msg);
		simproc_stop(&sp);
		return -1;
	}
	dc_store *st = store_open(path, &err);
	stats_collect_opts o = {.module = "dc1",
	                        .since = t0 - 86400,
	                        .now = t0,
	                        .timeout_ms = 60000};
	stats_collect_result r;
	double w0 = now_s(), c0 = cpu_s();
	int rc = st ? stats_collect(st, &o, &r, &err) : -1;
	double wall = now_s() - w0, cpu = cpu_s() - c0;
	store_close(st);
	simproc_stop(&sp);
	if (rc < 0 || r.servers_ok != SERVERS) {
		fprintf(stderr, "bench_stats: back-fill failed: %s\n", err.msg);
		return -1;
	}
	printf("# stats back-fill: servers=%d buckets=%llu requests=%zu "
	       "days=%zu parallel=%d cpu=%.2fs (collector, one thread)\n",
	       SERVERS, (unsigned long long)r.buckets, r.requests, r.days,
	       STATS_DEFAULT_PARALLEL, cpu);
	printf("BENCH stats_backfill_1000x1d %.2f s goal=<10s\n", wall);
	return 0;
}

/* ---- idle CPU beside htop ------------------------------------------------ */

typedef struct child {
	pid_t pid;
	int fd;
	char seen[8192]; /* a window of the latest output */
	size_t len;
} child;

static int spawn_pty(child *c, char *const argv[], char *const envp[])
{
	struct winsize ws = {.ws_row = 24, .ws_col = 80};
	memset(c, 0, sizeof(*c));
	c->pid = forkpty(&c->fd, NULL, NULL, &ws);
	if (c->pid < 0)
		return -1;
	if (c->pid == 0) {
		execve(argv[0], argv, envp);
		_exit(127);
	}
	fcntl(c->fd, F_SETFL, O_NONBLOCK);
	return 0;
}

/* Reads what a child wrote (the terminal must be drained, or it blocks). */
static void drain(child *c)
{
	char buf[4096];
	ssize_t n;
	while ((n = read(c->fd, buf, sizeof(buf))) > 0) {
		size_t k = (size_t)n;
		if (c->len + k >= sizeof(c->seen)) {
			size_t keep = sizeof(c->seen) / 2;
			memmove(c->seen, c->seen + c->len - keep, keep);
			c->len = keep;
		}
		if (k >= sizeof(c->seen) - c->len)
			k = sizeof(c->seen) - c->len - 1;
		memcpy(c->seen + c->len, buf, k);
		c->len += k;
		c->seen[c->len] = '\0';
	}
}

/* Pumps both terminals for `secs` seconds, or until `c` shows `text`. */
static bool pump(child *a, child *b, double secs, const char *text)
{
	double end = now_s() + secs;
	while (now_s() < end) {
		struct pollfd p[2] = {{.fd = a->fd, .events = POLLIN},
		                      {.fd = b ? b->fd : -1, .events = POLLIN}};
		int ms = (int)((end - now_s()) * 1000) + 1;
		if (poll(p, 2, ms > 200 ? 200 : ms) < 0 && errno != EINTR)
			return false;
		drain(a);
		if (b)
			drain(b);
		if (text && memmem(a->seen, a->len, text, strlen(text)))
			return true;
	}
	return !text;
}

static long ticks(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* after the ")" closing the command name: state is field 3, utime
	 * and stime are fields 14 and 15 */
	char *p = strrchr(buf, ')');
	long ut = 0, stt = 0;
	if (!p || sscanf(p + 2,
	                 "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
	                 "%ld %ld",
	                 &ut, &stt) != 2)
		return -1;
	return ut + stt;
}

static void stop_child(child *c, const char *quit)
{
	if (c->pid <= 0)
		return;
	if (quit && write(c->fd, quit, strlen(quit)) < 0)
		(void)0;
	for (int i = 0; i < 50; i++) {
		int st;
		drain(c);
		if (waitpid(c->pid, &st, WNOHANG) == c->pid) {
			c->pid = 0;
			break;
		}
		struct timespec ts = {0, 20 * 1000000L};
		nanosleep(&ts, NULL); /* bounded: the child is quitting */
	}
	if (c->pid > 0) {
		kill(c->pid, SIGTERM);
		waitpid(c->pid, NULL, 0);
	}
	close(c->fd);
}

static int bench_idle(const char *dir)
{
	simproc sp;
	char clk[32], path[600], cfg[700], cfgenv[800], home[700];
	int64_t t0 = ((int64_t)time(NULL) / 300) * 300 + 30 * 86400;
	double secs = 20;
	const char *e = getenv("BENCH_IDLE_SECONDS");
	const char *dcictl = getenv("DCICTL");
	dc_err err;
	int rc = -1;

	if (e && atof(e) > 0)
		secs = atof(e);
	if (!dcictl || !*dcictl)
		dcictl = "build/dcictl";
	if (access("/usr/bin/htop", X_OK) != 0) {
		printf("# idle_cpu_graph skipped: htop is not installed "
		       "(tests/tools/deps.sh installs it)\n");
		return 0;
	}
	snprintf(clk, sizeof(clk), "%lld", (long long)t0);
	const char *args[] = {"--servers", "20", "--clock", clk, NULL};
	if (simproc_start(&sp, args) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/idle.db", dir);
	snprintf(cfg, sizeof(cfg), "%s/config", dir);
	snprintf(home, sizeof(home), "HOME=%s", dir);
	snprintf(cfgenv, sizeof(cfgenv), "DCICTL_CONFIG=%s", cfg);
	FILE *f = fopen(cfg, "w");
	if (!f || make_store(path, &sp, &err) < 0) {
		if (f)
			fclose(f);
		simproc_stop(&sp);
		return -1;
	}
	fprintf(f, "store = \"%s\";\nrefresh = 2;\n", path);
	fclose(f);
	chmod(cfg, 0600);
	dc_store *st = store_open(path, &err);
	stats_collect_opts o = {
	    .module = "dc1", .since = t0 - 2 * 86400, .now = t0};
	stats_collect_result r;
	if (!st || stats_collect(st, &o, &r, &err) < 0) {
		store_close(st);
		simproc_stop(&sp);
		return -1;
	}
	store_close(st);

	char *env[] = {cfgenv,
	               home,
	               "TERM=xterm-256color",
	               "LANG=C.UTF-8",
	               "PATH=/usr/bin:/bin",
	               NULL};
	char *dargv[] = {(char *)dcictl, NULL};
	char *hargv[] = {"/usr/bin/htop", "-d", "20", NULL};
	child dc, ht;
	if (spawn_pty(&dc, dargv, env) < 0 || spawn_pty(&ht, hargv, env) < 0) {
		simproc_stop(&sp);
		return -1;
	}
	if (!pump(&dc, &ht, 15, "Dashboard") ||
	    write(dc.fd, ":stats graph dc1/3\r", 19) != 19 ||
	    !pump(&dc, &ht, 15, "Traffic (bit/s)")) {
		fprintf(stderr, "bench_stats: the graph did not open\n");
		goto out;
	}
	pump(&dc, &ht, 2, NULL); /* let both settle into their loops */
	long d0 = ticks(dc.pid), h0 = ticks(ht.pid);
	double w0 = now_s();
	pump(&dc, &ht, secs, NULL);
	long d1 = ticks(dc.pid), h1 = ticks(ht.pid);
	double wall = now_s() - w0;
	if (d0 < 0 || h0 < 0 || d1 < 0 || h1 < 0) {
		fprintf(stderr, "bench_stats: cannot read /proc/PID/stat\n");
		goto out;
	}
	long dt = d1 - d0, hv = h1 - h0;
	printf("# idle graph: dcictl (live graph, refresh 2 s, collecting) "
	       "and htop -d 20, 80x24 each, %.1f s wall, %ld ticks/s; "
	       "dcictl %ld ticks, htop %ld ticks\n",
	       wall, sysconf(_SC_CLK_TCK), dt, hv);
	printf("BENCH idle_cpu_graph %ld ticks ratio=%.2f goal=<=htop\n", dt,
	       hv > 0 ? (double)dt / (double)hv : (dt > 0 ? 99.0 : 0.0));
	rc = 0;
out:
	stop_child(&dc, "Q");
	stop_child(&ht, "q");
	simproc_stop(&sp);
	return rc;
}

int main(void)
{
	const char *tmp = getenv("DCITEST_TMP");
	char dir[512], cmd[600];
	int rc = 0;

	if (panel_lib_init(NULL) < 0)
		return 1;
	snprintf(dir, sizeof(dir), "%s/bench-stats-XXXXXX",
	         tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("bench_stats: mkdtemp");
		return 1;
	}
	chmod(dir, 0700);
	printf("# bench_stats: cores=%ld\n", sysconf(_SC_NPROCESSORS_ONLN));
	if (bench_backfill(dir) < 0) {
		printf("# stats_backfill_1000x1d failed\n");
		rc = 1;
	}
	if (bench_idle(dir) < 0) {
		printf("# idle_cpu_graph failed\n");
		rc = 1;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_stats: could not remove %s\n", dir);
	panel_lib_cleanup();
	return rc;
}
