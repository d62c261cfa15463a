#pragma once

// Hand-written DER encoding of OCSP responses (RFC 6960 §4.2.1). The responder decides the
// statuses; this only serializes and signs. Thread-safe (no state).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "crypto/signer.h"

namespace claimsca::ocsp {

// OCSPResponseStatus values.
enum class ResponseStatus {
  kSuccessful = 0,
  kMalformedRequest = 1,
  kInternalError = 2,
  kTryLater = 3,
  kUnauthorized = 6,
};

// The complete DER OCSPResponse for a non-successful status (no responseBytes).
std::string ErrorResponse(ResponseStatus status);

enum class CertStatusKind { kGood, kRevoked, kUnknown };

// What a SingleResponse says about one certificate. Equality decides whether a cached
// response still says the truth.
struct StatusKey {
  CertStatusKind kind = CertStatusKind::kUnknown;
  Instant revoked_at{};
  int reason = -1;  // CRLReason; emitted only when revoked and > 0 (0 = unspecified)
  bool operator==(const StatusKey&) const = default;
};

struct SingleResponse {
  std::string_view cert_id_der;  // the request's CertID, echoed byte for byte
  StatusKey status;
};

struct ResponseParams {
  std::string_view responder_key_hash;   // SHA-1 of the responder's public key (byKey)
  std::string_view responder_cert_der;   // included in certs
  std::string_view signature_algorithm;  // AlgorithmIdentifier DER of signer
  Instant produced_at{};                 // also thisUpdate
  Instant next_update{};
  std::optional<std::string_view> nonce;  // extnValue octets of the request nonce
};

// Encodes and signs a successful response (BasicOCSPResponse) with `signer` (SHA-256).
Result<std::string> EncodeSuccessfulResponse(const ResponseParams& params,
                                             const std::vector<SingleResponse>& singles,
                                             const crypto::Signer& signer);

}  // namespace claimsca::ocsp
