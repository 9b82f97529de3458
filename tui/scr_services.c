/* scr_services.c - the Services screen and the form that opens a service.
 *
 * Services: one row per service (id, client, status, tariff, server, main
 * address, and its operation with the step it is at and for how long),
 * and under the list the steps of the selected service's latest operation
 * with their state in words ([done], [run], [fail], ...), attempts and
 * elapsed time. The journal is read again at every refresh tick, so the
 * progress of an operation running in its own process (cmd_service.h) is
 * live. o opens (form), s suspends, u resumes, i reinstalls (asks the OS),
 * c closes (the operator types the server's name; Cancel is the default),
 * a shows closed ones too, Enter shows the service in full, w shows the
 * root and panel-user passwords in a box of their own after a confirmation
 * (the reveal is written to the service's history; leaving the box wipes
 * them).
 *
 * The open form has two stages: the tariff first (a select of the
 * enabled tariffs), then the client, the host name and one field per
 * add-on of that tariff: a select of the values it offers, a number in its
 * range, or its fixed value. Saving runs `service open` through cmd_exec
 * (the one place --read-only is enforced); a refusal naming a field is
 * shown beside it.
 *
 * Data is read on the jobs worker (the store belongs to it); drawing and
 * keys are main thread only. */
#include "cmd_service.h"
#include "cmd_tariff.h"
#include "form.h"
#include "service.h"
#include "store.h"
#include "tariff.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- rows ------------------------------------------------------------------
 */

typedef struct sstep {
	char name[OP_STEP_NAME];
	step_state state;
	int attempts;
	int64_t started, finished;
	char error[160];
} sstep;

typedef struct srow {
	int64_t id;
	char client[DC_USER_MAX];
	svc_status status;
	char tariff[DC_NAME_MAX];
	char server[DC_NAME_MAX];
	char main_ip[SVC_IP_MAX];
	char hostname[SVC_HOST_MAX];
	/* its latest operation */
	int64_t op_id;
	op_kind kind;
	op_state ostate;
	bool rollback;
	int step;
	char run_by[96];
	bool run_gone; /* the lease's process is gone: operation resume */
	char error[200];
	size_t nsteps;
	sstep steps[OP_STEPS_MAX];
} srow;

enum {
	A_OPEN = 1,
	A_SUSPEND,
	A_RESUME,
	A_REINSTALL,
	A_CLOSE,
	A_ALL,
	A_SHOW,
	A_REFRESH,
	A_PASSWORDS,
	A_GRAPH,
};

typedef struct sscr {
	ui_screen *s;
	srow *rows;
	size_t n;
	list l;
	bool all;
	bool loading, loaded;
	char err[600];
	time_t at;
} sscr;

static const list_col cols[] = {
    {"ID", 4, 0, LIST_COL_RIGHT | LIST_COL_NUM},
    {"CLIENT", 12, 0, 0},
    {"STATUS", 9, 0, 0},
    {"SERVER", 12, 0, 0},
    {"MAIN IP", 15, 0, 0},
    {"OPERATION", 0, 20, 0},
};

static const char *step_mark(step_state s)
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

/* "open: install 12s", "close failed at park", "suspend done". */
static char *op_summary(const srow *r, char *buf, size_t len)
{
	if (!r->op_id) {
		snprintf(buf, len, "-");
		return buf;
	}
	const char *k = op_kind_name(r->kind);
	const sstep *st = r->step >= 0 && (size_t)r->step < r->nsteps
	                      ? &r->steps[r->step]
	                      : NULL;
	char el[32] = "";
	if (st && st->started)
		scmd_elapsed(
		    (st->finished ? st->finished : (int64_t)time(NULL)) -
		        st->started,
		    el, sizeof(el));
	switch (r->ostate) {
	case OPS_RUNNING:
	case OPS_ROLLING_BACK:
		snprintf(buf, len, "%s%s: %s %s", k,
		         r->ostate == OPS_ROLLING_BACK ? " undo" : "",
		         st ? st->name : "?", el);
		break;
	case OPS_PENDING:
		snprintf(buf, len, "%s: waiting", k);
		break;
	case OPS_FAILED:
		snprintf(buf, len, "%s FAILED at %s", k, st ? st->name : "?");
		break;
	default:
		snprintf(buf, len, "%s %s", k, op_state_name(r->ostate));
	}
	return buf;
}

static const char *cell(void *data, size_t row, int col, char *buf, size_t len)
{
	const srow *r = &((sscr *)data)->rows[row];
	switch (col) {
	case 0:
		snprintf(buf, len, "%" PRId64, r->id);
		return buf;
	case 1:
		return r->client;
	case 2:
		return svc_status_name(r->status);
	case 3:
		return r->server[0] ? r->server : "-";
	case 4:
		return r->main_ip[0] ? r->main_ip : "-";
	case 5:
		return op_summary(r, buf, len);
	}
	return "";
}

static role row_role(void *data, size_t row)
{
	const srow *r = &((sscr *)data)->rows[row];
	switch (r->status) {
	case SVC_FAILED:
		return ROLE_ERROR;
	case SVC_OPENING:
	case SVC_CLOSING:
	case SVC_SUSPENDED:
		return ROLE_WARN;
	case SVC_CLOSED:
		return ROLE_DIM;
	default:
		return ROLE_NORMAL;
	}
}

/* ---- loading (jobs worker) ---------------------------------------------- */

