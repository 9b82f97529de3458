/* test_graphs.c - the Graphs screen in a terminal against dcisim with a
 * virtual clock: it opens from the `:` line, shows traffic, power and
 * burst with time labels and the side figures, and updates by itself when
 * the simulator produces a new bucket (the clock advanced via simctl); at
 * 80x24 and 160x50, UTF-8 (braille) and LANG=C (ASCII), colour and
 * NO_COLOR; range keys, style key, pause, resize. */
#include "vt.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "panel.h"
#include "simproc.h"
#include "stats.h"
#include "store.h"

#define TMO 20000

typedef struct fx {
	simproc sim;
	char dir[3800];
	char cfgenv[4300];
	int64_t clk; /* the simulator's virtual now */
	vt *v;
} fx;

#define EXPECT(v, t)                                                           \
	do {                                                                   \
		if (!vt_wait_text((v), (t), TMO)) {                            \
			vt_dump_named((v), __func__);                          \
			fail_msg("screen never showed '%s'", (t));             \
		}                                                              \
	} while (0)

static void ctl(fx *f, const char *body)
{
	char *ans = NULL;
	if (simproc_ctl(&f->sim, body, &ans) < 0 || !ans ||
	    strstr(ans, "<error"))
		fail_msg("simctl %s: %s", body, ans ? ans : "failed");
	free(ans);
}

/* "YYYY-MM-DD HH:MM" in UTC, as the screen prints times. */
static const char *utc(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
	return buf;
}

static int setup(void **state)
{
	fx *f = calloc(1, sizeof(*f));
	const char *base = getenv("DCITEST_TMP");
	char path[4200], clk[32];
	dc_err err;
	FILE *c;

	if (!f)
		return -1;
	/* A virtual clock a month ahead of ours: the graphs follow the
	 * panel's newest bucket, so what they show moves only when the
	 * test advances the simulator's clock. */
	f->clk = ((int64_t)time(NULL) / 300) * 300 + 30 * 86400;
	snprintf(clk, sizeof(clk), "%lld", (long long)f->clk);
	const char *args[] = {"--servers", "8", "--clock", clk, NULL};
	if (simproc_start(&f->sim, args) < 0)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/graphs.XXXXXX",
	         base && *base ? base : "/tmp");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(path, sizeof(path), "%s/store.db", f->dir);
	dc_store *st = store_open(path, &err);
	if (!st)
		return -1;
	dc_department d = {.name = "NOC"};
	dc_conn ipm = {.name = "ipm", .username = "admin"};
	snprintf(ipm.url, sizeof(ipm.url), "%s", f->sim.ipmgr);
	dc_module m;
	memset(&m, 0, sizeof(m));
	snprintf(m.name, sizeof(m.name), "dc1");
	snprintf(m.url, sizeof(m.url), "%s", f->sim.dcimgr[0]);
	snprintf(m.username, sizeof(m.username), "admin");
	snprintf(m.parking_type, sizeof(m.parking_type), "parking");
	m.sorting = 10;
	m.enabled = true;
	if (department_add(st, &d, &err) < 0 ||
	    ipmgr_add(st, &ipm, "admin", &err) < 0)
		return -1;
	m.ipmgr_id = ipm.id;
	m.department_id = d.id;
	if (module_add(st, &m, "admin", &err) < 0)
		return -1;
	/* two days already collected, as cron would have */
	stats_collect_opts o = {
	    .module = "dc1", .since = f->clk - 2 * 86400, .now = f->clk};
	stats_collect_result r;
	if (stats_collect(st, &o, &r, &err) < 0) {
		fprintf(stderr, "collect: %s\n", err.msg);
		return -1;
	}
	store_close(st);
	snprintf(path, sizeof(path), "%s/config", f->dir);
	if (!(c = fopen(path, "w")))
		return -1;
	fprintf(c, "store = \"%s/store.db\";\nrefresh = \"200ms\";\n", f->dir);
	fclose(c);
	chmod(path, 0600);
	snprintf(f->cfgenv, sizeof(f->cfgenv), "DCICTL_CONFIG=%s", path);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx *f = *state;
	char cmd[4000];
	if (f->v)
		vt_stop(f->v, 2000);
	simproc_stop(&f->sim);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", f->dir);
	free(f);
	return 0;
}

static vt *start(fx *f, int rows, int cols, const char *const *env)
{
	const char *e[16];
	int n = 0;
	e[n++] = f->cfgenv;
	for (int i = 0; env && env[i] && n < 15; i++)
		e[n++] = env[i];
	e[n] = NULL;
	assert_int_equal(vt_start(&f->v, rows, cols, NULL, e), 0);
	return f->v;
}

static void quit(fx *f)
{
	int code = -1;
	vt_send(f->v, "Q");
	if (!vt_wait_exit(f->v, TMO, &code)) {
		vt_dump_named(f->v, "quit");
		fail_msg("dcictl did not quit");
	}
	assert_int_equal(code, 0);
	vt_stop(f->v, 1000);
	f->v = NULL;
}

