/* test_panel_http.c - the HTTP layer and the panel handle against a tiny
 * scripted HTTP server on loopback (no simulator needed): URL-encoding,
 * connection reuse, status, caps, timeouts, session handling. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "panel.h"

/* ---- a scripted HTTP/1.1 server ---- */

enum fake_mode {
	F_ANSWER,  /* status + body, keep-alive */
	F_SILENT,  /* read the request, never answer */
	F_STREAM,  /* 200 without length, then stream_bytes of junk */
	F_BIGLEN,  /* Content-Length: stream_bytes, then junk */
	F_SESSION, /* a panel: auth gives S<n>; only the newest is valid */
};

typedef struct fake {
	int lfd, port;
	pthread_t th;
	atomic_bool stop;
	pthread_mutex_t mu;
	/* script */
	enum fake_mode mode;
	int status;
	char answer[4096];
	size_t stream_bytes;
	/* observations */
	size_t sent;
	int conns, reqs, logins;
	int session_n;
	volatile int *cancel_on_request; /* set when a request arrives */
	char last_line[512];
	char last_body[8192];
} fake;

static bool wait_readable(fake *f, int fd)
{
	while (!atomic_load(&f->stop)) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int r = poll(&p, 1, 50);
		if (r > 0)
			return true;
		if (r < 0 && errno != EINTR)
			return false;
	}
	return false;
}

/* Reads one request (headers, then Content-Length bytes). */
static int read_request(fake *f, int fd, char *buf, size_t cap, char **body,
                        size_t *blen)
{
	size_t len = 0;
	char *hend = NULL;
	while (!hend) {
		if (len + 1 >= cap || !wait_readable(f, fd))
			return -1;
		ssize_t n = read(fd, buf + len, cap - len - 1);
		if (n <= 0)
			return -1;
		len += (size_t)n;
		buf[len] = '\0';
		hend = strstr(buf, "\r\n\r\n");
	}
	size_t hlen = (size_t)(hend - buf) + 4;
	size_t cl = 0;
	char *c = strcasestr(buf, "\r\nContent-Length:");
	if (c && c < hend)
		cl = strtoul(c + 17, NULL, 10);
	while (len < hlen + cl) {
		if (len + 1 >= cap || !wait_readable(f, fd))
			return -1;
		ssize_t n = read(fd, buf + len, cap - len - 1);
		if (n <= 0)
			return -1;
		len += (size_t)n;
		buf[len] = '\0';
	}
	*body = buf + hlen;
	*blen = cl;
	(*body)[cl] = '\0';
	return 0;
}

static void send_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static void answer(int fd, int status, const char *body)
{
	char h[256];
	int n = snprintf(h, sizeof(h),
	                 "HTTP/1.1 %d X\r\nContent-Type: text/xml\r\n"
	                 "Content-Length: %zu\r\n\r\n",
	                 status, strlen(body));
	send_all(fd, h, (size_t)n);
	send_all(fd, body, strlen(body));
}

static void stream(fake *f, int fd, const char *head)
{
	send_all(fd, head, strlen(head));
	char junk[16384];
	memset(junk, 'x', sizeof(junk));
	size_t total = 0;
	while (total < f->stream_bytes && !atomic_load(&f->stop)) {
		ssize_t w = send(fd, junk, sizeof(junk), MSG_NOSIGNAL);
		if (w <= 0)
			break;
		total += (size_t)w;
	}
	pthread_mutex_lock(&f->mu);
	f->sent = total;
	pthread_mutex_unlock(&f->mu);
}

/* value of key in an urlencoded body (raw, not decoded) */
static bool form_get(const char *body, const char *key, char *out, size_t n)
{
	size_t kl = strlen(key);
	for (const char *p = body; p && *p;) {
		if (!strncmp(p, key, kl) && p[kl] == '=') {
			const char *v = p + kl + 1, *e = strchr(v, '&');
			size_t l = e ? (size_t)(e - v) : strlen(v);
			snprintf(out, n, "%.*s", (int)l, v);
			return true;
		}
		p = strchr(p, '&');
		if (p)
			p++;
	}
	return false;
}

