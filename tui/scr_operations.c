/* scr_operations.c - the Operations screen: the journal, newest first (id,
 * kind, service, state, the step it is at, error), and under it every step
 * of the selected operation with its state in words, attempts, elapsed
 * time and last error. r retries a failed operation from its failed step,
 * b rolls it back (asks first, Cancel default), R resumes what nobody is
 * running (after a crash), u shows unfinished ones only, Enter shows the
 * operation in full. Read again at every refresh tick, so a running
 * operation's steps move live. Changes go through cmd_exec as jobs. */
#include "cmd_service.h"
#include "cmd_tariff.h"
#include "store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { A_RETRY = 1, A_ROLLBACK, A_RESUME, A_UNFINISHED, A_SHOW, A_REFRESH };

typedef struct oscr {
	ui_screen *s;
	dc_operation *ops;
	size_t n;
	list l;
	bool unfinished;
	bool loading, loaded;
	char err[600];
} oscr;

static const list_col cols[] = {
    {"ID", 5, 0, LIST_COL_RIGHT | LIST_COL_NUM},
    {"KIND", 9, 0, 0},
    {"SVC", 5, 0, LIST_COL_RIGHT | LIST_COL_NUM},
    {"STATE", 12, 0, 0},
    {"STEP", 10, 0, 0},
    {"ERROR", 0, 10, 0},
};

static const char *cell(void *data, size_t row, int col, char *buf, size_t len)
{
	const dc_operation *o = &((oscr *)data)->ops[row];
	switch (col) {
	case 0:
		snprintf(buf, len, "%" PRId64, o->id);
		return buf;
	case 1:
		return op_kind_name(o->kind);
	case 2:
		snprintf(buf, len, "%" PRId64, o->service_id);
		return buf;
	case 3:
		snprintf(buf, len, "%s%s", op_state_name(o->state),
		         o->state == OPS_FAILED && o->rollback ? " (undo)"
		                                               : "");
		return buf;
	case 4:
		return o->step >= 0 && (size_t)o->step < o->nsteps
		           ? o->steps[o->step].name
		           : "-";
	case 5:
		return o->error[0] ? o->error : "";
	}
	return "";
}

static role row_role(void *data, size_t row)
{
	const dc_operation *o = &((oscr *)data)->ops[row];
	switch (o->state) {
	case OPS_FAILED:
		return ROLE_ERROR;
	case OPS_RUNNING:
	case OPS_ROLLING_BACK:
	case OPS_PENDING:
		return ROLE_WARN;
	case OPS_ROLLED_BACK:
		return ROLE_DIM;
	default:
		return ROLE_NORMAL;
	}
}

typedef struct oload {
	ui *u;
	unsigned long sid;
	cmd_ctx ctx;
	bool unfinished;
	dc_operation *ops;
	size_t n;
	dc_err err;
	int rc;
} oload;

static void load_fn(job *j, void *arg)
{
	oload *ol = arg;
	ol->ctx.cancel = job_cancel_flag(j);
	dc_store *st = app_store(ol->ctx.app, &ol->err);
	op_filter f = {.unfinished_only = ol->unfinished, .limit = 500};
	ol->rc = st ? operation_list(st, &f, &ol->ops, &ol->n, &ol->err) : -1;
}

static void load_done(job *j, void *arg)
{
	oload *ol = arg;
	ui_screen *s = ui_screen_by_id(ol->u, ol->sid);
	(void)j;
	if (s) {
		oscr *d = s->priv;
		d->loading = false;
		if (ol->rc < 0) {
			err_line(&ol->err, d->err, sizeof(d->err));
		} else {
			free(d->ops);
			d->ops = ol->ops;
			d->n = ol->n;
			ol->ops = NULL;
			d->err[0] = '\0';
			d->loaded = true;
			list_set_rows(&d->l, d->n);
		}
		ui_redraw(ol->u);
	}
	free(ol->ops);
	free(ol);
}

static void load(ui_screen *s)
{
	oscr *d = s->priv;
	if (d->loading)
		return;
	oload *ol = calloc(1, sizeof(*ol));
	if (!ol)
		return;
	ol->u = s->ui;
	ol->sid = s->id;
	ol->ctx = ui_cmd_ctx(s->ui);
	ol->unfinished = d->unfinished;
	if (!ui_job_bg(s->ui, "reading the journal", load_fn, ol, load_done)) {
		free(ol);
		return;
	}
	d->loading = true;
}

