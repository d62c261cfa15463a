#pragma once

// The daily notice batch (docs/notices-and-mail.md), in two steps so that no password is
// ever lost:
//   1. PrepareNoticeBatch: every issued application whose sealed download password is
//      still held, with the REGISTERED name and address of its institution (never the
//      form's), the password opened from its sealed copy → one PDF + mailing list CSV.
//   2. the caller writes both files durably (write, fsync, rename);
//   3. CommitNoticeBatch: ONE transaction records the batch and erases the sealed
//      passwords. From then on the password exists only on paper.
// A crash before 3 leaves the sealed passwords in place: the next run prints them again.
// Run one batch at a time (the command holds the "notice-batch" lease).
//
// The password is never logged and never in an error message.

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "crypto/sealed_box.h"
#include "notice/notice.h"
#include "store/store.h"

namespace claimsca::notice {

struct PreparedBatch {
  store::NoticeBatch record;  // items, dates, file names and the PDF's SHA-256 filled in
  std::string pdf;
  std::string csv;
  // Applications left for a later batch because their code is not in the register (the
  // notice must go to the registered address; an operator has to look).
  std::vector<std::string> skipped_not_in_register;
  // Applications that go out on a later shipping day than this batch (approved after the
  // 15:00 cut-off of its day): left for the next batch, which the command prints at once
  // into a file of its own (PrintNoticeBatch).
  std::vector<std::string> later_dispatch;
};

// "20261124T103000": the JST instant as used in output file names.
std::string FileStamp(Instant t);

// nullopt when nothing awaits a notice. A batch holds the applications of ONE dispatch
// date: the earliest DispatchDateInBatch(issued_at, now) among those waiting; the others
// are listed in later_dispatch and stay waiting. File names are
// "notices-<YYYYMMDDTHHMMSS>.pdf" and ".csv" from `now` (JST), with "-<YYYYMMDD>" of the
// dispatch date added when it is not the first shipping day after the print day. InvalidArgument
// for limit outside 1..10000; a sealed value that does not open (wrong key file) is Internal naming
// the request ID, and nothing is prepared.
Result<std::optional<PreparedBatch>> PrepareNoticeBatch(store::Store& store,
                                                        const crypto::SealedBox& sealer,
                                                        const NoticeSender& sender, Instant now,
                                                        int limit, std::string created_by);

// Records the batch and erases its sealed passwords (store::NoticeStore::RecordNoticeBatch,
// audited as "notice.batch"). Call only once both files are durably written.
Result<int64_t> CommitNoticeBatch(store::NoticeStore& store, const PreparedBatch& batch);

}  // namespace claimsca::notice
