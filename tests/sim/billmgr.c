/* billmgr.c - the licence subset of a remote BILLmanager (protocol.md 6).
 *
 * State lock held in every function (simreq.h); all need an administrator.
 * A live (active or suspended) licence is unique per pricelist and
 * address: ordering a second one answers "exists" naming the first, so a
 * client repeating an order after a lost answer can find its licence.
 * `soft` (the list) is [ours]: without it a client could not read back. */
#include "simreq.h"
#include "xbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const status_names[] = {"active", "suspended", "deleted"};

static void lic_key(const sim *s, int pricelist, const char *ip, char *buf,
                    size_t len)
{
	(void)s;
	snprintf(buf, len, "%d/%s", pricelist, ip);
}

static void lic_fields(sim *s, xbuf *b, const licence *l)
{
	xbuf_addf(b, "<id>%u</id>", l->id);
	xbuf_elem(b, "pricelist", s->pricelists[l->pricelist]);
	xbuf_addf(b, "<pricelist_id>%d</pricelist_id>", l->pricelist + 1);
	xbuf_addf(b, "<period>%u</period>", l->period);
	xbuf_elem(b, "ip", l->ip);
	xbuf_elem(b, "licname", l->licname);
	xbuf_elem(b, "remoteid", l->remoteid);
	xbuf_elem(b, "status", status_names[l->status]);
}

static int f_soft(sim *s, simreq *r)
{
	for (size_t i = 0; i < s->nlic; i++) {
		if (s->lic[i]->status == LIC_DELETED)
			continue;
		xbuf_adds(&r->out, "<elem>");
		lic_fields(s, &r->out, s->lic[i]);
		xbuf_adds(&r->out, "</elem>");
	}
	return 0;
}

static void pricelist_slist(sim *s, xbuf *b)
{
	xbuf_adds(b, "<slist name=\"pricelist\">");
	for (int i = 0; i < s->npricelists; i++) {
		xbuf_addf(b, "<val key=\"%d\">", i + 1);
		xbuf_addesc(b, s->pricelists[i]);
		xbuf_adds(b, "</val>");
	}
	xbuf_adds(b, "</slist>");
}

/* Checks ip, licname, remoteid and period from the request. */
static int check_fields(simreq *r, long long *period)
{
	const char *ip = req_str(r, "ip");
	ipa a;
	if (!*ip)
		return simerr_set(&r->err, "value", "ip", "", "ip is required");
	if (ipa_parse(ip, &a) < 0)
		return simerr_set(&r->err, "value", "ip", ip, "not an address");
	if (strlen(req_str(r, "licname")) > 128)
		return simerr_set(&r->err, "value", "licname", "",
		                  "licname longer than 128");
	if (strlen(req_str(r, "remoteid")) > 128)
		return simerr_set(&r->err, "value", "remoteid", "",
		                  "remoteid longer than 128");
	return req_long(r, "period", 1, 120, 1, period);
}

static licence *live_for(sim *s, int pricelist, const char *ip)
{
	char key[128];
	lic_key(s, pricelist, ip, key, sizeof(key));
	return hmap_gets(&s->licby, key);
}

static int exists_error(simreq *r, const licence *l)
{
	return simerr_set(&r->err, "exists", "ip", l->ip,
	                  "licence %u already exists for %s", l->id, l->ip);
}

static int f_order(sim *s, simreq *r)
{
	if (!req_sok(r)) {
		pricelist_slist(s, &r->out);
		xbuf_adds(&r->out, "<period>1</period>");
		return 0;
	}
	const char *pl = req_str(r, "pricelist");
	int pi = sim_pricelist_index(s, pl);
	if (pi < 0)
		return simerr_set(&r->err, "value", "pricelist", pl,
		                  "unknown pricelist '%s'", pl);
	long long period;
	if (check_fields(r, &period) < 0)
		return -1;
	/* Normalise the address so that "exists" cannot be dodged by
	 * spelling. */
	ipa a;
	char ip[IPA_STRLEN];
	ipa_parse(req_str(r, "ip"), &a);
	ipa_format(&a, ip);
	licence *old = live_for(s, pi, ip);
	if (old)
		return exists_error(r, old);
	licence *l = sim_xcalloc(1, sizeof(*l));
	l->id = (unsigned)s->nlic + 1;
	l->pricelist = pi;
	l->period = (unsigned)period;
	l->ip = sim_xstrdup(ip);
	l->licname = sim_xstrdup(req_str(r, "licname"));
	l->remoteid = sim_xstrdup(req_str(r, "remoteid"));
	l->status = LIC_ACTIVE;
	if (s->nlic == s->caplic) {
		s->caplic = s->caplic ? s->caplic * 2 : 16;
		s->lic = sim_xrealloc(s->lic, s->caplic * sizeof(*s->lic));
	}
	s->lic[s->nlic++] = l;
	char key[128];
	lic_key(s, pi, ip, key, sizeof(key));
	hmap_puts(&s->licby, key, l);
	xbuf_addf(&r->out, "<id>%u</id>", l->id);
	return 0;
}

