/* test_tariff.c - tariff rules against panel facts, add-on choices, free
 * servers and the availability arithmetic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "tariff.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static dc_addon mk(int64_t id, const char *name, const char *kind, dc_billing b,
                   const char *values, const char *range)
{
	dc_addon a;
	memset(&a, 0, sizeof(a));
	a.id = id;
	snprintf(a.name, sizeof(a.name), "%s", name);
	snprintf(a.kind, sizeof(a.kind), "%s", kind);
	dc_err err;
	assert_int_equal(
	    model_parse_addon_kind(kind, &a.kind_id, a.iptype, &err), 0);
	if (model_addon_values_parse(a.kind_id, b, values, range, &a.v, &err))
		fail_msg("%s", err.msg);
	return a;
}

static dc_tariff tariff(const dc_addon *a, size_t n)
{
	dc_tariff t;
	memset(&t, 0, sizeof(t));
	snprintf(t.name, sizeof(t.name), "DS-Small");
	snprintf(t.server_type, sizeof(t.server_type), "ds-small");
	t.enabled = true;
	t.nmodules = 2;
	t.modules[0] = 1;
	t.modules[1] = 2;
	t.naddons = n;
	for (size_t i = 0; i < n; i++)
		t.addons[i].addon_id = a[i].id;
	return t;
}

static const char *const types1[] = {"ds-small", "ds-large"};
static const char *const types2[] = {"ds-large"};
static const char *const os1[] = {"debian-12", "ubuntu-24.04"};
static const char *const os2[] = {"debian-12"};
static const char *const ipt1[] = {"public", "parking", "guardvlan9"};
static const char *const ipt2[] = {"public", "parking"};

static void facts(tariff_module_facts f[2])
{
	memset(f, 0, 2 * sizeof(*f));
	f[0] = (tariff_module_facts){"dc1", true, types1, 2, os1, 2, ipt1, 3};
	f[1] = (tariff_module_facts){"dc2", true, types2, 1, os2, 1, ipt2, 2};
}

static void test_server_type(void **state)
{
	tariff_module_facts f[2];
	facts(f);
	dc_err err;
	assert_int_equal(tariff_check_server_type("ds-small", f, 2, &err), 0);
	assert_int_equal(tariff_check_server_type("ds-large", f, 2, &err), 0);
	assert_int_equal(tariff_check_server_type("ds-huge", f, 2, &err), -1);
	assert_int_equal(err.cat, DC_E_INVALID);
	assert_string_equal(err.field, "server_type");
	/* names every module checked and what each has */
	assert_non_null(strstr(err.msg, "ds-huge"));
	assert_non_null(strstr(err.msg, "dc1 has ds-small, ds-large"));
	assert_non_null(strstr(err.msg, "dc2 has ds-large"));
	/* a module that could not be asked does not count as having it */
	f[0].known = false;
	assert_int_equal(tariff_check_server_type("ds-small", f, 2, &err), -1);
	assert_non_null(strstr(err.msg, "dc1 (could not be asked)"));
	assert_int_equal(tariff_check_server_type("ds-large", f, 2, &err), 0);
	assert_int_equal(tariff_check_server_type("ds-small", f, 0, &err), -1);
	assert_string_equal(err.field, "server_type");
}

