/* test_config.c - the config file: defaults, every setting, and every kind
 * of bad line reported as FILE:LINE with the setting named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

static char dir[256];
static char cfgpath[320];

static int setup(void **state)
{
	const char *t = getenv("DCITEST_TMP");
	snprintf(dir, sizeof(dir), "%s/config-XXXXXX", t && *t ? t : "/tmp");
	assert_non_null(mkdtemp(dir));
	snprintf(cfgpath, sizeof(cfgpath), "%s/config", dir);
	setenv("HOME", dir, 1);
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("XDG_DATA_HOME");
	unsetenv("DCICTL_CONFIG");
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void write_cfg(const char *text, mode_t mode)
{
	FILE *fp = fopen(cfgpath, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	assert_int_equal(chmod(cfgpath, mode), 0);
}

/* Loads text and expects a refusal at `line` naming `field`. */
static void expect_bad(const char *text, int line, const char *field,
                       const char *needle)
{
	write_cfg(text, 0600);
	dc_config cfg;
	dc_err err;
	memset(&err, 0, sizeof(err));
	int rc = config_load(cfgpath, &cfg, &err);
	if (rc == 0) {
		config_free(&cfg);
		fail_msg("accepted: %s", text);
	}
	assert_int_equal(err.cat, DC_E_CONFIG);
	char want[400];
	snprintf(want, sizeof(want), "%s:%d: ", cfgpath, line);
	if (strncmp(err.msg, want, strlen(want)))
		fail_msg("for %s\nwanted prefix \"%s\"\ngot \"%s\"", text, want,
		         err.msg);
	if (field)
		assert_string_equal(err.field, field);
	if (needle && !strstr(err.msg, needle))
		fail_msg("\"%s\" not in \"%s\"", needle, err.msg);
	/* nothing to free on failure, but freeing must be harmless */
	config_free(&cfg);
}

static void test_missing_default_file_gives_defaults(void **state)
{
	dc_config cfg;
	dc_err err;
	assert_int_equal(config_load(NULL, &cfg, &err), 0);
	assert_null(cfg.path);
	char want[400];
	snprintf(want, sizeof(want), "%s/.local/share/dcictl/store.db", dir);
	assert_string_equal(cfg.store_path, want);
	assert_string_equal(cfg.theme, "default");
	assert_string_equal(cfg.stats_timezone, "UTC");
	assert_int_equal(cfg.refresh_ms, 2000);
	assert_int_equal(cfg.availability_refresh_ms, 60000);
	assert_int_equal(cfg.xml_max_body, 64u << 20);
	assert_int_equal(cfg.nkeys, 0);
	assert_true(cfg.http_timeout_ms > cfg.http_connect_timeout_ms);
	assert_true(cfg.api_log_size > 0);
	assert_true(cfg.stats_retention_days > 0);
	config_free(&cfg);

	/* XDG_DATA_HOME moves the store; a relative one is ignored (XDG). */
	setenv("XDG_DATA_HOME", "/srv/data", 1);
	assert_int_equal(config_load(NULL, &cfg, &err), 0);
	assert_string_equal(cfg.store_path, "/srv/data/dcictl/store.db");
	config_free(&cfg);
	setenv("XDG_DATA_HOME", "relative/data", 1);
	assert_int_equal(config_load(NULL, &cfg, &err), 0);
	assert_string_equal(cfg.store_path, want);
	config_free(&cfg);
}

static void test_search_order(void **state)
{
	dc_err err;
	char *p = config_default_path(&err);
	char want[400];
	snprintf(want, sizeof(want), "%s/.config/dcictl/config", dir);
	assert_string_equal(p, want);
	free(p);
	setenv("XDG_CONFIG_HOME", "/etc/xdg-test", 1);
	p = config_default_path(&err);
	assert_string_equal(p, "/etc/xdg-test/dcictl/config");
	free(p);
	setenv("DCICTL_CONFIG", cfgpath, 1);
	p = config_default_path(&err);
	assert_string_equal(p, cfgpath);
	free(p);
	/* $DCICTL_CONFIG is read when no path is given */
	write_cfg("theme = \"light\";\n", 0600);
	dc_config cfg;
	assert_int_equal(config_load(NULL, &cfg, &err), 0);
	assert_string_equal(cfg.path, cfgpath);
	assert_string_equal(cfg.theme, "light");
	config_free(&cfg);
}

