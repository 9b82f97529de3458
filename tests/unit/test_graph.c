/* test_graph.c - the pure graph renderer (tui/graph): golden grids for the
 * three modes, gaps, spikes, auto-scale, labels, ticks, sizes, no data. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "graph.h"

#define DAY0 1714521600LL /* 2024-05-01 00:00 UTC, a Wednesday */

typedef struct grid {
	int w, h;
	graph_cell *c;
	graph_info info;
} grid;

static grid *grid_new(int w, int h)
{
	grid *g = calloc(1, sizeof(*g));
	assert_non_null(g);
	g->w = w;
	g->h = h;
	g->c = calloc((size_t)w * (size_t)h, sizeof(graph_cell));
	assert_non_null(g->c);
	return g;
}

static void grid_free(grid *g)
{
	free(g->c);
	free(g);
}

static const graph_cell *at(const grid *g, int x, int y)
{
	return &g->c[(size_t)y * (size_t)g->w + (size_t)x];
}

static void render_ok(const graph_spec *s, grid *g)
{
	dc_err err;
	int rc = graph_render(s, g->c, g->w, g->h, &g->info, &err);
	if (rc != 0)
		print_error("graph_render: %s\n", err.msg);
	assert_int_equal(rc, 0);
}

static char *row_text(const grid *g, int y)
{
	static char buf[4096];
	graph_row_utf8(g->c, g->w, y, buf, sizeof(buf));
	return buf;
}

/* One letter per cell role: ' ' blank, a axis, l label, i in, o out,
 * m message. */
static char *row_roles(const grid *g, int y)
{
	static char buf[1024];
	static const char map[] = " aliom";
	for (int x = 0; x < g->w; x++)
		buf[x] = map[at(g, x, y)->role % 6];
	buf[g->w] = '\0';
	return buf;
}

/* Compares every row with the golden text; on a mismatch prints the whole
 * grid as C strings, ready to paste after checking it by eye. */
static void check_golden(const grid *g, const char *const *want,
                         char *(*rowfn)(const grid *, int))
{
	int bad = -1;
	for (int y = 0; y < g->h && bad < 0; y++)
		if (strcmp(rowfn(g, y), want[y]) != 0)
			bad = y;
	if (bad < 0)
		return;
	print_error("golden mismatch at row %d; actual grid:\n", bad);
	for (int y = 0; y < g->h; y++)
		print_error("\t\t\"%s\",\n", rowfn(g, y));
	fail();
}

/* The known series: 24 five-minute samples from 00:00 UTC, rising
 * quadratically, a present zero at 3 and a gap at 8 and 9. */
static double known_in[24], known_out[24];

static void known_init(void)
{
	for (int i = 0; i < 24; i++) {
		known_in[i] = (double)i * i * 9e5;
		known_out[i] = (double)(24 - i) * 15e6;
	}
	known_in[3] = 0;
	known_in[8] = known_in[9] = NAN;
	known_out[8] = known_out[9] = NAN;
}

static graph_spec known_spec(graph_mode mode, int nseries)
{
	known_init();
	return (graph_spec){
	    .mode = mode,
	    .unit = STATMATH_UNIT_BITPS,
	    .from = DAY0,
	    .to = DAY0 + 24 * 300,
	    .series = {{known_in, 24}, {known_out, 24}},
	    .nseries = nseries,
	};
}

/* Golden grids: the same series in each mode. Each golden was checked by
 * eye against the series: the rise, the floor mark of the zero at sample 3,
 * the empty gap at samples 8-9, top label 500 Mbit/s. */
static void golden(graph_mode mode, int nseries, int w, int h,
                   const char *const *text, const char *const *roles)
{
	graph_spec s = known_spec(mode, nseries);
	grid *g = grid_new(w, h);
	render_ok(&s, g);
	check_golden(g, text, row_text);
	if (roles)
		check_golden(g, roles, row_roles);
	grid_free(g);
}

static void test_golden_braille(void **state)
{
	(void)state;
	static const char *const want[] = {
	    " 500 Mbit/s┤                ⢀⣰", "           │               ⣀⣾⣿",
	    " 300 Mbit/s┤             ⢠⣼⣿⣿⣿", "           │           ⢠⣶⣿⣿⣿⣿⣿",
	    "           │        ⢀⣤⣾⣿⣿⣿⣿⣿⣿⣿", "          0┤⣀⣀⣀⣀⣠⣤ ⢸⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿",
	    "           └┬────────┬────────", "          00:00    01:00      ",
	};
	golden(GRAPH_BRAILLE, 1, 30, 8, want, NULL);
}

