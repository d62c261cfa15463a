#pragma once

// One audit checkpoint (docs/audit.md): the audit chain's head (seq and hash) at an
// instant, signed by the CA's audit signer, a key the database cannot reach. Checkpoints
// are lines of an append-only file (checkpoint_log.h), each naming the SHA-256 of the line
// before it, so a line cannot be removed from the middle or edited without breaking a
// signature or a link.
//
// A line:  v1 seq=<n> head=<64 hex> at=<unix seconds> prev=<64 hex> key=<64 hex> sig=<hex>
// where key is the SHA-256 of the signer's SubjectPublicKeyInfo (DER) and sig the
// signature (RSA PKCS#1 v1.5 or ECDSA, SHA-256) over SignedText().

#include <openssl/evp.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "crypto/signer.h"

namespace claimsca::audit {

// prev of the first line of a file.
inline constexpr std::string_view kFirstPrev =
    "0000000000000000000000000000000000000000000000000000000000000000";

struct Checkpoint {
  int64_t seq = 0;   // the chain's newest row when signed (0: empty chain)
  std::string head;  // that row's hash (the genesis hash for an empty chain)
  Instant at{};      // when it was signed (the real clock, never a rehearsal's --at)
  std::string prev;  // SHA-256 hex of the previous line; kFirstPrev for the first
  std::string key;   // SHA-256 hex of the signer's public key (SPKI DER)
  std::string sig;   // signature, hex
};

// The bytes the signature covers.
std::string SignedText(const Checkpoint& c);

// SHA-256 hex of `key`'s SubjectPublicKeyInfo DER.
Result<std::string> KeyId(const EVP_PKEY* key);

// Fills key and sig of `c` with `signer`.
Status Sign(Checkpoint& c, const crypto::Signer& signer);

// Ok when `c` was signed by `public_key` and names it. Internal otherwise (tampering)
// ("signature does not verify", "signed by another key").
Status VerifySignature(const Checkpoint& c, EVP_PKEY* public_key);

// The line (without newline), and back. Parse checks the form only (InvalidArgument),
// not the signature.
std::string FormatLine(const Checkpoint& c);
Result<Checkpoint> ParseLine(std::string_view line);

}  // namespace claimsca::audit
