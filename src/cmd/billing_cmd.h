#pragma once

// The monthly billing run from the command line and in `serve` (docs/billing.md section
// "run", docs/operations.md): `claimsca billing run --month YYYY-MM`,
// `claimsca billing import-deduction-result FILE` and the job "billing-run".

#include <string>

#include "cmd/app.h"
#include "jobs/runner.h"

namespace claimsca::cmd {

// The run of `month` ("YYYY-MM") at the app's clock under the lease "billing-run:<month>"
// (Conflict while another process holds it), files under `files_dir` (empty: the
// configured billing.files_dir). Returns the summary lines.
Result<std::string> BillingRun(App& app, const std::string& month, const std::string& files_dir);

// `claimsca billing run`: prints BillingRun's summary; returns the exit code.
int RunBillingRunCommand(App& app, const std::string& month, const std::string& files_dir);

// `claimsca billing import-deduction-result FILE`: applies the payment system's result file
// (all or nothing, once), audited as "operator:<by>".
int RunImportDeductionResult(App& app, const std::string& file, const std::string& by);

// The job "billing-run" (daily at jobs.billing_run_at when billing.job_enabled): on and
// after the invoice day of the current JST month, runs that month until it is done.
Status AddBillingRunJob(App& app, jobs::Runner& runner);

}  // namespace claimsca::cmd
