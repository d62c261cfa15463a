#include "kokuhoren/fees.h"

#include <array>
#include <utility>

#include "common/iso_date.h"
#include "kokuhoren/transfer.h"

namespace claimsca::kokuhoren {
namespace {

using store::SqlRow;
using store::SqlTx;

#define CLAIMSCA_KJ_FEE_COLUMNS                                                   \
  "entry_id, application_id, kind, method, fee_kind, office_number, account_id, " \
  "applicant_account, entry_date, amount_yen, reference, actor, created_at FROM kj_fee_ledger "

constexpr char kInsert[] =
    "INSERT INTO kj_fee_ledger (application_id, kind, method, fee_kind, office_number, "
    "account_id, applicant_account, entry_date, amount_yen, reference, actor, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING";
constexpr char kCharge[] =
    "SELECT " CLAIMSCA_KJ_FEE_COLUMNS "WHERE application_id = $1 AND kind = 'charge'";
constexpr char kSettlement[] =
    "SELECT " CLAIMSCA_KJ_FEE_COLUMNS "WHERE application_id = $1 AND kind <> 'charge'";
constexpr char kEntries[] =
    "SELECT " CLAIMSCA_KJ_FEE_COLUMNS "WHERE ($1 = '' OR office_number = $1) ORDER BY entry_id";
#undef CLAIMSCA_KJ_FEE_COLUMNS

constexpr char kOutstanding[] =
    "SELECT coalesce(sum(amount_yen), 0) FROM kj_fee_ledger WHERE application_id = $1";
constexpr char kBalance[] =
    "SELECT coalesce(sum(amount_yen), 0) FROM kj_fee_ledger WHERE office_number = $1";

constexpr std::array<std::string_view, 4> kKindNames = {"charge", "offset", "payment", "cancel"};

Result<FeeEntry> ReadEntry(const SqlRow& r) {
  FeeEntry e;
  ASSIGN_OR_RETURN(e.entry_id, r.Int(0));
  ASSIGN_OR_RETURN(e.application_id, r.Text(1));
  ASSIGN_OR_RETURN(std::string kind, r.Text(2));
  ASSIGN_OR_RETURN(std::string method, r.Text(3));
  ASSIGN_OR_RETURN(std::string fee_kind, r.Text(4));
  std::optional<EntryKind> k = ParseEntryKind(kind);
  std::optional<PaymentMethod> m = ParsePaymentMethod(method);
  if (!k || !m)
    return InvalidArgument("kj_fee_ledger: entry with kind '" + kind + "', method '" + method +
                           "'");
  e.kind = *k;
  e.method = *m;
  e.renewal = fee_kind == "renewal";
  ASSIGN_OR_RETURN(e.office_number, r.Text(5));
  ASSIGN_OR_RETURN(e.account_id, r.Text(6));
  ASSIGN_OR_RETURN(e.applicant_account, r.Text(7));
  ASSIGN_OR_RETURN(e.entry_date, r.Text(8));
  ASSIGN_OR_RETURN(e.amount_yen, r.Int(9));
  ASSIGN_OR_RETURN(e.reference, r.Text(10));
  ASSIGN_OR_RETURN(e.actor, r.Text(11));
  ASSIGN_OR_RETURN(int64_t created, r.Int(12));
  e.created_at = Instant(std::chrono::seconds(created));
  return e;
}

Result<std::optional<FeeEntry>> ReadOne(SqlTx& tx, const char* sql, std::string_view id) {
  ASSIGN_OR_RETURN(std::optional<SqlRow> row, tx.QueryFirst(sql, {id}));
  if (!row) return std::optional<FeeEntry>();
  ASSIGN_OR_RETURN(FeeEntry e, ReadEntry(*row));
  return std::optional<FeeEntry>(std::move(e));
}

Result<int64_t> Sum(SqlTx& tx, const char* sql, std::string_view key) {
  ASSIGN_OR_RETURN(std::optional<SqlRow> row, tx.QueryFirst(sql, {key}));
  if (!row) return int64_t{0};
  return row->Int(0);
}

Status Insert(SqlTx& tx, const FeeEntry& e) {
  ASSIGN_OR_RETURN(
      int64_t n,
      tx.Exec(
          kInsert,
          {e.application_id, Name(e.kind), Name(e.method), e.renewal ? "renewal" : "issuance",
           e.office_number, e.account_id, e.applicant_account, e.entry_date, e.amount_yen,
           e.reference, e.actor,
           int64_t{std::chrono::duration_cast<std::chrono::seconds>(e.created_at.time_since_epoch())
                       .count()}}));
  if (n != 1)
    return Conflict("kokuhoren fee: application " + e.application_id + " already has a " +
                    std::string(e.kind == EntryKind::kCharge ? "charge" : "settlement"));
  return Status::Ok();
}

Status CheckRequest(const ChargeRequest& r) {
  if (r.application_id.empty()) return InvalidArgument("kokuhoren fee: application_id required");
  if (r.applicant_account.empty() || r.office_number.empty() || r.actor.empty()) {
    return InvalidArgument("kokuhoren fee " + r.application_id +
                           ": applicant_account, office_number and actor required");
  }
  if (r.method == PaymentMethod::kOffset && r.offset_office_number.empty()) {
    return InvalidArgument("kokuhoren fee " + r.application_id +
                           ": 相殺 needs the offset office's number");
  }
  return Status::Ok();
}

}  // namespace

std::string_view Name(EntryKind k) { return kKindNames[static_cast<size_t>(k)]; }

std::optional<EntryKind> ParseEntryKind(std::string_view name) {
  for (size_t i = 0; i < kKindNames.size(); ++i) {
    if (kKindNames[i] == name) return static_cast<EntryKind>(i);
  }
  return std::nullopt;
}

Result<FeeEntry> ChargeApplication(SqlTx& tx, const domain::Tariff& tariff,
                                   const ChargeRequest& request, const InvoiceTerms& terms,
                                   Instant now) {
  RETURN_IF_ERROR(CheckRequest(request));
  const bool offset = request.method == PaymentMethod::kOffset;
  FeeEntry e;
  e.application_id = request.application_id;
  e.kind = EntryKind::kCharge;
  e.method = request.method;
  e.renewal = request.renewal;
  e.office_number = offset ? request.offset_office_number : request.office_number;
  e.account_id = offset ? request.offset_account : request.applicant_account;
  e.applicant_account = request.applicant_account;
  e.entry_date = IsoDate(JstDate(now));
  e.actor = request.actor;
  e.created_at = std::chrono::time_point_cast<std::chrono::seconds>(now);

  ASSIGN_OR_RETURN(std::optional<FeeEntry> existing, ChargeOf(tx, request.application_id));
  if (existing) {
    if (existing->office_number != e.office_number || existing->method != e.method) {
      return Conflict("kokuhoren fee: application " + request.application_id +
                      " is already charged to another office or by another method");
    }
    return *std::move(existing);
  }
  ASSIGN_OR_RETURN(domain::FeeQuote quote,
                   domain::QuoteFee(tariff, domain::kKokuhorenProgram, JstDate(now),
                                    request.renewal ? domain::FeeKind::kRenewal
                                                    : domain::FeeKind::kNewApplication));
  if (quote.total_yen <= 0) {
    return FailedPrecondition("kokuhoren fee: the tariff in force on " + e.entry_date +
                              " charges nothing; nothing to record");
  }
  e.amount_yen = quote.total_yen;
  RETURN_IF_ERROR(Insert(tx, e));
  if (!offset) RETURN_IF_ERROR(CreateInvoice(tx, request, quote.total_yen, terms, now).status());
  ASSIGN_OR_RETURN(std::optional<FeeEntry> written, ChargeOf(tx, request.application_id));
  if (!written) return Internal("kokuhoren fee: charge of " + e.application_id + " not read back");
  return *std::move(written);
}

Result<std::optional<FeeEntry>> ChargeOf(SqlTx& tx, std::string_view application_id) {
  return ReadOne(tx, kCharge, application_id);
}

Result<std::optional<FeeEntry>> SettlementOf(SqlTx& tx, std::string_view application_id) {
  return ReadOne(tx, kSettlement, application_id);
}

Result<int64_t> OutstandingOfApplication(SqlTx& tx, std::string_view application_id) {
  return Sum(tx, kOutstanding, application_id);
}

Result<int64_t> BalanceOfOffice(SqlTx& tx, std::string_view office_number) {
  return Sum(tx, kBalance, office_number);
}

Status ForEachFeeEntry(SqlTx& tx, std::string_view office_number,
                       const std::function<Status(const FeeEntry&)>& fn) {
  return tx.QueryEach(kEntries, {office_number}, [&fn](const SqlRow& r) -> Status {
    ASSIGN_OR_RETURN(FeeEntry e, ReadEntry(r));
    return fn(e);
  });
}

Result<FeeEntry> Settle(SqlTx& tx, std::string_view application_id, EntryKind kind,
                        std::string_view reference, std::string_view actor, Instant now) {
  if (kind == EntryKind::kCharge) return InvalidArgument("kokuhoren fee: a charge settles nothing");
  if (actor.empty()) return InvalidArgument("kokuhoren fee: actor required");
  ASSIGN_OR_RETURN(std::optional<FeeEntry> charge, ChargeOf(tx, application_id));
  if (!charge) {
    return NotFound("kokuhoren fee: application " + std::string(application_id) + " has no charge");
  }
  ASSIGN_OR_RETURN(std::optional<FeeEntry> settled, SettlementOf(tx, application_id));
  if (settled) {
    return Conflict("kokuhoren fee: application " + std::string(application_id) +
                    " is already settled (" + std::string(Name(settled->kind)) + " on " +
                    settled->entry_date + ")");
  }
  FeeEntry s = *charge;
  s.kind = kind;
  s.amount_yen = -charge->amount_yen;
  s.entry_date = IsoDate(JstDate(now));
  s.reference = std::string(reference);
  s.actor = std::string(actor);
  s.created_at = std::chrono::time_point_cast<std::chrono::seconds>(now);
  RETURN_IF_ERROR(Insert(tx, s));
  ASSIGN_OR_RETURN(std::optional<FeeEntry> written, SettlementOf(tx, application_id));
  if (!written) return Internal("kokuhoren fee: settlement not read back");
  return *std::move(written);
}

Result<std::optional<FeeEntry>> CancelCharge(SqlTx& tx, std::string_view application_id,
                                             std::string_view reason, std::string_view actor,
                                             Instant now) {
  if (reason.empty()) return InvalidArgument("kokuhoren fee: a cancellation needs a reason");
  ASSIGN_OR_RETURN(std::optional<FeeEntry> charge, ChargeOf(tx, application_id));
  if (!charge) return std::optional<FeeEntry>();
  ASSIGN_OR_RETURN(std::optional<FeeEntry> settled, SettlementOf(tx, application_id));
  if (settled) return std::optional<FeeEntry>();
  ASSIGN_OR_RETURN(FeeEntry e, Settle(tx, application_id, EntryKind::kCancel, reason, actor, now));
  return std::optional<FeeEntry>(std::move(e));
}

}  // namespace claimsca::kokuhoren
