#include "cmd/billing_report_cmd.h"

#include <cstdio>

#include "billing/accounting.h"
#include "cmd/ca_files.h"

namespace claimsca::cmd {

int RunBillingReportCommand(App& app, const std::string& month, const std::string& out) {
  Result<std::string> csv = billing::AccountingReportCsvOfMonth(*app.store, month);
  if (!csv.ok()) return ExitWithError(csv.status());
  if (out.empty() || out == "-") {
    if (std::fwrite(csv->data(), 1, csv->size(), stdout) != csv->size() || std::fflush(stdout)) {
      return ExitWithError(Internal("cannot write the report to stdout"));
    }
    return 0;
  }
  // Accounting data: readable by the owner and the group only.
  if (Status st = WriteFileAtomic(out, *csv, 0640); !st.ok()) return ExitWithError(st);
  std::printf("month=%s file=%s bytes=%zu\n", month.c_str(), out.c_str(), csv->size());
  return 0;
}

}  // namespace claimsca::cmd
