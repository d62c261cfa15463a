#pragma once

// The accounts part's implementation of kjcert's narrow KjAccounts interface
// (applications_accounts.h) over Accounts (accounts.h) and the inbox (inbox.h), as the
// CLI and the server wire it.
//
// Thread-safety: as Accounts.

#include "kokuhoren/accounts.h"
#include "kokuhoren/applications_accounts.h"

namespace claimsca::store {
class Store;
}

namespace claimsca::kokuhoren {

class StoreKjAccounts final : public KjAccounts {
 public:
  // Both must outlive this.
  StoreKjAccounts(store::Store& store, Accounts& accounts) : store_(store), accounts_(accounts) {}

  // The kj account with its offices (sorted), the office's or agent's name and e-mail.
  Result<KjAccount> Find(std::string_view account_id) override;
  Result<int64_t> VerifyIssuancePassword(std::string_view account_id,
                                         std::string_view password) override;
  Result<int64_t> IssuancePasswordGeneration(std::string_view account_id) override;
  Result<std::string> VerifyOffsetOffice(std::string_view user_id,
                                         std::string_view password) override;
  Result<bool> PostInbox(std::string_view account_id, std::string_view title, std::string_view body,
                         std::string_view dedupe_key, Instant at) override;

 private:
  store::Store& store_;
  Accounts& accounts_;
};

}  // namespace claimsca::kokuhoren
