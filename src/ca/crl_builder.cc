#include "ca/crl_builder.h"

#include <openssl/x509v3.h>
#include <sys/mman.h>

#include <cstdint>
#include <utility>

#include "crl/der.h"
#include "crypto/ossl.h"

namespace claimsca::ca {
namespace {

// Extension OIDs with their tag and length: id-ce 2.5.29.x.
constexpr std::string_view kOidReasonCode("\x06\x03\x55\x1d\x15", 5);
constexpr std::string_view kOidInvalidityDate("\x06\x03\x55\x1d\x18", 5);
constexpr std::string_view kOidCrlNumber("\x06\x03\x55\x1d\x14", 5);
constexpr std::string_view kOidAuthorityKeyId("\x06\x03\x55\x1d\x23", 5);
// Extension { issuingDistributionPoint (2.5.29.28), critical TRUE, OCTET STRING {
// IssuingDistributionPoint ::= SEQUENCE { onlyContainsCACerts [2] IMPLICIT BOOLEAN TRUE } } }
constexpr std::string_view kIdpOnlyCaCerts(
    "\x30\x0f\x06\x03\x55\x1d\x1c\x01\x01\xff\x04\x05\x30\x03\x82\x01\xff", 17);

constexpr std::string_view kOidIdp("\x06\x03\x55\x1d\x1c", 5);

// Extension ::= SEQUENCE { extnID, critical DEFAULT FALSE (omitted), extnValue OCTET STRING }
std::string Extension(std::string_view oid_tlv, std::string_view value_der) {
  std::string body(oid_tlv);
  der::AppendTlv(body, der::kOctetString, value_der);
  return der::Tlv(der::kSequence, body);
}

// Largest entry: SEQ hdr 2 + INTEGER 2+21 + Time 17 + extensions SEQ 2 + reason 12 + invalidity
// 26; every length stays below 128.
constexpr size_t kMaxEntrySize = 96;

// Asks for transparent huge pages on the 2 MiB-aligned part of a large buffer that is about
// to be written (THP is "madvise" on Debian's kernels). Where a page fault is expensive
// (11-15 us per 4 KiB page on a paravirtualised machine), a CRL of 100,000 entries (3.6 MB)
// pays ~900 faults without it and two with it. Advice only: nothing changes if refused.
void AdviseHugePages(char* data, size_t capacity) {
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  const auto begin = reinterpret_cast<uintptr_t>(data);
  const uintptr_t first = (begin + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t last = (begin + capacity) & ~(kHuge - 1);
  if (last > first) (void)madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
}

}  // namespace

std::string ShardIdpExtension(std::string_view url) {
  // IssuingDistributionPoint ::= SEQUENCE { distributionPoint [0] DistributionPointName
  //   (a CHOICE: explicit), fullName [0] IMPLICIT GeneralNames { [6] IMPLICIT IA5String },
  //   onlyContainsUserCerts [1] IMPLICIT BOOLEAN TRUE }
  std::string idp = der::Tlv(0xa0, der::Tlv(0xa0, der::Tlv(0x86, url)));
  idp.append("\x81\x01\xff", 3);
  std::string body(kOidIdp);
  body.append("\x01\x01\xff", 3);  // critical TRUE
  der::AppendTlv(body, der::kOctetString, der::Tlv(der::kSequence, idp));
  return der::Tlv(der::kSequence, body);
}

Result<CrlBuilder> CrlBuilder::Create(X509* issuer, const crypto::Signer& signer,
                                      int64_t crl_number, Instant this_update, Instant next_update,
                                      size_t expected_entries, CrlScope scope,
                                      std::string_view idp_url) {
  if (issuer == nullptr) return InvalidArgument("CRL: no issuer certificate");
  if ((scope == CrlScope::kDistributionPoint) != !idp_url.empty()) {
    return InvalidArgument("CRL: a distribution point URL goes with (only) a CRL shard");
  }
  if (crl_number <= 0) return InvalidArgument("CRL: crlNumber must be positive");
  if (!der::TimeInRange(this_update) || !der::TimeInRange(next_update) ||
      next_update <= this_update) {
    return InvalidArgument("CRL: thisUpdate/nextUpdate out of range or not increasing");
  }
  EVP_PKEY* issuer_key = X509_get0_pubkey(issuer);
  if (issuer_key == nullptr) return crypto::OpensslError("CRL: issuer public key");
  // 1 equal, 0/-1 different (value or type); -2 cannot compare (e.g. some tokens): allowed.
  int eq = EVP_PKEY_eq(issuer_key, signer.key());
  if (eq == 0 || eq == -1) {
    return FailedPrecondition("CRL: signer key is not the issuer certificate's key");
  }
  const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(issuer);
  if (ski == nullptr || ASN1_STRING_length(ski) <= 0) {
    return FailedPrecondition("CRL: issuer certificate has no SubjectKeyIdentifier");
  }

  CrlBuilder b;
  b.signer_ = &signer;
  ASSIGN_OR_RETURN(b.sig_alg_, signer.SignatureAlgorithmDer());
  unsigned char* name_der = nullptr;
  int name_len = i2d_X509_NAME(X509_get_subject_name(issuer), &name_der);
  if (name_len <= 0) return crypto::OpensslError("CRL: i2d_X509_NAME");
  b.issuer_name_.assign(reinterpret_cast<char*>(name_der), static_cast<size_t>(name_len));
  OPENSSL_free(name_der);

  // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING }
  std::string aki =
      der::Tlv(0x80, std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(ski)),
                                      static_cast<size_t>(ASN1_STRING_length(ski))));
  std::string exts = Extension(kOidAuthorityKeyId, der::Tlv(der::kSequence, aki));
  exts +=
      Extension(kOidCrlNumber, der::Tlv(der::kInteger, der::IntegerContent(uint64_t(crl_number))));
  if (scope == CrlScope::kCaCertificates) exts += kIdpOnlyCaCerts;
  if (scope == CrlScope::kDistributionPoint) exts += ShardIdpExtension(idp_url);
  b.extensions_ = der::Tlv(0xa0, der::Tlv(der::kSequence, exts));

