#pragma once

// Issuance of terminal certificates: validate → build the TBS → lint → store the intent →
// sign → check → store the certificate (docs/issuance-cycle.md). The Issuer only signs what
// it is asked to; deciding whether to issue belongs to the registration authority.

#include <functional>
#include <memory>
#include <optional>
#include <span>
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
  // With not_before in the past: keep it (no clamp to now), so the certificate has the
  // period of the one it corrects (the re-issue on the real code, docs/newinst.md).
  bool keep_period = false;
  // 証明書利用区分 for a program that has them (ProgramProfile::usage_categories, e.g.
  // "介護・障害共通証明書"); empty: the program's default. Carried in a second subject OU.
  std::string usage_category = {};
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
  // CRL shards (ca/crl_shard.h, docs/revocation.md "Sharded CRLs"): > 0 gives each
  // certificate the shard CrlShardOf(serial, crl_shards), stored with it, and names that
  // shard's CRL (CrlShardUrl(urls.crl_url, shard)) as its CRL distribution point; 0 names
  // the full CRL.
  int crl_shards = 0;
  LintOptions lint;
  int common_name_digits = 12;
  // The programs whose certificates this issuing CA signs (docs/certificate-profile.md,
  // "Issuing CAs per program"); a request of another program is refused
  // (FailedPrecondition). Empty: every program.
  std::vector<std::string> programs;
  // Audit sink, called before and after every signature ("signing_intent",
  // "certificate_issued", "signing_failed") with the fields that identify it. Must be
  // thread-safe; may be empty.
  std::function<void(std::string_view event,
                     const std::vector<std::pair<std::string, std::string>>& fields)>
      audit;
};

struct IssuerBatch;  // a batch on its way through the issuer (issuer.cc)

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
                                         std::string_view spki_der);

  // Parses the CSR (PEM or DER), checks its signature (proof of possession) and key,
  // then issues for its key. The CSR's subject is ignored: the profile decides it.
  Result<IssuedCertificate> IssueFromCsr(const IssueRequest& request, std::string_view csr);

  // Several certificates at once, each checked and issued exactly as by the calls above,
  // one result per item in order; items succeed or fail independently. What is shared is
  // the store's work: the intents are recorded in one call, and the certificates stored
  // in one, after every signature (on SQLite one transaction each and one sync for all;
  // docs/issuance-cycle.md). Every answer therefore waits for the whole batch.
  //
  // With `defer_sync` the certificates are stored but not yet synced
  // (store::CertificateWriter::MarkIssuedAll): the caller must call Flush, and see it
  // succeed, before it hands any of them out.
  struct KeyItem {
    const IssueRequest* request;
    EVP_PKEY* public_key;       // possession established by the caller
    std::string_view spki_der;  // its SubjectPublicKeyInfo as received, DER
  };
  std::vector<Result<IssuedCertificate>> IssueBatch(std::span<const KeyItem> items,
                                                    bool defer_sync = false);
  struct CsrItem {
    IssueRequest request;
    std::string_view csr;
  };
  std::vector<Result<IssuedCertificate>> IssueFromCsrs(std::span<const CsrItem> items,
                                                       bool defer_sync = false);
  // Makes every certificate stored so far durable (after a deferred sync).
  Status Flush() { return store_.Flush(); }

  // Batches one after another, each overlapping the next (ca::IssueQueue): Add prepares a
  // batch and records its intents in the same store call that stores the certificates the
  // previous Add signed (one transaction on SQLite instead of two), hands the previous
  // batch's results to `stored`, then signs the new batch; Finish stores what the last Add
  // signed and returns its results. Certificates are stored with the sync deferred: the
  // caller must Flush, and see it succeed, before it hands any of them out. One thread at
  // a time.
  class Pipeline {
   public:
    explicit Pipeline(Issuer& issuer);
    ~Pipeline();
    Pipeline(const Pipeline&) = delete;
    Pipeline& operator=(const Pipeline&) = delete;

    using Stored = std::function<void(std::vector<Result<IssuedCertificate>>)>;
    void Add(std::span<const CsrItem> items, const Stored& stored);
    std::vector<Result<IssuedCertificate>> Finish();
    // A batch is signed and waits for Add or Finish to store it.
    bool holding() const { return held_ != nullptr; }

   private:
    Issuer& issuer_;
    std::unique_ptr<IssuerBatch> held_;
  };

  X509* issuer_cert() const { return issuer_cert_.get(); }
  const IssuerOptions& options() const { return options_; }

 private:
  struct Draft;  // one certificate on its way (issuer.cc)
  friend struct IssuerBatch;
  Status ValidateRequest(const IssueRequest& request) const;
  // The steps of a batch (issuer.cc): parse the CSRs; then (Issue) prepare and draw every
  // item, record the intents (storing `previous`'s certificates too, when given), sign,
  // store, and fill the results once stored.
  std::unique_ptr<IssuerBatch> ParseCsrs(std::span<const CsrItem> items) const;
  std::vector<Result<IssuedCertificate>> Issue(IssuerBatch& b, bool defer_sync);
  void PrepareAll(IssuerBatch& b) const;
  void Record(IssuerBatch& b, IssuerBatch* previous);
  void Sign(IssuerBatch& b);
  void Store(IssuerBatch& b, bool defer_sync);
  void Finished(IssuerBatch& b, std::vector<Status> stored);
  // The signed certificates of `b`, as the store takes them.
  static std::vector<store::CertificateWriter::IssuedDer> ToStore(const IssuerBatch& b);
  // Step 1 for one item: fills the draft's program and spec.
  Status Prepare(const KeyItem& item, Instant now, Draft& draft) const;
  // Steps 2–4 but the store: draws serial and Common Name, builds and lints the TBS,
  // fills the intent record.
  Status Draw(const KeyItem& item, Instant now, Draft& draft) const;
  void Audit(std::string_view event, const store::CertificateRecord& record) const;

  IssuerOptions options_;
  crypto::X509Ptr issuer_cert_;
  // Read once from the issuer's certificate and the signer; an error here fails every
  // issuance with it.
  Result<IssuerFacts> issuer_facts_;
  Result<std::string> sig_alg_;  // the AlgorithmIdentifier of the signatures, DER
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
