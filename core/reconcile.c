/* reconcile.c - drift between the store and the panels; see reconcile.h. */
#include "reconcile.h"

#include "engine_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[REC_KIND_COUNT] = {
    "server_without_service",
    "address_without_service",
    "service_lost_server",
    "unfinished_operation",
};

const char *rec_kind_name(rec_kind k)
{
	return k < REC_KIND_COUNT ? kind_names[k] : "?";
}

typedef struct items {
	rec_item *v;
	size_t n, cap;
} items;

static rec_item *add(items *it, rec_kind k, dc_err *err)
{
	if (it->n == it->cap) {
		size_t nc = it->cap ? it->cap * 2 : 8;
		rec_item *nv = realloc(it->v, nc * sizeof(*nv));
		if (!nv) {
			err_set(err, DC_E_NOMEM, "out of memory");
			return NULL;
		}
		it->v = nv;
		it->cap = nc;
	}
	rec_item *r = &it->v[it->n++];
	memset(r, 0, sizeof(*r));
	r->kind = k;
	return r;
}

/* What the store says, loaded once. */
typedef struct world {
	dc_service *svc;
	size_t nsvc;
	dc_operation *ops; /* unfinished */
	size_t nops;
	dc_module *mods;
	size_t nmods;
} world;

static void world_free(world *w)
{
	free(w->svc);
	free(w->ops);
	free(w->mods);
}

static const dc_service *svc_by_id(const world *w, int64_t id)
{
	for (size_t i = 0; i < w->nsvc; i++)
		if (w->svc[i].id == id)
			return &w->svc[i];
	return NULL;
}

static const dc_operation *op_of(const world *w, int64_t service_id)
{
	for (size_t i = 0; i < w->nops; i++)
		if (w->ops[i].service_id == service_id)
			return &w->ops[i];
	return NULL;
}

static bool live(const dc_service *s)
{
	return s && s->status != SVC_CLOSED;
}

/* Owners worth a form read on this module: our holding account and our
 * clients' panel users. */
static bool our_owner(const world *w, const dc_module *m, const char *owner)
{
	if (!owner || !*owner)
		return false;
	if (!strcmp(owner, m->username))
		return true;
	for (size_t i = 0; i < w->nsvc; i++)
		if (!strcmp(w->svc[i].panel_user, owner))
			return true;
	return false;
}

/* Gives a server that nobody accounts for back: a parking address as
 * main, our addresses detached and released, owner, host name and marker
 * cleared. */
static int fix_server(engine *e, const dc_module *m, panel *p, long id,
                      int64_t sid, dc_err *err)
{
	panel *ipm = engine_panel_ipm(e, m->ipmgr_id, err);
	if (!ipm)
		return -1;
	dci_ips *l = NULL;
	if (dci_ip_list(p, id, &l, err))
		return -1;
	bool parked = false;
	for (size_t i = 0; i < l->n; i++)
		parked |=
		    l->v[i].main && !strcmp(l->v[i].iptype, m->parking_type);
	int rc = 0;
	if (!parked) {
		char addr[IPM_ADDR_MAX];
		ipm_alloc a = {.family = IPM_IPV4, .iptype = m->parking_type};
		dci_ip_spec sp = {
		    .iptype = m->parking_type, .family = "ipv4", .main = true};
		rc = ipm_ip_allocate(ipm, &a, addr, err);
		sp.ip = addr;
		if (rc == 0)
			rc = dci_ip_attach(p, id, &sp, NULL, NULL, err);
	}
	ipm_ips *al = NULL;
	if (rc == 0)
		rc = ipm_ip_list(ipm, NULL, &al, err);
	for (size_t i = 0; rc == 0 && i < l->n; i++) {
		const ipm_ip *x = ipm_ip_find(al, l->v[i].ip);
		svc_role r;
		bool hr;
		int64_t owner;
		if (!x ||
		    !service_marker_parse(x->note, e->tag, &owner, &r, &hr) ||
		    (hr && r == SVC_ROLE_PARKING))
			continue;
		rc = dci_ip_detach(p, id, l->v[i].id, err);
		if (rc == 0)
			rc = ipm_ip_release(ipm, x->ip, err);
	}
	ipm_ips_free(al);
	dci_ips_free(l);
	if (rc)
		return -1;
	dci_server_form *f = NULL;
	if (dci_server_form_get(p, id, &f, err))
		return -1;
	char marker[SVC_MARKER_MAX], notes[1024];
	service_marker(e->tag, sid, marker, sizeof(marker));
	dci_server_form w = *f;
	w.owner = "";
	w.hostname = "free.ds";
	w.notes = service_notes_remove(f->notes, marker, notes, sizeof(notes));
	rc = dci_server_form_apply(p, &w, err);
	dci_server_form_free(f);
	return rc;
}

