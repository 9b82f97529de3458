/* out.c - see out.h. */
#include "out.h"

#include "json.h"
#include "text.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef enum ov_type {
	OV_OBJ,
	OV_ARR,
	OV_STR,
	OV_INT,
	OV_DBL,
	OV_BOOL,
	OV_NULL
} ov_type;

typedef struct ov {
	ov_type t;
	char *key;
	char *s;
	long long i;
	double d;
	int prec;
	bool b;
	struct ov *child, *last, *next, *parent;
} ov;

struct out {
	ov *root;
	ov *cur; /* open container, NULL at top */
	char **msgs;
	size_t nmsg;
	bool oom;
};

out *out_new(void)
{
	return calloc(1, sizeof(out));
}

static void ov_free(ov *v)
{
	while (v) {
		ov *next = v->next;

		ov_free(v->child);
		free(v->key);
		free(v->s);
		free(v);
		v = next;
	}
}

void out_free(out *o)
{
	if (!o)
		return;
	ov_free(o->root);
	for (size_t i = 0; i < o->nmsg; i++)
		free(o->msgs[i]);
	free(o->msgs);
	free(o);
}

bool out_oom(const out *o)
{
	return o->oom;
}

bool out_has_data(const out *o)
{
	return o->root != NULL;
}

/* Adds a node at the current position. A keyed value at the top level
 * makes the root an object implicitly. */
static ov *add(out *o, ov_type t, const char *key)
{
	ov *v;

	if (o->oom)
		return NULL;
	if (!o->cur && o->root) {
		/* second top-level value: only possible into an implicit obj */
		if (o->root->t != OV_OBJ || !key) {
			o->oom = true; /* misuse: treated as a sticky failure */
			return NULL;
		}
		o->cur = o->root;
	}
	if (!o->cur && key) {
		ov *r = calloc(1, sizeof(*r));

		if (!r) {
			o->oom = true;
			return NULL;
		}
		r->t = OV_OBJ;
		o->root = r;
		o->cur = r;
	}
	v = calloc(1, sizeof(*v));
	if (!v || (key && !(v->key = strdup(key)))) {
		free(v);
		o->oom = true;
		return NULL;
	}
	v->t = t;
	if (!o->cur) {
		o->root = v;
	} else {
		v->parent = o->cur;
		if (o->cur->last)
			o->cur->last->next = v;
		else
			o->cur->child = v;
		o->cur->last = v;
	}
	return v;
}

void out_obj_begin(out *o, const char *key)
{
	ov *v = add(o, OV_OBJ, key);

	if (v)
		o->cur = v;
}

void out_arr_begin(out *o, const char *key)
{
	ov *v = add(o, OV_ARR, key);

	if (v)
		o->cur = v;
}

static void end(out *o)
{
	if (o->cur)
		o->cur = o->cur->parent;
}

void out_obj_end(out *o)
{
	end(o);
}

void out_arr_end(out *o)
{
	end(o);
}

void out_str(out *o, const char *key, const char *val)
{
	ov *v = add(o, val ? OV_STR : OV_NULL, key);

	if (v && val && !(v->s = strdup(val)))
		o->oom = true;
}

void out_int(out *o, const char *key, long long i)
{
	ov *v = add(o, OV_INT, key);

	if (v)
		v->i = i;
}

void out_dbl(out *o, const char *key, double d, int prec)
{
	ov *v = add(o, OV_DBL, key);

	if (v) {
		v->d = d;
		v->prec = prec;
	}
}

void out_bool(out *o, const char *key, bool b)
{
	ov *v = add(o, OV_BOOL, key);

	if (v)
		v->b = b;
}

void out_null(out *o, const char *key)
{
	add(o, OV_NULL, key);
}

void out_msg(out *o, const char *fmt, ...)
{
	va_list ap;
	char *m = NULL, **n;

	if (o->oom)
		return;
	va_start(ap, fmt);
	if (vasprintf(&m, fmt, ap) < 0)
		m = NULL;
	va_end(ap);
	n = m ? realloc(o->msgs, (o->nmsg + 1) * sizeof(*n)) : NULL;
	if (!n) {
		free(m);
		o->oom = true;
		return;
	}
	o->msgs = n;
	o->msgs[o->nmsg++] = m;
}

