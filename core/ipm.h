/* ipm.h - IPmanager 5 (`ipmgr`) typed calls: address types, ranges and
 * addresses (list, allocate, release).
 *
 * Contract: as dci.h. Every [ours] detail of the IPmanager wire (protocol.md
 * 5) lives in ipm.c; see doc/api-assumptions.md. Allocation relies on the
 * panel to hand out each address once (two callers never get the same
 * address); ipm_ip_allocate is NOT repeated after an expired session,
 * since a lost answer could mean a lost address. */
#ifndef DC_IPM_H
#define DC_IPM_H

#include <stdbool.h>
#include <stddef.h>

#include "panel.h"

typedef enum ipm_family { IPM_IPV4 = 4, IPM_IPV6 = 6 } ipm_family;

/* "ipv4" / "ipv6", as the panels spell a family. */
const char *ipm_family_name(ipm_family f);
/* Parses "ipv4"/"ipv6" (also "4"/"6"); -1 if neither. */
int ipm_family_parse(const char *s, ipm_family *out);

/* ---- address types ("groups" in newer docs) ---- */

typedef struct ipm_type {
	const char *name, *note;
} ipm_type;

typedef struct ipm_types {
	ipm_type *v;
	size_t n;
	xml_doc *doc;
} ipm_types;

int ipm_type_list(panel *p, ipm_types **out, dc_err *err);
void ipm_types_free(ipm_types *l);
const ipm_type *ipm_type_find(const ipm_types *l, const char *name);
/* Creates a type. The name must be a non-empty word of letters, digits,
 * '_' and '-' (it becomes part of an add-on name). */
int ipm_type_create(panel *p, const char *name, const char *note, dc_err *err);
int ipm_type_delete(panel *p, const char *name, dc_err *err);

/* ---- ranges ---- */

typedef struct ipm_net {
	long id;
	const char *net; /* CIDR or "a-b" */
	const char *gateway, *family, *iptype, *note;
	long free, used; /* addresses */
} ipm_net;

typedef struct ipm_nets {
	ipm_net *v;
	size_t n;
	xml_doc *doc;
} ipm_nets;

int ipm_net_list(panel *p, ipm_nets **out, dc_err *err);
void ipm_nets_free(ipm_nets *l);

typedef struct ipm_net_spec {
	const char *net;     /* CIDR or "a-b" (create only) */
	const char *gateway; /* or NULL */
	const char *iptype;  /* the type its addresses carry */
	const char *note;    /* or NULL */
} ipm_net_spec;

/* Creates a range; *id gets its id. */
int ipm_net_create(panel *p, const ipm_net_spec *s, long *id, dc_err *err);
/* Changes gateway, type and note of range id. */
int ipm_net_edit(panel *p, long id, const ipm_net_spec *s, dc_err *err);
int ipm_net_delete(panel *p, long id, dc_err *err);

/* ---- addresses ---- */

typedef struct ipm_ip {
	const char *ip, *family, *iptype, *domain, *note;
} ipm_ip;

typedef struct ipm_ips {
	ipm_ip *v;
	size_t n;
	xml_doc *doc;
} ipm_ips;

/* Every allocated address, or (iptype not NULL) those of one type. */
int ipm_ip_list(panel *p, const char *iptype, ipm_ips **out, dc_err *err);
void ipm_ips_free(ipm_ips *l);
const ipm_ip *ipm_ip_find(const ipm_ips *l, const char *ip);

typedef struct ipm_alloc {
	ipm_family family;
	const char *iptype; /* required */
	const char *domain; /* or NULL */
	const char *note;   /* or NULL; dcictl puts its service id here */
	const char *ip;     /* NULL: any free address; else this one */
} ipm_alloc;

#define IPM_ADDR_MAX 64
/* Takes an address out of the free pool. None free: DC_E_LIMIT (object
 * iptype). The answer is checked to be an address of the family. */
int ipm_ip_allocate(panel *p, const ipm_alloc *a, char addr[IPM_ADDR_MAX],
                    dc_err *err);
/* Puts an address back into the free pool. */
int ipm_ip_release(panel *p, const char *addr, dc_err *err);

#endif
