#pragma once

// Credit notes for a whole institution (docs/billing.md, section "ledger"; used when a newly
// opened clinic is not designated, docs/newinst.md "Not designated"): every charge of the
// institution still in force is cancelled by a credit note, in the caller's transaction.
// The ledger stays append-only: nothing is updated or deleted.

#include <cstdint>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "store/module_sql.h"

namespace claimsca::billing {

// Cancels every charge of `institution_code` neither a credit note nor cancelled yet: one
// credit note each (amounts negated, cancels_entry_id = the charge, charge_date = `at`'s
// JST date, `reason`; billing month = the later of the charge's and the month after
// `at`'s, as the store's credit notes). Returns the yen credited (≥ 0; 0 when nothing was
// in force, so a repeat credits nothing). InvalidArgument for an empty reason.
Result<int64_t> CreditInstitution(store::SqlTx& tx, std::string_view institution_code, Instant at,
                                  std::string_view reason);

}  // namespace claimsca::billing
