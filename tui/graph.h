/* graph.h - time-series graph renderer into a grid of cells.
 *
 * Contract: a pure function of its input; it draws into a caller-owned
 * array of w x h cells (row-major) and never calls curses, so the console
 * paints the grid (mapping roles to theme colours) and the tests compare it
 * with golden text. No global state; safe from any thread as long as the
 * zone is (see statmath.h). Values are in the unit's base (bit/s, bytes, W,
 * Wh: statmath_format), NaN = missing.
 *
 * Layout of the grid (doc/statistics.md, "Graphs"):
 *
 *      500 Mbit/s┤               ⣀⣤⣴   <- in grows up from zero
 *                │           ⢀⣤⣴⣾⣿⣿⣿
 *                │⣀⣀⣀⣀⣀⣀ ⢠⣴⣶⣿⣿⣿⣿⣿⣿⣿⣿   <- the gap is empty
 *               0┼──────────────────   <- zero axis (odd row count)
 *                │⣿⣿⣿⣿⣿⣿ ⢸⣿⣿⣿⡿⠿⠟⠛⠉⠉⠉   <- out grows down, mirrored
 *                │⣿⣿⣿⠿⠟⠛ ⠈⠉
 *      500 Mbit/s┤⠉
 *                └┬────────┬────────   <- x axis with ticks
 *               00:00    01:00         <- local time labels
 *
 * - y labels on the left, right-aligned in a width fixed by the unit (the
 *   plot does not shift when the scale changes), at the top, zero and round
 *   steps between (statmath_nice_scale_unit, hysteresis via prev_top);
 * - time ticks along the bottom at round local times in the given zone:
 *   "HH:MM" for ranges up to 24 h, "Mon DD" beyond;
 * - one series fills the plot growing up; two series (in, out) share one
 *   scale, in above the zero line and out mirrored below it, so they stay
 *   apart by position (and, in ASCII, by glyph) without colour. With an odd
 *   number of plot rows the middle row is a drawn zero axis;
 * - every present sample shows at least the lowest mark (a zero is a floor
 *   line); a missing sample (NaN) leaves its cells empty: gaps are gaps;
 * - when no series has a present sample the plot shows `empty_text`.
 *
 * Modes: BRAILLE (U+2800 + dot mask; 2 samples across, 4 levels up per
 * cell), BLOCK (one sample a cell; eighth blocks U+2581..U+2588 upwards,
 * halves U+2580/U+2588 downwards, as upper eighths are missing from most
 * fonts), ASCII (one sample a cell; 4 levels: ".:|#" up, "':|%" down;
 * axes from "|+-"). */
#ifndef TUI_GRAPH_H
#define TUI_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "statmath.h"

typedef enum graph_mode {
	GRAPH_BRAILLE,
	GRAPH_BLOCK,
	GRAPH_ASCII,
} graph_mode;

/* What a cell shows; the console maps these to theme roles (graph_in,
 * graph_out, ...). */
typedef enum graph_role {
	GRAPH_ROLE_BLANK = 0, /* nothing drawn */
	GRAPH_ROLE_AXIS,      /* axis lines and tick marks */
	GRAPH_ROLE_LABEL,     /* y labels and time labels */
	GRAPH_ROLE_IN,        /* series 0 data (in, or the only series) */
	GRAPH_ROLE_OUT,       /* series 1 data (out) */
	GRAPH_ROLE_MESSAGE,   /* the "no data" text */
} graph_role;

typedef struct graph_cell {
	uint32_t ch;  /* Unicode code point, one cell wide; < 128 in ASCII */
	uint8_t role; /* graph_role */
} graph_cell;

typedef struct graph_series {
	const double *v; /* n samples, evenly spread over [from, to) */
	size_t n;
} graph_series;

typedef struct graph_spec {
	graph_mode mode;
	statmath_unit unit;
	int64_t from, to;          /* time range, unix s, from < to */
	const statmath_zone *zone; /* for time labels; NULL = UTC */
	graph_series series[2];    /* [0] = in (or the only), [1] = out */
	int nseries;               /* 1 or 2 */
	double prev_top;        /* info.top of the previous frame, 0 = none */
	const char *empty_text; /* ASCII; NULL = "no data" */
} graph_spec;

typedef struct graph_info {
	double top, step;   /* scale used; pass top back as prev_top */
	int label_w;        /* y label column width (axis is at label_w) */
	int plot_x, plot_y; /* data area, in cells */
	int plot_w, plot_h;
	int in_y, in_h;   /* rows of the in (or only) pane */
	int out_y, out_h; /* rows of the out pane; out_h 0 with one series */
	int zero_row;     /* the drawn zero axis row, -1 if none */
	bool has_data;    /* some sample present */
} graph_info;

/* The smallest grid graph_render accepts for nseries 1 or 2. */
void graph_min_size(statmath_unit unit, int nseries, int *w, int *h);

/* Renders spec into cells[w * h]. -1 with DC_E_INVALID if the spec is
 * malformed or the grid is below graph_min_size, DC_E_NOMEM if scratch
 * memory runs out; cells are then left blank. info may be NULL. */
int graph_render(const graph_spec *spec, graph_cell *cells, int w, int h,
                 graph_info *info, dc_err *err);

/* Resamples n evenly spaced samples into cols columns over the same time
 * range: each column is the mean of the present samples that fall in it,
 * NaN if none does. With fewer samples than columns, each column takes the
 * sample it lies in, so a sample spans several columns. */
void graph_resample(const double *v, size_t n, double *out, size_t cols);

/* Row `row` of a w-wide grid as UTF-8 into buf (always terminated).
 * Returns the length in bytes, or the length needed if buf is short. */
size_t graph_row_utf8(const graph_cell *cells, int w, int row, char *buf,
                      size_t len);

#endif
