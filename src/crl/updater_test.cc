#include "crl/updater.h"

#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include <set>
#include <thread>

#include "common/time_util.h"
#include "crl/shards.h"
#include "crl/testing/test_pki.h"

namespace claimsca::crl {
namespace {

using namespace std::chrono_literals;

Instant At(const char* iso) { return ParseInstant(iso).value(); }

struct ParsedCrl {
  long number = -1;
  std::set<std::string> serials;
  Instant this_update{};
};

// Grants every lease: lets two updaters race into PutCrl.
class AlwaysLease final : public store::LeaseStore {
 public:
  Result<bool> TryLease(std::string_view, std::string_view, Instant,
                        std::chrono::seconds) override {
    return true;
  }
};

class CrlUpdaterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = Open();
    ca_ = testing::MakeCa("Updater Test CA", signer_.key(), clock_.Now());
  }

  std::unique_ptr<store::Store> Open() {
    auto s = store::OpenStore("sqlite:" + dir_.path() + "/ca.db");
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_TRUE((*s)->Migrate().ok());
    return std::move(s).value();
  }

  std::unique_ptr<CrlUpdater> Updater(store::Store& s, const std::string& holder,
                                      CrlUpdaterOptions o = {}) {
    o.holder = holder;
    return std::make_unique<CrlUpdater>(s, s, s, "issuing-1", ca_.get(), signer_, clock_, o);
  }

  void Issue(const std::string& serial, Instant not_after = At("2027-05-01T00:00:00Z"),
             std::optional<int> shard = std::nullopt) {
    store::CertificateRecord r;
    r.serial = serial;
    r.issuer_id = "issuing-1";
    r.program = "common";
    r.institution_code = "1234567890";
    r.common_name = "cn-" + serial;
    r.terminal_name = "t";
    r.key_algorithm = "ecp256";
    r.not_before = At("2026-01-01T00:00:00Z");
    r.not_after = not_after;
    r.tbs_der = "tbs";
    r.created_at = clock_.Now();
    r.crl_shard = shard;
    ASSERT_TRUE(store_->InsertIntent(r).ok());
    ASSERT_TRUE(store_->MarkIssued(serial, "der").ok());
  }

  void Revoke(const std::string& serial, int reason = 1) {
    Status st = store_->Revoke(serial, clock_.Now(), reason, std::nullopt);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  ParsedCrl Current(const std::string& scope = "issuing-1") {
    auto state = store_->GetCrlState(scope);
    EXPECT_TRUE(state.ok());
    ParsedCrl out;
    auto der = store_->GetCrlDer(scope);
    EXPECT_TRUE(der.ok());
    const auto* p = reinterpret_cast<const unsigned char*>(der->first.data());
    crypto::X509CrlPtr crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(der->first.size())));
    if (!crl) return out;
    EXPECT_EQ(X509_CRL_verify(crl.get(), X509_get0_pubkey(ca_.get())), 1);
    auto* num = static_cast<ASN1_INTEGER*>(
        X509_CRL_get_ext_d2i(crl.get(), NID_crl_number, nullptr, nullptr));
    out.number = ASN1_INTEGER_get(num);
    ASN1_INTEGER_free(num);
    EXPECT_EQ(out.number, state->crl_number);
    STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl.get());
    for (int i = 0; i < sk_X509_REVOKED_num(revoked); ++i) {
      out.serials.insert(
          crypto::SerialHex(X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(revoked, i))));
    }
    out.this_update = state->this_update;
    return out;
  }

  bool Maybe(CrlUpdater& u) {
    auto r = u.MaybePublish();
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() && *r;
  }

  testing::TempDir dir_;
  FixedClock clock_{At("2026-05-01T00:00:00Z")};
  testing::KeySigner signer_{testing::NewEcKey()};
  crypto::X509Ptr ca_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(CrlUpdaterTest, PublishesInitialCrlThenNothingUntilDue) {
  auto u = Updater(*store_, "a");
  EXPECT_TRUE(Maybe(*u));
  EXPECT_EQ(Current().number, 1);
  EXPECT_TRUE(Current().serials.empty());
  clock_.Advance(1h);
  EXPECT_FALSE(Maybe(*u));
  EXPECT_EQ(u->published_count(), 1);
}

TEST_F(CrlUpdaterTest, WaitsForDebounceThenPublishesOnce) {
  auto u = Updater(*store_, "a");
  ASSERT_TRUE(u->PublishNow().ok());
  Issue("0a");
  Revoke("0a");
  EXPECT_FALSE(Maybe(*u));
  clock_.Advance(1s);
  EXPECT_FALSE(Maybe(*u));
  clock_.Advance(1s);
  EXPECT_TRUE(Maybe(*u));
  ParsedCrl crl = Current();
  EXPECT_EQ(crl.number, 2);
  EXPECT_EQ(crl.serials, std::set<std::string>{"0a"});
  clock_.Advance(10s);
  EXPECT_FALSE(Maybe(*u));
}

