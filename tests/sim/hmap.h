/* hmap.h - hash map from byte-string keys to pointers, for dcisim's
 * indexes (sessions, users, address records, types).
 *
 * Contract: the map copies keys; values are borrowed pointers the caller
 * owns. Lookups, inserts and deletes are O(1) on average. Not thread-safe:
 * the simulator's state lock covers every map. Iteration order is
 * unspecified; callers that print lists keep their own ordered arrays. */
#ifndef SIM_HMAP_H
#define SIM_HMAP_H

#include <stddef.h>

typedef struct hmap_entry hmap_entry;

typedef struct hmap {
	hmap_entry **buckets;
	size_t nbuckets;
	size_t count;
} hmap;

void hmap_init(hmap *m);
/* Frees the map's own memory, not the values. */
void hmap_free(hmap *m);
void *hmap_get(const hmap *m, const void *key, size_t klen);
/* Inserts or replaces; returns the previous value or NULL. */
void *hmap_put(hmap *m, const void *key, size_t klen, void *value);
/* Removes; returns the removed value or NULL. */
void *hmap_del(hmap *m, const void *key, size_t klen);

/* Convenience for NUL-terminated string keys. */
void *hmap_gets(const hmap *m, const char *key);
void *hmap_puts(hmap *m, const char *key, void *value);
void *hmap_dels(hmap *m, const char *key);

/* Calls fn for every entry; fn must not change the map. */
void hmap_each(const hmap *m, void (*fn)(void *value, void *ctx), void *ctx);

#endif
