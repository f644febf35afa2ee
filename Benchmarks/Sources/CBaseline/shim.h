#ifndef SEAMLESS_BENCH_CBASELINE_H
#define SEAMLESS_BENCH_CBASELINE_H

// The "raw C" baseline of the overhead report: zlib and libcrypto called the way a careful C program would,
// with no Swift wrapper in between, plus a fast zip-bomb builder. Benchmarks only; not part of Seamless.

#define OPENSSL_API_COMPAT 30000
#define OPENSSL_NO_DEPRECATED

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

/// compress2 into `dst` (capacity *dst_len, at least cb_compress_bound(src_len)); Z_OK on success.
static inline int cb_compress(uint8_t *dst, size_t *dst_len, const uint8_t *src, size_t src_len, int level) {
    uLongf length = (uLongf)*dst_len;
    int status = compress2(dst, &length, src, (uLong)src_len, level);
    *dst_len = (size_t)length;
    return status;
}

static inline size_t cb_compress_bound(size_t src_len) {
    return (size_t)compressBound((uLong)src_len);
}

/// uncompress into a buffer of the known output size; Z_OK on success.
static inline int cb_uncompress(uint8_t *dst, size_t *dst_len, const uint8_t *src, size_t src_len) {
    uLongf length = (uLongf)*dst_len;
    uLong consumed = (uLong)src_len;
    int status = uncompress2(dst, &length, src, &consumed);
    *dst_len = (size_t)length;
    return status;
}

static inline EVP_PKEY *cb_read_private_key(const char *pem, int length) {
    BIO *bio = BIO_new_mem_buf(pem, length);
    if (bio == NULL) return NULL;
    EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    return key;
}

static inline EVP_PKEY *cb_read_public_key(const char *pem, int length) {
    BIO *bio = BIO_new_mem_buf(pem, length);
    if (bio == NULL) return NULL;
    EVP_PKEY *key = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
    BIO_free(bio);
    return key;
}

/// A digest-sign/verify context for `key`: `md` NULL for Ed25519; `sm2` sets the GM/T 0009 default ID.
/// Returns the md ctx; *pkey_ctx receives the SM2 key ctx to free after the md ctx (or NULL).
static inline EVP_MD_CTX *cb_context(EVP_PKEY *key, const EVP_MD *md, int sm2, int sign, EVP_PKEY_CTX **pkey_ctx) {
    *pkey_ctx = NULL;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL) return NULL;
    if (sm2) {
        EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new(key, NULL);
        if (pctx == NULL || EVP_PKEY_CTX_set1_id(pctx, "1234567812345678", 16) != 1) {
            EVP_PKEY_CTX_free(pctx);
            EVP_MD_CTX_free(ctx);
            return NULL;
        }
        EVP_MD_CTX_set_pkey_ctx(ctx, pctx);
        *pkey_ctx = pctx;
    }
    int ok = sign ? EVP_DigestSignInit(ctx, NULL, md, NULL, key) : EVP_DigestVerifyInit(ctx, NULL, md, NULL, key);
    if (ok != 1) {
        EVP_MD_CTX_free(ctx);
        EVP_PKEY_CTX_free(*pkey_ctx);
        *pkey_ctx = NULL;
        return NULL;
    }
    return ctx;
}

/// One-shot signature (DER for ECDSA/SM2) into `sig` (capacity *sig_len, 128 is plenty); 1 on success.
static inline int cb_sign(EVP_PKEY *key, const EVP_MD *md, int sm2, const uint8_t *msg, size_t msg_len,
                          uint8_t *sig, size_t *sig_len) {
    EVP_PKEY_CTX *pctx;
    EVP_MD_CTX *ctx = cb_context(key, md, sm2, 1, &pctx);
    if (ctx == NULL) return 0;
    int ok = EVP_DigestSign(ctx, sig, sig_len, msg, msg_len);
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_CTX_free(pctx);
    return ok;
}

/// One-shot verification of a signature made by cb_sign; 1 when valid.
static inline int cb_verify(EVP_PKEY *key, const EVP_MD *md, int sm2, const uint8_t *sig, size_t sig_len,
                            const uint8_t *msg, size_t msg_len) {
    EVP_PKEY_CTX *pctx;
    EVP_MD_CTX *ctx = cb_context(key, md, sm2, 0, &pctx);
    if (ctx == NULL) return 0;
    int ok = EVP_DigestVerify(ctx, sig, sig_len, msg, msg_len);
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_CTX_free(pctx);
    return ok;
}

/// A zlib stream that inflates to `mebibytes` MiB of zeros, built in milliseconds: deflate one MiB with a
/// full flush (which resets the compressor), so the block for every further MiB is identical; then an
/// empty final block and the Adler-32 of the whole output. Returns a malloc'd buffer (free it) or NULL.
static inline uint8_t *cb_zip_bomb(unsigned mebibytes, size_t *out_len) {
    const size_t chunk = (size_t)1 << 20;
    if (mebibytes < 2) return NULL;
    uint8_t *zeros = calloc(chunk, 1);
    size_t cap = 64 << 10;
    uint8_t *first = malloc(cap), *block = malloc(cap), *tail = malloc(64);
    if (zeros == NULL || first == NULL || block == NULL || tail == NULL) goto fail;
    z_stream s;
    memset(&s, 0, sizeof s);
    if (deflateInit(&s, 9) != Z_OK) goto fail;
    size_t first_len, block_len, tail_len;
    s.next_in = zeros; s.avail_in = (uInt)chunk; s.next_out = first; s.avail_out = (uInt)cap;
    if (deflate(&s, Z_FULL_FLUSH) != Z_OK || s.avail_in != 0) { deflateEnd(&s); goto fail; }
    first_len = cap - s.avail_out;
    s.next_in = zeros; s.avail_in = (uInt)chunk; s.next_out = block; s.avail_out = (uInt)cap;
    if (deflate(&s, Z_FULL_FLUSH) != Z_OK || s.avail_in != 0) { deflateEnd(&s); goto fail; }
    block_len = cap - s.avail_out;
    s.next_out = tail; s.avail_out = 64;
    if (deflate(&s, Z_FINISH) != Z_STREAM_END) { deflateEnd(&s); goto fail; }
    tail_len = 64 - s.avail_out;
    deflateEnd(&s);
    // The tail ends in the Adler-32 of the two MiB deflated so far; replace it with that of all of them.
    uLong one = adler32(adler32(0L, Z_NULL, 0), zeros, (uInt)chunk);
    uLong total = one;
    for (unsigned i = 1; i < mebibytes; i++) total = adler32_combine(total, one, (z_off_t)chunk);
    size_t length = first_len + block_len * (mebibytes - 1) + tail_len;
    uint8_t *out = malloc(length);
    if (out == NULL) goto fail;
    uint8_t *cursor = out;
    memcpy(cursor, first, first_len); cursor += first_len;
    for (unsigned i = 1; i < mebibytes; i++) { memcpy(cursor, block, block_len); cursor += block_len; }
    memcpy(cursor, tail, tail_len - 4); cursor += tail_len - 4;
    cursor[0] = (uint8_t)(total >> 24); cursor[1] = (uint8_t)(total >> 16);
    cursor[2] = (uint8_t)(total >> 8); cursor[3] = (uint8_t)total;
    *out_len = length;
    free(zeros); free(first); free(block); free(tail);
    return out;
fail:
    free(zeros); free(first); free(block); free(tail);
    return NULL;
}

#endif
