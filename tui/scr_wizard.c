/* scr_wizard.c - the guided processing-module wizard, step by step as the
 * seed describes it ("Creating a new processing module"): product type
 * (Dedicated server) -> module type (DCImanager) -> connection (URL,
 * username, password, IPmanager, IP type for parking chosen from the types
 * that IPmanager has, licence server) -> parameters (name, responsible
 * department, sorting) -> summary -> save.
 *
 * Each field is checked as it is left (model.h rules; names against the
 * records loaded when the wizard opened) and the reason is shown beside
 * it. "Next" on the connection step runs the connection check as a job
 * and shows its steps as they complete; a failed step puts its reason on
 * the field it names. Esc goes back a step and keeps every value. Saving
 * runs `module add` / `module edit` through cmd_exec (so --read-only
 * refuses it there, with its message), which validates everything again.
 *
 * Store reads and panel calls run on the jobs worker; everything else here
 * is main thread. */
#include "app.h"
#include "cmd_module.h"
#include "lineedit.h"
#include "store.h"
#include "text.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- fields ------------------------------------------------------------
 *
 * The wizard keeps its own field rows rather than one form.h form per
 * step: a select here may have nothing chosen yet (the parking type must
 * be picked from the IPmanager's list, never defaulted), the buttons are
 * Back/Next, and the connection step shows the check's lines under them.
 * The simple forms of scr_modules.c use form.h. */

typedef struct wfield {
	const char *key; /* model field name (err->field matches it) */
	const char *opt; /* command option */
	const char *label;
	const char *help; /* one line shown while the field has the focus */
	bool choice, secret, optional;
	bool loading; /* choice: its values are being fetched */
	lineedit le;
	strv choices; /* choice: the values */
	int cur;      /* choice: index, -1 = none chosen */
	char err[512];
	char note[160]; /* dim text beside the field when it is valid */
} wfield;

static const char *fval(const wfield *f)
{
	if (f->choice)
		return f->cur >= 0 && (size_t)f->cur < f->choices.n
		           ? f->choices.v[f->cur]
		           : "";
	return f->le.buf;
}

static void fset_choices(wfield *f, char *const *v, size_t n, const char *keep)
{
	strv_clear(&f->choices);
	f->cur = -1;
	for (size_t i = 0; i < n; i++) {
		strv_push(&f->choices, v[i]);
		if (keep && !strcmp(v[i], keep))
			f->cur = (int)i;
	}
}

static void fset_err(wfield *f, const dc_err *e)
{
	if (!e) {
		f->err[0] = '\0';
		return;
	}
	dc_strlcpy(f->err, e->msg, sizeof(f->err));
}

static int label_w(int w)
{
	return w >= 100 ? 24 : 22;
}

static int input_w(int w)
{
	int iw = w >= 120 ? 44 : w >= 100 ? 36 : 30;

	return iw > w - label_w(w) - 4 ? w - label_w(w) - 4 : iw;
}

/* One field row; returns the cursor column when focused, else -1. */
static int draw_field(wfield *f, int y, int x, int w, bool focus)
{
	const draw_glyphs *g = draw_glyphs_get();
	int lw = label_w(w), iw = input_w(w);
	int rx = x + lw + iw + 2, rw = w - (lw + iw + 2);
	char buf[600];
	int cx = -1;

	snprintf(buf, sizeof(buf), "%s%s", focus ? g->sel : " ", f->label);
	draw_text(y, x, lw, focus ? ROLE_TITLE : ROLE_NORMAL, buf, true);
	if (f->choice) {
		const char *v = fval(f);

		if (!*v && f->cur < 0)
			v = f->loading     ? "(loading)"
			    : f->choices.n ? "(choose: Left/Right)"
			                   : "(none to choose)";
		snprintf(buf, sizeof(buf), "< %s >", v);
		draw_text(y, x + lw, iw, focus ? ROLE_INPUT : ROLE_NORMAL, buf,
		          true);
	} else {
		f->le.masked = f->secret;
		/* every box drawn as input so that empty ones show */
		cx = le_draw(&f->le, y, x + lw, iw, ROLE_INPUT);
		if (!focus)
			cx = -1;
	}
	if (rw > 4) {
		if (f->err[0]) {
			snprintf(buf, sizeof(buf), "! %s", f->err);
			draw_text(y, rx, rw, ROLE_ERROR, buf, true);
		} else if (f->note[0]) {
			draw_text(y, rx, rw, ROLE_DIM, f->note, true);
		} else if (f->optional) {
			draw_text(y, rx, rw, ROLE_DIM, "(optional)", true);
		}
	}
	return cx;
}

/* Choice keys: Left/Right/Space cycle; a letter or digit jumps to the
 * next value that starts with it. */
static bool choice_key(wfield *f, int key)
{
	int n = (int)f->choices.n;

	if (key < 128 && isalnum(key)) {
		for (int k = 1; k <= n; k++) {
			int i = ((f->cur < 0 ? -1 : f->cur) + k) % n;

			if (tolower((unsigned char)f->choices.v[i][0]) ==
			    tolower(key)) {
				f->cur = i;
				return true;
			}
		}
		return false;
	}

	if (n == 0)
		return key == UIK_LEFT || key == UIK_RIGHT || key == ' ';
	if (key == UIK_RIGHT || key == ' ')
		f->cur = f->cur < 0 ? 0 : (f->cur + 1) % n;
	else if (key == UIK_LEFT)
		f->cur = f->cur <= 0 ? n - 1 : f->cur - 1;
	else
		return false;
	return true;
}

static void draw_buttons(int y, int x, const char *const *labels, int n,
                         int focused, bool busy)
{
	const draw_glyphs *g = draw_glyphs_get();
	char b[64];

	for (int i = 0; i < n; i++) {
		snprintf(b, sizeof(b), "%s[ %s ]", i == focused ? g->sel : " ",
		         labels[i]);
		int bw = text_width(b);

		draw_text(y, x, bw,
		          i == focused ? ROLE_SELECTION
		          : busy       ? ROLE_DIM
		                       : ROLE_NORMAL,
		          b, false);
		x += bw + 2;
	}
}

/* ---- the wizard ------------------------------------------------------- */

enum {
	F_URL,
	F_USER,
	F_PASS,
	F_IPMGR,
	F_PARK,
	F_LIC,
	F_CA,  /* CA file (optional): panels often have their own CA */
	F_INS, /* insecure: no certificate checks; never the default */
	F_NAME,
	F_DEP,
	F_SORT,
	NF
};
enum { S_PRODUCT, S_MODTYPE, S_CONN, S_PARAMS, S_SUMMARY, NSTEPS };

static const char *const step_names[NSTEPS] = {
    "Product type", "Module type", "Connection", "Parameters", "Summary"};
static const int step_first[NSTEPS] = {0, 0, F_URL, F_NAME, 0};
static const int step_nfields[NSTEPS] = {1, 1, 8, 3, 0};

typedef struct named {
	char name[DC_NAME_MAX];
	int64_t id;
} named;

typedef struct wiz {
	ui_screen *s;
	int step;
	int focus; /* within the step: fields, then the two buttons */
	int last;  /* the field left last (its reason is shown in full) */
	wfield f[NF];
	bool edit;
	char edit_name[DC_NAME_MAX];
	int64_t edit_id;
	/* loaded from the store when the wizard opens */
	bool loaded, loading;
	char load_err[600];
	strv module_names;
	named *ipm;
	size_t nipm;
	/* the parking types of the chosen IPmanager */
	bool types_loading;
	char types_of[DC_NAME_MAX];
	/* the connection check */
	unsigned gen;       /* bumped by every change of a connection field */
	unsigned check_gen; /* the values the last check ran on */
	bool checking, check_done, advance_after_check;
	modui_live *live;
	modcheck_result check;
	/* saving */
	bool saving, saved;
	char status[600];
	role status_role;
} wiz;

static int nfocus(const wiz *w)
{
	return step_nfields[w->step] + 2;
}

static wfield *focused_field(wiz *w)
{
	if (w->step != S_CONN && w->step != S_PARAMS)
		return NULL;
	if (w->focus >= step_nfields[w->step])
		return NULL;
	return &w->f[step_first[w->step] + w->focus];
}

static bool is_conn_field(int i)
{
	return i >= F_URL && i <= F_INS;
}

static void conn_changed(wiz *w)
{
	w->gen++;
	w->check_done = false;
}

/* ---- checks as a field is left ---- */

static bool validate(wiz *w, int i)
{
	wfield *f = &w->f[i];
	const char *v = fval(f);
	dc_err e;

	err_clear(&e);
	f->err[0] = '\0';
	switch (i) {
	case F_URL:
	case F_USER:
		if (model_check_field(DC_ENT_MODULE, f->key, v, &e) < 0)
			fset_err(f, &e);
		break;
	case F_PASS:
		if (!*v && w->edit)
			break; /* keeps the stored password */
		if (model_check_password("password", v, &e) < 0)
			fset_err(f, &e);
		break;
	case F_IPMGR:
		if (!f->choices.n)
			snprintf(f->err, sizeof(f->err),
			         "no IPmanager connections yet: add one first "
			         "(I on the Modules screen, or :ipmgr add)");
		else if (f->cur < 0)
			snprintf(f->err, sizeof(f->err),
			         "choose the IPmanager that allocates this "
			         "module's addresses");
		break;
	case F_PARK:
		if (w->types_loading)
			snprintf(f->err, sizeof(f->err),
			         "wait: the types of %s are being fetched",
			         w->types_of);
		else if (w->f[F_IPMGR].cur < 0)
			snprintf(f->err, sizeof(f->err),
			         "choose the IPmanager first");
		else if (!f->choices.n)
			snprintf(f->err, sizeof(f->err),
			         "IPmanager %.64s listed no types (see the "
			         "IPmanager field)",
			         fval(&w->f[F_IPMGR]));
		else if (f->cur < 0)
			snprintf(f->err, sizeof(f->err),
			         "choose the IP type for parking (one of the "
			         "IPmanager's types)");
		break;
	case F_LIC:
	case F_INS:
		break;
	case F_CA:
		if (model_check_cafile("cafile", v, &e) < 0)
			fset_err(f, &e);
		break;
	case F_NAME:
		if (model_check_field(DC_ENT_MODULE, "name", v, &e) < 0) {
			fset_err(f, &e);
			break;
		}
		for (size_t k = 0; k < w->module_names.n; k++)
			if (!strcmp(w->module_names.v[k], v) &&
			    !(w->edit && !strcmp(v, w->edit_name)))
				snprintf(f->err, sizeof(f->err),
				         "a module named \"%s\" already exists",
				         v);
		break;
	case F_DEP:
		if (!f->choices.n)
			snprintf(f->err, sizeof(f->err),
			         "no departments yet: add one first (D on the "
			         "Modules screen, or :department add --name "
			         "NAME)");
		else if (f->cur < 0)
			snprintf(f->err, sizeof(f->err),
			         "choose the department that receives tasks");
		break;
	case F_SORT:
		if (model_parse_sorting(v, NULL, &e) < 0)
			fset_err(f, &e);
		break;
	}
	return f->err[0] == '\0';
}

/* Checks every field of the step; focuses the first bad one. */
static bool validate_step(wiz *w)
{
	int first_bad = -1;

	for (int k = 0; k < step_nfields[w->step]; k++)
		if (!validate(w, step_first[w->step] + k) && first_bad < 0)
			first_bad = k;
	if (first_bad >= 0) {
		w->focus = first_bad;
		ui_msg(w->s->ui, UI_WARN, "%s: %s",
		       w->f[step_first[w->step] + first_bad].label,
		       w->f[step_first[w->step] + first_bad].err);
		return false;
	}
	return true;
}

/* ---- jobs: what the wizard needs from the store and the panels ---- */

typedef struct loadjob {
	ui *u;
	unsigned long sid;
	cmd_ctx ctx;
	bool edit;
	char edit_name[DC_NAME_MAX];
	dc_module m;
	char m_ipmgr[DC_NAME_MAX], m_lic[DC_NAME_MAX], m_dep[DC_NAME_MAX];
	strv modules, licsrvs, deps;
	named *ipm;
	size_t nipm;
	dc_err err;
	int rc;
} loadjob;

static void loadjob_fn(job *j, void *arg)
{
	loadjob *lj = arg;
	dc_store *st;
	dc_module *mv = NULL;
	dc_conn *iv = NULL, *lv = NULL;
	dc_department *dv = NULL;
	size_t nm = 0, ni = 0, nl = 0, nd = 0;

	(void)j;
	lj->rc = -1;
	if (!(st = app_store(lj->ctx.app, &lj->err)) ||
	    module_list(st, &mv, &nm, &lj->err) < 0 ||
	    ipmgr_list(st, &iv, &ni, &lj->err) < 0 ||
	    licsrv_list(st, &lv, &nl, &lj->err) < 0 ||
	    department_list(st, &dv, &nd, &lj->err) < 0)
		goto out;
	if (lj->edit &&
	    module_get_by_name(st, lj->edit_name, &lj->m, &lj->err) < 0)
		goto out;
	for (size_t i = 0; i < nm; i++)
		strv_push(&lj->modules, mv[i].name);
	lj->ipm = calloc(ni ? ni : 1, sizeof(named));
	if (!lj->ipm) {
		err_set(&lj->err, DC_E_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < ni; i++) {
		dc_strlcpy(lj->ipm[i].name, iv[i].name,
		           sizeof(lj->ipm[i].name));
		lj->ipm[i].id = iv[i].id;
		if (lj->edit && iv[i].id == lj->m.ipmgr_id)
			dc_strlcpy(lj->m_ipmgr, iv[i].name,
			           sizeof(lj->m_ipmgr));
	}
	lj->nipm = ni;
	for (size_t i = 0; i < nl; i++) {
		strv_push(&lj->licsrvs, lv[i].name);
		if (lj->edit && lv[i].id == lj->m.licsrv_id)
			dc_strlcpy(lj->m_lic, lv[i].name, sizeof(lj->m_lic));
	}
	for (size_t i = 0; i < nd; i++) {
		strv_push(&lj->deps, dv[i].name);
		if (lj->edit && dv[i].id == lj->m.department_id)
			dc_strlcpy(lj->m_dep, dv[i].name, sizeof(lj->m_dep));
	}
	lj->rc = 0;
out:
	free(mv);
	free(iv);
	free(lv);
	free(dv);
}

static void fetch_types(wiz *w);

static void loadjob_done(job *j, void *arg)
{
	loadjob *lj = arg;
	ui_screen *s = ui_screen_by_id(lj->u, lj->sid);

	(void)j;
	if (s) {
		wiz *w = s->priv;

		w->loading = false;
		if (lj->rc < 0) {
			err_line(&lj->err, w->load_err, sizeof(w->load_err));
			ui_msg(lj->u, UI_ERROR, "%s", w->load_err);
		} else {
			char *none = "(none)";
			strv lic = {0};

			w->loaded = true;
			w->module_names = lj->modules;
			memset(&lj->modules, 0, sizeof(lj->modules));
			free(w->ipm);
			w->ipm = lj->ipm;
			w->nipm = lj->nipm;
			lj->ipm = NULL;
			strv_clear(&w->f[F_IPMGR].choices);
			for (size_t i = 0; i < w->nipm; i++)
				strv_push(&w->f[F_IPMGR].choices,
				          w->ipm[i].name);
			strv_push(&lic, none);
			for (size_t i = 0; i < lj->licsrvs.n; i++)
				strv_push(&lic, lj->licsrvs.v[i]);
			fset_choices(&w->f[F_LIC], lic.v, lic.n,
			             lj->edit
			                 ? (lj->m_lic[0] ? lj->m_lic : none)
			                 : none);
			strv_clear(&lic);
			fset_choices(&w->f[F_DEP], lj->deps.v, lj->deps.n,
			             lj->edit ? lj->m_dep : NULL);
			/* one IPmanager or department: nothing to choose */
			if (w->f[F_IPMGR].choices.n == 1)
				w->f[F_IPMGR].cur = 0;
			if (w->f[F_DEP].choices.n == 1 && w->f[F_DEP].cur < 0)
				w->f[F_DEP].cur = 0;
			if (lj->edit) {
				char n[32];
				const dc_module *m = &lj->m;

				w->edit_id = m->id;
				snprintf(w->f[F_PASS].note,
				         sizeof(w->f[F_PASS].note),
				         "empty keeps the stored one");
				for (size_t i = 0; i < w->nipm; i++)
					if (!strcmp(w->ipm[i].name,
					            lj->m_ipmgr))
						w->f[F_IPMGR].cur = (int)i;
				le_set(&w->f[F_URL].le, m->url);
				le_set(&w->f[F_CA].le, m->cafile);
				w->f[F_INS].cur = m->insecure ? 1 : 0;
				if (m->insecure)
					snprintf(w->f[F_INS].note,
					         sizeof(w->f[F_INS].note),
					         "certificate NOT verified");
				le_set(&w->f[F_USER].le, m->username);
				le_set(&w->f[F_NAME].le, m->name);
				snprintf(n, sizeof(n), "%lld",
				         (long long)m->sorting);
				le_set(&w->f[F_SORT].le, n);
				/* the stored type is chosen once the
				 * IPmanager's types are in */
				strv_push(&w->f[F_PARK].choices,
				          m->parking_type);
				w->f[F_PARK].cur = 0;
			}
			if (w->f[F_IPMGR].cur >= 0)
				fetch_types(w);
		}
	}
	strv_clear(&lj->modules);
	strv_clear(&lj->licsrvs);
	strv_clear(&lj->deps);
	free(lj->ipm);
	free(lj);
}

static void load(wiz *w)
{
	loadjob *lj = calloc(1, sizeof(*lj));

	if (!lj)
		return;
	lj->u = w->s->ui;
	lj->sid = w->s->id;
	lj->ctx = ui_cmd_ctx(w->s->ui);
	lj->edit = w->edit;
	dc_strlcpy(lj->edit_name, w->edit_name, sizeof(lj->edit_name));
	if (!job_submit(ui_jobs(w->s->ui), loadjob_fn, lj, loadjob_done)) {
		free(lj);
		return;
	}
	w->loading = true;
}

typedef struct typesjob {
	ui *u;
	unsigned long sid;
	cmd_ctx ctx;
	char ipmgr[DC_NAME_MAX];
	int64_t id;
	char **types;
	size_t n;
	dc_err err;
	int rc;
} typesjob;

static void typesjob_fn(job *j, void *arg)
{
	typesjob *tj = arg;
	dc_store *st = app_store(tj->ctx.app, &tj->err);
	modcheck_opts o;

	tj->ctx.cancel = job_cancel_flag(j);
	o = modcmd_check_opts(&tj->ctx, NULL, NULL);
	tj->rc = st ? modcheck_ipmgr_types(st, tj->id, &o, &tj->types, &tj->n,
	                                   &tj->err)
	            : -1;
}

static void typesjob_done(job *j, void *arg)
{
	typesjob *tj = arg;
	ui_screen *s = ui_screen_by_id(tj->u, tj->sid);
	char line[700];

	(void)j;
	if (s) {
		wiz *w = s->priv;
		wfield *pf = &w->f[F_PARK];

		/* the operator may have chosen another IPmanager meanwhile */
		if (!strcmp(tj->ipmgr, fval(&w->f[F_IPMGR]))) {
			char keep[DC_TYPE_MAX];

			w->types_loading = false;
			pf->loading = false;
			dc_strlcpy(keep, fval(pf), sizeof(keep));
			pf->note[0] = '\0';
			if (tj->rc < 0) {
				fset_choices(pf, NULL, 0, NULL);
				snprintf(
				    w->f[F_IPMGR].err,
				    sizeof(w->f[F_IPMGR].err),
				    "cannot list its types: %s",
				    err_line(&tj->err, line, sizeof(line)));
			} else {
				w->f[F_IPMGR].err[0] = '\0';
				fset_choices(pf, tj->types, tj->n, keep);
				snprintf(pf->note, sizeof(pf->note),
				         "%zu type%s in %s", tj->n,
				         tj->n == 1 ? "" : "s", tj->ipmgr);
				if (keep[0] && pf->cur < 0)
					snprintf(pf->err, sizeof(pf->err),
					         "\"%s\" is not a type of %s",
					         keep, tj->ipmgr);
				else
					pf->err[0] = '\0';
			}
		}
	}
	modcheck_types_free(tj->types, tj->n);
	free(tj);
}

/* Fetches the parking types of the chosen IPmanager (a job). */
static void fetch_types(wiz *w)
{
	wfield *ipf = &w->f[F_IPMGR];
	typesjob *tj;

	if (ipf->cur < 0 || (size_t)ipf->cur >= w->nipm)
		return;
	tj = calloc(1, sizeof(*tj));
	if (!tj)
		return;
	tj->u = w->s->ui;
	tj->sid = w->s->id;
	tj->ctx = ui_cmd_ctx(w->s->ui);
	dc_strlcpy(tj->ipmgr, w->ipm[ipf->cur].name, sizeof(tj->ipmgr));
	tj->id = w->ipm[ipf->cur].id;
	char label[128];

	snprintf(label, sizeof(label), "types of %s", tj->ipmgr);
	if (!ui_job(w->s->ui, label, typesjob_fn, tj, typesjob_done)) {
		free(tj);
		return;
	}
	w->types_loading = true;
	dc_strlcpy(w->types_of, tj->ipmgr, sizeof(w->types_of));
	/* short: at 80 columns 24 cells are left beside the field; the
	 * spinner line names the IPmanager */
	snprintf(w->f[F_PARK].note, sizeof(w->f[F_PARK].note),
	         "fetching types...");
	w->f[F_PARK].loading = true;
	w->f[F_PARK].err[0] = '\0';
}

/* The connection check of the values as typed. */
typedef struct wcheck {
	ui *u;
	unsigned long sid;
	cmd_ctx ctx;
	unsigned gen;
	dc_module m;
	char *password; /* NULL: the stored one (edit) */
	char ipmgr[DC_NAME_MAX], lic[DC_NAME_MAX];
	modui_live *live;
	modcheck_result res;
	dc_err err;
	int rc;
} wcheck;

static void wcheck_fn(job *j, void *arg)
{
	wcheck *wc = arg;
	dc_store *st;
	dc_conn c;
	modcheck_target t;
	modcheck_secrets sec;
	modcheck_opts o;

	wc->ctx.cancel = job_cancel_flag(j);
	o = modcmd_check_opts(&wc->ctx, modui_live_progress, wc->live);
	wc->rc = -1;
	if (!(st = app_store(wc->ctx.app, &wc->err)))
		return;
	if (ipmgr_get_by_name(st, wc->ipmgr, &c, &wc->err) < 0) {
		dc_strlcpy(wc->err.field, "ipmgr", sizeof(wc->err.field));
		return;
	}
	wc->m.ipmgr_id = c.id;
	if (wc->lic[0]) {
		if (licsrv_get_by_name(st, wc->lic, &c, &wc->err) < 0) {
			dc_strlcpy(wc->err.field, "license",
			           sizeof(wc->err.field));
			return;
		}
		wc->m.licsrv_id = c.id;
	}
	if (modcheck_target_from_store(st, &wc->m, wc->password, &t, &sec,
	                               &wc->err) < 0)
		return;
	wc->rc = modcheck_run(&t, &o, &wc->res, &wc->err);
	modcheck_secrets_free(&sec);
}

static int field_index(const char *field)
{
	static const struct {
		const char *f;
		int i;
	} map[] = {{"url", F_URL},
	           {"username", F_USER},
	           {"user", F_USER},
	           {"password", F_PASS},
	           {"password-file", F_PASS},
	           {"ipmgr", F_IPMGR},
	           {"parking_type", F_PARK},
	           {"parking-type", F_PARK},
	           {"license", F_LIC},
	           {"cafile", F_CA},
	           {"insecure", F_INS},
	           {"name", F_NAME},
	           {"new-name", F_NAME},
	           {"department", F_DEP},
	           {"sorting", F_SORT}};

	for (size_t i = 0; field && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i].f, field))
			return map[i].i;
	return -1;
}

