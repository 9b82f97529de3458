/* tariff.c - tariff rules against panel facts, availability; see tariff.h */
#include "tariff.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "module.h"

/* A bounded text builder for messages that list modules or types. */
typedef struct sbuf {
	char *p;
	size_t len, off;
} sbuf;

__attribute__((format(printf, 2, 3))) static void sb_add(sbuf *b,
                                                         const char *fmt, ...)
{
	if (b->off >= b->len)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b->p + b->off, b->len - b->off, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->off += (size_t)n;
	if (b->off >= b->len && b->len > 4)
		memcpy(b->p + b->len - 4, "...", 4);
}

static bool in_list(const char *s, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] && !strcmp(v[i], s))
			return true;
	return false;
}

static void sb_list(sbuf *b, const char *const *v, size_t n)
{
	if (!n) {
		sb_add(b, "none");
		return;
	}
	for (size_t i = 0; i < n; i++)
		sb_add(b, "%s%s", i ? ", " : "", v[i] ? v[i] : "");
}

int tariff_check_server_type(const char *server_type,
                             const tariff_module_facts *f, size_t nf,
                             dc_err *err)
{
	if (!server_type || !*server_type)
		return err_field(err, DC_E_INVALID, "server_type",
		                 "server type is empty");
	if (nf == 0)
		return err_field(err, DC_E_INVALID, "server_type",
		                 "the tariff has no modules to take server "
		                 "type \"%s\" from",
		                 server_type);
	for (size_t i = 0; i < nf; i++)
		if (f[i].known &&
		    in_list(server_type, f[i].server_types, f[i].nserver_types))
			return 0;
	char msg[400];
	sbuf b = {msg, sizeof(msg), 0};
	msg[0] = '\0';
	sb_add(&b, "server type \"%s\" does not exist on the tariff's modules",
	       server_type);
	for (size_t i = 0; i < nf; i++) {
		sb_add(&b, "%s %s ", i ? ";" : ":", f[i].module);
		if (!f[i].known) {
			sb_add(&b, "(could not be asked)");
			continue;
		}
		sb_add(&b, "has ");
		sb_list(&b, f[i].server_types, f[i].nserver_types);
	}
	return err_field(err, DC_E_INVALID, "server_type", "%s", msg);
}

const dc_addon_values *tariff_addon_values(const dc_tariff *t, size_t i,
                                           const dc_addon *addons)
{
	return t->addons[i].override ? &t->addons[i].v : &addons[i].v;
}

int tariff_check_addons(const dc_tariff *t, const dc_addon *addons, dc_err *err)
{
	for (size_t i = 0; i < t->naddons; i++) {
		const dc_addon *a = &addons[i];
		if (a->id != t->addons[i].addon_id)
			return err_field(err, DC_E_INVALID, "addons",
			                 "add-on %zu does not match the "
			                 "tariff's list",
			                 i + 1);
		for (size_t j = 0; j < i; j++) {
			if (addons[j].kind_id != a->kind_id)
				continue;
			if (a->kind_id == DC_ADDON_SPECIAL_IP &&
			    strcmp(addons[j].iptype, a->iptype))
				continue;
			return err_field(err, DC_E_INVALID, "addons",
			                 "add-ons %s and %s are both of kind "
			                 "%s; a tariff takes one of each kind",
			                 addons[j].name, a->name, a->kind);
		}
		if (t->addons[i].override &&
		    model_check_addon_values(a->kind_id, &t->addons[i].v,
		                             err)) {
			char sub[sizeof(err->msg)];
			dc_strlcpy(sub, err->msg, sizeof(sub));
			return err_field(err, DC_E_INVALID, "addons",
			                 "%s in this tariff: %s", a->name, sub);
		}
	}
	return 0;
}

/* Calls fn for each value an order could ask for (fixed value or list
 * items; ranges are numeric and have no names to check). */
static int each_value(const dc_addon_values *v, int (*fn)(void *, const char *),
                      void *ctx)
{
	if (v->billing != DC_BILL_CLIENT)
		return fn(ctx, v->value);
	if (v->is_range)
		return 0;
	char item[DC_VALUE_MAX];
	for (const char *p = v->list; *p;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n >= sizeof(item))
			n = sizeof(item) - 1;
		memcpy(item, p, n);
		item[n] = '\0';
		if (fn(ctx, item))
			return -1;
		if (!e)
			break;
		p = e + 1;
	}
	return 0;
}

