/* dci.c - DCImanager 5 adapter; see dci.h.
 *
 * Every [ours] detail of the DCImanager wire (protocol.md 4) is here:
 * column and parameter names, the report table names, how the owner is
 * cleared, which calls are marked safe to repeat. doc/api-assumptions.md
 * lists them. */
#include "dci.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Calls marked safe to repeat after a re-login: reads, and applies whose
 * repetition leaves the same state (enable, power on/off, port on/off and
 * speed, a domain). Creating things and rebooting are not. */
enum { SAFE = 1, UNSAFE = 0 };

#define ID_STR(buf, v) snprintf((buf), sizeof(buf), "%ld", (long)(v))

static const char *col(const xml_row *r, const char *name)
{
	const char *v = xml_row_get(r, name);
	return v ? v : "";
}

/* A required positive id column. */
static int row_id(panel *p, const char *func, const xml_row *r,
                  const char *name, long *out, dc_err *err)
{
	const char *v = xml_row_get(r, name);
	if (!v || !v[0])
		return panel_bad_answer(p, func, err, "a row has no %s", name);
	return panel_field_long(p, func, name, v, out, err);
}

static void *alloc_rows(size_t n, size_t esz, dc_err *err)
{
	void *v = calloc(n ? n : 1, esz);
	if (!v)
		err_set(err, DC_E_NOMEM, "out of memory");
	return v;
}

/* ---- servers ---- */

static int decode_server(panel *p, const xml_row *r, dci_server *s, dc_err *err)
{
	if (row_id(p, "server", r, "id", &s->id, err) < 0)
		return -1;
	s->name = col(r, "name");
	s->hostname = col(r, "hostname");
	s->ip = col(r, "ip");
	s->owner = xml_row_get(r, "owner");
	if (s->owner && !s->owner[0])
		s->owner = NULL;
	s->type = col(r, "type");
	s->rack = col(r, "rack");
	s->mac = col(r, "mac");
	s->cpu = col(r, "cpu");
	s->disk = col(r, "disk");
	if (panel_field_long(p, "server", "ram", xml_row_get(r, "ram"),
	                     &s->ram_mib, err) < 0)
		return -1;
	s->blocked = xml_row_flag(r, "blocked");
	s->hwproblem = xml_row_flag(r, "hwproblem");
	s->diag_in_progress = xml_row_flag(r, "diag_in_progress");
	s->install_in_progress = xml_row_flag(r, "install_in_progress");
	s->operation_failed = xml_row_flag(r, "operation_failed");
	s->disabled = xml_row_flag(r, "disabled");
	s->poweron = xml_row_flag(r, "poweron");
	s->poweroff = xml_row_flag(r, "poweroff");
	s->powererror = xml_row_flag(r, "powererror");
	return 0;
}

int dci_server_list(panel *p, dci_servers **out, dc_err *err)
{
	*out = NULL;
	xml_doc *doc = NULL;
	if (panel_call(p, "server", NULL, SAFE, &doc, err) < 0)
		return -1;
	dci_servers *l = calloc(1, sizeof(*l));
	if (!l || !(l->v = alloc_rows(doc->nrows, sizeof(*l->v), err))) {
		free(l);
		xml_doc_free(doc);
		return err_set(err, DC_E_NOMEM, "out of memory");
	}
	l->doc = doc;
	for (size_t i = 0; i < doc->nrows; i++)
		if (decode_server(p, &doc->rows[i], &l->v[i], err) < 0) {
			dci_servers_free(l);
			return -1;
		}
	l->n = doc->nrows;
	*out = l;
	return 0;
}

void dci_servers_free(dci_servers *l)
{
	if (!l)
		return;
	xml_doc_free(l->doc);
	free(l->v);
	free(l);
}

const dci_server *dci_server_find(const dci_servers *l, long id)
{
	for (size_t i = 0; l && i < l->n; i++)
		if (l->v[i].id == id)
			return &l->v[i];
	return NULL;
}

bool dci_server_is_free(const dci_server *s, const char *type)
{
	if (!s || s->owner)
		return false;
	if (type && strcmp(s->type, type) != 0)
		return false;
	return !s->blocked && !s->hwproblem && !s->diag_in_progress &&
	       !s->install_in_progress && !s->operation_failed;
}

