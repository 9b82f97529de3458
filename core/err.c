/* err.c - errors as values; see err.h. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const errcat_names[DC_ERRCAT_COUNT] = {
	[DC_OK] = "ok",
	[DC_E_TRANSPORT] = "transport",
	[DC_E_TLS] = "tls",
	[DC_E_TIMEOUT] = "timeout",
	[DC_E_HTTP] = "http",
	[DC_E_PARSE] = "parse",
	[DC_E_AUTH] = "auth",
	[DC_E_ACCESS] = "access",
	[DC_E_EXISTS] = "exists",
	[DC_E_MISSED] = "missed",
	[DC_E_VALUE] = "value",
	[DC_E_LIMIT] = "limit",
	[DC_E_PANEL] = "panel",
	[DC_E_INVALID] = "invalid",
	[DC_E_NOTFOUND] = "not found",
	[DC_E_CONFLICT] = "conflict",
	[DC_E_STORE] = "store",
	[DC_E_CONFIG] = "config",
	[DC_E_NOMEM] = "out of memory",
	[DC_E_IO] = "io",
	[DC_E_CANCELLED] = "cancelled",
};

const char *dc_errcat_name(dc_errcat cat)
{
	if ((unsigned)cat >= DC_ERRCAT_COUNT)
		return "unknown";
	return errcat_names[cat];
}

size_t dc_strlcpy(char *dst, const char *src, size_t len)
{
	size_t n = src ? strlen(src) : 0;
	if (len) {
		size_t c = n < len - 1 ? n : len - 1;
		if (c)
			memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}

void err_clear(dc_err *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
}

int err_set(dc_err *err, dc_errcat cat, const char *fmt, ...)
{
	if (!err)
		return -1;
	err_clear(err);
	err->cat = cat;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int err_field(dc_err *err, dc_errcat cat, const char *field, const char *fmt,
	      ...)
{
	if (!err)
		return -1;
	err_clear(err);
	err->cat = cat;
	dc_strlcpy(err->field, field, sizeof(err->field));
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

void err_prefix(dc_err *err, const char *fmt, ...)
{
	if (!err)
		return;
	char pre[256], old[sizeof(err->msg)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	/* The prefix goes first and the old message is cut at the end, if it
	 * must be; built by hand so the compiler can see the bound. */
	memcpy(old, err->msg, sizeof(old));
	size_t n = dc_strlcpy(err->msg, pre, sizeof(err->msg));
	if (n < sizeof(err->msg) - 2) {
		memcpy(err->msg + n, ": ", 3);
		dc_strlcpy(err->msg + n + 2, old, sizeof(err->msg) - n - 2);
	}
}

char *err_line(const dc_err *err, char *buf, size_t len)
{
	if (!len)
		return buf;
	size_t off = 0;
#define APPEND(...)                                                        \
	do {                                                                   \
		if (off < len) {                                                   \
			int n_ = snprintf(buf + off, len - off, __VA_ARGS__);          \
			off += n_ > 0 ? (size_t)n_ : 0;                                \
		}                                                                  \
	} while (0)
	if (err->field[0])
		APPEND("%s: ", err->field);
	APPEND("%s: %s", dc_errcat_name(err->cat), err->msg);
	if (err->func[0] || err->url[0] || err->object[0] ||
	    err->elapsed_ms > 0 || err->retryable) {
		const char *sep = " (";
		if (err->func[0] || err->url[0]) {
			APPEND("%s%s%s%s", sep, err->func, err->url[0] ? " at " : "",
			       err->url);
			sep = ", ";
		}
		if (err->object[0]) {
			APPEND("%sobject=%s", sep, err->object);
			sep = ", ";
		}
		if (err->value[0]) {
			APPEND("%svalue=%s", sep, err->value);
			sep = ", ";
		}
		if (err->elapsed_ms > 0) {
			APPEND("%s%.0f ms", sep, err->elapsed_ms);
			sep = ", ";
		}
		if (err->retryable)
			APPEND("%sretry may help", sep);
		APPEND(")");
	}
#undef APPEND
	return buf;
}
