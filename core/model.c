/* model.c - field and record rules; see model.h. */
#include "model.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <libxml/xmlstring.h>

static const char *const entity_names[DC_ENT_COUNT] = {
    [DC_ENT_DEPARTMENT] = "department", [DC_ENT_IPMGR] = "ipmgr",
    [DC_ENT_LICSRV] = "license",        [DC_ENT_MODULE] = "module",
    [DC_ENT_TARIFF] = "tariff",         [DC_ENT_ADDON] = "addon",
};

static const char *const kind_names[DC_ADDON_KIND_COUNT] = {
    [DC_ADDON_RAM] = "ram",
    [DC_ADDON_OS] = "os",
    [DC_ADDON_NS] = "ns",
    [DC_ADDON_PANEL] = "panel",
    [DC_ADDON_PORTSPEED] = "portspeed",
    [DC_ADDON_TRAFFIC] = "traffic",
    [DC_ADDON_IPV4_PRIVATE] = "ipv4_private",
    [DC_ADDON_IPV6] = "ipv6",
    [DC_ADDON_IPV4_PUBLIC] = "ipv4_public",
    [DC_ADDON_SPECIAL_IP] = "special_ip_block",
};

static const char *const kind_units[DC_ADDON_KIND_COUNT] = {
    [DC_ADDON_RAM] = "MiB",
    [DC_ADDON_OS] = "",
    [DC_ADDON_NS] = "",
    [DC_ADDON_PANEL] = "",
    [DC_ADDON_PORTSPEED] = "Mbit/s",
    [DC_ADDON_TRAFFIC] = "GiB",
    [DC_ADDON_IPV4_PRIVATE] = "count",
    [DC_ADDON_IPV6] = "count",
    [DC_ADDON_IPV4_PUBLIC] = "count",
    [DC_ADDON_SPECIAL_IP] = "count",
};

static const char *const billing_names[DC_BILL_COUNT] = {
    [DC_BILL_INCLUDED] = "included",
    [DC_BILL_CLIENT] = "client",
    [DC_BILL_NONE] = "none",
};

/* Address counts beyond this are a typo, not an order. */
#define COUNT_MAX 65535

const char *model_entity_name(dc_entity ent)
{
	return (unsigned)ent < DC_ENT_COUNT ? entity_names[ent] : "record";
}

const char *model_addon_kind_name(dc_addon_kind kind)
{
	return (unsigned)kind < DC_ADDON_KIND_COUNT ? kind_names[kind] : "?";
}

const char *model_addon_unit(dc_addon_kind kind)
{
	return (unsigned)kind < DC_ADDON_KIND_COUNT ? kind_units[kind] : "";
}

const char *model_billing_name(dc_billing b)
{
	return (unsigned)b < DC_BILL_COUNT ? billing_names[b] : "?";
}

bool model_addon_kind_numeric(dc_addon_kind kind)
{
	return kind != DC_ADDON_OS && kind != DC_ADDON_NS &&
	       kind != DC_ADDON_PANEL;
}

/* ---- single fields ----------------------------------------------------- */

static bool has_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return true;
	return false;
}

/* Text a person types as a name: shown in lists and given back on the
 * command line, so no control characters, no invisible edges, valid
 * UTF-8. */
static int check_text(const char *field, const char *what, const char *s,
                      size_t max, dc_err *err)
{
	if (!s || !*s)
		return err_field(err, DC_E_INVALID, field, "%s is empty", what);
	size_t n = strlen(s);
	if (n > max)
		return err_field(err, DC_E_INVALID, field,
		                 "%s is too long (%zu bytes, at most %zu)",
		                 what, n, max);
	if (has_control(s))
		return err_field(err, DC_E_INVALID, field,
		                 "%s contains a control character", what);
	if (isspace((unsigned char)s[0]) || isspace((unsigned char)s[n - 1]))
		return err_field(err, DC_E_INVALID, field,
		                 "%s starts or ends with a space", what);
	if (!xmlCheckUTF8((const xmlChar *)s))
		return err_field(err, DC_E_INVALID, field,
		                 "%s is not valid UTF-8", what);
	return 0;
}

