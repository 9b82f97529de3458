/* ipmgr.c - the IPmanager 5 panel of dcisim (protocol.md 5).
 *
 * State lock held in every function (simreq.h). All functions need an
 * administrator. Types are keyed by name, ranges by id, addresses by the
 * address itself (elid=ADDR). */
#include "simreq.h"
#include "xbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void type_fields(xbuf *b, const iptype *t)
{
	uint64_t fr, used;
	ippool_type_counts(t, 0, &fr, &used);
	xbuf_elem(b, "id", t->name);
	xbuf_elem(b, "name", t->name);
	xbuf_elem(b, "note", t->note);
	xbuf_addf(b, "<free>%llu</free><used>%llu</used>",
	          (unsigned long long)fr, (unsigned long long)used);
}

static int f_iptype(sim *s, simreq *r)
{
	for (size_t i = 0; i < s->ip.ntypes; i++) {
		xbuf_adds(&r->out, "<elem>");
		type_fields(&r->out, s->ip.typev[i]);
		xbuf_adds(&r->out, "</elem>");
	}
	return 0;
}

static iptype *get_type(sim *s, simreq *r, const char *key)
{
	const char *name = req_str(r, key);
	iptype *t = ippool_type(&s->ip, name);
	if (!*name)
		simerr_set(&r->err, "value", "iptype", "",
		           "address type is required");
	else if (!t)
		simerr_set(&r->err, "missed", "iptype", name,
		           "no address type '%s'", name);
	return t;
}

static int f_iptype_edit(sim *s, simreq *r)
{
	const char *note = req_get(r, "note");
	if (*req_str(r, "elid")) {
		iptype *t = get_type(s, r, "elid");
		if (!t)
			return -1;
		if (req_sok(r) && note)
			sim_setstr(&t->note, note);
		type_fields(&r->out, t);
		return 0;
	}
	if (!req_sok(r))
		return 0; /* an empty form for a new type */
	iptype *t = ippool_type_add(&s->ip, req_str(r, "name"),
	                            note ? note : "", &r->err);
	if (!t)
		return -1;
	xbuf_elem(&r->out, "id", t->name);
	return 0;
}

static int f_iptype_delete(sim *s, simreq *r)
{
	const char *name =
	    *req_str(r, "elid") ? req_str(r, "elid") : req_str(r, "name");
	if (ippool_type_del(&s->ip, name, &r->err) < 0)
		return -1;
	xbuf_flag(&r->out, "ok");
	return 0;
}

static void net_fields(xbuf *b, const ipnet *n)
{
	char gw[IPA_STRLEN];
	xbuf_addf(b, "<id>%u</id>", n->id);
	xbuf_elem(b, "net", n->text);
	if (n->has_gw)
		xbuf_elem(b, "gateway", ipa_format(&n->gw, gw));
	xbuf_elem(b, "family", ipa_family_name(n->lo.fam));
	xbuf_elem(b, "iptype", n->type->name);
	xbuf_addf(b, "<free>%llu</free><used>%llu</used>",
	          (unsigned long long)ipnet_free(n),
	          (unsigned long long)n->nused);
	xbuf_elem(b, "note", n->note);
}

static int f_ipnet(sim *s, simreq *r)
{
	const char *tf = req_str(r, "iptype");
	xbuf_reserve(&r->out, s->ip.nnets * 200);
	for (size_t i = 0; i < s->ip.nnets; i++) {
		const ipnet *n = s->ip.nets[i];
		if (*tf && strcmp(tf, n->type->name))
			continue;
		xbuf_adds(&r->out, "<elem>");
		net_fields(&r->out, n);
		xbuf_adds(&r->out, "</elem>");
	}
	return 0;
}

static ipnet *get_net(sim *s, simreq *r)
{
	unsigned id;
	if (req_id(r, "elid", &id) < 0)
		return NULL;
	ipnet *n = ippool_net(&s->ip, id);
	if (!n)
		simerr_set(&r->err, "missed", "ipnet", req_str(r, "elid"),
		           "no range %u", id);
	return n;
}

