/* test_store.c - the store: creation, mode, WAL, migrations, CRUD of every
 * record, refusals that write nothing, delete refusals, secrets at rest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "secret.h"
#include "store.h"

typedef struct fx {
	char dir[256];
	char path[300];
	dc_store *st;
	int64_t dep, ipm, lic;
} fx;

static void make_dir(char *dir, size_t len)
{
	const char *t = getenv("DCITEST_TMP");
	snprintf(dir, len, "%s/store-XXXXXX", t && *t ? t : "/tmp");
	assert_non_null(mkdtemp(dir));
}

static void rm_tree(const char *dir)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static int setup(void **state)
{
	fx *f = calloc(1, sizeof(*f));
	make_dir(f->dir, sizeof(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/sub/store.db", f->dir);
	dc_err err;
	f->st = store_open(f->path, &err);
	if (!f->st)
		fail_msg("store_open: %s", err.msg);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx *f = *state;
	store_close(f->st);
	rm_tree(f->dir);
	free(f);
	return 0;
}

/* A department, an IPmanager and a licence server to hang modules on. */
static void base(fx *f)
{
	dc_err err;
	dc_department d = {.name = "NOC"};
	assert_int_equal(department_add(f->st, &d, &err), 0);
	f->dep = d.id;
	dc_conn c = {.name = "ipm",
	             .url = "https://ipm.example/ipmgr",
	             .username = "admin"};
	assert_int_equal(ipmgr_add(f->st, &c, "ipm-secret", &err), 0);
	f->ipm = c.id;
	dc_conn l = {.name = "lic",
	             .url = "https://lic.example/billmgr",
	             .username = "admin"};
	assert_int_equal(licsrv_add(f->st, &l, "lic-secret", &err), 0);
	f->lic = l.id;
}

static dc_module mod(fx *f, const char *name, int64_t sorting)
{
	dc_module m;
	memset(&m, 0, sizeof(m));
	snprintf(m.name, sizeof(m.name), "%s", name);
	snprintf(m.url, sizeof(m.url), "https://%s.example:1500/dcimgr", name);
	snprintf(m.username, sizeof(m.username), "admin");
	snprintf(m.parking_type, sizeof(m.parking_type), "parking");
	m.ipmgr_id = f->ipm;
	m.licsrv_id = f->lic;
	m.department_id = f->dep;
	m.sorting = sorting;
	m.enabled = true;
	return m;
}

/* Everything in every table, as text: "writes nothing" means this does not
 * change. */
static char *dump(dc_store *st)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *t;
	assert_int_equal(sqlite3_prepare_v2(db,
	                                    "SELECT name FROM sqlite_schema "
	                                    "WHERE type = 'table' ORDER BY "
	                                    "name",
	                                    -1, &t, NULL),
	                 SQLITE_OK);
	size_t cap = 1 << 16, n = 0;
	char *out = calloc(1, cap);
	while (sqlite3_step(t) == SQLITE_ROW) {
		char sql[200];
		snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\"",
		         sqlite3_column_text(t, 0));
		sqlite3_stmt *s;
		assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL),
		                 SQLITE_OK);
		n += (size_t)snprintf(out + n, cap - n, "[%s]",
		                      sqlite3_column_text(t, 0));
		while (sqlite3_step(s) == SQLITE_ROW) {
			for (int c = 0; c < sqlite3_column_count(s); c++) {
				const unsigned char *v =
				    sqlite3_column_text(s, c);
				int len = sqlite3_column_bytes(s, c);
				n += (size_t)snprintf(out + n, cap - n,
				                      "%d:", len);
				for (int i = 0; i < len && n + 3 < cap; i++)
					n += (size_t)snprintf(out + n, cap - n,
					                      "%02x", v[i]);
				n += (size_t)snprintf(out + n, cap - n, "|");
			}
			n += (size_t)snprintf(out + n, cap - n, "\n");
		}
		sqlite3_finalize(s);
		assert_true(n < cap - 16);
	}
	sqlite3_finalize(t);
	return out;
}

/* ---- opening ------------------------------------------------------------ */

static void test_new_store_private_wal_migrated(void **state)
{
	fx *f = *state;
	struct stat sb;
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	char key[400];
	snprintf(key, sizeof(key), "%s.key", f->path);
	assert_int_equal(stat(key, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(sb.st_size, 32);
	char dir[300];
	snprintf(dir, sizeof(dir), "%s/sub", f->dir);
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);

	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(store_db(f->st),
	                                    "PRAGMA journal_mode", -1, &s,
	                                    NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
	sqlite3_finalize(s);
	assert_int_equal(sqlite3_prepare_v2(store_db(f->st),
	                                    "PRAGMA foreign_keys", -1, &s,
	                                    NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), 1);
	sqlite3_finalize(s);

	size_t n;
	store_migrations(&n);
	assert_true(n >= 2);
	assert_int_equal(store_schema_version(f->st), (int)n);
	assert_int_equal(store_schema_latest(), (int)n);
	/* The reserved tables are there for the other parts. */
	static const char *const tables[] = {
	    "department", "ipmgr",        "licsrv",        "module",
	    "tariff",     "addon",        "tariff_module", "tariff_addon",
	    "service",    "service_addr", "operation",     "op_step",
	    "task",       "meta"};
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		char sql[128];
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s",
		         tables[i]);
		assert_int_equal(
		    sqlite3_exec(store_db(f->st), sql, NULL, NULL, NULL),
		    SQLITE_OK);
	}
	/* The WAL side files take the store's private mode. */
	dc_department d = {.name = "x"};
	assert_int_equal(department_add(f->st, &d, NULL), 0);
	char wal[400];
	snprintf(wal, sizeof(wal), "%s-wal", f->path);
	assert_int_equal(stat(wal, &sb), 0);
	assert_int_equal(sb.st_mode & 0077, 0);
}

