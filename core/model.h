/* model.h - the business records dcictl keeps, and the rules for their fields.
 *
 * Contract: records are plain structs with fixed-size, always NUL-terminated
 * text fields, so they can be copied, kept in forms and freed with nothing
 * more than free() on the array that holds them. Passwords are never part of
 * a record: they travel separately (store.h) and are wiped after use.
 *
 * Validation is pure (no store, no network, no globals) and can be asked
 * one field at a time, as a console form does when a field is left
 * (model_check_field), or for a whole record before it is written
 * (model_check_*). A refusal is DC_E_INVALID with err->field set to the
 * field's name (the same names model_check_field takes) and a message that
 * says what is wrong. Rules that need other records (unique names, a
 * referenced record exists) are checked by the store (store_check_field);
 * rules that need what a panel says (parking type exists, server type
 * exists) are in module.h / tariff.h and take the panel's answer as input.
 *
 * Units: times are unix seconds (UTC), durations milliseconds, RAM MiB,
 * port speed Mbit/s, traffic GiB, address add-ons a count. */
#ifndef DC_MODEL_H
#define DC_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define DC_NAME_MAX     65   /* names: 1..64 bytes */
#define DC_URL_MAX      513  /* URLs: up to 512 bytes */
#define DC_USER_MAX     129  /* user names: 1..128 bytes */
#define DC_PASSWORD_MAX 1024 /* passwords: 1..1023 bytes */
#define DC_PATH_MAX     513  /* file paths (CA file) */
#define DC_TYPE_MAX     65   /* panel type names (server type, IP type) */
#define DC_MSG_MAX      256  /* stored human messages (last check) */
#define DC_VALUE_MAX    129  /* one add-on value */
#define DC_LIST_MAX     513  /* an add-on's list of values, comma-joined */
#define DC_SORTING_MAX  2147483647LL /* 2^31-1 */

#define DC_TARIFF_MODULES_MAX 32
#define DC_TARIFF_ADDONS_MAX  32

/* The records a form or command edits; names used by model_check_field. */
typedef enum dc_entity {
	DC_ENT_DEPARTMENT,
	DC_ENT_IPMGR,
	DC_ENT_LICSRV,
	DC_ENT_MODULE,
	DC_ENT_TARIFF,
	DC_ENT_ADDON,
	DC_ENT_COUNT
} dc_entity;

/* "department", "ipmgr", "license", "module", "tariff", "addon". */
const char *model_entity_name(dc_entity ent);

typedef struct dc_department {
	int64_t id; /* 0 until stored */
	char name[DC_NAME_MAX];
} dc_department;

/* A panel connection without a module's parameters: an IPmanager or a
 * licence server. Fields: name, url, username, (password), cafile,
 * insecure. */
typedef struct dc_conn {
	int64_t id;
	char name[DC_NAME_MAX];
	char url[DC_URL_MAX];
	char username[DC_USER_MAX];
	char cafile[DC_PATH_MAX]; /* "" = system CAs */
	bool insecure;            /* skip TLS verification: never the default */
	bool has_password;        /* read-only: a password is stored */
} dc_conn;

/* Last connection check; ok: -1 never checked, 0 failed, 1 passed. */
typedef struct dc_check {
	int64_t at; /* unix seconds, 0 = never */
	int64_t ms; /* how long it took */
	int ok;
	char msg[DC_MSG_MAX];
} dc_check;

/* A processing module (product type dedicated server, module type
 * DCImanager). Fields: name, url, username, (password), cafile, insecure,
 * ipmgr, parking_type, license, department, sorting, enabled, wipe_disks. */
typedef struct dc_module {
	int64_t id;
	char name[DC_NAME_MAX];
	char url[DC_URL_MAX];
	char username[DC_USER_MAX];
	char cafile[DC_PATH_MAX];
	bool insecure;
	bool has_password; /* read-only */
	int64_t ipmgr_id;  /* required */
	char parking_type[DC_TYPE_MAX];
	int64_t licsrv_id;     /* 0 = none */
	int64_t department_id; /* required: receives tasks */
	int64_t sorting;       /* 0..2^31-1, lower wins */
	bool enabled;
	bool wipe_disks; /* wipe disks when a service is closed */
	dc_check check;  /* read-only here; store_module_set_check writes it */
} dc_module;

/* Add-on kinds (seed's nine, plus special_ip_block_<iptype>). */
typedef enum dc_addon_kind {
	DC_ADDON_RAM,          /* MiB */
	DC_ADDON_OS,           /* a DCImanager OS template name */
	DC_ADDON_NS,           /* name servers, space separated */
	DC_ADDON_PANEL,        /* control-panel licence name */
	DC_ADDON_PORTSPEED,    /* Mbit/s */
	DC_ADDON_TRAFFIC,      /* GiB per month */
	DC_ADDON_IPV4_PRIVATE, /* count */
	DC_ADDON_IPV6,         /* count */
	DC_ADDON_IPV4_PUBLIC,  /* count (extra, beyond the main address) */
	DC_ADDON_SPECIAL_IP,   /* count of special_ip_block_<iptype> */
	DC_ADDON_KIND_COUNT
} dc_addon_kind;

#define DC_SPECIAL_IP_PREFIX "special_ip_block_"

typedef enum dc_billing {
	DC_BILL_INCLUDED, /* fixed value */
	DC_BILL_CLIENT,   /* client selects from a list or a min..max range */
	DC_BILL_NONE,     /* "do not count": fixed value, not charged */
	DC_BILL_COUNT
} dc_billing;

/* What an add-on (or its use in a tariff) allows. included/none: `value`
 * holds the one value. client: either `list` (values joined by ",", no
 * spaces around them) or, when is_range, min..max (numeric kinds only). */
