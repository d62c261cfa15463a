#pragma once

// 国保連 certificate applications (docs/kokuhoren.md, "Certificate applications, issuance
// and download"; seeds 001 Q10, 002 Q1): 証明書発行用パスワード → 有効期間選択 → (agents)
// 証明書利用区分 and 支払方法 → 送信確認 with the terms → 発行申請中, and the list the
// 証明書 screen shows. Issuance and download are in issuance.h, reminders in reminders.h.
//
// The applications live in their own table (migration 065), never in the common CA's
// `applications`. Every change is one transaction with its audit row.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ca/program.h"
#include "common/clock.h"
#include "common/status.h"
#include "crypto/sealed_box.h"
#include "kokuhoren/applications_accounts.h"
#include "kokuhoren/types.h"
#include "store/module_sql.h"

namespace claimsca::kokuhoren {

enum class ApplicationState { kAwaitingPayment, kPending, kIssued, kRevoked, kCancelled };
// "awaiting_payment" | "pending" | "issued" | "revoked" | "cancelled".
std::string_view Name(ApplicationState s);
std::optional<ApplicationState> ParseApplicationState(std::string_view name);

struct CertApplication {
  std::string id;             // "KJA" + 12 digits
  std::string account_id;     // the applicant: the office's or the agent's account
  std::string account_kind;   // kOfficeKind | kAgentKind
  std::string office_number;  // 介護保険事業所番号 the certificate is for
  UsageCategory usage = UsageCategory::kCareInsurance;
  PaymentMethod payment = PaymentMethod::kOffset;
  std::string offset_office_number;  // 相殺: the office whose benefits bear the fee; else empty
  ValidityStart validity = ValidityStart::kFromIssuance;
  std::string continues_id;                     // continue: the application it follows
  std::optional<Instant> requested_not_before;  // continue: its notAfter + 1 s
  int64_t password_generation = 0;
  std::string terms_version;
  ApplicationState state = ApplicationState::kPending;
  Instant applied_at{};  // 発行申請日 is its JST date
  std::optional<Instant> paid_at;
  std::string paid_by;
  std::optional<Instant> issued_at;
  std::string issued_by;
  std::string serial;  // from issuance
  std::optional<Instant> not_before, not_after;
  std::optional<Instant> closed_at;  // cancelled or revoked
  std::string closed_by;

  // 有効開始年月日 as the list shows it: the certificate's notBefore, or before issuance the
  // requested start of a continuing application (seed 002 Q1: a pending row shows it).
  std::optional<Instant> ValidFrom() const {
    return not_before ? not_before : requested_not_before;
  }
  // True when issued and `now` is past notAfter (有効期限切れ, derived).
  bool Expired(Instant now) const {
    return state == ApplicationState::kIssued && not_after && now > *not_after;
  }
  // 状況: 入金確認待ち / 発行申請中 / 発行済み / 有効期限切れ / 失効済み / 取消.
  std::string_view StatusJa(Instant now) const;
};

// The terms of use version an application must be consented to (docs/kokuhoren.md).
inline constexpr std::string_view kTermsVersion = "2026-12";

struct ApplyRequest {
  std::string account_id;  // the logged-in account (kjacct says its kind and offices)
  std::string office_number;
  std::string issuance_password;  // 証明書発行用パスワード as typed
  ValidityStart validity = ValidityStart::kFromIssuance;
  // Agents only (an office's own application is 介護保険証明書 by offset against itself).
  UsageCategory usage = UsageCategory::kCareInsurance;
  PaymentMethod payment = PaymentMethod::kOffset;
  std::string offset_user_id, offset_password;  // agents with 相殺: the offset office's login
  bool terms_accepted = false;                  // 「上記内容に同意する」
  std::string terms_version = std::string(kTermsVersion);
  // When given (1..64 characters): a second Apply of the same account with the same key
  // returns the application the first one made, unchanged, without checking again.
  std::string idempotency_key;
};

// What the 有効期間選択 screen offers for an office: "continue" with its date when the
// office has an issued certificate inside its renewal window.
struct ValidityOffer {
  std::optional<Instant> continue_from;  // the current certificate's notAfter + 1 s
  std::string current_id;                // the application of that certificate
};

// Called inside Apply's transaction with the new application (kjfees: charge the fee to
// the offset office's ledger or open the 振込 invoice). An error rolls the application back.
using ApplyHook = std::function<Status(store::SqlTx&, const CertApplication&)>;

struct ApplicationOptions {
  const ca::ProgramProfile* program = nullptr;  // the kokuhoren profile (renewal window)
  // Seals the typed issuance password until issuance (the RA's sealing key).
  const crypto::SealedBox* sealer = nullptr;
  ApplyHook on_apply;  // may be empty
};

// Thread-safe if the store and accounts are. `store`, `accounts`, `clock` and what the
// options point to must outlive it.
class Applications {
 public:
  Applications(store::Store& store, KjAccounts& accounts, const Clock& clock,
               ApplicationOptions options);

  // The continue offer of `office_number` at now (nothing when there is none).
  Result<ValidityOffer> Offer(std::string_view office_number) const;

  // Checks and records an application. Errors: Forbidden (office not the account's, or not
  // a kj account), Unauthorized (issuance password, or the offset office's user ID and
  // password, wrong: message names which), InvalidArgument (terms not accepted, continue
  // without an offer, agent-only choice from an office), Conflict (the office has an open
  // application). 相殺 → pending; 振込 → awaiting_payment.
  Result<CertApplication> Apply(const ApplyRequest& request);

  // 振込 paid (operator or payment import, kjfees): awaiting_payment → pending.
  // Conflict when in another state. `actor` is audited ("operator:sato", "system:import").
  Result<CertApplication> ConfirmPayment(std::string_view id, std::string_view actor);
  // An open application withdrawn (awaiting_payment / pending → cancelled).
  Result<CertApplication> Cancel(std::string_view id, std::string_view actor);

  Result<CertApplication> Get(std::string_view id) const;
  // The applications of an office, newest first (the list of the 証明書 screen).
  Result<std::vector<CertApplication>> ListForOffice(std::string_view office_number) const;
  // Operators: every application, newest first, optionally of one state, at most `limit`.
  Result<std::vector<CertApplication>> List(std::optional<ApplicationState> state, int limit) const;

 private:
  Status CheckTerms(const ApplyRequest& r) const;
  // One state change by `sql` (parameters: id, now, actor), audited as `action`.
  Result<CertApplication> Transition(std::string_view id, const char* sql, std::string_view actor,
                                     std::string_view action, std::string_view expected);
  store::Store& store_;
  KjAccounts& accounts_;
  const Clock& clock_;
  ApplicationOptions options_;
};

}  // namespace claimsca::kokuhoren
