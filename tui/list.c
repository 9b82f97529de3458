/* list.c - see list.h. */
#include "list.h"

#include "keys.h"
#include "text.h"

#include <ctype.h>
#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MARK_W 2 /* selection marker column */

void list_init(list *l, const list_col *cols, int ncols, list_cell_fn cell,
               void *data)
{
	memset(l, 0, sizeof(*l));
	l->cols = cols;
	l->ncols = ncols;
	l->cell = cell;
	l->data = data;
	l->header = true;
	l->cursor = true;
	l->sort_col = -1;
	l->page = 10;
}

void list_free(list *l)
{
	free(l->hay);
	free(l->hayoff);
	l->hay = NULL;
	l->hayoff = NULL;
	l->haycap = l->haylen = l->hayrows = 0;
	l->hay_ok = false;
	free(l->order);
	free(l->view);
	l->order = l->view = NULL;
	l->cap = l->nrows = l->nview = 0;
}

size_t list_selected(const list *l)
{
	return l->sel < l->nview ? l->view[l->sel] : (size_t)-1;
}

/* Folds every row's text into one buffer (once per data change). */
static int build_hay(list *l)
{
	char buf[512];

	if (l->hay_ok)
		return 0;
	if (l->hayrows < l->nrows) {
		size_t *o = realloc(l->hayoff, (l->nrows + 1) * sizeof(size_t));

		if (!o)
			return -1;
		l->hayoff = o;
		l->hayrows = l->nrows;
	}
	l->haylen = 0;
	for (size_t r = 0; r < l->nrows; r++) {
		l->hayoff[r] = l->haylen;
		for (int c = 0; c < l->ncols; c++) {
			const char *t =
			    l->cell(l->data, r, c, buf, sizeof(buf));
			size_t n = t ? strlen(t) : 0;

			if (l->haylen + n + 2 > l->haycap) {
				size_t cap = (l->haylen + n + 2) * 2 + 4096;
				char *h = realloc(l->hay, cap);

				if (!h)
					return -1;
				l->hay = h;
				l->haycap = cap;
			}
			for (size_t i = 0; i < n; i++)
				l->hay[l->haylen++] =
				    (char)tolower((unsigned char)t[i]);
			l->hay[l->haylen++] =
			    '\x1f'; /* no match across cells */
		}
		l->hay[l->haylen++] = '\0';
	}
	l->hay_ok = true;
	return 0;
}

static bool row_matches(const list *l, size_t row)
{
	char buf[512];

	if (l->hay_ok)
		return strstr(l->hay + l->hayoff[row], l->lfilter) != NULL;
	/* no memory for the folded text: ask the cells */
	for (int c = 0; c < l->ncols; c++) {
		const char *t = l->cell(l->data, row, c, buf, sizeof(buf));

		if (t && text_contains(t, l->filter))
			return true;
	}
	return false;
}

static void reselect(list *l, size_t row)
{
	l->sel = 0;
	if (row == (size_t)-1)
		return;
	for (size_t i = 0; i < l->nview; i++)
		if (l->view[i] == row) {
			l->sel = i;
			return;
		}
}

/* view = rows of `from` (n entries) that match; from may be l->view. */
static void refilter(list *l, const size_t *from, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (!l->filter[0] || row_matches(l, from[i]))
			l->view[k++] = from[i];
	l->nview = k;
}

static int cmp_rows(const void *pa, const void *pb, void *pl)
{
	const list *l = pl;
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	char ba[256], bb[256];
	const char *ta = l->cell(l->data, a, l->sort_col, ba, sizeof(ba));
	const char *tb = l->cell(l->data, b, l->sort_col, bb, sizeof(bb));
	int r;

	if (!ta)
		ta = "";
	if (!tb)
		tb = "";
	if (l->cols[l->sort_col].flags & LIST_COL_NUM) {
		double da = strtod(ta, NULL), db = strtod(tb, NULL);

		r = da < db ? -1 : da > db;
	} else {
		r = strcasecmp(ta, tb);
	}
	if (r == 0)
		r = a < b ? -1 : a > b; /* stable */
	else if (l->sort_desc)
		r = -r;
	return r;
}

