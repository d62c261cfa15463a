#include "crypto/csr.h"

#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

#include <cstring>

namespace claimsca::crypto {
namespace {

constexpr std::string_view kWhitespace = " \t\r\n";

Status BadCsr(std::string message) { return Status(Code::kBadCsr, std::move(message)); }

std::string_view Trim(std::string_view s) {
  size_t first = s.find_first_not_of(kWhitespace);
  if (first == std::string_view::npos) return {};
  size_t last = s.find_last_not_of(kWhitespace);
  return s.substr(first, last - first + 1);
}

// Decodes the single PEM block that makes up `pem` (already trimmed).
Result<std::string> PemToDer(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return OpensslError("BIO_new_mem_buf");
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long len = 0;
  if (PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1) {
    return OpensslError("CSR PEM does not parse", Code::kBadCsr);
  }
  std::string label(name), headers(header);
  std::string der(reinterpret_cast<char*>(data), static_cast<size_t>(len));
  OPENSSL_free(name);
  OPENSSL_free(header);
  OPENSSL_free(data);
  if (label != "CERTIFICATE REQUEST" && label != "NEW CERTIFICATE REQUEST") {
    return BadCsr("expected a CERTIFICATE REQUEST PEM block, found " + label.substr(0, 40));
  }
  if (!headers.empty()) return BadCsr("CSR PEM block must not have headers");
  char rest[256];
  int n;
  while ((n = BIO_read(bio.get(), rest, sizeof rest)) > 0) {
    if (!Trim(std::string_view(rest, static_cast<size_t>(n))).empty()) {
      return BadCsr("trailing data after the CSR PEM block");
    }
  }
  return der;
}

std::string SubjectText(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) return "";
  if (X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0) {
    return "";
  }
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : "";
}

Status CheckSignatureAlgorithm(const X509_REQ* req) {
  int md_nid = NID_undef, pk_nid = NID_undef;
  int sig_nid = X509_REQ_get_signature_nid(req);
  if (!OBJ_find_sigid_algs(sig_nid, &md_nid, &pk_nid)) {
    const char* sn = OBJ_nid2sn(sig_nid);
    return BadCsr(std::string("unsupported CSR signature algorithm ") + (sn ? sn : "?"));
  }
  if (md_nid == NID_md5 || md_nid == NID_md4 || md_nid == NID_md2) {
    return BadCsr("CSR is signed with a broken digest (" + std::string(OBJ_nid2sn(md_nid)) +
                  "); use SHA-256 or stronger");
  }
  return Status::Ok();
}

}  // namespace

Result<ParsedCsr> ParseCsr(std::string_view input) {
  if (input.size() > kMaxCsrSize) {
    return BadCsr("CSR is larger than " + std::to_string(kMaxCsrSize) + " bytes");
  }
  std::string_view trimmed = Trim(input);
  if (trimmed.empty()) return BadCsr("CSR is empty");
  std::string der;
  if (trimmed.starts_with("-----BEGIN ")) {
    ASSIGN_OR_RETURN(der, PemToDer(trimmed));
  } else if (static_cast<unsigned char>(input[0]) == 0x30) {
    der.assign(input);
  } else {
    return BadCsr("CSR is neither PEM (-----BEGIN CERTIFICATE REQUEST-----) nor DER");
  }

  const auto* begin = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* p = begin;
  X509ReqPtr req(d2i_X509_REQ(nullptr, &p, static_cast<long>(der.size())));
  if (!req) return OpensslError("CSR does not parse as PKCS#10", Code::kBadCsr);
  if (p != begin + der.size()) return BadCsr("trailing data after the CSR");
  if (X509_REQ_get_version(req.get()) != X509_REQ_VERSION_1) {
    return BadCsr("CSR version must be 1 (encoded 0)");
  }

  EvpPkeyPtr key(X509_REQ_get_pubkey(req.get()));
  if (!key) return OpensslError("CSR public key does not decode", Code::kBadCsr);
  auto algorithm = KeyAlgorithmOf(key.get());
  if (!algorithm.ok()) return BadCsr("CSR key: " + algorithm.status().message());
  EvpPkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!check) return OpensslError("EVP_PKEY_CTX_new_from_pkey");
  // The quick check (on-curve point, sane RSA modulus) suffices: P-256/P-384 have cofactor
  // 1, and the full check's scalar multiplication would cost more than the signature check.
  if (EVP_PKEY_public_check_quick(check.get()) != 1) {
    return OpensslError("CSR public key is invalid", Code::kBadCsr);
  }

  RETURN_IF_ERROR(CheckSignatureAlgorithm(req.get()));
  int verified = X509_REQ_verify(req.get(), key.get());
  if (verified != 1) {
    return OpensslError("CSR signature does not verify (proof of possession failed)",
                        Code::kBadCsr);
  }

  ParsedCsr out{std::move(req), std::move(key), *algorithm, ""};
  out.subject_text = SubjectText(X509_REQ_get_subject_name(out.req.get()));
  return out;
}

}  // namespace claimsca::crypto