int model_check_name(const char *field, const char *s, dc_err *err)
{
	return check_text(field, "name", s, DC_NAME_MAX - 1, err);
}

int model_check_url(const char *field, const char *s, dc_err *err)
{
	if (!s || !*s)
		return err_field(err, DC_E_INVALID, field,
		                 "URL is empty; give the panel's full URL, "
		                 "e.g. https://dci.example.net:1500/dcimgr");
	if (strlen(s) > DC_URL_MAX - 1)
		return err_field(err, DC_E_INVALID, field,
		                 "URL is too long (at most %d bytes)",
		                 DC_URL_MAX - 1);
	CURLU *u = curl_url();
	if (!u)
		return err_set(err, DC_E_NOMEM, "out of memory");
	int rc = -1;
	char *scheme = NULL, *host = NULL, *part = NULL;
	CURLUcode uc = curl_url_set(u, CURLUPART_URL, s, 0);
	if (uc != CURLUE_OK) {
		err_field(err, DC_E_INVALID, field,
		          "\"%s\" is not an absolute http(s) URL with a host "
		          "(%s)",
		          s, curl_url_strerror(uc));
		goto out;
	}
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    (strcasecmp(scheme, "http") && strcasecmp(scheme, "https"))) {
		err_field(err, DC_E_INVALID, field,
		          "URL must start with http:// or https:// (got "
		          "\"%s\")",
		          scheme ? scheme : "");
		goto out;
	}
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !*host) {
		err_field(err, DC_E_INVALID, field, "URL has no host");
		goto out;
	}
	if (curl_url_get(u, CURLUPART_USER, &part, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PASSWORD, &part, 0) == CURLUE_OK) {
		err_field(err, DC_E_INVALID, field,
		          "URL must not carry a user name or password; use "
		          "the username and password fields");
		goto out;
	}
	if (curl_url_get(u, CURLUPART_QUERY, &part, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_FRAGMENT, &part, 0) == CURLUE_OK) {
		err_field(err, DC_E_INVALID, field,
		          "URL must be the panel's base URL, without ?query "
		          "or #fragment");
		goto out;
	}
	rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(part);
	curl_url_cleanup(u);
	return rc;
}

int model_check_username(const char *field, const char *s, dc_err *err)
{
	if (check_text(field, "username", s, DC_USER_MAX - 1, err))
		return -1;
	/* authinfo=USER:PASSWORD cannot carry a colon in the user part. */
	if (strchr(s, ':'))
		return err_field(err, DC_E_INVALID, field,
		                 "username must not contain ':'");
	return 0;
}

int model_check_password(const char *field, const char *s, dc_err *err)
{
	/* Never echo the value back: it is a secret. */
	if (!s || !*s)
		return err_field(err, DC_E_INVALID, field, "password is empty");
	if (strlen(s) > DC_PASSWORD_MAX - 1)
		return err_field(err, DC_E_INVALID, field,
		                 "password is too long (at most %d bytes)",
		                 DC_PASSWORD_MAX - 1);
	if (strchr(s, '\n') || strchr(s, '\r'))
		return err_field(err, DC_E_INVALID, field,
		                 "password contains a line break");
	return 0;
}

int model_check_cafile(const char *field, const char *s, dc_err *err)
{
	if (!s || !*s)
		return 0;
	if (strlen(s) > DC_PATH_MAX - 1)
		return err_field(err, DC_E_INVALID, field,
		                 "CA file path is too long (at most %d bytes)",
		                 DC_PATH_MAX - 1);
	if (s[0] != '/')
		return err_field(err, DC_E_INVALID, field,
		                 "CA file must be an absolute path (got "
		                 "\"%s\")",
		                 s);
	struct stat sb;
	if (stat(s, &sb) != 0 || !S_ISREG(sb.st_mode))
		return err_field(err, DC_E_INVALID, field,
		                 "CA file %s does not exist or is not a file",
		                 s);
	if (access(s, R_OK) != 0)
		return err_field(err, DC_E_INVALID, field,
		                 "CA file %s is not readable", s);
	return 0;
}

static bool type_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

