/* cli_call.c - `dcictl call`; see cli_call.h. */
#include "cli_call.h"

#include "apilog.h"
#include "config.h"
#include "json.h"
#include "model.h"
#include "panel.h"
#include "store.h"
#include "xml.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#define SECRET_MAX 4096

static void usage(FILE *f)
{
	fputs("usage: dcictl call [options] MODULE FUNC [key=value | "
	      "key@=FILE ...]\n"
	      "       dcictl call [options] --ipmgr NAME FUNC [key=value...]\n"
	      "       dcictl call [options] --license NAME FUNC "
	      "[key=value...]\n"
	      "       dcictl call [options] --url URL --user USER "
	      "[--password-file FILE]\n"
	      "                   [--cafile FILE] [--insecure] FUNC "
	      "[key=value...]\n"
	      "options: --json --authinfo --timeout SECONDS --config FILE "
	      "--store FILE\n"
	      "         --read-only\n"
	      "Sends one API call to a DCImanager/IPmanager/BILLmanager panel"
	      " and prints\nthe answer (secrets masked). MODULE, --ipmgr and "
	      "--license take the panel,\nits user and its password from the "
	      "store. With --url the password comes\nfrom --password-file, "
	      "DCICTL_PASSWORD or a prompt; never from the command\nline. "
	      "key@=FILE reads a value from a file.\n",
	      f);
}

void cli_call_man(FILE *f)
{
	fputs(".SH RAW CALLS\n.B dcictl call\n\\fIMODULE\\fR \\fIFUNC\\fR "
	      "[\\fIkey\\fR=\\fIvalue\\fR|\\fIkey\\fR@=\\fIFILE\\fR...]\n"
	      ".br\n.B dcictl call \\-\\-ipmgr\n\\fINAME\\fR | "
	      "\\fB\\-\\-license\\fR \\fINAME\\fR \\fIFUNC\\fR "
	      "[\\fIkey\\fR=\\fIvalue\\fR...]\n"
	      ".br\n.B dcictl call \\-\\-url\n\\fIURL\\fR "
	      "\\fB\\-\\-user\\fR \\fIUSER\\fR "
	      "[\\fB\\-\\-password\\-file\\fR \\fIFILE\\fR] "
	      "[\\fB\\-\\-cafile\\fR \\fIFILE\\fR] [\\fB\\-\\-insecure\\fR] "
	      "\\fIFUNC\\fR [\\fIkey\\fR=\\fIvalue\\fR...]\n.br\n"
	      "Sends one API call to a panel and prints the answer (XML, or "
	      "JSON with \\fB\\-\\-json\\fR) with secrets masked: the "
	      "troubleshooting tool. \\fIMODULE\\fR names a processing "
	      "module of the store, \\fB\\-\\-ipmgr\\fR and "
	      "\\fB\\-\\-license\\fR an IPmanager or licence server: the "
	      "URL, user, CA file and password come from the store, which is "
	      "only read. An unknown name lists the known ones. With "
	      "\\fB\\-\\-url\\fR the password comes from "
	      "\\fB\\-\\-password\\-file\\fR, DCICTL_PASSWORD or a prompt, "
	      "never from the command line; \\fIkey\\fR@=\\fIFILE\\fR reads a "
	      "value from a file. \\fB\\-\\-read\\-only\\fR sends only lists, "
	      "reports and forms (no \\fBsok\\fR). Other options: "
	      "\\fB\\-\\-authinfo\\fR, \\fB\\-\\-timeout\\fR "
	      "\\fISECONDS\\fR; see \\fBdcictl call \\-\\-help\\fR.\n",
	      f);
}