static void test_golden_block(void **state)
{
	(void)state;
	static const char *const want[] = {
	    " 500 Mbit/s┤                      ▂▆",
	    "           │                    ▃▆██",
	    " 300 Mbit/s┤                 ▁▄▇████",
	    "           │              ▁▃▆███████",
	    "           │          ▁▂▄▇██████████",
	    "          0┤▁▁▁▁▁▂▃▄  ██████████████",
	    "           └┬───────────┬───────────",
	    "          00:00       01:00         ",
	};
	golden(GRAPH_BLOCK, 1, 36, 8, want, NULL);
}

static void test_golden_ascii(void **state)
{
	(void)state;
	static const char *const want[] = {
	    " 500 Mbit/s+                      .|",
	    "           |                    .|##",
	    " 300 Mbit/s+                  :#####",
	    "           |               :|#######",
	    "           |           .:|##########",
	    "          0+......::  ##############",
	    "           ++-----------+-----------",
	    "          00:00       01:00         ",
	};
	static const char *const roles[] = {
	    " lllllllllla                      ii",
	    "           a                    iiii",
	    " lllllllllla                  iiiiii",
	    "           a               iiiiiiiii",
	    "           a           iiiiiiiiiiiii",
	    "          laiiiiiiii  iiiiiiiiiiiiii",
	    "           aaaaaaaaaaaaaaaaaaaaaaaaa",
	    "          lllll       lllll         ",
	};
	golden(GRAPH_ASCII, 1, 36, 8, want, roles);
}

static void test_golden_two_series(void **state)
{
	(void)state;
	static const char *const braille[] = {
	    " 500 Mbit/s┤               ⣀⣤⣴", "           │           ⢀⣤⣴⣾⣿⣿⣿",
	    "           │⣀⣀⣀⣀⣀⣀ ⢠⣴⣶⣿⣿⣿⣿⣿⣿⣿⣿", "          0┼──────────────────",
	    "           │⣿⣿⣿⣿⣿⣿ ⢸⣿⣿⣿⡿⠿⠟⠛⠉⠉⠉", "           │⣿⣿⣿⠿⠟⠛ ⠈⠉         ",
	    " 500 Mbit/s┤⠉                 ", "           └┬────────┬────────",
	    "          00:00    01:00      ",
	};
	static const char *const block[] = {
	    " 500 Mbit/s┤                     ▁▄▆",
	    "           │                 ▁▃▅▇███",
	    "           │             ▂▃▅▇███████",
	    "          0┤▁▁▁▁▁▁▂▃  ▆▇████████████",
	    "           │████████  ████████▀▀▀▀▀▀",
	    " 300 Mbit/s┤████████  ▀▀▀▀          ",
	    "           │██▀▀▀▀                  ",
	    " 500 Mbit/s┤                        ",
	    "           └┬───────────┬───────────",
	    "          00:00       01:00         ",
	};
	static const char *const ascii[] = {
	    " 500 Mbit/s+                    .::|",
	    "           |               .::|#####",
	    "           |........  :||###########",
	    "          0+------------------------",
	    "           |%%%%%%%%  %%%%%|||::''''",
	    "           |%%%%||::  ''            ",
	    " 500 Mbit/s+'                       ",
	    "           ++-----------+-----------",
	    "          00:00       01:00         ",
	};
	static const char *const ascii_roles[] = {
	    " lllllllllla                    iiii",
	    "           a               iiiiiiiii",
	    "           aiiiiiiii  iiiiiiiiiiiiii",
	    "          laaaaaaaaaaaaaaaaaaaaaaaaa",
	    "           aoooooooo  oooooooooooooo",
	    "           aoooooooo  oo            ",
	    " llllllllllao                       ",
	    "           aaaaaaaaaaaaaaaaaaaaaaaaa",
	    "          lllll       lllll         ",
	};
	golden(GRAPH_BRAILLE, 2, 30, 9, braille, NULL);
	golden(GRAPH_BLOCK, 2, 36, 10, block, NULL);
	golden(GRAPH_ASCII, 2, 36, 9, ascii, ascii_roles);
}

/* A missing sample leaves every cell of its columns empty, in every mode,
 * while a present zero next to it shows the floor mark. */
