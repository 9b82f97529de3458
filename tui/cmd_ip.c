/* cmd_ip.c - the commands of special IP ranges (see cmd_ip.h), the job
 * runner the IP screens share, and the dashboard section that flags
 * special add-ons whose type a module's IPmanager lacks.
 *
 * Every command names its IPmanager connection with --ipmgr (the only one
 * when omitted) and talks to it directly: lists are read fresh, changes
 * go through iprange.h, where the guards live. See doc/special-ranges.md. */
#include "cmd_ip.h"

#include "app.h"
#include "namecache.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define END                                                                    \
	{                                                                      \
		NULL, 0, 0, NULL, NULL, 0, 0, NULL                             \
	}
#define POS CMD_OPT_POSITIONAL
#define REQ CMD_OPT_REQUIRED

#define IPMGR_OPT                                                              \
	{                                                                      \
		"ipmgr", CMD_OPT_STR, 0, "NAME",                               \
		    "IPmanager connection (default: the only one)", 0, 0,      \
		    namecache_complete_ipmgr                                   \
	}

/* ---- shared ------------------------------------------------------------- */

int ipcmd_open(cmd_ctx *ctx, const char *ipmgr, iprange_ctx *c, dc_err *err)
{
	dc_store *st = app_store(ctx->app, err);
	inv_opts o;

	if (!st)
		return -1;
	inv_opts_init(&o, &ctx->app->cfg, ctx->app->log);
	o.cancel = ctx->cancel;
	return iprange_open(c, st, ipmgr, &o, err);
}

char *ipcmd_step_line(const iprange_step *s, char *buf, size_t len)
{
	char el[700];

	if (s->state == IPRS_FAILED)
		snprintf(buf, len, "step %s: %s - %s", iprange_step_name(s->id),
		         iprange_step_state_name(s->state),
		         err_line(&s->err, el, sizeof(el)));
	else
		snprintf(buf, len, "step %s: %s - %s", iprange_step_name(s->id),
		         iprange_step_state_name(s->state), s->detail);
	return buf;
}

int ipcmd_step_parse(const char *line, iprange_step_id *id,
                     iprange_step_state *state, char *detail, size_t len)
{
	const char *p, *colon, *dash;
	char word[32];

	if (strncmp(line, "step ", 5))
		return -1;
	p = line + 5;
	if (!(colon = strchr(p, ':')) || !(dash = strstr(colon, " - ")))
		return -1;
	for (int i = 0; i < IPRS_COUNT; i++) {
		const char *n = iprange_step_name((iprange_step_id)i);

		if (strlen(n) == (size_t)(colon - p) &&
		    !strncmp(n, p, strlen(n))) {
			size_t wl = (size_t)(dash - colon - 2);

			if (colon[1] != ' ' || wl >= sizeof(word))
				return -1;
			memcpy(word, colon + 2, wl);
			word[wl] = '\0';
			if (iprange_step_state_parse(word, state) < 0)
				return -1;
			*id = (iprange_step_id)i;
			if (detail)
				dc_strlcpy(detail, dash + 3, len);
			return 0;
		}
	}
	return -1;
}

/* Text tables show "-" for nothing, JSON null. */
static void out_opt(out *o, const char *key, const char *v)
{
	out_str(o, key, v && *v ? v : NULL);
}

/* ---- iptype ------------------------------------------------------------- */

static int iptype_list_run(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err)
{
	iprange_ctx c;
	iprange_view v;

	if (ipcmd_open(ctx, cmd_arg(a, "ipmgr"), &c, err) < 0)
		return -1;
	if (iprange_load(&c, IPR_TYPES, NULL, &v, err) < 0) {
		iprange_close(&c);
		return -1;
	}
	out_arr_begin(o, NULL);
	for (size_t i = 0; i < v.ntypes; i++) {
		const iprange_type *t = &v.types[i];

		out_obj_begin(o, NULL);
		out_str(o, "name", t->name);
		out_opt(o, "note", t->note);
		out_int(o, "ranges", (long long)t->nranges);
		out_int(o, "free", t->free);
		out_int(o, "used", t->used);
		out_opt(o, "addons", t->addons);
		out_opt(o, "parking", t->parking);
		out_obj_end(o);
	}
	out_arr_end(o);
	if (!v.ntypes)
		out_msg(o, "IPmanager %s has no address types", c.conn.name);
	iprange_view_free(&v);
	iprange_close(&c);
	return 0;
}