static void wipe(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

typedef struct call_args {
	const char *url, *user, *password_file, *cafile;
	const char *ipmgr, *license, *module; /* store forms */
	const char *config, *store;           /* given after "call" */
	bool insecure, json, authinfo, read_only;
	long timeout_ms;
	const char *func;
	panel_param *params;
	char **owned; /* values read from files, wiped at the end */
	size_t nparams;
	dc_err err; /* why the arguments were refused */
} call_args;

static void args_free(call_args *a)
{
	for (size_t i = 0; i < a->nparams; i++) {
		free((char *)a->params[i].key);
		wipe(a->owned[i]);
	}
	free(a->params);
	free(a->owned);
}

/* Refuses the arguments: the message is printed by cli_call. Returns 2. */
static int bad_args(call_args *a, const char *fmt, const char *arg)
{
	err_clear(&a->err);
	a->err.cat = DC_E_INVALID;
	snprintf(a->err.msg, sizeof(a->err.msg), fmt, arg);
	return 2;
}

/* Reads the first line of path (at most SECRET_MAX bytes) into a malloc'd
 * string. check_mode: refuse a regular file others may read. On failure
 * says why in e (never the content). */
static char *read_secret_file(const char *path, bool check_mode,
                              const char *what, dc_err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err_set(e, DC_E_IO, "cannot open %s %s: %s", what, path,
		        strerror(errno));
		return NULL;
	}
	struct stat st;
	if (check_mode && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mode & 077)) {
		err_set(e, DC_E_IO,
		        "%s %s can be read by others (mode %04o); run: chmod "
		        "600 %s",
		        what, path, (unsigned)(st.st_mode & 07777), path);
		close(fd);
		return NULL;
	}
	char *buf = calloc(1, SECRET_MAX + 1);
	if (!buf) {
		close(fd);
		err_set(e, DC_E_NOMEM, "out of memory");
		return NULL;
	}
	size_t len = 0;
	while (len < SECRET_MAX) {
		ssize_t n = read(fd, buf + len, SECRET_MAX - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[strcspn(buf, "\r\n")] = '\0';
	return buf;
}

/* Prompts on the terminal with echo off. */
static char *prompt_password(const char *user, const char *url, dc_err *e)
{
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		err_set(e, DC_E_INVALID,
		        "no password: use --password-file or DCICTL_PASSWORD "
		        "(no terminal to ask on)");
		return NULL;
	}
	char *buf = calloc(1, SECRET_MAX + 1);
	if (!buf) {
		close(fd);
		err_set(e, DC_E_NOMEM, "out of memory");
		return NULL;
	}
	/* Echo off before the prompt shows: what is typed after seeing it
	 * must neither echo nor be flushed away by TCSAFLUSH. */
	struct termios old, quiet;
	bool restore = tcgetattr(fd, &old) == 0;
	if (restore) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK);
		quiet.c_lflag |= ECHONL;
		tcsetattr(fd, TCSAFLUSH, &quiet);
	}
	dprintf(fd, "Password for %s at %s: ", user, url);
	size_t len = 0;
	for (;;) {
		char c;
		ssize_t n = read(fd, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || c == '\n' || c == '\r')
			break;
		if (len < SECRET_MAX)
			buf[len++] = c;
	}
	if (restore)
		tcsetattr(fd, TCSAFLUSH, &old);
	close(fd);
	return buf;
}

/* Options that only make sense with --url: a stored connection brings
 * its own. */
static int url_only(call_args *a)
{
	const char *opt = a->user            ? "--user"
	                  : a->password_file ? "--password-file"
	                  : a->cafile        ? "--cafile"
	                  : a->insecure      ? "--insecure"
	                                     : NULL;
	if (opt)
		return bad_args(a,
		                "%s goes with --url URL (a stored module, "
		                "IPmanager or licence server brings its own)",
		                opt);
	return 0;
}

/* Parses argv; returns 0, 2 (bad arguments, a->err says why), or 3
 * (--help). */
