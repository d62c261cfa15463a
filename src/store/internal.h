#pragma once

// Helpers shared by the store back ends. Internal to the store library.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "store/store.h"

namespace claimsca::store::internal {

inline int64_t ToUnix(Instant t) { return t.time_since_epoch().count(); }
inline Instant FromUnix(int64_t s) { return Instant(std::chrono::seconds(s)); }
inline std::optional<int64_t> ToUnix(std::optional<Instant> t) {
  if (!t) return std::nullopt;
  return ToUnix(*t);
}

// "intent" / "issued" / "failed" as stored in certificates.state.
std::optional<CertState> ParseCertState(std::string_view name);

// Argument checks done before any SQL runs; InvalidArgument on failure.
Status ValidateIntent(const CertificateRecord& r);
Status ValidateRevocationReason(int reason);
Status ValidateCrl(int64_t crl_number, int64_t covered_counter);
// Structural checks of a register import: non-empty, codes of 8 or 10 ASCII digits given
// once, 7-digit postal codes, non-empty name/address/category, a known billing_method,
// non-empty source and imported_by. Check digits are the caller's business (src/domain).
Status ValidateRegisterImport(const std::vector<RegisterEntry>& rows, std::string_view source,
                              std::string_view imported_by);

}  // namespace claimsca::store::internal