static void test_gap_stays_empty(void **state)
{
	double v[40];
	(void)state;
	for (int i = 0; i < 40; i++)
		v[i] = 5e6 + i * 1e6;
	for (int i = 10; i < 20; i++)
		v[i] = NAN;
	v[20] = 0;
	for (int mode = GRAPH_BRAILLE; mode <= GRAPH_ASCII; mode++) {
		for (int ns = 1; ns <= 2; ns++) {
			graph_spec s = {.mode = (graph_mode)mode,
			                .unit = STATMATH_UNIT_BITPS,
			                .from = DAY0,
			                .to = DAY0 + 40 * 300,
			                .series = {{v, 40}, {v, 40}},
			                .nseries = ns};
			/* one column (braille: two) per sample */
			int pw = mode == GRAPH_BRAILLE ? 20 : 40;
			grid *g = grid_new(12 + pw, 10);
			render_ok(&s, g);
			assert_int_equal(g->info.plot_w, pw);
			int per = mode == GRAPH_BRAILLE ? 2 : 1;
			for (int y = 0; y < g->info.plot_h; y++) {
				if (y == g->info.zero_row)
					continue;
				for (int i = 10; i < 20; i++) {
					const graph_cell *c =
					    at(g, g->info.plot_x + i / per, y);
					assert_int_equal(c->role,
					                 GRAPH_ROLE_BLANK);
					assert_int_equal(c->ch, ' ');
				}
			}
			/* the zero: a mark on the in pane's floor */
			const graph_cell *z =
			    at(g, g->info.plot_x + 20 / per,
			       g->info.in_y + g->info.in_h - 1);
			assert_int_equal(z->role, GRAPH_ROLE_IN);
			assert_int_not_equal(z->ch, ' ');
			/* and on the out pane's ceiling */
			if (ns == 2) {
				z = at(g, g->info.plot_x + 20 / per,
				       g->info.out_y);
				assert_int_equal(z->role, GRAPH_ROLE_OUT);
			}
			grid_free(g);
		}
	}
}

/* Highest row (smallest y) of the in pane holding data in column x. */
static int column_top(const grid *g, int x)
{
	for (int y = 0; y < g->info.plot_h; y++)
		if (at(g, g->info.plot_x + x, y)->role == GRAPH_ROLE_IN)
			return y;
	return -1;
}

static void test_spike(void **state)
{
	double v[50];
	char want[32];
	(void)state;

	/* 1 Mbit/s with a 730 Mbit/s spike: the scale rounds up to 1 Gbit/s
	 * and the spike column is the tallest, at 73 % of the height. */
	for (int i = 0; i < 50; i++)
		v[i] = 1e6;
	v[30] = 730e6;
	graph_spec s = {.mode = GRAPH_BLOCK,
	                .unit = STATMATH_UNIT_BITPS,
	                .from = DAY0,
	                .to = DAY0 + 50 * 300,
	                .series = {{v, 50}},
	                .nseries = 1};
	grid *g = grid_new(12 + 50, 12); /* 10 plot rows, 80 levels */
	render_ok(&s, g);
	assert_true(g->info.top == 1e9);
	assert_string_equal(row_text(g, 0), "   1 Gbit/s┤" /* then blank */
	                                    "                                "
	                                    "                  ");
	/* round(0.73 x 80) = 58 levels: 7 full rows and 2/8 of the next */
	assert_int_equal(column_top(g, 30), 2);
	assert_int_equal(at(g, g->info.plot_x + 30, 2)->ch, 0x2582);
	assert_int_equal(at(g, g->info.plot_x + 30, 3)->ch, 0x2588);
	for (int x = 0; x < 50; x++)
		if (x != 30)
			assert_int_equal(column_top(g, x), 9);

	/* A spike at a round value reaches the top row, filled. */
	v[30] = 500e6;
	render_ok(&s, g);
	assert_true(g->info.top == 500e6);
	assert_int_equal(column_top(g, 30), 0);
	assert_int_equal(at(g, g->info.plot_x + 30, 0)->ch, 0x2588);
	statmath_format(500e6, STATMATH_UNIT_BITPS, want, sizeof(want));
	assert_non_null(strstr(row_text(g, 0), want));
	grid_free(g);
}

