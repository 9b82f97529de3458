/* ippool.c - address types, ranges and allocation (see ippool.h). */
#include "ippool.h"
#include "xbuf.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- addresses ---- */

int ipa_parse(const char *s, ipa *out)
{
	unsigned char b[16];
	memset(out, 0, sizeof(*out));
	if (strchr(s, ':')) {
		if (inet_pton(AF_INET6, s, b) != 1)
			return -1;
		for (int i = 0; i < 8; i++) {
			out->hi = out->hi << 8 | b[i];
			out->lo = out->lo << 8 | b[8 + i];
		}
		out->fam = 6;
		return 0;
	}
	if (inet_pton(AF_INET, s, b) != 1)
		return -1;
	out->lo = (uint64_t)b[0] << 24 | (uint64_t)b[1] << 16 |
	          (uint64_t)b[2] << 8 | b[3];
	out->fam = 4;
	return 0;
}

char *ipa_format(const ipa *a, char *buf)
{
	unsigned char b[16];
	if (a->fam == 6) {
		for (int i = 0; i < 8; i++) {
			b[i] = (unsigned char)(a->hi >> (56 - 8 * i));
			b[8 + i] = (unsigned char)(a->lo >> (56 - 8 * i));
		}
		inet_ntop(AF_INET6, b, buf, IPA_STRLEN);
	} else {
		for (int i = 0; i < 4; i++)
			b[i] = (unsigned char)(a->lo >> (24 - 8 * i));
		inet_ntop(AF_INET, b, buf, IPA_STRLEN);
	}
	return buf;
}

int ipa_cmp(const ipa *a, const ipa *b)
{
	if (a->fam != b->fam)
		return a->fam < b->fam ? -1 : 1;
	if (a->hi != b->hi)
		return a->hi < b->hi ? -1 : 1;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return 0;
}

const char *ipa_family_name(int fam)
{
	return fam == 6 ? "ipv6" : "ipv4";
}

int ipa_family_parse(const char *s)
{
	if (!s || !*s)
		return 0;
	if (!strcmp(s, "4") || !strcasecmp(s, "ipv4") || !strcasecmp(s, "inet"))
		return 4;
	if (!strcmp(s, "6") || !strcasecmp(s, "ipv6") ||
	    !strcasecmp(s, "inet6"))
		return 6;
	return -1;
}

static ipa ipa_add(ipa a, uint64_t off)
{
	uint64_t lo = a.lo + off;
	if (lo < a.lo)
		a.hi++;
	a.lo = lo;
	return a;
}

/* a - b for a >= b; the caller knows the difference fits 64 bits. */
static uint64_t ipa_diff(const ipa *a, const ipa *b)
{
	return a->lo - b->lo;
}

/* a - b saturated at UINT64_MAX, for size checks. */
static uint64_t ipa_span(const ipa *a, const ipa *b)
{
	uint64_t hi = a->hi - b->hi - (a->lo < b->lo);
	if (hi)
		return UINT64_MAX;
	return a->lo - b->lo;
}

typedef struct packed_key {
	unsigned char k[17];
} packed_key;

static packed_key pack(const ipa *a)
{
	packed_key p;
	p.k[0] = (unsigned char)a->fam;
	for (int i = 0; i < 8; i++) {
		p.k[1 + i] = (unsigned char)(a->hi >> (56 - 8 * i));
		p.k[9 + i] = (unsigned char)(a->lo >> (56 - 8 * i));
	}
	return p;
}

/* ---- pool ---- */

void ippool_init(ippool *p)
{
	memset(p, 0, sizeof(*p));
	hmap_init(&p->types);
	hmap_init(&p->recs);
	p->next_net_id = 1;
}

static void rec_free(iprec *r)
{
	free(r->domain);
	free(r->note);
	free(r);
}

static void rec_free_cb(void *v, void *ctx)
{
	(void)ctx;
	rec_free(v);
}

static void net_free(ipnet *n)
{
	free(n->text);
	free(n->note);
	free(n->bits);
	free(n);
}

static void type_free(iptype *t)
{
	free(t->name);
	free(t->note);
	free(t->nets[0]);
	free(t->nets[1]);
	free(t);
}

