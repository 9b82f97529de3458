/* test_xml.c - decoding every answer shape and refusing hostile bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>
#include <libxml/parser.h>

#include "xml.h"

static xml_doc *dec(const char *s, dc_err *e)
{
	err_clear(e);
	return xml_decode(s, strlen(s), NULL, e);
}

static void test_list(void **state)
{
	const char *s =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<doc func=\"server\">\n"
	    "  <elem><id>12</id><hostname>a.example</hostname>"
	    "<type>SX</type><poweron/><blocked>off</blocked></elem>\n"
	    "  <elem><id>0</id><name>Rack 1</name><type>group</type></elem>\n"
	    "  <elem><id>13</id><hostname>free.ds</hostname>"
	    "<props><x>1</x></props><owner></owner></elem>\n"
	    "  <p_num>1</p_num>\n"
	    "  <tparams><out>xml</out></tparams>\n"
	    "</doc>\n";
	dc_err e;
	xml_doc *d = dec(s, &e);
	assert_non_null(d);
	assert_false(d->is_error);
	assert_int_equal(d->nrows, 2); /* the group row is skipped */
	assert_string_equal(xml_row_get(&d->rows[0], "id"), "12");
	assert_string_equal(xml_row_get(&d->rows[0], "hostname"), "a.example");
	assert_true(xml_row_flag(&d->rows[0], "poweron"));
	assert_false(xml_row_flag(&d->rows[0], "poweroff"));
	assert_false(xml_row_flag(&d->rows[0], "blocked"));
	assert_null(xml_row_get(&d->rows[0], "owner"));
	assert_string_equal(xml_row_get(&d->rows[1], "id"), "13");
	/* a nested container is not a value */
	assert_null(xml_row_get(&d->rows[1], "props"));
	assert_null(xml_row_get(&d->rows[1], "x"));
	/* an empty element is present with "" */
	assert_string_equal(xml_row_get(&d->rows[1], "owner"), "");
	assert_string_equal(xml_doc_get(d, "p_num"), "1");
	assert_null(xml_doc_get(d, "tparams"));
	assert_null(xml_doc_get(d, "out"));
	xml_doc_free(d);
}

static void test_form_and_slist(void **state)
{
	const char *s = "<doc><elid>12</elid><name>srv12</name>"
	                "<owner></owner><notes>a &amp; b &lt;c&gt; &#x41;"
	                "<![CDATA[<raw>]]></notes>"
	                "<slist name=\"type\"><val key=\"SX\">Small</val>"
	                "<val key=\"LX\">Large</val></slist>"
	                "<slist name=\"owner\"><val key=\"no_owner\">-</val>"
	                "</slist></doc>";
	dc_err e;
	xml_doc *d = dec(s, &e);
	assert_non_null(d);
	assert_string_equal(xml_doc_get(d, "elid"), "12");
	assert_string_equal(xml_doc_get(d, "name"), "srv12");
	assert_string_equal(xml_doc_get(d, "owner"), "");
	assert_string_equal(xml_doc_get(d, "notes"), "a & b <c> A<raw>");
	assert_int_equal(d->nslists, 2);
	const xml_slist *sl = xml_doc_slist(d, "type");
	assert_non_null(sl);
	assert_int_equal(sl->nvals, 2);
	assert_string_equal(sl->vals[1].key, "LX");
	assert_string_equal(sl->vals[1].label, "Large");
	assert_non_null(xml_doc_slist(d, "owner"));
	assert_null(xml_doc_slist(d, "nope"));
	assert_int_equal(d->nrows, 0);
	xml_doc_free(d);

	/* '&' in attributes, from &amp; and &#38;, and a literal "&#38;" */
	d = dec("<doc><x a=\"p&amp;#38;q&#38;r&lt;\"/></doc>", &e);
	assert_non_null(d);
	assert_string_equal(xml_doc_get(d, "x@a"), "p&#38;q&r<");
	xml_doc_free(d);
}

static void test_ok_id_ip(void **state)
{
	dc_err e;
	xml_doc *d = dec("<doc><ok/></doc>", &e);
	assert_non_null(d);
	assert_true(d->ok);
	assert_false(d->is_error);
	xml_doc_free(d);

	d = dec("<doc><id>57</id></doc>", &e);
	assert_non_null(d);
	assert_false(d->ok);
	assert_string_equal(xml_doc_get(d, "id"), "57");
	xml_doc_free(d);

	d = dec("<doc><id>3</id><ip>10.0.0.5</ip></doc>", &e);
	assert_non_null(d);
	assert_string_equal(xml_doc_get(d, "ip"), "10.0.0.5");
	assert_string_equal(xml_doc_get(d, "id"), "3");
	xml_doc_free(d);
}

