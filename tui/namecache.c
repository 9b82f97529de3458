/* namecache.c - see namecache.h. */
#include "namecache.h"

#include "app.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct namecache {
	pthread_mutex_t mu;
	strv v[NAMECACHE_KINDS];
};

namecache *namecache_new(void)
{
	namecache *c = calloc(1, sizeof(*c));

	if (c && pthread_mutex_init(&c->mu, NULL) != 0) {
		free(c);
		return NULL;
	}
	return c;
}

void namecache_free(namecache *c)
{
	if (!c)
		return;
	for (int k = 0; k < NAMECACHE_KINDS; k++)
		strv_clear(&c->v[k]);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

/* Each list function returns its own record type; only the name is kept,
 * so one macro reads them all into fresh string vectors. */
#define READ_NAMES(type, listfn, dst)                                          \
	do {                                                                   \
		type *r_ = NULL;                                               \
		size_t n_ = 0;                                                 \
		if (listfn(st, &r_, &n_, err) < 0)                             \
			goto fail;                                             \
		for (size_t i_ = 0; i_ < n_; i_++)                             \
			if (strv_push(&(dst), r_[i_].name) < 0) {              \
				free(r_);                                      \
				err_set(err, DC_E_NOMEM, "out of memory");     \
				goto fail;                                     \
			}                                                      \
		free(r_);                                                      \
	} while (0)

int namecache_refresh(namecache *c, dc_store *st, dc_err *err)
{
	strv fresh[NAMECACHE_KINDS];

	memset(fresh, 0, sizeof(fresh));
	if (!c || !st)
		return 0;
	READ_NAMES(dc_module, module_list, fresh[NAMECACHE_MODULE]);
	READ_NAMES(dc_tariff, tariff_list, fresh[NAMECACHE_TARIFF]);
	READ_NAMES(dc_addon, addon_list, fresh[NAMECACHE_ADDON]);
	READ_NAMES(dc_conn, ipmgr_list, fresh[NAMECACHE_IPMGR]);
	READ_NAMES(dc_conn, licsrv_list, fresh[NAMECACHE_LICENSE]);
	READ_NAMES(dc_department, department_list, fresh[NAMECACHE_DEPARTMENT]);
	pthread_mutex_lock(&c->mu);
	for (int k = 0; k < NAMECACHE_KINDS; k++) {
		strv old = c->v[k];

		c->v[k] = fresh[k];
		fresh[k] = old; /* freed below, after the lock */
	}
	pthread_mutex_unlock(&c->mu);
	for (int k = 0; k < NAMECACHE_KINDS; k++)
		strv_clear(&fresh[k]);
	return 0;
fail:
	for (int k = 0; k < NAMECACHE_KINDS; k++)
		strv_clear(&fresh[k]);
	return -1;
}

void namecache_match(namecache *c, namecache_kind k, const char *prefix,
                     strv *cands)
{
	size_t pl = prefix ? strlen(prefix) : 0;

	if (!c || k < 0 || k >= NAMECACHE_KINDS)
		return;
	pthread_mutex_lock(&c->mu);
	for (size_t i = 0; i < c->v[k].n; i++)
		if (!pl || strncmp(c->v[k].v[i], prefix, pl) == 0)
			strv_push(cands, c->v[k].v[i]);
	pthread_mutex_unlock(&c->mu);
}

void namecache_complete_module(struct app *ap, const char *prefix, strv *cands)
{
	namecache_match(ap ? ap->names : NULL, NAMECACHE_MODULE, prefix, cands);
}

void namecache_complete_tariff(struct app *ap, const char *prefix, strv *cands)
{
	namecache_match(ap ? ap->names : NULL, NAMECACHE_TARIFF, prefix, cands);
}

void namecache_complete_addon(struct app *ap, const char *prefix, strv *cands)
{
	namecache_match(ap ? ap->names : NULL, NAMECACHE_ADDON, prefix, cands);
}

void namecache_complete_ipmgr(struct app *ap, const char *prefix, strv *cands)
{
	namecache_match(ap ? ap->names : NULL, NAMECACHE_IPMGR, prefix, cands);
}

void namecache_complete_license(struct app *ap, const char *prefix, strv *cands)
{
	namecache_match(ap ? ap->names : NULL, NAMECACHE_LICENSE, prefix,
	                cands);
}

void namecache_complete_department(struct app *ap, const char *prefix,
                                   strv *cands)
{
	namecache_match(ap ? ap->names : NULL, NAMECACHE_DEPARTMENT, prefix,
	                cands);
}
