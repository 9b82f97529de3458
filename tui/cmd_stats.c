/* cmd_stats.c - the statistics commands: stats collect, stats show,
 * stats burst, and stats graph (the Graphs screen, scr_graphs.c). See
 * doc/statistics.md. Handlers run on the jobs worker in the console and
 * on the main thread on the CLI; they use core/stats.h and report through
 * `out`, except `stats show --csv`, which writes CSV to standard output
 * (command line only) for spreadsheets and scripts. */
#include "app.h"
#include "cmd.h"
#include "namecache.h"
#include "stats.h"
#include "stats_ui.h"
#include "ui.h"

#include <inttypes.h>
#include <pthread.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int stats_ui_zone(const app *a, statmath_zone *z, dc_err *err)
{
	const char *spec = a->cfg.stats_timezone;
	if (statmath_zone_parse(spec, z, err) < 0) {
		if (err) {
			char why[sizeof(err->msg)];

			/* copied: err_field writes err->msg */
			dc_strlcpy(why, err->msg, sizeof(why));
			err_field(err, DC_E_CONFIG, "stats_timezone", "%s",
			          why);
		}
		return -1;
	}
	return 0;
}

char *stats_ui_time(const statmath_zone *z, int64_t t, char *buf, size_t len)
{
	statmath_tm tm;
	statmath_civil(z, t, &tm);
	snprintf(buf, len, "%04u-%02u-%02u %02u:%02u",
	         (unsigned)tm.year % 10000u, (unsigned)tm.mon % 100u,
	         (unsigned)tm.mday % 100u, (unsigned)tm.hour % 100u,
	         (unsigned)tm.min % 100u);
	return buf;
}

/* ---- shared pieces ------------------------------------------------------ */

typedef struct sctx {
	app *a;
	dc_store *st;
	statmath_zone zone;
	int64_t now;
} sctx;

static int sctx_init(cmd_ctx *ctx, sctx *s, dc_err *err)
{
	s->a = ctx->app;
	s->now = (int64_t)time(NULL);
	if (stats_ui_zone(s->a, &s->zone, err) < 0)
		return -1;
	if (!(s->st = app_store(s->a, err)))
		return -1;
	return 0;
}

static int resolve(sctx *s, const cmd_args *args, stats_target *t, dc_err *err)
{
	return stats_target_resolve(s->st, cmd_arg(args, "module"),
	                            cmd_arg(args, "target"), t, err);
}

static void out_target(out *o, const stats_target *t)
{
	char id[96];
	snprintf(id, sizeof(id), "%s/%ld", t->module, t->server_id);
	out_str(o, "server", id);
	out_str(o, "name", t->server_name[0] ? t->server_name : NULL);
	if (t->service_id > 0)
		out_int(o, "service", (long long)t->service_id);
}

static void out_time(out *o, const char *key, const statmath_zone *z, int64_t t)
{
	char buf[40];
	out_str(o, key, t > 0 ? stats_ui_time(z, t, buf, sizeof(buf)) : NULL);
}

static void out_opt_dbl(out *o, const char *key, double v, int prec)
{
	if (isnan(v))
		out_null(o, key);
	else
		out_dbl(o, key, v, prec);
}

/* ---- stats collect ------------------------------------------------------ */

typedef struct cprog {
	bool tty;
	double last;
	size_t last_module;
} cprog;

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Progress on a terminal: one line per module start and end, and at most
 * one a second in between. */
static void on_progress(void *user, const stats_progress *p)
{
	cprog *c = user;
	double t = mono_s();
	bool start = p->servers_total == 0 && p->servers_done == 0;
	bool end = p->servers_total && p->servers_done == p->servers_total;

	if (!c->tty)
		return;
	if (!start && !end && t - c->last < 1.0)
		return;
	if (start && c->last_module == p->module_index)
		return;
	c->last = t;
	c->last_module = p->module_index;
	if (start) {
		fprintf(stderr, "%s (%zu/%zu): listing servers\n", p->module,
		        p->module_index, p->modules_total);
		return;
	}
	fprintf(stderr,
	        "%s: %zu/%zu servers, %" PRIu64 " buckets stored, %zu "
	        "answers%s",
	        p->module, p->servers_done, p->servers_total, p->buckets,
	        p->requests, p->servers_failed ? "" : "\n");
	if (p->servers_failed)
		fprintf(stderr, " (%zu failed)\n", p->servers_failed);
}

