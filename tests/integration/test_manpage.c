/* test_manpage.c - doc/dcictl.1 is what `dcictl --man` prints: the page
 * is generated from the command and key tables, so a command added
 * without regenerating it fails here, saying how to fix it.
 *
 * The page is found at doc/dcictl.1 from the working directory (the tests
 * run from the repository root), else beside the binary's build
 * directory ($DCICTL is <repo>/<build>/dcictl). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define FIX "run: build/dcictl --man > doc/dcictl.1"

static const char *dcictl_bin(void)
{
	const char *bin = getenv("DCICTL");
	return bin && *bin ? bin : "build/dcictl";
}

/* The whole of a stream, NUL-terminated, malloc'd; *len its length. */
static char *slurp(FILE *f, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	assert_non_null(buf);
	for (;;) {
		if (n + 1 >= cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		size_t k = fread(buf + n, 1, cap - 1 - n, f);
		if (k == 0)
			break;
		n += k;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* `$DCICTL --man` on stdout, with its exit status checked. */
static char *man_output(size_t *len)
{
	const char *bin = dcictl_bin();
	int fd[2];
	assert_int_equal(pipe(fd), 0);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		/* no config or store is read for --man; make sure of it */
		setenv("DCICTL_CONFIG", "/nonexistent/dcictl-config", 1);
		execl(bin, bin, "--man", (char *)NULL);
		fprintf(stderr, "cannot run %s: %s\n", bin, strerror(errno));
		_exit(127);
	}
	close(fd[1]);
	FILE *f = fdopen(fd[0], "r");
	assert_non_null(f);
	char *out = slurp(f, len);
	fclose(f);
	int st = 0;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		free(out);
		fail_msg("%s --man failed (status %d)", bin, st);
	}
	return out;
}

/* doc/dcictl.1 from the working directory, else from the repository the
 * binary was built in. */
static FILE *open_page(char *path, size_t len)
{
	snprintf(path, len, "doc/dcictl.1");
	FILE *f = fopen(path, "r");
	if (f)
		return f;
	char real[PATH_MAX];
	if (!realpath(dcictl_bin(), real))
		return NULL;
	/* <repo>/<build>/dcictl: two dirname()s up */
	char *build = dirname(real);
	char *repo = dirname(build);
	snprintf(path, len, "%s/doc/dcictl.1", repo);
	return fopen(path, "r");
}

static void test_page_is_generated(void **state)
{
	(void)state;
	size_t glen, flen;
	char *gen = man_output(&glen);
	char path[PATH_MAX + 32];
	FILE *f = open_page(path, sizeof(path));
	if (!f) {
		free(gen);
		fail_msg("doc/dcictl.1 not found (from %s or beside %s); " FIX,
		         getcwd(path, sizeof(path)) ? path : "?", dcictl_bin());
	}
	char *page = slurp(f, &flen);
	fclose(f);
	if (glen != flen || memcmp(gen, page, glen) != 0) {
		/* the first line that differs, to show what is stale */
		size_t i = 0, line = 1, bol = 0;
		while (i < glen && i < flen && gen[i] == page[i]) {
			if (gen[i] == '\n') {
				line++;
				bol = i + 1;
			}
			i++;
		}
		int gl = (int)strcspn(gen + bol, "\n");
		int pl = (int)strcspn(page + bol, "\n");
		char msg[PATH_MAX + 1024];
		snprintf(msg, sizeof(msg),
		         "%s is not what dcictl --man prints (line %zu:\n"
		         "  page:      %.*s\n  generated: %.*s)\n" FIX,
		         path, line, pl > 300 ? 300 : pl, page + bol,
		         gl > 300 ? 300 : gl, gen + bol);
		free(gen);
		free(page);
		fail_msg("%s", msg);
	}
	free(gen);
	free(page);
}

/* What the comparison stands on: a page, not an empty file or an error
 * message that would equal an empty doc/dcictl.1. */
static void test_page_is_a_man_page(void **state)
{
	(void)state;
	size_t len;
	char *gen = man_output(&len);
	bool ok = len > 1000 && strstr(gen, "\n.TH DCICTL 1 ") &&
	          strstr(gen, "\n.SH COMMANDS\n") &&
	          strstr(gen, "\n.SH RAW CALLS\n");
	free(gen);
	if (!ok)
		fail_msg("dcictl --man does not print a man page with a title, "
		         "COMMANDS and RAW CALLS (%zu bytes)",
		         len);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_page_is_generated),
	    cmocka_unit_test(test_page_is_a_man_page),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
