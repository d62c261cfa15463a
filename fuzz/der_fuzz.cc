// The strict DER reader (src/crypto/der.h) on arbitrary bytes, walked recursively.
// Invariants: Next with the tag NextAny saw takes the same TLV; the TLV written back with
// der::Tlv is byte for byte the one read (only shortest lengths are accepted); ValidOid
// agrees with OpenSSL's OBJECT IDENTIFIER decoder; PositiveInteger's magnitude is the one
// OpenSSL decodes, and it is empty exactly when OpenSSL sees zero or a negative number.

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/objects.h>

#include <cstdint>
#include <string>

#include "check.h"
#include "crypto/der.h"

namespace {

using claimsca::crypto::der::Span;
namespace der = claimsca::crypto::der;

void CheckOid(Span whole, Span contents) {
  const unsigned char* p = whole.p;
  ASN1_OBJECT* obj = d2i_ASN1_OBJECT(nullptr, &p, static_cast<long>(whole.n));
  FUZZ_CHECK(der::ValidOid(contents) == (obj != nullptr), "ValidOid agrees with OpenSSL");
  ASN1_OBJECT_free(obj);
}

void CheckInteger(Span whole, Span contents) {
  const Span magnitude = der::PositiveInteger(contents);
  const unsigned char* p = whole.p;
  ASN1_INTEGER* i = d2i_ASN1_INTEGER(nullptr, &p, static_cast<long>(whole.n));
  if (!magnitude.empty()) {
    FUZZ_CHECK(i != nullptr, "OpenSSL decodes a positive INTEGER");
    BIGNUM* bn = ASN1_INTEGER_to_BN(i, nullptr);
    FUZZ_CHECK(bn != nullptr && !BN_is_negative(bn) && !BN_is_zero(bn), "positive");
    std::string bytes(static_cast<size_t>(BN_num_bytes(bn)), '\0');
    BN_bn2bin(bn, reinterpret_cast<unsigned char*>(bytes.data()));
    FUZZ_CHECK(bytes == magnitude.view(), "PositiveInteger is OpenSSL's magnitude");
    BN_free(bn);
  } else if (i != nullptr) {
    BIGNUM* bn = ASN1_INTEGER_to_BN(i, nullptr);
    // Minimal and positive is accepted by both: empty here means zero or negative.
    FUZZ_CHECK(bn == nullptr || BN_is_negative(bn) || BN_is_zero(bn) ||
                   (contents.n > 1 && contents.p[0] == 0 && !(contents.p[1] & 0x80)),
               "PositiveInteger refuses only zero, negative or padded");
    BN_free(bn);
  }
  ASN1_INTEGER_free(i);
}

void Walk(Span in, int depth) {
  while (!in.empty()) {
    const Span before = in;
    unsigned char tag = 0;
    Span contents;
    if (!der::NextAny(in, &tag, &contents)) return;
    Span again = before, contents2, whole;
    FUZZ_CHECK(der::Next(again, tag, &contents2, &whole), "Next takes what NextAny took");
    FUZZ_CHECK(contents2.p == contents.p && contents2.n == contents.n, "same contents");
    FUZZ_CHECK(whole.p == before.p && whole.n == before.n - in.n, "whole is what was consumed");
    FUZZ_CHECK(again.p == in.p && again.n == in.n, "same rest");
    FUZZ_CHECK(der::Tlv(tag, contents.view()) == whole.view(), "re-encoding gives the same TLV");
    if (tag == 0x06) CheckOid(whole, contents);
    if (tag == 0x02) CheckInteger(whole, contents);
    if ((tag & 0x20) != 0 && depth < 16) Walk(contents, depth + 1);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Walk(Span(data, size), 0);
  ERR_clear_error();
  return 0;
}
