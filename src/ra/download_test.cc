// The download site's answers (download.cc, docs/applications.md "Download") on both back
// ends: no oracle for request IDs. Until the password proves the request ID, an unknown ID,
// a pending one, a wrong password and a locked download get the same answer, each audited
// and each after an argon2id verification (so about as slow as a wrong password).

#include <gtest/gtest.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "ra/ra_test_fixture.h"

namespace claimsca::ra {
namespace {

using namespace test;  // NOLINT: the shared fixture and helpers

class DownloadTest : public RaTest {
 protected:
  // An issued application and its download password.
  std::pair<store::ApplicationRecord, std::string> Issued() {
    auto a = MustSubmit(Institution(kClinic), ClinicForm());
    auto password = ra_->TakeDownloadPassword(Operator("operator"), a.request_id);
    EXPECT_TRUE(password.ok()) << password.status().ToString();
    return {a, password.ok() ? *password : ""};
  }
  // The refusal as the API answers it: code and message.
  std::string Answer(const std::string& id, const std::string& password) {
    auto d = ra_->DownloadPkcs12(id, password, "10.0.0.9");
    return d.ok() ? "ok" : d.status().ToString();
  }
  // The median CPU time of this thread over `n` calls of DownloadPkcs12(id, password).
  // CPU time, not wall time: the argon2id verification (p = 1) runs on the calling thread,
  // and CPU time does not grow when other processes load the machine (a wall-clock
  // comparison failed under a loaded CI run).
  static std::chrono::nanoseconds ThreadCpuTime() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
  }
  // Thread CPU time of one refused download.
  std::chrono::nanoseconds Cost(const std::string& id, const std::string& password) {
    const auto start = ThreadCpuTime();
    (void)ra_->DownloadPkcs12(id, password, "x");
    return ThreadCpuTime() - start;
  }
};

TEST_P(DownloadTest, UnknownPendingWrongAndLockedAnswerAlike) {
  const auto [a, password] = Issued();
  const auto pending = Pending(Institution(kClinic), ClinicForm());
  const std::string refused = Status(Code::kUnauthorized, kDownloadRefused).ToString();
  const int64_t rows = AuditRows();
  EXPECT_EQ(Answer("29999999999999", password), refused);        // unknown, well-formed
  EXPECT_EQ(Answer("no such id", "x"), refused);                 // unknown, malformed
  EXPECT_EQ(Answer(pending.request_id, "wrong"), refused);       // exists, no password yet
  EXPECT_EQ(Answer(a.request_id, "wrong-password-1"), refused);  // counted
  EXPECT_EQ(store_->GetApplication(a.request_id)->download_failures, 1);
  // Every refusal is audited (probes of unknown IDs too).
  EXPECT_EQ(AuditRows(), rows + 4);
  for (int i = 2; i <= 5; ++i) EXPECT_EQ(Answer(a.request_id, "wrong-password"), refused) << i;
  // Locked: the right password gets the same answer and does not prove the ID.
  EXPECT_TRUE(store_->GetApplication(a.request_id)->download_locked_until.has_value());
  EXPECT_EQ(Answer(a.request_id, password), refused);
  clock_.Advance(std::chrono::minutes(31));
  EXPECT_EQ(Answer(a.request_id, password), "ok");
}

// Issue 24 point 11: each successful download mails "your certificate was downloaded"
// (when, from which address, which terminal) in the download's transaction; a refused one
// mails nothing; a second download mails again.
TEST_P(DownloadTest, EachDownloadMailsTheApplicantOnce) {
  mail::OutboxOptions mo;
  mo.from_address = "no-reply@ca.test";
  mail::Composer composer(clock_, mo);
  RaOptions o;
  o.mail = &composer;
  Rebuild(o);
  const auto [a, password] = Issued();
  EXPECT_EQ(Answer(a.request_id, "wrong-password-1"),
            Status(Code::kUnauthorized, kDownloadRefused).ToString());
  ASSERT_EQ(Answer(a.request_id, password), "ok");
  const std::string first_key = a.request_id + "|downloaded|" + FormatUtc(clock_.Now());
  clock_.Set(clock_.Now() + std::chrono::minutes(5));
  ASSERT_EQ(Answer(a.request_id, password), "ok");
  const std::string second_key = a.request_id + "|downloaded|" + FormatUtc(clock_.Now());
  // One mail per successful download, none for the refused one.
  std::vector<std::string> keys;
  auto due = store_->DueMail(clock_.Now() + std::chrono::hours(1), 100);
  ASSERT_TRUE(due.ok()) << due.status().ToString();
  for (const auto& m : *due) {
    if (m.kind != "downloaded") continue;
    keys.push_back(m.dedup_key);
    EXPECT_EQ(m.recipient, ClinicForm().email);
    EXPECT_EQ(m.subject_ref, a.request_id);
  }
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{first_key, second_key}));
}

TEST_P(DownloadTest, OnlyThePasswordRevealsRevocation) {
  const auto [a, password] = Issued();
  ASSERT_TRUE(ra_->Revoke(Institution(kClinic), a.request_id, store::kReasonKeyCompromise).ok());
  EXPECT_EQ(Answer(a.request_id, "wrong-password"),
            Status(Code::kUnauthorized, kDownloadRefused).ToString());
  auto right = ra_->DownloadPkcs12(a.request_id, password, "x");
  EXPECT_EQ(right.status().code(), Code::kFailedPrecondition);
  EXPECT_TRUE(right.status().message().starts_with("revoked")) << right.status().ToString();
}

TEST_P(DownloadTest, AnUnknownIdTakesAboutAsLongAsAWrongPassword) {
  // A download KDF of tens of milliseconds, so that it stands out from the database work.
  RaOptions o;
  o.download_kdf = auth::KdfParams{2, 32 * 1024 * 1024};
  o.download_max_failures = 1000;
  Rebuild(o, /*fast_kdf=*/false);
  const auto [a, password] = Issued();
  // Both paths once unmeasured, then in turns: the allocator reuses the KDF's memory after
  // the first call, so measuring one path wholly before the other favoured the second.
  (void)Cost(a.request_id, "wrong-password");
  (void)Cost("29999999999999", "wrong-password");
  std::vector<std::chrono::nanoseconds> wrongs, unknowns;
  for (int i = 0; i < 7; ++i) {
    wrongs.push_back(Cost(a.request_id, "wrong-password"));
    unknowns.push_back(Cost("29999999999999", "wrong-password"));
  }
  std::sort(wrongs.begin(), wrongs.end());
  std::sort(unknowns.begin(), unknowns.end());
  const auto wrong = wrongs[wrongs.size() / 2];
  const auto unknown = unknowns[unknowns.size() / 2];
  // Without the dummy verification an unknown ID costs one read and one audit row, many
  // times less than a verification.
  EXPECT_GT(unknown * 2, wrong) << "unknown " << unknown.count() << " ns, wrong " << wrong.count()
                                << " ns";
}

INSTANTIATE_TEST_SUITE_P(Backends, DownloadTest, ::testing::Values("sqlite", "postgres"),
                         store::test::BackendName);

}  // namespace
}  // namespace claimsca::ra
