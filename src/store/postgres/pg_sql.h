#pragma once

// The SQL of the PostgreSQL store, as named prepared queries. Every statement lists its
// columns; parameters are typed and always bound. Internal to the store library.

#include "store/postgres/pg_conn.h"

namespace claimsca::store::pg::sql {

inline constexpr Oid kI[] = {kInt8Oid};
inline constexpr Oid kIT[] = {kInt8Oid, kTextOid};
inline constexpr Oid kT[] = {kTextOid};
inline constexpr Oid kTT[] = {kTextOid, kTextOid};
inline constexpr Oid kTB[] = {kTextOid, kByteaOid};
inline constexpr Oid kTBI[] = {kTextOid, kByteaOid, kInt8Oid};
inline constexpr Oid kTIII[] = {kTextOid, kInt8Oid, kInt8Oid, kInt8Oid};
inline constexpr Oid kTTII[] = {kTextOid, kTextOid, kInt8Oid, kInt8Oid};
inline constexpr Oid kTBIII[] = {kTextOid, kByteaOid, kInt8Oid, kInt8Oid, kInt8Oid};
inline constexpr Oid kTIBIII[] = {kTextOid, kInt8Oid, kByteaOid, kInt8Oid, kInt8Oid, kInt8Oid};
inline constexpr Oid kIntent[] = {kTextOid, kTextOid, kTextOid, kTextOid, kTextOid,
                                  kTextOid, kTextOid, kInt8Oid, kInt8Oid, kByteaOid,
                                  kInt8Oid, kTextOid, kInt8Oid};

inline constexpr Query kSelectCertificate{
    "claimsca_select_certificate",
    "SELECT serial, issuer_id, program, institution_code, common_name, terminal_name, "
    "key_algorithm, not_before, not_after, tbs_der, cert_der, state, revoked_at, "
    "revocation_reason, invalidity_date, created_at, coalesce(request_id, '') FROM certificates "
    "WHERE serial = $1",
    kT};

inline constexpr Query kSelectStatus{
    "claimsca_select_status",
    "SELECT state, not_after, revoked_at, revocation_reason FROM certificates "
    "WHERE serial = $1 AND issuer_id = $2",
    kTT};

// Not prepared: DECLARE cannot be. Run with ExecParams inside a read-only transaction.
inline constexpr char kDeclareRevokedCursor[] =
    "DECLARE claimsca_revoked NO SCROLL CURSOR FOR "
    "SELECT serial, revoked_at, revocation_reason, invalidity_date FROM certificates "
    "WHERE issuer_id = $1 AND not_after >= $2 AND revoked_at IS NOT NULL";
inline constexpr Oid kDeclareRevokedCursorTypes[] = {kTextOid, kInt8Oid};
inline constexpr char kFetchRevoked[] = "FETCH FORWARD 10000 FROM claimsca_revoked";

inline constexpr Query kSelectState{
    "claimsca_select_state", "SELECT state, revoked_at FROM certificates WHERE serial = $1", kT};

inline constexpr Query kInsertIntent{
    "claimsca_insert_intent",
    "INSERT INTO certificates (serial, issuer_id, program, institution_code, common_name, "
    "terminal_name, key_algorithm, not_before, not_after, tbs_der, state, created_at, request_id, "
    "crl_shard) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'intent', $11, nullif($12, ''), $13)",
    kIntent};

inline constexpr Query kMarkIssued{"claimsca_mark_issued",
                                   "UPDATE certificates SET state = 'issued', cert_der = $2, "
                                   "tbs_der = CASE WHEN $3 = 1 THEN ''::bytea ELSE tbs_der END "
                                   "WHERE serial = $1 AND state = 'intent'",
                                   kTBI};

inline constexpr Query kMarkFailed{
    "claimsca_mark_failed",
    "UPDATE certificates SET state = 'failed' WHERE serial = $1 AND state = 'intent'", kT};

// One statement, hence one transaction: revoke the row and bump its issuer's counter
// (creating the crl_state row if missing). Affects one row exactly when it revoked.
// last_revocation_at keeps the latest revocation time (GREATEST ignores NULL).
inline constexpr Query kRevoke{
    "claimsca_revoke",
    "WITH revoked AS ("
    " UPDATE certificates SET revoked_at = $2, revocation_reason = $3, invalidity_date = $4"
    " WHERE serial = $1 AND state = 'issued' AND revoked_at IS NULL RETURNING issuer_id) "
    "INSERT INTO crl_state (issuer_id, revocation_counter, last_revocation_at) "
    "SELECT issuer_id, 1, $2 FROM revoked "
    "ON CONFLICT (issuer_id) DO UPDATE SET "
    "revocation_counter = crl_state.revocation_counter + 1, "
    "last_revocation_at = GREATEST(crl_state.last_revocation_at, EXCLUDED.last_revocation_at)",
    kTIII};

inline constexpr Query kSelectCrlState{
    "claimsca_select_crl_state",
    "SELECT crl_number, this_update, next_update, revocation_counter, "
    "covered_counter, last_revocation_at FROM crl_state WHERE issuer_id = $1",
    kT};
inline constexpr Query kSelectCrlDer{
    "claimsca_select_crl_der",
    "SELECT crl_der, crl_number FROM crl_state WHERE issuer_id = $1 AND crl_der IS NOT NULL", kT};

// PutCrl for crl_number > 1: optimistic, applies only on top of crl_number - 1.
inline constexpr Query kUpdateCrl{
    "claimsca_update_crl",
    "UPDATE crl_state SET crl_number = $2, crl_der = $3, this_update = $4, next_update = $5, "
    "covered_counter = $6 WHERE issuer_id = $1 AND crl_number = $2 - 1",
    kTIBIII};

// PutCrl for crl_number == 1: creates the row, or fills one made by a revocation.
inline constexpr Query kInsertFirstCrl{
    "claimsca_insert_first_crl",
    "INSERT INTO crl_state (issuer_id, crl_number, crl_der, this_update, next_update, "
    "covered_counter) VALUES ($1, 1, $2, $3, $4, $5) "
    "ON CONFLICT (issuer_id) DO UPDATE SET crl_number = 1, crl_der = EXCLUDED.crl_der, "
    "this_update = EXCLUDED.this_update, next_update = EXCLUDED.next_update, "
    "covered_counter = EXCLUDED.covered_counter WHERE crl_state.crl_number = 0",
    kTBIII};

inline constexpr Query kTryLease{
    "claimsca_try_lease",
    "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3 + $4) "
    "ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, "
    "expires_at = EXCLUDED.expires_at "
    "WHERE leases.expires_at <= $3 OR leases.holder = EXCLUDED.holder",
    kTTII};

inline constexpr Query kPutPooledKey{
    "claimsca_put_pooled_key", "INSERT INTO key_pool (algorithm, encrypted_der) VALUES ($1, $2)",
    kTB};

// SKIP LOCKED: concurrent takers each lock (and delete) a different row.
inline constexpr Query kTakePooledKey{
    "claimsca_take_pooled_key",
    "DELETE FROM key_pool WHERE id = (SELECT id FROM key_pool WHERE algorithm = $1 "
    "ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING encrypted_der",
    kT};

inline constexpr Query kCountPooledKeys{"claimsca_count_pooled_keys",
                                        "SELECT count(*) FROM key_pool WHERE algorithm = $1", kT};

// Migrations: a session advisory lock per schema serialises concurrent Migrate calls.
inline constexpr char kLockMigrations[] =
    "SELECT pg_advisory_lock(hashtext('claimsca.migrate.' || coalesce(current_schema(), '')))";
inline constexpr char kUnlockMigrations[] =
    "SELECT pg_advisory_unlock(hashtext('claimsca.migrate.' || coalesce(current_schema(), '')))";

inline constexpr char kCreateSchemaMigrations[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version BIGINT NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

inline constexpr Query kHasSchemaMigrations{
    "claimsca_has_schema_migrations",
    "SELECT count(*) FROM pg_catalog.pg_tables "
    "WHERE schemaname = current_schema() AND tablename = 'schema_migrations'",
    {}};

inline constexpr Query kSelectSchemaVersion{
    "claimsca_select_schema_version",
    "SELECT coalesce(max(version), 0) FROM schema_migrations",
    {}};

inline constexpr Query kIsMigrationApplied{
    "claimsca_is_migration_applied", "SELECT count(*) FROM schema_migrations WHERE version = $1",
    kI};

inline constexpr Query kRecordMigration{
    "claimsca_record_migration",
    "INSERT INTO schema_migrations (version, name, applied_at) "
    "VALUES ($1, $2, CAST(EXTRACT(EPOCH FROM now()) AS BIGINT))",
    kIT};

}  // namespace claimsca::store::pg::sql
