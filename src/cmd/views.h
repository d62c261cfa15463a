#pragma once

// JSON views of registration-authority records, shared by the API and the admin commands
// (docs/openapi.yaml describes them). Secrets (password hashes, sealed passwords, PKCS#12
// bytes, approval claims) never appear in a view.

#include <nlohmann/json.hpp>
#include <string_view>

#include "common/clock.h"
#include "ra/registration_authority.h"
#include "store/store.h"

namespace claimsca::cmd {

// `for_operator` adds who decided and whether the download password was handed over.
nlohmann::json ApplicationJson(const store::ApplicationRecord& a, Instant now, bool for_operator);
// 発送状況: status (and status_ja), tracking number, dispatch date, status date, re-sends.
nlohmann::json ShippingJson(const store::ShippingInfo& s);
nlohmann::json PreviewJson(const ra::Preview& p);

}  // namespace claimsca::cmd
