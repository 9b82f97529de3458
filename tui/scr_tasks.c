/* scr_tasks.c - the Tasks screen: what failed operations left for the
 * departments (id, department, state, operation, service, text), the
 * selected task's whole text under the list, d marks it done (asks first),
 * a shows done ones too, o opens the Operations screen on its operation's
 * journal. Read again at every refresh tick. */
#include "cmd_service.h"
#include "cmd_tariff.h"
#include "store.h"
#include "task.h"
#include "text.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { A_DONE = 1, A_ALL, A_OPS, A_REFRESH };

typedef struct kscr {
	ui_screen *s;
	dc_task *t;
	size_t n;
	list l;
	bool all;
	bool loading, loaded;
	char err[600];
} kscr;

static const list_col cols[] = {
    {"ID", 4, 0, LIST_COL_RIGHT | LIST_COL_NUM},
    {"DEPT", 0, 6, 0},
    {"STATE", 5, 0, 0},
    {"OP", 5, 0, LIST_COL_RIGHT | LIST_COL_NUM},
    {"SVC", 5, 0, LIST_COL_RIGHT | LIST_COL_NUM},
    {"TASK", 0, 20, 0},
};

static const char *cell(void *data, size_t row, int col, char *buf, size_t len)
{
	const dc_task *t = &((kscr *)data)->t[row];
	switch (col) {
	case 0:
		snprintf(buf, len, "%" PRId64, t->id);
		return buf;
	case 1:
		return t->department[0] ? t->department : "-";
	case 2:
		return t->done ? "done" : "open";
	case 3:
		if (!t->op_id)
			return "-";
		snprintf(buf, len, "%" PRId64, t->op_id);
		return buf;
	case 4:
		if (!t->service_id)
			return "-";
		snprintf(buf, len, "%" PRId64, t->service_id);
		return buf;
	case 5:
		return t->text;
	}
	return "";
}

static role row_role(void *data, size_t row)
{
	return ((kscr *)data)->t[row].done ? ROLE_DIM : ROLE_WARN;
}

typedef struct kload {
	ui *u;
	unsigned long sid;
	cmd_ctx ctx;
	bool all;
	dc_task *t;
	size_t n;
	dc_err err;
	int rc;
} kload;

static void load_fn(job *j, void *arg)
{
	kload *kl = arg;
	kl->ctx.cancel = job_cancel_flag(j);
	dc_store *st = app_store(kl->ctx.app, &kl->err);
	kl->rc = st ? task_list(st, kl->all, &kl->t, &kl->n, &kl->err) : -1;
}

static void load_done(job *j, void *arg)
{
	kload *kl = arg;
	ui_screen *s = ui_screen_by_id(kl->u, kl->sid);
	(void)j;
	if (s) {
		kscr *d = s->priv;
		d->loading = false;
		if (kl->rc < 0) {
			err_line(&kl->err, d->err, sizeof(d->err));
		} else {
			free(d->t);
			d->t = kl->t;
			d->n = kl->n;
			kl->t = NULL;
			d->err[0] = '\0';
			d->loaded = true;
			list_set_rows(&d->l, d->n);
		}
		ui_redraw(kl->u);
	}
	free(kl->t);
	free(kl);
}