TEST_F(CrlUpdaterTest, BurstOfFiftyYieldsOneCrl) {
  auto u = Updater(*store_, "a");
  ASSERT_TRUE(u->PublishNow().ok());
  std::set<std::string> want;
  for (int i = 1; i <= 50; ++i) {
    char serial[8];
    std::snprintf(serial, sizeof serial, "%04x", 0x8000 + i);  // high bit set
    Issue(serial);
    Revoke(serial, i % 2 ? 1 : 5);
    want.insert(serial);
    EXPECT_FALSE(Maybe(*u));
  }
  clock_.Advance(2s);
  EXPECT_TRUE(Maybe(*u));
  EXPECT_FALSE(Maybe(*u));
  ParsedCrl crl = Current();
  EXPECT_EQ(crl.number, 2);
  EXPECT_EQ(crl.serials, want);
  EXPECT_EQ(u->published_count(), 2);
}

TEST_F(CrlUpdaterTest, MaxDelayBoundsAContinuousStream) {
  auto u = Updater(*store_, "a");
  ASSERT_TRUE(u->PublishNow().ok());
  int published_at = -1;
  for (int i = 0; i < 40 && published_at < 0; ++i) {
    std::string serial = "0" + std::to_string(100 + i);
    Issue(serial);
    Revoke(serial);
    if (Maybe(*u)) published_at = i;
    clock_.Advance(1s);
  }
  EXPECT_EQ(published_at, 30);
  EXPECT_EQ(Current().serials.size(), 31u);
}

TEST_F(CrlUpdaterTest, RefreshesBeforeNextUpdate) {
  auto u = Updater(*store_, "a");
  ASSERT_TRUE(Maybe(*u));
  clock_.Advance(12h - 1s);
  EXPECT_FALSE(Maybe(*u));
  clock_.Advance(1s);
  EXPECT_TRUE(Maybe(*u));
  ParsedCrl crl = Current();
  EXPECT_EQ(crl.number, 2);
  EXPECT_EQ(crl.this_update, clock_.Now());
}

TEST_F(CrlUpdaterTest, NumbersIncreaseAndExpiredEntriesCanBeDropped) {
  CrlUpdaterOptions o;
  o.drop_expired_after = std::chrono::days(1);
  auto dropping = Updater(*store_, "a", o);
  auto keeping = Updater(*store_, "a");
  Issue("01", clock_.Now() - std::chrono::days(3));
  Issue("02", clock_.Now() - std::chrono::hours(1));
  Issue("03");
  for (const char* s : {"01", "02", "03"}) Revoke(s);
  ASSERT_TRUE(keeping->PublishNow().ok());
  EXPECT_EQ(Current().number, 1);
  EXPECT_EQ(Current().serials, (std::set<std::string>{"01", "02", "03"}));
  ASSERT_TRUE(dropping->PublishNow().ok());
  EXPECT_EQ(Current().number, 2);
  EXPECT_EQ(Current().serials, (std::set<std::string>{"02", "03"}));
  ASSERT_TRUE(keeping->PublishNow().ok());
  EXPECT_EQ(Current().number, 3);
}

TEST_F(CrlUpdaterTest, LeaseKeepsASecondProcessOutOnlyWhileHeld) {
  auto other_store = Open();
  auto a = Updater(*store_, "process-a");
  auto b = Updater(*other_store, "process-b");
  ASSERT_TRUE(a->PublishNow().ok());
  // The lease is released once a CRL is published: the other process may publish at once.
  ASSERT_TRUE(b->PublishNow().ok());
  EXPECT_EQ(Current().number, 2);
  // While process a builds a CRL (holds the lease), b is kept out.
  ASSERT_TRUE(store_->TryLease("crl:issuing-1", "process-a", clock_.Now(), 60s).value());
  EXPECT_EQ(b->PublishNow().code(), Code::kUnavailable);
  clock_.Advance(12h);  // a refresh is due and the 60 s lease of a has expired
  EXPECT_TRUE(Maybe(*b));
  EXPECT_EQ(Current().number, 3);
  EXPECT_FALSE(Maybe(*a));
}

