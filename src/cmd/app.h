#pragma once

// Wiring: everything a subcommand needs, built from the configuration. main.cc and
// serve.cc use it; libraries never read flags or files themselves.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "auth/address_ranges.h"
#include "auth/auth_service.h"
#include "ca/issuer.h"
#include "ca/key_pool.h"
#include "ca/program.h"
#include "cmd/ca_files.h"
#include "cmd/config.h"
#include "common/clock.h"
#include "crypto/sealed_box.h"
#include "domain/tariff.h"
#include "kokuhoren/accounts.h"
#include "kokuhoren/accounts_kj.h"
#include "mail/mime.h"
#include "mail/outbox.h"
#include "mail/smtp.h"
#include "newinst/reissue.h"
#include "ra/registration_authority.h"
#include "store/store.h"
#include "web/log.h"

namespace claimsca::cmd {

struct App {
  Config config;
  std::unique_ptr<Clock> clock;
  std::unique_ptr<web::Logger> logger;  // JSON lines on stderr: requests and audit events
  std::unique_ptr<store::Store> store;
  CaMaterial ca;
  ca::ProgramRegistry programs;
  // The deployment's issuing CA ([ca] issuer_id): the common program's and that of every
  // program without one of its own. Null unless the issuing signer was loaded.
  std::unique_ptr<ca::Issuer> issuer;
  // The programs' own issuing CAs (ca.program_issuing), by program id; each signs only its
  // program's certificates. Empty unless the issuing signers were loaded.
  std::map<std::string, std::unique_ptr<ca::Issuer>, std::less<>> program_issuers;
  std::unique_ptr<ca::KeyPool> key_pool;
  std::optional<domain::Tariff> tariff;
  std::optional<crypto::SealedBox> sealer;  // seals download passwords until hand-over
  std::unique_ptr<auth::AuthService> auth;  // accounts, logins, tokens
  // E-mail: messages are composed into the outbox always; sent only with an SMTP server
  // configured (mailer and outbox null otherwise).
  std::unique_ptr<mail::Composer> mail_composer;
  std::unique_ptr<mail::Mailer> mailer;
  std::unique_ptr<mail::Outbox> outbox;
  std::unique_ptr<newinst::CodeSwaps> code_swaps;  // the RA's re-issue on the real code
  std::unique_ptr<ra::RegistrationAuthority> ra;
  auth::AddressRanges network_ranges;  // where the network-terminal channel is open
  // 国保連: offices, agents, issuance passwords (docs/kokuhoren.md), and the same as
  // kjcert's KjAccounts interface.
  std::unique_ptr<kokuhoren::Accounts> kj_accounts;
  std::unique_ptr<kokuhoren::StoreKjAccounts> kj_account_api;

  // Issuing CA then root: the chain placed in PKCS#12 files.
  std::vector<X509*> Chain() const { return {ca.issuing.get(), ca.root.get()}; }

  // The issuer of a program's certificates (docs/certificate-profile.md): its own issuing
  // CA when it has one (the 国保連 program: "issuing-kj-1"), else the deployment's.
  // NotFound for an unknown program; FailedPrecondition when the issuing signer was not
  // loaded (CaNeeds::issuing_signer).
  Result<ca::Issuer*> IssuerFor(std::string_view program) const;
  // The chain for a program's PKCS#12 files: its issuing CA, then the root.
  std::vector<X509*> ChainFor(std::string_view program) const;
  // The issuing CA certificate of a program's certificates (never null for a known
  // program; the deployment's for an unknown one).
  X509* IssuingCertFor(std::string_view program) const;
};

// Opens the store (migrating it), loads the CA (the signers `needs` names), and builds the
// issuer (when the issuing signer is loaded) and the key pool.
Result<std::unique_ptr<App>> OpenApp(Config config, std::unique_ptr<Clock> clock,
                                     CaNeeds needs = {});

// The host:pid of this process, for leases and approval claims.
std::string ProcessHolder();
// Prints "claimsca: <code>: <message>" on stderr and returns the process exit code of the
// documented convention (docs/operations.md): 2 bad input, 3 not found, 4 conflict or
// wrong state, 1 anything else.
int ExitWithError(const Status& s);

// An operator acting from the command line or with the init token: every role (whoever
// holds the data directory or that token holds everything anyway), audited as
// "operator:<name>"; not bound by the four-eyes rule (ra::Caller::owner).
ra::Caller OperatorCaller(const std::string& name);

// RFC 5280 CRLReason from a name: "unspecified", "keyCompromise" (or "key_compromise"),
// "affiliationChanged", "superseded", "cessationOfOperation", "privilegeWithdrawn".
Result<int> ParseRevocationReason(std::string_view name);

}  // namespace claimsca::cmd