/* What `stats collect` was asked, whether typed on the CLI or the `:`
 * line (the console's screen keeps a copy for its job). */
typedef struct collect_req {
	char module[DC_NAME_MAX];
	char server[256];
	char since[64];
	int parallel;
} collect_req;

static void req_from_args(const cmd_args *args, collect_req *q)
{
	const char *m = cmd_arg(args, "module"), *sv = cmd_arg(args, "server");
	const char *si = cmd_arg(args, "since");
	memset(q, 0, sizeof(*q));
	snprintf(q->module, sizeof(q->module), "%s", m ? m : "");
	snprintf(q->server, sizeof(q->server), "%s", sv ? sv : "");
	snprintf(q->since, sizeof(q->since), "%s", si ? si : "");
	q->parallel = (int)cmd_arg_int(args, "parallel", 0);
}

static int collect_exec(cmd_ctx *ctx, const collect_req *q,
                        stats_progress_fn fn, void *user, out *o, dc_err *err)
{
	sctx s;
	stats_collect_opts co;
	stats_collect_result r;
	stats_target t;
	double t0 = mono_s();

	if (sctx_init(ctx, &s, err) < 0)
		return -1;
	memset(&co, 0, sizeof(co));
	co.module = q->module[0] ? q->module : NULL;
	if (q->server[0]) {
		if (stats_target_resolve(s.st, co.module, q->server, &t, err) <
		    0)
			return -1;
		co.module = t.module;
		co.server_id = t.server_id;
	}
	if (q->since[0] && stats_time_parse(q->since, &s.zone, s.now, "since",
	                                    &co.since, err) < 0)
		return -1;
	if (co.since > s.now + 86400)
		return err_field(err, DC_E_INVALID, "since",
		                 "--since %s is in the future", q->since);
	co.max_parallel = q->parallel;
	co.zone = &s.zone;
	co.retention_days = s.a->cfg.stats_retention_days;
	co.connect_timeout_ms = (long)s.a->cfg.http_connect_timeout_ms;
	co.timeout_ms = (long)s.a->cfg.http_timeout_ms;
	co.body_cap = s.a->cfg.xml_max_body;
	co.log = s.a->log;
	co.progress = fn;
	co.user = user;
	co.cancel = ctx->cancel;
	int rc = stats_collect(s.st, &co, &r, err);
	if (rc < 0 && r.servers_ok == 0 && r.buckets == 0)
		return -1;
	out_obj_begin(o, NULL);
	out_int(o, "modules", (long long)r.modules);
	out_int(o, "modules_failed", (long long)r.modules_failed);
	out_int(o, "servers", (long long)r.servers);
	out_int(o, "servers_ok", (long long)r.servers_ok);
	out_int(o, "servers_failed", (long long)r.servers_failed);
	out_int(o, "buckets_stored", (long long)r.buckets);
	out_int(o, "days_updated", (long long)r.days);
	out_int(o, "requests", (long long)r.requests);
	out_int(o, "buckets_deleted", (long long)r.deleted);
	out_time(o, "newest_bucket", &s.zone, r.newest);
	out_str(o, "zone", s.zone.name);
	out_dbl(o, "seconds", mono_s() - t0, 1);
	out_obj_end(o);
	/* Some servers failed: the summary is shown, and the command still
	 * fails so that cron notices; those servers are retried next run. */
	return rc;
}

static int collect_run(cmd_ctx *ctx, const cmd_args *args, out *o, dc_err *err)
{
	collect_req q;
	cprog cp = {.tty = !ctx->ui && isatty(STDERR_FILENO)};

	req_from_args(args, &q);
	return collect_exec(ctx, &q, on_progress, &cp, o, err);
}

/* ---- stats collect in the console: a progress screen --------------------
 *
 * In the console `:stats collect` opens this screen: the collection runs as
 * a job (spinner, Ctrl-C cancels) and the screen shows each module's
 * servers done / total and the buckets stored as they come, then the
 * summary. Esc leaves it running in the background; its result then comes
 * as a message. The progress is written on the worker and read by draw()
 * under a mutex; the struct is freed by whichever of the screen and the
 * job finishes last. */

