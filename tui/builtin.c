/* builtin.c - the frame's own commands: help, messages, quit, and a
 * hidden debug aid that occupies the worker (to see and test the spinner
 * and cancellation without a panel). */
#include "app.h"
#include "cmd.h"
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
    {NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, 0},
};
