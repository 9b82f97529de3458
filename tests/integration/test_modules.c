/* test_modules.c - processing modules, departments, IPmanager connections
 * and licence servers through the dcictl binary ($DCICTL) against a dcisim
 * started for the test: a module is added and its check passes; each bad
 * input (bad URL, unreachable URL, wrong password, non-administrator,
 * unknown parking type, duplicate name, non-numeric sorting) is refused
 * naming the field and leaves the store unchanged; `module check` prints
 * each step; delete is refused while a tariff uses the module; secrets are
 * never printed. The store is read back directly (store.h) to see what
 * was written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "simproc.h"
#include "store.h"

#define SECRET_PW "Pa55-w0rd-Xq7"

static simproc sim;
static char dir[512], cfg[600], store_file[600];
static char pw_admin[600], pw_wrong[600], pw_op[600], pw_boss[600];

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	chmod(path, mode);
}

static int setup(void **state)
{
	const char *t = getenv("DCITEST_TMP");
	const char *args[] = {
	    "--servers", "5",        "--user", "admin:admin:29",
	    "--user",    "op:op:16", "--user", "boss:" SECRET_PW ":29",
	    NULL};
	char text[700];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/modules-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	snprintf(cfg, sizeof(cfg), "%s/config", dir);
	snprintf(store_file, sizeof(store_file), "%s/store.db", dir);
	snprintf(text, sizeof(text), "store = \"%s\";\n", store_file);
	write_file(cfg, text, 0600);
	snprintf(pw_admin, sizeof(pw_admin), "%s/pw-admin", dir);
	snprintf(pw_wrong, sizeof(pw_wrong), "%s/pw-wrong", dir);
	snprintf(pw_op, sizeof(pw_op), "%s/pw-op", dir);
	snprintf(pw_boss, sizeof(pw_boss), "%s/pw-boss", dir);
	write_file(pw_admin, "admin\n", 0600);
	write_file(pw_wrong, "not-the-password\n", 0600);
	write_file(pw_op, "op\n", 0600);
	write_file(pw_boss, SECRET_PW "\n", 0600);
	return simproc_start(&sim, args);
}

static int teardown(void **state)
{
	char cmd[700];

	(void)state;
	simproc_stop(&sim);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

typedef struct run {
	int rc;
	char out[65536], err[65536];
} run;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs $DCICTL with args (NULL-terminated), stdout and stderr captured,
 * at most 60 s. */
