/* xbuf.h - growable byte buffer with XML output helpers for dcisim.
 *
 * Contract: an xbuf owns its storage; xbuf_free releases it, xbuf_steal
 * hands it to the caller (NUL-terminated, caller frees). Allocation failure
 * aborts the simulator (it is a test tool; a half-built answer would lie).
 * Not thread-safe: one buffer per request. Text given to the escaping
 * helpers must be valid UTF-8 (request values are checked on input). */
#ifndef SIM_XBUF_H
#define SIM_XBUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct xbuf {
	char *data;
	size_t len;
	size_t cap;
} xbuf;

void xbuf_init(xbuf *b);
void xbuf_free(xbuf *b);
void xbuf_reset(xbuf *b);
/* Makes room for n more bytes. */
void xbuf_reserve(xbuf *b, size_t n);
void xbuf_add(xbuf *b, const void *p, size_t n);
void xbuf_adds(xbuf *b, const char *s);
void xbuf_addf(xbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void xbuf_vaddf(xbuf *b, const char *fmt, va_list ap);
/* Appends s with &, <, >, " and ' escaped (safe in text and attributes). */
void xbuf_addesc(xbuf *b, const char *s);
/* <name>escaped value</name>; value NULL writes nothing at all. */
void xbuf_elem(xbuf *b, const char *name, const char *value);
void xbuf_elemf(xbuf *b, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void xbuf_elemu(xbuf *b, const char *name, unsigned long long v);
/* <name/> : a flag that is true. */
void xbuf_flag(xbuf *b, const char *name);
/* Returns the NUL-terminated data and leaves b empty; caller frees. */
char *xbuf_steal(xbuf *b, size_t *len);

/* Checked allocation helpers for the whole simulator. */
void *sim_xmalloc(size_t n);
void *sim_xcalloc(size_t n, size_t size);
void *sim_xrealloc(void *p, size_t n);
char *sim_xstrdup(const char *s);

#endif
