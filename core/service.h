/* service.h - services (dedicated servers sold to clients): the record, its
 * add-on choices, its addresses and its history, as kept in the store.
 *
 * Contract:
 * - Plain records with fixed-size, NUL-terminated text, like model.h: copy
 *   them freely; lists are malloc'd arrays the caller frees with free().
 * - Readers (service_get, service_list, ...) run outside or inside a
 *   transaction. Writers whose name ends in `_tx` must run inside a write
 *   transaction the caller opened with store_begin (the engine journals a
 *   step and the service change it implies in one transaction); they never
 *   begin or commit themselves.
 * - One dc_store per thread (store.h). Times are unix seconds (UTC).
 * - The engine (engine.h) is the only writer of status, server and
 *   addresses; this module holds no rules about when a status may change.
 *
 * Markers: every server and address dcictl takes on a panel is marked with
 * "dcictl:<store tag>:<service id>" (server notes; address note, followed by
 * ":<role>"), so that a crash between a panel call and the journal write,
 * and reconcile, can tell ours from anyone else's. The store tag is random
 * per store, so two stores on one DCImanager never take each other's. */
#ifndef DC_SERVICE_H
#define DC_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "model.h"
#include "store.h"

typedef enum svc_status {
	SVC_NEW,
	SVC_OPENING,
	SVC_ACTIVE,
	SVC_SUSPENDED,
	SVC_CLOSING,
	SVC_CLOSED,
	SVC_FAILED,
	SVC_STATUS_COUNT
} svc_status;

/* "new", "opening", "active", ... as stored. */
const char *svc_status_name(svc_status s);
int svc_status_parse(const char *s, svc_status *out);

/* What an address is for; stored as text, also the suffix of its note. */
typedef enum svc_role {
	SVC_ROLE_MAIN,    /* the public IPv4 made main at open */
	SVC_ROLE_PUBLIC,  /* ipv4_public add-on (extra) */
	SVC_ROLE_PRIVATE, /* ipv4_private add-on */
	SVC_ROLE_IPV6,    /* ipv6 add-on */
	SVC_ROLE_SPECIAL, /* special_ip_block_<type> add-on */
	SVC_ROLE_PARKING, /* parking address taken at close */
	SVC_ROLE_COUNT
} svc_role;

const char *svc_role_name(svc_role r);
int svc_role_parse(const char *s, svc_role *out);

#define SVC_HOST_MAX   254 /* host names: up to 253 bytes */
#define SVC_IP_MAX     64
#define SVC_TEXT_MAX   1024
#define SVC_MARKER_MAX 96
#define SVC_TAG_MAX    33

/* One chosen add-on value, as ordered (name and kind copied so that a
 * later change to the add-on does not change what was sold). */
typedef struct svc_addon {
	char name[DC_NAME_MAX];
	char kind[DC_NAME_MAX];
	char value[DC_VALUE_MAX];
} svc_addon;

typedef struct dc_service {
	int64_t id;
	char client[DC_USER_MAX];     /* client account (billing side) */
	char panel_user[DC_USER_MAX]; /* its user on the DCImanager panel */
	int64_t tariff_id;            /* 0 if the tariff was deleted */
	char tariff[DC_NAME_MAX];     /* its name (read-only, joined) */
	int64_t module_id;            /* 0 until chosen */
	char module[DC_NAME_MAX];     /* read-only, joined */
	int64_t server_id;            /* DCImanager server id, 0 = none */
	char server_name[DC_NAME_MAX];
	char hostname[SVC_HOST_MAX];
	svc_status status;
	char licence_id[32]; /* "" = none */
	size_t naddons;
	svc_addon addons[DC_TARIFF_ADDONS_MAX];
	int64_t created_at, updated_at, closed_at; /* closed_at 0 = open */
} dc_service;

typedef struct svc_addr {
	int64_t id;
	int64_t service_id;
	int64_t ipmgr_id;
	char ip[SVC_IP_MAX];
	char family[8]; /* "ipv4" / "ipv6" */
	char iptype[DC_TYPE_MAX];
	svc_role role;
	bool main;
	long panel_ip_id; /* DCImanager iplist id when attached, else 0 */
} svc_addr;

typedef struct svc_event {
	int64_t id;
	int64_t service_id;
	int64_t op_id; /* 0 when not from an operation */
	int64_t at;
	char text[SVC_TEXT_MAX];
} svc_event;

/* The store's random tag (hex), made by the store's migration. */
int service_store_tag(dc_store *st, char tag[SVC_TAG_MAX], dc_err *err);
/* "dcictl:<tag>:<id>" into buf (SVC_MARKER_MAX). */
char *service_marker(const char *tag, int64_t id, char *buf, size_t len);
/* Parses a marker (server notes, or an address note with ":<role>" after
 * it). Returns true and fills what is asked (each may be NULL) when s is
 * one of ours for `tag` (any tag when tag is NULL). */
bool service_marker_parse(const char *s, const char *tag, int64_t *id,
                          svc_role *role, bool *has_role);

/* Server notes: the marker is one word of them, so that an operator's
 * own text on a free server is kept (added to when claimed, given back
 * as it was when freed). Words are separated by blanks. */
