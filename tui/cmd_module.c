/* cmd_module.c - the commands of processing modules, departments,
 * IPmanager connections and licence servers:
 *
 *   module list|show|add|edit|check|enable|disable|delete
 *   department list|show|add|edit|delete
 *   ipmgr list|show|add|edit|check|delete
 *   license list|show|add|edit|check|delete
 *
 * `add` and `edit` run the same validation as the console's forms: the
 * field rules (model.h), the rules that need other records (store.h), then
 * the connection check (modcheck.h), whose failed step names the field to
 * fix; a refusal writes nothing. Passwords come from --password-file,
 * else $DCICTL_PASSWORD, else a prompt on /dev/tty with echo off; the
 * console's forms hand theirs over in --password, which the command line
 * refuses (it would show in the process list). Secrets are never printed:
 * `password: (set)`. See doc/modules.md. */
#include "cmd_module.h"
#include "namecache.h"

#include "app.h"
#include "secret.h"
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* ---- small helpers ------------------------------------------------------ */

char *modcmd_time(int64_t t, char *buf, size_t len)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t <= 0 || !localtime_r(&tt, &tm)) {
		snprintf(buf, len, "never");
		return buf;
	}
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	return buf;
}

/* ISO 8601 UTC for machine output. */
static void out_time(out *o, const char *key, int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;
	char buf[32];

	if (t <= 0 || !gmtime_r(&tt, &tm)) {
		out_null(o, key);
		return;
	}
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	out_str(o, key, buf);
}

char *modcmd_step_line(const modcheck_step *s, char *buf, size_t len)
{
	const char *what = s->state == MODCHECK_FAIL ? s->error : s->detail;

	if (s->state == MODCHECK_OK || s->state == MODCHECK_FAIL)
		snprintf(buf, len, "%-21s %-4s %6.0f ms  %s", s->name,
		         modcheck_state_name(s->state), s->ms, what);
	else
		snprintf(buf, len, "%-21s %-4s %9s  %s", s->name,
		         modcheck_state_name(s->state), "", what);
	return buf;
}

static dc_store *store(cmd_ctx *ctx, dc_err *err)
{
	return app_store(ctx->app, err);
}

modcheck_opts
modcmd_check_opts(cmd_ctx *ctx,
                  void (*progress)(void *, const modcheck_result *, size_t),
                  void *user)
{
	modcheck_opts o = {0};
	const app *a = ctx->app;

	o.connect_timeout_ms = (long)a->cfg.http_connect_timeout_ms;
	o.timeout_ms = (long)a->cfg.http_timeout_ms;
	o.body_cap = a->cfg.xml_max_body;
	o.log = a->log;
	o.cancel = ctx->cancel;
	o.progress = progress;
	o.user = user;
	return o;
}

/* ---- passwords -------------------------------------------------------- */

static int read_secret_file(const char *path, char **res, dc_err *err)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	char *buf;

	*res = NULL;
	if (fd < 0)
		return err_field(err, DC_E_IO, "password-file",
		                 "cannot open password file %s: %s", path,
		                 strerror(errno));
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077)) {
		close(fd);
		return err_field(err, DC_E_INVALID, "password-file",
		                 "password file %s can be read by others "
		                 "(mode %04o); run: chmod 600 %s",
		                 path, (unsigned)(st.st_mode & 07777), path);
	}
	buf = calloc(1, DC_PASSWORD_MAX + 1);
	if (!buf) {
		close(fd);
		return err_set(err, DC_E_NOMEM, "out of memory");
	}
	while (len < DC_PASSWORD_MAX) {
		ssize_t n = read(fd, buf + len, DC_PASSWORD_MAX - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	/* the first line is the password (a file usually ends in \n) */
	buf[strcspn(buf, "\r\n")] = '\0';
	*res = buf;
	return 0;
}

static int prompt_password(const char *what, char **res, dc_err *err)
{
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	struct termios old, quiet;
	bool restore;
	size_t len = 0;
	char *buf;

	*res = NULL;
	if (fd < 0)
		return err_field(err, DC_E_INVALID, "password",
		                 "no password: give --password-file FILE or "
		                 "set DCICTL_PASSWORD (there is no terminal "
		                 "to ask on)");
	buf = calloc(1, DC_PASSWORD_MAX + 1);
	if (!buf) {
		close(fd);
		return err_set(err, DC_E_NOMEM, "out of memory");
	}
	dprintf(fd, "Password for %s: ", what);
	restore = tcgetattr(fd, &old) == 0;
	if (restore) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK);
		quiet.c_lflag |= ECHONL;
		tcsetattr(fd, TCSAFLUSH, &quiet);
	}
	for (;;) {
		char c;
		ssize_t n = read(fd, &c, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || c == '\n' || c == '\r')
			break;
		if (len < DC_PASSWORD_MAX)
			buf[len++] = c;
	}
	if (restore)
		tcsetattr(fd, TCSAFLUSH, &old);
	close(fd);
	*res = buf;
	return 0;
}

static void pw_free(char *s)
{
	if (s) {
		secret_wipe(s, strlen(s));
		free(s);
	}
}

/* The password of an add (required) or an edit (only when one of the
 * password options is given, or `ask` is set). *res stays NULL on an edit
 * that keeps the stored password. */
static int get_password(cmd_ctx *ctx, const cmd_args *a, bool required,
                        const char *what, char **res, dc_err *err)
{
	const char *given = cmd_arg(a, "password");
	const char *file = cmd_arg(a, "password-file");
	const char *env = getenv("DCICTL_PASSWORD");
	bool ask = required || cmd_flag(a, "ask-password");

	*res = NULL;
	if (given) {
		if (!ctx->ui)
			return err_field(err, DC_E_INVALID, "password",
			                 "--password is refused on the command "
			                 "line (it would show in the process "
			                 "list); use --password-file FILE or "
			                 "DCICTL_PASSWORD");
		if (!(*res = strdup(given)))
			return err_set(err, DC_E_NOMEM, "out of memory");
	} else if (file) {
		if (read_secret_file(file, res, err) < 0)
			return -1;
	} else if (!ask) {
		return 0;
	} else if (env && *env) {
		if (!(*res = strdup(env)))
			return err_set(err, DC_E_NOMEM, "out of memory");
	} else if (ctx->ui) {
		return err_field(err, DC_E_INVALID, "password",
		                 "no password: give --password-file FILE "
		                 "(or use the form: it asks for it)");
	} else if (prompt_password(what, res, err) < 0) {
		return -1;
	}
	if (model_check_password("password", *res, err) < 0) {
		pw_free(*res);
		*res = NULL;
		return -1;
	}
	return 0;
}

/* ---- names of referenced records ---------------------------------------- */

typedef struct names {
	dc_conn *ipm, *lic;
	dc_department *dep;
	size_t nipm, nlic, ndep;
} names;

