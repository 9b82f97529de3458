/* test_wizard_delay.c - the module screens against a dcisim that delays
 * every answer by 3 s: while a connection check is in flight the console
 * shows the spinner and the steps done so far, with their times, and
 * still answers keys (the selection moves, help opens, the wizard takes
 * typing while the IPmanager's types are being fetched). Only what the
 * screen shows is asserted, never how fast: the check takes many seconds,
 * so a screen that changes after a key proves the key was answered while
 * the call was in flight. */
#include "vt.h"

#include "simproc.h"
#include "store.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMO   20000
#define DELAY "3000"

static simproc sim;

typedef struct fx {
	char dir[512];
	char cfgenv[800];
	char store[600];
	vt *v;
} fx;

static int group_setup(void **state)
{
	const char *args[] = {"--servers", "5", "--fault", "*:delay:" DELAY,
	                      NULL};

	(void)state;
	return simproc_start(&sim, args);
}

static int group_teardown(void **state)
{
	(void)state;
	simproc_stop(&sim);
	return 0;
}

static int add_module(dc_store *st, const char *name, int64_t ipm, int64_t dep,
                      int sorting, dc_err *err)
{
	dc_module m = {0};

	snprintf(m.name, sizeof(m.name), "%s", name);
	snprintf(m.url, sizeof(m.url), "%s", sim.dcimgr[0]);
	snprintf(m.username, sizeof(m.username), "admin");
	snprintf(m.parking_type, sizeof(m.parking_type), "parking");
	m.ipmgr_id = ipm;
	m.department_id = dep;
	m.sorting = sorting;
	m.enabled = true;
	return module_add(st, &m, "admin", err);
}

static int setup(void **state)
{
	fx *f = calloc(1, sizeof(*f));
	const char *base = getenv("DCITEST_TMP");
	char path[700];
	FILE *c;
	dc_err err;
	dc_store *st;
	dc_department d = {0};
	dc_conn ipm = {0};

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/wizdelay.XXXXXX",
	         base && *base ? base : "/tmp");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->store, sizeof(f->store), "%s/store.db", f->dir);
	snprintf(path, sizeof(path), "%s/config", f->dir);
	c = fopen(path, "w");
	if (!c)
		return -1;
	/* the delay must not look like a dead panel */
	fprintf(c, "store = \"%s\";\nhttp_timeout = 60;\n", f->store);
	fclose(c);
	chmod(path, 0600);
	snprintf(f->cfgenv, sizeof(f->cfgenv), "DCICTL_CONFIG=%s", path);
	st = store_open(f->store, &err);
	if (!st)
		return -1;
	snprintf(d.name, sizeof(d.name), "NOC");
	snprintf(ipm.name, sizeof(ipm.name), "ipmgr-main");
	snprintf(ipm.url, sizeof(ipm.url), "%s", sim.ipmgr);
	snprintf(ipm.username, sizeof(ipm.username), "admin");
	if (department_add(st, &d, &err) < 0 ||
	    ipmgr_add(st, &ipm, "admin", &err) < 0 ||
	    add_module(st, "dc-slow-a", ipm.id, d.id, 1, &err) < 0 ||
	    add_module(st, "dc-slow-b", ipm.id, d.id, 2, &err) < 0) {
		fprintf(stderr, "setup: %s\n", err.msg);
		store_close(st);
		return -1;
	}
	store_close(st);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx *f = *state;
	char cmd[700];

	if (f->v)
		vt_stop(f->v, 100);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

#define EXPECT(v, t)                                                           \
	do {                                                                   \
		if (!vt_wait_text((v), (t), TMO)) {                            \
			vt_dump_named((v), __func__);                          \
			fail_msg("screen never showed '%s'", (t));             \
		}                                                              \
	} while (0)

/* The row showing text, or -1. */
static int row_of(vt *v, const char *text)
{
	int row, col;

	return vt_find(v, text, &row, &col) ? row : -1;
}

/* Whether the list row showing text is the selected one (the selection
 * marker, not a blank, in its first cell). */
static bool selected(vt *v, const char *text)
{
	char buf[1024];
	int row = row_of(v, text);

	return row >= 0 && vt_row_text(v, row, buf, sizeof(buf))[0] != ' ';
}

static bool wait_selected(vt *v, const char *text, int tmo)
{
	for (int waited = 0; waited < tmo; waited += 50) {
		if (selected(v, text))
			return true;
		vt_pump(v, 50);
	}
	return false;
}

