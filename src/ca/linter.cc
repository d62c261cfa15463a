#include "ca/linter.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <optional>

#include "common/time_util.h"
#include "crypto/der.h"
#include "domain/normalize.h"

namespace claimsca::ca {
namespace {

using crypto::der::NextAny;
using crypto::der::Span;

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// A UTCTime (YYMMDDHHMMSSZ) or GeneralizedTime (YYYYMMDDHHMMSSZ), as RFC 5280 4.1.2.5
// requires them, in seconds since the epoch.
std::optional<long long> ReadTime(Span& in) {
  unsigned char tag = 0;
  Span t;
  if (!NextAny(in, &tag, &t)) return std::nullopt;
  std::string_view v = t.view();
  size_t year_digits = tag == 0x17 ? 2 : tag == 0x18 ? 4 : 0;
  if (year_digits == 0 || v.size() != year_digits + 11 || v.back() != 'Z' ||
      !AllDigits(v.substr(0, v.size() - 1))) {
    return std::nullopt;
  }
  auto num = [&](size_t at, size_t n) {
    int x = 0;
    for (size_t i = 0; i < n; ++i) x = x * 10 + (v[at + i] - '0');
    return x;
  };
  int year = num(0, year_digits);
  if (year_digits == 2) year += year < 50 ? 2000 : 1900;
  size_t k = year_digits;
  int month = num(k, 2), day = num(k + 2, 2), hour = num(k + 4, 2), minute = num(k + 6, 2),
      second = num(k + 8, 2);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    return std::nullopt;
  }
  std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(month),
                                  std::chrono::day(day)};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days(ymd).time_since_epoch().count() * 86400LL + hour * 3600 +
         minute * 60 + second;
}

// The dotted or short name of an OID's contents, for messages.
std::string OidName(Span oid) {
  std::string tlv = crypto::der::Tlv(0x06, oid.view());
  const unsigned char* p = reinterpret_cast<const unsigned char*>(tlv.data());
  std::unique_ptr<ASN1_OBJECT, crypto::Deleter<ASN1_OBJECT_free>> obj(
      d2i_ASN1_OBJECT(nullptr, &p, static_cast<long>(tlv.size())));
  if (!obj) return "(bad OID)";
  if (int nid = OBJ_obj2nid(obj.get()); nid != NID_undef) return OBJ_nid2sn(nid);
  char text[128];
  OBJ_obj2txt(text, sizeof text, obj.get(), 1);
  return text;
}

