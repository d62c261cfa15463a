#pragma once

// RAII handles for OpenSSL objects and error-queue draining. src/crypto and src/ca are the
// only places that include OpenSSL headers.

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace claimsca::crypto {

template <auto Fn>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    Fn(p);
  }
};

using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using X509ReqPtr = std::unique_ptr<X509_REQ, Deleter<X509_REQ_free>>;
using X509CrlPtr = std::unique_ptr<X509_CRL, Deleter<X509_CRL_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, Deleter<X509_NAME_free>>;
using X509ExtensionPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using Asn1IntegerPtr = std::unique_ptr<ASN1_INTEGER, Deleter<ASN1_INTEGER_free>>;
using Asn1TimePtr = std::unique_ptr<ASN1_TIME, Deleter<ASN1_TIME_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using OcspRequestPtr = std::unique_ptr<OCSP_REQUEST, Deleter<OCSP_REQUEST_free>>;
using OcspResponsePtr = std::unique_ptr<OCSP_RESPONSE, Deleter<OCSP_RESPONSE_free>>;
using OcspBasicRespPtr = std::unique_ptr<OCSP_BASICRESP, Deleter<OCSP_BASICRESP_free>>;
using OcspCertIdPtr = std::unique_ptr<OCSP_CERTID, Deleter<OCSP_CERTID_free>>;

// A Status of `code` whose message is `context` plus every entry of the thread's OpenSSL
// error queue (which is left empty).
Status OpensslError(std::string_view context, Code code = Code::kInternal);

// DER <-> object helpers. Results own their objects.
Result<std::string> CertToDer(const X509* cert);
Result<X509Ptr> CertFromDer(std::string_view der);
Result<std::string> CertToPem(const X509* cert);
// Standard base64 (RFC 4648 §4) with padding, on one line.
std::string Base64Encode(std::string_view bytes);

// PEM text of certificate DER without parsing it (base64 in 64-column lines).
std::string CertDerToPem(std::string_view der);
// Accepts one PEM certificate (the first in `pem`).
Result<X509Ptr> CertFromPem(std::string_view pem);

// Lowercase hex of bytes, and back.
std::string HexEncode(std::string_view bytes);
Result<std::string> HexDecode(std::string_view hex);
// SHA-256 of `data` as lowercase hex (as sha256sum prints it); empty if the digest fails,
// which does not happen with the default provider.
std::string Sha256Hex(std::string_view data);

// Serial numbers are stored as canonical lowercase hex: the big-endian magnitude without
// leading zero bytes ("0x00AB12" and "ab12" both become "ab12"). InvalidArgument for
// anything but hex digits (an optional "0x" prefix and ':' separators are accepted).
Result<std::string> CanonicalSerialHex(std::string_view text);
// Canonical hex of a positive ASN1_INTEGER.
std::string SerialHex(const ASN1_INTEGER* serial);

// SHA-1 / SHA-256 thumbprint of a DER blob, as uppercase hex with colons
// ("AB:CD:..."), the way Windows and `openssl x509 -fingerprint` show it.
std::string Thumbprint(std::string_view der, const EVP_MD* md);

}  // namespace claimsca::crypto
