/* lineedit.c - see lineedit.h. */
#include "lineedit.h"

#include "keys.h"
#include "text.h"

#include <curses.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

void le_set(lineedit *e, const char *s)
{
	le_clear(e);
	le_insert(e, s);
}

void le_clear(lineedit *e)
{
	explicit_bzero(e->buf, sizeof(e->buf));
	e->len = e->cur = 0;
	e->scroll = 0;
}

void le_insert(lineedit *e, const char *s)
{
	size_t n = strlen(s);

	if (e->len + n >= sizeof(e->buf))
		return;
	memmove(e->buf + e->cur + n, e->buf + e->cur, e->len - e->cur + 1);
	memcpy(e->buf + e->cur, s, n);
	e->len += n;
	e->cur += n;
}

static size_t prev_char(const lineedit *e, size_t at)
{
	if (at == 0)
		return 0;
	at--;
	while (at > 0 && ((unsigned char)e->buf[at] & 0xC0) == 0x80)
		at--;
	return at;
}

static size_t next_char(const lineedit *e, size_t at)
{
	size_t l = text_charlen(e->buf + at);

	return at + (l ? l : 0);
}

static void del_range(lineedit *e, size_t from, size_t to)
{
	if (to <= from)
		return;
	memmove(e->buf + from, e->buf + to, e->len - to + 1);
	e->len -= to - from;
	if (e->cur > to)
		e->cur -= to - from;
	else if (e->cur > from)
		e->cur = from;
}

bool le_key(lineedit *e, int key)
{
	switch (key) {
	case UIK_LEFT:
		e->cur = prev_char(e, e->cur);
		return true;
	case UIK_RIGHT:
		e->cur = next_char(e, e->cur);
		return true;
	case UIK_HOME:
	case UIK_CTRL('a'):
		e->cur = 0;
		return true;
	case UIK_END:
	case UIK_CTRL('e'):
		e->cur = e->len;
		return true;
	case UIK_BACKSPACE:
		del_range(e, prev_char(e, e->cur), e->cur);
		return true;
	case UIK_DC:
		del_range(e, e->cur, next_char(e, e->cur));
		return true;
	case UIK_CTRL('u'):
		del_range(e, 0, e->cur);
		return true;
	case UIK_CTRL('k'):
		del_range(e, e->cur, e->len);
		return true;
	case UIK_CTRL('w'): {
		size_t p = e->cur;

		while (p > 0 && e->buf[p - 1] == ' ')
			p--;
		while (p > 0 && e->buf[p - 1] != ' ')
			p--;
		del_range(e, p, e->cur);
		return true;
	}
	}
	if (key >= 32 && key < UI_KEYFN && key != 127) {
		char mb[MB_LEN_MAX + 1];
		mbstate_t st;
		size_t n;

		memset(&st, 0, sizeof(st));
		n = wcrtomb(mb, (wchar_t)key, &st);
		if (n == (size_t)-1)
			return true; /* not representable here: swallow */
		mb[n] = '\0';
		le_insert(e, mb);
		return true;
	}
	return false;
}

int le_draw(lineedit *e, int y, int x, int w, role r)
{
	char shown[LINEEDIT_MAX * 2];
	int curcell;

	if (w < 2)
		return x;
	if (e->masked) {
		size_t n = 0, chars = 0, curchars = 0;

		for (size_t i = 0; i < e->len; i += next_char(e, i) - i) {
			if (i < e->cur)
				curchars++;
			chars++;
		}
		for (n = 0; n < chars && n + 1 < sizeof(shown); n++)
			shown[n] = '*';
		shown[n] = '\0';
		curcell = (int)curchars;
	} else {
		char save = e->buf[e->cur];

		e->buf[e->cur] = '\0';
		curcell = text_width(e->buf);
		e->buf[e->cur] = save;
		snprintf(shown, sizeof(shown), "%s", e->buf);
	}
	if (curcell < e->scroll)
		e->scroll = curcell;
	if (curcell >= e->scroll + w - 1)
		e->scroll = curcell - w + 2;
	/* skip `scroll` cells */
	const char *p = shown;
	int skipped = 0;

	while (*p && skipped < e->scroll) {
		size_t l = text_charlen(p);
		char c[8] = {0};

		memcpy(c, p, l < 8 ? l : 7);
		skipped += text_width(c);
		p += l;
	}
	draw_text(y, x, w, r, p, true);
	return x + curcell - e->scroll;
}
