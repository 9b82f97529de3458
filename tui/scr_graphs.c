/* scr_graphs.c - the Graphs screen: in/out traffic as rate, power and the
 * daily burst of one server (or service), over 1 h, 24 h, 7 d or 30 d,
 * live while open.
 *
 * At every refresh tick a job on the console's jobs worker collects the
 * server's new buckets (a stats_collector kept for the screen, so the
 * panel session and connection are reused) and reads back what the
 * graphs show; its completion (main thread) swaps that data in, so new
 * buckets appear without a key press. The screen draws with the pure
 * renderer of graph.h and paints its cells in the theme's graph roles.
 * The job owns nothing the screen frees under it: what both use lives in
 * a `gshared` that the last of the two to finish frees. */
#include "app.h"
#include "graph.h"
#include "stats.h"
#include "stats_ui.h"
#include "text.h"
#include "ui.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { R_1H, R_24H, R_7D, R_30D, NRANGES };

static const struct {
	const char *name;
	int64_t secs;
} ranges[NRANGES] = {
    {"1h", 3600},
    {"24h", 86400},
    {"7d", 7 * 86400},
    {"30d", 30 * 86400},
};

/* The daily burst graph shows at least this many days. */
#define BURST_DAYS_MIN 7

enum { A_R1 = 1, A_R2, A_R3, A_R4, A_NEXT, A_PREV, A_STYLE };

static const ui_key keys[] = {
    {'1', "1h", "range: the last hour", A_R1},
    {'2', "24h", "range: the last 24 hours", A_R2},
    {'3', "7d", "range: the last 7 days", A_R3},
    {'4', "30d", "range: the last 30 days", A_R4},
    {UIK_TAB, NULL, "next range", A_NEXT},
    {UIK_BTAB, NULL, "previous range", A_PREV},
    {'b', "style", "graph style: braille, block, ASCII (UTF-8 terminals)",
     A_STYLE},
    {0, NULL, NULL, 0},
};

/* Used by the job on the worker and by the screen on the main thread, never
 * at the same time: the screen touches it only while no job runs. */
typedef struct gshared {
	stats_collector *coll;
	stats_target tgt;
	bool resolved;
	bool busy; /* a job is queued or running */
	bool gone; /* the screen closed meanwhile: the job frees this */
} gshared;

/* What one job read for the screen. */
typedef struct gdata {
	int rc; /* resolving or reading failed: err */
	dc_err err;
	bool collected;
	int crc; /* the collection's result */
	dc_err cerr;
	stats_collect_result cres;
	stats_target tgt;
	int range;
	int64_t from, to; /* the graphs' range: [from, to), 5-minute aligned */
	int64_t newest;   /* newest stored bucket start, 0: none */
	statmath_bucket *b;
	size_t n;
	stats_day_row *days;
	size_t nd;
} gdata;

typedef struct gjob {
	ui *u;
	unsigned long sid;
	app *a;
	gshared *sh;
	char target[256];
	char module[DC_NAME_MAX];
	statmath_zone zone;
	bool collect;
	int range;
	gdata d;
} gjob;

typedef struct graphs {
	ui_screen *s;
	gshared *sh;
	job *jb;
	bool jb_collect; /* the job in flight collects */
	char target[256];
	char module[DC_NAME_MAX];
	statmath_zone zone;
	int range;
	graph_mode mode;
	bool utf8;
	bool have; /* cur holds data */
	gdata cur;
	bool reload; /* the range changed while a job ran */
	double prev_top[3];
	time_t collected_at; /* last successful collection */
	uint64_t collected;  /* buckets it stored */
	char status[300];
	role status_role;
} graphs;

static void gdata_free(gdata *d)
{
	free(d->b);
	free(d->days);
	d->b = NULL;
	d->days = NULL;
	d->n = d->nd = 0;
}

static void gshared_free(gshared *sh)
{
	stats_collector_free(sh->coll);
	free(sh);
}

/* ---- the job (worker thread) -------------------------------------------- */

