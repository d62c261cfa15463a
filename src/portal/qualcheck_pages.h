#pragma once

// What the 資格確認限定型 pages need (docs/qualcheck.md): the application store and the
// approval (account creation, sealing of the temporary password), wired by
// cmd/qualcheck_cmd.cc (WireQualcheck) in serve.

#include <functional>
#include <string>

#include "common/status.h"
#include "qualcheck/applications.h"

namespace claimsca::portal {

struct QualcheckPages {
  qualcheck::ApplicationStore* apps = nullptr;
  // ApproveWithAccount of `id` as `actor`.
  std::function<Status(const std::string& id, const std::string& actor)> approve;
};

}  // namespace claimsca::portal
