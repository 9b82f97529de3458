/* test_iprange.c - special IP ranges against dcisim, core only: the joined
 * view agrees with the simulator's own counts and places every address in
 * its range; each guard refuses with the reason and changes nothing on
 * the panel or in the store; the set-up goes from nothing to a tariff with
 * the special add-on, reports every step, is a no-op when run again, stops
 * at an injected failure with the earlier steps kept and finishes on a
 * re-run; add-ons whose type a module's IPmanager lacks are flagged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define IPFX_FAIL(...) fail_msg(__VA_ARGS__)
#include "test_ip_fixture.h"

#include "inventory.h"
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

typedef struct tfx {
	ipfx f;
	iprange_ctx c;
	inv_opts o;
} tfx;

static int setup(void **state)
{
	tfx *t = calloc(1, sizeof(*t));
	dc_err e;

	if (!t || ipfx_start(&t->f, NULL) < 0)
		return -1;
	inv_opts_init(&t->o, NULL, NULL);
	t->o.timeout_ms = 30000;
	if (iprange_open(&t->c, t->f.st, NULL, &t->o, &e) < 0) {
		fprintf(stderr, "iprange_open: %s\n", e.msg);
		return -1;
	}
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	tfx *t = *state;

	iprange_close(&t->c);
	ipfx_stop(&t->f);
	free(t);
	return 0;
}

static const iprange_type *find_type(const iprange_view *v, const char *n)
{
	for (size_t i = 0; i < v->ntypes; i++)
		if (!strcmp(v->types[i].name, n))
			return &v->types[i];
	return NULL;
}

static const iprange_net *find_net(const iprange_view *v, const char *net)
{
	for (size_t i = 0; i < v->nnets; i++)
		if (!strcmp(v->nets[i].net, net))
			return &v->nets[i];
	return NULL;
}

/* The range's type as the panel has it now. */
static void panel_net_type(tfx *t, const char *net, char *buf, size_t len)
{
	ipm_nets *nl = NULL;
	const ipm_net *n;
	dc_err e;

	CHECK(ipm_net_list(t->c.ipm, &nl, &e));
	n = iprange_net_find(nl, net);
	assert_non_null(n);
	snprintf(buf, len, "%s", n->iptype);
	ipm_nets_free(nl);
}

static bool panel_has_type(tfx *t, const char *name)
{
	ipm_types *tl = NULL;
	dc_err e;
	bool has;

	CHECK(ipm_type_list(t->c.ipm, &tl, &e));
	has = ipm_type_find(tl, name) != NULL;
	ipm_types_free(tl);
	return has;
}

/* A live service of the store holding `n` addresses of `type`, taken from
 * IPmanager with the engine's marker, as the engine would record them. */
static int64_t hold_addresses(tfx *t, const char *client, const char *type,
                              int n, char addrs[][IPM_ADDR_MAX])
{
	dc_service s;
	char tag[SVC_TAG_MAX], mark[SVC_MARKER_MAX], note[SVC_MARKER_MAX + 16];
	dc_err e;

	memset(&s, 0, sizeof(s));
	snprintf(s.client, sizeof(s.client), "%s", client);
	snprintf(s.panel_user, sizeof(s.panel_user), "%s", client);
	snprintf(s.hostname, sizeof(s.hostname), "%s.example.net", client);
	s.tariff_id = t->f.tariff_id;
	s.status = SVC_ACTIVE;
	CHECK(store_begin(t->f.st, &e));
	CHECK(service_insert_tx(t->f.st, &s, &e));
	CHECK(store_commit(t->f.st, &e));
	CHECK(service_store_tag(t->f.st, tag, &e));
	service_marker(tag, s.id, mark, sizeof(mark));
	snprintf(note, sizeof(note), "%s:special", mark);
	for (int i = 0; i < n; i++) {
		ipm_alloc a = {
		    .family = IPM_IPV4, .iptype = type, .note = note};
		svc_addr sa;

		CHECK(ipm_ip_allocate(t->c.ipm, &a, addrs[i], &e));
		memset(&sa, 0, sizeof(sa));
		sa.service_id = s.id;
		sa.ipmgr_id = t->f.ipmgr_id;
		snprintf(sa.ip, sizeof(sa.ip), "%s", addrs[i]);
		snprintf(sa.family, sizeof(sa.family), "ipv4");
		snprintf(sa.iptype, sizeof(sa.iptype), "%s", type);
		sa.role = SVC_ROLE_SPECIAL;
		CHECK(store_begin(t->f.st, &e));
		CHECK(service_addr_insert_tx(t->f.st, &sa, &e));
		CHECK(store_commit(t->f.st, &e));
	}
	return s.id;
}

