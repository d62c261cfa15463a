// The registration authority on a real store (SQLite and PostgreSQL), a real issuer and
// key pool: every rule of DOMAIN.md §1–§4 and §6 that the RA enforces.

#include "ra/registration_authority.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "common/time_util.h"
#include "crypto/pkcs12.h"
#include "ra/ra_test_fixture.h"

namespace claimsca::ra {
namespace {

using store::ApplicationState;
using namespace test;  // NOLINT: the shared fixture and helpers

TEST_P(RaTest, CleanApplicationIsApprovedAtOnceWithEveryDateOfTheGuide) {
  auto r = ra_->Submit(Institution(kClinic), ClinicForm(), "");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->errors.empty());
  const auto& a = r->application;
  EXPECT_EQ(a.state, ApplicationState::kIssued);
  EXPECT_EQ(a.request_id.size(), 14u);
  EXPECT_TRUE(a.request_id.starts_with("2026"));
  EXPECT_EQ(a.institution_code, kClinic);
  EXPECT_EQ(a.register_version, 1);
  EXPECT_EQ(a.decided_by, "system:auto-review");
  EXPECT_EQ(a.common_name.size(), 12u);
  EXPECT_EQ(FormatJst(*a.issued_at), "2026-11-22T10:00:00+09:00");
  EXPECT_EQ(FormatJst(*a.not_after), "2030-02-22T23:59:59+09:00");  // 3 years 3 months, whole day
  EXPECT_EQ(FormatJst(*a.download_deadline), "2027-05-21T23:59:59+09:00");  // + 180 days
  EXPECT_FALSE(a.pkcs12_der.empty());
  EXPECT_TRUE(a.download_password_hash.starts_with("$argon2id$"));
  EXPECT_FALSE(a.sealed_password.empty());
  // The fee arises on approval: license fee + mailing fee of the tariff in force.
  EXPECT_EQ(r->charge.total_yen, 1500 + 792);
  auto charges = store_->ListFeeCharges("2026-11-01", "2026-11-30");
  ASSERT_TRUE(charges.ok()) << charges.status().ToString();
  ASSERT_EQ(charges->size(), 1u);
  EXPECT_EQ((*charges)[0].request_id, a.request_id);
  EXPECT_EQ((*charges)[0].charge_date, "2026-11-22");
  EXPECT_EQ((*charges)[0].issuance_fee_yen, 1500);
  EXPECT_EQ((*charges)[0].mailing_fee_yen, 792);
  // The certificate is stored with its application and is good in OCSP terms.
  auto cert = store_->GetCertificate(a.serial);
  ASSERT_TRUE(cert.ok());
  EXPECT_EQ(cert->request_id, a.request_id);
  EXPECT_EQ(cert->terminal_name, "受付PC1");
  EXPECT_EQ(cert->state, store::CertState::kIssued);
}

TEST_P(RaTest, BadFormsAreRefusedFieldByFieldAndNothingIsStored) {
  const int64_t audit_before = AuditRows();
  struct Case {
    const char* name;
    std::function<void(ApplicationForm&)> edit;
    std::string field, rule;
  };
  const Case cases[] = {
      {"kind", [](ApplicationForm& f) { f.applicant_kind = "clinic"; }, "applicant_kind", "one_of"},
      // The prefecture is part of the checked digits: reported first, with the code.
      {"check digit", [](ApplicationForm& f) { f.facility_code = "0113718"; }, "prefecture",
       "prefecture_code_mismatch"},
      {"empty contact", [](ApplicationForm& f) { f.contact_name = ""; }, "contact_name",
       "required"},
      {"control character", [](ApplicationForm& f) { f.terminal_name = "PC\n1"; }, "terminal_name",
       "control_character"},
      {"e-mail", [](ApplicationForm& f) { f.email = "not-an-address"; }, "email", "email_syntax"},
      {"too long", [](ApplicationForm& f) { f.terminal_name = std::string(101, 'x'); },
       "terminal_name", "length"},
  };
  for (const auto& c : cases) {
    ApplicationForm f = ClinicForm();
    c.edit(f);
    auto r = ra_->Submit(Institution(kClinic), f, "");
    ASSERT_TRUE(r.ok()) << c.name << ": " << r.status().ToString();
    ASSERT_FALSE(r->errors.empty()) << c.name;
    EXPECT_EQ(r->errors.front().field, c.field) << c.name;
    EXPECT_EQ(r->errors.front().rule, c.rule) << c.name;
    EXPECT_FALSE(r->errors.front().message_ja.empty()) << c.name;
  }
  auto page = ra_->List(Operator(), {});
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->items.empty());
  EXPECT_EQ(AuditRows(), audit_before);
}

