#pragma once

// OCSP responder (RFC 6960, shaped by the RFC 5019 lightweight profile).
//
// Respond() turns a DER OCSPRequest into a DER OCSPResponse and never throws:
//   malformedRequest  empty, oversized or unparsable input; no or too many CertIDs
//   unauthorized      a CertID names an issuer this responder does not serve (or a hash
//                     algorithm other than SHA-1/SHA-256)
//   tryLater          the store is unavailable; internalError for other failures
//   successful        one SingleResponse per CertID: good (issued, not revoked; also after
//                     expiry), revoked (revocationTime, and revocationReason unless
//                     unspecified), unknown (never issued, or only kIntent/kFailed: never
//                     handed to anyone)
// Responses are signed by the delegated responder certificate of the CertIDs' issuer
// (SHA-256; a request naming issuers with different responders is unauthorized), carry it in certs,
// identify it byKey, and have thisUpdate = producedAt = signing time, nextUpdate = thisUpdate
// + validity. A request nonce is echoed and such requests are always signed live.
//
// Freshness with several processes sharing one database: by default every request reads the
// current status from the store (one indexed point read); a cached response is served only
// if it was built for exactly that status and is younger than refresh_after. The cache is
// keyed by the exact request bytes (nonce-less requests are deterministic), so a hit costs
// no ASN.1 parsing. With options.status_cache (ocsp/status_cache.h; serve --read-only, by
// default every 100 ms: ocsp.read_only_status_cache_ms) the status comes from memory
// instead, and a revocation is answered at most one refresh interval (plus one epoch read)
// after the store this process reads shows it: a hit then costs no database round trip.
//
// Thread-safety: Respond() and counters() may be called from any number of threads. The
// store reader, signer and clock must outlive the responder and be thread-safe; the
// certificates are up-referenced (shared) at construction.

#include <openssl/x509.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "crypto/ossl.h"
#include "crypto/signer.h"
#include "ocsp/cache.h"
#include "ocsp/encoder.h"
#include "store/store.h"

namespace claimsca::ocsp {

class StatusCache;

struct OcspIssuer {
  std::string issuer_id;  // as in the store, e.g. "issuing-1"
  X509* cert = nullptr;   // up-referenced by the responder
  // The delegated responder that answers for this issuer (one per issuing CA, since a
  // delegated responder answers only for the CA that issued it); null: the responder
  // certificate and signer given to the constructor. The signer must outlive the responder.
  X509* responder_cert = nullptr;
  const crypto::Signer* responder_signer = nullptr;
};

// RFC 5019 §6.2 HTTP caching of a response that every client sending the same request may
// be given (successful, no nonce). The values are made once, when the response is signed,
// and shared by every answer that serves it from the cache.
struct HttpFreshness {
  Instant this_update{};
  Instant next_update{};
  std::string last_modified;  // thisUpdate (= producedAt), IMF-fixdate (RFC 9110 §5.6.7)
  std::string expires;        // nextUpdate, IMF-fixdate
  std::string etag;           // "<SHA-1 of the DER response, hex>", quoted (RFC 5019 §6.2)
};

struct OcspAnswer {
  std::string der;  // the DER OCSPResponse
  // Null when the answer must not be cached: errors, and requests with a nonce.
  std::shared_ptr<const HttpFreshness> freshness;
};

struct OcspResponderOptions {
  std::chrono::seconds validity{std::chrono::hours(24)};  // nextUpdate - thisUpdate
  // Re-sign a cached response older than this; default validity / 2.
  std::optional<std::chrono::seconds> refresh_after;
  size_t cache_capacity = 200'000;  // entries (each ~ request + response, ~2 KiB); 0 = off
  size_t max_cert_ids = 4;          // more CertIDs in one request: malformedRequest
  size_t max_request_size = 65'536;
  // Statuses read through this cache instead of the store (null: from the store on every
  // request). Must outlive the responder.
  StatusCache* status_cache = nullptr;
};

// Monotonic counters since construction (a snapshot). Status counters count CertIDs
// answered; malformed/unauthorized/errors count responses.
struct OcspCounters {
  uint64_t good = 0, revoked = 0, unknown = 0;
  uint64_t malformed = 0, unauthorized = 0, errors = 0;  // errors: tryLater/internalError
  uint64_t cache_hits = 0, cache_misses = 0, signatures = 0;
};

class OcspResponder {
 public:
  // Precomputes the CertID hashes of every issuer (SHA-1 and SHA-256). On a configuration
  // error init_status() says why and Respond() answers internalError; Create() returns the
  // error instead. Errors: FailedPrecondition if the responder certificate lacks
  // id-kp-OCSPSigning, was not issued by every listed issuer (RFC 6960 §4.2.2.2: a delegated
  // responder answers only for the CA that issued it), or does not hold the signer's key;
  // InvalidArgument for an empty issuer list or refresh_after outside (0, validity].
  OcspResponder(store::CertificateReader& certs, const std::vector<OcspIssuer>& issuers,
                X509* responder_cert, const crypto::Signer& responder_signer, const Clock& clock,
                OcspResponderOptions options = {});
  static Result<std::unique_ptr<OcspResponder>> Create(store::CertificateReader& certs,
                                                       const std::vector<OcspIssuer>& issuers,
                                                       X509* responder_cert,
                                                       const crypto::Signer& responder_signer,
                                                       const Clock& clock,
                                                       OcspResponderOptions options = {});
  ~OcspResponder();
  OcspResponder(const OcspResponder&) = delete;
  OcspResponder& operator=(const OcspResponder&) = delete;

