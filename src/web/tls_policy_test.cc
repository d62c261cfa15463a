#include "web/tls_policy.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace claimsca::web {
namespace {

// What OpenSSL will negotiate with the policy applied: only forward-secret AEAD suites,
// TLS 1.2 at least, no compression, no renegotiation, the client's order.
TEST(TlsPolicyTest, OnlyForwardSecretAeadSuitesFromTls12) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  ASSERT_NE(ctx, nullptr);
  ASSERT_TRUE(ApplyTlsPolicy(ctx).ok());
  EXPECT_EQ(SSL_CTX_get_min_proto_version(ctx), TLS1_2_VERSION);
  EXPECT_NE(SSL_CTX_get_options(ctx) & SSL_OP_NO_COMPRESSION, 0u);
  EXPECT_NE(SSL_CTX_get_options(ctx) & SSL_OP_NO_RENEGOTIATION, 0u);
  EXPECT_EQ(SSL_CTX_get_options(ctx) & SSL_OP_CIPHER_SERVER_PREFERENCE, 0u);
  SSL* ssl = SSL_new(ctx);
  ASSERT_NE(ssl, nullptr);
  STACK_OF(SSL_CIPHER)* ciphers = SSL_get_ciphers(ssl);
  std::set<std::string> names;
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    const SSL_CIPHER* c = sk_SSL_CIPHER_value(ciphers, i);
    const std::string name = SSL_CIPHER_get_name(c);
    names.insert(name);
    EXPECT_TRUE(SSL_CIPHER_is_aead(c)) << name;
    const int kx = SSL_CIPHER_get_kx_nid(c);
    EXPECT_TRUE(kx == NID_kx_ecdhe || kx == NID_kx_dhe || kx == NID_kx_any) << name;
    EXPECT_NE(SSL_CIPHER_get_auth_nid(c), NID_auth_null) << name;
    EXPECT_GE(SSL_CIPHER_get_bits(c, nullptr), 128) << name;
  }
  // The three TLS 1.3 suites and the nine TLS 1.2 ones of the profile.
  EXPECT_EQ(names.size(), 12u);
  EXPECT_TRUE(names.count("TLS_AES_256_GCM_SHA384"));
  EXPECT_TRUE(names.count("ECDHE-ECDSA-AES128-GCM-SHA256"));
  EXPECT_FALSE(names.count("AES256-GCM-SHA384"));          // static RSA: no forward secrecy
  EXPECT_FALSE(names.count("ECDHE-ECDSA-AES128-SHA256"));  // CBC
  SSL_free(ssl);
  SSL_CTX_free(ctx);
}

}  // namespace
}  // namespace claimsca::web
