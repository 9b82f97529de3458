/* test_tariff_fixture.h - shared by the tariff/availability tests (and the
 * availability benchmark): a dcisim, a throw-away store that knows its
 * locations as modules, and the simulator's ground truth through simctl.
 *
 * Header-only (static functions) so that each test program takes what it
 * uses; include after cmocka.h when fail_msg is wanted (FX_FAIL). */
#ifndef TEST_TARIFF_FIXTURE_H
#define TEST_TARIFF_FIXTURE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "dci.h"
#include "err.h"
#include "panel.h"
#include "simproc.h"
#include "store.h"
#include "xml.h"

#ifndef FX_FAIL
#define FX_FAIL(...)                                                           \
	do {                                                                   \
		fprintf(stderr, __VA_ARGS__);                                  \
		fputc('\n', stderr);                                           \
		abort();                                                       \
	} while (0)
#endif

typedef struct fx_world {
	simproc sim;
	char dir[512];
	char store_path[600];
	char pwfile[600];
	dc_store *st;
	int nmod;
	int64_t module_id[SIMPROC_MAX_DC];
	int64_t ipmgr_id, dept_id;
} fx_world;

/* A fresh directory under $DCITEST_TMP (or /tmp). */
static inline int fx_tmpdir(char *dir, size_t len, const char *tag)
{
	const char *base = getenv("DCITEST_TMP");
	snprintf(dir, len, "%s/%s.XXXXXX", base && *base ? base : "/tmp", tag);
	return mkdtemp(dir) ? 0 : -1;
}

/* Removes the store files and the directory (best effort). */
static inline void fx_rmdir(const char *dir)
{
	static const char *const names[] = {
	    "store.db", "store.db-wal", "store.db-shm",    "store.db.key",
	    "password", "config",       "store.db-journal"};
	char p[700];
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		unlink(p);
	}
	rmdir(dir);
}

/* Starts dcisim with extra args, makes a store in a new directory with a
 * department, the simulator's IPmanager and one module per DCImanager
 * location ("dc1", "dc2", ...; sorting 10, 20, ...). */
static inline int fx_world_start(fx_world *w, const char *const *simargs)
{
	dc_err e;
	memset(w, 0, sizeof(*w));
	if (simproc_start(&w->sim, simargs) < 0)
		return -1;
	if (fx_tmpdir(w->dir, sizeof(w->dir), "tariff") < 0)
		return -1;
	snprintf(w->store_path, sizeof(w->store_path), "%s/store.db", w->dir);
	snprintf(w->pwfile, sizeof(w->pwfile), "%s/password", w->dir);
	FILE *f = fopen(w->pwfile, "w");
	if (!f)
		return -1;
	fputs("admin", f);
	fclose(f);
	chmod(w->pwfile, 0600);
	w->st = store_open(w->store_path, &e);
	if (!w->st) {
		fprintf(stderr, "store_open: %s\n", e.msg);
		return -1;
	}
	dc_department d = {0};
	snprintf(d.name, sizeof(d.name), "NOC");
	dc_conn c = {0};
	snprintf(c.name, sizeof(c.name), "ipmgr-main");
	snprintf(c.url, sizeof(c.url), "%s", w->sim.ipmgr);
	snprintf(c.username, sizeof(c.username), "admin");
	if (department_add(w->st, &d, &e) ||
	    ipmgr_add(w->st, &c, "admin", &e)) {
		fprintf(stderr, "store: %s\n", e.msg);
		return -1;
	}
	w->dept_id = d.id;
	w->ipmgr_id = c.id;
	for (int i = 0; i < w->sim.ndcimgr; i++) {
		dc_module m = {0};
		snprintf(m.name, sizeof(m.name), "dc%d", i + 1);
		snprintf(m.url, sizeof(m.url), "%s", w->sim.dcimgr[i]);
		snprintf(m.username, sizeof(m.username), "admin");
		m.ipmgr_id = c.id;
		snprintf(m.parking_type, sizeof(m.parking_type), "parking");
		m.department_id = d.id;
		m.sorting = 10 * (i + 1);
		m.enabled = true;
		if (module_add(w->st, &m, "admin", &e)) {
			fprintf(stderr, "module_add: %s\n", e.msg);
			return -1;
		}
		w->module_id[w->nmod++] = m.id;
	}
	return 0;
}

static inline void fx_world_stop(fx_world *w)
{
	if (w->st)
		store_close(w->st);
	w->st = NULL;
	simproc_stop(&w->sim);
	if (w->dir[0])
		fx_rmdir(w->dir);
}

