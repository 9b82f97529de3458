/* hmap.c - chained hash map (see hmap.h). */
#include "hmap.h"
#include "xbuf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct hmap_entry {
	hmap_entry *next;
	uint64_t hash;
	void *value;
	size_t klen;
	unsigned char key[];
};

/* FNV-1a, then a mixer so that similar keys spread over the buckets. */
static uint64_t key_hash(const void *key, size_t klen)
{
	const unsigned char *p = key;
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < klen; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

void hmap_init(hmap *m)
{
	m->buckets = NULL;
	m->nbuckets = 0;
	m->count = 0;
}

void hmap_free(hmap *m)
{
	for (size_t i = 0; i < m->nbuckets; i++) {
		hmap_entry *e = m->buckets[i];
		while (e) {
			hmap_entry *n = e->next;
			free(e);
			e = n;
		}
	}
	free(m->buckets);
	hmap_init(m);
}

static void grow(hmap *m)
{
	size_t nb = m->nbuckets ? m->nbuckets * 2 : 64;
	hmap_entry **b = sim_xcalloc(nb, sizeof(*b));
	for (size_t i = 0; i < m->nbuckets; i++) {
		hmap_entry *e = m->buckets[i];
		while (e) {
			hmap_entry *n = e->next;
			size_t j = e->hash & (nb - 1);
			e->next = b[j];
			b[j] = e;
			e = n;
		}
	}
	free(m->buckets);
	m->buckets = b;
	m->nbuckets = nb;
}

static hmap_entry **find(const hmap *m, const void *key, size_t klen,
                         uint64_t h)
{
	if (!m->nbuckets)
		return NULL;
	hmap_entry **pp = &m->buckets[h & (m->nbuckets - 1)];
	for (; *pp; pp = &(*pp)->next) {
		hmap_entry *e = *pp;
		if (e->hash == h && e->klen == klen &&
		    memcmp(e->key, key, klen) == 0)
			return pp;
	}
	return NULL;
}

void *hmap_get(const hmap *m, const void *key, size_t klen)
{
	hmap_entry **pp = find(m, key, klen, key_hash(key, klen));
	return pp ? (*pp)->value : NULL;
}

void *hmap_put(hmap *m, const void *key, size_t klen, void *value)
{
	uint64_t h = key_hash(key, klen);
	hmap_entry **pp = find(m, key, klen, h);
	if (pp) {
		void *old = (*pp)->value;
		(*pp)->value = value;
		return old;
	}
	if (m->count + 1 > m->nbuckets)
		grow(m);
	hmap_entry *e = sim_xmalloc(sizeof(*e) + klen);
	e->hash = h;
	e->value = value;
	e->klen = klen;
	memcpy(e->key, key, klen);
	size_t j = h & (m->nbuckets - 1);
	e->next = m->buckets[j];
	m->buckets[j] = e;
	m->count++;
	return NULL;
}

void *hmap_del(hmap *m, const void *key, size_t klen)
{
	hmap_entry **pp = find(m, key, klen, key_hash(key, klen));
	if (!pp)
		return NULL;
	hmap_entry *e = *pp;
	void *v = e->value;
	*pp = e->next;
	free(e);
	m->count--;
	return v;
}

void *hmap_gets(const hmap *m, const char *key)
{
	return hmap_get(m, key, strlen(key));
}

void *hmap_puts(hmap *m, const char *key, void *value)
{
	return hmap_put(m, key, strlen(key), value);
}

void *hmap_dels(hmap *m, const char *key)
{
	return hmap_del(m, key, strlen(key));
}

void hmap_each(const hmap *m, void (*fn)(void *value, void *ctx), void *ctx)
{
	for (size_t i = 0; i < m->nbuckets; i++)
		for (hmap_entry *e = m->buckets[i]; e; e = e->next)
			fn(e->value, ctx);
}
