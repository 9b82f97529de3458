/* engine_open.c - the steps of opening a service (domain.md 3): claim a
 * server, allocate addresses, attach them (the parking address goes back),
 * switch port, licence, OS install, power on, owner. Each step reads the
 * panel first and skips what is done; each has an undo for rollback. */
#include "engine_int.h"

#include "module.h"
#include "tariff.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long addon_long(const dc_service *s, const char *kind)
{
	const char *v = service_addon_value(s, kind);
	if (!v || !*v)
		return 0;
	char *end;
	long n = strtol(v, &end, 10);
	return *end || n < 0 ? 0 : n;
}

static bool form_ours(const eng_ctx *c, const dci_server_form *f)
{
	return service_notes_has(f->notes, c->marker);
}

/* ---- claim -----------------------------------------------------------------
 */

static int set_server(eng_ctx *c, int64_t module_id, long server_id,
                      const char *name, dc_err *err)
{
	if (eng_begin(c, err))
		return -1;
	if (service_set_server_tx(c->e->st, c->svc.id, module_id, server_id,
	                          name, err)) {
		eng_abort(c);
		return -1;
	}
	if (eng_commit(c, err))
		return -1;
	c->svc.module_id = module_id;
	c->svc.server_id = server_id;
	dc_strlcpy(c->svc.server_name, name ? name : "",
	           sizeof(c->svc.server_name));
	return 0;
}

/* Owner (our holding account), host name and marker on the server. */
static int write_claim(eng_ctx *c, panel *p, dci_server_form *f, dc_err *err)
{
	char notes[1024];
	dci_server_form w = *f;
	w.owner = c->mod.username;
	w.hostname = c->svc.hostname;
	/* The operator's own notes stay; the marker is one more word. */
	w.notes = service_notes_add(f->notes, c->marker, notes, sizeof(notes));
	if (dci_server_form_apply(p, &w, err))
		return -1;
	eng_mutated(c, "server.edit");
	return 0;
}

/* Read back: the server carries our marker and our holding owner. */
static int read_back(eng_ctx *c, panel *p, long id, bool *ours, dc_err *err)
{
	dci_server_form *f = NULL;
	if (dci_server_form_get(p, id, &f, err))
		return -1;
	*ours = form_ours(c, f) && !strcmp(f->owner, c->mod.username);
	dci_server_form_free(f);
	return 0;
}

static int claimed(eng_ctx *c, dc_err *err)
{
	if (eng_begin(c, err))
		return -1;
	if (eng_data_set_int_tx(c, "claimed_ms", wall_ms(), err)) {
		eng_abort(c);
		return -1;
	}
	if (eng_commit(c, err))
		return -1;
	snprintf(c->note, sizeof(c->note),
	         "claimed server %" PRId64 " (%s) on module %s",
	         c->svc.server_id, c->svc.server_name, c->mod.name);
	return 0;
}

/* A server claimed before (retry, restart): still ours? Finishes the claim
 * if it is; forgets the server if it is not. *done when it is ours. */
static int reclaim_known(eng_ctx *c, bool *done, dc_err *err)
{
	*done = false;
	panel *p = eng_dci(c, err);
	if (!p)
		return -1;
	dci_server_form *f = NULL;
	if (dci_server_form_get(p, (long)c->svc.server_id, &f, err)) {
		if (err && err->cat == DC_E_MISSED)
			return set_server(c, 0, 0, NULL, err);
		return -1;
	}
	bool ours = form_ours(c, f);
	bool whole = ours && !strcmp(f->owner, c->mod.username) &&
	             !strcmp(f->hostname, c->svc.hostname);
	bool free_now = !f->owner[0];
	int rc = 0;
	if (ours && !whole)
		rc = write_claim(c, p, f, err);
	else if (!ours && free_now &&
	         !service_notes_marker(f->notes, NULL, NULL))
		/* Our write may not have landed (crash, timeout): it is still
		 * free, claim it now. */
		rc = write_claim(c, p, f, err);
	dci_server_form_free(f);
	if (rc)
		return -1;
	bool ok;
	if (read_back(c, p, (long)c->svc.server_id, &ok, err))
		return -1;
	if (ok) {
		long long ms;
		bool found;
		if (eng_data_int(c, NULL, "claimed_ms", &ms, &found, err))
			return -1;
		*done = true;
		if (!found)
			return claimed(c, err);
		snprintf(c->note, sizeof(c->note),
		         "server %" PRId64 " (%s) already claimed",
		         c->svc.server_id, c->svc.server_name);
		return 0;
	}
	return set_server(c, 0, 0, NULL, err);
}

typedef struct cand {
	long id;
	char name[DC_NAME_MAX];
	uint64_t key;
} cand;

