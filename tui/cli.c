/* cli.c - see cli.h. */
#include "cli.h"

#include "cli_call.h"
#include "cmd.h"
#include "json.h"
#include "ui.h"

#include <string.h>

const cli_gopt cli_global_opts[] = {
    {"config", "FILE",
     "read this config file (default: $DCICTL_CONFIG, "
     "$XDG_CONFIG_HOME/dcictl/config, "
     "~/.config/dcictl/config)"},
    {"store", "FILE", "use this store instead of the config's"},
    {"read-only", NULL, "refuse every command that would change something"},
    {"no-color", NULL,
     "no colours (also when NO_COLOR is set); bold and "
     "reverse remain"},
    {"ascii", NULL, "ASCII line drawing even in a UTF-8 locale"},
    {"theme", "NAME", "colour theme: a name in themes/ or a file path"},
    {"json", NULL, "machine-readable output"},
    {"help", NULL, "this help, or a command's (dcictl module add --help)"},
    {"version", NULL, "print the version"},
    {NULL, NULL, NULL},
};

static const cli_gopt *gopt_find(const char *name, size_t len)
{
	for (const cli_gopt *g = cli_global_opts; g->name; g++)
		if (strlen(g->name) == len && strncmp(g->name, name, len) == 0)
			return g;
	return NULL;
}

int cli_globals(int argc, char **argv, app_opts *o, unsigned *flags,
                char **rest, dc_err *err)
{
	int n = 0;
	bool dashdash = false, raw = false;

	*flags = 0;
	for (int i = 1; i < argc; i++) {
		char *w = argv[i];

		if (dashdash || raw || w[0] != '-') {
			if (n == 0 && strcmp(w, "call") == 0)
				raw = true; /* cli_call parses its own */
			rest[n++] = w;
			continue;
		}
		if (strcmp(w, "--") == 0) {
			dashdash = true;
			rest[n++] = w;
			continue;
		}
		if (strcmp(w, "-h") == 0) {
			*flags |= CLI_HELP;
			continue;
		}
		if (strcmp(w, "-V") == 0) {
			*flags |= CLI_VERSION;
			continue;
		}
		if (strcmp(w, "--man") == 0) {
			*flags |= CLI_MAN;
			continue;
		}
		const char *name = w + 2, *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		const cli_gopt *g = w[1] == '-' ? gopt_find(name, len) : NULL;
		const char *val = NULL;

		if (!g) {
			rest[n++] = w; /* a command option */
			continue;
		}
		if (g->metavar) {
			if (eq)
				val = eq + 1;
			else if (i + 1 < argc)
				val = argv[++i];
			else
				return err_field(err, DC_E_INVALID, g->name,
				                 "--%s needs a value (%s)",
				                 g->name, g->metavar);
		} else if (eq) {
			return err_field(err, DC_E_INVALID, g->name,
			                 "--%s takes no value", g->name);
		}
		if (!strcmp(g->name, "config"))
			o->config = val;
		else if (!strcmp(g->name, "store"))
			o->store = val;
		else if (!strcmp(g->name, "theme"))
			o->theme = val;
		else if (!strcmp(g->name, "read-only"))
			o->read_only = true;
		else if (!strcmp(g->name, "no-color"))
			o->no_color = true;
		else if (!strcmp(g->name, "ascii"))
			o->ascii = true;
		else if (!strcmp(g->name, "json"))
			o->json = true;
		else if (!strcmp(g->name, "help"))
			*flags |= CLI_HELP;
		else if (!strcmp(g->name, "version"))
			*flags |= CLI_VERSION;
	}
	return n;
}

/* {"error": {...}} and, when a failed command wrote something before it
 * failed (the steps of a check, the flags found), "output": that, in the
 * shape it has on success. One document, so that a script reads both. */
static void json_error(FILE *f, const dc_err *e, const out *o)
{
	jw w;

	jw_init(&w, f, false);
	jw_obj_begin(&w);
	jw_key(&w, "error");
	jw_obj_begin(&w);
	jw_key(&w, "category");
	jw_str(&w, dc_errcat_name(e->cat));
	jw_key(&w, "message");
	jw_str(&w, e->msg);
	if (e->field[0]) {
		jw_key(&w, "field");
		jw_str(&w, e->field);
	}
	jw_key(&w, "retryable");
	jw_bool(&w, e->retryable);
	jw_obj_end(&w);
	if (o && (out_has_data(o) || out_msg_count(o))) {
		jw_key(&w, "output");
		out_json_value(o, &w);
	}
	jw_obj_end(&w);
	jw_finish(&w);
}

