/* test_client_adapters.c - the typed adapters (dci_*, ipm_*, lic_*)
 * against dcisim: each call does what it says, as the simulator's own
 * state confirms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dci.h"
#include "ipm.h"
#include "lic.h"
#include "panel.h"
#include "simproc.h"

static simproc sim;
static panel *dci, *ipm, *lic;

static panel *mk(const char *url)
{
	panel_opts o = {.url = url,
	                .username = "admin",
	                .password = "admin",
	                .timeout_ms = 20000};
	dc_err e;
	panel *p = panel_new(&o, &e);
	if (!p)
		fail_msg("panel_new: %s", e.msg);
	return p;
}

static int setup(void **state)
{
	const char *args[] = {"--servers",
	                      "60",
	                      "--power-seconds",
	                      "0.05",
	                      "--install-seconds",
	                      "0.1",
	                      "--switch-seconds",
	                      "0.05",
	                      NULL};
	if (simproc_start(&sim, args) < 0)
		return -1;
	dci = mk(sim.dcimgr[0]);
	ipm = mk(sim.ipmgr);
	lic = mk(sim.billmgr);
	return 0;
}

static int teardown(void **state)
{
	panel_free(dci);
	panel_free(ipm);
	panel_free(lic);
	simproc_stop(&sim);
	return 0;
}

#define CHECK(call)                                                            \
	do {                                                                   \
		dc_err e_;                                                     \
		err_clear(&e_);                                                \
		if ((call) < 0) {                                              \
			char l_[1024];                                         \
			fail_msg("%s: %s", #call,                              \
			         err_line(&e_, l_, sizeof(l_)));               \
		}                                                              \
	} while (0)

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* Polls the server list until pred holds for server id (10 s limit). */
static const dci_server *wait_server(long id, bool (*pred)(const dci_server *),
                                     dci_servers **keep)
{
	double end = now_ms() + 10000;
	for (;;) {
		dc_err e;
		dci_servers *l = NULL;
		if (dci_server_list(dci, &l, &e) < 0)
			fail_msg("server list: %s", e.msg);
		const dci_server *s = dci_server_find(l, id);
		if (s && pred(s)) {
			*keep = l;
			return s;
		}
		dci_servers_free(l);
		if (now_ms() > end)
			fail_msg("server %ld never reached the state", id);
		poll(NULL, 0, 20);
	}
}

static long pick_free(const char *type)
{
	dc_err e;
	dci_servers *l = NULL;
	CHECK(dci_server_list(dci, &l, &e_));
	long id = 0;
	for (size_t i = 0; i < l->n && !id; i++)
		if (dci_server_is_free(&l->v[i], type))
			id = l->v[i].id;
	dci_servers_free(l);
	(void)e;
	assert_true(id > 0);
	return id;
}

static bool is_owned_by_client(const dci_server *s)
{
	return s->owner && !strcmp(s->owner, "client1") &&
	       !strcmp(s->hostname, "c1.example.net");
}

static bool is_unowned(const dci_server *s)
{
	return !s->owner && !strcmp(s->hostname, "free.ds");
}

static void test_users_and_owner(void **state)
{
	dc_err e;
	CHECK(dci_user_create(dci, "client1", "Secret-12345", &e_));
	assert_int_equal(dci_user_create(dci, "client1", "Secret-12345", &e),
	                 -1);
	assert_int_equal(e.cat, DC_E_EXISTS);
	dci_users *u = NULL;
	CHECK(dci_user_list(dci, &u, &e_));
	assert_non_null(dci_user_find(u, "client1"));
	dci_users_free(u);

	long id = pick_free("ds-small");
	CHECK(dci_server_set_owner(dci, id, "client1", "c1.example.net", &e_));
	dci_servers *l = NULL;
	const dci_server *s = wait_server(id, is_owned_by_client, &l);
	assert_false(dci_server_is_free(s, "ds-small"));
	dci_servers_free(l);
	dci_server_form *f = NULL;
	CHECK(dci_server_form_get(dci, id, &f, &e_));
	assert_string_equal(f->owner, "client1");
	assert_string_equal(f->type, "ds-small");
	assert_true(f->name[0] != '\0');
	dci_server_form_free(f);
	/* clearing the owner frees the server again */
	CHECK(dci_server_set_owner(dci, id, NULL, "free.ds", &e_));
	s = wait_server(id, is_unowned, &l);
	assert_true(dci_server_is_free(s, "ds-small"));
	dci_servers_free(l);
	/* an unknown owner is the panel's "value" refusal */
	assert_int_equal(dci_server_set_owner(dci, id, "nobody", NULL, &e), -1);
	assert_int_equal(e.cat, DC_E_VALUE);
	assert_string_equal(e.object, "owner");
	/* and a server that does not exist is "missed" */
	assert_int_equal(dci_server_form_get(dci, 999999, &f, &e), -1);
	assert_int_equal(e.cat, DC_E_MISSED);
}