static int iptype_add_run(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err)
{
	iprange_ctx c;
	int rc;

	if (ipcmd_open(ctx, cmd_arg(a, "ipmgr"), &c, err) < 0)
		return -1;
	rc = iprange_type_add(&c, cmd_arg(a, "name"), cmd_arg(a, "note"), err);
	if (rc == 0)
		out_msg(o, "type %s created in IPmanager %s",
		        cmd_arg(a, "name"), c.conn.name);
	iprange_close(&c);
	return rc;
}

static int iptype_delete_run(cmd_ctx *ctx, const cmd_args *a, out *o,
                             dc_err *err)
{
	iprange_ctx c;
	int rc;

	if (ipcmd_open(ctx, cmd_arg(a, "ipmgr"), &c, err) < 0)
		return -1;
	rc = iprange_type_delete(&c, cmd_arg(a, "name"), err);
	if (rc == 0)
		out_msg(o, "type %s deleted from IPmanager %s",
		        cmd_arg(a, "name"), c.conn.name);
	iprange_close(&c);
	return rc;
}

/* ---- iprange ------------------------------------------------------------ */

static int iprange_list_run(cmd_ctx *ctx, const cmd_args *a, out *o,
                            dc_err *err)
{
	const char *type = cmd_arg(a, "type");
	iprange_ctx c;
	iprange_view v;
	size_t shown = 0;

	if (ipcmd_open(ctx, cmd_arg(a, "ipmgr"), &c, err) < 0)
		return -1;
	if (iprange_load(&c, IPR_NETS, NULL, &v, err) < 0) {
		iprange_close(&c);
		return -1;
	}
	out_arr_begin(o, NULL);
	for (size_t i = 0; i < v.nnets; i++) {
		const iprange_net *n = &v.nets[i];

		if (type && strcmp(type, n->iptype))
			continue;
		shown++;
		out_obj_begin(o, NULL);
		out_int(o, "id", n->id);
		out_str(o, "net", n->net);
		out_opt(o, "gateway", n->gateway);
		out_str(o, "family", n->family);
		out_str(o, "type", n->iptype);
		out_int(o, "free", n->free);
		out_int(o, "used", n->used);
		out_int(o, "held", n->held);
		out_opt(o, "note", n->note);
		out_obj_end(o);
	}
	out_arr_end(o);
	if (!shown)
		out_msg(o, "IPmanager %s has no range%s%s", c.conn.name,
		        type ? " of type " : "", type ? type : "");
	iprange_view_free(&v);
	iprange_close(&c);
	return 0;
}

static int iprange_add_run(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err)
{
	ipm_net_spec s = {.net = cmd_arg(a, "net"),
	                  .gateway = cmd_arg(a, "gateway"),
	                  .iptype = cmd_arg(a, "type"),
	                  .note = cmd_arg(a, "note")};
	iprange_ctx c;
	long id = 0;
	int rc;

	if (ipcmd_open(ctx, cmd_arg(a, "ipmgr"), &c, err) < 0)
		return -1;
	rc = iprange_net_add(&c, &s, &id, err);
	if (rc == 0)
		out_msg(o,
		        "range %s (id %ld) created in IPmanager %s with type "
		        "%s",
		        s.net, id, c.conn.name, s.iptype);
	iprange_close(&c);
	return rc;
}

