/* engine_work.c - panel work the steps share: reading the server, checking
 * it is ours, power, switch port, OS install, and the life of an address
 * (allocate, attach, detach, release, parking). Every function reads the
 * panel before it changes anything and writes what it changed to the store
 * right after the panel answers (see engine.h). */
#include "engine_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int eng_password(char *buf, size_t n, dc_err *err)
{
	static const char set[] =
	    "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
	    "23456789";
	unsigned char rnd[64];
	if (n > sizeof(rnd))
		n = sizeof(rnd);
	if (RAND_bytes(rnd, (int)n) != 1)
		return err_set(err, DC_E_IO, "no random bytes for a password");
	/* 56 symbols: the modulo bias is small and harmless here. */
	for (size_t i = 0; i < n; i++)
		buf[i] = set[rnd[i] % (sizeof(set) - 1)];
	buf[n] = '\0';
	secret_wipe(rnd, sizeof(rnd));
	return 0;
}

/* ---- the server ------------------------------------------------------------
 */

int eng_server_row(eng_ctx *c, long server_id, eng_srv *out, dc_err *err)
{
	panel *p = eng_dci(c, err);
	if (!p)
		return -1;
	dci_servers *l = NULL;
	if (dci_server_list(p, &l, err))
		return -1;
	const dci_server *s = dci_server_find(l, server_id);
	if (!s) {
		dci_servers_free(l);
		return err_set(err, DC_E_MISSED,
		               "server %ld is not in the server list of module "
		               "%s",
		               server_id, c->mod.name);
	}
	memset(out, 0, sizeof(*out));
	out->id = s->id;
	dc_strlcpy(out->name, s->name, sizeof(out->name));
	dc_strlcpy(out->hostname, s->hostname, sizeof(out->hostname));
	out->has_owner = s->owner && *s->owner;
	dc_strlcpy(out->owner, s->owner ? s->owner : "", sizeof(out->owner));
	dc_strlcpy(out->type, s->type, sizeof(out->type));
	out->ram_mib = s->ram_mib;
	out->blocked = s->blocked;
	out->hwproblem = s->hwproblem;
	out->diag = s->diag_in_progress;
	out->installing = s->install_in_progress;
	out->op_failed = s->operation_failed;
	out->disabled = s->disabled;
	out->on = s->poweron;
	out->off = s->poweroff;
	out->powererror = s->powererror;
	dci_servers_free(l);
	return 0;
}

int eng_verify_ours(eng_ctx *c, dci_server_form **form, dc_err *err)
{
	if (form)
		*form = NULL;
	if (!c->svc.server_id)
		return err_set(err, DC_E_CONFLICT,
		               "service %" PRId64 " has no server", c->svc.id);
	panel *p = eng_dci(c, err);
	if (!p)
		return -1;
	dci_server_form *f = NULL;
	if (dci_server_form_get(p, (long)c->svc.server_id, &f, err))
		return -1;
	if (!service_notes_has(f->notes, c->marker)) {
		err_set(err, DC_E_CONFLICT,
		        "server %" PRId64 " (%s) is no longer this service's: "
		        "owner \"%s\", notes \"%s\" (expected %s)",
		        c->svc.server_id, c->svc.server_name, f->owner,
		        f->notes, c->marker);
		dci_server_form_free(f);
		return -1;
	}
	if (form)
		*form = f;
	else
		dci_server_form_free(f);
	return 0;
}

/* Polls the server list until check says done (1) or failed (-1), for at
 * most timeout_ms. The lease is renewed while waiting. */
static int wait_server(eng_ctx *c, long timeout_ms, const char *what,
                       int (*check)(const eng_srv *s, void *arg, dc_err *err),
                       void *arg, dc_err *err)
{
	int64_t end = mono_ms() + timeout_ms;
	for (;;) {
		eng_srv s;
		if (eng_server_row(c, (long)c->svc.server_id, &s, err))
			return -1;
		int r = check(&s, arg, err);
		if (r)
			return r > 0 ? 0 : -1;
		if (mono_ms() >= end)
			return err_set(err, DC_E_TIMEOUT,
			               "waited %ld s for %s on server %ld (%s)",
			               timeout_ms / 1000, what, s.id, s.name);
		if (eng_touch(c, err) || eng_sleep(c->e, c->e->o.poll_ms, err))
			return -1;
	}
}