static void go_step(wiz *w, int step, int focus)
{
	w->step = step;
	w->focus = focus;
	w->status[0] = '\0';
}

static void wcheck_done(job *j, void *arg)
{
	wcheck *wc = arg;
	ui_screen *s = ui_screen_by_id(wc->u, wc->sid);

	(void)j;
	if (s) {
		wiz *w = s->priv;
		bool current = wc->gen == w->gen;
		char line[700];

		w->checking = false;
		w->live = NULL;
		modcheck_result_free(&w->check);
		w->check = wc->res;
		memset(&wc->res, 0, sizeof(wc->res));
		if (w->check.types && current) {
			wfield *pf = &w->f[F_PARK];
			char keep[DC_TYPE_MAX];

			dc_strlcpy(keep, fval(pf), sizeof(keep));
			fset_choices(pf, w->check.types, w->check.ntypes, keep);
		}
		if (wc->rc < 0) {
			int fi = field_index(wc->err.field);

			if (fi >= 0)
				dc_strlcpy(w->f[fi].err, wc->err.msg,
				           sizeof(w->f[fi].err));
			ui_msg(wc->u, UI_ERROR, "connection check: %s",
			       err_line(&wc->err, line, sizeof(line)));
		} else if (!current) {
			ui_msg(wc->u, UI_WARN,
			       "the values changed during the check; press "
			       "Next to check them again");
		} else if (w->check.ok) {
			w->check_done = true;
			w->check_gen = w->gen;
			ui_msg(wc->u, UI_OK,
			       "connection check passed (%.0f ms)",
			       w->check.ms);
			if (w->advance_after_check && w->step == S_CONN)
				go_step(w, S_PARAMS, 0);
		} else {
			int first = -1;

			for (size_t i = 0; i < w->check.n; i++) {
				const modcheck_step *st = &w->check.steps[i];
				int fi = field_index(st->field);

				if (st->state != MODCHECK_FAIL || fi < 0)
					continue;
				snprintf(w->f[fi].err, sizeof(w->f[fi].err),
				         "%s: %s", st->name, st->error);
				if (first < 0)
					first = fi;
			}
			if (first >= 0 && w->step == S_CONN)
				w->focus = first - F_URL;
			ui_msg(wc->u, UI_ERROR, "connection check failed: %s",
			       w->check.msg);
		}
		w->advance_after_check = false;
	}
	modcheck_result_free(&wc->res);
	if (wc->password) {
		secret_wipe(wc->password, strlen(wc->password));
		free(wc->password);
	}
	modui_live_free(wc->live);
	free(wc);
}