static int iprange_edit_run(cmd_ctx *ctx, const cmd_args *a, out *o,
                            dc_err *err)
{
	ipm_net_spec s = {.gateway = cmd_arg(a, "gateway"),
	                  .iptype = cmd_arg(a, "type"),
	                  .note = cmd_arg(a, "note")};
	iprange_ctx c;
	int rc;

	if (!s.gateway && !s.iptype && !s.note)
		return err_field(err, DC_E_INVALID, "type",
		                 "nothing to change: give --type, --gateway or "
		                 "--note");
	if (ipcmd_open(ctx, cmd_arg(a, "ipmgr"), &c, err) < 0)
		return -1;
	rc = iprange_net_edit(&c, cmd_arg(a, "range"), &s, err);
	if (rc == 0)
		out_msg(o, "range %s changed in IPmanager %s%s%s",
		        cmd_arg(a, "range"), c.conn.name,
		        s.iptype ? "; type now " : "",
		        s.iptype ? s.iptype : "");
	iprange_close(&c);
	return rc;
}

static int iprange_delete_run(cmd_ctx *ctx, const cmd_args *a, out *o,
                              dc_err *err)
{
	iprange_ctx c;
	int rc;

	if (ipcmd_open(ctx, cmd_arg(a, "ipmgr"), &c, err) < 0)
		return -1;
	rc = iprange_net_delete(&c, cmd_arg(a, "range"), err);
	if (rc == 0)
		out_msg(o, "range %s deleted from IPmanager %s",
		        cmd_arg(a, "range"), c.conn.name);
	iprange_close(&c);
	return rc;
}

/* ---- ipaddr ------------------------------------------------------------- */

static int ipaddr_list_run(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err)
{
	iprange_filter f = {.iptype = cmd_arg(a, "type"),
	                    .net = cmd_arg(a, "range")};
	const char *svc = cmd_arg(a, "service");
	iprange_ctx c;
	iprange_view v;

	if (ipcmd_open(ctx, cmd_arg(a, "ipmgr"), &c, err) < 0)
		return -1;
	if ((svc && iprange_find_service(c.st, svc, &f.service_id, err) < 0) ||
	    iprange_load(&c, IPR_ADDRS, &f, &v, err) < 0) {
		iprange_close(&c);
		return -1;
	}
	out_arr_begin(o, NULL);
	for (size_t i = 0; i < v.naddrs; i++) {
		const iprange_addr *x = &v.addrs[i];

		out_obj_begin(o, NULL);
		out_str(o, "ip", x->ip);
		if (ctx->json)
			out_str(o, "family", x->family);
		out_str(o, "type", x->iptype);
		out_str(o, "range", x->net[0] ? x->net : NULL);
		if (ctx->json) {
			if (x->service_id)
				out_int(o, "service_id", x->service_id);
			else
				out_null(o, "service_id");
		}
		out_str(o, "service", x->holder[0] ? x->holder : NULL);
		out_str(o, "role", x->role[0] ? x->role : NULL);
		out_opt(o, "domain", x->domain);
		out_opt(o, "note", x->note);
		if (ctx->json) {
			out_bool(o, "in_ipmanager", x->in_ipm);
			out_bool(o, "in_store", x->in_store);
		}
		out_obj_end(o);
	}
	out_arr_end(o);
	if (!v.naddrs)
		out_msg(o, "no allocated address matches in IPmanager %s",
		        c.conn.name);
	iprange_view_free(&v);
	iprange_close(&c);
	return 0;
}

/* ---- special-range --------------------------------------------------------
 */

static int setup_from_args(const cmd_args *a, iprange_setup *s,
                           const char **tariffs, dc_err *err)
{
	const char *b = cmd_arg(a, "billing");

	memset(s, 0, sizeof(*s));
	s->iptype = cmd_arg(a, "type");
	s->type_note = cmd_arg(a, "note");
	s->range = cmd_arg(a, "range");
	s->gateway = cmd_arg(a, "gateway");
	s->values = cmd_arg(a, "values");
	s->billing = DC_BILL_NONE;
	if (b && model_parse_billing(b, &s->billing, err) < 0) {
		dc_strlcpy(err->field, "billing", sizeof(err->field));
		return -1;
	}
	s->ntariffs = cmd_arg_count(a, "tariff");
	if (s->ntariffs > IPRS_SETUP_TARIFFS)
		return err_field(err, DC_E_INVALID, "tariff",
		                 "at most %d tariffs at once",
		                 IPRS_SETUP_TARIFFS);
	for (size_t i = 0; i < s->ntariffs; i++)
		tariffs[i] = cmd_arg_nth(a, "tariff", i);
	s->tariffs = tariffs;
	return 0;
}

