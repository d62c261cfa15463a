// The CMP server in process, against the real RA and store (both back ends), driven by
// OpenSSL's own CMP client that trusts only the root: responses are signed by the CMP
// signer certificate and verify; a certConf rejection revokes the new certificate (after a
// kur the renewed one is current again, no fee); an rr records the holder's reason and
// refuses reasons a holder may not give.

#include "cmp/cmp_server.h"

#include <gtest/gtest.h>
#include <openssl/cmp.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <ctime>
#include <memory>
#include <string>

#include "crypto/pkcs12.h"
#include "ra/ra_test_fixture.h"

namespace claimsca::cmp {
namespace {

using namespace ra::test;  // NOLINT: the shared fixture and helpers
using CtxPtr = std::unique_ptr<OSSL_CMP_CTX, decltype(&OSSL_CMP_CTX_free)>;

// One DER request to the server, one DER response back.
OSSL_CMP_MSG* Transfer(OSSL_CMP_CTX* ctx, const OSSL_CMP_MSG* req) {
  auto* server = static_cast<CmpServer*>(OSSL_CMP_CTX_get_transfer_cb_arg(ctx));
  unsigned char* buf = nullptr;
  const int n = i2d_OSSL_CMP_MSG(req, &buf);
  if (n <= 0) return nullptr;
  std::string der(reinterpret_cast<char*>(buf), static_cast<size_t>(n));
  OPENSSL_free(buf);
  auto rsp = server->Handle(der, "cmp-test");
  if (!rsp.ok()) return nullptr;
  const auto* p = reinterpret_cast<const unsigned char*>(rsp->data());
  return d2i_OSSL_CMP_MSG(nullptr, &p, static_cast<long>(rsp->size()));
}

// A lossy link: the server handles every request, but the response to the first request
// of body type `drop_type` never reaches the client (the connection broke after the
// server committed).
struct LossyLink {
  CmpServer* server = nullptr;
  int drop_type = -1;  // 7 kur, 24 certConf
  bool dropped = false;
};

OSSL_CMP_MSG* LossyTransfer(OSSL_CMP_CTX* ctx, const OSSL_CMP_MSG* req) {
  auto* link = static_cast<LossyLink*>(OSSL_CMP_CTX_get_transfer_cb_arg(ctx));
  unsigned char* buf = nullptr;
  const int n = i2d_OSSL_CMP_MSG(req, &buf);
  if (n <= 0) return nullptr;
  std::string der(reinterpret_cast<char*>(buf), static_cast<size_t>(n));
  OPENSSL_free(buf);
  auto rsp = link->server->Handle(der, "cmp-test");
  if (!rsp.ok()) return nullptr;
  if (!link->dropped && OSSL_CMP_MSG_get_bodytype(req) == link->drop_type) {
    link->dropped = true;
    return nullptr;
  }
  const auto* p = reinterpret_cast<const unsigned char*>(rsp->data());
  return d2i_OSSL_CMP_MSG(nullptr, &p, static_cast<long>(rsp->size()));
}

// The client's certConf callback: rejects every certificate.
int RejectEverything(OSSL_CMP_CTX*, X509*, int, const char** text) {
  *text = "rejected by the test";
  return 1 << OSSL_CMP_PKIFAILUREINFO_badCertTemplate;
}

struct Terminal {
  std::string request_id;
  std::string password;
  crypto::X509Ptr cert;
  crypto::EvpPkeyPtr key;
};

class CmpServerTest : public RaTest {
 protected:
  void SetUp() override {
    RaTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    // Renewals happen years later: a CMP signer certificate as long as the issuing CA's.
    ca::HierarchySpec spec;
    spec.organization = "claimsca test";
    spec.cmp_name = "Test CMP";
    spec.cmp_days = 12 * 366;
    auto cmp = ca::MakeCmpCert(spec, hierarchy_.issuing.get(), *hierarchy_.issuing_signer,
                               hierarchy_.cmp_signer->key(), clock_.Now());
    ASSERT_TRUE(cmp.ok()) << cmp.status().ToString();
    cmp_cert_ = std::move(*cmp);
    server_ = std::make_unique<CmpServer>(*ra_, *store_, hierarchy_.issuing.get(),
                                          hierarchy_.root.get(), cmp_cert_.get(),
                                          *hierarchy_.cmp_signer, clock_, CmpServerOptions{});
  }

