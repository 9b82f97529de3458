/* simproc.c - start, stop and drive a dcisim for a test (see simproc.h). */
#include "simproc.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define READY_TIMEOUT_MS 10000
#define STOP_TIMEOUT_MS  20000
#define MAX_EXTRA        120

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void copy_url(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);
	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Parses "READY k=v k=v ..." into sp. */
static int parse_ready(simproc *sp, const char *line)
{
	char buf[sizeof(sp->ready)];
	char *save = NULL;
	copy_url(sp->ready, sizeof(sp->ready), line);
	copy_url(buf, sizeof(buf), line);
	sp->ndcimgr = 0;
	sp->ipmgr[0] = sp->billmgr[0] = sp->simctl[0] = '\0';
	char *tok = strtok_r(buf, " ", &save); /* "READY" */
	while ((tok = strtok_r(NULL, " ", &save)) != NULL) {
		char *eq = strchr(tok, '=');
		if (!eq)
			continue;
		*eq = '\0';
		const char *v = eq + 1;
		if (!strcmp(tok, "dcimgr")) {
			if (sp->ndcimgr < SIMPROC_MAX_DC)
				copy_url(sp->dcimgr[sp->ndcimgr++],
				         sizeof(sp->dcimgr[0]), v);
		} else if (!strcmp(tok, "ipmgr")) {
			copy_url(sp->ipmgr, sizeof(sp->ipmgr), v);
		} else if (!strcmp(tok, "billmgr")) {
			copy_url(sp->billmgr, sizeof(sp->billmgr), v);
		} else if (!strcmp(tok, "simctl")) {
			copy_url(sp->simctl, sizeof(sp->simctl), v);
		}
	}
	if (!sp->ndcimgr || !sp->ipmgr[0] || !sp->billmgr[0] ||
	    !sp->simctl[0]) {
		fprintf(stderr, "simproc: incomplete READY line: %s\n", line);
		return -1;
	}
	return 0;
}

static void reap(simproc *sp)
{
	int st = 0;
	long long deadline = now_ms() + STOP_TIMEOUT_MS;
	pid_t r;
	while ((r = waitpid(sp->pid, &st, WNOHANG)) == 0) {
		if (now_ms() > deadline) {
			fprintf(stderr,
			        "simproc: dcisim %d did not exit; "
			        "killing it\n",
			        (int)sp->pid);
			kill(sp->pid, SIGKILL);
			waitpid(sp->pid, &st, 0);
			break;
		}
		struct timespec ts = {0, 5 * 1000000L};
		nanosleep(&ts, NULL);
	}
	if (r < 0 && errno != ECHILD)
		fprintf(stderr, "simproc: waitpid: %s\n", strerror(errno));
	if (r > 0) {
		if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
			fprintf(stderr,
			        "simproc: dcisim exited with status "
			        "%d\n",
			        WEXITSTATUS(st));
		else if (WIFSIGNALED(st))
			fprintf(stderr, "simproc: dcisim died of signal %d\n",
			        WTERMSIG(st));
	}
	sp->pid = 0;
}

int simproc_start(simproc *sp, const char *const *extra)
{
	const char *path = getenv("DCISIM");
	const char *argv[MAX_EXTRA + 4];
	int fds[2], n = 0;
	memset(sp, 0, sizeof(*sp));
	sp->out_fd = -1;
	if (!path || !*path)
		path = "build/dcisim";
	argv[n++] = path;
	argv[n++] = "--port";
	argv[n++] = "0";
	for (int i = 0; extra && extra[i]; i++) {
		if (n == MAX_EXTRA + 3) {
			fprintf(stderr, "simproc: too many arguments\n");
			return -1;
		}
		argv[n++] = extra[i];
	}
	argv[n] = NULL;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		fprintf(stderr, "simproc: pipe: %s\n", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "simproc: fork: %s\n", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		/* A test that dies (timeout, crash) takes its simulator with
		 * it instead of leaving it listening. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(127);
		dup2(fds[1], 1);
		execv(path, (char *const *)argv);
		fprintf(stderr, "simproc: exec %s: %s\n", path,
		        strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	sp->pid = pid;
	sp->out_fd = fds[0];

	char buf[sizeof(sp->ready) + 256];
	size_t len = 0;
	long long deadline = now_ms() + READY_TIMEOUT_MS;
	for (;;) {
		char *nl;
		while ((nl = memchr(buf, '\n', len)) != NULL) {
			*nl = '\0';
			if (!strncmp(buf, "READY ", 6)) {
				if (parse_ready(sp, buf) == 0)
					return 0;
				simproc_stop(sp);
				return -1;
			}
			size_t used = (size_t)(nl - buf) + 1;
			memmove(buf, nl + 1, len - used);
			len -= used;
		}
		long long left = deadline - now_ms();
		if (left <= 0) {
			fprintf(stderr,
			        "simproc: no READY from %s within "
			        "%d ms\n",
			        path, READY_TIMEOUT_MS);
			break;
		}
		struct pollfd pfd = {sp->out_fd, POLLIN, 0};
		int pr = poll(&pfd, 1, (int)left);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			continue;
		if (len == sizeof(buf) - 1) {
			fprintf(stderr, "simproc: stdout line too long\n");
			break;
		}
		ssize_t got =
		    read(sp->out_fd, buf + len, sizeof(buf) - 1 - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			fprintf(stderr, "simproc: %s exited before READY\n",
			        path);
			break;
		}
		len += (size_t)got;
	}
	simproc_stop(sp);
	return -1;
}

void simproc_stop(simproc *sp)
{
	if (sp->pid > 0) {
		kill(sp->pid, SIGTERM);
		reap(sp);
	}
	if (sp->out_fd >= 0) {
		close(sp->out_fd);
		sp->out_fd = -1;
	}
}

static size_t collect(char *p, size_t size, size_t n, void *ud)
{
	char **buf = ud;
	size_t add = size * n, old = *buf ? strlen(*buf) : 0;
	/* Control answers are small; a plain realloc per piece is fine. */
	char *nb = realloc(*buf, old + add + 1);
	if (!nb)
		return 0;
	memcpy(nb + old, p, add);
	nb[old + add] = '\0';
	*buf = nb;
	return add;
}

int simproc_ctl(simproc *sp, const char *body, char **answer)
{
	char *buf = NULL;
	long code = 0;
	if (answer)
		*answer = NULL;
	CURL *c = curl_easy_init();
	if (!c) {
		fprintf(stderr, "simproc: curl_easy_init failed\n");
		return -1;
	}
	curl_easy_setopt(c, CURLOPT_URL, sp->simctl);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &buf);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	CURLcode rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK || code != 200) {
		fprintf(stderr, "simproc: simctl %s: %s (HTTP %ld)\n", body,
		        curl_easy_strerror(rc), code);
		free(buf);
		return -1;
	}
	if (!buf)
		buf = calloc(1, 1);
	if (answer)
		*answer = buf;
	else
		free(buf);
	return 0;
}
