/* xml.c - hardened decoding of panel answers; see xml.h.
 *
 * One SAX2 pass builds the result directly (no tree): element names come
 * from the parser's dictionary, which the doc keeps, and every value is
 * copied once into an arena. That keeps a 10 000-row list close to the
 * cost of the parse itself. */
#include "xml.h"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <limits.h>
#include <stdarg.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apilog.h"

/* ---- arena ---- */

typedef struct ablk {
	struct ablk *next;
	size_t used, cap;
	alignas(max_align_t) char data[];
} ablk;

struct xml_arena {
	ablk *head;
	size_t next_cap;
	xmlDictPtr dict; /* element and attribute names point into it */
};

static void arena_free(struct xml_arena *a)
{
	if (!a)
		return;
	for (ablk *b = a->head, *n; b; b = n) {
		n = b->next;
		free(b);
	}
	if (a->dict)
		xmlDictFree(a->dict);
	free(a);
}

static void *arena_alloc(struct xml_arena *a, size_t n)
{
	n = (n + 7) & ~(size_t)7;
	ablk *b = a->head;
	if (!b || b->cap - b->used < n) {
		size_t cap = a->next_cap ? a->next_cap : 16384;
		if (a->next_cap < (1u << 20))
			a->next_cap = cap * 2;
		if (cap < n)
			cap = n;
		b = malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->used = 0;
		b->cap = cap;
		b->next = a->head;
		a->head = b;
	}
	void *p = b->data + b->used;
	b->used += n;
	return p;
}