static void session_answer(fake *f, int fd, const char *body)
{
	char func[64] = "", auth[64] = "", cur[32];
	form_get(body, "func", func, sizeof(func));
	pthread_mutex_lock(&f->mu);
	snprintf(cur, sizeof(cur), "S%d", f->session_n);
	if (!strcmp(func, "auth")) {
		char u[64] = "", pw[64] = "";
		form_get(body, "username", u, sizeof(u));
		form_get(body, "password", pw, sizeof(pw));
		f->logins++;
		if (strcmp(pw, "pw")) {
			pthread_mutex_unlock(&f->mu);
			answer(fd, 200,
			       "<doc><error type=\"auth\"><msg>Invalid "
			       "username or password</msg></error></doc>");
			return;
		}
		f->session_n++;
		char a[256];
		snprintf(a, sizeof(a),
		         "<doc><auth id=\"S%d\" level=\"%s\">S%d</auth></doc>",
		         f->session_n, strcmp(u, "user") ? "29" : "16",
		         f->session_n);
		pthread_mutex_unlock(&f->mu);
		answer(fd, 200, a);
		return;
	}
	bool ok =
	    form_get(body, "auth", auth, sizeof(auth)) && !strcmp(auth, cur);
	pthread_mutex_unlock(&f->mu);
	if (!ok)
		answer(fd, 200,
		       "<doc><error type=\"auth\"><msg>Session expired</msg>"
		       "</error></doc>");
	else
		answer(fd, 200, "<doc><elem><id>1</id></elem></doc>");
}

static void serve_buf(fake *f, int fd, char *buf, size_t cap)
{
	for (;;) {
		char *body;
		size_t blen;
		if (read_request(f, fd, buf, cap, &body, &blen) < 0)
			return;
		pthread_mutex_lock(&f->mu);
		f->reqs++;
		char *eol = strstr(buf, "\r\n");
		snprintf(f->last_line, sizeof(f->last_line), "%.*s",
		         (int)(eol - buf), buf);
		snprintf(f->last_body, sizeof(f->last_body), "%s", body);
		if (f->cancel_on_request)
			*f->cancel_on_request = 1;
		enum fake_mode mode = f->mode;
		int status = f->status;
		char ans[sizeof(f->answer)];
		memcpy(ans, f->answer, sizeof(ans));
		pthread_mutex_unlock(&f->mu);
		switch (mode) {
		case F_ANSWER:
			answer(fd, status, ans);
			break;
		case F_SESSION:
			session_answer(f, fd, body);
			break;
		case F_SILENT:
			while (wait_readable(f, fd) && read(fd, buf, cap) > 0)
				;
			return;
		case F_STREAM:
			stream(f, fd,
			       "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
			return;
		case F_BIGLEN: {
			char h[128];
			snprintf(
			    h, sizeof(h),
			    "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n",
			    f->stream_bytes);
			stream(f, fd, h);
			return;
		}
		}
	}
}

static void serve(fake *f, int fd)
{
	char *buf = malloc(1 << 16);
	if (!buf)
		return;
	serve_buf(f, fd, buf, 1 << 16);
	free(buf);
}

typedef struct conn_arg {
	fake *f;
	int fd;
} conn_arg;

static void *conn_main(void *arg)
{
	conn_arg *c = arg;
	serve(c->f, c->fd);
	close(c->fd);
	free(c);
	return NULL;
}

/* One thread per connection, so that parallel clients are served. */
static void *fake_main(void *arg)
{
	fake *f = arg;
	pthread_t th[64];
	int n = 0;
	while (wait_readable(f, f->lfd)) {
		int fd = accept(f->lfd, NULL, NULL);
		if (fd < 0)
			continue;
		pthread_mutex_lock(&f->mu);
		f->conns++;
		pthread_mutex_unlock(&f->mu);
		conn_arg *c = malloc(sizeof(*c));
		c->f = f;
		c->fd = fd;
		if (n == 64 || pthread_create(&th[n], NULL, conn_main, c)) {
			close(fd);
			free(c);
			continue;
		}
		n++;
	}
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	return NULL;
}

static fake *fake_start(enum fake_mode mode, int status, const char *ans)
{
	fake *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	pthread_mutex_init(&f->mu, NULL);
	f->mode = mode;
	f->status = status;
	snprintf(f->answer, sizeof(f->answer), "%s", ans ? ans : "");
	f->lfd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(f->lfd, 16), 0);
	socklen_t al = sizeof(a);
	getsockname(f->lfd, (struct sockaddr *)&a, &al);
	f->port = ntohs(a.sin_port);
	pthread_create(&f->th, NULL, fake_main, f);
	return f;
}

