/* store.c - opening the store, migrations, transactions and the helpers
 * the record files share; see store.h and doc/store.md. */
#include "store_int.h"

#include "inventory.h"
#include "stats.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- schema --------------------------------------------------------------
 * Each entry is one migration, applied once, in order, in its own
 * transaction; the store's PRAGMA user_version is the number applied.
 * Never edit an entry that has shipped: add a new one at the end. */

static const char m1_records[] =
    "CREATE TABLE meta(\n"
    "  name TEXT PRIMARY KEY,\n"
    "  value TEXT NOT NULL\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE department(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL UNIQUE\n"
    ");\n"
    "CREATE TABLE ipmgr(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL UNIQUE,\n"
    "  url TEXT NOT NULL,\n"
    "  username TEXT NOT NULL,\n"
    "  password_enc BLOB NOT NULL,\n"
    "  cafile TEXT NOT NULL DEFAULT '',\n"
    "  insecure INTEGER NOT NULL DEFAULT 0 CHECK (insecure IN (0, 1))\n"
    ");\n"
    "CREATE TABLE licsrv(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL UNIQUE,\n"
    "  url TEXT NOT NULL,\n"
    "  username TEXT NOT NULL,\n"
    "  password_enc BLOB NOT NULL,\n"
    "  cafile TEXT NOT NULL DEFAULT '',\n"
    "  insecure INTEGER NOT NULL DEFAULT 0 CHECK (insecure IN (0, 1))\n"
    ");\n"
    "CREATE TABLE module(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL UNIQUE,\n"
    "  url TEXT NOT NULL,\n"
    "  username TEXT NOT NULL,\n"
    "  password_enc BLOB NOT NULL,\n"
    "  cafile TEXT NOT NULL DEFAULT '',\n"
    "  insecure INTEGER NOT NULL DEFAULT 0 CHECK (insecure IN (0, 1)),\n"
    "  ipmgr_id INTEGER NOT NULL REFERENCES ipmgr(id),\n"
    "  parking_type TEXT NOT NULL,\n"
    "  licsrv_id INTEGER REFERENCES licsrv(id),\n"
    "  department_id INTEGER NOT NULL REFERENCES department(id),\n"
    "  sorting INTEGER NOT NULL CHECK (sorting BETWEEN 0 AND 2147483647),\n"
    "  enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),\n"
    "  wipe_disks INTEGER NOT NULL DEFAULT 0 CHECK (wipe_disks IN (0, 1)),\n"
    "  last_check_at INTEGER,\n"
    "  last_check_ms INTEGER,\n"
    "  last_check_ok INTEGER CHECK (last_check_ok IN (0, 1)),\n"
    "  last_check_msg TEXT\n"
    ");\n"
    "CREATE INDEX module_order ON module(sorting, id);\n"
    "CREATE INDEX module_ipmgr ON module(ipmgr_id);\n"
    "CREATE INDEX module_licsrv ON module(licsrv_id);\n"
    "CREATE INDEX module_department ON module(department_id);\n"
    "CREATE TABLE tariff(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL UNIQUE,\n"
    "  server_type TEXT NOT NULL,\n"
    "  enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1))\n"
    ");\n"
    "CREATE TABLE tariff_module(\n"
    "  tariff_id INTEGER NOT NULL REFERENCES tariff(id) ON DELETE CASCADE,\n"
    "  module_id INTEGER NOT NULL REFERENCES module(id),\n"
    "  pos INTEGER NOT NULL,\n"
    "  PRIMARY KEY (tariff_id, module_id)\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX tariff_module_module ON tariff_module(module_id);\n"
    /* Values: included/none keep `value`; client keeps `list` (comma
     * joined) or min..max. The CHECK keeps half-filled rows out. */
    "CREATE TABLE addon(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL UNIQUE,\n"
    "  kind TEXT NOT NULL,\n"
    "  billing TEXT NOT NULL CHECK (billing IN ('included', 'client', "
    "'none')),\n"
    "  value TEXT,\n"
    "  list TEXT,\n"
    "  min INTEGER,\n"
    "  max INTEGER,\n"
    "  unit TEXT NOT NULL,\n"
    "  CHECK ((billing <> 'client' AND value IS NOT NULL AND list IS NULL\n"
    "          AND min IS NULL AND max IS NULL)\n"
    "      OR (billing = 'client' AND value IS NULL\n"
    "          AND ((list IS NOT NULL AND min IS NULL AND max IS NULL)\n"
    "            OR (list IS NULL AND min <= max))))\n"
    ");\n"
    /* billing NULL: the add-on's own billing and values apply. */
    "CREATE TABLE tariff_addon(\n"
    "  tariff_id INTEGER NOT NULL REFERENCES tariff(id) ON DELETE CASCADE,\n"
    "  addon_id INTEGER NOT NULL REFERENCES addon(id),\n"
    "  pos INTEGER NOT NULL,\n"
    "  billing TEXT CHECK (billing IN ('included', 'client', 'none')),\n"
    "  value TEXT,\n"
    "  list TEXT,\n"
    "  min INTEGER,\n"
    "  max INTEGER,\n"
    "  PRIMARY KEY (tariff_id, addon_id)\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX tariff_addon_addon ON tariff_addon(addon_id);\n";

