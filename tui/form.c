/* form.c - see form.h. */
#include "form.h"

#include "text.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const ui_key form_keys[] = {
    {UIK_TAB, "next", "next field (the field is checked as you leave it)", 0},
    {UIK_BTAB, NULL, "previous field (also Up)", 0},
    {UIK_ENTER, "ok", "next field; on OK: check everything and save", 0},
    {' ', NULL, "select: next choice; checkbox: toggle", 0},
    {UIK_LEFT, NULL, "select: previous choice (Right: next)", 0},
    {UIK_ESC, "back",
     "leave; what was typed is kept while the screen "
     "that owns the form lives",
     0},
    {UIK_F(1), "help", "help", 0},
    {0, NULL, NULL, 0},
};

void form_init(form *f, const form_field *fields, void *ctx)
{
	memset(f, 0, sizeof(*f));
	f->fields = fields;
	f->ctx = ctx;
	while (f->n < FORM_MAX && fields[f->n].name)
		f->n++;
	for (int i = 0; i < f->n; i++)
		f->val[i].masked = fields[i].kind == FF_PASSWORD;
}

void form_free(form *f)
{
	for (int i = 0; i < f->n; i++) {
		le_clear(&f->val[i]);
		strv_clear(&f->dyn[i]);
	}
}

int form_index(const form *f, const char *name)
{
	for (int i = 0; i < f->n; i++)
		if (strcmp(f->fields[i].name, name) == 0)
			return i;
	return -1;
}

static size_t nchoices(const form *f, int i)
{
	size_t n = 0;

	if (f->dyn[i].n)
		return f->dyn[i].n;
	while (f->fields[i].choices && f->fields[i].choices[n])
		n++;
	return n;
}

static const char *choice(const form *f, int i, size_t k)
{
	if (f->dyn[i].n)
		return k < f->dyn[i].n ? f->dyn[i].v[k] : "";
	return k < nchoices(f, i) ? f->fields[i].choices[k] : "";
}

void form_set(form *f, const char *name, const char *value)
{
	int i = form_index(f, name);

	if (i < 0)
		return;
	switch (f->fields[i].kind) {
	case FF_SELECT:
		for (size_t k = 0; k < nchoices(f, i); k++)
			if (strcmp(choice(f, i, k), value) == 0)
				f->sel[i] = (int)k;
		break;
	case FF_CHECK:
		f->checked[i] = !strcmp(value, "yes") || !strcmp(value, "1") ||
		                !strcmp(value, "true");
		break;
	default:
		le_set(&f->val[i], value);
	}
}

const char *form_get(const form *f, const char *name)
{
	int i = form_index(f, name);

	if (i < 0)
		return NULL;
	switch (f->fields[i].kind) {
	case FF_SELECT:
		return choice(f, i, (size_t)f->sel[i]);
	case FF_CHECK:
		return f->checked[i] ? "yes" : "no";
	default:
		return f->val[i].buf;
	}
}

int form_set_choices(form *f, const char *name, const char *const *v, size_t n)
{
	int i = form_index(f, name);
	char keep[256];

	if (i < 0)
		return -1;
	snprintf(keep, sizeof(keep), "%s", choice(f, i, (size_t)f->sel[i]));
	strv_clear(&f->dyn[i]);
	for (size_t k = 0; k < n; k++)
		if (strv_push(&f->dyn[i], v[k]) < 0)
			return -1;
	f->sel[i] = 0;
	form_set(f, name, keep); /* keep the choice if it is still there */
	return 0;
}

void form_set_error(form *f, const char *name, const char *why)
{
	int i = form_index(f, name);

	if (i < 0)
		return;
	snprintf(f->why[i], FORM_WHY, "%s", why);
	f->focus = i;
}

