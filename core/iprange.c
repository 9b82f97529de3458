/* iprange.c - see iprange.h. */
#include "iprange.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secret.h"
#include "service.h"
#include "tariff.h"

/* ---- small helpers ------------------------------------------------------ */

static void cpy(char *dst, size_t len, const char *src)
{
	dc_strlcpy(dst, src ? src : "", len);
}

/* Appends ", item" (or "item" to an empty buffer), cut to the buffer. */
static void join(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void join(char *buf, size_t len, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n + 3 >= len)
		return;
	if (n) {
		memcpy(buf + n, ", ", 3);
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

static void *xcalloc(size_t n, size_t size, dc_err *err)
{
	void *p = calloc(n ? n : 1, size);

	if (!p)
		err_set(err, DC_E_NOMEM, "out of memory");
	return p;
}

/* ---- addresses and ranges as numbers ------------------------------------ */

/* An address as (family, 16 bytes big-endian, IPv4 in the first 4). */
typedef struct ipkey {
	int af;
	unsigned char b[16];
} ipkey;

static int key_parse(const char *s, ipkey *k)
{
	memset(k, 0, sizeof(*k));
	if (!s || !*s)
		return -1;
	if (inet_pton(AF_INET, s, k->b) == 1) {
		k->af = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, k->b) == 1) {
		k->af = AF_INET6;
		return 0;
	}
	return -1;
}

static int key_cmp(const ipkey *x, const ipkey *y)
{
	if (x->af != y->af)
		return x->af < y->af ? -1 : 1;
	return memcmp(x->b, y->b, sizeof(x->b));
}

typedef struct span {
	ipkey lo, hi;
} span;

/* CIDR, "a-b" or one address. */
static int span_parse(const char *net, span *sp)
{
	char buf[IPR_NET_MAX];
	const char *slash, *dash;

	if (!net || strlen(net) >= sizeof(buf))
		return -1;
	cpy(buf, sizeof(buf), net);
	slash = strchr(buf, '/');
	dash = strchr(buf, '-');
	if (slash) {
		char *end = NULL;
		const char *p = slash + 1;
		long bits;
		int max;

		buf[slash - buf] = '\0';
		if (key_parse(buf, &sp->lo) < 0 || *p < '0' || *p > '9')
			return -1;
		bits = strtol(p, &end, 10);
		max = sp->lo.af == AF_INET ? 32 : 128;
		if (*end || bits < 0 || bits > max)
			return -1;
		sp->hi = sp->lo;
		for (int i = 0; i < max; i++) {
			unsigned char bit = (unsigned char)(0x80u >> (i % 8));

			if (i < bits)
				continue;
			sp->lo.b[i / 8] &= (unsigned char)~bit;
			sp->hi.b[i / 8] |= bit;
		}
		return 0;
	}
	if (dash) {
		buf[dash - buf] = '\0';
		if (key_parse(buf, &sp->lo) < 0 ||
		    key_parse(dash + 1, &sp->hi) < 0 ||
		    sp->lo.af != sp->hi.af || key_cmp(&sp->lo, &sp->hi) > 0)
			return -1;
		return 0;
	}
	if (key_parse(buf, &sp->lo) < 0)
		return -1;
	sp->hi = sp->lo;
	return 0;
}

static bool span_has(const span *sp, const ipkey *k)
{
	return key_cmp(&sp->lo, k) <= 0 && key_cmp(k, &sp->hi) <= 0;
}

bool iprange_net_contains(const char *net, const char *ip)
{
	span sp;
	ipkey k;

	return span_parse(net, &sp) == 0 && key_parse(ip, &k) == 0 &&
	       span_has(&sp, &k);
}

const ipm_net *iprange_net_find(const ipm_nets *l, const char *key)
{
	const char *p = key && key[0] == '#' ? key + 1 : key;
	bool numeric = p && *p;
	span want, sp;
	bool have_span;

	if (!l || !key || !*key)
		return NULL;
	for (const char *q = p; numeric && *q; q++)
		numeric = *q >= '0' && *q <= '9';
	if (numeric) {
		long id = strtol(p, NULL, 10);

		for (size_t i = 0; i < l->n; i++)
			if (l->v[i].id == id)
				return &l->v[i];
		if (key[0] == '#')
			return NULL;
	}
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].net, key))
			return &l->v[i];
	/* the same range spelt otherwise (IPv6 zeros, a-b vs CIDR) */
	have_span = span_parse(key, &want) == 0;
	for (size_t i = 0; have_span && i < l->n; i++)
		if (span_parse(l->v[i].net, &sp) == 0 &&
		    !key_cmp(&sp.lo, &want.lo) && !key_cmp(&sp.hi, &want.hi))
			return &l->v[i];
	return NULL;
}

/* Ranges sorted by their first address, for lookups of many addresses. */
typedef struct netidx {
	span sp;
	size_t i; /* index into the ipm_nets */
} netidx;

static int netidx_cmp(const void *a, const void *b)
{
	return key_cmp(&((const netidx *)a)->sp.lo,
	               &((const netidx *)b)->sp.lo);
}

static netidx *netidx_build(const ipm_nets *l, size_t *n, dc_err *err)
{
	netidx *v = xcalloc(l->n, sizeof(*v), err);

	*n = 0;
	if (!v)
		return NULL;
	for (size_t i = 0; i < l->n; i++)
		if (span_parse(l->v[i].net, &v[*n].sp) == 0)
			v[(*n)++].i = i;
	qsort(v, *n, sizeof(*v), netidx_cmp);
	return v;
}

/* The range holding k: the last one starting at or before it. Ranges do
 * not overlap in IPmanager, so that one is the only candidate. */
static const netidx *netidx_find(const netidx *v, size_t n, const ipkey *k)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (key_cmp(&v[mid].sp.lo, k) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || !span_has(&v[lo - 1].sp, k))
		return NULL;
	return &v[lo - 1];
}

/* ---- the connection ------------------------------------------------------ */

int iprange_open(iprange_ctx *c, dc_store *st, const char *name,
                 const inv_opts *o, dc_err *err)
{
	dc_conn *v = NULL;
	size_t n = 0;
	dc_err tmp;

	memset(c, 0, sizeof(*c));
	c->st = st;
	if (o)
		c->inv = *o;
	if (name && *name) {
		if (ipmgr_get_by_name(st, name, &c->conn, err) < 0) {
			if (err && err->cat == DC_E_NOTFOUND)
				err_field(err, DC_E_NOTFOUND, "ipmgr",
				          "no IPmanager connection named %.64s "
				          "(dcictl ipmgr list shows them)",
				          name);
			return -1;
		}
	} else {
		char names[300] = "";

		if (ipmgr_list(st, &v, &n, err) < 0)
			return -1;
		if (n == 0) {
			free(v);
			return err_field(err, DC_E_NOTFOUND, "ipmgr",
			                 "no IPmanager connection yet; add one "
			                 "with dcictl ipmgr add");
		}
		if (n > 1) {
			for (size_t i = 0; i < n; i++)
				join(names, sizeof(names), "%s", v[i].name);
			free(v);
			return err_field(
			    err, DC_E_INVALID, "ipmgr",
			    "%zu IPmanager connections: choose one "
			    "with --ipmgr (%s)",
			    n, names);
		}
		c->conn = v[0];
		free(v);
	}
	c->ipm = inv_ipmgr_panel(st, c->conn.id, o, err);
	if (!c->ipm)
		return -1;
	/* addresses carry a marker with the store's tag; without one (an
	 * old store) only the store's own records name holders */
	if (service_store_tag(st, c->tag, &tmp) < 0)
		c->tag[0] = '\0';
	return 0;
}

void iprange_close(iprange_ctx *c)
{
	if (!c)
		return;
	panel_free(c->ipm);
	c->ipm = NULL;
}

/* ---- what the store holds ------------------------------------------------ */

/* One address a live service of this store records on this IPmanager. */
typedef struct hold {
	ipkey k;
	svc_addr a;
	char holder[IPR_HOLDER_MAX];
	char who[DC_USER_MAX + 24]; /* "#12 alice", for refusals */
	bool seen;                  /* matched an IPmanager row */
} hold;

