/* stats_ui.h - what the stats commands (cmd_stats.c) and the Graphs screen
 * (scr_graphs.c) share: the configured statistics zone, time labels, and
 * the screen itself.
 *
 * The Graphs screen is opened by the command `stats graph TARGET` (TARGET
 * as stats_target_resolve in core/stats.h reads it: ID with --module,
 * MODULE/ID, a server name, service:ID). Other screens open it with
 * ui_run_line(u, "stats graph MODULE/ID") or "stats graph service:ID".
 * Main thread only, except stats_ui_zone and stats_ui_time (pure). */
#ifndef TUI_STATS_UI_H
#define TUI_STATS_UI_H

#include "app.h"
#include "statmath.h"
#include "ui.h"

#include <stddef.h>
#include <stdint.h>

extern const ui_screen_ops graphs_screen;

/* The zone of config `stats_timezone`; DC_E_CONFIG naming it when it
 * does not parse. An IANA name is the process zone, which app_init set
 * (TZ) before any thread started (see statmath_zone_parse). */
int stats_ui_zone(const app *a, statmath_zone *z, dc_err *err);

/* "YYYY-MM-DD HH:MM" of t in zone z (buf returned). */
char *stats_ui_time(const statmath_zone *z, int64_t t, char *buf, size_t len);

#endif
