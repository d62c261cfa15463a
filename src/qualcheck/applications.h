#pragma once

// 資格確認限定型 applications over the store (migration 080; docs/qualcheck.md): paper
// forms keyed twice by two different staff members and compared field by field, portal
// applications entered once by the institution, approval / rejection, and the narrow read
// API the subsidy module uses (ApprovedUseStart). Every change is one transaction with its
// audit row. Secrets (password, bank digits) never reach the database in clear, nor the
// audit rows or error messages.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/password.h"
#include "common/clock.h"
#include "common/status.h"
#include "common/time_util.h"
#include "qualcheck/bank.h"
#include "qualcheck/form.h"

namespace claimsca::store {
class Store;
}

namespace claimsca::qualcheck {

enum class State { kKeying, kDiffers, kAgreed, kApproved, kRejected };
std::string_view Name(State s);  // "keying" | "differs" | "agreed" | "approved" | "rejected"
std::string_view NameJa(State s);  // 入力中（1人目） | 相違あり | 照合済み | 承認済み | 却下
std::optional<State> ParseState(std::string_view s);

struct Application {
  std::string id;         // "QC" + 10 digits
  std::string channel;    // "paper" | "portal"
  std::string paper_ref;  // 受付番号 of the post (paper only)
  std::string institution_code;
  std::string kinds;  // "1" | "2" | "12" | "3"
  State state = State::kKeying;
  Form form;  // the agreed (or first keyed) fields; password and bank_last4 always empty
  bool has_password = false;
  std::optional<BankCheck> bank_check;
  std::optional<int64_t> devices;
  std::string use_start_date;  // 運用開始（予定）日 'YYYY-MM-DD' (approved, kinds with 2)
  std::string end_date, end_action;  // kind 3
  std::string account_id;            // the portal account (approved kind 1: created)
  std::string reason;                // rejection
  std::string letters_batch;         // the letters batch that printed it ('YYYYMMDD...')
  // The post's tracking of the letters' envelope (ImportLetterTracking): the tracking
  // number, "shipped" | "delivered" | "undeliverable" and its JST day 'YYYY-MM-DD'.
  std::string tracking_number, shipping_status, shipping_status_on;
  Instant created_at{};
  std::string created_by;
  std::optional<Instant> decided_at;
  std::string decided_by;
};

struct Keying {
  int64_t seq = 0;
  std::string keyer;
  Form form;                         // secrets empty
  std::vector<std::string> differs;  // fields differing from the previous keying
  Instant keyed_at{};
};

struct KeyResult {
  std::string id;
  State state = State::kKeying;
  std::vector<std::string> differs;  // field names (secrets included: "password", "bank_last4")
};

// What the subsidy module needs: an approved 利用開始申請 (申請区分 2) of the institution.
struct UseStart {
  std::string application_id;
  Date start;           // 運用開始（予定）日 = approval date (JST)
  int64_t devices = 0;  // 申請台数
};

class ApplicationStore {
 public:
  ApplicationStore(store::Store& store, const BankDigits& bank, auth::KdfParams kdf = {})
      : store_(store), bank_(bank), kdf_(kdf) {}

  // One keying of the paper form `paper_ref` by `keyer` (a staff member). The first keying
  // creates the application (state keying); the second must be by another person (Forbidden
  // otherwise). A keying agrees when it matches field by field the latest keying of any
  // other person (agreed); else differs, with the differences against the newest other
  // keying (the next keying is the correction round). The
  // password and the bank digits are compared by verifying the clear values against the
  // previous keying's argon2id hashes; those hashes are erased when the keyings agree.
  // InvalidArgument (the field errors, see FieldErrorsOf) for an invalid form; Conflict
  // once the application is agreed or decided.
  Result<KeyResult> Key(std::string_view paper_ref, const Form& form, std::string_view keyer,
                        Instant at);

  // A portal application, entered once by the institution (state agreed). `form_token`:
  // the one-time token of the form page; a second submission with the same token (double
  // click, back and resend) returns the application of the first and creates nothing
  // (Conflict when the token is another actor's). Empty: no such protection (CLI).
  Result<std::string> SubmitPortal(const Form& form, std::string_view actor, Instant at,
                                   std::string_view form_token = {});

  Result<Application> Get(std::string_view id);
  Result<std::optional<Application>> FindByPaperRef(std::string_view paper_ref);
  Result<std::vector<Keying>> Keyings(std::string_view id);
  // Newest first; `state` / `institution_code` empty: all.
  Result<std::vector<Application>> List(std::optional<State> state,
                                        std::string_view institution_code = {});

  // agreed → approved by `actor`: use_start_date = JstDate(at) when the kinds hold 2,
  // `account_id` recorded (the portal account, created by the caller for kind 1), the
  // password hash erased. Conflict unless agreed.
  // `sealed_password`: the sealed temporary password of the letter (kinds 12), else empty;
  // with it, the account must change its password at the first login (qc_initial_passwords,
  // initial_password.h).
  Status Approve(std::string_view id, std::string_view actor, Instant at,
                 std::string_view account_id, std::string_view sealed_password = {});
  // keying / differs / agreed → rejected, with a reason (required).
  Status Reject(std::string_view id, std::string_view actor, Instant at, std::string_view reason);
  // The password hash of an agreed application (for the account of 申請区分 1 alone).
  Result<std::string> PasswordHash(std::string_view id);
  // Approved applications with 申請区分 1 or 2 whose letters are not printed yet, oldest
  // first, each with its sealed temporary password (or empty).
  Result<std::vector<std::pair<Application, std::string>>> PendingLetters();
  // Marks approved applications as printed in `batch` and erases their sealed passwords.
  Status MarkLetters(const std::vector<std::string>& ids, std::string_view batch);

  // The newest approved application with 申請区分 2 of the institution, unless a later
  // approved 申請区分 3 ended it (end_action "end" / "change" with an end date before
  // `on`); nullopt when there is none.
  Result<std::optional<UseStart>> ApprovedUseStart(std::string_view institution_code,
                                                   std::optional<Date> on = std::nullopt);

 private:
  store::Store& store_;
  const BankDigits& bank_;
  auth::KdfParams kdf_;
};

// The field errors carried by an InvalidArgument of Key / SubmitPortal (JSON array in the
// message after "form: "); empty for any other status.
std::vector<domain::FieldError> FieldErrorsOf(const Status& st);

}  // namespace claimsca::qualcheck
