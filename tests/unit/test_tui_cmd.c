/* test_tui_cmd.c - the command table: splitting a : line, parsing
 * noun/verb/options, the single dispatch point (read-only, console-only),
 * completion, usage and the man page generated from the table. */
#include "app.h"
#include "cli.h"
#include "cmd.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int runs;

static int add_run(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err)
{
	(void)ctx;
	(void)err;
	runs++;
	out_msg(o, "added %s", cmd_arg(a, "name"));
	return 0;
}

static int list_run(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err)
{
	(void)ctx;
	(void)a;
	(void)o;
	(void)err;
	runs++;
	return 0;
}

/* Writes what a check would (a result and step lines), then fails. */
static int probe_run(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err)
{
	(void)ctx;
	(void)a;
	runs++;
	out_obj_begin(o, NULL);
	out_str(o, "target", "dc1");
	out_bool(o, "ok", false);
	out_arr_begin(o, "steps");
	out_obj_begin(o, NULL);
	out_str(o, "step", "login");
	out_str(o, "result", "FAIL");
	out_obj_end(o);
	out_arr_end(o);
	out_obj_end(o);
	out_msg(o, "  step login FAIL");
	return err_field(err, DC_E_AUTH, "password", "login refused");
}

static void names(struct app *ap, const char *prefix, strv *cands)
{
	static const char *const n[] = {"dc1-frankfurt", "dc2-amsterdam",
	                                "dc10", NULL};

	(void)ap;
	for (int i = 0; n[i]; i++)
		if (strncmp(n[i], prefix, strlen(prefix)) == 0)
			strv_push(cands, n[i]);
}

static const cmd_opt add_opts[] = {
    {"name", CMD_OPT_STR, CMD_OPT_REQUIRED | CMD_OPT_POSITIONAL, "NAME",
     "the name", 0, 0, NULL},
    {"sorting", CMD_OPT_INT, 0, "N", "lower wins", 0, 2147483647LL, NULL},
    {"module", CMD_OPT_STR, CMD_OPT_REPEAT, "MODULE", "a module", 0, 0, names},
    {"password", CMD_OPT_STR, CMD_OPT_SECRET, "PW", "secret", 0, 0, NULL},
    {"force", CMD_OPT_FLAG, 0, NULL, "no questions", 0, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL},
};

static const cmd_def test_cmds[] = {
    {"tariff", "add", add_opts, "add a tariff", NULL, 0, add_run, NULL, 'a'},
    {"tariff", "list", NULL, "list tariffs", NULL, CMD_RO_SAFE, list_run, NULL,
     0},
    {"talk", NULL, NULL, "console only", NULL, CMD_RO_SAFE | CMD_CONSOLE_ONLY,
     list_run, NULL, 0},
    {"secret", "thing", NULL, "hidden", NULL, CMD_HIDDEN | CMD_RO_SAFE,
     list_run, NULL, 0},
    {"probe", "check", NULL, "fails after writing", NULL,
     CMD_HIDDEN | CMD_RO_SAFE, probe_run, NULL, 0},
    {NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, 0},
};

static const cmd_def *const tables[] = {test_cmds, NULL};

static int setup(void **state)
{
	(void)state;
	cmd_tables_override(tables);
	runs = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cmd_tables_override(NULL);
	return 0;
}

static cmd_args *parse(const char *line, dc_err *err)
{
	strv w = {0};
	cmd_args *a;

	assert_int_equal(cmd_split(line, &w, err), 0);
	a = cmd_parse((int)w.n, w.v, err);
	strv_clear(&w);
	return a;
}

static void test_split_quotes(void **state)
{
	strv w = {0};
	dc_err err;

	(void)state;
	assert_int_equal(cmd_split("  a 'b c' \"d\\\"e\" f\\ g ''", &w, &err),
	                 0);
	assert_int_equal(w.n, 5);
	assert_string_equal(w.v[0], "a");
	assert_string_equal(w.v[1], "b c");
	assert_string_equal(w.v[2], "d\"e");
	assert_string_equal(w.v[3], "f g");
	assert_string_equal(w.v[4], "");
	strv_clear(&w);
	assert_int_equal(cmd_split("a 'open", &w, &err), -1);
	assert_int_equal(err.cat, DC_E_INVALID);
	strv_clear(&w);
}

static void test_parse_ok(void **state)
{
	dc_err err;
	cmd_args *a;

	(void)state;
	a = parse("tariff add DS-1 --sorting=7 --module dc1 --module dc2 "
	          "--force",
	          &err);
	assert_non_null(a);
	assert_string_equal(cmd_arg(a, "name"), "DS-1");
	assert_int_equal(cmd_arg_int(a, "sorting", -1), 7);
	assert_int_equal(cmd_arg_count(a, "module"), 2);
	assert_string_equal(cmd_arg_nth(a, "module", 1), "dc2");
	assert_true(cmd_flag(a, "force"));
	assert_null(cmd_arg(a, "password"));
	assert_ptr_equal(cmd_args_cmd(a), &test_cmds[0]);
	cmd_args_free(a);
	/* one-word command */
	a = parse("talk", &err);
	assert_non_null(a);
	assert_ptr_equal(cmd_args_cmd(a), &test_cmds[2]);
	cmd_args_free(a);
}

