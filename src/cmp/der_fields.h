#pragma once

// The few fields of CMP and CRMF structures that OpenSSL 3.0 decodes but does not expose
// (3.2 added getters): the PKIHeader's sender, senderKID and senderNonce, the certificate
// template's public key, and the CRLReason of a revocation request. Read with a bounds-checked DER
// walk; anything malformed is InvalidArgument.

#include <openssl/crmf.h>

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace claimsca::cmp {

struct HeaderFields {
  std::string sender_name_der;  // DER of the sender's Name when it is a directoryName
  std::string sender_kid;       // senderKID octets; empty when absent
  std::string sender_nonce;     // senderNonce octets; empty when absent
};

// From the DER of a whole PKIMessage.
Result<HeaderFields> ReadHeaderFields(std::string_view pki_message_der);

// The SubjectPublicKeyInfo DER of the request's certTemplate; InvalidArgument when absent.
Result<std::string> TemplatePublicKeyDer(const OSSL_CRMF_MSG* crm);

// The CRLReason (RFC 5280 §5.3.1) in the crlEntryDetails of a revocation request (rr):
// the DER of a whole PKIMessage whose body is rr with exactly one RevDetails. nullopt when
// the RevDetails has no crlEntryDetails or no reasonCode extension; InvalidArgument when
// the message is not such an rr or the reasonCode is malformed.
Result<std::optional<int>> ReadRevocationReason(std::string_view pki_message_der);

}  // namespace claimsca::cmp