typedef struct dc_addon_values {
	dc_billing billing;
	bool is_range;
	char value[DC_VALUE_MAX];
	char list[DC_LIST_MAX];
	int64_t min, max;
} dc_addon_values;

/* Fields: name, kind, billing, values, range. `kind` is the text form
 * ("ram", ..., "special_ip_block_guardvlan9"); kind_id and iptype are
 * derived from it by model_parse_addon_kind. unit is derived too. */
typedef struct dc_addon {
	int64_t id;
	char name[DC_NAME_MAX];
	char kind[DC_NAME_MAX];
	dc_addon_kind kind_id;
	char iptype[DC_TYPE_MAX]; /* special blocks only */
	dc_addon_values v;
} dc_addon;

/* An add-on in a tariff: its own billing/values when override is set,
 * else the add-on's. */
typedef struct dc_tariff_addon {
	int64_t addon_id;
	bool override;
	dc_addon_values v;
} dc_tariff_addon;

/* Fields: name, server_type, enabled, modules, addons. */
typedef struct dc_tariff {
	int64_t id;
	char name[DC_NAME_MAX];
	char server_type[DC_TYPE_MAX];
	bool enabled;
	size_t nmodules;
	int64_t modules[DC_TARIFF_MODULES_MAX];
	size_t naddons;
	dc_tariff_addon addons[DC_TARIFF_ADDONS_MAX];
} dc_tariff;

/* ---- one field at a time ---------------------------------------------- */

/* Checks one field's text as typed in a form or given on the command line,
 * for the syntax rules that need nothing else: e.g.
 * model_check_field(DC_ENT_MODULE, "sorting", "1.5", &err) refuses with
 * field "sorting". Fields that name other records ("ipmgr", "license",
 * "department", "modules", "addons") are checked for being non-empty here
 * and for existing by store_check_field. Unknown entity/field: DC_E_INVALID
 * naming the field. */
int model_check_field(dc_entity ent, const char *field, const char *value,
                      dc_err *err);

/* The single-field rules, usable on their own. `field` is the name put in
 * err->field. */
int model_check_name(const char *field, const char *s, dc_err *err);
int model_check_url(const char *field, const char *s, dc_err *err);
int model_check_username(const char *field, const char *s, dc_err *err);
int model_check_password(const char *field, const char *s, dc_err *err);
/* "" allowed (system CAs); otherwise a readable regular file. */
int model_check_cafile(const char *field, const char *s, dc_err *err);
/* IP type / server type names as panels use them. */
int model_check_type_name(const char *field, const char *s, dc_err *err);
/* Strict decimal 0..2^31-1: "abc", "1.5", "-1", " 1", "99999999999"
 * refused. */
int model_parse_sorting(const char *s, int64_t *out, dc_err *err);
/* yes/no, on/off, true/false, 1/0 (case-insensitive). */
int model_parse_bool(const char *field, const char *s, bool *out, dc_err *err);
/* Add-on internal name: [a-z0-9_], starts with a letter, 1..64. */
int model_check_addon_name(const char *field, const char *s, dc_err *err);
/* "ram" ... "ipv4_public", or "special_ip_block_<iptype>" (iptype under
 * model_check_type_name's rules). Fills *kind and, for special blocks,
 * iptype (DC_TYPE_MAX bytes; may be NULL). */
int model_parse_addon_kind(const char *s, dc_addon_kind *kind, char *iptype,
                           dc_err *err);
int model_parse_billing(const char *s, dc_billing *out, dc_err *err);

const char *model_addon_kind_name(dc_addon_kind kind); /* "ram", ... */
const char *model_addon_unit(dc_addon_kind kind);      /* "MiB", "", "count" */
const char *model_billing_name(dc_billing b);          /* "included", ... */
/* Numeric kinds take integer values and ranges; os/ns/panel take text. */
bool model_addon_kind_numeric(dc_addon_kind kind);

/* Builds add-on values from form/command text: `values` is one value
 * (included/none) or a comma-separated list (client); `range` is "MIN..MAX"
 * (client only, numeric kinds only). Exactly one of values/range for client
 * (NULL or "" = not given). Each value is checked against the kind's rule
 * (model_check_addon_value). Refusals name "values", "range" or "billing". */
int model_addon_values_parse(dc_addon_kind kind, dc_billing billing,
                             const char *values, const char *range,
                             dc_addon_values *out, dc_err *err);
/* One value of a kind: ram/portspeed 1..2^31-1, traffic/counts 0..2^31-1
 * (strict decimal), os/panel a token [A-Za-z0-9._-], ns one or more host
 * names separated by spaces. */
int model_check_addon_value(dc_addon_kind kind, const char *field,
                            const char *s, dc_err *err);
/* Writes the values as the command line takes them back, e.g.
 * "8192,16384" or "0..8" or "1000". Returns buf. */
char *model_addon_values_str(const dc_addon_values *v, char *buf, size_t len);

/* ---- whole records ---------------------------------------------------- */

int model_check_department(const dc_department *d, dc_err *err);
/* password: the new password, or NULL when unchanged (update) - then
 * only the record's fields are checked. */
int model_check_conn(const dc_conn *c, const char *password, dc_err *err);
int model_check_module(const dc_module *m, const char *password, dc_err *err);
/* Also fills a->kind_id and a->iptype from a->kind. */
int model_check_addon(dc_addon *a, dc_err *err);
/* Syntax and self-consistency only (module/add-on ids set, no duplicates);
 * tariff.h holds the rules that need add-ons and panel facts. */
int model_check_tariff(const dc_tariff *t, dc_err *err);
int model_check_addon_values(dc_addon_kind kind, const dc_addon_values *v,
                             dc_err *err);

#endif