/* Reserved for the services, journal and tasks (domain.md 1, 3, 4, 6);
 * their owners change them with further migrations. */
static const char m2_services[] =
    "CREATE TABLE service(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  client TEXT NOT NULL,\n"
    "  panel_user TEXT,\n"
    "  tariff_id INTEGER REFERENCES tariff(id) ON DELETE SET NULL,\n"
    "  module_id INTEGER REFERENCES module(id) ON DELETE SET NULL,\n"
    "  server_id INTEGER,\n"
    "  server_name TEXT,\n"
    "  hostname TEXT,\n"
    "  status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', "
    "'opening', 'active', 'suspended', 'closing', 'closed', 'failed')),\n"
    "  addons TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(addons)),\n"
    "  licence_id TEXT,\n"
    "  created_at INTEGER NOT NULL,\n"
    "  updated_at INTEGER NOT NULL,\n"
    "  closed_at INTEGER\n"
    ");\n"
    /* Two orders, one server: at most one live service per server. */
    "CREATE UNIQUE INDEX service_server ON service(module_id, server_id)\n"
    "  WHERE server_id IS NOT NULL AND status <> 'closed';\n"
    "CREATE INDEX service_tariff ON service(tariff_id);\n"
    "CREATE TABLE service_addr(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  service_id INTEGER NOT NULL REFERENCES service(id) ON DELETE "
    "CASCADE,\n"
    "  ipmgr_id INTEGER NOT NULL REFERENCES ipmgr(id),\n"
    "  ip TEXT NOT NULL,\n"
    "  family TEXT NOT NULL CHECK (family IN ('ipv4', 'ipv6')),\n"
    "  iptype TEXT NOT NULL,\n"
    "  main INTEGER NOT NULL DEFAULT 0 CHECK (main IN (0, 1)),\n"
    "  panel_ip_id INTEGER,\n"
    "  UNIQUE (ipmgr_id, ip)\n"
    ");\n"
    "CREATE UNIQUE INDEX service_addr_main ON service_addr(service_id)\n"
    "  WHERE main = 1;\n"
    "CREATE TABLE operation(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  kind TEXT NOT NULL CHECK (kind IN ('open', 'suspend', 'resume', "
    "'close', 'reinstall')),\n"
    "  service_id INTEGER NOT NULL REFERENCES service(id),\n"
    "  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', "
    "'running', 'done', 'failed', 'rolling_back', 'rolled_back')),\n"
    "  step INTEGER NOT NULL DEFAULT 0,\n"
    "  params TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(params)),\n"
    "  error TEXT,\n"
    "  lease_owner TEXT,\n"
    "  lease_until INTEGER,\n"
    "  created_at INTEGER NOT NULL,\n"
    "  updated_at INTEGER NOT NULL,\n"
    "  finished_at INTEGER\n"
    ");\n"
    "CREATE INDEX operation_service ON operation(service_id);\n"
    "CREATE INDEX operation_open ON operation(state)\n"
    "  WHERE state NOT IN ('done', 'rolled_back');\n"
    "CREATE TABLE op_step(\n"
    "  op_id INTEGER NOT NULL REFERENCES operation(id) ON DELETE CASCADE,\n"
    "  idx INTEGER NOT NULL,\n"
    "  name TEXT NOT NULL,\n"
    "  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', "
    "'running', 'done', 'failed', 'skipped', 'undone')),\n"
    "  attempts INTEGER NOT NULL DEFAULT 0,\n"
    "  last_error TEXT,\n"
    "  data TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(data)),\n"
    "  started_at INTEGER,\n"
    "  finished_at INTEGER,\n"
    "  PRIMARY KEY (op_id, idx)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE task(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  department_id INTEGER REFERENCES department(id) ON DELETE SET "
    "NULL,\n"
    "  op_id INTEGER REFERENCES operation(id) ON DELETE SET NULL,\n"
    "  text TEXT NOT NULL,\n"
    "  state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', "
    "'done')),\n"
    "  created_at INTEGER NOT NULL,\n"
    "  closed_at INTEGER\n"
    ");\n"
    "CREATE INDEX task_department ON task(department_id);\n"
    "CREATE INDEX task_open ON task(state) WHERE state = 'open';\n";

