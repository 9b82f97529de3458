/* cmd_tariff.c - the commands of tariffs, add-ons, availability and the
 * modules' server inventories:
 *
 *   tariff list|show|add|edit|enable|disable|delete|availability
 *   addon list|show|add|edit|delete
 *   server list|types
 *
 * `add` and `edit` check in this order and write nothing on a refusal:
 * the field rules (model.h), the rules that need other records (store.h:
 * unique names, modules and add-ons exist, one add-on per kind), then the
 * panels' facts (inventory.h): a tariff's server type must exist on at
 * least one of its modules, every OS value must be an OS template and
 * every special IP block's type must exist in the IPmanager of each of
 * its modules. Refusals name the field. See doc/tariffs.md. */
#include "cmd_tariff.h"
#include "namecache.h"

#include "app.h"
#include "registry.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- small helpers ------------------------------------------------------ */

static dc_store *store(cmd_ctx *ctx, dc_err *err)
{
	return app_store(ctx->app, err);
}

inv_opts tcmd_inv_opts(const cmd_ctx *ctx)
{
	inv_opts o;
	inv_opts_init(&o, &ctx->app->cfg, ctx->app->log);
	o.cancel = ctx->cancel;
	return o;
}

int tcmd_refresh(cmd_ctx *ctx, bool force, dc_err *err)
{
	dc_store *st = store(ctx, err);
	inv_opts o = tcmd_inv_opts(ctx);
	if (!st)
		return -1;
	return avail_refresh(st, NULL, 0,
	                     force ? 0 : ctx->app->cfg.availability_refresh_ms,
	                     &o, NULL, err);
}

int tcmd_special_flags(cmd_ctx *ctx, const char *tariff, bool force,
                       iprange_flag **flags, size_t *n, dc_err *err)
{
	dc_store *st = store(ctx, err);
	inv_opts o = tcmd_inv_opts(ctx);
	*flags = NULL;
	*n = 0;
	if (!st ||
	    iprange_flags_refresh(
	        st, tariff, &o,
	        force ? 0 : ctx->app->cfg.availability_refresh_ms, err) < 0)
		return -1;
	return iprange_addon_flags(st, tariff, flags, n, err);
}

char *tcmd_age(int64_t s, char *buf, size_t len)
{
	if (s < 0)
		snprintf(buf, len, "-");
	else if (s < 120)
		snprintf(buf, len, "%llds", (long long)s);
	else if (s < 2 * 3600)
		snprintf(buf, len, "%lldm", (long long)(s / 60));
	else if (s < 2 * 86400)
		snprintf(buf, len, "%lldh", (long long)(s / 3600));
	else
		snprintf(buf, len, "%lldd", (long long)(s / 86400));
	return buf;
}

char *tcmd_state(const avail_result *r, char *buf, size_t len)
{
	if (r->a.orderable)
		snprintf(buf, len, "orderable");
	else
		snprintf(buf, len, "NOT orderable: %s", r->a.reason);
	return buf;
}

const char *tcmd_mod_state(const avail_mod *m)
{
	if (!m->enabled)
		return "disabled";
	if (m->error[0])
		return "error";
	if (!m->have_count)
		return "never counted";
	if (m->stale)
		return "stale";
	return "ok";
}

char *tcmd_per_module(const avail_result *r, char *buf, size_t len)
{
	size_t off = 0;
	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < r->n && off < len; i++) {
		const avail_mod *m = &r->m[i];
		char v[32];
		if (!m->enabled)
			snprintf(v, sizeof(v), "off");
		else if (!m->usable)
			snprintf(v, sizeof(v), m->have_count ? "%ld!" : "?",
			         m->free);
		else
			snprintf(v, sizeof(v), "%ld", m->free);
		int w = snprintf(buf + off, len - off, "%s%s:%s", i ? " " : "",
		                 m->name, v);
		if (w > 0)
			off += (size_t)w;
	}
	return buf;
}

const char *const tcmd_server_states[] = {"all",
                                          "free",
                                          "owned",
                                          "problem",
                                          "blocked",
                                          "hwproblem",
                                          "diag_in_progress",
                                          "install_in_progress",
                                          "operation_failed",
                                          "disabled",
                                          "poweron",
                                          "poweroff",
                                          "powererror",
                                          NULL};

char *tcmd_server_flags(const dci_server *s, char *buf, size_t len)
{
	const struct {
		bool on;
		const char *name;
	} f[] = {
	    {s->blocked, "blocked"},
	    {s->hwproblem, "hwproblem"},
	    {s->diag_in_progress, "diag"},
	    {s->install_in_progress, "install"},
	    {s->operation_failed, "opfailed"},
	    {s->disabled, "disabled"},
	    {s->powererror, "powererror"},
	    {s->poweron && !s->powererror, "on"},
	    {s->poweroff && !s->powererror, "off"},
	};
	size_t off = 0;
	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]) && off < len; i++) {
		if (!f[i].on)
			continue;
		int w = snprintf(buf + off, len - off, "%s%s", off ? "," : "",
		                 f[i].name);
		if (w > 0)
			off += (size_t)w;
	}
	return buf;
}

const char *tcmd_server_state(const dci_server *s)
{
	if (s->owner)
		return "owned";
	return dci_server_is_free(s, NULL) ? "free" : "problem";
}

bool tcmd_server_match_state(const dci_server *s, const char *st)
{
	if (!st || !*st || !strcmp(st, "all"))
		return true;
	if (!strcmp(st, "free") || !strcmp(st, "owned") ||
	    !strcmp(st, "problem"))
		return !strcmp(tcmd_server_state(s), st);
	const struct {
		const char *name;
		bool on;
	} f[] = {
	    {"blocked", s->blocked},
	    {"hwproblem", s->hwproblem},
	    {"diag_in_progress", s->diag_in_progress},
	    {"install_in_progress", s->install_in_progress},
	    {"operation_failed", s->operation_failed},
	    {"disabled", s->disabled},
	    {"poweron", s->poweron},
	    {"poweroff", s->poweroff},
	    {"powererror", s->powererror},
	};
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (!strcmp(st, f[i].name))
			return f[i].on;
	return false;
}

static int check_state_word(const char *st, dc_err *err)
{
	if (!st)
		return 0;
	for (size_t i = 0; tcmd_server_states[i]; i++)
		if (!strcmp(st, tcmd_server_states[i]))
			return 0;
	return err_field(err, DC_E_INVALID, "state",
	                 "unknown state \"%.40s\": use all, free, owned, "
	                 "problem or a flag (blocked, hwproblem, "
	                 "diag_in_progress, install_in_progress, "
	                 "operation_failed, disabled, poweron, poweroff, "
	                 "powererror)",
	                 st);
}

