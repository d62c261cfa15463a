// Renewal by the holder of the current certificate (DOMAIN.md §5, docs/renewal-and-cmp.md):
// the window and the start date come from the program profile, the fee from the tariff.

#include <openssl/crypto.h>

#include <nlohmann/json.hpp>

#include "ca/program.h"
#include "ca/server_key_issuance.h"
#include "ca/validity.h"
#include "common/iso_date.h"
#include "common/time_util.h"
#include "crypto/csr.h"
#include "crypto/ossl.h"
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
  w.opens = ca::RenewalOpens(program, not_after);
  return w;
}

Result<ApplicationRecord> RegistrationAuthority::ApplicationOfCertificate(std::string_view serial) {
  ASSIGN_OR_RETURN(store::CertificateRecord cert, store_.GetCertificate(serial));
  // Applications of this table are the common CA's: a 国保連 certificate (its applications
  // live in src/kokuhoren) is refused by every path that starts here (HTTPS renewal, CMP).
  RETURN_IF_ERROR(ca::RequireProgram(cert.program, ca::kCommonProgram));
  if (cert.request_id.empty()) {
    return NotFound("certificate " + cert.serial + " was not issued through an application");
  }
  return store_.GetApplication(cert.request_id);
}

Result<store::CertificateRecord> RegistrationAuthority::CheckRenewable(
    const ApplicationRecord& a, const ca::ProgramProfile& program, std::string_view serial,
    Instant now, bool retry, bool any_time) {
  if (a.state == ApplicationState::kRevoked) {
    return FailedPrecondition("revoked: the certificate of " + a.request_id + " was revoked");
  }
  if (a.state != ApplicationState::kIssued || !a.not_after) {
    return FailedPrecondition("application " + a.request_id + " is " +
                              std::string(store::ApplicationStateName(a.state)) + ", not issued");
  }
  if (a.serial != serial && !retry) {
    return FailedPrecondition("not_current: certificate " + std::string(serial) +
                              " was already renewed and the new certificate " + a.serial +
                              " confirmed; renew with it");
  }
  ASSIGN_OR_RETURN(store::CertificateRecord cert, store_.GetCertificate(serial));
  if (cert.revoked_at) {
    return FailedPrecondition("revoked: certificate " + cert.serial + " was revoked");
  }
  // The presented certificate's own end: on a retry the application already holds the
  // unconfirmed new one.
  const Instant not_after = cert.not_after;
  if (now >= not_after) {
    auto fee = domain::QuoteFee(tariff_, a.program, JstDate(now), domain::FeeKind::kReapplication);
    std::string cost = fee.ok() ? Yen(fee->total_yen) + " yen (issuance " + Yen(fee->issuance_yen) +
                                      " + mailing " + Yen(fee->mailing_yen) + ")"
                                : "the issuance fee plus the mailing fee";
    return FailedPrecondition("expired: the certificate ended " + FormatJst(not_after) +
                              "; renewal is no longer possible. A new application is needed: " +
                              cost + ", with a notice by post");
  }
  const RenewalWindow w = RenewalWindowOf(program, not_after);
  if (now < w.opens && !any_time) {
    return FailedPrecondition("renewal_not_open: renewal opens on " + IsoDate(JstDate(w.opens)) +
                              " (" + FormatJst(w.opens) + "); the certificate ends " +
                              FormatJst(not_after));
  }
  return cert;
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
  // A retry after a lost answer: the renewed certificate, while the new one is unconfirmed.
  std::optional<store::PendingRenewal> retry;
  if (a.state == ApplicationState::kIssued && a.serial != request.serial) {
    ASSIGN_OR_RETURN(retry, store_.GetPendingRenewal(a.request_id));
    if (retry && (retry->previous_serial != request.serial || retry->serial != a.serial)) {
      retry.reset();
    }
  }
  // A certificate on a code the swap replaced: re-issued on the application's code at any
  // time, free, with the same period (docs/newinst.md, "Certificates on the real code").
  ASSIGN_OR_RETURN(const bool correction, IsCodeCorrection(a, request.serial));
  ASSIGN_OR_RETURN(store::CertificateRecord renewed,
                   CheckRenewable(a, *program, request.serial, now, retry.has_value(), correction));
  std::optional<Instant> not_before;
  if (request.continue_from_end) not_before = renewed.not_after;
  if (correction) not_before = renewed.not_before;
  if (retry) {
    ASSIGN_OR_RETURN(std::optional<Renewal> again, RepeatRenewal(a, *retry, request, not_before));
    if (again) return std::move(*again);
  }
  return IssueRenewal(a, request, not_before, retry ? &*retry : nullptr, correction);
}