typedef struct sload {
	ui *u;
	unsigned long sid;
	cmd_ctx ctx;
	bool all;
	srow *rows;
	size_t n;
	dc_err err;
	int rc;
} sload;

static void fill_op(srow *r, const dc_operation *o)
{
	r->op_id = o->id;
	r->kind = o->kind;
	r->ostate = o->state;
	r->rollback = o->rollback;
	r->step = o->step;
	dc_strlcpy(r->run_by, o->lease_owner, sizeof(r->run_by));
	r->run_gone = o->lease_owner[0] && o->state != OPS_FAILED &&
	              !operation_lease_live(o);
	dc_strlcpy(r->error, o->error, sizeof(r->error));
	r->nsteps = o->nsteps;
	for (size_t i = 0; i < o->nsteps; i++) {
		sstep *s = &r->steps[i];
		dc_strlcpy(s->name, o->steps[i].name, sizeof(s->name));
		s->state = o->steps[i].state;
		s->attempts = o->steps[i].attempts;
		s->started = o->steps[i].started_at;
		s->finished = o->steps[i].finished_at;
		dc_strlcpy(s->error, o->steps[i].last_error, sizeof(s->error));
	}
}

static void load_fn(job *j, void *arg)
{
	sload *sl = arg;
	sl->ctx.cancel = job_cancel_flag(j);
	sl->rc = -1;
	dc_store *st = app_store(sl->ctx.app, &sl->err);
	if (!st)
		return;
	service_filter f = {.include_closed = sl->all};
	dc_service *v = NULL;
	size_t n = 0;
	if (service_list(st, &f, &v, &n, &sl->err))
		return;
	sl->rows = calloc(n ? n : 1, sizeof(*sl->rows));
	if (!sl->rows) {
		free(v);
		err_set(&sl->err, DC_E_NOMEM, "out of memory");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		srow *r = &sl->rows[i];
		r->id = v[i].id;
		dc_strlcpy(r->client, v[i].client, sizeof(r->client));
		r->status = v[i].status;
		dc_strlcpy(r->tariff, v[i].tariff, sizeof(r->tariff));
		dc_strlcpy(r->server, v[i].server_name, sizeof(r->server));
		dc_strlcpy(r->hostname, v[i].hostname, sizeof(r->hostname));
		svc_addr *a = NULL;
		size_t na = 0;
		if (service_addrs(st, v[i].id, &a, &na, NULL) == 0)
			for (size_t k = 0; k < na; k++)
				if (a[k].main)
					dc_strlcpy(r->main_ip, a[k].ip,
					           sizeof(r->main_ip));
		free(a);
		op_filter of = {.service_id = v[i].id, .limit = 1};
		dc_operation *o = NULL;
		size_t no = 0;
		if (operation_list(st, &of, &o, &no, NULL) == 0 && no)
			fill_op(r, &o[0]);
		free(o);
	}
	sl->n = n;
	free(v);
	sl->rc = 0;
}

static void load_done(job *j, void *arg)
{
	sload *sl = arg;
	ui_screen *s = ui_screen_by_id(sl->u, sl->sid);
	(void)j;
	if (s) {
		sscr *d = s->priv;
		d->loading = false;
		if (sl->rc < 0) {
			char line[600];
			err_line(&sl->err, line, sizeof(line));
			snprintf(d->err, sizeof(d->err), "%s", line);
		} else {
			free(d->rows);
			d->rows = sl->rows;
			d->n = sl->n;
			sl->rows = NULL;
			d->err[0] = '\0';
			d->loaded = true;
			d->at = time(NULL);
			list_set_rows(&d->l, d->n);
		}
		ui_redraw(sl->u);
	}
	free(sl->rows);
	free(sl);
}

static void load(ui_screen *s)
{
	sscr *d = s->priv;
	if (d->loading)
		return;
	sload *sl = calloc(1, sizeof(*sl));
	if (!sl)
		return;
	sl->u = s->ui;
	sl->sid = s->id;
	sl->ctx = ui_cmd_ctx(s->ui);
	sl->all = d->all;
	if (!ui_job_bg(s->ui, "reading services", load_fn, sl, load_done)) {
		free(sl);
		return;
	}
	d->loading = true;
}

/* ---- actions ------------------------------------------------------------ */

static const srow *selected(sscr *d)
{
	size_t r = list_selected(&d->l);
	return r == (size_t)-1 ? NULL : &d->rows[r];
}

static void after_run(ui *u, bool ok, const dc_err *err, const out *o,
                      void *arg)
{
	(void)ok;
	(void)err;
	(void)o;
	unsigned long sid = (unsigned long)(uintptr_t)arg;
	ui_screen *s = ui_screen_by_id(u, sid);
	if (s && s->ops == &services_screen)
		load(s);
}

static void run_on(ui_screen *s, const char *verb, const srow *r,
                   const char *k2, const char *v2)
{
	char id[24];
	snprintf(id, sizeof(id), "%" PRId64, r->id);
	const char *pairs[] = {"id", id, k2, v2, NULL};
	if (!k2)
		pairs[2] = NULL;
	tcui_run(s->ui, "service", verb, pairs, after_run,
	         (void *)(uintptr_t)s->id);
}

typedef struct closing {
	unsigned long sid;
	int64_t id;
	char server[DC_NAME_MAX];
} closing;

