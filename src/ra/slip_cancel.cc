#include "ra/slip_cancel.h"

#include <nlohmann/json.hpp>

#include "auth/auth_service.h"
#include "common/time_util.h"

namespace claimsca::ra {
namespace {
constexpr int kReasonCessationOfOperation = 5;  // RFC 5280: the applicant withdrew it
}

SlipCancellation::SlipCancellation(RegistrationAuthority& ra, store::SlipStore& store,
                                   const Clock& clock, int notice_batch_minute,
                                   std::function<void(const store::AuditEvent&)> audit_log)
    : ra_(ra),
      store_(store),
      clock_(clock),
      notice_batch_minute_(notice_batch_minute),
      audit_log_(std::move(audit_log)) {}

bool SlipCancellation::FreeCancellable(const store::ApplicationRecord& a) {
  return a.state == store::ApplicationState::kIssued && !a.sealed_password.empty() &&
         a.download_count == 0 && !a.last_downloaded_at.has_value();
}

std::optional<Instant> SlipCancellation::FreeUntil(const store::ApplicationRecord& a) const {
  if (!FreeCancellable(a) || !a.issued_at) return std::nullopt;
  const Date day = JstDate(*a.issued_at);
  Instant batch = JstMidnight(day) + std::chrono::minutes(notice_batch_minute_);
  if (batch <= *a.issued_at) {
    batch = JstMidnight(Date(std::chrono::sys_days(day) + std::chrono::days(1))) +
            std::chrono::minutes(notice_batch_minute_);
  }
  return batch;
}

Status SlipCancellation::Cancel(const Caller& caller, std::string_view request_id) {
  ASSIGN_OR_RETURN(store::ApplicationRecord a, ra_.Get(caller, request_id));
  if (a.state != store::ApplicationState::kIssued) return ra_.Cancel(caller, request_id);
  if (!auth::Allows(caller.principal, auth::Permission::kCancel, a.institution_code)) {
    return Status(Code::kForbidden, "no cancel permission");
  }
  if (!FreeCancellable(a)) return FailedPrecondition(std::string(store::kNoticeTaken));
  const Instant now = clock_.Now();
  const store::AuditEvent ev{now, caller.Actor(), "application.cancel_before_notice", a.request_id,
                             nlohmann::json{{"serial", a.serial},
                                            {"reason", kReasonCessationOfOperation},
                                            {"credit", "fee charges of the serial"}}
                                 .dump()};
  Status st =
      store_.CancelBeforeNotice(a.request_id, caller.Actor(), now, kReasonCessationOfOperation, ev);
  if (st.ok() && audit_log_) audit_log_(ev);
  return st;
}

}  // namespace claimsca::ra