static const store_migration migrations[] = {
    {"records: departments, panels, modules, tariffs, add-ons", m1_records,
     NULL},
    {"services, addresses, journal, tasks", m2_services, NULL},
    {"inventory: cached panel facts and server counts", inventory_schema_v1,
     NULL},
    /* core/service.c, core/engine*.c: chosen add-ons, history, address
     * roles, sealed client passwords and the store's random tag that marks
     * what this store takes on the panels. */
    {"services: add-on choices, history, address roles, store tag",
     "CREATE TABLE service_addon(\n"
     "  service_id INTEGER NOT NULL REFERENCES service(id) ON DELETE "
     "CASCADE,\n"
     "  name TEXT NOT NULL,\n"
     "  kind TEXT NOT NULL,\n"
     "  value TEXT NOT NULL,\n"
     "  PRIMARY KEY (service_id, name)\n"
     ");\n"
     "CREATE TABLE service_event(\n"
     "  id INTEGER PRIMARY KEY,\n"
     "  service_id INTEGER NOT NULL REFERENCES service(id) ON DELETE "
     "CASCADE,\n"
     "  op_id INTEGER REFERENCES operation(id) ON DELETE SET NULL,\n"
     "  at INTEGER NOT NULL,\n"
     "  text TEXT NOT NULL\n"
     ");\n"
     "CREATE INDEX service_event_service ON service_event(service_id, id);\n"
     "ALTER TABLE service ADD COLUMN root_password_enc BLOB;\n"
     "ALTER TABLE service ADD COLUMN user_password_enc BLOB;\n"
     "ALTER TABLE service_addr ADD COLUMN role TEXT NOT NULL DEFAULT "
     "'public';\n"
     "INSERT OR IGNORE INTO meta(name, value) VALUES ('engine_tag', "
     "lower(hex(randomblob(4))));\n",
     NULL},
    {"statistics: buckets, daily rows, cursors", stats_schema_sql, NULL},
    /* New migrations go here, one line each. */
};

#define NMIGRATIONS (sizeof(migrations) / sizeof(migrations[0]))

const store_migration *store_migrations(size_t *n)
{
	if (n)
		*n = NMIGRATIONS;
	return migrations;
}

int store_schema_latest(void)
{
	return (int)NMIGRATIONS;
}

/* ---- helpers ----------------------------------------------------------- */

int store_sqlerr(dc_store *st, dc_err *err, const char *what)
{
	return err_set(err, DC_E_STORE, "%s: %s", what,
	               st && st->db ? sqlite3_errmsg(st->db) : "no store");
}

sqlite3_stmt *st_prep(dc_store *st, const char *sql, dc_err *err)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		store_sqlerr(st, err, "prepare");
		sqlite3_finalize(s);
		return NULL;
	}
	return s;
}

