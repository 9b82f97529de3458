/* cmd_module.h - processing modules, departments, IPmanager connections
 * and licence servers in the console and on the command line: what the
 * command table (cmd_module.c), the list screens (scr_modules.c) and the
 * module wizard (scr_wizard.c) share.
 *
 * Threads: the modcmd_* functions that take a cmd_ctx use the app's store
 * and block on the network: call them on the jobs worker (or the CLI's
 * main thread), never from a screen's draw/key. The screens are main
 * thread only, as all of curses. Every change goes through cmd_exec (the
 * one place --read-only is enforced): screens build the command's
 * arguments and run it as a job (modui_run). */
#ifndef TUI_CMD_MODULE_H
#define TUI_CMD_MODULE_H

#include "cmd.h"
#include "modcheck.h"
#include "ui.h"

#include <stdbool.h>

/* Positions in module_cmds (so that screens can name a command in a
 * static initializer, e.g. a form.h spec). */
enum {
	MC_MODULE_LIST,
	MC_MODULE_SHOW,
	MC_MODULE_ADD,
	MC_MODULE_EDIT,
	MC_MODULE_CHECK,
	MC_MODULE_ENABLE,
	MC_MODULE_DISABLE,
	MC_MODULE_DELETE,
	MC_DEPARTMENT_LIST,
	MC_DEPARTMENT_SHOW,
	MC_DEPARTMENT_ADD,
	MC_DEPARTMENT_EDIT,
	MC_DEPARTMENT_DELETE,
	MC_IPMGR_LIST,
	MC_IPMGR_SHOW,
	MC_IPMGR_ADD,
	MC_IPMGR_EDIT,
	MC_IPMGR_CHECK,
	MC_IPMGR_DELETE,
	MC_LICENSE_LIST,
	MC_LICENSE_SHOW,
	MC_LICENSE_ADD,
	MC_LICENSE_EDIT,
	MC_LICENSE_CHECK,
	MC_LICENSE_DELETE,
	MC_END
};
extern const cmd_def module_cmds[];

extern const ui_screen_ops modules_screen;
extern const ui_screen_ops departments_screen;
extern const ui_screen_ops ipmgrs_screen;
extern const ui_screen_ops licsrvs_screen;
extern const ui_screen_ops module_wizard_screen;

/* ---- shared with the screens (worker side) ---- */

/* Check options from the app's config (timeouts, body cap, API log) with
 * the given progress hook and cancel flag. */
modcheck_opts
modcmd_check_opts(cmd_ctx *ctx,
                  void (*progress)(void *, const modcheck_result *, size_t),
                  void *user);

/* Checks the stored module `name` and, unless ctx->read_only, stores the
 * result. 0 when the check ran (res->ok tells), -1 when it could not. */
int modcmd_check_module(cmd_ctx *ctx, const char *name, const modcheck_opts *o,
                        modcheck_result *res, dc_err *err);

/* One step as a line: "login                 ok      12 ms  logged in as
 * admin" (the error instead of the detail on failure). */
char *modcmd_step_line(const modcheck_step *s, char *buf, size_t len);

/* "2024-05-01 12:00" (local time) or "never". */
char *modcmd_time(int64_t t, char *buf, size_t len);

/* ---- screens (main thread) ---- */

/* Runs noun/verb with the given option pairs (names without dashes,
 * NULL-terminated list of name, value; value NULL for a flag) through
 * cmd_exec as a job; done(u, ok, err, arg) runs on the main thread (err
 * is NULL on success; the message line has been set either way). */
typedef void (*modui_done_fn)(ui *u, bool ok, const dc_err *err, void *arg);
int modui_run(ui *u, const char *noun, const char *verb,
              const char *const *pairs, modui_done_fn done, void *arg);

/* Opens the wizard: for a new module (edit_name NULL) or to edit one. */
int modui_wizard_open(ui *u, const char *edit_name);

/* A check in flight, shared between the worker (modui_live_progress, the
 * modcheck progress hook: pass the modui_live as its user) and the main
 * thread (modui_live_get, to draw). */
typedef struct modui_live modui_live;
modui_live *modui_live_new(void);
void modui_live_free(modui_live *l);
void modui_live_progress(void *user, const modcheck_result *r, size_t step);
/* Copies the steps so far (not the types) into *out; returns seconds since
 * modui_live_new. */
double modui_live_get(modui_live *l, modcheck_result *res);

/* Draws the step lines of r into rc (a failed step is followed by its
 * "what to do" line); `running`: the first pending step gets the spinner
 * and the elapsed time. Returns the rows drawn. */
int modui_draw_steps(const modcheck_result *r, bool running, double elapsed,
                     ui_rect rc);

#endif
