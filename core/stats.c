/* stats.c - statistics collector, store tables and queries; see stats.h
 * and doc/statistics.md ("Collection and storage"). */
#include "stats.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dci.h"
#include "panel.h"
#include "secret.h"
#include "service.h"

/* The schema, applied by store.c as one migration. Presence of a field is
 * its column being non-NULL; a bucket the panel did not report is no row.
 * The cursor table also remembers the server's name for look-ups by name.
 * Module deletion takes the module's statistics with it. */
const char stats_schema_sql[] =
    "CREATE TABLE stat_bucket(\n"
    "  module_id INTEGER NOT NULL REFERENCES module(id) ON DELETE CASCADE,\n"
    "  server_id INTEGER NOT NULL,\n"
    "  t INTEGER NOT NULL CHECK (t % 300 = 0),\n"
    "  in_kib INTEGER CHECK (in_kib >= 0),\n"
    "  out_kib INTEGER CHECK (out_kib >= 0),\n"
    "  power_w REAL CHECK (power_w >= 0),\n"
    "  CHECK (in_kib IS NOT NULL OR out_kib IS NOT NULL\n"
    "         OR power_w IS NOT NULL),\n"
    "  PRIMARY KEY (module_id, server_id, t)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE stat_day(\n"
    "  module_id INTEGER NOT NULL REFERENCES module(id) ON DELETE CASCADE,\n"
    "  server_id INTEGER NOT NULL,\n"
    "  zone TEXT NOT NULL,\n"
    "  day TEXT NOT NULL,\n"
    "  day_start INTEGER NOT NULL,\n"
    "  day_end INTEGER NOT NULL CHECK (day_end > day_start),\n"
    "  burst_in_day REAL,\n"
    "  burst_out_day REAL,\n"
    "  n_in INTEGER NOT NULL,\n"
    "  n_out INTEGER NOT NULL,\n"
    "  expected INTEGER NOT NULL,\n"
    "  coverage REAL NOT NULL,\n"
    "  coverage_day REAL NOT NULL,\n"
    "  in_kib INTEGER NOT NULL,\n"
    "  out_kib INTEGER NOT NULL,\n"
    "  computed_at INTEGER NOT NULL,\n"
    "  PRIMARY KEY (module_id, server_id, zone, day)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE stat_cursor(\n"
    "  module_id INTEGER NOT NULL REFERENCES module(id) ON DELETE CASCADE,\n"
    "  server_id INTEGER NOT NULL,\n"
    "  name TEXT NOT NULL DEFAULT '',\n"
    "  next_t INTEGER NOT NULL CHECK (next_t % 300 = 0),\n"
    "  updated_at INTEGER NOT NULL,\n"
    "  PRIMARY KEY (module_id, server_id)\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX stat_cursor_name ON stat_cursor(name);\n";

#define BUCKET STATMATH_BUCKET_SECONDS
/* Largest KiB count we take from a panel: beyond 2^53 a double is no
 * longer exact, and 8 PiB in 5 minutes is not traffic. */
#define KIB_MAX 9007199254740992.0
/* Answers stored in one transaction, and how long one stays open: fewer
 * commits (each is an fsync of the WAL) without holding other dcictl
 * processes' writes back for long. */
#define GROUP_MAX       64
#define GROUP_MAX_MS    200.0
#define RETENTION_EVERY 3600

static double mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static int64_t floor300(int64_t t)
{
	return statmath_align5(t);
}

static sqlite3_stmt *prep(dc_store *st, const char *sql, dc_err *err)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK) {
		store_sqlerr(st, err, "prepare");
		sqlite3_finalize(s);
		return NULL;
	}
	return s;
}

/* The key a zone's daily rows are stored under: one spelling per zone. */
static void zone_key(const statmath_zone *z, char *buf, size_t len)
{
	if (!z || z->kind == STATMATH_ZONE_UTC) {
		dc_strlcpy(buf, "UTC", len);
	} else if (z->kind == STATMATH_ZONE_FIXED) {
		int32_t o = z->fixed_offset;
		char sign = o < 0 ? '-' : '+';
		if (o < 0)
			o = -o;
		snprintf(buf, len, "UTC%c%02d:%02d", sign, (int)(o / 3600),
		         (int)(o % 3600 / 60));
	} else {
		dc_strlcpy(buf, z->name, len);
	}
}

static void bind_opt_u64(sqlite3_stmt *s, int i, bool has, uint64_t v)
{
	if (has)
		sqlite3_bind_int64(s, i, (sqlite3_int64)v);
	else
		sqlite3_bind_null(s, i);
}

static void bind_opt_dbl(sqlite3_stmt *s, int i, double v)
{
	if (isnan(v))
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_double(s, i, v);
}

static double col_opt_dbl(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL
	           ? NAN
	           : sqlite3_column_double(s, i);
}

/* ---- reading buckets ---------------------------------------------------- */

static const char sel_buckets_sql[] =
    "SELECT t, in_kib, out_kib, power_w FROM stat_bucket "
    "WHERE module_id = ? AND server_id = ? AND t >= ? AND t < ? ORDER BY t";

static void row_bucket(sqlite3_stmt *s, statmath_bucket *b)
{
	memset(b, 0, sizeof(*b));
	b->time = sqlite3_column_int64(s, 0);
	if (sqlite3_column_type(s, 1) != SQLITE_NULL) {
		b->in_kib = (uint64_t)sqlite3_column_int64(s, 1);
		b->present |= STATMATH_HAS_IN;
	}
	if (sqlite3_column_type(s, 2) != SQLITE_NULL) {
		b->out_kib = (uint64_t)sqlite3_column_int64(s, 2);
		b->present |= STATMATH_HAS_OUT;
	}
	if (sqlite3_column_type(s, 3) != SQLITE_NULL) {
		b->power_w = sqlite3_column_double(s, 3);
		b->present |= STATMATH_HAS_POWER;
	}
}

/* Runs a prepared sel_buckets_sql statement into a growing array. */
static int read_buckets(dc_store *st, sqlite3_stmt *s, int64_t module_id,
                        long server_id, int64_t from, int64_t to,
                        statmath_bucket **out, size_t *n, dc_err *err)
{
	statmath_bucket *v = NULL;
	size_t cnt = 0, cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, module_id);
	sqlite3_bind_int64(s, 2, server_id);
	sqlite3_bind_int64(s, 3, from);
	sqlite3_bind_int64(s, 4, to);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (cnt == cap) {
			size_t nc = cap ? cap * 2 : 64;
			statmath_bucket *nv = realloc(v, nc * sizeof(*v));
			if (!nv) {
				free(v);
				sqlite3_reset(s);
				return err_set(err, DC_E_NOMEM,
				               "out of memory");
			}
			v = nv;
			cap = nc;
		}
		row_bucket(s, &v[cnt++]);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		free(v);
		return store_sqlerr(st, err, "read statistics");
	}
	*out = v;
	*n = cnt;
	return 0;
}

int stats_buckets(dc_store *st, int64_t module_id, long server_id, int64_t from,
                  int64_t to, statmath_bucket **out, size_t *n, dc_err *err)
{
	sqlite3_stmt *s = prep(st, sel_buckets_sql, err);
	if (!s)
		return -1;
	int rc =
	    read_buckets(st, s, module_id, server_id, from, to, out, n, err);
	sqlite3_finalize(s);
	return rc;
}