static char *arena_strndup(struct xml_arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* Copies an attribute value from libxml2's SAX2 attribute array. Without
 * entity substitution, libxml2 hands over every '&' of a value (from
 * &amp; or &#38;) as the five characters "&#38;" and nothing else with an
 * '&', so turning each "&#38;" back into '&' is exact. */
static char *arena_attr(struct xml_arena *a, const xmlChar **attrs, int i)
{
	const char *v = (const char *)attrs[i * 5 + 3];
	size_t n = (size_t)((const char *)attrs[i * 5 + 4] - v);
	char *p = arena_strndup(a, v, n);
	if (!p || !memchr(p, '&', n))
		return p;
	char *w = p;
	for (const char *r = p; *r;) {
		if (strncmp(r, "&#38;", 5) == 0) {
			*w++ = '&';
			r += 5;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return p;
}

/* ---- growable scratch arrays ---- */

typedef struct vec {
	char *p;
	size_t n, cap;
} vec;

static void *vec_push(vec *v, size_t esz)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		char *p = realloc(v->p, cap * esz);
		if (!p)
			return NULL;
		v->p = p;
		v->cap = cap;
	}
	return v->p + esz * v->n++;
}

/* ---- the hardened SAX2 frame shared by the decoder and the tree ---- */

typedef struct sax_base {
	xmlParserCtxtPtr ctxt;
	int depth, max_depth;
	bool failed;
	dc_errcat cat;
	char why[400];
	/* text of the innermost open element(s), see text_mark */
	char *text;
	size_t tlen, tcap;
} sax_base;

static void sax_fail(sax_base *s, dc_errcat cat, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void sax_fail(sax_base *s, dc_errcat cat, const char *fmt, ...)
{
	if (s->failed)
		return;
	s->failed = true;
	s->cat = cat;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
	xmlStopParser(s->ctxt);
}

static void text_add(sax_base *s, const xmlChar *ch, int len)
{
	if (s->failed || len <= 0)
		return;
	size_t n = (size_t)len;
	if (s->tlen + n + 1 > s->tcap) {
		size_t cap = s->tcap ? s->tcap : 256;
		while (cap < s->tlen + n + 1)
			cap *= 2;
		char *t = realloc(s->text, cap);
		if (!t) {
			sax_fail(s, DC_E_NOMEM, "out of memory");
			return;
		}
		s->text = t;
		s->tcap = cap;
	}
	memcpy(s->text + s->tlen, ch, n);
	s->tlen += n;
}

static void on_refuse_dtd(void *ud, const xmlChar *name,
                          const xmlChar *ExternalID, const xmlChar *SystemID)
{
	sax_fail(ud, DC_E_PARSE,
	         "answer carries a DOCTYPE (refused: a panel answer never "
	         "needs a DTD)");
}

static void on_refuse_entity(void *ud, const xmlChar *name, int type,
                             const xmlChar *publicId, const xmlChar *systemId,
                             xmlChar *content)
{
	sax_fail(ud, DC_E_PARSE, "answer declares an entity (refused)");
}

static xmlEntityPtr on_get_entity(void *ud, const xmlChar *name)
{
	/* Only the five predefined entities exist; libxml2 resolves those
	 * before asking. Anything else is undefined, hence malformed. */
	return NULL;
}

static xmlParserInputPtr on_resolve(void *ud, const xmlChar *publicId,
                                    const xmlChar *systemId)
{
	sax_fail(ud, DC_E_PARSE, "answer refers to an external entity");
	return NULL;
}

static void on_quiet(void *ud, const char *msg, ...)
{
}

#if LIBXML_VERSION >= 21200
static void on_serror(void *ud, const xmlError *e)
#else
static void on_serror(void *ud, xmlErrorPtr e)
#endif
{
	sax_base *s = ud;
	if (!e || e->level < XML_ERR_ERROR || s->failed)
		return;
	char msg[300];
	dc_strlcpy(msg, e->message ? e->message : "malformed", sizeof(msg));
	size_t l = strlen(msg);
	while (l && (msg[l - 1] == '\n' || msg[l - 1] == ' '))
		msg[--l] = '\0';
	sax_fail(s, DC_E_PARSE, "answer is not well-formed XML: %s (line %d)",
	         msg, e->line);
}

static void on_characters(void *ud, const xmlChar *ch, int len)
{
	text_add(ud, ch, len);
}

/* Depth bookkeeping for a start tag; false when refused. */
static bool depth_enter(sax_base *s)
{
	if (s->failed)
		return false;
	if (s->depth >= s->max_depth) {
		sax_fail(s, DC_E_PARSE,
		         "answer nests elements deeper than %d (refused)",
		         s->max_depth);
		return false;
	}
	s->depth++;
	return true;
}

/* Runs the parser over body with the hardened handler set plus start/end.
 * On success, if keep_dict, returns the parser's dictionary (referenced)
 * in *dict. */
static int sax_run(sax_base *s, const char *body, size_t len,
                   const xml_opts *opts, startElementNsSAX2Func start,
                   endElementNsSAX2Func end, xmlDictPtr *dict, dc_err *err)
{
	size_t max_body =
	    opts && opts->max_body ? opts->max_body : XML_DEFAULT_MAX_BODY;
	s->max_depth = opts && opts->max_depth > 0 ? opts->max_depth
	                                           : XML_DEFAULT_MAX_DEPTH;
	if (max_body > INT_MAX)
		max_body = INT_MAX;
	if (len > max_body)
		return err_set(err, DC_E_PARSE,
		               "answer of %zu bytes exceeds the %zu-byte limit "
		               "(refused)",
		               len, max_body);
	if (!body || len == 0)
		return err_set(err, DC_E_PARSE, "answer is empty");

	xmlSAXHandler sax;
	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = start;
	sax.endElementNs = end;
	sax.characters = on_characters;
	sax.cdataBlock = on_characters;
	sax.internalSubset = on_refuse_dtd;
	sax.externalSubset = on_refuse_dtd;
	sax.entityDecl = on_refuse_entity;
	sax.getEntity = on_get_entity;
	sax.getParameterEntity = on_get_entity;
	sax.resolveEntity = on_resolve;
	sax.warning = on_quiet;
	sax.error = on_quiet;
	sax.fatalError = on_quiet;
	sax.serror = on_serror;

	xmlParserCtxtPtr ctxt = xmlCreateMemoryParserCtxt(body, (int)len);
	if (!ctxt)
		return err_set(err, DC_E_NOMEM, "cannot create an XML parser");
	memcpy(ctxt->sax, &sax, sizeof(sax));
	ctxt->userData = s;
	s->ctxt = ctxt;
	/* No NOENT, DTDLOAD, DTDATTR or HUGE: libxml2's own limits on text
	 * and names stay on as a second line of defence. */
	xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOBLANKS);
	/* NOBLANKS may install a default whitespace handler; keep ours. */
	ctxt->sax->ignorableWhitespace = on_characters;
	xmlParseDocument(ctxt);
	int rc = 0;
	if (s->failed) {
		err_set(err, s->cat, "%s", s->why);
		rc = -1;
	} else if (!ctxt->wellFormed) {
		err_set(err, DC_E_PARSE, "answer is not well-formed XML");
		rc = -1;
	}
	if (rc == 0 && dict) {
		xmlDictReference(ctxt->dict);
		*dict = ctxt->dict;
	}
	xmlFreeParserCtxt(ctxt);
	s->ctxt = NULL;
	return rc;
}

/* ---- the decoder ---- */

enum role {
	R_ROOT,   /* <doc> */
	R_ROW,    /* <elem> of the doc or of a report table */
	R_RFIELD, /* a child of a row */
	R_REPORT, /* <reportdata> */
	R_TABLE,  /* a table in reportdata */
	R_SLIST,
	R_SVAL,
	R_ERROR,
	R_EMSG,
	R_TOP, /* another child of <doc> */
	R_SKIP,
};

typedef struct frame {
	unsigned char role;
	bool has_child;
	const char *name; /* dictionary string */
	const char *key;  /* <val key>, arena */
} frame;

typedef struct dec {
	sax_base s; /* first: the SAX user data is either */
	xml_doc *doc;
	struct xml_arena *ar;
	frame *stack;
	bool in_table_row;
	bool root_seen;
	vec fields; /* xml_field of the open row */
	vec rows;   /* xml_row of the doc */
	vec trows;  /* xml_row of the open table */
	vec tables; /* xml_table */
	vec top;    /* xml_field of the doc */
	vec slists; /* xml_slist */
	vec svals;  /* xml_option of the open slist */
	const char *slist_name;
} dec;

static char *dec_text(dec *d)
{
	char *t = arena_strndup(d->ar, d->s.text ? d->s.text : "", d->s.tlen);
	if (!t)
		sax_fail(&d->s, DC_E_NOMEM, "out of memory");
	return t;
}

/* Moves v's elements into the arena; NULL (and *n = 0) when empty. */
static const void *dec_seal(dec *d, vec *v, size_t esz, size_t *n)
{
	*n = v->n;
	if (!v->n)
		return NULL;
	void *p = arena_alloc(d->ar, v->n * esz);
	if (!p) {
		sax_fail(&d->s, DC_E_NOMEM, "out of memory");
		*n = 0;
		return NULL;
	}
	memcpy(p, v->p, v->n * esz);
	v->n = 0;
	return p;
}

static bool dec_push_field(dec *d, vec *v, const char *name, const char *value)
{
	xml_field *f = vec_push(v, sizeof(*f));
	if (!f) {
		sax_fail(&d->s, DC_E_NOMEM, "out of memory");
		return false;
	}
	f->name = name;
	f->value = value;
	return true;
}

/* attribute i of a SAX2 attribute array: value as arena copy */
static const char *attr_value(dec *d, const xmlChar **attrs, int i)
{
	const char *v = arena_attr(d->ar, attrs, i);
	if (!v)
		sax_fail(&d->s, DC_E_NOMEM, "out of memory");
	return v;
}

static const char *find_attr(dec *d, int nb, const xmlChar **attrs,
                             const char *name)
{
	for (int i = 0; i < nb; i++)
		if (strcmp((const char *)attrs[i * 5], name) == 0)
			return attr_value(d, attrs, i);
	return NULL;
}

static void dec_start(void *ud, const xmlChar *localname, const xmlChar *prefix,
                      const xmlChar *URI, int nb_namespaces,
                      const xmlChar **namespaces, int nb_attributes,
                      int nb_defaulted, const xmlChar **attrs)
{
	dec *d = ud;
	if (!depth_enter(&d->s))
		return;
	const char *name = (const char *)localname;
	frame *f = &d->stack[d->s.depth - 1];
	f->name = name;
	f->has_child = false;
	f->key = NULL;
	d->s.tlen = 0;
	if (d->s.depth == 1) {
		if (strcmp(name, "doc") != 0) {
			sax_fail(&d->s, DC_E_PARSE,
			         "answer's root element is <%.64s>, not <doc>",
			         name);
			return;
		}
		d->root_seen = true;
		f->role = R_ROOT;
		return;
	}
	frame *p = f - 1;
	p->has_child = true;
	switch (p->role) {
	case R_ROOT:
		if (strcmp(name, "elem") == 0) {
			f->role = R_ROW;
			d->in_table_row = false;
		} else if (strcmp(name, "reportdata") == 0) {
			f->role = R_REPORT;
		} else if (strcmp(name, "slist") == 0) {
			f->role = R_SLIST;
			d->slist_name =
			    find_attr(d, nb_attributes, attrs, "name");
			if (!d->slist_name)
				d->slist_name = "";
			d->svals.n = 0;
		} else if (strcmp(name, "error") == 0) {
			f->role = R_ERROR;
			xml_doc *doc = d->doc;
			doc->is_error = true;
			doc->error_type =
			    find_attr(d, nb_attributes, attrs, "type");
			doc->error_object =
			    find_attr(d, nb_attributes, attrs, "object");
			doc->error_value =
			    find_attr(d, nb_attributes, attrs, "value");
		} else if (strcmp(name, "ok") == 0) {
			f->role = R_SKIP;
			d->doc->ok = true;
		} else {
			f->role = R_TOP;
			/* attributes become "elem@attr" fields */
			for (int i = 0; i < nb_attributes; i++) {
				const char *an = (const char *)attrs[i * 5];
				size_t nl = strlen(name), al = strlen(an);
				char *full = arena_alloc(d->ar, nl + al + 2);
				const char *v = attr_value(d, attrs, i);
				if (!full || !v) {
					sax_fail(&d->s, DC_E_NOMEM,
					         "out of memory");
					return;
				}
				memcpy(full, name, nl);
				full[nl] = '@';
				memcpy(full + nl + 1, an, al + 1);
				dec_push_field(d, &d->top, full, v);
			}
		}
		break;
	case R_ROW:
		f->role = R_RFIELD;
		break;
	case R_REPORT:
		f->role = R_TABLE;
		d->trows.n = 0;
		break;
	case R_TABLE:
		if (strcmp(name, "elem") == 0) {
			f->role = R_ROW;
			d->in_table_row = true;
		} else {
			f->role = R_SKIP;
		}
		break;
	case R_SLIST:
		if (strcmp(name, "val") == 0) {
			f->role = R_SVAL;
			f->key = find_attr(d, nb_attributes, attrs, "key");
		} else {
			f->role = R_SKIP;
		}
		break;
	case R_ERROR:
		f->role = strcmp(name, "msg") == 0 ? R_EMSG : R_SKIP;
		break;
	default:
		/* children of fields, values and unknown elements: their
		 * parent becomes a container and is not a value. */
		f->role = R_SKIP;
		break;
	}
}

static bool is_group_row(const xml_field *fs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(fs[i].name, "type") == 0)
			return strcmp(fs[i].value, "group") == 0;
	return false;
}

static void dec_end(void *ud, const xmlChar *localname, const xmlChar *prefix,
                    const xmlChar *URI)
{
	dec *d = ud;
	if (d->s.failed)
		return;
	frame *f = &d->stack[d->s.depth - 1];
	xml_doc *doc = d->doc;
	switch (f->role) {
	case R_RFIELD:
		if (!f->has_child) {
			const char *v = dec_text(d);
			if (v)
				dec_push_field(d, &d->fields, f->name, v);
		}
		break;
	case R_ROW: {
		size_t n;
		const xml_field *fs = dec_seal(d, &d->fields, sizeof(*fs), &n);
		if (d->s.failed || is_group_row(fs, n))
			break;
		xml_row *r = vec_push(d->in_table_row ? &d->trows : &d->rows,
		                      sizeof(*r));
		if (!r) {
			sax_fail(&d->s, DC_E_NOMEM, "out of memory");
			break;
		}
		r->fields = fs;
		r->nfields = n;
		break;
	}
	case R_TABLE: {
		xml_table *t = vec_push(&d->tables, sizeof(*t));
		if (!t) {
			sax_fail(&d->s, DC_E_NOMEM, "out of memory");
			break;
		}
		t->name = f->name;
		t->rows = dec_seal(d, &d->trows, sizeof(xml_row), &t->nrows);
		break;
	}
	case R_SVAL: {
		xml_option *o = vec_push(&d->svals, sizeof(*o));
		if (!o) {
			sax_fail(&d->s, DC_E_NOMEM, "out of memory");
			break;
		}
		o->label = dec_text(d);
		o->key = f->key ? f->key : o->label;
		break;
	}
	case R_SLIST: {
		xml_slist *sl = vec_push(&d->slists, sizeof(*sl));
		if (!sl) {
			sax_fail(&d->s, DC_E_NOMEM, "out of memory");
			break;
		}
		sl->name = d->slist_name;
		sl->vals =
		    dec_seal(d, &d->svals, sizeof(xml_option), &sl->nvals);
		break;
	}
	case R_EMSG:
		doc->error_msg = dec_text(d);
		break;
	case R_TOP:
		if (!f->has_child) {
			const char *v = dec_text(d);
			if (v)
				dec_push_field(d, &d->top, f->name, v);
		}
		break;
	case R_ROOT:
		doc->rows = dec_seal(d, &d->rows, sizeof(xml_row), &doc->nrows);
		doc->tables =
		    dec_seal(d, &d->tables, sizeof(xml_table), &doc->ntables);
		doc->fields =
		    dec_seal(d, &d->top, sizeof(xml_field), &doc->nfields);
		doc->slists =
		    dec_seal(d, &d->slists, sizeof(xml_slist), &doc->nslists);
		break;
	default:
		break;
	}
	d->s.depth--;
	d->s.tlen = 0;
}

void xml_doc_free(xml_doc *doc)
{
	if (!doc)
		return;
	arena_free(doc->arena);
	free(doc);
}

xml_doc *xml_decode(const char *body, size_t len, const xml_opts *opts,
                    dc_err *err)
{
	dec d;
	memset(&d, 0, sizeof(d));
	xml_doc *doc = calloc(1, sizeof(*doc));
	struct xml_arena *ar = calloc(1, sizeof(*ar));
	int max_depth = opts && opts->max_depth > 0 ? opts->max_depth
	                                            : XML_DEFAULT_MAX_DEPTH;
	d.stack = calloc((size_t)max_depth + 1, sizeof(*d.stack));
	if (!doc || !ar || !d.stack) {
		free(doc);
		free(ar);
		free(d.stack);
		err_set(err, DC_E_NOMEM, "out of memory");
		return NULL;
	}
	doc->arena = ar;
	d.doc = doc;
	d.ar = ar;
	int rc =
	    sax_run(&d.s, body, len, opts, dec_start, dec_end, &ar->dict, err);
	if (rc == 0 && !d.root_seen) {
		err_set(err, DC_E_PARSE, "answer has no <doc> element");
		rc = -1;
	}
	free(d.stack);
	free(d.s.text);
	free(d.fields.p);
	free(d.rows.p);
	free(d.trows.p);
	free(d.tables.p);
	free(d.top.p);
	free(d.slists.p);
	free(d.svals.p);
	if (rc < 0) {
		xml_doc_free(doc);
		return NULL;
	}
	if (doc->is_error) {
		if (!doc->error_type)
			doc->error_type = "";
		if (!doc->error_msg)
			doc->error_msg = "";
	}
	return doc;
}

/* ---- lookups ---- */

const char *xml_row_get(const xml_row *row, const char *name)
{
	if (!row || !name)
		return NULL;
	for (size_t i = 0; i < row->nfields; i++)
		if (strcmp(row->fields[i].name, name) == 0)
			return row->fields[i].value;
	return NULL;
}

bool xml_row_flag(const xml_row *row, const char *name)
{
	const char *v = xml_row_get(row, name);
	return v && strcmp(v, "off") != 0;
}

const char *xml_doc_get(const xml_doc *doc, const char *name)
{
	if (!doc || !name)
		return NULL;
	for (size_t i = 0; i < doc->nfields; i++)
		if (strcmp(doc->fields[i].name, name) == 0)
			return doc->fields[i].value;
	return NULL;
}

const xml_table *xml_doc_table(const xml_doc *doc, const char *name)
{
	if (!doc)
		return NULL;
	for (size_t i = 0; i < doc->ntables; i++)
		if (!name || strcmp(doc->tables[i].name, name) == 0)
			return &doc->tables[i];
	return NULL;
}

const xml_slist *xml_doc_slist(const xml_doc *doc, const char *name)
{
	if (!doc || !name)
		return NULL;
	for (size_t i = 0; i < doc->nslists; i++)
		if (strcmp(doc->slists[i].name, name) == 0)
			return &doc->slists[i];
	return NULL;
}

dc_errcat xml_error_cat(const char *type)
{
	static const struct {
		const char *type;
		dc_errcat cat;
	} map[] = {
	    {"auth", DC_E_AUTH},     {"access", DC_E_ACCESS},
	    {"exists", DC_E_EXISTS}, {"missed", DC_E_MISSED},
	    {"value", DC_E_VALUE},   {"limit", DC_E_LIMIT},
	};
	for (size_t i = 0; type && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(type, map[i].type) == 0)
			return map[i].cat;
	return DC_E_PANEL;
}

int xml_doc_err(const xml_doc *doc, dc_err *err)
{
	if (!doc || !doc->is_error)
		return 0;
	dc_errcat cat = xml_error_cat(doc->error_type);
	const char *msg = doc->error_msg && doc->error_msg[0]
	                      ? doc->error_msg
	                      : "the panel reported an error";
	err_set(err, cat, "%s", msg);
	if (err) {
		dc_strlcpy(err->type, doc->error_type, sizeof(err->type));
		if (doc->error_object)
			dc_strlcpy(err->object, doc->error_object,
			           sizeof(err->object));
		/* A panel may quote a refused password back as the value:
		 * it must not reach a log or a screen. */
		if (doc->error_value)
			dc_strlcpy(err->value,
			           apilog_secret_key(doc->error_object)
			               ? "***"
			               : doc->error_value,
			           sizeof(err->value));
		/* A pool may be refilled and an expired session renewed; the
		 * other refusals repeat until something changes. */
		err->retryable = cat == DC_E_LIMIT || cat == DC_E_AUTH;
	}
	return -1;
}

/* ---- a generic tree, for the pretty-printer only ---- */

typedef struct tattr {
	const char *name, *value;
} tattr;

typedef struct tnode {
	const char *name; /* dictionary string */
	tattr *attrs;
	size_t nattrs;
	const char *text;
	size_t tlen;
	size_t text_mark; /* where this node's text starts in the scratch */
	struct tnode *first, *last, *next, *parent;
} tnode;

typedef struct tree {
	sax_base s;
	struct xml_arena *ar;
	tnode *root, *cur;
} tree;

static void tree_start(void *ud, const xmlChar *localname,
                       const xmlChar *prefix, const xmlChar *URI,
                       int nb_namespaces, const xmlChar **namespaces,
                       int nb_attributes, int nb_defaulted,
                       const xmlChar **attrs)
{
	tree *t = ud;
	if (!depth_enter(&t->s))
		return;
	tnode *n = arena_alloc(t->ar, sizeof(*n));
	tattr *a = nb_attributes > 0
	               ? arena_alloc(t->ar, sizeof(*a) * (size_t)nb_attributes)
	               : NULL;
	if (!n || (nb_attributes > 0 && !a)) {
		sax_fail(&t->s, DC_E_NOMEM, "out of memory");
		return;
	}
	memset(n, 0, sizeof(*n));
	n->name = (const char *)localname;
	n->attrs = a;
	for (int i = 0; i < nb_attributes; i++) {
		a[i].name = (const char *)attrs[i * 5];
		a[i].value = arena_attr(t->ar, attrs, i);
		if (!a[i].value) {
			sax_fail(&t->s, DC_E_NOMEM, "out of memory");
			return;
		}
	}
	n->nattrs = (size_t)nb_attributes;
	n->text_mark = t->s.tlen;
	n->parent = t->cur;
	if (t->cur) {
		if (t->cur->last)
			t->cur->last->next = n;
		else
			t->cur->first = n;
		t->cur->last = n;
	} else {
		t->root = n;
	}
	t->cur = n;
}

static void tree_end(void *ud, const xmlChar *localname, const xmlChar *prefix,
                     const xmlChar *URI)
{
	tree *t = ud;
	if (t->s.failed || !t->cur)
		return;
	tnode *n = t->cur;
	/* The node's own text is what was added since its start, minus
	 * what its children took back out. */
	n->tlen = t->s.tlen - n->text_mark;
	n->text = arena_strndup(
	    t->ar, t->s.text ? t->s.text + n->text_mark : "", n->tlen);
	if (!n->text) {
		sax_fail(&t->s, DC_E_NOMEM, "out of memory");
		return;
	}
	t->s.tlen = n->text_mark;
	t->cur = n->parent;
	t->s.depth--;
}

static bool all_space(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return false;
	return true;
}

/* A secret attribute: by its own name; the id of a secret element
 * (<auth id>); the value of an <error> about a secret field (a panel may
 * quote the refused password back). */
static bool attr_secret(const tnode *n, const char *attr)
{
	if (apilog_secret_key(attr) ||
	    (apilog_secret_key(n->name) && strcmp(attr, "id") == 0))
		return true;
	if (strcmp(n->name, "error") || strcmp(attr, "value"))
		return false;
	for (size_t i = 0; i < n->nattrs; i++)
		if (!strcmp(n->attrs[i].name, "object"))
			return apilog_secret_key(n->attrs[i].value);
	return false;
}

static void put_xml_escaped(FILE *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(s[i], f);
		}
	}
}

