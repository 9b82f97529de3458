/* ui.h - the console frame: screens, the screen stack, the main loop.
 *
 * A screen is an ops table (htop's PanelClass, tig's view_ops): open, draw,
 * key, tick, close, plus its key table and name. The frame owns a stack of
 * screen instances; Esc/q pops, the header shows the stack as a
 * breadcrumb. Keys go to the top screen first (its key table maps the key
 * to an action; ops->key returns UI_* flags), then to its list (if any:
 * navigation and `/` filter), then to the global keys, then to command
 * keys (cmd_def.key).
 *
 * The loop never blocks on work: it poll()s the terminal, the jobs
 * completion pipe and a resize pipe, with a timeout for the refresh tick
 * and the spinner. Long work goes through ui_job() (worker thread); its
 * done callback runs on the main thread.
 *
 * Everything here runs on the main thread. */
#ifndef TUI_UI_H
#define TUI_UI_H

#include "cmd.h"
#include "draw.h"
#include "jobs.h"
#include "keys.h"
#include "list.h"

#include <stdbool.h>
#include <time.h>

struct app;
typedef struct ui ui;
typedef struct ui_screen ui_screen;

/* Results of ops->key and ops->tick, or-ed. */
enum {
	UI_IGNORED = 0,
	UI_HANDLED = 1u << 0,
	UI_REDRAW = 1u << 1, /* the frame redraws after every event anyway
	                      (curses sends only what changed); kept for
	                      clarity */
	UI_BACK = 1u << 2,   /* pop this screen */
	UI_QUIT = 1u << 3,
};

typedef struct ui_key {
	int key;           /* 0 ends a table */
	const char *label; /* word for the hint bar; NULL: help only */
	const char *help;
	int action; /* passed to ops->key; 0 = none */
} ui_key;

typedef struct ui_screen_ops {
	const char *name;   /* breadcrumb and help title */
	const ui_key *keys; /* NULL or terminated by key == 0 */
	/* args: the parsed command that opened it (may be NULL); copy what
	 * you keep. Returns 0, or -1 with err (shown, screen not pushed). */
	int (*open)(ui_screen *s, const cmd_args *args, dc_err *err);
	void (*draw)(ui_screen *s, ui_rect r);
	/* action: from the key table, 0 if the key is not in it. */
	unsigned (*key)(ui_screen *s, int key, int action);
	/* every refresh interval while on top and not paused; NULL: static */
	unsigned (*tick)(ui_screen *s);
	/* the list `/` filters and navigation keys move; NULL: none */
	list *(*list)(ui_screen *s);
	void (*close)(ui_screen *s);
	/* opaque data for generic screens (the form screen's spec) */
	const void *data;
	/* printable keys are the screen's (forms): the hint bar then offers
	 * only non-printable global keys */
	bool text_input;
} ui_screen_ops;

struct ui_screen {
	const ui_screen_ops *ops;
	ui *ui;
	void *priv;       /* the screen's own state */
	unsigned long id; /* unique for the run: see ui_screen_by_id */
	char title[64];   /* breadcrumb label; defaults to ops->name */
};

typedef enum ui_level { UI_INFO, UI_OK, UI_WARN, UI_ERROR } ui_level;

typedef struct ui_msgrec {
	time_t t;
	ui_level level;
	char text[512];
} ui_msgrec;

/* Runs the console until quit. Returns the process exit status. */
int ui_run(struct app *a);

struct app *ui_app(ui *u);
jobs *ui_jobs(ui *u);
cmd_ctx ui_cmd_ctx(ui *u);

/* Opens a screen on top of the stack. */
int ui_push(ui *u, const ui_screen_ops *ops, const cmd_args *args);
/* The screen with this id if it is still open, else NULL. A job's done
 * callback uses it to find out whether the screen that started the job is
 * still there (screens may be closed while their jobs run). */
ui_screen *ui_screen_by_id(ui *u, unsigned long id);
/* The screen on top of the stack. */
ui_screen *ui_top(ui *u);
/* Pops the top screen (not the root). */
void ui_pop(ui *u);
void ui_redraw(ui *u);

/* Shows a message on the message line and keeps it in :messages. */
void ui_msg(ui *u, ui_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
size_t ui_msg_count(ui *u);
const ui_msgrec *ui_msg_at(ui *u, size_t i); /* 0 = oldest */

/* Runs fn on a worker with a spinner, elapsed time and label shown until
 * done() (main thread). Ctrl-C cancels (job_cancel). NULL: no memory. */
job *ui_job(ui *u, const char *label, job_fn fn, void *arg, job_done_fn done);

/* The same for work the screen starts by itself (refreshes): quitting does
 * not ask about it and the spinner shows only after a second. */
job *ui_job_bg(ui *u, const char *label, job_fn fn, void *arg,
               job_done_fn done);

/* Drafts: a screen that is left keeps what was typed under a key (e.g. its
 * form spec) for the next time it opens in this run. put takes ownership
 * (replacing and freeing an older draft under the same key); take hands
 * it back (NULL if none) and forgets it. */
void ui_draft_put(ui *u, const void *key, void *data, void (*free_fn)(void *));
void *ui_draft_take(ui *u, const void *key);

/* Opens a scrollable, filterable text screen (one row per line). */
int ui_show_text(ui *u, const char *title, const char *text);
/* The same with a command's output rendered as text. */
int ui_show_out(ui *u, const char *title, const out *o);

/* Runs a `:` line (same path as typing it). */
void ui_run_line(ui *u, const char *line);

/* Confirmation dialog; Cancel is the default. If `typed` is non-NULL the
 * operator must type it exactly to enable OK. cb runs on the main thread
 * with yes = true only for a confirmed OK. */
void ui_confirm(ui *u, const char *title, const char *question,
                const char *typed, void (*cb)(ui *u, void *arg, bool yes),
                void *arg);

/* The commands that open a screen and have a key (cmd_def .screen and
 * .key), most needed first: the dashboard's hint bar shows the first that
 * fit, `?` lists them all under "Screens". Up to max into v; the count. */
size_t ui_screen_cmds(const cmd_def **v, size_t max);
/* The hint-bar word for such a command: its screen's name, a capital
 * lowered ("Modules" -> "modules", "IP" stays). buf returned. */
const char *ui_screen_label(const cmd_def *c, char *buf, size_t len);

/* The global key table (for help and the man page). */
extern const ui_key ui_global_keys[];
/* Navigation keys of list screens (for help and the man page). */
extern const ui_key ui_list_keys[];

/* Names of the actions a config `keys` entry may bind (i = 0, 1, ...;
 * NULL after the last). Commands are bound as "noun.verb". */
const char *ui_action_name(size_t i);

/* The screen under the top one (help shows that screen's keys). */
ui_screen *ui_screen_below(ui *u, const ui_screen *s);
/* The root screen ops (the dashboard). */
extern const ui_screen_ops dashboard_screen;

/* Asks the loop to stop after this key. */
void ui_quit(ui *u);
/* A screen's draw() may place the visible cursor (text fields). */
void ui_set_cursor(ui *u, int y, int x);
/* The refresh interval in ms and whether live views are paused. */
int ui_refresh_ms(ui *u);
bool ui_paused(ui *u);
#endif
