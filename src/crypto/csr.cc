#include "crypto/csr.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

#include <cstring>
#include <optional>

#include "crypto/der.h"

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

// ------------------------------------------------------------------ the fast path
//
// A strict DER reader for the usual shape of a PKCS#10 request (RFC 2986):
//
//   CertificationRequest ::= SEQUENCE {
//     certificationRequestInfo SEQUENCE {
//       version INTEGER (0), subject Name, subjectPKInfo SubjectPublicKeyInfo,
//       attributes [0] IMPLICIT SET OF Attribute (OpenSSL tolerates its absence) },
//     signatureAlgorithm AlgorithmIdentifier, signature BIT STRING }
//
// It handles RSA (rsaEncryption, NULL parameters) and EC P-256/P-384 (named curve,
// uncompressed point) keys signed with SHA-256/384/512. Anything else, and every input it
// cannot accept, goes to OpenSSL's general path, which then accepts or rejects it with its
// precise message; the fast path only ever accepts a request the general path accepts too
// (csr_test.cc checks that on random mutations).

using Der = der::Span;
using der::Next;
using der::PositiveInteger;
using der::ValidOid;

bool OidIs(Der oid, std::string_view encoded) { return oid.view() == encoded; }

// Digests fetched once: the per-call implicit fetch of OpenSSL 3.0 takes locks.
const EVP_MD* Sha2(int bits) {
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  static EVP_MD* const sha384 = EVP_MD_fetch(nullptr, "SHA2-384", nullptr);
  static EVP_MD* const sha512 = EVP_MD_fetch(nullptr, "SHA2-512", nullptr);
  return bits == 256 ? sha256 : bits == 384 ? sha384 : sha512;
}

// An RSA public key from its parameters. One EVP_PKEY_CTX per thread: creating one looks
// the key management up by name, under locks.
EvpPkeyPtr RsaFromData(OSSL_PARAM* params) {
  thread_local EvpPkeyCtxPtr rsa_ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY_CTX* ctx = rsa_ctx.get();
  EVP_PKEY* key = nullptr;
  if (ctx == nullptr || EVP_PKEY_fromdata_init(ctx) != 1 ||
      EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    ERR_clear_error();
    return nullptr;
  }
  return EvpPkeyPtr(key);
}

// RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
EvpPkeyPtr RsaKey(Der bits) {
  Der seq, n, e;
  if (!Next(bits, 0x30, &seq) || !bits.empty() || !Next(seq, 0x02, &n) || !Next(seq, 0x02, &e) ||
      !seq.empty()) {
    return nullptr;
  }
  n = PositiveInteger(n);
  e = PositiveInteger(e);
  if (n.empty() || e.empty() || n.n > 1024 || e.n > 64) return nullptr;
  // OSSL_PARAM BIGNUMs are unsigned integers in native byte order.
  unsigned char n_native[1024], e_native[64];
  for (size_t i = 0; i < n.n; ++i) n_native[i] = n.p[n.n - 1 - i];
  for (size_t i = 0; i < e.n; ++i) e_native[i] = e.p[e.n - 1 - i];
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "native byte order is reversed DER");
  OSSL_PARAM params[] = {OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_RSA_N, n_native, n.n),
                         OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_RSA_E, e_native, e.n),
                         OSSL_PARAM_construct_end()};
  return RsaFromData(params);
}

// Domain parameters only (no key), one per curve, made once: copying them into a new key is
// cheaper than EVP_PKEY_fromdata with a group name, which builds the curve for every key.
EVP_PKEY* CurveTemplate(bool p384) {
  auto make = [](const char* name) -> EVP_PKEY* {
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(name), 0),
        OSSL_PARAM_construct_end()};
    EVP_PKEY* key = nullptr;
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_KEY_PARAMETERS, params) != 1) {
      ERR_clear_error();
      return nullptr;
    }
    return key;
  };
  static EVP_PKEY* const p256 = make("P-256");
  static EVP_PKEY* const p384_params = make("P-384");
  return p384 ? p384_params : p256;
}

// An uncompressed point on P-256 or P-384. Setting it checks that the coordinates are below
// the field prime and that the point is on the curve (what the quick public check of the
// general path checks; the uncompressed form excludes the point at infinity).
EvpPkeyPtr EcKey(Der point, bool p384) {
  if (point.n != (p384 ? 97u : 65u) || point.p[0] != 0x04) return nullptr;
  EVP_PKEY* curve = CurveTemplate(p384);
  EvpPkeyPtr key(EVP_PKEY_new());
  if (curve == nullptr || !key || EVP_PKEY_copy_parameters(key.get(), curve) != 1 ||
      EVP_PKEY_set1_encoded_public_key(key.get(), point.p, point.n) != 1) {
    ERR_clear_error();
    return nullptr;
  }
  return key;
}

bool Verify(EVP_PKEY* key, const EVP_MD* md, Der signed_data, Der signature) {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  bool ok =
      ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key) == 1 &&
      EVP_DigestVerify(ctx.get(), signature.p, signature.n, signed_data.p, signed_data.n) == 1;
  if (!ok) ERR_clear_error();
  return ok;
}

// Attribute ::= SEQUENCE { type OBJECT IDENTIFIER, values SET OF ANY }. Values of the
// string types OpenSSL stores unchecked, or constructed (stored as raw bytes, e.g. the
// extensionRequest), are accepted; anything else goes to the general path.
bool AttributesOk(Der attributes) {
  while (!attributes.empty()) {
    Der attribute, oid, values, value;
    if (!Next(attributes, 0x30, &attribute) || !Next(attribute, 0x06, &oid) || !ValidOid(oid) ||
        !Next(attribute, 0x31, &values) || !attribute.empty()) {
      return false;
    }
    while (!values.empty()) {
      unsigned char tag = 0;
      if (!der::NextAny(values, &tag, &value)) return false;
      if (tag != 0x30 && tag != 0x31 && tag != 0x0c && tag != 0x13 && tag != 0x16) return false;
    }
  }
  return true;
}

}  // namespace