int stats_totals(dc_store *st, int64_t module_id, long server_id, int64_t from,
                 int64_t to, statmath_totals *out, dc_err *err)
{
	statmath_bucket *b;
	size_t n;
	if (stats_buckets(st, module_id, server_id, from, to, &b, &n, err) < 0)
		return -1;
	int rc = statmath_totals_compute(b, n, out, err);
	free(b);
	return rc;
}

int stats_newest(dc_store *st, int64_t module_id, long server_id, int64_t *t,
                 dc_err *err)
{
	sqlite3_stmt *s = prep(st,
	                       "SELECT max(t) FROM stat_bucket WHERE "
	                       "module_id = ? AND server_id = ?",
	                       err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, module_id);
	sqlite3_bind_int64(s, 2, server_id);
	int rc = sqlite3_step(s);
	*t = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return store_sqlerr(st, err, "read statistics");
	return 0;
}

/* ---- daily rows --------------------------------------------------------- */

static void day_date(const statmath_day *d, char out[11])
{
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)d->year % 10000u,
	         (unsigned)d->mon % 100u, (unsigned)d->mday % 100u);
}

/* The day's row from its buckets (sel: a prepared sel_buckets_sql). */
static int day_compute(dc_store *st, sqlite3_stmt *sel, int64_t module_id,
                       long server_id, const statmath_day *d,
                       stats_day_row *out, dc_err *err)
{
	statmath_bucket *b;
	size_t n;
	statmath_burst bu;
	statmath_totals to;

	memset(out, 0, sizeof(*out));
	out->day = *d;
	day_date(d, out->date);
	if (read_buckets(st, sel, module_id, server_id, d->start, d->end, &b,
	                 &n, err) < 0)
		return -1;
	int rc = statmath_burst_day(b, n, d->start, d->end, &bu, err);
	if (rc == 0)
		rc = statmath_totals_compute(b, n, &to, err);
	free(b);
	if (rc < 0)
		return -1;
	out->burst_in = bu.in_mbps;
	out->burst_out = bu.out_mbps;
	out->n_in = bu.n_in;
	out->n_out = bu.n_out;
	out->expected = bu.expected;
	out->coverage = bu.coverage;
	out->coverage_day = bu.coverage_day;
	out->in_kib = to.in_kib;
	out->out_kib = to.out_kib;
	return 0;
}

static const char upsert_day_sql[] =
    "INSERT INTO stat_day(module_id, server_id, zone, day, day_start, "
    "day_end, burst_in_day, burst_out_day, n_in, n_out, expected, coverage, "
    "coverage_day, in_kib, out_kib, computed_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT(module_id, server_id, zone, day) DO UPDATE SET "
    "day_start = excluded.day_start, day_end = excluded.day_end, "
    "burst_in_day = excluded.burst_in_day, "
    "burst_out_day = excluded.burst_out_day, n_in = excluded.n_in, "
    "n_out = excluded.n_out, expected = excluded.expected, "
    "coverage = excluded.coverage, coverage_day = excluded.coverage_day, "
    "in_kib = excluded.in_kib, out_kib = excluded.out_kib, "
    "computed_at = excluded.computed_at";

static int day_store(dc_store *st, sqlite3_stmt *s, int64_t module_id,
                     long server_id, const char *zkey, const stats_day_row *r,
                     int64_t now, dc_err *err)
{
	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, module_id);
	sqlite3_bind_int64(s, 2, server_id);
	sqlite3_bind_text(s, 3, zkey, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, r->date, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 5, r->day.start);
	sqlite3_bind_int64(s, 6, r->day.end);
	bind_opt_dbl(s, 7, r->burst_in);
	bind_opt_dbl(s, 8, r->burst_out);
	sqlite3_bind_int64(s, 9, (sqlite3_int64)r->n_in);
	sqlite3_bind_int64(s, 10, (sqlite3_int64)r->n_out);
	sqlite3_bind_int64(s, 11, (sqlite3_int64)r->expected);
	sqlite3_bind_double(s, 12, r->coverage);
	sqlite3_bind_double(s, 13, r->coverage_day);
	sqlite3_bind_int64(s, 14, (sqlite3_int64)r->in_kib);
	sqlite3_bind_int64(s, 15, (sqlite3_int64)r->out_kib);
	sqlite3_bind_int64(s, 16, now);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_sqlerr(st, err, "store daily statistics");
	return 0;
}

static int day_read(dc_store *st, sqlite3_stmt *s, int64_t module_id,
                    long server_id, const char *zkey, const statmath_day *d,
                    stats_day_row *out, bool *found, dc_err *err)
{
	char date[11];

	day_date(d, date);
	*found = false;
	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, module_id);
	sqlite3_bind_int64(s, 2, server_id);
	sqlite3_bind_text(s, 3, zkey, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, date, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_int64(s, 0) == d->start &&
	    sqlite3_column_int64(s, 1) == d->end) {
		memset(out, 0, sizeof(*out));
		out->day = *d;
		memcpy(out->date, date, sizeof(date));
		out->stored = true;
		out->burst_in = col_opt_dbl(s, 2);
		out->burst_out = col_opt_dbl(s, 3);
		out->n_in = (size_t)sqlite3_column_int64(s, 4);
		out->n_out = (size_t)sqlite3_column_int64(s, 5);
		out->expected = (size_t)sqlite3_column_int64(s, 6);
		out->coverage = sqlite3_column_double(s, 7);
		out->coverage_day = sqlite3_column_double(s, 8);
		out->in_kib = (uint64_t)sqlite3_column_int64(s, 9);
		out->out_kib = (uint64_t)sqlite3_column_int64(s, 10);
		out->computed_at = sqlite3_column_int64(s, 11);
		*found = true;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlerr(st, err, "read daily statistics");
	return 0;
}

static const char sel_day_sql[] =
    "SELECT day_start, day_end, burst_in_day, burst_out_day, n_in, n_out, "
    "expected, coverage, coverage_day, in_kib, out_kib, computed_at "
    "FROM stat_day WHERE module_id = ? AND server_id = ? AND zone = ? AND "
    "day = ?";

int stats_days(dc_store *st, int64_t module_id, long server_id,
               const statmath_zone *z, int64_t from, int64_t to,
               stats_day_row **out, size_t *n, dc_err *err)
{
	statmath_zone utc = statmath_zone_utc();
	char zkey[80];
	size_t nd;
	statmath_day *days = NULL;
	stats_day_row *rows = NULL;
	sqlite3_stmt *sd = NULL, *sb = NULL;
	int rc = -1;

	*out = NULL;
	*n = 0;
	if (!z)
		z = &utc;
	zone_key(z, zkey, sizeof(zkey));
	nd = statmath_split_days(z, from, to, NULL, 0);
	if (nd == 0)
		return 0;
	days = calloc(nd, sizeof(*days));
	rows = calloc(nd, sizeof(*rows));
	if (!days || !rows) {
		err_set(err, DC_E_NOMEM, "out of memory");
		goto out;
	}
	statmath_split_days(z, from, to, days, nd);
	if (!(sd = prep(st, sel_day_sql, err)) ||
	    !(sb = prep(st, sel_buckets_sql, err)))
		goto out;
	for (size_t i = 0; i < nd; i++) {
		bool found;
		if (day_read(st, sd, module_id, server_id, zkey, &days[i],
		             &rows[i], &found, err) < 0)
			goto out;
		if (!found && day_compute(st, sb, module_id, server_id,
		                          &days[i], &rows[i], err) < 0)
			goto out;
	}
	*out = rows;
	*n = nd;
	rows = NULL;
	rc = 0;
out:
	sqlite3_finalize(sd);
	sqlite3_finalize(sb);
	free(days);
	free(rows);
	return rc;
}

