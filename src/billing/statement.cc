#include "billing/statement.h"

#include <algorithm>
#include <map>

#include "billing/ledger_store.h"
#include "billing/run_invoices.h"
#include "billing/run_store.h"
#include "common/time_util.h"
#include "store/module_sql.h"

namespace claimsca::billing {
namespace {

using store::SqlRow;
using store::SqlTx;

// Every bill of the institution holding one of the page's entries, with its deduction
// result and the payments applied to it. Reached by bills (institution_code, run_month),
// then bill_items by its primary key (bill_number, entry_id).
constexpr char kPlacements[] =
    "SELECT i.entry_id, b.number, b.run_month, b.method, i.origin, b.due_date, r.outcome, "
    "b.amount_yen, (SELECT COALESCE(SUM(a.amount_yen), 0) FROM payment_applications a "
    "WHERE a.bill_number = b.number) "
    "FROM bills b JOIN bill_items i ON i.bill_number = b.number "
    "LEFT JOIN deduction_results r ON r.bill_number = b.number "
    "WHERE b.institution_code = $1 AND i.entry_id BETWEEN $2 AND $3";

// An entry the run of its billing month left unbilled (credit notes): its primary key.
constexpr char kUnbilled[] =
    "SELECT 1 FROM billing_run_unbilled WHERE run_month = $1 AND entry_id = $2";

constexpr char kInvoices[] =
    "SELECT b.number, b.run_month, b.kind, b.amount_yen, b.issue_date, b.due_date, "
    "(SELECT COALESCE(SUM(a.amount_yen), 0) FROM payment_applications a "
    "WHERE a.bill_number = b.number), "
    "(SELECT COUNT(*) FROM nonpayment_confirmations c WHERE c.bill_number = b.number) "
    "FROM bills b WHERE b.institution_code = $1 AND b.method = 'invoice' "
    "ORDER BY b.run_month DESC, b.number DESC LIMIT 120";

Result<Date> DateOf(const std::string& iso) {
  auto t = ParseInstant(iso);
  if (!t.ok() || iso.size() != 10) return Internal("statement: malformed date '" + iso + "'");
  return JstDate(*t);
}

Result<Placement> PlacementOfRow(const SqlRow& row) {
  Placement p;
  ASSIGN_OR_RETURN(p.bill_number, row.Text(1));
  ASSIGN_OR_RETURN(p.run_month, row.Text(2));
  ASSIGN_OR_RETURN(p.method, row.Text(3));
  ASSIGN_OR_RETURN(p.origin, row.Text(4));
  ASSIGN_OR_RETURN(std::optional<std::string> due, row.OptText(5));
  if (due) {
    ASSIGN_OR_RETURN(p.due_date, DateOf(*due));
  }
  ASSIGN_OR_RETURN(std::optional<std::string> outcome, row.OptText(6));
  if (outcome) p.deducted = *outcome == "deducted";
  ASSIGN_OR_RETURN(p.bill_amount_yen, row.Int(7));
  ASSIGN_OR_RETURN(p.paid_yen, row.Int(8));
  return p;
}

}  // namespace

Result<StatementPage> LoadStatement(store::Store& store, std::string_view code,
                                    int64_t before_entry_id, int limit, Date today) {
  if (limit < 1 || limit > 200) return InvalidArgument("statement: limit must be 1..200");
  StatementPage out;
  Status st = store::RunRead(store, [&](SqlTx& tx) -> Status {
    out = StatementPage{};
    ASSIGN_OR_RETURN(LedgerPage page, EntriesOfInstitution(tx, code, before_entry_id, limit));
    out.next_before = page.next_before;
    if (page.entries.empty()) return Status::Ok();
    const auto [lo, hi] = std::minmax_element(
        page.entries.begin(), page.entries.end(),
        [](const LedgerEntry& a, const LedgerEntry& b) { return a.entry_id < b.entry_id; });
    std::map<int64_t, EntryFacts> facts;
    RETURN_IF_ERROR(tx.QueryEach(kPlacements, {code, lo->entry_id, hi->entry_id},
                                 [&](const SqlRow& row) -> Status {
                                   ASSIGN_OR_RETURN(int64_t id, row.Int(0));
                                   ASSIGN_OR_RETURN(Placement p, PlacementOfRow(row));
                                   facts[id].placements.push_back(std::move(p));
                                   return Status::Ok();
                                 }));
    std::map<std::string, std::string> method_of_month;
    for (const LedgerEntry& e : page.entries) {
      EntryFacts& f = facts[e.entry_id];
      if (f.placements.empty()) {
        ASSIGN_OR_RETURN(std::optional<SqlRow> unbilled,
                         tx.QueryFirst(kUnbilled, {e.billing_month, e.entry_id}));
        f.not_billed = unbilled.has_value();
      }
      StatementLine line;
      line.entry_id = e.entry_id;
      ASSIGN_OR_RETURN(line.charge_date, DateOf(e.charge_date));
      line.kind = e.is_credit() ? "credit_note" : e.kind;
      line.request_id = e.request_id;
      line.terminal_name = e.terminal_name;
      line.amount_yen = e.total_yen;
      line.mailing_yen = e.mailing_fee_yen;
      line.billing_month = e.billing_month;
      line.state = DeriveChargeState(f, today);
      if (line.state.bill) {
        line.method = line.state.bill->method;
      } else {
        auto it = method_of_month.find(e.billing_month);
        if (it == method_of_month.end()) {
          ASSIGN_OR_RETURN(std::optional<domain::BillingMethod> m,
                           MethodInForce(tx, code, e.billing_month));
          // No method recorded: the run bills by invoice (docs/billing.md "run").
          it = method_of_month
                   .emplace(e.billing_month, std::string(domain::BillingMethodName(
                                                 m.value_or(domain::BillingMethod::kInvoice))))
                   .first;
        }
        line.method = it->second;
      }
      out.lines.push_back(std::move(line));
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<std::vector<InvoiceSummary>> LoadInvoices(store::Store& store, std::string_view code,
                                                 Date today) {
  std::vector<InvoiceSummary> out;
  Status st = store::RunRead(store, [&](SqlTx& tx) -> Status {
    out.clear();
    return tx.QueryEach(kInvoices, {code}, [&](const SqlRow& row) -> Status {
      InvoiceSummary s;
      ASSIGN_OR_RETURN(s.number, row.Text(0));
      ASSIGN_OR_RETURN(s.run_month, row.Text(1));
      ASSIGN_OR_RETURN(s.kind, row.Text(2));
      ASSIGN_OR_RETURN(s.amount_yen, row.Int(3));
      ASSIGN_OR_RETURN(std::string issue, row.Text(4));
      ASSIGN_OR_RETURN(s.issue_date, DateOf(issue));
      ASSIGN_OR_RETURN(std::string due, row.Text(5));
      ASSIGN_OR_RETURN(s.due_date, DateOf(due));
      ASSIGN_OR_RETURN(s.paid_yen, row.Int(6));
      ASSIGN_OR_RETURN(int64_t confirmations, row.Int(7));
      s.revoked_for_nonpayment = confirmations > 0;
      // The rule of DeriveChargeState for one invoice.
      Placement p{s.number,   s.run_month,  "invoice",    "",
                  s.due_date, std::nullopt, s.amount_yen, s.paid_yen};
      s.state = DeriveChargeState(EntryFacts{{p}, false}, today).state;
      out.push_back(std::move(s));
      return Status::Ok();
    });
  });
  if (!st.ok()) return st;
  return out;
}

Result<std::string> InvoicePdfOf(store::Store& store, std::string_view code,
                                 std::string_view number, const PayeeAccount& payee,
                                 const InvoiceIssuer& issuer) {
  std::optional<BillRecord> bill;
  Status st = store::RunRead(store, [&](SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(bill, LoadBill(tx, number));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  if (!bill || bill->institution_code != code || bill->method != "invoice") {
    return NotFound("invoice " + std::string(number));
  }
  ASSIGN_OR_RETURN(std::vector<InvoiceDocument> docs, InvoiceDocuments({*bill}));
  return RenderInvoicePdf(docs, payee, issuer, docs.front().issue_date);
}

}  // namespace claimsca::billing
