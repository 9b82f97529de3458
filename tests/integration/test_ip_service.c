/* test_ip_service.c - the whole special-range story against dcisim: from
 * a simulator that has no type guardvlan9, the set-up creates the type,
 * gives the spare range that type, creates special_ip_block_guardvlan9
 * and puts it in a tariff; a service opened on that tariff holds N
 * addresses of that range, which the IP view (and ipaddr list --service)
 * shows against that service; the guards refuse to retype the range or
 * delete the type while it is held; closing the service gives the
 * addresses back to the range, after which the guards let go. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define IPFX_FAIL(...) fail_msg(__VA_ARGS__)
#include "test_ip_fixture.h"

#include "engine.h"
#include "ipm.h"
#include "iprange.h"
#include "service.h"

#define CHECK(call)                                                            \
	do {                                                                   \
		if ((call) < 0) {                                              \
			char l_[1024];                                         \
			fail_msg("%s: %s", #call,                              \
			         err_line(&e, l_, sizeof(l_)));                \
		}                                                              \
	} while (0)

static ipfx F;
static iprange_ctx C;

static int setup(void **state)
{
	static const char *const args[] = {"--flagged-fraction", "0",
	                                   "--switch-seconds", "0", NULL};
	inv_opts o;
	dc_err e;
	dc_addon os;
	dc_tariff t;

	(void)state;
	if (panel_lib_init(&e) < 0 || ipfx_start(&F, args) < 0)
		return -1;
	inv_opts_init(&o, NULL, NULL);
	o.timeout_ms = 30000;
	if (iprange_open(&C, F.st, NULL, &o, &e) < 0)
		return -1;
	/* the tariff needs an OS to install */
	memset(&os, 0, sizeof(os));
	snprintf(os.name, sizeof(os.name), "os");
	snprintf(os.kind, sizeof(os.kind), "os");
	os.v.billing = DC_BILL_INCLUDED;
	snprintf(os.v.value, sizeof(os.v.value), "Debian-12-amd64");
	if (addon_add(F.st, &os, &e) < 0 ||
	    tariff_get(F.st, F.tariff_id, &t, &e) < 0)
		return -1;
	t.addons[t.naddons++] = (dc_tariff_addon){.addon_id = os.id};
	return tariff_update(F.st, &t, &e);
}

static int teardown(void **state)
{
	(void)state;
	iprange_close(&C);
	ipfx_stop(&F);
	panel_lib_cleanup();
	return 0;
}

static engine *new_engine(void)
{
	engine_opts eo;
	dc_err e;
	engine *g;

	engine_opts_default(&eo);
	eo.backoff_ms = 1;
	eo.backoff_max_ms = 5;
	eo.poll_ms = 5;
	eo.claim_settle_ms = 0;
	eo.install_timeout_ms = 20000;
	eo.power_timeout_ms = 20000;
	eo.http_timeout_ms = 20000;
	if (!(g = engine_new(F.st, &eo, &e)))
		fail_msg("engine_new: %s", e.msg);
	return g;
}

static size_t held_by(int64_t sid, iprange_view *v)
{
	iprange_filter f = {.service_id = sid};
	dc_err e;

	CHECK(iprange_load(&C, IPR_ALL, &f, v, &e));
	return v->naddrs;
}

static long net_held(const iprange_view *v, const char *net)
{
	for (size_t i = 0; i < v->nnets; i++)
		if (!strcmp(v->nets[i].net, net))
			return v->nets[i].held;
	fail_msg("no range %s", net);
	return -1;
}

