/* simproc.h - start and stop a dcisim for a test, and drive its
 * simulator-only control panel.
 *
 * simproc_start runs $DCISIM (default "build/dcisim") with "--port 0" and
 * the given extra arguments, reads its stdout until the "READY ..." line
 * (10 s limit), and parses every "<panel>=<url>" pair of that line into the
 * struct. simproc_stop sends SIGTERM and reaps it. Not thread-safe per
 * struct; one struct per simulator. */
#ifndef SIMPROC_H
#define SIMPROC_H

#include <stddef.h>
#include <sys/types.h>

#define SIMPROC_MAX_DC 8

typedef struct simproc {
	pid_t pid;
	int out_fd; /* dcisim's stdout, read end (kept open) */
	int ndcimgr;
	char dcimgr[SIMPROC_MAX_DC][256]; /* base URLs, in READY order */
	char ipmgr[256];
	char billmgr[256];
	char simctl[256]; /* the simulator-only control endpoint */
	char ready[4096]; /* the READY line as printed */
} simproc;

/* extra: NULL-terminated argv tail, or NULL. Returns 0 or -1 (message on
 * stderr, since this is test support). */
int simproc_start(simproc *sp, const char *const *extra);
void simproc_stop(simproc *sp);

/* POSTs the form body `body` (already URL-encoded "k=v&k2=v2") to the
 * simctl endpoint; on success returns 0 and, if answer != NULL, a malloc'd
 * NUL-terminated copy of the response body. */
int simproc_ctl(simproc *sp, const char *body, char **answer);

#endif