TEST_P(RaTest, HostileTextRoundTripsExactly) {
  ApplicationForm f = ClinicForm();
  f.terminal_name = kHostile;
  f.contact_name = std::string(kHostile) + "'; DROP TABLE applications; --";
  auto a = MustSubmit(Institution(kClinic), f);
  auto got = ra_->Get(Institution(kClinic), a.request_id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->terminal_name, kHostile);
  EXPECT_EQ(got->contact_name, std::string(kHostile) + "'; DROP TABLE applications; --");
  EXPECT_EQ(store_->GetCertificate(got->serial)->terminal_name, kHostile);
}

TEST_P(RaTest, CodeNotInTheRegisterIsHeldForAPerson) {
  auto a = MustSubmit(Institution("33120015"), InsurerForm());
  EXPECT_EQ(a.state, ApplicationState::kPending);
  EXPECT_EQ(a.hold_reason, "not_in_register");
  EXPECT_EQ(a.register_version, 0);
  store::ApplicationFilter held;
  held.only_held = true;
  auto queue = ra_->List(Operator("reviewer"), held);
  ASSERT_TRUE(queue.ok());
  ASSERT_EQ(queue->items.size(), 1u);
  // A reviewer approves it by hand.
  auto approved = ra_->Approve(Operator("reviewer"), a.request_id);
  ASSERT_TRUE(approved.ok()) << approved.status().ToString();
  EXPECT_EQ(approved->application.state, ApplicationState::kIssued);
  EXPECT_EQ(approved->application.decided_by, "operator:op-reviewer");
  EXPECT_EQ(store_->GetCertificate(approved->application.serial)->institution_code, "33120015");
}

TEST_P(RaTest, AutoReviewRulesAreConfigurable) {
  RaOptions o;
  o.auto_review.require_name_match = true;
  o.auto_review.max_active_certificates = 2;
  Rebuild(o);
  ApplicationForm renamed = ClinicForm();
  renamed.institution_name = "別の名前の病院";
  EXPECT_EQ(MustSubmit(Institution(kClinic), renamed).hold_reason, "name_mismatch");
  ApplicationForm spaced = ClinicForm();
  spaced.institution_name = "札幌　中央 病院";  // spaces and full width do not matter
  EXPECT_EQ(MustSubmit(Institution(kClinic), spaced).state, ApplicationState::kIssued);
  // One active certificate + one pending application = the limit of 2.
  EXPECT_EQ(MustSubmit(Institution(kClinic), ClinicForm()).hold_reason, "too_many_certificates");
  o.auto_review.enabled = false;
  Rebuild(o);
  EXPECT_EQ(MustSubmit(Institution(kClinic), ClinicForm()).hold_reason, "manual_review");
}

