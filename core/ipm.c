/* ipm.c - IPmanager 5 adapter; see ipm.h.
 *
 * Every [ours] detail of the IPmanager wire (protocol.md 5) is here: the
 * function and column names of types and ranges, how a type and an
 * address are named as elid, the allocation form, the family spelling.
 * doc/api-assumptions.md lists them. */
#include "ipm.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { SAFE = 1, UNSAFE = 0 };

const char *ipm_family_name(ipm_family f)
{
	return f == IPM_IPV6 ? "ipv6" : "ipv4";
}

int ipm_family_parse(const char *s, ipm_family *out)
{
	if (!s)
		return -1;
	if (!strcasecmp(s, "ipv4") || !strcmp(s, "4")) {
		*out = IPM_IPV4;
		return 0;
	}
	if (!strcasecmp(s, "ipv6") || !strcmp(s, "6")) {
		*out = IPM_IPV6;
		return 0;
	}
	return -1;
}

static const char *col(const xml_row *r, const char *name)
{
	const char *v = xml_row_get(r, name);
	return v ? v : "";
}

/* Allocates the list struct and its row array for doc; NULL + err. */
static void *list_new(size_t lsz, void **rows, size_t n, size_t esz,
                      dc_err *err)
{
	void *l = calloc(1, lsz);
	void *v = calloc(n ? n : 1, esz);
	if (!l || !v) {
		free(l);
		free(v);
		err_set(err, DC_E_NOMEM, "out of memory");
		return NULL;
	}
	*rows = v;
	return l;
}

/* ---- types ---- */

int ipm_type_list(panel *p, ipm_types **out, dc_err *err)
{
	*out = NULL;
	xml_doc *doc = NULL;
	if (panel_call(p, "iptype", NULL, SAFE, &doc, err) < 0)
		return -1;
	void *rows = NULL;
	ipm_types *l =
	    list_new(sizeof(*l), &rows, doc->nrows, sizeof(ipm_type), err);
	if (!l) {
		xml_doc_free(doc);
		return -1;
	}
	l->v = rows;
	l->doc = doc;
	for (size_t i = 0; i < doc->nrows; i++) {
		l->v[i].name = col(&doc->rows[i], "name");
		l->v[i].note = col(&doc->rows[i], "note");
		if (!l->v[i].name[0]) {
			ipm_types_free(l);
			return panel_bad_answer(p, "iptype", err,
			                        "a type has no name");
		}
	}
	l->n = doc->nrows;
	*out = l;
	return 0;
}

void ipm_types_free(ipm_types *l)
{
	if (!l)
		return;
	xml_doc_free(l->doc);
	free(l->v);
	free(l);
}

const ipm_type *ipm_type_find(const ipm_types *l, const char *name)
{
	for (size_t i = 0; l && name && i < l->n; i++)
		if (!strcmp(l->v[i].name, name))
			return &l->v[i];
	return NULL;
}

static int check_type_name(const char *name, dc_err *err)
{
	if (!name || !name[0])
		return err_field(err, DC_E_INVALID, "name",
		                 "type name is empty");
	if (strlen(name) > 48)
		return err_field(err, DC_E_INVALID, "name",
		                 "type name is longer than 48 characters");
	for (const char *c = name; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '_' && *c != '-')
			return err_field(err, DC_E_INVALID, "name",
			                 "type name may hold only letters, "
			                 "digits, '_' and '-'");
	return 0;
}

int ipm_type_create(panel *p, const char *name, const char *note, dc_err *err)
{
	if (check_type_name(name, err) < 0)
		return -1;
	const panel_param ps[] = {{"sok", "ok"},
	                          {"name", name},
	                          {"note", note ? note : ""},
	                          {NULL, NULL}};
	return panel_apply(p, "iptype.edit", ps, UNSAFE, NULL, err);
}

int ipm_type_delete(panel *p, const char *name, dc_err *err)
{
	if (check_type_name(name, err) < 0)
		return -1;
	/* A type is its own key. */
	const panel_param ps[] = {{"elid", name}, {NULL, NULL}};
	return panel_apply(p, "iptype.delete", ps, UNSAFE, NULL, err);
}

/* ---- ranges ---- */