/* ---- the view ---------------------------------------------------------- */

static void test_view_matches_truth(void **state)
{
	tfx *t = *state;
	iprange_view v;
	dc_err e;
	const iprange_type *pk, *sp;
	long parking_addrs = 0;

	CHECK(iprange_load(&t->c, IPR_ALL, NULL, &v, &e));
	pk = find_type(&v, "parking");
	sp = find_type(&v, IPFX_SPARE);
	assert_non_null(pk);
	assert_non_null(sp);
	assert_non_null(find_type(&v, "public"));
	/* per-type sums are the simulator's own counts */
	assert_int_equal(pk->used, ipfx_used(&t->f, "parking"));
	assert_int_equal(sp->used, ipfx_used(&t->f, IPFX_SPARE));
	assert_true(pk->used > 0); /* every free server parks an address */
	assert_int_equal(sp->nranges, 1);
	assert_int_equal(sp->free, 253);
	assert_string_equal(pk->parking, "dc1");
	assert_string_equal(sp->parking, "");
	assert_non_null(find_net(&v, IPFX_RANGE));
	assert_string_equal(find_net(&v, IPFX_RANGE)->iptype, IPFX_SPARE);
	/* every address lies in the range the view names */
	for (size_t i = 0; i < v.naddrs; i++) {
		const iprange_addr *a = &v.addrs[i];

		assert_true(a->in_ipm);
		assert_true(a->net_id > 0);
		if (!iprange_net_contains(a->net, a->ip))
			fail_msg("%s is not in %s", a->ip, a->net);
		if (!strcmp(a->iptype, "parking"))
			parking_addrs++;
	}
	assert_int_equal(parking_addrs, pk->used);
	iprange_view_free(&v);

	/* filters: by type and by range give the same parking addresses */
	iprange_filter fl = {.iptype = "parking"};
	CHECK(iprange_load(&t->c, IPR_ADDRS, &fl, &v, &e));
	assert_int_equal(v.naddrs, parking_addrs);
	iprange_view_free(&v);
	fl = (iprange_filter){.net = "#999999"};
	assert_int_equal(iprange_load(&t->c, IPR_ADDRS, &fl, &v, &e), -1);
	assert_int_equal(e.cat, DC_E_NOTFOUND);
	assert_string_equal(e.field, "range");
}

static void test_net_contains(void **state)
{
	(void)state;
	assert_true(iprange_net_contains("10.0.0.0/24", "10.0.0.255"));
	assert_false(iprange_net_contains("10.0.0.0/24", "10.0.1.0"));
	assert_true(iprange_net_contains("10.0.0.5-10.0.0.9", "10.0.0.9"));
	assert_false(iprange_net_contains("10.0.0.5-10.0.0.9", "10.0.0.10"));
	assert_true(iprange_net_contains("2001:db8::/112", "2001:db8::ffff"));
	assert_false(iprange_net_contains("2001:db8::/112", "10.0.0.1"));
	assert_false(iprange_net_contains("10.0.0.0/33", "10.0.0.1"));
	assert_false(iprange_net_contains("nonsense", "10.0.0.1"));
	assert_false(iprange_net_contains("10.0.0.9-10.0.0.5", "10.0.0.6"));
}

/* ---- guards ------------------------------------------------------------ */

static void add_special_addon(tfx *t, const char *type, bool in_tariff)
{
	dc_addon a;
	dc_tariff tr;
	dc_err e;

	memset(&a, 0, sizeof(a));
	snprintf(a.name, sizeof(a.name), "special_ip_block_%s", type);
	snprintf(a.kind, sizeof(a.kind), "special_ip_block_%s", type);
	a.v.billing = DC_BILL_NONE;
	snprintf(a.v.value, sizeof(a.v.value), "2");
	CHECK(addon_add(t->f.st, &a, &e));
	if (!in_tariff)
		return;
	CHECK(tariff_get(t->f.st, t->f.tariff_id, &tr, &e));
	tr.addons[tr.naddons++] = (dc_tariff_addon){.addon_id = a.id};
	CHECK(tariff_update(t->f.st, &tr, &e));
}

