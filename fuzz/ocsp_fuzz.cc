// The OCSP responder (src/ocsp/responder.h) on arbitrary request bytes, over a real SQLite
// store holding a good (1001), a revoked (1002), an intent-only (1003) and a good (80ff)
// certificate of one issuing CA. The CA's key is fixed (below) so that the seed requests
// (fuzz/corpus/ocsp, made with `openssl ocsp -reqout` against fuzz/corpus/ocsp-ca.pem) name
// it. Invariants: every answer is one whole DER OCSPResponse; a successful one needs a
// request OpenSSL parses, verifies against the CA (the delegated responder certificate),
// has one SingleResponse per CertID, each with the store's status; the same request answered
// again at the same instant gives the same bytes (the cache, or a deterministic re-signing).

#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "check.h"
#include "common/time_util.h"
#include "crl/testing/test_pki.h"
#include "ocsp/responder.h"

namespace {

using namespace std::chrono_literals;
namespace testing = claimsca::testing;

// A throwaway P-256 key for this fuzz target only (fuzz/corpus/ocsp-ca.pem is its
// certificate as `openssl req -x509 -subj "/CN=Fuzz OCSP CA"` makes it).
constexpr char kCaKeyPem[] =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEIB8NZmhQ51vP4PlMqBoUo4Kbmn0xe54O6hObQZ5J647VoAoGCCqGSM49\n"
    "AwEHoUQDQgAEG3OAtL7W9awQiZM2/GZ3AZP9ZpdXR2oJYeFYEPKFEcozvlUT5XEn\n"
    "HRcw19RJR3aPBMi2U1bOR9AjP65lFjXEiQ==\n"
    "-----END EC PRIVATE KEY-----\n";

claimsca::crypto::EvpPkeyPtr FixedCaKey() {
  claimsca::crypto::BioPtr bio(BIO_new_mem_buf(kCaKeyPem, -1));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  FUZZ_CHECK(key != nullptr, "the fixed CA key reads");
  return claimsca::crypto::EvpPkeyPtr(key);
}

struct Fixture {
  testing::TempDir dir;
  claimsca::FixedClock clock{claimsca::ParseInstant("2026-05-01T00:00:00Z").value()};
  testing::KeySigner ca_signer{FixedCaKey()};
  testing::KeySigner responder_signer{testing::NewRsaKey()};
  std::unique_ptr<claimsca::store::Store> store;
  claimsca::crypto::X509Ptr ca, responder_cert;
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> trust{X509_STORE_new(), &X509_STORE_free};
  std::unique_ptr<claimsca::ocsp::OcspResponder> responder;
  std::map<std::string, int> status;  // serial hex → V_OCSP_CERTSTATUS_*

  Fixture() {
    store = claimsca::store::OpenStore("sqlite:" + dir.path() + "/ca.db").value();
    FUZZ_CHECK(store->Migrate().ok(), "store migrates");
    const claimsca::Instant now = clock.Now();
    ca = testing::MakeCa("Fuzz OCSP CA", ca_signer.key(), now - 24h);
    responder_cert = testing::MakeCert(ca.get(), ca_signer.key(), responder_signer.key(),
                                       "OCSP Responder", "7001", now - 1h, now + 24h * 1100, true);
    Add("1001", true, V_OCSP_CERTSTATUS_GOOD);
    Add("1002", true, V_OCSP_CERTSTATUS_REVOKED);
    FUZZ_CHECK(store->Revoke("1002", now - 24h, 1, std::nullopt).ok(), "revoke");
    Add("1003", false, V_OCSP_CERTSTATUS_UNKNOWN);
    Add("80ff", true, V_OCSP_CERTSTATUS_GOOD);
    X509_STORE_add_cert(trust.get(), ca.get());
    responder = claimsca::ocsp::OcspResponder::Create(*store, {{"issuing-1", ca.get()}},
                                                      responder_cert.get(), responder_signer, clock)
                    .value();
  }

  void Add(const std::string& serial, bool issue, int cert_status) {
    auto key = testing::NewEcKey();
    const claimsca::Instant now = clock.Now();
    auto cert = testing::MakeCert(ca.get(), ca_signer.key(), key.get(), "leaf " + serial, serial,
                                  now - 1h, now + 24h * 365);
    claimsca::store::CertificateRecord r;
    r.serial = serial;
    r.issuer_id = "issuing-1";
    r.program = "common";
    r.institution_code = "1234567890";
    r.common_name = "cn-" + serial;
    r.terminal_name = "t";
    r.key_algorithm = "ecp256";
    r.not_before = now - 1h;
    r.not_after = now + 24h * 365;
    r.tbs_der = "tbs";
    r.created_at = now;
    FUZZ_CHECK(store->InsertIntent(r).ok(), "insert");
    if (issue) FUZZ_CHECK(store->MarkIssued(serial, testing::CertDer(cert.get())).ok(), "issue");
    status[serial] = cert_status;
  }
};

void CheckSuccessful(Fixture& f, OCSP_REQUEST* req, OCSP_RESPONSE* resp) {
  std::unique_ptr<OCSP_BASICRESP, decltype(&OCSP_BASICRESP_free)> basic(
      OCSP_response_get1_basic(resp), &OCSP_BASICRESP_free);
  FUZZ_CHECK(basic != nullptr, "a successful response has a BasicOCSPResponse");
  FUZZ_CHECK(OCSP_basic_verify(basic.get(), nullptr, f.trust.get(), 0) == 1,
             "the response verifies against the CA");
  const int n = OCSP_resp_count(basic.get());
  FUZZ_CHECK(n == OCSP_request_onereq_count(req), "one SingleResponse per CertID");
  for (int i = 0; i < n; ++i) {
    OCSP_SINGLERESP* single = OCSP_resp_get0(basic.get(), i);
    const OCSP_CERTID* id = OCSP_SINGLERESP_get0_id(single);
    ASN1_INTEGER* serial = nullptr;
    OCSP_id_get0_info(nullptr, nullptr, nullptr, &serial, const_cast<OCSP_CERTID*>(id));
    int reason = 0;
    const int got = OCSP_single_get0_status(single, &reason, nullptr, nullptr, nullptr);
    int want = V_OCSP_CERTSTATUS_UNKNOWN;
    if (serial != nullptr && ASN1_STRING_type(serial) == V_ASN1_INTEGER &&
        ASN1_STRING_length(serial) <= 21) {
      auto it = f.status.find(claimsca::crypto::SerialHex(serial));
      if (it != f.status.end()) want = it->second;
    }
    FUZZ_CHECK(got == want, "each CertID answered with the store's status");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture fixture;
  Fixture* f = &fixture;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::string out = f->responder->Respond(in);
  const auto* p = reinterpret_cast<const unsigned char*>(out.data());
  claimsca::crypto::OcspResponsePtr resp(d2i_OCSP_RESPONSE(nullptr, &p, out.size()));
  FUZZ_CHECK(
      resp != nullptr && p == reinterpret_cast<const unsigned char*>(out.data()) + out.size(),
      "the answer is one whole DER OCSPResponse");
  if (OCSP_response_status(resp.get()) == OCSP_RESPONSE_STATUS_SUCCESSFUL) {
    const unsigned char* q = data;
    claimsca::crypto::OcspRequestPtr req(d2i_OCSP_REQUEST(nullptr, &q, static_cast<long>(size)));
    FUZZ_CHECK(req != nullptr, "successful only for a request OpenSSL parses");
    CheckSuccessful(*f, req.get(), resp.get());
  }
  FUZZ_CHECK(f->responder->Respond(in) == out, "the same request, the same answer");
  ERR_clear_error();
  return 0;
}