static int parse_args(int argc, char **argv, call_args *a)
{
	static const struct option opts[] = {
	    {"url", required_argument, NULL, 'u'},
	    {"user", required_argument, NULL, 'U'},
	    {"password-file", required_argument, NULL, 'p'},
	    {"cafile", required_argument, NULL, 'c'},
	    {"insecure", no_argument, NULL, 'k'},
	    {"ipmgr", required_argument, NULL, 'I'},
	    {"license", required_argument, NULL, 'L'},
	    {"config", required_argument, NULL, 'C'},
	    {"store", required_argument, NULL, 'S'},
	    {"read-only", no_argument, NULL, 'r'},
	    {"json", no_argument, NULL, 'j'},
	    {"authinfo", no_argument, NULL, 'a'},
	    {"timeout", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	optind = 0; /* GNU: start afresh, whatever ran before */
	opterr = 0;
	int c;
	/* No '+': options may follow MODULE and FUNC (dcictl call dc1
	 * server --json); key=value words never start with '-'. */
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			a->url = optarg;
			break;
		case 'U':
			a->user = optarg;
			break;
		case 'p':
			a->password_file = optarg;
			break;
		case 'c':
			a->cafile = optarg;
			break;
		case 'k':
			a->insecure = true;
			break;
		case 'I':
			a->ipmgr = optarg;
			break;
		case 'L':
			a->license = optarg;
			break;
		case 'C':
			a->config = optarg;
			break;
		case 'S':
			a->store = optarg;
			break;
		case 'r':
			a->read_only = true;
			break;
		case 'j':
			a->json = true;
			break;
		case 'a':
			a->authinfo = true;
			break;
		case 't': {
			char *end;
			errno = 0;
			double s = strtod(optarg, &end);
			if (errno || end == optarg || *end || s <= 0 ||
			    s > 86400)
				return bad_args(a,
				                "--timeout needs seconds "
				                "between 0 and 86400, not "
				                "'%s'",
				                optarg);
			a->timeout_ms = (long)(s * 1000);
			break;
		}
		case 'h':
			return 3;
		case ':':
			return bad_args(a, "%s needs a value",
			                argv[optind - 1]);
		default:
			return bad_args(a, "unknown option '%s'",
			                argv[optind - 1]);
		}
	}
	int forms = !!a->url + !!a->ipmgr + !!a->license;
	if (forms > 1)
		return bad_args(a, "%s",
		                "give one of --url, --ipmgr and --license");
	if (a->url) {
		if (!a->user)
			return bad_args(a, "%s",
			                "--user USER is required with --url");
	} else {
		int rc = url_only(a);
		if (rc)
			return rc;
		if (!forms) {
			if (optind >= argc)
				return bad_args(
				    a, "%s",
				    "MODULE FUNC is missing (dcictl "
				    "call MODULE FUNC [key=value...],"
				    " or --ipmgr NAME, --license "
				    "NAME, --url URL)");
			a->module = argv[optind++];
		}
	}
	if (optind >= argc && a->module)
		return bad_args(a,
		                "FUNC is missing after module '%s' (e.g. "
		                "server)",
		                a->module);
	if (optind >= argc)
		return bad_args(a, "%s", "FUNC is missing (e.g. server)");
	a->func = argv[optind++];
	if (!a->func[0] || strchr(a->func, '=') || a->func[0] == '-')
		return bad_args(a,
		                "'%s' is not a panel function name (dcictl "
		                "call MODULE FUNC [key=value...])",
		                a->func);
	size_t n = (size_t)(argc - optind);
	a->params = calloc(n + 1, sizeof(*a->params));
	a->owned = calloc(n + 1, sizeof(*a->owned));
	if (!a->params || !a->owned)
		return bad_args(a, "%s", "out of memory");
	for (; optind < argc; optind++) {
		const char *w = argv[optind], *eq = strchr(w, '=');
		if (!eq || eq == w || (eq == w + 1 && w[0] == '@'))
			return bad_args(a, "'%s' is not key=value", w);
		bool from_file = eq > w + 1 && eq[-1] == '@';
		size_t kl = (size_t)(eq - w) - (from_file ? 1 : 0);
		char *key = strndup(w, kl);
		if (!key)
			return bad_args(a, "%s", "out of memory");
		size_t i = a->nparams++;
		a->params[i].key = key;
		if (!strcmp(key, "func") || !strcmp(key, "out") ||
		    !strcmp(key, "auth") || !strcmp(key, "authinfo"))
			return bad_args(a,
			                "parameter '%s' is set by dcictl "
			                "itself",
			                key);
		if (from_file) {
			a->owned[i] = read_secret_file(eq + 1, false,
			                               "value file", &a->err);
			if (!a->owned[i])
				return 2;
			a->params[i].value = a->owned[i];
		} else {
			a->params[i].value = eq + 1;
			if (apilog_secret_key(key) && eq[1])
				fprintf(stderr,
				        "dcictl call: warning: %s given on "
				        "the command line is visible to "
				        "other users; use %s@=FILE\n",
				        key, key);
		}
	}
	return 0;
}

