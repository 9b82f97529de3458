/* scr_tariffs.c - the Tariffs screen (server type, modules, add-ons, free
 * servers per module and in total, age of the count, orderable or not and
 * why, special IP add-ons a module's IPmanager lacks the type of; a add, e
 * edit, d delete, x enable/disable, r count again), the tariff form (name,
 * server type chosen from the types the modules' DCImanagers have, enabled,
 * modules and add-ons to tick, the tariff's own billing for some add-ons), and
 * tcui_run, which the tariff screens use to run a command as a job.
 *
 * Data is read on the jobs worker (the store belongs to it, app.h) at
 * every refresh tick; counts are renewed there only when older than the
 * config's availability_refresh, or at once with r. Every change runs its
 * command through cmd_exec, where --read-only is enforced. */
#include "app.h"
#include "cmd_tariff.h"
#include "form.h"
#include "store.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a command as a job ---------------------------------------------------
 */

typedef struct runjob {
	ui *u;
	cmd_args *args;
	out *o;
	cmd_ctx ctx;
	dc_err err;
	int rc;
	tcui_done_fn done;
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
			ui_msg(rj->u,
			       strncmp(out_msg_get(rj->o, i), "warning", 7)
			           ? UI_OK
			           : UI_WARN,
			       "%s", out_msg_get(rj->o, i));
		if (!out_msg_count(rj->o))
			ui_msg(rj->u, UI_OK, "%s: done", rj->name);
	}
	if (rj->done)
		rj->done(rj->u, rj->rc == 0, rj->rc == 0 ? NULL : &rj->err,
		         rj->o, rj->arg);
	cmd_args_free(rj->args);
	out_free(rj->o);
	free(rj);
}

int tcui_run(ui *u, const char *noun, const char *verb,
             const char *const *pairs, tcui_done_fn done, void *arg)
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
			done(u, false, &err, NULL, arg);
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

/* ---- the Tariffs screen -------------------------------------------------- */

#define ADDONS_TEXT 400

typedef struct trow {
	avail_result r;
	char addons[ADDONS_TEXT]; /* "ram client 8192,16384; os ..." */
	size_t nflags;            /* special IP add-on flags (iprange.h) */
	char flags[ADDONS_TEXT];  /* "special_ip_block_x on dc1: why; ..." */
} trow;

enum { A_ADD = 1, A_EDIT, A_DELETE, A_TOGGLE, A_REFRESH };

typedef struct tscr {
	ui_screen *s;
	trow *rows;
	size_t n;
	list l;
	bool loading, loaded, again, again_force;
	char load_err[600];
} tscr;

static const list_col tcols[] = {
    {"TARIFF", 0, 8, 0},
    {"TYPE", 0, 8, 0},
    {"FREE", 5, 0, LIST_COL_RIGHT | LIST_COL_NUM},
    {"PER MODULE", 0, 10, 0},
    {"AGE", 4, 0, LIST_COL_RIGHT},
    {"ORDERABLE", 0, 12, 0},
};

static const char *tcell(void *data, size_t row, int col, char *buf, size_t len)
{
	const trow *t = &((tscr *)data)->rows[row];
	switch (col) {
	case 0:
		return t->r.t.name;
	case 1:
		return t->r.t.server_type;
	case 2:
		snprintf(buf, len, "%ld", t->r.a.total);
		return buf;
	case 3:
		return tcmd_per_module(&t->r, buf, len);
	case 4:
		return tcmd_age(t->r.a.oldest_age, buf, len);
	case 5:
		/* a flag is said in words too, not only by the row's role */
		if (t->r.a.orderable)
			return t->nflags ? "yes; IP flag" : "yes";
		snprintf(buf, len, "NO: %s%s", t->r.a.reason,
		         t->nflags ? "; IP flag" : "");
		return buf;
	}
	return "";
}

static role trole(void *data, size_t row)
{
	const trow *t = &((tscr *)data)->rows[row];
	if (!t->r.t.enabled)
		return ROLE_DIM;
	return t->r.a.orderable && !t->nflags ? ROLE_NORMAL : ROLE_WARN;
}

typedef struct tload {
	ui *u;
	unsigned long sid;
	cmd_ctx ctx;
	bool force;
	trow *rows;
	size_t n;
	dc_err err;
	int rc;
} tload;

static void addons_text(dc_store *st, const dc_tariff *t, char *buf, size_t len)
{
	dc_addon a[DC_TARIFF_ADDONS_MAX];
	size_t off = 0;
	char v[DC_LIST_MAX + 16];
	snprintf(buf, len, "none");
	if (!t->naddons || tariff_resolve_addons(st, t, a, NULL) < 0)
		return;
	for (size_t i = 0; i < t->naddons && off < len; i++) {
		const dc_addon_values *vv = tariff_addon_values(t, i, a);
		int w = snprintf(
		    buf + off, len - off, "%s%s %s %s%s", i ? "; " : "",
		    a[i].name, model_billing_name(vv->billing),
		    model_addon_values_str(vv, v, sizeof(v)),
		    t->addons[i].override ? " (tariff's own)" : "");
		if (w > 0)
			off += (size_t)w;
	}
}