static void close_confirmed(ui *u, void *arg, bool yes)
{
	closing *c = arg;
	ui_screen *s = ui_screen_by_id(u, c->sid);
	if (yes && s) {
		char id[24];
		snprintf(id, sizeof(id), "%" PRId64, c->id);
		const char *pairs[] = {"id", id, "confirm", c->server, NULL};
		tcui_run(u, "service", "close", pairs, after_run,
		         (void *)(uintptr_t)s->id);
	} else if (!yes) {
		ui_msg(u, UI_INFO, "close cancelled");
	}
	free(c);
}

static void ask_close(ui_screen *s, const srow *r)
{
	if (!r->server[0]) {
		ui_msg(s->ui, UI_WARN, "service %" PRId64 " has no server",
		       r->id);
		return;
	}
	closing *c = calloc(1, sizeof(*c));
	if (!c)
		return;
	c->sid = s->id;
	c->id = r->id;
	dc_strlcpy(c->server, r->server, sizeof(c->server));
	char q[480];
	snprintf(q, sizeof(q),
	         "Close service %" PRId64 " of %.64s? The server %.64s is "
	         "powered off, its addresses released and it becomes free. "
	         "Type the server's name to confirm.",
	         r->id, r->client, r->server);
	ui_confirm(s->ui, "Close service", q, r->server, close_confirmed, c);
}

extern const ui_screen_ops service_open_screen;
extern const ui_screen_ops service_reinstall_screen;

/* ---- the passwords box -------------------------------------------------- */

/* A screen of its own drawn as a box. The passwords are read on the worker
 * only once the operator confirmed (scmd_credentials writes the reveal to
 * the service's history first), kept while the box is up and wiped when it
 * is left. */
typedef struct cscr {
	int64_t id;
	bool loading;
	char err[600];
	char client[DC_USER_MAX], server[DC_NAME_MAX], host[SVC_HOST_MAX];
	char ip[SVC_IP_MAX], panel_user[DC_USER_MAX];
	svc_credentials c;
} cscr;

typedef struct cload {
	ui *u;
	unsigned long sid;
	cmd_ctx ctx;
	int64_t id;
	int rc;
	dc_err err;
	dc_service svc;
	char ip[SVC_IP_MAX];
	svc_credentials c;
} cload;

static void cload_fn(job *j, void *arg)
{
	cload *cl = arg;
	cl->ctx.cancel = job_cancel_flag(j);
	cl->rc = -1;
	dc_store *st = app_store(cl->ctx.app, &cl->err);
	if (!st || service_get(st, cl->id, &cl->svc, &cl->err))
		return;
	svc_addr *a = NULL;
	size_t na = 0;
	if (service_addrs(st, cl->id, &a, &na, NULL) == 0)
		for (size_t k = 0; k < na; k++)
			if (a[k].main)
				dc_strlcpy(cl->ip, a[k].ip, sizeof(cl->ip));
	free(a);
	if (scmd_credentials(&cl->ctx, cl->id, &cl->c, &cl->err))
		return;
	cl->rc = 0;
}

static void cload_done(job *j, void *arg)
{
	cload *cl = arg;
	ui_screen *s = ui_screen_by_id(cl->u, cl->sid);
	(void)j;
	if (s) {
		cscr *d = s->priv;
		d->loading = false;
		if (cl->rc < 0) {
			err_line(&cl->err, d->err, sizeof(d->err));
			ui_msg(cl->u, UI_ERROR, "%s", d->err);
		} else {
			dc_strlcpy(d->client, cl->svc.client,
			           sizeof(d->client));
			dc_strlcpy(d->server, cl->svc.server_name,
			           sizeof(d->server));
			dc_strlcpy(d->host, cl->svc.hostname, sizeof(d->host));
			dc_strlcpy(d->panel_user, cl->svc.panel_user,
			           sizeof(d->panel_user));
			dc_strlcpy(d->ip, cl->ip, sizeof(d->ip));
			d->c = cl->c;
			cl->c = (svc_credentials){0};
			ui_msg(cl->u, UI_INFO,
			       "passwords of service %" PRId64
			       " shown; written to its history",
			       cl->id);
		}
		ui_redraw(cl->u);
	}
	service_credentials_wipe(&cl->c);
	free(cl);
}

static int c_open(ui_screen *s, const cmd_args *a, dc_err *err)
{
	cscr *d = calloc(1, sizeof(*d));
	cload *cl = calloc(1, sizeof(*cl));
	if (!d || !cl) {
		free(d);
		free(cl);
		return err_set(err, DC_E_NOMEM, "out of memory");
	}
	d->id = a && cmd_arg(a, "id") ? cmd_arg_int(a, "id", 0) : 0;
	s->priv = d;
	snprintf(s->title, sizeof(s->title), "Passwords %" PRId64, d->id);
	cl->u = s->ui;
	cl->sid = s->id;
	cl->ctx = ui_cmd_ctx(s->ui);
	cl->id = d->id;
	if (!ui_job(s->ui, "reading the passwords", cload_fn, cl, cload_done)) {
		free(cl);
		return err_set(err, DC_E_NOMEM, "out of memory");
	}
	d->loading = true;
	return 0;
}