static void test_autoscale(void **state)
{
	double v[10];
	(void)state;
	static const struct {
		double max, top, step;
		statmath_unit unit;
		const char *label;
	} c[] = {
	    {7.3e6, 10e6, 2e6, STATMATH_UNIT_BITPS, "10 Mbit/s"},
	    {2.2e9, 2.5e9, 5e8, STATMATH_UNIT_BITPS, "2.5 Gbit/s"},
	    {180, 200, 50, STATMATH_UNIT_WATT, "200 W"},
	    {3900, 5000, 1000, STATMATH_UNIT_WATT, "5 kW"},
	    {1.5 * 1048576, 2 * 1048576.0, 0.5 * 1048576, STATMATH_UNIT_BYTES,
	     "2 MiB"},
	    {700 * 1024.0, 1048576, 262144, STATMATH_UNIT_BYTES, "1 MiB"},
	};
	for (size_t k = 0; k < sizeof(c) / sizeof(c[0]); k++) {
		for (int i = 0; i < 10; i++)
			v[i] = c[k].max * (i + 1) / 10;
		graph_spec s = {.mode = GRAPH_ASCII,
		                .unit = c[k].unit,
		                .from = DAY0,
		                .to = DAY0 + 3000,
		                .series = {{v, 10}},
		                .nseries = 1};
		grid *g = grid_new(40, 10);
		render_ok(&s, g);
		assert_true(fabs(g->info.top - c[k].top) < c[k].top * 1e-12);
		assert_true(fabs(g->info.step - c[k].step) < c[k].step * 1e-12);
		/* the top label, right-aligned against the axis */
		char *r = row_text(g, 0);
		size_t lw = (size_t)g->info.label_w;
		assert_int_equal(r[lw], '+');
		assert_memory_equal(r + lw - strlen(c[k].label), c[k].label,
		                    strlen(c[k].label));
		grid_free(g);
	}

	/* hysteresis: 450 under a previous top of 1000 keeps 1000; without a
	 * previous top it is 500; above the previous top it grows. */
	for (int i = 0; i < 10; i++)
		v[i] = 450e6;
	graph_spec s = {.mode = GRAPH_BRAILLE,
	                .unit = STATMATH_UNIT_BITPS,
	                .from = DAY0,
	                .to = DAY0 + 3000,
	                .series = {{v, 10}},
	                .nseries = 1};
	grid *g = grid_new(40, 10);
	render_ok(&s, g);
	assert_true(g->info.top == 500e6);
	s.prev_top = 1e9;
	render_ok(&s, g);
	assert_true(g->info.top == 1e9);
	v[3] = 1.1e9;
	render_ok(&s, g);
	assert_true(g->info.top == 2e9);
	grid_free(g);
}

static void test_y_labels(void **state)
{
	double v[10];
	(void)state;
	for (int i = 0; i < 10; i++)
		v[i] = 100 * i; /* W, peak 900 -> top 1 kW, step 200 W */
	graph_spec s = {.mode = GRAPH_BLOCK,
	                .unit = STATMATH_UNIT_WATT,
	                .from = DAY0,
	                .to = DAY0 + 3000,
	                .series = {{v, 10}},
	                .nseries = 1};
	grid *g = grid_new(30, 12); /* 10 plot rows: one per 100 W */
	render_ok(&s, g);
	assert_int_equal(g->info.label_w, 7);
	/* every step on its row with a free row between; 200 W would touch
	 * the zero label, so it gives way */
	static const char *const want[10] = {
	    "   1 kW┤", "       │", "  800 W┤", "       │", "  600 W┤",
	    "       │", "  400 W┤", "       │", "       │", "      0┤",
	};
	for (int y = 0; y < 10; y++) {
		char *r = row_text(g, y);
		assert_memory_equal(r, want[y], strlen(want[y]));
		/* label role from the label's first character on */
		int first = (int)strspn(want[y], " ");
		for (int x = 0; x < 7; x++)
			assert_int_equal(at(g, x, y)->role,
			                 x >= first && first < 7
			                     ? GRAPH_ROLE_LABEL
			                     : GRAPH_ROLE_BLANK);
		assert_int_equal(at(g, 7, y)->role, GRAPH_ROLE_AXIS);
	}
	/* too few rows for every step: top and zero stay, the rest thin out
	 * so that no two labels touch */
	grid_free(g);
	g = grid_new(30, 7); /* 5 plot rows */
	render_ok(&s, g);
	assert_memory_equal(row_text(g, 0), "   1 kW┤", 10);
	assert_memory_equal(row_text(g, 4), "      0┤", 10);
	int labels = 0;
	for (int y = 0; y < 5; y++) {
		if (at(g, 6, y)->role != GRAPH_ROLE_LABEL)
			continue;
		labels++;
		if (y > 0)
			assert_int_not_equal(at(g, 6, y - 1)->role,
			                     GRAPH_ROLE_LABEL);
	}
	assert_int_equal(labels, 3);
	grid_free(g);
}