static void test_auth_forms(void **state)
{
	dc_err e;
	xml_doc *d =
	    dec("<doc><auth id=\"S1\" level=\"29\">S1</auth></doc>", &e);
	assert_non_null(d);
	assert_string_equal(xml_doc_get(d, "auth"), "S1");
	assert_string_equal(xml_doc_get(d, "auth@id"), "S1");
	assert_string_equal(xml_doc_get(d, "auth@level"), "29");
	xml_doc_free(d);

	d = dec("<doc><auth id=\"S2\" level=\"16\"/></doc>", &e);
	assert_non_null(d);
	assert_string_equal(xml_doc_get(d, "auth@id"), "S2");
	assert_string_equal(xml_doc_get(d, "auth"), "");
	xml_doc_free(d);
}

static void test_report(void **state)
{
	const char *s = "<doc><reportdata>"
	                "<stat><elem><time>1700000100</time><in>10</in>"
	                "<out>20</out><power>150</power></elem>"
	                "<elem><time>1700000400</time><in>11</in></elem></stat>"
	                "<other><elem><id>1</id></elem></other>"
	                "</reportdata></doc>";
	dc_err e;
	xml_doc *d = dec(s, &e);
	assert_non_null(d);
	assert_int_equal(d->ntables, 2);
	const xml_table *t = xml_doc_table(d, "stat");
	assert_non_null(t);
	assert_int_equal(t->nrows, 2);
	assert_string_equal(xml_row_get(&t->rows[0], "power"), "150");
	assert_null(xml_row_get(&t->rows[1], "out"));
	assert_ptr_equal(xml_doc_table(d, NULL), t);
	assert_int_equal(xml_doc_table(d, "other")->nrows, 1);
	assert_null(xml_doc_table(d, "none"));
	assert_int_equal(d->nrows, 0); /* table rows are not doc rows */
	xml_doc_free(d);
}

static void check_error(const char *type, dc_errcat cat, bool retry)
{
	char s[512];
	snprintf(s, sizeof(s),
	         "<doc><error type=\"%s\" object=\"iptype\" value=\"v&amp;1\">"
	         "<msg>It failed: %s</msg></error></doc>",
	         type, type);
	dc_err e;
	xml_doc *d = dec(s, &e);
	assert_non_null(d);
	assert_true(d->is_error);
	assert_string_equal(d->error_type, type);
	assert_string_equal(d->error_object, "iptype");
	assert_string_equal(d->error_value, "v&1");
	assert_int_equal(xml_error_cat(type), cat);
	assert_int_equal(xml_doc_err(d, &e), -1);
	assert_int_equal(e.cat, cat);
	assert_string_equal(e.type, type);
	assert_string_equal(e.object, "iptype");
	assert_string_equal(e.value, "v&1");
	assert_non_null(strstr(e.msg, "It failed"));
	assert_int_equal(e.retryable, retry);
	xml_doc_free(d);
}

static void test_errors(void **state)
{
	check_error("auth", DC_E_AUTH, true);
	check_error("access", DC_E_ACCESS, false);
	check_error("exists", DC_E_EXISTS, false);
	check_error("missed", DC_E_MISSED, false);
	check_error("value", DC_E_VALUE, false);
	check_error("limit", DC_E_LIMIT, true);
	check_error("xml", DC_E_PANEL, false);
	check_error("license", DC_E_PANEL, false);

	/* no msg, no attributes but type */
	dc_err e;
	xml_doc *d = dec("<doc><error type=\"missed\"/></doc>", &e);
	assert_non_null(d);
	assert_int_equal(xml_doc_err(d, &e), -1);
	assert_int_equal(e.cat, DC_E_MISSED);
	assert_true(e.msg[0] != '\0');
	assert_string_equal(e.object, "");
	xml_doc_free(d);

	/* a refused password quoted back is not kept */
	d = dec("<doc><error type=\"value\" object=\"passwd\" "
	        "value=\"hunter2\"><msg>too short</msg></error></doc>",
	        &e);
	assert_non_null(d);
	assert_int_equal(xml_doc_err(d, &e), -1);
	assert_string_equal(e.value, "***");
	assert_string_equal(e.object, "passwd");
	xml_doc_free(d);
	const char *q = "<doc><error type=\"value\" object=\"passwd\" "
	                "value=\"hunter2\"/></doc>";
	char *pq = xml_pretty(q, strlen(q), XML_PRETTY_XML, NULL, &e);
	assert_non_null(pq);
	assert_null(strstr(pq, "hunter2"));
	assert_non_null(strstr(pq, "object=\"passwd\" value=\"***\""));
	free(pq);

	/* not an error */
	d = dec("<doc><ok/></doc>", &e);
	assert_int_equal(xml_doc_err(d, &e), 0);
	xml_doc_free(d);
}