/* Whether some cell shows a braille pattern (U+2800..U+28FF). */
static bool any_braille(vt *v)
{
	char row[4096];
	for (int r = 0; r < v->rows; r++) {
		vt_row_text(v, r, row, sizeof(row));
		for (const unsigned char *p = (const unsigned char *)row; *p;
		     p++)
			if (p[0] == 0xE2 && (p[1] == 0xA0 || p[1] == 0xA1 ||
			                     p[1] == 0xA2 || p[1] == 0xA3))
				return true;
	}
	return false;
}

static bool all_ascii(vt *v)
{
	char row[4096];
	for (int r = 0; r < v->rows; r++) {
		vt_row_text(v, r, row, sizeof(row));
		for (const unsigned char *p = (const unsigned char *)row; *p;
		     p++)
			if (*p >= 0x80)
				return false;
	}
	return true;
}

/* Whether a row below the header shows a time label "HH:MM". */
static bool has_time_label(vt *v)
{
	char row[4096];
	for (int r = 3; r < v->rows; r++) {
		vt_row_text(v, r, row, sizeof(row));
		for (const char *p = row; p[0] && p[1] && p[2] && p[3] && p[4];
		     p++)
			if (p[0] >= '0' && p[0] <= '2' && p[1] >= '0' &&
			    p[1] <= '9' && p[2] == ':' && p[3] >= '0' &&
			    p[3] <= '5' && p[4] >= '0' && p[4] <= '9')
				return true;
	}
	return false;
}

/* Opens the graphs of server 3, waits for the stored data, then makes the
 * simulator produce a new bucket and waits for the screen to show it. */
static void live_update(fx *f, int rows, int cols, const char *const *env,
                        bool braille)
{
	vt *v = start(f, rows, cols, env);
	char t[64], want[96];

	EXPECT(v, "Dashboard");
	vt_send(v, ":stats graph dc1/3\r");
	EXPECT(v, "Traffic (bit/s)");
	EXPECT(v, "Power (W)");
	EXPECT(v, "[1h]");
	snprintf(want, sizeof(want), "newest %s UTC",
	         utc(f->clk - 300, t, sizeof(t)));
	EXPECT(v, want);
	EXPECT(v, "Mbit/s");      /* y labels with units */
	EXPECT(v, "now");         /* the figures beside the graph */
	EXPECT(v, "BURST ");      /* the day's burst */
	EXPECT(v, "dc1-r01-u03"); /* the server's name */
	assert_true(has_time_label(v));
	if (braille)
		assert_true(any_braille(v));
	else
		assert_true(all_ascii(v));

	/* a new bucket appears without a key press */
	ctl(f, "func=clock.advance&seconds=300");
	snprintf(want, sizeof(want), "newest %s UTC",
	         utc(f->clk, t, sizeof(t)));
	EXPECT(v, want);
	f->clk += 300;
	quit(f);
}

static void test_live_80x24_utf8(void **state)
{
	live_update(*state, 24, 80, NULL, true);
}

static void test_live_160x50_utf8(void **state)
{
	fx *f = *state;
	live_update(f, 50, 160, NULL, true);
	/* at this size the daily burst graph is there too */
}

static void test_live_80x24_ascii(void **state)
{
	const char *env[] = {"LANG=C", "LC_ALL=C", NULL};
	live_update(*state, 24, 80, env, false);
}

static void test_live_160x50_ascii(void **state)
{
	const char *env[] = {"LANG=C", "LC_ALL=C", NULL};
	live_update(*state, 50, 160, env, false);
}

/* Waits until row 1 shows the range selector beyond column `col`. */
static bool selector_beyond(vt *v, int col)
{
	struct timespec t0, t;
	char row[4096];
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		vt_row_text(v, 1, row, sizeof(row));
		const char *p = strstr(row, "[1h]  24h   7d   30d");
		if (p && p - row > col)
			return true;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 > TMO)
			return false;
		vt_pump(v, 100);
	}
}

