/* test_frame.c - the console frame on an empty store: header, hint bar,
 * help, command line with completion and history, messages, filter, Esc,
 * resize and the too-small screen, sizes, UTF-8 and LANG=C, colour and
 * NO_COLOR, --read-only, a long job with the spinner while keys still
 * work, cancel, quit. */
#include "vt.h"

#include "cmd.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMO 15000

typedef struct fx {
	char dir[3800];
	char cfgenv[4300];
	vt *v;
} fx;

static int setup(void **state)
{
	fx *f = calloc(1, sizeof(*f));
	const char *base = getenv("DCITEST_TMP");
	char path[4200];
	FILE *c;

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/frame.XXXXXX",
	         base && *base ? base : "/tmp");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(path, sizeof(path), "%s/config", f->dir);
	c = fopen(path, "w");
	if (!c)
		return -1;
	fprintf(c, "store = \"%s/store.db\";\n", f->dir);
	fclose(c);
	chmod(path, 0600);
	snprintf(f->cfgenv, sizeof(f->cfgenv), "DCICTL_CONFIG=%s", path);
	*state = f;
	return 0;
}

/* Removes the test's directory and what dcictl left in it (config,
 * store and its WAL/key files, themes): one level, files only. */
static void rm_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4400];

	if (!d)
		return;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
	closedir(d);
	rmdir(dir);
}

static int teardown(void **state)
{
	fx *f = *state;

	if (f->v)
		vt_stop(f->v, 2000);
	rm_dir(f->dir);
	free(f);
	return 0;
}

/* Starts dcictl with extra args and env entries (NULL-terminated). */
static vt *start(fx *f, int rows, int cols, const char *const *args,
                 const char *const *env)
{
	const char *e[16];
	int n = 0;

	e[n++] = f->cfgenv;
	for (int i = 0; env && env[i] && n < 15; i++)
		e[n++] = env[i];
	e[n] = NULL;
	assert_int_equal(vt_start(&f->v, rows, cols, args, e), 0);
	return f->v;
}

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

static void quit_ok(fx *f)
{
	int code = -1;

	vt_send(f->v, "Q");
	if (!vt_wait_exit(f->v, TMO, &code)) {
		vt_dump_named(f->v, "quit");
		fail_msg("dcictl did not quit");
	}
	assert_int_equal(code, 0);
	vt_stop(f->v, 1000);
	f->v = NULL;
}

static void test_header_hints_dashboard(void **state)
{
	fx *f = *state;
	vt *v = start(f, 24, 80, NULL, NULL);
	char row[4096];

	EXPECT(v, "Dashboard");
	assert_true(vt_wait_row(v, 0, "store: store.db", TMO));
	assert_true(vt_wait_row(v, 23, "q quit", TMO));
	vt_row_text(v, 0, row, sizeof(row));
	assert_non_null(strstr(row, "dcictl"));
	assert_non_null(strstr(row, "Dashboard"));
	vt_row_text(v, 23, row, sizeof(row));
	assert_non_null(strstr(row, "? help"));
	assert_non_null(strstr(row, ": cmd"));
	assert_non_null(strstr(row, "q quit"));
	/* the keys that open screens, most needed first, as many as fit */
	assert_non_null(strstr(row, "m modules"));
	assert_non_null(strstr(row, "t tariffs"));
	assert_non_null(strstr(row, "S services"));
	assert_non_null(strstr(row, "v servers"));
	assert_non_null(strstr(row, "i IP"));
	assert_true(strstr(row, "m modules") < strstr(row, "t tariffs"));
	assert_true(strstr(row, "t tariffs") < strstr(row, "q quit"));
	/* and they work: t opens the Tariffs screen, Esc comes back */
	vt_send(v, "t");
	assert_true(vt_wait_row(v, 0, "Tariffs", TMO));
	EXPECT(v, "No tariffs yet"); /* its read is done */
	vt_key(v, VTERM_KEY_ESCAPE);
	assert_true(vt_wait_row(v, 23, "m modules", TMO));
	/* the dashboard says where the config and the store are */
	EXPECT(v, "config_state: read");
	EXPECT(v, f->dir);
	quit_ok(f);
}

