/* cmd_service.c - the commands of services, operations, tasks and
 * reconcile (see cmd_service.h and doc/engine.md):
 *
 *   service open|show|list|suspend|resume|reinstall|close|credentials
 *   operation list|show|retry|rollback|resume (and the hidden `run`)
 *   task list|done
 *   reconcile
 *
 * and the dashboard section with unfinished operations and open tasks. */
#include "cmd_service.h"

#include "out.h"
#include "reconcile.h"
#include "service.h"
#include "task.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- helpers shared with the screens --------------------------------------
 */

char *scmd_time(int64_t t, char *buf, size_t len)
{
	if (!t) {
		snprintf(buf, len, "-");
		return buf;
	}
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	return buf;
}

char *scmd_elapsed(int64_t s, char *buf, size_t len)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(buf, len, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(buf, len, "%lldm%02llds", (long long)(s / 60),
		         (long long)(s % 60));
	else
		snprintf(buf, len, "%lldh%02lldm", (long long)(s / 3600),
		         (long long)(s % 3600 / 60));
	return buf;
}

static int env_ms(const char *name, long *dst, dc_err *err)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return 0;
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || *end || n < 0 || n > 3600000)
		return err_field(err, DC_E_CONFIG, name,
		                 "%s=\"%s\": expected milliseconds 0..3600000",
		                 name, v);
	*dst = n;
	return 0;
}

int scmd_engine_opts(const cmd_ctx *ctx, engine_opts *o, dc_err *err)
{
	engine_opts_default(o);
	const app *a = ctx->app;
	o->log = a->log;
	o->http_connect_timeout_ms = (long)a->cfg.http_connect_timeout_ms;
	o->http_timeout_ms = (long)a->cfg.http_timeout_ms;
	o->xml_max_body = a->cfg.xml_max_body;
	o->cancel = ctx->cancel;
	if (env_ms("DCICTL_BACKOFF_MS", &o->backoff_ms, err) ||
	    env_ms("DCICTL_POLL_MS", &o->poll_ms, err) ||
	    env_ms("DCICTL_CLAIM_SETTLE_MS", &o->claim_settle_ms, err))
		return -1;
	return 0;
}

engine *scmd_engine(cmd_ctx *ctx, dc_err *err)
{
	dc_store *st = app_store(ctx->app, err);
	engine_opts o;
	if (!st || scmd_engine_opts(ctx, &o, err))
		return NULL;
	return engine_new(st, &o, err);
}