static void names_free(names *n)
{
	free(n->ipm);
	free(n->lic);
	free(n->dep);
	memset(n, 0, sizeof(*n));
}

static int names_load(dc_store *st, names *n, dc_err *err)
{
	memset(n, 0, sizeof(*n));
	if (ipmgr_list(st, &n->ipm, &n->nipm, err) < 0 ||
	    licsrv_list(st, &n->lic, &n->nlic, err) < 0 ||
	    department_list(st, &n->dep, &n->ndep, err) < 0) {
		names_free(n);
		return -1;
	}
	return 0;
}

static const char *conn_name(const dc_conn *v, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].id == id)
			return v[i].name;
	return NULL;
}

static const char *dep_name(const names *n, int64_t id)
{
	for (size_t i = 0; i < n->ndep; i++)
		if (n->dep[i].id == id)
			return n->dep[i].name;
	return NULL;
}

/* ---- output of records -------------------------------------------------- */

/* How the panel's certificate is treated, as shown to an operator. */
static const char *tls_word(const char *url, bool insecure)
{
	if (strncasecmp(url, "https:", 6) != 0)
		return "none (plain http)";
	return insecure ? "INSECURE (certificate not verified)" : "verified";
}

static const char *check_word(int ok)
{
	return ok < 0 ? "never" : ok ? "ok" : "FAILED";
}

static void out_check(out *o, const dc_check *c)
{
	out_obj_begin(o, "last_check");
	out_str(o, "result", check_word(c->ok));
	out_time(o, "at", c->at);
	if (c->ok >= 0)
		out_int(o, "ms", c->ms);
	else
		out_null(o, "ms");
	out_str(o, "message", c->ok >= 0 ? c->msg : NULL);
	out_obj_end(o);
}

static void out_module(out *o, const char *key, const dc_module *m,
                       const names *n, bool full)
{
	const char *ipm = conn_name(n->ipm, n->nipm, m->ipmgr_id);
	const char *lic =
	    m->licsrv_id ? conn_name(n->lic, n->nlic, m->licsrv_id) : NULL;
	char at[32];

	out_obj_begin(o, key);
	out_str(o, "name", m->name);
	if (full)
		out_int(o, "id", m->id);
	out_int(o, "sorting", m->sorting);
	out_str(o, "url", m->url);
	if (m->insecure || full)
		out_str(o, "tls", tls_word(m->url, m->insecure));
	if (full) {
		out_str(o, "product_type", "Dedicated server");
		out_str(o, "module_type", "DCImanager");
		out_str(o, "username", m->username);
		out_str(o, "password", m->has_password ? "(set)" : "(not set)");
		out_str(o, "cafile", m->cafile[0] ? m->cafile : NULL);
	}
	out_str(o, "ipmgr", ipm ? ipm : "?");
	out_str(o, "parking_type", m->parking_type);
	out_str(o, "license", lic);
	out_str(o, "department", dep_name(n, m->department_id));
	out_bool(o, "enabled", m->enabled);
	if (full) {
		out_bool(o, "wipe_disks", m->wipe_disks);
		out_check(o, &m->check);
	} else {
		/* flat columns: a list is a table */
		out_str(o, "check", check_word(m->check.ok));
		out_str(o, "checked",
		        m->check.at > 0
		            ? modcmd_time(m->check.at, at, sizeof(at))
		            : NULL);
		if (m->check.ok >= 0)
			out_int(o, "check_ms", m->check.ms);
		else
			out_null(o, "check_ms");
	}
	out_obj_end(o);
}

static void out_steps(out *o, const modcheck_result *r)
{
	out_arr_begin(o, "steps");
	for (size_t i = 0; i < r->n; i++) {
		const modcheck_step *s = &r->steps[i];

		out_obj_begin(o, NULL);
		out_str(o, "step", s->name);
		out_str(o, "result", modcheck_state_name(s->state));
		if (s->state == MODCHECK_OK || s->state == MODCHECK_FAIL)
			out_dbl(o, "ms", s->ms, 0);
		else
			out_null(o, "ms");
		out_str(o, "detail",
		        s->state == MODCHECK_FAIL ? s->error : s->detail);
		out_str(o, "field",
		        s->state == MODCHECK_FAIL ? s->field : NULL);
		out_str(o, "what_to_do",
		        s->state == MODCHECK_FAIL ? s->hint : NULL);
		out_obj_end(o);
	}
	out_arr_end(o);
}

/* A failed check as the command's error: the failed step's field,
 * category, error line and what to do. */
static int check_refusal(const modcheck_result *r, const char *what,
                         dc_err *err)
{
	const modcheck_step *f = modcheck_first_failure(r);

	if (!f)
		return err_set(err, DC_E_CANCELLED,
		               "%s: the check did not finish", what);
	err_field(err, f->cat == DC_OK ? DC_E_INVALID : f->cat, f->field,
	          "%s failed: %s; what to do: %s", f->name, f->error, f->hint);
	return -1;
}

static modcheck_opts cmd_check_opts(cmd_ctx *ctx)
{
	return modcmd_check_opts(ctx, NULL, NULL);
}

/* The steps of a check belong to the command's output, passed or not
 * (cli_run prints what a failed command wrote before its error). JSON and
 * the console get them as data (out_steps, inside the result object);
 * text gets these lines, one per step, with what to do under a failed
 * one. */
static void out_step_lines(cmd_ctx *ctx, out *o, const modcheck_result *r)
{
	char line[1024];

	if (ctx->json || ctx->ui)
		return;
	for (size_t i = 0; i < r->n; i++) {
		out_msg(o, "  %s",
		        modcmd_step_line(&r->steps[i], line, sizeof(line)));
		if (r->steps[i].state == MODCHECK_FAIL)
			out_msg(o, "  %21s what to do: %s", "",
			        r->steps[i].hint);
	}
}

/* ---- option tables ------------------------------------------------------ */

#define END                                                                    \
	{                                                                      \
		NULL, 0, 0, NULL, NULL, 0, 0, NULL                             \
	}
#define POS (CMD_OPT_REQUIRED | CMD_OPT_POSITIONAL)

/* NAME of an existing record, completed from the names cache. */
#define NAME_OPTS(var, complete)                                               \
	static const cmd_opt var[] = {                                         \
	    {"name", CMD_OPT_STR, POS, "NAME", "which one", 0, 0, complete},   \
	    END,                                                               \
	}
NAME_OPTS(module_name_opts, namecache_complete_module);
NAME_OPTS(department_name_opts, namecache_complete_department);
NAME_OPTS(ipmgr_name_opts, namecache_complete_ipmgr);
NAME_OPTS(license_name_opts, namecache_complete_license);

static const cmd_opt none_opts[] = {END};

