#include "cmd/kokuhoren_fees_web.h"

#include "kokuhoren/fee_hooks.h"
#include "kokuhoren/fees.h"
#include "store/module_sql.h"

namespace claimsca::cmd {

kokuhoren::ApplyHook FeeChargeHook(const App& app) {
  return kokuhoren::ChargeOnApply(*app.tariff,
                                  kokuhoren::InvoiceTerms{app.config.billing_due_days});
}

void WireFeePages(App& app, kokuhoren::Applications& applications, portal::KokuhorenPages& pages) {
  pages.balance = [&app](const std::string& office) -> Result<int64_t> {
    int64_t balance = 0;
    RETURN_IF_ERROR(store::RunRead(*app.store, [&](store::SqlTx& tx) -> Status {
      ASSIGN_OR_RETURN(balance, kokuhoren::BalanceOfOffice(tx, office));
      return Status::Ok();
    }));
    return balance;
  };
  pages.confirm_payment = [&app, &applications](const ra::Caller& caller,
                                                const std::string& application_id) -> Status {
    RETURN_IF_ERROR(kokuhoren::RecordTransferPaid(*app.store, application_id, "console",
                                                  caller.Actor(), app.clock->Now()));
    return applications.ConfirmPayment(application_id, caller.Actor()).status();
  };
}

}  // namespace claimsca::cmd
