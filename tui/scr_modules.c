/* scr_modules.c - the Modules screen (list, check, enable/disable, delete,
 * details; add and edit open the wizard), the lists of departments,
 * IPmanager connections and licence servers, and what the module screens
 * share: running a command as a job (modui_run) and showing a connection
 * check as it happens (modui_live, modui_draw_steps).
 *
 * Data is read from the store on the jobs worker (the store belongs to
 * it; see app.h) at every refresh tick, so the list also follows changes
 * made by other dcictl processes. Every change runs its command through
 * cmd_exec, where --read-only is enforced. */
#include "app.h"
#include "cmd_module.h"
#include "form.h"
#include "namecache.h"
#include "store.h"
#include "text.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- a check in flight ------------------------------------------------ */

struct modui_live {
	pthread_mutex_t mu;
	modcheck_result r; /* steps only; types stay NULL */
	struct timespec start;
};

static double since(const struct timespec *t0)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)(ts.tv_sec - t0->tv_sec) +
	       (double)(ts.tv_nsec - t0->tv_nsec) / 1e9;
}

modui_live *modui_live_new(void)
{
	modui_live *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	pthread_mutex_init(&l->mu, NULL);
	clock_gettime(CLOCK_MONOTONIC, &l->start);
	return l;
}

void modui_live_free(modui_live *l)
{
	if (!l)
		return;
	pthread_mutex_destroy(&l->mu);
	free(l);
}

void modui_live_progress(void *user, const modcheck_result *r, size_t step)
{
	modui_live *l = user;

	(void)step;
	pthread_mutex_lock(&l->mu);
	l->r = *r;
	l->r.types = NULL;
	l->r.ntypes = 0;
	pthread_mutex_unlock(&l->mu);
}

double modui_live_get(modui_live *l, modcheck_result *res)
{
	pthread_mutex_lock(&l->mu);
	*res = l->r;
	pthread_mutex_unlock(&l->mu);
	return since(&l->start);
}

static role step_role(modcheck_state s)
{
	switch (s) {
	case MODCHECK_OK:
		return ROLE_OK;
	case MODCHECK_FAIL:
		return ROLE_ERROR;
	case MODCHECK_SKIP:
		return ROLE_DIM;
	default:
		return ROLE_NORMAL;
	}
}

int modui_draw_steps(const modcheck_result *r, bool running, double elapsed,
                     ui_rect rc)
{
	const draw_glyphs *g = draw_glyphs_get();
	bool spun = false;
	int y = 0;
	char line[1024];

	for (size_t i = 0; i < r->n && y < rc.h; i++) {
		const modcheck_step *s = &r->steps[i];

		if (s->state == MODCHECK_PENDING) {
			if (running && !spun) {
				int frames = 0;

				while (g->spin[frames])
					frames++;
				snprintf(line, sizeof(line), "%-21s %s %6.1f s",
				         s->name,
				         g->spin[(int)(elapsed * 10) % frames],
				         elapsed);
				spun = true;
				draw_text(rc.y + y++, rc.x, rc.w, ROLE_WARN,
				          line, true);
			} else {
				snprintf(line, sizeof(line), "%-21s %s",
				         s->name,
				         running ? "waiting" : "not run");
				draw_text(rc.y + y++, rc.x, rc.w, ROLE_DIM,
				          line, true);
			}
			continue;
		}
		draw_text(rc.y + y++, rc.x, rc.w, step_role(s->state),
		          modcmd_step_line(s, line, sizeof(line)), true);
		if (s->state == MODCHECK_FAIL && y < rc.h) {
			snprintf(line, sizeof(line), "%21s what to do: %s", "",
			         s->hint);
			draw_text(rc.y + y++, rc.x, rc.w, ROLE_WARN, line,
			          true);
		}
	}
	return y;
}

/* ---- a command as a job ---------------------------------------------- */

typedef struct runjob {
	ui *u;
	cmd_args *args;
	out *o;
	cmd_ctx ctx;
	dc_err err;
	int rc;
	modui_done_fn done;
	void *arg;
	char name[64];
} runjob;

static void runjob_fn(job *j, void *arg)
{
	runjob *rj = arg;

	rj->ctx.cancel = job_cancel_flag(j);
	rj->rc = cmd_exec(&rj->ctx, rj->args, rj->o, &rj->err);
}

static void runjob_done(job *j, void *arg)
{
	runjob *rj = arg;
	char line[800];

	if (rj->rc == 0 && job_cancelled(j) && !out_msg_count(rj->o)) {
		rj->rc = -1;
		err_set(&rj->err, DC_E_CANCELLED, "cancelled");
	}
	if (rj->rc < 0) {
		ui_msg(
		    rj->u, rj->err.cat == DC_E_CANCELLED ? UI_WARN : UI_ERROR,
		    "%s: %s", rj->name, err_line(&rj->err, line, sizeof(line)));
	} else {
		for (size_t i = 0; i < out_msg_count(rj->o); i++)
			ui_msg(rj->u, UI_OK, "%s", out_msg_get(rj->o, i));
		if (!out_msg_count(rj->o))
			ui_msg(rj->u, UI_OK, "%s: done", rj->name);
	}
	if (rj->done)
		rj->done(rj->u, rj->rc == 0, rj->rc == 0 ? NULL : &rj->err,
		         rj->arg);
	cmd_args_free(rj->args);
	out_free(rj->o);
	free(rj);
}

