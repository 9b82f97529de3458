/* test_client_resend.c - a call that is not safe to repeat reaches the
 * panel at most once, even when the connection dies under it.
 *
 * libcurl re-sends a request on a fresh connection when a REUSED keep-alive
 * connection closes before any byte of the answer arrived (it takes the
 * connection for one the server had already dropped). When the panel did
 * act before the connection died, that second send acts again: one
 * allocation, two addresses. dcisim's `reset` fault is exactly that: the
 * call is performed, then the connection closes without an answer. These
 * tests make the call after another one on the same handle (so a
 * keep-alive connection is there to reuse) and count, through simctl,
 * what the panel received and what it did. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipm.h"
#include "panel.h"
#include "simproc.h"

static simproc sim;

static int setup(void **state)
{
	const char *args[] = {"--servers", "20", "--public", "512", NULL};
	return simproc_start(&sim, args);
}

static int teardown(void **state)
{
	simproc_stop(&sim);
	return 0;
}

/* ---- helpers ---- */

static xml_doc *ctl(const char *body)
{
	char *ans = NULL;
	if (simproc_ctl(&sim, body, &ans) < 0)
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

static void ctl_ok(const char *body)
{
	xml_doc_free(ctl(body));
}

/* How many times the panel received name ("ipmgr/ip.edit") since the last
 * reset of the counters. */
static long calls_of(const char *name)
{
	xml_doc *d = ctl("func=calls");
	long n = 0;
	for (size_t i = 0; i < d->nrows; i++) {
		const char *k = xml_row_get(&d->rows[i], "name");
		if (k && !strcmp(k, name))
			n = atol(xml_row_get(&d->rows[i], "count"));
	}
	xml_doc_free(d);
	return n;
}

/* Addresses of type public in use, as the panel counts them. */
static long used_public(void)
{
	xml_doc *d = ctl("func=ip.count&type=public");
	long v = -1;
	for (size_t i = 0; i < d->nrows; i++)
		if (!strcmp(xml_row_get(&d->rows[i], "type"), "public"))
			v = atol(xml_row_get(&d->rows[i], "used"));
	xml_doc_free(d);
	return v;
}

static panel *mk_ipmgr(apilog *log)
{
	panel_opts o = {.url = sim.ipmgr,
	                .username = "admin",
	                .password = "admin",
	                .timeout_ms = 20000,
	                .log = log};
	dc_err e;
	panel *p = panel_new(&o, &e);
	if (!p)
		fail_msg("panel_new: %s", e.msg);
	return p;
}

/* A safe call on p, so that its connection is open and idle: the next
 * call would reuse it. */
static void warm(panel *p)
{
	dc_err e;
	ipm_ips *l = NULL;
	if (ipm_ip_list(p, "public", &l, &e) < 0)
		fail_msg("ip list: %s", e.msg);
	ipm_ips_free(l);
}

/* Releases every public address the tests took (note "resend"). */
static void release_ours(panel *p)
{
	dc_err e;
	ipm_ips *l = NULL;
	if (ipm_ip_list(p, "public", &l, &e) < 0)
		fail_msg("ip list: %s", e.msg);
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].note && !strcmp(l->v[i].note, "resend") &&
		    ipm_ip_release(p, l->v[i].ip, &e) < 0)
			fail_msg("release %s: %s", l->v[i].ip, e.msg);
	ipm_ips_free(l);
}

static size_t log_count(apilog *log, const char *func)
{
	apilog_rec *r = calloc(200, sizeof(*r));
	assert_non_null(r);
	size_t n = apilog_snapshot(log, 0, r, 200), c = 0;
	for (size_t i = 0; i < n; i++)
		c += strcmp(r[i].func, func) == 0;
	free(r);
	return c;
}

/* ---- tests ---- */

/* An allocation on a warm handle whose connection is reset after the
 * panel acted: one request, one address, and a retryable transport error
 * (the caller cannot know the address was taken; it reads back). */