#define PASSWORD_OPTS                                                          \
	{"password-file",                                                      \
	 CMD_OPT_STR,                                                          \
	 0,                                                                    \
	 "FILE",                                                               \
	 "read the password from the first line of FILE (mode 0600); else "    \
	 "$DCICTL_PASSWORD, else a prompt",                                    \
	 0,                                                                    \
	 0,                                                                    \
	 NULL},                                                                \
	{                                                                      \
		"password", CMD_OPT_STR, CMD_OPT_SECRET, "PASSWORD",           \
		    "console forms only; refused on the command line (use "    \
		    "--password-file)",                                        \
		    0, 0, NULL                                                 \
	}

static const cmd_opt module_add_opts[] = {
    {"name", CMD_OPT_STR, CMD_OPT_REQUIRED, "NAME",
     "name of the processing module", 0, 0, NULL},
    {"url", CMD_OPT_STR, CMD_OPT_REQUIRED, "URL",
     "full URL of the DCImanager panel, e.g. "
     "https://dci.example.net:1500/dcimgr",
     0, 0, NULL},
    {"user", CMD_OPT_STR, CMD_OPT_REQUIRED, "USER",
     "panel user (must be an administrator)", 0, 0, NULL},
    PASSWORD_OPTS,
    {"ipmgr", CMD_OPT_STR, CMD_OPT_REQUIRED, "IPMGR",
     "IPmanager connection that allocates this module's addresses", 0, 0,
     namecache_complete_ipmgr},
    {"parking-type", CMD_OPT_STR, CMD_OPT_REQUIRED, "TYPE",
     "IP type for parking (must exist in that IPmanager)", 0, 0, NULL},
    {"license", CMD_OPT_STR, 0, "LICSRV", "licence server (optional)", 0, 0,
     namecache_complete_license},
    {"department", CMD_OPT_STR, CMD_OPT_REQUIRED, "DEPARTMENT",
     "responsible department (receives tasks)", 0, 0,
     namecache_complete_department},
    {"sorting", CMD_OPT_STR, CMD_OPT_REQUIRED, "N",
     "priority 0..2147483647, lower wins", 0, 0, NULL},
    {"cafile", CMD_OPT_STR, 0, "FILE",
     "CA certificate(s) to verify the panel with (default: system CAs)", 0, 0,
     NULL},
    {"insecure", CMD_OPT_FLAG, 0, NULL,
     "do not verify the panel's certificate (shown in red everywhere)", 0, 0,
     NULL},
    {"wipe-disks", CMD_OPT_FLAG, 0, NULL, "wipe disks when a service is closed",
     0, 0, NULL},
    {"disabled", CMD_OPT_FLAG, 0, NULL, "add it disabled", 0, 0, NULL},
    {"no-check", CMD_OPT_FLAG, 0, NULL,
     "save without contacting the panels: URL, login, administrator "
     "level and parking type are then NOT verified",
     0, 0, NULL},
    END,
};

static const cmd_opt module_edit_opts[] = {
    {"name", CMD_OPT_STR, POS, "NAME", "the module to change", 0, 0,
     namecache_complete_module},
    {"new-name", CMD_OPT_STR, 0, "NAME", "rename it", 0, 0, NULL},
    {"url", CMD_OPT_STR, 0, "URL", "DCImanager URL", 0, 0, NULL},
    {"user", CMD_OPT_STR, 0, "USER", "panel user", 0, 0, NULL},
    PASSWORD_OPTS,
    {"ask-password", CMD_OPT_FLAG, 0, NULL,
     "change the password: from $DCICTL_PASSWORD or a prompt", 0, 0, NULL},
    {"ipmgr", CMD_OPT_STR, 0, "IPMGR", "IPmanager connection", 0, 0,
     namecache_complete_ipmgr},
    {"parking-type", CMD_OPT_STR, 0, "TYPE", "IP type for parking", 0, 0, NULL},
    {"license", CMD_OPT_STR, 0, "LICSRV", "licence server (\"\" for none)", 0,
     0, namecache_complete_license},
    {"department", CMD_OPT_STR, 0, "DEPARTMENT", "responsible department", 0, 0,
     namecache_complete_department},
    {"sorting", CMD_OPT_STR, 0, "N", "priority, lower wins", 0, 0, NULL},
    {"cafile", CMD_OPT_STR, 0, "FILE", "CA file (\"\" for system CAs)", 0, 0,
     NULL},
    {"insecure", CMD_OPT_STR, 0, "yes|no", "skip certificate checks", 0, 0,
     NULL},
    {"wipe-disks", CMD_OPT_STR, 0, "yes|no",
     "wipe disks when a service is closed", 0, 0, NULL},
    {"no-check", CMD_OPT_FLAG, 0, NULL,
     "save without contacting the panels (nothing is verified)", 0, 0, NULL},
    END,
};

static const cmd_opt conn_add_opts[] = {
    {"name", CMD_OPT_STR, CMD_OPT_REQUIRED, "NAME", "name of the connection", 0,
     0, NULL},
    {"url", CMD_OPT_STR, CMD_OPT_REQUIRED, "URL", "full URL of the panel", 0, 0,
     NULL},
    {"user", CMD_OPT_STR, CMD_OPT_REQUIRED, "USER", "panel user", 0, 0, NULL},
    PASSWORD_OPTS,
    {"cafile", CMD_OPT_STR, 0, "FILE", "CA file (default: system CAs)", 0, 0,
     NULL},
    {"insecure", CMD_OPT_FLAG, 0, NULL, "do not verify the panel's certificate",
     0, 0, NULL},
    {"no-check", CMD_OPT_FLAG, 0, NULL,
     "save without logging in to the panel (nothing is verified)", 0, 0, NULL},
    END,
};

/* ipmgr edit and license edit: the same options, NAME completed from
 * its own kind. */
#define CONN_EDIT_OPTS(var, complete)                                          \
	static const cmd_opt var[] = {                                         \
	    {"name", CMD_OPT_STR, POS, "NAME", "the connection to change", 0,  \
	     0, complete},                                                     \
	    {"new-name", CMD_OPT_STR, 0, "NAME", "rename it", 0, 0, NULL},     \
	    {"url", CMD_OPT_STR, 0, "URL", "panel URL", 0, 0, NULL},           \
	    {"user", CMD_OPT_STR, 0, "USER", "panel user", 0, 0, NULL},        \
	    PASSWORD_OPTS,                                                     \
	    {"ask-password", CMD_OPT_FLAG, 0, NULL,                            \
	     "change the password: from $DCICTL_PASSWORD or a prompt", 0, 0,   \
	     NULL},                                                            \
	    {"cafile", CMD_OPT_STR, 0, "FILE",                                 \
	     "CA file (\"\" for system CAs)", 0, 0, NULL},                     \
	    {"insecure", CMD_OPT_STR, 0, "yes|no", "skip certificate checks",  \
	     0, 0, NULL},                                                      \
	    {"no-check", CMD_OPT_FLAG, 0, NULL,                                \
	     "save without logging in to the panel", 0, 0, NULL},              \
	    END,                                                               \
	}