/* The flags of tariff `name` as one line of text. */
static size_t flags_text(const iprange_flag *f, size_t nf, const char *name,
                         char *buf, size_t len)
{
	size_t k = 0, off = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < nf; i++) {
		if (strcmp(f[i].tariff, name))
			continue;
		if (off < len) {
			int w = snprintf(
			    buf + off, len - off, "%s%s on %s: %s%s",
			    k ? "; " : "", f[i].addon, f[i].module,
			    f[i].unknown ? "cannot tell: " : "", f[i].why);
			if (w > 0)
				off += (size_t)w;
		}
		k++;
	}
	return k;
}

static void tload_fn(job *j, void *arg)
{
	tload *tl = arg;
	dc_store *st;
	avail_result *r = NULL;
	size_t n = 0;
	iprange_flag *fl = NULL;
	size_t nfl = 0;
	tl->ctx.cancel = job_cancel_flag(j);
	tl->rc = -1;
	if (!(st = app_store(tl->ctx.app, &tl->err)))
		return;
	/* A panel that does not answer is recorded on its module and shown;
	 * only a store failure (or a cancel) stops the load. */
	if (tcmd_refresh(&tl->ctx, tl->force, &tl->err) < 0 &&
	    tl->err.cat != DC_E_CANCELLED)
		return;
	/* the special add-ons' types, asked as old as the counts are */
	if (tcmd_special_flags(&tl->ctx, NULL, tl->force, &fl, &nfl, &tl->err) <
	        0 &&
	    tl->err.cat != DC_E_CANCELLED)
		return;
	if (avail_tariffs(st, inv_now_ms(), &r, &n, &tl->err) < 0) {
		free(fl);
		return;
	}
	tl->rows = calloc(n ? n : 1, sizeof(trow));
	if (!tl->rows) {
		free(r);
		free(fl);
		err_set(&tl->err, DC_E_NOMEM, "out of memory");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		tl->rows[i].r = r[i];
		addons_text(st, &r[i].t, tl->rows[i].addons,
		            sizeof(tl->rows[i].addons));
		tl->rows[i].nflags =
		    flags_text(fl, nfl, r[i].t.name, tl->rows[i].flags,
		               sizeof(tl->rows[i].flags));
	}
	free(r);
	free(fl);
	tl->n = n;
	tl->rc = 0;
}

static void tload_start(ui_screen *s, bool force, bool bg);

static void tload_done(job *j, void *arg)
{
	tload *tl = arg;
	ui_screen *s = ui_screen_by_id(tl->u, tl->sid);
	char line[700];
	(void)j;
	if (s) {
		tscr *d = s->priv;
		d->loading = false;
		if (tl->rc < 0) {
			snprintf(d->load_err, sizeof(d->load_err), "%s",
			         err_line(&tl->err, line, sizeof(line)));
			free(tl->rows);
		} else {
			free(d->rows);
			d->rows = tl->rows;
			d->n = tl->n;
			d->loaded = true;
			d->load_err[0] = '\0';
			list_set_rows(&d->l, d->n);
			if (tl->force)
				ui_msg(tl->u, UI_OK, "tariffs: counted again");
		}
		if (d->again) {
			bool f = d->again_force;
			d->again = d->again_force = false;
			tload_start(s, f, !f);
		}
	} else {
		free(tl->rows);
	}
	free(tl);
}

/* bg: a refresh the screen starts by itself (ui_job_bg: no spinner
 * unless it takes a while, quitting does not ask about it). */
static void tload_start(ui_screen *s, bool force, bool bg)
{
	tscr *d = s->priv;
	tload *tl;
	if (d->loading) {
		/* One load at a time; a forced one asked meanwhile follows. */
		d->again = true;
		d->again_force |= force;
		return;
	}
	tl = calloc(1, sizeof(*tl));
	if (!tl)
		return;
	tl->u = s->ui;
	tl->sid = s->id;
	tl->ctx = ui_cmd_ctx(s->ui);
	tl->force = force;
	job *(*start)(ui *, const char *, job_fn, void *, job_done_fn) =
	    bg ? ui_job_bg : ui_job;
	if (!start(s->ui, force ? "counting free servers" : "tariffs", tload_fn,
	           tl, tload_done)) {
		free(tl);
		return;
	}
	d->loading = true;
}

static const ui_key tkeys[] = {
    {'a', "add", "add a tariff (form)", A_ADD},
    {'e', "edit", "edit the selected tariff", A_EDIT},
    {'\n', NULL, "edit the selected tariff", A_EDIT},
    {'d', "delete", "delete the selected tariff (asks first)", A_DELETE},
    {'x', "on/off", "enable or disable the selected tariff", A_TOGGLE},
    {'r', "recount", "count free servers on every module now", A_REFRESH},
    {0, NULL, NULL, 0},
};

static int t_open(ui_screen *s, const cmd_args *a, dc_err *err)
{
	tscr *d = calloc(1, sizeof(*d));
	(void)a;
	if (!d)
		return err_set(err, DC_E_NOMEM, "out of memory");
	d->s = s;
	s->priv = d;
	list_init(&d->l, tcols, (int)(sizeof(tcols) / sizeof(tcols[0])), tcell,
	          d);
	d->l.header = true;
	d->l.cursor = true;
	d->l.row_role = trole;
	list_set_rows(&d->l, 0);
	/* a read (the counts as old as allowed): leaving or quitting while
	 * it runs loses nothing, so quit does not ask about it */
	tload_start(s, false, true);
	return 0;
}