static int cand_cmp(const void *a, const void *b)
{
	const cand *x = a, *y = b;
	return x->key < y->key ? -1 : x->key > y->key;
}

/* Spreads racers over the free servers: each order tries them in its own
 * order (a hash of the service and server), so twenty orders do not all
 * fight over the first free server. */
static uint64_t spread(int64_t svc, long srv)
{
	uint64_t h = (uint64_t)svc * 0x9E3779B97F4A7C15ULL ^ (uint64_t)srv;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

/* Tries the free servers of one module. 0 with *got when one is ours;
 * 0 without when none could be had (*last_err keeps the last refusal that
 * was not "taken by someone else"); -1 on an error worth a retry. */
static int try_module(eng_ctx *c, const dc_tariff *t, int64_t min_ram,
                      bool *got, bool *errored, dc_err *last_err, dc_err *err)
{
	*got = false;
	panel *p = eng_dci(c, err);
	if (!p)
		return -1;
	dci_servers *l = NULL;
	if (dci_server_list(p, &l, err)) {
		if (err->retryable)
			return -1;
		*last_err = *err;
		*errored = true;
		return 0;
	}
	cand *v = calloc(l->n ? l->n : 1, sizeof(*v));
	if (!v) {
		dci_servers_free(l);
		return err_set(err, DC_E_NOMEM, "out of memory");
	}
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++) {
		const dci_server *s = &l->v[i];
		avail_server as = {
		    .owner = s->owner,
		    .type = s->type,
		    .ram_mib = s->ram_mib,
		    .blocked = s->blocked,
		    .hwproblem = s->hwproblem,
		    .diag_in_progress = s->diag_in_progress,
		    .install_in_progress = s->install_in_progress,
		    .operation_failed = s->operation_failed,
		};
		if (!avail_server_fits(&as, t->server_type, min_ram))
			continue;
		char key[48];
		long long lost;
		bool found;
		snprintf(key, sizeof(key), "lost:%" PRId64 ":%ld", c->mod.id,
		         s->id);
		if (eng_data_int(c, NULL, key, &lost, &found, err)) {
			free(v);
			dci_servers_free(l);
			return -1;
		}
		if (found)
			continue;
		v[n].id = s->id;
		dc_strlcpy(v[n].name, s->name, sizeof(v[n].name));
		v[n].key = spread(c->svc.id, s->id);
		n++;
	}
	dci_servers_free(l);
	qsort(v, n, sizeof(*v), cand_cmp);
	int rc = 0;
	for (size_t i = 0; i < n && !*got; i++) {
		/* Intent first: the store refuses a server another service of
		 * this store holds, before any panel call. */
		dc_err se;
		if (set_server(c, c->mod.id, v[i].id, v[i].name, &se)) {
			if (se.cat == DC_E_CONFLICT)
				continue;
			*err = se;
			rc = -1;
			break;
		}
		eng_say(c, "claiming server %ld (%s)", v[i].id, v[i].name);
		dci_server_form *f = NULL;
		if (dci_server_form_get(p, v[i].id, &f, &se)) {
			if (se.retryable) {
				*err = se;
				rc = -1;
				break;
			}
			*last_err = se;
			*errored = true;
			if (set_server(c, 0, 0, NULL, err)) {
				rc = -1;
				break;
			}
			continue;
		}
		if (f->owner[0] || service_notes_marker(f->notes, NULL, NULL)) {
			/* Taken since the list was read (an owner, or a
			 * claim of another dcictl in progress). */
			dci_server_form_free(f);
			if (set_server(c, 0, 0, NULL, err)) {
				rc = -1;
				break;
			}
			continue;
		}
		int w = write_claim(c, p, f, &se);
		dci_server_form_free(f);
		if (w) {
			if (se.retryable) {
				/* Did it land? The retry reads the form
				 * (the server stays recorded). */
				*err = se;
				rc = -1;
				break;
			}
			*last_err = se;
			*errored = true;
			if (set_server(c, 0, 0, NULL, err)) {
				rc = -1;
				break;
			}
			continue;
		}
		bool ours;
		if (read_back(c, p, v[i].id, &ours, err)) {
			rc = -1;
			break;
		}
		if (ours) {
			*got = true;
			rc = claimed(c, err);
			break;
		}
		eng_say(c, "server %ld (%s) went to someone else", v[i].id,
		        v[i].name);
		if (set_server(c, 0, 0, NULL, err)) {
			rc = -1;
			break;
		}
	}
	free(v);
	return rc;
}

