/* simtls.h - a throw-away certificate authority and server certificate
 * for dcisim's TLS listener.
 *
 * simtls_make creates a private temporary directory, runs the openssl
 * command-line tool to make a CA (ca.pem) and a server certificate for
 * 127.0.0.1 and localhost signed by it, and returns the server's PEM cert
 * and key in malloc'd strings. simtls_remove deletes the directory. Runs
 * before any thread starts. */
#ifndef SIM_TLS_H
#define SIM_TLS_H

#include <stddef.h>

int simtls_make(char *dir, size_t dirlen, char *cafile, size_t calen,
                char **cert_pem, char **key_pem, char *err, size_t errlen);
void simtls_remove(const char *dir);

#endif