static void test_guard_type_delete(void **state)
{
	tfx *t = *state;
	dc_err e;
	dc_addon *av = NULL;
	size_t na = 0;

	add_special_addon(t, IPFX_SPARE, true);
	/* an add-on uses it: refused naming the add-on and the tariff */
	assert_int_equal(iprange_type_delete(&t->c, IPFX_SPARE, &e), -1);
	assert_int_equal(e.cat, DC_E_CONFLICT);
	assert_non_null(strstr(e.msg, "special_ip_block_spare"));
	assert_non_null(strstr(e.msg, "DS-Small"));
	assert_true(panel_has_type(t, IPFX_SPARE));

	/* the modules' parking type: refused naming the module */
	assert_int_equal(iprange_type_delete(&t->c, "parking", &e), -1);
	assert_int_equal(e.cat, DC_E_CONFLICT);
	assert_non_null(strstr(e.msg, "module dc1"));
	assert_true(panel_has_type(t, "parking"));

	/* a type nobody uses comes and goes */
	CHECK(iprange_type_add(&t->c, "scratch", "for a test", &e));
	assert_true(panel_has_type(t, "scratch"));
	CHECK(iprange_type_delete(&t->c, "scratch", &e));
	assert_false(panel_has_type(t, "scratch"));
	/* unknown and malformed names */
	assert_int_equal(iprange_type_delete(&t->c, "nosuch", &e), -1);
	assert_int_equal(e.cat, DC_E_NOTFOUND);
	assert_int_equal(iprange_type_add(&t->c, "bad name", NULL, &e), -1);
	assert_int_equal(e.cat, DC_E_INVALID);
	assert_string_equal(e.field, "name");
	/* nothing in the store changed */
	CHECK(addon_list(t->f.st, &av, &na, &e));
	assert_int_equal(na, 1);
	free(av);
}

static void test_guard_range_held(void **state)
{
	tfx *t = *state;
	char addrs[2][IPM_ADDR_MAX], extra[IPM_ADDR_MAX], type[DC_TYPE_MAX];
	char who[IPR_USERS_MAX], tag[SVC_TAG_MAX], mark[SVC_MARKER_MAX];
	long cnt = 0, used;
	int64_t sid;
	dc_err e;

	CHECK(iprange_type_add(&t->c, "guardvlan9", NULL, &e));
	sid = hold_addresses(t, "alice", IPFX_SPARE, 2, addrs);
	assert_true(iprange_net_contains(IPFX_RANGE, addrs[0]));
	/* and one only the IPmanager note says is ours (a crash window) */
	CHECK(service_store_tag(t->f.st, tag, &e));
	service_marker(tag, 999, mark, sizeof(mark));
	ipm_alloc a = {.family = IPM_IPV4, .iptype = IPFX_SPARE, .note = mark};
	CHECK(ipm_ip_allocate(t->c.ipm, &a, extra, &e));
	used = ipfx_used(&t->f, IPFX_SPARE);

	CHECK(
	    iprange_net_holders(&t->c, IPFX_RANGE, who, sizeof(who), &cnt, &e));
	assert_int_equal(cnt, 3);
	assert_non_null(strstr(who, "alice"));
	assert_non_null(strstr(who, "#999"));

	ipm_net_spec sp = {.iptype = "guardvlan9"};
	assert_int_equal(iprange_net_edit(&t->c, IPFX_RANGE, &sp, &e), -1);
	assert_int_equal(e.cat, DC_E_CONFLICT);
	assert_string_equal(e.field, "range");
	assert_non_null(strstr(e.msg, "alice"));
	assert_non_null(strstr(e.msg, "3 addresses"));
	panel_net_type(t, IPFX_RANGE, type, sizeof(type));
	assert_string_equal(type, IPFX_SPARE);
	assert_int_equal(iprange_net_delete(&t->c, IPFX_RANGE, &e), -1);
	assert_int_equal(e.cat, DC_E_CONFLICT);
	assert_int_equal(ipfx_used(&t->f, IPFX_SPARE), used);

	/* a change that keeps the type is allowed */
	sp = (ipm_net_spec){.note = "held range"};
	CHECK(iprange_net_edit(&t->c, IPFX_RANGE, &sp, &e));

	/* the view says who holds what */
	iprange_view v;
	iprange_filter fl = {.service_id = sid};
	CHECK(iprange_load(&t->c, IPR_ALL, &fl, &v, &e));
	assert_int_equal(v.naddrs, 2);
	for (size_t i = 0; i < v.naddrs; i++) {
		assert_int_equal(v.addrs[i].service_id, sid);
		assert_string_equal(v.addrs[i].role, "special");
		assert_string_equal(v.addrs[i].net, IPFX_RANGE);
		assert_non_null(strstr(v.addrs[i].holder, "alice"));
	}
	assert_int_equal(find_net(&v, IPFX_RANGE)->held, 2);
	iprange_view_free(&v);

	/* once given back, the type may change */
	svc_addr *sa = NULL;
	size_t n = 0;
	CHECK(service_addrs(t->f.st, sid, &sa, &n, &e));
	for (size_t i = 0; i < n; i++) {
		CHECK(ipm_ip_release(t->c.ipm, sa[i].ip, &e));
		CHECK(store_begin(t->f.st, &e));
		CHECK(service_addr_delete_tx(t->f.st, sa[i].id, &e));
		CHECK(store_commit(t->f.st, &e));
	}
	free(sa);
	CHECK(ipm_ip_release(t->c.ipm, extra, &e));
	sp = (ipm_net_spec){.iptype = "guardvlan9"};
	CHECK(iprange_net_edit(&t->c, IPFX_RANGE, &sp, &e));
	panel_net_type(t, IPFX_RANGE, type, sizeof(type));
	assert_string_equal(type, "guardvlan9");
}

