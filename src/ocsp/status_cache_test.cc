#include "ocsp/status_cache.h"

#include <gtest/gtest.h>

#include "store/revocation_epoch.h"
#include "store/store_test_fixture.h"

namespace claimsca::ocsp {
namespace {

using store::CertState;
using store::CertStatus;
using store::test::kT0;
using namespace std::chrono_literals;

constexpr Instant kNotAfter = kT0 + std::chrono::seconds(86400 * 365);

// Forwards to the real store; while `during_read` is set, runs it (once) between a status
// read and its return: a revocation committing while the cache reads.
class InterleavingReader : public store::CertificateReader {
 public:
  explicit InterleavingReader(store::Store& s) : s_(s) {}
  Result<store::CertificateRecord> GetCertificate(std::string_view serial) override {
    return s_.GetCertificate(serial);
  }
  Result<CertStatus> GetStatus(std::string_view issuer_id, std::string_view serial) override {
    Result<CertStatus> st = s_.GetStatus(issuer_id, serial);
    if (during_read) std::exchange(during_read, nullptr)();
    return st;
  }
  Status ForEachRevoked(std::string_view issuer_id, Instant expired_since,
                        const std::function<void(const store::RevokedEntry&)>& fn) override {
    return s_.ForEachRevoked(issuer_id, expired_since, fn);
  }
  Result<std::vector<std::string>> ActiveSerialsOfInstitution(std::string_view code,
                                                              Instant now) override {
    return s_.ActiveSerialsOfInstitution(code, now);
  }
  std::function<void()> during_read;

 private:
  store::Store& s_;
};

class StatusCacheTest : public store::test::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (HasFatalFailure() || IsSkipped()) return;
    reader_ = std::make_unique<InterleavingReader>(*store_);
    cache_ = std::make_unique<StatusCache>(
        *reader_,
        [this]() -> Result<int64_t> {
          if (epoch_fails_) return Unavailable("the database is away");
          return store::ReadRevocationEpoch(*store_);
        },
        clock_, StatusCacheOptions{.capacity = 100, .stale_after = 5s});
  }

  CertStatus Get(const std::string& serial, const std::string& issuer = "issuing-1") {
    Result<CertStatus> st = cache_->GetStatus(issuer, serial);
    EXPECT_TRUE(st.ok()) << st.status().ToString();
    return st.ok() ? *st : CertStatus{};
  }
  void Revoke(const std::string& serial, int reason = 1) {
    ASSERT_OK(store_->Revoke(serial, kT0 + 60s, reason, std::nullopt));
  }

  FixedClock clock_{kT0};
  bool epoch_fails_ = false;
  std::unique_ptr<InterleavingReader> reader_;
  std::unique_ptr<StatusCache> cache_;
};

TEST_P(StatusCacheTest, EpochChangesWithEveryRevocationOfAnyIssuer) {
  Issue("a1", "cn-a1", "issuing-1", kNotAfter);
  Issue("a2", "cn-a2", "issuing-2", kNotAfter);
  Result<int64_t> e0 = store::ReadRevocationEpoch(*store_);
  ASSERT_TRUE(e0.ok()) << e0.status().ToString();
  Revoke("a1");
  Result<int64_t> e1 = store::ReadRevocationEpoch(*store_);
  ASSERT_TRUE(e1.ok());
  EXPECT_NE(*e1, *e0);
  Revoke("a2");
  Result<int64_t> e2 = store::ReadRevocationEpoch(*store_);
  ASSERT_TRUE(e2.ok());
  EXPECT_NE(*e2, *e1);
  // A refused revocation (already revoked) changes nothing.
  EXPECT_FALSE(store_->Revoke("a2", kT0 + 90s, 1, std::nullopt).ok());
  EXPECT_EQ(store::ReadRevocationEpoch(*store_).value(), *e2);
}

