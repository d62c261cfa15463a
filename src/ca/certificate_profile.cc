#include "ca/certificate_profile.h"

#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <ctime>
#include <optional>
#include <string_view>

#include "crypto/der.h"
#include "domain/normalize.h"

namespace claimsca::ca {

namespace der = crypto::der;
namespace {

using crypto::OpensslError;

Status SetTime(X509* cert, Instant not_before, Instant not_after) {
  // ASN1_TIME_set picks UTCTime before 2050 and GeneralizedTime after, as RFC 5280 asks.
  if (!ASN1_TIME_set(X509_getm_notBefore(cert), not_before.time_since_epoch().count()) ||
      !ASN1_TIME_set(X509_getm_notAfter(cert), not_after.time_since_epoch().count())) {
    return OpensslError("setting validity");
  }
  return Status::Ok();
}

Status SetSerial(X509* cert, const std::string& serial_hex) {
  BIGNUM* bn = nullptr;
  if (BN_hex2bn(&bn, serial_hex.c_str()) == 0) return InvalidArgument("bad serial hex");
  crypto::BignumPtr owned(bn);
  if (!BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert))) return OpensslError("serial");
  return Status::Ok();
}

Status AddEntry(X509_NAME* name, const char* field, const std::string& value) {
  if (!X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                  reinterpret_cast<const unsigned char*>(value.data()),
                                  static_cast<int>(value.size()), -1, 0)) {
    return OpensslError(std::string("subject ") + field);
  }
  return Status::Ok();
}

// Adds an extension from its OpenSSL config-string form, e.g. ("keyUsage",
// "critical,digitalSignature").
Status AddExt(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer ? issuer : cert, cert, nullptr, nullptr, 0);
  crypto::X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext || !X509_add_ext(cert, ext.get(), -1)) {
    return OpensslError(std::string("extension ") + OBJ_nid2sn(nid) + "=" + value);
  }
  return Status::Ok();
}

Result<crypto::X509Ptr> NewCert(const std::string& serial, EVP_PKEY* public_key, Instant not_before,
                                Instant not_after) {
  crypto::X509Ptr cert(X509_new());
  if (!cert || !X509_set_version(cert.get(), X509_VERSION_3)) return OpensslError("X509_new");
  RETURN_IF_ERROR(SetSerial(cert.get(), serial));
  RETURN_IF_ERROR(SetTime(cert.get(), not_before, not_after));
  if (!X509_set_pubkey(cert.get(), public_key)) return OpensslError("X509_set_pubkey");
  return cert;
}

Status AddRevocationPointers(X509* cert, X509* issuer, const IssuerUrls& urls) {
  if (!urls.crl_url.empty()) {
    RETURN_IF_ERROR(AddExt(cert, issuer, NID_crl_distribution_points, "URI:" + urls.crl_url));
  }
  std::string aia;
  if (!urls.ocsp_url.empty()) aia = "OCSP;URI:" + urls.ocsp_url;
  if (!urls.ca_issuers_url.empty()) {
    if (!aia.empty()) aia += ",";
    aia += "caIssuers;URI:" + urls.ca_issuers_url;
  }
  if (!aia.empty()) RETURN_IF_ERROR(AddExt(cert, issuer, NID_info_access, aia));
  return Status::Ok();
}

}  // namespace

std::string AssembleCertificate(std::string_view tbs, std::string_view sig_alg,
                                std::string_view signature) {
  std::string body;
  body.reserve(tbs.size() + sig_alg.size() + signature.size() + 8);
  body.append(tbs).append(sig_alg);
  std::string bits;
  bits.reserve(signature.size() + 1);
  bits.push_back('\0');  // no unused bits
  bits.append(signature);
  der::Append(body, 0x03, bits);
  return der::Tlv(0x30, body);
}

