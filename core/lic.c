/* lic.c - licence BILLmanager adapter; see lic.h.
 *
 * Every [ours] detail of the licence server's wire (protocol.md 6) is
 * here: the order form's fields and flags, the names of the edit,
 * suspend, resume and delete functions, which are safe to repeat. */
#include "lic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SAFE = 1, UNSAFE = 0 };

static bool empty(const char *s)
{
	return !s || !s[0];
}

int lic_order(panel *p, const lic_order_req *r, long *id, dc_err *err)
{
	if (empty(r->pricelist))
		return err_field(err, DC_E_INVALID, "pricelist",
		                 "no licence tariff given");
	if (empty(r->ip))
		return err_field(err, DC_E_INVALID, "ip",
		                 "a licence needs the server's address");
	const panel_param ps[] = {
	    {"sok", "ok"},
	    {"skipbasket", "on"},
	    {"pricelist", r->pricelist},
	    {"period", empty(r->period) ? "1" : r->period},
	    {"ip", r->ip},
	    {"licname", r->licname ? r->licname : ""},
	    {"remoteid", r->remoteid ? r->remoteid : ""},
	    {NULL, NULL},
	};
	xml_doc *doc = NULL;
	if (panel_apply(p, "soft.order.param", ps, UNSAFE, &doc, err) < 0)
		return -1;
	const char *v = xml_doc_get(doc, "id");
	long n = 0;
	int rc;
	if (empty(v))
		rc = panel_bad_answer(p, "soft.order.param", err,
		                      "no id of the new licence");
	else
		rc = panel_field_long(p, "soft.order.param", "id", v, &n, err);
	if (rc == 0 && n <= 0)
		rc = panel_bad_answer(p, "soft.order.param", err,
		                      "licence id %ld is not positive", n);
	if (rc == 0 && id)
		*id = n;
	xml_doc_free(doc);
	return rc;
}

static int by_id(panel *p, const char *func, long id, bool safe, dc_err *err)
{
	if (id <= 0)
		return err_field(err, DC_E_INVALID, "elid",
		                 "licence id must be positive");
	char elid[24];
	snprintf(elid, sizeof(elid), "%ld", id);
	const panel_param ps[] = {{"elid", elid}, {NULL, NULL}};
	return panel_apply(p, func, ps, safe, NULL, err);
}

int lic_edit(panel *p, long id, const lic_order_req *r, dc_err *err)
{
	if (id <= 0)
		return err_field(err, DC_E_INVALID, "elid",
		                 "licence id must be positive");
	char elid[24];
	snprintf(elid, sizeof(elid), "%ld", id);
	panel_param ps[8];
	size_t n = 0;
	ps[n++] = (panel_param){"elid", elid};
	ps[n++] = (panel_param){"sok", "ok"};
	if (r && r->ip)
		ps[n++] = (panel_param){"ip", r->ip};
	if (r && r->licname)
		ps[n++] = (panel_param){"licname", r->licname};
	if (r && r->remoteid)
		ps[n++] = (panel_param){"remoteid", r->remoteid};
	ps[n] = (panel_param){NULL, NULL};
	return panel_apply(p, "soft.edit", ps, SAFE, NULL, err);
}

int lic_suspend(panel *p, long id, dc_err *err)
{
	return by_id(p, "soft.suspend", id, SAFE, err);
}

int lic_resume(panel *p, long id, dc_err *err)
{
	return by_id(p, "soft.resume", id, SAFE, err);
}

int lic_delete(panel *p, long id, dc_err *err)
{
	return by_id(p, "soft.delete", id, UNSAFE, err);
}

static const char *col(const xml_row *r, const char *name)
{
	const char *v = xml_row_get(r, name);
	return v ? v : "";
}

int lic_list(panel *p, lic_licences **out, dc_err *err)
{
	*out = NULL;
	xml_doc *doc = NULL;
	if (panel_call(p, "soft", NULL, SAFE, &doc, err) < 0)
		return -1;
	lic_licences *l = calloc(1, sizeof(*l));
	if (l)
		l->v = calloc(doc->nrows ? doc->nrows : 1, sizeof(*l->v));
	if (!l || !l->v) {
		free(l);
		xml_doc_free(doc);
		return err_set(err, DC_E_NOMEM, "out of memory");
	}
	l->doc = doc;
	for (size_t i = 0; i < doc->nrows; i++) {
		const xml_row *r = &doc->rows[i];
		lic_licence *c = &l->v[i];
		const char *id = xml_row_get(r, "id");
		if (empty(id)) {
			lic_licences_free(l);
			return panel_bad_answer(p, "soft", err,
			                        "a licence has no id");
		}
		if (panel_field_long(p, "soft", "id", id, &c->id, err) < 0) {
			lic_licences_free(l);
			return -1;
		}
		c->pricelist = col(r, "pricelist");
		c->period = col(r, "period");
		c->ip = col(r, "ip");
		c->licname = col(r, "licname");
		c->remoteid = col(r, "remoteid");
		c->status = col(r, "status");
	}
	l->n = doc->nrows;
	*out = l;
	return 0;
}

void lic_licences_free(lic_licences *l)
{
	if (!l)
		return;
	xml_doc_free(l->doc);
	free(l->v);
	free(l);
}

const lic_licence *lic_find_remoteid(const lic_licences *l,
                                     const char *remoteid)
{
	for (size_t i = 0; l && remoteid && i < l->n; i++)
		if (!strcmp(l->v[i].remoteid, remoteid))
			return &l->v[i];
	return NULL;
}
