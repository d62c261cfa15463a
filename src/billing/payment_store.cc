#include "billing/payment_store.h"

#include <nlohmann/json.hpp>

#include "billing/kana.h"
#include "billing/zengin.h"
#include "common/iso_date.h"
#include "crypto/ossl.h"
#include "store/module_sql.h"
#include "store/store.h"

namespace claimsca::billing {
namespace {

using store::SqlRow;
using store::SqlTx;
using Json = nlohmann::json;

constexpr char kFileSeen[] = "SELECT id FROM payment_files WHERE sha256 = $1";
constexpr char kInsertFile[] =
    "INSERT INTO payment_files (sha256, file_name, transfers, imported_at, imported_by) "
    "VALUES ($1, $2, $3, $4, $5) RETURNING id";
constexpr char kPaymentSeen[] = "SELECT id FROM payments WHERE transfer_key = $1";
// An invoice and what is applied to it (PostgreSQL's SUM of bigint is numeric: read as int).
constexpr char kInvoice[] =
    "SELECT b.amount_yen, COALESCE((SELECT SUM(a.amount_yen) FROM payment_applications a "
    "WHERE a.bill_number = b.number), 0) FROM bills b "
    "WHERE b.number = $1 AND b.method = 'invoice'";
constexpr char kInsertPayment[] =
    "INSERT INTO payments (transfer_key, file_id, record, inquiry_number, booking_date, "
    "value_date, amount_yen, payer_code, payer_name, remitting_bank, remitting_branch, edi, "
    "cancelled, outcome, invoice_number, candidates, record_hex) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) "
    "RETURNING id";
constexpr char kInsertApplication[] =
    "INSERT INTO payment_applications (payment_id, bill_number, amount_yen, how, applied_at, "
    "applied_by) VALUES ($1, $2, $3, $4, $5, $6)";
constexpr char kQueue[] =
    "SELECT p.id, p.booking_date, p.inquiry_number, p.amount_yen, p.payer_name, p.payer_code, "
    "p.outcome, COALESCE(p.invoice_number, ''), p.candidates FROM payments p "
    "WHERE p.outcome <> 'applied' AND NOT EXISTS "
    "(SELECT 1 FROM payment_resolutions r WHERE r.payment_id = p.id) ORDER BY p.id";
constexpr char kPayment[] =
    "SELECT p.amount_yen, p.outcome, p.cancelled, "
    "(SELECT COUNT(*) FROM payment_resolutions r WHERE r.payment_id = p.id) "
    "FROM payments p WHERE p.id = $1";
constexpr char kInsertResolution[] =
    "INSERT INTO payment_resolutions (payment_id, action, bill_number, reason, resolved_at, "
    "resolved_by) VALUES ($1, $2, $3, $4, $5, $6)";
constexpr char kUnpaid[] =
    "SELECT b.number, b.institution_code, b.name, b.amount_yen, b.due_date, "
    "COALESCE((SELECT SUM(a.amount_yen) FROM payment_applications a "
    "WHERE a.bill_number = b.number), 0), "
    "(SELECT COUNT(*) FROM nonpayment_confirmations c WHERE c.bill_number = b.number) "
    "FROM bills b WHERE b.method = 'invoice' AND b.due_date < $1 "
    "ORDER BY b.due_date, b.number";
constexpr char kOneInvoice[] =
    "SELECT b.number, b.institution_code, b.name, b.amount_yen, b.due_date, "
    "COALESCE((SELECT SUM(a.amount_yen) FROM payment_applications a "
    "WHERE a.bill_number = b.number), 0), "
    "(SELECT COUNT(*) FROM nonpayment_confirmations c WHERE c.bill_number = b.number), "
    "b.method FROM bills b WHERE b.number = $1";
constexpr char kRequestIds[] =
    "SELECT DISTINCT request_id FROM bill_items WHERE bill_number = $1 AND request_id <> '' "
    "ORDER BY request_id";
constexpr char kInsertConfirmation[] =
    "INSERT INTO nonpayment_confirmations (bill_number, due_date, grace_days, outstanding_yen, "
    "confirmed_at, confirmed_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
constexpr char kInsertRevocation[] =
    "INSERT INTO nonpayment_revocations (confirmation_id, request_id, outcome, detail, at) "
    "VALUES ($1, $2, $3, $4, $5)";

int64_t Seconds(Instant t) { return t.time_since_epoch().count(); }

std::string Joined(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : " ") + s;
  return out;
}

std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

Status Audit(SqlTx& tx, Instant now, std::string_view actor, std::string action,
             std::string_view subject, const Json& details) {
  return tx.AppendAudit(store::AuditEvent{now, std::string(actor), std::move(action),
                                          std::string(subject), Dump(details)});
}

// The record read by the kUnpaid / kOneInvoice columns 0-6.
Result<UnpaidInvoice> ReadInvoice(const SqlRow& row) {
  UnpaidInvoice u;
  ASSIGN_OR_RETURN(u.number, row.Text(0));
  ASSIGN_OR_RETURN(u.institution_code, row.Text(1));
  ASSIGN_OR_RETURN(u.name, row.Text(2));
  ASSIGN_OR_RETURN(u.amount_yen, row.Int(3));
  ASSIGN_OR_RETURN(std::string due, row.Text(4));
  ASSIGN_OR_RETURN(const Instant due_at, ParseInstant(due));  // a bare date: 00:00 JST
  u.due_date = JstDate(due_at);
  ASSIGN_OR_RETURN(u.paid_yen, row.Int(5));
  ASSIGN_OR_RETURN(u.confirmations, row.Int(6));
  return u;
}

// The last day still within the grace: unpaid after it means listed.
std::string GraceCutoff(Date today, int grace_days) {
  return IsoDate(Date{std::chrono::sys_days(today) - std::chrono::days(grace_days)});
}

Status RecordTransfer(SqlTx& tx, int64_t file_id, const PlannedPayment& p, std::string_view raw,
                      Instant now, std::string_view actor, PaymentImport* out) {
  const ZenginTransfer& t = *p.transfer;
  const Match& m = p.match;
  const std::string outcome(MatchOutcomeName(m.outcome));
  ASSIGN_OR_RETURN(
      auto row,
      tx.QueryFirst(
          kInsertPayment,
          {p.key, file_id, int64_t{t.record}, t.inquiry_number, IsoDate(t.booking_date),
           IsoDate(t.value_date), t.amount, t.payer_code, t.payer_name.text, t.remitting_bank.text,
           t.remitting_branch.text, t.edi.text, int64_t{t.cancelled}, outcome,
           m.invoice_number.empty() ? store::SqlValue() : store::SqlValue(m.invoice_number),
           Joined(m.candidates), crypto::HexEncode(raw)}));
  if (!row) return Internal("payment insert returned no id");
  ASSIGN_OR_RETURN(int64_t id, row->Int(0));
  if (m.outcome == MatchOutcome::kApplied) {
    ASSIGN_OR_RETURN(int64_t n, tx.Exec(kInsertApplication, {id, m.invoice_number, t.amount,
                                                             "matched", Seconds(now), actor}));
    (void)n;
    ++out->applied;
  } else {
    ++out->queued;
  }
  out->lines.push_back("record " + std::to_string(t.record) + " " + t.inquiry_number + " " +
                       std::to_string(t.amount) + " " + outcome +
                       (m.invoice_number.empty() ? "" : " " + m.invoice_number));
  return Status::Ok();
}

}  // namespace

