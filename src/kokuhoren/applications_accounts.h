#pragma once

// What certificate applications need from the accounts part of the program (kjacct:
// accounts, offices, 証明書発行用パスワード generations, the inbox), as one narrow
// interface. The implementation over kjacct's API is wired in src/cmd; tests use the same
// one on a real store. Keeping it narrow keeps applications free of login and password
// storage details.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"

namespace claimsca::kokuhoren {

struct KjAccount {
  std::string account_id;            // "kj12345678"
  std::string kind;                  // kOfficeKind | kAgentKind
  std::vector<std::string> offices;  // 介護保険事業所番号 it acts for
  std::string name;                  // 事業所名 or the agent's name (letters, e-mails)
  std::string email;                 // empty when none is registered
};

class KjAccounts {
 public:
  virtual ~KjAccounts() = default;
  // NotFound for an unknown (or not kj) account.
  virtual Result<KjAccount> Find(std::string_view account_id) = 0;
  // The generation of the account's current 証明書発行用パスワード when `password` is it;
  // Unauthorized otherwise.
  virtual Result<int64_t> VerifyIssuancePassword(std::string_view account_id,
                                                 std::string_view password) = 0;
  // The generation of the account's current 証明書発行用パスワード.
  virtual Result<int64_t> IssuancePasswordGeneration(std::string_view account_id) = 0;
  // The care office number of the office whose KJ user ID and login password these are (相殺);
  // Unauthorized otherwise (a failure counts as a failed login of that account).
  virtual Result<std::string> VerifyOffsetOffice(std::string_view user_id,
                                                 std::string_view password) = 0;
  // Posts a message to the account's inbox (お知らせ / 連絡文書) once per `dedupe_key`;
  // false when that key was posted before.
  virtual Result<bool> PostInbox(std::string_view account_id, std::string_view title,
                                 std::string_view body, std::string_view dedupe_key,
                                 Instant at) = 0;
};

}  // namespace claimsca::kokuhoren
