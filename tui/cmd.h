/* cmd.h - the one command table behind the `:` line and the CLI.
 *
 * Every action of dcictl is a command: a noun and a verb ("module add"),
 * an options spec, help text, a read-only-safe flag and a handler. Feature
 * files define `const cmd_def foo_cmds[]` (terminated by an entry with
 * noun == NULL) and register it with one line in tui/registry.c. The same
 * entries drive `dcictl <noun> <verb> [--opt val...]`, the console's `:`
 * line (with completion), `?`/`help`, and the man page (`dcictl --man`).
 *
 * Dispatch goes through cmd_exec() only: that is the single place where
 * --read-only refuses commands that are not CMD_RO_SAFE.
 *
 * Threads: parsing, lookup and completion are pure and run on the caller's
 * thread. In the console a handler runs on a jobs worker thread (it may
 * block on the network); on the CLI it runs on the main thread. A handler
 * must not touch curses; it reports through `out` and `err`. */
#ifndef TUI_CMD_H
#define TUI_CMD_H

#include "err.h"
#include "out.h"

#include <stdbool.h>
#include <stddef.h>

struct app;
struct ui;
struct ui_screen_ops;
struct cmd_def;

typedef enum cmd_opt_type {
	CMD_OPT_STR,  /* --name VALUE */
	CMD_OPT_INT,  /* --sorting N (checked at parse time, min..max) */
	CMD_OPT_FLAG, /* --force (no value) */
} cmd_opt_type;

enum {
	CMD_OPT_REQUIRED = 1u << 0,
	CMD_OPT_REPEAT = 1u << 1,     /* may be given more than once */
	CMD_OPT_POSITIONAL = 1u << 2, /* may also be given without --name,
	                                 in spec order */
	CMD_OPT_SECRET = 1u << 3,     /* value never echoed or kept in
	                                 history ("***") */
};

typedef struct strv {
	char **v;
	size_t n, cap;
} strv;

int strv_push(strv *s, const char *str); /* copies; 0 or -1 (no memory) */
void strv_clear(strv *s);                /* frees items, keeps nothing */

/* Value completion: add candidates that start with `prefix` to cands. Runs
 * on the console's main thread: use only data already in memory, never
 * block. (`out` and `app` are type names: do not name variables so, or
 * -Wshadow fails.) */
typedef void (*cmd_complete_fn)(struct app *ap, const char *prefix,
                                strv *cands);

typedef struct cmd_opt {
	const char *name; /* without dashes; NULL ends the list */
	cmd_opt_type type;
	unsigned flags;
	const char *metavar; /* "URL"; for help and the man page */
	const char *help;
	long long min, max; /* CMD_OPT_INT: accepted range when min < max */
	cmd_complete_fn complete;
} cmd_opt;

typedef struct cmd_args cmd_args;

/* What a handler gets besides its arguments. */
typedef struct cmd_ctx {
	struct app *app;
	struct ui *ui;              /* NULL on the CLI */
	bool read_only;             /* --read-only: enforced by cmd_exec */
	bool json;                  /* CLI --json (the handler rarely cares) */
	const volatile int *cancel; /* set when the operator cancels; may be
	                               NULL; check it between safe steps */
} cmd_ctx;

/* Returns 0 on success, -1 with *err filled on failure. */
typedef int (*cmd_fn)(cmd_ctx *ctx, const cmd_args *args, out *o, dc_err *err);

enum {
	CMD_RO_SAFE = 1u << 0, /* changes nothing: allowed with --read-only */
	CMD_CONSOLE_ONLY = 1u << 1, /* meaningless without the console */
	CMD_HIDDEN = 1u << 2,       /* not listed in help/man/completion */
	CMD_QUICK = 1u << 3,        /* console: run on the main thread (pure,
	                               fast, no core calls) instead of a job */
};

