/* engine_int.h - what the engine's files share (engine.c: journal, run
 * loop, leases, panels; engine_open.c and engine_close.c: the steps).
 * Not for use outside core/engine*.c and core/reconcile.c. */
#ifndef DC_ENGINE_INT_H
#define DC_ENGINE_INT_H

#include "dci.h"
#include "engine.h"
#include "ipm.h"
#include "lic.h"
#include "model.h"
#include "service.h"
#include "store.h"
#include "task.h"

/* Step results besides 0 (done) and -1 (failed, err says whether a retry
 * may help). */
enum {
	ENG_RECLAIM = 1, /* the claimed server was lost before anything was
	                    attached to it: choose a server again */
	ENG_REFUSED = 2, /* no free server anywhere: nothing held, refuse */
};

enum { ENG_PANEL_DCI, ENG_PANEL_IPM, ENG_PANEL_LIC };

typedef struct eng_panel {
	int kind;
	int64_t id;
	panel *p;
} eng_panel;

#define ENG_PANELS_MAX 32

struct engine {
	dc_store *st;
	engine_opts o;
	char tag[SVC_TAG_MAX];
	char host[64];
	char lease_owner[96];
	eng_panel panels[ENG_PANELS_MAX];
	size_t npanels;
	long mutations;
};

/* One step being run (or undone). */
typedef struct eng_ctx {
	engine *e;
	dc_operation op;
	dc_service svc; /* reloaded before every try */
	dc_module mod;  /* the service's module, when have_mod */
	bool have_mod;
	char marker[SVC_MARKER_MAX]; /* dcictl:<tag>:<service id> */
	char os[DC_VALUE_MAX];       /* operation parameter (reinstall) */
	int idx;
	const char *step;
	bool rollback;
	int attempts_before; /* tries recorded before this one */
	bool skipped;        /* set by a step that had nothing to do */
	char note[512];      /* what the step did, for the history */
} eng_ctx;

typedef int (*eng_step_fn)(eng_ctx *c, dc_err *err);

typedef struct eng_step_def {
	const char *name;
	const char *title;
	eng_step_fn run;
	eng_step_fn undo; /* NULL: nothing to undo */
} eng_step_def;

/* engine_open.c / engine_close.c */
extern const eng_step_def eng_open_steps[];
extern const size_t eng_open_nsteps;
extern const eng_step_def eng_close_steps[];
extern const size_t eng_close_nsteps;
extern const eng_step_def eng_suspend_steps[];
extern const size_t eng_suspend_nsteps;
extern const eng_step_def eng_resume_steps[];
extern const size_t eng_resume_nsteps;
extern const eng_step_def eng_reinstall_steps[];
extern const size_t eng_reinstall_nsteps;

const eng_step_def *eng_steps(op_kind k, size_t *n);

/* ---- engine.c helpers for the steps ---- */

