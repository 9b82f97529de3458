/* cli_call.h - `dcictl call`: one raw panel API call, for troubleshooting.
 *
 *   dcictl call --url URL --user USER [--password-file FILE] [--authinfo]
 *               [--cafile FILE] [--insecure] [--timeout SECONDS] [--json]
 *               FUNC [key=value | key@=FILE ...]
 *
 * argv: argv[0] is the word "call" itself (as in rest[] of main.c); the
 * options and arguments follow from argv[1]. Options end at FUNC (or "--").
 *
 * The password comes from --password-file (a file only its owner may
 * read; first line), else the environment variable DCICTL_PASSWORD, else
 * a prompt on /dev/tty with echo off; never from argv. `key@=FILE` reads a
 * parameter's value from a file, so secrets in parameters (passwd=...)
 * need not be on the command line either.
 *
 * Prints the panel's answer on stdout as indented XML, or JSON with
 * --json, secret values masked. Exit status: 0 the call succeeded; 1 it
 * failed (one line from err_line on stderr; an <error> answer is also
 * printed on stdout); 2 bad arguments (one line saying which).
 *
 * Calls panel_lib_init itself (no other thread may exist yet) and leaves
 * the libraries initialised on return. */
#ifndef TUI_CLI_CALL_H
#define TUI_CLI_CALL_H

int cli_call(int argc, char **argv);

#endif
