/* simerr.h - a panel error as the simulator answers it:
 * <error type="T" object="O" value="V"><msg>M</msg></error>.
 *
 * Contract: handlers fill one on refusal and return -1; the HTTP layer
 * turns it into the XML answer. Fixed-size fields, no ownership. */
#ifndef SIM_SIMERR_H
#define SIM_SIMERR_H

typedef struct simerr {
	char type[32];
	char object[64];
	char value[256];
	char msg[512];
} simerr;

void simerr_clear(simerr *e);
/* Sets every field; object/value may be NULL (empty). Returns -1. */
int simerr_set(simerr *e, const char *type, const char *object,
               const char *value, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#endif