int model_check_type_name(const char *field, const char *s, dc_err *err)
{
	if (!s || !*s)
		return err_field(err, DC_E_INVALID, field, "type is empty");
	size_t n = strlen(s);
	if (n > DC_TYPE_MAX - 1)
		return err_field(err, DC_E_INVALID, field,
		                 "type name is too long (at most %d bytes)",
		                 DC_TYPE_MAX - 1);
	if (!isalnum((unsigned char)s[0]))
		return err_field(err, DC_E_INVALID, field,
		                 "type name must start with a letter or digit");
	for (size_t i = 0; i < n; i++)
		if (!type_char(s[i]))
			return err_field(err, DC_E_INVALID, field,
			                 "type name may hold only letters, "
			                 "digits, '_', '-' and '.'");
	return 0;
}

/* Strict decimal in [lo, hi]: digits only, no sign, no spaces. */
static int parse_int(const char *field, const char *s, int64_t lo, int64_t hi,
                     int64_t *out, dc_err *err)
{
	if (!s || !*s)
		return err_field(err, DC_E_INVALID, field,
		                 "%s is empty; give a whole number from "
		                 "%lld to %lld",
		                 field, (long long)lo, (long long)hi);
	int64_t v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return err_field(err, DC_E_INVALID, field,
			                 "\"%.40s\" is not a whole number from "
			                 "%lld to %lld",
			                 s, (long long)lo, (long long)hi);
		if (v > (hi - (*p - '0')) / 10)
			return err_field(
			    err, DC_E_INVALID, field,
			    "\"%.40s\" is too large (at most %lld)", s,
			    (long long)hi);
		v = v * 10 + (*p - '0');
	}
	if (v < lo)
		return err_field(err, DC_E_INVALID, field,
		                 "%lld is too small (at least %lld)",
		                 (long long)v, (long long)lo);
	if (out)
		*out = v;
	return 0;
}

int model_parse_sorting(const char *s, int64_t *out, dc_err *err)
{
	return parse_int("sorting", s, 0, DC_SORTING_MAX, out, err);
}

int model_parse_bool(const char *field, const char *s, bool *out, dc_err *err)
{
	static const char *const yes[] = {"yes", "on", "true", "1"};
	static const char *const no[] = {"no", "off", "false", "0"};
	for (size_t i = 0; s && i < 4; i++) {
		if (!strcasecmp(s, yes[i])) {
			if (out)
				*out = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			if (out)
				*out = false;
			return 0;
		}
	}
	return err_field(err, DC_E_INVALID, field,
	                 "\"%.40s\" is not yes/no (also on/off, true/false, "
	                 "1/0)",
	                 s ? s : "");
}

int model_check_addon_name(const char *field, const char *s, dc_err *err)
{
	if (!s || !*s)
		return err_field(err, DC_E_INVALID, field, "name is empty");
	size_t n = strlen(s);
	if (n > DC_NAME_MAX - 1)
		return err_field(err, DC_E_INVALID, field,
		                 "name is too long (at most %d bytes)",
		                 DC_NAME_MAX - 1);
	if (!isalpha((unsigned char)s[0]))
		return err_field(err, DC_E_INVALID, field,
		                 "internal name must start with a letter");
	for (size_t i = 0; i < n; i++)
		if (!type_char(s[i]))
			return err_field(err, DC_E_INVALID, field,
			                 "internal name may hold only letters, "
			                 "digits, '_', '-' and '.'");
	return 0;
}

