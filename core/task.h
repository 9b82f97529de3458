/* task.h - tasks for departments: what a failed operation leaves for a
 * person to look at (domain.md 6).
 *
 * Contract: a task names the department that should act (the module's
 * responsible department), the operation it comes from and a text saying
 * which step failed, the panel's error and what is held. Tasks are open
 * until someone marks them done. task_add_tx runs inside the caller's
 * write transaction (the engine writes the failure and its task in one);
 * the others are self-contained. One dc_store per thread; lists are
 * malloc'd arrays freed with free(). Times are unix seconds. */
#ifndef DC_TASK_H
#define DC_TASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "model.h"
#include "store.h"

#define TASK_TEXT_MAX 2048

typedef struct dc_task {
	int64_t id;
	int64_t department_id;        /* 0 if the department was deleted */
	char department[DC_NAME_MAX]; /* read-only, joined */
	int64_t op_id;                /* 0 if none */
	int64_t service_id;           /* via the operation; 0 if none */
	char text[TASK_TEXT_MAX];
	bool done;
	int64_t created_at, closed_at;
} dc_task;

/* Inside a transaction. department_id 0 = none. Sets *id if not NULL. */
int task_add_tx(dc_store *st, int64_t department_id, int64_t op_id,
                const char *text, int64_t *id, dc_err *err);
int task_get(dc_store *st, int64_t id, dc_task *out, dc_err *err);
/* Newest first; done tasks only when include_done. */
int task_list(dc_store *st, bool include_done, dc_task **out, size_t *n,
              dc_err *err);
/* Marks it done (again is an error naming the task: nothing changes). */
int task_done(dc_store *st, int64_t id, dc_err *err);
/* Open tasks of an operation (the engine closes them when the operation
 * is retried to its end or rolled back). Inside a transaction. */
int task_close_for_op_tx(dc_store *st, int64_t op_id, dc_err *err);
/* Number of open tasks. */
int task_count_open(dc_store *st, long *n, dc_err *err);

#endif
