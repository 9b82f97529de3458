/* secret.c - AES-256-GCM sealing of passwords; see secret.h. */
#include "secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#define KEY_LEN      32
#define NONCE_LEN    12
#define TAG_LEN      16
#define BLOB_VERSION 1
/* Binds blobs to this use, so a blob cannot be replayed into another
 * GCM context that happens to share the key. */
static const unsigned char aad[] = "dcictl password v1";

struct secret_key {
	unsigned char key[KEY_LEN];
	char id[SECRET_KEY_ID_LEN + 1];
};

void secret_wipe(void *p, size_t n)
{
	if (p && n)
		explicit_bzero(p, n);
}

void secret_free(char *s)
{
	if (!s)
		return;
	secret_wipe(s, strlen(s));
	free(s);
}

void secret_key_free(secret_key *k)
{
	if (!k)
		return;
	munlock(k, sizeof(*k));
	secret_wipe(k, sizeof(*k));
	free(k);
}

void secret_key_id(const secret_key *k, char *out)
{
	memcpy(out, k->id, sizeof(k->id));
}

static int make_id(secret_key *k, dc_err *err)
{
	/* The id is a hash of a derived value, not of the key itself, so it
	 * tells nothing about the key. */
	static const unsigned char label[] = "dcictl key id";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) ||
	    !EVP_DigestUpdate(ctx, label, sizeof(label) - 1) ||
	    !EVP_DigestUpdate(ctx, k->key, KEY_LEN) ||
	    !EVP_DigestFinal_ex(ctx, md, &mdlen) || mdlen < 8) {
		EVP_MD_CTX_free(ctx);
		return err_set(err, DC_E_NOMEM, "cannot compute the key id");
	}
	EVP_MD_CTX_free(ctx);
	for (int i = 0; i < SECRET_KEY_ID_LEN / 2; i++)
		snprintf(k->id + 2 * i, 3, "%02x", md[i]);
	return 0;
}

static int check_mode(const char *path, const struct stat *sb, dc_err *err)
{
	if (!S_ISREG(sb->st_mode))
		return err_set(err, DC_E_CONFIG, "key file %s is not a file",
		               path);
	if (sb->st_mode & (S_IRWXG | S_IRWXO))
		return err_set(err, DC_E_CONFIG,
		               "key file %s can be read by others (mode %04o); "
		               "fix: chmod 600 %s",
		               path, (unsigned)(sb->st_mode & 07777), path);
	return 0;
}

static int read_key(const char *path, unsigned char *key, dc_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT
		           ? err_set(err, DC_E_NOTFOUND,
		                     "key file %s does not exist", path)
		           : err_set(err, DC_E_IO, "cannot open %s: %s", path,
		                     strerror(errno));
	struct stat sb;
	if (fstat(fd, &sb) != 0) {
		close(fd);
		return err_set(err, DC_E_IO, "cannot stat %s: %s", path,
		               strerror(errno));
	}
	if (check_mode(path, &sb, err)) {
		close(fd);
		return -1;
	}
	unsigned char extra;
	ssize_t n = read(fd, key, KEY_LEN);
	ssize_t more = n == KEY_LEN ? read(fd, &extra, 1) : 0;
	close(fd);
	if (n != KEY_LEN || more != 0)
		return err_set(err, DC_E_CONFIG,
		               "key file %s is damaged (not %d bytes)", path,
		               KEY_LEN);
	return 0;
}

/* Writes a new key to a private temp file and links it into place: link()
 * fails when another process got there first, and nobody ever sees a
 * half-written key. */
static int create_key(const char *path, dc_err *err)
{
	size_t n = strlen(path) + 16;
	char *tmp = malloc(n);
	if (!tmp)
		return err_set(err, DC_E_NOMEM, "out of memory");
	snprintf(tmp, n, "%s.XXXXXX", path);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		err_set(err, DC_E_IO, "cannot create the key file %s: %s", path,
		        strerror(errno));
		free(tmp);
		return -1;
	}
	int rc = -1;
	unsigned char key[KEY_LEN];
	if (fchmod(fd, 0600) != 0) {
		err_set(err, DC_E_IO, "chmod %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (RAND_bytes(key, KEY_LEN) != 1) {
		err_set(err, DC_E_IO, "no random bytes for a key");
		goto out;
	}
	if (write(fd, key, KEY_LEN) != KEY_LEN || fsync(fd) != 0) {
		err_set(err, DC_E_IO, "cannot write %s: %s", tmp,
		        strerror(errno));
		goto out;
	}
	if (link(tmp, path) != 0 && errno != EEXIST) {
		err_set(err, DC_E_IO, "cannot create %s: %s", path,
		        strerror(errno));
		goto out;
	}
	rc = 0;
out:
	secret_wipe(key, sizeof(key));
	close(fd);
	unlink(tmp);
	free(tmp);
	return rc;
}

