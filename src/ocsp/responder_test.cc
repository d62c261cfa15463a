#include "ocsp/responder.h"

#include <gtest/gtest.h>
#include <openssl/ocsp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <atomic>
#include <random>
#include <thread>

#include "common/time_util.h"
#include "crl/testing/test_pki.h"

namespace claimsca::ocsp {
namespace {

using namespace std::chrono_literals;
using crypto::X509Ptr;

Instant At(const char* iso) { return ParseInstant(iso).value(); }

Instant ToInstant(const ASN1_GENERALIZEDTIME* t) {
  struct tm tm {};
  EXPECT_EQ(ASN1_TIME_to_tm(t, &tm), 1);
  return Instant(std::chrono::seconds(timegm(&tm)));
}

// A parsed, verified response.
struct Answer {
  int response_status = -1;
  int cert_status = -1;  // V_OCSP_CERTSTATUS_*
  int reason = -2;
  Instant revoked_at{}, this_update{}, next_update{};
  bool nonce_ok = false;
};

class OcspResponderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::OpenStore("sqlite:" + dir_.path() + "/ca.db");
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    ASSERT_TRUE(store_->Migrate().ok());
    ca_ = testing::MakeCa("OCSP Test CA", ca_signer_.key(), clock_.Now());
    responder_cert_ =
        testing::MakeCert(ca_.get(), ca_signer_.key(), responder_signer_.key(), "OCSP Responder",
                          "7001", clock_.Now() - 1h, clock_.Now() + 24h * 1100, true);
    Store("1001", /*issue=*/true);
    Store("1002", true);
    ASSERT_TRUE(store_->Revoke("1002", At("2026-04-30T12:00:00Z"), 1, std::nullopt).ok());
    Store("1003", /*issue=*/false);  // intent only
    Store("80ff", true);
    responder_ = Make();
  }

