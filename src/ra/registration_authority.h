#pragma once

// The registration authority: the certificate application lifecycle of the guide (DOMAIN.md
// §1–§4, §6; docs/applications.md). It decides WHETHER to issue — forms validated to the
// rule, the register consulted, automatic or manual review — and asks the Issuer to sign.
// Every state change is one store transaction with its audit row; every method checks
// that the caller may act on the application (an institution only ever sees its own codes;
// an application of another institution is reported as not found, never as forbidden).
//
// Thread-safe; several processes may share one database (approval is claimed in the
// store, so two operators approving at once issue one certificate).

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/auth_service.h"
#include "auth/password.h"
#include "ca/issuer.h"
#include "ca/key_pool.h"
#include "ca/program.h"
#include "common/clock.h"
#include "crypto/pkcs12.h"
#include "crypto/sealed_box.h"
#include "domain/application_form.h"
#include "domain/tariff.h"
#include "mail/outbox.h"
#include "ra/code_change.h"
#include "store/store.h"

namespace claimsca::store {
class BulkStore;
}

namespace claimsca::ra {

// The form as the API and the portal send it: one flat object for both kinds.
struct ApplicationForm {
  std::string applicant_kind;  // "institution" or "insurer"
  std::string category;
  std::string prefecture;
  std::string score_table;
  std::string facility_code;
  std::string institution_name;  // 医療機関(薬局)名称 (institutions)
  std::string insurer_number;    // 保険者番号 (insurers)
  std::string insurer_name;      // 医療保険者等名 (insurers)
  std::string contact_name;
  std::string phone;
  std::string email;
  std::string terminal_name;
};

// The application channel (DOMAIN.md §2 point 4). kNetwork has no account and is allowed
// only from configured address ranges (checked at the HTTP edge).
enum class Channel { kPortal, kNetwork, kApi, kOperator };
std::string_view ChannelName(Channel c);

// 「発行承認待ち」… as the guide's status list (000 図表12) names each state.
std::string_view StateLabelJa(store::ApplicationState s);
// 発送準備中 / 発送済み / お届け済み / 不達: the notice's shipping as the detail screen says it.
std::string_view ShippingLabelJa(store::ShippingStatus s);

struct Caller {
  auth::Principal principal;  // empty account_id for the network channel
  Channel channel = Channel::kApi;
  // The CA owner's own tools (the `init` operator token, the command line), which hold
  // every key and may create accounts anyway: not bound by the four-eyes rule, which binds
  // accounts (people). Set only by cmd::OperatorCaller.
  bool owner = false;
  // The audit actor: "account:<id>", "operator:<id>", "network:<address>", "system:<job>".
  std::string Actor() const;
};

// Automatic review (審査): which applications are approved at once. Anything that fails a
// rule is held for a person with the rule's name as hold_reason.
struct AutoReviewPolicy {
  bool enabled = true;
  // The code must be in the current institution register ("not_in_register").
  bool require_register = true;
  // The name typed must equal the register's (after width folding and space removal)
  // ("name_mismatch"). Off by default: staff abbreviate names.
  bool require_name_match = false;
  // Active certificates + pending applications of the institution must stay below this
  // ("too_many_certificates"). 0 = no limit.
  int max_active_certificates = 20;
};

struct RaOptions {
  std::string program = std::string(domain::kCommonProgram);
  AutoReviewPolicy auto_review;
  int download_max_failures = 5;  // wrong passwords before the download locks
  std::chrono::seconds download_lock{std::chrono::minutes(30)};
  std::chrono::seconds claim_ttl{std::chrono::minutes(5)};  // an approval in progress
  int download_password_chars = 16;  // from crypto::kPasswordAlphabet, ≈ 93 bits
  auth::KdfParams download_kdf;      // hash of the download password
  crypto::P12Mode p12_mode = crypto::P12Mode::kModern;
  std::string holder;  // this process, for approval claims (host:pid)
  // Called with every audit event once its transaction committed (the JSON event log).
  // Must be thread-safe; may be empty.
  std::function<void(const store::AuditEvent&)> audit_log;
  // Composes the applicant's e-mails (received, issued, rejected, revoked), written to the
  // outbox in the transaction of the change (docs/notices-and-mail.md). Null = no mail.
  const mail::Composer* mail = nullptr;
  // The four-eyes rule: the account that submitted an application (an operator applying
  // on a clinic's behalf) may not approve it. Config `ra.four_eyes`.
  bool four_eyes = true;
  // The code swaps of newly opened institutions (code_change.h): a certificate on a
  // replaced code is re-issued on the application's code. Null = none.
  CodeChangeRegistry* code_change = nullptr;
};

struct Preview {
  std::string institution_code;
  int64_t earlier_applications = 0;  // every earlier application of the code (発行済み含む)
  std::vector<std::pair<store::ApplicationState, int64_t>> by_state;
  domain::FeeQuote fee;     // for this application, under today's tariff
  std::string tariff_from;  // "YYYY-MM-DD" of the tariff entry used
  bool in_register = false;
  std::string register_name;  // the registered name, when in the register
};

// A form after normalisation and validation: errors (non-empty = refused, nothing stored)
// or the record to store.
struct CheckedForm {
  std::vector<domain::FieldError> errors;
  store::ApplicationRecord record;
};

struct PreviewResult {
  std::vector<domain::FieldError> errors;  // non-empty: the form is refused
  Preview preview;
};

struct SubmitResult {
  std::vector<domain::FieldError> errors;  // non-empty: refused, nothing stored
  store::ApplicationRecord application;    // as stored (after automatic review)
  bool created = false;                    // false: the idempotency key was seen before
  Preview preview;
  store::FeeCharge charge;  // set when automatic review approved it at once
};

// Many terminals at once (bulk_submit.cc; docs/portal.md "Many terminals at once").
struct BulkResult {
  // One entry per form, in order: its field errors. Any non-empty: nothing was stored.
  std::vector<std::vector<domain::FieldError>> errors;
  bool refused = false;   // some row has errors
  domain::FeeQuote fee;   // per application, under today's tariff
  int64_t total_yen = 0;  // fee.total_yen × the number of forms
  std::string tariff_from;
  std::vector<store::ApplicationRecord> applications;  // SubmitMany: as stored and reviewed
  int created = 0;  // SubmitMany: applications stored now (0 on a resent confirmation)
};

struct Approval {
  store::ApplicationRecord application;
  store::FeeCharge charge;
};

// The one answer of DownloadPkcs12 to a refused request ID and password.
inline constexpr char kDownloadRefused[] =
    "request ID or password is wrong (after repeated wrong passwords the download is locked "
    "for a while, and refused even with the right password until then)";

struct Download {
  std::string pkcs12_der;
  std::string filename;  // "<request_id>.p12"
};

// One line of a bulk revocation.
struct BulkItem {
  std::string serial;
  std::string request_id;  // empty for certificates not issued through an application
  Status status;           // ok, or why this one was not revoked
};

// Renewal by the holder of the current certificate (DOMAIN.md §5, docs/renewal-and-cmp.md).
// The holder proved possession of `serial`'s key at the edge (mTLS, a signed CMP kur).
// Exactly one way of making the new key: `csr` (the terminal's own key; its signature is
// the proof of possession), `public_key` (possession already checked, e.g. CMP POPO), or
// neither: a server-made key delivered as PKCS#12 under `pkcs12_password`.
struct RenewalRequest {
  std::string serial;  // the current certificate of the application
  std::string csr;
  EVP_PKEY* public_key = nullptr;  // not owned
  std::string pkcs12_password;
  // 国保連 (ProgramProfile::renewal_start_choice): the new certificate starts at the end of
  // the current one instead of at issuance. Refused by programs without the choice.
  bool continue_from_end = false;
  std::string client;  // for the audit: address or protocol
};

// The ledger kind of the 0-yen entry of a re-issue on the real code that replaced an
// unconfirmed one (a first re-issue records no entry).
inline constexpr std::string_view kCodeChangeFeeKind = "code_change";

struct RenewalWindow {
  Instant opens{};   // renewal allowed from this instant (inclusive) ...
  Instant closes{};  // ... until this one (the current certificate's notAfter, exclusive)
};

struct Renewal {
  store::ApplicationRecord application;  // after renewal: its current certificate is the new one
  ca::IssuedCertificate certificate;
  std::string pkcs12_der;  // server-made key only
  store::FeeCharge charge;
};

// The sealing context of an application's CMP secret (never the notice's context).
inline std::string CmpSecretContext(std::string_view request_id) {
  return "cmp-ir:" + std::string(request_id);
}

// The window of a certificate ending at `not_after` under `program`: fewer than
// renewal_window_days days left (common CA: the instant exactly 90 days before is still
// closed), or from renewal_window_months calendar months before (国保連).
RenewalWindow RenewalWindowOf(const ca::ProgramProfile& program, Instant not_after);

// RFC 5280 CRLReasons a certificate's holder may give (the terminal page, CMP rr), as an
// applicant on the portal: 0 unspecified, 1 keyCompromise, 3 affiliationChanged,
// 4 superseded, 5 cessationOfOperation.
bool HolderMayGiveReason(int reason);

class RegistrationAuthority {
 public:
  // Everything referenced must outlive the RA. `chain` = issuing CA then root. `issuer`
  // may be null (a command that did not load the issuing key): approval then fails with
  // FailedPrecondition and everything else works.
  RegistrationAuthority(store::Store& store, ca::Issuer* issuer, ca::KeyPool& pool,
                        const ca::ProgramRegistry& programs, std::vector<X509*> chain,
                        const domain::Tariff& tariff, const crypto::SealedBox& sealer,
                        const Clock& clock, RaOptions options);

