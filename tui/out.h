/* out.h - command output, written once, shown as text or JSON.
 *
 * A command handler describes its result as a tree (objects, arrays,
 * scalars) plus human messages; the caller then renders it as an aligned
 * text table / "key: value" lines (out_render_text) or as JSON
 * (out_render_json). The console shows the same text in its output screen.
 *
 * Shape rules for text: a top-level array of objects becomes a table whose
 * columns are the keys in order of first appearance (header: key upper-
 * cased, '_' as space; numbers right-aligned; bool as yes/no; null as "-");
 * a top-level object becomes "key: value" lines, with nested arrays of
 * objects as titled sub-tables. Messages (out_msg) are printed after the
 * data in text; in JSON they appear only when there is no data, as
 * {"message": "..."}.
 *
 * An out is built by one thread at a time (a worker may fill it, the main
 * thread renders it after the job completes). Out-of-memory is sticky and
 * reported by out_oom(). Strings are copied. */
#ifndef TUI_OUT_H
#define TUI_OUT_H

#include <stdbool.h>
#include <stdio.h>

typedef struct out out;

out *out_new(void);
void out_free(out *o);

/* key: member name inside an object, NULL inside an array or at the top. */
void out_obj_begin(out *o, const char *key);
void out_obj_end(out *o);
void out_arr_begin(out *o, const char *key);
void out_arr_end(out *o);
void out_str(out *o, const char *key, const char *val); /* NULL -> null */
void out_int(out *o, const char *key, long long v);
void out_dbl(out *o, const char *key, double v, int prec);
void out_bool(out *o, const char *key, bool v);
void out_null(out *o, const char *key);
void out_msg(out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

bool out_oom(const out *o);
bool out_has_data(const out *o);
/* Number of messages, and the i-th (0 = first). */
size_t out_msg_count(const out *o);
const char *out_msg_get(const out *o, size_t i);

void out_render_text(const out *o, FILE *f);
void out_render_json(const out *o, FILE *f, bool pretty);
/* The same document as one value inside a larger one being written with
 * w (json.h), e.g. a failed command's partial output beside its error. */
struct jw;
void out_json_value(const out *o, struct jw *w);

#endif
