/* reconcile.h - drift between the store, DCImanager and IPmanager
 * (domain.md 6): what a panel holds for us that no service or journal row
 * accounts for, and services whose server is not theirs any more.
 *
 * Contract: reconcile_run reads every module's server list and server
 * forms (only of servers owned by our holding account or by one of our
 * clients' panel users), and every IPmanager address list, and compares
 * them with the store. "Ours" means carrying this store's marker
 * (service.h): servers and addresses of another store or of people are
 * never reported nor touched. What an unfinished operation is still
 * working on is reported as the operation, not as drift. With fix, each
 * item is repaired where that is safe (see rec_item.fix) and the result
 * recorded in the item; without it nothing changes.
 *
 * Threads: as engine.h (uses the engine's store and panel handles). The
 * array is malloc'd; free() it. */
#ifndef DC_RECONCILE_H
#define DC_RECONCILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"

typedef enum rec_kind {
	REC_SERVER_WITHOUT_SERVICE, /* ours on the panel, no live service */
	REC_ADDR_WITHOUT_SERVICE,   /* allocated with our marker, no owner */
	REC_SERVICE_LOST_SERVER,    /* live service, server not ours now */
	REC_OP_UNFINISHED,          /* an operation nobody finished */
	REC_KIND_COUNT
} rec_kind;

/* "server_without_service", ... */
const char *rec_kind_name(rec_kind k);

typedef struct rec_item {
	rec_kind kind;
	int64_t module_id;
	char module[DC_NAME_MAX];
	long server_id;
	char server_name[DC_NAME_MAX];
	char ip[SVC_IP_MAX];
	char iptype[DC_TYPE_MAX];
	int64_t service_id; /* 0 if none */
	int64_t op_id;      /* 0 if none */
	char detail[512];   /* what is wrong, for a person */
	char fix[256];      /* what --fix does; "" when it does nothing */
	bool fixed;
	char fix_error[512]; /* when a fix was tried and failed */
} rec_item;

/* A panel that cannot be read makes the whole run fail (an incomplete
 * comparison would report drift that is not there). */
int reconcile_run(engine *e, bool fix, rec_item **out, size_t *n, dc_err *err);

#endif