static void fake_stop(fake *f)
{
	atomic_store(&f->stop, true);
	pthread_join(f->th, NULL);
	close(f->lfd);
	pthread_mutex_destroy(&f->mu);
	free(f);
}

static void fake_url(const fake *f, char *buf, size_t n)
{
	snprintf(buf, n, "http://127.0.0.1:%d/dcimgr", f->port);
}

static panel *mk_panel(const fake *f, const char *user, panel_auth_mode mode,
                       long timeout_ms, apilog *log)
{
	char url[128];
	fake_url(f, url, sizeof(url));
	panel_opts o = {.url = url,
	                .username = user,
	                .password = "pw",
	                .auth_mode = mode,
	                .timeout_ms = timeout_ms,
	                .log = log};
	dc_err e;
	panel *p = panel_new(&o, &e);
	assert_non_null(p);
	return p;
}

/* ---- tests ---- */

static void test_form_encoding(void **state)
{
	http_buf b = {0};
	dc_err e;
	assert_int_equal(
	    http_form_add(&b, "name", "a&func=user.delete&elid=1", &e), 0);
	assert_string_equal(b.data, "name=a%26func%3Duser.delete%26elid%3D1");
	assert_int_equal(http_form_add(&b, "x y", "\xc3\xa9 +/?#%", &e), 0);
	assert_string_equal(b.data, "name=a%26func%3Duser.delete%26elid%3D1"
	                            "&x%20y=%C3%A9%20%2B%2F%3F%23%25");
	assert_int_equal(http_form_add(&b, "empty", "", &e), 0);
	assert_int_equal(http_form_add(&b, "null", NULL, &e), 0);
	assert_non_null(strstr(b.data, "&empty=&null="));
	assert_int_equal(http_form_add(&b, "", "v", &e), -1);
	assert_int_equal(e.cat, DC_E_INVALID);
	http_buf_wipe(&b);
	assert_null(b.data);
}

static void test_value_not_split_on_the_wire(void **state)
{
	fake *f = fake_start(F_ANSWER, 200, "<doc><ok/></doc>");
	panel *p = mk_panel(f, "admin", PANEL_AUTH_AUTHINFO, 0, NULL);
	const panel_param ps[] = {{"name", "a&func=user.delete&elid=1"},
	                          {NULL, NULL}};
	dc_err e;
	assert_int_equal(panel_call(p, "user.edit", ps, false, NULL, &e), 0);
	/* exactly one func, and it is ours */
	char func[64];
	assert_true(form_get(f->last_body, "func", func, sizeof(func)));
	assert_string_equal(func, "user.edit");
	assert_null(strstr(f->last_body, "&func=user.delete"));
	assert_non_null(
	    strstr(f->last_body, "name=a%26func%3Duser.delete%26elid%3D1"));
	/* credentials in the body, never in the request line */
	assert_non_null(strstr(f->last_body, "authinfo=admin%3Apw"));
	assert_string_equal(f->last_line, "POST /dcimgr HTTP/1.1");
	/* reserved keys are refused before anything is sent */
	int reqs = f->reqs;
	const panel_param bad[] = {{"func", "user.delete"}, {NULL, NULL}};
	assert_int_equal(panel_call(p, "user", bad, true, NULL, &e), -1);
	assert_int_equal(e.cat, DC_E_INVALID);
	assert_string_equal(e.field, "func");
	assert_int_equal(f->reqs, reqs);
	panel_free(p);
	fake_stop(f);
}

static void test_url_check(void **state)
{
	dc_err e;
	assert_int_equal(
	    http_url_check("https://dci.example.net:1500/dcimgr", &e), 0);
	assert_int_equal(http_url_check("http://127.0.0.1/ipmgr", &e), 0);
	const char *bad[] = {"",
	                     "dcimgr",
	                     "ftp://h/x",
	                     "https://admin:secret@h/dcimgr",
	                     "https://admin@h/dcimgr",
	                     "http://",
	                     "https://:1500/x",
	                     NULL};
	for (int i = 0; bad[i]; i++) {
		err_clear(&e);
		assert_int_equal(http_url_check(bad[i], &e), -1);
		assert_int_equal(e.cat, DC_E_INVALID);
		assert_string_equal(e.field, "url");
		assert_null(strstr(e.msg, "secret"));
	}
	panel_opts o = {.url = "https://admin:secret@h/dcimgr",
	                .username = "u"};
	assert_null(panel_new(&o, &e));
	o.url = "https://h/dcimgr";
	o.username = "";
	assert_null(panel_new(&o, &e));
	assert_string_equal(e.field, "username");
}

