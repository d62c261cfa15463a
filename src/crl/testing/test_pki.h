#pragma once

// Test-only helpers shared by the CRL and OCSP tests: throwaway keys and certificates, an
// in-memory Signer, temporary files and running the openssl CLI. Not for production use.

#include <openssl/x509.h>

#include <string>
#include <string_view>

#include "common/clock.h"
#include "crypto/memory_signer.h"
#include "crypto/ossl.h"

namespace claimsca::testing {

// A Signer over an in-memory key (owned).
using KeySigner = crypto::MemorySigner;

crypto::EvpPkeyPtr NewEcKey();   // P-256
crypto::EvpPkeyPtr NewRsaKey();  // 2048 bits

// Self-signed CA certificate "CN=<cn>" with SKI, basicConstraints CA, keyUsage certSign|cRLSign.
crypto::X509Ptr MakeCa(std::string_view cn, EVP_PKEY* key, Instant now);
// A certificate issued by `ca` (signed with `ca_key`). `ocsp_responder` adds
// extendedKeyUsage id-kp-OCSPSigning and id-pkix-ocsp-nocheck.
crypto::X509Ptr MakeCert(X509* ca, EVP_PKEY* ca_key, EVP_PKEY* subject_key, std::string_view cn,
                         std::string_view serial_hex, Instant not_before, Instant not_after,
                         bool ocsp_responder = false);

std::string CertDer(X509* cert);
std::string CertPem(X509* cert);

// A fresh empty directory under $TMPDIR, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  // Writes `content` to path()/name and returns the full path.
  std::string Write(std::string_view name, std::string_view content) const;

 private:
  std::string path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};
// Runs `command` through /bin/sh (2>&1 appended).
CommandResult Run(const std::string& command);

}  // namespace claimsca::testing
