/* test_wizard.c - the processing-module wizard on screen, against dcisim:
 * walked whole at 80x24 and 160x50, in UTF-8 and LANG=C, with colour and
 * with NO_COLOR (the module is created, shows up in the list, its check
 * passes); each bad input (bad URL, wrong password, non-administrator,
 * parking type gone from the IPmanager, duplicate name, non-numeric
 * sorting) stops at its field with a clear message and writes nothing;
 * a resize keeps what was typed, and so does Esc; --read-only refuses the
 * save with its message. The store is prepared and read back directly
 * (store.h). */
#include "vt.h"

#include "ipm.h"
#include "panel.h"
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

#define TMO 20000

static simproc sim;

typedef struct fx {
	char dir[512];
	char cfgenv[800];
	char store[600];
	vt *v;
} fx;

static int group_setup(void **state)
{
	const char *args[] = {
	    "--servers", "5",        "--user", "admin:admin:29",
	    "--user",    "op:op:16", NULL};
	dc_err err;

	(void)state;
	if (panel_lib_init(&err) < 0)
		return -1;
	return simproc_start(&sim, args);
}

static int group_teardown(void **state)
{
	(void)state;
	simproc_stop(&sim);
	panel_lib_cleanup();
	return 0;
}

/* A fresh store per test with what the wizard chooses from: one
 * department, one IPmanager, one licence server, and one module already
 * there (for the duplicate name). */
static int setup(void **state)
{
	fx *f = calloc(1, sizeof(*f));
	const char *base = getenv("DCITEST_TMP");
	char path[700];
	FILE *c;
	dc_err err;
	dc_store *st;
	dc_department d = {0};
	dc_conn ipm = {0}, lic = {0};
	dc_module m = {0};

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/wizard.XXXXXX",
	         base && *base ? base : "/tmp");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->store, sizeof(f->store), "%s/store.db", f->dir);
	snprintf(path, sizeof(path), "%s/config", f->dir);
	c = fopen(path, "w");
	if (!c)
		return -1;
	fprintf(c, "store = \"%s\";\n", f->store);
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
	snprintf(lic.name, sizeof(lic.name), "licences");
	snprintf(lic.url, sizeof(lic.url), "%s", sim.billmgr);
	snprintf(lic.username, sizeof(lic.username), "admin");
	if (department_add(st, &d, &err) < 0 ||
	    ipmgr_add(st, &ipm, "admin", &err) < 0 ||
	    licsrv_add(st, &lic, "admin", &err) < 0) {
		fprintf(stderr, "setup: %s\n", err.msg);
		store_close(st);
		return -1;
	}
	snprintf(m.name, sizeof(m.name), "dc-existing");
	snprintf(m.url, sizeof(m.url), "%s", sim.dcimgr[0]);
	snprintf(m.username, sizeof(m.username), "admin");
	snprintf(m.parking_type, sizeof(m.parking_type), "parking");
	m.ipmgr_id = ipm.id;
	m.department_id = d.id;
	m.sorting = 100;
	m.enabled = true;
	if (module_add(st, &m, "admin", &err) < 0) {
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
		vt_stop(f->v, 2000);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static vt *start(fx *f, int rows, int cols, const char *const *args,
                 const char *const *env)
{
	const char *e[16];
	int n = 0;

	e[n++] = f->cfgenv;
	for (int i = 0; env && env[i] && n < 15; i++)
		e[n++] = env[i];
	e[n] = NULL;
	assert_int_equal(vt_start(&f->v, rows, cols, args, e), 0);
	return f->v;
}

#define EXPECT(v, t)                                                           \
	do {                                                                   \
		if (!vt_wait_text((v), (t), TMO)) {                            \
			vt_dump_named((v), __func__);                          \
			fail_msg("screen never showed '%s'", (t));             \
		}                                                              \
	} while (0)

/* Modules in the store, and whether `name` is one of them. */
static size_t stored(fx *f, const char *name, bool *found, dc_module *out)
{
	dc_err err;
	dc_store *st = store_open(f->store, &err);
	dc_module *v = NULL;
	size_t n = 0;

	assert_non_null(st);
	assert_int_equal(module_list(st, &v, &n, &err), 0);
	*found = false;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name)) {
			*found = true;
			if (out)
				*out = v[i];
		}
	free(v);
	store_close(st);
	return n;
}