static void test_addon_rules(void **state)
{
	dc_addon a[] = {
	    mk(1, "ram", "ram", DC_BILL_CLIENT, "8192,16384", NULL),
	    mk(2, "ram_big", "ram", DC_BILL_INCLUDED, "65536", NULL),
	    mk(3, "special_ip_block_a", "special_ip_block_a", DC_BILL_NONE, "1",
	       NULL),
	    mk(4, "special_ip_block_b", "special_ip_block_b", DC_BILL_CLIENT,
	       NULL, "0..4"),
	};
	dc_err err;
	dc_addon use[] = {a[0], a[2], a[3]};
	dc_tariff t = tariff(use, 3);
	assert_int_equal(tariff_check_addons(&t, use, &err), 0);
	/* two RAM add-ons in one tariff */
	dc_addon two[] = {a[0], a[1]};
	t = tariff(two, 2);
	assert_int_equal(tariff_check_addons(&t, two, &err), -1);
	assert_string_equal(err.field, "addons");
	assert_non_null(strstr(err.msg, "ram_big"));
	/* same special type twice */
	dc_addon same[] = {a[2], a[2]};
	same[1].id = 9;
	t = tariff(same, 2);
	assert_int_equal(tariff_check_addons(&t, same, &err), -1);
	/* an override must suit the add-on's kind */
	t = tariff(use, 3);
	t.addons[0].override = true;
	assert_int_equal(model_addon_values_parse(DC_ADDON_RAM,
	                                          DC_BILL_INCLUDED, "4096",
	                                          NULL, &t.addons[0].v, &err),
	                 0);
	assert_int_equal(tariff_check_addons(&t, use, &err), 0);
	assert_string_equal(tariff_addon_values(&t, 0, use)->value, "4096");
	assert_string_equal(tariff_addon_values(&t, 1, use)->value, "1");
	snprintf(t.addons[0].v.value, sizeof(t.addons[0].v.value), "lots");
	assert_int_equal(tariff_check_addons(&t, use, &err), -1);
	assert_string_equal(err.field, "addons");
	assert_non_null(strstr(err.msg, "ram"));
	/* resolved list must match */
	t = tariff(use, 3);
	t.addons[1].addon_id = 99;
	assert_int_equal(tariff_check_addons(&t, use, &err), -1);
}

static void test_facts(void **state)
{
	tariff_module_facts f[2];
	facts(f);
	dc_err err;
	dc_addon a[] = {
	    mk(1, "os", "os", DC_BILL_CLIENT, "debian-12", NULL),
	    mk(2, "special_ip_block_parking", "special_ip_block_parking",
	       DC_BILL_NONE, "1", NULL),
	};
	dc_tariff t = tariff(a, 2);
	assert_int_equal(tariff_check_facts(&t, a, f, 2, &err), 0);
	/* an OS only one module has */
	a[0] =
	    mk(1, "os", "os", DC_BILL_CLIENT, "debian-12,ubuntu-24.04", NULL);
	assert_int_equal(tariff_check_facts(&t, a, f, 2, &err), -1);
	assert_string_equal(err.field, "addons");
	assert_non_null(strstr(err.msg, "ubuntu-24.04"));
	assert_non_null(strstr(err.msg, "dc2"));
	/* an override is what counts */
	t.addons[0].override = true;
	assert_int_equal(model_addon_values_parse(DC_ADDON_OS, DC_BILL_INCLUDED,
	                                          "debian-12", NULL,
	                                          &t.addons[0].v, &err),
	                 0);
	assert_int_equal(tariff_check_facts(&t, a, f, 2, &err), 0);
	/* a special type missing from one module's IPmanager */
	a[1] = mk(2, "special_ip_block_guardvlan9",
	          "special_ip_block_guardvlan9", DC_BILL_NONE, "1", NULL);
	assert_int_equal(tariff_check_facts(&t, a, f, 2, &err), -1);
	assert_string_equal(err.field, "addons");
	assert_non_null(strstr(err.msg, "guardvlan9"));
	assert_non_null(strstr(err.msg, "dc2"));
	assert_non_null(strstr(err.msg, "public, parking"));
	/* only dc1 in the tariff: fine */
	t.nmodules = 1;
	assert_int_equal(tariff_check_facts(&t, a, f, 1, &err), 0);
	/* unknown facts with add-ons to check: refused, module named */
	f[0].known = false;
	f[1].known = true;
	f[1].server_types = types1;
	f[1].nserver_types = 2;
	assert_int_equal(tariff_check_facts(&t, a, f, 2, &err), -1);
	assert_non_null(strstr(err.msg, "dc1"));
	/* server type is checked first */
	facts(f);
	snprintf(t.server_type, sizeof(t.server_type), "nope");
	assert_int_equal(tariff_check_facts(&t, a, f, 2, &err), -1);
	assert_string_equal(err.field, "server_type");
}