static void c_draw(ui_screen *s, ui_rect r)
{
	cscr *d = s->priv;
	draw_clear(r, ROLE_NORMAL);
	int w = r.w - 4 < 72 ? r.w - 4 : 72, h = r.h < 12 ? r.h : 12;
	if (w < 20 || h < 5)
		return;
	ui_rect b = {r.y + (r.h - h) / 2, r.x + (r.w - w) / 2, h, w};
	char title[64], line[600];
	snprintf(title, sizeof(title), "Passwords of service %" PRId64, d->id);
	draw_box(b, ROLE_BORDER, title);
	int x = b.x + 2, cw = w - 4, y = b.y + 2, end = b.y + h - 1;
	if (d->loading) {
		draw_text(y, x, cw, ROLE_DIM, "reading...", true);
		return;
	}
	if (d->err[0]) {
		draw_text(y, x, cw, ROLE_ERROR, d->err, true);
		return;
	}
	snprintf(line, sizeof(line), "client %s, server %s", d->client,
	         d->server[0] ? d->server : "-");
	draw_text(y++, x, cw, ROLE_NORMAL, line, true);
	snprintf(line, sizeof(line), "host %s, main address %s", d->host,
	         d->ip[0] ? d->ip : "-");
	if (y < end)
		draw_text(y++, x, cw, ROLE_NORMAL, line, true);
	y++;
	/* the two labels aligned, the values after them */
	char l1[32], l2[DC_USER_MAX + 16];
	snprintf(l1, sizeof(l1), "root password:");
	snprintf(l2, sizeof(l2), "panel user %s:", d->panel_user);
	int lw = (int)(strlen(l2) > strlen(l1) ? strlen(l2) : strlen(l1));
	snprintf(line, sizeof(line), "%-*s %s", lw, l1,
	         d->c.root ? d->c.root : "(none kept yet)");
	if (y < end)
		draw_text(y++, x, cw, ROLE_TITLE, line, true);
	snprintf(line, sizeof(line), "%-*s %s", lw, l2,
	         d->c.user ? d->c.user : "(none kept yet)");
	if (y < end)
		draw_text(y++, x, cw, ROLE_TITLE, line, true);
	y++;
	if (y < end)
		draw_text(y++, x, cw, ROLE_DIM,
		          "Written to the service's history (not the values).",
		          true);
	if (y < end)
		draw_text(y++, x, cw, ROLE_DIM,
		          "Esc, q or Enter closes this and wipes them.", true);
	secret_wipe(line, sizeof(line));
}

static unsigned c_key(ui_screen *s, int k, int action)
{
	(void)s;
	(void)k;
	return action ? UI_HANDLED | UI_BACK : UI_IGNORED;
}

static void c_close(ui_screen *s)
{
	cscr *d = s->priv;
	if (!d)
		return;
	service_credentials_wipe(&d->c);
	free(d);
}

static const ui_key c_keys[] = {
    {UIK_ENTER, "close", "close the box (the passwords are wiped)", 1},
    {0, NULL, NULL, 0},
};

static const ui_screen_ops credentials_screen = {
    .name = "Passwords",
    .keys = c_keys,
    .open = c_open,
    .draw = c_draw,
    .key = c_key,
    .close = c_close,
};

typedef struct pwask {
	int64_t id;
} pwask;

static void pw_confirmed(ui *u, void *arg, bool yes)
{
	pwask *p = arg;
	if (yes) {
		cmd_args *a = cmd_args_new(cmd_find("service", "credentials"));
		char id[24];
		snprintf(id, sizeof(id), "%" PRId64, p->id);
		if (a && cmd_args_add(a, "id", id, NULL) == 0)
			ui_push(u, &credentials_screen, a);
		cmd_args_free(a);
	} else {
		ui_msg(u, UI_INFO, "passwords not shown");
	}
	free(p);
}

static void ask_passwords(ui_screen *s, const srow *r)
{
	pwask *p = calloc(1, sizeof(*p));
	if (!p)
		return;
	p->id = r->id;
	char q[400];
	snprintf(q, sizeof(q),
	         "Show the root and panel-user passwords of service %" PRId64
	         " (client %.64s) on the screen? That they were shown, and "
	         "to whom, is written to the service's history.",
	         r->id, r->client);
	ui_confirm(s->ui, "Show passwords", q, NULL, pw_confirmed, p);
}

static unsigned key(ui_screen *s, int k, int action)
{
	sscr *d = s->priv;
	const srow *r = selected(d);
	(void)k;
	switch (action) {
	case A_OPEN:
		ui_push(s->ui, &service_open_screen, NULL);
		return UI_HANDLED;
	case A_ALL:
		d->all = !d->all;
		ui_msg(s->ui, UI_INFO, "%s",
		       d->all ? "showing closed services "
		                "too"
		              : "live services only");
		load(s);
		return UI_HANDLED | UI_REDRAW;
	case A_REFRESH:
		load(s);
		return UI_HANDLED;
	}
	if (!r) {
		if (action)
			ui_msg(s->ui, UI_INFO, "no service selected");
		return action ? UI_HANDLED : UI_IGNORED;
	}
	switch (action) {
	case A_SUSPEND:
		run_on(s, "suspend", r, NULL, NULL);
		return UI_HANDLED;
	case A_RESUME:
		run_on(s, "resume", r, NULL, NULL);
		return UI_HANDLED;
	case A_REINSTALL: {
		cmd_args *a = cmd_args_new(cmd_find("service", "reinstall"));
		char id[24];
		snprintf(id, sizeof(id), "%" PRId64, r->id);
		if (a && cmd_args_add(a, "id", id, NULL) == 0)
			ui_push(s->ui, &service_reinstall_screen, a);
		cmd_args_free(a);
		return UI_HANDLED;
	}
	case A_CLOSE:
		ask_close(s, r);
		return UI_HANDLED;
	case A_PASSWORDS:
		ask_passwords(s, r);
		return UI_HANDLED;
	case A_GRAPH: {
		/* the same command as typed: `stats graph service:ID` */
		char line[64];
		snprintf(line, sizeof(line), "stats graph service:%" PRId64,
		         r->id);
		ui_run_line(s->ui, line);
		return UI_HANDLED;
	}
	case A_SHOW: {
		char line[64];
		snprintf(line, sizeof(line), "service show %" PRId64, r->id);
		ui_run_line(s->ui, line);
		return UI_HANDLED;
	}
	}
	return UI_IGNORED;
}

