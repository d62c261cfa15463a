#pragma once

// Program profiles: the rules that differ between certificate programs (validity, renewal
// window, download deadline, key types) live here as data loaded from configuration, never
// as code. The common CA (DOMAIN.md §5) is "common"; the 国保連 電子請求受付システム is
// "kokuhoren", with an issuing CA of its own under the same root
// (docs/certificate-profile.md).

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"

namespace claimsca::ca {

struct ProgramProfile {
  std::string id;            // "common", "kokuhoren"
  std::string display_name;  // shown to users
  // Certificate validity in calendar months from the instant of issuance (39 = 3 years 3
  // months); a day the target month lacks becomes its last day (common/time_util.h).
  int validity_months = 39;
  // Renewal opens when fewer than this many days remain (common CA: 90) ...
  int renewal_window_days = 90;
  // ... or, when > 0, this many calendar months before the end (国保連: 3).
  int renewal_window_months = 0;
  // 国保連: the applicant may start the renewed certificate at the current one's end.
  bool renewal_start_choice = false;
  // The PKCS#12 download stays available this many days after issuance (180).
  int download_days = 180;
  std::string default_key_algorithm = "rsa2048";
  std::vector<std::string> allowed_key_algorithms = {"rsa2048", "rsa3072", "ecp256"};
  // The issuing CA that signs the program's certificates: its id (ca/<issuer_id>.pem,
  // keys/<issuer_id>.key.pem, /crl/<issuer_id>.crl) and the CN of its certificate. Empty
  // issuer_id: the deployment's issuing CA ([ca] issuer_id), as in a data directory made
  // before programs had issuing CAs of their own (docs/certificate-profile.md).
  std::string issuer_id;
  std::string issuing_name;
  // What the subject OU carries (docs/certificate-profile.md): kInstitutionCode, a
  // 10-digit 医療機関等コード or an 8-digit 保険者番号; kCareOffice, a 10-digit
  // 介護保険事業所番号 (domain::CareOfficeNumberOk) or, for an agent's certificate, the
  // agent's user ID "KJ" + 8 digits. Fixed per program (not configurable).
  enum class SubjectCode { kInstitutionCode, kCareOffice };
  SubjectCode subject_code = SubjectCode::kInstitutionCode;
  // 証明書利用区分: when not empty, every certificate carries one of these values in a
  // second subject OU; a request that names none gets the first. Fixed per program.
  std::vector<std::string> usage_categories;

  // InvalidArgument (field "code") unless `code` is what the subject OU may carry.
  Status CheckSubjectCode(std::string_view code) const;
  // The usage category a certificate carries for a request naming `requested` ("" = the
  // default): InvalidArgument for a value the program does not know, or for any value in
  // a program without categories (which then gets "").
  Result<std::string> UsageCategoryFor(std::string_view requested) const;

  // notAfter of a certificate issued at `issued_at`.
  Instant NotAfter(Instant issued_at) const;
  // The download deadline of a certificate issued at `issued_at`: the last second
  // (23:59:59 JST) of the day `download_days` after the JST issuance date.
  Instant DownloadDeadline(Instant issued_at) const;
  bool AllowsKeyAlgorithm(const std::string& name) const;
  // When renewal opens, in the words of the notices: "有効期限の90日前" (common CA) or
  // "有効期限の3か月前" (国保連).
  std::string RenewalOpensJa() const;
  // InvalidArgument naming the field when a value is out of range.
  Status Validate() const;
};

// The common CA's profile, as DOMAIN.md §5 states it. Used by `init` to write the default
// configuration; the running system reads profiles from configuration.
ProgramProfile CommonProgramDefaults();
// The 国保連 profile (DOMAIN.md §5, §8): 3 years, renewal from 3 months before the end,
// its own issuing CA "issuing-kj-1", subject OU = care office number or KJ user ID, and
// the 証明書利用区分 介護保険証明書 (default) / 介護・障害共通証明書.
ProgramProfile KokuhorenProgramDefaults();
// The defaults of a known program id (common, kokuhoren) with `issuer_id` and
// `issuing_name` left empty (they come from the configuration only); a bare profile with
// the id for any other id. The configuration reader starts from it.
ProgramProfile ProgramBase(const std::string& id);

// The common CA's program id: the terminal-site mTLS endpoints, the HTTPS renewal and CMP
// renew its certificates only.
inline constexpr std::string_view kCommonProgram = "common";

// The cross-program guard (docs/certificate-profile.md): OK when a certificate of
// `certificate_program` may be used on a path of `path_program`; else FailedPrecondition
// "wrong_program: …" (in Japanese and English), so that a 国保連 certificate cannot be
// renewed through the common CA's paths and a common certificate not through the 国保連
// pages.
Status RequireProgram(std::string_view certificate_program, std::string_view path_program);

// The programs a deployment knows, by id. Immutable after construction; thread-safe.
class ProgramRegistry {
 public:
  ProgramRegistry() = default;
  explicit ProgramRegistry(std::vector<ProgramProfile> programs);
  // NotFound when the id is unknown.
  Result<const ProgramProfile*> Find(const std::string& id) const;
  const std::map<std::string, ProgramProfile>& all() const { return programs_; }

 private:
  std::map<std::string, ProgramProfile> programs_;
};

}  // namespace claimsca::ca