static void test_choice(void **state)
{
	dc_err err;
	dc_addon inc =
	    mk(1, "portspeed", "portspeed", DC_BILL_INCLUDED, "1000", NULL);
	assert_int_equal(tariff_check_choice(&inc, &inc.v, "", &err), 0);
	assert_int_equal(tariff_check_choice(&inc, &inc.v, "1000", &err), 0);
	assert_int_equal(tariff_check_choice(&inc, &inc.v, "100", &err), -1);
	assert_string_equal(err.field, "portspeed");
	dc_addon list = mk(2, "ram", "ram", DC_BILL_CLIENT, "8192,16384", NULL);
	assert_int_equal(tariff_check_choice(&list, &list.v, "16384", &err), 0);
	assert_int_equal(tariff_check_choice(&list, &list.v, "1638", &err), -1);
	assert_non_null(strstr(err.msg, "8192,16384"));
	assert_int_equal(tariff_check_choice(&list, &list.v, "", &err), -1);
	dc_addon range =
	    mk(3, "ipv4", "ipv4_public", DC_BILL_CLIENT, NULL, "0..8");
	assert_int_equal(tariff_check_choice(&range, &range.v, "0", &err), 0);
	assert_int_equal(tariff_check_choice(&range, &range.v, "8", &err), 0);
	assert_int_equal(tariff_check_choice(&range, &range.v, "9", &err), -1);
	assert_int_equal(tariff_check_choice(&range, &range.v, "-1", &err), -1);
	assert_int_equal(tariff_check_choice(&range, &range.v, "2.5", &err),
	                 -1);
	assert_string_equal(err.field, "ipv4");
	dc_addon none = mk(4, "special_ip_block_g", "special_ip_block_g",
	                   DC_BILL_NONE, "2", NULL);
	assert_int_equal(tariff_check_choice(&none, &none.v, NULL, &err), 0);
	assert_int_equal(tariff_check_choice(&none, &none.v, "3", &err), -1);
}

static void test_min_ram(void **state)
{
	dc_addon a[] = {
	    mk(1, "os", "os", DC_BILL_INCLUDED, "debian-12", NULL),
	    mk(2, "ram", "ram", DC_BILL_CLIENT, "32768,8192,16384", NULL),
	};
	dc_tariff t = tariff(a, 1);
	assert_int_equal(tariff_min_ram(&t, a), 0);
	t = tariff(a, 2);
	assert_int_equal(tariff_min_ram(&t, a), 8192);
	a[1] = mk(2, "ram", "ram", DC_BILL_CLIENT, NULL, "2048..4096");
	assert_int_equal(tariff_min_ram(&t, a), 2048);
	a[1] = mk(2, "ram", "ram", DC_BILL_INCLUDED, "65536", NULL);
	assert_int_equal(tariff_min_ram(&t, a), 65536);
	t.addons[1].override = true;
	dc_err err;
	assert_int_equal(model_addon_values_parse(DC_ADDON_RAM,
	                                          DC_BILL_INCLUDED, "1024",
	                                          NULL, &t.addons[1].v, &err),
	                 0);
	assert_int_equal(tariff_min_ram(&t, a), 1024);
}

static void test_free_servers(void **state)
{
	avail_server s[] = {
	    {.type = "ds-small", .ram_mib = 16384},              /* free */
	    {.type = "ds-small", .ram_mib = 8192},               /* free */
	    {.type = "ds-small", .owner = "", .ram_mib = 65536}, /* free */
	    {.type = "ds-small", .owner = "client7", .ram_mib = 16384},
	    {.type = "ds-large", .ram_mib = 65536},
	    {.type = "ds-small", .ram_mib = 16384, .blocked = true},
	    {.type = "ds-small", .ram_mib = 16384, .hwproblem = true},
	    {.type = "ds-small", .ram_mib = 16384, .diag_in_progress = true},
	    {.type = "ds-small", .ram_mib = 16384, .install_in_progress = true},
	    {.type = "ds-small", .ram_mib = 16384, .operation_failed = true},
	    {.type = "ds-small"}, /* RAM not reported */
	    {.type = NULL},
	};
	assert_int_equal(avail_count_free(s, N(s), "ds-small", 0), 4);
	assert_int_equal(avail_count_free(s, N(s), "ds-small", 16384), 2);
	assert_int_equal(avail_count_free(s, N(s), "ds-small", 65537), 0);
	assert_int_equal(avail_count_free(s, N(s), "ds-large", 0), 1);
	assert_int_equal(avail_count_free(s, N(s), "ds-huge", 0), 0);
	assert_int_equal(avail_count_free(s, 0, "ds-small", 0), 0);
	assert_false(avail_server_fits(&s[0], NULL, 0));
}

