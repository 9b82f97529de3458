/* cli_call.c - `dcictl call`; see cli_call.h. */
#include "cli_call.h"

#include "apilog.h"
#include "panel.h"
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
	fputs("usage: dcictl call --url URL --user USER [--password-file FILE]"
	      " [--authinfo]\n"
	      "                   [--cafile FILE] [--insecure] [--timeout "
	      "SECONDS] [--json]\n"
	      "                   FUNC [key=value | key@=FILE ...]\n"
	      "Sends one API call to a DCImanager/IPmanager/BILLmanager panel"
	      " and prints\nthe answer (secrets masked). The password comes "
	      "from --password-file,\nDCICTL_PASSWORD or a prompt; never from"
	      " the command line.\n",
	      f);
}

static int bad_args(const char *fmt, const char *arg)
{
	fputs("dcictl call: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs(" (dcictl call --help)\n", stderr);
	return 2;
}

/* Reads the first line of path (at most SECRET_MAX bytes) into a malloc'd
 * string. check_mode: refuse a regular file others may read. */
static char *read_secret_file(const char *path, bool check_mode,
                              const char *what)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "dcictl call: cannot open %s %s: %s\n", what,
		        path, strerror(errno));
		return NULL;
	}
	struct stat st;
	if (check_mode && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mode & 077)) {
		fprintf(stderr,
		        "dcictl call: %s %s can be read by others (mode "
		        "%04o); run: chmod 600 %s\n",
		        what, path, (unsigned)(st.st_mode & 07777), path);
		close(fd);
		return NULL;
	}
	char *buf = calloc(1, SECRET_MAX + 1);
	if (!buf) {
		close(fd);
		fputs("dcictl call: out of memory\n", stderr);
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
static char *prompt_password(const char *user, const char *url)
{
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		fputs("dcictl call: no password: use --password-file or "
		      "DCICTL_PASSWORD (no terminal to ask on)\n",
		      stderr);
		return NULL;
	}
	char *buf = calloc(1, SECRET_MAX + 1);
	if (!buf) {
		close(fd);
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

static void wipe(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

typedef struct call_args {
	const char *url, *user, *password_file, *cafile;
	bool insecure, json, authinfo;
	long timeout_ms;
	const char *func;
	panel_param *params;
	char **owned; /* values read from files, wiped at the end */
	size_t nparams;
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

/* Parses argv; returns 0, 2 (bad arguments, said so), or 3 (--help). */
static int parse_args(int argc, char **argv, call_args *a)
{
	static const struct option opts[] = {
	    {"url", required_argument, NULL, 'u'},
	    {"user", required_argument, NULL, 'U'},
	    {"password-file", required_argument, NULL, 'p'},
	    {"cafile", required_argument, NULL, 'c'},
	    {"insecure", no_argument, NULL, 'k'},
	    {"json", no_argument, NULL, 'j'},
	    {"authinfo", no_argument, NULL, 'a'},
	    {"timeout", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	memset(a, 0, sizeof(*a));
	optind = 0; /* GNU: start afresh, whatever ran before */
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
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
				return bad_args("--timeout needs seconds "
				                "between 0 and 86400, not "
				                "'%s'",
				                optarg);
			a->timeout_ms = (long)(s * 1000);
			break;
		}
		case 'h':
			return 3;
		case ':':
			return bad_args("%s needs a value", argv[optind - 1]);
		default:
			return bad_args("unknown option '%s'",
			                argv[optind - 1]);
		}
	}
	if (!a->url)
		return bad_args("%s", "--url URL is required");
	if (!a->user)
		return bad_args("%s", "--user USER is required");
	if (optind >= argc)
		return bad_args("%s", "FUNC is missing (e.g. server)");
	a->func = argv[optind++];
	if (!a->func[0] || strchr(a->func, '=') || a->func[0] == '-')
		return bad_args("'%s' is not a panel function name", a->func);
	size_t n = (size_t)(argc - optind);
	a->params = calloc(n + 1, sizeof(*a->params));
	a->owned = calloc(n + 1, sizeof(*a->owned));
	if (!a->params || !a->owned)
		return bad_args("%s", "out of memory");
	for (; optind < argc; optind++) {
		const char *w = argv[optind], *eq = strchr(w, '=');
		if (!eq || eq == w)
			return bad_args("'%s' is not key=value", w);
		bool from_file = eq > w + 1 && eq[-1] == '@';
		size_t kl = (size_t)(eq - w) - (from_file ? 1 : 0);
		char *key = strndup(w, kl);
		if (!key)
			return bad_args("%s", "out of memory");
		size_t i = a->nparams++;
		a->params[i].key = key;
		if (!strcmp(key, "func") || !strcmp(key, "out") ||
		    !strcmp(key, "auth") || !strcmp(key, "authinfo"))
			return bad_args("parameter '%s' is set by dcictl "
			                "itself",
			                key);
		if (from_file) {
			a->owned[i] =
			    read_secret_file(eq + 1, false, "value file");
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

static char *get_password(const call_args *a)
{
	if (a->password_file)
		return read_secret_file(a->password_file, true,
		                        "password file");
	char *env = getenv("DCICTL_PASSWORD");
	if (env) {
		char *p = strdup(env);
		/* Out of this process's environment, for what it is worth. */
		explicit_bzero(env, strlen(env));
		unsetenv("DCICTL_PASSWORD");
		if (!p)
			fputs("dcictl call: out of memory\n", stderr);
		return p;
	}
	return prompt_password(a->user, a->url);
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

int cli_call(int argc, char **argv)
{
	call_args a;
	int rc = parse_args(argc, argv, &a);
	if (rc == 3) {
		usage(stdout);
		args_free(&a);
		return 0;
	}
	if (rc) {
		args_free(&a);
		return rc;
	}
	dc_err e;
	err_clear(&e);
	char line[1024];
	if (http_url_check(a.url, &e) < 0) {
		fprintf(stderr, "dcictl call: --url: %s\n", e.msg);
		args_free(&a);
		return 2;
	}
	char *pw = get_password(&a);
	if (!pw) {
		args_free(&a);
		return 1;
	}
	if (panel_lib_init(&e) < 0) {
		fprintf(stderr, "dcictl call: %s\n",
		        err_line(&e, line, sizeof(line)));
		wipe(pw);
		args_free(&a);
		return 1;
	}
	panel_opts o = {
	    .url = a.url,
	    .username = a.user,
	    .password = pw,
	    .cafile = a.cafile,
	    .insecure = a.insecure,
	    .auth_mode = a.authinfo ? PANEL_AUTH_AUTHINFO : PANEL_AUTH_SESSION,
	    .timeout_ms = a.timeout_ms,
	};
	panel *p = panel_new(&o, &e);
	wipe(pw);
	rc = 1;
	if (p) {
		char *body = NULL;
		size_t len = 0;
		/* One call on a fresh session: nothing to repeat. */
		int r =
		    panel_call_raw(p, a.func, a.params, false, &body, &len, &e);
		if (body)
			print_answer(body, len, a.json, p);
		free(body);
		rc = r == 0 ? 0 : 1;
	}
	if (rc)
		fprintf(stderr, "dcictl call: %s\n",
		        err_line(&e, line, sizeof(line)));
	if (a.insecure)
		fputs("dcictl call: warning: TLS certificate checks were off "
		      "(--insecure)\n",
		      stderr);
	panel_free(p);
	/* No panel_lib_cleanup: the process may still use libxml2 and
	 * libcurl (tests call this repeatedly); exit reclaims the rest. */
	args_free(&a);
	return rc;
}
