/* lineedit.h - one line of editable UTF-8 text (the `:` line, the `/`
 * filter, form fields).
 *
 * Keys: printable characters insert; Left/Right, Home/End, Ctrl-a/Ctrl-e
 * move; Backspace/Delete, Ctrl-u (to start), Ctrl-k (to end), Ctrl-w (word)
 * delete. A masked editor draws '*' per character (passwords) and wipes
 * its buffer on clear. Fixed capacity LINEEDIT_MAX bytes. */
#ifndef TUI_LINEEDIT_H
#define TUI_LINEEDIT_H

#include "draw.h"

#include <stdbool.h>
#include <stddef.h>

#define LINEEDIT_MAX 1024

typedef struct lineedit {
	char buf[LINEEDIT_MAX];
	size_t len, cur; /* bytes */
	bool masked;
	int scroll; /* first visible cell, kept by draw */
} lineedit;

void le_set(lineedit *e, const char *s); /* cursor to end */
void le_clear(lineedit *e);
/* Inserts text at the cursor. */
void le_insert(lineedit *e, const char *s);
/* Returns true if the key was an editing key (and applied). */
bool le_key(lineedit *e, int key);
/* Draws into w cells at (y,x); returns the screen column of the cursor. */
int le_draw(lineedit *e, int y, int x, int w, role r);

#endif
