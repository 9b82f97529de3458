/* graph.c - time-series graph renderer; see graph.h. */
#include "graph.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Glyph sets per mode. */
typedef struct glyphs {
	uint32_t vline, vtick, corner, hline, htick, cross;
	int up_levels, down_levels; /* data levels a cell holds */
	uint32_t up[9], down[9];    /* indexed by filled levels, [0] unused */
} glyphs;

static const glyphs glyph_block = {
    .vline = 0x2502,  /* │ */
    .vtick = 0x2524,  /* ┤ */
    .corner = 0x2514, /* └ */
    .hline = 0x2500,  /* ─ */
    .htick = 0x252C,  /* ┬ */
    .cross = 0x253C,  /* ┼ */
    .up_levels = 8,
    .down_levels = 2,
    .up = {0, 0x2581, 0x2582, 0x2583, 0x2584, 0x2585, 0x2586, 0x2587, 0x2588},
    .down = {0, 0x2580, 0x2588},
};

static const glyphs glyph_braille = {
    .vline = 0x2502,
    .vtick = 0x2524,
    .corner = 0x2514,
    .hline = 0x2500,
    .htick = 0x252C,
    .cross = 0x253C,
    .up_levels = 4,
    .down_levels = 4,
};

static const glyphs glyph_ascii = {
    .vline = '|',
    .vtick = '+',
    .corner = '+',
    .hline = '-',
    .htick = '+',
    .cross = '+',
    .up_levels = 4,
    .down_levels = 4,
    .up = {0, '.', ':', '|', '#'},
    .down = {0, '\'', ':', '|', '%'},
};

/* Braille dots (U+2800 + mask): bit per dot, columns left/right, rows top
 * to bottom 0x01 0x02 0x04 0x40 | 0x08 0x10 0x20 0x80. Masks for f dots
 * filled from the bottom (up) or from the top (down), f = 0..4. */
static const uint8_t braille_up[2][5] = {
    {0, 0x40, 0x44, 0x46, 0x47},
    {0, 0x80, 0xA0, 0xB0, 0xB8},
};
static const uint8_t braille_down[2][5] = {
    {0, 0x01, 0x03, 0x07, 0x47},
    {0, 0x08, 0x18, 0x38, 0xB8},
};

static const char *const month_abbr[12] = {"Jan", "Feb", "Mar", "Apr",
                                           "May", "Jun", "Jul", "Aug",
                                           "Sep", "Oct", "Nov", "Dec"};

static int64_t floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/* The widest label a unit can get: statmath_format writes at most 4
 * characters of number ("9.99", "99.9", "999") plus a space and the
 * longest prefixed unit. Fixing the width keeps the plot still when the
 * scale changes. */
static int label_width(statmath_unit unit)
{
	switch (unit) {
	case STATMATH_UNIT_BITPS:
		return 4 + 1 + 6; /* "kbit/s" */
	case STATMATH_UNIT_BYTES:
		return 4 + 1 + 3; /* "KiB" */
	case STATMATH_UNIT_WATT:
		return 4 + 1 + 2; /* "kW" */
	case STATMATH_UNIT_WH:
		return 4 + 1 + 3; /* "kWh" */
	case STATMATH_UNIT_NONE:
	default:
		return 4 + 1; /* "4.2k" */
	}
}

void graph_min_size(statmath_unit unit, int nseries, int *w, int *h)
{
	/* the labels, the axis, and two columns of data; one plot row per
	 * series plus the x axis and its labels */
	*w = label_width(unit) + 1 + 2;
	*h = (nseries == 2 ? 2 : 1) + 2;
}

void graph_resample(const double *v, size_t n, double *out, size_t cols)
{
	for (size_t c = 0; c < cols; c++) {
		double sum = 0;
		size_t cnt = 0;
		if (n > 0 && v) {
			size_t lo = c * n / cols, hi = (c + 1) * n / cols;
			if (hi == lo)
				hi = lo + 1;
			for (size_t i = lo; i < hi && i < n; i++) {
				if (isfinite(v[i])) {
					sum += v[i];
					cnt++;
				}
			}
		}
		out[c] = cnt ? sum / (double)cnt : NAN;
	}
}