/* ISO 8601 UTC from unix milliseconds; null when 0. */
static void out_time_ms(out *o, const char *key, int64_t ms)
{
	struct tm tm;
	time_t t = (time_t)(ms / 1000);
	char buf[32];
	if (ms <= 0 || !gmtime_r(&t, &tm)) {
		out_null(o, key);
		return;
	}
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	out_str(o, key, buf);
}

/* The names of a list of records, comma joined ("-" when none). */
static void join_names(char *buf, size_t len, const char *const *v, size_t n)
{
	size_t off = 0;
	snprintf(buf, len, "-");
	for (size_t i = 0; i < n && off < len; i++) {
		int w =
		    snprintf(buf + off, len - off, "%s%s", i ? "," : "", v[i]);
		if (w > 0)
			off += (size_t)w;
	}
}

/* ---- records by name, refusing on the form's field ---------------------- */

typedef struct catalog {
	dc_module *mods;
	size_t nmods;
	dc_addon *addons;
	size_t naddons;
	dc_tariff *tariffs;
	size_t ntariffs;
} catalog;

static void catalog_free(catalog *c)
{
	free(c->mods);
	free(c->addons);
	free(c->tariffs);
	memset(c, 0, sizeof(*c));
}

static int catalog_load(dc_store *st, catalog *c, dc_err *err)
{
	memset(c, 0, sizeof(*c));
	if (module_list(st, &c->mods, &c->nmods, err) < 0 ||
	    addon_list(st, &c->addons, &c->naddons, err) < 0 ||
	    tariff_list(st, &c->tariffs, &c->ntariffs, err) < 0) {
		catalog_free(c);
		return -1;
	}
	return 0;
}

static const char *module_name(const catalog *c, int64_t id)
{
	for (size_t i = 0; i < c->nmods; i++)
		if (c->mods[i].id == id)
			return c->mods[i].name;
	return "?";
}

static const dc_addon *addon_by_id(const catalog *c, int64_t id)
{
	for (size_t i = 0; i < c->naddons; i++)
		if (c->addons[i].id == id)
			return &c->addons[i];
	return NULL;
}

static int find_module(const catalog *c, const char *name, int64_t *id,
                       dc_err *err)
{
	char have[300];
	size_t off = 0;
	for (size_t i = 0; i < c->nmods; i++)
		if (!strcmp(c->mods[i].name, name)) {
			*id = c->mods[i].id;
			return 0;
		}
	have[0] = '\0';
	for (size_t i = 0; i < c->nmods && off < sizeof(have); i++) {
		int w = snprintf(have + off, sizeof(have) - off, "%s%s",
		                 i ? ", " : "", c->mods[i].name);
		if (w > 0)
			off += (size_t)w;
	}
	return err_field(err, DC_E_INVALID, "modules",
	                 "no processing module named \"%.64s\" (modules: %s)",
	                 name, c->nmods ? have : "none yet");
}

static const dc_addon *find_addon(const catalog *c, const char *name,
                                  const char *field, dc_err *err)
{
	char have[300];
	size_t off = 0;
	for (size_t i = 0; i < c->naddons; i++)
		if (!strcmp(c->addons[i].name, name))
			return &c->addons[i];
	have[0] = '\0';
	for (size_t i = 0; i < c->naddons && off < sizeof(have); i++) {
		int w = snprintf(have + off, sizeof(have) - off, "%s%s",
		                 i ? ", " : "", c->addons[i].name);
		if (w > 0)
			off += (size_t)w;
	}
	err_field(err, DC_E_INVALID, field,
	          "no add-on named \"%.64s\" (add-ons: %s)", name,
	          c->naddons ? have : "none yet");
	return NULL;
}

/* --addon NAME or NAME=BILLING:VALUES (a list "a,b" or a range "a..b"):
 * the add-on in this tariff, with its own values or these. */
static int parse_addon_spec(const catalog *c, const char *spec,
                            dc_tariff_addon *ta, dc_addon *rec, dc_err *err)
{
	char name[DC_NAME_MAX + 1];
	const char *eq = strchr(spec, '=');
	size_t n = eq ? (size_t)(eq - spec) : strlen(spec);
	if (n == 0 || n >= sizeof(name))
		return err_field(err, DC_E_INVALID, "addons",
		                 "\"%.80s\" is not an add-on name (NAME or "
		                 "NAME=BILLING:VALUES)",
		                 spec);
	memcpy(name, spec, n);
	name[n] = '\0';
	const dc_addon *a = find_addon(c, name, "addons", err);
	if (!a)
		return -1;
	memset(ta, 0, sizeof(*ta));
	ta->addon_id = a->id;
	*rec = *a;
	if (!eq)
		return 0;
	const char *colon = strchr(eq + 1, ':');
	char bill[16];
	size_t bn = colon ? (size_t)(colon - eq - 1) : strlen(eq + 1);
	if (!colon || bn == 0 || bn >= sizeof(bill))
		return err_field(err, DC_E_INVALID, "addons",
		                 "%s: write the tariff's own billing as "
		                 "%s=BILLING:VALUES (e.g. %s=client:1,2 or "
		                 "%s=included:1)",
		                 name, name, name, name);
	memcpy(bill, eq + 1, bn);
	bill[bn] = '\0';
	dc_billing b = DC_BILL_INCLUDED;
	dc_err e;
	const char *vals = colon + 1;
	bool range = strstr(vals, "..") != NULL;
	if (model_parse_billing(bill, &b, &e) < 0 ||
	    model_addon_values_parse(a->kind_id, b, range ? NULL : vals,
	                             range ? vals : NULL, &ta->v, &e) < 0)
		return err_field(err, DC_E_INVALID, "addons", "%s: %s", name,
		                 e.msg);
	ta->override = true;
	return 0;
}

/* ---- output -------------------------------------------------------------- */

