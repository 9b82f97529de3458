/* lic.h - licence BILLmanager (`billmgr`) typed calls: order a control-panel
 * licence for an address, change, suspend, resume and delete it.
 *
 * Contract: as dci.h. Every [ours] detail of the licence server's wire
 * (protocol.md 6) lives in lic.c; see doc/api-assumptions.md. An order is
 * never repeated after an expired session (a lost answer could mean a
 * second licence); suspend and resume are. */
#ifndef DC_LIC_H
#define DC_LIC_H

#include <stddef.h>

#include "panel.h"

typedef struct lic_order_req {
	const char *pricelist; /* tariff of the licence, id or name */
	const char *period;    /* billing period, e.g. "1" (months) */
	const char *ip;        /* the server's main address */
	const char *licname;   /* a name for the licence */
	const char *remoteid;  /* our reference (the service id) */
} lic_order_req;

/* soft.order.param; *id gets the new licence id. */
int lic_order(panel *p, const lic_order_req *r, long *id, dc_err *err);
/* soft.edit: changes the fields of r that are not NULL (pricelist and
 * period are not changed by an edit). */
int lic_edit(panel *p, long id, const lic_order_req *r, dc_err *err);
int lic_suspend(panel *p, long id, dc_err *err);
int lic_resume(panel *p, long id, dc_err *err);
int lic_delete(panel *p, long id, dc_err *err);

/* The licences the server holds (deleted ones are not listed), so that a
 * step can look for its own (by remoteid) before ordering again. */
typedef struct lic_licence {
	long id;
	const char *pricelist, *period, *ip, *licname, *remoteid;
	const char *status; /* "active", "suspended", ... as the panel says */
} lic_licence;

typedef struct lic_licences {
	lic_licence *v;
	size_t n;
	xml_doc *doc;
} lic_licences;

int lic_list(panel *p, lic_licences **out, dc_err *err);
void lic_licences_free(lic_licences *l);
/* The first licence with that remoteid, or NULL. */
const lic_licence *lic_find_remoteid(const lic_licences *l,
                                     const char *remoteid);

#endif