static void test_help_and_back(void **state)
{
	fx *f = *state;
	vt *v = start(f, 24, 80, NULL, NULL);
	char row[4096];

	EXPECT(v, "Dashboard");
	vt_send(v, "?");
	EXPECT(v, "Keys everywhere");
	vt_row_text(v, 0, row, sizeof(row));
	assert_non_null(strstr(row, "Help: Dashboard"));
	/* every key that opens a screen, from the command table */
	EXPECT(v, "Screens (the key opens it from any screen)");
	EXPECT(v, "Modules (:module list)");
	EXPECT(v, "Add-ons (:addon list)");
	EXPECT(v, "API log (:api log)");
	{
		cmd_iter it = {0, 0};
		const cmd_def *c;
		char want[128], cn[64];
		int n = 0;

		while ((c = cmd_next(&it)))
			if (c->key && c->screen && !(c->flags & CMD_HIDDEN)) {
				snprintf(want, sizeof(want), "(:%s)",
				         cmd_name(c, cn, sizeof(cn)));
				EXPECT(v, want);
				n++;
			}
		assert_true(n >= 9);
	}
	/* help is generated from the key tables: a global key's text
	 * (below the first page: found with the filter) */
	vt_send(v, "/pause/resume");
	EXPECT(v, "pause/resume live refresh");
	EXPECT_GONE(v, "Moving in lists");
	vt_send(v, "\r");
	EXPECT(v, "Filter:");
	vt_key(v, VTERM_KEY_ESCAPE); /* clears the filter */
	EXPECT_GONE(v, "Filter:");
	vt_key(v, VTERM_KEY_ESCAPE);
	EXPECT_GONE(v, "Keys everywhere");
	vt_row_text(v, 0, row, sizeof(row));
	assert_null(strstr(row, "Help"));
	/* on a screen that uses a screen key itself, help says what it
	 * does there */
	vt_send(v, "m");
	assert_true(vt_wait_row(v, 0, "Modules", TMO));
	vt_send(v, "?");
	EXPECT(v, "Help: Modules");
	EXPECT(v, "Services (:service list); here: licence servers");
	vt_key(v, VTERM_KEY_ESCAPE);
	EXPECT_GONE(v, "Help: Modules");
	quit_ok(f);
}

static void test_cmdline_completion_history(void **state)
{
	fx *f = *state;
	vt *v = start(f, 24, 80, NULL, NULL);

	EXPECT(v, "Dashboard");
	vt_send(v, ":mes");
	EXPECT(v, ":mes");
	vt_send(v, "\t");
	EXPECT(v, ":messages"); /* (the added blank is trimmed by row text) */
	vt_send(v, "\r");
	EXPECT(v, "Messages");
	EXPECT(v, "MESSAGE"); /* the column title of the messages list */
	vt_key(v, VTERM_KEY_ESCAPE);
	EXPECT_GONE(v, "MESSAGE");
	/* history: Up brings the last command back */
	vt_send(v, ":");
	vt_key(v, VTERM_KEY_UP);
	EXPECT(v, ":messages");
	vt_key(v, VTERM_KEY_ESCAPE);
	/* several candidates: the common prefix, and the list shown */
	vt_send(v, ":help ");
	vt_send(v, "\t");
	EXPECT(v, "--topic");
	vt_key(v, VTERM_KEY_ESCAPE);
	quit_ok(f);
}

static void test_messages_history(void **state)
{
	fx *f = *state;
	vt *v = start(f, 24, 80, NULL, NULL);

	EXPECT(v, "Dashboard");
	vt_send(v, ":nosuchthing\r");
	EXPECT(v, "unknown command 'nosuchthing'");
	vt_send(v, ":messages\r");
	EXPECT(v, "MESSAGE");
	EXPECT(v, "ERROR");
	EXPECT(v, "unknown command 'nosuchthing'");
	quit_ok(f);
}

static void test_filter(void **state)
{
	fx *f = *state;
	vt *v = start(f, 24, 80, NULL, NULL);

	EXPECT(v, "Dashboard");
	vt_send(v, "?");
	EXPECT(v, "Keys everywhere");
	vt_send(v, "/refresh");
	EXPECT(v, "Filter:");
	EXPECT(v, "refresh live views less often");
	EXPECT_GONE(v, "Keys everywhere"); /* filtered out */
	vt_send(v, "\r");                  /* keep the filter, leave editing */
	EXPECT(v, "Filter:");
	vt_key(v, VTERM_KEY_ESCAPE); /* clears the filter first */
	EXPECT_GONE(v, "Filter:");
	EXPECT(v, "Keys everywhere");
	vt_key(v, VTERM_KEY_ESCAPE); /* then goes back */
	EXPECT_GONE(v, "Keys everywhere");
	quit_ok(f);
}