/* Markers that do not make a holder: a parking address (where a free
 * server's address came from) and a closed service's leftovers. */
static void test_markers_not_holders(void **state)
{
	tfx *t = *state;
	char addrs[1][IPM_ADDR_MAX], a1[IPM_ADDR_MAX], a2[IPM_ADDR_MAX];
	char tag[SVC_TAG_MAX], mark[SVC_MARKER_MAX], note[SVC_MARKER_MAX + 16];
	char who[IPR_USERS_MAX];
	long cnt = -1;
	int64_t sid;
	dc_err e;

	sid = hold_addresses(t, "dora", IPFX_SPARE, 1, addrs);
	CHECK(service_store_tag(t->f.st, tag, &e));
	/* the service is closed; its address went back, a stale note stays */
	CHECK(ipm_ip_release(t->c.ipm, addrs[0], &e));
	CHECK(store_begin(t->f.st, &e));
	CHECK(service_set_status_tx(t->f.st, sid, SVC_CLOSED, &e));
	CHECK(store_commit(t->f.st, &e));
	service_marker(tag, sid, mark, sizeof(mark));
	snprintf(note, sizeof(note), "%s:special", mark);
	ipm_alloc a = {.family = IPM_IPV4, .iptype = IPFX_SPARE, .note = note};
	CHECK(ipm_ip_allocate(t->c.ipm, &a, a1, &e));
	/* a parking marker of a live service */
	service_marker(tag, 4242, mark, sizeof(mark));
	snprintf(note, sizeof(note), "%s:parking", mark);
	a.note = note;
	CHECK(ipm_ip_allocate(t->c.ipm, &a, a2, &e));
	CHECK(
	    iprange_net_holders(&t->c, IPFX_RANGE, who, sizeof(who), &cnt, &e));
	assert_int_equal(cnt, 0);
	assert_string_equal(who, "");
	/* so the range may change type */
	CHECK(iprange_type_add(&t->c, "guardvlan9", NULL, &e));
	ipm_net_spec sp = {.iptype = "guardvlan9"};
	CHECK(iprange_net_edit(&t->c, IPFX_RANGE, &sp, &e));
}