Result<PaymentImport> ImportPayments(store::Store& store, std::string_view bytes,
                                     std::string_view file_name, Date today, Instant now,
                                     std::string_view actor) {
  ASSIGN_OR_RETURN(const ZenginFile file, ParseZengin(bytes, today));
  // The raw records, for record_hex: the parser accepted the file, so the layout is known.
  std::string converted;
  std::string_view data = bytes;
  if (file.utf8_kana && Utf8HalfWidthKanaToSingleBytes(bytes, &converted)) data = converted;
  const size_t stride = file.layout == ZenginFile::Layout::kNoNewlines ? 200
                        : file.layout == ZenginFile::Layout::kCrLf     ? 202
                                                                       : 201;
  PaymentImport out;
  out.sha256 = crypto::Sha256Hex(bytes);
  Status st = store::RunInTransaction(store, [&](SqlTx& tx) -> Status {
    const std::string sha256 = out.sha256;
    out = PaymentImport{};
    out.sha256 = sha256;
    RETURN_IF_ERROR(tx.Lock("billing-payments"));
    ASSIGN_OR_RETURN(auto seen, tx.QueryFirst(kFileSeen, {out.sha256}));
    if (seen) {
      out.repeated_file = true;
      return Status::Ok();
    }
    Status lookup_error;
    const InvoiceLookup lookup = [&](std::string_view number) -> std::optional<OpenInvoice> {
      auto r = tx.QueryFirst(kInvoice, {number});
      if (!r.ok()) lookup_error = r.status();
      if (!r.ok() || !*r) return std::nullopt;
      auto amount = (*r)->Int(0);
      auto paid = (*r)->Int(1);
      if (!amount.ok() || !paid.ok()) {
        lookup_error = amount.ok() ? paid.status() : amount.status();
        return std::nullopt;
      }
      return OpenInvoice{std::string(number), *amount, *paid};
    };
    Status seen_error;
    const auto imported = [&](std::string_view key) {
      auto r = tx.QueryFirst(kPaymentSeen, {key});
      if (!r.ok()) seen_error = r.status();
      return r.ok() && r->has_value();
    };
    const std::vector<PlannedPayment> plan = PlanPayments(file, lookup, imported);
    RETURN_IF_ERROR(lookup_error);
    RETURN_IF_ERROR(seen_error);
    out.transfers = static_cast<int64_t>(plan.size());
    ASSIGN_OR_RETURN(
        auto file_row,
        tx.QueryFirst(kInsertFile, {out.sha256, file_name, out.transfers, Seconds(now), actor}));
    if (!file_row) return Internal("payment file insert returned no id");
    ASSIGN_OR_RETURN(const int64_t file_id, file_row->Int(0));
    for (const PlannedPayment& p : plan) {
      if (p.already_imported) {
        ++out.skipped;
        out.lines.push_back("record " + std::to_string(p.transfer->record) + " " +
                            p.transfer->inquiry_number + " " + std::to_string(p.transfer->amount) +
                            " already imported");
        continue;
      }
      const size_t at = static_cast<size_t>(p.transfer->record - 1) * stride;
      RETURN_IF_ERROR(
          RecordTransfer(tx, file_id, p, data.substr(at, kZenginRecordLength), now, actor, &out));
    }
    return Audit(tx, now, actor, "billing.payments.import", out.sha256,
                 {{"file", std::string(file_name)},
                  {"transfers", out.transfers},
                  {"applied", out.applied},
                  {"queued", out.queued},
                  {"skipped", out.skipped}});
  });
  RETURN_IF_ERROR(st);
  return out;
}

