/* test_ip_fixture.h - shared by the special-range tests (integration and
 * screen tests): a dcisim whose special range has the type "spare" (so
 * that a set-up starts from nothing), a throw-away store with a
 * department, the simulator's IPmanager, one module per location and a
 * tariff "DS-Small", and the simulator's ground truth through simctl.
 *
 * Header-only (static functions); include after cmocka.h when fail_msg
 * should report (define IPFX_FAIL first). */
#ifndef TEST_IP_FIXTURE_H
#define TEST_IP_FIXTURE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "panel.h"
#include "simproc.h"
#include "store.h"
#include "xml.h"

#ifndef IPFX_FAIL
#define IPFX_FAIL(...)                                                         \
	do {                                                                   \
		fprintf(stderr, __VA_ARGS__);                                  \
		fputc('\n', stderr);                                           \
		abort();                                                       \
	} while (0)
#endif

/* The simulator's special range and the type it starts with. */
#define IPFX_RANGE "192.168.9.0/24"
#define IPFX_SPARE "spare"

typedef struct ipfx {
	simproc sim;
	char dir[512];
	char store_path[600];
	char pwfile[600];
	char config[600];
	dc_store *st;
	int nmod;
	int64_t module_id[SIMPROC_MAX_DC];
	int64_t ipmgr_id, dept_id, tariff_id;
} ipfx;

static inline int ipfx_tmpdir(char *dir, size_t len, const char *tag)
{
	const char *base = getenv("DCITEST_TMP");
	snprintf(dir, len, "%s/%s.XXXXXX", base && *base ? base : "/tmp", tag);
	return mkdtemp(dir) ? 0 : -1;
}

/* Starts dcisim (special type "spare" unless extra says otherwise; extra
 * args come after, so they win) and builds the store. The password file
 * and a config naming the store are written for dcictl runs. */
static inline int ipfx_start(ipfx *f, const char *const *extra)
{
	const char *args[32];
	int n = 0;
	dc_err e;
	FILE *fp;

	memset(f, 0, sizeof(*f));
	args[n++] = "--special-type";
	args[n++] = IPFX_SPARE;
	args[n++] = "--servers";
	args[n++] = "40";
	args[n++] = "--install-seconds";
	args[n++] = "0";
	args[n++] = "--power-seconds";
	args[n++] = "0";
	for (int i = 0; extra && extra[i] && n < 31; i++)
		args[n++] = extra[i];
	args[n] = NULL;
	if (simproc_start(&f->sim, args) < 0)
		return -1;
	if (ipfx_tmpdir(f->dir, sizeof(f->dir), "ip") < 0)
		return -1;
	snprintf(f->store_path, sizeof(f->store_path), "%s/store.db", f->dir);
	snprintf(f->pwfile, sizeof(f->pwfile), "%s/password", f->dir);
	snprintf(f->config, sizeof(f->config), "%s/config", f->dir);
	if (!(fp = fopen(f->pwfile, "w")))
		return -1;
	fputs("admin\n", fp);
	fclose(fp);
	chmod(f->pwfile, 0600);
	if (!(fp = fopen(f->config, "w")))
		return -1;
	fprintf(fp, "store = \"%s\";\n", f->store_path);
	fclose(fp);
	chmod(f->config, 0600);
	if (!(f->st = store_open(f->store_path, &e))) {
		fprintf(stderr, "store_open: %s\n", e.msg);
		return -1;
	}
	dc_department d = {0};
	snprintf(d.name, sizeof(d.name), "NOC");
	dc_conn c = {0};
	snprintf(c.name, sizeof(c.name), "ipmgr-main");
	snprintf(c.url, sizeof(c.url), "%s", f->sim.ipmgr);
	snprintf(c.username, sizeof(c.username), "admin");
	if (department_add(f->st, &d, &e) ||
	    ipmgr_add(f->st, &c, "admin", &e)) {
		fprintf(stderr, "store: %s\n", e.msg);
		return -1;
	}
	f->dept_id = d.id;
	f->ipmgr_id = c.id;
	for (int i = 0; i < f->sim.ndcimgr; i++) {
		dc_module m = {0};
		snprintf(m.name, sizeof(m.name), "dc%d", i + 1);
		snprintf(m.url, sizeof(m.url), "%s", f->sim.dcimgr[i]);
		snprintf(m.username, sizeof(m.username), "admin");
		m.ipmgr_id = c.id;
		snprintf(m.parking_type, sizeof(m.parking_type), "parking");
		m.department_id = d.id;
		m.sorting = 10 * (i + 1);
		m.enabled = true;
		if (module_add(f->st, &m, "admin", &e)) {
			fprintf(stderr, "module_add: %s\n", e.msg);
			return -1;
		}
		f->module_id[f->nmod++] = m.id;
	}
	dc_tariff t = {0};
	snprintf(t.name, sizeof(t.name), "DS-Small");
	snprintf(t.server_type, sizeof(t.server_type), "ds-small");
	t.enabled = true;
	t.nmodules = 1;
	t.modules[0] = f->module_id[0];
	if (tariff_add(f->st, &t, &e)) {
		fprintf(stderr, "tariff_add: %s\n", e.msg);
		return -1;
	}
	f->tariff_id = t.id;
	return 0;
}

static inline void ipfx_stop(ipfx *f)
{
	static const char *const names[] = {
	    "store.db", "store.db-wal", "store.db-shm",    "store.db.key",
	    "password", "config",       "store.db-journal"};
	char p[700];

	if (f->st)
		store_close(f->st);
	f->st = NULL;
	simproc_stop(&f->sim);
	if (!f->dir[0])
		return;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", f->dir, names[i]);
		unlink(p);
	}
	rmdir(f->dir);
	f->dir[0] = '\0';
}

/* One simctl call; the decoded answer (free with xml_doc_free). */
static inline xml_doc *ipfx_ctl(ipfx *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline xml_doc *ipfx_ctl(ipfx *f, const char *fmt, ...)
{
	char body[512];
	va_list ap;
	char *ans = NULL;
	dc_err e;
	xml_doc *d;

	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	if (simproc_ctl(&f->sim, body, &ans) < 0)
		IPFX_FAIL("simctl %s failed", body);
	d = xml_decode(ans, strlen(ans), NULL, &e);
	free(ans);
	if (!d)
		IPFX_FAIL("simctl %s: bad answer: %s", body, e.msg);
	if (d->is_error)
		IPFX_FAIL("simctl %s: %s", body,
		          d->error_msg ? d->error_msg : "error");
	return d;
}

/* Ground truth: used (allocated) addresses of a type. */
static inline long ipfx_used(ipfx *f, const char *type)
{
	xml_doc *d = ipfx_ctl(f, "func=ip.count&type=%s", type);
	long used = -1;

	for (size_t i = 0; i < d->nrows; i++)
		if (!strcmp(xml_row_get(&d->rows[i], "type"), type))
			used = atol(xml_row_get(&d->rows[i], "used"));
	xml_doc_free(d);
	if (used < 0)
		IPFX_FAIL("simctl ip.count: no type %s", type);
	return used;
}

/* A fault on one IPmanager function for the next `count` calls. */
static inline void ipfx_fault(ipfx *f, const char *func, const char *errtype,
                              int count)
{
	xml_doc_free(ipfx_ctl(f,
	                      "func=fault.set&target=ipmgr&func_name=%s&"
	                      "kind=error&arg=%s&count=%d",
	                      func, errtype, count));
}

#endif