int modui_run(ui *u, const char *noun, const char *verb,
              const char *const *pairs, modui_done_fn done, void *arg)
{
	const cmd_def *c = cmd_find(noun, verb);
	runjob *rj;
	dc_err err;
	char line[800];

	err_clear(&err);
	if (!c) {
		ui_msg(u, UI_ERROR, "no command %s %s", noun, verb);
		return -1;
	}
	rj = calloc(1, sizeof(*rj));
	if (!rj || !(rj->o = out_new()) || !(rj->args = cmd_args_new(c))) {
		if (rj)
			out_free(rj->o);
		free(rj);
		ui_msg(u, UI_ERROR, "out of memory");
		return -1;
	}
	for (size_t i = 0; pairs && pairs[i]; i += 2)
		if (cmd_args_add(rj->args, pairs[i], pairs[i + 1], &err) < 0)
			break;
	if (err.cat == DC_OK)
		cmd_args_check(rj->args, &err);
	if (err.cat != DC_OK) {
		ui_msg(u, UI_ERROR, "%s", err_line(&err, line, sizeof(line)));
		cmd_args_free(rj->args);
		out_free(rj->o);
		free(rj);
		if (done)
			done(u, false, &err, arg);
		return -1;
	}
	rj->u = u;
	rj->ctx = ui_cmd_ctx(u);
	rj->done = done;
	rj->arg = arg;
	cmd_name(c, rj->name, sizeof(rj->name));
	if (!ui_job(u, rj->name, runjob_fn, rj, runjob_done)) {
		cmd_args_free(rj->args);
		out_free(rj->o);
		free(rj);
		ui_msg(u, UI_ERROR, "out of memory");
		return -1;
	}
	return 0;
}

/* Commands that only open a screen (details): the generic `:` path. */
static void run_show(ui *u, const char *noun, const char *name)
{
	cmd_args *a = cmd_args_new(cmd_find(noun, "show"));
	char *line;
	dc_err err;

	if (!a)
		return;
	if (cmd_args_add(a, "name", name, &err) < 0 ||
	    !(line = cmd_args_line(a))) {
		cmd_args_free(a);
		return;
	}
	cmd_args_free(a);
	ui_run_line(u, line);
	free(line);
}

/* ---- the Modules screen ------------------------------------------------ */

typedef struct modrow {
	dc_module m;
	char ipmgr[DC_NAME_MAX];
	char license[DC_NAME_MAX];
	char department[DC_NAME_MAX];
} modrow;

enum {
	A_ADD = 1,
	A_EDIT,
	A_CHECK,
	A_TOGGLE,
	A_DELETE,
	A_OPEN,
	A_DEPS,
	A_IPMGRS,
	A_LICSRVS,
};

typedef struct modscr {
	ui_screen *s;
	modrow *rows;
	size_t n;
	list l;
	bool loading, loaded;
	char load_err[600];
	/* the check pane */
	modui_live *live; /* while a check runs */
	bool has_check, check_running;
	modcheck_result check;
	char check_of[DC_NAME_MAX];
} modscr;

/* At 80 columns every column fits at its minimum (78 cells + marker). */
static const list_col mod_cols[] = {
    {"NAME", 0, 13, 0},   {"SORT", 4, 0, LIST_COL_RIGHT | LIST_COL_NUM},
    {"URL", 0, 11, 0},    {"IPMANAGER", 0, 8, 0},
    {"PARKING", 9, 0, 0}, {"DEPT", 0, 6, 0},
    {"ON", 3, 0, 0},      {"LAST CHECK", 17, 0, 0},
};

static const char *mod_cell(void *data, size_t row, int col, char *buf,
                            size_t len)
{
	const modrow *r = &((modscr *)data)->rows[row];
	const dc_module *m = &r->m;
	char t[32];

	switch (col) {
	case 0:
		return m->name;
	case 1:
		snprintf(buf, len, "%lld", (long long)m->sorting);
		return buf;
	case 2:
		if (m->insecure)
			snprintf(buf, len, "INSECURE %s", m->url);
		else
			snprintf(buf, len, "%s", m->url);
		return buf;
	case 3:
		return r->ipmgr;
	case 4:
		return m->parking_type;
	case 5:
		return r->department;
	case 6:
		return m->enabled ? "yes" : "no";
	case 7: {
		time_t at = (time_t)m->check.at, now = time(NULL);
		struct tm tm, tn;
		char ms[32];

		if (m->check.ok < 0 || m->check.at <= 0)
			return "never";
		localtime_r(&at, &tm);
		localtime_r(&now, &tn);
		/* the time of day when it is today, else the date */
		if (tm.tm_yday == tn.tm_yday && tm.tm_year == tn.tm_year)
			strftime(t, sizeof(t), "%H:%M", &tm);
		else
			strftime(t, sizeof(t), "%m-%d", &tm);
		if (m->check.ms < 10000)
			snprintf(ms, sizeof(ms), "%lldms",
			         (long long)m->check.ms);
		else
			snprintf(ms, sizeof(ms), "%llds",
			         (long long)(m->check.ms / 1000));
		snprintf(buf, len, "%s %s %s", m->check.ok ? "ok" : "FAIL", ms,
		         t);
		return buf;
	}
	}
	return "";
}

static role mod_role(void *data, size_t row)
{
	const dc_module *m = &((modscr *)data)->rows[row].m;

	if (m->insecure)
		return ROLE_INSECURE;
	if (m->check.ok == 0)
		return ROLE_ERROR;
	if (!m->enabled)
		return ROLE_DIM;
	return ROLE_NORMAL;
}

typedef struct modload {
	ui *u;
	unsigned long sid;
	cmd_ctx ctx;
	modrow *rows;
	size_t n;
	dc_err err;
	int rc;
} modload;