#define REFUSED(line, field_, text)                                            \
	do {                                                                   \
		dc_err e_;                                                     \
		err_clear(&e_);                                                \
		assert_null(parse(line, &e_));                                 \
		assert_int_equal(e_.cat, DC_E_INVALID);                        \
		assert_string_equal(e_.field, field_);                         \
		assert_non_null(strstr(e_.msg, text));                         \
	} while (0)

static void test_parse_refusals(void **state)
{
	(void)state;
	REFUSED("tariff add", "name", "--name is required");
	REFUSED("tariff add x --sorting ten", "sorting", "not a whole number");
	REFUSED("tariff add x --sorting -1", "sorting", "outside");
	REFUSED("tariff add x --sorting", "sorting", "needs a value");
	REFUSED("tariff add x --colour red", "colour", "no option --colour");
	REFUSED("tariff add x --force=yes", "force", "takes no value");
	REFUSED("tariff add x --sorting 1 --sorting 2", "sorting",
	        "more than once");
	REFUSED("tariff add x y", "", "unexpected argument 'y'");
	REFUSED("nosuch", "", "unknown command 'nosuch'");
	/* a wrong verb lists the right ones */
	REFUSED("tariff remove", "", "verbs: add, list");
	REFUSED("tariff", "", "needs a verb: add, list");
}

static void test_parse_without_required(void **state)
{
	strv w = {0};
	dc_err err;
	cmd_args *a;

	(void)state;
	/* the console opens a screen that asks for the missing options */
	cmd_split("tariff add --sorting 3", &w, &err);
	a = cmd_parse_ex((int)w.n, w.v, false, &err);
	assert_non_null(a);
	assert_null(cmd_arg(a, "name"));
	assert_int_equal(cmd_args_check(a, &err), -1);
	assert_string_equal(err.field, "name");
	cmd_args_free(a);
	strv_clear(&w);
}

static void test_dispatch_read_only(void **state)
{
	dc_err err;
	cmd_args *a = parse("tariff add x", &err);
	cmd_ctx ro = {.read_only = true};
	cmd_ctx rw = {.read_only = false};
	out *o = out_new();

	(void)state;
	assert_int_equal(cmd_exec(&ro, a, o, &err), -1);
	assert_non_null(strstr(err.msg, "read-only"));
	assert_non_null(strstr(err.msg, "tariff add"));
	assert_int_equal(runs, 0); /* the handler never ran */
	assert_int_equal(cmd_exec(&rw, a, o, &err), 0);
	assert_int_equal(runs, 1);
	cmd_args_free(a);
	/* read-only-safe commands still run */
	a = parse("tariff list", &err);
	assert_int_equal(cmd_exec(&ro, a, o, &err), 0);
	assert_int_equal(runs, 2);
	cmd_args_free(a);
	/* console-only commands are refused on the CLI (ui == NULL) */
	a = parse("talk", &err);
	assert_int_equal(cmd_exec(&rw, a, o, &err), -1);
	assert_non_null(strstr(err.msg, "only in the console"));
	cmd_args_free(a);
	out_free(o);
}

static void test_args_line_masks_secrets(void **state)
{
	dc_err err;
	cmd_args *a = parse("tariff add 'two words' --password hunter2", &err);
	char *l;

	(void)state;
	assert_non_null(a);
	l = cmd_args_line(a);
	assert_string_equal(l, "tariff add --name 'two words' --password ***");
	assert_null(strstr(l, "hunter2"));
	free(l);
	cmd_args_free(a);
}

static void complete(const char *line, const char *want, size_t want_start)
{
	strv c = {0};
	size_t start = 999;
	char all[512] = "";

	cmd_complete(NULL, line, strlen(line), &c, &start);
	for (size_t i = 0; i < c.n; i++) {
		strcat(all, i ? " " : "");
		strcat(all, c.v[i]);
	}
	assert_string_equal(all, want);
	assert_int_equal(start, want_start);
	strv_clear(&c);
}

static void test_completion(void **state)
{
	(void)state;
	complete("", "talk tariff", 0); /* hidden "secret" left out */
	complete("ta", "talk tariff", 0);
	complete("tar", "tariff", 0);
	complete("tariff ", "add list", 7);
	complete("tariff l", "list", 7);
	complete("tariff add x --so", "--sorting", 13);
	/* used options are not offered again, repeatable ones are */
	complete("tariff add x --sorting 1 --module a --",
	         "--force --module --name --password", 36);
	/* option values from the option's completer */
	complete("tariff add x --module dc", "dc1-frankfurt dc10 dc2-amsterdam",
	         22);
	complete("tariff add x --module dc2", "dc2-amsterdam", 22);
	complete("nosuch ", "", 7);
}

