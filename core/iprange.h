/* iprange.h - special IP ranges (domain.md 5): an IPmanager's address
 * types, ranges and addresses joined with what the store knows (add-ons,
 * tariffs, modules, services), the guards that keep the two consistent,
 * and the guided special-range set-up.
 *
 * Contract:
 * - Everything runs against one IPmanager connection, held in an
 *   iprange_ctx (iprange_open): the store handle it is given (store.h: one
 *   thread at a time) and a panel handle of its own (panel.h: one thread at
 *   a time). Functions that take a ctx block on the network; call them on
 *   a worker thread. No global state; nothing printed.
 * - Views (iprange_load) are self-contained copies: fixed-size text and
 *   malloc'd arrays, freed by iprange_view_free.
 * - Guards refuse with DC_E_CONFLICT naming who depends on the thing
 *   (add-ons and their tariffs, modules, services) and change nothing:
 *   an IP type used by an add-on, a module's parking type or a service's
 *   address cannot be deleted; a range whose addresses services hold
 *   cannot change its type or be deleted.
 * - After a change to types, and when iprange_load finds the types
 *   differ from what is cached, the cached IPmanager types of the modules
 *   that use the connection are fetched again (inventory.h), so that
 *   iprange_addon_flags and the tariff checks see the new state.
 * - The set-up (iprange_setup_*) has four steps: type, range, add-on,
 *   tariffs. Each reads the current state first and is skipped when it is
 *   already done, so running the same set-up again finishes what a failed
 *   run left; a failed step leaves the earlier ones in place and stops.
 *
 * Units: address counts. Range keys: a range is named by its net text as
 * IPmanager shows it ("192.168.9.0/24", "10.0.0.5-10.0.0.9") or by its id
 * ("7" or "#7"). */
#ifndef DC_IPRANGE_H
#define DC_IPRANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "inventory.h"
#include "ipm.h"
#include "model.h"
#include "panel.h"
#include "store.h"

#define IPR_NET_MAX    96
#define IPR_ADDR_MAX   64
#define IPR_NOTE_MAX   256
#define IPR_USERS_MAX  512
#define IPR_HOLDER_MAX 160

/* One IPmanager connection at work. */
typedef struct iprange_ctx {
	dc_store *st;
	panel *ipm; /* owned */
	dc_conn conn;
	inv_opts inv; /* for the modules' cached facts after a change */
	char tag[33]; /* the store's marker tag ("" if it has none) */
} iprange_ctx;

/* Picks the IPmanager connection `name` (NULL or "": the only one; with
 * several, DC_E_INVALID field "ipmgr" listing them) and opens a handle on
 * it. o may be NULL (defaults). No network yet. */
int iprange_open(iprange_ctx *c, dc_store *st, const char *name,
                 const inv_opts *o, dc_err *err);
void iprange_close(iprange_ctx *c);

/* ---- views ---------------------------------------------------------- */

typedef struct iprange_type {
	char name[DC_TYPE_MAX];
	char note[IPR_NOTE_MAX];
	size_t nranges;
	long free, used;             /* summed over its ranges */
	char addons[IPR_USERS_MAX];  /* add-ons of this type, "a, b" or "" */
	char parking[IPR_USERS_MAX]; /* modules parking there, or "" */
} iprange_type;

typedef struct iprange_net {
	long id;
	char net[IPR_NET_MAX];
	char gateway[IPR_ADDR_MAX];
	char family[8];
	char iptype[DC_TYPE_MAX];
	char note[IPR_NOTE_MAX];
	long free, used;
	long held; /* addresses in it that services hold */
} iprange_net;

typedef struct iprange_addr {
	char ip[IPR_ADDR_MAX];
	char family[8];
	char iptype[DC_TYPE_MAX];
	char domain[IPR_NOTE_MAX];
	char note[IPR_NOTE_MAX];
	long net_id; /* the range it lies in, 0 if none */
	char net[IPR_NET_MAX];
	int64_t service_id;          /* the service holding it, 0 none */
	char holder[IPR_HOLDER_MAX]; /* "#12 alice s12.ds" or "" */
	char role[16];               /* "main", "special", ... or "" */
	bool in_ipm;                 /* IPmanager lists it as allocated */
	bool in_store;               /* a service of this store records it */
} iprange_addr;