  const Status& init_status() const { return init_status_; }

  // The DER OCSPResponse for a DER OCSPRequest, and how long HTTP caches may keep it.
  // Never throws.
  OcspAnswer Answer(std::string_view request_der) noexcept;
  // Answer(request_der).der.
  std::string Respond(std::string_view request_der) noexcept { return Answer(request_der).der; }

  OcspCounters counters() const;
  // options.status_cache (null: none).
  const StatusCache* status_cache() const { return options_.status_cache; }

 private:
  struct IssuerHashes;
  struct Delegate {  // one delegated responder: its certificate and signer
    crypto::X509Ptr cert;
    std::string cert_der;
    std::string key_hash;  // SHA-1 of its key bits (ResponderID byKey)
    std::string signature_algorithm;
    const crypto::Signer* signer = nullptr;
  };
  struct Query {  // one CertID of a request
    std::string cert_id_der;
    size_t issuer = 0;       // index into issuers_
    std::string serial_hex;  // empty: not a valid positive serial (always unknown)
  };
  struct Cached {
    std::vector<Query> queries;
    std::vector<StatusKey> statuses;
    Instant this_update{};
    std::string der;
    std::shared_ptr<const HttpFreshness> freshness;
  };
  struct Parsed {
    std::vector<Query> queries;
    std::optional<std::string> nonce;
  };

  Status Init(const std::vector<OcspIssuer>& issuers, X509* responder_cert);
  // Checks and adds a delegated responder; returns its index in delegates_.
  Result<size_t> AddDelegate(X509* cert, const crypto::Signer& signer);
  OcspAnswer AnswerOrThrow(std::string_view request_der);
  // A parse failure carries the response status to send.
  Result<Parsed> Parse(std::string_view request_der, ResponseStatus* failure) const;
  Result<std::vector<StatusKey>> ReadStatuses(const std::vector<Query>& queries);
  Result<std::string> Sign(const std::vector<Query>& queries,
                           const std::vector<StatusKey>& statuses, Instant now,
                           std::optional<std::string_view> nonce);
  OcspAnswer Fail(ResponseStatus status);
  // The cache entry for a response signed at `now` (its freshness included).
  std::shared_ptr<const Cached> Entry(std::vector<Query> queries, std::vector<StatusKey> statuses,
                                      Instant now, std::string der) const;
  void Count(const std::vector<StatusKey>& statuses);

  store::CertificateReader& certs_;
  const crypto::Signer& signer_;
  const Clock& clock_;
  const OcspResponderOptions options_;
  const std::chrono::seconds refresh_after_;
  std::vector<IssuerHashes> issuers_;
  std::vector<Delegate> delegates_;
  ShardedLruCache<Cached> cache_;
  Status init_status_;

  std::atomic<uint64_t> good_{0}, revoked_{0}, unknown_{0}, malformed_{0}, unauthorized_{0},
      errors_{0}, hits_{0}, misses_{0}, signatures_{0};
};

}  // namespace claimsca::ocsp