typedef struct cmd_def {
	const char *noun;    /* "module"; NULL ends a table */
	const char *verb;    /* "add"; NULL for one-word commands ("help") */
	const cmd_opt *opts; /* NULL or terminated by name == NULL */
	const char *summary; /* one line, for lists and completion */
	const char *help;    /* optional longer text (man page, help) */
	unsigned flags;      /* CMD_* */
	cmd_fn run;          /* NULL if the command only opens a screen */
	/* Console: opening this command shows this screen (its open() gets
	 * the parsed arguments) instead of running `run`. */
	const struct ui_screen_ops *screen;
	int key; /* console key that runs it from any screen, 0 for none */
} cmd_def;

/* ---- the registry (tui/registry.c) ---- */

/* NULL-terminated list of the registered tables. */
const cmd_def *const *cmd_tables(void);
/* For unit tests only: use these tables instead (NULL restores). */
void cmd_tables_override(const cmd_def *const *t);

/* Iteration over every registered command: `for (it = NULL; (c =
 * cmd_next(&it));)`, with it an opaque cursor (two indices). */
typedef struct cmd_iter {
	size_t t, i;
} cmd_iter;
const cmd_def *cmd_next(cmd_iter *it);

/* verb may be NULL for one-word commands. */
const cmd_def *cmd_find(const char *noun, const char *verb);
/* The command bound to a console key, or NULL. */
const cmd_def *cmd_by_key(int key);
/* "module add" or "help" (buf returned). */
const char *cmd_name(const cmd_def *c, char *buf, size_t len);

/* ---- parsing ---- */

/* Parses argv (noun, verb, options; no program name). On failure returns
 * NULL with err (DC_E_INVALID; err->field names the option) saying what is
 * wrong. The result owns copies of every value. */
cmd_args *cmd_parse(int argc, char *const *argv, dc_err *err);
/* The same; check_required false leaves required options to the caller
 * (the console opens a command's screen, which asks for them). */
cmd_args *cmd_parse_ex(int argc, char *const *argv, bool check_required,
                       dc_err *err);
/* Builds arguments programmatically (forms): start empty for `c`, add
 * values by option name, then cmd_args_check() for required ones. */
cmd_args *cmd_args_new(const cmd_def *c);
int cmd_args_add(cmd_args *a, const char *name, const char *val, dc_err *err);
int cmd_args_check(const cmd_args *a, dc_err *err);
void cmd_args_free(cmd_args *a);

const cmd_def *cmd_args_cmd(const cmd_args *a);
const char *cmd_arg(const cmd_args *a, const char *name); /* first or NULL */
size_t cmd_arg_count(const cmd_args *a, const char *name);
const char *cmd_arg_nth(const cmd_args *a, const char *name, size_t i);
bool cmd_flag(const cmd_args *a, const char *name);
long long cmd_arg_int(const cmd_args *a, const char *name, long long dflt);
/* The command line again, secrets as "***" (for history and logs). */
char *cmd_args_line(const cmd_args *a);

/* Splits a `:` line into words: blanks separate, '...' and "..." quote,
 * backslash escapes the next character. Returns 0, or -1 with err on an
 * unterminated quote. */
int cmd_split(const char *line, strv *words, dc_err *err);

/* ---- dispatch ---- */

/* The single dispatch point: refuses non-CMD_RO_SAFE commands when
 * ctx->read_only, refuses CMD_CONSOLE_ONLY on the CLI, then runs. */
int cmd_exec(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err);

/* ---- completion ---- */

/* Candidates for the word that ends at `cursor` in `line`; *word_start gets
 * its byte offset. Candidates are sorted and unique. */
void cmd_complete(struct app *app, const char *line, size_t cursor, strv *cands,
                  size_t *word_start);

/* ---- help and manual ---- */

/* Usage of one command ("dcictl module add --name NAME ...") and its
 * options, as text. */
void cmd_print_usage(const cmd_def *c, FILE *f);
/* The list of commands (noun filter may be NULL). */
void cmd_print_list(const char *noun, FILE *f);

#endif