int ipm_net_list(panel *p, ipm_nets **out, dc_err *err)
{
	*out = NULL;
	xml_doc *doc = NULL;
	if (panel_call(p, "ipnet", NULL, SAFE, &doc, err) < 0)
		return -1;
	void *rows = NULL;
	ipm_nets *l =
	    list_new(sizeof(*l), &rows, doc->nrows, sizeof(ipm_net), err);
	if (!l) {
		xml_doc_free(doc);
		return -1;
	}
	l->v = rows;
	l->doc = doc;
	for (size_t i = 0; i < doc->nrows; i++) {
		const xml_row *r = &doc->rows[i];
		ipm_net *n = &l->v[i];
		const char *id = xml_row_get(r, "id");
		if (!id || !id[0]) {
			ipm_nets_free(l);
			return panel_bad_answer(p, "ipnet", err,
			                        "a range has no id");
		}
		if (panel_field_long(p, "ipnet", "id", id, &n->id, err) < 0 ||
		    panel_field_long(p, "ipnet", "free", xml_row_get(r, "free"),
		                     &n->free, err) < 0 ||
		    panel_field_long(p, "ipnet", "used", xml_row_get(r, "used"),
		                     &n->used, err) < 0) {
			ipm_nets_free(l);
			return -1;
		}
		n->net = col(r, "net");
		n->gateway = col(r, "gateway");
		n->family = col(r, "family");
		n->iptype = col(r, "iptype");
		n->note = col(r, "note");
	}
	l->n = doc->nrows;
	*out = l;
	return 0;
}

void ipm_nets_free(ipm_nets *l)
{
	if (!l)
		return;
	xml_doc_free(l->doc);
	free(l->v);
	free(l);
}

int ipm_net_create(panel *p, const ipm_net_spec *s, long *id, dc_err *err)
{
	if (!s->net || !s->net[0])
		return err_field(err, DC_E_INVALID, "net",
		                 "range is empty; give a CIDR or a-b");
	if (!s->iptype || !s->iptype[0])
		return err_field(err, DC_E_INVALID, "iptype",
		                 "range needs an address type");
	const panel_param ps[] = {{"sok", "ok"},
	                          {"net", s->net},
	                          {"gateway", s->gateway ? s->gateway : ""},
	                          {"iptype", s->iptype},
	                          {"note", s->note ? s->note : ""},
	                          {NULL, NULL}};
	xml_doc *doc = NULL;
	if (panel_apply(p, "ipnet.edit", ps, UNSAFE, &doc, err) < 0)
		return -1;
	const char *v = xml_doc_get(doc, "id");
	long n = 0;
	int rc = 0;
	if (!v || !v[0])
		rc = panel_bad_answer(p, "ipnet.edit", err,
		                      "no id of the new range");
	else
		rc = panel_field_long(p, "ipnet.edit", "id", v, &n, err);
	if (rc == 0 && id)
		*id = n;
	xml_doc_free(doc);
	return rc;
}

int ipm_net_edit(panel *p, long id, const ipm_net_spec *s, dc_err *err)
{
	char elid[24];
	snprintf(elid, sizeof(elid), "%ld", id);
	panel_param ps[8];
	size_t n = 0;
	ps[n++] = (panel_param){"elid", elid};
	ps[n++] = (panel_param){"sok", "ok"};
	if (s->gateway)
		ps[n++] = (panel_param){"gateway", s->gateway};
	if (s->iptype)
		ps[n++] = (panel_param){"iptype", s->iptype};
	if (s->note)
		ps[n++] = (panel_param){"note", s->note};
	ps[n] = (panel_param){NULL, NULL};
	return panel_apply(p, "ipnet.edit", ps, SAFE, NULL, err);
}

int ipm_net_delete(panel *p, long id, dc_err *err)
{
	char elid[24];
	snprintf(elid, sizeof(elid), "%ld", id);
	const panel_param ps[] = {{"elid", elid}, {NULL, NULL}};
	return panel_apply(p, "ipnet.delete", ps, UNSAFE, NULL, err);
}

/* ---- addresses ---- */

int ipm_ip_list(panel *p, const char *iptype, ipm_ips **out, dc_err *err)
{
	*out = NULL;
	xml_doc *doc = NULL;
	/* The panel may filter by type; rows are filtered here too in case
	 * it does not. */
	const panel_param ps[] = {{"iptype", iptype}, {NULL, NULL}};
	if (panel_call(p, "ip", iptype ? ps : NULL, SAFE, &doc, err) < 0)
		return -1;
	void *rows = NULL;
	ipm_ips *l =
	    list_new(sizeof(*l), &rows, doc->nrows, sizeof(ipm_ip), err);
	if (!l) {
		xml_doc_free(doc);
		return -1;
	}
	l->v = rows;
	l->doc = doc;
	size_t n = 0;
	for (size_t i = 0; i < doc->nrows; i++) {
		const xml_row *r = &doc->rows[i];
		ipm_ip *a = &l->v[n];
		a->ip = col(r, "ip");
		a->family = col(r, "family");
		a->iptype = col(r, "iptype");
		a->domain = col(r, "domain");
		a->note = col(r, "note");
		if (!iptype || !strcmp(a->iptype, iptype))
			n++;
	}
	l->n = n;
	*out = l;
	return 0;
}

