#pragma once

// The clinic's 詳細/編集 page of one application (guide 図表15–17; docs/portal.md "The detail
// page"): the state in plain words with what happens next and what to do, the operator's
// reason of a rejection, whether a cancellation cost anything, the dates YYYY/MM/DD, the
// 発行通知書's shipping (only where a notice exists or will), and the edit form of an issued
// application. Internal to claimsca_portal.

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "domain/application_form.h"
#include "portal/page.h"
#include "portal/portal.h"
#include "store/store.h"
#include "web/http.h"

namespace claimsca::portal {

// What the page says about an application beyond its row, gathered by
// ApplicationDetailPage (the audit trail, the slip rule, the renewal window).
struct DetailFacts {
  Instant now{};
  // The notice's shipping row; null while no notice was printed.
  const store::ShippingInfo* shipping = nullptr;
  // Cancelled after its automatic approval, before the notice: the fee was charged and then
  // cancelled by a credit note (audit "application.cancel_before_notice").
  bool fee_credited = false;
  // Revoked because the invoice was not paid (audit "application.revoke", cause unpaid).
  bool unpaid = false;
  // Issued and still cancellable free of charge until then (ra::SlipCancellation::FreeUntil).
  std::optional<Instant> free_cancel_until;
  // The first instant of the renewal window of an issued certificate.
  std::optional<Instant> renewal_opens;
};

// The page's status block for `a` (pure, tested in application_detail_test.cc):
//   state        the list's label (発行承認待ち …), or 有効期限切れ / ダウンロード期限切れ for an
//                issued one past either end
//   state_class  the CSS class of the label
//   says         sentences: what happened, what happens next
//   next         what the clinic should do now ("" for nothing)
//   reject_reason the operator's reason (rejected only; a sentence when none was written)
//   dates        [{label, value}] in order: 申請日, 審査日 / 棄却日, 発行日, ダウンロード有効期限,
//                証明書有効期限, キャンセル日, 失効日 (only those that exist), YYYY/MM/DD
//   notice       the shipping section's sentence while there is no shipping row ("" = no
//                section: nothing will be mailed, or it no longer matters)
//   apply_again  whether to offer the link to a new application
nlohmann::json DetailStatus(const store::ApplicationRecord& a, const DetailFacts& f);

// GET /portal/applications/{id} for the institution session `s`, and the edit form's answer
// (`errors` beside the fields, `after` the values posted; `query` "updated=1" / "nochange=1").
web::Response ApplicationDetailPage(const PortalDeps& d, const Session& s, const std::string& id,
                                    const std::vector<domain::FieldError>& errors,
                                    const std::map<std::string, std::string>& after,
                                    std::string_view query);

}  // namespace claimsca::portal
