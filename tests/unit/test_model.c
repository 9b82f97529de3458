/* test_model.c - every field rule: what passes, what is refused, and that
 * the refusal names the field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "model.h"

/* Both macros use the dc_err named e_ that each test declares. */
#define OK(call)                                                               \
	do {                                                                   \
		if ((call) != 0)                                               \
			fail_msg("%s refused: %s: %s", #call, e_.field,        \
			         e_.msg);                                      \
	} while (0)

/* Expects a refusal naming `fld`; `err` is the variable the call fills. */
#define NO(call, fld)                                                          \
	do {                                                                   \
		memset(&e_, 0, sizeof(e_));                                    \
		if ((call) != -1)                                              \
			fail_msg("%s accepted", #call);                        \
		assert_int_equal(e_.cat, DC_E_INVALID);                        \
		assert_string_equal(e_.field, (fld));                          \
		assert_true(e_.msg[0] != '\0');                                \
	} while (0)

static void test_url(void **state)
{
	dc_err e_;
	static const char *const good[] = {
	    "https://dci.example.net:1500/dcimgr",
	    "http://127.0.0.1:8080/dc1/dcimgr",
	    "http://[::1]:1500/ipmgr",
	    "HTTPS://DCI.EXAMPLE/manager/dcimgr",
	    "https://host",
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (model_check_url("url", good[i], &e_))
			fail_msg("%s refused: %s", good[i], e_.msg);
	static const char *const bad[] = {
	    "",
	    "dci.example.net/dcimgr",
	    "ftp://dci.example.net/dcimgr",
	    "file:///etc/passwd",
	    "javascript:alert(1)",
	    "http://",
	    "https://",
	    "https://admin:secret@dci.example/dcimgr",
	    "https://admin@dci.example/dcimgr",
	    "https://dci.example/dcimgr?func=auth",
	    "https://dci.example/dcimgr#x",
	    "http://dci example/dcimgr",
	    "/dcimgr",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&e_, 0, sizeof(e_));
		if (model_check_url("url", bad[i], &e_) != -1)
			fail_msg("%s accepted", bad[i]);
		assert_string_equal(e_.field, "url");
	}
	/* the password in a refused URL is not echoed back */
	model_check_url("url", "https://admin:secret@dci.example/", &e_);
	assert_null(strstr(e_.msg, "secret"));
	char longurl[DC_URL_MAX + 10];
	memset(longurl, 'a', sizeof(longurl) - 1);
	memcpy(longurl, "https://", 8);
	longurl[sizeof(longurl) - 1] = '\0';
	NO(model_check_url("url", longurl, &e_), "url");
	NO(model_check_url("url", NULL, &e_), "url");
}

static void test_sorting(void **state)
{
	dc_err e_;
	int64_t v;
	OK(model_parse_sorting("0", &v, &e_));
	assert_int_equal(v, 0);
	OK(model_parse_sorting("2147483647", &v, &e_));
	assert_int_equal(v, 2147483647);
	OK(model_parse_sorting("007", &v, &e_));
	assert_int_equal(v, 7);
	static const char *const bad[] = {
	    "abc",        "1.5",
	    "-1",         "99999999999",
	    "2147483648", "",
	    " 1",         "1 ",
	    "+1",         "0x10",
	    "1e3",        "１",
	    "10a",        "999999999999999999999999999"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&e_, 0, sizeof(e_));
		v = 12345;
		if (model_parse_sorting(bad[i], &v, &e_) != -1)
			fail_msg("\"%s\" accepted", bad[i]);
		assert_string_equal(e_.field, "sorting");
		assert_int_equal(v, 12345); /* untouched */
	}
	NO(model_parse_sorting(NULL, &v, &e_), "sorting");
}