  std::unique_ptr<OcspResponder> Make(OcspResponderOptions o = {}) {
    auto r = OcspResponder::Create(*store_, {{"issuing-1", ca_.get()}}, responder_cert_.get(),
                                   responder_signer_, clock_, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(r).value() : nullptr;
  }

  // Stores the certificate `serial` of the issuer `issuer_id` (default: the CA), issued or
  // only as an intent.
  void Store(const std::string& serial, bool issue, X509* ca = nullptr, EVP_PKEY* ca_key = nullptr,
             const std::string& issuer_id = "issuing-1") {
    auto key = testing::NewEcKey();
    X509Ptr cert =
        testing::MakeCert(ca ? ca : ca_.get(), ca_key ? ca_key : ca_signer_.key(), key.get(),
                          "leaf " + serial, serial, clock_.Now() - 1h, clock_.Now() + 24h * 365);
    store::CertificateRecord r;
    r.serial = serial;
    r.issuer_id = issuer_id;
    r.program = "common";
    r.institution_code = "1234567890";
    r.common_name = "cn-" + serial;
    r.terminal_name = "t";
    r.key_algorithm = "ecp256";
    r.not_before = clock_.Now() - 1h;
    r.not_after = clock_.Now() + 24h * 365;
    r.tbs_der = "tbs";
    r.created_at = clock_.Now();
    ASSERT_TRUE(store_->InsertIntent(r).ok());
    if (issue) {
      ASSERT_TRUE(store_->MarkIssued(serial, testing::CertDer(cert.get())).ok());
    }
  }

  // CertID for `serial` under `issuer` (default: the CA).
  OCSP_CERTID* Id(const char* serial, const EVP_MD* md = EVP_sha1(), X509* issuer = nullptr) {
    issuer = issuer ? issuer : ca_.get();
    BIGNUM* bn = nullptr;
    EXPECT_GT(BN_hex2bn(&bn, serial), 0);
    crypto::BignumPtr owner(bn);
    crypto::Asn1IntegerPtr i(BN_to_ASN1_INTEGER(bn, nullptr));
    return OCSP_cert_id_new(md, X509_get_subject_name(issuer), X509_get0_pubkey_bitstr(issuer),
                            i.get());
  }

  std::string Request(std::vector<OCSP_CERTID*> ids, bool nonce = false) {
    crypto::OcspRequestPtr req(OCSP_REQUEST_new());
    for (OCSP_CERTID* id : ids) EXPECT_NE(OCSP_request_add0_id(req.get(), id), nullptr);
    if (nonce) {
      EXPECT_EQ(OCSP_request_add1_nonce(req.get(), nullptr, 16), 1);
    }
    unsigned char* out = nullptr;
    int n = i2d_OCSP_REQUEST(req.get(), &out);
    std::string der(reinterpret_cast<char*>(out), n);
    OPENSSL_free(out);
    return der;
  }

  // Parses `resp`, verifies it against the CA and finds the status of `serial`.
  Answer Check(const std::string& resp, const char* serial, const EVP_MD* md = EVP_sha1(),
               const std::string& req = "") {
    Answer a;
    const auto* p = reinterpret_cast<const unsigned char*>(resp.data());
    crypto::OcspResponsePtr r(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(resp.size())));
    if (!r) {
      ADD_FAILURE() << "response does not parse";
      return a;
    }
    a.response_status = OCSP_response_status(r.get());
    if (a.response_status != OCSP_RESPONSE_STATUS_SUCCESSFUL) return a;
    crypto::OcspBasicRespPtr bs(OCSP_response_get1_basic(r.get()));
    EXPECT_NE(bs, nullptr);
    std::unique_ptr<X509_STORE, crypto::Deleter<X509_STORE_free>> trust(X509_STORE_new());
    X509_STORE_add_cert(trust.get(), ca_.get());
    X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(trust.get()),
                               clock_.Now().time_since_epoch().count());
    EXPECT_EQ(OCSP_basic_verify(bs.get(), nullptr, trust.get(), 0), 1)
        << crypto::OpensslError("verify").ToString();
    crypto::OcspCertIdPtr id(Id(serial, md));
    ASN1_GENERALIZEDTIME *rev = nullptr, *thisupd = nullptr, *nextupd = nullptr;
    EXPECT_EQ(OCSP_resp_find_status(bs.get(), id.get(), &a.cert_status, &a.reason, &rev, &thisupd,
                                    &nextupd),
              1);
    if (rev) a.revoked_at = ToInstant(rev);
    if (thisupd) a.this_update = ToInstant(thisupd);
    if (nextupd) a.next_update = ToInstant(nextupd);
    if (!req.empty()) {
      const auto* q = reinterpret_cast<const unsigned char*>(req.data());
      crypto::OcspRequestPtr rq(d2i_OCSP_REQUEST(nullptr, &q, static_cast<long>(req.size())));
      a.nonce_ok = OCSP_check_nonce(rq.get(), bs.get()) == 1;
    }
    return a;
  }

  int Status(const std::string& resp) {
    const auto* p = reinterpret_cast<const unsigned char*>(resp.data());
    crypto::OcspResponsePtr r(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(resp.size())));
    return r ? OCSP_response_status(r.get()) : -1;
  }

  testing::TempDir dir_;
  FixedClock clock_{At("2026-05-01T00:00:00Z")};
  testing::KeySigner ca_signer_{testing::NewEcKey()};
  testing::KeySigner responder_signer_{testing::NewRsaKey()};
  X509Ptr ca_, responder_cert_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<OcspResponder> responder_;
};

TEST_F(OcspResponderTest, AnswersEachStatusWithSha1AndSha256) {
  for (const EVP_MD* md : {EVP_sha1(), EVP_sha256()}) {
    Answer good = Check(responder_->Respond(Request({Id("1001", md)})), "1001", md);
    EXPECT_EQ(good.response_status, OCSP_RESPONSE_STATUS_SUCCESSFUL);
    EXPECT_EQ(good.cert_status, V_OCSP_CERTSTATUS_GOOD);
    EXPECT_EQ(good.this_update, clock_.Now());
    EXPECT_EQ(good.next_update, clock_.Now() + 24h);

    Answer revoked = Check(responder_->Respond(Request({Id("1002", md)})), "1002", md);
    EXPECT_EQ(revoked.cert_status, V_OCSP_CERTSTATUS_REVOKED);
    EXPECT_EQ(revoked.reason, OCSP_REVOKED_STATUS_KEYCOMPROMISE);
    EXPECT_EQ(revoked.revoked_at, At("2026-04-30T12:00:00Z"));

    EXPECT_EQ(Check(responder_->Respond(Request({Id("1003", md)})), "1003", md).cert_status,
              V_OCSP_CERTSTATUS_UNKNOWN);  // intent only: never handed out
    EXPECT_EQ(Check(responder_->Respond(Request({Id("9999", md)})), "9999", md).cert_status,
              V_OCSP_CERTSTATUS_UNKNOWN);
    EXPECT_EQ(Check(responder_->Respond(Request({Id("80ff", md)})), "80ff", md).cert_status,
              V_OCSP_CERTSTATUS_GOOD);
  }
  OcspCounters c = responder_->counters();
  EXPECT_EQ(c.good, 4u);
  EXPECT_EQ(c.revoked, 2u);
  EXPECT_EQ(c.unknown, 4u);
  EXPECT_EQ(c.signatures, 10u);
}

