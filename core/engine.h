/* engine.h - the journaled provisioning engine: open, suspend, resume,
 * reinstall and close a dedicated server (domain.md 3, 4, 6).
 *
 * Contract:
 * - Every operation is a row of the journal (table operation) made of
 *   steps (table op_step). A step is recorded `running` (attempts + 1)
 *   before it touches a panel and `done` / `skipped` / `failed` after; what
 *   a step is about to take or give back (the server it claims, each
 *   address it allocates or releases, the licence it orders) is written to
 *   the journal and the service in its own transaction right after the
 *   panel answers, and everything dcictl takes on a panel carries its
 *   marker (service.h), so a crash between any two panel calls leaves
 *   enough to finish or undo the step. Every step is idempotent: it reads
 *   the panel first and skips what is done; "already exists" for what it
 *   wanted is success.
 * - Failures: a retryable error (dc_err.retryable) is retried with bounded
 *   exponential back-off; anything else stops the operation `failed` at
 *   that step, marks the service failed and opens a task for the module's
 *   department naming the step, the panel's error and what is held.
 *   engine_retry continues from the failed step; engine_rollback undoes
 *   the steps that ran, in reverse order.
 * - Two orders, one server: within one store the unique index on
 *   (module, server) refuses a second live service on a server before any
 *   panel call; across stores the claim writes owner, host name and the
 *   marker (server notes), reads back, and reads back again after a settle
 *   delay before the first address is attached. The loser moves on to the
 *   next free server, then the next module, then fails with
 *   "no free server of type T" (DC_E_LIMIT, nothing held, the operation
 *   rolled back).
 * - Leases: a process running an operation holds a lease on it
 *   (host:pid:nonce, renewed at every journal write); an operation whose
 *   lease expired or whose process is gone is resumed by
 *   engine_resume_all.
 * - Threads: an engine uses the store handle it is given and its own panel
 *   handles from one thread at a time. Several engines (threads or
 *   processes) may run different operations on one store at once.
 * - Units: milliseconds for every duration in engine_opts; times in
 *   records are unix seconds. */
#ifndef DC_ENGINE_H
#define DC_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apilog.h"
#include "err.h"
#include "panel.h"
#include "service.h"
#include "store.h"

typedef enum op_kind {
	OPK_OPEN,
	OPK_SUSPEND,
	OPK_RESUME,
	OPK_REINSTALL,
	OPK_CLOSE,
	OPK_COUNT
} op_kind;

typedef enum op_state {
	OPS_PENDING,
	OPS_RUNNING,
	OPS_DONE,
	OPS_FAILED,
	OPS_ROLLING_BACK,
	OPS_ROLLED_BACK,
	OPS_COUNT
} op_state;

typedef enum step_state {
	STEP_PENDING,
	STEP_RUNNING,
	STEP_DONE,
	STEP_FAILED,
	STEP_SKIPPED,
	STEP_UNDONE,
	STEP_STATE_COUNT
} step_state;

const char *op_kind_name(op_kind k); /* "open", ... */
int op_kind_parse(const char *s, op_kind *out);
const char *op_state_name(op_state s); /* "pending", ... */
int op_state_parse(const char *s, op_state *out);
const char *step_state_name(step_state s);

#define OP_STEPS_MAX 12
#define OP_STEP_NAME 24
#define OP_ERROR_MAX 768

typedef struct op_step {
	int idx;
	char name[OP_STEP_NAME];
	step_state state;
	int attempts;
	char last_error[OP_ERROR_MAX];
	int64_t started_at, finished_at; /* 0 = not yet */
} op_step;

typedef struct dc_operation {
	int64_t id;
	op_kind kind;
	int64_t service_id;
	op_state state;
	int step;      /* index of the current (or failed) step */
	bool rollback; /* the operation is (or was last) going backwards */
	char error[OP_ERROR_MAX];
	char lease_owner[96]; /* "" = nobody runs it */
	int64_t lease_until;
	int64_t created_at, updated_at, finished_at;
	size_t nsteps;
	op_step steps[OP_STEPS_MAX];
} dc_operation;

/* The steps of a kind, in order (for a plan shown before running): how
 * many, and the name and a short human title of step i (NULL past the
 * end). */
size_t op_step_count(op_kind k);
const char *op_step_name(op_kind k, size_t i);
const char *op_step_title(op_kind k, size_t i);

/* ---- reading the journal ------------------------------------------------ */

int operation_get(dc_store *st, int64_t id, dc_operation *out, dc_err *err);

typedef struct op_filter {
	int64_t service_id;   /* 0 = any */
	bool unfinished_only; /* pending, running, failed, rolling_back */
	size_t limit;         /* 0 = all */
} op_filter;

/* Newest first, steps included. f may be NULL (all). */
int operation_list(dc_store *st, const op_filter *f, dc_operation **out,
                   size_t *n, dc_err *err);
/* Whether a live process holds the operation's lease (it is being run
 * now); false for an expired lease or a process of this host that is
 * gone (such an operation waits for engine_resume_all). */
bool operation_lease_live(const dc_operation *o);
/* The service's operation that is not done or rolled back, 0 if none. */
int operation_unfinished(dc_store *st, int64_t service_id, int64_t *op_id,
                         dc_err *err);

/* ---- the engine -----------------------------------------------------------
 */

typedef struct engine engine;

typedef struct engine_progress {
	int64_t op_id, service_id;
	op_kind kind;
	int step; /* -1: the operation as a whole */
	const char *step_name;
	step_state state; /* of the step */
	op_state op_state;
	int attempt;
	bool rollback;
	const char *msg; /* "", or what is happening / the error */
} engine_progress;

/* Test hooks: where the engine is, so a test can kill it or change the
 * panel exactly there. */