static void test_connection_reuse(void **state)
{
	fake *f =
	    fake_start(F_ANSWER, 200, "<doc><elem><id>1</id></elem></doc>");
	panel *p = mk_panel(f, "admin", PANEL_AUTH_AUTHINFO, 0, NULL);
	for (int i = 0; i < 5; i++) {
		xml_doc *d = NULL;
		dc_err e;
		assert_int_equal(panel_call(p, "server", NULL, true, &d, &e),
		                 0);
		assert_int_equal(d->nrows, 1);
		xml_doc_free(d);
	}
	assert_int_equal(f->reqs, 5);
	assert_int_equal(f->conns, 1);
	panel_free(p);
	fake_stop(f);
}

static void test_http_status(void **state)
{
	fake *f = fake_start(F_ANSWER, 500, "<html>oops</html>");
	panel *p = mk_panel(f, "admin", PANEL_AUTH_AUTHINFO, 0, NULL);
	dc_err e;
	assert_int_equal(panel_call(p, "server", NULL, true, NULL, &e), -1);
	assert_int_equal(e.cat, DC_E_HTTP);
	assert_true(e.retryable);
	assert_non_null(strstr(e.msg, "500"));
	assert_string_equal(e.func, "server");
	assert_non_null(strstr(e.url, "/dcimgr"));
	f->status = 404;
	assert_int_equal(panel_call(p, "server", NULL, true, NULL, &e), -1);
	assert_int_equal(e.cat, DC_E_HTTP);
	assert_false(e.retryable);
	/* a 200 that is not XML is a parse error naming the func */
	f->status = 200;
	assert_int_equal(panel_call(p, "server", NULL, true, NULL, &e), -1);
	assert_int_equal(e.cat, DC_E_PARSE);
	char line[1024];
	assert_non_null(strstr(err_line(&e, line, sizeof(line)), "server at"));
	panel_free(p);
	fake_stop(f);
}

static void test_body_cap_streamed(void **state)
{
	fake *f = fake_start(F_STREAM, 200, NULL);
	f->stream_bytes = 100u << 20;
	char url[128];
	fake_url(f, url, sizeof(url));
	panel_opts o = {.url = url,
	                .username = "admin",
	                .password = "pw",
	                .auth_mode = PANEL_AUTH_AUTHINFO,
	                .body_cap = 1u << 20};
	dc_err e;
	panel *p = panel_new(&o, &e);
	assert_int_equal(panel_call(p, "server", NULL, true, NULL, &e), -1);
	assert_int_equal(e.cat, DC_E_PARSE);
	assert_non_null(strstr(e.msg, "limit"));
	panel_free(p); /* closes the connection for sure */
	/* the server gave up long before 100 MB: the client stopped
	 * reading at the cap instead of taking it all in */
	for (int i = 0; i < 200; i++) {
		pthread_mutex_lock(&f->mu);
		size_t sent = f->sent;
		pthread_mutex_unlock(&f->mu);
		if (sent)
			break;
		poll(NULL, 0, 50);
	}
	assert_true(f->sent > 0);
	assert_true(f->sent < (50u << 20));
	fake_stop(f);
}

static void test_body_cap_by_length(void **state)
{
	fake *f = fake_start(F_BIGLEN, 200, NULL);
	f->stream_bytes = 100u << 20;
	panel *p = mk_panel(f, "admin", PANEL_AUTH_AUTHINFO, 0, NULL);
	dc_err e;
	/* default cap 64 MiB < Content-Length 100 MB: refused up front */
	assert_int_equal(panel_call(p, "server", NULL, true, NULL, &e), -1);
	assert_int_equal(e.cat, DC_E_PARSE);
	assert_non_null(strstr(e.msg, "limit"));
	panel_free(p);
	fake_stop(f);
}

static void test_timeout(void **state)
{
	fake *f = fake_start(F_SILENT, 200, NULL);
	panel *p = mk_panel(f, "admin", PANEL_AUTH_AUTHINFO, 300, NULL);
	dc_err e;
	assert_int_equal(panel_call(p, "server", NULL, true, NULL, &e), -1);
	assert_int_equal(e.cat, DC_E_TIMEOUT);
	assert_true(e.retryable);
	assert_true(e.elapsed_ms >= 250);
	panel_free(p);
	fake_stop(f);
}

