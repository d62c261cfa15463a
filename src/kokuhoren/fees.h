#pragma once

// The 国保連 fee ledger (docs/kokuhoren.md, section "Fees"): table kj_fee_ledger (migration
// 070), append-only like billing's fee_charges. Money is int64 yen.
//
// - An application is charged once, when it is made (ChargeApplication, called by the
//   certificate applications part inside its own Apply transaction): 相殺 on the offset
//   office's balance; 振込 on the balance of the office the certificate is for, with an
//   invoice (kj_invoices, transfer.h) addressed to the applying account.
// - A charge is settled by one later entry with the negated amount: 'offset' (the monthly
//   offset file, offset_file.h), 'payment' (a confirmed transfer, transfer.h) or 'cancel'
//   (CancelCharge: the application was cancelled before it was settled).
// - 発行手数料残高 of an office = the sum of its entries (BalanceOfOffice), always.
//
// Every function runs inside the caller's store::SqlTx (store/module_sql.h), on SQLite and
// PostgreSQL alike; none commits. Not thread-safe beyond what SqlTx is.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "common/time_util.h"
#include "domain/tariff.h"
#include "kokuhoren/types.h"
#include "store/module_sql.h"

namespace claimsca::kokuhoren {

// Entry kinds (column kind): "charge", "offset", "payment", "cancel".
enum class EntryKind { kCharge, kOffset, kPayment, kCancel };
std::string_view Name(EntryKind k);
std::optional<EntryKind> ParseEntryKind(std::string_view name);

struct FeeEntry {
  int64_t entry_id = 0;
  std::string application_id;
  EntryKind kind = EntryKind::kCharge;
  PaymentMethod method = PaymentMethod::kOffset;
  bool renewal = false;           // fee_kind "renewal" (else "issuance")
  std::string office_number;      // whose balance: 介護保険事業所番号
  std::string account_id;         // that office's account (相殺) or the applying account (振込)
  std::string applicant_account;  // the account that applied (an office or an agent)
  std::string entry_date;         // "YYYY-MM-DD" (JST)
  int64_t amount_yen = 0;         // > 0 for a charge, < 0 for a settlement
  std::string reference;          // offset file month, transfer key, operator's note
  std::string actor;              // "kj:<account>", "operator:<name>", "job:…"
  Instant created_at{};

  bool operator==(const FeeEntry&) const = default;
};

// What the applications part knows when an application is made.
struct ChargeRequest {
  std::string application_id;     // kjcert's id, unique
  std::string applicant_account;  // the account applying (kj_office or kj_agent)
  std::string office_number;      // the office the certificate is for
  PaymentMethod method = PaymentMethod::kOffset;
  // 相殺: the offset office (its care office number, required; its account when known),
  // checked by the caller (KjAccounts::VerifyOffsetOffice). An office applying for itself
  // names itself.
  std::string offset_office_number;
  std::string offset_account;
  bool renewal = false;        // continue from the current certificate (renewal fee)
  std::string addressee_name;  // 振込: the invoice's addressee (the applying account's name)
  std::string actor;           // audit actor, e.g. "kj:kj12345678"
};

// How invoices are dated ([billing] due_days, billing::DueDate).
struct InvoiceTerms {
  int due_days = 0;  // 0: end of the month after the invoice's; N: N days after
};

// Charges the application under the tariff entry of program "kokuhoren" in force on
// JstDate(now): one 'charge' entry and, for 振込, its invoice (transfer.h). Idempotent: a
// second call for the same application returns the entry already written (the request must
// then name the same office and method, else Conflict). InvalidArgument for a missing
// field or an offset request without the offset office; NotFound when the tariff has no
// kokuhoren entry for the date.
Result<FeeEntry> ChargeApplication(store::SqlTx& tx, const domain::Tariff& tariff,
                                   const ChargeRequest& request, const InvoiceTerms& terms,
                                   Instant now);

// The application's charge, nullopt if it has none.
Result<std::optional<FeeEntry>> ChargeOf(store::SqlTx& tx, std::string_view application_id);
// The application's settlement entry, nullopt while it is open.
Result<std::optional<FeeEntry>> SettlementOf(store::SqlTx& tx, std::string_view application_id);

// What is still owed for one application: its charge plus its settlement (0 or the
// charge). The per-row figure of the certificate list (seed 002: 7,800円 while pending).
Result<int64_t> OutstandingOfApplication(store::SqlTx& tx, std::string_view application_id);

// 発行手数料残高: the sum of all entries of the office, charges minus settlements.
Result<int64_t> BalanceOfOffice(store::SqlTx& tx, std::string_view office_number);

// The entries of one office ("" = every office), oldest first.
Status ForEachFeeEntry(store::SqlTx& tx, std::string_view office_number,
                       const std::function<Status(const FeeEntry&)>& fn);

// Settles an open charge with a negated entry of `kind` (not kCharge) dated JstDate(now).
// NotFound without a charge; Conflict when already settled (by anything). Used by the
// offset file, the payment confirmation and CancelCharge.
Result<FeeEntry> Settle(store::SqlTx& tx, std::string_view application_id, EntryKind kind,
                        std::string_view reference, std::string_view actor, Instant now);

// The application was cancelled (取消) before its fee was settled: a 'cancel' entry
// cancels the charge (the balance drops). No-op returning nullopt when the application
// has no charge or it is already settled (an offset or a payment stays: the money moved).
Result<std::optional<FeeEntry>> CancelCharge(store::SqlTx& tx, std::string_view application_id,
                                             std::string_view reason, std::string_view actor,
                                             Instant now);

}  // namespace claimsca::kokuhoren
