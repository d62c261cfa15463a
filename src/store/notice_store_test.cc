// NoticeStore and OutboxStore on both back ends: the batch erases the sealed passwords in
// its own transaction (all or nothing), the outbox's dedup key, due order and retries.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/store.h"
#include "store/store_test_fixture.h"

namespace claimsca::store {
namespace {

using namespace test;  // NOLINT: the shared fixture and helpers

constexpr seconds kDay{86400};
constexpr char kHolder[] = "approver-1";

AuditEvent Audit(const std::string& action, const std::string& subject) {
  AuditEvent e;
  e.at = kT0;
  e.actor = "system:notices";
  e.action = action;
  e.subject = subject;
  e.details = "{}";
  return e;
}

class NoticeStoreTest : public StoreTest {
 protected:
  static std::string Rid(int i) { return "20261124" + std::to_string(100000 + i); }

  // Inserts application i and issues it (sealed password held), issued at kT0 + i.
  void Issued(int i) {
    ApplicationRecord a;
    a.request_id = Rid(i);
    a.program = "common";
    a.channel = "portal";
    a.account_id = "clinic@example.jp";
    a.applicant_kind = "institution";
    a.category = "1";
    a.prefecture = "13";
    a.score_table = "1";
    a.facility_code = "2345678";
    a.institution_code = "1312345678";
    a.institution_name = "テスト中です#%& * > ? @";
    a.contact_name = "山田 太郎";
    a.phone = "03-1234-5678";
    a.email = "yamada@example.jp";
    a.terminal_name = "受付端末";
    a.submitted_at = kT0;
    bool created = false;
    ASSERT_TRUE(
        store_->InsertApplication(a, Audit("application.submit", a.request_id), &created).ok());
    ASSERT_OK(store_->ClaimApplication(a.request_id, kHolder, kT0, seconds(300)));
    const std::string serial = "5e" + std::to_string(1000 + i);
    CertificateRecord c = Intent(serial, "cn-" + serial);
    c.request_id = a.request_id;
    ASSERT_OK(store_->InsertIntent(c));
    ASSERT_OK(store_->MarkIssued(serial, "cert"));
    IssuanceResult r;
    r.serial = serial;
    r.common_name = "cn-" + serial;
    r.issued_at = kT0 + seconds(100 - i);  // later applications issued earlier
    r.not_after = kT0 + 365 * kDay;
    r.download_deadline = kT0 + 180 * kDay;
    r.download_password_hash = "$argon2id$x";
    r.pkcs12_der = "p12";
    r.sealed_password = std::string("sealed\x00\xff", 8);
    FeeCharge f;
    f.request_id = a.request_id;
    f.kind = "new_application";
    f.charge_date = "2027-01-15";
    f.created_at = kT0;
    ASSERT_OK(store_->RecordIssued(a.request_id, kHolder, "reviewer:sato", r.issued_at, r, f,
                                   Audit("application.approve", a.request_id)));
  }

  static NoticeBatch Batch(const std::vector<std::string>& rids) {
    NoticeBatch b;
    b.printed_on = "2026-11-24";
    b.dispatch_on = "2026-11-25";
    b.pdf_file = "notices-20261124T100000.pdf";
    b.csv_file = "notices-20261124T100000.csv";
    b.pdf_sha256 = std::string(64, 'a');
    b.created_by = "system:notices";
    b.created_at = kT0 + kDay;
    for (size_t i = 0; i < rids.size(); ++i) b.items.push_back({rids[i], int64_t(i + 1)});
    return b;
  }

  std::vector<std::string> Awaiting() {
    auto got = store_->ListAwaitingNotice(100);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    std::vector<std::string> out;
    if (got.ok()) {
      for (const ApplicationRecord& a : *got) out.push_back(a.request_id);
    }
    return out;
  }
};

TEST_P(NoticeStoreTest, BatchErasesSealedPasswordsAllOrNothing) {
  for (int i = 1; i <= 3; ++i) Issued(i);
  // Oldest issuance first; each still has its sealed password.
  EXPECT_EQ(Awaiting(), (std::vector<std::string>{Rid(3), Rid(2), Rid(1)}));
  auto one = store_->ListAwaitingNotice(1);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].sealed_password, std::string("sealed\x00\xff", 8));

