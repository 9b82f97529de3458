/* cli_call.h - `dcictl call`: one raw panel API call, for troubleshooting.
 *
 *   dcictl call [options] MODULE FUNC [key=value | key@=FILE ...]
 *   dcictl call [options] --ipmgr NAME FUNC [key=value | key@=FILE ...]
 *   dcictl call [options] --license NAME FUNC [key=value | key@=FILE ...]
 *   dcictl call [options] --url URL --user USER [--password-file FILE]
 *               [--cafile FILE] [--insecure] FUNC [key=value ...]
 *   options: [--json] [--authinfo] [--timeout SECONDS] [--config FILE]
 *            [--store FILE] [--read-only]
 *
 * argv: argv[0] is the word "call" itself (as in rest[] of main.c); the
 * options and arguments follow from argv[1], options anywhere (GNU
 * getopt order), "--" ends them.
 *
 * The store forms take a processing module, an IPmanager or a licence
 * server by name from the store (the config found as app_init does:
 * --config, else $DCICTL_CONFIG, else the XDG path; --store over the
 * config's store): its URL, user, CA file, insecure switch and sealed
 * password. The store is only read, never created; an unknown name is a
 * usage error that lists the names the store knows. The config's HTTP
 * timeouts and body cap apply; --timeout overrides the total one. The
 * --url form needs neither config nor store (it is what works when they
 * are broken); its password comes from --password-file (a file only its
 * owner may read; first line), else the environment variable
 * DCICTL_PASSWORD, else a prompt on /dev/tty with echo off; never from
 * argv. `key@=FILE` reads a parameter's value from a file, so secrets in
 * parameters (passwd=...) need not be on the command line either.
 *
 * --read-only sends only calls that cannot change anything: no sok
 * parameter, and a list/report (no dot in FUNC), a form (*.edit without
 * sok), *.stat or *.connection. Everything else is refused unsent.
 *
 * Prints the panel's answer on stdout as indented XML, or JSON with
 * --json, secret values masked. Exit status: 0 the call succeeded; 1 it
 * failed (one line from err_line on stderr; an <error> answer is also
 * printed on stdout, other failures with --json as {"error": {...}});
 * 2 bad arguments or an unknown name (one line saying which).
 *
 * g: the global options given before "call" (NULL: none); the same
 * options given after "call" win. Calls panel_lib_init itself (no other
 * thread may exist yet) and leaves the libraries initialised on return.
 * No secret is ever printed. */
#ifndef TUI_CLI_CALL_H
#define TUI_CLI_CALL_H

#include "app.h"

#include <stdio.h>

int cli_call(const app_opts *g, int argc, char **argv);

/* The man page's section on `dcictl call` (roff), for cli_man. */
void cli_call_man(FILE *f);

#endif