int model_parse_addon_kind(const char *s, dc_addon_kind *kind, char *iptype,
                           dc_err *err)
{
	if (!s || !*s)
		return err_field(err, DC_E_INVALID, "kind",
		                 "kind is empty; one of ram, os, ns, panel, "
		                 "portspeed, traffic, ipv4_private, ipv6, "
		                 "ipv4_public, special_ip_block_<iptype>");
	size_t plen = strlen(DC_SPECIAL_IP_PREFIX);
	if (!strncmp(s, DC_SPECIAL_IP_PREFIX, plen)) {
		dc_err sub;
		if (model_check_type_name("kind", s + plen, &sub))
			return err_field(err, DC_E_INVALID, "kind",
			                 "%s needs an IP type name after it: "
			                 "%s",
			                 DC_SPECIAL_IP_PREFIX, sub.msg);
		if (kind)
			*kind = DC_ADDON_SPECIAL_IP;
		if (iptype)
			dc_strlcpy(iptype, s + plen, DC_TYPE_MAX);
		return 0;
	}
	for (int k = 0; k < DC_ADDON_KIND_COUNT; k++) {
		if (k == DC_ADDON_SPECIAL_IP || strcmp(s, kind_names[k]))
			continue;
		if (kind)
			*kind = (dc_addon_kind)k;
		if (iptype)
			iptype[0] = '\0';
		return 0;
	}
	return err_field(err, DC_E_INVALID, "kind",
	                 "unknown kind \"%.40s\"; one of ram, os, ns, panel, "
	                 "portspeed, traffic, ipv4_private, ipv6, ipv4_public, "
	                 "special_ip_block_<iptype>",
	                 s);
}

int model_parse_billing(const char *s, dc_billing *out, dc_err *err)
{
	for (int b = 0; s && b < DC_BILL_COUNT; b++)
		if (!strcmp(s, billing_names[b])) {
			if (out)
				*out = (dc_billing)b;
			return 0;
		}
	return err_field(err, DC_E_INVALID, "billing",
	                 "unknown billing type \"%.40s\"; one of included "
	                 "(fixed value), client (client selects), none (do not "
	                 "count)",
	                 s ? s : "");
}

static bool host_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '.' || c == ':';
}

static int check_ns(const char *field, const char *s, dc_err *err)
{
	/* One or more name servers (host names or addresses) separated by
	 * single spaces: the panel's nameserver field takes that list. */
	const char *p = s;
	while (*p) {
		const char *e = strchr(p, ' ');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == 0 || n > 253)
			return err_field(err, DC_E_INVALID, field,
			                 "name servers are host names "
			                 "separated by single spaces");
		if (p[0] == '.' || p[0] == '-' || p[n - 1] == '-')
			return err_field(err, DC_E_INVALID, field,
			                 "\"%.*s\" is not a host name", (int)n,
			                 p);
		for (size_t i = 0; i < n; i++)
			if (!host_char(p[i]))
				return err_field(err, DC_E_INVALID, field,
				                 "\"%.*s\" is not a host name",
				                 (int)n, p);
		p += n;
		if (*p == ' ' && !p[1])
			return err_field(err, DC_E_INVALID, field,
			                 "name servers end with a space");
		if (*p == ' ')
			p++;
	}
	return 0;
}

static int64_t kind_min(dc_addon_kind kind)
{
	return kind == DC_ADDON_RAM || kind == DC_ADDON_PORTSPEED ? 1 : 0;
}

static int64_t kind_max(dc_addon_kind kind)
{
	switch (kind) {
	case DC_ADDON_IPV4_PRIVATE:
	case DC_ADDON_IPV6:
	case DC_ADDON_IPV4_PUBLIC:
	case DC_ADDON_SPECIAL_IP:
		return COUNT_MAX;
	default:
		return DC_SORTING_MAX;
	}
}

int model_check_addon_value(dc_addon_kind kind, const char *field,
                            const char *s, dc_err *err)
{
	if ((unsigned)kind >= DC_ADDON_KIND_COUNT)
		return err_field(err, DC_E_INVALID, "kind", "unknown kind");
	if (!s || !*s)
		return err_field(err, DC_E_INVALID, field, "value is empty");
	if (strlen(s) > DC_VALUE_MAX - 1)
		return err_field(err, DC_E_INVALID, field,
		                 "value is too long (at most %d bytes)",
		                 DC_VALUE_MAX - 1);
	if (model_addon_kind_numeric(kind)) {
		if (parse_int(field, s, kind_min(kind), kind_max(kind), NULL,
		              err)) {
			err_prefix(err, "%s %s", kind_names[kind],
			           kind_units[kind]);
			return -1;
		}
		return 0;
	}
	if (kind == DC_ADDON_NS)
		return check_ns(field, s, err);
	for (const char *p = s; *p; p++)
		if (!type_char(*p))
			return err_field(err, DC_E_INVALID, field,
			                 "%s value \"%.40s\" may hold only "
			                 "letters, digits, '_', '-' and '.'",
			                 kind_names[kind], s);
	return 0;
}