static int check_module(engine *e, const world *w, const dc_module *m, bool fix,
                        items *it, dc_err *err)
{
	panel *p = engine_panel_dci(e, m->id, err);
	if (!p)
		return -1;
	dci_servers *l = NULL;
	if (dci_server_list(p, &l, err)) {
		err_prefix(err, "module %s", m->name);
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; i < l->n && rc == 0; i++) {
		const dci_server *s = &l->v[i];
		if (!our_owner(w, m, s->owner))
			continue;
		dci_server_form *f = NULL;
		if ((rc = dci_server_form_get(p, s->id, &f, err)))
			break;
		int64_t sid;
		bool ours = service_notes_marker(f->notes, e->tag, &sid);
		dci_server_form_free(f);
		if (!ours)
			continue;
		const dc_service *v = svc_by_id(w, sid);
		if (live(v) && v->module_id == m->id && v->server_id == s->id)
			continue;
		rec_item *r = add(it, REC_SERVER_WITHOUT_SERVICE, err);
		if (!r) {
			rc = -1;
			break;
		}
		r->module_id = m->id;
		dc_strlcpy(r->module, m->name, sizeof(r->module));
		r->server_id = s->id;
		dc_strlcpy(r->server_name, s->name, sizeof(r->server_name));
		r->service_id = sid;
		snprintf(r->detail, sizeof(r->detail),
		         "server %ld (%s) on %s is owned by %s and marked for "
		         "service %" PRId64 ", which %s",
		         s->id, s->name, m->name, s->owner, sid,
		         !v         ? "does not exist"
		         : !live(v) ? "is closed"
		                    : "is on another server");
		snprintf(r->fix, sizeof(r->fix),
		         "free the server: parking address as main, our "
		         "addresses released, owner cleared");
		if (fix) {
			dc_err fe;
			r->fixed = fix_server(e, m, p, s->id, sid, &fe) == 0;
			if (!r->fixed)
				err_line(&fe, r->fix_error,
				         sizeof(r->fix_error));
		}
	}
	/* Live services on this module whose server is not theirs. */
	for (size_t k = 0; k < w->nsvc && rc == 0; k++) {
		const dc_service *v = &w->svc[k];
		if (!live(v) || v->module_id != m->id || !v->server_id ||
		    (v->status != SVC_ACTIVE && v->status != SVC_SUSPENDED) ||
		    op_of(w, v->id))
			continue;
		const dci_server *s = dci_server_find(l, (long)v->server_id);
		char why[256] = "";
		char marker[SVC_MARKER_MAX];
		service_marker(e->tag, v->id, marker, sizeof(marker));
		if (!s) {
			snprintf(why, sizeof(why), "is not on the panel");
		} else if (!s->owner || strcmp(s->owner, v->panel_user)) {
			snprintf(why, sizeof(why), "is owned by %s, not %s",
			         s->owner ? s->owner : "nobody", v->panel_user);
		} else {
			dci_server_form *f = NULL;
			if ((rc = dci_server_form_get(p, s->id, &f, err)))
				break;
			if (!service_notes_has(f->notes, marker))
				snprintf(why, sizeof(why),
				         "carries \"%s\", not our marker",
				         f->notes);
			dci_server_form_free(f);
		}
		if (!why[0])
			continue;
		rec_item *r = add(it, REC_SERVICE_LOST_SERVER, err);
		if (!r) {
			rc = -1;
			break;
		}
		r->module_id = m->id;
		dc_strlcpy(r->module, m->name, sizeof(r->module));
		r->server_id = (long)v->server_id;
		dc_strlcpy(r->server_name, v->server_name,
		           sizeof(r->server_name));
		r->service_id = v->id;
		snprintf(r->detail, sizeof(r->detail),
		         "service %" PRId64 " (client %s, %s): server %" PRId64
		         " %s",
		         v->id, v->client, svc_status_name(v->status),
		         v->server_id, why);
		snprintf(r->fix, sizeof(r->fix),
		         "mark the service failed and open a task for %s's "
		         "department",
		         m->name);
		if (fix) {
			char text[TASK_TEXT_MAX];
			snprintf(
			    text, sizeof(text),
			    "Reconcile: service %" PRId64 " (client %s) "
			    "lost its server: server %" PRId64 " (%s) on "
			    "module %s %s. Find out who has it and close or "
			    "reopen the service.",
			    v->id, v->client, v->server_id, v->server_name,
			    m->name, why);
			dc_err fe;
			bool ok = store_begin(e->st, &fe) == 0;
			ok = ok && service_set_status_tx(e->st, v->id,
			                                 SVC_FAILED, &fe) == 0;
			ok = ok && task_add_tx(e->st, m->department_id, 0, text,
			                       NULL, &fe) == 0;
			ok = ok &&
			     service_event_tx(e->st, v->id, 0, &fe,
			                      "reconcile: server %s", why) == 0;
			if (ok)
				ok = store_commit(e->st, &fe) == 0;
			else
				store_rollback(e->st);
			r->fixed = ok;
			if (!ok)
				err_line(&fe, r->fix_error,
				         sizeof(r->fix_error));
		}
	}
	dci_servers_free(l);
	return rc;
}

/* Is ip attached to the server of service v (a closed service's parking
 * address stays with its free server)? */