bool form_check_field(form *f, int i)
{
	const form_field *fd = &f->fields[i];
	const char *v = form_get(f, fd->name);

	f->why[i][0] = '\0';
	if (fd->kind == FF_CHECK)
		return true;
	if (fd->required && !*v) {
		snprintf(f->why[i], FORM_WHY, "%s is required", fd->label);
		return false;
	}
	if (fd->kind == FF_INT && *v) {
		char *end;
		long long n;

		errno = 0;
		n = strtoll(v, &end, 10);
		if (*end || errno) {
			snprintf(f->why[i], FORM_WHY,
			         "%s must be a whole number", fd->label);
			return false;
		}
		if (fd->min < fd->max && (n < fd->min || n > fd->max)) {
			snprintf(f->why[i], FORM_WHY, "%s must be %lld..%lld",
			         fd->label, fd->min, fd->max);
			return false;
		}
	}
	for (int k = 0; k < 3 && fd->check[k]; k++)
		if (fd->check[k](v, f->ctx, f->why[i], FORM_WHY) < 0) {
			if (!f->why[i][0])
				snprintf(f->why[i], FORM_WHY, "%s is not valid",
				         fd->label);
			return false;
		}
	return true;
}

bool form_check_all(form *f)
{
	int first = -1;

	for (int i = 0; i < f->n; i++)
		if (!form_check_field(f, i) && first < 0)
			first = i;
	if (first >= 0)
		f->focus = first;
	return first < 0;
}

static int invalid_count(const form *f)
{
	int n = 0;

	for (int i = 0; i < f->n; i++)
		if (f->why[i][0])
			n++;
	return n;
}

static void move_focus(form *f, int d)
{
	if (f->focus < f->n)
		form_check_field(f, f->focus); /* checked as it is left */
	f->focus = (f->focus + d + f->n + 2) % (f->n + 2);
}

unsigned form_key(form *f, int key)
{
	const form_field *fd = f->focus < f->n ? &f->fields[f->focus] : NULL;

	f->note[0] = '\0';
	switch (key) {
	case UIK_ESC:
		return FORM_CANCEL;
	case UIK_TAB:
	case UIK_DOWN:
		move_focus(f, 1);
		return FORM_HANDLED;
	case UIK_BTAB:
	case UIK_UP:
		move_focus(f, -1);
		return FORM_HANDLED;
	case UIK_ENTER:
		if (f->focus == f->n + 1)
			return FORM_CANCEL;
		if (f->focus < f->n) {
			move_focus(f, 1);
			return FORM_HANDLED;
		}
		if (!form_check_all(f)) {
			snprintf(f->note, sizeof(f->note),
			         "not saved: %d field%s to fix",
			         invalid_count(f),
			         invalid_count(f) == 1 ? "" : "s");
			return FORM_HANDLED;
		}
		return FORM_SUBMIT;
	}
	if (!fd) {
		if (key == UIK_LEFT || key == UIK_RIGHT) {
			f->focus = f->focus == f->n ? f->n + 1 : f->n;
			return FORM_HANDLED;
		}
		return FORM_HANDLED; /* buttons swallow typing */
	}
	if (fd->kind == FF_SELECT) {
		int n = (int)nchoices(f, f->focus);

		if (n == 0)
			return FORM_HANDLED;
		if (key == ' ' || key == UIK_RIGHT)
			f->sel[f->focus] = (f->sel[f->focus] + 1) % n;
		else if (key == UIK_LEFT)
			f->sel[f->focus] = (f->sel[f->focus] + n - 1) % n;
		else if (key > ' ' && key < 127) /* jump by first letter */
			for (int k = 1; k <= n; k++) {
				int c = (f->sel[f->focus] + k) % n;

				if (choice(f, f->focus, (size_t)c)[0] == key) {
					f->sel[f->focus] = c;
					break;
				}
			}
		return FORM_HANDLED;
	}
	if (fd->kind == FF_CHECK) {
		if (key == ' ' || key == 'x')
			f->checked[f->focus] = !f->checked[f->focus];
		return FORM_HANDLED;
	}
	le_key(&f->val[f->focus], key);
	return FORM_HANDLED;
}