  // Application 2's password handed over elsewhere: a batch naming it writes nothing.
  ASSERT_TRUE(store_->TakeSealedPassword(Rid(2), Audit("hand_over", Rid(2))).ok());
  EXPECT_CODE(
      store_->RecordNoticeBatch(Batch({Rid(3), Rid(2)}), Audit("notice.batch", "x")).status(),
      kFailedPrecondition);
  EXPECT_EQ(Awaiting(), (std::vector<std::string>{Rid(3), Rid(1)}));
  auto none = store_->NoticeOf(Rid(3));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  auto id = store_->RecordNoticeBatch(Batch({Rid(3), Rid(1)}), Audit("notice.batch", "b"));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_TRUE(Awaiting().empty());
  auto a1 = store_->GetApplication(Rid(1));
  ASSERT_TRUE(a1.ok());
  EXPECT_TRUE(a1->sealed_password.empty());
  EXPECT_CODE(store_->TakeSealedPassword(Rid(1), Audit("hand_over", Rid(1))).status(),
              kFailedPrecondition);

  auto b = store_->GetNoticeBatch(*id);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->printed_on, "2026-11-24");
  EXPECT_EQ(b->dispatch_on, "2026-11-25");
  EXPECT_EQ(b->pdf_file, "notices-20261124T100000.pdf");
  EXPECT_EQ(b->created_at, kT0 + kDay);
  ASSERT_EQ(b->items.size(), 2u);
  EXPECT_EQ(b->items[0].request_id, Rid(3));
  EXPECT_EQ(b->items[1].page, 2);
  auto of = store_->NoticeOf(Rid(1));
  ASSERT_TRUE(of.ok());
  ASSERT_TRUE(of->has_value());
  EXPECT_EQ(**of, std::make_pair(*id, int64_t{2}));

  // Printed once: a second batch with the same application is refused.
  EXPECT_CODE(store_->RecordNoticeBatch(Batch({Rid(1)}), Audit("notice.batch", "c")).status(),
              kFailedPrecondition);
  EXPECT_CODE(store_->GetNoticeBatch(*id + 100).status(), kNotFound);
  int64_t rows = 0;
  ASSERT_OK(store_->VerifyAuditChain(&rows));
}

TEST_P(NoticeStoreTest, BatchArgumentsChecked) {
  Issued(1);
  EXPECT_CODE(store_->RecordNoticeBatch(Batch({}), Audit("a", "b")).status(), kInvalidArgument);
  NoticeBatch gap = Batch({Rid(1)});
  gap.items[0].page = 2;
  EXPECT_CODE(store_->RecordNoticeBatch(gap, Audit("a", "b")).status(), kInvalidArgument);
  EXPECT_CODE(store_->RecordNoticeBatch(Batch({Rid(1), Rid(1)}), Audit("a", "b")).status(),
              kInvalidArgument);
  EXPECT_CODE(store_->RecordNoticeBatch(Batch({"99999999999999"}), Audit("a", "b")).status(),
              kFailedPrecondition);
  EXPECT_CODE(store_->ListAwaitingNotice(0).status(), kInvalidArgument);
  EXPECT_EQ(Awaiting(), std::vector<std::string>{Rid(1)});
}

OutboxMail Mail(const std::string& key, Instant next) {
  OutboxMail m;
  m.dedup_key = key;
  m.kind = "issued";
  m.subject_ref = "20261124000001";
  m.recipient = "yamada@example.jp";
  m.mime = std::string("Subject: x\r\n\r\n\x00\xff body", 21);
  m.next_attempt_at = next;
  m.created_at = kT0;
  return m;
}

