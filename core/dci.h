/* dci.h - DCImanager 5 (`dcimgr`) typed calls: servers, server form,
 * power, OS install, OS templates, switch connections, server addresses,
 * users, traffic reports and per-server statistics.
 *
 * Contract:
 * - Every function takes a panel handle (see panel.h: one thread at a time
 *   per handle) and returns 0, or -1 with *err filled (func, URL, ...).
 * - Every wire detail of DCImanager that the project chose itself ([ours]
 *   in protocol.md: column names, parameter names, report table names,
 *   which calls are safe to repeat) lives in dci.c and nowhere else; see
 *   doc/api-assumptions.md.
 * - Result types own their memory; free each with its _free function
 *   (NULL allowed). Strings in results are never NULL unless stated
 *   ("" when the panel left the column out) and live as long as the
 *   result.
 * - Applies return when the panel accepted them; power and install are
 *   asynchronous on the panel: poll dci_server_list.
 * - Units: RAM MiB, port speed Mbit/s, stat in/out KiB per 5-minute
 *   bucket, power W, burst Mbit/s, times unix seconds. */
#ifndef DC_DCI_H
#define DC_DCI_H

#include <stdbool.h>
#include <stddef.h>

#include "panel.h"

/* ---- servers ---- */

typedef struct dci_server {
	long id;
	const char *name;
	const char *hostname; /* "free.ds" on a free server */
	const char *ip;       /* main address, "" if none */
	const char *owner;    /* NULL when the server has no owner */
	const char *type;     /* server type */
	const char *rack;
	const char *mac;
	const char *cpu;  /* hardware description, "" if not reported */
	const char *disk; /* hardware description, "" if not reported */
	long ram_mib;     /* 0 if not reported */
	bool blocked, hwproblem, diag_in_progress, install_in_progress,
	    operation_failed, disabled, poweron, poweroff, powererror;
} dci_server;

typedef struct dci_servers {
	dci_server *v;
	size_t n;
	xml_doc *doc; /* owns the strings */
} dci_servers;

int dci_server_list(panel *p, dci_servers **out, dc_err *err);
void dci_servers_free(dci_servers *l);
/* The row with that id, or NULL. */
const dci_server *dci_server_find(const dci_servers *l, long id);
/* Free server of type T (protocol.md 4): no owner, type == T (any type if
 * type is NULL), and none of blocked, hwproblem, diag_in_progress,
 * install_in_progress, operation_failed. */
bool dci_server_is_free(const dci_server *s, const char *type);

/* ---- the server form (server.edit) ---- */

typedef struct dci_server_form {
	long id;
	const char *name, *mac, *notes, *type, *hostname;
	const char *owner; /* "" when none */
	xml_doc *doc;
} dci_server_form;

int dci_server_form_get(panel *p, long id, dci_server_form **out, dc_err *err);
void dci_server_form_free(dci_server_form *f);
/* Applies every field of f (sok=ok with all fields read back, as the panel
 * expects); an empty owner is sent as no_owner, which clears it. */
int dci_server_form_apply(panel *p, const dci_server_form *f, dc_err *err);
/* Reads the form, sets owner (NULL or "": clear) and hostname (NULL: keep)
 * and applies it. */
int dci_server_set_owner(panel *p, long id, const char *owner,
                         const char *hostname, dc_err *err);

/* ---- state changes ---- */

int dci_server_enable(panel *p, long id, dc_err *err);
int dci_server_disable(panel *p, long id, dc_err *err);
int dci_server_poweron(panel *p, long id, dc_err *err);
int dci_server_poweroff(panel *p, long id, dc_err *err);
int dci_server_reboot(panel *p, long id, dc_err *err);

typedef struct dci_install {
	const char *ostemplate; /* template name or id (see dci_os_list) */
	const char *passwd;     /* root password */
	const char *hostname;
	const char *nameserver; /* NULL or "": panel default */
	const char *recipe;     /* NULL or "": none */
	bool clearhdd;          /* wipe the disks first */
} dci_install;

/* server.operations, operation=ostemplate. */
int dci_server_install(panel *p, long id, const dci_install *in, dc_err *err);

/* ---- OS templates ---- */

typedef struct dci_os {
	const char *id, *name;
} dci_os;

typedef struct dci_os_templates {
	dci_os *v;
	size_t n;
	xml_doc *doc;
} dci_os_templates;

int dci_os_list(panel *p, dci_os_templates **out, dc_err *err);
void dci_os_templates_free(dci_os_templates *l);
/* The template called name (or with that id), or NULL. */
const dci_os *dci_os_find(const dci_os_templates *l, const char *name);

/* ---- switch, IPMI and PDU connections ---- */

typedef struct dci_conn {
	long id;
	const char *type; /* "Switch", "IPMI", "PDU" */
	const char *port;
	long speed_mbit; /* 0 if not reported */
	bool on;         /* port state is "on" */
	bool func_in_progress;
} dci_conn;