/* Text: one line per step (the wizard reads them back); JSON: the steps
 * as data. */
static void out_setup(cmd_ctx *ctx, out *o, const iprange_ctx *c,
                      const iprange_setup *s, const iprange_setup_result *r)
{
	char line[1200], el[700];

	if (ctx->json) {
		out_obj_begin(o, NULL);
		out_str(o, "ipmgr", c->conn.name);
		out_str(o, "iptype", s->iptype);
		out_str(o, "range", s->range);
		out_str(o, "addon", r->addon);
		out_bool(o, "ok", r->failed < 0);
		out_arr_begin(o, "steps");
		for (int i = 0; i < IPRS_COUNT; i++) {
			const iprange_step *st = &r->steps[i];

			out_obj_begin(o, NULL);
			out_str(o, "step", iprange_step_name(st->id));
			out_str(o, "state", iprange_step_state_name(st->state));
			out_str(o, "detail", st->detail);
			if (st->state == IPRS_FAILED)
				out_str(o, "error",
				        err_line(&st->err, el, sizeof(el)));
			else
				out_null(o, "error");
			out_obj_end(o);
		}
		out_arr_end(o);
		out_obj_end(o);
		return;
	}
	for (int i = 0; i < IPRS_COUNT; i++)
		out_msg(o, "%s",
		        ipcmd_step_line(&r->steps[i], line, sizeof(line)));
}

static int special_run(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err,
                       bool apply)
{
	const char *tariffs[IPRS_SETUP_TARIFFS];
	iprange_setup s;
	iprange_setup_result r;
	iprange_ctx c;
	int rc;

	if (setup_from_args(a, &s, tariffs, err) < 0)
		return -1;
	{
		dc_store *st = app_store(ctx->app, err);

		/* the request alone first: a refusal needs no panel */
		if (!st || iprange_setup_check(st, &s, err) < 0)
			return -1;
	}
	if (ipcmd_open(ctx, cmd_arg(a, "ipmgr"), &c, err) < 0)
		return -1;
	if (apply)
		rc = iprange_setup_apply(&c, &s, NULL, NULL, &r, err);
	else
		rc = iprange_setup_plan(&c, &s, &r, err);
	if (rc == 0 || r.failed >= 0)
		out_setup(ctx, o, &c, &s, &r);
	iprange_close(&c);
	return rc;
}

static int special_setup_run(cmd_ctx *ctx, const cmd_args *a, out *o,
                             dc_err *err)
{
	return special_run(ctx, a, o, err, true);
}

static int special_plan_run(cmd_ctx *ctx, const cmd_args *a, out *o,
                            dc_err *err)
{
	return special_run(ctx, a, o, err, false);
}