typedef struct power_arg {
	bool on;
	bool err_before; /* powererror was there before we asked */
} power_arg;

static int power_check(const eng_srv *s, void *arg, dc_err *err)
{
	power_arg *a = arg;
	if (a->on ? s->on : s->off)
		return 1;
	if (s->powererror && !a->err_before) {
		err_set(err, DC_E_PANEL,
		        "power %s failed on the panel: server %ld (%s) reports "
		        "a power error",
		        a->on ? "on" : "off", s->id, s->name);
		return -1;
	}
	return 0;
}

int eng_power(eng_ctx *c, bool on, dc_err *err)
{
	eng_srv s;
	if (eng_server_row(c, (long)c->svc.server_id, &s, err))
		return -1;
	if (on ? s.on : s.off) {
		snprintf(c->note, sizeof(c->note), "already powered %s",
		         on ? "on" : "off");
		return 0;
	}
	panel *p = eng_dci(c, err);
	if (!p)
		return -1;
	eng_say(c, "powering %s", on ? "on" : "off");
	int rc = on ? dci_server_poweron(p, s.id, err)
	            : dci_server_poweroff(p, s.id, err);
	power_arg a = {on, s.powererror};
	if (rc) {
		/* A refusal as "busy" follows a call that did land (its
		 * answer lost, the request resent): if the server is there
		 * already, fine; else let the back-off look again. */
		if (err->retryable || err->cat != DC_E_VALUE)
			return -1;
		dc_err re;
		if (eng_server_row(c, s.id, &s, &re) == 0 &&
		    (on ? s.on : s.off)) {
			snprintf(c->note, sizeof(c->note), "powered %s",
			         on ? "on" : "off");
			return 0;
		}
		err->retryable = true;
		return -1;
	}
	eng_mutated(c, on ? "server.poweron" : "server.poweroff");
	if (wait_server(c, c->e->o.power_timeout_ms,
	                on ? "power on" : "power off", power_check, &a, err))
		return -1;
	snprintf(c->note, sizeof(c->note), "powered %s", on ? "on" : "off");
	return 0;
}

/* ---- switch port -------------------------------------------------------- */

int eng_port(eng_ctx *c, bool on, long speed, long *old_speed, dc_err *err)
{
	panel *p = eng_dci(c, err);
	if (!p)
		return -1;
	long srv = (long)c->svc.server_id;
	dci_conns *l = NULL;
	if (dci_conn_list(p, srv, &l, err))
		return -1;
	const dci_conn *sw = dci_conn_find(l, "Switch");
	if (!sw) {
		dci_conns_free(l);
		return err_set(err, DC_E_INVALID,
		               "server %ld (%s) has no switch connection", srv,
		               c->svc.server_name);
	}
	long conn = sw->id, cur = sw->speed_mbit;
	bool is_on = sw->on;
	dci_conns_free(l);
	if (old_speed)
		*old_speed = cur;
	char what[128] = "";
	if (speed > 0 && cur != speed) {
		eng_say(c, "port speed %ld Mbit/s", speed);
		if (dci_conn_set_speed(p, srv, conn, speed, err))
			return -1;
		eng_mutated(c, "server.connection.edit");
		snprintf(what, sizeof(what), "speed %ld -> %ld Mbit/s, ", cur,
		         speed);
	}
	if (is_on != on) {
		eng_say(c, "switch port %s", on ? "on" : "off");
		if ((on ? dci_conn_on(p, srv, conn, err)
		        : dci_conn_off(p, srv, conn, err)))
			return -1;
		eng_mutated(c, on ? "server.connection.on"
		                  : "server.connection.off");
	}
	/* Switching may take a while on the panel: wait until it says so. */
	int64_t end = mono_ms() + c->e->o.power_timeout_ms;
	for (;;) {
		if (dci_conn_list(p, srv, &l, err))
			return -1;
		sw = dci_conn_find(l, "Switch");
		bool done = sw && !sw->func_in_progress && sw->on == on;
		dci_conns_free(l);
		if (done)
			break;
		if (mono_ms() >= end)
			return err_set(err, DC_E_TIMEOUT,
			               "waited %ld s for the switch port of "
			               "server %ld to go %s",
			               c->e->o.power_timeout_ms / 1000, srv,
			               on ? "on" : "off");
		if (eng_touch(c, err) || eng_sleep(c->e, c->e->o.poll_ms, err))
			return -1;
	}
	snprintf(c->note, sizeof(c->note), "%sswitch port %s%s", what,
	         on ? "on" : "off", is_on == on ? " (already)" : "");
	return 0;
}