namespace {
Result<Instant> InstantOf(const ASN1_TIME* t) {
  struct tm tm {};
  if (t == nullptr || !ASN1_TIME_to_tm(t, &tm)) return InvalidArgument("unreadable ASN.1 time");
  return Instant(std::chrono::seconds(timegm(&tm)));
}
}  // namespace

Result<IssuerFacts> IssuerFacts::Of(X509* issuer) {
  IssuerFacts f;
  unsigned char* name = nullptr;
  int n = i2d_X509_NAME(X509_get_subject_name(issuer), &name);
  if (n <= 0) return OpensslError("encoding the issuer's subject");
  f.subject_der.assign(reinterpret_cast<char*>(name), static_cast<size_t>(n));
  OPENSSL_free(name);
  if (const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(issuer)) {
    f.key_id.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(ski)),
                    static_cast<size_t>(ASN1_STRING_length(ski)));
  }
  ASSIGN_OR_RETURN(f.not_before, InstantOf(X509_get0_notBefore(issuer)));
  ASSIGN_OR_RETURN(f.not_after, InstantOf(X509_get0_notAfter(issuer)));
  EVP_PKEY* key = X509_get0_pubkey(issuer);
  if (key == nullptr) return OpensslError("the issuer's public key");
  f.ec_key = EVP_PKEY_get_base_id(key) == EVP_PKEY_EC;
  return f;
}