static int special_check_run(cmd_ctx *ctx, const cmd_args *a, out *o,
                             dc_err *err)
{
	dc_store *st = app_store(ctx->app, err);
	iprange_flag *f = NULL;
	size_t n = 0;
	inv_opts io;

	inv_opts_init(&io, &ctx->app->cfg, ctx->app->log);
	io.cancel = ctx->cancel;
	/* asked now: a check from the command line is about the present */
	if (!st ||
	    iprange_flags_refresh(st, cmd_arg(a, "tariff"), &io, 0, err) < 0 ||
	    iprange_addon_flags(st, cmd_arg(a, "tariff"), &f, &n, err) < 0)
		return -1;
	out_arr_begin(o, NULL);
	for (size_t i = 0; i < n; i++) {
		out_obj_begin(o, NULL);
		out_str(o, "tariff", f[i].tariff);
		out_str(o, "addon", f[i].addon);
		out_str(o, "module", f[i].module);
		out_str(o, "state", f[i].unknown ? "unknown" : "MISSING");
		out_str(o, "why", f[i].why);
		out_obj_end(o);
	}
	out_arr_end(o);
	if (!n) {
		out_msg(o, "every special IP add-on's type exists in its "
		           "modules' IPmanagers");
		free(f);
		return 0;
	}
	/* A flag is a finding: exit 1 (cron and scripts notice), with the
	 * list above as the output. */
	size_t unknown = 0;
	for (size_t i = 0; i < n; i++)
		unknown += f[i].unknown;
	free(f);
	err_set(err, DC_E_MISSED,
	        "%zu special IP add-on flag%s: %zu type%s missing, %zu that "
	        "cannot be told (the IPmanager did not answer)",
	        n, n == 1 ? "" : "s", n - unknown, n - unknown == 1 ? "" : "s",
	        unknown);
	/* only a panel that did not answer may read differently later */
	if (err)
		err->retryable = unknown == n;
	return -1;
}

/* ---- the dashboard section ------------------------------------------------
 */

static int dash_collect(cmd_ctx *ctx, out *o, dc_err *err)
{
	dc_store *st = app_store(ctx->app, err);
	iprange_flag *f = NULL;
	dc_tariff *tv = NULL;
	dc_addon *av = NULL;
	size_t n = 0, nt = 0, na = 0, used = 0;
	inv_opts io;

	if (!st)
		return -1;
	/* the types behind the flags are asked again at most once per
	 * availability interval per module, failing panels included */
	inv_opts_init(&io, &ctx->app->cfg, ctx->app->log);
	io.cancel = ctx->cancel;
	if (iprange_flags_refresh(st, NULL, &io,
	                          ctx->app->cfg.availability_refresh_ms,
	                          err) < 0 ||
	    iprange_addon_flags(st, NULL, &f, &n, err) < 0)
		return -1;
	if (n) {
		out_arr_begin(o, NULL);
		for (size_t i = 0; i < n; i++) {
			out_obj_begin(o, NULL);
			out_str(o, "tariff", f[i].tariff);
			char why[DC_MSG_MAX + 16];

			snprintf(why, sizeof(why), "%s%s",
			         f[i].unknown ? "cannot tell: " : "", f[i].why);
			/* the add-on is special_ip_block_<the type named> */
			out_str(o, "module", f[i].module);
			out_str(o, "problem", why);
			out_obj_end(o);
		}
		out_arr_end(o);
		free(f);
		return 0;
	}
	if (tariff_list(st, &tv, &nt, err) < 0 ||
	    addon_list(st, &av, &na, err) < 0) {
		free(tv);
		return -1;
	}
	for (size_t i = 0; i < nt; i++)
		for (size_t j = 0; j < tv[i].naddons; j++)
			for (size_t k = 0; k < na; k++)
				if (av[k].id == tv[i].addons[j].addon_id &&
				    av[k].kind_id == DC_ADDON_SPECIAL_IP)
					used++;
	if (used)
		out_msg(o,
		        "%zu special IP add-on%s in tariffs: every type "
		        "exists in its modules' IPmanagers",
		        used, used == 1 ? "" : "s");
	else
		out_msg(o, "no special IP add-on in any tariff (i: IP screen, "
		           "S there: guided set-up)");
	free(tv);
	free(av);
	return 0;
}

const dash_section special_ip_dash = {"Special IP ranges", dash_collect};

/* ---- a command as a job ----------------------------------------------------
 */

typedef struct ipjob {
	ui *u;
	cmd_args *args;
	out *o;
	cmd_ctx ctx;
	dc_err err;
	int rc;
	bool quiet;
	ipui_done_fn done;
	void *arg;
	char name[64];
} ipjob;

