/* jobs.c - see jobs.h. */
#include "jobs.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct job {
	job_fn fn;
	job_done_fn done;
	void *arg;
	volatile int cancel;
	bool finished;
	struct job *next;
};

struct jobs {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t *threads;
	int nthreads;
	bool stop;
	job *queue, *queue_tail; /* waiting to run */
	job *done, *done_tail;   /* finished, waiting for dispatch */
	job *running[16];        /* for cancel_all */
	size_t pending;          /* submitted, not yet dispatched */
	int pipe[2];
};

static void push(job **head, job **tail, job *j)
{
	j->next = NULL;
	if (*tail)
		(*tail)->next = j;
	else
		*head = j;
	*tail = j;
}

static job *pop(job **head, job **tail)
{
	job *j = *head;

	if (j) {
		*head = j->next;
		if (!*head)
			*tail = NULL;
	}
	return j;
}

static void *worker(void *p)
{
	jobs *q = p;
	int slot = -1;

	pthread_mutex_lock(&q->mu);
	for (int i = 0; i < q->nthreads; i++)
		if (pthread_equal(q->threads[i], pthread_self()))
			slot = i;
	for (;;) {
		job *j;

		while (!q->queue && !q->stop)
			pthread_cond_wait(&q->cv, &q->mu);
		if (!q->queue && q->stop)
			break;
		j = pop(&q->queue, &q->queue_tail);
		if (slot >= 0 && slot < 16)
			q->running[slot] = j;
		pthread_mutex_unlock(&q->mu);
		if (!j->cancel)
			j->fn(j, j->arg);
		pthread_mutex_lock(&q->mu);
		if (slot >= 0 && slot < 16)
			q->running[slot] = NULL;
		j->finished = true;
		push(&q->done, &q->done_tail, j);
		/* a full pipe only means the main loop already has a wake-up */
		ssize_t w = write(q->pipe[1], "j", 1);
		(void)w;
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

jobs *jobs_new(int nworkers, dc_err *err)
{
	jobs *q = calloc(1, sizeof(*q));

	if (nworkers < 1)
		nworkers = 1;
	if (nworkers > 16)
		nworkers = 16;
	if (!q) {
		err_set(err, DC_E_NOMEM, "out of memory");
		return NULL;
	}
	if (pipe2(q->pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		err_set(err, DC_E_IO, "pipe: %s", strerror(errno));
		free(q);
		return NULL;
	}
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	q->threads = calloc((size_t)nworkers, sizeof(pthread_t));
	if (!q->threads) {
		err_set(err, DC_E_NOMEM, "out of memory");
		jobs_free(q);
		return NULL;
	}
	pthread_mutex_lock(&q->mu);
	for (int i = 0; i < nworkers; i++) {
		if (pthread_create(&q->threads[i], NULL, worker, q) != 0) {
			pthread_mutex_unlock(&q->mu);
			err_set(err, DC_E_IO, "cannot start a worker thread");
			jobs_free(q);
			return NULL;
		}
		q->nthreads++;
	}
	pthread_mutex_unlock(&q->mu);
	return q;
}

job *job_submit(jobs *q, job_fn fn, void *arg, job_done_fn done)
{
	job *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->fn = fn;
	j->done = done;
	j->arg = arg;
	pthread_mutex_lock(&q->mu);
	push(&q->queue, &q->queue_tail, j);
	q->pending++;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
	return j;
}

void job_cancel(job *j)
{
	__atomic_store_n(&j->cancel, 1, __ATOMIC_SEQ_CST);
}

bool job_cancelled(const job *j)
{
	return __atomic_load_n(&j->cancel, __ATOMIC_SEQ_CST) != 0;
}

const volatile int *job_cancel_flag(const job *j)
{
	return &j->cancel;
}

void jobs_cancel_all(jobs *q)
{
	pthread_mutex_lock(&q->mu);
	for (job *j = q->queue; j; j = j->next)
		job_cancel(j);
	for (int i = 0; i < q->nthreads && i < 16; i++)
		if (q->running[i])
			job_cancel(q->running[i]);
	pthread_mutex_unlock(&q->mu);
}

int jobs_fd(const jobs *q)
{
	return q->pipe[0];
}

int jobs_dispatch(jobs *q)
{
	char buf[64];
	int n = 0;

	while (read(q->pipe[0], buf, sizeof(buf)) > 0)
		;
	for (;;) {
		job *j;

		pthread_mutex_lock(&q->mu);
		j = pop(&q->done, &q->done_tail);
		pthread_mutex_unlock(&q->mu);
		if (!j)
			break;
		if (j->done)
			j->done(j, j->arg);
		pthread_mutex_lock(&q->mu);
		q->pending--;
		pthread_mutex_unlock(&q->mu);
		free(j);
		n++;
	}
	return n;
}

size_t jobs_pending(jobs *q)
{
	size_t n;

	pthread_mutex_lock(&q->mu);
	n = q->pending;
	pthread_mutex_unlock(&q->mu);
	return n;
}

void jobs_drain(jobs *q)
{
	while (jobs_pending(q) > 0) {
		struct pollfd p = {.fd = q->pipe[0], .events = POLLIN};

		poll(&p, 1, 1000);
		jobs_dispatch(q);
	}
}

void jobs_free(jobs *q)
{
	if (!q)
		return;
	if (q->threads) {
		jobs_cancel_all(q);
		pthread_mutex_lock(&q->mu);
		q->stop = true;
		pthread_cond_broadcast(&q->cv);
		pthread_mutex_unlock(&q->mu);
		for (int i = 0; i < q->nthreads; i++)
			pthread_join(q->threads[i], NULL);
		jobs_dispatch(q);
		free(q->threads);
	}
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->cv);
	close(q->pipe[0]);
	close(q->pipe[1]);
	free(q);
}
