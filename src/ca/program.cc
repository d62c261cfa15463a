#include "ca/program.h"

#include <algorithm>

#include "ca/validity.h"
#include "common/time_util.h"
#include "domain/codes.h"

namespace claimsca::ca {

Instant JstEndOfDay(Date d) {
  return JstMidnight(Date(std::chrono::sys_days(d) + std::chrono::days(1))) -
         std::chrono::seconds(1);
}

Instant RenewalOpens(const ProgramProfile& program, Instant not_after) {
  const Date end = JstDate(not_after);
  if (program.renewal_window_months > 0) {
    return JstMidnight(AddMonths(end, -program.renewal_window_months));
  }
  return JstMidnight(
      Date(std::chrono::sys_days(end) - std::chrono::days(program.renewal_window_days)));
}

// 23:59:59 JST of the end date: the JST date of issuance + validity_months (the program's
// "notAfter of a certificate issued at", docs/certificate-profile.md).
Instant ProgramProfile::NotAfter(Instant issued_at) const {
  return JstEndOfDay(AddMonths(JstDate(issued_at), validity_months));
}

Instant ProgramProfile::DownloadDeadline(Instant issued_at) const {
  return JstEndOfDay(
      Date(std::chrono::sys_days(JstDate(issued_at)) + std::chrono::days(download_days)));
}

bool ProgramProfile::AllowsKeyAlgorithm(const std::string& name) const {
  return std::find(allowed_key_algorithms.begin(), allowed_key_algorithms.end(), name) !=
         allowed_key_algorithms.end();
}

std::string ProgramProfile::RenewalOpensJa() const {
  if (renewal_window_months > 0)
    return "有効期限の" + std::to_string(renewal_window_months) + "か月前";
  return "有効期限の" + std::to_string(renewal_window_days) + "日前";
}

Status ProgramProfile::Validate() const {
  auto bad = [&](const char* field, const char* rule) {
    return InvalidArgument("programs." + id + "." + field + ": " + rule);
  };
  if (id.empty()) return InvalidArgument("program id is empty");
  if (validity_months < 1 || validity_months > 120) return bad("validity_months", "1..120");
  if (renewal_window_days < 0 || renewal_window_days > 365) {
    return bad("renewal_window_days", "0..365");
  }
  if (renewal_window_months < 0 || renewal_window_months > 12) {
    return bad("renewal_window_months", "0..12");
  }
  if (download_days < 1 || download_days > 3650) return bad("download_days", "1..3650");
  if (allowed_key_algorithms.empty()) return bad("allowed_key_algorithms", "must not be empty");
  if (!AllowsKeyAlgorithm(default_key_algorithm)) {
    return bad("default_key_algorithm", "must be one of allowed_key_algorithms");
  }
  // The id names files and a URL path: lower-case letters, digits and '-'.
  for (char c : issuer_id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return bad("issuer_id", "lower-case letters, digits and '-'");
    }
  }
  if (!issuer_id.empty() &&
      (issuer_id == "root" || issuer_id.starts_with("ocsp") || issuer_id.starts_with("cmp"))) {
    return bad("issuer_id", "must not be root, ocsp* or cmp*");
  }
  if (!issuer_id.empty() && issuing_name.empty()) {
    return bad("issuing_name", "required with issuer_id");
  }
  return Status::Ok();
}

Status ProgramProfile::CheckSubjectCode(std::string_view code) const {
  auto digits = [](std::string_view s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
  };
  if (subject_code == SubjectCode::kCareOffice) {
    const bool user_id = code.size() == 10 && code.starts_with("KJ") && digits(code.substr(2));
    if (!domain::CareOfficeNumberOk(code) && !user_id) {
      return InvalidArgument(
          "code: must be a 10-digit care office number (介護保険事業所番号) or a user ID "
          "KJ + 8 digits");
    }
    return Status::Ok();
  }
  if (!digits(code) || (code.size() != 10 && code.size() != 8)) {
    return InvalidArgument(
        "code: must be a 10-digit institution code or an 8-digit insurer number");
  }
  return Status::Ok();
}

Result<std::string> ProgramProfile::UsageCategoryFor(std::string_view requested) const {
  if (usage_categories.empty()) {
    if (requested.empty()) return std::string();
    return InvalidArgument("usage_category: the program " + id + " has none");
  }
  if (requested.empty()) return usage_categories.front();
  for (const std::string& u : usage_categories) {
    if (u == requested) return u;
  }
  return InvalidArgument("usage_category: unknown for the program " + id);
}

ProgramProfile CommonProgramDefaults() {
  ProgramProfile p;
  p.id = "common";
  p.display_name = "オンライン請求ネットワーク関連システム共通認証局";
  return p;
}

ProgramProfile KokuhorenProgramDefaults() {
  ProgramProfile p;
  p.id = "kokuhoren";
  p.display_name = "国保連 電子請求受付システム";
  p.validity_months = 36;
  p.renewal_window_days = 0;
  p.renewal_window_months = 3;
  p.renewal_start_choice = true;
  p.issuer_id = "issuing-kj-1";
  p.issuing_name = "claimsca Demo Kokuhoren Issuing CA 1";
  p.subject_code = ProgramProfile::SubjectCode::kCareOffice;
  p.usage_categories = {"介護保険証明書", "介護・障害共通証明書"};
  return p;
}

ProgramProfile ProgramBase(const std::string& id) {
  ProgramProfile p;
  if (id == "common") p = CommonProgramDefaults();
  if (id == "kokuhoren") p = KokuhorenProgramDefaults();
  p.id = id;
  p.issuer_id.clear();
  p.issuing_name.clear();
  return p;
}

Status RequireProgram(std::string_view certificate_program, std::string_view path_program) {
  if (certificate_program == path_program) return Status::Ok();
  return FailedPrecondition(
      "wrong_program: この証明書は別の認証局プログラム（" + std::string(certificate_program) +
      "）の証明書のため、ここでは更新・利用できません。 The certificate belongs to the program " +
      std::string(certificate_program) + ", not " + std::string(path_program) +
      ": use that program's own pages");
}

ProgramRegistry::ProgramRegistry(std::vector<ProgramProfile> programs) {
  for (auto& p : programs) programs_.emplace(p.id, std::move(p));
}

Result<const ProgramProfile*> ProgramRegistry::Find(const std::string& id) const {
  auto it = programs_.find(id);
  if (it == programs_.end()) return NotFound("unknown program \"" + id + "\"");
  return &it->second;
}

}  // namespace claimsca::ca
