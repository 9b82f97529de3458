/* engine_close.c - closing a service with IP parking (domain.md 4), and
 * suspend, resume, reinstall. Each step reads the panel first and skips
 * what is done; each has an undo for rollback (a rolled-back close leaves
 * the service active again). */
#include "engine_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- power and port ----------------------------------------------------- */

static int step_power_off(eng_ctx *c, dc_err *err)
{
	if (eng_verify_ours(c, NULL, err))
		return -1;
	return eng_power(c, false, err);
}

static int undo_power_off(eng_ctx *c, dc_err *err)
{
	if (eng_verify_ours(c, NULL, err))
		return -1;
	return eng_power(c, true, err);
}

static int step_port_off(eng_ctx *c, dc_err *err)
{
	if (eng_verify_ours(c, NULL, err))
		return -1;
	return eng_port(c, false, 0, NULL, err);
}

static int step_port_on(eng_ctx *c, dc_err *err)
{
	if (eng_verify_ours(c, NULL, err))
		return -1;
	return eng_port(c, true, 0, NULL, err);
}

/* ---- licence ------------------------------------------------------------ */

static int step_licence_cancel(eng_ctx *c, dc_err *err)
{
	return eng_licence_cancel(c, err);
}

static int undo_licence_cancel(eng_ctx *c, dc_err *err)
{
	long long id;
	bool found;
	if (eng_data_int(c, NULL, "licence", &id, &found, err))
		return -1;
	if (!found && !c->svc.licence_id[0]) {
		snprintf(c->note, sizeof(c->note), "no licence was cancelled");
		return 0;
	}
	/* The old licence is gone: order a new one for the main address
	 * (found by marker if the order answered before a crash). */
	c->attempts_before = 1;
	return eng_licence_order(c, err);
}

/* ---- parking ------------------------------------------------------------ */

static int step_park(eng_ctx *c, dc_err *err)
{
	if (eng_verify_ours(c, NULL, err))
		return -1;
	return eng_ensure_parking(c, err);
}

static int undo_park(eng_ctx *c, dc_err *err)
{
	if (eng_verify_ours(c, NULL, err))
		return -1;
	/* Any parking address allocated before a crash is recorded first. */
	c->attempts_before = 1;
	svc_addr *v = NULL;
	size_t n = 0;
	if (service_addrs(c->e->st, c->svc.id, &v, &n, err))
		return -1;
	int rc = 0;
	/* The service's main address becomes main again before the
	 * parking one goes. */
	for (size_t i = 0; i < n && rc == 0; i++)
		if (v[i].role == SVC_ROLE_MAIN)
			rc = eng_addr_attach(c, &v[i], true, err);
	size_t gone = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		if (v[i].role == SVC_ROLE_PARKING) {
			rc = eng_addr_release(c, &v[i], true, err);
			gone += rc == 0;
		}
	free(v);
	if (rc == 0)
		snprintf(c->note, sizeof(c->note),
		         "main address restored, %zu parking address(es) "
		         "given back",
		         gone);
	return rc;
}

/* ---- release ------------------------------------------------------------ */

static int step_release(eng_ctx *c, dc_err *err)
{
	if (eng_verify_ours(c, NULL, err))
		return -1;
	svc_addr *v = NULL;
	size_t n = 0;
	if (service_addrs(c->e->st, c->svc.id, &v, &n, err))
		return -1;
	int rc = 0;
	size_t gone = 0;
	/* Every address but the parking one; the old main last (domain.md
	 * 4: "then release the old main"). */
	for (int pass = 0; pass < 2 && rc == 0; pass++)
		for (size_t i = 0; i < n && rc == 0; i++) {
			svc_addr *a = &v[i];
			if (a->role == SVC_ROLE_PARKING ||
			    (a->role == SVC_ROLE_MAIN) != (pass == 1))
				continue;
			char key[SVC_IP_MAX + 8], val[160];
			snprintf(key, sizeof(key), "rel:%s", a->ip);
			snprintf(val, sizeof(val), "%s|%s|%s",
			         svc_role_name(a->role), a->family, a->iptype);
			if (eng_begin(c, err) ||
			    eng_data_set_text_tx(c, key, val, err)) {
				eng_abort(c);
				rc = -1;
				break;
			}
			if ((rc = eng_commit(c, err)))
				break;
			eng_say(c, "releasing %s", a->ip);
			rc =
			    eng_addr_release(c, a, c->attempts_before > 0, err);
			gone += rc == 0;
		}
	free(v);
	if (rc == 0)
		snprintf(c->note, sizeof(c->note),
		         "%zu address(es) given back to IPmanager", gone);
	return rc;
}