void form_draw(form *f, ui_rect r, ui *u)
{
	const draw_glyphs *g = draw_glyphs_get();
	int rows = r.h - 4; /* buttons, note, help */
	int y = r.y + 1;
	int lw = 0, vw;

	/* labels as wide as the widest; values up to 30 cells, leaving about
	 * 30 for the reason beside them when the screen allows */
	for (int i = 0; i < f->n; i++) {
		int w = text_width(f->fields[i].label) + 3;

		if (w > lw)
			lw = w;
	}
	if (lw > 24)
		lw = 24;
	vw = r.w - lw - 6 - 30;
	if (vw > 30)
		vw = 30;
	if (vw < 16)
		vw = 16;
	if (rows < 1)
		rows = 1;
	if (f->focus < f->n) {
		if (f->focus < f->top)
			f->top = f->focus;
		if (f->focus >= f->top + rows)
			f->top = f->focus - rows + 1;
	}
	for (int i = f->top; i < f->n && y < r.y + 1 + rows; i++, y++) {
		const form_field *fd = &f->fields[i];
		bool focus = i == f->focus;
		char lab[96], val[300];
		int x = r.x + 2 + lw + 2;

		snprintf(lab, sizeof(lab), "%s%s:", fd->label,
		         fd->required ? " *" : "");
		draw_text(y, r.x, 2, ROLE_NORMAL, focus ? g->sel : " ", false);
		text_fit(lab, lw, true, true, true, val, sizeof(val));
		draw_text(y, r.x + 2, lw, focus ? ROLE_TITLE : ROLE_NORMAL, val,
		          false);
		switch (fd->kind) {
		case FF_SELECT:
			snprintf(val, sizeof(val), "< %s >",
			         nchoices(f, i)
			             ? choice(f, i, (size_t)f->sel[i])
			             : "(no choices)");
			draw_text(y, x, vw, focus ? ROLE_INPUT : ROLE_NORMAL,
			          val, true);
			break;
		case FF_CHECK:
			draw_text(y, x, vw, focus ? ROLE_INPUT : ROLE_NORMAL,
			          f->checked[i] ? g->check_on : g->check_off,
			          true);
			break;
		default: {
			int cx = le_draw(&f->val[i], y, x, vw,
			                 focus ? ROLE_INPUT : ROLE_DIM);

			if (focus)
				ui_set_cursor(u, y, cx);
		}
		}
		if (f->why[i][0]) {
			char w[FORM_WHY + 4];

			snprintf(w, sizeof(w), "! %s", f->why[i]);
			draw_text(y, x + vw + 2, r.x + r.w - (x + vw + 2),
			          ROLE_ERROR, w, false);
		}
	}
	y = r.y + 1 + rows + 1;
	if (y >= r.y + r.h)
		y = r.y + r.h - 1;
	{
		char ok[48], cancel[48];
		int bad = invalid_count(f);
		int bx = r.x + 2 + lw + 2;

		snprintf(ok, sizeof(ok), "%s[ OK ]%s",
		         f->focus == f->n ? g->sel : " ",
		         bad ? " (fix first)" : "");
		snprintf(cancel, sizeof(cancel), "%s[ Cancel ]",
		         f->focus == f->n + 1 ? g->sel : " ");
		draw_text(y, bx, 20,
		          f->focus == f->n ? ROLE_SELECTION
		          : bad            ? ROLE_DIM
		                           : ROLE_NORMAL,
		          ok, false);
		draw_text(y, bx + 22, 12,
		          f->focus == f->n + 1 ? ROLE_SELECTION : ROLE_NORMAL,
		          cancel, false);
	}
	if (f->note[0] && y + 1 < r.y + r.h)
		draw_text(y + 1, r.x + 2, r.w - 4, ROLE_ERROR, f->note, false);
	/* the focused field's whole reason (it may be cut beside the
	 * field), else its help */
	if (f->focus < f->n && y + 2 < r.y + r.h) {
		char w[FORM_WHY + 4];

		if (f->why[f->focus][0]) {
			snprintf(w, sizeof(w), "! %s", f->why[f->focus]);
			draw_text(y + 2, r.x + 2, r.w - 4, ROLE_ERROR, w,
			          false);
		} else if (f->fields[f->focus].help) {
			draw_text(y + 2, r.x + 2, r.w - 4, ROLE_DIM,
			          f->fields[f->focus].help, false);
		}
	}
}

