#pragma once

// The fixture of the fee tests (fees_test, offset_file_test, transfer_test): a fresh store
// of each back end (store/store_test_fixture.h), the built-in kokuhoren tariff and helpers
// that charge applications the way the applications part does, inside one transaction.

#include <string>

#include "domain/tariff.h"
#include "kokuhoren/fees.h"
#include "store/module_sql.h"
#include "store/store_test_fixture.h"

namespace claimsca::kokuhoren::testing {

// 2026-12-06 10:00 JST.
inline const Instant kNow = ParseInstant("2026-12-06T10:00:00+09:00").value();
inline constexpr char kOffice[] = "1310000017";   // an office applying for itself
inline constexpr char kOffice2[] = "1310000025";  // another office
inline constexpr char kOfficeAccount[] = "kj10000001";
inline constexpr char kOffice2Account[] = "kj10000002";
inline constexpr char kAgent[] = "kj20000001";

class FeesTest : public store::test::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto entries = domain::DefaultCommonTariff();
    for (auto& e : domain::DefaultKokuhorenTariff()) entries.push_back(e);
    tariff_.emplace(domain::Tariff::Create(entries).value());
  }

  Status Tx(const store::SqlTxFn& fn) { return store::RunInTransaction(*store_, fn); }
  Status Read(const store::SqlTxFn& fn) { return store::RunRead(*store_, fn); }

  // An office's own application, paid by offset against itself.
  static ChargeRequest OwnOffset(const std::string& app, const std::string& office = kOffice,
                                 const std::string& account = kOfficeAccount) {
    ChargeRequest r;
    r.application_id = app;
    r.applicant_account = account;
    r.office_number = office;
    r.method = PaymentMethod::kOffset;
    r.offset_office_number = office;
    r.offset_account = account;
    r.actor = "kj:" + account;
    return r;
  }
  // An agent's application for `office`, paid by transfer.
  static ChargeRequest AgentTransfer(const std::string& app, const std::string& office = kOffice) {
    ChargeRequest r;
    r.application_id = app;
    r.applicant_account = kAgent;
    r.office_number = office;
    r.method = PaymentMethod::kTransfer;
    r.addressee_name = "代理人 介護請求センター";
    r.actor = std::string("kj:") + kAgent;
    return r;
  }

  Result<FeeEntry> Charge(const ChargeRequest& r, Instant at = kNow) {
    Result<FeeEntry> out = InvalidArgument("not run");
    Status st = Tx([&](store::SqlTx& tx) -> Status {
      out = ChargeApplication(tx, *tariff_, r, InvoiceTerms{}, at);
      return out.status();
    });
    if (!st.ok()) return st;
    return out;
  }

  int64_t Balance(const std::string& office) {
    int64_t b = -1;
    EXPECT_TRUE(Read([&](store::SqlTx& tx) -> Status {
                  ASSIGN_OR_RETURN(b, BalanceOfOffice(tx, office));
                  return Status::Ok();
                }).ok());
    return b;
  }

  std::optional<domain::Tariff> tariff_;
};

}  // namespace claimsca::kokuhoren::testing