static void pretty_xml_node(FILE *f, const tnode *n, int level)
{
	bool secret = apilog_secret_key(n->name);
	fprintf(f, "%*s<%s", level * 2, "", n->name);
	for (size_t i = 0; i < n->nattrs; i++) {
		fprintf(f, " %s=\"", n->attrs[i].name);
		if (attr_secret(n, n->attrs[i].name))
			fputs("***", f);
		else
			put_xml_escaped(f, n->attrs[i].value,
			                strlen(n->attrs[i].value));
		fputc('"', f);
	}
	if (!n->first) {
		if (n->tlen == 0) {
			fputs("/>\n", f);
			return;
		}
		fputc('>', f);
		if (secret)
			fputs("***", f);
		else
			put_xml_escaped(f, n->text, n->tlen);
		fprintf(f, "</%s>\n", n->name);
		return;
	}
	fputs(">\n", f);
	if (!all_space(n->text, n->tlen)) {
		fprintf(f, "%*s", level * 2 + 2, "");
		if (secret)
			fputs("***", f);
		else
			put_xml_escaped(f, n->text, n->tlen);
		fputc('\n', f);
	}
	for (const tnode *c = n->first; c; c = c->next)
		pretty_xml_node(f, c, level + 1);
	fprintf(f, "%*s</%s>\n", level * 2, "", n->name);
}