static void job_read(gjob *gj, dc_store *st)
{
	gdata *d = &gj->d;
	const stats_target *t = &gj->sh->tgt;
	int64_t now = (int64_t)time(NULL), to, wfrom;

	if (stats_newest(st, t->module_id, t->server_id, &d->newest, &d->err) <
	    0) {
		d->rc = -1;
		return;
	}
	/* The graphs end now, or at the newest bucket when the panel's clock
	 * runs ahead of ours (dcisim's virtual clock does). */
	to = d->newest && d->newest + 300 > now ? d->newest + 300 : now;
	to = statmath_align5(to + 299);
	d->to = to;
	d->from = to - ranges[gj->range].secs;
	if (stats_buckets(st, t->module_id, t->server_id, d->from, d->to, &d->b,
	                  &d->n, &d->err) < 0) {
		d->rc = -1;
		return;
	}
	wfrom = to - (ranges[gj->range].secs > BURST_DAYS_MIN * 86400
	                  ? ranges[gj->range].secs
	                  : BURST_DAYS_MIN * 86400);
	if (stats_days(st, t->module_id, t->server_id, &gj->zone, wfrom, to,
	               &d->days, &d->nd, &d->err) < 0)
		d->rc = -1;
}

static void job_run(job *j, void *arg)
{
	gjob *gj = arg;
	gshared *sh = gj->sh;
	gdata *d = &gj->d;
	dc_store *st;

	err_clear(&d->err);
	err_clear(&d->cerr);
	d->range = gj->range;
	if (job_cancelled(j) || !(st = app_store(gj->a, &d->err))) {
		if (job_cancelled(j))
			err_set(&d->err, DC_E_CANCELLED, "cancelled");
		d->rc = -1;
		return;
	}
	if (!sh->resolved) {
		if (stats_target_resolve(st, gj->module, gj->target, &sh->tgt,
		                         &d->err) < 0) {
			d->rc = -1;
			return;
		}
		sh->resolved = true;
	}
	d->tgt = sh->tgt;
	if (gj->collect) {
		if (!sh->coll) {
			const app *a = gj->a;
			stats_collect_opts o = {
			    .module = sh->tgt.module,
			    .server_id = sh->tgt.server_id,
			    .zone = &gj->zone,
			    .retention_days = a->cfg.stats_retention_days,
			    .connect_timeout_ms =
			        (long)a->cfg.http_connect_timeout_ms,
			    .timeout_ms = (long)a->cfg.http_timeout_ms,
			    .body_cap = a->cfg.xml_max_body,
			    .log = a->log,
			};
			sh->coll = stats_collector_new(&o, &d->cerr);
		}
		if (sh->coll) {
			stats_collector_set_cancel(sh->coll,
			                           job_cancel_flag(j));
			d->crc = stats_collector_run(sh->coll, st, &d->cres,
			                             &d->cerr);
			stats_collector_set_cancel(sh->coll, NULL);
		} else {
			d->crc = -1;
		}
		d->collected = true;
	}
	job_read(gj, st);
}

static void submit(graphs *g, bool collect);

static void set_status(graphs *g)
{
	ui *u = g->s->ui;
	char when[40], newest[40] = "none yet";
	const gdata *d = &g->cur;
	bool ro = ui_cmd_ctx(u).read_only;

	g->status_role = ROLE_DIM;
	if (g->have && d->newest)
		stats_ui_time(&g->zone, d->newest, newest, sizeof(newest));
	if (g->have && d->collected && d->crc < 0 &&
	    d->cerr.cat != DC_E_CANCELLED) {
		char line[600];
		snprintf(g->status, sizeof(g->status),
		         "collecting failed (retried at the next refresh): %s",
		         err_line(&d->cerr, line, sizeof(line)));
		g->status_role = ROLE_ERROR;
		return;
	}
	if (ro) {
		snprintf(g->status, sizeof(g->status),
		         "read-only: stored data, not collecting; newest %s %s",
		         newest, g->zone.name);
		return;
	}
	if (ui_paused(u)) {
		snprintf(g->status, sizeof(g->status),
		         "paused (p resumes); newest %s %s", newest,
		         g->zone.name);
		g->status_role = ROLE_WARN;
		return;
	}
	if (g->collected_at) {
		struct tm tm;
		localtime_r(&g->collected_at, &tm);
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
	} else {
		snprintf(when, sizeof(when), "-");
	}
	snprintf(g->status, sizeof(g->status),
	         "live every %g s; newest %s %s; checked %s (+%llu)",
	         ui_refresh_ms(u) / 1000.0, newest, g->zone.name, when,
	         (unsigned long long)g->collected);
}

