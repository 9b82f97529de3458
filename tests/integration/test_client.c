/* test_client.c - the panel client against dcisim over real HTTP: login,
 * session expiry and re-login, authinfo, level check, a 10 000-server
 * list, parallel allocations, every injected fault's category, TLS. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dci.h"
#include "ipm.h"
#include "panel.h"
#include "simproc.h"

/* ---- helpers ---- */

/* A simctl call; returns the decoded answer (the test fails on error). */
static xml_doc *ctl(simproc *sp, const char *body)
{
	char *ans = NULL;
	if (simproc_ctl(sp, body, &ans) < 0)
		fail_msg("simctl %s failed", body);
	dc_err e;
	xml_doc *d = xml_decode(ans, strlen(ans), NULL, &e);
	if (!d)
		fail_msg("simctl %s: %s", body, e.msg);
	if (d->is_error)
		fail_msg("simctl %s: %s", body, d->error_msg);
	free(ans);
	return d;
}

static void ctl_ok(simproc *sp, const char *body)
{
	xml_doc_free(ctl(sp, body));
}

static panel *mk(const char *url, const char *user, const char *pass,
                 panel_auth_mode mode, apilog *log)
{
	panel_opts o = {.url = url,
	                .username = user,
	                .password = pass,
	                .auth_mode = mode,
	                .timeout_ms = 20000,
	                .log = log};
	dc_err e;
	panel *p = panel_new(&o, &e);
	if (!p)
		fail_msg("panel_new: %s", e.msg);
	return p;
}

static size_t count_func(apilog *log, const char *func)
{
	apilog_rec *r = calloc(1000, sizeof(*r));
	size_t n = apilog_snapshot(log, 0, r, 1000), c = 0;
	for (size_t i = 0; i < n; i++)
		c += strcmp(r[i].func, func) == 0;
	free(r);
	return c;
}

/* The shared simulator: virtual clock, a user-level account, sessions
 * that expire after 60 idle seconds of that clock. */
static simproc sim;

static int setup(void **state)
{
	const char *args[] = {"--servers",      "200",    "--user",
	                      "admin:admin:29", "--user", "op:oppw:16",
	                      "--session-idle", "60",     "--clock",
	                      "1700000000",     NULL};
	return simproc_start(&sim, args);
}

static int teardown(void **state)
{
	simproc_stop(&sim);
	return 0;
}

/* ---- tests ---- */

static void test_login(void **state)
{
	apilog *log = apilog_new(100);
	panel *p = mk(sim.dcimgr[0], "admin", "admin", PANEL_AUTH_SESSION, log);
	dc_err e;
	int level = -1;
	assert_int_equal(panel_login(p, &level, &e), 0);
	assert_int_equal(level, 29);
	assert_int_equal(panel_require_admin(p, &e), 0);
	dci_servers *l = NULL;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(dci_server_list(p, &l, &e), 0);
		assert_int_equal(l->n, 200);
		dci_servers_free(l);
	}
	/* one login, the session reused */
	assert_int_equal(count_func(log, "auth"), 1);
	assert_int_equal(count_func(log, "server"), 3);
	panel_free(p);

	/* a wrong password */
	p = mk(sim.dcimgr[0], "admin", "nope", PANEL_AUTH_SESSION, log);
	assert_int_equal(panel_login(p, NULL, &e), -1);
	assert_int_equal(e.cat, DC_E_AUTH);
	assert_false(e.retryable);
	assert_string_equal(e.func, "auth");
	assert_string_equal(e.url, sim.dcimgr[0]);
	panel_free(p);

	/* no secret ever reached the log */
	apilog_rec *r = calloc(100, sizeof(*r));
	size_t n = apilog_snapshot(log, 0, r, 100);
	for (size_t i = 0; i < n; i++) {
		assert_null(strstr(r[i].params, "admin:admin"));
		assert_null(strstr(r[i].params, "nope"));
		assert_null(strstr(r[i].outcome, "nope"));
	}
	free(r);
	apilog_free(log);
}

