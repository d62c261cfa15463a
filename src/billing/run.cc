#include "billing/run.h"

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "billing/deduction_file.h"
#include "billing/month.h"
#include "common/iso_date.h"
#include "crypto/ossl.h"
#include "domain/category.h"

namespace claimsca::billing {
namespace {

using store::SqlRow;
using store::SqlTx;

// The register's current version (read only; the store owns it).
constexpr char kRecipients[] =
    "SELECT institution_code, name, postal_code, address, category FROM register_entries "
    "WHERE version = (SELECT MAX(version) FROM register_versions)";

// An institution in no register version (保険者, 特健機関, 請求事務代行者, a clinic not yet
// designated) is addressed by the name on its latest application; it has no address on file.
constexpr char kApplicationName[] =
    "SELECT institution_name FROM applications WHERE institution_code = $1 "
    "ORDER BY seq DESC LIMIT 1";

int64_t UnixSeconds(Instant t) { return t.time_since_epoch().count(); }

double SecondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The recipients of `codes` from the register; `invoice_only` gets the codes whose category
// may not pay by deduction (職域診療所, 特健機関, insurers).
Result<std::map<std::string, Recipient>> LoadRecipients(SqlTx& tx,
                                                        const std::set<std::string>& codes,
                                                        std::set<std::string>* invoice_only) {
  std::map<std::string, Recipient> out;
  RETURN_IF_ERROR(tx.QueryEach(kRecipients, {}, [&](const SqlRow& row) -> Status {
    ASSIGN_OR_RETURN(std::string code, row.Text(0));
    if (!codes.contains(code)) return Status::Ok();
    Recipient r;
    ASSIGN_OR_RETURN(r.name, row.Text(1));
    ASSIGN_OR_RETURN(r.postal_code, row.Text(2));
    ASSIGN_OR_RETURN(r.address, row.Text(3));
    ASSIGN_OR_RETURN(std::string category, row.Text(4));
    auto cat = domain::FindCategory(category);
    if (cat && !cat->deduction_allowed) invoice_only->insert(code);
    out.emplace(std::move(code), std::move(r));
    return Status::Ok();
  }));
  return out;
}

// Step 1, inside its transaction. Returns false when the month was planned before.
Result<bool> PlanStep(SqlTx& tx, const LedgerSource& ledger, const RunSettings& settings,
                      YearMonth month, Instant now) {
  ASSIGN_OR_RETURN(std::optional<RunRecord> run, LoadRun(tx, month));
  if (run) return false;
  ASSIGN_OR_RETURN(std::vector<std::string> awaiting, MonthsAwaitingResults(tx, month));
  if (!awaiting.empty()) {
    return FailedPrecondition("the deduction results of " + awaiting.front() +
                              " are not imported yet (claimsca billing "
                              "import-deduction-result): the carry-over needs them");
  }
  PlanInput in;
  in.month = month;
  in.options = settings.plan;
  RETURN_IF_ERROR(ledger.for_each_charge(tx, month, [&](const ChargeItem& c) {
    in.charges.push_back(c);
    return Status::Ok();
  }));
  ASSIGN_OR_RETURN(in.failed, OpenFailedDeductions(tx, month));
  std::set<std::string> codes;
  for (const ChargeItem& c : in.charges) codes.insert(c.institution_code);
  for (const FailedDeduction& f : in.failed) codes.insert(f.item.institution_code);
  ASSIGN_OR_RETURN(in.methods, ledger.methods_in_force(tx, month, codes));
  std::set<std::string> invoice_only;
  ASSIGN_OR_RETURN(auto recipients, LoadRecipients(tx, codes, &invoice_only));
  // Whatever a record says, an invoice-only category is never sent to the payment system.
  nlohmann::json forced_invoice = nlohmann::json::array();
  for (const std::string& code : invoice_only) {
    auto m = in.methods.find(code);
    if (m != in.methods.end() && m->second == domain::BillingMethod::kDeduction) {
      m->second = domain::BillingMethod::kInvoice;
      forced_invoice.push_back(code);
    }
  }
  ASSIGN_OR_RETURN(Plan plan, MakePlan(in));
  nlohmann::json not_in_register = nlohmann::json::array();
  for (const PlannedBill& b : plan.bills) {
    if (recipients.contains(b.institution_code)) continue;
    Recipient r;
    RETURN_IF_ERROR(
        tx.QueryEach(kApplicationName, {b.institution_code}, [&](const SqlRow& row) -> Status {
          ASSIGN_OR_RETURN(r.name, row.Text(0));
          return Status::Ok();
        }));
    recipients.emplace(b.institution_code, std::move(r));
    not_in_register.push_back(b.institution_code);
  }
  RETURN_IF_ERROR(InsertPlan(tx, plan, recipients, UnixSeconds(now), settings.actor));
  int64_t deduction = 0, invoice = 0;
  int deduction_bills = 0, invoice_bills = 0, fallback = 0;
  for (const PlannedBill& b : plan.bills) {
    if (b.method == domain::BillingMethod::kDeduction) {
      ++deduction_bills;
      deduction += b.amount_yen;
    } else {
      ++invoice_bills;
      invoice += b.amount_yen;
      if (b.kind == BillKind::kFallback) ++fallback;
    }
  }
  nlohmann::json details = {{"issue_date", IsoDate(plan.issue_date)},
                            {"charges", in.charges.size()},
                            {"failed_deductions", in.failed.size()},
                            {"deduction_bills", deduction_bills},
                            {"deduction_yen", deduction},
                            {"invoice_bills", invoice_bills},
                            {"fallback_invoices", fallback},
                            {"invoice_yen", invoice},
                            {"not_billed_entries", plan.not_billed.size()},
                            {"defaulted_to_invoice", plan.defaulted_to_invoice},
                            {"invoice_only_category", forced_invoice},
                            {"not_in_register", not_in_register}};
  RETURN_IF_ERROR(AppendBillingAudit(tx, now, settings.actor, "billing.run.plan",
                                     FormatMonth(month), details.dump()));
  return true;
}

// Step 2: the files, from the recorded bills only.
Result<RunFiles> WriteFiles(const std::vector<BillRecord>& bills, const RunSettings& settings,
                            YearMonth month, const std::string& dir, RunReport* report) {
  RunFiles files;
  std::vector<DeductionLine> lines;
  std::vector<BillRecord> invoices;
  for (const BillRecord& b : bills) {
    if (b.method == "deduction") {
      lines.push_back(
          {b.institution_code, b.recipient.name, month, b.certificates, b.amount_yen, b.number});
    } else {
      invoices.push_back(b);
    }
  }
  const auto write = [&](const std::string& name, std::string_view data) -> Status {
    return settings.write_file((std::filesystem::path(dir) / name).string(), data);
  };
  if (!lines.empty()) {
    ASSIGN_OR_RETURN(std::string csv, RenderDeductionRequest(month, lines));
    files.deduction_file = DeductionRequestFileName(month);
    files.deduction_sha256 = crypto::Sha256Hex(csv);
    RETURN_IF_ERROR(write(files.deduction_file, csv));
    RETURN_IF_ERROR(
        write(files.deduction_file + ".sha256", Sha256SumFile(csv, files.deduction_file)));
  }
  if (!invoices.empty()) {
    if (!settings.render_invoices) {
      report->invoices_not_rendered = true;
    } else {
      const auto t0 = std::chrono::steady_clock::now();
      ASSIGN_OR_RETURN(InvoiceFiles out, settings.render_invoices(invoices));
      report->invoices_seconds = SecondsSince(t0);
      files.invoice_file = InvoiceBatchFileName(month);
      files.invoice_sha256 = crypto::Sha256Hex(out.pdf);
      files.mailing_file = MailingListFileName(month);
      files.mailing_sha256 = crypto::Sha256Hex(out.mailing_csv);
      RETURN_IF_ERROR(write(files.invoice_file, out.pdf));
      RETURN_IF_ERROR(write(files.mailing_file, out.mailing_csv));
    }
  }
  return files;
}

}  // namespace

std::string InvoiceBatchFileName(YearMonth month) {
  return "invoices-" + CompactMonth(month) + ".pdf";
}

std::string MailingListFileName(YearMonth month) {
  return "mailing-list-" + CompactMonth(month) + ".csv";
}

Result<std::optional<RunRecord>> FindRun(store::Store& store, YearMonth month) {
  std::optional<RunRecord> run;
  Status st = store::RunRead(store, [&](SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(run, LoadRun(tx, month));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return run;
}

Result<RunReport> RunBillingMonth(store::Store& store, const LedgerSource& ledger,
                                  const RunSettings& settings, YearMonth month, Instant now) {
  RunReport report;
  report.month = FormatMonth(month);
  if (!month.ok()) return InvalidArgument("invalid month");
  if (settings.plan.invoice_day < 1 || settings.plan.invoice_day > 28) {
    return InvalidArgument("invoice_day must be 1..28");
  }
  const Date issue = RunIssueDate(month, settings.plan.invoice_day);
  if (JstDate(now) < issue) {
    return FailedPrecondition("the billing run of " + report.month + " starts on its invoice day " +
                              IsoDate(issue));
  }
  // 1. plan
  auto t0 = std::chrono::steady_clock::now();
  Status st = store::RunInTransaction(store, [&](SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(report.planned_now, PlanStep(tx, ledger, settings, month, now));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  report.plan_seconds = SecondsSince(t0);
  // 2. files, from the recorded bills
  t0 = std::chrono::steady_clock::now();
  std::vector<BillRecord> bills;
  std::optional<RunRecord> run;
  st = store::RunRead(store, [&](SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(run, LoadRun(tx, month));
    ASSIGN_OR_RETURN(bills, LoadBills(tx, month));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  if (!run) return Internal("the billing run of " + report.month + " vanished");
  for (const BillRecord& b : bills) {
    if (b.method == "deduction") {
      ++report.deduction_bills;
      report.deduction_yen += b.amount_yen;
    } else {
      ++report.invoice_bills;
      report.invoice_yen += b.amount_yen;
      if (b.kind == "fallback") ++report.fallback_invoices;
    }
  }
  report.dir = (std::filesystem::path(settings.files_dir) / report.month).string();
  ASSIGN_OR_RETURN(report.files, WriteFiles(bills, settings, month, report.dir, &report));
  report.files_seconds = SecondsSince(t0);
  t0 = std::chrono::steady_clock::now();
  // 3. done
  if (run->state == "done") {
    report.already_done = true;
    if (!(run->files == report.files)) {
      return Internal("the files of the billing run of " + report.month +
                      " differ from the ones recorded: the bills changed after the run");
    }
    return report;
  }
  st = store::RunInTransaction(store, [&](SqlTx& tx) -> Status {
    RETURN_IF_ERROR(MarkRunDone(tx, month, report.files, UnixSeconds(now)));
    nlohmann::json details = {{"dir", report.dir},
                              {"deduction_file", report.files.deduction_file},
                              {"deduction_sha256", report.files.deduction_sha256},
                              {"invoice_file", report.files.invoice_file},
                              {"invoice_sha256", report.files.invoice_sha256},
                              {"mailing_file", report.files.mailing_file},
                              {"mailing_sha256", report.files.mailing_sha256},
                              {"invoices_not_rendered", report.invoices_not_rendered}};
    return AppendBillingAudit(tx, now, settings.actor, "billing.run.done", report.month,
                              details.dump());
  });
  if (!st.ok()) return st;
  report.done_seconds = SecondsSince(t0);
  return report;
}

}  // namespace claimsca::billing
