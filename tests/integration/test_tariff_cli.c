/* test_tariff_cli.c - the tariff, add-on and server commands as an operator
 * runs them (cli_run, in-process) against dcisim: every refusal (unknown
 * server type, unknown OS, special IP type missing, value out of range,
 * duplicate name) names the field and writes nothing; availability in
 * JSON equals the simulator's own counts; server list filters by type and
 * state as the simulator counts; special-range check exits 1 with the
 * flags it found, and tariff show lists a tariff's flags. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define FX_FAIL(...) fail_msg(__VA_ARGS__)
#include "test_tariff_fixture.h"

#include "app.h"
#include "cli.h"

static fx_world w;
static app a;
static char cfgpath[700];

typedef struct res {
	int rc;
	char *out, *err;
} res;

static void res_free(res *r)
{
	free(r->out);
	free(r->err);
}

/* Runs one command line (words split on blanks) as dcictl would. */
static res run(bool json, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static res run(bool json, const char *fmt, ...)
{
	char line[2048], *argv[64], *save = NULL;
	int argc = 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	for (char *t = strtok_r(line, " ", &save); t && argc < 63;
	     t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	argv[argc] = NULL;
	res r = {0};
	size_t lo = 0, le = 0;
	FILE *fo = open_memstream(&r.out, &lo),
	     *fe = open_memstream(&r.err, &le);
	a.opt.json = json;
	r.rc = cli_run(&a, argc, argv, fo, fe);
	fclose(fo);
	fclose(fe);
	return r;
}

static void ok(res r)
{
	if (r.rc != 0)
		fail_msg("command failed (%d): %s", r.rc, r.err);
	res_free(&r);
}

/* Numbers of records, to show that a refusal wrote nothing. */
typedef struct counts {
	size_t tariffs, addons;
	char sig[4096]; /* every tariff and add-on, as stored */
} counts;

static counts snapshot(void)
{
	counts c;
	dc_tariff *t = NULL;
	dc_addon *ad = NULL;
	dc_err e;
	size_t off = 0;
	memset(&c, 0, sizeof(c));
	if (tariff_list(w.st, &t, &c.tariffs, &e) ||
	    addon_list(w.st, &ad, &c.addons, &e))
		fail_msg("list: %s", e.msg);
	for (size_t i = 0; i < c.tariffs && off < sizeof(c.sig); i++)
		off += (size_t)snprintf(c.sig + off, sizeof(c.sig) - off,
		                        "%s/%s/%d/%zu/%zu;", t[i].name,
		                        t[i].server_type, t[i].enabled,
		                        t[i].nmodules, t[i].naddons);
	for (size_t i = 0; i < c.addons && off < sizeof(c.sig); i++) {
		char v[DC_LIST_MAX + 16];
		off += (size_t)snprintf(
		    c.sig + off, sizeof(c.sig) - off, "%s/%s/%s;", ad[i].name,
		    ad[i].kind, model_addon_values_str(&ad[i].v, v, sizeof(v)));
	}
	free(t);
	free(ad);
	return c;
}

/* The command is refused naming `field`, the message holds every word of
 * `must` (NULL-terminated), and the store is as it was. */
static void refused(res r, const char *field, const char *const *must)
{
	char pre[80];
	if (r.rc == 0)
		fail_msg("expected a refusal on %s, got success: %s", field,
		         r.out);
	snprintf(pre, sizeof(pre), "dcictl: %s: invalid: ", field);
	if (!strstr(r.err, pre))
		fail_msg("refusal does not name field %s: %s", field, r.err);
	for (size_t i = 0; must && must[i]; i++)
		if (!strstr(r.err, must[i]))
			fail_msg("refusal lacks \"%s\": %s", must[i], r.err);
	res_free(&r);
}

/* REFUSED(command, field, words...) */
#define REFUSED(r, ...)                                                        \
	do {                                                                   \
		counts b_ = snapshot();                                        \
		const char *const m_[] = {__VA_ARGS__, NULL};                  \
		refused((r), m_[0], m_ + 1);                                   \
		counts a_ = snapshot();                                        \
		assert_string_equal(b_.sig, a_.sig);                           \
	} while (0)

static int setup(void **state)
{
	const char *args[] = {
	    "--locations", "2",      "--servers", "200", "--busy-fraction",
	    "0.3",         "--seed", "11",        NULL};
	dc_err e;
	if (panel_lib_init(&e) < 0 || fx_world_start(&w, args) < 0)
		return -1;
	snprintf(cfgpath, sizeof(cfgpath), "%s/config", w.dir);
	FILE *f = fopen(cfgpath, "w");
	if (!f)
		return -1;
	fprintf(f, "store = \"%s\";\n", w.store_path);
	fclose(f);
	chmod(cfgpath, 0600);
	app_opts o = {0};
	o.config = cfgpath;
	if (app_init(&a, &o, &e) < 0) {
		fprintf(stderr, "app_init: %s\n", e.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	app_free(&a);
	fx_world_stop(&w);
	panel_lib_cleanup();
	return 0;
}

static void test_addons(void **state)
{
	ok(run(false, "addon add --name ram --kind ram --billing client "
	              "--values 8192,16384,32768"));
	ok(run(false, "addon add --name ipv4 --kind ipv4_public --billing "
	              "client --range 0..8"));
	ok(run(false, "addon add --name portspeed --kind portspeed --billing "
	              "included --values 1000"));
	ok(run(false, "addon add --name special_ip_block_guardvlan9 --kind "
	              "special_ip_block_guardvlan9 --billing none --values 2"));
	ok(run(false, "addon add --name os --kind os --billing client "
	              "--values Debian-12-amd64,AlmaLinux-9-amd64"));

	/* OS values must be templates of the modules' DCImanagers. */
	REFUSED(run(false, "addon add --name os2 --kind os --billing client "
	                   "--values Debian-12-amd64,Plan9-amd64"),
	        "values", "Plan9-amd64", "dc1", "dc2");
	/* A special block needs its type in the IPmanager. */
	REFUSED(run(false, "addon add --name special_ip_block_nosuch --kind "
	                   "special_ip_block_nosuch --billing none --values 1"),
	        "kind", "nosuch");
	/* Out of range, and malformed. */
	REFUSED(run(false, "addon add --name ram2 --kind ram --billing client "
	                   "--range 1..99999999999"),
	        "range", "99999999999");
	REFUSED(run(false, "addon add --name ram3 --kind ram --billing "
	                   "included --values 0"),
	        "values");
	/* Duplicate name. */
	REFUSED(run(false, "addon add --name ram --kind ram --billing "
	                   "included --values 4096"),
	        "name", "ram");
	/* An edit that would break a value is refused the same way. */
	REFUSED(run(false, "addon edit os --values Debian-12-amd64,Nope-1"),
	        "values", "Nope-1");
	ok(run(false, "addon edit ipv4 --range 0..4"));
	res r = run(true, "addon show ipv4");
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.out, "\"values\": \"0..4\""));
	res_free(&r);
}

static void test_tariff_refusals(void **state)
{
	/* The demo's line, as written. */
	ok(run(false, "tariff add --name DS-Small --server-type ds-small "
	              "--module dc1 --module dc2 --addon ram --addon os "
	              "--addon portspeed --addon ipv4"));

	/* Unknown server type: every module checked is named. */
	REFUSED(run(false, "tariff add --name DS-XL --server-type ds-xxl "
	                   "--module dc1 --module dc2"),
	        "server_type", "ds-xxl", "dc1", "dc2", "ds-small");
	/* Duplicate name (checked before any panel is asked). */
	REFUSED(run(false, "tariff add --name DS-Small --server-type ds-large "
	                   "--module dc1"),
	        "name", "DS-Small");
	/* Unknown module and add-on names. */
	REFUSED(run(false, "tariff add --name T2 --server-type ds-large "
	                   "--module dc9"),
	        "modules", "dc9");
	REFUSED(run(false, "tariff add --name T2 --server-type ds-large "
	                   "--module dc1 --addon nosuch"),
	        "addons", "nosuch");
	/* The tariff's own values out of range. */
	REFUSED(run(false, "tariff add --name T2 --server-type ds-large "
	                   "--module dc1 --addon ipv4=client:0..99999999999"),
	        "addons", "ipv4");
	REFUSED(run(false, "tariff add --name T2 --server-type ds-large "
	                   "--module dc1 --addon ram=client:8192,abc"),
	        "addons", "ram");

	/* Add-ons stored behind the commands' back (an older dcictl, a
	 * panel changed since): the tariff check still catches them. */
	dc_addon bad;
	dc_err e;
	memset(&bad, 0, sizeof(bad));
	snprintf(bad.name, sizeof(bad.name), "os_old");
	snprintf(bad.kind, sizeof(bad.kind), "os");
	assert_int_equal(model_addon_values_parse(DC_ADDON_OS, DC_BILL_CLIENT,
	                                          "Debian-12-amd64,Plan9-amd64",
	                                          NULL, &bad.v, &e),
	                 0);
	assert_int_equal(addon_add(w.st, &bad, &e), 0);
	memset(&bad, 0, sizeof(bad));
	snprintf(bad.name, sizeof(bad.name), "special_ip_block_gone");
	snprintf(bad.kind, sizeof(bad.kind), "special_ip_block_gone");
	assert_int_equal(model_addon_values_parse(DC_ADDON_SPECIAL_IP,
	                                          DC_BILL_NONE, "1", NULL,
	                                          &bad.v, &e),
	                 0);
	assert_int_equal(addon_add(w.st, &bad, &e), 0);
	REFUSED(run(false, "tariff add --name T3 --server-type ds-large "
	                   "--module dc1 --addon os_old"),
	        "addons", "Plan9-amd64", "dc1");
	REFUSED(run(false, "tariff add --name T3 --server-type ds-large "
	                   "--module dc1 --module dc2 --addon "
	                   "special_ip_block_gone"),
	        "addons", "gone", "dc1");

	/* An edit to a type no module has changes nothing. */
	REFUSED(run(false, "tariff edit DS-Small --server-type ds-nothing"),
	        "server_type", "ds-nothing");
	ok(run(false, "tariff edit DS-Small --addon ram=client:16384,32768 "
	              "--addon ipv4"));
	dc_tariff t;
	assert_int_equal(tariff_get_by_name(w.st, "DS-Small", &t, &e), 0);
	assert_int_equal(t.naddons, 2);
	assert_true(t.addons[0].override);

	/* In use: the add-on stays. */
	res r = run(false, "addon delete ipv4");
	assert_int_not_equal(r.rc, 0);
	assert_non_null(strstr(r.err, "DS-Small"));
	res_free(&r);

	/* --read-only refuses at the one dispatch point. */
	a.read_only = true;
	r = run(false, "tariff delete DS-Small");
	a.read_only = false;
	assert_int_not_equal(r.rc, 0);
	res_free(&r);
	assert_int_equal(tariff_get_by_name(w.st, "DS-Small", &t, &e), 0);
}

/* The value of "key": N after the n-th occurrence of `after` in s. */
static long json_num(const char *s, const char *after, int n, const char *key)
{
	const char *p = s;
	for (int i = 0; i <= n; i++) {
		p = strstr(p, after);
		if (!p)
			fail_msg("no %s #%d in %s", after, n, s);
		p += strlen(after);
	}
	char k[64];
	snprintf(k, sizeof(k), "\"%s\": ", key);
	p = strstr(p, k);
	if (!p)
		fail_msg("no %s after %s", key, after);
	return strtol(p + strlen(k), NULL, 10);
}

static void test_availability_json(void **state)
{
	ok(run(false, "tariff add --name DS-Large --server-type ds-large "
	              "--module dc1 --module dc2"));
	long t1, f1, t2, f2;
	fx_truth(&w, 1, "ds-large", &t1, &f1);
	fx_truth(&w, 2, "ds-large", &t2, &f2);
	res r = run(true, "tariff availability DS-Large --refresh");
	assert_int_equal(r.rc, 0);
	assert_int_equal(json_num(r.out, "\"module\": \"dc1\"", 0, "free"), f1);
	assert_int_equal(json_num(r.out, "\"module\": \"dc2\"", 0, "free"), f2);
	assert_int_equal(json_num(r.out, "\"module\": \"dc1\"", 0, "age_s"), 0);
	assert_int_equal(json_num(r.out, "\"tariff\"", 0, "total"), f1 + f2);
	assert_non_null(strstr(r.out, "\"orderable\": true"));
	assert_non_null(strstr(r.out, "\"picked\": \"dc1\""));
	assert_null(strstr(r.out, "\"error\""));
	res_free(&r);

	/* dc1 runs out behind dcictl's back: a cached answer still says
	 * what it counted before, --refresh shows dc2 picked. */
	static long ids[400];
	size_t n = fx_server_ids(&w, 1, "ds-large", true, ids, 400);
	for (size_t i = 0; i < n; i++)
		fx_take(&w, 1, ids[i]);
	r = run(true, "tariff availability DS-Large --cached");
	assert_int_equal(json_num(r.out, "\"module\": \"dc1\"", 0, "free"), f1);
	res_free(&r);
	r = run(true, "tariff availability DS-Large --refresh");
	assert_int_equal(json_num(r.out, "\"module\": \"dc1\"", 0, "free"), 0);
	assert_non_null(strstr(r.out, "\"picked\": \"dc2\""));
	res_free(&r);
	for (size_t i = 0; i < n; i++)
		fx_release(&w, 1, ids[i]);

	/* Every tariff at once: an array with one object per tariff. */
	r = run(true, "tariff availability");
	assert_int_equal(r.rc, 0);
	assert_true(r.out[0] == '[');
	assert_non_null(strstr(r.out, "\"tariff\": \"DS-Large\""));
	assert_non_null(strstr(r.out, "\"tariff\": \"DS-Small\""));
	res_free(&r);
}

static size_t count(const char *s, const char *needle)
{
	size_t n = 0;
	for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void test_server_list(void **state)
{
	long total, freen;
	fx_truth(&w, 2, "ds-medium", &total, &freen);
	res r = run(true, "server list dc2 --type ds-medium --state free");
	assert_int_equal(r.rc, 0);
	assert_int_equal(count(r.out, "\"id\":"), freen);
	res_free(&r);
	r = run(true, "server list dc2 --type ds-medium");
	assert_int_equal(count(r.out, "\"id\":"), total);
	res_free(&r);
	REFUSED(run(false, "server list"), "module");
	REFUSED(run(false, "server list dc2 --state sleepy"), "state",
	        "sleepy");
}

/* A tariff whose special IP add-on names a type the IPmanager lacks,
 * written straight to the store (the commands refuse it). */
static void add_gone_tariff(void)
{
	dc_tariff t;
	dc_addon ad;
	dc_err e;
	memset(&t, 0, sizeof(t));
	snprintf(t.name, sizeof(t.name), "T-Gone");
	snprintf(t.server_type, sizeof(t.server_type), "ds-large");
	t.enabled = true;
	t.nmodules = 1;
	t.modules[0] = w.module_id[0];
	if (addon_get_by_name(w.st, "special_ip_block_gone", &ad, &e) < 0)
		fail_msg("add-on: %s", e.msg);
	t.naddons = 1;
	t.addons[0].addon_id = ad.id;
	if (tariff_add(w.st, &t, &e) < 0)
		fail_msg("tariff_add: %s", e.msg);
}

/* special-range check: exit 0 when every type is there, 1 with the list
 * when one is missing (text and one JSON document). */
static void test_special_check_exit(void **state)
{
	ok(run(false, "tariff add --name T-Special --server-type ds-large "
	              "--module dc1 --module dc2 --addon "
	              "special_ip_block_guardvlan9"));
	res r = run(false, "special-range check");
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.out, "every special IP add-on's type exists"));
	res_free(&r);

	add_gone_tariff();
	r = run(false, "special-range check");
	assert_int_equal(r.rc, 1);
	assert_non_null(strstr(r.out, "T-Gone"));
	assert_non_null(strstr(r.out, "special_ip_block_gone"));
	assert_non_null(strstr(r.out, "MISSING"));
	assert_null(strstr(r.out, "T-Special")); /* only what is flagged */
	assert_non_null(strstr(r.err, "1 special IP add-on flag: 1 type "
	                              "missing"));
	res_free(&r);
	r = run(true, "special-range check");
	assert_int_equal(r.rc, 1);
	assert_non_null(strstr(r.out, "{\"error\":{\"category\":\"missed\""));
	assert_non_null(strstr(r.out, "\"output\":[{\"tariff\":\"T-Gone\","
	                              "\"addon\":\"special_ip_block_gone\","
	                              "\"module\":\"dc1\",\"state\":"
	                              "\"MISSING\""));
	res_free(&r);
	/* one tariff: the clean one passes, the flagged one does not */
	r = run(false, "special-range check --tariff T-Special");
	assert_int_equal(r.rc, 0);
	res_free(&r);
	r = run(false, "special-range check --tariff T-Gone");
	assert_int_equal(r.rc, 1);
	res_free(&r);
}

/* tariff show carries the tariff's special IP flags: listed with the
 * reason in text (and a warning), always an array in JSON. */
static void test_show_special_flags(void **state)
{
	res r = run(false, "tariff show T-Gone");
	assert_int_equal(r.rc, 0);
	if (!strstr(r.out, "special_ip_flags:"))
		fail_msg("no flags in:\n%s", r.out);
	assert_non_null(strstr(r.out, "special_ip_block_gone"));
	assert_non_null(strstr(r.out, "MISSING"));
	assert_non_null(strstr(r.out, "no type gone"));
	assert_non_null(strstr(r.out, "warning: 1 special IP add-on flag"));
	res_free(&r);
	r = run(true, "tariff show T-Gone");
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.out, "\"special_ip_flags\": [\n"));
	assert_non_null(strstr(r.out, "\"addon\": \"special_ip_block_gone\""));
	assert_non_null(strstr(r.out, "\"module\": \"dc1\""));
	assert_non_null(strstr(r.out, "\"ipmgr\": \"ipmgr-main\""));
	assert_non_null(strstr(r.out, "\"state\": \"MISSING\""));
	res_free(&r);
	/* nothing flagged: an empty list in JSON, nothing in text */
	r = run(true, "tariff show T-Special");
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.out, "\"special_ip_flags\": []"));
	res_free(&r);
	r = run(false, "tariff show T-Special");
	assert_int_equal(r.rc, 0);
	assert_null(strstr(r.out, "special_ip_flags"));
	assert_null(strstr(r.out, "warning"));
	res_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_addons),
	    cmocka_unit_test(test_tariff_refusals),
	    cmocka_unit_test(test_availability_json),
	    cmocka_unit_test(test_server_list),
	    cmocka_unit_test(test_special_check_exit),
	    cmocka_unit_test(test_show_special_flags),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
