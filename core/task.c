/* task.c - tasks for departments; see task.h. */
#include "task.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static int finish(dc_store *st, sqlite3_stmt *s, dc_err *err)
{
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_sqlerr(st, err, "write task");
	return 0;
}

int task_add_tx(dc_store *st, int64_t department_id, int64_t op_id,
                const char *text, int64_t *id, dc_err *err)
{
	sqlite3_stmt *s = prep(st,
	                       "INSERT INTO task(department_id, op_id, text, "
	                       "created_at) VALUES (?, ?, ?, ?)",
	                       err);
	if (!s)
		return -1;
	if (department_id)
		sqlite3_bind_int64(s, 1, department_id);
	else
		sqlite3_bind_null(s, 1);
	if (op_id)
		sqlite3_bind_int64(s, 2, op_id);
	else
		sqlite3_bind_null(s, 2);
	sqlite3_bind_text(s, 3, text, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 4, (int64_t)time(NULL));
	if (finish(st, s, err))
		return -1;
	if (id)
		*id = sqlite3_last_insert_rowid(store_db(st));
	return 0;
}

#define TASK_COLS                                                              \
	"t.id, t.department_id, d.name, t.op_id, o.service_id, t.text, "       \
	"t.state, t.created_at, t.closed_at FROM task t LEFT JOIN department " \
	"d ON d.id = t.department_id LEFT JOIN operation o ON o.id = t.op_id "

static void read_row(sqlite3_stmt *s, dc_task *t)
{
	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(s, 0);
	t->department_id = sqlite3_column_int64(s, 1);
	const char *d = (const char *)sqlite3_column_text(s, 2);
	dc_strlcpy(t->department, d ? d : "", sizeof(t->department));
	t->op_id = sqlite3_column_int64(s, 3);
	t->service_id = sqlite3_column_int64(s, 4);
	const char *x = (const char *)sqlite3_column_text(s, 5);
	dc_strlcpy(t->text, x ? x : "", sizeof(t->text));
	const char *state = (const char *)sqlite3_column_text(s, 6);
	t->done = state && !strcmp(state, "done");
	t->created_at = sqlite3_column_int64(s, 7);
	t->closed_at = sqlite3_column_int64(s, 8);
}

int task_get(dc_store *st, int64_t id, dc_task *out, dc_err *err)
{
	sqlite3_stmt *s = prep(st, "SELECT " TASK_COLS "WHERE t.id = ?", err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		read_row(s, out);
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return err_set(err, DC_E_NOTFOUND, "no task with id %" PRId64,
		               id);
	return rc == SQLITE_ROW ? 0 : store_sqlerr(st, err, "read task");
}

int task_list(dc_store *st, bool include_done, dc_task **out, size_t *n,
              dc_err *err)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *s = prep(st,
	                       "SELECT " TASK_COLS
	                       "WHERE ? OR t.state = 'open' ORDER BY t.id DESC",
	                       err);
	if (!s)
		return -1;
	sqlite3_bind_int(s, 1, include_done);
	dc_task *v = NULL;
	size_t cnt = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (cnt == cap) {
			size_t nc = cap ? cap * 2 : 16;
			dc_task *nv = realloc(v, nc * sizeof(*v));
			if (!nv) {
				sqlite3_finalize(s);
				free(v);
				return err_set(err, DC_E_NOMEM,
				               "out of memory");
			}
			v = nv;
			cap = nc;
		}
		read_row(s, &v[cnt++]);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(v);
		return store_sqlerr(st, err, "list tasks");
	}
	*out = v;
	*n = cnt;
	return 0;
}

int task_done(dc_store *st, int64_t id, dc_err *err)
{
	if (store_begin(st, err))
		return -1;
	dc_task t;
	if (task_get(st, id, &t, err)) {
		store_rollback(st);
		return -1;
	}
	if (t.done) {
		store_rollback(st);
		return err_set(err, DC_E_CONFLICT,
		               "task %" PRId64 " is already done", id);
	}
	sqlite3_stmt *s = prep(st,
	                       "UPDATE task SET state = 'done', closed_at = ? "
	                       "WHERE id = ?",
	                       err);
	if (!s) {
		store_rollback(st);
		return -1;
	}
	sqlite3_bind_int64(s, 1, (int64_t)time(NULL));
	sqlite3_bind_int64(s, 2, id);
	if (finish(st, s, err)) {
		store_rollback(st);
		return -1;
	}
	return store_commit(st, err);
}

int task_close_for_op_tx(dc_store *st, int64_t op_id, dc_err *err)
{
	sqlite3_stmt *s = prep(st,
	                       "UPDATE task SET state = 'done', closed_at = ? "
	                       "WHERE op_id = ? AND state = 'open'",
	                       err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, (int64_t)time(NULL));
	sqlite3_bind_int64(s, 2, op_id);
	return finish(st, s, err);
}

int task_count_open(dc_store *st, long *n, dc_err *err)
{
	sqlite3_stmt *s =
	    prep(st, "SELECT count(*) FROM task WHERE state = 'open'", err);
	if (!s)
		return -1;
	int rc = sqlite3_step(s);
	*n = rc == SQLITE_ROW ? (long)sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : store_sqlerr(st, err, "count tasks");
}