TEST_P(RaTest, SubmittingTwiceWithOneKeyCreatesOneApplication) {
  auto first = ra_->Submit(Institution(kClinic), ClinicForm(), "click-1");
  auto again = ra_->Submit(Institution(kClinic), ClinicForm(), "click-1");
  ASSERT_TRUE(first.ok() && again.ok());
  EXPECT_TRUE(first->created);
  EXPECT_FALSE(again->created);
  EXPECT_EQ(first->application.request_id, again->application.request_id);
  auto other = ra_->Submit(Institution(kClinic), ClinicForm(), "click-2");
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->application.request_id, first->application.request_id);
  EXPECT_EQ(ra_->List(Operator(), {})->items.size(), 2u);
  EXPECT_EQ(store_->ListFeeCharges("2026-01-01", "2026-12-31")->size(), 2u);
}

TEST_P(RaTest, PreviewCountsEarlierApplicationsAndQuotesTheFee) {
  auto p = ra_->PreviewApplication(Institution(kClinic), ClinicForm());
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->preview.earlier_applications, 0);
  EXPECT_EQ(p->preview.fee.issuance_yen, 1500);
  EXPECT_EQ(p->preview.fee.mailing_yen, 792);
  EXPECT_EQ(p->preview.fee.total_yen, 2292);
  EXPECT_EQ(p->preview.tariff_from, "2026-04-01");
  EXPECT_TRUE(p->preview.in_register);
  MustSubmit(Institution(kClinic), ClinicForm());
  Pending(Institution(kClinic));
  p = ra_->PreviewApplication(Institution(kClinic), ClinicForm());
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->preview.earlier_applications, 2);  // 発行済み含む
  // Nothing was stored by the previews.
  EXPECT_EQ(ra_->List(Operator(), {})->items.size(), 2u);
  // Before the tariff's first day there is no fee to quote: say so, store nothing.
  clock_.Set(At("2026-03-31T12:00:00+09:00"));
  EXPECT_EQ(ra_->PreviewApplication(Institution(kClinic), ClinicForm()).status().code(),
            Code::kNotFound);
}

// 000 図表12: which operation each state allows.
TEST_P(RaTest, OnlyTheOperationsOfEachStateSucceed) {
  const Caller owner = Institution(kClinic);
  auto make = [&](ApplicationState want) {
    auto a = Pending(owner);
    switch (want) {
      case ApplicationState::kPending:
        break;
      case ApplicationState::kIssued:
        EXPECT_TRUE(ra_->Approve(Operator(), a.request_id).ok());
        break;
      case ApplicationState::kRejected:
        EXPECT_TRUE(ra_->Reject(Operator(), a.request_id, "記載不備").ok());
        break;
      case ApplicationState::kCancelled:
        EXPECT_TRUE(ra_->Cancel(owner, a.request_id).ok());
        break;
      case ApplicationState::kRevoked:
        EXPECT_TRUE(ra_->Approve(Operator(), a.request_id).ok());
        EXPECT_TRUE(ra_->Revoke(owner, a.request_id, store::kReasonKeyCompromise).ok());
        break;
    }
    EXPECT_EQ(ra_->Get(owner, a.request_id)->state, want);
    return a.request_id;
  };
  using S = ApplicationState;
  struct Row {
    S state;
    Code cancel, revoke, edit, approve, reject;
  };
  const Code ok = Code::kOk, no = Code::kFailedPrecondition;
  const Row table[] = {
      {S::kPending, ok, no, no, ok, ok},  {S::kIssued, no, ok, ok, no, no},
      {S::kRejected, no, no, no, no, no}, {S::kCancelled, no, no, no, no, no},
      {S::kRevoked, no, no, no, no, no},
  };
  for (const Row& row : table) {
    const std::string name(store::ApplicationStateName(row.state));
    // make() rebuilds ra_: each id is made before ra_ is used.
    std::string id = make(row.state);
    EXPECT_EQ(ra_->Cancel(owner, id).code(), row.cancel) << name << " cancel";
    id = make(row.state);
    EXPECT_EQ(ra_->Revoke(owner, id, 0).code(), row.revoke) << name << " revoke";
    id = make(row.state);
    std::vector<domain::FieldError> errors;
    EXPECT_EQ(ra_->Edit(owner, id, {{"phone", "03-1111-2222"}}, &errors).status().code(), row.edit)
        << name << " edit";
    id = make(row.state);
    EXPECT_EQ(ra_->Approve(Operator(), id).status().code(), row.approve) << name << " approve";
    id = make(row.state);
    EXPECT_EQ(ra_->Reject(Operator(), id, "不備").code(), row.reject) << name << " reject";
  }
}

