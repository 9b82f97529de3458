/* scr_output.c - shows what a `:` command printed (its out rendered as
 * text), scrollable and filterable like any list. */
#include "ui.h"

#include <stdlib.h>
#include <string.h>

typedef struct outscr {
	strv lines;
	list l;
} outscr;

static const list_col cols[] = {{"", 0, 10, 0}};

static const char *cell(void *data, size_t row, int col, char *buf, size_t len)
{
	outscr *o = data;

	(void)col;
	(void)buf;
	(void)len;
	return o->lines.v[row];
}

static int open_(ui_screen *s, const cmd_args *a, dc_err *err)
{
	outscr *o = calloc(1, sizeof(*o));

	(void)a;
	if (!o)
		return err_set(err, DC_E_NOMEM, "out of memory");
	list_init(&o->l, cols, 1, cell, o);
	o->l.header = false;
	s->priv = o;
	return 0;
}

static void draw(ui_screen *s, ui_rect r)
{
	outscr *o = s->priv;

	list_draw(&o->l, r);
}

static list *get_list(ui_screen *s)
{
	return &((outscr *)s->priv)->l;
}

static void close_(ui_screen *s)
{
	outscr *o = s->priv;

	list_free(&o->l);
	strv_clear(&o->lines);
	free(o);
}

const ui_screen_ops output_screen = {
    .name = "Output",
    .open = open_,
    .draw = draw,
    .list = get_list,
    .close = close_,
};

int ui_show_text(ui *u, const char *title, const char *text)
{
	outscr *o;
	ui_screen *s;
	char *copy = strdup(text ? text : "");

	if (!copy || ui_push(u, &output_screen, NULL) < 0) {
		free(copy);
		return -1;
	}
	s = ui_top(u);
	o = s->priv;
	snprintf(s->title, sizeof(s->title), "%s", title);
	for (char *p = copy, *nl; p && *p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		strv_push(&o->lines, p);
	}
	free(copy);
	list_set_rows(&o->l, o->lines.n);
	return 0;
}

int ui_show_out(ui *u, const char *title, const out *res)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rc;

	if (!f)
		return -1;
	out_render_text(res, f);
	fclose(f);
	rc = ui_show_text(u, title, text);
	free(text);
	return rc;
}
