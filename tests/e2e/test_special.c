/* test_special.c - special IP ranges on screen at 80x24, against dcisim:
 * the guided set-up walked from a simulator without the type, with the
 * range step failing (a fault injected on ipnet.edit) so that the result
 * shows the type done and the rest not run, then a re-run from the same
 * screen that finishes it; the IP screen showing a service's special
 * addresses against that service and refusing (through the : line) to
 * retype their range; --read-only refusing the apply. The store and the
 * panel are read back directly. */
#include "vt.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#define IPFX_FAIL(...) fail_msg(__VA_ARGS__)
#include "../integration/test_ip_fixture.h"

#include "engine.h"
#include "ipm.h"
#include "iprange.h"
#include "service.h"

#define TMO 20000

typedef struct efx {
	ipfx f;
	char cfgenv[700];
	vt *v;
} efx;

static int setup(void **state)
{
	static const char *const args[] = {"--flagged-fraction", "0",
	                                   "--switch-seconds", "0", NULL};
	efx *x = calloc(1, sizeof(*x));

	if (!x || ipfx_start(&x->f, args) < 0)
		return -1;
	snprintf(x->cfgenv, sizeof(x->cfgenv), "DCICTL_CONFIG=%s", x->f.config);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	efx *x = *state;

	if (x->v)
		vt_stop(x->v, 3000);
	ipfx_stop(&x->f);
	free(x);
	return 0;
}

static vt *start_at(efx *x, int rows, int cols, const char *const *args,
                    const char *extra_env1, const char *extra_env2)
{
	const char *env[] = {x->cfgenv, extra_env1, extra_env2, NULL};

	assert_int_equal(vt_start(&x->v, rows, cols, args, env), 0);
	return x->v;
}

static vt *start(efx *x, const char *const *args)
{
	return start_at(x, 24, 80, args, NULL, NULL);
}

#define EXPECT(v, t)                                                           \
	do {                                                                   \
		if (!vt_wait_text((v), (t), TMO)) {                            \
			vt_dump_named((v), __func__);                          \
			fail_msg("screen never showed '%s'", (t));             \
		}                                                              \
	} while (0)

static void quit_ok(efx *x)
{
	int code = -1;

	vt_send(x->v, "Q");
	if (!vt_wait_exit(x->v, TMO, &code)) {
		vt_dump_named(x->v, "quit");
		fail_msg("dcictl did not quit");
	}
	assert_int_equal(code, 0);
	vt_stop(x->v, 1000);
	x->v = NULL;
}

/* The panel as it is now, through a handle of the test's own. */
static void panel_state(efx *x, bool *has_type, char *range_type, size_t len)
{
	iprange_ctx c;
	ipm_types *tl = NULL;
	ipm_nets *nl = NULL;
	const ipm_net *n;
	dc_err e;

	if (iprange_open(&c, x->f.st, NULL, NULL, &e) < 0 ||
	    ipm_type_list(c.ipm, &tl, &e) < 0 ||
	    ipm_net_list(c.ipm, &nl, &e) < 0)
		fail_msg("panel: %s", e.msg);
	*has_type = ipm_type_find(tl, "guardvlan9") != NULL;
	n = iprange_net_find(nl, IPFX_RANGE);
	assert_non_null(n);
	snprintf(range_type, len, "%s", n->iptype);
	ipm_types_free(tl);
	ipm_nets_free(nl);
	iprange_close(&c);
}

static bool tariff_has_special(efx *x)
{
	dc_tariff t;
	dc_addon a;
	dc_err e;

	if (addon_get_by_name(x->f.st, "special_ip_block_guardvlan9", &a, &e))
		return false;
	if (tariff_get(x->f.st, x->f.tariff_id, &t, &e))
		fail_msg("tariff_get: %s", e.msg);
	for (size_t i = 0; i < t.naddons; i++)
		if (t.addons[i].addon_id == a.id)
			return true;
	return false;
}

/* From the IP screen to the wizard's summary: a new type guardvlan9, the
 * spare range, two addresses not charged, tariff DS-Small. */