static licence *get_lic(sim *s, simreq *r)
{
	unsigned id;
	if (req_id(r, "elid", &id) < 0)
		return NULL;
	if (id > s->nlic || s->lic[id - 1]->status == LIC_DELETED) {
		simerr_set(&r->err, "missed", "soft", req_str(r, "elid"),
		           "no licence %u", id);
		return NULL;
	}
	return s->lic[id - 1];
}

static int f_edit(sim *s, simreq *r)
{
	licence *l = get_lic(s, r);
	if (!l)
		return -1;
	if (req_sok(r)) {
		long long period;
		if (!req_get(r, "ip")) {
			/* keep the address when the form omits it */
			if (req_long(r, "period", 1, 120, l->period, &period) <
			    0)
				return -1;
		} else {
			if (check_fields(r, &period) < 0)
				return -1;
			ipa a;
			char ip[IPA_STRLEN], key[128];
			ipa_parse(req_str(r, "ip"), &a);
			ipa_format(&a, ip);
			licence *other = live_for(s, l->pricelist, ip);
			if (other && other != l)
				return exists_error(r, other);
			lic_key(s, l->pricelist, l->ip, key, sizeof(key));
			hmap_dels(&s->licby, key);
			sim_setstr(&l->ip, ip);
			lic_key(s, l->pricelist, l->ip, key, sizeof(key));
			hmap_puts(&s->licby, key, l);
		}
		l->period = (unsigned)period;
		if (req_get(r, "licname"))
			sim_setstr(&l->licname, req_str(r, "licname"));
		if (req_get(r, "remoteid"))
			sim_setstr(&l->remoteid, req_str(r, "remoteid"));
		xbuf_flag(&r->out, "ok");
		return 0;
	}
	lic_fields(s, &r->out, l);
	pricelist_slist(s, &r->out);
	return 0;
}

static int set_status(sim *s, simreq *r, int status)
{
	licence *l = get_lic(s, r);
	if (!l)
		return -1;
	if (status == LIC_DELETED) {
		char key[128];
		lic_key(s, l->pricelist, l->ip, key, sizeof(key));
		hmap_dels(&s->licby, key);
	}
	l->status = status;
	xbuf_flag(&r->out, "ok");
	return 0;
}

static int f_suspend(sim *s, simreq *r)
{
	return set_status(s, r, LIC_SUSPENDED);
}

static int f_resume(sim *s, simreq *r)
{
	return set_status(s, r, LIC_ACTIVE);
}

static int f_delete(sim *s, simreq *r)
{
	return set_status(s, r, LIC_DELETED);
}

static const panel_func funcs[] = {
    {"soft", f_soft, SIM_LEVEL_ADMIN},
    {"soft.order.param", f_order, SIM_LEVEL_ADMIN},
    {"soft.edit", f_edit, SIM_LEVEL_ADMIN},
    {"soft.suspend", f_suspend, SIM_LEVEL_ADMIN},
    {"soft.resume", f_resume, SIM_LEVEL_ADMIN},
    {"soft.delete", f_delete, SIM_LEVEL_ADMIN},
};

const panel_func *billmgr_func(const char *name)
{
	for (size_t i = 0; i < sizeof(funcs) / sizeof(*funcs); i++)
		if (!strcmp(funcs[i].name, name))
			return &funcs[i];
	return NULL;
}