static int step_claim(eng_ctx *c, dc_err *err)
{
	if (c->svc.server_id) {
		bool done;
		if (reclaim_known(c, &done, err))
			return -1;
		if (done)
			return 0;
	}
	dc_tariff *t = calloc(1, sizeof(*t));
	dc_addon *addons = calloc(DC_TARIFF_ADDONS_MAX, sizeof(*addons));
	if (!t || !addons) {
		free(t);
		free(addons);
		return err_set(err, DC_E_NOMEM, "out of memory");
	}
	int rc = -1;
	if (!c->svc.tariff_id) {
		err_set(err, DC_E_NOTFOUND,
		        "the tariff of service %" PRId64 " was deleted",
		        c->svc.id);
		goto out;
	}
	if (tariff_get(c->e->st, c->svc.tariff_id, t, err))
		goto out;
	/* The RAM floor is what the order asked for (domain.md 2). */
	int64_t min_ram = addon_long(&c->svc, "ram");
	module_candidate mc[DC_TARIFF_MODULES_MAX];
	dc_module mods[DC_TARIFF_MODULES_MAX];
	size_t nm = 0;
	for (size_t i = 0; i < t->nmodules; i++) {
		if (module_get(c->e->st, t->modules[i], &mods[nm], err))
			goto out;
		mc[nm] = (module_candidate){mods[nm].id, mods[nm].sorting,
		                            mods[nm].enabled, -1};
		nm++;
	}
	size_t order[DC_TARIFF_MODULES_MAX];
	size_t no = module_order(mc, nm, order);
	bool errored = false;
	dc_err last;
	err_clear(&last);
	for (size_t k = 0; k < no; k++) {
		if (eng_load_module(c, mods[order[k]].id, err))
			goto out;
		bool got;
		if (try_module(c, t, min_ram, &got, &errored, &last, err))
			goto out;
		if (got) {
			rc = 0;
			goto out;
		}
	}
	if (errored) {
		*err = last;
		err_prefix(err, "no server could be claimed");
		err->retryable = false;
		goto out;
	}
	if (min_ram > 0)
		err_set(err, DC_E_LIMIT,
		        "no free server of type %s with RAM >= %" PRId64 " MiB",
		        t->server_type, min_ram);
	else
		err_set(err, DC_E_LIMIT, "no free server of type %s",
		        t->server_type);
	if (!no)
		err_set(err, DC_E_LIMIT,
		        "tariff %s has no enabled processing module", t->name);
	rc = ENG_REFUSED;
out:
	free(t);
	free(addons);
	return rc;
}

/* Gives the server back if it is still ours: no owner, free.ds, no
 * marker. */
static int free_server(eng_ctx *c, dc_err *err)
{
	if (!c->svc.server_id)
		return 0;
	panel *p = eng_dci(c, err);
	if (!p)
		return -1;
	dci_server_form *f = NULL;
	if (dci_server_form_get(p, (long)c->svc.server_id, &f, err)) {
		if (err && err->cat == DC_E_MISSED)
			return 0;
		return -1;
	}
	int rc = 0;
	if (form_ours(c, f)) {
		char notes[1024];
		dci_server_form w = *f;
		w.owner = "";
		w.hostname = "free.ds";
		w.notes = service_notes_remove(f->notes, c->marker, notes,
		                               sizeof(notes));
		rc = dci_server_form_apply(p, &w, err);
		if (rc == 0) {
			eng_mutated(c, "server.edit");
			snprintf(c->note, sizeof(c->note),
			         "server %" PRId64 " (%s) is free again",
			         c->svc.server_id, c->svc.server_name);
		}
	} else {
		snprintf(c->note, sizeof(c->note),
		         "server %" PRId64 " is not ours; left as it is",
		         c->svc.server_id);
	}
	dci_server_form_free(f);
	return rc;
}

static int undo_claim(eng_ctx *c, dc_err *err)
{
	/* The service keeps naming the server (history, and reconcile
	 * finds the parking address it left there). */
	return free_server(c, err);
}

/* ---- allocate ----------------------------------------------------------- */

typedef struct want {
	svc_role role;
	const char *family;
	char iptype[DC_TYPE_MAX];
	long count;
} want;