int stats_day_get(dc_store *st, int64_t module_id, long server_id,
                  const statmath_zone *z, const statmath_day *d,
                  stats_day_row *out, dc_err *err)
{
	statmath_zone utc = statmath_zone_utc();
	char zkey[80];
	bool found = false;
	int rc = -1;
	sqlite3_stmt *sd, *sb = NULL;

	if (!z)
		z = &utc;
	zone_key(z, zkey, sizeof(zkey));
	if (!(sd = prep(st, sel_day_sql, err)))
		return -1;
	if (day_read(st, sd, module_id, server_id, zkey, d, out, &found, err) <
	    0)
		goto out;
	if (found) {
		rc = 0;
		goto out;
	}
	if (!(sb = prep(st, sel_buckets_sql, err)))
		goto out;
	rc = day_compute(st, sb, module_id, server_id, d, out, err);
out:
	sqlite3_finalize(sd);
	sqlite3_finalize(sb);
	return rc;
}

/* ---- retention ---------------------------------------------------------- */

static int retention_series(dc_store *st, int64_t module_id, long server_id,
                            int64_t before, uint64_t *deleted, dc_err *err)
{
	sqlite3_stmt *s = prep(st,
	                       "DELETE FROM stat_bucket WHERE module_id = ? "
	                       "AND server_id = ? AND t < ?",
	                       err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, module_id);
	sqlite3_bind_int64(s, 2, server_id);
	sqlite3_bind_int64(s, 3, before);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_sqlerr(st, err, "apply statistics retention");
	*deleted += (uint64_t)sqlite3_changes(store_db(st));
	return 0;
}

int stats_retention_apply(dc_store *st, int64_t before, uint64_t *deleted,
                          dc_err *err)
{
	uint64_t del = 0;
	sqlite3_stmt *s, *d = NULL;
	int rc;

	if (store_begin(st, err) < 0)
		return -1;
	/* Every series with buckets has a cursor row (the collector writes
	 * both in one transaction), so deleting per series walks the
	 * primary key instead of scanning the whole table. */
	s = prep(st, "SELECT module_id, server_id FROM stat_cursor", err);
	d = s ? prep(st,
	             "DELETE FROM stat_bucket WHERE module_id = ? AND "
	             "server_id = ? AND t < ?",
	             err)
	      : NULL;
	if (!s || !d)
		goto fail;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		sqlite3_reset(d);
		sqlite3_bind_int64(d, 1, sqlite3_column_int64(s, 0));
		sqlite3_bind_int64(d, 2, sqlite3_column_int64(s, 1));
		sqlite3_bind_int64(d, 3, before);
		if (sqlite3_step(d) != SQLITE_DONE) {
			store_sqlerr(st, err, "apply statistics retention");
			goto fail;
		}
		del += (uint64_t)sqlite3_changes(store_db(st));
	}
	if (rc != SQLITE_DONE) {
		store_sqlerr(st, err, "apply statistics retention");
		goto fail;
	}
	sqlite3_finalize(s);
	sqlite3_finalize(d);
	if (store_commit(st, err) < 0)
		return -1;
	if (deleted)
		*deleted = del;
	return 0;
fail:
	sqlite3_finalize(s);
	sqlite3_finalize(d);
	store_rollback(st);
	return -1;
}

/* ---- the collector ------------------------------------------------------ */

typedef struct mpanel {
	int64_t module_id;
	char url[DC_URL_MAX];
	char username[DC_USER_MAX];
	panel *p;
} mpanel;

struct stats_collector {
	stats_collect_opts o;
	char *module;
	statmath_zone zone;
	char zkey[80];
	mpanel *panels;
	size_t npanels;
	int64_t last_retention;
};

typedef struct modrun modrun;

typedef struct item {
	modrun *mr;
	long id;
	char name[128];
	bool has_cursor;
	int64_t cursor; /* next_t as stored (has_cursor) */
	bool advance;   /* this run may move the cursor */
	int64_t first;  /* where this run started asking */
	int64_t wstart, wend;
	int64_t newest; /* newest bucket stored by this run, 0: none */
	bool finished;  /* no more windows */
	bool failed;
	bool in_group;    /* has work in the open transaction */
	uint64_t pend;    /* buckets in the open transaction */
	uint64_t buckets; /* committed */
	size_t pend_days;
} item;

struct modrun {
	stats_collector *c;
	dc_store *st;
	const dc_module *m;
	panel_batch *b;
	item *items;
	size_t n;
	stats_collect_result *res;
	stats_progress prog;
	int64_t now;
	int64_t panel_now; /* the panel's clock is at least this */
	bool in_tx;
	double tx_start;
	item **group;
	size_t ngroup;
	bool auth_failed;
	sqlite3_stmt *ins, *cur, *sel, *dayup;
};