static void test_keys_pause_resize_color(void **state)
{
	fx *f = *state;
	vt *v = start(f, 24, 80, NULL);
	char t[64], want[96];

	EXPECT(v, "Dashboard");
	vt_send(v, ":stats graph dc1-r01-u05 --range 24h\r");
	EXPECT(v, "[24h]");
	EXPECT(v, "Daily burst");
	assert_true(vt_any_color(v));
	vt_send(v, "3");
	EXPECT(v, "[7d]");
	vt_send(v, "\t");
	EXPECT(v, "[30d]");
	vt_send(v, "1");
	EXPECT(v, "[1h]");
	vt_send(v, "b");
	EXPECT(v, "graph style: block");
	vt_send(v, "b");
	EXPECT(v, "graph style: ASCII");
	/* paused: a new bucket does not show until resumed */
	vt_send(v, "p");
	EXPECT(v, "PAUSED");
	EXPECT(v, "paused (p resumes)");
	/* (pausing cancels a collection in flight, so nothing fetched after
	 * this point is stored) */
	ctl(f, "func=clock.advance&seconds=300");
	snprintf(want, sizeof(want), "newest %s UTC",
	         utc(f->clk, t, sizeof(t)));
	for (int i = 0; i < 5; i++) /* some refresh intervals */
		vt_pump(v, 300);
	if (vt_has_text(v, want)) {
		vt_dump_named(v, "paused");
		fail_msg("a new bucket showed while paused: %s", want);
	}
	vt_send(v, "p");
	EXPECT(v, want);
	f->clk += 300;
	/* resize: drawn again at the new size, the range selector at the new
	 * right edge */
	vt_resize(v, 30, 100);
	if (!selector_beyond(v, 70)) { /* it was at 58 */
		vt_dump_named(v, "resize");
		fail_msg("not redrawn after resize");
	}
	/* below the minimum: the frame's too-small screen, then back */
	vt_resize(v, 20, 60);
	EXPECT(v, "too small");
	vt_resize(v, 24, 80);
	EXPECT(v, "Traffic (bit/s)");
	/* Esc goes back to the dashboard */
	vt_key(v, VTERM_KEY_ESCAPE);
	if (!vt_wait_gone(v, "Traffic (bit/s)", TMO))
		fail_msg("Esc did not close the graphs");
	quit(f);
}

static void test_no_color_and_errors(void **state)
{
	fx *f = *state;
	const char *env[] = {"NO_COLOR=1", NULL};
	vt *v = start(f, 24, 80, env);

	EXPECT(v, "Dashboard");
	vt_send(v, ":stats graph dc1/4\r");
	EXPECT(v, "Traffic (bit/s)");
	EXPECT(v, "newest");
	assert_false(vt_any_color(v));
	vt_key(v, VTERM_KEY_ESCAPE);
	/* a server that does not exist: a clear message, no screen */
	vt_send(v, ":stats graph nosuchserver\r");
	EXPECT(v, "no server or service named \"nosuchserver\"");
	vt_send(v, ":stats graph dc1/3 --range 2h\r");
	EXPECT(v, "--range 2h: use 1h, 24h, 7d or 30d");
	quit(f);
}

static void test_read_only_does_not_collect(void **state)
{
	fx *f = *state;
	vt *v = NULL;
	char t[64], want[96];
	const char *args[] = {"--read-only", NULL};
	const char *e[] = {f->cfgenv, NULL};

	assert_int_equal(vt_start(&v, 24, 80, args, e), 0);
	f->v = v;
	EXPECT(v, "Dashboard");
	vt_send(v, ":stats graph dc1/3\r");
	EXPECT(v, "read-only: stored data, not collecting");
	snprintf(want, sizeof(want), "newest %s",
	         utc(f->clk - 300, t, sizeof(t)));
	EXPECT(v, want);
	ctl(f, "func=clock.advance&seconds=300");
	for (int i = 0; i < 5; i++)
		vt_pump(v, 300);
	assert_true(vt_has_text(v, want)); /* nothing new was fetched */
	quit(f);
}

/* `:stats collect` in the console: a progress screen, then the summary
 * and a message; refused with --read-only. */
static void test_collect_screen(void **state)
{
	fx *f = *state;
	vt *v = start(f, 24, 80, NULL);

	EXPECT(v, "Dashboard");
	ctl(f, "func=clock.advance&seconds=3600");
	vt_send(v, ":stats collect\r");
	EXPECT(v, "Collect statistics");
	EXPECT(v, "Collection done");
	EXPECT(v, "8/8 servers");
	EXPECT(v, "servers_ok:      8");
	/* one hour for 8 servers: 12 buckets each, less the gaps */
	EXPECT(v, "stats collect: ");
	EXPECT(v, "buckets stored in");
	vt_key(v, VTERM_KEY_ESCAPE);
	if (!vt_wait_gone(v, "Collection done", TMO))
		fail_msg("Esc did not close the collect screen");
	quit(f);

	const char *args[] = {"--read-only", NULL};
	const char *e[] = {f->cfgenv, NULL};
	assert_int_equal(vt_start(&f->v, 24, 80, args, e), 0);
	v = f->v;
	EXPECT(v, "Dashboard");
	vt_send(v, ":stats collect\r");
	EXPECT(v, "read-only");
	assert_false(vt_has_text(v, "Collect statistics"));
	quit(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_live_80x24_utf8, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_live_160x50_utf8, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_live_80x24_ascii, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_live_160x50_ascii, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_keys_pause_resize_color, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_no_color_and_errors, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_read_only_does_not_collect,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_collect_screen, setup,
	                                    teardown),
	};
	/* curl and libxml2 global set-up, before anything else */
	if (panel_lib_init(NULL) < 0)
		return 1;
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	panel_lib_cleanup();
	return rc;
}
