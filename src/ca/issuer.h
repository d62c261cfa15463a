#pragma once

// Issuance of terminal certificates: validate → build the TBS → lint → store the intent →
// sign → check → store the certificate (docs/issuance-cycle.md). The Issuer only signs what
// it is asked to; deciding whether to issue belongs to the registration authority.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ca/certificate_profile.h"
#include "ca/linter.h"
#include "ca/program.h"
#include "common/clock.h"
#include "crypto/ossl.h"
#include "crypto/signer.h"
#include "store/store.h"

namespace claimsca::ca {

struct IssueRequest {
  std::string program = "common";  // program profile id
  std::string subject_code;        // 10-digit institution code or 8-digit insurer number
  std::string terminal_name;       // 端末名称等 (kept in the database, not in the certificate)
  std::string request_id = {};     // the application it answers (stored with the intent); or empty
  // notBefore when later than now (国保連 renewal continuing from the current end,
  // docs/renewal-and-cmp.md); notAfter follows from it. Unset: now.
  std::optional<Instant> not_before = {};
};

struct IssuedCertificate {
  std::string serial;  // canonical hex
  std::string common_name;
  std::string cert_der;
  Instant not_before{};
  Instant not_after{};
};

struct IssuerOptions {
  std::string issuer_id = "issuing-1";
  std::string organization;  // subject O of terminal certificates
  IssuerUrls urls;
  LintOptions lint;
  int common_name_digits = 12;
  // Audit sink, called before and after every signature ("signing_intent",
  // "certificate_issued", "signing_failed") with the fields that identify it. Must be
  // thread-safe; may be empty.
  std::function<void(std::string_view event,
                     const std::vector<std::pair<std::string, std::string>>& fields)>
      audit;
};

// Thread-safe: concurrent Issue* calls are fine (the store and signer are thread-safe).
class Issuer {
 public:
  // `issuer_cert` is copied (reference-counted). `signer`, `store`, `programs` and `clock`
  // must outlive the Issuer.
  Issuer(IssuerOptions options, X509* issuer_cert, const crypto::Signer& signer,
         store::CertificateWriter& store, const ProgramRegistry& programs, const Clock& clock);

  // Issues a certificate for a public key whose possession the caller has established.
  Result<IssuedCertificate> IssueForKey(const IssueRequest& request, EVP_PKEY* public_key);
  // The same, with the key's SubjectPublicKeyInfo as the CSR carried it (`public_key` is
  // its decoded form): the fast path.
  Result<IssuedCertificate> IssueForSpki(const IssueRequest& request, EVP_PKEY* public_key,
                                         const X509_PUBKEY* spki);

  // Parses the CSR (PEM or DER), checks its signature (proof of possession) and key,
  // then issues for its key. The CSR's subject is ignored: the profile decides it.
  Result<IssuedCertificate> IssueFromCsr(const IssueRequest& request, std::string_view csr);

  X509* issuer_cert() const { return issuer_cert_.get(); }
  const IssuerOptions& options() const { return options_; }

 private:
  Status ValidateRequest(const IssueRequest& request) const;

  IssuerOptions options_;
  crypto::X509Ptr issuer_cert_;
  const crypto::Signer& signer_;
  store::CertificateWriter& store_;
  const ProgramRegistry& programs_;
  const Clock& clock_;
};

// Checks shared by every entry point: a code of 8 or 10 ASCII digits, a terminal name of
// 1..100 characters of valid UTF-8 without control characters.
Status ValidateSubjectCode(std::string_view code);
Status ValidateTerminalName(std::string_view name);

}  // namespace claimsca::ca
