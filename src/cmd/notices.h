#pragma once

// `claimsca notices print`: the daily batch of issuance notices (docs/notices-and-mail.md).

#include <string>

#include "cmd/app.h"

namespace claimsca::cmd {

// Prints every notice awaiting print into one PDF + mailing list CSV under `out_dir`,
// written durably (temp file, fsync, rename, fsync of the directory), and only then
// records the batch and erases the sealed download passwords in one transaction. Holds
// the "notice-batch" lease meanwhile. Prints the batch's summary, never a password.
// Returns the process exit code.
// Re-sends (notices returned undeliverable) go first: their mailing list
// "resend-<stamp>.csv", then they are printed again as far as tracking is concerned.
int RunNoticesPrint(App& app, const std::string& out_dir, int limit);
// The same as a job: returns the summary lines instead of printing them.
Result<std::string> PrintNoticeBatch(App& app, const std::string& out_dir, int limit);

// `claimsca notices import-tracking`: applies the mailing service's tracking list
// (notice/shipping.h) in one transaction, audited as `actor`.
int RunImportTracking(App& app, const std::string& file, const std::string& actor);

}  // namespace claimsca::cmd