void ippool_free(ippool *p)
{
	hmap_each(&p->recs, rec_free_cb, NULL);
	hmap_free(&p->recs);
	for (size_t i = 0; i < p->nnets; i++)
		net_free(p->nets[i]);
	free(p->nets);
	free(p->sorted);
	for (size_t i = 0; i < p->ntypes; i++)
		type_free(p->typev[i]);
	free(p->typev);
	hmap_free(&p->types);
	memset(p, 0, sizeof(*p));
}

iptype *ippool_type(const ippool *p, const char *name)
{
	return hmap_gets(&p->types, name);
}

iptype *ippool_type_add(ippool *p, const char *name, const char *note,
                        simerr *e)
{
	if (!name || !*name) {
		simerr_set(e, "value", "name", "", "type name is empty");
		return NULL;
	}
	if (strlen(name) > 64 ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyz"
	                 "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                 "0123456789_-.") != strlen(name)) {
		simerr_set(e, "value", "name", name,
		           "type name must be 1-64 letters, digits, '_', '-' "
		           "or '.'");
		return NULL;
	}
	if (ippool_type(p, name)) {
		simerr_set(e, "exists", "iptype", name,
		           "address type '%s' already exists", name);
		return NULL;
	}
	iptype *t = sim_xcalloc(1, sizeof(*t));
	t->name = sim_xstrdup(name);
	t->note = sim_xstrdup(note ? note : "");
	if (p->ntypes == p->captypes) {
		p->captypes = p->captypes ? p->captypes * 2 : 8;
		p->typev =
		    sim_xrealloc(p->typev, p->captypes * sizeof(*p->typev));
	}
	p->typev[p->ntypes++] = t;
	hmap_puts(&p->types, name, t);
	return t;
}

int ippool_type_del(ippool *p, const char *name, simerr *e)
{
	iptype *t = ippool_type(p, name);
	if (!t)
		return simerr_set(e, "missed", "iptype", name,
		                  "address type '%s' does not exist", name);
	if (t->nnets[0] + t->nnets[1])
		return simerr_set(e, "value", "iptype", name,
		                  "address type '%s' is used by %zu range(s)",
		                  name, t->nnets[0] + t->nnets[1]);
	hmap_dels(&p->types, name);
	for (size_t i = 0; i < p->ntypes; i++)
		if (p->typev[i] == t) {
			memmove(&p->typev[i], &p->typev[i + 1],
			        (p->ntypes - i - 1) * sizeof(*p->typev));
			p->ntypes--;
			break;
		}
	type_free(t);
	return 0;
}

static int famidx(int fam)
{
	return fam == 6 ? 1 : 0;
}

