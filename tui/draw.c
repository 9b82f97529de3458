/* draw.c - see draw.h. */
#include "draw.h"

#include "text.h"

#include <curses.h>
#include <langinfo.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const draw_glyphs utf8_glyphs = {
    "─",
    "│",
    "┌",
    "┐",
    "└",
    "┘",
    " › ",
    "▲",
    "▼",
    "▶",
    {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", NULL},
    "[x]",
    "[ ]",
    true,
};

static const draw_glyphs ascii_glyphs = {
    "-",
    "|",
    "+",
    "+",
    "+",
    "+",
    " > ",
    "^",
    "v",
    ">",
    {"|", "/", "-", "\\", NULL},
    "[x]",
    "[ ]",
    false,
};

static const draw_glyphs *glyphs = &ascii_glyphs;

bool draw_init(bool force_ascii)
{
	const char *cs = nl_langinfo(CODESET);

	glyphs = (!force_ascii && cs &&
	          (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "utf8") == 0))
	             ? &utf8_glyphs
	             : &ascii_glyphs;
	return glyphs->utf8;
}

const draw_glyphs *draw_glyphs_get(void)
{
	return glyphs;
}

int draw_text(int y, int x, int w, role r, const char *s, bool pad)
{
	char buf[1024];
	int n;

	if (w <= 0 || y < 0 || y >= LINES || x >= COLS)
		return 0;
	if (x + w > COLS)
		w = COLS - x;
	n = text_fit(s, w, false, pad, false, buf, sizeof(buf));
	attrset((attr_t)theme_attr(r));
	mvaddstr(y, x, buf);
	attrset(A_NORMAL);
	return n;
}

int draw_textf(int y, int x, int w, role r, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return draw_text(y, x, w, r, buf, false);
}

void draw_fill(int y, int x, int w, role r)
{
	draw_text(y, x, w, r, "", true);
}

void draw_hline(int y, int x, int w, role r)
{
	if (y < 0 || y >= LINES)
		return;
	attrset((attr_t)theme_attr(r));
	for (int i = 0; i < w && x + i < COLS; i++)
		mvaddstr(y, x + i, glyphs->hline);
	attrset(A_NORMAL);
}

void draw_box(ui_rect rc, role r, const char *title)
{
	if (rc.h < 2 || rc.w < 2)
		return;
	attrset((attr_t)theme_attr(r));
	mvaddstr(rc.y, rc.x, glyphs->tl);
	mvaddstr(rc.y, rc.x + rc.w - 1, glyphs->tr);
	mvaddstr(rc.y + rc.h - 1, rc.x, glyphs->bl);
	mvaddstr(rc.y + rc.h - 1, rc.x + rc.w - 1, glyphs->br);
	for (int i = 1; i < rc.w - 1; i++) {
		mvaddstr(rc.y, rc.x + i, glyphs->hline);
		mvaddstr(rc.y + rc.h - 1, rc.x + i, glyphs->hline);
	}
	for (int i = 1; i < rc.h - 1; i++) {
		mvaddstr(rc.y + i, rc.x, glyphs->vline);
		mvaddstr(rc.y + i, rc.x + rc.w - 1, glyphs->vline);
	}
	attrset(A_NORMAL);
	if (title && *title) {
		char t[256];

		snprintf(t, sizeof(t), " %s ", title);
		draw_text(rc.y, rc.x + 2, rc.w - 4, ROLE_TITLE, t, false);
	}
}

void draw_clear(ui_rect rc, role r)
{
	for (int i = 0; i < rc.h; i++)
		draw_fill(rc.y + i, rc.x, rc.w, r);
}