/* ---- drawing ------------------------------------------------------------ */

static void draw_steps(sscr *d, ui_rect r)
{
	const srow *row = selected(d);
	if (!row || r.h < 2)
		return;
	const draw_glyphs *g = draw_glyphs_get();
	draw_hline(r.y, r.x, r.w, ROLE_BORDER);
	(void)g;
	char head[400];
	if (!row->op_id) {
		snprintf(head, sizeof(head),
		         " service %" PRId64 ": no operation", row->id);
		draw_text(r.y + 1, r.x, r.w, ROLE_DIM, head, true);
		return;
	}
	snprintf(head, sizeof(head),
	         " service %" PRId64 " (%s)  operation %" PRId64
	         " %s%s: %s%s%s%s",
	         row->id, row->client, row->op_id, op_kind_name(row->kind),
	         row->rollback ? " (rollback)" : "", op_state_name(row->ostate),
	         row->run_by[0] ? "  run by " : "",
	         row->run_by[0] ? row->run_by : "",
	         row->run_gone ? " (gone: operation resume)" : "");
	draw_text(r.y + 1, r.x, r.w,
	          row->ostate == OPS_FAILED ? ROLE_ERROR : ROLE_TITLE, head,
	          true);
	int y = r.y + 2;
	int64_t now = (int64_t)time(NULL);
	for (size_t i = 0; i < row->nsteps && y < r.y + r.h; i++, y++) {
		const sstep *st = &row->steps[i];
		char el[32] = "", line[400];
		if (st->started)
			scmd_elapsed((st->finished ? st->finished : now) -
			                 st->started,
			             el, sizeof(el));
		char att[24] = "";
		if (st->attempts > 1)
			snprintf(att, sizeof(att), " x%d", st->attempts);
		const char *title = op_step_title(row->kind, i);
		snprintf(line, sizeof(line), " %s %-10s %-27.27s %6s%s%s%s",
		         step_mark(st->state), st->name, title ? title : "", el,
		         att, st->error[0] ? "  " : "", st->error);
		role rl = st->state == STEP_FAILED    ? ROLE_ERROR
		          : st->state == STEP_RUNNING ? ROLE_WARN
		          : st->state == STEP_DONE    ? ROLE_OK
		                                      : ROLE_NORMAL;
		draw_text(y, r.x, r.w, rl, line, true);
	}
}

static void draw(ui_screen *s, ui_rect r)
{
	sscr *d = s->priv;
	draw_clear(r, ROLE_NORMAL);
	char head[300];
	size_t running = 0;
	for (size_t i = 0; i < d->n; i++)
		running += d->rows[i].op_id &&
		           (d->rows[i].ostate == OPS_RUNNING ||
		            d->rows[i].ostate == OPS_ROLLING_BACK ||
		            d->rows[i].ostate == OPS_PENDING);
	snprintf(head, sizeof(head),
	         "%zu service%s%s, %zu operation%s running%s", d->n,
	         d->n == 1 ? "" : "s", d->all ? " (closed too)" : "", running,
	         running == 1 ? "" : "s", d->loaded ? "" : "  (reading...)");
	draw_text(r.y, r.x, r.w, ROLE_TITLE, head, true);
	int y = r.y + 1, h = r.h - 1;
	if (d->err[0] && h > 1) {
		draw_text(y, r.x, r.w, ROLE_ERROR, d->err, true);
		y++;
		h--;
	}
	/* The steps pane takes what the selected operation needs (up to 10
	 * rows) when there is room for a useful list above it. */
	int pane = 0;
	const srow *sel = selected(d);
	if (sel && h >= 12)
		pane = (int)(sel->op_id ? sel->nsteps + 2 : 2);
	if (pane > h / 2)
		pane = h / 2;
	ui_rect lr = {y, r.x, h - pane, r.w};
	if (!d->n && d->loaded) {
		draw_text(y, r.x, r.w, ROLE_DIM, "no services yet: o opens one",
		          true);
	} else {
		list_draw(&d->l, lr);
	}
	if (pane) {
		ui_rect pr = {y + h - pane, r.x, pane, r.w};
		draw_steps(d, pr);
	}
}

static unsigned tick(ui_screen *s)
{
	load(s);
	return UI_REDRAW;
}

