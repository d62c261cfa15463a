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

Result<Tlv> Single(std::string_view der) {
  ASSIGN_OR_RETURN(std::vector<Tlv> all, Children(der));
  if (all.size() != 1) return InvalidArgument("malformed DER: trailing bytes");
  return all[0];
}

}  // namespace

Result<HeaderFields> ReadHeaderFields(std::string_view der) {
  ASSIGN_OR_RETURN(Tlv msg, Single(der));
  if (msg.tag != V_ASN1_SEQUENCE || !msg.constructed) return InvalidArgument("not a PKIMessage");
  ASSIGN_OR_RETURN(std::vector<Tlv> parts, Children(msg.content));
  if (parts.empty() || parts[0].tag != V_ASN1_SEQUENCE) return InvalidArgument("no PKIHeader");
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
    if (header[i].cls == V_ASN1_CONTEXT_SPECIFIC && header[i].tag == 2) {  // [2] EXPLICIT
      ASSIGN_OR_RETURN(Tlv kid, Single(header[i].content));
      if (kid.tag != V_ASN1_OCTET_STRING)
        return InvalidArgument("senderKID is not an OCTET STRING");
      f.sender_kid = std::string(kid.content);
    }
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

}  // namespace claimsca::cmp
