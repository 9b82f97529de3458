/* test_tui_jobs.c - the worker queue: order, completion through the pipe
 * on the caller's thread, cancellation of queued and running jobs. */
#include "jobs.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

typedef struct rec {
	int order[16];
	int n;
	int done[16];
	int ndone;
	pthread_t done_thread[16];
	atomic_int started;
	bool cancelled_seen[16];
	pthread_mutex_t mu; /* two workers may record at once */
} rec;

typedef struct arg {
	rec *r;
	int id;
	bool wait_cancel;
} arg;

static void fn(job *j, void *p)
{
	arg *a = p;

	atomic_fetch_add(&a->r->started, 1);
	if (a->wait_cancel) /* a "long" job that stops when cancelled */
		while (!job_cancelled(j)) {
			struct timespec ts = {0, 1000000};

			nanosleep(&ts, NULL);
		}
	pthread_mutex_lock(&a->r->mu);
	a->r->order[a->r->n++] = a->id;
	pthread_mutex_unlock(&a->r->mu);
}

static void done(job *j, void *p)
{
	arg *a = p;

	a->r->cancelled_seen[a->r->ndone] = job_cancelled(j);
	a->r->done_thread[a->r->ndone] = pthread_self();
	a->r->done[a->r->ndone++] = a->id;
}

static void test_order_and_completion(void **state)
{
	dc_err err;
	jobs *q = jobs_new(1, &err);
	rec r;
	arg a[5];

	(void)state;
	memset(&r, 0, sizeof(r));
	pthread_mutex_init(&r.mu, NULL);
	assert_non_null(q);
	for (int i = 0; i < 5; i++) {
		a[i] = (arg){&r, i, false};
		assert_non_null(job_submit(q, fn, &a[i], done));
	}
	assert_int_equal(jobs_pending(q), 5);
	/* completions arrive through the fd; done() runs here */
	while (jobs_pending(q) > 0) {
		struct pollfd p = {.fd = jobs_fd(q), .events = POLLIN};

		assert_true(poll(&p, 1, 10000) > 0);
		jobs_dispatch(q);
	}
	assert_int_equal(r.n, 5);
	assert_int_equal(r.ndone, 5);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(r.order[i], i);
		assert_int_equal(r.done[i], i);
		assert_true(pthread_equal(r.done_thread[i], pthread_self()));
	}
	jobs_free(q);
}

static void test_cancel(void **state)
{
	dc_err err;
	jobs *q = jobs_new(1, &err);
	rec r;
	arg a[3];
	job *j0;

	(void)state;
	memset(&r, 0, sizeof(r));
	pthread_mutex_init(&r.mu, NULL);
	a[0] = (arg){&r, 0, true}; /* runs until cancelled */
	a[1] = (arg){&r, 1, false};
	a[2] = (arg){&r, 2, false};
	j0 = job_submit(q, fn, &a[0], done);
	job *j1 = job_submit(q, fn, &a[1], done);

	job_submit(q, fn, &a[2], done);
	while (atomic_load(&r.started) == 0) {
		struct timespec ts = {0, 1000000};

		nanosleep(&ts, NULL);
	}
	job_cancel(j1); /* queued: never runs */
	job_cancel(j0); /* running: stops itself */
	jobs_drain(q);
	assert_int_equal(r.n, 2); /* 0 (stopped) and 2 ran, 1 did not */
	assert_int_equal(r.order[0], 0);
	assert_int_equal(r.order[1], 2);
	assert_int_equal(r.ndone, 3); /* every done() ran */
	assert_true(r.cancelled_seen[0]);
	assert_true(r.cancelled_seen[1]);
	assert_false(r.cancelled_seen[2]);
	jobs_free(q);
}

static void test_free_cancels_everything(void **state)
{
	dc_err err;
	jobs *q = jobs_new(2, &err);
	rec r;
	arg a[4];

	(void)state;
	memset(&r, 0, sizeof(r));
	pthread_mutex_init(&r.mu, NULL);
	for (int i = 0; i < 4; i++) {
		a[i] = (arg){&r, i, true};
		job_submit(q, fn, &a[i], done);
	}
	jobs_free(q); /* returns: running jobs were cancelled and joined */
	assert_int_equal(r.ndone, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_order_and_completion),
	    cmocka_unit_test(test_cancel),
	    cmocka_unit_test(test_free_cancels_everything),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