static void test_resize_too_small_and_back(void **state)
{
	fx *f = *state;
	vt *v = start(f, 24, 80, NULL, NULL);

	EXPECT(v, "Dashboard");
	vt_send(v, "?");
	EXPECT(v, "Keys everywhere");
	vt_resize(v, 20, 60);
	EXPECT(v, "terminal too small: need 80x24, have 60x20");
	vt_resize(v, 24, 80);
	EXPECT_GONE(v, "too small");
	/* state kept: still on the help screen */
	EXPECT(v, "Help: Dashboard");
	vt_resize(v, 50, 160);
	/* the hint bar moves to the new last row, the store to the right */
	if (!vt_wait_row(v, 49, "? help", TMO)) {
		vt_dump_named(v, __func__);
		fail_msg("no hint bar on row 49");
	}
	{
		int r = -1, c = -1;

		assert_true(vt_find(v, "store: store.db", &r, &c));
		assert_int_equal(r, 0);
		assert_true(c > 80);
	}
	EXPECT(v, "Help: Dashboard");
	quit_ok(f);
}

static void test_large_terminal(void **state)
{
	fx *f = *state;
	vt *v = start(f, 50, 160, NULL, NULL);
	int r = -1, c = -1;

	EXPECT(v, "Dashboard");
	assert_true(vt_wait_row(v, 49, "? help", TMO));
	assert_true(vt_find(v, "store: store.db", &r, &c));
	assert_int_equal(r, 0);
	assert_true(c > 140);
	quit_ok(f);
}

static void test_utf8_and_ascii(void **state)
{
	fx *f = *state;
	const char *lang_c[] = {"LANG=C", "LC_ALL=C", NULL};
	const char *ascii[] = {"--ascii", NULL};
	vt *v = start(f, 24, 80, NULL, NULL);

	EXPECT(v, "dcictl \xe2\x80\xba Dashboard"); /* "›" in UTF-8 */
	/* a dialog's frame: box drawing characters */
	vt_send(v, ":debug confirm\r");
	EXPECT(v, "\xe2\x94\x8c\xe2\x94\x80"); /* "┌─" */
	vt_key(v, VTERM_KEY_ESCAPE);
	quit_ok(f);
	v = start(f, 24, 80, NULL, lang_c);
	EXPECT(v, "dcictl > Dashboard");
	assert_false(vt_has_text(v, "\xe2\x80\xba"));
	vt_send(v, ":debug confirm\r");
	EXPECT(v, "+- Debug ---"); /* ASCII corners and lines */
	assert_false(vt_has_text(v, "\xe2\x94\x80"));
	vt_key(v, VTERM_KEY_ESCAPE);
	quit_ok(f);
	v = start(f, 24, 80, ascii, NULL);
	EXPECT(v, "dcictl > Dashboard");
	quit_ok(f);
}

static void test_color_and_no_color(void **state)
{
	fx *f = *state;
	const char *nocolor_env[] = {"NO_COLOR=1", NULL};
	const char *nocolor_opt[] = {"--no-color", NULL};
	vt_attrs a;
	vt *v = start(f, 24, 80, NULL, NULL);

	EXPECT(v, "Dashboard");
	assert_true(vt_any_color(v));
	quit_ok(f);

	v = start(f, 24, 80, NULL, nocolor_env);
	EXPECT(v, "Dashboard");
	EXPECT(v, "config_state: read"); /* sections drawn */
	assert_false(vt_any_color(v));
	/* monochrome still marks the header (reverse) */
	assert_int_equal(vt_cell_attrs(v, 0, 1, &a), 0);
	assert_true(a.reverse);
	quit_ok(f);

	v = start(f, 24, 80, nocolor_opt, NULL);
	EXPECT(v, "Dashboard");
	assert_false(vt_any_color(v));
	quit_ok(f);
}

/* The first registered command that changes things, with dummy values
 * for its required options; false if there is none yet. */
