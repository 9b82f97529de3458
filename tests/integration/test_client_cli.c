/* test_client_cli.c - `dcictl call` against dcisim. The --url form runs
 * cli_call in process: output as XML and JSON with secrets masked, the
 * three password sources (file, environment, terminal prompt with echo
 * off), exit codes and messages. The store forms (MODULE, --ipmgr,
 * --license) run the dcictl binary ($DCICTL) on a store made here with
 * store.h: the stored connection is used, --json/--config/--store/
 * --read-only work before and after "call", an unknown name lists the
 * known ones, bad arguments are named, the store is never created, and
 * the stored password appears in no output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli_call.h"
#include "panel.h"
#include "simproc.h"
#include "store.h"

#define STORED_PW "s3cr3t-pw"

static simproc sim;
static char dir[512], cfg[600], store_file[600], pw_file[600];

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	fclose(f);
	return chmod(path, 0600);
}

/* A store as an operator would have it: a department, an IPmanager, a
 * licence server and two modules, all with user op2 and its password
 * sealed in the store; a config naming it. */
static int make_store(void)
{
	dc_err e;
	char text[700];
	snprintf(store_file, sizeof(store_file), "%s/store.db", dir);
	snprintf(cfg, sizeof(cfg), "%s/config", dir);
	snprintf(pw_file, sizeof(pw_file), "%s/op2-pw", dir);
	snprintf(text, sizeof(text), "store = \"%s\";\n", store_file);
	if (write_file(cfg, text) < 0 || write_file(pw_file, STORED_PW "\n"))
		return -1;
	dc_store *st = store_open(store_file, &e);
	if (!st)
		return -1;
	dc_department d = {.name = "NOC"};
	dc_conn ipm = {.name = "ipm-main", .username = "op2"};
	dc_conn lic = {.name = "licences", .username = "op2"};
	snprintf(ipm.url, sizeof(ipm.url), "%s", sim.ipmgr);
	snprintf(lic.url, sizeof(lic.url), "%s", sim.billmgr);
	int rc = department_add(st, &d, &e) < 0 ||
	                 ipmgr_add(st, &ipm, STORED_PW, &e) < 0 ||
	                 licsrv_add(st, &lic, STORED_PW, &e) < 0
	             ? -1
	             : 0;
	const char *names[] = {"dc1", "dc2"};
	for (int i = 0; i < 2 && rc == 0; i++) {
		dc_module m;
		memset(&m, 0, sizeof(m));
		snprintf(m.name, sizeof(m.name), "%s", names[i]);
		snprintf(m.url, sizeof(m.url), "%s", sim.dcimgr[0]);
		snprintf(m.username, sizeof(m.username), "op2");
		snprintf(m.parking_type, sizeof(m.parking_type), "parking");
		m.sorting = 10 + i;
		m.enabled = true;
		m.ipmgr_id = ipm.id;
		m.licsrv_id = lic.id;
		m.department_id = d.id;
		rc = module_add(st, &m, STORED_PW, &e);
	}
	if (rc < 0)
		fprintf(stderr, "make_store: %s\n", e.msg);
	store_close(st);
	return rc;
}

static int setup(void **state)
{
	const char *t = getenv("DCITEST_TMP");
	snprintf(dir, sizeof(dir), "%s/cli-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	const char *args[] = {"--servers", "5",
	                      "--user",    "admin:admin:29",
	                      "--user",    "op2:" STORED_PW ":29",
	                      NULL};
	if (simproc_start(&sim, args) < 0)
		return -1;
	return make_store();
}

static int teardown(void **state)
{
	simproc_stop(&sim);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

typedef struct run {
	int rc;
	char out[65536], err[4096];
} run;

static void slurp(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "r");
	size_t len = f ? fread(buf, 1, n - 1, f) : 0;
	buf[len] = '\0';
	if (f)
		fclose(f);
}