/* The time labels of the bottom row, as a space-separated string. */
static void tick_labels(const grid *g, char *out, size_t len)
{
	char *r = row_text(g, g->h - 1);
	out[0] = '\0';
	for (char *tok = strtok(r, " "); tok; tok = strtok(NULL, " ")) {
		if (out[0])
			strncat(out, " ", len - strlen(out) - 1);
		strncat(out, tok, len - strlen(out) - 1);
	}
}

static void test_time_ticks(void **state)
{
	static double v[8640];
	char ticks[512];
	statmath_zone msk;
	dc_err err;
	(void)state;

	for (int i = 0; i < 8640; i++)
		v[i] = 1e6;
	graph_spec s = {.mode = GRAPH_ASCII,
	                .unit = STATMATH_UNIT_BITPS,
	                .from = DAY0,
	                .to = DAY0 + 86400,
	                .series = {{v, 288}},
	                .nseries = 1};
	grid *g = grid_new(80, 10); /* 68 plot columns */
	render_ok(&s, g);
	tick_labels(g, ticks, sizeof(ticks));
	assert_string_equal(ticks,
	                    "00:00 03:00 06:00 09:00 12:00 15:00 18:00 21:00");
	/* the tick marks sit on the axis row under the labels' centres */
	char *axis = row_text(g, g->h - 2);
	assert_int_equal(axis[g->info.label_w], '+');         /* the corner */
	assert_int_equal(axis[g->info.plot_x], '+');          /* 00:00 */
	assert_int_equal(axis[g->info.plot_x + 68 / 8], '+'); /* 03:00 */
	assert_int_equal(axis[g->info.plot_x + 1], '-');

	/* the same instants in +03:00 */
	assert_int_equal(statmath_zone_parse("+03:00", &msk, &err), 0);
	s.zone = &msk;
	render_ok(&s, g);
	tick_labels(g, ticks, sizeof(ticks));
	assert_string_equal(ticks,
	                    "03:00 06:00 09:00 12:00 15:00 18:00 21:00 00:00");

	/* 1 h from 10:25 local: ten-minute ticks, not the range's start */
	s.from = DAY0 + 7 * 3600 + 1500;
	s.to = s.from + 3600;
	s.series[0].n = 12;
	render_ok(&s, g);
	tick_labels(g, ticks, sizeof(ticks));
	assert_string_equal(ticks, "10:30 10:40 10:50 11:00 11:10 11:20");

	/* 7 days: dates at local midnights */
	s.zone = NULL;
	s.from = DAY0;
	s.to = DAY0 + 7 * 86400;
	s.series[0].n = 2016;
	render_ok(&s, g);
	tick_labels(g, ticks, sizeof(ticks));
	assert_string_equal(ticks,
	                    "May 01 May 02 May 03 May 04 May 05 May 06 May 07");

	/* 30 days: weekly, on Mondays */
	s.to = DAY0 + 30 * 86400;
	s.series[0].n = 8640;
	render_ok(&s, g);
	tick_labels(g, ticks, sizeof(ticks));
	assert_string_equal(ticks, "May 06 May 13 May 20 May 27");
	grid_free(g);
}

/* Structure that must hold at any size: the axes, roles and glyph sets. */
static void check_structure(const grid *g, graph_mode mode)
{
	const graph_info *in = &g->info;
	assert_int_equal(in->plot_x, in->label_w + 1);
	assert_int_equal(in->plot_w, g->w - in->plot_x);
	assert_int_equal(in->plot_h, g->h - 2);
	for (int y = 0; y < in->plot_h; y++)
		assert_int_equal(at(g, in->label_w, y)->role, GRAPH_ROLE_AXIS);
	for (int x = in->plot_x; x < g->w; x++)
		assert_int_equal(at(g, x, g->h - 2)->role, GRAPH_ROLE_AXIS);
	for (int y = 0; y < g->h; y++) {
		for (int x = 0; x < g->w; x++) {
			const graph_cell *c = at(g, x, y);
			assert_true(c->ch >= ' ' && c->ch != 0x7f);
			if (mode == GRAPH_ASCII)
				assert_true(c->ch < 0x80);
			if (c->role == GRAPH_ROLE_IN ||
			    c->role == GRAPH_ROLE_OUT) {
				assert_true(x >= in->plot_x && y < in->plot_h);
				if (mode == GRAPH_BRAILLE)
					assert_true(c->ch > 0x2800 &&
					            c->ch <= 0x28FF);
			}
			/* out stays below in: position tells them apart */
			if (c->role == GRAPH_ROLE_IN && in->out_h)
				assert_true(y < in->in_y + in->in_h);
			if (c->role == GRAPH_ROLE_OUT)
				assert_true(y >= in->out_y);
		}
	}
}

