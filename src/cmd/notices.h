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
int RunNoticesPrint(App& app, const std::string& out_dir, int limit);

}  // namespace claimsca::cmd