/* ---- server form ---- */

int dci_server_form_get(panel *p, long id, dci_server_form **out, dc_err *err)
{
	*out = NULL;
	char elid[24];
	ID_STR(elid, id);
	const panel_param ps[] = {{"elid", elid}, {NULL, NULL}};
	xml_doc *doc = NULL;
	if (panel_call(p, "server.edit", ps, SAFE, &doc, err) < 0)
		return -1;
	dci_server_form *f = calloc(1, sizeof(*f));
	if (!f) {
		xml_doc_free(doc);
		return err_set(err, DC_E_NOMEM, "out of memory");
	}
	/* The form must at least name the server; an empty form means we
	 * are not talking to what we think. */
	if (!xml_doc_get(doc, "name") && !xml_doc_get(doc, "mac")) {
		xml_doc_free(doc);
		free(f);
		return panel_bad_answer(p, "server.edit", err,
		                        "server form has no name field");
	}
	f->doc = doc;
	f->id = id;
#define FORM(field)                                                            \
	do {                                                                   \
		const char *v_ = xml_doc_get(doc, #field);                     \
		f->field = v_ ? v_ : "";                                       \
	} while (0)
	FORM(name);
	FORM(mac);
	FORM(notes);
	FORM(type);
	FORM(hostname);
	FORM(owner);
#undef FORM
	/* Some builds show the cleared owner as the select value itself. */
	if (!strcmp(f->owner, "no_owner"))
		f->owner = "";
	*out = f;
	return 0;
}

void dci_server_form_free(dci_server_form *f)
{
	if (!f)
		return;
	xml_doc_free(f->doc);
	free(f);
}

int dci_server_form_apply(panel *p, const dci_server_form *f, dc_err *err)
{
	char elid[24];
	ID_STR(elid, f->id);
	const panel_param ps[] = {
	    {"elid", elid},
	    {"sok", "ok"},
	    {"name", f->name ? f->name : ""},
	    {"mac", f->mac ? f->mac : ""},
	    {"notes", f->notes ? f->notes : ""},
	    {"type", f->type ? f->type : ""},
	    {"owner", f->owner && f->owner[0] ? f->owner : "no_owner"},
	    {"hostname", f->hostname ? f->hostname : ""},
	    {NULL, NULL},
	};
	/* Setting the same fields twice leaves the same server. */
	return panel_apply(p, "server.edit", ps, SAFE, NULL, err);
}

int dci_server_set_owner(panel *p, long id, const char *owner,
                         const char *hostname, dc_err *err)
{
	dci_server_form *f = NULL;
	if (dci_server_form_get(p, id, &f, err) < 0)
		return -1;
	dci_server_form w = *f;
	w.owner = owner ? owner : "";
	if (hostname)
		w.hostname = hostname;
	int rc = dci_server_form_apply(p, &w, err);
	dci_server_form_free(f);
	return rc;
}

/* ---- state changes ---- */

static int server_action(panel *p, const char *func, long id, bool safe,
                         dc_err *err)
{
	char elid[24];
	ID_STR(elid, id);
	const panel_param ps[] = {{"elid", elid}, {NULL, NULL}};
	return panel_apply(p, func, ps, safe, NULL, err);
}

int dci_server_enable(panel *p, long id, dc_err *err)
{
	return server_action(p, "server.enable", id, SAFE, err);
}

int dci_server_disable(panel *p, long id, dc_err *err)
{
	return server_action(p, "server.disable", id, SAFE, err);
}

int dci_server_poweron(panel *p, long id, dc_err *err)
{
	return server_action(p, "server.poweron", id, SAFE, err);
}

int dci_server_poweroff(panel *p, long id, dc_err *err)
{
	return server_action(p, "server.poweroff", id, SAFE, err);
}

int dci_server_reboot(panel *p, long id, dc_err *err)
{
	return server_action(p, "server.reboot", id, UNSAFE, err);
}

int dci_server_install(panel *p, long id, const dci_install *in, dc_err *err)
{
	if (!in || !in->ostemplate || !in->ostemplate[0])
		return err_field(err, DC_E_INVALID, "ostemplate",
		                 "no OS template given");
	if (!in->passwd || !in->passwd[0])
		return err_field(err, DC_E_INVALID, "passwd",
		                 "no root password given");
	char elid[24];
	ID_STR(elid, id);
	/* The install form wants the password three times: the value, its
	 * confirmation and the strength-check copy. */
	const panel_param ps[] = {
	    {"elid", elid},
	    {"sok", "ok"},
	    {"operation", "ostemplate"},
	    {"ostemplate", in->ostemplate},
	    {"passwd", in->passwd},
	    {"confirm", in->passwd},
	    {"checkpasswd", in->passwd},
	    {"clearhdd", in->clearhdd ? "on" : "off"},
	    {"hostname", in->hostname ? in->hostname : ""},
	    {"recipe", in->recipe ? in->recipe : ""},
	    {"nameserver", in->nameserver ? in->nameserver : ""},
	    {NULL, NULL},
	};
	return panel_apply(p, "server.operations", ps, UNSAFE, NULL, err);
}

/* ---- OS templates ---- */

int dci_os_list(panel *p, dci_os_templates **out, dc_err *err)
{
	*out = NULL;
	xml_doc *doc = NULL;
	if (panel_call(p, "osmgr", NULL, SAFE, &doc, err) < 0)
		return -1;
	dci_os_templates *l = calloc(1, sizeof(*l));
	if (!l || !(l->v = alloc_rows(doc->nrows, sizeof(*l->v), err))) {
		free(l);
		xml_doc_free(doc);
		return err_set(err, DC_E_NOMEM, "out of memory");
	}
	l->doc = doc;
	for (size_t i = 0; i < doc->nrows; i++) {
		const xml_row *r = &doc->rows[i];
		l->v[i].name = col(r, "name");
		l->v[i].id = xml_row_get(r, "id") ? col(r, "id") : l->v[i].name;
		if (!l->v[i].name[0]) {
			dci_os_templates_free(l);
			return panel_bad_answer(p, "osmgr", err,
			                        "a template has no name");
		}
	}
	l->n = doc->nrows;
	*out = l;
	return 0;
}

void dci_os_templates_free(dci_os_templates *l)
{
	if (!l)
		return;
	xml_doc_free(l->doc);
	free(l->v);
	free(l);
}

const dci_os *dci_os_find(const dci_os_templates *l, const char *name)
{
	for (size_t i = 0; l && name && i < l->n; i++)
		if (!strcmp(l->v[i].name, name) || !strcmp(l->v[i].id, name))
			return &l->v[i];
	return NULL;
}

/* ---- connections ---- */

int dci_conn_list(panel *p, long server_id, dci_conns **out, dc_err *err)
{
	*out = NULL;
	char elid[24];
	ID_STR(elid, server_id);
	const panel_param ps[] = {{"elid", elid}, {NULL, NULL}};
	xml_doc *doc = NULL;
	if (panel_call(p, "server.connection", ps, SAFE, &doc, err) < 0)
		return -1;
	dci_conns *l = calloc(1, sizeof(*l));
	if (!l || !(l->v = alloc_rows(doc->nrows, sizeof(*l->v), err))) {
		free(l);
		xml_doc_free(doc);
		return err_set(err, DC_E_NOMEM, "out of memory");
	}
	l->doc = doc;
	for (size_t i = 0; i < doc->nrows; i++) {
		const xml_row *r = &doc->rows[i];
		dci_conn *c = &l->v[i];
		if (row_id(p, "server.connection", r, "id", &c->id, err) < 0 ||
		    panel_field_long(p, "server.connection", "speed",
		                     xml_row_get(r, "speed"), &c->speed_mbit,
		                     err) < 0) {
			dci_conns_free(l);
			return -1;
		}
		c->type = col(r, "type");
		c->port = col(r, "port");
		c->on = !strcmp(col(r, "state"), "on");
		c->func_in_progress = xml_row_flag(r, "func_in_progress");
	}
	l->n = doc->nrows;
	*out = l;
	return 0;
}

void dci_conns_free(dci_conns *l)
{
	if (!l)
		return;
	xml_doc_free(l->doc);
	free(l->v);
	free(l);
}

const dci_conn *dci_conn_find(const dci_conns *l, const char *type)
{
	for (size_t i = 0; l && type && i < l->n; i++)
		if (!strcasecmp(l->v[i].type, type))
			return &l->v[i];
	return NULL;
}

int dci_conn_set_speed(panel *p, long server_id, long conn_id, long speed_mbit,
                       dc_err *err)
{
	if (speed_mbit <= 0)
		return err_field(err, DC_E_INVALID, "portspeed",
		                 "port speed must be a positive number of "
		                 "Mbit/s");
	char plid[24], elid[24], speed[24];
	ID_STR(plid, server_id);
	ID_STR(elid, conn_id);
	ID_STR(speed, speed_mbit);
	const panel_param ps[] = {{"plid", plid},
	                          {"elid", elid},
	                          {"sok", "ok"},
	                          {"speed", speed},
	                          {NULL, NULL}};
	return panel_apply(p, "server.connection.edit", ps, SAFE, NULL, err);
}

static int conn_switch(panel *p, const char *func, long server_id, long conn_id,
                       dc_err *err)
{
	char plid[24], elid[24];
	ID_STR(plid, server_id);
	ID_STR(elid, conn_id);
	const panel_param ps[] = {{"plid", plid}, {"elid", elid}, {NULL, NULL}};
	return panel_apply(p, func, ps, SAFE, NULL, err);
}

int dci_conn_on(panel *p, long server_id, long conn_id, dc_err *err)
{
	return conn_switch(p, "server.connection.on", server_id, conn_id, err);
}

int dci_conn_off(panel *p, long server_id, long conn_id, dc_err *err)
{
	return conn_switch(p, "server.connection.off", server_id, conn_id, err);
}

/* ---- addresses ---- */

int dci_ip_list(panel *p, long server_id, dci_ips **out, dc_err *err)
{
	*out = NULL;
	char elid[24];
	ID_STR(elid, server_id);
	const panel_param ps[] = {{"elid", elid}, {NULL, NULL}};
	xml_doc *doc = NULL;
	if (panel_call(p, "iplist", ps, SAFE, &doc, err) < 0)
		return -1;
	dci_ips *l = calloc(1, sizeof(*l));
	if (!l || !(l->v = alloc_rows(doc->nrows, sizeof(*l->v), err))) {
		free(l);
		xml_doc_free(doc);
		return err_set(err, DC_E_NOMEM, "out of memory");
	}
	l->doc = doc;
	for (size_t i = 0; i < doc->nrows; i++) {
		const xml_row *r = &doc->rows[i];
		dci_ip *a = &l->v[i];
		if (row_id(p, "iplist", r, "id", &a->id, err) < 0) {
			dci_ips_free(l);
			return -1;
		}
		a->ip = col(r, "ip");
		a->domain = col(r, "domain");
		a->family = col(r, "family");
		a->iptype = col(r, "iptype");
		a->main = xml_row_flag(r, "main");
	}
	l->n = doc->nrows;
	*out = l;
	return 0;
}

void dci_ips_free(dci_ips *l)
{
	if (!l)
		return;
	xml_doc_free(l->doc);
	free(l->v);
	free(l);
}

const dci_ip *dci_ip_find(const dci_ips *l, const char *ip)
{
	for (size_t i = 0; l && ip && i < l->n; i++)
		if (!strcmp(l->v[i].ip, ip))
			return &l->v[i];
	return NULL;
}

static bool is_address(const char *s)
{
	unsigned char b[16];
	return s && (inet_pton(AF_INET, s, b) == 1 ||
	             inet_pton(AF_INET6, s, b) == 1);
}

int dci_ip_attach(panel *p, long server_id, const dci_ip_spec *a, long *ip_id,
                  char addr[DCI_ADDR_MAX], dc_err *err)
{
	bool explicit_ip = a->ip && a->ip[0];
	if (!explicit_ip && (!a->iptype || !a->iptype[0]))
		return err_field(err, DC_E_INVALID, "ip",
		                 "give an address or an address type");
	if (explicit_ip && !is_address(a->ip))
		return err_field(err, DC_E_INVALID, "ip",
		                 "'%.64s' is not an IP address", a->ip);
	char plid[24];
	ID_STR(plid, server_id);
	panel_param ps[10];
	size_t n = 0;
	ps[n++] = (panel_param){"plid", plid};
	ps[n++] = (panel_param){"sok", "ok"};
	ps[n++] = (panel_param){"ip", explicit_ip ? a->ip : ""};
	if (!explicit_ip)
		ps[n++] = (panel_param){"iptype", a->iptype};
	ps[n++] = (panel_param){"family", a->family ? a->family : "ipv4"};
	ps[n++] = (panel_param){"domain", a->domain ? a->domain : ""};
	if (a->main)
		ps[n++] = (panel_param){"main", "on"};
	ps[n] = (panel_param){NULL, NULL};
	xml_doc *doc = NULL;
	if (panel_apply(p, "iplist.edit", ps, UNSAFE, &doc, err) < 0)
		return -1;
	long id = 0;
	const char *ids = xml_doc_get(doc, "id");
	const char *ip = xml_doc_get(doc, "ip");
	int rc = 0;
	if (!ids || !ids[0])
		rc = panel_bad_answer(p, "iplist.edit", err,
		                      "no id of the attached address");
	else if (panel_field_long(p, "iplist.edit", "id", ids, &id, err) < 0)
		rc = -1;
	else if (!ip && !explicit_ip)
		rc = panel_bad_answer(p, "iplist.edit", err,
		                      "no address in the answer");
	else if (ip && !is_address(ip))
		rc = panel_bad_answer(p, "iplist.edit", err,
		                      "'%.64s' is not an IP address", ip);
	if (rc == 0) {
		if (ip_id)
			*ip_id = id;
		if (addr)
			dc_strlcpy(addr, ip ? ip : a->ip, DCI_ADDR_MAX);
	}
	xml_doc_free(doc);
	return rc;
}

int dci_ip_set_domain(panel *p, long server_id, long ip_id, const char *domain,
                      dc_err *err)
{
	char plid[24], elid[24];
	ID_STR(plid, server_id);
	ID_STR(elid, ip_id);
	const panel_param ps[] = {{"plid", plid},
	                          {"elid", elid},
	                          {"sok", "ok"},
	                          {"domain", domain ? domain : ""},
	                          {NULL, NULL}};
	return panel_apply(p, "iplist.edit", ps, SAFE, NULL, err);
}

int dci_ip_detach(panel *p, long server_id, long ip_id, dc_err *err)
{
	char plid[24], elid[24];
	ID_STR(plid, server_id);
	ID_STR(elid, ip_id);
	const panel_param ps[] = {{"plid", plid}, {"elid", elid}, {NULL, NULL}};
	return panel_apply(p, "iplist.delete", ps, UNSAFE, NULL, err);
}

/* ---- users ---- */

int dci_user_list(panel *p, dci_users **out, dc_err *err)
{
	*out = NULL;
	xml_doc *doc = NULL;
	if (panel_call(p, "user", NULL, SAFE, &doc, err) < 0)
		return -1;
	dci_users *l = calloc(1, sizeof(*l));
	if (!l || !(l->v = alloc_rows(doc->nrows, sizeof(*l->v), err))) {
		free(l);
		xml_doc_free(doc);
		return err_set(err, DC_E_NOMEM, "out of memory");
	}
	l->doc = doc;
	for (size_t i = 0; i < doc->nrows; i++) {
		const xml_row *r = &doc->rows[i];
		l->v[i].id = col(r, "id");
		l->v[i].name = col(r, "name");
		l->v[i].level = col(r, "level");
	}
	l->n = doc->nrows;
	*out = l;
	return 0;
}

void dci_users_free(dci_users *l)
{
	if (!l)
		return;
	xml_doc_free(l->doc);
	free(l->v);
	free(l);
}

const dci_user *dci_user_find(const dci_users *l, const char *name)
{
	for (size_t i = 0; l && name && i < l->n; i++)
		if (!strcmp(l->v[i].name, name))
			return &l->v[i];
	return NULL;
}

int dci_user_create(panel *p, const char *name, const char *passwd, dc_err *err)
{
	if (!name || !name[0])
		return err_field(err, DC_E_INVALID, "name",
		                 "user name is empty");
	if (!passwd || !passwd[0])
		return err_field(err, DC_E_INVALID, "passwd",
		                 "password is empty");
	const panel_param ps[] = {{"sok", "ok"},       {"name", name},
	                          {"passwd", passwd},  {"confirm", passwd},
	                          {"level", "lvUser"}, {NULL, NULL}};
	return panel_apply(p, "user.edit", ps, UNSAFE, NULL, err);
}

/* ---- reports ---- */

/* Report rows: the named table, else the first table, else plain list
 * rows (builds differ in where they put a report). */
static const xml_row *report_rows(const xml_doc *doc, const char *table,
                                  size_t *n)
{
	const xml_table *t = xml_doc_table(doc, table);
	if (!t)
		t = xml_doc_table(doc, NULL);
	if (t) {
		*n = t->nrows;
		return t->rows;
	}
	*n = doc->nrows;
	return doc->rows;
}

int dci_traffic(panel *p, const char *period, dci_traffic_list **out,
                dc_err *err)
{
	*out = NULL;
	const panel_param ps[] = {{"period", period ? period : "currentday"},
	                          {NULL, NULL}};
	xml_doc *doc = NULL;
	if (panel_call(p, "traffic", ps, SAFE, &doc, err) < 0)
		return -1;
	size_t n;
	const xml_row *rows = report_rows(doc, "traffic", &n);
	dci_traffic_list *l = calloc(1, sizeof(*l));
	if (!l || !(l->v = alloc_rows(n, sizeof(*l->v), err))) {
		free(l);
		xml_doc_free(doc);
		return err_set(err, DC_E_NOMEM, "out of memory");
	}
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		dci_traffic_row *t = &l->v[i];
		if (row_id(p, "traffic", &rows[i], "id", &t->id, err) < 0 ||
		    panel_field_double(p, "traffic", "rx",
		                       xml_row_get(&rows[i], "rx"), &t->rx,
		                       err) < 0 ||
		    panel_field_double(p, "traffic", "tx",
		                       xml_row_get(&rows[i], "tx"), &t->tx,
		                       err) < 0)
			rc = -1;
	}
	l->n = n;
	xml_doc_free(doc);
	if (rc < 0) {
		dci_traffic_list_free(l);
		return -1;
	}
	*out = l;
	return 0;
}