static bool mutating_command(char *line, size_t len)
{
	cmd_iter it = {0, 0};
	const cmd_def *c;

	while ((c = cmd_next(&it))) {
		size_t o;

		if ((c->flags & (CMD_RO_SAFE | CMD_CONSOLE_ONLY)) || !c->run)
			continue;
		o = (size_t)snprintf(line, len, "%s%s%s", c->noun,
		                     c->verb ? " " : "",
		                     c->verb ? c->verb : "");
		for (const cmd_opt *p = c->opts; p && p->name; p++)
			if (p->flags & CMD_OPT_REQUIRED)
				o += (size_t)snprintf(
				    line + o, len - o, " --%s%s", p->name,
				    p->type == CMD_OPT_FLAG  ? ""
				    : p->type == CMD_OPT_INT ? " 1"
				                             : " x");
		return true;
	}
	return false;
}

static void test_read_only(void **state)
{
	fx *f = *state;
	const char *ro[] = {"--read-only", NULL};
	char line[512], keys[600];
	vt *v = start(f, 24, 80, ro, NULL);

	EXPECT(v, "[READ-ONLY]");
	if (!mutating_command(line, sizeof(line))) {
		quit_ok(f);
		skip(); /* no command that changes things is registered yet */
	}
	snprintf(keys, sizeof(keys), ":%s\r", line);
	vt_send(v, keys);
	EXPECT(v, "read-only:");
	quit_ok(f);
}

static void test_job_spinner_keys_still_work(void **state)
{
	fx *f = *state;
	vt *v = start(f, 24, 80, NULL, NULL);

	EXPECT(v, "Dashboard");
	vt_send(v, ":debug sleep 3000\r");
	EXPECT(v, "debug sleep");
	EXPECT(v, "Ctrl-C cancels");
	/* the screen answers keys while the job runs */
	vt_send(v, "?");
	EXPECT(v, "Keys everywhere");
	assert_true(vt_has_text(v, "Ctrl-C cancels"));
	vt_key(v, VTERM_KEY_ESCAPE);
	EXPECT_GONE(v, "Keys everywhere");
	EXPECT(v, "slept 3000 ms");
	EXPECT_GONE(v, "Ctrl-C cancels");
	quit_ok(f);
}

static void test_job_cancel(void **state)
{
	fx *f = *state;
	vt *v = start(f, 24, 80, NULL, NULL);

	EXPECT(v, "Dashboard");
	vt_send(v, ":debug sleep 600000\r");
	EXPECT(v, "Ctrl-C cancels");
	vt_ctrl(v, 'c');
	EXPECT(v, "cancelled");
	EXPECT_GONE(v, "Ctrl-C cancels");
	quit_ok(f);
}

static void test_q_quits_from_root(void **state)
{
	fx *f = *state;
	vt *v = start(f, 24, 80, NULL, NULL);
	int code = -1;

	EXPECT(v, "Dashboard");
	vt_send(v, "?");
	EXPECT(v, "Keys everywhere");
	vt_send(v, "q"); /* closes help */
	EXPECT_GONE(v, "Keys everywhere");
	vt_send(v, "q"); /* quits */
	assert_true(vt_wait_exit(v, TMO, &code));
	assert_int_equal(code, 0);
	vt_stop(v, 1000);
	f->v = NULL;
}

static void test_form_fields_and_save(void **state)
{
	fx *f = *state;
	vt *v = start(f, 24, 80, NULL, NULL);

	EXPECT(v, "Dashboard");
	vt_send(v, ":debug form\r");
	EXPECT(v, "Debug form");
	EXPECT(v, "Name *:");
	/* checked as the field is left, the reason beside the field */
	vt_send(v, "a b\t");
	EXPECT(v, "! Name must not contain blanks");
	vt_send(v, "\x1b[Z"); /* Shift-Tab: back to the name */
	vt_ctrl(v, 'u');
	vt_send(v, "good\t");
	EXPECT_GONE(v, "Name must not contain blanks");
	/* the password is drawn masked, never in clear */
	vt_send(v, "s3cr3t\t");
	EXPECT(v, "******");
	assert_false(vt_has_text(v, "s3cr3t"));
	vt_send(v, "abc\t");
	EXPECT(v, "! Count must be a whole number");
	/* values and reasons survive a resize */
	vt_resize(v, 30, 100);
	assert_true(vt_wait_row(v, 29, "next", TMO));
	EXPECT(v, "good");
	EXPECT(v, "! Count must be a whole number");
	vt_resize(v, 24, 80);
	assert_true(vt_wait_row(v, 23, "next", TMO));
	/* F1 is help inside a form ('?' would be typed) */
	vt_key(v, VTERM_KEY_FUNCTION(1));
	EXPECT(v, "Keys of Debug form");
	vt_key(v, VTERM_KEY_ESCAPE);
	EXPECT_GONE(v, "Keys of Debug form");
	/* OK is refused while a field is invalid; focus goes to it */
	vt_send(v, "\r\r\r"); /* Colour, Enabled, OK */
	EXPECT(v, "not saved: 1 field to fix");
	vt_ctrl(v, 'u');
	vt_send(v, "7\r\r\r\r");
	EXPECT(v, "echo: name=good count=7");
	EXPECT(v, "password=*** (given)");
	EXPECT_GONE(v, "Debug form");
	quit_ok(f);
}

