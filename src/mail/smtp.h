#pragma once

// Sending one message over SMTP with libcurl: plain, STARTTLS (required or opportunistic)
// or implicit TLS (smtps://), with optional AUTH. Errors are classified so that the outbox
// knows whether to retry: Unavailable for what may pass (connection refused, timeout, 4xx
// replies), FailedPrecondition for permanent refusals (5xx replies, e.g. unknown
// recipient), InvalidArgument for a bad configuration.
//
// Thread-safe: each Send uses its own curl handle. libcurl is opened and curl_global_init
// run on the first Send, once per process (a function-local static; Debian's libcurl is
// built with a thread-safe global init, feature "threadsafe" in `curl --version`).

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace claimsca::mail {

// What sends a finished message. An interface so the outbox can be driven by anything that
// delivers bytes (LevelDB's Env idea); SmtpMailer is the real one.
//
// `before_end`, when given, runs once, after the server has accepted the sender and the
// recipient and before the end-of-data mark that makes it take the message: the outbox
// marks the message sent there (a crash after that mark and before the server's reply
// cannot send it twice). If it fails, the transaction is abandoned without the end mark
// (the server discards it) and Send returns its status.
class Mailer {
 public:
  virtual ~Mailer() = default;
  virtual Status Send(std::string_view from, std::string_view to, std::string_view mime,
                      const std::function<Status()>& before_end = {}) = 0;
};

struct SmtpConfig {
  // "smtp://host:port" (STARTTLS per `starttls`) or "smtps://host:port" (implicit TLS).
  std::string url = "smtp://127.0.0.1:25";
  enum class StartTls { kNone, kTry, kRequired } starttls = StartTls::kRequired;
  std::string username;  // empty = no AUTH
  std::string password;
  std::string ca_file;  // PEM bundle to verify the server; empty = system default
  bool verify_peer = true;
  std::chrono::seconds timeout{30};
  std::string helo_name;  // the name we announce; empty = curl's default
};

class SmtpMailer final : public Mailer {
 public:
  explicit SmtpMailer(SmtpConfig config);
  Status Send(std::string_view from, std::string_view to, std::string_view mime,
              const std::function<Status()>& before_end = {}) override;

 private:
  SmtpConfig config_;
};

}  // namespace claimsca::mail
