/* bench_mem.c - memory of dcictl (shared/spec/quality.md: "under 32 MiB
 * RSS with 10 000 servers and 30 days of stats for 100").
 *
 * One dcisim location of 10 000 servers on a virtual clock; a store with
 * that module and 30 days of 5-minute buckets for 100 of its servers
 * (collected from dcisim by the stats collector, as `dcictl stats collect`
 * does). Then:
 * - the console in a pseudo-terminal (80x24, xterm-256color, libvterm as
 *   the screen tests use): the Servers screen of the module until it says
 *   all 10 000 rows are listed, then the Graphs screen of one of the 100
 *   servers switched to 30 d and left live until a collection tick has
 *   read the 30 days back; its VmHWM (peak RSS) and VmRSS from
 *   /proc/PID/status while it still runs, before it quits with its key;
 * - `dcictl server list MODULE --json` and `dcictl stats show MODULE/ID
 *   --from 30d --to now`, output to /dev/null: peak RSS (VmHWM) read as
 *   they exit (see cli_peak).
 *
 * Prints:
 *   BENCH-CONDITIONS mem: ...
 *   BENCH mem_console_10k_servers_30d_stats <MiB> MiB rss=<MiB>MiB
 *         goal=<32MiB
 *   BENCH mem_cli_server_list_10k <MiB> MiB
 *   BENCH mem_cli_stats_30d <MiB> MiB
 * Exits 1 when something could not be measured, or the console is over
 * its goal. BENCH_MEM_KEEP=1 keeps the store and config (their paths are
 * printed) to look at with valgrind --tool=massif, and the three screens
 * measured (as $DCITEST_TMP/bench_mem_*.screen). */
#include "../e2e/vt.c"

#include "panel.h"
#include "simproc.h"
#include "stats.h"
#include "store.h"

#include <stddef.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>

#define SERVERS       10000
#define STAT_SERVERS  100
#define STAT_DAYS     30
#define GOAL_KIB      (32 * 1024)
#define GRAPH_SERVER  5001 /* one of the 100: 1 + k * 100 */
#define MODULE        "dc1"
#define UI_TIMEOUT_MS 30000

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double mib(long kib)
{
	return (double)kib / 1024.0;
}

/* The store: a department, an IPmanager connection and the module. */
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
	snprintf(m.name, sizeof(m.name), MODULE);
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

/* 30 days back from t0 for servers 1, 101, ... 9901: one collector per
 * server (the collector's filter is one server), each asking dcisim for
 * its 7-day windows in turn. */
static int collect(const char *path, int64_t t0, uint64_t *buckets,
                   size_t *requests, double *secs)
{
	dc_err err;
	dc_store *st = store_open(path, &err);
	double w0 = mono_s();
	*buckets = 0;
	*requests = 0;
	if (!st) {
		fprintf(stderr, "bench_mem: store: %s\n", err.msg);
		return -1;
	}
	for (int i = 0; i < STAT_SERVERS; i++) {
		stats_collect_opts o = {.module = MODULE,
		                        .server_id =
		                            1 + i * (SERVERS / STAT_SERVERS),
		                        .since = t0 - STAT_DAYS * 86400,
		                        .now = t0,
		                        .timeout_ms = 60000};
		stats_collect_result r;
		if (stats_collect(st, &o, &r, &err) < 0 || r.servers_ok != 1) {
			fprintf(stderr,
			        "bench_mem: collecting server %ld: %s\n",
			        o.server_id, err.msg);
			store_close(st);
			return -1;
		}
		*buckets += r.buckets;
		*requests += r.requests;
	}
	store_close(st);
	*secs = mono_s() - w0;
	return 0;
}

/* Memory of a running process from /proc/PID/status, in KiB. */
typedef struct pmem {
	long hwm, rss;   /* VmHWM (peak RSS), VmRSS */
	long anon, file; /* RssAnon (heap, stacks), RssFile (mapped code) */
	long threads;
} pmem;

static int proc_mem(pid_t pid, pmem *m)
{
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
	    {"VmHWM:", offsetof(pmem, hwm)},
	    {"VmRSS:", offsetof(pmem, rss)},
	    {"RssAnon:", offsetof(pmem, anon)},
	    {"RssFile:", offsetof(pmem, file)},
	    {"Threads:", offsetof(pmem, threads)},
	};
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	m->hwm = m->rss = m->anon = m->file = m->threads = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (!strncmp(line, keys[i].key, strlen(keys[i].key)))
				*(long *)((char *)m + keys[i].off) =
				    atol(line + strlen(keys[i].key));
	fclose(f);
	return m->hwm >= 0 && m->rss >= 0 ? 0 : -1;
}

