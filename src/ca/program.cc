#include "ca/program.h"

#include <algorithm>

#include "common/time_util.h"

namespace claimsca::ca {

Instant ProgramProfile::NotAfter(Instant issued_at) const {
  return AddMonthsJst(issued_at, validity_months);
}

Instant ProgramProfile::DownloadDeadline(Instant issued_at) const {
  const Date last_day =
      std::chrono::sys_days(JstDate(issued_at)) + std::chrono::days(download_days);
  return JstMidnight(std::chrono::sys_days(last_day) + std::chrono::days(1)) -
         std::chrono::seconds(1);
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
  return Status::Ok();
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
  return p;
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
