/* app.c - see app.h. */
#include "app.h"

#include "panel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	a->refresh_ms = (int)a->cfg.refresh_ms;
	a->read_only = o->read_only;
	a->no_color = o->no_color || (nc && *nc);
	a->ascii = o->ascii;
	a->log = apilog_new(a->cfg.api_log_size ? a->cfg.api_log_size : 1000);
	if (!a->log) {
		config_free(&a->cfg);
		return err_set(err, DC_E_NOMEM, "out of memory");
	}
	if (panel_lib_init(err) < 0) {
		apilog_free(a->log);
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
	config_free(&a->cfg);
	panel_lib_cleanup();
	memset(a, 0, sizeof(*a));
}
