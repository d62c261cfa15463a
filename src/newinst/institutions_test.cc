// newinst::InstitutionStore and the register fallback of store::FindInRegister on both back
// ends: serials per prefecture + 点数表 (also under concurrent issues), validation, the
// 受付番号's rules and its addition to the accounts, the fallback and "the register wins".

#include "newinst/institutions.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "domain/codes.h"
#include "store/module_sql.h"
#include "store/store_test_fixture.h"

namespace claimsca::newinst {
namespace {

using store::SqlTx;
using store::test::kT0;

// kT0 = 2027-01-15 (JST); a Tokyo 医科 code of the published lists, and one of 北海道.
constexpr char kRealTokyo[] = "1318814790";
constexpr char kRealHokkaido[] = "0110113719";

NewInstitution Clinic(std::string opening = "2027-04") {
  NewInstitution n;
  n.prefecture = "13";
  n.score_table = "1";
  n.category = "1";
  n.name = "オン資クリニック テスト中です#%& * > ? @";
  n.postal_code = "100-8916";
  n.address = "東京都千代田区霞が関１－２－２";
  n.opening_month = std::move(opening);
  n.email = "clinic@example.jp";
  return n;
}

class InstitutionStoreTest : public store::test::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    institutions_ = std::make_unique<InstitutionStore>(*store_);
  }

  void ImportRegister(const std::vector<std::string>& codes) {
    std::vector<store::RegisterEntry> rows;
    for (const std::string& c : codes) {
      rows.push_back({c, "登録済み医院", "1000001", "東京都千代田区", "1", "deduction"});
    }
    ASSERT_TRUE(store_->ImportRegister(rows, "test.csv", "test", kT0).ok());
  }

  void AddAccount(const std::string& id, const std::string& code) {
    ASSERT_OK(store::RunInTransaction(*store_, [&](SqlTx& tx) -> Status {
      static constexpr char kAccount[] =
          "INSERT INTO accounts (account_id, kind, display_name, email, password_hash, "
          "created_at) VALUES ($1, 'institution', 'x', 'x@example.jp', 'x', 0)";
      static constexpr char kCode[] =
          "INSERT INTO account_institutions (account_id, institution_code) VALUES ($1, $2)";
      RETURN_IF_ERROR(tx.Exec(kAccount, {id}).status());
      return tx.Exec(kCode, {id, code}).status();
    }));
  }

  std::set<std::string> CodesOf(const std::string& id) {
    std::set<std::string> out;
    EXPECT_TRUE(store::RunRead(*store_, [&](SqlTx& tx) -> Status {
                  static constexpr char kCodes[] =
                      "SELECT institution_code FROM account_institutions WHERE account_id = $1";
                  return tx.QueryEach(kCodes, {id}, [&](const store::SqlRow& r) -> Status {
                    ASSIGN_OR_RETURN(std::string c, r.Text(0));
                    out.insert(c);
                    return Status::Ok();
                  });
                }).ok());
    return out;
  }

  std::unique_ptr<InstitutionStore> institutions_;
};

TEST_P(InstitutionStoreTest, IssueAllocatesSerialsPerPrefectureAndScoreTable) {
  auto a = institutions_->Issue(Clinic(), "operator:op", kT0);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->provisional_code, "1310000013");  // docs/newinst.md's example
  EXPECT_TRUE(domain::ProvisionalInstitutionCodeOk(a->provisional_code));
  EXPECT_FALSE(domain::InstitutionCodeOk(a->provisional_code));
  EXPECT_EQ(a->state, State::kProvisional);
  EXPECT_EQ(a->postal_code, "1008916");
  EXPECT_EQ(a->name, Clinic().name);
  EXPECT_EQ(a->opening_month, "2027-04");
  EXPECT_EQ(a->created_by, "operator:op");
  EXPECT_EQ(a->created_at, kT0);

  auto b = institutions_->Issue(Clinic(), "operator:op", kT0);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->provisional_code.substr(0, 9), "131000002");
  NewInstitution dental = Clinic();
  dental.score_table = "3";
  dental.category = "2";
  auto c = institutions_->Issue(dental, "operator:op", kT0);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->provisional_code.substr(0, 9), "133000001");

  auto all = institutions_->List();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 3u);
  auto presented = institutions_->List(State::kPresented);
  ASSERT_TRUE(presented.ok());
  EXPECT_TRUE(presented->empty());
}