static void out_avail_modules(out *o, const avail_result *r, bool json)
{
	char buf[64];
	out_arr_begin(o, "modules");
	for (size_t i = 0; i < r->n; i++) {
		const avail_mod *m = &r->m[i];
		out_obj_begin(o, NULL);
		out_str(o, "module", m->name);
		out_int(o, "sorting", m->sorting);
		if (m->have_count) {
			out_int(o, "free", m->free);
			out_int(o, "servers", m->servers);
		} else {
			out_null(o, "free");
			out_null(o, "servers");
		}
		if (json) {
			if (m->have_count)
				out_int(o, "age_s", m->age_s);
			else
				out_null(o, "age_s");
			out_time_ms(o, "counted_at", m->counted_at);
			out_int(o, "latency_ms", m->ms);
			out_bool(o, "enabled", m->enabled);
			out_bool(o, "stale", m->stale);
			out_bool(o, "picked", r->a.picked == (long)i);
			if (m->error[0])
				out_str(o, "error", m->error);
		} else {
			out_str(o, "age", tcmd_age(m->age_s, buf, sizeof(buf)));
			out_str(o, "state", tcmd_mod_state(m));
			out_str(o, "picked",
			        r->a.picked == (long)i ? "<-" : "");
			out_str(o, "error", m->error[0] ? m->error : "");
		}
		out_obj_end(o);
	}
	out_arr_end(o);
}

/* One tariff's availability as an object (key inside an object, or NULL
 * inside an array / at the top). */
static void out_avail(out *o, const char *key, const avail_result *r, bool json)
{
	char buf[64];
	out_obj_begin(o, key);
	out_str(o, "tariff", r->t.name);
	out_str(o, "server_type", r->t.server_type);
	out_int(o, "min_ram_mib", r->min_ram);
	out_bool(o, "enabled", r->t.enabled);
	out_int(o, "total", r->a.total);
	out_bool(o, "orderable", r->a.orderable);
	if (r->a.orderable)
		out_null(o, "reason");
	else
		out_str(o, "reason", r->a.reason);
	if (r->a.picked >= 0)
		out_str(o, "picked", r->m[r->a.picked].name);
	else
		out_null(o, "picked");
	if (json)
		out_int(o, "oldest_age_s", r->a.oldest_age);
	else
		out_str(o, "oldest_count",
		        tcmd_age(r->a.oldest_age, buf, sizeof(buf)));
	out_avail_modules(o, r, json);
	out_obj_end(o);
}

/* One row per tariff, for text tables (lists). */
static void out_avail_row(out *o, const avail_result *r)
{
	char buf[300], age[32];
	out_obj_begin(o, NULL);
	out_str(o, "tariff", r->t.name);
	out_str(o, "type", r->t.server_type);
	out_int(o, "free", r->a.total);
	out_str(o, "per_module", tcmd_per_module(r, buf, sizeof(buf)));
	out_str(o, "age", tcmd_age(r->a.oldest_age, age, sizeof(age)));
	out_str(o, "picked", r->a.picked >= 0 ? r->m[r->a.picked].name : "-");
	out_str(o, "orderable", r->a.orderable ? "yes" : "NO");
	out_str(o, "reason", r->a.orderable ? "" : r->a.reason);
	out_obj_end(o);
}

static void out_addon_values(out *o, const dc_addon *a,
                             const dc_addon_values *v)
{
	char buf[DC_LIST_MAX + 32];
	out_str(o, "billing", model_billing_name(v->billing));
	out_str(o, "values", model_addon_values_str(v, buf, sizeof(buf)));
	out_str(o, "unit", model_addon_unit(a->kind_id));
}

/* flags: the tariff's special IP add-on flags (full only; nflags < 0:
 * not asked, nothing said). */
static void out_tariff(out *o, const catalog *c, const dc_tariff *t,
                       const avail_result *r, bool full, bool json,
                       const iprange_flag *flags, long nflags)
{
	const char *mods[DC_TARIFF_MODULES_MAX], *adds[DC_TARIFF_ADDONS_MAX];
	char mbuf[600], abuf[600];
	for (size_t i = 0; i < t->nmodules; i++)
		mods[i] = module_name(c, t->modules[i]);
	for (size_t i = 0; i < t->naddons; i++) {
		const dc_addon *a = addon_by_id(c, t->addons[i].addon_id);
		adds[i] = a ? a->name : "?";
	}
	out_obj_begin(o, NULL);
	out_str(o, "name", t->name);
	out_str(o, "server_type", t->server_type);
	out_bool(o, "enabled", t->enabled);
	if (json || full) {
		out_arr_begin(o, "modules");
		for (size_t i = 0; i < t->nmodules; i++)
			out_str(o, NULL, mods[i]);
		out_arr_end(o);
	} else {
		join_names(mbuf, sizeof(mbuf), mods, t->nmodules);
		out_str(o, "modules", mbuf);
	}
	if (!full) {
		join_names(abuf, sizeof(abuf), adds, t->naddons);
		out_str(o, "addons", abuf);
	}
	if (r) {
		out_int(o, "free", r->a.total);
		out_str(o, "orderable", r->a.orderable ? "yes" : "NO");
	}
	if (full) {
		out_arr_begin(o, "addons");
		for (size_t i = 0; i < t->naddons; i++) {
			const dc_addon *a =
			    addon_by_id(c, t->addons[i].addon_id);
			if (!a)
				continue;
			out_obj_begin(o, NULL);
			out_str(o, "addon", a->name);
			out_str(o, "kind", a->kind);
			out_addon_values(o, a,
			                 t->addons[i].override ? &t->addons[i].v
			                                       : &a->v);
			out_str(o, "source",
			        t->addons[i].override ? "tariff" : "add-on");
			out_obj_end(o);
		}
		out_arr_end(o);
		/* a special add-on a module cannot allocate from; JSON always
		 * has the list, text only when there is something in it */
		if (nflags > 0 || (json && nflags == 0)) {
			out_arr_begin(o, "special_ip_flags");
			for (long i = 0; i < nflags; i++) {
				out_obj_begin(o, NULL);
				out_str(o, "addon", flags[i].addon);
				out_str(o, "module", flags[i].module);
				out_str(o, "ipmgr", flags[i].ipmgr);
				out_str(o, "state",
				        flags[i].unknown ? "unknown"
				                         : "MISSING");
				out_str(o, "why", flags[i].why);
				out_obj_end(o);
			}
			out_arr_end(o);
		}
		if (r)
			out_avail(o, "availability", r, json);
	}
	out_obj_end(o);
}

/* ---- tariff commands ------------------------------------------------------
 */