  // An issued application whose PKCS#12 was downloaded: the terminal's key and certificate.
  Terminal Issued() {
    Terminal t;
    auto a = MustSubmit(Institution(kClinic), ClinicForm());
    t.request_id = a.request_id;
    auto password = ra_->TakeDownloadPassword(Operator(), a.request_id);
    EXPECT_TRUE(password.ok()) << password.status().ToString();
    if (!password.ok()) return t;
    t.password = *password;
    auto download = ra_->DownloadPkcs12(a.request_id, *password, "test");
    EXPECT_TRUE(download.ok()) << download.status().ToString();
    if (!download.ok()) return t;
    auto p12 = crypto::ParsePkcs12(download->pkcs12_der, *password);
    EXPECT_TRUE(p12.ok()) << p12.status().ToString();
    if (!p12.ok()) return t;
    t.cert = std::move(p12->cert);
    t.key = std::move(p12->key);
    return t;
  }

  // A client that trusts only the root (no pinned server certificate), at the test clock.
  CtxPtr Client(const Terminal* signer) {
    CtxPtr ctx(OSSL_CMP_CTX_new(nullptr, nullptr), &OSSL_CMP_CTX_free);
    X509_STORE* store = X509_STORE_new();
    X509_STORE_add_cert(store, hierarchy_.root.get());
    X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store),
                               std::chrono::system_clock::to_time_t(clock_.Now()));
    EXPECT_EQ(OSSL_CMP_CTX_set0_trustedStore(ctx.get(), store), 1);
    OSSL_CMP_CTX_set_log_verbosity(ctx.get(), OSSL_CMP_LOG_EMERG);
    OSSL_CMP_CTX_set_transfer_cb(ctx.get(), &Transfer);
    OSSL_CMP_CTX_set_transfer_cb_arg(ctx.get(), server_.get());
    if (signer != nullptr) {
      OSSL_CMP_CTX_set1_cert(ctx.get(), signer->cert.get());
      OSSL_CMP_CTX_set1_pkey(ctx.get(), signer->key.get());
    }
    return ctx;
  }

  // A kur for `t` with a fresh key; returns the new certificate (null when refused).
  crypto::X509Ptr Kur(const Terminal& t, bool reject) {
    CtxPtr ctx = Client(&t);
    OSSL_CMP_CTX_set0_newPkey(ctx.get(), 1, EVP_EC_gen("P-256"));
    if (reject) OSSL_CMP_CTX_set_certConf_cb(ctx.get(), &RejectEverything);
    crypto::X509Ptr issued(OSSL_CMP_exec_KUR_ses(ctx.get()));
    if (issued != nullptr) X509_up_ref(issued.get());  // the context keeps its own
    extra_certs_ = OSSL_CMP_CTX_get1_extraCertsIn(ctx.get());
    ERR_clear_error();
    return issued;
  }

  void TearDown() override {
    if (extra_certs_ != nullptr) sk_X509_pop_free(extra_certs_, X509_free);
    server_.reset();
    RaTest::TearDown();
  }

  // The certificates of an application other than `except`.
  std::vector<store::CertificateRecord> Others(const std::string& request_id,
                                               const std::string& except) {
    std::vector<store::CertificateRecord> out;
    auto all = store_->CertificatesForRequest(request_id);
    EXPECT_TRUE(all.ok());
    if (!all.ok()) return out;
    for (auto& c : *all) {
      if (c.serial != except) out.push_back(std::move(c));
    }
    return out;
  }

  int RenewalCharges() {
    auto charges = store_->ListFeeCharges("2026-01-01", "2040-12-31");
    EXPECT_TRUE(charges.ok());
    return static_cast<int>(std::count_if(charges->begin(), charges->end(),
                                          [](const auto& c) { return c.kind == "renewal"; }));
  }

  void EnterRenewalWindow(X509* cert) {
    struct tm tm {};
    ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm);
    clock_.Set(Instant{std::chrono::seconds(timegm(&tm))} - std::chrono::days(30));
  }

  crypto::X509Ptr cmp_cert_;
  std::unique_ptr<CmpServer> server_;
  STACK_OF(X509) * extra_certs_ = nullptr;
};

