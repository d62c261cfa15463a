#include "cmd/billing_ledger_cmd.h"

#include <cstdio>

#include "billing/ledger_store.h"
#include "billing/methods.h"
#include "cmd/ca_files.h"
#include "store/module_sql.h"

namespace claimsca::cmd {
namespace {

void PrintReport(const billing::MethodsReport& r) {
  std::printf("effective_month=%s rows=%d changed=%d unchanged=%d\n", r.effective_month.c_str(),
              r.rows, r.changed, r.unchanged);
}

}  // namespace

int RunBillingMethodsSet(App& app, const std::string& code, const std::string& method,
                         const std::string& by) {
  auto r = billing::SetMethod(*app.store, code, method, "operator:" + by, app.clock->Now());
  if (!r.ok()) return ExitWithError(r.status());
  PrintReport(*r);
  return 0;
}

int RunBillingMethodsImport(App& app, const std::string& file, const std::string& by) {
  auto text = ReadFile(file);
  if (!text.ok()) return ExitWithError(text.status());
  auto rows = billing::ParseMethodsCsv(*text);
  if (!rows.ok()) return ExitWithError(rows.status());
  auto r = billing::ApplyMethods(*app.store, *rows, "operator:" + by, "import:" + file,
                                 app.clock->Now());
  if (!r.ok()) return ExitWithError(r.status());
  PrintReport(*r);
  return 0;
}

int RunBillingLedger(App& app, const std::string& month, const std::string& institution) {
  std::printf(
      "entry_id\tbilling_month\tinstitution_code\trequest_id\tserial\tkind\tcharge_date\t"
      "issuance_fee_yen\tmailing_fee_yen\ttotal_yen\tcancels_entry_id\treason\n");
  int64_t total = 0;
  Status st = store::RunRead(*app.store, [&](store::SqlTx& tx) {
    return billing::ForEachEntry(tx, month, institution, [&](const billing::LedgerEntry& e) {
      const std::string cancels =
          e.cancels_entry_id ? std::to_string(*e.cancels_entry_id) : std::string();
      std::printf("%lld\t%s\t%s\t%s\t%s\t%s\t%s\t%lld\t%lld\t%lld\t%s\t%s\n",
                  static_cast<long long>(e.entry_id), e.billing_month.c_str(),
                  e.institution_code.c_str(), e.request_id.c_str(), e.serial.c_str(),
                  e.kind.c_str(), e.charge_date.c_str(), static_cast<long long>(e.issuance_fee_yen),
                  static_cast<long long>(e.mailing_fee_yen), static_cast<long long>(e.total_yen),
                  cancels.c_str(), e.reason.c_str());
      total += e.total_yen;
      return Status::Ok();
    });
  });
  if (!st.ok()) return ExitWithError(st);
  std::printf("total_yen\t%lld\n", static_cast<long long>(total));
  return 0;
}

}  // namespace claimsca::cmd