static void draw_details(const tscr *d, const trow *t, ui_rect r)
{
	char line[800], age[32];
	int y = r.y;
	if (y >= r.y + r.h)
		return;
	snprintf(line, sizeof(line), "%s: type %s%s, RAM floor %s", t->r.t.name,
	         t->r.t.server_type, t->r.t.enabled ? "" : " (DISABLED)",
	         t->r.min_ram ? "" : "none");
	if (t->r.min_ram) {
		size_t l = strlen(line);
		snprintf(line + l, sizeof(line) - l, "%lld MiB",
		         (long long)t->r.min_ram);
	}
	draw_text(y++, r.x, r.w, ROLE_TITLE, line, true);
	for (size_t i = 0; i < t->r.n && y < r.y + r.h - 2; i++) {
		const avail_mod *m = &t->r.m[i];
		if (m->have_count)
			snprintf(
			    line, sizeof(line),
			    " %s %-12s sort %-4lld free %ld of %ld  age %s  "
			    "%s%s%s",
			    t->r.a.picked == (long)i ? ">" : " ", m->name,
			    (long long)m->sorting, m->free, m->servers,
			    tcmd_age(m->age_s, age, sizeof(age)),
			    tcmd_mod_state(m), m->error[0] ? ": " : "",
			    m->error);
		else
			snprintf(line, sizeof(line),
			         "   %-12s sort %-4lld %s%s%s", m->name,
			         (long long)m->sorting, tcmd_mod_state(m),
			         m->error[0] ? ": " : "", m->error);
		draw_text(y++, r.x, r.w,
		          m->error[0]                ? ROLE_ERROR
		          : t->r.a.picked == (long)i ? ROLE_OK
		          : !m->enabled || m->stale  ? ROLE_DIM
		                                     : ROLE_NORMAL,
		          line, true);
	}
	/* Flags before the add-ons: one row, cut at the width (`tariff
	 * show` and `special-range check` list each in full). */
	if (t->nflags && y < r.y + r.h - 1) {
		snprintf(line, sizeof(line), "special IP flag%s: %s",
		         t->nflags == 1 ? "" : "s", t->flags);
		draw_text(y++, r.x, r.w, ROLE_WARN, line, true);
	}
	/* The add-ons take the rows left but the last, wrapped at "; ". */
	snprintf(line, sizeof(line), "add-ons: %s", t->addons);
	for (const char *p = line; *p && y < r.y + r.h - 1;) {
		size_t n = strlen(p), cut = n;
		if ((int)n > r.w) {
			cut = (size_t)r.w;
			for (size_t k = (size_t)r.w; k > 0; k--)
				if (p[k - 1] == ' ') {
					cut = k;
					break;
				}
		}
		char part[sizeof(line)];
		snprintf(part, sizeof(part), "%s%.*s", p == line ? "" : "  ",
		         (int)cut, p);
		draw_text(y++, r.x, r.w, ROLE_NORMAL, part, true);
		p += cut;
	}
	if (y < r.y + r.h) {
		if (t->r.a.orderable)
			snprintf(
			    line, sizeof(line),
			    "orderable: %ld free; the sorting rule picks %s",
			    t->r.a.total, t->r.m[t->r.a.picked].name);
		else
			snprintf(line, sizeof(line), "NOT orderable: %s",
			         t->r.a.reason);
		draw_text(y++, r.x, r.w, t->r.a.orderable ? ROLE_OK : ROLE_WARN,
		          line, true);
	}
	(void)d;
}

static void t_draw(ui_screen *s, ui_rect r)
{
	tscr *d = s->priv;
	int dh = r.h >= 16 ? 7 : r.h >= 10 ? 4 : 0;
	ui_rect lr = {r.y, r.x, r.h - dh, r.w};
	draw_clear(r, ROLE_NORMAL);
	if (!d->loaded) {
		draw_text(r.y, r.x, r.w, d->load_err[0] ? ROLE_ERROR : ROLE_DIM,
		          d->load_err[0] ? d->load_err
		                         : "loading tariffs and counting free "
		                           "servers...",
		          true);
		return;
	}
	if (d->n == 0) {
		draw_text(r.y, r.x, r.w, ROLE_DIM,
		          "No tariffs yet. a: add one (modules and add-ons "
		          "first: m, A).",
		          true);
		return;
	}
	list_draw(&d->l, lr);
	if (!dh)
		return;
	ui_rect dr = {r.y + r.h - dh + 1, r.x, dh - 1, r.w};
	draw_hline(r.y + r.h - dh, r.x, r.w, ROLE_BORDER);
	if (d->load_err[0]) {
		draw_text(dr.y, dr.x, dr.w, ROLE_ERROR, d->load_err, true);
		return;
	}
	size_t sel = list_selected(&d->l);
	if (sel != (size_t)-1)
		draw_details(d, &d->rows[sel], dr);
}

