#include "store/store.h"

#include <string>

#include "common/time_util.h"
#include "store/internal.h"
#include "store/postgres/pg_store.h"
#include "store/sqlite/sqlite_store.h"

namespace claimsca::store {

CertificateWriter::IntentsAndCerts CertificateWriter::InsertIntentsAndMarkIssued(
    std::span<const CertificateRecord> intents, std::span<const IssuedDer> certs,
    bool /*defer_sync*/) {
  IntentsAndCerts out;
  out.certs.reserve(certs.size());
  for (const IssuedDer& c : certs) out.certs.push_back(MarkIssued(c.serial, c.cert_der));
  out.intents.reserve(intents.size());
  for (const CertificateRecord& r : intents) out.intents.push_back(InsertIntent(r));
  return out;
}

Status CertificateWriter::Flush() { return Status::Ok(); }

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

namespace {

// Reads a DER tag and definite length at `pos`; returns the content's offset and length.
bool DerHeader(std::string_view der, size_t pos, unsigned char tag, size_t* content,
               size_t* length) {
  if (pos + 2 > der.size() || static_cast<unsigned char>(der[pos]) != tag) return false;
  size_t i = pos + 1;
  const auto first = static_cast<unsigned char>(der[i++]);
  size_t len = first;
  if (first & 0x80) {
    const size_t n = first & 0x7f;
    if (n == 0 || n > 4 || i + n > der.size()) return false;
    len = 0;
    for (size_t k = 0; k < n; ++k) len = (len << 8) | static_cast<unsigned char>(der[i++]);
  }
  if (len > der.size() - i) return false;
  *content = i;
  *length = len;
  return true;
}

}  // namespace

std::string_view TbsOfCertificate(std::string_view cert_der) {
  size_t outer = 0, outer_len = 0, inner = 0, inner_len = 0;
  if (!DerHeader(cert_der, 0, 0x30, &outer, &outer_len)) return {};
  if (!DerHeader(cert_der.substr(0, outer + outer_len), outer, 0x30, &inner, &inner_len)) {
    return {};
  }
  return cert_der.substr(outer, inner + inner_len - outer);
}

AuditEvent LoginSuccessEvent(std::string_view account_id, Instant at) {
  return AuditEvent{at, "self:" + std::string(account_id), "account.login", std::string(account_id),
                    "{}"};
}

AuditEvent LoginFailureEvent(const AccountRecord& after, Instant at) {
  // A failure that locks resets the counter and sets a lock ending after `at`.
  const bool locked_now =
      after.failed_logins == 0 && after.locked_until && *after.locked_until > at;
  std::string details = locked_now
                            ? R"({"locked_until":")" + FormatUtc(*after.locked_until) + "\"}"
                            : R"({"failed_logins":)" + std::to_string(after.failed_logins) + "}";
  return AuditEvent{at, "system:auth", "account.login_failed", after.account_id,
                    std::move(details)};
}

void RestoreTbs(CertificateRecord& r) {
  if (r.state == CertState::kIssued && r.tbs_der.empty()) {
    r.tbs_der = std::string(TbsOfCertificate(r.cert_der));
  }
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
