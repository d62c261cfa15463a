#pragma once

// 資格確認限定型 applications from the command line (docs/qualcheck.md), and the wiring
// shared with the pages (cmd/qualcheck_web.cc):
//   claimsca qualcheck key --ref 受付番号 --form FORM.json --by NAME   (one keying of a paper form)
//   claimsca qualcheck compare REF|ID          (the keyings side by side, differences marked)
//   claimsca qualcheck approve ID --by NAME    (creates the portal account for 申請区分 1)
//   claimsca qualcheck reject ID --reason TEXT --by NAME
//   claimsca qualcheck list [--state S] [--code C]
//   claimsca qualcheck letters [--out DIR] [--cap YEN] [--deadline YYYY-MM-DD] (default: the
//   [[subsidy.schedule]] entry in force)
//   claimsca qualcheck bank-import FILE --by NAME   (institution_code,last4)
//   claimsca qualcheck import-tracking FILE --by NAME   (the letters' tracking list: the
//   notices' format, request_id = the application id)
// FORM.json: {"kinds": "12", "contact_name": …, "password": …, "bank_last4": …} (the members
// of qualcheck::Form); the file holds secrets: delete it after keying.

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "cmd/app.h"
#include "portal/qualcheck_pages.h"
#include "qualcheck/applications.h"
#include "qualcheck/initial_password.h"
#include "qualcheck/letters.h"

namespace claimsca::cmd {

struct Qualcheck {
  std::unique_ptr<qualcheck::BankDigits> bank;
  std::unique_ptr<qualcheck::ApplicationStore> apps;
  std::unique_ptr<qualcheck::InitialPasswords> initial;
  qualcheck::LetterSender sender;
};
// The bank digits' HMAC key is secrets/qualcheck_bank.key of the data directory (32 random
// bytes as hex, mode 0600), made on first use. `app` must outlive the result.
Result<std::unique_ptr<Qualcheck>> WireQualcheck(App& app);

// The pages' functions over `q` (approval as the signed-in staff member, at the clock's now).
portal::QualcheckPages QualcheckPagesOf(App& app, Qualcheck& q);

// A form from JSON (the members of qualcheck::Form; "kinds" as "1", "2", "12" or "3").
Result<qualcheck::Form> FormFromJson(std::string_view json);

struct QualcheckCli {
  CLI::App *key = nullptr, *compare = nullptr, *approve = nullptr, *reject = nullptr,
           *list = nullptr, *letters = nullptr, *bank_import = nullptr, *import_tracking = nullptr;
  std::string ref, form_file, id, reason, state, code, out = ".", file, by = "operator";
  std::string deadline;  // "": the [[subsidy.schedule]] entry in force on the letters' date
  int64_t cap = 0;       // 0: the same entry's cap
};
void AddQualcheckCli(CLI::App& cli, QualcheckCli* q,
                     const std::function<void(CLI::App*)>& add_common);
std::optional<int> RunQualcheckCli(const QualcheckCli& q,
                                   const std::function<Result<std::unique_ptr<App>>()>& open);

}  // namespace claimsca::cmd