static void run_check(wiz *w)
{
	wcheck *wc;

	if (w->checking) {
		ui_msg(w->s->ui, UI_INFO,
		       "the connection check is running (Ctrl-C cancels it)");
		return;
	}
	wc = calloc(1, sizeof(*wc));
	if (!wc || !(wc->live = modui_live_new())) {
		free(wc);
		return;
	}
	wc->u = w->s->ui;
	wc->sid = w->s->id;
	wc->ctx = ui_cmd_ctx(w->s->ui);
	wc->gen = w->gen;
	wc->m.id = w->edit_id;
	dc_strlcpy(wc->m.name, fval(&w->f[F_NAME]), sizeof(wc->m.name));
	dc_strlcpy(wc->m.url, fval(&w->f[F_URL]), sizeof(wc->m.url));
	dc_strlcpy(wc->m.username, fval(&w->f[F_USER]), sizeof(wc->m.username));
	dc_strlcpy(wc->m.cafile, fval(&w->f[F_CA]), sizeof(wc->m.cafile));
	wc->m.insecure = w->f[F_INS].cur == 1;
	dc_strlcpy(wc->m.parking_type, fval(&w->f[F_PARK]),
	           sizeof(wc->m.parking_type));
	dc_strlcpy(wc->ipmgr, fval(&w->f[F_IPMGR]), sizeof(wc->ipmgr));
	if (w->f[F_LIC].cur > 0)
		dc_strlcpy(wc->lic, fval(&w->f[F_LIC]), sizeof(wc->lic));
	if (w->f[F_PASS].le.len)
		wc->password = strdup(w->f[F_PASS].le.buf);
	if (!ui_job(w->s->ui, "checking the connection", wcheck_fn, wc,
	            wcheck_done)) {
		free(wc->password);
		modui_live_free(wc->live);
		free(wc);
		return;
	}
	for (int i = F_URL; i <= F_INS; i++)
		w->f[i].err[0] = '\0';
	w->live = wc->live;
	w->checking = true;
	w->advance_after_check = true;
}