typedef struct dci_conns {
	dci_conn *v;
	size_t n;
	xml_doc *doc;
} dci_conns;

int dci_conn_list(panel *p, long server_id, dci_conns **out, dc_err *err);
void dci_conns_free(dci_conns *l);
/* The first connection of that type ("Switch"), or NULL. */
const dci_conn *dci_conn_find(const dci_conns *l, const char *type);
int dci_conn_set_speed(panel *p, long server_id, long conn_id, long speed_mbit,
                       dc_err *err);
int dci_conn_on(panel *p, long server_id, long conn_id, dc_err *err);
int dci_conn_off(panel *p, long server_id, long conn_id, dc_err *err);

/* ---- a server's addresses (iplist) ---- */

typedef struct dci_ip {
	long id;
	const char *ip, *domain, *family, *iptype;
	bool main;
} dci_ip;

typedef struct dci_ips {
	dci_ip *v;
	size_t n;
	xml_doc *doc;
} dci_ips;

int dci_ip_list(panel *p, long server_id, dci_ips **out, dc_err *err);
void dci_ips_free(dci_ips *l);
/* The entry for address ip, or NULL. */
const dci_ip *dci_ip_find(const dci_ips *l, const char *ip);

typedef struct dci_ip_spec {
	const char *ip;     /* an address taken from IPmanager, or NULL/""
	                       to let the panel take one of iptype */
	const char *iptype; /* with an empty ip */
	const char *family; /* "ipv4" or "ipv6" */
	const char *domain; /* or NULL */
	bool main;          /* make it the server's main address */
} dci_ip_spec;

#define DCI_ADDR_MAX 64
/* iplist.edit create. *ip_id gets the new entry's id; addr (if not NULL)
 * gets the address, which matters when the panel chose it. */
int dci_ip_attach(panel *p, long server_id, const dci_ip_spec *a, long *ip_id,
                  char addr[DCI_ADDR_MAX], dc_err *err);
int dci_ip_set_domain(panel *p, long server_id, long ip_id, const char *domain,
                      dc_err *err);
/* iplist.delete: detaches; the address stays allocated in IPmanager. */
int dci_ip_detach(panel *p, long server_id, long ip_id, dc_err *err);

/* ---- panel users (client accounts) ---- */

typedef struct dci_user {
	const char *id, *name, *level;
} dci_user;

typedef struct dci_users {
	dci_user *v;
	size_t n;
	xml_doc *doc;
} dci_users;

int dci_user_list(panel *p, dci_users **out, dc_err *err);
void dci_users_free(dci_users *l);
const dci_user *dci_user_find(const dci_users *l, const char *name);
/* user.edit create with level=lvUser. */
int dci_user_create(panel *p, const char *name, const char *passwd,
                    dc_err *err);

/* ---- reports ---- */

typedef struct dci_traffic_row {
	long id;       /* server */
	double rx, tx; /* as the panel reports them for the period */
} dci_traffic_row;

typedef struct dci_traffic_list {
	dci_traffic_row *v;
	size_t n;
} dci_traffic_list;

/* period: "currentday", "currentmonth", ... */
int dci_traffic(panel *p, const char *period, dci_traffic_list **out,
                dc_err *err);
void dci_traffic_list_free(dci_traffic_list *l);

typedef struct dci_burst {
	long id;
	double burst_in, burst_out; /* Mbit/s */
} dci_burst;

typedef struct dci_burst_list {
	dci_burst *v;
	size_t n;
} dci_burst_list;

int dci_traffic_burst(panel *p, const char *period, dci_burst_list **out,
                      dc_err *err);
void dci_burst_list_free(dci_burst_list *l);

/* One 5-minute bucket; a missing bucket is a missing row. A column the
 * panel left out is NaN. */
typedef struct dci_stat {
	long time;      /* bucket start, unix seconds, 300-aligned */
	double in, out; /* KiB in the bucket */
	double power;   /* W, bucket mean */
} dci_stat;

typedef struct dci_stat_list {
	dci_stat *v;
	size_t n;
} dci_stat_list;

/* server.stat for [begin, end) unix seconds, rows sorted by time. */
int dci_server_stat(panel *p, long id, long begin, long end,
                    dci_stat_list **out, dc_err *err);
void dci_stat_list_free(dci_stat_list *l);

/* The same call queued on a batch (statistics for many servers at once):
 * done() runs once, on the thread running the batch, with the decoded
 * rows (ownership passes to done) or NULL and the error. */
typedef void (*dci_stat_done_fn)(void *user, long server_id,
                                 dci_stat_list *stats, const dc_err *err);
int dci_server_stat_batch(panel_batch *b, long id, long begin, long end,
                          dci_stat_done_fn done, void *user, dc_err *err);

#endif
