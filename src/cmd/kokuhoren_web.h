#pragma once

// The 国保連 pages (portal::KokuhorenPages, docs/kokuhoren.md "Pages") wired to the
// program's parts: accounts, offices, inbox and the issuance password re-issue (kjacct),
// applications, issuance and download (kjcert), balance, invoices and payment confirmation
// (kjfees). It owns the parts' objects for the server's lifetime.

#include <memory>
#include <optional>

#include "cmd/app.h"
#include "cmd/kokuhoren_cert_cmd.h"
#include "kokuhoren/accounts.h"
#include "kokuhoren/accounts_kj.h"
#include "kokuhoren/applications.h"
#include "kokuhoren/issuance.h"
#include "portal/kokuhoren_pages.h"

namespace claimsca::cmd {

class KokuhorenWeb {
 public:
  // `app` must outlive this, and this the router the pages are on.
  explicit KokuhorenWeb(App& app);
  const portal::KokuhorenPages& pages() const { return pages_; }

 private:
  void WireAccounts();
  void WireApplications();
  Result<portal::KjAccount> Account(const std::string& account_id);
  Result<std::vector<portal::KjCertificateRow>> Certificates(const std::string& office);
  Result<std::vector<portal::KjConsoleRow>> Queue(const std::string& state);

  App& app_;
  kokuhoren::Accounts& accounts_;            // app_.kj_accounts
  kokuhoren::StoreKjAccounts& kj_accounts_;  // app_.kj_account_api
  // Applications (charged by the fees part as they are made) and, with the issuing signer,
  // Issuance; null without the program's profile or the sealing key.
  std::unique_ptr<KjCert> kj_;
  portal::KokuhorenPages pages_;
};

}  // namespace claimsca::cmd
