// The DER walk over messages made by OpenSSL's own CMP client: the senderKID and sender
// come out right, the rr's CRLReason (or its absence) is read, and every truncation of
// the message is refused.

#include "cmp/der_fields.h"

#include <gtest/gtest.h>
#include <openssl/cmp.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

namespace claimsca::cmp {
namespace {

std::string captured;

// A transfer callback that keeps the request and sends nothing.
OSSL_CMP_MSG* Capture(OSSL_CMP_CTX*, const OSSL_CMP_MSG* req) {
  unsigned char* buf = nullptr;
  const int n = i2d_OSSL_CMP_MSG(req, &buf);
  if (n > 0) captured.assign(reinterpret_cast<char*>(buf), static_cast<size_t>(n));
  OPENSSL_free(buf);
  return nullptr;
}

std::string ClientIr(const std::string& ref) {
  captured.clear();
  std::unique_ptr<OSSL_CMP_CTX, decltype(&OSSL_CMP_CTX_free)> ctx(
      OSSL_CMP_CTX_new(nullptr, nullptr), &OSSL_CMP_CTX_free);
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509_NAME* subject = X509_NAME_new();
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("terminal"), -1, -1, 0);
  X509_NAME* recipient = X509_NAME_dup(subject);
  const auto* r = reinterpret_cast<const unsigned char*>(ref.data());
  OSSL_CMP_CTX_set1_referenceValue(ctx.get(), r, static_cast<int>(ref.size()));
  OSSL_CMP_CTX_set1_secretValue(ctx.get(), reinterpret_cast<const unsigned char*>("secret"), 6);
  OSSL_CMP_CTX_set1_subjectName(ctx.get(), subject);
  OSSL_CMP_CTX_set1_recipient(ctx.get(), recipient);
  OSSL_CMP_CTX_set0_newPkey(ctx.get(), 1, key);
  OSSL_CMP_CTX_set_transfer_cb(ctx.get(), &Capture);
  OSSL_CMP_CTX_set_log_verbosity(ctx.get(), OSSL_CMP_LOG_EMERG);
  EXPECT_EQ(OSSL_CMP_exec_IR_ses(ctx.get()), nullptr);  // nothing answered
  ERR_clear_error();
  X509_NAME_free(subject);
  X509_NAME_free(recipient);
  return captured;
}

// An rr made by OpenSSL's client for a throwaway self-signed certificate, with
// `reason` (-1: none given, as `openssl cmp -cmd rr` without -revreason).
std::string ClientRr(int reason) {
  captured.clear();
  std::unique_ptr<OSSL_CMP_CTX, decltype(&OSSL_CMP_CTX_free)> ctx(
      OSSL_CMP_CTX_new(nullptr, nullptr), &OSSL_CMP_CTX_free);
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("terminal"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509_set_version(cert, X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 0x1234);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_sign(cert, key, EVP_sha256());
  OSSL_CMP_CTX_set1_cert(ctx.get(), cert);
  OSSL_CMP_CTX_set1_pkey(ctx.get(), key);
  OSSL_CMP_CTX_set1_oldCert(ctx.get(), cert);
  OSSL_CMP_CTX_set1_recipient(ctx.get(), name);
  OSSL_CMP_CTX_set_option(ctx.get(), OSSL_CMP_OPT_REVOCATION_REASON, reason);
  OSSL_CMP_CTX_set_transfer_cb(ctx.get(), &Capture);
  OSSL_CMP_CTX_set_log_verbosity(ctx.get(), OSSL_CMP_LOG_EMERG);
  EXPECT_EQ(OSSL_CMP_exec_RR_ses(ctx.get()), 0);  // nothing answered
  ERR_clear_error();
  X509_free(cert);
  EVP_PKEY_free(key);
  return captured;
}

TEST(DerFields, RevocationReasonOfAnRr) {
  for (int reason : {0, 1, 5, 9}) {
    const std::string der = ClientRr(reason);
    ASSERT_FALSE(der.empty());
    auto r = ReadRevocationReason(der);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_TRUE(r->has_value()) << reason;
    EXPECT_EQ(**r, reason);
    for (size_t n = 0; n < der.size(); ++n) {
      EXPECT_FALSE(ReadRevocationReason(der.substr(0, n)).ok()) << n;
    }
  }
  auto none = ReadRevocationReason(ClientRr(-1));
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_FALSE(none->has_value());
  EXPECT_FALSE(ReadRevocationReason(ClientIr("20261234567890")).ok());  // not an rr
}

TEST(DerFields, SenderKidOfAPbmIrAndEveryTruncationRefused) {
  const std::string der = ClientIr("20261234567890");
  ASSERT_FALSE(der.empty());
  auto f = ReadHeaderFields(der);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->sender_kid, "20261234567890");
  EXPECT_FALSE(f->sender_name_der.empty());  // a directoryName (the subject)
  for (size_t n = 0; n < der.size(); ++n) {
    EXPECT_FALSE(ReadHeaderFields(der.substr(0, n)).ok()) << n;
  }
  EXPECT_FALSE(ReadHeaderFields(der + "x").ok());
}

}  // namespace
}  // namespace claimsca::cmp
