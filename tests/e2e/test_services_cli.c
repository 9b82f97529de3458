/* test_services_cli.c - the service, operation, task and reconcile
 * commands as a script uses them, against dcisim: open with --wait and
 * --json, list and show, refusals that name the option and write nothing,
 * a background open followed to its end, suspend/resume/reinstall, a
 * failing open that leaves a task and is retried, reconcile finding (and
 * fixing) an address of ours that no service holds, --read-only, and close
 * with the server's name typed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "dcictl_run.h"

#include "../integration/test_engine_fixture.h"

#include "ipm.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>

#define TMO_MS 30000

static ef_world X;
static char cfgenv[800];

static int setup(void **state)
{
	(void)state;
	const char *args[] = {"--locations", "1",       "--servers",
	                      "6",           "--types", "ds-small",
	                      "--seed",      "17",      NULL};
	if (ef_start(&X, args))
		return -1;
	char path[700];
	snprintf(path, sizeof(path), "%s/config", X.w.dir);
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "store = \"%s\";\n", X.w.store_path);
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

typedef dcictl_res res;

/* Runs dcictl with argv (NULL-terminated), capturing both streams. */
static void run(res *r, const char *const *argv)
{
	/* fast polling and back-off, no claim settle delay: one store */
	const char *env[] = {cfgenv, "DCICTL_POLL_MS=20", "DCICTL_BACKOFF_MS=5",
	                     "DCICTL_CLAIM_SETTLE_MS=0", NULL};
	dcictl_run(r, env, argv, TMO_MS);
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

static long count_services(void)
{
	dc_service *v = NULL;
	size_t n = 0;
	service_filter f = {.include_closed = true};
	EF_CHECK(service_list(X.w.st, &f, &v, &n, &e_));
	free(v);
	return (long)n;
}

static dc_service svc(int64_t id)
{
	dc_service s;
	EF_CHECK(service_get(X.w.st, id, &s, &e_));
	return s;
}

static void test_open_show_list(void **state)
{
	(void)state;
	res r;
	RUN(&r, "--json", "service", "open", "--tariff", "DS", "--client",
	    "acme", "--addon", "ipv4=2", "--addon", "os=CentOS-7-amd64",
	    "--wait");
	if (r.code)
		fail_msg("open failed: %s", r.err);
	HAS(r.out, "\"state\": \"done\"");
	HAS(r.out, "\"step\": \"owner\"");
	/* --wait reports each step on stderr */
	HAS(r.err, "claim done");
	HAS(r.err, "install done");
	RUN(&r, "--json", "service", "list");
	assert_int_equal(r.code, 0);
	HAS(r.out, "\"client\": \"acme\"");
	HAS(r.out, "\"status\": \"active\"");
	RUN(&r, "service", "show", "1");
	assert_int_equal(r.code, 0);
	HAS(r.out, "CentOS-7-amd64");
	HAS(r.out, "open done; service active");
	assert_int_equal(svc(1).status, SVC_ACTIVE);
}

static void test_refusals_write_nothing(void **state)
{
	(void)state;
	long before = count_services();
	res r;
	RUN(&r, "service", "open", "--tariff", "nope", "--client", "x");
	assert_int_equal(r.code, 1);
	HAS(r.err, "tariff");
	HAS(r.err, "no tariff plan named \"nope\"");
	RUN(&r, "service", "open", "--tariff", "DS", "--client", "a b");
	assert_int_equal(r.code, 1);
	HAS(r.err, "client");
	RUN(&r, "service", "open", "--tariff", "DS", "--client", "x", "--addon",
	    "ram");
	assert_int_equal(r.code, 1);
	HAS(r.err, "NAME=VALUE");
	RUN(&r, "service", "open", "--tariff", "DS", "--client", "x", "--addon",
	    "ram=1234");
	assert_int_equal(r.code, 1);
	HAS(r.err, "ram");
	RUN(&r, "--json", "service", "open", "--tariff", "DS", "--client", "x",
	    "--addon", "colour=red");
	assert_int_equal(r.code, 1);
	HAS(r.out, "\"field\":\"addon\"");
	RUN(&r, "service", "open", "--client", "x");
	assert_int_equal(r.code, 2);
	assert_int_equal(count_services(), before);
	/* close wants the server's name, typed */
	RUN(&r, "service", "close", "1");
	assert_int_equal(r.code, 2);
	RUN(&r, "service", "close", "1", "--confirm", "wrong");
	assert_int_equal(r.code, 1);
	HAS(r.err, "type the server's name");
	assert_int_equal(svc(1).status, SVC_ACTIVE);
	/* --read-only refuses changes, listing is fine */
	RUN(&r, "--read-only", "service", "open", "--tariff", "DS", "--client",
	    "x");
	assert_int_equal(r.code, 1);
	RUN(&r, "--read-only", "reconcile", "--fix");
	assert_int_equal(r.code, 1);
	HAS(r.err, "read-only");
	RUN(&r, "--read-only", "reconcile");
	assert_int_equal(r.code, 0);
	assert_int_equal(count_services(), before);
}

static void test_background_and_lifecycle(void **state)
{
	(void)state;
	res r;
	RUN(&r, "--json", "service", "open", "--tariff", "DS", "--client",
	    "bob");
	assert_int_equal(r.code, 0);
	HAS(r.out, "\"kind\": \"open\"");
	int64_t sid = count_services();
	/* The runner works on in its own process: follow the journal. */
	dc_service s;
	for (int i = 0; i < 300; i++) {
		s = svc(sid);
		if (s.status == SVC_ACTIVE || s.status == SVC_FAILED)
			break;
		struct timespec ts = {0, 50000000};
		nanosleep(&ts, NULL);
	}
	assert_int_equal(s.status, SVC_ACTIVE);
	char id[24];
	snprintf(id, sizeof(id), "%lld", (long long)sid);
	RUN(&r, "service", "suspend", id, "--wait");
	assert_int_equal(r.code, 0);
	assert_int_equal(svc(sid).status, SVC_SUSPENDED);
	RUN(&r, "service", "resume", id, "--wait");
	assert_int_equal(r.code, 0);
	RUN(&r, "service", "reinstall", id, "--os", "CentOS-7-amd64", "--wait");
	assert_int_equal(r.code, 0);
	s = svc(sid);
	assert_string_equal(service_addon_value(&s, "os"), "CentOS-7-amd64");
	RUN(&r, "--json", "operation", "list", "--service", id);
	HAS(r.out, "\"kind\": \"reinstall\"");
	HAS(r.out, "\"kind\": \"suspend\"");
	RUN(&r, "service", "close", id, "--confirm", s.server_name, "--wait");
	assert_int_equal(r.code, 0);
	assert_int_equal(svc(sid).status, SVC_CLOSED);
}

static void test_failure_task_retry(void **state)
{
	(void)state;
	res r;
	ef_fault(&X, "dcimgr", "server.operations", "error", "value", -1);
	RUN(&r, "service", "open", "--tariff", "DS", "--client", "carol",
	    "--wait");
	ef_faults_clear(&X);
	assert_int_equal(r.code, 1);
	HAS(r.err, "install");
	RUN(&r, "--json", "task", "list");
	assert_int_equal(r.code, 0);
	HAS(r.out, "\"department\": \"NOC\"");
	HAS(r.out, "at step install");
	dc_operation *o = NULL;
	size_t n = 0;
	op_filter f = {.unfinished_only = true};
	EF_CHECK(operation_list(X.w.st, &f, &o, &n, &e_));
	assert_int_equal(n, 1);
	char id[24];
	snprintf(id, sizeof(id), "%lld", (long long)o[0].id);
	int64_t sid = o[0].service_id;
	free(o);
	RUN(&r, "operation", "resume");
	assert_int_equal(r.code, 0);
	HAS(r.out, "still need a person");
	RUN(&r, "operation", "retry", id, "--wait");
	if (r.code)
		fail_msg("retry failed: %s", r.err);
	assert_int_equal(svc(sid).status, SVC_ACTIVE);
	RUN(&r, "task", "list");
	HAS(r.out, "no open tasks");
	dc_service s = svc(sid);
	char sidb[24];
	snprintf(sidb, sizeof(sidb), "%lld", (long long)sid);
	RUN(&r, "service", "close", sidb, "--confirm", s.server_name, "--wait");
	assert_int_equal(r.code, 0);
}

static void test_reconcile(void **state)
{
	(void)state;
	res r;
	RUN(&r, "--json", "reconcile");
	assert_int_equal(r.code, 0);
	HAS(r.out, "[]");
	RUN(&r, "reconcile");
	HAS(r.out, "no drift");
	/* An address allocated with our marker for a service that does not
	 * exist (as a crash before the journal write would leave it, with
	 * no journal row to resume). */
	char tag[SVC_TAG_MAX], note[128], addr[IPM_ADDR_MAX];
	EF_CHECK(service_store_tag(X.w.st, tag, &e_));
	snprintf(note, sizeof(note), "dcictl:%s:9999:public", tag);
	panel_opts po = {
	    .url = X.w.sim.ipmgr, .username = "admin", .password = "admin"};
	dc_err e;
	panel *p = panel_new(&po, &e);
	assert_non_null(p);
	ipm_alloc al = {.family = IPM_IPV4, .iptype = "public", .note = note};
	assert_int_equal(ipm_ip_allocate(p, &al, addr, &e), 0);
	panel_free(p);
	RUN(&r, "reconcile");
	assert_int_equal(r.code, 0);
	HAS(r.out, "address_without_service");
	HAS(r.out, addr);
	RUN(&r, "--json", "reconcile", "--fix");
	assert_int_equal(r.code, 0);
	HAS(r.out, "\"fixed\": true");
	RUN(&r, "reconcile");
	HAS(r.out, "no drift");
}

/* An operation nobody runs (as a crash leaves it) is pointed out by the
 * next listing, and operation resume finishes it. */
static void test_stale_hint_and_resume(void **state)
{
	(void)state;
	dc_err e;
	engine *g = engine_new(X.w.st, &X.eo, &e);
	assert_non_null(g);
	int64_t op;
	EF_CHECK(engine_start(g, OPK_SUSPEND, 1, NULL, &op, &e_));
	engine_free(g);
	res r;
	RUN(&r, "service", "list");
	assert_int_equal(r.code, 0);
	HAS(r.out, "nobody runs them: dcictl operation resume");
	RUN(&r, "operation", "resume");
	assert_int_equal(r.code, 0);
	HAS(r.out, "suspend");
	HAS(r.out, "done");
	assert_int_equal(svc(1).status, SVC_SUSPENDED);
	RUN(&r, "service", "list");
	assert_null(strstr(r.out, "nobody runs them"));
	RUN(&r, "service", "resume", "1", "--wait");
	assert_int_equal(r.code, 0);
	assert_int_equal(svc(1).status, SVC_ACTIVE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_open_show_list),
	    cmocka_unit_test(test_refusals_write_nothing),
	    cmocka_unit_test(test_background_and_lifecycle),
	    cmocka_unit_test(test_failure_task_retry),
	    cmocka_unit_test(test_reconcile),
	    cmocka_unit_test(test_stale_hint_and_resume),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
