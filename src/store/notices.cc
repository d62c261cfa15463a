// NoticeStore / OutboxStore: what both back ends share (store/notices_internal.h).

#include <set>
#include <string>

#include "store/notices_internal.h"

namespace claimsca::store {

std::string_view MailStateName(MailState s) {
  switch (s) {
    case MailState::kPending:
      return "pending";
    case MailState::kSent:
      return "sent";
    case MailState::kFailed:
      return "failed";
  }
  return "pending";
}

std::string_view ShippingStatusName(ShippingStatus s) {
  switch (s) {
    case ShippingStatus::kPrinted:
      return "printed";
    case ShippingStatus::kShipped:
      return "shipped";
    case ShippingStatus::kDelivered:
      return "delivered";
    case ShippingStatus::kUndeliverable:
      return "undeliverable";
  }
  return "printed";
}

Result<ShippingStatus> ParseShippingStatus(std::string_view name) {
  for (ShippingStatus s : {ShippingStatus::kPrinted, ShippingStatus::kShipped,
                           ShippingStatus::kDelivered, ShippingStatus::kUndeliverable}) {
    if (ShippingStatusName(s) == name) return s;
  }
  return InvalidArgument("unknown shipping status '" + std::string(name) + "'");
}

namespace internal {

Result<bool> CheckShippingMove(const ShippingInfo& current, const ShippingUpdate& u) {
  const std::string where = "line " + std::to_string(u.line) + ": " + u.request_id + ": ";
  if (u.status_on.size() != 10) return InvalidArgument(where + "status date must be YYYY-MM-DD");
  const bool same_number =
      u.tracking_number.empty() || u.tracking_number == current.tracking_number;
  if (u.status == current.status && same_number) return false;  // repeated: nothing to do
  switch (u.status) {
    case ShippingStatus::kShipped:
      if (u.tracking_number.empty()) return InvalidArgument(where + "tracking number required");
      if (current.status == ShippingStatus::kPrinted) return true;
      break;
    case ShippingStatus::kDelivered:
    case ShippingStatus::kUndeliverable:
      if (current.status == ShippingStatus::kShipped && same_number) return true;
      if (current.status == ShippingStatus::kShipped) {
        return FailedPrecondition(where + "tracking number " + u.tracking_number +
                                  " is not this notice's (" + current.tracking_number + ")");
      }
      break;
    case ShippingStatus::kPrinted:
      break;
  }
  return FailedPrecondition(where + "cannot go from " +
                            std::string(ShippingStatusName(current.status)) + " to " +
                            std::string(ShippingStatusName(u.status)));
}

Result<MailState> ParseMailState(std::string_view name) {
  for (MailState s : {MailState::kPending, MailState::kSent, MailState::kFailed}) {
    if (MailStateName(s) == name) return s;
  }
  return InvalidArgument("unknown mail state '" + std::string(name) + "'");
}

Status ValidateLimit(int limit, int max, std::string_view what) {
  if (limit < 1 || limit > max) {
    return InvalidArgument(std::string(what) + ": limit must be 1.." + std::to_string(max));
  }
  return Status::Ok();
}

Status ValidateNoticeBatch(const NoticeBatch& b) {
  if (b.items.empty()) return InvalidArgument("notice batch: no items");
  if (b.printed_on.size() != 10 || b.dispatch_on.size() != 10) {
    return InvalidArgument("notice batch: printed_on and dispatch_on must be YYYY-MM-DD");
  }
  if (b.pdf_file.empty() || b.csv_file.empty() || b.pdf_sha256.empty() || b.created_by.empty()) {
    return InvalidArgument("notice batch: pdf_file, csv_file, pdf_sha256, created_by required");
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < b.items.size(); ++i) {
    if (b.items[i].page != static_cast<int64_t>(i + 1)) {
      return InvalidArgument("notice batch: pages must be 1..N in order");
    }
    if (!seen.insert(b.items[i].request_id).second) {
      return InvalidArgument("notice batch: " + b.items[i].request_id + " given twice");
    }
  }
  return Status::Ok();
}

Status ValidateMail(const OutboxMail& m) {
  if (m.dedup_key.empty() || m.kind.empty() || m.subject_ref.empty() || m.recipient.empty() ||
      m.mime.empty()) {
    return InvalidArgument("mail: dedup_key, kind, subject_ref, recipient and mime required");
  }
  return Status::Ok();
}

}  // namespace internal
}  // namespace claimsca::store