static void tab(vt *v)
{
	vt_send(v, "\t");
}

static void f10(vt *v)
{
	vt_key(v, VTERM_KEY_FUNCTION(10));
}

static void esc(vt *v, const char *then)
{
	vt_key(v, VTERM_KEY_ESCAPE);
	if (then)
		EXPECT(v, then);
}

/* Dashboard -> Modules -> a -> steps 1 and 2 -> step 3 with the
 * IPmanager's types in. */
static void to_connection(vt *v)
{
	EXPECT(v, "Dashboard");
	vt_send(v, "m");
	EXPECT(v, "dc-existing");
	vt_send(v, "a");
	EXPECT(v, "step 1 of 5");
	EXPECT(v, "Dedicated server");
	vt_send(v, "\r");
	EXPECT(v, "step 2 of 5");
	EXPECT(v, "DCImanager");
	vt_send(v, "\r");
	EXPECT(v, "step 3 of 5");
	EXPECT(v, "< ipmgr-main >");
	EXPECT(v, "types in ipmgr-main");
}

/* Waits until one row shows both a and b (a list row, not a message). */
static bool wait_row_with(vt *v, const char *a, const char *b, int tmo)
{
	char buf[1024];

	for (int waited = 0; waited < tmo; waited += 50) {
		for (int r = 0; r < v->rows; r++) {
			vt_row_text(v, r, buf, sizeof(buf));
			if (strstr(buf, a) && strstr(buf, b))
				return true;
		}
		vt_pump(v, 50);
	}
	return false;
}

/* Waits until row `row` no longer reads `before`; false after tmo ms. */
static bool row_changes(vt *v, int row, const char *before, int tmo)
{
	char now[1024];

	for (int waited = 0; waited < tmo; waited += 50) {
		if (strcmp(vt_row_text(v, row, now, sizeof(now)), before))
			return true;
		vt_pump(v, 50);
	}
	return false;
}

/* Chooses a value of the focused select (on the row showing `label`) by
 * its first letter, one press at a time until it shows. */
static void choose(vt *v, const char *label, const char *value)
{
	char want[128], key[2] = {value[0], 0}, before[1024];
	int row, col;

	snprintf(want, sizeof(want), "< %s >", value);
	if (!vt_find(v, label, &row, &col)) {
		vt_dump_named(v, "choose");
		fail_msg("no field %s on the screen", label);
	}
	for (int i = 0; i < 8; i++) {
		vt_row_text(v, row, before, sizeof(before));
		if (strstr(before, want))
			return;
		vt_send(v, key);
		if (!row_changes(v, row, before, TMO))
			break;
	}
	vt_dump_named(v, "choose");
	fail_msg("could not choose %s", value);
}

typedef struct conn {
	const char *url, *user, *pw, *parking;
} conn;

/* On step 3, focus on URL: types the connection, chooses the types. */
static void fill_connection(vt *v, const conn *c)
{
	vt_send(v, c->url);
	tab(v);
	vt_send(v, c->user);
	tab(v);
	vt_send(v, c->pw);
	tab(v); /* IPmanager: the only one is chosen */
	tab(v);
	choose(v, "IP type for parking", c->parking);
	tab(v);
	choose(v, "Licence server", "licences");
}

static const conn good = {NULL, "admin", "admin", "parking"};

static void fill_params(vt *v, const char *name, const char *sorting)
{
	vt_send(v, name);
	tab(v); /* Responsible: the only department is chosen */
	tab(v);
	vt_send(v, sorting);
}

