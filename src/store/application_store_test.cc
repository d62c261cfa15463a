// ApplicationStore on both back ends: every method, every state rule, idempotency,
// concurrent claims, audit rows, and nothing written on error.

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/bulk_store.h"
#include "store/slip_store.h"
#include "store/store.h"
#include "store/store_test_fixture.h"

namespace claimsca::store {
namespace {

using namespace test;  // NOLINT: the shared fixture and helpers

constexpr char kHostile[] =
    "テスト中です#%& * > ? @ 'quoted' \"dq\" '; DROP TABLE applications; --";
constexpr char kHolder[] = "approver-1";
constexpr seconds kDay{86400};

std::string RequestId(int i) {
  std::string n = std::to_string(i);
  return "2026" + std::string(10 - n.size(), '0') + n;
}

// Every field, so that a comparison shows any change.
std::string Dump(const ApplicationRecord& a) {
  auto t = [](const std::optional<Instant>& v) {
    return v ? std::to_string(v->time_since_epoch().count()) : std::string("-");
  };
  std::string out;
  for (const std::string* f : {&a.request_id,
                               &a.program,
                               &a.channel,
                               &a.account_id,
                               &a.idempotency_key,
                               &a.applicant_kind,
                               &a.category,
                               &a.prefecture,
                               &a.score_table,
                               &a.facility_code,
                               &a.institution_code,
                               &a.institution_name,
                               &a.contact_name,
                               &a.phone,
                               &a.email,
                               &a.terminal_name,
                               &a.hold_reason,
                               &a.decided_by,
                               &a.reject_reason,
                               &a.serial,
                               &a.common_name,
                               &a.download_password_hash,
                               &a.pkcs12_der,
                               &a.sealed_password,
                               &a.revoked_by,
                               &a.claim_holder}) {
    out += *f + "|";
  }
  out += std::string(ApplicationStateName(a.state)) + "|" + std::to_string(a.seq) + "|" +
         std::to_string(a.register_version) + "|" + t(a.submitted_at) + "|" + t(a.decided_at) +
         "|" + t(a.issued_at) + "|" + t(a.not_after) + "|" + t(a.download_deadline) + "|" +
         std::to_string(a.download_failures) + "|" + t(a.download_locked_until) + "|" +
         std::to_string(a.download_count) + "|" + t(a.last_downloaded_at) + "|" +
         t(a.cancelled_at) + "|" + t(a.revoked_at) + "|" + std::to_string(a.revocation_reason) +
         "|" + t(a.claim_until);
  return out;
}

class ApplicationStoreTest : public StoreTest {
 protected:
  ApplicationRecord App(int i, const std::string& code = "1312345678") {
    ApplicationRecord a;
    a.request_id = RequestId(i);
    a.program = "common";
    a.channel = "portal";
    a.account_id = "clinic@example.jp";
    a.applicant_kind = "institution";
    a.category = "1";
    a.prefecture = "13";
    a.score_table = "1";
    a.facility_code = "2345678";
    a.institution_code = code;
    a.institution_name = std::string("医療法人 ") + kHostile;
    a.contact_name = "山田 太郎";
    a.phone = "03-1234-5678";
    a.email = "yamada@example.jp";
    a.terminal_name = "受付端末 1";
    a.register_version = 3;
    a.submitted_at = kT0 + seconds(i);
    return a;
  }

  static AuditEvent Audit(const std::string& action, const std::string& subject) {
    AuditEvent e;
    e.at = kT0;
    e.actor = "operator:tanaka";
    e.action = action;
    e.subject = subject;
    e.details = "{}";
    return e;
  }

  static IssuanceResult Issuance(const std::string& serial, Instant deadline = kT0 + 180 * kDay) {
    IssuanceResult r;
    r.serial = serial;
    r.common_name = "cn-" + serial;
    r.issued_at = kT0 + seconds(10);
    r.not_after = kT0 + 365 * kDay;
    r.download_deadline = deadline;
    r.download_password_hash = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA";
    r.pkcs12_der = std::string("\x30\x82\x00\xffp12", 7);
    r.sealed_password = std::string("sealed\x00\xff", 8);
    return r;
  }

  static FeeCharge Fee(const std::string& rid, const std::string& date = "2027-01-15") {
    FeeCharge f;
    f.request_id = rid;
    f.kind = "new_application";
    f.charge_date = date;
    f.issuance_fee_yen = 1100;
    f.mailing_fee_yen = 550;
    f.total_yen = 1650;
    f.created_at = kT0 + seconds(10);
    return f;
  }

  ApplicationRecord Insert(const ApplicationRecord& a) {
    bool created = false;
    auto got = store_->InsertApplication(a, Audit("application.submit", a.request_id), &created);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_TRUE(created);
    return got.ok() ? *got : ApplicationRecord{};
  }

  // Signs a certificate for the application (intent + issued, request_id recorded).
  void StoreCertificate(const std::string& rid, const std::string& serial,
                        const std::string& code = "1312345678") {
    CertificateRecord c = Intent(serial, "cn-" + serial);
    c.request_id = rid;
    c.institution_code = code;
    ASSERT_OK(store_->InsertIntent(c));
    ASSERT_OK(store_->MarkIssued(serial, "cert-" + serial));
  }

  // pending -> issued, through claim, certificate and RecordIssued.
  void IssueApp(const std::string& rid, const std::string& serial,
                Instant deadline = kT0 + 180 * kDay) {
    ASSERT_OK(store_->ClaimApplication(rid, kHolder, kT0, seconds(300)));
    auto app = store_->GetApplication(rid);
    ASSERT_TRUE(app.ok());
    StoreCertificate(rid, serial, app->institution_code);
    ASSERT_OK(store_->RecordIssued(rid, kHolder, "reviewer:sato", kT0 + seconds(10),
                                   Issuance(serial, deadline), Fee(rid),
                                   Audit("application.issue", rid)));
  }

  // A fresh application (number i) in `state`.
  void MakeInState(int i, ApplicationState state) {
    const std::string rid = RequestId(i);
    Insert(App(i));
    const std::string serial = "5e" + std::to_string(i);
    switch (state) {
      case ApplicationState::kPending:
        return;
      case ApplicationState::kIssued:
        return IssueApp(rid, serial);
      case ApplicationState::kRejected:
        ASSERT_OK(store_->RejectApplication(rid, "書類不備", "reviewer:sato", kT0 + seconds(5),
                                            Audit("application.reject", rid)));
        return;
      case ApplicationState::kCancelled:
        ASSERT_OK(store_->CancelApplication(rid, "clinic@example.jp", kT0 + seconds(5),
                                            Audit("application.cancel", rid)));
        return;
      case ApplicationState::kRevoked:
        IssueApp(rid, serial);
        ASSERT_OK(store_->RevokeApplication(rid, kT0 + seconds(20), kReasonCessationOfOperation,
                                            std::nullopt, "operator:tanaka",
                                            Audit("application.revoke", rid)));
        return;
    }
  }