static void test_explicit_missing_file_refused(void **state)
{
	dc_config cfg;
	dc_err err;
	assert_int_equal(config_load("/nonexistent/dcictl.conf", &cfg, &err),
	                 -1);
	assert_int_equal(err.cat, DC_E_CONFIG);
	assert_non_null(strstr(err.msg, "/nonexistent/dcictl.conf"));
}

static void test_every_setting(void **state)
{
	write_cfg("# all of them\n"
	          "store = \"~/stores/main.db\";\n"
	          "theme = \"monochrome\";\n"
	          "refresh = \"500ms\";\n"
	          "keys = ( { key = \"j\"; action = \"down\"; },\n"
	          "         { key = \"C-d\"; action = \"page_down\"; } );\n"
	          "stats_timezone = \"UTC\";\n"
	          "stats_retention_days = 30;\n"
	          "availability_refresh = \"5m\";\n"
	          "xml_max_body = \"8M\";\n"
	          "http_connect_timeout = 2.5;\n"
	          "http_timeout = 90;\n"
	          "api_log_size = 200;\n",
	          0644);
	dc_config cfg;
	dc_err err;
	if (config_load(cfgpath, &cfg, &err))
		fail_msg("%s", err.msg);
	char want[400];
	snprintf(want, sizeof(want), "%s/stores/main.db", dir);
	assert_string_equal(cfg.store_path, want);
	assert_string_equal(cfg.theme, "monochrome");
	assert_int_equal(cfg.refresh_ms, 500);
	assert_int_equal(cfg.nkeys, 2);
	assert_string_equal(cfg.keys[0].key, "j");
	assert_string_equal(cfg.keys[0].action, "down");
	assert_int_equal(cfg.keys[0].line, 5);
	assert_string_equal(cfg.keys[1].key, "C-d");
	assert_string_equal(cfg.keys[1].action, "page_down");
	assert_int_equal(cfg.keys[1].line, 6);
	assert_int_equal(cfg.stats_retention_days, 30);
	assert_int_equal(cfg.availability_refresh_ms, 300000);
	assert_int_equal(cfg.xml_max_body, 8u << 20);
	assert_int_equal(cfg.http_connect_timeout_ms, 2500);
	assert_int_equal(cfg.http_timeout_ms, 90000);
	assert_int_equal(cfg.api_log_size, 200);
	config_free(&cfg);
}

static void test_value_forms(void **state)
{
	dc_config cfg;
	dc_err err;
	/* The demo's form: plain seconds; a relative store is taken from
	 * the config file's directory. */
	write_cfg("store = \"data/store.db\";\nrefresh = 2;\n"
	          "xml_max_body = 65536;\nhttp_timeout = \"2m\";\n",
	          0600);
	assert_int_equal(config_load(cfgpath, &cfg, &err), 0);
	char want[400];
	snprintf(want, sizeof(want), "%s/data/store.db", dir);
	assert_string_equal(cfg.store_path, want);
	assert_int_equal(cfg.refresh_ms, 2000);
	assert_int_equal(cfg.xml_max_body, 65536);
	assert_int_equal(cfg.http_timeout_ms, 120000);
	config_free(&cfg);
	write_cfg("refresh = \"1.5s\";\nxml_max_body = \"1G\";\n"
	          "stats_timezone = \"Europe/Berlin\";\n",
	          0600);
	/* Only if the system has that zone: tz data may be absent. */
	if (access("/usr/share/zoneinfo/Europe/Berlin", R_OK) == 0) {
		assert_int_equal(config_load(cfgpath, &cfg, &err), 0);
		assert_int_equal(cfg.refresh_ms, 1500);
		assert_int_equal(cfg.xml_max_body, 1u << 30);
		assert_string_equal(cfg.stats_timezone, "Europe/Berlin");
		config_free(&cfg);
	}
	/* Fixed offsets and the process's own zone need no tz data. */
	write_cfg("stats_timezone = \"+03:00\";\n", 0600);
	assert_int_equal(config_load(cfgpath, &cfg, &err), 0);
	assert_string_equal(cfg.stats_timezone, "+03:00");
	config_free(&cfg);
	write_cfg("stats_timezone = \"local\";\n", 0600);
	assert_int_equal(config_load(cfgpath, &cfg, &err), 0);
	assert_string_equal(cfg.stats_timezone, "local");
	config_free(&cfg);
	/* An empty file is all defaults. */
	write_cfg("", 0600);
	assert_int_equal(config_load(cfgpath, &cfg, &err), 0);
	assert_string_equal(cfg.path, cfgpath);
	assert_int_equal(cfg.refresh_ms, 2000);
	config_free(&cfg);
}

