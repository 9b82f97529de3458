/* test_credentials.c - `service credentials` and the Services screen's
 * passwords box against dcisim, for services opened through the engine:
 * the root password is the one dcisim received with the OS install (simctl
 * state.server), the panel user's password logs in to DCImanager as that
 * user; every reveal (command line, --read-only, console) is written to
 * the service's history without the values, and no other output (service
 * show, service list, text or JSON) ever carries them. A refusal (no such
 * service, no passwords yet, Cancel in the console) writes nothing. */
#include "vt.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "dcictl_run.h"

#include "../integration/test_engine_fixture.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>

#define TMO 30000

static ef_world X;
static char cfgenv[800];

static int setup(void **state)
{
	(void)state;
	const char *args[] = {"--locations", "1",       "--servers",
	                      "4",           "--types", "ds-small",
	                      "--seed",      "5",       NULL};
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

/* ---- running dcictl ------------------------------------------------------ */

typedef dcictl_res res;

/* Runs dcictl with argv (NULL-terminated), capturing both streams. */
static void run(res *r, const char *const *argv)
{
	const char *env[] = {cfgenv, NULL};
	dcictl_run(r, env, argv, TMO);
}

#define RUN(r, ...)                                                            \
	do {                                                                   \
		const char *a_[] = {__VA_ARGS__, NULL};                        \
		run((r), a_);                                                  \
	} while (0)

#define HAS(s, t)                                                              \
	do {                                                                   \
		if (!strstr((s), (t)))                                         \
			fail_msg("expected \"%s\" in:\n%s", (t), (s));         \
	} while (0)

#define HASNT(s, t)                                                            \
	do {                                                                   \
		if (strstr((s), (t)))                                          \
			fail_msg("\"%s\" must not be in:\n%s", (t), (s));      \
	} while (0)

/* ---- ground truth ---------------------------------------------------------
 */

/* An open run to its end through the engine in this process. */
static int64_t open_done(const char *client)
{
	engine *g = ef_engine(&X);
	int64_t op;
	int64_t sid = ef_open(&X, g, client, &op);
	EF_CHECK(engine_run(g, op, &e_));
	engine_free(g);
	return sid;
}

/* The root password dcisim received with the server's last install. */
static void sim_root_password(long server_id, char *out, size_t len)
{
	char body[128], *ans = NULL;
	snprintf(body, sizeof(body), "func=state.server&dc=1&elid=%ld",
	         server_id);
	if (simproc_ctl(&X.w.sim, body, &ans) < 0)
		fail_msg("simctl %s failed", body);
	xmlDocPtr d = xmlReadMemory(ans, (int)strlen(ans), "s.xml", NULL,
	                            XML_PARSE_NONET | XML_PARSE_NOBLANKS);
	free(ans);
	assert_non_null(d);
	xmlXPathContextPtr c = xmlXPathNewContext(d);
	ef_xstr(c, "string(/doc/server/root_password)", out, len);
	xmlXPathFreeContext(c);
	xmlFreeDoc(d);
	if (!out[0])
		fail_msg("dcisim knows no root password of server %ld",
		         server_id);
}

/* Logs in to the location's DCImanager as user/password: 0 or -1. */
static int panel_login_as(const char *user, const char *password)
{
	panel_opts o = {.url = X.w.sim.dcimgr[0],
	                .username = user,
	                .password = password,
	                .timeout_ms = 20000};
	dc_err e;
	panel *p = panel_new(&o, &e);
	assert_non_null(p);
	int level = -1;
	int rc = panel_login(p, &level, &e);
	panel_free(p);
	if (rc == 0)
		assert_int_equal(level, PANEL_LEVEL_USER);
	return rc;
}

/* The value of "key": "..." in JSON output (passwords are letters and
 * digits: no escapes). */
static void json_value(const char *json, const char *key, char *out, size_t len)
{
	char pat[64];
	snprintf(pat, sizeof(pat), "\"%s\": \"", key);
	const char *p = strstr(json, pat);
	if (!p)
		fail_msg("no %s in:\n%s", key, json);
	p += strlen(pat);
	const char *q = strchr(p, '"');
	assert_non_null(q);
	snprintf(out, len, "%.*s", (int)(q - p), p);
}

/* History lines of a service that contain text. */
static size_t history_with(int64_t sid, const char *text)
{
	svc_event *v = NULL;
	size_t n = 0, k = 0;
	EF_CHECK(service_events(X.w.st, sid, &v, &n, &e_));
	for (size_t i = 0; i < n; i++)
		k += strstr(v[i].text, text) != NULL;
	free(v);
	return k;
}

/* No history line of the service carries either password. */
static void history_clean(int64_t sid, const char *a, const char *b)
{
	svc_event *v = NULL;
	size_t n = 0;
	EF_CHECK(service_events(X.w.st, sid, &v, &n, &e_));
	for (size_t i = 0; i < n; i++)
		if (strstr(v[i].text, a) || strstr(v[i].text, b))
			fail_msg("history line carries a password: %s",
			         v[i].text);
	free(v);
}

/* ---- tests ----------------------------------------------------------------
 */

static void test_cli(void **state)
{
	(void)state;
	int64_t sid = open_done("acme");
	dc_service s;
	EF_CHECK(service_get(X.w.st, sid, &s, &e_));
	assert_int_equal(s.status, SVC_ACTIVE);
	char root[64], user[64];
	sim_root_password((long)s.server_id, root, sizeof(root));
	assert_int_equal(history_with(sid, "credentials shown"), 0);

	/* --json: the root password is the one the install got, the user's
	 * logs in to the panel as the client's user */
	res r;
	char id[24];
	snprintf(id, sizeof(id), "%lld", (long long)sid);
	RUN(&r, "--json", "service", "credentials", id);
	if (r.code)
		fail_msg("credentials failed: %s", r.err);
	char got_root[64];
	json_value(r.out, "root_password", got_root, sizeof(got_root));
	assert_string_equal(got_root, root);
	json_value(r.out, "user_password", user, sizeof(user));
	assert_true(strlen(user) >= 12);
	HAS(r.out, "\"panel_user\": \"acme\"");
	HAS(r.out, s.server_name);
	assert_int_equal(panel_login_as(s.panel_user, user), 0);
	assert_int_equal(panel_login_as(s.panel_user, "not-it"), -1);
	assert_int_equal(history_with(sid, "credentials shown"), 1);
	assert_int_equal(history_with(sid,
	                              "credentials shown (root and panel-user "
	                              "passwords) to "),
	                 1);
	assert_int_equal(history_with(sid, "on the command line"), 1);

	/* text: the same values, positional id */
	RUN(&r, "service", "credentials", id);
	assert_int_equal(r.code, 0);
	HAS(r.out, root);
	HAS(r.out, user);
	HAS(r.out, "written to the history of service");
	assert_int_equal(history_with(sid, "credentials shown"), 2);

	/* --read-only allows it, and it is still written down */
	RUN(&r, "--read-only", "service", "credentials", id);
	assert_int_equal(r.code, 0);
	HAS(r.out, root);
	assert_int_equal(history_with(sid, "credentials shown"), 3);

	/* nothing else shows them; the history says they were shown */
	const char *const views[][4] = {
	    {"service", "show", id, NULL},
	    {"--json", "service", "show", id},
	    {"service", "list", NULL, NULL},
	    {"--json", "service", "list", NULL},
	    {"--json", "service", "list", "--all"},
	    {"operation", "list", NULL, NULL},
	};
	for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
		const char *av[5] = {views[i][0], views[i][1], views[i][2],
		                     views[i][3], NULL};
		run(&r, av);
		if (r.code)
			fail_msg("%s %s: %s", av[0], av[1], r.err);
		HASNT(r.out, root);
		HASNT(r.out, user);
		HASNT(r.err, root);
		HASNT(r.err, user);
	}
	RUN(&r, "service", "show", id);
	HAS(r.out, "credentials shown");
	history_clean(sid, root, user);
	assert_int_equal(history_with(sid, "credentials shown"), 3);

	/* refusals name what is wrong and write nothing */
	RUN(&r, "service", "credentials", "999");
	assert_int_equal(r.code, 1);
	HAS(r.err, "no service with id 999");
	RUN(&r, "service", "credentials");
	assert_int_equal(r.code, 2);
	HAS(r.err, "--id is required");
	RUN(&r, "service", "credentials", "x");
	assert_int_equal(r.code, 2);
	HAS(r.err, "--id: 'x' is not a whole number");
	assert_int_equal(history_with(sid, "credentials shown"), 3);
}

