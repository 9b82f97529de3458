/* module.c - the seed's sorting rule; see module.h. */
#include "module.h"

#include <stdio.h>
#include <string.h>

/* Does a come before b: lower sorting, then lower id. */
static bool before(const module_candidate *a, const module_candidate *b)
{
	return a->sorting < b->sorting ||
	       (a->sorting == b->sorting && a->id < b->id);
}

size_t module_order(const module_candidate *c, size_t n, size_t *order)
{
	size_t k = 0;
	/* Insertion sort: a tariff has a handful of modules, and it keeps
	 * the function free of allocation and of qsort's context problem. */
	for (size_t i = 0; i < n; i++) {
		if (!c[i].enabled)
			continue;
		size_t j = k++;
		while (j > 0 && before(&c[i], &c[order[j - 1]])) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = i;
	}
	return k;
}

long module_pick(const module_candidate *c, size_t n)
{
	long best = -1;
	for (size_t i = 0; i < n; i++) {
		if (!c[i].enabled || c[i].free <= 0)
			continue;
		if (best < 0 || before(&c[i], &c[best]))
			best = (long)i;
	}
	return best;
}

int module_check_parking(const char *parking_type, const char *const *types,
                         size_t ntypes, dc_err *err)
{
	if (!parking_type || !*parking_type)
		return err_field(err, DC_E_INVALID, "parking_type",
		                 "choose the IP type for parking");
	for (size_t i = 0; i < ntypes; i++)
		if (types[i] && !strcmp(types[i], parking_type))
			return 0;
	char list[256] = "";
	size_t off = 0;
	for (size_t i = 0; i < ntypes && off < sizeof(list); i++) {
		int w = snprintf(list + off, sizeof(list) - off, "%s%s",
		                 i ? ", " : "", types[i] ? types[i] : "");
		if (w > 0)
			off += (size_t)w;
	}
	if (!ntypes)
		return err_field(err, DC_E_INVALID, "parking_type",
		                 "the IPmanager has no IP types; create \"%s\" "
		                 "there first",
		                 parking_type);
	return err_field(err, DC_E_INVALID, "parking_type",
	                 "IP type \"%s\" does not exist in the IPmanager "
	                 "(types there: %s)",
	                 parking_type, list);
}
