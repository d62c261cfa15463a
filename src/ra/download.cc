// The download site's check of request ID and password (docs/applications.md, "Download"):
// no oracle for request IDs. Until the password proves the request ID, an unknown ID, one
// not issued yet, a locked one and a wrong password get the same answer (kDownloadRefused),
// each after one argon2id verification (a dummy hash where there is no real one to check,
// or while locked) and one audit row, so neither the answer nor its time tells them apart.

#include <nlohmann/json.hpp>

#include "common/time_util.h"
#include "ra/ra_internal.h"
#include "ra/registration_authority.h"

namespace claimsca::ra {

// The "downloaded" mail (ra_internal.h): every delivery of the certificate with the notice's
// password, from the download site or a CMP ir.
Status internal::AttachDownloadedMail(const mail::Composer* composer,
                                      const store::ApplicationRecord& a, Instant now,
                                      std::string_view client, std::string_view channel,
                                      store::AuditEvent& ev) {
  if (composer == nullptr || a.email.empty()) return Status::Ok();
  const std::string key = a.request_id + "|downloaded|" + FormatUtc(now);
  ASSIGN_OR_RETURN(store::OutboxMail m,
                   composer->Compose("downloaded", a.request_id, a.email,
                                     {{"contact_name", a.contact_name},
                                      {"institution_name", a.institution_name},
                                      {"institution_code", a.institution_code},
                                      {"request_id", a.request_id},
                                      {"terminal_name", a.terminal_name},
                                      {"downloaded_at", FormatJstMinute(now)},
                                      {"client_address", client.empty() ? std::string("（不明）")
                                                                        : std::string(client)},
                                      {"channel", std::string(channel)}},
                                     key));
  ev.mail.push_back(std::move(m));
  return Status::Ok();
}

using internal::Dump;
using Json = nlohmann::json;
using store::ApplicationRecord;
using store::ApplicationState;

Result<Download> RegistrationAuthority::DownloadPkcs12(std::string_view request_id,
                                                       std::string_view password,
                                                       std::string_view client) {
  const Status refused(Code::kUnauthorized, kDownloadRefused);
  auto app = store_.GetApplication(request_id);
  if (!app.ok() && app.status().code() != Code::kNotFound) return app.status();
  const Instant now = clock_.Now();
  Json who = {{"client", std::string(client)}};
  // The request ID as typed, bounded (the audit row of a probe must stay small).
  const std::string subject(request_id.substr(0, 32));
  const bool has_password = app.ok() && !app->download_password_hash.empty();
  const bool locked =
      has_password && app->download_locked_until && *app->download_locked_until > now;
  if (!has_password || locked) {
    (void)auth::VerifyPassword(download_dummy_.Get(), password);
    who["refused"] = !app.ok() ? "unknown" : locked ? "locked" : "not_issued";
    const store::AuditEvent ev{now, "download:" + std::string(client), "download.failure", subject,
                               Dump(who)};
    RETURN_IF_ERROR(Logged(ev, store_.AppendAudit(ev)));
    return refused;
  }
  const ApplicationRecord& a = *app;
  if (!auth::VerifyPassword(a.download_password_hash, password)) {
    who["refused"] = "wrong_password";
    const store::AuditEvent ev{now, "download:" + std::string(client), "download.failure",
                               a.request_id, Dump(who)};
    // Counted while there is something to download; a revoked one only audited (the store
    // counts only issued applications, and its refusal must not show through).
    if (a.state != ApplicationState::kIssued) {
      RETURN_IF_ERROR(Logged(ev, store_.AppendAudit(ev)));
      return refused;
    }
    RETURN_IF_ERROR(
        Logged(ev, store_
                       .RecordDownloadFailure(a.request_id, now, options_.download_max_failures,
                                              options_.download_lock, ev)
                       .status()));
    return refused;
  }
  // The password proves the request ID: from here the answer may say why.
  if (a.state == ApplicationState::kRevoked) {
    return FailedPrecondition("revoked: the certificate of " + a.request_id + " was revoked");
  }
  if (a.state != ApplicationState::kIssued) {
    return FailedPrecondition("application " + a.request_id + " is " +
                              std::string(store::ApplicationStateName(a.state)) + ", not issued");
  }
  if (a.download_deadline && now > *a.download_deadline) {
    return FailedPrecondition("deadline: the download deadline " + FormatJst(*a.download_deadline) +
                              " has passed");
  }
  if (a.pkcs12_der.empty()) return FailedPrecondition("deadline: the file was removed");
  store::AuditEvent ev{now, "download:" + std::string(client), "download.success", a.request_id,
                       Dump(who)};
  RETURN_IF_ERROR(internal::AttachDownloadedMail(
      options_.mail, a, now, client, "ダウンロードサイト（発行通知書のパスワード）", ev));
  RETURN_IF_ERROR(Logged(ev, store_.RecordDownloadSuccess(a.request_id, now, ev)));
  return Download{a.pkcs12_der, a.request_id + ".p12"};
}

}  // namespace claimsca::ra
