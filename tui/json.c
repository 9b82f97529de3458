/* json.c - see json.h. */
#include "json.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

void jw_init(jw *w, FILE *f, bool pretty)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	w->pretty = pretty;
	w->first[0] = true;
}

static void indent(jw *w)
{
	if (!w->pretty)
		return;
	fputc('\n', w->f);
	for (int i = 0; i < w->depth; i++)
		fputs("  ", w->f);
}

/* Called before every value or key: separator and indentation. */
static void pre(jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (!w->first[w->depth])
		fputc(',', w->f);
	w->first[w->depth] = false;
	if (w->depth > 0)
		indent(w);
}

static void open_(jw *w, char c)
{
	pre(w);
	fputc(c, w->f);
	if (w->depth >= JW_MAX_DEPTH) {
		w->overflow = true;
		return;
	}
	w->depth++;
	w->first[w->depth] = true;
}

static void close_(jw *w, char c)
{
	bool empty = w->first[w->depth];

	if (w->depth > 0)
		w->depth--;
	if (!empty)
		indent(w);
	fputc(c, w->f);
}

void jw_obj_begin(jw *w)
{
	open_(w, '{');
}

void jw_obj_end(jw *w)
{
	close_(w, '}');
}

void jw_arr_begin(jw *w)
{
	open_(w, '[');
}

void jw_arr_end(jw *w)
{
	close_(w, ']');
}

void jw_key(jw *w, const char *key)
{
	pre(w);
	json_write_string(w->f, key ? key : "");
	fputs(w->pretty ? ": " : ":", w->f);
	w->after_key = true;
}

void jw_str(jw *w, const char *s)
{
	pre(w);
	if (s)
		json_write_string(w->f, s);
	else
		fputs("null", w->f);
}

void jw_int(jw *w, long long v)
{
	pre(w);
	fprintf(w->f, "%lld", v);
}

void jw_dbl(jw *w, double v, int prec)
{
	pre(w);
	if (!isfinite(v))
		fputs("null", w->f);
	else if (prec < 0)
		fprintf(w->f, "%.17g", v);
	else
		fprintf(w->f, "%.*f", prec, v);
}

void jw_bool(jw *w, bool v)
{
	pre(w);
	fputs(v ? "true" : "false", w->f);
}

void jw_null(jw *w)
{
	pre(w);
	fputs("null", w->f);
}

void jw_finish(jw *w)
{
	fputc('\n', w->f);
}

/* Length of a valid UTF-8 sequence at p (n bytes left), 0 if invalid.
 * Rejects overlongs, surrogates and values above U+10FFFF. */
static size_t utf8_valid(const unsigned char *p, size_t n)
{
	uint32_t c;
	size_t len;

	if (p[0] < 0xC2)
		return 0;
	if (p[0] < 0xE0) {
		len = 2;
		c = p[0] & 0x1F;
	} else if (p[0] < 0xF0) {
		len = 3;
		c = p[0] & 0x0F;
	} else if (p[0] < 0xF5) {
		len = 4;
		c = p[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3F);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	return len;
}

void json_write_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	fputc('"', f);
	while (n > 0) {
		unsigned char c = *p;

		if (c >= 0x80) {
			size_t l = utf8_valid(p, n);

			if (l == 0) {
				fputs("\\ufffd", f);
				l = 1;
			} else {
				fwrite(p, 1, l, f);
			}
			p += l;
			n -= l;
			continue;
		}
		switch (c) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				fprintf(f, "\\u%04x", c);
			else
				fputc(c, f);
		}
		p++;
		n--;
	}
	fputc('"', f);
}
