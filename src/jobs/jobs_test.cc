// The job runner (daily due times, one day at a time, leases, a failed run runs again) and
// the on-screen reminder walked over every day of a certificate's life, on both back ends.

#include <gtest/gtest.h>

#include <map>
#include <thread>
#include <vector>

#include "billing/ledger_test_fixture.h"
#include "common/iso_date.h"
#include "common/time_util.h"
#include "jobs/live_marker.h"
#include "jobs/reminders.h"
#include "jobs/renewal_failures.h"
#include "jobs/runner.h"
#include "store/store_test_fixture.h"

namespace claimsca::jobs {
namespace {

using namespace store::test;  // NOLINT: the shared fixture and helpers

Instant At(const char* text) { return ParseInstant(text).value(); }

class JobsTest : public StoreTest {};

TEST_P(JobsTest, DailyJobsRunOncePerDayFromTheirTime) {
  FixedClock clock(At("2026-11-24T08:59"));
  Runner runner(*store_, clock, "host:1");
  int daily = 0, every = 0, failing = 0;
  bool fail_now = true;
  runner.Add(
      {"daily", 9 * 60, [&](Instant) -> Result<std::string> { return std::to_string(++daily); }});
  runner.Add({"every", std::nullopt,
              [&](Instant) -> Result<std::string> { return std::to_string(++every); }});
  runner.Add({"flaky", 9 * 60, [&](Instant) -> Result<std::string> {
                ++failing;
                if (fail_now) return Unavailable("smtp down");
                return std::string("ok");
              }});
  auto by_name = [](const std::vector<JobOutcome>& v) {
    std::map<std::string, JobOutcome> m;
    for (const auto& o : v) m[o.name] = o;
    return m;
  };
  auto r = by_name(runner.RunDue());
  EXPECT_TRUE(r["daily"].skipped);  // before 09:00 JST
  EXPECT_EQ(daily, 0);
  EXPECT_EQ(every, 1);
  clock.Set(At("2026-11-24T09:00"));
  r = by_name(runner.RunDue());
  EXPECT_EQ(daily, 1);
  EXPECT_FALSE(r["flaky"].status.ok());
  clock.Set(At("2026-11-24T18:00"));
  r = by_name(runner.RunDue());
  EXPECT_EQ(daily, 1) << "once per day";
  EXPECT_EQ(failing, 2) << "a failed daily run is not recorded: it runs again";
  fail_now = false;
  clock.Set(At("2026-11-24T19:00"));
  r = by_name(runner.RunDue());
  EXPECT_TRUE(r["flaky"].status.ok());
  clock.Set(At("2026-11-24T20:00"));
  runner.RunDue();
  EXPECT_EQ(failing, 3);
  // The next JST day (UTC still says the 24th at 15:30Z = 00:30 JST, not due before 09:00).
  clock.Set(At("2026-11-25T00:30"));
  runner.RunDue();
  EXPECT_EQ(daily, 1);
  clock.Set(At("2026-11-25T09:30"));
  runner.RunDue({"daily"});
  EXPECT_EQ(daily, 2);
  EXPECT_EQ(every, 6) << "--job daily runs only that one";
  EXPECT_EQ(**store_->LastJobDay("daily"), "2026-11-25");
}

TEST_P(JobsTest, AJobLeasedByAnotherProcessIsSkipped) {
  FixedClock clock(At("2026-11-24T10:00"));
  ASSERT_TRUE(*store_->TryLease("job:every", "other:2", clock.Now(), std::chrono::minutes(30)));
  Runner runner(*store_, clock, "host:1");
  int every = 0;
  runner.Add({"every", std::nullopt,
              [&](Instant) -> Result<std::string> { return std::to_string(++every); }});
  auto r = runner.RunDue();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(r[0].skipped);
  EXPECT_EQ(every, 0);
  clock.Set(At("2026-11-24T10:31"));  // the other's lease ran out (it died)
  runner.RunDue();
  EXPECT_EQ(every, 1);
}

// Issue 22 point 2: a running job keeps its lease however short its ttl (the heartbeat
// renews it), and the lease of a holder that died runs out one ttl after its last renewal,
// when another process takes the job over.
TEST_P(JobsTest, AHeartbeatKeepsTheLeaseOfARunningJobAndADeadHoldersRunsOut) {
  FixedClock clock(At("2026-11-24T10:00"));
  Runner runner(*store_, clock, "host:1");
  runner.SetDefaultLease(std::chrono::seconds(1));
  Result<bool> taken_meanwhile = false;
  runner.Add({"long", std::nullopt, [&](Instant) -> Result<std::string> {
                // The job runs 3 ttl's long (by its clock); a heartbeat renews the lease
                // every third of the ttl (333 ms).
                for (int i = 0; i < 3; ++i) {
                  clock.Advance(std::chrono::seconds(1));
                  std::this_thread::sleep_for(std::chrono::milliseconds(600));
                }
                taken_meanwhile =
                    store_->TryLease("job:long", "host:2", clock.Now(), std::chrono::seconds(1));
                return std::string("done");
              }});
  auto r = runner.RunDue();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(r[0].status.ok()) << r[0].status.ToString();
  EXPECT_FALSE(r[0].skipped);
  ASSERT_TRUE(taken_meanwhile.ok());
  EXPECT_FALSE(*taken_meanwhile) << "another process took the lease of a running job";

  // host:9 takes the lease and dies (never renews, never releases).
  ASSERT_TRUE(*store_->TryLease("job:long", "host:9", clock.Now(), std::chrono::seconds(1)));
  r = runner.RunDue();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(r[0].skipped);
  EXPECT_TRUE(r[0].elsewhere) << "held by host:9";
  clock.Advance(std::chrono::seconds(1));  // host:9's lease ran out
  taken_meanwhile = false;
  r = runner.RunDue();
  EXPECT_FALSE(r[0].skipped) << "taken over";
  EXPECT_FALSE(r[0].elsewhere);
}

// Issue 23 item 10: a rehearsal (`jobs run --at` a year ahead) on the live database leaves
// no lease and no recorded day that keeps the running service from its jobs today.
TEST_P(JobsTest, ARehearsalInTheFutureDoesNotStopTodaysJobs) {
  FixedClock real(At("2026-12-06T10:00"));
  FixedClock rehearsal(At("2027-06-01T10:00"));
  int daily = 0, every = 0;
  auto add_jobs = [&](Runner& r) {
    r.Add(
        {"daily", 9 * 60, [&](Instant) -> Result<std::string> { return std::to_string(++daily); }});
    r.Add({"every", std::nullopt,
           [&](Instant) -> Result<std::string> { return std::to_string(++every); }});
  };
  Runner rehearse(*store_, rehearsal, "rehearsal:1", &real);
  add_jobs(rehearse);
  rehearse.RunDue();
  ASSERT_EQ(daily, 1);
  ASSERT_EQ(**store_->LastJobDay("daily"), "2027-06-01");
  // The lease was taken and released on the real clock: free for another holder now.
  EXPECT_TRUE(*store_->TryLease("job:every", "probe", real.Now(), std::chrono::seconds(0)));

  Runner live(*store_, real, "live:2", &real);
  add_jobs(live);
  for (const JobOutcome& o : live.RunDue()) {
    EXPECT_TRUE(o.status.ok()) << o.name << ": " << o.status.ToString();
    EXPECT_FALSE(o.skipped) << o.name << ": " << o.summary;
  }
  EXPECT_EQ(daily, 2) << "today's daily run despite the day recorded in 2027";
  EXPECT_EQ(every, 2);
  EXPECT_EQ(**store_->LastJobDay("daily"), "2026-12-06");
  live.RunDue();
  EXPECT_EQ(daily, 2) << "still once per day";
}

TEST_P(JobsTest, AJobNotDueByItsGateTakesNoLease) {
  FixedClock clock(At("2026-11-24T10:00"));
  Runner runner(*store_, clock, "host:1");
  bool due = false;
  int runs = 0;
  Job job{"gated", std::nullopt,
          [&](Instant) -> Result<std::string> { return std::to_string(++runs); }};
  job.due = [&](Instant) -> Result<bool> { return due; };
  runner.Add(job);
  auto r = runner.RunDue();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(r[0].skipped);
  EXPECT_EQ(r[0].summary, "not due");
  EXPECT_EQ(runs, 0);
  due = true;
  r = runner.RunDue();
  EXPECT_FALSE(r[0].skipped);
  EXPECT_EQ(runs, 1);
}

TEST_P(JobsTest, TheLiveMarkerIsHeldWhileRenewedAndLapsesAfterItsTtl) {
  FixedClock real(At("2026-12-06T10:00"));
  EXPECT_FALSE(*IsServiceLive(*store_, "probe:1", real.Now())) << "no serve yet";
  LiveMarker a(*store_, real, "serve:a", std::chrono::seconds(60), std::chrono::seconds(180));
  LiveMarker b(*store_, real, "serve:b", std::chrono::seconds(60), std::chrono::seconds(180));
  ASSERT_TRUE(*a.Renew());
  EXPECT_FALSE(*b.Renew()) << "one holder at a time; b is live all the same";
  EXPECT_TRUE(*IsServiceLive(*store_, "probe:1", real.Now()));
  real.Advance(std::chrono::seconds(179));
  EXPECT_TRUE(*IsServiceLive(*store_, "probe:1", real.Now())) << "the probe took nothing";
  real.Advance(std::chrono::seconds(1));  // a stopped without releasing: lapses after its ttl
  EXPECT_TRUE(*b.Renew()) << "another serve takes over";
  EXPECT_TRUE(*IsServiceLive(*store_, "probe:1", real.Now()));
  real.Advance(std::chrono::seconds(180));
  EXPECT_FALSE(*IsServiceLive(*store_, "probe:1", real.Now()));
  // Start holds it before returning; Stop releases it.
  LiveMarker c(*store_, real, "serve:c", std::chrono::seconds(60), std::chrono::seconds(180));
  c.Start();
  EXPECT_TRUE(*IsServiceLive(*store_, "probe:1", real.Now()));
  c.Stop();
  EXPECT_FALSE(*IsServiceLive(*store_, "probe:1", real.Now()));
}

TEST(ParseTimeOfDay, AcceptsOnlyHhMm) {
  EXPECT_EQ(*ParseTimeOfDay("00:00", "x"), 0);
  EXPECT_EQ(*ParseTimeOfDay("14:30", "x"), 870);
  for (const char* bad : {"24:00", "9:00", "09:60", "0900", "", "09:00 "}) {
    EXPECT_FALSE(ParseTimeOfDay(bad, "x").ok()) << bad;
  }
}

TEST_P(JobsTest, TheExpiryDialogFollowsTheScreenScheduleEveryDay) {
  store::CertificateRecord cert = Intent("5e01", "cn-1");
  cert.not_before = At("2026-11-24T10:00");
  cert.not_after = At("2030-02-24T10:00");
  // A terminal that asks every morning (twice on some days) from issuance to its end.
  std::vector<int> shown;
  for (Instant day = At("2026-11-25T08:00"); day < cert.not_after; day += std::chrono::hours(24)) {
    auto r = ScreenReminderFor(*store_, cert, day);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    if (r->show) {
      shown.push_back(r->days_left);
      EXPECT_NE(r->message.find("有効期限"), std::string::npos);
      auto again = ScreenReminderFor(*store_, cert, day + std::chrono::hours(1));
      EXPECT_TRUE(again->show) << "asked again the same day";
    }
  }
  EXPECT_EQ(shown, (std::vector<int>{90, 60, 30, 15, 7, 6, 5, 4, 3, 2, 1, 0}));
  // A terminal that was off from 95 to 85 days before: shown on the first day back.
  store::CertificateRecord other = cert;
  other.serial = "5e02";
  EXPECT_FALSE(ScreenReminderFor(*store_, other, At("2029-11-20T08:00"))->show);  // 96 days
  auto back = ScreenReminderFor(*store_, other, At("2029-11-30T08:00"));
  EXPECT_TRUE(back->show);
  EXPECT_EQ(back->days_left, 86);
  EXPECT_FALSE(ScreenReminderFor(*store_, other, At("2030-02-24T10:00"))->show) << "expired";
}

// Issue 24 point 11: "renewal is failing" — failures reported on three different days
// mail the institution once; reports of one day count once; a renewed (no longer
// current) or ended certificate gets nothing.
class RenewalFailingTest : public billing::testing::LedgerFixture {};

TEST_P(RenewalFailingTest, FailuresOnThreeDaysMailTheInstitutionOnce) {
  Approve("20270115000001", billing::testing::kClinic, "5e01", "2027-01-15");
  auto cert = store_->GetCertificate("5e01");
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  FixedClock clock(kT0);
  mail::Composer composer(clock, mail::OutboxOptions{});
  auto mails = [&](Instant at) {
    auto r = EnqueueRenewalFailingMails(*store_, composer, kRenewalFailingDays, at);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->mails * 10 + r->already_sent : -1;
  };
  const Instant day1 = kT0 + std::chrono::days(300);
  auto r = RecordRenewalFailure(*store_, *cert, "server down or unreachable", "192.0.2.7", day1);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->days, 1);
  r = RecordRenewalFailure(*store_, *cert, "again", "192.0.2.7", day1 + std::chrono::hours(1));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->reports, 2);
  EXPECT_EQ(r->days, 1) << "two reports of one day are one day";
  EXPECT_EQ(mails(day1), 0);
  ASSERT_TRUE(RecordRenewalFailure(*store_, *cert, "x", "c", day1 + std::chrono::days(1)).ok());
  EXPECT_EQ(mails(day1 + std::chrono::days(1)), 0) << "two days are not enough";
  // A long reason is kept to 500 bytes, not cutting a character.
  const std::string long_reason(600, 'a');
  r = RecordRenewalFailure(*store_, *cert, "あ" + long_reason, "c", day1 + std::chrono::days(5));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->days, 3);
  EXPECT_EQ(mails(day1 + std::chrono::days(5)), 10) << "one mail on the third day";
  EXPECT_EQ(mails(day1 + std::chrono::days(6)), 1) << "never twice";
  auto due = store_->DueMail(day1 + std::chrono::days(7), 100);
  ASSERT_TRUE(due.ok());
  int failing = 0;
  for (const auto& m : *due) {
    if (m.kind != "renewal_failing") continue;
    ++failing;
    EXPECT_EQ(m.recipient, "yamada@example.jp");
    EXPECT_EQ(m.dedup_key, "5e01|renewal_failing");
  }
  EXPECT_EQ(failing, 1);
  // Refused: no reason; a certificate past its end.
  EXPECT_EQ(RecordRenewalFailure(*store_, *cert, "", "c", day1).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(RecordRenewalFailure(*store_, *cert, "x", "c", cert->not_after).status().code(),
            Code::kFailedPrecondition);
  EXPECT_EQ(EnqueueRenewalFailingMails(*store_, composer, 0, day1).status().code(),
            Code::kInvalidArgument);
}

