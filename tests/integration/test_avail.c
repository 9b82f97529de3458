/* test_avail.c - availability against dcisim: the counts equal the
 * simulator's own for every type and location, follow servers taken and
 * released behind dcictl's back once refreshed (the age telling how old
 * the shown count is), the sorting rule picks the lower module while it
 * has free servers and the next one after, the RAM add-on leaves smaller
 * servers out, and a panel that fails is shown as such. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define FX_FAIL(...) fail_msg(__VA_ARGS__)
#include "test_tariff_fixture.h"

#include "avail.h"
#include "inventory.h"

static fx_world w;
static inv_opts opts;

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

static int setup(void **state)
{
	const char *args[] = {"--locations",
	                      "2",
	                      "--servers",
	                      "300",
	                      "--busy-fraction",
	                      "0.3",
	                      "--flagged-fraction",
	                      "0.1",
	                      "--seed",
	                      "7",
	                      NULL};
	dc_err e;
	if (panel_lib_init(&e) < 0)
		return -1;
	if (fx_world_start(&w, args) < 0)
		return -1;
	inv_opts_init(&opts, NULL, NULL);
	opts.timeout_ms = 30000;
	return 0;
}

static int teardown(void **state)
{
	fx_world_stop(&w);
	panel_lib_cleanup();
	return 0;
}

/* A tariff of type on the given modules (by 1-based location). */
static dc_tariff mk_tariff(const char *name, const char *type, int m1, int m2)
{
	dc_tariff t;
	memset(&t, 0, sizeof(t));
	snprintf(t.name, sizeof(t.name), "%s", name);
	snprintf(t.server_type, sizeof(t.server_type), "%s", type);
	t.enabled = true;
	t.modules[t.nmodules++] = w.module_id[m1 - 1];
	if (m2)
		t.modules[t.nmodules++] = w.module_id[m2 - 1];
	return t;
}

static void refresh_all(size_t expect_asked)
{
	size_t asked = 0;
	CHECK(avail_refresh(w.st, NULL, 0, 0, &opts, &asked, &e_));
	assert_int_equal(asked, expect_asked);
}

static void test_counts_equal_truth(void **state)
{
	char types[8][64];
	size_t nt = fx_types(&w, types, 8);
	assert_true(nt >= 3);
	refresh_all(2);

	inv_module *m = NULL;
	size_t nm = 0;
	CHECK(inv_load(w.st, NULL, 0, &m, &nm, &e_));
	assert_int_equal(nm, 2);
	for (int dc = 1; dc <= 2; dc++) {
		const inv_module *im = inv_find(m, nm, w.module_id[dc - 1]);
		assert_non_null(im);
		assert_true(im->servers.at > 0);
		assert_string_equal(im->servers.error, "");
		const char *have[8];
		assert_int_equal(inv_types(im, have, 8), nt);
		for (size_t i = 0; i < nt; i++) {
			long total, freen;
			fx_truth(&w, dc, types[i], &total, &freen);
			assert_true(total > 0);
			assert_int_equal(inv_total(im, types[i]), total);
			assert_int_equal(inv_free(im, types[i], 0), freen);
		}
	}
	inv_modules_free(m, nm);

	/* The same numbers through a tariff on both modules. */
	for (size_t i = 0; i < nt; i++) {
		dc_tariff t = mk_tariff("T", types[i], 1, 2);
		avail_result r;
		long t1, f1, t2, f2;
		CHECK(avail_tariff(w.st, &t, inv_now_ms(), &r, &e_));
		fx_truth(&w, 1, types[i], &t1, &f1);
		fx_truth(&w, 2, types[i], &t2, &f2);
		assert_int_equal(r.n, 2);
		assert_int_equal(r.m[0].free, f1);
		assert_int_equal(r.m[1].free, f2);
		assert_int_equal(r.m[0].servers, t1);
		assert_int_equal(r.a.total, f1 + f2);
		assert_int_equal(r.a.orderable, f1 + f2 > 0);
	}
}