static void job_done(job *j, void *arg)
{
	gjob *gj = arg;
	gshared *sh = gj->sh;
	ui_screen *s;
	graphs *g;

	(void)j;
	sh->busy = false;
	if (sh->gone || !(s = ui_screen_by_id(gj->u, gj->sid))) {
		if (sh->gone)
			gshared_free(sh);
		gdata_free(&gj->d);
		free(gj);
		return;
	}
	g = s->priv;
	g->jb = NULL;
	g->jb_collect = false;
	if (gj->d.rc < 0 && !g->have && gj->d.err.cat != DC_E_CANCELLED) {
		char line[600];
		ui_msg(gj->u, UI_ERROR, "graphs: %s",
		       err_line(&gj->d.err, line, sizeof(line)));
	}
	if (gj->d.rc == 0) {
		if (gj->d.collected && gj->d.crc == 0) {
			g->collected_at = time(NULL);
			g->collected = gj->d.cres.buckets;
		}
		gdata_free(&g->cur);
		g->cur = gj->d;
		g->have = true;
		snprintf(s->title, sizeof(s->title), "Graphs %.40s/%ld",
		         g->cur.tgt.module, g->cur.tgt.server_id);
	} else {
		gdata_free(&gj->d);
	}
	free(gj);
	set_status(g);
	if (g->reload) {
		g->reload = false;
		submit(g, false);
	}
}

static void submit(graphs *g, bool collect)
{
	gjob *gj;

	if (g->sh->busy)
		return;
	gj = calloc(1, sizeof(*gj));
	if (!gj)
		return;
	gj->u = g->s->ui;
	gj->sid = g->s->id;
	gj->a = ui_app(g->s->ui);
	gj->sh = g->sh;
	snprintf(gj->target, sizeof(gj->target), "%s", g->target);
	snprintf(gj->module, sizeof(gj->module), "%s", g->module);
	gj->zone = g->zone;
	gj->collect = collect;
	gj->range = g->range;
	/* Straight on the jobs queue, not ui_job: a live view refreshing
	 * every 2 s should not flash the spinner; its status line says what
	 * it does. */
	g->jb = job_submit(ui_jobs(g->s->ui), job_run, gj, job_done);
	if (!g->jb) {
		free(gj);
		return;
	}
	g->jb_collect = collect;
	g->sh->busy = true;
}

/* ---- screen ops --------------------------------------------------------- */

static int range_parse(const char *s, int *res)
{
	for (int i = 0; i < NRANGES; i++)
		if (!strcmp(s, ranges[i].name)) {
			*res = i;
			return 0;
		}
	return -1;
}

static int open_(ui_screen *s, const cmd_args *a, dc_err *err)
{
	graphs *g;
	const char *t = a ? cmd_arg(a, "target") : NULL;
	const char *m = a ? cmd_arg(a, "module") : NULL;
	const char *r = a ? cmd_arg(a, "range") : NULL;
	int range = R_1H;

	if (!t || !*t)
		return err_field(err, DC_E_INVALID, "target",
		                 "stats graph needs a server: ID (with "
		                 "--module), MODULE/ID, a name or service:ID");
	if (r && range_parse(r, &range) < 0)
		return err_field(err, DC_E_INVALID, "range",
		                 "--range %s: use 1h, 24h, 7d or 30d", r);
	if (!(g = calloc(1, sizeof(*g))) ||
	    !(g->sh = calloc(1, sizeof(*g->sh)))) {
		free(g);
		return err_set(err, DC_E_NOMEM, "out of memory");
	}
	if (stats_ui_zone(ui_app(s->ui), &g->zone, err) < 0) {
		free(g->sh);
		free(g);
		return -1;
	}
	g->s = s;
	snprintf(g->target, sizeof(g->target), "%s", t);
	snprintf(g->module, sizeof(g->module), "%s", m ? m : "");
	g->range = range;
	g->utf8 = draw_glyphs_get()->utf8;
	g->mode = g->utf8 ? GRAPH_BRAILLE : GRAPH_ASCII;
	s->priv = g;
	snprintf(s->title, sizeof(s->title), "Graphs %.50s", t);
	snprintf(g->status, sizeof(g->status), "loading %s...", t);
	g->status_role = ROLE_DIM;
	/* the frame ticks a new screen at once: that loads it */
	return 0;
}