CONN_EDIT_OPTS(ipmgr_edit_opts, namecache_complete_ipmgr);
CONN_EDIT_OPTS(license_edit_opts, namecache_complete_license);

static const cmd_opt dep_add_opts[] = {
    {"name", CMD_OPT_STR, POS, "NAME", "name of the department", 0, 0, NULL},
    END,
};

static const cmd_opt dep_edit_opts[] = {
    {"name", CMD_OPT_STR, POS, "NAME", "the department", 0, 0,
     namecache_complete_department},
    {"new-name", CMD_OPT_STR, CMD_OPT_REQUIRED, "NAME", "its new name", 0, 0,
     NULL},
    END,
};

/* ---- module ------------------------------------------------------------- */

static int module_list_run(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err)
{
	dc_store *st = store(ctx, err);
	dc_module *v = NULL;
	size_t n = 0;
	names nm;

	(void)a;
	if (!st || module_list(st, &v, &n, err) < 0)
		return -1;
	if (names_load(st, &nm, err) < 0) {
		free(v);
		return -1;
	}
	out_arr_begin(o, NULL);
	for (size_t i = 0; i < n; i++)
		out_module(o, NULL, &v[i], &nm, false);
	out_arr_end(o);
	if (n == 0)
		out_msg(o, "no processing modules yet: add one with 'dcictl "
		           "module add' or the console's wizard (Modules, a)");
	names_free(&nm);
	free(v);
	return 0;
}

static int module_show_run(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err)
{
	dc_store *st = store(ctx, err);
	dc_module m;
	names nm;

	if (!st || module_get_by_name(st, cmd_arg(a, "name"), &m, err) < 0 ||
	    names_load(st, &nm, err) < 0)
		return -1;
	out_module(o, NULL, &m, &nm, true);
	names_free(&nm);
	return 0;
}

/* Resolves a referenced record's name to its id, refusing on `field`. */
static int ref_id(dc_store *st, const char *field, const char *value,
                  int64_t *id, dc_err *err)
{
	if (!strcmp(field, "ipmgr")) {
		dc_conn c;

		if (store_check_field(st, DC_ENT_MODULE, 0, "ipmgr", value,
		                      err) < 0 ||
		    ipmgr_get_by_name(st, value, &c, err) < 0)
			return -1;
		*id = c.id;
	} else if (!strcmp(field, "license")) {
		dc_conn c;

		if (!*value) {
			*id = 0;
			return 0;
		}
		if (store_check_field(st, DC_ENT_MODULE, 0, "license", value,
		                      err) < 0 ||
		    licsrv_get_by_name(st, value, &c, err) < 0)
			return -1;
		*id = c.id;
	} else {
		dc_department d;

		if (store_check_field(st, DC_ENT_MODULE, 0, "department", value,
		                      err) < 0 ||
		    department_get_by_name(st, value, &d, err) < 0)
			return -1;
		*id = d.id;
	}
	return 0;
}

static int set_text(char *dst, size_t len, dc_entity ent, const char *field,
                    const char *value, dc_err *err)
{
	if (model_check_field(ent, field, value, err) < 0)
		return -1;
	if (strlen(value) >= len)
		return err_field(err, DC_E_INVALID, field, "too long");
	dc_strlcpy(dst, value, len);
	return 0;
}

/* Fills m from the options that are given (all of them for an add), in
 * the form's order, checking each as the form does. */
static int module_from_args(dc_store *st, const cmd_args *a, dc_module *m,
                            bool add, dc_err *err)
{
	const char *v;
	const char *newname = add ? cmd_arg(a, "name") : cmd_arg(a, "new-name");

	if (newname) {
		if (store_check_field(st, DC_ENT_MODULE, m->id, "name", newname,
		                      err) < 0)
			return -1;
		dc_strlcpy(m->name, newname, sizeof(m->name));
	}
	if ((v = cmd_arg(a, "url")) &&
	    set_text(m->url, sizeof(m->url), DC_ENT_MODULE, "url", v, err) < 0)
		return -1;
	if ((v = cmd_arg(a, "user")) &&
	    set_text(m->username, sizeof(m->username), DC_ENT_MODULE,
	             "username", v, err) < 0)
		return -1;
	if ((v = cmd_arg(a, "cafile"))) {
		if (model_check_cafile("cafile", v, err) < 0)
			return -1;
		dc_strlcpy(m->cafile, v, sizeof(m->cafile));
	}
	if (add)
		m->insecure = cmd_flag(a, "insecure");
	else if ((v = cmd_arg(a, "insecure")) &&
	         model_parse_bool("insecure", v, &m->insecure, err) < 0)
		return -1;
	if ((v = cmd_arg(a, "ipmgr")) &&
	    ref_id(st, "ipmgr", v, &m->ipmgr_id, err) < 0)
		return -1;
	if ((v = cmd_arg(a, "parking-type")) &&
	    set_text(m->parking_type, sizeof(m->parking_type), DC_ENT_MODULE,
	             "parking_type", v, err) < 0)
		return -1;
	if ((v = cmd_arg(a, "license")) &&
	    ref_id(st, "license", v, &m->licsrv_id, err) < 0)
		return -1;
	if ((v = cmd_arg(a, "department")) &&
	    ref_id(st, "department", v, &m->department_id, err) < 0)
		return -1;
	if ((v = cmd_arg(a, "sorting")) &&
	    model_parse_sorting(v, &m->sorting, err) < 0)
		return -1;
	if (add) {
		m->wipe_disks = cmd_flag(a, "wipe-disks");
		m->enabled = !cmd_flag(a, "disabled");
	} else if ((v = cmd_arg(a, "wipe-disks")) &&
	           model_parse_bool("wipe_disks", v, &m->wipe_disks, err) < 0) {
		return -1;
	}
	return 0;
}

/* Runs the connection check of m (password: the new one, or NULL for the
 * stored one); -1 with the failed step's field when it does not pass. */
static int module_verify(cmd_ctx *ctx, dc_store *st, const dc_module *m,
                         const char *password, const char *what,
                         modcheck_result *res, dc_err *err)
{
	modcheck_target t;
	modcheck_secrets sec;
	modcheck_opts mo = cmd_check_opts(ctx);
	int rc;

	if (modcheck_target_from_store(st, m, password, &t, &sec, err) < 0)
		return -1;
	rc = modcheck_run(&t, &mo, res, err);
	modcheck_secrets_free(&sec);
	if (rc < 0)
		return -1;
	if (!res->ok)
		return check_refusal(res, what, err);
	return 0;
}

/* Text: the step lines come out as messages, after the summary. */
static void out_check_summary(cmd_ctx *ctx, out *o, const modcheck_result *r)
{
	out_obj_begin(o, "check");
	out_bool(o, "ok", r->ok);
	out_dbl(o, "ms", r->ms, 0);
	out_str(o, "message", r->msg);
	if (ctx->json || ctx->ui)
		out_steps(o, r);
	out_obj_end(o);
	out_step_lines(ctx, o, r);
}

