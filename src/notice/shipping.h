#pragma once

// Shipping of the printed notices (docs/notices-and-mail.md): the mailing service's
// tracking list, and the re-send of notices that came back undeliverable.
//
// The tracking list is a CSV file, UTF-8 (BOM allowed), LF or CRLF:
//   request_id,tracking_number,status,date
// status is 発送済み / お届け済み / 不達 (or shipped / delivered / undeliverable), date is
// the JST day of the status (YYYY-MM-DD or YYYY/MM/DD). The whole file is applied in one
// transaction or not at all (store::ScheduleStore::ApplyShippingUpdates).
//
// A returned notice cannot be printed again — its password exists only on that paper — so
// a re-send hands the same envelope to the post again: the re-send list is a mailing list
// (notice::MailingListCsv) with the institution's CURRENT registered address.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "notice/notice.h"
#include "store/store.h"

namespace claimsca::notice {

inline constexpr std::string_view kTrackingCsvHeader = "request_id,tracking_number,status,date";

// Parses and validates a tracking list. InvalidArgument listing the first errors (at most
// 10), each "line N, <field>: <why>"; nothing is returned then.
Result<std::vector<store::ShippingUpdate>> ParseTrackingCsv(std::string_view text);
// The same list for other letters sent by the same mailing service (the 資格確認限定型
// letters, qualcheck/tracking.h): the request_id column holds what `is_id` accepts, and
// `id_rule` says what that is in the errors.
Result<std::vector<store::ShippingUpdate>> ParseTrackingCsv(
    std::string_view text, const std::function<bool(std::string_view)>& is_id,
    std::string_view id_rule);

// Applies a parsed tracking list, audited as "notice.shipping" by `actor`.
Status ImportTracking(store::Store& store, const std::vector<store::ShippingUpdate>& updates,
                      std::string_view actor, Instant now);

struct ResendList {
  std::vector<std::string> request_ids;  // in list order
  std::string csv;                       // the mailing list (MailingListCsv)
  std::vector<std::string> skipped_not_in_register;
};

// The notices waiting for a re-send (at most `limit`), with their current registered
// addresses. Empty request_ids when none.
Result<ResendList> PrepareResend(store::Store& store, int limit);
// Marks them printed again (their next tracking list row says shipped), audited as
// "notice.resend" by `actor`.
Status CommitResend(store::Store& store, const ResendList& list, std::string_view actor,
                    Instant now);

}  // namespace claimsca::notice
