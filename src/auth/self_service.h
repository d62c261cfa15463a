#pragma once

// Account self-service for institutions (docs/accounts.md "Self-registration", "Password
// reset"): registration checked against the institution register with an e-mail
// verification link, and password reset by an e-mailed single-use expiring link.
//
// The links carry an AuthService token (kinds "email_verify", "password_reset"); the store
// keeps only its hash. Mails are composed by mail::Composer and written to the outbox:
// the verification mail in the transaction that creates the account (AuditEvent::mail),
// the reset mail with its own write (nothing else changes when a reset is asked for).
//
// Thread-safety: as AuthService (state in the store).

#include <chrono>
#include <string>
#include <vector>

#include "auth/auth_service.h"
#include "common/clock.h"
#include "common/status.h"
#include "domain/application_form.h"
#include "mail/outbox.h"
#include "store/store.h"

namespace claimsca::auth {

struct SelfServiceOptions {
  std::string public_url = "http://127.0.0.1:8080";  // links are public_url + /portal/…
  std::chrono::seconds verify_ttl{std::chrono::hours(24)};
  std::chrono::seconds reset_ttl{std::chrono::minutes(30)};
};

// What an institution types to register. Every value as typed; the service normalises.
struct RegistrationForm {
  std::string email;  // becomes the account ID
  std::string institution_code;
  std::string institution_name;
  std::string postal_code;
  std::string password;
  std::string password_again;
};

class SelfService {
 public:
  // Everything referenced must outlive the service. Mails are written to the store's
  // outbox; whoever runs the outbox (serve's jobs, `claimsca jobs run`) sends them.
  SelfService(AuthService& auth, store::Store& store, const mail::Composer& composer,
              const Clock& clock, SelfServiceOptions options);

  // Checks the form: e-mail syntax, the code (10-digit 医療機関等コード or 8-digit 保険者番号)
  // present in the current register with the same name (width and spaces ignored) and
  // postal code, the password policy, both passwords equal. Field errors (Japanese) go to
  // *errors and nothing is written. Otherwise creates the account disabled and unverified
  // (audited "account.register" by "self:<id>") with the verification mail in the same
  // transaction. Conflict when the account exists (shown as a field error by the caller).
  Status Register(const RegistrationForm& form, std::vector<domain::FieldError>* errors);

  // Opens the verification link: marks the e-mail verified and enables the account, once.
  // Returns the account ID. Unauthorized for an unknown, used or expired token.
  Result<std::string> VerifyEmail(std::string_view token);

  // Sends a reset link to an existing, verified institution account's e-mail. Says nothing
  // about whether the account exists (OK either way).
  Status RequestPasswordReset(std::string_view account_id);

  // Whether a reset token is live (for showing the form). Unauthorized otherwise.
  Status CheckResetToken(std::string_view token);

  // Sets a new password through a reset token: policy errors go to *errors (token kept);
  // otherwise the password is replaced (failures and lock cleared), the token and every
  // session of the account are deleted. Unauthorized for an unknown, used or expired token.
  Status ResetPassword(std::string_view token, std::string_view password,
                       std::string_view password_again, std::vector<domain::FieldError>* errors);

 private:
  Result<store::TokenRecord> LiveToken(std::string_view token, std::string_view kind);

  AuthService& auth_;
  store::Store& store_;
  const mail::Composer& composer_;
  const Clock& clock_;
  SelfServiceOptions options_;
};

}  // namespace claimsca::auth