static void note_error(stats_collect_result *res, const dc_err *e,
                       const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void note_error(stats_collect_result *res, const dc_err *e,
                       const char *fmt, ...)
{
	va_list ap;
	if (res->first_error.cat != DC_OK)
		return;
	res->first_error = *e;
	if (res->first_error.cat == DC_OK)
		res->first_error.cat = DC_E_PANEL;
	va_start(ap, fmt);
	vsnprintf(res->first_where, sizeof(res->first_where), fmt, ap);
	va_end(ap);
}

static void progress(modrun *mr)
{
	stats_collector *c = mr->c;
	mr->prog.buckets = mr->res->buckets;
	mr->prog.requests = mr->res->requests;
	if (c->o.progress)
		c->o.progress(c->o.user, &mr->prog);
}

static bool cancelled(const stats_collector *c)
{
	return c->o.cancel && *c->o.cancel;
}

/* An item stops for this run: what it committed stays, what is pending
 * in the open transaction is dropped by the caller's rollback or stays
 * for the commit (ok), and the next run asks again from its cursor. */
static void item_finish(modrun *mr, item *it, const dc_err *e)
{
	if (it->finished)
		return;
	it->finished = true;
	if (e) {
		it->failed = true;
		mr->prog.servers_failed++;
		if (e->cat == DC_E_AUTH)
			mr->auth_failed = true;
		note_error(mr->res, e, "%s/%ld", mr->m->name, it->id);
	}
	mr->prog.servers_done++;
	progress(mr);
}

/* A failed transaction: every item with work in it loses that work. */
static void group_fail(modrun *mr, const dc_err *e)
{
	for (size_t i = 0; i < mr->ngroup; i++) {
		item *it = mr->group[i];
		it->in_group = false;
		it->pend = 0;
		it->pend_days = 0;
		if (!it->finished) {
			item_finish(mr, it, e);
		} else if (!it->failed) {
			it->failed = true;
			mr->prog.servers_failed++;
			note_error(mr->res, e, "%s/%ld", mr->m->name, it->id);
		}
	}
	mr->ngroup = 0;
}

static int group_commit(modrun *mr, dc_err *err)
{
	if (!mr->in_tx)
		return 0;
	mr->in_tx = false;
	if (store_commit(mr->st, err) < 0) {
		group_fail(mr, err);
		return -1;
	}
	for (size_t i = 0; i < mr->ngroup; i++) {
		item *it = mr->group[i];
		it->buckets += it->pend;
		mr->res->buckets += it->pend;
		mr->res->days += it->pend_days;
		it->pend = 0;
		it->pend_days = 0;
		it->in_group = false;
	}
	mr->ngroup = 0;
	return 0;
}

static int group_begin(modrun *mr, dc_err *err)
{
	if (mr->in_tx)
		return 0;
	if (store_begin(mr->st, err) < 0)
		return -1;
	mr->in_tx = true;
	mr->tx_start = mono_ms();
	return 0;
}

static void group_rollback(modrun *mr, const dc_err *e)
{
	if (mr->in_tx) {
		store_rollback(mr->st);
		mr->in_tx = false;
	}
	group_fail(mr, e);
}

static int store_cursor(modrun *mr, item *it, int64_t next_t, dc_err *err);

/* A server that failed before it ever had a cursor still gets one where
 * this run started, so that the next run asks from there (and not from a
 * later default look-back, which would leave a hole after a --since). */
static void item_fail(modrun *mr, item *it, const dc_err *e)
{
	dc_err we;
	if (!it->has_cursor && it->advance && !it->finished &&
	    e->cat != DC_E_CANCELLED && group_begin(mr, &we) == 0 &&
	    store_cursor(mr, it, it->first, &we) == 0 && !it->in_group) {
		it->in_group = true;
		mr->group[mr->ngroup++] = it;
	}
	item_finish(mr, it, e);
}

/* Checks one answer: rows 5-minute aligned, inside the window, values
 * that can be KiB and W. A panel that sends anything else gets the whole
 * answer refused (nothing stored, asked again next run). */
static int check_rows(modrun *mr, const item *it, const dci_stat_list *l,
                      dc_err *err)
{
	for (size_t i = 0; i < l->n; i++) {
		const dci_stat *r = &l->v[i];
		const char *bad = NULL;
		if (r->time % BUCKET)
			bad = "a bucket time that is not 5-minute aligned";
		else if (r->time < it->wstart || r->time >= it->wend)
			bad = "a bucket outside the range asked for";
		else if (!isnan(r->in) &&
		         (!isfinite(r->in) || r->in < 0 || r->in > KIB_MAX))
			bad = "an `in` value that is not a KiB count";
		else if (!isnan(r->out) &&
		         (!isfinite(r->out) || r->out < 0 || r->out > KIB_MAX))
			bad = "an `out` value that is not a KiB count";
		else if (!isnan(r->power) &&
		         (!isfinite(r->power) || r->power < 0))
			bad = "a `power` value that is not a wattage";
		if (bad)
			return err_set(err, DC_E_PARSE,
			               "server.stat for server %ld at %s: %s "
			               "(time %ld)",
			               it->id,
			               panel_url(panel_batch_panel(mr->b)), bad,
			               r->time);
	}
	return 0;
}

static int store_rows(modrun *mr, item *it, const dci_stat_list *l, int64_t *lo,
                      int64_t *hi, size_t *nstored, dc_err *err)
{
	sqlite3 *db = store_db(mr->st);
	*lo = INT64_MAX;
	*hi = INT64_MIN;
	*nstored = 0;
	for (size_t i = 0; i < l->n; i++) {
		const dci_stat *r = &l->v[i];
		bool hin = !isnan(r->in), hout = !isnan(r->out);
		if (!hin && !hout && isnan(r->power))
			continue; /* a row with nothing in it is no bucket */
		sqlite3_stmt *s = mr->ins;
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, mr->m->id);
		sqlite3_bind_int64(s, 2, it->id);
		sqlite3_bind_int64(s, 3, r->time);
		/* KiB counts arrive as text; fractions (none expected) are
		 * rounded to the nearest KiB. */
		bind_opt_u64(s, 4, hin, hin ? (uint64_t)llround(r->in) : 0);
		bind_opt_u64(s, 5, hout, hout ? (uint64_t)llround(r->out) : 0);
		bind_opt_dbl(s, 6, r->power);
		if (sqlite3_step(s) != SQLITE_DONE) {
			sqlite3_reset(s);
			return store_sqlerr(mr->st, err, "store statistics");
		}
		sqlite3_reset(s);
		it->pend += (uint64_t)sqlite3_changes(db);
		if (r->time < *lo)
			*lo = r->time;
		if (r->time > *hi)
			*hi = r->time;
		(*nstored)++;
	}
	return 0;
}

static int store_cursor(modrun *mr, item *it, int64_t next_t, dc_err *err)
{
	sqlite3_stmt *s = mr->cur;
	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, mr->m->id);
	sqlite3_bind_int64(s, 2, it->id);
	sqlite3_bind_text(s, 3, it->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 4, next_t);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)time(NULL));
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_sqlerr(mr->st, err, "store statistics cursor");
	it->has_cursor = true;
	if (next_t > it->cursor)
		it->cursor = next_t;
	return 0;
}

static int recompute_days(modrun *mr, item *it, int64_t lo, int64_t hi,
                          dc_err *err)
{
	statmath_day days[16];
	int64_t from = lo;
	/* A window is at most 7 days, so this loop runs once or twice. */
	while (from <= hi) {
		size_t nd = statmath_split_days(&mr->c->zone, from, hi + BUCKET,
		                                days, 16);
		size_t k = nd < 16 ? nd : 16;
		for (size_t i = 0; i < k; i++) {
			stats_day_row r;
			if (day_compute(mr->st, mr->sel, mr->m->id, it->id,
			                &days[i], &r, err) < 0 ||
			    day_store(mr->st, mr->dayup, mr->m->id, it->id,
			              mr->c->zkey, &r, (int64_t)time(NULL),
			              err) < 0)
				return -1;
			it->pend_days++;
		}
		if (nd <= 16)
			break;
		from = days[15].end;
	}
	return 0;
}

static int add_window(modrun *mr, item *it, dc_err *err);