static int undo_release(eng_ctx *c, dc_err *err)
{
	if (eng_verify_ours(c, NULL, err))
		return -1;
	if (eng_addr_sweep(c, true, NULL, err))
		return -1;
	eng_strs ks;
	if (eng_data_keys(c, NULL, "rel:", &ks, err))
		return -1;
	svc_addr *v = NULL;
	size_t n = 0;
	if (service_addrs(c->e->st, c->svc.id, &v, &n, err)) {
		eng_strs_free(&ks);
		return -1;
	}
	int rc = 0;
	size_t back = 0, other = 0;
	for (size_t i = 0; i < ks.n && rc == 0; i++) {
		const char *ip = ks.k[i] + 4;
		char role_s[16] = "", fam[8] = "", type[DC_TYPE_MAX] = "";
		char *val = ks.v[i];
		char *p1 = strchr(val, '|');
		char *p2 = p1 ? strchr(p1 + 1, '|') : NULL;
		if (!p1 || !p2)
			continue;
		*p1 = *p2 = '\0';
		dc_strlcpy(role_s, val, sizeof(role_s));
		dc_strlcpy(fam, p1 + 1, sizeof(fam));
		dc_strlcpy(type, p2 + 1, sizeof(type));
		svc_role role;
		if (svc_role_parse(role_s, &role))
			continue;
		svc_addr *have = NULL;
		for (size_t k = 0; k < n; k++)
			if (!strcmp(v[k].ip, ip))
				have = &v[k];
		svc_addr a;
		if (have) {
			a = *have;
		} else {
			/* The same address if it is still free, else another
			 * of its type. */
			dc_err ae;
			if (eng_addr_allocate(c, role, fam, type, ip, &a,
			                      &ae)) {
				if (ae.retryable) {
					*err = ae;
					rc = -1;
					break;
				}
				if ((rc = eng_addr_allocate(c, role, fam, type,
				                            NULL, &a, err)))
					break;
				other++;
			}
		}
		if ((rc = eng_addr_attach(c, &a, role == SVC_ROLE_MAIN, err)))
			break;
		if (eng_begin(c, err) || eng_data_del_tx(c, ks.k[i], err)) {
			eng_abort(c);
			rc = -1;
			break;
		}
		rc = eng_commit(c, err);
		back++;
	}
	free(v);
	eng_strs_free(&ks);
	if (rc == 0)
		snprintf(c->note, sizeof(c->note),
		         "%zu address(es) taken back and attached (%zu of them "
		         "new, the old ones were gone)",
		         back, other);
	return rc;
}

/* ---- wipe and free ------------------------------------------------------ */

static int step_wipe(eng_ctx *c, dc_err *err)
{
	if (eng_load_module(c, 0, err))
		return -1;
	if (!c->mod.wipe_disks) {
		c->skipped = true;
		snprintf(c->note, sizeof(c->note),
		         "module %s does not wipe disks", c->mod.name);
		return 0;
	}
	if (eng_verify_ours(c, NULL, err))
		return -1;
	/* DCImanager wipes disks as part of an install (clearhdd): install
	 * the service's OS, or the first template, then power off. */
	char os[DC_VALUE_MAX] = "";
	const char *mine = service_addon_value(&c->svc, "os");
	if (mine && *mine) {
		dc_strlcpy(os, mine, sizeof(os));
	} else {
		panel *p = eng_dci(c, err);
		dci_os_templates *l = NULL;
		if (!p || dci_os_list(p, &l, err))
			return -1;
		if (l->n)
			dc_strlcpy(os, l->v[0].name, sizeof(os));
		dci_os_templates_free(l);
		if (!os[0])
			return err_set(err, DC_E_PANEL,
			               "module %s has no OS template to wipe "
			               "the disks with",
			               c->mod.name);
	}
	if (eng_install(c, os, NULL, "free.ds", true, err))
		return -1;
	char note[sizeof(c->note)];
	dc_strlcpy(note, c->note, sizeof(note));
	if (eng_power(c, false, err))
		return -1;
	snprintf(c->note, sizeof(c->note), "disks wiped (%.400s), powered off",
	         note);
	return 0;
}

static int undo_wipe(eng_ctx *c, dc_err *err)
{
	(void)err;
	snprintf(c->note, sizeof(c->note), "wiped disks cannot be restored");
	return 0;
}

static int step_free(eng_ctx *c, dc_err *err)
{
	/* Not ours any more (we freed it before a restart, and someone may
	 * have claimed it since): nothing left to do. */
	return eng_free_server(c, err);
}