static bool is_disabled(const dci_server *s)
{
	return s->disabled;
}
static bool is_enabled(const dci_server *s)
{
	return !s->disabled;
}
static bool is_on(const dci_server *s)
{
	return s->poweron;
}
static bool is_off(const dci_server *s)
{
	return s->poweroff;
}
static bool install_done(const dci_server *s)
{
	return !s->install_in_progress;
}

static void test_state_changes(void **state)
{
	long id = pick_free("ds-medium");
	dci_servers *l = NULL;
	CHECK(dci_server_disable(dci, id, &e_));
	wait_server(id, is_disabled, &l);
	dci_servers_free(l);
	CHECK(dci_server_enable(dci, id, &e_));
	wait_server(id, is_enabled, &l);
	dci_servers_free(l);

	CHECK(dci_server_poweron(dci, id, &e_));
	wait_server(id, is_on, &l);
	dci_servers_free(l);
	CHECK(dci_server_reboot(dci, id, &e_));
	/* a reboot shows no flag while it runs; the panel refuses another
	 * power operation ("value": busy) until it is over */
	dc_err be;
	double end = now_ms() + 10000;
	while (dci_server_poweroff(dci, id, &be) < 0) {
		assert_int_equal(be.cat, DC_E_VALUE);
		assert_true(now_ms() < end);
		poll(NULL, 0, 20);
	}
	wait_server(id, is_off, &l);
	dci_servers_free(l);

	dci_os_templates *os = NULL;
	CHECK(dci_os_list(dci, &os, &e_));
	assert_true(os->n > 3);
	const dci_os *deb = dci_os_find(os, "Debian-12-amd64");
	assert_non_null(deb);
	dci_install in = {.ostemplate = deb->name,
	                  .passwd = "Root-pass-123",
	                  .hostname = "inst.example.net",
	                  .nameserver = "8.8.8.8 1.1.1.1",
	                  .clearhdd = true};
	CHECK(dci_server_install(dci, id, &in, &e_));
	const dci_server *s = wait_server(id, install_done, &l);
	assert_false(s->operation_failed);
	dci_servers_free(l);
	dci_os_templates_free(os);

	dc_err e;
	in.ostemplate = "NoSuchOS";
	assert_int_equal(dci_server_install(dci, id, &in, &e), -1);
	assert_int_equal(e.cat, DC_E_VALUE);
	in.ostemplate = NULL;
	assert_int_equal(dci_server_install(dci, id, &in, &e), -1);
	assert_int_equal(e.cat, DC_E_INVALID);
}

static void test_connections(void **state)
{
	long id = pick_free("ds-large");
	dci_conns *c = NULL;
	CHECK(dci_conn_list(dci, id, &c, &e_));
	const dci_conn *sw = dci_conn_find(c, "Switch");
	assert_non_null(sw);
	assert_non_null(dci_conn_find(c, "IPMI"));
	long cid = sw->id;
	dci_conns_free(c);
	CHECK(dci_conn_set_speed(dci, id, cid, 1000, &e_));
	CHECK(dci_conn_off(dci, id, cid, &e_));
	double end = now_ms() + 10000;
	for (;;) {
		CHECK(dci_conn_list(dci, id, &c, &e_));
		sw = dci_conn_find(c, "Switch");
		bool off = !sw->on && !sw->func_in_progress;
		assert_int_equal(sw->speed_mbit, 1000);
		dci_conns_free(c);
		if (off)
			break;
		assert_true(now_ms() < end);
		poll(NULL, 0, 20);
	}
	CHECK(dci_conn_on(dci, id, cid, &e_));
	for (;;) {
		CHECK(dci_conn_list(dci, id, &c, &e_));
		sw = dci_conn_find(c, "Switch");
		bool on = sw->on && !sw->func_in_progress;
		dci_conns_free(c);
		if (on)
			break;
		assert_true(now_ms() < end);
		poll(NULL, 0, 20);
	}
	dc_err e;
	assert_int_equal(dci_conn_set_speed(dci, id, cid, 0, &e), -1);
	assert_int_equal(e.cat, DC_E_INVALID);
}