Result<std::vector<QueuedPayment>> PaymentQueue(store::Store& store) {
  std::vector<QueuedPayment> out;
  const Status st = store::RunRead(store, [&](SqlTx& tx) -> Status {
    return tx.QueryEach(kQueue, {}, [&](const SqlRow& row) -> Status {
      QueuedPayment q;
      ASSIGN_OR_RETURN(q.id, row.Int(0));
      ASSIGN_OR_RETURN(q.booking_date, row.Text(1));
      ASSIGN_OR_RETURN(q.inquiry_number, row.Text(2));
      ASSIGN_OR_RETURN(q.amount_yen, row.Int(3));
      ASSIGN_OR_RETURN(q.payer_name, row.Text(4));
      ASSIGN_OR_RETURN(q.payer_code, row.Text(5));
      ASSIGN_OR_RETURN(q.outcome, row.Text(6));
      ASSIGN_OR_RETURN(q.invoice_number, row.Text(7));
      ASSIGN_OR_RETURN(q.candidates, row.Text(8));
      out.push_back(std::move(q));
      return Status::Ok();
    });
  });
  RETURN_IF_ERROR(st);
  return out;
}

Result<ResolveResult> ResolvePayment(store::Store& store, int64_t id, Resolution resolution,
                                     std::string_view invoice_number, std::string_view reason,
                                     Instant now, std::string_view actor) {
  const bool apply = resolution == Resolution::kApply;
  if (apply == invoice_number.empty()) {
    return InvalidArgument("give an invoice number to apply, or a reason to ignore or refund");
  }
  if (!apply && reason.empty()) return InvalidArgument("a reason is required");
  ResolveResult out;
  const Status st = store::RunInTransaction(store, [&](SqlTx& tx) -> Status {
    RETURN_IF_ERROR(tx.Lock("billing-payments"));
    ASSIGN_OR_RETURN(auto p, tx.QueryFirst(kPayment, {id}));
    if (!p) return NotFound("no payment " + std::to_string(id));
    ASSIGN_OR_RETURN(const int64_t amount, p->Int(0));
    ASSIGN_OR_RETURN(const std::string outcome, p->Text(1));
    ASSIGN_OR_RETURN(const int64_t cancelled, p->Int(2));
    ASSIGN_OR_RETURN(const int64_t resolved, p->Int(3));
    if (outcome == "applied" || resolved > 0) {
      return FailedPrecondition("payment " + std::to_string(id) + " is not in the queue (" +
                                (resolved > 0 ? "resolved already" : "applied at import") + ")");
    }
    const char* action = apply                               ? "applied"
                         : resolution == Resolution::kIgnore ? "ignored"
                                                             : "refund";
    if (apply) {
      if (cancelled) return FailedPrecondition("a cancellation (取消) cannot be applied");
      ASSIGN_OR_RETURN(auto inv, tx.QueryFirst(kInvoice, {invoice_number}));
      if (!inv) return NotFound("no invoice " + std::string(invoice_number));
      ASSIGN_OR_RETURN(const int64_t billed, inv->Int(0));
      ASSIGN_OR_RETURN(const int64_t paid, inv->Int(1));
      out.open_before = billed - paid;
      out.open_after = out.open_before - amount;
      ASSIGN_OR_RETURN(int64_t n, tx.Exec(kInsertApplication, {id, invoice_number, amount,
                                                               "operator", Seconds(now), actor}));
      (void)n;
    }
    ASSIGN_OR_RETURN(
        int64_t n, tx.Exec(kInsertResolution,
                           {id, action, apply ? store::SqlValue(invoice_number) : store::SqlValue(),
                            reason, Seconds(now), actor}));
    (void)n;
    Json details = {{"action", action}, {"amount", amount}, {"reason", std::string(reason)}};
    if (apply) {
      details["invoice"] = std::string(invoice_number);
      details["open_after"] = out.open_after;
    }
    return Audit(tx, now, actor, "billing.payment.resolve", std::to_string(id), details);
  });
  RETURN_IF_ERROR(st);
  return out;
}