static int tariff_list_run(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err)
{
	dc_store *st = store(ctx, err);
	catalog c;
	avail_result *r = NULL;
	size_t nr = 0;
	(void)a;
	if (!st || catalog_load(st, &c, err) < 0)
		return -1;
	if (avail_tariffs(st, inv_now_ms(), &r, &nr, err) < 0) {
		catalog_free(&c);
		return -1;
	}
	out_arr_begin(o, NULL);
	for (size_t i = 0; i < c.ntariffs; i++)
		out_tariff(o, &c, &c.tariffs[i], i < nr ? &r[i] : NULL, false,
		           ctx->json, NULL, -1);
	out_arr_end(o);
	if (c.ntariffs == 0)
		out_msg(o, "no tariffs yet: add one with 'dcictl tariff add' "
		           "or the console (Tariffs, a)");
	else
		out_msg(o, "free: stored counts; 'dcictl tariff availability' "
		           "counts again when they are old");
	free(r);
	catalog_free(&c);
	return 0;
}

static int tariff_show_run(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err)
{
	dc_store *st = store(ctx, err);
	catalog c;
	dc_tariff t;
	avail_result r;
	iprange_flag *fl = NULL;
	size_t nfl = 0;
	if (!st || tariff_get_by_name(st, cmd_arg(a, "name"), &t, err) < 0 ||
	    avail_tariff(st, &t, inv_now_ms(), &r, err) < 0 ||
	    tcmd_special_flags(ctx, t.name, false, &fl, &nfl, err) < 0)
		return -1;
	if (catalog_load(st, &c, err) < 0) {
		free(fl);
		return -1;
	}
	out_tariff(o, &c, &t, &r, true, ctx->json, fl, (long)nfl);
	if (nfl)
		out_msg(o,
		        "warning: %zu special IP add-on flag%s: a service "
		        "with it cannot get those addresses on that module "
		        "until the type is there (dcictl special-range check)",
		        nfl, nfl == 1 ? "" : "s");
	free(fl);
	catalog_free(&c);
	return 0;
}

/* Fills t's modules and add-ons from the repeated options (when given),
 * resolving names; addons[] gets the records in t->addons order. */
static int take_lists(const catalog *c, const cmd_args *a, dc_tariff *t,
                      dc_addon *addons, bool *changed, dc_err *err)
{
	size_t nm = cmd_arg_count(a, "module"), na = cmd_arg_count(a, "addon");
	if (nm) {
		if (nm > DC_TARIFF_MODULES_MAX)
			return err_field(err, DC_E_INVALID, "modules",
			                 "at most %d modules",
			                 DC_TARIFF_MODULES_MAX);
		t->nmodules = 0;
		for (size_t i = 0; i < nm; i++)
			if (find_module(c, cmd_arg_nth(a, "module", i),
			                &t->modules[t->nmodules++], err) < 0)
				return -1;
		*changed = true;
	}
	if (na || cmd_flag(a, "no-addons")) {
		if (na > DC_TARIFF_ADDONS_MAX)
			return err_field(err, DC_E_INVALID, "addons",
			                 "at most %d add-ons",
			                 DC_TARIFF_ADDONS_MAX);
		t->naddons = 0;
		for (size_t i = 0; i < na; i++) {
			if (parse_addon_spec(c, cmd_arg_nth(a, "addon", i),
			                     &t->addons[t->naddons],
			                     &addons[t->naddons], err) < 0)
				return -1;
			t->naddons++;
		}
		*changed = true;
	} else {
		for (size_t i = 0; i < t->naddons; i++) {
			const dc_addon *r =
			    addon_by_id(c, t->addons[i].addon_id);
			if (!r)
				return err_field(
				    err, DC_E_INVALID, "addons",
				    "add-on %lld of the tariff is "
				    "gone",
				    (long long)t->addons[i].addon_id);
			addons[i] = *r;
		}
	}
	return 0;
}

/* The checks that need only the store, then the panels. */
static int tariff_check(cmd_ctx *ctx, dc_store *st, const dc_tariff *t,
                        const dc_addon *addons, bool panels, dc_err *err)
{
	if (model_check_tariff(t, err) < 0 ||
	    store_check_field(st, DC_ENT_TARIFF, t->id, "name", t->name, err) <
	        0 ||
	    tariff_check_addons(t, addons, err) < 0)
		return -1;
	if (!panels)
		return 0;
	inv_opts o = tcmd_inv_opts(ctx);
	return inv_check_tariff(st, t, addons, 0, &o, err);
}

/* After a save: the availability, and a warning when nothing is free
 * (domain.md 2: allowed, but the operator should know). */
static void saved_note(dc_store *st, catalog *c, const dc_tariff *t, out *o,
                       const char *what, bool json)
{
	avail_result r;
	dc_err e;
	bool have = avail_tariff(st, t, inv_now_ms(), &r, &e) == 0;
	out_tariff(o, c, t, have ? &r : NULL, true, json, NULL, -1);
	out_msg(o, "tariff %s %s", t->name, what);
	if (have && !r.a.orderable)
		out_msg(o, "warning: %s is not orderable now: %s", t->name,
		        r.a.reason);
}

static int tariff_add_run(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err)
{
	dc_store *st = store(ctx, err);
	catalog c;
	dc_tariff t;
	dc_addon addons[DC_TARIFF_ADDONS_MAX];
	bool changed = false;
	if (!st || catalog_load(st, &c, err) < 0)
		return -1;
	memset(&t, 0, sizeof(t));
	dc_strlcpy(t.name, cmd_arg(a, "name"), sizeof(t.name));
	dc_strlcpy(t.server_type, cmd_arg(a, "server-type"),
	           sizeof(t.server_type));
	t.enabled = !cmd_flag(a, "disabled");
	int rc = -1;
	if (strlen(cmd_arg(a, "name")) >= sizeof(t.name)) {
		err_field(err, DC_E_INVALID, "name",
		          "name is longer than %d "
		          "bytes",
		          DC_NAME_MAX - 1);
		goto out;
	}
	if (strlen(cmd_arg(a, "server-type")) >= sizeof(t.server_type)) {
		err_field(err, DC_E_INVALID, "server_type",
		          "server type is longer than %d bytes",
		          DC_TYPE_MAX - 1);
		goto out;
	}
	if (model_check_field(DC_ENT_TARIFF, "name", t.name, err) < 0 ||
	    model_check_type_name("server_type", t.server_type, err) < 0 ||
	    take_lists(&c, a, &t, addons, &changed, err) < 0 ||
	    tariff_check(ctx, st, &t, addons, true, err) < 0 ||
	    tariff_add(st, &t, err) < 0)
		goto out;
	saved_note(st, &c, &t, o, "added", ctx->json);
	rc = 0;
out:
	catalog_free(&c);
	return rc;
}

