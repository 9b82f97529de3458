/* config.h - dcictl's configuration file (libconfig syntax).
 *
 * Contract: config_load fills a dc_config the caller owns (no globals) and
 * frees it with config_free. The file is found at the path given, else
 * $DCICTL_CONFIG, else $XDG_CONFIG_HOME/dcictl/config, else
 * ~/.config/dcictl/config. A missing file at the found location gives the
 * defaults (cfg->path is NULL then); a path given explicitly as the
 * argument must exist. Every problem is DC_E_CONFIG with a message
 * "FILE:LINE: reason" and err->field the setting's name: parse errors,
 * wrong types, values out of range, unknown settings (with a suggestion
 * when one is close). A file that holds a secret (a setting whose name
 * contains "pass", "secret" or "token") and that group or others can read
 * is refused with "chmod 600 FILE" as the fix; a file others can write is
 * always refused.
 *
 * Settings (all optional):
 *   store = "PATH";            default $XDG_DATA_HOME/dcictl/store.db or
 *                              ~/.local/share/dcictl/store.db; "~/" is
 *                              expanded, a relative path is taken from the
 *                              config file's directory
 *   theme = "NAME";            a theme name (themes/NAME.theme) or an
 *                              absolute path; default "default"
 *   refresh = 2;               live views: seconds (number) or "500ms",
 *                              "2s", "1m"; 0.1 s .. 1 h; default 2 s
 *   keys = ( { key = "j"; action = "down"; }, ... );
 *                              key overrides (the console checks actions)
 *   stats_timezone = "UTC";    calendar days of daily burst: "UTC" or a
 *                              tz database name present on this system
 *   stats_retention_days = 90; 1 .. 36500
 *   availability_refresh = 60; duration as refresh; 1 s .. 1 day
 *   xml_max_body = "64M";      bytes (number) or "512K", "64M", "1G";
 *                              4 KiB .. 1 GiB
 *   http_connect_timeout = 10; duration; 0.1 s .. 5 min
 *   http_timeout = 60;         duration; 1 s .. 1 h
 *   api_log_size = 1000;       calls kept for the API log; 10 .. 1000000
 */
#ifndef DC_CONFIG_H
#define DC_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct config_keybind {
	char *key;    /* as written, e.g. "j", "C-d", "F5", "Enter" */
	char *action; /* an action name of the console's key table */
	int line;     /* where it was set, for the console's own messages */
} config_keybind;

typedef struct dc_config {
	char *path;       /* the file read; NULL when defaults only */
	char *store_path; /* absolute */
	char *theme;
	int64_t refresh_ms;
	config_keybind *keys;
	size_t nkeys;
	char *stats_timezone;
	int stats_retention_days;
	int64_t availability_refresh_ms;
	size_t xml_max_body;
	int64_t http_connect_timeout_ms;
	int64_t http_timeout_ms;
	size_t api_log_size;
} dc_config;

/* path: an explicit file, or NULL to search as above. On failure cfg holds
 * nothing to free. */
int config_load(const char *path, dc_config *cfg, dc_err *err);
/* Defaults only (no file read); for tests and --no-config. */
int config_defaults(dc_config *cfg, dc_err *err);
void config_free(dc_config *cfg);
/* Where config_load(NULL, ...) looks, malloc'd. */
char *config_default_path(dc_err *err);

#endif