static int parked_on(engine *e, const dc_service *v, const char *ip, bool *yes,
                     dc_err *err)
{
	*yes = false;
	if (!v || !v->module_id || !v->server_id)
		return 0;
	panel *p = engine_panel_dci(e, v->module_id, err);
	if (!p)
		return -1;
	dci_ips *l = NULL;
	if (dci_ip_list(p, (long)v->server_id, &l, err))
		return -1;
	*yes = dci_ip_find(l, ip) != NULL;
	dci_ips_free(l);
	return 0;
}

static int check_ipmgr(engine *e, const world *w, int64_t ipmgr_id, bool fix,
                       items *it, dc_err *err)
{
	panel *p = engine_panel_ipm(e, ipmgr_id, err);
	if (!p)
		return -1;
	ipm_ips *l = NULL;
	if (ipm_ip_list(p, NULL, &l, err)) {
		err_prefix(err, "IPmanager %" PRId64, ipmgr_id);
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; i < l->n && rc == 0; i++) {
		const ipm_ip *x = &l->v[i];
		int64_t sid;
		svc_role role;
		bool hr;
		if (!service_marker_parse(x->note, e->tag, &sid, &role, &hr) ||
		    !hr)
			continue;
		const dc_service *v = svc_by_id(w, sid);
		if (op_of(w, sid))
			continue; /* the operation accounts for it */
		if (live(v)) {
			svc_addr *a = NULL;
			size_t n = 0;
			if ((rc = service_addrs(e->st, sid, &a, &n, err)))
				break;
			bool known = false;
			for (size_t k = 0; k < n; k++)
				known |= !strcmp(a[k].ip, x->ip);
			free(a);
			if (known)
				continue;
		} else if (role == SVC_ROLE_PARKING) {
			bool yes;
			if ((rc = parked_on(e, v, x->ip, &yes, err)))
				break;
			if (yes)
				continue;
		}
		rec_item *r = add(it, REC_ADDR_WITHOUT_SERVICE, err);
		if (!r) {
			rc = -1;
			break;
		}
		dc_strlcpy(r->ip, x->ip, sizeof(r->ip));
		dc_strlcpy(r->iptype, x->iptype, sizeof(r->iptype));
		r->service_id = sid;
		snprintf(r->detail, sizeof(r->detail),
		         "address %s (%s) is allocated for service %" PRId64
		         " (%s), which %s",
		         x->ip, x->iptype, sid, svc_role_name(role),
		         !v        ? "does not exist"
		         : live(v) ? "does not hold it"
		                   : "is closed");
		snprintf(
		    r->fix, sizeof(r->fix),
		    "release it in IPmanager (refused while it is attached "
		    "to a server)");
		if (fix) {
			dc_err fe;
			r->fixed = ipm_ip_release(p, x->ip, &fe) == 0 ||
			           fe.cat == DC_E_MISSED;
			if (!r->fixed)
				err_line(&fe, r->fix_error,
				         sizeof(r->fix_error));
		}
	}
	ipm_ips_free(l);
	return rc;
}

int reconcile_run(engine *e, bool fix, rec_item **out, size_t *n, dc_err *err)
{
	*out = NULL;
	*n = 0;
	world w = {0};
	items it = {0};
	service_filter sf = {.include_closed = true};
	op_filter of = {.unfinished_only = true};
	if (service_list(e->st, &sf, &w.svc, &w.nsvc, err) ||
	    operation_list(e->st, &of, &w.ops, &w.nops, err) ||
	    module_list(e->st, &w.mods, &w.nmods, err))
		goto fail;
	for (size_t i = 0; i < w.nops; i++) {
		const dc_operation *o = &w.ops[i];
		rec_item *r = add(&it, REC_OP_UNFINISHED, err);
		if (!r)
			goto fail;
		r->op_id = o->id;
		r->service_id = o->service_id;
		const char *step = o->step >= 0 && (size_t)o->step < o->nsteps
		                       ? o->steps[o->step].name
		                       : "?";
		snprintf(r->detail, sizeof(r->detail),
		         "operation %" PRId64 " (%s) of service %" PRId64
		         " is %s at step %s%s%.300s",
		         o->id, op_kind_name(o->kind), o->service_id,
		         op_state_name(o->state), step, o->error[0] ? ": " : "",
		         o->error);
		snprintf(r->fix, sizeof(r->fix),
		         "none here: dcictl operation resume, retry or "
		         "rollback");
	}
	int64_t seen[64];
	size_t nseen = 0;
	for (size_t i = 0; i < w.nmods; i++) {
		if (check_module(e, &w, &w.mods[i], fix, &it, err))
			goto fail;
		bool dup = false;
		for (size_t k = 0; k < nseen; k++)
			dup |= seen[k] == w.mods[i].ipmgr_id;
		if (!dup && nseen < 64)
			seen[nseen++] = w.mods[i].ipmgr_id;
	}
	/* Addresses after servers: freeing a server releases some. */
	for (size_t k = 0; k < nseen; k++)
		if (check_ipmgr(e, &w, seen[k], fix, &it, err))
			goto fail;
	world_free(&w);
	*out = it.v;
	*n = it.n;
	return 0;
fail:
	world_free(&w);
	free(it.v);
	return -1;
}