namespace internal {

std::optional<ParsedCsr> ParseCsrDerFast(std::string_view der) {
  Der in{reinterpret_cast<const unsigned char*>(der.data()), der.size()};
  Der csr, info, info_whole, sig_alg, signature;
  if (!Next(in, 0x30, &csr) || !in.empty() || !Next(csr, 0x30, &info, &info_whole) ||
      !Next(csr, 0x30, &sig_alg) || !Next(csr, 0x03, &signature) || !csr.empty()) {
    return std::nullopt;
  }
  Der version, subject, subject_whole, spki, spki_whole;
  if (!Next(info, 0x02, &version) || version.n != 1 || version.p[0] != 0 ||
      !Next(info, 0x30, &subject, &subject_whole) || !Next(info, 0x30, &spki, &spki_whole)) {
    return std::nullopt;
  }
  if (!info.empty()) {
    Der attributes;
    if (!Next(info, 0xa0, &attributes) || !info.empty() || !AttributesOk(attributes)) {
      return std::nullopt;
    }
  }

  // SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, BIT STRING }
  Der key_alg, key_bits, key_oid;
  if (!Next(spki, 0x30, &key_alg) || !Next(spki, 0x03, &key_bits) || !spki.empty() ||
      key_bits.empty() || key_bits.p[0] != 0 || !Next(key_alg, 0x06, &key_oid)) {
    return std::nullopt;
  }
  key_bits = Der{key_bits.p + 1, key_bits.n - 1};
  ParsedCsr out;
  bool rsa = OidIs(key_oid, der::kRsaEncryption);
  if (rsa) {
    if (key_alg.view() != der::kNull) return std::nullopt;
    out.public_key = RsaKey(key_bits);
  } else if (OidIs(key_oid, der::kEcPublicKey)) {
    Der curve;
    if (!Next(key_alg, 0x06, &curve) || !key_alg.empty()) return std::nullopt;
    bool p384 = OidIs(curve, der::kP384);
    if (!p384 && !OidIs(curve, der::kP256)) return std::nullopt;
    out.public_key = EcKey(key_bits, p384);
    out.algorithm = p384 ? KeyAlgorithm::kEcP384 : KeyAlgorithm::kEcP256;
  }
  if (!out.public_key) return std::nullopt;
  if (rsa) {
    // The checks of the general path: size and exponent, then OpenSSL's public key check.
    auto algorithm = KeyAlgorithmOf(out.public_key.get());
    if (!algorithm.ok()) return std::nullopt;
    out.algorithm = *algorithm;
    EvpPkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, out.public_key.get(), nullptr));
    if (!check || EVP_PKEY_public_check_quick(check.get()) != 1) {
      ERR_clear_error();
      return std::nullopt;
    }
  }

  // signatureAlgorithm: SHA-2 with the key's type; RSA with NULL parameters, ECDSA without.
  Der sig_oid;
  if (!Next(sig_alg, 0x06, &sig_oid)) return std::nullopt;
  int md_bits = 0;
  if (rsa && sig_alg.view() == der::kNull) {
    md_bits = OidIs(sig_oid, der::kSha256WithRsa)   ? 256
              : OidIs(sig_oid, der::kSha384WithRsa) ? 384
              : OidIs(sig_oid, der::kSha512WithRsa) ? 512
                                                    : 0;
  } else if (!rsa && sig_alg.empty()) {
    md_bits = OidIs(sig_oid, der::kEcdsaSha256)   ? 256
              : OidIs(sig_oid, der::kEcdsaSha384) ? 384
              : OidIs(sig_oid, der::kEcdsaSha512) ? 512
                                                  : 0;
  }
  if (md_bits == 0 || signature.empty() || signature.p[0] != 0) return std::nullopt;
  const EVP_MD* md = Sha2(md_bits);
  if (md == nullptr ||
      !Verify(out.public_key.get(), md, info_whole, Der{signature.p + 1, signature.n - 1})) {
    return std::nullopt;
  }

  // The subject is ignored by the profile but must decode as OpenSSL decodes it.
  const unsigned char* p = subject_whole.p;
  X509NamePtr name(d2i_X509_NAME(nullptr, &p, static_cast<long>(subject_whole.n)));
  if (!name || p != subject_whole.p + subject_whole.n) {
    ERR_clear_error();
    return std::nullopt;
  }
  out.subject_text = claimsca::crypto::SubjectText(name.get());

  // The SubjectPublicKeyInfo for the certificate: the request's bytes, checked above to be
  // DER of the one shape OpenSSL would encode for this key.
  out.spki_der.assign(spki_whole.view());
  return out;
}

Result<ParsedCsr> ParseCsrDerGeneral(std::string_view der) {
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

  ParsedCsr out;
  out.public_key = std::move(key);
  out.algorithm = *algorithm;
  out.subject_text = SubjectText(X509_REQ_get_subject_name(req.get()));
  unsigned char* spki = nullptr;
  int spki_len = i2d_X509_PUBKEY(X509_REQ_get_X509_PUBKEY(req.get()), &spki);
  if (spki_len <= 0) return OpensslError("encoding the CSR's public key info");
  out.spki_der.assign(reinterpret_cast<char*>(spki), static_cast<size_t>(spki_len));
  OPENSSL_free(spki);
  return out;
}

}  // namespace internal

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
  if (auto fast = internal::ParseCsrDerFast(der)) return std::move(*fast);
  return internal::ParseCsrDerGeneral(der);
}

}  // namespace claimsca::crypto