static size_t wants_of(eng_ctx *c, want *w, size_t max)
{
	const engine_opts *o = &c->e->o;
	size_t n = 0;
	w[n++] = (want){SVC_ROLE_MAIN, "ipv4", "", 1};
	dc_strlcpy(w[0].iptype, o->type_public, sizeof(w[0].iptype));
	struct {
		const char *kind;
		svc_role role;
		const char *family, *type;
	} map[] = {
	    {"ipv4_public", SVC_ROLE_PUBLIC, "ipv4", o->type_public},
	    {"ipv4_private", SVC_ROLE_PRIVATE, "ipv4", o->type_private},
	    {"ipv6", SVC_ROLE_IPV6, "ipv6", o->type_ipv6},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]) && n < max; i++) {
		long k = addon_long(&c->svc, map[i].kind);
		if (k <= 0)
			continue;
		w[n] = (want){map[i].role, map[i].family, "", k};
		dc_strlcpy(w[n].iptype, map[i].type, sizeof(w[n].iptype));
		n++;
	}
	size_t plen = strlen(DC_SPECIAL_IP_PREFIX);
	for (size_t i = 0; i < c->svc.naddons && n < max; i++) {
		const svc_addon *a = &c->svc.addons[i];
		if (strncmp(a->kind, DC_SPECIAL_IP_PREFIX, plen))
			continue;
		long k = addon_long(&c->svc, a->kind);
		if (k <= 0)
			continue;
		w[n] = (want){SVC_ROLE_SPECIAL, "ipv4", "", k};
		dc_strlcpy(w[n].iptype, a->kind + plen, sizeof(w[n].iptype));
		n++;
	}
	return n;
}

/* Sweeps each address type the order uses once (see eng_addr_sweep). */
static int sweep_types(eng_ctx *c, const want *w, size_t nw, dc_err *err)
{
	for (size_t i = 0; i < nw; i++) {
		bool dup = false;
		for (size_t k = 0; k < i; k++)
			dup |= !strcmp(w[k].iptype, w[i].iptype);
		if (!dup && eng_addr_sweep(c, true, w[i].iptype, err))
			return -1;
	}
	return 0;
}

static int step_allocate(eng_ctx *c, dc_err *err)
{
	want w[DC_TARIFF_ADDONS_MAX + 4];
	size_t nw = wants_of(c, w, sizeof(w) / sizeof(w[0]));
	if (c->attempts_before > 0 && sweep_types(c, w, nw, err))
		return -1;
	svc_addr *have = NULL;
	size_t nh = 0;
	if (service_addrs(c->e->st, c->svc.id, &have, &nh, err))
		return -1;
	long made = 0, total = 0;
	int rc = 0;
	for (size_t i = 0; i < nw && rc == 0; i++) {
		long got = 0;
		for (size_t k = 0; k < nh; k++)
			got += have[k].role == w[i].role &&
			       !strcmp(have[k].iptype, w[i].iptype);
		total += w[i].count;
		for (long k = got; k < w[i].count && rc == 0; k++) {
			eng_say(c, "allocating %s address %ld of %ld (%s)",
			        svc_role_name(w[i].role), k + 1, w[i].count,
			        w[i].iptype);
			rc = eng_addr_allocate(c, w[i].role, w[i].family,
			                       w[i].iptype, NULL, NULL, err);
			made += rc == 0;
		}
	}
	free(have);
	if (rc)
		return -1;
	/* Defence in depth: our transport sends an allocation once
	 * (http.h), but something between us and the panel (a proxy or
	 * balancer re-sending a POST) could still make one request take two
	 * addresses. Any address with our marker that the store does not
	 * know is recorded, then extras are given back. */
	if (made && sweep_types(c, w, nw, err))
		return -1;
	if (service_addrs(c->e->st, c->svc.id, &have, &nh, err))
		return -1;
	long extra = 0;
	for (size_t i = 0; i < nw && rc == 0; i++) {
		long got = 0;
		for (size_t k = 0; k < nh && rc == 0; k++) {
			if (have[k].role != w[i].role ||
			    strcmp(have[k].iptype, w[i].iptype))
				continue;
			if (++got > w[i].count) {
				rc = eng_addr_release(c, &have[k], false, err);
				extra += rc == 0;
			}
		}
	}
	free(have);
	if (rc == 0)
		snprintf(c->note, sizeof(c->note),
		         "%ld address(es) held, %ld allocated now%s", total,
		         made, extra ? ", extras given back" : "");
	return rc;
}

static int undo_allocate(eng_ctx *c, dc_err *err)
{
	if (eng_addr_sweep(c, true, NULL, err))
		return -1;
	svc_addr *v = NULL;
	size_t n = 0;
	if (service_addrs(c->e->st, c->svc.id, &v, &n, err))
		return -1;
	int rc = 0;
	size_t gone = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (v[i].role == SVC_ROLE_PARKING)
			continue;
		rc = eng_addr_release(c, &v[i], true, err);
		gone += rc == 0;
	}
	free(v);
	if (rc == 0)
		snprintf(c->note, sizeof(c->note),
		         "%zu address(es) given back to IPmanager", gone);
	return rc;
}

/* ---- attach ------------------------------------------------------------- */

/* The free server's own parking address: detach, then give it back to
 * IPmanager. The intent ("park:<ip>") is in the journal before the panel
 * is touched, its progress after each call. */