static int f_ipnet_edit(sim *s, simreq *r)
{
	const char *gw = req_get(r, "gateway"), *note = req_get(r, "note");
	const char *tname = req_str(r, "iptype"), *net = req_str(r, "net");
	if (*req_str(r, "elid")) {
		ipnet *n = get_net(s, r);
		if (!n)
			return -1;
		if (req_sok(r)) {
			iptype *t = NULL;
			if (*tname && !(t = get_type(s, r, "iptype")))
				return -1;
			if (*net && strcmp(net, n->text))
				return simerr_set(&r->err, "value", "net", net,
				                  "a range's addresses cannot "
				                  "change; delete it and "
				                  "create another");
			if (ippool_net_update(&s->ip, n, t, gw, note, &r->err) <
			    0)
				return -1;
		}
		net_fields(&r->out, n);
		return 0;
	}
	if (!req_sok(r)) {
		xbuf_adds(&r->out, "<slist name=\"iptype\">");
		for (size_t i = 0; i < s->ip.ntypes; i++) {
			xbuf_adds(&r->out, "<val key=\"");
			xbuf_addesc(&r->out, s->ip.typev[i]->name);
			xbuf_adds(&r->out, "\">");
			xbuf_addesc(&r->out, s->ip.typev[i]->name);
			xbuf_adds(&r->out, "</val>");
		}
		xbuf_adds(&r->out, "</slist>");
		return 0;
	}
	iptype *t = get_type(s, r, "iptype");
	if (!t)
		return -1;
	ipnet *n = ippool_net_add(&s->ip, net, gw, t, note, &r->err);
	if (!n)
		return -1;
	xbuf_addf(&r->out, "<id>%u</id>", n->id);
	return 0;
}

static int f_ipnet_delete(sim *s, simreq *r)
{
	ipnet *n = get_net(s, r);
	if (!n || ippool_net_del(&s->ip, n, &r->err) < 0)
		return -1;
	xbuf_flag(&r->out, "ok");
	return 0;
}

static void rec_fields(xbuf *b, const iprec *rec)
{
	char a[IPA_STRLEN];
	ipa_format(&rec->a, a);
	xbuf_elem(b, "id", a);
	xbuf_elem(b, "ip", a);
	xbuf_elem(b, "family", ipa_family_name(rec->a.fam));
	xbuf_elem(b, "iptype", rec->net->type->name);
	xbuf_elem(b, "domain", rec->domain);
	xbuf_elem(b, "note", rec->note);
	if (rec->loc)
		xbuf_addf(b, "<server>dc%d/%u</server>", rec->loc, rec->server);
}

typedef struct list_ctx {
	xbuf *b;
	const char *type;
} list_ctx;

static void list_rec(iprec *rec, void *ctx)
{
	list_ctx *c = ctx;
	if (*c->type && strcmp(c->type, rec->net->type->name))
		return;
	xbuf_adds(c->b, "<elem>");
	rec_fields(c->b, rec);
	xbuf_adds(c->b, "</elem>");
}

static int f_ip(sim *s, simreq *r)
{
	list_ctx c = {&r->out, req_str(r, "iptype")};
	xbuf_reserve(&r->out, s->ip.recs.count * 160);
	ippool_each_rec(&s->ip, list_rec, &c);
	return 0;
}

static iprec *get_rec(sim *s, simreq *r)
{
	const char *e = req_str(r, "elid");
	ipa a;
	if (ipa_parse(e, &a) < 0) {
		simerr_set(&r->err, "value", "elid", e,
		           "elid must be an address");
		return NULL;
	}
	iprec *rec = ippool_rec(&s->ip, &a);
	if (!rec)
		simerr_set(&r->err, "missed", "ip", e,
		           "address %s is not allocated", e);
	return rec;
}