TEST_F(OcspResponderTest, TwoCertIdsAndTooMany) {
  std::string resp = responder_->Respond(Request({Id("1001"), Id("1002", EVP_sha256())}));
  EXPECT_EQ(Check(resp, "1001").cert_status, V_OCSP_CERTSTATUS_GOOD);
  EXPECT_EQ(Check(resp, "1002", EVP_sha256()).cert_status, V_OCSP_CERTSTATUS_REVOKED);
  std::string five = Request({Id("01"), Id("02"), Id("03"), Id("04"), Id("05")});
  EXPECT_EQ(Status(responder_->Respond(five)), OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
}

TEST_F(OcspResponderTest, OpensslCliVerifies) {
  for (const char* serial : {"1001", "1002"}) {
    std::string req = Request({Id(serial)});
    std::string resp = responder_->Respond(req);
    std::string rq = dir_.Write("req.der", req), rs = dir_.Write("resp.der", resp);
    std::string ca = dir_.Write("ca.pem", testing::CertPem(ca_.get()));
    auto out = testing::Run("openssl ocsp -reqin " + rq + " -respin " + rs + " -issuer " + ca +
                            " -CAfile " + ca + " -resp_text -attime " +
                            std::to_string(clock_.Now().time_since_epoch().count()));
    EXPECT_EQ(out.exit_code, 0) << out.output;
    EXPECT_NE(out.output.find("Response verify OK"), std::string::npos) << out.output;
    std::string want = serial == std::string("1001") ? "Cert Status: good" : "Cert Status: revoked";
    EXPECT_NE(out.output.find(want), std::string::npos) << out.output;
    if (want.ends_with("revoked")) {
      EXPECT_NE(out.output.find("Revocation Reason: keyCompromise"), std::string::npos);
    }
  }
}

TEST_F(OcspResponderTest, CacheHitsButStatusChangeIsSeenAtOnce) {
  std::string req = Request({Id("1001")});
  std::string first = responder_->Respond(req);
  EXPECT_EQ(responder_->Respond(req), first);
  EXPECT_EQ(responder_->counters().cache_hits, 1u);
  // Another process revokes: the very next answer says so.
  ASSERT_TRUE(store_->Revoke("1001", clock_.Now(), 5, std::nullopt).ok());
  Answer a = Check(responder_->Respond(req), "1001");
  EXPECT_EQ(a.cert_status, V_OCSP_CERTSTATUS_REVOKED);
  EXPECT_EQ(a.reason, OCSP_REVOKED_STATUS_CESSATIONOFOPERATION);
  EXPECT_EQ(responder_->counters().signatures, 2u);
  std::string again = responder_->Respond(req);  // the revoked answer is cached now
  EXPECT_EQ(responder_->counters().cache_hits, 2u);
  EXPECT_EQ(responder_->counters().signatures, 2u);
  EXPECT_EQ(Check(again, "1001").cert_status, V_OCSP_CERTSTATUS_REVOKED);
}

TEST_F(OcspResponderTest, ResignsAfterRefreshAfter) {
  std::string req = Request({Id("1001")});
  std::string first = responder_->Respond(req);
  clock_.Advance(12h - 1s);
  EXPECT_EQ(responder_->Respond(req), first);
  clock_.Advance(1s);
  Answer a = Check(responder_->Respond(req), "1001");
  EXPECT_EQ(a.this_update, clock_.Now());
  EXPECT_EQ(a.next_update, clock_.Now() + 24h);
  EXPECT_EQ(responder_->counters().signatures, 2u);
}

// RFC 5019 §6.2: what an HTTP cache needs, made when signing and served with the cache hit.
TEST_F(OcspResponderTest, HttpFreshnessComesWithTheCachedResponse) {
  std::string req = Request({Id("1001")});
  OcspAnswer first = responder_->Answer(req);
  ASSERT_NE(first.freshness, nullptr);
  EXPECT_EQ(first.freshness->this_update, clock_.Now());
  EXPECT_EQ(first.freshness->next_update, clock_.Now() + 24h);
  EXPECT_EQ(first.freshness->last_modified, "Fri, 01 May 2026 00:00:00 GMT");
  EXPECT_EQ(first.freshness->expires, "Sat, 02 May 2026 00:00:00 GMT");
  unsigned char sha1[20];
  SHA1(reinterpret_cast<const unsigned char*>(first.der.data()), first.der.size(), sha1);
  EXPECT_EQ(first.freshness->etag,
            "\"" + crypto::HexEncode(std::string(reinterpret_cast<char*>(sha1), 20)) + "\"");

  clock_.Advance(1h);
  OcspAnswer hit = responder_->Answer(req);
  EXPECT_EQ(hit.der, first.der);
  EXPECT_EQ(hit.freshness, first.freshness);  // shared, not made again
  EXPECT_EQ(responder_->counters().cache_hits, 1u);

  clock_.Advance(12h);  // re-signed: new times, new tag
  OcspAnswer fresh = responder_->Answer(req);
  ASSERT_NE(fresh.freshness, nullptr);
  EXPECT_EQ(fresh.freshness->this_update, clock_.Now());
  EXPECT_NE(fresh.freshness->etag, first.freshness->etag);

  // Not for caches: answers for one client (nonce) and errors.
  EXPECT_EQ(responder_->Answer(Request({Id("1001")}, /*nonce=*/true)).freshness, nullptr);
  EXPECT_EQ(responder_->Answer("garbage").freshness, nullptr);
}

TEST_F(OcspResponderTest, ExpiredCertificatesStillAnswered) {
  clock_.Advance(24h * 400);  // past every leaf's notAfter
  Answer good = Check(responder_->Respond(Request({Id("1001")})), "1001");
  EXPECT_EQ(good.cert_status, V_OCSP_CERTSTATUS_GOOD);
  Answer revoked = Check(responder_->Respond(Request({Id("1002")})), "1002");
  EXPECT_EQ(revoked.cert_status, V_OCSP_CERTSTATUS_REVOKED);
}

TEST_F(OcspResponderTest, RejectsBadOptions) {
  OcspResponderOptions o;
  o.refresh_after = 48h;  // longer than validity: would serve expired responses
  EXPECT_EQ(OcspResponder::Create(*store_, {{"issuing-1", ca_.get()}}, responder_cert_.get(),
                                  responder_signer_, clock_, o)
                .status()
                .code(),
            Code::kInvalidArgument);
  OcspResponder direct(*store_, {{"issuing-1", ca_.get()}}, responder_cert_.get(),
                       responder_signer_, clock_, o);
  EXPECT_EQ(direct.init_status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Status(direct.Respond(Request({Id("1001")}))), OCSP_RESPONSE_STATUS_INTERNALERROR);
}

TEST_F(OcspResponderTest, NonceIsEchoedAndNeverCached) {
  std::string req = Request({Id("1001")}, /*nonce=*/true);
  std::string r1 = responder_->Respond(req);
  EXPECT_TRUE(Check(r1, "1001", EVP_sha1(), req).nonce_ok);
  std::string r2 = responder_->Respond(req);
  EXPECT_TRUE(Check(r2, "1001", EVP_sha1(), req).nonce_ok);
  EXPECT_EQ(responder_->counters().signatures, 2u);
  EXPECT_EQ(responder_->counters().cache_hits, 0u);
}

TEST_F(OcspResponderTest, UnknownIssuerIsUnauthorized) {
  testing::KeySigner other_key(testing::NewEcKey());
  X509Ptr other = testing::MakeCa("Other CA", other_key.key(), clock_.Now());
  EXPECT_EQ(Status(responder_->Respond(Request({Id("1001", EVP_sha1(), other.get())}))),
            OCSP_RESPONSE_STATUS_UNAUTHORIZED);
  EXPECT_EQ(Status(responder_->Respond(Request({Id("1001", EVP_sha384())}))),
            OCSP_RESPONSE_STATUS_UNAUTHORIZED);
  EXPECT_EQ(responder_->counters().unauthorized, 2u);
}

// Two issuing CAs (the common CA's and a program's own), each answered by its own
// delegated responder: a response verifies against its issuer, a request naming both is
// unauthorized, and a serial is looked up under its own issuer only.
TEST_F(OcspResponderTest, EachIssuerIsAnsweredByItsOwnResponder) {
  testing::KeySigner kj_key(testing::NewEcKey()), kj_responder_key(testing::NewEcKey());
  X509Ptr kj = testing::MakeCa("KJ Issuing CA", kj_key.key(), clock_.Now());
  X509Ptr kj_responder =
      testing::MakeCert(kj.get(), kj_key.key(), kj_responder_key.key(), "KJ OCSP Responder", "7101",
                        clock_.Now() - 1h, clock_.Now() + 24h * 400, true);
  Store("2001", true, kj.get(), kj_key.key(), "issuing-kj-1");

  auto both = OcspResponder::Create(
      *store_,
      {{"issuing-1", ca_.get()}, {"issuing-kj-1", kj.get(), kj_responder.get(), &kj_responder_key}},
      responder_cert_.get(), responder_signer_, clock_);
  ASSERT_TRUE(both.ok()) << both.status().ToString();
  // The status under `issuer`, from a response that verifies with `issuer` alone trusted
  // and is signed by `signer_cert`.
  auto status_under = [&](X509* issuer, const char* serial, X509* signer_cert) {
    crypto::OcspCertIdPtr id(Id(serial, EVP_sha1(), issuer));
    std::string resp = (*both)->Respond(Request({Id(serial, EVP_sha1(), issuer)}));
    const auto* p = reinterpret_cast<const unsigned char*>(resp.data());
    crypto::OcspResponsePtr rp(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(resp.size())));
    EXPECT_EQ(OCSP_response_status(rp.get()), OCSP_RESPONSE_STATUS_SUCCESSFUL);
    crypto::OcspBasicRespPtr bs(OCSP_response_get1_basic(rp.get()));
    std::unique_ptr<X509_STORE, crypto::Deleter<X509_STORE_free>> trust(X509_STORE_new());
    X509_STORE_add_cert(trust.get(), issuer);
    X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(trust.get()),
                               clock_.Now().time_since_epoch().count());
    EXPECT_EQ(OCSP_basic_verify(bs.get(), nullptr, trust.get(), 0), 1);
    const STACK_OF(X509)* certs = OCSP_resp_get0_certs(bs.get());
    EXPECT_EQ(sk_X509_num(certs), 1);
    if (sk_X509_num(certs) == 1) {
      EXPECT_EQ(X509_cmp(sk_X509_value(certs, 0), signer_cert), 0);
    }
    int status = -1, reason = -1;
    EXPECT_EQ(
        OCSP_resp_find_status(bs.get(), id.get(), &status, &reason, nullptr, nullptr, nullptr), 1);
    return status;
  };
  EXPECT_EQ(status_under(kj.get(), "2001", kj_responder.get()), V_OCSP_CERTSTATUS_GOOD);
  EXPECT_EQ(status_under(ca_.get(), "1001", responder_cert_.get()), V_OCSP_CERTSTATUS_GOOD);
  // A serial of the other issuer is unknown here.
  EXPECT_EQ(status_under(kj.get(), "1001", kj_responder.get()), V_OCSP_CERTSTATUS_UNKNOWN);
  EXPECT_EQ(status_under(ca_.get(), "2001", responder_cert_.get()), V_OCSP_CERTSTATUS_UNKNOWN);
  ASSERT_TRUE(store_->Revoke("2001", clock_.Now(), 1, std::nullopt).ok());
  EXPECT_EQ(status_under(kj.get(), "2001", kj_responder.get()), V_OCSP_CERTSTATUS_REVOKED);
  // One response has one signer.
  EXPECT_EQ(Status((*both)->Respond(Request({Id("1001"), Id("2001", EVP_sha1(), kj.get())}))),
            OCSP_RESPONSE_STATUS_UNAUTHORIZED);
  // A responder certificate the issuer did not issue is refused.
  auto wrong = OcspResponder::Create(
      *store_, {{"issuing-kj-1", kj.get(), responder_cert_.get(), &responder_signer_}},
      responder_cert_.get(), responder_signer_, clock_);
  EXPECT_EQ(wrong.status().code(), Code::kFailedPrecondition);
}

