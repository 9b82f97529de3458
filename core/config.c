/* config.c - reading the configuration file; see config.h. */
#include "config.h"
#include "statmath.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libconfig.h>

#define CONFIG_MAX_BYTES (1 << 20) /* a config file is a few lines */

/* Where a problem is, for "FILE:LINE: setting: reason". */
typedef struct where {
	const char *file;
	dc_err *err;
} where;

__attribute__((format(printf, 4, 5))) static int bad(const where *w,
                                                     const config_setting_t *s,
                                                     const char *field,
                                                     const char *fmt, ...)
{
	char reason[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	int line = s ? (int)config_setting_source_line(s) : 0;
	return err_field(w->err, DC_E_CONFIG, field, "%s:%d: %s%s%s", w->file,
	                 line, field ? field : "", field ? ": " : "", reason);
}

static const char *type_name(const config_setting_t *s)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "a whole number";
	case CONFIG_TYPE_FLOAT:
		return "a decimal number";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "a boolean";
	case CONFIG_TYPE_GROUP:
		return "a group";
	case CONFIG_TYPE_ARRAY:
		return "an array";
	case CONFIG_TYPE_LIST:
		return "a list";
	default:
		return "something else";
	}
}

/* ---- value parsers: each fills one field of the config ---------------- */

typedef struct setting setting;
typedef int (*parse_fn)(const setting *def, const config_setting_t *s,
                        dc_config *cfg, const where *w);

struct setting {
	const char *name;
	parse_fn parse;
	size_t off;       /* offset of the field in dc_config */
	int64_t lo, hi;   /* range (ms for durations, bytes for sizes) */
	const char *help; /* what a good value looks like */
};

#define FIELD(T, off) ((T *)((char *)cfg + (off)))

static int set_string(char **dst, const char *v, const where *w)
{
	char *c = strdup(v);
	if (!c)
		return err_set(w->err, DC_E_NOMEM, "out of memory");
	free(*dst);
	*dst = c;
	return 0;
}

static int parse_duration(const setting *def, const config_setting_t *s,
                          dc_config *cfg, const where *w)
{
	double sec;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		sec = (double)config_setting_get_int64(s);
		break;
	case CONFIG_TYPE_FLOAT:
		sec = config_setting_get_float(s);
		break;
	case CONFIG_TYPE_STRING: {
		const char *v = config_setting_get_string(s);
		char *end;
		errno = 0;
		/* strtod also takes "inf", "nan" and hex: refuse those by
		 * insisting on a plain decimal start. */
		if (!isdigit((unsigned char)v[0]))
			return bad(w, s, def->name,
			           "\"%.40s\" is not a duration; %s", v,
			           def->help);
		sec = strtod(v, &end);
		double mult = 1;
		if (!strcmp(end, "ms"))
			mult = 0.001;
		else if (!strcmp(end, "s") || !*end)
			mult = 1;
		else if (!strcmp(end, "m") || !strcmp(end, "min"))
			mult = 60;
		else if (!strcmp(end, "h"))
			mult = 3600;
		else
			return bad(w, s, def->name,
			           "\"%.40s\": unknown unit \"%.10s\" (use ms, "
			           "s, m or h)",
			           v, end);
		if (errno)
			return bad(w, s, def->name, "\"%.40s\" is out of range",
			           v);
		sec *= mult;
		break;
	}
	default:
		return bad(w, s, def->name, "expected a duration, got %s; %s",
		           type_name(s), def->help);
	}
	if (!isfinite(sec) || sec * 1000 < (double)def->lo ||
	    sec * 1000 > (double)def->hi)
		return bad(w, s, def->name, "out of range; %s", def->help);
	*FIELD(int64_t, def->off) = llround(sec * 1000);
	return 0;
}