/* A panel change answered: counts it and calls the test hook. */
void eng_mutated(eng_ctx *c, const char *func);
/* Sleeps ms (cancellable): -1 with DC_E_CANCELLED when cancelled. */
int eng_sleep(engine *e, long ms, dc_err *err);
/* Renews the lease (long waits call it while polling). */
int eng_touch(eng_ctx *c, dc_err *err);
void eng_say(eng_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Transactions around the writes that follow a panel answer. */
int eng_begin(eng_ctx *c, dc_err *err);
int eng_commit(eng_ctx *c, dc_err *err);
void eng_abort(eng_ctx *c);

/* Step data (JSON in op_step.data). `step` NULL = the current step. Keys
 * are free text (addresses included). */
int eng_data_text(eng_ctx *c, const char *step, const char *key, char *buf,
                  size_t len, bool *found, dc_err *err);
int eng_data_int(eng_ctx *c, const char *step, const char *key, long long *v,
                 bool *found, dc_err *err);
/* Inside a transaction, on the current step. */
int eng_data_set_text_tx(eng_ctx *c, const char *key, const char *v,
                         dc_err *err);
int eng_data_set_int_tx(eng_ctx *c, const char *key, long long v, dc_err *err);
int eng_data_del_tx(eng_ctx *c, const char *key, dc_err *err);
/* Keys of a step's data starting with prefix, with their text values:
 * malloc'd arrays of malloc'd strings (eng_strs_free). */
typedef struct eng_strs {
	char **k, **v;
	size_t n;
} eng_strs;
int eng_data_keys(eng_ctx *c, const char *step, const char *prefix,
                  eng_strs *out, dc_err *err);
void eng_strs_free(eng_strs *s);

/* Panels of the service's module (DCImanager), its IPmanager and its
 * licence server. */
panel *eng_dci(eng_ctx *c, dc_err *err);
panel *eng_ipm(eng_ctx *c, dc_err *err);
panel *eng_lic(eng_ctx *c, dc_err *err);
/* Loads c->mod for module_id (0: the service's). */
int eng_load_module(eng_ctx *c, int64_t module_id, dc_err *err);

/* ---- shared panel work (engine_close.c) ---- */

/* A copy of one row of the server list. */
typedef struct eng_srv {
	long id;
	char name[DC_NAME_MAX];
	char hostname[SVC_HOST_MAX];
	char owner[DC_USER_MAX];
	bool has_owner;
	char type[DC_TYPE_MAX];
	long ram_mib;
	bool blocked, hwproblem, diag, installing, op_failed, disabled, on, off,
	    powererror;
} eng_srv;

int eng_server_row(eng_ctx *c, long server_id, eng_srv *out, dc_err *err);
/* Reads the server form and checks that the server carries our marker:
 * DC_E_CONFLICT (not retryable) naming what it carries instead. *form may
 * be NULL; else the caller frees it. */
int eng_verify_ours(eng_ctx *c, dci_server_form **form, dc_err *err);
/* Power on/off and wait for the panel to say so (powererror fails). */
int eng_power(eng_ctx *c, bool on, dc_err *err);
/* Switch port on/off (and wait while the switch is busy); optionally
 * set the speed first (0 = leave). *old_speed gets the speed found. */
int eng_port(eng_ctx *c, bool on, long speed, long *old_speed, dc_err *err);
/* OS install and wait; the root password is generated and sealed in the
 * service. */
int eng_install(eng_ctx *c, const char *os, const char *ns,
                const char *hostname, bool clearhdd, dc_err *err);
/* Random password of n characters (letters and digits) into buf[n+1]. */
int eng_password(char *buf, size_t n, dc_err *err);

/* Addresses: allocate one in the module's IPmanager with our note
 * (marker:role) and record it for the service. */
int eng_addr_allocate(eng_ctx *c, svc_role role, const char *family,
                      const char *iptype, const char *want_ip, svc_addr *out,
                      dc_err *err);
/* Addresses in IPmanager (of iptype, or all when NULL) carrying this
 * service's marker with a non-parking role that the service does not
 * record (a crash between allocate and record, or an allocation repeated
 * under us after a lost answer): adopted into service_addr (role from the
 * note) when adopt, else released. */
int eng_addr_sweep(eng_ctx *c, bool adopt, const char *iptype, dc_err *err);
/* Attach a recorded address to the server (read the server's list first;
 * already there is success). */
int eng_addr_attach(eng_ctx *c, svc_addr *a, bool main, dc_err *err);
/* Detach (if attached) and release (missed is success) one recorded
 * address, then forget it. careful: before releasing, check that
 * IPmanager still has it with our note (after a crash it may have been
 * released and taken by someone else). */
int eng_addr_release(eng_ctx *c, svc_addr *a, bool careful, dc_err *err);
/* The free server's parking address: make sure the server has a main
 * address of the parking type (allocate and attach one if not), used when
 * a server goes back to being free. */
int eng_ensure_parking(eng_ctx *c, dc_err *err);
/* engine_open.c, shared with close: order the control-panel licence for
 * the main address (the open step, and the undo of a close's cancel);
 * cancel it (found by marker after a crash); give the server back (no
 * owner, free.ds, no marker) if it still carries our marker. */
int eng_licence_order(eng_ctx *c, dc_err *err);
int eng_licence_cancel(eng_ctx *c, dc_err *err);
int eng_free_server(eng_ctx *c, dc_err *err);

/* Whether an IPmanager address list entry's note is exactly ours. */
bool eng_note_is(const eng_ctx *c, const char *note, svc_role role);

#endif
