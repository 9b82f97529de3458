/* builtin.c - the frame's own commands: help, messages, quit, and a
 * hidden debug aid that occupies the worker (to see and test the spinner
 * and cancellation without a panel). */
#include "app.h"
#include "cmd.h"
#include "form.h"
#include "ui.h"

#include <string.h>
#include <time.h>

extern const ui_screen_ops help_screen;
extern const ui_screen_ops messages_screen;

static void opt_help(const cmd_opt *o, out *ob)
{
	out_obj_begin(ob, NULL);
	out_str(ob, "option", o->name);
	out_str(ob, "value",
	        o->type == CMD_OPT_FLAG ? "-"
	        : o->metavar            ? o->metavar
	                                : "VALUE");
	out_bool(ob, "required", o->flags & CMD_OPT_REQUIRED);
	out_bool(ob, "repeatable", o->flags & CMD_OPT_REPEAT);
	out_str(ob, "help", o->help ? o->help : "");
	out_obj_end(ob);
}

static int help_run(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err)
{
	const char *noun = cmd_arg_nth(a, "topic", 0);
	const char *verb = cmd_arg_nth(a, "topic", 1);
	const cmd_def *c = NULL;
	cmd_iter it = {0, 0};
	char cn[64];
	bool any = false;

	(void)ctx;
	if (noun)
		c = cmd_find(noun, verb);
	if (c) {
		out_obj_begin(o, NULL);
		out_str(o, "command", cmd_name(c, cn, sizeof(cn)));
		out_str(o, "summary", c->summary ? c->summary : "");
		if (c->help)
			out_str(o, "help", c->help);
		out_bool(o, "read_only_safe", c->flags & CMD_RO_SAFE);
		out_arr_begin(o, "options");
		for (const cmd_opt *p = c->opts; p && p->name; p++)
			opt_help(p, o);
		out_arr_end(o);
		out_obj_end(o);
		return 0;
	}
	out_arr_begin(o, NULL);
	while ((c = cmd_next(&it))) {
		if ((c->flags & CMD_HIDDEN) || (noun && strcmp(c->noun, noun)))
			continue;
		any = true;
		out_obj_begin(o, NULL);
		out_str(o, "command", cmd_name(c, cn, sizeof(cn)));
		out_str(o, "summary", c->summary ? c->summary : "");
		out_bool(o, "changes", !(c->flags & CMD_RO_SAFE));
		out_obj_end(o);
	}
	out_arr_end(o);
	if (noun && !any)
		return err_set(err, DC_E_NOTFOUND, "no command '%s%s%s'", noun,
		               verb ? " " : "", verb ? verb : "");
	return 0;
}

static int quit_run(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err)
{
	(void)a;
	(void)o;
	(void)err;
	ui_quit(ctx->ui);
	return 0;
}

static int sleep_run(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err)
{
	long long ms = cmd_arg_int(a, "ms", 1000);
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct timespec step = {0, 20 * 1000000L};
		long long el;

		if (ctx->cancel && *ctx->cancel)
			return err_set(err, DC_E_CANCELLED, "cancelled");
		clock_gettime(CLOCK_MONOTONIC, &now);
		el = (now.tv_sec - start.tv_sec) * 1000LL +
		     (now.tv_nsec - start.tv_nsec) / 1000000LL;
		if (el >= ms)
			break;
		nanosleep(&step, NULL);
	}
	out_msg(o, "slept %lld ms", ms);
	return 0;
}

/* debug echo: what the debug form saves; shows the values it got. */
static int echo_run(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err)
{
	const char *pw = cmd_arg(a, "password");
	const char *name = cmd_arg(a, "name");

	(void)ctx;
	if (strcmp(name, "taken") == 0) /* how a store refusal looks */
		return err_field(err, DC_E_INVALID, "name",
		                 "name 'taken' is already used");
	out_msg(o,
	        "echo: name=%s count=%lld colour=%s enabled=%s "
	        "password=%s",
	        name, cmd_arg_int(a, "count", 0),
	        cmd_arg(a, "colour") ? cmd_arg(a, "colour") : "-",
	        cmd_flag(a, "enabled") ? "yes" : "no",
	        pw ? "*** (given)" : "(none)");
	return 0;
}

static int no_blank(const char *v, void *ctx, char *why, size_t len)
{
	(void)ctx;
	if (strchr(v, ' ')) {
		snprintf(why, len, "Name must not contain blanks");
		return -1;
	}
	return 0;
}

static const char *const colours[] = {"red", "green", "blue", NULL};