static int f_ip_edit(sim *s, simreq *r)
{
	const char *domain = req_get(r, "domain"), *note = req_get(r, "note");
	if (domain && *domain && !sim_hostname_ok(domain))
		return simerr_set(&r->err, "value", "domain", domain,
		                  "not a domain name");
	if (*req_str(r, "elid")) {
		iprec *rec = get_rec(s, r);
		if (!rec)
			return -1;
		if (req_sok(r)) {
			if (domain)
				sim_setstr(&rec->domain, domain);
			if (note)
				sim_setstr(&rec->note, note);
		}
		rec_fields(&r->out, rec);
		return 0;
	}
	if (!req_sok(r)) {
		xbuf_adds(&r->out, "<slist name=\"family\"><val key=\"ipv4\">"
		                   "IPv4</val><val key=\"ipv6\">IPv6</val>"
		                   "</slist><slist name=\"iptype\">");
		for (size_t i = 0; i < s->ip.ntypes; i++) {
			xbuf_adds(&r->out, "<val key=\"");
			xbuf_addesc(&r->out, s->ip.typev[i]->name);
			xbuf_adds(&r->out, "\">");
			xbuf_addesc(&r->out, s->ip.typev[i]->name);
			xbuf_adds(&r->out, "</val>");
		}
		xbuf_adds(&r->out, "</slist>");
		return 0;
	}
	const char *fs = req_str(r, "family"), *ip = req_str(r, "ip");
	int fam = ipa_family_parse(fs);
	if (fam < 0)
		return simerr_set(&r->err, "value", "family", fs,
		                  "family must be ipv4 or ipv6");
	iptype *t = get_type(s, r, "iptype");
	if (!t)
		return -1;
	iprec *rec;
	if (*ip) {
		ipa a;
		if (ipa_parse(ip, &a) < 0)
			return simerr_set(&r->err, "value", "ip", ip,
			                  "not an address");
		if (fam && fam != a.fam)
			return simerr_set(&r->err, "value", "family", fs,
			                  "address %s is not %s", ip,
			                  ipa_family_name(fam));
		rec = ippool_alloc_at(&s->ip, &a, t, &r->err);
	} else {
		rec = ippool_alloc(&s->ip, t, fam, &r->err);
	}
	if (!rec)
		return -1;
	if (domain)
		sim_setstr(&rec->domain, domain);
	if (note)
		sim_setstr(&rec->note, note);
	char buf[IPA_STRLEN];
	xbuf_elem(&r->out, "ip", ipa_format(&rec->a, buf));
	return 0;
}

static int f_ip_delete(sim *s, simreq *r)
{
	iprec *rec = get_rec(s, r);
	if (!rec)
		return -1;
	if (rec->loc)
		return simerr_set(&r->err, "value", "elid", req_str(r, "elid"),
		                  "address is attached to server %u in dc%d; "
		                  "detach it there first (iplist.delete)",
		                  rec->server, rec->loc);
	ippool_release(&s->ip, rec);
	xbuf_flag(&r->out, "ok");
	return 0;
}

static const panel_func funcs[] = {
    {"iptype", f_iptype, SIM_LEVEL_ADMIN},
    {"iptype.edit", f_iptype_edit, SIM_LEVEL_ADMIN},
    {"iptype.delete", f_iptype_delete, SIM_LEVEL_ADMIN},
    {"ipnet", f_ipnet, SIM_LEVEL_ADMIN},
    {"ipnet.edit", f_ipnet_edit, SIM_LEVEL_ADMIN},
    {"ipnet.delete", f_ipnet_delete, SIM_LEVEL_ADMIN},
    {"ip", f_ip, SIM_LEVEL_ADMIN},
    {"ip.edit", f_ip_edit, SIM_LEVEL_ADMIN},
    {"ip.delete", f_ip_delete, SIM_LEVEL_ADMIN},
};

const panel_func *ipmgr_func(const char *name)
{
	for (size_t i = 0; i < sizeof(funcs) / sizeof(*funcs); i++)
		if (!strcmp(funcs[i].name, name))
			return &funcs[i];
	return NULL;
}
