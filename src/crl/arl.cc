#include "crl/arl.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <ctime>
#include <memory>

#include "crypto/ossl.h"

namespace claimsca::crl {
namespace {

Result<Instant> InstantOf(const ASN1_TIME* t) {
  struct tm tm {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return InvalidArgument("ARL: unreadable time");
  return Instant(std::chrono::seconds(timegm(&tm)));
}

template <typename T, void (*Free)(T*)>
std::unique_ptr<T, crypto::Deleter<Free>> Own(void* p) {
  return std::unique_ptr<T, crypto::Deleter<Free>>(static_cast<T*>(p));
}

Result<ca::CrlEntry> EntryOf(X509_REVOKED* r) {
  ca::CrlEntry e;
  e.serial_hex = crypto::SerialHex(X509_REVOKED_get0_serialNumber(r));
  ASSIGN_OR_RETURN(e.revoked_at, InstantOf(X509_REVOKED_get0_revocationDate(r)));
  auto reason = Own<ASN1_ENUMERATED, ASN1_ENUMERATED_free>(
      X509_REVOKED_get_ext_d2i(r, NID_crl_reason, nullptr, nullptr));
  if (reason != nullptr) e.reason = static_cast<int>(ASN1_ENUMERATED_get(reason.get()));
  auto invalidity = Own<ASN1_GENERALIZEDTIME, ASN1_GENERALIZEDTIME_free>(
      X509_REVOKED_get_ext_d2i(r, NID_invalidity_date, nullptr, nullptr));
  if (invalidity != nullptr) {
    ASSIGN_OR_RETURN(e.invalidity_date, InstantOf(invalidity.get()));
  }
  return e;
}

}  // namespace

Result<ArlContents> ReadArl(std::string_view der, X509* root) {
  if (root == nullptr) return InvalidArgument("ARL: no root certificate");
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  crypto::X509CrlPtr crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())));
  if (!crl || p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    ERR_clear_error();
    return InvalidArgument("ARL: not a DER CRL");
  }
  if (X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_subject_name(root)) != 0 ||
      X509_CRL_verify(crl.get(), X509_get0_pubkey(root)) != 1) {
    ERR_clear_error();
    return FailedPrecondition("ARL: not issued and signed by the root CA");
  }
  auto idp = Own<ISSUING_DIST_POINT, ISSUING_DIST_POINT_free>(
      X509_CRL_get_ext_d2i(crl.get(), NID_issuing_distribution_point, nullptr, nullptr));
  if (idp == nullptr || idp->onlyCA <= 0) {
    return FailedPrecondition("ARL: not scoped to CA certificates (onlyContainsCACerts)");
  }
  ArlContents out;
  auto number = Own<ASN1_INTEGER, ASN1_INTEGER_free>(
      X509_CRL_get_ext_d2i(crl.get(), NID_crl_number, nullptr, nullptr));
  if (number == nullptr || ASN1_INTEGER_get_int64(&out.crl_number, number.get()) != 1 ||
      out.crl_number <= 0) {
    ERR_clear_error();
    return FailedPrecondition("ARL: no usable CRL number");
  }
  ASSIGN_OR_RETURN(out.this_update, InstantOf(X509_CRL_get0_lastUpdate(crl.get())));
  ASSIGN_OR_RETURN(out.next_update, InstantOf(X509_CRL_get0_nextUpdate(crl.get())));
  STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl.get());
  for (int i = 0; i < sk_X509_REVOKED_num(revoked); ++i) {
    ASSIGN_OR_RETURN(ca::CrlEntry e, EntryOf(sk_X509_REVOKED_value(revoked, i)));
    out.entries.push_back(std::move(e));
  }
  return out;
}

Result<std::string> MakeArl(const ArlRequest& r) {
  if (r.root == nullptr || r.signer == nullptr) return InvalidArgument("ARL: no root or signer");
  if (r.validity <= std::chrono::seconds(0)) return InvalidArgument("ARL: validity must be > 0");
  std::vector<ca::CrlEntry> entries;
  if (r.previous != nullptr) entries = r.previous->entries;
  for (const ca::CrlEntry& e : r.revoke) {
    const bool listed = std::any_of(entries.begin(), entries.end(), [&](const ca::CrlEntry& x) {
      return x.serial_hex == e.serial_hex;
    });
    if (listed) return Conflict("ARL: serial " + e.serial_hex + " is already revoked");
    entries.push_back(e);
  }
  int64_t number =
      std::chrono::duration_cast<std::chrono::seconds>(r.now.time_since_epoch()).count();
  if (r.previous != nullptr) number = std::max(number, r.previous->crl_number + 1);
  ASSIGN_OR_RETURN(ca::CrlBuilder b,
                   ca::CrlBuilder::Create(r.root, *r.signer, number, r.now, r.now + r.validity,
                                          entries.size(), ca::CrlScope::kCaCertificates));
  for (const ca::CrlEntry& e : entries) RETURN_IF_ERROR(b.Add(e));
  return b.Finish();
}

Status CheckIssuedByRoot(X509* cert, X509* root) {
  if (cert == nullptr || root == nullptr) return InvalidArgument("no certificate");
  if (X509_cmp(cert, root) == 0) return InvalidArgument("the root does not revoke itself");
  if (X509_check_issued(root, cert) != X509_V_OK ||
      X509_verify(cert, X509_get0_pubkey(root)) != 1) {
    ERR_clear_error();
    return InvalidArgument("the certificate was not issued by this root CA");
  }
  if (X509_check_ca(cert) == 0) {
    return InvalidArgument("not a CA certificate: the ARL lists only CA certificates");
  }
  return Status::Ok();
}

}  // namespace claimsca::crl