static void test_addresses(void **state)
{
	long id = pick_free("ds-small");
	dci_ips *ips = NULL;
	CHECK(dci_ip_list(dci, id, &ips, &e_));
	size_t before = ips->n;
	dci_ips_free(ips);

	/* take one from IPmanager, attach it as main */
	char addr[IPM_ADDR_MAX];
	ipm_alloc a = {.family = IPM_IPV4,
	               .iptype = "public",
	               .domain = "svc.example.net",
	               .note = "adapters"};
	CHECK(ipm_ip_allocate(ipm, &a, addr, &e_));
	ipm_ips *all = NULL;
	CHECK(ipm_ip_list(ipm, "public", &all, &e_));
	const ipm_ip *rec = ipm_ip_find(all, addr);
	assert_non_null(rec);
	assert_string_equal(rec->note, "adapters");
	assert_string_equal(rec->family, "ipv4");
	ipm_ips_free(all);

	long ipid = 0;
	char got[DCI_ADDR_MAX];
	dci_ip_spec spec = {.ip = addr,
	                    .family = "ipv4",
	                    .domain = "svc.example.net",
	                    .main = true};
	CHECK(dci_ip_attach(dci, id, &spec, &ipid, got, &e_));
	assert_string_equal(got, addr);
	assert_true(ipid > 0);
	CHECK(dci_ip_list(dci, id, &ips, &e_));
	assert_int_equal(ips->n, before + 1);
	const dci_ip *mine = dci_ip_find(ips, addr);
	assert_non_null(mine);
	assert_true(mine->main);
	for (size_t i = 0; i < ips->n; i++)
		if (&ips->v[i] != mine)
			assert_false(ips->v[i].main);
	dci_ips_free(ips);
	dci_servers *l = NULL;
	CHECK(dci_server_list(dci, &l, &e_));
	assert_string_equal(dci_server_find(l, id)->ip, addr);
	dci_servers_free(l);
	CHECK(dci_ip_set_domain(dci, id, ipid, "other.example.net", &e_));

	/* the panel picks one of a type itself */
	long ipid2 = 0;
	char got2[DCI_ADDR_MAX];
	dci_ip_spec spec2 = {.iptype = "private", .family = "ipv4"};
	CHECK(dci_ip_attach(dci, id, &spec2, &ipid2, got2, &e_));
	assert_true(got2[0] != '\0');

	/* releasing an attached address is refused by IPmanager */
	dc_err e;
	assert_int_equal(ipm_ip_release(ipm, addr, &e), -1);
	assert_int_equal(e.cat, DC_E_VALUE);
	CHECK(dci_ip_detach(dci, id, ipid, &e_));
	CHECK(dci_ip_detach(dci, id, ipid2, &e_));
	CHECK(ipm_ip_release(ipm, addr, &e_));
	CHECK(ipm_ip_release(ipm, got2, &e_));
	assert_int_equal(ipm_ip_release(ipm, addr, &e), -1);
	assert_int_equal(e.cat, DC_E_MISSED);
	assert_int_equal(ipm_ip_release(ipm, "not-an-ip", &e), -1);
	assert_int_equal(e.cat, DC_E_INVALID);

	/* nothing of a bad address ever reaches the panel */
	spec.ip = "10.0.0.300";
	assert_int_equal(dci_ip_attach(dci, id, &spec, NULL, NULL, &e), -1);
	assert_int_equal(e.cat, DC_E_INVALID);
}

