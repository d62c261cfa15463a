// RegistrationAuthority::PreviewMany / SubmitMany: many terminals from one CSV file (issue 24
// point 10; docs/portal.md "Many terminals at once").

#include <nlohmann/json.hpp>

#include "common/iso_date.h"
#include "common/time_util.h"
#include "crypto/random.h"
#include "ra/registration_authority.h"
#include "store/bulk_store.h"

namespace claimsca::ra {
namespace {
constexpr int kRequestIdAttempts = 8;
}

Result<BulkResult> RegistrationAuthority::PreviewMany(const Caller& caller,
                                                      const std::vector<ApplicationForm>& forms) {
  RETURN_IF_ERROR(CheckCanApply(caller));
  if (forms.empty() || forms.size() > kMaxBulkRows) {
    return InvalidArgument("bulk: 1 to " + std::to_string(kMaxBulkRows) + " applications");
  }
  BulkResult out;
  for (const ApplicationForm& form : forms) {
    ASSIGN_OR_RETURN(CheckedForm checked, CheckForm(caller, form));
    if (!checked.errors.empty()) out.refused = true;
    out.errors.push_back(std::move(checked.errors));
  }
  const Date today = JstDate(clock_.Now());
  ASSIGN_OR_RETURN(domain::TariffEntry entry, tariff_.At(options_.program, today));
  out.fee = domain::QuoteFee(entry, domain::FeeKind::kNewApplication);
  out.total_yen = out.fee.total_yen * static_cast<int64_t>(forms.size());
  out.tariff_from = IsoDate(entry.effective_from);
  return out;
}

Result<BulkResult> RegistrationAuthority::SubmitMany(const Caller& caller,
                                                     const std::vector<ApplicationForm>& forms,
                                                     std::string_view idempotency_key,
                                                     store::BulkStore& bulk) {
  if (idempotency_key.empty() || idempotency_key.size() > 100) {
    return InvalidArgument("idempotency_key: 1 to 100 characters");
  }
  ASSIGN_OR_RETURN(BulkResult out, PreviewMany(caller, forms));
  if (out.refused) return out;  // nothing stored

  // Step 1: every record, reviewed as Submit reviews one.
  const Instant now = clock_.Now();
  const std::string year = std::to_string(static_cast<int>(JstDate(now).year()));
  std::vector<store::ApplicationRecord> apps;
  for (size_t i = 0; i < forms.size(); ++i) {
    ASSIGN_OR_RETURN(CheckedForm checked, CheckForm(caller, forms[i]));
    store::ApplicationRecord a = std::move(checked.record);
    ASSIGN_OR_RETURN(Preview preview, MakePreview(a));
    a.channel = std::string(ChannelName(caller.channel));
    a.account_id = caller.principal.account_id;
    a.idempotency_key = std::string(idempotency_key) + "-" + std::to_string(i + 1);
    a.state = store::ApplicationState::kPending;
    a.submitted_at = now;
    if (preview.in_register) {
      ASSIGN_OR_RETURN(a.register_version, store_.CurrentRegisterVersion());
    }
    // The rows of the file count toward the institution's limit one after another.
    preview.by_state.emplace_back(store::ApplicationState::kPending, static_cast<int64_t>(i));
    a.hold_reason = HoldReason(a, preview);
    apps.push_back(std::move(a));
  }

  // Step 2: all rows in one transaction (fresh request IDs on a collision).
  Status last;
  std::vector<store::ApplicationRecord> stored;
  std::vector<store::AuditEvent> events;
  for (int attempt = 0; attempt < kRequestIdAttempts; ++attempt) {
    events.clear();
    for (store::ApplicationRecord& a : apps) {
      ASSIGN_OR_RETURN(std::string digits, crypto::RandomDigits(10));
      a.request_id = year + digits;
      nlohmann::json details = {{"institution_code", a.institution_code},
                                {"channel", a.channel},
                                {"hold_reason", a.hold_reason},
                                {"bulk", a.idempotency_key}};
      store::AuditEvent ev{now, caller.Actor(), "application.submit", a.request_id, details.dump()};
      RETURN_IF_ERROR(
          AttachMail(ev, "application_received", a, {{"submitted_at", FormatJstMinute(now)}}));
      events.push_back(std::move(ev));
    }
    auto result = bulk.InsertApplications(apps, events, &out.created);
    if (result.ok()) {
      stored = std::move(*result);
      last = Status::Ok();
      break;
    }
    last = result.status();
    if (last.code() != Code::kConflict) return last;
  }
  RETURN_IF_ERROR(last);
  if (out.created > 0) {
    for (const store::AuditEvent& ev : events) LogAudit(ev);
  }

  // Step 3: automatic review of the new ones, one by one (a failure leaves it pending).
  for (store::ApplicationRecord& a : stored) {
    if (out.created > 0 && a.hold_reason.empty() && a.state == store::ApplicationState::kPending) {
      auto approved = ApproveAs("system:auto-review", a.request_id);
      if (approved.ok()) a = std::move(approved->application);
    }
  }
  out.applications = std::move(stored);
  return out;
}

}  // namespace claimsca::ra
