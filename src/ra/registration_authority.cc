#include "ra/registration_authority.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "ca/server_key_issuance.h"
#include "common/iso_date.h"
#include "common/time_util.h"
#include "crypto/random.h"
#include "domain/normalize.h"
#include "ra/ra_internal.h"

namespace claimsca::ra {
namespace {

using store::ApplicationRecord;
using store::ApplicationState;
using Json = nlohmann::json;

constexpr int kReasonSuperseded = 4;
constexpr int kReasonPrivilegeWithdrawn = 9;
constexpr int kRequestIdAttempts = 8;

using internal::Dump;

store::AuditEvent Audit(const Caller& caller, Instant at, std::string action,
                        std::string_view subject, const Json& details) {
  return {at, caller.Actor(), std::move(action), std::string(subject), Dump(details)};
}

bool IsOperator(const auth::Principal& p) { return p.kind == "operator"; }

// Whether an applicant (not an operator) may give this reason (RFC 5280 CRLReason).
bool ApplicantMayGive(int reason) {
  return reason == store::kReasonUnspecified || reason == store::kReasonKeyCompromise ||
         reason == 3 /* affiliationChanged */ || reason == kReasonSuperseded ||
         reason == store::kReasonCessationOfOperation;
}

bool OperatorMayGive(int reason) {
  return ApplicantMayGive(reason) || reason == kReasonPrivilegeWithdrawn;
}

Status StateError(const ApplicationRecord& a, std::string_view wanted) {
  return FailedPrecondition("application " + a.request_id + " is " +
                            std::string(store::ApplicationStateName(a.state)) + ", not " +
                            std::string(wanted));
}

}  // namespace

std::string_view ChannelName(Channel c) {
  switch (c) {
    case Channel::kPortal:
      return "portal";
    case Channel::kNetwork:
      return "network";
    case Channel::kApi:
      return "api";
    case Channel::kOperator:
      return "operator";
  }
  return "api";
}

std::string_view ShippingLabelJa(store::ShippingStatus s) {
  switch (s) {
    case store::ShippingStatus::kPrinted:
      return "発送準備中";
    case store::ShippingStatus::kShipped:
      return "発送済み";
    case store::ShippingStatus::kDelivered:
      return "お届け済み";
    case store::ShippingStatus::kUndeliverable:
      return "不達";
  }
  return "発送準備中";
}

std::string_view StateLabelJa(ApplicationState s) {
  switch (s) {
    case ApplicationState::kPending:
      return "発行承認待ち";
    case ApplicationState::kIssued:
      return "発行済み";
    case ApplicationState::kRejected:
      return "発行申請棄却";
    case ApplicationState::kCancelled:
      return "申請取消済み";
    case ApplicationState::kRevoked:
      return "失効済み";
  }
  return "";
}

std::string Caller::Actor() const {
  if (principal.account_id.empty()) return std::string(ChannelName(channel)) + ":anonymous";
  return (IsOperator(principal) ? "operator:" : "account:") + principal.account_id;
}

RegistrationAuthority::RegistrationAuthority(store::Store& store, ca::Issuer* issuer,
                                             ca::KeyPool& pool, const ca::ProgramRegistry& programs,
                                             std::vector<X509*> chain, const domain::Tariff& tariff,
                                             const crypto::SealedBox& sealer, const Clock& clock,
                                             RaOptions options)
    : store_(store),
      issuer_(issuer),
      pool_(pool),
      programs_(programs),
      chain_(std::move(chain)),
      tariff_(tariff),
      sealer_(sealer),
      clock_(clock),
      options_(std::move(options)) {}

// ---------------------------------------------------------------------------------------
// Forms.

Result<CheckedForm> RegistrationAuthority::CheckForm(const Caller& caller,
                                                     ApplicationForm form) const {
  CheckedForm out;
  ApplicationRecord& a = out.record;
  if (form.applicant_kind == "institution") {
    domain::InstitutionForm f{
        form.category,         form.prefecture,   form.score_table, form.facility_code,
        form.institution_name, form.contact_name, form.phone,       form.email,
        form.terminal_name};
    f = domain::Normalize(std::move(f));
    out.errors = domain::Validate(f);
    if (out.errors.empty()) {
      ASSIGN_OR_RETURN(a.institution_code, domain::InstitutionCode(f));
    }
    a.category = f.category;
    a.prefecture = f.prefecture;
    a.score_table = f.score_table;
    a.facility_code = f.facility_code;
    a.institution_name = f.institution_name;
    a.contact_name = f.contact_name;
    a.phone = f.phone;
    a.email = f.email;
    a.terminal_name = f.terminal_name;
  } else if (form.applicant_kind == "insurer") {
    domain::InsurerForm f{form.category.empty() ? "7" : form.category,
                          form.insurer_number,
                          form.insurer_name,
                          form.contact_name,
                          form.phone,
                          form.email,
                          form.terminal_name};
    f = domain::Normalize(std::move(f));
    out.errors = domain::Validate(f);
    if (out.errors.empty()) a.institution_code = f.insurer_number;
    a.category = f.category;
    a.institution_name = f.insurer_name;
    a.contact_name = f.contact_name;
    a.phone = f.phone;
    a.email = f.email;
    a.terminal_name = f.terminal_name;
  } else {
    out.errors.push_back({"applicant_kind", "one_of",
                          "申請者の種別（医療機関等または医療保険者等）を選択してください。"});
    return out;
  }
  a.applicant_kind = form.applicant_kind;
  a.program = options_.program;
  if (out.errors.empty() && caller.channel != Channel::kNetwork &&
      !auth::Allows(caller.principal, auth::Permission::kApply, a.institution_code)) {
    const bool insurer = a.applicant_kind == "insurer";
    out.errors.push_back({insurer ? "insurer_number" : "facility_code", "not_your_institution",
                          insurer
                              ? "このアカウントでは、この保険者番号の申請はできません。"
                              : "このアカウントでは、この医療機関等コードの申請はできません。"});
  }
  return out;
}

Status RegistrationAuthority::AttachMail(store::AuditEvent& ev, std::string_view kind,
                                         const ApplicationRecord& a,
                                         std::map<std::string, std::string> extra) const {
  if (options_.mail == nullptr || a.email.empty()) return Status::Ok();
  extra["contact_name"] = a.contact_name;
  extra["institution_name"] = a.institution_name;
  extra["institution_code"] = a.institution_code;
  extra["request_id"] = a.request_id;
  extra["terminal_name"] = a.terminal_name;
  if (!a.serial.empty()) extra.emplace("serial", a.serial);
  ASSIGN_OR_RETURN(store::OutboxMail m, options_.mail->Compose(kind, a.request_id, a.email, extra));
  ev.mail.push_back(std::move(m));
  return Status::Ok();
}

Result<Preview> RegistrationAuthority::MakePreview(const ApplicationRecord& a) {
  Preview p;
  p.institution_code = a.institution_code;
  ASSIGN_OR_RETURN(p.by_state, store_.CountApplicationsByState(a.institution_code));
  for (const auto& [state, n] : p.by_state) p.earlier_applications += n;
  const Date today = JstDate(clock_.Now());
  ASSIGN_OR_RETURN(domain::TariffEntry entry, tariff_.At(a.program, today));
  p.fee = domain::QuoteFee(entry, domain::FeeKind::kNewApplication);
  p.tariff_from = IsoDate(entry.effective_from);
  auto reg = store_.FindInRegister(a.institution_code);
  if (reg.ok()) {
    p.in_register = true;
    p.register_name = reg->name;
  } else if (reg.status().code() != Code::kNotFound) {
    return reg.status();
  }
  return p;
}

Result<PreviewResult> RegistrationAuthority::PreviewApplication(const Caller& caller,
                                                                ApplicationForm form) {
  RETURN_IF_ERROR(CheckCanApply(caller));
  ASSIGN_OR_RETURN(CheckedForm checked, CheckForm(caller, std::move(form)));
  PreviewResult out;
  out.errors = std::move(checked.errors);
  if (!out.errors.empty()) return out;
  ASSIGN_OR_RETURN(out.preview, MakePreview(checked.record));
  return out;
}

std::string RegistrationAuthority::HoldReason(const ApplicationRecord& a, const Preview& p) {
  const AutoReviewPolicy& rules = options_.auto_review;
  if (!rules.enabled) return "manual_review";
  if (rules.require_register && !p.in_register) return "not_in_register";
  if (rules.require_name_match && p.in_register &&
      domain::NameKey(p.register_name) != domain::NameKey(a.institution_name)) {
    return "name_mismatch";
  }
  if (rules.max_active_certificates > 0) {
    auto active = store_.CountActiveCertificates(a.institution_code, clock_.Now());
    if (!active.ok()) return "review_error";
    int64_t pending = 0;
    for (const auto& [state, n] : p.by_state) {
      if (state == ApplicationState::kPending) pending += n;
    }
    if (*active + pending >= rules.max_active_certificates) return "too_many_certificates";
  }
  return "";
}

Result<SubmitResult> RegistrationAuthority::Submit(const Caller& caller, ApplicationForm form,
                                                   std::string_view idempotency_key) {
  RETURN_IF_ERROR(CheckCanApply(caller));
  if (idempotency_key.size() > 200) {
    return InvalidArgument("idempotency_key: at most 200 characters");
  }
  ASSIGN_OR_RETURN(CheckedForm checked, CheckForm(caller, std::move(form)));
  SubmitResult out;
  out.errors = std::move(checked.errors);
  if (!out.errors.empty()) return out;
  ApplicationRecord a = std::move(checked.record);
  ASSIGN_OR_RETURN(out.preview, MakePreview(a));
  const Instant now = clock_.Now();
  a.channel = std::string(ChannelName(caller.channel));
  a.account_id = caller.principal.account_id;
  a.idempotency_key = std::string(idempotency_key);
  a.state = ApplicationState::kPending;
  a.submitted_at = now;
  if (out.preview.in_register) {
    ASSIGN_OR_RETURN(a.register_version, store_.CurrentRegisterVersion());
  }
  a.hold_reason = HoldReason(a, out.preview);

  const std::string year = std::to_string(static_cast<int>(JstDate(now).year()));
  Status last;
  for (int attempt = 0; attempt < kRequestIdAttempts; ++attempt) {
    ASSIGN_OR_RETURN(std::string digits, crypto::RandomDigits(10));
    a.request_id = year + digits;
    Json details = {{"institution_code", a.institution_code},
                    {"channel", a.channel},
                    {"hold_reason", a.hold_reason}};
    store::AuditEvent ev = Audit(caller, now, "application.submit", a.request_id, details);
    RETURN_IF_ERROR(
        AttachMail(ev, "application_received", a, {{"submitted_at", FormatJstMinute(now)}}));
    auto stored = store_.InsertApplication(a, ev, &out.created);
    if (stored.ok()) {
      if (out.created) LogAudit(ev);
      out.application = std::move(*stored);
      last = Status::Ok();
      break;
    }
    last = stored.status();
    if (last.code() != Code::kConflict) return last;
  }
  RETURN_IF_ERROR(last);
  if (out.created && out.application.hold_reason.empty() &&
      out.application.state == ApplicationState::kPending) {
    auto approved = ApproveAs("system:auto-review", out.application.request_id);
    if (approved.ok()) {
      out.application = std::move(approved->application);
      out.charge = std::move(approved->charge);
    }
    // A failed automatic approval leaves the application pending for a person.
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Reading.

Result<ApplicationRecord> RegistrationAuthority::Get(const Caller& caller,
                                                     std::string_view request_id) {
  return GetForCaller(caller, request_id);
}

Result<store::ApplicationPage> RegistrationAuthority::List(const Caller& caller,
                                                           store::ApplicationFilter filter) {
  if (caller.channel == Channel::kNetwork || caller.principal.account_id.empty()) {
    return Status(Code::kUnauthorized, "sign in to see applications");
  }
  if (!auth::Allows(caller.principal, auth::Permission::kRead, auth::kEveryInstitution)) {
    // Codes alone are not enough: a 国保連 account's care office number may equal a
    // 医療機関等コード.
    if (!auth::Allows(caller.principal, auth::Permission::kRead))
      return Status(Code::kForbidden, "no read permission");
    const auto& own = caller.principal.institution_codes;
    if (filter.institution_codes.empty()) {
      filter.institution_codes = own;
    } else {
      std::vector<std::string> kept;
      for (const auto& c : filter.institution_codes) {
        if (std::find(own.begin(), own.end(), c) != own.end()) kept.push_back(c);
      }
      filter.institution_codes = std::move(kept);
    }
    if (filter.institution_codes.empty()) return store::ApplicationPage{};
  }
  return store_.ListApplications(filter);
}

Result<std::optional<store::ShippingInfo>> RegistrationAuthority::Shipping(
    const Caller& caller, std::string_view request_id) {
  ASSIGN_OR_RETURN(ApplicationRecord a, GetForCaller(caller, request_id));
  return store_.GetShipping(a.request_id);
}

Result<std::vector<store::ApplicationEdit>> RegistrationAuthority::Edits(
    const Caller& caller, std::string_view request_id) {
  ASSIGN_OR_RETURN(ApplicationRecord a, GetForCaller(caller, request_id));
  return store_.ListApplicationEdits(a.request_id);
}

// ---------------------------------------------------------------------------------------
// Review and issuance.

Result<Approval> RegistrationAuthority::Approve(const Caller& caller, std::string_view request_id) {
  if (caller.principal.account_id.empty()) return Status(Code::kUnauthorized, "sign in first");
  ASSIGN_OR_RETURN(ApplicationRecord a, store_.GetApplication(request_id));
  RETURN_IF_ERROR(Authorize(caller, a, auth::Permission::kReview));
  if (a.state != ApplicationState::kPending) return StateError(a, "pending");
  RETURN_IF_ERROR(CheckFourEyes(caller, a));
  return ApproveAs(caller.Actor(), request_id);
}

Status RegistrationAuthority::RevokeOrphans(std::string_view request_id, std::string_view actor) {
  ASSIGN_OR_RETURN(auto certs, store_.CertificatesForRequest(request_id));
  const Instant now = clock_.Now();
  for (const auto& c : certs) {
    if (c.state == store::CertState::kIntent) {
      Status s = store_.MarkFailed(c.serial);
      if (!s.ok() && s.code() != Code::kFailedPrecondition) return s;
    } else if (c.state == store::CertState::kIssued && !c.revoked_at) {
      // Signed by an approval that never finished: nobody holds its key.
      Status s = store_.Revoke(c.serial, now, kReasonSuperseded, std::nullopt);
      if (!s.ok() && s.code() != Code::kConflict) return s;
      const store::AuditEvent ev{now, std::string(actor), "certificate.revoke", c.serial,
                                 Dump({{"reason", kReasonSuperseded},
                                       {"request_id", std::string(request_id)},
                                       {"why", "approval did not complete"}})};
      RETURN_IF_ERROR(Logged(ev, store_.AppendAudit(ev)));
    }
  }
  return Status::Ok();
}

void RegistrationAuthority::RevokeUnrecorded(std::string_view serial, std::string_view request_id,
                                             std::string_view actor, std::string_view why) {
  const Instant now = clock_.Now();
  const store::AuditEvent ev{now, std::string(actor), "certificate.revoke", std::string(serial),
                             Dump({{"reason", kReasonSuperseded},
                                   {"request_id", std::string(request_id)},
                                   {"why", std::string(why)}})};
  // Only if the application does not hold it after all: the write that failed may have
  // committed (its COMMIT's answer lost), and the holder may be handed it on a retry.
  auto revoked = store_.RevokeUnrecorded(request_id, serial, now, ev);
  if (revoked.ok() && *revoked) LogAudit(ev);
}

Result<Approval> RegistrationAuthority::ApproveAs(std::string_view actor,
                                                  std::string_view request_id) {
  if (issuer_ == nullptr) {
    return FailedPrecondition("approval needs the issuing CA's key, which is not loaded here");
  }
  ASSIGN_OR_RETURN(std::string nonce, crypto::RandomDigits(12));
  const std::string holder = options_.holder + "#" + nonce;
  RETURN_IF_ERROR(store_.ClaimApplication(request_id, holder, clock_.Now(), options_.claim_ttl));
  auto release = [&](Status s) {
    (void)store_.ReleaseClaim(request_id, holder);
    return s;
  };
  Status orphans = RevokeOrphans(request_id, actor);
  if (!orphans.ok()) return release(orphans);
  auto app = store_.GetApplication(request_id);
  if (!app.ok()) return release(app.status());
  const ApplicationRecord& a = *app;

  ca::ServerKeyRequest req;
  req.issue.program = a.program;
  req.issue.subject_code = a.institution_code;
  req.issue.terminal_name = a.terminal_name;
  req.issue.request_id = a.request_id;
  req.mode = options_.p12_mode;
  auto password = crypto::RandomPassword(options_.download_password_chars);
  if (!password.ok()) return release(password.status());
  req.password = *password;
  OPENSSL_cleanse(password->data(), password->size());
  auto issued = ca::IssueWithServerKey(*issuer_, pool_, programs_, chain_, req);
  OPENSSL_cleanse(req.password.data(), req.password.size());
  if (!issued.ok()) return release(issued.status());

  const Instant now = clock_.Now();
  store::IssuanceResult result;
  result.serial = issued->certificate.serial;
  result.common_name = issued->certificate.common_name;
  result.issued_at = now;
  result.not_after = issued->certificate.not_after;
  auto program = programs_.Find(a.program);
  if (!program.ok()) return release(program.status());
  result.download_deadline = (*program)->DownloadDeadline(now);
  result.pkcs12_der = std::move(issued->pkcs12_der);
  auto hash = auth::HashPassword(issued->password, options_.download_kdf);
  auto sealed = sealer_.Seal(issued->password, a.request_id);
  auto cmp_sealed = sealer_.Seal(issued->password, CmpSecretContext(a.request_id));
  OPENSSL_cleanse(issued->password.data(), issued->password.size());
  Status fail;
  if (!hash.ok()) fail = hash.status();
  if (!sealed.ok()) fail = sealed.status();
  if (!cmp_sealed.ok()) fail = cmp_sealed.status();

  store::FeeCharge charge;
  if (fail.ok()) {
    result.download_password_hash = std::move(*hash);
    result.sealed_password = std::move(*sealed);
    result.cmp_sealed_secret = std::move(*cmp_sealed);
    auto fee = domain::QuoteFee(tariff_, a.program, JstDate(now), domain::FeeKind::kNewApplication);
    if (!fee.ok()) {
      fail = fee.status();
    } else {
      charge = internal::MakeCharge(a, domain::FeeKind::kNewApplication, *fee, now);
      Json details = {{"serial", result.serial},
                      {"common_name", result.common_name},
                      {"fee_yen", charge.total_yen},
                      {"download_deadline", FormatJst(result.download_deadline)}};
      store::AuditEvent ev{now, std::string(actor), "application.approve", a.request_id,
                           Dump(details)};
      fail = AttachMail(ev, "issued", a,
                        {{"issued_on", FormatDateJa(now)},
                         {"download_deadline", FormatJstMinute(result.download_deadline)},
                         {"not_after", FormatJstMinute(result.not_after)}});
      if (fail.ok())
        fail =
            Logged(ev, store_.RecordIssued(a.request_id, holder, actor, now, result, charge, ev));
    }
  }
  if (!fail.ok()) {
    // The certificate exists but the application does not say so: revoke it now rather
    // than leave a valid certificate whose key is gone.
    RevokeUnrecorded(result.serial, a.request_id, actor, "approval did not complete");
    return release(fail);
  }
  ASSIGN_OR_RETURN(ApplicationRecord stored, store_.GetApplication(a.request_id));
  return Approval{std::move(stored), std::move(charge)};
}

Status RegistrationAuthority::Reject(const Caller& caller, std::string_view request_id,
                                     std::string_view reason) {
  if (caller.principal.account_id.empty()) return {Code::kUnauthorized, "sign in first"};
  ASSIGN_OR_RETURN(ApplicationRecord a, store_.GetApplication(request_id));
  RETURN_IF_ERROR(Authorize(caller, a, auth::Permission::kReview));
  if (reason.empty() || domain::CheckText(reason, 1000) != domain::TextIssue::kOk) {
    return InvalidArgument("reason: required, 1 to 1000 characters of text");
  }
  const Instant now = clock_.Now();
  store::AuditEvent ev =
      Audit(caller, now, "application.reject", request_id, {{"reason", std::string(reason)}});
  RETURN_IF_ERROR(AttachMail(ev, "rejected", a, {{"reason", std::string(reason)}}));
  return Logged(ev, store_.RejectApplication(request_id, reason, caller.Actor(), now, ev));
}

Status RegistrationAuthority::Cancel(const Caller& caller, std::string_view request_id) {
  ASSIGN_OR_RETURN(ApplicationRecord a, GetForCaller(caller, request_id));
  RETURN_IF_ERROR(Authorize(caller, a, auth::Permission::kCancel));
  if (a.state != ApplicationState::kPending) return StateError(a, "pending");
  const Instant now = clock_.Now();
  const store::AuditEvent ev = Audit(caller, now, "application.cancel", a.request_id, {});
  return Logged(ev, store_.CancelApplication(a.request_id, caller.Actor(), now, ev));
}

Status RegistrationAuthority::Revoke(const Caller& caller, std::string_view request_id, int reason,
                                     std::optional<Instant> invalidity_date) {
  ASSIGN_OR_RETURN(ApplicationRecord a, GetForCaller(caller, request_id));
  RETURN_IF_ERROR(Authorize(caller, a, auth::Permission::kRevoke));
  // Who may revoke for every institution may also give the CA's own reasons.
  const bool ca_side =
      auth::Allows(caller.principal, auth::Permission::kRevoke, auth::kEveryInstitution);
  if (!(ca_side ? OperatorMayGive(reason) : ApplicantMayGive(reason))) {
    return InvalidArgument("reason: not a revocation reason this account may give");
  }
  if (a.state != ApplicationState::kIssued) return StateError(a, "issued");
  const Instant now = clock_.Now();
  store::AuditEvent ev = Audit(caller, now, "application.revoke", a.request_id,
                               {{"serial", a.serial}, {"reason", reason}});
  RETURN_IF_ERROR(AttachMail(ev, "revoked", a, {{"revoked_at", FormatJstMinute(now)}}));
  RETURN_IF_ERROR(Logged(ev, store_.RevokeApplication(a.request_id, now, reason, invalidity_date,
                                                      caller.Actor(), ev)));
  return Status::Ok();
}

bool HolderMayGiveReason(int reason) { return ApplicantMayGive(reason); }

Status RegistrationAuthority::RevokeAsHolder(std::string_view serial, int reason) {
  if (!ApplicantMayGive(reason)) return InvalidArgument("reason: not a revocation reason");
  ASSIGN_OR_RETURN(store::CertificateRecord cert, store_.GetCertificate(serial));
  if (cert.request_id.empty()) return NotFound("no application holds this certificate");
  ASSIGN_OR_RETURN(ApplicationRecord a, store_.GetApplication(cert.request_id));
  if (a.serial != cert.serial) return NotFound("no application holds this certificate");
  if (a.state != ApplicationState::kIssued) return StateError(a, "issued");
  const Instant now = clock_.Now();
  const std::string actor = "holder:" + cert.serial;
  store::AuditEvent ev = Audit(Caller{}, now, "application.revoke", a.request_id,
                               {{"serial", a.serial}, {"reason", reason}});
  ev.actor = actor;
  RETURN_IF_ERROR(AttachMail(ev, "revoked", a, {{"revoked_at", FormatJstMinute(now)}}));
  RETURN_IF_ERROR(
      Logged(ev, store_.RevokeApplication(a.request_id, now, reason, std::nullopt, actor, ev)));
  return Status::Ok();
}

Result<std::vector<BulkItem>> RegistrationAuthority::RevokeSerials(
    const Caller& caller, const std::vector<std::string>& serials, int reason,
    std::optional<Instant> invalidity_date) {
  RETURN_IF_ERROR(Require(caller, auth::Permission::kRevoke, auth::kEveryInstitution));
  if (!OperatorMayGive(reason)) return InvalidArgument("reason: not a revocation reason");
  std::vector<BulkItem> out;
  for (const std::string& serial : serials) {
    BulkItem item;
    item.serial = serial;
    auto cert = store_.GetCertificate(serial);
    if (!cert.ok()) {
      item.status = cert.status();
      out.push_back(std::move(item));
      continue;
    }
    const Instant now = clock_.Now();
    item.request_id = cert->request_id;
    auto app = item.request_id.empty() ? Result<ApplicationRecord>(NotFound("no application"))
                                       : store_.GetApplication(item.request_id);
    if (app.ok() && app->serial == serial && app->state == ApplicationState::kIssued) {
      store::AuditEvent ev = Audit(caller, now, "application.revoke", app->request_id,
                                   {{"serial", serial}, {"reason", reason}});
      item.status = AttachMail(ev, "revoked", *app, {{"revoked_at", FormatJstMinute(now)}});
      if (item.status.ok())
        item.status = Logged(ev, store_.RevokeApplication(app->request_id, now, reason,
                                                          invalidity_date, caller.Actor(), ev));
    } else {
      // Issued outside an application (`claimsca sign`, the certificates API).
      item.status = store_.Revoke(serial, now, reason, invalidity_date);
      if (item.status.ok()) {
        const store::AuditEvent ev =
            Audit(caller, now, "certificate.revoke", serial, {{"reason", reason}});
        item.status = Logged(ev, store_.AppendAudit(ev));
      }
    }
    out.push_back(std::move(item));
  }
  return out;
}

Result<std::vector<BulkItem>> RegistrationAuthority::RevokeInstitution(
    const Caller& caller, std::string_view institution_code, int reason) {
  RETURN_IF_ERROR(Require(caller, auth::Permission::kRevoke, auth::kEveryInstitution));
  ASSIGN_OR_RETURN(std::vector<std::string> serials,
                   store_.ActiveSerialsOfInstitution(institution_code, clock_.Now()));
  return RevokeSerials(caller, serials, reason);
}

Result<std::vector<store::ApplicationEdit>> RegistrationAuthority::Edit(
    const Caller& caller, std::string_view request_id,
    std::vector<std::pair<std::string, std::string>> changes,
    std::vector<domain::FieldError>* errors) {
  errors->clear();
  ASSIGN_OR_RETURN(ApplicationRecord a, GetForCaller(caller, request_id));
  RETURN_IF_ERROR(Authorize(caller, a, auth::Permission::kEdit));
  if (a.state != ApplicationState::kIssued) return StateError(a, "issued");
  // Validate the new values with the form's own rules: apply them to the stored form and
  // keep the errors of the changed fields.
  domain::InsurerForm f{"7", "00000000", "-", a.contact_name, a.phone, a.email, a.terminal_name};
  std::vector<std::string> fields;
  auto slot = [&f](std::string_view field) -> std::string* {
    return field == "contact_name"    ? &f.contact_name
           : field == "terminal_name" ? &f.terminal_name
           : field == "email"         ? &f.email
           : field == "phone"         ? &f.phone
                                      : nullptr;
  };
  for (auto& [field, value] : changes) {
    std::string* target = slot(field);
    if (target == nullptr) {
      errors->push_back({field, "not_editable",
                         "変更できるのは担当部署/担当者名、端末名称等、メールアドレス、"
                         "電話番号のみです。"});
      continue;
    }
    *target = value;
    fields.push_back(field);
  }
  f = domain::Normalize(std::move(f));
  for (const auto& e : domain::Validate(f)) {
    if (std::find(fields.begin(), fields.end(), e.field) != fields.end()) errors->push_back(e);
  }
  if (!errors->empty()) return std::vector<store::ApplicationEdit>{};
  for (auto& [field, value] : changes) value = *slot(field);  // as normalised
  const Instant now = clock_.Now();
  Json details = Json::object();
  for (const auto& [field, value] : changes) details[field] = value;
  const store::AuditEvent ev = Audit(caller, now, "application.edit", a.request_id, details);
  return Logged(ev, store_.EditApplication(a.request_id, changes, caller.Actor(), now, ev));
}

// ---------------------------------------------------------------------------------------
// Hand-over of the download password (the download itself: download.cc).

Result<std::string> RegistrationAuthority::TakeDownloadPassword(const Caller& caller,
                                                                std::string_view request_id) {
  RETURN_IF_ERROR(Require(caller, auth::Permission::kHandOverPassword, auth::kEveryInstitution));
  // Open first, erase second: a sealed value that does not open (wrong key file) is kept.
  ASSIGN_OR_RETURN(ApplicationRecord a, store_.GetApplication(request_id));
  if (a.sealed_password.empty()) {
    return FailedPrecondition("the download password of " + a.request_id +
                              " was already handed over (or never made)");
  }
  ASSIGN_OR_RETURN(std::string password, sealer_.Open(a.sealed_password, a.request_id));
  const Instant now = clock_.Now();
  const store::AuditEvent ev =
      Audit(caller, now, "download_password.hand_over", a.request_id, Json::object());
  Status taken = Logged(ev, store_.TakeSealedPassword(a.request_id, ev).status());
  if (!taken.ok()) {
    OPENSSL_cleanse(password.data(), password.size());
    return taken;
  }
  return password;
}

}  // namespace claimsca::ra