// Issue 23 item 10: `claimsca crl --at <a year ahead>` on the live database. Its lease is
// taken and released on the real clock, and its future-dated CRL is replaced at once.
TEST_F(CrlUpdaterTest, ARehearsalInTheFutureDoesNotStopTheService) {
  FixedClock ahead(clock_.Now() + std::chrono::days(180));
  CrlUpdaterOptions rehearsal_options;
  rehearsal_options.holder = "rehearsal";
  rehearsal_options.lease_clock = &clock_;
  CrlUpdater rehearsal(*store_, *store_, *store_, "issuing-1", ca_.get(), signer_, ahead,
                       rehearsal_options);
  ASSERT_TRUE(rehearsal.PublishNow().ok());
  ASSERT_EQ(Current().number, 1);
  ASSERT_EQ(store_->GetCrlState("issuing-1")->this_update, ahead.Now());

  CrlUpdaterOptions live_options;
  live_options.lease_clock = &clock_;
  auto live = Updater(*store_, "live", live_options);
  EXPECT_TRUE(Maybe(*live)) << "a CRL dated in the future is replaced at once";
  EXPECT_EQ(Current().number, 2);
  EXPECT_EQ(store_->GetCrlState("issuing-1")->this_update, clock_.Now());
  EXPECT_FALSE(Maybe(*live)) << "and then current";
  Issue("07");
  Revoke("07");
  clock_.Advance(3s);  // past the debounce
  EXPECT_TRUE(Maybe(*live)) << "a revocation is published: no lease left in the future";
  EXPECT_EQ(Current().serials, (std::set<std::string>{"07"}));
}

TEST_F(CrlUpdaterTest, TwoProcessesNeverPublishTheSameNumber) {
  auto other_store = Open();
  AlwaysLease lease;
  CrlUpdater a(*store_, *store_, lease, "issuing-1", ca_.get(), signer_, clock_, {});
  CrlUpdater b(*other_store, *other_store, lease, "issuing-1", ca_.get(), signer_, clock_, {});
  auto run = [](CrlUpdater* u) {
    for (int i = 0; i < 15; ++i) EXPECT_TRUE(u->PublishNow().ok());
  };
  std::thread ta(run, &a), tb(run, &b);
  ta.join();
  tb.join();
  // Every stored number was published by exactly one of them (a lost race is not counted).
  EXPECT_EQ(a.published_count() + b.published_count(), Current().number);
  EXPECT_GE(Current().number, 15);
}

TEST_F(CrlUpdaterTest, BackgroundThreadStartsAndStops) {
  CrlUpdaterOptions o;
  o.poll = 10ms;
  auto u = Updater(*store_, "a", o);
  u->Start();
  u->Stop();
  u->Start();
  u->Stop();
  u.reset();  // destructor after Stop is fine
}

}  // namespace
}  // namespace claimsca::crl

namespace claimsca::crl {
namespace {

// Shards (docs/revocation.md, "Sharded CRLs"): the first poll publishes every shard; a
// revocation then re-signs only its own shard, which lists only its own certificates.
TEST_F(CrlUpdaterTest, ShardsRepublishOnlyTheShardOfARevocation) {
  const Instant end = At("2027-05-01T00:00:00Z");
  Issue("a0", end, 0);
  Issue("a1", end, 1);
  Issue("a5", end, 1);
  Issue("a2", end, 2);
  Issue("b0", end);  // issued before shards: full CRL only
  CrlUpdaterOptions o;
  o.debounce = 0s;
  o.holder = "a";
  ShardedCrlUpdater shards(*store_, *store_, *store_, *store_, "issuing-1", ca_.get(), signer_,
                           clock_, 4, "http://ca.example/crl/issuing-1.crl", o);
  auto first = shards.MaybePublish();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(*first, 4);
  EXPECT_EQ(shards.MaybePublish().value(), 0);
  for (int s = 0; s < 4; ++s) {
    ParsedCrl c = Current(store::CrlShardScope("issuing-1", s));
    EXPECT_EQ(c.number, 1) << s;
    EXPECT_TRUE(c.serials.empty()) << s;
  }

  Revoke("a5");
  Revoke("b0");
  clock_.Advance(1s);
  EXPECT_EQ(shards.MaybePublish().value(), 1);
  ParsedCrl one = Current(store::CrlShardScope("issuing-1", 1));
  EXPECT_EQ(one.number, 2);
  EXPECT_EQ(one.serials, std::set<std::string>{"a5"});
  for (int s : {0, 2, 3}) EXPECT_EQ(Current(store::CrlShardScope("issuing-1", s)).number, 1) << s;

  // The full CRL has everything, by its own updater and numbers.
  auto full = Updater(*store_, "a", o);
  EXPECT_TRUE(Maybe(*full));
  EXPECT_EQ(Current().serials, (std::set<std::string>{"a5", "b0"}));
  EXPECT_EQ(Current().number, 1);

  Revoke("a0");
  Revoke("a1");
  clock_.Advance(1s);
  EXPECT_EQ(shards.MaybePublish().value(), 2);
  EXPECT_EQ(Current(store::CrlShardScope("issuing-1", 0)).serials, std::set<std::string>{"a0"});
  EXPECT_EQ(Current(store::CrlShardScope("issuing-1", 1)).serials,
            (std::set<std::string>{"a1", "a5"}));
  EXPECT_EQ(Current(store::CrlShardScope("issuing-1", 1)).number, 3);
}

}  // namespace
}  // namespace claimsca::crl
