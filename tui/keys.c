/* keys.c - see keys.h. */
#include "keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

static const struct {
	int key;
	const char *name;
} names[] = {
    {UIK_ENTER, "Enter"},
    {UIK_ESC, "Esc"},
    {UIK_TAB, "Tab"},
    {' ', "Space"},
    {UIK_BACKSPACE, "Backspace"},
    {UIK_UP, "Up"},
    {UIK_DOWN, "Down"},
    {UIK_LEFT, "Left"},
    {UIK_RIGHT, "Right"},
    {UIK_PGUP, "PgUp"},
    {UIK_PGDN, "PgDn"},
    {UIK_HOME, "Home"},
    {UIK_END, "End"},
    {UIK_DC, "Delete"},
    {UIK_BTAB, "Shift-Tab"},
};

const char *keys_name(int key, char *buf, size_t len)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].key == key) {
			snprintf(buf, len, "%s", names[i].name);
			return buf;
		}
	if (key >= UIK_F(1) && key <= UIK_F(24)) {
		snprintf(buf, len, "F%d", key - UIK_F(0));
	} else if (key > 0 && key < 32) {
		snprintf(buf, len, "Ctrl-%c", '@' + key);
	} else if (key >= 32 && key < UI_KEYFN) {
		wchar_t w[2] = {(wchar_t)key, 0};

		if (wcstombs(buf, w, len) == (size_t)-1)
			snprintf(buf, len, "U+%04X", key);
	} else {
		snprintf(buf, len, "key-%d", key - UI_KEYFN);
	}
	return buf;
}

int keys_parse(const char *s)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(names[i].name, s) == 0)
			return names[i].key;
	if ((s[0] == 'F' || s[0] == 'f') && s[1]) {
		int n = 0;

		if (sscanf(s + 1, "%d", &n) == 1 && n >= 1 && n <= 24)
			return UIK_F(n);
	}
	if (strncasecmp(s, "Ctrl-", 5) == 0 && s[5] && !s[6])
		return UIK_CTRL(s[5]);
	if (strncasecmp(s, "C-", 2) == 0 && s[2] && !s[3])
		return UIK_CTRL(s[2]);
	if (s[0] == '^' && s[1] && !s[2])
		return UIK_CTRL(s[1]);
	if (s[0] && !s[1])
		return (unsigned char)s[0];
	return -1;
}