TEST_P(InstitutionStoreTest, ConcurrentIssuesGetDistinctSerials) {
  constexpr int kThreads = 4, kEach = 5;
  std::vector<std::thread> threads;
  std::vector<std::vector<std::string>> codes(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto r = institutions_->Issue(Clinic(), "operator:op", kT0);
        if (r.ok()) codes[t].push_back(r->provisional_code);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<std::string> all;
  for (const auto& v : codes) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kEach));
}

TEST_P(InstitutionStoreTest, IssueRefusesBadEntries) {
  auto bad = [&](auto edit) {
    NewInstitution n = Clinic();
    edit(n);
    return institutions_->Issue(n, "operator:op", kT0).status().code();
  };
  EXPECT_EQ(bad([](NewInstitution& n) { n.prefecture = "48"; }), Code::kInvalidArgument);
  EXPECT_EQ(bad([](NewInstitution& n) { n.score_table = "2"; }), Code::kInvalidArgument);
  EXPECT_EQ(bad([](NewInstitution& n) { n.category = "2"; }), Code::kInvalidArgument);
  EXPECT_EQ(bad([](NewInstitution& n) { n.category = "7"; }), Code::kInvalidArgument);
  EXPECT_EQ(bad([](NewInstitution& n) { n.postal_code = "12345"; }), Code::kInvalidArgument);
  EXPECT_EQ(bad([](NewInstitution& n) { n.name.clear(); }), Code::kInvalidArgument);
  EXPECT_EQ(bad([](NewInstitution& n) { n.opening_month = "2027-13"; }), Code::kInvalidArgument);
  EXPECT_EQ(bad([](NewInstitution& n) { n.opening_month = "2026-12"; }), Code::kInvalidArgument);
  EXPECT_EQ(bad([](NewInstitution& n) { n.email = "no-at-sign"; }), Code::kInvalidArgument);
  EXPECT_EQ(bad([](NewInstitution& n) { n.billing_method = "cash"; }), Code::kInvalidArgument);
  auto all = institutions_->List();
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->empty());
}

