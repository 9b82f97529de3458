/* scr_addons.c - the Add-ons screen (name, kind, billing, values, unit and
 * the tariffs that use each; a add, e edit, d delete) and the add-on form
 * (kind chosen from the nine kinds and special_ip_block_<type> for every
 * address type the modules' IPmanagers have; billing included, client or
 * none; one value, a list or a MIN..MAX range).
 *
 * Loading runs on the jobs worker; saving runs `addon add|edit` through
 * cmd_exec, which checks OS values and IP types against the panels and
 * names the field of a refusal. */
#include "app.h"
#include "cmd_tariff.h"
#include "form.h"
#include "store.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the list -------------------------------------------------------------
 */

typedef struct arow {
	dc_addon a;
	char values[DC_LIST_MAX + 16];
	char tariffs[300];
} arow;

enum { A_ADD = 1, A_EDIT, A_DELETE };

typedef struct ascr {
	ui_screen *s;
	arow *rows;
	size_t n;
	list l;
	bool loading, loaded;
	char load_err[600];
} ascr;

static const list_col acols[] = {
    {"NAME", 0, 8, 0},    {"KIND", 0, 8, 0}, {"BILLING", 8, 0, 0},
    {"VALUES", 0, 10, 0}, {"UNIT", 5, 0, 0}, {"TARIFFS", 0, 8, 0},
};

static const char *acell(void *data, size_t row, int col, char *buf, size_t len)
{
	const arow *r = &((ascr *)data)->rows[row];
	(void)buf;
	(void)len;
	switch (col) {
	case 0:
		return r->a.name;
	case 1:
		return r->a.kind;
	case 2:
		return model_billing_name(r->a.v.billing);
	case 3:
		return r->values;
	case 4:
		return model_addon_unit(r->a.kind_id);
	case 5:
		return r->tariffs;
	}
	return "";
}

typedef struct aload {
	ui *u;
	unsigned long sid;
	cmd_ctx ctx;
	arow *rows;
	size_t n;
	dc_err err;
	int rc;
} aload;