TEST_P(RaTest, AnInstitutionNeverSeesOrTouchesAnotherOnes) {
  auto mine = MustSubmit(Institution(kClinic), ClinicForm());
  const Caller other = Institution(kOtherClinic, "other@example.jp");
  EXPECT_EQ(ra_->Get(other, mine.request_id).status().code(), Code::kNotFound);
  EXPECT_EQ(ra_->Cancel(other, mine.request_id).code(), Code::kNotFound);
  EXPECT_EQ(ra_->Revoke(other, mine.request_id, 0).code(), Code::kNotFound);
  std::vector<domain::FieldError> errors;
  EXPECT_EQ(ra_->Edit(other, mine.request_id, {{"phone", "0311112222"}}, &errors).status().code(),
            Code::kNotFound);
  EXPECT_EQ(ra_->Edits(other, mine.request_id).status().code(), Code::kNotFound);
  // Listing: whatever code the filter names, only the caller's own come back.
  store::ApplicationFilter f;
  f.institution_codes = {kClinic};
  auto page = ra_->List(other, f);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->items.empty());
  EXPECT_EQ(ra_->List(Institution(kClinic), {})->items.size(), 1u);
  // Applying for someone else's code is refused on the field.
  auto r = ra_->Submit(other, ClinicForm(), "");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].rule, "not_your_institution");
  // Reviewing is for operators; the network channel cannot read at all.
  EXPECT_EQ(ra_->Approve(Institution(kClinic), mine.request_id).status().code(), Code::kForbidden);
  EXPECT_EQ(ra_->Get(Network(), mine.request_id).status().code(), Code::kNotFound);
  EXPECT_EQ(ra_->List(Network(), {}).status().code(), Code::kUnauthorized);
}

TEST_P(RaTest, NetworkChannelAppliesWithoutAnAccount) {
  auto a = MustSubmit(Network(), ClinicForm(), "net-1");
  EXPECT_EQ(a.channel, "network");
  EXPECT_EQ(a.account_id, "");
  EXPECT_EQ(a.state, ApplicationState::kIssued);
}

TEST_P(RaTest, DownloadWithThePasswordLockoutAndDeadline) {
  auto a = MustSubmit(Institution(kClinic), ClinicForm());
  auto password = ra_->TakeDownloadPassword(Operator("operator"), a.request_id);
  ASSERT_TRUE(password.ok()) << password.status().ToString();
  EXPECT_EQ(password->size(), 16u);
  // Handed over once.
  EXPECT_EQ(ra_->TakeDownloadPassword(Operator("operator"), a.request_id).status().code(),
            Code::kFailedPrecondition);
  EXPECT_EQ(ra_->TakeDownloadPassword(Operator("reviewer"), "20260000000000").status().code(),
            Code::kForbidden);

  auto d = ra_->DownloadPkcs12(a.request_id, *password, "127.0.0.1");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  auto p12 = crypto::ParsePkcs12(d->pkcs12_der, *password);
  ASSERT_TRUE(p12.ok()) << p12.status().ToString();
  EXPECT_EQ(p12->friendly_name, "受付PC1");
  EXPECT_EQ(p12->chain.size(), 2u);
  EXPECT_EQ(ra_->DownloadPkcs12("29999999999999", *password, "x").status().code(),
            Code::kUnauthorized);

  // Five wrong passwords are counted and lock; even the right one is then refused, with the
  // same answer (download_test.cc: no oracle for request IDs).
  for (int i = 0; i < 5; ++i) {
    auto wrong = ra_->DownloadPkcs12(a.request_id, "wrong-password", "10.0.0.9");
    EXPECT_EQ(wrong.status().code(), Code::kUnauthorized) << i;
  }
  EXPECT_EQ(ra_->DownloadPkcs12(a.request_id, *password, "x").status().code(), Code::kUnauthorized);
  clock_.Advance(std::chrono::minutes(31));
  EXPECT_TRUE(ra_->DownloadPkcs12(a.request_id, *password, "x").ok());
  EXPECT_EQ(store_->GetApplication(a.request_id)->download_count, 2);
  // The last second of the deadline day still works; the next does not.
  clock_.Set(At("2027-05-21T23:59:59+09:00"));
  EXPECT_TRUE(ra_->DownloadPkcs12(a.request_id, *password, "x").ok());
  clock_.Set(At("2027-05-22T00:00:00+09:00"));
  EXPECT_EQ(ra_->DownloadPkcs12(a.request_id, *password, "x").status().code(),
            Code::kFailedPrecondition);
}

