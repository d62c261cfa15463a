#include "ca/linter.h"

#include <openssl/x509v3.h>

#include <cctype>

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

bool ExtIsCritical(X509* cert, int nid) {
  int i = X509_get_ext_by_NID(cert, nid, -1);
  return i >= 0 && X509_EXTENSION_get_critical(X509_get_ext(cert, i));
}

bool HasExt(X509* cert, int nid) { return X509_get_ext_by_NID(cert, nid, -1) >= 0; }

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

void LintExtensions(X509* cert, X509* issuer, EVP_PKEY* key, const LintOptions& options,
                    std::vector<std::string>& f) {
  uint32_t flags = X509_get_extension_flags(cert);  // also caches the extensions
  if (flags & EXFLAG_INVALID) f.push_back("extensions do not parse");
  if (!HasExt(cert, NID_basic_constraints) || !ExtIsCritical(cert, NID_basic_constraints) ||
      (flags & EXFLAG_CA)) {
    f.push_back("basicConstraints must be critical with CA:FALSE");
  }
  bool rsa = key != nullptr && EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA;
  uint32_t ku = X509_get_key_usage(cert);
  uint32_t want_ku = KU_DIGITAL_SIGNATURE | (rsa ? KU_KEY_ENCIPHERMENT : 0);
  if (!HasExt(cert, NID_key_usage) || !ExtIsCritical(cert, NID_key_usage)) {
    f.push_back("keyUsage must be present and critical");
  } else if (ku != want_ku) {
    f.push_back(rsa ? "keyUsage must be exactly digitalSignature, keyEncipherment"
                    : "keyUsage must be exactly digitalSignature");
  }
  if (!HasExt(cert, NID_ext_key_usage) || X509_get_extended_key_usage(cert) != XKU_SSL_CLIENT) {
    f.push_back("extendedKeyUsage must be exactly clientAuth");
  }
  const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(cert);
  if (ski == nullptr) f.push_back("subjectKeyIdentifier missing");
  const ASN1_OCTET_STRING* aki = X509_get0_authority_key_id(cert);
  const ASN1_OCTET_STRING* issuer_ski = X509_get0_subject_key_id(issuer);
  if (aki == nullptr || issuer_ski == nullptr || ASN1_OCTET_STRING_cmp(aki, issuer_ski) != 0) {
    f.push_back("authorityKeyIdentifier must equal the issuer's subjectKeyIdentifier");
  }
  if (options.require_crl_url && !HasExt(cert, NID_crl_distribution_points)) {
    f.push_back("cRLDistributionPoints missing");
  }
  bool ocsp = false, ca_issuers = false;
  if (auto* aia = static_cast<AUTHORITY_INFO_ACCESS*>(
          X509_get_ext_d2i(cert, NID_info_access, nullptr, nullptr))) {
    for (int i = 0; i < sk_ACCESS_DESCRIPTION_num(aia); ++i) {
      ACCESS_DESCRIPTION* ad = sk_ACCESS_DESCRIPTION_value(aia, i);
      int nid = OBJ_obj2nid(ad->method);
      if (nid == NID_ad_OCSP) ocsp = true;
      if (nid == NID_ad_ca_issuers) ca_issuers = true;
    }
    AUTHORITY_INFO_ACCESS_free(aia);
  }
  if (options.require_ocsp_url && !ocsp) f.push_back("authorityInfoAccess OCSP URL missing");
  if (options.require_ca_issuers_url && !ca_issuers) {
    f.push_back("authorityInfoAccess caIssuers URL missing");
  }
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