static int release_parking(eng_ctx *c, const char *ip, long ip_id, dc_err *err)
{
	char key[SVC_IP_MAX + 8];
	snprintf(key, sizeof(key), "park:%s", ip);
	char state[32];
	bool found;
	if (eng_data_text(c, NULL, key, state, sizeof(state), &found, err))
		return -1;
	if (found && !strcmp(state, "released"))
		return 0;
	if (!found) {
		if (eng_begin(c, err) ||
		    eng_data_set_text_tx(c, key, "detaching", err)) {
			eng_abort(c);
			return -1;
		}
		if (eng_commit(c, err))
			return -1;
	}
	panel *p = eng_dci(c, err);
	if (!p)
		return -1;
	if (ip_id) {
		if (dci_ip_detach(p, (long)c->svc.server_id, ip_id, err) &&
		    err->cat != DC_E_MISSED)
			return -1;
		eng_mutated(c, "iplist.delete");
	}
	panel *ipm = eng_ipm(c, err);
	if (!ipm)
		return -1;
	bool release = true;
	if (found) {
		/* We were here before a restart: it may be back in the pool
		 * and taken by someone else since. A free server's parking
		 * address carries no note, or a parking note. */
		ipm_ips *l = NULL;
		if (ipm_ip_list(ipm, c->mod.parking_type, &l, err))
			return -1;
		const ipm_ip *x = ipm_ip_find(l, ip);
		svc_role r;
		bool hr;
		int64_t id;
		release =
		    x && (!x->note[0] ||
		          (service_marker_parse(x->note, NULL, &id, &r, &hr) &&
		           hr && r == SVC_ROLE_PARKING));
		ipm_ips_free(l);
	}
	if (release) {
		if (ipm_ip_release(ipm, ip, err)) {
			if (err->cat != DC_E_MISSED)
				return -1;
		} else {
			eng_mutated(c, "ip.delete");
		}
	}
	if (eng_begin(c, err) ||
	    eng_data_set_text_tx(c, key, "released", err)) {
		eng_abort(c);
		return -1;
	}
	return eng_commit(c, err);
}

static int settle(eng_ctx *c, dc_err *err)
{
	long long at;
	bool found;
	if (eng_data_int(c, "claim", "claimed_ms", &at, &found, err))
		return -1;
	if (!found)
		return 0;
	int64_t left = at + c->e->o.claim_settle_ms - wall_ms();
	if (left > c->e->o.claim_settle_ms)
		left = c->e->o.claim_settle_ms; /* clock stepped back */
	if (left <= 0)
		return 0;
	eng_say(c, "making sure the claim holds (%lld ms)", (long long)left);
	return eng_sleep(c->e, (long)left, err);
}

static int step_attach(eng_ctx *c, dc_err *err)
{
	if (settle(c, err))
		return -1;
	svc_addr *v = NULL;
	size_t n = 0;
	if (service_addrs(c->e->st, c->svc.id, &v, &n, err))
		return -1;
	bool any_attached = false;
	for (size_t i = 0; i < n; i++)
		any_attached |= v[i].panel_ip_id != 0;
	eng_strs parks;
	if (eng_data_keys(c, NULL, "park:", &parks, err)) {
		free(v);
		return -1;
	}
	bool touched = any_attached || parks.n;
	eng_strs_free(&parks);
	dc_err ve;
	if (eng_verify_ours(c, NULL, &ve)) {
		free(v);
		if (ve.cat == DC_E_CONFLICT && !touched)
			return ENG_RECLAIM; /* lost the race late: choose again
			                     */
		*err = ve;
		return -1;
	}
	int rc = 0;
	/* The main address first, so the server always has one. */
	for (size_t i = 0; i < n && rc == 0; i++)
		if (v[i].role == SVC_ROLE_MAIN) {
			eng_say(c, "attaching %s as main", v[i].ip);
			rc = eng_addr_attach(c, &v[i], true, err);
		}
	for (size_t i = 0; i < n && rc == 0; i++)
		if (v[i].role != SVC_ROLE_MAIN &&
		    v[i].role != SVC_ROLE_PARKING) {
			eng_say(c, "attaching %s", v[i].ip);
			rc = eng_addr_attach(c, &v[i], false, err);
		}
	if (rc) {
		free(v);
		return -1;
	}
	/* What the free server had of the parking type goes back. */
	panel *p = eng_dci(c, err);
	dci_ips *l = NULL;
	if (!p || dci_ip_list(p, (long)c->svc.server_id, &l, err)) {
		free(v);
		return -1;
	}
	size_t released = 0;
	for (size_t i = 0; i < l->n && rc == 0; i++) {
		const dci_ip *x = &l->v[i];
		bool ours = false;
		for (size_t k = 0; k < n; k++)
			ours |= !strcmp(v[k].ip, x->ip);
		if (ours || strcmp(x->iptype, c->mod.parking_type))
			continue;
		eng_say(c, "giving back parking address %s", x->ip);
		rc = release_parking(c, x->ip, x->id, err);
		released += rc == 0;
	}
	dci_ips_free(l);
	/* And one detached before a restart but not yet given back. */
	if (rc == 0) {
		eng_strs ks;
		if (eng_data_keys(c, NULL, "park:", &ks, err)) {
			free(v);
			return -1;
		}
		for (size_t i = 0; i < ks.n && rc == 0; i++)
			if (strcmp(ks.v[i], "released"))
				rc = release_parking(c, ks.k[i] + 5, 0, err);
		eng_strs_free(&ks);
	}
	if (rc == 0)
		snprintf(c->note, sizeof(c->note),
		         "%zu address(es) attached, %zu parking address(es) "
		         "given back",
		         n, released);
	free(v);
	return rc;
}