static void load(ui_screen *s)
{
	kscr *d = s->priv;
	if (d->loading)
		return;
	kload *kl = calloc(1, sizeof(*kl));
	if (!kl)
		return;
	kl->u = s->ui;
	kl->sid = s->id;
	kl->ctx = ui_cmd_ctx(s->ui);
	kl->all = d->all;
	if (!ui_job_bg(s->ui, "reading tasks", load_fn, kl, load_done)) {
		free(kl);
		return;
	}
	d->loading = true;
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

typedef struct kdone {
	unsigned long sid;
	int64_t id;
} kdone;

static void done_confirmed(ui *u, void *arg, bool yes)
{
	kdone *k = arg;
	ui_screen *s = ui_screen_by_id(u, k->sid);
	if (yes && s) {
		char b[24];
		snprintf(b, sizeof(b), "%" PRId64, k->id);
		const char *pairs[] = {"id", b, NULL};
		tcui_run(u, "task", "done", pairs, reload_after,
		         (void *)(uintptr_t)s->id);
	}
	free(k);
}

static unsigned key(ui_screen *s, int k, int action)
{
	kscr *d = s->priv;
	size_t r = list_selected(&d->l);
	(void)k;
	switch (action) {
	case A_ALL:
		d->all = !d->all;
		load(s);
		return UI_HANDLED;
	case A_REFRESH:
		load(s);
		return UI_HANDLED;
	case A_DONE:
	case A_OPS:
		break;
	default:
		return UI_IGNORED;
	}
	if (r == (size_t)-1) {
		ui_msg(s->ui, UI_INFO, "no task selected");
		return UI_HANDLED;
	}
	const dc_task *t = &d->t[r];
	if (action == A_OPS) {
		ui_push(s->ui, &operations_screen, NULL);
		return UI_HANDLED;
	}
	if (t->done) {
		ui_msg(s->ui, UI_INFO, "task %" PRId64 " is already done",
		       t->id);
		return UI_HANDLED;
	}
	kdone *kd = calloc(1, sizeof(*kd));
	if (!kd)
		return UI_HANDLED;
	kd->sid = s->id;
	kd->id = t->id;
	char q[200];
	snprintf(q, sizeof(q), "Mark task %" PRId64 " done?", t->id);
	ui_confirm(s->ui, "Task done", q, NULL, done_confirmed, kd);
	return UI_HANDLED;
}

/* Word-wraps text into rows of the rect. */
static void draw_wrapped(ui_rect r, role rl, const char *text)
{
	const char *p = text;
	for (int y = r.y; y < r.y + r.h && *p; y++) {
		size_t len = strlen(p);
		size_t take = len;
		if ((int)len > r.w) {
			take = (size_t)r.w;
			while (take > 0 && p[take] != ' ')
				take--;
			if (take == 0)
				take = (size_t)r.w;
		}
		char buf[512];
		if (take >= sizeof(buf))
			take = sizeof(buf) - 1;
		memcpy(buf, p, take);
		buf[take] = '\0';
		draw_text(y, r.x, r.w, rl, buf, true);
		p += take;
		while (*p == ' ')
			p++;
	}
}

static void draw(ui_screen *s, ui_rect r)
{
	kscr *d = s->priv;
	draw_clear(r, ROLE_NORMAL);
	size_t open = 0;
	for (size_t i = 0; i < d->n; i++)
		open += !d->t[i].done;
	char head[200];
	snprintf(head, sizeof(head), "%zu open task%s%s%s", open,
	         open == 1 ? "" : "s", d->all ? " (done ones shown too)" : "",
	         d->loaded ? "" : "  (reading...)");
	draw_text(r.y, r.x, r.w, ROLE_TITLE, head, true);
	int y = r.y + 1, h = r.h - 1;
	if (d->err[0] && h > 1) {
		draw_text(y, r.x, r.w, ROLE_ERROR, d->err, true);
		y++;
		h--;
	}
	size_t sel = list_selected(&d->l);
	int pane = sel != (size_t)-1 && h >= 10 ? 6 : 0;
	if (!d->n && d->loaded)
		draw_text(y, r.x, r.w, ROLE_DIM, "no tasks", true);
	else
		list_draw(&d->l, (ui_rect){y, r.x, h - pane, r.w});
	if (pane) {
		int py = y + h - pane;
		draw_hline(py, r.x, r.w, ROLE_BORDER);
		draw_wrapped((ui_rect){py + 1, r.x + 1, pane - 1, r.w - 2},
		             d->t[sel].done ? ROLE_DIM : ROLE_NORMAL,
		             d->t[sel].text);
	}
}

static unsigned tick(ui_screen *s)
{
	load(s);
	return UI_REDRAW;
}

static const ui_key keys[] = {
    {'d', "done", "mark the selected task done (asks first)", A_DONE},
    {'a', "all", "show done tasks too (again: open only)", A_ALL},
    {'o', "journal", "the Operations screen", A_OPS},
    {UIK_F(5), NULL, "read again now", A_REFRESH},
    {0, NULL, NULL, 0},
};

static int open_(ui_screen *s, const cmd_args *a, dc_err *err)
{
	kscr *d = calloc(1, sizeof(*d));
	if (!d)
		return err_set(err, DC_E_NOMEM, "out of memory");
	d->s = s;
	d->all = a && cmd_flag(a, "all");
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
	return &((kscr *)s->priv)->l;
}

static void close_(ui_screen *s)
{
	kscr *d = s->priv;
	if (!d)
		return;
	list_free(&d->l);
	free(d->t);
	free(d);
}

const ui_screen_ops tasks_screen = {
    .name = "Tasks",
    .keys = keys,
    .open = open_,
    .draw = draw,
    .key = key,
    .tick = tick,
    .list = list_of,
    .close = close_,
};