/* Splits "a, b,c" into items (spaces around items dropped) and calls fn on
 * each; stops at the first refusal. */
static int each_item(const char *list, int (*fn)(void *, const char *),
                     void *ctx, const char *field, dc_err *err)
{
	char item[DC_VALUE_MAX];
	const char *p = list;
	for (;;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		while (n && isspace((unsigned char)*p)) {
			p++;
			n--;
		}
		while (n && isspace((unsigned char)p[n - 1]))
			n--;
		if (n == 0)
			return err_field(err, DC_E_INVALID, field,
			                 "empty value in the list \"%.60s\"",
			                 list);
		if (n >= sizeof(item))
			return err_field(err, DC_E_INVALID, field,
			                 "a value is too long (at most %zu "
			                 "bytes)",
			                 sizeof(item) - 1);
		memcpy(item, p, n);
		item[n] = '\0';
		if (fn(ctx, item))
			return -1;
		if (!e)
			return 0;
		p = e + 1;
	}
}

struct list_build {
	dc_addon_kind kind;
	const char *field;
	char *out;
	size_t len;
	dc_err *err;
};

static bool list_has(const char *list, const char *item)
{
	size_t n = strlen(item);
	for (const char *p = list; *p;) {
		const char *e = strchr(p, ',');
		size_t m = e ? (size_t)(e - p) : strlen(p);
		if (m == n && !memcmp(p, item, n))
			return true;
		if (!e)
			break;
		p = e + 1;
	}
	return false;
}

static int list_add(void *ctx, const char *item)
{
	struct list_build *b = ctx;
	if (model_check_addon_value(b->kind, b->field, item, b->err))
		return -1;
	if (list_has(b->out, item))
		return err_field(b->err, DC_E_INVALID, b->field,
		                 "\"%s\" is listed twice", item);
	size_t have = strlen(b->out), n = strlen(item);
	if (have + (have ? 1 : 0) + n >= b->len)
		return err_field(b->err, DC_E_INVALID, b->field,
		                 "the list of values is too long (at most %zu "
		                 "bytes)",
		                 b->len - 1);
	if (have)
		b->out[have++] = ',';
	memcpy(b->out + have, item, n + 1);
	return 0;
}

static int parse_range(dc_addon_kind kind, const char *s, int64_t *lo,
                       int64_t *hi, dc_err *err)
{
	const char *dots = strstr(s, "..");
	if (!dots)
		return err_field(err, DC_E_INVALID, "range",
		                 "range is written MIN..MAX, e.g. 0..8");
	char a[32], b[32];
	size_t na = (size_t)(dots - s);
	if (na >= sizeof(a) || strlen(dots + 2) >= sizeof(b))
		return err_field(err, DC_E_INVALID, "range",
		                 "range bounds are too long");
	memcpy(a, s, na);
	a[na] = '\0';
	dc_strlcpy(b, dots + 2, sizeof(b));
	if (parse_int("range", a, kind_min(kind), kind_max(kind), lo, err) ||
	    parse_int("range", b, kind_min(kind), kind_max(kind), hi, err)) {
		err_prefix(err, "range %s", s);
		return -1;
	}
	if (*lo > *hi)
		return err_field(err, DC_E_INVALID, "range",
		                 "range %s: the minimum is above the maximum",
		                 s);
	return 0;
}