static int tariff_edit_run(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err)
{
	dc_store *st = store(ctx, err);
	catalog c;
	dc_tariff t;
	dc_addon addons[DC_TARIFF_ADDONS_MAX];
	bool changed = false;
	const char *v;
	if (!st || tariff_get_by_name(st, cmd_arg(a, "name"), &t, err) < 0 ||
	    catalog_load(st, &c, err) < 0)
		return -1;
	int rc = -1;
	if ((v = cmd_arg(a, "new-name"))) {
		if (strlen(v) >= sizeof(t.name) ||
		    model_check_field(DC_ENT_TARIFF, "name", v, err) < 0) {
			if (strlen(v) >= sizeof(t.name))
				err_field(err, DC_E_INVALID, "name",
				          "name is longer than %d bytes",
				          DC_NAME_MAX - 1);
			goto out;
		}
		dc_strlcpy(t.name, v, sizeof(t.name));
	}
	if ((v = cmd_arg(a, "server-type"))) {
		if (strlen(v) >= sizeof(t.server_type) ||
		    model_check_type_name("server_type", v, err) < 0) {
			if (strlen(v) >= sizeof(t.server_type))
				err_field(err, DC_E_INVALID, "server_type",
				          "server type is longer than %d bytes",
				          DC_TYPE_MAX - 1);
			goto out;
		}
		changed |= strcmp(v, t.server_type) != 0;
		dc_strlcpy(t.server_type, v, sizeof(t.server_type));
	}
	if ((v = cmd_arg(a, "enabled")) &&
	    model_parse_bool("enabled", v, &t.enabled, err) < 0)
		goto out;
	if (take_lists(&c, a, &t, addons, &changed, err) < 0 ||
	    tariff_check(ctx, st, &t, addons, changed, err) < 0 ||
	    tariff_update(st, &t, err) < 0)
		goto out;
	saved_note(st, &c, &t, o, "changed", ctx->json);
	rc = 0;
out:
	catalog_free(&c);
	return rc;
}

static int tariff_enable_set(cmd_ctx *ctx, const cmd_args *a, out *o, bool on,
                             dc_err *err)
{
	dc_store *st = store(ctx, err);
	dc_tariff t;
	if (!st || tariff_get_by_name(st, cmd_arg(a, "name"), &t, err) < 0 ||
	    tariff_set_enabled(st, t.id, on, err) < 0)
		return -1;
	out_msg(o, "tariff %s %s", t.name, on ? "enabled" : "disabled");
	return 0;
}

static int tariff_enable_run(cmd_ctx *ctx, const cmd_args *a, out *o,
                             dc_err *err)
{
	return tariff_enable_set(ctx, a, o, true, err);
}

static int tariff_disable_run(cmd_ctx *ctx, const cmd_args *a, out *o,
                              dc_err *err)
{
	return tariff_enable_set(ctx, a, o, false, err);
}

static int tariff_delete_run(cmd_ctx *ctx, const cmd_args *a, out *o,
                             dc_err *err)
{
	dc_store *st = store(ctx, err);
	dc_tariff t;
	if (!st || tariff_get_by_name(st, cmd_arg(a, "name"), &t, err) < 0 ||
	    tariff_delete(st, t.id, err) < 0)
		return -1;
	out_msg(o, "tariff %s deleted", t.name);
	return 0;
}

static int tariff_avail_run(cmd_ctx *ctx, const cmd_args *a, out *o,
                            dc_err *err)
{
	dc_store *st = store(ctx, err);
	const char *name = cmd_arg(a, "name");
	dc_tariff t;
	if (!st)
		return -1;
	if (name && tariff_get_by_name(st, name, &t, err) < 0)
		return -1;
	if (!cmd_flag(a, "cached")) {
		inv_opts io = tcmd_inv_opts(ctx);
		int64_t age = cmd_flag(a, "refresh")
		                  ? 0
		                  : ctx->app->cfg.availability_refresh_ms;
		/* One tariff: only its modules are asked. */
		if (avail_refresh(st, name ? t.modules : NULL,
		                  name ? t.nmodules : 0, age, &io, NULL,
		                  err) < 0)
			return -1;
	}
	if (name) {
		avail_result r;
		if (avail_tariff(st, &t, inv_now_ms(), &r, err) < 0)
			return -1;
		out_avail(o, NULL, &r, ctx->json);
		return 0;
	}
	avail_result *r = NULL;
	size_t n = 0;
	if (avail_tariffs(st, inv_now_ms(), &r, &n, err) < 0)
		return -1;
	out_arr_begin(o, NULL);
	for (size_t i = 0; i < n; i++) {
		if (ctx->json)
			out_avail(o, NULL, &r[i], true);
		else
			out_avail_row(o, &r[i]);
	}
	out_arr_end(o);
	if (n == 0)
		out_msg(o, "no tariffs yet");
	free(r);
	return 0;
}

/* ---- add-on commands ------------------------------------------------------
 */

/* Names of the tariffs that use add-on id, comma joined. */
static size_t addon_users(const catalog *c, int64_t id, char *buf, size_t len)
{
	size_t n = 0, off = 0;
	snprintf(buf, len, "-");
	for (size_t i = 0; i < c->ntariffs; i++)
		for (size_t k = 0; k < c->tariffs[i].naddons; k++)
			if (c->tariffs[i].addons[k].addon_id == id) {
				if (off < len) {
					int w = snprintf(buf + off, len - off,
					                 "%s%s", n ? "," : "",
					                 c->tariffs[i].name);
					if (w > 0)
						off += (size_t)w;
				}
				n++;
			}
	return n;
}

static void out_addon(out *o, const catalog *c, const dc_addon *a)
{
	char users[400];
	out_obj_begin(o, NULL);
	out_str(o, "name", a->name);
	out_str(o, "kind", a->kind);
	out_addon_values(o, a, &a->v);
	addon_users(c, a->id, users, sizeof(users));
	out_str(o, "tariffs", users);
	out_obj_end(o);
}

static int addon_list_run(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err)
{
	dc_store *st = store(ctx, err);
	catalog c;
	(void)a;
	if (!st || catalog_load(st, &c, err) < 0)
		return -1;
	out_arr_begin(o, NULL);
	for (size_t i = 0; i < c.naddons; i++)
		out_addon(o, &c, &c.addons[i]);
	out_arr_end(o);
	if (c.naddons == 0)
		out_msg(o, "no add-ons yet: add one with 'dcictl addon add'");
	catalog_free(&c);
	return 0;
}