static void test_names_and_users(void **state)
{
	dc_err e_;
	OK(model_check_name("name", "dc1-frankfurt", &e_));
	OK(model_check_name("name", "Москва DC", &e_));
	NO(model_check_name("name", "", &e_), "name");
	NO(model_check_name("name", " lead", &e_), "name");
	NO(model_check_name("name", "trail ", &e_), "name");
	NO(model_check_name("name", "tab\there", &e_), "name");
	NO(model_check_name("name", "bad\xff utf8", &e_), "name");
	char longname[80];
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	NO(model_check_name("name", longname, &e_), "name");
	longname[DC_NAME_MAX - 1] = '\0';
	OK(model_check_name("name", longname, &e_));

	OK(model_check_username("username", "admin", &e_));
	NO(model_check_username("username", "", &e_), "username");
	NO(model_check_username("username", "ad:min", &e_), "username");
	OK(model_check_password("password", "p a:s&s", &e_));
	NO(model_check_password("password", "", &e_), "password");
	NO(model_check_password("password", "two\nlines", &e_), "password");
	NO(model_check_password("password", "two\nlines", &e_), "password");
	assert_null(strstr(e_.msg, "lines"));

	OK(model_check_cafile("cafile", "", &e_));
	OK(model_check_cafile("cafile", "/etc/passwd", &e_));
	NO(model_check_cafile("cafile", "relative.pem", &e_), "cafile");
	NO(model_check_cafile("cafile", "/nonexistent.pem", &e_), "cafile");
	NO(model_check_cafile("cafile", "/etc", &e_), "cafile");

	OK(model_check_type_name("parking_type", "guardvlan9", &e_));
	OK(model_check_type_name("parking_type", "grey-v4.1_a", &e_));
	NO(model_check_type_name("parking_type", "", &e_), "parking_type");
	NO(model_check_type_name("parking_type", "-x", &e_), "parking_type");
	NO(model_check_type_name("parking_type", "a b", &e_), "parking_type");
	NO(model_check_type_name("parking_type", "a/b", &e_), "parking_type");

	bool b;
	OK(model_parse_bool("enabled", "YES", &b, &e_));
	assert_true(b);
	OK(model_parse_bool("enabled", "off", &b, &e_));
	assert_false(b);
	NO(model_parse_bool("enabled", "maybe", &b, &e_), "enabled");
}

static void test_addon_kind_and_billing(void **state)
{
	dc_err e_;
	static const char *const kinds[] = {
	    "ram",     "os",           "ns",   "panel",      "portspeed",
	    "traffic", "ipv4_private", "ipv6", "ipv4_public"};
	for (size_t i = 0; i < 9; i++) {
		dc_addon_kind k;
		char ipt[DC_TYPE_MAX] = "junk";
		OK(model_parse_addon_kind(kinds[i], &k, ipt, &e_));
		assert_int_equal(k, (dc_addon_kind)i);
		assert_string_equal(ipt, "");
		assert_string_equal(model_addon_kind_name(k), kinds[i]);
	}
	dc_addon_kind k;
	char ipt[DC_TYPE_MAX];
	OK(model_parse_addon_kind("special_ip_block_guardvlan9", &k, ipt, &e_));
	assert_int_equal(k, DC_ADDON_SPECIAL_IP);
	assert_string_equal(ipt, "guardvlan9");
	NO(model_parse_addon_kind("special_ip_block_", &k, ipt, &e_), "kind");
	NO(model_parse_addon_kind("special_ip_block_a b", &k, ipt, &e_),
	   "kind");
	NO(model_parse_addon_kind("RAM", &k, ipt, &e_), "kind");
	NO(model_parse_addon_kind("memory", &k, ipt, &e_), "kind");
	NO(model_parse_addon_kind("special_ip_block", &k, ipt, &e_), "kind");
	NO(model_parse_addon_kind("", &k, ipt, &e_), "kind");
	assert_string_equal(model_addon_unit(DC_ADDON_RAM), "MiB");
	assert_string_equal(model_addon_unit(DC_ADDON_PORTSPEED), "Mbit/s");
	assert_string_equal(model_addon_unit(DC_ADDON_TRAFFIC), "GiB");
	assert_true(model_addon_kind_numeric(DC_ADDON_IPV6));
	assert_false(model_addon_kind_numeric(DC_ADDON_OS));

	dc_billing b;
	OK(model_parse_billing("included", &b, &e_));
	assert_int_equal(b, DC_BILL_INCLUDED);
	OK(model_parse_billing("client", &b, &e_));
	OK(model_parse_billing("none", &b, &e_));
	assert_int_equal(b, DC_BILL_NONE);
	NO(model_parse_billing("free", &b, &e_), "billing");
	NO(model_parse_billing("Included", &b, &e_), "billing");
	NO(model_parse_billing(NULL, &b, &e_), "billing");
}

