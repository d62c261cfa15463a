#include "ca/linter.h"

#include <openssl/x509v3.h>

#include <cctype>
#include <memory>

#include "common/time_util.h"

namespace claimsca::ca {
namespace {

bool AllDigits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// The single value of a subject attribute, or "" (also "" when repeated).
std::string SubjectValue(X509_NAME* name, int nid, int* count) {
  *count = 0;
  std::string value;
  for (int i = X509_NAME_get_index_by_NID(name, nid, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(name, nid, i)) {
    ++*count;
    ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
    value.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), ASN1_STRING_length(s));
  }
  return *count == 1 ? value : "";
}

// Seconds since the epoch of an ASN1_TIME, or false.
bool ToUnix(const ASN1_TIME* t, long long* out) {
  struct tm tm {};
  if (!ASN1_TIME_to_tm(t, &tm)) return false;
  *out = timegm(&tm);
  return true;
}

void LintKey(EVP_PKEY* key, const ProgramProfile& program, std::vector<std::string>& f) {
  if (key == nullptr) {
    f.push_back("public key missing or unparsable");
    return;
  }
  std::string name;
  if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA) {
    int bits = EVP_PKEY_get_bits(key);
    if (bits < 2048 || bits > 4096 || bits % 1024 != 0) {
      f.push_back("RSA key size " + std::to_string(bits) + " not allowed");
    }
    name = "rsa" + std::to_string(bits);
  } else if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC) {
    char curve[64] = {0};
    size_t len = 0;
    EVP_PKEY_get_utf8_string_param(key, "group", curve, sizeof curve, &len);
    std::string c(curve);
    if (c == "prime256v1" || c == "P-256") {
      name = "ecp256";
    } else if (c == "secp384r1" || c == "P-384") {
      name = "ecp384";
    } else {
      f.push_back("EC curve " + c + " not allowed");
    }
  } else {
    f.push_back("public key type not allowed");
  }
  if (!name.empty() && !program.AllowsKeyAlgorithm(name)) {
    f.push_back("key algorithm " + name + " not allowed by program " + program.id);
  }
}

void LintValidity(X509* cert, X509* issuer, const ProgramProfile& program,
                  std::vector<std::string>& f) {
  long long nb, na, inb, ina;
  if (!ToUnix(X509_get0_notBefore(cert), &nb) || !ToUnix(X509_get0_notAfter(cert), &na) ||
      !ToUnix(X509_get0_notBefore(issuer), &inb) || !ToUnix(X509_get0_notAfter(issuer), &ina)) {
    f.push_back("validity dates unreadable");
    return;
  }
  if (nb >= na) f.push_back("notBefore must precede notAfter");
  if (nb < inb || na > ina) f.push_back("validity must lie inside the issuer's validity");
  Instant expected = program.NotAfter(Instant(std::chrono::seconds(nb)));
  if (na != expected.time_since_epoch().count()) {
    f.push_back("notAfter must be notBefore + " + std::to_string(program.validity_months) +
                " months (program " + program.id + "): expected " + FormatJst(expected));
  }
}

// One extension decoded on its own (not through X509_get_extension_flags, whose cache also
// hashes the whole certificate): `value` is null when absent or undecodable; `critical` is
// 1 or 0 when present once. An extension present but undecodable, or repeated, sets
// `*malformed`.
template <typename T, void (*Free)(T*)>
struct DecodedExt {
  std::unique_ptr<T, crypto::Deleter<Free>> value;
  int critical = -1;
};
template <typename T, void (*Free)(T*)>
DecodedExt<T, Free> DecodeExt(X509* cert, int nid, bool* malformed) {
  DecodedExt<T, Free> ext;
  ext.value.reset(static_cast<T*>(X509_get_ext_d2i(cert, nid, &ext.critical, nullptr)));
  if (ext.critical == -2 || (ext.critical >= 0 && !ext.value)) *malformed = true;
  return ext;
}

