/* cmd_ip.h - special IP ranges in the console and on the command line:
 * what the command table (cmd_ip.c), the IP screen (scr_ip.c), the guided
 * set-up (scr_special.c) and the dashboard section share.
 *
 *   iptype list|add|delete
 *   iprange list|add|edit|delete
 *   ipaddr list [--type T] [--range NET] [--service S]
 *   special-range setup|plan|check|wizard
 *
 * Every command takes --ipmgr NAME (default: the only IPmanager
 * connection). Threads: ipcmd_* functions taking a cmd_ctx use the app's
 * store and block on the network: jobs worker (or the CLI's main thread)
 * only. ipui_* and the screens are main thread only. Every change goes
 * through cmd_exec (where --read-only is enforced): screens build a
 * command's arguments and run it as a job (ipui_run). */
#ifndef TUI_CMD_IP_H
#define TUI_CMD_IP_H

#include "cmd.h"
#include "iprange.h"
#include "out.h"
#include "registry.h"
#include "ui.h"

#include <stdbool.h>

extern const cmd_def ip_cmds[];
extern const dash_section special_ip_dash;

extern const ui_screen_ops ip_screen;
extern const ui_screen_ops special_screen;

/* ---- worker side ---- */

/* Opens the IPmanager connection named by --ipmgr (or the only one),
 * with panel options from the app's config and the context's cancel
 * flag. Close with iprange_close. */
int ipcmd_open(cmd_ctx *ctx, const char *ipmgr, iprange_ctx *c, dc_err *err);

/* One step of a set-up as the line the commands print and the wizard
 * reads back: "step range: FAILED - <detail or error>". */
char *ipcmd_step_line(const iprange_step *s, char *buf, size_t len);
/* Parses such a line; 0, or -1 when it is not one. detail gets the rest
 * (may be NULL). */
int ipcmd_step_parse(const char *line, iprange_step_id *id,
                     iprange_step_state *state, char *detail, size_t len);

/* ---- main thread ---- */

/* Runs noun/verb with option pairs (name, value; value NULL for a flag;
 * a name may repeat; the list ends with NULL) through cmd_exec as a job.
 * done(u, ok, err, o, arg) runs on the main thread (err NULL on success;
 * o the command's output; both valid only during the call). quiet: the
 * caller shows the result itself (else it goes to the message line). */
typedef void (*ipui_done_fn)(ui *u, bool ok, const dc_err *err, const out *o,
                             void *arg);
int ipui_run(ui *u, const char *noun, const char *verb,
             const char *const *pairs, bool quiet, ipui_done_fn done,
             void *arg);

/* Opens the guided set-up, prefilled with what is known (each may be
 * NULL). */
int ipui_setup_open(ui *u, const char *ipmgr, const char *iptype,
                    const char *range);

#endif
