/* xml.h - decoding panel answers (`<doc>...</doc>`) into plain C structs.
 *
 * Contract:
 * - Hardened (protocol.md 9): libxml2 SAX2 with XML_PARSE_NONET and without
 *   entity substitution or DTD loading; any DOCTYPE or entity declaration
 *   is refused before its content is read; the body size and the element
 *   nesting depth are capped. Every refusal or malformed answer is a
 *   DC_E_PARSE error whose message says why (the caller adds the func).
 * - xml_decode returns an xml_doc that owns all its strings (one arena);
 *   every pointer in it lives until xml_doc_free. A doc is immutable after
 *   decoding and may be read from any thread.
 * - An `<error>` answer decodes successfully (doc->is_error); xml_doc_err
 *   turns it into a dc_err.
 * - xmlInitParser() must have run on the main thread before threads decode
 *   (the program's job; see panel_lib_init). */
#ifndef DC_XML_H
#define DC_XML_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define XML_DEFAULT_MAX_BODY  (64u << 20)
#define XML_DEFAULT_MAX_DEPTH 64

typedef struct xml_opts {
	size_t max_body; /* 0: XML_DEFAULT_MAX_BODY */
	int max_depth;   /* elements nested deeper are refused; 0: default */
} xml_opts;

/* One name/value pair. Flags (empty elements) have value "". Attributes of
 * top-level fields appear as "elem@attr" (e.g. "auth@id"). */
typedef struct xml_field {
	const char *name;
	const char *value;
} xml_field;

/* One `<elem>`: its leaf children in document order. */
typedef struct xml_row {
	const xml_field *fields;
	size_t nfields;
} xml_row;

/* One table under `<reportdata>`, named by its element. */
typedef struct xml_table {
	const char *name;
	const xml_row *rows;
	size_t nrows;
} xml_table;

typedef struct xml_option {
	const char *key;   /* <val key="..."> */
	const char *label; /* its text */
} xml_option;

/* `<slist name="F"><val key="k">label</val>...</slist>` */
typedef struct xml_slist {
	const char *name;
	const xml_option *vals;
	size_t nvals;
} xml_slist;

typedef struct xml_doc {
	bool ok;       /* `<ok/>` was present */
	bool is_error; /* `<error>` was present; see the error_* fields */
	const char *error_type, *error_object, *error_value, *error_msg;
	const xml_row *rows; /* `<elem>` children of `<doc>`, groups skipped */
	size_t nrows;
	const xml_table *tables; /* `<reportdata>` tables */
	size_t ntables;
	const xml_field *fields; /* other leaf children of `<doc>` */
	size_t nfields;
	const xml_slist *slists;
	size_t nslists;
	struct xml_arena *arena; /* private */
} xml_doc;

/* Decodes body[0..len). opts may be NULL. NULL + DC_E_PARSE on any
 * malformed, hostile or oversized input. */
xml_doc *xml_decode(const char *body, size_t len, const xml_opts *opts,
                    dc_err *err);
void xml_doc_free(xml_doc *doc);

/* Value of the first field called name, or NULL when absent. */
const char *xml_row_get(const xml_row *row, const char *name);
/* A flag: true when the element is present (and its text is not "off"). */
bool xml_row_flag(const xml_row *row, const char *name);
/* A top-level field ("id", "ip", "auth@level"), or NULL. */
const char *xml_doc_get(const xml_doc *doc, const char *name);
/* The report table called name (NULL name: the first), or NULL. */
const xml_table *xml_doc_table(const xml_doc *doc, const char *name);
const xml_slist *xml_doc_slist(const xml_doc *doc, const char *name);

/* The category of a panel error type ("auth" -> DC_E_AUTH, ...; unknown
 * types, and "xml", the panel's own complaint, -> DC_E_PANEL). */
dc_errcat xml_error_cat(const char *type);
/* If doc is an error answer: fills err (category, message, object, value,
 * raw type, retryable) and returns -1. Else returns 0. */
int xml_doc_err(const xml_doc *doc, dc_err *err);

/* Readable form of an answer for a person (`dcictl call`): indented XML,
 * or JSON (elements become objects; attributes "@name"; text "#text" when
 * beside attributes or children; empty elements true; repeated names, and
 * always `elem` and `val`, become arrays). Values of secret names (see
 * apilog_secret_key, plus the id of a secret element) print as "***".
 * Same hardening as xml_decode. Returns a malloc'd NUL-terminated string. */
typedef enum xml_pretty_fmt { XML_PRETTY_XML, XML_PRETTY_JSON } xml_pretty_fmt;
char *xml_pretty(const char *body, size_t len, xml_pretty_fmt fmt,
                 const xml_opts *opts, dc_err *err);

#endif
