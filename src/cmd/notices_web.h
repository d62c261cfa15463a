#pragma once

// The console's notices page (portal/notice_pages.h) wired to the commands' own code:
// PrintNoticeBatch for the day's batch and notice::ImportTrackingFile for the tracking list,
// both writing into / reading from jobs.notices_dir as the scheduled job does.

#include "cmd/app.h"
#include "portal/notice_pages.h"

namespace claimsca::cmd {

// `app` must outlive the returned functions.
portal::NoticePages MakeNoticePages(App& app);

}  // namespace claimsca::cmd
