#pragma once

// The fixture of the audit suites (src/store/audit_test.cc, src/audit/anchor_test.cc): a
// fresh store of each back end, events to append, and raw SQL behind the store's back, as
// someone with database access could run it.

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <string>

#include "store/store.h"
#include "store/store_test_fixture.h"

namespace claimsca::store::test {

class AuditTest : public StoreTest {
 protected:
  AuditEvent Event(int i) {
    AuditEvent e;
    e.at = kT0 + seconds(i);
    e.actor = "operator:" + std::to_string(i % 3);
    e.action = "certificate.revoke";
    e.subject = "serial-" + std::to_string(i);
    e.details = R"({"reason":1,"note":"テスト\n#%&"})";
    return e;
  }

  void AppendN(int n) {
    for (int i = 0; i < n; ++i) ASSERT_OK(store_->AppendAudit(Event(i)));
  }

  // Runs `sql` directly on the database, as someone with database access could; returns
  // an error message, empty on success.
  std::string Raw(const std::string& sql) {
    std::string err;
    if (GetParam() == "sqlite") {
      sqlite3* db = nullptr;
      const std::string path = url_.substr(std::string("sqlite:").size());
      if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
        err = "open failed";
      } else {
        sqlite3_busy_timeout(db, 10'000);
        char* msg = nullptr;
        if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
          err = msg != nullptr ? msg : "exec failed";
        }
        sqlite3_free(msg);
      }
      sqlite3_close(db);
      return err;
    }
    PGconn* c = PQconnectdb(admin_url_.c_str());
    PQsetNoticeProcessor(
        c, [](void*, const char*) {}, nullptr);
    PGresult* r = PQexec(c, ("SET search_path TO " + schema_ + ";" + sql).c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
      err = PQresultErrorMessage(r);
      if (err.empty()) err = "exec failed";
    }
    PQclear(r);
    PQfinish(c);
    return err;
  }

  void DropTriggers() {
    const std::string err =
        GetParam() == "sqlite"
            ? Raw("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
            : Raw("DROP TRIGGER audit_log_no_change ON audit_log;");
    ASSERT_EQ(err, "");
  }

  // Expects verification to fail at `seq` after `valid` good rows.
  void ExpectBrokenAt(int64_t seq, int64_t valid) {
    int64_t checked = -1;
    Status st = store_->VerifyAuditChain(&checked);
    EXPECT_EQ(st.code(), Code::kInternal) << st.ToString();
    EXPECT_NE(st.message().find("audit chain broken at seq " + std::to_string(seq) + ":"),
              std::string::npos)
        << st.ToString();
    EXPECT_EQ(checked, valid);
  }
};

}  // namespace claimsca::store::test
