#include "mail/outbox.h"

#include <cstdio>

#include "common/iso_date.h"
#include "common/time_util.h"
#include "crypto/random.h"
#include "mail/mime.h"
#include "mail/template.h"

namespace claimsca::mail {
namespace {

Result<std::string> RandomHex(size_t bytes) {
  ASSIGN_OR_RETURN(std::string raw, crypto::RandomBytes(bytes));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

}  // namespace

std::chrono::seconds RetryDelay(const OutboxOptions& o, int64_t attempts) {
  std::chrono::seconds d = o.first_retry;
  for (int64_t i = 1; i < attempts && d < o.max_retry; ++i) d *= 2;
  return std::min(d, o.max_retry);
}

Composer::Composer(const Clock& clock, OutboxOptions options)
    : clock_(clock), options_(std::move(options)) {}

Result<store::OutboxMail> Composer::Compose(std::string_view kind, std::string_view subject_ref,
                                            std::string_view recipient,
                                            const std::map<std::string, std::string>& values,
                                            std::string_view dedup_key) const {
  if (!ValidAddress(recipient)) return InvalidArgument("mail: bad recipient address");
  std::map<std::string, std::string> all = options_.common_values;
  for (const auto& [k, v] : values) all[k] = v;
  ASSIGN_OR_RETURN(RenderedMail rendered, RenderTemplate(kind, all));
  const Instant now = clock_.Now();
  const size_t at = options_.from_address.find('@');
  const std::string domain =
      at == std::string::npos ? "localhost" : options_.from_address.substr(at + 1);
  ASSIGN_OR_RETURN(std::string id, RandomHex(16));
  MailMessage m;
  m.from_address = options_.from_address;
  m.from_name = options_.from_name;
  m.to_address = std::string(recipient);
  m.subject = rendered.subject;
  m.body = rendered.body;
  m.message_id = id + "@" + domain;
  m.date = now;
  ASSIGN_OR_RETURN(std::string mime, BuildMime(m));

  store::OutboxMail row;
  row.dedup_key = dedup_key.empty() ? std::string(subject_ref) + "|" + std::string(kind) + "|" +
                                          IsoDate(JstDate(now))
                                    : std::string(dedup_key);
  row.kind = std::string(kind);
  row.subject_ref = std::string(subject_ref);
  row.recipient = std::string(recipient);
  row.mime = std::move(mime);
  row.next_attempt_at = now;
  row.created_at = now;
  return row;
}

Outbox::Outbox(store::OutboxStore& store, Mailer& mailer, const Clock& clock, OutboxOptions options)
    : store_(store), mailer_(mailer), clock_(clock), composer_(clock, std::move(options)) {}

Result<bool> Outbox::Enqueue(std::string_view kind, std::string_view subject_ref,
                             std::string_view recipient,
                             const std::map<std::string, std::string>& values,
                             std::string_view dedup_key) {
  ASSIGN_OR_RETURN(store::OutboxMail row,
                   composer_.Compose(kind, subject_ref, recipient, values, dedup_key));
  return store_.EnqueueMail(row);
}

Result<SendReport> Outbox::SendDue(int limit) {
  SendReport report;
  const OutboxOptions& options = composer_.options();
  ASSIGN_OR_RETURN(std::vector<store::OutboxMail> due, store_.DueMail(clock_.Now(), limit));
  for (const store::OutboxMail& m : due) {
    // Marked sent just before the end-of-data mark (Mailer::Send): a crash from there on
    // cannot send the message a second time.
    bool marked = false;
    Status mark = Status::Ok();
    const Status sent = mailer_.Send(options.from_address, m.recipient, m.mime, [&]() -> Status {
      mark = store_.MarkMailSending(m.id, clock_.Now());
      marked = mark.ok();
      return mark;
    });
    RETURN_IF_ERROR(mark);
    const Instant now = clock_.Now();
    if (sent.ok()) {
      if (!marked) RETURN_IF_ERROR(store_.MarkMailSent(m.id, now));  // a Mailer without the hook
      ++report.sent;
      continue;
    }
    const int64_t attempts = m.attempts + 1;
    const bool retry = sent.code() == Code::kUnavailable && attempts < options.max_attempts;
    std::optional<Instant> retry_at;
    if (retry) retry_at = now + RetryDelay(options, attempts);
    // Refused after the mark (the server's reply to the end of data, or the connection lost
    // waiting for it): the mark is taken back.
    RETURN_IF_ERROR(marked ? store_.ReopenMail(m.id, retry_at, sent.message())
                           : store_.MarkMailAttemptFailed(m.id, retry_at, sent.message()));
    ++(retry ? report.retrying : report.failed);
  }
  return report;
}

}  // namespace claimsca::mail