static int undo_attach(eng_ctx *c, dc_err *err)
{
	if (!c->svc.server_id)
		return 0;
	dc_err ve;
	bool ours = eng_verify_ours(c, NULL, &ve) == 0;
	if (!ours && ve.cat != DC_E_CONFLICT) {
		*err = ve;
		return -1;
	}
	/* A server going back to free gets a parking main address first. */
	if (ours && eng_ensure_parking(c, err))
		return -1;
	svc_addr *v = NULL;
	size_t n = 0;
	if (service_addrs(c->e->st, c->svc.id, &v, &n, err))
		return -1;
	panel *p = eng_dci(c, err);
	dci_ips *l = NULL;
	if (!p || dci_ip_list(p, (long)c->svc.server_id, &l, err)) {
		free(v);
		return -1;
	}
	int rc = 0;
	size_t off = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (v[i].role == SVC_ROLE_PARKING)
			continue;
		const dci_ip *x = dci_ip_find(l, v[i].ip);
		if (x) {
			if (dci_ip_detach(p, (long)c->svc.server_id, x->id,
			                  err) &&
			    err->cat != DC_E_MISSED) {
				rc = -1;
				break;
			}
			eng_mutated(c, "iplist.delete");
			off++;
		}
		if (v[i].panel_ip_id || v[i].main) {
			if (eng_begin(c, err) ||
			    service_addr_set_attached_tx(c->e->st, v[i].id, 0,
			                                 false, err)) {
				eng_abort(c);
				rc = -1;
				break;
			}
			rc = eng_commit(c, err);
		}
	}
	dci_ips_free(l);
	free(v);
	if (rc == 0)
		snprintf(c->note, sizeof(c->note), "%zu address(es) detached%s",
		         off, ours ? ", parking address main" : "");
	return rc;
}

/* ---- network ------------------------------------------------------------ */

static int step_network(eng_ctx *c, dc_err *err)
{
	if (eng_verify_ours(c, NULL, err))
		return -1;
	long long old;
	bool found;
	if (eng_data_int(c, NULL, "old_speed", &old, &found, err))
		return -1;
	if (!found) {
		/* Remember the speed before changing it, for a rollback. */
		panel *p = eng_dci(c, err);
		dci_conns *l = NULL;
		if (!p || dci_conn_list(p, (long)c->svc.server_id, &l, err))
			return -1;
		const dci_conn *sw = dci_conn_find(l, "Switch");
		long sp = sw ? sw->speed_mbit : 0;
		dci_conns_free(l);
		if (eng_begin(c, err) ||
		    eng_data_set_int_tx(c, "old_speed", sp, err)) {
			eng_abort(c);
			return -1;
		}
		if (eng_commit(c, err))
			return -1;
	}
	return eng_port(c, true, addon_long(&c->svc, "portspeed"), NULL, err);
}

static int undo_network(eng_ctx *c, dc_err *err)
{
	dc_err ve;
	if (eng_verify_ours(c, NULL, &ve)) {
		if (ve.cat != DC_E_CONFLICT) {
			*err = ve;
			return -1;
		}
		snprintf(c->note, sizeof(c->note),
		         "server not ours: port left as it is");
		return 0;
	}
	long long old;
	bool found;
	if (eng_data_int(c, NULL, "old_speed", &old, &found, err))
		return -1;
	return eng_port(c, false, found ? (long)old : 0, NULL, err);
}

/* ---- licence ------------------------------------------------------------ */

static int main_ip(eng_ctx *c, char *ip, size_t len, dc_err *err)
{
	svc_addr *v = NULL;
	size_t n = 0;
	if (service_addrs(c->e->st, c->svc.id, &v, &n, err))
		return -1;
	ip[0] = '\0';
	for (size_t i = 0; i < n; i++)
		if (v[i].role == SVC_ROLE_MAIN)
			dc_strlcpy(ip, v[i].ip, len);
	free(v);
	if (!ip[0])
		return err_set(err, DC_E_NOTFOUND,
		               "service %" PRId64 " has no main address",
		               c->svc.id);
	return 0;
}