/* The first word of notes that is a marker of `tag` (any tag when NULL);
 * *id (may be NULL) gets its service id. */
bool service_notes_marker(const char *notes, const char *tag, int64_t *id);
/* Whether notes carry exactly this marker as one of their words. */
bool service_notes_has(const char *notes, const char *marker);
/* notes with the marker added (when absent) / every copy removed, into
 * buf (len bytes; cut if too long). Returns buf. */
char *service_notes_add(const char *notes, const char *marker, char *buf,
                        size_t len);
char *service_notes_remove(const char *notes, const char *marker, char *buf,
                           size_t len);

/* Client account names follow the panels' user-name rule: 1..63 of
 * letters, digits, '.', '_', '-', '@'. Field "client". */
int service_check_client(const char *s, dc_err *err);
/* Host name: letters, digits, '-', '.', labels 1..63, at most 253 bytes.
 * Field "hostname". */
int service_check_hostname(const char *s, dc_err *err);

/* ---- reading ------------------------------------------------------- */

int service_get(dc_store *st, int64_t id, dc_service *out, dc_err *err);

typedef struct service_filter {
	bool include_closed; /* closed services are left out by default */
	int64_t module_id;   /* 0 = any */
	const char *client;  /* NULL = any */
} service_filter;

/* Newest first. filter may be NULL (live services only). */
int service_list(dc_store *st, const service_filter *f, dc_service **out,
                 size_t *n, dc_err *err);
/* Addresses held by the service, main first. */
int service_addrs(dc_store *st, int64_t service_id, svc_addr **out, size_t *n,
                  dc_err *err);
/* History, oldest first. */
int service_events(dc_store *st, int64_t service_id, svc_event **out, size_t *n,
                   dc_err *err);
/* The value chosen for an add-on of this kind (first one; for special
 * blocks pass the full kind "special_ip_block_T"), or NULL. */
const char *service_addon_value(const dc_service *s, const char *kind);
/* The service (not closed) on that server of that module, if any. */
int service_find_by_server(dc_store *st, int64_t module_id, long server_id,
                           int64_t *service_id, dc_err *err);

/* ---- writing (inside the caller's transaction) ---------------------- */

/* Inserts s (status, client, panel user, tariff, hostname, add-ons) and
 * sets s->id and the times. The hostname may be "" and set later. */
int service_insert_tx(dc_store *st, dc_service *s, dc_err *err);
int service_set_status_tx(dc_store *st, int64_t id, svc_status status,
                          dc_err *err);
int service_set_hostname_tx(dc_store *st, int64_t id, const char *hostname,
                            dc_err *err);
/* Module and server the service is on (server_id 0 clears both server
 * fields; module_id 0 clears the module). A second live service on the
 * same server is refused by the store (DC_E_CONFLICT): that is how two
 * processes on one store never claim one server. */
int service_set_server_tx(dc_store *st, int64_t id, int64_t module_id,
                          long server_id, const char *server_name, dc_err *err);
int service_set_licence_tx(dc_store *st, int64_t id, const char *licence_id,
                           dc_err *err);
/* Sets one add-on value (insert or replace). */
int service_set_addon_tx(dc_store *st, int64_t id, const svc_addon *a,
                         dc_err *err);
/* Seals and keeps a password for the service: which = "root" (the OS
 * root password) or "user" (the client's panel account). */
int service_set_secret_tx(dc_store *st, int64_t id, const char *which,
                          const char *password, dc_err *err);
/* Opens one (secret_free it); NULL + DC_E_NOTFOUND when none is kept. */
char *service_secret(dc_store *st, int64_t id, const char *which, dc_err *err);

/* ---- credentials: the passwords, for an operator who asks ----------- */

typedef struct svc_credentials {
	char *root; /* the OS root password, or NULL when none is kept */
	char *user; /* the panel user's password, or NULL when none is kept */
} svc_credentials;

/* Opens the passwords service id keeps (the engine makes them at the
 * install and owner steps) for showing them to an operator who asked.
 * Every reveal leaves a trace: a history line "credentials shown" with
 * `by` (who and where, e.g. "to alice on the command line") and which
 * passwords, never their values, written and committed in a transaction of
 * its own BEFORE anything is handed out; when it cannot be written nothing
 * is revealed. Runs outside a transaction. DC_E_NOTFOUND (nothing written)
 * when there is no such service or it keeps neither password yet. *out is
 * wiped with service_credentials_wipe, also after a failure. */
int service_credentials_reveal(dc_store *st, int64_t id, const char *by,
                               svc_credentials *out, dc_err *err);
void service_credentials_wipe(svc_credentials *c);

/* Records an address the service holds (a->id set). */
int service_addr_insert_tx(dc_store *st, svc_addr *a, dc_err *err);
int service_addr_set_attached_tx(dc_store *st, int64_t addr_id,
                                 long panel_ip_id, bool main, dc_err *err);
int service_addr_delete_tx(dc_store *st, int64_t addr_id, dc_err *err);
/* Clears the main flag of every address of the service. */
int service_addr_clear_main_tx(dc_store *st, int64_t service_id, dc_err *err);

/* Appends a history line (printf-style). op_id 0 = none. */
int service_event_tx(dc_store *st, int64_t service_id, int64_t op_id,
                     dc_err *err, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#endif
