#pragma once

// Accounts, roles and permissions, login with lockout, and bearer tokens
// (docs/accounts.md).
//
// Kinds and roles: an "institution" account acts for its own institution codes only
// (Allows with a code); an "operator" account has roles, each implying the ones below it:
// administrator ⊃ operator ⊃ reviewer. The 国保連 program's accounts (src/kokuhoren) are of
// kinds "kj_office" (one 事業所) and "kj_agent" (代理人: many offices); their codes are
// 介護保険事業所番号 and they hold only the kj_* permissions.
//
// Thread-safety: the free functions are pure. AuthService may be used from any number of
// threads; its state is in the store.

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "auth/password.h"
#include "common/clock.h"
#include "common/status.h"
#include "store/store.h"

namespace claimsca::auth {

// Who is calling, as established by Login or Authenticate. An empty account_id is
// nobody (e.g. the network channel): it is allowed nothing.
struct Principal {
  std::string account_id;
  std::string kind;                            // "institution", "operator", "kj_office", "kj_agent"
  std::vector<std::string> roles;              // operators: as stored (not expanded)
  std::vector<std::string> institution_codes;  // institutions; kj kinds: care office numbers
};

// The account kinds of the 国保連 program (kokuhoren::kOfficeKind / kAgentKind).
inline constexpr std::string_view kKjOfficeKind = "kj_office";
inline constexpr std::string_view kKjAgentKind = "kj_agent";
bool IsKjKind(std::string_view kind);

// What an account may do (docs/accounts.md "Roles and permissions", the one table).
enum class Permission {
  kApply,             // submit an application (institutions: own codes; operators ≥ operator)
  kRead,              // read applications and certificates (institutions: own codes)
  kReview,            // approve / reject (reviewer and up; never an institution)
  kCancel,            // cancel a pending application (institutions: own codes)
  kRevoke,            // revoke an issued certificate (institutions: own codes)
  kEdit,              // change the contact fields of an issued application (own codes)
  kHandOverPassword,  // take a download password for the notice (operator and up)
  kImportRegister,    // import the institution register (operator and up)
  kManageAccounts,    // create, disable, reset accounts (administrator)
  kBilling,           // run the billing month, import deduction results and payments, resolve the
                      // payment queue, confirm revocation for non-payment (operator and up)
  // The 国保連 program (docs/kokuhoren.md). kj kinds: own offices (care office numbers).
  kKjApply,     // apply for a certificate for an office (kj kinds: own offices; operator and up)
  kKjRead,      // certificate list, balance, inbox, invoice (kj kinds: own; reviewer and up)
  kKjDownload,  // download an issued certificate (kj kinds: own offices)
  kKjPassword,  // re-issue one's own 証明書発行用パスワード (kj kinds)
  kKjReview,    // approve a pending application, confirm a transfer payment (reviewer and up)
  kKjManage,    // register offices and agents, print registration notices, offset file
                // (operator and up)
  // New institutions (docs/newinst.md) and 資格確認限定型 (docs/qualcheck.md).
  kNewinstPresent,  // enter the 受付番号, see its deadlines, report "not designated"
                    // (institutions: own codes; operator and up)
  kNewinstManage,   // issue 仮コード, import the bureau's list (swap), confirm a withdrawal
                    // (operator and up)
  kQcApply,   // apply for 資格確認限定型 on the portal, read one's own (institutions: own
              // codes); key a paper form (reviewer and up)
  kQcReview,  // approve / reject a keyed or portal application, print its letters
              // (reviewer and up)
  kSubsidyApply,   // apply for the subsidy, read one's own (institutions: own codes); key a
                   // paper subsidy form (reviewer and up)
  kSubsidyReview,  // approve / reject a subsidy application (reviewer and up)
  kSubsidyPay,     // write the subsidy payment file, mark payments made (operator and up)
};
inline constexpr Permission kAllPermissions[] = {Permission::kApply,
                                                 Permission::kRead,
                                                 Permission::kReview,
                                                 Permission::kCancel,
                                                 Permission::kRevoke,
                                                 Permission::kEdit,
                                                 Permission::kHandOverPassword,
                                                 Permission::kImportRegister,
                                                 Permission::kManageAccounts,
                                                 Permission::kBilling,
                                                 Permission::kKjApply,
                                                 Permission::kKjRead,
                                                 Permission::kKjDownload,
                                                 Permission::kKjPassword,
                                                 Permission::kKjReview,
                                                 Permission::kKjManage,
                                                 Permission::kNewinstPresent,
                                                 Permission::kNewinstManage,
                                                 Permission::kQcApply,
                                                 Permission::kQcReview,
                                                 Permission::kSubsidyApply,
                                                 Permission::kSubsidyReview,
                                                 Permission::kSubsidyPay};
// "apply", "read", "review", "cancel", "revoke", "edit", "hand_over_password",
// "import_register", "manage_accounts", "billing", "kj_apply", "kj_read", "kj_download",
// "kj_password", "kj_review", "kj_manage", "newinst_present", "newinst_manage", "qc_apply",
// "qc_review", "subsidy_apply", "subsidy_review", "subsidy_pay".
std::string_view PermissionName(Permission p);

// The scope of a permission check: which institution's application, certificate or form
// the action touches.
//   a code ("1312345678")  that institution: institution accounts only for codes they hold;
//   kAnyInstitution ("")   "for some institution": may this account do it at all (apply
//                          for its own codes, show its own list...);
//   kEveryInstitution      every institution at once (list everything, revoke by serial
//                          or by code, give operator-only revocation reasons): operator
//                          roles only.
// Operator roles are never scoped: a permission they hold covers every institution.
inline constexpr std::string_view kAnyInstitution = "";
inline constexpr std::string_view kEveryInstitution = "*";

// The permission table of docs/accounts.md: the ONLY authorization decision in the code.
// False for a principal without account ID (the network channel), an unknown kind, an
// operator without a known role, an institution outside its codes.
bool Allows(const Principal& p, Permission perm,
            std::string_view institution_code = kAnyInstitution);

// Institution codes an account may hold: 10-digit 医療機関等コード or 8-digit 保険者番号,
// ASCII digits (check digits are src/domain's business, at application time).
bool IsInstitutionCodeSyntax(std::string_view code);

struct AuthOptions {
  int max_failed_logins = 5;                                // consecutive wrong passwords
  std::chrono::seconds lock_for{std::chrono::minutes(15)};  // then the account locks this long
  KdfParams kdf;                                            // account passwords (OWASP minimum)
  // The kj kinds' own lockout ([kokuhoren] max_failed_logins, lock_minutes): the 国保連
  // system locks after 3 wrong passwords.
  int kj_max_failed_logins = 3;
  std::chrono::seconds kj_lock_for{std::chrono::minutes(30)};
};

class AuthService {
 public:
  AuthService(store::AccountStore& store, const Clock& clock, AuthOptions options = {});

