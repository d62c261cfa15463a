#include "cmd/billing_cmd.h"

#include <algorithm>
#include <cstdio>

#include "billing/deduction_import.h"
#include "billing/ledger_store.h"
#include "billing/month.h"
#include "billing/reports.h"
#include "billing/run.h"
#include "billing/run_invoices.h"
#include "cmd/billing_config.h"
#include "cmd/rehearsal.h"

namespace claimsca::cmd {
namespace {

billing::RunSettings Settings(App& app, const std::string& files_dir) {
  const Config& c = app.config;
  billing::RunSettings s;
  s.plan.invoice_day = c.billing_invoice_day;
  s.plan.due_days = c.billing_due_days;
  s.files_dir = c.Path(files_dir.empty() ? c.billing_files_dir : files_dir);
  s.write_file = [](const std::string& path, std::string_view data) {
    return WriteFileAtomic(path, data, 0640);
  };
  // The invoice part's renderer: the 払込請求書 batch, dated the run's issue date, and the
  // mailing list. Without a payee account no invoice is printed (the run stops before its
  // last step; set [billing] payee_* and run the month again).
  s.render_invoices =
      [&app](const std::vector<billing::BillRecord>& bills) -> Result<billing::InvoiceFiles> {
    RETURN_IF_ERROR(BillingPayeeReady(app.config));
    ASSIGN_OR_RETURN(std::vector<billing::InvoiceDocument> docs, billing::InvoiceDocuments(bills));
    billing::InvoiceFiles files;
    ASSIGN_OR_RETURN(
        files.pdf, billing::RenderInvoicePdf(docs, InvoicePayee(app.config),
                                             InvoiceIssuerOf(app.config), docs.front().issue_date));
    files.mailing_csv = billing::InvoiceMailingListCsv(docs);
    return files;
  };
  return s;
}

Result<billing::RunReport> RunUnderLease(App& app, billing::YearMonth month,
                                         const std::string& files_dir) {
  const std::string lease = "billing-run:" + billing::FormatMonth(month);
  const std::string holder = ProcessHolder();
  ASSIGN_OR_RETURN(bool leased,
                   app.store->TryLease(lease, holder, app.clock->Now(), std::chrono::hours(2)));
  if (!leased) {
    return Conflict("another process is running the billing run of " + billing::FormatMonth(month));
  }
  Result<billing::RunReport> r = billing::RunBillingMonth(
      *app.store, billing::MakeLedgerSource(), Settings(app, files_dir), month, app.clock->Now());
  const Instant release = std::min(app.clock->Now(), WallClock().Now());
  (void)app.store->TryLease(lease, holder, release, std::chrono::seconds(0));
  return r;
}

std::string Summary(const billing::RunReport& r) {
  std::string s = "month=" + r.month + (r.already_done ? " (already done, files rewritten)" : "") +
                  "\ndeduction_bills=" + std::to_string(r.deduction_bills) +
                  " deduction_yen=" + std::to_string(r.deduction_yen) +
                  "\ninvoice_bills=" + std::to_string(r.invoice_bills) +
                  " fallback_invoices=" + std::to_string(r.fallback_invoices) +
                  " invoice_yen=" + std::to_string(r.invoice_yen) + "\ndir=" + r.dir + "\n";
  if (!r.files.deduction_file.empty()) {
    s += "deduction_file=" + r.files.deduction_file + " sha256=" + r.files.deduction_sha256 + "\n";
  }
  if (!r.files.invoice_file.empty()) {
    s += "invoice_file=" + r.files.invoice_file + " sha256=" + r.files.invoice_sha256 + "\n";
    s += "mailing_file=" + r.files.mailing_file + " sha256=" + r.files.mailing_sha256 + "\n";
  }
  if (r.invoices_not_rendered) s += "invoices_not_rendered=true (no invoice renderer)\n";
  char timing[160];
  std::snprintf(timing, sizeof timing, "seconds: plan=%.2f files=%.2f (invoices=%.2f) done=%.2f\n",
                r.plan_seconds, r.files_seconds, r.invoices_seconds, r.done_seconds);
  s += timing;
  return s;
}

}  // namespace

Result<std::string> BillingRun(App& app, const std::string& month, const std::string& files_dir) {
  ASSIGN_OR_RETURN(billing::YearMonth m, billing::ParseMonth(month));
  ASSIGN_OR_RETURN(billing::RunReport r, RunUnderLease(app, m, files_dir));
  return Summary(r);
}

int RunBillingRunCommand(App& app, const std::string& month, const std::string& files_dir) {
  Result<std::string> r = BillingRun(app, month, files_dir);
  if (!r.ok()) return ExitWithError(r.status());
  std::fputs(r->c_str(), stdout);
  return 0;
}

int RunImportDeductionResult(App& app, const std::string& file, const std::string& by) {
  auto text = ReadFile(file);
  if (!text.ok()) return ExitWithError(text.status());
  auto r = billing::ImportDeductionResult(*app.store, *text, "operator:" + by, app.clock->Now());
  if (!r.ok()) return ExitWithError(r.status().WithContext(file));
  if (r->already_imported) {
    std::printf("month=%s already_imported=true (nothing changed)\n", r->month.c_str());
    return 0;
  }
  std::printf("month=%s lines=%d deducted=%d not_deducted=%d already_recorded=%d\n",
              r->month.c_str(), r->lines, r->deducted, r->not_deducted, r->already_recorded);
  return 0;
}

Status AddBillingRunJob(App& app, jobs::Runner& runner) {
  if (!app.config.billing_job_enabled) return Status::Ok();
  ASSIGN_OR_RETURN(int at,
                   jobs::ParseTimeOfDay(app.config.jobs_billing_run_at, "jobs.billing_run_at"));
  runner.Add({"billing-run", at, [&app](Instant now) -> Result<std::string> {
                const Date today = JstDate(now);
                const billing::YearMonth month(today.year(), today.month());
                if (today < billing::RunIssueDate(month, app.config.billing_invoice_day)) {
                  return "before the invoice day of " + billing::FormatMonth(month);
                }
                ASSIGN_OR_RETURN(std::optional<billing::RunRecord> run,
                                 billing::FindRun(*app.store, month));
                if (run && run->state == "done") return "done: " + billing::FormatMonth(month);
                Result<billing::RunReport> r = RunUnderLease(app, month, "");
                // Waiting for the previous month's deduction results is not a failure of
                // the job: it tries again the next day (the operator imports them).
                if (r.status().code() == Code::kFailedPrecondition) {
                  return "waiting: " + r.status().message();
                }
                if (!r.ok()) return r.status();
                std::string s = Summary(*r);
                std::replace(s.begin(), s.end(), '\n', ' ');
                while (!s.empty() && s.back() == ' ') s.pop_back();
                return s;
              }});
  return Status::Ok();
}

}  // namespace claimsca::cmd