static const ui_key keys[] = {
    {'o', "open", "open a service (form: tariff, client, add-ons)", A_OPEN},
    {'s', "suspend", "suspend the selected service", A_SUSPEND},
    {'u', "resume", "resume the selected service", A_RESUME},
    {'i', "reinstall", "reinstall the OS of the selected service", A_REINSTALL},
    {'c', "close", "close the selected service (type its server's name)",
     A_CLOSE},
    {'a', "all", "show closed services too (again: live only)", A_ALL},
    {'w', "passwords",
     "show the selected service's root and panel-user passwords (asks "
     "first; written to its history)",
     A_PASSWORDS},
    {'g', "graphs", "traffic and power graphs of the selected service",
     A_GRAPH},
    {UIK_ENTER, NULL, "the selected service in full", A_SHOW},
    {'r', NULL, "read again now", A_REFRESH},
    {0, NULL, NULL, 0},
};

static int open_(ui_screen *s, const cmd_args *a, dc_err *err)
{
	sscr *d = calloc(1, sizeof(*d));
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
	return &((sscr *)s->priv)->l;
}

static void close_(ui_screen *s)
{
	sscr *d = s->priv;
	if (!d)
		return;
	list_free(&d->l);
	free(d->rows);
	free(d);
}

const ui_screen_ops services_screen = {
    .name = "Services",
    .keys = keys,
    .open = open_,
    .draw = draw,
    .key = key,
    .tick = tick,
    .list = list_of,
    .close = close_,
};

/* ---- the open form ------------------------------------------------------ */

#define OF_ADDONS DC_TARIFF_ADDONS_MAX

typedef struct of_addon {
	char name[DC_NAME_MAX];
	char label[DC_NAME_MAX + 8];
	dc_addon_kind kind;
	dc_addon_values v;
	strv choices; /* list values, or the one fixed value */
} of_addon;

typedef struct of_tariff {
	char name[DC_NAME_MAX];
	size_t n;
	of_addon a[OF_ADDONS];
} of_tariff;

typedef struct oform {
	ui_screen *s;
	of_tariff *t;
	size_t nt;
	strv tnames;
	bool loading, busy;
	char err[600];
	int stage; /* 0: tariff, 1: the order */
	int tariff;
	form f;
	bool have_form;
	form_field fields[FORM_MAX + 1];
	char range_help[FORM_MAX][96];
} oform;

typedef struct oload {
	ui *u;
	unsigned long sid;
	cmd_ctx ctx;
	of_tariff *t;
	size_t nt;
	dc_err err;
	int rc;
} oload;

static void of_free_tariffs(of_tariff *t, size_t n)
{
	for (size_t i = 0; t && i < n; i++)
		for (size_t k = 0; k < t[i].n; k++)
			strv_clear(&t[i].a[k].choices);
	free(t);
}

static void oload_fn(job *j, void *arg)
{
	oload *ol = arg;
	ol->ctx.cancel = job_cancel_flag(j);
	ol->rc = -1;
	dc_store *st = app_store(ol->ctx.app, &ol->err);
	dc_tariff *t = NULL;
	size_t n = 0;
	if (!st || tariff_list(st, &t, &n, &ol->err))
		return;
	ol->t = calloc(n ? n : 1, sizeof(*ol->t));
	dc_addon *ad = calloc(DC_TARIFF_ADDONS_MAX, sizeof(*ad));
	if (!ol->t || !ad) {
		free(t);
		free(ad);
		err_set(&ol->err, DC_E_NOMEM, "out of memory");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (!t[i].enabled || !t[i].nmodules)
			continue;
		if (tariff_resolve_addons(st, &t[i], ad, &ol->err))
			break;
		of_tariff *ot = &ol->t[ol->nt++];
		dc_strlcpy(ot->name, t[i].name, sizeof(ot->name));
		for (size_t k = 0; k < t[i].naddons && k < OF_ADDONS; k++) {
			of_addon *oa = &ot->a[ot->n++];
			const dc_addon_values *v =
			    tariff_addon_values(&t[i], k, ad);
			dc_strlcpy(oa->name, ad[k].name, sizeof(oa->name));
			/* special_ip_block_<type> is long for a label */
			if (ad[k].kind_id == DC_ADDON_SPECIAL_IP)
				snprintf(oa->label, sizeof(oa->label),
				         "block %s", ad[k].iptype);
			else
				dc_strlcpy(oa->label, ad[k].name,
				           sizeof(oa->label));
			oa->kind = ad[k].kind_id;
			oa->v = *v;
			if (v->billing != DC_BILL_CLIENT) {
				strv_push(&oa->choices, v->value);
			} else if (!v->is_range) {
				char buf[DC_LIST_MAX];
				dc_strlcpy(buf, v->list, sizeof(buf));
				char *save = NULL;
				for (char *p = strtok_r(buf, ",", &save); p;
				     p = strtok_r(NULL, ",", &save))
					strv_push(&oa->choices, p);
			}
		}
	}
	free(ad);
	free(t);
	ol->rc = 0;
}

/* The rules of core/service.h, as the field is left. */
static int check_client(const char *v, void *ctx, char *why, size_t len)
{
	(void)ctx;
	dc_err e;
	if (service_check_client(v, &e) == 0)
		return 0;
	snprintf(why, len, "%s", e.msg);
	return -1;
}

static int check_host(const char *v, void *ctx, char *why, size_t len)
{
	(void)ctx;
	dc_err e;
	if (!*v || service_check_hostname(v, &e) == 0)
		return 0;
	snprintf(why, len, "%s", e.msg);
	return -1;
}