static int parse_size(const setting *def, const config_setting_t *s,
                      dc_config *cfg, const where *w)
{
	long long v = 0;
	if (config_setting_type(s) == CONFIG_TYPE_INT ||
	    config_setting_type(s) == CONFIG_TYPE_INT64) {
		v = config_setting_get_int64(s);
	} else if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		const char *t = config_setting_get_string(s);
		char *end;
		if (!isdigit((unsigned char)t[0]))
			return bad(w, s, def->name,
			           "\"%.40s\" is not a size; %s", t, def->help);
		errno = 0;
		v = strtoll(t, &end, 10);
		long long mult = 1;
		if (!*end || !strcasecmp(end, "B"))
			mult = 1;
		else if (!strcasecmp(end, "K") || !strcasecmp(end, "KiB"))
			mult = 1LL << 10;
		else if (!strcasecmp(end, "M") || !strcasecmp(end, "MiB"))
			mult = 1LL << 20;
		else if (!strcasecmp(end, "G") || !strcasecmp(end, "GiB"))
			mult = 1LL << 30;
		else
			return bad(w, s, def->name,
			           "\"%.40s\": unknown unit \"%.10s\" (use K, "
			           "M or G)",
			           t, end);
		if (errno || v > LLONG_MAX / mult)
			return bad(w, s, def->name, "out of range; %s",
			           def->help);
		v *= mult;
	} else {
		return bad(w, s, def->name, "expected a size, got %s; %s",
		           type_name(s), def->help);
	}
	if (v < def->lo || v > def->hi)
		return bad(w, s, def->name, "out of range; %s", def->help);
	*FIELD(size_t, def->off) = (size_t)v;
	return 0;
}

static int get_int(const setting *def, const config_setting_t *s, long long *v,
                   const where *w)
{
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64)
		return bad(w, s, def->name,
		           "expected a whole number, got %s; %s", type_name(s),
		           def->help);
	*v = config_setting_get_int64(s);
	if (*v < def->lo || *v > def->hi)
		return bad(w, s, def->name, "%lld is out of range; %s", *v,
		           def->help);
	return 0;
}

static int parse_int(const setting *def, const config_setting_t *s,
                     dc_config *cfg, const where *w)
{
	long long v = 0;
	if (get_int(def, s, &v, w))
		return -1;
	*FIELD(int, def->off) = (int)v;
	return 0;
}

static int parse_count(const setting *def, const config_setting_t *s,
                       dc_config *cfg, const where *w)
{
	long long v = 0;
	if (get_int(def, s, &v, w))
		return -1;
	*FIELD(size_t, def->off) = (size_t)v;
	return 0;
}

static const char *get_string(const setting *def, const config_setting_t *s,
                              const where *w)
{
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		bad(w, s, def->name, "expected a string, got %s; %s",
		    type_name(s), def->help);
		return NULL;
	}
	const char *v = config_setting_get_string(s);
	if (!*v) {
		bad(w, s, def->name, "is empty; %s", def->help);
		return NULL;
	}
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p == 0x7f) {
			bad(w, s, def->name, "contains a control character");
			return NULL;
		}
	return v;
}

static char *home_dir(void)
{
	const char *h = getenv("HOME");
	if (h && h[0] == '/')
		return strdup(h);
	struct passwd pw, *res = NULL;
	char buf[4096];
	if (getpwuid_r(getuid(), &pw, buf, sizeof(buf), &res) == 0 && res &&
	    res->pw_dir && res->pw_dir[0] == '/')
		return strdup(res->pw_dir);
	return NULL;
}

static char *join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s%s%s", a,
		         *a && a[strlen(a) - 1] == '/' ? "" : "/", b);
	return p;
}

static int parse_store(const setting *def, const config_setting_t *s,
                       dc_config *cfg, const where *w)
{
	const char *v = get_string(def, s, w);
	if (!v)
		return -1;
	if (strlen(v) > PATH_MAX - 16)
		return bad(w, s, def->name, "path is too long");
	char *path = NULL;
	if (!strncmp(v, "~/", 2)) {
		char *home = home_dir();
		if (!home)
			return bad(w, s, def->name,
			           "cannot expand ~: no home directory");
		path = join(home, v + 2);
		free(home);
	} else if (v[0] == '/') {
		path = strdup(v);
	} else {
		/* Relative to the config file, not to wherever dcictl was
		 * started from. */
		char *dir = strdup(w->file);
		if (dir) {
			char *slash = strrchr(dir, '/');
			if (slash)
				slash[slash == dir ? 1 : 0] = '\0';
			path = join(slash ? dir : ".", v);
			free(dir);
		}
	}
	if (path && path[0] != '/') {
		char cwd[PATH_MAX];
		char *abs = getcwd(cwd, sizeof(cwd)) ? join(cwd, path) : NULL;
		free(path);
		path = abs;
	}
	if (!path)
		return err_set(w->err, DC_E_NOMEM, "cannot make %s absolute",
		               v);
	if (path[strlen(path) - 1] == '/') {
		free(path);
		return bad(w, s, def->name,
		           "\"%s\" is a directory; give the store file's path",
		           v);
	}
	free(cfg->store_path);
	cfg->store_path = path;
	return 0;
}