static void ipjob_fn(job *j, void *arg)
{
	ipjob *ij = arg;

	ij->ctx.cancel = job_cancel_flag(j);
	ij->rc = cmd_exec(&ij->ctx, ij->args, ij->o, &ij->err);
}

static void ipjob_done(job *j, void *arg)
{
	ipjob *ij = arg;
	char line[800];

	if (ij->rc == 0 && job_cancelled(j) && !out_msg_count(ij->o)) {
		ij->rc = -1;
		err_set(&ij->err, DC_E_CANCELLED, "cancelled");
	}
	if (!ij->quiet) {
		if (ij->rc < 0)
			ui_msg(ij->u,
			       ij->err.cat == DC_E_CANCELLED ? UI_WARN
			                                     : UI_ERROR,
			       "%s: %s", ij->name,
			       err_line(&ij->err, line, sizeof(line)));
		else if (out_msg_count(ij->o))
			ui_msg(ij->u, UI_OK, "%s",
			       out_msg_get(ij->o, out_msg_count(ij->o) - 1));
		else
			ui_msg(ij->u, UI_OK, "%s: done", ij->name);
	}
	if (ij->done)
		ij->done(ij->u, ij->rc == 0, ij->rc == 0 ? NULL : &ij->err,
		         ij->o, ij->arg);
	cmd_args_free(ij->args);
	out_free(ij->o);
	free(ij);
}

int ipui_run(ui *u, const char *noun, const char *verb,
             const char *const *pairs, bool quiet, ipui_done_fn done, void *arg)
{
	const cmd_def *c = cmd_find(noun, verb);
	ipjob *ij;
	dc_err err;
	char line[800];

	err_clear(&err);
	if (!c) {
		ui_msg(u, UI_ERROR, "no command %s %s", noun, verb);
		return -1;
	}
	ij = calloc(1, sizeof(*ij));
	if (!ij || !(ij->o = out_new()) || !(ij->args = cmd_args_new(c))) {
		if (ij)
			out_free(ij->o);
		free(ij);
		ui_msg(u, UI_ERROR, "out of memory");
		return -1;
	}
	for (size_t i = 0; pairs && pairs[i]; i += 2)
		if (cmd_args_add(ij->args, pairs[i], pairs[i + 1], &err) < 0)
			break;
	if (err.cat == DC_OK)
		cmd_args_check(ij->args, &err);
	if (err.cat != DC_OK) {
		ui_msg(u, UI_ERROR, "%s", err_line(&err, line, sizeof(line)));
		if (done)
			done(u, false, &err, ij->o, arg);
		cmd_args_free(ij->args);
		out_free(ij->o);
		free(ij);
		return -1;
	}
	ij->u = u;
	ij->ctx = ui_cmd_ctx(u);
	ij->quiet = quiet;
	ij->done = done;
	ij->arg = arg;
	cmd_name(c, ij->name, sizeof(ij->name));
	if (!ui_job(u, ij->name, ipjob_fn, ij, ipjob_done)) {
		cmd_args_free(ij->args);
		out_free(ij->o);
		free(ij);
		ui_msg(u, UI_ERROR, "out of memory");
		return -1;
	}
	return 0;
}

/* ---- the table ------------------------------------------------------------
 */

static void complete_billing(struct app *a, const char *prefix, strv *c)
{
	static const char *const v[] = {"none", "client"};

	(void)a;
	for (size_t i = 0; i < 2; i++)
		if (!strncmp(v[i], prefix, strlen(prefix)))
			strv_push(c, v[i]);
}

static const cmd_opt ipmgr_opts[] = {IPMGR_OPT, END};

static const cmd_opt type_add_opts[] = {
    {"name", CMD_OPT_STR, REQ | POS, "TYPE",
     "the type's name: letters, digits, '_', '-'", 0, 0, NULL},
    {"note", CMD_OPT_STR, 0, "TEXT", "what the type is for", 0, 0, NULL},
    IPMGR_OPT,
    END,
};

