/* test_sim.c - dcisim's own tests: every panel function and error, the
 * control panel, faults, TLS, sessions, asynchronous operations, the
 * statistics truth, allocation under 200 parallel callers and a 100 000
 * server instance. Talks HTTP with libcurl and reads XML with libxml2
 * directly (the core client is written in parallel and tested on its own).
 * Waits poll with a limit; nothing sleeps a fixed time. */
#include "simproc.h"

#include <curl/curl.h>
#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <libxml/xpath.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#define CLOCK0 1700000000LL /* 2023-11-14 22:13:20 UTC */
#define ADMIN  "authinfo=admin:admin"

static simproc g_sim;
/* A second simulator some tests start; teardown stops it if a failed
 * assertion left it running. */
static simproc g_aux;

/* ---- HTTP and XML helpers ---- */

typedef struct ans {
	CURLcode cc;
	long http;
	char *body;
	size_t len, cap;
	xmlDocPtr doc;
	double secs;
} ans;

static size_t collect(char *p, size_t size, size_t n, void *ud)
{
	ans *a = ud;
	size_t add = size * n;
	if (a->len + add + 1 > a->cap) {
		/* geometric growth: a 40 MB list arrives in 16 KB pieces */
		size_t cap = a->cap ? a->cap : 65536;
		while (cap < a->len + add + 1)
			cap *= 2;
		char *nb = realloc(a->body, cap);
		if (!nb)
			return 0;
		a->body = nb;
		a->cap = cap;
	}
	memcpy(a->body + a->len, p, add);
	a->len += add;
	a->body[a->len] = '\0';
	return add;
}

static void ans_free(ans *a)
{
	free(a->body);
	if (a->doc)
		xmlFreeDoc(a->doc);
	memset(a, 0, sizeof(*a));
}

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* POSTs body to url on handle c (NULL: a fresh one). */
static void post_on(CURL *c, const char *url, const char *body, long timeout_ms,
                    const char *cafile, ans *a)
{
	bool own = !c;
	memset(a, 0, sizeof(*a));
	if (own)
		c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
	                 timeout_ms ? timeout_ms : 60000L);
	if (cafile)
		curl_easy_setopt(c, CURLOPT_CAINFO, cafile);
	double t0 = mono();
	a->cc = curl_easy_perform(c);
	a->secs = mono() - t0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->http);
	if (own)
		curl_easy_cleanup(c);
	if (a->cc == CURLE_OK && a->http == 200 && a->body)
		a->doc =
		    xmlReadMemory(a->body, (int)a->len, NULL, NULL,
		                  XML_PARSE_NONET | XML_PARSE_NOERROR |
		                      XML_PARSE_NOWARNING | XML_PARSE_HUGE);
}

static void vcall(ans *a, const char *url, const char *fmt, va_list ap)
{
	char body[8192];
	vsnprintf(body, sizeof(body), fmt, ap);
	post_on(NULL, url, body, 0, NULL, a);
}

