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
#include <atomic>
#include <ctime>
#include <memory>
#include <string>
#include <thread>

#include "crypto/pkcs12.h"
#include "ra/ra_test_fixture.h"
#include "store/module_sql.h"

namespace claimsca::cmp {
namespace {

using namespace ra::test;  // NOLINT: the shared fixture and helpers
using CtxPtr = std::unique_ptr<OSSL_CMP_CTX, decltype(&OSSL_CMP_CTX_free)>;

// The DER of a CMP message; empty when it does not encode.
std::string Der(const OSSL_CMP_MSG* msg) {
  unsigned char* buf = nullptr;
  const int n = i2d_OSSL_CMP_MSG(msg, &buf);
  if (n <= 0) return "";
  std::string der(reinterpret_cast<char*>(buf), static_cast<size_t>(n));
  OPENSSL_free(buf);
  return der;
}

// The server's answer to `der`, decoded; null when there is none.
OSSL_CMP_MSG* Ask(CmpServer& server, const std::string& der) {
  if (der.empty()) return nullptr;
  auto rsp = server.Handle(der, "cmp-test");
  if (!rsp.ok()) return nullptr;
  const auto* p = reinterpret_cast<const unsigned char*>(rsp->data());
  return d2i_OSSL_CMP_MSG(nullptr, &p, static_cast<long>(rsp->size()));
}

// One DER request to the server, one DER response back.
OSSL_CMP_MSG* Transfer(OSSL_CMP_CTX* ctx, const OSSL_CMP_MSG* req) {
  return Ask(*static_cast<CmpServer*>(OSSL_CMP_CTX_get_transfer_cb_arg(ctx)), Der(req));
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
  OSSL_CMP_MSG* rsp = Ask(*link->server, Der(req));
  if (rsp != nullptr && !link->dropped && OSSL_CMP_MSG_get_bodytype(req) == link->drop_type) {
    link->dropped = true;
    OSSL_CMP_MSG_free(rsp);
    return nullptr;
  }
  return rsp;
}

// Two nodes on one database: the certConf (body 24) goes to `second`, every other request
// to `first`; each request is kept (DER) for replays. `advance` moves the clock before the
// certConf (a certConf that comes late).
struct TwoNodes {
  CmpServer* first = nullptr;
  CmpServer* second = nullptr;
  FixedClock* clock = nullptr;
  std::chrono::seconds advance{0};
  bool withhold_conf = false;                     // the certConf reaches no node (kept in `sent`)
  std::vector<std::pair<int, std::string>> sent;  // body type, DER
};

OSSL_CMP_MSG* TwoNodesTransfer(OSSL_CMP_CTX* ctx, const OSSL_CMP_MSG* req) {
  auto* nodes = static_cast<TwoNodes*>(OSSL_CMP_CTX_get_transfer_cb_arg(ctx));
  const int type = OSSL_CMP_MSG_get_bodytype(req);
  nodes->sent.emplace_back(type, Der(req));
  if (type == 24) nodes->clock->Advance(nodes->advance);
  if (type == 24 && nodes->withhold_conf) return nullptr;
  return Ask(type == 24 ? *nodes->second : *nodes->first, nodes->sent.back().second);
}

// The body type of the server's answer to `der`; -1 when there is none.
int AnswerType(CmpServer& server, const std::string& der) {
  OSSL_CMP_MSG* msg = Ask(server, der);
  const int type = msg == nullptr ? -1 : OSSL_CMP_MSG_get_bodytype(msg);
  OSSL_CMP_MSG_free(msg);
  return type;
}

// The transactionID of the PKIMessage `der`, in lower-case hex as the server keys it.
std::string TransactionIdHex(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  OSSL_CMP_MSG* msg = d2i_OSSL_CMP_MSG(nullptr, &p, static_cast<long>(der.size()));
  if (msg == nullptr) return "";
  const ASN1_OCTET_STRING* tid = OSSL_CMP_HDR_get0_transactionID(OSSL_CMP_MSG_get0_header(msg));
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; tid != nullptr && i < ASN1_STRING_length(tid); ++i) {
    out.push_back(kDigits[ASN1_STRING_get0_data(tid)[i] >> 4]);
    out.push_back(kDigits[ASN1_STRING_get0_data(tid)[i] & 15]);
  }
  OSSL_CMP_MSG_free(msg);
  return out;
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
    transactions_ = std::make_unique<SqlTransactionStore>(*store_);
    server_ = Server(*transactions_, CmpServerOptions{});
  }