static const char *find_conn(const dc_conn *v, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].id == id)
			return v[i].name;
	return "";
}

static void modload_fn(job *j, void *arg)
{
	modload *ml = arg;
	dc_store *st;
	dc_module *mv = NULL;
	dc_conn *ipm = NULL, *lic = NULL;
	dc_department *dep = NULL;
	size_t nm = 0, ni = 0, nl = 0, nd = 0;

	(void)j;
	ml->rc = -1;
	if (!(st = app_store(ml->ctx.app, &ml->err)) ||
	    /* the : line completes these names (a job of our own, so the
	     * frame's refresh after ui_job does not run) */
	    namecache_refresh(ml->ctx.app->names, st, &ml->err) < 0 ||
	    module_list(st, &mv, &nm, &ml->err) < 0 ||
	    ipmgr_list(st, &ipm, &ni, &ml->err) < 0 ||
	    licsrv_list(st, &lic, &nl, &ml->err) < 0 ||
	    department_list(st, &dep, &nd, &ml->err) < 0)
		goto out;
	ml->rows = calloc(nm ? nm : 1, sizeof(modrow));
	if (!ml->rows) {
		err_set(&ml->err, DC_E_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nm; i++) {
		modrow *r = &ml->rows[i];

		r->m = mv[i];
		dc_strlcpy(r->ipmgr, find_conn(ipm, ni, mv[i].ipmgr_id),
		           sizeof(r->ipmgr));
		dc_strlcpy(r->license, find_conn(lic, nl, mv[i].licsrv_id),
		           sizeof(r->license));
		for (size_t k = 0; k < nd; k++)
			if (dep[k].id == mv[i].department_id)
				dc_strlcpy(r->department, dep[k].name,
				           sizeof(r->department));
	}
	ml->n = nm;
	ml->rc = 0;
out:
	free(mv);
	free(ipm);
	free(lic);
	free(dep);
}

static void modload_done(job *j, void *arg)
{
	modload *ml = arg;
	ui_screen *s = ui_screen_by_id(ml->u, ml->sid);

	(void)j;
	if (s) {
		modscr *d = s->priv;

		d->loading = false;
		if (ml->rc == 0) {
			free(d->rows);
			d->rows = ml->rows;
			d->n = ml->n;
			ml->rows = NULL;
			d->loaded = true;
			d->load_err[0] = '\0';
			list_set_rows(&d->l, d->n);
		} else {
			err_line(&ml->err, d->load_err, sizeof(d->load_err));
		}
	}
	free(ml->rows);
	free(ml);
}

static void mod_reload(modscr *d)
{
	modload *ml;

	if (d->loading)
		return;
	ml = calloc(1, sizeof(*ml));
	if (!ml)
		return;
	ml->u = d->s->ui;
	ml->sid = d->s->id;
	ml->ctx = ui_cmd_ctx(d->s->ui);
	/* a plain job: a store read is quick and needs no spinner */
	if (!job_submit(ui_jobs(d->s->ui), modload_fn, ml, modload_done)) {
		free(ml);
		return;
	}
	d->loading = true;
}

static const modrow *mod_selected(modscr *d)
{
	size_t i = list_selected(&d->l);

	return i < d->n ? &d->rows[i] : NULL;
}

/* The check job: modcmd_check_module with the live hook. */
typedef struct checkjob {
	ui *u;
	unsigned long sid;
	cmd_ctx ctx;
	char name[DC_NAME_MAX];
	modui_live *live;
	modcheck_result res;
	dc_err err;
	int rc;
} checkjob;

static void checkjob_fn(job *j, void *arg)
{
	checkjob *cj = arg;
	modcheck_opts o;

	cj->ctx.cancel = job_cancel_flag(j);
	o = modcmd_check_opts(&cj->ctx, modui_live_progress, cj->live);
	cj->rc =
	    modcmd_check_module(&cj->ctx, cj->name, &o, &cj->res, &cj->err);
}

static void checkjob_done(job *j, void *arg)
{
	checkjob *cj = arg;
	ui_screen *s = ui_screen_by_id(cj->u, cj->sid);
	char line[800];

	(void)j;
	if (cj->rc < 0)
		ui_msg(cj->u,
		       cj->err.cat == DC_E_CANCELLED ? UI_WARN : UI_ERROR,
		       "check of %s: %s", cj->name,
		       err_line(&cj->err, line, sizeof(line)));
	else if (cj->res.ok)
		ui_msg(cj->u, UI_OK, "module %s: %s in %.0f ms", cj->name,
		       cj->res.msg, cj->res.ms);
	else
		ui_msg(cj->u, UI_ERROR, "module %s: check failed: %s", cj->name,
		       cj->res.msg);
	if (s) {
		modscr *d = s->priv;

		d->live = NULL;
		d->check_running = false;
		/* keep what ran, also when cancelled half-way */
		d->check = cj->res;
		d->check.types = NULL;
		d->check.ntypes = 0;
		d->has_check = cj->res.n > 0;
		mod_reload(d);
	}
	modcheck_result_free(&cj->res);
	modui_live_free(cj->live);
	free(cj);
}

static void mod_check(modscr *d, const modrow *r)
{
	checkjob *cj;
	char label[128];

	if (d->check_running) {
		ui_msg(d->s->ui, UI_INFO,
		       "a check of %s is running (Ctrl-C "
		       "cancels it)",
		       d->check_of);
		return;
	}
	cj = calloc(1, sizeof(*cj));
	if (!cj || !(cj->live = modui_live_new())) {
		free(cj);
		return;
	}
	cj->u = d->s->ui;
	cj->sid = d->s->id;
	cj->ctx = ui_cmd_ctx(d->s->ui);
	dc_strlcpy(cj->name, r->m.name, sizeof(cj->name));
	snprintf(label, sizeof(label), "checking %s", r->m.name);
	if (!ui_job(d->s->ui, label, checkjob_fn, cj, checkjob_done)) {
		modui_live_free(cj->live);
		free(cj);
		return;
	}
	d->live = cj->live;
	d->check_running = true;
	d->has_check = true;
	memset(&d->check, 0, sizeof(d->check));
	dc_strlcpy(d->check_of, r->m.name, sizeof(d->check_of));
}

static void reload_after(ui *u, bool ok, const dc_err *err, void *arg)
{
	unsigned long sid = (unsigned long)(uintptr_t)arg;
	ui_screen *s = ui_screen_by_id(u, sid);

	(void)ok;
	(void)err;
	if (s && s->priv)
		mod_reload(s->priv);
}

typedef struct delctx {
	unsigned long sid;
	char name[DC_NAME_MAX];
	char noun[16];
} delctx;

static void delete_confirmed(ui *u, void *arg, bool yes)
{
	delctx *dc = arg;

	if (yes) {
		const char *pairs[] = {"name", dc->name, NULL};

		modui_run(u, dc->noun, "delete", pairs, reload_after,
		          (void *)(uintptr_t)dc->sid);
	} else {
		ui_msg(u, UI_INFO, "nothing deleted");
	}
	free(dc);
}

static void ask_delete(ui_screen *s, const char *noun, const char *what,
                       const char *name)
{
	delctx *dc = calloc(1, sizeof(*dc));
	char q[300], t[64];

	if (!dc)
		return;
	dc->sid = s->id;
	dc_strlcpy(dc->name, name, sizeof(dc->name));
	dc_strlcpy(dc->noun, noun, sizeof(dc->noun));
	snprintf(t, sizeof(t), "Delete %s", what);
	snprintf(q, sizeof(q), "Delete %s \"%s\"? This cannot be undone.", what,
	         name);
	ui_confirm(s->ui, t, q, NULL, delete_confirmed, dc);
}

static const ui_key mod_keys[] = {
    {'a', "add", "add a processing module (the wizard)", A_ADD},
    {'e', "edit", "edit the selected module", A_EDIT},
    {'c', "check", "check the selected module's connection", A_CHECK},
    {' ', "on/off", "enable or disable the selected module (also x)", A_TOGGLE},
    {'x', NULL, "enable or disable the selected module", A_TOGGLE},
    {'d', "delete", "delete the selected module (asks first)", A_DELETE},
    {UIK_ENTER, "details", "everything about the selected module", A_OPEN},
    {'D', "depts", "departments", A_DEPS},
    {'I', "ipmgr", "IPmanager connections", A_IPMGRS},
    {'S', "lic.servers", "licence servers", A_LICSRVS},
    {0, NULL, NULL, 0},
};

static unsigned mod_key(ui_screen *s, int key, int action)
{
	modscr *d = s->priv;
	const modrow *r = mod_selected(d);
	ui *u = s->ui;

	if (key == UIK_ESC && d->has_check && !d->check_running) {
		d->has_check = false; /* Esc closes the check pane first */
		return UI_HANDLED;
	}
	switch (action) {
	case A_ADD:
		modui_wizard_open(u, NULL);
		return UI_HANDLED;
	case A_DEPS:
		ui_push(u, &departments_screen, NULL);
		return UI_HANDLED;
	case A_IPMGRS:
		ui_push(u, &ipmgrs_screen, NULL);
		return UI_HANDLED;
	case A_LICSRVS:
		ui_push(u, &licsrvs_screen, NULL);
		return UI_HANDLED;
	case 0:
		return UI_IGNORED;
	}
	if (!r) {
		ui_msg(u, UI_INFO, "no module selected (a adds one)");
		return UI_HANDLED;
	}
	switch (action) {
	case A_EDIT:
		modui_wizard_open(u, r->m.name);
		break;
	case A_CHECK:
		mod_check(d, r);
		break;
	case A_TOGGLE: {
		const char *pairs[] = {"name", r->m.name, NULL};

		modui_run(u, "module", r->m.enabled ? "disable" : "enable",
		          pairs, reload_after, (void *)(uintptr_t)s->id);
		break;
	}
	case A_DELETE:
		ask_delete(s, "module", "processing module", r->m.name);
		break;
	case A_OPEN:
		run_show(u, "module", r->m.name);
		break;
	}
	return UI_HANDLED;
}

static void mod_draw(ui_screen *s, ui_rect r)
{
	modscr *d = s->priv;
	ui_rect lr = r;

	if (d->has_check) {
		modcheck_result live;
		const modcheck_result *cr = &d->check;
		double el = 0;
		int ph = (int)(d->check_running ? 10 : d->check.n) + 3;
		char t[200];

		if (d->live) {
			el = modui_live_get(d->live, &live);
			cr = &live;
			ph = (int)live.n + 3;
		}
		if (ph > r.h / 2 + 2)
			ph = r.h / 2 + 2;
		lr.h = r.h - ph;
		int py = r.y + lr.h;

		draw_hline(py, r.x, r.w, ROLE_BORDER);
		if (d->check_running)
			snprintf(t, sizeof(t), " Checking %s ... ",
			         d->check_of);
		else
			snprintf(t, sizeof(t), " Check of %s: %s (%.0f ms) ",
			         d->check_of, cr->ok ? "passed" : "FAILED",
			         cr->ms);
		draw_text(py, r.x + 2, r.w - 4, ROLE_TITLE, t, false);
		draw_clear((ui_rect){py + 1, r.x, ph - 1, r.w}, ROLE_NORMAL);
		modui_draw_steps(cr, d->check_running, el,
		                 (ui_rect){py + 1, r.x + 1, ph - 1, r.w - 2});
	}
	if (d->load_err[0] && lr.h > 2) {
		draw_text(lr.y, lr.x, lr.w, ROLE_ERROR, d->load_err, true);
		lr.y++;
		lr.h--;
	}
	if (!d->loaded && lr.h > 1) {
		draw_text(lr.y + 1, lr.x + 2, lr.w - 2, ROLE_DIM, "loading...",
		          false);
		return;
	}
	list_draw(&d->l, lr);
	if (d->loaded && d->n == 0 && lr.h > 3)
		draw_text(lr.y + 3, lr.x + 2, lr.w - 4, ROLE_DIM,
		          "No processing modules yet. Press a to add one "
		          "with the wizard.",
		          false);
}

static unsigned mod_tick(ui_screen *s)
{
	mod_reload(s->priv);
	return UI_HANDLED;
}

static list *mod_list(ui_screen *s)
{
	return &((modscr *)s->priv)->l;
}

static int mod_open(ui_screen *s, const cmd_args *a, dc_err *err)
{
	modscr *d = calloc(1, sizeof(*d));

	(void)a;
	if (!d)
		return err_set(err, DC_E_NOMEM, "out of memory");
	d->s = s;
	s->priv = d;
	list_init(&d->l, mod_cols,
	          (int)(sizeof(mod_cols) / sizeof(mod_cols[0])), mod_cell, d);
	d->l.row_role = mod_role;
	mod_reload(d);
	return 0;
}

static void mod_close(ui_screen *s)
{
	modscr *d = s->priv;

	/* a running check finds the screen gone (ui_screen_by_id) and frees
	 * its own state */
	list_free(&d->l);
	free(d->rows);
	free(d);
}

const ui_screen_ops modules_screen = {
    .name = "Modules",
    .keys = mod_keys,
    .open = mod_open,
    .draw = mod_draw,
    .key = mod_key,
    .tick = mod_tick,
    .list = mod_list,
    .close = mod_close,
};

/* ---- departments, IPmanager connections, licence servers --------------- */

typedef enum reckind { RK_DEP, RK_IPMGR, RK_LICSRV } reckind;

typedef struct recrow {
	char name[DC_NAME_MAX];
	char url[DC_URL_MAX];
	char user[DC_USER_MAX];
	bool insecure;
	int used; /* modules that refer to it */
} recrow;

typedef struct recscr {
	ui_screen *s;
	reckind kind;
	recrow *rows;
	size_t n;
	list l;
	bool loading, loaded;
	char load_err[600];
	modui_live *live;
	bool has_check, check_running;
	modcheck_result check;
	char check_of[DC_NAME_MAX];
} recscr;

static const list_col dep_cols[] = {
    {"NAME", 0, 20, 0},
    {"MODULES", 8, 0, LIST_COL_RIGHT | LIST_COL_NUM},
};

static const list_col conn_cols[] = {
    {"NAME", 0, 12, 0},
    {"URL", 0, 24, 0},
    {"USER", 0, 8, 0},
    {"MODULES", 8, 0, LIST_COL_RIGHT | LIST_COL_NUM},
};

static const char *rec_cell(void *data, size_t row, int col, char *buf,
                            size_t len)
{
	recscr *d = data;
	const recrow *r = &d->rows[row];

	if (col == 0)
		return r->name;
	if (d->kind == RK_DEP || col == 3) {
		snprintf(buf, len, "%d", r->used);
		return buf;
	}
	if (col == 1) {
		snprintf(buf, len, "%s%s", r->insecure ? "INSECURE " : "",
		         r->url);
		return buf;
	}
	return r->user;
}

static role rec_role(void *data, size_t row)
{
	return ((recscr *)data)->rows[row].insecure ? ROLE_INSECURE
	                                            : ROLE_NORMAL;
}

typedef struct recload {
	ui *u;
	unsigned long sid;
	reckind kind;
	cmd_ctx ctx;
	recrow *rows;
	size_t n;
	dc_err err;
	int rc;
} recload;

static void recload_fn(job *j, void *arg)
{
	recload *rl = arg;
	dc_store *st;
	dc_module *mv = NULL;
	dc_conn *cv = NULL;
	dc_department *dv = NULL;
	size_t nm = 0, n = 0;
	int rc;

	(void)j;
	rl->rc = -1;
	if (!(st = app_store(rl->ctx.app, &rl->err)) ||
	    module_list(st, &mv, &nm, &rl->err) < 0)
		return;
	if (rl->kind == RK_DEP)
		rc = department_list(st, &dv, &n, &rl->err);
	else if (rl->kind == RK_IPMGR)
		rc = ipmgr_list(st, &cv, &n, &rl->err);
	else
		rc = licsrv_list(st, &cv, &n, &rl->err);
	if (rc < 0 || !(rl->rows = calloc(n ? n : 1, sizeof(recrow)))) {
		if (rc == 0)
			err_set(&rl->err, DC_E_NOMEM, "out of memory");
		free(mv);
		free(cv);
		free(dv);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		recrow *r = &rl->rows[i];
		int64_t id = dv ? dv[i].id : cv[i].id;

		if (dv) {
			dc_strlcpy(r->name, dv[i].name, sizeof(r->name));
		} else {
			dc_strlcpy(r->name, cv[i].name, sizeof(r->name));
			dc_strlcpy(r->url, cv[i].url, sizeof(r->url));
			dc_strlcpy(r->user, cv[i].username, sizeof(r->user));
			r->insecure = cv[i].insecure;
		}
		for (size_t k = 0; k < nm; k++)
			r->used +=
			    (rl->kind == RK_DEP     ? mv[k].department_id
			     : rl->kind == RK_IPMGR ? mv[k].ipmgr_id
			                            : mv[k].licsrv_id) == id;
	}
	rl->n = n;
	rl->rc = 0;
	free(mv);
	free(cv);
	free(dv);
}

static void recload_done(job *j, void *arg)
{
	recload *rl = arg;
	ui_screen *s = ui_screen_by_id(rl->u, rl->sid);

	(void)j;
	if (s) {
		recscr *d = s->priv;

		d->loading = false;
		if (rl->rc == 0) {
			free(d->rows);
			d->rows = rl->rows;
			d->n = rl->n;
			rl->rows = NULL;
			d->loaded = true;
			d->load_err[0] = '\0';
			list_set_rows(&d->l, d->n);
		} else {
			err_line(&rl->err, d->load_err, sizeof(d->load_err));
		}
	}
	free(rl->rows);
	free(rl);
}

static void rec_reload(recscr *d)
{
	recload *rl;

	if (d->loading)
		return;
	rl = calloc(1, sizeof(*rl));
	if (!rl)
		return;
	rl->u = d->s->ui;
	rl->sid = d->s->id;
	rl->kind = d->kind;
	rl->ctx = ui_cmd_ctx(d->s->ui);
	if (!job_submit(ui_jobs(d->s->ui), recload_fn, rl, recload_done)) {
		free(rl);
		return;
	}
	d->loading = true;
}

static const char *rec_noun(reckind k)
{
	return k == RK_DEP ? "department" : k == RK_IPMGR ? "ipmgr" : "license";
}

static const char *rec_what(reckind k)
{
	return k == RK_DEP     ? "department"
	       : k == RK_IPMGR ? "IPmanager connection"
	                       : "licence server";
}

/* The connection check of a stored IPmanager / licence server. */
typedef struct conncheck {
	ui *u;
	unsigned long sid;
	cmd_ctx ctx;
	reckind kind;
	char name[DC_NAME_MAX];
	modui_live *live;
	modcheck_result res;
	dc_err err;
	int rc;
} conncheck;

static void conncheck_fn(job *j, void *arg)
{
	conncheck *cc = arg;
	dc_store *st;
	dc_conn c;
	modcheck_opts o;
	bool ipm = cc->kind == RK_IPMGR;

	cc->ctx.cancel = job_cancel_flag(j);
	o = modcmd_check_opts(&cc->ctx, modui_live_progress, cc->live);
	cc->rc = -1;
	if (!(st = app_store(cc->ctx.app, &cc->err)) ||
	    (ipm ? ipmgr_get_by_name(st, cc->name, &c, &cc->err)
	         : licsrv_get_by_name(st, cc->name, &c, &cc->err)) < 0)
		return;
	cc->rc = modcheck_conn_stored(
	    st, ipm ? MODCHECK_KIND_IPMGR : MODCHECK_KIND_LICSRV, c.id, &o,
	    &cc->res, &cc->err);
}

static void conncheck_done(job *j, void *arg)
{
	conncheck *cc = arg;
	ui_screen *s = ui_screen_by_id(cc->u, cc->sid);
	char line[800];

	(void)j;
	if (cc->rc < 0)
		ui_msg(cc->u, UI_ERROR, "check of %s: %s", cc->name,
		       err_line(&cc->err, line, sizeof(line)));
	else
		ui_msg(cc->u, cc->res.ok ? UI_OK : UI_ERROR, "%s %s: %s",
		       rec_what(cc->kind), cc->name, cc->res.msg);
	if (s) {
		recscr *d = s->priv;

		d->live = NULL;
		d->check_running = false;
		d->check = cc->res;
		d->check.types = NULL;
		d->check.ntypes = 0;
		d->has_check = cc->res.n > 0;
	}
	modcheck_result_free(&cc->res);
	modui_live_free(cc->live);
	free(cc);
}

static void rec_check(recscr *d, const recrow *r)
{
	conncheck *cc;
	char label[128];

	if (d->check_running)
		return;
	cc = calloc(1, sizeof(*cc));
	if (!cc || !(cc->live = modui_live_new())) {
		free(cc);
		return;
	}
	cc->u = d->s->ui;
	cc->sid = d->s->id;
	cc->ctx = ui_cmd_ctx(d->s->ui);
	cc->kind = d->kind;
	dc_strlcpy(cc->name, r->name, sizeof(cc->name));
	snprintf(label, sizeof(label), "checking %s", r->name);
	if (!ui_job(d->s->ui, label, conncheck_fn, cc, conncheck_done)) {
		modui_live_free(cc->live);
		free(cc);
		return;
	}
	d->live = cc->live;
	d->check_running = true;
	d->has_check = true;
	memset(&d->check, 0, sizeof(d->check));
	dc_strlcpy(d->check_of, r->name, sizeof(d->check_of));
}

/* The add/edit forms (form.h): checked as each field is left, saved by
 * running the command through cmd_exec. An edit form names the record in
 * a one-choice "name" select and takes a new name in "new-name"; an empty
 * password keeps the stored one. */

static int v_rule(dc_entity ent, const char *field, const char *v, char *why,
                  size_t len)
{
	dc_err e;

	err_clear(&e);
	if (model_check_field(ent, field, v, &e) < 0) {
		snprintf(why, len, "%s", e.msg);
		return -1;
	}
	return 0;
}

static int v_name(const char *v, void *ctx, char *why, size_t len)
{
	(void)ctx;
	return v_rule(DC_ENT_IPMGR, "name", v, why, len);
}

static int v_newname(const char *v, void *ctx, char *why, size_t len)
{
	(void)ctx;
	return *v ? v_rule(DC_ENT_IPMGR, "name", v, why, len) : 0;
}

static int v_url(const char *v, void *ctx, char *why, size_t len)
{
	(void)ctx;
	return v_rule(DC_ENT_IPMGR, "url", v, why, len);
}

static int v_user(const char *v, void *ctx, char *why, size_t len)
{
	(void)ctx;
	return v_rule(DC_ENT_IPMGR, "username", v, why, len);
}

static int v_password(const char *v, void *ctx, char *why, size_t len)
{
	dc_err e;

	(void)ctx;
	err_clear(&e);
	if (*v && model_check_password("password", v, &e) < 0) {
		snprintf(why, len, "%s", e.msg);
		return -1;
	}
	return 0;
}

#define NOCHECK                                                                \
	{                                                                      \
		NULL, NULL, NULL                                               \
	}
#define FEND                                                                   \
	{                                                                      \
		NULL, NULL, 0, false, 0, 0, NULL, NOCHECK, NULL                \
	}

static const form_field dep_add_fields[] = {
    {"name",
     "Name",
     FF_TEXT,
     true,
     0,
     0,
     NULL,
     {v_name, NULL, NULL},
     "the department's name (it receives tasks from failed steps)"},
    FEND,
};

static const form_field dep_edit_fields[] = {
    {"name", "Department", FF_SELECT, true, 0, 0, NULL, NOCHECK,
     "the department being renamed"},
    {"new-name",
     "New name",
     FF_TEXT,
     true,
     0,
     0,
     NULL,
     {v_name, NULL, NULL},
     "its new name"},
    FEND,
};

static const form_field conn_add_fields[] = {
    {"name",
     "Name",
     FF_TEXT,
     true,
     0,
     0,
     NULL,
     {v_name, NULL, NULL},
     "a name to choose this connection by"},
    {"url",
     "URL",
     FF_TEXT,
     true,
     0,
     0,
     NULL,
     {v_url, NULL, NULL},
     "the panel's full URL, e.g. https://ipm.example.net:1500/ipmgr"},
    {"user",
     "Username",
     FF_TEXT,
     true,
     0,
     0,
     NULL,
     {v_user, NULL, NULL},
     "a user of the panel"},
    {"password",
     "Password",
     FF_PASSWORD,
     true,
     0,
     0,
     NULL,
     {v_password, NULL, NULL},
     "its password (never shown); saving logs in with it first"},
    FEND,
};

static const form_field conn_edit_fields[] = {
    {"name", "Connection", FF_SELECT, true, 0, 0, NULL, NOCHECK,
     "the connection being edited"},
    {"new-name",
     "New name",
     FF_TEXT,
     false,
     0,
     0,
     NULL,
     {v_newname, NULL, NULL},
     "empty keeps the name"},
    {"url",
     "URL",
     FF_TEXT,
     true,
     0,
     0,
     NULL,
     {v_url, NULL, NULL},
     "the panel's full URL"},
    {"user",
     "Username",
     FF_TEXT,
     true,
     0,
     0,
     NULL,
     {v_user, NULL, NULL},
     "a user of the panel"},
    {"password",
     "Password",
     FF_PASSWORD,
     false,
     0,
     0,
     NULL,
     {v_password, NULL, NULL},
     "empty keeps the stored password"},
    FEND,
};

static const form_spec dep_add_spec = {"Add department", dep_add_fields,
                                       &module_cmds[MC_DEPARTMENT_ADD], NULL};
static const form_spec dep_edit_spec = {"Rename department", dep_edit_fields,
                                        &module_cmds[MC_DEPARTMENT_EDIT], NULL};
static const form_spec ipm_add_spec = {"Add IPmanager connection",
                                       conn_add_fields,
                                       &module_cmds[MC_IPMGR_ADD], NULL};
static const form_spec ipm_edit_spec = {"Edit IPmanager connection",
                                        conn_edit_fields,
                                        &module_cmds[MC_IPMGR_EDIT], NULL};
static const form_spec lic_add_spec = {"Add licence server", conn_add_fields,
                                       &module_cmds[MC_LICENSE_ADD], NULL};
static const form_spec lic_edit_spec = {"Edit licence server", conn_edit_fields,
                                        &module_cmds[MC_LICENSE_EDIT], NULL};

static const ui_screen_ops form_ops[3][2] = {
    {FORM_SCREEN_OPS("Add department", &dep_add_spec),
     FORM_SCREEN_OPS("Rename department", &dep_edit_spec)},
    {FORM_SCREEN_OPS("Add IPmanager", &ipm_add_spec),
     FORM_SCREEN_OPS("Edit IPmanager", &ipm_edit_spec)},
    {FORM_SCREEN_OPS("Add licence server", &lic_add_spec),
     FORM_SCREEN_OPS("Edit licence server", &lic_edit_spec)},
};

static void rec_form(recscr *d, const recrow *r)
{
	ui *u = d->s->ui;
	form *f;

	if (ui_push(u, &form_ops[d->kind][r != NULL], NULL) < 0)
		return;
	if (!r)
		return;
	f = form_screen_form(ui_top(u));
	{
		const char *one[] = {r->name};

		form_set_choices(f, "name", one, 1);
	}
	if (d->kind != RK_DEP) {
		form_set(f, "url", r->url);
		form_set(f, "user", r->user);
	}
	f->focus = 1;
}

static const ui_key dep_keys[] = {
    {'a', "add", "add a department", A_ADD},
    {'e', "rename", "rename the selected department", A_EDIT},
    {'d', "delete", "delete it (refused while a module names it)", A_DELETE},
    {UIK_ENTER, "details", "the department and its modules", A_OPEN},
    {0, NULL, NULL, 0},
};

static const ui_key conn_keys[] = {
    {'a', "add", "add a connection (its login is checked)", A_ADD},
    {'e', "edit", "edit the selected connection", A_EDIT},
    {'c', "check", "check the selected connection", A_CHECK},
    {'d', "delete", "delete it (refused while a module uses it)", A_DELETE},
    {UIK_ENTER, "details", "everything about it", A_OPEN},
    {0, NULL, NULL, 0},
};

static unsigned rec_key(ui_screen *s, int key, int action)
{
	recscr *d = s->priv;
	size_t i = list_selected(&d->l);
	const recrow *r = i < d->n ? &d->rows[i] : NULL;

	if (key == UIK_ESC && d->has_check && !d->check_running) {
		d->has_check = false;
		return UI_HANDLED;
	}
	if (action == 0)
		return UI_IGNORED;
	if (action == A_ADD) {
		rec_form(d, NULL);
		return UI_HANDLED;
	}
	if (!r) {
		ui_msg(s->ui, UI_INFO, "nothing selected (a adds one)");
		return UI_HANDLED;
	}
	switch (action) {
	case A_EDIT:
		rec_form(d, r);
		break;
	case A_CHECK:
		if (d->kind != RK_DEP)
			rec_check(d, r);
		break;
	case A_DELETE:
		ask_delete(s, rec_noun(d->kind), rec_what(d->kind), r->name);
		break;
	case A_OPEN:
		run_show(s->ui, rec_noun(d->kind), r->name);
		break;
	}
	return UI_HANDLED;
}

static void rec_draw(ui_screen *s, ui_rect r)
{
	recscr *d = s->priv;
	ui_rect lr = r;

	if (d->has_check) {
		modcheck_result live;
		const modcheck_result *cr = &d->check;
		double el = 0;
		char t[200];

		if (d->live) {
			el = modui_live_get(d->live, &live);
			cr = &live;
		}
		int ph = (int)cr->n + 3;

		if (ph > r.h / 2 + 2)
			ph = r.h / 2 + 2;
		lr.h = r.h - ph;
		int py = r.y + lr.h;

		draw_hline(py, r.x, r.w, ROLE_BORDER);
		snprintf(t, sizeof(t),
		         d->check_running ? " Checking %s ... "
		                          : " Check of %s ",
		         d->check_of);
		draw_text(py, r.x + 2, r.w - 4, ROLE_TITLE, t, false);
		draw_clear((ui_rect){py + 1, r.x, ph - 1, r.w}, ROLE_NORMAL);
		modui_draw_steps(cr, d->check_running, el,
		                 (ui_rect){py + 1, r.x + 1, ph - 1, r.w - 2});
	}
	if (d->load_err[0] && lr.h > 2) {
		draw_text(lr.y, lr.x, lr.w, ROLE_ERROR, d->load_err, true);
		lr.y++;
		lr.h--;
	}
	list_draw(&d->l, lr);
}

static unsigned rec_tick(ui_screen *s)
{
	rec_reload(s->priv);
	return UI_HANDLED;
}

static list *rec_list(ui_screen *s)
{
	return &((recscr *)s->priv)->l;
}

static int rec_open(ui_screen *s, reckind k, dc_err *err)
{
	recscr *d = calloc(1, sizeof(*d));

	if (!d)
		return err_set(err, DC_E_NOMEM, "out of memory");
	d->s = s;
	d->kind = k;
	s->priv = d;
	if (k == RK_DEP)
		list_init(&d->l, dep_cols, 2, rec_cell, d);
	else
		list_init(&d->l, conn_cols, 4, rec_cell, d);
	d->l.row_role = rec_role;
	rec_reload(d);
	return 0;
}

static int dep_open(ui_screen *s, const cmd_args *a, dc_err *err)
{
	(void)a;
	return rec_open(s, RK_DEP, err);
}

static int ipm_open(ui_screen *s, const cmd_args *a, dc_err *err)
{
	(void)a;
	return rec_open(s, RK_IPMGR, err);
}

static int lic_open(ui_screen *s, const cmd_args *a, dc_err *err)
{
	(void)a;
	return rec_open(s, RK_LICSRV, err);
}

static void rec_close(ui_screen *s)
{
	recscr *d = s->priv;

	list_free(&d->l);
	free(d->rows);
	free(d);
}

const ui_screen_ops departments_screen = {
    .name = "Departments",
    .keys = dep_keys,
    .open = dep_open,
    .draw = rec_draw,
    .key = rec_key,
    .tick = rec_tick,
    .list = rec_list,
    .close = rec_close,
};

const ui_screen_ops ipmgrs_screen = {
    .name = "IPmanagers",
    .keys = conn_keys,
    .open = ipm_open,
    .draw = rec_draw,
    .key = rec_key,
    .tick = rec_tick,
    .list = rec_list,
    .close = rec_close,
};

const ui_screen_ops licsrvs_screen = {
    .name = "Licence servers",
    .keys = conn_keys,
    .open = lic_open,
    .draw = rec_draw,
    .key = rec_key,
    .tick = rec_tick,
    .list = rec_list,
    .close = rec_close,
};
