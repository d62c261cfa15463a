// SqlTx (store/module_sql.h) on both back ends: typed values, $n parameters, one
// transaction with the audit trail, rollback on error, streaming reads, and the module
// migrations embedded with the store's (src/billing/migrations).

#include "store/module_sql.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/store_test_fixture.h"

namespace claimsca::store::test {
namespace {

class ModuleSqlTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_OK(RunInTransaction(*store_, [](SqlTx& tx) -> Status {
      static constexpr char kCreate[] =
          "CREATE TABLE module_t (id BIGINT NOT NULL PRIMARY KEY, name TEXT NOT NULL, "
          "note TEXT, amount BIGINT NOT NULL)";
      return tx.Exec(kCreate).status();
    }));
  }

  static AuditEvent Event(const std::string& subject) {
    return AuditEvent{kT0, "operator:test", "module.test", subject, "{}"};
  }

  int64_t CountRows() {
    int64_t n = -1;
    Status st = RunRead(*store_, [&](SqlTx& tx) -> Status {
      static constexpr char kCount[] = "SELECT count(*) FROM module_t";
      ASSIGN_OR_RETURN(std::optional<SqlRow> r, tx.QueryFirst(kCount));
      ASSIGN_OR_RETURN(n, r->Int(0));
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return n;
  }
};

constexpr char kInsert[] = "INSERT INTO module_t (id, name, note, amount) VALUES ($1, $2, $3, $4)";
// Parameters out of order and one used twice: bound by number, not by position.
constexpr char kInsertSwapped[] =
    "INSERT INTO module_t (name, id, note, amount) VALUES ($2, $1, $3, $4 + $4)";
constexpr char kSelectAll[] = "SELECT id, name, note, amount FROM module_t ORDER BY id";
constexpr char kSelectById[] = "SELECT id, name, note, amount FROM module_t WHERE id = $1";

TEST_P(ModuleSqlTest, ExecAndQueryWithTypedValues) {
  ASSERT_OK(RunInTransaction(*store_, [](SqlTx& tx) -> Status {
    EXPECT_FALSE(tx.ReadOnly());
    ASSIGN_OR_RETURN(int64_t n,
                     tx.Exec(kInsert, {int64_t{1}, "受付端末", nullptr, int64_t{-1500}}));
    EXPECT_EQ(n, 1);
    ASSIGN_OR_RETURN(n, tx.Exec(kInsertSwapped, {int64_t{2}, "", "memo", int64_t{396}}));
    EXPECT_EQ(n, 1);
    return Status::Ok();
  }));
  std::vector<SqlRow> rows;
  ASSERT_OK(RunRead(*store_, [&](SqlTx& tx) -> Status {
    EXPECT_TRUE(tx.ReadOnly());
    EXPECT_EQ(tx.Backend(), GetParam());
    ASSIGN_OR_RETURN(rows, tx.Query(kSelectAll));
    return Status::Ok();
  }));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(*rows[0].Int(0), 1);
  EXPECT_EQ(*rows[0].Text(1), "受付端末");
  EXPECT_TRUE(rows[0].IsNull(2));
  EXPECT_EQ(*rows[0].OptText(2), std::nullopt);
  EXPECT_EQ(*rows[0].Int(3), -1500);
  EXPECT_EQ(*rows[1].Text(1), "");  // empty text is not NULL
  EXPECT_FALSE(rows[1].IsNull(1));
  EXPECT_EQ(*rows[1].OptText(2), "memo");
  EXPECT_EQ(*rows[1].OptInt(3), 792);
  // Type mismatches are errors, not conversions.
  EXPECT_CODE(rows[0].Int(1).status(), kInvalidArgument);
  EXPECT_CODE(rows[0].Text(0).status(), kInvalidArgument);
  EXPECT_CODE(rows[0].Text(2).status(), kInvalidArgument);  // NULL
  EXPECT_CODE(rows[0].Int(4).status(), kInvalidArgument);   // out of range
}

TEST_P(ModuleSqlTest, AggregatesReadAsIntegers) {
  ASSERT_OK(RunInTransaction(*store_, [](SqlTx& tx) -> Status {
    for (int64_t i = 1; i <= 3; ++i) {
      RETURN_IF_ERROR(tx.Exec(kInsert, {i, "n", nullptr, int64_t{1500} * i}).status());
    }
    return Status::Ok();
  }));
  ASSERT_OK(RunRead(*store_, [](SqlTx& tx) -> Status {
    // PostgreSQL's sum(bigint) is numeric, count(*) bigint, a comparison boolean.
    static constexpr char kAgg[] =
        "SELECT sum(amount), count(*), max(amount) > $1, min(name) FROM module_t";
    ASSIGN_OR_RETURN(std::optional<SqlRow> r, tx.QueryFirst(kAgg, {int64_t{4000}}));
    EXPECT_TRUE(r.has_value());
    EXPECT_EQ(*r->Int(0), 9000);
    EXPECT_EQ(*r->Int(1), 3);
    EXPECT_EQ(*r->Int(2), 1);
    EXPECT_EQ(*r->Text(3), "n");
    ASSIGN_OR_RETURN(std::optional<SqlRow> none, tx.QueryFirst(kSelectById, {int64_t{99}}));
    EXPECT_FALSE(none.has_value());
    return Status::Ok();
  }));
}

TEST_P(ModuleSqlTest, AuditIsWrittenInTheSameTransaction) {
  ASSERT_OK(RunInTransaction(*store_, [](SqlTx& tx) -> Status {
    RETURN_IF_ERROR(tx.Exec(kInsert, {int64_t{7}, "a", nullptr, int64_t{1}}).status());
    return tx.AppendAudit(Event("module-7"));
  }));
  auto audit = store_->AuditBySubject("module-7", 10);
  ASSERT_TRUE(audit.ok()) << audit.status().ToString();
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ((*audit)[0].action, "module.test");
  int64_t checked = 0;
  ASSERT_OK(store_->VerifyAuditChain(&checked));
  EXPECT_EQ(CountRows(), 1);
}

TEST_P(ModuleSqlTest, AnErrorRollsBackEverything) {
  // The callback's own error after two writes and an audit row: nothing is kept.
  Status st = RunInTransaction(*store_, [](SqlTx& tx) -> Status {
    RETURN_IF_ERROR(tx.Exec(kInsert, {int64_t{1}, "a", nullptr, int64_t{1}}).status());
    RETURN_IF_ERROR(tx.Exec(kInsert, {int64_t{2}, "b", nullptr, int64_t{2}}).status());
    RETURN_IF_ERROR(tx.AppendAudit(Event("module-rollback")));
    return FailedPrecondition("changed my mind");
  });
  EXPECT_CODE(st, kFailedPrecondition);
  EXPECT_EQ(CountRows(), 0);
  auto audit = store_->AuditBySubject("module-rollback", 10);
  ASSERT_TRUE(audit.ok());
  EXPECT_TRUE(audit->empty());

  // A unique violation half way: Conflict, and the first insert is gone too.
  ASSERT_OK(RunInTransaction(*store_, [](SqlTx& tx) {
    return tx.Exec(kInsert, {int64_t{5}, "kept", nullptr, int64_t{5}}).status();
  }));
  st = RunInTransaction(*store_, [](SqlTx& tx) -> Status {
    RETURN_IF_ERROR(tx.Exec(kInsert, {int64_t{6}, "lost", nullptr, int64_t{6}}).status());
    return tx.Exec(kInsert, {int64_t{5}, "dup", nullptr, int64_t{5}}).status();
  });
  EXPECT_CODE(st, kConflict);
  EXPECT_EQ(CountRows(), 1);

  // The store stays usable after a failed transaction.
  ASSERT_OK(RunInTransaction(*store_, [](SqlTx& tx) {
    return tx.Exec(kInsert, {int64_t{8}, "after", nullptr, int64_t{8}}).status();
  }));
  EXPECT_EQ(CountRows(), 2);
}

TEST_P(ModuleSqlTest, ReadTransactionsRefuseWrites) {
  Status st = RunRead(*store_, [](SqlTx& tx) -> Status {
    EXPECT_CODE(tx.Exec(kInsert, {int64_t{1}, "a", nullptr, int64_t{1}}).status(),
                kFailedPrecondition);
    EXPECT_CODE(tx.AppendAudit(Event("x")), kFailedPrecondition);
    return Status::Ok();
  });
  ASSERT_OK(st);
  EXPECT_EQ(CountRows(), 0);
}

TEST_P(ModuleSqlTest, ParametersMustMatchTheStatement) {
  // Fewer parameters than the statement uses.
  Status st = RunInTransaction(*store_, [](SqlTx& tx) {
    return tx.Exec(kInsert, {int64_t{1}, "a", nullptr}).status();
  });
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(CountRows(), 0);
  // A statement that reads the rows back by a parameter.
  ASSERT_OK(RunInTransaction(*store_, [](SqlTx& tx) -> Status {
    RETURN_IF_ERROR(tx.Exec(kInsert, {int64_t{3}, "c", "n", int64_t{3}}).status());
    ASSIGN_OR_RETURN(auto rows, tx.Query(kSelectById, {int64_t{3}}));
    EXPECT_EQ(rows.size(), 1u);
    return Status::Ok();
  }));
}

TEST_P(ModuleSqlTest, QueryEachStreamsInOrderAndStopsOnError) {
  constexpr int64_t kRows = 12'345;  // more than one PostgreSQL fetch batch
  ASSERT_OK(RunInTransaction(*store_, [](SqlTx& tx) -> Status {
    for (int64_t i = 1; i <= kRows; ++i) {
      RETURN_IF_ERROR(tx.Exec(kInsert, {i, "r", nullptr, i}).status());
    }
    return Status::Ok();
  }));
  static constexpr char kFrom[] = "SELECT id, amount FROM module_t WHERE id >= $1 ORDER BY id";
  int64_t seen = 0, sum = 0;
  ASSERT_OK(RunRead(*store_, [&](SqlTx& tx) {
    return tx.QueryEach(kFrom, {int64_t{2}}, [&](const SqlRow& r) -> Status {
      ASSIGN_OR_RETURN(int64_t id, r.Int(0));
      EXPECT_EQ(id, seen + 2);
      ++seen;
      ASSIGN_OR_RETURN(int64_t amount, r.Int(1));
      sum += amount;
      return Status::Ok();
    });
  }));
  EXPECT_EQ(seen, kRows - 1);
  EXPECT_EQ(sum, kRows * (kRows + 1) / 2 - 1);
  // An error from the callback stops the query and comes back; a write transaction may
  // stream too, and run other statements meanwhile.
  int calls = 0;
  Status st = RunInTransaction(*store_, [&](SqlTx& tx) {
    return tx.QueryEach(kFrom, {int64_t{1}}, [&](const SqlRow& r) -> Status {
      ASSIGN_OR_RETURN(int64_t id, r.Int(0));
      RETURN_IF_ERROR(tx.Exec(kInsert, {id + 100'000, "copy", nullptr, id}).status());
      if (++calls == 3) return NotFound("stop");
      return Status::Ok();
    });
  });
  EXPECT_CODE(st, kNotFound);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(CountRows(), kRows);  // the three copies were rolled back
}

TEST_P(ModuleSqlTest, LockSerialisesWriters) {
  // Both back ends accept it; on PostgreSQL it is an advisory lock held to the commit.
  ASSERT_OK(RunInTransaction(*store_, [](SqlTx& tx) -> Status {
    RETURN_IF_ERROR(tx.Lock("billing.run.2027-01"));
    RETURN_IF_ERROR(tx.Lock("billing.run.2027-01"));  // re-entrant within a transaction
    return tx.Exec(kInsert, {int64_t{1}, "a", nullptr, int64_t{1}}).status();
  }));
  EXPECT_EQ(CountRows(), 1);
}

// The module migrations are part of the store's list: billing_method_changes exists after
// Migrate, and its append-only rule is enforced by the database on both back ends.
TEST_P(ModuleSqlTest, ModuleMigrationsAreAppliedAndAppendOnlyIsEnforced) {
  static constexpr char kAdd[] =
      "INSERT INTO billing_method_changes (institution_code, method, effective_month, "
      "changed_by, at, source) VALUES ($1, $2, $3, $4, $5, $6)";
  ASSERT_OK(RunInTransaction(*store_, [](SqlTx& tx) {
    return tx.Exec(kAdd, {"1312345678", "invoice", "2027-01", "operator:test", int64_t{1}, "cli"})
        .status();
  }));
  static constexpr char kUpdate[] = "UPDATE billing_method_changes SET method = 'deduction'";
  static constexpr char kDelete[] = "DELETE FROM billing_method_changes";
  EXPECT_FALSE(RunInTransaction(*store_, [](SqlTx& tx) { return tx.Exec(kUpdate).status(); }).ok());
  EXPECT_FALSE(RunInTransaction(*store_, [](SqlTx& tx) { return tx.Exec(kDelete).status(); }).ok());
  // A CHECK refuses an unknown method.
  EXPECT_FALSE(
      RunInTransaction(*store_, [](SqlTx& tx) {
        return tx.Exec(kAdd, {"1312345678", "cash", "2027-01", "op", int64_t{1}, "cli"}).status();
      }).ok());
  ASSERT_OK(RunRead(*store_, [](SqlTx& tx) -> Status {
    static constexpr char kAll[] = "SELECT method, effective_month FROM billing_method_changes";
    ASSIGN_OR_RETURN(auto rows, tx.Query(kAll));
    EXPECT_EQ(rows.size(), 1u);
    if (rows.size() == 1) {
      EXPECT_EQ(*rows[0].Text(0), "invoice");
    }
    return Status::Ok();
  }));
  auto v = store_->SchemaVersion();
  ASSERT_TRUE(v.ok());
  EXPECT_GE(*v, 22);
}

INSTANTIATE_TEST_SUITE_P(Backends, ModuleSqlTest, ::testing::Values("sqlite", "postgres"),
                         BackendName);

}  // namespace
}  // namespace claimsca::store::test
