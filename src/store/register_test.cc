// The institution register (RegisterReader / RegisterWriter) on both back ends.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "store/register_csv.h"
#include "store/store.h"
#include "store/store_test_fixture.h"

namespace claimsca::store {
namespace {

using namespace test;  // NOLINT: the shared fixture and helpers

RegisterEntry Entry(std::string code, std::string name, std::string postal = "1000001") {
  RegisterEntry e;
  e.institution_code = std::move(code);
  e.name = std::move(name);
  e.postal_code = std::move(postal);
  e.address = "千代田区千代田１－１";
  e.category = "1";
  e.billing_method = "deduction";
  return e;
}

// The published register file, parsed and validated (check digits included) by
// ParseRegisterCsv. The 2025-08 file repeats 475 lines verbatim: 91,549 distinct codes.
std::vector<RegisterEntry> ReadInstitutionsCsv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  std::stringstream text;
  text << in.rdbuf();
  auto rows = ParseRegisterCsv(text.str());
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  return rows.ok() ? std::move(rows).value() : std::vector<RegisterEntry>();
}

class RegisterTest : public StoreTest {};

TEST_P(RegisterTest, ImportAndFindInCurrentVersion) {
  EXPECT_EQ(store_->CurrentRegisterVersion().value(), 0);
  EXPECT_CODE(store_->FindInRegister("1310000001").status(), kNotFound);
  RegisterEntry odd = Entry("1310000002", "テスト中です#%& * > ? @\t\\N\n'");
  odd.address = "back\\slash\ttab\r\nnewline";
  odd.billing_method = "invoice";
  odd.category = "7";
  auto v =
      store_->ImportRegister({Entry("1310000001", "東京病院"), odd, Entry("33120015", "保険者")},
                             "test.csv", "operator-1", kT0);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(*v, 1);
  EXPECT_EQ(store_->CurrentRegisterVersion().value(), 1);
  auto e = store_->FindInRegister("1310000001");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->name, "東京病院");
  EXPECT_EQ(e->postal_code, "1000001");
  EXPECT_EQ(e->billing_method, "deduction");
  auto o = store_->FindInRegister("1310000002");
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->name, odd.name);
  EXPECT_EQ(o->address, odd.address);
  EXPECT_EQ(o->category, "7");
  EXPECT_EQ(o->billing_method, "invoice");
  EXPECT_TRUE(store_->FindInRegister("33120015").ok());
  EXPECT_CODE(store_->FindInRegister("1310000009").status(), kNotFound);
}

TEST_P(RegisterTest, ReimportMakesNewVersionAndOldRowsStayReadable) {
  ASSERT_EQ(store_
                ->ImportRegister({Entry("1310000001", "旧名"), Entry("1310000002", "閉院")},
                                 "2025-07.csv", "op", kT0)
                .value(),
            1);
  ASSERT_EQ(store_
                ->ImportRegister({Entry("1310000001", "新名"), Entry("1310000003", "新規")},
                                 "2025-08.csv", "op", kT0 + seconds(60))
                .value(),
            2);
  EXPECT_EQ(store_->CurrentRegisterVersion().value(), 2);
  EXPECT_EQ(store_->FindInRegister("1310000001")->name, "新名");
  EXPECT_CODE(store_->FindInRegister("1310000002").status(), kNotFound);
  EXPECT_EQ(store_->FindInRegister("1310000003")->name, "新規");
  EXPECT_EQ(store_->FindInRegisterVersion(1, "1310000001")->name, "旧名");
  EXPECT_EQ(store_->FindInRegisterVersion(1, "1310000002")->name, "閉院");
  EXPECT_CODE(store_->FindInRegisterVersion(1, "1310000003").status(), kNotFound);
  EXPECT_CODE(store_->FindInRegisterVersion(3, "1310000001").status(), kNotFound);
}

TEST_P(RegisterTest, RefusedImportStoresNothing) {
  ASSERT_TRUE(store_->ImportRegister({Entry("1310000001", "A")}, "v1", "op", kT0).ok());
  std::vector<RegisterEntry> dup = {Entry("1310000005", "X"), Entry("1310000006", "Y"),
                                    Entry("1310000005", "Z")};
  EXPECT_CODE(store_->ImportRegister(dup, "dup", "op", kT0).status(), kInvalidArgument);
  EXPECT_CODE(store_->ImportRegister({}, "empty", "op", kT0).status(), kInvalidArgument);
  EXPECT_CODE(store_->ImportRegister({Entry("131000000", "short")}, "s", "op", kT0).status(),
              kInvalidArgument);
  EXPECT_CODE(
      store_->ImportRegister({Entry("1310000007", "p", "100-0001")}, "s", "op", kT0).status(),
      kInvalidArgument);
  RegisterEntry bad = Entry("1310000008", "b");
  bad.billing_method = "cash";
  EXPECT_CODE(store_->ImportRegister({bad}, "s", "op", kT0).status(), kInvalidArgument);
  EXPECT_CODE(store_->ImportRegister({Entry("1310000009", "n")}, "", "op", kT0).status(),
              kInvalidArgument);
  EXPECT_EQ(store_->CurrentRegisterVersion().value(), 1);
  EXPECT_CODE(store_->FindInRegister("1310000005").status(), kNotFound);
  EXPECT_EQ(store_->FindInRegister("1310000001")->name, "A");
}

TEST_P(RegisterTest, ConcurrentImportsGetDistinctVersions) {
  constexpr int kThreads = 4;
  std::vector<std::thread> threads;
  std::vector<int64_t> got(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<RegisterEntry> rows;
      for (int i = 0; i < 200; ++i) {
        char code[11];
        std::snprintf(code, sizeof code, "13%08d", t * 1000 + i);
        rows.push_back(Entry(code, "t" + std::to_string(t)));
      }
      auto v = store_->ImportRegister(rows, "t", "op", kT0);
      EXPECT_TRUE(v.ok()) << v.status().ToString();
      if (v.ok()) got[t] = *v;
    });
  }
  for (auto& th : threads) th.join();
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<int64_t>{1, 2, 3, 4}));
}

// The published register (data/institutions-2025-08.csv, ~92,000 rows) in one import.
TEST_P(RegisterTest, ImportsRealRegisterFile) {
  std::vector<RegisterEntry> rows =
      ReadInstitutionsCsv(std::string(CLAIMSCA_DATA_DIR) + "/institutions-2025-08.csv");
  ASSERT_EQ(rows.size(), 91'549u);
  const auto start = std::chrono::steady_clock::now();
  auto v = store_->ImportRegister(rows, "institutions-2025-08.csv", "test", kT0);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  std::printf("[ register ] %s: imported %zu rows in %lld ms\n", GetParam().c_str(), rows.size(),
              static_cast<long long>(ms));
  EXPECT_LT(ms, 10'000);  // target ~3 s; generous bound for loaded CI machines
  auto a = store_->FindInRegister("0110112489");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->name, "医療法人 愛全病院");
  EXPECT_EQ(a->postal_code, "0050813");
  EXPECT_EQ(a->category, "1");
  auto b = store_->FindInRegister("4618010211");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->name, "鹿児島大学病院");
  EXPECT_EQ(b->address, "鹿児島市桜ケ丘八丁目３５番１号");
  auto c = store_->FindInRegister("0435135231");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->name, "セルプロケアデンタルクリニック漢方内科");
  EXPECT_EQ(c->category, "2");
}

INSTANTIATE_TEST_SUITE_P(Backends, RegisterTest, ::testing::Values("sqlite", "postgres"),
                         BackendName);

}  // namespace
}  // namespace claimsca::store
