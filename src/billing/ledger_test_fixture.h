#pragma once

// The fixture of the ledger's store tests (ledger_store_test, methods_test,
// statement_store_test): a fresh store of each back end (store/store_test_fixture.h) with
// three registered institutions; LedgerFixture adds approved applications (ledger entries).

#include <chrono>
#include <string>
#include <vector>

#include "store/store_test_fixture.h"

namespace claimsca::billing::testing {

inline constexpr char kClinic[] = "0112345678";   // 分類 1: deduction allowed
inline constexpr char kCheckup[] = "1310000001";  // 分類 6 特健機関: invoice only
inline constexpr char kInsurer[] = "06130012";    // 分類 7 保険者: invoice only

class RegisteredStoreTest : public store::test::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    std::vector<store::RegisterEntry> reg = {
        {kClinic, "医療法人 愛全病院", "0050813", "札幌市南区", "1", "deduction"},
        {kCheckup, "健診センター", "1000001", "東京都千代田区", "6", "invoice"},
        {kInsurer, "東京都国保", "1000001", "東京都新宿区", "7", "invoice"},
    };
    ASSERT_OK(store_->ImportRegister(reg, "test", "t", store::test::kT0).status());
  }
};

// Ledger entries written the store's way: an application approved (RecordIssued with its
// fee charge), certificates issued.
class LedgerFixture : public RegisteredStoreTest {
 protected:
  using AuditEvent = store::AuditEvent;
  using FeeCharge = store::FeeCharge;
  static constexpr const char* kHolder = "approver-1";
  static constexpr Instant kT0 = store::test::kT0;

  static AuditEvent Audit(const std::string& action, const std::string& subject, Instant at) {
    return AuditEvent{at, "operator:test", action, subject, "{}"};
  }

  static FeeCharge Fee(const std::string& kind, const std::string& date, int64_t issuance,
                       int64_t mailing) {
    FeeCharge f;
    f.kind = kind;
    f.charge_date = date;
    f.issuance_fee_yen = issuance;
    f.mailing_fee_yen = mailing;
    f.total_yen = issuance + mailing;
    f.created_at = kT0;
    return f;
  }

  void Certificate(const std::string& rid, const std::string& serial, const std::string& code) {
    store::CertificateRecord c = store::test::Intent(serial, "cn-" + serial);
    c.request_id = rid;
    c.institution_code = code;
    ASSERT_OK(store_->InsertIntent(c));
    ASSERT_OK(store_->MarkIssued(serial, "cert-" + serial));
  }

  // An application of `code` approved on `date` ("YYYY-MM-DD"): 1,500 + 792 yen.
  void Approve(const std::string& rid, const std::string& code, const std::string& serial,
               const std::string& date) {
    store::ApplicationRecord a;
    a.request_id = rid;
    a.program = "common";
    a.channel = "portal";
    a.account_id = "clinic@example.jp";
    a.applicant_kind = "institution";
    a.category = "1";
    a.prefecture = "01";
    a.score_table = "1";
    a.facility_code = "2345678";
    a.institution_code = code;
    a.institution_name = "医療法人";
    a.contact_name = "山田 太郎";
    a.phone = "03-1234-5678";
    a.email = "yamada@example.jp";
    a.terminal_name = "受付PC " + rid.substr(rid.size() - 2);
    a.register_version = 1;
    a.submitted_at = kT0;
    bool created = false;
    ASSERT_OK(
        store_->InsertApplication(a, Audit("application.submit", rid, kT0), &created).status());
    ASSERT_OK(store_->ClaimApplication(rid, kHolder, kT0, std::chrono::seconds(300)));
    Certificate(rid, serial, code);
    store::IssuanceResult r;
    r.serial = serial;
    r.common_name = "cn-" + serial;
    r.issued_at = kT0;
    r.not_after = kT0 + std::chrono::seconds(86400 * 365);
    r.download_deadline = kT0 + std::chrono::seconds(86400 * 30);
    r.download_password_hash = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA";
    r.pkcs12_der = "p12";
    r.sealed_password = "sealed";
    ASSERT_OK(store_->RecordIssued(rid, kHolder, "reviewer:sato", kT0, r,
                                   Fee("new_application", date, 1500, 792),
                                   Audit("application.issue", rid, kT0)));
  }
};

}  // namespace claimsca::billing::testing