void ipm_ips_free(ipm_ips *l)
{
	if (!l)
		return;
	xml_doc_free(l->doc);
	free(l->v);
	free(l);
}

const ipm_ip *ipm_ip_find(const ipm_ips *l, const char *ip)
{
	for (size_t i = 0; l && ip && i < l->n; i++)
		if (!strcmp(l->v[i].ip, ip))
			return &l->v[i];
	return NULL;
}

static bool address_of(ipm_family f, const char *s)
{
	unsigned char b[16];
	return s && inet_pton(f == IPM_IPV6 ? AF_INET6 : AF_INET, s, b) == 1;
}

/* Same address, whatever the spelling (IPv6 has several). */
static bool same_address(ipm_family f, const char *x, const char *y)
{
	unsigned char a[16] = {0}, b[16] = {0};
	int af = f == IPM_IPV6 ? AF_INET6 : AF_INET;
	return inet_pton(af, x, a) == 1 && inet_pton(af, y, b) == 1 &&
	       memcmp(a, b, sizeof(a)) == 0;
}

int ipm_ip_allocate(panel *p, const ipm_alloc *a, char addr[IPM_ADDR_MAX],
                    dc_err *err)
{
	if (a->family != IPM_IPV4 && a->family != IPM_IPV6)
		return err_field(err, DC_E_INVALID, "family",
		                 "family must be IPv4 or IPv6");
	if (!a->iptype || !a->iptype[0])
		return err_field(err, DC_E_INVALID, "iptype",
		                 "no address type given");
	if (a->ip && a->ip[0] && !address_of(a->family, a->ip))
		return err_field(err, DC_E_INVALID, "ip",
		                 "'%.64s' is not an %s address", a->ip,
		                 ipm_family_name(a->family));
	panel_param ps[8];
	size_t n = 0;
	ps[n++] = (panel_param){"sok", "ok"};
	ps[n++] = (panel_param){"family", ipm_family_name(a->family)};
	ps[n++] = (panel_param){"iptype", a->iptype};
	ps[n++] = (panel_param){"domain", a->domain ? a->domain : ""};
	ps[n++] = (panel_param){"note", a->note ? a->note : ""};
	if (a->ip && a->ip[0])
		ps[n++] = (panel_param){"ip", a->ip};
	ps[n] = (panel_param){NULL, NULL};
	xml_doc *doc = NULL;
	if (panel_apply(p, "ip.edit", ps, UNSAFE, &doc, err) < 0)
		return -1;
	const char *ip = xml_doc_get(doc, "ip");
	int rc = 0;
	if (!ip || !ip[0])
		rc = panel_bad_answer(p, "ip.edit", err,
		                      "no address in the answer");
	else if (!address_of(a->family, ip))
		rc = panel_bad_answer(p, "ip.edit", err,
		                      "'%.64s' is not an %s address", ip,
		                      ipm_family_name(a->family));
	else if (a->ip && a->ip[0] && !same_address(a->family, ip, a->ip))
		rc = panel_bad_answer(p, "ip.edit", err,
		                      "asked for %.64s, got %.64s", a->ip, ip);
	if (rc == 0)
		dc_strlcpy(addr, ip, IPM_ADDR_MAX);
	xml_doc_free(doc);
	return rc;
}

int ipm_ip_release(panel *p, const char *addr, dc_err *err)
{
	unsigned char b[16];
	if (!addr || (inet_pton(AF_INET, addr, b) != 1 &&
	              inet_pton(AF_INET6, addr, b) != 1))
		return err_field(err, DC_E_INVALID, "ip",
		                 "'%.64s' is not an IP address",
		                 addr ? addr : "");
	/* An address is its own key. */
	const panel_param ps[] = {{"elid", addr}, {NULL, NULL}};
	return panel_apply(p, "ip.delete", ps, UNSAFE, NULL, err);
}