static void build_order_form(oform *o)
{
	of_tariff *t = &o->t[o->tariff];
	int n = 0;
	memset(o->fields, 0, sizeof(o->fields));
	o->fields[n++] = (form_field){
	    .name = "client",
	    .label = "Client",
	    .kind = FF_TEXT,
	    .required = true,
	    .check = {check_client},
	    .help = "the client's account; also its user on the panel",
	};
	o->fields[n++] = (form_field){
	    .name = "hostname",
	    .label = "Host name",
	    .kind = FF_TEXT,
	    .check = {check_host},
	    .help = "empty: s<id>-<store tag>.ds",
	};
	for (size_t k = 0; k < t->n && n < FORM_MAX; k++) {
		of_addon *a = &t->a[k];
		form_field *f = &o->fields[n];
		f->name = a->name;
		f->label = a->label;
		if (a->v.billing == DC_BILL_CLIENT && a->v.is_range) {
			f->kind = FF_INT;
			f->min = a->v.min;
			f->max = a->v.max;
			f->required = true;
			snprintf(o->range_help[n], sizeof(o->range_help[n]),
			         "%s: %lld..%lld %s", a->name,
			         (long long)a->v.min, (long long)a->v.max,
			         model_addon_unit(a->kind));
			f->help = o->range_help[n];
		} else {
			f->kind = FF_SELECT;
			snprintf(o->range_help[n], sizeof(o->range_help[n]),
			         "%s: %s %s", a->name,
			         a->v.billing == DC_BILL_CLIENT
			             ? "the client chooses"
			             : "fixed by the tariff",
			         model_addon_unit(a->kind));
			f->help = o->range_help[n];
		}
		n++;
	}
	if (o->have_form)
		form_free(&o->f);
	form_init(&o->f, o->fields, o);
	o->have_form = true;
	for (size_t k = 0; k < t->n && (int)k + 2 < FORM_MAX; k++) {
		of_addon *a = &t->a[k];
		if (a->v.billing == DC_BILL_CLIENT && a->v.is_range) {
			char v[32];
			snprintf(v, sizeof(v), "%lld", (long long)a->v.min);
			form_set(&o->f, a->name, v);
		} else {
			form_set_choices(&o->f, a->name,
			                 (const char *const *)a->choices.v,
			                 a->choices.n);
		}
	}
}

static void build_tariff_form(oform *o)
{
	memset(o->fields, 0, sizeof(o->fields));
	o->fields[0] = (form_field){
	    .name = "tariff",
	    .label = "Tariff",
	    .kind = FF_SELECT,
	    .required = true,
	    .help = "Left/Right or Space chooses; Enter goes on",
	};
	if (o->have_form)
		form_free(&o->f);
	form_init(&o->f, o->fields, o);
	o->have_form = true;
	form_set_choices(&o->f, "tariff", (const char *const *)o->tnames.v,
	                 o->tnames.n);
	if (o->nt)
		form_set(&o->f, "tariff", o->t[o->tariff].name);
}

static void oload_done(job *j, void *arg)
{
	oload *ol = arg;
	ui_screen *s = ui_screen_by_id(ol->u, ol->sid);
	(void)j;
	if (s) {
		oform *o = s->priv;
		o->loading = false;
		if (ol->rc < 0) {
			err_line(&ol->err, o->err, sizeof(o->err));
		} else {
			o->t = ol->t;
			o->nt = ol->nt;
			ol->t = NULL;
			ol->nt = 0;
			for (size_t i = 0; i < o->nt; i++)
				strv_push(&o->tnames, o->t[i].name);
			if (!o->nt)
				snprintf(o->err, sizeof(o->err),
				         "no enabled tariff with a module: add "
				         "one first (t)");
			else
				build_tariff_form(o);
		}
		ui_redraw(ol->u);
	}
	of_free_tariffs(ol->t, ol->nt);
	free(ol);
}

static int of_open(ui_screen *s, const cmd_args *a, dc_err *err)
{
	(void)a;
	oform *o = calloc(1, sizeof(*o));
	oload *ol = calloc(1, sizeof(*ol));
	if (!o || !ol) {
		free(o);
		free(ol);
		return err_set(err, DC_E_NOMEM, "out of memory");
	}
	o->s = s;
	s->priv = o;
	ol->u = s->ui;
	ol->sid = s->id;
	ol->ctx = ui_cmd_ctx(s->ui);
	if (!ui_job(s->ui, "reading tariffs", oload_fn, ol, oload_done)) {
		free(ol);
		free(o);
		s->priv = NULL;
		return err_set(err, DC_E_NOMEM, "out of memory");
	}
	o->loading = true;
	return 0;
}

static void of_draw(ui_screen *s, ui_rect r)
{
	oform *o = s->priv;
	draw_clear(r, ROLE_NORMAL);
	char title[128];
	if (o->stage == 0)
		snprintf(title, sizeof(title), "Open a service: tariff");
	else
		snprintf(title, sizeof(title), "Open a service on %s",
		         o->t[o->tariff].name);
	draw_box(r, ROLE_BORDER, title);
	ui_rect in = {r.y + 1, r.x + 1, r.h - 2, r.w - 2};
	if (o->loading) {
		draw_text(in.y, in.x + 1, in.w - 2, ROLE_DIM,
		          "reading tariffs...", true);
		return;
	}
	if (!o->have_form) {
		draw_text(in.y, in.x + 1, in.w - 2, ROLE_ERROR, o->err, true);
		return;
	}
	form_draw(&o->f, in, s->ui);
	if (o->busy)
		draw_text(in.y + in.h - 1, in.x + 1, in.w - 2, ROLE_DIM,
		          "saving...", true);
}

