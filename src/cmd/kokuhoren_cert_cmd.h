#pragma once

// 国保連 certificate applications from the command line and the job (docs/kokuhoren.md,
// "Certificate applications, issuance and download"; docs/operations.md):
//   claimsca kokuhoren apply --account KJ… --office N --issuance-password-file F --agree-terms
//       [--validity continue|from_issuance] [--usage …] [--payment offset|transfer]
//       [--offset-user KJ… --offset-password-file F]
//   claimsca kokuhoren list [--office N] [--state S]
//   claimsca kokuhoren approve ID | --all-pending      (kj_review: issues; loads the CA key)
//   claimsca kokuhoren confirm-payment ID              (振込 paid: awaiting_payment → pending)
//   claimsca kokuhoren cancel ID
//   claimsca kokuhoren download ID --account KJ… --out FILE.p12
// and the daily job "kj-expiry-notice" (証明書有効期限切れ事前通知). main.cc adds the
// commands under `kokuhoren` and runs the one parsed; the wiring here is shared with the
// pages (cmd/kokuhoren_web.cc).

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "cmd/app.h"
#include "jobs/runner.h"
#include "kokuhoren/applications.h"
#include "kokuhoren/issuance.h"

namespace claimsca::cmd {

// The applications of an App (over its kj_account_api, part kjacct): Applications and, when the
// issuing signer and the key pool are loaded, Issuance (the issuer of the program "kokuhoren").
// With [kokuhoren] auto_issue, Apply and ConfirmPayment of the returned Applications issue at once
// (KjCert::Apply / ConfirmPayment).
struct KjCert {
  std::unique_ptr<kokuhoren::Applications> applications;
  std::unique_ptr<kokuhoren::Issuance> issuance;  // null without the issuing signer
  bool auto_issue = false;

  // Apply, then (auto_issue, 相殺) issue at once when Issuance is there.
  Result<kokuhoren::CertApplication> Apply(const kokuhoren::ApplyRequest& r);
  // ConfirmPayment, then (auto_issue) issue at once when Issuance is there.
  Result<kokuhoren::CertApplication> ConfirmPayment(std::string_view id, std::string_view actor);
};
// `on_apply` (kjfees: the fee) may be empty. `app` must outlive the result.
Result<std::unique_ptr<KjCert>> WireKjCert(App& app, kokuhoren::ApplyHook on_apply = nullptr);

struct KokuhorenCertCli {
  CLI::App* apply = nullptr;
  CLI::App* list = nullptr;
  CLI::App* approve = nullptr;
  CLI::App* confirm = nullptr;
  CLI::App* cancel = nullptr;
  CLI::App* download = nullptr;
  std::string account, office, password_file, validity = "from_issuance", usage = "care_insurance",
                                              payment = "offset";
  std::string offset_user, offset_password_file, id, state, out, by = "operator";
  bool agree = false, all_pending = false;
  int limit = 1000;
};

// Adds the commands to `kokuhoren`; `add_common` adds main.cc's --data/--set/--at options.
void AddKokuhorenCertCli(CLI::App* kokuhoren, KokuhorenCertCli* cli,
                         const std::function<void(CLI::App*)>& add_common);
// Runs the parsed command with the App `open` builds (`issuing`: load the issuing signer)
// and returns its exit code; nullopt when none of them was parsed.
std::optional<int> RunKokuhorenCertCli(
    const KokuhorenCertCli& cli,
    const std::function<Result<std::unique_ptr<App>>(bool issuing)>& open);

// The job "kj-expiry-notice", daily at jobs.reminders_at.
Status AddKokuhorenCertJobs(App& app, jobs::Runner& runner);

}  // namespace claimsca::cmd
