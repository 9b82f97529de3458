/* avail.c - tariff availability from the inventory's server counts; see
 * avail.h. */
#include "avail.h"

#include <stdlib.h>
#include <string.h>

int avail_refresh(dc_store *st, const int64_t *ids, size_t n,
                  int64_t max_age_ms, const inv_opts *o, size_t *counted,
                  dc_err *err)
{
	return inv_fetch(st, ids, n, INV_SERVERS, max_age_ms, o, counted, err);
}

int avail_invalidate(dc_store *st, int64_t module_id, dc_err *err)
{
	return inv_invalidate(st, module_id, err);
}

void avail_compute(const dc_tariff *t, int64_t min_ram, const inv_module *m,
                   size_t nm, int64_t now_ms, avail_result *out)
{
	avail_module in[DC_TARIFF_MODULES_MAX];
	memset(out, 0, sizeof(*out));
	out->t = *t;
	out->min_ram = min_ram;
	out->n = t->nmodules < DC_TARIFF_MODULES_MAX ? t->nmodules
	                                             : DC_TARIFF_MODULES_MAX;
	for (size_t i = 0; i < out->n; i++) {
		avail_mod *a = &out->m[i];
		const inv_module *im = inv_find(m, nm, t->modules[i]);
		a->module_id = t->modules[i];
		a->age_s = -1;
		memset(&in[i], 0, sizeof(in[i]));
		in[i].id = a->module_id;
		if (!im) {
			in[i].name = "";
			continue;
		}
		dc_strlcpy(a->name, im->name, sizeof(a->name));
		a->enabled = im->enabled;
		a->sorting = im->sorting;
		a->have_count = im->servers.at > 0;
		a->usable = a->have_count && !im->servers.error[0];
		a->stale = im->stale;
		dc_strlcpy(a->error, im->servers.error, sizeof(a->error));
		if (a->have_count) {
			a->free = inv_free(im, t->server_type, min_ram);
			a->servers = inv_total(im, t->server_type);
			a->counted_at = im->servers.at;
			a->ms = im->servers.ms;
			/* Whole seconds as tariff_availability counts them,
			 * so a module's age and the tariff's oldest agree. */
			a->age_s = now_ms / 1000 - a->counted_at / 1000;
			if (a->age_s < 0)
				a->age_s = 0;
		}
		in[i].name = a->name;
		in[i].sorting = a->sorting;
		in[i].enabled = a->enabled;
		/* A count whose renewal failed is shown with its age and the
		 * error, but the tariff is not offered on the strength of a
		 * panel that does not answer now. */
		in[i].counted = a->usable;
		in[i].free = a->usable ? a->free : 0;
		in[i].counted_at = a->counted_at / 1000;
		in[i].error = a->error[0] ? a->error : NULL;
	}
	tariff_availability(t, min_ram, in, out->n, now_ms / 1000, &out->a);
}

static int min_ram_of(dc_store *st, const dc_tariff *t, int64_t *min_ram,
                      dc_err *err)
{
	dc_addon addons[DC_TARIFF_ADDONS_MAX];
	*min_ram = 0;
	if (t->naddons == 0)
		return 0;
	if (tariff_resolve_addons(st, t, addons, err))
		return -1;
	*min_ram = tariff_min_ram(t, addons);
	return 0;
}

int avail_tariff(dc_store *st, const dc_tariff *t, int64_t now_ms,
                 avail_result *out, dc_err *err)
{
	inv_module *m = NULL;
	size_t nm = 0;
	int64_t min_ram;
	if (min_ram_of(st, t, &min_ram, err) ||
	    inv_load(st, t->modules, t->nmodules, &m, &nm, err))
		return -1;
	avail_compute(t, min_ram, m, nm, now_ms, out);
	inv_modules_free(m, nm);
	return 0;
}

int avail_tariffs(dc_store *st, int64_t now_ms, avail_result **out, size_t *n,
                  dc_err *err)
{
	dc_tariff *t = NULL;
	size_t nt = 0;
	inv_module *m = NULL;
	size_t nm = 0;
	*out = NULL;
	*n = 0;
	if (tariff_list(st, &t, &nt, err))
		return -1;
	if (nt == 0)
		return 0;
	avail_result *r = calloc(nt, sizeof(*r));
	if (!r) {
		free(t);
		return err_set(err, DC_E_NOMEM, "out of memory");
	}
	if (inv_load(st, NULL, 0, &m, &nm, err))
		goto fail;
	for (size_t i = 0; i < nt; i++) {
		int64_t min_ram;
		if (min_ram_of(st, &t[i], &min_ram, err))
			goto fail;
		avail_compute(&t[i], min_ram, m, nm, now_ms, &r[i]);
	}
	inv_modules_free(m, nm);
	free(t);
	*out = r;
	*n = nt;
	return 0;
fail:
	inv_modules_free(m, nm);
	free(t);
	free(r);
	return -1;
}