TEST_P(RaTest, RevokedCertificateCannotBeDownloadedAndIsRevokedForOcsp) {
  auto a = MustSubmit(Institution(kClinic), ClinicForm());
  auto password = ra_->TakeDownloadPassword(Operator(), a.request_id);
  ASSERT_TRUE(password.ok());
  // Applicants may not give operator-only reasons.
  EXPECT_EQ(ra_->Revoke(Institution(kClinic), a.request_id, 9).code(), Code::kInvalidArgument);
  ASSERT_TRUE(ra_->Revoke(Institution(kClinic), a.request_id, store::kReasonKeyCompromise).ok());
  auto status = store_->GetStatus("issuing-1", a.serial);
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(status->revoked_at.has_value());
  EXPECT_EQ(status->revocation_reason, store::kReasonKeyCompromise);
  EXPECT_EQ(ra_->Get(Institution(kClinic), a.request_id)->state, ApplicationState::kRevoked);
  EXPECT_EQ(ra_->DownloadPkcs12(a.request_id, *password, "x").status().code(),
            Code::kFailedPrecondition);
}

TEST_P(RaTest, EditKeepsBeforeAndAfterOnlyWhileIssued) {
  auto a = MustSubmit(Institution(kClinic), ClinicForm());
  std::vector<domain::FieldError> errors;
  auto edits = ra_->Edit(Institution(kClinic), a.request_id,
                         {{"phone", "０３－１１１１－２２２２"},
                          {"terminal_name", "受付PC1"},  // unchanged: no row
                          {"contact_name", "医事課　佐藤"}},
                         &errors);
  ASSERT_TRUE(edits.ok()) << edits.status().ToString();
  ASSERT_TRUE(errors.empty());
  ASSERT_EQ(edits->size(), 2u);
  auto rows = ra_->Edits(Institution(kClinic), a.request_id);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  for (const auto& e : *rows) {
    if (e.field == "phone") {
      EXPECT_EQ(e.before, "011-123-4567");
      EXPECT_EQ(e.after, "03-1111-2222");  // normalised like the form
    } else {
      EXPECT_EQ(e.field, "contact_name");
      EXPECT_EQ(e.after, "医事課　佐藤");
    }
  }
  EXPECT_EQ(ra_->Get(Institution(kClinic), a.request_id)->contact_name, "医事課　佐藤");
  // Bad values and other fields are refused, and nothing changes.
  edits = ra_->Edit(Institution(kClinic), a.request_id,
                    {{"email", "broken"}, {"institution_code", "0110112489"}}, &errors);
  ASSERT_TRUE(edits.ok());
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(ra_->Edits(Institution(kClinic), a.request_id)->size(), 2u);
  EXPECT_EQ(ra_->Get(Institution(kClinic), a.request_id)->email, "iji@example.jp");
}

