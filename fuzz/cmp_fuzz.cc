// CMP messages (src/cmp/der_fields.h and the first steps of CmpServer::Handle) on arbitrary
// bytes: OpenSSL's d2i_OSSL_CMP_MSG as the server calls it, then the project's own DER walks
// (header sender and senderKID, the rr reasonCode, the certTemplate's public key of every
// request of an ir/cr/kur). Invariants: every canonical DER PKIMessage OpenSSL accepts has
// readable header fields; a sender Name read is one whole X.509 Name; a reasonCode read is
// the ENUMERATED OpenSSL decodes from that extension; a template key is one whole SEQUENCE.

#include <openssl/asn1.h>
#include <openssl/cmp.h>
#include <openssl/crmf.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include <cstdint>
#include <memory>
#include <string>

#include "check.h"
#include "cmp/der_fields.h"
#include "crypto/der.h"

namespace {

namespace der = claimsca::crypto::der;
using Span = der::Span;

// The body of a PKIMessage whose body is an explicit [n] with constructed content, else
// empty: SEQUENCE { header, [n] body, ... }.
Span Body(std::string_view message, unsigned* n) {
  Span in(message), contents, header, body;
  unsigned char tag = 0;
  if (!der::Next(in, 0x30, &contents) || !in.empty()) return {};
  if (!der::Next(contents, 0x30, &header) || !der::NextAny(contents, &tag, &body)) return {};
  if ((tag & 0xe0) != 0xa0) return {};
  *n = tag & 0x1f;
  return body;
}

// ir [0], cr [2], kur [7]: CertReqMessages.
void CheckTemplates(std::string_view message) {
  unsigned n = 99;
  const Span body = Body(message, &n);
  if (body.empty() || (n != 0 && n != 2 && n != 7)) return;
  const unsigned char* p = body.p;
  OSSL_CRMF_MSGS* msgs = d2i_OSSL_CRMF_MSGS(nullptr, &p, static_cast<long>(body.n));
  if (msgs == nullptr) return;
  for (int i = 0; i < sk_OSSL_CRMF_MSG_num(msgs); ++i) {
    auto spki = claimsca::cmp::TemplatePublicKeyDer(sk_OSSL_CRMF_MSG_value(msgs, i));
    if (!spki.ok()) continue;
    Span in(*spki), contents;
    FUZZ_CHECK(der::Next(in, 0x30, &contents) && in.empty(), "a key is one whole SEQUENCE");
  }
  sk_OSSL_CRMF_MSG_pop_free(msgs, OSSL_CRMF_MSG_free);
}

// Whether some reasonCode extension in the message (found by a plain search: the rr is
// small) holds `reason` as OpenSSL's ENUMERATED decoder reads it.
bool OpenSslReadsReason(std::string_view message, int reason) {
  static constexpr std::string_view kOid("\x06\x03\x55\x1d\x15", 5);
  for (size_t at = message.find(kOid); at != std::string_view::npos;
       at = message.find(kOid, at + 1)) {
    Span rest(message.substr(at + kOid.size())), value, ignored;
    if (!rest.empty() && rest.p[0] == 0x01 && !der::Next(rest, 0x01, &ignored)) continue;
    if (!der::Next(rest, 0x04, &value)) continue;
    const unsigned char* p = value.p;
    ASN1_ENUMERATED* e = d2i_ASN1_ENUMERATED(nullptr, &p, static_cast<long>(value.n));
    const bool same = e != nullptr && ASN1_ENUMERATED_get(e) == reason;
    ASN1_ENUMERATED_free(e);
    if (same) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const unsigned char* p = data;
  std::unique_ptr<OSSL_CMP_MSG, decltype(&OSSL_CMP_MSG_free)> msg(
      d2i_OSSL_CMP_MSG(nullptr, &p, static_cast<long>(size)), &OSSL_CMP_MSG_free);
  const bool whole = msg != nullptr && p == data + size;
  bool canonical = false;
  if (whole) {
    unsigned char* out = nullptr;
    const int n = i2d_OSSL_CMP_MSG(msg.get(), &out);
    canonical = n > 0 && std::string_view(reinterpret_cast<char*>(out), n) == in;
    OPENSSL_free(out);
  }
  auto header = claimsca::cmp::ReadHeaderFields(in);
  if (canonical) FUZZ_CHECK(header.ok(), "the header of a DER PKIMessage is readable");
  if (header.ok() && !header->sender_name_der.empty()) {
    const auto* q = reinterpret_cast<const unsigned char*>(header->sender_name_der.data());
    X509_NAME* name = d2i_X509_NAME(nullptr, &q, static_cast<long>(header->sender_name_der.size()));
    if (canonical) {
      FUZZ_CHECK(name != nullptr &&
                     q == reinterpret_cast<const unsigned char*>(header->sender_name_der.data()) +
                              header->sender_name_der.size(),
                 "the sender is one whole Name");
    }
    X509_NAME_free(name);
  }
  auto reason = claimsca::cmp::ReadRevocationReason(in);
  if (reason.ok() && reason->has_value()) {
    FUZZ_CHECK(**reason >= 0 && **reason <= 10, "a CRLReason");
    FUZZ_CHECK(OpenSslReadsReason(in, **reason), "OpenSSL reads the same reasonCode");
  }
  if (whole) CheckTemplates(in);
  ERR_clear_error();
  return 0;
}
