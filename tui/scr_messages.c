/* scr_messages.c - :messages, the history of the message line. */
#include "ui.h"

#include <stdlib.h>
#include <string.h>

typedef struct msgscr {
	ui *u;
	list l;
} msgscr;

static const list_col cols[] = {
    {"TIME", 8, 0, 0},
    {"LEVEL", 7, 0, 0},
    {"MESSAGE", 0, 20, 0},
};

static const char *cell(void *data, size_t row, int col, char *buf, size_t len)
{
	msgscr *m = data;
	const ui_msgrec *r = ui_msg_at(m->u, row);
	static const char *const lv[] = {"info", "ok", "WARN", "ERROR"};
	struct tm tm;

	if (!r)
		return "";
	switch (col) {
	case 0:
		localtime_r(&r->t, &tm);
		strftime(buf, len, "%H:%M:%S", &tm);
		return buf;
	case 1:
		return lv[r->level];
	default:
		return r->text;
	}
}

static role row_role(void *data, size_t row)
{
	msgscr *m = data;
	const ui_msgrec *r = ui_msg_at(m->u, row);

	if (!r)
		return ROLE_NORMAL;
	return r->level == UI_ERROR  ? ROLE_ERROR
	       : r->level == UI_WARN ? ROLE_WARN
	                             : ROLE_NORMAL;
}

static void reload(msgscr *m, bool to_end)
{
	size_t n = ui_msg_count(m->u);
	bool at_end = m->l.nview == 0 || m->l.sel + 1 >= m->l.nview;

	list_set_rows(&m->l, n);
	if (to_end || at_end)
		list_key(&m->l, 'G');
}

static int open_(ui_screen *s, const cmd_args *a, dc_err *err)
{
	msgscr *m = calloc(1, sizeof(*m));

	(void)a;
	if (!m)
		return err_set(err, DC_E_NOMEM, "out of memory");
	m->u = s->ui;
	list_init(&m->l, cols, 3, cell, m);
	m->l.row_role = row_role;
	s->priv = m;
	reload(m, true);
	return 0;
}

static void draw(ui_screen *s, ui_rect r)
{
	msgscr *m = s->priv;

	/* the ring may have grown or wrapped since the last draw */
	if (m->l.nrows != ui_msg_count(m->u))
		reload(m, false);
	list_draw(&m->l, r);
}

static list *get_list(ui_screen *s)
{
	return &((msgscr *)s->priv)->l;
}

static void close_(ui_screen *s)
{
	msgscr *m = s->priv;

	list_free(&m->l);
	free(m);
}

const ui_screen_ops messages_screen = {
    .name = "Messages",
    .open = open_,
    .draw = draw,
    .list = get_list,
    .close = close_,
};
