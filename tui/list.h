/* list.h - the list widget: columns, sorting, selection, filter, fast at
 * 100 000 rows.
 *
 * The list does not own the rows: it asks a cell callback for the text of
 * (row, column) when it draws, sorts or filters. It keeps two index arrays
 * (the sort order of all rows, and the rows that pass the filter in that
 * order) that are reused between keys, so navigation allocates nothing and
 * drawing touches only the visible rows. Filtering is a case-insensitive
 * (ASCII) substring over all columns; typing more letters (the new filter
 * extends the old one) re-filters only the previous result. The text of
 * every row is folded once into one buffer the first time a filter is set
 * after list_set_rows(), so keys only run strstr over it: call
 * list_set_rows() whenever cell texts change.
 *
 * Pure logic plus list_draw(), which uses curses; main thread only. */
#ifndef TUI_LIST_H
#define TUI_LIST_H

#include "draw.h"

#include <stdbool.h>
#include <stddef.h>

enum {
	LIST_COL_RIGHT = 1, /* right-aligned (numbers) */
	LIST_COL_NUM = 2,   /* sort numerically */
};

typedef struct list_col {
	const char *title;
	int width; /* fixed width in cells; 0 = flexible */
	int min;   /* flexible: minimum width */
	unsigned flags;
} list_col;

/* Text of a cell into buf (or return a pointer to stable text). */
typedef const char *(*list_cell_fn)(void *data, size_t row, int col, char *buf,
                                    size_t len);
/* Role of a row (for state colour), optional. */
typedef role (*list_role_fn)(void *data, size_t row);

typedef struct list {
	const list_col *cols;
	int ncols;
	list_cell_fn cell;
	list_role_fn row_role;
	void *data;
	bool header; /* draw the column titles row */
	bool cursor; /* show the selection; false: keys scroll a text view */

	size_t nrows;  /* rows in the data */
	size_t *order; /* all rows, sorted */
	size_t *view;  /* filtered rows, in sort order */
	size_t nview;
	size_t cap;

	size_t sel;   /* index into view */
	size_t top;   /* first visible index into view */
	int page;     /* rows visible at the last draw */
	int sort_col; /* -1: data order */
	bool sort_desc;
	char filter[256];
	char lfilter[256]; /* filter, lower-cased */
	char *hay;         /* every row's cells, lower-cased, '\x1f' apart */
	size_t *hayoff;    /* row -> offset in hay */
	size_t haylen, haycap, hayrows;
	bool hay_ok;
} list;

void list_init(list *l, const list_col *cols, int ncols, list_cell_fn cell,
               void *data);
void list_free(list *l);
/* The data now has n rows (new data or changed values): re-sorts and
 * re-filters from scratch, keeping the selected data row if it is still
 * there. Returns 0 or -1 (no memory). */
int list_set_rows(list *l, size_t n);
/* Sets the filter; cheap when f extends the current filter. */
int list_set_filter(list *l, const char *f);
/* Sorts by column (same column again flips the direction). */
void list_sort(list *l, int col);
/* The selected data row, or (size_t)-1 when the view is empty. */
size_t list_selected(const list *l);
/* Navigation keys (arrows, j/k, PgUp/PgDn, Home/End, g/G, Ctrl-d/u).
 * Returns true if handled. */
bool list_key(list *l, int key);
/* Mouse: click on a visible row (relative to the rect) or wheel. */
bool list_click(list *l, int rel_y, int wheel);
void list_draw(list *l, ui_rect r);

/* Column widths for a total width: fixed columns keep theirs, flexible
 * ones share the rest (at least their min); columns that do not fit get
 * width 0. One space between columns. Pure; for tests too. */
void list_layout(const list_col *cols, int ncols, int total, int *widths);

#endif
