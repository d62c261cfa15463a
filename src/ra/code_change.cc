// The re-issue on the real code (code_change.h; docs/newinst.md, "Certificates on the real
// code"): which certificates are corrections, and the supersession of the corrected one.

#include "ra/code_change.h"

#include <openssl/objects.h>
#include <openssl/x509.h>

#include <nlohmann/json.hpp>

#include "crypto/ossl.h"
#include "ra/ra_internal.h"
#include "ra/registration_authority.h"

namespace claimsca::ra {
namespace {

constexpr int kReasonSuperseded = 4;

}  // namespace

Result<std::string> SubjectCodeOf(std::string_view cert_der) {
  ASSIGN_OR_RETURN(crypto::X509Ptr x509, crypto::CertFromDer(cert_der));
  const X509_NAME* name = X509_get_subject_name(x509.get());
  const int i = X509_NAME_get_index_by_NID(name, NID_organizationalUnitName, -1);
  if (i < 0) return InvalidArgument("certificate subject has no OU");
  const ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<size_t>(ASN1_STRING_length(s)));
}

Result<bool> RegistrationAuthority::IsCodeCorrection(const store::ApplicationRecord& a,
                                                     std::string_view serial) {
  if (options_.code_change == nullptr) return false;
  ASSIGN_OR_RETURN(store::CertificateRecord cert, store_.GetCertificate(serial));
  ASSIGN_OR_RETURN(std::string code, SubjectCodeOf(cert.cert_der));
  if (code == a.institution_code) return false;
  return options_.code_change->Replaced(code, a.institution_code);
}

Status RegistrationAuthority::SupersedeCorrected(const store::ApplicationRecord& a,
                                                 std::string_view previous_serial,
                                                 std::string_view why) {
  ASSIGN_OR_RETURN(const bool corrected, IsCodeCorrection(a, previous_serial));
  if (!corrected) return Status::Ok();
  const Instant now = clock_.Now();
  Status s = store_.Revoke(previous_serial, now, kReasonSuperseded, std::nullopt);
  if (s.code() == Code::kConflict) return Status::Ok();  // already revoked
  RETURN_IF_ERROR(s);
  const store::AuditEvent ev{now, "system:newinst-supersede", "certificate.revoke",
                             std::string(previous_serial),
                             internal::Dump({{"reason", kReasonSuperseded},
                                             {"request_id", a.request_id},
                                             {"replaced_by", a.serial},
                                             {"why", std::string(why)}})};
  return Logged(ev, store_.AppendAudit(ev));
}

}  // namespace claimsca::ra