int cli_run(app *a, int argc, char **argv, FILE *outf, FILE *errf)
{
	dc_err err;
	cmd_args *args;
	out *o;
	int rc;
	char line[700];
	cmd_ctx ctx = {.app = a,
	               .ui = NULL,
	               .read_only = a->read_only,
	               .json = a->opt.json,
	               .cancel = NULL};

	err_clear(&err);
	args = cmd_parse(argc, argv, &err);
	if (!args) {
		fprintf(errf, "dcictl: %s\n", err.msg);
		if (a->opt.json)
			json_error(outf, &err, NULL);
		return 2;
	}
	o = out_new();
	if (!o) {
		cmd_args_free(args);
		fputs("dcictl: out of memory\n", errf);
		return 1;
	}
	rc = cmd_exec(&ctx, args, o, &err);
	if (rc < 0) {
		/* what it wrote before failing first, then why it failed */
		if (a->opt.json) {
			json_error(outf, &err, o);
		} else if (out_has_data(o) || out_msg_count(o)) {
			out_render_text(o, outf);
			fflush(outf);
		}
		fprintf(errf, "dcictl: %s\n",
		        err_line(&err, line, sizeof(line)));
	} else if (a->opt.json) {
		out_render_json(o, outf, true);
	} else {
		out_render_text(o, outf);
	}
	out_free(o);
	cmd_args_free(args);
	return rc < 0 ? 1 : 0;
}

void cli_usage(FILE *f)
{
	fputs("usage: dcictl [options]                 open the console\n"
	      "       dcictl [options] NOUN VERB [--opt value...]\n"
	      "       dcictl [options] call ...        one raw panel API "
	      "call\n\noptions:\n",
	      f);
	for (const cli_gopt *g = cli_global_opts; g->name; g++) {
		char left[40];

		snprintf(left, sizeof(left), "--%s%s%s", g->name,
		         g->metavar ? " " : "", g->metavar ? g->metavar : "");
		fprintf(f, "  %-18s %s\n", left, g->help);
	}
	fputs("\ncommands:\n", f);
	cmd_print_list(NULL, f);
	fputs("\n'dcictl NOUN VERB --help' describes one command.\n", f);
}

int cli_help(int argc, char **argv, FILE *f)
{
	const cmd_def *c = NULL;

	if (argc >= 2 && argv[1][0] != '-')
		c = cmd_find(argv[0], argv[1]);
	if (!c)
		c = cmd_find(argv[0], NULL);
	if (c) {
		cmd_print_usage(c, f);
		return 0;
	}
	cmd_iter it = {0, 0};
	const cmd_def *d;

	while ((d = cmd_next(&it)))
		if (strcmp(d->noun, argv[0]) == 0) {
			fprintf(f, "%s commands:\n", argv[0]);
			cmd_print_list(argv[0], f);
			return 0;
		}
	fprintf(stderr, "dcictl: unknown command '%s' (try dcictl help)\n",
	        argv[0]);
	return 2;
}

/* ---- man page ---- */

/* roff-escapes text: backslashes, and leading dots/quotes. */
static void roff(FILE *f, const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", f);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\e", f);
		else if (*s == '-')
			fputs("\\-", f);
		else
			fputc(*s, f);
	}
}

static void man_keys(FILE *f, const ui_key *k)
{
	char kn[32];

	for (; k->key; k++) {
		fputs(".TP\n.B ", f);
		roff(f, keys_name(k->key, kn, sizeof(kn)));
		fputc('\n', f);
		roff(f, k->help ? k->help : "");
		fputc('\n', f);
	}
}

