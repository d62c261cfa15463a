#pragma once

// The SQL of the SQLite store's institution register. Internal to the store library.

namespace claimsca::store::sqlite::sql {

// The current version of the register; when it lacks the code, the new institutions of
// docs/newinst.md answer: an open row (provisional / presented) for its 仮コード and its
// 受付番号, a designated row for its real code until an import brings it. The imported
// register always wins. The row's institution_code is the code asked for.
inline constexpr char kSelectRegisterCurrent[] =
    "WITH reg AS (SELECT institution_code, name, postal_code, address, category, "
    "billing_method FROM register_entries WHERE version = (SELECT max(version) FROM "
    "register_versions) AND institution_code = ?1) "
    "SELECT * FROM reg UNION ALL "
    "SELECT ?1, name, postal_code, address, category, billing_method FROM newinst_institutions "
    "WHERE NOT EXISTS (SELECT 1 FROM reg) AND ((state IN ('provisional', 'presented') AND "
    "(provisional_code = ?1 OR reception_number = ?1)) OR (state = 'designated' AND "
    "real_code = ?1)) LIMIT 1";

inline constexpr char kSelectRegisterAt[] =
    "SELECT institution_code, name, postal_code, address, category, billing_method "
    "FROM register_entries WHERE version = ?1 AND institution_code = ?2";

inline constexpr char kSelectRegisterVersion[] =
    "SELECT coalesce(max(version), 0) FROM register_versions";

inline constexpr char kInsertRegisterVersion[] =
    "INSERT INTO register_versions (version, imported_at, source, row_count, imported_by) "
    "VALUES (?1, ?2, ?3, ?4, ?5)";

inline constexpr char kInsertRegisterEntry[] =
    "INSERT INTO register_entries (version, institution_code, name, postal_code, address, "
    "category, billing_method) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

}  // namespace claimsca::store::sqlite::sql
