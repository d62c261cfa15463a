#include "billing/ledger_move.h"

#include <string>

namespace claimsca::billing {
namespace {

// Charges of $1 in force and not billed, oldest first.
constexpr char kUnbilled[] =
    "SELECT f.entry_id FROM fee_charges f WHERE f.institution_code = $1 AND "
    "f.cancels_entry_id IS NULL AND NOT EXISTS (SELECT 1 FROM fee_charges c WHERE "
    "c.cancels_entry_id = f.entry_id) AND NOT EXISTS (SELECT 1 FROM bill_items b WHERE "
    "b.entry_id = f.entry_id) ORDER BY f.entry_id";
// The credit note of entry $1: created_at $2, reason $3, the charge's own billing month.
constexpr char kCredit[] =
    "INSERT INTO fee_charges (request_id, kind, institution_code, program, charge_date, "
    "billing_month, issuance_fee_yen, mailing_fee_yen, total_yen, created_at, serial, "
    "cancels_entry_id, reason) SELECT request_id, kind, institution_code, program, "
    "charge_date, billing_month, -issuance_fee_yen, -mailing_fee_yen, -total_yen, $2, serial, "
    "entry_id, $3 FROM fee_charges WHERE entry_id = $1";
// The same charge as entry $1 on code $2, created_at $3.
constexpr char kRecharge[] =
    "INSERT INTO fee_charges (request_id, kind, institution_code, program, charge_date, "
    "billing_month, issuance_fee_yen, mailing_fee_yen, total_yen, created_at, serial) "
    "SELECT request_id, kind, $2, program, charge_date, billing_month, issuance_fee_yen, "
    "mailing_fee_yen, total_yen, $3, serial FROM fee_charges WHERE entry_id = $1";
constexpr char kCopyMethods[] =
    "INSERT INTO billing_method_changes (institution_code, method, effective_month, "
    "changed_by, at, source) SELECT $2, method, effective_month, $3, $4, $5 FROM "
    "billing_method_changes WHERE institution_code = $1 ORDER BY id";

}  // namespace

Result<int64_t> MoveUnbilledCharges(store::SqlTx& tx, std::string_view from_code,
                                    std::string_view to_code, std::string_view reason, Instant at) {
  const int64_t now = at.time_since_epoch().count();
  ASSIGN_OR_RETURN(std::vector<store::SqlRow> rows, tx.Query(kUnbilled, {from_code}));
  for (const store::SqlRow& r : rows) {
    ASSIGN_OR_RETURN(int64_t entry, r.Int(0));
    RETURN_IF_ERROR(tx.Exec(kCredit, {entry, now, reason}).status());
    RETURN_IF_ERROR(tx.Exec(kRecharge, {entry, to_code, now}).status());
  }
  return static_cast<int64_t>(rows.size());
}

Result<int64_t> CopyMethodChanges(store::SqlTx& tx, std::string_view from_code,
                                  std::string_view to_code, std::string_view actor,
                                  std::string_view source, Instant at) {
  return tx.Exec(kCopyMethods, {from_code, to_code, actor, at.time_since_epoch().count(), source});
}

}  // namespace claimsca::billing
