#pragma once

// Issuance and download of 国保連 certificates (docs/kokuhoren.md, "Certificate
// applications, issuance and download"; seed 002 Q2, Q3). A pending application is issued
// with a server-made key (the key pool) into a PKCS#12 protected by the 証明書発行用パスワード
// it was applied with (sealed until now, wiped at issuance); the PKCS#12 is kept and served
// again whenever needed while the certificate is valid, unless the applicant's password
// has been re-issued since (a newer generation): then the seed's words refuse it.

#include <string>
#include <string_view>
#include <vector>

#include "ca/issuer.h"
#include "ca/key_pool.h"
#include "ca/program.h"
#include "common/clock.h"
#include "crypto/sealed_box.h"
#include "kokuhoren/applications.h"
#include "kokuhoren/applications_accounts.h"

namespace claimsca::kokuhoren {

// The refusal of a certificate applied for with an older 証明書発行用パスワード (seed 002 Q3).
inline constexpr std::string_view kOldPasswordRefusal =
    "再発行した証明書発行用パスワードでは、以前の証明書発行用パスワードで申請した電子証明書を"
    "インストールできません。新たに電子証明書の発行申請を行ってください。";

struct Pkcs12Download {
  std::string pkcs12_der;
  std::string file_name;  // "<application id>.p12"
  CertApplication application;
};

// Thread-safe (concurrent Issue calls of one application: one wins, the others get
// Conflict). Everything referenced must outlive it; `chain` (issuing CA, root) is not owned.
class Issuance {
 public:
  // `issuer` is the kokuhoren program's issuing CA (the app picks it by program).
  Issuance(store::Store& store, ca::Issuer& issuer, ca::KeyPool& pool,
           const ca::ProgramRegistry& programs, std::vector<X509*> chain,
           const crypto::SealedBox& sealer, KjAccounts& accounts, const Clock& clock,
           std::string holder);

  // pending → issued (kj_review: an operator's approval, or auto_issue). Conflict when not
  // pending or while another process issues it.
  Result<CertApplication> Issue(std::string_view id, std::string_view actor);
  // Issues every pending application (oldest first); returns how many. The first error
  // stops it.
  Result<int> IssuePending(std::string_view actor);

  // The PKCS#12 of an issued application for `account_id` (the office, or an agent acting
  // for it). Forbidden when the office is not the account's; FailedPrecondition when not
  // issued, revoked, expired, or applied for with an older password (kOldPasswordRefusal).
  Result<Pkcs12Download> Download(std::string_view account_id, std::string_view id);

 private:
  store::Store& store_;
  ca::Issuer& issuer_;
  ca::KeyPool& pool_;
  const ca::ProgramRegistry& programs_;
  std::vector<X509*> chain_;
  const crypto::SealedBox& sealer_;
  KjAccounts& accounts_;
  const Clock& clock_;
  std::string holder_;
};

}  // namespace claimsca::kokuhoren
