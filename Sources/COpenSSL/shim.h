#ifndef SEAMLESS_COPENSSL_SHIM_H
#define SEAMLESS_COPENSSL_SHIM_H

// Stay on the OpenSSL 3 EVP API: deprecated low-level calls are not visible.
#define OPENSSL_API_COMPAT 30000
#define OPENSSL_NO_DEPRECATED

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

// OPENSSL_free is a function-like macro, which Swift cannot import.
static inline void seamless_openssl_free(void *pointer) {
    OPENSSL_free(pointer);
}

// A PEM passphrase callback that refuses: encrypted keys must never make OpenSSL prompt on a terminal.
static inline int seamless_no_passphrase(char *buf, int size, int rwflag, void *userdata) {
    (void)buf; (void)size; (void)rwflag; (void)userdata;
    return -1;
}

static inline EVP_PKEY *seamless_read_private_key(BIO *bio) {
    return PEM_read_bio_PrivateKey(bio, NULL, seamless_no_passphrase, NULL);
}

static inline EVP_PKEY *seamless_read_public_key(BIO *bio) {
    return PEM_read_bio_PUBKEY(bio, NULL, seamless_no_passphrase, NULL);
}

// BIO_get_mem_data is a function-like macro.
static inline long seamless_bio_mem_data(BIO *bio, char **data) {
    return BIO_get_mem_data(bio, data);
}

#endif