static void on_stat(void *user, long server_id, dci_stat_list *l,
                    const dc_err *cerr)
{
	item *it = user;
	modrun *mr = it->mr;
	dc_err e;
	int64_t lo = 0, hi = 0;
	size_t nstored = 0;

	(void)server_id;
	err_clear(&e);
	mr->res->requests++;
	if (it->finished) { /* its transaction failed meanwhile */
		dci_stat_list_free(l);
		return;
	}
	if (!l) {
		item_fail(mr, it, cerr);
		goto out;
	}
	if (cancelled(mr->c)) {
		err_set(&e, DC_E_CANCELLED, "cancelled");
		item_finish(mr, it, &e);
		panel_batch_cancel(mr->b);
		goto out;
	}
	if (check_rows(mr, it, l, &e) < 0) {
		item_fail(mr, it, &e);
		goto out;
	}
	bool have_rows = false;
	for (size_t i = 0; i < l->n && !have_rows; i++)
		have_rows = !isnan(l->v[i].in) || !isnan(l->v[i].out) ||
		            !isnan(l->v[i].power);
	/* Nothing to write: no rows, and a cursor already says where the next
	 * run starts (an idle live graph writes nothing). */
	if (have_rows || !it->has_cursor) {
		if (group_begin(mr, &e) < 0) {
			item_finish(mr, it, &e);
			goto out;
		}
		if (!it->in_group) {
			it->in_group = true;
			mr->group[mr->ngroup++] = it;
		}
		int rc = store_rows(mr, it, l, &lo, &hi, &nstored, &e);
		if (rc == 0 && nstored) {
			if (hi > it->newest)
				it->newest = hi;
			if (hi > mr->res->newest)
				mr->res->newest = hi;
		}
		/* The cursor moves only past buckets stored in this
		 * transaction, and only when this run asked from the cursor
		 * on (a --since after it leaves the gap for a later run). */
		if (rc == 0 && it->advance && nstored &&
		    hi + BUCKET > it->cursor)
			rc = store_cursor(mr, it, hi + BUCKET, &e);
		else if (rc == 0 && !it->has_cursor)
			rc = store_cursor(mr, it, it->wstart, &e);
		if (rc == 0 && nstored)
			rc = recompute_days(mr, it, lo, hi, &e);
		if (rc < 0) {
			group_rollback(mr, &e);
			goto out;
		}
		if (mr->ngroup >= GROUP_MAX ||
		    mono_ms() - mr->tx_start >= GROUP_MAX_MS)
			group_commit(mr, &e);
		if (it->finished)
			goto out; /* that commit failed */
	}
	/* More to fetch: the window ended in the past by the panel's clock
	 * as far as we know it (ours, or later when some server of the
	 * module has data beyond it, as with dcisim's virtual clock), or
	 * this server's data reaches the window's last hour. */
	if (nstored && hi + BUCKET > mr->panel_now)
		mr->panel_now = hi + BUCKET;
	if ((it->wend <= mr->panel_now || (nstored && hi >= it->wend - 3600)) &&
	    !cancelled(mr->c)) {
		it->wstart = it->wend;
		it->wend = it->wstart + STATS_WINDOW_SECONDS;
		if (add_window(mr, it, &e) < 0)
			item_fail(mr, it, &e);
		goto out;
	}
	item_finish(mr, it, NULL);
out:
	if (!it->finished)
		progress(mr); /* long back-fills show life between servers */
	dci_stat_list_free(l);
}

static int add_window(modrun *mr, item *it, dc_err *err)
{
	return dci_server_stat_batch(mr->b, it->id, (long)it->wstart,
	                             (long)it->wend, on_stat, it, err);
}

static int cmp_cursor(const void *a, const void *b)
{
	long x = ((const item *)a)->id, y = ((const item *)b)->id;
	return (x > y) - (x < y);
}