static void expect_parse(const char *body, size_t len, const xml_opts *o,
                         const char *needle)
{
	dc_err e;
	err_clear(&e);
	xml_doc *d = xml_decode(body, len, o, &e);
	assert_null(d);
	assert_int_equal(e.cat, DC_E_PARSE);
	if (needle && !strstr(e.msg, needle))
		fail_msg("message '%s' lacks '%s'", e.msg, needle);
}

static void test_malformed(void **state)
{
	const char *trunc = "<doc><elem><id>1</id><hostname>a";
	expect_parse(trunc, strlen(trunc), NULL, "well-formed");
	expect_parse("Internal Server Error", 21, NULL, NULL);
	expect_parse("<html><body>502</body></html>", 29, NULL, "not <doc>");
	expect_parse("", 0, NULL, "empty");
	expect_parse(NULL, 0, NULL, "empty");
	expect_parse("<doc><a></b></doc>", 18, NULL, NULL);
	expect_parse("<doc>&nope;</doc>", 17, NULL, NULL);
	expect_parse("<doc/><doc/>", 12, NULL, NULL);
	const char nul[] = "<doc>\0</doc>";
	expect_parse(nul, sizeof(nul) - 1, NULL, NULL);
	expect_parse("\xff\xfe<doc/>", 8, NULL, NULL);
}