enum {
	IPR_TYPES = 1u << 0,
	IPR_NETS = 1u << 1,
	IPR_ADDRS = 1u << 2,
	IPR_ALL = IPR_TYPES | IPR_NETS | IPR_ADDRS,
};

/* Address filters; NULL / "" / 0 = any. */
typedef struct iprange_filter {
	const char *iptype;
	const char *net; /* a range key (see above) */
	int64_t service_id;
} iprange_filter;

typedef struct iprange_view {
	iprange_type *types;
	size_t ntypes;
	iprange_net *nets;
	size_t nnets;
	iprange_addr *addrs;
	size_t naddrs;
} iprange_view;

/* Reads what `what` asks for (ranges are always read: types and
 * addresses need them) and joins it with the store. Addresses are the
 * IPmanager's allocated ones plus those the store's services record that
 * IPmanager no longer lists (in_ipm false), filtered by f (may be NULL);
 * an unknown range key in f is DC_E_NOTFOUND (field "range"). */
int iprange_load(iprange_ctx *c, unsigned what, const iprange_filter *f,
                 iprange_view *out, dc_err *err);
void iprange_view_free(iprange_view *v);

/* The range with this key in l, or NULL. */
const ipm_net *iprange_net_find(const ipm_nets *l, const char *key);
/* Does the range text (CIDR, "a-b" or one address) contain ip? false
 * for text that is not a range or an address of another family. */
bool iprange_net_contains(const char *net, const char *ip);

/* A service named on a command line: its id ("12", "#12") or the host
 * name of a live service. DC_E_NOTFOUND field "service" otherwise. */
int iprange_find_service(dc_store *st, const char *key, int64_t *id,
                         dc_err *err);

/* ---- changes with their guards --------------------------------------- */

/* Creates a type (the name under model_check_type_name's rule). */
int iprange_type_add(iprange_ctx *c, const char *name, const char *note,
                     dc_err *err);
/* Refused (DC_E_CONFLICT) while an add-on is of the type (naming it and
 * the tariffs that have it), a module of this IPmanager parks there, or a
 * service holds an address of it. */
int iprange_type_delete(iprange_ctx *c, const char *name, dc_err *err);
/* Who would stop the type's deletion, as one line ("" when nobody). */
int iprange_type_users(iprange_ctx *c, const char *name, char *buf, size_t len,
                       dc_err *err);

int iprange_net_add(iprange_ctx *c, const ipm_net_spec *s, long *id,
                    dc_err *err);
/* Changes gateway, type and note (NULL fields stay). A change of type is
 * refused while services hold addresses of the range, listing them. */
int iprange_net_edit(iprange_ctx *c, const char *key, const ipm_net_spec *s,
                     dc_err *err);
/* Refused while services hold addresses of the range. */
int iprange_net_delete(iprange_ctx *c, const char *key, dc_err *err);

/* The services holding addresses of range `net` (text): one line such as
 * "#12 alice (2 addresses), #15 bob (1 address)" into buf; *count gets
 * the number of addresses. Reads the store and the IPmanager's address
 * notes (dcictl's markers). */
int iprange_net_holders(iprange_ctx *c, const char *net, char *buf, size_t len,
                        long *count, dc_err *err);

/* ---- add-ons whose type is missing ----------------------------------- */

/* A special_ip_block_<type> add-on of a tariff whose type a module of the
 * tariff cannot allocate from: missing from the module's IPmanager, or
 * not known (its types were never fetched, or the last fetch failed). */
typedef struct iprange_flag {
	char tariff[DC_NAME_MAX];
	char addon[DC_NAME_MAX];
	char iptype[DC_TYPE_MAX];
	char module[DC_NAME_MAX];
	char ipmgr[DC_NAME_MAX];
	bool unknown; /* cannot tell; else the type is missing */
	char why[DC_MSG_MAX];
} iprange_flag;