/* Fills each item's cursor from stat_cursor. */
static int load_cursors(modrun *mr, dc_err *err)
{
	sqlite3_stmt *s =
	    prep(mr->st,
	         "SELECT server_id, next_t, name FROM stat_cursor "
	         "WHERE module_id = ?",
	         err);
	int rc;
	if (!s)
		return -1;
	qsort(mr->items, mr->n, sizeof(*mr->items), cmp_cursor);
	sqlite3_bind_int64(s, 1, mr->m->id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		item key = {.id = (long)sqlite3_column_int64(s, 0)};
		item *it = bsearch(&key, mr->items, mr->n, sizeof(*mr->items),
		                   cmp_cursor);
		if (!it)
			continue;
		it->has_cursor = true;
		it->cursor = sqlite3_column_int64(s, 1);
		if (!it->name[0]) {
			const unsigned char *nm = sqlite3_column_text(s, 2);
			dc_strlcpy(it->name, nm ? (const char *)nm : "",
			           sizeof(it->name));
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_sqlerr(mr->st, err, "read statistics cursors");
	return 0;
}

static panel *module_panel(stats_collector *c, dc_store *st, const dc_module *m,
                           dc_err *err)
{
	for (size_t i = 0; i < c->npanels; i++) {
		mpanel *mp = &c->panels[i];
		if (mp->module_id != m->id)
			continue;
		if (mp->p && !strcmp(mp->url, m->url) &&
		    !strcmp(mp->username, m->username))
			return mp->p;
		panel_free(mp->p); /* the module's connection changed */
		mp->p = NULL;
		break;
	}
	char *pw = module_password(st, m->id, err);
	if (!pw)
		return NULL;
	panel_opts po = {
	    .url = m->url,
	    .username = m->username,
	    .password = pw,
	    .cafile = m->cafile[0] ? m->cafile : NULL,
	    .insecure = m->insecure,
	    .auth_mode = PANEL_AUTH_SESSION,
	    .connect_timeout_ms = c->o.connect_timeout_ms,
	    .timeout_ms = c->o.timeout_ms,
	    .body_cap = c->o.body_cap,
	    .log = c->o.log,
	};
	panel *p = panel_new(&po, err);
	secret_free(pw);
	if (!p)
		return NULL;
	mpanel *slot = NULL;
	for (size_t i = 0; i < c->npanels; i++)
		if (c->panels[i].module_id == m->id)
			slot = &c->panels[i];
	if (!slot) {
		mpanel *nv = realloc(c->panels, (c->npanels + 1) * sizeof(*nv));
		if (!nv) {
			panel_free(p);
			err_set(err, DC_E_NOMEM, "out of memory");
			return NULL;
		}
		c->panels = nv;
		slot = &c->panels[c->npanels++];
		memset(slot, 0, sizeof(*slot));
		slot->module_id = m->id;
	}
	slot->p = p;
	dc_strlcpy(slot->url, m->url, sizeof(slot->url));
	dc_strlcpy(slot->username, m->username, sizeof(slot->username));
	return p;
}

/* A panel that refused our session or credentials is rebuilt next run
 * (the password may have been changed in the store meanwhile). */
static void module_panel_drop(stats_collector *c, int64_t module_id)
{
	for (size_t i = 0; i < c->npanels; i++)
		if (c->panels[i].module_id == module_id) {
			panel_free(c->panels[i].p);
			c->panels[i].p = NULL;
		}
}

static int prepare_items(modrun *mr, panel *p, dc_err *err)
{
	stats_collector *c = mr->c;
	if (c->o.server_id > 0) {
		mr->items = calloc(1, sizeof(*mr->items));
		if (!mr->items)
			return err_set(err, DC_E_NOMEM, "out of memory");
		mr->n = 1;
		mr->items[0].id = c->o.server_id;
	} else {
		dci_servers *l = NULL;
		if (dci_server_list(p, &l, err) < 0)
			return -1;
		mr->items = calloc(l->n ? l->n : 1, sizeof(*mr->items));
		if (!mr->items) {
			dci_servers_free(l);
			return err_set(err, DC_E_NOMEM, "out of memory");
		}
		for (size_t i = 0; i < l->n; i++) {
			mr->items[i].id = l->v[i].id;
			dc_strlcpy(mr->items[i].name,
			           l->v[i].name[0] ? l->v[i].name
			                           : l->v[i].hostname,
			           sizeof(mr->items[i].name));
		}
		mr->n = l->n;
		dci_servers_free(l);
	}
	if (load_cursors(mr, err) < 0)
		return -1;
	int64_t horizon =
	    c->o.retention_days > 0
	        ? floor300(mr->now - (int64_t)c->o.retention_days * 86400)
	        : INT64_MIN;
	for (size_t i = 0; i < mr->n; i++) {
		item *it = &mr->items[i];
		int64_t start;
		it->mr = mr;
		if (c->o.since > 0)
			start = floor300(c->o.since);
		else if (it->has_cursor)
			start = it->cursor;
		else
			start = floor300(mr->now - STATS_FIRST_LOOKBACK);
		/* Never ask for what retention would delete at once. */
		if (start < horizon)
			start = horizon;
		it->advance = !it->has_cursor || start <= it->cursor;
		it->first = it->wstart = start;
		it->wend = start + STATS_WINDOW_SECONDS;
	}
	return 0;
}

static void modrun_free(modrun *mr)
{
	sqlite3_finalize(mr->ins);
	sqlite3_finalize(mr->cur);
	sqlite3_finalize(mr->sel);
	sqlite3_finalize(mr->dayup);
	panel_batch_free(mr->b);
	free(mr->items);
	free(mr->group);
}

static const char ins_bucket_sql[] =
    "INSERT INTO stat_bucket(module_id, server_id, t, in_kib, out_kib, "
    "power_w) VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT(module_id, server_id, t) DO UPDATE SET "
    "in_kib = excluded.in_kib, out_kib = excluded.out_kib, "
    "power_w = excluded.power_w "
    "WHERE in_kib IS NOT excluded.in_kib OR out_kib IS NOT excluded.out_kib "
    "OR power_w IS NOT excluded.power_w";

static const char upsert_cursor_sql[] =
    "INSERT INTO stat_cursor(module_id, server_id, name, next_t, "
    "updated_at) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT(module_id, server_id) DO UPDATE SET "
    "next_t = max(next_t, excluded.next_t), "
    "name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE name END, "
    "updated_at = excluded.updated_at";

/* Collects one module. Returns -1 only for a module-level failure (no
 * panel, no server list, store); server failures are counted. */
static int collect_module(stats_collector *c, dc_store *st, const dc_module *m,
                          size_t idx, size_t total, int64_t now,
                          stats_collect_result *res, dc_err *err)
{
	modrun mr;
	int rc = -1;
	panel *p;

	memset(&mr, 0, sizeof(mr));
	mr.c = c;
	mr.st = st;
	mr.m = m;
	mr.res = res;
	mr.now = now;
	mr.panel_now = now;
	mr.prog.module = m->name;
	mr.prog.module_index = idx;
	mr.prog.modules_total = total;
	progress(&mr);
	if (!(p = module_panel(c, st, m, err)))
		goto out;
	if (prepare_items(&mr, p, err) < 0) {
		if (err && err->cat == DC_E_AUTH)
			module_panel_drop(c, m->id);
		goto out;
	}
	mr.prog.servers_total = mr.n;
	res->servers += mr.n;
	progress(&mr);
	if (mr.n == 0) {
		rc = 0;
		goto out;
	}
	int par =
	    c->o.max_parallel > 0 ? c->o.max_parallel : STATS_DEFAULT_PARALLEL;
	if (par > STATS_MAX_PARALLEL)
		par = STATS_MAX_PARALLEL;
	if (!(mr.group = calloc(mr.n, sizeof(*mr.group))) ||
	    !(mr.ins = prep(st, ins_bucket_sql, err)) ||
	    !(mr.cur = prep(st, upsert_cursor_sql, err)) ||
	    !(mr.sel = prep(st, sel_buckets_sql, err)) ||
	    !(mr.dayup = prep(st, upsert_day_sql, err)) ||
	    !(mr.b = panel_batch_new(p, par, err))) {
		if (!mr.group)
			err_set(err, DC_E_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < mr.n; i++) {
		dc_err e;
		if (cancelled(c)) {
			err_set(&e, DC_E_CANCELLED, "cancelled");
			item_finish(&mr, &mr.items[i], &e);
		} else if (add_window(&mr, &mr.items[i], &e) < 0) {
			/* the first add logs in: a refusal there is the
			 * module's, not one server's */
			if (i == 0 &&
			    (e.cat == DC_E_AUTH || e.cat == DC_E_ACCESS ||
			     e.cat == DC_E_TRANSPORT || e.cat == DC_E_TLS ||
			     e.cat == DC_E_TIMEOUT)) {
				if (err)
					*err = e;
				if (e.cat == DC_E_AUTH)
					module_panel_drop(c, m->id);
				res->servers -= mr.n;
				goto out;
			}
			item_fail(&mr, &mr.items[i], &e);
		}
	}
	dc_err be;
	err_clear(&be);
	if (panel_batch_run(mr.b, &be) < 0)
		note_error(res, &be, "%s", m->name);
	group_commit(&mr, &be);
	/* Items still open here lost their completion to a batch failure. */
	for (size_t i = 0; i < mr.n; i++)
		if (!mr.items[i].finished) {
			if (be.cat == DC_OK)
				err_set(&be, DC_E_TRANSPORT,
				        "request did not complete");
			item_finish(&mr, &mr.items[i], &be);
		}
	for (size_t i = 0; i < mr.n; i++) {
		if (mr.items[i].failed)
			res->servers_failed++;
		else
			res->servers_ok++;
	}
	if (mr.auth_failed)
		module_panel_drop(c, m->id);
	rc = 0;
out:
	if (mr.in_tx) {
		store_rollback(st);
		mr.in_tx = false;
	}
	modrun_free(&mr);
	return rc;
}

stats_collector *stats_collector_new(const stats_collect_opts *o, dc_err *err)
{
	stats_collector *c = calloc(1, sizeof(*c));
	if (!c) {
		err_set(err, DC_E_NOMEM, "out of memory");
		return NULL;
	}
	c->o = *o;
	if (o->module && *o->module && !(c->module = strdup(o->module))) {
		free(c);
		err_set(err, DC_E_NOMEM, "out of memory");
		return NULL;
	}
	c->o.module = c->module;
	c->zone = o->zone ? *o->zone : statmath_zone_utc();
	c->o.zone = &c->zone;
	zone_key(&c->zone, c->zkey, sizeof(c->zkey));
	if (o->server_id > 0 && !c->module) {
		stats_collector_free(c);
		err_field(err, DC_E_INVALID, "module",
		          "collecting one server needs its module");
		return NULL;
	}
	if (o->max_parallel < 0 || o->max_parallel > STATS_MAX_PARALLEL) {
		stats_collector_free(c);
		err_field(err, DC_E_INVALID, "parallel",
		          "parallel requests must be 1..%d",
		          STATS_MAX_PARALLEL);
		return NULL;
	}
	return c;
}

void stats_collector_set_cancel(stats_collector *c, const volatile int *cancel)
{
	c->o.cancel = cancel;
}

void stats_collector_free(stats_collector *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->npanels; i++)
		panel_free(c->panels[i].p);
	free(c->panels);
	free(c->module);
	free(c);
}

int stats_collector_run(stats_collector *c, dc_store *st,
                        stats_collect_result *res, dc_err *err)
{
	dc_module *mods = NULL, one;
	size_t nmods = 0;
	int64_t now = c->o.now > 0 ? c->o.now : (int64_t)time(NULL);
	dc_err e;

	memset(res, 0, sizeof(*res));
	err_clear(&res->first_error);
	if (c->module) {
		if (module_get_by_name(st, c->module, &one, err) < 0) {
			if (err && err->cat == DC_E_NOTFOUND)
				err_field(err, DC_E_INVALID, "module",
				          "no module named \"%s\"", c->module);
			return -1;
		}
		mods = &one;
		nmods = 1;
	} else {
		if (module_list(st, &mods, &nmods, err) < 0)
			return -1;
		size_t k = 0;
		for (size_t i = 0; i < nmods; i++)
			if (mods[i].enabled)
				mods[k++] = mods[i];
		nmods = k;
	}
	for (size_t i = 0; i < nmods; i++) {
		if (cancelled(c))
			break;
		err_clear(&e);
		res->modules++;
		if (collect_module(c, st, &mods[i], i + 1, nmods, now, res,
		                   &e) < 0) {
			res->modules_failed++;
			note_error(res, &e, "%s", mods[i].name);
		}
	}
	if (mods != &one)
		free(mods);
	if (c->o.retention_days > 0 && !cancelled(c) &&
	    now - c->last_retention >= RETENTION_EVERY) {
		int64_t before =
		    floor300(now - (int64_t)c->o.retention_days * 86400);
		err_clear(&e);
		int rc;
		if (c->o.server_id > 0) {
			rc = module_get_by_name(st, c->module, &one, &e);
			if (rc == 0)
				rc =
				    retention_series(st, one.id, c->o.server_id,
				                     before, &res->deleted, &e);
		} else {
			rc = stats_retention_apply(st, before, &res->deleted,
			                           &e);
		}
		if (rc < 0)
			note_error(res, &e, "retention");
		else
			c->last_retention = now;
	}
	if (cancelled(c))
		return err_set(err, DC_E_CANCELLED,
		               "cancelled after %" PRIu64 " buckets",
		               res->buckets);
	if (res->first_error.cat != DC_OK) {
		char line[600];
		if (err) {
			err_line(&res->first_error, line, sizeof(line));
			if ((res->modules_failed == res->modules &&
			     res->servers == 0) ||
			    (res->servers == 1 && res->servers_failed == 1)) {
				/* one thing failed: its own error, with
				 * where it happened */
				*err = res->first_error;
				err_prefix(err, "%s", res->first_where);
			} else {
				err_set(err, res->first_error.cat,
				        "%zu of %zu servers failed, %zu of %zu "
				        "modules failed (first: %s: %s); they "
				        "are asked again on the next run",
				        res->servers_failed, res->servers,
				        res->modules_failed, res->modules,
				        res->first_where, line);
			}
			err->retryable = res->first_error.retryable;
		}
		return -1;
	}
	return 0;
}

int stats_collect(dc_store *st, const stats_collect_opts *o,
                  stats_collect_result *res, dc_err *err)
{
	stats_collector *c = stats_collector_new(o, err);
	if (!c) {
		memset(res, 0, sizeof(*res));
		return -1;
	}
	int rc = stats_collector_run(c, st, res, err);
	stats_collector_free(c);
	return rc;
}

/* ---- what a statistic belongs to ---------------------------------------- */

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static int parse_id(const char *s, const char *field, long *out, dc_err *err)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (!all_digits(s) || errno || v <= 0)
		return err_field(err, DC_E_INVALID, field,
		                 "\"%s\" is not a server id (a positive whole "
		                 "number)",
		                 s);
	*out = v;
	return 0;
}

/* Fills out->module and out->server_name from the store. */
static int target_fill(dc_store *st, stats_target *out, dc_err *err)
{
	dc_module m;
	if (module_get(st, out->module_id, &m, err) < 0)
		return -1;
	dc_strlcpy(out->module, m.name, sizeof(out->module));
	sqlite3_stmt *s = prep(st,
	                       "SELECT name FROM stat_cursor WHERE module_id = "
	                       "? AND server_id = ?",
	                       err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, out->module_id);
	sqlite3_bind_int64(s, 2, out->server_id);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
		dc_strlcpy(out->server_name,
		           (const char *)sqlite3_column_text(s, 0),
		           sizeof(out->server_name));
	sqlite3_finalize(s);
	return 0;
}

/* Collects up to 8 (module, server) pairs a query returns. */
typedef struct hits {
	size_t n;
	int64_t module[8];
	long server[8];
	int64_t service[8];
} hits;

static int query_hits(dc_store *st, sqlite3_stmt *s, hits *h, dc_err *err)
{
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (h->n < 8) {
			h->module[h->n] = sqlite3_column_int64(s, 0);
			h->server[h->n] = (long)sqlite3_column_int64(s, 1);
			h->service[h->n] = sqlite3_column_count(s) > 2
			                       ? sqlite3_column_int64(s, 2)
			                       : 0;
		}
		h->n++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_sqlerr(st, err, "look up the server");
	return 0;
}

static void module_names(dc_store *st, const hits *h, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < h->n && i < 8; i++) {
		dc_module m;
		const char *nm =
		    module_get(st, h->module[i], &m, NULL) == 0 ? m.name : "?";
		int w = snprintf(buf + o, len - o, "%s%s/%ld", i ? ", " : "",
		                 nm, h->server[i]);
		if (w < 0 || (size_t)w >= len - o)
			break;
		o += (size_t)w;
	}
}