static void test_addon_values(void **state)
{
	dc_err e_;
	dc_addon_values v;
	char buf[DC_LIST_MAX];
	OK(model_addon_values_parse(DC_ADDON_PORTSPEED, DC_BILL_INCLUDED,
	                            "1000", NULL, &v, &e_));
	assert_string_equal(v.value, "1000");
	assert_string_equal(model_addon_values_str(&v, buf, sizeof(buf)),
	                    "1000");
	OK(model_addon_values_parse(DC_ADDON_RAM, DC_BILL_CLIENT,
	                            " 8192 ,16384, 32768", NULL, &v, &e_));
	assert_string_equal(v.list, "8192,16384,32768");
	assert_false(v.is_range);
	OK(model_check_addon_values(DC_ADDON_RAM, &v, &e_));
	OK(model_addon_values_parse(DC_ADDON_IPV4_PUBLIC, DC_BILL_CLIENT, "",
	                            "0..8", &v, &e_));
	assert_true(v.is_range);
	assert_int_equal(v.min, 0);
	assert_int_equal(v.max, 8);
	assert_string_equal(model_addon_values_str(&v, buf, sizeof(buf)),
	                    "0..8");
	OK(model_check_addon_values(DC_ADDON_IPV4_PUBLIC, &v, &e_));
	OK(model_addon_values_parse(DC_ADDON_OS, DC_BILL_CLIENT,
	                            "debian-12,ubuntu-24.04,almalinux-9", NULL,
	                            &v, &e_));
	OK(model_addon_values_parse(DC_ADDON_NS, DC_BILL_INCLUDED,
	                            "ns1.example.net ns2.example.net", NULL, &v,
	                            &e_));
	OK(model_addon_values_parse(DC_ADDON_SPECIAL_IP, DC_BILL_NONE, "2",
	                            NULL, &v, &e_));
	OK(model_addon_values_parse(DC_ADDON_TRAFFIC, DC_BILL_INCLUDED, "0",
	                            NULL, &v, &e_));

	NO(model_addon_values_parse(DC_ADDON_RAM, DC_BILL_INCLUDED, "0", NULL,
	                            &v, &e_),
	   "values");
	NO(model_addon_values_parse(DC_ADDON_RAM, DC_BILL_INCLUDED, "1.5", NULL,
	                            &v, &e_),
	   "values");
	NO(model_addon_values_parse(DC_ADDON_RAM, DC_BILL_INCLUDED, "1,2", NULL,
	                            &v, &e_),
	   "values");
	NO(model_addon_values_parse(DC_ADDON_RAM, DC_BILL_INCLUDED, NULL, NULL,
	                            &v, &e_),
	   "values");
	NO(model_addon_values_parse(DC_ADDON_RAM, DC_BILL_NONE, "1", "1..2", &v,
	                            &e_),
	   "range");
	NO(model_addon_values_parse(DC_ADDON_RAM, DC_BILL_CLIENT, "1", "1..2",
	                            &v, &e_),
	   "range");
	NO(model_addon_values_parse(DC_ADDON_RAM, DC_BILL_CLIENT, NULL, NULL,
	                            &v, &e_),
	   "values");
	NO(model_addon_values_parse(DC_ADDON_RAM, DC_BILL_CLIENT, "1,,2", NULL,
	                            &v, &e_),
	   "values");
	NO(model_addon_values_parse(DC_ADDON_RAM, DC_BILL_CLIENT, "1,2,1", NULL,
	                            &v, &e_),
	   "values");
	NO(model_addon_values_parse(DC_ADDON_OS, DC_BILL_CLIENT, NULL, "1..3",
	                            &v, &e_),
	   "range");
	NO(model_addon_values_parse(DC_ADDON_IPV6, DC_BILL_CLIENT, NULL, "8..2",
	                            &v, &e_),
	   "range");
	NO(model_addon_values_parse(DC_ADDON_IPV6, DC_BILL_CLIENT, NULL, "0-8",
	                            &v, &e_),
	   "range");
	NO(model_addon_values_parse(DC_ADDON_IPV6, DC_BILL_CLIENT, NULL,
	                            "0..65536", &v, &e_),
	   "range");
	NO(model_addon_values_parse(DC_ADDON_OS, DC_BILL_INCLUDED, "debian 12",
	                            NULL, &v, &e_),
	   "values");
	NO(model_addon_values_parse(DC_ADDON_NS, DC_BILL_INCLUDED,
	                            "ns1.example.net  ns2", NULL, &v, &e_),
	   "values");
	NO(model_addon_values_parse(DC_ADDON_NS, DC_BILL_INCLUDED,
	                            "ns1/example", NULL, &v, &e_),
	   "values");
	/* a struct that was not built by the parser */
	memset(&v, 0, sizeof(v));
	v.billing = DC_BILL_CLIENT;
	snprintf(v.list, sizeof(v.list), "8192, 16384");
	NO(model_check_addon_values(DC_ADDON_RAM, &v, &e_), "values");
	v.is_range = true;
	v.list[0] = '\0';
	v.min = 5;
	v.max = 1;
	NO(model_check_addon_values(DC_ADDON_RAM, &v, &e_), "range");
	v.billing = DC_BILL_INCLUDED;
	v.is_range = false;
	NO(model_check_addon_values(DC_ADDON_RAM, &v, &e_), "values");
}

