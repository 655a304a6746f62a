// The system's OpenSSL (libssl-dev), for TLS to PD and Prometheus. Some of OpenSSL's API is macros,
// which Swift cannot call: these inline functions stand in for them.
#ifndef OPERATOR_COPENSSL_SHIM_H
#define OPERATOR_COPENSSL_SHIM_H

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

static inline long copenssl_set_sni(SSL *ssl, const char *name) {
    return SSL_set_tlsext_host_name(ssl, name);
}

static inline int copenssl_set_min_tls12(SSL_CTX *ctx) {
    return (int)SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
}

static inline long copenssl_bio_pending(BIO *bio) {
    return (long)BIO_ctrl_pending(bio);
}

#endif
