#pragma once

// Moving an institution's not-yet-billed charges and its billing method changes to another
// code (docs/billing.md "Moving charges"): used by the code swap of a newly designated
// institution (src/newinst, its 仮コード / 受付番号 → the real code). The ledger stays
// append-only: a move is a credit note on the old code plus the same charge on the new one.

#include <cstdint>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "store/module_sql.h"

namespace claimsca::billing {

// Every charge in force (neither a credit note nor cancelled) of `from_code` that no bill
// has taken (no bill_items row) gets, in `tx`: a credit note on `from_code` (amounts negated,
// same billing month, cancels_entry_id = the charge, `reason`) and the same charge on
// `to_code` (same request, kind, certificate, program, charge date, billing month and
// amounts; created_at = `at`). Billed charges stay where they are (the clinic was billed
// under the old code). Returns the number of charges moved. A charge moves once (its credit
// note is unique), so a second call moves nothing.
Result<int64_t> MoveUnbilledCharges(store::SqlTx& tx, std::string_view from_code,
                                    std::string_view to_code, std::string_view reason, Instant at);

// Copies every billing method change of `from_code` to `to_code` (same method and effective
// month; changed_by `actor`, at `at`, source `source`), so that the method in force on the
// new code is the old one's. Returns the number of rows copied.
Result<int64_t> CopyMethodChanges(store::SqlTx& tx, std::string_view from_code,
                                  std::string_view to_code, std::string_view actor,
                                  std::string_view source, Instant at);

}  // namespace claimsca::billing