void LintExtensions(X509* cert, X509* issuer, EVP_PKEY* key, const LintOptions& options,
                    std::vector<std::string>& f) {
  bool malformed = false;

  auto bc =
      DecodeExt<BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free>(cert, NID_basic_constraints, &malformed);
  if (!bc.value || bc.critical != 1 || bc.value->ca) {
    f.push_back("basicConstraints must be critical with CA:FALSE");
  }

  bool rsa = key != nullptr && EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA;
  auto ku = DecodeExt<ASN1_BIT_STRING, ASN1_BIT_STRING_free>(cert, NID_key_usage, &malformed);
  if (!ku.value || ku.critical != 1) {
    f.push_back("keyUsage must be present and critical");
  } else {
    // Bits 0..8 (decipherOnly is the ninth), as X509_get_key_usage reads them.
    uint32_t bits = 0;
    for (int i = 0; i < ASN1_STRING_length(ku.value.get()); ++i) {
      bits |= static_cast<uint32_t>(ASN1_STRING_get0_data(ku.value.get())[i]) << (8 * i);
    }
    uint32_t want = KU_DIGITAL_SIGNATURE | (rsa ? KU_KEY_ENCIPHERMENT : 0);
    if (bits != want) {
      f.push_back(rsa ? "keyUsage must be exactly digitalSignature, keyEncipherment"
                      : "keyUsage must be exactly digitalSignature");
    }
  }

  auto eku =
      DecodeExt<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free>(cert, NID_ext_key_usage, &malformed);
  if (!eku.value || sk_ASN1_OBJECT_num(eku.value.get()) != 1 ||
      OBJ_obj2nid(sk_ASN1_OBJECT_value(eku.value.get(), 0)) != NID_client_auth) {
    f.push_back("extendedKeyUsage must be exactly clientAuth");
  }

  auto ski = DecodeExt<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>(cert, NID_subject_key_identifier,
                                                                  &malformed);
  if (!ski.value) f.push_back("subjectKeyIdentifier missing");

  auto aki = DecodeExt<AUTHORITY_KEYID, AUTHORITY_KEYID_free>(cert, NID_authority_key_identifier,
                                                              &malformed);
  const ASN1_OCTET_STRING* issuer_ski = X509_get0_subject_key_id(issuer);
  if (!aki.value || aki.value->keyid == nullptr || issuer_ski == nullptr ||
      ASN1_OCTET_STRING_cmp(aki.value->keyid, issuer_ski) != 0) {
    f.push_back("authorityKeyIdentifier must equal the issuer's subjectKeyIdentifier");
  }

  auto crl_dp = DecodeExt<CRL_DIST_POINTS, CRL_DIST_POINTS_free>(cert, NID_crl_distribution_points,
                                                                 &malformed);
  if (!crl_dp.value && options.require_crl_url) {
    f.push_back("cRLDistributionPoints missing");
  }

  bool ocsp = false, ca_issuers = false;
  auto aia = DecodeExt<AUTHORITY_INFO_ACCESS, AUTHORITY_INFO_ACCESS_free>(cert, NID_info_access,
                                                                          &malformed);
  if (aia.value) {
    for (int i = 0; i < sk_ACCESS_DESCRIPTION_num(aia.value.get()); ++i) {
      ACCESS_DESCRIPTION* ad = sk_ACCESS_DESCRIPTION_value(aia.value.get(), i);
      int nid = OBJ_obj2nid(ad->method);
      if (nid == NID_ad_OCSP) ocsp = true;
      if (nid == NID_ad_ca_issuers) ca_issuers = true;
    }
  }
  if (options.require_ocsp_url && !ocsp) f.push_back("authorityInfoAccess OCSP URL missing");
  if (options.require_ca_issuers_url && !ca_issuers) {
    f.push_back("authorityInfoAccess caIssuers URL missing");
  }
  if (malformed) f.push_back("extensions do not parse (or one appears twice)");
  static const int kKnown[] = {NID_basic_constraints,
                               NID_key_usage,
                               NID_ext_key_usage,
                               NID_subject_key_identifier,
                               NID_authority_key_identifier,
                               NID_crl_distribution_points,
                               NID_info_access};
  for (int i = 0; i < X509_get_ext_count(cert); ++i) {
    X509_EXTENSION* ext = X509_get_ext(cert, i);
    int nid = OBJ_obj2nid(X509_EXTENSION_get_object(ext));
    bool known = false;
    for (int k : kKnown) known |= (k == nid);
    if (!known) f.push_back(std::string("unexpected extension ") + OBJ_nid2sn(nid));
  }
}

}  // namespace

