/* app.h - what the dcictl program knows about its run: options, the
 * config (core/config.h), the API log, the store handle.
 *
 * Ownership: the app struct owns everything it points to; app_free()
 * releases it. Threads: filled on the main thread before the console or a
 * command starts; read-only afterwards, except the store handle, which is
 * opened on first use by app_store() and then used by one thread only: the
 * console's single jobs worker (every command and dashboard section runs
 * there), or the main thread on the CLI. The API log is thread-safe. */
#ifndef TUI_APP_H
#define TUI_APP_H

#include "apilog.h"
#include "config.h"
#include "err.h"
#include "store.h"

#include <limits.h>
#include <stdbool.h>

#define DCICTL_VERSION "0.1.0"

/* Global options, as given on the command line (NULL/false = not given). */
typedef struct app_opts {
	const char *config; /* --config FILE */
	const char *store;  /* --store FILE */
	const char *theme;  /* --theme NAME|FILE */
	bool read_only;     /* --read-only */
	bool no_color;      /* --no-color (NO_COLOR env is checked too) */
	bool ascii;         /* --ascii */
	bool json;          /* --json */
} app_opts;

typedef struct app {
	app_opts opt;
	dc_config cfg;              /* as loaded; options applied below */
	char config_path[PATH_MAX]; /* the file read, or where it would be */
	bool config_found;
	char store_path[PATH_MAX];
	char theme[PATH_MAX]; /* name or path */
	int refresh_ms;       /* live views; config "refresh" seconds */
	bool read_only;
	bool no_color; /* --no-color or NO_COLOR set and non-empty */
	bool ascii;
	apilog *log;     /* calls of this run, for the API log screen */
	dc_store *store; /* NULL until app_store() */
	/* record names for completion (namecache.h): filled by the worker,
	 * read by the main thread under its own lock */
	struct namecache *names;
} app;

/* Loads the config (config_load: --config, else $DCICTL_CONFIG, else the
 * XDG path; a missing file means defaults, a broken one is an error naming
 * file:line), applies the options over it, creates the API log. A named
 * stats_timezone ("Europe/Moscow") becomes the process zone (TZ): call it
 * before any thread starts. */
int app_init(app *a, const app_opts *o, dc_err *err);
void app_free(app *a);

/* The store, opened (and created) on first use; see the thread rule
 * above. NULL with err on failure (it is retried on the next call). */
dc_store *app_store(app *a, dc_err *err);

#endif