static void test_parse_errors_have_lines(void **state)
{
	expect_bad("theme = \"x\";\nrefresh = ;\n", 2, NULL, NULL);
	expect_bad("\n\n\ntheme = = 3;\n", 4, NULL, NULL);
	expect_bad("theme = \"a\";\ntheme = \"b\";\n", 2, NULL, NULL);
	/* (a string token right at the error leaks inside libconfig 1.5,
	 * so the missing "=" is shown with a number) */
	expect_bad("refresh = 2;\ntheme 5;\n", 2, NULL, NULL);
}

static void test_type_and_range_errors(void **state)
{
	expect_bad("theme = \"x\";\n\nrefresh = \"fast\";\n", 3, "refresh",
	           "duration");
	expect_bad("refresh = true;\n", 1, "refresh", "boolean");
	expect_bad("refresh = 0.01;\n", 1, "refresh", "range");
	expect_bad("refresh = \"2 days\";\n", 1, "refresh", "unit");
	expect_bad("refresh = \"inf\";\n", 1, "refresh", NULL);
	expect_bad("refresh = -1;\n", 1, "refresh", "range");
	expect_bad("store = 5;\n", 1, "store", "string");
	expect_bad("store = \"\";\n", 1, "store", "empty");
	expect_bad("store = \"/var/lib/\";\n", 1, "store", "directory");
	expect_bad("theme = \"../../etc/passwd\";\n", 1, "theme", NULL);
	expect_bad("theme = [1, 2];\n", 1, "theme", "array");
	expect_bad("stats_timezone = \"Mars/Olympus\";\n", 1, "stats_timezone",
	           "not known");
	expect_bad("stats_timezone = \"../etc/passwd\";\n", 1, "stats_timezone",
	           NULL);
	expect_bad("stats_timezone = \"+25:00\";\n", 1, "stats_timezone",
	           "offset");
	expect_bad("stats_retention_days = 0;\n", 1, "stats_retention_days",
	           "range");
	expect_bad("stats_retention_days = \"30\";\n", 1,
	           "stats_retention_days", "string");
	expect_bad("availability_refresh = \"10ms\";\n", 1,
	           "availability_refresh", "range");
	expect_bad("xml_max_body = \"64X\";\n", 1, "xml_max_body", "unit");
	expect_bad("xml_max_body = 100;\n", 1, "xml_max_body", "range");
	expect_bad("xml_max_body = \"99999999999G\";\n", 1, "xml_max_body",
	           "range");
	expect_bad("xml_max_body = 1.5;\n", 1, "xml_max_body", NULL);
	expect_bad("http_timeout = \"1y\";\n", 1, "http_timeout", "unit");
	expect_bad("http_connect_timeout = 3600;\n", 1, "http_connect_timeout",
	           "range");
	expect_bad("api_log_size = \"lots\";\n", 1, "api_log_size", NULL);
	expect_bad("api_log_size = 5;\n", 1, "api_log_size", "range");
}

static void test_key_override_errors(void **state)
{
	expect_bad("keys = \"j=down\";\n", 1, "keys", "list");
	expect_bad("keys = (\n  \"j\" );\n", 2, "keys", "entry 1");
	expect_bad("keys = (\n  { key = \"j\"; }\n);\n", 2, "keys", "action");
	expect_bad("keys = (\n  { action = \"down\"; }\n);\n", 2, "keys",
	           "key");
	expect_bad("keys = (\n { key = \"j\"; action = \"down\";\n"
	           "   acton = \"x\"; }\n);\n",
	           3, "keys", "acton");
	expect_bad("keys = (\n { key = \"j\"; action = \"down\"; },\n"
	           " { key = \"j\"; action = \"up\"; }\n);\n",
	           3, "keys", "line 2");
	expect_bad("keys = ( { key = \"a b\"; action = \"down\"; } );\n", 1,
	           "keys", "space");
	expect_bad("keys = ( { key = \"j\"; action = \"go down\"; } );\n", 1,
	           "keys", "action");
	expect_bad("keys = ( { key = 5; action = \"down\"; } );\n", 1, "keys",
	           NULL);
}