static void test_types_and_ranges(void **state)
{
	dc_err e;
	assert_int_equal(ipm_type_create(ipm, "bad name", NULL, &e), -1);
	assert_int_equal(e.cat, DC_E_INVALID);
	CHECK(ipm_type_create(ipm, "guardtest", "test range", &e_));
	assert_int_equal(ipm_type_create(ipm, "guardtest", NULL, &e), -1);
	assert_int_equal(e.cat, DC_E_EXISTS);
	ipm_types *t = NULL;
	CHECK(ipm_type_list(ipm, &t, &e_));
	assert_non_null(ipm_type_find(t, "guardtest"));
	assert_non_null(ipm_type_find(t, "public"));
	ipm_types_free(t);

	long net = 0;
	ipm_net_spec ns = {.net = "10.99.0.0/29",
	                   .gateway = "10.99.0.1",
	                   .iptype = "guardtest",
	                   .note = "t"};
	CHECK(ipm_net_create(ipm, &ns, &net, &e_));
	assert_true(net > 0);
	ipm_nets *nets = NULL;
	CHECK(ipm_net_list(ipm, &nets, &e_));
	const ipm_net *found = NULL;
	for (size_t i = 0; i < nets->n; i++)
		if (nets->v[i].id == net)
			found = &nets->v[i];
	assert_non_null(found);
	assert_string_equal(found->iptype, "guardtest");
	long capacity = found->free;
	assert_true(capacity > 0 && capacity <= 8);
	ipm_nets_free(nets);
	ipm_net_spec edit = {.note = "edited"};
	CHECK(ipm_net_edit(ipm, net, &edit, &e_));

	/* drain the type: then "limit" on object iptype */
	char addrs[8][IPM_ADDR_MAX];
	ipm_alloc a = {.family = IPM_IPV4, .iptype = "guardtest"};
	for (long i = 0; i < capacity; i++)
		CHECK(ipm_ip_allocate(ipm, &a, addrs[i], &e_));
	assert_int_equal(ipm_ip_allocate(ipm, &a, addrs[0], &e), -1);
	assert_int_equal(e.cat, DC_E_LIMIT);
	assert_string_equal(e.object, "iptype");
	assert_true(e.retryable);
	for (long i = 0; i < capacity; i++)
		CHECK(ipm_ip_release(ipm, addrs[i], &e_));
	/* an explicit address */
	char one[IPM_ADDR_MAX];
	a.ip = addrs[0];
	CHECK(ipm_ip_allocate(ipm, &a, one, &e_));
	assert_string_equal(one, addrs[0]);
	CHECK(ipm_ip_release(ipm, one, &e_));
	CHECK(ipm_net_delete(ipm, net, &e_));
	CHECK(ipm_type_delete(ipm, "guardtest", &e_));
	CHECK(ipm_type_list(ipm, &t, &e_));
	assert_null(ipm_type_find(t, "guardtest"));
	ipm_types_free(t);
}

static void test_licences(void **state)
{
	lic_order_req r = {.pricelist = "ISPmanager-Lite",
	                   .period = "1",
	                   .ip = "192.0.2.10",
	                   .licname = "srv-1",
	                   .remoteid = "svc-42"};
	long id = 0;
	CHECK(lic_order(lic, &r, &id, &e_));
	assert_true(id > 0);
	lic_licences *l = NULL;
	CHECK(lic_list(lic, &l, &e_));
	const lic_licence *c = lic_find_remoteid(l, "svc-42");
	assert_non_null(c);
	assert_int_equal(c->id, id);
	assert_string_equal(c->ip, "192.0.2.10");
	lic_licences_free(l);

	CHECK(lic_suspend(lic, id, &e_));
	CHECK(lic_list(lic, &l, &e_));
	assert_string_equal(lic_find_remoteid(l, "svc-42")->status,
	                    "suspended");
	lic_licences_free(l);
	CHECK(lic_resume(lic, id, &e_));
	lic_order_req ch = {.ip = "192.0.2.11"};
	CHECK(lic_edit(lic, id, &ch, &e_));
	CHECK(lic_list(lic, &l, &e_));
	c = lic_find_remoteid(l, "svc-42");
	assert_string_equal(c->ip, "192.0.2.11");
	assert_string_equal(c->status, "active");
	lic_licences_free(l);
	CHECK(lic_delete(lic, id, &e_));
	CHECK(lic_list(lic, &l, &e_));
	assert_null(lic_find_remoteid(l, "svc-42"));
	lic_licences_free(l);
	dc_err e;
	assert_int_equal(lic_suspend(lic, id, &e), -1);
	assert_int_equal(e.cat, DC_E_MISSED);
	r.pricelist = "NoSuchTariff";
	assert_int_equal(lic_order(lic, &r, &id, &e), -1);
	assert_int_equal(e.cat, DC_E_VALUE);
}