static void dcictl(run *r, const char *const *args)
{
	const char *bin = getenv("DCICTL");
	int po[2], pe[2];
	pid_t pid;
	size_t no = 0, ne = 0;
	long long deadline = now_ms() + 60000;

	if (!bin || !*bin)
		bin = "build/dcictl";
	assert_int_equal(pipe(po), 0);
	assert_int_equal(pipe(pe), 0);
	pid = fork();
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
		setenv("DCICTL_CONFIG", cfg, 1);
		unsetenv("DCICTL_PASSWORD");
		/* no terminal to prompt on: a missing password fails */
		setsid();
		execv(bin, argv);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	for (int open_fds = 2; open_fds > 0;) {
		struct pollfd p[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
		int left = (int)(deadline - now_ms());

		if (left <= 0) {
			kill(pid, SIGKILL);
			fail_msg("dcictl %s %s took too long", args[0],
			         args[1]);
		}
		if (poll(p, 2, left) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++) {
			char *buf = i ? r->err : r->out;
			size_t *len = i ? &ne : &no;
			ssize_t k;

			if (!(p[i].revents & (POLLIN | POLLHUP)))
				continue;
			k = read(p[i].fd, buf + *len,
			         sizeof(r->out) - 1 - *len);
			if (k <= 0) {
				p[i].fd = -1;
				close(i ? pe[0] : po[0]);
				if (i)
					pe[0] = -1;
				else
					po[0] = -1;
				open_fds--;
			} else {
				*len += (size_t)k;
			}
		}
		if (po[0] < 0 && pe[0] < 0)
			break;
	}
	r->out[no] = '\0';
	r->err[ne] = '\0';
	int st = 0;

	waitpid(pid, &st, 0);
	r->rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Number of modules in the store, and whether `name` is one of them. */
static size_t modules_in_store(const char *name, bool *found)
{
	dc_err err;
	dc_store *st = store_open(store_file, &err);
	dc_module *v = NULL;
	size_t n = 0;

	assert_non_null(st);
	assert_int_equal(module_list(st, &v, &n, &err), 0);
	if (found) {
		*found = false;
		for (size_t i = 0; i < n; i++)
			if (!strcmp(v[i].name, name))
				*found = true;
	}
	free(v);
	store_close(st);
	return n;
}

static void expect_ok(run *r)
{
	if (r->rc != 0)
		fail_msg("exit %d\nstdout: %s\nstderr: %s", r->rc, r->out,
		         r->err);
}

/* The base the tests build on (runs first): a department, an IPmanager
 * and a licence server, as demo.sh adds them. */
static void test_prerequisites(void **state)
{
	run r;

	(void)state;
	dcictl(&r,
	       (const char *[]){"department", "add", "--name", "NOC", NULL});
	expect_ok(&r);
	dcictl(&r, (const char *[]){"ipmgr", "add", "--name", "ipmgr-main",
	                            "--url", sim.ipmgr, "--user", "admin",
	                            "--password-file", pw_admin, NULL});
	expect_ok(&r);
	dcictl(&r, (const char *[]){"license", "add", "--name", "licences",
	                            "--url", sim.billmgr, "--user", "admin",
	                            "--password-file", pw_admin, NULL});
	expect_ok(&r);
	/* a wrong password is caught before anything is saved */
	dcictl(&r,
	       (const char *[]){"--json", "ipmgr", "add", "--name", "ipm-bad",
	                        "--url", sim.ipmgr, "--user", "admin",
	                        "--password-file", pw_wrong, NULL});
	assert_int_equal(r.rc, 1);
	assert_non_null(strstr(r.out, "\"field\":\"password\""));
	dcictl(&r, (const char *[]){"ipmgr", "list", NULL});
	expect_ok(&r);
	assert_non_null(strstr(r.out, "ipmgr-main"));
	assert_null(strstr(r.out, "ipm-bad"));
	dcictl(&r, (const char *[]){"ipmgr", "check", "ipmgr-main", NULL});
	expect_ok(&r);
	assert_non_null(strstr(r.out, "address types"));
	assert_non_null(strstr(r.out, "parking"));
	dcictl(&r, (const char *[]){"license", "check", "licences", NULL});
	expect_ok(&r);
}

static void test_add_and_check(void **state)
{
	run r;
	bool found;
	dc_err err;
	dc_store *st;
	dc_module m;

	(void)state;
	dcictl(&r, (const char *[]){"--json",
	                            "module",
	                            "add",
	                            "--name",
	                            "dc1-frankfurt",
	                            "--url",
	                            sim.dcimgr[0],
	                            "--user",
	                            "admin",
	                            "--password-file",
	                            pw_admin,
	                            "--ipmgr",
	                            "ipmgr-main",
	                            "--parking-type",
	                            "parking",
	                            "--license",
	                            "licences",
	                            "--department",
	                            "NOC",
	                            "--sorting",
	                            "10",
	                            NULL});
	expect_ok(&r);
	assert_non_null(strstr(r.out, "\"ok\": true"));
	assert_non_null(strstr(r.out, "\"password\": \"(set)\""));
	assert_int_equal(modules_in_store("dc1-frankfurt", &found), 1);
	assert_true(found);

	dcictl(&r, (const char *[]){"module", "check", "dc1-frankfurt", NULL});
	expect_ok(&r);
	/* one line per step, in the output */
	const char *steps[] = {"resolve host",
	                       "TCP connect",
	                       "TLS",
	                       "login",
	                       "administrator level",
	                       "API answers",
	                       "IPmanager reachable",
	                       "parking type exists",
	                       "licence server login"};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (!strstr(r.out, steps[i]))
			fail_msg("no step '%s' in:\n%s", steps[i], r.out);
	assert_non_null(strstr(r.out, "checks passed"));

	st = store_open(store_file, &err);
	assert_non_null(st);
	assert_int_equal(module_get_by_name(st, "dc1-frankfurt", &m, &err), 0);
	assert_int_equal(m.check.ok, 1);
	assert_true(m.check.at > 0);
	assert_int_equal(m.sorting, 10);
	assert_string_equal(m.parking_type, "parking");
	assert_true(m.licsrv_id > 0);
	store_close(st);

	dcictl(&r, (const char *[]){"module", "list", NULL});
	expect_ok(&r);
	assert_non_null(strstr(r.out, "dc1-frankfurt"));
	assert_non_null(strstr(r.out, "ok"));
}

typedef struct bad_case {
	const char *what;
	const char *field;  /* the field the refusal must name */
	const char *in_msg; /* text the message must hold */
	const char *name, *url_kind, *user, *pwfile, *parking, *sorting;
} bad_case;

/* Each bad input: refused (exit 1), naming the field, nothing written. */
static void test_refusals(void **state)
{
	const bad_case cases[] = {
	    {"bad URL", "url", "http", "m-badurl", "ftp", "admin", "admin",
	     "parking", "1"},
	    {"unreachable URL", "url", "connect", "m-closed", "closed", "admin",
	     "admin", "parking", "1"},
	    {"wrong password", "password", "refused", "m-wrongpw", "ok",
	     "admin", "wrong", "parking", "1"},
	    {"non-administrator", "username", "level 16", "m-op", "ok", "op",
	     "op", "parking", "1"},
	    {"unknown parking type", "parking_type", "guardvlan9", "m-park",
	     "ok", "admin", "admin", "no-such-type", "1"},
	    {"duplicate name", "name", "already exists", "dc1-frankfurt", "ok",
	     "admin", "admin", "parking", "1"},
	    {"non-numeric sorting", "sorting", "whole number", "m-sort", "ok",
	     "admin", "admin", "parking", "ten"},
	};
	size_t before = modules_in_store("", NULL);

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const bad_case *c = &cases[i];
		char want[64];
		run r;
		bool found;
		const char *url = !strcmp(c->url_kind, "ftp")
		                      ? "ftp://127.0.0.1/dcimgr"
		                  : !strcmp(c->url_kind, "closed")
		                      ? "http://127.0.0.1:1/dcimgr"
		                      : sim.dcimgr[0];
		const char *pw = !strcmp(c->pwfile, "admin")   ? pw_admin
		                 : !strcmp(c->pwfile, "wrong") ? pw_wrong
		                                               : pw_op;

		dcictl(&r, (const char *[]){"--json",     "module",
		                            "add",        "--name",
		                            c->name,      "--url",
		                            url,          "--user",
		                            c->user,      "--password-file",
		                            pw,           "--ipmgr",
		                            "ipmgr-main", "--parking-type",
		                            c->parking,   "--department",
		                            "NOC",        "--sorting",
		                            c->sorting,   NULL});
		if (r.rc != 1)
			fail_msg("%s: exit %d, want 1\n%s%s", c->what, r.rc,
			         r.out, r.err);
		snprintf(want, sizeof(want), "\"field\":\"%s\"", c->field);
		if (!strstr(r.out, want))
			fail_msg("%s: refusal does not name %s:\n%s", c->what,
			         c->field, r.out);
		if (!strstr(r.out, c->in_msg) && !strstr(r.err, c->in_msg))
			fail_msg("%s: message lacks '%s':\n%s", c->what,
			         c->in_msg, r.out);
		assert_int_equal(modules_in_store(c->name, &found), before);
		if (strcmp(c->what, "duplicate name"))
			assert_false(found);
	}
}

static void test_check_failure_exit(void **state)
{
	run r;

	(void)state;
	/* a module whose password changed on the panel behind its back:
	 * added with --no-check, the check then fails naming the field */
	dcictl(
	    &r,
	    (const char *[]){
	        "module",          "add",         "--name",       "m-nocheck",
	        "--url",           sim.dcimgr[0], "--user",       "admin",
	        "--password-file", pw_wrong,      "--ipmgr",      "ipmgr-main",
	        "--parking-type",  "parking",     "--department", "NOC",
	        "--sorting",       "50",          "--no-check",   NULL});
	expect_ok(&r);
	assert_non_null(strstr(r.out, "WITHOUT a connection check"));
	dcictl(&r, (const char *[]){"module", "check", "m-nocheck", NULL});
	assert_int_equal(r.rc, 1);
	/* the steps it ran are printed although it failed, then why */
	assert_non_null(strstr(r.out, "TCP connect"));
	assert_non_null(strstr(r.out, "FAIL"));
	assert_non_null(strstr(r.out, "what to do"));
	assert_non_null(strstr(r.err, "check failed"));
	assert_non_null(strstr(r.err, "password"));
	/* --json: one document, the error and the output it had so far */
	dcictl(&r, (const char *[]){"--json", "module", "check", "m-nocheck",
	                            NULL});
	assert_int_equal(r.rc, 1);
	assert_true(r.out[0] == '{');
	assert_non_null(strstr(r.out, "\"error\":{"));
	assert_non_null(strstr(r.out, "\"field\":\"password\""));
	assert_non_null(strstr(r.out, "\"output\":{\"module\":\"m-nocheck\""));
	assert_non_null(strstr(r.out, "\"ok\":false"));
	assert_non_null(strstr(r.out, "\"step\":\"TCP connect\""));
	assert_non_null(strstr(r.out, "\"what_to_do\":\""));
	assert_null(strchr(strchr(r.out, '\n') ? strchr(r.out, '\n') + 1 : "",
	                   '{')); /* one document */
	dcictl(&r, (const char *[]){"module", "delete", "m-nocheck", NULL});
	expect_ok(&r);
}

static void test_secrets_never_printed(void **state)
{
	run r;
	const char *const *cmds[] = {
	    (const char *[]){"module", "show", "m-boss", NULL},
	    (const char *[]){"--json", "module", "show", "m-boss", NULL},
	    (const char *[]){"module", "list", NULL},
	    (const char *[]){"--json", "module", "check", "m-boss", NULL},
	};

	(void)state;
	dcictl(&r, (const char *[]){"module", "add", "--name", "m-boss",
	                            "--url", sim.dcimgr[0], "--user", "boss",
	                            "--password-file", pw_boss, "--ipmgr",
	                            "ipmgr-main", "--parking-type", "parking",
	                            "--department", "NOC", "--sorting", "30",
	                            NULL});
	expect_ok(&r);
	assert_null(strstr(r.out, SECRET_PW));
	assert_null(strstr(r.err, SECRET_PW));
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		dcictl(&r, cmds[i]);
		expect_ok(&r);
		assert_null(strstr(r.out, SECRET_PW));
		assert_null(strstr(r.err, SECRET_PW));
	}
	dcictl(&r, (const char *[]){"module", "show", "m-boss", NULL});
	assert_non_null(strstr(r.out, "(set)"));
	/* the store file does not hold it in plain text either */
	{
		FILE *f = fopen(store_file, "rb");
		char *buf = malloc(1 << 22);
		size_t n;

		assert_non_null(f);
		n = fread(buf, 1, (1 << 22) - 1, f);
		fclose(f);
		assert_null(memmem(buf, n, SECRET_PW, strlen(SECRET_PW)));
		free(buf);
	}
	/* --password on the command line is refused */
	dcictl(
	    &r,
	    (const char *[]){
	        "--json",     "module",         "add",         "--name",
	        "m-argv",     "--url",          sim.dcimgr[0], "--user",
	        "boss",       "--password",     SECRET_PW,     "--ipmgr",
	        "ipmgr-main", "--parking-type", "parking",     "--department",
	        "NOC",        "--sorting",      "31",          NULL});
	assert_int_equal(r.rc, 1);
	assert_non_null(strstr(r.out, "\"field\":\"password\""));
	assert_null(strstr(r.out, SECRET_PW));
}