static unsigned tick(ui_screen *s)
{
	graphs *g = s->priv;
	submit(g, !ui_cmd_ctx(s->ui).read_only);
	return UI_HANDLED;
}

static void set_range(graphs *g, int range)
{
	if (range == g->range)
		return;
	g->range = range;
	for (int i = 0; i < 3; i++)
		g->prev_top[i] = 0;
	if (g->sh->busy)
		g->reload = true;
	else
		submit(g, false);
}

static unsigned key(ui_screen *s, int k, int action)
{
	graphs *g = s->priv;
	static const char *const names[] = {"braille", "block", "ASCII"};

	(void)k;
	switch (action) {
	case A_R1:
	case A_R2:
	case A_R3:
	case A_R4:
		set_range(g, action - A_R1);
		return UI_HANDLED | UI_REDRAW;
	case A_NEXT:
		set_range(g, (g->range + 1) % NRANGES);
		return UI_HANDLED | UI_REDRAW;
	case A_PREV:
		set_range(g, (g->range + NRANGES - 1) % NRANGES);
		return UI_HANDLED | UI_REDRAW;
	case A_STYLE:
		if (!g->utf8) {
			ui_msg(s->ui, UI_INFO,
			       "ASCII graphs only: the terminal is not UTF-8 "
			       "(or --ascii was given)");
			return UI_HANDLED;
		}
		g->mode = (graph_mode)((g->mode + 1) % 3);
		ui_msg(s->ui, UI_INFO, "graph style: %s", names[g->mode]);
		return UI_HANDLED | UI_REDRAW;
	}
	return UI_IGNORED;
}

static void close_(ui_screen *s)
{
	graphs *g = s->priv;

	if (g->sh->busy) {
		g->sh->gone = true; /* the job's done() frees it */
		if (g->jb)
			job_cancel(g->jb);
	} else {
		gshared_free(g->sh);
	}
	gdata_free(&g->cur);
	free(g);
}

/* ---- drawing ------------------------------------------------------------ */