static int hold_cmp(const void *a, const void *b)
{
	return key_cmp(&((const hold *)a)->k, &((const hold *)b)->k);
}

static void holder_text(const dc_service *s, char *buf, size_t len)
{
	snprintf(buf, len, "#%" PRId64 " %.60s%s%.80s", s->id, s->client,
	         s->hostname[0] ? " " : "", s->hostname);
}

/* The module's IPmanager (for addresses recorded without one). */
static int64_t module_ipmgr(dc_store *st, int64_t module_id)
{
	dc_module m;
	dc_err e;

	if (!module_id || module_get(st, module_id, &m, &e) < 0)
		return 0;
	return m.ipmgr_id;
}

static int holds_load(iprange_ctx *c, hold **out, size_t *nout, dc_err *err)
{
	dc_service *sv = NULL;
	size_t ns = 0, n = 0, cap = 0;
	hold *h = NULL;
	int rc = -1;

	*out = NULL;
	*nout = 0;
	if (service_list(c->st, NULL, &sv, &ns, err) < 0)
		return -1;
	for (size_t i = 0; i < ns; i++) {
		svc_addr *a = NULL;
		size_t na = 0;
		int64_t mod_ipm = -1;

		if (service_addrs(c->st, sv[i].id, &a, &na, err) < 0)
			goto out;
		for (size_t j = 0; j < na; j++) {
			int64_t ipm = a[j].ipmgr_id;

			if (!ipm) {
				if (mod_ipm < 0)
					mod_ipm = module_ipmgr(c->st,
					                       sv[i].module_id);
				ipm = mod_ipm;
			}
			if (ipm != c->conn.id)
				continue;
			if (n == cap) {
				size_t nc = cap ? cap * 2 : 64;
				hold *nh = realloc(h, nc * sizeof(*nh));

				if (!nh) {
					free(a);
					err_set(err, DC_E_NOMEM,
					        "out of memory");
					goto out;
				}
				h = nh;
				cap = nc;
			}
			memset(&h[n], 0, sizeof(h[n]));
			if (key_parse(a[j].ip, &h[n].k) < 0)
				continue; /* not an address: nothing to match */
			h[n].a = a[j];
			holder_text(&sv[i], h[n].holder, sizeof(h[n].holder));
			snprintf(h[n].who, sizeof(h[n].who),
			         "#%" PRId64 " %.64s", sv[i].id, sv[i].client);
			n++;
		}
		free(a);
	}
	if (n)
		qsort(h, n, sizeof(*h), hold_cmp);
	*out = h;
	*nout = n;
	h = NULL;
	rc = 0;
out:
	free(h);
	free(sv);
	return rc;
}

static hold *hold_find(hold *h, size_t n, const ipkey *k)
{
	hold want;

	if (!n)
		return NULL;
	want.k = *k;
	return bsearch(&want, h, n, sizeof(*h), hold_cmp);
}

/* Who an address note says holds it (dcictl's marker), as holder text;
 * false when the note is no marker. */
/* Every service of the store by id, with whether it is closed: a
 * marker of a closed service is history, not a holder. */
typedef struct svcidx {
	int64_t id;
	bool closed;
} svcidx;

typedef struct svcset {
	svcidx *v;
	size_t n;
} svcset;

static int svcidx_cmp(const void *a, const void *b)
{
	int64_t x = ((const svcidx *)a)->id, y = ((const svcidx *)b)->id;

	return (x > y) - (x < y);
}