TEST_P(RaTest, TwoOperatorsApprovingAtOnceIssueOneCertificate) {
  auto a = Pending(Institution(kClinic));
  ASSERT_TRUE(pool_->Fill(crypto::KeyAlgorithm::kEcP256, 8).ok());
  std::atomic<int> ok{0}, refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&, i] {
      auto r = ra_->Approve(Operator("reviewer"), a.request_id);
      if (r.ok()) {
        ++ok;
      } else if (r.status().code() == Code::kConflict ||
                 r.status().code() == Code::kFailedPrecondition) {
        ++refused;
      } else {
        ADD_FAILURE() << i << ": " << r.status().ToString();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(refused.load(), 5);
  auto certs = store_->CertificatesForRequest(a.request_id);
  ASSERT_TRUE(certs.ok());
  ASSERT_EQ(certs->size(), 1u);
  EXPECT_EQ(store_->ListFeeCharges("2026-11-22", "2026-11-22")->size(), 1u);
}

TEST_P(RaTest, AnApprovalThatDiedHalfWayIsTakenOverAndItsCertificateRevoked) {
  auto a = Pending(Institution(kClinic));
  // Another process claimed it, signed a certificate, and died before recording it.
  ASSERT_TRUE(
      store_->ClaimApplication(a.request_id, "dead-host:9", clock_.Now(), std::chrono::minutes(5))
          .ok());
  auto key = pool_->Take(crypto::KeyAlgorithm::kEcP256);
  ASSERT_TRUE(key.ok());
  ca::IssueRequest req{"common", kClinic, "受付PC1", a.request_id};
  auto orphan = issuer_->IssueForKey(req, key->get());
  ASSERT_TRUE(orphan.ok()) << orphan.status().ToString();
  // While its claim is valid, nobody else approves.
  EXPECT_EQ(ra_->Approve(Operator(), a.request_id).status().code(), Code::kConflict);
  clock_.Advance(std::chrono::minutes(6));
  auto approved = ra_->Approve(Operator(), a.request_id);
  ASSERT_TRUE(approved.ok()) << approved.status().ToString();
  EXPECT_NE(approved->application.serial, orphan->serial);
  auto old = store_->GetCertificate(orphan->serial);
  ASSERT_TRUE(old.ok());
  ASSERT_TRUE(old->revoked_at.has_value());
  EXPECT_EQ(old->revocation_reason, 4);  // superseded
  EXPECT_EQ(store_->CertificatesForRequest(a.request_id)->size(), 2u);
}

TEST_P(RaTest, BulkRevocationOfAnInstitutionAndOfAList) {
  std::vector<std::string> serials;
  for (int i = 0; i < 3; ++i) {
    ApplicationForm f = ClinicForm();
    f.terminal_name = "PC" + std::to_string(i);
    serials.push_back(MustSubmit(Institution(kClinic), f).serial);
  }
  auto other = MustSubmit(Institution(kOtherClinic), ClinicForm("0112489"));
  // Institutions cannot bulk-revoke; reviewers neither.
  EXPECT_EQ(ra_->RevokeInstitution(Institution(kClinic), kClinic, 0).status().code(),
            Code::kForbidden);
  EXPECT_EQ(ra_->RevokeInstitution(Operator("reviewer"), kClinic, 0).status().code(),
            Code::kForbidden);
  auto items = ra_->RevokeInstitution(Operator("operator"), kClinic, 9);
  ASSERT_TRUE(items.ok()) << items.status().ToString();
  ASSERT_EQ(items->size(), 3u);
  for (const auto& item : *items) {
    EXPECT_TRUE(item.status.ok()) << item.serial << ": " << item.status.ToString();
    EXPECT_FALSE(item.request_id.empty());
    EXPECT_EQ(store_->GetStatus("issuing-1", item.serial)->revocation_reason, 9);
  }
  EXPECT_EQ(store_->GetApplication(other.request_id)->state, ApplicationState::kIssued);
  // A list: one good serial, one already revoked, one unknown.
  items = ra_->RevokeSerials(Operator("operator"), {other.serial, serials[0], "0abc"}, 1);
  ASSERT_TRUE(items.ok());
  ASSERT_EQ(items->size(), 3u);
  EXPECT_TRUE((*items)[0].status.ok());
  EXPECT_FALSE((*items)[1].status.ok());
  EXPECT_EQ((*items)[2].status.code(), Code::kNotFound);
  EXPECT_EQ(store_->GetApplication(other.request_id)->state, ApplicationState::kRevoked);
}

TEST_P(RaTest, TheApplicantIsMailedWithEachChangeInItsTransaction) {
  mail::OutboxOptions mo;
  mo.from_address = "no-reply@ca.test";
  mail::Composer composer(clock_, mo);
  RaOptions o;
  o.mail = &composer;
  o.auto_review.enabled = false;
  Rebuild(o);
  const Caller owner = Institution(kClinic);
  auto kinds = [&] {
    std::vector<std::string> out;
    auto due = store_->DueMail(clock_.Now() + std::chrono::hours(1), 100);
    EXPECT_TRUE(due.ok());
    if (!due.ok()) return out;
    for (const auto& m : *due) out.push_back(m.subject_ref + ":" + m.kind);
    std::sort(out.begin(), out.end());
    return out;
  };
  auto a = MustSubmit(owner, ClinicForm());
  auto b = MustSubmit(owner, ClinicForm());
  ASSERT_TRUE(ra_->Approve(Operator(), a.request_id).ok());
  ASSERT_OK(ra_->Reject(Operator(), b.request_id, "記載不備"));
  // Refused changes write no mail: rejecting an issued one, revoking a rejected one.
  EXPECT_CODE(ra_->Reject(Operator(), a.request_id, "x"), kFailedPrecondition);
  EXPECT_CODE(ra_->Revoke(owner, b.request_id, store::kReasonKeyCompromise), kFailedPrecondition);
  ASSERT_OK(ra_->Revoke(owner, a.request_id, store::kReasonKeyCompromise));
  std::vector<std::string> want = {
      a.request_id + ":application_received", a.request_id + ":issued", a.request_id + ":revoked",
      b.request_id + ":application_received", b.request_id + ":rejected"};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(kinds(), want);
  auto due = store_->DueMail(clock_.Now() + std::chrono::hours(1), 100);
  ASSERT_TRUE(due.ok());
  for (const auto& m : *due) {
    EXPECT_EQ(m.recipient, ClinicForm().email);
    EXPECT_NE(m.mime.find("no-reply@ca.test"), std::string::npos);
  }
}

TEST_P(RaTest, EveryChangeIsInTheAuditTrail) {
  const int64_t before = AuditRows();
  auto a = MustSubmit(Institution(kClinic), ClinicForm());  // submit + approve (+ signing)
  ASSERT_TRUE(ra_->Revoke(Institution(kClinic), a.request_id, 0).ok());
  auto b = Pending(Institution(kClinic));
  ASSERT_TRUE(ra_->Cancel(Institution(kClinic), b.request_id).ok());
  EXPECT_GE(AuditRows() - before, 5);
}

TEST_P(RaTest, ApprovalWithoutTheIssuingKeyFailsCleanly) {
  auto a = Pending(Institution(kClinic));
  RegistrationAuthority no_key(*store_, nullptr, *pool_, programs_, {}, *tariff_, *sealer_, clock_,
                               RaOptions{});
  EXPECT_EQ(no_key.Approve(Operator(), a.request_id).status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(store_->GetApplication(a.request_id)->state, ApplicationState::kPending);
  // The claim was never taken: another process approves at once.
  EXPECT_TRUE(ra_->Approve(Operator(), a.request_id).ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, RaTest, ::testing::Values("sqlite", "postgres"),
                         store::test::BackendName);

}  // namespace
}  // namespace claimsca::ra
