// The RA side of CMP (docs/renewal-and-cmp.md): the ir's shared secret, the terminal's own
// key replacing the server-made certificate, and revocation by the holder.

#include <openssl/crypto.h>

#include <nlohmann/json.hpp>

#include "common/time_util.h"
#include "ra/ra_internal.h"
#include "ra/registration_authority.h"

namespace claimsca::ra {
namespace {

using Json = nlohmann::json;
using store::ApplicationRecord;
using store::ApplicationState;

using internal::Dump;

}  // namespace

Result<std::string> RegistrationAuthority::CmpSecret(std::string_view request_id) {
  ASSIGN_OR_RETURN(ApplicationRecord a, store_.GetApplication(request_id));
  if (a.state == ApplicationState::kRevoked) {
    return FailedPrecondition("revoked: the certificate of " + a.request_id + " was revoked");
  }
  const Instant now = clock_.Now();
  if (a.state != ApplicationState::kIssued) return NotFound("no CMP secret for " + a.request_id);
  if (a.download_locked_until && *a.download_locked_until > now) {
    return Status(Code::kRateLimited, "locked until " + FormatJst(*a.download_locked_until));
  }
  ASSIGN_OR_RETURN(std::string sealed, store_.GetCmpSecret(a.request_id, now));
  return sealer_.Open(sealed, CmpSecretContext(a.request_id));
}

Status RegistrationAuthority::RecordCmpMacFailure(std::string_view request_id,
                                                  std::string_view client) {
  const Instant now = clock_.Now();
  const store::AuditEvent ev{now, "cmp:" + std::string(client), "cmp.ir_mac_failure",
                             std::string(request_id), "{}"};
  return Logged(ev, store_
                        .RecordDownloadFailure(request_id, now, options_.download_max_failures,
                                               options_.download_lock, ev)
                        .status());
}

Result<Renewal> RegistrationAuthority::EnrollOwnKey(std::string_view request_id,
                                                    EVP_PKEY* public_key, std::string_view client) {
  if (issuer_ == nullptr) {
    return FailedPrecondition("enrollment needs the issuing CA's key, which is not loaded here");
  }
  ASSIGN_OR_RETURN(ApplicationRecord a, store_.GetApplication(request_id));
  if (a.state != ApplicationState::kIssued) {
    return FailedPrecondition("application " + a.request_id + " is " +
                              std::string(store::ApplicationStateName(a.state)) + ", not issued");
  }
  ca::IssueRequest issue;
  issue.program = a.program;
  issue.subject_code = a.institution_code;
  issue.terminal_name = a.terminal_name;
  issue.request_id = a.request_id;
  Renewal out;
  ASSIGN_OR_RETURN(out.certificate, issuer_->IssueForKey(issue, public_key));
  const Instant now = clock_.Now();
  store::RenewalResult result;
  result.previous_serial = a.serial;
  result.serial = out.certificate.serial;
  result.common_name = out.certificate.common_name;
  result.issued_at = now;
  result.not_after = out.certificate.not_after;
  result.supersede_previous = true;
  const std::string actor = "cmp:" + std::string(client);
  store::AuditEvent ev{now, actor, "application.cmp_enroll", a.request_id,
                       Dump({{"serial", result.serial},
                             {"superseded_serial", result.previous_serial},
                             {"not_after", FormatJst(result.not_after)}})};
  // The notice's password fetched the certificate onto a terminal: as a download.
  RETURN_IF_ERROR(internal::AttachDownloadedMail(
      options_.mail, a, now, client, "端末の自動更新ツール（発行通知書のパスワード）", ev));
  Status st = Logged(ev, store_.RecordRenewed(a.request_id, result, store::FeeCharge{}, ev));
  if (!st.ok()) {
    RevokeUnrecorded(result.serial, a.request_id, actor, "CMP enrollment did not complete");
    return st;
  }
  ASSIGN_OR_RETURN(out.application, store_.GetApplication(a.request_id));
  return out;
}

Status RegistrationAuthority::RevokeAsHolder(std::string_view serial, int reason,
                                             std::string_view client) {
  if (!HolderMayGiveReason(reason))
    return InvalidArgument("reason: not a reason a holder may give");
  ASSIGN_OR_RETURN(ApplicationRecord a, ApplicationOfCertificate(serial));
  const Instant now = clock_.Now();
  const std::string actor = "certificate:" + std::string(serial);
  const Json details = {
      {"serial", std::string(serial)}, {"reason", reason}, {"client", std::string(client)}};
  if (a.state == ApplicationState::kIssued && a.serial == serial) {
    const store::AuditEvent ev{now, actor, "application.revoke", a.request_id, Dump(details)};
    return Logged(ev, store_.RevokeApplication(a.request_id, now, reason, std::nullopt, actor, ev));
  }
  // A renewed-away certificate, still valid until its end: revoke it alone.
  RETURN_IF_ERROR(store_.Revoke(serial, now, reason, std::nullopt));
  const store::AuditEvent ev{now, actor, "certificate.revoke", std::string(serial), Dump(details)};
  return Logged(ev, store_.AppendAudit(ev));
}

Status RegistrationAuthority::RevokeRejectedByHolder(
    std::string_view serial, const std::optional<store::RenewalResult>& restore,
    std::string_view client) {
  ASSIGN_OR_RETURN(store::CertificateRecord cert, store_.GetCertificate(serial));
  if (cert.request_id.empty()) return NotFound("no application holds this certificate");
  const Instant now = clock_.Now();
  const int reason = store::kReasonCessationOfOperation;
  const std::string actor = "cmp:" + std::string(client);
  Json details = {{"serial", cert.serial}, {"reason", reason}, {"client", std::string(client)}};
  if (restore.has_value()) details["restored_serial"] = restore->serial;
  const store::AuditEvent ev{now, actor, "application.cmp_cert_rejected", cert.request_id,
                             Dump(details)};
  if (restore.has_value()) {
    return Logged(ev, store_.RevertRenewal(cert.request_id, cert.serial, *restore, reason, ev));
  }
  ASSIGN_OR_RETURN(ApplicationRecord a, store_.GetApplication(cert.request_id));
  if (a.state == ApplicationState::kIssued && a.serial == cert.serial) {
    return Logged(ev, store_.RevokeApplication(a.request_id, now, reason, std::nullopt, actor, ev));
  }
  RETURN_IF_ERROR(store_.Revoke(cert.serial, now, reason, std::nullopt));
  return Logged(ev, store_.AppendAudit(ev));
}

}  // namespace claimsca::ra