static char *capture_usage(const cmd_def *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (c)
		cmd_print_usage(c, f);
	else
		cli_man(f);
	fclose(f);
	return buf;
}

static void test_usage_and_man(void **state)
{
	char *u = capture_usage(&test_cmds[0]);

	(void)state;
	assert_non_null(strstr(u, "usage: dcictl tariff add --name NAME "
	                          "[--sorting N] [--module MODULE]..."));
	assert_non_null(strstr(u, "refused with --read-only"));
	free(u);
	u = capture_usage(NULL); /* the man page */
	assert_non_null(strstr(u, ".TH DCICTL 1"));
	assert_non_null(strstr(u, ".B tariff add"));
	assert_non_null(strstr(u, "Console key: \\fBa\\fR"));
	assert_null(strstr(u, "secret thing")); /* hidden */
	/* the global keys come from the frame's key table */
	assert_non_null(strstr(u, "pause/resume live refresh"));
	free(u);
}

static void test_lookup(void **state)
{
	char buf[64];

	(void)state;
	assert_ptr_equal(cmd_find("tariff", "list"), &test_cmds[1]);
	assert_null(cmd_find("tariff", NULL));
	assert_ptr_equal(cmd_find("talk", NULL), &test_cmds[2]);
	assert_ptr_equal(cmd_by_key('a'), &test_cmds[0]);
	assert_null(cmd_by_key('z'));
	assert_string_equal(cmd_name(&test_cmds[0], buf, sizeof(buf)),
	                    "tariff add");
}

/* Runs argv through cli_run; stdout and stderr into *out and *errs. */
static int cli(bool json, int argc, char **argv, char **outs, char **errs)
{
	app a;
	size_t lo = 0, le = 0;
	FILE *fo = open_memstream(outs, &lo), *fe = open_memstream(errs, &le);
	int rc;

	memset(&a, 0, sizeof(a));
	a.opt.json = json;
	rc = cli_run(&a, argc, argv, fo, fe);
	fclose(fo);
	fclose(fe);
	return rc;
}

/* A command that fails still prints what it wrote before failing: text
 * on stdout with the error on stderr; with --json one document holding
 * the error and that output. */
static void test_cli_failure_keeps_output(void **state)
{
	char *argv[] = {"probe", "check", NULL};
	char *o = NULL, *e = NULL;

	(void)state;
	assert_int_equal(cli(false, 2, argv, &o, &e), 1);
	assert_int_equal(runs, 1);
	assert_non_null(strstr(o, "target: dc1"));
	assert_non_null(strstr(o, "STEP")); /* the steps as a sub-table */
	assert_non_null(strstr(o, "login"));
	assert_non_null(strstr(o, "step login FAIL"));
	assert_string_equal(e, "dcictl: password: auth: login refused\n");
	free(o);
	free(e);

	assert_int_equal(cli(true, 2, argv, &o, &e), 1);
	assert_string_equal(
	    o, "{\"error\":{\"category\":\"auth\",\"message\":\"login "
	       "refused\",\"field\":\"password\",\"retryable\":false},"
	       "\"output\":{\"target\":\"dc1\",\"ok\":false,\"steps\":[{"
	       "\"step\":\"login\",\"result\":\"FAIL\"}]}}\n");
	assert_non_null(strstr(e, "login refused"));
	free(o);
	free(e);

	/* nothing written: the error alone, as before */
	char *bad[] = {"tariff", "add", NULL}; /* --name missing */
	assert_int_equal(cli(true, 2, bad, &o, &e), 2);
	assert_null(strstr(o, "output"));
	assert_non_null(strstr(o, "\"field\":\"name\""));
	free(o);
	free(e);
}

/* The real registry: no command reuses a global option's name (they are
 * taken out of argv before the command sees it). */
static void test_registry_no_global_clash(void **state)
{
	cmd_iter it = {0, 0};
	const cmd_def *c;
	int n = 0;

	(void)state;
	cmd_tables_override(NULL);
	while ((c = cmd_next(&it))) {
		n++;
		for (const cmd_opt *o = c->opts; o && o->name; o++)
			for (const cli_gopt *g = cli_global_opts; g->name; g++)
				if (strcmp(o->name, g->name) == 0)
					fail_msg(
					    "%s %s: --%s is a global option",
					    c->noun, c->verb ? c->verb : "",
					    o->name);
	}
	assert_true(n >= 3); /* at least help, messages, quit */
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_split_quotes),
	    T(test_parse_ok),
	    T(test_parse_refusals),
	    T(test_parse_without_required),
	    T(test_dispatch_read_only),
	    T(test_args_line_masks_secrets),
	    T(test_completion),
	    T(test_usage_and_man),
	    T(test_lookup),
	    T(test_cli_failure_keeps_output),
	    T(test_registry_no_global_clash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