static void resort(list *l)
{
	for (size_t i = 0; i < l->nrows; i++)
		l->order[i] = i;
	if (l->sort_col >= 0 && l->sort_col < l->ncols)
		qsort_r(l->order, l->nrows, sizeof(size_t), cmp_rows, l);
}

int list_set_rows(list *l, size_t n)
{
	size_t keep = list_selected(l);

	if (n > l->cap) {
		size_t cap = n + n / 4 + 16;
		size_t *o = realloc(l->order, cap * sizeof(size_t));

		if (!o)
			return -1;
		l->order = o;
		size_t *v = realloc(l->view, cap * sizeof(size_t));

		if (!v)
			return -1;
		l->view = v;
		l->cap = cap;
	}
	l->nrows = n;
	l->hay_ok = false;
	if (l->filter[0])
		build_hay(l);
	if (keep != (size_t)-1 && keep >= n)
		keep = (size_t)-1;
	resort(l);
	refilter(l, l->order, l->nrows);
	reselect(l, keep);
	return 0;
}

int list_set_filter(list *l, const char *f)
{
	size_t keep = list_selected(l);
	size_t ol = strlen(l->filter);
	bool narrowing = strncasecmp(f, l->filter, ol) == 0 && strlen(f) >= ol;

	if (strcmp(f, l->filter) == 0)
		return 0;
	snprintf(l->filter, sizeof(l->filter), "%s", f);
	for (size_t i = 0; i < sizeof(l->lfilter); i++) {
		l->lfilter[i] = (char)tolower((unsigned char)l->filter[i]);
		if (!l->filter[i])
			break;
	}
	build_hay(l);
	if (narrowing)
		refilter(l, l->view, l->nview); /* in place: k <= i always */
	else
		refilter(l, l->order, l->nrows);
	reselect(l, keep);
	return 0;
}

void list_sort(list *l, int col)
{
	size_t keep = list_selected(l);

	if (col == l->sort_col)
		l->sort_desc = !l->sort_desc;
	else {
		l->sort_col = col;
		l->sort_desc = false;
	}
	resort(l);
	refilter(l, l->order, l->nrows);
	reselect(l, keep);
}

static void list_move(list *l, long d)
{
	long s = (long)l->sel + d;

	if (l->nview == 0) {
		l->sel = 0;
		return;
	}
	if (s < 0)
		s = 0;
	if (s >= (long)l->nview)
		s = (long)l->nview - 1;
	l->sel = (size_t)s;
}

bool list_key(list *l, int key)
{
	long page = l->page > 1 ? l->page - 1 : 1;

	switch (key) {
	case UIK_UP:
	case 'k':
		list_move(l, -1);
		return true;
	case UIK_DOWN:
	case 'j':
		list_move(l, 1);
		return true;
	case UIK_PGUP:
		list_move(l, -page);
		return true;
	case UIK_PGDN:
		list_move(l, page);
		return true;
	case UIK_CTRL('u'):
		list_move(l, -(page + 1) / 2);
		return true;
	case UIK_CTRL('d'):
		list_move(l, (page + 1) / 2);
		return true;
	case UIK_HOME:
	case 'g':
		l->sel = 0;
		return true;
	case UIK_END:
	case 'G':
		l->sel = l->nview ? l->nview - 1 : 0;
		return true;
	}
	return false;
}

bool list_click(list *l, int rel_y, int wheel)
{
	if (wheel) {
		list_move(l, wheel * 3);
		return true;
	}
	if (l->header)
		rel_y--;
	if (rel_y < 0 || l->top + (size_t)rel_y >= l->nview)
		return false;
	l->sel = l->top + (size_t)rel_y;
	return true;
}