/* The row holding text, or -1. */
static int row_of(vt *v, const char *text)
{
	int row, col;
	return vt_find(v, text, &row, &col) ? row : -1;
}

/* Waits until row `row` reads something other than `before`. */
static bool wait_row_change(vt *v, int row, const char *before, int ms)
{
	char now[512];
	double end = mono_s() + ms / 1000.0;
	while (mono_s() < end) {
		vt_pump(v, 50);
		vt_row_text(v, row, now, sizeof(now));
		if (strcmp(now, before))
			return true;
		if (v->exited)
			return false;
	}
	return false;
}

/* Waits until one row holds both a and b. */
static bool wait_row_with(vt *v, const char *a, const char *b, int ms)
{
	char text[512];
	double end = mono_s() + ms / 1000.0;
	while (mono_s() < end && !v->exited) {
		vt_pump(v, 50);
		for (int row = 0; row < v->rows; row++) {
			vt_row_text(v, row, text, sizeof(text));
			if (strstr(text, a) && strstr(text, b))
				return true;
		}
	}
	return false;
}

static void fail_screen(vt *v, const char *what)
{
	fprintf(stderr, "bench_mem: %s\n", what);
	vt_dump_named(v, "bench_mem");
}

/* The console: Servers screen of 10 000 rows, then the 30-day graph.
 * Returns 0 with the process's memory after start-up (*base), with the
 * list shown (*list) and with the graph (*end). */
static int console(const char *cfgenv, const char *homeenv, bool keep,
                   pmem *base, pmem *list, pmem *end)
{
	const char *envp[] = {cfgenv, homeenv, "TERM=xterm-256color",
	                      "LANG=C.UTF-8", NULL};
	char want[64], status[512], line[128];
	vt *v = NULL;
	int rc = -1, row;

	if (vt_start(&v, 24, 80, NULL, envp) < 0)
		return -1;
	/* start-up includes the dashboard's first count of the module's
	 * servers (the same 10 000-row list, summarised) */
	if (!vt_wait_text(v, "Dashboard", UI_TIMEOUT_MS) ||
	    !wait_row_with(v, MODULE " ", " ok ", UI_TIMEOUT_MS)) {
		fail_screen(v, "the console did not count the module");
		goto out;
	}
	proc_mem(v->pid, base);
	if (keep)
		vt_dump_named(v, "bench_mem_dashboard");

	vt_send(v, ":server list " MODULE "\r");
	snprintf(want, sizeof(want), "%d of %d", SERVERS, SERVERS);
	/* the header counts the rows; the spinner goes once they are drawn */
	if (!vt_wait_text(v, want, UI_TIMEOUT_MS) ||
	    !vt_wait_gone(v, "fetching the server list", UI_TIMEOUT_MS)) {
		fail_screen(v, "the Servers screen did not list 10 000 rows");
		goto out;
	}
	proc_mem(v->pid, list);
	if (keep)
		vt_dump_named(v, "bench_mem_servers");

	snprintf(line, sizeof(line), ":stats graph %s/%d\r", MODULE,
	         GRAPH_SERVER);
	vt_send(v, line);
	/* the status line says "live every" once the first job is in */
	if (!vt_wait_text(v, "live every", UI_TIMEOUT_MS)) {
		fail_screen(v, "the Graphs screen did not load");
		goto out;
	}
	vt_send(v, "4");
	if (!vt_wait_text(v, "[30d]", UI_TIMEOUT_MS)) {
		fail_screen(v, "the 30d range was not selected");
		goto out;
	}
	/* A collection tick submitted after the key reads the 30 days back:
	 * its "checked HH:MM:SS" changes the status line. Two changes, so
	 * that one tick already in flight at the key does not count. */
	for (int i = 0; i < 2; i++) {
		if ((row = row_of(v, "live every")) < 0 ||
		    !wait_row_change(
		        v, row, vt_row_text(v, row, status, sizeof(status)),
		        UI_TIMEOUT_MS)) {
			fail_screen(v, "the graph did not refresh at 30d");
			goto out;
		}
	}
	/* the status line is drawn before the graphs: let them follow */
	if (!vt_wait_gone(v, "loading...", UI_TIMEOUT_MS) ||
	    !vt_wait_gone(v, "no data", UI_TIMEOUT_MS)) {
		fail_screen(v, "the 30-day graph shows no data");
		goto out;
	}
	if (keep)
		vt_dump_named(v, "bench_mem_graph");
	if (proc_mem(v->pid, end) < 0) {
		fprintf(stderr, "bench_mem: cannot read /proc/%d/status\n",
		        (int)v->pid);
		goto out;
	}
	rc = 0;
out:
	vt_send(v, "Q");
	if (!vt_wait_exit(v, 10000, NULL))
		fprintf(stderr, "bench_mem: the console did not quit on Q\n");
	vt_stop(v, 2000);
	return rc;
}