int st_run(dc_store *st, sqlite3_stmt *s, const char *field, dc_err *err)
{
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW) {
		sqlite3_finalize(s);
		return 0;
	}
	int ext = sqlite3_extended_errcode(st->db);
	char msg[256];
	dc_strlcpy(msg, sqlite3_errmsg(st->db), sizeof(msg));
	sqlite3_finalize(s);
	if (ext == SQLITE_CONSTRAINT_UNIQUE && field)
		return err_field(err, DC_E_INVALID, field,
		                 "%s is already taken (%s)", field, msg);
	if (ext == SQLITE_CONSTRAINT_FOREIGNKEY)
		return err_set(err, DC_E_CONFLICT,
		               "a record it refers to is missing or in use "
		               "(%s)",
		               msg);
	if ((ext & 0xff) == SQLITE_CONSTRAINT && field)
		return err_field(err, DC_E_INVALID, field, "refused: %s", msg);
	return err_set(err, DC_E_STORE, "write: %s", msg);
}

void st_col_text(sqlite3_stmt *s, int col, char *buf, size_t len)
{
	const char *t = (const char *)sqlite3_column_text(s, col);
	dc_strlcpy(buf, t ? t : "", len);
}

int st_bind_text(sqlite3_stmt *s, int idx, const char *v)
{
	return v ? sqlite3_bind_text(s, idx, v, -1, SQLITE_TRANSIENT)
	         : sqlite3_bind_null(s, idx);
}

int st_name_taken(dc_store *st, const char *table, const char *name,
                  int64_t self_id, bool *taken, dc_err *err)
{
	char sql[128];
	snprintf(sql, sizeof(sql),
	         "SELECT 1 FROM %s WHERE name = ? AND id <> ?", table);
	sqlite3_stmt *s = st_prep(st, sql, err);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, self_id);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlerr(st, err, "read");
	*taken = rc == SQLITE_ROW;
	return 0;
}

int st_id_exists(dc_store *st, const char *table, int64_t id, bool *exists,
                 dc_err *err)
{
	char sql[96];
	snprintf(sql, sizeof(sql), "SELECT 1 FROM %s WHERE id = ?", table);
	sqlite3_stmt *s = st_prep(st, sql, err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlerr(st, err, "read");
	*exists = rc == SQLITE_ROW;
	return 0;
}

int st_names(dc_store *st, const char *sql, int64_t param, char *buf,
             size_t len, int *count, dc_err *err)
{
	sqlite3_stmt *s = st_prep(st, sql, err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, param);
	size_t off = 0;
	int n = 0, rc;
	if (len)
		buf[0] = '\0';
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s, 0);
		if (off < len) {
			int w = snprintf(buf + off, len - off, "%s%s",
			                 n ? ", " : "", t ? t : "");
			if (w > 0)
				off += (size_t)w;
		}
		n++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_sqlerr(st, err, "read");
	if (off >= len && len > 4)
		memcpy(buf + len - 4, "...", 4);
	*count = n;
	return 0;
}

int st_bind_password(dc_store *st, sqlite3_stmt *s, int idx,
                     const char *password, dc_err *err)
{
	unsigned char *blob;
	size_t n;
	if (secret_seal(st->key, password, &blob, &n, err))
		return -1;
	int rc = sqlite3_bind_blob(s, idx, blob, (int)n, free);
	return rc == SQLITE_OK ? 0 : store_sqlerr(st, err, "bind");
}

char *st_password(dc_store *st, const char *table, int64_t id, dc_err *err)
{
	char sql[96];
	snprintf(sql, sizeof(sql), "SELECT password_enc FROM %s WHERE id = ?",
	         table);
	sqlite3_stmt *s = st_prep(st, sql, err);
	if (!s)
		return NULL;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	char *out = NULL;
	if (rc == SQLITE_ROW)
		out = secret_unseal(st->key, sqlite3_column_blob(s, 0),
		                    (size_t)sqlite3_column_bytes(s, 0), err);
	else if (rc == SQLITE_DONE)
		err_set(err, DC_E_NOTFOUND, "no %s with id %lld", table,
		        (long long)id);
	else
		store_sqlerr(st, err, "read");
	sqlite3_finalize(s);
	return out;
}

int st_unique(dc_store *st, const char *table, const char *what,
              const char *name, int64_t self, dc_err *err)
{
	bool taken;
	if (st_name_taken(st, table, name, self, &taken, err))
		return -1;
	if (taken)
		return err_field(err, DC_E_INVALID, "name",
		                 "a %s named \"%s\" already exists", what,
		                 name);
	return 0;
}