#define CMODS 32

typedef struct cshared {
	pthread_mutex_t mu;
	struct {
		char name[DC_NAME_MAX];
		size_t done, total, failed;
	} mods[CMODS];
	size_t nmods, modules_total;
	uint64_t buckets;
	size_t requests;
	double t0, t1;
	bool finished;
	int rc;
	dc_err err;
	out *o;
	bool gone;       /* the screen closed: the job's done() frees this */
	bool dispatched; /* done() ran (main thread, like close) */
} cshared;

typedef struct cjob {
	ui *u;
	cshared *sh;
	cmd_ctx ctx;
	collect_req q;
} cjob;

static void cshared_free(cshared *sh)
{
	pthread_mutex_destroy(&sh->mu);
	out_free(sh->o);
	free(sh);
}

static void screen_progress(void *user, const stats_progress *p)
{
	cshared *sh = user;
	size_t i = p->module_index ? p->module_index - 1 : 0;

	pthread_mutex_lock(&sh->mu);
	if (i < CMODS) {
		snprintf(sh->mods[i].name, sizeof(sh->mods[i].name), "%s",
		         p->module);
		sh->mods[i].done = p->servers_done;
		sh->mods[i].total = p->servers_total;
		sh->mods[i].failed = p->servers_failed;
		if (i + 1 > sh->nmods)
			sh->nmods = i + 1;
	}
	sh->modules_total = p->modules_total;
	sh->buckets = p->buckets;
	sh->requests = p->requests;
	pthread_mutex_unlock(&sh->mu);
}

static void cjob_run(job *j, void *arg)
{
	cjob *cj = arg;
	cshared *sh = cj->sh;
	out *o = out_new();
	dc_err e;
	int rc;

	err_clear(&e);
	cj->ctx.cancel = job_cancel_flag(j);
	if (o)
		rc = collect_exec(&cj->ctx, &cj->q, screen_progress, sh, o, &e);
	else
		rc = err_set(&e, DC_E_NOMEM, "out of memory");
	pthread_mutex_lock(&sh->mu);
	sh->rc = rc;
	sh->err = e;
	sh->o = o;
	sh->t1 = mono_s();
	sh->finished = true;
	pthread_mutex_unlock(&sh->mu);
}

static void cjob_done(job *j, void *arg)
{
	cjob *cj = arg;
	cshared *sh = cj->sh;
	char line[700];

	(void)j;
	if (!sh->finished) { /* cancelled before it ran */
		sh->finished = true;
		sh->rc = err_set(&sh->err, DC_E_CANCELLED, "cancelled");
		sh->t1 = mono_s();
	}
	if (sh->rc < 0)
		ui_msg(cj->u,
		       sh->err.cat == DC_E_CANCELLED ? UI_WARN : UI_ERROR,
		       "stats collect: %s",
		       err_line(&sh->err, line, sizeof(line)));
	else
		ui_msg(cj->u, UI_OK,
		       "stats collect: %" PRIu64 " buckets stored in %.1f s",
		       sh->buckets, sh->t1 - sh->t0);
	sh->dispatched = true;
	if (sh->gone)
		cshared_free(sh);
	free(cj);
}

static int cscr_open(ui_screen *s, const cmd_args *args, dc_err *err)
{
	cshared *sh;
	cjob *cj;

	if (ui_cmd_ctx(s->ui).read_only)
		return err_set(err, DC_E_INVALID,
		               "read-only: stats collect writes to the store");
	if (!(sh = calloc(1, sizeof(*sh))) || !(cj = calloc(1, sizeof(*cj)))) {
		free(sh);
		return err_set(err, DC_E_NOMEM, "out of memory");
	}
	pthread_mutex_init(&sh->mu, NULL);
	sh->t0 = mono_s();
	cj->u = s->ui;
	cj->sh = sh;
	cj->ctx = ui_cmd_ctx(s->ui);
	if (args)
		req_from_args(args, &cj->q);
	if (!ui_job(s->ui, "collecting statistics", cjob_run, cj, cjob_done)) {
		cshared_free(sh);
		free(cj);
		return err_set(err, DC_E_NOMEM, "out of memory");
	}
	s->priv = sh;
	snprintf(s->title, sizeof(s->title), "Collect statistics");
	return 0;
}