  // A server on the fixture's RA whose transactions are kept in `transactions`.
  std::unique_ptr<CmpServer> Server(TransactionStore& transactions, CmpServerOptions o) {
    return std::make_unique<CmpServer>(*ra_, *store_, transactions, *sealer_,
                                       hierarchy_.issuing.get(), hierarchy_.root.get(),
                                       cmp_cert_.get(), *hierarchy_.cmp_signer, clock_, o);
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

  // A PBM-protected ir with a fresh key for `t`'s request ID (the client is set up to send
  // it; OSSL_CMP_exec_IR_ses runs it).
  void SetUpIr(OSSL_CMP_CTX* ctx, const Terminal& t) {
    const auto* ref = reinterpret_cast<const unsigned char*>(t.request_id.data());
    const auto* secret = reinterpret_cast<const unsigned char*>(t.password.data());
    X509_NAME* subject = X509_NAME_new();
    X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("terminal"), -1, -1, 0);
    EXPECT_EQ(OSSL_CMP_CTX_set1_referenceValue(ctx, ref, static_cast<int>(t.request_id.size())), 1);
    EXPECT_EQ(OSSL_CMP_CTX_set1_secretValue(ctx, secret, static_cast<int>(t.password.size())), 1);
    OSSL_CMP_CTX_set1_subjectName(ctx, subject);
    OSSL_CMP_CTX_set1_recipient(ctx, subject);
    X509_NAME_free(subject);
    OSSL_CMP_CTX_set0_newPkey(ctx, 1, EVP_EC_gen("P-256"));
  }

  // A second node: its own connection to the same database, its own server.
  struct Node {
    std::unique_ptr<store::Store> store;
    std::unique_ptr<SqlTransactionStore> transactions;
    std::unique_ptr<CmpServer> server;
    std::shared_ptr<std::vector<std::string>> refusals =  // the `why` of each cmp_refused
        std::make_shared<std::vector<std::string>>();
  };
  Node OtherNode() {
    Node n;
    auto s = store::OpenStore(url_);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    if (!s.ok()) return n;
    n.store = std::move(s).value();
    n.transactions = std::make_unique<SqlTransactionStore>(*n.store);
    CmpServerOptions o;
    o.log = [refusals = n.refusals](std::string_view event,
                                    const std::vector<std::pair<std::string, std::string>>& f) {
      for (const auto& [k, v] : f) {
        if (event == "cmp_refused" && k == "why") refusals->push_back(v);
      }
    };
    n.server = std::make_unique<CmpServer>(*ra_, *n.store, *n.transactions, *sealer_,
                                           hierarchy_.issuing.get(), hierarchy_.root.get(),
                                           cmp_cert_.get(), *hierarchy_.cmp_signer, clock_, o);
    return n;
  }

  // A client whose requests go through `transfer` with `link` (a link of the test).
  CtxPtr Client(const Terminal* signer, OSSL_CMP_transfer_cb_t transfer, void* link) {
    CtxPtr ctx = Client(signer);
    OSSL_CMP_CTX_set_transfer_cb(ctx.get(), transfer);
    OSSL_CMP_CTX_set_transfer_cb_arg(ctx.get(), link);
    return ctx;
  }

  // The fixture's server first, `other`'s second.
  TwoNodes Link(const Node& other) {
    TwoNodes nodes;
    nodes.first = server_.get();
    nodes.second = other.server.get();
    nodes.clock = &clock_;
    return nodes;
  }

