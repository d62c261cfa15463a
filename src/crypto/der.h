#pragma once

// A strict DER reader and a small DER writer for the few fixed shapes claimsca reads and
// writes on its hot paths (PKCS#10 requests, terminal TBS certificates). Everything else
// goes through OpenSSL's ASN.1 code. Single-byte tags and lengths below 16 MiB only.

#include <cstddef>
#include <string>
#include <string_view>

namespace claimsca::crypto::der {

// A span of DER bytes.
struct Span {
  const unsigned char* p = nullptr;
  size_t n = 0;
  Span() = default;
  Span(const unsigned char* data, size_t size) : p(data), n(size) {}
  explicit Span(std::string_view s)
      : p(reinterpret_cast<const unsigned char*>(s.data())), n(s.size()) {}
  bool empty() const { return n == 0; }
  std::string_view view() const { return {reinterpret_cast<const char*>(p), n}; }
};

// Takes one TLV with the single-byte tag `tag` off the front of `in`: definite length in
// its shortest form only. `contents` gets the value, `whole` (optional) the whole TLV.
bool Next(Span& in, unsigned char tag, Span* contents, Span* whole = nullptr);

// The same for a TLV of any single-byte tag, which goes to `tag`.
bool NextAny(Span& in, unsigned char* tag, Span* contents);

// The checks of OpenSSL's OBJECT IDENTIFIER decoder: not empty, last octet ends a
// sub-identifier, no sub-identifier starts with 0x80.
bool ValidOid(Span oid);

// A positive INTEGER's magnitude, big-endian without the sign octet; empty if not positive
// or not minimally encoded.
Span PositiveInteger(Span v);

// Appends tag, length and `contents` to `out`.
void Append(std::string& out, unsigned char tag, std::string_view contents);
// The TLV alone.
std::string Tlv(unsigned char tag, std::string_view contents);

// Contents octets of the object identifiers used on the hot paths.
inline constexpr std::string_view kRsaEncryption("\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01", 9);
inline constexpr std::string_view kEcPublicKey("\x2a\x86\x48\xce\x3d\x02\x01", 7);
inline constexpr std::string_view kP256("\x2a\x86\x48\xce\x3d\x03\x01\x07", 8);
inline constexpr std::string_view kP384("\x2b\x81\x04\x00\x22", 5);
inline constexpr std::string_view kSha256WithRsa("\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b", 9);
inline constexpr std::string_view kSha384WithRsa("\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0c", 9);
inline constexpr std::string_view kSha512WithRsa("\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0d", 9);
inline constexpr std::string_view kEcdsaSha256("\x2a\x86\x48\xce\x3d\x04\x03\x02", 8);
inline constexpr std::string_view kEcdsaSha384("\x2a\x86\x48\xce\x3d\x04\x03\x03", 8);
inline constexpr std::string_view kEcdsaSha512("\x2a\x86\x48\xce\x3d\x04\x03\x04", 8);
inline constexpr std::string_view kNull("\x05\x00", 2);
// Whole AlgorithmIdentifiers of the CA's signatures: sha256WithRSAEncryption requires
// explicit NULL parameters; ecdsa-with-SHA256 omits them.
inline constexpr std::string_view kSha256WithRsaAlgorithm(
    "\x30\x0d\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b\x05\x00", 15);
inline constexpr std::string_view kEcdsaSha256Algorithm(
    "\x30\x0a\x06\x08\x2a\x86\x48\xce\x3d\x04\x03\x02", 12);
// X.520 attribute types (2.5.4.x).
inline constexpr std::string_view kCountryName("\x55\x04\x06", 3);
inline constexpr std::string_view kOrganizationName("\x55\x04\x0a", 3);
inline constexpr std::string_view kOrganizationalUnitName("\x55\x04\x0b", 3);
inline constexpr std::string_view kCommonName("\x55\x04\x03", 3);
// Certificate extensions (2.5.29.x) and PKIX object identifiers.
inline constexpr std::string_view kSubjectKeyIdentifier("\x55\x1d\x0e", 3);
inline constexpr std::string_view kKeyUsage("\x55\x1d\x0f", 3);
inline constexpr std::string_view kBasicConstraints("\x55\x1d\x13", 3);
inline constexpr std::string_view kCrlDistributionPoints("\x55\x1d\x1f", 3);
inline constexpr std::string_view kAuthorityKeyIdentifier("\x55\x1d\x23", 3);
inline constexpr std::string_view kExtKeyUsage("\x55\x1d\x25", 3);
inline constexpr std::string_view kAuthorityInfoAccess("\x2b\x06\x01\x05\x05\x07\x01\x01", 8);
inline constexpr std::string_view kClientAuth("\x2b\x06\x01\x05\x05\x07\x03\x02", 8);
inline constexpr std::string_view kOcsp("\x2b\x06\x01\x05\x05\x07\x30\x01", 8);
inline constexpr std::string_view kCaIssuers("\x2b\x06\x01\x05\x05\x07\x30\x02", 8);

}  // namespace claimsca::crypto::der