static int service_target(dc_store *st, int64_t svc, stats_target *out,
                          dc_err *err)
{
	dc_service sv;
	if (service_get(st, svc, &sv, err) < 0) {
		if (err && err->cat == DC_E_NOTFOUND)
			err_set(err, DC_E_NOTFOUND, "no service %lld",
			        (long long)svc);
		return -1;
	}
	if (!sv.module_id || !sv.server_id)
		return err_field(err, DC_E_INVALID, "target",
		                 "service %lld has no server yet (status %s)",
		                 (long long)svc, svc_status_name(sv.status));
	out->module_id = sv.module_id;
	out->server_id = (long)sv.server_id;
	out->service_id = svc;
	snprintf(out->service_label, sizeof(out->service_label),
	         "service %lld (%.60s%s%.60s)", (long long)svc, sv.client,
	         sv.hostname[0] ? ", " : "", sv.hostname);
	return target_fill(st, out, err);
}

int stats_target_resolve(dc_store *st, const char *module, const char *text,
                         stats_target *out, dc_err *err)
{
	dc_module m;
	int64_t mod = 0;
	hits h;

	memset(out, 0, sizeof(*out));
	memset(&h, 0, sizeof(h));
	if (!text || !*text)
		return err_field(
		    err, DC_E_INVALID, "target",
		    "name a server: ID (with --module), MODULE/ID, "
		    "a server name, or service:ID");
	if (module && *module) {
		if (module_get_by_name(st, module, &m, err) < 0) {
			if (err && err->cat == DC_E_NOTFOUND)
				err_field(err, DC_E_INVALID, "module",
				          "no module named \"%s\"", module);
			return -1;
		}
		mod = m.id;
	}
	if (!strncmp(text, "service:", 8) || !strncmp(text, "svc:", 4)) {
		const char *num = strchr(text, ':') + 1;
		long id;
		if (parse_id(num, "target", &id, err) < 0)
			return err_field(
			    err, DC_E_INVALID, "target",
			    "\"%s\": a service is service:ID with a "
			    "positive number",
			    text);
		if (service_target(st, id, out, err) < 0)
			return -1;
		if (mod && out->module_id != mod)
			return err_field(err, DC_E_INVALID, "module",
			                 "service %ld is on module %s, not %s",
			                 id, out->module, module);
		return 0;
	}
	const char *slash = strrchr(text, '/');
	if (slash && all_digits(slash + 1)) {
		char mname[DC_NAME_MAX];
		size_t ml = (size_t)(slash - text);
		if (ml == 0 || ml >= sizeof(mname))
			return err_field(err, DC_E_INVALID, "target",
			                 "\"%s\": expected MODULE/ID", text);
		memcpy(mname, text, ml);
		mname[ml] = '\0';
		if (module_get_by_name(st, mname, &m, err) < 0) {
			if (err && err->cat == DC_E_NOTFOUND)
				err_field(err, DC_E_INVALID, "target",
				          "no module named \"%s\"", mname);
			return -1;
		}
		if (mod && m.id != mod)
			return err_field(err, DC_E_INVALID, "module",
			                 "\"%s\" names module %s, but --module "
			                 "says %s",
			                 text, mname, module);
		out->module_id = m.id;
		if (parse_id(slash + 1, "target", &out->server_id, err) < 0)
			return -1;
		return target_fill(st, out, err);
	}
	if (all_digits(text)) {
		if (parse_id(text, "target", &out->server_id, err) < 0)
			return -1;
		if (mod) {
			out->module_id = mod;
			return target_fill(st, out, err);
		}
		sqlite3_stmt *s = prep(st,
		                       "SELECT module_id, server_id FROM "
		                       "stat_cursor WHERE server_id = ?",
		                       err);
		if (!s)
			return -1;
		sqlite3_bind_int64(s, 1, out->server_id);
		if (query_hits(st, s, &h, err) < 0)
			return -1;
		if (h.n == 0) {
			dc_module *mods;
			size_t nm;
			if (module_list(st, &mods, &nm, err) < 0)
				return -1;
			if (nm == 1)
				out->module_id = mods[0].id;
			free(mods);
			if (nm != 1)
				return err_field(
				    err, DC_E_INVALID, "module",
				    nm ? "server %ld: which module? give "
				         "--module M or M/%ld"
				       : "server %ld: there are no modules "
				         "yet%.0ld",
				    out->server_id, out->server_id);
			return target_fill(st, out, err);
		}
		if (h.n > 1) {
			char names[400];
			module_names(st, &h, names, sizeof(names));
			return err_field(
			    err, DC_E_INVALID, "module",
			    "server %ld is in several modules (%s): "
			    "give --module M or M/%ld",
			    out->server_id, names, out->server_id);
		}
		out->module_id = h.module[0];
		return target_fill(st, out, err);
	}
	/* A name: servers the collector listed, then services. */
	sqlite3_stmt *s = prep(st,
	                       "SELECT module_id, server_id FROM stat_cursor "
	                       "WHERE name = ?1 AND (?2 = 0 OR module_id = ?2)",
	                       err);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, text, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, mod);
	if (query_hits(st, s, &h, err) < 0)
		return -1;
	if (h.n == 0) {
		/* services (not closed) by host name or server name */
		service_filter sf = {.module_id = mod};
		dc_service *sv = NULL;
		size_t nsv = 0;
		if (service_list(st, &sf, &sv, &nsv, err) < 0)
			return -1;
		int64_t hit = 0;
		for (size_t i = 0; i < nsv; i++)
			if (sv[i].module_id && sv[i].server_id &&
			    (!strcmp(sv[i].hostname, text) ||
			     !strcmp(sv[i].server_name, text))) {
				if (h.n < 8) {
					h.module[h.n] = sv[i].module_id;
					h.server[h.n] = (long)sv[i].server_id;
				}
				h.n++;
				hit = sv[i].id;
			}
		free(sv);
		if (h.n == 1)
			return service_target(st, hit, out, err);
	}
	if (h.n == 0)
		return err_set(err, DC_E_NOTFOUND,
		               "no server or service named \"%s\" (server "
		               "names are known once stats collect has run; "
		               "or give MODULE/ID)",
		               text);
	if (h.n > 1) {
		char names[400];
		module_names(st, &h, names, sizeof(names));
		return err_field(err, DC_E_INVALID, "target",
		                 "\"%s\" names several servers (%s): give "
		                 "MODULE/ID",
		                 text, names);
	}
	out->module_id = h.module[0];
	out->server_id = h.server[0];
	return target_fill(st, out, err);
}