/* ---- saving ---- */

static void save_done(ui *u, bool ok, const dc_err *err, void *arg)
{
	ui_screen *s = ui_screen_by_id(u, (unsigned long)(uintptr_t)arg);
	wiz *w;

	if (!s)
		return;
	w = s->priv;
	w->saving = false;
	if (ok) {
		w->saved = true;
		if (ui_top(u) == s)
			ui_pop(u);
		else
			snprintf(w->status, sizeof(w->status),
			         "saved; Esc closes the wizard");
		return;
	}
	int fi = field_index(err ? err->field : NULL);

	if (fi >= 0) {
		/* back to the step of the field the command refused */
		dc_strlcpy(w->f[fi].err, err->msg, sizeof(w->f[fi].err));
		if (is_conn_field(fi))
			go_step(w, S_CONN, fi - F_URL);
		else
			go_step(w, S_PARAMS, fi - F_NAME);
	} else if (err) {
		char line[700];

		err_line(err, line, sizeof(line));
		snprintf(w->status, sizeof(w->status), "not saved: %.580s",
		         line);
		w->status_role = ROLE_ERROR;
	}
}

static void save(wiz *w)
{
	const char *pairs[40];
	size_t n = 0;
	char lic[DC_NAME_MAX] = "";

	if (w->saving)
		return;
#define PAIR(k, v) (pairs[n++] = (k), pairs[n++] = (v))
	if (w->edit) {
		PAIR("name", w->edit_name);
		if (strcmp(fval(&w->f[F_NAME]), w->edit_name))
			PAIR("new-name", fval(&w->f[F_NAME]));
	} else {
		PAIR("name", fval(&w->f[F_NAME]));
	}
	PAIR("url", fval(&w->f[F_URL]));
	PAIR("user", fval(&w->f[F_USER]));
	if (w->f[F_PASS].le.len)
		PAIR("password", w->f[F_PASS].le.buf);
	PAIR("ipmgr", fval(&w->f[F_IPMGR]));
	PAIR("parking-type", fval(&w->f[F_PARK]));
	if (w->f[F_LIC].cur > 0)
		dc_strlcpy(lic, fval(&w->f[F_LIC]), sizeof(lic));
	if (lic[0] || w->edit)
		PAIR("license", lic);
	if (w->f[F_CA].le.len || w->edit)
		PAIR("cafile", fval(&w->f[F_CA]));
	if (w->edit)
		PAIR("insecure", w->f[F_INS].cur == 1 ? "yes" : "no");
	else if (w->f[F_INS].cur == 1)
		PAIR("insecure", NULL);
	PAIR("department", fval(&w->f[F_DEP]));
	PAIR("sorting", fval(&w->f[F_SORT]));
	pairs[n] = NULL;
#undef PAIR
	w->status[0] = '\0';
	if (modui_run(w->s->ui, "module", w->edit ? "edit" : "add", pairs,
	              save_done, (void *)(uintptr_t)w->s->id) == 0) {
		w->saving = true;
		snprintf(w->status, sizeof(w->status),
		         "saving: the connection is checked once more...");
		w->status_role = ROLE_DIM;
	}
}