/* Runs dcictl with args, stdin and stdout on /dev/null; its peak RSS in
 * KiB, or -1 when it failed.
 *
 * Not wait4()'s ru_maxrss: the kernel folds the RSS of the mm that
 * execve() replaces into it, and that mm is this (large) process's,
 * copied by fork(). The new program's mm starts its own high-water mark
 * at execve, so the child is traced (PTRACE_O_TRACEEXIT) and stopped as
 * it exits, before its memory goes, to read VmHWM. *rusage_kib gets the
 * ru_maxrss figure for comparison. */
static long cli_peak(char *const envp[], const char *const *args,
                     long *rusage_kib)
{
	const char *prog = getenv("DCICTL");
	const char *av[16];
	size_t n = 0;
	struct rusage ru;
	long peak = -1;
	pmem m;
	int st;

	if (!prog || !*prog)
		prog = "build/dcictl";
	av[n++] = prog;
	while (args[n - 1] && n < 15) {
		av[n] = args[n - 1];
		n++;
	}
	av[n] = NULL;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
		    ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
			_exit(126);
		execve(prog, (char *const *)av, envp);
		_exit(127);
	}
	/* stopped by SIGTRAP after the execve */
	if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st) ||
	    ptrace(PTRACE_SETOPTIONS, pid, NULL,
	           (void *)(long)(PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL)) <
	        0 ||
	    ptrace(PTRACE_CONT, pid, NULL, NULL) < 0) {
		fprintf(stderr, "bench_mem: cannot trace dcictl %s %s\n",
		        args[0], args[1]);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	for (;;) {
		if (wait4(pid, &st, 0, &ru) != pid)
			return -1;
		if (!WIFSTOPPED(st))
			break;
		int sig = WSTOPSIG(st);
		if (sig == SIGTRAP && st >> 16 == PTRACE_EVENT_EXIT) {
			if (proc_mem(pid, &m) == 0)
				peak = m.hwm;
			sig = 0;
		}
		/* other stops: deliver the signal the program was sent */
		ptrace(PTRACE_CONT, pid, NULL, (void *)(long)sig);
	}
	*rusage_kib = ru.ru_maxrss;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "bench_mem: dcictl %s %s failed (status %d)\n",
		        args[0], args[1], st);
		return -1;
	}
	return peak;
}

