// The system's OpenSSL 3 libcrypto (libssl-dev), for the SSH signatures' math: Ed25519, ECDSA P-256, RSA,
// SHA-2 and randomness. Only the EVP, BN, ECDSA_SIG and OSSL_PARAM_BLD interfaces are used (none deprecated
// in 3.0); the selection constants are macro expressions Swift does not import, so functions stand in.
// These helpers only assemble OpenSSL objects; every bit of key and signature math stays OpenSSL's.
#ifndef OPERATOR_COPENSSL_SHIM_H
#define OPERATOR_COPENSSL_SHIM_H

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

static inline int copenssl_selection_public_key(void) { return EVP_PKEY_PUBLIC_KEY; }

static inline int copenssl_selection_keypair(void) { return EVP_PKEY_KEYPAIR; }

// EVP_PKEY_fromdata's parameter names must outlive the call that builds the key, which Swift's bridged strings
// do not: these build ECDSA and RSA keys from their components here, with C's static names. NULL on failure.

static inline EVP_PKEY *copenssl_key_from_params(const char *type, int selection, OSSL_PARAM_BLD *builder) {
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(builder);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    EVP_PKEY *key = NULL;
    if (params != NULL && ctx != NULL && EVP_PKEY_fromdata_init(ctx) == 1 &&
        EVP_PKEY_fromdata(ctx, &key, selection, params) != 1) {
        key = NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    return key;
}

/// A P-256 key from its uncompressed point, and its private scalar when `scalar` is not NULL.
static inline EVP_PKEY *copenssl_p256_key(const unsigned char *point, size_t point_length, const BIGNUM *scalar) {
    OSSL_PARAM_BLD *builder = OSSL_PARAM_BLD_new();
    EVP_PKEY *key = NULL;
    if (builder != NULL &&
        OSSL_PARAM_BLD_push_utf8_string(builder, OSSL_PKEY_PARAM_GROUP_NAME, SN_X9_62_prime256v1, 0) == 1 &&
        OSSL_PARAM_BLD_push_octet_string(builder, OSSL_PKEY_PARAM_PUB_KEY, point, point_length) == 1 &&
        (scalar == NULL || OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_PRIV_KEY, scalar) == 1)) {
        key = copenssl_key_from_params("EC", scalar == NULL ? EVP_PKEY_PUBLIC_KEY : EVP_PKEY_KEYPAIR, builder);
    }
    OSSL_PARAM_BLD_free(builder);
    return key;
}

/// An RSA key from n and e, and the private exponent when `d` is not NULL.
static inline EVP_PKEY *copenssl_rsa_key(const BIGNUM *n, const BIGNUM *e, const BIGNUM *d) {
    OSSL_PARAM_BLD *builder = OSSL_PARAM_BLD_new();
    EVP_PKEY *key = NULL;
    if (builder != NULL &&
        OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_N, n) == 1 &&
        OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_E, e) == 1 &&
        (d == NULL || OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_D, d) == 1)) {
        key = copenssl_key_from_params("RSA", d == NULL ? EVP_PKEY_PUBLIC_KEY : EVP_PKEY_KEYPAIR, builder);
    }
    OSSL_PARAM_BLD_free(builder);
    return key;
}

#endif