/* A check that refused a save: its steps are the output of the failed
 * command (nothing was saved). */
static void out_refused_check(cmd_ctx *ctx, out *o, const modcheck_result *r)
{
	if (!r->n)
		return;
	out_obj_begin(o, NULL);
	out_check_summary(ctx, o, r);
	out_obj_end(o);
}

static int module_add_run(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err)
{
	dc_store *st = store(ctx, err);
	dc_module m;
	char *pw = NULL;
	modcheck_result res = {0};
	bool check = !cmd_flag(a, "no-check");
	names nm;
	int rc = -1;

	if (!st)
		return -1;
	memset(&m, 0, sizeof(m));
	m.check.ok = -1;
	if (module_from_args(st, a, &m, true, err) < 0)
		return -1;
	if (get_password(ctx, a, true, m.url, &pw, err) < 0)
		return -1;
	if (model_check_module(&m, pw, err) < 0)
		goto out;
	if (check &&
	    module_verify(ctx, st, &m, pw, "module add", &res, err) < 0) {
		out_refused_check(ctx, o, &res);
		goto out;
	}
	if (module_add(st, &m, pw, err) < 0)
		goto out;
	if (check) {
		dc_check c;

		modcheck_to_check(&res, &c);
		/* the module is saved; a failure to note the check is only
		 * reported */
		dc_err e2;
		if (module_set_check(st, m.id, &c, &e2) == 0)
			m.check = c;
	}
	if (names_load(st, &nm, err) < 0)
		goto out;
	out_obj_begin(o, NULL);
	out_module(o, "module", &m, &nm, true);
	if (check)
		out_check_summary(ctx, o, &res);
	out_obj_end(o);
	names_free(&nm);
	if (check)
		out_msg(o, "module %s added; connection check passed (%.0f ms)",
		        m.name, res.ms);
	else
		out_msg(o,
		        "module %s added WITHOUT a connection check; run: "
		        "dcictl module check %s",
		        m.name, m.name);
	rc = 0;
out:
	modcheck_result_free(&res);
	pw_free(pw);
	return rc;
}

static int module_edit_run(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err)
{
	dc_store *st = store(ctx, err);
	dc_module m, old;
	char *pw = NULL;
	modcheck_result res = {0};
	names nm;
	int rc = -1;
	static const char *const conn_opts[] = {"url",
	                                        "user",
	                                        "password",
	                                        "password-file",
	                                        "ask-password",
	                                        "ipmgr",
	                                        "parking-type",
	                                        "license",
	                                        "cafile",
	                                        "insecure",
	                                        NULL};
	bool conn_changed = false;

	if (!st || module_get_by_name(st, cmd_arg(a, "name"), &old, err) < 0)
		return -1;
	m = old;
	if (module_from_args(st, a, &m, false, err) < 0)
		return -1;
	if (get_password(ctx, a, false, m.url, &pw, err) < 0)
		return -1;
	for (size_t i = 0; conn_opts[i]; i++)
		if (cmd_arg_count(a, conn_opts[i]))
			conn_changed = true;
	if (model_check_module(&m, pw, err) < 0)
		goto out;
	if (conn_changed && !cmd_flag(a, "no-check") &&
	    module_verify(ctx, st, &m, pw, "module edit", &res, err) < 0) {
		out_refused_check(ctx, o, &res);
		goto out;
	}
	if (module_update(st, &m, pw, err) < 0)
		goto out;
	if (res.n) {
		dc_check c;
		dc_err e2;

		modcheck_to_check(&res, &c);
		if (module_set_check(st, m.id, &c, &e2) == 0)
			m.check = c;
	}
	if (names_load(st, &nm, err) < 0)
		goto out;
	out_obj_begin(o, NULL);
	out_module(o, "module", &m, &nm, true);
	if (res.n)
		out_check_summary(ctx, o, &res);
	out_obj_end(o);
	names_free(&nm);
	out_msg(o, "module %s saved%s", m.name,
	        res.n ? "; connection check passed" : "");
	rc = 0;
out:
	modcheck_result_free(&res);
	pw_free(pw);
	return rc;
}

int modcmd_check_module(cmd_ctx *ctx, const char *name, const modcheck_opts *mo,
                        modcheck_result *res, dc_err *err)
{
	dc_store *st = store(ctx, err);
	dc_module m;
	modcheck_target t;
	modcheck_secrets sec;
	dc_check c;
	int rc;

	memset(res, 0, sizeof(*res));
	if (!st || module_get_by_name(st, name, &m, err) < 0 ||
	    modcheck_target_from_store(st, &m, NULL, &t, &sec, err) < 0)
		return -1;
	rc = modcheck_run(&t, mo, res, err);
	modcheck_secrets_free(&sec);
	if (rc < 0)
		return -1;
	/* --read-only: the result is shown, not kept */
	if (ctx->read_only)
		return 0;
	modcheck_to_check(res, &c);
	return module_set_check(st, m.id, &c, err);
}

static int module_check_run(cmd_ctx *ctx, const cmd_args *a, out *o,
                            dc_err *err)
{
	const char *name = cmd_arg(a, "name");
	modcheck_opts mo = cmd_check_opts(ctx);
	modcheck_result res;
	char what[128];

	if (modcmd_check_module(ctx, name, &mo, &res, err) < 0) {
		modcheck_result_free(&res);
		return -1;
	}
	snprintf(what, sizeof(what), "module %s", name);
	/* the steps are the output, passed or failed */
	out_obj_begin(o, NULL);
	out_str(o, "module", name);
	out_bool(o, "ok", res.ok);
	out_dbl(o, "ms", res.ms, 0);
	out_str(o, "message", res.msg);
	if (ctx->json || ctx->ui)
		out_steps(o, &res);
	out_obj_end(o);
	out_step_lines(ctx, o, &res);
	if (!res.ok) {
		const modcheck_step *f = modcheck_first_failure(&res);

		err_field(err, f && f->cat ? f->cat : DC_E_INVALID,
		          f ? f->field : "", "%s: check failed: %s%s%s", what,
		          res.msg, f ? "; what to do: " : "", f ? f->hint : "");
		modcheck_result_free(&res);
		return -1;
	}
	out_msg(o, "module %s: %s in %.0f ms%s", name, res.msg, res.ms,
	        ctx->read_only ? " (read-only: result not stored)" : "");
	modcheck_result_free(&res);
	return 0;
}

static int module_enable(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err,
                         bool on)
{
	dc_store *st = store(ctx, err);
	dc_module m;

	if (!st || module_get_by_name(st, cmd_arg(a, "name"), &m, err) < 0 ||
	    module_set_enabled(st, m.id, on, err) < 0)
		return -1;
	out_msg(o, "module %s %s%s", m.name, on ? "enabled" : "disabled",
	        m.enabled == on ? " (it already was)" : "");
	return 0;
}

