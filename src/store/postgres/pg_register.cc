// PgStore: the institution register.

#include <string>

#include "store/internal.h"
#include "store/postgres/pg_register_sql.h"
#include "store/postgres/pg_store.h"

namespace claimsca::store {
namespace {

using internal::ToUnix;
using pg::Params;
using pg::PgResult;

Result<RegisterEntry> EntryAt(const PgResult& res, std::string_view code) {
  if (res.Rows() == 0) {
    return NotFound("institution " + std::string(code) + " is not in the register");
  }
  RegisterEntry e;
  e.institution_code = res.Bytes(0, 0);
  e.name = res.Bytes(0, 1);
  e.postal_code = res.Bytes(0, 2);
  e.address = res.Bytes(0, 3);
  e.category = res.Bytes(0, 4);
  e.billing_method = res.Bytes(0, 5);
  return e;
}

// Appends `v` as one field of COPY's text format: backslash, tab, newline and carriage
// return are escaped; everything else (UTF-8 included) goes through as is.
void AppendCopyField(std::string& out, std::string_view v) {
  for (char c : v) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
}

std::string CopyData(int64_t version, const std::vector<RegisterEntry>& rows) {
  const std::string v = std::to_string(version);
  std::string out;
  out.reserve(rows.size() * 160);
  for (const RegisterEntry& e : rows) {
    out += v;
    for (const std::string* f : {&e.institution_code, &e.name, &e.postal_code, &e.address,
                                 &e.category, &e.billing_method}) {
      out += '\t';
      AppendCopyField(out, *f);
    }
    out += '\n';
  }
  return out;
}

}  // namespace

Result<RegisterEntry> PgStore::FindInRegister(std::string_view institution_code) {
  ASSIGN_OR_RETURN(PgResult res, Run(pg::sql::kSelectRegisterCurrent,
                                     Params().Text(institution_code), "find in register"));
  return EntryAt(res, institution_code);
}

Result<RegisterEntry> PgStore::FindInRegisterVersion(int64_t version,
                                                     std::string_view institution_code) {
  ASSIGN_OR_RETURN(PgResult res,
                   Run(pg::sql::kSelectRegisterAt, Params().Int8(version).Text(institution_code),
                       "find in register"));
  return EntryAt(res, institution_code);
}

Result<int64_t> PgStore::CurrentRegisterVersion() {
  ASSIGN_OR_RETURN(PgResult res,
                   Run(pg::sql::kSelectRegisterVersion, Params(), "register version"));
  if (res.Rows() != 1) return Internal("register version: max() returned no row");
  return res.Int(0, 0);
}

Result<int64_t> PgStore::ImportRegister(const std::vector<RegisterEntry>& rows,
                                        std::string_view source, std::string_view imported_by,
                                        Instant now) {
  RETURN_IF_ERROR(internal::ValidateRegisterImport(rows, source, imported_by));
  ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  int64_t version = 0;
  Status st = pg::InTransaction(*conn, "BEGIN", "import register", [&]() -> Status {
    RETURN_IF_ERROR(conn->ExecScript(pg::sql::kLockRegisterImport, "import: lock").status());
    {
      ASSIGN_OR_RETURN(PgResult res,
                       conn->Exec(pg::sql::kSelectRegisterVersion, Params(), "import: version"));
      ASSIGN_OR_RETURN(int64_t current, res.Int(0, 0));
      version = current + 1;
    }
    Params p;
    p.Int8(version).Int8(ToUnix(now)).Text(source);
    p.Int8(static_cast<int64_t>(rows.size())).Text(imported_by);
    RETURN_IF_ERROR(conn->Exec(pg::sql::kInsertRegisterVersion, p, "import: version row").status());
    // COPY: one round trip for all rows (a prepared INSERT per row would take one each).
    ASSIGN_OR_RETURN(int64_t copied, conn->CopyIn(pg::sql::kCopyRegisterEntries,
                                                  CopyData(version, rows), "import: rows"));
    if (copied != static_cast<int64_t>(rows.size())) {
      return Internal("import register: copied " + std::to_string(copied) + " of " +
                      std::to_string(rows.size()) + " rows");
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return version;
}

}  // namespace claimsca::store
