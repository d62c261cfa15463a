#include "web/tls_policy.h"

namespace claimsca::web {

Status ApplyTlsPolicy(SSL_CTX* ctx) {
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
    return InvalidArgument("TLS: cannot require TLS 1.2");
  }
  if (SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1) {
    return InvalidArgument("TLS: cipher list refused");
  }
  if (SSL_CTX_set_ciphersuites(ctx, kTls13Ciphersuites) != 1) {
    return InvalidArgument("TLS: TLS 1.3 cipher suites refused");
  }
  if (SSL_CTX_set1_groups_list(ctx, kTlsGroups) != 1) {
    return InvalidArgument("TLS: groups refused");
  }
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_clear_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
  return Status::Ok();
}

}  // namespace claimsca::web