namespace {

// UTCTime for the years 1950–2049, GeneralizedTime otherwise (RFC 5280 4.1.2.5), to the
// second, in UTC: what ASN1_TIME_set writes.
void AppendTime(std::string& out, Instant t) {
  time_t secs = static_cast<time_t>(t.time_since_epoch().count());
  struct tm tm {};
  gmtime_r(&secs, &tm);
  int year = tm.tm_year + 1900;
  char buf[24];
  bool utc = year >= 1950 && year < 2050;
  int n = utc ? snprintf(buf, sizeof buf, "%02d%02d%02d%02d%02d%02dZ", year % 100, tm.tm_mon + 1,
                         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec)
              : snprintf(buf, sizeof buf, "%04d%02d%02d%02d%02d%02dZ", year, tm.tm_mon + 1,
                         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  der::Append(out, utc ? 0x17 : 0x18, std::string_view(buf, static_cast<size_t>(n)));
}

// The serial's INTEGER contents from its hex form: no redundant leading zero octets, a
// 0x00 in front when the first octet has its top bit set (the value is positive).
Result<std::string> SerialContents(std::string_view hex) {
  std::string even = hex.size() % 2 ? "0" + std::string(hex) : std::string(hex);
  Result<std::string> decoded = crypto::HexDecode(even);
  if (hex.empty() || !decoded.ok()) return InvalidArgument("bad serial hex");
  std::string bytes = std::move(*decoded);
  size_t first = bytes.find_first_not_of('\0');
  if (first == std::string::npos) return std::string(1, '\0');
  bytes.erase(0, first);
  if (static_cast<unsigned char>(bytes[0]) & 0x80) bytes.insert(0, 1, '\0');
  return bytes;
}

// One RelativeDistinguishedName with one attribute: a SET holding { type, value }. O, OU
// and CN are UTF8String of 1 to 64 characters (X.520 upper bounds, as OpenSSL enforces
// them), C a two-letter PrintableString.
Status AppendRdn(std::string& out, std::string_view type, unsigned char tag, std::string_view value,
                 const char* field) {
  std::optional<size_t> chars = domain::Utf8Length(value);
  size_t max = tag == 0x13 ? 2 : 64;
  if (!chars || *chars < (tag == 0x13 ? 2u : 1u) || *chars > max) {
    return InvalidArgument(std::string("subject ") + field + ": must be 1 to " +
                           std::to_string(max) + " characters of UTF-8");
  }
  std::string atv = der::Tlv(0x06, type);
  der::Append(atv, tag, value);
  der::Append(out, 0x31, der::Tlv(0x30, atv));
  return Status::Ok();
}

// Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET
// STRING }; DER leaves a FALSE critical flag out.
void AppendExtension(std::string& out, std::string_view oid, bool critical,
                     std::string_view value) {
  std::string ext = der::Tlv(0x06, oid);
  if (critical) ext.append("\x01\x01\xff", 3);
  der::Append(ext, 0x04, value);
  der::Append(out, 0x30, ext);
}

// The key bits of a SubjectPublicKeyInfo (the BIT STRING's contents after its
// unused-bits octet), and whether its algorithm is rsaEncryption.
bool SpkiKeyBits(std::string_view spki_der, der::Span* bits, bool* rsa) {
  der::Span in(spki_der), spki, alg, oid, key;
  if (!der::Next(in, 0x30, &spki) || !in.empty() || !der::Next(spki, 0x30, &alg) ||
      !der::Next(spki, 0x03, &key) || !spki.empty() || !der::Next(alg, 0x06, &oid) || key.empty() ||
      key.p[0] != 0) {
    return false;
  }
  *bits = der::Span(key.p + 1, key.n - 1);
  *rsa = oid.view() == der::kRsaEncryption;
  return true;
}

// basicConstraints CA:FALSE, keyUsage, extendedKeyUsage clientAuth, subjectKeyIdentifier
// (SHA-1 of the key bits, RFC 5280 4.2.1.2 method 1), authorityKeyIdentifier (the issuer's
// subjectKeyIdentifier), cRLDistributionPoints and authorityInfoAccess: the same DER as
// OpenSSL's "critical,CA:FALSE", "critical,digitalSignature[,keyEncipherment]",
// "clientAuth", "hash", "keyid:always", "URI:…" and "OCSP;URI:…,caIssuers;URI:…".
Status AppendTerminalExtensions(std::string& out, der::Span key_bits, bool rsa,
                                const IssuerFacts& issuer, const IssuerUrls& urls) {
  AppendExtension(out, der::kBasicConstraints, true, std::string_view("\x30\x00", 2));
  // BIT STRING: digitalSignature (bit 0), keyEncipherment (bit 2); trailing zero bits unused.
  AppendExtension(
      out, der::kKeyUsage, true,
      rsa ? std::string_view("\x03\x02\x05\xa0", 4) : std::string_view("\x03\x02\x07\x80", 4));
  AppendExtension(out, der::kExtKeyUsage, false, der::Tlv(0x30, der::Tlv(0x06, der::kClientAuth)));
  unsigned char sha1[SHA_DIGEST_LENGTH];
  SHA1(key_bits.p, key_bits.n, sha1);
  AppendExtension(
      out, der::kSubjectKeyIdentifier, false,
      der::Tlv(0x04, std::string_view(reinterpret_cast<const char*>(sha1), sizeof sha1)));
  if (issuer.key_id.empty()) return InvalidArgument("the issuer has no subjectKeyIdentifier");
  AppendExtension(out, der::kAuthorityKeyIdentifier, false,
                  der::Tlv(0x30, der::Tlv(0x80, issuer.key_id)));
  if (!urls.crl_url.empty()) {
    // SEQUENCE OF DistributionPoint { [0] distributionPoint { [0] fullName { [6] URI } } }
    AppendExtension(
        out, der::kCrlDistributionPoints, false,
        der::Tlv(0x30,
                 der::Tlv(0x30, der::Tlv(0xa0, der::Tlv(0xa0, der::Tlv(0x86, urls.crl_url))))));
  }
  std::string aia;
  if (!urls.ocsp_url.empty()) {
    der::Append(aia, 0x30, der::Tlv(0x06, der::kOcsp) + der::Tlv(0x86, urls.ocsp_url));
  }
  if (!urls.ca_issuers_url.empty()) {
    der::Append(aia, 0x30, der::Tlv(0x06, der::kCaIssuers) + der::Tlv(0x86, urls.ca_issuers_url));
  }
  if (!aia.empty()) AppendExtension(out, der::kAuthorityInfoAccess, false, der::Tlv(0x30, aia));
  return Status::Ok();
}

}  // namespace

Result<std::string> EncodeTerminalTbs(const TerminalCertSpec& spec, const IssuerFacts& issuer,
                                      std::string_view sig_alg, const IssuerUrls& urls) {
  der::Span key_bits;
  bool rsa = false;
  if (!SpkiKeyBits(spec.spki_der, &key_bits, &rsa)) {
    return InvalidArgument("public key info does not parse");
  }
  std::string body;
  body.reserve(1024);
  body.append("\xa0\x03\x02\x01\x02", 5);  // [0] version v3
  ASSIGN_OR_RETURN(std::string serial, SerialContents(spec.serial));
  der::Append(body, 0x02, serial);
  body.append(sig_alg);
  body.append(issuer.subject_der);
  std::string validity;
  AppendTime(validity, spec.not_before);
  AppendTime(validity, spec.not_after);
  der::Append(body, 0x30, validity);
  std::string subject;
  RETURN_IF_ERROR(AppendRdn(subject, der::kCountryName, 0x13, "JP", "C"));
  RETURN_IF_ERROR(AppendRdn(subject, der::kOrganizationName, 0x0c, spec.organization, "O"));
  RETURN_IF_ERROR(AppendRdn(subject, der::kOrganizationalUnitName, 0x0c, spec.subject_code, "OU"));
  if (!spec.usage_category.empty()) {
    RETURN_IF_ERROR(
        AppendRdn(subject, der::kOrganizationalUnitName, 0x0c, spec.usage_category, "OU"));
  }
  RETURN_IF_ERROR(AppendRdn(subject, der::kCommonName, 0x0c, spec.common_name, "CN"));
  der::Append(body, 0x30, subject);
  body.append(spec.spki_der);
  std::string extensions;
  RETURN_IF_ERROR(AppendTerminalExtensions(extensions, key_bits, rsa, issuer, urls));
  der::Append(body, 0xa3, der::Tlv(0x30, extensions));
  return der::Tlv(0x30, body);
}

Status SetSignatureAlgorithm(X509* cert, EVP_PKEY* signing_key) {
  int nid;
  int param_type;
  switch (EVP_PKEY_get_base_id(signing_key)) {
    case EVP_PKEY_RSA:
      nid = NID_sha256WithRSAEncryption;
      param_type = V_ASN1_NULL;
      break;
    case EVP_PKEY_EC:
      nid = NID_ecdsa_with_SHA256;
      param_type = V_ASN1_UNDEF;
      break;
    default:
      return Internal("unsupported CA key type");
  }
  // OpenSSL exposes the TBS algorithm only as const; X509_sign later writes the same
  // value. Setting it now makes the stored TBS byte-identical to what gets signed.
  auto* tbs_alg = const_cast<X509_ALGOR*>(X509_get0_tbs_sigalg(cert));
  if (!X509_ALGOR_set0(tbs_alg, OBJ_nid2obj(nid), param_type, nullptr)) {
    return OpensslError("X509_ALGOR_set0");
  }
  return Status::Ok();
}

Result<std::string> TbsDer(X509* cert) {
  unsigned char* out = nullptr;
  int n = i2d_re_X509_tbs(cert, &out);
  if (n <= 0) return OpensslError("i2d_re_X509_tbs");
  std::string der(reinterpret_cast<char*>(out), n);
  OPENSSL_free(out);
  return der;
}

namespace {

// Subject C=JP, O, CN of a CA-level certificate; issuer = `issuer`'s subject, or the
// subject itself when `issuer` is null (self-signed).
Status SetCaNames(X509* c, const CaCertSpec& spec, X509* issuer) {
  crypto::X509NamePtr subject(X509_NAME_new());
  RETURN_IF_ERROR(AddEntry(subject.get(), "C", "JP"));
  RETURN_IF_ERROR(AddEntry(subject.get(), "O", spec.organization));
  RETURN_IF_ERROR(AddEntry(subject.get(), "CN", spec.common_name));
  if (!X509_set_subject_name(c, subject.get()) ||
      !X509_set_issuer_name(c, issuer ? X509_get_subject_name(issuer) : subject.get())) {
    return OpensslError("names");
  }
  return Status::Ok();
}

}  // namespace

Result<crypto::X509Ptr> BuildCaTbs(const CaCertSpec& spec, X509* issuer, EVP_PKEY* signing_key,
                                   const IssuerUrls& urls) {
  ASSIGN_OR_RETURN(crypto::X509Ptr cert,
                   NewCert(spec.serial, spec.public_key, spec.not_before, spec.not_after));
  X509* c = cert.get();
  RETURN_IF_ERROR(SetCaNames(c, spec, issuer));
  RETURN_IF_ERROR(AddExt(c, issuer, NID_basic_constraints,
                         "critical,CA:TRUE,pathlen:" + std::to_string(spec.path_len)));
  RETURN_IF_ERROR(AddExt(c, issuer, NID_key_usage, "critical,keyCertSign,cRLSign"));
  RETURN_IF_ERROR(AddExt(c, issuer, NID_subject_key_identifier, "hash"));
  if (issuer != nullptr) {
    RETURN_IF_ERROR(AddExt(c, issuer, NID_authority_key_identifier, "keyid:always"));
    RETURN_IF_ERROR(AddRevocationPointers(c, issuer, urls));
  }
  RETURN_IF_ERROR(SetSignatureAlgorithm(c, signing_key));
  return cert;
}

namespace {
// A certificate the issuing CA delegates one kind of signature to (OCSP answers, CMP
// messages): not a CA, digitalSignature only, the one extended key usage `eku`.
Result<crypto::X509Ptr> BuildDelegatedSignerTbs(const CaCertSpec& spec, X509* issuer,
                                                EVP_PKEY* signing_key, const char* eku,
                                                bool ocsp_nocheck) {
  ASSIGN_OR_RETURN(crypto::X509Ptr cert,
                   NewCert(spec.serial, spec.public_key, spec.not_before, spec.not_after));
  X509* c = cert.get();
  RETURN_IF_ERROR(SetCaNames(c, spec, issuer));
  RETURN_IF_ERROR(AddExt(c, issuer, NID_basic_constraints, "critical,CA:FALSE"));
  RETURN_IF_ERROR(AddExt(c, issuer, NID_key_usage, "critical,digitalSignature"));
  RETURN_IF_ERROR(AddExt(c, issuer, NID_ext_key_usage, eku));
  if (ocsp_nocheck) RETURN_IF_ERROR(AddExt(c, issuer, NID_id_pkix_OCSP_noCheck, "ignored"));
  RETURN_IF_ERROR(AddExt(c, issuer, NID_subject_key_identifier, "hash"));
  RETURN_IF_ERROR(AddExt(c, issuer, NID_authority_key_identifier, "keyid:always"));
  RETURN_IF_ERROR(SetSignatureAlgorithm(c, signing_key));
  return cert;
}
}  // namespace

Result<crypto::X509Ptr> BuildOcspResponderTbs(const CaCertSpec& spec, X509* issuer,
                                              EVP_PKEY* signing_key) {
  return BuildDelegatedSignerTbs(spec, issuer, signing_key, "OCSPSigning", true);
}

Result<crypto::X509Ptr> BuildCmpSignerTbs(const CaCertSpec& spec, X509* issuer,
                                          EVP_PKEY* signing_key) {
  return BuildDelegatedSignerTbs(spec, issuer, signing_key, "cmcRA", false);
}

}  // namespace claimsca::ca