static void cscr_draw(ui_screen *s, ui_rect r)
{
	cshared *sh = s->priv;
	int y = r.y, ymax = r.y + r.h;
	char line[300];

	pthread_mutex_lock(&sh->mu);
	double el = (sh->finished ? sh->t1 : mono_s()) - sh->t0;
	snprintf(line, sizeof(line), "%s  %.1f s",
	         sh->finished ? (sh->rc < 0 ? "Collection ended with errors"
	                                    : "Collection done")
	                      : "Collecting statistics (Ctrl-C cancels, Esc "
	                        "leaves it running)",
	         el);
	draw_text(y++, r.x, r.w, ROLE_TITLE, line, false);
	for (size_t i = 0; i < sh->nmods && y < ymax; i++) {
		if (sh->mods[i].total == 0 && !sh->finished)
			snprintf(line, sizeof(line),
			         "  %-24s listing servers...",
			         sh->mods[i].name);
		else
			snprintf(line, sizeof(line), "  %-24s %zu/%zu servers",
			         sh->mods[i].name, sh->mods[i].done,
			         sh->mods[i].total);
		if (sh->mods[i].failed) {
			size_t l = strlen(line);
			snprintf(line + l, sizeof(line) - l, ", %zu failed",
			         sh->mods[i].failed);
		}
		draw_text(y++, r.x, r.w,
		          sh->mods[i].failed ? ROLE_WARN : ROLE_NORMAL, line,
		          false);
	}
	if (y < ymax) {
		snprintf(line, sizeof(line),
		         "  buckets stored: %" PRIu64 " (answers: %zu)",
		         sh->buckets, sh->requests);
		draw_text(y++, r.x, r.w, ROLE_NORMAL, line, false);
	}
	y++;
	if (sh->finished && sh->rc < 0 && y < ymax) {
		char el2[700];
		draw_text(y++, r.x, r.w, ROLE_ERROR,
		          err_line(&sh->err, el2, sizeof(el2)), false);
	}
	if (sh->finished && sh->o && out_has_data(sh->o)) {
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);
		if (f) {
			out_render_text(sh->o, f);
			fclose(f);
		}
		for (char *p = text, *nl; p && *p && y < ymax;
		     p = nl ? nl + 1 : NULL) {
			nl = strchr(p, '\n');
			if (nl)
				*nl = '\0';
			draw_text(y++, r.x + 2, r.w - 2, ROLE_NORMAL, p, false);
		}
		free(text);
	}
	pthread_mutex_unlock(&sh->mu);
}

static void cscr_close(ui_screen *s)
{
	cshared *sh = s->priv;

	/* both run on the main thread: whichever comes last frees */
	if (sh->dispatched)
		cshared_free(sh);
	else
		sh->gone = true;
}

static const ui_screen_ops collect_screen = {
    .name = "Collect statistics",
    .open = cscr_open,
    .draw = cscr_draw,
    .close = cscr_close,
};

/* ---- stats show --------------------------------------------------------- */

/* "Now" for a server's data: our clock, or the end of its newest bucket
 * when the panel's clock runs ahead of ours (dcisim's virtual clock can),
 * so that relative times (6h, today) mean the same on both. */
static int data_now(sctx *s, const stats_target *t, dc_err *err)
{
	int64_t newest;
	if (stats_newest(s->st, t->module_id, t->server_id, &newest, err) < 0)
		return -1;
	if (newest && newest + 300 > s->now)
		s->now = newest + 300;
	return 0;
}

static int range_of(sctx *s, const cmd_args *args, const stats_target *t,
                    int64_t *from, int64_t *to, dc_err *err)
{
	const char *fs = cmd_arg(args, "from"), *ts = cmd_arg(args, "to");

	if (data_now(s, t, err) < 0)
		return -1;
	*to = s->now; /* default: the 24 hours up to now */
	if (ts && stats_time_parse(ts, &s->zone, s->now, "to", to, err) < 0)
		return -1;
	*from = *to - 86400;
	if (fs && stats_time_parse(fs, &s->zone, s->now, "from", from, err) < 0)
		return -1;
	if (*from >= *to)
		return err_field(err, DC_E_INVALID, "from",
		                 "--from must be before --to");
	return 0;
}