static void test_enable_disable_edit(void **state)
{
	run r;
	dc_err err;
	dc_store *st;
	dc_module m;

	(void)state;
	dcictl(&r, (const char *[]){"module", "disable", "m-boss", NULL});
	expect_ok(&r);
	st = store_open(store_file, &err);
	assert_int_equal(module_get_by_name(st, "m-boss", &m, &err), 0);
	assert_false(m.enabled);
	store_close(st);
	dcictl(&r, (const char *[]){"module", "enable", "m-boss", NULL});
	expect_ok(&r);

	/* an edit is validated as an add: a bad sorting changes nothing */
	dcictl(&r, (const char *[]){"--json", "module", "edit", "m-boss",
	                            "--sorting", "-4", NULL});
	assert_int_equal(r.rc, 1);
	assert_non_null(strstr(r.out, "\"field\":\"sorting\""));
	/* an unknown parking type on edit is caught by the check */
	dcictl(&r, (const char *[]){"--json", "module", "edit", "m-boss",
	                            "--parking-type", "nope", NULL});
	assert_int_equal(r.rc, 1);
	assert_non_null(strstr(r.out, "\"field\":\"parking_type\""));
	dcictl(&r, (const char *[]){"module", "edit", "m-boss", "--sorting",
	                            "5", "--new-name", "dc0-boss", NULL});
	expect_ok(&r);
	st = store_open(store_file, &err);
	assert_int_equal(module_get_by_name(st, "dc0-boss", &m, &err), 0);
	assert_true(m.enabled);
	assert_int_equal(m.sorting, 5);
	assert_string_equal(m.parking_type, "parking");
	store_close(st);
}

