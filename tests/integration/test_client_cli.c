/* test_client_cli.c - `dcictl call` (cli_call) against dcisim: output as
 * XML and JSON with secrets masked, the three password sources (file,
 * environment, terminal prompt with echo off), exit codes and messages. */
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
#include <unistd.h>

#include "cli_call.h"
#include "panel.h"
#include "simproc.h"

static simproc sim;
static char dir[512];

static int setup(void **state)
{
	const char *t = getenv("DCITEST_TMP");
	snprintf(dir, sizeof(dir), "%s/cli-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	const char *args[] = {
	    "--servers",        "5", "--user", "admin:admin:29", "--user",
	    "op2:s3cr3t-pw:29", NULL};
	return simproc_start(&sim, args);
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
	r->rc = cli_call(argc, argv);
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
	expect_usage(no_url, "--url URL is required");
	const char *no_user[] = {"--url", "http://h/d", "server", NULL};
	expect_usage(no_user, "--user USER is required");
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
		int rc = cli_call(6, argv);
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

int main(void)
{
	panel_lib_init(NULL);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_xml_and_json),
	    cmocka_unit_test(test_secrets_masked),
	    cmocka_unit_test(test_failures),
	    cmocka_unit_test(test_bad_arguments),
	    cmocka_unit_test(test_prompt),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