static void test_reopen_keeps_data_and_version(void **state)
{
	fx *f = *state;
	base(f);
	store_close(f->st);
	dc_err err;
	f->st = store_open(f->path, &err);
	assert_non_null(f->st);
	dc_department d;
	assert_int_equal(department_get_by_name(f->st, "NOC", &d, &err), 0);
	char *pw = ipmgr_password(f->st, f->ipm, &err);
	assert_non_null(pw);
	assert_string_equal(pw, "ipm-secret");
	secret_free(pw);
	assert_int_equal(store_schema_version(f->st), store_schema_latest());
}

static void test_open_refuses_readable_store(void **state)
{
	fx *f = *state;
	store_close(f->st);
	f->st = NULL;
	assert_int_equal(chmod(f->path, 0644), 0);
	dc_err err;
	dc_store *st = store_open(f->path, &err);
	assert_null(st);
	assert_int_equal(err.cat, DC_E_STORE);
	assert_non_null(strstr(err.msg, "chmod 600"));
	assert_non_null(strstr(err.msg, f->path));
	assert_int_equal(chmod(f->path, 0600), 0);
	f->st = store_open(f->path, &err);
	assert_non_null(f->st);
}

static void test_open_refuses_readable_key(void **state)
{
	fx *f = *state;
	store_close(f->st);
	f->st = NULL;
	char key[400];
	snprintf(key, sizeof(key), "%s.key", f->path);
	assert_int_equal(chmod(key, 0640), 0);
	dc_err err;
	assert_null(store_open(f->path, &err));
	assert_non_null(strstr(err.msg, "chmod 600"));
	assert_int_equal(chmod(key, 0600), 0);
	f->st = store_open(f->path, &err);
	assert_non_null(f->st);
}

static void test_open_refuses_lost_or_foreign_key(void **state)
{
	fx *f = *state;
	base(f);
	store_close(f->st);
	f->st = NULL;
	char key[400], moved[420];
	snprintf(key, sizeof(key), "%s.key", f->path);
	snprintf(moved, sizeof(moved), "%s.old", key);
	assert_int_equal(rename(key, moved), 0);
	dc_err err;
	/* Missing key: refused, and no new key is made that would hide the
	 * loss. */
	assert_null(store_open(f->path, &err));
	assert_non_null(strstr(err.msg, "missing"));
	assert_int_equal(access(key, F_OK), -1);
	/* A key made for another store: refused. */
	char other[400];
	snprintf(other, sizeof(other), "%s/other.db", f->dir);
	dc_store *o = store_open(other, &err);
	assert_non_null(o);
	store_close(o);
	snprintf(moved + 0, sizeof(moved), "%s.key", other);
	assert_int_equal(rename(moved, key), 0);
	assert_null(store_open(f->path, &err));
	assert_non_null(strstr(err.msg, "does not belong"));
	snprintf(moved, sizeof(moved), "%s.key.old", f->path);
	assert_int_equal(rename(moved, key), 0);
	f->st = store_open(f->path, &err);
	assert_non_null(f->st);
}

static void test_open_refuses_newer_schema(void **state)
{
	fx *f = *state;
	char sql[64];
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
	         store_schema_latest() + 1);
	assert_int_equal(sqlite3_exec(store_db(f->st), sql, NULL, NULL, NULL),
	                 SQLITE_OK);
	store_close(f->st);
	dc_err err;
	f->st = store_open(f->path, &err);
	assert_null(f->st);
	assert_non_null(strstr(err.msg, "newer"));
}

