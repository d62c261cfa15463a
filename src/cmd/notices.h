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
// The same as a job and from the console (notices_web.cc): returns the summary lines
// instead of printing them; the batch and re-sends are audited as `actor`.
Result<std::string> PrintNoticeBatch(App& app, const std::string& out_dir, int limit,
                                     const std::string& actor = "system:notices");

// `claimsca notices import-tracking`: applies the mailing service's tracking list
// (notice/shipping.h) in one transaction, audited as `actor` (notice::ImportTrackingFile,
// as the console's upload).
int RunImportTracking(App& app, const std::string& file, const std::string& actor);

}  // namespace claimsca::cmd
