/* theme.c - see theme.h. */
#include "theme.h"

#include <curses.h>
#include <libconfig.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const role_names[ROLE_COUNT] = {
    "normal",    "header", "status",   "hint",     "key",       "title",
    "selection", "border", "input",    "ok",       "warn",      "error",
    "dim",       "badge",  "insecure", "graph_in", "graph_out", "graph_power",
};

static const char *const tier_names[3] = {"mono", "c16", "c256"};

const char *role_name(role r)
{
	return r < ROLE_COUNT ? role_names[r] : "?";
}

/* role, c256 fg/bg/attrs, c16 fg/bg/attrs, mono attrs */
static const struct {
	role r;
	short f256, b256;
	unsigned a256;
	short f16, b16;
	unsigned a16, mono;
} builtin[] = {
    {ROLE_NORMAL, -1, -1, 0, -1, -1, 0, 0},
    {ROLE_HEADER, 231, 24, TA_BOLD, 7, 4, TA_BOLD, TA_REVERSE | TA_BOLD},
    {ROLE_STATUS, 250, 236, 0, 7, 0, 0, 0},
    {ROLE_HINT, 252, 238, 0, 0, 6, 0, TA_REVERSE},
    {ROLE_KEY, 229, 238, TA_BOLD, 0, 6, TA_BOLD, TA_REVERSE | TA_BOLD},
    {ROLE_TITLE, 117, -1, TA_BOLD, 6, -1, TA_BOLD, TA_BOLD | TA_UNDERLINE},
    {ROLE_SELECTION, 231, 31, TA_BOLD, 0, 6, 0, TA_REVERSE},
    {ROLE_BORDER, 244, -1, 0, 4, -1, 0, 0},
    {ROLE_INPUT, 231, 237, 0, 7, 4, 0, TA_UNDERLINE},
    {ROLE_OK, 114, -1, 0, 2, -1, 0, 0},
    {ROLE_WARN, 221, -1, TA_BOLD, 3, -1, TA_BOLD, TA_BOLD},
    {ROLE_ERROR, 203, -1, TA_BOLD, 1, -1, TA_BOLD, TA_BOLD | TA_UNDERLINE},
    {ROLE_DIM, 244, -1, 0, 8, -1, 0, TA_DIM},
    {ROLE_BADGE, 16, 214, TA_BOLD, 0, 3, TA_BOLD, TA_REVERSE | TA_BOLD},
    {ROLE_INSECURE, 231, 160, TA_BOLD, 7, 1, TA_BOLD,
     TA_REVERSE | TA_UNDERLINE},
    {ROLE_GRAPH_IN, 78, -1, 0, 2, -1, 0, 0},
    {ROLE_GRAPH_OUT, 75, -1, 0, 4, -1, TA_BOLD, TA_BOLD},
    {ROLE_GRAPH_POWER, 215, -1, 0, 3, -1, 0, 0},
};

void theme_builtin(theme *t)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "built-in");
	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++) {
		theme_style *s = t->s[builtin[i].r];

		s[TIER_256] = (theme_style){builtin[i].f256, builtin[i].b256,
		                            builtin[i].a256};
		s[TIER_16] = (theme_style){builtin[i].f16, builtin[i].b16,
		                           builtin[i].a16};
		s[TIER_MONO] = (theme_style){-1, -1, builtin[i].mono};
	}
}

static const char *const colour_names[8] = {
    "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

static int bad(dc_err *err, const char *path, const config_setting_t *s,
               const char *what)
{
	return err_field(err, DC_E_CONFIG,
	                 config_setting_name(s) ? config_setting_name(s) : "",
	                 "%s:%d: %s", path, config_setting_source_line(s),
	                 what);
}

static int parse_colour(const config_setting_t *s, theme_tier tier,
                        const char *path, short *out, dc_err *err)
{
	int max = tier == TIER_256 ? 255 : 15;

	if (config_setting_type(s) == CONFIG_TYPE_INT) {
		int v = config_setting_get_int(s);
		char m[96];

		if (v < 0 || v > max) {
			snprintf(m, sizeof(m),
			         "colour %d out of range 0..%d for %s", v, max,
			         tier_names[tier]);
			return bad(err, path, s, m);
		}
		*out = (short)v;
		return 0;
	}
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		const char *n = config_setting_get_string(s);
		int base = 0;

		if (strcmp(n, "default") == 0) {
			*out = -1;
			return 0;
		}
		if (strncmp(n, "bright-", 7) == 0) {
			base = 8;
			n += 7;
		}
		for (int i = 0; i < 8; i++)
			if (strcmp(n, colour_names[i]) == 0) {
				*out = (short)(base + i);
				return 0;
			}
		char m[128];

		snprintf(m, sizeof(m), "unknown colour '%s'",
		         config_setting_get_string(s));
		return bad(err, path, s, m);
	}
	return bad(err, path, s, "a colour is a name or a number 0..255");
}