/* The whole wizard, then the module in the list with its check passed. */
static void walk_ok(fx *f, int rows, int cols, const char *const *env,
                    bool colour)
{
	vt *v = start(f, rows, cols, NULL, env);
	conn c = good;
	bool found;
	dc_module m;
	char name[64], want[128];
	int code = -1;

	snprintf(name, sizeof(name), "dc-%dx%d", cols, rows);
	c.url = sim.dcimgr[0];
	to_connection(v);
	fill_connection(v, &c);
	f10(v); /* Check & Next */
	EXPECT(v, "step 4 of 5");
	EXPECT(v, "connection check passed");
	fill_params(v, name, "7");
	f10(v);
	EXPECT(v, "step 5 of 5");
	EXPECT(v, "Dedicated server");
	EXPECT(v, "ipmgr-main");
	EXPECT(v, "(set)");
	EXPECT(v, "passed");
	f10(v); /* Save */
	EXPECT(v, "added; connection check passed");
	EXPECT(v, "LAST CHECK");
	/* the list row: name, parking type and the passed check */
	if (!wait_row_with(v, name, "parking", TMO) ||
	    !wait_row_with(v, name, " ok ", TMO)) {
		vt_dump_named(v, "walk_ok_list");
		fail_msg("%s is not in the list with its check", name);
	}
	assert_int_equal(stored(f, name, &found, &m), 2);
	assert_true(found);
	assert_int_equal(m.check.ok, 1);
	assert_int_equal(m.sorting, 7);
	assert_string_equal(m.parking_type, "parking");
	assert_true(m.licsrv_id > 0);

	/* its check passes on demand too (the new one sorts first) */
	vt_send(v, "g");
	vt_send(v, "c");
	snprintf(want, sizeof(want), "Check of %s: passed", name);
	EXPECT(v, want);
	EXPECT(v, "licence server login");
	assert_true(vt_any_color(v) == colour);
	vt_send(v, "Q");
	/* exit 0: also no leak report under the sanitizers */
	assert_true(vt_wait_exit(v, TMO, &code));
	assert_int_equal(code, 0);
	vt_stop(v, 1000);
	f->v = NULL;
}

static void test_walk_80x24_utf8_colour(void **state)
{
	walk_ok(*state, 24, 80, NULL, true);
}

/* LANG=C runs in the harness's default terminal like the others (vt.c
 * says why it has no REP). */
static void test_walk_80x24_c_nocolor(void **state)
{
	const char *env[] = {"LANG=C", "NO_COLOR=1", NULL};

	walk_ok(*state, 24, 80, env, false);
}

static void test_walk_160x50_utf8_nocolor(void **state)
{
	const char *env[] = {"NO_COLOR=1", NULL};

	walk_ok(*state, 50, 160, env, false);
}

static void test_walk_160x50_c_colour(void **state)
{
	const char *env[] = {"LANG=C", NULL};

	walk_ok(*state, 50, 160, env, true);
}

/* Nothing was written: only the module of the setup is there. */
static void assert_unchanged(fx *f, const char *name)
{
	bool found;

	assert_int_equal(stored(f, name, &found, NULL), 1);
	if (strcmp(name, "dc-existing"))
		assert_false(found);
}

static void test_bad_url(void **state)
{
	fx *f = *state;
	vt *v = start(f, 24, 80, NULL, NULL);

	to_connection(v);
	vt_send(v, "ftp://127.0.0.1/dcimgr");
	tab(v); /* checked as it is left */
	EXPECT(v, "must start with http:// or https://");
	f10(v);
	EXPECT(v, "step 3 of 5");
	EXPECT(v, "URL: URL must start");
	/* a URL where nothing listens: the check stops on the URL (Next
	 * put the focus there) */
	vt_ctrl(v, 'u');
	vt_send(v, "http://127.0.0.1:1/dcimgr");
	tab(v);
	vt_send(v, "admin");
	tab(v);
	vt_send(v, "admin");
	tab(v);
	tab(v);
	choose(v, "IP type for parking", "parking");
	f10(v);
	EXPECT(v, "TCP connect");
	EXPECT(v, "URL: TCP connect");
	EXPECT(v, "step 3 of 5");
	assert_unchanged(f, "dc9");
}