Result<std::vector<UnpaidInvoice>> UnpaidInvoices(store::Store& store, Date today, int grace_days) {
  std::vector<UnpaidInvoice> out;
  const Status st = store::RunRead(store, [&](SqlTx& tx) -> Status {
    return tx.QueryEach(kUnpaid, {GraceCutoff(today, grace_days)},
                        [&](const SqlRow& row) -> Status {
                          ASSIGN_OR_RETURN(UnpaidInvoice u, ReadInvoice(row));
                          if (u.paid_yen < u.amount_yen) out.push_back(std::move(u));
                          return Status::Ok();
                        });
  });
  RETURN_IF_ERROR(st);
  return out;
}

Result<NonPaymentCase> NonPaymentOf(store::Store& store, std::string_view number, Date today,
                                    int grace_days) {
  NonPaymentCase c;
  const Status st = store::RunRead(store, [&](SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(auto row, tx.QueryFirst(kOneInvoice, {number}));
    if (!row) return NotFound("no bill " + std::string(number));
    ASSIGN_OR_RETURN(const std::string method, row->Text(7));
    if (method != "invoice") {
      return FailedPrecondition("bill " + std::string(number) + " is a deduction, not an invoice");
    }
    ASSIGN_OR_RETURN(c.invoice, ReadInvoice(*row));
    if (c.invoice.paid_yen >= c.invoice.amount_yen) {
      return FailedPrecondition("invoice " + std::string(number) + " is paid");
    }
    if (IsoDate(c.invoice.due_date) >= GraceCutoff(today, grace_days)) {
      return FailedPrecondition("invoice " + std::string(number) + " is due " +
                                IsoDate(c.invoice.due_date) + ": not unpaid past the " +
                                std::to_string(grace_days) + " days of grace on " + IsoDate(today));
    }
    c.request_ids.clear();
    return tx.QueryEach(kRequestIds, {number}, [&](const SqlRow& r) -> Status {
      ASSIGN_OR_RETURN(std::string ref, r.Text(0));
      c.request_ids.push_back(std::move(ref));
      return Status::Ok();
    });
  });
  RETURN_IF_ERROR(st);
  return c;
}

Result<int64_t> ConfirmNonPayment(store::Store& store, const NonPaymentCase& c, int grace_days,
                                  Instant now, std::string_view actor) {
  int64_t id = 0;
  const UnpaidInvoice& u = c.invoice;
  const Status st = store::RunInTransaction(store, [&](SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(auto row, tx.QueryFirst(kInsertConfirmation,
                                             {u.number, IsoDate(u.due_date), int64_t{grace_days},
                                              u.amount_yen - u.paid_yen, Seconds(now), actor}));
    if (!row) return Internal("confirmation insert returned no id");
    ASSIGN_OR_RETURN(id, row->Int(0));
    return Audit(tx, now, actor, "billing.nonpayment.confirm", u.number,
                 {{"confirmation", id},
                  {"institution_code", u.institution_code},
                  {"due_date", IsoDate(u.due_date)},
                  {"grace_days", grace_days},
                  {"outstanding", u.amount_yen - u.paid_yen},
                  {"certificates", c.request_ids}});
  });
  RETURN_IF_ERROR(st);
  return id;
}

Status RecordNonPaymentRevocations(store::Store& store, int64_t confirmation_id,
                                   std::string_view bill_number,
                                   const std::vector<RevocationOutcome>& outcomes, Instant now,
                                   std::string_view actor) {
  return store::RunInTransaction(store, [&](SqlTx& tx) -> Status {
    Json list = Json::array();
    for (const RevocationOutcome& o : outcomes) {
      ASSIGN_OR_RETURN(int64_t n, tx.Exec(kInsertRevocation, {confirmation_id, o.request_id,
                                                              o.outcome, o.detail, Seconds(now)}));
      (void)n;
      list.push_back({{"request_id", o.request_id}, {"outcome", o.outcome}});
    }
    return Audit(tx, now, actor, "billing.nonpayment.revoked", bill_number,
                 {{"confirmation", confirmation_id}, {"applications", list}});
  });
}

}  // namespace claimsca::billing