  // Normalises and validates a form for this caller (an institution account may apply
  // only for its own codes). Field errors are data, not a failed Result.
  Result<CheckedForm> CheckForm(const Caller& caller, ApplicationForm form) const;

  // The pop-up before submitting: earlier applications of the code and this one's fee.
  Result<PreviewResult> PreviewApplication(const Caller& caller, ApplicationForm form);

  // Submits (idempotent per caller and key), then runs automatic review.
  Result<SubmitResult> Submit(const Caller& caller, ApplicationForm form,
                              std::string_view idempotency_key);

  Result<store::ApplicationRecord> Get(const Caller& caller, std::string_view request_id);
  // Institutions see only their own codes, whatever the filter asks.
  Result<store::ApplicationPage> List(const Caller& caller, store::ApplicationFilter filter);
  Result<std::vector<store::ApplicationEdit>> Edits(const Caller& caller,
                                                    std::string_view request_id);
  // Where the application's 発行通知書 is (発送状況確認); nullopt before it is printed.
  Result<std::optional<store::ShippingInfo>> Shipping(const Caller& caller,
                                                      std::string_view request_id);

  // Reviewers and up (auth::Permission::kReview), except the account that submitted the
  // application (four-eyes rule, RaOptions::four_eyes). Issues the certificate with a
  // server-made key. NotFound for an application the caller may not read.
  Result<Approval> Approve(const Caller& caller, std::string_view request_id);
  Status Reject(const Caller& caller, std::string_view request_id, std::string_view reason);
  // The applicant (own codes) or an operator (kCancel), while pending.
  Status Cancel(const Caller& caller, std::string_view request_id);
  // The applicant (own, issued) or an operator.
  Status Revoke(const Caller& caller, std::string_view request_id, int reason,
                std::optional<Instant> invalidity_date = std::nullopt);
  // The terminal holding the certificate `serial` (authenticated by it on the mTLS
  // listener; the caller checked that): revokes its application with a reason an applicant
  // may give, audited as "holder:<serial>". NotFound when no issued application holds it.
  Status RevokeAsHolder(std::string_view serial, int reason);
  // Operators: every issued certificate of an institution, or a list of serials.
  Result<std::vector<BulkItem>> RevokeInstitution(const Caller& caller,
                                                  std::string_view institution_code, int reason);
  // Each serial through its application when it has one (the application becomes
  // revoked too), else the certificate alone; every one audited.
  Result<std::vector<BulkItem>> RevokeSerials(
      const Caller& caller, const std::vector<std::string>& serials, int reason,
      std::optional<Instant> invalidity_date = std::nullopt);
  // Operators, for non-payment (docs/billing.md "payments"; src/ra/revocation_nonpayment.cc):
  // the issued application's certificate, reason cessationOfOperation, the applicant's
  // e-mail (revoked_unpaid) naming the unpaid invoice and its due date.
  Status RevokeForNonPayment(const Caller& caller, std::string_view request_id,
                             std::string_view invoice_number, Date due_date);
  // The applicant (own) or an operator, while issued: contact fields only.
  Result<std::vector<store::ApplicationEdit>> Edit(
      const Caller& caller, std::string_view request_id,
      std::vector<std::pair<std::string, std::string>> changes,
      std::vector<domain::FieldError>* errors);

