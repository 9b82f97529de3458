/* test_tui_json.c - the JSON writer: escaping, nesting, numbers. */
#include "json.h"
#include "out.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *escaped(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	json_write_string(f, s);
	fclose(f);
	return buf;
}

#define ESC(in, want)                                                          \
	do {                                                                   \
		char *got = escaped(in);                                       \
		assert_string_equal(got, want);                                \
		free(got);                                                     \
	} while (0)

static void test_escape_specials(void **state)
{
	(void)state;
	ESC("plain", "\"plain\"");
	ESC("a\"b", "\"a\\\"b\"");
	ESC("back\\slash", "\"back\\\\slash\"");
	ESC("l1\nl2\r\t", "\"l1\\nl2\\r\\t\"");
	ESC("\b\f", "\"\\b\\f\"");
	ESC("\x01\x1f", "\"\\u0001\\u001f\"");
	ESC("del\x7f", "\"del\\u007f\"");
	ESC("", "\"\"");
}

static void test_escape_utf8(void **state)
{
	(void)state;
	/* valid multi-byte text passes through unchanged */
	ESC("Gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80",
	    "\"Gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80\"");
	/* invalid bytes, overlongs, surrogates and truncations: U+FFFD */
	ESC("a\xff"
	    "b",
	    "\"a\\ufffdb\"");
	ESC("\xc0\xaf", "\"\\ufffd\\ufffd\"");
	ESC("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");
	ESC("\xe2\x82", "\"\\ufffd\\ufffd\"");
	ESC("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
}

static void test_nesting_and_numbers(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	jw w;

	(void)state;
	jw_init(&w, f, false);
	jw_obj_begin(&w);
	jw_key(&w, "a");
	jw_arr_begin(&w);
	jw_int(&w, -5);
	jw_dbl(&w, 1.5, 2);
	jw_dbl(&w, NAN, -1);
	jw_bool(&w, true);
	jw_null(&w);
	jw_str(&w, NULL);
	jw_arr_end(&w);
	jw_key(&w, "empty");
	jw_obj_begin(&w);
	jw_obj_end(&w);
	jw_key(&w, "e2");
	jw_arr_begin(&w);
	jw_arr_end(&w);
	jw_obj_end(&w);
	fclose(f);
	assert_string_equal(
	    buf,
	    "{\"a\":[-5,1.50,null,true,null,null],\"empty\":{},\"e2\":[]}");
	free(buf);
}

static char *render(out *o, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (json)
		out_render_json(o, f, false);
	else
		out_render_text(o, f);
	fclose(f);
	return buf;
}

static void test_out_json_and_text(void **state)
{
	out *o = out_new();
	char *s;

	(void)state;
	out_arr_begin(o, NULL);
	out_obj_begin(o, NULL);
	out_str(o, "name", "dc1");
	out_int(o, "sorting", 10);
	out_bool(o, "enabled", true);
	out_obj_end(o);
	out_obj_begin(o, NULL);
	out_str(o, "name", "frankfurt-\"2\"");
	out_int(o, "sorting", 5);
	out_null(o, "enabled");
	out_obj_end(o);
	out_arr_end(o);
	out_msg(o, "2 modules");
	s = render(o, true);
	assert_string_equal(s, "[{\"name\":\"dc1\",\"sorting\":10,\"enabled\":"
	                       "true},{\"name\":\"frankfurt-\\\"2\\\"\","
	                       "\"sorting\":5,\"enabled\":null}]\n");
	free(s);
	s = render(o, false);
	/* a table: header from the keys, numbers right-aligned */
	assert_string_equal(s, "NAME           SORTING  ENABLED\n"
	                       "dc1                 10  yes\n"
	                       "frankfurt-\"2\"        5  -\n"
	                       "2 modules\n");
	free(s);
	out_free(o);
}

static void test_out_message_only_and_object(void **state)
{
	out *o = out_new();
	char *s;

	(void)state;
	out_msg(o, "module \"x\" added");
	s = render(o, true);
	assert_string_equal(s, "{\"message\":\"module \\\"x\\\" added\"}\n");
	free(s);
	out_free(o);

	o = out_new();
	out_str(o, "url", "http://h/dcimgr"); /* implicit top object */
	out_int(o, "latency_ms", 12);
	s = render(o, false);
	assert_string_equal(s, "url:        http://h/dcimgr\n"
	                       "latency_ms: 12\n");
	free(s);
	out_free(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape_specials),
	    cmocka_unit_test(test_escape_utf8),
	    cmocka_unit_test(test_nesting_and_numbers),
	    cmocka_unit_test(test_out_json_and_text),
	    cmocka_unit_test(test_out_message_only_and_object),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
