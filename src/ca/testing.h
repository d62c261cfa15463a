#pragma once

// Test support: a real CA hierarchy in memory, with keys held by a plain in-process signer.

#include <openssl/x509.h>

#include <memory>
#include <string>

#include "ca/hierarchy.h"
#include "crypto/keys.h"
#include "crypto/memory_signer.h"

namespace claimsca::ca::testing {

using crypto::MemorySigner;

struct TestHierarchy {
  std::unique_ptr<MemorySigner> root_signer, issuing_signer, ocsp_signer, cmp_signer;
  crypto::X509Ptr root, issuing, ocsp, cmp;
};

// Root → issuing → OCSP responder and CMP signer, all keys of `alg`, valid from `now`
// (the CMP signer for `cmp_days`).
inline TestHierarchy MakeTestHierarchy(Instant now,
                                       crypto::KeyAlgorithm alg = crypto::KeyAlgorithm::kEcP256,
                                       int cmp_days = 400) {
  TestHierarchy h;
  HierarchySpec spec;
  spec.organization = "claimsca test";
  spec.root_name = "Test Root";
  spec.issuing_name = "Test Issuing";
  spec.ocsp_name = "Test OCSP";
  spec.cmp_name = "Test CMP";
  spec.cmp_days = cmp_days;
  h.root_signer = std::make_unique<MemorySigner>(std::move(crypto::GenerateKey(alg).value()));
  h.issuing_signer = std::make_unique<MemorySigner>(std::move(crypto::GenerateKey(alg).value()));
  h.ocsp_signer = std::make_unique<MemorySigner>(std::move(crypto::GenerateKey(alg).value()));
  h.root = std::move(MakeRootCert(spec, *h.root_signer, now).value());
  h.issuing = std::move(
      MakeIssuingCert(spec, h.root.get(), *h.root_signer, h.issuing_signer->key(), now).value());
  h.ocsp = std::move(
      MakeOcspCert(spec, h.issuing.get(), *h.issuing_signer, h.ocsp_signer->key(), now).value());
  h.cmp_signer = std::make_unique<MemorySigner>(std::move(crypto::GenerateKey(alg).value()));
  h.cmp = std::move(
      MakeCmpCert(spec, h.issuing.get(), *h.issuing_signer, h.cmp_signer->key(), now).value());
  return h;
}

// A CSR (DER) for `key`, signed by it with SHA-256; its subject is empty (the profile
// decides every field).
inline std::string MakeCsrDer(EVP_PKEY* key) {
  crypto::X509ReqPtr req(X509_REQ_new());
  X509_REQ_set_pubkey(req.get(), key);
  X509_REQ_sign(req.get(), key, EVP_sha256());
  unsigned char* der = nullptr;
  int n = i2d_X509_REQ(req.get(), &der);
  std::string out(reinterpret_cast<char*>(der), n);
  OPENSSL_free(der);
  return out;
}

}  // namespace claimsca::ca::testing