static void test_unsafe_sent_once(void **state)
{
	apilog *log = apilog_new(200);
	panel *p = mk_ipmgr(log);
	warm(p);
	warm(p);
	long before = used_public();
	ctl_ok("func=calls&reset=on");
	ctl_ok("func=fault.set&target=ipmgr&func_name=ip.edit&kind=reset&"
	       "count=1");

	ipm_alloc a = {
	    .family = IPM_IPV4, .iptype = "public", .note = "resend"};
	char addr[IPM_ADDR_MAX] = "";
	dc_err e;
	err_clear(&e);
	assert_int_equal(ipm_ip_allocate(p, &a, addr, &e), -1);
	if (e.cat != DC_E_TRANSPORT)
		fail_msg("expected a transport error, got %s: %s",
		         dc_errcat_name(e.cat), e.msg);
	assert_true(e.retryable);
	assert_string_equal(e.func, "ip.edit");
	assert_string_equal(e.url, sim.ipmgr);
	/* the message warns whoever retries that the panel may have acted */
	assert_non_null(strstr(e.msg, "may have acted"));

	/* sent once, acted once */
	assert_int_equal(calls_of("ipmgr/ip.edit"), 1);
	assert_int_equal(used_public(), before + 1);
	assert_int_equal(log_count(log, "ip.edit"), 1);

	/* the fault is spent: the handle works, the next one is sent once */
	assert_int_equal(ipm_ip_allocate(p, &a, addr, &e), 0);
	assert_int_equal(calls_of("ipmgr/ip.edit"), 2);
	assert_int_equal(used_public(), before + 2);

	ctl_ok("func=fault.clear");
	release_ours(p);
	assert_int_equal(used_public(), before);
	panel_free(p);
	apilog_free(log);
}

/* A safe call meeting the same reset on a reused connection is re-sent by
 * the transport and succeeds: reads keep their connection reuse. */
static void test_safe_still_resent(void **state)
{
	panel *p = mk_ipmgr(NULL);
	warm(p);
	ctl_ok("func=calls&reset=on");
	ctl_ok("func=fault.set&target=ipmgr&func_name=ip&kind=reset&count=1");
	dc_err e;
	ipm_ips *l = NULL;
	if (ipm_ip_list(p, "public", &l, &e) < 0)
		fail_msg("a safe read after a reset: %s", e.msg);
	ipm_ips_free(l);
	/* the first send met the reset, the second one answered: only a
	 * reused connection is re-sent, so the read did reuse one */
	assert_int_equal(calls_of("ipmgr/ip"), 2);
	ctl_ok("func=fault.clear");
	panel_free(p);
}

typedef struct done_state {
	int ok, failed;
	dc_err err;
} done_state;

static void on_done(void *user, xml_doc *doc, const dc_err *err)
{
	done_state *s = user;
	if (doc)
		s->ok++;
	else {
		s->failed++;
		s->err = *err;
	}
	xml_doc_free(doc);
}

/* The same through a batch (curl multi, shared connection cache): a
 * second run reuses the first run's connection. */
static void test_batch_unsafe_sent_once(void **state)
{
	panel *p = mk_ipmgr(NULL);
	dc_err e;
	panel_batch *b = panel_batch_new(p, 2, &e);
	assert_non_null(b);
	done_state s = {0};
	const panel_param list[] = {{"iptype", "public"}, {NULL, NULL}};
	assert_int_equal(panel_batch_add(b, "ip", list, true, on_done, &s, &e),
	                 0);
	assert_int_equal(panel_batch_run(b, &e), 0);
	assert_int_equal(s.ok, 1);

	long before = used_public();
	ctl_ok("func=calls&reset=on");
	ctl_ok("func=fault.set&target=ipmgr&func_name=ip.edit&kind=reset&"
	       "count=1");
	const panel_param alloc[] = {{"sok", "ok"},
	                             {"family", "ipv4"},
	                             {"iptype", "public"},
	                             {"note", "resend"},
	                             {NULL, NULL}};
	s = (done_state){0};
	assert_int_equal(
	    panel_batch_add(b, "ip.edit", alloc, false, on_done, &s, &e), 0);
	assert_int_equal(panel_batch_run(b, &e), 0);
	assert_int_equal(s.ok, 0);
	assert_int_equal(s.failed, 1);
	assert_int_equal(s.err.cat, DC_E_TRANSPORT);
	assert_true(s.err.retryable);
	assert_string_equal(s.err.func, "ip.edit");
	assert_int_equal(calls_of("ipmgr/ip.edit"), 1);
	assert_int_equal(used_public(), before + 1);

	/* a safe call in the same batch is still re-sent after a reset */
	ctl_ok("func=calls&reset=on");
	ctl_ok("func=fault.set&target=ipmgr&func_name=ip&kind=reset&count=1");
	s = (done_state){0};
	assert_int_equal(panel_batch_add(b, "ip", list, true, on_done, &s, &e),
	                 0);
	assert_int_equal(panel_batch_run(b, &e), 0);
	assert_int_equal(s.ok, 1);
	assert_int_equal(calls_of("ipmgr/ip"), 2);

	ctl_ok("func=fault.clear");
	panel_batch_free(b);
	release_ours(p);
	assert_int_equal(used_public(), before);
	panel_free(p);
}

int main(void)
{
	dc_err e;
	if (panel_lib_init(&e) < 0)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_unsafe_sent_once),
	    cmocka_unit_test(test_safe_still_resent),
	    cmocka_unit_test(test_batch_unsafe_sent_once),
	};
	int rc = cmocka_run_group_tests(tests, setup, teardown);
	panel_lib_cleanup();
	return rc;
}