/* ---- OS install --------------------------------------------------------- */

static int install_check(const eng_srv *s, void *arg, dc_err *err)
{
	(void)arg;
	(void)err;
	return s->installing ? 0 : 1;
}

int eng_install(eng_ctx *c, const char *os, const char *ns,
                const char *hostname, bool clearhdd, dc_err *err)
{
	eng_srv s;
	if (eng_server_row(c, (long)c->svc.server_id, &s, err))
		return -1;
	long long started = 0;
	bool found;
	if (eng_data_int(c, NULL, "started", &started, &found, err))
		return -1;
	if (!s.installing && !started) {
		char pw[21];
		if (eng_password(pw, 20, err))
			return -1;
		/* Intent first: the password the server will have. */
		if (eng_begin(c, err))
			return -1;
		if (service_set_secret_tx(c->e->st, c->svc.id, "root", pw,
		                          err) ||
		    eng_data_set_int_tx(c, "requested", 1, err)) {
			eng_abort(c);
			secret_wipe(pw, sizeof(pw));
			return -1;
		}
		if (eng_commit(c, err)) {
			secret_wipe(pw, sizeof(pw));
			return -1;
		}
		panel *p = eng_dci(c, err);
		if (!p) {
			secret_wipe(pw, sizeof(pw));
			return -1;
		}
		eng_say(c, "installing %s%s", os,
		        clearhdd ? " (wiping disks)" : "");
		dci_install in = {
		    .ostemplate = os,
		    .passwd = pw,
		    .hostname = hostname,
		    .nameserver = ns,
		    .clearhdd = clearhdd,
		};
		int rc = dci_server_install(p, s.id, &in, err);
		secret_wipe(pw, sizeof(pw));
		if (rc) {
			/* "Busy: install in progress" after a lost answer
			 * means it started. */
			dc_err le;
			if (err->retryable ||
			    eng_server_row(c, (long)c->svc.server_id, &s,
			                   &le) ||
			    !s.installing)
				return -1;
		}
		eng_mutated(c, "server.operations");
		if (eng_begin(c, err))
			return -1;
		if (eng_data_set_int_tx(c, "started", 1, err)) {
			eng_abort(c);
			return -1;
		}
		if (eng_commit(c, err))
			return -1;
	} else {
		eng_say(c, "waiting for the install of %s", os);
	}
	if (wait_server(c, c->e->o.install_timeout_ms, "the OS install",
	                install_check, NULL, err))
		return -1;
	if (eng_server_row(c, (long)c->svc.server_id, &s, err))
		return -1;
	if (s.op_failed) {
		/* Forget the install so that a retry starts a new one. */
		if (eng_begin(c, NULL) == 0) {
			if (eng_data_del_tx(c, "started", NULL) ||
			    eng_data_del_tx(c, "requested", NULL))
				eng_abort(c);
			else
				eng_commit(c, NULL);
		}
		return err_set(err, DC_E_PANEL,
		               "the install of %s on server %ld (%s) failed on "
		               "the panel (operation_failed)",
		               os, s.id, s.name);
	}
	snprintf(c->note, sizeof(c->note), "installed %s%s", os,
	         clearhdd ? " with the disks wiped" : "");
	return 0;
}