static void open_form(ui *u, const char *edit_name)
{
	const cmd_def *c = cmd_find("tariff", edit_name ? "edit" : "add");
	cmd_args *a = c ? cmd_args_new(c) : NULL;
	dc_err err;
	if (!a) {
		ui_msg(u, UI_ERROR, "out of memory");
		return;
	}
	if (edit_name && cmd_args_add(a, "name", edit_name, &err) < 0) {
		cmd_args_free(a);
		return;
	}
	ui_push(u, &tariff_form_screen, a);
	cmd_args_free(a);
}

typedef struct tsel {
	ui *u;
	unsigned long sid;
	char name[DC_NAME_MAX];
} tsel;

static void changed_done(ui *u, bool ok, const dc_err *err, const out *o,
                         void *arg)
{
	tsel *ts = arg;
	ui_screen *s = ui_screen_by_id(u, ts->sid);
	(void)ok;
	(void)err;
	(void)o;
	if (s)
		tload_start(s, false, false);
	free(ts);
}

static void delete_confirmed(ui *u, void *arg, bool yes)
{
	tsel *ts = arg;
	if (!yes) {
		ui_msg(u, UI_INFO, "not deleted");
		free(ts);
		return;
	}
	const char *pairs[] = {"name", ts->name, NULL};
	tcui_run(u, "tariff", "delete", pairs, changed_done, ts);
}

static unsigned t_key(ui_screen *s, int key, int action)
{
	tscr *d = s->priv;
	size_t sel = d->loaded ? list_selected(&d->l) : (size_t)-1;
	const trow *t = sel != (size_t)-1 ? &d->rows[sel] : NULL;
	(void)key;
	switch (action) {
	case A_ADD:
		open_form(s->ui, NULL);
		return UI_HANDLED | UI_REDRAW;
	case A_REFRESH:
		tload_start(s, true, false);
		ui_msg(s->ui, UI_INFO, "counting free servers on every module");
		return UI_HANDLED;
	case A_EDIT:
	case A_DELETE:
	case A_TOGGLE:
		break;
	default:
		return UI_IGNORED;
	}
	if (!t) {
		ui_msg(s->ui, UI_INFO, "no tariff selected");
		return UI_HANDLED;
	}
	if (action == A_EDIT) {
		open_form(s->ui, t->r.t.name);
		return UI_HANDLED | UI_REDRAW;
	}
	tsel *ts = calloc(1, sizeof(*ts));
	if (!ts)
		return UI_HANDLED;
	ts->u = s->ui;
	ts->sid = s->id;
	dc_strlcpy(ts->name, t->r.t.name, sizeof(ts->name));
	if (action == A_TOGGLE) {
		const char *pairs[] = {"name", ts->name, NULL};
		tcui_run(s->ui, "tariff", t->r.t.enabled ? "disable" : "enable",
		         pairs, changed_done, ts);
		return UI_HANDLED;
	}
	char q[200];
	snprintf(q, sizeof(q),
	         "Delete tariff %s? Services on it keep it from being deleted.",
	         ts->name);
	ui_confirm(s->ui, "Delete tariff", q, NULL, delete_confirmed, ts);
	return UI_HANDLED | UI_REDRAW;
}

static unsigned t_tick(ui_screen *s)
{
	tload_start(s, false, true);
	return UI_HANDLED;
}

static list *t_list(ui_screen *s)
{
	return &((tscr *)s->priv)->l;
}

static void t_close(ui_screen *s)
{
	tscr *d = s->priv;
	list_free(&d->l);
	free(d->rows);
	free(d);
}

const ui_screen_ops tariffs_screen = {
    .name = "Tariffs",
    .keys = tkeys,
    .open = t_open,
    .draw = t_draw,
    .key = t_key,
    .tick = t_tick,
    .list = t_list,
    .close = t_close,
};

/* ---- the tariff form --------------------------------------------------------
 */

#define TF_LABEL 80

/* Check-box fields are named "module:NAME" / "addon:NAME", which no
 * fixed field name can clash with. */
typedef struct tf_mod {
	char name[DC_NAME_MAX];
	char field[DC_NAME_MAX + 8];
	char label[TF_LABEL];
	bool enabled;
} tf_mod;

typedef struct tf_addon {
	char name[DC_NAME_MAX];
	char field[DC_NAME_MAX + 8];
	char label[TF_LABEL];
	char help[DC_LIST_MAX + 256];
} tf_addon;

/* What the form needs, loaded on the worker. */
typedef struct tf_data {
	tf_mod *mods;
	size_t nmods;
	tf_addon *addons;
	size_t naddons;
	char **types;
	size_t ntypes;
	char types_note[300]; /* why the type list may be short */
	bool editing;
	dc_tariff t; /* the tariff being edited */
	char t_addons[DC_TARIFF_ADDONS_MAX][DC_NAME_MAX];
	char overrides[DC_LIST_MAX]; /* its own billing, as typed */
	char t_mods[DC_TARIFF_MODULES_MAX][DC_NAME_MAX];
} tf_data;

typedef struct tfscr {
	ui_screen *s;
	bool editing, loading, ready, busy;
	char edit_name[DC_NAME_MAX];
	char load_err[600];
	tf_data *data;
	form_field *fields;
	bool lists_as_text; /* too many modules/add-ons for check boxes */
	int first_mod, first_addon;
	form f;
} tfscr;

