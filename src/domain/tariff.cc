#include "domain/tariff.h"

#include <algorithm>
#include <cstdio>
#include <tuple>

namespace claimsca::domain {
namespace {

std::string Iso(Date d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return buf;
}

Status CheckFee(const TariffEntry& e, std::string_view what, int64_t yen) {
  if (yen < 0 || yen > kMaxFeeYen) {
    return InvalidArgument("tariff entry " + e.program + " " + Iso(e.effective_from) + ": " +
                           std::string(what) + " " + std::to_string(yen) + " out of range [0, " +
                           std::to_string(kMaxFeeYen) + "]");
  }
  return Status::Ok();
}

}  // namespace

Result<Tariff> Tariff::Create(std::vector<TariffEntry> entries) {
  for (const auto& e : entries) {
    if (e.program.empty()) return InvalidArgument("tariff entry without a program");
    if (!e.effective_from.ok()) {
      return InvalidArgument("tariff entry " + e.program + ": invalid effective_from date");
    }
    RETURN_IF_ERROR(CheckFee(e, "issuance_fee_yen", e.issuance_fee_yen));
    RETURN_IF_ERROR(CheckFee(e, "renewal_fee_yen", e.renewal_fee_yen));
    RETURN_IF_ERROR(CheckFee(e, "mailing_fee_yen", e.mailing_fee_yen));
  }
  auto key = [](const TariffEntry& e) { return std::tie(e.program, e.effective_from); };
  std::sort(entries.begin(), entries.end(),
            [&](const TariffEntry& a, const TariffEntry& b) { return key(a) < key(b); });
  for (size_t i = 1; i < entries.size(); ++i) {
    if (key(entries[i - 1]) == key(entries[i])) {
      return InvalidArgument("two tariff entries for " + entries[i].program + " from " +
                             Iso(entries[i].effective_from));
    }
  }
  return Tariff(std::move(entries));
}

Result<TariffEntry> Tariff::At(std::string_view program, Date on) const {
  const TariffEntry* found = nullptr;
  for (const auto& e : entries_) {
    if (e.program == program && e.effective_from <= on) found = &e;  // sorted: last wins
  }
  if (found == nullptr) {
    return NotFound("no tariff for " + std::string(program) + " on " + Iso(on));
  }
  return *found;
}

std::string_view FeeKindName(FeeKind kind) {
  switch (kind) {
    case FeeKind::kNewApplication:
      return "new_application";
    case FeeKind::kRenewal:
      return "renewal";
    case FeeKind::kReapplication:
      return "reapplication";
  }
  return "unknown";
}

FeeQuote QuoteFee(const TariffEntry& entry, FeeKind kind) {
  FeeQuote q;
  if (kind == FeeKind::kRenewal) {
    q.issuance_yen = entry.renewal_fee_yen;  // renewed online: no notice, no mailing fee
  } else {
    q.issuance_yen = entry.issuance_fee_yen;
    q.mailing_yen = entry.mailing_fee_yen;
  }
  q.total_yen = q.issuance_yen + q.mailing_yen;
  return q;
}

Result<FeeQuote> QuoteFee(const Tariff& tariff, std::string_view program, Date issuance_date,
                          FeeKind kind) {
  ASSIGN_OR_RETURN(TariffEntry entry, tariff.At(program, issuance_date));
  return QuoteFee(entry, kind);
}

std::vector<TariffEntry> DefaultCommonTariff() {
  using std::chrono::April;
  using std::chrono::year;
  return {
      TariffEntry{.effective_from = Date{year(2026), April, std::chrono::day(1)},
                  .program = std::string(kCommonProgram),
                  .issuance_fee_yen = 1500,
                  .renewal_fee_yen = 1500,
                  .mailing_fee_yen = 792},
  };
}

std::vector<TariffEntry> DefaultKokuhorenTariff() {
  using std::chrono::April;
  using std::chrono::year;
  return {
      TariffEntry{.effective_from = Date{year(2014), April, std::chrono::day(1)},
                  .program = std::string(kKokuhorenProgram),
                  .issuance_fee_yen = 7800,
                  .renewal_fee_yen = 7800,
                  .mailing_fee_yen = 0},
  };
}

}  // namespace claimsca::domain