void dci_traffic_list_free(dci_traffic_list *l)
{
	if (!l)
		return;
	free(l->v);
	free(l);
}

int dci_traffic_burst(panel *p, const char *period, dci_burst_list **out,
                      dc_err *err)
{
	*out = NULL;
	const panel_param ps[] = {{"period", period ? period : "currentday"},
	                          {NULL, NULL}};
	xml_doc *doc = NULL;
	if (panel_call(p, "trafficburstable", ps, SAFE, &doc, err) < 0)
		return -1;
	size_t n;
	const xml_row *rows = report_rows(doc, "trafficburstable", &n);
	dci_burst_list *l = calloc(1, sizeof(*l));
	if (!l || !(l->v = alloc_rows(n, sizeof(*l->v), err))) {
		free(l);
		xml_doc_free(doc);
		return err_set(err, DC_E_NOMEM, "out of memory");
	}
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		dci_burst *b = &l->v[i];
		const char *f = "trafficburstable";
		if (row_id(p, f, &rows[i], "id", &b->id, err) < 0 ||
		    panel_field_double(p, f, "burst_in",
		                       xml_row_get(&rows[i], "burst_in"),
		                       &b->burst_in, err) < 0 ||
		    panel_field_double(p, f, "burst_out",
		                       xml_row_get(&rows[i], "burst_out"),
		                       &b->burst_out, err) < 0)
			rc = -1;
	}
	l->n = n;
	xml_doc_free(doc);
	if (rc < 0) {
		dci_burst_list_free(l);
		return -1;
	}
	*out = l;
	return 0;
}