static void test_find_service(void **state)
{
	tfx *t = *state;
	char addrs[1][IPM_ADDR_MAX];
	int64_t sid = hold_addresses(t, "bob", IPFX_SPARE, 1, addrs), id = 0;
	char key[32];
	dc_err e;

	snprintf(key, sizeof(key), "#%lld", (long long)sid);
	CHECK(iprange_find_service(t->f.st, key, &id, &e));
	assert_int_equal(id, sid);
	id = 0;
	CHECK(iprange_find_service(t->f.st, "bob.example.net", &id, &e));
	assert_int_equal(id, sid);
	assert_int_equal(iprange_find_service(t->f.st, "nobody", &id, &e), -1);
	assert_string_equal(e.field, "service");
	assert_int_equal(iprange_find_service(t->f.st, "4242", &id, &e), -1);
	assert_int_equal(e.cat, DC_E_NOTFOUND);
}

/* ---- the set-up -------------------------------------------------------- */

static const char *const small[] = {"DS-Small"};

static iprange_setup req(const char *billing_values)
{
	iprange_setup s = {.iptype = "guardvlan9",
	                   .range = IPFX_RANGE,
	                   .tariffs = small,
	                   .ntariffs = 1,
	                   .billing = DC_BILL_NONE,
	                   .values = billing_values};
	return s;
}

static void expect_states(const iprange_setup_result *r, iprange_step_state a,
                          iprange_step_state b, iprange_step_state c,
                          iprange_step_state d)
{
	iprange_step_state want[IPRS_COUNT] = {a, b, c, d};

	for (int i = 0; i < IPRS_COUNT; i++)
		if (r->steps[i].state != want[i])
			fail_msg("step %s: %s, expected %s (%s)",
			         iprange_step_name((iprange_step_id)i),
			         iprange_step_state_name(r->steps[i].state),
			         iprange_step_state_name(want[i]),
			         r->steps[i].err.msg);
}

static void test_setup_from_nothing(void **state)
{
	tfx *t = *state;
	iprange_setup s = req("2");
	iprange_setup_result r;
	dc_addon a;
	dc_tariff tr;
	char type[DC_TYPE_MAX];
	iprange_flag *fl = NULL;
	size_t nf = 0;
	dc_err e;

	assert_false(panel_has_type(t, "guardvlan9"));
	CHECK(iprange_setup_plan(&t->c, &s, &r, &e));
	expect_states(&r, IPRS_WILL, IPRS_WILL, IPRS_WILL, IPRS_WILL);
	assert_string_equal(r.addon, "special_ip_block_guardvlan9");
	/* a plan changes nothing */
	assert_false(panel_has_type(t, "guardvlan9"));

	CHECK(iprange_setup_apply(&t->c, &s, NULL, NULL, &r, &e));
	expect_states(&r, IPRS_DONE, IPRS_DONE, IPRS_DONE, IPRS_DONE);
	assert_int_equal(r.failed, -1);
	assert_true(panel_has_type(t, "guardvlan9"));
	panel_net_type(t, IPFX_RANGE, type, sizeof(type));
	assert_string_equal(type, "guardvlan9");
	CHECK(
	    addon_get_by_name(t->f.st, "special_ip_block_guardvlan9", &a, &e));
	assert_int_equal(a.kind_id, DC_ADDON_SPECIAL_IP);
	assert_int_equal(a.v.billing, DC_BILL_NONE);
	assert_string_equal(a.v.value, "2");
	CHECK(tariff_get(t->f.st, t->f.tariff_id, &tr, &e));
	assert_int_equal(tr.naddons, 1);
	assert_int_equal(tr.addons[0].addon_id, a.id);
	assert_false(tr.addons[0].override);
	/* the modules' cached types were fetched again: nothing flagged */
	CHECK(iprange_addon_flags(t->f.st, NULL, &fl, &nf, &e));
	assert_int_equal(nf, 0);
	free(fl);

	/* again: every step already done, nothing changes */
	CHECK(iprange_setup_apply(&t->c, &s, NULL, NULL, &r, &e));
	expect_states(&r, IPRS_ALREADY, IPRS_ALREADY, IPRS_ALREADY,
	              IPRS_ALREADY);

	/* client billing for the same tariff: only the tariff step acts, and
	 * keeps the add-on's own values for other tariffs (an override) */
	s.billing = DC_BILL_CLIENT;
	s.values = "0,1,2,4";
	CHECK(iprange_setup_plan(&t->c, &s, &r, &e));
	expect_states(&r, IPRS_ALREADY, IPRS_ALREADY, IPRS_ALREADY, IPRS_WILL);
	CHECK(iprange_setup_apply(&t->c, &s, NULL, NULL, &r, &e));
	expect_states(&r, IPRS_ALREADY, IPRS_ALREADY, IPRS_ALREADY, IPRS_DONE);
	CHECK(tariff_get(t->f.st, t->f.tariff_id, &tr, &e));
	assert_int_equal(tr.naddons, 1);
	assert_true(tr.addons[0].override);
	assert_int_equal(tr.addons[0].v.billing, DC_BILL_CLIENT);
	assert_string_equal(tr.addons[0].v.list, "0,1,2,4");
	CHECK(
	    addon_get_by_name(t->f.st, "special_ip_block_guardvlan9", &a, &e));
	assert_string_equal(a.v.value, "2");
}

