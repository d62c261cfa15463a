#include "cmd/notices_web.h"

#include <filesystem>

#include "cmd/notices.h"
#include "notice/batches.h"

namespace claimsca::cmd {

portal::NoticePages MakeNoticePages(App& app) {
  portal::NoticePages p;
  p.directory = app.config.Path(app.config.jobs_notices_dir);
  p.awaiting = [&app]() -> Result<int64_t> {
    ASSIGN_OR_RETURN(std::vector<store::ApplicationRecord> waiting,
                     app.store->ListAwaitingNotice(10000));
    return static_cast<int64_t>(waiting.size());
  };
  p.batches = [&app]() { return notice::RecentBatches(*app.store, 60); };
  p.print = [&app, dir = p.directory](const ra::Caller& caller) -> Status {
    return PrintNoticeBatch(app, dir, 10000, caller.Actor()).status();
  };
  p.file = [&app, dir = p.directory](int64_t batch_id, bool pdf) -> Result<portal::NoticeFile> {
    ASSIGN_OR_RETURN(store::NoticeBatch b, app.store->GetNoticeBatch(batch_id));
    const std::string name = pdf ? b.pdf_file : b.csv_file;
    const std::string path = std::filesystem::path(dir) / name;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      return NotFound("the file of batch " + std::to_string(batch_id) + " is not in " + dir);
    }
    ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
    return portal::NoticeFile{name, std::move(bytes)};
  };
  p.import_tracking = [&app](std::string_view text, const ra::Caller& caller) {
    return notice::ImportTrackingFile(*app.store, text, caller.Actor(), app.clock->Now());
  };
  return p;
}

}  // namespace claimsca::cmd