/* Position of net n in t's list (by id), or where it would go. */
static size_t type_pos(const iptype *t, int fi, unsigned id)
{
	size_t lo = 0, hi = t->nnets[fi];
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (t->nets[fi][mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void type_attach(iptype *t, ipnet *n)
{
	int fi = famidx(n->first.fam);
	if (t->nnets[fi] == t->capnets[fi]) {
		t->capnets[fi] = t->capnets[fi] ? t->capnets[fi] * 2 : 8;
		t->nets[fi] =
		    sim_xrealloc(t->nets[fi], t->capnets[fi] * sizeof(ipnet *));
	}
	size_t pos = type_pos(t, fi, n->id);
	memmove(&t->nets[fi][pos + 1], &t->nets[fi][pos],
	        (t->nnets[fi] - pos) * sizeof(ipnet *));
	t->nets[fi][pos] = n;
	t->nnets[fi]++;
	if (t->hint[fi] > pos)
		t->hint[fi] = pos;
	n->type = t;
}

static void type_detach(iptype *t, ipnet *n)
{
	int fi = famidx(n->first.fam);
	size_t pos = type_pos(t, fi, n->id);
	if (pos < t->nnets[fi] && t->nets[fi][pos] == n) {
		memmove(&t->nets[fi][pos], &t->nets[fi][pos + 1],
		        (t->nnets[fi] - pos - 1) * sizeof(ipnet *));
		t->nnets[fi]--;
	}
	/* Indexes shifted; 0 is always a correct lower bound. */
	t->hint[fi] = 0;
	n->type = NULL;
}

ipnet *ippool_net(const ippool *p, unsigned id)
{
	size_t lo = 0, hi = p->nnets;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (p->nets[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < p->nnets && p->nets[lo]->id == id ? p->nets[lo] : NULL;
}

/* Index of the first sorted range whose span starts after a. */
static size_t sorted_upper(const ippool *p, const ipa *a)
{
	size_t lo = 0, hi = p->nnets;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (ipa_cmp(&p->sorted[mid]->lo, a) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

ipnet *ippool_net_of(const ippool *p, const ipa *a)
{
	size_t i = sorted_upper(p, a);
	if (i == 0)
		return NULL;
	ipnet *n = p->sorted[i - 1];
	if (n->lo.fam == a->fam && ipa_cmp(a, &n->hi) <= 0)
		return n;
	return NULL;
}

uint64_t ipnet_free(const ipnet *n)
{
	return n->count - n->nused - (n->gw_off != UINT64_MAX ? 1 : 0);
}

static void bit_set(uint64_t *b, uint64_t i)
{
	b[i / 64] |= 1ULL << (i % 64);
}

static void bit_clear(uint64_t *b, uint64_t i)
{
	b[i / 64] &= ~(1ULL << (i % 64));
}

static bool bit_get(const uint64_t *b, uint64_t i)
{
	return b[i / 64] >> (i % 64) & 1;
}

/* Parses a range text into span and pool; fills e on error. */
static int parse_range(const char *text, ipa *lo, ipa *hi, ipa *first,
                       uint64_t *count, char *norm, size_t normlen, simerr *e)
{
	char buf[128], a1[IPA_STRLEN], a2[IPA_STRLEN];
	if (!text || !*text)
		return simerr_set(e, "value", "net", "", "range is empty");
	if (strlen(text) >= sizeof(buf))
		return simerr_set(e, "value", "net", text, "range too long");
	strcpy(buf, text);
	char *slash = strchr(buf, '/'), *dash = strchr(buf, '-');
	if (slash) {
		*slash = '\0';
		char *end;
		const char *ps = slash + 1;
		if (!*ps || strspn(ps, "0123456789") != strlen(ps) ||
		    strlen(ps) > 3 || ipa_parse(buf, lo) < 0)
			return simerr_set(e, "value", "net", text,
			                  "not a CIDR range (addr/prefix)");
		long pl = strtol(ps, &end, 10);
		int bits = lo->fam == 6 ? 128 : 32;
		if (pl < 0 || pl > bits)
			return simerr_set(e, "value", "net", text,
			                  "prefix length out of range 0-%d",
			                  bits);
		int host = bits - (int)pl;
		/* host mask as hi/lo words */
		uint64_t mhi = 0, mlo = 0;
		if (host >= 64) {
			mlo = UINT64_MAX;
			mhi = host == 128
			          ? UINT64_MAX
			          : (host > 64 ? (1ULL << (host - 64)) - 1 : 0);
		} else {
			mlo = host ? (1ULL << host) - 1 : 0;
		}
		if ((lo->hi & mhi) || (lo->lo & mlo))
			return simerr_set(
			    e, "value", "net", text,
			    "host bits set in the network address");
		*hi = *lo;
		hi->hi |= mhi;
		hi->lo |= mlo;
		if (host > 25)
			return simerr_set(
			    e, "value", "net", text,
			    "range too large for the simulator (at most "
			    "%llu addresses)",
			    (unsigned long long)IPPOOL_MAX_RANGE);
		uint64_t size = 1ULL << host;
		if (lo->fam == 4 && host >= 2) {
			*first = ipa_add(*lo, 1);
			*count = size - 2;
		} else if (lo->fam == 6 && host >= 1) {
			*first = ipa_add(*lo, 1);
			*count = size - 1;
		} else {
			*first = *lo;
			*count = size;
		}
		snprintf(norm, normlen, "%s/%ld", ipa_format(lo, a1), pl);
	} else if (dash) {
		*dash = '\0';
		if (ipa_parse(buf, lo) < 0 || ipa_parse(dash + 1, hi) < 0 ||
		    lo->fam != hi->fam)
			return simerr_set(e, "value", "net", text,
			                  "not an address range (a-b)");
		if (ipa_cmp(lo, hi) > 0)
			return simerr_set(e, "value", "net", text,
			                  "range start is after its end");
		uint64_t d = ipa_span(hi, lo);
		if (d >= IPPOOL_MAX_RANGE)
			return simerr_set(
			    e, "value", "net", text,
			    "range too large for the simulator (at most "
			    "%llu addresses)",
			    (unsigned long long)IPPOOL_MAX_RANGE);
		*first = *lo;
		*count = d + 1;
		snprintf(norm, normlen, "%s-%s", ipa_format(lo, a1),
		         ipa_format(hi, a2));
	} else {
		return simerr_set(e, "value", "net", text,
		                  "range must be CIDR (a/p) or a-b");
	}
	if (*count > IPPOOL_MAX_RANGE)
		return simerr_set(e, "value", "net", text,
		                  "range too large for the simulator (at most "
		                  "%llu addresses)",
		                  (unsigned long long)IPPOOL_MAX_RANGE);
	return 0;
}

/* Validates gateway text against n's span; sets has_gw/gw. */
static int parse_gateway(const char *gateway, const ipa *lo, const ipa *hi,
                         bool *has, ipa *gw, simerr *e)
{
	*has = false;
	if (!gateway || !*gateway)
		return 0;
	if (ipa_parse(gateway, gw) < 0)
		return simerr_set(e, "value", "gateway", gateway,
		                  "not an address");
	if (gw->fam != lo->fam || ipa_cmp(gw, lo) < 0 || ipa_cmp(gw, hi) > 0)
		return simerr_set(e, "value", "gateway", gateway,
		                  "gateway is not inside the range");
	*has = true;
	return 0;
}

static uint64_t pool_offset(const ipnet *n, const ipa *a)
{
	if (ipa_cmp(a, &n->first) < 0)
		return UINT64_MAX;
	uint64_t off = ipa_span(a, &n->first);
	return off < n->count ? off : UINT64_MAX;
}

ipnet *ippool_net_add(ippool *p, const char *text, const char *gateway,
                      iptype *type, const char *note, simerr *e)
{
	ipa lo, hi, first, gw;
	uint64_t count = 0;
	char norm[128];
	bool has_gw;
	if (!type) {
		simerr_set(e, "value", "iptype", "", "address type is empty");
		return NULL;
	}
	if (parse_range(text, &lo, &hi, &first, &count, norm, sizeof(norm), e) <
	    0)
		return NULL;
	if (parse_gateway(gateway, &lo, &hi, &has_gw, &gw, e) < 0)
		return NULL;
	size_t pos = sorted_upper(p, &lo);
	if (pos > 0) {
		ipnet *prev = p->sorted[pos - 1];
		if (prev->lo.fam == lo.fam && ipa_cmp(&prev->hi, &lo) >= 0) {
			simerr_set(e, "exists", "net", norm,
			           "range overlaps range %u (%s)", prev->id,
			           prev->text);
			return NULL;
		}
	}
	if (pos < p->nnets) {
		ipnet *next = p->sorted[pos];
		if (next->lo.fam == lo.fam && ipa_cmp(&next->lo, &hi) <= 0) {
			simerr_set(e, "exists", "net", norm,
			           "range overlaps range %u (%s)", next->id,
			           next->text);
			return NULL;
		}
	}
	ipnet *n = sim_xcalloc(1, sizeof(*n));
	n->id = p->next_net_id++;
	n->text = sim_xstrdup(norm);
	n->lo = lo;
	n->hi = hi;
	n->first = first;
	n->count = count;
	n->note = sim_xstrdup(note ? note : "");
	/* calloc of a large bitmap maps zero pages lazily: cheap until used */
	n->bits = sim_xcalloc((count + 63) / 64, sizeof(uint64_t));
	n->has_gw = has_gw;
	n->gw = gw;
	n->gw_off = has_gw ? pool_offset(n, &gw) : UINT64_MAX;
	if (n->gw_off != UINT64_MAX)
		bit_set(n->bits, n->gw_off);
	if (p->nnets == p->capnets) {
		p->capnets = p->capnets ? p->capnets * 2 : 64;
		p->nets = sim_xrealloc(p->nets, p->capnets * sizeof(ipnet *));
		p->sorted =
		    sim_xrealloc(p->sorted, p->capnets * sizeof(ipnet *));
	}
	memmove(&p->sorted[pos + 1], &p->sorted[pos],
	        (p->nnets - pos) * sizeof(ipnet *));
	p->sorted[pos] = n;
	p->nets[p->nnets++] = n; /* ids only grow: stays in id order */
	type_attach(type, n);
	return n;
}

int ippool_net_update(ippool *p, ipnet *n, iptype *type, const char *gateway,
                      const char *note, simerr *e)
{
	(void)p;
	if (gateway) {
		bool has;
		ipa gw;
		if (parse_gateway(gateway, &n->lo, &n->hi, &has, &gw, e) < 0)
			return -1;
		uint64_t off = has ? pool_offset(n, &gw) : UINT64_MAX;
		if (off != UINT64_MAX && off != n->gw_off &&
		    bit_get(n->bits, off))
			return simerr_set(e, "value", "gateway", gateway,
			                  "gateway address is allocated");
		if (n->gw_off != UINT64_MAX) {
			bit_clear(n->bits, n->gw_off);
			if (n->gw_off < n->hint)
				n->hint = n->gw_off;
		}
		n->has_gw = has;
		n->gw = gw;
		n->gw_off = off;
		if (off != UINT64_MAX)
			bit_set(n->bits, off);
		/* The free count may have grown: let the type rescan. */
		n->type->hint[famidx(n->first.fam)] = 0;
	}
	if (type && type != n->type) {
		type_detach(n->type, n);
		type_attach(type, n);
	}
	if (note) {
		free(n->note);
		n->note = sim_xstrdup(note);
	}
	return 0;
}

int ippool_net_del(ippool *p, ipnet *n, simerr *e)
{
	char id[16];
	snprintf(id, sizeof(id), "%u", n->id);
	if (n->nused)
		return simerr_set(e, "value", "ipnet", id,
		                  "range %s has %llu allocated address(es)",
		                  n->text, (unsigned long long)n->nused);
	type_detach(n->type, n);
	for (size_t i = 0; i < p->nnets; i++)
		if (p->nets[i] == n) {
			memmove(&p->nets[i], &p->nets[i + 1],
			        (p->nnets - i - 1) * sizeof(ipnet *));
			break;
		}
	for (size_t i = 0; i < p->nnets; i++)
		if (p->sorted[i] == n) {
			memmove(&p->sorted[i], &p->sorted[i + 1],
			        (p->nnets - i - 1) * sizeof(ipnet *));
			break;
		}
	p->nnets--;
	net_free(n);
	return 0;
}

/* Lowest clear bit at or after n->hint, or UINT64_MAX. */
static uint64_t net_find_free(ipnet *n)
{
	uint64_t nwords = (n->count + 63) / 64;
	for (uint64_t w = n->hint / 64; w < nwords; w++) {
		uint64_t word = n->bits[w];
		if (w == n->hint / 64 && n->hint % 64)
			word |= (1ULL << (n->hint % 64)) - 1;
		if (word == UINT64_MAX)
			continue;
		uint64_t off = w * 64 + (uint64_t)__builtin_ctzll(~word);
		if (off >= n->count)
			break;
		return off;
	}
	return UINT64_MAX;
}

static iprec *take(ippool *p, ipnet *n, uint64_t off)
{
	iprec *r = sim_xcalloc(1, sizeof(*r));
	r->a = ipa_add(n->first, off);
	r->net = n;
	r->domain = sim_xstrdup("");
	r->note = sim_xstrdup("");
	bit_set(n->bits, off);
	n->nused++;
	if (off == n->hint)
		n->hint = off + 1;
	packed_key k = pack(&r->a);
	hmap_put(&p->recs, k.k, sizeof(k.k), r);
	return r;
}

iprec *ippool_alloc(ippool *p, iptype *t, int fam, simerr *e)
{
	int fams[2] = {fam ? fam : 4, fam ? 0 : 6};
	for (int k = 0; k < 2 && fams[k]; k++) {
		int fi = famidx(fams[k]);
		for (size_t i = t->hint[fi]; i < t->nnets[fi]; i++) {
			ipnet *n = t->nets[fi][i];
			t->hint[fi] = i;
			if (!ipnet_free(n))
				continue;
			uint64_t off = net_find_free(n);
			if (off == UINT64_MAX)
				continue; /* unreachable if counts agree */
			return take(p, n, off);
		}
		t->hint[fi] = t->nnets[fi];
	}
	if (fam)
		simerr_set(e, "limit", "iptype", t->name,
		           "no free %s address of type %s",
		           ipa_family_name(fam), t->name);
	else
		simerr_set(e, "limit", "iptype", t->name,
		           "no free address of type %s", t->name);
	return NULL;
}

iprec *ippool_alloc_at(ippool *p, const ipa *a, iptype *t, simerr *e)
{
	char s[IPA_STRLEN];
	ipa_format(a, s);
	ipnet *n = ippool_net_of(p, a);
	if (!n) {
		simerr_set(e, "value", "ip", s,
		           "address %s is not in any range", s);
		return NULL;
	}
	if (t && n->type != t) {
		simerr_set(e, "value", "iptype", t->name,
		           "address %s belongs to type %s, not %s", s,
		           n->type->name, t->name);
		return NULL;
	}
	uint64_t off = pool_offset(n, a);
	if (off == UINT64_MAX) {
		simerr_set(e, "value", "ip", s,
		           "address %s is the network or broadcast address "
		           "of %s",
		           s, n->text);
		return NULL;
	}
	if (off == n->gw_off) {
		simerr_set(e, "value", "ip", s,
		           "address %s is the gateway of %s", s, n->text);
		return NULL;
	}
	if (bit_get(n->bits, off)) {
		simerr_set(e, "exists", "ip", s,
		           "address %s is already allocated", s);
		return NULL;
	}
	return take(p, n, off);
}

iprec *ippool_rec(const ippool *p, const ipa *a)
{
	packed_key k = pack(a);
	return hmap_get(&p->recs, k.k, sizeof(k.k));
}

void ippool_release(ippool *p, iprec *r)
{
	ipnet *n = r->net;
	uint64_t off = ipa_diff(&r->a, &n->first);
	packed_key k = pack(&r->a);
	hmap_del(&p->recs, k.k, sizeof(k.k));
	bit_clear(n->bits, off);
	n->nused--;
	if (off < n->hint)
		n->hint = off;
	int fi = famidx(n->first.fam);
	size_t pos = type_pos(n->type, fi, n->id);
	if (pos < n->type->hint[fi])
		n->type->hint[fi] = pos;
	rec_free(r);
}

void ippool_type_counts(const iptype *t, int fam, uint64_t *free,
                        uint64_t *used)
{
	*free = *used = 0;
	for (int fi = 0; fi < 2; fi++) {
		if (fam && famidx(fam) != fi)
			continue;
		for (size_t i = 0; i < t->nnets[fi]; i++) {
			*free += ipnet_free(t->nets[fi][i]);
			*used += t->nets[fi][i]->nused;
		}
	}
}

void ippool_each_rec(const ippool *p, void (*fn)(iprec *r, void *ctx),
                     void *ctx)
{
	for (size_t i = 0; i < p->nnets; i++) {
		ipnet *n = p->sorted[i];
		if (!n->nused)
			continue;
		uint64_t nwords = (n->count + 63) / 64;
		for (uint64_t w = 0; w < nwords; w++) {
			uint64_t word = n->bits[w];
			while (word) {
				uint64_t off =
				    w * 64 + (uint64_t)__builtin_ctzll(word);
				word &= word - 1;
				if (off == n->gw_off)
					continue;
				ipa a = ipa_add(n->first, off);
				iprec *r = ippool_rec(p, &a);
				if (r)
					fn(r, ctx);
			}
		}
	}
}