static void test_availability(void **state)
{
	dc_tariff t = tariff(NULL, 0);
	avail_module m[] = {
	    {.id = 1,
	     .name = "dc1",
	     .sorting = 20,
	     .enabled = true,
	     .counted = true,
	     .free = 3,
	     .counted_at = 1000},
	    {.id = 2,
	     .name = "dc2",
	     .sorting = 10,
	     .enabled = true,
	     .counted = true,
	     .free = 2,
	     .counted_at = 1040},
	    {.id = 3,
	     .name = "dc3",
	     .sorting = 5,
	     .enabled = false,
	     .counted = true,
	     .free = 7,
	     .counted_at = 1050},
	};
	tariff_avail a;
	tariff_availability(&t, 0, m, N(m), 1060, &a);
	assert_true(a.orderable);
	assert_int_equal(a.total, 5); /* disabled modules do not count */
	assert_int_equal(a.picked, 1);
	assert_int_equal(a.oldest_age, 60);
	assert_string_equal(a.reason, "");

	m[1].free = 0; /* the lower one runs out: the next one */
	tariff_availability(&t, 0, m, N(m), 1060, &a);
	assert_true(a.orderable);
	assert_int_equal(a.picked, 0);
	assert_int_equal(a.total, 3);

	m[0].free = 0;
	tariff_availability(&t, 8192, m, N(m), 1060, &a);
	assert_false(a.orderable);
	assert_int_equal(a.picked, -1);
	assert_int_equal(a.total, 0);
	assert_string_equal(a.reason,
	                    "no free server of type ds-small with RAM >= 8192 "
	                    "MiB");

	/* a count missing or failed is said, not taken for zero */
	m[0].counted = false;
	m[0].error = "auth: session expired";
	m[1].counted = false;
	tariff_availability(&t, 0, m, N(m), 1060, &a);
	assert_false(a.orderable);
	assert_non_null(strstr(a.reason, "count failed on dc1: auth"));
	assert_non_null(strstr(a.reason, "dc2 not counted yet"));
	assert_int_equal(a.oldest_age, -1);

	m[0].enabled = m[1].enabled = false;
	tariff_availability(&t, 0, m, N(m), 1060, &a);
	assert_false(a.orderable);
	assert_non_null(strstr(a.reason, "disabled"));

	tariff_availability(&t, 0, m, 0, 1060, &a);
	assert_false(a.orderable);
	assert_non_null(strstr(a.reason, "no processing modules"));

	m[0].enabled = true;
	m[0].counted = true;
	m[0].free = 1;
	t.enabled = false;
	tariff_availability(&t, 0, m, N(m), 1060, &a);
	assert_false(a.orderable);
	assert_string_equal(a.reason, "tariff is disabled");
	/* the count is still shown for a disabled tariff */
	assert_int_equal(a.total, 1);
	assert_int_equal(a.picked, 0);
}

static void test_availability_many_modules(void **state)
{
	/* more modules than the function's stack buffer */
	avail_module m[100];
	memset(m, 0, sizeof(m));
	for (int i = 0; i < 100; i++) {
		m[i].id = i + 1;
		m[i].name = "m";
		m[i].sorting = 100 - i;
		m[i].enabled = true;
		m[i].counted = true;
		m[i].free = i % 2;
		m[i].counted_at = 0;
	}
	dc_tariff t = tariff(NULL, 0);
	tariff_avail a;
	tariff_availability(&t, 0, m, 100, 5, &a);
	assert_true(a.orderable);
	assert_int_equal(a.total, 50);
	assert_int_equal(a.picked, 99); /* sorting 1 */
	assert_int_equal(a.oldest_age, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_server_type),
	    cmocka_unit_test(test_addon_rules),
	    cmocka_unit_test(test_facts),
	    cmocka_unit_test(test_choice),
	    cmocka_unit_test(test_min_ram),
	    cmocka_unit_test(test_free_servers),
	    cmocka_unit_test(test_availability),
	    cmocka_unit_test(test_availability_many_modules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