secret_key *secret_key_load(const char *path, bool create, dc_err *err)
{
	secret_key *k = calloc(1, sizeof(*k));
	if (!k) {
		err_set(err, DC_E_NOMEM, "out of memory");
		return NULL;
	}
	/* Best effort: keep the key out of swap. */
	mlock(k, sizeof(*k));
	dc_err sub;
	if (read_key(path, k->key, &sub) != 0) {
		if (sub.cat != DC_E_NOTFOUND || !create ||
		    create_key(path, &sub) != 0 ||
		    read_key(path, k->key, &sub) != 0) {
			if (err)
				*err = sub;
			secret_key_free(k);
			return NULL;
		}
	}
	if (make_id(k, err)) {
		secret_key_free(k);
		return NULL;
	}
	return k;
}

int secret_seal(const secret_key *k, const char *plain, unsigned char **blob,
                size_t *len, dc_err *err)
{
	size_t n = strlen(plain);
	if (n > 1 << 20)
		return err_set(err, DC_E_INVALID, "secret too long");
	size_t total = 1 + NONCE_LEN + n + TAG_LEN;
	unsigned char *b = malloc(total);
	if (!b)
		return err_set(err, DC_E_NOMEM, "out of memory");
	b[0] = BLOB_VERSION;
	unsigned char *nonce = b + 1, *ct = b + 1 + NONCE_LEN;
	EVP_CIPHER_CTX *ctx = NULL;
	int outl = 0, fin = 0;
	if (RAND_bytes(nonce, NONCE_LEN) != 1)
		goto fail;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx ||
	    !EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, k->key, nonce) ||
	    !EVP_EncryptUpdate(ctx, NULL, &outl, aad, sizeof(aad) - 1) ||
	    !EVP_EncryptUpdate(ctx, ct, &outl, (const unsigned char *)plain,
	                       (int)n) ||
	    !EVP_EncryptFinal_ex(ctx, ct + outl, &fin) ||
	    (size_t)(outl + fin) != n ||
	    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, ct + n))
		goto fail;
	EVP_CIPHER_CTX_free(ctx);
	*blob = b;
	*len = total;
	return 0;
fail:
	EVP_CIPHER_CTX_free(ctx);
	free(b);
	return err_set(err, DC_E_STORE, "cannot encrypt the password");
}

char *secret_unseal(const secret_key *k, const unsigned char *blob, size_t len,
                    dc_err *err)
{
	if (!blob || len < 1 + NONCE_LEN + TAG_LEN || blob[0] != BLOB_VERSION) {
		err_set(err, DC_E_STORE, "stored password is damaged");
		return NULL;
	}
	size_t n = len - 1 - NONCE_LEN - TAG_LEN;
	const unsigned char *nonce = blob + 1, *ct = blob + 1 + NONCE_LEN;
	unsigned char tag[TAG_LEN];
	memcpy(tag, ct + n, TAG_LEN);
	char *out = malloc(n + 1);
	if (!out) {
		err_set(err, DC_E_NOMEM, "out of memory");
		return NULL;
	}
	int outl = 0, fin = 0;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	if (!ctx ||
	    !EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, k->key, nonce) ||
	    !EVP_DecryptUpdate(ctx, NULL, &outl, aad, sizeof(aad) - 1) ||
	    !EVP_DecryptUpdate(ctx, (unsigned char *)out, &outl, ct, (int)n) ||
	    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag) ||
	    EVP_DecryptFinal_ex(ctx, (unsigned char *)out + outl, &fin) <= 0) {
		EVP_CIPHER_CTX_free(ctx);
		secret_wipe(out, n + 1);
		free(out);
		err_set(err, DC_E_STORE,
		        "stored password cannot be decrypted: it was altered "
		        "or sealed with another key file");
		return NULL;
	}
	EVP_CIPHER_CTX_free(ctx);
	out[n] = '\0';
	if (strlen(out) != n) {
		secret_wipe(out, n + 1);
		free(out);
		err_set(err, DC_E_STORE, "stored password is damaged");
		return NULL;
	}
	return out;
}
