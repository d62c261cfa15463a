#include "kokuhoren/transfer.h"

#include <cstdio>
#include <utility>

#include "billing/payment_match.h"
#include "billing/plan.h"
#include "billing/zengin.h"
#include "common/iso_date.h"
#include "crypto/ossl.h"
#include "store/store.h"

namespace claimsca::kokuhoren {
namespace {

using store::SqlRow;
using store::SqlTx;

constexpr int64_t kMaxInvoiceId = 999'999'999;

constexpr char kInsertInvoice[] =
    "INSERT INTO kj_invoices (application_id, account_id, addressee_name, office_number, "
    "fee_kind, amount_yen, issue_date, due_date, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING";
// The invoice and its application's settlement, if any (the ledger decides "paid").
#define CLAIMSCA_KJ_INVOICE_SELECT                                                           \
  "SELECT i.invoice_id, i.application_id, i.account_id, i.addressee_name, i.office_number, " \
  "i.fee_kind, i.amount_yen, i.issue_date, i.due_date, s.kind FROM kj_invoices i "           \
  "LEFT JOIN kj_fee_ledger s ON s.application_id = i.application_id AND s.kind <> 'charge' "
constexpr char kInvoiceById[] = CLAIMSCA_KJ_INVOICE_SELECT "WHERE i.invoice_id = $1";
constexpr char kInvoiceOfApplication[] = CLAIMSCA_KJ_INVOICE_SELECT "WHERE i.application_id = $1";
constexpr char kInvoicesOfAccount[] =
    CLAIMSCA_KJ_INVOICE_SELECT "WHERE ($1 = '' OR i.account_id = $1) ORDER BY i.invoice_id";
#undef CLAIMSCA_KJ_INVOICE_SELECT

constexpr char kImported[] = "SELECT 1 FROM kj_payment_imports WHERE transfer_key = $1";
constexpr char kInsertImport[] =
    "INSERT INTO kj_payment_imports (transfer_key, file_sha256, record, booking_date, "
    "amount_yen, payer_name, invoice_number, outcome, imported_by, imported_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING";

int64_t Seconds(Instant t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

Result<Date> ParseIsoDate(const std::string& text) {
  ASSIGN_OR_RETURN(Instant t, ParseInstant(text));
  return JstDate(t);
}

Result<TransferInvoice> ReadInvoice(const SqlRow& r) {
  TransferInvoice inv;
  ASSIGN_OR_RETURN(inv.invoice_id, r.Int(0));
  inv.number = InvoiceNumber(inv.invoice_id);
  ASSIGN_OR_RETURN(inv.application_id, r.Text(1));
  ASSIGN_OR_RETURN(inv.account_id, r.Text(2));
  ASSIGN_OR_RETURN(inv.addressee_name, r.Text(3));
  ASSIGN_OR_RETURN(inv.office_number, r.Text(4));
  ASSIGN_OR_RETURN(std::string fee_kind, r.Text(5));
  inv.renewal = fee_kind == "renewal";
  ASSIGN_OR_RETURN(inv.amount_yen, r.Int(6));
  ASSIGN_OR_RETURN(std::string issue, r.Text(7));
  ASSIGN_OR_RETURN(std::string due, r.Text(8));
  ASSIGN_OR_RETURN(inv.issue_date, ParseIsoDate(issue));
  ASSIGN_OR_RETURN(inv.due_date, ParseIsoDate(due));
  ASSIGN_OR_RETURN(std::optional<std::string> settled, r.OptText(9));
  inv.paid = settled.has_value();
  inv.settled_by = settled.value_or("");
  return inv;
}

Result<std::optional<TransferInvoice>> ReadOneInvoice(SqlTx& tx, const char* sql,
                                                      const store::SqlValue& key) {
  ASSIGN_OR_RETURN(std::optional<SqlRow> row, tx.QueryFirst(sql, {key}));
  if (!row) return std::optional<TransferInvoice>();
  ASSIGN_OR_RETURN(TransferInvoice inv, ReadInvoice(*row));
  return std::optional<TransferInvoice>(std::move(inv));
}

// Pays `invoice` in full: the ledger's 'payment' entry, then the hook.
Result<FeeEntry> Pay(SqlTx& tx, const TransferInvoice& invoice, std::string_view reference,
                     std::string_view actor, Instant now, const PaymentHook& hook) {
  ASSIGN_OR_RETURN(FeeEntry paid,
                   Settle(tx, invoice.application_id, EntryKind::kPayment, reference, actor, now));
  if (hook) {
    TransferInvoice settled = invoice;
    settled.paid = true;
    settled.settled_by = std::string(Name(EntryKind::kPayment));
    RETURN_IF_ERROR(hook(tx, settled, actor, now));
  }
  return paid;
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

}  // namespace

std::string InvoiceNumber(int64_t invoice_id) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "9%09lld", static_cast<long long>(invoice_id));
  return buf;
}

std::optional<int64_t> ParseInvoiceNumber(std::string_view number) {
  if (number.size() != 10 || number[0] != '9') return std::nullopt;
  int64_t id = 0;
  for (char c : number.substr(1)) {
    if (c < '0' || c > '9') return std::nullopt;
    id = id * 10 + (c - '0');
  }
  if (id == 0) return std::nullopt;
  return id;
}

Result<TransferInvoice> CreateInvoice(SqlTx& tx, const ChargeRequest& request, int64_t amount_yen,
                                      const InvoiceTerms& terms, Instant now) {
  const Date issue = JstDate(now);
  const Date due = billing::DueDate(issue, terms.due_days);
  const std::string name = request.addressee_name.empty() ? DisplayUserId(request.applicant_account)
                                                          : request.addressee_name;
  ASSIGN_OR_RETURN(
      int64_t n,
      tx.Exec(kInsertInvoice, {request.application_id, request.applicant_account, name,
                               request.office_number, request.renewal ? "renewal" : "issuance",
                               amount_yen, IsoDate(issue), IsoDate(due), Seconds(now)}));
  if (n != 1)
    return Conflict("kokuhoren: application " + request.application_id + " already has an invoice");
  ASSIGN_OR_RETURN(std::optional<TransferInvoice> inv,
                   InvoiceOfApplication(tx, request.application_id));
  if (!inv) return Internal("kokuhoren: invoice not read back");
  if (inv->invoice_id > kMaxInvoiceId) {
    return FailedPrecondition("kokuhoren: invoice numbers exhausted (9 digits)");
  }
  return *std::move(inv);
}

Result<std::optional<TransferInvoice>> InvoiceByNumber(SqlTx& tx, std::string_view number) {
  std::optional<int64_t> id = ParseInvoiceNumber(number);
  if (!id) return std::optional<TransferInvoice>();
  return ReadOneInvoice(tx, kInvoiceById, *id);
}

Result<std::optional<TransferInvoice>> InvoiceOfApplication(SqlTx& tx,
                                                            std::string_view application_id) {
  return ReadOneInvoice(tx, kInvoiceOfApplication, application_id);
}

Result<std::vector<TransferInvoice>> InvoicesOfAccount(SqlTx& tx, std::string_view account_id) {
  std::vector<TransferInvoice> out;
  RETURN_IF_ERROR(tx.QueryEach(kInvoicesOfAccount, {account_id}, [&](const SqlRow& r) -> Status {
    ASSIGN_OR_RETURN(TransferInvoice inv, ReadInvoice(r));
    out.push_back(std::move(inv));
    return Status::Ok();
  }));
  return out;
}

Result<FeeEntry> ConfirmTransferPayment(SqlTx& tx, std::string_view invoice_number,
                                        std::string_view note, std::string_view actor, Instant now,
                                        const PaymentHook& hook) {
  ASSIGN_OR_RETURN(std::optional<TransferInvoice> inv, InvoiceByNumber(tx, invoice_number));
  if (!inv) return NotFound("kokuhoren: no invoice " + std::string(invoice_number));
  if (inv->paid) {
    return Conflict("kokuhoren: invoice " + inv->number + " is already settled (" +
                    inv->settled_by + ")");
  }
  const std::string reference = note.empty() ? "confirmed" : "confirmed: " + std::string(note);
  ASSIGN_OR_RETURN(FeeEntry paid, Pay(tx, *inv, reference, actor, now, hook));
  RETURN_IF_ERROR(tx.AppendAudit(
      store::AuditEvent{now, std::string(actor), "kokuhoren.payment.confirm", inv->number,
                        "{\"application_id\":\"" + inv->application_id +
                            "\",\"amount_yen\":" + std::to_string(inv->amount_yen) + "}"}));
  return paid;
}

Result<ImportSummary> ImportTransferPayments(SqlTx& tx, std::string_view bytes, Date today,
                                             std::string_view actor, Instant now,
                                             const PaymentHook& hook) {
  if (actor.empty()) return InvalidArgument("kokuhoren payments: actor required");
  ASSIGN_OR_RETURN(billing::ZenginFile file, billing::ParseZengin(bytes, today));
  ImportSummary summary;
  summary.file_sha256 = crypto::Sha256Hex(bytes);

  // The invoices the lookup found, so that an error of the store is not lost in the pure
  // matcher (it returns nullopt for an unknown number).
  Status lookup_error;
  const billing::InvoiceLookup lookup =
      [&](std::string_view number) -> std::optional<billing::OpenInvoice> {
    Result<std::optional<TransferInvoice>> inv = InvoiceByNumber(tx, number);
    if (!inv.ok()) {
      if (lookup_error.ok()) lookup_error = inv.status();
      return std::nullopt;
    }
    if (!*inv) return std::nullopt;
    return billing::OpenInvoice{(*inv)->number, (*inv)->amount_yen,
                                (*inv)->paid ? (*inv)->amount_yen : 0};
  };
  Status imported_error;
  const auto imported = [&](std::string_view key) {
    Result<std::optional<SqlRow>> row = tx.QueryFirst(kImported, {key});
    if (!row.ok()) {
      if (imported_error.ok()) imported_error = row.status();
      return false;
    }
    return row->has_value();
  };
  const std::vector<billing::PlannedPayment> plan = billing::PlanPayments(file, lookup, imported);
  RETURN_IF_ERROR(lookup_error);
  RETURN_IF_ERROR(imported_error);

  for (const billing::PlannedPayment& p : plan) {
    using billing::MatchOutcome;
    ImportedTransfer t;
    t.key = p.key;
    t.record = p.transfer->record;
    t.amount_yen = p.transfer->amount;
    t.payer_name = p.transfer->payer_name.text;
    t.already_imported = p.already_imported;
    if (p.already_imported) {
      ++summary.already;
      summary.transfers.push_back(std::move(t));
      continue;
    }
    // A cancellation or a transfer naming several invoices is ours when one of its
    // numbers is a 国保連 invoice; the others (unknown, no number) belong to billing.
    std::vector<std::string> ours;
    for (const std::string& c : p.match.candidates) {
      ASSIGN_OR_RETURN(std::optional<TransferInvoice> inv, InvoiceByNumber(tx, c));
      if (inv) ours.push_back(c);
    }
    if (ours.empty()) {
      ++summary.not_kokuhoren;
      continue;
    }
    t.outcome = std::string(billing::MatchOutcomeName(p.match.outcome));
    t.invoice_number = p.match.invoice_number.empty() ? Join(ours) : p.match.invoice_number;
    ASSIGN_OR_RETURN(
        int64_t n,
        tx.Exec(kInsertImport,
                {t.key, summary.file_sha256, int64_t{t.record}, IsoDate(p.transfer->booking_date),
                 t.amount_yen, t.payer_name, t.invoice_number, t.outcome, actor, Seconds(now)}));
    if (n != 1) return Conflict("kokuhoren payments: transfer " + t.key + " imported meanwhile");
    if (p.match.outcome == MatchOutcome::kApplied) {
      ASSIGN_OR_RETURN(std::optional<TransferInvoice> inv,
                       InvoiceByNumber(tx, p.match.invoice_number));
      if (!inv) return Internal("kokuhoren payments: matched invoice vanished");
      RETURN_IF_ERROR(Pay(tx, *inv, t.key, actor, now, hook).status());
      t.application_id = inv->application_id;
      ++summary.applied;
    } else {
      ++summary.queued;
    }
    summary.transfers.push_back(std::move(t));
  }
  if (summary.applied + summary.queued > 0) {
    RETURN_IF_ERROR(tx.AppendAudit(
        store::AuditEvent{now, std::string(actor), "kokuhoren.payments.import", summary.file_sha256,
                          "{\"applied\":" + std::to_string(summary.applied) +
                              ",\"queued\":" + std::to_string(summary.queued) + "}"}));
  }
  return summary;
}

billing::InvoiceIssuer KokuhorenInvoiceIssuer(std::string organisation, std::string postal_code,
                                              std::string address) {
  billing::InvoiceIssuer issuer;
  issuer.organisation = std::move(organisation);
  issuer.postal_code = std::move(postal_code);
  issuer.address_lines.clear();
  if (!address.empty()) issuer.address_lines.push_back(std::move(address));
  issuer.ca_name = "電子請求受付システム 認証サービス";
  return issuer;
}

Result<std::string> RenderTransferInvoicePdf(const TransferInvoice& invoice,
                                             const billing::PayeeAccount& payee,
                                             const billing::InvoiceIssuer& issuer) {
  billing::InvoiceDocument doc;
  doc.number = invoice.number;
  doc.issue_date = invoice.issue_date;
  doc.due_date = invoice.due_date;
  doc.billing_month =
      std::chrono::year_month(invoice.issue_date.year(), invoice.issue_date.month());
  doc.institution_code = invoice.office_number;
  doc.code_label = "介護保険事業所番号";
  doc.institution_name = invoice.addressee_name;
  doc.amount_yen = invoice.amount_yen;
  doc.lines.push_back(billing::InvoiceLine{
      .request_id = invoice.application_id,
      .terminal_name = "電子証明書 (" + DisplayUserId(invoice.account_id) + ")",
      .issuance_date = invoice.issue_date,
      .kind = invoice.renewal ? billing::FeeKind::kRenewal : billing::FeeKind::kIssuance,
      .amount_yen = invoice.amount_yen});
  return billing::RenderInvoicePdf({doc}, payee, issuer, invoice.issue_date);
}

}  // namespace claimsca::kokuhoren