static int64_t progress_calls;
static void on_progress(void *user, const iprange_setup_result *r,
                        iprange_step_id done)
{
	(void)user;
	(void)r;
	progress_calls |= 1 << done;
}

static void test_setup_fails_midway_then_finishes(void **state)
{
	tfx *t = *state;
	iprange_setup s = req("2");
	iprange_setup_result r;
	dc_addon a;
	dc_tariff tr;
	char type[DC_TYPE_MAX];
	dc_err e;

	ipfx_fault(&t->f, "ipnet.edit", "value", 1);
	progress_calls = 0;
	assert_int_equal(
	    iprange_setup_apply(&t->c, &s, on_progress, NULL, &r, &e), -1);
	assert_int_equal(progress_calls, 0xf); /* every step reported */
	expect_states(&r, IPRS_DONE, IPRS_FAILED, IPRS_NOT_RUN, IPRS_NOT_RUN);
	assert_int_equal(r.failed, IPRS_RANGE);
	assert_int_equal(r.steps[IPRS_RANGE].err.cat, DC_E_VALUE);
	assert_string_equal(r.steps[IPRS_RANGE].err.func, "ipnet.edit");
	/* the error says which step, what was done before it, what to do */
	assert_int_equal(e.cat, DC_E_VALUE);
	assert_non_null(strstr(e.msg, "step range failed"));
	assert_non_null(strstr(e.msg, "type done"));
	assert_non_null(strstr(e.msg, "again"));
	/* the earlier step stays, the later ones did not run */
	assert_true(panel_has_type(t, "guardvlan9"));
	panel_net_type(t, IPFX_RANGE, type, sizeof(type));
	assert_string_equal(type, IPFX_SPARE);
	assert_int_equal(
	    addon_get_by_name(t->f.st, "special_ip_block_guardvlan9", &a, &e),
	    -1);
	CHECK(tariff_get(t->f.st, t->f.tariff_id, &tr, &e));
	assert_int_equal(tr.naddons, 0);

	/* the re-run skips the type and does the rest */
	CHECK(iprange_setup_apply(&t->c, &s, NULL, NULL, &r, &e));
	expect_states(&r, IPRS_ALREADY, IPRS_DONE, IPRS_DONE, IPRS_DONE);
	panel_net_type(t, IPFX_RANGE, type, sizeof(type));
	assert_string_equal(type, "guardvlan9");
	CHECK(tariff_get(t->f.st, t->f.tariff_id, &tr, &e));
	assert_int_equal(tr.naddons, 1);
}

