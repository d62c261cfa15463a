// Migration 060 on SQLite rebuilds the accounts table (a CHECK cannot be altered there):
// an existing database, made by the migrations before 060 and holding accounts with
// roles, codes and tokens, keeps every row, takes the kj kinds afterwards, and still
// enforces the foreign keys.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <string>

#include "auth/auth_service.h"
#include "common/clock.h"
#include "store/migrations.h"
#include "store/module_sql.h"
#include "store/store.h"
#include "store/store_test_fixture.h"

namespace claimsca::kokuhoren {
namespace {

void Exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK)
      << (err ? err : "") << "\n"
      << sql.substr(0, 200);
}

TEST(Migration060Test, SqliteKeepsTheAccountsAndTheirForeignKeys) {
  const auto dir =
      std::filesystem::path(::testing::TempDir()) / ("kj_mig060_" + store::test::RandomHex(6));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "store.db").string();
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    Exec(db, "PRAGMA foreign_keys = ON");
    Exec(db,
         "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT NOT NULL PRIMARY KEY, "
         "name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
    for (const store::internal::Migration& m : store::internal::SqliteMigrations()) {
      if (m.version >= 60) break;
      Exec(db, "BEGIN");
      Exec(db, std::string(m.sql));
      Exec(db, "INSERT INTO schema_migrations VALUES (" + std::to_string(m.version) + ", '" +
                   std::string(m.name) + "', 0)");
      Exec(db, "COMMIT");
    }
    Exec(db,
         "INSERT INTO accounts (account_id, kind, display_name, email, password_hash, "
         "email_verified, disabled, failed_logins, locked_until, created_at) VALUES "
         "('clinic@example.jp', 'institution', 'さくら内科', 'clinic@example.jp', 'h1', 1, 0, 2, "
         "1900000000, 1800000000), "
         "('tanaka', 'operator', '田中', 'tanaka@ca.example.jp', 'h2', 0, 1, 0, NULL, 1800000001)");
    Exec(db, "INSERT INTO account_institutions VALUES ('clinic@example.jp', '1312345678')");
    Exec(db, "INSERT INTO account_roles VALUES ('tanaka', 'reviewer')");
    Exec(db,
         "INSERT INTO auth_tokens VALUES ('abc', 'clinic@example.jp', 'session', 1800000000, "
         "4000000000, 'csrf')");
    sqlite3_close(db);
  }
  auto s = store::OpenStore("sqlite:" + path);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  std::unique_ptr<store::Store> st = std::move(s).value();
  ASSERT_OK(st->Migrate());
  EXPECT_GE(*st->SchemaVersion(), 62);

  auto clinic = st->GetAccount("clinic@example.jp");
  ASSERT_TRUE(clinic.ok()) << clinic.status().ToString();
  EXPECT_EQ(clinic->kind, "institution");
  EXPECT_EQ(clinic->display_name, "さくら内科");
  EXPECT_EQ(clinic->password_hash, "h1");
  EXPECT_TRUE(clinic->email_verified);
  EXPECT_EQ(clinic->failed_logins, 2);
  ASSERT_TRUE(clinic->locked_until.has_value());
  EXPECT_EQ(clinic->institution_codes, std::vector<std::string>{"1312345678"});
  auto tanaka = st->GetAccount("tanaka");
  ASSERT_TRUE(tanaka.ok());
  EXPECT_TRUE(tanaka->disabled);
  EXPECT_EQ(tanaka->roles, std::vector<std::string>{"reviewer"});
  EXPECT_TRUE(st->GetToken("abc", store::test::kT0).ok());

  // The kj kinds go in now; unknown kinds and orphan codes still do not.
  FixedClock clock(store::test::kT0);
  auth::AuthOptions o;
  o.kdf = {1, 8 * 1024};
  auth::AuthService auth(*st, clock, o);
  store::AccountRecord kj;
  kj.account_id = "kj12345678";
  kj.kind = "kj_office";
  kj.institution_codes = {"1371234566"};
  kj.display_name = "訪問介護さくら";
  ASSERT_OK(auth.CreateAccount(kj, "Correct-Horse-2026", "t"));
  static constexpr char kRobot[] =
      "INSERT INTO accounts (account_id, kind, display_name, email, password_hash, created_at) "
      "VALUES ('r', 'robot', 'r', '', 'h', 0)";
  static constexpr char kOrphan[] =
      "INSERT INTO account_institutions (account_id, institution_code) VALUES ('nobody', "
      "'1312345678')";
  for (const char* sql : {kRobot, kOrphan}) {
    Status refused = store::RunInTransaction(
        *st, [&](store::SqlTx& tx) -> Status { return tx.Exec(sql).status(); });
    EXPECT_FALSE(refused.ok()) << sql;
  }
  st.reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace claimsca::kokuhoren