std::vector<std::string> LintTerminalCert(X509* cert, X509* issuer, const ProgramProfile& program,
                                          const LintOptions& options, EVP_PKEY* subject_key) {
  std::vector<std::string> f;
  EVP_PKEY* key = subject_key ? subject_key : X509_get0_pubkey(cert);
  if (X509_get_version(cert) != X509_VERSION_3) f.push_back("version must be v3");

  const ASN1_INTEGER* serial = X509_get0_serialNumber(cert);
  crypto::BignumPtr bn(ASN1_INTEGER_to_BN(serial, nullptr));
  if (!bn || BN_is_negative(bn.get()) || BN_is_zero(bn.get())) {
    f.push_back("serial must be positive");
  } else if (BN_num_bytes(bn.get()) < 9 || BN_num_bytes(bn.get()) > 20) {
    f.push_back("serial must be 9..20 octets (at least 64 random bits)");
  }

  // The TBS signature field (the outer one is only filled by signing).
  const ASN1_OBJECT* sig_obj = nullptr;
  X509_ALGOR_get0(&sig_obj, nullptr, nullptr, X509_get0_tbs_sigalg(cert));
  int sig_nid = sig_obj ? OBJ_obj2nid(sig_obj) : NID_undef;
  EVP_PKEY* issuer_key = X509_get0_pubkey(issuer);
  int want_sig = issuer_key && EVP_PKEY_get_base_id(issuer_key) == EVP_PKEY_EC
                     ? NID_ecdsa_with_SHA256
                     : NID_sha256WithRSAEncryption;
  if (sig_nid != want_sig) f.push_back("signature algorithm must be SHA-256 with the CA key type");

  if (X509_NAME_cmp(X509_get_issuer_name(cert), X509_get_subject_name(issuer)) != 0) {
    f.push_back("issuer name must equal the issuing CA's subject");
  }
  X509_NAME* subject = X509_get_subject_name(cert);
  int n;
  if (SubjectValue(subject, NID_countryName, &n) != "JP") f.push_back("subject C must be JP");
  if (SubjectValue(subject, NID_organizationName, &n).empty()) {
    f.push_back("subject O must be present once");
  }
  std::string code = SubjectValue(subject, NID_organizationalUnitName, &n);
  if (!AllDigits(code) || (code.size() != 8 && code.size() != 10)) {
    f.push_back("subject OU must be a 10-digit institution code or an 8-digit insurer number");
  }
  std::string cn = SubjectValue(subject, NID_commonName, &n);
  if (!AllDigits(cn) || cn.size() > 64) f.push_back("subject CN must be a decimal number");

  LintKey(key, program, f);
  LintValidity(cert, issuer, program, f);
  LintExtensions(cert, issuer, key, options, f);
  return f;
}

Status CheckTerminalCert(X509* cert, X509* issuer, const ProgramProfile& program,
                         const LintOptions& options, EVP_PKEY* subject_key) {
  std::vector<std::string> findings = LintTerminalCert(cert, issuer, program, options, subject_key);
  if (findings.empty()) return Status::Ok();
  std::string msg = "certificate fails the profile: ";
  for (size_t i = 0; i < findings.size(); ++i) msg += (i ? "; " : "") + findings[i];
  return Status(Code::kLintFailed, msg);
}

}  // namespace claimsca::ca
