#pragma once

// The terminal agent (`claimsca agent`, docs/renewal-and-cmp.md): keeps the terminal's key
// and certificate in PEM files, checks once a day, prints the reminder on the 90, 60, 30,
// 15, 7 days-then-daily schedule (DOMAIN.md §5) and renews by itself inside the window
// with a CMP kur (OpenSSL's CMP client), writing the new key and certificate atomically.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"

namespace claimsca::agent {

struct AgentOptions {
  std::string cert_file;  // PEM certificate (replaced on renewal)
  std::string key_file;   // PEM private key, unencrypted, mode 0600 (replaced on renewal)
  std::string server;     // CMP server "host:port"
  std::string server_path = "cmp";
  // PEM certificate(s) CMP responses must chain to: the root or the issuing CA (the
  // server signs with its CMP signer certificate, issued by the issuing CA).
  std::string trusted_file;
  // Renew once fewer than this many days remain, minus a per-terminal spread of
  // 0..jitter_days days (from the serial) so that terminals do not renew together.
  int renew_within_days = 60;
  int jitter_days = 14;
  // The server's renewal window (docs/renewal-and-cmp.md: fewer than 90 days left for the
  // common CA): the agent never plans a renewal before it, whatever renew_within_days says.
  int window_days = 90;
  std::string key_algorithm = "ec";  // new key: "ec" (P-256) or "rsa" (2048)
  // Replaces HTTP when set (tests): one DER PKIMessage in, one out.
  std::function<Result<std::string>(std::string_view)> transfer;
  // The server's mTLS listener ("host:port"): each failed renewal is reported there
  // (agent/report.h) so that the institution hears of it by mail. Empty: not reported.
  std::string report_server;
};

// The guide's on-screen schedule: 90, 60, 30, 15, 7 days before, then daily.
bool ReminderDue(int64_t days_left);

// The most days left at which the agent renews: renew_within_days, but inside the server's
// window (at most window_days: the window opens at 00:00 JST of that day), and at least 1.
int64_t LatestRenewDaysLeft(const AgentOptions& o);

// A failed kur as the terminal's user needs it: the reason (server down, window not open,
// not current, expired, revoked, or the server's own text) and what to do. `pki_status`:
// the response's PKIStatus, -1 when no answer came (`transport` says why); `server_text`:
// its free text (the RA's rule name first); `ends`: the certificate's last day.
Status ExplainRefusal(int pki_status, std::string_view server_text, std::string_view transport,
                      std::string_view ends);

struct CheckReport {
  int64_t days_left = 0;  // JST calendar days until the end (0 = ends today)
  bool reminder = false;
  bool renewed = false;
  std::string line;  // what it did, one line for the log / terminal
};

class Agent {
 public:
  // `clock` must outlive the agent.
  Agent(AgentOptions options, const Clock& clock);
  // The daily check: reads the files, reminds, renews when due.
  Result<CheckReport> CheckOnce();
  // "証明書は YYYY-MM-DD に期限切れ (あと N 日)。…": when it ends and what happens next.
  Result<std::string> StatusLine();

 private:
  Result<int64_t> RenewAtDaysLeft(const std::string& serial) const;
  // The kur; on success a note for the report ("" or why it was installed anyway).
  Result<std::string> Renew();

  AgentOptions options_;
  const Clock& clock_;
};

}  // namespace claimsca::agent
