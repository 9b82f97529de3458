/* text.c - see text.h. */
#include "text.h"

#include <ctype.h>
#include <string.h>
#include <wchar.h>

/* Decodes one character at s (n bytes available). Returns its byte length
 * (>=1) and stores its display width in *w; invalid bytes give length 1,
 * width 1 and *bad = true. */
static size_t decode(const char *s, size_t n, int *w, bool *bad)
{
	mbstate_t st;
	wchar_t wc;
	size_t r;

	memset(&st, 0, sizeof(st));
	*bad = false;
	if ((unsigned char)*s < 0x80) {
		*w = 1; /* control bytes are shown as one "?" */
		return 1;
	}
	r = mbrtowc(&wc, s, n, &st);
	if (r == (size_t)-1 || r == (size_t)-2 || r == 0) {
		*w = 1;
		*bad = true;
		return 1;
	}
	*w = wcwidth(wc);
	if (*w < 0) {
		*w = 1;
		*bad = true;
	}
	return r;
}

int text_width(const char *s)
{
	size_t n = strlen(s);
	int total = 0;

	while (n > 0) {
		int w;
		bool bad;
		size_t l = decode(s, n, &w, &bad);

		total += w;
		s += l;
		n -= l;
	}
	return total;
}

size_t text_charlen(const char *s)
{
	int w;
	bool bad;

	if (!*s)
		return 0;
	return decode(s, strlen(s), &w, &bad);
}

int text_fit(const char *s, int cells, bool ellipsis, bool pad, bool right,
             char *out, size_t outlen)
{
	size_t n = strlen(s), o = 0;
	int used = 0;
	bool cut = false;

	if (outlen == 0)
		return 0;
	if (cells < 0)
		cells = 0;
	if (ellipsis && text_width(s) > cells) {
		cut = true;
		cells--; /* room for the marker */
	}
	while (n > 0) {
		int w;
		bool bad;
		size_t l = decode(s, n, &w, &bad);

		if (used + w > cells)
			break;
		if (bad || (l == 1 && iscntrl((unsigned char)*s))) {
			if (o + 1 >= outlen)
				break;
			out[o++] = '?';
		} else {
			if (o + l >= outlen)
				break;
			memcpy(out + o, s, l);
			o += l;
		}
		used += w;
		s += l;
		n -= l;
	}
	if (cut && cells >= 0 && o + 1 < outlen) {
		out[o++] = '~';
		used++;
		cells++;
	}
	out[o] = '\0';
	if (pad && used < cells) {
		size_t padn = (size_t)(cells - used);

		if (o + padn >= outlen)
			padn = outlen - o - 1;
		if (right) {
			memmove(out + padn, out, o + 1);
			memset(out, ' ', padn);
		} else {
			memset(out + o, ' ', padn);
			out[o + padn] = '\0';
		}
		used += (int)padn;
	}
	return used;
}

bool text_contains(const char *hay, const char *needle)
{
	if (!*needle)
		return true;
	return strcasestr(hay, needle) != NULL;
}
