#include "cmp/der_fields.h"

#include <openssl/asn1.h>

#include <vector>

namespace claimsca::cmp {
namespace {

// One TLV: its class/tag, whether constructed, the whole encoding and the content.
struct Tlv {
  int tag = 0;
  int cls = 0;
  bool constructed = false;
  std::string_view whole;
  std::string_view content;
};

// The TLVs directly inside `content`, in order.
Result<std::vector<Tlv>> Children(std::string_view content) {
  std::vector<Tlv> out;
  const auto* p = reinterpret_cast<const unsigned char*>(content.data());
  const auto* end = p + content.size();
  while (p < end) {
    const unsigned char* start = p;
    long len = 0;
    int tag = 0, cls = 0;
    const int r = ASN1_get_object(&p, &len, &tag, &cls, end - p);
    if ((r & 0x80) != 0 || r == 0x21 /* indefinite length */ || len < 0 || len > end - p) {
      return InvalidArgument("malformed DER");
    }
    Tlv t;
    t.tag = tag;
    t.cls = cls;
    t.constructed = (r & V_ASN1_CONSTRUCTED) != 0;
    t.content = std::string_view(reinterpret_cast<const char*>(p), static_cast<size_t>(len));
    p += len;
    t.whole =
        std::string_view(reinterpret_cast<const char*>(start), static_cast<size_t>(p - start));
    out.push_back(t);
  }
  return out;
}

// A universal `tag` as DER has it: SEQUENCE constructed, the others primitive.
bool Is(const Tlv& t, int tag) {
  return t.cls == V_ASN1_UNIVERSAL && t.tag == tag && t.constructed == (tag == V_ASN1_SEQUENCE);
}

Result<Tlv> Single(std::string_view der) {
  ASSIGN_OR_RETURN(std::vector<Tlv> all, Children(der));
  if (all.size() != 1) return InvalidArgument("malformed DER: trailing bytes");
  return all[0];
}

}  // namespace

Result<HeaderFields> ReadHeaderFields(std::string_view der) {
  ASSIGN_OR_RETURN(Tlv msg, Single(der));
  if (!Is(msg, V_ASN1_SEQUENCE)) return InvalidArgument("not a PKIMessage");
  ASSIGN_OR_RETURN(std::vector<Tlv> parts, Children(msg.content));
  if (parts.empty() || !Is(parts[0], V_ASN1_SEQUENCE)) return InvalidArgument("no PKIHeader");
  ASSIGN_OR_RETURN(std::vector<Tlv> header, Children(parts[0].content));
  // pvno, sender, recipient, then [0] messageTime, [1] protectionAlg, [2] senderKID, ...
  if (header.size() < 3) return InvalidArgument("PKIHeader too short");
  HeaderFields f;
  const Tlv& sender = header[1];
  if (sender.cls == V_ASN1_CONTEXT_SPECIFIC && sender.tag == 4) {  // directoryName [4] Name
    ASSIGN_OR_RETURN(Tlv name, Single(sender.content));
    f.sender_name_der = std::string(name.whole);
  }
  for (size_t i = 3; i < header.size(); ++i) {
    if (header[i].cls != V_ASN1_CONTEXT_SPECIFIC) continue;
    // [2] senderKID, [5] senderNonce: EXPLICIT OCTET STRINGs.
    std::string* field = header[i].tag == 2   ? &f.sender_kid
                         : header[i].tag == 5 ? &f.sender_nonce
                                              : nullptr;
    if (field == nullptr) continue;
    ASSIGN_OR_RETURN(Tlv octets, Single(header[i].content));
    if (!Is(octets, V_ASN1_OCTET_STRING)) {
      return InvalidArgument(header[i].tag == 2 ? "senderKID is not an OCTET STRING"
                                                : "senderNonce is not an OCTET STRING");
    }
    *field = std::string(octets.content);
  }
  return f;
}

Result<std::string> TemplatePublicKeyDer(const OSSL_CRMF_MSG* crm) {
  OSSL_CRMF_CERTTEMPLATE* tmpl = OSSL_CRMF_MSG_get0_tmpl(crm);
  if (tmpl == nullptr) return InvalidArgument("certReq has no certTemplate");
  unsigned char* buf = nullptr;
  const int n = i2d_OSSL_CRMF_CERTTEMPLATE(tmpl, &buf);
  if (n <= 0) return InvalidArgument("certTemplate does not encode");
  std::string der(reinterpret_cast<char*>(buf), static_cast<size_t>(n));
  OPENSSL_free(buf);
  ASSIGN_OR_RETURN(Tlv t, Single(der));
  ASSIGN_OR_RETURN(std::vector<Tlv> fields, Children(t.content));
  for (const Tlv& f : fields) {
    // publicKey [6] IMPLICIT SubjectPublicKeyInfo (CRMF uses implicit tags): the content
    // is the SPKI's; give it back its SEQUENCE header.
    if (f.cls == V_ASN1_CONTEXT_SPECIFIC && f.tag == 6 && f.constructed) {
      std::string spki = std::string(f.whole);
      spki[0] = static_cast<char>(V_ASN1_SEQUENCE | V_ASN1_CONSTRUCTED);
      return spki;
    }
  }
  return InvalidArgument("certTemplate has no publicKey");
}

Result<std::optional<int>> ReadRevocationReason(std::string_view der) {
  ASSIGN_OR_RETURN(Tlv msg, Single(der));
  if (!Is(msg, V_ASN1_SEQUENCE)) return InvalidArgument("not a PKIMessage");
  ASSIGN_OR_RETURN(std::vector<Tlv> parts, Children(msg.content));
  // PKIBody is an explicitly tagged CHOICE: rr [11] RevReqContent.
  if (parts.size() < 2 || parts[1].cls != V_ASN1_CONTEXT_SPECIFIC || parts[1].tag != 11) {
    return InvalidArgument("not a revocation request");
  }
  ASSIGN_OR_RETURN(Tlv content, Single(parts[1].content));  // RevReqContent: SEQUENCE OF
  if (!Is(content, V_ASN1_SEQUENCE)) return InvalidArgument("RevReqContent is not a SEQUENCE");
  ASSIGN_OR_RETURN(std::vector<Tlv> details, Children(content.content));
  if (details.size() != 1 || !Is(details[0], V_ASN1_SEQUENCE)) {
    return InvalidArgument("a revocation request must hold exactly one RevDetails");
  }
  // RevDetails ::= SEQUENCE { certDetails CertTemplate, crlEntryDetails Extensions OPTIONAL }
  ASSIGN_OR_RETURN(std::vector<Tlv> fields, Children(details[0].content));
  if (fields.empty() || fields.size() > 2) return InvalidArgument("malformed RevDetails");
  if (fields.size() == 1) return std::optional<int>();
  if (!Is(fields[1], V_ASN1_SEQUENCE)) {
    return InvalidArgument("crlEntryDetails is not a SEQUENCE of extensions");
  }
  ASSIGN_OR_RETURN(std::vector<Tlv> extensions, Children(fields[1].content));
  static constexpr std::string_view kReasonCodeOid("\x55\x1d\x15", 3);  // 2.5.29.21
  std::optional<int> reason;
  for (const Tlv& ext : extensions) {
    // Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
    ASSIGN_OR_RETURN(std::vector<Tlv> e, Children(ext.content));
    if (!Is(ext, V_ASN1_SEQUENCE) || e.size() < 2 || e.size() > 3 || !Is(e[0], V_ASN1_OBJECT) ||
        !Is(e.back(), V_ASN1_OCTET_STRING) || (e.size() == 3 && !Is(e[1], V_ASN1_BOOLEAN))) {
      return InvalidArgument("malformed crlEntryDetails extension");
    }
    if (e[0].content != kReasonCodeOid) continue;
    if (reason.has_value()) return InvalidArgument("reasonCode given twice");
    // CRLReason ::= ENUMERATED, DER inside the OCTET STRING: one content octet (0..10).
    ASSIGN_OR_RETURN(Tlv value, Single(e.back().content));
    if (!Is(value, V_ASN1_ENUMERATED) || value.content.size() != 1 ||
        static_cast<unsigned char>(value.content[0]) > 10) {
      return InvalidArgument("malformed reasonCode");
    }
    reason = static_cast<unsigned char>(value.content[0]);
  }
  return reason;
}

}  // namespace claimsca::cmp
