/* cmd_tariff.h - tariffs, add-ons, availability and module inventories in
 * the console and on the command line: what the command table
 * (cmd_tariff.c), the screens (scr_tariffs.c, scr_addons.c,
 * scr_servers.c) and the dashboard sections (dash_tariffs.c) share.
 *
 * Threads: the tcmd_* functions that take a cmd_ctx use the app's store
 * and may block on the network: call them on the jobs worker (or the
 * CLI's main thread). The tcui_* functions and the screens are main
 * thread only. Every change goes through cmd_exec (the one place
 * --read-only is enforced): screens build a command's arguments and run
 * it as a job (tcui_run). */
#ifndef TUI_CMD_TARIFF_H
#define TUI_CMD_TARIFF_H

#include "avail.h"
#include "cmd.h"
#include "dci.h"
#include "inventory.h"
#include "iprange.h"
#include "out.h"
#include "registry.h"
#include "ui.h"

#include <stdbool.h>
#include <stdint.h>

extern const cmd_def tariff_cmds[];
extern const dash_section modules_dash;
extern const dash_section tariffs_dash;

extern const ui_screen_ops tariffs_screen;
extern const ui_screen_ops tariff_form_screen;
extern const ui_screen_ops addons_screen;
extern const ui_screen_ops addon_form_screen;
extern const ui_screen_ops servers_screen;

/* ---- worker side ---- */

/* Panel options from the app's config (timeouts, body cap, API log) and
 * the context's cancel flag. */
inv_opts tcmd_inv_opts(const cmd_ctx *ctx);
/* Recounts the modules whose count is older than the config's
 * availability_refresh, invalidated or missing (force: all of them). */
int tcmd_refresh(cmd_ctx *ctx, bool force, dc_err *err);

/* The special IP add-on flags (iprange.h) of the tariff named `tariff`
 * (NULL: every tariff), after asking again the IPmanagers whose types are
 * older than the config's availability_refresh (force: all of them).
 * *flags is malloc'd (free()), NULL with 0 when nothing is flagged. */
int tcmd_special_flags(cmd_ctx *ctx, const char *tariff, bool force,
                       iprange_flag **flags, size_t *n, dc_err *err);

/* "5s", "3m", "2h", "4d"; "-" for a negative age. Returns buf. */
char *tcmd_age(int64_t age_s, char *buf, size_t len);
/* "orderable", or "NOT orderable: <reason>". */
char *tcmd_state(const avail_result *r, char *buf, size_t len);
/* One module's state as a word: "ok", "stale", "error", "disabled",
 * "never counted". */
const char *tcmd_mod_state(const avail_mod *m);
/* "dc1:12 dc2:0 dc3:?" */
char *tcmd_per_module(const avail_result *r, char *buf, size_t len);

/* A server's flags as text ("blocked,hwproblem,on"), "" when none. */
char *tcmd_server_flags(const dci_server *s, char *buf, size_t len);
/* "free", "owned" or "problem" (no owner, but a flag keeps it from
 * being sold). */
const char *tcmd_server_state(const dci_server *s);
/* Does the server match a --state word (free, owned, problem, or one of
 * its flag names)? NULL or "" or "all" matches everything. */
bool tcmd_server_match_state(const dci_server *s, const char *state);
/* The --state words, for help and completion. */
extern const char *const tcmd_server_states[];

/* Fetches a module's server list (the module's own panel handle). */
int tcmd_server_list(cmd_ctx *ctx, const char *module, dci_servers **out,
                     dc_err *err);

/* ---- main thread ---- */

/* Runs noun/verb with option pairs (name, value; value NULL for a flag;
 * the list ends with NULL) through cmd_exec as a job; done(u, ok, err,
 * o, arg) runs on the main thread (err NULL on success, o the command's
 * output, both valid only during the call). */
typedef void (*tcui_done_fn)(ui *u, bool ok, const dc_err *err, const out *o,
                             void *arg);
int tcui_run(ui *u, const char *noun, const char *verb,
             const char *const *pairs, tcui_done_fn done, void *arg);

#endif