static void test_field_by_name(void **state)
{
	dc_err e_;
	OK(model_check_field(DC_ENT_MODULE, "sorting", "10", &e_));
	NO(model_check_field(DC_ENT_MODULE, "sorting", "1.5", &e_), "sorting");
	NO(model_check_field(DC_ENT_MODULE, "url", "dci:1500", &e_), "url");
	NO(model_check_field(DC_ENT_MODULE, "username", "", &e_), "username");
	NO(model_check_field(DC_ENT_MODULE, "ipmgr", "", &e_), "ipmgr");
	OK(model_check_field(DC_ENT_MODULE, "license", "", &e_));
	NO(model_check_field(DC_ENT_MODULE, "department", "", &e_),
	   "department");
	NO(model_check_field(DC_ENT_MODULE, "parking_type", "a b", &e_),
	   "parking_type");
	NO(model_check_field(DC_ENT_MODULE, "enabled", "2", &e_), "enabled");
	NO(model_check_field(DC_ENT_MODULE, "colour", "red", &e_), "colour");
	OK(model_check_field(DC_ENT_IPMGR, "insecure", "no", &e_));
	NO(model_check_field(DC_ENT_IPMGR, "sorting", "1", &e_), "sorting");
	NO(model_check_field(DC_ENT_LICSRV, "password", "", &e_), "password");
	OK(model_check_field(DC_ENT_DEPARTMENT, "name", "NOC", &e_));
	NO(model_check_field(DC_ENT_DEPARTMENT, "url", "http://x", &e_), "url");
	OK(model_check_field(DC_ENT_TARIFF, "server_type", "Dell R640", &e_));
	NO(model_check_field(DC_ENT_TARIFF, "server_type", "", &e_),
	   "server_type");
	NO(model_check_field(DC_ENT_TARIFF, "modules", "", &e_), "modules");
	OK(model_check_field(DC_ENT_ADDON, "kind", "special_ip_block_grey",
	                     &e_));
	NO(model_check_field(DC_ENT_ADDON, "name", "1ram", &e_), "name");
	NO(model_check_field(DC_ENT_ADDON, "billing", "paid", &e_), "billing");
	NO(model_check_field(DC_ENT_ADDON, "range", "5..1", &e_), "range");
	OK(model_check_field(DC_ENT_ADDON, "range", "", &e_));
}

