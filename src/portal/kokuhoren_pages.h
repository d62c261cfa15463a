#pragma once

// What the 国保連 電子請求受付システム pages call (docs/kokuhoren.md "Pages"): the KJ
// accounts and their inbox (part kjacct), certificate applications, issuance and download
// (kjcert), the balance, invoices and payment confirmation (kjfees). Each is a function
// wired in cmd (cmd/kokuhoren_web.cc) to the kokuhoren module, so the pages stay thin and
// each part keeps its own code; a null function is a feature not offered (its link is not
// shown and its route answers 404). The pages check the permissions (auth::Allows, kj_*)
// before calling; the functions check them again where they own the rule.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "ra/registration_authority.h"

namespace claimsca::portal {

// An office (事業所) an account acts for: its 介護保険事業所番号 and name.
struct KjOffice {
  std::string number;  // 10 digits
  std::string name;
};

// The logged-in KJ account as the pages show it.
struct KjAccount {
  std::string user_id;                // "KJ12345678"
  std::string name;                   // the office's or the agent's name
  bool agent = false;                 // kj_agent: acts for `offices`, chooses one per application
  bool must_change_password = false;  // still the temporary password of the notice
  std::vector<KjOffice> offices;
};

// One line of 【証明書】's history (seed 002 Q1): 発行申請日, 有効開始年月日,
// 有効終了年月日, 状況.
struct KjCertificateRow {
  std::string application_id;
  Instant applied_at{};
  std::optional<Instant> not_before;  // planned start while pending, when known
  std::optional<Instant> not_after;
  // awaiting_payment (入金確認待ち), pending (発行申請中), issued (発行済み), revoked
  // (失効済み), cancelled (取消), expired (有効期限切れ).
  std::string state;
  std::string usage;    // types.h Name(UsageCategory)
  std::string payment;  // types.h Name(PaymentMethod)
  // Issued with an older 証明書発行用パスワード generation: no longer installable.
  bool old_generation = false;
  bool has_invoice = false;  // 振込: 請求書を表示する
};

// What 送信 sends (送信確認 with the terms agreed).
struct KjApplyRequest {
  ra::Caller caller;
  std::string office;             // 介護保険事業所番号
  std::string issuance_password;  // 証明書発行用パスワード as typed
  std::string validity;           // "continue" | "from_issuance"
  std::string usage;              // "care_insurance" | "care_and_disability"
  std::string payment;            // "offset" | "transfer"
  std::string offset_user_id;     // 相殺: the offset office's KJ user ID and password
  std::string offset_password;
  std::string terms_version;    // the version of the 利用規約 agreed to
  std::string idempotency_key;  // 32 hex: a resent form makes no second application
};

// A file to hand to the browser.
struct KjFile {
  std::string name;
  std::string content_type;
  std::string bytes;
};

// A message of お知らせ / 連絡文書 (the inbox).
struct KjMessage {
  int64_t id = 0;
  std::string title;
  std::string body;
  Instant created_at{};
  bool read = false;
  std::string attachment_name;  // "" when none
  std::string attachment;       // its bytes (filled by `message` only)
};

// One application in the console's 国保連 list.
struct KjConsoleRow {
  std::string application_id;
  std::string office;
  std::string office_name;
  std::string user_id;  // the applicant (office or agent)
  Instant applied_at{};
  std::string state;  // as KjCertificateRow::state
  std::string usage;
  std::string payment;
  int64_t fee_yen = 0;
};

struct KokuhorenPages {
  // ---- accounts and inbox (kjacct) ----
  std::function<Result<KjAccount>(const std::string& account_id)> account;
  // The login password: `current` checked, `next` under the password policy
  // (InvalidArgument with a Japanese message when it breaks it); clears
  // must_change_password.
  std::function<Status(const std::string& account_id, std::string_view current,
                       std::string_view next)>
      change_password;
  // A new 証明書発行用パスワード generation; its notice goes to the account's inbox as a
  // ZIP whose PDF is encrypted with the login password, typed again here (checked like a
  // login: Unauthorized when wrong, RateLimited when locked).
  std::function<Status(const ra::Caller& caller, std::string_view login_password)>
      reissue_issuance_password;
  std::function<Result<std::vector<KjMessage>>(const std::string& account_id)> inbox;
  // One message with its attachment, marked read; NotFound when it is not the account's.
  std::function<Result<KjMessage>(const std::string& account_id, int64_t id)> message;

  // ---- certificates (kjcert) ----
  std::function<Result<std::vector<KjCertificateRow>>(const ra::Caller& caller,
                                                      const std::string& office)>
      certificates;
  // The start of a certificate that continues the office's current one (its end + 1 s),
  // when that choice is offered (inside the renewal window); nullopt otherwise.
  std::function<Result<std::optional<Instant>>(const std::string& office)> continue_from;
  // Unauthorized when the typed 証明書発行用パスワード is not the account's current one.
  std::function<Status(const ra::Caller& caller, std::string_view issuance_password)>
      check_issuance_password;
  // 相殺: the offset office's KJ user ID and (login) password; Unauthorized when wrong,
  // RateLimited when that account is locked.
  std::function<Status(std::string_view user_id, std::string_view password)> check_offset_office;
  // The application's ID.
  std::function<Result<std::string>(const KjApplyRequest& request)> apply;
  // The PKCS#12 of an issued, valid certificate of `office`; FailedPrecondition naming
  // "generation" or with the words of 002 Q3 when applied for with an older
  // 証明書発行用パスワード.
  std::function<Result<KjFile>(const ra::Caller& caller, const std::string& office,
                               const std::string& application_id)>
      download;

  // ---- fees (kjfees) ----
  // 発行手数料残高: the ledger's figure for the office.
  std::function<Result<int64_t>(const std::string& office)> balance;
  // 請求書を表示する: the transfer invoice of an application (PDF).
  std::function<Result<KjFile>(const ra::Caller& caller, const std::string& office,
                               const std::string& application_id)>
      invoice;

  // ---- console (kjcert, kjfees) ----
  // Applications in `state` ("" = every), newest first.
  std::function<Result<std::vector<KjConsoleRow>>(const std::string& state)> queue;
  // Approve a pending application (issues it); kj_review.
  std::function<Status(const ra::Caller& caller, const std::string& application_id)> approve;
  // Confirm the transfer payment of an awaiting_payment application; kj_review.
  std::function<Status(const ra::Caller& caller, const std::string& application_id)>
      confirm_payment;
};

}  // namespace claimsca::portal
