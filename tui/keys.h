/* keys.h - key codes shared by key tables, help, and the man page.
 *
 * A key is an int: a Unicode code point for characters (control keys as
 * their code, e.g. Ctrl-D = 4, Esc = 27, Enter = '\n'), or UI_KEYFN plus
 * an ncurses KEY_* code for function keys, so both fit one space without
 * clashing with wide characters. ui_getkey() in the frame normalises what
 * ncurses returns into this space (\r -> '\n', KEY_ENTER -> '\n', DEL and
 * ^H -> UIK_BACKSPACE). */
#ifndef TUI_KEYS_H
#define TUI_KEYS_H

#include <curses.h>
#include <stddef.h>

#define UI_KEYFN      0x110000
#define UIK(k)        (UI_KEYFN + (k))
#define UIK_CTRL(c)   ((c)&0x1f)
#define UIK_ESC       27
#define UIK_ENTER     '\n'
#define UIK_TAB       '\t'
#define UIK_BACKSPACE UIK(KEY_BACKSPACE)
#define UIK_UP        UIK(KEY_UP)
#define UIK_DOWN      UIK(KEY_DOWN)
#define UIK_LEFT      UIK(KEY_LEFT)
#define UIK_RIGHT     UIK(KEY_RIGHT)
#define UIK_PGUP      UIK(KEY_PPAGE)
#define UIK_PGDN      UIK(KEY_NPAGE)
#define UIK_HOME      UIK(KEY_HOME)
#define UIK_END       UIK(KEY_END)
#define UIK_DC        UIK(KEY_DC)
#define UIK_BTAB      UIK(KEY_BTAB)
#define UIK_F(n)      UIK(KEY_F(n))
#define UIK_RESIZE    UIK(KEY_RESIZE)
#define UIK_MOUSE     UIK(KEY_MOUSE)

/* "Enter", "Esc", "Ctrl-D", "PgDn", "F5", "a"... into buf. */
const char *keys_name(int key, char *buf, size_t len);
/* Inverse of keys_name (also accepts "C-d", "^D"); -1 if unknown. */
int keys_parse(const char *name);

#endif