  // The download site (download.cc): no account; the notice's request ID and password are
  // the credential. Until the password proves the request ID, every refusal is the same
  // Unauthorized kDownloadRefused, after an argon2id verification and an audit row each:
  // an unknown or not-yet-issued request ID, a wrong password (counted) and a locked
  // download (the right password is refused too while locked) look alike, in answer and
  // in time. Past the password: FailedPrecondition "revoked: …" / "deadline: …".
  Result<Download> DownloadPkcs12(std::string_view request_id, std::string_view password,
                                  std::string_view client);

  // Hands the download password over once (to the notice; until mailing exists, to an
  // operator command). FailedPrecondition when already handed over.
  Result<std::string> TakeDownloadPassword(const Caller& caller, std::string_view request_id);

  // Renews the application whose current certificate is request.serial (renewal.cc).
  // FailedPrecondition "renewal_not_open: ... opens on YYYY-MM-DD" before the window,
  // "expired: ... a new application ... N yen" after the end, "not_current"/"revoked"
  // for a superseded or revoked certificate; NotFound for an unknown serial; BadCsr /
  // InvalidArgument for the key material. The fee (tariff renewal fee, no mailing fee) is
  // recorded with the new certificate in one transaction.
  // Retry-safe (docs/renewal-and-cmp.md, "A lost answer"): until the new certificate is
  // confirmed (ConfirmRenewal), the renewed one may renew again and gets the same new
  // certificate (same key) or a fresh one replacing it (revoked, superseded); the fee
  // stays charged once.
  Result<Renewal> Renew(const RenewalRequest& request);
  // The holder confirmed `serial` (CMP certConf, or its first use over mTLS; `how` is
  // audited): when it is an unconfirmed renewal, the renewed certificate may no longer
  // renew. No-op otherwise.
  Status ConfirmRenewal(std::string_view serial, std::string_view how);
  // The application of a certificate the caller holds (the mTLS and CMP edges): NotFound
  // when the serial is unknown or not issued through an application.
  Result<store::ApplicationRecord> ApplicationOfCertificate(std::string_view serial);

