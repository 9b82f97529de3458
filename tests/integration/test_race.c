/* test_race.c - two orders, one server (domain.md 2): 20 processes open a
 * service each, at the same moment, for a type with 5 free servers; once
 * all on one store, once split over two stores on the same DCImanager.
 * Exactly 5 end active, 15 are refused with "no free server of type T"
 * and hold nothing, no server has two services and no address two owners
 * (the simulator's own view), and reconcile finds nothing on either
 * store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_engine_fixture.h"

#include <signal.h>
#include <sys/wait.h>

#define RACERS  20
#define SERVERS 5

static ef_world X;
/* The second store: same panels, its own tag. */
static char store2[700];

static int add_config(dc_store *st, ef_world *x, dc_err *e)
{
	dc_department d = {0};
	snprintf(d.name, sizeof(d.name), "NOC");
	dc_conn c = {0};
	snprintf(c.name, sizeof(c.name), "ipmgr-main");
	snprintf(c.url, sizeof(c.url), "%s", x->w.sim.ipmgr);
	snprintf(c.username, sizeof(c.username), "admin");
	dc_conn l = {0};
	snprintf(l.name, sizeof(l.name), "licences");
	snprintf(l.url, sizeof(l.url), "%s", x->w.sim.billmgr);
	snprintf(l.username, sizeof(l.username), "admin");
	if (department_add(st, &d, e) || ipmgr_add(st, &c, "admin", e) ||
	    licsrv_add(st, &l, "admin", e))
		return -1;
	dc_module m = {0};
	snprintf(m.name, sizeof(m.name), "dc1");
	snprintf(m.url, sizeof(m.url), "%s", x->w.sim.dcimgr[0]);
	snprintf(m.username, sizeof(m.username), "admin");
	m.ipmgr_id = c.id;
	m.licsrv_id = l.id;
	snprintf(m.parking_type, sizeof(m.parking_type), "parking");
	m.department_id = d.id;
	m.sorting = 10;
	m.enabled = true;
	if (module_add(st, &m, "admin", e))
		return -1;
	/* The first store's add-ons and tariff, copied. */
	dc_addon *a = NULL;
	size_t na = 0;
	if (addon_list(x->w.st, &a, &na, e))
		return -1;
	dc_tariff t;
	if (tariff_get(x->w.st, x->tariff_id, &t, e)) {
		free(a);
		return -1;
	}
	int64_t newid[DC_TARIFF_ADDONS_MAX] = {0};
	for (size_t i = 0; i < na; i++) {
		int64_t old = a[i].id;
		a[i].id = 0;
		if (addon_add(st, &a[i], e)) {
			free(a);
			return -1;
		}
		for (size_t k = 0; k < t.naddons; k++)
			if (t.addons[k].addon_id == old)
				newid[k] = a[i].id;
	}
	for (size_t k = 0; k < t.naddons; k++)
		t.addons[k].addon_id = newid[k];
	free(a);
	t.id = 0;
	t.nmodules = 1;
	t.modules[0] = m.id;
	return tariff_add(st, &t, e);
}

static int setup(void **state)
{
	(void)state;
	const char *args[] = {"--locations", "1",       "--servers",
	                      "5",           "--types", "ds-small",
	                      "--seed",      "11",      NULL};
	if (ef_start(&X, args))
		return -1;
	snprintf(store2, sizeof(store2), "%s/store2.db", X.w.dir);
	dc_err e;
	dc_store *st = store_open(store2, &e);
	if (!st || add_config(st, &X, &e)) {
		fprintf(stderr, "second store: %s\n", e.msg);
		return -1;
	}
	store_close(st);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	static const char *const sfx[] = {"", "-wal", "-shm", ".key"};
	for (size_t i = 0; i < 4; i++) {
		char p[800];
		snprintf(p, sizeof(p), "%s%s", store2, sfx[i]);
		unlink(p);
	}
	ef_stop(&X);
	return 0;
}

enum { R_DONE = 10, R_REFUSED = 11, R_OTHER = 12 };

/* One racer: waits for the start signal, opens, runs; the exit status
 * says how it ended. */