static void test_form_refusal_names_field(void **state)
{
	fx *f = *state;
	vt *v = start(f, 24, 80, NULL, NULL);

	EXPECT(v, "Dashboard");
	vt_send(v, ":debug form --name taken\r"); /* prefilled from the line */
	EXPECT(v, "taken");
	vt_send(v, "\t\t5\r\r\r\r");
	EXPECT(v, "! name 'taken' is already used");
	EXPECT(v, "Debug form"); /* still open, values kept */
	/* in a form Q is typed text: Esc leaves first */
	vt_key(v, VTERM_KEY_ESCAPE);
	EXPECT_GONE(v, "Debug form");
	quit_ok(f);
}

static void test_confirm_quit_with_job(void **state)
{
	fx *f = *state;
	vt *v = start(f, 24, 80, NULL, NULL);
	int code = -1;

	EXPECT(v, "Dashboard");
	vt_send(v, ":debug sleep 600000\r");
	EXPECT(v, "Ctrl-C cancels");
	vt_send(v, "Q");
	EXPECT(v, "Quit anyway?");
	EXPECT(v, "[ Cancel ]");
	vt_send(v, "\r"); /* Cancel is the default */
	EXPECT_GONE(v, "Quit anyway?");
	assert_true(vt_has_text(v, "Ctrl-C cancels"));
	assert_false(v->exited);
	vt_send(v, "Q");
	EXPECT(v, "Quit anyway?");
	vt_send(v, "\t\r"); /* OK */
	assert_true(vt_wait_exit(v, TMO, &code));
	assert_int_equal(code, 0);
	vt_stop(v, 1000);
	f->v = NULL;
}

static void test_apilog_screen(void **state)
{
	fx *f = *state;
	vt *v = start(f, 24, 80, NULL, NULL);

	EXPECT(v, "Dashboard");
	/* the key comes from the command table and is listed on the
	 * dashboard */
	EXPECT(v, ":api log");
	vt_send(v, "L");
	EXPECT(v, "API log");
	EXPECT(v, "No panel calls yet in this run");
	assert_true(vt_wait_row(v, 23, "Enter details", TMO));
	vt_key(v, VTERM_KEY_ESCAPE);
	EXPECT_GONE(v, "API log");
	quit_ok(f);
}

static void test_config_key_overrides(void **state)
{
	fx *f = *state;
	char path[4200];
	FILE *c;
	vt *v;

	snprintf(path, sizeof(path), "%s/config", f->dir);
	c = fopen(path, "a");
	assert_non_null(c);
	fputs("keys = (\n"
	      "  { key = \"x\"; action = \"help\"; },\n"
	      "  { key = \"F2\"; action = \"api.log\"; },\n"
	      "  { key = \"z\"; action = \"no-such-action\"; }\n"
	      ");\n",
	      c);
	fclose(c);
	v = start(f, 24, 80, NULL, NULL);
	EXPECT(v, "Dashboard");
	/* a wrong binding is reported with its config line, not fatal */
	EXPECT(v, "unknown action 'no-such-action'");
	/* line and reason come before the path, so a long path cannot push
	 * them off an 80-column message line */
	EXPECT(v, "config line 5:");
	vt_send(v, "x"); /* bound to help */
	EXPECT(v, "Keys everywhere");
	vt_send(v, "/api.log\r"); /* help lists the config's bindings */
	EXPECT(v, "1 of");
	EXPECT(v, "F2");
	vt_key(v, VTERM_KEY_ESCAPE); /* clears the filter */
	vt_key(v, VTERM_KEY_ESCAPE); /* back */
	EXPECT_GONE(v, "Help:");
	vt_key(v, VTERM_KEY_FUNCTION(2));
	EXPECT(v, "API log");
	vt_key(v, VTERM_KEY_ESCAPE);
	EXPECT_GONE(v, "API log");
	quit_ok(f);
}

