#pragma once

// The SQL of the SQLite store's institution register. Internal to the store library.

namespace claimsca::store::sqlite::sql {

inline constexpr char kSelectRegisterCurrent[] =
    "SELECT institution_code, name, postal_code, address, category, billing_method "
    "FROM register_entries WHERE version = (SELECT max(version) FROM register_versions) "
    "AND institution_code = ?1";

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