static void put_json_string(FILE *f, const char *s, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
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
		default:
			if (c < 0x20)
				fprintf(f, "\\u%04x", c);
			else
				fputc(c, f);
		}
	}
	fputc('"', f);
}

static void json_indent(FILE *f, int level)
{
	fprintf(f, "\n%*s", level * 2, "");
}

static void pretty_json_value(FILE *f, const tnode *n, int level);

static bool always_array(const char *name)
{
	return strcmp(name, "elem") == 0 || strcmp(name, "val") == 0;
}

static void pretty_json_value(FILE *f, const tnode *n, int level)
{
	bool secret = apilog_secret_key(n->name);
	if (!n->first && n->nattrs == 0) {
		if (n->tlen == 0)
			fputs("true", f);
		else if (secret)
			fputs("\"***\"", f);
		else
			put_json_string(f, n->text, n->tlen);
		return;
	}
	fputc('{', f);
	const char *sep = "";
	for (size_t i = 0; i < n->nattrs; i++) {
		fputs(sep, f);
		json_indent(f, level + 1);
		fputs("\"@", f);
		fputs(n->attrs[i].name, f);
		fputs("\": ", f);
		if (attr_secret(n, n->attrs[i].name))
			fputs("\"***\"", f);
		else
			put_json_string(f, n->attrs[i].value,
			                strlen(n->attrs[i].value));
		sep = ",";
	}
	if (!all_space(n->text, n->tlen)) {
		fputs(sep, f);
		json_indent(f, level + 1);
		fputs("\"#text\": ", f);
		if (secret)
			fputs("\"***\"", f);
		else
			put_json_string(f, n->text, n->tlen);
		sep = ",";
	}
	/* Children grouped by name, in order of first appearance. Names are
	 * dictionary strings, so equal names are equal pointers. */
	const char **names = NULL;
	size_t nnames = 0, cap = 0;
	for (const tnode *c = n->first; c; c = c->next) {
		bool seen = false;
		for (size_t i = 0; i < nnames && !seen; i++)
			seen = names[i] == c->name;
		if (seen)
			continue;
		if (nnames == cap) {
			cap = cap ? cap * 2 : 8;
			const char **nn = realloc(names, cap * sizeof(*nn));
			if (!nn)
				break; /* the stream reports the failure */
			names = nn;
		}
		names[nnames++] = c->name;
		size_t count = 0;
		for (const tnode *p = c; p; p = p->next)
			count += p->name == c->name;
		fputs(sep, f);
		json_indent(f, level + 1);
		put_json_string(f, c->name, strlen(c->name));
		fputs(": ", f);
		if (count > 1 || always_array(c->name)) {
			fputc('[', f);
			const char *isep = "";
			for (const tnode *p = c; p; p = p->next) {
				if (p->name != c->name)
					continue;
				fputs(isep, f);
				json_indent(f, level + 2);
				pretty_json_value(f, p, level + 2);
				isep = ",";
			}
			json_indent(f, level + 1);
			fputc(']', f);
		} else {
			pretty_json_value(f, c, level + 1);
		}
		sep = ",";
	}
	free(names);
	json_indent(f, level);
	fputc('}', f);
}