static void test_sizes(void **state)
{
	static double a[288], b[288];
	(void)state;
	for (int i = 0; i < 288; i++) {
		a[i] = 3e8 * (1 + sin(i / 20.0));
		b[i] = 1e8 * (1 + cos(i / 15.0));
	}
	for (int i = 100; i < 120; i++)
		a[i] = b[i] = NAN;
	static const int sizes[][2] = {{80, 24}, {160, 50}};
	int nlabels[2] = {0, 0};
	for (int k = 0; k < 2; k++) {
		for (int mode = GRAPH_BRAILLE; mode <= GRAPH_ASCII; mode++) {
			graph_spec s = {.mode = (graph_mode)mode,
			                .unit = STATMATH_UNIT_BITPS,
			                .from = DAY0,
			                .to = DAY0 + 86400,
			                .series = {{a, 288}, {b, 288}},
			                .nseries = 2};
			grid *g = grid_new(sizes[k][0], sizes[k][1]);
			render_ok(&s, g);
			check_structure(g, (graph_mode)mode);
			assert_true(g->info.has_data);
			assert_int_equal(g->info.in_h, g->info.out_h);
			if (mode == GRAPH_ASCII) {
				for (int y = 0; y < g->info.plot_h; y++)
					nlabels[k] +=
					    at(g, g->info.label_w - 1, y)
					        ->role == GRAPH_ROLE_LABEL;
			}
			grid_free(g);
		}
	}
	/* the larger grid gets more y labels */
	assert_true(nlabels[1] > nlabels[0]);
	assert_true(nlabels[0] >= 3);
}

static void test_no_data(void **state)
{
	double v[12];
	(void)state;
	for (int i = 0; i < 12; i++)
		v[i] = NAN;
	for (int ns = 1; ns <= 2; ns++) {
		graph_spec s = {.mode = GRAPH_BRAILLE,
		                .unit = STATMATH_UNIT_BITPS,
		                .from = DAY0,
		                .to = DAY0 + 3600,
		                .series = {{v, 12}, {NULL, 0}},
		                .nseries = ns};
		grid *g = grid_new(40, 9);
		render_ok(&s, g);
		assert_false(g->info.has_data);
		/* "no data" centred in the plot (off the zero axis), nothing
		 * else in it */
		int y = g->info.plot_h / 2;
		if (y == g->info.zero_row)
			y--;
		int x0 = g->info.plot_x + (g->info.plot_w - 7) / 2;
		for (int i = 0; i < 7; i++)
			assert_int_equal(at(g, x0 + i, y)->ch, "no data"[i]);
		for (int yy = 0; yy < g->info.plot_h; yy++)
			for (int x = g->info.plot_x; x < g->w; x++) {
				int role = at(g, x, yy)->role;
				assert_true(role == GRAPH_ROLE_BLANK ||
				            role == GRAPH_ROLE_MESSAGE ||
				            (role == GRAPH_ROLE_AXIS &&
				             yy == g->info.zero_row));
				assert_int_equal(role == GRAPH_ROLE_MESSAGE,
				                 yy == y && x >= x0 &&
				                     x < x0 + 7);
			}
		/* the time axis stays, so the range is still readable */
		assert_int_not_equal(at(g, g->info.plot_x, g->h - 1)->ch, ' ');
		grid_free(g);
	}
	/* n = 0 and a caller's text */
	graph_spec s = {.mode = GRAPH_ASCII,
	                .unit = STATMATH_UNIT_WATT,
	                .from = DAY0,
	                .to = DAY0 + 3600,
	                .series = {{NULL, 0}},
	                .nseries = 1,
	                .empty_text = "collecting..."};
	grid *g = grid_new(40, 6);
	render_ok(&s, g);
	assert_non_null(strstr(row_text(g, 2), "collecting..."));
	grid_free(g);
}