static int svcset_load(dc_store *st, svcset *ss, dc_err *err)
{
	service_filter f = {.include_closed = true};
	dc_service *sv = NULL;
	size_t n = 0;

	memset(ss, 0, sizeof(*ss));
	if (service_list(st, &f, &sv, &n, err) < 0)
		return -1;
	if (!(ss->v = xcalloc(n, sizeof(*ss->v), err))) {
		free(sv);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		ss->v[i] = (svcidx){sv[i].id, sv[i].status == SVC_CLOSED};
	ss->n = n;
	free(sv);
	qsort(ss->v, ss->n, sizeof(*ss->v), svcidx_cmp);
	return 0;
}

static const svcidx *svcset_find(const svcset *ss, int64_t id)
{
	svcidx want = {id, false};

	return ss->n ? bsearch(&want, ss->v, ss->n, sizeof(*ss->v), svcidx_cmp)
	             : NULL;
}

/* Who an address note says holds it (dcictl's marker), as holder text;
 * false when the note names no holder. A parking marker only says where
 * a free server's address came from, and a marker of a closed service of
 * this store is history: neither holds the address. */
static bool marker_holder(const iprange_ctx *c, const svcset *ss,
                          const char *note, int64_t *sid, char *role,
                          size_t rlen, char *buf, size_t len)
{
	int64_t id = 0;
	svc_role r = SVC_ROLE_MAIN;
	bool has_role = false;
	const svcidx *known;

	if (c->tag[0] &&
	    service_marker_parse(note, c->tag, &id, &r, &has_role)) {
		if (has_role && r == SVC_ROLE_PARKING)
			return false;
		known = svcset_find(ss, id);
		if (known && known->closed)
			return false;
		snprintf(buf, len, "#%" PRId64 " (%s)", id,
		         known ? "marked; the service does not record it"
		               : "marked; no such service");
		*sid = id;
	} else if (service_marker_parse(note, NULL, &id, &r, &has_role)) {
		if (has_role && r == SVC_ROLE_PARKING)
			return false;
		snprintf(buf, len, "#%" PRId64 " of another dcictl store", id);
		*sid = 0; /* not one of ours: no service id to filter on */
	} else {
		return false;
	}
	cpy(role, rlen, has_role ? svc_role_name(r) : "");
	return true;
}

/* ---- views ----------------------------------------------------------------
 */

void iprange_view_free(iprange_view *v)
{
	if (!v)
		return;
	free(v->types);
	free(v->nets);
	free(v->addrs);
	memset(v, 0, sizeof(*v));
}

static void refresh_types(iprange_ctx *c, const int64_t *extra, size_t nextra);
static bool name_in(char *const *v, size_t n, const char *name);

/* Types changed behind dcictl's back (or never fetched): the modules on
 * this connection get their cached types fetched again, so the flags
 * follow what was just read. Equal sets cost one store read. */
static void sync_cache(iprange_ctx *c, const ipm_types *tl)
{
	inv_module *mv = NULL;
	size_t nm = 0;
	bool differ = false;
	dc_err e;

	if (inv_load(c->st, NULL, 0, &mv, &nm, &e) < 0)
		return;
	for (size_t i = 0; i < nm && !differ; i++) {
		const inv_module *m = &mv[i];

		if (m->ipmgr_id != c->conn.id)
			continue;
		differ = m->iptypes.at <= 0 || m->niptypes != tl->n;
		for (size_t k = 0; k < tl->n && !differ; k++)
			differ = !name_in(m->iptype_names, m->niptypes,
			                  tl->v[k].name);
	}
	inv_modules_free(mv, nm);
	if (differ)
		refresh_types(c, NULL, 0);
}

static int load_types(iprange_ctx *c, const ipm_nets *nets, iprange_view *v,
                      dc_err *err)
{
	ipm_types *tl = NULL;
	dc_addon *av = NULL;
	dc_module *mv = NULL;
	size_t na = 0, nm = 0;
	int rc = -1;

	if (ipm_type_list(c->ipm, &tl, err) < 0 ||
	    addon_list(c->st, &av, &na, err) < 0 ||
	    module_list(c->st, &mv, &nm, err) < 0)
		goto out;
	if (!(v->types = xcalloc(tl->n, sizeof(*v->types), err)))
		goto out;
	for (size_t i = 0; i < tl->n; i++) {
		iprange_type *t = &v->types[i];

		cpy(t->name, sizeof(t->name), tl->v[i].name);
		cpy(t->note, sizeof(t->note), tl->v[i].note);
		for (size_t j = 0; j < nets->n; j++)
			if (!strcmp(nets->v[j].iptype, t->name)) {
				t->nranges++;
				t->free += nets->v[j].free;
				t->used += nets->v[j].used;
			}
		for (size_t j = 0; j < na; j++)
			if (av[j].kind_id == DC_ADDON_SPECIAL_IP &&
			    !strcmp(av[j].iptype, t->name))
				join(t->addons, sizeof(t->addons), "%s",
				     av[j].name);
		for (size_t j = 0; j < nm; j++)
			if (mv[j].ipmgr_id == c->conn.id &&
			    !strcmp(mv[j].parking_type, t->name))
				join(t->parking, sizeof(t->parking), "%s",
				     mv[j].name);
	}
	v->ntypes = tl->n;
	sync_cache(c, tl);
	rc = 0;
out:
	ipm_types_free(tl);
	free(av);
	free(mv);
	return rc;
}

static void net_copy(iprange_net *d, const ipm_net *s)
{
	d->id = s->id;
	cpy(d->net, sizeof(d->net), s->net);
	cpy(d->gateway, sizeof(d->gateway), s->gateway);
	cpy(d->family, sizeof(d->family), s->family);
	cpy(d->iptype, sizeof(d->iptype), s->iptype);
	cpy(d->note, sizeof(d->note), s->note);
	d->free = s->free;
	d->used = s->used;
}

static int add_addr(iprange_view *v, size_t *cap, const iprange_addr *a,
                    dc_err *err)
{
	if (v->naddrs == *cap) {
		size_t nc = *cap ? *cap * 2 : 256;
		iprange_addr *na = realloc(v->addrs, nc * sizeof(*na));

		if (!na)
			return err_set(err, DC_E_NOMEM, "out of memory");
		v->addrs = na;
		*cap = nc;
	}
	v->addrs[v->naddrs++] = *a;
	return 0;
}

int iprange_load(iprange_ctx *c, unsigned what, const iprange_filter *f,
                 iprange_view *out, dc_err *err)
{
	ipm_nets *nl = NULL;
	ipm_ips *il = NULL;
	netidx *ni = NULL;
	hold *h = NULL;
	svcset ss = {0};
	size_t nni = 0, nh = 0, cap = 0;
	const ipm_net *fnet = NULL;
	const char *ftype = f && f->iptype && *f->iptype ? f->iptype : NULL;
	int64_t fsvc = f ? f->service_id : 0;
	iprange_view v;
	int rc = -1;

	memset(&v, 0, sizeof(v));
	memset(out, 0, sizeof(*out));
	if (ipm_net_list(c->ipm, &nl, err) < 0)
		goto out;
	if (f && f->net && *f->net && !(fnet = iprange_net_find(nl, f->net))) {
		err_field(err, DC_E_NOTFOUND, "range",
		          "IPmanager %s has no range %.96s", c->conn.name,
		          f->net);
		goto out;
	}
	if ((what & IPR_TYPES) && load_types(c, nl, &v, err) < 0)
		goto out;
	if (what & (IPR_NETS | IPR_ADDRS)) {
		if (holds_load(c, &h, &nh, err) < 0 ||
		    !(ni = netidx_build(nl, &nni, err)))
			goto out;
	}
	if (what & IPR_NETS) {
		if (!(v.nets = xcalloc(nl->n, sizeof(*v.nets), err)))
			goto out;
		for (size_t i = 0; i < nl->n; i++)
			net_copy(&v.nets[i], &nl->v[i]);
		v.nnets = nl->n;
		for (size_t i = 0; i < nh; i++) {
			const netidx *x = netidx_find(ni, nni, &h[i].k);

			if (x)
				v.nets[x->i].held++;
		}
	}
	if (what & IPR_ADDRS) {
		/* the panel filters by type; a range filter narrows the type */
		const char *ask = ftype ? ftype : fnet ? fnet->iptype : NULL;

		if (svcset_load(c->st, &ss, err) < 0 ||
		    ipm_ip_list(c->ipm, ask, &il, err) < 0)
			goto out;
		for (size_t i = 0; i < il->n; i++) {
			const ipm_ip *r = &il->v[i];
			iprange_addr a;
			ipkey k;
			const netidx *x;
			hold *hd;

			memset(&a, 0, sizeof(a));
			cpy(a.ip, sizeof(a.ip), r->ip);
			cpy(a.family, sizeof(a.family), r->family);
			cpy(a.iptype, sizeof(a.iptype), r->iptype);
			cpy(a.domain, sizeof(a.domain), r->domain);
			cpy(a.note, sizeof(a.note), r->note);
			a.in_ipm = true;
			if (key_parse(r->ip, &k) == 0) {
				if ((x = netidx_find(ni, nni, &k))) {
					a.net_id = nl->v[x->i].id;
					cpy(a.net, sizeof(a.net),
					    nl->v[x->i].net);
				}
				if ((hd = hold_find(h, nh, &k))) {
					hd->seen = true;
					a.in_store = true;
					a.service_id = hd->a.service_id;
					cpy(a.holder, sizeof(a.holder),
					    hd->holder);
					cpy(a.role, sizeof(a.role),
					    svc_role_name(hd->a.role));
				}
			}
			if (!a.in_store)
				marker_holder(c, &ss, r->note, &a.service_id,
				              a.role, sizeof(a.role), a.holder,
				              sizeof(a.holder));
			if (ftype && strcmp(a.iptype, ftype))
				continue;
			if (fnet && a.net_id != fnet->id)
				continue;
			if (fsvc && a.service_id != fsvc)
				continue;
			if (add_addr(&v, &cap, &a, err) < 0)
				goto out;
		}
		/* drift: recorded by a service, not allocated in IPmanager */
		for (size_t i = 0; i < nh; i++) {
			iprange_addr a;
			const netidx *x;

			if (h[i].seen)
				continue;
			memset(&a, 0, sizeof(a));
			cpy(a.ip, sizeof(a.ip), h[i].a.ip);
			cpy(a.family, sizeof(a.family), h[i].a.family);
			cpy(a.iptype, sizeof(a.iptype), h[i].a.iptype);
			cpy(a.note, sizeof(a.note),
			    "not allocated in IPmanager");
			if ((x = netidx_find(ni, nni, &h[i].k))) {
				a.net_id = nl->v[x->i].id;
				cpy(a.net, sizeof(a.net), nl->v[x->i].net);
			}
			a.in_store = true;
			a.service_id = h[i].a.service_id;
			cpy(a.holder, sizeof(a.holder), h[i].holder);
			cpy(a.role, sizeof(a.role), svc_role_name(h[i].a.role));
			if ((ftype && strcmp(a.iptype, ftype)) ||
			    (fnet && a.net_id != fnet->id) ||
			    (fsvc && a.service_id != fsvc))
				continue;
			if (add_addr(&v, &cap, &a, err) < 0)
				goto out;
		}
	}
	*out = v;
	memset(&v, 0, sizeof(v));
	rc = 0;
out:
	iprange_view_free(&v);
	ipm_nets_free(nl);
	ipm_ips_free(il);
	free(ss.v);
	free(ni);
	free(h);
	return rc;
}

int iprange_find_service(dc_store *st, const char *key, int64_t *id,
                         dc_err *err)
{
	const char *p = key && key[0] == '#' ? key + 1 : key;
	bool numeric = p && *p;
	dc_service *sv = NULL;
	size_t n = 0, hits = 0;

	if (!key || !*key)
		return err_field(err, DC_E_INVALID, "service",
		                 "service is empty; give its id or host name");
	for (const char *q = p; numeric && *q; q++)
		numeric = *q >= '0' && *q <= '9';
	if (numeric) {
		dc_service s;
		char *end;
		long long v = strtoll(p, &end, 10);

		if (service_get(st, (int64_t)v, &s, err) < 0) {
			if (err && err->cat == DC_E_NOTFOUND)
				err_field(err, DC_E_NOTFOUND, "service",
				          "no service #%lld", v);
			return -1;
		}
		*id = s.id;
		return 0;
	}
	if (service_list(st, NULL, &sv, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(sv[i].hostname, key)) {
			*id = sv[i].id;
			hits++;
		}
	free(sv);
	if (hits == 1)
		return 0;
	if (hits > 1)
		return err_field(err, DC_E_INVALID, "service",
		                 "%zu live services have host name %.64s; "
		                 "give the id",
		                 hits, key);
	return err_field(err, DC_E_NOTFOUND, "service",
	                 "no live service with id or host name %.64s", key);
}

/* ---- inventory after a change -------------------------------------------- */

/* The cached IPmanager types of the modules on this connection (and of
 * extra modules) are fetched again. A panel that does not answer is
 * recorded on the module by inv_fetch; only the store can fail here, and
 * that is not the change's failure, so the error is dropped. */
static void refresh_types(iprange_ctx *c, const int64_t *extra, size_t nextra)
{
	dc_module *mv = NULL;
	size_t nm = 0, n = 0;
	int64_t *ids;
	dc_err e;

	if (module_list(c->st, &mv, &nm, &e) < 0)
		return;
	ids = calloc(nm + nextra + 1, sizeof(*ids));
	if (!ids) {
		free(mv);
		return;
	}
	for (size_t i = 0; i < nm; i++) {
		bool want = mv[i].ipmgr_id == c->conn.id;

		for (size_t j = 0; !want && j < nextra; j++)
			want = extra[j] == mv[i].id;
		if (want)
			ids[n++] = mv[i].id;
	}
	if (n)
		inv_fetch(c->st, ids, n, INV_IPTYPES, 0, &c->inv, NULL, &e);
	free(ids);
	free(mv);
}

/* ---- guards ------------------------------------------------------------- */

int iprange_type_users(iprange_ctx *c, const char *name, char *buf, size_t len,
                       dc_err *err)
{
	dc_addon *av = NULL;
	dc_tariff *tv = NULL;
	dc_module *mv = NULL;
	hold *h = NULL;
	size_t na = 0, nt = 0, nm = 0, nh = 0, held = 0;
	char svcs[256] = "";
	int rc = -1;

	buf[0] = '\0';
	if (addon_list(c->st, &av, &na, err) < 0 ||
	    tariff_list(c->st, &tv, &nt, err) < 0 ||
	    module_list(c->st, &mv, &nm, err) < 0 ||
	    holds_load(c, &h, &nh, err) < 0)
		goto out;
	for (size_t i = 0; i < na; i++) {
		char tariffs[200] = "";

		if (av[i].kind_id != DC_ADDON_SPECIAL_IP ||
		    strcmp(av[i].iptype, name))
			continue;
		for (size_t j = 0; j < nt; j++)
			for (size_t k = 0; k < tv[j].naddons; k++)
				if (tv[j].addons[k].addon_id == av[i].id)
					join(tariffs, sizeof(tariffs), "%s",
					     tv[j].name);
		if (tariffs[0])
			join(buf, len, "add-on %s (tariffs: %s)", av[i].name,
			     tariffs);
		else
			join(buf, len, "add-on %s (in no tariff)", av[i].name);
	}
	for (size_t i = 0; i < nm; i++)
		if (mv[i].ipmgr_id == c->conn.id &&
		    !strcmp(mv[i].parking_type, name))
			join(buf, len, "module %s parks free servers there",
			     mv[i].name);
	for (size_t i = 0; i < nh; i++)
		if (!strcmp(h[i].a.iptype, name)) {
			held++;
			if (!strstr(svcs, h[i].holder))
				join(svcs, sizeof(svcs), "%s", h[i].holder);
		}
	if (held)
		join(buf, len, "%zu address%s held by service%s %s", held,
		     held == 1 ? "" : "es", strchr(svcs, ',') ? "s" : "", svcs);
	rc = 0;
out:
	free(av);
	free(tv);
	free(mv);
	free(h);
	return rc;
}

int iprange_type_add(iprange_ctx *c, const char *name, const char *note,
                     dc_err *err)
{
	if (model_check_type_name("name", name, err) < 0)
		return -1;
	if (ipm_type_create(c->ipm, name, note ? note : "", err) < 0) {
		err_prefix(err, "IPmanager %s: type %s not created",
		           c->conn.name, name);
		return -1;
	}
	refresh_types(c, NULL, 0);
	return 0;
}

int iprange_type_delete(iprange_ctx *c, const char *name, dc_err *err)
{
	char users[IPR_USERS_MAX];
	ipm_types *tl = NULL;
	bool exists;

	if (model_check_type_name("name", name, err) < 0 ||
	    ipm_type_list(c->ipm, &tl, err) < 0)
		return -1;
	exists = ipm_type_find(tl, name) != NULL;
	ipm_types_free(tl);
	if (!exists)
		return err_field(err, DC_E_NOTFOUND, "name",
		                 "IPmanager %s has no type %.64s", c->conn.name,
		                 name);
	if (iprange_type_users(c, name, users, sizeof(users), err) < 0)
		return -1;
	if (users[0])
		return err_field(err, DC_E_CONFLICT, "name",
		                 "type %s is in use, not deleted: %s", name,
		                 users);
	if (ipm_type_delete(c->ipm, name, err) < 0) {
		err_prefix(err, "IPmanager %s: type %s not deleted",
		           c->conn.name, name);
		return -1;
	}
	refresh_types(c, NULL, 0);
	return 0;
}

/* Holders of the addresses in sp: the store's records and the markers in
 * the IPmanager's notes of addresses of that type, each address once. */
static int holders_of(iprange_ctx *c, const span *sp, const char *iptype,
                      char *buf, size_t len, long *count, dc_err *err)
{
	hold *h = NULL;
	size_t nh = 0;
	ipm_ips *il = NULL;
	svcset ss = {0};
	long n = 0;

	buf[0] = '\0';
	*count = 0;
	if (holds_load(c, &h, &nh, err) < 0 ||
	    svcset_load(c->st, &ss, err) < 0 ||
	    ipm_ip_list(c->ipm, iptype, &il, err) < 0) {
		free(h);
		free(ss.v);
		return -1;
	}
	for (size_t i = 0; i < nh; i++)
		if (span_has(sp, &h[i].k)) {
			n++;
			if (!strstr(buf, h[i].who))
				join(buf, len, "%s", h[i].who);
		}
	for (size_t i = 0; i < il->n; i++) {
		char who[IPR_HOLDER_MAX], role[16];
		int64_t sid;
		ipkey k;

		if (key_parse(il->v[i].ip, &k) < 0 || !span_has(sp, &k) ||
		    hold_find(h, nh, &k) ||
		    !marker_holder(c, &ss, il->v[i].note, &sid, role,
		                   sizeof(role), who, sizeof(who)))
			continue;
		n++;
		if (!strstr(buf, who))
			join(buf, len, "%s", who);
	}
	ipm_ips_free(il);
	free(h);
	free(ss.v);
	*count = n;
	return 0;
}

int iprange_net_holders(iprange_ctx *c, const char *net, char *buf, size_t len,
                        long *count, dc_err *err)
{
	ipm_nets *nl = NULL;
	const ipm_net *n;
	span sp;
	int rc;

	if (ipm_net_list(c->ipm, &nl, err) < 0)
		return -1;
	n = iprange_net_find(nl, net);
	if (!n) {
		ipm_nets_free(nl);
		return err_field(err, DC_E_NOTFOUND, "range",
		                 "IPmanager %s has no range %.96s",
		                 c->conn.name, net);
	}
	if (span_parse(n->net, &sp) < 0) {
		rc = err_field(err, DC_E_INVALID, "range",
		               "IPmanager %s: range %.96s is not a CIDR or a-b "
		               "range",
		               c->conn.name, n->net);
	} else {
		rc = holders_of(c, &sp, n->iptype, buf, len, count, err);
	}
	ipm_nets_free(nl);
	return rc;
}

/* DC_E_CONFLICT when services hold addresses of range n. */
static int refuse_if_held(iprange_ctx *c, const ipm_net *n, const char *what,
                          dc_err *err)
{
	char who[IPR_USERS_MAX];
	long cnt = 0;
	span sp;

	if (span_parse(n->net, &sp) < 0)
		return err_field(err, DC_E_INVALID, "range",
		                 "range %.96s is not a CIDR or a-b range",
		                 n->net);
	if (holders_of(c, &sp, n->iptype, who, sizeof(who), &cnt, err) < 0)
		return -1;
	if (cnt) {
		/* the reason first: message lines are cut at the screen edge */
		bool many = strchr(who, ',') != NULL;

		return err_field(
		    err, DC_E_CONFLICT, "range",
		    "refused: service%s %s hold%s %ld address%s of "
		    "range %s (%s)",
		    many ? "s" : "", who, many ? "" : "s", cnt,
		    cnt == 1 ? "" : "es", n->net, what);
	}
	return 0;
}

int iprange_net_add(iprange_ctx *c, const ipm_net_spec *s, long *id,
                    dc_err *err)
{
	span sp;

	if (!s->net || span_parse(s->net, &sp) < 0)
		return err_field(err, DC_E_INVALID, "net",
		                 "range \"%.96s\" is not a CIDR (192.0.2.0/24) "
		                 "or a-b range",
		                 s->net ? s->net : "");
	if (model_check_type_name("type", s->iptype, err) < 0)
		return -1;
	if (s->gateway && *s->gateway) {
		ipkey g;

		if (key_parse(s->gateway, &g) < 0 || g.af != sp.lo.af ||
		    !span_has(&sp, &g))
			return err_field(err, DC_E_INVALID, "gateway",
			                 "gateway %.64s is not an address of "
			                 "%.96s",
			                 s->gateway, s->net);
	}
	if (ipm_net_create(c->ipm, s, id, err) < 0) {
		err_prefix(err, "IPmanager %s: range %s not created",
		           c->conn.name, s->net);
		return -1;
	}
	return 0;
}

int iprange_net_edit(iprange_ctx *c, const char *key, const ipm_net_spec *s,
                     dc_err *err)
{
	ipm_nets *nl = NULL;
	const ipm_net *n;
	int rc = -1;

	if (s->iptype && model_check_type_name("type", s->iptype, err) < 0)
		return -1;
	if (ipm_net_list(c->ipm, &nl, err) < 0)
		return -1;
	if (!(n = iprange_net_find(nl, key))) {
		err_field(err, DC_E_NOTFOUND, "range",
		          "IPmanager %s has no range %.96s", c->conn.name, key);
		goto out;
	}
	if (s->gateway && *s->gateway &&
	    !iprange_net_contains(n->net, s->gateway)) {
		err_field(err, DC_E_INVALID, "gateway",
		          "gateway %.64s is not an address of %.96s",
		          s->gateway, n->net);
		goto out;
	}
	if (s->iptype && strcmp(s->iptype, n->iptype)) {
		char what[160];

		snprintf(what, sizeof(what), "change of type %s -> %s",
		         n->iptype, s->iptype);
		if (refuse_if_held(c, n, what, err) < 0)
			goto out;
	}
	if (ipm_net_edit(c->ipm, n->id, s, err) < 0) {
		err_prefix(err, "IPmanager %s: range %s not changed",
		           c->conn.name, n->net);
		goto out;
	}
	rc = 0;
out:
	ipm_nets_free(nl);
	return rc;
}

int iprange_net_delete(iprange_ctx *c, const char *key, dc_err *err)
{
	ipm_nets *nl = NULL;
	const ipm_net *n;
	int rc = -1;

	if (ipm_net_list(c->ipm, &nl, err) < 0)
		return -1;
	if (!(n = iprange_net_find(nl, key))) {
		err_field(err, DC_E_NOTFOUND, "range",
		          "IPmanager %s has no range %.96s", c->conn.name, key);
		goto out;
	}
	if (refuse_if_held(c, n, "deletion", err) < 0)
		goto out;
	if (ipm_net_delete(c->ipm, n->id, err) < 0) {
		err_prefix(err, "IPmanager %s: range %s not deleted",
		           c->conn.name, n->net);
		goto out;
	}
	rc = 0;
out:
	ipm_nets_free(nl);
	return rc;
}

/* ---- flags -------------------------------------------------------------- */

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool name_in(char *const *v, size_t n, const char *name)
{
	return n && bsearch(&name, v, n, sizeof(*v), cmp_strp) != NULL;
}

int iprange_addon_flags(dc_store *st, const char *tariff, iprange_flag **out,
                        size_t *nout, dc_err *err)
{
	dc_tariff *tv = NULL;
	dc_addon *av = NULL;
	dc_conn *cv = NULL;
	inv_module *mv = NULL;
	size_t nt = 0, na = 0, nc = 0, nm = 0, n = 0, cap = 0;
	iprange_flag *f = NULL;
	int rc = -1;

	*out = NULL;
	*nout = 0;
	if (tariff) {
		if (!(tv = xcalloc(1, sizeof(*tv), err)) ||
		    tariff_get_by_name(st, tariff, tv, err) < 0)
			goto out;
		nt = 1;
	} else if (tariff_list(st, &tv, &nt, err) < 0) {
		goto out;
	}
	if (addon_list(st, &av, &na, err) < 0 ||
	    ipmgr_list(st, &cv, &nc, err) < 0 ||
	    inv_load(st, NULL, 0, &mv, &nm, err) < 0)
		goto out;
	for (size_t i = 0; i < nt; i++) {
		const dc_tariff *t = &tv[i];

		for (size_t j = 0; j < t->naddons; j++) {
			const dc_addon *a = NULL;

			for (size_t k = 0; k < na && !a; k++)
				if (av[k].id == t->addons[j].addon_id)
					a = &av[k];
			if (!a || a->kind_id != DC_ADDON_SPECIAL_IP)
				continue;
			for (size_t k = 0; k < t->nmodules; k++) {
				const inv_module *m =
				    inv_find(mv, nm, t->modules[k]);
				const char *ipm = "?";
				iprange_flag fl;

				if (!m)
					continue;
				for (size_t x = 0; x < nc; x++)
					if (cv[x].id == m->ipmgr_id)
						ipm = cv[x].name;
				memset(&fl, 0, sizeof(fl));
				if (m->iptypes.at <= 0) {
					fl.unknown = true;
					if (m->iptypes.error[0])
						snprintf(
						    fl.why, sizeof(fl.why),
						    "types of IPmanager %s "
						    "could not be read: %.150s",
						    ipm, m->iptypes.error);
					else
						snprintf(
						    fl.why, sizeof(fl.why),
						    "types of IPmanager %s "
						    "not read yet",
						    ipm);
				} else if (!name_in(m->iptype_names,
				                    m->niptypes, a->iptype)) {
					snprintf(fl.why, sizeof(fl.why),
					         "no type %s in IPmanager %s",
					         a->iptype, ipm);
				} else {
					continue;
				}
				cpy(fl.tariff, sizeof(fl.tariff), t->name);
				cpy(fl.addon, sizeof(fl.addon), a->name);
				cpy(fl.iptype, sizeof(fl.iptype), a->iptype);
				cpy(fl.module, sizeof(fl.module), m->name);
				cpy(fl.ipmgr, sizeof(fl.ipmgr), ipm);
				if (n == cap) {
					size_t ncap = cap ? cap * 2 : 16;
					iprange_flag *nf =
					    realloc(f, ncap * sizeof(*nf));

					if (!nf) {
						err_set(err, DC_E_NOMEM,
						        "out of memory");
						goto out;
					}
					f = nf;
					cap = ncap;
				}
				f[n++] = fl;
			}
		}
	}
	*out = f;
	*nout = n;
	f = NULL;
	rc = 0;
out:
	free(f);
	free(tv);
	free(av);
	free(cv);
	inv_modules_free(mv, nm);
	return rc;
}

int iprange_flags_refresh(dc_store *st, const char *tariff, const inv_opts *o,
                          int64_t max_age_ms, dc_err *err)
{
	dc_tariff *tv = NULL;
	dc_addon *av = NULL;
	size_t nt = 0, na = 0, n = 0;
	int64_t *ids = NULL;
	int rc = -1;

	if (tariff) {
		if (!(tv = xcalloc(1, sizeof(*tv), err)) ||
		    tariff_get_by_name(st, tariff, tv, err) < 0)
			goto out;
		nt = 1;
	} else if (tariff_list(st, &tv, &nt, err) < 0) {
		goto out;
	}
	if (addon_list(st, &av, &na, err) < 0 ||
	    !(ids = xcalloc(nt * DC_TARIFF_MODULES_MAX, sizeof(*ids), err)))
		goto out;
	for (size_t i = 0; i < nt; i++) {
		bool special = false;

		for (size_t j = 0; j < tv[i].naddons && !special; j++)
			for (size_t k = 0; k < na; k++)
				if (av[k].id == tv[i].addons[j].addon_id &&
				    av[k].kind_id == DC_ADDON_SPECIAL_IP)
					special = true;
		for (size_t m = 0; special && m < tv[i].nmodules; m++) {
			bool seen = false;

			for (size_t x = 0; x < n && !seen; x++)
				seen = ids[x] == tv[i].modules[m];
			if (!seen)
				ids[n++] = tv[i].modules[m];
		}
	}
	rc = n ? inv_fetch(st, ids, n, INV_IPTYPES, max_age_ms, o, NULL, err)
	       : 0;
out:
	free(ids);
	free(tv);
	free(av);
	return rc;
}

/* ---- the guided set-up --------------------------------------------------- */

static const char *const step_names[IPRS_COUNT] = {"type", "range", "add-on",
                                                   "tariffs"};
static const char *const state_names[] = {"pending", "will do", "already done",
                                          "done",    "FAILED",  "not run"};

const char *iprange_step_name(iprange_step_id id)
{
	return id < IPRS_COUNT ? step_names[id] : "?";
}

const char *iprange_step_state_name(iprange_step_state s)
{
	return (size_t)s < sizeof(state_names) / sizeof(*state_names)
	           ? state_names[s]
	           : "?";
}

int iprange_step_state_parse(const char *s, iprange_step_state *out)
{
	for (size_t i = 0; s && i < sizeof(state_names) / sizeof(*state_names);
	     i++)
		if (!strcmp(s, state_names[i])) {
			*out = (iprange_step_state)i;
			return 0;
		}
	return -1;
}

/* The add-on values the request asks for. */
static int want_values(const iprange_setup *s, dc_addon_values *v, dc_err *err)
{
	const char *vals = s->values, *range = NULL;

	if (s->billing != DC_BILL_NONE && s->billing != DC_BILL_CLIENT)
		return err_field(err, DC_E_INVALID, "billing",
		                 "billing of a special block is none (allocate "
		                 "without charging) or client (the client "
		                 "chooses how many)");
	if (s->billing == DC_BILL_NONE && (!vals || !*vals))
		vals = "1";
	if (s->billing == DC_BILL_CLIENT && (!vals || !*vals))
		return err_field(err, DC_E_INVALID, "values",
		                 "billing client needs the possible values: a "
		                 "list (0,1,2,4) or MIN..MAX");
	if (s->billing == DC_BILL_CLIENT && strstr(vals, "..")) {
		range = vals;
		vals = NULL;
	}
	if (model_addon_values_parse(DC_ADDON_SPECIAL_IP, s->billing, vals,
	                             range, v, err) < 0) {
		if (err)
			cpy(err->field, sizeof(err->field), "values");
		return -1;
	}
	return 0;
}

static bool values_equal(const dc_addon_values *a, const dc_addon_values *b)
{
	if (a->billing != b->billing || a->is_range != b->is_range)
		return false;
	if (a->billing != DC_BILL_CLIENT)
		return !strcmp(a->value, b->value);
	if (a->is_range)
		return a->min == b->min && a->max == b->max;
	return !strcmp(a->list, b->list);
}

static void values_text(const dc_addon_values *v, char *buf, size_t len)
{
	char vs[DC_LIST_MAX + 8];

	snprintf(buf, len, "billing %s, values %s",
	         model_billing_name(v->billing),
	         model_addon_values_str(v, vs, sizeof(vs)));
}

static void addon_name(const char *iptype, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", DC_SPECIAL_IP_PREFIX, iptype);
}

int iprange_setup_check(dc_store *st, const iprange_setup *s, dc_err *err)
{
	char name[DC_NAME_MAX + 32];
	dc_addon_values v;
	dc_err sub;

	if (model_check_type_name("iptype", s->iptype, err) < 0)
		return -1;
	addon_name(s->iptype, name, sizeof(name));
	if (model_check_addon_name("iptype", name, &sub) < 0)
		return err_field(err, DC_E_INVALID, "iptype",
		                 "type %.64s cannot name an add-on %s<type>: "
		                 "%s",
		                 s->iptype, DC_SPECIAL_IP_PREFIX, sub.msg);
	if (!s->range || !*s->range)
		return err_field(err, DC_E_INVALID, "range",
		                 "give the range that gets the type (--range "
		                 "NET)");
	if (want_values(s, &v, err) < 0)
		return -1;
	if (s->ntariffs > IPRS_SETUP_TARIFFS)
		return err_field(err, DC_E_INVALID, "tariff",
		                 "at most %d tariffs at once",
		                 IPRS_SETUP_TARIFFS);
	for (size_t i = 0; i < s->ntariffs; i++) {
		dc_tariff t;

		for (size_t j = 0; j < i; j++)
			if (!strcmp(s->tariffs[i], s->tariffs[j]))
				return err_field(err, DC_E_INVALID, "tariff",
				                 "tariff %.64s is named twice",
				                 s->tariffs[i]);
		if (tariff_get_by_name(st, s->tariffs[i], &t, err) < 0) {
			if (err && err->cat == DC_E_NOTFOUND)
				err_field(err, DC_E_INVALID, "tariff",
				          "no tariff named %.64s",
				          s->tariffs[i]);
			return -1;
		}
	}
	return 0;
}

typedef struct setup_run {
	iprange_ctx *c;
	const iprange_setup *s;
	iprange_setup_result *r;
	bool apply;
	dc_addon_values want;
	bool type_ok;     /* the type exists (or will, in a plan) */
	int64_t addon_id; /* 0 until known (a plan with a new add-on) */
	dc_addon addon;   /* when addon_id */
} setup_run;

static int step_fail(iprange_step *st, const dc_err *e)
{
	st->state = IPRS_FAILED;
	st->err = *e;
	return -1;
}

static int step_type(setup_run *u)
{
	iprange_step *st = &u->r->steps[IPRS_TYPE];
	ipm_types *tl = NULL;
	bool exists;
	dc_err e;

	err_clear(&e);
	if (ipm_type_list(u->c->ipm, &tl, &e) < 0)
		return step_fail(st, &e);
	exists = ipm_type_find(tl, u->s->iptype) != NULL;
	ipm_types_free(tl);
	if (exists) {
		st->state = IPRS_ALREADY;
		snprintf(st->detail, sizeof(st->detail),
		         "type %s exists in IPmanager %s", u->s->iptype,
		         u->c->conn.name);
		u->type_ok = true;
		return 0;
	}
	if (!u->apply) {
		st->state = IPRS_WILL;
		snprintf(st->detail, sizeof(st->detail),
		         "create type %s in IPmanager %s", u->s->iptype,
		         u->c->conn.name);
		u->type_ok = true;
		return 0;
	}
	if (ipm_type_create(u->c->ipm, u->s->iptype,
	                    u->s->type_note ? u->s->type_note : "", &e) < 0) {
		if (e.cat != DC_E_EXISTS)
			return step_fail(st, &e);
		st->state = IPRS_ALREADY; /* someone made it meanwhile */
	} else {
		st->state = IPRS_DONE;
	}
	snprintf(st->detail, sizeof(st->detail), "%s type %s in IPmanager %s",
	         st->state == IPRS_DONE ? "created" : "found", u->s->iptype,
	         u->c->conn.name);
	u->type_ok = true;
	return 0;
}

/* Taking the last range away from a type that an add-on or a parking
 * module relies on leaves them nothing to allocate: not refused (the
 * operator may mean it), but said. */
static void last_range_warning(iprange_ctx *c, const ipm_nets *nl,
                               const ipm_net *n, char *buf, size_t len)
{
	char users[IPR_USERS_MAX];
	size_t same = 0, used;
	dc_err e;

	for (size_t i = 0; i < nl->n; i++)
		if (!strcmp(nl->v[i].iptype, n->iptype))
			same++;
	if (same != 1 ||
	    iprange_type_users(c, n->iptype, users, sizeof(users), &e) < 0 ||
	    !users[0])
		return;
	used = strlen(buf);
	snprintf(buf + used, len - used,
	         "; NOTE: it is the last range of type %s, which %s still "
	         "uses",
	         n->iptype, users);
}

/* A panel that answers ok but keeps the old type would leave the set-up
 * looking done: read the range back. */
static int readback_type(iprange_ctx *c, long id, const char *type, dc_err *err)
{
	ipm_nets *nl = NULL;
	char key[24];
	const ipm_net *n;
	int rc = 0;

	if (ipm_net_list(c->ipm, &nl, err) < 0)
		return -1;
	snprintf(key, sizeof(key), "#%ld", id);
	n = iprange_net_find(nl, key);
	if (!n)
		rc = err_set(err, DC_E_PANEL,
		             "IPmanager %s: range %ld is gone after ipnet.edit",
		             c->conn.name, id);
	else if (strcmp(n->iptype, type))
		rc =
		    err_set(err, DC_E_PANEL,
		            "IPmanager %s answered ok to ipnet.edit, but range "
		            "%s still has type %s, not %s",
		            c->conn.name, n->net, n->iptype, type);
	ipm_nets_free(nl);
	return rc;
}

static int step_range(setup_run *u)
{
	iprange_step *st = &u->r->steps[IPRS_RANGE];
	const char *T = u->s->iptype;
	ipm_nets *nl = NULL;
	const ipm_net *n;
	dc_err e;
	int rc = -1;

	err_clear(&e);
	if (ipm_net_list(u->c->ipm, &nl, &e) < 0)
		return step_fail(st, &e);
	n = iprange_net_find(nl, u->s->range);
	if (n && !strcmp(n->iptype, T)) {
		st->state = IPRS_ALREADY;
		snprintf(st->detail, sizeof(st->detail),
		         "range %s has type %s (%ld free, %ld used)", n->net, T,
		         n->free, n->used);
		rc = 0;
	} else if (n) {
		char what[160];

		snprintf(what, sizeof(what), "change of type %s -> %s",
		         n->iptype, T);
		if (refuse_if_held(u->c, n, what, &e) < 0) {
			step_fail(st, &e);
			goto out;
		}
		snprintf(st->detail, sizeof(st->detail),
		         "%s range %s (%ld free, %ld used) the type %s instead "
		         "of %s",
		         u->apply ? "gave" : "give", n->net, n->free, n->used,
		         T, n->iptype);
		last_range_warning(u->c, nl, n, st->detail, sizeof(st->detail));
		if (u->apply) {
			ipm_net_spec sp = {.iptype = T};

			long id = n->id;

			if (ipm_net_edit(u->c->ipm, id, &sp, &e) < 0 ||
			    readback_type(u->c, id, T, &e) < 0) {
				step_fail(st, &e);
				goto out;
			}
			st->state = IPRS_DONE;
		} else {
			st->state = IPRS_WILL;
		}
		rc = 0;
	} else {
		const char *p =
		    u->s->range[0] == '#' ? u->s->range + 1 : u->s->range;
		span sp;

		if (strspn(p, "0123456789") == strlen(p)) {
			err_field(&e, DC_E_NOTFOUND, "range",
			          "IPmanager %s has no range %s",
			          u->c->conn.name, u->s->range);
			step_fail(st, &e);
			goto out;
		}
		if (span_parse(u->s->range, &sp) < 0) {
			err_field(&e, DC_E_INVALID, "range",
			          "no range %.96s in IPmanager %s, and it is "
			          "not a CIDR or a-b range to create",
			          u->s->range, u->c->conn.name);
			step_fail(st, &e);
			goto out;
		}
		snprintf(st->detail, sizeof(st->detail),
		         "%s range %s with type %s%s%s",
		         u->apply ? "created" : "create", u->s->range, T,
		         u->s->gateway ? ", gateway " : "",
		         u->s->gateway ? u->s->gateway : "");
		if (u->apply) {
			ipm_net_spec ns = {.net = u->s->range,
			                   .gateway = u->s->gateway,
			                   .iptype = T};
			long id = 0;

			if (iprange_net_add(u->c, &ns, &id, &e) < 0) {
				step_fail(st, &e);
				goto out;
			}
			st->state = IPRS_DONE;
		} else {
			st->state = IPRS_WILL;
		}
		rc = 0;
	}
out:
	ipm_nets_free(nl);
	return rc;
}

static int step_addon(setup_run *u)
{
	iprange_step *st = &u->r->steps[IPRS_ADDON];
	char kind[DC_NAME_MAX + 32], vt[DC_LIST_MAX + 64];
	dc_addon a;
	dc_err e;

	err_clear(&e);
	addon_name(u->s->iptype, kind, sizeof(kind));
	cpy(u->r->addon, sizeof(u->r->addon), kind);
	if (addon_get_by_name(u->c->st, kind, &a, &e) == 0) {
		if (strcmp(a.kind, kind)) {
			err_field(&e, DC_E_CONFLICT, "iptype",
			          "add-on %s exists with kind %s, not %s",
			          a.name, a.kind, kind);
			return step_fail(st, &e);
		}
	} else if (e.cat != DC_E_NOTFOUND) {
		return step_fail(st, &e);
	} else {
		/* another name, the same kind: that add-on is the one */
		dc_addon *av = NULL;
		size_t na = 0;
		bool found = false;

		err_clear(&e);
		if (addon_list(u->c->st, &av, &na, &e) < 0)
			return step_fail(st, &e);
		for (size_t i = 0; i < na && !found; i++)
			if (!strcmp(av[i].kind, kind)) {
				a = av[i];
				found = true;
			}
		free(av);
		if (!found) {
			values_text(&u->want, vt, sizeof(vt));
			snprintf(st->detail, sizeof(st->detail),
			         "%s add-on %s (%.300s)",
			         u->apply ? "created" : "create", kind, vt);
			if (!u->apply) {
				st->state = IPRS_WILL;
				return 0;
			}
			memset(&a, 0, sizeof(a));
			cpy(a.name, sizeof(a.name), kind);
			cpy(a.kind, sizeof(a.kind), kind);
			a.v = u->want;
			if (addon_add(u->c->st, &a, &e) < 0)
				return step_fail(st, &e);
			st->state = IPRS_DONE;
			u->addon = a;
			u->addon_id = a.id;
			return 0;
		}
	}
	values_text(&a.v, vt, sizeof(vt));
	st->state = IPRS_ALREADY;
	snprintf(st->detail, sizeof(st->detail), "add-on %s exists (%.300s)",
	         a.name, vt);
	cpy(u->r->addon, sizeof(u->r->addon), a.name);
	u->addon = a;
	u->addon_id = a.id;
	return 0;
}

/* Does every module of t have the type in its IPmanager? This
 * connection's answer is `here` (the plan counts a type it would create
 * as there); other connections are asked. */
static int tariff_types_ok(setup_run *u, const dc_tariff *t, bool here,
                           dc_err *err)
{
	for (size_t i = 0; i < t->nmodules; i++) {
		dc_module m;
		dc_conn other;
		panel *p;
		ipm_types *tl = NULL;
		bool ok;

		if (module_get(u->c->st, t->modules[i], &m, err) < 0)
			return -1;
		if (m.ipmgr_id == u->c->conn.id) {
			if (!here)
				return err_field(err, DC_E_INVALID, "tariff",
				                 "tariff %s: IPmanager %s of "
				                 "module %s has no type %s",
				                 t->name, u->c->conn.name,
				                 m.name, u->s->iptype);
			continue;
		}
		if (ipmgr_get(u->c->st, m.ipmgr_id, &other, err) < 0 ||
		    !(p = inv_ipmgr_panel(u->c->st, m.ipmgr_id, &u->c->inv,
		                          err)))
			return -1;
		if (ipm_type_list(p, &tl, err) < 0) {
			err_prefix(err, "tariff %s: module %s", t->name,
			           m.name);
			panel_free(p);
			return -1;
		}
		ok = ipm_type_find(tl, u->s->iptype) != NULL;
		ipm_types_free(tl);
		panel_free(p);
		if (!ok)
			return err_field(
			    err, DC_E_INVALID, "tariff",
			    "tariff %s: module %s takes its "
			    "addresses from IPmanager %s, which has "
			    "no type %s; run the set-up there too "
			    "(--ipmgr %s)",
			    t->name, m.name, other.name, u->s->iptype,
			    other.name);
	}
	return 0;
}

static int step_tariffs(setup_run *u)
{
	iprange_step *st = &u->r->steps[IPRS_TARIFFS];
	size_t changed = 0;
	char vt[DC_LIST_MAX + 64];
	dc_err e;

	err_clear(&e);
	st->detail[0] = '\0';
	if (u->s->ntariffs == 0) {
		st->state = IPRS_ALREADY;
		snprintf(st->detail, sizeof(st->detail),
		         "no tariff chosen: tariffs left as they are");
		return 0;
	}
	values_text(&u->want, vt, sizeof(vt));
	for (size_t i = 0; i < u->s->ntariffs; i++) {
		const char *tn = u->s->tariffs[i];
		dc_tariff t;
		dc_tariff_addon *ta = NULL;
		dc_addon *res = NULL;
		bool same = false;

		if (tariff_get_by_name(u->c->st, tn, &t, &e) < 0)
			goto fail;
		if (u->addon_id)
			for (size_t k = 0; k < t.naddons && !ta; k++)
				if (t.addons[k].addon_id == u->addon_id)
					ta = &t.addons[k];
		if (ta) {
			const dc_addon_values *cur =
			    ta->override ? &ta->v : &u->addon.v;

			same = values_equal(cur, &u->want);
		}
		if (same) {
			join(st->detail, sizeof(st->detail), "%s: has it", tn);
			continue;
		}
		if (tariff_types_ok(u, &t, u->type_ok, &e) < 0)
			goto fail;
		if (!u->apply) {
			changed++;
			join(st->detail, sizeof(st->detail), "%s: %s", tn,
			     ta ? "change its values" : "add it");
			continue;
		}
		if (!ta) {
			if (t.naddons >= DC_TARIFF_ADDONS_MAX) {
				err_field(&e, DC_E_INVALID, "tariff",
				          "tariff %s has %d add-ons already",
				          tn, DC_TARIFF_ADDONS_MAX);
				goto fail;
			}
			ta = &t.addons[t.naddons++];
			memset(ta, 0, sizeof(*ta));
			ta->addon_id = u->addon_id;
		}
		/* the add-on's own values serve when they are the ones asked */
		ta->override = !values_equal(&u->addon.v, &u->want);
		ta->v = ta->override ? u->want : u->addon.v;
		if (!(res = calloc(DC_TARIFF_ADDONS_MAX, sizeof(*res)))) {
			err_set(&e, DC_E_NOMEM, "out of memory");
			goto fail;
		}
		if (tariff_resolve_addons(u->c->st, &t, res, &e) < 0 ||
		    tariff_check_addons(&t, res, &e) < 0 ||
		    tariff_update(u->c->st, &t, &e) < 0) {
			free(res);
			err_prefix(&e, "tariff %s", tn);
			goto fail;
		}
		free(res);
		changed++;
		join(st->detail, sizeof(st->detail), "%s: added", tn);
		continue;
	fail:
		join(st->detail, sizeof(st->detail), "%s: FAILED", tn);
		return step_fail(st, &e);
	}
	if (changed == 0)
		st->state = IPRS_ALREADY;
	else
		st->state = u->apply ? IPRS_DONE : IPRS_WILL;
	if (strlen(st->detail) + strlen(vt) + 4 < sizeof(st->detail)) {
		strcat(st->detail, " (");
		strcat(st->detail, vt);
		strcat(st->detail, ")");
	}
	return 0;
}

static int setup_run_steps(setup_run *u,
                           void (*progress)(void *,
                                            const iprange_setup_result *,
                                            iprange_step_id),
                           void *user, dc_err *err)
{
	static int (*const fns[IPRS_COUNT])(setup_run *) = {
	    step_type, step_range, step_addon, step_tariffs};
	iprange_setup_result *r = u->r;
	int failed = -1;

	for (int i = 0; i < IPRS_COUNT; i++) {
		iprange_step *st = &r->steps[i];

		if (failed >= 0 && u->apply) {
			st->state = IPRS_NOT_RUN;
		} else if (u->c->inv.cancel && *u->c->inv.cancel && u->apply) {
			err_set(&st->err, DC_E_CANCELLED, "cancelled");
			st->state = IPRS_FAILED;
			failed = i;
		} else if (fns[i](u) < 0 && failed < 0) {
			failed = i;
		}
		if (progress)
			progress(user, r, (iprange_step_id)i);
	}
	r->failed = failed;
	if (failed >= 0) {
		char done[128] = "";

		*err = r->steps[failed].err;
		for (int i = 0; i < failed; i++)
			join(done, sizeof(done), "%s %s", step_names[i],
			     state_names[r->steps[i].state]);
		if (u->apply)
			err_prefix(
			    err, "step %s failed%s%s%s", step_names[failed],
			    done[0] ? " (" : "", done,
			    done[0] ? "; run the set-up again to finish)" : "");
		else
			err_prefix(err, "step %s would fail",
			           step_names[failed]);
		return -1;
	}
	return 0;
}

static int setup_start(setup_run *u, iprange_ctx *c, const iprange_setup *s,
                       iprange_setup_result *r, bool apply, dc_err *err)
{
	memset(u, 0, sizeof(*u));
	memset(r, 0, sizeof(*r));
	r->failed = -1;
	for (int i = 0; i < IPRS_COUNT; i++)
		r->steps[i].id = (iprange_step_id)i;
	u->c = c;
	u->s = s;
	u->r = r;
	u->apply = apply;
	if (iprange_setup_check(c->st, s, err) < 0 ||
	    want_values(s, &u->want, err) < 0)
		return -1;
	addon_name(s->iptype, r->addon, sizeof(r->addon));
	return 0;
}

int iprange_setup_plan(iprange_ctx *c, const iprange_setup *s,
                       iprange_setup_result *r, dc_err *err)
{
	setup_run u;
	dc_err e;

	if (setup_start(&u, c, s, r, false, err) < 0)
		return -1;
	/* a plan reports every step, a refusal included, and succeeds */
	setup_run_steps(&u, NULL, NULL, &e);
	return 0;
}

int iprange_setup_apply(iprange_ctx *c, const iprange_setup *s,
                        void (*progress)(void *user,
                                         const iprange_setup_result *r,
                                         iprange_step_id done),
                        void *user, iprange_setup_result *r, dc_err *err)
{
	setup_run u;
	int rc;
	int64_t extra[DC_TARIFF_MODULES_MAX * 4];
	size_t nx = 0;

	if (setup_start(&u, c, s, r, true, err) < 0)
		return -1;
	rc = setup_run_steps(&u, progress, user, err);
	/* the tariffs' modules on other connections: their cached types */
	for (size_t i = 0; i < s->ntariffs && nx < 4 * DC_TARIFF_MODULES_MAX;
	     i++) {
		dc_tariff t;
		dc_err e;

		if (tariff_get_by_name(c->st, s->tariffs[i], &t, &e) < 0)
			continue;
		for (size_t k = 0;
		     k < t.nmodules && nx < 4 * DC_TARIFF_MODULES_MAX; k++)
			extra[nx++] = t.modules[k];
	}
	refresh_types(c, extra, nx);
	return rc;
}
