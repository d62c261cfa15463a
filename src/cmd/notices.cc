#include "cmd/notices.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "notice/batch.h"
#include "notice/batches.h"
#include "notice/shipping.h"

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

// The re-send list of returned notices: a mailing list, then the notices marked printed.
Result<std::string> PrintResends(App& app, const std::string& out_dir, int limit,
                                 const std::string& actor) {
  const Instant now = app.clock->Now();
  ASSIGN_OR_RETURN(notice::ResendList list, notice::PrepareResend(*app.store, limit));
  for (const std::string& rid : list.skipped_not_in_register) {
    std::fprintf(stderr,
                 "claimsca: %s: institution code not in the register; re-send left for an "
                 "operator\n",
                 rid.c_str());
  }
  if (list.request_ids.empty()) return std::string();
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) return Internal("cannot create " + out_dir + ": " + ec.message());
  const std::string name = "resend-" + notice::FileStamp(now) + ".csv";
  const std::string path = (std::filesystem::path(out_dir) / name);
  RETURN_IF_ERROR(WriteFileAtomic(path, list.csv, 0640));
  RETURN_IF_ERROR(SyncDirectory(out_dir));
  RETURN_IF_ERROR(notice::CommitResend(*app.store, list, actor, now));
  return "resend=" + std::to_string(list.request_ids.size()) + " csv=" + path + "\n";
}

Result<std::string> PrintBatch(App& app, const std::string& out_dir, int limit,
                               const std::string& actor) {
  ASSIGN_OR_RETURN(std::string resends, PrintResends(app, out_dir, limit, actor));
  if (!app.sealer) return FailedPrecondition("the sealing key is not loaded");
  const Config& c = app.config;
  const auto lines = [](const std::string& text) {
    std::vector<std::string> out;
    size_t start = 0;
    for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
      out.push_back(text.substr(start, nl - start));
    }
    if (start < text.size()) out.push_back(text.substr(start));
    return out;
  };
  notice::NoticeSender sender;
  sender.ca_name = c.notice_ca_name;
  sender.postal_code = c.notice_sender_postal_code;
  sender.address_lines = lines(c.notice_sender_address);
  sender.organisation = c.notice_sender_organisation;
  sender.agent_lines = lines(c.notice_sender_agent);
  sender.download_url =
      c.notice_download_url.empty() ? c.public_url + "/download/" : c.notice_download_url;
  sender.manual_url = c.notice_manual_url;
  const Instant now = app.clock->Now();
  // One batch per dispatch date (notice::PrepareNoticeBatch): applications approved after
  // the 15:00 cut-off go out a shipping day later, in a second file printed now.
  std::string out = resends;
  for (int round = 0; round < 8; ++round) {
    ASSIGN_OR_RETURN(
        std::optional<notice::PreparedBatch> prepared,
        notice::PrepareNoticeBatch(*app.store, *app.sealer, sender, now, limit, actor));
    if (!prepared) break;
    if (round == 0) {
      for (const std::string& rid : prepared->skipped_not_in_register) {
        std::fprintf(stderr,
                     "claimsca: %s: institution code not in the register; left for an operator\n",
                     rid.c_str());
      }
    }
    if (prepared->record.items.empty()) break;
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
    out += "batch=" + std::to_string(id) +
           " pages=" + std::to_string(prepared->record.items.size()) +
           " dispatch_on=" + prepared->record.dispatch_on + "\npdf=" + pdf_path +
           "\ncsv=" + csv_path + "\n";
    if (prepared->later_dispatch.empty()) break;
  }
  if (out == resends) out += "nothing to print\n";
  return out;
}

}  // namespace

Result<std::string> PrintNoticeBatch(App& app, const std::string& out_dir, int limit,
                                     const std::string& actor) {
  const std::string holder = ProcessHolder();
  ASSIGN_OR_RETURN(bool leased,
                   app.store->TryLease(kLease, holder, app.clock->Now(), std::chrono::minutes(30)));
  if (!leased) return Conflict("another notice batch is running");
  Result<std::string> r = PrintBatch(app, out_dir, limit, actor);
  (void)app.store->TryLease(kLease, holder, app.clock->Now(), std::chrono::seconds(0));
  return r;
}

int RunNoticesPrint(App& app, const std::string& out_dir, int limit) {
  Result<std::string> r = PrintNoticeBatch(app, out_dir, limit);
  if (!r.ok()) return ExitWithError(r.status());
  std::fputs(r->c_str(), stdout);
  return 0;
}

int RunImportTracking(App& app, const std::string& file, const std::string& actor) {
  auto text = ReadFile(file);
  if (!text.ok()) return ExitWithError(text.status());
  auto imported = notice::ImportTrackingFile(*app.store, *text, actor, app.clock->Now());
  if (!imported.ok()) return ExitWithError(imported.status());
  std::printf("imported=%zu\n", *imported);
  return 0;
}

}  // namespace claimsca::cmd