static size_t utf8_put(char *p, uint32_t c)
{
	if (c < 0x80) {
		p[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		p[0] = (char)(0xC0 | (c >> 6));
		p[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		p[0] = (char)(0xE0 | (c >> 12));
		p[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		p[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	p[0] = (char)(0xF0 | (c >> 18));
	p[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	p[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	p[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

static role cell_role(uint8_t r, role data_in)
{
	switch (r) {
	case GRAPH_ROLE_AXIS:
		return ROLE_BORDER;
	case GRAPH_ROLE_IN:
		return data_in;
	case GRAPH_ROLE_OUT:
		return ROLE_GRAPH_OUT;
	case GRAPH_ROLE_MESSAGE:
		return ROLE_DIM;
	default:
		return ROLE_NORMAL;
	}
}

/* Paints a rendered grid: runs of cells with one role become one string
 * in that role's attribute. */
static void paint(const graph_cell *cells, int w, int h, int y, int x,
                  role data_in)
{
	char buf[4 * 160 + 1];

	for (int row = 0; row < h; row++) {
		int c = 0;
		while (c < w) {
			const graph_cell *first = &cells[row * w + c];
			int start = c;
			size_t len = 0;
			while (c < w && c - start < 160 &&
			       cells[row * w + c].role == first->role) {
				uint32_t ch = cells[row * w + c].ch;
				len += utf8_put(buf + len, ch ? ch : ' ');
				c++;
			}
			buf[len] = '\0';
			draw_text(y + row, x + start, c - start,
			          cell_role(first->role, data_in), buf, false);
		}
	}
}

typedef struct section {
	const char *title;
	statmath_unit unit;
	int nseries;
	role data_in;
	int64_t from, to;
	double *v[2];
	size_t n;
	const char *empty;
} section;

static void draw_section(graphs *g, int idx, const section *sc, int y, int x,
                         int w, int h)
{
	graph_cell *cells;
	graph_spec spec;
	graph_info gi;
	dc_err err;

	draw_text(y, x, w, ROLE_TITLE, sc->title, false);
	y++;
	h--;
	if (h <= 0 || w <= 0 ||
	    !(cells = calloc((size_t)w * (size_t)h, sizeof(*cells))))
		return;
	memset(&spec, 0, sizeof(spec));
	spec.mode = g->mode;
	spec.unit = sc->unit;
	spec.from = sc->from;
	spec.to = sc->to;
	spec.zone = &g->zone;
	spec.nseries = sc->nseries;
	for (int i = 0; i < sc->nseries; i++) {
		spec.series[i].v = sc->v[i];
		spec.series[i].n = sc->n;
	}
	spec.prev_top = g->prev_top[idx];
	spec.empty_text = sc->empty;
	if (graph_render(&spec, cells, w, h, &gi, &err) == 0) {
		g->prev_top[idx] = gi.top;
		paint(cells, w, h, y, x, sc->data_in);
	} else {
		draw_text(y, x, w, ROLE_WARN, err.msg, false);
	}
	free(cells);
}

static void side_line(int *y, int ymax, int x, int w, role r, const char *l,
                      double v, statmath_unit u)
{
	char val[48], line[96];
	if (*y >= ymax)
		return;
	statmath_format(v, u, val, sizeof(val));
	snprintf(line, sizeof(line), "  %-4s %*s", l, w - 8, val);
	draw_text((*y)++, x, w, r, line, false);
}

static void side_title(int *y, int ymax, int x, int w, role r, const char *t)
{
	if (*y < ymax)
		draw_text((*y)++, x, w, r, t, false);
}

static void draw_side(graphs *g, const statmath_totals *t, int y, int x, int w,
                      int h)
{
	int ymax = y + h;
	const gdata *d = &g->cur;
	const stats_day_row *today = d->nd ? &d->days[d->nd - 1] : NULL;
	char buf[64];

	/* one blank line between blocks when there is room */
	bool gap = h >= 23;
	side_title(&y, ymax, x, w, ROLE_GRAPH_IN, "IN (up)");
	side_line(&y, ymax, x, w, ROLE_NORMAL, "now", t->cur_in_mbps * 1e6,
	          STATMATH_UNIT_BITPS);
	side_line(&y, ymax, x, w, ROLE_NORMAL, "avg", t->avg_in_mbps * 1e6,
	          STATMATH_UNIT_BITPS);
	side_line(&y, ymax, x, w, ROLE_NORMAL, "max", t->max_in_mbps * 1e6,
	          STATMATH_UNIT_BITPS);
	y += gap;
	side_title(&y, ymax, x, w, ROLE_GRAPH_OUT, "OUT (down)");
	side_line(&y, ymax, x, w, ROLE_NORMAL, "now", t->cur_out_mbps * 1e6,
	          STATMATH_UNIT_BITPS);
	side_line(&y, ymax, x, w, ROLE_NORMAL, "avg", t->avg_out_mbps * 1e6,
	          STATMATH_UNIT_BITPS);
	side_line(&y, ymax, x, w, ROLE_NORMAL, "max", t->max_out_mbps * 1e6,
	          STATMATH_UNIT_BITPS);
	y += gap;
	side_title(&y, ymax, x, w, ROLE_GRAPH_POWER, "POWER");
	side_line(&y, ymax, x, w, ROLE_NORMAL, "now", t->cur_power_w,
	          STATMATH_UNIT_WATT);
	side_line(&y, ymax, x, w, ROLE_NORMAL, "avg", t->avg_power_w,
	          STATMATH_UNIT_WATT);
	side_line(&y, ymax, x, w, ROLE_NORMAL, "max", t->max_power_w,
	          STATMATH_UNIT_WATT);
	y += gap;
	snprintf(buf, sizeof(buf), "BURST %s", today ? today->date : "");
	side_title(&y, ymax, x, w, ROLE_TITLE, buf);
	side_line(&y, ymax, x, w, ROLE_NORMAL, "in",
	          today ? today->burst_in * 1e6 : NAN, STATMATH_UNIT_BITPS);
	side_line(&y, ymax, x, w, ROLE_NORMAL, "out",
	          today ? today->burst_out * 1e6 : NAN, STATMATH_UNIT_BITPS);
	if (y < ymax && today) {
		size_t nb =
		    today->n_in > today->n_out ? today->n_in : today->n_out;
		snprintf(buf, sizeof(buf), "  cov  %3.0f%% %zu/288",
		         today->coverage * 100.0, nb);
		draw_text(y++, x, w, ROLE_NORMAL, buf, false);
	}
	y += gap;
	side_title(&y, ymax, x, w, ROLE_TITLE, "TOTAL (range)");
	side_line(&y, ymax, x, w, ROLE_NORMAL, "in",
	          t->n_in ? (double)t->in_kib * 1024.0 : NAN,
	          STATMATH_UNIT_BYTES);
	side_line(&y, ymax, x, w, ROLE_NORMAL, "out",
	          t->n_out ? (double)t->out_kib * 1024.0 : NAN,
	          STATMATH_UNIT_BYTES);
}

static void draw_header(graphs *g, ui_rect r)
{
	const gdata *d = &g->cur;
	char left[400], sel[64];
	int x, sw = 0;

	if (g->have && d->tgt.server_name[0])
		snprintf(left, sizeof(left), "%s  %s/%ld%s%s",
		         d->tgt.server_name, d->tgt.module, d->tgt.server_id,
		         d->tgt.service_id ? "  " : "", d->tgt.service_label);
	else if (g->have)
		snprintf(left, sizeof(left), "%s/%ld%s%s", d->tgt.module,
		         d->tgt.server_id, d->tgt.service_id ? "  " : "",
		         d->tgt.service_label);
	else
		snprintf(left, sizeof(left), "%s", g->target);
	/* the range selector, current one bracketed (not by colour alone) */
	for (int i = 0; i < NRANGES; i++)
		sw += (int)strlen(ranges[i].name) + 3;
	x = r.x + r.w - sw;
	draw_text(r.y, r.x, r.w - sw - 1, ROLE_TITLE, left, false);
	for (int i = 0; i < NRANGES; i++) {
		bool on = i == g->range;
		snprintf(sel, sizeof(sel), "%c%s%c", on ? '[' : ' ',
		         ranges[i].name, on ? ']' : ' ');
		x += draw_text(r.y, x, (int)strlen(sel),
		               on ? ROLE_SELECTION : ROLE_DIM, sel, false);
		x++;
	}
	draw_text(r.y + 1, r.x, r.w, g->status_role, g->status, false);
}

static void draw(ui_screen *s, ui_rect r)
{
	graphs *g = s->priv;
	const gdata *d = &g->cur;
	/* Pausing freezes the view: a collection in flight is cancelled, so
	 * its answer (maybe newer than the moment of the pause) is dropped. */
	if (ui_paused(s->ui) && g->sh->busy && g->jb && g->jb_collect) {
		job_cancel(g->jb);
		g->jb_collect = false;
	}
	int sw = r.w >= 120 ? 30 : 24, gw = r.w - sw - 1, gy = r.y + 2;
	int avail = r.h - 2;
	int64_t span = ranges[g->range].secs;
	size_t ns = (size_t)(span / 300);
	statmath_totals tot;
	double *buf;
	section sec[3];
	int mw, mh[3], h[3] = {0, 0, 0};

	set_status(g); /* follows pause and refresh changes at once */
	draw_header(g, r);
	memset(&tot, 0, sizeof(tot));
	tot.cur_in_mbps = tot.avg_in_mbps = tot.max_in_mbps = NAN;
	tot.cur_out_mbps = tot.avg_out_mbps = tot.max_out_mbps = NAN;
	tot.cur_power_w = tot.avg_power_w = tot.max_power_w = NAN;
	if (g->have)
		statmath_totals_compute(d->b, d->n, &tot, NULL);
	draw_side(g, &tot, gy, r.x + gw + 1, sw, avail);
	if (!(buf =
	          malloc((3 * ns + 2 * (d->nd ? d->nd : 1)) * sizeof(double))))
		return;
	double *vin = buf, *vout = buf + ns, *vpow = buf + 2 * ns;
	double *bin = buf + 3 * ns, *bout = bin + (d->nd ? d->nd : 1);
	for (size_t i = 0; i < 3 * ns; i++)
		buf[i] = NAN;
	int64_t from = g->have && d->range == g->range ? d->from : 0;
	for (size_t i = 0; g->have && d->range == g->range && i < d->n; i++) {
		int64_t k = (d->b[i].time - from) / 300;
		if (k < 0 || (size_t)k >= ns)
			continue;
		if (d->b[i].present & STATMATH_HAS_IN)
			vin[k] = statmath_rate_mbps(d->b[i].in_kib) * 1e6;
		if (d->b[i].present & STATMATH_HAS_OUT)
			vout[k] = statmath_rate_mbps(d->b[i].out_kib) * 1e6;
		if (d->b[i].present & STATMATH_HAS_POWER)
			vpow[k] = d->b[i].power_w;
	}
	for (size_t i = 0; i < d->nd; i++) {
		bin[i] = d->days[i].burst_in * 1e6;
		bout[i] = d->days[i].burst_out * 1e6;
	}
	/* while a range loads, the axes show the new range, empty */
	int64_t to = g->have ? d->to : (int64_t)time(NULL);
	const char *empty = g->have ? "no data" : "loading...";
	sec[0] = (section){"Traffic (bit/s): in up, out down",
	                   STATMATH_UNIT_BITPS,
	                   2,
	                   ROLE_GRAPH_IN,
	                   to - span,
	                   to,
	                   {vin, vout},
	                   ns,
	                   empty};
	sec[1] = (section){"Power (W)",
	                   STATMATH_UNIT_WATT,
	                   1,
	                   ROLE_GRAPH_POWER,
	                   to - span,
	                   to,
	                   {vpow, NULL},
	                   ns,
	                   empty};
	sec[2] = (section){"Daily burst (95th percentile): in up, out down",
	                   STATMATH_UNIT_BITPS,
	                   2,
	                   ROLE_GRAPH_IN,
	                   d->nd ? d->days[0].day.start : to - 7 * 86400,
	                   d->nd ? d->days[d->nd - 1].day.end : to,
	                   {bin, bout},
	                   d->nd,
	                   empty};
	for (int i = 0; i < 3; i++) {
		graph_min_size(sec[i].unit, sec[i].nseries, &mw, &mh[i]);
		mh[i] += 1; /* its title */
	}
	if (avail >= mh[0] + mh[1] + mh[2]) {
		int extra = avail - mh[0] - mh[1] - mh[2];
		h[1] = mh[1] + extra / 4;
		h[2] = mh[2] + extra / 4;
		h[0] = avail - h[1] - h[2];
	} else if (avail >= mh[0] + mh[1]) {
		h[1] = mh[1];
		h[0] = avail - h[1];
	} else {
		h[0] = avail;
	}
	for (int i = 0; i < 3; i++) {
		if (h[i] <= 0)
			continue;
		draw_section(g, i, &sec[i], gy, r.x, gw, h[i]);
		gy += h[i];
	}
	free(buf);
}

const ui_screen_ops graphs_screen = {
    .name = "Graphs",
    .keys = keys,
    .open = open_,
    .draw = draw,
    .key = key,
    .tick = tick,
    .close = close_,
};