static int module_enable_run(cmd_ctx *ctx, const cmd_args *a, out *o,
                             dc_err *err)
{
	return module_enable(ctx, a, o, err, true);
}

static int module_disable_run(cmd_ctx *ctx, const cmd_args *a, out *o,
                              dc_err *err)
{
	return module_enable(ctx, a, o, err, false);
}

static int module_delete_run(cmd_ctx *ctx, const cmd_args *a, out *o,
                             dc_err *err)
{
	dc_store *st = store(ctx, err);
	dc_module m;

	if (!st || module_get_by_name(st, cmd_arg(a, "name"), &m, err) < 0)
		return -1;
	if (module_delete(st, m.id, err) < 0) {
		err_prefix(err, "module %s not deleted", m.name);
		return -1;
	}
	out_msg(o, "module %s deleted", m.name);
	return 0;
}

/* ---- department --------------------------------------------------------- */

static int dep_list_run(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err)
{
	dc_store *st = store(ctx, err);
	dc_department *v = NULL;
	dc_module *mv = NULL;
	size_t n = 0, nm = 0;

	(void)a;
	if (!st || department_list(st, &v, &n, err) < 0)
		return -1;
	if (module_list(st, &mv, &nm, err) < 0) {
		free(v);
		return -1;
	}
	out_arr_begin(o, NULL);
	for (size_t i = 0; i < n; i++) {
		long long used = 0;

		for (size_t k = 0; k < nm; k++)
			used += mv[k].department_id == v[i].id;
		out_obj_begin(o, NULL);
		out_str(o, "name", v[i].name);
		out_int(o, "modules", used);
		out_obj_end(o);
	}
	out_arr_end(o);
	if (n == 0)
		out_msg(o, "no departments yet: dcictl department add --name "
		           "NAME");
	free(v);
	free(mv);
	return 0;
}

static int dep_show_run(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err)
{
	dc_store *st = store(ctx, err);
	dc_department d;
	dc_module *mv = NULL;
	size_t nm = 0;

	if (!st ||
	    department_get_by_name(st, cmd_arg(a, "name"), &d, err) < 0 ||
	    module_list(st, &mv, &nm, err) < 0)
		return -1;
	out_obj_begin(o, NULL);
	out_str(o, "name", d.name);
	out_int(o, "id", d.id);
	out_arr_begin(o, "modules");
	for (size_t k = 0; k < nm; k++)
		if (mv[k].department_id == d.id) {
			out_obj_begin(o, NULL);
			out_str(o, "module", mv[k].name);
			out_obj_end(o);
		}
	out_arr_end(o);
	out_obj_end(o);
	free(mv);
	return 0;
}

static int dep_add_run(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err)
{
	dc_store *st = store(ctx, err);
	dc_department d = {0};
	const char *name = cmd_arg(a, "name");

	if (!st ||
	    store_check_field(st, DC_ENT_DEPARTMENT, 0, "name", name, err) < 0)
		return -1;
	dc_strlcpy(d.name, name, sizeof(d.name));
	if (department_add(st, &d, err) < 0)
		return -1;
	out_msg(o, "department %s added", d.name);
	return 0;
}

static int dep_edit_run(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err)
{
	dc_store *st = store(ctx, err);
	dc_department d;
	const char *nn = cmd_arg(a, "new-name");

	if (!st ||
	    department_get_by_name(st, cmd_arg(a, "name"), &d, err) < 0 ||
	    store_check_field(st, DC_ENT_DEPARTMENT, d.id, "name", nn, err) < 0)
		return -1;
	dc_strlcpy(d.name, nn, sizeof(d.name));
	if (department_update(st, &d, err) < 0)
		return -1;
	out_msg(o, "department renamed to %s", d.name);
	return 0;
}

static int dep_delete_run(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err)
{
	dc_store *st = store(ctx, err);
	dc_department d;

	if (!st || department_get_by_name(st, cmd_arg(a, "name"), &d, err) < 0)
		return -1;
	if (department_delete(st, d.id, err) < 0) {
		err_prefix(err, "department %s not deleted", d.name);
		return -1;
	}
	out_msg(o, "department %s deleted", d.name);
	return 0;
}

/* ---- IPmanager connections and licence servers -------------------------- */

/* The two kinds of stored connection differ only in their store calls,
 * their check and their words. */
typedef struct conn_kind {
	dc_entity ent;
	modcheck_kind check;
	const char *noun; /* "ipmgr" */
	const char *what; /* "IPmanager connection" */
	int (*add)(dc_store *, dc_conn *, const char *, dc_err *);
	int (*update)(dc_store *, const dc_conn *, const char *, dc_err *);
	int (*get_by_name)(dc_store *, const char *, dc_conn *, dc_err *);
	int (*list)(dc_store *, dc_conn **, size_t *, dc_err *);
	int (*del)(dc_store *, int64_t, dc_err *);
	int64_t (*user_of)(const dc_module *m);
} conn_kind;

static int64_t ipmgr_of(const dc_module *m)
{
	return m->ipmgr_id;
}

static int64_t licsrv_of(const dc_module *m)
{
	return m->licsrv_id;
}

static const conn_kind K_IPMGR = {
    DC_ENT_IPMGR,      MODCHECK_KIND_IPMGR,
    "ipmgr",           "IPmanager connection",
    ipmgr_add,         ipmgr_update,
    ipmgr_get_by_name, ipmgr_list,
    ipmgr_delete,      ipmgr_of,
};

static const conn_kind K_LICSRV = {
    DC_ENT_LICSRV,      MODCHECK_KIND_LICSRV, "license",
    "licence server",   licsrv_add,           licsrv_update,
    licsrv_get_by_name, licsrv_list,          licsrv_delete,
    licsrv_of,
};

static const conn_kind *kind_of(const cmd_args *a)
{
	return strcmp(cmd_args_cmd(a)->noun, "ipmgr") == 0 ? &K_IPMGR
	                                                   : &K_LICSRV;
}

static void out_conn(out *o, const conn_kind *k, const dc_conn *c,
                     const dc_module *mv, size_t nm, bool full)
{
	long long used = 0;

	for (size_t i = 0; i < nm; i++)
		used += k->user_of(&mv[i]) == c->id;
	out_obj_begin(o, NULL);
	out_str(o, "name", c->name);
	if (full)
		out_int(o, "id", c->id);
	out_str(o, "url", c->url);
	out_str(o, "username", c->username);
	if (full) {
		out_str(o, "password", c->has_password ? "(set)" : "(not set)");
		out_str(o, "cafile", c->cafile[0] ? c->cafile : NULL);
	}
	out_str(o, "tls", tls_word(c->url, c->insecure));
	if (full) {
		out_arr_begin(o, "modules");
		for (size_t i = 0; i < nm; i++)
			if (k->user_of(&mv[i]) == c->id) {
				out_obj_begin(o, NULL);
				out_str(o, "module", mv[i].name);
				out_obj_end(o);
			}
		out_arr_end(o);
	} else {
		out_int(o, "modules", used);
	}
	out_obj_end(o);
}