int model_addon_values_parse(dc_addon_kind kind, dc_billing billing,
                             const char *values, const char *range,
                             dc_addon_values *out, dc_err *err)
{
	dc_addon_values v;
	memset(&v, 0, sizeof(v));
	v.billing = billing;
	bool has_values = values && *values, has_range = range && *range;
	if ((unsigned)kind >= DC_ADDON_KIND_COUNT)
		return err_field(err, DC_E_INVALID, "kind", "unknown kind");
	switch (billing) {
	case DC_BILL_INCLUDED:
	case DC_BILL_NONE:
		if (has_range)
			return err_field(err, DC_E_INVALID, "range",
			                 "billing %s takes one fixed value, "
			                 "not a range",
			                 billing_names[billing]);
		if (!has_values)
			return err_field(err, DC_E_INVALID, "values",
			                 "billing %s needs its one value",
			                 billing_names[billing]);
		if (strchr(values, ','))
			return err_field(err, DC_E_INVALID, "values",
			                 "billing %s takes exactly one value "
			                 "(got a list)",
			                 billing_names[billing]);
		if (model_check_addon_value(kind, "values", values, err))
			return -1;
		dc_strlcpy(v.value, values, sizeof(v.value));
		break;
	case DC_BILL_CLIENT:
		if (has_values == has_range)
			return err_field(err, DC_E_INVALID,
			                 has_range ? "range" : "values",
			                 "billing client takes either a list "
			                 "of values or a MIN..MAX range");
		if (has_range) {
			if (!model_addon_kind_numeric(kind))
				return err_field(err, DC_E_INVALID, "range",
				                 "a %s add-on takes a list of "
				                 "values, not a range",
				                 kind_names[kind]);
			if (parse_range(kind, range, &v.min, &v.max, err))
				return -1;
			v.is_range = true;
		} else {
			struct list_build b = {kind, "values", v.list,
			                       sizeof(v.list), err};
			if (each_item(values, list_add, &b, "values", err))
				return -1;
		}
		break;
	default:
		return err_field(err, DC_E_INVALID, "billing",
		                 "unknown billing type");
	}
	if (out)
		*out = v;
	return 0;
}

int model_check_addon_values(dc_addon_kind kind, const dc_addon_values *v,
                             dc_err *err)
{
	if ((unsigned)v->billing >= DC_BILL_COUNT)
		return err_field(err, DC_E_INVALID, "billing",
		                 "unknown billing type");
	if (v->billing != DC_BILL_CLIENT) {
		if (v->is_range || v->list[0])
			return err_field(err, DC_E_INVALID, "values",
			                 "billing %s takes one fixed value",
			                 billing_names[v->billing]);
		if (strchr(v->value, ','))
			return err_field(err, DC_E_INVALID, "values",
			                 "billing %s takes exactly one value",
			                 billing_names[v->billing]);
		return model_check_addon_value(kind, "values", v->value, err);
	}
	if (v->value[0])
		return err_field(err, DC_E_INVALID, "values",
		                 "billing client takes a list or a range, not "
		                 "a fixed value");
	if (v->is_range) {
		if (!model_addon_kind_numeric(kind))
			return err_field(err, DC_E_INVALID, "range",
			                 "a %s add-on takes a list of values, "
			                 "not a range",
			                 kind_names[kind]);
		if (v->list[0])
			return err_field(err, DC_E_INVALID, "values",
			                 "billing client takes either a list "
			                 "or a range");
		if (v->min < kind_min(kind) || v->max > kind_max(kind) ||
		    v->min > v->max)
			return err_field(
			    err, DC_E_INVALID, "range",
			    "range %lld..%lld is outside %lld..%lld "
			    "or reversed",
			    (long long)v->min, (long long)v->max,
			    (long long)kind_min(kind),
			    (long long)kind_max(kind));
		return 0;
	}
	if (!v->list[0])
		return err_field(err, DC_E_INVALID, "values",
		                 "billing client needs a list of values or a "
		                 "range");
	/* Stored lists are already normalized: re-check each item and
	 * duplicates by rebuilding. */
	char copy[DC_LIST_MAX] = "";
	struct list_build b = {kind, "values", copy, sizeof(copy), err};
	if (each_item(v->list, list_add, &b, "values", err))
		return -1;
	if (strcmp(copy, v->list))
		return err_field(err, DC_E_INVALID, "values",
		                 "list of values is not in canonical form");
	return 0;
}

char *model_addon_values_str(const dc_addon_values *v, char *buf, size_t len)
{
	if (!len)
		return buf;
	if (v->billing != DC_BILL_CLIENT)
		snprintf(buf, len, "%s", v->value);
	else if (v->is_range)
		snprintf(buf, len, "%lld..%lld", (long long)v->min,
		         (long long)v->max);
	else
		snprintf(buf, len, "%s", v->list);
	return buf;
}