typedef enum engine_hook_at {
	ENGINE_AT_BEFORE,   /* step recorded running, no panel touched yet */
	ENGINE_AT_AFTER,    /* step's panel work finished, not recorded done */
	ENGINE_AT_MUTATION, /* a panel change just answered, not recorded */
} engine_hook_at;

typedef struct engine_hook_ev {
	int64_t op_id;
	op_kind kind;
	const char *step;
	bool rollback;
	engine_hook_at at;
	long mutation;    /* panel changes made by this engine so far */
	const char *func; /* ENGINE_AT_MUTATION: the panel func */
} engine_hook_ev;

typedef struct engine_opts {
	apilog *log; /* API log for every panel call, or NULL */
	long http_connect_timeout_ms, http_timeout_ms; /* 0: http.h's */
	size_t xml_max_body;                           /* 0: default */
	long backoff_ms;         /* first retry delay; doubles; default 500 */
	long backoff_max_ms;     /* cap of one delay; default 30000 */
	int attempts;            /* tries of a step per run; default 5 */
	long poll_ms;            /* async power/install/port; default 2000 */
	long install_timeout_ms; /* default 2 h */
	long power_timeout_ms;   /* power and switch port; default 10 min */
	long claim_settle_ms;    /* re-check of a claim; default 2000 */
	long lease_ms;           /* default 5 min */
	/* IPmanager address types for the address add-ons ([ours], see
	 * doc/engine.md); defaults "public", "private", "ipv6". */
	const char *type_public, *type_private, *type_ipv6;
	const char *licence_period; /* months; default "1" */
	const volatile int *cancel; /* set to stop between safe points */
	void (*progress)(void *user, const engine_progress *p);
	void *progress_user;
	void (*hook)(void *user, const engine_hook_ev *ev);
	void *hook_user;
	/* Availability hook: a module's free servers changed (a server was
	 * taken or given back). Called after the journal says so. */
	void (*avail_changed)(void *user, int64_t module_id);
	void *avail_user;
} engine_opts;

void engine_opts_default(engine_opts *o);

/* The store is borrowed (it must outlive the engine; same thread rule). */
engine *engine_new(dc_store *st, const engine_opts *o, dc_err *err);
/* Frees the panel handles (wiping their passwords). */
void engine_free(engine *e);
dc_store *engine_store(engine *e);
const char *engine_tag(const engine *e);

/* One chosen add-on value, by add-on name. */
typedef struct engine_choice {
	const char *name;
	const char *value;
} engine_choice;

typedef struct engine_open_req {
	const char *tariff;   /* tariff name */
	const char *client;   /* client account; its panel user has the name */
	const char *hostname; /* NULL: "s<id>-<tag>.ds" */
	const engine_choice *choices;
	size_t nchoices; /* add-ons not chosen take their fixed value, or the
	                    first value of their list / the range's minimum */
} engine_open_req;

/* Checks the order (tariff enabled and with modules, client name, host
 * name, every choice names an add-on of the tariff and is allowed by it)
 * and writes the service (opening) and its open operation (pending) in one
 * transaction. Runs nothing: engine_run does. A refusal names the field
 * ("tariff", "client", "hostname", the add-on's name) and writes nothing. */
int engine_open(engine *e, const engine_open_req *r, int64_t *service_id,
                int64_t *op_id, dc_err *err);
/* Suspend (active), resume (suspended), close (active or suspended),
 * reinstall (active; os = a template name, or NULL for the service's own)
 * as a pending operation. Refused while another operation of the service
 * is unfinished (naming it). */
int engine_start(engine *e, op_kind kind, int64_t service_id, const char *os,
                 int64_t *op_id, dc_err *err);

/* Runs (or continues) an operation until it is done, failed or rolled
 * back. 0 when it ends done or rolled back as asked; -1 with err when it
 * failed (the step's error, prefixed), was refused (no free server:
 * DC_E_LIMIT; the operation is rolled back, nothing held), is run by a
 * live process (DC_E_CONFLICT) or was cancelled (DC_E_CANCELLED; the
 * operation stays unfinished and resumable). */
int engine_run(engine *e, int64_t op_id, dc_err *err);
/* Sets a failed operation going again (pending, in the direction it was
 * going), or with rollback any operation not done (a failed one, or one
 * nobody runs) going backwards, without running it: engine_run (here or
 * in another process) does. Refused for finished operations and for ones
 * a live process runs. */
int engine_restart(engine *e, int64_t op_id, bool rollback, dc_err *err);
/* A failed operation: continue from the failed step (in the direction it
 * was going) and run it. */
int engine_retry(engine *e, int64_t op_id, dc_err *err);
/* A failed (or unfinished, not running) operation: undo every step that
 * ran, newest first, and run that. The service goes back to the status it
 * had before (an open rolled back is closed). */
int engine_rollback(engine *e, int64_t op_id, dc_err *err);

typedef struct engine_resume_item {
	int64_t op_id, service_id;
	op_kind kind;
	op_state state; /* after this call */
	bool ran;       /* resumed here (else reported: failed, or live) */
	char msg[OP_ERROR_MAX];
} engine_resume_item;

/* Every unfinished operation: those nobody runs (pending, or running /
 * rolling back with a lease that expired or whose process is gone) are
 * run to their end; failed ones and ones a live process runs are
 * reported. *out is malloc'd (free()). Returns 0 even when some resumed
 * operations failed (see each item). */
int engine_resume_all(engine *e, engine_resume_item **out, size_t *n,
                      dc_err *err);

/* Panel handles of the engine (opened on first use with the stored
 * password; owned by the engine). For reconcile and the console. */
panel *engine_panel_dci(engine *e, int64_t module_id, dc_err *err);
panel *engine_panel_ipm(engine *e, int64_t ipmgr_id, dc_err *err);

#endif
