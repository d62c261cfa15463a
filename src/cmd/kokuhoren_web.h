#pragma once

// The 国保連 pages (portal::KokuhorenPages, docs/kokuhoren.md "Pages") wired to the
// program's parts: accounts, offices, inbox and the issuance password re-issue (kjacct),
// applications, issuance and download (kjcert), balance, invoices and payment confirmation
// (kjfees). It owns the parts' objects for the server's lifetime.

#include <memory>

#include "cmd/app.h"
#include "kokuhoren/accounts.h"
#include "portal/kokuhoren_pages.h"

namespace claimsca::cmd {

class KokuhorenWeb {
 public:
  // `app` must outlive this, and this the router the pages are on.
  explicit KokuhorenWeb(App& app);
  const portal::KokuhorenPages& pages() const { return pages_; }

 private:
  Result<portal::KjAccount> Account(const std::string& account_id);

  App& app_;
  kokuhoren::Accounts accounts_;
  portal::KokuhorenPages pages_;
};

}  // namespace claimsca::cmd