void list_layout(const list_col *cols, int ncols, int total, int *widths)
{
	int fixed = 0, nflex = 0, minflex = 0, used;

	for (int c = 0; c < ncols; c++) {
		if (cols[c].width > 0)
			fixed += cols[c].width;
		else {
			nflex++;
			minflex += cols[c].min > 0 ? cols[c].min : 1;
		}
	}
	/* drop trailing columns until the rest fits */
	int n = ncols;

	for (;;) {
		used = fixed + minflex + (n > 0 ? n - 1 : 0);
		if (used <= total || n <= 1)
			break;
		n--;
		if (cols[n].width > 0)
			fixed -= cols[n].width;
		else {
			nflex--;
			minflex -= cols[n].min > 0 ? cols[n].min : 1;
		}
	}
	int rest = total - fixed - (n > 0 ? n - 1 : 0);
	int given = 0, seen = 0;

	for (int c = 0; c < ncols; c++) {
		if (c >= n) {
			widths[c] = 0;
			continue;
		}
		if (cols[c].width > 0) {
			widths[c] = cols[c].width;
			if (n == 1 && widths[c] > total)
				widths[c] = total;
			continue;
		}
		seen++;
		int w = seen == nflex ? rest - given : rest / nflex;
		int mn = cols[c].min > 0 ? cols[c].min : 1;

		if (w < mn)
			w = mn;
		if (n == 1 && w > total)
			w = total;
		widths[c] = w;
		given += w;
	}
}

void list_draw(list *l, ui_rect r)
{
	const draw_glyphs *g = draw_glyphs_get();
	int widths[32];
	int nc = l->ncols < 32 ? l->ncols : 32;
	int y = r.y, rows;
	char buf[512];

	list_layout(l->cols, nc, r.w - MARK_W, widths);
	if (l->header && r.h > 0) {
		int x = r.x + MARK_W;

		draw_fill(y, r.x, r.w, ROLE_TITLE);
		for (int c = 0; c < nc; c++) {
			char t[128];

			if (!widths[c])
				continue;
			snprintf(t, sizeof(t), "%s%s", l->cols[c].title,
			         c == l->sort_col
			             ? (l->sort_desc ? g->down : g->up)
			             : "");
			draw_text(y, x, widths[c], ROLE_TITLE, t, false);
			x += widths[c] + 1;
		}
		y++;
	}
	rows = r.h - (y - r.y);
	if (rows < 1)
		return;
	l->page = rows;
	if (!l->cursor) {
		/* a text view: the "selection" is the first visible row */
		size_t maxtop =
		    l->nview > (size_t)rows ? l->nview - (size_t)rows : 0;

		if (l->sel > maxtop)
			l->sel = maxtop;
		l->top = l->sel;
	}
	if (l->sel >= l->nview)
		l->sel = l->nview ? l->nview - 1 : 0;
	if (l->sel < l->top)
		l->top = l->sel;
	if (l->sel >= l->top + (size_t)rows)
		l->top = l->sel - (size_t)rows + 1;
	if (l->top + (size_t)rows > l->nview)
		l->top = l->nview > (size_t)rows ? l->nview - (size_t)rows : 0;
	for (int i = 0; i < rows; i++, y++) {
		size_t vi = l->top + (size_t)i;
		bool selected = vi == l->sel && l->cursor;
		role rl = ROLE_NORMAL;
		int x = r.x + MARK_W;

		if (vi >= l->nview) {
			draw_fill(y, r.x, r.w, ROLE_NORMAL);
			if (i == 0)
				draw_text(y, r.x + MARK_W, r.w - MARK_W,
				          ROLE_DIM,
				          l->filter[0] ? "(nothing matches the "
				                         "filter)"
				                       : "(empty)",
				          false);
			continue;
		}
		if (l->row_role)
			rl = l->row_role(l->data, l->view[vi]);
		if (selected)
			rl = ROLE_SELECTION;
		draw_fill(y, r.x, r.w, rl);
		draw_text(y, r.x, MARK_W, rl, selected ? g->sel : " ", false);
		for (int c = 0; c < nc; c++) {
			const char *t;
			char cellbuf[512];

			if (!widths[c])
				continue;
			t = l->cell(l->data, l->view[vi], c, buf, sizeof(buf));
			text_fit(t ? t : "", widths[c], true, true,
			         l->cols[c].flags & LIST_COL_RIGHT, cellbuf,
			         sizeof(cellbuf));
			draw_text(y, x, widths[c], rl, cellbuf, false);
			x += widths[c] + 1;
		}
	}
}
