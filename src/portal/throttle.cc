#include "portal/throttle.h"

namespace claimsca::portal {

bool Throttle::Allow(std::string_view client) {
  Result<bool> ok = limit_.Allow(client);
  return !ok.ok() || *ok;
}

}  // namespace claimsca::portal