/* ---- keys ---- */

static void leave_focus(wiz *w)
{
	wfield *f = focused_field(w);

	if (f) {
		w->last = (int)(f - w->f);
		validate(w, w->last);
	}
}

static unsigned next_step(wiz *w)
{
	switch (w->step) {
	case S_PRODUCT:
	case S_MODTYPE:
		go_step(w, w->step + 1, 0);
		break;
	case S_CONN:
		if (!validate_step(w))
			break;
		if (w->check_done && w->check_gen == w->gen) {
			go_step(w, S_PARAMS, 0);
			break;
		}
		run_check(w);
		break;
	case S_PARAMS:
		if (validate_step(w))
			go_step(w, S_SUMMARY, 1);
		break;
	case S_SUMMARY:
		save(w);
		break;
	}
	return UI_HANDLED;
}

static unsigned prev_step(wiz *w)
{
	leave_focus(w);
	/* an edit starts at the connection: product and module type are
	 * fixed */
	if (w->step == S_PRODUCT || (w->edit && w->step == S_CONN))
		return UI_BACK;
	go_step(w, w->step - 1, 0);
	return UI_HANDLED;
}

enum { WA_NEXT = 1, WA_BACK, WA_PREV, WA_FWD };

static const ui_key wiz_keys[] = {
    {UIK_TAB, "next field",
     "next field (also Down); the field is checked "
     "as it is left",
     WA_FWD},
    {UIK_ENTER, "ok", "next field, or press the focused button", 0},
    {UIK_LEFT, "choose", "Left/Right or Space: change a choice", 0},
    {UIK_F(10), "next step", "next step (F10); on the summary: save", WA_NEXT},
    {UIK_ESC, "back", "back one step; every value is kept", WA_BACK},
    {UIK_BTAB, NULL, "previous field (also Up)", WA_PREV},
    {0, NULL, NULL, 0},
};

