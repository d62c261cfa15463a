#include "cmd/notices.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "notice/batch.h"

namespace claimsca::cmd {
namespace {

constexpr char kLease[] = "notice-batch";

// Makes the renames in `dir` durable.
Status SyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return Internal("cannot open directory " + dir);
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok ? Status::Ok() : Internal("cannot fsync directory " + dir);
}

Status PrintBatch(App& app, const std::string& out_dir, int limit) {
  if (!app.sealer) return FailedPrecondition("the sealing key is not loaded");
  notice::NoticeSender sender;
  sender.download_url = app.config.public_url + "/api/v1/download";
  const Instant now = app.clock->Now();
  ASSIGN_OR_RETURN(
      std::optional<notice::PreparedBatch> prepared,
      notice::PrepareNoticeBatch(*app.store, *app.sealer, sender, now, limit, "system:notices"));
  if (!prepared) {
    std::printf("nothing to print\n");
    return Status::Ok();
  }
  for (const std::string& rid : prepared->skipped_not_in_register) {
    std::fprintf(stderr,
                 "claimsca: %s: institution code not in the register; left for an operator\n",
                 rid.c_str());
  }
  if (prepared->record.items.empty()) {
    std::printf("nothing to print\n");
    return Status::Ok();
  }
  // 1. Both files on disk, durably, before anything in the database changes.
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) return Internal("cannot create " + out_dir + ": " + ec.message());
  const std::string pdf_path = (std::filesystem::path(out_dir) / prepared->record.pdf_file);
  const std::string csv_path = (std::filesystem::path(out_dir) / prepared->record.csv_file);
  RETURN_IF_ERROR(WriteFileAtomic(pdf_path, prepared->pdf, 0600));
  RETURN_IF_ERROR(WriteFileAtomic(csv_path, prepared->csv, 0640));
  RETURN_IF_ERROR(SyncDirectory(out_dir));
  // 2. Then the batch and the erasure of the sealed passwords, in one transaction.
  ASSIGN_OR_RETURN(int64_t id, notice::CommitNoticeBatch(*app.store, *prepared));
  std::printf("batch=%lld pages=%zu dispatch_on=%s\npdf=%s\ncsv=%s\n", static_cast<long long>(id),
              prepared->record.items.size(), prepared->record.dispatch_on.c_str(), pdf_path.c_str(),
              csv_path.c_str());
  return Status::Ok();
}

}  // namespace

int RunNoticesPrint(App& app, const std::string& out_dir, int limit) {
  const std::string holder = ProcessHolder();
  auto leased = app.store->TryLease(kLease, holder, app.clock->Now(), std::chrono::minutes(30));
  if (!leased.ok()) return ExitWithError(leased.status());
  if (!*leased) return ExitWithError(Conflict("another notice batch is running"));
  const Status st = PrintBatch(app, out_dir, limit);
  (void)app.store->TryLease(kLease, holder, app.clock->Now(), std::chrono::seconds(0));
  if (!st.ok()) return ExitWithError(st);
  return 0;
}

}  // namespace claimsca::cmd