  // A kur for `t` with a fresh key, through `nodes` if given; returns the new certificate
  // (null when refused).
  crypto::X509Ptr Kur(const Terminal& t, bool reject, TwoNodes* nodes = nullptr) {
    CtxPtr ctx = nodes == nullptr ? Client(&t) : Client(&t, &TwoNodesTransfer, nodes);
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
  std::unique_ptr<SqlTransactionStore> transactions_;
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
    CtxPtr ctx = Client(&t, &LossyTransfer, &lost_kup);
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
  CtxPtr ctx = Client(&t, &LossyTransfer, &lost_conf);
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
    server_ = Server(*transactions_, o);
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
  SetUpIr(ctx.get(), t);
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

// Two nodes on one database: the ir answered by one, its certConf (MAC-protected with the
// notice's password, which the ir erased from cmp_secrets) by the other. The same ir
// replayed on either node is refused.
TEST_P(CmpServerTest, IrOnOneNodeCertConfOnTheOther) {
  Terminal t = Issued();
  ASSERT_FALSE(t.password.empty());
  Node other = OtherNode();
  ASSERT_NE(other.server, nullptr);
  TwoNodes nodes = Link(other);
  CtxPtr ctx = Client(nullptr, &TwoNodesTransfer, &nodes);
  SetUpIr(ctx.get(), t);
  X509* issued = OSSL_CMP_exec_IR_ses(ctx.get());
  ERR_clear_error();
  ASSERT_NE(issued, nullptr) << "the certConf on the other node was refused";
  ASSERT_EQ(nodes.sent.size(), 2u);
  EXPECT_EQ(nodes.sent[1].first, 24);
  auto app = store_->GetApplication(t.request_id);
  ASSERT_TRUE(app.ok());
  EXPECT_EQ(app->serial, crypto::SerialHex(X509_get0_serialNumber(issued)));
  const size_t certs = store_->CertificatesForRequest(t.request_id)->size();

  EXPECT_EQ(AnswerType(*other.server, nodes.sent[0].second), 23) << "replayed ir answered";
  EXPECT_EQ(*other.refusals, std::vector<std::string>{"replayed transactionID"});
  EXPECT_EQ(AnswerType(*server_, nodes.sent[0].second), 23) << "replayed ir answered";
  EXPECT_EQ(AnswerType(*other.server, nodes.sent[1].second), 23) << "certConf taken twice";
  EXPECT_EQ(store_->CertificatesForRequest(t.request_id)->size(), certs);
}

// A kur on one node, its certConf on the other: accepted, the renewal is confirmed there;
// rejected, the new certificate is revoked and the renewed one current again; the same kur
// replayed on the other node is refused.
TEST_P(CmpServerTest, KurOnOneNodeCertConfOnTheOther) {
  Terminal t = Issued();
  ASSERT_NE(t.cert, nullptr);
  const std::string old_serial = crypto::SerialHex(X509_get0_serialNumber(t.cert.get()));
  EnterRenewalWindow(t.cert.get());
  Node other = OtherNode();
  ASSERT_NE(other.server, nullptr);

  TwoNodes rejected = Link(other);
  EXPECT_EQ(Kur(t, true, &rejected), nullptr);
  ASSERT_EQ(rejected.sent.size(), 2u);
  auto others = Others(t.request_id, old_serial);
  ASSERT_EQ(others.size(), 1u);
  EXPECT_TRUE(others[0].revoked_at.has_value()) << "the rejection on the other node was lost";
  EXPECT_EQ(store_->GetApplication(t.request_id)->serial, old_serial);
  EXPECT_EQ(RenewalCharges(), 0);

  TwoNodes accepted = Link(other);
  ASSERT_NE(Kur(t, false, &accepted), nullptr) << "the certConf on the other node was refused";
  EXPECT_FALSE(store_->GetPendingRenewal(t.request_id)->has_value()) << "not confirmed";
  EXPECT_EQ(RenewalCharges(), 1);

  ASSERT_EQ(accepted.sent.size(), 2u);
  // Refused in the kup's status (a rejection), as every refused kur.
  EXPECT_EQ(AnswerType(*other.server, accepted.sent[0].second), 8);
  EXPECT_EQ(*other.refusals, std::vector<std::string>{"replayed transactionID"});
  EXPECT_EQ(Others(t.request_id, old_serial).size(), 2u) << "the replay issued a certificate";
  EXPECT_EQ(RenewalCharges(), 1);
}

// A certConf after transaction_ttl is refused on any node: the renewal stays unconfirmed.
// So is one from another requester than the kur's, before OpenSSL sees it (here the row
// says the retried kur came from another sender Name).
TEST_P(CmpServerTest, LateOrForeignCertConfRefused) {
  Terminal t = Issued();
  ASSERT_NE(t.cert, nullptr);
  EnterRenewalWindow(t.cert.get());
  Node other = OtherNode();
  ASSERT_NE(other.server, nullptr);
  TwoNodes late = Link(other);
  late.advance = CmpServerOptions{}.transaction_ttl + std::chrono::seconds(1);
  EXPECT_EQ(Kur(t, false, &late), nullptr);
  ASSERT_EQ(late.sent.size(), 2u);
  EXPECT_TRUE(store_->GetPendingRenewal(t.request_id)->has_value()) << "a late certConf confirmed";
  EXPECT_EQ(*other.refusals, std::vector<std::string>{
                                 "the transaction expired (transaction_ttl) before this message"});

  other.refusals->clear();
  TwoNodes held = Link(other);
  held.withhold_conf = true;
  EXPECT_EQ(Kur(t, false, &held), nullptr);
  ASSERT_EQ(held.sent.size(), 2u);
  static constexpr char kOtherSender[] =
      "UPDATE cmp_transactions SET sender_name = $1 WHERE awaiting = $2";
  ASSERT_TRUE(store::RunInTransaction(*store_, [](store::SqlTx& tx) -> Status {
                return tx.Exec(kOtherSender, {"3000", 1}).status();
              }).ok());
  EXPECT_EQ(AnswerType(*other.server, held.sent[1].second), 23);
  EXPECT_EQ(*other.refusals, std::vector<std::string>{"not the requester of this transaction"});
  EXPECT_TRUE(store_->GetPendingRenewal(t.request_id)->has_value()) << "confirmed";
}

// The store alone: a transactionID begins once; the state is taken once; rows go after
// keep_until, expired states lose their secret.
TEST_P(CmpServerTest, TransactionStoreBeginsAndTakesOnce) {
  Node other = OtherNode();
  ASSERT_NE(other.transactions, nullptr);
  const Instant now = clock_.Now();
  const Instant keep = now + std::chrono::hours(24);
  ASSERT_TRUE(*transactions_->Begin("0a0b", "kur", now, keep));
  EXPECT_FALSE(*other.transactions->Begin("0a0b", "ir", now, keep)) << "replay on a second node";
  TransactionState st;
  st.transaction_id = "0a0b";
  st.kind = "kur";
  st.expires_at = now + std::chrono::minutes(5);
  st.sender_name_der = std::string("\x30\x00", 2);
  st.issued_serial = "1f";
  st.sender_nonce = std::string(16, '\x07');
  store::RenewalResult restore;
  restore.serial = "0e";
  restore.common_name = "cn";
  restore.issued_at = now - std::chrono::days(300);
  restore.not_after = now + std::chrono::days(60);
  st.restore = restore;
  st.sealed_secret = "sealed";
  ASSERT_TRUE(transactions_->Record(st).ok());
  auto taken = other.transactions->Take("0a0b");
  ASSERT_TRUE(taken.ok()) << taken.status().ToString();
  ASSERT_TRUE(taken->has_value());
  EXPECT_EQ((*taken)->sender_name_der, st.sender_name_der);
  EXPECT_EQ((*taken)->sender_nonce, st.sender_nonce);
  EXPECT_EQ((*taken)->issued_serial, "1f");
  EXPECT_EQ((*taken)->expires_at, st.expires_at);
  ASSERT_TRUE((*taken)->restore.has_value());
  EXPECT_EQ((*taken)->restore->serial, "0e");
  EXPECT_EQ((*taken)->restore->not_after, restore.not_after);
  EXPECT_EQ((*taken)->sealed_secret, "sealed");
  EXPECT_FALSE(transactions_->Take("0a0b")->has_value()) << "taken twice";
  EXPECT_FALSE(transactions_->Take("ffff")->has_value());

  // Past keep_until the row is gone, and the ID may begin again.
  ASSERT_TRUE(*transactions_->Begin("0c0d", "kur", now, now + std::chrono::minutes(1)));
  ASSERT_TRUE(transactions_->Record(st).ok());  // 0a0b awaits again
  EXPECT_TRUE(*transactions_->Begin("0e0f", "genm", keep + std::chrono::seconds(1),
                                    keep + std::chrono::hours(24)));
  EXPECT_TRUE(*transactions_->Begin("0a0b", "ir", keep + std::chrono::seconds(1),
                                    keep + std::chrono::hours(24)));
  EXPECT_FALSE(transactions_->Take("0a0b")->has_value());
}

// Only a message that passes OpenSSL's checks keeps its transactionID's row: an ir under a
// wrong password, or a genm (accepted unprotected, stateless), leaves none, so anybody's
// requests cannot fill cmp_transactions; a genuine ir keeps it (its replay is refused).
TEST_P(CmpServerTest, OnlyAuthenticMessagesKeepTheirTransactionId) {
  Terminal t = Issued();
  ASSERT_FALSE(t.password.empty());
  Node other = OtherNode();
  ASSERT_NE(other.server, nullptr);
  const Instant now = clock_.Now();
  const Instant keep = now + std::chrono::hours(24);

  Terminal wrong;
  wrong.request_id = t.request_id;
  wrong.password = "not-the-download-password";
  TwoNodes forged = Link(other);
  CtxPtr ctx = Client(nullptr, &TwoNodesTransfer, &forged);
  SetUpIr(ctx.get(), wrong);
  X509* none = OSSL_CMP_exec_IR_ses(ctx.get());
  ERR_clear_error();
  EXPECT_EQ(none, nullptr) << "an ir under a wrong password was answered with a certificate";
  ASSERT_FALSE(forged.sent.empty());
  const std::string forged_tid = TransactionIdHex(forged.sent[0].second);
  ASSERT_FALSE(forged_tid.empty());

  TwoNodes probe = Link(other);
  CtxPtr g = Client(nullptr, &TwoNodesTransfer, &probe);
  OSSL_CMP_CTX_set_option(g.get(), OSSL_CMP_OPT_UNPROTECTED_SEND, 1);
  X509_NAME* anyone = X509_NAME_new();
  X509_NAME_add_entry_by_txt(anyone, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("anyone"), -1, -1, 0);
  OSSL_CMP_CTX_set1_recipient(g.get(), anyone);
  OSSL_CMP_CTX_set1_subjectName(g.get(), anyone);
  X509_NAME_free(anyone);
  OSSL_CMP_CTX_push0_genm_ITAV(g.get(),
                               OSSL_CMP_ITAV_create(OBJ_txt2obj("1.3.6.1.5.5.7.4.17", 1), nullptr));
  STACK_OF(OSSL_CMP_ITAV)* itavs = OSSL_CMP_exec_GENM_ses(g.get());
  ERR_clear_error();
  EXPECT_NE(itavs, nullptr) << "genm not answered";
  sk_OSSL_CMP_ITAV_pop_free(itavs, OSSL_CMP_ITAV_free);
  ASSERT_FALSE(probe.sent.empty());
  const std::string genm_tid = TransactionIdHex(probe.sent[0].second);

  EXPECT_TRUE(*transactions_->Begin(forged_tid, "ir", now, keep)) << "the refused ir kept its row";
  EXPECT_TRUE(*transactions_->Begin(genm_tid, "genm", now, keep)) << "the genm kept a row";

  // The genuine ir keeps its row: replayed on the other node, refused.
  TwoNodes real = Link(other);
  CtxPtr ok = Client(nullptr, &TwoNodesTransfer, &real);
  SetUpIr(ok.get(), t);
  X509* issued = OSSL_CMP_exec_IR_ses(ok.get());
  ERR_clear_error();
  ASSERT_NE(issued, nullptr);
  EXPECT_EQ(AnswerType(*other.server, real.sent[0].second), 23) << "replayed ir answered";
  EXPECT_FALSE(*transactions_->Begin(TransactionIdHex(real.sent[0].second), "ir", now, keep));
}

// Nodes racing: of many Begin calls for one transactionID, on two connections at once,
// exactly one wins; likewise of many Take calls for one awaiting state.
TEST_P(CmpServerTest, TransactionStoreRacesHaveOneWinner) {
  Node other = OtherNode();
  ASSERT_NE(other.transactions, nullptr);
  const Instant now = clock_.Now();
  for (int round = 0; round < 5; ++round) {
    const std::string tid = "ab0" + std::to_string(round);
    std::atomic<int> begun{0}, taken{0}, errors{0};
    auto race = [&](auto&& step) {
      std::vector<std::thread> threads;
      for (int i = 0; i < 6; ++i) {
        threads.emplace_back([&, i] {
          TransactionStore& ts = i % 2 == 0 ? *transactions_ : *other.transactions;
          step(ts);
        });
      }
      for (auto& th : threads) th.join();
    };
    race([&](TransactionStore& ts) {
      auto r = ts.Begin(tid, "kur", now, now + std::chrono::hours(24));
      if (!r.ok()) ++errors;
      if (r.ok() && *r) ++begun;
    });
    TransactionState st;
    st.transaction_id = tid;
    st.kind = "kur";
    st.expires_at = now + std::chrono::minutes(5);
    st.issued_serial = "1f";
    ASSERT_TRUE(transactions_->Record(st).ok());
    race([&](TransactionStore& ts) {
      auto r = ts.Take(tid);
      if (!r.ok()) ++errors;
      if (r.ok() && r->has_value()) ++taken;
    });
    EXPECT_EQ(errors.load(), 0) << round;
    EXPECT_EQ(begun.load(), 1) << round;
    EXPECT_EQ(taken.load(), 1) << round;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, CmpServerTest, ::testing::Values("sqlite", "postgres"),
                         store::test::BackendName);

}  // namespace
}  // namespace claimsca::cmp
