/* test_tui_text.c - pure UI pieces: display width and fitting (UTF-8 and
 * the C locale), key names, the line editor, theme files. */
#include "keys.h"
#include "lineedit.h"
#include "text.h"
#include "theme.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_width_and_fit_utf8(void **state)
{
	char out[64];

	(void)state;
	assert_non_null(setlocale(LC_CTYPE, "C.UTF-8"));
	assert_int_equal(text_width("abc"), 3);
	assert_int_equal(text_width("\xe2\x94\x80\xe2\x94\x80"), 2); /* ── */
	assert_int_equal(text_width("\xe6\x97\xa5\xe6\x9c\xac"), 4); /* 日本 */
	/* cut to width, never in the middle of a character */
	assert_int_equal(text_fit("\xe6\x97\xa5\xe6\x9c\xac", 3, false, false,
	                          false, out, sizeof(out)),
	                 2);
	assert_string_equal(out, "\xe6\x97\xa5");
	/* ellipsis marks the cut; padding and right alignment */
	text_fit("abcdef", 4, true, false, false, out, sizeof(out));
	assert_string_equal(out, "abc~");
	text_fit("ab", 5, true, true, false, out, sizeof(out));
	assert_string_equal(out, "ab   ");
	text_fit("42", 5, false, true, true, out, sizeof(out));
	assert_string_equal(out, "   42");
	/* control and invalid bytes never reach the terminal */
	text_fit("a\x1b[31mb\xff", 20, false, false, false, out, sizeof(out));
	assert_string_equal(out, "a?[31mb?");
	assert_true(text_contains("Frankfurt-DC1", "dc1"));
	assert_false(text_contains("Frankfurt", "x"));
	assert_true(text_contains("x", ""));
}

static void test_width_c_locale(void **state)
{
	char out[64];

	(void)state;
	assert_non_null(setlocale(LC_CTYPE, "C"));
	/* in the C locale every byte is a cell, and high bytes become '?' */
	assert_int_equal(text_width("\xe2\x94\x80"), 3);
	text_fit("\xe2\x94\x80x", 10, false, false, false, out, sizeof(out));
	assert_string_equal(out, "???x");
	setlocale(LC_CTYPE, "C.UTF-8");
}

static void test_key_names(void **state)
{
	char b[32];
	const int keys[] = {UIK_ENTER,     UIK_ESC,  UIK_UP,
	                    UIK_PGDN,      UIK_F(5), 'q',
	                    UIK_CTRL('d'), UIK_BTAB, ' '};

	(void)state;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		assert_int_equal(keys_parse(keys_name(keys[i], b, sizeof(b))),
		                 keys[i]);
	assert_string_equal(keys_name(UIK_CTRL('d'), b, sizeof(b)), "Ctrl-D");
	assert_string_equal(keys_name(UIK_PGUP, b, sizeof(b)), "PgUp");
	assert_int_equal(keys_parse("C-d"), UIK_CTRL('d'));
	assert_int_equal(keys_parse("^L"), UIK_CTRL('l'));
	assert_int_equal(keys_parse("f12"), UIK_F(12));
	assert_int_equal(keys_parse("NoSuchKey"), -1);
}

static void test_lineedit(void **state)
{
	lineedit e;

	(void)state;
	memset(&e, 0, sizeof(e));
	le_set(&e, "module lis");
	le_key(&e, 't');
	assert_string_equal(e.buf, "module list");
	le_key(&e, UIK_CTRL('w'));
	assert_string_equal(e.buf, "module ");
	le_key(&e, UIK_HOME);
	le_key(&e, UIK_DC);
	assert_string_equal(e.buf, "odule ");
	le_key(&e, UIK_END);
	le_key(&e, 0x00fc); /* ü as a wide character */
	assert_string_equal(e.buf, "odule \xc3\xbc");
	le_key(&e, UIK_BACKSPACE); /* removes the whole character */
	assert_string_equal(e.buf, "odule ");
	le_key(&e, UIK_LEFT);
	le_key(&e, UIK_CTRL('k'));
	assert_string_equal(e.buf, "odule");
	le_key(&e, UIK_CTRL('u'));
	assert_string_equal(e.buf, "");
	assert_false(le_key(&e, UIK_F(3)));
}

static char *write_tmp(const char *text)
{
	const char *base = getenv("DCITEST_TMP");
	char *path = NULL;
	int fd;

	if (asprintf(&path, "%s/theme.XXXXXX", base && *base ? base : "/tmp") <
	    0)
		return NULL;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void theme_refused(const char *text, const char *want)
{
	char *p = write_tmp(text);
	theme t;
	dc_err err;
	char where[4200];

	err_clear(&err);
	assert_int_equal(theme_load(&t, p, &err), -1);
	assert_int_equal(err.cat, DC_E_CONFIG);
	snprintf(where, sizeof(where), "%s:", p);
	assert_non_null(strstr(err.msg, where)); /* file:line */
	if (!strstr(err.msg, want))
		fail_msg("'%s' lacks '%s'", err.msg, want);
	unlink(p);
	free(p);
}

static void test_theme_files(void **state)
{
	theme t;
	dc_err err;
	char path[4096];

	(void)state;
	/* the shipped themes load (tests run from the repository root) */
	const char *names[] = {"default", "light", "monochrome"};

	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "themes/%s.theme", names[i]);
		if (theme_load(&t, path, &err) < 0)
			fail_msg("%s", err.msg);
		assert_string_equal(t.name, names[i]);
	}
	/* monochrome has no colour in any tier; mono keeps bold/reverse */
	theme_load(&t, "themes/monochrome.theme", &err);
	for (int r = 0; r < ROLE_COUNT; r++)
		for (int k = 0; k < 3; k++) {
			assert_int_equal(t.s[r][k].fg, -1);
			assert_int_equal(t.s[r][k].bg, -1);
		}
	assert_true(t.s[ROLE_HEADER][TIER_MONO].attrs & TA_REVERSE);
	/* the default file matches the built-in table */
	theme b;

	theme_builtin(&b);
	theme_load(&t, "themes/default.theme", &err);
	assert_memory_equal(t.s, b.s, sizeof(t.s));
	assert_int_equal(theme_find("default", path, sizeof(path), &err), 0);
	assert_int_equal(theme_find("no-such-theme", path, sizeof(path), &err),
	                 -1);
	assert_non_null(strstr(err.msg, "no-such-theme"));

	theme_refused("roles: { header = { c256 = { fg = 300; }; }; };",
	              "out of range");
	theme_refused("roles: {\n ok = { c16 = { fg = 99; }; };\n};",
	              ":2: colour 99 out of range 0..15");
	theme_refused("roles: { shiny = { mono = [ \"bold\" ]; }; };",
	              "unknown role 'shiny'");
	theme_refused("roles: { ok = { mono = [ \"blink\" ]; }; };",
	              "unknown attribute 'blink'");
	theme_refused("roles: { ok = { c256 = { fg = \"purpel\"; }; }; };",
	              "unknown colour 'purpel'");
	theme_refused("roles = { ok = { c8 = { }; }; };", "unknown tier 'c8'");
	theme_refused("roles: { ok = ", "syntax error");
	theme_refused("name = \"x\";", "needs a 'roles' group");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_width_and_fit_utf8),
	    cmocka_unit_test(test_width_c_locale),
	    cmocka_unit_test(test_key_names),
	    cmocka_unit_test(test_lineedit),
	    cmocka_unit_test(test_theme_files),
	};

	setlocale(LC_CTYPE, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
