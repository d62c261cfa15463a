#pragma once

// The post's tracking of the 資格確認限定型 letters (docs/qualcheck.md "Tracking of the
// letters"): the ユーザー設定情報 and the 補助金申請書 of one application travel in one
// envelope (one row of the letters' mailing list); the mailing service returns the same
// tracking list as for the notices (notice/shipping.h: request_id,tracking_number,status,
// date), the request_id column holding the application id (QC + 10 digits, the mailing
// list's application_id). The same moves as the notices' (printed → shipped → delivered |
// undeliverable; a repeated row changes nothing), all or nothing.

#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "store/store.h"

namespace claimsca::qualcheck {

// "QC" + 10 ASCII digits.
bool IsApplicationId(std::string_view s);

// Parses the tracking list (notice::ParseTrackingCsv with application ids).
Result<std::vector<store::ShippingUpdate>> ParseLetterTracking(std::string_view text);

// Applies it in one transaction, audited "qualcheck.shipping" by `actor`: every row must
// name an approved application whose letters were printed (NotFound naming the line
// otherwise), and move its shipping as a notice's would (FailedPrecondition naming the
// line otherwise); nothing changes when a row is refused. Returns the rows that changed.
Result<int64_t> ImportLetterTracking(store::Store& store,
                                     const std::vector<store::ShippingUpdate>& updates,
                                     std::string_view actor, Instant at);

}  // namespace claimsca::qualcheck
