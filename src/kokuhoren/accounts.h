#pragma once

// Offices (事業所), agents (代理人請求) and their accounts in the 国保連 program
// (docs/kokuhoren.md "Offices, agents and accounts"; DOMAIN.md §8, §11).
//
// - An office is registered by its 介護保険事業所番号 (domain::CareOfficeNumberOk) and gets
//   its own account of kind kj_office, with the office's number as its one code.
// - An agent gets an account of kind kj_agent whose codes are the offices it acts for
//   (registered offices only; at least one, any number).
// - Account IDs are "kj" + 8 random digits (shown "KJ…", types.h), issued by the system.
// - Registration makes a temporary login password (to be changed at the first login:
//   MustChangePassword) and generation 1 of the 証明書発行用パスワード, and returns both
//   once, for the registration result notice (notice_pdf.h); only argon2id hashes are kept.
// - Logins, lockout and sessions are auth::AuthService's (kinds kj_office / kj_agent: their
//   own lockout, [kokuhoren] max_failed_logins / lock_minutes).
//
// Thread-safety: an Accounts may be used from any number of threads; its state is in the
// store.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/auth_service.h"
#include "auth/password.h"
#include "common/clock.h"
#include "common/status.h"

namespace claimsca::store {
class Store;
class SqlTx;
}  // namespace claimsca::store

namespace claimsca::kokuhoren {

// An office as registered (table kj_offices).
struct Office {
  std::string care_office_number;  // 介護保険事業所番号, 10 characters
  std::string name;                // 事業所名
  std::string postal_code;         // "1000001" (digits; a hyphen is dropped)
  std::string address;
  std::string email;       // optional: reminders also go there (kjcert)
  std::string account_id;  // its kj_office account ("kj12345678"); set by RegisterOffice
  Instant created_at{};
};

// An agent (table kj_agents; its offices are its account's codes).
struct Agent {
  std::string account_id;  // set by RegisterAgent
  std::string name;        // 代理人 (法人) 名
  std::string postal_code;
  std::string address;
  std::string email;
  std::vector<std::string> offices;  // care office numbers, sorted
  Instant created_at{};
};

// What the registration result notice prints. Returned once; the passwords are not stored.
struct Registration {
  std::string kind;                // kOfficeKind or kAgentKind
  std::string account_id;          // "kj12345678"
  std::string user_id;             // "KJ12345678" as printed
  std::string temporary_password;  // login password until the first login changes it
  std::string issuance_password;   // 証明書発行用パスワード, generation 1
  std::string name, postal_code, address;
  std::vector<std::string> offices;  // the office's number, or the agent's offices
  Instant registered_at{};
};

struct AccountsOptions {
  // Hashes of 証明書発行用パスワード (the account passwords use the AuthService's).
  auth::KdfParams kdf;
  // Length of the generated temporary and issuance passwords (crypto::RandomPassword's
  // alphabet without look-alikes: printed on paper and typed).
  int password_length = 12;
};

class Accounts {
 public:
  // `auth` makes the accounts and checks login passwords; all three must outlive this.
  Accounts(store::Store& store, auth::AuthService& auth, const Clock& clock,
           AccountsOptions options = {});

  // Registers the office and its kj_office account, audited by `actor`
  // ("kokuhoren.office.register"). InvalidArgument (naming the field) for a care office
  // number that fails domain::CareOfficeNumberOk (after trimming spaces and upper-casing
  // ASCII letters), an empty name, a postal code that is not 7 digits (when given);
  // Conflict when the office is registered.
  Result<Registration> RegisterOffice(Office office, std::string_view actor);
  // Registers the agent and its kj_agent account for `agent.offices` (each registered;
  // duplicates refused). InvalidArgument as RegisterOffice (empty list, unknown office:
  // the message names the number).
  Result<Registration> RegisterAgent(Agent agent, std::string_view actor);

