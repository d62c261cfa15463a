// The CSR parser (src/crypto/csr.h) on arbitrary bytes: ParseCsr (PEM or DER) and its two
// DER paths. Invariants: the fast path never accepts what the general path (OpenSSL's
// d2i_X509_REQ) refuses, and when both accept they agree on subject, key algorithm, SPKI
// and public key; ParseCsr's answer is the general path's; an accepted DER request wrapped
// in PEM parses to the same request (DER → PEM → parse round trip).

#include <openssl/err.h>
#include <openssl/evp.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "check.h"
#include "crypto/csr.h"
#include "crypto/ossl.h"

namespace {

using claimsca::crypto::ParsedCsr;

bool Same(const ParsedCsr& a, const ParsedCsr& b) {
  return a.subject_text == b.subject_text && a.algorithm == b.algorithm &&
         a.spki_der == b.spki_der && EVP_PKEY_eq(a.public_key.get(), b.public_key.get()) == 1;
}

std::string ToPem(std::string_view der) {
  std::string b64 = claimsca::crypto::Base64Encode(der);
  std::string pem = "-----BEGIN CERTIFICATE REQUEST-----\n";
  for (size_t i = 0; i < b64.size(); i += 64) pem += b64.substr(i, 64) + "\n";
  return pem + "-----END CERTIFICATE REQUEST-----\n";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace crypto = claimsca::crypto;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto parsed = crypto::ParseCsr(in);
  if (size <= crypto::kMaxCsrSize) {
    auto fast = crypto::internal::ParseCsrDerFast(in);
    auto general = crypto::internal::ParseCsrDerGeneral(in);
    if (fast) {
      FUZZ_CHECK(general.ok(), "the fast path accepted what the general path refuses");
      FUZZ_CHECK(Same(*fast, *general), "fast and general paths agree");
    }
    if (general.ok() && size > 0 && data[0] == 0x30) {
      FUZZ_CHECK(parsed.ok() && Same(*parsed, *general), "ParseCsr answers as the DER paths");
      auto again = crypto::ParseCsr(ToPem(in));
      FUZZ_CHECK(again.ok() && Same(*again, *general), "DER -> PEM -> parse round trip");
    }
  }
  if (parsed.ok()) {
    FUZZ_CHECK(parsed->public_key != nullptr && !parsed->spki_der.empty(), "key and SPKI set");
  } else {
    FUZZ_CHECK(parsed.status().code() == claimsca::Code::kBadCsr, "every failure is kBadCsr");
  }
  ERR_clear_error();
  return 0;
}
