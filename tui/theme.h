/* theme.h - colours as semantic roles, loaded from libconfig theme files.
 *
 * A theme gives every role three tiers: c256 (256-colour terminals), c16
 * (8/16 colours) and mono (attributes only). Which tier is used is decided
 * once at start (theme_apply): mono when NO_COLOR/--no-color is set or the
 * terminal has no colour. Every role keeps its bold/reverse/underline in
 * mono, and screens never show state by colour alone (text markers too).
 *
 * File format (themes/default.theme is the reference):
 *   roles: { header = { c256 = { fg = 231; bg = 24; attr = ["bold"]; };
 *                       c16  = { fg = "white"; bg = "blue"; };
 *                       mono = ["reverse", "bold"]; }; ... };
 * Colours: "default", "black".."white", "bright-black".."bright-white", or
 * 0..255 (c16: 0..15). Attributes: bold, dim, reverse, underline, standout,
 * italic. Roles left out fall back to the built-in default theme.
 *
 * theme_load/theme_find are pure (no curses). theme_apply sets the curses
 * colour pairs and the process-wide role -> attribute table that
 * theme_attr() reads; call it on the main thread after initscr(). */
#ifndef TUI_THEME_H
#define TUI_THEME_H

#include "err.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum role {
	ROLE_NORMAL,
	ROLE_HEADER,
	ROLE_STATUS,
	ROLE_HINT,
	ROLE_KEY,
	ROLE_TITLE,
	ROLE_SELECTION,
	ROLE_BORDER,
	ROLE_INPUT,
	ROLE_OK,
	ROLE_WARN,
	ROLE_ERROR,
	ROLE_DIM,
	ROLE_BADGE,
	ROLE_INSECURE,
	ROLE_GRAPH_IN,
	ROLE_GRAPH_OUT,
	ROLE_GRAPH_POWER,
	ROLE_COUNT
} role;

typedef enum theme_tier { TIER_MONO, TIER_16, TIER_256 } theme_tier;

enum {
	TA_BOLD = 1,
	TA_DIM = 2,
	TA_REVERSE = 4,
	TA_UNDERLINE = 8,
	TA_STANDOUT = 16,
	TA_ITALIC = 32,
};

#define THEME_DEFAULT_COLOR (-1)

typedef struct theme_style {
	short fg, bg;   /* -1 = terminal default */
	unsigned attrs; /* TA_* */
} theme_style;

typedef struct theme {
	char name[64];
	theme_style s[ROLE_COUNT][3]; /* [role][tier] */
} theme;

/* "normal", "header"... */
const char *role_name(role r);

/* The built-in default (same as themes/default.theme). */
void theme_builtin(theme *t);
/* Loads a theme file over the built-in defaults. Errors name file:line. */
int theme_load(theme *t, const char *path, dc_err *err);
/* Finds a theme by name or path: a value containing '/' is a path;
 * otherwise NAME.theme in $DCICTL_THEMES, ./themes, <exe dir>/../themes,
 * <exe dir>/../share/dcictl/themes, /usr/local/share/dcictl/themes,
 * /usr/share/dcictl/themes. Returns 0 with the path, or -1 (not found). */
int theme_find(const char *name, char *path, size_t len, dc_err *err);

/* curses side: picks the tier (see above) and sets up pairs. */
theme_tier theme_apply(const theme *t, bool no_color);
/* The curses attribute (colour pair | A_*) of a role. */
unsigned long theme_attr(role r);
/* Whether the applied tier uses colour. */
bool theme_has_color(void);

#endif
