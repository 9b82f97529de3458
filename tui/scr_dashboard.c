/* scr_dashboard.c - the root screen. Shows every registered dashboard
 * section (registry.c), collected on the jobs worker at each refresh, and
 * the keys that lead to the feature screens, taken from the command
 * table. */
#include "app.h"
#include "registry.h"
#include "ui.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

typedef struct drow {
	char text[300];
	role r;
} drow;

typedef struct dash {
	ui_screen *s;
	drow *rows;
	size_t n, cap;
	list l;
	bool busy;
	bool loaded;
	time_t updated;
} dash;

typedef struct dashjob {
	ui *u;
	unsigned long sid;
	cmd_ctx ctx;
	size_t n;
	out **outs;
	dc_err *errs;
	int *rcs;
} dashjob;

static const list_col cols[] = {{"", 0, 10, 0}};

static const char *cell(void *data, size_t row, int col, char *buf, size_t len)
{
	(void)col;
	(void)buf;
	(void)len;
	return ((dash *)data)->rows[row].text;
}

static role row_role(void *data, size_t row)
{
	return ((dash *)data)->rows[row].r;
}

static void add(dash *d, role r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add(dash *d, role r, const char *fmt, ...)
{
	va_list ap;

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 32;
		drow *n = realloc(d->rows, cap * sizeof(*n));

		if (!n)
			return;
		d->rows = n;
		d->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(d->rows[d->n].text, sizeof(d->rows[d->n].text), fmt, ap);
	va_end(ap);
	d->rows[d->n].r = r;
	d->n++;
}

/* Keys that lead somewhere, from the command table: the screens in the
 * order the hint bar offers them, then other commands with a key. */
static void add_guidance(dash *d)
{
	const cmd_def *sc[64];
	size_t n = ui_screen_cmds(sc, 64);
	cmd_iter it = {0, 0};
	const cmd_def *c;
	char kn[32], cn[64];

	add(d, ROLE_TITLE, "Where to go");
	for (size_t i = 0; i < n; i++)
		add(d, ROLE_NORMAL, "  %-6s :%-18s %s",
		    keys_name(sc[i]->key, kn, sizeof(kn)),
		    cmd_name(sc[i], cn, sizeof(cn)),
		    sc[i]->summary ? sc[i]->summary : "");
	while ((c = cmd_next(&it)))
		if (c->key && !c->screen && !(c->flags & CMD_HIDDEN)) {
			add(d, ROLE_NORMAL, "  %-6s :%-18s %s",
			    keys_name(c->key, kn, sizeof(kn)),
			    cmd_name(c, cn, sizeof(cn)),
			    c->summary ? c->summary : "");
			n++;
		}
	if (n == 0)
		add(d, ROLE_DIM,
		    "  No feature screens are registered in this build yet.");
	add(d, ROLE_NORMAL, "  ?      keys of this screen and every command");
	add(d, ROLE_NORMAL,
	    "  :      command line (Tab completes; try "
	    ":help)");
}

static void collect(job *j, void *arg)
{
	dashjob *dj = arg;
	const dash_section *const *sec = dash_sections();

	dj->ctx.cancel = job_cancel_flag(j);
	for (size_t i = 0; i < dj->n; i++) {
		err_clear(&dj->errs[i]);
		dj->outs[i] = out_new();
		if (!dj->outs[i]) {
			dj->rcs[i] =
			    err_set(&dj->errs[i], DC_E_NOMEM, "out of memory");
			continue;
		}
		dj->rcs[i] =
		    sec[i]->collect(&dj->ctx, dj->outs[i], &dj->errs[i]);
	}
}

static void dashjob_free(dashjob *dj)
{
	for (size_t i = 0; i < dj->n; i++)
		out_free(dj->outs[i]);
	free(dj->outs);
	free(dj->errs);
	free(dj->rcs);
	free(dj);
}

static void collected(job *j, void *arg)
{
	dashjob *dj = arg;
	ui_screen *s = ui_screen_by_id(dj->u, dj->sid);
	const dash_section *const *sec = dash_sections();
	dash *d;

	/* cancelled before it ran (quitting): nothing was collected */
	if (!s || job_cancelled(j)) {
		dashjob_free(dj);
		return;
	}
	d = s->priv;
	d->busy = false;
	d->loaded = true;
	d->updated = time(NULL);
	d->n = 0;
	for (size_t i = 0; i < dj->n; i++) {
		char line[700];

		add(d, ROLE_TITLE, "%s", sec[i]->title);
		if (!dj->outs[i]) {
			add(d, ROLE_DIM, "  (not collected)");
		} else if (dj->rcs[i] < 0) {
			add(d, ROLE_ERROR, "  error: %s",
			    err_line(&dj->errs[i], line, sizeof(line)));
		} else {
			char *text = NULL;
			size_t len = 0;
			FILE *f = open_memstream(&text, &len);

			if (f) {
				out_render_text(dj->outs[i], f);
				fclose(f);
			}
			for (char *p = text, *nl; p && *p;
			     p = nl ? nl + 1 : NULL) {
				nl = strchr(p, '\n');
				if (nl)
					*nl = '\0';
				add(d, ROLE_NORMAL, "  %s", p);
			}
			free(text);
		}
		add(d, ROLE_NORMAL, "%s", "");
	}
	add_guidance(d);
	list_set_rows(&d->l, d->n);
	dashjob_free(dj);
}

static unsigned tick(ui_screen *s)
{
	dash *d = s->priv;
	dashjob *dj;
	size_t n = 0;

	if (d->busy)
		return UI_HANDLED;
	while (dash_sections()[n])
		n++;
	dj = calloc(1, sizeof(*dj));
	if (!dj)
		return UI_HANDLED;
	dj->u = s->ui;
	dj->sid = s->id;
	dj->ctx = ui_cmd_ctx(s->ui);
	dj->n = n;
	dj->outs = calloc(n ? n : 1, sizeof(out *));
	dj->errs = calloc(n ? n : 1, sizeof(dc_err));
	dj->rcs = calloc(n ? n : 1, sizeof(int));
	if (!dj->outs || !dj->errs || !dj->rcs ||
	    !ui_job_bg(s->ui, "refreshing the dashboard", collect, dj,
	               collected)) {
		dashjob_free(dj);
		return UI_HANDLED;
	}
	d->busy = true;
	return UI_HANDLED;
}

static int open_(ui_screen *s, const cmd_args *a, dc_err *err)
{
	dash *d = calloc(1, sizeof(*d));

	(void)a;
	if (!d)
		return err_set(err, DC_E_NOMEM, "out of memory");
	d->s = s;
	s->priv = d;
	list_init(&d->l, cols, 1, cell, d);
	d->l.header = false;
	d->l.cursor = false;
	d->l.row_role = row_role;
	add(d, ROLE_DIM, "loading...");
	add_guidance(d);
	list_set_rows(&d->l, d->n);
	return 0;
}

static void draw(ui_screen *s, ui_rect r)
{
	list_draw(&((dash *)s->priv)->l, r);
}

static list *get_list(ui_screen *s)
{
	return &((dash *)s->priv)->l;
}

static void close_(ui_screen *s)
{
	dash *d = s->priv;

	list_free(&d->l);
	free(d->rows);
	free(d);
}

const ui_screen_ops dashboard_screen = {
    .name = "Dashboard",
    .open = open_,
    .draw = draw,
    .tick = tick,
    .list = get_list,
    .close = close_,
};

/* ---- the console's own section: where things are ---- */

static int console_collect(cmd_ctx *ctx, out *o, dc_err *err)
{
	const app *a = ctx->app;
	struct stat st;

	(void)err;
	out_obj_begin(o, NULL);
	out_str(o, "config", a->config_path);
	out_str(o, "config_state",
	        a->config_found ? "read"
	                        : "not found: defaults in "
	                          "use");
	out_str(o, "store", a->store_path);
	if (stat(a->store_path, &st) == 0) {
		char mode[16];

		snprintf(mode, sizeof(mode), "%04o", st.st_mode & 07777);
		out_int(o, "store_bytes", (long long)st.st_size);
		out_str(o, "store_mode", mode);
		if (st.st_mode & 077)
			out_str(
			    o, "warning",
			    "the store is readable by others: chmod 600 it");
	} else if (errno == ENOENT) {
		out_str(o, "store_state",
		        "not created yet (created when something is saved)");
	} else {
		out_str(o, "store_state", strerror(errno));
	}
	out_str(o, "mode",
	        a->read_only ? "read-only (changes are refused)"
	                     : "read-write");
	out_obj_end(o);
	return 0;
}

const dash_section console_dash = {"This console", console_collect};
