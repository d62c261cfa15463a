#pragma once

// The CA material inside a data directory (docs/operations.md):
//   claimsca.toml                 configuration
//   ca/root.pem, ca/<issuer>.pem, ca/ocsp.pem   certificates
//   keys/*.key.pem                encrypted private keys (file signer only)
//   secrets/                      passwords and PINs (mode 0600), the API token hash
//   tls/server.pem, tls/server.key  demo TLS server certificate for the HTTPS listeners
//   claimsca.db                   the SQLite database (default)

#include <memory>
#include <string>

#include "cmd/config.h"
#include "common/clock.h"
#include "crypto/ossl.h"
#include "crypto/signer.h"

namespace claimsca::cmd {

struct CaMaterial {
  crypto::X509Ptr root;
  crypto::X509Ptr issuing;
  crypto::X509Ptr ocsp;
  std::unique_ptr<crypto::Signer> issuing_signer;
  std::unique_ptr<crypto::Signer> ocsp_signer;
};

// Opens the signer of "root", the issuing CA (config.issuer_id) or "ocsp".
Result<std::unique_ptr<crypto::Signer>> OpenSigner(const Config& config, const std::string& name);

// Which signers a command needs: opening one decrypts its key (PBKDF2, ~0.15 s) or logs
// in to the token, so commands open only what they use.
struct CaNeeds {
  bool issuing_signer = true;
  bool ocsp_signer = true;
};

// Loads the certificates and the online signers named by `needs` (others stay null).
Result<CaMaterial> LoadCa(const Config& config, CaNeeds needs = {});

// The delegated OCSP certificate lives 400 days: when fewer than `margin` remain at
// `now`, a new one is issued for the same key (signed by the issuing CA), saved in
// ca/ocsp.pem and swapped into `ca`. Returns whether it renewed.
Result<bool> RenewOcspCertIfDue(const Config& config, CaMaterial& ca, Instant now,
                                std::chrono::days margin = std::chrono::days(30));

struct InitOptions {
  bool force = false;  // overwrite an existing data directory's configuration
};

// Creates the data directory: configuration, secrets, CA keys and hierarchy, demo TLS
// certificate, migrated database. Writes a one-time API token to `api_token_out`.
Status InitDataDir(const Config& config, const InitOptions& options, const Clock& clock,
                   std::string* api_token_out);

// File helpers: whole-file read, atomic write (temp + fsync + rename) with a mode.
Result<std::string> ReadFile(const std::string& path);
Status WriteFileAtomic(const std::string& path, std::string_view data, int mode = 0644);
// Reads a secret file and strips one trailing newline.
Result<std::string> ReadSecret(const std::string& path);

}  // namespace claimsca::cmd