static bool name_chars(const char *v)
{
	for (; *v; v++)
		if (!isalnum((unsigned char)*v) && *v != '_' && *v != '-' &&
		    *v != '.')
			return false;
	return true;
}

static int parse_theme(const setting *def, const config_setting_t *s,
                       dc_config *cfg, const where *w)
{
	const char *v = get_string(def, s, w);
	if (!v)
		return -1;
	if (v[0] != '/' && (!name_chars(v) || v[0] == '.' || strlen(v) > 64))
		return bad(w, s, def->name, "\"%.40s\" is not a theme name; %s",
		           v, def->help);
	return set_string(&cfg->theme, v, w);
}

static int parse_timezone(const setting *def, const config_setting_t *s,
                          dc_config *cfg, const where *w)
{
	const char *v = get_string(def, s, w);
	if (!v)
		return -1;
	/* The forms statmath takes (UTC, +HH:MM, local, Area/City); a named
	 * zone must also exist on this system, checked below. */
	statmath_zone z;
	dc_err zerr;
	if (statmath_zone_parse(v, &z, &zerr) < 0)
		return bad(w, s, def->name, "%s", zerr.msg);
	if (z.kind == STATMATH_ZONE_PROCESS && strcmp(v, "local")) {
		/* A tz database name: Area/City, no "..", no absolute path;
		 * it must exist on this system or days would silently be
		 * computed in UTC. */
		bool ok = v[0] != '/' && v[0] != '.' && !strstr(v, "..") &&
		          strlen(v) < 128;
		for (const char *p = v; ok && *p; p++)
			ok = isalnum((unsigned char)*p) || strchr("/_-+.", *p);
		if (!ok)
			return bad(w, s, def->name,
			           "\"%.40s\" is not a time zone name; %s", v,
			           def->help);
		const char *dir = getenv("TZDIR");
		char path[512];
		snprintf(path, sizeof(path), "%s/%s",
		         dir && *dir ? dir : "/usr/share/zoneinfo", v);
		struct stat sb;
		if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
			return bad(w, s, def->name,
			           "time zone \"%.40s\" is not known on this "
			           "system (no %s)",
			           v, path);
	}
	return set_string(&cfg->stats_timezone, v, w);
}

static int check_member_names(const config_setting_t *g, const char *setname,
                              const char *const *allowed, const where *w)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *m = config_setting_get_elem(g, i);
		const char *n = config_setting_name(m);
		bool ok = false;
		for (const char *const *a = allowed; *a && !ok; a++)
			ok = n && !strcmp(n, *a);
		if (!ok)
			return bad(w, m, setname,
			           "unknown setting \"%s\" in a key override "
			           "(only key and action)",
			           n ? n : "?");
	}
	return 0;
}