static void tf_data_free(tf_data *d)
{
	if (!d)
		return;
	free(d->mods);
	free(d->addons);
	for (size_t i = 0; i < d->ntypes; i++)
		free(d->types[i]);
	free(d->types);
	free(d);
}

typedef struct tfload {
	ui *u;
	unsigned long sid;
	cmd_ctx ctx;
	char edit_name[DC_NAME_MAX];
	tf_data *data;
	dc_err err;
	int rc;
} tfload;

static void tfload_fn(job *j, void *arg)
{
	tfload *fl = arg;
	dc_store *st;
	dc_module *mods = NULL;
	dc_addon *adds = NULL;
	size_t nm = 0, na = 0;
	inv_module *im = NULL;
	size_t ni = 0;
	const char **types = NULL;
	size_t nt = 0;
	tf_data *d;
	fl->ctx.cancel = job_cancel_flag(j);
	fl->rc = -1;
	if (!(st = app_store(fl->ctx.app, &fl->err)))
		return;
	if (!(d = calloc(1, sizeof(*d)))) {
		err_set(&fl->err, DC_E_NOMEM, "out of memory");
		return;
	}
	fl->data = d;
	if (fl->edit_name[0]) {
		d->editing = true;
		if (tariff_get_by_name(st, fl->edit_name, &d->t, &fl->err) < 0)
			return;
	}
	/* Counts (hence server types) older than the interval are renewed;
	 * a module that does not answer is named in the note. */
	if (tcmd_refresh(&fl->ctx, false, &fl->err) < 0 &&
	    fl->err.cat != DC_E_CANCELLED)
		return;
	if (module_list(st, &mods, &nm, &fl->err) < 0 ||
	    addon_list(st, &adds, &na, &fl->err) < 0 ||
	    inv_load(st, NULL, 0, &im, &ni, &fl->err) < 0 ||
	    inv_types_union(im, ni, &types, &nt, &fl->err) < 0)
		goto out;
	d->mods = calloc(nm ? nm : 1, sizeof(*d->mods));
	d->addons = calloc(na ? na : 1, sizeof(*d->addons));
	d->types = calloc(nt ? nt : 1, sizeof(*d->types));
	if (!d->mods || !d->addons || !d->types) {
		err_set(&fl->err, DC_E_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nm; i++) {
		tf_mod *m = &d->mods[d->nmods++];
		dc_strlcpy(m->name, mods[i].name, sizeof(m->name));
		snprintf(m->field, sizeof(m->field), "module:%s", m->name);
		m->enabled = mods[i].enabled;
		snprintf(m->label, sizeof(m->label), "module %s%s",
		         mods[i].name, mods[i].enabled ? "" : " (off)");
	}
	for (size_t i = 0; i < na; i++) {
		tf_addon *a = &d->addons[d->naddons++];
		char v[DC_LIST_MAX + 16];
		dc_strlcpy(a->name, adds[i].name, sizeof(a->name));
		snprintf(a->field, sizeof(a->field), "addon:%s", a->name);
		snprintf(a->label, sizeof(a->label), "add-on %s", adds[i].name);
		snprintf(a->help, sizeof(a->help),
		         "Space: in the tariff. %s (%s): %s %s %s",
		         adds[i].name, adds[i].kind,
		         model_billing_name(adds[i].v.billing),
		         model_addon_values_str(&adds[i].v, v, sizeof(v)),
		         model_addon_unit(adds[i].kind_id));
	}
	for (size_t i = 0; i < nt; i++)
		if ((d->types[d->ntypes] = strdup(types[i])))
			d->ntypes++;
	size_t off = 0;
	for (size_t i = 0; i < ni && off < sizeof(d->types_note); i++) {
		if (!im[i].enabled ||
		    (im[i].servers.at && !im[i].servers.error[0]))
			continue;
		int w =
		    snprintf(d->types_note + off, sizeof(d->types_note) - off,
		             "%s%s: %s", off ? "; " : "not asked: ", im[i].name,
		             im[i].servers.error[0] ? im[i].servers.error
		                                    : "never counted");
		if (w > 0)
			off += (size_t)w;
	}
	if (d->editing) {
		for (size_t i = 0; i < d->t.nmodules; i++)
			for (size_t k = 0; k < nm; k++)
				if (mods[k].id == d->t.modules[i])
					dc_strlcpy(d->t_mods[i], mods[k].name,
					           DC_NAME_MAX);
		size_t o2 = 0;
		for (size_t i = 0; i < d->t.naddons; i++)
			for (size_t k = 0; k < na; k++) {
				if (adds[k].id != d->t.addons[i].addon_id)
					continue;
				dc_strlcpy(d->t_addons[i], adds[k].name,
				           DC_NAME_MAX);
				if (!d->t.addons[i].override ||
				    o2 >= sizeof(d->overrides))
					continue;
				char v[DC_LIST_MAX];
				int w = snprintf(
				    d->overrides + o2,
				    sizeof(d->overrides) - o2, "%s%s=%s:%s",
				    o2 ? ";" : "", adds[k].name,
				    model_billing_name(
				        d->t.addons[i].v.billing),
				    model_addon_values_str(&d->t.addons[i].v, v,
				                           sizeof(v)));
				if (w > 0)
					o2 += (size_t)w;
			}
	}
	fl->rc = 0;
out:
	free(mods);
	free(adds);
	free(types);
	inv_modules_free(im, ni);
}

static int check_name(const char *v, void *ctx, char *why, size_t len)
{
	dc_err e;
	(void)ctx;
	if (model_check_field(DC_ENT_TARIFF, "name", v, &e) == 0)
		return 0;
	snprintf(why, len, "%s", e.msg);
	return -1;
}

static int check_overrides(const char *v, void *ctx, char *why, size_t len)
{
	(void)ctx;
	/* "a=b:c;d=e:f": each part needs its '=' and ':' (the command
	 * checks the values themselves). */
	for (const char *p = v; p && *p;) {
		const char *e = strchr(p, ';');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		const char *eq = memchr(p, '=', n), *co = memchr(p, ':', n);
		if (n && (!eq || !co || co < eq)) {
			snprintf(
			    why, len,
			    "write ADDON=BILLING:VALUES, ';' between them");
			return -1;
		}
		p = e ? e + 1 : NULL;
	}
	return 0;
}

/* Builds the fields from the loaded data (main thread). */
static int tf_build(tfscr *fs)
{
	tf_data *d = fs->data;
	size_t n = 3 + d->nmods + d->naddons + 1;
	fs->lists_as_text = n > FORM_MAX;
	if (fs->lists_as_text)
		n = 3 + 2 + 1;
	fs->fields = calloc(n + 1, sizeof(*fs->fields));
	if (!fs->fields)
		return -1;
	form_field *f = fs->fields;
	int k = 0;
	f[k++] = (form_field){.name = "name",
	                      .label = "Name",
	                      .kind = FF_TEXT,
	                      .required = true,
	                      .check = {check_name},
	                      .help = "1-64 characters; unique"};
	f[k++] = (form_field){.name = "server-type",
	                      .label = "Server type",
	                      .kind = FF_SELECT,
	                      .required = true,
	                      .help = "the types the modules' DCImanagers "
	                              "have (Space/arrows to choose)"};
	f[k++] = (form_field){.name = "enabled",
	                      .label = "Enabled",
	                      .kind = FF_CHECK,
	                      .help = "a disabled tariff cannot be ordered"};
	fs->first_mod = k;
	if (fs->lists_as_text) {
		f[k++] =
		    (form_field){.name = "module",
		                 .label = "Modules",
		                 .kind = FF_TEXT,
		                 .required = true,
		                 .help = "module names, separated by commas"};
		fs->first_addon = k;
		f[k++] =
		    (form_field){.name = "addon",
		                 .label = "Add-ons",
		                 .kind = FF_TEXT,
		                 .help = "add-on names, separated by commas"};
	} else {
		for (size_t i = 0; i < d->nmods; i++)
			f[k++] = (form_field){
			    .name = d->mods[i].field,
			    .label = d->mods[i].label,
			    .kind = FF_CHECK,
			    .help = "Space: the tariff may use this module"};
		fs->first_addon = k;
		for (size_t i = 0; i < d->naddons; i++)
			f[k++] = (form_field){.name = d->addons[i].field,
			                      .label = d->addons[i].label,
			                      .kind = FF_CHECK,
			                      .help = d->addons[i].help};
	}
	f[k++] = (form_field){
	    .name = "overrides",
	    .label = "Tariff's own billing",
	    .kind = FF_TEXT,
	    .check = {check_overrides},
	    .help = "optional, e.g. ram=client:8192,16384;ipv4=client:0..4"};
	f[k].name = NULL;
	return 0;
}

static void tf_fill(tfscr *fs)
{
	tf_data *d = fs->data;
	form *f = &fs->f;
	form_set_choices(f, "server-type", (const char *const *)d->types,
	                 d->ntypes);
	f->checked[2] = d->editing ? d->t.enabled : true;
	if (!d->editing) {
		/* A new tariff starts with every enabled module ticked: the
		 * usual case is one location. */
		for (size_t i = 0; !fs->lists_as_text && i < d->nmods; i++)
			f->checked[fs->first_mod + (int)i] = d->mods[i].enabled;
		if (d->types_note[0])
			snprintf(f->note, sizeof(f->note), "%.150s",
			         d->types_note);
		return;
	}
	form_set(f, "name", d->t.name);
	form_set(f, "server-type", d->t.server_type);
	form_set(f, "overrides", d->overrides);
	if (fs->lists_as_text) {
		char buf[1200];
		size_t off = 0;
		buf[0] = '\0';
		for (size_t i = 0; i < d->t.nmodules && off < sizeof(buf); i++)
			off += (size_t)snprintf(buf + off, sizeof(buf) - off,
			                        "%s%s", i ? "," : "",
			                        d->t_mods[i]);
		le_set(&f->val[fs->first_mod], buf);
		off = 0;
		buf[0] = '\0';
		for (size_t i = 0; i < d->t.naddons && off < sizeof(buf); i++)
			off += (size_t)snprintf(buf + off, sizeof(buf) - off,
			                        "%s%s", i ? "," : "",
			                        d->t_addons[i]);
		le_set(&f->val[fs->first_addon], buf);
		return;
	}
	for (size_t i = 0; i < d->nmods; i++)
		for (size_t k = 0; k < d->t.nmodules; k++)
			if (!strcmp(d->mods[i].name, d->t_mods[k]))
				f->checked[fs->first_mod + (int)i] = true;
	for (size_t i = 0; i < d->naddons; i++)
		for (size_t k = 0; k < d->t.naddons; k++)
			if (!strcmp(d->addons[i].name, d->t_addons[k]))
				f->checked[fs->first_addon + (int)i] = true;
}

static void tfload_done(job *j, void *arg)
{
	tfload *fl = arg;
	ui_screen *s = ui_screen_by_id(fl->u, fl->sid);
	char line[700];
	(void)j;
	if (!s) {
		tf_data_free(fl->data);
		free(fl);
		return;
	}
	tfscr *fs = s->priv;
	fs->loading = false;
	if (fl->rc < 0) {
		snprintf(fs->load_err, sizeof(fs->load_err), "%s",
		         err_line(&fl->err, line, sizeof(line)));
		tf_data_free(fl->data);
	} else {
		fs->data = fl->data;
		if (tf_build(fs) < 0) {
			snprintf(fs->load_err, sizeof(fs->load_err),
			         "out of memory");
		} else {
			form_init(&fs->f, fs->fields, fs);
			tf_fill(fs);
			fs->ready = true;
		}
	}
	free(fl);
}

static int tf_open(ui_screen *s, const cmd_args *a, dc_err *err)
{
	tfscr *fs = calloc(1, sizeof(*fs));
	tfload *fl;
	if (!fs)
		return err_set(err, DC_E_NOMEM, "out of memory");
	fs->s = s;
	s->priv = fs;
	if (a && cmd_args_cmd(a) && !strcmp(cmd_args_cmd(a)->verb, "edit") &&
	    cmd_arg(a, "name")) {
		fs->editing = true;
		dc_strlcpy(fs->edit_name, cmd_arg(a, "name"),
		           sizeof(fs->edit_name));
		snprintf(s->title, sizeof(s->title), "Edit %.50s",
		         fs->edit_name);
	} else {
		snprintf(s->title, sizeof(s->title), "New tariff");
	}
	fl = calloc(1, sizeof(*fl));
	if (!fl)
		return err_set(err, DC_E_NOMEM, "out of memory");
	fl->u = s->ui;
	fl->sid = s->id;
	fl->ctx = ui_cmd_ctx(s->ui);
	dc_strlcpy(fl->edit_name, fs->edit_name, sizeof(fl->edit_name));
	if (!ui_job(s->ui, "loading modules, add-ons and server types",
	            tfload_fn, fl, tfload_done)) {
		free(fl);
		return err_set(err, DC_E_NOMEM, "out of memory");
	}
	fs->loading = true;
	return 0;
}

static void tf_draw(ui_screen *s, ui_rect r)
{
	tfscr *fs = s->priv;
	draw_clear(r, ROLE_NORMAL);
	if (!fs->ready) {
		draw_text(r.y, r.x + 2, r.w - 2,
		          fs->load_err[0] ? ROLE_ERROR : ROLE_DIM,
		          fs->load_err[0] ? fs->load_err
		                          : "loading modules, add-ons and the "
		                            "server types of the modules...",
		          true);
		return;
	}
	form_draw(&fs->f, r, s->ui);
}

/* The form field that stands for a refused field of the command. */
static const char *tf_field_for(tfscr *fs, const char *field)
{
	if (!strcmp(field, "name") || !strcmp(field, "server_type"))
		return !strcmp(field, "name") ? "name" : "server-type";
	if (!strcmp(field, "modules"))
		return fs->first_mod < fs->first_addon
		           ? fs->fields[fs->first_mod].name
		           : NULL;
	if (!strcmp(field, "addons"))
		return fs->first_addon < fs->f.n - 1
		           ? fs->fields[fs->first_addon].name
		           : "overrides";
	return NULL;
}

static void tf_saved(ui *u, bool ok, const dc_err *err, const out *o, void *arg)
{
	unsigned long sid = (unsigned long)(uintptr_t)arg;
	ui_screen *s = ui_screen_by_id(u, sid);
	(void)o;
	if (!s)
		return;
	tfscr *fs = s->priv;
	fs->busy = false;
	if (ok) {
		if (ui_top(u) == s)
			ui_pop(u);
		/* The list under the form shows the change at once. */
		ui_screen *top = ui_top(u);
		if (top && top->ops == &tariffs_screen)
			tload_start(top, false, false);
		return;
	}
	const char *fld =
	    err && err->field[0] ? tf_field_for(fs, err->field) : NULL;
	if (fld && form_index(&fs->f, fld) >= 0) {
		form_set_error(&fs->f, fld, err->msg);
		fs->f.focus = form_index(&fs->f, fld);
	}
	snprintf(fs->f.note, sizeof(fs->f.note), "not saved: %.140s",
	         err ? err->msg : "?");
}

/* The items of a comma-separated list, blanks trimmed, into store[]. */
static size_t split_list(const char *text, char (*store)[DC_NAME_MAX + 1],
                         size_t cap)
{
	size_t k = 0;
	for (const char *p = text; p && *p && k < cap;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		while (n && *p == ' ')
			p++, n--;
		while (n && p[n - 1] == ' ')
			n--;
		if (n && n <= DC_NAME_MAX) {
			memcpy(store[k], p, n);
			store[k++][n] = '\0';
		}
		p = e ? e + 1 : NULL;
	}
	return k;
}

/* "NAME=BILLING:VALUES" for add-on name when the overrides text has one,
 * else just the name. */
static void addon_spec(const char *name, const char *ov, char *spec, size_t len)
{
	size_t nl = strlen(name);
	snprintf(spec, len, "%s", name);
	for (const char *p = ov; p && *p;) {
		const char *e = strchr(p, ';');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		while (n && *p == ' ')
			p++, n--;
		while (n && p[n - 1] == ' ')
			n--;
		if (n > nl && !strncmp(p, name, nl) && p[nl] == '=')
			snprintf(spec, len, "%.*s", (int)n, p);
		p = e ? e + 1 : NULL;
	}
}

#define TF_PAIRS (2 * (DC_TARIFF_MODULES_MAX + DC_TARIFF_ADDONS_MAX + 8) + 1)

static void tf_submit(ui_screen *s, tfscr *fs)
{
	char mods[DC_TARIFF_MODULES_MAX][DC_NAME_MAX + 1];
	char adds[DC_TARIFF_ADDONS_MAX][DC_NAME_MAX + 1];
	char specs[DC_TARIFF_ADDONS_MAX][DC_NAME_MAX + DC_LIST_MAX + 16];
	const char *pairs[TF_PAIRS];
	size_t np = 0, nm = 0, na = 0;
	form *f = &fs->f;
	const char *ov = form_get(f, "overrides");
	if (fs->busy) {
		ui_msg(s->ui, UI_INFO, "already saving");
		return;
	}
	if (fs->lists_as_text) {
		nm = split_list(form_get(f, "module"), mods,
		                DC_TARIFF_MODULES_MAX);
		na = split_list(form_get(f, "addon"), adds,
		                DC_TARIFF_ADDONS_MAX);
	} else {
		for (size_t i = 0; i < fs->data->nmods; i++)
			if (f->checked[fs->first_mod + (int)i] &&
			    nm < DC_TARIFF_MODULES_MAX)
				dc_strlcpy(mods[nm++], fs->data->mods[i].name,
				           sizeof(mods[0]));
		for (size_t i = 0; i < fs->data->naddons; i++)
			if (f->checked[fs->first_addon + (int)i] &&
			    na < DC_TARIFF_ADDONS_MAX)
				dc_strlcpy(adds[na++], fs->data->addons[i].name,
				           sizeof(adds[0]));
	}
	/* Pairs end at a NULL name; a flag is a name with a NULL value. */
	pairs[np++] = "name";
	pairs[np++] = fs->editing ? fs->edit_name : form_get(f, "name");
	if (fs->editing && strcmp(fs->edit_name, form_get(f, "name"))) {
		pairs[np++] = "new-name";
		pairs[np++] = form_get(f, "name");
	}
	pairs[np++] = "server-type";
	pairs[np++] = form_get(f, "server-type");
	if (fs->editing) {
		pairs[np++] = "enabled";
		pairs[np++] = f->checked[2] ? "yes" : "no";
	} else if (!f->checked[2]) {
		pairs[np++] = "disabled";
		pairs[np++] = NULL;
	}
	for (size_t i = 0; i < nm; i++) {
		pairs[np++] = "module";
		pairs[np++] = mods[i];
	}
	for (size_t i = 0; i < na; i++) {
		addon_spec(adds[i], ov, specs[i], sizeof(specs[i]));
		pairs[np++] = "addon";
		pairs[np++] = specs[i];
	}
	if (fs->editing && na == 0) {
		pairs[np++] = "no-addons";
		pairs[np++] = NULL;
	}
	pairs[np] = NULL;
	fs->busy = true;
	f->note[0] = '\0';
	if (tcui_run(s->ui, "tariff", fs->editing ? "edit" : "add", pairs,
	             tf_saved, (void *)(uintptr_t)s->id) < 0)
		fs->busy = false;
}

static unsigned tf_key(ui_screen *s, int key, int action)
{
	tfscr *fs = s->priv;
	(void)action;
	if (!fs->ready) {
		if (key == UIK_ESC)
			return UI_BACK;
		return UI_IGNORED;
	}
	if (key == UIK_F(1))
		return UI_IGNORED;
	unsigned r = form_key(&fs->f, key);
	if (r & FORM_CANCEL)
		return UI_BACK;
	if (r & FORM_SUBMIT)
		tf_submit(s, fs);
	return UI_HANDLED | UI_REDRAW;
}

static void tf_close(ui_screen *s)
{
	tfscr *fs = s->priv;
	if (fs->ready)
		form_free(&fs->f);
	free(fs->fields);
	tf_data_free(fs->data);
	free(fs);
}

const ui_screen_ops tariff_form_screen = {
    .name = "Tariff",
    .keys = form_keys,
    .open = tf_open,
    .draw = tf_draw,
    .key = tf_key,
    .close = tf_close,
    .text_input = true,
};