  // CMP (cmp_enrollment.cc; docs/renewal-and-cmp.md). The download password of an
  // issued application, opened for checking the PBM MAC of an ir: NotFound when there is
  // none (unknown, used by an earlier ir, past the download deadline), FailedPrecondition
  // when revoked, RateLimited while downloads are locked.
  Result<std::string> CmpSecret(std::string_view request_id);
  // The application of a request ID, for the CMP edge once the ir's MAC verified.
  Result<store::ApplicationRecord> ApplicationOfRequest(std::string_view request_id) {
    return store_.GetApplication(request_id);
  }
  // A MAC that does not verify counts as a wrong download password (and locks likewise).
  Status RecordCmpMacFailure(std::string_view request_id, std::string_view client);
  // The terminal's own key (possession proved by the ir's POPO) is certified for the
  // application; the server-made certificate is revoked (superseded), its PKCS#12 and the
  // CMP secret erased — one transaction. No fee: the application already paid.
  Result<Renewal> EnrollOwnKey(std::string_view request_id, EVP_PKEY* public_key,
                               std::string_view client);
  // The holder revokes its own certificate (signed CMP rr); effective at once.
  Status RevokeAsHolder(std::string_view serial, int reason, std::string_view client);
  // The holder rejected the certificate `serial` that a CMP ir or kur just issued (certConf
  // with status rejection, RFC 9483 §4.1.1): it is revoked, reason cessationOfOperation
  // (never used, no key compromise implied). After a kur, `restore` is the renewed
  // certificate as the application held it before: it becomes the current one again
  // (valid, renewable) and the renewal's fee is cancelled, one transaction. After an ir
  // (`restore` empty) the server-made certificate was already superseded, so the
  // application is revoked with the rejected certificate. Audited
  // "application.cmp_cert_rejected".
  Status RevokeRejectedByHolder(std::string_view serial,
                                const std::optional<store::RenewalResult>& restore,
                                std::string_view client);

  // Many forms at once (one CSV file): each checked as PreviewApplication does. No row may
  // be refused for the file to be accepted. At most kMaxBulkRows forms (InvalidArgument).
  static constexpr size_t kMaxBulkRows = 500;
  Result<BulkResult> PreviewMany(const Caller& caller, const std::vector<ApplicationForm>& forms);
  // PreviewMany, then (no row refused) every application stored in ONE transaction of
  // `bulk` (row i keyed `idempotency_key` + "-" + i: a resent confirmation stores nothing
  // twice and returns the stored ones), then automatic review of each new one as Submit.
  Result<BulkResult> SubmitMany(const Caller& caller, const std::vector<ApplicationForm>& forms,
                                std::string_view idempotency_key, store::BulkStore& bulk);

