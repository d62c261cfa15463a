#pragma once

// The ledger's narrow store interface (docs/billing.md, section "ledger"), written once over
// store::SqlTx, so it runs unchanged on SQLite and PostgreSQL and inside the caller's
// transaction (the run reads the ledger in its plan transaction). The ledger is the table
// fee_charges (migration 023): append-only, one entry per charge, credit notes as entries
// with negated amounts that name the entry they cancel. Entries are written by the store's
// application operations (approval, renewal, their corrections), never here.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "billing/plan.h"
#include "billing/run.h"
#include "common/clock.h"
#include "common/status.h"
#include "domain/category.h"
#include "store/module_sql.h"

namespace claimsca::billing {

struct LedgerEntry {
  int64_t entry_id = 0;
  std::string request_id;
  std::string institution_code;
  std::string program;
  std::string kind;              // "new_application", "renewal", "reapplication"
  std::string charge_date;       // "YYYY-MM-DD" (JST): the issuance, or the correction
  std::string billing_month;     // "YYYY-MM"
  int64_t issuance_fee_yen = 0;  // the issuance fee, or the renewal fee for a renewal
  int64_t mailing_fee_yen = 0;
  int64_t total_yen = 0;  // negative for a credit note
  Instant created_at{};
  std::string serial;                       // the certificate paid for
  std::optional<int64_t> cancels_entry_id;  // set on a credit note
  std::string reason;                       // a credit note's reason
  std::string terminal_name;                // 端末名称等 of the application

  bool is_credit() const { return cancels_entry_id.has_value(); }
  bool operator==(const LedgerEntry&) const = default;
};

// Calls `fn` for every entry of billing month `month` ("YYYY-MM"), ordered by institution
// code, then entry_id: one pass over the index (billing_month, institution_code, entry_id),
// streamed (the run's month holds up to a million entries).
Status ForEachEntryOfMonth(store::SqlTx& tx, std::string_view month,
                           const std::function<Status(const LedgerEntry&)>& fn);

// The entries matching a filter, oldest first (the CLI's `billing ledger`): "" = any.
Status ForEachEntry(store::SqlTx& tx, std::string_view month, std::string_view institution_code,
                    const std::function<Status(const LedgerEntry&)>& fn);

// One page of an institution's entries, newest first (the portal's 請求明細).
struct LedgerPage {
  std::vector<LedgerEntry> entries;
  int64_t next_before = 0;  // pass as before_entry_id for the next page; 0 = no more
};
// `before_entry_id` 0 = from the newest; `limit` 1..500 (InvalidArgument otherwise).
Result<LedgerPage> EntriesOfInstitution(store::SqlTx& tx, std::string_view institution_code,
                                        int64_t before_entry_id, int limit);

// The net amount (charges minus credits) of a certificate's entries, per application
// and serial: what the institution pays for it.
Result<int64_t> NetYenOfCertificate(store::SqlTx& tx, std::string_view request_id,
                                    std::string_view serial);

// The billing method in force for `institution_code` in billing month `month`: the latest
// change of billing_method_changes effective in or before the month, else the register's
// (current version); nullopt when neither knows the institution.
Result<std::optional<domain::BillingMethod>> MethodInForce(store::SqlTx& tx,
                                                           std::string_view institution_code,
                                                           std::string_view month);
// The same for many institutions at once (the run: up to 200,000): two streamed passes
// (the changes, the register), not one query per institution. Codes without a method are
// missing from the map.
Result<std::map<std::string, domain::BillingMethod>> MethodsInForce(
    store::SqlTx& tx, std::string_view month, const std::set<std::string>& codes);

// The run's view of the ledger (billing/run.h) over the two functions above.
LedgerSource MakeLedgerSource();

}  // namespace claimsca::billing
