#pragma once

// The 資格確認限定型 subsidy's arithmetic (docs/qualcheck.md "Subsidy"; DOMAIN.md §10; seed
// 004): pure functions, no I/O, integer yen only.
//
// The rate, the cap and the deadline come from a DATED schedule (claimsca.toml
// [[subsidy.schedule]]); the entry in force is the one with the latest `from` not after the
// application's JST date. The application is accepted up to and including the deadline day
// (23:59:59 JST) and refused from the next day with the deadline in the message.
//
// Eligibility of a receipt (all must hold, else the whole application is refused with the
// receipt and the field named; nothing is silently left out):
// - kind: smartphone, tablet or card_reader (the leaflet's 補助対象の機器);
// - purchase_date: within [entry.from, application date] (not after the deadline either);
// - amount_yen: 1 .. kMaxReceiptYen, tax included;
// - vendor: not empty, at most 100 characters (bytes of UTF-8: 300).
// subsidy = min(floor(eligible × numerator / denominator), cap), eligible = sum of receipts.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "common/time_util.h"

namespace claimsca::subsidy {

enum class DeviceKind { kSmartphone, kTablet, kCardReader };

// "smartphone" / "tablet" / "card_reader", and the Japanese label of the leaflet.
std::string_view DeviceKindName(DeviceKind k);
std::string_view DeviceKindLabel(DeviceKind k);
Result<DeviceKind> ParseDeviceKind(std::string_view name);

inline constexpr int64_t kMaxReceiptYen = 10'000'000;
inline constexpr size_t kMaxReceipts = 20;

struct Receipt {
  DeviceKind kind = DeviceKind::kSmartphone;
  Date purchase_date{};
  int64_t amount_yen = 0;
  std::string vendor;

  bool operator==(const Receipt&) const = default;
};

// A receipt from text fields (a form, a CLI argument): kind name, "YYYY-MM-DD", integer
// yen (digits only, commas allowed: "41,333"), vendor. InvalidArgument naming the field
// (Japanese, with the field name in parentheses). The eligibility rules are Calculate's.
Result<Receipt> ParseReceipt(std::string_view kind, std::string_view purchase_date,
                             std::string_view amount_yen, std::string_view vendor);

// numerator/denominator, 0 < n <= d <= 100.
struct Rate {
  int64_t numerator = 3;
  int64_t denominator = 4;

  bool operator==(const Rate&) const = default;
};
// "3/4".
Result<Rate> ParseRate(std::string_view text);
std::string FormatRate(Rate r);

struct ScheduleEntry {
  Date from{};      // applications and purchases from this JST date
  Date deadline{};  // last JST day an application is accepted
  int64_t cap_yen = 0;
  Rate rate;

  bool operator==(const ScheduleEntry&) const = default;
};

// The seed's entry: from 2024-06-13 (the leaflet was mailed from the 13th), deadline
// 2025-01-15, cap 31,000 yen, rate 3/4.
ScheduleEntry SeedScheduleEntry();

class Schedule {
 public:
  // InvalidArgument for an empty schedule, a deadline before its from, two entries with
  // the same from, a cap <= 0 or a bad rate (the entry is named).
  static Result<Schedule> Create(std::vector<ScheduleEntry> entries);
  static Schedule Default();

  // The entry in force on `date`; FailedPrecondition before the first entry, with the date
  // applications open.
  Result<ScheduleEntry> InForce(Date date) const;
  const std::vector<ScheduleEntry>& entries() const { return entries_; }

 private:
  std::vector<ScheduleEntry> entries_;  // sorted by from
};

// min(floor(eligible × rate), cap); precondition: 0 <= eligible <= kMaxReceipts ×
// kMaxReceiptYen (no overflow: the product stays below 2^31 × 100).
int64_t SubsidyAmount(int64_t eligible_yen, Rate rate, int64_t cap_yen);

struct Calculation {
  ScheduleEntry entry;
  Date application_date{};
  int64_t eligible_yen = 0;
  int64_t subsidy_yen = 0;
  bool capped = false;  // the cap decided the amount
};

// The message of a refusal after the deadline:
// 「補助金の申請期限（2025年1月15日）を過ぎているため申請できません。」
std::string DeadlineMessage(Date deadline);

// Checks every receipt and computes the subsidy of an application made at `applied_at`.
// FailedPrecondition after the deadline (DeadlineMessage) or before the schedule starts;
// InvalidArgument naming the receipt (1-based) and the field for an ineligible receipt,
// no receipt, or more than kMaxReceipts.
Result<Calculation> Calculate(const Schedule& schedule, Instant applied_at,
                              const std::vector<Receipt>& receipts);

}  // namespace claimsca::subsidy
