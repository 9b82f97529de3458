/* apilog.c - bounded ring of API call records; see apilog.h. */
#include "apilog.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct apilog {
	pthread_mutex_t mu;
	apilog_rec *ring;
	size_t cap;
	size_t count; /* records kept, <= cap */
	size_t head;  /* index where the next record goes */
	uint64_t seq; /* last assigned */
};

apilog *apilog_new(size_t capacity)
{
	if (capacity == 0)
		capacity = 1;
	apilog *log = calloc(1, sizeof(*log));
	if (!log)
		return NULL;
	log->ring = calloc(capacity, sizeof(*log->ring));
	if (!log->ring) {
		free(log);
		return NULL;
	}
	log->cap = capacity;
	pthread_mutex_init(&log->mu, NULL);
	return log;
}

void apilog_free(apilog *log)
{
	if (!log)
		return;
	pthread_mutex_destroy(&log->mu);
	free(log->ring);
	free(log);
}

uint64_t apilog_add(apilog *log, const apilog_rec *rec)
{
	if (!log || !rec)
		return 0;
	pthread_mutex_lock(&log->mu);
	apilog_rec *slot = &log->ring[log->head];
	*slot = *rec;
	slot->seq = ++log->seq;
	log->head = (log->head + 1) % log->cap;
	if (log->count < log->cap)
		log->count++;
	uint64_t seq = slot->seq;
	pthread_mutex_unlock(&log->mu);
	return seq;
}

size_t apilog_snapshot(apilog *log, uint64_t after_seq, apilog_rec *out,
                       size_t max)
{
	if (!log || !out || !max)
		return 0;
	pthread_mutex_lock(&log->mu);
	/* The oldest kept record sits count slots behind head. */
	size_t first = (log->head + log->cap - log->count) % log->cap;
	size_t n = 0;
	for (size_t i = 0; i < log->count && n < max; i++) {
		const apilog_rec *r = &log->ring[(first + i) % log->cap];
		if (r->seq > after_seq)
			out[n++] = *r;
	}
	pthread_mutex_unlock(&log->mu);
	return n;
}

uint64_t apilog_last_seq(apilog *log)
{
	if (!log)
		return 0;
	pthread_mutex_lock(&log->mu);
	uint64_t s = log->seq;
	pthread_mutex_unlock(&log->mu);
	return s;
}

size_t apilog_count(apilog *log)
{
	if (!log)
		return 0;
	pthread_mutex_lock(&log->mu);
	size_t n = log->count;
	pthread_mutex_unlock(&log->mu);
	return n;
}

bool apilog_secret_key(const char *key)
{
	static const char *const exact[] = {
	    "auth", "authinfo", "confirm", "session", "sessionid", NULL,
	};
	static const char *const parts[] = {"pass", "secret", "token", NULL};
	if (!key)
		return false;
	for (size_t i = 0; exact[i]; i++)
		if (strcasecmp(key, exact[i]) == 0)
			return true;
	for (size_t i = 0; parts[i]; i++)
		if (strcasestr(key, parts[i]))
			return true;
	return false;
}

char *apilog_format_params(const http_param *params, char *buf, size_t len)
{
	if (!len)
		return buf;
	size_t off = strnlen(buf, len - 1);
	buf[off] = '\0';
	for (size_t i = 0; params && params[i].key; i++) {
		const char *v = params[i].value ? params[i].value : "";
		if (apilog_secret_key(params[i].key))
			v = "***";
		/* 60 characters of a value are enough to recognise it; the
		 * record must stay readable on one line. */
		int vl = (int)strnlen(v, 60);
		const char *more = v[vl] ? "..." : "";
		int n = snprintf(buf + off, len - off, "%s%s=%.*s%s",
		                 off ? " " : "", params[i].key, vl, v, more);
		if (n < 0 || (size_t)n >= len - off) {
			buf[len - 1] = '\0';
			break;
		}
		off += (size_t)n;
	}
	return buf;
}