static const cmd_opt type_del_opts[] = {
    {"name", CMD_OPT_STR, REQ | POS, "TYPE", "the type to delete", 0, 0, NULL},
    IPMGR_OPT,
    END,
};

static const cmd_opt range_list_opts[] = {
    {"type", CMD_OPT_STR, 0, "TYPE", "only ranges of this type", 0, 0, NULL},
    IPMGR_OPT,
    END,
};

static const cmd_opt range_add_opts[] = {
    {"net", CMD_OPT_STR, REQ | POS, "NET",
     "the range: CIDR (192.0.2.0/24) or FIRST-LAST", 0, 0, NULL},
    {"type", CMD_OPT_STR, REQ, "TYPE", "the type its addresses carry", 0, 0,
     NULL},
    {"gateway", CMD_OPT_STR, 0, "ADDR", "its gateway (an address in it)", 0, 0,
     NULL},
    {"note", CMD_OPT_STR, 0, "TEXT", "a note", 0, 0, NULL},
    IPMGR_OPT,
    END,
};

static const cmd_opt range_edit_opts[] = {
    {"range", CMD_OPT_STR, REQ | POS, "NET",
     "the range: its net as listed, or its id", 0, 0, NULL},
    {"type", CMD_OPT_STR, 0, "TYPE",
     "the new type (refused while services hold its addresses)", 0, 0, NULL},
    {"gateway", CMD_OPT_STR, 0, "ADDR", "the new gateway", 0, 0, NULL},
    {"note", CMD_OPT_STR, 0, "TEXT", "the new note", 0, 0, NULL},
    IPMGR_OPT,
    END,
};

static const cmd_opt range_del_opts[] = {
    {"range", CMD_OPT_STR, REQ | POS, "NET",
     "the range: its net as listed, or its id", 0, 0, NULL},
    IPMGR_OPT,
    END,
};

static const cmd_opt addr_list_opts[] = {
    {"type", CMD_OPT_STR, 0, "TYPE", "only addresses of this type", 0, 0, NULL},
    {"range", CMD_OPT_STR, 0, "NET", "only addresses in this range", 0, 0,
     NULL},
    {"service", CMD_OPT_STR, 0, "SERVICE",
     "only addresses this service holds (id or host name)", 0, 0, NULL},
    IPMGR_OPT,
    END,
};

#define SETUP_OPTS                                                              \
	{"type",                                                                \
	 CMD_OPT_STR,                                                           \
	 REQ | POS,                                                             \
	 "TYPE",                                                                \
	 "the special type (created when missing), e.g. guardvlan9",            \
	 0,                                                                     \
	 0,                                                                     \
	 NULL},                                                                 \
	    {"range",                                                           \
	     CMD_OPT_STR,                                                       \
	     REQ,                                                               \
	     "NET",                                                             \
	     "the range that gets the type: its net or id (a net no range "     \
	     "has is created)",                                                 \
	     0,                                                                 \
	     0,                                                                 \
	     NULL},                                                             \
	    {"tariff",                                                          \
	     CMD_OPT_STR,                                                       \
	     CMD_OPT_REPEAT,                                                    \
	     "TARIFF",                                                          \
	     "a tariff that gets the add-on",                                   \
	     0,                                                                 \
	     0,                                                                 \
	     namecache_complete_tariff},                                        \
	    {"billing",                                                         \
	     CMD_OPT_STR,                                                       \
	     0,                                                                 \
	     "none|client",                                                     \
	     "none: allocated, not charged (default); client: the client "      \
	     "chooses how many",                                                \
	     0,                                                                 \
	     0,                                                                 \
	     complete_billing},                                                 \
	    {"values",                                                          \
	     CMD_OPT_STR,                                                       \
	     0,                                                                 \
	     "VALUES",                                                          \
	     "none: the count (default 1); client: a list 0,1,2,4 or "          \
	     "MIN..MAX",                                                        \
	     0,                                                                 \
	     0,                                                                 \
	     NULL},                                                             \
	    {"gateway", CMD_OPT_STR, 0,   "ADDR", "gateway of a new range",     \
	     0,         0,           NULL},                                     \
	    {"note", CMD_OPT_STR, 0, "TEXT", "note of a new type", 0, 0, NULL}, \
	    IPMGR_OPT

