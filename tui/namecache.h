/* namecache.h - record names (modules, tariffs, add-ons, IPmanager
 * connections, licence servers, departments) for Tab completion of option
 * values on the console's `:` line.
 *
 * Completion runs on the main thread and must never block, while the
 * store belongs to the jobs worker (app.h). So the worker copies the names
 * into this cache (namecache_refresh: the frame calls it after every console
 * job and the Modules screen after its loads; a few small SELECTs), and
 * the completers read the copy. A mutex guards it, held only to copy
 * strings. On the command line nothing fills it: the completers then
 * offer nothing, which is all a CLI needs. */
#ifndef TUI_NAMECACHE_H
#define TUI_NAMECACHE_H

#include "cmd.h"
#include "err.h"
#include "store.h"

struct app;

typedef enum namecache_kind {
	NAMECACHE_MODULE,
	NAMECACHE_TARIFF,
	NAMECACHE_ADDON,
	NAMECACHE_IPMGR,
	NAMECACHE_LICENSE,
	NAMECACHE_DEPARTMENT,
	NAMECACHE_KINDS
} namecache_kind;

typedef struct namecache namecache;

/* NULL when out of memory. */
namecache *namecache_new(void);
void namecache_free(namecache *c);

/* Worker thread (the store's): reads every kind from st and replaces the
 * cache. 0, or -1 with err (the cache keeps what it had). */
int namecache_refresh(namecache *c, dc_store *st, dc_err *err);

/* Any thread: the names of kind k that start with prefix, added to
 * cands (copies). c may be NULL (nothing added). */
void namecache_match(namecache *c, namecache_kind k, const char *prefix,
                     strv *cands);

/* cmd_opt.complete callbacks, one per kind (the app's cache). */
void namecache_complete_module(struct app *ap, const char *prefix, strv *cands);
void namecache_complete_tariff(struct app *ap, const char *prefix, strv *cands);
void namecache_complete_addon(struct app *ap, const char *prefix, strv *cands);
void namecache_complete_ipmgr(struct app *ap, const char *prefix, strv *cands);
void namecache_complete_license(struct app *ap, const char *prefix,
                                strv *cands);
void namecache_complete_department(struct app *ap, const char *prefix,
                                   strv *cands);

#endif
