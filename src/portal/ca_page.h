#pragma once

// /ca/: the CA certificates and their 拇印（フィンガープリント） for a clinic to compare when
// it installs its certificate (DOMAIN.md §4: "publish it"; docs/portal.md "CA certificates"),
// in Japanese: what each certificate is for, its name and end date, the two thumbprints,
// and the links to the files. The JSON of the same values stays at /ca/thumbprints.

#include <string>
#include <vector>

#include "web/http.h"

namespace claimsca::portal {

struct PublishedCa {
  enum class Role { kRoot, kIssuing, kOcsp };
  std::string name;  // the file's name: /ca/<name>.der and /ca/<name>.pem
  Role role = Role::kRoot;
  // The program whose certificates it serves ("" = every program's: the root, and the
  // deployment's issuing CA and responder), as the program's display name.
  std::string program;
  std::string der;
};

// The page, made once at start-up (the certificates do not change while serving).
web::Response CaCertificatesPage(const std::vector<PublishedCa>& certs);

}  // namespace claimsca::portal
