#include "cmd/billing_web.h"

#include "billing/accounting.h"
#include "billing/deduction_import.h"
#include "billing/overview.h"
#include "billing/payment_store.h"
#include "billing/statement.h"
#include "cmd/billing_cmd.h"
#include "cmd/billing_config.h"
#include "cmd/billing_revoke.h"
#include "common/iso_date.h"
#include "common/time_util.h"

namespace claimsca::cmd {
namespace {

std::string Slashed(const std::string& iso) {
  std::string s = iso;
  for (char& c : s) {
    if (c == '-') c = '/';
  }
  return s;
}

std::string At(int64_t unix_seconds) {
  return FormatJstMinute(Instant(std::chrono::seconds(unix_seconds)));
}

portal::BillingRunView RunView(const billing::RunRecord& r) {
  portal::BillingRunView v{r.month, r.state, Slashed(r.issue_date), r.started_by, {}};
  const billing::RunFiles& f = r.files;
  auto add = [&](const char* what, const std::string& name, const std::string& sha) {
    if (!name.empty()) v.files.push_back({what, name, sha, "", ""});
  };
  add("控除依頼ファイル", f.deduction_file, f.deduction_sha256);
  add("払込請求書（PDF）", f.invoice_file, f.invoice_sha256);
  add("発送リスト（CSV）", f.mailing_file, f.mailing_sha256);
  return v;
}

Result<portal::BillingOverview> Overview(App& app) {
  portal::BillingOverview o;
  o.grace_days = app.config.billing_grace_days;
  ASSIGN_OR_RETURN(std::vector<billing::RunRecord> runs, billing::RecentRuns(*app.store, 24));
  for (const auto& r : runs) o.runs.push_back(RunView(r));
  ASSIGN_OR_RETURN(std::vector<billing::ImportedFile> files,
                   billing::RecentImports(*app.store, 24));
  for (const auto& f : files) {
    const bool result = f.kind == "deduction_result";
    o.imports.push_back(
        {result ? "控除結果ファイル" : "入金明細（全銀協）", result ? f.name + " 分" : f.name,
         f.sha256, At(f.imported_at),
         std::to_string(f.records) + (result ? " 行" : " 件") + "（" + f.imported_by + "）"});
  }
  ASSIGN_OR_RETURN(std::vector<billing::QueuedPayment> queue, billing::PaymentQueue(*app.store));
  for (const auto& q : queue) {
    o.queue.push_back(
        {q.id, Slashed(q.booking_date), q.amount_yen, q.payer_name, q.outcome, q.invoice_number});
  }
  ASSIGN_OR_RETURN(std::vector<billing::UnpaidInvoice> unpaid,
                   billing::UnpaidInvoices(*app.store, JstDate(app.clock->Now()), o.grace_days));
  for (const auto& u : unpaid) {
    o.unpaid.push_back({u.number, u.institution_code, u.name, u.amount_yen, u.paid_yen,
                        Slashed(IsoDate(u.due_date)), u.confirmations});
  }
  return o;
}

}  // namespace

portal::BillingPages MakeBillingPages(App& app) {
  portal::BillingPages p;
  p.statement = [&app](const std::string& code, int64_t before, int limit) {
    return billing::LoadStatement(*app.store, code, before, limit, JstDate(app.clock->Now()));
  };
  p.invoices = [&app](const std::string& code) {
    return billing::LoadInvoices(*app.store, code, JstDate(app.clock->Now()));
  };
  p.invoice_pdf = [&app](const std::string& code,
                         const std::string& number) -> Result<std::string> {
    // Without a payee account the render fails (503), after NotFound for a number that is
    // not the institution's invoice.
    return billing::InvoicePdfOf(*app.store, code, number, InvoicePayee(app.config),
                                 InvoiceIssuerOf(app.config));
  };
  p.overview = [&app] { return Overview(app); };
  // The run under its lease, as `claimsca billing run` (audited by the run as its own actor).
  p.run_month = [&app](const std::string& month, const ra::Caller&) {
    return BillingRun(app, month, "");
  };
  p.accounting_report = [&app](const std::string& month) {
    return billing::AccountingReportCsvOfMonth(*app.store, month);
  };
  p.import_deduction_result = [&app](std::string_view file,
                                     const ra::Caller& caller) -> Result<std::string> {
    ASSIGN_OR_RETURN(
        billing::DeductionImportReport r,
        billing::ImportDeductionResult(*app.store, file, caller.Actor(), app.clock->Now()));
    if (r.already_imported) return "month=" + r.month + " already_imported=true (nothing changed)";
    return "month=" + r.month + " lines=" + std::to_string(r.lines) +
           " deducted=" + std::to_string(r.deducted) +
           " not_deducted=" + std::to_string(r.not_deducted) +
           " already_recorded=" + std::to_string(r.already_recorded);
  };
  p.import_payments = [&app](std::string_view file, std::string_view name,
                             const ra::Caller& caller) -> Result<std::string> {
    const Instant now = app.clock->Now();
    ASSIGN_OR_RETURN(
        billing::PaymentImport r,
        billing::ImportPayments(*app.store, file, name, JstDate(now), now, caller.Actor()));
    std::string s = "sha256=" + r.sha256;
    if (r.repeated_file) return s + " repeated_file=true (nothing changed)";
    s += " transfers=" + std::to_string(r.transfers) + " applied=" + std::to_string(r.applied) +
         " queued=" + std::to_string(r.queued) + " skipped=" + std::to_string(r.skipped);
    for (const std::string& line : r.lines) s += "\n" + line;
    return s;
  };
  p.revoke_unpaid = [&app](const std::string& number,
                           const ra::Caller& caller) -> Result<std::string> {
    ASSIGN_OR_RETURN(std::vector<billing::RevocationOutcome> outcomes,
                     RevokeUnpaidInvoice(app, number, caller));
    std::string s = "invoice=" + number;
    for (const auto& o : outcomes) {
      s += "\n" + o.outcome + " " + o.request_id + (o.detail.empty() ? "" : ": " + o.detail);
    }
    return s;
  };
  return p;
}

}  // namespace claimsca::cmd