static void test_reports(void **state)
{
	long end = (long)time(NULL), begin = end - 86400;
	dci_stat_list *st = NULL;
	CHECK(dci_server_stat(dci, 3, begin, end, &st, &e_));
	assert_true(st->n > 200); /* a day has 288 buckets, a few missing */
	double sum_in = 0, sum_out = 0;
	for (size_t i = 0; i < st->n; i++) {
		assert_int_equal(st->v[i].time % 300, 0);
		if (i)
			assert_true(st->v[i].time > st->v[i - 1].time);
		assert_false(isnan(st->v[i].in));
		assert_false(isnan(st->v[i].power));
		sum_in += st->v[i].in;
		sum_out += st->v[i].out;
	}
	/* the simulator's ground truth for the same range */
	char body[160];
	snprintf(body, sizeof(body),
	         "func=stat.truth&dc=1&elid=3&begin=%ld&end=%ld", begin, end);
	char *ans = NULL;
	assert_int_equal(simproc_ctl(&sim, body, &ans), 0);
	dc_err e;
	xml_doc *truth = xml_decode(ans, strlen(ans), NULL, &e);
	free(ans);
	assert_non_null(truth);
	assert_int_equal((long)st->n, atol(xml_doc_get(truth, "present")));
	assert_true(fabs(sum_in - atof(xml_doc_get(truth, "sum_in"))) < 0.5);
	assert_true(fabs(sum_out - atof(xml_doc_get(truth, "sum_out"))) < 0.5);
	xml_doc_free(truth);
	dci_stat_list_free(st);

	dci_traffic_list *tr = NULL;
	CHECK(dci_traffic(dci, "currentday", &tr, &e_));
	assert_int_equal(tr->n, 60);
	dci_traffic_list_free(tr);
	dci_burst_list *b = NULL;
	CHECK(dci_traffic_burst(dci, "previousday", &b, &e_));
	assert_int_equal(b->n, 60);
	for (size_t i = 0; i < b->n; i++)
		assert_true(b->v[i].burst_in >= 0 && b->v[i].burst_out >= 0);
	dci_burst_list_free(b);
	assert_int_equal(dci_traffic(dci, "someday", &tr, &e), -1);
	assert_int_equal(e.cat, DC_E_VALUE);
}

typedef struct stat_tally {
	int ok, failed;
	size_t rows;
	long seen[61];
} stat_tally;

static void on_stats(void *user, long id, dci_stat_list *st, const dc_err *err)
{
	stat_tally *t = user;
	if (!st) {
		t->failed++;
		return;
	}
	t->ok++;
	t->rows += st->n;
	if (id > 0 && id <= 60)
		t->seen[id]++;
	dci_stat_list_free(st);
}

static void test_stat_batch(void **state)
{
	long end = (long)time(NULL), begin = end - 6 * 3600;
	panel_batch *b = NULL;
	dc_err e;
	b = panel_batch_new(dci, 4, &e);
	assert_non_null(b);
	stat_tally t;
	memset(&t, 0, sizeof(t));
	for (long id = 1; id <= 60; id++)
		CHECK(dci_server_stat_batch(b, id, begin, end, on_stats, &t,
		                            &e_));
	CHECK(panel_batch_run(b, &e_));
	assert_int_equal(t.ok, 60);
	assert_int_equal(t.failed, 0);
	for (long id = 1; id <= 60; id++)
		assert_int_equal(t.seen[id], 1);
	assert_true(t.rows > 60 * 50);
	/* a server that does not exist completes with its error */
	memset(&t, 0, sizeof(t));
	CHECK(dci_server_stat_batch(b, 9999, begin, end, on_stats, &t, &e_));
	CHECK(panel_batch_run(b, &e_));
	assert_int_equal(t.failed, 1);
	panel_batch_free(b);
}

int main(void)
{
	panel_lib_init(NULL);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_users_and_owner),
	    cmocka_unit_test(test_state_changes),
	    cmocka_unit_test(test_connections),
	    cmocka_unit_test(test_addresses),
	    cmocka_unit_test(test_types_and_ranges),
	    cmocka_unit_test(test_licences),
	    cmocka_unit_test(test_reports),
	    cmocka_unit_test(test_stat_batch),
	};
	int rc = cmocka_run_group_tests(tests, setup, teardown);
	panel_lib_cleanup();
	return rc;
}