  Result<Office> GetOffice(std::string_view care_office_number);
  // Every office, by care office number.
  Result<std::vector<Office>> ListOffices();
  Result<Agent> GetAgent(std::string_view account_id);
  Result<std::vector<Agent>> ListAgents();

  // An administrator's reset of a lost login password: a new temporary password (to be
  // changed at the next login), failures and lock cleared, every session ended, audited
  // "kokuhoren.password.reset" by `actor`. The issuance password is unchanged (the
  // returned issuance_password is empty). NotFound for an unknown or non-kj account.
  Result<Registration> ResetLoginPassword(std::string_view account_id, std::string_view actor);

  // True while the account still has the temporary password of its notice.
  Result<bool> MustChangePassword(std::string_view account_id);
  // Replaces the login password. `current` is checked as a login (wrong: Unauthorized;
  // counts towards the lockout; locked: RateLimited). InvalidArgument ("password: <rules>")
  // when the new one breaks auth::CheckPasswordPolicy or equals the current one. Clears
  // the must-change mark and every session of the account (the caller issues a new one),
  // audited "kokuhoren.password.change".
  Status ChangePassword(std::string_view account_id, std::string_view current,
                        std::string_view new_password);

  // The current 証明書発行用パスワード generation (1 after registration). NotFound for an
  // account without one.
  Result<int64_t> IssuancePasswordGeneration(std::string_view account_id);
  // Checks `password` against the CURRENT generation and returns that generation;
  // Unauthorized when it is wrong (an older generation's password is wrong too).
  Result<int64_t> VerifyIssuancePassword(std::string_view account_id, std::string_view password);
  // A fresh issuance password for the account and its argon2id hash (nothing stored).
  Result<std::pair<std::string, std::string>> MakeIssuancePassword(
      std::string_view account_id) const;
  // Stores `hash` as the account's next generation in `tx` (re-issue, reissue.h); returns
  // it. NotFound for an account without issuance password.
  Result<int64_t> AddIssuancePasswordIn(store::SqlTx& tx, std::string_view account_id,
                                        std::string_view hash);

  // The login password of a kj account checked as a login (failures count; locked:
  // RateLimited). Unauthorized for other kinds. Used where a page asks for it again.
  Result<auth::Principal> CheckLogin(std::string_view account_id, std::string_view password);
  // The name of an office's or agent's account (its kj_offices / kj_agents row).
  Result<std::string> NameOf(const auth::Principal& p);

  // 相殺: the offset office's KJ user ID and login password, as typed on the agent's 支払方法
  // page. Checked like a login (auth::AuthService::Login: failures count and lock that
  // account after 3); the account must be a kj_office. Returns the office's care office
  // number. Unauthorized (one message for unknown ID, wrong password and a non-office
  // account), RateLimited when locked, Forbidden when disabled.
  Result<std::string> VerifyOffsetOffice(std::string_view user_id, std::string_view password);

  // The kj accounts acting for an office (its own and its agents'), by account ID.
  Result<std::vector<std::string>> AccountsForOffice(std::string_view care_office_number);

  // "13a1234567 " -> "13A1234567": the form in which care office numbers are stored.
  static std::string NormalizeCareOfficeNumber(std::string_view s);

 private:
  Result<std::string> NewPassword(std::string_view account_id) const;
  // Creates the account with a fresh user ID (retried on a collision) and a temporary
  // password, then runs `rest` (office/agent rows, must-change, issuance password) in one
  // transaction. Returns the registration without name fields.
  Result<Registration> CreateAccount(
      std::string_view kind, std::vector<std::string> codes, std::string_view display_name,
      std::string_view email, std::string_view actor,
      const std::function<Status(store::SqlTx&, const Registration&)>& rest);

  store::Store& store_;
  auth::AuthService& auth_;
  const Clock& clock_;
  const AccountsOptions options_;
  auth::DummyHash dummy_;
};

}  // namespace claimsca::kokuhoren