TEST_P(NoticeStoreTest, OutboxDedupDueOrderAndRetries) {
  auto first = store_->EnqueueMail(Mail("r1|issued|2026-11-24", kT0 + seconds(5)));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(*first);
  auto again = store_->EnqueueMail(Mail("r1|issued|2026-11-24", kT0));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);  // same key: written once
  ASSERT_TRUE(*store_->EnqueueMail(Mail("r2|issued|2026-11-24", kT0)));
  EXPECT_CODE(store_->EnqueueMail(Mail("", kT0)).status(), kInvalidArgument);

  auto due = store_->DueMail(kT0 + seconds(1), 10);
  ASSERT_TRUE(due.ok()) << due.status().ToString();
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].dedup_key, "r2|issued|2026-11-24");
  due = store_->DueMail(kT0 + seconds(5), 10);
  ASSERT_EQ(due->size(), 2u);
  const int64_t id1 = (*due)[1].id;
  const int64_t id2 = (*due)[0].id;
  EXPECT_EQ((*due)[1].mime, std::string("Subject: x\r\n\r\n\x00\xff body", 21));
  EXPECT_EQ((*due)[1].state, MailState::kPending);

  // A failed attempt with a retry: pending, later, counted, error kept.
  ASSERT_OK(store_->MarkMailAttemptFailed(id1, kT0 + seconds(60), "connect: refused"));
  auto m = store_->GetMail(id1);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->attempts, 1);
  EXPECT_EQ(m->next_attempt_at, kT0 + seconds(60));
  EXPECT_EQ(m->last_error, "connect: refused");
  EXPECT_EQ(store_->DueMail(kT0 + seconds(59), 10)->size(), 1u);
  ASSERT_OK(store_->MarkMailSent(id1, kT0 + seconds(61)));
  m = store_->GetMail(id1);
  EXPECT_EQ(m->state, MailState::kSent);
  EXPECT_EQ(m->attempts, 2);
  EXPECT_EQ(m->sent_at, kT0 + seconds(61));
  EXPECT_CODE(store_->MarkMailSent(id1, kT0), kFailedPrecondition);  // never twice

  // Refused after the mark (the reply to the end of data): back to pending, attempts kept.
  ASSERT_OK(store_->ReopenMail(id1, kT0 + seconds(300), "451 try later"));
  m = store_->GetMail(id1);
  EXPECT_EQ(m->state, MailState::kPending);
  EXPECT_EQ(m->attempts, 2);
  EXPECT_EQ(m->sent_at, std::nullopt);
  EXPECT_EQ(m->last_error, "451 try later");
  EXPECT_EQ(m->next_attempt_at, kT0 + seconds(300));
  EXPECT_CODE(store_->ReopenMail(id1, kT0, "x"), kFailedPrecondition);  // only a sent one
  // The outbox's mark before the end of data: the same change, without waiting for the disk.
  ASSERT_OK(store_->MarkMailSending(id1, kT0 + seconds(300)));
  m = store_->GetMail(id1);
  EXPECT_EQ(m->state, MailState::kSent);
  EXPECT_EQ(m->attempts, 3);
  EXPECT_EQ(m->sent_at, kT0 + seconds(300));
  EXPECT_CODE(store_->MarkMailSending(id1, kT0), kFailedPrecondition);
  EXPECT_CODE(store_->MarkMailSent(id1, kT0), kFailedPrecondition);

  // Giving up: failed, not due any more.
  ASSERT_OK(store_->MarkMailAttemptFailed(id2, std::nullopt, "550 no such user"));
  EXPECT_EQ(store_->GetMail(id2)->state, MailState::kFailed);
  EXPECT_TRUE(store_->DueMail(kT0 + 1000 * kDay, 10)->empty());
  EXPECT_CODE(store_->MarkMailAttemptFailed(id2, kT0, "x"), kFailedPrecondition);
  EXPECT_CODE(store_->MarkMailSent(999999, kT0), kNotFound);
  EXPECT_CODE(store_->MarkMailSending(999999, kT0), kNotFound);
  EXPECT_CODE(store_->GetMail(999999).status(), kNotFound);
}

OutboxMail Mail(const std::string& key) {
  OutboxMail m;
  m.dedup_key = key;
  m.kind = "rejected";
  m.subject_ref = key;
  m.recipient = "yamada@example.jp";
  m.mime = "Subject: x\r\n\r\nbody";
  m.next_attempt_at = kT0;
  m.created_at = kT0;
  return m;
}