static void test_cancel(void **state)
{
	fake *f = fake_start(F_SILENT, 200, NULL);
	static volatile int flag;
	flag = 0;
	f->cancel_on_request = &flag;
	panel *p = mk_panel(f, "admin", PANEL_AUTH_AUTHINFO, 20000, NULL);
	panel_set_cancel(p, &flag);
	dc_err e;
	/* the server sets the flag as the request arrives, then never
	 * answers: the call ends as cancelled, long before its timeout */
	assert_int_equal(panel_call(p, "server", NULL, true, NULL, &e), -1);
	assert_int_equal(e.cat, DC_E_CANCELLED);
	assert_true(e.elapsed_ms < 10000);
	/* with the flag still set nothing more is sent */
	int reqs = f->reqs;
	assert_int_equal(panel_call(p, "server", NULL, true, NULL, &e), -1);
	assert_int_equal(e.cat, DC_E_CANCELLED);
	assert_int_equal(f->reqs, reqs);
	panel_set_cancel(p, NULL);
	panel_free(p);
	fake_stop(f);
}

static void test_refused(void **state)
{
	/* a port nobody listens on: bind, learn it, close */
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	bind(s, (struct sockaddr *)&a, sizeof(a));
	socklen_t al = sizeof(a);
	getsockname(s, (struct sockaddr *)&a, &al);
	close(s);
	char url[128];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/dcimgr",
	         ntohs(a.sin_port));
	panel_opts o = {.url = url, .username = "admin", .password = "pw"};
	dc_err e;
	panel *p = panel_new(&o, &e);
	assert_non_null(p);
	assert_int_equal(panel_call(p, "server", NULL, true, NULL, &e), -1);
	assert_int_equal(e.cat, DC_E_TRANSPORT);
	assert_true(e.retryable);
	panel_free(p);
}

