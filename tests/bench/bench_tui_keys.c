/* bench_tui_keys.c - key-to-screen time in a 10 000-row list with a
 * filter being typed (shared/spec/quality.md: p99 under 5 ms).
 *
 * Runs the console's own list widget and curses in-process on a virtual
 * 80x24 xterm-256color whose output goes to /dev/null, so the figure is
 * the work dcictl does between reading a key and handing the updated
 * screen to the terminal: the filter step, drawing the visible rows, and
 * curses computing and writing the update. Each round types a filter one
 * key at a time, moves the selection, and erases it again.
 *
 * Prints:
 *   BENCH tui_key_filtered_10k_p99 <ms> ms p50=<ms>ms keys=<n> goal=<5ms
 *   BENCH tui_key_nav_10k_p99 <ms> ms (moving in the filtered list) */
#include "keys.h"
#include "list.h"
#include "theme.h"

#include <curses.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ROWS 10000

typedef struct srv {
	char name[24], type[16], state[12], owner[16], ip[16];
	int ram;
} srv;

static const list_col cols[] = {
    {"NAME", 0, 12, 0},    {"TYPE", 10, 0, 0},
    {"STATE", 9, 0, 0},    {"OWNER", 0, 8, 0},
    {"MAIN IP", 15, 0, 0}, {"RAM", 7, 0, LIST_COL_RIGHT | LIST_COL_NUM},
};

static const char *cell(void *data, size_t row, int col, char *buf, size_t len)
{
	const srv *s = (const srv *)data + row;

	switch (col) {
	case 0:
		return s->name;
	case 1:
		return s->type;
	case 2:
		return s->state;
	case 3:
		return s->owner;
	case 4:
		return s->ip;
	default:
		snprintf(buf, len, "%d", s->ram);
		return buf;
	}
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, double p)
{
	size_t k = (size_t)(p * (double)(n - 1) + 0.5);

	qsort(v, n, sizeof(double), cmpd);
	return v[k];
}

int main(void)
{
	static const char *const types[] = {"ds-small", "ds-large", "ds-gpu"};
	static const char *const states[] = {"free", "owned", "broken"};
	srv *s = calloc(ROWS, sizeof(*s));
	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
	SCREEN *scr;
	list l;
	theme th;
	double *filt = calloc(100000, sizeof(double));
	double *nav = calloc(100000, sizeof(double));
	size_t nf = 0, nn = 0;
	const char *filters[] = {"srv-01",   "ds-gpu", "10.0.3",
	                         "client-4", "free",   "srv-0999"};

	if (!s || !out || !in || !filt || !nav)
		return 1;
	setlocale(LC_ALL, "C.UTF-8");
	for (size_t i = 0; i < ROWS; i++) {
		snprintf(s[i].name, sizeof(s[i].name), "srv-%05zu", i);
		snprintf(s[i].type, sizeof(s[i].type), "%s", types[i % 3]);
		snprintf(s[i].state, sizeof(s[i].state), "%s",
		         states[(i / 3) % 3]);
		snprintf(s[i].owner, sizeof(s[i].owner), "client-%zu",
		         (i * 7) % 500);
		snprintf(s[i].ip, sizeof(s[i].ip), "10.0.%zu.%zu", i / 250,
		         i % 250);
		s[i].ram = 8192 << (i % 4);
	}
	scr = newterm("xterm-256color", out, in);
	if (!scr) {
		fprintf(stderr, "bench_tui_keys: no xterm-256color terminfo\n");
		return 1;
	}
	resize_term(24, 80);
	draw_init(false);
	theme_builtin(&th);
	theme_apply(&th, false);
	list_init(&l, cols, 6, cell, s);
	list_set_rows(&l, ROWS);
	list_sort(&l, 0);
	ui_rect body = {1, 0, 21, 80};

	for (int round = 0; round < 20; round++)
		for (size_t f = 0; f < sizeof(filters) / sizeof(filters[0]);
		     f++) {
			char typed[64] = "";
			size_t len = strlen(filters[f]);

			/* type the filter, key by key */
			for (size_t k = 0; k < len; k++) {
				double t0 = now_ms();

				typed[k] = filters[f][k];
				typed[k + 1] = '\0';
				list_set_filter(&l, typed);
				erase();
				list_draw(&l, body);
				refresh();
				filt[nf++] = now_ms() - t0;
			}
			/* move in the result */
			for (int k = 0; k < 10; k++) {
				double t0 = now_ms();

				list_key(&l, k % 3 == 2 ? UIK_PGDN : 'j');
				erase();
				list_draw(&l, body);
				refresh();
				nav[nn++] = now_ms() - t0;
			}
			/* erase it again: the list widens back */
			for (size_t k = len; k-- > 0;) {
				double t0 = now_ms();

				typed[k] = '\0';
				list_set_filter(&l, typed);
				erase();
				list_draw(&l, body);
				refresh();
				filt[nf++] = now_ms() - t0;
			}
		}
	endwin();
	delscreen(scr);
	printf("BENCH-CONDITIONS tui_keys: %d rows x 6 columns, 80x24, "
	       "xterm-256color to /dev/null, in-process\n",
	       ROWS);
	double p50 = pct(filt, nf, 0.5), p99 = pct(filt, nf, 0.99);

	printf("BENCH tui_key_filtered_10k_p99 %.2f ms p50=%.2fms keys=%zu "
	       "goal=<5ms\n",
	       p99, p50, nf);
	printf("BENCH tui_key_nav_10k_p99 %.2f ms p50=%.2fms keys=%zu\n",
	       pct(nav, nn, 0.99), pct(nav, nn, 0.5), nn);
	list_free(&l);
	free(s);
	free(filt);
	free(nav);
	fclose(out);
	fclose(in);
	return 0;
}
