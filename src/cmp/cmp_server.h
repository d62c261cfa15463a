#pragma once

// A CMP server (RFC 4210, lightweight profile RFC 9483) on OpenSSL's server API
// (OSSL_CMP_SRV_CTX): ir authenticated by PBM with the notice's request ID and download
// password, kur signed with the current certificate (renewal through the RA), rr by the
// holder, certConf, genm for the CA certificates. docs/renewal-and-cmp.md.
//
// Thread-safe, and several servers (nodes) may share one database. Each message gets its own
// OpenSSL server context; what a certConf needs of its ir / kur is kept in the database
// (TransactionStore, migration 099) until the certConf or `transaction_ttl`, so the certConf
// may land on any node; a transactionID is accepted for a new transaction at most once
// across all nodes (replays are refused).

#include <openssl/cmp.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cmp/transactions.h"
#include "common/clock.h"
#include "crypto/sealed_box.h"
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
  // outlive the server. `transactions` holds the transactions of every node; `sealer` seals
  // an ir's PBM secret in it until the certConf (the same key on every node). Responses are
  // protected with `cmp_signer`, the key of `cmp_cert` (the CMP signer certificate issued by the
  // issuing CA: digitalSignature, id-kp-cmcRA), and carry extraCerts [cmp_cert, issuing] so that a
  // client trusting only the root verifies them; MAC-protected (PBM) answers to a PBM-protected ir.
  CmpServer(ra::RegistrationAuthority& ra, store::CertificateReader& certs,
            TransactionStore& transactions, const crypto::SealedBox& sealer, X509* issuing,
            X509* root, X509* cmp_cert, const crypto::Signer& cmp_signer, const Clock& clock,
            CmpServerOptions options);
  ~CmpServer();

  // One request (DER PKIMessage) → one response (DER PKIMessage). InvalidArgument when the
  // bytes are not a PKIMessage at all (the HTTP edge answers 400); every refusal of a
  // well-formed request is a CMP error or rejection message.
  Result<std::string> Handle(std::string_view request_der, std::string_view client);

  struct Transaction;  // one message's OpenSSL context and facts (cmp_server.cc)

 private:
  friend struct Callbacks;
  Result<std::unique_ptr<Transaction>> NewTransaction(int bodytype);
  // The state a certConf continues, taken from the database (nullopt: none, or refused
  // with `refusal` set).
  Result<std::optional<TransactionState>> Continue(const std::string& tid,
                                                   const std::string& sender_name_der,
                                                   const std::string& sender_kid,
                                                   std::string& refusal);
  Status Restore(Transaction& t, const TransactionState& state);
  Status Remember(Transaction& t, std::string_view response_der);
  void Log(std::string_view event, std::vector<std::pair<std::string, std::string>> fields) const;

  ra::RegistrationAuthority& ra_;
  store::CertificateReader& certs_;
  TransactionStore& transactions_;
  const crypto::SealedBox& sealer_;
  crypto::X509Ptr issuing_, root_, cmp_cert_;
  const crypto::Signer& signer_;
  const Clock& clock_;
  CmpServerOptions options_;
};

}  // namespace claimsca::cmp
