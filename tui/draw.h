/* draw.h - small curses drawing helpers on stdscr: clipped, width-aware
 * text in a role's attribute, lines and boxes with UTF-8 or ASCII glyphs.
 *
 * The glyph set is chosen once by draw_init() (UTF-8 when the locale's
 * codeset is UTF-8 and --ascii is not given). Main thread only, like all
 * of curses. */
#ifndef TUI_DRAW_H
#define TUI_DRAW_H

#include "theme.h"

#include <stdbool.h>

typedef struct ui_rect {
	int y, x, h, w;
} ui_rect;

typedef struct draw_glyphs {
	const char *hline, *vline, *tl, *tr, *bl, *br;
	const char *sep;       /* breadcrumb separator */
	const char *up, *down; /* sort markers */
	const char *sel;       /* selection marker */
	const char *spin[10];  /* spinner frames, NULL-terminated */
	const char *check_on, *check_off;
	bool utf8;
} draw_glyphs;

/* force_ascii: --ascii. Returns true if UTF-8 glyphs are used. */
bool draw_init(bool force_ascii);
const draw_glyphs *draw_glyphs_get(void);

/* Writes s at (y,x), cut to w cells, padded to w cells with the role's
 * attribute when pad is true. Returns the cells written. */
int draw_text(int y, int x, int w, role r, const char *s, bool pad);
/* printf-style variant (no padding). */
int draw_textf(int y, int x, int w, role r, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void draw_fill(int y, int x, int w, role r);
void draw_hline(int y, int x, int w, role r);
/* A frame around rect with an optional title; inside is rect shrunk by 1. */
void draw_box(ui_rect rect, role r, const char *title);
void draw_clear(ui_rect rect, role r);

#endif