static int parse_attrs(const config_setting_t *s, const char *path,
                       unsigned *out, dc_err *err)
{
	static const struct {
		const char *n;
		unsigned a;
	} an[] = {{"bold", TA_BOLD},         {"dim", TA_DIM},
	          {"reverse", TA_REVERSE},   {"underline", TA_UNDERLINE},
	          {"standout", TA_STANDOUT}, {"italic", TA_ITALIC}};

	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		return bad(err, path, s, "attributes are a list of names");
	*out = 0;
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e =
		    config_setting_get_elem(s, (unsigned)i);
		const char *n = config_setting_get_string(e);
		size_t k;

		for (k = 0; n && k < sizeof(an) / sizeof(an[0]); k++)
			if (strcmp(n, an[k].n) == 0)
				break;
		if (!n || k == sizeof(an) / sizeof(an[0])) {
			char m[128];

			snprintf(m, sizeof(m), "unknown attribute '%s'",
			         n ? n : "?");
			return bad(err, path, e, m);
		}
		*out |= an[k].a;
	}
	return 0;
}

static int parse_tier(const config_setting_t *ts, theme_tier tier,
                      const char *path, theme_style *st, dc_err *err)
{
	const config_setting_t *c;

	if (!config_setting_is_group(ts))
		return bad(err, path, ts,
		           "a colour tier is a group { fg; bg; "
		           "attr; }");
	for (int i = 0; i < config_setting_length(ts); i++) {
		c = config_setting_get_elem(ts, (unsigned)i);
		const char *n = config_setting_name(c);

		if (strcmp(n, "fg") == 0) {
			if (parse_colour(c, tier, path, &st->fg, err) < 0)
				return -1;
		} else if (strcmp(n, "bg") == 0) {
			if (parse_colour(c, tier, path, &st->bg, err) < 0)
				return -1;
		} else if (strcmp(n, "attr") == 0) {
			if (parse_attrs(c, path, &st->attrs, err) < 0)
				return -1;
		} else {
			char m[128];

			snprintf(m, sizeof(m),
			         "unknown key '%s' (fg, bg, attr)", n);
			return bad(err, path, c, m);
		}
	}
	return 0;
}

int theme_load(theme *t, const char *path, dc_err *err)
{
	config_t cf;
	const config_setting_t *roles;
	const char *name;
	int rc = -1;

	theme_builtin(t);
	config_init(&cf);
	if (!config_read_file(&cf, path)) {
		if (config_error_type(&cf) == CONFIG_ERR_FILE_IO)
			err_set(err, DC_E_CONFIG, "%s: cannot read theme",
			        path);
		else
			err_set(err, DC_E_CONFIG, "%s:%d: %s", path,
			        config_error_line(&cf), config_error_text(&cf));
		goto out;
	}
	if (config_lookup_string(&cf, "name", &name))
		snprintf(t->name, sizeof(t->name), "%s", name);
	roles = config_lookup(&cf, "roles");
	if (!roles || !config_setting_is_group(roles)) {
		err_set(err, DC_E_CONFIG,
		        "%s:%d: a theme needs a 'roles' group", path,
		        roles ? config_setting_source_line(roles) : 1);
		goto out;
	}
	for (int i = 0; i < config_setting_length(roles); i++) {
		const config_setting_t *rs =
		    config_setting_get_elem(roles, (unsigned)i);
		const char *rn = config_setting_name(rs);
		int r;

		for (r = 0; r < ROLE_COUNT; r++)
			if (strcmp(rn, role_names[r]) == 0)
				break;
		if (r == ROLE_COUNT) {
			char m[128];

			snprintf(m, sizeof(m), "unknown role '%s'", rn);
			bad(err, path, rs, m);
			goto out;
		}
		if (!config_setting_is_group(rs)) {
			bad(err, path, rs,
			    "a role is a group { c256; c16; mono; }");
			goto out;
		}
		for (int k = 0; k < config_setting_length(rs); k++) {
			const config_setting_t *ts =
			    config_setting_get_elem(rs, (unsigned)k);
			const char *tn = config_setting_name(ts);

			if (strcmp(tn, "mono") == 0) {
				t->s[r][TIER_MONO].attrs = 0;
				if (parse_attrs(ts, path,
				                &t->s[r][TIER_MONO].attrs,
				                err) < 0)
					goto out;
			} else if (strcmp(tn, "c16") == 0 ||
			           strcmp(tn, "c256") == 0) {
				theme_tier tier =
				    tn[1] == '1' ? TIER_16 : TIER_256;

				/* a tier given replaces the built-in one */
				t->s[r][tier] = (theme_style){-1, -1, 0};
				if (parse_tier(ts, tier, path, &t->s[r][tier],
				               err) < 0)
					goto out;
			} else {
				char m[128];

				snprintf(m, sizeof(m),
				         "unknown tier '%s' (c256, c16, mono)",
				         tn);
				bad(err, path, ts, m);
				goto out;
			}
		}
	}
	rc = 0;
out:
	config_destroy(&cf);
	return rc;
}