static int parse_keys(const setting *def, const config_setting_t *s,
                      dc_config *cfg, const where *w)
{
	if (config_setting_type(s) != CONFIG_TYPE_LIST)
		return bad(w, s, def->name, "expected a list, got %s; %s",
		           type_name(s), def->help);
	static const char *const allowed[] = {"key", "action", NULL};
	int n = config_setting_length(s);
	config_keybind *k = calloc(n ? (size_t)n : 1, sizeof(*k));
	if (!k)
		return err_set(w->err, DC_E_NOMEM, "out of memory");
	/* Fill cfg as we go so that config_free cleans up on failure. */
	for (size_t i = 0; i < cfg->nkeys; i++) {
		free(cfg->keys[i].key);
		free(cfg->keys[i].action);
	}
	free(cfg->keys);
	cfg->keys = k;
	cfg->nkeys = 0;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		if (config_setting_type(e) != CONFIG_TYPE_GROUP)
			return bad(w, e, def->name,
			           "entry %d: expected { key = \"...\"; "
			           "action = \"...\"; }, got %s",
			           i + 1, type_name(e));
		if (check_member_names(e, def->name, allowed, w))
			return -1;
		const char *key = NULL, *action = NULL;
		if (!config_setting_lookup_string(e, "key", &key) || !*key)
			return bad(w, e, def->name,
			           "entry %d: needs key = \"...\" (a string)",
			           i + 1);
		if (!config_setting_lookup_string(e, "action", &action) ||
		    !*action)
			return bad(w, e, def->name,
			           "entry %d: needs action = \"...\" (a "
			           "string)",
			           i + 1);
		if (strlen(key) > 32)
			return bad(w, e, def->name,
			           "key \"%.32s...\" is too long", key);
		for (const unsigned char *p = (const unsigned char *)key; *p;
		     p++)
			if (*p <= 0x20 || *p == 0x7f)
				return bad(w, e, def->name,
				           "key \"%s\" contains a space or "
				           "control character; write keys as "
				           "\"j\", \"C-d\", \"F5\", \"Enter\"",
				           key);
		if (strlen(action) > 64 || !name_chars(action))
			return bad(w, e, def->name,
			           "action \"%.64s\" is not an action name",
			           action);
		for (size_t j = 0; j < cfg->nkeys; j++)
			if (!strcmp(cfg->keys[j].key, key))
				return bad(w, e, def->name,
				           "key \"%s\" is set twice (also at "
				           "line %d)",
				           key, cfg->keys[j].line);
		config_keybind *b = &cfg->keys[cfg->nkeys];
		b->key = strdup(key);
		b->action = strdup(action);
		b->line = (int)config_setting_source_line(e);
		cfg->nkeys++;
		if (!b->key || !b->action)
			return err_set(w->err, DC_E_NOMEM, "out of memory");
	}
	return 0;
}

#define OFF(f) offsetof(dc_config, f)
#define SEC    1000LL

static const setting settings[] = {
    {"store", parse_store, 0, 0, 0, "a file path, e.g. \"~/dcictl.db\""},
    {"theme", parse_theme, 0, 0, 0,
     "a theme name such as \"default\", or an absolute path"},
    {"refresh", parse_duration, OFF(refresh_ms), 100, 3600 * SEC,
     "seconds (e.g. 2 or 0.5) or \"500ms\", from 0.1 s to 1 h"},
    {"keys", parse_keys, 0, 0, 0,
     "( { key = \"j\"; action = \"down\"; }, ... )"},
    {"stats_timezone", parse_timezone, 0, 0, 0,
     "\"UTC\", an offset such as \"+03:00\", \"local\" or a tz "
     "database name such as \"Europe/Berlin\""},
    {"stats_retention_days", parse_int, OFF(stats_retention_days), 1, 36500,
     "days, from 1 to 36500"},
    {"availability_refresh", parse_duration, OFF(availability_refresh_ms), SEC,
     86400 * SEC, "seconds or \"5m\", from 1 s to 1 day"},
    {"xml_max_body", parse_size, OFF(xml_max_body), 4096, 1LL << 30,
     "bytes or \"64M\", from 4K to 1G"},
    {"http_connect_timeout", parse_duration, OFF(http_connect_timeout_ms), 100,
     300 * SEC, "seconds or \"500ms\", from 0.1 s to 5 min"},
    {"http_timeout", parse_duration, OFF(http_timeout_ms), SEC, 3600 * SEC,
     "seconds or \"2m\", from 1 s to 1 h"},
    {"api_log_size", parse_count, OFF(api_log_size), 10, 1000000,
     "calls kept, from 10 to 1000000"},
};

#define NSETTINGS (sizeof(settings) / sizeof(settings[0]))

