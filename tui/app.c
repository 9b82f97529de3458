/* app.c - see app.h. */
#include "app.h"

#include "namecache.h"
#include "panel.h"
#include "statmath.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A named statistics zone (stats_timezone = "Europe/Moscow") takes its
 * rules from the C library, which keeps one zone per process in TZ; core
 * only calls localtime_r() (statmath_zone_parse). setenv() is not safe
 * while other threads run, so it is done here: app_init runs on the main
 * thread before the console's workers or any command start. Every local
 * time dcictl shows is then in that zone, which is what an operator who
 * set it expects of the statistics days. */
static void apply_stats_zone(const dc_config *cfg)
{
	statmath_zone z;

	if (statmath_zone_parse(cfg->stats_timezone, &z, NULL) < 0)
		return; /* the config refused it already; stats say why */
	if (z.kind == STATMATH_ZONE_PROCESS && strcmp(z.name, "local") != 0) {
		setenv("TZ", z.name, 1);
		tzset();
	}
}

int app_init(app *a, const app_opts *o, dc_err *err)
{
	const char *nc = getenv("NO_COLOR");

	memset(a, 0, sizeof(*a));
	a->opt = *o;
	if (config_load(o->config, &a->cfg, err) < 0)
		return -1;
	if (a->cfg.path) {
		a->config_found = true;
		snprintf(a->config_path, sizeof(a->config_path), "%s",
		         a->cfg.path);
	} else {
		char *p = config_default_path(NULL);

		snprintf(a->config_path, sizeof(a->config_path), "%s",
		         p ? p : "?");
		free(p);
	}
	snprintf(a->store_path, sizeof(a->store_path), "%s",
	         o->store ? o->store : a->cfg.store_path);
	snprintf(a->theme, sizeof(a->theme), "%s",
	         o->theme       ? o->theme
	         : a->cfg.theme ? a->cfg.theme
	                        : "default");
	apply_stats_zone(&a->cfg);
	a->refresh_ms = (int)a->cfg.refresh_ms;
	a->read_only = o->read_only;
	a->no_color = o->no_color || (nc && *nc);
	a->ascii = o->ascii;
	a->log = apilog_new(a->cfg.api_log_size ? a->cfg.api_log_size : 1000);
	a->names = namecache_new();
	if (!a->log || !a->names) {
		apilog_free(a->log);
		namecache_free(a->names);
		config_free(&a->cfg);
		return err_set(err, DC_E_NOMEM, "out of memory");
	}
	if (panel_lib_init(err) < 0) {
		apilog_free(a->log);
		namecache_free(a->names);
		config_free(&a->cfg);
		return -1;
	}
	return 0;
}

dc_store *app_store(app *a, dc_err *err)
{
	if (!a->store)
		a->store = store_open(a->store_path, err);
	return a->store;
}

void app_free(app *a)
{
	if (a->store)
		store_close(a->store);
	apilog_free(a->log);
	namecache_free(a->names);
	config_free(&a->cfg);
	panel_lib_cleanup();
	memset(a, 0, sizeof(*a));
}
