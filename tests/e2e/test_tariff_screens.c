/* test_tariff_screens.c - the tariff screens at 80x24 against dcisim, as
 * an operator uses them: a tariff with add-ons (one with the tariff's own
 * billing) made through the form and found in the store as typed; a
 * duplicate name refused beside its field; the dashboard showing a tariff
 * turn not orderable, with the reason, once the simulator's last free
 * server of its type is taken behind dcictl's back; the Servers screen
 * filtered by type and state, and g opening the selected server's
 * graphs; Tab completing record names on the : line; a tariff whose
 * special IP type is missing flagged on the Tariffs screen. */
#include "vt.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define FX_FAIL(...) fail_msg(__VA_ARGS__)
#include "../integration/test_tariff_fixture.h"

#define TMO 20000

static fx_world w;
static char cfgenv[800];

#define EXPECT(v, t)                                                           \
	do {                                                                   \
		if (!vt_wait_text((v), (t), TMO)) {                            \
			vt_dump_named((v), __func__);                          \
			fail_msg("screen never showed '%s'", (t));             \
		}                                                              \
	} while (0)

#define EXPECT_GONE(v, t)                                                      \
	do {                                                                   \
		if (!vt_wait_gone((v), (t), TMO)) {                            \
			vt_dump_named((v), __func__);                          \
			fail_msg("screen still shows '%s'", (t));              \
		}                                                              \
	} while (0)

static void add_addon(const char *name, dc_addon_kind kind, dc_billing b,
                      const char *values, const char *range)
{
	dc_addon ad;
	dc_err e;
	memset(&ad, 0, sizeof(ad));
	snprintf(ad.name, sizeof(ad.name), "%s", name);
	snprintf(ad.kind, sizeof(ad.kind), "%s", model_addon_kind_name(kind));
	if (model_addon_values_parse(kind, b, values, range, &ad.v, &e) < 0 ||
	    addon_add(w.st, &ad, &e) < 0)
		fail_msg("add-on %s: %s", name, e.msg);
}

