#include "subsidy/calc.h"

#include <algorithm>
#include <charconv>

#include "common/iso_date.h"

namespace claimsca::subsidy {
namespace {

constexpr size_t kMaxVendorBytes = 300;

Result<int64_t> SmallInt(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty() || s[0] == '+' || s[0] == '-') {
    return InvalidArgument("not a number");
  }
  return v;
}

Status CheckEntry(const ScheduleEntry& e) {
  const std::string where = "subsidy.schedule from " + IsoDate(e.from) + ": ";
  if (!e.from.ok() || !e.deadline.ok()) return InvalidArgument(where + "not a date");
  if (e.deadline < e.from) return InvalidArgument(where + "deadline before from");
  if (e.cap_yen <= 0 || e.cap_yen > kMaxReceiptYen) {
    return InvalidArgument(where + "cap_yen must be 1.." + std::to_string(kMaxReceiptYen));
  }
  if (e.rate.numerator <= 0 || e.rate.denominator > 100 || e.rate.numerator > e.rate.denominator) {
    return InvalidArgument(where + "rate must be n/d with 0 < n <= d <= 100");
  }
  return Status::Ok();
}

}  // namespace

std::string_view DeviceKindName(DeviceKind k) {
  switch (k) {
    case DeviceKind::kSmartphone:
      return "smartphone";
    case DeviceKind::kTablet:
      return "tablet";
    case DeviceKind::kCardReader:
      return "card_reader";
  }
  return "?";
}

std::string_view DeviceKindLabel(DeviceKind k) {
  switch (k) {
    case DeviceKind::kSmartphone:
      return "スマートフォン";
    case DeviceKind::kTablet:
      return "タブレット";
    case DeviceKind::kCardReader:
      return "汎用カードリーダー";
  }
  return "?";
}

Result<DeviceKind> ParseDeviceKind(std::string_view name) {
  for (DeviceKind k : {DeviceKind::kSmartphone, DeviceKind::kTablet, DeviceKind::kCardReader}) {
    if (name == DeviceKindName(k)) return k;
  }
  return InvalidArgument("機器の種類 '" + std::string(name) +
                         "' は補助対象ではありません（smartphone / tablet / card_reader）");
}

Result<Receipt> ParseReceipt(std::string_view kind, std::string_view purchase_date,
                             std::string_view amount_yen, std::string_view vendor) {
  Receipt r;
  ASSIGN_OR_RETURN(r.kind, ParseDeviceKind(kind));
  Result<Instant> day = ParseInstant(purchase_date);
  if (purchase_date.size() != 10 || !day.ok()) {
    return InvalidArgument("購入日（purchase_date）は YYYY-MM-DD で入力してください");
  }
  r.purchase_date = JstDate(*day);
  std::string digits;
  for (char c : amount_yen) {
    if (c != ',') digits += c;
  }
  Result<int64_t> yen = digits.size() <= 12 ? SmallInt(digits) : InvalidArgument("");
  if (!yen.ok()) return InvalidArgument("金額（amount_yen）は円単位の整数で入力してください");
  r.amount_yen = *yen;
  r.vendor = std::string(vendor);
  return r;
}

Result<Rate> ParseRate(std::string_view text) {
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos)
    return InvalidArgument("rate '" + std::string(text) + "': n/d");
  Result<int64_t> n = SmallInt(text.substr(0, slash));
  Result<int64_t> d = SmallInt(text.substr(slash + 1));
  if (!n.ok() || !d.ok() || *n <= 0 || *d > 100 || *n > *d) {
    return InvalidArgument("rate '" + std::string(text) + "': n/d with 0 < n <= d <= 100");
  }
  return Rate{*n, *d};
}

std::string FormatRate(Rate r) {
  return std::to_string(r.numerator) + "/" + std::to_string(r.denominator);
}

ScheduleEntry SeedScheduleEntry() {
  using namespace std::chrono;
  return ScheduleEntry{Date{year(2024), month(6), day(13)}, Date{year(2025), month(1), day(15)},
                       31000, Rate{3, 4}};
}

Result<Schedule> Schedule::Create(std::vector<ScheduleEntry> entries) {
  if (entries.empty()) return InvalidArgument("subsidy.schedule: at least one entry");
  for (const ScheduleEntry& e : entries) RETURN_IF_ERROR(CheckEntry(e));
  std::sort(entries.begin(), entries.end(),
            [](const ScheduleEntry& a, const ScheduleEntry& b) { return a.from < b.from; });
  for (size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].from == entries[i - 1].from) {
      return InvalidArgument("subsidy.schedule: two entries from " + IsoDate(entries[i].from));
    }
  }
  Schedule s;
  s.entries_ = std::move(entries);
  return s;
}

Schedule Schedule::Default() {
  Schedule s;
  s.entries_ = {SeedScheduleEntry()};
  return s;
}

Result<ScheduleEntry> Schedule::InForce(Date date) const {
  const ScheduleEntry* found = nullptr;
  for (const ScheduleEntry& e : entries_) {
    if (e.from <= date) found = &e;
  }
  if (!found) {
    return FailedPrecondition("補助金の申請受付は" + FormatDateJa(entries_.front().from) +
                              "からです。");
  }
  return *found;
}

int64_t SubsidyAmount(int64_t eligible_yen, Rate rate, int64_t cap_yen) {
  // Integer floor: eligible and the rate are non-negative, so division truncates down.
  return std::min(eligible_yen * rate.numerator / rate.denominator, cap_yen);
}

std::string DeadlineMessage(Date deadline) {
  return "補助金の申請期限（" + FormatDateJa(deadline) + "）を過ぎているため申請できません。";
}

Result<Calculation> Calculate(const Schedule& schedule, Instant applied_at,
                              const std::vector<Receipt>& receipts) {
  Calculation c;
  c.application_date = JstDate(applied_at);
  ASSIGN_OR_RETURN(c.entry, schedule.InForce(c.application_date));
  if (c.application_date > c.entry.deadline) {
    return FailedPrecondition(DeadlineMessage(c.entry.deadline));
  }
  if (receipts.empty()) return InvalidArgument("領収書: 1件以上必要です");
  if (receipts.size() > kMaxReceipts) {
    return InvalidArgument("領収書: " + std::to_string(kMaxReceipts) + "件までです");
  }
  for (size_t i = 0; i < receipts.size(); ++i) {
    const Receipt& r = receipts[i];
    const std::string where = "領収書" + std::to_string(i + 1) + "の";
    if (!r.purchase_date.ok() || r.purchase_date < c.entry.from ||
        r.purchase_date > c.application_date) {
      return InvalidArgument(where + "購入日（purchase_date）は" + FormatDateJa(c.entry.from) +
                             "から申請日" + FormatDateJa(c.application_date) +
                             "までの日付にしてください");
    }
    if (r.amount_yen <= 0 || r.amount_yen > kMaxReceiptYen) {
      return InvalidArgument(where + "金額（amount_yen）は1円から" +
                             std::to_string(kMaxReceiptYen) + "円までです");
    }
    if (r.vendor.empty() || r.vendor.size() > kMaxVendorBytes) {
      return InvalidArgument(where + "購入先（vendor）は1〜100文字で入力してください");
    }
    c.eligible_yen += r.amount_yen;
  }
  c.subsidy_yen = SubsidyAmount(c.eligible_yen, c.entry.rate, c.entry.cap_yen);
  c.capped = c.eligible_yen * c.entry.rate.numerator / c.entry.rate.denominator > c.entry.cap_yen;
  return c;
}

}  // namespace claimsca::subsidy