static void call(ans *a, const char *url, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void call(ans *a, const char *url, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vcall(a, url, fmt, ap);
	va_end(ap);
}

static void ctl(ans *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void ctl(ans *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vcall(a, g_sim.simctl, fmt, ap);
	va_end(ap);
}

static xmlXPathObjectPtr eval(const ans *a, const char *xpath)
{
	if (!a->doc)
		return NULL;
	xmlXPathContextPtr ctx = xmlXPathNewContext(a->doc);
	xmlXPathObjectPtr o =
	    xmlXPathEvalExpression((const xmlChar *)xpath, ctx);
	xmlXPathFreeContext(ctx);
	return o;
}

/* String value of an XPath expression (rotating per-thread buffers). */
static const char *xs(const ans *a, const char *xpath)
{
	static _Thread_local char bufs[8][4096];
	static _Thread_local int next;
	char *b = bufs[next++ % 8];
	b[0] = '\0';
	xmlXPathObjectPtr o = eval(a, xpath);
	if (o) {
		xmlChar *s = xmlXPathCastToString(o);
		snprintf(b, 4096, "%s", (const char *)s);
		xmlFree(s);
		xmlXPathFreeObject(o);
	}
	return b;
}

static double xnum(const ans *a, const char *xpath)
{
	xmlXPathObjectPtr o = eval(a, xpath);
	double v = o ? xmlXPathCastToNumber(o) : NAN;
	if (o)
		xmlXPathFreeObject(o);
	return v;
}

static long xl(const ans *a, const char *xpath)
{
	return (long)xnum(a, xpath);
}

static int xcount(const ans *a, const char *xpath)
{
	char expr[1024];
	snprintf(expr, sizeof(expr), "count(%s)", xpath);
	return (int)xnum(a, expr);
}

static void show(const ans *a)
{
	fprintf(stderr, "  curl=%d http=%ld body=%.2000s\n", a->cc, a->http,
	        a->body ? a->body : "(none)");
}

#define assert_ok(a)                                                           \
	do {                                                                   \
		if (!((a)->cc == CURLE_OK && (a)->http == 200 && (a)->doc &&   \
		      xcount((a), "/doc/error") == 0))                         \
			show(a);                                               \
		assert_int_equal((a)->cc, CURLE_OK);                           \
		assert_int_equal((a)->http, 200);                              \
		assert_non_null((a)->doc);                                     \
		assert_int_equal(xcount((a), "/doc/error"), 0);                \
	} while (0)

#define assert_err(a, type)                                                    \
	do {                                                                   \
		if (strcmp(xs((a), "string(/doc/error/@type)"), (type)))       \
			show(a);                                               \
		assert_int_equal((a)->http, 200);                              \
		assert_string_equal(xs((a), "string(/doc/error/@type)"),       \
		                    (type));                                   \
		assert_true(strlen(xs((a), "string(/doc/error/msg)")) > 0);    \
	} while (0)

#define assert_err_obj(a, type, object)                                        \
	do {                                                                   \
		assert_err(a, type);                                           \
		assert_string_equal(xs((a), "string(/doc/error/@object)"),     \
		                    (object));                                 \
	} while (0)

static const char *dc(int i)
{
	return g_sim.dcimgr[i - 1];
}

/* Makes server id of location d free and unflagged, powered off. */
static void fresh_server(int d, int id)
{
	ans a;
	static const char *const flags[] = {"blocked", "hwproblem",
	                                    "diag_in_progress",
	                                    "operation_failed", "disabled"};
	ctl(&a, "func=server.free&dc=%d&elid=%d", d, id);
	assert_ok(&a);
	ans_free(&a);
	for (size_t i = 0; i < sizeof(flags) / sizeof(*flags); i++) {
		ctl(&a, "func=server.set&dc=%d&elid=%d&flag=%s&value=off", d,
		    id, flags[i]);
		assert_ok(&a);
		ans_free(&a);
	}
	ctl(&a, "func=server.set&dc=%d&elid=%d&flag=power&value=off", d, id);
	assert_ok(&a);
	ans_free(&a);
}

static void advance(long seconds)
{
	ans a;
	ctl(&a, "func=clock.advance&seconds=%ld", seconds);
	assert_ok(&a);
	ans_free(&a);
}

static long long sim_clock(void)
{
	ans a;
	ctl(&a, "func=clock.get");
	assert_ok(&a);
	long long t = (long long)xnum(&a, "number(/doc/now)");
	ans_free(&a);
	return t;
}

/* ---- group: panels (virtual clock) ---- */

static int setup_panels(void **state)
{
	(void)state;
	const char *args[] = {
	    "--clock",           "1700000000", "--locations",     "2",
	    "--servers",         "60",         "--busy-fraction", "0.3",
	    "--install-seconds", "600",        "--power-seconds", "60",
	    "--switch-seconds",  "30",         "--session-idle",  "600",
	    "--group-rows",      "--user",     "admin:admin:29",  "--user",
	    "bob:bobpw:16",      NULL};
	return simproc_start(&g_sim, args);
}

static int teardown(void **state)
{
	(void)state;
	simproc_stop(&g_sim);
	if (g_aux.pid > 0)
		simproc_stop(&g_aux);
	return 0;
}

static void test_ready_line(void **state)
{
	(void)state;
	assert_int_equal(g_sim.ndcimgr, 2);
	assert_non_null(strstr(g_sim.dcimgr[0], "/dc1/dcimgr"));
	assert_non_null(strstr(g_sim.dcimgr[1], "/dc2/dcimgr"));
	assert_int_equal(strncmp(g_sim.ipmgr, "http://127.0.0.1:", 17), 0);
	assert_non_null(strstr(g_sim.billmgr, "/billmgr"));
	assert_non_null(strstr(g_sim.simctl, "/simctl"));
	assert_int_equal(strncmp(g_sim.ready, "READY ", 6), 0);
}

static void test_auth_session(void **state)
{
	(void)state;
	ans a;
	char sid[128];
	call(&a, dc(1), "func=auth&username=admin&password=admin");
	assert_ok(&a);
	snprintf(sid, sizeof(sid), "%s", xs(&a, "string(/doc/auth/@id)"));
	assert_true(strlen(sid) >= 16);
	assert_string_equal(xs(&a, "string(/doc/auth)"), sid);
	assert_string_equal(xs(&a, "string(/doc/auth/@level)"), "29");
	ans_free(&a);

	call(&a, dc(1), "func=osmgr&auth=%s", sid);
	assert_ok(&a);
	assert_true(xcount(&a, "/doc/elem") > 0);
	ans_free(&a);

	/* another location's panel does not accept it */
	call(&a, dc(2), "func=osmgr&auth=%s", sid);
	assert_err(&a, "auth");
	ans_free(&a);
	call(&a, g_sim.ipmgr, "func=iptype&auth=%s", sid);
	assert_err(&a, "auth");
	ans_free(&a);

	call(&a, dc(1), "func=auth&username=admin&password=wrong");
	assert_err(&a, "auth");
	assert_int_equal(xcount(&a, "/doc/auth"), 0);
	ans_free(&a);
	call(&a, dc(1), "func=auth&username=nobody&password=admin");
	assert_err(&a, "auth");
	ans_free(&a);
	call(&a, dc(1), "func=osmgr&auth=0123456789abcdef");
	assert_err(&a, "auth");
	ans_free(&a);
	call(&a, dc(1), "func=osmgr");
	assert_err(&a, "auth");
	ans_free(&a);
}

static void test_session_idle_expiry(void **state)
{
	(void)state;
	ans a;
	char sid[128];
	call(&a, g_sim.ipmgr, "func=auth&username=admin&password=admin");
	assert_ok(&a);
	snprintf(sid, sizeof(sid), "%s", xs(&a, "string(/doc/auth/@id)"));
	ans_free(&a);
	/* use keeps it alive */
	advance(500);
	call(&a, g_sim.ipmgr, "func=iptype&auth=%s", sid);
	assert_ok(&a);
	ans_free(&a);
	advance(500);
	call(&a, g_sim.ipmgr, "func=iptype&auth=%s", sid);
	assert_ok(&a);
	ans_free(&a);
	/* idle longer than --session-idle 600 */
	advance(601);
	call(&a, g_sim.ipmgr, "func=iptype&auth=%s", sid);
	assert_err(&a, "auth");
	ans_free(&a);
	call(&a, g_sim.ipmgr, "func=iptype&auth=%s", sid);
	assert_err(&a, "auth");
	ans_free(&a);
	/* simctl can expire every session at once */
	call(&a, g_sim.ipmgr, "func=auth&username=admin&password=admin");
	snprintf(sid, sizeof(sid), "%s", xs(&a, "string(/doc/auth/@id)"));
	ans_free(&a);
	ctl(&a, "func=session.expire");
	assert_ok(&a);
	assert_true(xl(&a, "number(/doc/expired)") >= 1);
	ans_free(&a);
	call(&a, g_sim.ipmgr, "func=iptype&auth=%s", sid);
	assert_err(&a, "auth");
	ans_free(&a);
}

/* Some builds answer the login with the id attribute only. */
static void test_auth_attr_only(void **state)
{
	(void)state;
	ans a;
	const char *args[] = {"--servers", "2", "--auth-attr-only", NULL};
	assert_int_equal(simproc_start(&g_aux, args), 0);
	call(&a, g_aux.ipmgr, "func=auth&username=admin&password=admin");
	assert_ok(&a);
	assert_string_equal(xs(&a, "string(/doc/auth)"), "");
	assert_true(strlen(xs(&a, "string(/doc/auth/@id)")) >= 16);
	assert_string_equal(xs(&a, "string(/doc/auth/@level)"), "29");
	ans_free(&a);
	simproc_stop(&g_aux);
}

static void test_authinfo(void **state)
{
	(void)state;
	ans a;
	call(&a, g_sim.billmgr, "func=soft&" ADMIN);
	assert_ok(&a);
	ans_free(&a);
	call(&a, g_sim.billmgr, "func=soft&authinfo=admin:nope");
	assert_err(&a, "auth");
	ans_free(&a);
	call(&a, g_sim.billmgr, "func=soft&authinfo=adminadmin");
	assert_err(&a, "auth");
	ans_free(&a);
}

static void test_user_level(void **state)
{
	(void)state;
	ans a;
	call(&a, dc(1), "func=auth&username=bob&password=bobpw");
	assert_ok(&a);
	assert_string_equal(xs(&a, "string(/doc/auth/@level)"), "16");
	ans_free(&a);
	/* a user sees only the servers they own */
	call(&a, dc(1), "func=server&authinfo=bob:bobpw");
	assert_ok(&a);
	assert_int_equal(xcount(&a, "/doc/elem[type!='group']"), 0);
	ans_free(&a);
	/* a server that starts free, so that it keeps a parking address */
	call(&a, dc(1), "func=server&" ADMIN);
	int id = (int)xl(&a, "number(/doc/elem[id > 40][not(owner)][1]/id)");
	assert_true(id > 40);
	ans_free(&a);
	fresh_server(1, id);
	ctl(&a, "func=server.take&dc=1&elid=%d&owner=bob", id);
	assert_ok(&a);
	ans_free(&a);
	call(&a, dc(1), "func=server&authinfo=bob:bobpw");
	assert_ok(&a);
	assert_int_equal(xcount(&a, "/doc/elem[type!='group']"), 1);
	assert_int_equal(xl(&a, "number(/doc/elem[type!='group']/id)"), id);
	ans_free(&a);
	call(&a, dc(1), "func=server.stat&elid=%d&authinfo=bob:bobpw", id);
	assert_ok(&a);
	ans_free(&a);
	call(&a, dc(1), "func=server.stat&elid=%d&authinfo=bob:bobpw", id + 1);
	assert_err_obj(&a, "access", "server");
	ans_free(&a);
	call(&a, dc(1), "func=osmgr&authinfo=bob:bobpw");
	assert_ok(&a);
	ans_free(&a);
	/* administrator functions */
	const char *denied[] = {"server.edit&elid=7", "server.poweron&elid=7",
	                        "iplist&elid=7", "user",
	                        "server.connection&elid=7"};
	for (size_t i = 0; i < sizeof(denied) / sizeof(*denied); i++) {
		call(&a, dc(1), "func=%s&authinfo=bob:bobpw", denied[i]);
		assert_err_obj(&a, "access", "func");
		ans_free(&a);
	}
	call(&a, g_sim.ipmgr,
	     "func=ip.edit&sok=ok&iptype=public&"
	     "authinfo=bob:bobpw");
	assert_err(&a, "access");
	ans_free(&a);
	call(&a, g_sim.billmgr, "func=soft&authinfo=bob:bobpw");
	assert_err(&a, "access");
	ans_free(&a);
	fresh_server(1, id);
}

static void test_server_list(void **state)
{
	(void)state;
	ans a, c;
	call(&a, dc(1), "func=server&" ADMIN);
	assert_ok(&a);
	assert_int_equal(xcount(&a, "/doc/elem[type!='group']"), 60);
	/* --group-rows: separators a client must skip */
	assert_true(xcount(&a, "/doc/elem[type='group']") >= 2);
	assert_int_equal(
	    xcount(&a, "/doc/elem[type!='group'][not(id) or not(name) or "
	               "not(hostname) or not(ip) or not(type) or not(rack) "
	               "or not(mac) or not(ram) or not(cpu) or not(disk)]"),
	    0);
	/* every row has exactly one power flag */
	assert_int_equal(xcount(&a,
	                        "/doc/elem[type!='group'][count(poweron) + "
	                        "count(poweroff) + count(powererror) != 1]"),
	                 0);
	/* busy servers have owners and real hostnames; free ones free.ds */
	int owned = xcount(&a, "/doc/elem[owner]");
	assert_true(owned > 5 && owned < 40);
	assert_int_equal(xcount(&a, "/doc/elem[type!='group'][not(owner)]"
	                            "[hostname!='free.ds']"),
	                 0);
	/* parking addresses for free servers */
	assert_int_equal(xcount(&a, "/doc/elem[type!='group'][not(owner)]"
	                            "[not(starts-with(ip,'172.'))]"),
	                 0);
	/* the free predicate agrees with the simulator's ground truth */
	ctl(&c, "func=state.counts&dc=1");
	assert_ok(&c);
	int types = xcount(&c, "/doc/elem");
	assert_int_equal(types, 3);
	for (int t = 1; t <= types; t++) {
		char xp[512];
		snprintf(xp, sizeof(xp), "string(/doc/elem[%d]/type)", t);
		const char *type = xs(&c, xp);
		snprintf(xp, sizeof(xp), "number(/doc/elem[%d]/free)", t);
		long truth = xl(&c, xp);
		snprintf(xp, sizeof(xp),
		         "/doc/elem[type='%s'][not(owner)][not(blocked)]"
		         "[not(hwproblem)][not(diag_in_progress)]"
		         "[not(install_in_progress)][not(operation_failed)]",
		         type);
		assert_int_equal(xcount(&a, xp), truth);
	}
	ans_free(&c);
	ans_free(&a);
	/* also under /manager/ */
	char url[300];
	snprintf(url, sizeof(url), "%.256s", dc(2));
	char *p = strstr(url, "/dcimgr");
	assert_non_null(p);
	strcpy(p, "/manager/dcimgr");
	call(&a, url, "func=server&" ADMIN);
	assert_ok(&a);
	assert_int_equal(xcount(&a, "/doc/elem[type!='group']"), 60);
	assert_true(
	    xcount(&a, "/doc/elem[type!='group'][starts-with(name,'dc2-')]") ==
	    60);
	ans_free(&a);
}

static void test_server_edit(void **state)
{
	(void)state;
	ans a;
	fresh_server(1, 10);
	call(&a, dc(1), "func=server.edit&elid=10&" ADMIN);
	assert_ok(&a);
	assert_string_equal(xs(&a, "string(/doc/elid)"), "10");
	assert_string_equal(xs(&a, "string(/doc/owner)"), "no_owner");
	assert_string_equal(xs(&a, "string(/doc/hostname)"), "free.ds");
	assert_int_equal(xcount(&a, "/doc/slist[@name='type']/val"), 3);
	assert_true(xcount(&a, "/doc/slist[@name='owner']/val[@key='admin']") ==
	            1);
	char name[64], mac[64], type[64];
	snprintf(name, sizeof(name), "%s", xs(&a, "string(/doc/name)"));
	snprintf(mac, sizeof(mac), "%s", xs(&a, "string(/doc/mac)"));
	snprintf(type, sizeof(type), "%s", xs(&a, "string(/doc/type)"));
	ans_free(&a);

	call(&a, dc(1),
	     "func=server.edit&elid=10&sok=ok&name=%s&mac=%s&type=%s&"
	     "notes=n1&owner=admin&hostname=web10.example.com&" ADMIN,
	     name, mac, type);
	assert_ok(&a);
	assert_int_equal(xcount(&a, "/doc/ok"), 1);
	ans_free(&a);
	call(&a, dc(1), "func=server&" ADMIN);
	assert_string_equal(xs(&a, "string(/doc/elem[id=10]/owner)"), "admin");
	assert_string_equal(xs(&a, "string(/doc/elem[id=10]/hostname)"),
	                    "web10.example.com");
	ans_free(&a);
	/* owner=no_owner clears it */
	call(&a, dc(1),
	     "func=server.edit&elid=10&sok=ok&name=%s&mac=%s&type=%s&"
	     "owner=no_owner&hostname=free.ds&" ADMIN,
	     name, mac, type);
	assert_ok(&a);
	ans_free(&a);
	call(&a, dc(1), "func=server&" ADMIN);
	assert_int_equal(xcount(&a, "/doc/elem[id=10]/owner"), 0);
	ans_free(&a);

	call(&a, dc(1),
	     "func=server.edit&elid=10&sok=ok&name=%s&type=nosuch&" ADMIN,
	     name);
	assert_err_obj(&a, "value", "type");
	ans_free(&a);
	call(&a, dc(1),
	     "func=server.edit&elid=10&sok=ok&name=%s&type=%s&owner="
	     "ghost&" ADMIN,
	     name, type);
	assert_err_obj(&a, "value", "owner");
	ans_free(&a);
	call(&a, dc(1),
	     "func=server.edit&elid=10&sok=ok&name=%s&type=%s&mac=zz&" ADMIN,
	     name, type);
	assert_err_obj(&a, "value", "mac");
	ans_free(&a);
	call(&a, dc(1),
	     "func=server.edit&elid=10&sok=ok&name=%s&type=%s&hostname=a_"
	     "b&" ADMIN,
	     name, type);
	assert_err_obj(&a, "value", "hostname");
	ans_free(&a);
	call(&a, dc(1), "func=server.edit&elid=10&sok=ok&type=%s&" ADMIN, type);
	assert_err_obj(&a, "value", "name");
	ans_free(&a);
	call(&a, dc(1), "func=server.edit&elid=999&" ADMIN);
	assert_err_obj(&a, "missed", "server");
	ans_free(&a);
	call(&a, dc(1), "func=server.edit&elid=abc&" ADMIN);
	assert_err_obj(&a, "value", "elid");
	ans_free(&a);
	call(&a, dc(1), "func=server.edit&" ADMIN);
	assert_err_obj(&a, "value", "elid");
	ans_free(&a);
	/* a refused apply changed nothing */
	call(&a, dc(1), "func=server&" ADMIN);
	assert_string_equal(xs(&a, "string(/doc/elem[id=10]/type)"), type);
	assert_string_equal(xs(&a, "string(/doc/elem[id=10]/mac)"), mac);
	ans_free(&a);
}

static void test_enable_disable(void **state)
{
	(void)state;
	ans a;
	fresh_server(1, 11);
	call(&a, dc(1), "func=server.disable&elid=11&" ADMIN);
	assert_ok(&a);
	ans_free(&a);
	call(&a, dc(1), "func=server&" ADMIN);
	assert_int_equal(xcount(&a, "/doc/elem[id=11]/disabled"), 1);
	ans_free(&a);
	call(&a, dc(1), "func=server.enable&elid=11&" ADMIN);
	assert_ok(&a);
	ans_free(&a);
	call(&a, dc(1), "func=server&" ADMIN);
	assert_int_equal(xcount(&a, "/doc/elem[id=11]/disabled"), 0);
	ans_free(&a);
	call(&a, dc(1), "func=server.enable&elid=0&" ADMIN);
	assert_err(&a, "value");
	ans_free(&a);
}

static const char *row_flag_power(int d, int id, ans *a)
{
	char xp[128];
	call(a, dc(d), "func=server&" ADMIN);
	snprintf(xp, sizeof(xp), "/doc/elem[id=%d]/poweron", id);
	if (xcount(a, xp))
		return "on";
	snprintf(xp, sizeof(xp), "/doc/elem[id=%d]/poweroff", id);
	if (xcount(a, xp))
		return "off";
	return "error";
}

static void test_power_async(void **state)
{
	(void)state;
	ans a;
	fresh_server(1, 12);
	call(&a, dc(1), "func=server.poweron&elid=12&" ADMIN);
	assert_ok(&a);
	ans_free(&a);
	/* not yet: --power-seconds 60 on the virtual clock */
	assert_string_equal(row_flag_power(1, 12, &a), "off");
	ans_free(&a);
	call(&a, dc(1), "func=server.poweroff&elid=12&" ADMIN);
	assert_err_obj(&a, "value", "elid"); /* busy */
	ans_free(&a);
	advance(59);
	assert_string_equal(row_flag_power(1, 12, &a), "off");
	ans_free(&a);
	advance(1);
	assert_string_equal(row_flag_power(1, 12, &a), "on");
	ans_free(&a);
	call(&a, dc(1), "func=server.reboot&elid=12&" ADMIN);
	assert_ok(&a);
	ans_free(&a);
	advance(60);
	assert_string_equal(row_flag_power(1, 12, &a), "on");
	ans_free(&a);
	/* a failing power operation ends in powererror */
	ctl(&a, "func=server.failnext&dc=1&elid=12&op=power");
	assert_ok(&a);
	ans_free(&a);
	call(&a, dc(1), "func=server.poweroff&elid=12&" ADMIN);
	assert_ok(&a);
	ans_free(&a);
	advance(60);
	assert_string_equal(row_flag_power(1, 12, &a), "error");
	ans_free(&a);
	/* and the next one works again */
	call(&a, dc(1), "func=server.poweroff&elid=12&" ADMIN);
	assert_ok(&a);
	ans_free(&a);
	advance(60);
	assert_string_equal(row_flag_power(1, 12, &a), "off");
	ans_free(&a);
	call(&a, dc(1), "func=server.poweron&elid=1000&" ADMIN);
	assert_err_obj(&a, "missed", "server");
	ans_free(&a);
}

static void test_install_async(void **state)
{
	(void)state;
	ans a;
	fresh_server(2, 13);
	call(&a, dc(2), "func=server.operations&elid=13&" ADMIN);
	assert_ok(&a);
	assert_int_equal(xcount(&a, "/doc/slist[@name='ostemplate']/val"), 11);
	ans_free(&a);
	call(&a, dc(2),
	     "func=server.operations&elid=13&sok=ok&operation=ostemplate&"
	     "ostemplate=Debian-12-amd64&passwd=Secret1&confirm=Secret1&"
	     "checkpasswd=on&clearhdd=on&hostname=h13.example.org&"
	     "recipe=&nameserver=8.8.8.8 1.1.1.1&" ADMIN);
	assert_ok(&a);
	ans_free(&a);
	call(&a, dc(2), "func=server&" ADMIN);
	assert_int_equal(xcount(&a, "/doc/elem[id=13]/install_in_progress"), 1);
	assert_string_equal(xs(&a, "string(/doc/elem[id=13]/hostname)"),
	                    "h13.example.org");
	ans_free(&a);
	/* an install in progress makes the server not free */
	ctl(&a, "func=state.server&dc=2&elid=13");
	assert_int_equal(xcount(&a, "/doc/server/free"), 0);
	assert_string_equal(xs(&a, "string(/doc/server/operation)"), "install");
	ans_free(&a);
	call(&a, dc(2), "func=server.poweron&elid=13&" ADMIN);
	assert_err(&a, "value");
	ans_free(&a);
	advance(600);
	call(&a, dc(2), "func=server&" ADMIN);
	assert_int_equal(xcount(&a, "/doc/elem[id=13]/install_in_progress"), 0);
	assert_int_equal(xcount(&a, "/doc/elem[id=13]/operation_failed"), 0);
	assert_int_equal(xcount(&a, "/doc/elem[id=13]/poweron"), 1);
	ans_free(&a);
	ctl(&a, "func=state.server&dc=2&elid=13");
	assert_string_equal(xs(&a, "string(/doc/server/os)"),
	                    "Debian-12-amd64");
	ans_free(&a);

	/* failure */
	ctl(&a, "func=server.failnext&dc=2&elid=13&op=install");
	ans_free(&a);
	call(&a, dc(2),
	     "func=server.operations&elid=13&sok=ok&operation=ostemplate&"
	     "ostemplate=8&passwd=x&" ADMIN);
	assert_ok(&a);
	ans_free(&a);
	advance(600);
	call(&a, dc(2), "func=server&" ADMIN);
	assert_int_equal(xcount(&a, "/doc/elem[id=13]/install_in_progress"), 0);
	assert_int_equal(xcount(&a, "/doc/elem[id=13]/operation_failed"), 1);
	ans_free(&a);

	call(&a, dc(2),
	     "func=server.operations&elid=13&sok=ok&operation=ostemplate&"
	     "ostemplate=NoSuchOS&passwd=x&" ADMIN);
	assert_err_obj(&a, "value", "ostemplate");
	ans_free(&a);
	call(&a, dc(2),
	     "func=server.operations&elid=13&sok=ok&operation=ostemplate&"
	     "ostemplate=Debian-12-amd64&passwd=x&confirm=y&" ADMIN);
	assert_err_obj(&a, "value", "confirm");
	ans_free(&a);
	call(&a, dc(2),
	     "func=server.operations&elid=13&sok=ok&operation=ostemplate&"
	     "ostemplate=Debian-12-amd64&" ADMIN);
	assert_err_obj(&a, "value", "passwd");
	ans_free(&a);
	call(&a, dc(2),
	     "func=server.operations&elid=13&sok=ok&operation=ostemplate&"
	     "ostemplate=Debian-12-amd64&passwd=x&nameserver=dns."
	     "example&" ADMIN);
	assert_err_obj(&a, "value", "nameserver");
	ans_free(&a);
	call(&a, dc(2),
	     "func=server.operations&elid=13&sok=ok&operation=diag&" ADMIN);
	assert_err_obj(&a, "value", "operation");
	ans_free(&a);
	fresh_server(2, 13);
}

/* --install-fail-rate 1 and --power-fail-rate 1: every operation fails,
 * and with 0-second operations the next read shows it. */
static void test_fail_rates(void **state)
{
	(void)state;
	ans a;
	const char *args[] = {"--servers",
	                      "3",
	                      "--flagged-fraction",
	                      "0",
	                      "--install-seconds",
	                      "0",
	                      "--power-seconds",
	                      "0",
	                      "--install-fail-rate",
	                      "1",
	                      "--power-fail-rate",
	                      "1",
	                      NULL};
	assert_int_equal(simproc_start(&g_aux, args), 0);
	call(&a, g_aux.dcimgr[0],
	     "func=server.operations&elid=2&sok=ok&operation=ostemplate&"
	     "ostemplate=1&passwd=p&" ADMIN);
	assert_ok(&a);
	ans_free(&a);
	call(&a, g_aux.dcimgr[0], "func=server.poweron&elid=3&" ADMIN);
	assert_ok(&a);
	ans_free(&a);
	call(&a, g_aux.dcimgr[0], "func=server&" ADMIN);
	assert_int_equal(xcount(&a, "/doc/elem[id=2]/operation_failed"), 1);
	assert_int_equal(xcount(&a, "/doc/elem[id=2]/install_in_progress"), 0);
	assert_int_equal(xcount(&a, "/doc/elem[id=3]/powererror"), 1);
	ans_free(&a);
	simproc_stop(&g_aux);
}

static void test_osmgr(void **state)
{
	(void)state;
	ans a;
	call(&a, dc(1), "func=osmgr&" ADMIN);
	assert_ok(&a);
	assert_int_equal(xcount(&a, "/doc/elem"), 11);
	assert_int_equal(xcount(&a, "/doc/elem[name='Debian-12-amd64']"), 1);
	assert_int_equal(xcount(&a, "/doc/elem[not(id) or not(name)]"), 0);
	ans_free(&a);
}

static void test_connections(void **state)
{
	(void)state;
	ans a;
	char sw[32];
	fresh_server(1, 14);
	call(&a, dc(1), "func=server.connection&elid=14&" ADMIN);
	assert_ok(&a);
	assert_int_equal(xcount(&a, "/doc/elem"), 3);
	assert_int_equal(xcount(&a, "/doc/elem[type='Switch'][speed > 0]"), 1);
	assert_int_equal(xcount(&a, "/doc/elem[type='IPMI']"), 1);
	assert_int_equal(xcount(&a, "/doc/elem[type='PDU']"), 1);
	assert_int_equal(xcount(&a, "/doc/elem[not(port) or not(id)]"), 0);
	snprintf(sw, sizeof(sw), "%s",
	         xs(&a, "string(/doc/elem[type='Switch']/id)"));
	char ipmi[32];
	snprintf(ipmi, sizeof(ipmi), "%s",
	         xs(&a, "string(/doc/elem[type='IPMI']/id)"));
	ans_free(&a);

	call(&a, dc(1), "func=server.connection.edit&plid=14&elid=%s&" ADMIN,
	     sw);
	assert_ok(&a);
	assert_true(xcount(&a, "/doc/slist[@name='speed']/val[@key='10000']") ==
	            1);
	ans_free(&a);
	call(&a, dc(1),
	     "func=server.connection.edit&plid=14&elid=%s&sok=ok&speed="
	     "10000&" ADMIN,
	     sw);
	assert_ok(&a);
	ans_free(&a);
	call(&a, dc(1),
	     "func=server.connection.edit&plid=14&elid=%s&sok=ok&speed="
	     "123&" ADMIN,
	     sw);
	assert_err_obj(&a, "value", "speed");
	ans_free(&a);
	call(&a, dc(1),
	     "func=server.connection.edit&plid=14&elid=%s&sok=ok&speed="
	     "100&" ADMIN,
	     ipmi);
	assert_err_obj(&a, "value", "elid");
	ans_free(&a);
	call(&a, dc(1), "func=server.connection.edit&plid=15&elid=%s&" ADMIN,
	     sw);
	assert_err_obj(&a, "missed", "connection");
	ans_free(&a);

	/* switching is asynchronous (--switch-seconds 30) */
	call(&a, dc(1), "func=server.connection.on&plid=14&elid=%s&" ADMIN, sw);
	assert_ok(&a);
	ans_free(&a);
	call(&a, dc(1), "func=server.connection&elid=14&" ADMIN);
	assert_int_equal(
	    xcount(&a, "/doc/elem[type='Switch']/func_in_progress"), 1);
	assert_string_equal(xs(&a, "string(/doc/elem[type='Switch']/speed)"),
	                    "10000");
	ans_free(&a);
	advance(30);
	call(&a, dc(1), "func=server.connection&elid=14&" ADMIN);
	assert_int_equal(
	    xcount(&a, "/doc/elem[type='Switch']/func_in_progress"), 0);
	assert_string_equal(xs(&a, "string(/doc/elem[type='Switch']/state)"),
	                    "on");
	ans_free(&a);
	call(&a, dc(1), "func=server.connection.off&plid=14&elid=%s&" ADMIN,
	     sw);
	assert_ok(&a);
	ans_free(&a);
	advance(30);
	call(&a, dc(1), "func=server.connection&elid=14&" ADMIN);
	assert_string_equal(xs(&a, "string(/doc/elem[type='Switch']/state)"),
	                    "off");
	ans_free(&a);
}

static void test_iplist(void **state)
{
	(void)state;
	ans a;
	char pub[64], park[64], id[32], auto_id[32], auto_ip[64];
	fresh_server(1, 20);
	call(&a, dc(1), "func=iplist&elid=20&" ADMIN);
	assert_ok(&a);
	assert_int_equal(xcount(&a, "/doc/elem"), 1);
	assert_int_equal(xcount(&a, "/doc/elem[main][iptype='parking']"), 1);
	snprintf(park, sizeof(park), "%s", xs(&a, "string(/doc/elem/ip)"));
	assert_string_equal(xs(&a, "string(/doc/elem/family)"), "ipv4");
	ans_free(&a);

	/* take a public address in IPmanager, attach it as main */
	call(&a, g_sim.ipmgr,
	     "func=ip.edit&sok=ok&family=ipv4&iptype=public&domain=s20.example."
	     "com&" ADMIN);
	assert_ok(&a);
	snprintf(pub, sizeof(pub), "%s", xs(&a, "string(/doc/ip)"));
	assert_true(strlen(pub) >= 7);
	ans_free(&a);
	call(&a, dc(1),
	     "func=iplist.edit&plid=20&sok=ok&ip=%s&family=ipv4&"
	     "domain=s20.example.com&main=on&" ADMIN,
	     pub);
	assert_ok(&a);
	assert_string_equal(xs(&a, "string(/doc/ip)"), pub);
	snprintf(id, sizeof(id), "%s", xs(&a, "string(/doc/id)"));
	assert_true(atoi(id) > 0);
	ans_free(&a);
	call(&a, dc(1), "func=iplist&elid=20&" ADMIN);
	assert_int_equal(xcount(&a, "/doc/elem"), 2);
	char xp[256];
	snprintf(xp, sizeof(xp), "/doc/elem[ip='%s'][main]", pub);
	assert_int_equal(xcount(&a, xp), 1);
	assert_int_equal(xcount(&a, "/doc/elem[main]"), 1);
	ans_free(&a);
	call(&a, dc(1), "func=server&" ADMIN);
	assert_string_equal(xs(&a, "string(/doc/elem[id=20]/ip)"), pub);
	ans_free(&a);

	/* the same address again, to this or another server: exists */
	call(&a, dc(1), "func=iplist.edit&plid=20&sok=ok&ip=%s&" ADMIN, pub);
	assert_err_obj(&a, "exists", "ip");
	ans_free(&a);
	call(&a, dc(1), "func=iplist.edit&plid=21&sok=ok&ip=%s&" ADMIN, pub);
	assert_err_obj(&a, "exists", "ip");
	ans_free(&a);
	/* an address IPmanager never gave out */
	call(&a, dc(1),
	     "func=iplist.edit&plid=20&sok=ok&ip=185.0.255.250&" ADMIN);
	assert_err_obj(&a, "value", "ip");
	ans_free(&a);
	call(&a, dc(1), "func=iplist.edit&plid=20&sok=ok&ip=1.2.3&" ADMIN);
	assert_err_obj(&a, "value", "ip");
	ans_free(&a);
	/* the panel takes one itself when given only a type */
	call(&a, dc(1),
	     "func=iplist.edit&plid=20&sok=ok&iptype=guardvlan9&family="
	     "ipv4&" ADMIN);
	assert_ok(&a);
	snprintf(auto_id, sizeof(auto_id), "%s", xs(&a, "string(/doc/id)"));
	snprintf(auto_ip, sizeof(auto_ip), "%s", xs(&a, "string(/doc/ip)"));
	assert_int_equal(strncmp(auto_ip, "192.168.9.", 10), 0);
	ans_free(&a);
	call(&a, dc(1), "func=iplist.edit&plid=20&sok=ok&iptype=nosuch&" ADMIN);
	assert_err_obj(&a, "missed", "iptype");
	ans_free(&a);
	call(&a, dc(1), "func=iplist.edit&plid=20&sok=ok&" ADMIN);
	assert_err_obj(&a, "value", "iptype");
	ans_free(&a);
	/* edit the domain of an attached address */
	call(&a, dc(1),
	     "func=iplist.edit&plid=20&elid=%s&sok=ok&domain=x.example."
	     "com&" ADMIN,
	     auto_id);
	assert_ok(&a);
	ans_free(&a);
	call(&a, dc(1), "func=iplist&elid=20&" ADMIN);
	snprintf(xp, sizeof(xp), "string(/doc/elem[id=%s]/domain)", auto_id);
	assert_string_equal(xs(&a, xp), "x.example.com");
	ans_free(&a);

	/* detach the parking address and release it in IPmanager */
	call(&a, g_sim.ipmgr, "func=ip.delete&elid=%s&" ADMIN, park);
	assert_err_obj(&a, "value", "elid"); /* still attached */
	ans_free(&a);
	call(&a, dc(1), "func=iplist.delete&plid=20&elid=%s&" ADMIN, park);
	assert_ok(&a);
	ans_free(&a);
	call(&a, g_sim.ipmgr, "func=ip.delete&elid=%s&" ADMIN, park);
	assert_ok(&a);
	ans_free(&a);
	call(&a, g_sim.ipmgr, "func=ip.delete&elid=%s&" ADMIN, park);
	assert_err_obj(&a, "missed", "ip");
	ans_free(&a);
	call(&a, dc(1), "func=iplist.delete&plid=20&elid=%s&" ADMIN, auto_id);
	assert_ok(&a);
	ans_free(&a);
	call(&a, dc(1), "func=iplist.delete&plid=20&elid=%s&" ADMIN, auto_id);
	assert_err_obj(&a, "missed", "ip");
	ans_free(&a);
	call(&a, g_sim.ipmgr, "func=ip.delete&elid=%s&" ADMIN, auto_ip);
	assert_ok(&a);
	ans_free(&a);
	call(&a, dc(1), "func=iplist&elid=20&" ADMIN);
	assert_int_equal(xcount(&a, "/doc/elem"), 1);
	ans_free(&a);
	/* park it again, as closing a service does */
	call(&a, g_sim.ipmgr, "func=ip.edit&sok=ok&iptype=parking&" ADMIN);
	assert_ok(&a);
	snprintf(park, sizeof(park), "%s", xs(&a, "string(/doc/ip)"));
	ans_free(&a);
	call(&a, dc(1), "func=iplist.edit&plid=20&sok=ok&ip=%s&main=on&" ADMIN,
	     park);
	assert_ok(&a);
	ans_free(&a);
	call(&a, dc(1), "func=iplist.delete&plid=20&elid=%s&" ADMIN, id);
	assert_ok(&a);
	ans_free(&a);
	call(&a, g_sim.ipmgr, "func=ip.delete&elid=%s&" ADMIN, pub);
	assert_ok(&a);
	ans_free(&a);
	call(&a, dc(1), "func=server&" ADMIN);
	assert_string_equal(xs(&a, "string(/doc/elem[id=20]/ip)"), park);
	ans_free(&a);
}

static void test_dci_users(void **state)
{
	(void)state;
	ans a;
	call(&a, dc(2), "func=user&" ADMIN);
	assert_ok(&a);
	assert_int_equal(xcount(&a, "/doc/elem[name='admin'][level='lvAdmin']"),
	                 1);
	assert_int_equal(xcount(&a, "/doc/elem[name='bob'][level='lvUser']"),
	                 1);
	ans_free(&a);
	call(&a, dc(2),
	     "func=user.edit&sok=ok&name=carol&passwd=c4rol&level="
	     "lvUser&" ADMIN);
	assert_ok(&a);
	assert_true(xl(&a, "number(/doc/id)") > 0);
	ans_free(&a);
	call(&a, dc(2),
	     "func=user.edit&sok=ok&name=carol&passwd=x&level=lvUser&" ADMIN);
	assert_err_obj(&a, "exists", "user");
	ans_free(&a);
	call(&a, dc(2),
	     "func=user.edit&sok=ok&name=dave&passwd=x&level=root&" ADMIN);
	assert_err_obj(&a, "value", "level");
	ans_free(&a);
	call(&a, dc(2), "func=user.edit&sok=ok&name=dave&" ADMIN);
	assert_err_obj(&a, "value", "passwd");
	ans_free(&a);
	call(&a, dc(2),
	     "func=user.edit&sok=ok&name=dave&passwd=x&confirm=y&" ADMIN);
	assert_err_obj(&a, "value", "confirm");
	ans_free(&a);
	call(&a, dc(2), "func=user.edit&sok=ok&name=a%%20b&passwd=x&" ADMIN);
	assert_err_obj(&a, "value", "name");
	ans_free(&a);
	/* the new account logs in on its own location only */
	call(&a, dc(2), "func=auth&username=carol&password=c4rol");
	assert_ok(&a);
	assert_string_equal(xs(&a, "string(/doc/auth/@level)"), "16");
	ans_free(&a);
	call(&a, dc(1), "func=auth&username=carol&password=c4rol");
	assert_err(&a, "auth");
	ans_free(&a);
	/* and can now own a server */
	fresh_server(2, 22);
	call(&a, dc(2), "func=server.edit&elid=22&" ADMIN);
	char name[64], type[64];
	snprintf(name, sizeof(name), "%s", xs(&a, "string(/doc/name)"));
	snprintf(type, sizeof(type), "%s", xs(&a, "string(/doc/type)"));
	ans_free(&a);
	call(&a, dc(2),
	     "func=server.edit&elid=22&sok=ok&name=%s&type=%s&owner=carol&"
	     "hostname=c.example.com&" ADMIN,
	     name, type);
	assert_ok(&a);
	ans_free(&a);
	call(&a, dc(2), "func=user.delete&elid=carol&" ADMIN);
	assert_err_obj(&a, "value", "user"); /* owns a server */
	ans_free(&a);
	fresh_server(2, 22);
	call(&a, dc(2), "func=user.edit&elid=carol&sok=ok&passwd=new&" ADMIN);
	assert_ok(&a);
	ans_free(&a);
	call(&a, dc(2), "func=auth&username=carol&password=new");
	assert_ok(&a);
	ans_free(&a);
	call(&a, dc(2), "func=user.delete&elid=carol&" ADMIN);
	assert_ok(&a);
	ans_free(&a);
	call(&a, dc(2), "func=auth&username=carol&password=new");
	assert_err(&a, "auth");
	ans_free(&a);
	call(&a, dc(2), "func=user.delete&elid=carol&" ADMIN);
	assert_err_obj(&a, "missed", "user");
	ans_free(&a);
}

static void test_ipmgr(void **state)
{
	(void)state;
	ans a;
	char net[32], addrs[6][64], xp[256];
	call(&a, g_sim.ipmgr, "func=iptype&" ADMIN);
	assert_ok(&a);
	assert_int_equal(xcount(&a, "/doc/elem"), 5);
	assert_int_equal(xcount(&a, "/doc/elem[name='parking']"), 1);
	assert_int_equal(xcount(&a, "/doc/elem[name='guardvlan9']"), 1);
	ans_free(&a);
	call(&a, g_sim.ipmgr,
	     "func=iptype.edit&sok=ok&name=guardvlan10&note=test&" ADMIN);
	assert_ok(&a);
	assert_string_equal(xs(&a, "string(/doc/id)"), "guardvlan10");
	ans_free(&a);
	call(&a, g_sim.ipmgr,
	     "func=iptype.edit&sok=ok&name=guardvlan10&" ADMIN);
	assert_err_obj(&a, "exists", "iptype");
	ans_free(&a);
	call(&a, g_sim.ipmgr,
	     "func=iptype.edit&sok=ok&name=bad%%20name&" ADMIN);
	assert_err_obj(&a, "value", "name");
	ans_free(&a);
	call(&a, g_sim.ipmgr,
	     "func=ipnet.edit&sok=ok&net=10.200.0.0/29&gateway=10.200.0.1&"
	     "iptype=guardvlan10&" ADMIN);
	assert_ok(&a);
	snprintf(net, sizeof(net), "%s", xs(&a, "string(/doc/id)"));
	ans_free(&a);
	call(&a, g_sim.ipmgr, "func=ipnet&iptype=guardvlan10&" ADMIN);
	assert_int_equal(xcount(&a, "/doc/elem"), 1);
	/* /29: 6 hosts, one is the gateway */
	assert_string_equal(xs(&a, "string(/doc/elem/free)"), "5");
	assert_string_equal(xs(&a, "string(/doc/elem/net)"), "10.200.0.0/29");
	assert_string_equal(xs(&a, "string(/doc/elem/family)"), "ipv4");
	ans_free(&a);
	const char *badnets[][2] = {{"10.200.0.4/29", "value"},
	                            {"10.200.0.0/28", "exists"},
	                            {"10.200.0.7-10.200.0.9", "exists"},
	                            {"10.300.0.0/24", "value"},
	                            {"10.0.0.0/4", "value"},
	                            {"10.201.0.9-10.201.0.1", "value"}};
	for (size_t i = 0; i < 6; i++) {
		call(&a, g_sim.ipmgr,
		     "func=ipnet.edit&sok=ok&net=%s&iptype=guardvlan10&" ADMIN,
		     badnets[i][0]);
		assert_err_obj(&a, badnets[i][1], "net");
		ans_free(&a);
	}
	call(&a, g_sim.ipmgr,
	     "func=ipnet.edit&sok=ok&net=10.202.0.0/30&iptype=nosuch&" ADMIN);
	assert_err_obj(&a, "missed", "iptype");
	ans_free(&a);
	call(&a, g_sim.ipmgr,
	     "func=ipnet.edit&sok=ok&net=10.202.0.0/30&gateway=10.9.9.9&"
	     "iptype=guardvlan10&" ADMIN);
	assert_err_obj(&a, "value", "gateway");
	ans_free(&a);

	/* allocate until exhausted: lowest first, never the gateway */
	for (int i = 0; i < 5; i++) {
		call(&a, g_sim.ipmgr,
		     "func=ip.edit&sok=ok&iptype=guardvlan10&family=ipv4&"
		     "note=n%d&" ADMIN,
		     i);
		assert_ok(&a);
		snprintf(addrs[i], sizeof(addrs[i]), "%s",
		         xs(&a, "string(/doc/ip)"));
		char want[32];
		snprintf(want, sizeof(want), "10.200.0.%d", i + 2);
		assert_string_equal(addrs[i], want);
		ans_free(&a);
	}
	call(&a, g_sim.ipmgr, "func=ip.edit&sok=ok&iptype=guardvlan10&" ADMIN);
	assert_err_obj(&a, "limit", "iptype");
	assert_string_equal(xs(&a, "string(/doc/error/@value)"), "guardvlan10");
	ans_free(&a);
	call(&a, g_sim.ipmgr, "func=ip&iptype=guardvlan10&" ADMIN);
	assert_int_equal(xcount(&a, "/doc/elem"), 5);
	assert_string_equal(xs(&a, "string(/doc/elem[ip='10.200.0.4']/note)"),
	                    "n2");
	ans_free(&a);
	/* explicit addresses */
	call(&a, g_sim.ipmgr,
	     "func=ip.edit&sok=ok&iptype=guardvlan10&ip=10.200.0.3&" ADMIN);
	assert_err_obj(&a, "exists", "ip");
	ans_free(&a);
	call(&a, g_sim.ipmgr,
	     "func=ip.edit&sok=ok&iptype=guardvlan10&ip=10.200.0.1&" ADMIN);
	assert_err_obj(&a, "value", "ip");
	ans_free(&a);
	call(&a, g_sim.ipmgr,
	     "func=ip.edit&sok=ok&iptype=public&ip=10.200.0.3&" ADMIN);
	assert_err_obj(&a, "value", "iptype");
	ans_free(&a);
	call(&a, g_sim.ipmgr, "func=ip.delete&elid=10.200.0.4&" ADMIN);
	assert_ok(&a);
	ans_free(&a);
	call(&a, g_sim.ipmgr,
	     "func=ip.edit&sok=ok&iptype=guardvlan10&ip=10.200.0.4&" ADMIN);
	assert_ok(&a);
	assert_string_equal(xs(&a, "string(/doc/ip)"), "10.200.0.4");
	ans_free(&a);
	/* the address form and its edit */
	call(&a, g_sim.ipmgr,
	     "func=ip.edit&elid=10.200.0.4&sok=ok&domain=d.example.net&" ADMIN);
	assert_ok(&a);
	assert_string_equal(xs(&a, "string(/doc/domain)"), "d.example.net");
	ans_free(&a);
	call(&a, g_sim.ipmgr,
	     "func=ip.edit&sok=ok&iptype=guardvlan10&family=ipx&" ADMIN);
	assert_err_obj(&a, "value", "family");
	ans_free(&a);
	call(&a, g_sim.ipmgr, "func=ip.edit&sok=ok&" ADMIN);
	assert_err_obj(&a, "value", "iptype");
	ans_free(&a);
	call(&a, g_sim.ipmgr, "func=ip.edit&sok=ok&iptype=nosuch&" ADMIN);
	assert_err_obj(&a, "missed", "iptype");
	ans_free(&a);
	/* a range or type in use cannot go */
	call(&a, g_sim.ipmgr, "func=ipnet.delete&elid=%s&" ADMIN, net);
	assert_err_obj(&a, "value", "ipnet");
	ans_free(&a);
	call(&a, g_sim.ipmgr, "func=iptype.delete&elid=guardvlan10&" ADMIN);
	assert_err_obj(&a, "value", "iptype");
	ans_free(&a);
	/* change the range's type and gateway */
	call(&a, g_sim.ipmgr,
	     "func=ipnet.edit&elid=%s&sok=ok&gateway=&note=moved&" ADMIN, net);
	assert_ok(&a);
	assert_string_equal(xs(&a, "string(/doc/free)"), "1");
	assert_string_equal(xs(&a, "string(/doc/note)"), "moved");
	ans_free(&a);
	for (int i = 0; i < 5; i++) {
		call(&a, g_sim.ipmgr, "func=ip.delete&elid=10.200.0.%d&" ADMIN,
		     i + 2);
		assert_ok(&a);
		ans_free(&a);
	}
	call(&a, g_sim.ipmgr, "func=ipnet.delete&elid=%s&" ADMIN, net);
	assert_ok(&a);
	ans_free(&a);
	call(&a, g_sim.ipmgr, "func=ipnet.delete&elid=%s&" ADMIN, net);
	assert_err_obj(&a, "missed", "ipnet");
	ans_free(&a);
	call(&a, g_sim.ipmgr, "func=iptype.delete&elid=guardvlan10&" ADMIN);
	assert_ok(&a);
	ans_free(&a);
	call(&a, g_sim.ipmgr, "func=iptype.delete&elid=guardvlan10&" ADMIN);
	assert_err_obj(&a, "missed", "iptype");
	ans_free(&a);
	snprintf(xp, sizeof(xp), "func=ip.delete&elid=10.200.0.2&" ADMIN);
	call(&a, g_sim.ipmgr, "%s", xp);
	assert_err(&a, "missed");
	ans_free(&a);

	/* IPv6 */
	call(&a, g_sim.ipmgr,
	     "func=ip.edit&sok=ok&iptype=ipv6&family=ipv6&" ADMIN);
	assert_ok(&a);
	assert_non_null(strchr(xs(&a, "string(/doc/ip)"), ':'));
	ans_free(&a);
	call(&a, g_sim.ipmgr,
	     "func=ip.edit&sok=ok&iptype=ipv6&family=ipv4&" ADMIN);
	assert_err_obj(&a, "limit", "iptype");
	ans_free(&a);
	call(&a, g_sim.ipmgr,
	     "func=ipnet.edit&sok=ok&net=2001:db8:ffff::/"
	     "120&iptype=ipv6&" ADMIN);
	assert_ok(&a);
	ans_free(&a);
	call(&a, g_sim.ipmgr,
	     "func=ip.edit&sok=ok&iptype=ipv6&ip=2001:db8:ffff::10&" ADMIN);
	assert_ok(&a);
	assert_string_equal(xs(&a, "string(/doc/ip)"), "2001:db8:ffff::10");
	ans_free(&a);
	call(
	    &a, g_sim.ipmgr,
	    "func=ipnet.edit&sok=ok&net=2001:db8:fffe::/64&iptype=ipv6&" ADMIN);
	assert_err_obj(&a, "value", "net"); /* too large to simulate */
	ans_free(&a);
}

static void test_billmgr(void **state)
{
	(void)state;
	ans a;
	char id[32];
	call(&a, g_sim.billmgr, "func=soft.order.param&" ADMIN);
	assert_ok(&a);
	assert_int_equal(xcount(&a, "/doc/slist[@name='pricelist']/val"), 5);
	ans_free(&a);
	call(&a, g_sim.billmgr,
	     "func=soft.order.param&sok=ok&skipbasket=on&pricelist=1&"
	     "period=12&ip=185.0.0.77&licname=srv77&remoteid=77&" ADMIN);
	assert_ok(&a);
	snprintf(id, sizeof(id), "%s", xs(&a, "string(/doc/id)"));
	assert_true(atoi(id) > 0);
	ans_free(&a);
	call(&a, g_sim.billmgr,
	     "func=soft.order.param&sok=ok&pricelist=ISPmanager-Lite&"
	     "ip=185.0.0.77&" ADMIN);
	assert_err_obj(&a, "exists", "ip");
	ans_free(&a);
	call(&a, g_sim.billmgr, "func=soft&" ADMIN);
	char xp[128];
	snprintf(xp, sizeof(xp), "string(/doc/elem[id=%s]/status)", id);
	assert_string_equal(xs(&a, xp), "active");
	snprintf(xp, sizeof(xp), "string(/doc/elem[id=%s]/ip)", id);
	assert_string_equal(xs(&a, xp), "185.0.0.77");
	ans_free(&a);
	call(&a, g_sim.billmgr, "func=soft.suspend&elid=%s&" ADMIN, id);
	assert_ok(&a);
	ans_free(&a);
	call(&a, g_sim.billmgr, "func=soft.edit&elid=%s&" ADMIN, id);
	assert_string_equal(xs(&a, "string(/doc/status)"), "suspended");
	assert_string_equal(xs(&a, "string(/doc/period)"), "12");
	ans_free(&a);
	call(&a, g_sim.billmgr, "func=soft.resume&elid=%s&" ADMIN, id);
	assert_ok(&a);
	ans_free(&a);
	call(&a, g_sim.billmgr,
	     "func=soft.edit&elid=%s&sok=ok&ip=185.0.0.78&licname=n&" ADMIN,
	     id);
	assert_ok(&a);
	ans_free(&a);
	call(&a, g_sim.billmgr, "func=soft.edit&elid=%s&" ADMIN, id);
	assert_string_equal(xs(&a, "string(/doc/ip)"), "185.0.0.78");
	assert_string_equal(xs(&a, "string(/doc/status)"), "active");
	ans_free(&a);
	call(&a, g_sim.billmgr,
	     "func=soft.order.param&sok=ok&pricelist=1&ip=185.0.0.77&" ADMIN);
	assert_ok(&a); /* the old address is free for a licence again */
	ans_free(&a);
	call(&a, g_sim.billmgr, "func=soft.delete&elid=%s&" ADMIN, id);
	assert_ok(&a);
	ans_free(&a);
	call(&a, g_sim.billmgr, "func=soft.delete&elid=%s&" ADMIN, id);
	assert_err_obj(&a, "missed", "soft");
	ans_free(&a);
	call(&a, g_sim.billmgr, "func=soft.suspend&elid=%s&" ADMIN, id);
	assert_err_obj(&a, "missed", "soft");
	ans_free(&a);
	call(&a, g_sim.billmgr,
	     "func=soft.order.param&sok=ok&pricelist=99&ip=185.0.0.79&" ADMIN);
	assert_err_obj(&a, "value", "pricelist");
	ans_free(&a);
	call(&a, g_sim.billmgr,
	     "func=soft.order.param&sok=ok&pricelist=1&ip=nothing&" ADMIN);
	assert_err_obj(&a, "value", "ip");
	ans_free(&a);
	call(&a, g_sim.billmgr,
	     "func=soft.order.param&sok=ok&pricelist=1&ip=185.0.0.79&period="
	     "0&" ADMIN);
	assert_err_obj(&a, "value", "period");
	ans_free(&a);
	call(&a, g_sim.billmgr, "func=soft.resume&" ADMIN);
	assert_err_obj(&a, "value", "elid");
	ans_free(&a);
	ctl(&a, "func=state.licences");
	assert_ok(&a);
	assert_true(xcount(&a, "/doc/elem[status='deleted']") >= 1);
	ans_free(&a);
}

static void test_wire_details(void **state)
{
	(void)state;
	ans a;
	char url[400];
	/* unknown function, unknown path */
	call(&a, dc(1), "func=server.explode&" ADMIN);
	assert_err_obj(&a, "missed", "func");
	assert_string_equal(xs(&a, "string(/doc/error/@value)"),
	                    "server.explode");
	ans_free(&a);
	snprintf(url, sizeof(url), "%s", g_sim.ipmgr);
	strcpy(strstr(url, "/ipmgr"), "/nopanel");
	call(&a, url, "func=auth");
	assert_int_equal(a.http, 404);
	ans_free(&a);
	snprintf(url, sizeof(url), "%s", g_sim.ipmgr);
	strcpy(strstr(url, "/ipmgr"), "/dc9/dcimgr");
	call(&a, url, "func=auth");
	assert_int_equal(a.http, 404);
	ans_free(&a);
	/* parameters from the query string; the body wins over it */
	snprintf(url, sizeof(url), "%s?func=iptype&authinfo=admin:admin",
	         g_sim.ipmgr);
	call(&a, url, "out=xml");
	assert_ok(&a);
	assert_int_equal(xcount(&a, "/doc/elem"), 5);
	ans_free(&a);
	snprintf(url, sizeof(url), "%s?func=nosuch&authinfo=admin:admin",
	         g_sim.ipmgr);
	call(&a, url, "func=iptype");
	assert_ok(&a);
	ans_free(&a);
	/* values that are not UTF-8 text are refused, naming the field */
	call(&a, g_sim.ipmgr, "func=iptype&" ADMIN "&note=%%ff%%fe");
	assert_err_obj(&a, "value", "note");
	ans_free(&a);
	call(&a, g_sim.ipmgr, "func=iptype&" ADMIN "&note=a%%01b");
	assert_err(&a, "value");
	ans_free(&a);
	/* XML special characters come back escaped */
	fresh_server(1, 30);
	call(&a, dc(1), "func=server.edit&elid=30&" ADMIN);
	char name[64], type[64];
	snprintf(name, sizeof(name), "%s", xs(&a, "string(/doc/name)"));
	snprintf(type, sizeof(type), "%s", xs(&a, "string(/doc/type)"));
	ans_free(&a);
	call(&a, dc(1),
	     "func=server.edit&elid=30&sok=ok&name=%s&type=%s&hostname=free.ds&"
	     "notes=%%3C%%26%%22'%%3E%%20%%D0%%AF&" ADMIN,
	     name, type);
	assert_ok(&a);
	ans_free(&a);
	call(&a, dc(1), "func=server.edit&elid=30&" ADMIN);
	assert_ok(&a);
	assert_string_equal(xs(&a, "string(/doc/notes)"), "<&\"'> \xd0\xaf");
	ans_free(&a);
}

/* Rows of server.stat as arrays. */
typedef struct rows {
	int n;
	long long t[400];
	unsigned long long in[400], out[400];
	long power[400];
} statrows;

static void stat_rows(int d, int id, long long b, long long e, statrows *r,
                      char **body)
{
	ans a;
	call(&a, dc(d), "func=server.stat&elid=%d&begin=%lld&end=%lld&" ADMIN,
	     id, b, e);
	assert_ok(&a);
	r->n = xcount(&a, "/doc/reportdata/stat/elem");
	assert_true(r->n <= 400);
	for (int i = 0; i < r->n; i++) {
		char xp[128];
		snprintf(xp, sizeof(xp),
		         "number(/doc/reportdata/stat/elem[%d]/time)", i + 1);
		r->t[i] = (long long)xnum(&a, xp);
		snprintf(xp, sizeof(xp),
		         "number(/doc/reportdata/stat/elem[%d]/in)", i + 1);
		r->in[i] = (unsigned long long)xnum(&a, xp);
		snprintf(xp, sizeof(xp),
		         "number(/doc/reportdata/stat/elem[%d]/out)", i + 1);
		r->out[i] = (unsigned long long)xnum(&a, xp);
		snprintf(xp, sizeof(xp),
		         "number(/doc/reportdata/stat/elem[%d]/power)", i + 1);
		r->power[i] = (long)xnum(&a, xp);
	}
	if (body) {
		*body = a.body;
		a.body = NULL;
	}
	ans_free(&a);
}

static int cmp_ull(const void *x, const void *y)
{
	unsigned long long a = *(const unsigned long long *)x,
	                   b = *(const unsigned long long *)y;
	return a < b ? -1 : a > b;
}

static void test_stats(void **state)
{
	(void)state;
	ans a;
	statrows r;
	char *body1, *body2;
	long long now = sim_clock();
	long long day = now - now % 86400;
	/* a full past day */
	stat_rows(1, 5, day - 86400, day, &r, &body1);
	assert_true(r.n > 200 && r.n <= 288);
	for (int i = 0; i < r.n; i++) {
		assert_int_equal(r.t[i] % 300, 0);
		assert_true(r.t[i] >= day - 86400 && r.t[i] < day);
		if (i)
			assert_true(r.t[i] > r.t[i - 1]);
		assert_true(r.out[i] > 0);
		assert_true(r.power[i] > 20 && r.power[i] < 1000);
	}
	/* deterministic */
	stat_rows(1, 5, day - 86400, day, &r, &body2);
	assert_string_equal(body1, body2);
	free(body2);
	/* another server has other traffic */
	statrows r2;
	stat_rows(1, 6, day - 86400, day, &r2, &body2);
	assert_string_not_equal(body1, body2);
	free(body1);
	free(body2);

	/* sums and the 95th percentile agree with traffic reports and the
	 * simulator's truth */
	unsigned long long sin = 0, sout = 0, vin[400], vout[400];
	for (int i = 0; i < r.n; i++) {
		sin += r.in[i];
		sout += r.out[i];
		vin[i] = r.in[i];
		vout[i] = r.out[i];
	}
	qsort(vin, (size_t)r.n, sizeof(*vin), cmp_ull);
	qsort(vout, (size_t)r.n, sizeof(*vout), cmp_ull);
	int rank = (95 * r.n + 99) / 100;
	double bin = (double)vin[rank - 1] * 1024 * 8 / 300 / 1e6;
	double bout = (double)vout[rank - 1] * 1024 * 8 / 300 / 1e6;

	ctl(&a, "func=stat.truth&dc=1&elid=5&begin=%lld&end=%lld", day - 86400,
	    day);
	assert_ok(&a);
	assert_int_equal(xl(&a, "number(/doc/present)"), r.n);
	assert_int_equal(xl(&a, "number(/doc/expected)"), 288);
	assert_true(xnum(&a, "number(/doc/sum_in)") == (double)sin);
	assert_true(xnum(&a, "number(/doc/sum_out)") == (double)sout);
	assert_true(xnum(&a, "number(/doc/burst_in_kib)") ==
	            (double)vin[rank - 1]);
	assert_true(fabs(xnum(&a, "number(/doc/burst_out)") - bout) < 1e-5);
	ans_free(&a);

	call(&a, dc(1), "func=traffic&period=previousday&elid=5&" ADMIN);
	assert_ok(&a);
	assert_true(xnum(&a, "number(/doc/reportdata/traffic/elem[id=5]/rx)") ==
	            (double)sin);
	assert_true(xnum(&a, "number(/doc/reportdata/traffic/elem[id=5]/tx)") ==
	            (double)sout);
	ans_free(&a);
	call(&a, dc(1), "func=trafficburstable&period=previousday&" ADMIN);
	assert_ok(&a);
	assert_int_equal(xcount(&a, "/doc/reportdata/trafficburstable/elem"),
	                 60);
	assert_true(fabs(xnum(&a, "number(/doc/reportdata/trafficburstable/"
	                          "elem[id=5]/burst_in)") -
	                 bin) < 1e-5);
	assert_true(fabs(xnum(&a, "number(/doc/reportdata/trafficburstable/"
	                          "elem[id=5]/burst_out)") -
	                 bout) < 1e-5);
	ans_free(&a);
	/* the month so far holds the previous day (unless today is the 1st)
	 * and is the sum of its buckets */
	call(&a, dc(1), "func=traffic&period=currentmonth&elid=5&" ADMIN);
	assert_ok(&a);
	double month = xnum(&a, "number(/doc/reportdata/traffic/elem/rx)");
	ans_free(&a);
	call(&a, dc(1), "func=traffic&period=currentday&elid=5&" ADMIN);
	double today = xnum(&a, "number(/doc/reportdata/traffic/elem/rx)");
	ans_free(&a);
	/* CLOCK0 is the 14th: the month has 13 full days before today */
	assert_true(month >= today + (double)sin);
	/* the percentile of 20 more servers, against a sort done here */
	call(&a, dc(2), "func=trafficburstable&period=previousday&" ADMIN);
	assert_ok(&a);
	for (int id = 21; id <= 40; id++) {
		statrows q;
		char xp[160];
		stat_rows(2, id, day - 86400, day, &q, NULL);
		qsort(q.out, (size_t)q.n, sizeof(*q.out), cmp_ull);
		int k = (95 * q.n + 99) / 100;
		snprintf(xp, sizeof(xp),
		         "number(/doc/reportdata/trafficburstable/elem[id=%d]/"
		         "burst_out)",
		         id);
		assert_true(fabs(xnum(&a, xp) - (double)q.out[k - 1] * 1024 *
		                                    8 / 300 / 1e6) < 1e-5);
	}
	ans_free(&a);
	call(&a, dc(1), "func=traffic&period=lastcentury&" ADMIN);
	assert_err_obj(&a, "value", "period");
	ans_free(&a);

	/* only buckets that have ended; a new one appears as time passes */
	stat_rows(1, 5, now - 3600, now + 3600, &r, NULL);
	for (int i = 0; i < r.n; i++)
		assert_true(r.t[i] + 300 <= now);
	int before = r.n;
	long long last = r.n ? r.t[r.n - 1] : 0;
	advance(600);
	stat_rows(1, 5, now - 3600, now + 3600, &r, NULL);
	assert_true(r.n >= before);
	for (int i = 0; i < r.n; i++)
		assert_true(r.t[i] + 300 <= now + 600);
	if (r.n)
		assert_true(r.t[r.n - 1] >= last);

	/* gaps exist somewhere in a month of one server */
	ctl(&a, "func=stat.truth&dc=2&elid=3&begin=%lld&end=%lld",
	    day - 30 * 86400LL, day);
	assert_ok(&a);
	assert_true(xl(&a, "number(/doc/present)") <
	            xl(&a, "number(/doc/expected)"));
	assert_int_equal(xl(&a, "number(/doc/expected)"), 30 * 288);
	ans_free(&a);

	call(&a, dc(1), "func=server.stat&elid=5&begin=10&end=5&" ADMIN);
	assert_err_obj(&a, "value", "end");
	ans_free(&a);
	call(&a, dc(1), "func=server.stat&elid=5&begin=0&end=%lld&" ADMIN, now);
	assert_err_obj(&a, "value", "end");
	ans_free(&a);
}

static void test_stats_same_seed_same_data(void **state)
{
	(void)state;
	simproc *other = &g_aux;
	ans a, b;
	const char *same[] = {"--clock",   "1700000000", "--locations", "2",
	                      "--servers", "60",         NULL};
	assert_int_equal(simproc_start(other, same), 0);
	long long e = CLOCK0 - CLOCK0 % 300, s0 = e - 6 * 3600;
	call(&a, dc(2), "func=server.stat&elid=9&begin=%lld&end=%lld&" ADMIN,
	     s0, e);
	call(&b, other->dcimgr[1],
	     "func=server.stat&elid=9&begin=%lld&end=%lld&" ADMIN, s0, e);
	assert_ok(&a);
	assert_ok(&b);
	assert_string_equal(a.body, b.body);
	ans_free(&a);
	ans_free(&b);
	simproc_stop(other);
	const char *diff[] = {"--clock", "1700000000", "--servers", "60",
	                      "--seed",  "2",          NULL};
	assert_int_equal(simproc_start(other, diff), 0);
	call(&a, dc(1), "func=server.stat&elid=9&begin=%lld&end=%lld&" ADMIN,
	     s0, e);
	call(&b, other->dcimgr[0],
	     "func=server.stat&elid=9&begin=%lld&end=%lld&" ADMIN, s0, e);
	assert_ok(&b);
	assert_string_not_equal(a.body, b.body);
	ans_free(&a);
	ans_free(&b);
	simproc_stop(other);
}

static void test_simctl(void **state)
{
	(void)state;
	ans a;
	ctl(&a, "func=help");
	assert_ok(&a);
	assert_true(xcount(&a, "/doc/elem[name='fault.set']") == 1);
	ans_free(&a);
	ctl(&a, "func=nosuch");
	assert_err_obj(&a, "missed", "func");
	ans_free(&a);

	/* take a free server behind the client's back: one fewer free */
	fresh_server(2, 40);
	ctl(&a, "func=state.server&dc=2&elid=40");
	assert_ok(&a);
	char type[64];
	snprintf(type, sizeof(type), "%s", xs(&a, "string(/doc/server/type)"));
	assert_int_equal(xcount(&a, "/doc/server/free"), 1);
	ans_free(&a);
	ctl(&a, "func=state.counts&dc=2&type=%s", type);
	assert_int_equal(xcount(&a, "/doc/elem"), 1);
	long free0 = xl(&a, "number(/doc/elem/free)");
	long total = xl(&a, "number(/doc/elem/total)");
	assert_true(free0 >= 1 && free0 <= total);
	ans_free(&a);
	ctl(&a, "func=server.take&dc=2&elid=40&owner=intruder");
	assert_ok(&a);
	ans_free(&a);
	ctl(&a, "func=state.counts&dc=2&type=%s", type);
	assert_int_equal(xl(&a, "number(/doc/elem/free)"), free0 - 1);
	ans_free(&a);
	call(&a, dc(2), "func=server&" ADMIN);
	assert_string_equal(xs(&a, "string(/doc/elem[id=40]/owner)"),
	                    "intruder");
	ans_free(&a);
	ctl(&a, "func=server.free&dc=2&elid=40");
	ans_free(&a);
	ctl(&a, "func=server.set&dc=2&elid=40&flag=hwproblem&value=on");
	assert_ok(&a);
	ans_free(&a);
	ctl(&a, "func=state.counts&dc=2&type=%s", type);
	assert_int_equal(xl(&a, "number(/doc/elem/free)"), free0 - 1);
	ans_free(&a);
	ctl(&a, "func=server.set&dc=2&elid=40&flag=wobbly&value=on");
	assert_err_obj(&a, "value", "flag");
	ans_free(&a);
	ctl(&a, "func=state.server&dc=3&elid=1");
	assert_err(&a, "value");
	ans_free(&a);
	ctl(&a, "func=state.server&dc=1&elid=61");
	assert_err_obj(&a, "missed", "server");
	ans_free(&a);
	fresh_server(2, 40);

	/* address pools: counts and exhaustion */
	ctl(&a, "func=ip.count&type=guardvlan9");
	assert_ok(&a);
	long gfree = xl(&a, "number(/doc/elem/free)");
	assert_true(gfree > 0);
	ans_free(&a);
	ctl(&a, "func=ip.take&type=guardvlan9");
	assert_ok(&a);
	assert_int_equal(xl(&a, "number(/doc/taken)"), gfree);
	ans_free(&a);
	call(&a, g_sim.ipmgr, "func=ip.edit&sok=ok&iptype=guardvlan9&" ADMIN);
	assert_err_obj(&a, "limit", "iptype");
	ans_free(&a);
	ctl(&a, "func=ip.count&type=guardvlan9");
	assert_int_equal(xl(&a, "number(/doc/elem/free)"), 0);
	ans_free(&a);

	/* call counters */
	ctl(&a, "func=calls&reset=on");
	assert_ok(&a);
	ans_free(&a);
	call(&a, g_sim.ipmgr, "func=iptype&" ADMIN);
	ans_free(&a);
	call(&a, g_sim.ipmgr, "func=iptype&" ADMIN);
	ans_free(&a);
	ctl(&a, "func=calls");
	assert_int_equal(xl(&a, "number(/doc/elem[name='ipmgr/iptype']/count)"),
	                 2);
	assert_int_equal(xl(&a, "number(/doc/requests)"), 2);
	ans_free(&a);

	/* the virtual clock never goes back */
	long long t = sim_clock();
	ctl(&a, "func=clock.set&time=%lld", t - 1);
	assert_err_obj(&a, "value", "time");
	ans_free(&a);
	ctl(&a, "func=clock.set&time=%lld", t + 10);
	assert_ok(&a);
	assert_int_equal((long long)xnum(&a, "number(/doc/now)"), t + 10);
	assert_int_equal(xcount(&a, "/doc/virtual"), 1);
	ans_free(&a);
	ctl(&a, "func=stat.bucket&dc=1&elid=5&time=%lld", t - 3600);
	assert_ok(&a);
	assert_int_equal(xl(&a, "number(/doc/time)") % 300, 0);
	ans_free(&a);
}

/* ---- group: faults (real clock) ---- */

static char g_log[512];
static char g_tmp[256];

static int setup_faults(void **state)
{
	(void)state;
	const char *base = getenv("DCITEST_TMP");
	snprintf(g_tmp, sizeof(g_tmp), "%s/simtest-XXXXXX",
	         base && *base ? base : "/tmp");
	if (!mkdtemp(g_tmp))
		return -1;
	snprintf(g_log, sizeof(g_log), "%s/requests.log", g_tmp);
	const char *args[] = {"--locations",
	                      "2",
	                      "--servers",
	                      "30",
	                      "--fault",
	                      "ipmgr/iptype:error:access@1",
	                      "--fault",
	                      "dc2/osmgr:http500",
	                      "--log",
	                      g_log,
	                      "--install-seconds",
	                      "0",
	                      "--power-seconds",
	                      "0",
	                      NULL};
	return simproc_start(&g_sim, args);
}

static int teardown_faults(void **state)
{
	(void)state;
	simproc_stop(&g_sim);
	if (g_aux.pid > 0)
		simproc_stop(&g_aux);
	unlink(g_log);
	rmdir(g_tmp);
	return 0;
}

static int fault_set(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static int fault_set(const char *fmt, ...)
{
	char body[1024];
	va_list ap;
	ans a;
	va_start(ap, fmt);
	int n = snprintf(body, sizeof(body), "func=fault.set&");
	vsnprintf(body + n, sizeof(body) - (size_t)n, fmt, ap);
	va_end(ap);
	post_on(NULL, g_sim.simctl, body, 0, NULL, &a);
	assert_ok(&a);
	int id = (int)xl(&a, "number(/doc/id)");
	assert_true(id > 0);
	ans_free(&a);
	return id;
}

static void clear_faults(void)
{
	ans a;
	ctl(&a, "func=fault.clear");
	assert_ok(&a);
	ans_free(&a);
}

static void test_fault_cli(void **state)
{
	(void)state;
	ans a;
	/* --fault ipmgr/iptype:error:access@1 fires once */
	call(&a, g_sim.ipmgr, "func=iptype&" ADMIN);
	assert_err_obj(&a, "access", "fault");
	ans_free(&a);
	call(&a, g_sim.ipmgr, "func=iptype&" ADMIN);
	assert_ok(&a);
	ans_free(&a);
	/* --fault dc2/osmgr:http500 hits only location 2 */
	call(&a, dc(2), "func=osmgr&" ADMIN);
	assert_int_equal(a.cc, CURLE_OK);
	assert_int_equal(a.http, 500);
	ans_free(&a);
	call(&a, dc(1), "func=osmgr&" ADMIN);
	assert_ok(&a);
	ans_free(&a);
	ctl(&a, "func=fault.list");
	assert_int_equal(xcount(&a, "/doc/elem"), 2);
	assert_int_equal(xl(&a, "number(/doc/elem[func_name='iptype']/fired)"),
	                 1);
	assert_int_equal(xl(&a, "number(/doc/elem[func_name='iptype']/count)"),
	                 0);
	ans_free(&a);
	clear_faults();
	call(&a, dc(2), "func=osmgr&" ADMIN);
	assert_ok(&a);
	ans_free(&a);
}

static const char *hostname_of(int d, int id)
{
	static char buf[256];
	ans a;
	ctl(&a, "func=state.server&dc=%d&elid=%d", d, id);
	snprintf(buf, sizeof(buf), "%s",
	         xs(&a, "string(/doc/server/hostname)"));
	ans_free(&a);
	return buf;
}

/* The body of a server.edit apply that changes only the hostname (read
 * before any fault is set, since reading the form is a server.edit too). */
static void edit_body(char *body, size_t len, int d, int id, const char *host)
{
	ans f;
	call(&f, dc(d), "func=server.edit&elid=%d&" ADMIN, id);
	assert_ok(&f);
	snprintf(body, len,
	         "func=server.edit&elid=%d&sok=ok&name=%s&type=%s&mac=%s&"
	         "hostname=%s&owner=no_owner&" ADMIN,
	         id, xs(&f, "string(/doc/name)"), xs(&f, "string(/doc/type)"),
	         xs(&f, "string(/doc/mac)"), host);
	ans_free(&f);
}

static void test_fault_delay(void **state)
{
	(void)state;
	ans a;
	fresh_server(1, 3);
	fault_set("target=dcimgr&func_name=osmgr&kind=delay&arg=400&count=1");
	call(&a, dc(1), "func=osmgr&" ADMIN);
	assert_ok(&a);
	assert_true(a.secs >= 0.39); /* a lower bound, not a speed claim */
	ans_free(&a);
	/* the delayed call still acts: a client that times out must read
	 * back to learn that */
	char body[1024];
	edit_body(body, sizeof(body), 1, 3, "late.example.com");
	fault_set("dc=1&func_name=server.edit&kind=delay&arg=3000&count=1");
	post_on(NULL, dc(1), body, 300, NULL, &a);
	assert_int_equal(a.cc, CURLE_OPERATION_TIMEDOUT);
	ans_free(&a);
	assert_string_equal(hostname_of(1, 3), "late.example.com");
	clear_faults();
	fresh_server(1, 3);
}

static void test_fault_http500(void **state)
{
	(void)state;
	ans a;
	fresh_server(1, 4);
	char body[1024];
	edit_body(body, sizeof(body), 1, 4, "h500.example.com");
	fault_set("func_name=server.edit&kind=http500&count=1");
	post_on(NULL, dc(1), body, 0, NULL, &a);
	assert_int_equal(a.cc, CURLE_OK);
	assert_int_equal(a.http, 500);
	ans_free(&a);
	assert_string_equal(hostname_of(1, 4), "free.ds");
	/* act=on: the panel did it but answered 500 */
	fault_set("func_name=server.edit&kind=http500&count=1&act=on");
	post_on(NULL, dc(1), body, 0, NULL, &a);
	assert_int_equal(a.http, 500);
	ans_free(&a);
	assert_string_equal(hostname_of(1, 4), "h500.example.com");
	clear_faults();
	fresh_server(1, 4);
}

static void test_fault_reset(void **state)
{
	(void)state;
	ans a;
	fresh_server(1, 5);
	char body[1024];
	edit_body(body, sizeof(body), 1, 5, "reset.example.com");
	fault_set("target=dcimgr&func_name=server.edit&kind=reset&count=1");
	post_on(NULL, dc(1), body, 0, NULL, &a);
	assert_int_equal(a.cc, CURLE_GOT_NOTHING);
	assert_null(a.doc);
	ans_free(&a);
	/* by default the work was done before the connection dropped */
	assert_string_equal(hostname_of(1, 5), "reset.example.com");
	edit_body(body, sizeof(body), 1, 5, "again.example.com");
	fault_set("func_name=server.edit&kind=reset&count=1&act=off");
	post_on(NULL, dc(1), body, 0, NULL, &a);
	assert_int_equal(a.cc, CURLE_GOT_NOTHING);
	ans_free(&a);
	assert_string_equal(hostname_of(1, 5), "reset.example.com");
	/* the next call is normal again */
	call(&a, dc(1), "func=osmgr&" ADMIN);
	assert_ok(&a);
	ans_free(&a);
	clear_faults();
	fresh_server(1, 5);
}

static void test_fault_truncate(void **state)
{
	(void)state;
	ans a, full;
	call(&full, dc(1), "func=server&" ADMIN);
	assert_ok(&full);
	fault_set("func_name=server&kind=truncate&count=1");
	call(&a, dc(1), "func=server&" ADMIN);
	assert_int_equal(a.cc, CURLE_PARTIAL_FILE);
	assert_true(a.len < full.len);
	assert_true(a.len > 0);
	assert_int_equal(memcmp(a.body, full.body, a.len), 0);
	ans_free(&a);
	ans_free(&full);
}

static void test_fault_badxml(void **state)
{
	(void)state;
	ans a;
	fault_set("target=ipmgr&func_name=ipnet&kind=badxml&count=1");
	call(&a, g_sim.ipmgr, "func=ipnet&" ADMIN);
	assert_int_equal(a.cc, CURLE_OK);
	assert_int_equal(a.http, 200);
	assert_non_null(a.body);
	assert_null(a.doc); /* not well-formed */
	ans_free(&a);
	call(&a, g_sim.ipmgr, "func=ipnet&" ADMIN);
	assert_ok(&a);
	ans_free(&a);
}

static void test_fault_error_types(void **state)
{
	(void)state;
	ans a;
	const char *types[] = {"auth",  "access", "exists", "missed",
	                       "value", "xml",    "limit",  "busy"};
	for (size_t i = 0; i < sizeof(types) / sizeof(*types); i++) {
		fault_set("target=billmgr&func_name=soft&kind=error&arg=%s&"
		          "count=1",
		          types[i]);
		call(&a, g_sim.billmgr, "func=soft&" ADMIN);
		assert_err_obj(&a, types[i], "fault");
		ans_free(&a);
	}
	call(&a, g_sim.simctl, "func=fault.set&func_name=x&kind=error&arg=BAD");
	assert_err_obj(&a, "value", "kind");
	ans_free(&a);
	call(&a, g_sim.simctl, "func=fault.set&func_name=x&kind=meteor");
	assert_err_obj(&a, "value", "kind");
	ans_free(&a);
	call(&a, g_sim.simctl, "func=fault.set&kind=reset");
	assert_err_obj(&a, "value", "func_name");
	ans_free(&a);
	call(&a, g_sim.simctl, "func=fault.set&func_name=x&kind=delay");
	assert_err_obj(&a, "value", "kind");
	ans_free(&a);
	call(&a, g_sim.simctl,
	     "func=fault.set&func_name=x&kind=reset&target=dc0");
	assert_err_obj(&a, "value", "target");
	ans_free(&a);
}

static void test_fault_expire(void **state)
{
	(void)state;
	ans a;
	char sid[128];
	call(&a, dc(1), "func=auth&username=admin&password=admin");
	snprintf(sid, sizeof(sid), "%s", xs(&a, "string(/doc/auth/@id)"));
	ans_free(&a);
	/* one-shot credentials are not a session: expiry does not apply */
	fault_set("func_name=osmgr&kind=expire&count=1");
	call(&a, dc(1), "func=osmgr&" ADMIN);
	assert_ok(&a);
	ans_free(&a);
	call(&a, dc(1), "func=osmgr&auth=%s", sid);
	assert_err(&a, "auth");
	ans_free(&a);
	call(&a, dc(1), "func=server&auth=%s", sid);
	assert_err(&a, "auth"); /* the session is gone for good */
	ans_free(&a);
	call(&a, dc(1), "func=auth&username=admin&password=admin");
	snprintf(sid, sizeof(sid), "%s", xs(&a, "string(/doc/auth/@id)"));
	ans_free(&a);
	call(&a, dc(1), "func=osmgr&auth=%s", sid);
	assert_ok(&a);
	ans_free(&a);
}

static void test_fault_targets_and_counts(void **state)
{
	(void)state;
	ans a;
	/* ipmgr target does not touch dcimgr's function of any name */
	fault_set("target=ipmgr&func_name=*&kind=error&arg=value");
	call(&a, dc(1), "func=osmgr&" ADMIN);
	assert_ok(&a);
	ans_free(&a);
	call(&a, g_sim.ipmgr, "func=ip&" ADMIN);
	assert_err(&a, "value");
	ans_free(&a);
	/* the control panel never gets faults */
	fault_set("func_name=*&kind=reset");
	ctl(&a, "func=clock.get");
	assert_ok(&a);
	ans_free(&a);
	clear_faults();
	int id =
	    fault_set("dc=1&func_name=osmgr&kind=error&arg=missed&count=2");
	for (int i = 0; i < 2; i++) {
		call(&a, dc(1), "func=osmgr&" ADMIN);
		assert_err(&a, "missed");
		ans_free(&a);
	}
	call(&a, dc(1), "func=osmgr&" ADMIN);
	assert_ok(&a);
	ans_free(&a);
	ctl(&a, "func=fault.list");
	char xp[128];
	snprintf(xp, sizeof(xp), "number(/doc/elem[id=%d]/fired)", id);
	assert_int_equal(xl(&a, xp), 2);
	ans_free(&a);
	ctl(&a, "func=fault.clear&id=%d", id);
	assert_ok(&a);
	assert_int_equal(xl(&a, "number(/doc/cleared)"), 1);
	ans_free(&a);
	ctl(&a, "func=fault.clear&id=%d", id);
	assert_err(&a, "missed");
	ans_free(&a);
}

/* Outcome letters of n osmgr calls: o ok, e error, 5 http 500, r reset,
 * t truncated, x bad xml. */
static void outcomes(const char *url, int n, char *out)
{
	for (int i = 0; i < n; i++) {
		ans a;
		call(&a, url, "func=osmgr&" ADMIN);
		char c = '?';
		if (a.cc == CURLE_GOT_NOTHING)
			c = 'r';
		else if (a.cc == CURLE_PARTIAL_FILE)
			c = 't';
		else if (a.http == 500)
			c = '5';
		else if (a.http == 200 && !a.doc)
			c = 'x';
		else if (a.doc && xcount(&a, "/doc/error"))
			c = 'e';
		else if (a.doc)
			c = 'o';
		out[i] = c;
		ans_free(&a);
	}
	out[n] = '\0';
}

static void test_fault_random(void **state)
{
	(void)state;
	ans a;
	char seq1[64], seq2[64];
	ctl(&a, "func=fault.random&rate=0.5&seed=77&"
	        "kinds=http500,reset,truncate,badxml,error:value");
	assert_ok(&a);
	ans_free(&a);
	outcomes(dc(1), 40, seq1);
	assert_non_null(strchr(seq1, 'o'));
	assert_true(strspn(seq1, "o") < strlen(seq1)); /* some faults */
	/* the same seed gives the same sequence */
	ctl(&a, "func=fault.random&rate=0.5&seed=77&"
	        "kinds=http500,reset,truncate,badxml,error:value");
	ans_free(&a);
	outcomes(dc(1), 40, seq2);
	assert_string_equal(seq1, seq2);
	ctl(&a, "func=fault.random&rate=1&seed=1&kinds=error:limit");
	ans_free(&a);
	outcomes(dc(2), 5, seq1);
	assert_string_equal(seq1, "eeeee");
	ctl(&a, "func=fault.random&rate=2");
	assert_err_obj(&a, "value", "kinds");
	ans_free(&a);
	clear_faults();
	outcomes(dc(2), 5, seq1);
	assert_string_equal(seq1, "ooooo");
}

static void test_request_log(void **state)
{
	(void)state;
	ans a;
	call(&a, dc(1), "func=auth&username=admin&password=secretpw");
	ans_free(&a);
	call(&a, g_sim.ipmgr, "func=iptype&authinfo=admin:admin");
	ans_free(&a);
	FILE *f = fopen(g_log, "r");
	assert_non_null(f);
	char line[1024];
	bool seen = false;
	while (fgets(line, sizeof(line), f)) {
		assert_null(strstr(line, "secretpw"));
		assert_null(strstr(line, "admin:admin"));
		if (strstr(line, "/ipmgr func=iptype user=admin") &&
		    strstr(line, "-> ok"))
			seen = true;
	}
	fclose(f);
	assert_true(seen);
}

static void test_tls(void **state)
{
	(void)state;
	simproc *t = &g_aux;
	ans a;
	const char *args[] = {"--tls", "--servers", "5", NULL};
	assert_int_equal(simproc_start(t, args), 0);
	const char *ca = strstr(t->ready, " ca=");
	assert_non_null(ca);
	char cafile[512];
	snprintf(cafile, sizeof(cafile), "%s", ca + 4);
	cafile[strcspn(cafile, " \n")] = '\0';
	assert_int_equal(access(cafile, R_OK), 0);
	assert_int_equal(strncmp(t->dcimgr[0], "https://127.0.0.1:", 18), 0);
	assert_int_equal(strncmp(t->simctl, "http://", 7), 0);
	post_on(NULL, t->dcimgr[0], "func=osmgr&" ADMIN, 0, cafile, &a);
	assert_ok(&a);
	ans_free(&a);
	post_on(NULL, t->ipmgr, "func=iptype&" ADMIN, 0, cafile, &a);
	assert_ok(&a);
	ans_free(&a);
	/* verification without the CA fails: the certificate is ours */
	post_on(NULL, t->dcimgr[0], "func=osmgr&" ADMIN, 0, "/dev/null", &a);
	assert_int_not_equal(a.cc, CURLE_OK);
	ans_free(&a);
	assert_int_equal(simproc_ctl(t, "func=clock.get", NULL), 0);
	simproc_stop(t);
	/* the temporary CA directory is gone after a clean exit */
	assert_int_not_equal(access(cafile, F_OK), 0);
}

typedef struct slow_call {
	const char *url;
	const char *cafile;
	ans a;
} slow_call;

static void *slow_run(void *p)
{
	slow_call *c = p;
	post_on(NULL, c->url, "func=osmgr&" ADMIN, 30000, c->cafile, &c->a);
	return NULL;
}

/* SIGTERM while sessions, licences, addresses, faults, a TLS listener and
 * a delayed call in flight exist: the simulator exits 0 (under ASan that
 * also means LeakSanitizer found nothing). */
static void test_clean_exit(void **state)
{
	(void)state;
	ans a;
	char log[600], cafile[512];
	snprintf(log, sizeof(log), "%s/exit.log", g_tmp);
	const char *args[] = {"--tls",
	                      "--locations",
	                      "2",
	                      "--servers",
	                      "40",
	                      "--busy-fraction",
	                      "0.3",
	                      "--log",
	                      log,
	                      "--fault",
	                      "dc1/osmgr:delay:20000",
	                      NULL};
	assert_int_equal(simproc_start(&g_aux, args), 0);
	const char *ca = strstr(g_aux.ready, " ca=");
	assert_non_null(ca);
	snprintf(cafile, sizeof(cafile), "%s", ca + 4);
	cafile[strcspn(cafile, " \n")] = '\0';
	post_on(NULL, g_aux.dcimgr[1],
	        "func=auth&username=admin&password=admin", 0, cafile, &a);
	assert_ok(&a);
	ans_free(&a);
	post_on(NULL, g_aux.ipmgr, "func=ip.edit&sok=ok&iptype=public&" ADMIN,
	        0, cafile, &a);
	assert_ok(&a);
	char body[256];
	snprintf(body, sizeof(body),
	         "func=iplist.edit&plid=3&sok=ok&ip=%s&" ADMIN,
	         xs(&a, "string(/doc/ip)"));
	ans_free(&a);
	post_on(NULL, g_aux.dcimgr[0], body, 0, cafile, &a);
	assert_ok(&a);
	ans_free(&a);
	post_on(NULL, g_aux.billmgr,
	        "func=soft.order.param&sok=ok&pricelist=1&ip=185.0.0.9&" ADMIN,
	        0, cafile, &a);
	assert_ok(&a);
	ans_free(&a);
	post_on(NULL, g_aux.dcimgr[0], "func=server.poweron&elid=2&" ADMIN, 0,
	        cafile, &a);
	ans_free(&a);
	/* a call waiting in its delay when the signal comes */
	slow_call sc = {g_aux.dcimgr[0], cafile, {0}};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, slow_run, &sc), 0);
	bool arrived = false;
	for (int i = 0; i < 2000 && !arrived; i++) {
		/* poll the call counter until the delayed call has arrived */
		char *calls = NULL;
		assert_int_equal(simproc_ctl(&g_aux, "func=calls", &calls), 0);
		arrived = strstr(calls, "dc1/osmgr") != NULL;
		free(calls);
		struct timespec ts = {0, 5000000};
		if (!arrived)
			nanosleep(&ts, NULL);
	}
	assert_true(arrived);
	int st = 0;
	assert_int_equal(kill(g_aux.pid, SIGTERM), 0);
	assert_int_equal(waitpid(g_aux.pid, &st, 0), g_aux.pid);
	g_aux.pid = 0;
	close(g_aux.out_fd);
	g_aux.out_fd = -1;
	pthread_join(th, NULL);
	ans_free(&sc.a);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	unlink(log);
}

static void test_bad_options(void **state)
{
	(void)state;
	simproc *t = &g_aux;
	const char *cases[][3] = {
	    {"--servers", "0", NULL},           {"--locations", "9", NULL},
	    {"--busy-fraction", "1.5", NULL},   {"--user", "x:y:7", NULL},
	    {"--fault", "osmgr:explode", NULL}, {"--types", "a,a", NULL},
	    {"--nonsense", NULL, NULL}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		assert_int_equal(simproc_start(t, cases[i]), -1);
}

/* ---- group: scale ---- */

#define CALLERS   200
#define PAR_RANGE "10.250.0.1-10.250.1.44" /* 300 addresses */

typedef struct caller {
	pthread_t th;
	char got[2][64];
	int ngot, nlimit, nother;
} caller;

static pthread_barrier_t g_bar;

static void *caller_run(void *p)
{
	caller *c = p;
	CURL *h = curl_easy_init();
	pthread_barrier_wait(&g_bar);
	for (int i = 0; i < 2; i++) {
		ans a;
		post_on(h, g_sim.ipmgr,
		        "func=ip.edit&sok=ok&iptype=par&family=ipv4&" ADMIN, 0,
		        NULL, &a);
		const char *type = xs(&a, "string(/doc/error/@type)");
		if (a.doc && !*type && *xs(&a, "string(/doc/ip)"))
			snprintf(c->got[c->ngot++], 64, "%s",
			         xs(&a, "string(/doc/ip)"));
		else if (!strcmp(type, "limit"))
			c->nlimit++;
		else
			c->nother++;
		ans_free(&a);
	}
	curl_easy_cleanup(h);
	return NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int setup_small(void **state)
{
	(void)state;
	const char *args[] = {"--servers", "10", NULL};
	return simproc_start(&g_sim, args);
}

static void test_parallel_allocation(void **state)
{
	(void)state;
	ans a;
	call(&a, g_sim.ipmgr, "func=iptype.edit&sok=ok&name=par&" ADMIN);
	assert_ok(&a);
	ans_free(&a);
	call(&a, g_sim.ipmgr,
	     "func=ipnet.edit&sok=ok&net=" PAR_RANGE "&iptype=par&" ADMIN);
	assert_ok(&a);
	ans_free(&a);
	static caller cs[CALLERS];
	memset(cs, 0, sizeof(cs));
	pthread_barrier_init(&g_bar, NULL, CALLERS);
	for (int i = 0; i < CALLERS; i++)
		assert_int_equal(
		    pthread_create(&cs[i].th, NULL, caller_run, &cs[i]), 0);
	for (int i = 0; i < CALLERS; i++)
		pthread_join(cs[i].th, NULL);
	pthread_barrier_destroy(&g_bar);
	char *all[2 * CALLERS];
	int n = 0, limits = 0, others = 0;
	for (int i = 0; i < CALLERS; i++) {
		for (int j = 0; j < cs[i].ngot; j++)
			all[n++] = cs[i].got[j];
		limits += cs[i].nlimit;
		others += cs[i].nother;
	}
	assert_int_equal(others, 0);
	assert_int_equal(n, 300);
	assert_int_equal(limits, 100);
	qsort(all, (size_t)n, sizeof(*all), cmp_str);
	for (int i = 1; i < n; i++)
		assert_string_not_equal(all[i - 1], all[i]);
	for (int i = 0; i < n; i++)
		assert_int_equal(strncmp(all[i], "10.250.", 7), 0);
	ctl(&a, "func=ip.count&type=par");
	assert_int_equal(xl(&a, "number(/doc/elem/free)"), 0);
	assert_int_equal(xl(&a, "number(/doc/elem/used)"), 300);
	ans_free(&a);
	call(&a, g_sim.ipmgr, "func=ip&iptype=par&" ADMIN);
	assert_int_equal(xcount(&a, "/doc/elem"), 300);
	ans_free(&a);
}

/* Counts <elem> rows of a func=server answer and checks ids 1..n in
 * order, streaming (a DOM of 100 000 rows is needlessly large). */
static void count_rows(const ans *a, int *rows, bool *ordered)
{
	xmlTextReaderPtr r = xmlReaderForMemory(
	    a->body, (int)a->len, NULL, NULL, XML_PARSE_NONET | XML_PARSE_HUGE);
	assert_non_null(r);
	*rows = 0;
	*ordered = true;
	bool in_id = false;
	int ret;
	while ((ret = xmlTextReaderRead(r)) == 1) {
		int type = xmlTextReaderNodeType(r),
		    depth = xmlTextReaderDepth(r);
		const xmlChar *name = xmlTextReaderConstName(r);
		if (type == XML_READER_TYPE_ELEMENT && depth == 1 &&
		    !strcmp((const char *)name, "elem"))
			(*rows)++;
		else if (type == XML_READER_TYPE_ELEMENT && depth == 2)
			in_id = !strcmp((const char *)name, "id");
		else if (type == XML_READER_TYPE_TEXT && in_id && depth == 3) {
			if (atoi((const char *)xmlTextReaderConstValue(r)) !=
			    *rows)
				*ordered = false;
			in_id = false;
		}
	}
	assert_int_equal(ret, 0);
	xmlFreeTextReader(r);
}

static void test_100k_servers(void **state)
{
	(void)state;
	simproc *big = &g_aux;
	ans a;
	const char *args[] = {"--servers", "100000",          "--public",
	                      "1000000",   "--busy-fraction", "0.5",
	                      NULL};
	assert_int_equal(simproc_start(big, args), 0);
	post_on(NULL, big->dcimgr[0], "func=server&" ADMIN, 120000, NULL, &a);
	assert_int_equal(a.cc, CURLE_OK);
	assert_int_equal(a.http, 200);
	int rows;
	bool ordered;
	count_rows(&a, &rows, &ordered);
	assert_int_equal(rows, 100000);
	assert_true(ordered);
	ans_free(&a);
	post_on(NULL, big->dcimgr[0], "func=server.edit&elid=100000&" ADMIN, 0,
	        NULL, &a);
	assert_ok(&a);
	assert_string_equal(xs(&a, "string(/doc/elid)"), "100000");
	ans_free(&a);
	/* a million public addresses, half a hundred thousand in use */
	post_on(NULL, big->simctl, "func=ip.count&type=public", 0, NULL, &a);
	assert_ok(&a);
	double fr = xnum(&a, "number(/doc/elem/free)");
	double used = xnum(&a, "number(/doc/elem/used)");
	assert_true(fr + used >= 1000000);
	assert_true(used > 40000 && used < 60000);
	ans_free(&a);
	post_on(NULL, big->ipmgr,
	        "func=ip.edit&sok=ok&iptype=public&ip=185.15.98.254&" ADMIN, 0,
	        NULL, &a);
	assert_ok(&a);
	ans_free(&a);
	post_on(NULL, big->ipmgr, "func=ip.edit&sok=ok&iptype=public&" ADMIN, 0,
	        NULL, &a);
	assert_ok(&a);
	ans_free(&a);
	post_on(NULL, big->simctl, "func=state.counts", 0, NULL, &a);
	assert_ok(&a);
	assert_int_equal((long)xnum(&a, "sum(/doc/elem/total)"), 100000);
	ans_free(&a);
	simproc_stop(big);
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	xmlInitParser();
	const struct CMUnitTest panels[] = {
	    cmocka_unit_test(test_ready_line),
	    cmocka_unit_test(test_auth_session),
	    cmocka_unit_test(test_session_idle_expiry),
	    cmocka_unit_test(test_auth_attr_only),
	    cmocka_unit_test(test_authinfo),
	    cmocka_unit_test(test_user_level),
	    cmocka_unit_test(test_server_list),
	    cmocka_unit_test(test_server_edit),
	    cmocka_unit_test(test_enable_disable),
	    cmocka_unit_test(test_power_async),
	    cmocka_unit_test(test_install_async),
	    cmocka_unit_test(test_fail_rates),
	    cmocka_unit_test(test_osmgr),
	    cmocka_unit_test(test_connections),
	    cmocka_unit_test(test_iplist),
	    cmocka_unit_test(test_dci_users),
	    cmocka_unit_test(test_ipmgr),
	    cmocka_unit_test(test_billmgr),
	    cmocka_unit_test(test_wire_details),
	    cmocka_unit_test(test_stats),
	    cmocka_unit_test(test_stats_same_seed_same_data),
	    cmocka_unit_test(test_simctl),
	};
	const struct CMUnitTest faults[] = {
	    cmocka_unit_test(test_fault_cli),
	    cmocka_unit_test(test_fault_delay),
	    cmocka_unit_test(test_fault_http500),
	    cmocka_unit_test(test_fault_reset),
	    cmocka_unit_test(test_fault_truncate),
	    cmocka_unit_test(test_fault_badxml),
	    cmocka_unit_test(test_fault_error_types),
	    cmocka_unit_test(test_fault_expire),
	    cmocka_unit_test(test_fault_targets_and_counts),
	    cmocka_unit_test(test_fault_random),
	    cmocka_unit_test(test_request_log),
	    cmocka_unit_test(test_tls),
	    cmocka_unit_test(test_clean_exit),
	    cmocka_unit_test(test_bad_options),
	};
	const struct CMUnitTest scale[] = {
	    cmocka_unit_test(test_parallel_allocation),
	    cmocka_unit_test(test_100k_servers),
	};
	int fails = cmocka_run_group_tests_name("sim_panels", panels,
	                                        setup_panels, teardown);
	fails += cmocka_run_group_tests_name("sim_faults", faults, setup_faults,
	                                     teardown_faults);
	fails += cmocka_run_group_tests_name("sim_scale", scale, setup_small,
	                                     teardown);
	xmlCleanupParser();
	curl_global_cleanup();
	return fails ? 1 : 0;
}