static void test_session_reuse_and_relogin(void **state)
{
	fake *f = fake_start(F_SESSION, 200, NULL);
	apilog *log = apilog_new(64);
	panel *p = mk_panel(f, "admin", PANEL_AUTH_SESSION, 0, log);
	dc_err e;
	int level = 0;
	assert_int_equal(panel_login(p, &level, &e), 0);
	assert_int_equal(level, 29);
	assert_int_equal(panel_require_admin(p, &e), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(panel_call(p, "server", NULL, true, NULL, &e),
		                 0);
	assert_int_equal(f->logins, 1); /* the session was reused */

	/* the panel forgets the session: a safe call logs in once more */
	pthread_mutex_lock(&f->mu);
	f->session_n += 100;
	pthread_mutex_unlock(&f->mu);
	assert_int_equal(panel_call(p, "server", NULL, true, NULL, &e), 0);
	assert_int_equal(f->logins, 2);

	/* an unsafe call is not repeated, but says so and drops the
	 * session, so that the next call starts a new one */
	pthread_mutex_lock(&f->mu);
	f->session_n += 100;
	pthread_mutex_unlock(&f->mu);
	int reqs = f->reqs;
	assert_int_equal(panel_call(p, "server.edit", NULL, false, NULL, &e),
	                 -1);
	assert_int_equal(e.cat, DC_E_AUTH);
	assert_true(e.retryable);
	assert_non_null(strstr(e.msg, "not repeated"));
	assert_int_equal(f->reqs, reqs + 1);
	assert_int_equal(panel_call(p, "server.edit", NULL, false, NULL, &e),
	                 0);
	assert_int_equal(f->logins, 3);

	/* the log: every exchange, no secret */
	apilog_rec recs[64];
	size_t n = apilog_snapshot(log, 0, recs, 64);
	assert_true(n >= 9);
	bool saw_auth = false;
	for (size_t i = 0; i < n; i++) {
		assert_null(strstr(recs[i].params, "pw"));
		assert_null(strstr(recs[i].outcome, "S1"));
		if (!strcmp(recs[i].func, "auth")) {
			saw_auth = true;
			assert_non_null(strstr(recs[i].params, "password=***"));
			assert_non_null(
			    strstr(recs[i].params, "username=admin"));
		}
	}
	assert_true(saw_auth);
	panel_free(p);
	apilog_free(log);
	fake_stop(f);
}

static void test_bad_password_and_user_level(void **state)
{
	fake *f = fake_start(F_SESSION, 200, NULL);
	char url[128];
	fake_url(f, url, sizeof(url));
	panel_opts o = {.url = url, .username = "admin", .password = "nope"};
	dc_err e;
	panel *p = panel_new(&o, &e);
	assert_int_equal(panel_login(p, NULL, &e), -1);
	assert_int_equal(e.cat, DC_E_AUTH);
	assert_false(e.retryable);
	assert_non_null(strstr(e.msg, "Invalid username"));
	/* a call with bad credentials logs in once and stops */
	int logins = f->logins;
	assert_int_equal(panel_call(p, "server", NULL, true, NULL, &e), -1);
	assert_int_equal(e.cat, DC_E_AUTH);
	assert_int_equal(f->logins, logins + 1);
	panel_free(p);

	p = mk_panel(f, "user", PANEL_AUTH_SESSION, 0, NULL);
	assert_int_equal(panel_require_admin(p, &e), -1);
	assert_int_equal(e.cat, DC_E_ACCESS);
	assert_non_null(strstr(e.msg, "level 16"));
	assert_non_null(strstr(e.msg, "administrator"));
	assert_int_equal(panel_level(p), 16);
	panel_free(p);
	fake_stop(f);
}

typedef struct bstate {
	int ok, failed;
	dc_errcat last;
} bstate;

static void on_done(void *user, xml_doc *doc, const dc_err *err)
{
	bstate *s = user;
	if (doc) {
		s->ok++;
		xml_doc_free(doc);
	} else {
		s->failed++;
		s->last = err->cat;
	}
}

static void test_batch_relogin_once(void **state)
{
	fake *f = fake_start(F_SESSION, 200, NULL);
	panel *p = mk_panel(f, "admin", PANEL_AUTH_SESSION, 0, NULL);
	dc_err e;
	assert_int_equal(panel_login(p, NULL, &e), 0);
	pthread_mutex_lock(&f->mu);
	f->session_n += 100; /* every queued call will meet an expiry */
	pthread_mutex_unlock(&f->mu);
	panel_batch *b = panel_batch_new(p, 4, &e);
	assert_non_null(b);
	bstate s = {0};
	for (int i = 0; i < 20; i++)
		assert_int_equal(
		    panel_batch_add(b, "server", NULL, true, on_done, &s, &e),
		    0);
	assert_int_equal(panel_batch_run(b, &e), 0);
	assert_int_equal(s.ok, 20);
	assert_int_equal(s.failed, 0);
	/* one new session for all, whatever the interleaving: at most the
	 * four in flight with the old session can trigger a second login */
	assert_true(f->logins >= 2 && f->logins <= 5);
	assert_true(f->conns <= 5);
	panel_batch_free(b);
	panel_free(p);
	fake_stop(f);
}

static void test_batch_transport_errors(void **state)
{
	fake *f = fake_start(F_ANSWER, 503, "busy");
	panel *p = mk_panel(f, "admin", PANEL_AUTH_AUTHINFO, 0, NULL);
	dc_err e;
	panel_batch *b = panel_batch_new(p, 2, &e);
	bstate s = {0};
	for (int i = 0; i < 5; i++)
		panel_batch_add(b, "server", NULL, true, on_done, &s, &e);
	assert_int_equal(panel_batch_run(b, &e), 0);
	assert_int_equal(s.failed, 5);
	assert_int_equal(s.last, DC_E_HTTP);
	panel_batch_free(b);
	panel_free(p);
	fake_stop(f);
}

int main(void)
{
	panel_lib_init(NULL);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_form_encoding),
	    cmocka_unit_test(test_value_not_split_on_the_wire),
	    cmocka_unit_test(test_url_check),
	    cmocka_unit_test(test_connection_reuse),
	    cmocka_unit_test(test_http_status),
	    cmocka_unit_test(test_body_cap_streamed),
	    cmocka_unit_test(test_body_cap_by_length),
	    cmocka_unit_test(test_timeout),
	    cmocka_unit_test(test_cancel),
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_session_reuse_and_relogin),
	    cmocka_unit_test(test_bad_password_and_user_level),
	    cmocka_unit_test(test_batch_relogin_once),
	    cmocka_unit_test(test_batch_transport_errors),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	panel_lib_cleanup();
	return rc;
}