void dci_burst_list_free(dci_burst_list *l)
{
	if (!l)
		return;
	free(l->v);
	free(l);
}

static int stat_cmp(const void *a, const void *b)
{
	long x = ((const dci_stat *)a)->time, y = ((const dci_stat *)b)->time;
	return (x > y) - (x < y);
}

static int stat_field(panel *p, const xml_row *r, const char *name, double *out,
                      dc_err *err)
{
	const char *v = xml_row_get(r, name);
	if (!v || !v[0]) {
		*out = NAN;
		return 0;
	}
	return panel_field_double(p, "server.stat", name, v, out, err);
}

/* Decodes a server.stat answer (table "stat") into a sorted list. */
static int decode_stat(panel *p, const xml_doc *doc, dci_stat_list **out,
                       dc_err *err)
{
	size_t n;
	const xml_row *rows = report_rows(doc, "stat", &n);
	dci_stat_list *l = calloc(1, sizeof(*l));
	if (!l || !(l->v = alloc_rows(n, sizeof(*l->v), err))) {
		free(l);
		return err_set(err, DC_E_NOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		dci_stat *s = &l->v[i];
		const char *t = xml_row_get(&rows[i], "time");
		if (!t || !t[0]) {
			dci_stat_list_free(l);
			return panel_bad_answer(p, "server.stat", err,
			                        "a row has no time");
		}
		if (panel_field_long(p, "server.stat", "time", t, &s->time,
		                     err) < 0 ||
		    stat_field(p, &rows[i], "in", &s->in, err) < 0 ||
		    stat_field(p, &rows[i], "out", &s->out, err) < 0 ||
		    stat_field(p, &rows[i], "power", &s->power, err) < 0) {
			dci_stat_list_free(l);
			return -1;
		}
	}
	l->n = n;
	qsort(l->v, l->n, sizeof(*l->v), stat_cmp);
	*out = l;
	return 0;
}

static void stat_params(long id, long begin, long end, char elid[24],
                        char b[24], char e[24], panel_param ps[5])
{
	snprintf(elid, 24, "%ld", id);
	snprintf(b, 24, "%ld", begin);
	snprintf(e, 24, "%ld", end);
	ps[0] = (panel_param){"elid", elid};
	ps[1] = (panel_param){"begin", b};
	ps[2] = (panel_param){"end", e};
	ps[3] = (panel_param){NULL, NULL};
}

int dci_server_stat(panel *p, long id, long begin, long end,
                    dci_stat_list **out, dc_err *err)
{
	*out = NULL;
	char elid[24], b[24], e[24];
	panel_param ps[5];
	stat_params(id, begin, end, elid, b, e, ps);
	xml_doc *doc = NULL;
	if (panel_call(p, "server.stat", ps, SAFE, &doc, err) < 0)
		return -1;
	int rc = decode_stat(p, doc, out, err);
	xml_doc_free(doc);
	return rc;
}

void dci_stat_list_free(dci_stat_list *l)
{
	if (!l)
		return;
	free(l->v);
	free(l);
}

typedef struct stat_job {
	panel *p;
	long id;
	dci_stat_done_fn done;
	void *user;
} stat_job;

static void on_stat_done(void *user, xml_doc *doc, const dc_err *err)
{
	stat_job *j = user;
	dci_stat_list *l = NULL;
	dc_err e;
	if (doc && decode_stat(j->p, doc, &l, &e) == 0)
		j->done(j->user, j->id, l, NULL);
	else
		j->done(j->user, j->id, NULL, doc ? &e : err);
	xml_doc_free(doc);
	free(j);
}

int dci_server_stat_batch(panel_batch *b, long id, long begin, long end,
                          dci_stat_done_fn done, void *user, dc_err *err)
{
	stat_job *j = malloc(sizeof(*j));
	if (!j)
		return err_set(err, DC_E_NOMEM, "out of memory");
	*j = (stat_job){panel_batch_panel(b), id, done, user};
	char elid[24], bs[24], es[24];
	panel_param ps[5];
	stat_params(id, begin, end, elid, bs, es, ps);
	if (panel_batch_add(b, "server.stat", ps, SAFE, on_stat_done, j, err) <
	    0) {
		free(j);
		return -1;
	}
	return 0;
}