/* Edit distance, to suggest the setting a typo meant. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 40 || lb > 40)
		return 99;
	size_t row[41];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cur = row[j];
			size_t sub = prev + (a[i - 1] != b[j - 1]);
			size_t del = row[j] + 1, ins = row[j - 1] + 1;
			row[j] = sub < del ? (sub < ins ? sub : ins)
			                   : (del < ins ? del : ins);
			prev = cur;
		}
	}
	return row[lb];
}

static bool secret_name(const char *n)
{
	return n && (strcasestr(n, "pass") || strcasestr(n, "secret") ||
	             strcasestr(n, "token"));
}

static const config_setting_t *find_secret(const config_setting_t *s)
{
	if (secret_name(config_setting_name(s)))
		return s;
	if (!config_setting_is_aggregate(s))
		return NULL;
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *f =
		    find_secret(config_setting_get_elem(s, i));
		if (f)
			return f;
	}
	return NULL;
}

/* ---- defaults and paths ---------------------------------------------- */

static char *xdg_path(const char *env, const char *fallback, const char *leaf,
                      dc_err *err)
{
	const char *x = getenv(env);
	/* XDG: a relative value is invalid and must be ignored. */
	if (x && x[0] == '/') {
		char *p = join(x, leaf);
		if (!p)
			err_set(err, DC_E_NOMEM, "out of memory");
		return p;
	}
	char *home = home_dir();
	if (!home) {
		err_set(err, DC_E_CONFIG,
		        "no home directory: set HOME, %s or DCICTL_CONFIG",
		        env);
		return NULL;
	}
	char *base = join(home, fallback);
	free(home);
	char *p = base ? join(base, leaf) : NULL;
	free(base);
	if (!p)
		err_set(err, DC_E_NOMEM, "out of memory");
	return p;
}

char *config_default_path(dc_err *err)
{
	const char *e = getenv("DCICTL_CONFIG");
	if (e && *e) {
		char *p = strdup(e);
		if (!p)
			err_set(err, DC_E_NOMEM, "out of memory");
		return p;
	}
	return xdg_path("XDG_CONFIG_HOME", ".config", "dcictl/config", err);
}

void config_free(dc_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->path);
	free(cfg->store_path);
	free(cfg->theme);
	free(cfg->stats_timezone);
	for (size_t i = 0; i < cfg->nkeys; i++) {
		free(cfg->keys[i].key);
		free(cfg->keys[i].action);
	}
	free(cfg->keys);
	memset(cfg, 0, sizeof(*cfg));
}

int config_defaults(dc_config *cfg, dc_err *err)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->refresh_ms = 2000;
	cfg->stats_retention_days = 90;
	cfg->availability_refresh_ms = 60000;
	cfg->xml_max_body = 64u << 20;
	cfg->http_connect_timeout_ms = 10000;
	cfg->http_timeout_ms = 60000;
	cfg->api_log_size = 1000;
	cfg->theme = strdup("default");
	cfg->stats_timezone = strdup("UTC");
	cfg->store_path =
	    xdg_path("XDG_DATA_HOME", ".local/share", "dcictl/store.db", err);
	if (!cfg->store_path) {
		config_free(cfg);
		return -1;
	}
	if (!cfg->theme || !cfg->stats_timezone) {
		config_free(cfg);
		return err_set(err, DC_E_NOMEM, "out of memory");
	}
	return 0;
}

/* ---- loading ---------------------------------------------------------- */

/* Reads the whole file from an open descriptor; libconfig then parses the
 * text. Reading it ourselves lets us check the mode of exactly the file we
 * read and refuse @include, which would pull in files whose modes nobody
 * checked. */
