/* xbuf.c - growable buffer and XML escaping (see xbuf.h). */
#include "xbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n)
{
	fprintf(stderr, "dcisim: out of memory (%zu bytes)\n", n);
	abort();
}

void *sim_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *sim_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom(n * size);
	return p;
}

void *sim_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *sim_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = sim_xmalloc(n);
	memcpy(p, s, n);
	return p;
}

void xbuf_init(xbuf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void xbuf_free(xbuf *b)
{
	free(b->data);
	xbuf_init(b);
}

void xbuf_reset(xbuf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void xbuf_reserve(xbuf *b, size_t n)
{
	/* +1 keeps room for the terminating NUL at all times. */
	if (b->len + n + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + n + 1)
		cap *= 2;
	b->data = sim_xrealloc(b->data, cap);
	b->cap = cap;
}

void xbuf_add(xbuf *b, const void *p, size_t n)
{
	xbuf_reserve(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void xbuf_adds(xbuf *b, const char *s)
{
	xbuf_add(b, s, strlen(s));
}

void xbuf_vaddf(xbuf *b, const char *fmt, va_list ap)
{
	va_list aq;
	va_copy(aq, ap);
	xbuf_reserve(b, 64);
	int n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, aq);
	va_end(aq);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->len) {
		xbuf_reserve(b, (size_t)n);
		vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void xbuf_addf(xbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	xbuf_vaddf(b, fmt, ap);
	va_end(ap);
}

void xbuf_addesc(xbuf *b, const char *s)
{
	const char *run = s;
	for (const char *p = s; *p; p++) {
		const char *rep;
		switch (*p) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&apos;";
			break;
		default:
			continue;
		}
		xbuf_add(b, run, (size_t)(p - run));
		xbuf_adds(b, rep);
		run = p + 1;
	}
	xbuf_adds(b, run);
}

void xbuf_elem(xbuf *b, const char *name, const char *value)
{
	if (!value)
		return;
	xbuf_addf(b, "<%s>", name);
	xbuf_addesc(b, value);
	xbuf_addf(b, "</%s>", name);
}

void xbuf_elemf(xbuf *b, const char *name, const char *fmt, ...)
{
	xbuf tmp;
	va_list ap;
	xbuf_init(&tmp);
	va_start(ap, fmt);
	xbuf_vaddf(&tmp, fmt, ap);
	va_end(ap);
	xbuf_elem(b, name, tmp.data ? tmp.data : "");
	xbuf_free(&tmp);
}

void xbuf_elemu(xbuf *b, const char *name, unsigned long long v)
{
	xbuf_addf(b, "<%s>%llu</%s>", name, v, name);
}

void xbuf_flag(xbuf *b, const char *name)
{
	xbuf_addf(b, "<%s/>", name);
}

char *xbuf_steal(xbuf *b, size_t *len)
{
	if (!b->data) {
		xbuf_reserve(b, 0);
		b->data[0] = '\0';
	}
	char *p = b->data;
	if (len)
		*len = b->len;
	xbuf_init(b);
	return p;
}