int scmd_spawn(const app *a, int64_t op_id, dc_err *err)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return err_set(err, DC_E_IO,
		               "cannot find the dcictl program: %s",
		               strerror(errno));
	exe[n] = '\0';
	char id[24];
	snprintf(id, sizeof(id), "%" PRId64, op_id);
	/* Everything the child needs is prepared before fork: after it the
	 * child of a threaded program may only call what is async-signal-
	 * safe (setsid, open, dup2, fork, execv, _exit). */
	char *argv[12];
	int k = 0;
	argv[k++] = exe;
	argv[k++] = (char *)"--store";
	argv[k++] = (char *)a->store_path;
	if (a->config_found) {
		argv[k++] = (char *)"--config";
		argv[k++] = (char *)a->config_path;
	}
	argv[k++] = (char *)"operation";
	argv[k++] = (char *)"run";
	argv[k++] = (char *)"--id";
	argv[k++] = id;
	argv[k] = NULL;
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) != 0)
		return err_set(err, DC_E_IO, "pipe: %s", strerror(errno));
	pid_t pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return err_set(err, DC_E_IO, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		/* Double fork: the runner is nobody's child here, so neither
		 * the console nor the shell has to reap it. */
		setsid();
		pid_t g = fork();
		if (g != 0)
			_exit(g < 0 ? 1 : 0);
		int fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
		execv(exe, argv);
		/* Tell the parent the exec failed (the pipe closes on a
		 * successful exec). */
		int e = errno;
		if (write(pipefd[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(pipefd[1]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	int child_errno = 0;
	ssize_t r;
	while ((r = read(pipefd[0], &child_errno, sizeof(child_errno))) < 0 &&
	       errno == EINTR)
		;
	close(pipefd[0]);
	if (r == (ssize_t)sizeof(child_errno))
		return err_set(err, DC_E_IO, "cannot start %s: %s", exe,
		               strerror(child_errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return err_set(err, DC_E_IO,
		               "cannot start the operation's "
		               "process");
	return 0;
}

/* ---- output ------------------------------------------------------------- */

static void out_step(out *o, const op_step *s, int64_t now)
{
	char b1[32], b2[32];
	out_obj_begin(o, NULL);
	out_int(o, "idx", s->idx);
	out_str(o, "step", s->name);
	out_str(o, "state", step_state_name(s->state));
	out_int(o, "attempts", s->attempts);
	out_str(o, "started",
	        s->started_at ? scmd_time(s->started_at, b1, sizeof(b1))
	                      : NULL);
	int64_t end = s->finished_at ? s->finished_at
	                             : (s->state == STEP_RUNNING ? now : 0);
	out_str(o, "elapsed",
	        s->started_at && end
	            ? scmd_elapsed(end - s->started_at, b2, sizeof(b2))
	            : NULL);
	out_str(o, "error", s->last_error[0] ? s->last_error : NULL);
	out_obj_end(o);
}

static void out_operation(out *o, const char *key, const dc_operation *op,
                          bool steps)
{
	char b[32];
	int64_t now = (int64_t)time(NULL);
	out_obj_begin(o, key);
	out_int(o, "id", op->id);
	out_str(o, "kind", op_kind_name(op->kind));
	out_int(o, "service", op->service_id);
	out_str(o, "state", op_state_name(op->state));
	out_str(o, "step",
	        op->step >= 0 && (size_t)op->step < op->nsteps
	            ? op->steps[op->step].name
	            : NULL);
	out_bool(o, "rollback", op->rollback);
	out_str(o, "error", op->error[0] ? op->error : NULL);
	out_str(o, "run_by", op->lease_owner[0] ? op->lease_owner : NULL);
	out_str(o, "created", scmd_time(op->created_at, b, sizeof(b)));
	out_str(o, "finished",
	        op->finished_at ? scmd_time(op->finished_at, b, sizeof(b))
	                        : NULL);
	if (steps) {
		out_arr_begin(o, "steps");
		for (size_t i = 0; i < op->nsteps; i++)
			out_step(o, &op->steps[i], now);
		out_arr_end(o);
	}
	out_obj_end(o);
}

static const char *main_ip(dc_store *st, int64_t sid, char *buf, size_t len)
{
	svc_addr *a = NULL;
	size_t n = 0;
	buf[0] = '\0';
	if (service_addrs(st, sid, &a, &n, NULL) == 0)
		for (size_t i = 0; i < n; i++)
			if (a[i].main)
				dc_strlcpy(buf, a[i].ip, len);
	free(a);
	return buf[0] ? buf : NULL;
}

static int out_service(out *o, dc_store *st, int64_t sid, dc_err *err)
{
	dc_service *s = calloc(1, sizeof(*s));
	if (!s)
		return err_set(err, DC_E_NOMEM, "out of memory");
	if (service_get(st, sid, s, err)) {
		free(s);
		return -1;
	}
	char b[32], ip[SVC_IP_MAX];
	out_obj_begin(o, NULL);
	out_int(o, "id", s->id);
	out_str(o, "client", s->client);
	out_str(o, "status", svc_status_name(s->status));
	out_str(o, "tariff", s->tariff[0] ? s->tariff : NULL);
	out_str(o, "module", s->module[0] ? s->module : NULL);
	if (s->server_id)
		out_int(o, "server_id", s->server_id);
	else
		out_null(o, "server_id");
	out_str(o, "server", s->server_name[0] ? s->server_name : NULL);
	out_str(o, "hostname", s->hostname);
	out_str(o, "main_ip", main_ip(st, sid, ip, sizeof(ip)));
	out_str(o, "panel_user", s->panel_user);
	out_str(o, "licence", s->licence_id[0] ? s->licence_id : NULL);
	out_str(o, "created", scmd_time(s->created_at, b, sizeof(b)));
	out_str(o, "closed",
	        s->closed_at ? scmd_time(s->closed_at, b, sizeof(b)) : NULL);
	out_arr_begin(o, "addons");
	for (size_t i = 0; i < s->naddons; i++) {
		out_obj_begin(o, NULL);
		out_str(o, "name", s->addons[i].name);
		out_str(o, "kind", s->addons[i].kind);
		out_str(o, "value", s->addons[i].value);
		out_obj_end(o);
	}
	out_arr_end(o);
	svc_addr *a = NULL;
	size_t n = 0;
	int rc = service_addrs(st, sid, &a, &n, err);
	out_arr_begin(o, "addresses");
	for (size_t i = 0; rc == 0 && i < n; i++) {
		out_obj_begin(o, NULL);
		out_str(o, "ip", a[i].ip);
		out_str(o, "family", a[i].family);
		out_str(o, "iptype", a[i].iptype);
		out_str(o, "role", svc_role_name(a[i].role));
		out_bool(o, "main", a[i].main);
		out_bool(o, "attached", a[i].panel_ip_id != 0);
		out_obj_end(o);
	}
	out_arr_end(o);
	free(a);
	int64_t op = 0;
	if (rc == 0)
		rc = operation_unfinished(st, sid, &op, err);
	if (rc == 0 && op) {
		dc_operation *d = calloc(1, sizeof(*d));
		if (d && operation_get(st, op, d, err) == 0)
			out_operation(o, "operation", d, false);
		free(d);
	}
	svc_event *ev = NULL;
	size_t ne = 0;
	if (rc == 0 && (rc = service_events(st, sid, &ev, &ne, err)) == 0) {
		out_arr_begin(o, "history");
		for (size_t i = 0; i < ne; i++) {
			out_obj_begin(o, NULL);
			out_str(o, "at", scmd_time(ev[i].at, b, sizeof(b)));
			out_str(o, "event", ev[i].text);
			out_obj_end(o);
		}
		out_arr_end(o);
	}
	free(ev);
	out_obj_end(o);
	free(s);
	return rc;
}

/* ---- running an operation ----------------------------------------------- */

/* --wait on the command line: each step as it happens, on stderr (stdout
 * keeps the result, also with --json). */
static void print_progress(void *user, const engine_progress *p)
{
	(void)user;
	if (p->state == STEP_RUNNING && !p->msg[0])
		return;
	char now[32];
	scmd_time((int64_t)time(NULL), now, sizeof(now));
	if (p->step < 0)
		fprintf(stderr, "%s operation %" PRId64 " (%s): %s\n", now + 11,
		        p->op_id, op_kind_name(p->kind), p->msg);
	else if (p->attempt > 1)
		fprintf(stderr,
		        "%s operation %" PRId64 " %s%s %s (attempt %d): %s\n",
		        now + 11, p->op_id, p->rollback ? "undo " : "",
		        p->step_name, step_state_name(p->state), p->attempt,
		        p->msg);
	else
		fprintf(stderr, "%s operation %" PRId64 " %s%s %s: %s\n",
		        now + 11, p->op_id, p->rollback ? "undo " : "",
		        p->step_name, step_state_name(p->state), p->msg);
	fflush(stderr);
}

static engine *engine_for(cmd_ctx *ctx, bool wait, dc_err *err)
{
	dc_store *st = app_store(ctx->app, err);
	engine_opts o;
	if (!st || scmd_engine_opts(ctx, &o, err))
		return NULL;
	if (wait && !ctx->ui)
		o.progress = print_progress;
	return engine_new(st, &o, err);
}

/* Runs op here (--wait) or starts it in the background, then describes
 * where it stands. */
static int go(cmd_ctx *ctx, engine *g, int64_t op, bool wait, out *o,
              dc_err *err)
{
	dc_store *st = engine_store(g);
	int rc = 0;
	dc_err run_err;
	err_clear(&run_err);
	if (wait)
		rc = engine_run(g, op, &run_err);
	else if (scmd_spawn(ctx->app, op, err))
		return -1;
	dc_operation *d = calloc(1, sizeof(*d));
	if (!d)
		return err_set(err, DC_E_NOMEM, "out of memory");
	if (operation_get(st, op, d, err)) {
		free(d);
		return -1;
	}
	out_operation(o, NULL, d, wait);
	if (!wait)
		out_msg(o,
		        "operation %" PRId64 " (%s) started in the background; "
		        "follow it with: dcictl operation show %" PRId64,
		        op, op_kind_name(d->kind), op);
	free(d);
	if (rc) {
		*err = run_err;
		return -1;
	}
	return 0;
}

static int64_t arg_id(const cmd_args *a, const char *name)
{
	return (int64_t)cmd_arg_int(a, name, 0);
}

/* After a crash the next command says what nobody is running (the
 * console's dashboard does the same). */
static void stale_hint(dc_store *st, out *o)
{
	op_filter f = {.unfinished_only = true};
	dc_operation *v = NULL;
	size_t n = 0, stale = 0, failed = 0;
	if (operation_list(st, &f, &v, &n, NULL))
		return;
	for (size_t i = 0; i < n; i++) {
		if (v[i].state == OPS_FAILED)
			failed++;
		else if (!operation_lease_live(&v[i]))
			stale++;
	}
	free(v);
	if (stale)
		out_msg(o,
		        "%zu operation(s) not finished and nobody runs them: "
		        "dcictl operation resume",
		        stale);
	if (failed)
		out_msg(
		    o,
		    "%zu operation(s) failed: dcictl operation retry|rollback "
		    "ID (see dcictl task list)",
		    failed);
}

/* ---- service ------------------------------------------------------------ */

static int service_open_run(cmd_ctx *ctx, const cmd_args *a, out *o,
                            dc_err *err)
{
	size_t nc = cmd_arg_count(a, "addon");
	if (nc > DC_TARIFF_ADDONS_MAX)
		return err_field(err, DC_E_INVALID, "addon",
		                 "at most %d add-on choices",
		                 DC_TARIFF_ADDONS_MAX);
	engine_choice ch[DC_TARIFF_ADDONS_MAX];
	char buf[DC_TARIFF_ADDONS_MAX][DC_NAME_MAX + DC_VALUE_MAX + 2];
	for (size_t i = 0; i < nc; i++) {
		const char *v = cmd_arg_nth(a, "addon", i);
		dc_strlcpy(buf[i], v, sizeof(buf[i]));
		char *eq = strchr(buf[i], '=');
		if (!eq || eq == buf[i])
			return err_field(err, DC_E_INVALID, "addon",
			                 "\"%s\" is not NAME=VALUE (e.g. "
			                 "ram=8192)",
			                 v);
		*eq = '\0';
		ch[i] = (engine_choice){buf[i], eq + 1};
	}
	bool wait = cmd_flag(a, "wait");
	engine *g = engine_for(ctx, wait, err);
	if (!g)
		return -1;
	engine_open_req r = {
	    .tariff = cmd_arg(a, "tariff"),
	    .client = cmd_arg(a, "client"),
	    .hostname = cmd_arg(a, "hostname"),
	    .choices = ch,
	    .nchoices = nc,
	};
	int64_t sid, op;
	int rc = engine_open(g, &r, &sid, &op, err);
	if (rc == 0)
		rc = go(ctx, g, op, wait, o, err);
	if (rc == 0 && wait)
		out_msg(o, "service %" PRId64 " for %s is %s", sid, r.client,
		        "active");
	engine_free(g);
	return rc;
}

static int service_show_run(cmd_ctx *ctx, const cmd_args *a, out *o,
                            dc_err *err)
{
	dc_store *st = app_store(ctx->app, err);
	if (!st)
		return -1;
	return out_service(o, st, arg_id(a, "id"), err);
}

/* Who asked and where, for the history line a reveal writes: the login
 * name of the process's user, and console or command line. */
static void reveal_by(const cmd_ctx *ctx, char *buf, size_t len)
{
	struct passwd pw, *res = NULL;
	char pbuf[2048], name[64];
	if (getpwuid_r(getuid(), &pw, pbuf, sizeof(pbuf), &res) == 0 && res &&
	    res->pw_name && res->pw_name[0])
		dc_strlcpy(name, res->pw_name, sizeof(name));
	else
		snprintf(name, sizeof(name), "uid %u", (unsigned)getuid());
	snprintf(buf, len, "to %s %s", name,
	         ctx->ui ? "in the console" : "on the command line");
}

int scmd_credentials(cmd_ctx *ctx, int64_t id, svc_credentials *c, dc_err *err)
{
	memset(c, 0, sizeof(*c));
	dc_store *st = app_store(ctx->app, err);
	if (!st)
		return -1;
	char by[128];
	reveal_by(ctx, by, sizeof(by));
	return service_credentials_reveal(st, id, by, c, err);
}

static int service_credentials_run(cmd_ctx *ctx, const cmd_args *a, out *o,
                                   dc_err *err)
{
	dc_store *st = app_store(ctx->app, err);
	if (!st)
		return -1;
	int64_t id = arg_id(a, "id");
	dc_service *s = calloc(1, sizeof(*s));
	if (!s)
		return err_set(err, DC_E_NOMEM, "out of memory");
	svc_credentials c;
	if (service_get(st, id, s, err) || scmd_credentials(ctx, id, &c, err)) {
		free(s);
		return -1;
	}
	char ip[SVC_IP_MAX];
	out_obj_begin(o, NULL);
	out_int(o, "id", s->id);
	out_str(o, "client", s->client);
	out_str(o, "status", svc_status_name(s->status));
	out_str(o, "server", s->server_name[0] ? s->server_name : NULL);
	out_str(o, "hostname", s->hostname);
	out_str(o, "main_ip", main_ip(st, id, ip, sizeof(ip)));
	out_str(o, "root_password", c.root);
	out_str(o, "panel_user", s->panel_user);
	out_str(o, "user_password", c.user);
	out_obj_end(o);
	out_msg(o, "shown %s; written to the history of service %" PRId64,
	        ctx->ui ? "in the console" : "on the command line", id);
	service_credentials_wipe(&c);
	free(s);
	return 0;
}

static int service_list_run(cmd_ctx *ctx, const cmd_args *a, out *o,
                            dc_err *err)
{
	dc_store *st = app_store(ctx->app, err);
	if (!st)
		return -1;
	service_filter f = {.include_closed = cmd_flag(a, "all"),
	                    .client = cmd_arg(a, "client")};
	if (cmd_arg(a, "module")) {
		dc_module m;
		if (module_get_by_name(st, cmd_arg(a, "module"), &m, err)) {
			if (err && err->cat == DC_E_NOTFOUND)
				err_field(err, DC_E_INVALID, "module",
				          "no processing module named "
				          "\"%s\"",
				          cmd_arg(a, "module"));
			return -1;
		}
		f.module_id = m.id;
	}
	dc_service *v = NULL;
	size_t n = 0;
	if (service_list(st, &f, &v, &n, err))
		return -1;
	out_arr_begin(o, NULL);
	for (size_t i = 0; i < n; i++) {
		char ip[SVC_IP_MAX];
		out_obj_begin(o, NULL);
		out_int(o, "id", v[i].id);
		out_str(o, "client", v[i].client);
		out_str(o, "status", svc_status_name(v[i].status));
		out_str(o, "tariff", v[i].tariff[0] ? v[i].tariff : NULL);
		out_str(o, "module", v[i].module[0] ? v[i].module : NULL);
		out_str(o, "server",
		        v[i].server_name[0] ? v[i].server_name : NULL);
		out_str(o, "main_ip", main_ip(st, v[i].id, ip, sizeof(ip)));
		out_str(o, "hostname", v[i].hostname);
		out_obj_end(o);
	}
	out_arr_end(o);
	if (!n)
		out_msg(o, "no services%s",
		        f.include_closed ? ""
		                         : " (--all shows "
		                           "closed ones)");
	free(v);
	stale_hint(st, o);
	return 0;
}

static int start_kind(cmd_ctx *ctx, const cmd_args *a, out *o, op_kind k,
                      dc_err *err)
{
	bool wait = cmd_flag(a, "wait");
	int64_t sid = arg_id(a, "id");
	engine *g = engine_for(ctx, wait, err);
	if (!g)
		return -1;
	int rc = 0;
	if (k == OPK_CLOSE) {
		/* The server's name, typed: closing gives the server away. */
		dc_service s;
		rc = service_get(engine_store(g), sid, &s, err);
		const char *c = cmd_arg(a, "confirm");
		if (rc == 0 && (!c || strcmp(c, s.server_name))) {
			rc = err_field(
			    err, DC_E_INVALID, "confirm",
			    "type the server's name (%s) to "
			    "close service %" PRId64,
			    s.server_name[0] ? s.server_name : "none", sid);
		}
	}
	int64_t op;
	if (rc == 0)
		rc = engine_start(g, k, sid, cmd_arg(a, "os"), &op, err);
	if (rc == 0)
		rc = go(ctx, g, op, wait, o, err);
	engine_free(g);
	return rc;
}

static int service_suspend_run(cmd_ctx *ctx, const cmd_args *a, out *o,
                               dc_err *err)
{
	return start_kind(ctx, a, o, OPK_SUSPEND, err);
}

static int service_resume_run(cmd_ctx *ctx, const cmd_args *a, out *o,
                              dc_err *err)
{
	return start_kind(ctx, a, o, OPK_RESUME, err);
}

static int service_reinstall_run(cmd_ctx *ctx, const cmd_args *a, out *o,
                                 dc_err *err)
{
	return start_kind(ctx, a, o, OPK_REINSTALL, err);
}

static int service_close_run(cmd_ctx *ctx, const cmd_args *a, out *o,
                             dc_err *err)
{
	return start_kind(ctx, a, o, OPK_CLOSE, err);
}

/* ---- operation ---------------------------------------------------------- */

static int operation_list_run(cmd_ctx *ctx, const cmd_args *a, out *o,
                              dc_err *err)
{
	dc_store *st = app_store(ctx->app, err);
	if (!st)
		return -1;
	op_filter f = {.service_id = arg_id(a, "service"),
	               .unfinished_only = cmd_flag(a, "unfinished"),
	               .limit = (size_t)cmd_arg_int(a, "limit", 50)};
	dc_operation *v = NULL;
	size_t n = 0;
	if (operation_list(st, &f, &v, &n, err))
		return -1;
	out_arr_begin(o, NULL);
	for (size_t i = 0; i < n; i++)
		out_operation(o, NULL, &v[i], false);
	out_arr_end(o);
	if (!n)
		out_msg(o, "no operations");
	free(v);
	stale_hint(st, o);
	return 0;
}

static int operation_show_run(cmd_ctx *ctx, const cmd_args *a, out *o,
                              dc_err *err)
{
	dc_store *st = app_store(ctx->app, err);
	if (!st)
		return -1;
	dc_operation *d = calloc(1, sizeof(*d));
	if (!d)
		return err_set(err, DC_E_NOMEM, "out of memory");
	int rc = operation_get(st, arg_id(a, "id"), d, err);
	if (rc == 0)
		out_operation(o, NULL, d, true);
	free(d);
	return rc;
}

static int restart_run(cmd_ctx *ctx, const cmd_args *a, out *o, bool rollback,
                       dc_err *err)
{
	bool wait = cmd_flag(a, "wait");
	int64_t op = arg_id(a, "id");
	engine *g = engine_for(ctx, wait, err);
	if (!g)
		return -1;
	int rc = engine_restart(g, op, rollback, err);
	if (rc == 0)
		rc = go(ctx, g, op, wait, o, err);
	engine_free(g);
	return rc;
}

static int operation_retry_run(cmd_ctx *ctx, const cmd_args *a, out *o,
                               dc_err *err)
{
	return restart_run(ctx, a, o, false, err);
}

static int operation_rollback_run(cmd_ctx *ctx, const cmd_args *a, out *o,
                                  dc_err *err)
{
	return restart_run(ctx, a, o, true, err);
}

/* What the next start does, on request: every operation nobody runs is
 * run to its end here; failed ones are listed. */
static int operation_resume_run(cmd_ctx *ctx, const cmd_args *a, out *o,
                                dc_err *err)
{
	engine *g = engine_for(ctx, true, err);
	if (!g)
		return -1;
	int rc = 0;
	if (cmd_arg(a, "id")) {
		int64_t op = arg_id(a, "id");
		rc = go(ctx, g, op, true, o, err);
		engine_free(g);
		return rc;
	}
	engine_resume_item *v = NULL;
	size_t n = 0;
	rc = engine_resume_all(g, &v, &n, err);
	if (rc == 0) {
		size_t bad = 0;
		out_arr_begin(o, NULL);
		for (size_t i = 0; i < n; i++) {
			out_obj_begin(o, NULL);
			out_int(o, "operation", v[i].op_id);
			out_str(o, "kind", op_kind_name(v[i].kind));
			out_int(o, "service", v[i].service_id);
			out_bool(o, "resumed", v[i].ran);
			out_str(o, "state", op_state_name(v[i].state));
			out_str(o, "note", v[i].msg);
			out_obj_end(o);
			bad += v[i].state != OPS_DONE &&
			       v[i].state != OPS_ROLLED_BACK;
		}
		out_arr_end(o);
		if (!n)
			out_msg(o, "no unfinished operations");
		else if (bad)
			out_msg(o,
			        "%zu operation(s) still need a person: "
			        "dcictl operation retry|rollback ID",
			        bad);
	}
	free(v);
	engine_free(g);
	return rc;
}

/* The background runner (see scmd_spawn). */
static int operation_run_run(cmd_ctx *ctx, const cmd_args *a, out *o,
                             dc_err *err)
{
	engine *g = engine_for(ctx, false, err);
	if (!g)
		return -1;
	int rc = engine_run(g, arg_id(a, "id"), err);
	engine_free(g);
	if (rc == 0)
		out_msg(o, "operation %lld finished",
		        (long long)arg_id(a, "id"));
	return rc;
}

/* ---- task --------------------------------------------------------------- */

static int task_list_run(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err)
{
	dc_store *st = app_store(ctx->app, err);
	if (!st)
		return -1;
	dc_task *v = NULL;
	size_t n = 0;
	if (task_list(st, cmd_flag(a, "all"), &v, &n, err))
		return -1;
	out_arr_begin(o, NULL);
	for (size_t i = 0; i < n; i++) {
		char b[32];
		out_obj_begin(o, NULL);
		out_int(o, "id", v[i].id);
		out_str(o, "department",
		        v[i].department[0] ? v[i].department : NULL);
		out_str(o, "state", v[i].done ? "done" : "open");
		if (v[i].op_id)
			out_int(o, "operation", v[i].op_id);
		else
			out_null(o, "operation");
		if (v[i].service_id)
			out_int(o, "service", v[i].service_id);
		else
			out_null(o, "service");
		out_str(o, "created", scmd_time(v[i].created_at, b, sizeof(b)));
		out_str(o, "text", v[i].text);
		out_obj_end(o);
	}
	out_arr_end(o);
	if (!n)
		out_msg(o, "no %stasks", cmd_flag(a, "all") ? "" : "open ");
	free(v);
	return 0;
}

static int task_done_run(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err)
{
	dc_store *st = app_store(ctx->app, err);
	if (!st)
		return -1;
	if (task_done(st, arg_id(a, "id"), err))
		return -1;
	out_msg(o, "task %lld done", (long long)arg_id(a, "id"));
	return 0;
}

/* ---- reconcile ---------------------------------------------------------- */

static int reconcile_cmd_run(cmd_ctx *ctx, const cmd_args *a, out *o,
                             dc_err *err)
{
	bool fix = cmd_flag(a, "fix");
	/* Listing changes nothing (so it is allowed read-only); fixing
	 * does. */
	if (fix && ctx->read_only)
		return err_field(err, DC_E_INVALID, "fix",
		                 "refused with --read-only (reconcile "
		                 "without --fix only lists)");
	engine *g = engine_for(ctx, false, err);
	if (!g)
		return -1;
	rec_item *v = NULL;
	size_t n = 0;
	int rc = reconcile_run(g, fix, &v, &n, err);
	engine_free(g);
	if (rc)
		return -1;
	out_arr_begin(o, NULL);
	size_t fixed = 0;
	for (size_t i = 0; i < n; i++) {
		out_obj_begin(o, NULL);
		out_str(o, "kind", rec_kind_name(v[i].kind));
		out_str(o, "module", v[i].module[0] ? v[i].module : NULL);
		out_str(o, "server",
		        v[i].server_name[0] ? v[i].server_name : NULL);
		out_str(o, "ip", v[i].ip[0] ? v[i].ip : NULL);
		if (v[i].service_id)
			out_int(o, "service", v[i].service_id);
		else
			out_null(o, "service");
		if (v[i].op_id)
			out_int(o, "operation", v[i].op_id);
		else
			out_null(o, "operation");
		out_str(o, "detail", v[i].detail);
		out_str(o, "fix", v[i].fix[0] ? v[i].fix : NULL);
		if (fix) {
			out_bool(o, "fixed", v[i].fixed);
			out_str(o, "fix_error",
			        v[i].fix_error[0] ? v[i].fix_error : NULL);
		}
		out_obj_end(o);
		fixed += v[i].fixed;
	}
	out_arr_end(o);
	if (!n)
		out_msg(o, "no drift: the store, DCImanager and IPmanager "
		           "agree");
	else if (fix)
		out_msg(o, "%zu item(s), %zu fixed", n, fixed);
	else
		out_msg(o,
		        "%zu item(s); dcictl reconcile --fix repairs what "
		        "can be repaired safely",
		        n);
	free(v);
	return 0;
}

/* ---- dashboard ---------------------------------------------------------- */

static int dash_collect(cmd_ctx *ctx, out *o, dc_err *err)
{
	dc_store *st = app_store(ctx->app, err);
	if (!st)
		return -1;
	op_filter f = {.unfinished_only = true, .limit = 6};
	dc_operation *v = NULL;
	size_t n = 0;
	long tasks = 0;
	if (operation_list(st, &f, &v, &n, err) ||
	    task_count_open(st, &tasks, err)) {
		free(v);
		return -1;
	}
	int64_t now = (int64_t)time(NULL);
	for (size_t i = 0; i < n; i++) {
		const op_step *s =
		    v[i].step >= 0 && (size_t)v[i].step < v[i].nsteps
		        ? &v[i].steps[v[i].step]
		        : NULL;
		char el[32] = "";
		if (s && s->started_at)
			scmd_elapsed((s->finished_at ? s->finished_at : now) -
			                 s->started_at,
			             el, sizeof(el));
		out_msg(o, "op %" PRId64 " %s svc %" PRId64 ": %s%s at %s %s%s",
		        v[i].id, op_kind_name(v[i].kind), v[i].service_id,
		        op_state_name(v[i].state),
		        v[i].state == OPS_FAILED || operation_lease_live(&v[i])
		            ? ""
		            : " (nobody runs it: operation resume)",
		        s ? s->name : "-", el, "");
	}
	if (!n)
		out_msg(o, "no operations running or waiting");
	out_msg(o, "%ld open task(s)%s", tasks, tasks ? " (T: Tasks)" : "");
	free(v);
	return 0;
}

const dash_section services_dash = {"Operations and tasks", dash_collect};

/* ---- the table ---------------------------------------------------------- */

#define END                                                                    \
	{                                                                      \
		NULL, 0, 0, NULL, NULL, 0, 0, NULL                             \
	}
#define POS (CMD_OPT_REQUIRED | CMD_OPT_POSITIONAL)
#define RO  CMD_RO_SAFE

static const cmd_opt id_opts[] = {
    {"id", CMD_OPT_INT, POS, "ID", "the service's id", 1, INT64_MAX, NULL},
    END,
};

static const cmd_opt wait_id_opts[] = {
    {"id", CMD_OPT_INT, POS, "ID", "the service's id", 1, INT64_MAX, NULL},
    {"wait", CMD_OPT_FLAG, 0, NULL,
     "run it here and report each step, instead of in the background", 0, 0,
     NULL},
    END,
};

static const cmd_opt open_opts[] = {
    {"tariff", CMD_OPT_STR, CMD_OPT_REQUIRED, "TARIFF", "the tariff plan", 0, 0,
     NULL},
    {"client", CMD_OPT_STR, CMD_OPT_REQUIRED, "NAME",
     "the client's account (also its user on the DCImanager panel)", 0, 0,
     NULL},
    {"addon", CMD_OPT_STR, CMD_OPT_REPEAT, "NAME=VALUE",
     "a chosen add-on value (others: their fixed value, or the first "
     "they offer)",
     0, 0, NULL},
    {"hostname", CMD_OPT_STR, 0, "HOST",
     "the server's host name (default s<id>-<store tag>.ds)", 0, 0, NULL},
    {"wait", CMD_OPT_FLAG, 0, NULL,
     "run it here and report each step, instead of in the background", 0, 0,
     NULL},
    END,
};

static const cmd_opt list_opts[] = {
    {"all", CMD_OPT_FLAG, 0, NULL, "closed services too", 0, 0, NULL},
    {"client", CMD_OPT_STR, 0, "NAME", "only this client's", 0, 0, NULL},
    {"module", CMD_OPT_STR, 0, "MODULE", "only on this module", 0, 0, NULL},
    END,
};

static const cmd_opt reinstall_opts[] = {
    {"id", CMD_OPT_INT, POS, "ID", "the service's id", 1, INT64_MAX, NULL},
    {"os", CMD_OPT_STR, 0, "TEMPLATE",
     "the OS template (default: the service's)", 0, 0, NULL},
    {"wait", CMD_OPT_FLAG, 0, NULL,
     "run it here and report each step, instead of in the background", 0, 0,
     NULL},
    END,
};

static const cmd_opt close_opts[] = {
    {"id", CMD_OPT_INT, POS, "ID", "the service's id", 1, INT64_MAX, NULL},
    {"confirm", CMD_OPT_STR, CMD_OPT_REQUIRED, "SERVER",
     "the server's name, typed, to confirm", 0, 0, NULL},
    {"wait", CMD_OPT_FLAG, 0, NULL,
     "run it here and report each step, instead of in the background", 0, 0,
     NULL},
    END,
};

static const cmd_opt op_list_opts[] = {
    {"service", CMD_OPT_INT, 0, "ID", "only this service's", 1, INT64_MAX,
     NULL},
    {"unfinished", CMD_OPT_FLAG, 0, NULL, "only those not done", 0, 0, NULL},
    {"limit", CMD_OPT_INT, 0, "N", "at most N, newest first (default 50)", 1,
     100000, NULL},
    END,
};

static const cmd_opt op_id_opts[] = {
    {"id", CMD_OPT_INT, POS, "ID", "the operation's id", 1, INT64_MAX, NULL},
    END,
};

static const cmd_opt op_wait_opts[] = {
    {"id", CMD_OPT_INT, POS, "ID", "the operation's id", 1, INT64_MAX, NULL},
    {"wait", CMD_OPT_FLAG, 0, NULL,
     "run it here and report each step, instead of in the background", 0, 0,
     NULL},
    END,
};

static const cmd_opt op_resume_opts[] = {
    {"id", CMD_OPT_INT, CMD_OPT_POSITIONAL, "ID",
     "only this operation (default: every unfinished one)", 1, INT64_MAX, NULL},
    END,
};

static const cmd_opt task_list_opts[] = {
    {"all", CMD_OPT_FLAG, 0, NULL, "done tasks too", 0, 0, NULL},
    END,
};

static const cmd_opt task_id_opts[] = {
    {"id", CMD_OPT_INT, POS, "ID", "the task's id", 1, INT64_MAX, NULL},
    END,
};

static const cmd_opt reconcile_opts[] = {
    {"fix", CMD_OPT_FLAG, 0, NULL,
     "repair what can be repaired safely (free orphaned servers, release "
     "orphaned addresses, flag services that lost their server)",
     0, 0, NULL},
    END,
};

const cmd_def service_cmds[] = {
    {"service", "list", list_opts, "services",
     "Live services (with --all closed ones too): client, status, tariff, "
     "module, server, main address. In the console: the Services screen.",
     RO, service_list_run, &services_screen, 'S'},
    {"service", "show", id_opts, "one service in full",
     "Record, add-ons, addresses, the operation in progress and the "
     "history.",
     RO, service_show_run, NULL, 0},
    {"service", "credentials", id_opts,
     "the service's root and panel-user passwords",
     "Prints the OS root password and the password of the client's user on "
     "the DCImanager panel, as the open made them; no other output ever "
     "shows them (service show and list do not). Allowed with --read-only: "
     "nothing changes on the panels or the service, but every use is "
     "written to the service's history (who, where, which passwords; never "
     "the values). In the console: w on the Services screen, after a "
     "confirmation.",
     RO, service_credentials_run, NULL, 0},
    {"service", "open", open_opts, "open a service (provision a server)",
     "Checks the order (tariff, client, add-on values) and writes it with "
     "nothing changed on a refusal, then runs the open: claim a free "
     "server (module by sorting, falling through), allocate and attach "
     "addresses, switch port, licence, OS install, power on, hand over. "
     "In the background unless --wait.",
     0, service_open_run, NULL, 0},
    {"service", "suspend", wait_id_opts, "suspend a service",
     "server.disable and switch port off.", 0, service_suspend_run, NULL, 0},
    {"service", "resume", wait_id_opts, "resume a suspended service",
     "server.enable and switch port on.", 0, service_resume_run, NULL, 0},
    {"service", "reinstall", reinstall_opts, "reinstall the OS",
     "Same server, same addresses; the OS template given or the "
     "service's own.",
     0, service_reinstall_run, NULL, 0},
    {"service", "close", close_opts, "close a service (release the server)",
     "Power off, port off, licence cancelled, the main address replaced by "
     "a parking address, every other address released, disks wiped if the "
     "module says so, owner cleared: the server is free again.",
     0, service_close_run, NULL, 0},
    {"operation", "list", op_list_opts, "the journal of operations",
     "In the console: the Operations screen.", RO, operation_list_run,
     &operations_screen, 'O'},
    {"operation", "show", op_id_opts, "one operation and its steps", NULL, RO,
     operation_show_run, NULL, 0},
    {"operation", "retry", op_wait_opts,
     "continue a failed operation from the failed step", NULL, 0,
     operation_retry_run, NULL, 0},
    {"operation", "rollback", op_wait_opts,
     "undo the steps of a failed operation, newest first", NULL, 0,
     operation_rollback_run, NULL, 0},
    {"operation", "resume", op_resume_opts,
     "finish every operation nobody is running (after a crash)",
     "Runs here, to their end, the operations that are pending or were "
     "running in a process that is gone; lists the failed ones.",
     0, operation_resume_run, NULL, 0},
    {"operation", "run", op_id_opts,
     "run one operation (the background "
     "runner)",
     NULL, CMD_HIDDEN, operation_run_run, NULL, 0},
    {"task", "list", task_list_opts, "tasks for departments",
     "What failed operations left for a person: step, panel error, what "
     "is held. In the console: the Tasks screen.",
     RO, task_list_run, &tasks_screen, 'T'},
    {"task", "done", task_id_opts, "mark a task done", NULL, 0, task_done_run,
     NULL, 0},
    {"reconcile", NULL, reconcile_opts,
     "drift between the store, DCImanager and IPmanager",
     "Servers of ours without a service, addresses of ours allocated to no "
     "service, services whose server lost its owner, and operations "
     "nobody finished. Exit status 0 either way; --fix repairs (refused "
     "with --read-only).",
     RO, reconcile_cmd_run, NULL, 0},
    {NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, 0},
};
