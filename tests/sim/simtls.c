/* simtls.c - certificate generation through openssl(1) (see simtls.h). */
#include "simtls.h"
#include "xbuf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs argv with stdout and stderr appended to log; 0 on exit status 0. */
static int run(char *const argv[], const char *log)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		int nul = open("/dev/null", O_RDONLY);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		if (nul >= 0)
			dup2(nul, 0);
		execvp(argv[0], argv);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	xbuf b;
	xbuf_init(&b);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		xbuf_add(&b, chunk, n);
	fclose(f);
	return xbuf_steal(&b, NULL);
}

static int fail(char *err, size_t errlen, const char *dir, const char *what)
{
	char log[512], *text;
	snprintf(log, sizeof(log), "%s/openssl.log", dir);
	text = slurp(log);
	/* Last line of openssl's complaint, if any. */
	const char *last = "";
	if (text) {
		size_t n = strlen(text);
		while (n && text[n - 1] == '\n')
			text[--n] = '\0';
		char *nl = strrchr(text, '\n');
		last = nl ? nl + 1 : text;
	}
	snprintf(err, errlen, "--tls: %s failed (is openssl installed?) %s",
	         what, last);
	free(text);
	return -1;
}

int simtls_make(char *dir, size_t dirlen, char *cafile, size_t calen,
                char **cert_pem, char **key_pem, char *err, size_t errlen)
{
	const char *tmp = getenv("TMPDIR");
	char p[8][512];
	snprintf(dir, dirlen, "%s/dcisim-tls-XXXXXX",
	         tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		snprintf(err, errlen, "--tls: mkdtemp %s: %s", dir,
		         strerror(errno));
		dir[0] = '\0';
		return -1;
	}
	snprintf(p[0], sizeof(p[0]), "%s/ca.key", dir);
	snprintf(p[1], sizeof(p[1]), "%s/ca.pem", dir);
	snprintf(p[2], sizeof(p[2]), "%s/server.key", dir);
	snprintf(p[3], sizeof(p[3]), "%s/server.csr", dir);
	snprintf(p[4], sizeof(p[4]), "%s/server.pem", dir);
	snprintf(p[5], sizeof(p[5]), "%s/server.ext", dir);
	snprintf(p[6], sizeof(p[6]), "%s/openssl.log", dir);
	snprintf(p[7], sizeof(p[7]), "%s/ca.srl", dir);

	FILE *f = fopen(p[5], "w");
	if (!f) {
		snprintf(err, errlen, "--tls: %s: %s", p[5], strerror(errno));
		return -1;
	}
	fputs("subjectAltName=IP:127.0.0.1,DNS:localhost\n"
	      "basicConstraints=critical,CA:FALSE\n"
	      "keyUsage=critical,digitalSignature,keyEncipherment\n"
	      "extendedKeyUsage=serverAuth\n",
	      f);
	fclose(f);

	char *ca[] = {"openssl",
	              "req",
	              "-x509",
	              "-newkey",
	              "ec",
	              "-pkeyopt",
	              "ec_paramgen_curve:prime256v1",
	              "-nodes",
	              "-keyout",
	              p[0],
	              "-out",
	              p[1],
	              "-days",
	              "30",
	              "-subj",
	              "/CN=dcisim test CA",
	              "-addext",
	              "basicConstraints=critical,CA:TRUE",
	              "-addext",
	              "keyUsage=critical,keyCertSign,cRLSign",
	              NULL};
	if (run(ca, p[6]) < 0)
		return fail(err, errlen, dir, "making the CA");
	char *csr[] = {"openssl",
	               "req",
	               "-newkey",
	               "ec",
	               "-pkeyopt",
	               "ec_paramgen_curve:prime256v1",
	               "-nodes",
	               "-keyout",
	               p[2],
	               "-out",
	               p[3],
	               "-subj",
	               "/CN=127.0.0.1",
	               NULL};
	if (run(csr, p[6]) < 0)
		return fail(err, errlen, dir, "making the server key");
	char *sign[] = {"openssl",  "x509",      "-req",  "-in",
	                p[3],       "-CA",       p[1],    "-CAkey",
	                p[0],       "-CAserial", p[7],    "-CAcreateserial",
	                "-out",     p[4],        "-days", "30",
	                "-extfile", p[5],        NULL};
	if (run(sign, p[6]) < 0)
		return fail(err, errlen, dir, "signing the server certificate");
	*cert_pem = slurp(p[4]);
	*key_pem = slurp(p[2]);
	if (!*cert_pem || !*key_pem) {
		free(*cert_pem);
		free(*key_pem);
		*cert_pem = *key_pem = NULL;
		return fail(err, errlen, dir, "reading the certificate");
	}
	snprintf(cafile, calen, "%s", p[1]);
	return 0;
}

void simtls_remove(const char *dir)
{
	if (!dir || !*dir)
		return;
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	char path[768];
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}
