/* scr_apilog.c - the API log: the last panel calls of this run (time,
 * panel, func, duration, outcome), live, filterable; Enter shows one call
 * with its (already masked) parameters. Records come from core's apilog,
 * which is thread-safe, so the screen reads it directly on the main
 * thread: apilog_snapshot copies only what is new since the last look. */
#include "apilog.h"
#include "app.h"
#include "ui.h"

#include <stdlib.h>
#include <string.h>

enum { A_DETAILS = 1 };

static const ui_key apilog_keys[] = {
    {UIK_ENTER, "details",
     "show the call: URL, parameters (secrets as ***), "
     "outcome",
     A_DETAILS},
    {0, NULL, NULL, 0},
};

static const list_col cols[] = {
    {"TIME", 12, 0, 0},   {"PANEL", 0, 22, 0},
    {"FUNC", 14, 0, 0},   {"MS", 6, 0, LIST_COL_RIGHT | LIST_COL_NUM},
    {"RESULT", 0, 14, 0},
};

typedef struct logscr {
	apilog *log;
	apilog_rec *recs;
	size_t n, cap;
	uint64_t last;
	list l;
} logscr;

/* "host/path" of a base URL: what tells panels apart at a glance. */
static const char *panel_of(const char *url)
{
	const char *p = strstr(url, "://");

	return p ? p + 3 : url;
}

static const char *cell(void *data, size_t row, int col, char *buf, size_t len)
{
	const apilog_rec *r = &((logscr *)data)->recs[row];
	struct tm tm;
	time_t t = r->start.tv_sec;

	switch (col) {
	case 0: {
		char hms[16];

		localtime_r(&t, &tm);
		strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
		snprintf(buf, len, "%s.%03ld", hms, r->start.tv_nsec / 1000000);
		return buf;
	}
	case 1:
		return panel_of(r->url);
	case 2:
		return r->func;
	case 3:
		snprintf(buf, len, "%.0f", r->duration_ms);
		return buf;
	default:
		/* text says ok/FAIL: state never by colour alone */
		snprintf(buf, len, "%s %s", r->ok ? "ok" : "FAIL",
		         r->ok ? (strncmp(r->outcome, "ok", 2) == 0
		                      ? r->outcome + 2 + (r->outcome[2] == ':')
		                      : r->outcome)
		               : r->outcome);
		return buf;
	}
}

static role row_role(void *data, size_t row)
{
	return ((logscr *)data)->recs[row].ok ? ROLE_NORMAL : ROLE_ERROR;
}

/* Appends what is new; keeps at most the log's size. */
static void pull(logscr *ls)
{
	apilog_rec tmp[256];
	size_t got;
	bool at_end = ls->l.nview == 0 || ls->l.sel + 1 >= ls->l.nview;
	bool any = false;

	while ((got = apilog_snapshot(ls->log, ls->last, tmp, 256)) > 0) {
		if (ls->n + got > ls->cap) {
			size_t cap = (ls->n + got) * 2;
			apilog_rec *r = realloc(ls->recs, cap * sizeof(*r));

			if (!r)
				return;
			ls->recs = r;
			ls->cap = cap;
		}
		memcpy(ls->recs + ls->n, tmp, got * sizeof(*tmp));
		ls->n += got;
		ls->last = tmp[got - 1].seq;
		any = true;
	}
	/* the ring in core drops the oldest: so do we */
	size_t keep = apilog_count(ls->log);

	if (ls->n > keep && keep > 0) {
		memmove(ls->recs, ls->recs + (ls->n - keep),
		        keep * sizeof(*ls->recs));
		ls->n = keep;
		any = true;
	}
	if (any) {
		list_set_rows(&ls->l, ls->n);
		if (at_end)
			list_key(&ls->l, 'G'); /* follow new calls */
	}
}

static int open_(ui_screen *s, const cmd_args *a, dc_err *err)
{
	logscr *ls = calloc(1, sizeof(*ls));

	(void)a;
	if (!ls)
		return err_set(err, DC_E_NOMEM, "out of memory");
	ls->log = ui_app(s->ui)->log;
	list_init(&ls->l, cols, 5, cell, ls);
	ls->l.row_role = row_role;
	s->priv = ls;
	list_set_rows(&ls->l, 0);
	pull(ls);
	return 0;
}

static unsigned tick(ui_screen *s)
{
	pull(s->priv);
	return UI_HANDLED;
}

static void draw(ui_screen *s, ui_rect r)
{
	logscr *ls = s->priv;

	list_draw(&ls->l, r);
	if (ls->n == 0 && r.h > 3)
		draw_text(r.y + 2, r.x + 2, r.w - 4, ROLE_DIM,
		          "No panel calls yet in this run; they appear here "
		          "as they happen.",
		          false);
}

static void details(ui_screen *s)
{
	logscr *ls = s->priv;
	size_t row = list_selected(&ls->l);
	const apilog_rec *r;
	char *text = NULL, when[64], title[64];
	size_t len = 0;
	FILE *f;
	struct tm tm;

	if (row == (size_t)-1)
		return;
	r = &ls->recs[row];
	localtime_r(&r->start.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	f = open_memstream(&text, &len);
	if (!f)
		return;
	fprintf(f, "call #%llu\n", (unsigned long long)r->seq);
	fprintf(f, "time:     %s.%03ld\n", when, r->start.tv_nsec / 1000000);
	fprintf(f, "panel:    %s\n", r->url);
	fprintf(f, "func:     %s\n", r->func);
	fprintf(f, "duration: %.1f ms\n", r->duration_ms);
	fprintf(f, "result:   %s%s%s\n", r->ok ? "ok" : "FAILED (",
	        r->ok ? "" : dc_errcat_name(r->cat), r->ok ? "" : ")");
	fprintf(f, "outcome:  %s\n", r->outcome);
	fputs("parameters (secrets as ***):\n", f);
	/* "k=v k2=v2": one per line */
	char params[sizeof(r->params)];

	snprintf(params, sizeof(params), "%s", r->params);
	for (char *tok = strtok(params, " "); tok; tok = strtok(NULL, " "))
		fprintf(f, "  %s\n", tok);
	fclose(f);
	snprintf(title, sizeof(title), "Call %.40s", r->func);
	ui_show_text(s->ui, title, text);
	free(text);
}

static unsigned key(ui_screen *s, int k, int action)
{
	(void)k;
	if (action == A_DETAILS) {
		details(s);
		return UI_HANDLED;
	}
	return UI_IGNORED;
}

static list *get_list(ui_screen *s)
{
	return &((logscr *)s->priv)->l;
}

static void close_(ui_screen *s)
{
	logscr *ls = s->priv;

	list_free(&ls->l);
	free(ls->recs);
	free(ls);
}

const ui_screen_ops apilog_screen = {
    .name = "API log",
    .keys = apilog_keys,
    .open = open_,
    .draw = draw,
    .key = key,
    .tick = tick,
    .list = get_list,
    .close = close_,
};

const cmd_def apilog_cmds[] = {
    {"api", "log", NULL,
     "the last panel calls: panel, func, duration, result (no secrets)",
     "Live while open; / filters; Enter shows one call.",
     CMD_RO_SAFE | CMD_CONSOLE_ONLY, NULL, &apilog_screen, 'L'},
    {NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, 0},
};
