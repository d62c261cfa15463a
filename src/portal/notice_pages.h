#pragma once

// What the console's notices page calls (docs/notices-and-mail.md "From the console"): the
// printed batches, the day's batch and the tracking list import. Each is wired in cmd
// (cmd/notices_web.cc) to the SAME code as `claimsca notices print` and `claimsca notices
// import-tracking`, so the page stays thin; a null NoticePages is no page.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "notice/batches.h"
#include "ra/registration_authority.h"

namespace claimsca::portal {

struct NoticeFile {
  std::string name;
  std::string bytes;
};

struct NoticePages {
  // How many issued applications wait for the batch (their download password is sealed).
  std::function<Result<int64_t>()> awaiting;
  // The newest batches, newest first.
  std::function<Result<std::vector<notice::BatchSummary>>()> batches;
  // The day's batch (cmd::PrintNoticeBatch: re-sends, then one batch per dispatch date,
  // files written durably before the passwords are erased), audited as the operator.
  std::function<Status(const ra::Caller& caller)> print;
  // The PDF (pdf = true) or the mailing list CSV of a batch, read from the notices
  // directory; NotFound when the batch or its file is not there.
  std::function<Result<NoticeFile>(int64_t batch_id, bool pdf)> file;
  // A tracking list applied in one transaction (notice::ImportTrackingFile); the number of
  // rows, or the parser's / store's error (nothing applied).
  std::function<Result<size_t>(std::string_view text, const ra::Caller& caller)> import_tracking;
  // Where the files are written (the configured jobs.notices_dir), shown on the page.
  std::string directory;
};

}  // namespace claimsca::portal