/* The milliseconds shown on the finished step line of `step`, or -1. */
static long step_ms(vt *v, const char *step)
{
	char buf[1024];
	int row = row_of(v, step);
	const char *ok;

	if (row < 0)
		return -1;
	vt_row_text(v, row, buf, sizeof(buf));
	ok = strstr(buf, " ok ");
	return ok ? strtol(ok + 4, NULL, 10) : -1;
}

static void test_check_in_flight_keys_answered(void **state)
{
	fx *f = *state;
	const char *env[] = {f->cfgenv, NULL};
	vt *v;
	int code = -1;

	assert_int_equal(vt_start(&f->v, 24, 80, NULL, env), 0);
	v = f->v;
	EXPECT(v, "Dashboard");
	vt_send(v, "m");
	EXPECT(v, "dc-slow-b");
	assert_true(wait_selected(v, "dc-slow-a", TMO));

	vt_send(v, "c");
	EXPECT(v, "Checking dc-slow-a");
	EXPECT(v, "Ctrl-C cancels"); /* the spinner line */

	/* a key while the first call is in flight moves the selection */
	vt_send(v, "j");
	if (!wait_selected(v, "dc-slow-b", 2000)) {
		vt_dump_named(v, "selection");
		fail_msg("the selection did not move while the check ran");
	}
	assert_false(selected(v, "dc-slow-a"));
	assert_true(vt_has_text(v, "Checking dc-slow-a"));
	assert_true(vt_has_text(v, "Ctrl-C cancels"));

	/* help opens and closes meanwhile, the check still running */
	vt_send(v, "?");
	EXPECT(v, "check the selected module's connection");
	assert_true(vt_has_text(v, "Ctrl-C cancels"));
	vt_key(v, VTERM_KEY_ESCAPE);
	EXPECT(v, "Checking dc-slow-a");

	/* the steps appear as they complete, each with its time: a login
	 * answered after the panel's delay shows at least that */
	EXPECT(v, "TCP connect");
	for (int waited = 0; step_ms(v, "login ") < 0 && waited < TMO;
	     waited += 100)
		vt_pump(v, 100);
	if (step_ms(v, "login ") < atol(DELAY)) {
		vt_dump_named(v, "login_ms");
		fail_msg("login step shows %ld ms", step_ms(v, "login "));
	}
	assert_true(vt_has_text(v, "Checking dc-slow-a"));

	/* cancelled between two steps */
	vt_ctrl(v, 'c');
	EXPECT(v, "cancel");
	if (!vt_wait_gone(v, "Ctrl-C cancels", TMO)) {
		vt_dump_named(v, "cancel");
		fail_msg("the check did not stop after Ctrl-C");
	}
	vt_send(v, "Q");
	assert_true(vt_wait_exit(v, TMO, &code));
	assert_int_equal(code, 0);
}

static void test_wizard_types_in_flight_typing_answered(void **state)
{
	fx *f = *state;
	const char *env[] = {f->cfgenv, NULL};
	vt *v;
	int code = -1;

	assert_int_equal(vt_start(&f->v, 24, 80, NULL, env), 0);
	v = f->v;
	EXPECT(v, "Dashboard");
	vt_send(v, "m");
	EXPECT(v, "dc-slow-b");
	vt_send(v, "a");
	EXPECT(v, "step 1 of 5");
	vt_send(v, "\r");
	EXPECT(v, "step 2 of 5");
	vt_send(v, "\r");
	EXPECT(v, "fetching types");
	/* typing is answered while IPmanager is being asked */
	vt_send(v, "http://typed.while.waiting/dcimgr");
	EXPECT(v, "typed.while.waiting");
	assert_true(vt_has_text(v, "fetching types"));
	/* and the answer lands in the field when it comes */
	EXPECT(v, "types in ipmgr-main");
	EXPECT(v, "typed.while.waiting");
	vt_key(v, VTERM_KEY_ESCAPE);
	EXPECT(v, "step 2 of 5");
	vt_key(v, VTERM_KEY_ESCAPE);
	EXPECT(v, "step 1 of 5");
	vt_key(v, VTERM_KEY_ESCAPE);
	EXPECT(v, "dc-slow-b");
	vt_send(v, "Q");
	assert_true(vt_wait_exit(v, TMO, &code));
	assert_int_equal(code, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_check_in_flight_keys_answered,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_wizard_types_in_flight_typing_answered, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
