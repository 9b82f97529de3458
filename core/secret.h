/* secret.h - passwords at rest: AES-256-GCM with a key file beside the
 * store, so that the store file alone does not give them away.
 *
 * Contract: the key file (`<store>.key`, 32 random bytes, mode 0600) is
 * created with RAND_bytes when asked and missing; one that group or others
 * can read is refused with the chmod that fixes it. A sealed blob is
 * version(1) | nonce(12) | ciphertext | tag(16); the nonce is random per
 * seal. Everything secret that this module hands out (keys, opened
 * passwords) is wiped with explicit_bzero when freed. A secret_key is
 * immutable after load and may be shared between threads. */
#ifndef DC_SECRET_H
#define DC_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

typedef struct secret_key secret_key;

#define SECRET_KEY_ID_LEN 16 /* hex characters */

/* Loads the key from `path`; when it is missing and `create` is set,
 * makes a new one (atomically: two processes racing end with one key).
 * Errors: DC_E_IO (cannot read/create), DC_E_CONFIG (bad size, bad mode),
 * DC_E_NOTFOUND (missing and !create). */
secret_key *secret_key_load(const char *path, bool create, dc_err *err);
void secret_key_free(secret_key *k);
/* A short fingerprint of the key (not the key): lets the store notice a
 * key file that is not the one its secrets were sealed with. out holds
 * SECRET_KEY_ID_LEN + 1 bytes. */
void secret_key_id(const secret_key *k, char *out);

/* Seals plain (NUL-terminated) into a malloc'd blob. */
int secret_seal(const secret_key *k, const char *plain, unsigned char **blob,
                size_t *len, dc_err *err);
/* Opens a blob into a malloc'd NUL-terminated string; free it with
 * secret_free. A blob altered or sealed with another key: DC_E_STORE. */
char *secret_unseal(const secret_key *k, const unsigned char *blob, size_t len,
                    dc_err *err);
/* Wipes and frees a string from secret_unseal (NULL is fine). */
void secret_free(char *s);
/* Wipes n bytes; the compiler may not drop it. */
void secret_wipe(void *p, size_t n);

#endif