/* ---- addresses ---------------------------------------------------------- */

bool eng_note_is(const eng_ctx *c, const char *note, svc_role role)
{
	int64_t id;
	svc_role r;
	bool hr;
	return service_marker_parse(note, c->e->tag, &id, &r, &hr) && hr &&
	       id == c->svc.id && r == role;
}

static const char *family_of(const char *ip)
{
	return strchr(ip, ':') ? "ipv6" : "ipv4";
}

int eng_addr_allocate(eng_ctx *c, svc_role role, const char *family,
                      const char *iptype, const char *want_ip, svc_addr *out,
                      dc_err *err)
{
	panel *p = eng_ipm(c, err);
	if (!p)
		return -1;
	char note[SVC_MARKER_MAX + 16];
	snprintf(note, sizeof(note), "%s:%s", c->marker, svc_role_name(role));
	ipm_family fam;
	if (ipm_family_parse(family, &fam))
		return err_set(err, DC_E_INVALID, "bad address family %s",
		               family);
	ipm_alloc a = {
	    .family = fam,
	    .iptype = iptype,
	    .domain = c->svc.hostname[0] ? c->svc.hostname : NULL,
	    .note = note,
	    .ip = want_ip,
	};
	char addr[IPM_ADDR_MAX];
	if (ipm_ip_allocate(p, &a, addr, err)) {
		err_prefix(err, "allocate a %s address of type %s",
		           svc_role_name(role), iptype);
		return -1;
	}
	eng_mutated(c, "ip.edit");
	svc_addr v = {
	    .service_id = c->svc.id,
	    .ipmgr_id = c->mod.ipmgr_id,
	    .role = role,
	};
	dc_strlcpy(v.ip, addr, sizeof(v.ip));
	dc_strlcpy(v.family, family, sizeof(v.family));
	dc_strlcpy(v.iptype, iptype, sizeof(v.iptype));
	if (eng_begin(c, err))
		return -1;
	if (service_addr_insert_tx(c->e->st, &v, err)) {
		eng_abort(c);
		return -1;
	}
	if (eng_commit(c, err))
		return -1;
	if (out)
		*out = v;
	return 0;
}

static bool role_in(svc_role r, unsigned roles)
{
	return (roles >> r) & 1u;
}

/* Addresses of ours for this service in IPmanager that the store does not
 * know: adopted (recorded) or released. roles: a mask of 1u << svc_role. */
static int sweep(eng_ctx *c, bool adopt, unsigned roles, const char *iptype,
                 dc_err *err)
{
	panel *p = eng_ipm(c, err);
	if (!p)
		return -1;
	ipm_ips *l = NULL;
	if (ipm_ip_list(p, iptype, &l, err))
		return -1;
	svc_addr *have = NULL;
	size_t nh = 0;
	if (service_addrs(c->e->st, c->svc.id, &have, &nh, err)) {
		ipm_ips_free(l);
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; i < l->n && rc == 0; i++) {
		const ipm_ip *x = &l->v[i];
		int64_t id;
		svc_role r;
		bool hr;
		if (!service_marker_parse(x->note, c->e->tag, &id, &r, &hr) ||
		    !hr || id != c->svc.id || !role_in(r, roles))
			continue;
		bool known = false;
		for (size_t k = 0; k < nh; k++)
			known |= !strcmp(have[k].ip, x->ip);
		if (known)
			continue;
		if (adopt) {
			svc_addr v = {
			    .service_id = c->svc.id,
			    .ipmgr_id = c->mod.ipmgr_id,
			    .role = r,
			};
			dc_strlcpy(v.ip, x->ip, sizeof(v.ip));
			dc_strlcpy(v.family, family_of(x->ip),
			           sizeof(v.family));
			dc_strlcpy(v.iptype, x->iptype, sizeof(v.iptype));
			if (eng_begin(c, err) ||
			    service_addr_insert_tx(c->e->st, &v, err)) {
				eng_abort(c);
				rc = -1;
				break;
			}
			rc = eng_commit(c, err);
			eng_say(c, "found %s (%s) allocated before a restart",
			        x->ip, svc_role_name(r));
		} else {
			if (ipm_ip_release(p, x->ip, err) &&
			    !(err && err->cat == DC_E_MISSED))
				rc = -1;
			else
				eng_mutated(c, "ip.delete");
		}
	}
	free(have);
	ipm_ips_free(l);
	return rc;
}