TEST_P(CmpServerTest, KurVerifiesWithOnlyTheRootTrusted) {
  Terminal t = Issued();
  ASSERT_NE(t.cert, nullptr);
  EnterRenewalWindow(t.cert.get());
  crypto::X509Ptr renewed = Kur(t, false);
  ASSERT_NE(renewed, nullptr) << "kur refused or its response did not verify";
  // extraCerts: the CMP signer certificate first, then the issuing CA.
  ASSERT_NE(extra_certs_, nullptr);
  ASSERT_GE(sk_X509_num(extra_certs_), 2);
  EXPECT_EQ(X509_cmp(sk_X509_value(extra_certs_, 0), cmp_cert_.get()), 0);
  EXPECT_EQ(X509_cmp(sk_X509_value(extra_certs_, 1), hierarchy_.issuing.get()), 0);
  // The CMP signer certificate: digitalSignature, id-kp-cmcRA, inside the issuer's validity.
  EXPECT_EQ(X509_get_key_usage(cmp_cert_.get()), static_cast<uint32_t>(KU_DIGITAL_SIGNATURE));
  auto* eku = static_cast<EXTENDED_KEY_USAGE*>(
      X509_get_ext_d2i(cmp_cert_.get(), NID_ext_key_usage, nullptr, nullptr));
  ASSERT_NE(eku, nullptr);
  EXPECT_EQ(sk_ASN1_OBJECT_num(eku), 1);
  EXPECT_EQ(OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, 0)), NID_cmcRA);
  EXTENDED_KEY_USAGE_free(eku);
  EXPECT_EQ(X509_check_issued(hierarchy_.issuing.get(), cmp_cert_.get()), X509_V_OK);
  EXPECT_LE(ASN1_TIME_compare(X509_get0_notAfter(cmp_cert_.get()),
                              X509_get0_notAfter(hierarchy_.issuing.get())),
            0);
  EXPECT_EQ(RenewalCharges(), 1);
}

TEST_P(CmpServerTest, KurCertConfRejectionRevokesTheNewOneAndKeepsTheOld) {
  Terminal t = Issued();
  ASSERT_NE(t.cert, nullptr);
  const std::string old_serial = crypto::SerialHex(X509_get0_serialNumber(t.cert.get()));
  EnterRenewalWindow(t.cert.get());
  EXPECT_EQ(Kur(t, true), nullptr);  // the client rejected what it got

  auto others = Others(t.request_id, old_serial);
  ASSERT_EQ(others.size(), 1u);
  EXPECT_TRUE(others[0].revoked_at.has_value());
  EXPECT_EQ(others[0].revocation_reason, store::kReasonCessationOfOperation);
  auto app = store_->GetApplication(t.request_id);
  ASSERT_TRUE(app.ok());
  EXPECT_EQ(app->state, store::ApplicationState::kIssued);
  EXPECT_EQ(app->serial, old_serial);  // current again
  auto old = store_->GetCertificate(old_serial);
  ASSERT_TRUE(old.ok());
  EXPECT_FALSE(old->revoked_at.has_value());  // not superseded, not revoked
  EXPECT_EQ(RenewalCharges(), 0);             // no fee for a rejected renewal

  // The old certificate renews again, accepted this time.
  crypto::X509Ptr renewed = Kur(t, false);
  ASSERT_NE(renewed, nullptr);
  app = store_->GetApplication(t.request_id);
  ASSERT_TRUE(app.ok());
  EXPECT_EQ(app->serial, crypto::SerialHex(X509_get0_serialNumber(renewed.get())));
  EXPECT_EQ(RenewalCharges(), 1);
}