// Checks the key against the profile and the program; returns its name ("rsa2048",
// "ecp256", …; "" when not allowed).
std::string LintKey(EVP_PKEY* key, const ProgramProfile& program, std::vector<std::string>& f) {
  if (key == nullptr) {
    f.push_back("public key missing or unparsable");
    return "";
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
  return name;
}

// SubjectPublicKeyInfo ::= SEQUENCE { AlgorithmIdentifier, BIT STRING }, in the one DER
// form for the key `name`: rsaEncryption with NULL parameters, or id-ecPublicKey with the
// key's named curve; no unused bits.
bool SpkiMatches(Span spki, const std::string& name) {
  using crypto::der::Next;
  Span alg, bits, oid, curve;
  if (!Next(spki, 0x30, &alg) || !Next(spki, 0x03, &bits) || !spki.empty() || bits.empty() ||
      bits.p[0] != 0 || !Next(alg, 0x06, &oid)) {
    return false;
  }
  if (name.starts_with("rsa")) {
    return oid.view() == crypto::der::kRsaEncryption && alg.view() == crypto::der::kNull;
  }
  if (oid.view() != crypto::der::kEcPublicKey || !Next(alg, 0x06, &curve) || !alg.empty()) {
    return false;
  }
  return (name == "ecp256" && curve.view() == crypto::der::kP256) ||
         (name == "ecp384" && curve.view() == crypto::der::kP384);
}

// PrintableString's characters (X.680 41.4).
bool Printable(std::string_view s) {
  for (char c : s) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              std::string_view(" '()+,-./:=?").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

// The subject's attributes: the single value of each of C, O and CN ("" when absent or
// repeated) and every OU. The profile writes C as a PrintableString and the others as UTF8String;
// any other attribute, or another string type, is a finding (returned), as is a Name that does not
// parse.
struct Subject {
  std::string_view c, o, cn;
  std::vector<std::string_view> ous;  // every OU, in order (the profile writes one or two)
};
std::optional<std::string> ReadSubject(Span name, Subject* out) {
  int counts[4] = {0, 0, 0, 0};
  std::string_view values[4];
  static constexpr std::string_view kTypes[4] = {
      crypto::der::kCountryName, crypto::der::kOrganizationName,
      crypto::der::kOrganizationalUnitName, crypto::der::kCommonName};
  static constexpr unsigned char kTags[4] = {0x13, 0x0c, 0x0c, 0x0c};
  while (!name.empty()) {
    Span rdn;
    if (!crypto::der::Next(name, 0x31, &rdn) || rdn.empty()) return "subject does not parse";
    while (!rdn.empty()) {
      Span atv, type, value;
      unsigned char tag = 0;
      if (!crypto::der::Next(rdn, 0x30, &atv) || !crypto::der::Next(atv, 0x06, &type) ||
          !crypto::der::ValidOid(type) || !NextAny(atv, &tag, &value) || !atv.empty()) {
        return "subject does not parse";
      }
      int i = 0;
      while (i < 4 && type.view() != kTypes[i]) ++i;
      if (i == 4) return "unexpected subject attribute " + OidName(type);
      if (tag != kTags[i] || (tag == 0x0c && !domain::Utf8Length(value.view())) ||
          (tag == 0x13 && !Printable(value.view()))) {
        return "subject attribute " + OidName(type) + " must be a " +
               (kTags[i] == 0x13 ? "PrintableString" : "UTF8String");
      }
      ++counts[i];
      values[i] = value.view();
      if (i == 2) out->ous.push_back(value.view());
    }
  }
  std::string_view* fields[4] = {&out->c, &out->o, nullptr, &out->cn};
  for (int i = 0; i < 4; ++i) {
    if (fields[i] != nullptr) *fields[i] = counts[i] == 1 ? values[i] : std::string_view();
  }
  return std::nullopt;
}

// OU = the subject code the program's rule allows, then, for a program with 証明書利用区分,
// OU = one of them; nothing else.
void LintSubjectOus(const std::vector<std::string_view>& ous, const ProgramProfile& program,
                    std::vector<std::string>& f) {
  const size_t want = program.usage_categories.empty() ? 1 : 2;
  if (ous.size() != want) {
    f.push_back("subject must have " + std::string(want == 1 ? "one OU" : "two OUs") +
                " (program " + program.id + ")");
    return;
  }
  if (!program.CheckSubjectCode(ous[0]).ok()) {
    f.push_back(program.subject_code == ProgramProfile::SubjectCode::kCareOffice
                    ? "subject OU must be a 10-digit care office number or a KJ user ID"
                    : "subject OU must be a 10-digit institution code or an 8-digit insurer "
                      "number");
  }
  if (want == 2 && (ous[1].empty() || !program.UsageCategoryFor(ous[1]).ok())) {
    f.push_back("subject second OU must be one of the program's usage categories");
  }
}

void LintValidity(long long nb, long long na, const IssuerFacts& issuer,
                  const ProgramProfile& program, std::vector<std::string>& f) {
  if (nb >= na) f.push_back("notBefore must precede notAfter");
  if (nb < issuer.not_before.time_since_epoch().count() ||
      na > issuer.not_after.time_since_epoch().count()) {
    f.push_back("validity must lie inside the issuer's validity");
  }
  Instant expected = program.NotAfter(Instant(std::chrono::seconds(nb)));
  if (na != expected.time_since_epoch().count()) {
    f.push_back("notAfter must be the end (23:59:59 JST) of notBefore's JST date + " +
                std::to_string(program.validity_months) + " months (program " + program.id +
                "): expected " + FormatJst(expected));
  }
}

// The extensions, each read on its own. An extension that does not decode, or appears
// twice, sets `malformed`.
void LintExtensions(Span exts, const IssuerFacts& issuer, bool rsa, const LintOptions& options,
                    std::vector<std::string>& f) {
  using crypto::der::Next;
  namespace oid = crypto::der;
  bool malformed = false;
  struct Ext {
    explicit Ext(std::string_view id) : oid(id) {}
    std::string_view oid;
    bool present = false;
    bool critical = false;
    Span value;
  };
  Ext bc{oid::kBasicConstraints}, ku{oid::kKeyUsage}, eku{oid::kExtKeyUsage},
      ski{oid::kSubjectKeyIdentifier}, aki{oid::kAuthorityKeyIdentifier},
      crl_dp{oid::kCrlDistributionPoints}, aia{oid::kAuthorityInfoAccess};
  Ext* known[] = {&bc, &ku, &eku, &ski, &aki, &crl_dp, &aia};
  while (!exts.empty()) {
    Span ext, id, flag, value;
    if (!Next(exts, 0x30, &ext) || !Next(ext, 0x06, &id) || !crypto::der::ValidOid(id)) {
      malformed = true;
      break;
    }
    bool critical = false;
    if (!ext.empty() && ext.p[0] == 0x01) {
      // DER: the flag is present only when TRUE, and TRUE is 0xff.
      if (!Next(ext, 0x01, &flag) || flag.view() != std::string_view("\xff", 1)) malformed = true;
      critical = true;
    }
    if (!Next(ext, 0x04, &value) || !ext.empty()) {
      malformed = true;
      continue;
    }
    Ext* match = nullptr;
    for (Ext* k : known) {
      if (id.view() == k->oid) match = k;
    }
    if (match == nullptr) {
      f.push_back("unexpected extension " + OidName(id));
      continue;
    }
    if (match->present) malformed = true;
    match->present = true;
    match->critical = critical;
    match->value = value;
  }
  // Each value is one TLV of the expected type with nothing after it.
  auto whole = [&](Ext& e, unsigned char tag, Span* contents) {
    if (!e.present) return false;
    Span v = e.value;
    if (Next(v, tag, contents) && v.empty()) return true;
    malformed = true;
    return false;
  };

  // BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLen INTEGER OPTIONAL }
  Span bc_seq, ca_flag;
  bool is_ca = false;
  if (whole(bc, 0x30, &bc_seq)) {
    if (!bc_seq.empty() && bc_seq.p[0] == 0x01) {
      // DER: cA is present only when TRUE (0xff); an explicit FALSE is not DER.
      if (!Next(bc_seq, 0x01, &ca_flag) || ca_flag.view() != std::string_view("\xff", 1)) {
        malformed = true;
      }
      is_ca = ca_flag.n == 1 && ca_flag.p[0] != 0;
    }
    Span path_len;
    if (!bc_seq.empty() && (!Next(bc_seq, 0x02, &path_len) || !bc_seq.empty())) malformed = true;
  }
  if (!bc.present || !bc.critical || is_ca) {
    f.push_back("basicConstraints must be critical with CA:FALSE");
  }

  Span ku_bits;
  if (!whole(ku, 0x03, &ku_bits) || !ku.critical) {
    f.push_back("keyUsage must be present and critical");
  } else if (ku_bits.empty() || ku_bits.p[0] > 7 || (ku_bits.n == 1 && ku_bits.p[0] != 0)) {
    malformed = true;
  } else {
    // Bits 0..8 (decipherOnly is the ninth) as X509_get_key_usage reads them; any later
    // bit set makes the value wrong too.
    uint64_t bits = 0;
    bool beyond = false;
    for (size_t i = 1; i < ku_bits.n; ++i) {
      unsigned char octet = ku_bits.p[i];
      if (i + 1 == ku_bits.n) octet &= static_cast<unsigned char>(0xff << ku_bits.p[0]);
      if (i <= 4) {
        bits |= static_cast<uint64_t>(octet) << (8 * (i - 1));
      } else {
        beyond |= octet != 0;
      }
    }
    uint64_t want = KU_DIGITAL_SIGNATURE | (rsa ? KU_KEY_ENCIPHERMENT : 0);
    if (bits != want || beyond) {
      f.push_back(rsa ? "keyUsage must be exactly digitalSignature, keyEncipherment"
                      : "keyUsage must be exactly digitalSignature");
    }
  }

  Span eku_seq, purpose;
  bool client_auth_only = whole(eku, 0x30, &eku_seq) && Next(eku_seq, 0x06, &purpose) &&
                          eku_seq.empty() && purpose.view() == oid::kClientAuth;
  if (!client_auth_only) f.push_back("extendedKeyUsage must be exactly clientAuth");

  Span key_id;
  if (!whole(ski, 0x04, &key_id)) f.push_back("subjectKeyIdentifier missing");

  // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING OPTIONAL,
  //   authorityCertIssuer [1] OPTIONAL, authorityCertSerialNumber [2] OPTIONAL }
  Span aki_seq, aki_id;
  bool aki_ok = whole(aki, 0x30, &aki_seq) && Next(aki_seq, 0x80, &aki_id) &&
                !issuer.key_id.empty() && aki_id.view() == issuer.key_id;
  if (!aki_ok) f.push_back("authorityKeyIdentifier must equal the issuer's subjectKeyIdentifier");

  // CRLDistributionPoints ::= SEQUENCE SIZE (1..MAX) OF DistributionPoint (a SEQUENCE)
  Span dps, dp;
  if (whole(crl_dp, 0x30, &dps)) {
    if (dps.empty()) malformed = true;
    while (!dps.empty()) {
      if (!Next(dps, 0x30, &dp)) {
        malformed = true;
        break;
      }
    }
  }
  if (!crl_dp.present && options.require_crl_url) f.push_back("cRLDistributionPoints missing");

  // AuthorityInfoAccessSyntax ::= SEQUENCE SIZE (1..MAX) OF
  //   AccessDescription ::= SEQUENCE { accessMethod OID, accessLocation GeneralName }
  bool ocsp = false, ca_issuers = false;
  Span ads;
  if (whole(aia, 0x30, &ads)) {
    if (ads.empty()) malformed = true;
    while (!ads.empty()) {
      Span ad, method, location;
      unsigned char tag = 0;
      if (!Next(ads, 0x30, &ad) || !Next(ad, 0x06, &method) || !NextAny(ad, &tag, &location) ||
          !ad.empty()) {
        malformed = true;
        break;
      }
      ocsp |= method.view() == oid::kOcsp;
      ca_issuers |= method.view() == oid::kCaIssuers;
    }
  }
  if (options.require_ocsp_url && !ocsp) f.push_back("authorityInfoAccess OCSP URL missing");
  if (options.require_ca_issuers_url && !ca_issuers) {
    f.push_back("authorityInfoAccess caIssuers URL missing");
  }
  if (malformed) f.push_back("extensions do not parse (or one appears twice)");
}

}  // namespace

std::vector<std::string> LintTerminalTbs(std::string_view tbs_der, const IssuerFacts& issuer,
                                         const ProgramProfile& program, const LintOptions& options,
                                         EVP_PKEY* subject_key) {
  using crypto::der::Next;
  std::vector<std::string> f;
  // TBSCertificate ::= SEQUENCE { version [0], serialNumber, signature, issuer, validity,
  //   subject, subjectPublicKeyInfo, issuerUniqueID [1], subjectUniqueID [2], extensions [3] }
  Span in(tbs_der), tbs, version, serial, sig_alg, sig_alg_whole, name, name_whole, validity,
      subject, spki, spki_whole, exts_wrap, exts;
  auto unparsable = [&](const char* part) {
    f.push_back(std::string("TBS is not a DER certificate body (") + part + ")");
    return f;
  };
  if (!Next(in, 0x30, &tbs) || !in.empty()) return unparsable("outer SEQUENCE");
  if (!tbs.empty() && tbs.p[0] == 0xa0) {
    if (!Next(tbs, 0xa0, &version)) return unparsable("version");
  }
  if (!Next(tbs, 0x02, &serial)) return unparsable("serialNumber");
  if (!Next(tbs, 0x30, &sig_alg, &sig_alg_whole)) return unparsable("signature");
  if (!Next(tbs, 0x30, &name, &name_whole)) return unparsable("issuer");
  if (!Next(tbs, 0x30, &validity)) return unparsable("validity");
  if (!Next(tbs, 0x30, &subject)) return unparsable("subject");
  if (!Next(tbs, 0x30, &spki, &spki_whole)) return unparsable("subjectPublicKeyInfo");
  if (!tbs.empty() && tbs.p[0] == 0xa3) {
    if (!Next(tbs, 0xa3, &exts_wrap) || !Next(exts_wrap, 0x30, &exts) || !exts_wrap.empty()) {
      return unparsable("extensions");
    }
  }
  if (!tbs.empty()) f.push_back("unexpected fields after the extensions (unique identifiers)");
  if (version.view() != std::string_view("\x02\x01\x02", 3)) f.push_back("version must be v3");

  Span magnitude = crypto::der::PositiveInteger(serial);
  if (magnitude.empty()) {
    f.push_back("serial must be positive");
  } else if (magnitude.n < 9 || magnitude.n > 20) {
    f.push_back("serial must be 9..20 octets (at least 64 random bits)");
  }

  // The TBS signature field (the outer one is only filled by signing).
  std::string_view want_sig =
      issuer.ec_key ? crypto::der::kEcdsaSha256Algorithm : crypto::der::kSha256WithRsaAlgorithm;
  if (sig_alg_whole.view() != want_sig) {
    f.push_back("signature algorithm must be SHA-256 with the CA key type");
  }
  if (name_whole.view() != issuer.subject_der) {
    f.push_back("issuer name must equal the issuing CA's subject");
  }

  Subject s;
  if (std::optional<std::string> bad = ReadSubject(subject, &s)) {
    f.push_back(*bad);
  } else {
    if (s.c != "JP") f.push_back("subject C must be JP");
    if (s.o.empty()) f.push_back("subject O must be present once");
    LintSubjectOus(s.ous, program, f);
    if (!AllDigits(s.cn) || s.cn.size() > 64) f.push_back("subject CN must be a decimal number");
  }

  // The key: the one the caller decoded, or the TBS's own; its algorithm must be the SPKI's.
  crypto::EvpPkeyPtr decoded;
  if (subject_key == nullptr) {
    const unsigned char* p = spki_whole.p;
    decoded.reset(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki_whole.n)));
    ERR_clear_error();
    subject_key = decoded.get();
  }
  bool rsa = subject_key != nullptr && EVP_PKEY_get_base_id(subject_key) == EVP_PKEY_RSA;
  std::string key_name = LintKey(subject_key, program, f);
  if (!key_name.empty() && !SpkiMatches(spki, key_name)) {
    f.push_back("subjectPublicKeyInfo must be the DER of the key (" + key_name + ")");
  }

  std::optional<long long> nb = ReadTime(validity), na = ReadTime(validity);
  if (!nb || !na || !validity.empty()) {
    f.push_back("validity dates unreadable");
  } else {
    LintValidity(*nb, *na, issuer, program, f);
  }
  LintExtensions(exts, issuer, rsa, options, f);
  return f;
}

std::vector<std::string> LintTerminalCert(X509* cert, X509* issuer, const ProgramProfile& program,
                                          const LintOptions& options, EVP_PKEY* subject_key) {
  Result<IssuerFacts> facts = IssuerFacts::Of(issuer);
  if (!facts.ok()) return {"issuer certificate unreadable: " + facts.status().message()};
  Result<std::string> tbs = TbsDer(cert);
  if (!tbs.ok()) return {"certificate does not encode: " + tbs.status().message()};
  return LintTerminalTbs(*tbs, *facts, program, options,
                         subject_key ? subject_key : X509_get0_pubkey(cert));
}

Status CheckTerminalTbs(std::string_view tbs, const IssuerFacts& issuer,
                        const ProgramProfile& program, const LintOptions& options,
                        EVP_PKEY* subject_key) {
  std::vector<std::string> findings = LintTerminalTbs(tbs, issuer, program, options, subject_key);
  if (findings.empty()) return Status::Ok();
  std::string msg = "certificate fails the profile: ";
  for (size_t i = 0; i < findings.size(); ++i) msg += (i ? "; " : "") + findings[i];
  return Status(Code::kLintFailed, msg);
}

}  // namespace claimsca::ca