static void test_wrong_password(void **state)
{
	fx *f = *state;
	vt *v = start(f, 24, 80, NULL, NULL);
	conn c = {sim.dcimgr[0], "admin", "not-the-password", "parking"};

	to_connection(v);
	fill_connection(v, &c);
	f10(v);
	EXPECT(v, "Password: login");
	EXPECT(v, "refused");
	EXPECT(v, "step 3 of 5");
	assert_unchanged(f, "dc9");
}

static void test_not_administrator(void **state)
{
	fx *f = *state;
	vt *v = start(f, 24, 80, NULL, NULL);
	conn c = {sim.dcimgr[0], "op", "op", "parking"};

	to_connection(v);
	fill_connection(v, &c);
	f10(v);
	EXPECT(v, "Username: administrator level");
	EXPECT(v, "level 16");
	EXPECT(v, "step 3 of 5");
	assert_unchanged(f, "dc9");
}

/* The type chosen from the list is deleted in IPmanager before Next:
 * the check's parking step refuses it, beside the field. */
static void test_parking_type_gone(void **state)
{
	fx *f = *state;
	dc_err err;
	panel_opts po = {
	    .url = sim.ipmgr, .username = "admin", .password = "admin"};
	panel *p = panel_new(&po, &err);
	conn c = {sim.dcimgr[0], "admin", "admin", "zz-temp"};
	vt *v;

	assert_non_null(p);
	if (ipm_type_create(p, "zz-temp", "for a test", &err) < 0)
		fail_msg("iptype create: %s", err.msg);
	v = start(f, 24, 80, NULL, NULL);
	to_connection(v);
	fill_connection(v, &c);
	if (ipm_type_delete(p, "zz-temp", &err) < 0)
		fail_msg("iptype delete: %s", err.msg);
	panel_free(p);
	f10(v);
	EXPECT(v, "IP type for parking: parking type exists");
	EXPECT(v, "zz-temp");
	EXPECT(v, "step 3 of 5");
	assert_unchanged(f, "dc9");
}

static void test_duplicate_name_and_bad_sorting(void **state)
{
	fx *f = *state;
	vt *v = start(f, 24, 80, NULL, NULL);
	conn c = good;

	c.url = sim.dcimgr[0];
	to_connection(v);
	fill_connection(v, &c);
	f10(v);
	EXPECT(v, "step 4 of 5");
	fill_params(v, "dc-existing", "ten");
	tab(v);
	EXPECT(v, "not a whole number");
	f10(v);
	EXPECT(v, "Name: a module named \"dc-existing\" already exists");
	EXPECT(v, "step 4 of 5");
	assert_unchanged(f, "dc-existing");
	/* fixing the name (Next focused it) leaves the sorting to fix */
	vt_ctrl(v, 'u');
	vt_send(v, "dc9");
	f10(v);
	EXPECT(v, "Sorting: \"ten\" is not a whole number");
	EXPECT(v, "step 4 of 5");
	assert_unchanged(f, "dc9");
}