static char *slurp(int fd, const char *path, dc_err *err)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	if (!buf) {
		err_set(err, DC_E_NOMEM, "out of memory");
		return NULL;
	}
	for (;;) {
		if (n + 1 >= cap) {
			if (cap >= CONFIG_MAX_BYTES) {
				free(buf);
				err_set(err, DC_E_CONFIG,
				        "%s: file is too large for a config "
				        "(over %d bytes)",
				        path, CONFIG_MAX_BYTES);
				return NULL;
			}
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				err_set(err, DC_E_NOMEM, "out of memory");
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err_set(err, DC_E_CONFIG, "%s: cannot read: %s", path,
			        strerror(errno));
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	if (memchr(buf, '\0', n)) {
		err_set(err, DC_E_CONFIG, "%s: not a text file (NUL byte)",
		        path);
		free(buf);
		return NULL;
	}
	/* libconfig recognises "@include" at the start of a line after
	 * blanks; refuse every such line. */
	int line = 1;
	for (const char *p = buf; *p; line++) {
		const char *q = p;
		while (*q == ' ' || *q == '\t')
			q++;
		if (!strncmp(q, "@include", 8)) {
			err_set(err, DC_E_CONFIG,
			        "%s:%d: @include is not supported; put every "
			        "setting in this one file",
			        path, line);
			free(buf);
			return NULL;
		}
		const char *nl = strchr(p, '\n');
		if (!nl)
			break;
		p = nl + 1;
	}
	return buf;
}

static int load_file(const char *path, bool must_exist, dc_config *cfg,
                     dc_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT && !must_exist)
			return 0;
		return err_set(err, DC_E_CONFIG, "%s: cannot open: %s", path,
		               strerror(errno));
	}
	struct stat sb;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return err_set(err, DC_E_CONFIG, "%s: not a regular file",
		               path);
	}
	if (sb.st_mode & S_IWOTH) {
		close(fd);
		return err_set(err, DC_E_CONFIG,
		               "%s: anyone can change this file (mode %04o); "
		               "fix: chmod 600 %s",
		               path, (unsigned)(sb.st_mode & 07777), path);
	}
	char *text = slurp(fd, path, err);
	close(fd);
	if (!text)
		return -1;
	cfg->path = strdup(path);
	if (!cfg->path) {
		free(text);
		return err_set(err, DC_E_NOMEM, "out of memory");
	}

	config_t lc;
	config_init(&lc);
	int ok = config_read_string(&lc, text);
	free(text);
	where w = {path, err};
	int rc = -1;
	if (!ok) {
		err_set(err, DC_E_CONFIG, "%s:%d: %s", path,
		        config_error_line(&lc),
		        config_error_text(&lc) ? config_error_text(&lc)
		                               : "syntax error");
		goto out;
	}
	const config_setting_t *root = config_root_setting(&lc);
	const config_setting_t *secret = find_secret(root);
	if (secret && (sb.st_mode & (S_IRWXG | S_IRWXO))) {
		bad(&w, secret, config_setting_name(secret),
		    "the file holds a secret and others can read it (mode "
		    "%04o); fix: chmod 600 %s",
		    (unsigned)(sb.st_mode & 07777), path);
		goto out;
	}
	for (int i = 0; i < config_setting_length(root); i++) {
		const config_setting_t *s = config_setting_get_elem(root, i);
		const char *name = config_setting_name(s);
		const setting *def = NULL;
		for (size_t j = 0; j < NSETTINGS && !def; j++)
			if (name && !strcmp(name, settings[j].name))
				def = &settings[j];
		if (def) {
			if (def->parse(def, s, cfg, &w))
				goto out;
			continue;
		}
		const char *best = NULL;
		size_t bd = 3; /* suggest only close names */
		for (size_t j = 0; j < NSETTINGS; j++) {
			size_t d = distance(name ? name : "", settings[j].name);
			if (d < bd) {
				bd = d;
				best = settings[j].name;
			}
		}
		if (best)
			bad(&w, s, name,
			    "unknown setting; did you mean \"%s\"?", best);
		else
			bad(&w, s, name, "unknown setting");
		goto out;
	}
	rc = 0;
out:
	config_destroy(&lc);
	return rc;
}

int config_load(const char *path, dc_config *cfg, dc_err *err)
{
	dc_config c;
	if (config_defaults(&c, err)) {
		memset(cfg, 0, sizeof(*cfg));
		return -1;
	}
	char *found = path ? strdup(path) : config_default_path(err);
	if (!found) {
		config_free(&c);
		memset(cfg, 0, sizeof(*cfg));
		if (path)
			err_set(err, DC_E_NOMEM, "out of memory");
		return -1;
	}
	int rc = load_file(found, path != NULL, &c, err);
	free(found);
	if (rc) {
		config_free(&c);
		memset(cfg, 0, sizeof(*cfg));
		return -1;
	}
	*cfg = c;
	return 0;
}