static void put(graph_cell *cells, int w, int h, int x, int y, uint32_t ch,
                graph_role role)
{
	if (x < 0 || y < 0 || x >= w || y >= h)
		return;
	cells[(size_t)y * (size_t)w + (size_t)x] =
	    (graph_cell){.ch = ch, .role = (uint8_t)role};
}

static void put_text(graph_cell *cells, int w, int h, int x, int y,
                     const char *s, graph_role role)
{
	for (; *s; s++, x++)
		put(cells, w, h, x, y, (unsigned char)*s, role);
}

/* Filled levels of a sample in a pane of `rows` cells of `per` levels:
 * NaN -> -1 (nothing), otherwise at least 1 so that a present zero is
 * visible and different from a gap. */
static int level_of(double v, double top, int rows, int per)
{
	if (!isfinite(v))
		return -1;
	int max = rows * per;
	double l = v > 0 ? round(v / top * max) : 0;
	if (l < 1)
		return 1;
	if (l > max)
		return max;
	return (int)l;
}

static int clampi(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Draws one series into its pane [y0, y0 + rows). up: the bar grows from
 * the pane's bottom; else from its top. */
static void draw_pane(graph_cell *cells, int w, int h, const graph_info *gi,
                      graph_mode mode, const double *col, int y0, int rows,
                      bool up, graph_role role)
{
	const glyphs *g = mode == GRAPH_ASCII ? &glyph_ascii : &glyph_block;
	int per = mode == GRAPH_BRAILLE ? 4
	          : up                  ? g->up_levels
	                                : g->down_levels;

	for (int x = 0; x < gi->plot_w; x++) {
		if (mode == GRAPH_BRAILLE) {
			int l0 = level_of(col[2 * x], gi->top, rows, 4);
			int l1 = level_of(col[2 * x + 1], gi->top, rows, 4);
			for (int j = 0; j < rows; j++) {
				int f0 = clampi(l0 - 4 * j, 0, 4);
				int f1 = clampi(l1 - 4 * j, 0, 4);
				const uint8_t(*m)[5] =
				    up ? braille_up : braille_down;
				unsigned mask = m[0][f0] | m[1][f1];
				if (!mask)
					continue;
				int y = up ? y0 + rows - 1 - j : y0 + j;
				put(cells, w, h, gi->plot_x + x, y,
				    0x2800 + mask, role);
			}
			continue;
		}
		int l = level_of(col[x], gi->top, rows, per);
		for (int j = 0; j < rows; j++) {
			int f = clampi(l - per * j, 0, per);
			if (!f)
				break;
			int y = up ? y0 + rows - 1 - j : y0 + j;
			put(cells, w, h, gi->plot_x + x, y,
			    up ? g->up[f] : g->down[f], role);
		}
	}
}

/* Row of the label for value v in a pane: the row whose top edge (up) or
 * bottom edge (down) is nearest to v. */
static int label_row(double v, double top, int y0, int rows, bool up)
{
	int k = (int)lround(v / top * rows); /* rows of bar below v */
	if (up)
		return clampi(y0 + rows - k, y0, y0 + rows - 1);
	return clampi(y0 + k - 1, y0, y0 + rows - 1);
}

typedef struct labels {
	bool used[1024]; /* rows holding a label (plot rows only) */
} labels;

static void put_label(graph_cell *cells, int w, int h, const graph_info *gi,
                      labels *lb, const glyphs *g, int row, double v,
                      statmath_unit unit)
{
	char buf[32];
	if (row < 0 || row >= (int)(sizeof(lb->used) / sizeof(lb->used[0])))
		return;
	/* First come, first served: with a one-row pane the top label wins
	 * over the zero that would share its row. */
	if (lb->used[row])
		return;
	if (v == 0)
		dc_strlcpy(buf, "0", sizeof(buf));
	else
		statmath_format(v, unit, buf, sizeof(buf));
	int len = (int)strlen(buf);
	if (len > gi->label_w)
		len = gi->label_w, buf[len] = '\0';
	put_text(cells, w, h, gi->label_w - len, row, buf, GRAPH_ROLE_LABEL);
	put(cells, w, h, gi->label_w, row, g->vtick, GRAPH_ROLE_AXIS);
	lb->used[row] = true;
}

/* Labels for the round steps inside a pane, where there is room: a row
 * not taken and not next to a taken one, so labels never crowd. */
static void pane_labels(graph_cell *cells, int w, int h, const graph_info *gi,
                        labels *lb, const glyphs *g, int y0, int rows, bool up,
                        statmath_unit unit)
{
	for (int k = 1;; k++) {
		double v = gi->top - k * gi->step;
		if (v <= gi->step * 1e-6)
			break;
		int r = label_row(v, gi->top, y0, rows, up);
		bool free_row = !lb->used[r] && (r == 0 || !lb->used[r - 1]) &&
		                (r + 1 >= gi->plot_h || !lb->used[r + 1]);
		if (free_row)
			put_label(cells, w, h, gi, lb, g, r, v, unit);
	}
}

/* Round tick intervals: minutes/hours for ranges up to a day, days above. */
static const int64_t tick_sub_day[] = {300,  600,   900,   1800,  3600,
                                       7200, 10800, 21600, 43200, 86400};
static const int64_t tick_days[] = {1, 2, 7, 14, 28};

static int64_t local_dayno(const statmath_zone *z, int64_t t)
{
	return floordiv(t + statmath_zone_offset(z, t), 86400);
}

/* Next tick at or after `cur` for interval iv (seconds, < 1 day: local
 * multiples of iv since local midnight) . */
static int64_t next_tick_sub_day(const statmath_zone *z, int64_t cur,
                                 int64_t iv)
{
	long off = statmath_zone_offset(z, cur);
	int64_t local = cur + off;
	int64_t aligned = -floordiv(-local, iv) * iv; /* ceil to iv */
	return aligned - off;
}

static void format_tick(const statmath_zone *z, int64_t t, bool days, char *buf,
                        size_t len)
{
	statmath_tm tm;
	statmath_civil(z, t, &tm);
	if (days)
		snprintf(buf, len, "%s %02d", month_abbr[(tm.mon - 1) % 12],
		         tm.mday % 100);
	else
		snprintf(buf, len, "%02d:%02d", tm.hour % 100, tm.min % 100);
}

static void draw_time_axis(graph_cell *cells, int w, int h, const graph_spec *s,
                           const graph_info *gi, const glyphs *g)
{
	const statmath_zone *z = s->zone;
	statmath_zone utc = statmath_zone_utc();
	int64_t span = s->to - s->from;
	bool days = span > 86400;
	int lw = days ? 6 : 5;
	int axis_y = h - 2, text_y = h - 1;
	int64_t iv = 0;

	if (!z)
		z = &utc;
	put(cells, w, h, gi->label_w, axis_y, g->corner, GRAPH_ROLE_AXIS);
	for (int x = 0; x < gi->plot_w; x++)
		put(cells, w, h, gi->plot_x + x, axis_y, g->hline,
		    GRAPH_ROLE_AXIS);

	/* The smallest round interval whose labels fit side by side. */
	const int64_t *cand = days ? tick_days : tick_sub_day;
	size_t ncand = days ? sizeof(tick_days) / sizeof(tick_days[0])
	                    : sizeof(tick_sub_day) / sizeof(tick_sub_day[0]);
	for (size_t i = 0; i < ncand; i++) {
		iv = days ? cand[i] * 86400 : cand[i];
		if ((span / iv + 1) * (lw + 1) <= gi->plot_w)
			break;
	}

	int last_end = -1; /* first free column after the previous label */
	int64_t t = days ? statmath_day_start(z, s->from)
	                 : next_tick_sub_day(z, s->from, iv);
	while (t < s->to) {
		int64_t next;
		bool want = t >= s->from;
		if (days) {
			int64_t k = iv / 86400, d = local_dayno(z, t);
			/* weekly ticks on Mondays (day 4 after 1970-01-01) */
			if (k % 7 == 0)
				want = want && floordiv(d - 4, k) * k == d - 4;
			else
				want = want && floordiv(d, k) * k == d;
			next = statmath_day_next(z, t);
		} else {
			next = next_tick_sub_day(z, t + 1, iv);
		}
		if (want) {
			int x = gi->plot_x +
			        (int)((t - s->from) * gi->plot_w / span);
			put(cells, w, h, x, axis_y, g->htick, GRAPH_ROLE_AXIS);
			int start = x - lw / 2;
			if (start > last_end && start >= 0 && start + lw <= w) {
				char buf[16];
				format_tick(z, t, days, buf, sizeof(buf));
				put_text(cells, w, h, start, text_y, buf,
				         GRAPH_ROLE_LABEL);
				last_end = start + lw;
			}
		}
		if (next <= t) /* cannot happen; never loop forever */
			break;
		t = next;
	}
}

int graph_render(const graph_spec *s, graph_cell *cells, int w, int h,
                 graph_info *info, dc_err *err)
{
	graph_info gi = {0};
	labels lb = {{false}};
	int minw, minh;
	double *col[2] = {NULL, NULL};
	int rc = -1;

	if (!s || !cells || w <= 0 || h <= 0)
		return err_set(err, DC_E_INVALID, "graph: nothing to draw on");
	for (size_t i = 0; i < (size_t)w * (size_t)h; i++)
		cells[i] = (graph_cell){.ch = ' ', .role = GRAPH_ROLE_BLANK};
	if (s->nseries < 1 || s->nseries > 2)
		return err_set(err, DC_E_INVALID,
		               "graph: %d series (want 1 or 2)", s->nseries);
	if (s->to <= s->from)
		return err_set(err, DC_E_INVALID, "graph: empty time range");
	if ((unsigned)s->mode > GRAPH_ASCII)
		return err_set(err, DC_E_INVALID, "graph: unknown mode %d",
		               (int)s->mode);
	graph_min_size(s->unit, s->nseries, &minw, &minh);
	if (w < minw || h < minh)
		return err_set(err, DC_E_INVALID,
		               "graph: %dx%d is too small (need %dx%d)", w, h,
		               minw, minh);
	if (h - 2 > (int)(sizeof(lb.used) / sizeof(lb.used[0])))
		return err_set(err, DC_E_INVALID, "graph: %d rows is too many",
		               h);

	const glyphs *g = s->mode == GRAPH_ASCII     ? &glyph_ascii
	                  : s->mode == GRAPH_BRAILLE ? &glyph_braille
	                                             : &glyph_block;
	gi.label_w = label_width(s->unit);
	gi.plot_x = gi.label_w + 1;
	gi.plot_y = 0;
	gi.plot_w = w - gi.plot_x;
	gi.plot_h = h - 2;
	gi.zero_row = -1;
	if (s->nseries == 1) {
		gi.in_y = 0;
		gi.in_h = gi.plot_h;
	} else {
		gi.in_y = 0;
		gi.in_h = gi.plot_h / 2;
		gi.out_h = gi.plot_h / 2;
		gi.out_y = gi.plot_h - gi.out_h;
		if (gi.plot_h % 2)
			gi.zero_row = gi.in_h;
	}

	size_t ncol = (size_t)gi.plot_w * (s->mode == GRAPH_BRAILLE ? 2 : 1);
	double max = 0;
	for (int i = 0; i < s->nseries; i++) {
		col[i] = malloc(ncol * sizeof(double));
		if (!col[i]) {
			err_set(err, DC_E_NOMEM, "graph: no memory");
			goto out;
		}
		graph_resample(s->series[i].v, s->series[i].n, col[i], ncol);
		for (size_t c = 0; c < ncol; c++) {
			if (!isfinite(col[i][c]))
				continue;
			gi.has_data = true;
			if (col[i][c] > max)
				max = col[i][c];
		}
	}
	/* The scale fits what is drawn (column means), not the raw peak. */
	statmath_nice_scale_unit(s->unit, max, s->prev_top, &gi.top, &gi.step);

	/* y axis */
	for (int y = 0; y < gi.plot_h; y++)
		put(cells, w, h, gi.label_w, y, g->vline, GRAPH_ROLE_AXIS);
	if (gi.zero_row >= 0) {
		for (int x = 0; x < gi.plot_w; x++)
			put(cells, w, h, gi.plot_x + x, gi.zero_row, g->hline,
			    GRAPH_ROLE_AXIS);
	}
	draw_time_axis(cells, w, h, s, &gi, g);

	if (!gi.has_data) {
		const char *msg = s->empty_text ? s->empty_text : "no data";
		char buf[256];
		int len = (int)strlen(msg);
		if (len > gi.plot_w)
			len = gi.plot_w;
		if (len > (int)sizeof(buf) - 1)
			len = (int)sizeof(buf) - 1;
		memcpy(buf, msg, (size_t)len);
		buf[len] = '\0';
		/* mid-plot, but off the zero axis so that it stays whole */
		int my = gi.plot_h / 2;
		if (my == gi.zero_row)
			my--;
		put_text(cells, w, h, gi.plot_x + (gi.plot_w - len) / 2, my,
		         buf, GRAPH_ROLE_MESSAGE);
		rc = 0;
		goto out;
	}

	draw_pane(cells, w, h, &gi, s->mode, col[0], gi.in_y, gi.in_h, true,
	          GRAPH_ROLE_IN);
	if (s->nseries == 2)
		draw_pane(cells, w, h, &gi, s->mode, col[1], gi.out_y, gi.out_h,
		          false, GRAPH_ROLE_OUT);

	/* Labels: top and zero first (always shown), then round steps. */
	put_label(cells, w, h, &gi, &lb, g, gi.in_y, gi.top, s->unit);
	if (s->nseries == 1) {
		put_label(cells, w, h, &gi, &lb, g, gi.in_y + gi.in_h - 1, 0,
		          s->unit);
		pane_labels(cells, w, h, &gi, &lb, g, gi.in_y, gi.in_h, true,
		            s->unit);
	} else {
		int zr = gi.zero_row >= 0 ? gi.zero_row : gi.in_h - 1;
		put_label(cells, w, h, &gi, &lb, g, gi.out_y + gi.out_h - 1,
		          gi.top, s->unit);
		put_label(cells, w, h, &gi, &lb, g, zr, 0, s->unit);
		if (gi.zero_row >= 0)
			put(cells, w, h, gi.label_w, zr, g->cross,
			    GRAPH_ROLE_AXIS);
		pane_labels(cells, w, h, &gi, &lb, g, gi.in_y, gi.in_h, true,
		            s->unit);
		pane_labels(cells, w, h, &gi, &lb, g, gi.out_y, gi.out_h, false,
		            s->unit);
	}
	rc = 0;
out:
	free(col[0]);
	free(col[1]);
	if (info)
		*info = gi;
	return rc;
}

size_t graph_row_utf8(const graph_cell *cells, int w, int row, char *buf,
                      size_t len)
{
	size_t n = 0, written = 0;

	for (int x = 0; x < w; x++) {
		uint32_t c = cells[(size_t)row * (size_t)w + (size_t)x].ch;
		char e[4];
		size_t k;
		if (c < 0x80) {
			e[0] = (char)c;
			k = 1;
		} else if (c < 0x800) {
			e[0] = (char)(0xC0 | (c >> 6));
			e[1] = (char)(0x80 | (c & 0x3F));
			k = 2;
		} else if (c < 0x10000) {
			e[0] = (char)(0xE0 | (c >> 12));
			e[1] = (char)(0x80 | ((c >> 6) & 0x3F));
			e[2] = (char)(0x80 | (c & 0x3F));
			k = 3;
		} else {
			e[0] = (char)(0xF0 | (c >> 18));
			e[1] = (char)(0x80 | ((c >> 12) & 0x3F));
			e[2] = (char)(0x80 | ((c >> 6) & 0x3F));
			e[3] = (char)(0x80 | (c & 0x3F));
			k = 4;
		}
		/* Whole characters only: a cut one would be broken UTF-8. */
		if (written == n && n + k < len) {
			memcpy(buf + n, e, k);
			written += k;
		}
		n += k;
	}
	if (len > 0)
		buf[written] = '\0';
	return n;
}