struct os_ctx {
	const tariff_module_facts *f;
	const dc_addon *a;
	dc_err *err;
};

static int os_exists(void *ctx, const char *value)
{
	struct os_ctx *c = ctx;
	if (in_list(value, c->f->os_templates, c->f->nos_templates))
		return 0;
	char have[240];
	sbuf b = {have, sizeof(have), 0};
	have[0] = '\0';
	sb_list(&b, c->f->os_templates, c->f->nos_templates);
	return err_field(c->err, DC_E_INVALID, "addons",
	                 "%s: OS template \"%s\" does not exist on module %s "
	                 "(templates there: %s)",
	                 c->a->name, value, c->f->module, have);
}

int tariff_check_facts(const dc_tariff *t, const dc_addon *addons,
                       const tariff_module_facts *f, size_t nf, dc_err *err)
{
	if (tariff_check_server_type(t->server_type, f, nf, err))
		return -1;
	for (size_t i = 0; i < t->naddons; i++) {
		const dc_addon *a = &addons[i];
		if (a->kind_id != DC_ADDON_OS &&
		    a->kind_id != DC_ADDON_SPECIAL_IP)
			continue;
		for (size_t m = 0; m < nf; m++) {
			if (!f[m].known)
				return err_field(err, DC_E_INVALID, "addons",
				                 "%s: module %s could not be "
				                 "asked, so the add-on cannot "
				                 "be checked",
				                 a->name, f[m].module);
			if (a->kind_id == DC_ADDON_OS) {
				struct os_ctx c = {&f[m], a, err};
				if (each_value(
				        tariff_addon_values(t, i, addons),
				        os_exists, &c))
					return -1;
				continue;
			}
			if (in_list(a->iptype, f[m].iptypes, f[m].niptypes))
				continue;
			char have[240];
			sbuf b = {have, sizeof(have), 0};
			have[0] = '\0';
			sb_list(&b, f[m].iptypes, f[m].niptypes);
			return err_field(err, DC_E_INVALID, "addons",
			                 "%s: IP type \"%s\" does not exist in "
			                 "the IPmanager of module %s (types "
			                 "there: %s)",
			                 a->name, a->iptype, f[m].module, have);
		}
	}
	return 0;
}

