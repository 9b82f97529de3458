/* main.c - dcictl: the console without a command, one command with one.
 * Global options may appear anywhere before "--" (and before "call"). */
#include "app.h"
#include "cli.h"
#include "ui.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#if __has_include("cli_call.h")
#include "cli_call.h"
#define HAVE_CLI_CALL 1
#endif

static int run_call(const app_opts *o, int argc, char **argv)
{
#ifdef HAVE_CLI_CALL
	/* the globals given before "call" (--json, --config, --store,
	 * --read-only) are handed over; cli_call parses its own after it */
	return cli_call(o, argc, argv);
#else
	(void)o;
	(void)argc;
	(void)argv;
	fputs("dcictl: 'call' is not part of this build\n", stderr);
	return 1;
#endif
}

int main(int argc, char **argv)
{
	app_opts o;
	app a;
	unsigned flags = 0;
	char **rest = calloc((size_t)argc + 1, sizeof(char *));
	int n, rc;
	dc_err err;
	char line[700];

	setlocale(LC_ALL, "");
	/* no core dumps: they could hold passwords */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	memset(&o, 0, sizeof(o));
	err_clear(&err);
	if (!rest) {
		fputs("dcictl: out of memory\n", stderr);
		return 1;
	}
	n = cli_globals(argc, argv, &o, &flags, rest, &err);
	if (n < 0) {
		fprintf(stderr, "dcictl: %s\n", err.msg);
		free(rest);
		return 2;
	}
	if (flags & CLI_VERSION) {
		printf("dcictl %s\n", DCICTL_VERSION);
		free(rest);
		return 0;
	}
	if (flags & CLI_MAN) {
		cli_man(stdout);
		free(rest);
		return 0;
	}
	if (flags & CLI_HELP) {
		rc = 0;
		if (n == 0)
			cli_usage(stdout);
		else if (strcmp(rest[0], "call") == 0) /* not in the table */
			rc =
			    run_call(&o, 2, (char *[]){"call", "--help", NULL});
		else
			rc = cli_help(n, rest, stdout);
		free(rest);
		return rc;
	}
	if (n > 0 && strcmp(rest[0], "call") == 0) {
		rc = run_call(&o, n, rest);
		free(rest);
		return rc;
	}
	if (app_init(&a, &o, &err) < 0) {
		fprintf(stderr, "dcictl: %s\n",
		        err_line(&err, line, sizeof(line)));
		free(rest);
		return 1;
	}
	if (n == 0)
		rc = ui_run(&a);
	else
		rc = cli_run(&a, n, rest, stdout, stderr);
	app_free(&a);
	free(rest);
	return rc;
}