int main(void)
{
	const char *tmp = getenv("DCITEST_TMP");
	const char *keep = getenv("BENCH_MEM_KEEP");
	char dir[512], path[600] = "", cfg[600] = "", cfgenv[700], homeenv[600],
	               clk[32], pathenv[600], cmd[600];
	int64_t t0 = ((int64_t)time(NULL) / 300) * 300;
	uint64_t buckets = 0;
	size_t requests = 0;
	double csecs = 0, w0 = mono_s();
	pmem base, list, end;
	long cl = -1, cs = -1;
	simproc sp;
	dc_err err;
	struct stat sb;
	int rc = 1;

	if (panel_lib_init(&err) < 0)
		return 1;
	snprintf(dir, sizeof(dir), "%s/bench-mem-XXXXXX",
	         tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("bench_mem: mkdtemp");
		return 1;
	}
	chmod(dir, 0700);
	/* The virtual clock stands at the present, so that "30d" and "now"
	 * of the command line and the graph's range cover the stored days. */
	snprintf(clk, sizeof(clk), "%lld", (long long)t0);
	const char *args[] = {"--servers", "10000", "--clock", clk, NULL};
	if (simproc_start(&sp, args) < 0)
		goto out_dir;
	snprintf(path, sizeof(path), "%s/mem.db", dir);
	snprintf(cfg, sizeof(cfg), "%s/config", dir);
	if (make_store(path, &sp, &err) < 0) {
		fprintf(stderr, "bench_mem: store: %s\n", err.msg);
		goto out_sim;
	}
	FILE *f = fopen(cfg, "w");
	if (!f)
		goto out_sim;
	fprintf(f, "store = \"%s\";\nrefresh = 1;\n", path);
	fclose(f);
	chmod(cfg, 0600);
	if (collect(path, t0, &buckets, &requests, &csecs) < 0)
		goto out_sim;

	snprintf(cfgenv, sizeof(cfgenv), "DCICTL_CONFIG=%s", cfg);
	snprintf(homeenv, sizeof(homeenv), "HOME=%s", dir);
	snprintf(pathenv, sizeof(pathenv), "PATH=/usr/bin:/bin");
	/* The commands run traced (cli_peak), where LeakSanitizer cannot
	 * work; in a sanitizer build their leaks are the tests' business. */
	char *cenv[] = {cfgenv,
	                homeenv,
	                pathenv,
	                "LANG=C.UTF-8",
	                "ASAN_OPTIONS=detect_leaks=0",
	                NULL};
	const char *list_args[] = {"server", "list", MODULE, "--json", NULL};
	char target[64];
	snprintf(target, sizeof(target), "%s/%d", MODULE, GRAPH_SERVER);
	const char *show_args[] = {"stats", "show", target, "--from",
	                           "30d",   "--to", "now",  NULL};

	int crc =
	    console(cfgenv, homeenv, keep && *keep == '1', &base, &list, &end);
	long clru = -1, csru = -1;
	cl = cli_peak(cenv, list_args, &clru);
	cs = cli_peak(cenv, show_args, &csru);
	if (stat(path, &sb) < 0)
		sb.st_size = 0;

	printf("BENCH-CONDITIONS mem: dcisim 1 location x %d servers "
	       "(loopback, virtual clock), %d servers x %d days of 5-minute "
	       "buckets stored (%llu buckets, %zu server.stat answers, "
	       "collected in %.1f s), store %.1f MiB, console 80x24 "
	       "xterm-256color, cores=%ld\n",
	       SERVERS, STAT_SERVERS, STAT_DAYS, (unsigned long long)buckets,
	       requests, csecs, (double)sb.st_size / 1048576.0,
	       sysconf(_SC_NPROCESSORS_ONLN));
	if (crc == 0) {
		printf("# console peak RSS: %.1f MiB after start-up (with "
		       "the dashboard's count of the 10 000 servers), %.1f "
		       "MiB with the Servers screen, %.1f MiB with the "
		       "30-day graph; at the end RSS %.1f MiB = %.1f MiB "
		       "anonymous (heap, stacks) + %.1f MiB mapped files "
		       "(code), %ld threads\n",
		       mib(base.hwm), mib(list.hwm), mib(end.hwm), mib(end.rss),
		       mib(end.anon), mib(end.file), end.threads);
		printf("BENCH mem_console_10k_servers_30d_stats %.1f MiB "
		       "rss=%.1fMiB goal=<32MiB\n",
		       mib(end.hwm), mib(end.rss));
	} else {
		printf("# mem_console_10k_servers_30d_stats: not measured "
		       "(see above)\n");
	}
	printf("# commands: VmHWM as they exit; wait4's ru_maxrss (never "
	       "below this benchmark's own RSS, copied by fork) says %.1f and "
	       "%.1f MiB\n",
	       mib(clru), mib(csru));
	if (cl >= 0)
		printf("BENCH mem_cli_server_list_10k %.1f MiB\n", mib(cl));
	if (cs >= 0)
		printf("BENCH mem_cli_stats_30d %.1f MiB\n", mib(cs));
	printf("# bench_mem: %.1f s in all\n", mono_s() - w0);
	rc = crc == 0 && cl >= 0 && cs >= 0 && end.hwm < GOAL_KIB ? 0 : 1;
	if (crc == 0 && end.hwm >= GOAL_KIB)
		printf("# mem_console_10k_servers_30d_stats is over its "
		       "goal\n");
out_sim:
	simproc_stop(&sp);
out_dir:
	if (keep && *keep == '1' && path[0]) {
		printf("# kept: store %s, config %s\n", path, cfg);
	} else {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "bench_mem: could not remove %s\n",
			        dir);
	}
	panel_lib_cleanup();
	return rc;
}