static void test_mouse_click_and_wheel(void **state)
{
	fx *f = *state;
	vt *v = start(f, 24, 80, NULL, NULL);
	vt_attrs a;
	int r = -1, c = -1;

	EXPECT(v, "Dashboard");
	vt_send(v, "?");
	EXPECT(v, "Keys everywhere");
	/* a click on a row selects it: the marker moves there */
	vt_click(v, 6, 20);
	for (int i = 0; i < 100; i++) {
		vt_pump(v, 50);
		if (vt_cell_attrs(v, 6, 0, &a) == 0 && strcmp(a.text, " ") &&
		    a.text[0])
			break;
	}
	assert_int_equal(vt_cell_attrs(v, 6, 0, &a), 0);
	assert_string_equal(a.text, "\xe2\x96\xb6"); /* the ▶ marker */
	/* the wheel moves the selection down */
	vt_wheel(v, 10, 20, 1);
	if (!vt_wait_row(v, 9, "\xe2\x96\xb6", TMO)) {
		vt_dump_named(v, __func__);
		fail_msg("wheel did not move the selection");
	}
	(void)r;
	(void)c;
	quit_ok(f);
}

static void test_theme_error_reported(void **state)
{
	fx *f = *state;
	char path[4200], arg[4300];
	FILE *t;

	snprintf(path, sizeof(path), "%s/bad.theme", f->dir);
	t = fopen(path, "w");
	assert_non_null(t);
	fputs("roles: {\n  ok = { c256 = { fg = \"purpel\"; }; };\n};\n", t);
	fclose(t);
	snprintf(arg, sizeof(arg), "--theme=%s", path);
	const char *args[] = {arg, NULL};
	vt *v = start(f, 50, 160, args, NULL); /* room for the long path */

	EXPECT(v, "Dashboard");
	EXPECT(v, "bad.theme:2: unknown colour 'purpel'");
	EXPECT(v, "built-in theme");
	quit_ok(f);
	unlink(path);
}

static void test_pause_and_refresh_rate(void **state)
{
	fx *f = *state;
	vt *v = start(f, 24, 80, NULL, NULL);

	EXPECT(v, "Dashboard");
	vt_send(v, "p");
	EXPECT(v, "[PAUSED]");
	EXPECT(v, "live refresh paused");
	vt_send(v, "p");
	EXPECT_GONE(v, "[PAUSED]");
	vt_send(v, "+");
	EXPECT(v, "refreshing every 5 s");
	vt_send(v, "--");
	EXPECT(v, "refreshing every 1 s");
	quit_ok(f);
}

static void test_confirm_typed_word(void **state)
{
	fx *f = *state;
	vt *v = start(f, 24, 80, NULL, NULL);

	EXPECT(v, "Dashboard");
	/* plain: Enter takes the default, Cancel */
	vt_send(v, ":debug confirm\r");
	EXPECT(v, "Confirm nothing at all?");
	vt_send(v, "\r");
	EXPECT(v, "debug confirm: cancelled");
	/* typed: OK needs the exact word */
	vt_send(v, ":debug confirm srv-0042\r");
	EXPECT(v, "Type srv-0042 to confirm:");
	vt_send(v, "srv-004\r");
	EXPECT(v, "type 'srv-0042' exactly to confirm");
	assert_true(vt_has_text(v, "Confirm nothing at all?"));
	vt_send(v, "2\r");
	EXPECT(v, "debug confirm: confirmed");
	EXPECT_GONE(v, "Confirm nothing at all?");
	/* Esc cancels */
	vt_send(v, ":debug confirm x\r");
	EXPECT(v, "Type x to confirm:");
	vt_send(v, "x");
	vt_key(v, VTERM_KEY_ESCAPE);
	EXPECT_GONE(v, "Type x to confirm:");
	EXPECT(v, "debug confirm: cancelled");
	quit_ok(f);
}

static void test_form_draft_kept_after_esc(void **state)
{
	fx *f = *state;
	vt *v = start(f, 24, 80, NULL, NULL);

	EXPECT(v, "Dashboard");
	vt_send(v, ":debug form\r");
	EXPECT(v, "Name *:");
	vt_send(v, "keepme\tpw123\t42");
	EXPECT(v, "42");
	vt_key(v, VTERM_KEY_ESCAPE); /* leave without saving */
	EXPECT_GONE(v, "Name *:");
	vt_send(v, ":debug form\r");
	EXPECT(v, "what you typed last time is back");
	EXPECT(v, "keepme");
	EXPECT(v, "42");
	assert_false(vt_has_text(v, "***")); /* passwords are not kept */
	vt_key(v, VTERM_KEY_ESCAPE);
	EXPECT_GONE(v, "Name *:");
	quit_ok(f);
}

