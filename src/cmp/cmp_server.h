#pragma once

// A CMP server (RFC 4210, lightweight profile RFC 9483) on OpenSSL's server API
// (OSSL_CMP_SRV_CTX): ir authenticated by PBM with the notice's request ID and download
// password, kur signed with the current certificate (renewal through the RA), rr by the
// holder, certConf, genm for the CA certificates. docs/renewal-and-cmp.md.
//
// Thread-safe. Each transaction has its own OpenSSL server context, kept (keyed by
// transactionID) until it ends or `transaction_ttl` passes; transactionIDs are never
// accepted twice for a new transaction (replays are refused).

#include <openssl/cmp.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "crypto/signer.h"
#include "ra/registration_authority.h"
#include "store/store.h"

namespace claimsca::cmp {

struct CmpServerOptions {
  std::chrono::seconds transaction_ttl{std::chrono::minutes(5)};
  // Grant implicitConfirm when a client asks for it (RFC 4210 §5.1.1.1). Off: every ir
  // and kur waits for certConf. Either way a renewal stays retryable by the renewed
  // certificate until certConf or the new certificate's first use (docs/renewal-and-cmp.md).
  bool grant_implicit_confirm = false;
  // Event sink: "cmp_refused", "cmp_issued", "cmp_revoked", ... Must be thread-safe; may
  // be empty.
  std::function<void(std::string_view event,
                     const std::vector<std::pair<std::string, std::string>>& fields)>
      log;
};

class CmpServer {
 public:
  // `issuing`, `root` and `cmp_cert` are copied (reference-counted); everything else must
  // outlive the server. Responses are protected with `cmp_signer`, the key of `cmp_cert`
  // (the CMP signer certificate issued by the issuing CA: digitalSignature, id-kp-cmcRA),
  // and carry extraCerts [cmp_cert, issuing] so that a client trusting only the root
  // verifies them; MAC-protected (PBM) answers to a PBM-protected ir.
  CmpServer(ra::RegistrationAuthority& ra, store::CertificateReader& certs, X509* issuing,
            X509* root, X509* cmp_cert, const crypto::Signer& cmp_signer, const Clock& clock,
            CmpServerOptions options);
  ~CmpServer();

  // One request (DER PKIMessage) → one response (DER PKIMessage). InvalidArgument when the
  // bytes are not a PKIMessage at all (the HTTP edge answers 400); every refusal of a
  // well-formed request is a CMP error or rejection message.
  Result<std::string> Handle(std::string_view request_der, std::string_view client);

  struct Transaction;  // per-transaction state (cmp_server.cc)

 private:
  friend struct Callbacks;
  Result<std::unique_ptr<Transaction>> NewTransaction(int bodytype);
  void Log(std::string_view event, std::vector<std::pair<std::string, std::string>> fields) const;

  ra::RegistrationAuthority& ra_;
  store::CertificateReader& certs_;
  crypto::X509Ptr issuing_, root_, cmp_cert_;
  const crypto::Signer& signer_;
  const Clock& clock_;
  CmpServerOptions options_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Transaction>> open_;  // GUARDED_BY(mu_)
  std::map<std::string, Instant> seen_;                       // GUARDED_BY(mu_)
};

}  // namespace claimsca::cmp