static void csv_write(FILE *f, const statmath_zone *z, const statmath_bucket *b,
                      size_t n)
{
	char tb[40];
	fputs("time,local_time,in_kib,out_kib,power_w,in_bps,out_bps\n", f);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%" PRId64 ",%s,", b[i].time,
		        stats_ui_time(z, b[i].time, tb, sizeof(tb)));
		if (b[i].present & STATMATH_HAS_IN)
			fprintf(f, "%" PRIu64, b[i].in_kib);
		fputc(',', f);
		if (b[i].present & STATMATH_HAS_OUT)
			fprintf(f, "%" PRIu64, b[i].out_kib);
		fputc(',', f);
		if (b[i].present & STATMATH_HAS_POWER)
			fprintf(f, "%g", b[i].power_w);
		fputc(',', f);
		if (b[i].present & STATMATH_HAS_IN)
			fprintf(f, "%.0f",
			        statmath_rate_mbps(b[i].in_kib) * 1e6);
		fputc(',', f);
		if (b[i].present & STATMATH_HAS_OUT)
			fprintf(f, "%.0f",
			        statmath_rate_mbps(b[i].out_kib) * 1e6);
		fputc('\n', f);
	}
}

static void out_totals(out *o, const statmath_totals *tt)
{
	out_obj_begin(o, "totals");
	out_int(o, "buckets", (long long)tt->n);
	out_int(o, "in_kib", (long long)tt->in_kib);
	out_int(o, "out_kib", (long long)tt->out_kib);
	out_opt_dbl(o, "avg_in_mbps", tt->avg_in_mbps, 3);
	out_opt_dbl(o, "avg_out_mbps", tt->avg_out_mbps, 3);
	out_opt_dbl(o, "max_in_mbps", tt->max_in_mbps, 3);
	out_opt_dbl(o, "max_out_mbps", tt->max_out_mbps, 3);
	out_opt_dbl(o, "avg_power_w", tt->avg_power_w, 1);
	out_opt_dbl(o, "max_power_w", tt->max_power_w, 1);
	out_dbl(o, "energy_wh", tt->energy_wh, 1);
	out_obj_end(o);
}

static int show_run(cmd_ctx *ctx, const cmd_args *args, out *o, dc_err *err)
{
	sctx s;
	stats_target t;
	int64_t from, to;
	statmath_bucket *b = NULL;
	size_t n;
	statmath_totals tt;
	bool csv = cmd_flag(args, "csv"), only = cmd_flag(args, "totals");

	if (csv && ctx->ui)
		return err_field(
		    err, DC_E_INVALID, "csv",
		    "--csv writes to standard output: use it on "
		    "the command line (dcictl stats show ... --csv "
		    "> file.csv)");
	if (csv && (ctx->json || only))
		return err_field(
		    err, DC_E_INVALID, "csv",
		    "--csv goes alone: not with --json or --totals");
	if (sctx_init(ctx, &s, err) < 0 || resolve(&s, args, &t, err) < 0 ||
	    range_of(&s, args, &t, &from, &to, err) < 0)
		return -1;
	if (stats_buckets(s.st, t.module_id, t.server_id, from, to, &b, &n,
	                  err) < 0)
		return -1;
	if (csv) {
		csv_write(stdout, &s.zone, b, n);
		fflush(stdout);
		free(b);
		return 0;
	}
	if (statmath_totals_compute(b, n, &tt, err) < 0) {
		free(b);
		return -1;
	}
	out_obj_begin(o, NULL);
	out_target(o, &t);
	out_time(o, "from", &s.zone, from);
	out_time(o, "to", &s.zone, to);
	out_str(o, "zone", s.zone.name);
	if (!only) {
		char tb[40];
		out_arr_begin(o, "buckets");
		for (size_t i = 0; i < n; i++) {
			const statmath_bucket *x = &b[i];
			out_obj_begin(o, NULL);
			if (ctx->json)
				out_int(o, "time", (long long)x->time);
			out_str(
			    o, "at",
			    stats_ui_time(&s.zone, x->time, tb, sizeof(tb)));
			if (x->present & STATMATH_HAS_IN)
				out_int(o, "in_kib", (long long)x->in_kib);
			else
				out_null(o, "in_kib");
			if (x->present & STATMATH_HAS_OUT)
				out_int(o, "out_kib", (long long)x->out_kib);
			else
				out_null(o, "out_kib");
			if (x->present & STATMATH_HAS_POWER)
				out_dbl(o, "power_w", x->power_w, 1);
			else
				out_null(o, "power_w");
			out_opt_dbl(o, "in_mbps",
			            x->present & STATMATH_HAS_IN
			                ? statmath_rate_mbps(x->in_kib)
			                : NAN,
			            3);
			out_opt_dbl(o, "out_mbps",
			            x->present & STATMATH_HAS_OUT
			                ? statmath_rate_mbps(x->out_kib)
			                : NAN,
			            3);
			out_obj_end(o);
		}
		out_arr_end(o);
	}
	out_totals(o, &tt);
	out_obj_end(o);
	if (n == 0)
		out_msg(o,
		        "no buckets stored for %s/%ld in that range (stats "
		        "collect fetches them)",
		        t.module, t.server_id);
	free(b);
	return 0;
}