Result<std::optional<Renewal>> RegistrationAuthority::RepeatRenewal(
    const ApplicationRecord& a, const store::PendingRenewal& pending, const RenewalRequest& request,
    std::optional<Instant> not_before) {
  ASSIGN_OR_RETURN(store::CertificateRecord cert, store_.GetCertificate(pending.serial));
  if (request.csr.empty() && request.public_key == nullptr) return std::optional<Renewal>();
  crypto::EvpPkeyPtr csr_key;
  EVP_PKEY* key = request.public_key;
  if (key == nullptr) {
    ASSIGN_OR_RETURN(crypto::ParsedCsr csr, crypto::ParseCsr(request.csr));
    csr_key = std::move(csr.public_key);
    key = csr_key.get();
  }
  ASSIGN_OR_RETURN(crypto::X509Ptr x509, crypto::CertFromDer(cert.cert_der));
  const bool same_key = EVP_PKEY_eq(X509_get0_pubkey(x509.get()), key) == 1;
  const bool same_start = not_before ? cert.not_before == *not_before : !request.continue_from_end;
  if (!same_key || !same_start || cert.revoked_at) return std::optional<Renewal>();
  // The same key: the answer that was lost, once more; nothing is signed or charged again.
  Renewal out;
  out.application = a;
  out.certificate = {cert.serial, cert.common_name, cert.cert_der, cert.not_before, cert.not_after};
  const std::string day = IsoDate(JstDate(a.issued_at.value_or(cert.created_at)));
  ASSIGN_OR_RETURN(std::vector<store::FeeCharge> charges, store_.ListFeeCharges(day, day));
  for (store::FeeCharge& c : charges) {
    if (c.request_id == a.request_id && c.serial == cert.serial) out.charge = std::move(c);
  }
  const store::AuditEvent ev{clock_.Now(), "certificate:" + request.serial,
                             "application.renew_repeated", a.request_id,
                             Dump({{"previous_serial", request.serial},
                                   {"serial", cert.serial},
                                   {"client", request.client}})};
  RETURN_IF_ERROR(Logged(ev, store_.AppendAudit(ev)));
  return std::optional<Renewal>(std::move(out));
}

Status RegistrationAuthority::ConfirmRenewal(std::string_view serial, std::string_view how) {
  ASSIGN_OR_RETURN(ApplicationRecord a, ApplicationOfCertificate(serial));
  if (a.state != ApplicationState::kIssued || a.serial != serial) return Status::Ok();
  ASSIGN_OR_RETURN(std::optional<store::PendingRenewal> p, store_.GetPendingRenewal(a.request_id));
  if (!p || p->serial != serial) return Status::Ok();
  const store::AuditEvent ev{clock_.Now(), "certificate:" + std::string(serial),
                             "application.renewal_confirmed", a.request_id,
                             Dump({{"serial", std::string(serial)},
                                   {"previous_serial", p->previous_serial},
                                   {"how", std::string(how)}})};
  RETURN_IF_ERROR(Logged(ev, store_.ConfirmRenewal(a.request_id, serial, ev).status()));
  // A confirmed re-issue on the real code: the certificate it corrects is superseded now.
  return SupersedeCorrected(a, p->previous_serial, "confirmed: " + std::string(how));
}

Result<Renewal> RegistrationAuthority::IssueRenewal(const ApplicationRecord& a,
                                                    const RenewalRequest& request,
                                                    std::optional<Instant> not_before,
                                                    const store::PendingRenewal* replaces,
                                                    bool correction) {
  const std::string actor = "certificate:" + request.serial;
  ca::IssueRequest issue;
  issue.program = a.program;
  issue.subject_code = a.institution_code;
  issue.terminal_name = a.terminal_name;
  issue.request_id = a.request_id;
  issue.not_before = not_before;
  issue.keep_period = correction;

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
  auto fee = correction
                 ? Result<domain::FeeQuote>(domain::FeeQuote{})
                 : domain::QuoteFee(tariff_, a.program, JstDate(now), domain::FeeKind::kRenewal);
  if (!fee.ok()) {
    fail = fee.status();
  } else {
    out.charge = internal::MakeCharge(a, domain::FeeKind::kRenewal, *fee, now);
    store::FeeCharge& c = out.charge;
    c.serial = result.serial;
    // A correction records no ledger entry (an empty kind); replacing an unconfirmed one
    // needs an entry: 0 yen of kind code_change.
    if (correction) c.kind = replaces == nullptr ? "" : std::string(kCodeChangeFeeKind);
    const Json details = {{"previous_serial", request.serial},
                          {"serial", result.serial},
                          {"not_before", FormatJst(out.certificate.not_before)},
                          {"not_after", FormatJst(result.not_after)},
                          {"fee_yen", c.total_yen},
                          {"key", !request.csr.empty()            ? "csr"
                                  : request.public_key != nullptr ? "public_key"
                                                                  : "server_pkcs12"},
                          {"client", request.client},
                          {"code_change", correction}};
    store::AuditEvent ev{now, actor,
                         correction ? "application.reissue_real_code" : "application.renew",
                         a.request_id, ""};
    if (replaces == nullptr) {
      ev.details = Dump(details);
      fail = Logged(ev, store_.RecordRenewed(a.request_id, result, out.charge, ev));
    } else {
      Json d = details;
      d["replaces_unconfirmed"] = replaces->serial;
      ev.details = Dump(d);
      fail = Logged(ev, store_.ReplaceUnconfirmedRenewal(a.request_id, replaces->serial, result,
                                                         out.charge, ev));
    }
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
