/* dcictl_run.h - run the dcictl binary from a test and capture its output.
 *
 * The binary is $DCICTL (default build/dcictl). The child gets stdin from
 * /dev/null, the test's environment plus `env` ("K=V" strings, NULL-
 * terminated, may be NULL), and argv (without the program name, NULL-
 * terminated). Both streams are read until the child closes them, bounded
 * by timeout_ms of silence; output past the buffers is dropped. Fails the
 * current cmocka test when dcictl does not finish or a sanitizer reports on
 * its stderr. Test support: uses cmocka's assertions. */
#ifndef DCICTL_RUN_H
#define DCICTL_RUN_H

typedef struct dcictl_res {
	int code; /* exit status, -1 if killed by a signal */
	char out[65536];
	char err[8192];
} dcictl_res;

void dcictl_run(dcictl_res *r, const char *const *env,
		const char *const *argv, int timeout_ms);

#endif