static int set_licence(eng_ctx *c, long id, dc_err *err)
{
	char buf[32] = "";
	if (id > 0)
		snprintf(buf, sizeof(buf), "%ld", id);
	if (eng_begin(c, err))
		return -1;
	if (service_set_licence_tx(c->e->st, c->svc.id, id > 0 ? buf : NULL,
	                           err) ||
	    (id > 0 && eng_data_set_int_tx(c, "licence", id, err))) {
		eng_abort(c);
		return -1;
	}
	if (eng_commit(c, err))
		return -1;
	dc_strlcpy(c->svc.licence_id, buf, sizeof(c->svc.licence_id));
	return 0;
}

/* Our licence on the licence server, found by its remote id (the
 * marker); 0 if none. */
static int find_licence(eng_ctx *c, panel *p, long *id, dc_err *err)
{
	*id = 0;
	lic_licences *l = NULL;
	if (lic_list(p, &l, err))
		return -1;
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].remoteid, c->marker) &&
		    strcmp(l->v[i].status, "deleted"))
			*id = l->v[i].id;
	lic_licences_free(l);
	return 0;
}

int eng_licence_order(eng_ctx *c, dc_err *err)
{
	const char *pl = service_addon_value(&c->svc, "panel");
	if (!pl || !*pl) {
		c->skipped = true;
		snprintf(c->note, sizeof(c->note), "no control-panel add-on");
		return 0;
	}
	if (c->svc.licence_id[0]) {
		snprintf(c->note, sizeof(c->note), "licence %s already held",
		         c->svc.licence_id);
		return 0;
	}
	panel *p = eng_lic(c, err);
	if (!p)
		return -1;
	long id = 0;
	if (c->attempts_before > 0 && find_licence(c, p, &id, err))
		return -1;
	if (!id) {
		char ip[SVC_IP_MAX];
		if (main_ip(c, ip, sizeof(ip), err))
			return -1;
		lic_order_req r = {
		    .pricelist = pl,
		    .period = c->e->o.licence_period,
		    .ip = ip,
		    .licname = c->svc.hostname,
		    .remoteid = c->marker,
		};
		eng_say(c, "ordering licence %s for %s", pl, ip);
		if (lic_order(p, &r, &id, err)) {
			if (err->cat != DC_E_EXISTS)
				return -1;
			/* Ours from a lost answer? Then it is the one. */
			dc_err le;
			if (find_licence(c, p, &id, &le))
				return -1;
			if (!id)
				return -1; /* someone else's: err says so */
		} else {
			eng_mutated(c, "soft.order.param");
		}
	}
	if (set_licence(c, id, err))
		return -1;
	snprintf(c->note, sizeof(c->note), "licence %ld (%s)", id, pl);
	return 0;
}

int eng_licence_cancel(eng_ctx *c, dc_err *err)
{
	long id =
	    c->svc.licence_id[0] ? strtol(c->svc.licence_id, NULL, 10) : 0;
	const char *pl = service_addon_value(&c->svc, "panel");
	if (!id && (!pl || !*pl)) {
		c->skipped = true;
		snprintf(c->note, sizeof(c->note), "no licence");
		return 0;
	}
	panel *p = eng_lic(c, err);
	if (!p)
		return -1;
	if (!id && find_licence(c, p, &id, err))
		return -1;
	if (id) {
		eng_say(c, "cancelling licence %ld", id);
		if (lic_delete(p, id, err)) {
			if (err->cat != DC_E_MISSED)
				return -1;
		} else {
			eng_mutated(c, "soft.delete");
		}
	}
	if (eng_begin(c, err) ||
	    (id && eng_data_set_int_tx(c, "licence", id, err)) ||
	    service_set_licence_tx(c->e->st, c->svc.id, NULL, err)) {
		eng_abort(c);
		return -1;
	}
	if (eng_commit(c, err))
		return -1;
	c->svc.licence_id[0] = '\0';
	if (id)
		snprintf(c->note, sizeof(c->note), "licence %ld cancelled", id);
	else
		snprintf(c->note, sizeof(c->note), "no licence held");
	return 0;
}

static int step_licence(eng_ctx *c, dc_err *err)
{
	return eng_licence_order(c, err);
}

static int undo_licence(eng_ctx *c, dc_err *err)
{
	/* The order may have landed without an answer: look it up. */
	c->attempts_before = 1;
	return eng_licence_cancel(c, err);
}

/* ---- install, power, owner ---------------------------------------------- */