static void test_delete_refused_while_used(void **state)
{
	run r;
	dc_err err;
	dc_store *st = store_open(store_file, &err);
	dc_module m;
	dc_tariff t;

	(void)state;
	assert_non_null(st);
	assert_int_equal(module_get_by_name(st, "dc1-frankfurt", &m, &err), 0);
	memset(&t, 0, sizeof(t));
	snprintf(t.name, sizeof(t.name), "DS-Small");
	snprintf(t.server_type, sizeof(t.server_type), "ds-small");
	t.enabled = true;
	t.nmodules = 1;
	t.modules[0] = m.id;
	if (tariff_add(st, &t, &err) < 0)
		fail_msg("tariff_add: %s", err.msg);
	store_close(st);

	dcictl(&r, (const char *[]){"module", "delete", "dc1-frankfurt", NULL});
	assert_int_equal(r.rc, 1);
	assert_non_null(strstr(r.err, "DS-Small"));
	assert_int_equal(modules_in_store("", NULL), 2);

	/* the department and the IPmanager are in use too */
	dcictl(&r, (const char *[]){"department", "delete", "NOC", NULL});
	assert_int_equal(r.rc, 1);
	dcictl(&r, (const char *[]){"ipmgr", "delete", "ipmgr-main", NULL});
	assert_int_equal(r.rc, 1);

	st = store_open(store_file, &err);
	assert_int_equal(tariff_delete(st, t.id, &err), 0);
	store_close(st);
	dcictl(&r, (const char *[]){"module", "delete", "dc1-frankfurt", NULL});
	expect_ok(&r);
	assert_int_equal(modules_in_store("", NULL), 1);
}