size_t out_msg_count(const out *o)
{
	return o->nmsg;
}

const char *out_msg_get(const out *o, size_t i)
{
	return i < o->nmsg ? o->msgs[i] : NULL;
}

/* ---- JSON ---- */

static void json_value(jw *w, const ov *v)
{
	if (v->key && v->parent && v->parent->t == OV_OBJ)
		jw_key(w, v->key);
	switch (v->t) {
	case OV_OBJ:
	case OV_ARR:
		if (v->t == OV_OBJ)
			jw_obj_begin(w);
		else
			jw_arr_begin(w);
		for (const ov *c = v->child; c; c = c->next)
			json_value(w, c);
		if (v->t == OV_OBJ)
			jw_obj_end(w);
		else
			jw_arr_end(w);
		break;
	case OV_STR:
		jw_str(w, v->s);
		break;
	case OV_INT:
		jw_int(w, v->i);
		break;
	case OV_DBL:
		jw_dbl(w, v->d, v->prec);
		break;
	case OV_BOOL:
		jw_bool(w, v->b);
		break;
	case OV_NULL:
		jw_null(w);
		break;
	}
}

void out_json_value(const out *o, jw *w)
{
	if (o->root) {
		json_value(w, o->root);
	} else {
		jw_obj_begin(w);
		jw_key(w, "message");
		jw_str(w, o->nmsg ? o->msgs[o->nmsg - 1] : "");
		jw_obj_end(w);
	}
}

void out_render_json(const out *o, FILE *f, bool pretty)
{
	jw w;

	jw_init(&w, f, pretty);
	out_json_value(o, &w);
	jw_finish(&w);
}

/* ---- text ---- */

/* Scalar (or compact container) as one line of text, malloc'd. */
static char *scalar_text(const ov *v)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f;

	switch (v->t) {
	case OV_STR:
		return strdup(v->s);
	case OV_INT:
		return asprintf(&s, "%lld", v->i) < 0 ? NULL : s;
	case OV_DBL:
		if (v->prec < 0)
			return asprintf(&s, "%g", v->d) < 0 ? NULL : s;
		return asprintf(&s, "%.*f", v->prec, v->d) < 0 ? NULL : s;
	case OV_BOOL:
		return strdup(v->b ? "yes" : "no");
	case OV_NULL:
		return strdup("-");
	case OV_ARR:
	case OV_OBJ:
		f = open_memstream(&s, &len);
		if (!f)
			return NULL;
		for (const ov *c = v->child; c; c = c->next) {
			char *t = scalar_text(c);

			if (c != v->child)
				fputs(", ", f);
			if (v->t == OV_OBJ && c->key)
				fprintf(f, "%s=", c->key);
			fputs(t ? t : "?", f);
			free(t);
		}
		fclose(f);
		return s;
	}
	return NULL;
}

static void header_text(const char *key, char *buf, size_t len)
{
	size_t i;

	for (i = 0; key[i] && i + 1 < len; i++)
		buf[i] =
		    key[i] == '_' ? ' ' : (char)toupper((unsigned char)key[i]);
	buf[i] = '\0';
}

static void put_cell(FILE *f, const char *s, int width, bool right, bool last)
{
	int pad = width - text_width(s);

	if (right)
		for (int i = 0; i < pad; i++)
			fputc(' ', f);
	fputs(s, f);
	if (!right && !last)
		for (int i = 0; i < pad; i++)
			fputc(' ', f);
}

#define MAX_COLS 64