static int addon_show_run(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err)
{
	dc_store *st = store(ctx, err);
	catalog c;
	if (!st || catalog_load(st, &c, err) < 0)
		return -1;
	const dc_addon *r = find_addon(&c, cmd_arg(a, "name"), "name", err);
	if (r)
		out_addon(o, &c, r);
	catalog_free(&c);
	if (!r && err)
		err->cat = DC_E_NOTFOUND;
	return r ? 0 : -1;
}

/* The panel checks of an add-on: on its own (some module has the OS /
 * the IP type), then as part of every tariff that takes its values. */
static int addon_check_panels(cmd_ctx *ctx, dc_store *st, const catalog *c,
                              const dc_addon *ad, out *o, dc_err *err)
{
	inv_opts io = tcmd_inv_opts(ctx);
	bool unchecked = false;
	if (inv_check_addon(st, ad, 0, &io, &unchecked, err) < 0)
		return -1;
	if (unchecked)
		out_msg(o,
		        "note: %s was not checked against any panel (no "
		        "enabled module yet); tariffs using it are checked "
		        "when saved",
		        ad->name);
	for (size_t i = 0; ad->id && i < c->ntariffs; i++) {
		const dc_tariff *t = &c->tariffs[i];
		dc_addon addons[DC_TARIFF_ADDONS_MAX];
		bool uses = false;
		for (size_t k = 0; k < t->naddons; k++) {
			const dc_addon *r =
			    addon_by_id(c, t->addons[k].addon_id);
			if (!r)
				return err_set(
				    err, DC_E_STORE,
				    "tariff %s names a missing add-on",
				    t->name);
			addons[k] = r->id == ad->id ? *ad : *r;
			uses |= r->id == ad->id;
		}
		if (!uses || (ad->kind_id != DC_ADDON_OS &&
		              ad->kind_id != DC_ADDON_SPECIAL_IP))
			continue;
		if (inv_check_tariff(st, t, addons, 0, &io, err) < 0) {
			char sub[sizeof(err->msg)];
			dc_strlcpy(sub, err->msg, sizeof(sub));
			return err_field(err, DC_E_INVALID, "values",
			                 "tariff %s uses it: %s", t->name, sub);
		}
	}
	return 0;
}

static int billing_values(const dc_addon *a, const char *billing,
                          const char *values, const char *range,
                          dc_addon_values *v, dc_err *err)
{
	dc_billing b = a->v.billing;
	if (billing && model_parse_billing(billing, &b, err) < 0)
		return -1;
	return model_addon_values_parse(a->kind_id, b, values, range, v, err);
}

static int addon_add_run(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err)
{
	dc_store *st = store(ctx, err);
	catalog c;
	dc_addon ad;
	memset(&ad, 0, sizeof(ad));
	if (!st)
		return -1;
	if (strlen(cmd_arg(a, "name")) >= sizeof(ad.name))
		return err_field(err, DC_E_INVALID, "name",
		                 "name is longer than %d bytes",
		                 DC_NAME_MAX - 1);
	if (strlen(cmd_arg(a, "kind")) >= sizeof(ad.kind))
		return err_field(err, DC_E_INVALID, "kind",
		                 "kind is longer than %d bytes",
		                 DC_NAME_MAX - 1);
	dc_strlcpy(ad.name, cmd_arg(a, "name"), sizeof(ad.name));
	dc_strlcpy(ad.kind, cmd_arg(a, "kind"), sizeof(ad.kind));
	if (model_check_addon_name("name", ad.name, err) < 0 ||
	    model_parse_addon_kind(ad.kind, &ad.kind_id, ad.iptype, err) < 0 ||
	    store_check_field(st, DC_ENT_ADDON, 0, "name", ad.name, err) < 0 ||
	    billing_values(&ad, cmd_arg(a, "billing"), cmd_arg(a, "values"),
	                   cmd_arg(a, "range"), &ad.v, err) < 0 ||
	    model_check_addon(&ad, err) < 0 || catalog_load(st, &c, err) < 0)
		return -1;
	int rc = -1;
	if (addon_check_panels(ctx, st, &c, &ad, o, err) < 0 ||
	    addon_add(st, &ad, err) < 0)
		goto out;
	out_addon(o, &c, &ad);
	out_msg(o, "add-on %s added", ad.name);
	rc = 0;
out:
	catalog_free(&c);
	return rc;
}

static int addon_edit_run(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err)
{
	dc_store *st = store(ctx, err);
	catalog c;
	if (!st || catalog_load(st, &c, err) < 0)
		return -1;
	int rc = -1;
	const dc_addon *cur = find_addon(&c, cmd_arg(a, "name"), "name", err);
	if (!cur) {
		if (err)
			err->cat = DC_E_NOTFOUND;
		goto out;
	}
	dc_addon ad = *cur;
	const char *bill = cmd_arg(a, "billing"), *vals = cmd_arg(a, "values"),
	           *range = cmd_arg(a, "range");
	if (!bill && !vals && !range) {
		err_field(err, DC_E_INVALID, "billing",
		          "nothing to change: give --billing, --values or "
		          "--range");
		goto out;
	}
	if (!vals && !range) {
		/* Only the billing changes: keep the values where they fit. */
		char buf[DC_LIST_MAX];
		model_addon_values_str(&cur->v, buf, sizeof(buf));
		if (cur->v.is_range)
			range = buf;
		else
			vals = cur->v.billing == DC_BILL_CLIENT ? cur->v.list
			                                        : cur->v.value;
		if (billing_values(&ad, bill, vals, range, &ad.v, err) < 0)
			goto out;
	} else if (billing_values(&ad, bill, vals, range, &ad.v, err) < 0) {
		goto out;
	}
	if (model_check_addon(&ad, err) < 0 ||
	    addon_check_panels(ctx, st, &c, &ad, o, err) < 0 ||
	    addon_update(st, &ad, err) < 0)
		goto out;
	out_addon(o, &c, &ad);
	out_msg(o, "add-on %s changed", ad.name);
	rc = 0;
out:
	catalog_free(&c);
	return rc;
}

static int addon_delete_run(cmd_ctx *ctx, const cmd_args *a, out *o,
                            dc_err *err)
{
	dc_store *st = store(ctx, err);
	dc_addon ad;
	if (!st || addon_get_by_name(st, cmd_arg(a, "name"), &ad, err) < 0 ||
	    addon_delete(st, ad.id, err) < 0)
		return -1;
	out_msg(o, "add-on %s deleted", ad.name);
	return 0;
}

/* ---- server commands ------------------------------------------------------
 */