static void test_resize_and_esc_keep_values(void **state)
{
	fx *f = *state;
	vt *v = start(f, 24, 80, NULL, NULL);
	conn c = good;
	bool found;

	c.url = sim.dcimgr[0];
	to_connection(v);
	fill_connection(v, &c);
	vt_resize(v, 50, 160);
	EXPECT(v, "< licences >");
	EXPECT(v, "dc1/dcimgr");
	vt_resize(v, 24, 80);
	EXPECT(v, "< parking >");
	/* Esc goes back a step; Enter comes forward again: all still there */
	esc(v, "step 2 of 5");
	vt_send(v, "\r");
	EXPECT(v, "step 3 of 5");
	EXPECT(v, "< parking >");
	EXPECT(v, "< licences >");
	EXPECT(v, "*****");
	f10(v);
	EXPECT(v, "step 4 of 5");
	fill_params(v, "dc-resized", "3");
	vt_resize(v, 30, 100);
	EXPECT(v, "dc-resized");
	f10(v);
	EXPECT(v, "step 5 of 5");
	esc(v, "step 4 of 5");
	EXPECT(v, "dc-resized");
	f10(v);
	EXPECT(v, "step 5 of 5");
	f10(v);
	EXPECT(v, "LAST CHECK");
	if (!wait_row_with(v, "dc-resized", "parking", TMO))
		fail_msg("dc-resized is not in the list");
	vt_stop(v, 100);
	f->v = NULL;
	assert_int_equal(stored(f, "dc-resized", &found, NULL), 2);
	assert_true(found);
}

static void test_read_only_refuses_save(void **state)
{
	fx *f = *state;
	const char *args[] = {"--read-only", NULL};
	vt *v = start(f, 24, 80, args, NULL);
	conn c = good;

	c.url = sim.dcimgr[0];
	EXPECT(v, "READ-ONLY");
	to_connection(v);
	fill_connection(v, &c);
	f10(v);
	EXPECT(v, "step 4 of 5");
	fill_params(v, "dc-ro", "1");
	f10(v);
	EXPECT(v, "step 5 of 5");
	f10(v);
	EXPECT(v, "not saved");
	EXPECT(v, "read-only");
	EXPECT(v, "step 5 of 5");
	assert_unchanged(f, "dc-ro");
}

/* An https panel with its own CA: the check stops at TLS and puts the
 * reason on the CA file field; giving the CA file lets the wizard on. */
static void test_tls_needs_ca_file(void **state)
{
	fx *f = *state;
	simproc tls;
	const char *args[] = {"--servers", "3", "--tls", NULL};
	char ca[512] = "";
	const char *p;
	conn c = good;
	vt *v;

	assert_int_equal(simproc_start(&tls, args), 0);
	p = strstr(tls.ready, " ca=");
	assert_non_null(p);
	sscanf(p + 4, "%511s", ca);
	c.url = tls.dcimgr[0];
	v = start(f, 24, 80, NULL, NULL);
	to_connection(v);
	fill_connection(v, &c);
	f10(v);
	EXPECT(v, "CA file: TLS");
	EXPECT(v, "certificate");
	EXPECT(v, "step 3 of 5");
	/* Next put the focus on the CA file */
	vt_send(v, ca);
	f10(v);
	EXPECT(v, "step 4 of 5");
	fill_params(v, "dc-tls", "4");
	f10(v);
	EXPECT(v, "step 5 of 5");
	EXPECT(v, "CA file:");
	f10(v);
	if (!wait_row_with(v, "dc-tls", "parking", TMO)) {
		vt_dump_named(v, "tls_list");
		fail_msg("dc-tls is not in the list");
	}
	vt_stop(v, 100);
	f->v = NULL;
	simproc_stop(&tls);
	{
		bool found;
		dc_module m;

		assert_int_equal(stored(f, "dc-tls", &found, &m), 2);
		assert_true(found);
		assert_string_equal(m.cafile, ca);
		assert_false(m.insecure);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_walk_80x24_utf8_colour, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_walk_80x24_c_nocolor, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_walk_160x50_utf8_nocolor,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_walk_160x50_c_colour, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_bad_url, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wrong_password, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_not_administrator, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_parking_type_gone, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_duplicate_name_and_bad_sorting,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_resize_and_esc_keep_values,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_only_refuses_save, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_tls_needs_ca_file, setup,
	                                    teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