int st_must_exist(dc_store *st, const char *table, const char *what, int64_t id,
                  dc_err *err)
{
	bool exists;
	if (st_id_exists(st, table, id, &exists, err))
		return -1;
	if (!exists)
		return err_set(err, DC_E_NOTFOUND, "no %s with id %lld", what,
		               (long long)id);
	return 0;
}

int st_fail(dc_store *st)
{
	store_rollback(st);
	return -1;
}

int store_begin(dc_store *st, dc_err *err)
{
	if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK)
		return store_sqlerr(st, err, "begin");
	return 0;
}

int store_commit(dc_store *st, dc_err *err)
{
	if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		store_sqlerr(st, err, "commit");
		store_rollback(st);
		return -1;
	}
	return 0;
}

void store_rollback(dc_store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

int store_seal(dc_store *st, const char *plain, unsigned char **blob,
               size_t *len, dc_err *err)
{
	return secret_seal(st->key, plain, blob, len, err);
}

char *store_unseal(dc_store *st, const void *blob, size_t len, dc_err *err)
{
	return secret_unseal(st->key, blob, len, err);
}

const char *store_path(const dc_store *st)
{
	return st->path;
}

sqlite3 *store_db(dc_store *st)
{
	return st->db;
}

const secret_key *store_key(const dc_store *st)
{
	return st->key;
}

void store_set_busy_timeout(dc_store *st, int ms)
{
	sqlite3_busy_timeout(st->db, ms);
}

static int user_version(dc_store *st, int *v, dc_err *err)
{
	sqlite3_stmt *s = st_prep(st, "PRAGMA user_version", err);
	if (!s)
		return -1;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : store_sqlerr(st, err, "read version");
}

int store_schema_version(dc_store *st)
{
	int v = -1;
	user_version(st, &v, NULL);
	return v;
}

/* ---- opening ------------------------------------------------------------ */

static int check_private(const char *path, const struct stat *sb, dc_err *err)
{
	if (!S_ISREG(sb->st_mode))
		return err_set(err, DC_E_STORE, "%s is not a file", path);
	if (sb->st_mode & (S_IRWXG | S_IRWXO))
		return err_set(err, DC_E_STORE,
		               "store %s can be read by others (mode %04o) and "
		               "holds secrets; fix: chmod 600 %s",
		               path, (unsigned)(sb->st_mode & 07777), path);
	return 0;
}

/* mkdir -p for the store's directory; new directories are 0700. */
static int make_parent(const char *path, dc_err *err)
{
	char *dir = strdup(path);
	if (!dir)
		return err_set(err, DC_E_NOMEM, "out of memory");
	char *slash = strrchr(dir, '/');
	int rc = 0;
	if (slash && slash != dir) {
		*slash = '\0';
		for (char *p = dir + 1; !rc; p++) {
			if (*p != '/' && *p)
				continue;
			char c = *p;
			*p = '\0';
			if (mkdir(dir, 0700) != 0 && errno != EEXIST)
				rc = err_set(err, DC_E_IO,
				             "cannot create directory %s: %s",
				             dir, strerror(errno));
			*p = c;
			if (!c)
				break;
		}
	}
	free(dir);
	return rc;
}

/* Creates the file 0600 before SQLite sees it (SQLite would create it with
 * the umask's mode), and refuses files others can read. The -wal and -shm
 * files SQLite makes take the database file's mode. */
static int prepare_file(const char *path, dc_err *err)
{
	if (make_parent(path, err))
		return -1;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 && errno == ELOOP)
		return err_set(err, DC_E_STORE,
		               "store %s is a symbolic link; give the real "
		               "path (a link could point the store anywhere)",
		               path);
	if (fd < 0)
		return err_set(err, DC_E_STORE, "cannot open store %s: %s",
		               path, strerror(errno));
	struct stat sb;
	int rc = fstat(fd, &sb) == 0 ? check_private(path, &sb, err)
	                             : err_set(err, DC_E_IO, "stat %s: %s",
	                                       path, strerror(errno));
	close(fd);
	if (rc)
		return -1;
	static const char *const sfx[] = {"-wal", "-shm"};
	for (size_t i = 0; i < 2; i++) {
		char side[4096];
		snprintf(side, sizeof(side), "%s%s", path, sfx[i]);
		if (stat(side, &sb) == 0 && check_private(side, &sb, err))
			return -1;
	}
	return 0;
}

