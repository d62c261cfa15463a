#include "auth/self_service.h"

#include <nlohmann/json.hpp>

#include "auth/password.h"
#include "auth/token.h"
#include "common/time_util.h"
#include "domain/normalize.h"

namespace claimsca::auth {
namespace {

void AddError(std::vector<domain::FieldError>* errors, std::string field, std::string rule,
              std::string message) {
  errors->push_back({std::move(field), std::move(rule), std::move(message)});
}

std::string Digits(std::string_view s) {
  std::string out;
  for (char c : domain::NormalizeCode(s)) {
    if (c != '-' && c != ' ') out.push_back(c);
  }
  return out;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

SelfService::SelfService(AuthService& auth, store::Store& store, const mail::Composer& composer,
                         const Clock& clock, SelfServiceOptions options)
    : auth_(auth),
      store_(store),
      composer_(composer),
      clock_(clock),
      options_(std::move(options)) {}

Status SelfService::Register(const RegistrationForm& form,
                             std::vector<domain::FieldError>* errors) {
  const std::string id = AuthService::NormalizeAccountId(domain::NormalizeCode(form.email));
  if (!domain::IsValidEmail(id)) {
    AddError(errors, "email", "email",
             "メールアドレスを正しく入力してください（例：jimu@example.jp）。");
  }
  const std::string code = Digits(form.institution_code);
  const std::string postal = Digits(form.postal_code);
  store::RegisterEntry entry;
  if (!AllDigits(code) || (code.size() != 10 && code.size() != 8)) {
    AddError(errors, "institution_code", "format",
             "医療機関等コード（10桁）または保険者番号（8桁）を数字で入力してください。");
  } else {
    auto found = store_.FindInRegister(code);
    if (found.ok()) {
      entry = std::move(*found);
    } else if (found.status().code() == Code::kNotFound) {
      AddError(errors, "institution_code", "not_in_register",
               "このコードは登録簿にありません。コードをもう一度確かめてください。");
    } else {
      return found.status();
    }
  }
  if (domain::NormalizeText(form.institution_name).empty()) {
    AddError(errors, "institution_name", "required", "名称を入力してください。");
  } else if (!entry.institution_code.empty() &&
             domain::NameKey(entry.name) != domain::NameKey(form.institution_name)) {
    AddError(errors, "institution_name", "mismatch",
             "名称が登録簿と一致しません。届け出た名称のとおりに入力してください。");
  }
  if (!AllDigits(postal) || postal.size() != 7) {
    AddError(errors, "postal_code", "format", "郵便番号を7桁の数字で入力してください。");
  } else if (!entry.institution_code.empty() && entry.postal_code != postal) {
    AddError(errors, "postal_code", "mismatch",
             "郵便番号が登録簿と一致しません。届け出た所在地の郵便番号を入力してください。");
  }
  for (auto& e : CheckPasswordPolicy(form.password, id)) errors->push_back(std::move(e));
  if (form.password != form.password_again) {
    AddError(errors, "password_again", "mismatch", "確認のパスワードが一致しません。");
  }
  if (!errors->empty()) return Status::Ok();

  // Step 1: the link's token, made first so that the mail can travel in the account's
  // transaction; it is stored (hash only) right after, the account existing by then.
  ASSIGN_OR_RETURN(std::string token, NewToken());
  const Instant now = clock_.Now();
  const Instant expires = now + options_.verify_ttl;
  ASSIGN_OR_RETURN(
      store::OutboxMail mail,
      composer_.Compose("email_verify", id, id,
                        {{"institution_name", entry.name},
                         {"institution_code", code},
                         {"account_id", id},
                         {"link", options_.public_url + "/portal/verify?token=" + token},
                         {"expires_at", FormatJstMinute(expires)}},
                        "email_verify|" + TokenHash(token)));
  store::AccountRecord a;
  a.account_id = id;
  a.kind = "institution";
  a.institution_codes = {code};
  a.display_name = entry.name;
  a.email = id;
  a.disabled = true;  // until the address is verified
  ASSIGN_OR_RETURN(a.password_hash, HashPassword(form.password));
  a.created_at = now;
  store::AuditEvent ev{now, "self:" + id, "account.register", id,
                       nlohmann::json{{"institution_code", code}}.dump()};
  ev.mail.push_back(std::move(mail));
  // Step 2: the account and its mail, one transaction.
  RETURN_IF_ERROR(store_.CreateAccount(a, ev));
  // Step 3: the token. Should this fail, the mail's link does not work; a password reset
  // (which also verifies the address) remains the way in.
  store::TokenRecord t{TokenHash(token), id, "email_verify", now, expires, ""};
  return store_.PutToken(t);
}

Result<store::TokenRecord> SelfService::LiveToken(std::string_view token, std::string_view kind) {
  if (token.empty()) return Status(Code::kUnauthorized, "no token");
  auto t = store_.GetToken(TokenHash(token), clock_.Now());
  if (!t.ok() || t->kind != kind) return Status(Code::kUnauthorized, "unknown or expired link");
  return t;
}

Result<std::string> SelfService::VerifyEmail(std::string_view token) {
  ASSIGN_OR_RETURN(store::TokenRecord t, LiveToken(token, "email_verify"));
  ASSIGN_OR_RETURN(store::AccountRecord a, store_.GetAccount(t.account_id));
  const Instant now = clock_.Now();
  RETURN_IF_ERROR(store_.DeleteToken(t.token_hash));
  if (!a.email_verified) {
    RETURN_IF_ERROR(store_.SetEmailVerified(
        a.account_id, {now, "self:" + a.account_id, "account.verify_email", a.account_id, "{}"}));
    RETURN_IF_ERROR(store_.SetDisabled(
        a.account_id, false, {now, "self:" + a.account_id, "account.enable", a.account_id, "{}"}));
  }
  return a.account_id;
}

Status SelfService::RequestPasswordReset(std::string_view account_id) {
  auto a = store_.GetAccount(AuthService::NormalizeAccountId(domain::NormalizeCode(account_id)));
  if (!a.ok()) return a.status().code() == Code::kNotFound ? Status::Ok() : a.status();
  if (a->kind != "institution" || a->email.empty()) return Status::Ok();
  // A disabled account that never verified its address was registered and not confirmed:
  // the reset link proves the address too. An account an operator disabled gets nothing.
  if (a->disabled && a->email_verified) return Status::Ok();
  ASSIGN_OR_RETURN(std::string token,
                   auth_.IssueToken(a->account_id, "password_reset", options_.reset_ttl));
  const Instant expires = clock_.Now() + options_.reset_ttl;
  ASSIGN_OR_RETURN(store::OutboxMail mail,
                   composer_.Compose(
                       "password_reset", a->account_id, a->email,
                       {{"display_name", a->display_name.empty() ? a->account_id : a->display_name},
                        {"link", options_.public_url + "/portal/reset?token=" + token},
                        {"expires_at", FormatJstMinute(expires)}},
                       "password_reset|" + TokenHash(token)));
  return store_.EnqueueMail(mail).status();
}

Status SelfService::CheckResetToken(std::string_view token) {
  return LiveToken(token, "password_reset").status();
}

Status SelfService::ResetPassword(std::string_view token, std::string_view password,
                                  std::string_view password_again,
                                  std::vector<domain::FieldError>* errors) {
  ASSIGN_OR_RETURN(store::TokenRecord t, LiveToken(token, "password_reset"));
  ASSIGN_OR_RETURN(store::AccountRecord a, store_.GetAccount(t.account_id));
  for (auto& e : CheckPasswordPolicy(password, a.account_id)) errors->push_back(std::move(e));
  if (password != password_again) {
    AddError(errors, "password_again", "mismatch", "確認のパスワードが一致しません。");
  }
  if (!errors->empty()) return Status::Ok();
  ASSIGN_OR_RETURN(std::string hash, HashPassword(password));
  const Instant now = clock_.Now();
  const std::string actor = "self:" + a.account_id;
  // Single use: the token goes first, so a second submission finds nothing.
  RETURN_IF_ERROR(store_.DeleteToken(t.token_hash));
  RETURN_IF_ERROR(store_.SetPasswordHash(
      a.account_id, hash, {now, actor, "account.reset_password", a.account_id, "{}"}));
  RETURN_IF_ERROR(store_.DeleteTokens(a.account_id, "session"));
  if (!a.email_verified) {
    RETURN_IF_ERROR(store_.SetEmailVerified(
        a.account_id, {now, actor, "account.verify_email", a.account_id, "{}"}));
    RETURN_IF_ERROR(store_.SetDisabled(a.account_id, false,
                                       {now, actor, "account.enable", a.account_id, "{}"}));
  }
  return Status::Ok();
}

}  // namespace claimsca::auth
