// CreditInstitution (credit_notes.h).

#include "billing/credit_notes.h"

#include "common/iso_date.h"
#include "common/time_util.h"
#include "domain/billing.h"

namespace claimsca::billing {
namespace {

#define CLAIMSCA_IN_FORCE_OF_INSTITUTION                                                     \
  "FROM fee_charges f WHERE f.institution_code = $1 AND f.cancels_entry_id IS NULL AND NOT " \
  "EXISTS (SELECT 1 FROM fee_charges c WHERE c.cancels_entry_id = f.entry_id)"

constexpr char kInForceYen[] =
    "SELECT coalesce(sum(f.total_yen), 0) " CLAIMSCA_IN_FORCE_OF_INSTITUTION;
constexpr char kCredit[] =
    "INSERT INTO fee_charges (request_id, kind, institution_code, program, charge_date, "
    "billing_month, issuance_fee_yen, mailing_fee_yen, total_yen, created_at, serial, "
    "cancels_entry_id, reason) SELECT f.request_id, f.kind, f.institution_code, f.program, $2, "
    "CASE WHEN f.billing_month > $3 THEN f.billing_month ELSE $3 END, -f.issuance_fee_yen, "
    "-f.mailing_fee_yen, -f.total_yen, $4, f.serial, f.entry_id, "
    "$5 " CLAIMSCA_IN_FORCE_OF_INSTITUTION " ORDER BY f.entry_id";

}  // namespace

Result<int64_t> CreditInstitution(store::SqlTx& tx, std::string_view institution_code, Instant at,
                                  std::string_view reason) {
  if (reason.empty()) return InvalidArgument("credit notes need a reason");
  ASSIGN_OR_RETURN(std::optional<store::SqlRow> row,
                   tx.QueryFirst(kInForceYen, {institution_code}));
  int64_t yen = 0;
  if (row) {
    ASSIGN_OR_RETURN(yen, row->Int(0));
  }
  const Date today = JstDate(at);
  // A month already under way may have been billed: the credit goes to a later one.
  const std::string min_month = domain::FormatYearMonth(
      domain::YearMonth(today.year(), today.month()) + std::chrono::months(1));
  RETURN_IF_ERROR(
      tx.Exec(kCredit,
              {institution_code, IsoDate(today), min_month,
               int64_t{
                   std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count()},
               reason})
          .status());
  return yen;
}

}  // namespace claimsca::billing
