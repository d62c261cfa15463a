#include "crl/testing/test_pki.h"

#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace claimsca::testing {
namespace {

void Check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(crypto::OpensslError(what).ToString());
}

void AddExt(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  crypto::X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  Check(ext != nullptr && X509_add_ext(cert, ext.get(), -1) == 1, "add extension");
}

crypto::X509Ptr NewCert(std::string_view cn, std::string_view serial_hex, Instant nb, Instant na,
                        EVP_PKEY* key) {
  crypto::X509Ptr cert(X509_new());
  Check(cert != nullptr && X509_set_version(cert.get(), X509_VERSION_3) == 1, "X509_new");
  BIGNUM* bn = nullptr;
  Check(BN_hex2bn(&bn, std::string(serial_hex).c_str()) > 0, "BN_hex2bn");
  crypto::BignumPtr bn_owner(bn);
  Check(BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get())) != nullptr, "serial");
  crypto::X509NamePtr name(X509_NAME_new());
  Check(name && X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_UTF8,
                                           reinterpret_cast<const unsigned char*>(cn.data()),
                                           static_cast<int>(cn.size()), -1, 0) == 1,
        "name");
  Check(X509_set_subject_name(cert.get(), name.get()) == 1, "subject");
  Check(ASN1_TIME_set(X509_getm_notBefore(cert.get()), nb.time_since_epoch().count()) &&
            ASN1_TIME_set(X509_getm_notAfter(cert.get()), na.time_since_epoch().count()),
        "validity");
  Check(X509_set_pubkey(cert.get(), key) == 1, "pubkey");
  return cert;
}

}  // namespace

crypto::EvpPkeyPtr NewEcKey() {
  crypto::EvpPkeyPtr key(EVP_EC_gen("P-256"));
  Check(key != nullptr, "EVP_EC_gen");
  return key;
}

crypto::EvpPkeyPtr NewRsaKey() {
  crypto::EvpPkeyPtr key(EVP_RSA_gen(2048));
  Check(key != nullptr, "EVP_RSA_gen");
  return key;
}

crypto::X509Ptr MakeCa(std::string_view cn, EVP_PKEY* key, Instant now) {
  crypto::X509Ptr cert =
      NewCert(cn, "01", now - std::chrono::hours(24), now + std::chrono::days(3650), key);
  Check(X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())) == 1, "issuer");
  AddExt(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  AddExt(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  AddExt(cert.get(), cert.get(), NID_subject_key_identifier, "hash");
  Check(X509_sign(cert.get(), key, EVP_sha256()) > 0, "X509_sign");
  return cert;
}

crypto::X509Ptr MakeCert(X509* ca, EVP_PKEY* ca_key, EVP_PKEY* subject_key, std::string_view cn,
                         std::string_view serial_hex, Instant not_before, Instant not_after,
                         bool ocsp_responder) {
  crypto::X509Ptr cert = NewCert(cn, serial_hex, not_before, not_after, subject_key);
  Check(X509_set_issuer_name(cert.get(), X509_get_subject_name(ca)) == 1, "issuer");
  AddExt(cert.get(), ca, NID_basic_constraints, "critical,CA:FALSE");
  AddExt(cert.get(), ca, NID_subject_key_identifier, "hash");
  AddExt(cert.get(), ca, NID_authority_key_identifier, "keyid");
  if (ocsp_responder) {
    AddExt(cert.get(), ca, NID_key_usage, "critical,digitalSignature");
    AddExt(cert.get(), ca, NID_ext_key_usage, "OCSPSigning");
    AddExt(cert.get(), ca, NID_id_pkix_OCSP_noCheck, "ignored");
  }
  Check(X509_sign(cert.get(), ca_key, EVP_sha256()) > 0, "X509_sign");
  return cert;
}

std::string CertDer(X509* cert) {
  auto der = crypto::CertToDer(cert);
  if (!der.ok()) throw std::runtime_error(der.status().ToString());
  return *der;
}

std::string CertPem(X509* cert) {
  auto pem = crypto::CertToPem(cert);
  if (!pem.ok()) throw std::runtime_error(pem.status().ToString());
  return *pem;
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/claimsca-test-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::Write(std::string_view name, std::string_view content) const {
  std::string full = path_ + "/" + std::string(name);
  std::ofstream f(full, std::ios::binary);
  f.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!f) throw std::runtime_error("cannot write " + full);
  return full;
}

CommandResult Run(const std::string& command) {
  CommandResult r;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  int st = pclose(p);
  r.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

}  // namespace claimsca::testing
