#include "ocsp/encoder.h"

#include "crl/der.h"

namespace claimsca::ocsp {
namespace {

// 1.3.6.1.5.5.7.48.1.1 id-pkix-ocsp-basic and 1.3.6.1.5.5.7.48.1.2 id-pkix-ocsp-nonce.
constexpr std::string_view kOidOcspBasic("\x06\x09\x2b\x06\x01\x05\x05\x07\x30\x01\x01", 11);
constexpr std::string_view kOidOcspNonce("\x06\x09\x2b\x06\x01\x05\x05\x07\x30\x01\x02", 11);

void AppendSingle(std::string& out, const SingleResponse& s, Instant this_update,
                  Instant next_update) {
  std::string body;
  body.reserve(s.cert_id_der.size() + 64);
  body.append(s.cert_id_der);
  switch (s.status.kind) {
    case CertStatusKind::kGood:
      body.append("\x80\x00", 2);  // good [0] IMPLICIT NULL
      break;
    case CertStatusKind::kUnknown:
      body.append("\x82\x00", 2);  // unknown [2] IMPLICIT NULL
      break;
    case CertStatusKind::kRevoked: {
      // revoked [1] IMPLICIT RevokedInfo { revocationTime, revocationReason [0] EXPLICIT }
      std::string info;
      der::AppendTime(info, s.status.revoked_at, /*generalized=*/true);
      int r = s.status.reason;
      if (r > 0 && r <= 10 && r != 7) {
        const char reason[] = {'\xa0', 0x03, der::kEnumerated, 0x01, static_cast<char>(r)};
        info.append(reason, sizeof reason);
      }
      der::AppendTlv(body, 0xa1, info);
      break;
    }
  }
  der::AppendTime(body, this_update, /*generalized=*/true);
  std::string next;
  der::AppendTime(next, next_update, /*generalized=*/true);
  der::AppendTlv(body, 0xa0, next);
  der::AppendTlv(out, der::kSequence, body);
}

}  // namespace

std::string ErrorResponse(ResponseStatus status) {
  const char der[] = {der::kSequence, 0x03, der::kEnumerated, 0x01, static_cast<char>(status)};
  return std::string(der, sizeof der);
}

Result<std::string> EncodeSuccessfulResponse(const ResponseParams& p,
                                             const std::vector<SingleResponse>& singles,
                                             const crypto::Signer& signer) {
  if (!der::TimeInRange(p.produced_at) || !der::TimeInRange(p.next_update)) {
    return Internal("OCSP: producedAt/nextUpdate out of range");
  }
  for (const SingleResponse& s : singles) {
    if (s.status.kind == CertStatusKind::kRevoked && !der::TimeInRange(s.status.revoked_at)) {
      return Internal("OCSP: revocation time out of range");
    }
  }
  // ResponseData (version v1 is the DEFAULT and therefore omitted).
  std::string rd;
  rd.reserve(128 + singles.size() * 128);
  std::string rid = der::Tlv(der::kOctetString, p.responder_key_hash);
  der::AppendTlv(rd, 0xa2, rid);  // responderID byKey [2] EXPLICIT KeyHash
  der::AppendTime(rd, p.produced_at, /*generalized=*/true);
  std::string responses;
  for (const SingleResponse& s : singles) AppendSingle(responses, s, p.produced_at, p.next_update);
  der::AppendTlv(rd, der::kSequence, responses);
  if (p.nonce) {
    std::string ext(kOidOcspNonce);
    der::AppendTlv(ext, der::kOctetString, *p.nonce);
    // responseExtensions [1] EXPLICIT Extensions
    der::AppendTlv(rd, 0xa1, der::Tlv(der::kSequence, der::Tlv(der::kSequence, ext)));
  }
  std::string tbs = der::Tlv(der::kSequence, rd);
  ASSIGN_OR_RETURN(std::string sig, signer.SignSha256(tbs));

  std::string basic = std::move(tbs);
  basic.reserve(basic.size() + p.signature_algorithm.size() + sig.size() +
                p.responder_cert_der.size() + 32);
  basic.append(p.signature_algorithm);
  der::AppendHeader(basic, der::kBitString, sig.size() + 1);
  basic.push_back('\0');
  basic.append(sig);
  // certs [0] EXPLICIT SEQUENCE OF Certificate
  der::AppendHeader(basic, 0xa0,
                    der::HeaderSize(p.responder_cert_der.size()) + p.responder_cert_der.size());
  der::AppendTlv(basic, der::kSequence, p.responder_cert_der);
  basic = der::Tlv(der::kSequence, basic);

  // ResponseBytes { responseType id-pkix-ocsp-basic, response OCTET STRING }
  std::string rb(kOidOcspBasic);
  der::AppendTlv(rb, der::kOctetString, basic);
  std::string out("\x0a\x01\x00", 3);  // responseStatus successful
  der::AppendTlv(out, 0xa0, der::Tlv(der::kSequence, rb));
  return der::Tlv(der::kSequence, out);
}

}  // namespace claimsca::ocsp
