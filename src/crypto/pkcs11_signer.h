#pragma once

// A Signer whose private key stays inside a PKCS#11 token (HSM, smart card, SoftHSM2).
//
// Thread-safety: key(), SignSha256 and PublicKey may be called from several threads at once:
// libp11 (0.4.12+) takes a session from a per-slot pool, guarded by a mutex and a condition
// variable, for every private-key operation, and the module is initialised with
// CKF_OS_LOCKING_OK. Open/GenerateKeyInToken/InspectKeyInToken are not to be run concurrently
// with each other for the same module, and GenerateKeyInToken/InspectKeyInToken should not
// run while a Pkcs11Signer for the same module is being opened or destroyed: PKCS#11
// C_Initialize/C_Finalize are process-wide for a module.
// At most one Pkcs11Signer per module should be alive: destroying it finalises the module.

#include <memory>
#include <string>

#include "common/status.h"
#include "crypto/keys.h"
#include "crypto/ossl.h"
#include "crypto/signer.h"

namespace claimsca::crypto {

struct Pkcs11Options {
  std::string module_path;  // e.g. "/usr/lib/softhsm/libsofthsm2.so"
  std::string token_label;  // CKA_LABEL of the token (exact match, up to 32 bytes)
  std::string user_pin;     // secret: used for C_Login, never logged
  std::string key_label;    // CKA_LABEL of the private (and public) key object
};

// Protection attributes of a private key object, as the token reports them.
struct Pkcs11KeyProtection {
  bool sensitive = false;          // CKA_SENSITIVE
  bool extractable = true;         // CKA_EXTRACTABLE
  bool always_sensitive = false;   // CKA_ALWAYS_SENSITIVE (generated sensitive in the token)
  bool never_extractable = false;  // CKA_NEVER_EXTRACTABLE
  bool value_readable = true;      // whether the secret (CKA_PRIVATE_EXPONENT / CKA_VALUE)
                                   // could be read out; must be false
};

class Pkcs11Signer : public Signer {
 public:
  // Loads the module, finds the token by label, logs in as user, finds the private key by
  // label (exactly one) and wraps it as an EVP_PKEY whose operations run in the token.
  // Unavailable: module or token not found / not loadable. Unauthorized: login failed.
  // NotFound / Conflict: no key / several keys with that label. InvalidArgument: the key is
  // of an unsupported algorithm.
  static Result<std::unique_ptr<Pkcs11Signer>> Open(const Pkcs11Options& options);

  // Generates a key pair inside the token via C_GenerateKeyPair: private key CKA_TOKEN,
  // CKA_PRIVATE, CKA_SENSITIVE, !CKA_EXTRACTABLE, CKA_SIGN only (no decrypt/unwrap/derive);
  // public key CKA_VERIFY only; both with `key_label` and a random 16-byte CKA_ID. Supports
  // every KeyAlgorithm (RSA with e = 65537, EC P-256/P-384). Conflict if a private key with
  // that label already exists.
  static Status GenerateKeyInToken(const Pkcs11Options& options, KeyAlgorithm algorithm);

  // Reads the protection attributes of the private key `key_label` (for checks and tests).
  static Result<Pkcs11KeyProtection> InspectKeyInToken(const Pkcs11Options& options);

  ~Pkcs11Signer() override;
  Pkcs11Signer(const Pkcs11Signer&) = delete;
  Pkcs11Signer& operator=(const Pkcs11Signer&) = delete;

  EVP_PKEY* key() const override { return key_.get(); }
  KeyAlgorithm algorithm() const { return algorithm_; }
  // A software copy of the public key (SubjectPublicKeyInfo round trip), owned by the caller.
  Result<EvpPkeyPtr> PublicKey() const;
  std::string Describe() const override;

 private:
  struct Handles;  // libp11 context and slots; defined in pkcs11_signer.cc
  Pkcs11Signer(std::unique_ptr<Handles> handles, EvpPkeyPtr key, KeyAlgorithm algorithm,
               std::string description);

  std::unique_ptr<Handles> handles_;
  EvpPkeyPtr key_;  // references handles_; released first
  KeyAlgorithm algorithm_;
  std::string description_;
};

}  // namespace claimsca::crypto
