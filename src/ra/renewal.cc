// Renewal by the holder of the current certificate (DOMAIN.md §5, docs/renewal-and-cmp.md):
// the window and the start date come from the program profile, the fee from the tariff.

#include <openssl/crypto.h>

#include <nlohmann/json.hpp>

#include "ca/server_key_issuance.h"
#include "common/iso_date.h"
#include "common/time_util.h"
#include "crypto/csr.h"
#include "ra/ra_internal.h"
#include "ra/registration_authority.h"

namespace claimsca::ra {
namespace {

using Json = nlohmann::json;
using store::ApplicationRecord;
using store::ApplicationState;

using internal::Dump;

std::string Yen(int64_t v) {
  std::string digits = std::to_string(v);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(i, ",");
  return digits;
}

}  // namespace

RenewalWindow RenewalWindowOf(const ca::ProgramProfile& program, Instant not_after) {
  RenewalWindow w;
  w.closes = not_after;
  if (program.renewal_window_months > 0) {
    w.opens = AddMonthsJst(not_after, -program.renewal_window_months);
  } else {
    // "Fewer than N days remain": exactly N days before the end is still closed.
    w.opens = not_after - std::chrono::days(program.renewal_window_days) + std::chrono::seconds(1);
  }
  return w;
}

Result<ApplicationRecord> RegistrationAuthority::ApplicationOfCertificate(std::string_view serial) {
  ASSIGN_OR_RETURN(store::CertificateRecord cert, store_.GetCertificate(serial));
  if (cert.request_id.empty()) {
    return NotFound("certificate " + cert.serial + " was not issued through an application");
  }
  return store_.GetApplication(cert.request_id);
}

Status RegistrationAuthority::CheckRenewable(const ApplicationRecord& a,
                                             const ca::ProgramProfile& program,
                                             std::string_view serial, Instant now) {
  if (a.state == ApplicationState::kRevoked) {
    return FailedPrecondition("revoked: the certificate of " + a.request_id + " was revoked");
  }
  if (a.state != ApplicationState::kIssued || !a.not_after) {
    return FailedPrecondition("application " + a.request_id + " is " +
                              std::string(store::ApplicationStateName(a.state)) + ", not issued");
  }
  if (a.serial != serial) {
    return FailedPrecondition("not_current: certificate " + std::string(serial) +
                              " was already renewed; renew with the current certificate " +
                              a.serial);
  }
  ASSIGN_OR_RETURN(store::CertificateRecord cert, store_.GetCertificate(serial));
  if (cert.revoked_at) {
    return FailedPrecondition("revoked: certificate " + cert.serial + " was revoked");
  }
  if (now >= *a.not_after) {
    auto fee = domain::QuoteFee(tariff_, a.program, JstDate(now), domain::FeeKind::kReapplication);
    std::string cost = fee.ok() ? Yen(fee->total_yen) + " yen (issuance " + Yen(fee->issuance_yen) +
                                      " + mailing " + Yen(fee->mailing_yen) + ")"
                                : "the issuance fee plus the mailing fee";
    return FailedPrecondition("expired: the certificate ended " + FormatJst(*a.not_after) +
                              "; renewal is no longer possible. A new application is needed: " +
                              cost + ", with a notice by post");
  }
  const RenewalWindow w = RenewalWindowOf(program, *a.not_after);
  if (now < w.opens) {
    return FailedPrecondition("renewal_not_open: renewal opens on " + IsoDate(JstDate(w.opens)) +
                              " (" + FormatJst(w.opens) + "); the certificate ends " +
                              FormatJst(*a.not_after));
  }
  return Status::Ok();
}

Result<Renewal> RegistrationAuthority::Renew(const RenewalRequest& request) {
  if (issuer_ == nullptr) {
    return FailedPrecondition("renewal needs the issuing CA's key, which is not loaded here");
  }
  const int ways = (request.csr.empty() ? 0 : 1) + (request.public_key == nullptr ? 0 : 1);
  if (ways > 1) return InvalidArgument("csr: give a CSR or a public key, not both");
  if (ways == 0 && request.pkcs12_password.size() < 8) {
    return InvalidArgument("pkcs12_password: at least 8 characters for a server-made key");
  }
  ASSIGN_OR_RETURN(ApplicationRecord a, ApplicationOfCertificate(request.serial));
  ASSIGN_OR_RETURN(const ca::ProgramProfile* program, programs_.Find(a.program));
  if (request.continue_from_end && !program->renewal_start_choice) {
    return InvalidArgument("continue_from_end: program " + program->id +
                           " starts a renewed certificate at issuance");
  }
  const Instant now = clock_.Now();
  RETURN_IF_ERROR(CheckRenewable(a, *program, request.serial, now));
  std::optional<Instant> not_before;
  if (request.continue_from_end) not_before = a.not_after;
  return IssueRenewal(a, request, not_before);
}

Result<Renewal> RegistrationAuthority::IssueRenewal(const ApplicationRecord& a,
                                                    const RenewalRequest& request,
                                                    std::optional<Instant> not_before) {
  const std::string actor = "certificate:" + request.serial;
  ca::IssueRequest issue;
  issue.program = a.program;
  issue.subject_code = a.institution_code;
  issue.terminal_name = a.terminal_name;
  issue.request_id = a.request_id;
  issue.not_before = not_before;

  Renewal out;
  if (!request.csr.empty()) {
    ASSIGN_OR_RETURN(out.certificate, issuer_->IssueFromCsr(issue, request.csr));
  } else if (request.public_key != nullptr) {
    ASSIGN_OR_RETURN(out.certificate, issuer_->IssueForKey(issue, request.public_key));
  } else {
    ca::ServerKeyRequest req;
    req.issue = issue;
    req.mode = options_.p12_mode;
    req.password = request.pkcs12_password;
    auto issued = ca::IssueWithServerKey(*issuer_, pool_, programs_, chain_, req);
    OPENSSL_cleanse(req.password.data(), req.password.size());
    if (!issued.ok()) return issued.status();
    OPENSSL_cleanse(issued->password.data(), issued->password.size());
    out.certificate = std::move(issued->certificate);
    out.pkcs12_der = std::move(issued->pkcs12_der);
  }

  const Instant now = clock_.Now();
  store::RenewalResult result;
  result.previous_serial = request.serial;
  result.serial = out.certificate.serial;
  result.common_name = out.certificate.common_name;
  result.issued_at = now;
  result.not_after = out.certificate.not_after;
  Status fail;
  auto fee = domain::QuoteFee(tariff_, a.program, JstDate(now), domain::FeeKind::kRenewal);
  if (!fee.ok()) {
    fail = fee.status();
  } else {
    out.charge = internal::MakeCharge(a, domain::FeeKind::kRenewal, *fee, now);
    store::FeeCharge& c = out.charge;
    c.serial = result.serial;
    const Json details = {{"previous_serial", request.serial},
                          {"serial", result.serial},
                          {"not_before", FormatJst(out.certificate.not_before)},
                          {"not_after", FormatJst(result.not_after)},
                          {"fee_yen", c.total_yen},
                          {"key", !request.csr.empty()            ? "csr"
                                  : request.public_key != nullptr ? "public_key"
                                                                  : "server_pkcs12"},
                          {"client", request.client}};
    const store::AuditEvent ev{now, actor, "application.renew", a.request_id, Dump(details)};
    fail = Logged(ev, store_.RecordRenewed(a.request_id, result, out.charge, ev));
  }
  if (!fail.ok()) {
    // Signed but not recorded (a concurrent renewal won, or the database failed).
    RevokeUnrecorded(result.serial, a.request_id, actor, "renewal did not complete");
    return fail;
  }
  // Renewals of the same certificate that signed and died before recording: revoked as
  // superseded (best effort: this renewal is recorded and answered whatever happens here).
  if (auto certs = store_.CertificatesForRequest(a.request_id); certs.ok()) {
    for (const auto& s : internal::UnrecordedRenewals(*certs, request.serial, result.serial)) {
      RevokeUnrecorded(s, a.request_id, actor, "renewal did not complete");
    }
  }
  ASSIGN_OR_RETURN(out.application, store_.GetApplication(a.request_id));
  return out;
}

}  // namespace claimsca::ra
