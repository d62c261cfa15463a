#pragma once

// The fixture of the store suites: each test gets a fresh, migrated store of the back end
// named by its parameter, SQLite (a temporary file) or PostgreSQL (a fresh schema in the
// database named by CLAIMSCA_TEST_PG_URL, see tests/integration/pg_server.sh). Shared by
// store_test.cc and the other *_test.cc files of src/store; each instantiates its own
// suite (a subclass of StoreTest) over ::testing::Values("sqlite", "postgres").

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "store/store.h"

namespace claimsca::store::test {

using std::chrono::seconds;

inline constexpr Instant kT0{seconds(1'800'000'000)};

inline std::string RandomHex(size_t bytes) {
  thread_local std::mt19937_64 rng(std::random_device{}());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < bytes; ++i) {
    auto b = static_cast<unsigned>(rng() & 0xff);
    s += kHex[b >> 4];
    s += kHex[b & 0xf];
  }
  return s;
}

inline CertificateRecord Intent(const std::string& serial, const std::string& cn,
                                const std::string& issuer = "issuing-1") {
  CertificateRecord r;
  r.serial = serial;
  r.issuer_id = issuer;
  r.program = "common";
  r.institution_code = "1312345678";
  r.common_name = cn;
  r.terminal_name = "受付端末 1";
  r.key_algorithm = "ecp256";
  r.not_before = kT0;
  r.not_after = kT0 + seconds(86400 * 365);
  r.tbs_der = std::string("\x30\x82\x00\xff\x00tbs", 8);  // NUL and high bytes
  r.created_at = kT0 - seconds(5);
  return r;
}

// Runs one admin statement on the test database (schema create/drop).
inline void AdminExec(const std::string& url, const std::string& sql) {
  PGconn* c = PQconnectdb(url.c_str());
  ASSERT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
  PQsetNoticeProcessor(
      c, [](void*, const char*) {}, nullptr);
  PGresult* r = PQexec(c, sql.c_str());
  EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << sql << ": " << PQresultErrorMessage(r);
  PQclear(r);
  PQfinish(c);
}

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "sqlite") {
      dir_ = std::filesystem::path(::testing::TempDir()) / ("claimsca_store_" + RandomHex(8));
      std::filesystem::create_directories(dir_);
      url_ = "sqlite:" + (dir_ / "store.db").string();
    } else {
      const char* base = std::getenv("CLAIMSCA_TEST_PG_URL");
      if (base == nullptr || *base == '\0') {
        const char* skip = std::getenv("CLAIMSCA_SKIP_PG");
        if (skip != nullptr && std::string(skip) == "1") GTEST_SKIP() << "CLAIMSCA_SKIP_PG=1";
        FAIL() << "CLAIMSCA_TEST_PG_URL is not set. Run through ctest (which starts the "
                  "server), or start one by hand:\n  tests/integration/pg_server.sh start "
                  "build-store/pg\n  export CLAIMSCA_TEST_PG_URL="
                  "postgresql://postgres@127.0.0.1:55432/claimsca_test\n"
                  "or set CLAIMSCA_SKIP_PG=1 to skip the PostgreSQL cases.";
      }
      admin_url_ = base;
      schema_ = "claimsca_t_" + RandomHex(8);
      url_ = NewSchema(schema_);
    }
    auto s = OpenStore(url_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    EXPECT_EQ(store_->Backend(), GetParam());
    auto v = store_->SchemaVersion();
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_EQ(*v, 0);
    Status st = store_->Migrate();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  void TearDown() override {
    store_.reset();
    other_stores_.clear();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
    if (!schema_.empty()) AdminExec(admin_url_, "DROP SCHEMA " + schema_ + " CASCADE");
    for (const std::string& s : other_schemas_)
      AdminExec(admin_url_, "DROP SCHEMA " + s + " CASCADE");
  }

  // Creates `schema` in the test database; the URL of a store in it.
  std::string NewSchema(const std::string& schema) {
    AdminExec(admin_url_, "CREATE SCHEMA " + schema);
    return admin_url_ + (admin_url_.find('?') == std::string::npos ? "?" : "&") +
           "options=-csearch_path%3D" + schema;
  }

  // Another fresh, migrated store of the test's back end (a second file, another schema),
  // kept until TearDown: to apply the same operations to two stores. Null on failure.
  Store* OtherStore() {
    std::string url;
    if (GetParam() == "sqlite") {
      url = "sqlite:" + (dir_ / ("other-" + RandomHex(4) + ".db")).string();
    } else {
      other_schemas_.push_back("claimsca_t_" + RandomHex(8));
      url = NewSchema(other_schemas_.back());
    }
    auto s = OpenStore(url);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    if (!s.ok()) return nullptr;
    const Status st = (*s)->Migrate();
    EXPECT_TRUE(st.ok()) << st.ToString();
    if (!st.ok()) return nullptr;
    other_stores_.push_back(std::move(s).value());
    return other_stores_.back().get();
  }

  // Inserts an intent and marks it issued.
  void Issue(const std::string& serial, const std::string& cn, const std::string& issuer,
             Instant not_after) {
    CertificateRecord r = Intent(serial, cn, issuer);
    r.not_after = not_after;
    ASSERT_TRUE(store_->InsertIntent(r).ok());
    ASSERT_TRUE(store_->MarkIssued(serial, "cert-" + serial).ok());
  }

  std::filesystem::path dir_;
  std::string admin_url_, schema_, url_;
  std::unique_ptr<Store> store_;
  std::vector<std::string> other_schemas_;
  std::vector<std::unique_ptr<Store>> other_stores_;
};

#define ASSERT_OK(expr)                                     \
  do {                                                      \
    ::claimsca::Status _s = (expr);                         \
    ASSERT_TRUE(_s.ok()) << #expr << ": " << _s.ToString(); \
  } while (0)
#define EXPECT_CODE(expr, c) EXPECT_EQ((expr).code(), Code::c) << #expr

inline std::string BackendName(const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

}  // namespace claimsca::store::test