/* ---- one field by name -------------------------------------------------- */

static int check_ref(const char *field, const char *what, const char *s,
                     dc_err *err)
{
	if (!s || !*s)
		return err_field(err, DC_E_INVALID, field, "choose %s", what);
	return model_check_name(field, s, err);
}

static int check_conn_field(const char *field, const char *value, dc_err *err,
                            bool *done)
{
	*done = true;
	if (!strcmp(field, "name"))
		return model_check_name(field, value, err);
	if (!strcmp(field, "url"))
		return model_check_url(field, value, err);
	if (!strcmp(field, "username"))
		return model_check_username(field, value, err);
	if (!strcmp(field, "password"))
		return model_check_password(field, value, err);
	if (!strcmp(field, "cafile"))
		return model_check_cafile(field, value, err);
	if (!strcmp(field, "insecure"))
		return model_parse_bool(field, value, NULL, err);
	*done = false;
	return 0;
}

int model_check_field(dc_entity ent, const char *field, const char *value,
                      dc_err *err)
{
	bool done = false;
	int rc = 0;
	if (!field)
		field = "";
	switch (ent) {
	case DC_ENT_DEPARTMENT:
		if (!strcmp(field, "name"))
			return model_check_name(field, value, err);
		break;
	case DC_ENT_IPMGR:
	case DC_ENT_LICSRV:
		rc = check_conn_field(field, value, err, &done);
		if (done)
			return rc;
		break;
	case DC_ENT_MODULE:
		rc = check_conn_field(field, value, err, &done);
		if (done)
			return rc;
		if (!strcmp(field, "ipmgr"))
			return check_ref(field, "the IPmanager", value, err);
		if (!strcmp(field, "department"))
			return check_ref(field, "the responsible department",
			                 value, err);
		if (!strcmp(field, "license"))
			return value && *value
			           ? model_check_name(field, value, err)
			           : 0;
		if (!strcmp(field, "parking_type"))
			return model_check_type_name(field, value, err);
		if (!strcmp(field, "sorting"))
			return model_parse_sorting(value, NULL, err);
		if (!strcmp(field, "enabled") || !strcmp(field, "wipe_disks"))
			return model_parse_bool(field, value, NULL, err);
		break;
	case DC_ENT_TARIFF:
		if (!strcmp(field, "name"))
			return model_check_name(field, value, err);
		if (!strcmp(field, "server_type"))
			return check_text(field, "server type", value,
			                  DC_TYPE_MAX - 1, err);
		if (!strcmp(field, "enabled"))
			return model_parse_bool(field, value, NULL, err);
		if (!strcmp(field, "modules"))
			return check_ref(field, "a processing module", value,
			                 err);
		if (!strcmp(field, "addons"))
			return check_ref(field, "an add-on", value, err);
		break;
	case DC_ENT_ADDON:
		if (!strcmp(field, "name"))
			return model_check_addon_name(field, value, err);
		if (!strcmp(field, "kind"))
			return model_parse_addon_kind(value, NULL, NULL, err);
		if (!strcmp(field, "billing"))
			return model_parse_billing(value, NULL, err);
		if (!strcmp(field, "values")) {
			/* Alone, only the list's shape can be checked;
			 * model_addon_values_parse checks it against kind
			 * and billing. */
			if (!value || !*value)
				return err_field(err, DC_E_INVALID, field,
				                 "give a value or a list of "
				                 "values");
			return 0;
		}
		if (!strcmp(field, "range")) {
			int64_t lo, hi;
			return value && *value
			           ? parse_range(DC_ADDON_TRAFFIC, value, &lo,
			                         &hi, err)
			           : 0;
		}
		break;
	default:
		return err_field(err, DC_E_INVALID, field, "unknown record");
	}
	return err_field(err, DC_E_INVALID, field, "%s has no field \"%s\"",
	                 model_entity_name(ent), field);
}

/* ---- whole records ------------------------------------------------------ */

int model_check_department(const dc_department *d, dc_err *err)
{
	return model_check_name("name", d->name, err);
}