  b.this_update_ = this_update;
  b.next_update_ = next_update;
  // Outer SEQ, TBS SEQ, version, signature, issuer, two Times, revokedCertificates SEQ.
  b.headroom_ = 3 * der::kMaxHeaderSize + 3 + b.sig_alg_.size() + b.issuer_name_.size() +
                2 * der::kMaxTimeSize;
  b.buf_.reserve(b.headroom_ + expected_entries * 64 + 64);
  AdviseHugePages(b.buf_.data(), b.buf_.capacity());
  b.buf_.resize(b.headroom_);
  return b;
}

Status CrlBuilder::Add(std::string_view serial_hex, Instant revoked_at, int reason,
                       std::optional<Instant> invalidity_date) {
  if (finished_) return FailedPrecondition("CRL builder already finished");
  char serial[21];
  size_t serial_len = der::SerialContentFromHex(serial_hex, serial);
  if (serial_len == 0) {
    return InvalidArgument("CRL: bad serial \"" + std::string(serial_hex.substr(0, 64)) + "\"");
  }
  if (!der::TimeInRange(revoked_at) || (invalidity_date && !der::TimeInRange(*invalidity_date))) {
    return InvalidArgument("CRL: revocation or invalidity date out of range");
  }
  if (reason < 0 || reason > 10 || reason == 7) reason = 0;

  char e[kMaxEntrySize];
  size_t n = 2;  // SEQUENCE header written last; all lengths < 128
  e[n++] = der::kInteger;
  e[n++] = static_cast<char>(serial_len);
  for (size_t i = 0; i < serial_len; ++i) e[n++] = serial[i];
  n += der::WriteTime(e + n, revoked_at);
  if (reason != 0 || invalidity_date) {
    size_t exts_at = n;
    n += 2;
    if (reason != 0) {
      // SEQ { OID reasonCode, OCTET STRING { ENUMERATED reason } }
      e[n++] = der::kSequence;
      e[n++] = 0x0a;
      for (char c : kOidReasonCode) e[n++] = c;
      const char value[] = {der::kOctetString, 0x03, der::kEnumerated, 0x01,
                            static_cast<char>(reason)};
      for (char c : value) e[n++] = c;
    }
    if (invalidity_date) {
      // SEQ { OID invalidityDate, OCTET STRING { GeneralizedTime } }
      size_t ext_at = n;
      n += 2;
      for (char c : kOidInvalidityDate) e[n++] = c;
      e[n++] = der::kOctetString;
      e[n++] = 17;
      n += der::WriteTime(e + n, *invalidity_date, /*generalized=*/true);
      e[ext_at] = der::kSequence;
      e[ext_at + 1] = static_cast<char>(n - ext_at - 2);
    }
    e[exts_at] = der::kSequence;
    e[exts_at + 1] = static_cast<char>(n - exts_at - 2);
  }
  e[0] = der::kSequence;
  e[1] = static_cast<char>(n - 2);
  buf_.append(e, n);
  ++count_;
  return Status::Ok();
}

Result<std::string> CrlBuilder::Finish() {
  if (finished_) return FailedPrecondition("CRL builder already finished");
  finished_ = true;
  const size_t entries_len = buf_.size() - headroom_;
  buf_ += extensions_;

  // Write the TBSCertList prefix backwards into the headroom, ending where entries start.
  char* base = buf_.data();
  size_t p = headroom_;
  auto prepend = [&](std::string_view bytes) {
    p -= bytes.size();
    std::copy(bytes.begin(), bytes.end(), base + p);
  };
  auto prepend_header = [&](uint8_t tag, size_t len) {
    char h[der::kMaxHeaderSize];
    prepend(std::string_view(h, der::WriteHeader(h, tag, len)));
  };
  if (count_ > 0) prepend_header(der::kSequence, entries_len);
  char t[der::kMaxTimeSize];
  prepend(std::string_view(t, der::WriteTime(t, next_update_)));
  prepend(std::string_view(t, der::WriteTime(t, this_update_)));
  prepend(issuer_name_);
  prepend(sig_alg_);
  prepend(std::string_view("\x02\x01\x01", 3));  // version v2
  prepend_header(der::kSequence, buf_.size() - p);
  const size_t tbs_start = p;

  ASSIGN_OR_RETURN(std::string sig,
                   signer_->SignSha256(std::string_view(base + tbs_start, buf_.size() - p)));
  buf_ += sig_alg_;
  der::AppendHeader(buf_, der::kBitString, sig.size() + 1);
  buf_.push_back('\0');  // no unused bits
  buf_ += sig;
  base = buf_.data();  // appending may have reallocated
  size_t total = buf_.size() - tbs_start;
  char h[der::kMaxHeaderSize];
  size_t hn = der::WriteHeader(h, der::kSequence, total);
  p = tbs_start - hn;
  std::copy(h, h + hn, base + p);
  buf_.erase(0, p);
  return std::move(buf_);
}

Result<std::string> BuildCrl(const CrlInput& in) {
  if (in.signer == nullptr) return InvalidArgument("CRL: no signer");
  ASSIGN_OR_RETURN(CrlBuilder b,
                   CrlBuilder::Create(in.issuer, *in.signer, in.crl_number, in.this_update,
                                      in.next_update, in.entries.size()));
  for (const CrlEntry& e : in.entries) RETURN_IF_ERROR(b.Add(e));
  return b.Finish();
}

}  // namespace claimsca::ca
