#pragma once

// The SQL of the PostgreSQL store's institution register. Internal to the store library.

#include "store/postgres/pg_sql.h"

namespace claimsca::store::pg::sql {

inline constexpr Oid kIIT[] = {kInt8Oid, kInt8Oid, kTextOid};
inline constexpr Oid kIITIT[] = {kInt8Oid, kInt8Oid, kTextOid, kInt8Oid, kTextOid};

// The current version of the register, with the fallback to newinst_institutions (see
// sqlite_register_sql.h: the same rule and text).
inline constexpr Query kSelectRegisterCurrent{
    "claimsca_select_register_current",
    "WITH reg AS (SELECT institution_code, name, postal_code, address, category, "
    "billing_method FROM register_entries WHERE version = (SELECT max(version) FROM "
    "register_versions) AND institution_code = $1) "
    "SELECT * FROM reg UNION ALL "
    "SELECT $1, name, postal_code, address, category, billing_method FROM newinst_institutions "
    "WHERE NOT EXISTS (SELECT 1 FROM reg) AND ((state IN ('provisional', 'presented') AND "
    "(provisional_code = $1 OR reception_number = $1)) OR (state = 'designated' AND "
    "real_code = $1)) LIMIT 1",
    kT};

inline constexpr Query kSelectRegisterAt{
    "claimsca_select_register_at",
    "SELECT institution_code, name, postal_code, address, category, billing_method "
    "FROM register_entries WHERE version = $1 AND institution_code = $2",
    kIT};

inline constexpr Query kSelectRegisterVersion{
    "claimsca_select_register_version",
    "SELECT coalesce(max(version), 0) FROM register_versions",
    {}};

// Serialises imports across processes until the end of the transaction.
inline constexpr char kLockRegisterImport[] =
    "SELECT pg_advisory_xact_lock(hashtext('claimsca.register.' || "
    "coalesce(current_schema(), '')))";

inline constexpr Query kInsertRegisterVersion{
    "claimsca_insert_register_version",
    "INSERT INTO register_versions (version, imported_at, source, row_count, imported_by) "
    "VALUES ($1, $2, $3, $4, $5)",
    kIITIT};

inline constexpr char kCopyRegisterEntries[] =
    "COPY register_entries (version, institution_code, name, postal_code, address, category, "
    "billing_method) FROM STDIN";

}  // namespace claimsca::store::pg::sql