static void test_setup_refusals_change_nothing(void **state)
{
	tfx *t = *state;
	iprange_setup s;
	iprange_setup_result r;
	char type[DC_TYPE_MAX], addrs[1][IPM_ADDR_MAX];
	const char *const twice[] = {"DS-Small", "DS-Small"};
	const char *const none[] = {"DS-Nope"};
	dc_addon *av = NULL;
	size_t na = 0;
	dc_err e;

	s = req("2");
	/* a valid type, but the add-on's name would be too long */
	s.iptype = "a123456789b123456789c123456789d123456789e123456789";
	assert_int_equal(iprange_setup_apply(&t->c, &s, NULL, NULL, &r, &e),
	                 -1);
	assert_string_equal(e.field, "iptype");
	assert_non_null(strstr(e.msg, "too long"));
	s = req("2");
	s.iptype = "guard vlan";
	assert_int_equal(iprange_setup_apply(&t->c, &s, NULL, NULL, &r, &e),
	                 -1);
	assert_string_equal(e.field, "iptype");
	s = req("1,2");
	assert_int_equal(iprange_setup_apply(&t->c, &s, NULL, NULL, &r, &e),
	                 -1);
	assert_string_equal(e.field, "values");
	s = req(NULL);
	s.billing = DC_BILL_CLIENT;
	assert_int_equal(iprange_setup_apply(&t->c, &s, NULL, NULL, &r, &e),
	                 -1);
	assert_string_equal(e.field, "values");
	s = req("2");
	s.billing = DC_BILL_INCLUDED;
	assert_int_equal(iprange_setup_apply(&t->c, &s, NULL, NULL, &r, &e),
	                 -1);
	assert_string_equal(e.field, "billing");
	s = req("2");
	s.tariffs = none;
	assert_int_equal(iprange_setup_apply(&t->c, &s, NULL, NULL, &r, &e),
	                 -1);
	assert_string_equal(e.field, "tariff");
	assert_non_null(strstr(e.msg, "DS-Nope"));
	s = req("2");
	s.tariffs = twice;
	s.ntariffs = 2;
	assert_int_equal(iprange_setup_apply(&t->c, &s, NULL, NULL, &r, &e),
	                 -1);
	assert_string_equal(e.field, "tariff");
	s = req("2");
	s.range = "";
	assert_int_equal(iprange_setup_apply(&t->c, &s, NULL, NULL, &r, &e),
	                 -1);
	assert_string_equal(e.field, "range");
	/* none of them touched the panel or the store */
	assert_false(panel_has_type(t, "guardvlan9"));
	CHECK(addon_list(t->f.st, &av, &na, &e));
	assert_int_equal(na, 0);
	free(av);

	/* the range guard inside the set-up: the plan says it would be
	 * refused, the apply stops there with the services named */
	hold_addresses(t, "carol", IPFX_SPARE, 1, addrs);
	s = req("2");
	CHECK(iprange_setup_plan(&t->c, &s, &r, &e));
	assert_int_equal(r.steps[IPRS_RANGE].state, IPRS_FAILED);
	assert_int_equal(r.steps[IPRS_RANGE].err.cat, DC_E_CONFLICT);
	assert_false(panel_has_type(t, "guardvlan9"));
	assert_int_equal(iprange_setup_apply(&t->c, &s, NULL, NULL, &r, &e),
	                 -1);
	assert_int_equal(e.cat, DC_E_CONFLICT);
	assert_non_null(strstr(e.msg, "carol"));
	panel_net_type(t, IPFX_RANGE, type, sizeof(type));
	assert_string_equal(type, IPFX_SPARE);
	/* an unknown range id is not created */
	s = req("2");
	s.range = "#4242";
	CHECK(iprange_setup_plan(&t->c, &s, &r, &e));
	assert_int_equal(r.steps[IPRS_RANGE].state, IPRS_FAILED);
	assert_int_equal(r.steps[IPRS_RANGE].err.cat, DC_E_NOTFOUND);
}

static void test_setup_new_range(void **state)
{
	tfx *t = *state;
	iprange_setup s = req("1");
	iprange_setup_result r;
	char type[DC_TYPE_MAX];
	dc_err e;

	s.range = "198.51.100.0/28";
	s.gateway = "198.51.100.1";
	s.ntariffs = 0;
	CHECK(iprange_setup_apply(&t->c, &s, NULL, NULL, &r, &e));
	expect_states(&r, IPRS_DONE, IPRS_DONE, IPRS_DONE, IPRS_ALREADY);
	panel_net_type(t, "198.51.100.0/28", type, sizeof(type));
	assert_string_equal(type, "guardvlan9");
	/* the old special range kept its type */
	panel_net_type(t, IPFX_RANGE, type, sizeof(type));
	assert_string_equal(type, IPFX_SPARE);
}

/* ---- flags ------------------------------------------------------------- */