static dc_module module(void)
{
	dc_module m;
	memset(&m, 0, sizeof(m));
	snprintf(m.name, sizeof(m.name), "dc1");
	snprintf(m.url, sizeof(m.url), "https://dc1/dcimgr");
	snprintf(m.username, sizeof(m.username), "admin");
	snprintf(m.parking_type, sizeof(m.parking_type), "parking");
	m.ipmgr_id = 1;
	m.department_id = 1;
	return m;
}

static void test_records(void **state)
{
	dc_err e_;
	dc_module m = module();
	OK(model_check_module(&m, "pw", &e_));
	OK(model_check_module(&m, NULL, &e_));
	NO(model_check_module(&m, "", &e_), "password");
	m.department_id = 0;
	NO(model_check_module(&m, NULL, &e_), "department");
	m = module();
	m.sorting = -5;
	NO(model_check_module(&m, NULL, &e_), "sorting");
	m = module();
	m.parking_type[0] = '\0';
	NO(model_check_module(&m, NULL, &e_), "parking_type");

	dc_addon a;
	memset(&a, 0, sizeof(a));
	snprintf(a.name, sizeof(a.name), "special_ip_block_grey");
	snprintf(a.kind, sizeof(a.kind), "special_ip_block_grey");
	a.v.billing = DC_BILL_NONE;
	snprintf(a.v.value, sizeof(a.v.value), "1");
	OK(model_check_addon(&a, &e_));
	assert_int_equal(a.kind_id, DC_ADDON_SPECIAL_IP);
	assert_string_equal(a.iptype, "grey");
	snprintf(a.name, sizeof(a.name), "grey_block");
	NO(model_check_addon(&a, &e_), "name");
	snprintf(a.name, sizeof(a.name), "special_ip_block_x");
	snprintf(a.kind, sizeof(a.kind), "ipv6");
	NO(model_check_addon(&a, &e_), "name");

	dc_tariff t;
	memset(&t, 0, sizeof(t));
	snprintf(t.name, sizeof(t.name), "DS");
	snprintf(t.server_type, sizeof(t.server_type), "ds-small");
	t.nmodules = 2;
	t.modules[0] = 1;
	t.modules[1] = 2;
	OK(model_check_tariff(&t, &e_));
	t.modules[1] = 1;
	NO(model_check_tariff(&t, &e_), "modules");
	t.nmodules = 0;
	NO(model_check_tariff(&t, &e_), "modules");
	t.nmodules = 1;
	t.naddons = 2;
	t.addons[0].addon_id = 3;
	t.addons[1].addon_id = 3;
	NO(model_check_tariff(&t, &e_), "addons");
	t.naddons = DC_TARIFF_ADDONS_MAX + 1;
	NO(model_check_tariff(&t, &e_), "addons");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_url),
	    cmocka_unit_test(test_sorting),
	    cmocka_unit_test(test_names_and_users),
	    cmocka_unit_test(test_addon_kind_and_billing),
	    cmocka_unit_test(test_addon_values),
	    cmocka_unit_test(test_field_by_name),
	    cmocka_unit_test(test_records),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