TEST_P(InstitutionStoreTest, PresentRecordsTheReceptionNumberAndAddsItToTheAccounts) {
  auto a = institutions_->Issue(Clinic(), "operator:op", kT0);
  ASSERT_TRUE(a.ok());
  AddAccount("clinic1", a->provisional_code);
  const std::string code = a->provisional_code;

  // Wrong check digit, other prefecture, in the register: refused, nothing stored.
  EXPECT_EQ(institutions_->Present(code, "1310123456", "clinic1", kT0).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(institutions_->Present(code, kRealHokkaido, "clinic1", kT0).status().code(),
            Code::kInvalidArgument);
  ImportRegister({kRealTokyo});
  EXPECT_EQ(institutions_->Present(code, kRealTokyo, "clinic1", kT0).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(institutions_->Present("1310000024", "1318814790", "x", kT0).status().code(),
            Code::kNotFound);

  // A valid Tokyo 医科 code not in the register (the check over digits 4–9).
  const std::string number = "1310123455";
  ASSERT_TRUE(domain::InstitutionCodeOk(number));
  auto p = institutions_->Present(code, number, "clinic1", kT0);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->state, State::kPresented);
  EXPECT_EQ(p->reception_number, number);
  EXPECT_FALSE(p->presented_late);  // 2027-01-15 is before 2027-03-15
  EXPECT_EQ(CodesOf("clinic1"), (std::set<std::string>{code, number}));

  auto again = institutions_->Present(code, number, "clinic1", kT0);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(institutions_->Present(code, "1310123463", "clinic1", kT0).status().code(),
            Code::kFailedPrecondition);

  // Another row cannot take the same number.
  auto b = institutions_->Issue(Clinic(), "operator:op", kT0);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(institutions_->Present(b->provisional_code, number, "op", kT0).status().code(),
            Code::kInvalidArgument);

  auto by_reception = institutions_->FindByReception(number);
  ASSERT_TRUE(by_reception.ok());
  EXPECT_EQ(by_reception->provisional_code, code);
  auto by_any = institutions_->FindByAnyCode(number);
  ASSERT_TRUE(by_any.ok());
  EXPECT_EQ(by_any->provisional_code, code);
  EXPECT_EQ(institutions_->FindByRealCode(number).status().code(), Code::kNotFound);
}

TEST_P(InstitutionStoreTest, LatePresentationIsAcceptedAndMarked) {
  auto a = institutions_->Issue(Clinic("2027-04"), "operator:op", kT0);
  ASSERT_TRUE(a.ok());
  // 2027-03-15 is a Monday: the deadline. The 16th (JST) is late.
  const Instant on_time =
      JstMidnight(Date{std::chrono::year{2027}, std::chrono::March, std::chrono::day{15}}) +
      std::chrono::hours(23);
  const Instant late = on_time + std::chrono::hours(1);
  auto b = institutions_->Issue(Clinic("2027-04"), "operator:op", kT0);
  ASSERT_TRUE(b.ok());
  auto p1 = institutions_->Present(a->provisional_code, "1310123455", "x", on_time);
  ASSERT_TRUE(p1.ok());
  EXPECT_FALSE(p1->presented_late);
  auto p2 = institutions_->Present(b->provisional_code, "1310123463", "x", late);
  ASSERT_TRUE(p2.ok()) << p2.status().ToString();
  EXPECT_TRUE(p2->presented_late);
}

TEST_P(InstitutionStoreTest, RegisterFallsBackToOpenRowsAndTheRegisterWins) {
  auto a = institutions_->Issue(Clinic(), "operator:op", kT0);
  ASSERT_TRUE(a.ok());
  const std::string code = a->provisional_code;
  auto e = store_->FindInRegister(code);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->institution_code, code);
  EXPECT_EQ(e->name, Clinic().name);
  EXPECT_EQ(e->postal_code, "1008916");
  EXPECT_EQ(e->category, "1");
  EXPECT_EQ(e->billing_method, "deduction");

  const std::string number = "1310123455";
  EXPECT_EQ(store_->FindInRegister(number).status().code(), Code::kNotFound);
  ASSERT_TRUE(institutions_->Present(code, number, "x", kT0).ok());
  auto r = store_->FindInRegister(number);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->institution_code, number);
  EXPECT_EQ(r->name, Clinic().name);
  EXPECT_TRUE(store_->FindInRegister(code).ok());

  // Designated (as the swap writes it): the real code answers, the old numbers do not.
  ASSERT_OK(store::RunInTransaction(*store_, [&](SqlTx& tx) -> Status {
    static constexpr char kDesignate[] =
        "UPDATE newinst_institutions SET state = 'designated', real_code = $2, "
        "designated_at = 1 WHERE provisional_code = $1";
    return tx.Exec(kDesignate, {code, number}).status();
  }));
  EXPECT_EQ(store_->FindInRegister(code).status().code(), Code::kNotFound);
  auto d = store_->FindInRegister(number);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->name, Clinic().name);

  // The imported register wins once it has the code.
  ImportRegister({number});
  auto w = store_->FindInRegister(number);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->name, "登録済み医院");
  EXPECT_EQ(store_->FindInRegister("1310123463").status().code(), Code::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(Backends, InstitutionStoreTest, ::testing::Values("sqlite", "postgres"),
                         store::test::BackendName);

}  // namespace
}  // namespace claimsca::newinst