static void move_focus(wiz *w, int d)
{
	leave_focus(w);
	w->focus = (w->focus + d + nfocus(w)) % nfocus(w);
}

static unsigned wiz_key(ui_screen *s, int key, int action)
{
	wiz *w = s->priv;
	wfield *f = focused_field(w);
	int nf = step_nfields[w->step];

	if (key == UIK_ESC)
		return prev_step(w);
	if (action == WA_NEXT) {
		leave_focus(w);
		return next_step(w);
	}
	if (key == UIK_TAB || key == UIK_DOWN) {
		move_focus(w, 1);
		return UI_HANDLED;
	}
	if (key == UIK_BTAB || key == UIK_UP) {
		move_focus(w, -1);
		return UI_HANDLED;
	}
	if (key == UIK_ENTER) {
		if (w->focus < nf && !f) /* the one choice of steps 1, 2 */
			return next_step(w);
		if (w->focus < nf) {
			/* the last field jumps to Next */
			leave_focus(w);
			w->focus = w->focus + 1 < nf ? w->focus + 1 : nf + 1;
			return UI_HANDLED;
		}
		if (w->focus == nf)
			return prev_step(w);
		return next_step(w);
	}
	if (f && f->choice) {
		int before = f->cur;

		if (!choice_key(f, key))
			return key == 'q' ? UI_HANDLED : UI_IGNORED;
		if (f->cur != before) {
			int i = (int)(f - w->f);

			f->err[0] = '\0';
			if (is_conn_field(i))
				conn_changed(w);
			if (i == F_IPMGR) {
				fset_choices(&w->f[F_PARK], NULL, 0, NULL);
				fetch_types(w);
			}
			if (i == F_PARK)
				validate(w, i);
			if (i == F_INS)
				snprintf(f->note, sizeof(f->note), "%s",
				         f->cur == 1
				             ? "certificate NOT verified"
				             : "");
		}
		return UI_HANDLED;
	}
	if (f) {
		char before[LINEEDIT_MAX];

		dc_strlcpy(before, f->le.buf, sizeof(before));
		if (!le_key(&f->le, key))
			return UI_IGNORED;
		if (strcmp(before, f->le.buf)) {
			f->err[0] = '\0';
			if (is_conn_field((int)(f - w->f)))
				conn_changed(w);
		}
		return UI_HANDLED;
	}
	/* buttons and the product/module type choice */
	if (key == UIK_LEFT || key == UIK_RIGHT) {
		if (w->focus >= nf)
			w->focus = w->focus == nf ? nf + 1 : nf;
		return UI_HANDLED;
	}
	if (key == ' ' && w->focus < nf)
		return UI_HANDLED; /* one choice: it stays chosen */
	/* 'q' would close the wizard and lose what was typed: Esc does
	 * that step by step */
	if (key == 'q') {
		ui_msg(s->ui, UI_INFO,
		       "Esc goes back a step (and closes the "
		       "wizard on the first one)");
		return UI_HANDLED;
	}
	return UI_IGNORED;
}