int model_check_conn(const dc_conn *c, const char *password, dc_err *err)
{
	if (model_check_name("name", c->name, err) ||
	    model_check_url("url", c->url, err) ||
	    model_check_username("username", c->username, err) ||
	    (password && model_check_password("password", password, err)) ||
	    model_check_cafile("cafile", c->cafile, err))
		return -1;
	return 0;
}

int model_check_module(const dc_module *m, const char *password, dc_err *err)
{
	if (model_check_name("name", m->name, err) ||
	    model_check_url("url", m->url, err) ||
	    model_check_username("username", m->username, err) ||
	    (password && model_check_password("password", password, err)) ||
	    model_check_cafile("cafile", m->cafile, err))
		return -1;
	if (m->ipmgr_id <= 0)
		return err_field(err, DC_E_INVALID, "ipmgr",
		                 "choose the IPmanager that allocates this "
		                 "module's addresses");
	if (model_check_type_name("parking_type", m->parking_type, err))
		return -1;
	if (m->licsrv_id < 0)
		return err_field(err, DC_E_INVALID, "license",
		                 "bad licence server id");
	if (m->department_id <= 0)
		return err_field(err, DC_E_INVALID, "department",
		                 "choose the responsible department");
	if (m->sorting < 0 || m->sorting > DC_SORTING_MAX)
		return err_field(err, DC_E_INVALID, "sorting",
		                 "%lld is not a whole number from 0 to %lld",
		                 (long long)m->sorting,
		                 (long long)DC_SORTING_MAX);
	return 0;
}

int model_check_addon(dc_addon *a, dc_err *err)
{
	if (model_check_addon_name("name", a->name, err) ||
	    model_parse_addon_kind(a->kind, &a->kind_id, a->iptype, err))
		return -1;
	size_t plen = strlen(DC_SPECIAL_IP_PREFIX);
	if (a->kind_id == DC_ADDON_SPECIAL_IP && strcmp(a->name, a->kind))
		return err_field(err, DC_E_INVALID, "name",
		                 "a special IP block add-on's internal name is "
		                 "its kind, %s",
		                 a->kind);
	if (a->kind_id != DC_ADDON_SPECIAL_IP &&
	    !strncmp(a->name, DC_SPECIAL_IP_PREFIX, plen))
		return err_field(err, DC_E_INVALID, "name",
		                 "names starting with %s are for special IP "
		                 "block add-ons (kind %s<iptype>)",
		                 DC_SPECIAL_IP_PREFIX, DC_SPECIAL_IP_PREFIX);
	return model_check_addon_values(a->kind_id, &a->v, err);
}

int model_check_tariff(const dc_tariff *t, dc_err *err)
{
	if (model_check_name("name", t->name, err) ||
	    check_text("server_type", "server type", t->server_type,
	               DC_TYPE_MAX - 1, err))
		return -1;
	if (t->nmodules == 0)
		return err_field(err, DC_E_INVALID, "modules",
		                 "a tariff needs at least one processing "
		                 "module");
	if (t->nmodules > DC_TARIFF_MODULES_MAX)
		return err_field(err, DC_E_INVALID, "modules",
		                 "at most %d modules", DC_TARIFF_MODULES_MAX);
	if (t->naddons > DC_TARIFF_ADDONS_MAX)
		return err_field(err, DC_E_INVALID, "addons",
		                 "at most %d add-ons", DC_TARIFF_ADDONS_MAX);
	for (size_t i = 0; i < t->nmodules; i++) {
		if (t->modules[i] <= 0)
			return err_field(err, DC_E_INVALID, "modules",
			                 "module %zu is not chosen", i + 1);
		for (size_t j = 0; j < i; j++)
			if (t->modules[j] == t->modules[i])
				return err_field(err, DC_E_INVALID, "modules",
				                 "a module is listed twice");
	}
	for (size_t i = 0; i < t->naddons; i++) {
		if (t->addons[i].addon_id <= 0)
			return err_field(err, DC_E_INVALID, "addons",
			                 "add-on %zu is not chosen", i + 1);
		for (size_t j = 0; j < i; j++)
			if (t->addons[j].addon_id == t->addons[i].addon_id)
				return err_field(err, DC_E_INVALID, "addons",
				                 "an add-on is listed twice");
	}
	return 0;
}
