/* test_panel_apilog.c - the bounded API log: ring order, sequence numbers,
 * masking, and adding from several threads while another reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apilog.h"

static void add_func(apilog *log, const char *func)
{
	apilog_rec r;
	memset(&r, 0, sizeof(r));
	snprintf(r.func, sizeof(r.func), "%s", func);
	r.ok = true;
	apilog_add(log, &r);
}

static void test_ring(void **state)
{
	apilog *log = apilog_new(3);
	assert_non_null(log);
	assert_int_equal(apilog_count(log), 0);
	assert_int_equal(apilog_last_seq(log), 0);
	apilog_rec out[8];
	assert_int_equal(apilog_snapshot(log, 0, out, 8), 0);
	add_func(log, "a");
	add_func(log, "b");
	assert_int_equal(apilog_snapshot(log, 0, out, 8), 2);
	assert_string_equal(out[0].func, "a");
	assert_int_equal(out[0].seq, 1);
	add_func(log, "c");
	add_func(log, "d");
	add_func(log, "e");
	assert_int_equal(apilog_count(log), 3);
	assert_int_equal(apilog_last_seq(log), 5);
	size_t n = apilog_snapshot(log, 0, out, 8);
	assert_int_equal(n, 3);
	assert_string_equal(out[0].func, "c"); /* oldest kept first */
	assert_string_equal(out[2].func, "e");
	assert_int_equal(out[2].seq, 5);
	/* only what is new */
	n = apilog_snapshot(log, 4, out, 8);
	assert_int_equal(n, 1);
	assert_string_equal(out[0].func, "e");
	/* max respected */
	assert_int_equal(apilog_snapshot(log, 0, out, 2), 2);
	apilog_free(log);
}

static void test_masking(void **state)
{
	const char *secret[] = {"password",      "passwd",    "checkpasswd",
	                        "confirm",       "auth",      "authinfo",
	                        "PASSWORD",      "root_pass", "api_token",
	                        "client_secret", NULL};
	for (int i = 0; secret[i]; i++)
		if (!apilog_secret_key(secret[i]))
			fail_msg("%s should be secret", secret[i]);
	const char *plain[] = {"username", "elid", "func", "hostname", "key",
	                       "level",    "name", "ip",   NULL};
	for (int i = 0; plain[i]; i++)
		if (apilog_secret_key(plain[i]))
			fail_msg("%s should not be secret", plain[i]);
	assert_false(apilog_secret_key(NULL));

	const http_param ps[] = {{"elid", "12"},
	                         {"passwd", "hunter2"},
	                         {"authinfo", "admin:hunter2"},
	                         {"hostname", "h.example"},
	                         {"empty", NULL},
	                         {NULL, NULL}};
	char buf[256] = "";
	apilog_format_params(ps, buf, sizeof(buf));
	assert_string_equal(buf, "elid=12 passwd=*** authinfo=*** "
	                         "hostname=h.example empty=");
	/* a long value is shortened, and the buffer never overflows */
	char big[300];
	memset(big, 'v', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	const http_param pb[] = {{"note", big}, {"x", "1"}, {NULL, NULL}};
	char small[40] = "";
	apilog_format_params(pb, small, sizeof(small));
	assert_true(strlen(small) < sizeof(small));
	char mid[200] = "";
	apilog_format_params(pb, mid, sizeof(mid));
	assert_non_null(strstr(mid, "... x=1"));
	char none[8] = "";
	assert_string_equal(apilog_format_params(NULL, none, sizeof(none)), "");
}

typedef struct worker {
	apilog *log;
	int id;
} worker;

#define PER_THREAD 20000

static void *adder(void *arg)
{
	worker *w = arg;
	apilog_rec r;
	memset(&r, 0, sizeof(r));
	for (int i = 0; i < PER_THREAD; i++) {
		snprintf(r.func, sizeof(r.func), "t%d", w->id);
		snprintf(r.params, sizeof(r.params), "i=%d", i);
		apilog_add(w->log, &r);
	}
	return NULL;
}

static atomic_bool reading_done;

static void *reader(void *arg)
{
	apilog *log = arg;
	apilog_rec *out = malloc(100 * sizeof(*out));
	uint64_t last = 0;
	while (!atomic_load(&reading_done)) {
		size_t n = apilog_snapshot(log, last, out, 100);
		for (size_t i = 0; i < n; i++) {
			/* sequence numbers only ever grow */
			if (out[i].seq <= last)
				abort();
			last = out[i].seq;
			if (out[i].func[0] != 't')
				abort(); /* a torn record */
		}
	}
	free(out);
	return NULL;
}

static void test_threads(void **state)
{
	apilog *log = apilog_new(100);
	pthread_t th[4], rd;
	worker w[4];
	atomic_store(&reading_done, false);
	pthread_create(&rd, NULL, reader, log);
	for (int i = 0; i < 4; i++) {
		w[i].log = log;
		w[i].id = i;
		pthread_create(&th[i], NULL, adder, &w[i]);
	}
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	atomic_store(&reading_done, true);
	pthread_join(rd, NULL);
	assert_int_equal(apilog_last_seq(log), 4 * PER_THREAD);
	assert_int_equal(apilog_count(log), 100);
	apilog_rec out[100];
	size_t n = apilog_snapshot(log, 0, out, 100);
	assert_int_equal(n, 100);
	for (size_t i = 1; i < n; i++)
		assert_int_equal(out[i].seq, out[i - 1].seq + 1);
	apilog_free(log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ring),
	    cmocka_unit_test(test_masking),
	    cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