/* ---- drawing ---- */

static void draw_trail(wiz *w, int y, int x, int width)
{
	char buf[300];
	size_t o = 0;

	for (int i = 0; i < NSTEPS && o < sizeof(buf); i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s%d %s%s",
		                      i ? " > " : "", i == w->step ? "[" : "",
		                      i + 1, step_names[i],
		                      i == w->step ? "]" : "");
	draw_text(y, x, width, ROLE_DIM, buf, true);
}

static const char *const field_help[NF] = {
    "the full URL of the DCImanager panel, e.g. "
    "https://dci.example.net:1500/dcimgr",
    "a user of the panel with the administrator role",
    "the password of that user (never shown, never printed)",
    "the IPmanager that allocates addresses to this module's servers",
    "type of IP addresses from that IPmanager; a released server's main "
    "address becomes one of these",
    "the server that handles software licences (optional)",
    "a PEM file with the CA that signed the panel's certificate (empty: "
    "the system's CAs)",
    "yes: do not verify the panel's certificate (shown in red everywhere; "
    "prefer a CA file)",
    "the name of the processing module",
    "the department that receives tasks when a step fails",
    "priority: with several modules a tariff uses the one with the "
    "lowest value",
};

/* The whole reason of one field (it may be cut beside the field): the
 * focused one's, else the one just left, else (on a button) the first;
 * with none, the focused field's help. */
static void draw_detail(wiz *w, int y, int x, int width)
{
	wfield *f = focused_field(w);
	char buf[700];
	int first = step_first[w->step], n = step_nfields[w->step];
	const wfield *show = NULL;

	if (f && f->err[0])
		show = f;
	else if (w->last >= first && w->last < first + n &&
	         w->f[w->last].err[0])
		show = &w->f[w->last];
	for (int k = 0; !show && !f && k < n; k++)
		if (w->f[first + k].err[0])
			show = &w->f[first + k];
	if (show) {
		snprintf(buf, sizeof(buf), "%s: %s", show->label, show->err);
		draw_text(y, x, width, ROLE_ERROR, buf, true);
	} else if (f) {
		draw_text(y, x, width, ROLE_DIM, field_help[(int)(f - w->f)],
		          true);
	} else {
		draw_fill(y, x, width, ROLE_NORMAL);
	}
}

static void draw_radio(wiz *w, int y, int x, int width, const char *q,
                       const char *opt, const char *note)
{
	const draw_glyphs *g = draw_glyphs_get();
	char buf[200];
	bool focus = w->focus == 0;

	draw_text(y, x, width, ROLE_NORMAL, q, true);
	snprintf(buf, sizeof(buf), "%s %s %s", focus ? g->sel : " ",
	         g->check_on, opt);
	draw_text(y + 2, x + 2, width - 2, focus ? ROLE_SELECTION : ROLE_NORMAL,
	          buf, false);
	draw_text(y + 4, x + 2, width - 2, ROLE_DIM, note, true);
}

static void summary_line(int y, int x, int width, const char *k, const char *v,
                         role r)
{
	char buf[700];

	snprintf(buf, sizeof(buf), "%-22s %.600s", k, v);
	draw_text(y, x, width, r, buf, true);
}