TEST_F(OcspResponderTest, GarbageIsMalformedAndNeverCrashes) {
  const int malformed = OCSP_RESPONSE_STATUS_MALFORMEDREQUEST;
  EXPECT_EQ(Status(responder_->Respond("")), malformed);
  EXPECT_EQ(Status(responder_->Respond(std::string(1 << 20, '\x30'))), malformed);
  std::string valid = Request({Id("1001")});
  for (size_t n = 1; n < valid.size(); ++n) {
    EXPECT_EQ(Status(responder_->Respond(valid.substr(0, n))), malformed) << n;
  }
  EXPECT_EQ(Status(responder_->Respond(valid + "x")), malformed);
  std::mt19937 rng(42);
  for (int i = 0; i < 2000; ++i) {
    std::string junk(rng() % 300, '\0');
    for (char& c : junk) c = static_cast<char>(rng());
    EXPECT_EQ(Status(responder_->Respond(junk)), junk.empty() ? malformed : malformed);
    // Bit flips of a valid request: any well-formed OCSPResponse is acceptable.
    std::string flipped = valid;
    flipped[rng() % flipped.size()] ^= static_cast<char>(1 << (rng() % 8));
    EXPECT_NE(Status(responder_->Respond(flipped)), -1);
  }
}

TEST_F(OcspResponderTest, RejectsResponderWithoutOcspSigning) {
  X509Ptr plain = testing::MakeCert(ca_.get(), ca_signer_.key(), responder_signer_.key(), "plain",
                                    "7002", clock_.Now(), clock_.Now() + 24h);
  auto r = OcspResponder::Create(*store_, {{"issuing-1", ca_.get()}}, plain.get(),
                                 responder_signer_, clock_);
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  auto wrong_key = OcspResponder::Create(*store_, {{"issuing-1", ca_.get()}}, responder_cert_.get(),
                                         ca_signer_, clock_);
  EXPECT_EQ(wrong_key.status().code(), Code::kFailedPrecondition);
}