static void test_dtd_refused(void **state)
{
	const char *laughs =
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE doc [\n"
	    " <!ENTITY lol \"lol\">\n"
	    " <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
	    " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
	    " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
	    " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
	    " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
	    " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
	    " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
	    " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
	    "]>\n"
	    "<doc><id a=\"&lol9;\">&lol9;</id></doc>\n";
	expect_parse(laughs, strlen(laughs), NULL, "DOCTYPE");
	const char *xxe = "<?xml version=\"1.0\"?>"
	                  "<!DOCTYPE doc [<!ENTITY x SYSTEM "
	                  "\"file:///etc/passwd\">]><doc><id>&x;</id></doc>";
	expect_parse(xxe, strlen(xxe), NULL, "DOCTYPE");
	const char *ext = "<!DOCTYPE doc SYSTEM \"http://127.0.0.1:1/x.dtd\">"
	                  "<doc/>";
	expect_parse(ext, strlen(ext), NULL, "DOCTYPE");
	const char *pe = "<!DOCTYPE doc [<!ENTITY % p SYSTEM "
	                 "\"http://127.0.0.1:1/p\"> %p;]><doc/>";
	expect_parse(pe, strlen(pe), NULL, "DOCTYPE");
}

static void test_deep_nesting(void **state)
{
	const size_t n = 1000000;
	const char *open = "<a>", *close = "</a>";
	size_t len = 5 + n * 3 + n * 4 + 6;
	char *b = malloc(len + 1);
	assert_non_null(b);
	size_t off = 0;
	memcpy(b + off, "<doc>", 5);
	off += 5;
	for (size_t i = 0; i < n; i++, off += 3)
		memcpy(b + off, open, 3);
	for (size_t i = 0; i < n; i++, off += 4)
		memcpy(b + off, close, 4);
	memcpy(b + off, "</doc>", 6);
	off += 6;
	b[off] = '\0';
	expect_parse(b, off, NULL, "deeper than 64");
	/* and a depth just inside a small custom cap decodes */
	xml_opts o = {.max_depth = 4};
	expect_parse("<doc><a><b><c><d/></c></b></a></doc>", 36, &o, "deeper");
	dc_err e;
	xml_doc *d = xml_decode("<doc><a><b><c/></b></a></doc>", 29, &o, &e);
	assert_non_null(d);
	xml_doc_free(d);
	free(b);
}

static void test_size_cap(void **state)
{
	xml_opts o = {.max_body = 1024};
	char b[2048];
	memset(b, ' ', sizeof(b));
	memcpy(b, "<doc>", 5);
	memcpy(b + sizeof(b) - 6, "</doc>", 6);
	expect_parse(b, sizeof(b), &o, "limit");
	/* 100 MB that may not even be read: PROT_NONE pages fault on any
	 * access, so passing proves the cap is checked before parsing. */
	size_t big = 100u << 20;
	void *m =
	    mmap(NULL, big, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(m != MAP_FAILED);
	expect_parse(m, big, NULL, "limit");
	munmap(m, big);
}

static void test_many_rows(void **state)
{
	size_t n = 10000, cap = n * 200 + 64, off = 0;
	char *b = malloc(cap);
	assert_non_null(b);
	off += (size_t)sprintf(b + off, "<doc>");
	for (size_t i = 0; i < n; i++)
		off += (size_t)sprintf(
		    b + off,
		    "<elem><id>%zu</id><name>s%zu</name><type>SX</type>"
		    "<ram>%zu</ram>%s</elem>",
		    i + 1, i, 1024 * (i % 8 + 1), i % 2 ? "<poweron/>" : "");
	off += (size_t)sprintf(b + off, "</doc>");
	dc_err e;
	xml_doc *d = xml_decode(b, off, NULL, &e);
	assert_non_null(d);
	assert_int_equal(d->nrows, n);
	assert_string_equal(xml_row_get(&d->rows[9999], "id"), "10000");
	assert_true(xml_row_flag(&d->rows[1], "poweron"));
	assert_false(xml_row_flag(&d->rows[2], "poweron"));
	xml_doc_free(d);
	free(b);
}

static void test_pretty(void **state)
{
	const char *s =
	    "<doc><auth id=\"SECRETSESSION\" level=\"29\">"
	    "SECRETSESSION</auth><elem><id>1</id><poweron/>"
	    "<passwd>hunter2</passwd><note>a&lt;b \"q\"</note></elem>"
	    "<elem><id>2</id></elem>"
	    "<slist name=\"t\"><val key=\"k\">K</val></slist></doc>";
	dc_err e;
	char *x = xml_pretty(s, strlen(s), XML_PRETTY_XML, NULL, &e);
	assert_non_null(x);
	assert_null(strstr(x, "SECRETSESSION"));
	assert_null(strstr(x, "hunter2"));
	assert_non_null(strstr(x, "<auth id=\"***\" level=\"29\">***</auth>"));
	assert_non_null(strstr(x, "    <poweron/>\n"));
	assert_non_null(strstr(x, "<note>a&lt;b &quot;q&quot;</note>"));
	assert_non_null(strstr(x, "<val key=\"k\">K</val>"));
	/* the pretty form is itself a valid answer */
	xml_doc *d = xml_decode(x, strlen(x), NULL, &e);
	assert_non_null(d);
	assert_int_equal(d->nrows, 2);
	xml_doc_free(d);
	free(x);

	char *j = xml_pretty(s, strlen(s), XML_PRETTY_JSON, NULL, &e);
	assert_non_null(j);
	assert_null(strstr(j, "SECRETSESSION"));
	assert_null(strstr(j, "hunter2"));
	assert_non_null(strstr(j, "\"doc\": {"));
	assert_non_null(strstr(j, "\"elem\": ["));
	assert_non_null(strstr(j, "\"poweron\": true"));
	assert_non_null(strstr(j, "\"@level\": \"29\""));
	assert_non_null(strstr(j, "\"@id\": \"***\""));
	assert_non_null(strstr(j, "\"note\": \"a<b \\\"q\\\"\""));
	assert_non_null(strstr(j, "\"val\": ["));
	free(j);

	/* hostile input is refused by the printer too */
	const char *bad = "<!DOCTYPE doc [<!ENTITY a \"b\">]><doc>&a;</doc>";
	assert_null(xml_pretty(bad, strlen(bad), XML_PRETTY_XML, NULL, &e));
	assert_int_equal(e.cat, DC_E_PARSE);
}

int main(void)
{
	xmlInitParser();
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_list),
	    cmocka_unit_test(test_form_and_slist),
	    cmocka_unit_test(test_ok_id_ip),
	    cmocka_unit_test(test_auth_forms),
	    cmocka_unit_test(test_report),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_dtd_refused),
	    cmocka_unit_test(test_deep_nesting),
	    cmocka_unit_test(test_size_cap),
	    cmocka_unit_test(test_many_rows),
	    cmocka_unit_test(test_pretty),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	xmlCleanupParser();
	return rc;
}
