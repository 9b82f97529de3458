/* ippool.h - IPmanager state for dcisim: address types, ranges with their
 * free pools, and the records of allocated addresses.
 *
 * Contract: all functions run under the simulator's state lock (no locking
 * here). Allocation is O(1) amortised: each type keeps its ranges per
 * family, each range a used-bitmap with a lowest-free hint, and allocated
 * addresses are indexed by a hash map. An allocation returns the lowest
 * free address of the type (ranges in id order), so runs are reproducible.
 * A range offers at most IPPOOL_MAX_RANGE addresses. Errors are filled into
 * a simerr with the panel's error types (value, exists, missed, limit). */
#ifndef SIM_IPPOOL_H
#define SIM_IPPOOL_H

#include "hmap.h"
#include "simerr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IPPOOL_MAX_RANGE (1ULL << 24)
#define IPA_STRLEN       48

/* An address: fam 4 or 6; for IPv4 hi = 0 and lo holds the 32 bits. */
typedef struct ipa {
	uint64_t hi, lo;
	int fam;
} ipa;

typedef struct ipnet ipnet;

typedef struct iptype {
	char *name;
	char *note;
	/* This type's ranges per family (index 0 = IPv4, 1 = IPv6), in id
	 * order, and the index of the first that may have a free address. */
	ipnet **nets[2];
	size_t nnets[2], capnets[2];
	size_t hint[2];
} iptype;

struct ipnet {
	unsigned id;
	char *text;     /* as listed: "10.0.0.0/24" or "10.0.0.5-10.0.0.9" */
	ipa lo, hi;     /* the whole span (for overlap checks and lookup) */
	ipa first;      /* first address of the pool */
	uint64_t count; /* pool size */
	bool has_gw;
	ipa gw;
	uint64_t gw_off; /* UINT64_MAX when the gateway is not in the pool */
	iptype *type;
	char *note;
	uint64_t *bits; /* used (allocated or gateway) per pool offset */
	uint64_t nused; /* allocated addresses, gateway not counted */
	uint64_t hint;  /* no free offset below this */
};

/* An allocated address. loc/server/attach say where it is attached in a
 * DCImanager (loc 0: not attached). */
typedef struct iprec {
	ipa a;
	ipnet *net;
	char *domain;
	char *note;
	int loc;
	unsigned server;
	unsigned attach;
} iprec;

typedef struct ippool {
	hmap types;     /* name -> iptype* */
	iptype **typev; /* creation order */
	size_t ntypes, captypes;
	ipnet **nets; /* id order */
	size_t nnets, capnets;
	ipnet **sorted; /* by span start, for address lookup */
	hmap recs;      /* packed address -> iprec* */
	unsigned next_net_id;
} ippool;

int ipa_parse(const char *s, ipa *out);
/* buf must hold IPA_STRLEN bytes; returns buf. */
char *ipa_format(const ipa *a, char *buf);
int ipa_cmp(const ipa *a, const ipa *b);
/* "ipv4"/"ipv6" */
const char *ipa_family_name(int fam);
/* Accepts 4, 6, ipv4, ipv6, inet, inet6; returns 4/6, 0 if empty, -1 bad. */
int ipa_family_parse(const char *s);

void ippool_init(ippool *p);
void ippool_free(ippool *p);

iptype *ippool_type(const ippool *p, const char *name);
/* Creates a type; exists -> error. */
iptype *ippool_type_add(ippool *p, const char *name, const char *note,
                        simerr *e);
int ippool_type_del(ippool *p, const char *name, simerr *e);

ipnet *ippool_net(const ippool *p, unsigned id);
/* Creates a range from "a.b.c.d/p", "x::/p" or "a-b". gateway may be NULL
 * or empty. */
ipnet *ippool_net_add(ippool *p, const char *text, const char *gateway,
                      iptype *type, const char *note, simerr *e);
/* Changes type, gateway, note of a range (NULL leaves a field alone). */
int ippool_net_update(ippool *p, ipnet *n, iptype *type, const char *gateway,
                      const char *note, simerr *e);
int ippool_net_del(ippool *p, ipnet *n, simerr *e);
uint64_t ipnet_free(const ipnet *n);
/* The range holding a, or NULL. */
ipnet *ippool_net_of(const ippool *p, const ipa *a);

/* Allocates the lowest free address of type t (fam 0 = any, IPv4 first). */
iprec *ippool_alloc(ippool *p, iptype *t, int fam, simerr *e);
/* Allocates exactly a; t may be NULL (any type). */
iprec *ippool_alloc_at(ippool *p, const ipa *a, iptype *t, simerr *e);
iprec *ippool_rec(const ippool *p, const ipa *a);
/* Returns the address to the free pool and frees rec. */
void ippool_release(ippool *p, iprec *rec);

/* Sums over a type's ranges; fam 0 = both. */
void ippool_type_counts(const iptype *t, int fam, uint64_t *free,
                        uint64_t *used);

/* Calls fn for every allocated address in address order. */
void ippool_each_rec(const ippool *p, void (*fn)(iprec *r, void *ctx),
                     void *ctx);

#endif