void cli_man(FILE *f)
{
	cmd_iter it = {0, 0};
	const cmd_def *c;
	char cn[64], kn[32];

	fputs(".\\\" Generated by 'dcictl --man' from the command and key "
	      "tables; do not edit.\n",
	      f);
	fprintf(f, ".TH DCICTL 1 \"\" \"dcictl %s\" \"User Commands\"\n",
	        DCICTL_VERSION);
	fputs(".SH NAME\ndcictl \\- billing console and CLI for DCImanager, "
	      "IPmanager and licence panels\n"
	      ".SH SYNOPSIS\n.B dcictl\n[\\fIoptions\\fR]\n.br\n.B dcictl\n"
	      "[\\fIoptions\\fR] \\fInoun verb\\fR [\\fB\\-\\-option\\fR "
	      "\\fIvalue\\fR...] [\\fB\\-\\-json\\fR]\n.br\n.B dcictl\n"
	      "[\\fIoptions\\fR] \\fBcall\\fR ...\n"
	      ".SH DESCRIPTION\nWithout a command, \\fBdcictl\\fR opens the "
	      "console: an ncurses interface for operators that works with "
	      "the keyboard alone at 80x24 and without colour. With a "
	      "command it runs that command and exits; every command is "
	      "also available on the console's \\fB:\\fR line.\n"
	      ".SH OPTIONS\n",
	      f);
	for (const cli_gopt *g = cli_global_opts; g->name; g++) {
		fprintf(f, ".TP\n.B \\-\\-%s", g->name);
		if (g->metavar)
			fprintf(f, " \\fI%s\\fR", g->metavar);
		fputc('\n', f);
		roff(f, g->help);
		fputc('\n', f);
	}
	fputs(".SH COMMANDS\n", f);
	while ((c = cmd_next(&it))) {
		if (c->flags & CMD_HIDDEN)
			continue;
		fputs(".TP\n.B ", f);
		roff(f, cmd_name(c, cn, sizeof(cn)));
		for (const cmd_opt *o = c->opts; o && o->name; o++) {
			bool req = o->flags & CMD_OPT_REQUIRED;

			fprintf(f, " %s\\fB\\-\\-", req ? "" : "[");
			roff(f, o->name);
			fputs("\\fR", f);
			if (o->type != CMD_OPT_FLAG) {
				fputs(" \\fI", f);
				roff(f, o->metavar ? o->metavar : "VALUE");
				fputs("\\fR", f);
			}
			fprintf(f, "%s%s", req ? "" : "]",
			        (o->flags & CMD_OPT_REPEAT) ? "..." : "");
		}
		fputc('\n', f);
		roff(f, c->summary ? c->summary : "");
		if (c->flags & CMD_CONSOLE_ONLY)
			fputs(" (console only)", f);
		if (c->summary && *c->summary &&
		    !strchr(".!?", c->summary[strlen(c->summary) - 1]))
			fputc('.', f);
		if (!(c->flags & CMD_RO_SAFE))
			fputs(" Refused with \\-\\-read\\-only.", f);
		if (c->key)
			fprintf(f, " Console key: \\fB%s\\fR.",
			        keys_name(c->key, kn, sizeof(kn)));
		fputc('\n', f);
		if (c->help) {
			fputs(".br\n", f);
			roff(f, c->help);
			fputc('\n', f);
		}
		for (const cmd_opt *o = c->opts; o && o->name; o++) {
			fputs(".br\n\\fB\\-\\-", f);
			roff(f, o->name);
			fputs("\\fR: ", f);
			roff(f, o->help ? o->help : "");
			fputc('\n', f);
		}
	}
	cli_call_man(f); /* its owner keeps it beside its usage */
	fputs(".SH CONSOLE KEYS\nKeys that work on every screen:\n", f);
	man_keys(f, ui_global_keys);
	fputs(".PP\nIn lists:\n", f);
	man_keys(f, ui_list_keys);
	fputs(".PP\nEach screen lists its own keys in the bottom line and "
	      "under \\fB?\\fR.\n"
	      ".SH KEY BINDINGS\nThe config's \\fBkeys\\fR list binds keys: "
	      "keys = ( { key = \"x\"; action = \"help\"; } ); An action "
	      "is one of:",
	      f);
	for (size_t i = 0; ui_action_name(i); i++)
		fprintf(f, "%s \\fB%s\\fR", i ? "," : "", ui_action_name(i));
	fputs(", or a command written \\fInoun.verb\\fR (for example "
	      "\\fBapi.log\\fR). Bindings come before the built-in keys.\n"
	      ".SH EXIT STATUS\n0 on success; 1 when the command failed (the "
	      "reason on standard error, and with \\fB\\-\\-json\\fR also as "
	      "{\"error\": {...}} on standard output); 2 for a usage "
	      "error. What a failed command wrote before it failed (the "
	      "steps of a check, the flags found) is still printed; with "
	      "\\fB\\-\\-json\\fR it is the error document's "
	      "\"output\" member, in the shape it has on success.\n"
	      ".SH ENVIRONMENT\n.TP\n.B DCICTL_CONFIG\nthe config file.\n"
	      ".TP\n.B NO_COLOR\nwhen set and not empty: no colours.\n"
	      ".TP\n.B DCICTL_THEMES\na directory searched first for "
	      "themes.\n"
	      ".SH FILES\n.TP\n.I ~/.config/dcictl/config\nlibconfig file: "
	      "store path (\\fBstore\\fR), \\fBtheme\\fR, \\fBrefresh\\fR "
	      "(seconds).\n"
	      ".TP\n.I themes/*.theme\ncolour themes (default, light, "
	      "monochrome).\n",
	      f);
}
