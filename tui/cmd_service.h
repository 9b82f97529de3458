/* cmd_service.h - services, operations, tasks and reconcile in the console
 * and on the command line: what the command table (cmd_service.c), the
 * screens (scr_services.c, scr_operations.c, scr_tasks.c) and the
 * dashboard section share.
 *
 * Operations run in a process of their own: `service open` (and suspend,
 * resume, reinstall, close, operation retry/rollback) writes the order to
 * the journal and starts `dcictl operation run --id N` detached from the
 * terminal, so neither the command line nor the console waits for an OS
 * install, and quitting either leaves the operation running; `--wait`
 * runs it in the foreground instead and reports each step. The journal is
 * what every view reads.
 *
 * Threads: scmd_* functions that take a cmd_ctx use the app's store and
 * may block: call them on the jobs worker (or the CLI's main thread). The
 * screens are main thread only and change things only through cmd_exec
 * (the one place --read-only is enforced). */
#ifndef TUI_CMD_SERVICE_H
#define TUI_CMD_SERVICE_H

#include "app.h"
#include "cmd.h"
#include "engine.h"
#include "registry.h"
#include "service.h"
#include "ui.h"

#include <stdint.h>

extern const cmd_def service_cmds[];
extern const dash_section services_dash;

extern const ui_screen_ops services_screen;
extern const ui_screen_ops operations_screen;
extern const ui_screen_ops tasks_screen;

/* Engine options from the app (API log, HTTP timeouts, body cap), the
 * context's cancel flag, and the tuning knobs from the environment
 * (DCICTL_BACKOFF_MS, DCICTL_POLL_MS, DCICTL_CLAIM_SETTLE_MS): a knob that
 * is not a whole number of milliseconds 0..3600000 is refused, naming it. */
int scmd_engine_opts(const cmd_ctx *ctx, engine_opts *o, dc_err *err);
/* An engine on the app's store (engine_free it). */
engine *scmd_engine(cmd_ctx *ctx, dc_err *err);
/* Starts `dcictl --store S [--config C] operation run --id N` detached
 * (its own session, stdio on /dev/null). Safe from the console's worker
 * thread: the child only execs. */
int scmd_spawn(const app *a, int64_t op_id, dc_err *err);

/* The passwords of service id for an operator who asked (the command and
 * the Services screen's dialog): service_credentials_reveal with who and
 * where (login name; console when ctx->ui is set, else command line), so
 * that the service's history records the reveal. Wipe *c with
 * service_credentials_wipe. Worker thread (store). */
int scmd_credentials(cmd_ctx *ctx, int64_t id, svc_credentials *c, dc_err *err);

/* "2026-11-25 17:03:09" (UTC), or "-" for 0. */
char *scmd_time(int64_t t, char *buf, size_t len);
/* "12s", "3m05s", "1h02m". */
char *scmd_elapsed(int64_t secs, char *buf, size_t len);

#endif
