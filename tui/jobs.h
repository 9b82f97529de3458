/* jobs.h - a worker-thread job queue whose completions come back to the
 * main loop through a pipe, so the console never blocks on core calls.
 *
 * Contract: job_submit() queues fn(job, arg) to run on a worker thread;
 * when it returns, the job is marked done and one byte is written to the
 * completion pipe. The main loop polls jobs_fd() and calls
 * jobs_dispatch(), which runs done(job, arg) on the main thread for every
 * finished job, then frees the job. A job pointer is valid from submit
 * until its done callback returns.
 *
 * Core handles are used by one thread at a time: with one worker (the
 * console's default) jobs run strictly in submission order, so fn may use
 * the app's core handles freely; the main thread must not touch them
 * while jobs are queued or running (it reads results in done()).
 *
 * Cancellation is cooperative: job_cancel() sets a flag fn can poll with
 * job_cancelled() (or pass job_cancel_flag() to core) between safe steps.
 * Jobs still queued when cancelled are not run; their done() still runs
 * (so the caller can free arg) with job_cancelled() true. */
#ifndef TUI_JOBS_H
#define TUI_JOBS_H

#include "err.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct jobs jobs;
typedef struct job job;

typedef void (*job_fn)(job *j, void *arg);
typedef void (*job_done_fn)(job *j, void *arg);

jobs *jobs_new(int nworkers, dc_err *err);
/* Cancels everything, waits for running jobs, runs the pending done()
 * callbacks, joins the workers. */
void jobs_free(jobs *q);

/* Returns the job, or NULL (no memory). done may be NULL. */
job *job_submit(jobs *q, job_fn fn, void *arg, job_done_fn done);
void job_cancel(job *j);
bool job_cancelled(const job *j);
const volatile int *job_cancel_flag(const job *j);
/* Cancels every queued and running job. */
void jobs_cancel_all(jobs *q);

/* Readable when completions are waiting. */
int jobs_fd(const jobs *q);
/* Runs done() for every finished job; returns how many. */
int jobs_dispatch(jobs *q);
/* Jobs submitted and not yet dispatched. */
size_t jobs_pending(jobs *q);
/* Blocks until no job is pending (dispatching completions). For the CLI
 * and tests; never call it from the console loop. */
void jobs_drain(jobs *q);

#endif