int eng_addr_sweep(eng_ctx *c, bool adopt, const char *iptype, dc_err *err)
{
	unsigned roles = (1u << SVC_ROLE_MAIN) | (1u << SVC_ROLE_PUBLIC) |
	                 (1u << SVC_ROLE_PRIVATE) | (1u << SVC_ROLE_IPV6) |
	                 (1u << SVC_ROLE_SPECIAL);
	return sweep(c, adopt, roles, iptype, err);
}

static int record_attached(eng_ctx *c, svc_addr *a, long id, bool main,
                           dc_err *err)
{
	if (eng_begin(c, err))
		return -1;
	if ((main && service_addr_clear_main_tx(c->e->st, c->svc.id, err)) ||
	    service_addr_set_attached_tx(c->e->st, a->id, id, main, err)) {
		eng_abort(c);
		return -1;
	}
	if (eng_commit(c, err))
		return -1;
	a->panel_ip_id = id;
	a->main = main;
	return 0;
}

int eng_addr_attach(eng_ctx *c, svc_addr *a, bool main, dc_err *err)
{
	panel *p = eng_dci(c, err);
	if (!p)
		return -1;
	long srv = (long)c->svc.server_id;
	dci_ips *l = NULL;
	if (dci_ip_list(p, srv, &l, err))
		return -1;
	const dci_ip *x = dci_ip_find(l, a->ip);
	long id = x ? x->id : 0;
	bool is_main = x && x->main;
	dci_ips_free(l);
	if (x && (is_main || !main))
		return record_attached(c, a, id, is_main, err);
	if (x) {
		/* Attached but not main: the panel makes an address main when
		 * it is attached, so attach it again. */
		if (dci_ip_detach(p, srv, id, err))
			return -1;
		eng_mutated(c, "iplist.delete");
	}
	dci_ip_spec sp = {
	    .ip = a->ip,
	    .iptype = a->iptype,
	    .family = a->family,
	    .domain = c->svc.hostname[0] ? c->svc.hostname : NULL,
	    .main = main,
	};
	if (dci_ip_attach(p, srv, &sp, &id, NULL, err)) {
		if (err->cat == DC_E_EXISTS) {
			/* Already there (an answer lost and the call
			 * repeated): what we wanted exists. */
			dc_err le;
			if (dci_ip_list(p, srv, &l, &le) == 0) {
				x = dci_ip_find(l, a->ip);
				id = x ? x->id : 0;
				is_main = x && x->main;
				dci_ips_free(l);
				if (id && (is_main || !main))
					return record_attached(c, a, id,
					                       is_main, err);
			}
		}
		err_prefix(err, "attach %s to server %ld", a->ip, srv);
		return -1;
	}
	eng_mutated(c, "iplist.edit");
	return record_attached(c, a, id, main, err);
}

/* Is ip allocated in IPmanager with exactly this note? *allocated says
 * whether it is allocated at all. */
static int ipm_lookup(eng_ctx *c, const char *ip, const char *iptype,
                      bool *allocated, char *note, size_t len, dc_err *err)
{
	panel *p = eng_ipm(c, err);
	if (!p)
		return -1;
	ipm_ips *l = NULL;
	if (ipm_ip_list(p, iptype, &l, err))
		return -1;
	const ipm_ip *x = ipm_ip_find(l, ip);
	*allocated = x != NULL;
	dc_strlcpy(note, x ? x->note : "", len);
	ipm_ips_free(l);
	return 0;
}

