/* test_apilog.c - the API log screen against dcisim: calls made from the
 * console (an IPmanager check) show up with panel, func, duration and
 * result, and a call's details mask the password. Skipped while no
 * "ipmgr add/check" command is registered. */
#include "vt.h"

#include "cmd.h"
#include "simproc.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMO      20000
#define PASSWORD "S3cretPw9"

static char dir[3800], cfgenv[4300];

#define EXPECT(v, t)                                                           \
	do {                                                                   \
		if (!vt_wait_text((v), (t), TMO)) {                            \
			vt_dump_named((v), __func__);                          \
			fail_msg("screen never showed '%s'", (t));             \
		}                                                              \
	} while (0)

static void rm_dir(const char *d)
{
	DIR *dp = opendir(d);
	struct dirent *e;
	char path[4400];

	if (!dp)
		return;
	while ((e = readdir(dp)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			snprintf(path, sizeof(path), "%s/%s", d, e->d_name);
			unlink(path);
		}
	closedir(dp);
	rmdir(d);
}

static void write_file(const char *name, const char *text)
{
	char path[4000];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, 0600);
}

static void test_calls_listed_and_masked(void **state)
{
	const char *const extra[] = {"--user", "ops:" PASSWORD ":29", NULL};
	const char *env[] = {cfgenv, NULL};
	simproc sp;
	char conf[4200], pwfile[4000];
	vt *v;
	int code = -1;

	(void)state;
	if (!cmd_find("ipmgr", "add") || !cmd_find("ipmgr", "check"))
		skip();
	snprintf(dir, sizeof(dir), "%s/apilog.XXXXXX",
	         getenv("DCITEST_TMP") ? getenv("DCITEST_TMP") : "/tmp");
	assert_non_null(mkdtemp(dir));
	snprintf(conf, sizeof(conf), "store = \"%s/store.db\";\n", dir);
	write_file("config", conf);
	write_file("password", PASSWORD "\n");
	snprintf(cfgenv, sizeof(cfgenv), "DCICTL_CONFIG=%s/config", dir);
	snprintf(pwfile, sizeof(pwfile), "%s/password", dir);
	assert_int_equal(simproc_start(&sp, extra), 0);

	/* set up the connection through the CLI, as an operator would */
	const char *add[] = {"ipmgr",           "add",    "--name", "ipm",
	                     "--url",           sp.ipmgr, "--user", "ops",
	                     "--password-file", pwfile,   NULL};

	assert_int_equal(vt_start(&v, 24, 80, add, env), 0);
	if (!vt_wait_exit(v, TMO, &code) || code != 0) {
		vt_dump_named(v, "apilog_ipmgr_add");
		fail_msg("ipmgr add failed (exit %d)", code);
	}
	vt_stop(v, 1000);

	/* in the console: a check makes panel calls */
	assert_int_equal(vt_start(&v, 24, 80, NULL, env), 0);
	EXPECT(v, "Dashboard");
	vt_send(v, ":ipmgr check ipm\r");
	EXPECT(v, "ok: ");
	vt_send(v, "L");
	EXPECT(v, "API log");
	EXPECT(v, "127.0.0.1");
	EXPECT(v, " ok");
	assert_false(vt_has_text(v, PASSWORD));
	/* the first call is the login: its details mask the password */
	vt_send(v, "g\r");
	EXPECT(v, "parameters (secrets as ***)");
	EXPECT(v, "***");
	assert_false(vt_has_text(v, PASSWORD));
	vt_send(v, "Q");
	assert_true(vt_wait_exit(v, TMO, &code));
	assert_int_equal(code, 0);
	vt_stop(v, 1000);
	simproc_stop(&sp);
	rm_dir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_calls_listed_and_masked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