int tcmd_server_list(cmd_ctx *ctx, const char *module, dci_servers **out_l,
                     dc_err *err)
{
	dc_store *st = store(ctx, err);
	dc_module m;
	*out_l = NULL;
	if (!st || module_get_by_name(st, module, &m, err) < 0)
		return -1;
	inv_opts io = tcmd_inv_opts(ctx);
	panel *p = inv_module_panel(st, &m, &io, err);
	if (!p)
		return -1;
	int rc = dci_server_list(p, out_l, err);
	panel_free(p);
	return rc;
}

static int server_list_run(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err)
{
	const char *type = cmd_arg(a, "type"), *state = cmd_arg(a, "state");
	dci_servers *l = NULL;
	char flags[128];
	if (!cmd_arg(a, "module"))
		return err_field(err, DC_E_INVALID, "module",
		                 "which module? give --module NAME ('dcictl "
		                 "module list' names them)");
	if (check_state_word(state, err) < 0 ||
	    tcmd_server_list(ctx, cmd_arg(a, "module"), &l, err) < 0)
		return -1;
	size_t shown = 0;
	out_arr_begin(o, NULL);
	for (size_t i = 0; i < l->n; i++) {
		const dci_server *s = &l->v[i];
		if ((type && strcmp(s->type, type)) ||
		    !tcmd_server_match_state(s, state))
			continue;
		shown++;
		out_obj_begin(o, NULL);
		out_int(o, "id", s->id);
		out_str(o, "name", s->name);
		out_str(o, "type", s->type);
		out_str(o, "state", tcmd_server_state(s));
		out_str(o, "flags", tcmd_server_flags(s, flags, sizeof(flags)));
		if (s->owner)
			out_str(o, "owner", s->owner);
		else
			out_null(o, "owner");
		out_str(o, "ip", s->ip);
		out_int(o, "ram_mib", s->ram_mib);
		if (ctx->json) {
			out_str(o, "hostname", s->hostname);
			out_str(o, "rack", s->rack);
		}
		out_obj_end(o);
	}
	out_arr_end(o);
	out_msg(o, "%zu of %zu servers", shown, l->n);
	dci_servers_free(l);
	return 0;
}

static int server_types_run(cmd_ctx *ctx, const cmd_args *a, out *o,
                            dc_err *err)
{
	dc_store *st = store(ctx, err);
	const char *mod = cmd_arg(a, "module");
	dc_module m;
	inv_module *im = NULL;
	size_t n = 0;
	if (!st || (mod && module_get_by_name(st, mod, &m, err) < 0))
		return -1;
	inv_opts io = tcmd_inv_opts(ctx);
	if (avail_refresh(st, mod ? &m.id : NULL, mod ? 1 : 0,
	                  cmd_flag(a, "refresh")
	                      ? 0
	                      : ctx->app->cfg.availability_refresh_ms,
	                  &io, NULL, err) < 0 ||
	    inv_load(st, mod ? &m.id : NULL, mod ? 1 : 0, &im, &n, err) < 0)
		return -1;
	int64_t now = inv_now_ms();
	char age[32];
	out_arr_begin(o, NULL);
	for (size_t i = 0; i < n; i++) {
		const char *types[64];
		size_t nt = inv_types(&im[i], types, 64);
		if (!im[i].servers.at) {
			out_obj_begin(o, NULL);
			out_str(o, "module", im[i].name);
			out_null(o, "type");
			out_null(o, "servers");
			out_null(o, "free");
			out_str(o, "age", "-");
			out_str(
			    o, "error",
			    im[i].servers.error[0]
			        ? im[i].servers.error
			        : (im[i].enabled ? "not counted" : "disabled"));
			out_obj_end(o);
			continue;
		}
		for (size_t k = 0; k < nt; k++) {
			out_obj_begin(o, NULL);
			out_str(o, "module", im[i].name);
			out_str(o, "type", types[k]);
			out_int(o, "servers", inv_total(&im[i], types[k]));
			out_int(o, "free", inv_free(&im[i], types[k], 0));
			out_str(o, "age",
			        tcmd_age((now - im[i].servers.at) / 1000, age,
			                 sizeof(age)));
			out_str(o, "error", im[i].servers.error);
			out_obj_end(o);
		}
	}
	out_arr_end(o);
	inv_modules_free(im, n);
	return 0;
}

/* ---- the table --------------------------------------------------------------
 */

#define RO  CMD_RO_SAFE
#define POS (CMD_OPT_REQUIRED | CMD_OPT_POSITIONAL)

static const cmd_opt none_opts[] = {{NULL, 0, 0, NULL, NULL, 0, 0, NULL}};

static const cmd_opt tariff_name_opts[] = {
    {"name", CMD_OPT_STR, POS, "NAME", "which one", 0, 0,
     namecache_complete_tariff},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL},
};

static const cmd_opt addon_name_opts[] = {
    {"name", CMD_OPT_STR, POS, "NAME", "which one", 0, 0,
     namecache_complete_addon},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL},
};

static const cmd_opt tariff_add_opts[] = {
    {"name", CMD_OPT_STR, CMD_OPT_REQUIRED, "NAME", "name of the tariff", 0, 0,
     NULL},
    {"server-type", CMD_OPT_STR, CMD_OPT_REQUIRED, "TYPE",
     "a server type the modules' DCImanagers have", 0, 0, NULL},
    {"module", CMD_OPT_STR, CMD_OPT_REQUIRED | CMD_OPT_REPEAT, "MODULE",
     "a processing module it may use (repeat for more)", 0, 0,
     namecache_complete_module},
    {"addon", CMD_OPT_STR, CMD_OPT_REPEAT, "ADDON[=BILLING:VALUES]",
     "an add-on, with the add-on's billing or the tariff's own (e.g. "
     "ram=client:8192,16384 or ipv4=client:0..4)",
     0, 0, namecache_complete_addon},
    {"disabled", CMD_OPT_FLAG, 0, NULL, "add it disabled", 0, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL},
};

static const cmd_opt tariff_edit_opts[] = {
    {"name", CMD_OPT_STR, POS, "NAME", "the tariff to change", 0, 0,
     namecache_complete_tariff},
    {"new-name", CMD_OPT_STR, 0, "NAME", "rename it", 0, 0, NULL},
    {"server-type", CMD_OPT_STR, 0, "TYPE", "server type", 0, 0, NULL},
    {"module", CMD_OPT_STR, CMD_OPT_REPEAT, "MODULE",
     "the modules (replace the list; repeat for more)", 0, 0,
     namecache_complete_module},
    {"addon", CMD_OPT_STR, CMD_OPT_REPEAT, "ADDON[=BILLING:VALUES]",
     "the add-ons (replace the list; repeat for more)", 0, 0,
     namecache_complete_addon},
    {"no-addons", CMD_OPT_FLAG, 0, NULL, "remove every add-on", 0, 0, NULL},
    {"enabled", CMD_OPT_STR, 0, "yes|no", "orderable at all", 0, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL},
};

