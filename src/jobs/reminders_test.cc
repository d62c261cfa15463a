// The daily reminders job's narrower read (jobs::EnqueueReminderMails with `covered`: the
// newly due end dates plus the applications written since the covered day) sends exactly
// the mails that reading the whole window at every run would, over random histories: run
// days with gaps, crashed and repeated runs; between them applications issued (long and
// short validity, ending anywhere inside the window), renewed (confirmed or not), renewals
// reverted (the old certificate current again), revoked, downloaded, an address added;
// some writes dated hours earlier by a node whose clock is behind. Two stores of the same
// back end get the same operations; after every run their outboxes hold the same keys.

#include "jobs/reminders.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "ca/program.h"
#include "common/iso_date.h"
#include "common/time_util.h"
#include "mail/outbox.h"
#include "store/store_test_fixture.h"

namespace claimsca::jobs {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using store::test::StoreTest;

// What the test knows of one application, to choose the next operation.
struct App {
  std::string rid;
  std::string serial;
  std::string common_name;
  Instant issued_at{};
  Instant not_after{};
  bool issued = false;  // and not revoked
  bool email = true;
  // An unconfirmed renewal: the certificate it replaced (restored by a revert).
  std::optional<store::RenewalResult> before_renewal;
};

class NarrowReminderTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    full_ = OtherStore();
    ASSERT_NE(full_, nullptr);
  }

  // Runs `op` on both stores; the test stops at the first failure.
  template <class Op>
  void Both(const char* what, Op op) {
    for (store::Store* s : {store_.get(), full_}) {
      const Status st = op(*s);
      ASSERT_TRUE(st.ok()) << what << " (" << (s == full_ ? "full" : "narrow")
                           << "): " << st.ToString();
    }
  }

  static store::AuditEvent Audit(const std::string& action, const std::string& rid, Instant at) {
    return {at, "operator:test", action, rid, "{}"};
  }

  std::string NextSerial() {
    char buf[16];
    std::snprintf(buf, sizeof buf, "7e%06x", ++serials_);
    return buf;
  }

  // A certificate row for `serial` (revocations of the application need it).
  void Certificate(const std::string& rid, const std::string& serial, Instant at,
                   Instant not_after) {
    store::CertificateRecord c = store::test::Intent(serial, "cn-" + serial);
    c.request_id = rid;
    c.not_before = at;
    c.not_after = not_after;
    c.created_at = at;
    Both("certificate", [&](store::Store& s) {
      RETURN_IF_ERROR(s.InsertIntent(c));
      return s.MarkIssued(serial, "cert-" + serial);
    });
  }

  void Issue(App& a, Instant at, Instant not_after, Instant download_deadline) {
    store::ApplicationRecord r;
    r.request_id = a.rid;
    r.program = "common";
    r.channel = "portal";
    r.account_id = "clinic@example.jp";
    r.applicant_kind = "institution";
    r.category = "1";
    r.prefecture = "01";
    r.score_table = "1";
    r.facility_code = "2345678";
    r.institution_code = "0112345678";
    r.institution_name = "医療法人";
    r.contact_name = "山田 太郎";
    r.phone = "03-1234-5678";
    r.email = a.email ? "yamada@example.jp" : "";
    r.terminal_name = "受付PC";
    r.register_version = 1;
    r.submitted_at = at - minutes(30);
    a.serial = NextSerial();
    a.common_name = "cn-" + a.serial;
    a.issued_at = at;
    a.not_after = not_after;
    Both("submit", [&](store::Store& s) -> Status {
      bool created = false;
      RETURN_IF_ERROR(
          s.InsertApplication(r, Audit("application.submit", a.rid, r.submitted_at), &created)
              .status());
      return s.ClaimApplication(a.rid, "approver", at - minutes(1), seconds(300));
    });
    Certificate(a.rid, a.serial, at, not_after);
    store::IssuanceResult res;
    res.serial = a.serial;
    res.common_name = a.common_name;
    res.issued_at = at;
    res.not_after = not_after;
    res.download_deadline = download_deadline;
    res.download_password_hash = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA";
    res.pkcs12_der = "p12";
    res.sealed_password = "sealed";
    store::FeeCharge fee;
    fee.kind = "new_application";
    fee.charge_date = IsoDate(JstDate(at));
    fee.issuance_fee_yen = 1500;
    fee.total_yen = 1500;
    fee.created_at = at;
    Both("issue", [&](store::Store& s) {
      return s.RecordIssued(a.rid, "approver", "reviewer:sato", at, res, fee,
                            Audit("application.issue", a.rid, at));
    });
    a.issued = true;
  }

  void Renew(App& a, Instant at, Instant not_after, bool confirmed) {
    store::RenewalResult r;
    r.previous_serial = a.serial;
    r.serial = NextSerial();
    r.common_name = "cn-" + r.serial;
    r.issued_at = at;
    r.not_after = not_after;
    r.supersede_previous = confirmed;
    Certificate(a.rid, r.serial, at, not_after);
    Both("renew", [&](store::Store& s) {
      return s.RecordRenewed(a.rid, r, store::FeeCharge{}, Audit("application.renew", a.rid, at));
    });
    if (!confirmed) {
      store::RenewalResult restore;
      restore.serial = a.serial;
      restore.common_name = a.common_name;
      restore.issued_at = a.issued_at;
      restore.not_after = a.not_after;
      a.before_renewal = restore;
    }
    a.serial = r.serial;
    a.common_name = r.common_name;
    a.issued_at = at;
    a.not_after = not_after;
  }

  // The holder rejects the renewed certificate: the one before is current again, with its
  // own (earlier) issuance time.
  void Revert(App& a, Instant at) {
    const store::RenewalResult restore = *a.before_renewal;
    Both("revert", [&](store::Store& s) {
      return s.RevertRenewal(a.rid, a.serial, restore, 0, Audit("renewal.revert", a.rid, at));
    });
    a.serial = restore.serial;
    a.common_name = restore.common_name;
    a.issued_at = restore.issued_at;
    a.not_after = restore.not_after;
    a.before_renewal.reset();
  }

  std::set<std::string> Keys(store::Store& s) {
    std::set<std::string> keys;
    const Status st = store::RunRead(s, [&](store::SqlTx& tx) -> Status {
      keys.clear();
      ASSIGN_OR_RETURN(std::vector<store::SqlRow> rows,
                       tx.Query("SELECT dedup_key FROM mail_outbox"));
      for (const store::SqlRow& r : rows) {
        ASSIGN_OR_RETURN(std::string k, r.Text(0));
        keys.insert(std::move(k));
      }
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return keys;
  }

  // One random history of `days` days from `start`.
  void Walk(uint32_t seed, Date start, int days_total) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937 rng(seed);
    const auto chance = [&](double p) { return std::uniform_real_distribution<>(0, 1)(rng) < p; };
    const auto uniform = [&](int lo, int hi) {
      return std::uniform_int_distribution<>(lo, hi)(rng);
    };
    FixedClock clock(JstMidnight(start));
    mail::Composer composer(clock, mail::OutboxOptions{});
    const ca::ProgramRegistry programs;
    std::vector<App> apps;
    std::optional<Date> covered;  // the narrow job's last finished day
    int down_until = -1;          // no runs before this day (the machine was off)
    int narrow_read = 0, full_read = 0, runs = 0, mails = 0;
    for (int d = 0; d < days_total; ++d) {
      const Date today{std::chrono::sys_days(start) + days(d)};
      const Instant midnight = JstMidnight(today);
      // The day's writes, in time order, around the run (09:00–12:00).
      const Instant run_at = midnight + hours(9) + minutes(uniform(0, 180));
      std::vector<Instant> writes;
      for (int n = uniform(0, 7); n > 0; --n)
        writes.push_back(midnight + minutes(uniform(0, 1439)));
      std::sort(writes.begin(), writes.end());
      bool ran = false;
      const auto run = [&]() {
        if (d < down_until) return;
        if (chance(0.03)) down_until = d + uniform(2, 20);
        if (chance(0.15)) return;  // a day without a run
        clock.Set(run_at);
        // Twice the same day now and then: the second reads the whole window.
        for (int again = chance(0.05) ? 2 : 1; again > 0; --again) {
          auto narrow = EnqueueReminderMails(*store_, composer, programs, run_at, covered);
          auto full = EnqueueReminderMails(*full_, composer, programs, run_at, std::nullopt);
          ASSERT_TRUE(narrow.ok()) << narrow.status().ToString();
          ASSERT_TRUE(full.ok()) << full.status().ToString();
          narrow_read += narrow->read;
          full_read += full->read;
          mails += full->expiry_mails + full->download_mails;
          ++runs;
          const std::set<std::string> want = Keys(*full_);
          ASSERT_EQ(Keys(*store_), want) << "after the run of " << IsoDate(today) << " (covered "
                                         << (covered ? IsoDate(*covered) : "none") << ")";
          // A run that crashed after writing is not recorded: the next one covers more.
          if (!chance(0.05)) covered = today;
        }
      };
      for (Instant w : writes) {
        if (!ran && w >= run_at) {
          run();
          ran = true;
          if (HasFatalFailure()) return;
        }
        // A write by a node whose clock is up to 8 hours behind (still on this JST day
        // once the run of 09:00 or later has happened, the bound docs/notices-and-mail.md
        // states).
        Instant at = w;
        if (chance(0.3)) at = std::max(midnight, w - minutes(uniform(0, 8 * 60)));
        const int what = uniform(0, 99);
        std::vector<App*> live;
        for (App& a : apps) {
          if (a.issued) live.push_back(&a);
        }
        App* pick = live.empty() ? nullptr : live[uniform(0, static_cast<int>(live.size()) - 1)];
        if (what < 40 || pick == nullptr) {
          // A new certificate: a long one, or a short one ending anywhere in the next 90 days.
          App a;
          char rid[32];
          std::snprintf(rid, sizeof rid, "2027%02u%08zu", seed % 100, apps.size() + 1);
          a.rid = rid;
          a.email = !chance(0.15);
          const Instant end = chance(0.3) ? at + days(365) : at + minutes(uniform(60, 90 * 1440));
          Issue(a, at, end, at + minutes(uniform(60, 40 * 1440)));
          apps.push_back(a);
        } else if (what < 55 && !pick->before_renewal) {
          const Instant end = chance(0.5) ? at + days(365) : at + minutes(uniform(60, 80 * 1440));
          Renew(*pick, at, end, chance(0.5));
        } else if (what < 65 && pick->before_renewal) {
          Revert(*pick, at);
        } else if (what < 70 && pick->before_renewal) {
          Both("confirm", [&](store::Store& s) {
            return s
                .ConfirmRenewal(pick->rid, pick->serial, Audit("renewal.confirm", pick->rid, at))
                .status();
          });
          pick->before_renewal.reset();
        } else if (what < 78) {
          Both("revoke", [&](store::Store& s) {
            return s.RevokeApplication(pick->rid, at, 1, std::nullopt, "operator:test",
                                       Audit("application.revoke", pick->rid, at));
          });
          pick->issued = false;
        } else if (what < 90) {
          Both("download", [&](store::Store& s) {
            return s.RecordDownloadSuccess(pick->rid, at, Audit("download.success", pick->rid, at));
          });
        } else if (!pick->email) {
          Both("edit", [&](store::Store& s) {
            return s
                .EditApplication(pick->rid, {{"email", "jimu@example.jp"}}, "operator:test", at,
                                 Audit("application.edit", pick->rid, at))
                .status();
          });
          pick->email = true;
        }
        if (HasFatalFailure()) return;
      }
      if (!ran) run();
      if (HasFatalFailure()) return;
      Both("purge",
           [&](store::Store& s) { return s.PurgeExpiredDownloads(midnight + hours(23)).status(); });
    }
    // The history exercised what it is about: many mails, most runs narrow.
    EXPECT_GT(mails, 100);
    EXPECT_GT(runs, days_total / 2);
    EXPECT_LT(narrow_read * 2, full_read) << "the narrow runs read the whole window";
  }

  store::Store* full_ = nullptr;
  int serials_ = 0;
};

TEST_P(NarrowReminderTest, SendsWhatTheWholeWindowWouldOverRandomHistories) {
  const Date start{std::chrono::year(2027), std::chrono::month(1), std::chrono::day(4)};
  for (uint32_t seed : {1u, 2u, 3u}) {
    Walk(seed, Date{std::chrono::sys_days(start) + days(200 * (seed - 1))}, 100);
    if (HasFatalFailure()) return;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, NarrowReminderTest, ::testing::Values("sqlite", "postgres"),
                         store::test::BackendName);

}  // namespace
}  // namespace claimsca::jobs
