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
	/* cli_call reads the config itself: hand it what was given here */
	if (o->config)
		setenv("DCICTL_CONFIG", o->config, 1);
#ifdef HAVE_CLI_CALL
	/* --json before "call" was taken as a global: hand it on */
	if (o->json) {
		char **av = calloc((size_t)argc + 2, sizeof(char *));
		int rc;

		if (!av)
			return 1;
		av[0] = argv[0];
		av[1] = "--json";
		for (int i = 1; i < argc; i++)
			av[i + 1] = argv[i];
		rc = cli_call(argc + 1, av);
		free(av);
		return rc;
	}
	return cli_call(argc, argv);
#else
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