static void test_behind_back(void **state)
{
	dc_tariff t = mk_tariff("T", "ds-small", 1, 0);
	avail_result r;
	long total, before, now;
	refresh_all(2);
	int64_t t0 = inv_now_ms();
	CHECK(avail_tariff(w.st, &t, t0, &r, &e_));
	fx_truth(&w, 1, "ds-small", &total, &before);
	assert_int_equal(r.m[0].free, before);
	int64_t counted_at = r.m[0].counted_at;

	long ids[3];
	assert_int_equal(fx_server_ids(&w, 1, "ds-small", true, ids, 3), 3);
	for (int i = 0; i < 3; i++)
		fx_take(&w, 1, ids[i]);
	fx_truth(&w, 1, "ds-small", &total, &now);
	assert_int_equal(now, before - 3);

	/* Not refreshed: the old count, and the age says how old it is. */
	CHECK(avail_tariff(w.st, &t, counted_at + 7000, &r, &e_));
	assert_int_equal(r.m[0].free, before);
	assert_int_equal(r.m[0].age_s, 7);
	assert_int_equal(r.a.oldest_age, 7);

	/* A refresh bounded by a long interval asks nobody... */
	size_t asked = 9;
	CHECK(avail_refresh(w.st, NULL, 0, 3600000, &opts, &asked, &e_));
	assert_int_equal(asked, 0);
	/* ...until the module's count is invalidated (an order was
	 * opened or closed there). */
	CHECK(avail_invalidate(w.st, w.module_id[0], &e_));
	CHECK(avail_tariff(w.st, &t, inv_now_ms(), &r, &e_));
	assert_true(r.m[0].stale);
	assert_int_equal(r.m[0].free, before);
	CHECK(avail_refresh(w.st, NULL, 0, 3600000, &opts, &asked, &e_));
	assert_int_equal(asked, 1);
	CHECK(avail_tariff(w.st, &t, inv_now_ms(), &r, &e_));
	assert_false(r.m[0].stale);
	assert_int_equal(r.m[0].free, now);
	assert_true(r.m[0].counted_at >= counted_at);

	for (int i = 0; i < 3; i++)
		fx_release(&w, 1, ids[i]);
	refresh_all(2);
	CHECK(avail_tariff(w.st, &t, inv_now_ms(), &r, &e_));
	fx_truth(&w, 1, "ds-small", &total, &now);
	assert_int_equal(now, before);
	assert_int_equal(r.m[0].free, before);
	assert_true(r.m[0].age_s <= 1);
}

static void set_sorting(int dc, int64_t sorting)
{
	dc_module m;
	CHECK(module_get(w.st, w.module_id[dc - 1], &m, &e_));
	m.sorting = sorting;
	CHECK(module_update(w.st, &m, NULL, &e_));
}

static size_t take_all_free(int dc, const char *type, long *ids, size_t max)
{
	size_t n = fx_server_ids(&w, dc, type, true, ids, max);
	for (size_t i = 0; i < n; i++)
		fx_take(&w, dc, ids[i]);
	return n;
}