/* ---- input -------------------------------------------------------------- */

/* " HH:MM" or "THH:MM:SS" -> seconds into the day; -1 if malformed. */
static int clock_parse(const char *s)
{
	int v[3] = {0, 0, 0}, max[3] = {24, 60, 60};
	size_t len = strlen(s);

	if ((len != 6 && len != 9) || (s[0] != ' ' && s[0] != 'T'))
		return -1;
	for (size_t k = 0; k * 3 + 1 < len; k++) {
		const char *p = s + 1 + k * 3;
		if (!isdigit((unsigned char)p[0]) ||
		    !isdigit((unsigned char)p[1]) ||
		    (k * 3 + 3 < len && p[2] != ':'))
			return -1;
		v[k] = (p[0] - '0') * 10 + (p[1] - '0');
		if (v[k] >= max[k])
			return -1;
	}
	return v[0] * 3600 + v[1] * 60 + v[2];
}

int stats_time_parse(const char *text, const statmath_zone *z, int64_t now,
                     const char *field, int64_t *out, dc_err *err)
{
	statmath_zone utc = statmath_zone_utc();
	const char *hint = "use unix seconds, now, 90m/6h/2d/1w (ago), "
	                   "YYYY-MM-DD or \"YYYY-MM-DD HH:MM\"";
	size_t len = text ? strlen(text) : 0;

	if (!z)
		z = &utc;
	if (!len)
		return err_field(err, DC_E_INVALID, field, "--%s is empty: %s",
		                 field, hint);
	if (!strcmp(text, "now")) {
		*out = now;
		return 0;
	}
	if (all_digits(text)) {
		char *end;
		errno = 0;
		long long v = strtoll(text, &end, 10);
		if (errno || v > 32503680000LL)
			return err_field(err, DC_E_INVALID, field,
			                 "--%s %s: out of range", field, text);
		*out = v;
		return 0;
	}
	char unit = text[len - 1];
	if (len >= 2 && strchr("smhdw", unit)) {
		char num[32];
		if (len - 1 >= sizeof(num))
			return err_field(err, DC_E_INVALID, field,
			                 "--%s %s: %s", field, text, hint);
		memcpy(num, text, len - 1);
		num[len - 1] = '\0';
		if (all_digits(num)) {
			long long v = strtoll(num, NULL, 10);
			long long mul = unit == 's'   ? 1
			                : unit == 'm' ? 60
			                : unit == 'h' ? 3600
			                : unit == 'd' ? 86400
			                              : 7 * 86400;
			if (v > 400LL * 86400 * 100 / mul)
				return err_field(err, DC_E_INVALID, field,
				                 "--%s %s: too far back", field,
				                 text);
			*out = now - v * mul;
			return 0;
		}
	}
	if (len >= 10) {
		char date[11];
		statmath_day d;
		memcpy(date, text, 10);
		date[10] = '\0';
		dc_err de;
		if (statmath_day_parse(z, date, &d, &de) < 0)
			return err_field(err, DC_E_INVALID, field,
			                 "--%s %s: %s (%s)", field, text,
			                 de.msg, hint);
		if (len == 10) {
			*out = d.start;
			return 0;
		}
		int secs = clock_parse(text + 10);
		if (secs >= 0) {
			int64_t t = d.start + secs;
			/* across a DST change that day: keep the wall time */
			t += statmath_zone_offset(z, d.start) -
			     statmath_zone_offset(z, t);
			*out = t;
			return 0;
		}
	}
	return err_field(err, DC_E_INVALID, field, "--%s %s: %s", field, text,
	                 hint);
}
