#pragma once

// Where a presented certificate stands for renewal (docs/renewal-and-cmp.md): what the
// terminal page, GET /terminal/renewal and the portal's 更新可能 show before the holder asks
// (window, fee, whether this certificate may renew), by the rules that
// RegistrationAuthority::Renew applies when it does. Reads only.

#include <optional>
#include <string_view>

#include "ca/program.h"
#include "common/clock.h"
#include "common/status.h"
#include "domain/tariff.h"
#include "ra/registration_authority.h"
#include "store/store.h"

namespace claimsca::ra {

struct RenewalStatus {
  store::ApplicationRecord application;
  store::CertificateRecord certificate;  // the presented one
  // May renew: the application's current certificate, or the one an unconfirmed renewal
  // renewed (a retry, docs/renewal-and-cmp.md "A lost answer").
  bool current = false;
  bool retry = false;  // renewed to application.serial, not yet confirmed
  RenewalWindow window;
  bool open = false;                    // current, issued, and now within the window
  bool before_window = false;           // current, and the window has not opened yet
  bool start_choice = false;            // the program offers continue_from_end
  int validity_months = 0;              // of the renewed certificate (program profile)
  std::optional<domain::FeeQuote> fee;  // the renewal fee under today's tariff
};

class RenewalStatusReader {
 public:
  // Everything referenced must outlive the reader.
  RenewalStatusReader(RegistrationAuthority& ra, store::Store& store,
                      const ca::ProgramRegistry& programs, const domain::Tariff& tariff,
                      const Clock& clock)
      : ra_(ra), store_(store), programs_(programs), tariff_(tariff), clock_(clock) {}

  // The certificate `serial`'s status at the clock's now; errors as
  // RegistrationAuthority::ApplicationOfCertificate.
  Result<RenewalStatus> Of(std::string_view serial) const;
  // When renewal of `a`'s current certificate opens; nullopt for an application without a
  // certificate or of an unknown program.
  std::optional<Instant> Opens(const store::ApplicationRecord& a) const;

 private:
  RegistrationAuthority& ra_;
  store::Store& store_;
  const ca::ProgramRegistry& programs_;
  const domain::Tariff& tariff_;
  const Clock& clock_;
};

}  // namespace claimsca::ra