static int undo_free(eng_ctx *c, dc_err *err)
{
	if (eng_load_module(c, 0, err))
		return -1;
	panel *p = eng_dci(c, err);
	if (!p)
		return -1;
	dci_server_form *f = NULL;
	if (dci_server_form_get(p, (long)c->svc.server_id, &f, err))
		return -1;
	int rc = 0;
	bool ours = service_notes_has(f->notes, c->marker);
	char notes[1024];
	if (ours && !strcmp(f->owner, c->svc.panel_user)) {
		snprintf(c->note, sizeof(c->note), "server still the client's");
	} else if (ours || (!f->owner[0] &&
	                    !service_notes_marker(f->notes, NULL, NULL))) {
		dci_server_form w = *f;
		w.owner = c->svc.panel_user;
		w.hostname = c->svc.hostname;
		w.notes = service_notes_add(f->notes, c->marker, notes,
		                            sizeof(notes));
		rc = dci_server_form_apply(p, &w, err);
		if (rc == 0) {
			eng_mutated(c, "server.edit");
			snprintf(c->note, sizeof(c->note),
			         "server %" PRId64 " given back to %s",
			         c->svc.server_id, c->svc.panel_user);
		}
	} else {
		rc = err_set(
		    err, DC_E_CONFLICT,
		    "server %" PRId64 " (%s) was taken by someone else "
		    "after it was freed (owner \"%s\", notes \"%s\")",
		    c->svc.server_id, c->svc.server_name, f->owner, f->notes);
	}
	dci_server_form_free(f);
	if (rc)
		return -1;
	return eng_verify_ours(c, NULL, err);
}

/* ---- suspend, resume, reinstall ----------------------------------------- */

static int set_disabled(eng_ctx *c, bool disabled, dc_err *err)
{
	if (eng_verify_ours(c, NULL, err))
		return -1;
	eng_srv s;
	if (eng_server_row(c, (long)c->svc.server_id, &s, err))
		return -1;
	if (s.disabled == disabled) {
		snprintf(c->note, sizeof(c->note), "server already %s",
		         disabled ? "disabled" : "enabled");
		return 0;
	}
	panel *p = eng_dci(c, err);
	if (!p)
		return -1;
	if (disabled ? dci_server_disable(p, s.id, err)
	             : dci_server_enable(p, s.id, err))
		return -1;
	eng_mutated(c, disabled ? "server.disable" : "server.enable");
	snprintf(c->note, sizeof(c->note), "server %s",
	         disabled ? "disabled" : "enabled");
	return 0;
}

static int step_disable(eng_ctx *c, dc_err *err)
{
	return set_disabled(c, true, err);
}

static int step_enable(eng_ctx *c, dc_err *err)
{
	return set_disabled(c, false, err);
}

static int step_reinstall(eng_ctx *c, dc_err *err)
{
	if (eng_verify_ours(c, NULL, err))
		return -1;
	const char *os = c->os[0] ? c->os : service_addon_value(&c->svc, "os");
	if (!os || !*os)
		return err_set(err, DC_E_INVALID, "no OS to install");
	return eng_install(c, os, service_addon_value(&c->svc, "ns"),
	                   c->svc.hostname, false, err);
}

static int undo_reinstall(eng_ctx *c, dc_err *err)
{
	(void)err;
	snprintf(c->note, sizeof(c->note),
	         "a reinstall cannot be undone; the disks hold what was "
	         "installed");
	return 0;
}

const eng_step_def eng_close_steps[] = {
    {"power_off", "power off", step_power_off, undo_power_off},
    {"port_off", "switch port off", step_port_off, step_port_on},
    {"licence", "cancel the licence", step_licence_cancel, undo_licence_cancel},
    {"park", "parking address as main", step_park, undo_park},
    {"release", "release the addresses", step_release, undo_release},
    {"wipe", "wipe the disks", step_wipe, undo_wipe},
    {"free", "free the server", step_free, undo_free},
};
const size_t eng_close_nsteps =
    sizeof(eng_close_steps) / sizeof(eng_close_steps[0]);

const eng_step_def eng_suspend_steps[] = {
    {"disable", "disable the server", step_disable, step_enable},
    {"port_off", "switch port off", step_port_off, step_port_on},
};
const size_t eng_suspend_nsteps =
    sizeof(eng_suspend_steps) / sizeof(eng_suspend_steps[0]);

const eng_step_def eng_resume_steps[] = {
    {"enable", "enable the server", step_enable, step_disable},
    {"port_on", "switch port on", step_port_on, step_port_off},
};
const size_t eng_resume_nsteps =
    sizeof(eng_resume_steps) / sizeof(eng_resume_steps[0]);

const eng_step_def eng_reinstall_steps[] = {
    {"install", "install the OS", step_reinstall, undo_reinstall},
};
const size_t eng_reinstall_nsteps =
    sizeof(eng_reinstall_steps) / sizeof(eng_reinstall_steps[0]);
