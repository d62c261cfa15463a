#pragma once

// The CA material inside a data directory (docs/operations.md):
//   claimsca.toml                 configuration
//   ca/root.pem, ca/<issuer>.pem, ca/ocsp.pem, ca/cmp.pem   certificates
//   ca/root.crl                   the root's ARL (docs/revocation.md)
//   keys/*.key.pem                encrypted private keys (file signer only)
//   secrets/                      passwords and PINs (mode 0600), the API token hash
//   tls/server.pem, tls/server.key  demo TLS server certificate for the HTTPS listeners
//   claimsca.db                   the SQLite database (default)

#include <memory>
#include <string>
#include <vector>

#include "ca/hierarchy.h"
#include "ca/program.h"
#include "cmd/config.h"
#include "common/clock.h"
#include "crypto/ossl.h"
#include "crypto/signer.h"

namespace claimsca::cmd {

// The issuing CA of a program that has one of its own ([programs.<id>] issuer_id other
// than [ca] issuer_id; docs/certificate-profile.md): ca/<issuer_id>.pem and its key
// "<issuer_id>", and its delegated OCSP responder ca/ocsp-<issuer_id>.pem, key
// "ocsp-<issuer_id>" (RFC 6960 §4.2.2.2: a responder answers for the CA that issued it).
struct ProgramIssuingCa {
  std::string program;
  std::string issuer_id;
  crypto::X509Ptr cert;
  crypto::X509Ptr ocsp;
  std::unique_ptr<crypto::Signer> signer;       // null unless CaNeeds::issuing_signer
  std::unique_ptr<crypto::Signer> ocsp_signer;  // null unless CaNeeds::ocsp_signer
};

struct CaMaterial {
  crypto::X509Ptr root;
  crypto::X509Ptr issuing;
  crypto::X509Ptr ocsp;
  crypto::X509Ptr cmp;  // null unless CaNeeds::cmp_signer and ca/cmp.pem exists
  std::unique_ptr<crypto::Signer> issuing_signer;
  std::unique_ptr<crypto::Signer> ocsp_signer;
  std::unique_ptr<crypto::Signer> cmp_signer;
  // The programs' own issuing CAs, in the order of the configuration's programs.
  std::vector<ProgramIssuingCa> program_issuing;
};

// The programs of `config` that have an issuing CA of their own (see ProgramIssuingCa).
std::vector<const ca::ProgramProfile*> ProgramsWithOwnIssuer(const Config& config);

// Opens the signer of "root", the issuing CA (config.issuer_id), "ocsp" or "cmp".
Result<std::unique_ptr<crypto::Signer>> OpenSigner(const Config& config, const std::string& name);
// Creates the key `name` (config.key_algorithm) in the configured back end and opens its
// signer. Conflict when it exists.
Result<std::unique_ptr<crypto::Signer>> CreateKey(const Config& config, const std::string& name);

// Which signers a command needs: opening one decrypts its key (PBKDF2, ~0.15 s) or logs
// in to the token, so commands open only what they use.
struct CaNeeds {
  bool issuing_signer = true;
  bool ocsp_signer = true;
  // The CMP signer (certificate and key), loaded when ca/cmp.pem exists; only `serve`
  // answers CMP. A data directory made before it existed has none: EnsureCmpSigner.
  bool cmp_signer = false;
};

// Loads the certificates and the online signers named by `needs` (others stay null).
Result<CaMaterial> LoadCa(const Config& config, CaNeeds needs = {});

// The delegated OCSP certificate lives 400 days: when fewer than `margin` remain at
// `now`, a new one is issued for the same key (signed by the issuing CA), saved in
// ca/ocsp.pem and swapped into `ca`; the same for each program issuing CA's responder
// (ca/ocsp-<issuer_id>.pem). Returns whether it renewed any.
Result<bool> RenewOcspCertIfDue(const Config& config, CaMaterial& ca, Instant now,
                                std::chrono::days margin = std::chrono::days(30));

// The CMP signer (docs/renewal-and-cmp.md): when `ca` has none (a data directory made by
// an older `init`), creates its key ("cmp", in the configured back end; an existing key
// left by an interrupted creation is reused) and certificate (ca/cmp.pem, signed by the
// issuing CA), under a lock file so that two processes starting together make one. Else
// renews the certificate for the same key when fewer than `margin` remain, like the OCSP
// certificate. Needs the issuing CA's signer. Returns whether it created or renewed.
Result<bool> EnsureCmpSigner(const Config& config, CaMaterial& ca, Instant now,
                             std::chrono::days margin = std::chrono::days(30));

// The CA hierarchy's names and URLs from the configuration.
ca::HierarchySpec HierarchySpecFor(const Config& config);
// The same for a program's own issuing CA: its name (program.issuing_name) and that of its
// OCSP responder ("… Issuing CA …" → "… OCSP Responder …").
ca::HierarchySpec ProgramHierarchySpec(const Config& config, const ca::ProgramProfile& program);

// Makes the issuing CA of `program` (program.issuer_id): its key and certificate, signed by
// the root, and its OCSP responder's key and certificate (see ProgramIssuingCa). Conflict
// when ca/<issuer_id>.pem exists already; an existing key is refused by the back end.
// Used by `init` and by `claimsca ca add-issuing` (docs/operations.md).
Status MakeProgramIssuingCa(const Config& config, const ca::ProgramProfile& program, X509* root,
                            const crypto::Signer& root_signer, Instant now);

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
// Writes `content` as dir/name and its digest line as dir/digest_name (both atomic), creating
// dir; returns dir/name. For the payment and offset files that another system takes.
Result<std::string> WriteFileWithDigest(const std::string& dir, const std::string& name,
                                        std::string_view content, const std::string& digest_name,
                                        std::string_view digest_content);
// Reads a secret file and strips one trailing newline.
Result<std::string> ReadSecret(const std::string& path);

}  // namespace claimsca::cmd