  int64_t AuditRows() {
    int64_t n = -1;
    Status st = store_->VerifyAuditChain(&n);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return n;
  }

  std::string DumpOf(const std::string& rid) {
    auto a = store_->GetApplication(rid);
    return a.ok() ? Dump(*a) : a.status().ToString();
  }
};

TEST_P(ApplicationStoreTest, StateNamesRoundTrip) {
  for (ApplicationState s :
       {ApplicationState::kPending, ApplicationState::kIssued, ApplicationState::kRejected,
        ApplicationState::kCancelled, ApplicationState::kRevoked}) {
    auto parsed = ParseApplicationState(ApplicationStateName(s));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, s);
  }
  EXPECT_EQ(ApplicationStateName(ApplicationState::kCancelled), "cancelled");
  EXPECT_CODE(ParseApplicationState("expired").status(), kInvalidArgument);
  EXPECT_CODE(ParseApplicationState("").status(), kInvalidArgument);
}

TEST_P(ApplicationStoreTest, InsertAndGetRoundTripHostileText) {
  ApplicationRecord in = App(1);
  in.contact_name = kHostile;
  in.terminal_name = "端末'\"\\%_\n\t";
  in.hold_reason = kHostile;
  in.idempotency_key = "'; DROP TABLE applications; --";
  ApplicationRecord got = Insert(in);
  EXPECT_GT(got.seq, 0);
  auto read = store_->GetApplication(in.request_id);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ApplicationRecord want = in;
  want.seq = got.seq;
  EXPECT_EQ(Dump(*read), Dump(want));
  EXPECT_EQ(read->institution_name, std::string("医療法人 ") + kHostile);
  EXPECT_EQ(read->state, ApplicationState::kPending);
  EXPECT_FALSE(read->decided_at.has_value());
  EXPECT_EQ(read->revocation_reason, -1);
  EXPECT_CODE(store_->GetApplication(RequestId(2)).status(), kNotFound);
  EXPECT_CODE(store_->GetApplication("'; DROP TABLE applications; --").status(), kNotFound);
  EXPECT_EQ(AuditRows(), 1);
}

TEST_P(ApplicationStoreTest, InsertValidationWritesNothing) {
  struct Case {
    const char* name;
    std::function<void(ApplicationRecord&)> mutate;
  };
  const std::vector<Case> cases = {
      {"issued state", [](ApplicationRecord& a) { a.state = ApplicationState::kIssued; }},
      {"revoked state", [](ApplicationRecord& a) { a.state = ApplicationState::kRevoked; }},
      {"short request_id", [](ApplicationRecord& a) { a.request_id = "2026"; }},
      {"hostile request_id", [](ApplicationRecord& a) { a.request_id = "'; DROP TABLE x--"; }},
      {"no program", [](ApplicationRecord& a) { a.program.clear(); }},
      {"no channel", [](ApplicationRecord& a) { a.channel.clear(); }},
      {"no code", [](ApplicationRecord& a) { a.institution_code.clear(); }},
      {"serial", [](ApplicationRecord& a) { a.serial = "01"; }},
      {"claim", [](ApplicationRecord& a) { a.claim_holder = "x"; }},
      {"negative version", [](ApplicationRecord& a) { a.register_version = -1; }},
  };
  for (const Case& c : cases) {
    ApplicationRecord a = App(1);
    c.mutate(a);
    bool created = true;
    auto got = store_->InsertApplication(a, Audit("application.submit", "x"), &created);
    EXPECT_CODE(got.status(), kInvalidArgument) << c.name;
    EXPECT_FALSE(created) << c.name;
  }
  // An audit event without an actor fails inside the transaction: the row goes too.
  AuditEvent bad = Audit("application.submit", RequestId(1));
  bad.actor.clear();
  EXPECT_CODE(store_->InsertApplication(App(1), bad, nullptr).status(), kInvalidArgument);
  EXPECT_CODE(store_->GetApplication(RequestId(1)).status(), kNotFound);
  ApplicationFilter all;
  EXPECT_TRUE(store_->ListApplications(all)->items.empty());
  EXPECT_EQ(AuditRows(), 0);
}

TEST_P(ApplicationStoreTest, RequestIdTakenIsConflict) {
  Insert(App(1));
  ApplicationRecord again = App(1);
  again.account_id = "other@example.jp";
  bool created = true;
  EXPECT_CODE(store_->InsertApplication(again, Audit("application.submit", "x"), &created).status(),
              kConflict);
  EXPECT_FALSE(created);
  EXPECT_EQ(store_->GetApplication(RequestId(1))->account_id, "clinic@example.jp");
  EXPECT_EQ(AuditRows(), 1);
}

TEST_P(ApplicationStoreTest, IdempotencyKey) {
  ApplicationRecord a = App(1);
  a.idempotency_key = "key-1";
  ApplicationRecord first = Insert(a);
  // Same (channel, account, key), another request_id: the stored one comes back.
  ApplicationRecord retry = App(2);
  retry.idempotency_key = "key-1";
  bool created = true;
  auto got = store_->InsertApplication(retry, Audit("application.submit", "x"), &created);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_FALSE(created);
  EXPECT_EQ(got->request_id, RequestId(1));
  EXPECT_EQ(got->seq, first.seq);
  EXPECT_CODE(store_->GetApplication(RequestId(2)).status(), kNotFound);
  // Another account, or another channel, with the same key: a new application.
  ApplicationRecord other_account = App(3);
  other_account.idempotency_key = "key-1";
  other_account.account_id = "other@example.jp";
  Insert(other_account);
  ApplicationRecord other_channel = App(4);
  other_channel.idempotency_key = "key-1";
  other_channel.channel = "api";
  Insert(other_channel);
  // No key: never deduplicated.
  Insert(App(5));
  Insert(App(6));
  ApplicationFilter all;
  EXPECT_EQ(store_->ListApplications(all)->items.size(), 5u);
  EXPECT_EQ(AuditRows(), 5);  // the deduplicated retry appended nothing
}

TEST_P(ApplicationStoreTest, ConcurrentIdempotentInsertsMakeOneRow) {
  constexpr int kThreads = 8;
  auto other = OpenStore(url_);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  std::atomic<int> made{0};
  std::vector<std::string> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    Store* s = t % 2 == 0 ? store_.get() : other->get();
    threads.emplace_back([&, s, t] {
      ApplicationRecord a = App(100 + t);
      a.idempotency_key = "same-key";
      bool created = false;
      auto got = s->InsertApplication(a, Audit("application.submit", a.request_id), &created);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      if (created) ++made;
      ids[t] = got->request_id;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(made.load(), 1);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 1u);
  ApplicationFilter all;
  EXPECT_EQ(store_->ListApplications(all)->items.size(), 1u);
  EXPECT_EQ(AuditRows(), 1);
}

// Every operation in every state: allowed, or the exact error, and nothing written then.
TEST_P(ApplicationStoreTest, StateRules) {
  using S = ApplicationState;
  enum Op { kClaim, kRelease, kIssue, kReject, kCancel, kRevoke, kEdit, kDlFail, kDlOk, kTake };
  const char* op_names[] = {"claim",  "release", "issue",   "reject", "cancel",
                            "revoke", "edit",    "dl_fail", "dl_ok",  "take"};
  const Code OK = Code::kOk, FP = Code::kFailedPrecondition;
  const std::map<S, std::vector<Code>> want = {
      //                  claim release issue reject cancel revoke edit fail ok  take
      {S::kPending, {OK, OK, OK, OK, OK, FP, FP, FP, FP, FP}},
      {S::kIssued, {FP, OK, FP, FP, FP, OK, OK, OK, OK, OK}},
      {S::kRejected, {FP, OK, FP, FP, FP, FP, FP, FP, FP, FP}},
      {S::kCancelled, {FP, OK, FP, FP, FP, FP, FP, FP, FP, FP}},
      {S::kRevoked, {FP, OK, FP, FP, FP, FP, FP, FP, FP, OK}},
  };
  int n = 0;
  for (const auto& [state, codes] : want) {
    for (int op = kClaim; op <= kTake; ++op) {
      const int i = ++n;
      MakeInState(i, state);
      const std::string rid = RequestId(i);
      if (op == kIssue && state == S::kPending) {
        ASSERT_OK(store_->ClaimApplication(rid, kHolder, kT0, seconds(300)));
        StoreCertificate(rid, "ff" + std::to_string(i));
      }
      const std::string before = DumpOf(rid);
      const int64_t audit_before = AuditRows();
      const Instant at = kT0 + seconds(1000);
      const AuditEvent ev = Audit(op_names[op], rid);
      Status st;
      switch (op) {
        case kClaim:
          st = store_->ClaimApplication(rid, "approver-2", at, seconds(60));
          break;
        case kRelease:
          st = store_->ReleaseClaim(rid, "approver-2");
          break;
        case kIssue:
          st = store_->RecordIssued(rid, kHolder, "reviewer:sato", at,
                                    Issuance("ff" + std::to_string(i)), Fee(rid), ev);
          break;
        case kReject:
          st = store_->RejectApplication(rid, "不備", "reviewer:sato", at, ev);
          break;
        case kCancel:
          st = store_->CancelApplication(rid, "clinic@example.jp", at, ev);
          break;
        case kRevoke:
          st = store_->RevokeApplication(rid, at, kReasonKeyCompromise, std::nullopt,
                                         "operator:tanaka", ev);
          break;
        case kEdit:
          st = store_->EditApplication(rid, {{"phone", "03-0000-0000"}}, "operator:tanaka", at, ev)
                   .status();
          break;
        case kDlFail:
          st = store_->RecordDownloadFailure(rid, at, 5, seconds(600), ev).status();
          break;
        case kDlOk:
          st = store_->RecordDownloadSuccess(rid, at, ev);
          break;
        case kTake:
          st = store_->TakeSealedPassword(rid, ev).status();
          break;
      }
      const std::string where = std::string(ApplicationStateName(state)) + " x " + op_names[op];
      EXPECT_EQ(st.code(), codes[op]) << where << ": " << st.ToString();
      if (st.code() == FP) {
        EXPECT_NE(st.message().find(std::string("is ") + std::string(ApplicationStateName(state))),
                  std::string::npos)
            << where << ": " << st.message();
      }
      const bool writes = op != kClaim && op != kRelease;
      if (!st.ok()) {
        EXPECT_EQ(DumpOf(rid), before) << where;
        EXPECT_EQ(AuditRows(), audit_before) << where;
      } else if (writes) {
        EXPECT_EQ(AuditRows(), audit_before + 1) << where;
      }
      // Unknown request ids: NotFound for every operation.
    }
  }
  const std::string none = RequestId(99999);
  const AuditEvent ev = Audit("x", none);
  EXPECT_CODE(store_->ClaimApplication(none, kHolder, kT0, seconds(1)), kNotFound);
  EXPECT_CODE(store_->ReleaseClaim(none, kHolder), kNotFound);
  EXPECT_CODE(store_->RecordIssued(none, kHolder, "r", kT0, Issuance("aa"), Fee(none), ev),
              kNotFound);
  EXPECT_CODE(store_->RejectApplication(none, "r", "r", kT0, ev), kNotFound);
  EXPECT_CODE(store_->CancelApplication(none, "r", kT0, ev), kNotFound);
  EXPECT_CODE(store_->RevokeApplication(none, kT0, 0, std::nullopt, "r", ev), kNotFound);
  EXPECT_CODE(store_->EditApplication(none, {}, "r", kT0, ev).status(), kNotFound);
  EXPECT_CODE(store_->RecordDownloadFailure(none, kT0, 3, seconds(1), ev).status(), kNotFound);
  EXPECT_CODE(store_->RecordDownloadSuccess(none, kT0, ev), kNotFound);
  EXPECT_CODE(store_->TakeSealedPassword(none, ev).status(), kNotFound);
  int64_t checked = 0;
  ASSERT_OK(store_->VerifyAuditChain(&checked));
  EXPECT_GT(checked, 0);
}

TEST_P(ApplicationStoreTest, ConcurrentClaimsHaveOneWinner) {
  const std::string rid = RequestId(1);
  Insert(App(1));
  constexpr int kThreads = 8;
  auto other = OpenStore(url_);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  std::atomic<int> won{0}, conflicts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    Store* s = t % 2 == 0 ? store_.get() : other->get();
    threads.emplace_back([&, s, t] {
      Status st = s->ClaimApplication(rid, "approver-" + std::to_string(t), kT0, seconds(300));
      if (st.ok()) {
        ++won;
      } else {
        EXPECT_CODE(st, kConflict);
        ++conflicts;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(conflicts.load(), kThreads - 1);
  auto app = store_->GetApplication(rid);
  ASSERT_TRUE(app.ok());
  const std::string winner = app->claim_holder;
  EXPECT_EQ(app->claim_until, kT0 + seconds(300));
  // The winner may renew; others still conflict while the claim is valid.
  ASSERT_OK(store_->ClaimApplication(rid, winner, kT0 + seconds(100), seconds(300)));
  EXPECT_CODE(store_->ClaimApplication(rid, "late", kT0 + seconds(399), seconds(300)), kConflict);
  // Reject and cancel wait for the approval too.
  const AuditEvent ev = Audit("x", rid);
  EXPECT_CODE(store_->RejectApplication(rid, "r", "reviewer:sato", kT0 + seconds(399), ev),
              kConflict);
  EXPECT_CODE(store_->CancelApplication(rid, "clinic@example.jp", kT0 + seconds(399), ev),
              kConflict);
  // Once it expired, another holder takes it over; the first one's RecordIssued then fails
  // and writes nothing.
  ASSERT_OK(store_->ClaimApplication(rid, "taker", kT0 + seconds(400), seconds(300)));
  StoreCertificate(rid, "c1");
  const std::string before = DumpOf(rid);
  const int64_t audit_before = AuditRows();
  Status lost = store_->RecordIssued(rid, winner, "reviewer:sato", kT0 + seconds(401),
                                     Issuance("c1"), Fee(rid), ev);
  EXPECT_CODE(lost, kConflict);
  EXPECT_EQ(DumpOf(rid), before);
  EXPECT_EQ(AuditRows(), audit_before);
  EXPECT_TRUE(store_->ListFeeCharges("2000-01-01", "2999-12-31")->empty());
  // Release by a non-holder is a no-op; by the holder it frees the application.
  ASSERT_OK(store_->ReleaseClaim(rid, winner));
  EXPECT_EQ(store_->GetApplication(rid)->claim_holder, "taker");
  ASSERT_OK(store_->ReleaseClaim(rid, "taker"));
  EXPECT_EQ(store_->GetApplication(rid)->claim_holder, "");
  EXPECT_FALSE(store_->GetApplication(rid)->claim_until.has_value());
  EXPECT_CODE(store_->RecordIssued(rid, "taker", "r", kT0, Issuance("c1"), Fee(rid), ev),
              kConflict);
  EXPECT_CODE(store_->ClaimApplication(rid, "", kT0, seconds(1)), kInvalidArgument);
  EXPECT_CODE(store_->ClaimApplication(rid, "x", kT0, seconds(0)), kInvalidArgument);
  // Free again: cancellable.
  ASSERT_OK(store_->CancelApplication(rid, "clinic@example.jp", kT0 + seconds(500), ev));
  EXPECT_EQ(store_->GetApplication(rid)->state, ApplicationState::kCancelled);
  EXPECT_EQ(store_->GetApplication(rid)->cancelled_at, kT0 + seconds(500));
}

TEST_P(ApplicationStoreTest, RecordIssuedStoresEverything) {
  const std::string rid = RequestId(7);
  Insert(App(7));
  IssueApp(rid, "0abc");
  auto a = store_->GetApplication(rid);
  ASSERT_TRUE(a.ok());
  const IssuanceResult r = Issuance("0abc");
  EXPECT_EQ(a->state, ApplicationState::kIssued);
  EXPECT_EQ(a->decided_by, "reviewer:sato");
  EXPECT_EQ(a->decided_at, kT0 + seconds(10));
  EXPECT_EQ(a->serial, "0abc");
  EXPECT_EQ(a->common_name, "cn-0abc");
  EXPECT_EQ(a->issued_at, r.issued_at);
  EXPECT_EQ(a->not_after, r.not_after);
  EXPECT_EQ(a->download_deadline, r.download_deadline);
  EXPECT_EQ(a->download_password_hash, r.download_password_hash);
  EXPECT_EQ(a->pkcs12_der, r.pkcs12_der);
  EXPECT_EQ(a->sealed_password, r.sealed_password);
  EXPECT_EQ(a->claim_holder, "");
  EXPECT_FALSE(a->claim_until.has_value());
  auto fees = store_->ListFeeCharges("2027-01-15", "2027-01-15");
  ASSERT_TRUE(fees.ok()) << fees.status().ToString();
  ASSERT_EQ(fees->size(), 1u);
  EXPECT_EQ((*fees)[0].request_id, rid);
  EXPECT_EQ((*fees)[0].institution_code, "1312345678");  // filled from the application
  EXPECT_EQ((*fees)[0].program, "common");
  EXPECT_EQ((*fees)[0].kind, "new_application");
  EXPECT_EQ((*fees)[0].issuance_fee_yen, 1100);
  EXPECT_EQ((*fees)[0].mailing_fee_yen, 550);
  EXPECT_EQ((*fees)[0].total_yen, 1650);
  EXPECT_EQ((*fees)[0].created_at, kT0 + seconds(10));
  EXPECT_EQ(AuditRows(), 2);
  // Bad issuance data is refused before anything runs.
  Insert(App(8));
  const std::string rid8 = RequestId(8);
  ASSERT_OK(store_->ClaimApplication(rid8, kHolder, kT0, seconds(300)));
  const AuditEvent ev = Audit("x", rid8);
  IssuanceResult bad = Issuance("0abd");
  bad.serial.clear();
  EXPECT_CODE(store_->RecordIssued(rid8, kHolder, "r", kT0, bad, Fee(rid8), ev), kInvalidArgument);
  FeeCharge bad_fee = Fee(rid8, "2027/01/15");
  EXPECT_CODE(store_->RecordIssued(rid8, kHolder, "r", kT0, Issuance("0abd"), bad_fee, ev),
              kInvalidArgument);
  EXPECT_CODE(store_->RecordIssued(rid8, kHolder, "r", kT0, Issuance("0abd"), Fee(rid), ev),
              kInvalidArgument);  // the fee of another application
  EXPECT_EQ(store_->GetApplication(rid8)->state, ApplicationState::kPending);
  EXPECT_EQ(store_->ListFeeCharges("2000-01-01", "2999-12-31")->size(), 1u);
  EXPECT_CODE(store_->ListFeeCharges("2027-1-1", "2027-12-31").status(), kInvalidArgument);
}

TEST_P(ApplicationStoreTest, RevokeRevokesTheCertificate) {
  const std::string rid = RequestId(1);
  Insert(App(1));
  IssueApp(rid, "0b01");
  EXPECT_EQ(store_->GetCrlState("issuing-1")->revocation_counter, 0);
  const AuditEvent ev = Audit("application.revoke", rid);
  // Invalid reason: nothing happens.
  EXPECT_CODE(store_->RevokeApplication(rid, kT0 + seconds(50), 7, std::nullopt, "op", ev),
              kInvalidArgument);
  EXPECT_FALSE(store_->GetStatus("issuing-1", "0b01")->revoked_at.has_value());
  const Instant at = kT0 + seconds(50);
  ASSERT_OK(store_->RevokeApplication(rid, at, kReasonKeyCompromise, at - seconds(5),
                                      "operator:tanaka", ev));
  auto a = store_->GetApplication(rid);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->state, ApplicationState::kRevoked);
  EXPECT_EQ(a->revoked_at, at);
  EXPECT_EQ(a->revocation_reason, kReasonKeyCompromise);
  EXPECT_EQ(a->revoked_by, "operator:tanaka");
  auto status = store_->GetStatus("issuing-1", "0b01");
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->revoked_at, at);
  EXPECT_EQ(status->revocation_reason, kReasonKeyCompromise);
  EXPECT_EQ(store_->GetCertificate("0b01")->invalidity_date, at - seconds(5));
  auto crl = store_->GetCrlState("issuing-1");
  EXPECT_EQ(crl->revocation_counter, 1);
  EXPECT_EQ(crl->last_revocation_at, at);
  // Again: FailedPrecondition (revoked, not issued); the counter stays.
  EXPECT_CODE(store_->RevokeApplication(rid, at, kReasonKeyCompromise, std::nullopt, "op", ev),
              kFailedPrecondition);
  EXPECT_EQ(store_->GetCrlState("issuing-1")->revocation_counter, 1);

  // A certificate revoked directly: the application's revocation fails as Revoke does
  // (Conflict) and leaves the application issued.
  const std::string rid2 = RequestId(2);
  Insert(App(2));
  IssueApp(rid2, "0b02");
  ASSERT_OK(store_->Revoke("0b02", at, kReasonKeyCompromise, std::nullopt));
  const int64_t audit_before = AuditRows();
  EXPECT_CODE(store_->RevokeApplication(rid2, at, kReasonKeyCompromise, std::nullopt, "op", ev),
              kConflict);
  EXPECT_EQ(store_->GetApplication(rid2)->state, ApplicationState::kIssued);
  EXPECT_EQ(store_->GetCrlState("issuing-1")->revocation_counter, 2);
  EXPECT_EQ(AuditRows(), audit_before);

  // A pending application cannot be revoked; its certificate (signed, not yet recorded)
  // stays untouched.
  const std::string rid3 = RequestId(3);
  Insert(App(3));
  StoreCertificate(rid3, "0b03");
  EXPECT_CODE(store_->RevokeApplication(rid3, at, kReasonKeyCompromise, std::nullopt, "op", ev),
              kFailedPrecondition);
  EXPECT_FALSE(store_->GetCertificate("0b03")->revoked_at.has_value());
  EXPECT_EQ(store_->GetCrlState("issuing-1")->revocation_counter, 2);
}

// After a failed approval or renewal write, its certificate is revoked only if the
// application does not hold it: a COMMIT whose answer was lost may have happened (found by
// tests/integration/cluster_failover_test.sh: the primary killed during a renewal's COMMIT,
// the standby had it, and the certificate handed out on the retry had been revoked).
TEST_P(ApplicationStoreTest, RevokeUnrecordedSparesWhatTheApplicationHolds) {
  const std::string rid = RequestId(1);
  Insert(App(1));
  IssueApp(rid, "0c01");
  const Instant at = kT0 + seconds(60);
  const AuditEvent ev = Audit("certificate.revoke", "x");
  const int64_t audit0 = AuditRows();
  // The application's current certificate: the approval did commit.
  auto r = store_->RevokeUnrecorded(rid, "0c01", at, ev);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(*r);
  EXPECT_FALSE(store_->GetCertificate("0c01")->revoked_at.has_value());
  EXPECT_EQ(AuditRows(), audit0);
  EXPECT_EQ(store_->GetCrlState("issuing-1")->revocation_counter, 0);

  // Signed, never recorded: revoked (superseded) with its audit row, once.
  StoreCertificate(rid, "0c02");
  r = store_->RevokeUnrecorded(rid, "0c02", at, ev);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(*r);
  EXPECT_EQ(store_->GetCertificate("0c02")->revoked_at, at);
  EXPECT_EQ(store_->GetCertificate("0c02")->revocation_reason, 4);
  EXPECT_EQ(AuditRows(), audit0 + 1);
  EXPECT_EQ(store_->GetCrlState("issuing-1")->revocation_counter, 1);
  r = store_->RevokeUnrecorded(rid, "0c02", at, ev);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);
  EXPECT_EQ(AuditRows(), audit0 + 1);

  // A renewal that committed: neither its new certificate (current, unconfirmed) nor the
  // renewed one (valid to its end, may retry) is touched.
  StoreCertificate(rid, "0c03");
  RenewalResult renewed;
  renewed.previous_serial = "0c01";
  renewed.serial = "0c03";
  renewed.common_name = "cn-0c03";
  renewed.issued_at = kT0 + seconds(30);
  renewed.not_after = kT0 + 400 * kDay;
  FeeCharge fee = Fee(rid);
  fee.kind = "renewal";
  ASSERT_OK(store_->RecordRenewed(rid, renewed, fee, Audit("application.renew", rid)));
  const int64_t audit1 = AuditRows();
  for (const char* serial : {"0c03", "0c01"}) {
    r = store_->RevokeUnrecorded(rid, serial, at, ev);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_FALSE(*r) << serial;
    EXPECT_FALSE(store_->GetCertificate(serial)->revoked_at.has_value()) << serial;
  }
  EXPECT_EQ(AuditRows(), audit1);
  EXPECT_EQ(store_->GetCrlState("issuing-1")->revocation_counter, 1);

  // The late case (cluster_failover_test.sh again): the revocation of 0c03 runs only after
  // the holder, answered 0c03 by its retry, has renewed twice more (0c03 -> 0c04 -> 0c05),
  // so 0c03 is neither current nor pending any more. It was recorded once: untouched.
  std::string previous = "0c03";
  for (const char* next : {"0c04", "0c05"}) {
    StoreCertificate(rid, next);
    RenewalResult again = renewed;
    again.previous_serial = previous;
    again.serial = next;
    again.common_name = std::string("cn-") + next;
    ASSERT_OK(store_->RecordRenewed(rid, again, fee, Audit("application.renew", rid)));
    previous = next;
  }
  ASSERT_EQ(store_->GetApplication(rid)->serial, "0c05");
  const int64_t audit2 = AuditRows();
  for (const char* serial : {"0c03", "0c01"}) {
    r = store_->RevokeUnrecorded(rid, serial, at, ev);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_FALSE(*r) << serial;
    EXPECT_FALSE(store_->GetCertificate(serial)->revoked_at.has_value()) << serial;
  }
  EXPECT_EQ(AuditRows(), audit2);
  // A certificate signed for the application and never its own still goes.
  StoreCertificate(rid, "0c06");
  r = store_->RevokeUnrecorded(rid, "0c06", at, ev);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(*r);
  EXPECT_EQ(AuditRows(), audit2 + 1);
  // An unknown application: NotFound, nothing written.
  EXPECT_CODE(store_->RevokeUnrecorded(RequestId(99), "0c02", at, ev).status(), kNotFound);
}

TEST_P(ApplicationStoreTest, EditRecordsChangedFieldsOnly) {
  const std::string rid = RequestId(1);
  Insert(App(1));
  IssueApp(rid, "0c01");
  const Instant at = kT0 + seconds(60);
  const AuditEvent ev = Audit("application.edit", rid);
  auto edits = store_->EditApplication(
      rid, {{"contact_name", kHostile}, {"phone", "03-1234-5678"}, {"email", "new@example.jp"}},
      "operator:tanaka", at, ev);
  ASSERT_TRUE(edits.ok()) << edits.status().ToString();
  ASSERT_EQ(edits->size(), 2u);  // the phone did not change
  EXPECT_EQ((*edits)[0].field, "contact_name");
  EXPECT_EQ((*edits)[0].before, "山田 太郎");
  EXPECT_EQ((*edits)[0].after, kHostile);
  EXPECT_EQ((*edits)[1].field, "email");
  EXPECT_EQ((*edits)[1].before, "yamada@example.jp");
  EXPECT_EQ((*edits)[1].after, "new@example.jp");
  auto a = store_->GetApplication(rid);
  EXPECT_EQ(a->contact_name, kHostile);
  EXPECT_EQ(a->email, "new@example.jp");
  EXPECT_EQ(a->phone, "03-1234-5678");
  ASSERT_OK(store_
                ->EditApplication(rid, {{"terminal_name", "端末 2"}}, "operator:sato",
                                  at + seconds(1), ev)
                .status());
  auto listed = store_->ListApplicationEdits(rid);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ((*listed)[0].request_id, rid);
  EXPECT_EQ((*listed)[0].after, kHostile);
  EXPECT_EQ((*listed)[0].edited_by, "operator:tanaka");
  EXPECT_EQ((*listed)[0].at, at);
  EXPECT_EQ((*listed)[2].field, "terminal_name");
  EXPECT_EQ((*listed)[2].before, "受付端末 1");
  EXPECT_EQ((*listed)[2].after, "端末 2");
  EXPECT_EQ((*listed)[2].at, at + seconds(1));
  // Unknown or repeated fields: InvalidArgument, nothing written.
  const std::string before = DumpOf(rid);
  EXPECT_CODE(store_->EditApplication(rid, {{"institution_code", "9"}}, "op", at, ev).status(),
              kInvalidArgument);
  EXPECT_CODE(
      store_->EditApplication(rid, {{"phone", "1"}, {"email", "x"}, {"phone", "2"}}, "op", at, ev)
          .status(),
      kInvalidArgument);
  EXPECT_EQ(DumpOf(rid), before);
  EXPECT_EQ(store_->ListApplicationEdits(rid)->size(), 3u);
  EXPECT_TRUE(store_->ListApplicationEdits(RequestId(2))->empty());
}

TEST_P(ApplicationStoreTest, DownloadBookkeeping) {
  const std::string rid = RequestId(1);
  Insert(App(1));
  IssueApp(rid, "0d01");
  const AuditEvent ev = Audit("application.download", rid);
  const Instant t = kT0 + seconds(100);
  auto a = store_->RecordDownloadFailure(rid, t, 3, seconds(600), ev);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->download_failures, 1);
  EXPECT_FALSE(a->download_locked_until.has_value());
  a = store_->RecordDownloadFailure(rid, t + seconds(1), 3, seconds(600), ev);
  EXPECT_EQ(a->download_failures, 2);
  a = store_->RecordDownloadFailure(rid, t + seconds(2), 3, seconds(600), ev);
  EXPECT_EQ(a->download_failures, 0);
  EXPECT_EQ(a->download_locked_until, t + seconds(602));
  EXPECT_EQ(Dump(*store_->GetApplication(rid)), Dump(*a));
  a = store_->RecordDownloadFailure(rid, t + seconds(700), 3, seconds(600), ev);
  EXPECT_EQ(a->download_failures, 1);
  EXPECT_EQ(a->download_locked_until, t + seconds(602));
  EXPECT_CODE(store_->RecordDownloadFailure(rid, t, 0, seconds(600), ev).status(),
              kInvalidArgument);
  ASSERT_OK(store_->RecordDownloadSuccess(rid, t + seconds(800), ev));
  ASSERT_OK(store_->RecordDownloadSuccess(rid, t + seconds(900), ev));
  a = store_->GetApplication(rid);
  EXPECT_EQ(a->download_failures, 0);
  EXPECT_EQ(a->download_count, 2);
  EXPECT_EQ(a->last_downloaded_at, t + seconds(900));
  // The sealed password is handed over once.
  auto sealed = store_->TakeSealedPassword(rid, ev);
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  EXPECT_EQ(*sealed, std::string("sealed\x00\xff", 8));
  EXPECT_CODE(store_->TakeSealedPassword(rid, ev).status(), kFailedPrecondition);
  EXPECT_EQ(store_->GetApplication(rid)->sealed_password, "");
  EXPECT_EQ(AuditRows(), 2 + 4 + 2 + 1);
}

TEST_P(ApplicationStoreTest, PurgeExpiredDownloads) {
  Insert(App(1));
  Insert(App(2));
  Insert(App(3));
  IssueApp(RequestId(1), "0e01", kT0 + 10 * kDay);
  IssueApp(RequestId(2), "0e02", kT0 + 20 * kDay);
  EXPECT_EQ(store_->PurgeExpiredDownloads(kT0 + 10 * kDay).value(), 0);  // deadline < now
  EXPECT_EQ(store_->PurgeExpiredDownloads(kT0 + 15 * kDay).value(), 1);
  EXPECT_EQ(store_->PurgeExpiredDownloads(kT0 + 15 * kDay).value(), 0);
  EXPECT_EQ(store_->GetApplication(RequestId(1))->pkcs12_der, "");
  EXPECT_EQ(store_->GetApplication(RequestId(2))->pkcs12_der, Issuance("x").pkcs12_der);
  EXPECT_EQ(store_->PurgeExpiredDownloads(kT0 + 30 * kDay).value(), 1);
  EXPECT_EQ(store_->GetApplication(RequestId(2))->pkcs12_der, "");
  EXPECT_EQ(store_->GetApplication(RequestId(2))->state, ApplicationState::kIssued);
}

TEST_P(ApplicationStoreTest, ListPaginatesNewestFirst) {
  constexpr int kApps = 120;
  for (int i = 1; i <= kApps; ++i) Insert(App(i));
  ApplicationFilter f;
  f.limit = 50;
  std::vector<int64_t> seqs;
  std::set<std::string> ids;
  int pages = 0;
  while (true) {
    auto page = store_->ListApplications(f);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    ++pages;
    for (const ApplicationRecord& a : page->items) {
      seqs.push_back(a.seq);
      ids.insert(a.request_id);
    }
    if (page->next_before_seq == 0) break;
    EXPECT_EQ(page->items.size(), 50u);
    EXPECT_EQ(page->next_before_seq, page->items.back().seq);
    f.before_seq = page->next_before_seq;
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(ids.size(), static_cast<size_t>(kApps));
  ASSERT_EQ(seqs.size(), static_cast<size_t>(kApps));
  for (size_t i = 1; i < seqs.size(); ++i) EXPECT_GT(seqs[i - 1], seqs[i]);
  EXPECT_EQ(*ids.rbegin(), RequestId(kApps));
  // Exactly one page's worth: no further cursor.
  f = ApplicationFilter();
  f.limit = kApps;
  EXPECT_EQ(store_->ListApplications(f)->next_before_seq, 0);
  EXPECT_EQ(store_->ListApplications(f)->items.front().request_id, RequestId(kApps));
  for (int bad : {0, -1, 501}) {
    f.limit = bad;
    EXPECT_CODE(store_->ListApplications(f).status(), kInvalidArgument) << bad;
  }
  f.limit = 500;
  EXPECT_EQ(store_->ListApplications(f)->items.size(), static_cast<size_t>(kApps));
}

TEST_P(ApplicationStoreTest, ListFiltersAndCounts) {
  // 1..3 in A, 4..5 in B, 6 in C (with a hostile code), in various states.
  const std::string a_code = "1312345678", b_code = "2712345678", c_code = "x'; --\"";
  Insert(App(1, a_code));
  Insert(App(2, a_code));
  ApplicationRecord held = App(3, a_code);
  held.hold_reason = "register mismatch";
  Insert(held);
  ApplicationRecord b4 = App(4, b_code);
  b4.account_id = kHostile;
  Insert(b4);
  Insert(App(5, b_code));
  Insert(App(6, c_code));
  IssueApp(RequestId(1), "0f01");
  ASSERT_OK(store_->CancelApplication(RequestId(2), "x", kT0, Audit("x", "y")));
  IssueApp(RequestId(5), "0f05");

  auto ids = [&](ApplicationFilter f) {
    std::vector<std::string> out;
    auto page = store_->ListApplications(f);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    if (page.ok()) {
      for (const auto& a : page->items) out.push_back(a.request_id);
    }
    return out;
  };
  using V = std::vector<std::string>;
  ApplicationFilter f;
  EXPECT_EQ(ids(f).size(), 6u);
  f.institution_codes = {a_code};
  EXPECT_EQ(ids(f), (V{RequestId(3), RequestId(2), RequestId(1)}));
  f.institution_codes = {b_code, c_code};
  EXPECT_EQ(ids(f), (V{RequestId(6), RequestId(5), RequestId(4)}));
  f.institution_codes = {"9999999999"};
  EXPECT_TRUE(ids(f).empty());
  f = ApplicationFilter();
  f.state = ApplicationState::kIssued;
  EXPECT_EQ(ids(f), (V{RequestId(5), RequestId(1)}));
  f.institution_codes = {a_code};
  EXPECT_EQ(ids(f), (V{RequestId(1)}));
  f = ApplicationFilter();
  f.account_id = kHostile;
  EXPECT_EQ(ids(f), (V{RequestId(4)}));
  f = ApplicationFilter();
  f.request_id = RequestId(2);
  EXPECT_EQ(ids(f), (V{RequestId(2)}));
  f = ApplicationFilter();
  f.serial = "0f05";
  EXPECT_EQ(ids(f), (V{RequestId(5)}));
  f = ApplicationFilter();
  f.only_held = true;
  EXPECT_EQ(ids(f), (V{RequestId(3)}));

  auto counts = store_->CountApplicationsByState(a_code);
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  using P = std::pair<ApplicationState, int64_t>;
  EXPECT_EQ(*counts, (std::vector<P>{{ApplicationState::kPending, 1},
                                     {ApplicationState::kIssued, 1},
                                     {ApplicationState::kCancelled, 1}}));
  EXPECT_TRUE(store_->CountApplicationsByState("0000000000")->empty());

  // Active certificates: issued, not revoked, not expired.
  EXPECT_EQ(store_->CountActiveCertificates(a_code, kT0).value(), 1);
  EXPECT_EQ(store_->CountActiveCertificates(b_code, kT0).value(), 1);
  Issue("0f99", "cn-0f99", "issuing-2", kT0 + seconds(100));  // code 1312345678
  EXPECT_EQ(store_->CountActiveCertificates(a_code, kT0).value(), 2);
  EXPECT_EQ(store_->CountActiveCertificates(a_code, kT0 + seconds(100)).value(), 1);
  ASSERT_OK(store_->InsertIntent(Intent("0f98", "cn-0f98")));  // intent: not counted
  ASSERT_OK(store_->Revoke("0f99", kT0, kReasonKeyCompromise, std::nullopt));
  EXPECT_EQ(store_->CountActiveCertificates(a_code, kT0).value(), 1);
  EXPECT_EQ(store_->CountActiveCertificates(c_code, kT0).value(), 0);
}

TEST_P(ApplicationStoreTest, FeeChargesByDate) {
  for (int i = 1; i <= 3; ++i) Insert(App(i));
  const char* dates[] = {"2027-01-31", "2027-02-01", "2027-02-28"};
  for (int i = 1; i <= 3; ++i) {
    const std::string rid = RequestId(i);
    ASSERT_OK(store_->ClaimApplication(rid, kHolder, kT0, seconds(300)));
    StoreCertificate(rid, "1a0" + std::to_string(i));
    FeeCharge fee = Fee("", dates[i - 1]);  // request_id filled in by the store
    ASSERT_OK(store_->RecordIssued(rid, kHolder, "r", kT0, Issuance("1a0" + std::to_string(i)), fee,
                                   Audit("application.issue", rid)));
  }
  auto feb = store_->ListFeeCharges("2027-02-01", "2027-02-28");
  ASSERT_TRUE(feb.ok()) << feb.status().ToString();
  ASSERT_EQ(feb->size(), 2u);
  EXPECT_EQ((*feb)[0].request_id, RequestId(2));
  EXPECT_EQ((*feb)[1].request_id, RequestId(3));
  EXPECT_EQ((*feb)[1].charge_date, "2027-02-28");
  EXPECT_EQ(store_->ListFeeCharges("2027-01-01", "2027-12-31")->size(), 3u);
  EXPECT_TRUE(store_->ListFeeCharges("2027-03-01", "2027-03-31")->empty());
}

TEST_P(ApplicationStoreTest, CertificatesForRequest) {
  const std::string rid = RequestId(1);
  Insert(App(1));
  EXPECT_TRUE(store_->CertificatesForRequest(rid)->empty());
  // An approval that signed, crashed, and was taken over: two certificates, oldest first.
  CertificateRecord first = Intent("2b01", "cn-2b01");
  first.request_id = rid;
  first.created_at = kT0;
  ASSERT_OK(store_->InsertIntent(first));
  CertificateRecord second = Intent("2b00", "cn-2b00");
  second.request_id = rid;
  second.created_at = kT0 + seconds(1);
  ASSERT_OK(store_->InsertIntent(second));
  ASSERT_OK(store_->MarkIssued("2b00", "der"));
  ASSERT_OK(store_->InsertIntent(Intent("2b02", "cn-2b02")));  // another request
  auto certs = store_->CertificatesForRequest(rid);
  ASSERT_TRUE(certs.ok()) << certs.status().ToString();
  ASSERT_EQ(certs->size(), 2u);
  EXPECT_EQ((*certs)[0].serial, "2b01");
  EXPECT_EQ((*certs)[0].state, CertState::kIntent);
  EXPECT_EQ((*certs)[0].tbs_der, first.tbs_der);
  EXPECT_EQ((*certs)[1].serial, "2b00");
  EXPECT_EQ((*certs)[1].state, CertState::kIssued);
  EXPECT_EQ((*certs)[1].request_id, rid);
  EXPECT_TRUE(store_->CertificatesForRequest("'; DROP TABLE certificates; --")->empty());
}

// A slip costs nothing (slip_store.h): an issued application whose notice is not printed yet
// is cancelled, its certificate revoked and its fee cancelled by a credit note; once the
// sealed password is gone (the notice batch took it) or it was downloaded, it is refused and
// nothing changes.
TEST_P(ApplicationStoreTest, CancelBeforeNotice) {
  auto* slips = dynamic_cast<SlipStore*>(store_.get());
  ASSERT_NE(slips, nullptr);
  for (int i = 1; i <= 3; ++i) MakeInState(i, ApplicationState::kIssued);
  ASSERT_EQ(store_->ListFeeCharges("2027-01-01", "2027-01-31")->size(), 3u);
  const std::string rid = RequestId(1);
  const int64_t audits = AuditRows();
  ASSERT_OK(slips->CancelBeforeNotice(rid, "account:clinic", kT0 + seconds(60),
                                      kReasonCessationOfOperation,
                                      Audit("application.cancel_before_notice", rid)));
  EXPECT_EQ(AuditRows(), audits + 1);
  auto a = store_->GetApplication(rid);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->state, ApplicationState::kCancelled);
  EXPECT_EQ(a->cancelled_at, kT0 + seconds(60));
  EXPECT_TRUE(a->sealed_password.empty());
  EXPECT_TRUE(a->pkcs12_der.empty());
  auto certs = store_->CertificatesForRequest(rid);
  ASSERT_TRUE(certs.ok());
  ASSERT_EQ(certs->size(), 1u);
  EXPECT_TRUE((*certs)[0].revoked_at.has_value());
  // The charge is no longer in force (a credit note cancels it; nothing was deleted).
  auto in_force = store_->ListFeeCharges("2027-01-01", "2027-01-31");
  ASSERT_EQ(in_force->size(), 2u);
  for (const FeeCharge& f : *in_force) EXPECT_NE(f.request_id, rid);
  // Not awaiting a notice any more.
  auto awaiting = store_->ListAwaitingNotice(100);
  ASSERT_TRUE(awaiting.ok());
  ASSERT_EQ(awaiting->size(), 2u);
  for (const ApplicationRecord& w : *awaiting) EXPECT_NE(w.request_id, rid);
  // Twice: it is cancelled, not issued.
  EXPECT_CODE(slips->CancelBeforeNotice(rid, "account:clinic", kT0 + seconds(61), 5,
                                        Audit("application.cancel_before_notice", rid)),
              kFailedPrecondition);
  // The notice batch took number 2 (its sealed password handed over): refused, unchanged.
  const std::string taken = RequestId(2);
  ASSERT_TRUE(store_->TakeSealedPassword(taken, Audit("notice.take", taken)).ok());
  const std::string before = DumpOf(taken);
  Status st = slips->CancelBeforeNotice(taken, "account:clinic", kT0 + seconds(62), 5,
                                        Audit("application.cancel_before_notice", taken));
  EXPECT_EQ(st.code(), Code::kFailedPrecondition);
  EXPECT_EQ(st.message(), kNoticeTaken);
  EXPECT_EQ(DumpOf(taken), before);
  // Number 3 was downloaded: refused as well.
  const std::string fetched = RequestId(3);
  ASSERT_OK(store_->RecordDownloadSuccess(fetched, kT0 + seconds(30), Audit("download", fetched)));
  EXPECT_CODE(slips->CancelBeforeNotice(fetched, "account:clinic", kT0 + seconds(63), 5,
                                        Audit("application.cancel_before_notice", fetched)),
              kFailedPrecondition);
  EXPECT_EQ(store_->ListFeeCharges("2027-01-01", "2027-01-31")->size(), 2u);
  EXPECT_CODE(slips->CancelBeforeNotice(RequestId(99), "account:clinic", kT0, 5,
                                        Audit("application.cancel_before_notice", "x")),
              kNotFound);
}

// Many terminals at once (bulk_store.h): all rows or none, and a resend inserts nothing.
TEST_P(ApplicationStoreTest, InsertApplicationsAllOrNothing) {
  auto* bulk = dynamic_cast<BulkStore*>(store_.get());
  ASSERT_NE(bulk, nullptr);
  std::vector<ApplicationRecord> apps;
  std::vector<AuditEvent> audits;
  for (int i = 1; i <= 3; ++i) {
    ApplicationRecord a = App(i);
    a.idempotency_key = "bulk-key-" + std::to_string(i);
    audits.push_back(Audit("application.submit", a.request_id));
    apps.push_back(std::move(a));
  }
  // A request ID already taken by another application: Conflict, and none of the three.
  Insert(App(9));
  std::vector<ApplicationRecord> clash = apps;
  clash[2].request_id = RequestId(9);
  const int64_t audit_rows = AuditRows();
  int created = -1;
  EXPECT_CODE(bulk->InsertApplications(clash, audits, &created).status(), kConflict);
  EXPECT_EQ(AuditRows(), audit_rows);
  EXPECT_CODE(store_->GetApplication(RequestId(1)).status(), kNotFound);
  // All three in one go.
  auto stored = bulk->InsertApplications(apps, audits, &created);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(created, 3);
  ASSERT_EQ(stored->size(), 3u);
  EXPECT_EQ(AuditRows(), audit_rows + 3);
  // Resent (fresh request IDs, same keys): the stored ones come back, nothing is inserted.
  std::vector<ApplicationRecord> again = apps;
  for (int i = 0; i < 3; ++i) again[i].request_id = RequestId(20 + i);
  auto resent = bulk->InsertApplications(again, audits, &created);
  ASSERT_TRUE(resent.ok()) << resent.status().ToString();
  EXPECT_EQ(created, 0);
  EXPECT_EQ((*resent)[1].request_id, RequestId(2));
  EXPECT_CODE(store_->GetApplication(RequestId(21)).status(), kNotFound);
  // Arguments checked before any transaction.
  std::vector<ApplicationRecord> keyless = {App(30)};
  EXPECT_CODE(bulk->InsertApplications(keyless, {Audit("a", "b")}, &created).status(),
              kInvalidArgument);
  EXPECT_CODE(bulk->InsertApplications(apps, {}, &created).status(), kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Backends, ApplicationStoreTest, ::testing::Values("sqlite", "postgres"),
                         BackendName);

}  // namespace
}  // namespace claimsca::store