TEST_P(NoticeStoreTest, MailIsWrittenWithTheEventOrNotAtAll) {
  Issued(1);
  // Committed with its event: the mail is there (and a second copy of its key is skipped).
  AuditEvent ok = Audit("application.note", Rid(1));
  ok.mail = {Mail("k1"), Mail("k1")};
  ASSERT_OK(store_->AppendAudit(ok));
  EXPECT_EQ(store_->DueMail(kT0, 10)->size(), 1u);
  // The event's transaction fails (rejecting an issued application): no mail either.
  AuditEvent refused = Audit("application.reject", Rid(1));
  refused.mail = {Mail("k2")};
  EXPECT_CODE(store_->RejectApplication(Rid(1), "why", "reviewer:sato", kT0, refused),
              kFailedPrecondition);
  EXPECT_EQ(store_->DueMail(kT0, 10)->size(), 1u);
  // An incomplete mail fails the whole event.
  AuditEvent bad = Audit("application.note", Rid(1));
  bad.mail = {Mail("k3")};
  bad.mail[0].recipient.clear();
  EXPECT_CODE(store_->AppendAudit(bad), kInvalidArgument);
  EXPECT_EQ(store_->DueMail(kT0, 10)->size(), 1u);
  int64_t rows = 0;
  ASSERT_OK(store_->VerifyAuditChain(&rows));
}

TEST_P(NoticeStoreTest, MailsEnqueuedAsABatch) {
  ASSERT_TRUE(store_->EnqueueMail(Mail("b1")).ok());
  auto n = store_->EnqueueMails({Mail("b1"), Mail("b2"), Mail("b3")});
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 2);  // b1 was there
  OutboxMail bad = Mail("b4");
  bad.mime.clear();
  EXPECT_CODE(store_->EnqueueMails({Mail("b5"), bad}).status(), kInvalidArgument);
  EXPECT_EQ(store_->DueMail(kT0, 10)->size(), 3u);  // nothing of the refused batch
  EXPECT_EQ(*store_->EnqueueMails({}), 0);
}

TEST_P(NoticeStoreTest, JobDaysAndReminderScans) {
  EXPECT_FALSE(store_->LastJobDay("reminders")->has_value());
  ASSERT_OK(store_->RecordJobDay("reminders", "2026-11-24", kT0));
  ASSERT_OK(store_->RecordJobDay("reminders", "2026-11-25", kT0));
  EXPECT_EQ(**store_->LastJobDay("reminders"), "2026-11-25");
  EXPECT_CODE(store_->RecordJobDay("reminders", "11-25", kT0), kInvalidArgument);

  for (int i = 1; i <= 3; ++i) Issued(i);  // not_after kT0 + 365 d, deadline kT0 + 180 d
  auto expiring = store_->ListExpiringApplications(kT0 + 300 * kDay, kT0 + 366 * kDay, 0, 2);
  ASSERT_TRUE(expiring.ok());
  ASSERT_EQ(expiring->size(), 2u);  // paged by seq
  auto rest = store_->ListExpiringApplications(kT0 + 300 * kDay, kT0 + 366 * kDay,
                                               expiring->back().seq, 10);
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0].request_id, Rid(3));
  EXPECT_TRUE(store_->ListExpiringApplications(kT0, kT0 + 364 * kDay, 0, 10)->empty());
  EXPECT_TRUE(store_->ListExpiringApplications(kT0 + 366 * kDay, kT0 + 999 * kDay, 0, 10)->empty());
  // Revoked ones are not reminded.
  ASSERT_OK(store_->RevokeApplication(Rid(2), kT0, 1, std::nullopt, "operator:x",
                                      Audit("application.revoke", Rid(2))));
  EXPECT_EQ(store_->ListExpiringApplications(kT0, kT0 + 366 * kDay, 0, 10)->size(), 2u);

  // Undownloaded: a download takes it off the list.
  EXPECT_EQ(store_->ListUndownloadedApplications(kT0, kT0 + 181 * kDay, 0, 10)->size(), 2u);
  ASSERT_OK(store_->RecordDownloadSuccess(Rid(1), kT0, Audit("download.success", Rid(1))));
  auto undl = store_->ListUndownloadedApplications(kT0, kT0 + 181 * kDay, 0, 10);
  ASSERT_EQ(undl->size(), 1u);
  EXPECT_EQ((*undl)[0].request_id, Rid(3));
  EXPECT_TRUE(
      store_->ListUndownloadedApplications(kT0 + 181 * kDay, kT0 + 999 * kDay, 0, 10)->empty());
}

