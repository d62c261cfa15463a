#pragma once

// Program profiles: the rules that differ between certificate programs (validity, renewal
// window, download deadline, key types) live here as data loaded from configuration, never
// as code. The common CA (DOMAIN.md §5) is "common"; the 国保連 program comes later.

#include <map>
#include <string>
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
// The 国保連 profile (DOMAIN.md §5, §8): 3 years, renewal from 3 months before the end.
ProgramProfile KokuhorenProgramDefaults();

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