static const form_field echo_fields[] = {
    {"name",
     "Name",
     FF_TEXT,
     true,
     0,
     0,
     NULL,
     {no_blank, NULL, NULL},
     "any word without blanks; 'taken' is refused on save"},
    {"password",
     "Password",
     FF_PASSWORD,
     false,
     0,
     0,
     NULL,
     {NULL, NULL, NULL},
     "drawn masked, never echoed"},
    {"count",
     "Count",
     FF_INT,
     true,
     1,
     100,
     NULL,
     {NULL, NULL, NULL},
     "a whole number 1..100"},
    {"colour",
     "Colour",
     FF_SELECT,
     false,
     0,
     0,
     colours,
     {NULL, NULL, NULL},
     "Space or Left/Right chooses"},
    {"enabled",
     "Enabled",
     FF_CHECK,
     false,
     0,
     0,
     NULL,
     {NULL, NULL, NULL},
     "Space toggles"},
    {NULL, NULL, 0, false, 0, 0, NULL, {NULL, NULL, NULL}, NULL},
};

extern const cmd_def builtin_cmds[];

static const form_spec echo_form = {"Debug form", echo_fields, &builtin_cmds[5],
                                    NULL};
static const ui_screen_ops echo_screen =
    FORM_SCREEN_OPS("Debug form", &echo_form);

static const cmd_opt echo_opts[] = {
    {"name", CMD_OPT_STR, CMD_OPT_REQUIRED, "NAME", "a word", 0, 0, NULL},
    {"password", CMD_OPT_STR, CMD_OPT_SECRET, "PW", "masked", 0, 0, NULL},
    {"count", CMD_OPT_INT, 0, "N", "1..100", 1, 100, NULL},
    {"colour", CMD_OPT_STR, 0, "COLOUR", "red, green or blue", 0, 0, NULL},
    {"enabled", CMD_OPT_FLAG, 0, NULL, "a flag", 0, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL},
};

static void confirm_answer(ui *u, void *arg, bool yes)
{
	(void)arg;
	ui_msg(u, yes ? UI_OK : UI_INFO,
	       yes ? "debug confirm: confirmed" : "debug confirm: cancelled");
}

/* Opens the confirmation dialog (main thread: CMD_QUICK). */
static int confirm_run(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err)
{
	(void)o;
	(void)err;
	ui_confirm(ctx->ui, "Debug",
	           "Confirm nothing at all? Cancel is the default; this "
	           "changes nothing either way.",
	           cmd_arg(a, "typed"), confirm_answer, NULL);
	return 0;
}

static const cmd_opt confirm_opts[] = {
    {"typed", CMD_OPT_STR, CMD_OPT_POSITIONAL, "WORD",
     "the word to type to enable OK", 0, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL},
};

/* the same options, none required: the form asks for what is missing */
static const cmd_opt form_opts[] = {
    {"name", CMD_OPT_STR, 0, "NAME", "a word", 0, 0, NULL},
    {"count", CMD_OPT_INT, 0, "N", "1..100", 1, 100, NULL},
    {"colour", CMD_OPT_STR, 0, "COLOUR", "red, green or blue", 0, 0, NULL},
    {"enabled", CMD_OPT_FLAG, 0, NULL, "a flag", 0, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL},
};

static const cmd_opt help_opts[] = {
    {"topic", CMD_OPT_STR, CMD_OPT_POSITIONAL | CMD_OPT_REPEAT, "NOUN [VERB]",
     "show only this noun's commands, or one command in detail", 0, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL},
};

static const cmd_opt sleep_opts[] = {
    {"ms", CMD_OPT_INT, CMD_OPT_POSITIONAL | CMD_OPT_REQUIRED, "MS",
     "milliseconds", 0, 3600000, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL},
};

const cmd_def builtin_cmds[] = {
    {"help", NULL, help_opts, "list the commands, or describe one",
     "In the console, :help shows the keys of the current screen too.",
     CMD_RO_SAFE, help_run, &help_screen, 0},
    {"messages", NULL, NULL, "the history of the message line", NULL,
     CMD_RO_SAFE | CMD_CONSOLE_ONLY, NULL, &messages_screen, 0},
    {"quit", NULL, NULL, "leave the console", NULL,
     CMD_RO_SAFE | CMD_CONSOLE_ONLY | CMD_QUICK, quit_run, NULL, 0},
    {"debug", "sleep", sleep_opts,
     "debug aid: keep the worker busy for MS milliseconds",
     "Shows the spinner and lets you try cancelling (Ctrl-C) without a "
     "panel; changes nothing.",
     CMD_RO_SAFE | CMD_HIDDEN, sleep_run, NULL, 0},
    {"debug", "form", form_opts,
     "debug aid: a form with every kind of field (saves nothing)", NULL,
     CMD_RO_SAFE | CMD_HIDDEN | CMD_CONSOLE_ONLY, NULL, &echo_screen, 0},
    /* index 5: the debug form's save */
    {"debug", "echo", echo_opts,
     "debug aid: print the values the debug form gives", NULL,
     CMD_RO_SAFE | CMD_HIDDEN, echo_run, NULL, 0},
    {"debug", "confirm", confirm_opts,
     "debug aid: the confirmation dialog (optionally with a word to type)",
     NULL, CMD_RO_SAFE | CMD_HIDDEN | CMD_CONSOLE_ONLY | CMD_QUICK, confirm_run,
     NULL, 0},
    {NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, 0},
};