static void test_flags(void **state)
{
	tfx *t = *state;
	iprange_flag *fl = NULL;
	size_t nf = 0;
	dc_err e;

	add_special_addon(t, "nosuch", true);
	/* never fetched: cannot tell, flagged as unknown */
	CHECK(iprange_addon_flags(t->f.st, NULL, &fl, &nf, &e));
	assert_int_equal(nf, 1);
	assert_true(fl[0].unknown);
	assert_string_equal(fl[0].tariff, "DS-Small");
	assert_string_equal(fl[0].module, "dc1");
	free(fl);
	/* fetched: missing */
	CHECK(inv_fetch(t->f.st, NULL, 0, INV_IPTYPES, 0, &t->o, NULL, &e));
	CHECK(iprange_addon_flags(t->f.st, "DS-Small", &fl, &nf, &e));
	assert_int_equal(nf, 1);
	assert_false(fl[0].unknown);
	assert_string_equal(fl[0].addon, "special_ip_block_nosuch");
	assert_string_equal(fl[0].ipmgr, "ipmgr-main");
	assert_non_null(strstr(fl[0].why, "no type nosuch"));
	free(fl);
	/* the type made through dcictl: the flag goes */
	CHECK(iprange_type_add(&t->c, "nosuch", NULL, &e));
	CHECK(iprange_addon_flags(t->f.st, NULL, &fl, &nf, &e));
	assert_int_equal(nf, 0);
	free(fl);
	/* deleted behind dcictl's back: the cache says nothing until the
	 * types are asked again */
	CHECK(ipm_type_delete(t->c.ipm, "nosuch", &e));
	CHECK(iprange_addon_flags(t->f.st, NULL, &fl, &nf, &e));
	assert_int_equal(nf, 0);
	free(fl);
	CHECK(iprange_flags_refresh(t->f.st, NULL, &t->o, 0, &e));
	CHECK(iprange_addon_flags(t->f.st, NULL, &fl, &nf, &e));
	assert_int_equal(nf, 1);
	free(fl);
	/* a refresh within the age asks nobody (the flag stays) */
	CHECK(ipm_type_create(t->c.ipm, "nosuch", "", &e));
	CHECK(iprange_flags_refresh(t->f.st, NULL, &t->o, 3600000, &e));
	CHECK(iprange_addon_flags(t->f.st, NULL, &fl, &nf, &e));
	assert_int_equal(nf, 1);
	free(fl);
	/* reading the types on the IP screen notices the difference */
	iprange_view v;
	CHECK(iprange_load(&t->c, IPR_TYPES, NULL, &v, &e));
	iprange_view_free(&v);
	CHECK(iprange_addon_flags(t->f.st, NULL, &fl, &nf, &e));
	assert_int_equal(nf, 0);
	free(fl);
	assert_int_equal(iprange_addon_flags(t->f.st, "DS-Nope", &fl, &nf, &e),
	                 -1);
	assert_int_equal(e.cat, DC_E_NOTFOUND);
}

static void test_open_picks_connection(void **state)
{
	tfx *t = *state;
	iprange_ctx c2;
	dc_conn c = {0};
	dc_err e;

	assert_int_equal(iprange_open(&c2, t->f.st, "nope", NULL, &e), -1);
	assert_string_equal(e.field, "ipmgr");
	snprintf(c.name, sizeof(c.name), "ipmgr-two");
	snprintf(c.url, sizeof(c.url), "%s", t->f.sim.ipmgr);
	snprintf(c.username, sizeof(c.username), "admin");
	CHECK(ipmgr_add(t->f.st, &c, "admin", &e));
	/* two connections: the name is needed */
	assert_int_equal(iprange_open(&c2, t->f.st, NULL, NULL, &e), -1);
	assert_string_equal(e.field, "ipmgr");
	assert_non_null(strstr(e.msg, "ipmgr-two"));
	CHECK(iprange_open(&c2, t->f.st, "ipmgr-two", NULL, &e));
	assert_string_equal(c2.conn.name, "ipmgr-two");
	iprange_close(&c2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_net_contains),
	    cmocka_unit_test_setup_teardown(test_view_matches_truth, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_guard_type_delete, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_guard_range_held, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_markers_not_holders, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_find_service, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_setup_from_nothing, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(
	        test_setup_fails_midway_then_finishes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_setup_refusals_change_nothing,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_setup_new_range, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_flags, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_open_picks_connection, setup,
	                                    teardown),
	};
	dc_err e;
	int rc;

	if (panel_lib_init(&e) < 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	panel_lib_cleanup();
	return rc;
}