TEST_F(OcspResponderTest, ConcurrentRespondersAgree) {
  std::vector<std::string> reqs = {Request({Id("1001")}), Request({Id("1002", EVP_sha256())}),
                                   Request({Id("9999")}), Request({Id("1001")}, true)};
  for (const std::string& r : reqs) {
    EXPECT_EQ(Status(responder_->Respond(r)), OCSP_RESPONSE_STATUS_SUCCESSFUL);  // warm cache
  }
  std::atomic<int> bad{0};
  auto work = [&](int seed) {
    for (int i = 0; i < 300; ++i) {
      const std::string& r = reqs[(seed + i) % reqs.size()];
      std::string resp = responder_->Respond(r);
      if (resp.size() < 100) bad.fetch_add(1);  // every request here deserves a real answer
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) threads.emplace_back(work, t);
  for (auto& t : threads) t.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_GT(responder_->counters().cache_hits, 600u);
}

// A store stand-in answering "issued" at once: isolates the responder's own cost.
class FixedReader final : public store::CertificateReader {
 public:
  Result<store::CertificateRecord> GetCertificate(std::string_view) override {
    return NotFound("");
  }
  Result<store::CertStatus> GetStatus(std::string_view, std::string_view) override {
    return store::CertStatus{store::CertState::kIssued, {}, std::nullopt, -1};
  }
  Status ForEachRevoked(std::string_view, Instant,
                        const std::function<void(const store::RevokedEntry&)>&) override {
    return Status::Ok();
  }
  Result<std::vector<std::string>> ActiveSerialsOfInstitution(std::string_view, Instant) override {
    return std::vector<std::string>{};
  }
};

// Run with --gtest_also_run_disabled_tests to measure; asserts only correctness.
TEST_F(OcspResponderTest, DISABLED_BenchmarkCacheHit) {
  FixedReader fixed;
  auto with_fixed = OcspResponder::Create(fixed, {{"issuing-1", ca_.get()}}, responder_cert_.get(),
                                          responder_signer_, clock_);
  ASSERT_TRUE(with_fixed.ok());
  std::string req = Request({Id("1001")});
  for (auto* r : {responder_.get(), with_fixed->get()}) {
    std::string first = r->Respond(req);
    constexpr int kN = 200'000;
    auto start = std::chrono::steady_clock::now();
    size_t bytes = 0;
    for (int i = 0; i < kN; ++i) bytes += r->Respond(req).size();
    auto ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start);
    std::printf("%s: %.2f us per cache hit (%zu bytes)\n",
                r == responder_.get() ? "sqlite store" : "fixed reader", ns.count() / kN / 1000,
                bytes / kN);
    EXPECT_EQ(bytes, first.size() * kN);
  }
}

}  // namespace
}  // namespace claimsca::ocsp
