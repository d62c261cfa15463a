#include "ca/certificate_profile.h"

#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include <string_view>

namespace claimsca::ca {
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

// Copies algorithm, parameters and key bits of `from` into the certificate's (empty)
// SubjectPublicKeyInfo, without decoding or encoding the key.
Status CopySpki(X509* cert, const X509_PUBKEY* from) {
  const unsigned char* bits = nullptr;
  int bits_len = 0;
  X509_ALGOR* alg = nullptr;
  if (!X509_PUBKEY_get0_param(nullptr, &bits, &bits_len, &alg, from) || bits == nullptr) {
    return InvalidArgument("public key info is empty");
  }
  const ASN1_OBJECT* oid = nullptr;
  int param_type = V_ASN1_UNDEF;
  const void* param = nullptr;
  X509_ALGOR_get0(&oid, &param_type, &param, alg);
  void* param_copy = nullptr;
  if (param_type == V_ASN1_OBJECT) {
    param_copy = OBJ_dup(static_cast<const ASN1_OBJECT*>(param));
  } else if (param_type == V_ASN1_SEQUENCE) {
    param_copy = ASN1_STRING_dup(static_cast<const ASN1_STRING*>(param));
  } else if (param_type != V_ASN1_NULL && param_type != V_ASN1_UNDEF) {
    return InvalidArgument("unsupported public key parameters");
  }
  auto* key_copy = static_cast<unsigned char*>(OPENSSL_memdup(bits, bits_len));
  ASN1_OBJECT* oid_copy = OBJ_dup(oid);
  if (!key_copy || !oid_copy ||
      !X509_PUBKEY_set0_param(X509_get_X509_PUBKEY(cert), oid_copy, param_type, param_copy,
                              key_copy, bits_len)) {
    OPENSSL_free(key_copy);
    return OpensslError("copying the public key info");
  }
  return Status::Ok();
}

Result<crypto::X509Ptr> NewCert(const std::string& serial, EVP_PKEY* public_key,
                                const X509_PUBKEY* spki, Instant not_before, Instant not_after) {
  crypto::X509Ptr cert(X509_new());
  if (!cert || !X509_set_version(cert.get(), X509_VERSION_3)) return OpensslError("X509_new");
  RETURN_IF_ERROR(SetSerial(cert.get(), serial));
  RETURN_IF_ERROR(SetTime(cert.get(), not_before, not_after));
  if (spki != nullptr) {
    RETURN_IF_ERROR(CopySpki(cert.get(), spki));
  } else if (!X509_set_pubkey(cert.get(), public_key)) {
    return OpensslError("X509_set_pubkey");
  }
  return cert;
}

// --- terminal certificate extensions, encoded directly (the profile fixes every value;
// OpenSSL's configuration-string parser costs more than the rest of the TBS).

void AppendDer(std::string& out, unsigned char tag, std::string_view contents) {
  out += static_cast<char>(tag);
  size_t len = contents.size();
  if (len < 0x80) {
    out += static_cast<char>(len);
  } else {
    int octets = 0;
    for (size_t l = len; l > 0; l >>= 8) ++octets;
    out += static_cast<char>(0x80 | octets);
    for (int i = octets - 1; i >= 0; --i) out += static_cast<char>((len >> (8 * i)) & 0xff);
  }
  out.append(contents);
}

std::string Der(unsigned char tag, std::string_view contents) {
  std::string out;
  AppendDer(out, tag, contents);
  return out;
}

// Adds an extension whose extnValue contents are `value` (DER).
Status AddExtDer(X509* cert, int nid, bool critical, std::string_view value) {
  std::unique_ptr<ASN1_OCTET_STRING, crypto::Deleter<ASN1_OCTET_STRING_free>> octets(
      ASN1_OCTET_STRING_new());
  if (!octets ||
      !ASN1_OCTET_STRING_set(octets.get(), reinterpret_cast<const unsigned char*>(value.data()),
                             static_cast<int>(value.size()))) {
    return OpensslError("ASN1_OCTET_STRING_set");
  }
  crypto::X509ExtensionPtr ext(
      X509_EXTENSION_create_by_NID(nullptr, nid, critical ? 1 : 0, octets.get()));
  if (!ext || !X509_add_ext(cert, ext.get(), -1)) {
    return OpensslError(std::string("extension ") + OBJ_nid2sn(nid));
  }
  return Status::Ok();
}

// OIDs (contents octets): id-kp-clientAuth, id-ad-ocsp, id-ad-caIssuers.
constexpr std::string_view kClientAuthOid("\x2b\x06\x01\x05\x05\x07\x03\x02", 8);
constexpr std::string_view kOcspOid("\x2b\x06\x01\x05\x05\x07\x30\x01", 8);
constexpr std::string_view kCaIssuersOid("\x2b\x06\x01\x05\x05\x07\x30\x02", 8);

// basicConstraints CA:FALSE, keyUsage, extendedKeyUsage clientAuth, subjectKeyIdentifier
// (SHA-1 of the key bits, RFC 5280 4.2.1.2 method 1), authorityKeyIdentifier (the issuer's
// subjectKeyIdentifier), cRLDistributionPoints and authorityInfoAccess: the same DER as
// OpenSSL's "critical,CA:FALSE", "critical,digitalSignature[,keyEncipherment]",
// "clientAuth", "hash", "keyid:always", "URI:…" and "OCSP;URI:…,caIssuers;URI:…".
Status AddTerminalExtensions(X509* cert, X509* issuer, bool rsa, const IssuerUrls& urls) {
  RETURN_IF_ERROR(AddExtDer(cert, NID_basic_constraints, true, std::string_view("\x30\x00", 2)));
  // BIT STRING: digitalSignature (bit 0), keyEncipherment (bit 2); trailing zero bits unused.
  RETURN_IF_ERROR(AddExtDer(
      cert, NID_key_usage, true,
      rsa ? std::string_view("\x03\x02\x05\xa0", 4) : std::string_view("\x03\x02\x07\x80", 4)));
  RETURN_IF_ERROR(AddExtDer(cert, NID_ext_key_usage, false, Der(0x30, Der(0x06, kClientAuthOid))));

  const unsigned char* bits = nullptr;
  int bits_len = 0;
  if (!X509_PUBKEY_get0_param(nullptr, &bits, &bits_len, nullptr, X509_get_X509_PUBKEY(cert)) ||
      bits == nullptr) {
    return InvalidArgument("public key info is empty");
  }
  unsigned char sha1[SHA_DIGEST_LENGTH];
  SHA1(bits, static_cast<size_t>(bits_len), sha1);
  RETURN_IF_ERROR(
      AddExtDer(cert, NID_subject_key_identifier, false,
                Der(0x04, std::string_view(reinterpret_cast<const char*>(sha1), sizeof sha1))));

  const ASN1_OCTET_STRING* issuer_ski = X509_get0_subject_key_id(issuer);
  if (issuer_ski == nullptr) return InvalidArgument("the issuer has no subjectKeyIdentifier");
  RETURN_IF_ERROR(AddExtDer(
      cert, NID_authority_key_identifier, false,
      Der(0x30, Der(0x80, std::string_view(
                              reinterpret_cast<const char*>(ASN1_STRING_get0_data(issuer_ski)),
                              ASN1_STRING_length(issuer_ski))))));

  if (!urls.crl_url.empty()) {
    // SEQUENCE OF DistributionPoint { [0] distributionPoint { [0] fullName { [6] URI } } }
    RETURN_IF_ERROR(AddExtDer(cert, NID_crl_distribution_points, false,
                              Der(0x30, Der(0x30, Der(0xa0, Der(0xa0, Der(0x86, urls.crl_url)))))));
  }
  std::string aia;
  if (!urls.ocsp_url.empty()) aia += Der(0x30, Der(0x06, kOcspOid) + Der(0x86, urls.ocsp_url));
  if (!urls.ca_issuers_url.empty()) {
    aia += Der(0x30, Der(0x06, kCaIssuersOid) + Der(0x86, urls.ca_issuers_url));
  }
  if (!aia.empty()) RETURN_IF_ERROR(AddExtDer(cert, NID_info_access, false, Der(0x30, aia)));
  return Status::Ok();
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
  std::string bits = Der(0x03, std::string(1, '\0') + std::string(signature));  // 0 unused
  std::string body;
  body.reserve(tbs.size() + sig_alg.size() + bits.size());
  body.append(tbs).append(sig_alg).append(bits);
  return Der(0x30, body);
}

Result<X509PubkeyPtr> MakeSpki(EVP_PKEY* key) {
  X509_PUBKEY* out = nullptr;
  if (!X509_PUBKEY_set(&out, key)) return OpensslError("X509_PUBKEY_set");
  return X509PubkeyPtr(out);
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

Result<crypto::X509Ptr> BuildTerminalTbs(const TerminalCertSpec& spec, X509* issuer,
                                         EVP_PKEY* signing_key, const IssuerUrls& urls) {
  ASSIGN_OR_RETURN(crypto::X509Ptr cert, NewCert(spec.serial, spec.public_key, spec.spki,
                                                 spec.not_before, spec.not_after));
  X509* c = cert.get();
  // Filled in place: X509_set_subject_name would copy the name by encoding and decoding it.
  X509_NAME* subject = X509_get_subject_name(c);
  RETURN_IF_ERROR(AddEntry(subject, "C", "JP"));
  RETURN_IF_ERROR(AddEntry(subject, "O", spec.organization));
  RETURN_IF_ERROR(AddEntry(subject, "OU", spec.subject_code));
  RETURN_IF_ERROR(AddEntry(subject, "CN", spec.common_name));
  if (!X509_set_issuer_name(c, X509_get_subject_name(issuer))) return OpensslError("names");
  bool rsa = EVP_PKEY_get_base_id(spec.public_key) == EVP_PKEY_RSA;
  RETURN_IF_ERROR(AddTerminalExtensions(c, issuer, rsa, urls));
  RETURN_IF_ERROR(SetSignatureAlgorithm(c, signing_key));
  return cert;
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
                   NewCert(spec.serial, spec.public_key, nullptr, spec.not_before, spec.not_after));
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
                   NewCert(spec.serial, spec.public_key, nullptr, spec.not_before, spec.not_after));
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