static int setup(void **state)
{
	const char *args[] = {"--locations", "2", "--servers", "120",
	                      "--seed",      "5", NULL};
	dc_err e;
	char path[700];
	if (panel_lib_init(&e) < 0 || fx_world_start(&w, args) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/config", w.dir);
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	/* Live views every half second; counts renewed every second, so
	 * the dashboard follows the simulator within a few seconds. */
	fprintf(f,
	        "store = \"%s\";\nrefresh = \"500ms\";\n"
	        "availability_refresh = 1;\n",
	        w.store_path);
	fclose(f);
	chmod(path, 0600);
	snprintf(cfgenv, sizeof(cfgenv), "DCICTL_CONFIG=%s", path);
	return 0;
}

static int teardown(void **state)
{
	fx_world_stop(&w);
	panel_lib_cleanup();
	return 0;
}

static vt *start(void)
{
	const char *env[] = {cfgenv, NULL};
	vt *v = NULL;
	assert_int_equal(vt_start(&v, 24, 80, NULL, env), 0);
	EXPECT(v, "Dashboard");
	return v;
}

static void quit(vt *v)
{
	int code = -1;
	vt_send(v, "Q");
	if (!vt_wait_exit(v, TMO, &code)) {
		vt_dump_named(v, "quit");
		fail_msg("dcictl did not quit");
	}
	/* Under the sanitizers a leak or an error shows as a failed exit. */
	assert_int_equal(code, 0);
	vt_stop(v, 1000);
}

static void tab(vt *v, int n)
{
	for (int i = 0; i < n; i++)
		vt_key(v, VTERM_KEY_TAB);
}

static void test_form_creates_tariff(void **state)
{
	add_addon("ipv4", DC_ADDON_IPV4_PUBLIC, DC_BILL_CLIENT, NULL, "0..8");
	add_addon("ram", DC_ADDON_RAM, DC_BILL_CLIENT, "8192,16384,32768",
	          NULL);
	vt *v = start();
	vt_send(v, "t");
	EXPECT(v, "No tariffs yet");
	vt_send(v, "a");
	EXPECT(v, "Server type");
	EXPECT(v, "add-on ram");
	/* name, type (first: ds-large), enabled, dc1, dc2, ipv4, ram,
	 * own billing, OK */
	vt_send(v, "Web-1");
	tab(v, 5);
	vt_send(v, " "); /* ipv4 */
	tab(v, 1);
	vt_send(v, " "); /* ram */
	tab(v, 1);
	vt_send(v, "ram=client:16384,32768");
	tab(v, 1);
	vt_key(v, VTERM_KEY_ENTER);
	EXPECT(v, "tariff Web-1 added");
	EXPECT(v, "Web-1");

	dc_tariff t;
	dc_addon ad[DC_TARIFF_ADDONS_MAX];
	dc_err e;
	assert_int_equal(tariff_get_by_name(w.st, "Web-1", &t, &e), 0);
	assert_string_equal(t.server_type, "ds-large");
	assert_true(t.enabled);
	assert_int_equal(t.nmodules, 2);
	assert_int_equal(t.naddons, 2);
	assert_int_equal(tariff_resolve_addons(w.st, &t, ad, &e), 0);
	assert_string_equal(ad[0].name, "ipv4");
	assert_false(t.addons[0].override);
	assert_string_equal(ad[1].name, "ram");
	assert_true(t.addons[1].override);
	assert_string_equal(t.addons[1].v.list, "16384,32768");

	/* The same name again: refused beside the field, nothing saved. */
	vt_send(v, "a");
	EXPECT(v, "Server type");
	EXPECT(v, "add-on ram");
	vt_send(v, "Web-1");
	tab(v, 8);
	vt_key(v, VTERM_KEY_ENTER);
	EXPECT(v, "already exists");
	EXPECT(v, "not saved");
	vt_key(v, VTERM_KEY_ESCAPE);
	EXPECT(v, "Web-1");
	dc_tariff *all = NULL;
	size_t n = 0;
	assert_int_equal(tariff_list(w.st, &all, &n, &e), 0);
	assert_int_equal(n, 1);
	free(all);
	quit(v);
}

static void test_dashboard_turns_not_orderable(void **state)
{
	/* ds-medium on dc2 with exactly one free server left. */
	static long ids[200];
	size_t n = fx_server_ids(&w, 2, "ds-medium", true, ids, 200);
	assert_true(n >= 2);
	for (size_t i = 1; i < n; i++)
		fx_take(&w, 2, ids[i]);
	long total, freen;
	fx_truth(&w, 2, "ds-medium", &total, &freen);
	assert_int_equal(freen, 1);

	dc_tariff t;
	dc_err e;
	memset(&t, 0, sizeof(t));
	snprintf(t.name, sizeof(t.name), "Last-1");
	snprintf(t.server_type, sizeof(t.server_type), "ds-medium");
	t.enabled = true;
	t.modules[t.nmodules++] = w.module_id[1];
	assert_int_equal(tariff_add(w.st, &t, &e), 0);

	vt *v = start();
	EXPECT(v, "Last-1");
	int row, col;
	char line[400];
	assert_true(vt_find(v, "Last-1", &row, &col));
	/* Wait for the row to show its count: one free, orderable. */
	for (int i = 0; i < 100; i++) {
		vt_find(v, "Last-1", &row, &col);
		vt_row_text(v, row, line, sizeof(line));
		if (strstr(line, "dc2:1") && strstr(line, "yes"))
			break;
		vt_pump(v, 200);
	}
	if (!strstr(line, "dc2:1") || !strstr(line, "yes")) {
		vt_dump_named(v, "orderable");
		fail_msg("Last-1 never showed as orderable: %s", line);
	}

	fx_take(&w, 2, ids[0]); /* the last one, behind dcictl's back */
	/* At 80 columns the dashboard cuts the reason; the Tariffs screen
	 * says it whole. */
	EXPECT(v, "NO: no free server");
	vt_find(v, "Last-1", &row, &col);
	vt_row_text(v, row, line, sizeof(line));
	assert_non_null(strstr(line, "dc2:0"));
	assert_non_null(strstr(line, "NO: no free server"));
	vt_send(v, "t");
	EXPECT(v, "NOT orderable: no free server of type ds-medium");
	vt_key(v, VTERM_KEY_ESCAPE);
	EXPECT(v, "Processing modules");

	/* Released again: orderable again. */
	fx_release(&w, 2, ids[0]);
	if (!vt_wait_gone(v, "NO: no free server", TMO)) {
		vt_dump_named(v, "released");
		fail_msg("Last-1 stayed not orderable");
	}
	quit(v);
	for (size_t i = 1; i < n; i++)
		fx_release(&w, 2, ids[i]);
}

static void test_servers_screen(void **state)
{
	long total, freen;
	fx_truth(&w, 1, "ds-small", &total, &freen);
	vt *v = start();
	vt_send(v, "v");
	EXPECT(v, "module dc1");
	char want[64];
	snprintf(want, sizeof(want), "%ld of %ld", (long)120, (long)120);
	EXPECT(v, want);
	/* Types are sorted: all -> ds-large -> ds-medium -> ds-small. */
	vt_send(v, "ttt");
	EXPECT(v, "type ds-small");
	vt_send(v, "s"); /* state free */
	EXPECT(v, "state free");
	snprintf(want, sizeof(want), "%ld of 120", freen);
	EXPECT(v, want);
	/* Every visible row says free in words, not only in colour. */
	char line[400];
	vt_row_text(v, 3, line, sizeof(line));
	assert_non_null(strstr(line, "ds-small"));
	assert_non_null(strstr(line, "free"));
	/* g opens the Graphs screen of the selected server (the first row:
	 * its id is the row's first word), shown in the hint bar */
	vt_row_text(v, 23, line, sizeof(line));
	assert_non_null(strstr(line, "g graphs"));
	vt_row_text(v, 3, line, sizeof(line));
	char *p = line;
	while (*p && (*p < '0' || *p > '9'))
		p++;
	long id = strtol(p, NULL, 10);
	assert_true(id > 0);
	vt_send(v, "g");
	snprintf(want, sizeof(want), "Graphs dc1/%ld", id);
	EXPECT(v, want);
	EXPECT(v, "Traffic (bit/s)");
	vt_key(v, VTERM_KEY_ESCAPE);
	EXPECT(v, "state free");
	/* a switch to a module whose panel fails: the error, and the header
	 * still names the module of the list shown */
	xml_doc_free(fx_ctl(&w, "func=fault.set&target=dcimgr&dc=2&func_name="
	                        "server&kind=http500&count=-1"));
	vt_send(v, "m");
	EXPECT(v, "dc2: http");
	EXPECT(v, "module dc1");
	xml_doc_free(fx_ctl(&w, "func=fault.clear"));
	vt_send(v, "r"); /* fetch again: the module switched to */
	EXPECT(v, "module dc2");
	quit(v);
}

/* Tab on the : line completes record names the worker has read (the
 * dashboard's first refresh): a tariff, a module as --module's value. */
static void test_completion_of_names(void **state)
{
	vt *v = start();
	EXPECT(v, "Web-1"); /* the dashboard has read the store */
	vt_send(v, ":tariff show We");
	EXPECT(v, ":tariff show We");
	vt_send(v, "\t");
	EXPECT(v, ":tariff show Web-1");
	vt_key(v, VTERM_KEY_ESCAPE);
	EXPECT_GONE(v, ":tariff show");
	vt_send(v, ":server types --module d\t");
	EXPECT(v, ":server types --module dc"); /* dc1, dc2: the common part */
	vt_send(v, "2\t\r");
	EXPECT(v, "Dashboard \u203a server types"); /* its output, on top */
	EXPECT(v, "dc2     ds-large");
	assert_false(vt_has_text(v, "dc1     ds-large")); /* dc2's only */
	quit(v);
}

/* A tariff whose special IP add-on names a type the IPmanager lacks
 * (written to the store: the commands refuse it) is flagged on the
 * Tariffs screen: in its row in words and, selected, with the reason. */
static void test_tariffs_screen_special_flag(void **state)
{
	dc_addon ad;
	dc_tariff t;
	dc_err e;
	memset(&ad, 0, sizeof(ad));
	snprintf(ad.name, sizeof(ad.name), "special_ip_block_gone");
	snprintf(ad.kind, sizeof(ad.kind), "special_ip_block_gone");
	assert_int_equal(model_addon_values_parse(DC_ADDON_SPECIAL_IP,
	                                          DC_BILL_NONE, "1", NULL,
	                                          &ad.v, &e),
	                 0);
	assert_int_equal(addon_add(w.st, &ad, &e), 0);
	memset(&t, 0, sizeof(t));
	snprintf(t.name, sizeof(t.name), "Gone-1");
	snprintf(t.server_type, sizeof(t.server_type), "ds-large");
	t.enabled = true;
	t.modules[t.nmodules++] = w.module_id[0];
	t.addons[t.naddons++] = (dc_tariff_addon){.addon_id = ad.id};
	assert_int_equal(tariff_add(w.st, &t, &e), 0);

	vt *v = start();
	vt_send(v, "t");
	EXPECT(v, "Gone-1");
	vt_send(v, "/Gone-1\r"); /* select it */
	EXPECT(v, "Filter:");
	EXPECT(v,
	       "special IP flag: special_ip_block_gone on dc1: no type gone");
	int row, col;
	char line[400];
	assert_true(vt_find(v, "Gone-1  ", &row, &col)); /* the row */
	vt_row_text(v, row, line, sizeof(line));
	assert_non_null(strstr(line, "IP flag"));
	/* the tariffs without one say nothing of it */
	vt_key(v, VTERM_KEY_ESCAPE); /* clears the filter: every row again */
	EXPECT(v, "Web-1  ");
	assert_true(vt_find(v, "Web-1  ", &row, &col));
	vt_row_text(v, row, line, sizeof(line));
	assert_null(strstr(line, "IP flag"));
	quit(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_form_creates_tariff),
	    cmocka_unit_test(test_dashboard_turns_not_orderable),
	    cmocka_unit_test(test_servers_screen),
	    cmocka_unit_test(test_completion_of_names),
	    cmocka_unit_test(test_tariffs_screen_special_flag),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