static void test_nothing_to_service_and_back(void **state)
{
	static const char *const tariffs[] = {"DS-Small"};
	iprange_setup s = {.iptype = "guardvlan9",
	                   .range = IPFX_RANGE,
	                   .tariffs = tariffs,
	                   .ntariffs = 1,
	                   .billing = DC_BILL_CLIENT,
	                   .values = "0..4"};
	iprange_setup_result r;
	const engine_choice ch[] = {{"special_ip_block_guardvlan9", "3"}};
	engine_open_req req = {.tariff = "DS-Small",
	                       .client = "acme",
	                       .choices = ch,
	                       .nchoices = 1};
	int64_t sid = 0, op = 0, cop = 0;
	char users[IPR_USERS_MAX];
	iprange_view v;
	dc_service svc;
	engine *g;
	dc_err e;

	(void)state;
	assert_int_equal(ipfx_used(&F, IPFX_SPARE), 0);
	/* 1. from nothing: type, range, add-on, tariff */
	CHECK(iprange_setup_apply(&C, &s, NULL, NULL, &r, &e));
	for (int i = 0; i < IPRS_COUNT; i++)
		assert_int_equal(r.steps[i].state, IPRS_DONE);
	assert_int_equal(ipfx_used(&F, "guardvlan9"), 0);

	/* 2. a service that orders 3 special addresses */
	g = new_engine();
	CHECK(engine_open(g, &req, &sid, &op, &e));
	CHECK(engine_run(g, op, &e));
	CHECK(service_get(F.st, sid, &svc, &e));
	assert_int_equal(svc.status, SVC_ACTIVE);
	assert_int_equal(ipfx_used(&F, "guardvlan9"), 3);

	/* 3. visible against that service: its main public address and
	 * three from the special range */
	assert_int_equal(held_by(sid, &v), 4);
	size_t special = 0;
	for (size_t i = 0; i < v.naddrs; i++) {
		const iprange_addr *a = &v.addrs[i];

		assert_int_equal(a->service_id, sid);
		if (!strcmp(a->role, "main")) {
			assert_string_equal(a->iptype, "public");
			continue;
		}
		special++;
		assert_string_equal(a->iptype, "guardvlan9");
		assert_string_equal(a->net, IPFX_RANGE);
		assert_true(iprange_net_contains(IPFX_RANGE, a->ip));
		assert_int_equal(a->service_id, sid);
		assert_string_equal(a->role, "special");
		assert_true(a->in_ipm);
		assert_true(a->in_store);
		assert_non_null(strstr(a->holder, "acme"));
	}
	assert_int_equal(special, 3);
	assert_int_equal(net_held(&v, IPFX_RANGE), 3);
	iprange_view_free(&v);
	{
		/* by type: the same three, and nothing else is of that type */
		iprange_filter f = {.iptype = "guardvlan9"};

		CHECK(iprange_load(&C, IPR_ADDRS, &f, &v, &e));
		assert_int_equal(v.naddrs, 3);
		iprange_view_free(&v);
	}

	/* 4. the guards hold while the service holds them */
	ipm_net_spec sp = {.iptype = IPFX_SPARE};
	assert_int_equal(iprange_net_edit(&C, IPFX_RANGE, &sp, &e), -1);
	assert_int_equal(e.cat, DC_E_CONFLICT);
	assert_non_null(strstr(e.msg, "acme"));
	assert_int_equal(iprange_type_delete(&C, "guardvlan9", &e), -1);
	assert_int_equal(e.cat, DC_E_CONFLICT);
	CHECK(iprange_type_users(&C, "guardvlan9", users, sizeof(users), &e));
	assert_non_null(strstr(users, "3 addresses held"));
	assert_int_equal(ipfx_used(&F, "guardvlan9"), 3);

	/* 5. closing gives them back to the range */
	CHECK(engine_start(g, OPK_CLOSE, sid, NULL, &cop, &e));
	CHECK(engine_run(g, cop, &e));
	CHECK(service_get(F.st, sid, &svc, &e));
	assert_int_equal(svc.status, SVC_CLOSED);
	assert_int_equal(ipfx_used(&F, "guardvlan9"), 0);
	if (held_by(sid, &v) != 0)
		fail_msg("%zu still held: %s %s note=%s holder=%s", v.naddrs,
		         v.addrs[0].ip, v.addrs[0].iptype, v.addrs[0].note,
		         v.addrs[0].holder);
	assert_int_equal(net_held(&v, IPFX_RANGE), 0);
	for (size_t i = 0; i < v.nnets; i++)
		if (!strcmp(v.nets[i].net, IPFX_RANGE))
			assert_int_equal(v.nets[i].free, 253);
	iprange_view_free(&v);

	/* 6. nothing holds the range now: it may change type again */
	CHECK(iprange_net_edit(&C, IPFX_RANGE, &sp, &e));
	engine_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_nothing_to_service_and_back),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