static void test_session_expiry(void **state)
{
	apilog *log = apilog_new(100);
	panel *p = mk(sim.dcimgr[0], "admin", "admin", PANEL_AUTH_SESSION, log);
	dc_err e;
	assert_int_equal(panel_login(p, NULL, &e), 0);
	assert_int_equal(panel_call(p, "osmgr", NULL, true, NULL, &e), 0);
	/* idle past the panel's limit on its (virtual) clock */
	ctl_ok(&sim, "func=clock.advance&seconds=120");
	xml_doc *d = NULL;
	assert_int_equal(panel_call(p, "osmgr", NULL, true, &d, &e), 0);
	assert_true(d->nrows > 0);
	xml_doc_free(d);
	assert_int_equal(count_func(log, "auth"), 2);

	/* expired again, and the call is not safe to repeat: it fails
	 * saying so, and the next one logs in afresh */
	ctl_ok(&sim, "func=session.expire");
	assert_int_equal(panel_call(p, "osmgr", NULL, false, NULL, &e), -1);
	assert_int_equal(e.cat, DC_E_AUTH);
	assert_true(e.retryable);
	assert_non_null(strstr(e.msg, "not repeated"));
	assert_int_equal(panel_call(p, "osmgr", NULL, false, NULL, &e), 0);
	assert_int_equal(count_func(log, "auth"), 3);

	/* the expire fault: one refused session, then fine */
	ctl_ok(&sim, "func=fault.set&target=dcimgr&func_name=osmgr"
	             "&kind=expire&count=1");
	assert_int_equal(panel_call(p, "osmgr", NULL, true, NULL, &e), 0);
	assert_int_equal(count_func(log, "auth"), 4);
	ctl_ok(&sim, "func=fault.clear");
	panel_free(p);
	apilog_free(log);
}

static void test_authinfo(void **state)
{
	apilog *log = apilog_new(100);
	panel *p =
	    mk(sim.dcimgr[0], "admin", "admin", PANEL_AUTH_AUTHINFO, log);
	dc_err e;
	dci_servers *l = NULL;
	assert_int_equal(dci_server_list(p, &l, &e), 0);
	assert_int_equal(l->n, 200);
	dci_servers_free(l);
	assert_int_equal(count_func(log, "auth"), 0);
	/* the level check still works (func=auth, session not kept) */
	assert_int_equal(panel_require_admin(p, &e), 0);
	panel_free(p);

	p = mk(sim.dcimgr[0], "admin", "bad", PANEL_AUTH_AUTHINFO, log);
	assert_int_equal(panel_call(p, "server", NULL, true, NULL, &e), -1);
	assert_int_equal(e.cat, DC_E_AUTH);
	panel_free(p);
	apilog_free(log);
}

static void test_non_admin_refused(void **state)
{
	panel *p = mk(sim.dcimgr[0], "op", "oppw", PANEL_AUTH_SESSION, NULL);
	dc_err e;
	int level = 0;
	assert_int_equal(panel_login(p, &level, &e), 0);
	assert_int_equal(level, 16);
	assert_int_equal(panel_require_admin(p, &e), -1);
	assert_int_equal(e.cat, DC_E_ACCESS);
	assert_non_null(strstr(e.msg, "op"));
	assert_non_null(strstr(e.msg, "level 16"));
	assert_non_null(strstr(e.msg, "administrator"));
	/* and the panel itself refuses an admin function */
	dci_server_form *f = NULL;
	assert_int_equal(dci_server_form_get(p, 1, &f, &e), -1);
	assert_int_equal(e.cat, DC_E_ACCESS);
	panel_free(p);
}

typedef struct fault_case {
	const char *spec; /* kind=..&arg=.. */
	dc_errcat cat;
	dc_errcat alt; /* a second acceptable category, or DC_OK */
} fault_case;