TEST_P(NoticeStoreTest, OnscreenReminderIsRecordedOncePerStage) {
  EXPECT_EQ(*store_->MarkOnscreenReminder("5e1", 90, "2029-11-26"), "2029-11-26");
  EXPECT_EQ(*store_->MarkOnscreenReminder("5e1", 90, "2029-11-27"), "2029-11-26");
  EXPECT_EQ(*store_->MarkOnscreenReminder("5e1", 60, "2029-12-26"), "2029-12-26");
  EXPECT_EQ(*store_->MarkOnscreenReminder("5e2", 90, "2029-11-27"), "2029-11-27");
  EXPECT_CODE(store_->MarkOnscreenReminder("", 90, "2029-11-27").status(), kInvalidArgument);
  EXPECT_CODE(store_->MarkOnscreenReminder("5e1", -1, "2029-11-27").status(), kInvalidArgument);
}

TEST_P(NoticeStoreTest, ShippingMovesAllOrNothingAndResends) {
  Issued(1);
  Issued(2);
  EXPECT_FALSE(store_->GetShipping(Rid(1))->has_value());
  ASSERT_TRUE(store_->RecordNoticeBatch(Batch({Rid(1), Rid(2)}), Audit("notice.batch", "b")).ok());
  auto s = store_->GetShipping(Rid(1));
  ASSERT_TRUE(s.ok() && s->has_value());
  EXPECT_EQ((*s)->status, ShippingStatus::kPrinted);
  EXPECT_EQ((*s)->page, 1);
  const auto up = [](int64_t line, const std::string& rid, ShippingStatus st,
                     const std::string& number) {
    return ShippingUpdate{line, rid, number, st, "2026-11-25"};
  };
  ASSERT_OK(store_->ApplyShippingUpdates({up(2, Rid(1), ShippingStatus::kShipped, "A-1"),
                                          up(3, Rid(2), ShippingStatus::kShipped, "A-2")},
                                         Audit("notice.shipping", "t")));
  // One bad row refuses the whole list: Rid(1) stays shipped.
  Status bad = store_->ApplyShippingUpdates({up(2, Rid(1), ShippingStatus::kDelivered, ""),
                                             up(3, Rid(2), ShippingStatus::kDelivered, "B-9")},
                                            Audit("notice.shipping", "t"));
  EXPECT_CODE(bad, kFailedPrecondition);
  EXPECT_NE(bad.message().find("line 3"), std::string::npos) << bad.ToString();
  EXPECT_EQ((*store_->GetShipping(Rid(1)))->status, ShippingStatus::kShipped);
  EXPECT_CODE(store_->ApplyShippingUpdates({up(4, "99999999999999", ShippingStatus::kShipped, "C")},
                                           Audit("notice.shipping", "t")),
              kNotFound);
  // Not allowed: back to printed, delivered before shipped.
  EXPECT_CODE(store_->ApplyShippingUpdates({up(2, Rid(1), ShippingStatus::kPrinted, "A-1")},
                                           Audit("notice.shipping", "t")),
              kFailedPrecondition);
  // A repeated row changes nothing; then 不達 → the re-send queue → printed again.
  ASSERT_OK(store_->ApplyShippingUpdates({up(2, Rid(1), ShippingStatus::kShipped, "A-1"),
                                          up(3, Rid(2), ShippingStatus::kUndeliverable, "")},
                                         Audit("notice.shipping", "t")));
  auto queue = store_->ListResendQueue(10);
  ASSERT_EQ(queue->size(), 1u);
  EXPECT_EQ((*queue)[0].request_id, Rid(2));
  EXPECT_EQ((*queue)[0].tracking_number, "A-2");
  EXPECT_CODE(store_->MarkResendPrinted({Rid(2), Rid(1)}, Audit("notice.resend", "r")),
              kFailedPrecondition);  // Rid(1) is not undeliverable: nothing changes
  EXPECT_EQ(store_->ListResendQueue(10)->size(), 1u);
  ASSERT_OK(store_->MarkResendPrinted({Rid(2)}, Audit("notice.resend", "r")));
  auto again = store_->GetShipping(Rid(2));
  EXPECT_EQ((*again)->status, ShippingStatus::kPrinted);
  EXPECT_EQ((*again)->resend_count, 1);
  EXPECT_EQ((*again)->tracking_number, "");
  EXPECT_TRUE(store_->ListResendQueue(10)->empty());
  int64_t rows = 0;
  ASSERT_OK(store_->VerifyAuditChain(&rows));
}

INSTANTIATE_TEST_SUITE_P(Backends, NoticeStoreTest, ::testing::Values("sqlite", "postgres"),
                         BackendName);

}  // namespace
}  // namespace claimsca::store
