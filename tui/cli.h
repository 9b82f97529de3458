/* cli.h - dcictl without a screen: global options, running one command
 * from argv, usage text and the generated man page.
 *
 * Exit status of cli_run: 0 success; 1 the command failed (one line on
 * errf; with --json also {"error": {...}} on out); 2 usage error (unknown
 * command or option, bad value). */
#ifndef TUI_CLI_H
#define TUI_CLI_H

#include "app.h"

#include <stdio.h>

typedef struct cli_gopt {
	const char *name;    /* without dashes */
	const char *metavar; /* NULL: a flag */
	const char *help;
} cli_gopt;

extern const cli_gopt cli_global_opts[];

enum { CLI_HELP = 1, CLI_VERSION = 2, CLI_MAN = 4 };

/* Takes the global options out of argv[1..] (anywhere before "--", and
 * before the word "call" for raw calls), filling o and *flags; the other
 * words are left, in order, in rest (rest[0] = first command word;
 * pointers into argv). Returns the count, or -1 with err. */
int cli_globals(int argc, char **argv, app_opts *o, unsigned *flags,
                char **rest, dc_err *err);

int cli_run(app *a, int argc, char **argv, FILE *out, FILE *errf);
/* dcictl --help (global) */
void cli_usage(FILE *f);
/* dcictl --help with a command: that command's usage. */
int cli_help(int argc, char **argv, FILE *f);
/* dcictl --man: roff man page generated from the tables. */
void cli_man(FILE *f);

#endif
