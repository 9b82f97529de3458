/* json.h - a small streaming JSON writer.
 *
 * dcictl only ever writes JSON (for --json); it never parses it, so a
 * writer of ~150 lines beats pulling in a library. It writes to a stdio
 * FILE (a real file, stdout, or open_memstream for tests). Strings are
 * escaped per RFC 8259: '"', '\\' and control characters (as \n, \t... or
 * \u00XX), DEL as \u007f, and invalid UTF-8 bytes as \ufffd so that the
 * output is always valid UTF-8. NaN and infinities are written as null.
 *
 * The writer tracks nesting (up to JW_MAX_DEPTH) to place commas; misuse
 * (a value where a key is needed) is the caller's bug and is not checked
 * beyond depth overflow, which sets `overflow`. One writer per thread. */
#ifndef TUI_JSON_H
#define TUI_JSON_H

#include <stdbool.h>
#include <stdio.h>

#define JW_MAX_DEPTH 64

typedef struct jw {
	FILE *f;
	bool pretty;
	int depth;
	bool overflow;
	bool first[JW_MAX_DEPTH + 1]; /* nothing written yet at this level */
	bool after_key;               /* a key was written, value comes next */
} jw;

void jw_init(jw *w, FILE *f, bool pretty);
void jw_obj_begin(jw *w);
void jw_obj_end(jw *w);
void jw_arr_begin(jw *w);
void jw_arr_end(jw *w);
void jw_key(jw *w, const char *key);
void jw_str(jw *w, const char *s); /* NULL writes null */
void jw_int(jw *w, long long v);
void jw_dbl(jw *w, double v, int prec); /* prec < 0: shortest %.17g */
void jw_bool(jw *w, bool v);
void jw_null(jw *w);
/* Ends the document with a newline. */
void jw_finish(jw *w);

/* Writes s as a quoted, escaped JSON string to f. */
void json_write_string(FILE *f, const char *s);

#endif