static void test_open_refuses_non_database(void **state)
{
	fx *f = *state;
	char p[400];
	snprintf(p, sizeof(p), "%s/junk.db", f->dir);
	int fd = open(p, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	char junk[4096];
	memset(junk, 'x', sizeof(junk));
	assert_int_equal(write(fd, junk, sizeof(junk)), (ssize_t)sizeof(junk));
	close(fd);
	dc_err err;
	assert_null(store_open(p, &err));
	assert_int_equal(err.cat, DC_E_STORE);
}

/* A migration set that grows: an old store is brought up to date. */
static void test_migrates_old_store(void **state)
{
	fx *f = *state;
	char p[400];
	snprintf(p, sizeof(p), "%s/old.db", f->dir);
	int fd = open(p, O_WRONLY | O_CREAT, 0600);
	close(fd);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
	size_t n;
	const store_migration *m = store_migrations(&n);
	assert_int_equal(sqlite3_exec(db, m[0].sql, NULL, NULL, NULL),
	                 SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(db, "PRAGMA user_version = 1", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	dc_err err;
	dc_store *st = store_open(p, &err);
	assert_non_null(st);
	assert_int_equal(store_schema_version(st), (int)n);
	assert_int_equal(sqlite3_exec(store_db(st),
	                              "SELECT count(*) FROM operation", NULL,
	                              NULL, NULL),
	                 SQLITE_OK);
	store_close(st);
}

/* ---- secrets ------------------------------------------------------------ */

static bool file_has(const char *path, const char *needle)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return false;
	size_t n = strlen(needle), have = 0;
	char *buf = NULL;
	char chunk[4096];
	size_t r;
	while ((r = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		buf = realloc(buf, have + r);
		memcpy(buf + have, chunk, r);
		have += r;
	}
	fclose(fp);
	bool found = false;
	for (size_t i = 0; i + n <= have && !found; i++)
		found = !memcmp(buf + i, needle, n);
	free(buf);
	return found;
}

static void test_password_not_in_store_file(void **state)
{
	fx *f = *state;
	base(f);
	static const char pw[] = "Sup3r-Secret-Passw0rd-XYZ";
	dc_module m = mod(f, "dc1", 10);
	dc_err err;
	assert_int_equal(module_add(f->st, &m, pw, &err), 0);
	assert_true(m.has_password);
	/* Push the WAL into the main file too, then look at both. */
	assert_int_equal(sqlite3_wal_checkpoint_v2(store_db(f->st), NULL,
	                                           SQLITE_CHECKPOINT_FULL, NULL,
	                                           NULL),
	                 SQLITE_OK);
	char wal[400];
	snprintf(wal, sizeof(wal), "%s-wal", f->path);
	assert_true(file_has(f->path, "https://dc1.example:1500/dcimgr"));
	assert_false(file_has(f->path, pw));
	assert_false(file_has(wal, pw));
	assert_false(file_has(f->path, "ipm-secret"));
	char *got = module_password(f->st, m.id, &err);
	assert_non_null(got);
	assert_string_equal(got, pw);
	secret_free(got);

	/* Update without a password keeps it; with one replaces it. */
	snprintf(m.url, sizeof(m.url), "https://dc1b.example/dcimgr");
	assert_int_equal(module_update(f->st, &m, NULL, &err), 0);
	got = module_password(f->st, m.id, &err);
	assert_string_equal(got, pw);
	secret_free(got);
	assert_int_equal(module_update(f->st, &m, "other-pass", &err), 0);
	got = module_password(f->st, m.id, &err);
	assert_string_equal(got, "other-pass");
	secret_free(got);
}

static void test_secret_round_trip_and_tamper(void **state)
{
	fx *f = *state;
	char kp[400];
	snprintf(kp, sizeof(kp), "%s/k.key", f->dir);
	dc_err err;
	assert_null(secret_key_load(kp, false, &err));
	assert_int_equal(err.cat, DC_E_NOTFOUND);
	secret_key *k = secret_key_load(kp, true, &err);
	assert_non_null(k);
	unsigned char *b1, *b2;
	size_t n1, n2;
	assert_int_equal(secret_seal(k, "hunter2", &b1, &n1, &err), 0);
	assert_int_equal(secret_seal(k, "hunter2", &b2, &n2, &err), 0);
	/* Random nonce: the same password seals differently. */
	assert_int_equal(n1, n2);
	assert_memory_not_equal(b1, b2, n1);
	assert_null(memmem(b1, n1, "hunter2", 7));
	char *p = secret_unseal(k, b1, n1, &err);
	assert_string_equal(p, "hunter2");
	secret_free(p);
	/* Any flipped bit is caught by the tag. */
	for (size_t i = 0; i < n1; i++) {
		b1[i] ^= 0x01;
		assert_null(secret_unseal(k, b1, n1, &err));
		assert_int_equal(err.cat, DC_E_STORE);
		b1[i] ^= 0x01;
	}
	assert_null(secret_unseal(k, b1, 5, &err));
	/* Another key cannot open it. */
	char kp2[400];
	snprintf(kp2, sizeof(kp2), "%s/k2.key", f->dir);
	secret_key *k2 = secret_key_load(kp2, true, &err);
	assert_non_null(k2);
	char id1[SECRET_KEY_ID_LEN + 1], id2[SECRET_KEY_ID_LEN + 1];
	secret_key_id(k, id1);
	secret_key_id(k2, id2);
	assert_string_not_equal(id1, id2);
	assert_null(secret_unseal(k2, b1, n1, &err));
	/* Empty secret works too. */
	unsigned char *b3;
	size_t n3;
	assert_int_equal(secret_seal(k, "", &b3, &n3, &err), 0);
	p = secret_unseal(k, b3, n3, &err);
	assert_string_equal(p, "");
	secret_free(p);
	free(b1);
	free(b2);
	free(b3);
	secret_key_free(k);
	secret_key_free(k2);
	/* Reloading gives the same key (same id). */
	k = secret_key_load(kp, false, &err);
	char id3[SECRET_KEY_ID_LEN + 1];
	secret_key_id(k, id3);
	assert_string_equal(id1, id3);
	secret_key_free(k);
	/* A truncated key file is refused. */
	assert_int_equal(truncate(kp, 16), 0);
	assert_null(secret_key_load(kp, false, &err));
	assert_int_equal(err.cat, DC_E_CONFIG);
}

/* ---- CRUD ------------------------------------------------------------------
 */

static void test_department_crud(void **state)
{
	fx *f = *state;
	dc_err err;
	dc_department a = {.name = "NOC"}, b = {.name = "Billing"};
	assert_int_equal(department_add(f->st, &a, &err), 0);
	assert_int_equal(department_add(f->st, &b, &err), 0);
	assert_true(a.id > 0 && b.id > 0 && a.id != b.id);
	dc_department *v;
	size_t n;
	assert_int_equal(department_list(f->st, &v, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].name, "Billing");
	assert_string_equal(v[1].name, "NOC");
	free(v);
	snprintf(a.name, sizeof(a.name), "Ops");
	assert_int_equal(department_update(f->st, &a, &err), 0);
	dc_department g;
	assert_int_equal(department_get(f->st, a.id, &g, &err), 0);
	assert_string_equal(g.name, "Ops");
	assert_int_equal(department_get_by_name(f->st, "NOC", &g, &err), -1);
	assert_int_equal(err.cat, DC_E_NOTFOUND);
	assert_int_equal(department_delete(f->st, b.id, &err), 0);
	assert_int_equal(department_get(f->st, b.id, &g, &err), -1);
	assert_int_equal(err.cat, DC_E_NOTFOUND);
	assert_int_equal(department_delete(f->st, b.id, &err), -1);
	assert_int_equal(err.cat, DC_E_NOTFOUND);
	dc_department ghost = {.id = 999, .name = "x"};
	assert_int_equal(department_update(f->st, &ghost, &err), -1);
	assert_int_equal(err.cat, DC_E_NOTFOUND);
}

static void test_conn_crud(void **state)
{
	fx *f = *state;
	base(f);
	dc_err err;
	dc_conn c;
	assert_int_equal(ipmgr_get(f->st, f->ipm, &c, &err), 0);
	assert_string_equal(c.name, "ipm");
	assert_string_equal(c.url, "https://ipm.example/ipmgr");
	assert_true(c.has_password);
	assert_false(c.insecure);
	c.insecure = true;
	snprintf(c.username, sizeof(c.username), "root");
	assert_int_equal(ipmgr_update(f->st, &c, NULL, &err), 0);
	dc_conn g;
	assert_int_equal(ipmgr_get_by_name(f->st, "ipm", &g, &err), 0);
	assert_true(g.insecure);
	assert_string_equal(g.username, "root");
	char *pw = ipmgr_password(f->st, g.id, &err);
	assert_string_equal(pw, "ipm-secret");
	secret_free(pw);
	pw = licsrv_password(f->st, f->lic, &err);
	assert_string_equal(pw, "lic-secret");
	secret_free(pw);
	dc_conn *v;
	size_t n;
	assert_int_equal(licsrv_list(f->st, &v, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].name, "lic");
	free(v);
	assert_int_equal(ipmgr_list(f->st, &v, &n, &err), 0);
	assert_int_equal(n, 1);
	free(v);
	/* The same name may be used by an IPmanager and a licence server:
	 * names are unique per entity. */
	dc_conn l2 = {
	    .name = "ipm", .url = "http://l2.example/billmgr", .username = "u"};
	assert_int_equal(licsrv_add(f->st, &l2, "p", &err), 0);
	assert_int_equal(licsrv_delete(f->st, l2.id, &err), 0);
	assert_null(ipmgr_password(f->st, 12345, &err));
	assert_int_equal(err.cat, DC_E_NOTFOUND);
}

static void test_module_crud_and_order(void **state)
{
	fx *f = *state;
	base(f);
	dc_err err;
	dc_module a = mod(f, "b-second", 20), b = mod(f, "a-first", 10),
	          c = mod(f, "c-tie", 20);
	b.licsrv_id = 0;
	b.wipe_disks = true;
	assert_int_equal(module_add(f->st, &a, "pw", &err), 0);
	assert_int_equal(module_add(f->st, &b, "pw", &err), 0);
	assert_int_equal(module_add(f->st, &c, "pw", &err), 0);
	dc_module *v;
	size_t n;
	assert_int_equal(module_list(f->st, &v, &n, &err), 0);
	assert_int_equal(n, 3);
	/* sorting, then id */
	assert_string_equal(v[0].name, "a-first");
	assert_string_equal(v[1].name, "b-second");
	assert_string_equal(v[2].name, "c-tie");
	assert_int_equal(v[0].licsrv_id, 0);
	assert_true(v[0].wipe_disks);
	assert_int_equal(v[1].licsrv_id, f->lic);
	assert_int_equal(v[1].check.ok, -1);
	free(v);

	assert_int_equal(module_set_enabled(f->st, a.id, false, &err), 0);
	dc_check chk = {.at = 1700000000, .ms = 42, .ok = 1};
	snprintf(chk.msg, sizeof(chk.msg), "ok: level 29");
	assert_int_equal(module_set_check(f->st, a.id, &chk, &err), 0);
	dc_module g;
	assert_int_equal(module_get_by_name(f->st, "b-second", &g, &err), 0);
	assert_false(g.enabled);
	assert_int_equal(g.check.at, 1700000000);
	assert_int_equal(g.check.ms, 42);
	assert_int_equal(g.check.ok, 1);
	assert_string_equal(g.check.msg, "ok: level 29");
	assert_string_equal(g.parking_type, "parking");
	assert_int_equal(g.department_id, f->dep);

	g.sorting = 5;
	snprintf(g.parking_type, sizeof(g.parking_type), "grey");
	assert_int_equal(module_update(f->st, &g, NULL, &err), 0);
	assert_int_equal(module_get(f->st, g.id, &g, &err), 0);
	assert_int_equal(g.sorting, 5);
	assert_string_equal(g.parking_type, "grey");
	/* update does not touch the check result */
	assert_int_equal(g.check.ms, 42);
	assert_int_equal(module_set_enabled(f->st, 999, true, &err), -1);
	assert_int_equal(err.cat, DC_E_NOTFOUND);
	assert_int_equal(module_delete(f->st, c.id, &err), 0);
	assert_int_equal(module_get(f->st, c.id, &g, &err), -1);
	assert_int_equal(err.cat, DC_E_NOTFOUND);
}

static dc_addon addon(const char *name, const char *kind, dc_billing b,
                      const char *values, const char *range)
{
	dc_addon a;
	memset(&a, 0, sizeof(a));
	snprintf(a.name, sizeof(a.name), "%s", name);
	snprintf(a.kind, sizeof(a.kind), "%s", kind);
	dc_addon_kind k;
	assert_int_equal(model_parse_addon_kind(kind, &k, NULL, NULL), 0);
	dc_err err;
	if (model_addon_values_parse(k, b, values, range, &a.v, &err))
		fail_msg("values: %s", err.msg);
	return a;
}

static void test_addon_and_tariff_crud(void **state)
{
	fx *f = *state;
	base(f);
	dc_err err;
	dc_module m1 = mod(f, "dc1", 10), m2 = mod(f, "dc2", 20);
	assert_int_equal(module_add(f->st, &m1, "pw", &err), 0);
	assert_int_equal(module_add(f->st, &m2, "pw", &err), 0);
	dc_addon ram = addon("ram", "ram", DC_BILL_CLIENT, "8192, 16384", NULL),
	         ip =
	             addon("ipv4", "ipv4_public", DC_BILL_CLIENT, NULL, "0..8"),
	         sp = addon("special_ip_block_guardvlan9",
	                    "special_ip_block_guardvlan9", DC_BILL_NONE, "2",
	                    NULL);
	assert_int_equal(addon_add(f->st, &ram, &err), 0);
	assert_int_equal(addon_add(f->st, &ip, &err), 0);
	assert_int_equal(addon_add(f->st, &sp, &err), 0);
	dc_addon g;
	assert_int_equal(addon_get_by_name(f->st, "ram", &g, &err), 0);
	assert_int_equal(g.kind_id, DC_ADDON_RAM);
	assert_int_equal(g.v.billing, DC_BILL_CLIENT);
	assert_string_equal(g.v.list, "8192,16384");
	assert_int_equal(addon_get(f->st, ip.id, &g, &err), 0);
	assert_true(g.v.is_range);
	assert_int_equal(g.v.min, 0);
	assert_int_equal(g.v.max, 8);
	assert_int_equal(addon_get(f->st, sp.id, &g, &err), 0);
	assert_int_equal(g.kind_id, DC_ADDON_SPECIAL_IP);
	assert_string_equal(g.iptype, "guardvlan9");
	assert_string_equal(g.v.value, "2");
	/* unit is derived from the kind */
	sqlite3_stmt *s;
	sqlite3_prepare_v2(store_db(f->st),
	                   "SELECT unit FROM addon WHERE name = 'ram'", -1, &s,
	                   NULL);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "MiB");
	sqlite3_finalize(s);

	dc_tariff t;
	memset(&t, 0, sizeof(t));
	snprintf(t.name, sizeof(t.name), "DS-Small");
	snprintf(t.server_type, sizeof(t.server_type), "ds-small");
	t.enabled = true;
	t.nmodules = 2;
	t.modules[0] = m2.id; /* order as given is kept */
	t.modules[1] = m1.id;
	t.naddons = 2;
	t.addons[0].addon_id = ram.id;
	t.addons[1].addon_id = ip.id;
	t.addons[1].override = true;
	assert_int_equal(model_addon_values_parse(DC_ADDON_IPV4_PUBLIC,
	                                          DC_BILL_INCLUDED, "1", NULL,
	                                          &t.addons[1].v, &err),
	                 0);
	assert_int_equal(tariff_add(f->st, &t, &err), 0);
	dc_tariff r;
	assert_int_equal(tariff_get_by_name(f->st, "DS-Small", &r, &err), 0);
	assert_int_equal(r.nmodules, 2);
	assert_int_equal(r.modules[0], m2.id);
	assert_int_equal(r.modules[1], m1.id);
	assert_int_equal(r.naddons, 2);
	assert_false(r.addons[0].override);
	assert_true(r.addons[1].override);
	assert_int_equal(r.addons[1].v.billing, DC_BILL_INCLUDED);
	assert_string_equal(r.addons[1].v.value, "1");
	dc_addon res[DC_TARIFF_ADDONS_MAX];
	assert_int_equal(tariff_resolve_addons(f->st, &r, res, &err), 0);
	assert_string_equal(res[0].name, "ram");
	assert_string_equal(res[1].name, "ipv4");

	r.nmodules = 1;
	r.modules[0] = m1.id;
	r.naddons = 3;
	r.addons[2].addon_id = sp.id;
	r.addons[2].override = false;
	assert_int_equal(tariff_update(f->st, &r, &err), 0);
	assert_int_equal(tariff_set_enabled(f->st, r.id, false, &err), 0);
	dc_tariff *v;
	size_t n;
	assert_int_equal(tariff_list(f->st, &v, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_false(v[0].enabled);
	assert_int_equal(v[0].nmodules, 1);
	assert_int_equal(v[0].naddons, 3);
	free(v);

	/* addon update: values change; kind cannot change while used */
	assert_int_equal(addon_get(f->st, ram.id, &g, &err), 0);
	assert_int_equal(model_addon_values_parse(DC_ADDON_RAM,
	                                          DC_BILL_INCLUDED, "4096",
	                                          NULL, &g.v, &err),
	                 0);
	assert_int_equal(addon_update(f->st, &g, &err), 0);
	snprintf(g.kind, sizeof(g.kind), "portspeed");
	assert_int_equal(addon_update(f->st, &g, &err), -1);
	assert_string_equal(err.field, "kind");
	assert_non_null(strstr(err.msg, "DS-Small"));

	assert_int_equal(tariff_delete(f->st, r.id, &err), 0);
	assert_int_equal(tariff_get(f->st, r.id, &r, &err), -1);
	assert_int_equal(err.cat, DC_E_NOTFOUND);
	/* the links went with it */
	sqlite3_prepare_v2(store_db(f->st),
	                   "SELECT (SELECT count(*) FROM tariff_module) + "
	                   "(SELECT count(*) FROM tariff_addon)",
	                   -1, &s, NULL);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), 0);
	sqlite3_finalize(s);
	assert_int_equal(addon_delete(f->st, ram.id, &err), 0);
}

/* ---- refusals write nothing -------------------------------------------- */

#define REFUSED(call, cat_, field_)                                            \
	do {                                                                   \
		char *before_ = dump(f->st);                                   \
		int64_t changes_ = sqlite3_total_changes64(store_db(f->st));   \
		assert_int_equal((call), -1);                                  \
		assert_int_equal(err.cat, (cat_));                             \
		if ((field_)[0])                                               \
			assert_string_equal(err.field, (field_));              \
		char *after_ = dump(f->st);                                    \
		assert_string_equal(before_, after_);                          \
		assert_int_equal(changes_,                                     \
		                 sqlite3_total_changes64(store_db(f->st)));    \
		assert_true(sqlite3_get_autocommit(store_db(f->st)));          \
		free(before_);                                                 \
		free(after_);                                                  \
	} while (0)

static void test_refusals_write_nothing(void **state)
{
	fx *f = *state;
	base(f);
	dc_err err;
	dc_module ok = mod(f, "dc1", 10);
	assert_int_equal(module_add(f->st, &ok, "pw", &err), 0);

	dc_department d = {.name = ""};
	REFUSED(department_add(f->st, &d, &err), DC_E_INVALID, "name");
	snprintf(d.name, sizeof(d.name), "NOC");
	REFUSED(department_add(f->st, &d, &err), DC_E_INVALID, "name");
	snprintf(d.name, sizeof(d.name), " padded");
	REFUSED(department_add(f->st, &d, &err), DC_E_INVALID, "name");

	dc_conn c = {.name = "ipm2", .url = "ftp://x/ipmgr", .username = "a"};
	REFUSED(ipmgr_add(f->st, &c, "pw", &err), DC_E_INVALID, "url");
	snprintf(c.url, sizeof(c.url), "https://x/ipmgr");
	REFUSED(ipmgr_add(f->st, &c, "", &err), DC_E_INVALID, "password");
	REFUSED(ipmgr_add(f->st, &c, NULL, &err), DC_E_INVALID, "password");
	c.username[0] = '\0';
	REFUSED(ipmgr_add(f->st, &c, "pw", &err), DC_E_INVALID, "username");
	snprintf(c.username, sizeof(c.username), "a");
	snprintf(c.name, sizeof(c.name), "ipm");
	REFUSED(ipmgr_add(f->st, &c, "pw", &err), DC_E_INVALID, "name");
	snprintf(c.cafile, sizeof(c.cafile), "/nonexistent/ca.pem");
	snprintf(c.name, sizeof(c.name), "ipm3");
	REFUSED(ipmgr_add(f->st, &c, "pw", &err), DC_E_INVALID, "cafile");

	dc_module m = mod(f, "dc1", 10);
	REFUSED(module_add(f->st, &m, "pw", &err), DC_E_INVALID, "name");
	m = mod(f, "dc2", 10);
	snprintf(m.url, sizeof(m.url), "not a url");
	REFUSED(module_add(f->st, &m, "pw", &err), DC_E_INVALID, "url");
	m = mod(f, "dc2", 10);
	snprintf(m.url, sizeof(m.url), "https://user:pw@h/dcimgr");
	REFUSED(module_add(f->st, &m, "pw", &err), DC_E_INVALID, "url");
	m = mod(f, "dc2", -1);
	REFUSED(module_add(f->st, &m, "pw", &err), DC_E_INVALID, "sorting");
	m = mod(f, "dc2", DC_SORTING_MAX + 1);
	REFUSED(module_add(f->st, &m, "pw", &err), DC_E_INVALID, "sorting");
	m = mod(f, "dc2", 10);
	m.ipmgr_id = 999;
	REFUSED(module_add(f->st, &m, "pw", &err), DC_E_INVALID, "ipmgr");
	m = mod(f, "dc2", 10);
	m.ipmgr_id = 0;
	REFUSED(module_add(f->st, &m, "pw", &err), DC_E_INVALID, "ipmgr");
	m = mod(f, "dc2", 10);
	m.department_id = 999;
	REFUSED(module_add(f->st, &m, "pw", &err), DC_E_INVALID, "department");
	m = mod(f, "dc2", 10);
	m.licsrv_id = 999;
	REFUSED(module_add(f->st, &m, "pw", &err), DC_E_INVALID, "license");
	m = mod(f, "dc2", 10);
	snprintf(m.parking_type, sizeof(m.parking_type), "bad type!");
	REFUSED(module_add(f->st, &m, "pw", &err), DC_E_INVALID,
	        "parking_type");
	m = mod(f, "dc2", 10);
	m.username[0] = '\0';
	REFUSED(module_add(f->st, &m, "pw", &err), DC_E_INVALID, "username");
	/* update refusals leave the old record */
	dc_module u = ok;
	snprintf(u.url, sizeof(u.url), "http://");
	REFUSED(module_update(f->st, &u, NULL, &err), DC_E_INVALID, "url");
	u = ok;
	u.id = 999;
	REFUSED(module_update(f->st, &u, NULL, &err), DC_E_NOTFOUND, "");

	dc_addon a = addon("ram", "ram", DC_BILL_INCLUDED, "1024", NULL);
	snprintf(a.kind, sizeof(a.kind), "memory");
	REFUSED(addon_add(f->st, &a, &err), DC_E_INVALID, "kind");
	a = addon("special_ip_block_x", "special_ip_block_y", DC_BILL_NONE, "1",
	          NULL);
	REFUSED(addon_add(f->st, &a, &err), DC_E_INVALID, "name");
	a = addon("ram", "ram", DC_BILL_INCLUDED, "1024", NULL);
	snprintf(a.v.value, sizeof(a.v.value), "lots");
	REFUSED(addon_add(f->st, &a, &err), DC_E_INVALID, "values");
	a.v.billing = DC_BILL_CLIENT;
	a.v.value[0] = '\0';
	REFUSED(addon_add(f->st, &a, &err), DC_E_INVALID, "values");
	a = addon("ram", "ram", DC_BILL_INCLUDED, "1024", NULL);
	assert_int_equal(addon_add(f->st, &a, &err), 0);
	dc_addon dup = addon("ram", "os", DC_BILL_INCLUDED, "debian-12", NULL);
	REFUSED(addon_add(f->st, &dup, &err), DC_E_INVALID, "name");
	dc_addon ram2 = addon("ram2", "ram", DC_BILL_INCLUDED, "2048", NULL);
	assert_int_equal(addon_add(f->st, &ram2, &err), 0);

	dc_tariff t;
	memset(&t, 0, sizeof(t));
	snprintf(t.name, sizeof(t.name), "T");
	snprintf(t.server_type, sizeof(t.server_type), "ds");
	REFUSED(tariff_add(f->st, &t, &err), DC_E_INVALID, "modules");
	t.nmodules = 1;
	t.modules[0] = 999;
	REFUSED(tariff_add(f->st, &t, &err), DC_E_INVALID, "modules");
	t.modules[0] = ok.id;
	t.naddons = 1;
	t.addons[0].addon_id = 999;
	REFUSED(tariff_add(f->st, &t, &err), DC_E_INVALID, "addons");
	t.naddons = 2;
	t.addons[0].addon_id = a.id;
	t.addons[1].addon_id = ram2.id;
	REFUSED(tariff_add(f->st, &t, &err), DC_E_INVALID, "addons");
	t.naddons = 1;
	t.addons[0].override = true;
	t.addons[0].v.billing = DC_BILL_CLIENT;
	snprintf(t.addons[0].v.list, sizeof(t.addons[0].v.list), "x,y");
	REFUSED(tariff_add(f->st, &t, &err), DC_E_INVALID, "addons");
	t.addons[0].override = false;
	t.server_type[0] = '\0';
	REFUSED(tariff_add(f->st, &t, &err), DC_E_INVALID, "server_type");
	snprintf(t.server_type, sizeof(t.server_type), "ds");
	assert_int_equal(tariff_add(f->st, &t, &err), 0);
	dc_tariff t2 = t;
	t2.id = 0;
	REFUSED(tariff_add(f->st, &t2, &err), DC_E_INVALID, "name");
}

/* ---- delete refusals ------------------------------------------------------
 */

static void test_delete_refused_while_used(void **state)
{
	fx *f = *state;
	base(f);
	dc_err err;
	dc_module m = mod(f, "dc1", 10);
	assert_int_equal(module_add(f->st, &m, "pw", &err), 0);
	dc_addon a = addon("os", "os", DC_BILL_INCLUDED, "debian-12", NULL);
	assert_int_equal(addon_add(f->st, &a, &err), 0);
	dc_tariff t[2];
	for (int i = 0; i < 2; i++) {
		memset(&t[i], 0, sizeof(t[i]));
		snprintf(t[i].name, sizeof(t[i].name), "T%d", i + 1);
		snprintf(t[i].server_type, sizeof(t[i].server_type), "ds");
		t[i].nmodules = 1;
		t[i].modules[0] = m.id;
		t[i].naddons = 1;
		t[i].addons[0].addon_id = a.id;
		assert_int_equal(tariff_add(f->st, &t[i], &err), 0);
	}
	REFUSED(module_delete(f->st, m.id, &err), DC_E_CONFLICT, "");
	assert_non_null(strstr(err.msg, "T1, T2"));
	REFUSED(addon_delete(f->st, a.id, &err), DC_E_CONFLICT, "");
	assert_non_null(strstr(err.msg, "T1, T2"));
	REFUSED(department_delete(f->st, f->dep, &err), DC_E_CONFLICT, "");
	assert_non_null(strstr(err.msg, "dc1"));
	REFUSED(ipmgr_delete(f->st, f->ipm, &err), DC_E_CONFLICT, "");
	assert_non_null(strstr(err.msg, "dc1"));
	REFUSED(licsrv_delete(f->st, f->lic, &err), DC_E_CONFLICT, "");
	assert_non_null(strstr(err.msg, "dc1"));

	/* A live service on the tariff and module holds them too. */
	assert_int_equal(
	    sqlite3_exec(store_db(f->st),
	                 "INSERT INTO service(client, tariff_id, "
	                 "module_id, server_id, status, created_at, "
	                 "updated_at) VALUES ('acme', 1, 1, 7, 'active', "
	                 "0, 0)",
	                 NULL, NULL, NULL),
	    SQLITE_OK);
	REFUSED(tariff_delete(f->st, t[0].id, &err), DC_E_CONFLICT, "");
	assert_non_null(strstr(err.msg, "acme"));
	assert_int_equal(tariff_delete(f->st, t[1].id, &err), 0);
	/* Two live services on one server cannot exist. */
	assert_int_not_equal(
	    sqlite3_exec(store_db(f->st),
	                 "INSERT INTO service(client, tariff_id, "
	                 "module_id, server_id, status, created_at, "
	                 "updated_at) VALUES ('other', 1, 1, 7, 'opening', "
	                 "0, 0)",
	                 NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_exec(store_db(f->st),
	                              "UPDATE service SET status = 'closed'",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	/* Closed services no longer hold anything. */
	assert_int_equal(tariff_delete(f->st, t[0].id, &err), 0);
	assert_int_equal(addon_delete(f->st, a.id, &err), 0);
	assert_int_equal(module_delete(f->st, m.id, &err), 0);
	assert_int_equal(licsrv_delete(f->st, f->lic, &err), 0);
	assert_int_equal(ipmgr_delete(f->st, f->ipm, &err), 0);
	/* An open task holds its department. */
	assert_int_equal(sqlite3_exec(store_db(f->st),
	                              "INSERT INTO task(department_id, text, "
	                              "created_at) VALUES (1, 'x', 0)",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	REFUSED(department_delete(f->st, f->dep, &err), DC_E_CONFLICT, "");
	assert_non_null(strstr(err.msg, "task"));
	assert_int_equal(sqlite3_exec(store_db(f->st),
	                              "UPDATE task SET state = 'done'", NULL,
	                              NULL, NULL),
	                 SQLITE_OK);
	assert_int_equal(department_delete(f->st, f->dep, &err), 0);
}

static void test_check_field(void **state)
{
	fx *f = *state;
	base(f);
	dc_err err;
	dc_module m = mod(f, "dc1", 10);
	assert_int_equal(module_add(f->st, &m, "pw", &err), 0);
	assert_int_equal(
	    store_check_field(f->st, DC_ENT_MODULE, 0, "name", "dc1", &err),
	    -1);
	assert_string_equal(err.field, "name");
	/* the record itself may keep its name */
	assert_int_equal(
	    store_check_field(f->st, DC_ENT_MODULE, m.id, "name", "dc1", &err),
	    0);
	assert_int_equal(
	    store_check_field(f->st, DC_ENT_DEPARTMENT, 0, "name", "dc1", &err),
	    0);
	assert_int_equal(
	    store_check_field(f->st, DC_ENT_MODULE, 0, "ipmgr", "nope", &err),
	    -1);
	assert_string_equal(err.field, "ipmgr");
	assert_int_equal(
	    store_check_field(f->st, DC_ENT_MODULE, 0, "ipmgr", "ipm", &err),
	    0);
	assert_int_equal(
	    store_check_field(f->st, DC_ENT_MODULE, 0, "license", "", &err), 0);
	assert_int_equal(store_check_field(f->st, DC_ENT_MODULE, 0,
	                                   "department", "Nobody", &err),
	                 -1);
	assert_int_equal(
	    store_check_field(f->st, DC_ENT_TARIFF, 0, "modules", "dc1", &err),
	    0);
	assert_int_equal(
	    store_check_field(f->st, DC_ENT_TARIFF, 0, "addons", "ram", &err),
	    -1);
	assert_int_equal(
	    store_check_field(f->st, DC_ENT_MODULE, 0, "sorting", "1.5", &err),
	    -1);
	assert_string_equal(err.field, "sorting");
}

/* Two connections (as two dcictl processes) on one store: the second sees
 * the first's writes, and a name taken by one is refused to the other. */
static void test_two_connections(void **state)
{
	fx *f = *state;
	dc_err err;
	dc_store *b = store_open(f->path, &err);
	assert_non_null(b);
	dc_department d = {.name = "Shared"};
	assert_int_equal(department_add(f->st, &d, &err), 0);
	dc_department g;
	assert_int_equal(department_get_by_name(b, "Shared", &g, &err), 0);
	dc_department d2 = {.name = "Shared"};
	assert_int_equal(department_add(b, &d2, &err), -1);
	assert_string_equal(err.field, "name");
	/* b holding the write lock makes a's write wait, then fail with a
	 * store error once the timeout passes, not corrupt anything. */
	store_set_busy_timeout(f->st, 50);
	assert_int_equal(store_begin(b, &err), 0);
	dc_department d3 = {.name = "Blocked"};
	assert_int_equal(department_add(f->st, &d3, &err), -1);
	assert_int_equal(err.cat, DC_E_STORE);
	store_rollback(b);
	assert_int_equal(department_add(f->st, &d3, &err), 0);
	store_close(b);
}

/* Several processes opening one new store at once: all succeed, migrate
 * once, and agree on one key. */
static void test_concurrent_first_open(void **state)
{
	fx *f = *state;
	char p[400];
	snprintf(p, sizeof(p), "%s/race/new.db", f->dir);
	enum { KIDS = 4 };
	int go[2], res[2];
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(res), 0);
	pid_t pids[KIDS];
	for (int i = 0; i < KIDS; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			close(go[1]);
			char c;
			/* start together: wait until the parent closes go */
			if (read(go[0], &c, 1) != 0)
				_exit(2);
			dc_err err;
			dc_store *st = store_open(p, &err);
			if (!st)
				_exit(3);
			char id[SECRET_KEY_ID_LEN + 1];
			secret_key_id(store_key(st), id);
			if (write(res[1], id, SECRET_KEY_ID_LEN) !=
			    SECRET_KEY_ID_LEN)
				_exit(4);
			store_close(st);
			_exit(0);
		}
	}
	close(go[0]);
	close(go[1]);
	close(res[1]);
	char first[SECRET_KEY_ID_LEN + 1] = "";
	for (int i = 0; i < KIDS; i++) {
		char id[SECRET_KEY_ID_LEN + 1] = "";
		assert_int_equal(read(res[0], id, SECRET_KEY_ID_LEN),
		                 SECRET_KEY_ID_LEN);
		if (!first[0])
			memcpy(first, id, sizeof(first));
		assert_string_equal(id, first);
	}
	close(res[0]);
	for (int i = 0; i < KIDS; i++) {
		int status;
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	dc_err err;
	dc_store *st = store_open(p, &err);
	assert_non_null(st);
	char id[SECRET_KEY_ID_LEN + 1];
	secret_key_id(store_key(st), id);
	assert_string_equal(id, first);
	assert_int_equal(store_schema_version(st), store_schema_latest());
	store_close(st);
}

static void test_symlinked_store_refused(void **state)
{
	fx *f = *state;
	char link[400];
	snprintf(link, sizeof(link), "%s/link.db", f->dir);
	assert_int_equal(symlink(f->path, link), 0);
	dc_err err;
	assert_null(store_open(link, &err));
	assert_non_null(strstr(err.msg, "symbolic link"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	    T(test_new_store_private_wal_migrated),
	    T(test_reopen_keeps_data_and_version),
	    T(test_open_refuses_readable_store),
	    T(test_open_refuses_readable_key),
	    T(test_open_refuses_lost_or_foreign_key),
	    T(test_open_refuses_newer_schema),
	    T(test_open_refuses_non_database),
	    T(test_migrates_old_store),
	    T(test_password_not_in_store_file),
	    T(test_secret_round_trip_and_tamper),
	    T(test_department_crud),
	    T(test_conn_crud),
	    T(test_module_crud_and_order),
	    T(test_addon_and_tariff_crud),
	    T(test_refusals_write_nothing),
	    T(test_delete_refused_while_used),
	    T(test_check_field),
	    T(test_two_connections),
	    T(test_concurrent_first_open),
	    T(test_symlinked_store_refused),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