int eng_addr_release(eng_ctx *c, svc_addr *a, bool careful, dc_err *err)
{
	if (c->svc.server_id) {
		panel *p = eng_dci(c, err);
		if (!p)
			return -1;
		long srv = (long)c->svc.server_id;
		dci_ips *l = NULL;
		if (dci_ip_list(p, srv, &l, err))
			return -1;
		const dci_ip *x = dci_ip_find(l, a->ip);
		long id = x ? x->id : 0;
		dci_ips_free(l);
		if (id) {
			if (dci_ip_detach(p, srv, id, err) &&
			    !(err && err->cat == DC_E_MISSED))
				return -1;
			eng_mutated(c, "iplist.delete");
		}
		if (a->panel_ip_id && record_attached(c, a, 0, false, err))
			return -1;
	}
	bool release = true;
	if (careful) {
		bool allocated;
		char note[256];
		if (ipm_lookup(c, a->ip, a->iptype, &allocated, note,
		               sizeof(note), err))
			return -1;
		/* Gone, or someone else's by now: nothing of ours to give
		 * back (after a crash between release and record). */
		release = allocated && eng_note_is(c, note, a->role);
	}
	if (release) {
		panel *ip = eng_ipm(c, err);
		if (!ip)
			return -1;
		if (ipm_ip_release(ip, a->ip, err)) {
			if (!err || err->cat != DC_E_MISSED)
				return -1;
		} else {
			eng_mutated(c, "ip.delete");
		}
	}
	if (eng_begin(c, err))
		return -1;
	if (service_addr_delete_tx(c->e->st, a->id, err)) {
		eng_abort(c);
		return -1;
	}
	return eng_commit(c, err);
}

int eng_ensure_parking(eng_ctx *c, dc_err *err)
{
	if (eng_load_module(c, 0, err))
		return -1;
	const char *ptype = c->mod.parking_type;
	if (c->attempts_before > 0 &&
	    sweep(c, true, 1u << SVC_ROLE_PARKING, ptype, err))
		return -1;
	svc_addr *v = NULL;
	size_t n = 0;
	if (service_addrs(c->e->st, c->svc.id, &v, &n, err))
		return -1;
	int rc = 0;
	svc_addr *park = NULL;
	for (size_t i = 0; i < n; i++)
		if (v[i].role == SVC_ROLE_PARKING)
			park = &v[i];
	if (!park) {
		/* A parking address that is not ours (the free server's own,
		 * never detached) will do if it is main. */
		panel *p = eng_dci(c, err);
		dci_ips *l = NULL;
		if (!p || dci_ip_list(p, (long)c->svc.server_id, &l, err)) {
			free(v);
			return -1;
		}
		bool have = false;
		for (size_t i = 0; i < l->n; i++)
			have |= l->v[i].main && !strcmp(l->v[i].iptype, ptype);
		dci_ips_free(l);
		if (have) {
			free(v);
			snprintf(c->note, sizeof(c->note),
			         "the server's parking address is main");
			return 0;
		}
		svc_addr np;
		eng_say(c, "allocating a parking address (%s)", ptype);
		if (eng_addr_allocate(c, SVC_ROLE_PARKING, "ipv4", ptype, NULL,
		                      &np, err)) {
			free(v);
			return -1;
		}
		rc = eng_addr_attach(c, &np, true, err);
		if (rc == 0)
			snprintf(c->note, sizeof(c->note),
			         "parking address %s (%s) attached as main",
			         np.ip, ptype);
	} else {
		rc = eng_addr_attach(c, park, true, err);
		if (rc == 0)
			snprintf(c->note, sizeof(c->note),
			         "parking address %s (%s) attached as main",
			         park->ip, ptype);
	}
	free(v);
	return rc;
}
