#pragma once

// The TLS configuration of every HTTPS listener (docs/operations.md, "TLS"): Mozilla's
// "intermediate" profile (version 5.7, https://ssl-config.mozilla.org/): TLS 1.2 and 1.3
// only; in TLS 1.2 only forward-secret (ECDHE, DHE) AEAD suites (AES-GCM, ChaCha20-Poly1305):
// no CBC, RC4, 3DES, NULL, EXPORT, anonymous or static-RSA key exchange; the three TLS 1.3
// suites; groups X25519, P-256, P-384; no compression, no renegotiation; the client's cipher
// order (all offered suites are strong). tests/integration/tls_test.sh checks the listeners
// with testssl.sh.

#include <openssl/ssl.h>

#include "common/status.h"

namespace claimsca::web {

inline constexpr char kTls12Ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305";
inline constexpr char kTls13Ciphersuites[] =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
inline constexpr char kTlsGroups[] = "X25519:prime256v1:secp384r1";

// Applies the profile to a server context. InvalidArgument naming the setting OpenSSL
// refused (an OpenSSL built without one of the suites or groups).
Status ApplyTlsPolicy(SSL_CTX* ctx);

}  // namespace claimsca::web