static void walk_to_summary(vt *v)
{
	vt_send(v, "i");
	EXPECT(v, "[1 Types]");
	EXPECT(v, "spare");
	vt_send(v, "S");
	EXPECT(v, "Step 1: the special address type");
	EXPECT(v, "+ new type");
	vt_send(v, "n");
	EXPECT(v, "New type *:");
	vt_send(v, "guardvlan9");
	vt_key(v, VTERM_KEY_ENTER); /* to the note */
	vt_key(v, VTERM_KEY_ENTER); /* to OK */
	vt_key(v, VTERM_KEY_ENTER); /* OK */
	EXPECT(v, "Step 2: the range that gets type guardvlan9");
	EXPECT(v, "1 type:guardvlan9");
	vt_send(v, "/192.168.9");
	vt_key(v, VTERM_KEY_ENTER); /* keep the filter */
	EXPECT(v, "spare");
	vt_key(v, VTERM_KEY_ENTER); /* pick the range */
	EXPECT(v, "does not exist yet");
	EXPECT(v, "2 range:192.168.9.0/24");
	vt_key(v, VTERM_KEY_ENTER);
	EXPECT(v, "Step 4: billing, values");
	EXPECT(v, "DS-Small:");
	vt_key(v, VTERM_KEY_DOWN); /* values */
	vt_send(v, "2");
	vt_key(v, VTERM_KEY_DOWN); /* DS-Small */
	vt_send(v, " ");
	vt_key(v, VTERM_KEY_DOWN); /* OK */
	vt_key(v, VTERM_KEY_ENTER);
	EXPECT(v, "Summary: what each step will do");
	EXPECT(v, "step type: will do");
	EXPECT(v, "step tariffs: will do");
}

static void test_wizard_fails_then_finishes(void **state)
{
	efx *x = *state;
	vt *v = start(x, NULL);
	bool has_type;
	char rtype[DC_TYPE_MAX];

	EXPECT(v, "Special IP ranges");
	EXPECT(v, "no special IP add-on in any tariff");
	walk_to_summary(v);
	/* the plan changed nothing */
	panel_state(x, &has_type, rtype, sizeof(rtype));
	assert_false(has_type);

	/* the range step fails in the middle of the apply */
	ipfx_fault(&x->f, "ipnet.edit", "value", 1);
	vt_key(v, VTERM_KEY_ENTER);
	EXPECT(v, "step range: FAILED");
	EXPECT(v, "step type: done");
	EXPECT(v, "step add-on: not run");
	EXPECT(v, "step tariffs: not run");
	EXPECT(v, "simulated value error");
	EXPECT(v, "Enter: run the set-up again");
	/* the type stays; the rest did not happen */
	panel_state(x, &has_type, rtype, sizeof(rtype));
	assert_true(has_type);
	assert_string_equal(rtype, IPFX_SPARE);
	assert_false(tariff_has_special(x));

	/* the re-run skips what is done and finishes */
	vt_key(v, VTERM_KEY_ENTER);
	EXPECT(v, "Result (run again):");
	EXPECT(v, "step type: already done");
	EXPECT(v, "step range: done");
	EXPECT(v, "step add-on: done");
	EXPECT(v, "step tariffs: done");
	EXPECT(v, "Done. Enter or Esc: close");
	panel_state(x, &has_type, rtype, sizeof(rtype));
	assert_string_equal(rtype, "guardvlan9");
	assert_true(tariff_has_special(x));

	/* back on the IP screen, the type shows its add-on */
	vt_key(v, VTERM_KEY_ENTER);
	EXPECT(v, "[1 Types]");
	EXPECT(v, "special_ip_");
	quit_ok(x);
}

/* A larger terminal, LANG=C (ASCII drawing) and NO_COLOR: the same walk
 * reads the same and applies. */
static void test_wizard_large_ascii_mono(void **state)
{
	efx *x = *state;
	vt *v = start_at(x, 40, 120, NULL, "LANG=C", "NO_COLOR=1");

	walk_to_summary(v);
	vt_key(v, VTERM_KEY_ENTER);
	EXPECT(v, "step type: done");
	EXPECT(v, "step range: done");
	EXPECT(v, "step add-on: done");
	EXPECT(v, "step tariffs: done");
	assert_false(vt_any_color(v));
	assert_true(tariff_has_special(x));
	quit_ok(x);
}

static void test_read_only_refuses_apply(void **state)
{
	efx *x = *state;
	const char *args[] = {"--read-only", NULL};
	vt *v = start(x, args);
	bool has_type;
	char rtype[DC_TYPE_MAX];

	walk_to_summary(v);
	vt_key(v, VTERM_KEY_ENTER);
	EXPECT(v, "read-only");
	panel_state(x, &has_type, rtype, sizeof(rtype));
	assert_false(has_type);
	assert_string_equal(rtype, IPFX_SPARE);
	assert_false(tariff_has_special(x));
	quit_ok(x);
}