int form_to_args(const form *f, cmd_args *a, dc_err *err)
{
	for (int i = 0; i < f->n; i++) {
		const form_field *fd = &f->fields[i];
		const char *v = form_get(f, fd->name);

		if (fd->kind == FF_CHECK) {
			if (f->checked[i] &&
			    cmd_args_add(a, fd->name, NULL, err) < 0)
				return -1;
			continue;
		}
		if (*v && cmd_args_add(a, fd->name, v, err) < 0)
			return -1;
	}
	return cmd_args_check(a, err);
}

/* ---- the form screen ---- */

typedef struct fscreen {
	form f;
	const form_spec *spec;
	bool busy;  /* a save is running */
	bool saved; /* nothing to keep as a draft */
} fscreen;

/* A draft: the text of every field but passwords, which are never kept
 * after their screen closes. */
typedef struct draft {
	int n;
	char *val[FORM_MAX];
} draft;

static void draft_free(void *p)
{
	draft *d = p;

	for (int i = 0; i < d->n; i++)
		free(d->val[i]);
	free(d);
}

static void draft_save(ui_screen *s, fscreen *fs)
{
	draft *d = calloc(1, sizeof(*d));
	bool any = false;

	if (!d)
		return;
	d->n = fs->f.n;
	for (int i = 0; i < fs->f.n; i++) {
		const form_field *fd = &fs->f.fields[i];

		if (fd->kind == FF_PASSWORD)
			continue;
		d->val[i] = strdup(form_get(&fs->f, fd->name));
		if (fd->kind == FF_TEXT || fd->kind == FF_INT)
			any = any || (d->val[i] && *d->val[i]);
	}
	if (!any) {
		draft_free(d);
		return;
	}
	ui_draft_put(s->ui, fs->spec, d, draft_free);
}

static bool draft_restore(ui_screen *s, fscreen *fs)
{
	draft *d = ui_draft_take(s->ui, fs->spec);

	if (!d)
		return false;
	for (int i = 0; i < d->n && i < fs->f.n; i++)
		if (d->val[i])
			form_set(&fs->f, fs->f.fields[i].name, d->val[i]);
	draft_free(d);
	return true;
}

typedef struct fsave {
	ui *u;
	unsigned long sid;
	cmd_args *args;
	out *o;
	dc_err err;
	int rc;
	cmd_ctx ctx;
} fsave;

form *form_screen_form(ui_screen *s)
{
	return &((fscreen *)s->priv)->f;
}

int form_screen_open(ui_screen *s, const cmd_args *args, dc_err *err)
{
	const form_spec *spec = s->ops->data;
	fscreen *fs = calloc(1, sizeof(*fs));

	if (!fs)
		return err_set(err, DC_E_NOMEM, "out of memory");
	fs->spec = spec;
	form_init(&fs->f, spec->fields, s);
	s->priv = fs;
	if (draft_restore(s, fs))
		snprintf(fs->f.note, sizeof(fs->f.note),
		         "what you typed last time is back (Ctrl-U clears a "
		         "field)");
	/* values given on the : line prefill the form */
	for (int i = 0; args && i < fs->f.n; i++) {
		const char *v = cmd_arg(args, spec->fields[i].name);

		if (v)
			form_set(&fs->f, spec->fields[i].name, v);
	}
	if (spec->prepare)
		spec->prepare(&fs->f, args);
	return 0;
}