static void test_read_only(void **state)
{
	run r;
	size_t before = modules_in_store("", NULL);

	(void)state;
	dcictl(
	    &r,
	    (const char *[]){
	        "--read-only", "module",          "add",         "--name",
	        "m-ro",        "--url",           sim.dcimgr[0], "--user",
	        "admin",       "--password-file", pw_admin,      "--ipmgr",
	        "ipmgr-main",  "--parking-type",  "parking",     "--department",
	        "NOC",         "--sorting",       "7",           NULL});
	assert_int_equal(r.rc, 1);
	assert_non_null(strstr(r.err, "read-only"));
	assert_int_equal(modules_in_store("", NULL), before);
	/* a check is allowed: it changes nothing on the panels */
	dcictl(&r, (const char *[]){"--read-only", "module", "check",
	                            "dc0-boss", NULL});
	expect_ok(&r);
	assert_non_null(strstr(r.out, "not stored"));
}

static void test_departments(void **state)
{
	run r;

	(void)state;
	dcictl(&r, (const char *[]){"department", "add", "Billing", NULL});
	expect_ok(&r);
	dcictl(&r, (const char *[]){"--json", "department", "add", "--name",
	                            "Billing", NULL});
	assert_int_equal(r.rc, 1);
	assert_non_null(strstr(r.out, "\"field\":\"name\""));
	dcictl(&r, (const char *[]){"department", "edit", "Billing",
	                            "--new-name", "Accounts", NULL});
	expect_ok(&r);
	dcictl(&r, (const char *[]){"--json", "department", "list", NULL});
	expect_ok(&r);
	assert_non_null(strstr(r.out, "Accounts"));
	assert_null(strstr(r.out, "Billing"));
	dcictl(&r, (const char *[]){"department", "delete", "Accounts", NULL});
	expect_ok(&r);
}

