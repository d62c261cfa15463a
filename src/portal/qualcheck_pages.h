#pragma once

// What the 資格確認限定型 pages need (docs/qualcheck.md): the application store and the
// approval (account creation, sealing of the temporary password), wired by
// cmd/qualcheck_cmd.cc (WireQualcheck) in serve.

#include <functional>
#include <string>

#include "common/status.h"
#include "qualcheck/applications.h"
#include "qualcheck/initial_password.h"

namespace claimsca::portal {

struct QualcheckPages {
  qualcheck::ApplicationStore* apps = nullptr;
  // ApproveWithAccount of `id` as `actor`.
  std::function<Status(const std::string& id, const std::string& actor)> approve;
  // The accounts that must change the letter's temporary password at the first login
  // (initial_password.cc); null = not enforced.
  qualcheck::InitialPasswords* initial_passwords = nullptr;
};

}  // namespace claimsca::portal