/* For the tariff named `tariff` (NULL: every tariff), from the store only
 * (the modules' cached IPmanager types, inventory.h): no network, cheap
 * enough for every dashboard refresh. *out is malloc'd (free()), NULL and
 * 0 when nothing is flagged. */
int iprange_addon_flags(dc_store *st, const char *tariff, iprange_flag **out,
                        size_t *n, dc_err *err);
/* Fetches again (inventory.h, INV_IPTYPES) the cached IPmanager types of
 * the modules of tariffs that have special add-ons (tariff NULL: all),
 * where the last attempt is at least max_age_ms old (0: all of them), so
 * that the flags are as young as that. A panel that fails is recorded on
 * its module and flags it as unknown; only the store can fail here. */
int iprange_flags_refresh(dc_store *st, const char *tariff, const inv_opts *o,
                          int64_t max_age_ms, dc_err *err);

/* ---- the guided set-up ------------------------------------------------ */

typedef enum iprange_step_id {
	IPRS_TYPE,
	IPRS_RANGE,
	IPRS_ADDON,
	IPRS_TARIFFS,
	IPRS_COUNT
} iprange_step_id;

typedef enum iprange_step_state {
	IPRS_PENDING, /* not looked at */
	IPRS_WILL,    /* plan: would change something */
	IPRS_ALREADY, /* already done: skipped */
	IPRS_DONE,    /* done by this run */
	IPRS_FAILED,  /* failed (apply) or would be refused (plan) */
	IPRS_NOT_RUN, /* an earlier step failed */
} iprange_step_state;

/* "type", "range", "add-on", "tariffs". */
const char *iprange_step_name(iprange_step_id id);
/* "pending", "will do", "already done", "done", "FAILED", "not run". */
const char *iprange_step_state_name(iprange_step_state s);
/* The reverse of iprange_step_state_name; -1 if unknown. */
int iprange_step_state_parse(const char *s, iprange_step_state *out);

#define IPRS_SETUP_TARIFFS DC_TARIFF_ADDONS_MAX

typedef struct iprange_setup {
	const char *iptype;    /* required */
	const char *type_note; /* a new type's note, or NULL */
	const char *range;     /* required: a range key, or the net of a new
	                          range (created when no range has it) */
	const char *gateway;   /* a new range's gateway, or NULL */
	const char *const *tariffs; /* names; may be none */
	size_t ntariffs;
	dc_billing billing; /* DC_BILL_NONE or DC_BILL_CLIENT */
	const char *values; /* none: the count (NULL: "1"); client: a list
	                       "0,1,2" or "MIN..MAX" (required) */
} iprange_setup;

typedef struct iprange_step {
	iprange_step_id id;
	iprange_step_state state;
	char detail[512]; /* what was (or would be) done, or why skipped */
	dc_err err;       /* IPRS_FAILED: why */
} iprange_step;

typedef struct iprange_setup_result {
	iprange_step steps[IPRS_COUNT];
	int failed;              /* index of the failed step, -1 none */
	char addon[DC_NAME_MAX]; /* special_ip_block_<type> */
} iprange_setup_result;

/* Checks the request alone (no network): type name, range given, billing
 * none/client, values valid for a special block, tariffs exist and are
 * named once. Refusals are DC_E_INVALID naming the option ("iptype",
 * "range", "billing", "values", "tariff"). */
int iprange_setup_check(dc_store *st, const iprange_setup *s, dc_err *err);

/* What apply would do, changing nothing: every step WILL, ALREADY or
 * FAILED (a guard or a missing type elsewhere that would refuse it). -1
 * only when the request is invalid or the state cannot be read. */
int iprange_setup_plan(iprange_ctx *c, const iprange_setup *s,
                       iprange_setup_result *r, dc_err *err);

/* Runs the steps in order. progress (may be NULL) is called on this
 * thread after each step ends. Returns 0 when every step is done or
 * already done; -1 with err = the failed step's error, prefixed with the
 * step ("step range: ..."); r says what each step did either way. */
int iprange_setup_apply(iprange_ctx *c, const iprange_setup *s,
                        void (*progress)(void *user,
                                         const iprange_setup_result *r,
                                         iprange_step_id done),
                        void *user, iprange_setup_result *r, dc_err *err);

#endif
