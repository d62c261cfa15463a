#include "ca/issue_queue.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "ca/testing.h"
#include "common/time_util.h"
#include "crypto/random.h"

namespace claimsca::ca {
namespace {

using crypto::KeyAlgorithm;

class IssueQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("claimsca-queue-" + crypto::RandomDigits(12).value());
    std::filesystem::create_directories(dir_);
    auto s = store::OpenStore("sqlite:" + (dir_ / "t.db").string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->Migrate().ok());
    IssuerOptions options;
    options.organization = "claimsca test";
    options.urls = {"http://a/crl", "http://a/ocsp", "http://a/ca"};
    issuer_ = std::make_unique<Issuer>(options, hierarchy_.issuing.get(),
                                       *hierarchy_.issuing_signer, *store_, programs_, clock_);
    csr_ = testing::MakeCsrDer(crypto::GenerateKey(KeyAlgorithm::kEcP256)->get());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Collects the answers of Submit calls.
  struct Answers {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<Result<IssuedCertificate>> got;
    IssueQueue::Done Collect() {
      return [this](Result<IssuedCertificate> r) {
        std::lock_guard lock(mu);
        got.push_back(std::move(r));
        cv.notify_all();
      };
    }
    void WaitFor(size_t n) {
      std::unique_lock lock(mu);
      ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(60), [&] { return got.size() >= n; }));
    }
  };

  FixedClock clock_{*ParseInstant("2026-04-01T09:00:00+09:00")};
  ProgramRegistry programs_{{CommonProgramDefaults()}};
  testing::TestHierarchy hierarchy_ = testing::MakeTestHierarchy(clock_.Now());
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Issuer> issuer_;
  std::string csr_;
};

TEST_F(IssueQueueTest, AnswersEveryRequestFromManyThreadsInBatches) {
  IssueQueue queue(*issuer_);
  Answers answers;
  constexpr int kThreads = 4, kEach = 15;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        // Every fifth request has a code that is refused; it fails alone.
        const std::string code = i % 5 == 4 ? "13100" : "1310000001";
        queue.Submit({"common", code, "PC" + std::to_string(t * kEach + i)}, csr_,
                     answers.Collect());
      }
    });
  }
  for (auto& th : threads) th.join();
  answers.WaitFor(kThreads * kEach);
  int ok = 0, refused = 0;
  std::set<std::string> serials;
  for (const auto& r : answers.got) {
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << r.status().ToString();
      ++refused;
      continue;
    }
    ++ok;
    serials.insert(r->serial);
    auto record = store_->GetCertificate(r->serial);
    ASSERT_TRUE(record.ok());
    EXPECT_EQ(record->state, store::CertState::kIssued);
    EXPECT_EQ(record->cert_der, r->cert_der);
  }
  EXPECT_EQ(ok, kThreads * kEach * 4 / 5);
  EXPECT_EQ(refused, kThreads * kEach / 5);
  EXPECT_EQ(serials.size(), static_cast<size_t>(ok));
  EXPECT_EQ(queue.issued_requests(), static_cast<size_t>(kThreads * kEach));
  EXPECT_GE(queue.batches(), 1u);
  EXPECT_LE(queue.batches(), static_cast<size_t>(kThreads * kEach));
}

TEST_F(IssueQueueTest, StopAnswersWhatIsQueuedAndRefusesLaterRequests) {
  Answers answers;
  {
    IssueQueue queue(*issuer_, /*max_batch=*/3);
    for (int i = 0; i < 10; ++i) {
      queue.Submit({"common", "1310000001", "PC"}, csr_, answers.Collect());
    }
    queue.Stop();
    {
      std::lock_guard lock(answers.mu);
      ASSERT_EQ(answers.got.size(), 10u);  // every one answered before Stop returned
      for (const auto& r : answers.got) EXPECT_TRUE(r.ok()) << r.status().ToString();
    }
    EXPECT_GE(queue.batches(), 4u);  // at most 3 per batch
    queue.Submit({"common", "1310000001", "PC"}, csr_, answers.Collect());
    std::lock_guard lock(answers.mu);
    ASSERT_EQ(answers.got.size(), 11u);
    EXPECT_EQ(answers.got.back().status().code(), Code::kUnavailable);
  }
}

}  // namespace
}  // namespace claimsca::ca