  const RaOptions& options() const { return options_; }

 private:
  // Authorization (authorization.cc): every decision is auth::Allows.
  // Unauthorized without an account, Forbidden without kApply (the network channel may).
  Status CheckCanApply(const Caller& caller) const;
  // NotFound unless the caller may read `a`: someone else's application never shows.
  Status CheckCanRead(const Caller& caller, const store::ApplicationRecord& a) const;
  // CheckCanRead, then Forbidden unless `p` is allowed on a's institution.
  Status Authorize(const Caller& caller, const store::ApplicationRecord& a,
                   auth::Permission p) const;
  // Unauthorized without an account; Forbidden unless `p` is allowed for `scope`.
  Status Require(const Caller& caller, auth::Permission p, std::string_view scope) const;
  // The four-eyes rule (options_.four_eyes): Forbidden, and audited
  // "application.approve_refused", when the caller's account submitted `a`.
  Status CheckFourEyes(const Caller& caller, const store::ApplicationRecord& a);
  Result<store::ApplicationRecord> GetForCaller(const Caller& caller, std::string_view request_id);
  std::string HoldReason(const store::ApplicationRecord& a, const Preview& p);
  Result<Approval> ApproveAs(std::string_view actor, std::string_view request_id);
  Status RevokeOrphans(std::string_view request_id, std::string_view actor);
  // A certificate signed but not recorded on its application (the transaction failed or
  // lost a race): revoked at once (superseded) and audited, best effort — unless the
  // application holds it after all (store::RenewalStore::RevokeUnrecorded).
  void RevokeUnrecorded(std::string_view serial, std::string_view request_id,
                        std::string_view actor, std::string_view why);
  Result<Preview> MakePreview(const store::ApplicationRecord& a);
  // Adds the applicant's `kind` e-mail about `a` to `ev` (nothing without a composer or an
  // address). `extra` adds template values.
  Status AttachMail(store::AuditEvent& ev, std::string_view kind, const store::ApplicationRecord& a,
                    std::map<std::string, std::string> extra = {}) const;
  // The renewed certificate's record when `serial` may renew (`retry`: it is the renewed
  // certificate of an unconfirmed renewal).
  // `any_time`: the window does not apply (a re-issue on the real code).
  Result<store::CertificateRecord> CheckRenewable(const store::ApplicationRecord& a,
                                                  const ca::ProgramProfile& program,
                                                  std::string_view serial, Instant now, bool retry,
                                                  bool any_time);
  // code_change.cc: true when `serial` names a code the swap replaced by a's code.
  Result<bool> IsCodeCorrection(const store::ApplicationRecord& a, std::string_view serial);
  // code_change.cc: revokes `previous_serial` (superseded, audited) when it is a
  // certificate on a replaced code that a's current certificate corrects; Ok otherwise.
  Status SupersedeCorrected(const store::ApplicationRecord& a, std::string_view previous_serial,
                            std::string_view why);
  // A retry with the unconfirmed certificate's key: that certificate again (nullopt when the
  // key or start differs: a fresh one replaces it).
  Result<std::optional<Renewal>> RepeatRenewal(const store::ApplicationRecord& a,
                                               const store::PendingRenewal& pending,
                                               const RenewalRequest& request,
                                               std::optional<Instant> not_before);
  // `correction`: a re-issue on the real code (not_before is the corrected certificate's,
  // kept; no fee).
  Result<Renewal> IssueRenewal(const store::ApplicationRecord& a, const RenewalRequest& request,
                               std::optional<Instant> not_before,
                               const store::PendingRenewal* replaces, bool correction);
  void LogAudit(const store::AuditEvent& e) const {
    if (options_.audit_log) options_.audit_log(e);
  }
  // Returns `r`, logging `e` when r is ok (its transaction committed).
  template <typename R>
  R Logged(const store::AuditEvent& e, R r) const {
    if (r.ok()) LogAudit(e);
    return r;
  }

  store::Store& store_;
  ca::Issuer* issuer_;
  ca::KeyPool& pool_;
  const ca::ProgramRegistry& programs_;
  std::vector<X509*> chain_;
  const domain::Tariff& tariff_;
  const crypto::SealedBox& sealer_;
  const Clock& clock_;
  RaOptions options_;
  auth::DummyHash download_dummy_{options_.download_kdf};
};

}  // namespace claimsca::ra