/* One simctl call; the decoded answer (free with xml_doc_free). */
static inline xml_doc *fx_ctl(fx_world *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline xml_doc *fx_ctl(fx_world *w, const char *fmt, ...)
{
	char body[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	char *ans = NULL;
	if (simproc_ctl(&w->sim, body, &ans) < 0)
		FX_FAIL("simctl %s failed", body);
	dc_err e;
	xml_doc *d = xml_decode(ans, strlen(ans), NULL, &e);
	if (!d)
		FX_FAIL("simctl %s: bad answer: %s", body, e.msg);
	free(ans);
	if (d->is_error)
		FX_FAIL("simctl %s: %s", body,
		        d->error_msg ? d->error_msg : "error");
	return d;
}

/* Ground truth: servers of type in location dc (1-based), and how many of
 * them are free. */
static inline void fx_truth(fx_world *w, int dc, const char *type, long *total,
                            long *freen)
{
	xml_doc *d = fx_ctl(w, "func=state.counts&dc=%d&type=%s", dc, type);
	*total = *freen = -1;
	for (size_t i = 0; i < d->nrows; i++) {
		const char *t = xml_row_get(&d->rows[i], "type");
		if (!t || strcmp(t, type))
			continue;
		*total = atol(xml_row_get(&d->rows[i], "total"));
		*freen = atol(xml_row_get(&d->rows[i], "free"));
	}
	xml_doc_free(d);
	if (*total < 0)
		FX_FAIL("simctl state.counts: no row for dc%d %s", dc, type);
}

/* The simulator's server types (from its counts). */
static inline size_t fx_types(fx_world *w, char types[][64], size_t max)
{
	xml_doc *d = fx_ctl(w, "func=state.counts&dc=1");
	size_t n = 0;
	for (size_t i = 0; i < d->nrows && n < max; i++)
		snprintf(types[n++], 64, "%s",
		         xml_row_get(&d->rows[i], "type"));
	xml_doc_free(d);
	return n;
}

static inline void fx_take(fx_world *w, int dc, long id)
{
	xml_doc_free(fx_ctl(w, "func=server.take&dc=%d&elid=%ld", dc, id));
}

static inline void fx_release(fx_world *w, int dc, long id)
{
	xml_doc_free(fx_ctl(w, "func=server.free&dc=%d&elid=%ld", dc, id));
}

/* A server's RAM and whether the simulator counts it free. state.server
 * nests its answer under <server>, which the panel decoder leaves out, so
 * it is read with XPath. */
static inline void fx_server_truth(fx_world *w, int dc, long id, long *ram,
                                   bool *isfree)
{
	char body[128], *ans = NULL;
	snprintf(body, sizeof(body), "func=state.server&dc=%d&elid=%ld", dc,
	         id);
	if (simproc_ctl(&w->sim, body, &ans) < 0)
		FX_FAIL("simctl %s failed", body);
	xmlDocPtr d = xmlReadMemory(ans, (int)strlen(ans), "state.xml", NULL,
	                            XML_PARSE_NONET | XML_PARSE_NOBLANKS);
	free(ans);
	if (!d)
		FX_FAIL("simctl %s: unreadable answer", body);
	xmlXPathContextPtr x = xmlXPathNewContext(d);
	xmlXPathObjectPtr r = xmlXPathEvalExpression(
	    (const xmlChar *)"number(/doc/server/ram)", x);
	*ram = r ? (long)r->floatval : -1;
	xmlXPathFreeObject(r);
	r = xmlXPathEvalExpression((const xmlChar *)"count(/doc/server/free)",
	                           x);
	*isfree = r && r->floatval > 0;
	xmlXPathFreeObject(r);
	xmlXPathFreeContext(x);
	xmlFreeDoc(d);
}

/* Ids of servers of `type` in location dc, from the panel's own list
 * (every server when type is NULL); free_only: only free ones. Returns
 * how many were written. */
static inline size_t fx_server_ids(fx_world *w, int dc, const char *type,
                                   bool free_only, long *ids, size_t max)
{
	panel_opts o = {.url = w->sim.dcimgr[dc - 1],
	                .username = "admin",
	                .password = "admin",
	                .timeout_ms = 30000};
	dc_err e;
	panel *p = panel_new(&o, &e);
	dci_servers *l = NULL;
	if (!p || dci_server_list(p, &l, &e) < 0)
		FX_FAIL("server list dc%d: %s", dc, e.msg);
	size_t n = 0;
	for (size_t i = 0; i < l->n && n < max; i++) {
		const dci_server *s = &l->v[i];
		if (type && strcmp(s->type, type))
			continue;
		if (free_only && !dci_server_is_free(s, NULL))
			continue;
		ids[n++] = s->id;
	}
	dci_servers_free(l);
	panel_free(p);
	return n;
}

#endif