/* An open not run yet keeps no passwords: refused, nothing written. */
static void test_no_passwords_yet(void **state)
{
	(void)state;
	engine *g = ef_engine(&X);
	int64_t op;
	int64_t sid = ef_open(&X, g, "bravo", &op);
	char id[24];
	snprintf(id, sizeof(id), "%lld", (long long)sid);
	res r;
	RUN(&r, "service", "credentials", id);
	assert_int_equal(r.code, 1);
	HAS(r.err, "keeps no passwords yet");
	assert_int_equal(history_with(sid, "credentials shown"), 0);
	/* run it to its end: the next test shows its passwords */
	EF_CHECK(engine_run(g, op, &e_));
	engine_free(g);
}

#define EXPECT(v, t)                                                           \
	do {                                                                   \
		if (!vt_wait_text((v), (t), TMO)) {                            \
			vt_dump_named((v), __func__);                          \
			fail_msg("screen never showed '%s'", (t));             \
		}                                                              \
	} while (0)

/* The console at 80x24: w asks first (Cancel is the default and shows
 * nothing), OK shows the box, Esc leaves it. The newest service (bravo,
 * opened by the test above) is the selected row. */
static void test_screen(void **state)
{
	(void)state;
	service_filter f = {0};
	dc_service *sv = NULL;
	size_t n = 0;
	EF_CHECK(service_list(X.w.st, &f, &sv, &n, &e_));
	assert_true(n >= 2);
	dc_service s = sv[0];
	free(sv);
	assert_string_equal(s.client, "bravo");
	assert_int_equal(s.status, SVC_ACTIVE);
	char root[64];
	sim_root_password((long)s.server_id, root, sizeof(root));
	char *user = service_secret(X.w.st, s.id, "user", NULL);
	assert_non_null(user);
	assert_int_equal(panel_login_as(s.panel_user, user), 0);

	const char *env[] = {cfgenv, NULL};
	vt *v;
	int code = -1;
	assert_int_equal(vt_start(&v, 24, 80, NULL, env), 0);
	EXPECT(v, "Dashboard");
	vt_send(v, "S");
	EXPECT(v, "bravo");
	EXPECT(v, "passwords");

	/* Cancel first: nothing shown, nothing written */
	vt_send(v, "w");
	EXPECT(v, "Show passwords");
	EXPECT(v, "written to the service's history");
	vt_send(v, "\r");
	EXPECT(v, "passwords not shown");
	assert_false(vt_has_text(v, root));
	assert_int_equal(history_with(s.id, "credentials shown"), 0);

	/* OK: the box with both passwords */
	vt_send(v, "w");
	EXPECT(v, "Show passwords");
	vt_key(v, VTERM_KEY_TAB);
	vt_send(v, "\r");
	char title[64];
	snprintf(title, sizeof(title), "Passwords of service %lld",
	         (long long)s.id);
	EXPECT(v, title);
	EXPECT(v, root);
	EXPECT(v, user);
	EXPECT(v, "panel user bravo:");
	EXPECT(v, "shown; written to its history");
	assert_int_equal(history_with(s.id, "credentials shown"), 1);
	assert_int_equal(history_with(s.id, "in the console"), 1);
	history_clean(s.id, root, user);

	/* Esc leaves it; the list is back and the passwords are gone */
	vt_key(v, VTERM_KEY_ESCAPE);
	if (!vt_wait_gone(v, root, TMO) || !vt_wait_gone(v, user, TMO)) {
		vt_dump_named(v, __func__);
		fail_msg("a password stayed on the screen");
	}
	EXPECT(v, "bravo");
	vt_send(v, "Q");
	assert_true(vt_wait_exit(v, TMO, &code));
	assert_int_equal(code, 0);
	vt_stop(v, 1000);
	secret_free(user);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cli),
	    cmocka_unit_test(test_no_passwords_yet),
	    cmocka_unit_test(test_screen),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