static const dc_operation *selected(oscr *d)
{
	size_t r = list_selected(&d->l);
	return r == (size_t)-1 ? NULL : &d->ops[r];
}

static void reload_after(ui *u, bool ok, const dc_err *err, const out *o,
                         void *arg)
{
	(void)ok;
	(void)err;
	(void)o;
	ui_screen *s = ui_screen_by_id(u, (unsigned long)(uintptr_t)arg);
	if (s)
		load(s);
}

static void run_verb(ui_screen *s, const char *verb, int64_t id)
{
	char b[24];
	snprintf(b, sizeof(b), "%" PRId64, id);
	const char *pairs[] = {"id", b, NULL};
	tcui_run(s->ui, "operation", verb, pairs, reload_after,
	         (void *)(uintptr_t)s->id);
}

typedef struct rb {
	unsigned long sid;
	int64_t id;
} rb;

static void rollback_confirmed(ui *u, void *arg, bool yes)
{
	rb *r = arg;
	ui_screen *s = ui_screen_by_id(u, r->sid);
	if (yes && s)
		run_verb(s, "rollback", r->id);
	free(r);
}

static unsigned key(ui_screen *s, int k, int action)
{
	oscr *d = s->priv;
	const dc_operation *o = selected(d);
	(void)k;
	switch (action) {
	case A_REFRESH:
		load(s);
		return UI_HANDLED;
	case A_UNFINISHED:
		d->unfinished = !d->unfinished;
		load(s);
		return UI_HANDLED;
	case A_RESUME:
		tcui_run(s->ui, "operation", "resume", NULL, reload_after,
		         (void *)(uintptr_t)s->id);
		return UI_HANDLED;
	}
	if (!o) {
		if (action)
			ui_msg(s->ui, UI_INFO, "no operation selected");
		return action ? UI_HANDLED : UI_IGNORED;
	}
	switch (action) {
	case A_RETRY:
		if (o->state != OPS_FAILED) {
			ui_msg(s->ui, UI_WARN,
			       "operation %" PRId64 " is %s: only a failed one "
			       "is retried",
			       o->id, op_state_name(o->state));
			return UI_HANDLED;
		}
		run_verb(s, "retry", o->id);
		return UI_HANDLED;
	case A_ROLLBACK: {
		rb *r = calloc(1, sizeof(*r));
		if (!r)
			return UI_HANDLED;
		r->sid = s->id;
		r->id = o->id;
		char q[300];
		snprintf(q, sizeof(q),
		         "Roll back operation %" PRId64
		         " (%s of service %" PRId64
		         ")? Every step that ran is undone, newest first.",
		         o->id, op_kind_name(o->kind), o->service_id);
		ui_confirm(s->ui, "Roll back", q, NULL, rollback_confirmed, r);
		return UI_HANDLED;
	}
	case A_SHOW: {
		char line[64];
		snprintf(line, sizeof(line), "operation show %" PRId64, o->id);
		ui_run_line(s->ui, line);
		return UI_HANDLED;
	}
	}
	return UI_IGNORED;
}

static const char *mark(step_state s)
{
	switch (s) {
	case STEP_DONE:
		return "[done]";
	case STEP_RUNNING:
		return "[run ]";
	case STEP_FAILED:
		return "[FAIL]";
	case STEP_SKIPPED:
		return "[skip]";
	case STEP_UNDONE:
		return "[undo]";
	default:
		return "[    ]";
	}
}