static void test_unknown_settings(void **state)
{
	expect_bad("theme = \"x\";\nrefrsh = 2;\n", 2, "refrsh",
	           "did you mean \"refresh\"");
	expect_bad("\nstoer = \"/x\";\n", 2, "stoer", "did you mean \"store\"");
	expect_bad("colours = { fg = 1; };\n", 1, "colours", "unknown setting");
}

static void test_secret_in_readable_file_refused(void **state)
{
	write_cfg("theme = \"x\";\n\ndefault_password = \"hunter2\";\n", 0644);
	dc_config cfg;
	dc_err err;
	assert_int_equal(config_load(cfgpath, &cfg, &err), -1);
	assert_int_equal(err.cat, DC_E_CONFIG);
	char want[400];
	snprintf(want, sizeof(want), "%s:3: ", cfgpath);
	assert_memory_equal(err.msg, want, strlen(want));
	snprintf(want, sizeof(want), "chmod 600 %s", cfgpath);
	assert_non_null(strstr(err.msg, want));
	/* The secret's value is never repeated. */
	assert_null(strstr(err.msg, "hunter2"));
	/* Nested, group-readable only: still refused. */
	write_cfg("keys = ( { key = \"j\"; action = \"down\";\n"
	          "  token = \"abc\"; } );\n",
	          0640);
	assert_int_equal(config_load(cfgpath, &cfg, &err), -1);
	assert_non_null(strstr(err.msg, "chmod 600"));
	/* Made private: the secret passes the mode check and is then
	 * reported as the unknown setting it is. */
	write_cfg("theme = \"x\";\n\ndefault_password = \"hunter2\";\n", 0600);
	assert_int_equal(config_load(cfgpath, &cfg, &err), -1);
	assert_null(strstr(err.msg, "chmod"));
	assert_non_null(strstr(err.msg, "unknown setting"));
	/* A readable file without secrets is fine. */
	write_cfg("theme = \"x\";\n", 0644);
	assert_int_equal(config_load(cfgpath, &cfg, &err), 0);
	config_free(&cfg);
}

static void test_world_writable_and_include_refused(void **state)
{
	dc_config cfg;
	dc_err err;
	write_cfg("theme = \"x\";\n", 0666);
	assert_int_equal(config_load(cfgpath, &cfg, &err), -1);
	assert_non_null(strstr(err.msg, "chmod 600"));
	char inc[400];
	snprintf(inc, sizeof(inc), "%s/other", dir);
	FILE *fp = fopen(inc, "w");
	fputs("theme = \"y\";\n", fp);
	fclose(fp);
	char text[600];
	snprintf(text, sizeof(text), "refresh = 2;\n  @include \"%s\"\n", inc);
	expect_bad(text, 2, NULL, "@include");
	write_cfg("a\0b", 0600);
	/* fputs stops at NUL: write a real NUL byte */
	fp = fopen(cfgpath, "w");
	fwrite("theme = \"x\";\n\0", 1, 14, fp);
	fclose(fp);
	assert_int_equal(config_load(cfgpath, &cfg, &err), -1);
	assert_int_equal(err.cat, DC_E_CONFIG);
	assert_int_equal(config_load(dir, &cfg, &err), -1);
	assert_int_equal(err.cat, DC_E_CONFIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	    T(test_missing_default_file_gives_defaults),
	    T(test_search_order),
	    T(test_explicit_missing_file_refused),
	    T(test_every_setting),
	    T(test_value_forms),
	    T(test_parse_errors_have_lines),
	    T(test_type_and_range_errors),
	    T(test_key_override_errors),
	    T(test_unknown_settings),
	    T(test_secret_in_readable_file_refused),
	    T(test_world_writable_and_include_refused),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
