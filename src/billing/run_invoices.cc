#include "billing/run_invoices.h"

#include "billing/month.h"

namespace claimsca::billing {
namespace {

Result<Date> ParseDate(const std::string& text, const std::string& what) {
  auto t = ParseInstant(text);
  if (!t.ok() || text.size() != 10) return InvalidArgument(what + ": not YYYY-MM-DD: " + text);
  return JstDate(*t);
}

}  // namespace

Result<std::vector<InvoiceDocument>> InvoiceDocuments(const std::vector<BillRecord>& bills) {
  std::vector<InvoiceDocument> out;
  out.reserve(bills.size());
  for (const BillRecord& b : bills) {
    const std::string where = "bill " + b.number;
    if (b.method != "invoice" || !b.due_date) {
      return InvalidArgument(where + " is not an invoice");
    }
    InvoiceDocument d;
    d.number = b.number;
    ASSIGN_OR_RETURN(d.issue_date, ParseDate(b.issue_date, where + " issue_date"));
    ASSIGN_OR_RETURN(d.due_date, ParseDate(*b.due_date, where + " due_date"));
    ASSIGN_OR_RETURN(d.billing_month, ParseMonth(b.run_month));
    d.institution_code = b.institution_code;
    d.institution_name = b.recipient.name;
    d.postal_code = b.recipient.postal_code;
    d.address = b.recipient.address;
    d.amount_yen = b.amount_yen;
    d.fallback = b.kind == "fallback";
    for (const BillItemRecord& i : b.items) {
      InvoiceLine line;
      line.request_id = i.request_id;
      line.terminal_name = i.terminal_name;
      ASSIGN_OR_RETURN(line.issuance_date, ParseDate(i.charge_date, where + " charge_date"));
      if (i.kind == "renewal") {
        line.kind = FeeKind::kRenewal;
      } else if (i.kind == "new_application" || i.kind == "reapplication") {
        line.kind = FeeKind::kIssuance;
      } else {
        return InvalidArgument(where + ": unknown entry kind " + i.kind);
      }
      line.amount_yen = i.amount_yen - i.mailing_yen;
      if (line.amount_yen != 0 || i.mailing_yen == 0) d.lines.push_back(line);
      if (i.mailing_yen != 0) {
        line.kind = FeeKind::kMailing;
        line.amount_yen = i.mailing_yen;
        d.lines.push_back(line);
      }
    }
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace claimsca::billing