static void test_faults(void **state)
{
	const fault_case cases[] = {
	    {"kind=delay&arg=3000", DC_E_TIMEOUT, DC_OK},
	    {"kind=http500", DC_E_HTTP, DC_OK},
	    {"kind=reset", DC_E_TRANSPORT, DC_OK},
	    {"kind=truncate", DC_E_TRANSPORT, DC_E_PARSE},
	    {"kind=badxml", DC_E_PARSE, DC_OK},
	    {"kind=error&arg=auth", DC_E_AUTH, DC_OK},
	    {"kind=error&arg=access", DC_E_ACCESS, DC_OK},
	    {"kind=error&arg=exists", DC_E_EXISTS, DC_OK},
	    {"kind=error&arg=missed", DC_E_MISSED, DC_OK},
	    {"kind=error&arg=value", DC_E_VALUE, DC_OK},
	    {"kind=error&arg=limit", DC_E_LIMIT, DC_OK},
	    {"kind=error&arg=xml", DC_E_PANEL, DC_OK},
	    {"kind=error&arg=license", DC_E_PANEL, DC_OK},
	};
	panel_opts o = {.url = sim.dcimgr[0],
	                .username = "admin",
	                .password = "admin",
	                .timeout_ms = 800};
	dc_err e;
	panel *p = panel_new(&o, &e);
	assert_int_equal(panel_login(p, NULL, &e), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char body[256];
		snprintf(body, sizeof(body),
		         "func=fault.set&target=dcimgr&func_name=osmgr&%s",
		         cases[i].spec);
		ctl_ok(&sim, body);
		err_clear(&e);
		int rc = panel_call(p, "osmgr", NULL, true, NULL, &e);
		ctl_ok(&sim, "func=fault.clear");
		if (rc != -1 ||
		    (e.cat != cases[i].cat && e.cat != cases[i].alt))
			fail_msg("fault %s: rc %d, category %s (%s)",
			         cases[i].spec, rc, dc_errcat_name(e.cat),
			         e.msg);
		assert_string_equal(e.func, "osmgr");
		assert_string_equal(e.url, sim.dcimgr[0]);
		assert_true(e.elapsed_ms > 0);
		if (!strncmp(cases[i].spec, "kind=error", 10)) {
			assert_string_equal(e.type,
			                    strrchr(cases[i].spec, '=') + 1);
			assert_true(e.msg[0] != '\0');
		}
		/* the handle works again once the fault is gone */
		if (panel_call(p, "osmgr", NULL, true, NULL, &e) != 0)
			fail_msg("after %s: %s", cases[i].spec, e.msg);
	}
	panel_free(p);
}

typedef struct alloc_state {
	char (*addrs)[IPM_ADDR_MAX];
	size_t n;
	int failed;
} alloc_state;

static void on_alloc(void *user, xml_doc *doc, const dc_err *err)
{
	alloc_state *s = user;
	const char *ip = doc ? xml_doc_get(doc, "ip") : NULL;
	if (ip)
		dc_strlcpy(s->addrs[s->n++], ip, IPM_ADDR_MAX);
	else
		s->failed++;
	xml_doc_free(doc);
}

typedef struct worker {
	const char *url;
	char addrs[50][IPM_ADDR_MAX];
	int ok;
} worker;

static void *alloc_worker(void *arg)
{
	worker *w = arg;
	panel_opts o = {
	    .url = w->url, .username = "admin", .password = "admin"};
	dc_err e;
	panel *p = panel_new(&o, &e);
	if (!p)
		return NULL;
	ipm_alloc a = {
	    .family = IPM_IPV4, .iptype = "public", .note = "test_client"};
	for (int i = 0; i < 50; i++)
		if (ipm_ip_allocate(p, &a, w->addrs[w->ok], &e) == 0)
			w->ok++;
	panel_free(p);
	return NULL;
}

static int cmp_addr(const void *a, const void *b)
{
	return strcmp(a, b);
}

static long free_public(void)
{
	xml_doc *d = ctl(&sim, "func=ip.count&type=public");
	long v = -1;
	for (size_t i = 0; i < d->nrows; i++)
		if (!strcmp(xml_row_get(&d->rows[i], "type"), "public"))
			v = atol(xml_row_get(&d->rows[i], "free"));
	xml_doc_free(d);
	return v;
}

static void test_parallel_allocations(void **state)
{
	long before = free_public();
	assert_true(before >= 400);
	/* 200 through one batch, 16 in flight */
	panel *p = mk(sim.ipmgr, "admin", "admin", PANEL_AUTH_SESSION, NULL);
	dc_err e;
	panel_batch *b = panel_batch_new(p, 16, &e);
	assert_non_null(b);
	char(*all)[IPM_ADDR_MAX] = calloc(400, IPM_ADDR_MAX);
	alloc_state s = {all, 0, 0};
	const panel_param ps[] = {{"sok", "ok"},
	                          {"family", "ipv4"},
	                          {"iptype", "public"},
	                          {"note", "batch"},
	                          {NULL, NULL}};
	for (int i = 0; i < 200; i++)
		assert_int_equal(
		    panel_batch_add(b, "ip.edit", ps, false, on_alloc, &s, &e),
		    0);
	assert_int_equal(panel_batch_run(b, &e), 0);
	assert_int_equal(s.failed, 0);
	assert_int_equal(s.n, 200);
	panel_batch_free(b);

	/* 200 more from four threads, each with its own handle */
	worker w[4];
	pthread_t th[4];
	for (int i = 0; i < 4; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].url = sim.ipmgr;
		pthread_create(&th[i], NULL, alloc_worker, &w[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].ok, 50);
		memcpy(all[s.n], w[i].addrs, sizeof(w[i].addrs));
		s.n += 50;
	}
	qsort(all, s.n, IPM_ADDR_MAX, cmp_addr);
	for (size_t i = 1; i < s.n; i++)
		if (!strcmp(all[i], all[i - 1]))
			fail_msg("address %s given twice", all[i]);
	assert_int_equal(free_public(), before - 400);
	/* give them all back */
	for (size_t i = 0; i < s.n; i++)
		if (ipm_ip_release(p, all[i], &e) < 0)
			fail_msg("release %s: %s", all[i], e.msg);
	assert_int_equal(free_public(), before);
	free(all);
	panel_free(p);
}

