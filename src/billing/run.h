#pragma once

// The monthly billing run (docs/billing.md, section "run"; `claimsca billing run --month`
// and the "billing-run" job of serve). Three steps, each safe to repeat, so a run killed
// anywhere resumes and a finished run re-run changes nothing:
//   1. plan  — ONE transaction: the bills of the month (billing::MakePlan over the ledger,
//              the open failed deductions and the methods in force) with their items, the
//              run row (state "planned") and the audit event "billing.run.plan". Skipped
//              when the month's run is recorded.
//   2. files — rendered from the recorded bills only (never from the ledger or the clock),
//              so every repetition writes the same bytes: the deduction request CSV and
//              its .sha256, the invoice PDF batch and the mailing list; each written to a
//              temporary file, fsynced and renamed, then the directory fsynced.
//   3. done  — ONE transaction: the files' names and SHA-256, state "done", audit
//              "billing.run.done". On a done run the files are only rewritten, and must
//              hash as recorded (Internal otherwise: something changed the bills).
// Two processes must not run one month at once: the caller holds the lease
// "billing-run:YYYY-MM" (cmd/billing_cmd.cc); the run row's primary key is the last guard.

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "billing/plan.h"
#include "billing/run_store.h"
#include "common/clock.h"
#include "common/status.h"
#include "store/module_sql.h"
#include "store/store.h"

namespace claimsca::billing {

// What the run reads of the ledger (billing/ledger_store.h), inside the plan transaction.
struct LedgerSource {
  // Calls `fn` for every ledger entry of billing month `month`.
  std::function<Status(store::SqlTx&, YearMonth month,
                       const std::function<Status(const ChargeItem&)>& fn)>
      for_each_charge;
  // The billing method in force in `month` for each of `codes` (missing: none recorded).
  std::function<Result<std::map<std::string, domain::BillingMethod>>(
      store::SqlTx&, YearMonth month, const std::set<std::string>& codes)>
      methods_in_force;
};

// The invoice files of a run, from its invoice bills (by number): the PDF batch
// (電子証明書発行・更新料払込請求書) and the mailing list CSV. Must be a pure function of
// the bills: the same bills give the same bytes.
struct InvoiceFiles {
  std::string pdf;
  std::string mailing_csv;
};
using InvoiceRenderer = std::function<Result<InvoiceFiles>(const std::vector<BillRecord>&)>;

struct RunSettings {
  PlanOptions plan;
  std::string files_dir;  // the run writes into files_dir/YYYY-MM/
  std::string actor = "system:billing-run";
  // Null: no invoice PDF or mailing list is made (the report says so) — the seam for the
  // invoice part's renderer (billing/invoice_pdf.h).
  InvoiceRenderer render_invoices;
  // Writes a whole file durably and atomically (temp file, fsync, rename, fsync of the
  // directory), creating the directory: cmd::WriteFileAtomic.
  std::function<Status(const std::string& path, std::string_view data)> write_file;
};

struct RunReport {
  std::string month;          // "YYYY-MM"
  bool planned_now = false;   // step 1 ran in this call
  bool already_done = false;  // the run was done before this call
  int deduction_bills = 0, invoice_bills = 0, fallback_invoices = 0;
  int64_t deduction_yen = 0, invoice_yen = 0;
  std::string dir;
  RunFiles files;
  bool invoices_not_rendered = false;  // invoice bills but no renderer
  // Elapsed (steady clock) per step, for operators and bench/billing.sh: the plan
  // transaction, the files (invoices_seconds of them in the invoice renderer: PDF and
  // mailing list) and the last transaction.
  double plan_seconds = 0, files_seconds = 0, invoices_seconds = 0, done_seconds = 0;
};

// File names inside the month's directory.
std::string InvoiceBatchFileName(YearMonth month);  // "invoices-YYYYMM.pdf"
std::string MailingListFileName(YearMonth month);   // "mailing-list-YYYYMM.csv"

// The run of `month` as recorded, or nullopt.
Result<std::optional<RunRecord>> FindRun(store::Store& store, YearMonth month);

// Runs (or resumes, or repeats) the billing run of `month` at `now`. FailedPrecondition
// before the month's invoice day, or while an earlier month's deduction results are not
// imported (the carry-over needs them); nothing is written then.
Result<RunReport> RunBillingMonth(store::Store& store, const LedgerSource& ledger,
                                  const RunSettings& settings, YearMonth month, Instant now);

}  // namespace claimsca::billing