static void test_sigterm_leaves_cleanly(void **state)
{
	fx *f = *state;
	vt *v = start(f, 24, 80, NULL, NULL);
	int code = -1;

	EXPECT(v, "Dashboard");
	vt_send(v, ":debug sleep 600000\r"); /* work in flight */
	EXPECT(v, "Ctrl-C cancels");
	kill(v->pid, SIGTERM);
	assert_true(vt_wait_exit(v, TMO, &code));
	assert_int_equal(code, 0); /* exited, not killed */
	vt_stop(v, 1000);
	f->v = NULL;
}

/* The colour tiers follow the terminal: 256 colours, 8/16, none. */
static void test_colour_tiers(void **state)
{
	fx *f = *state;
	const char *t16[] = {"TERM=xterm", NULL};
	const char *tmono[] = {"TERM=vt100", NULL};
	vt_attrs a;
	vt *v = start(f, 24, 80, NULL, NULL);

	EXPECT(v, "Dashboard");
	assert_true(vt_wait_row(v, 0, "store:", TMO));
	assert_int_equal(vt_cell_attrs(v, 0, 1, &a), 0);
	assert_int_equal(a.bg, 24); /* the 256-colour header */
	quit_ok(f);

	v = start(f, 24, 80, NULL, t16);
	EXPECT(v, "Dashboard");
	assert_true(vt_wait_row(v, 0, "store:", TMO));
	assert_int_equal(vt_cell_attrs(v, 0, 1, &a), 0);
	assert_int_equal(a.bg, 4); /* blue from the 16-colour tier */
	quit_ok(f);

	v = start(f, 24, 80, NULL, tmono);
	EXPECT(v, "Dashboard");
	EXPECT(v, "config_state: read");
	assert_false(vt_any_color(v));
	assert_int_equal(vt_cell_attrs(v, 0, 1, &a), 0);
	assert_true(a.reverse);
	quit_ok(f);
}

/* A secret option's value typed on the : line is drawn as stars. */
static void test_cmdline_masks_secrets(void **state)
{
	fx *f = *state;
	vt *v = start(f, 24, 80, NULL, NULL);

	EXPECT(v, "Dashboard");
	vt_send(v, ":debug echo --password hunter2 --name x");
	EXPECT(v, "--name x");
	EXPECT(v, "--password *******");
	assert_false(vt_has_text(v, "hunter2"));
	vt_ctrl(v, 'u');
	vt_send(v, "debug echo --password=s3cr3t");
	EXPECT(v, "--password=******");
	assert_false(vt_has_text(v, "s3cr3t"));
	vt_send(v, " --name y\r");
	EXPECT(v, "password=*** (given)");
	/* and the history keeps *** instead of the value */
	vt_send(v, ":");
	vt_key(v, VTERM_KEY_UP);
	EXPECT(v, "--password ***");
	assert_false(vt_has_text(v, "s3cr3t"));
	vt_key(v, VTERM_KEY_ESCAPE);
	quit_ok(f);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_header_hints_dashboard),
	    T(test_help_and_back),
	    T(test_cmdline_completion_history),
	    T(test_messages_history),
	    T(test_filter),
	    T(test_resize_too_small_and_back),
	    T(test_large_terminal),
	    T(test_utf8_and_ascii),
	    T(test_color_and_no_color),
	    T(test_read_only),
	    T(test_job_spinner_keys_still_work),
	    T(test_job_cancel),
	    T(test_q_quits_from_root),
	    T(test_form_fields_and_save),
	    T(test_form_refusal_names_field),
	    T(test_confirm_quit_with_job),
	    T(test_apilog_screen),
	    T(test_config_key_overrides),
	    T(test_mouse_click_and_wheel),
	    T(test_theme_error_reported),
	    T(test_pause_and_refresh_rate),
	    T(test_confirm_typed_word),
	    T(test_form_draft_kept_after_esc),
	    T(test_sigterm_leaves_cleanly),
	    T(test_colour_tiers),
	    T(test_cmdline_masks_secrets),
	};

	if (getenv("TEST_FILTER")) /* run some: TEST_FILTER='*resize*' */
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