static void racer(const char *path, int idx, int go_fd)
{
	char c;
	if (read(go_fd, &c, 1) != 1)
		_exit(R_OTHER);
	dc_err e;
	dc_store *st = store_open(path, &e);
	if (!st)
		_exit(R_OTHER);
	engine_opts o = X.eo;
	o.progress = NULL;
	/* Across stores the claim is checked again after this delay. */
	o.claim_settle_ms = 300;
	engine *g = engine_new(st, &o, &e);
	if (!g)
		_exit(R_OTHER);
	char client[32];
	snprintf(client, sizeof(client), "racer%02d", idx);
	engine_open_req r = {.tariff = X.tariff, .client = client};
	int64_t sid, op;
	int rc = engine_open(g, &r, &sid, &op, &e) ? -1 : engine_run(g, op, &e);
	int code = R_OTHER;
	if (rc == 0)
		code = R_DONE;
	else if (e.cat == DC_E_LIMIT &&
	         !strncmp(e.msg, "no free server of type ds-small",
	                  strlen("no free server of type ds-small")))
		code = R_REFUSED;
	else
		fprintf(stderr, "racer %d: %s\n", idx, e.msg);
	engine_free(g);
	store_close(st);
	_exit(code);
}

static void race(const char *const *paths, int npaths)
{
	int go[2];
	assert_int_equal(pipe(go), 0);
	pid_t pids[RACERS];
	fflush(NULL);
	for (int i = 0; i < RACERS; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			close(go[1]);
			racer(paths[i % npaths], i, go[0]);
		}
	}
	close(go[0]);
	char start[RACERS];
	memset(start, 'g', sizeof(start));
	assert_int_equal(write(go[1], start, sizeof(start)), RACERS);
	close(go[1]);
	int done = 0, refused = 0, other = 0;
	for (int i = 0; i < RACERS; i++) {
		int status;
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		done += code == R_DONE;
		refused += code == R_REFUSED;
		other += code != R_DONE && code != R_REFUSED;
	}
	assert_int_equal(other, 0);
	assert_int_equal(done, SERVERS);
	assert_int_equal(refused, RACERS - SERVERS);
}

typedef struct seen {
	long server[RACERS];
	char owner[RACERS][DC_USER_MAX];
	int nserver;
	char ip[RACERS * 16][64];
	int nip;
} seen;

/* The services of one store: active ones on distinct servers with
 * distinct addresses; refused ones closed, holding nothing. */
static void check_store(dc_store *st, seen *sn, int *active)
{
	dc_service *v = NULL;
	size_t n = 0;
	service_filter f = {.include_closed = true};
	EF_CHECK(service_list(st, &f, &v, &n, &e_));
	for (size_t i = 0; i < n; i++) {
		svc_addr *a = NULL;
		size_t na = 0;
		EF_CHECK(service_addrs(st, v[i].id, &a, &na, &e_));
		if (v[i].status == SVC_ACTIVE) {
			(*active)++;
			for (int k = 0; k < sn->nserver; k++)
				if (sn->server[k] == v[i].server_id)
					fail_msg("server %lld has two services",
					         (long long)v[i].server_id);
			sn->server[sn->nserver] = (long)v[i].server_id;
			snprintf(sn->owner[sn->nserver], DC_USER_MAX, "%s",
			         v[i].panel_user);
			sn->nserver++;
			/* main + the two guardvlan9 of the tariff */
			assert_int_equal(na, 3);
			for (size_t k = 0; k < na; k++) {
				for (int j = 0; j < sn->nip; j++)
					if (!strcmp(sn->ip[j], a[k].ip))
						fail_msg(
						    "address %s used twice",
						    a[k].ip);
				snprintf(sn->ip[sn->nip++], 64, "%s", a[k].ip);
			}
		} else {
			if (v[i].status != SVC_CLOSED)
				fail_msg("service %lld is %s",
				         (long long)v[i].id,
				         svc_status_name(v[i].status));
			assert_int_equal(na, 0);
			int64_t busy;
			EF_CHECK(operation_unfinished(st, v[i].id, &busy, &e_));
			assert_int_equal(busy, 0);
		}
		free(a);
	}
	free(v);
}