/* A service holding special addresses, opened by the engine in this
 * process on the same store (dcictl shows what another process did). */
static int64_t open_service(efx *x, engine **gp)
{
	static const char *const tariffs[] = {"DS-Small"};
	iprange_setup s = {.iptype = "guardvlan9",
	                   .range = IPFX_RANGE,
	                   .tariffs = tariffs,
	                   .ntariffs = 1,
	                   .billing = DC_BILL_NONE,
	                   .values = "2"};
	iprange_setup_result r;
	iprange_ctx c;
	engine_opts eo;
	engine_open_req req = {.tariff = "DS-Small", .client = "acme"};
	dc_addon os;
	dc_tariff t;
	int64_t sid = 0, op = 0;
	dc_err e;

	memset(&os, 0, sizeof(os));
	snprintf(os.name, sizeof(os.name), "os");
	snprintf(os.kind, sizeof(os.kind), "os");
	os.v.billing = DC_BILL_INCLUDED;
	snprintf(os.v.value, sizeof(os.v.value), "Debian-12-amd64");
	if (addon_add(x->f.st, &os, &e) ||
	    tariff_get(x->f.st, x->f.tariff_id, &t, &e))
		fail_msg("store: %s", e.msg);
	t.addons[t.naddons++] = (dc_tariff_addon){.addon_id = os.id};
	if (tariff_update(x->f.st, &t, &e) ||
	    iprange_open(&c, x->f.st, NULL, NULL, &e) ||
	    iprange_setup_apply(&c, &s, NULL, NULL, &r, &e))
		fail_msg("set-up: %s", e.msg);
	iprange_close(&c);
	engine_opts_default(&eo);
	eo.poll_ms = 5;
	eo.claim_settle_ms = 0;
	eo.backoff_ms = 1;
	if (!(*gp = engine_new(x->f.st, &eo, &e)) ||
	    engine_open(*gp, &req, &sid, &op, &e) || engine_run(*gp, op, &e))
		fail_msg("open: %s", e.msg);
	return sid;
}

static void test_ip_screen_shows_service(void **state)
{
	efx *x = *state;
	engine *g = NULL;
	int64_t sid = open_service(x, &g), cop = 0;
	char line[128];
	bool has_type;
	char rtype[DC_TYPE_MAX];
	vt *v;
	dc_err e;

	assert_int_equal(ipfx_used(&x->f, "guardvlan9"), 2);
	v = start(x, NULL);
	EXPECT(v, "Special IP ranges");
	snprintf(line, sizeof(line), ":ipaddr list --service %lld\n",
	         (long long)sid);
	vt_send(v, line);
	EXPECT(v, "[3 Addresses]");
	snprintf(line, sizeof(line), "only service %lld", (long long)sid);
	EXPECT(v, line);
	EXPECT(v, "192.168.9.");
	EXPECT(v, "special");
	EXPECT(v, "acme");
	EXPECT(v, "main");
	/* the range tab counts them as held */
	vt_send(v, "2");
	EXPECT(v, "[2 Ranges]");
	vt_send(v, "/192.168.9");
	vt_key(v, VTERM_KEY_ENTER);
	EXPECT(v, "guardvlan9");
	/* a change of the range's type is refused naming the service */
	vt_send(v, ":iprange edit 192.168.9.0/24 --type spare\n");
	EXPECT(v, "refused");
	EXPECT(v, "acme");
	panel_state(x, &has_type, rtype, sizeof(rtype));
	assert_string_equal(rtype, "guardvlan9");

	/* closing the service gives the addresses back */
	if (engine_start(g, OPK_CLOSE, sid, NULL, &cop, &e) ||
	    engine_run(g, cop, &e))
		fail_msg("close: %s", e.msg);
	engine_free(g);
	assert_int_equal(ipfx_used(&x->f, "guardvlan9"), 0);
	vt_send(v, "3");
	EXPECT(v, "[3 Addresses]");
	vt_send(v, "r");
	EXPECT(v, "no allocated address matches");
	quit_ok(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_wizard_fails_then_finishes,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wizard_large_ascii_mono, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_read_only_refuses_apply, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_ip_screen_shows_service, setup,
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
