#include "store/store.h"

#include <string>

#include "store/internal.h"
#include "store/postgres/pg_store.h"
#include "store/sqlite/sqlite_store.h"

namespace claimsca::store {

std::string_view CertStateName(CertState s) {
  switch (s) {
    case CertState::kIntent:
      return "intent";
    case CertState::kIssued:
      return "issued";
    case CertState::kFailed:
      return "failed";
  }
  return "unknown";
}

Result<std::unique_ptr<Store>> OpenStore(std::string_view url) {
  constexpr std::string_view kSqlitePrefix = "sqlite:";
  if (url.starts_with(kSqlitePrefix)) {
    std::string_view path = url.substr(kSqlitePrefix.size());
    if (path.empty()) return InvalidArgument("store url \"sqlite:\" has no file path");
    ASSIGN_OR_RETURN(auto s, SqliteStore::Open(std::string(path)));
    return std::unique_ptr<Store>(std::move(s));
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    ASSIGN_OR_RETURN(auto s, PgStore::Open(std::string(url)));
    return std::unique_ptr<Store>(std::move(s));
  }
  // Only the scheme is echoed: the rest of a URL may hold a password.
  return InvalidArgument("unsupported store url scheme \"" +
                         std::string(url.substr(0, url.find(':'))) +
                         "\" (want \"sqlite:PATH\" or \"postgresql://...\")");
}

namespace internal {

std::optional<CertState> ParseCertState(std::string_view name) {
  for (CertState s : {CertState::kIntent, CertState::kIssued, CertState::kFailed}) {
    if (CertStateName(s) == name) return s;
  }
  return std::nullopt;
}

Status ValidateIntent(const CertificateRecord& r) {
  if (r.state != CertState::kIntent) return InvalidArgument("intent: state must be intent");
  if (!r.cert_der.empty()) return InvalidArgument("intent: cert_der must be empty");
  if (r.revoked_at || r.revocation_reason != -1 || r.invalidity_date) {
    return InvalidArgument("intent: must not carry revocation data");
  }
  if (r.serial.empty()) return InvalidArgument("intent: empty serial");
  if (r.issuer_id.empty()) return InvalidArgument("intent: empty issuer_id");
  if (r.common_name.empty()) return InvalidArgument("intent: empty common_name");
  if (r.tbs_der.empty()) return InvalidArgument("intent: empty tbs_der");
  if (r.not_after < r.not_before) return InvalidArgument("intent: not_after before not_before");
  return Status::Ok();
}

Status ValidateRevocationReason(int reason) {
  if (reason < 0 || reason > 10 || reason == 7) {
    return InvalidArgument("revoke: invalid CRLReason " + std::to_string(reason));
  }
  return Status::Ok();
}

Status ValidateCrl(int64_t crl_number, int64_t covered_counter) {
  if (crl_number < 1) return InvalidArgument("put crl: crl_number must be >= 1");
  if (covered_counter < 0) return InvalidArgument("put crl: negative covered_counter");
  return Status::Ok();
}

}  // namespace internal
}  // namespace claimsca::store
