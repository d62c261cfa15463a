#pragma once

// The SQL of the SQLite store. Every statement lists its columns; parameters are numbered
// (?1, ?2, ...) and always bound. Internal to the store library.

namespace claimsca::store::sqlite::sql {

// Columns of a full certificate row, in the order ReadCertificate expects.
#define CLAIMSCA_CERT_COLUMNS                                                    \
  "serial, issuer_id, program, institution_code, common_name, terminal_name, "   \
  "key_algorithm, not_before, not_after, tbs_der, cert_der, state, revoked_at, " \
  "revocation_reason, invalidity_date, created_at, request_id"

inline constexpr char kSelectCertificate[] =
    "SELECT " CLAIMSCA_CERT_COLUMNS " FROM certificates WHERE serial = ?1";
#undef CLAIMSCA_CERT_COLUMNS

// The primary-key index, then the row (migration 014 dropped the covering index that
// issuance paid for).
inline constexpr char kSelectStatus[] =
    "SELECT state, not_after, revoked_at, revocation_reason "
    "FROM certificates WHERE serial = ?1 AND issuer_id = ?2";

inline constexpr char kSelectRevoked[] =
    "SELECT serial, revoked_at, revocation_reason, invalidity_date FROM certificates "
    "WHERE issuer_id = ?1 AND not_after >= ?2 AND revoked_at IS NOT NULL";

inline constexpr char kSelectStateForUpdate[] =
    "SELECT issuer_id, state, revoked_at FROM certificates WHERE serial = ?1";

inline constexpr char kInsertIntent[] =
    "INSERT INTO certificates (serial, issuer_id, program, institution_code, common_name, "
    "terminal_name, key_algorithm, not_before, not_after, tbs_der, state, created_at, request_id, "
    "crl_shard) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'intent', ?11, nullif(?12, ''), ?13)";

inline constexpr char kMarkIssued[] =
    "UPDATE certificates SET state = 'issued', cert_der = ?2, "
    "tbs_der = CASE WHEN ?3 THEN X'' ELSE tbs_der END "
    "WHERE serial = ?1 AND state = 'intent'";

inline constexpr char kMarkFailed[] =
    "UPDATE certificates SET state = 'failed' WHERE serial = ?1 AND state = 'intent'";

inline constexpr char kRevoke[] =
    "UPDATE certificates SET revoked_at = ?2, revocation_reason = ?3, invalidity_date = ?4 "
    "WHERE serial = ?1 AND state = 'issued' AND revoked_at IS NULL";

// last_revocation_at keeps the latest revocation time (max), so that a back-dated
// revocation cannot move it backwards.
inline constexpr char kBumpRevocationCounter[] =
    "INSERT INTO crl_state (issuer_id, revocation_counter, last_revocation_at) "
    "VALUES (?1, 1, ?2) "
    "ON CONFLICT (issuer_id) DO UPDATE SET "
    "revocation_counter = crl_state.revocation_counter + 1, "
    "last_revocation_at = max(coalesce(crl_state.last_revocation_at, excluded.last_revocation_at), "
    "excluded.last_revocation_at)";

inline constexpr char kSelectCrlState[] =
    "SELECT crl_number, this_update, next_update, revocation_counter, "
    "covered_counter, last_revocation_at FROM crl_state WHERE issuer_id = ?1";
inline constexpr char kSelectCrlDer[] =
    "SELECT crl_der, crl_number FROM crl_state WHERE issuer_id = ?1 AND crl_der IS NOT NULL";

// PutCrl for crl_number > 1: optimistic, applies only on top of crl_number - 1.
inline constexpr char kUpdateCrl[] =
    "UPDATE crl_state SET crl_number = ?2, crl_der = ?3, this_update = ?4, next_update = ?5, "
    "covered_counter = ?6 WHERE issuer_id = ?1 AND crl_number = ?2 - 1";

// PutCrl for crl_number == 1: creates the row, or fills one made by a revocation.
inline constexpr char kInsertFirstCrl[] =
    "INSERT INTO crl_state (issuer_id, crl_number, crl_der, this_update, next_update, "
    "covered_counter) VALUES (?1, 1, ?2, ?3, ?4, ?5) "
    "ON CONFLICT (issuer_id) DO UPDATE SET crl_number = 1, crl_der = excluded.crl_der, "
    "this_update = excluded.this_update, next_update = excluded.next_update, "
    "covered_counter = excluded.covered_counter WHERE crl_state.crl_number = 0";

inline constexpr char kTryLease[] =
    "INSERT INTO leases (name, holder, expires_at) VALUES (?1, ?2, ?3 + ?4) "
    "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
    "expires_at = excluded.expires_at "
    "WHERE leases.expires_at <= ?3 OR leases.holder = excluded.holder";

inline constexpr char kPutPooledKey[] =
    "INSERT INTO key_pool (algorithm, encrypted_der) VALUES (?1, ?2)";

inline constexpr char kTakePooledKey[] =
    "DELETE FROM key_pool WHERE id = (SELECT id FROM key_pool WHERE algorithm = ?1 "
    "ORDER BY id LIMIT 1) RETURNING encrypted_der";

inline constexpr char kCountPooledKeys[] = "SELECT count(*) FROM key_pool WHERE algorithm = ?1";

inline constexpr char kCreateSchemaMigrations[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version BIGINT NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

inline constexpr char kHasSchemaMigrations[] =
    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'";

inline constexpr char kSelectSchemaVersion[] =
    "SELECT coalesce(max(version), 0) FROM schema_migrations";

inline constexpr char kIsMigrationApplied[] =
    "SELECT count(*) FROM schema_migrations WHERE version = ?1";

inline constexpr char kRecordMigration[] =
    "INSERT INTO schema_migrations (version, name, applied_at) "
    "VALUES (?1, ?2, CAST(strftime('%s', 'now') AS INTEGER))";

}  // namespace claimsca::store::sqlite::sql