char *xml_pretty(const char *body, size_t len, xml_pretty_fmt fmt,
                 const xml_opts *opts, dc_err *err)
{
	tree t;
	memset(&t, 0, sizeof(t));
	t.ar = calloc(1, sizeof(*t.ar));
	if (!t.ar) {
		err_set(err, DC_E_NOMEM, "out of memory");
		return NULL;
	}
	char *out = NULL;
	size_t outlen = 0;
	if (sax_run(&t.s, body, len, opts, tree_start, tree_end, &t.ar->dict,
	            err) < 0)
		goto done;
	if (!t.root) {
		err_set(err, DC_E_PARSE, "answer has no root element");
		goto done;
	}
	FILE *f = open_memstream(&out, &outlen);
	if (!f) {
		err_set(err, DC_E_NOMEM, "out of memory");
		goto done;
	}
	if (fmt == XML_PRETTY_JSON) {
		fputc('{', f);
		json_indent(f, 1);
		put_json_string(f, t.root->name, strlen(t.root->name));
		fputs(": ", f);
		pretty_json_value(f, t.root, 1);
		fputs("\n}\n", f);
	} else {
		fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
		pretty_xml_node(f, t.root, 0);
	}
	if (fclose(f) != 0) {
		free(out);
		out = NULL;
		err_set(err, DC_E_NOMEM, "out of memory");
	}
done:
	free(t.s.text);
	arena_free(t.ar);
	return out;
}
