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

// Found by fuzz/cmp_fuzz.cc: an rr whose reasonCode is a constructed ENUMERATED (0x2a, not
// DER; OpenSSL's decoder refuses it), or whose extnValue is [APPLICATION 4] (0x44) rather
// than an OCTET STRING, was read as keyCompromise.
TEST(DerFields, NonDerReasonCodeRefused) {
  static constexpr char kHex[] =
      "30820125308192020102a41530133111300f06035504030c087465726d2d6f6c64a41530133111300f060355"
      "04030c087465726d2d6f6c64a011180f32303236313230363038333535305aa10c300a06082a8648ce3d0403"
      "02a2160414ec61523fd27cc8878c632336f8d9a9f31ef41854a4120410e2aa91d6823e8887bb7d8647027c11"
      "45a5120410076c47eb7fcfb4d8fcd02e819c38f7e9ab41303f303d302d811407ed6404e4905d4c086aa9a5e0"
      "54d7ed843e166fa31530133111300f06035504030c087465726d2d6f6c64300c300a0603551d1504032a0101"
      "a04b034900304602210082b2b92f7a4e81b16624cc2e5b5b23d8bea0fb9207281a3a79f84775a7c743ea0221"
      "009b7490867f59c15d141ee10df83f28b7db7c5401995e1a6b6c116f96d851b660";
  std::string der;
  for (size_t i = 0; i + 1 < sizeof kHex - 1; i += 2) {
    der.push_back(static_cast<char>(std::stoi(std::string(kHex + i, 2), nullptr, 16)));
  }
  ASSERT_NE(der.find(std::string("\x04\x03\x2a\x01\x01", 5)), std::string::npos);
  EXPECT_FALSE(ReadRevocationReason(der).ok());
  // The same rr with a primitive ENUMERATED is read.
  der.replace(der.find(std::string("\x04\x03\x2a\x01\x01", 5)), 5,
              std::string("\x04\x03\x0a\x01\x01", 5));
  auto r = ReadRevocationReason(der);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, std::optional<int>(1));
  der[der.find(std::string("\x04\x03\x0a\x01\x01", 5))] = '\x44';
  EXPECT_FALSE(ReadRevocationReason(der).ok());
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