static int conn_list_run(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err)
{
	const conn_kind *k = kind_of(a);
	dc_store *st = store(ctx, err);
	dc_conn *v = NULL;
	dc_module *mv = NULL;
	size_t n = 0, nm = 0;

	if (!st || k->list(st, &v, &n, err) < 0)
		return -1;
	if (module_list(st, &mv, &nm, err) < 0) {
		free(v);
		return -1;
	}
	out_arr_begin(o, NULL);
	for (size_t i = 0; i < n; i++)
		out_conn(o, k, &v[i], mv, nm, false);
	out_arr_end(o);
	if (n == 0)
		out_msg(o,
		        "no %ss yet: dcictl %s add --name NAME --url URL "
		        "--user USER --password-file FILE",
		        k->what, k->noun);
	free(v);
	free(mv);
	return 0;
}

static int conn_show_run(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err)
{
	const conn_kind *k = kind_of(a);
	dc_store *st = store(ctx, err);
	dc_conn c;
	dc_module *mv = NULL;
	size_t nm = 0;

	if (!st || k->get_by_name(st, cmd_arg(a, "name"), &c, err) < 0 ||
	    module_list(st, &mv, &nm, err) < 0)
		return -1;
	out_conn(o, k, &c, mv, nm, true);
	free(mv);
	return 0;
}

static int conn_verify(cmd_ctx *ctx, const conn_kind *k, const dc_conn *c,
                       const char *pw, const char *what, modcheck_result *res,
                       dc_err *err)
{
	modcheck_conn mc = {c->name, c->url,    c->username,
	                    pw,      c->cafile, c->insecure};
	modcheck_opts mo = cmd_check_opts(ctx);

	if (modcheck_conn_run(k->check, &mc, &mo, res, err) < 0)
		return -1;
	return res->ok ? 0 : check_refusal(res, what, err);
}

static int conn_from_args(dc_store *st, const conn_kind *k, const cmd_args *a,
                          dc_conn *c, bool add, dc_err *err)
{
	const char *v, *nn = add ? cmd_arg(a, "name") : cmd_arg(a, "new-name");

	if (nn) {
		if (store_check_field(st, k->ent, c->id, "name", nn, err) < 0)
			return -1;
		dc_strlcpy(c->name, nn, sizeof(c->name));
	}
	if ((v = cmd_arg(a, "url")) &&
	    set_text(c->url, sizeof(c->url), k->ent, "url", v, err) < 0)
		return -1;
	if ((v = cmd_arg(a, "user")) &&
	    set_text(c->username, sizeof(c->username), k->ent, "username", v,
	             err) < 0)
		return -1;
	if ((v = cmd_arg(a, "cafile"))) {
		if (model_check_cafile("cafile", v, err) < 0)
			return -1;
		dc_strlcpy(c->cafile, v, sizeof(c->cafile));
	}
	if (add)
		c->insecure = cmd_flag(a, "insecure");
	else if ((v = cmd_arg(a, "insecure")) &&
	         model_parse_bool("insecure", v, &c->insecure, err) < 0)
		return -1;
	return 0;
}

static int conn_add_run(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err)
{
	const conn_kind *k = kind_of(a);
	dc_store *st = store(ctx, err);
	dc_conn c;
	char *pw = NULL;
	char what[64];
	modcheck_result res = {0};
	int rc = -1;

	if (!st)
		return -1;
	memset(&c, 0, sizeof(c));
	if (conn_from_args(st, k, a, &c, true, err) < 0 ||
	    get_password(ctx, a, true, c.url, &pw, err) < 0)
		return -1;
	snprintf(what, sizeof(what), "%s add", k->noun);
	if (model_check_conn(&c, pw, err) < 0 ||
	    (!cmd_flag(a, "no-check") &&
	     conn_verify(ctx, k, &c, pw, what, &res, err) < 0) ||
	    k->add(st, &c, pw, err) < 0)
		goto out;
	out_step_lines(ctx, o, &res);
	out_msg(o, "%s %s added%s", k->what, c.name,
	        cmd_flag(a, "no-check") ? " without a check"
	                                : "; login checked");
	rc = 0;
out:
	if (rc < 0 && !res.ok)
		out_refused_check(ctx, o, &res);
	modcheck_result_free(&res);
	pw_free(pw);
	return rc;
}

static int conn_edit_run(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err)
{
	const conn_kind *k = kind_of(a);
	dc_store *st = store(ctx, err);
	dc_conn c;
	char *pw = NULL, *stored = NULL;
	char what[64];
	modcheck_result res = {0};
	int rc = -1;
	bool changed = cmd_arg(a, "url") || cmd_arg(a, "user") ||
	               cmd_arg(a, "cafile") || cmd_arg(a, "insecure") ||
	               cmd_arg(a, "password") || cmd_arg(a, "password-file") ||
	               cmd_flag(a, "ask-password");

	if (!st || k->get_by_name(st, cmd_arg(a, "name"), &c, err) < 0 ||
	    conn_from_args(st, k, a, &c, false, err) < 0 ||
	    get_password(ctx, a, false, c.url, &pw, err) < 0)
		return -1;
	snprintf(what, sizeof(what), "%s edit", k->noun);
	if (model_check_conn(&c, pw, err) < 0)
		goto out;
	if (changed && !cmd_flag(a, "no-check")) {
		if (!pw) {
			stored = k == &K_IPMGR ? ipmgr_password(st, c.id, err)
			                       : licsrv_password(st, c.id, err);
			if (!stored)
				goto out;
		}
		if (conn_verify(ctx, k, &c, pw ? pw : stored, what, &res, err) <
		    0)
			goto out;
	}
	if (k->update(st, &c, pw, err) < 0)
		goto out;
	out_step_lines(ctx, o, &res);
	out_msg(o, "%s %s saved%s", k->what, c.name,
	        res.n ? "; login checked" : "");
	rc = 0;
out:
	if (rc < 0 && !res.ok)
		out_refused_check(ctx, o, &res);
	modcheck_result_free(&res);
	pw_free(pw);
	secret_free(stored);
	return rc;
}

