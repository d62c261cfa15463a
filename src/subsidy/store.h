#pragma once

// The subsidy applications (docs/qualcheck.md "Subsidy"), over store/module_sql.h
// (tables of migrations 084–086). Every state change is one transaction with its audit
// event ("subsidy.apply", "subsidy.approve", "subsidy.reject", "subsidy.paid"):
//
//   submitted (申請中) ─ approve ─> approved (承認, amount fixed) ─ payment file + mark paid ─>
//   paid (支払済み)
//             └─ reject (reason) ─> rejected (却下)
//
// One subsidy per institution: a second application is refused (Conflict) while one is
// submitted, approved or paid; after a rejection the institution may apply again.
// Only an institution with an approved 資格確認限定型 app use (申請区分 2) may apply: the
// `ApprovedUse` lookup (src/qualcheck's ApplicationStore, wired in src/cmd) answers it.
// Thread-safe as the Store is; the clock gives every date (JST).

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "subsidy/calc.h"

namespace claimsca::store {
class Store;
}

namespace claimsca::subsidy {

enum class State { kSubmitted, kApproved, kRejected, kPaid };
// "submitted" / "approved" / "rejected" / "paid", and 申請中 / 承認 / 却下 / 支払済み.
std::string_view StateName(State s);
std::string_view StateLabel(State s);
Result<State> ParseState(std::string_view name);

enum class Channel { kPortal, kPaper };

struct Application {
  std::string application_id;  // "SUB000001"
  std::string institution_code;
  std::string institution_name;
  Channel channel = Channel::kPortal;
  State state = State::kSubmitted;
  Date applied_date{};
  ScheduleEntry entry;  // the entry in force on applied_date
  int64_t eligible_yen = 0;
  int64_t amount_yen = 0;
  std::string applied_by;
  Instant applied_at{};
  std::optional<std::string> reviewed_by;
  std::optional<std::string> approval_date;  // "YYYY-MM-DD" (JST)
  std::optional<std::string> reject_reason;
  std::optional<std::string> payment_file_date;  // the payment file it is in
  std::optional<Instant> paid_at;
  std::vector<Receipt> receipts;
};

struct ApplyRequest {
  std::string institution_code;
  std::string institution_name;  // from the register (the caller reads it)
  Channel channel = Channel::kPortal;
  std::vector<Receipt> receipts;
  std::string actor;  // "institution:<account>" or "operator:<name>" (keyed paper form)
};

// Whether `institution_code` has an approved 資格確認限定型 app use (申請区分 2).
using ApprovedUse = std::function<Result<bool>(std::string_view institution_code)>;

class SubsidyStore {
 public:
  // `store`, `clock` outlive this object.
  SubsidyStore(store::Store& store, Schedule schedule, const Clock& clock,
               ApprovedUse approved_use);

  // The amounts the application would get now (the portal shows them before submitting).
  Result<Calculation> Preview(const std::vector<Receipt>& receipts) const;

  // FailedPrecondition after the deadline (calc.h's message) or without an approved use;
  // InvalidArgument for a receipt; Conflict when the institution already has one.
  Result<Application> Apply(const ApplyRequest& r);
  // NotFound for an unknown id.
  Result<Application> Get(std::string_view application_id);
  // Newest first; filters are optional. The receipts are not read (empty).
  Result<std::vector<Application>> List(std::optional<State> state,
                                        std::optional<std::string> institution_code);
  // submitted -> approved; FailedPrecondition from another state.
  Result<Application> Approve(std::string_view application_id, std::string_view actor);
  // submitted -> rejected with a reason (required, ≤ 500 bytes).
  Result<Application> Reject(std::string_view application_id, std::string_view reason,
                             std::string_view actor);

  store::Store& store() { return store_; }
  const Clock& clock() const { return clock_; }

 private:
  store::Store& store_;
  Schedule schedule_;
  const Clock& clock_;
  ApprovedUse approved_use_;
};

}  // namespace claimsca::subsidy