static void test_big_list(void **state)
{
	simproc big;
	const char *args[] = {"--servers", "10000",        "--busy-fraction",
	                      "0.3",       "--group-rows", NULL};
	assert_int_equal(simproc_start(&big, args), 0);
	panel *p =
	    mk(big.dcimgr[0], "admin", "admin", PANEL_AUTH_SESSION, NULL);
	dc_err e;
	dci_servers *l = NULL;
	assert_int_equal(dci_server_list(p, &l, &e), 0);
	assert_int_equal(l->n, 10000); /* the group rows are skipped */
	/* compare with the simulator's own counts, per type */
	xml_doc *truth = ctl(&big, "func=state.counts");
	for (size_t t = 0; t < truth->nrows; t++) {
		const char *type = xml_row_get(&truth->rows[t], "type");
		long total = 0, nfree = 0, owned = 0;
		for (size_t i = 0; i < l->n; i++) {
			if (strcmp(l->v[i].type, type))
				continue;
			total++;
			nfree += dci_server_is_free(&l->v[i], type);
			owned += l->v[i].owner != NULL;
		}
		assert_int_equal(total,
		                 atol(xml_row_get(&truth->rows[t], "total")));
		assert_int_equal(nfree,
		                 atol(xml_row_get(&truth->rows[t], "free")));
		assert_int_equal(owned,
		                 atol(xml_row_get(&truth->rows[t], "owned")));
	}
	xml_doc_free(truth);
	const dci_server *s = dci_server_find(l, 10000);
	assert_non_null(s);
	assert_true(s->ram_mib > 0);
	assert_true(s->name[0] && s->mac[0] && s->rack[0] && s->cpu[0]);
	dci_servers_free(l);
	panel_free(p);
	simproc_stop(&big);
}

static void test_tls(void **state)
{
	simproc t;
	const char *args[] = {"--tls", "--servers", "5", NULL};
	assert_int_equal(simproc_start(&t, args), 0);
	const char *ca = strstr(t.ready, " ca=");
	assert_non_null(ca);
	char cafile[512];
	snprintf(cafile, sizeof(cafile), "%s", ca + 4);
	cafile[strcspn(cafile, " \n")] = '\0';
	assert_int_equal(strncmp(t.dcimgr[0], "https://", 8), 0);

	dc_err e;
	/* verified by default: the self-signed panel is refused */
	panel_opts o = {
	    .url = t.dcimgr[0], .username = "admin", .password = "admin"};
	panel *p = panel_new(&o, &e);
	assert_int_equal(panel_login(p, NULL, &e), -1);
	assert_int_equal(e.cat, DC_E_TLS);
	assert_false(e.retryable);
	panel_free(p);

	/* its CA file makes it trusted */
	o.cafile = cafile;
	p = panel_new(&o, &e);
	assert_int_equal(panel_login(p, NULL, &e), 0);
	dci_servers *l = NULL;
	assert_int_equal(dci_server_list(p, &l, &e), 0);
	assert_int_equal(l->n, 5);
	dci_servers_free(l);
	panel_free(p);

	/* insecure, explicitly */
	o.cafile = NULL;
	o.insecure = true;
	p = panel_new(&o, &e);
	assert_int_equal(panel_login(p, NULL, &e), 0);
	panel_free(p);
	simproc_stop(&t);
}

int main(void)
{
	panel_lib_init(NULL);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_login),
	    cmocka_unit_test(test_session_expiry),
	    cmocka_unit_test(test_authinfo),
	    cmocka_unit_test(test_non_admin_refused),
	    cmocka_unit_test(test_faults),
	    cmocka_unit_test(test_parallel_allocations),
	    cmocka_unit_test(test_big_list),
	    cmocka_unit_test(test_tls),
	};
	int rc = cmocka_run_group_tests(tests, setup, teardown);
	panel_lib_cleanup();
	return rc;
}