typedef struct osave {
	unsigned long sid;
} osave;

static void saved(ui *u, bool ok, const dc_err *err, const out *out_, void *arg)
{
	(void)out_;
	osave *sv = arg;
	ui_screen *s = ui_screen_by_id(u, sv->sid);
	free(sv);
	if (!s)
		return;
	oform *o = s->priv;
	o->busy = false;
	if (ok) {
		if (ui_top(u) == s)
			ui_pop(u);
		ui_screen *top = ui_top(u);
		if (top && top->ops == &services_screen)
			load(top);
		return;
	}
	if (err && !strcmp(err->field, "tariff")) {
		o->stage = 0;
		build_tariff_form(o);
		form_set_error(&o->f, "tariff", err->msg);
	} else if (err && err->field[0] && form_index(&o->f, err->field) >= 0) {
		form_set_error(&o->f, err->field, err->msg);
	} else if (err) {
		snprintf(o->f.note, sizeof(o->f.note), "%.150s", err->msg);
	}
	ui_redraw(u);
}

static void submit(ui_screen *s)
{
	oform *o = s->priv;
	of_tariff *t = &o->t[o->tariff];
	const char *pairs[2 * (FORM_MAX + 4) + 1];
	char addon[FORM_MAX][DC_NAME_MAX + DC_VALUE_MAX + 2];
	int k = 0;
	pairs[k++] = "tariff";
	pairs[k++] = t->name;
	pairs[k++] = "client";
	pairs[k++] = form_get(&o->f, "client");
	const char *h = form_get(&o->f, "hostname");
	if (h && *h) {
		pairs[k++] = "hostname";
		pairs[k++] = h;
	}
	for (size_t i = 0; i < t->n && i < FORM_MAX; i++) {
		const char *v = form_get(&o->f, t->a[i].name);
		if (!v || !*v)
			continue;
		snprintf(addon[i], sizeof(addon[i]), "%s=%s", t->a[i].name, v);
		pairs[k++] = "addon";
		pairs[k++] = addon[i];
	}
	pairs[k] = NULL;
	osave *sv = calloc(1, sizeof(*sv));
	if (!sv)
		return;
	sv->sid = s->id;
	o->busy = true;
	if (tcui_run(s->ui, "service", "open", pairs, saved, sv) < 0)
		o->busy = false; /* saved() has run and freed sv */
}

static unsigned of_key(ui_screen *s, int k, int action)
{
	oform *o = s->priv;
	(void)action;
	if (!o->have_form || o->busy) {
		if (k == UIK_ESC)
			return UI_HANDLED | UI_BACK;
		return UI_HANDLED;
	}
	unsigned r = form_key(&o->f, k);
	if (r & FORM_CANCEL) {
		if (o->stage == 1) {
			o->stage = 0;
			build_tariff_form(o);
			return UI_HANDLED | UI_REDRAW;
		}
		return UI_HANDLED | UI_BACK;
	}
	if (r & FORM_SUBMIT) {
		if (o->stage == 0) {
			const char *name = form_get(&o->f, "tariff");
			for (size_t i = 0; i < o->nt; i++)
				if (!strcmp(o->t[i].name, name))
					o->tariff = (int)i;
			o->stage = 1;
			build_order_form(o);
		} else {
			submit(s);
		}
	}
	return UI_HANDLED | UI_REDRAW;
}

static void of_close(ui_screen *s)
{
	oform *o = s->priv;
	if (!o)
		return;
	if (o->have_form)
		form_free(&o->f);
	of_free_tariffs(o->t, o->nt);
	strv_clear(&o->tnames);
	free(o);
}

const ui_screen_ops service_open_screen = {
    .name = "Open service",
    .keys = form_keys,
    .open = of_open,
    .draw = of_draw,
    .key = of_key,
    .close = of_close,
    .text_input = true,
};

/* ---- the reinstall prompt ----------------------------------------------- */

static const form_field reinstall_fields[] = {
    {.name = "id",
     .label = "Service",
     .kind = FF_INT,
     .required = true,
     .min = 1,
     .max = INT64_MAX,
     .help = "the service to reinstall"},
    {.name = "os",
     .label = "OS template",
     .kind = FF_TEXT,
     .help = "empty: the service's own OS"},
    {.name = NULL},
};

/* The command is found when the screen opens (cmd_find is not a constant
 * expression). */
static form_spec reinstall_spec = {"Reinstall the OS", reinstall_fields, NULL,
                                   NULL};

static int ri_open(ui_screen *s, const cmd_args *a, dc_err *err)
{
	if (!reinstall_spec.cmd)
		reinstall_spec.cmd = cmd_find("service", "reinstall");
	if (form_screen_open(s, a, err))
		return -1;
	form *f = form_screen_form(s);
	if (a && cmd_arg(a, "id"))
		form_set(f, "id", cmd_arg(a, "id"));
	return 0;
}

const ui_screen_ops service_reinstall_screen = {
    .name = "Reinstall",
    .keys = form_keys,
    .open = ri_open,
    .draw = form_screen_draw,
    .key = form_screen_key,
    .close = form_screen_close,
    .data = &reinstall_spec,
    .text_input = true,
};