/* An https panel with a self-signed CA: refused without the CA file
 * (naming cafile, at the TLS step), accepted with it, and with --insecure
 * accepted but marked wherever the module is shown. */
static void test_tls(void **state)
{
	simproc tls;
	const char *args[] = {"--servers", "3", "--tls", NULL};
	char ca[512] = "";
	const char *p;
	run r;

	(void)state;
	assert_int_equal(simproc_start(&tls, args), 0);
	p = strstr(tls.ready, " ca=");
	assert_non_null(p);
	sscanf(p + 4, "%511s", ca);
	assert_int_equal(strncmp(tls.dcimgr[0], "https://", 8), 0);

	dcictl(&r,
	       (const char *[]){"--json", "ipmgr", "add", "--name", "ipm-tls",
	                        "--url", tls.ipmgr, "--user", "admin",
	                        "--password-file", pw_admin, NULL});
	assert_int_equal(r.rc, 1);
	assert_non_null(strstr(r.out, "\"field\":\"cafile\""));
	assert_non_null(strstr(r.out, "TLS"));
	dcictl(&r,
	       (const char *[]){"ipmgr", "add", "--name", "ipm-tls", "--url",
	                        tls.ipmgr, "--user", "admin", "--password-file",
	                        pw_admin, "--cafile", ca, NULL});
	expect_ok(&r);

	dcictl(&r,
	       (const char *[]){
	           "--json",  "module",          "add",         "--name",
	           "m-tls",   "--url",           tls.dcimgr[0], "--user",
	           "admin",   "--password-file", pw_admin,      "--ipmgr",
	           "ipm-tls", "--parking-type",  "parking",     "--department",
	           "NOC",     "--sorting",       "60",          NULL});
	assert_int_equal(r.rc, 1);
	assert_non_null(strstr(r.out, "\"field\":\"cafile\""));
	dcictl(&r,
	       (const char *[]){"module",    "add",          "--name",
	                        "m-tls",     "--url",        tls.dcimgr[0],
	                        "--user",    "admin",        "--password-file",
	                        pw_admin,    "--cafile",     ca,
	                        "--ipmgr",   "ipm-tls",      "--parking-type",
	                        "parking",   "--department", "NOC",
	                        "--sorting", "60",           NULL});
	expect_ok(&r);
	assert_non_null(strstr(r.out, "certificate verified"));

	dcictl(&r, (const char *[]){"module",
	                            "add",
	                            "--name",
	                            "m-insecure",
	                            "--url",
	                            tls.dcimgr[0],
	                            "--user",
	                            "admin",
	                            "--password-file",
	                            pw_admin,
	                            "--insecure",
	                            "--ipmgr",
	                            "ipm-tls",
	                            "--parking-type",
	                            "parking",
	                            "--department",
	                            "NOC",
	                            "--sorting",
	                            "61",
	                            NULL});
	expect_ok(&r);
	assert_non_null(strstr(r.out, "NOT verified"));
	dcictl(&r, (const char *[]){"module", "list", NULL});
	expect_ok(&r);
	assert_non_null(strstr(r.out, "INSECURE"));

	dcictl(&r, (const char *[]){"module", "delete", "m-insecure", NULL});
	expect_ok(&r);
	dcictl(&r, (const char *[]){"module", "delete", "m-tls", NULL});
	expect_ok(&r);
	dcictl(&r, (const char *[]){"ipmgr", "delete", "ipm-tls", NULL});
	expect_ok(&r);
	simproc_stop(&tls);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_prerequisites),
	    cmocka_unit_test(test_add_and_check),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_check_failure_exit),
	    cmocka_unit_test(test_secrets_never_printed),
	    cmocka_unit_test(test_enable_disable_edit),
	    cmocka_unit_test(test_delete_refused_while_used),
	    cmocka_unit_test(test_read_only),
	    cmocka_unit_test(test_departments),
	    cmocka_unit_test(test_tls),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
