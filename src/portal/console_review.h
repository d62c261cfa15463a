#pragma once

// The console's review screen parts (console_review.cc; docs/portal.md "Console: review"):
// the institution register beside what the clinic typed, the application's history in
// Japanese rows, and the confirmation step of approve and reject. Internal to
// claimsca_portal.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "portal/page.h"
#include "store/store.h"

namespace claimsca::portal {

// The register's row for the application's code beside the form's values: {found,
// version, rows: [{label, typed, registered, same, compared, mark}], address}. A difference
// is marked by a sign AND the words 「相違あり」 (never colour alone). Without a reader, or
// without a row for the code, `found` is false and `missing` says so.
nlohmann::json RegisterComparison(store::RegisterReader* reader, const store::ApplicationRecord& a);

// The audit trail of an application as Japanese rows: {at, what, by, details: [{label,
// value}]} (labels.h); never an action code or the stored JSON.
nlohmann::json HistoryRows(const std::vector<store::AuditEntry>& trail);
// The same when no audit trail is at hand: from the application record itself.
nlohmann::json HistoryFromRecord(const store::ApplicationRecord& a);

// The confirmation of "approve" or "reject" (`op`), with the register comparison; with
// `error` (a POST that did not confirm) it answers 422 and says nothing changed.
web::Response ReviewConfirmPage(const Session& s, const store::ApplicationRecord& a,
                                const std::string& op, const std::string& reason,
                                const nlohmann::json& comparison, const std::string& error);

}  // namespace claimsca::portal
