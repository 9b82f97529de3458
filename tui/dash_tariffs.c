/* dash_tariffs.c - two dashboard sections: the processing modules with
 * their health (the last count of their servers: when, how long it took,
 * the error; and the last connection check), and the tariffs with their
 * availability. collect() runs on the jobs worker at every dashboard
 * refresh; it asks the panels only for counts older than the config's
 * availability_refresh (or invalidated by an order), so the dashboard's
 * own 2-second tick costs a store read. */
#include "app.h"
#include "cmd_tariff.h"
#include "registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Looking at the dashboard must not create a store: the console section
 * says "not created yet" until something is saved. */
static bool no_store_yet(cmd_ctx *ctx, out *o)
{
	if (ctx->app->store || access(ctx->app->store_path, F_OK) == 0)
		return false;
	out_msg(o, "nothing yet: the store is created when something is "
	           "saved (m: Modules)");
	return true;
}

static int modules_collect(cmd_ctx *ctx, out *o, dc_err *err)
{
	dc_store *st;
	inv_module *m = NULL;
	size_t n = 0;
	char age[32], buf[64];
	if (no_store_yet(ctx, o))
		return 0;
	st = app_store(ctx->app, err);
	if (!st || tcmd_refresh(ctx, false, err) < 0 ||
	    inv_load(st, NULL, 0, &m, &n, err) < 0)
		return -1;
	int64_t now = inv_now_ms();
	out_arr_begin(o, NULL);
	for (size_t i = 0; i < n; i++) {
		const inv_module *im = &m[i];
		const char *state = !im->enabled           ? "disabled"
		                    : im->servers.error[0] ? "ERROR"
		                    : !im->servers.at      ? "not counted"
		                    : im->stale            ? "stale"
		                                           : "ok";
		out_obj_begin(o, NULL);
		out_str(o, "module", im->name);
		out_str(o, "state", state);
		int64_t t = im->servers.tried_at;
		out_str(o, "asked",
		        t ? tcmd_age((now - t) / 1000, age, sizeof(age)) : "-");
		if (im->servers.at && !im->servers.error[0]) {
			snprintf(buf, sizeof(buf), "%lld ms",
			         (long long)im->servers.ms);
			out_str(o, "latency", buf);
		} else {
			out_str(o, "latency", "-");
		}
		if (im->check.ok < 0 || !im->check.at)
			snprintf(buf, sizeof(buf), "never");
		else
			snprintf(buf, sizeof(buf), "%s %s",
			         im->check.ok ? "ok" : "FAILED",
			         tcmd_age((now / 1000) - im->check.at, age,
			                  sizeof(age)));
		out_str(o, "check", buf);
		out_str(o, "error",
		        im->servers.error[0]
		            ? im->servers.error
		            : (im->check.ok == 0 ? im->check.msg : ""));
		out_obj_end(o);
	}
	out_arr_end(o);
	if (n == 0)
		out_msg(o, "no processing modules yet (m: Modules, a: add)");
	inv_modules_free(m, n);
	return 0;
}

static int tariffs_collect(cmd_ctx *ctx, out *o, dc_err *err)
{
	dc_store *st;
	avail_result *r = NULL;
	size_t n = 0;
	char per[300], age[32], state[AVAIL_REASON_MAX + 8];
	if (no_store_yet(ctx, o))
		return 0;
	st = app_store(ctx->app, err);
	if (!st || tcmd_refresh(ctx, false, err) < 0 ||
	    avail_tariffs(st, inv_now_ms(), &r, &n, err) < 0)
		return -1;
	out_arr_begin(o, NULL);
	for (size_t i = 0; i < n; i++) {
		out_obj_begin(o, NULL);
		out_str(o, "tariff", r[i].t.name);
		out_str(o, "type", r[i].t.server_type);
		out_int(o, "free", r[i].a.total);
		out_str(o, "per_module",
		        tcmd_per_module(&r[i], per, sizeof(per)));
		out_str(o, "age",
		        tcmd_age(r[i].a.oldest_age, age, sizeof(age)));
		if (r[i].a.orderable)
			snprintf(state, sizeof(state), "yes");
		else
			snprintf(state, sizeof(state), "NO: %s", r[i].a.reason);
		out_str(o, "orderable", state);
		out_obj_end(o);
	}
	out_arr_end(o);
	if (n == 0)
		out_msg(o, "no tariffs yet (t: Tariffs, a: add)");
	free(r);
	return 0;
}

const dash_section modules_dash = {"Processing modules", modules_collect};
const dash_section tariffs_dash = {"Tariffs", tariffs_collect};
