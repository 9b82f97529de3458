/* fuzz_xml.c - libFuzzer target over the panel answer decoder and the
 * pretty-printer: any input must give a doc or a DC_E_PARSE error, never a
 * crash, a leak or a hang. Built by tests/tools/fuzz.sh (make fuzz). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "xml.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	xmlInitParser();
	return 0;
}

/* Touches every decoded string so that the sanitizers see bad ones. */
static size_t walk(const xml_doc *d)
{
	size_t n = 0;
	for (size_t i = 0; i < d->nrows; i++)
		for (size_t j = 0; j < d->rows[i].nfields; j++)
			n += strlen(d->rows[i].fields[j].name) +
			     strlen(d->rows[i].fields[j].value);
	for (size_t t = 0; t < d->ntables; t++)
		for (size_t i = 0; i < d->tables[t].nrows; i++)
			n += xml_row_get(&d->tables[t].rows[i], "id") != NULL;
	for (size_t i = 0; i < d->nfields; i++)
		n += strlen(d->fields[i].value);
	for (size_t s = 0; s < d->nslists; s++)
		for (size_t i = 0; i < d->slists[s].nvals; i++)
			n += strlen(d->slists[s].vals[i].key) +
			     strlen(d->slists[s].vals[i].label);
	if (d->is_error)
		n += strlen(d->error_type) + strlen(d->error_msg);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* small caps so that the fuzzer reaches the limits too */
	xml_opts o = {.max_body = 1u << 20, .max_depth = 16};
	dc_err e;
	xml_doc *d = xml_decode((const char *)data, size, &o, &e);
	if (d) {
		volatile size_t n = walk(d);
		(void)n;
		dc_err pe;
		xml_doc_err(d, &pe);
		xml_doc_free(d);
	} else if (e.cat != DC_E_PARSE && e.cat != DC_E_NOMEM) {
		abort(); /* every refusal is a parse error */
	}
	char *p =
	    xml_pretty((const char *)data, size,
	               size & 1 ? XML_PRETTY_JSON : XML_PRETTY_XML, &o, &e);
	free(p);
	return 0;
}