static int step_install(eng_ctx *c, dc_err *err)
{
	const char *os = service_addon_value(&c->svc, "os");
	if (!os || !*os) {
		c->skipped = true;
		snprintf(c->note, sizeof(c->note), "no OS add-on");
		return 0;
	}
	if (eng_verify_ours(c, NULL, err))
		return -1;
	return eng_install(c, os, service_addon_value(&c->svc, "ns"),
	                   c->svc.hostname, false, err);
}

static int undo_install(eng_ctx *c, dc_err *err)
{
	(void)err;
	snprintf(c->note, sizeof(c->note),
	         "the installed OS stays on the disks (wiped at close if the "
	         "module says so)");
	return 0;
}

static int step_power(eng_ctx *c, dc_err *err)
{
	if (eng_verify_ours(c, NULL, err))
		return -1;
	return eng_power(c, true, err);
}

static int undo_power(eng_ctx *c, dc_err *err)
{
	dc_err ve;
	if (eng_verify_ours(c, NULL, &ve)) {
		if (ve.cat != DC_E_CONFLICT) {
			*err = ve;
			return -1;
		}
		snprintf(c->note, sizeof(c->note),
		         "server not ours: power left as it is");
		return 0;
	}
	return eng_power(c, false, err);
}

static int set_owner(eng_ctx *c, const char *owner, dc_err *err)
{
	dci_server_form *f = NULL;
	if (eng_verify_ours(c, &f, err))
		return -1;
	int rc = 0;
	if (strcmp(f->owner, owner)) {
		panel *p = eng_dci(c, err);
		dci_server_form w = *f;
		w.owner = owner;
		rc = p ? dci_server_form_apply(p, &w, err) : -1;
		if (rc == 0)
			eng_mutated(c, "server.edit");
	}
	dci_server_form_free(f);
	if (rc)
		return -1;
	if (eng_verify_ours(c, &f, err))
		return -1;
	bool ok = !strcmp(f->owner, owner);
	dci_server_form_free(f);
	if (!ok)
		return err_set(err, DC_E_CONFLICT,
		               "server %" PRId64 " did not take owner %s",
		               c->svc.server_id, owner);
	return 0;
}

static int step_owner(eng_ctx *c, dc_err *err)
{
	panel *p = eng_dci(c, err);
	if (!p)
		return -1;
	dci_users *u = NULL;
	if (dci_user_list(p, &u, err))
		return -1;
	bool have = dci_user_find(u, c->svc.panel_user) != NULL;
	dci_users_free(u);
	if (!have) {
		char pw[21];
		if (eng_password(pw, 20, err))
			return -1;
		if (eng_begin(c, err) ||
		    service_set_secret_tx(c->e->st, c->svc.id, "user", pw,
		                          err)) {
			eng_abort(c);
			secret_wipe(pw, sizeof(pw));
			return -1;
		}
		if (eng_commit(c, err)) {
			secret_wipe(pw, sizeof(pw));
			return -1;
		}
		eng_say(c, "creating panel user %s", c->svc.panel_user);
		int rc = dci_user_create(p, c->svc.panel_user, pw, err);
		secret_wipe(pw, sizeof(pw));
		if (rc && err->cat != DC_E_EXISTS)
			return -1;
		if (rc == 0)
			eng_mutated(c, "user.edit");
	}
	if (set_owner(c, c->svc.panel_user, err))
		return -1;
	snprintf(c->note, sizeof(c->note),
	         "server %" PRId64 " (%s) owned by %s", c->svc.server_id,
	         c->svc.server_name, c->svc.panel_user);
	return 0;
}

static int undo_owner(eng_ctx *c, dc_err *err)
{
	if (eng_load_module(c, 0, err))
		return -1;
	dc_err ve;
	if (eng_verify_ours(c, NULL, &ve)) {
		if (ve.cat != DC_E_CONFLICT) {
			*err = ve;
			return -1;
		}
		snprintf(c->note, sizeof(c->note), "server not ours");
		return 0;
	}
	return set_owner(c, c->mod.username, err);
}

const eng_step_def eng_open_steps[] = {
    {"claim", "claim a free server", step_claim, undo_claim},
    {"allocate", "allocate addresses", step_allocate, undo_allocate},
    {"attach", "attach addresses", step_attach, undo_attach},
    {"network", "port speed, switch port on", step_network, undo_network},
    {"licence", "control-panel licence", step_licence, undo_licence},
    {"install", "install the OS", step_install, undo_install},
    {"power", "power on", step_power, undo_power},
    {"owner", "hand over to the client", step_owner, undo_owner},
};
const size_t eng_open_nsteps =
    sizeof(eng_open_steps) / sizeof(eng_open_steps[0]);

int eng_free_server(eng_ctx *c, dc_err *err)
{
	return free_server(c, err);
}