static int pragma_text(dc_store *st, const char *sql, char *out, size_t len,
                       dc_err *err)
{
	sqlite3_stmt *s = st_prep(st, sql, err);
	if (!s)
		return -1;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		st_col_text(s, 0, out, len);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlerr(st, err, sql);
	return 0;
}

static int migrate(dc_store *st, dc_err *err)
{
	for (;;) {
		int v;
		if (user_version(st, &v, err))
			return -1;
		if (v > (int)NMIGRATIONS)
			return err_set(err, DC_E_STORE,
			               "store %s has schema version %d, newer "
			               "than this dcictl knows (%d); use a "
			               "newer dcictl",
			               st->path, v, (int)NMIGRATIONS);
		if (v == (int)NMIGRATIONS)
			return 0;
		if (store_begin(st, err))
			return -1;
		/* Another process may have migrated while we waited. */
		if (user_version(st, &v, err))
			return st_fail(st);
		if (v >= (int)NMIGRATIONS) {
			store_rollback(st);
			continue;
		}
		const store_migration *m = &migrations[v];
		char *emsg = NULL;
		if (m->sql && sqlite3_exec(st->db, m->sql, NULL, NULL, &emsg) !=
		                  SQLITE_OK) {
			err_set(err, DC_E_STORE, "migration %d (%s): %s", v + 1,
			        m->name, emsg ? emsg : "failed");
			sqlite3_free(emsg);
			return st_fail(st);
		}
		if (m->fn && m->fn(st->db, err)) {
			err_prefix(err, "migration %d (%s)", v + 1, m->name);
			return st_fail(st);
		}
		char sql[64];
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
			store_sqlerr(st, err, "set version");
			return st_fail(st);
		}
		if (store_commit(st, err))
			return -1;
	}
}

static int meta_get(dc_store *st, const char *name, char *out, size_t len,
                    bool *found, dc_err *err)
{
	sqlite3_stmt *s =
	    st_prep(st, "SELECT value FROM meta WHERE name = ?", err);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	*found = rc == SQLITE_ROW;
	if (*found)
		st_col_text(s, 0, out, len);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlerr(st, err, "read meta");
	return 0;
}

/* The key file must be the one the store's secrets were sealed with; the
 * store remembers its fingerprint. A store whose key is lost is refused
 * rather than silently given a new key its passwords do not open. */
static int open_key(dc_store *st, dc_err *err)
{
	size_t n = strlen(st->path) + 5;
	char *kpath = malloc(n);
	if (!kpath)
		return err_set(err, DC_E_NOMEM, "out of memory");
	snprintf(kpath, n, "%s.key", st->path);
	char want[SECRET_KEY_ID_LEN + 1] = "", have[SECRET_KEY_ID_LEN + 1];
	bool known, locked = false;
	int rc = -1;
	/* Usually the store knows its key: no write lock for that. Only a
	 * new store takes the lock, re-reads, and records the key it made,
	 * so two processes opening a new store agree on one key. */
	if (meta_get(st, "key_id", want, sizeof(want), &known, err))
		goto out;
	if (!known) {
		if (store_begin(st, err))
			goto out;
		locked = true;
		if (meta_get(st, "key_id", want, sizeof(want), &known, err))
			goto out;
	}
	st->key = secret_key_load(kpath, !known, err);
	if (!st->key) {
		if (known && err && err->cat == DC_E_NOTFOUND)
			err_set(err, DC_E_STORE,
			        "key file %s is missing, so the passwords in "
			        "%s cannot be read; restore it from a backup, "
			        "or move the store away and set it up again",
			        kpath, st->path);
		goto out;
	}
	secret_key_id(st->key, have);
	if (known && strcmp(want, have)) {
		err_set(err, DC_E_STORE,
		        "key file %s does not belong to store %s (it was made "
		        "for another store); restore the right key file",
		        kpath, st->path);
		goto out;
	}
	if (!known) {
		sqlite3_stmt *s = st_prep(
		    st, "INSERT INTO meta(name, value) VALUES ('key_id', ?)",
		    err);
		if (!s)
			goto out;
		sqlite3_bind_text(s, 1, have, -1, SQLITE_TRANSIENT);
		if (st_run(st, s, NULL, err))
			goto out;
	}
	if (locked) {
		locked = false;
		if (store_commit(st, err))
			goto out;
	}
	rc = 0;
out:
	if (locked)
		store_rollback(st);
	free(kpath);
	return rc;
}