static void aload_fn(job *j, void *arg)
{
	aload *al = arg;
	dc_store *st;
	dc_addon *v = NULL;
	dc_tariff *t = NULL;
	size_t n = 0, nt = 0;
	(void)j;
	al->rc = -1;
	if (!(st = app_store(al->ctx.app, &al->err)) ||
	    addon_list(st, &v, &n, &al->err) < 0 ||
	    tariff_list(st, &t, &nt, &al->err) < 0)
		goto out;
	al->rows = calloc(n ? n : 1, sizeof(arow));
	if (!al->rows) {
		err_set(&al->err, DC_E_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		arow *r = &al->rows[i];
		size_t off = 0, used = 0;
		r->a = v[i];
		model_addon_values_str(&v[i].v, r->values, sizeof(r->values));
		snprintf(r->tariffs, sizeof(r->tariffs), "-");
		for (size_t k = 0; k < nt; k++)
			for (size_t m = 0; m < t[k].naddons; m++) {
				if (t[k].addons[m].addon_id != v[i].id ||
				    off >= sizeof(r->tariffs))
					continue;
				int w = snprintf(
				    r->tariffs + off, sizeof(r->tariffs) - off,
				    "%s%s%s", used ? "," : "", t[k].name,
				    t[k].addons[m].override ? "*" : "");
				if (w > 0)
					off += (size_t)w;
				used++;
			}
	}
	al->n = n;
	al->rc = 0;
out:
	free(v);
	free(t);
}

static void aload_done(job *j, void *arg)
{
	aload *al = arg;
	ui_screen *s = ui_screen_by_id(al->u, al->sid);
	char line[700];
	(void)j;
	if (s) {
		ascr *d = s->priv;
		d->loading = false;
		if (al->rc < 0) {
			snprintf(d->load_err, sizeof(d->load_err), "%s",
			         err_line(&al->err, line, sizeof(line)));
			free(al->rows);
		} else {
			free(d->rows);
			d->rows = al->rows;
			d->n = al->n;
			d->loaded = true;
			d->load_err[0] = '\0';
			list_set_rows(&d->l, d->n);
		}
	} else {
		free(al->rows);
	}
	free(al);
}

static void aload_start(ui_screen *s, bool bg)
{
	ascr *d = s->priv;
	aload *al;
	if (d->loading)
		return;
	if (!(al = calloc(1, sizeof(*al))))
		return;
	al->u = s->ui;
	al->sid = s->id;
	al->ctx = ui_cmd_ctx(s->ui);
	if (!(bg ? ui_job_bg : ui_job)(s->ui, "add-ons", aload_fn, al,
	                               aload_done)) {
		free(al);
		return;
	}
	d->loading = true;
}

static const ui_key akeys[] = {
    {'a', "add", "add an add-on (form)", A_ADD},
    {'e', "edit", "change the selected add-on's billing or values", A_EDIT},
    {'\n', NULL, "edit the selected add-on", A_EDIT},
    {'d', "delete", "delete the selected add-on (asks first)", A_DELETE},
    {0, NULL, NULL, 0},
};

static int a_open(ui_screen *s, const cmd_args *a, dc_err *err)
{
	ascr *d = calloc(1, sizeof(*d));
	(void)a;
	if (!d)
		return err_set(err, DC_E_NOMEM, "out of memory");
	d->s = s;
	s->priv = d;
	list_init(&d->l, acols, (int)(sizeof(acols) / sizeof(acols[0])), acell,
	          d);
	d->l.header = true;
	d->l.cursor = true;
	list_set_rows(&d->l, 0);
	aload_start(s, false);
	return 0;
}

static void a_draw(ui_screen *s, ui_rect r)
{
	ascr *d = s->priv;
	draw_clear(r, ROLE_NORMAL);
	if (!d->loaded) {
		draw_text(r.y, r.x, r.w, d->load_err[0] ? ROLE_ERROR : ROLE_DIM,
		          d->load_err[0] ? d->load_err : "loading add-ons...",
		          true);
		return;
	}
	if (d->n == 0) {
		draw_text(r.y, r.x, r.w, ROLE_DIM,
		          "No add-ons yet. a: add one (ram, os, ns, panel, "
		          "portspeed, traffic, IP counts, special IP blocks).",
		          true);
		return;
	}
	ui_rect lr = {r.y, r.x, r.h - 1, r.w};
	list_draw(&d->l, lr);
	draw_text(r.y + r.h - 1, r.x, r.w, ROLE_DIM,
	          "TARIFFS: * = the tariff sets its own billing for it", true);
}

static void open_aform(ui *u, const char *edit_name)
{
	const cmd_def *c = cmd_find("addon", edit_name ? "edit" : "add");
	cmd_args *a = c ? cmd_args_new(c) : NULL;
	dc_err err;
	if (!a)
		return;
	if (edit_name && cmd_args_add(a, "name", edit_name, &err) < 0) {
		cmd_args_free(a);
		return;
	}
	ui_push(u, &addon_form_screen, a);
	cmd_args_free(a);
}

static void a_changed(ui *u, bool ok, const dc_err *err, const out *o,
                      void *arg)
{
	ui_screen *s = ui_screen_by_id(u, (unsigned long)(uintptr_t)arg);
	(void)ok;
	(void)err;
	(void)o;
	if (s)
		aload_start(s, false);
}

typedef struct adel {
	unsigned long sid;
	char name[DC_NAME_MAX];
} adel;

static void a_delete_confirmed(ui *u, void *arg, bool yes)
{
	adel *ad = arg;
	if (yes) {
		const char *pairs[] = {"name", ad->name, NULL};
		tcui_run(u, "addon", "delete", pairs, a_changed,
		         (void *)(uintptr_t)ad->sid);
	} else {
		ui_msg(u, UI_INFO, "not deleted");
	}
	free(ad);
}

static unsigned a_key(ui_screen *s, int key, int action)
{
	ascr *d = s->priv;
	size_t sel = d->loaded ? list_selected(&d->l) : (size_t)-1;
	(void)key;
	if (action == A_ADD) {
		open_aform(s->ui, NULL);
		return UI_HANDLED | UI_REDRAW;
	}
	if (action != A_EDIT && action != A_DELETE)
		return UI_IGNORED;
	if (sel == (size_t)-1) {
		ui_msg(s->ui, UI_INFO, "no add-on selected");
		return UI_HANDLED;
	}
	if (action == A_EDIT) {
		open_aform(s->ui, d->rows[sel].a.name);
		return UI_HANDLED | UI_REDRAW;
	}
	adel *ad = calloc(1, sizeof(*ad));
	if (!ad)
		return UI_HANDLED;
	ad->sid = s->id;
	dc_strlcpy(ad->name, d->rows[sel].a.name, sizeof(ad->name));
	char q[200];
	snprintf(q, sizeof(q),
	         "Delete add-on %s? Tariffs using it keep it from being "
	         "deleted.",
	         ad->name);
	ui_confirm(s->ui, "Delete add-on", q, NULL, a_delete_confirmed, ad);
	return UI_HANDLED | UI_REDRAW;
}

static unsigned a_tick(ui_screen *s)
{
	aload_start(s, true);
	return UI_HANDLED;
}

static list *a_list(ui_screen *s)
{
	return &((ascr *)s->priv)->l;
}

static void a_close(ui_screen *s)
{
	ascr *d = s->priv;
	list_free(&d->l);
	free(d->rows);
	free(d);
}

const ui_screen_ops addons_screen = {
    .name = "Add-ons",
    .keys = akeys,
    .open = a_open,
    .draw = a_draw,
    .key = a_key,
    .tick = a_tick,
    .list = a_list,
    .close = a_close,
};

/* ---- the form
 * ----------------------------------------------------------------- */

static const char *const billings[] = {"client", "included", "none", NULL};

static int check_addon_name(const char *v, void *ctx, char *why, size_t len)
{
	dc_err e;
	(void)ctx;
	if (!*v) /* a special block takes its kind as name */
		return 0;
	if (model_check_addon_name("name", v, &e) == 0)
		return 0;
	snprintf(why, len, "%s", e.msg);
	return -1;
}

static const form_field add_fields[] = {
    {.name = "name",
     .label = "Internal name",
     .kind = FF_TEXT,
     .check = {check_addon_name},
     .help = "[a-z0-9_]; empty for a special IP block: its kind is its "
             "name"},
    {.name = "kind",
     .label = "Kind",
     .kind = FF_SELECT,
     .required = true,
     .help = "Space/arrows; special_ip_block_<type>: types of the "
             "modules' IPmanagers"},
    {.name = "billing",
     .label = "Billing",
     .kind = FF_SELECT,
     .choices = billings,
     .required = true,
     .help = "client selects / included (fixed) / none (do not count)"},
    {.name = "values",
     .label = "Value(s)",
     .kind = FF_TEXT,
     .help = "included/none: one value; client: a,b,c (or use the range)"},
    {.name = "range",
     .label = "Range MIN..MAX",
     .kind = FF_TEXT,
     .help = "client, numeric kinds: e.g. 0..8 instead of a list"},
    {.name = NULL},
};

typedef struct afscr {
	bool editing, loading, ready, busy;
	char edit_name[DC_NAME_MAX];
	char load_err[600];
	dc_addon cur; /* editing: the add-on as stored */
	char **kinds; /* choices of the kind field */
	size_t nkinds;
	char note[300]; /* IPmanagers that did not answer */
	form f;
} afscr;

typedef struct afload {
	ui *u;
	unsigned long sid;
	cmd_ctx ctx;
	char edit_name[DC_NAME_MAX];
	dc_addon cur;
	char **kinds;
	size_t nkinds;
	char note[300];
	dc_err err;
	int rc;
} afload;

static void free_kinds(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int push_kind(afload *al, const char *k)
{
	char **nv = realloc(al->kinds, (al->nkinds + 1) * sizeof(*nv));
	if (!nv)
		return -1;
	al->kinds = nv;
	if (!(al->kinds[al->nkinds] = strdup(k)))
		return -1;
	al->nkinds++;
	return 0;
}

static void afload_fn(job *j, void *arg)
{
	afload *al = arg;
	dc_store *st;
	inv_module *m = NULL;
	size_t n = 0;
	al->ctx.cancel = job_cancel_flag(j);
	al->rc = -1;
	if (!(st = app_store(al->ctx.app, &al->err)))
		return;
	if (al->edit_name[0]) {
		if (addon_get_by_name(st, al->edit_name, &al->cur, &al->err) <
		        0 ||
		    push_kind(al, al->cur.kind) < 0)
			return;
		al->rc = 0;
		return;
	}
	for (int k = 0; k < DC_ADDON_SPECIAL_IP; k++)
		if (push_kind(al, model_addon_kind_name((dc_addon_kind)k)) < 0)
			return;
	inv_opts o = tcmd_inv_opts(&al->ctx);
	if (inv_fetch(st, NULL, 0, INV_IPTYPES,
	              al->ctx.app->cfg.availability_refresh_ms, &o, NULL,
	              &al->err) < 0 &&
	    al->err.cat != DC_E_CANCELLED)
		return;
	if (inv_load(st, NULL, 0, &m, &n, &al->err) < 0)
		return;
	/* Every IP type any module's IPmanager has, once. */
	for (size_t i = 0; i < n; i++) {
		if (!m[i].enabled)
			continue;
		if (!m[i].iptypes.at || m[i].iptypes.error[0]) {
			size_t l = strlen(al->note);
			snprintf(al->note + l, sizeof(al->note) - l,
			         "%s%s: IP types not known (%.80s)",
			         l ? "; " : "", m[i].name,
			         m[i].iptypes.error[0] ? m[i].iptypes.error
			                               : "not asked");
			continue;
		}
		for (size_t k = 0; k < m[i].niptypes; k++) {
			char kind[DC_NAME_MAX + 32];
			bool seen = false;
			snprintf(kind, sizeof(kind), "%s%s",
			         DC_SPECIAL_IP_PREFIX, m[i].iptype_names[k]);
			for (size_t q = 0; q < al->nkinds && !seen; q++)
				seen = !strcmp(al->kinds[q], kind);
			if (!seen && push_kind(al, kind) < 0)
				goto out;
		}
	}
	al->rc = 0;
out:
	inv_modules_free(m, n);
}

static void afload_done(job *j, void *arg)
{
	afload *al = arg;
	ui_screen *s = ui_screen_by_id(al->u, al->sid);
	char line[700];
	(void)j;
	if (!s) {
		free_kinds(al->kinds, al->nkinds);
		free(al);
		return;
	}
	afscr *fs = s->priv;
	fs->loading = false;
	fs->kinds = al->kinds;
	fs->nkinds = al->nkinds;
	if (al->rc < 0) {
		snprintf(fs->load_err, sizeof(fs->load_err), "%s",
		         err_line(&al->err, line, sizeof(line)));
		free(al);
		return;
	}
	form_set_choices(&fs->f, "kind", (const char *const *)fs->kinds,
	                 fs->nkinds);
	if (al->edit_name[0]) {
		char v[DC_LIST_MAX + 16];
		fs->cur = al->cur;
		form_set(&fs->f, "name", fs->cur.name);
		form_set(&fs->f, "kind", fs->cur.kind);
		form_set(&fs->f, "billing",
		         model_billing_name(fs->cur.v.billing));
		model_addon_values_str(&fs->cur.v, v, sizeof(v));
		form_set(&fs->f, fs->cur.v.is_range ? "range" : "values", v);
	} else if (al->note[0]) {
		snprintf(fs->f.note, sizeof(fs->f.note), "%.150s", al->note);
	}
	fs->ready = true;
	free(al);
}

static int af_open(ui_screen *s, const cmd_args *a, dc_err *err)
{
	afscr *fs = calloc(1, sizeof(*fs));
	afload *al;
	if (!fs)
		return err_set(err, DC_E_NOMEM, "out of memory");
	s->priv = fs;
	form_init(&fs->f, add_fields, fs);
	if (a && cmd_args_cmd(a) && !strcmp(cmd_args_cmd(a)->verb, "edit") &&
	    cmd_arg(a, "name")) {
		fs->editing = true;
		dc_strlcpy(fs->edit_name, cmd_arg(a, "name"),
		           sizeof(fs->edit_name));
		snprintf(s->title, sizeof(s->title), "Edit %.50s",
		         fs->edit_name);
	} else {
		snprintf(s->title, sizeof(s->title), "New add-on");
		/* values typed on the : line prefill the form */
		for (const form_field *f = add_fields; a && f->name; f++)
			if (cmd_arg(a, f->name))
				form_set(&fs->f, f->name, cmd_arg(a, f->name));
	}
	if (!(al = calloc(1, sizeof(*al))))
		return err_set(err, DC_E_NOMEM, "out of memory");
	al->u = s->ui;
	al->sid = s->id;
	al->ctx = ui_cmd_ctx(s->ui);
	dc_strlcpy(al->edit_name, fs->edit_name, sizeof(al->edit_name));
	if (!ui_job(s->ui, "loading add-on kinds and IP types", afload_fn, al,
	            afload_done)) {
		free(al);
		return err_set(err, DC_E_NOMEM, "out of memory");
	}
	fs->loading = true;
	return 0;
}

static void af_draw(ui_screen *s, ui_rect r)
{
	afscr *fs = s->priv;
	draw_clear(r, ROLE_NORMAL);
	if (!fs->ready) {
		draw_text(r.y, r.x + 2, r.w - 2,
		          fs->load_err[0] ? ROLE_ERROR : ROLE_DIM,
		          fs->load_err[0] ? fs->load_err
		                          : "loading kinds and the IP types of "
		                            "the modules' IPmanagers...",
		          true);
		return;
	}
	form_draw(&fs->f, r, s->ui);
	if (fs->editing && r.h > 0)
		draw_text(r.y, r.x + 2, r.w - 2, ROLE_DIM,
		          "name and kind stay; billing and values change",
		          true);
}

static void af_saved(ui *u, bool ok, const dc_err *err, const out *o, void *arg)
{
	ui_screen *s = ui_screen_by_id(u, (unsigned long)(uintptr_t)arg);
	(void)o;
	if (!s)
		return;
	afscr *fs = s->priv;
	fs->busy = false;
	if (ok) {
		if (ui_top(u) == s)
			ui_pop(u);
		ui_screen *top = ui_top(u);
		if (top && top->ops == &addons_screen)
			aload_start(top, false);
		return;
	}
	if (err && err->field[0] && form_index(&fs->f, err->field) >= 0)
		form_set_error(&fs->f, err->field, err->msg);
	snprintf(fs->f.note, sizeof(fs->f.note), "not saved: %.140s",
	         err ? err->msg : "?");
}

static void af_submit(ui_screen *s, afscr *fs)
{
	const char *pairs[16];
	size_t np = 0;
	form *f = &fs->f;
	const char *name = form_get(f, "name"), *kind = form_get(f, "kind");
	const char *values = form_get(f, "values"),
	           *range = form_get(f, "range");
	if (fs->busy)
		return;
	if (!*name &&
	    !strncmp(kind, DC_SPECIAL_IP_PREFIX, strlen(DC_SPECIAL_IP_PREFIX)))
		name = kind;
	pairs[np++] = "name";
	pairs[np++] = fs->editing ? fs->edit_name : name;
	if (!fs->editing) {
		pairs[np++] = "kind";
		pairs[np++] = kind;
	}
	pairs[np++] = "billing";
	pairs[np++] = form_get(f, "billing");
	if (*values) {
		pairs[np++] = "values";
		pairs[np++] = values;
	}
	if (*range) {
		pairs[np++] = "range";
		pairs[np++] = range;
	}
	pairs[np] = NULL;
	fs->busy = true;
	f->note[0] = '\0';
	if (tcui_run(s->ui, "addon", fs->editing ? "edit" : "add", pairs,
	             af_saved, (void *)(uintptr_t)s->id) < 0)
		fs->busy = false;
}

static unsigned af_key(ui_screen *s, int key, int action)
{
	afscr *fs = s->priv;
	(void)action;
	if (!fs->ready)
		return key == UIK_ESC ? UI_BACK : UI_IGNORED;
	if (key == UIK_F(1))
		return UI_IGNORED;
	/* Name and kind of a stored add-on do not change. */
	if (fs->editing && fs->f.focus < 2 && key != UIK_TAB &&
	    key != UIK_BTAB && key != UIK_UP && key != UIK_DOWN &&
	    key != UIK_ENTER && key != UIK_ESC) {
		ui_msg(s->ui, UI_INFO,
		       "name and kind of an add-on do not change; add a new "
		       "one instead");
		return UI_HANDLED;
	}
	unsigned r = form_key(&fs->f, key);
	if (r & FORM_CANCEL)
		return UI_BACK;
	if (r & FORM_SUBMIT)
		af_submit(s, fs);
	return UI_HANDLED | UI_REDRAW;
}

static void af_close(ui_screen *s)
{
	afscr *fs = s->priv;
	form_free(&fs->f);
	free_kinds(fs->kinds, fs->nkinds);
	free(fs);
}

const ui_screen_ops addon_form_screen = {
    .name = "Add-on",
    .keys = form_keys,
    .open = af_open,
    .draw = af_draw,
    .key = af_key,
    .close = af_close,
    .text_input = true,
};