static void test_resample(void **state)
{
	double out[8];
	(void)state;

	/* 8 samples into 4 columns: pairs averaged, a gap pair is NaN, a
	 * half-present pair is the present one */
	double v[8] = {1, 3, NAN, NAN, 5, NAN, 2, 2};
	graph_resample(v, 8, out, 4);
	assert_true(out[0] == 2);
	assert_true(isnan(out[1]));
	assert_true(out[2] == 5);
	assert_true(out[3] == 2);

	/* 3 samples into 6 columns: each spans two */
	double w3[3] = {1, NAN, 7};
	graph_resample(w3, 3, out, 6);
	assert_true(out[0] == 1 && out[1] == 1);
	assert_true(isnan(out[2]) && isnan(out[3]));
	assert_true(out[4] == 7 && out[5] == 7);

	/* 7 into 3: uneven split, every sample used once */
	double w7[7] = {1, 2, 3, 4, 5, 6, 7};
	graph_resample(w7, 7, out, 3);
	assert_true(out[0] == 1.5); /* 0,1 */
	assert_true(out[1] == 3.5); /* 2,3 */
	assert_true(out[2] == 6);   /* 4,5,6 */

	/* nothing at all */
	graph_resample(NULL, 0, out, 2);
	assert_true(isnan(out[0]) && isnan(out[1]));
}

static void test_refuses(void **state)
{
	graph_cell cells[40 * 10];
	dc_err err;
	int mw, mh;
	(void)state;
	graph_spec s = known_spec(GRAPH_BLOCK, 2);

	graph_min_size(STATMATH_UNIT_BITPS, 2, &mw, &mh);
	assert_int_equal(mh, 4);
	assert_int_equal(graph_render(&s, cells, mw, mh, NULL, &err), 0);
	assert_int_equal(graph_render(&s, cells, mw - 1, mh, NULL, &err), -1);
	assert_int_equal(err.cat, DC_E_INVALID);
	assert_int_equal(graph_render(&s, cells, mw, mh - 1, NULL, &err), -1);
	s.nseries = 3;
	assert_int_equal(graph_render(&s, cells, 40, 10, NULL, &err), -1);
	s.nseries = 1;
	s.to = s.from;
	assert_int_equal(graph_render(&s, cells, 40, 10, NULL, &err), -1);
}

/* At the smallest sizes the panes have one row: the top label keeps its
 * row whole instead of sharing it with the zero label. */
static void test_min_size_labels(void **state)
{
	(void)state;
	for (int ns = 1; ns <= 2; ns++) {
		int mw, mh;
		graph_spec s = known_spec(GRAPH_BLOCK, ns);
		graph_min_size(s.unit, ns, &mw, &mh);
		grid *g = grid_new(mw, mh);
		render_ok(&s, g);
		for (int y = 0; y < g->info.plot_h; y++)
			assert_memory_equal(row_text(g, y), " 500 Mbit/s", 11);
		grid_free(g);
	}
}

static void test_row_utf8(void **state)
{
	graph_cell c[3] = {{'a', 0}, {0x2588, 0}, {'b', 0}};
	char buf[16];
	(void)state;
	assert_int_equal(graph_row_utf8(c, 3, 0, buf, sizeof(buf)), 5);
	assert_string_equal(buf, "a\xe2\x96\x88"
	                         "b");
	/* short buffer: whole characters only, terminated */
	assert_int_equal(graph_row_utf8(c, 3, 0, buf, 3), 5);
	assert_string_equal(buf, "a");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_golden_braille),
	    cmocka_unit_test(test_golden_block),
	    cmocka_unit_test(test_golden_ascii),
	    cmocka_unit_test(test_golden_two_series),
	    cmocka_unit_test(test_gap_stays_empty),
	    cmocka_unit_test(test_spike),
	    cmocka_unit_test(test_autoscale),
	    cmocka_unit_test(test_y_labels),
	    cmocka_unit_test(test_time_ticks),
	    cmocka_unit_test(test_sizes),
	    cmocka_unit_test(test_no_data),
	    cmocka_unit_test(test_resample),
	    cmocka_unit_test(test_refuses),
	    cmocka_unit_test(test_min_size_labels),
	    cmocka_unit_test(test_row_utf8),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
