#pragma once

// Helpers shared by the RA's source files (registration_authority.cc, renewal.cc,
// cmp_enrollment.cc). Internal to claimsca_ra.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/iso_date.h"
#include "common/time_util.h"
#include "domain/tariff.h"
#include "mail/outbox.h"
#include "store/store.h"

namespace claimsca::ra::internal {

// A JSON text that never throws on odd bytes (hostile input is replaced, not rejected:
// audit rows must always be written).
inline std::string Dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Adds the "your certificate was downloaded" mail (template `downloaded`, issue 24 point
// 11) about `a` to `ev`: when (`now`), from which address (`client`), by which way
// (`channel`, Japanese). Once per download: the dedup key names the instant, so a repeated
// write of the same event adds nothing and every later download mails again. Nothing
// without a composer or an address. Defined in download.cc.
Status AttachDownloadedMail(const mail::Composer* composer, const store::ApplicationRecord& a,
                            Instant now, std::string_view client, std::string_view channel,
                            store::AuditEvent& ev);

// The fee charge of `kind` for application `a`, quoted `fee`, arising at `now`.
inline store::FeeCharge MakeCharge(const store::ApplicationRecord& a, domain::FeeKind kind,
                                   const domain::FeeQuote& fee, Instant now) {
  store::FeeCharge c;
  c.request_id = a.request_id;
  c.institution_code = a.institution_code;
  c.program = a.program;
  c.kind = std::string(domain::FeeKindName(kind));
  c.charge_date = IsoDate(JstDate(now));
  c.issuance_fee_yen = fee.issuance_yen;
  c.mailing_fee_yen = fee.mailing_yen;
  c.total_yen = fee.total_yen;
  c.created_at = now;
  return c;
}

// Once the renewal of `previous_serial` into `recorded_serial` is recorded: the other
// certificates of the application signed since `previous_serial` was made, issued and not
// revoked. Each is from a renewal of `previous_serial` that signed and then died before
// recording (a crash; docs/crash-testing.md): nobody was handed it. (A renewal still running
// elsewhere can no longer record, and revokes its own.)
inline std::vector<std::string> UnrecordedRenewals(
    const std::vector<store::CertificateRecord>& certs, std::string_view previous_serial,
    std::string_view recorded_serial) {
  std::vector<std::string> out;
  for (const auto& p : certs) {
    if (p.serial != previous_serial) continue;
    for (const auto& c : certs) {
      if (c.state == store::CertState::kIssued && !c.revoked_at && c.serial != previous_serial &&
          c.serial != recorded_serial && c.created_at >= p.created_at) {
        out.push_back(c.serial);
      }
    }
  }
  return out;
}

}  // namespace claimsca::ra::internal