// RFC 4210 certConf: an unconfirmed certificate never becomes the only current one. The
// kup is lost: the old certificate retries, a fresh certificate replaces the unconfirmed
// one, one fee. The pkiConf is lost: the server has the certConf (confirmed), the client
// holds a valid certificate that is the application's current one.
TEST_P(CmpServerTest, LostKupOrPkiConfStrandsNoTerminalAndChargesOnce) {
  Terminal t = Issued();
  ASSERT_NE(t.cert, nullptr);
  const std::string old_serial = crypto::SerialHex(X509_get0_serialNumber(t.cert.get()));
  EnterRenewalWindow(t.cert.get());

  LossyLink lost_kup{server_.get(), 7};
  {
    CtxPtr ctx = Client(&t);
    OSSL_CMP_CTX_set_transfer_cb_arg(ctx.get(), &lost_kup);
    OSSL_CMP_CTX_set_transfer_cb(ctx.get(), &LossyTransfer);
    OSSL_CMP_CTX_set0_newPkey(ctx.get(), 1, EVP_EC_gen("P-256"));
    EXPECT_EQ(OSSL_CMP_exec_KUR_ses(ctx.get()), nullptr);
    EXPECT_EQ(OSSL_CMP_CTX_get0_newCert(ctx.get()), nullptr);
    ERR_clear_error();
  }
  ASSERT_TRUE(lost_kup.dropped);
  auto unconfirmed = Others(t.request_id, old_serial);
  ASSERT_EQ(unconfirmed.size(), 1u);
  EXPECT_EQ(RenewalCharges(), 1);

  // The retry with the old certificate works; the unconfirmed one is superseded.
  crypto::X509Ptr renewed = Kur(t, false);
  ASSERT_NE(renewed, nullptr) << "the old certificate could not retry after a lost kup";
  const std::string renewed_serial = crypto::SerialHex(X509_get0_serialNumber(renewed.get()));
  EXPECT_NE(renewed_serial, unconfirmed[0].serial);
  auto superseded = store_->GetCertificate(unconfirmed[0].serial);
  ASSERT_TRUE(superseded.ok());
  EXPECT_TRUE(superseded->revoked_at.has_value());
  EXPECT_EQ(store_->GetApplication(t.request_id)->serial, renewed_serial);
  EXPECT_EQ(RenewalCharges(), 1);
  // certConf confirmed it: the old certificate no longer renews, nothing more is charged.
  EXPECT_FALSE(store_->GetPendingRenewal(t.request_id)->has_value());
  EXPECT_EQ(Kur(t, false), nullptr);
  EXPECT_EQ(RenewalCharges(), 1);
}

TEST_P(CmpServerTest, LostPkiConfLeavesTheClientAValidCurrentCertificate) {
  Terminal t = Issued();
  ASSERT_NE(t.cert, nullptr);
  EnterRenewalWindow(t.cert.get());
  LossyLink lost_conf{server_.get(), 24};
  CtxPtr ctx = Client(&t);
  OSSL_CMP_CTX_set_transfer_cb_arg(ctx.get(), &lost_conf);
  OSSL_CMP_CTX_set_transfer_cb(ctx.get(), &LossyTransfer);
  OSSL_CMP_CTX_set0_newPkey(ctx.get(), 1, EVP_EC_gen("P-256"));
  EXPECT_EQ(OSSL_CMP_exec_KUR_ses(ctx.get()), nullptr);
  ERR_clear_error();
  ASSERT_TRUE(lost_conf.dropped);
  // What the agent installs: the certificate of the kup, which the server confirmed.
  X509* got = OSSL_CMP_CTX_get0_newCert(ctx.get());
  ASSERT_NE(got, nullptr);
  const std::string serial = crypto::SerialHex(X509_get0_serialNumber(got));
  auto app = store_->GetApplication(t.request_id);
  ASSERT_TRUE(app.ok());
  EXPECT_EQ(app->serial, serial);
  EXPECT_FALSE(store_->GetPendingRenewal(t.request_id)->has_value());
  EXPECT_FALSE(store_->GetCertificate(serial)->revoked_at.has_value());
  EXPECT_EQ(RenewalCharges(), 1);
}

// implicitConfirm only when requested and allowed: not allowed (the default), the client
// must confirm; allowed, the renewed certificate keeps its retry until the first use.
TEST_P(CmpServerTest, ImplicitConfirmOnlyWhenAllowed) {
  Terminal t = Issued();
  ASSERT_NE(t.cert, nullptr);
  for (bool allowed : {false, true}) {
    EnterRenewalWindow(t.cert.get());
    CmpServerOptions o;
    o.grant_implicit_confirm = allowed;
    server_ =
        std::make_unique<CmpServer>(*ra_, *store_, hierarchy_.issuing.get(), hierarchy_.root.get(),
                                    cmp_cert_.get(), *hierarchy_.cmp_signer, clock_, o);
    CtxPtr ctx = Client(&t);
    OSSL_CMP_CTX_set_option(ctx.get(), OSSL_CMP_OPT_IMPLICIT_CONFIRM, 1);
    crypto::EvpPkeyPtr key(EVP_EC_gen("P-256"));
    EVP_PKEY_up_ref(key.get());
    OSSL_CMP_CTX_set0_newPkey(ctx.get(), 1, key.get());
    X509* issued = OSSL_CMP_exec_KUR_ses(ctx.get());
    ERR_clear_error();
    ASSERT_NE(issued, nullptr) << "allowed=" << allowed;
    auto pending = store_->GetPendingRenewal(t.request_id);
    ASSERT_TRUE(pending.ok());
    // Not allowed: the client had to send certConf, which confirmed it. Allowed: nothing
    // confirmed it yet, so the renewed certificate may still retry.
    EXPECT_EQ(pending->has_value(), allowed) << "allowed=" << allowed;
    X509_up_ref(issued);
    t.cert.reset(issued);
    t.key = std::move(key);
  }
  EXPECT_EQ(RenewalCharges(), 2);
}