/* Runs cli_call with stdout and stderr captured. argv[0] is "call". */
static void call(run *r, const char *const *args)
{
	char *argv[32];
	int argc = 0;
	argv[argc++] = "call";
	for (int i = 0; args[i]; i++)
		argv[argc++] = (char *)args[i];
	argv[argc] = NULL;
	char po[600], pe[600];
	snprintf(po, sizeof(po), "%s/out", dir);
	snprintf(pe, sizeof(pe), "%s/err", dir);
	fflush(stdout);
	fflush(stderr);
	int so = dup(1), se = dup(2);
	int fo = open(po, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int fe = open(pe, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fo, 1);
	dup2(fe, 2);
	r->rc = cli_call(NULL, argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	close(fo);
	close(fe);
	slurp(po, r->out, sizeof(r->out));
	slurp(pe, r->err, sizeof(r->err));
}

static void test_xml_and_json(void **state)
{
	static run r;
	setenv("DCICTL_PASSWORD", "admin", 1);
	const char *a[] = {"--url", sim.dcimgr[0], "--user",
	                   "admin", "server",      NULL};
	call(&r, a);
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.out, "<doc>"));
	assert_non_null(strstr(r.out, "  <elem>\n    <id>1</id>"));
	assert_string_equal(r.err, "");
	/* the password was taken out of the environment */
	assert_null(getenv("DCICTL_PASSWORD"));

	setenv("DCICTL_PASSWORD", "admin", 1);
	const char *j[] = {"--url",  sim.dcimgr[0], "--user", "admin",
	                   "--json", "osmgr",       NULL};
	call(&r, j);
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.out, "\"elem\": ["));
	assert_non_null(strstr(r.out, "\"name\": \"Debian-12-amd64\""));
}

static void test_secrets_masked(void **state)
{
	static run r;
	char pf[600];
	snprintf(pf, sizeof(pf), "%s/pw", dir);
	FILE *f = fopen(pf, "w");
	fputs("admin\n", f);
	fclose(f);
	chmod(pf, 0600);
	/* func=auth once more: the answer carries a session id, which must
	 * print masked; the password comes from a file, not argv */
	char vf[620];
	snprintf(vf, sizeof(vf), "password@=%s", pf);
	const char *a[] = {
	    "--url", sim.dcimgr[0],    "--user", "admin", "--password-file", pf,
	    "auth",  "username=admin", vf,       NULL};
	call(&r, a);
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.out, "<auth id=\"***\" level=\"29\">***"));
	assert_string_equal(r.err, "");

	/* a secret on the command line is sent but warned about */
	const char *w[] = {"--url", sim.dcimgr[0],     "--user",
	                   "admin", "--password-file", pf,
	                   "auth",  "username=admin",  "password=admin",
	                   NULL};
	call(&r, w);
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.err, "password@=FILE"));

	/* a password file others can read is refused, saying how to fix */
	chmod(pf, 0644);
	const char *b[] = {
	    "--url", sim.dcimgr[0], "--user", "admin", "--password-file",
	    pf,      "server",      NULL};
	call(&r, b);
	assert_int_equal(r.rc, 1);
	assert_non_null(strstr(r.err, "chmod 600"));
	assert_string_equal(r.out, "");
	chmod(pf, 0600);
}

static void test_failures(void **state)
{
	static run r;
	/* wrong password: one line, category first */
	setenv("DCICTL_PASSWORD", "wrong", 1);
	const char *a[] = {"--url", sim.dcimgr[0], "--user",
	                   "admin", "server",      NULL};
	call(&r, a);
	assert_int_equal(r.rc, 1);
	assert_non_null(strstr(r.err, "dcictl call: auth: "));
	assert_non_null(strstr(r.err, sim.dcimgr[0]));
	assert_null(strstr(r.err, "wrong"));
	assert_int_equal(strchr(r.err, '\n') - r.err + 1, (long)strlen(r.err));

	/* the panel's own error: printed, and named on stderr */
	setenv("DCICTL_PASSWORD", "admin", 1);
	const char *m[] = {"--url",       sim.dcimgr[0], "--user", "admin",
	                   "server.edit", "elid=99999",  NULL};
	call(&r, m);
	assert_int_equal(r.rc, 1);
	assert_non_null(strstr(r.out, "<error type=\"missed\""));
	assert_non_null(strstr(r.err, "missed: "));
	assert_non_null(strstr(r.err, "server.edit at"));

	/* nobody listening */
	setenv("DCICTL_PASSWORD", "admin", 1);
	const char *n[] = {"--url",     "http://127.0.0.1:1/dcimgr",
	                   "--user",    "admin",
	                   "--timeout", "5",
	                   "server",    NULL};
	call(&r, n);
	assert_int_equal(r.rc, 1);
	assert_non_null(strstr(r.err, "transport: "));
	unsetenv("DCICTL_PASSWORD");
}