static void check_panel(const seen *sn)
{
	/* Each claimed server is owned by the client the store says and
	 * carries exactly the addresses its service holds, a public main. */
	int total = 0;
	for (int i = 0; i < sn->nserver; i++) {
		ef_srv s;
		ef_server(&X, 1, sn->server[i], &s);
		assert_string_equal(s.owner, sn->owner[i]);
		assert_int_equal(s.naddr, 3);
		for (int k = 0; k < s.naddr; k++) {
			bool known = false;
			for (int j = 0; j < sn->nip; j++)
				known |= !strcmp(sn->ip[j], s.ip[k]);
			assert_true(known);
			if (s.main[k])
				assert_string_equal(s.iptype[k], "public");
			total++;
		}
	}
	assert_int_equal(total, sn->nip);
}

static void check_clean(dc_store *st)
{
	dc_err e;
	engine *g = engine_new(st, &X.eo, &e);
	assert_non_null(g);
	char first[512];
	size_t n = ef_drift(&X, g, first, sizeof(first));
	if (n)
		fail_msg("reconcile: %zu item(s), first: %s", n, first);
	engine_free(g);
}

static void close_all(dc_store *st)
{
	dc_err e;
	engine *g = engine_new(st, &X.eo, &e);
	assert_non_null(g);
	dc_service *v = NULL;
	size_t n = 0;
	EF_CHECK(service_list(st, NULL, &v, &n, &e_));
	for (size_t i = 0; i < n; i++) {
		int64_t op;
		EF_CHECK(engine_start(g, OPK_CLOSE, v[i].id, NULL, &op, &e_));
		EF_CHECK(engine_run(g, op, &e_));
	}
	free(v);
	engine_free(g);
}

static void test_race_one_store(void **state)
{
	(void)state;
	long before[EF_NTYPES], after[EF_NTYPES];
	ef_ip_snapshot(&X, before);
	const char *paths[] = {X.w.store_path};
	race(paths, 1);
	seen sn;
	memset(&sn, 0, sizeof(sn));
	int active = 0;
	check_store(X.w.st, &sn, &active);
	assert_int_equal(active, SERVERS);
	check_panel(&sn);
	/* The winners hold one public main address each; the losers none;
	 * the five parking addresses went back. */
	ef_ip_snapshot(&X, after);
	assert_int_equal(after[0], before[0] + SERVERS);
	assert_int_equal(after[3], before[3] + 2 * SERVERS);
	assert_int_equal(after[4], before[4] - SERVERS);
	check_clean(X.w.st);
	close_all(X.w.st);
	ef_ip_snapshot(&X, after);
	for (int i = 0; i < EF_NTYPES; i++)
		assert_int_equal(after[i], before[i]);
	check_clean(X.w.st);
}

static void test_race_two_stores(void **state)
{
	(void)state;
	long before[EF_NTYPES], after[EF_NTYPES];
	ef_ip_snapshot(&X, before);
	/* Services from the first round are closed; count afresh. */
	dc_err e;
	dc_store *st2 = store_open(store2, &e);
	assert_non_null(st2);
	const char *paths[] = {X.w.store_path, store2};
	race(paths, 2);
	seen sn;
	memset(&sn, 0, sizeof(sn));
	int active = 0;
	check_store(X.w.st, &sn, &active);
	check_store(st2, &sn, &active);
	assert_int_equal(active, SERVERS);
	check_panel(&sn);
	ef_ip_snapshot(&X, after);
	assert_int_equal(after[0], before[0] + SERVERS);
	assert_int_equal(after[3], before[3] + 2 * SERVERS);
	assert_int_equal(after[4], before[4] - SERVERS);
	check_clean(X.w.st);
	check_clean(st2);
	close_all(X.w.st);
	close_all(st2);
	ef_ip_snapshot(&X, after);
	for (int i = 0; i < EF_NTYPES; i++)
		assert_int_equal(after[i], before[i]);
	check_clean(X.w.st);
	check_clean(st2);
	store_close(st2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_race_one_store),
	    cmocka_unit_test(test_race_two_stores),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