static const cmd_opt avail_opts[] = {
    {"name", CMD_OPT_STR, CMD_OPT_POSITIONAL, "NAME",
     "one tariff (default: every tariff)", 0, 0, namecache_complete_tariff},
    {"refresh", CMD_OPT_FLAG, 0, NULL, "count again now, whatever the age", 0,
     0, NULL},
    {"cached", CMD_OPT_FLAG, 0, NULL,
     "do not ask the panels: the stored counts with their age", 0, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL},
};

static const cmd_opt addon_add_opts[] = {
    {"name", CMD_OPT_STR, CMD_OPT_REQUIRED, "NAME",
     "internal name ([a-z0-9_]; special blocks: special_ip_block_<iptype>)", 0,
     0, NULL},
    {"kind", CMD_OPT_STR, CMD_OPT_REQUIRED, "KIND",
     "ram, os, ns, panel, portspeed, traffic, ipv4_private, ipv6, "
     "ipv4_public or special_ip_block_<iptype>",
     0, 0, NULL},
    {"billing", CMD_OPT_STR, CMD_OPT_REQUIRED, "BILLING",
     "included, client or none (do not count)", 0, 0, NULL},
    {"values", CMD_OPT_STR, 0, "V[,V...]",
     "the value (included/none) or the values a client chooses from", 0, 0,
     NULL},
    {"range", CMD_OPT_STR, 0, "MIN..MAX",
     "client: a range instead of a list (numeric kinds)", 0, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL},
};

static const cmd_opt addon_edit_opts[] = {
    {"name", CMD_OPT_STR, POS, "NAME", "the add-on to change", 0, 0,
     namecache_complete_addon},
    {"billing", CMD_OPT_STR, 0, "BILLING", "included, client or none", 0, 0,
     NULL},
    {"values", CMD_OPT_STR, 0, "V[,V...]", "new value or values", 0, 0, NULL},
    {"range", CMD_OPT_STR, 0, "MIN..MAX", "new range (client)", 0, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL},
};

static const cmd_opt server_list_opts[] = {
    /* Not CMD_OPT_REQUIRED: in the console the key opens the screen on
     * the first module; the command line asks for it (server_list_run). */
    {"module", CMD_OPT_STR, CMD_OPT_POSITIONAL, "MODULE",
     "the processing module whose DCImanager to list (required)", 0, 0,
     namecache_complete_module},
    {"type", CMD_OPT_STR, 0, "TYPE", "only this server type", 0, 0, NULL},
    {"state", CMD_OPT_STR, 0, "STATE",
     "all, free, owned, problem, or a flag (blocked, hwproblem, poweron...)", 0,
     0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL},
};

static const cmd_opt server_types_opts[] = {
    {"module", CMD_OPT_STR, CMD_OPT_POSITIONAL, "MODULE",
     "one module (default: every enabled module)", 0, 0,
     namecache_complete_module},
    {"refresh", CMD_OPT_FLAG, 0, NULL, "count again now", 0, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL},
};

const cmd_def tariff_cmds[] = {
    {"tariff", "list", none_opts, "tariff plans with their availability",
     "Server type, modules, add-ons, enabled, free servers (stored "
     "counts) and whether it can be ordered. In the console: the Tariffs "
     "screen.",
     RO, tariff_list_run, &tariffs_screen, 't'},
    {"tariff", "show", tariff_name_opts,
     "one tariff: modules, add-ons with billing, availability", NULL, RO,
     tariff_show_run, NULL, 0},
    {"tariff", "add", tariff_add_opts, "add a tariff plan",
     "The server type must exist on at least one of the modules (all are "
     "asked; the refusal names them), OS values must be OS templates and "
     "special IP types must exist in the IPmanager of every module. A "
     "refusal names the field and writes nothing.",
     0, tariff_add_run, &tariff_form_screen, 0},
    {"tariff", "edit", tariff_edit_opts, "change a tariff plan",
     "Only the options given change; --module and --addon replace the "
     "lists. A change of type, modules or add-ons is checked against the "
     "panels again.",
     0, tariff_edit_run, NULL, 0},
    {"tariff", "enable", tariff_name_opts, "let clients order a tariff", NULL,
     0, tariff_enable_run, NULL, 0},
    {"tariff", "disable", tariff_name_opts, "stop selling a tariff", NULL, 0,
     tariff_disable_run, NULL, 0},
    {"tariff", "delete", tariff_name_opts,
     "delete a tariff (refused while a service uses it)", NULL, 0,
     tariff_delete_run, NULL, 0},
    {"tariff", "availability", avail_opts,
     "free servers per module and in total, the module picked, and why not "
     "orderable",
     "Counts again on the modules whose count is older than the config's "
     "availability_refresh (or invalidated by an order); --refresh counts "
     "now, --cached asks no panel. Each count comes with its age.",
     RO, tariff_avail_run, NULL, 0},

    {"addon", "list", none_opts, "add-ons and the tariffs using them",
     "In the console: the Add-ons screen.", RO, addon_list_run, &addons_screen,
     'A'},
    {"addon", "show", addon_name_opts, "one add-on", NULL, RO, addon_show_run,
     NULL, 0},
    {"addon", "add", addon_add_opts, "add an add-on",
     "OS values must be OS templates of some module's DCImanager; a "
     "special_ip_block_<iptype> needs that type in some module's "
     "IPmanager.",
     0, addon_add_run, &addon_form_screen, 0},
    {"addon", "edit", addon_edit_opts, "change an add-on's billing or values",
     "Tariffs that use the add-on's own values are checked again.", 0,
     addon_edit_run, NULL, 0},
    {"addon", "delete", addon_name_opts,
     "delete an add-on (refused while a tariff uses it)", NULL, 0,
     addon_delete_run, NULL, 0},

    {"server", "list", server_list_opts,
     "a module's servers: type, state, flags, owner, main IP, RAM",
     "In the console: the Servers screen (filter by type and state, sort "
     "by column).",
     RO, server_list_run, &servers_screen, 'v'},
    {"server", "types", server_types_opts,
     "server types on the modules, with servers and free counts", NULL, RO,
     server_types_run, NULL, 0},
    {NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, 0},
};