static void draw(ui_screen *s, ui_rect r)
{
	oscr *d = s->priv;
	draw_clear(r, ROLE_NORMAL);
	size_t failed = 0;
	for (size_t i = 0; i < d->n; i++)
		failed += d->ops[i].state == OPS_FAILED;
	char head[200];
	snprintf(head, sizeof(head), "%zu operation%s%s, %zu failed%s", d->n,
	         d->n == 1 ? "" : "s", d->unfinished ? " not finished" : "",
	         failed, d->loaded ? "" : "  (reading...)");
	draw_text(r.y, r.x, r.w, ROLE_TITLE, head, true);
	int y = r.y + 1, h = r.h - 1;
	if (d->err[0] && h > 1) {
		draw_text(y, r.x, r.w, ROLE_ERROR, d->err, true);
		y++;
		h--;
	}
	const dc_operation *o = selected(d);
	int pane = o && h >= 12 ? (int)o->nsteps + 2 : 0;
	if (pane > h / 2)
		pane = h / 2;
	if (!d->n && d->loaded)
		draw_text(y, r.x, r.w, ROLE_DIM, "the journal is empty", true);
	else
		list_draw(&d->l, (ui_rect){y, r.x, h - pane, r.w});
	if (!pane)
		return;
	int py = y + h - pane;
	draw_hline(py, r.x, r.w, ROLE_BORDER);
	char line[600];
	bool gone = o->lease_owner[0] && o->state != OPS_FAILED &&
	            !operation_lease_live(o);
	snprintf(line, sizeof(line),
	         " operation %" PRId64 " %s of service %" PRId64 ": %s%s%s%s",
	         o->id, op_kind_name(o->kind), o->service_id,
	         op_state_name(o->state), o->lease_owner[0] ? ", run by " : "",
	         o->lease_owner, gone ? " (gone: R resumes it)" : "");
	draw_text(py + 1, r.x, r.w,
	          o->state == OPS_FAILED ? ROLE_ERROR : ROLE_TITLE, line, true);
	int64_t now = (int64_t)time(NULL);
	for (size_t i = 0; i < o->nsteps && py + 2 + (int)i < y + h; i++) {
		const op_step *st = &o->steps[i];
		char el[32] = "", att[24] = "";
		if (st->started_at)
			scmd_elapsed((st->finished_at ? st->finished_at : now) -
			                 st->started_at,
			             el, sizeof(el));
		if (st->attempts > 1)
			snprintf(att, sizeof(att), " x%d", st->attempts);
		snprintf(line, sizeof(line), " %s %-10s %7s%s%s%.400s",
		         mark(st->state), st->name, el, att,
		         st->last_error[0] ? "  " : "", st->last_error);
		draw_text(py + 2 + (int)i, r.x, r.w,
		          st->state == STEP_FAILED    ? ROLE_ERROR
		          : st->state == STEP_RUNNING ? ROLE_WARN
		          : st->state == STEP_DONE    ? ROLE_OK
		                                      : ROLE_NORMAL,
		          line, true);
	}
}

static unsigned tick(ui_screen *s)
{
	load(s);
	return UI_REDRAW;
}

static const ui_key keys[] = {
    {'r', "retry", "retry the failed operation from its failed step", A_RETRY},
    {'b', "rollback", "roll back the selected operation (asks first)",
     A_ROLLBACK},
    {'R', "resume", "finish every operation nobody is running", A_RESUME},
    {'u', "unfinished", "only operations not finished (again: all)",
     A_UNFINISHED},
    {UIK_ENTER, NULL, "the operation in full", A_SHOW},
    {UIK_F(5), NULL, "read again now", A_REFRESH},
    {0, NULL, NULL, 0},
};

static int open_(ui_screen *s, const cmd_args *a, dc_err *err)
{
	oscr *d = calloc(1, sizeof(*d));
	if (!d)
		return err_set(err, DC_E_NOMEM, "out of memory");
	d->s = s;
	d->unfinished = a && cmd_flag(a, "unfinished");
	s->priv = d;
	list_init(&d->l, cols, (int)(sizeof(cols) / sizeof(cols[0])), cell, d);
	d->l.header = true;
	d->l.cursor = true;
	d->l.row_role = row_role;
	list_set_rows(&d->l, 0);
	load(s);
	return 0;
}

static list *list_of(ui_screen *s)
{
	return &((oscr *)s->priv)->l;
}

static void close_(ui_screen *s)
{
	oscr *d = s->priv;
	if (!d)
		return;
	list_free(&d->l);
	free(d->ops);
	free(d);
}

const ui_screen_ops operations_screen = {
    .name = "Operations",
    .keys = keys,
    .open = open_,
    .draw = draw,
    .key = key,
    .tick = tick,
    .list = list_of,
    .close = close_,
};
