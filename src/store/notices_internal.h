#pragma once

// NoticeStore and OutboxStore, the part shared by both back ends: row layouts and argument
// checks. Internal to the store library.

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/internal.h"
#include "store/store.h"

namespace claimsca::store::internal {

#define CLAIMSCA_NOTICE_BATCH_COLUMNS                                                      \
  "batch_id, printed_on, dispatch_on, pdf_file, csv_file, pdf_sha256, pages, created_by, " \
  "created_at"
#define CLAIMSCA_MAIL_COLUMNS                                                             \
  "id, dedup_key, kind, subject_ref, recipient, mime, state, attempts, next_attempt_at, " \
  "last_error, created_at, sent_at"

// Non-empty, pages 1..N in order, distinct request IDs, file names and dates present.
Status ValidateNoticeBatch(const NoticeBatch& b);
Status ValidateMail(const OutboxMail& m);
Status ValidateLimit(int limit, int max, std::string_view what);
Result<MailState> ParseMailState(std::string_view name);
// Whether update `u` moves `current` (true), repeats it (false), or is not allowed (an error
// naming u.line and the request ID).
Result<bool> CheckShippingMove(const ShippingInfo& current, const ShippingUpdate& u);

#define CLAIMSCA_SHIPPING_COLUMNS                                                           \
  "i.request_id, i.batch_id, i.page, b.dispatch_on, i.shipping_status, i.tracking_number, " \
  "i.status_on, i.resend_count"

template <class Row>
Result<ShippingInfo> ReadShipping(const Row& r) {
  ShippingInfo s;
  s.request_id = r.Text(0);
  ASSIGN_OR_RETURN(s.batch_id, r.Int(1));
  ASSIGN_OR_RETURN(s.page, r.Int(2));
  s.dispatch_on = r.Text(3);
  ASSIGN_OR_RETURN(s.status, ParseShippingStatus(r.Text(4)));
  s.tracking_number = r.Text(5);
  s.status_on = r.Text(6);
  ASSIGN_OR_RETURN(s.resend_count, r.Int(7));
  return s;
}

// Reads CLAIMSCA_NOTICE_BATCH_COLUMNS (items not included) through a row accessor as in
// applications_internal.h.
template <class Row>
Result<NoticeBatch> ReadNoticeBatch(const Row& r) {
  NoticeBatch b;
  ASSIGN_OR_RETURN(b.batch_id, r.Int(0));
  b.printed_on = r.Text(1);
  b.dispatch_on = r.Text(2);
  b.pdf_file = r.Text(3);
  b.csv_file = r.Text(4);
  b.pdf_sha256 = r.Text(5);
  b.created_by = r.Text(7);
  ASSIGN_OR_RETURN(int64_t created, r.Int(8));
  b.created_at = FromUnix(created);
  return b;
}

template <class Row>
Result<OutboxMail> ReadMail(const Row& r) {
  OutboxMail m;
  ASSIGN_OR_RETURN(m.id, r.Int(0));
  m.dedup_key = r.Text(1);
  m.kind = r.Text(2);
  m.subject_ref = r.Text(3);
  m.recipient = r.Text(4);
  m.mime = r.Text(5);
  ASSIGN_OR_RETURN(m.state, ParseMailState(r.Text(6)));
  ASSIGN_OR_RETURN(m.attempts, r.Int(7));
  ASSIGN_OR_RETURN(int64_t next, r.Int(8));
  m.next_attempt_at = FromUnix(next);
  m.last_error = r.Text(9);
  ASSIGN_OR_RETURN(int64_t created, r.Int(10));
  m.created_at = FromUnix(created);
  ASSIGN_OR_RETURN(std::optional<int64_t> sent, r.OptInt(11));
  if (sent) m.sent_at = FromUnix(*sent);
  return m;
}

}  // namespace claimsca::store::internal