TEST_P(StatusCacheTest, GoodIsServedFromMemoryUntilARefreshSeesTheRevocation) {
  Issue("a1", "cn-a1", "issuing-1", kNotAfter);
  ASSERT_OK(cache_->Refresh());
  EXPECT_FALSE(Get("a1").revoked_at);  // read from the store, cached
  EXPECT_FALSE(Get("a1").revoked_at);
  EXPECT_EQ(cache_->counters().hits, 1u);

  Revoke("a1", 4);
  // Without a refresh the cache still answers: it is the one read.
  EXPECT_FALSE(Get("a1").revoked_at);
  const uint64_t before = cache_->generation();
  ASSERT_OK(cache_->Refresh());
  EXPECT_NE(cache_->generation(), before);
  CertStatus st = Get("a1");
  ASSERT_TRUE(st.revoked_at);
  EXPECT_EQ(*st.revoked_at, kT0 + 60s);
  EXPECT_EQ(st.revocation_reason, 4);
  // Revoked is cached too; a refresh without a revocation keeps the generation.
  ASSERT_OK(cache_->Refresh());
  const uint64_t hits = cache_->counters().hits;
  EXPECT_TRUE(Get("a1").revoked_at);
  EXPECT_EQ(cache_->counters().hits, hits + 1);
}

TEST_P(StatusCacheTest, ARevocationDuringTheReadLeavesNoGoodOfTheNewGeneration) {
  Issue("a1", "cn-a1", "issuing-1", kNotAfter);
  ASSERT_OK(cache_->Refresh());
  const uint64_t g = cache_->generation();
  reader_->during_read = [&] {
    Revoke("a1");
    ASSERT_OK(cache_->Refresh());  // the refresher, between the read and its caching
  };
  EXPECT_FALSE(Get("a1").revoked_at);  // read before the revocation: good, for this request
  EXPECT_NE(cache_->generation(), g);
  EXPECT_TRUE(Get("a1").revoked_at);  // the good was tagged with the old generation
}

TEST_P(StatusCacheTest, UnknownIntentAndFailedAreNeverCached) {
  ASSERT_OK(cache_->Refresh());
  EXPECT_EQ(cache_->GetStatus("issuing-1", "b1").status().code(), Code::kNotFound);
  ASSERT_OK(store_->InsertIntent(store::test::Intent("b1", "cn-b1")));
  EXPECT_EQ(Get("b1").state, CertState::kIntent);
  ASSERT_OK(store_->MarkIssued("b1", "cert-b1"));
  // Issued a moment later, no refresh: the store's answer, not a cached "unknown".
  EXPECT_EQ(Get("b1").state, CertState::kIssued);
  ASSERT_OK(store_->InsertIntent(store::test::Intent("b2", "cn-b2")));
  ASSERT_OK(store_->MarkFailed("b2"));
  EXPECT_EQ(Get("b2").state, CertState::kFailed);
  EXPECT_EQ(Get("b2").state, CertState::kFailed);
  EXPECT_EQ(cache_->counters().hits, 0u);
}

TEST_P(StatusCacheTest, NothingIsCachedWithoutARecentSuccessfulRefresh) {
  Issue("a1", "cn-a1", "issuing-1", kNotAfter);
  // Before the first refresh: every read goes to the store.
  EXPECT_EQ(cache_->generation(), 0u);
  EXPECT_FALSE(Get("a1").revoked_at);
  ASSERT_OK(cache_->Refresh());
  EXPECT_FALSE(Get("a1").revoked_at);  // cached now
  Revoke("a1");

  // A failed refresh stops caching at once.
  epoch_fails_ = true;
  EXPECT_EQ(cache_->Refresh().code(), Code::kUnavailable);
  EXPECT_EQ(cache_->generation(), 0u);
  EXPECT_TRUE(Get("a1").revoked_at);

  // A refresher that stopped refreshing: stale after `stale_after`.
  Issue("a2", "cn-a2", "issuing-1", kNotAfter);
  epoch_fails_ = false;
  ASSERT_OK(cache_->Refresh());
  EXPECT_FALSE(Get("a2").revoked_at);
  Revoke("a2");
  EXPECT_FALSE(Get("a2").revoked_at);  // cached, fresh enough
  clock_.Advance(6s);
  EXPECT_EQ(cache_->generation(), 0u);
  EXPECT_TRUE(Get("a2").revoked_at);
}

INSTANTIATE_TEST_SUITE_P(Backends, StatusCacheTest, ::testing::Values("sqlite", "postgres"),
                         store::test::BackendName);

}  // namespace
}  // namespace claimsca::ocsp