/* Strict decimal, as model.c reads values; -1 when not a number. */
static int64_t num(const char *s)
{
	if (!s || !*s)
		return -1;
	int64_t v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

struct choice_ctx {
	const char *chosen;
	bool found;
};

static int match(void *ctx, const char *value)
{
	struct choice_ctx *c = ctx;
	if (!strcmp(value, c->chosen))
		c->found = true;
	return 0;
}

int tariff_check_choice(const dc_addon *a, const dc_addon_values *v,
                        const char *chosen, dc_err *err)
{
	char have[200];
	if (v->billing != DC_BILL_CLIENT) {
		if (!chosen || !*chosen || !strcmp(chosen, v->value))
			return 0;
		return err_field(err, DC_E_INVALID, a->name,
		                 "%s is fixed at %s (billing %s); \"%.40s\" "
		                 "cannot be chosen",
		                 a->name, v->value,
		                 model_billing_name(v->billing), chosen);
	}
	if (!chosen || !*chosen)
		return err_field(err, DC_E_INVALID, a->name,
		                 "choose a value for %s (%s)", a->name,
		                 model_addon_values_str(v, have, sizeof(have)));
	if (v->is_range) {
		int64_t n = num(chosen);
		if (n >= v->min && n <= v->max)
			return 0;
		return err_field(err, DC_E_INVALID, a->name,
		                 "%s: \"%.40s\" is not a whole number in "
		                 "%lld..%lld",
		                 a->name, chosen, (long long)v->min,
		                 (long long)v->max);
	}
	struct choice_ctx c = {chosen, false};
	each_value(v, match, &c);
	if (c.found)
		return 0;
	return err_field(err, DC_E_INVALID, a->name,
	                 "%s: \"%.40s\" is not one of %s", a->name, chosen,
	                 model_addon_values_str(v, have, sizeof(have)));
}

struct min_ctx {
	int64_t min;
};

static int take_min(void *ctx, const char *value)
{
	struct min_ctx *c = ctx;
	int64_t n = num(value);
	if (n >= 0 && (c->min < 0 || n < c->min))
		c->min = n;
	return 0;
}

int64_t tariff_min_ram(const dc_tariff *t, const dc_addon *addons)
{
	for (size_t i = 0; i < t->naddons; i++) {
		if (addons[i].kind_id != DC_ADDON_RAM)
			continue;
		const dc_addon_values *v = tariff_addon_values(t, i, addons);
		if (v->billing == DC_BILL_CLIENT && v->is_range)
			return v->min;
		struct min_ctx c = {-1};
		each_value(v, take_min, &c);
		return c.min > 0 ? c.min : 0;
	}
	return 0;
}

bool avail_server_fits(const avail_server *s, const char *type, int64_t min_ram)
{
	if (s->owner && *s->owner)
		return false;
	if (!s->type || !type || strcmp(s->type, type))
		return false;
	if (s->blocked || s->hwproblem || s->diag_in_progress ||
	    s->install_in_progress || s->operation_failed)
		return false;
	return min_ram <= 0 || s->ram_mib >= min_ram;
}

long avail_count_free(const avail_server *s, size_t n, const char *type,
                      int64_t min_ram)
{
	long k = 0;
	for (size_t i = 0; i < n; i++)
		k += avail_server_fits(&s[i], type, min_ram);
	return k;
}

void tariff_availability(const dc_tariff *t, int64_t min_ram,
                         const avail_module *m, size_t n, int64_t now,
                         tariff_avail *out)
{
	memset(out, 0, sizeof(*out));
	out->picked = -1;
	out->oldest_age = -1;

	module_candidate cand[64] = {{0}}, *c = cand;
	if (n > sizeof(cand) / sizeof(cand[0])) {
		c = calloc(n, sizeof(*c));
		if (!c) {
			dc_strlcpy(out->reason, "out of memory",
			           sizeof(out->reason));
			return;
		}
	}
	size_t enabled = 0, counted = 0;
	for (size_t i = 0; i < n; i++) {
		c[i].id = m[i].id;
		c[i].sorting = m[i].sorting;
		c[i].enabled = m[i].enabled;
		c[i].free = m[i].counted ? m[i].free : -1;
		if (!m[i].enabled)
			continue;
		enabled++;
		if (!m[i].counted)
			continue;
		counted++;
		if (m[i].free > 0)
			out->total += m[i].free;
		int64_t age = now - m[i].counted_at;
		if (age < 0)
			age = 0;
		if (age > out->oldest_age)
			out->oldest_age = age;
	}
	out->picked = module_pick(c, n);
	if (c != cand)
		free(c);
	out->orderable = t->enabled && out->picked >= 0;
	if (out->orderable)
		return;

	sbuf b = {out->reason, sizeof(out->reason), 0};
	if (!t->enabled) {
		sb_add(&b, "tariff is disabled");
		return;
	}
	if (n == 0) {
		sb_add(&b, "tariff has no processing modules");
		return;
	}
	if (enabled == 0) {
		sb_add(&b, "all of the tariff's modules are disabled");
		return;
	}
	sb_add(&b, "no free server of type %s", t->server_type);
	if (min_ram > 0)
		sb_add(&b, " with RAM >= %lld MiB", (long long)min_ram);
	if (counted == enabled)
		return;
	/* Some counts are missing: say which, so "none free" is not
	 * mistaken for a fact. */
	const char *sep = " (";
	for (size_t i = 0; i < n; i++) {
		if (!m[i].enabled || m[i].counted)
			continue;
		if (m[i].error)
			sb_add(&b, "%scount failed on %s: %s", sep, m[i].name,
			       m[i].error);
		else
			sb_add(&b, "%s%s not counted yet", sep, m[i].name);
		sep = "; ";
	}
	sb_add(&b, ")");
}