static bool readable(const char *p)
{
	return access(p, R_OK) == 0;
}

int theme_find(const char *name, char *path, size_t len, dc_err *err)
{
	char exe[PATH_MAX];
	char dirs[6][PATH_MAX + 32];
	const char *env = getenv("DCICTL_THEMES");
	int nd = 0;
	ssize_t n;

	if (strchr(name, '/')) {
		snprintf(path, len, "%s", name);
		if (readable(path))
			return 0;
		return err_set(err, DC_E_CONFIG, "%s: cannot read theme", name);
	}
	if (env && *env)
		snprintf(dirs[nd++], sizeof(dirs[0]), "%s", env);
	snprintf(dirs[nd++], sizeof(dirs[0]), "themes");
	/* beside the program: build/dcictl -> themes/, or an install */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		if ((slash = strrchr(exe, '/'))) {
			*slash = '\0';
			snprintf(dirs[nd++], sizeof(dirs[0]), "%s/../themes",
			         exe);
			snprintf(dirs[nd++], sizeof(dirs[0]),
			         "%s/../share/dcictl/themes", exe);
		}
	}
	snprintf(dirs[nd++], sizeof(dirs[0]), "/usr/local/share/dcictl/themes");
	snprintf(dirs[nd++], sizeof(dirs[0]), "/usr/share/dcictl/themes");
	for (int i = 0; i < nd; i++) {
		snprintf(path, len, "%s/%s.theme", dirs[i], name);
		if (readable(path))
			return 0;
	}
	return err_set(err, DC_E_CONFIG,
	               "theme '%s' not found (looked for %s.theme in "
	               "$DCICTL_THEMES, ./themes and the install directory)",
	               name, name);
}

/* ---- curses ---- */

static unsigned long role_attr[ROLE_COUNT];
static bool use_color;

static unsigned long ta_to_curses(unsigned a)
{
	unsigned long r = 0;

	if (a & TA_BOLD)
		r |= A_BOLD;
	if (a & TA_DIM)
		r |= A_DIM;
	if (a & TA_REVERSE)
		r |= A_REVERSE;
	if (a & TA_UNDERLINE)
		r |= A_UNDERLINE;
	if (a & TA_STANDOUT)
		r |= A_STANDOUT;
	if (a & TA_ITALIC)
		r |= A_ITALIC;
	return r;
}

theme_tier theme_apply(const theme *t, bool no_color)
{
	theme_tier tier = TIER_MONO;

	if (!no_color && has_colors() && start_color() == OK) {
		use_default_colors();
		tier = COLORS >= 256 ? TIER_256
		       : COLORS >= 8 ? TIER_16
		                     : TIER_MONO;
	}
	use_color = tier != TIER_MONO;
	for (int r = 0; r < ROLE_COUNT; r++) {
		const theme_style *s = &t->s[r][tier];
		unsigned long a = ta_to_curses(s->attrs);

		if (use_color) {
			short fg = s->fg, bg = s->bg;

			/* bright colours on an 8-colour terminal: bold */
			if (COLORS < 16 && fg >= 8) {
				fg -= 8;
				a |= A_BOLD;
			}
			if (COLORS < 16 && bg >= 8)
				bg -= 8;
			if (fg >= 0 || bg >= 0) {
				init_pair((short)(r + 1), fg, bg);
				a |= COLOR_PAIR(r + 1);
			}
		}
		role_attr[r] = a;
	}
	return tier;
}

unsigned long theme_attr(role r)
{
	return r < ROLE_COUNT ? role_attr[r] : 0;
}

bool theme_has_color(void)
{
	return use_color;
}