/* Whether the call can change nothing (see cli_call.h): sok=ok is what
 * makes a form function act (protocol.md 3), and functions such as
 * server.poweron or ip.delete act without it, so only names known to read
 * pass. */
static bool call_is_read(const call_args *a)
{
	for (size_t i = 0; i < a->nparams; i++)
		if (!strcmp(a->params[i].key, "sok"))
			return false;
	const char *dot = strrchr(a->func, '.');
	if (!dot)
		return true; /* lists, reports, auth */
	return !strcmp(dot, ".edit") || !strcmp(dot, ".stat") ||
	       !strcmp(dot, ".connection");
}

/* What the call goes to, wherever it came from. */
typedef struct call_conn {
	char what[DC_NAME_MAX + 32]; /* "module dc1", for messages */
	char url[DC_URL_MAX];
	char user[DC_USER_MAX];
	char cafile[DC_PATH_MAX];
	bool insecure;
	long connect_timeout_ms, timeout_ms;
	size_t body_cap;
	char *password; /* wiped and freed by conn_wipe */
} call_conn;

static void conn_wipe(call_conn *c)
{
	secret_free(c->password); /* wipes; also right for strdup'd text */
	c->password = NULL;
}

/* "a, b, c" of the names in the store, or "none yet". */
static void known_names(char *buf, size_t len,
                        const char *(*name)(void *, size_t), void *v, size_t n)
{
	size_t at = 0;
	buf[0] = '\0';
	if (!n) {
		snprintf(buf, len, "none yet");
		return;
	}
	for (size_t i = 0; i < n && at < len; i++) {
		int k = snprintf(buf + at, len - at, "%s%s", i ? ", " : "",
		                 name(v, i));
		if (k < 0)
			break;
		at += (size_t)k;
	}
	if (at >= len && len > 4)
		memcpy(buf + len - 4, "...", 4);
}

static const char *module_name_at(void *v, size_t i)
{
	return ((dc_module *)v)[i].name;
}

static const char *conn_name_at(void *v, size_t i)
{
	return ((dc_conn *)v)[i].name;
}

/* The stored record named by a->module, a->ipmgr or a->license, into c
 * with its password. Returns 0, 1 (failed: e), 2 (unknown name: e). */
static int conn_from_store(dc_store *st, const call_args *a, call_conn *c,
                           dc_err *e)
{
	char names[400];
	if (a->module) {
		dc_module m;
		if (module_get_by_name(st, a->module, &m, e) < 0) {
			if (e->cat != DC_E_NOTFOUND)
				return 1;
			dc_module *v = NULL;
			size_t n = 0;
			if (module_list(st, &v, &n, e) < 0)
				return 1;
			known_names(names, sizeof(names), module_name_at, v, n);
			free(v);
			err_field(e, DC_E_NOTFOUND, "module",
			          "no module '%s' in the store; modules: %s "
			          "(an IPmanager or licence server: --ipmgr "
			          "NAME, --license NAME)",
			          a->module, names);
			return 2;
		}
		snprintf(c->what, sizeof(c->what), "module %s", m.name);
		dc_strlcpy(c->url, m.url, sizeof(c->url));
		dc_strlcpy(c->user, m.username, sizeof(c->user));
		dc_strlcpy(c->cafile, m.cafile, sizeof(c->cafile));
		c->insecure = m.insecure;
		c->password = module_password(st, m.id, e);
		return c->password ? 0 : 1;
	}
	bool ipm = a->ipmgr != NULL;
	const char *name = ipm ? a->ipmgr : a->license;
	const char *kind = ipm ? "IPmanager" : "licence server";
	dc_conn k;
	int r = ipm ? ipmgr_get_by_name(st, name, &k, e)
	            : licsrv_get_by_name(st, name, &k, e);
	if (r < 0) {
		if (e->cat != DC_E_NOTFOUND)
			return 1;
		dc_conn *v = NULL;
		size_t n = 0;
		if ((ipm ? ipmgr_list(st, &v, &n, e)
		         : licsrv_list(st, &v, &n, e)) < 0)
			return 1;
		known_names(names, sizeof(names), conn_name_at, v, n);
		free(v);
		err_field(e, DC_E_NOTFOUND, ipm ? "ipmgr" : "license",
		          "no %s '%s' in the store; %ss: %s", kind, name, kind,
		          names);
		return 2;
	}
	snprintf(c->what, sizeof(c->what), "%s %s", kind, k.name);
	dc_strlcpy(c->url, k.url, sizeof(c->url));
	dc_strlcpy(c->user, k.username, sizeof(c->user));
	dc_strlcpy(c->cafile, k.cafile, sizeof(c->cafile));
	c->insecure = k.insecure;
	c->password =
	    ipm ? ipmgr_password(st, k.id, e) : licsrv_password(st, k.id, e);
	return c->password ? 0 : 1;
}

