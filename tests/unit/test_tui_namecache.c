/* test_tui_namecache.c - Tab completion of record names on the : line:
 * the cache copies the store's names (modules, tariffs, add-ons,
 * IPmanager connections, licence servers, departments), and the real
 * command table completes --module, --tariff, --addon, --ipmgr, --license,
 * --department and positional names from it, by prefix, each option from
 * its own kind; a rename shows after the next refresh. No network. */
#include "app.h"
#include "cmd.h"
#include "namecache.h"
#include "store.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct fx {
	char dir[512], path[600];
	dc_store *st;
	app a;
} fx;

static void must(int rc, const dc_err *e)
{
	if (rc < 0)
		fail_msg("%s", e->msg);
}

static int setup(void **state)
{
	fx *f = calloc(1, sizeof(*f));
	const char *base = getenv("DCITEST_TMP");
	dc_err e;

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/namecache.XXXXXX",
	         base && *base ? base : "/tmp");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/store.db", f->dir);
	if (!(f->st = store_open(f->path, &e)))
		return -1;
	if (!(f->a.names = namecache_new()))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx *f = *state;
	char cmd[700];

	store_close(f->st);
	namecache_free(f->a.names);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", f->dir);
	free(f);
	return 0;
}

/* A small world: two modules, a tariff, add-ons, connections. */
static void fill(fx *f)
{
	dc_err e;
	dc_department d = {0}, d2 = {0};
	dc_conn ipm = {0}, lic = {0};
	dc_module m;
	dc_addon ad;
	dc_tariff t;

	snprintf(d.name, sizeof(d.name), "NOC");
	snprintf(d2.name, sizeof(d2.name), "Network");
	must(department_add(f->st, &d, &e), &e);
	must(department_add(f->st, &d2, &e), &e);
	snprintf(ipm.name, sizeof(ipm.name), "ipmgr-main");
	snprintf(ipm.url, sizeof(ipm.url), "http://127.0.0.1:1/ipmgr");
	snprintf(ipm.username, sizeof(ipm.username), "admin");
	must(ipmgr_add(f->st, &ipm, "pw", &e), &e);
	snprintf(lic.name, sizeof(lic.name), "licences");
	snprintf(lic.url, sizeof(lic.url), "http://127.0.0.1:1/billmgr");
	snprintf(lic.username, sizeof(lic.username), "admin");
	must(licsrv_add(f->st, &lic, "pw", &e), &e);
	for (int i = 0; i < 2; i++) {
		memset(&m, 0, sizeof(m));
		snprintf(m.name, sizeof(m.name), "%s",
		         i ? "dc2-amsterdam" : "dc1-frankfurt");
		snprintf(m.url, sizeof(m.url), "http://127.0.0.1:1/dcimgr");
		snprintf(m.username, sizeof(m.username), "admin");
		snprintf(m.parking_type, sizeof(m.parking_type), "parking");
		m.ipmgr_id = ipm.id;
		m.department_id = d.id;
		m.sorting = 10 + i;
		m.enabled = true;
		must(module_add(f->st, &m, "pw", &e), &e);
	}
	memset(&ad, 0, sizeof(ad));
	snprintf(ad.name, sizeof(ad.name), "ram");
	snprintf(ad.kind, sizeof(ad.kind), "ram");
	must(model_addon_values_parse(DC_ADDON_RAM, DC_BILL_CLIENT, "8192",
	                              NULL, &ad.v, &e),
	     &e);
	must(addon_add(f->st, &ad, &e), &e);
	memset(&t, 0, sizeof(t));
	snprintf(t.name, sizeof(t.name), "DS-Small");
	snprintf(t.server_type, sizeof(t.server_type), "ds-small");
	t.enabled = true;
	t.modules[t.nmodules++] = m.id;
	must(tariff_add(f->st, &t, &e), &e);
}

/* The candidates for `line` (cursor at its end), space-separated. */
static void complete(fx *f, const char *line, const char *want)
{
	strv c = {0};
	size_t start = 0;
	char all[1024] = "";

	cmd_complete(&f->a, line, strlen(line), &c, &start);
	for (size_t i = 0; i < c.n; i++) {
		strcat(all, i ? " " : "");
		strcat(all, c.v[i]);
	}
	if (strcmp(all, want))
		fail_msg("'%s': got '%s', want '%s'", line, all, want);
	strv_clear(&c);
}

static void test_cache_by_kind_and_prefix(void **state)
{
	fx *f = *state;
	dc_err e;
	strv c = {0};

	/* empty until the worker fills it: nothing offered, no store read */
	complete(f, "tariff add --module ", "");
	fill(f);
	complete(f, "tariff add --module ", "");
	assert_int_equal(namecache_refresh(f->a.names, f->st, &e), 0);
	namecache_match(f->a.names, NAMECACHE_MODULE, "dc2", &c);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.v[0], "dc2-amsterdam");
	strv_clear(&c);
	namecache_match(NULL, NAMECACHE_MODULE, "", &c); /* no cache */
	assert_int_equal(c.n, 0);

	/* option values, each from its own kind */
	complete(f, "tariff add --name X --module ",
	         "dc1-frankfurt dc2-amsterdam");
	complete(f, "tariff add --name X --module dc1", "dc1-frankfurt");
	complete(f, "tariff edit DS-Small --addon r", "ram");
	complete(f, "module add --ipmgr ", "ipmgr-main");
	complete(f, "module add --license l", "licences");
	complete(f, "module add --department N", "NOC Network");
	complete(f, "module add --department NO", "NOC");
	complete(f, "special-range check --tariff DS", "DS-Small");
	complete(f, "stats show 4 --module dc", "dc1-frankfurt dc2-amsterdam");
	complete(f, "iptype list --ipmgr i", "ipmgr-main");
	/* positional names */
	complete(f, "module check dc2", "dc2-amsterdam");
	complete(f, "tariff show D", "DS-Small");
	complete(f, "addon show r", "ram");
	complete(f, "addon show ", "--name ram"); /* nothing typed: both */
	complete(f, "ipmgr edit i", "ipmgr-main");
	complete(f, "license check l", "licences");
	complete(f, "department show Ne", "Network");
	complete(f, "server list d", "dc1-frankfurt dc2-amsterdam");
	/* a name that is no record's: nothing */
	complete(f, "tariff show Z", "");

	/* renamed in the store: the next refresh has the new name only */
	dc_module m;
	must(module_get_by_name(f->st, "dc2-amsterdam", &m, &e), &e);
	snprintf(m.name, sizeof(m.name), "dc3-paris");
	must(module_update(f->st, &m, NULL, &e), &e);
	complete(f, "module show dc", "dc1-frankfurt dc2-amsterdam");
	assert_int_equal(namecache_refresh(f->a.names, f->st, &e), 0);
	complete(f, "module show dc", "dc1-frankfurt dc3-paris");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_cache_by_kind_and_prefix,
	                                    setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