static void test_pick_by_sorting(void **state)
{
	dc_tariff t = mk_tariff("T", "ds-large", 1, 2);
	avail_result r;
	refresh_all(2);
	CHECK(avail_tariff(w.st, &t, inv_now_ms(), &r, &e_));
	assert_true(r.m[0].free > 0 && r.m[1].free > 0);
	assert_int_equal(r.a.picked, 0); /* dc1: sorting 10 < 20 */

	/* Sorting, not the order in the tariff, decides. */
	set_sorting(1, 30);
	CHECK(avail_tariff(w.st, &t, inv_now_ms(), &r, &e_));
	assert_int_equal(r.a.picked, 1);
	set_sorting(1, 10);

	static long taken1[400], taken2[400];
	size_t n1 = take_all_free(1, "ds-large", taken1, 400);
	assert_true(n1 > 0);
	refresh_all(2);
	CHECK(avail_tariff(w.st, &t, inv_now_ms(), &r, &e_));
	assert_int_equal(r.m[0].free, 0);
	assert_true(r.m[1].free > 0);
	assert_int_equal(r.a.picked, 1); /* dc1 ran out: the next one */
	assert_true(r.a.orderable);
	assert_int_equal(r.a.total, r.m[1].free);

	size_t n2 = take_all_free(2, "ds-large", taken2, 400);
	assert_true(n2 > 0);
	refresh_all(2);
	CHECK(avail_tariff(w.st, &t, inv_now_ms(), &r, &e_));
	assert_int_equal(r.a.total, 0);
	assert_int_equal(r.a.picked, -1);
	assert_false(r.a.orderable);
	assert_non_null(strstr(r.a.reason, "no free server of type ds-large"));

	/* One server back on dc2 only: dc2 is picked although its sorting
	 * is the higher one. */
	fx_release(&w, 2, taken2[0]);
	refresh_all(2);
	CHECK(avail_tariff(w.st, &t, inv_now_ms(), &r, &e_));
	assert_int_equal(r.a.picked, 1);
	assert_int_equal(r.a.total, 1);

	for (size_t i = 0; i < n1; i++)
		fx_release(&w, 1, taken1[i]);
	for (size_t i = 1; i < n2; i++)
		fx_release(&w, 2, taken2[i]);
	refresh_all(2);
	CHECK(avail_tariff(w.st, &t, inv_now_ms(), &r, &e_));
	assert_int_equal(r.a.picked, 0);
}

static void test_ram_floor(void **state)
{
	dc_addon a;
	memset(&a, 0, sizeof(a));
	snprintf(a.name, sizeof(a.name), "ram_big");
	snprintf(a.kind, sizeof(a.kind), "ram");
	CHECK(model_addon_values_parse(DC_ADDON_RAM, DC_BILL_CLIENT,
	                               "32768,16384", NULL, &a.v, &e_));
	CHECK(addon_add(w.st, &a, &e_));
	dc_tariff t = mk_tariff("RamTariff", "ds-small", 1, 0);
	t.addons[t.naddons++].addon_id = a.id;
	CHECK(tariff_add(w.st, &t, &e_));

	/* Ground truth: every ds-small server of dc1 asked one by one. */
	static long ids[400];
	size_t n = fx_server_ids(&w, 1, "ds-small", false, ids, 400);
	long all_free = 0, big_free = 0;
	for (size_t i = 0; i < n; i++) {
		long ram;
		bool fr;
		fx_server_truth(&w, 1, ids[i], &ram, &fr);
		all_free += fr;
		big_free += fr && ram >= 16384;
	}
	assert_true(big_free > 0);
	assert_true(big_free < all_free); /* the floor leaves some out */

	refresh_all(2);
	avail_result r;
	CHECK(avail_tariff(w.st, &t, inv_now_ms(), &r, &e_));
	assert_int_equal(r.min_ram, 16384);
	assert_int_equal(r.m[0].free, big_free);

	/* The list of every tariff says the same. */
	avail_result *all = NULL;
	size_t nall = 0;
	CHECK(avail_tariffs(w.st, inv_now_ms(), &all, &nall, &e_));
	bool seen = false;
	for (size_t i = 0; i < nall; i++)
		if (!strcmp(all[i].t.name, "RamTariff")) {
			seen = true;
			assert_int_equal(all[i].m[0].free, big_free);
		}
	assert_true(seen);
	free(all);

	/* A range add-on: its minimum is the floor. */
	CHECK(model_addon_values_parse(DC_ADDON_RAM, DC_BILL_CLIENT, NULL,
	                               "8192..65536", &a.v, &e_));
	CHECK(addon_update(w.st, &a, &e_));
	long mid_free = 0;
	for (size_t i = 0; i < n; i++) {
		long ram;
		bool fr;
		fx_server_truth(&w, 1, ids[i], &ram, &fr);
		mid_free += fr && ram >= 8192;
	}
	CHECK(avail_tariff(w.st, &t, inv_now_ms(), &r, &e_));
	assert_int_equal(r.min_ram, 8192);
	assert_int_equal(r.m[0].free, mid_free);

	CHECK(tariff_delete(w.st, t.id, &e_));
	CHECK(addon_delete(w.st, a.id, &e_));
}

