/* scr_help.c - `?` and :help: the keys of the screen it was opened from,
 * the keys that open each screen, the list keys, the global keys, the
 * command keys and every command, all generated from the tables (nothing
 * here is written twice). */
#include "app.h"
#include "ui.h"

#include <stdlib.h>
#include <string.h>

typedef struct hrow {
	char key[40];
	char text[200];
	bool title;
} hrow;

typedef struct helpscr {
	hrow *rows;
	size_t n, cap;
	list l;
} helpscr;

static const list_col cols[] = {{"KEY", 16, 0, 0}, {"WHAT IT DOES", 0, 20, 0}};

static const char *cell(void *data, size_t row, int col, char *buf, size_t len)
{
	helpscr *h = data;

	(void)buf;
	(void)len;
	return col == 0 ? h->rows[row].key : h->rows[row].text;
}

static role row_role(void *data, size_t row)
{
	return ((helpscr *)data)->rows[row].title ? ROLE_TITLE : ROLE_NORMAL;
}

static void add(helpscr *h, const char *key, const char *text, bool title)
{
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 64;
		hrow *r = realloc(h->rows, cap * sizeof(*r));

		if (!r)
			return;
		h->rows = r;
		h->cap = cap;
	}
	snprintf(h->rows[h->n].key, sizeof(h->rows[h->n].key), "%s", key);
	snprintf(h->rows[h->n].text, sizeof(h->rows[h->n].text), "%s", text);
	h->rows[h->n].title = title;
	h->n++;
}

static void add_keys(helpscr *h, const ui_key *k)
{
	char kn[32];

	for (; k && k->key; k++)
		add(h, keys_name(k->key, kn, sizeof(kn)),
		    k->help ? k->help : "", false);
}

/* Every screen key, in the dashboard's order. A screen's own keys come
 * first, so where the screen below uses the same key, say what it does
 * there instead; in a form the letters are typed text. */
static void add_screens(helpscr *h, const ui_screen *below)
{
	const cmd_def *sc[64];
	size_t n = ui_screen_cmds(sc, 64);
	bool form = below && below->ops->text_input;
	char t[256], kn[32], cn[64], lb[64];

	if (!n)
		return;
	add(h, "",
	    form ? "Screens (leave the form first: here letters are typed)"
	         : "Screens (the key opens it from any screen)",
	    true);
	for (size_t i = 0; i < n; i++) {
		const ui_key *own = NULL;

		for (const ui_key *k = below && !form ? below->ops->keys : NULL;
		     k && k->key; k++)
			if (k->key == sc[i]->key)
				own = k;
		snprintf(t, sizeof(t), "%s (:%s)%s%s",
		         sc[i]->screen->name
		             ? sc[i]->screen->name
		             : ui_screen_label(sc[i], lb, sizeof(lb)),
		         cmd_name(sc[i], cn, sizeof(cn)), own ? "; here: " : "",
		         own ? (own->help ? own->help : own->label) : "");
		add(h, keys_name(sc[i]->key, kn, sizeof(kn)), t, false);
	}
}

static int open_(ui_screen *s, const cmd_args *a, dc_err *err)
{
	helpscr *h = calloc(1, sizeof(*h));
	ui_screen *below = ui_screen_below(s->ui, s);
	cmd_iter it = {0, 0};
	const cmd_def *c;
	char t[256], kn[80], cn[64];
	bool any = false;

	(void)a;
	if (!h)
		return err_set(err, DC_E_NOMEM, "out of memory");
	s->priv = h;
	if (below) {
		snprintf(s->title, sizeof(s->title), "Help: %.50s",
		         below->title);
		if (below->ops->keys && below->ops->keys->key) {
			snprintf(t, sizeof(t), "Keys of %s", below->title);
			add(h, "", t, true);
			add_keys(h, below->ops->keys);
		}
		add_screens(h, below);
		if (below->ops->list) {
			add(h, "", "Moving in lists", true);
			add_keys(h, ui_list_keys);
		}
	}
	add(h, "", "Keys everywhere", true);
	add_keys(h, ui_global_keys);
	while ((c = cmd_next(&it)))
		if (c->key && !c->screen && !(c->flags & CMD_HIDDEN)) {
			if (!any)
				add(h, "", "Keys that run commands", true);
			any = true;
			snprintf(t, sizeof(t), ":%s - %s",
			         cmd_name(c, cn, sizeof(cn)),
			         c->summary ? c->summary : "");
			add(h, keys_name(c->key, kn, sizeof(kn)), t, false);
		}
	{
		const dc_config *cfg = &ui_app(s->ui)->cfg;

		if (cfg->nkeys)
			add(h, "", "Keys from your config (they come first)",
			    true);
		for (size_t i = 0; i < cfg->nkeys; i++)
			add(h, cfg->keys[i].key, cfg->keys[i].action, false);
	}
	add(h, "", "Commands (type : then the command; Tab completes)", true);
	it = (cmd_iter){0, 0};
	while ((c = cmd_next(&it)))
		if (!(c->flags & CMD_HIDDEN)) {
			snprintf(
			    t, sizeof(t), "%s%s", c->summary ? c->summary : "",
			    (c->flags & CMD_RO_SAFE) ? ""
			                             : " [changes things]");
			snprintf(kn, sizeof(kn), ":%s",
			         cmd_name(c, cn, sizeof(cn)));
			add(h, kn, t, false);
		}
	list_init(&h->l, cols, 2, cell, h);
	h->l.row_role = row_role;
	list_set_rows(&h->l, h->n);
	return 0;
}

static void draw(ui_screen *s, ui_rect r)
{
	list_draw(&((helpscr *)s->priv)->l, r);
}

static list *get_list(ui_screen *s)
{
	return &((helpscr *)s->priv)->l;
}

static void close_(ui_screen *s)
{
	helpscr *h = s->priv;

	list_free(&h->l);
	free(h->rows);
	free(h);
}

const ui_screen_ops help_screen = {
    .name = "Help",
    .open = open_,
    .draw = draw,
    .list = get_list,
    .close = close_,
};