static const cmd_opt setup_opts[] = {SETUP_OPTS, END};

static const cmd_opt check_opts[] = {
    {"tariff", CMD_OPT_STR, 0, "TARIFF", "only this tariff", 0, 0,
     namecache_complete_tariff},
    END,
};

static const cmd_opt wizard_opts[] = {
    {"type", CMD_OPT_STR, POS, "TYPE", "the special type to start with", 0, 0,
     NULL},
    {"range", CMD_OPT_STR, 0, "NET", "the range to start with", 0, 0, NULL},
    IPMGR_OPT,
    END,
};

#define RO CMD_RO_SAFE

const cmd_def ip_cmds[] = {
    {"iptype", "list", ipmgr_opts, "IPmanager address types and their use",
     "Name, note, ranges, free and used addresses, the add-ons of the type "
     "and the modules that park there. In the console: the IP screen.",
     RO, iptype_list_run, &ip_screen, 'i'},
    {"iptype", "add", type_add_opts, "create an address type in IPmanager",
     NULL, 0, iptype_add_run, NULL, 0},
    {"iptype", "delete", type_del_opts, "delete an address type",
     "Refused while an add-on is of the type (the add-on and its tariffs "
     "are named), a module parks there or a service holds an address of "
     "it.",
     0, iptype_delete_run, NULL, 0},
    {"iprange", "list", range_list_opts, "IPmanager ranges and their use",
     "Net, gateway, family, type, free and used addresses, and how many "
     "of them dcictl's services hold. In the console: the IP screen.",
     RO, iprange_list_run, &ip_screen, 0},
    {"iprange", "add", range_add_opts, "create a range in IPmanager", NULL, 0,
     iprange_add_run, NULL, 0},
    {"iprange", "edit", range_edit_opts,
     "change a range's type, gateway or note",
     "A change of type is refused while services hold addresses of the "
     "range; the services are listed.",
     0, iprange_edit_run, NULL, 0},
    {"iprange", "delete", range_del_opts, "delete a range",
     "Refused while services hold addresses of it.", 0, iprange_delete_run,
     NULL, 0},
    {"ipaddr", "list", addr_list_opts, "allocated addresses and who holds them",
     "Every address IPmanager has allocated, with its range and the "
     "service holding it (from the store and from dcictl's marker in the "
     "address note), plus addresses a service records that IPmanager no "
     "longer has. In the console: the IP screen's Addresses tab.",
     RO, ipaddr_list_run, &ip_screen, 0},
    {"special-range", "setup", setup_opts,
     "set up a special IP range: type, range, add-on, tariffs",
     "The seed's four steps, in order: the type in IPmanager, a range "
     "given that type, the add-on special_ip_block_<type>, and the "
     "tariffs that get it with a billing type. Each step is skipped when "
     "already done; a failed step stops the run and keeps the earlier "
     "ones, and running the same command again finishes the rest. In the "
     "console: :special-range wizard.",
     0, special_setup_run, NULL, 0},
    {"special-range", "plan", setup_opts,
     "what special-range setup would do, changing nothing", NULL, RO,
     special_plan_run, NULL, 0},
    {"special-range", "check", check_opts,
     "special add-ons whose type a module's IPmanager lacks",
     "Asks the IPmanager of every module of those tariffs for its types, "
     "then lists each special add-on whose type is missing (or cannot be "
     "read) with the tariff and module. Exits 1 when anything is flagged "
     "(the list is still printed; with --json it is the \"output\" beside "
     "the \"error\"), 0 when nothing is.",
     RO, special_check_run, NULL, 0},
    {"special-range", "wizard", wizard_opts,
     "the guided set-up of a special IP range", NULL, RO | CMD_CONSOLE_ONLY,
     NULL, &special_screen, 0},
    {NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, 0},
};
