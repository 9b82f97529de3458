/* test_services.c - the Services screen at 80x24 against dcisim: open a
 * service with the form (tariff, then client and add-ons), watch its steps
 * run and complete in the steps pane (the install takes a few seconds on
 * the simulator, so it is seen running), then close it, which asks for the
 * server's name typed (a wrong name is refused), and see the server free
 * again on the simulator. Also the Operations and Tasks screens open on
 * their keys and show the journal. */
#include "vt.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../integration/test_engine_fixture.h"

#define TMO 30000

static ef_world X;
static char cfgenv[800];

#define EXPECT(v, t)                                                           \
	do {                                                                   \
		if (!vt_wait_text((v), (t), TMO)) {                            \
			vt_dump_named((v), __func__);                          \
			fail_msg("screen never showed '%s'", (t));             \
		}                                                              \
	} while (0)

static int setup(void **state)
{
	(void)state;
	/* An install of 3 s, so that the screen shows it running. */
	const char *args[] = {"--locations", "1",       "--servers",
	                      "4",           "--types", "ds-small",
	                      "--seed",      "21",      "--install-seconds",
	                      "3",           NULL};
	if (ef_start(&X, args))
		return -1;
	char path[700];
	snprintf(path, sizeof(path), "%s/config", X.w.dir);
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "store = \"%s\";\nrefresh = \"200ms\";\n", X.w.store_path);
	fclose(f);
	chmod(path, 0600);
	snprintf(cfgenv, sizeof(cfgenv), "DCICTL_CONFIG=%s", path);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ef_stop(&X);
	return 0;
}

static int64_t only_service(void)
{
	dc_service *v = NULL;
	size_t n = 0;
	service_filter f = {.include_closed = true};
	EF_CHECK(service_list(X.w.st, &f, &v, &n, &e_));
	assert_int_equal(n, 1);
	int64_t id = v[0].id;
	free(v);
	return id;
}

static void test_open_and_close_on_screen(void **state)
{
	(void)state;
	const char *env[] = {cfgenv, "DCICTL_POLL_MS=50",
	                     "DCICTL_BACKOFF_MS=10", "DCICTL_CLAIM_SETTLE_MS=0",
	                     NULL};
	vt *v;
	int code = -1;
	assert_int_equal(vt_start(&v, 24, 80, NULL, env), 0);
	EXPECT(v, "Dashboard");
	vt_send(v, "S");
	EXPECT(v, "no services yet");

	/* The form: tariff first, then the order. */
	vt_send(v, "o");
	EXPECT(v, "Open a service: tariff");
	EXPECT(v, "< DS >");
	vt_send(v, "\r\r");
	EXPECT(v, "Open a service on DS");
	/* A bad client name is refused as the field is left. */
	vt_send(v, "a b\r");
	EXPECT(v, "is not allowed");
	vt_key(v, VTERM_KEY_UP);
	for (int i = 0; i < 3; i++)
		vt_key(v, VTERM_KEY_BACKSPACE);
	vt_send(v, "acme");
	/* client, host name and the ten add-ons, then OK */
	for (int i = 0; i < 12; i++)
		vt_send(v, "\r");
	EXPECT(v, "[ OK ]");
	vt_send(v, "\r");

	/* Back on the list: the steps run, the install is seen running, then
	 * everything is done and the service active. */
	EXPECT(v, "acme");
	EXPECT(v, "[run ] install");
	EXPECT(v, "[done] owner");
	EXPECT(v, "active");
	EXPECT(v, "[done] claim");
	EXPECT(v, "[done] attach");
	int64_t sid = only_service();
	dc_service s;
	EF_CHECK(service_get(X.w.st, sid, &s, &e_));
	assert_int_equal(s.status, SVC_ACTIVE);
	/* g opens the service's graphs; Esc comes back to the list */
	vt_send(v, "g");
	EXPECT(v, "Graphs");
	vt_key(v, VTERM_KEY_ESCAPE);
	EXPECT(v, "[done] attach");

	/* Close: the server's name must be typed; a wrong one is refused
	 * and Cancel is where the dialog starts. */
	vt_send(v, "c");
	EXPECT(v, "to confirm:");
	vt_send(v, "wrong");
	vt_send(v, "\r");
	EXPECT(v, "exactly to confirm");
	EF_CHECK(service_get(X.w.st, sid, &s, &e_));
	assert_int_equal(s.status, SVC_ACTIVE);
	for (int i = 0; i < 5; i++)
		vt_key(v, VTERM_KEY_BACKSPACE);
	vt_send(v, s.server_name);
	vt_key(v, VTERM_KEY_UP); /* from the typed name to OK */
	vt_send(v, "\r");
	/* Closed services leave the live list; with a they are shown, with
	 * the steps of the close. */
	EXPECT(v, "no services yet");
	vt_send(v, "a");
	EXPECT(v, "close done");
	EXPECT(v, "[done] park");
	EXPECT(v, "[done] free");
	EF_CHECK(service_get(X.w.st, sid, &s, &e_));
	assert_int_equal(s.status, SVC_CLOSED);
	ef_srv srv;
	ef_server(&X, 1, (long)s.server_id, &srv);
	assert_true(srv.isfree);
	assert_int_equal(srv.naddr, 1);
	assert_string_equal(srv.iptype[0], "parking");

	/* The journal and the (empty) task list on their keys. */
	vt_send(v, "O");
	EXPECT(v, "Operations");
	EXPECT(v, "close");
	EXPECT(v, "[done] power_off");
	vt_send(v, "T");
	EXPECT(v, "0 open tasks");
	vt_send(v, "Q");
	assert_true(vt_wait_exit(v, TMO, &code));
	assert_int_equal(code, 0);
	vt_stop(v, 1000);
}

/* A larger terminal, LANG=C and NO_COLOR: the same screens, states in
 * words (never by colour alone), ASCII everywhere. Runs after the test
 * above (its closed service and journal). */
static void test_large_ascii_no_color(void **state)
{
	(void)state;
	const char *env[] = {cfgenv, "LANG=C", "NO_COLOR=1", NULL};
	vt *v;
	int code = -1;
	assert_int_equal(vt_start(&v, 40, 120, NULL, env), 0);
	EXPECT(v, "Dashboard");
	EXPECT(v, "Operations and tasks");
	vt_send(v, "S");
	EXPECT(v, "no services yet");
	vt_send(v, "a");
	EXPECT(v, "close done");
	EXPECT(v, "[done] free");
	EXPECT(v, "free the server");
	assert_false(vt_any_color(v));
	vt_send(v, "O");
	EXPECT(v, "[done] power_off");
	vt_send(v, "u");
	EXPECT(v, "0 operations not finished");
	vt_send(v, "Q");
	assert_true(vt_wait_exit(v, TMO, &code));
	assert_int_equal(code, 0);
	vt_stop(v, 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_open_and_close_on_screen),
	    cmocka_unit_test(test_large_ascii_no_color),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