static void wiz_draw(ui_screen *s, ui_rect r)
{
	wiz *w = s->priv;
	int x = r.x + 1, width = r.w - 2, y = r.y;
	char title[200];
	int nf = step_nfields[w->step];
	int cx = -1, cy = 0;

	snprintf(title, sizeof(title), "%s - step %d of %d: %s",
	         w->edit ? "Edit processing module" : "New processing module",
	         w->step + 1, NSTEPS, step_names[w->step]);
	if (w->edit) {
		size_t l = strlen(title);

		snprintf(title + l, sizeof(title) - l, " (%s)", w->edit_name);
	}
	draw_text(y++, x, width, ROLE_TITLE, title, true);
	draw_trail(w, y++, x, width);
	if (w->load_err[0])
		draw_text(y++, x, width, ROLE_ERROR, w->load_err, true);

	switch (w->step) {
	case S_PRODUCT:
		draw_radio(
		    w, y + 1, x, width,
		    "Product type the module serves:", "Dedicated server",
		    "DCImanager is related to \"Dedicated server\".");
		y += 7;
		break;
	case S_MODTYPE:
		draw_radio(w, y + 1, x, width,
		           "Processing module:", "DCImanager",
		           "Dedicated servers are provisioned through "
		           "DCImanager 5, addresses through IPmanager 5.");
		y += 7;
		break;
	case S_CONN:
	case S_PARAMS:
		if (!w->loaded && w->loading) {
			draw_text(y, x, width, ROLE_DIM,
			          "loading the stored connections...", true);
			y++;
		}
		for (int k = 0; k < nf; k++) {
			int c = draw_field(&w->f[step_first[w->step] + k], y, x,
			                   width, w->focus == k);

			if (c >= 0) {
				cx = c;
				cy = y;
			}
			y++;
		}
		draw_detail(w, y++, x, width);
		break;
	case S_SUMMARY: {
		char buf[300];
		const char *lic =
		    w->f[F_LIC].cur > 0 ? fval(&w->f[F_LIC]) : "(none)";

		summary_line(y++, x, width, "Product type:", "Dedicated server",
		             ROLE_NORMAL);
		summary_line(y++, x, width, "Module type:", "DCImanager",
		             ROLE_NORMAL);
		summary_line(y++, x, width, "URL:", fval(&w->f[F_URL]),
		             !strncasecmp(fval(&w->f[F_URL]), "http:", 5)
		                 ? ROLE_WARN
		                 : ROLE_NORMAL);
		summary_line(y++, x, width, "Username:", fval(&w->f[F_USER]),
		             ROLE_NORMAL);
		summary_line(y++, x, width, "Password:",
		             w->f[F_PASS].le.len ? "(set)" : "(unchanged)",
		             ROLE_NORMAL);
		summary_line(y++, x, width, "IPmanager:", fval(&w->f[F_IPMGR]),
		             ROLE_NORMAL);
		summary_line(y++, x, width,
		             "IP type for parking:", fval(&w->f[F_PARK]),
		             ROLE_NORMAL);
		summary_line(y++, x, width, "Licence server:", lic,
		             ROLE_NORMAL);
		if (w->f[F_INS].cur == 1)
			summary_line(y++, x, width, "TLS:",
			             "INSECURE: certificate not verified",
			             ROLE_INSECURE);
		else if (w->f[F_CA].le.len)
			summary_line(y++, x, width,
			             "CA file:", fval(&w->f[F_CA]),
			             ROLE_NORMAL);
		summary_line(y++, x, width, "Name:", fval(&w->f[F_NAME]),
		             ROLE_NORMAL);
		summary_line(y++, x, width, "Responsible:", fval(&w->f[F_DEP]),
		             ROLE_NORMAL);
		summary_line(y++, x, width, "Sorting:", fval(&w->f[F_SORT]),
		             ROLE_NORMAL);
		if (w->check_done && w->check_gen == w->gen)
			snprintf(buf, sizeof(buf), "passed: %s (%.0f ms)",
			         w->check.msg, w->check.ms);
		else
			snprintf(buf, sizeof(buf), "not run for these values");
		summary_line(y++, x, width, "Connection check:", buf,
		             w->check_done ? ROLE_OK : ROLE_WARN);
		draw_text(y++, x, width,
		          w->status[0] ? w->status_role : ROLE_DIM,
		          w->status[0] ? w->status
		                       : "Save stores the module; the "
		                         "connection is checked once more.",
		          true);
		break;
	}
	}

	/* buttons; on the connection step the check's state beside them */
	const char *labels[2] = {
	    w->step == S_PRODUCT || (w->edit && w->step == S_CONN) ? "Cancel"
	                                                           : "Back",
	    w->step == S_SUMMARY ? "Save"
	    : w->step == S_CONN  ? "Check & Next"
	                         : "Next"};
	int bf = w->focus >= nf ? w->focus - nf : -1;

	draw_buttons(y, x, labels, 2, bf, w->saving || w->checking);
	if (w->step == S_CONN) {
		char st[200] = "";
		modcheck_result live;
		const modcheck_result *cr = &w->check;
		double el = 0;

		if (w->live) {
			el = modui_live_get(w->live, &live);
			cr = &live;
			snprintf(st, sizeof(st),
			         "checking the connection: "
			         "%.1f s",
			         el);
		} else if (w->check.n) {
			snprintf(st, sizeof(st), "connection check: %s%s",
			         w->check.ok ? "passed" : "FAILED",
			         w->check_gen == w->gen || !w->check.ok
			             ? ""
			             : " (values changed since)");
		}
		if (st[0])
			draw_text(y, x + 36, width - 36,
			          w->live       ? ROLE_WARN
			          : w->check.ok ? ROLE_OK
			                        : ROLE_ERROR,
			          st, false);
		y++;
		if (cr->n && y < r.y + r.h)
			modui_draw_steps(cr, w->live != NULL, el,
			                 (ui_rect){y, x, r.y + r.h - y, width});
	}
	if (cx >= 0)
		ui_set_cursor(s->ui, cy, cx);
}

/* ---- open / close ---- */

static void init_fields(wiz *w)
{
	static const struct {
		const char *key, *opt, *label;
		bool choice, secret, optional;
	} def[NF] = {
	    {"url", "url", "URL", false, false, false},
	    {"username", "user", "Username", false, false, false},
	    {"password", "password", "Password", false, true, false},
	    {"ipmgr", "ipmgr", "IPmanager", true, false, false},
	    {"parking_type", "parking-type", "IP type for parking", true, false,
	     false},
	    {"license", "license", "Licence server", true, false, true},
	    {"cafile", "cafile", "CA file", false, false, true},
	    {"insecure", "insecure", "Insecure TLS", true, false, false},
	    {"name", "name", "Name", false, false, false},
	    {"department", "department", "Responsible", true, false, false},
	    {"sorting", "sorting", "Sorting", false, false, false},
	};

	for (int i = 0; i < NF; i++) {
		w->f[i].key = def[i].key;
		w->f[i].opt = def[i].opt;
		w->f[i].label = def[i].label;
		w->f[i].choice = def[i].choice;
		w->f[i].secret = def[i].secret;
		w->f[i].optional = def[i].optional;
		w->f[i].cur = -1;
	}
	strv_push(&w->f[F_INS].choices, "no");
	strv_push(&w->f[F_INS].choices, "yes");
	w->f[F_INS].cur = 0;
}

static int wiz_open(ui_screen *s, const cmd_args *a, dc_err *err)
{
	wiz *w = calloc(1, sizeof(*w));

	(void)a;
	if (!w)
		return err_set(err, DC_E_NOMEM, "out of memory");
	w->s = s;
	s->priv = w;
	init_fields(w);
	w->check_gen = (unsigned)-1;
	return 0;
}

static void wiz_close(ui_screen *s)
{
	wiz *w = s->priv;

	for (int i = 0; i < NF; i++) {
		le_clear(&w->f[i].le); /* wipes the password */
		strv_clear(&w->f[i].choices);
	}
	strv_clear(&w->module_names);
	free(w->ipm);
	modcheck_result_free(&w->check);
	/* a check still running frees its own state when it ends */
	free(w);
}

const ui_screen_ops module_wizard_screen = {
    .name = "Module wizard",
    .keys = wiz_keys,
    .open = wiz_open,
    .draw = wiz_draw,
    .key = wiz_key,
    .close = wiz_close,
    .text_input = true,
};

int modui_wizard_open(ui *u, const char *edit_name)
{
	ui_screen *s;
	wiz *w;

	if (ui_push(u, &module_wizard_screen, NULL) < 0)
		return -1;
	s = ui_top(u);
	w = s->priv;
	if (edit_name) {
		w->edit = true;
		dc_strlcpy(w->edit_name, edit_name, sizeof(w->edit_name));
		snprintf(s->title, sizeof(s->title), "Edit %s", edit_name);
		/* product and module type cannot change: start at the
		 * connection */
		go_step(w, S_CONN, 0);
	} else {
		snprintf(s->title, sizeof(s->title), "New module");
	}
	load(w);
	return 0;
}
