#pragma once

// The e-mail outbox: messages are rendered from a template and stored (once per subject,
// kind and JST day: the store's unique dedup key), then sent by SendDue with retries and
// exponential backoff recorded in the row (attempts, next_attempt_at, last_error).
//
// Exactly once: a message is written at most once per key, and its row is marked sent in
// the store after the server has taken the whole body and just before the end-of-data
// mark that makes the server accept it (Mailer::Send's before_end); a sent row is never
// sent again. The mark is MarkMailSending: it survives a crash of the process but does not
// wait for the disk, which would put an fdatasync (about 0.5 ms) into the window between
// the mark and the end mark. A refusal of the end of data, or a connection lost while
// waiting for the reply, takes the mark back (ReopenMail) and the message is retried with
// the same Message-ID. A crash of the process therefore never sends a message twice; the
// one window left is a crash in the microseconds between the mark's commit and the end
// mark leaving this process, which loses that message (the server discards an unfinished
// DATA). A power loss before the store's next durable write can lose marks, and those
// messages are sent again (at least once). Run one SendDue at a time per database (the
// caller holds a lease for it).
//
// Thread-safety: Enqueue may be called from any thread; SendDue from one at a time.

#include <chrono>
#include <map>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "mail/smtp.h"
#include "store/store.h"

namespace claimsca::mail {

struct OutboxOptions {
  std::string from_address = "no-reply@localhost";  // from configuration
  std::string from_name;                            // display name, e.g. the CA's name
  // Values every template may use ({{ca_name}}), added to each message's own values.
  std::map<std::string, std::string> common_values = {
      {"ca_name", "オンライン請求ネットワーク関連システム等共通認証局"}};
  int max_attempts = 10;  // then the row becomes failed
  std::chrono::seconds first_retry{std::chrono::minutes(1)};
  std::chrono::seconds max_retry{std::chrono::hours(6)};
};

// The delay after the n-th failed attempt (n ≥ 1): first_retry · 2^(n−1), at most max_retry.
std::chrono::seconds RetryDelay(const OutboxOptions& o, int64_t attempts);

// Renders templates into complete outbox rows without storing them: the RA attaches them
// to the audit event of the change that causes them (store::AuditEvent::mail), so they are
// written in that change's transaction. Thread-safe (immutable after construction).
class Composer {
 public:
  Composer(const Clock& clock, OutboxOptions options);

  // Template `kind` for `recipient`, keyed `dedup_key`, or when empty
  // "<subject_ref>|<kind>|<JST date of now>" (once per subject, kind and day).
  // InvalidArgument for a bad address or a missing value.
  Result<store::OutboxMail> Compose(std::string_view kind, std::string_view subject_ref,
                                    std::string_view recipient,
                                    const std::map<std::string, std::string>& values,
                                    std::string_view dedup_key = {}) const;

  const OutboxOptions& options() const { return options_; }

 private:
  const Clock& clock_;
  OutboxOptions options_;
};

struct SendReport {
  int sent = 0;
  int retrying = 0;  // failed this time, will be tried again
  int failed = 0;    // failed for good (permanent refusal, or attempts used up)
};

class Outbox {
 public:
  // Everything referenced must outlive the outbox.
  Outbox(store::OutboxStore& store, Mailer& mailer, const Clock& clock, OutboxOptions options);

  // Composes (Composer::Compose) and stores the message at once, in its own transaction.
  // Returns false when that key was stored before (nothing new written).
  Result<bool> Enqueue(std::string_view kind, std::string_view subject_ref,
                       std::string_view recipient, const std::map<std::string, std::string>& values,
                       std::string_view dedup_key = {});

  const Composer& composer() const { return composer_; }

  // Sends every due message (at most `limit`), oldest first.
  Result<SendReport> SendDue(int limit);

 private:
  store::OutboxStore& store_;
  Mailer& mailer_;
  const Clock& clock_;
  Composer composer_;
};

}  // namespace claimsca::mail