static void expect_usage(const char *const *args, const char *needle)
{
	static run r;
	call(&r, args);
	if (r.rc != 2 || !strstr(r.err, needle))
		fail_msg("rc %d, stderr '%s' (wanted '%s')", r.rc, r.err,
		         needle);
}

static void test_bad_arguments(void **state)
{
	const char *no_url[] = {"--user", "a", "server", NULL};
	expect_usage(no_url, "--user goes with --url URL");
	const char *no_user[] = {"--url", "http://h/d", "server", NULL};
	expect_usage(no_user, "--user USER is required with --url");
	const char *two[] = {"--url", "http://h/d", "--ipmgr",
	                     "x",     "iptype",     NULL};
	expect_usage(two, "give one of --url, --ipmgr and --license");
	const char *no_func[] = {"--url", "http://h/d", "--user", "a", NULL};
	expect_usage(no_func, "FUNC is missing");
	const char *bad_kv[] = {"--url",  "http://h/d", "--user", "a",
	                        "server", "elid",       NULL};
	expect_usage(bad_kv, "'elid' is not key=value");
	const char *reserved[] = {"--url",  "http://h/d",       "--user", "a",
	                          "server", "func=user.delete", NULL};
	expect_usage(reserved, "set by dcictl itself");
	const char *unknown[] = {"--url",        "http://h/d", "--user", "a",
	                         "--frobnicate", "server",     NULL};
	expect_usage(unknown, "unknown option '--frobnicate'");
	const char *bad_url[] = {"--url", "ftp://h/d", "--user",
	                         "a",     "server",    NULL};
	expect_usage(bad_url, "--url: scheme must be http or https");
	const char *creds[] = {"--url", "https://u:p@h/d", "--user",
	                       "a",     "server",          NULL};
	expect_usage(creds, "must not carry a user name or password");
	const char *timeout[] = {"--url",     "http://h/d", "--user", "a",
	                         "--timeout", "soon",       "server", NULL};
	expect_usage(timeout, "--timeout needs seconds");
	const char *noval[] = {"--url", NULL};
	expect_usage(noval, "needs a value");

	static run r;
	const char *help[] = {"--help", NULL};
	call(&r, help);
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.out, "usage: dcictl call"));
}

/* The prompt: a pseudo-terminal as the controlling terminal, the password
 * typed there, never echoed. */