dc_store *store_open(const char *path, dc_err *err)
{
	if (!path || !*path) {
		err_set(err, DC_E_STORE, "no store path");
		return NULL;
	}
	if (prepare_file(path, err))
		return NULL;
	dc_store *st = calloc(1, sizeof(*st));
	if (!st || !(st->path = strdup(path))) {
		free(st);
		err_set(err, DC_E_NOMEM, "out of memory");
		return NULL;
	}
	int rc = sqlite3_open_v2(path, &st->db,
	                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
	                             SQLITE_OPEN_EXRESCODE,
	                         NULL);
	if (rc != SQLITE_OK) {
		store_sqlerr(st, err, "open");
		err_prefix(err, "store %s", path);
		store_close(st);
		return NULL;
	}
	sqlite3_busy_timeout(st->db, STORE_BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(st->db, 1);
	char mode[16] = "";
	if (sqlite3_exec(st->db, "PRAGMA foreign_keys = ON", NULL, NULL,
	                 NULL) != SQLITE_OK ||
	    pragma_text(st, "PRAGMA journal_mode = WAL", mode, sizeof(mode),
	                err)) {
		if (err && err->cat != DC_E_STORE)
			store_sqlerr(st, err, "setup");
		err_prefix(err, "store %s", path);
		store_close(st);
		return NULL;
	}
	if (strcmp(mode, "wal")) {
		err_set(err, DC_E_STORE,
		        "store %s: cannot use write-ahead logging (journal "
		        "mode %s); is it on a network file system?",
		        path, mode);
		store_close(st);
		return NULL;
	}
	if (migrate(st, err) || open_key(st, err)) {
		store_close(st);
		return NULL;
	}
	return st;
}

void store_close(dc_store *st)
{
	if (!st)
		return;
	if (st->db)
		sqlite3_close_v2(st->db);
	secret_key_free(st->key);
	free(st->path);
	free(st);
}

/* ---- one field against the other records ------------------------------- */

static const char *const ent_table[DC_ENT_COUNT] = {
    [DC_ENT_DEPARTMENT] = "department", [DC_ENT_IPMGR] = "ipmgr",
    [DC_ENT_LICSRV] = "licsrv",         [DC_ENT_MODULE] = "module",
    [DC_ENT_TARIFF] = "tariff",         [DC_ENT_ADDON] = "addon",
};

static int ref_exists(dc_store *st, const char *table, const char *field,
                      const char *what, const char *name, dc_err *err)
{
	bool taken;
	if (st_name_taken(st, table, name, 0, &taken, err))
		return -1;
	if (!taken)
		return err_field(err, DC_E_INVALID, field, "no %s named \"%s\"",
		                 what, name);
	return 0;
}

int store_check_field(dc_store *st, dc_entity ent, int64_t self_id,
                      const char *field, const char *value, dc_err *err)
{
	if (model_check_field(ent, field, value, err))
		return -1;
	if (!strcmp(field, "name")) {
		bool taken;
		if (st_name_taken(st, ent_table[ent], value, self_id, &taken,
		                  err))
			return -1;
		if (taken)
			return err_field(err, DC_E_INVALID, "name",
			                 "a %s named \"%s\" already exists",
			                 model_entity_name(ent), value);
		return 0;
	}
	if (ent == DC_ENT_MODULE) {
		if (!strcmp(field, "ipmgr"))
			return ref_exists(st, "ipmgr", field,
			                  "IPmanager connection", value, err);
		if (!strcmp(field, "department"))
			return ref_exists(st, "department", field, "department",
			                  value, err);
		if (!strcmp(field, "license"))
			return *value ? ref_exists(st, "licsrv", field,
			                           "licence server", value, err)
			              : 0;
	}
	if (ent == DC_ENT_TARIFF) {
		if (!strcmp(field, "modules"))
			return ref_exists(st, "module", field,
			                  "processing module", value, err);
		if (!strcmp(field, "addons"))
			return ref_exists(st, "addon", field, "add-on", value,
			                  err);
	}
	return 0;
}
