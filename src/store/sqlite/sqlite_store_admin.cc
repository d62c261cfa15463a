// SqliteStore: migrations, CRL state, leases and the key pool.

#include <string>

#include "store/internal.h"
#include "store/migrations.h"
#include "store/sqlite/sqlite_crl_rows.h"
#include "store/sqlite/sqlite_sql.h"
#include "store/sqlite/sqlite_store.h"

namespace claimsca::store {
namespace {

using internal::FromUnix;
using internal::ToUnix;
using sqlite::Stmt;
namespace sql = sqlite::sql;

constexpr char kSelectActiveSerials[] =
    "SELECT serial FROM certificates WHERE institution_code = ?1 AND state = 'issued' "
    "AND revoked_at IS NULL AND not_after > ?2 ORDER BY created_at, serial";

}  // namespace

Result<std::vector<std::string>> SqliteStore::ActiveSerialsOfInstitution(
    std::string_view institution_code, Instant now) {
  ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*reader, kSelectActiveSerials, "active serials"));
  s.Text(1, institution_code).Int(2, ToUnix(now));
  std::vector<std::string> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return out;
    out.emplace_back(s.ColText(0));
  }
}

Status SqliteStore::Migrate() {
  std::lock_guard lock(write_mu_);
  RETURN_IF_ERROR(sqlite::InTransaction(*writer_, "migrate", [&]() -> Status {
    ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*writer_, sql::kCreateSchemaMigrations, "migrate"));
    return s.Run();
  }));
  for (const internal::Migration& m : internal::SqliteMigrations()) {
    const std::string what = "migration " + std::to_string(m.version) + "_" + std::string(m.name);
    // BEGIN IMMEDIATE serialises this check-and-apply with other processes.
    Status st = sqlite::InTransaction(*writer_, what, [&]() -> Status {
      {
        ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*writer_, sql::kIsMigrationApplied, "migrate"));
        ASSIGN_OR_RETURN(bool row, s.Int(1, m.version).Step());
        if (!row) return Internal("migrate: count returned no row");
        if (s.ColInt(0) > 0) return Status::Ok();
      }
      RETURN_IF_ERROR(writer_->ExecScript(m.sql, "apply"));
      ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*writer_, sql::kRecordMigration, "record"));
      return s.Int(1, m.version).Text(2, m.name).Run();
    });
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

Result<int> SqliteStore::SchemaVersion() {
  ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  {
    ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*reader, sql::kHasSchemaMigrations, "schema version"));
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row || s.ColInt(0) == 0) return 0;
  }
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*reader, sql::kSelectSchemaVersion, "schema version"));
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return Internal("schema version: max() returned no row");
  return static_cast<int>(s.ColInt(0));
}

Result<CrlState> SqliteStore::GetCrlState(std::string_view issuer_id) {
  ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*reader, sql::kSelectCrlState, "get crl state"));
  ASSIGN_OR_RETURN(bool row, s.Text(1, issuer_id).Step());
  CrlState st;
  st.issuer_id = issuer_id;
  if (!row) return st;
  sqlite::ReadCrlStateColumns(s, 0, st);
  return st;
}

Result<std::pair<std::string, int64_t>> SqliteStore::GetCrlDer(std::string_view issuer_id) {
  ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*reader, sql::kSelectCrlDer, "get crl"));
  ASSIGN_OR_RETURN(bool row, s.Text(1, issuer_id).Step());
  if (!row) return std::pair<std::string, int64_t>{};
  return std::pair<std::string, int64_t>{s.ColBlob(0), s.ColInt(1)};
}

Status SqliteStore::PutCrl(std::string_view issuer_id, int64_t crl_number, std::string_view der,
                           Instant this_update, Instant next_update, int64_t covered_counter) {
  RETURN_IF_ERROR(internal::ValidateCrl(crl_number, covered_counter));
  if (der.empty()) return InvalidArgument("put crl: empty der");
  return group_.Run([&](Conn& c) -> Status {
    {
      const bool first = crl_number == 1;
      ASSIGN_OR_RETURN(Stmt s,
                       Stmt::Use(c, first ? sql::kInsertFirstCrl : sql::kUpdateCrl, "put crl"));
      // kInsertFirstCrl has no crl_number parameter: its later parameters shift by one.
      const int o = first ? 0 : 1;
      s.Text(1, issuer_id);
      if (!first) s.Int(2, crl_number);
      s.Blob(2 + o, der).Int(3 + o, ToUnix(this_update)).Int(4 + o, ToUnix(next_update));
      RETURN_IF_ERROR(s.Int(5 + o, covered_counter).Run());
    }
    if (c.Changes() == 1) return Status::Ok();
    return Conflict("put crl " + std::to_string(crl_number) + " of " + std::string(issuer_id) +
                    ": the stored CRL number is not " + std::to_string(crl_number - 1));
  });
}

Result<bool> SqliteStore::TryLease(std::string_view name, std::string_view holder, Instant now,
                                   std::chrono::seconds ttl) {
  if (name.empty() || holder.empty()) return InvalidArgument("lease: empty name or holder");
  if (ttl.count() < 0) return InvalidArgument("lease: ttl must not be negative");
  bool taken = false;
  // The lease is written to the WAL, not synced: other processes see it at once, and a
  // power loss that loses it also ended its holder; whatever the holder then writes durably
  // makes the lease durable too (the WAL is synced in order). Saves a disk sync at each take
  // and release (two per CRL published).
  Status st = group_.Run(
      [&](Conn& c) -> Status {
        {
          ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c, sql::kTryLease, "try lease"));
          s.Text(1, name).Text(2, holder).Int(3, ToUnix(now)).Int(4, ttl.count());
          RETURN_IF_ERROR(s.Run().WithContext(std::string(name)));
        }
        taken = c.Changes() == 1;
        return Status::Ok();
      },
      sqlite::GroupCommit::Durability::kWritten);
  if (!st.ok()) return st;
  return taken;
}

Status SqliteStore::PutPooledKey(std::string_view algorithm, std::string_view encrypted_der) {
  if (algorithm.empty() || encrypted_der.empty()) {
    return InvalidArgument("put pooled key: empty algorithm or key");
  }
  return group_.Run([&](Conn& c) -> Status {
    ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c, sql::kPutPooledKey, "put pooled key"));
    return s.Text(1, algorithm).Blob(2, encrypted_der).Run();
  });
}

Result<std::optional<std::string>> SqliteStore::TakePooledKey(std::string_view algorithm) {
  std::optional<std::string> key;
  // One DELETE ... RETURNING inside the writer's transaction, which holds SQLite's write
  // lock: no other connection or process can take the same row.
  Status st = group_.Run([&](Conn& c) -> Status {
    key.reset();
    ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c, sql::kTakePooledKey, "take pooled key"));
    ASSIGN_OR_RETURN(bool row, s.Text(1, algorithm).Step());
    if (!row) return Status::Ok();
    key.emplace(s.ColBlob(0));
    ASSIGN_OR_RETURN(bool more, s.Step());  // runs the statement to completion
    if (more) return Internal("take pooled key: more than one row deleted");
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return key;
}

Result<int64_t> SqliteStore::CountPooledKeys(std::string_view algorithm) {
  ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*reader, sql::kCountPooledKeys, "count pooled keys"));
  ASSIGN_OR_RETURN(bool row, s.Text(1, algorithm).Step());
  if (!row) return Internal("count pooled keys: no row");
  return s.ColInt(0);
}

}  // namespace claimsca::store