/* Prints an array of objects as a table, each line prefixed by `ind`. */
static void text_table(const ov *arr, FILE *f, const char *ind)
{
	const char *keys[MAX_COLS];
	int width[MAX_COLS];
	bool numeric[MAX_COLS];
	int ncol = 0;
	size_t nrow = 0;

	for (const ov *r = arr->child; r; r = r->next, nrow++)
		for (const ov *c = r->child; c; c = c->next) {
			int k;

			for (k = 0; k < ncol; k++)
				if (strcmp(keys[k], c->key ? c->key : "") == 0)
					break;
			if (k == ncol && ncol < MAX_COLS) {
				char h[128];

				keys[ncol] = c->key ? c->key : "";
				header_text(keys[ncol], h, sizeof(h));
				width[ncol] = text_width(h);
				numeric[ncol] = true;
				ncol++;
			}
		}
	if (ncol == 0)
		return;

	char **cells = calloc(nrow * (size_t)ncol, sizeof(char *));

	if (!cells)
		return;
	size_t ri = 0;

	for (const ov *r = arr->child; r; r = r->next, ri++)
		for (const ov *c = r->child; c; c = c->next)
			for (int k = 0; k < ncol; k++) {
				if (strcmp(keys[k], c->key ? c->key : "") != 0)
					continue;
				char *t = scalar_text(c);
				int w = t ? text_width(t) : 1;

				free(cells[ri * (size_t)ncol + (size_t)k]);
				cells[ri * (size_t)ncol + (size_t)k] = t;
				if (w > width[k])
					width[k] = w;
				if (c->t != OV_INT && c->t != OV_DBL &&
				    c->t != OV_NULL)
					numeric[k] = false;
				break;
			}
	fputs(ind, f);
	for (int k = 0; k < ncol; k++) {
		char h[128];

		header_text(keys[k], h, sizeof(h));
		put_cell(f, h, width[k], numeric[k], k == ncol - 1);
		if (k < ncol - 1)
			fputs("  ", f);
	}
	fputc('\n', f);
	for (size_t r = 0; r < nrow; r++) {
		fputs(ind, f);
		for (int k = 0; k < ncol; k++) {
			const char *t = cells[r * (size_t)ncol + (size_t)k];

			put_cell(f, t ? t : "-", width[k], numeric[k],
			         k == ncol - 1);
			if (k < ncol - 1)
				fputs("  ", f);
		}
		fputc('\n', f);
	}
	for (size_t i = 0; i < nrow * (size_t)ncol; i++)
		free(cells[i]);
	free(cells);
}

static bool is_table(const ov *v)
{
	if (v->t != OV_ARR || !v->child)
		return false;
	for (const ov *c = v->child; c; c = c->next)
		if (c->t != OV_OBJ)
			return false;
	return true;
}

static void text_object(const ov *obj, FILE *f, const char *ind)
{
	int kw = 0;

	for (const ov *c = obj->child; c; c = c->next)
		if (c->key && !is_table(c) && c->t != OV_OBJ &&
		    text_width(c->key) > kw)
			kw = text_width(c->key);
	for (const ov *c = obj->child; c; c = c->next) {
		const char *k = c->key ? c->key : "";

		if (is_table(c)) {
			fprintf(f, "%s%s:\n", ind, k);
			char sub[64];

			snprintf(sub, sizeof(sub), "%s  ", ind);
			text_table(c, f, sub);
		} else if (c->t == OV_OBJ) {
			char sub[64];

			fprintf(f, "%s%s:\n", ind, k);
			snprintf(sub, sizeof(sub), "%s  ", ind);
			text_object(c, f, sub);
		} else {
			char *t = scalar_text(c);

			fprintf(f, "%s%s:%*s %s\n", ind, k, kw - text_width(k),
			        "", t ? t : "?");
			free(t);
		}
	}
}

void out_render_text(const out *o, FILE *f)
{
	const ov *r = o->root;

	if (r) {
		if (is_table(r)) {
			text_table(r, f, "");
		} else if (r->t == OV_OBJ) {
			text_object(r, f, "");
		} else if (r->t == OV_ARR) {
			for (const ov *c = r->child; c; c = c->next) {
				char *t = scalar_text(c);

				fprintf(f, "%s\n", t ? t : "?");
				free(t);
			}
		} else {
			char *t = scalar_text(r);

			fprintf(f, "%s\n", t ? t : "?");
			free(t);
		}
	}
	for (size_t i = 0; i < o->nmsg; i++)
		fprintf(f, "%s\n", o->msgs[i]);
}