TEST_P(CmpServerTest, IrCertConfRejectionRevokesTheNewOne) {
  Terminal t = Issued();
  ASSERT_FALSE(t.password.empty());
  CtxPtr ctx = Client(nullptr);
  const auto* ref = reinterpret_cast<const unsigned char*>(t.request_id.data());
  const auto* secret = reinterpret_cast<const unsigned char*>(t.password.data());
  X509_NAME* subject = X509_NAME_new();
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("terminal"), -1, -1, 0);
  ASSERT_EQ(OSSL_CMP_CTX_set1_referenceValue(ctx.get(), ref, static_cast<int>(t.request_id.size())),
            1);
  ASSERT_EQ(OSSL_CMP_CTX_set1_secretValue(ctx.get(), secret, static_cast<int>(t.password.size())),
            1);
  OSSL_CMP_CTX_set1_subjectName(ctx.get(), subject);
  OSSL_CMP_CTX_set1_recipient(ctx.get(), subject);
  X509_NAME_free(subject);
  OSSL_CMP_CTX_set0_newPkey(ctx.get(), 1, EVP_EC_gen("P-256"));
  OSSL_CMP_CTX_set_certConf_cb(ctx.get(), &RejectEverything);
  EXPECT_EQ(OSSL_CMP_exec_IR_ses(ctx.get()), nullptr);
  ERR_clear_error();

  const std::string server_made = crypto::SerialHex(X509_get0_serialNumber(t.cert.get()));
  auto others = Others(t.request_id, server_made);
  ASSERT_EQ(others.size(), 1u) << "the ir was not served";
  EXPECT_TRUE(others[0].revoked_at.has_value());
  EXPECT_EQ(others[0].revocation_reason, store::kReasonCessationOfOperation);
  auto app = store_->GetApplication(t.request_id);
  ASSERT_TRUE(app.ok());
  EXPECT_EQ(app->state, store::ApplicationState::kRevoked);
}

TEST_P(CmpServerTest, RrRecordsTheHolderReasonAndRefusesOthers) {
  for (int reason : {6 /* certificateHold */, 9 /* privilegeWithdrawn */, 1}) {
    Terminal t = Issued();
    ASSERT_NE(t.cert, nullptr);
    const std::string serial = crypto::SerialHex(X509_get0_serialNumber(t.cert.get()));
    CtxPtr ctx = Client(&t);
    OSSL_CMP_CTX_set1_oldCert(ctx.get(), t.cert.get());
    OSSL_CMP_CTX_set_option(ctx.get(), OSSL_CMP_OPT_REVOCATION_REASON, reason);
    const int done = OSSL_CMP_exec_RR_ses(ctx.get());
    ERR_clear_error();
    auto record = store_->GetCertificate(serial);
    ASSERT_TRUE(record.ok());
    if (reason == 1) {
      EXPECT_EQ(done, 1);
      EXPECT_TRUE(record->revoked_at.has_value());
      EXPECT_EQ(record->revocation_reason, store::kReasonKeyCompromise);
    } else {
      EXPECT_NE(done, 1) << reason;
      EXPECT_NE(
          OSSL_CMP_CTX_get_failInfoCode(ctx.get()) & (1 << OSSL_CMP_PKIFAILUREINFO_badRequest), 0)
          << reason;
      EXPECT_FALSE(record->revoked_at.has_value()) << reason;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, CmpServerTest, ::testing::Values("sqlite", "postgres"),
                         store::test::BackendName);

}  // namespace
}  // namespace claimsca::cmp