  // Account IDs are compared after trimming ASCII spaces and lower-casing ASCII letters
  // ("Clinic@Example.JP " is "clinic@example.jp"); this is the stored form.
  static std::string NormalizeAccountId(std::string_view account_id);

  // Creates an account from `account` (its password_hash, failure counter, lock and
  // created_at are ignored and set here) with `password`, audited as `actor`
  // ("account.create"). InvalidArgument (message naming the field and rule) when: the
  // account_id is empty, longer than 254 bytes or holds spaces/control characters (an
  // institution's must look like an e-mail address, an operator's may hold only
  // [a-z0-9._-], a kj kind's is "kj" + 8 digits); the kind is unknown; an institution has
  // roles or no codes, or a code is not 10 or 8 ASCII digits; an operator has no roles, an
  // unknown role, or codes; a kj kind has roles, no codes, a code that is not a valid
  // 介護保険事業所番号 (domain::CareOfficeNumberOk), or (kj_office) more than one code; the
  // password breaks CheckPasswordPolicy. Conflict when the account exists. An institution
  // without an e-mail gets its account_id as e-mail.
  Status CreateAccount(store::AccountRecord account, std::string_view password,
                       std::string_view actor);
  // What CreateAccount stores, without storing it: the account normalised, validated and
  // with the password's hash, failures 0, no lock, created_at now (same errors). For a
  // module that writes the account in its own transaction with its own rows
  // (kokuhoren::Accounts); it must audit "account.create" there too.
  Result<store::AccountRecord> PrepareAccount(store::AccountRecord account,
                                              std::string_view password) const;
  // The details of the "account.create" audit event of `account` (kind, roles, codes).
  static std::string CreationDetails(const store::AccountRecord& account);

  // Checks a password. Errors:
  //   Unauthorized  unknown account or wrong password: the same message for both, and an
  //                 unknown account still costs one argon2id verification (no timing
  //                 oracle on which accounts exist);
  //   RateLimited   the account is locked (now, or by this failure, the
  //                 max_failed_logins-th in a row; kj_max_failed_logins / kj_lock_for for
  //                 the kj kinds): "account locked until <JST time>";
  //                 *locked_until (if not null) receives the instant;
  //   Forbidden     the password is right but the account is disabled.
  // Success resets the failure counter and, when the stored hash was made with other
  // parameters than options.kdf, stores a fresh hash.
  Result<Principal> Login(std::string_view account_id, std::string_view password,
                          Instant* locked_until = nullptr);

  // Issues a token of `kind` ("api", "session", "email_verify", "password_reset") for
  // the account, valid for `ttl` from now; returns the token itself (shown once), storing
  // only TokenHash(token). `data` is stored with it (e.g. a session's CSRF secret).
  // NotFound for an unknown account, InvalidArgument for a ttl <= 0 or an unknown kind.
  Result<std::string> IssueToken(std::string_view account_id, std::string_view kind,
                                 std::chrono::seconds ttl, std::string_view data = {});

  // The principal of a live "api" or "session" token. Unauthorized for an unknown,
  // expired or other-kind token (one message); Forbidden if its account is disabled.
  Result<Principal> Authenticate(std::string_view bearer_token);

  // Forgets a token (no-op if unknown).
  Status RevokeToken(std::string_view bearer_token);

  static Principal PrincipalOf(const store::AccountRecord& a);

  const AuthOptions& options() const { return options_; }

 private:
  // An argon2id hash of a random password under options_.kdf, made once, verified
  // against when the account does not exist.
  const std::string& DummyHash();

  store::AccountStore& store_;
  const Clock& clock_;
  const AuthOptions options_;
  std::once_flag dummy_once_;
  std::string dummy_hash_;
};

}  // namespace claimsca::auth