/* ---- stats burst -------------------------------------------------------- */

static int burst_run(cmd_ctx *ctx, const cmd_args *args, out *o, dc_err *err)
{
	sctx s;
	stats_target t;
	statmath_day d;
	stats_day_row r;
	const char *day = cmd_arg(args, "day");
	char buf[16];
	dc_err de;

	if (sctx_init(ctx, &s, err) < 0 || resolve(&s, args, &t, err) < 0 ||
	    data_now(&s, &t, err) < 0)
		return -1;
	if (!strcmp(day, "today") || !strcmp(day, "yesterday")) {
		statmath_tm tm;
		int64_t at = s.now - (day[0] == 'y' ? 86400 : 0);
		statmath_civil(&s.zone, at, &tm);
		snprintf(buf, sizeof(buf), "%04u-%02u-%02u",
		         (unsigned)tm.year % 10000u, (unsigned)tm.mon % 100u,
		         (unsigned)tm.mday % 100u);
		day = buf;
	}
	if (statmath_day_parse(&s.zone, day, &d, &de) < 0)
		return err_field(
		    err, DC_E_INVALID, "day",
		    "--day %s: %s (YYYY-MM-DD, today or yesterday)",
		    cmd_arg(args, "day"), de.msg);
	if (stats_day_get(s.st, t.module_id, t.server_id, &s.zone, &d, &r,
	                  err) < 0)
		return -1;
	out_obj_begin(o, NULL);
	out_target(o, &t);
	out_str(o, "day", r.date);
	out_str(o, "zone", s.zone.name);
	out_opt_dbl(o, "burst_in_day", r.burst_in, 3);
	out_opt_dbl(o, "burst_out_day", r.burst_out, 3);
	out_str(o, "unit", "Mbit/s");
	out_dbl(o, "coverage", r.coverage, 4);
	out_int(o, "buckets_in", (long long)r.n_in);
	out_int(o, "buckets_out", (long long)r.n_out);
	out_int(o, "buckets_expected", (long long)r.expected);
	out_int(o, "in_kib", (long long)r.in_kib);
	out_int(o, "out_kib", (long long)r.out_kib);
	out_bool(o, "stored", r.stored);
	out_obj_end(o);
	if (r.n_in == 0 && r.n_out == 0)
		out_msg(o, "no buckets stored for %s/%ld on %s: no burst",
		        t.module, t.server_id, r.date);
	return 0;
}

/* ---- the table ---------------------------------------------------------- */

#define OPT_END                                                                \
	{                                                                      \
		NULL, 0, 0, NULL, NULL, 0, 0, NULL                             \
	}

