/* simerr.c - see simerr.h. */
#include "simerr.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void simerr_clear(simerr *e)
{
	memset(e, 0, sizeof(*e));
}

int simerr_set(simerr *e, const char *type, const char *object,
               const char *value, const char *fmt, ...)
{
	va_list ap;
	if (!e)
		return -1;
	snprintf(e->type, sizeof(e->type), "%s", type);
	snprintf(e->object, sizeof(e->object), "%s", object ? object : "");
	snprintf(e->value, sizeof(e->value), "%s", value ? value : "");
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}
