#pragma once

// The route table of a Router as text: what the server answers, one line per registered
// (method, pattern). Used by `claimsca serve --list-routes` and by the authorization
// matrix test (tests/integration/authz_matrix.tsv), which must name every route.

#include <string>
#include <vector>

#include "web/http.h"

namespace claimsca::web {

// "METHOD PATTERN" per route, a prefix pattern ending in '*' ("GET /ocsp/*"), in
// registration order. HEAD is not listed: a GET route answers it.
std::vector<std::string> RouteTable(const Router& router);

}  // namespace claimsca::web