static const cmd_opt collect_opts[] = {
    {"module", CMD_OPT_STR, 0, "M",
     "only this module (default: every "
     "enabled module)",
     0, 0, namecache_complete_module},
    {"since", CMD_OPT_STR, 0, "T",
     "collect from T on, even what is "
     "stored (unix seconds, YYYY-MM-DD[ HH:MM], or 6h/2d ago); default: "
     "from where the last run stopped",
     0, 0, NULL},
    {"server", CMD_OPT_STR, 0, "SERVER",
     "only this server (ID with "
     "--module, MODULE/ID or a name)",
     0, 0, NULL},
    {"parallel", CMD_OPT_INT, 0, "N",
     "requests in flight per module "
     "(default 8)",
     1, STATS_MAX_PARALLEL, NULL},
    OPT_END,
};

static const cmd_opt show_opts[] = {
    {"target", CMD_OPT_STR, CMD_OPT_POSITIONAL | CMD_OPT_REQUIRED,
     "SERVER|SERVICE",
     "ID (with --module), MODULE/ID, a server name, or "
     "service:ID",
     0, 0, NULL},
    {"module", CMD_OPT_STR, 0, "M", "the module of a server given by id", 0, 0,
     namecache_complete_module},
    {"from", CMD_OPT_STR, 0, "T", "start (default: 24 h before --to)", 0, 0,
     NULL},
    {"to", CMD_OPT_STR, 0, "T", "end, exclusive (default: now)", 0, 0, NULL},
    {"csv", CMD_OPT_FLAG, 0, NULL, "the buckets as CSV on standard output", 0,
     0, NULL},
    {"totals", CMD_OPT_FLAG, 0, NULL, "only the totals", 0, 0, NULL},
    OPT_END,
};

static const cmd_opt burst_opts[] = {
    {"target", CMD_OPT_STR, CMD_OPT_POSITIONAL | CMD_OPT_REQUIRED,
     "SERVER|SERVICE",
     "ID (with --module), MODULE/ID, a server name, or "
     "service:ID",
     0, 0, NULL},
    {"module", CMD_OPT_STR, 0, "M", "the module of a server given by id", 0, 0,
     namecache_complete_module},
    {"day", CMD_OPT_STR, CMD_OPT_REQUIRED, "D",
     "YYYY-MM-DD in the "
     "statistics zone, today or yesterday",
     0, 0, NULL},
    OPT_END,
};

static const cmd_opt graph_opts[] = {
    {"target", CMD_OPT_STR, CMD_OPT_POSITIONAL | CMD_OPT_REQUIRED,
     "SERVER|SERVICE",
     "ID (with --module), MODULE/ID, a server name, or "
     "service:ID",
     0, 0, NULL},
    {"module", CMD_OPT_STR, 0, "M", "the module of a server given by id", 0, 0,
     namecache_complete_module},
    {"range", CMD_OPT_STR, 0, "R", "1h, 24h, 7d or 30d (default 1h)", 0, 0,
     NULL},
    OPT_END,
};

const cmd_def stats_cmds[] = {
    {"stats", "collect", collect_opts,
     "fetch 5-minute traffic and power buckets from DCImanager",
     "Asks every server of the module(s) for the buckets after the last "
     "stored one (server.stat), many in flight, back-filling after "
     "downtime; stores them with the daily burst rows and applies "
     "stats_retention_days. Safe to run from cron; servers that fail are "
     "asked again on the next run. Progress goes to a terminal on "
     "standard error.",
     0, collect_run, &collect_screen, 0},
    {"stats", "show", show_opts,
     "stored buckets and totals of a server or service",
     "Rows of in/out KiB, power and rates, and exact totals for the "
     "range; --totals for the totals only, --csv for spreadsheets.",
     CMD_RO_SAFE, show_run, NULL, 0},
    {"stats", "burst", burst_opts,
     "daily burst (95th percentile) and coverage of one day",
     "burst_in_day and burst_out_day in Mbit/s, from the day's present "
     "5-minute buckets in the statistics zone, and coverage = buckets / "
     "288.",
     CMD_RO_SAFE, burst_run, NULL, 0},
    {"stats", "graph", graph_opts,
     "live traffic, power and burst graphs of a server or service",
     "Opens the Graphs screen; keys 1-4 or Tab change the range, b the "
     "style; it collects the server's new buckets at each refresh.",
     CMD_RO_SAFE | CMD_CONSOLE_ONLY, NULL, &graphs_screen, 0},
    {NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, 0},
};