void form_screen_draw(ui_screen *s, ui_rect r)
{
	fscreen *fs = s->priv;

	form_draw(&fs->f, r, s->ui);
}

static void save_run(job *j, void *arg)
{
	fsave *sv = arg;

	sv->ctx.cancel = job_cancel_flag(j);
	sv->rc = cmd_exec(&sv->ctx, sv->args, sv->o, &sv->err);
}

static void save_done(job *j, void *arg)
{
	fsave *sv = arg;
	ui_screen *s = ui_screen_by_id(sv->u, sv->sid);
	char line[700];

	(void)j;
	if (s) {
		fscreen *fs = s->priv;

		fs->busy = false;
		if (sv->rc < 0) {
			if (sv->err.field[0] &&
			    form_index(&fs->f, sv->err.field) >= 0)
				form_set_error(&fs->f, sv->err.field,
				               sv->err.msg);
			snprintf(fs->f.note, sizeof(fs->f.note),
			         "not saved: %.140s", sv->err.msg);
			ui_msg(sv->u, UI_ERROR, "%s",
			       err_line(&sv->err, line, sizeof(line)));
		} else {
			for (size_t i = 0; i < out_msg_count(sv->o); i++)
				ui_msg(sv->u, UI_OK, "%s",
				       out_msg_get(sv->o, i));
			if (!out_msg_count(sv->o))
				ui_msg(sv->u, UI_OK, "saved");
			fs->saved = true;
			if (ui_top(sv->u) == s)
				ui_pop(sv->u);
		}
	}
	cmd_args_free(sv->args);
	out_free(sv->o);
	free(sv);
}

static void submit(ui_screen *s, fscreen *fs)
{
	fsave *sv;
	dc_err err;
	char cn[64];

	if (fs->busy) {
		ui_msg(s->ui, UI_INFO, "already saving");
		return;
	}
	sv = calloc(1, sizeof(*sv));
	if (!sv || !(sv->args = cmd_args_new(fs->spec->cmd)) ||
	    !(sv->o = out_new())) {
		if (sv)
			cmd_args_free(sv->args);
		free(sv);
		ui_msg(s->ui, UI_ERROR, "out of memory");
		return;
	}
	err_clear(&err);
	if (form_to_args(&fs->f, sv->args, &err) < 0) {
		if (err.field[0])
			form_set_error(&fs->f, err.field, err.msg);
		snprintf(fs->f.note, sizeof(fs->f.note), "not saved: %.140s",
		         err.msg);
		cmd_args_free(sv->args);
		out_free(sv->o);
		free(sv);
		return;
	}
	sv->u = s->ui;
	sv->sid = s->id;
	sv->ctx = ui_cmd_ctx(s->ui);
	cmd_name(fs->spec->cmd, cn, sizeof(cn));
	if (!ui_job(s->ui, cn, save_run, sv, save_done)) {
		cmd_args_free(sv->args);
		out_free(sv->o);
		free(sv);
		ui_msg(s->ui, UI_ERROR, "out of memory");
		return;
	}
	fs->busy = true;
}

unsigned form_screen_key(ui_screen *s, int key, int action)
{
	fscreen *fs = s->priv;
	unsigned r;

	(void)action;
	if (key == UIK_F(1))
		return UI_IGNORED; /* the frame's help */
	r = form_key(&fs->f, key);
	if (r & FORM_CANCEL)
		return UI_BACK;
	if (r & FORM_SUBMIT)
		submit(s, fs);
	return UI_HANDLED;
}

void form_screen_close(ui_screen *s)
{
	fscreen *fs = s->priv;

	if (!fs->saved)
		draft_save(s, fs);
	form_free(&fs->f);
	free(fs);
}