/* The store form: config, then the store (read, never created), then the
 * record. Returns as conn_from_store. */
static int conn_stored(const app_opts *g, const call_args *a, call_conn *c,
                       dc_err *e)
{
	const char *cfgpath = a->config ? a->config : g ? g->config : NULL;
	dc_config cfg;
	if (config_load(cfgpath, &cfg, e) < 0)
		return 1;
	const char *path = a->store        ? a->store
	                   : g && g->store ? g->store
	                                   : cfg.store_path;
	int rc = 1;
	c->connect_timeout_ms = (long)cfg.http_connect_timeout_ms;
	c->timeout_ms = (long)cfg.http_timeout_ms;
	c->body_cap = cfg.xml_max_body;
	if (access(path, F_OK) < 0) {
		/* opening would create it: say there is nothing instead */
		err_set(e, DC_E_NOTFOUND,
		        "no store at %s: nothing has been added yet (dcictl "
		        "module add ...), or use --url URL",
		        path);
	} else {
		dc_store *st = store_open(path, e);
		if (st) {
			rc = conn_from_store(st, a, c, e);
			store_close(st);
		}
	}
	config_free(&cfg);
	return rc;
}

/* The --url form: the password from a file, the environment or the
 * terminal. Returns 0 or 1 (e says why). */
static int conn_given(const call_args *a, call_conn *c, dc_err *e)
{
	if (http_url_check(a->url, e) < 0) {
		err_prefix(e, "--url");
		e->cat = DC_E_INVALID; /* a usage error: exit 2 */
		return 2;
	}
	snprintf(c->what, sizeof(c->what), "--url");
	dc_strlcpy(c->url, a->url, sizeof(c->url));
	dc_strlcpy(c->user, a->user, sizeof(c->user));
	dc_strlcpy(c->cafile, a->cafile ? a->cafile : "", sizeof(c->cafile));
	c->insecure = a->insecure;
	if (a->password_file) {
		c->password = read_secret_file(a->password_file, true,
		                               "password file", e);
		return c->password ? 0 : 1;
	}
	char *env = getenv("DCICTL_PASSWORD");
	if (env) {
		c->password = strdup(env);
		/* Out of this process's environment, for what it is worth. */
		explicit_bzero(env, strlen(env));
		unsetenv("DCICTL_PASSWORD");
		if (!c->password)
			err_set(e, DC_E_NOMEM, "out of memory");
		return c->password ? 0 : 1;
	}
	c->password = prompt_password(a->user, a->url, e);
	return c->password ? 0 : 1;
}

static void print_answer(const char *body, size_t len, bool json,
                         const panel *p)
{
	dc_err e;
	char *pretty =
	    xml_pretty(body, len, json ? XML_PRETTY_JSON : XML_PRETTY_XML,
	               panel_xml_opts(p), &e);
	if (pretty) {
		fputs(pretty, stdout);
		free(pretty);
	}
}

static void json_error(const dc_err *e)
{
	jw w;
	jw_init(&w, stdout, true);
	jw_obj_begin(&w);
	jw_key(&w, "error");
	jw_obj_begin(&w);
	jw_key(&w, "category");
	jw_str(&w, dc_errcat_name(e->cat));
	jw_key(&w, "message");
	jw_str(&w, e->msg);
	if (e->field[0]) {
		jw_key(&w, "field");
		jw_str(&w, e->field);
	}
	jw_key(&w, "retryable");
	jw_bool(&w, e->retryable);
	jw_obj_end(&w);
	jw_obj_end(&w);
	jw_finish(&w);
}