static void test_failure_is_shown(void **state)
{
	dc_tariff t = mk_tariff("T", "ds-medium", 2, 0);
	avail_result r;
	refresh_all(2);
	CHECK(avail_tariff(w.st, &t, inv_now_ms(), &r, &e_));
	long good = r.m[0].free;
	assert_true(good > 0);
	assert_true(r.a.orderable);

	xml_doc_free(fx_ctl(&w, "func=fault.set&target=dc2&func_name=server&"
	                        "kind=error&arg=access&count=-1"));
	refresh_all(2);
	CHECK(avail_tariff(w.st, &t, inv_now_ms(), &r, &e_));
	assert_true(r.m[0].have_count); /* the old count is still shown */
	assert_false(r.m[0].usable);
	assert_int_equal(r.m[0].free, good);
	assert_true(strlen(r.m[0].error) > 0);
	assert_false(r.a.orderable);
	assert_non_null(strstr(r.a.reason, "count failed on dc2"));

	xml_doc_free(fx_ctl(&w, "func=fault.clear"));
	refresh_all(2);
	CHECK(avail_tariff(w.st, &t, inv_now_ms(), &r, &e_));
	assert_true(r.m[0].usable);
	assert_string_equal(r.m[0].error, "");
	assert_true(r.a.orderable);
}

static void test_new_url_forgets_counts(void **state)
{
	dc_module m;
	refresh_all(2);
	CHECK(module_get(w.st, w.module_id[1], &m, &e_));
	char old[DC_URL_MAX];
	snprintf(old, sizeof(old), "%s", m.url);
	snprintf(m.url, sizeof(m.url), "%s", w.sim.dcimgr[0]);
	CHECK(module_update(w.st, &m, NULL, &e_));

	dc_tariff t = mk_tariff("T", "ds-small", 2, 0);
	avail_result r;
	CHECK(avail_tariff(w.st, &t, inv_now_ms(), &r, &e_));
	assert_false(r.m[0].have_count);
	assert_int_equal(r.m[0].age_s, -1);
	assert_false(r.a.orderable);
	assert_non_null(strstr(r.a.reason, "not counted yet"));

	/* Counted again from the new panel: dc1's numbers now. */
	refresh_all(2);
	long total, freen;
	fx_truth(&w, 1, "ds-small", &total, &freen);
	CHECK(avail_tariff(w.st, &t, inv_now_ms(), &r, &e_));
	assert_int_equal(r.m[0].free, freen);

	snprintf(m.url, sizeof(m.url), "%s", old);
	CHECK(module_update(w.st, &m, NULL, &e_));
	refresh_all(2);
}

static void test_disabled_and_cancel(void **state)
{
	/* A disabled module is not asked by a refresh of "every module"
	 * and does not make a tariff orderable. */
	CHECK(module_set_enabled(w.st, w.module_id[1], false, &e_));
	refresh_all(1);
	dc_tariff t = mk_tariff("T", "ds-small", 2, 0);
	avail_result r;
	CHECK(avail_tariff(w.st, &t, inv_now_ms(), &r, &e_));
	assert_false(r.a.orderable);
	assert_non_null(strstr(r.a.reason, "disabled"));
	CHECK(module_set_enabled(w.st, w.module_id[1], true, &e_));

	/* Cancelled before it starts: nobody is asked. */
	volatile int stop = 1;
	inv_opts o = opts;
	o.cancel = &stop;
	dc_err e;
	size_t asked = 9;
	assert_int_equal(avail_refresh(w.st, NULL, 0, 0, &o, &asked, &e), -1);
	assert_int_equal(e.cat, DC_E_CANCELLED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_counts_equal_truth),
	    cmocka_unit_test(test_behind_back),
	    cmocka_unit_test(test_pick_by_sorting),
	    cmocka_unit_test(test_ram_floor),
	    cmocka_unit_test(test_failure_is_shown),
	    cmocka_unit_test(test_new_url_forgets_counts),
	    cmocka_unit_test(test_disabled_and_cancel),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
