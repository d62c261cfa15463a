#include "ra/renewal_status.h"

#include "common/time_util.h"

namespace claimsca::ra {

Result<RenewalStatus> RenewalStatusReader::Of(std::string_view serial) const {
  RenewalStatus s;
  ASSIGN_OR_RETURN(s.certificate, store_.GetCertificate(serial));
  ASSIGN_OR_RETURN(s.application, ra_.ApplicationOfCertificate(serial));
  ASSIGN_OR_RETURN(const ca::ProgramProfile* program, programs_.Find(s.application.program));
  ASSIGN_OR_RETURN(std::optional<store::PendingRenewal> pending,
                   store_.GetPendingRenewal(s.application.request_id));
  const Instant now = clock_.Now();
  s.window = RenewalWindowOf(*program, s.certificate.not_after);
  // The renewed certificate of an unconfirmed renewal may still retry it.
  s.retry = pending.has_value() && pending->previous_serial == serial &&
            pending->serial == s.application.serial;
  s.current = s.application.serial == serial || s.retry;
  s.open = s.current && s.application.state == store::ApplicationState::kIssued &&
           now >= s.window.opens && now < s.window.closes;
  s.before_window = s.current && now < s.window.opens;
  s.start_choice = program->renewal_start_choice;
  s.validity_months = program->validity_months;
  auto fee =
      domain::QuoteFee(tariff_, s.application.program, JstDate(now), domain::FeeKind::kRenewal);
  if (fee.ok()) s.fee = *fee;
  return s;
}

std::optional<Instant> RenewalStatusReader::Opens(const store::ApplicationRecord& a) const {
  if (!a.not_after || a.serial.empty()) return std::nullopt;
  auto program = programs_.Find(a.program);
  if (!program.ok()) return std::nullopt;
  return RenewalWindowOf(**program, *a.not_after).opens;
}

}  // namespace claimsca::ra
