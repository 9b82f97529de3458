/* registry.h - what features plug into the frame, listed in registry.c.
 *
 * A feature adds, each with one line in registry.c:
 *  - a command table (`extern const cmd_def foo_cmds[]`), see cmd.h; a
 *    command with .screen opens that screen in the console, a command
 *    with .key is bound to that key on every screen;
 *  - optionally a dashboard section (`extern const dash_section foo_dash`),
 *    whose collect() runs on the jobs worker at every refresh and
 *    describes its state with the out API (rendered as text lines). */
#ifndef TUI_REGISTRY_H
#define TUI_REGISTRY_H

#include "cmd.h"

typedef struct dash_section {
	const char *title;
	/* Worker thread; core handles are free to use here. */
	int (*collect)(cmd_ctx *ctx, out *o, dc_err *err);
} dash_section;

/* NULL-terminated. */
const dash_section *const *dash_sections(void);

#endif