/* One line on stderr: a panel's error as err_line (category, func, URL,
 * time), a local one as its message alone; with --json also
 * {"error": {...}} on stdout, as the other commands do (cli.c). */
static void say_error(const dc_err *e, bool json)
{
	char line[1024];
	bool local = e->cat >= DC_E_INVALID && e->cat != DC_E_CANCELLED;
	fprintf(stderr, "dcictl call: %s\n",
	        local ? e->msg : err_line(e, line, sizeof(line)));
	if (json)
		json_error(e);
}

/* --json anywhere before "--": known even when parsing stops early. */
static bool wants_json(const app_opts *g, int argc, char **argv)
{
	if (g && g->json)
		return true;
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--json"))
			return true;
	return false;
}

/* The call itself, on a fresh session. Returns 0, 1 (failed: e), or -1
 * (the panel answered <error>: printed, and e says so). */
static int call_send(const call_args *a, const call_conn *c, dc_err *e)
{
	panel_opts o = {
	    .url = c->url,
	    .username = c->user,
	    .password = c->password,
	    .cafile = c->cafile[0] ? c->cafile : NULL,
	    .insecure = c->insecure,
	    .auth_mode = a->authinfo ? PANEL_AUTH_AUTHINFO : PANEL_AUTH_SESSION,
	    .connect_timeout_ms = c->connect_timeout_ms,
	    .timeout_ms = a->timeout_ms ? a->timeout_ms : c->timeout_ms,
	    .body_cap = c->body_cap,
	};
	panel *p = panel_new(&o, e);
	if (!p)
		return 1;
	char *body = NULL;
	size_t len = 0;
	/* One call on a fresh session: nothing to repeat. */
	int r = panel_call_raw(p, a->func, a->params, false, &body, &len, e);
	bool answered = body != NULL;
	if (body)
		print_answer(body, len, a->json, p);
	free(body);
	panel_free(p);
	/* -1: the <error> answer is on stdout already, also as JSON */
	return r == 0 ? 0 : answered ? -1 : 1;
}

int cli_call(const app_opts *g, int argc, char **argv)
{
	call_args a;
	memset(&a, 0, sizeof(a));
	int rc = parse_args(argc, argv, &a);
	bool json = wants_json(g, argc, argv);
	if (rc == 3) {
		usage(stdout);
		args_free(&a);
		return 0;
	}
	if (rc) {
		fprintf(stderr, "dcictl call: %s (dcictl call --help)\n",
		        a.err.msg);
		if (json)
			json_error(&a.err);
		args_free(&a);
		return rc;
	}
	a.json = json;
	a.read_only = a.read_only || (g && g->read_only);
	dc_err e;
	err_clear(&e);
	if (a.read_only && !call_is_read(&a)) {
		err_set(&e, DC_E_INVALID,
		        "read-only: '%s' may change things and dcictl runs "
		        "with --read-only (only lists, reports and forms "
		        "without sok are sent)",
		        a.func);
		say_error(&e, a.json);
		args_free(&a);
		return 1;
	}
	if (panel_lib_init(&e) < 0) {
		say_error(&e, a.json);
		args_free(&a);
		return 1;
	}
	call_conn c;
	memset(&c, 0, sizeof(c));
	rc = a.url ? conn_given(&a, &c, &e) : conn_stored(g, &a, &c, &e);
	if (rc == 0) {
		rc = call_send(&a, &c, &e);
		if (rc < 0) { /* the <error> answer is printed already */
			say_error(&e, false);
			rc = 1;
		} else if (rc) {
			say_error(&e, a.json);
		}
		if (c.insecure)
			fprintf(stderr,
			        "dcictl call: warning: TLS certificate checks "
			        "were off (%s)\n",
			        a.url ? "--insecure"
			              : "insecure is set in the store");
	} else {
		say_error(&e, a.json);
	}
	conn_wipe(&c);
	/* No panel_lib_cleanup: the process may still use libxml2 and
	 * libcurl (tests call this repeatedly); exit reclaims the rest. */
	args_free(&a);
	return rc;
}
