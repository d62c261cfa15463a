#include "web/route_table.h"

namespace claimsca::web {

std::vector<std::string> RouteTable(const Router& router) {
  std::vector<std::string> out;
  out.reserve(router.routes().size());
  for (const auto& r : router.routes()) {
    out.push_back(r->method + " " + r->pattern + (r->prefix ? "*" : ""));
  }
  return out;
}

}  // namespace claimsca::web