TEST_P(RenewalFailingTest, OnlyTheCurrentValidCertificateIsMailedAbout) {
  Approve("20270115000001", billing::testing::kClinic, "5e01", "2027-01-15");
  Approve("20270115000002", billing::testing::kClinic, "5e02", "2027-01-15");
  FixedClock clock(kT0);
  mail::Composer composer(clock, mail::OutboxOptions{});
  // 5e03: a certificate of the first application that is not its current one.
  Certificate("20270115000001", "5e03", billing::testing::kClinic);
  for (const char* serial : {"5e02", "5e03"}) {
    auto cert = store_->GetCertificate(serial);
    ASSERT_TRUE(cert.ok());
    for (int d = 0; d < 3; ++d) {
      ASSERT_TRUE(
          RecordRenewalFailure(*store_, *cert, "x", "c", kT0 + std::chrono::days(100 + d)).ok());
    }
  }
  // After the end of 5e02 nothing is due; before, only 5e02 (5e03 is not current).
  auto after =
      EnqueueRenewalFailingMails(*store_, composer, 3, store_->GetCertificate("5e02")->not_after);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->mails, 0);
  auto before = EnqueueRenewalFailingMails(*store_, composer, 3, kT0 + std::chrono::days(103));
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->mails, 1);
}

// The daily reminders read only the end dates that entered a stage since the last day
// covered (domain::NewlyDueEndDates): walked day by day over a certificate's last 80 days,
// each stage is mailed once, and a day inside a stage reads nothing at all.
TEST_P(RenewalFailingTest, DailyRemindersReadOnlyWhatBecameDue) {
  Approve("20270115000001", billing::testing::kClinic, "5e01", "2027-01-15");
  Approve("20270115000002", billing::testing::kClinic, "5e02", "2027-01-15");
  FixedClock clock(kT0);
  mail::Composer composer(clock, mail::OutboxOptions{});
  const ca::ProgramRegistry programs;
  auto cert = store_->GetCertificate("5e01");
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  const Date end = JstDate(cert->not_after);
  std::optional<Date> covered;
  int expiry = 0;
  std::vector<int> read_on_mid_stage;
  for (int left = 80; left >= -1; --left) {
    const Date today{std::chrono::sys_days(end) - std::chrono::days(left)};
    const Instant at = JstMidnight(today) + std::chrono::hours(9);
    auto r = EnqueueReminderMails(*store_, composer, programs, at, covered);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->already_sent, 0) << "nothing due twice on day " << left;
    expiry += r->expiry_mails;
    if (left == 50 || left == 20) read_on_mid_stage.push_back(r->read);
    covered = today;
  }
  // 75, 60, 45, 30, 15, 7..0 for each of the two certificates.
  EXPECT_EQ(expiry, 2 * 13);
  EXPECT_EQ(read_on_mid_stage, (std::vector<int>{0, 0}));
  // A run that reads the whole window (a first run) finds everything sent already.
  const Instant last = JstMidnight(end) + std::chrono::hours(9);
  auto whole = EnqueueReminderMails(*store_, composer, programs, last, std::nullopt);
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole->expiry_mails, 0);
  EXPECT_EQ(whole->already_sent, 2);
  EXPECT_EQ(whole->read, 2);
}

INSTANTIATE_TEST_SUITE_P(Backends, RenewalFailingTest, ::testing::Values("sqlite", "postgres"),
                         store::test::BackendName);

INSTANTIATE_TEST_SUITE_P(Backends, JobsTest, ::testing::Values("sqlite", "postgres"), BackendName);

}  // namespace
}  // namespace claimsca::jobs