static void test_prompt(void **state)
{
	unsetenv("DCICTL_PASSWORD");
	int master;
	fflush(NULL);
	pid_t pid = forkpty(&master, NULL, NULL, NULL);
	assert_true(pid >= 0);
	if (pid == 0) {
		char *argv[] = {"call", "--url", sim.dcimgr[0], "--user",
		                "op2",  "osmgr", NULL};
		int rc = cli_call(NULL, 6, argv);
		fflush(NULL); /* _exit does not, and stdout was not a tty */
		_exit(rc);
	}
	char buf[65536];
	size_t len = 0;
	bool typed = false;
	for (int i = 0; i < 400 && len < sizeof(buf) - 1; i++) {
		struct pollfd p = {.fd = master, .events = POLLIN};
		if (poll(&p, 1, 50) <= 0)
			continue;
		ssize_t n = read(master, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break; /* the child is gone */
		len += (size_t)n;
		buf[len] = '\0';
		if (!typed && strstr(buf, "Password for op2 at ")) {
			assert_int_equal(write(master, "s3cr3t-pw\n", 10), 10);
			typed = true;
		}
	}
	int st = 0;
	pid_t w = 0;
	for (int i = 0; i < 200 && (w = waitpid(pid, &st, WNOHANG)) == 0; i++)
		poll(NULL, 0, 50);
	if (w == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	close(master);
	assert_true(typed);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	if (!strstr(buf, "Debian-12-amd64"))
		fail_msg("terminal showed: %s", buf);
	assert_null(strstr(buf, "s3cr3t-pw")); /* not echoed */
}

/* ---- the store forms, through the dcictl binary ---- */

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs $DCICTL args with DCICTL_CONFIG=config (NULL: unset), no password
 * in the environment and no terminal; stdout and stderr captured, at most
 * 60 s. Fails the test if the stored password shows up in either. */
static void dcictl(run *r, const char *config, const char *const *args)
{
	const char *bin = getenv("DCICTL");
	int po[2], pe[2];
	size_t no = 0, ne = 0;
	long long deadline = now_ms() + 60000;
	if (!bin || !*bin)
		bin = "build/dcictl";
	assert_int_equal(pipe(po), 0);
	assert_int_equal(pipe(pe), 0);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *argv[64];
		int n = 0;
		argv[n++] = (char *)bin;
		for (int i = 0; args[i] && n < 63; i++)
			argv[n++] = (char *)args[i];
		argv[n] = NULL;
		dup2(po[1], 1);
		dup2(pe[1], 2);
		close(po[0]);
		close(pe[0]);
		if (config)
			setenv("DCICTL_CONFIG", config, 1);
		else
			unsetenv("DCICTL_CONFIG");
		unsetenv("DCICTL_PASSWORD");
		setsid(); /* no terminal to prompt on */
		execv(bin, argv);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	struct pollfd p[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
	while (p[0].fd >= 0 || p[1].fd >= 0) {
		int left = (int)(deadline - now_ms());
		if (left <= 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			fail_msg("dcictl %s %s took too long", args[0],
			         args[1] ? args[1] : "");
		}
		if (poll(p, 2, left) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++) {
			char *buf = i ? r->err : r->out;
			size_t cap = i ? sizeof(r->err) : sizeof(r->out);
			size_t *len = i ? &ne : &no;
			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP)))
				continue;
			ssize_t k = read(p[i].fd, buf + *len, cap - 1 - *len);
			if (k <= 0) {
				close(p[i].fd);
				p[i].fd = -1;
			} else {
				*len += (size_t)k;
			}
		}
	}
	r->out[no] = '\0';
	r->err[ne] = '\0';
	int st = 0;
	waitpid(pid, &st, 0);
	r->rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	if (strstr(r->out, STORED_PW) || strstr(r->err, STORED_PW))
		fail_msg("the stored password was printed: %s%s", r->out,
		         r->err);
	/* under SAN=1 the binary reports leaks and UB on stderr */
	if (strstr(r->err, "Sanitizer") || strstr(r->err, "runtime error:"))
		fail_msg("dcictl %s %s: %s", args[0], args[1] ? args[1] : "",
		         r->err);
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void expect(const run *r, int rc, const char *out, const char *err)
{
	if (r->rc != rc || (out && !strstr(r->out, out)) ||
	    (err && !strstr(r->err, err)))
		fail_msg("rc %d (wanted %d)\nstdout: %.2000s\nstderr: %s\n"
		         "wanted stdout '%s', stderr '%s'",
		         r->rc, rc, r->out, r->err, out ? out : "",
		         err ? err : "");
}

static void test_store_module(void **state)
{
	static run r, j;
	dcictl(&r, cfg, ARGS("call", "dc1", "osmgr"));
	expect(&r, 0, "<name>Debian-12-amd64</name>", NULL);
	assert_string_equal(r.err, "");

	/* --json before "call" and after it give the same answer */
	dcictl(&r, cfg, ARGS("--json", "call", "dc2", "osmgr"));
	expect(&r, 0, "\"name\": \"Debian-12-amd64\"", NULL);
	dcictl(&j, cfg, ARGS("call", "dc2", "osmgr", "--json"));
	expect(&j, 0, NULL, NULL);
	assert_string_equal(r.out, j.out);
	dcictl(&j, cfg, ARGS("call", "--json", "dc2", "osmgr"));
	assert_string_equal(r.out, j.out);

	/* parameters reach the panel: the panel's own error comes back */
	dcictl(&r, cfg, ARGS("call", "dc1", "server.edit", "elid=99999"));
	expect(&r, 1, "<error type=\"missed\"", "missed: ");
	assert_non_null(strstr(r.err, sim.dcimgr[0]));

	/* a login through the stored user: the session prints masked, and
	 * the password given from a file is not echoed anywhere */
	char kv[700];
	snprintf(kv, sizeof(kv), "password@=%s", pw_file);
	dcictl(&r, cfg, ARGS("call", "dc1", "auth", "username=op2", kv));
	expect(&r, 0, "<auth id=\"***\" level=\"29\">***", NULL);
}

static void test_store_ipmgr_license(void **state)
{
	static run r;
	dcictl(&r, cfg, ARGS("call", "--ipmgr", "ipm-main", "iptype"));
	expect(&r, 0, "<name>parking</name>", NULL);
	dcictl(&r, cfg,
	       ARGS("call", "--license", "licences", "auth", "username=op2",
	            "password@=/dev/null"));
	/* the licence server answers as its own panel: a wrong password
	 * proves the call went there and the stored one was not used */
	expect(&r, 1, "<error type=\"auth\"", sim.billmgr);
	dcictl(&r, cfg,
	       ARGS("--json", "call", "--license", "licences", "soft"));
	expect(&r, 0, "\"doc\"", NULL);

	dcictl(&r, cfg, ARGS("call", "--ipmgr", "ipm-x", "iptype"));
	expect(&r, 2, NULL,
	       "no IPmanager 'ipm-x' in the store; IPmanagers: "
	       "ipm-main");
	assert_string_equal(r.out, "");
	dcictl(&r, cfg, ARGS("call", "--license", "nope", "soft"));
	expect(&r, 2, NULL,
	       "no licence server 'nope' in the store; licence servers: "
	       "licences");
}

static void test_store_unknown_and_bad(void **state)
{
	static run r;
	dcictl(&r, cfg, ARGS("call", "dc9", "server"));
	expect(&r, 2, NULL, "no module 'dc9' in the store; modules: dc1, dc2");
	assert_string_equal(r.out, "");
	assert_int_equal(strchr(r.err, '\n') - r.err + 1, (long)strlen(r.err));
	/* with --json the refusal is also an object on stdout */
	dcictl(&r, cfg, ARGS("--json", "call", "dc9", "server"));
	expect(&r, 2, "\"category\": \"not found\"", "no module 'dc9'");
	assert_non_null(strstr(r.out, "\"field\": \"module\""));

	dcictl(&r, cfg, ARGS("call", "dc1"));
	expect(&r, 2, NULL, "FUNC is missing after module 'dc1'");
	dcictl(&r, cfg, ARGS("call"));
	expect(&r, 2, NULL, "MODULE FUNC is missing");
	dcictl(&r, cfg, ARGS("call", "dc1", "server", "elid"));
	expect(&r, 2, NULL, "'elid' is not key=value");
	dcictl(&r, cfg, ARGS("call", "dc1", "server", "=1"));
	expect(&r, 2, NULL, "'=1' is not key=value");
	dcictl(&r, cfg, ARGS("call", "dc1", "elid=1"));
	expect(&r, 2, NULL, "'elid=1' is not a panel function name");
	dcictl(&r, cfg, ARGS("call", "--user", "admin", "dc1", "server"));
	expect(&r, 2, NULL, "--user goes with --url URL");
	dcictl(&r, cfg, ARGS("call", "--insecure", "dc1", "server"));
	expect(&r, 2, NULL, "--insecure goes with --url URL");
	assert_string_equal(r.out, "");
	/* help before "call" too (call is not in the command table) */
	dcictl(&r, cfg, ARGS("--help", "call"));
	expect(&r, 0, "usage: dcictl call [options] MODULE FUNC", NULL);
	dcictl(&r, cfg, ARGS("call", "dc1", "server", "--help"));
	expect(&r, 0, "usage: dcictl call", NULL);
}

static void test_store_globals(void **state)
{
	static run r;
	char other[700], cfg2[700], text[800];
	/* a second config naming a store that does not exist */
	snprintf(other, sizeof(other), "%s/none.db", dir);
	snprintf(cfg2, sizeof(cfg2), "%s/config2", dir);
	snprintf(text, sizeof(text), "store = \"%s\";\n", other);
	assert_int_equal(write_file(cfg2, text), 0);

	dcictl(&r, cfg2, ARGS("call", "dc1", "osmgr"));
	expect(&r, 1, NULL, "no store at ");
	assert_non_null(strstr(r.err, other));
	assert_int_equal(access(other, F_OK), -1); /* not created */

	/* --config before or after "call" wins over DCICTL_CONFIG */
	dcictl(&r, cfg2, ARGS("--config", cfg, "call", "dc1", "osmgr"));
	expect(&r, 0, "Debian-12-amd64", NULL);
	dcictl(&r, NULL, ARGS("call", "dc1", "--config", cfg, "osmgr"));
	expect(&r, 0, "Debian-12-amd64", NULL);
	/* --store too, before or after */
	dcictl(&r, cfg2, ARGS("--store", store_file, "call", "dc1", "osmgr"));
	expect(&r, 0, "Debian-12-amd64", NULL);
	dcictl(&r, cfg2, ARGS("call", "--store", store_file, "dc1", "osmgr"));
	expect(&r, 0, "Debian-12-amd64", NULL);
	dcictl(&r, cfg, ARGS("--store", other, "call", "dc1", "osmgr"));
	expect(&r, 1, NULL, "no store at ");
	assert_int_equal(access(other, F_OK), -1);

	/* a broken config is named with its line */
	assert_int_equal(write_file(cfg2, "store = ;\n"), 0);
	dcictl(&r, cfg2, ARGS("call", "dc1", "osmgr"));
	expect(&r, 1, NULL, "config2:1");

	/* --read-only: reads go out, anything that may act is refused */
	dcictl(&r, cfg, ARGS("--read-only", "call", "dc1", "server"));
	expect(&r, 0, "<elem>", NULL);
	dcictl(&r, cfg,
	       ARGS("--read-only", "call", "dc1", "server.edit", "elid=1"));
	expect(&r, 0, "<elid>1</elid>", NULL);
	dcictl(&r, cfg,
	       ARGS("--read-only", "call", "dc1", "server.poweron", "elid=1"));
	expect(&r, 1, NULL, "read-only: 'server.poweron' may change things");
	assert_string_equal(r.out, "");
	dcictl(&r, cfg,
	       ARGS("call", "--read-only", "dc1", "server.edit", "elid=1",
	            "sok=ok", "notes=x"));
	expect(&r, 1, NULL, "read-only: 'server.edit'");
}

int main(void)
{
	panel_lib_init(NULL);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_xml_and_json),
	    cmocka_unit_test(test_secrets_masked),
	    cmocka_unit_test(test_failures),
	    cmocka_unit_test(test_bad_arguments),
	    cmocka_unit_test(test_prompt),
	    cmocka_unit_test(test_store_module),
	    cmocka_unit_test(test_store_ipmgr_license),
	    cmocka_unit_test(test_store_unknown_and_bad),
	    cmocka_unit_test(test_store_globals),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
