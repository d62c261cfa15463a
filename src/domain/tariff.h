#pragma once

// The dated tariff (DOMAIN.md §5, §7; docs/calendar-and-fees.md): fees change over time
// (the guide was revised for postage in 2024-10 and 2026-04), so amounts live in dated
// entries — loaded from configuration — and never in code paths. Pure; no I/O.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "common/time_util.h"

namespace claimsca::domain {

// The program name of the common CA (オンライン請求ネットワーク関連システム共通認証局).
inline constexpr std::string_view kCommonProgram = "common";

// Upper bound of one fee, so that sums cannot overflow (ten billion yen).
inline constexpr int64_t kMaxFeeYen = 10'000'000'000;

// The fees of one program in force from `effective_from` (a JST date, inclusive) until the
// next entry of the same program. All amounts in yen, tax included.
struct TariffEntry {
  Date effective_from;
  std::string program;           // e.g. kCommonProgram
  int64_t issuance_fee_yen = 0;  // 発行料 (license fee), per certificate
  int64_t renewal_fee_yen = 0;   // 更新料, per in-validity renewal
  int64_t mailing_fee_yen = 0;   // 郵送手数料, per 発行通知書 mailed

  bool operator==(const TariffEntry&) const = default;
};

class Tariff {
 public:
  // Validates and sorts the entries: each needs a valid date, a non-empty program and
  // fees in [0, kMaxFeeYen]; two entries of one program may not share a date.
  // InvalidArgument otherwise. An empty list is allowed (every lookup is then NotFound).
  static Result<Tariff> Create(std::vector<TariffEntry> entries);

  // The entry of `program` in force on `on`: the one with the latest effective_from <= on.
  // NotFound for an unknown program or a date before its first entry.
  Result<TariffEntry> At(std::string_view program, Date on) const;

  // All entries, sorted by (program, effective_from).
  const std::vector<TariffEntry>& entries() const { return entries_; }

 private:
  explicit Tariff(std::vector<TariffEntry> entries) : entries_(std::move(entries)) {}
  std::vector<TariffEntry> entries_;
};

// What is being charged for (DOMAIN.md §5, §7).
enum class FeeKind {
  kNewApplication,  // 新規発行: issuance fee + mailing fee (the notice is mailed)
  kRenewal,         // 有効期限内の更新: renewal fee, nothing mailed, no mailing fee
  kReapplication,   // 有効期限後の再申請: a new application — issuance fee + mailing fee
};

// Stable API name: "new_application", "renewal", "reapplication".
std::string_view FeeKindName(FeeKind kind);

struct FeeQuote {
  int64_t issuance_yen = 0;  // the issuance fee, or the renewal fee for kRenewal
  int64_t mailing_yen = 0;
  int64_t total_yen = 0;

  bool operator==(const FeeQuote&) const = default;
};

// The fees of `kind` under one tariff entry.
FeeQuote QuoteFee(const TariffEntry& entry, FeeKind kind);

// The fees of `kind` for `program` under the entry in force on `issuance_date` — the day
// the application is approved, when the fee arises (seed 000 §2). NotFound as in At().
Result<FeeQuote> QuoteFee(const Tariff& tariff, std::string_view program, Date issuance_date,
                          FeeKind kind);

// The built-in tariff of the common CA, written to the configuration by `init`: the
// amounts of seed 000 §7 as revised on 2026-04-01 (guide version 1.7): license fee 1,500
// yen, renewal 1,500 yen, mailing fee 792 yen per notice. The seed gives only the amounts
// now in force, so the single entry starts on 2026-04-01; earlier periods (the 2024-10
// postage) must be added from the operator's records if needed.
std::vector<TariffEntry> DefaultCommonTariff();

// The program name of the 国保連 電子請求受付システム (kokuhoren::kProgram).
inline constexpr std::string_view kKokuhorenProgram = "kokuhoren";

// The built-in tariff of the 国保連 program (docs/kokuhoren.md, "Fees"): issuance 7,800 yen
// (the fee seed 002's screen shows for one pending application), renewal 7,800 yen, no
// mailing fee (nothing is mailed: the certificate is downloaded), effective 2014-04-01 (the
// seed's oldest certificate, 2014-10-01, falls under it). `init` writes it beside the common
// tariff; a configuration without any kokuhoren entry gets it (cmd/config.cc).
std::vector<TariffEntry> DefaultKokuhorenTariff();

}  // namespace claimsca::domain
