/* vt.h - screen-test harness: dcictl in a pseudo-terminal, its output fed
 * to libvterm, keys in, screen text and attributes read back.
 *
 * vt_start forkpty()s $DCICTL (default "build/dcictl") with argv (the
 * arguments after the program name, NULL-terminated) in a small clean
 * environment: PATH, HOME, TERM=dcitest-256color (xterm-256color without
 * REP, which libvterm 0.1.4 wraps unlike xterm; see vt.c) with its
 * TERMINFO, LANG=C.UTF-8, plus envp entries ("NAME=value", NULL-terminated,
 * may be NULL) which override those or add to them ("NAME=" with an empty
 * value removes NAME).
 *
 * Waiting never sleeps a fixed time: vt_wait_text and friends poll the pty
 * and return as soon as the screen shows what they wait for, or false
 * after the timeout. Not thread-safe; one vt per test. */
#ifndef VT_H
#define VT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <vterm.h>

typedef struct vt {
	pid_t pid;
	int fd; /* pty master */
	int rows, cols;
	VTerm *term;
	VTermScreen *screen;
	bool exited;
	int status; /* waitpid status once exited */
} vt;

typedef struct vt_attrs {
	bool bold, underline, reverse, italic;
	int fg, bg; /* palette index, -1 default, -2 RGB */
	bool fg_default, bg_default;
	char text[8]; /* the cell's character, UTF-8 */
} vt_attrs;

/* Returns 0 and *out, or -1 (message on stderr). */
int vt_start(vt **out, int rows, int cols, const char *const *argv,
             const char *const *envp);
/* Waits up to timeout_ms for the program to exit (then SIGTERM, then
 * SIGKILL), frees everything. Returns the exit status, or -1 if it had to
 * be killed. */
int vt_stop(vt *v, int timeout_ms);

/* Sends bytes as typed. */
void vt_send(vt *v, const char *keys);
/* Sends a special key as the terminal would (VTERM_KEY_UP...). */
void vt_key(vt *v, VTermKey key);
/* Clicks button 1 at (row, col), or turns the wheel (wheel = -1 up,
 * 1 down) there; encoded as the program asked the terminal to. */
void vt_click(vt *v, int row, int col);
void vt_wheel(vt *v, int row, int col, int wheel);
/* Sends Ctrl-<c>. */
void vt_ctrl(vt *v, char c);

/* Reads whatever output is there, waiting at most timeout_ms for some. */
void vt_pump(vt *v, int timeout_ms);
/* Waits until text appears anywhere on the screen. */
bool vt_wait_text(vt *v, const char *text, int timeout_ms);
/* Waits until row `row` contains text. */
bool vt_wait_row(vt *v, int row, const char *text, int timeout_ms);
/* Waits until text is nowhere on the screen. */
bool vt_wait_gone(vt *v, const char *text, int timeout_ms);
/* Waits until the program exits; *status gets its exit code. */
bool vt_wait_exit(vt *v, int timeout_ms, int *code);
/* Whether the screen shows text now (no waiting). */
bool vt_has_text(vt *v, const char *text);

/* Text of a row (UTF-8, trailing blanks removed) into buf. */
const char *vt_row_text(vt *v, int row, char *buf, size_t len);
/* Finds text; row/col of its first cell, or false. */
bool vt_find(vt *v, const char *text, int *row, int *col);
int vt_cell_attrs(vt *v, int row, int col, vt_attrs *a);
/* Whether any cell of the screen has a non-default colour. */
bool vt_any_color(vt *v);

/* Saves the screen as text to path (for failed tests). */
int vt_dump(vt *v, const char *path);
/* Saves to $DCITEST_TMP (or /tmp)/<name>.screen and prints the path. */
void vt_dump_named(vt *v, const char *name);

/* Resizes the terminal (TIOCSWINSZ on the pty, vterm_set_size). */
void vt_resize(vt *v, int rows, int cols);

#endif
