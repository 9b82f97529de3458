/* dcictl_run.c - see dcictl_run.h. */
#include "dcictl_run.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

void dcictl_run(dcictl_res *r, const char *const *env,
		const char *const *argv, int timeout_ms)
{
	const char *exe = getenv("DCICTL") ? getenv("DCICTL") : "build/dcictl";
	int po[2], pe[2];
	assert_int_equal(pipe(po), 0);
	assert_int_equal(pipe(pe), 0);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		close(po[0]);
		close(pe[0]);
		int dn = open("/dev/null", O_RDONLY);
		dup2(dn, 0);
		for (int i = 0; env && env[i]; i++)
			putenv((char *)env[i]);
		const char *av[40];
		int n = 0;
		av[n++] = exe;
		for (int i = 0; argv[i] && n < 39; i++)
			av[n++] = argv[i];
		av[n] = NULL;
		execv(exe, (char *const *)av);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	size_t no = 0, ne = 0;
	struct pollfd fds[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
	int open_fds = 2;
	while (open_fds) {
		if (poll(fds, 2, timeout_ms) <= 0)
			fail_msg("dcictl %s did not finish", argv[0]);
		for (int k = 0; k < 2; k++) {
			if (fds[k].fd < 0 ||
			    !(fds[k].revents & (POLLIN | POLLHUP)))
				continue;
			char *buf = k ? r->err : r->out;
			size_t *len = k ? &ne : &no;
			size_t cap = k ? sizeof(r->err) : sizeof(r->out);
			ssize_t got = read(fds[k].fd, buf + *len,
			                   *len + 1 < cap ? cap - *len - 1 : 0);
			if (got <= 0) {
				close(fds[k].fd);
				fds[k].fd = -1;
				open_fds--;
			} else {
				*len += (size_t)got;
			}
		}
	}
	r->out[no] = '\0';
	r->err[ne] = '\0';
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	r->code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	/* Under the sanitizers a leak or an error report fails the test. */
	if (strstr(r->err, "Sanitizer") || strstr(r->err, "runtime error"))
		fail_msg("dcictl %s: %s", argv[0], r->err);
}