static int conn_check_run(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err)
{
	const conn_kind *k = kind_of(a);
	dc_store *st = store(ctx, err);
	dc_conn c;
	modcheck_opts mo = cmd_check_opts(ctx);
	modcheck_result res = {0};
	char what[128];

	if (!st || k->get_by_name(st, cmd_arg(a, "name"), &c, err) < 0)
		return -1;
	if (modcheck_conn_stored(st, k->check, c.id, &mo, &res, err) < 0) {
		modcheck_result_free(&res);
		return -1;
	}
	snprintf(what, sizeof(what), "%s %s", k->what, c.name);
	out_obj_begin(o, NULL);
	out_str(o, k->noun, c.name);
	out_bool(o, "ok", res.ok);
	out_dbl(o, "ms", res.ms, 0);
	out_str(o, "message", res.msg);
	if (ctx->json || ctx->ui)
		out_steps(o, &res);
	out_obj_end(o);
	out_step_lines(ctx, o, &res);
	if (!res.ok) {
		const modcheck_step *f = modcheck_first_failure(&res);

		err_field(err, f && f->cat ? f->cat : DC_E_INVALID,
		          f ? f->field : "", "%s: check failed: %s%s%s", what,
		          res.msg, f ? "; what to do: " : "", f ? f->hint : "");
		modcheck_result_free(&res);
		return -1;
	}
	out_msg(o, "%s: %s in %.0f ms", what, res.msg, res.ms);
	modcheck_result_free(&res);
	return 0;
}

static int conn_delete_run(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err)
{
	const conn_kind *k = kind_of(a);
	dc_store *st = store(ctx, err);
	dc_conn c;

	if (!st || k->get_by_name(st, cmd_arg(a, "name"), &c, err) < 0)
		return -1;
	if (k->del(st, c.id, err) < 0) {
		err_prefix(err, "%s %s not deleted", k->what, c.name);
		return -1;
	}
	out_msg(o, "%s %s deleted", k->what, c.name);
	return 0;
}

/* ---- the table ----------------------------------------------------------- */

#define RO CMD_RO_SAFE

const cmd_def module_cmds[] = {
    [MC_MODULE_LIST] =
        {"module", "list", none_opts, "processing modules",
         "Name, sorting, URL, IPmanager, parking type, department, enabled "
         "and the last connection check. In the console: the Modules "
         "screen.",
         RO, module_list_run, &modules_screen, 'm'},
    [MC_MODULE_SHOW] = {"module", "show", module_name_opts,
                        "one processing module in full", NULL, RO,
                        module_show_run, NULL, 0},
    [MC_MODULE_ADD] =
        {"module", "add", module_add_opts,
         "add a processing module (DCImanager, dedicated servers)",
         "Checks every field as the console's wizard does, then the "
         "connection (resolve, connect, TLS, login, administrator level, "
         "API, IPmanager, parking type, licence server); a refusal names "
         "the field and writes nothing. In the console: the wizard.",
         0, module_add_run, NULL, 0},
    [MC_MODULE_EDIT] =
        {"module", "edit", module_edit_opts, "change a processing module",
         "Only the options given change. A change of the connection is "
         "checked before it is saved (--no-check skips that).",
         0, module_edit_run, NULL, 0},
    [MC_MODULE_CHECK] =
        {"module", "check", module_name_opts,
         "check a module's connection, step by step",
         "Prints one line per step with its time, and what to do when one "
         "fails; exits non-zero when the check fails. The result is kept "
         "(not with --read-only).",
         RO, module_check_run, NULL, 0},
    [MC_MODULE_ENABLE] = {"module", "enable", module_name_opts,
                          "let tariffs use a module", NULL, 0,
                          module_enable_run, NULL, 0},
    [MC_MODULE_DISABLE] = {"module", "disable", module_name_opts,
                           "stop using a module for new services", NULL, 0,
                           module_disable_run, NULL, 0},
    [MC_MODULE_DELETE] = {"module", "delete", module_name_opts,
                          "delete a module (refused while a tariff uses it)",
                          NULL, 0, module_delete_run, NULL, 0},

    [MC_DEPARTMENT_LIST] =
        {"department", "list", none_opts,
         "departments (they receive tasks from failed steps)", NULL, RO,
         dep_list_run, &departments_screen, 0},
    [MC_DEPARTMENT_SHOW] = {"department", "show", department_name_opts,
                            "one department and its modules", NULL, RO,
                            dep_show_run, NULL, 0},
    [MC_DEPARTMENT_ADD] = {"department", "add", dep_add_opts,
                           "add a department", NULL, 0, dep_add_run, NULL, 0},
    [MC_DEPARTMENT_EDIT] = {"department", "edit", dep_edit_opts,
                            "rename a department", NULL, 0, dep_edit_run, NULL,
                            0},
    [MC_DEPARTMENT_DELETE] =
        {"department", "delete", department_name_opts,
         "delete a department (refused while a module names it)", NULL, 0,
         dep_delete_run, NULL, 0},

    [MC_IPMGR_LIST] = {"ipmgr", "list", none_opts, "IPmanager connections",
                       NULL, RO, conn_list_run, &ipmgrs_screen, 0},
    [MC_IPMGR_SHOW] = {"ipmgr", "show", ipmgr_name_opts,
                       "one IPmanager connection", NULL, RO, conn_show_run,
                       NULL, 0},
    [MC_IPMGR_ADD] =
        {"ipmgr", "add", conn_add_opts, "add an IPmanager connection",
         "Logs in and lists the address types before saving (--no-check "
         "skips that).",
         0, conn_add_run, NULL, 0},
    [MC_IPMGR_EDIT] = {"ipmgr", "edit", ipmgr_edit_opts,
                       "change an IPmanager connection", NULL, 0, conn_edit_run,
                       NULL, 0},
    [MC_IPMGR_CHECK] =
        {"ipmgr", "check", ipmgr_name_opts,
         "check an IPmanager connection and list its address types", NULL, RO,
         conn_check_run, NULL, 0},
    [MC_IPMGR_DELETE] =
        {"ipmgr", "delete", ipmgr_name_opts,
         "delete an IPmanager connection (refused while a module uses it)",
         NULL, 0, conn_delete_run, NULL, 0},

    [MC_LICENSE_LIST] = {"license", "list", none_opts, "licence servers", NULL,
                         RO, conn_list_run, &licsrvs_screen, 0},
    [MC_LICENSE_SHOW] = {"license", "show", license_name_opts,
                         "one licence server", NULL, RO, conn_show_run, NULL,
                         0},
    [MC_LICENSE_ADD] = {"license", "add", conn_add_opts, "add a licence server",
                        "Logs in before saving (--no-check skips that).", 0,
                        conn_add_run, NULL, 0},
    [MC_LICENSE_EDIT] = {"license", "edit", license_edit_opts,
                         "change a licence server", NULL, 0, conn_edit_run,
                         NULL, 0},
    [MC_LICENSE_CHECK] = {"license", "check", license_name_opts,
                          "check a licence server's login", NULL, RO,
                          conn_check_run, NULL, 0},
    [MC_LICENSE_DELETE] =
        {"license", "delete", license_name_opts,
         "delete a licence server (refused while a module uses it)", NULL, 0,
         conn_delete_run, NULL, 0},
    [MC_END] = {NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, 0},
};
