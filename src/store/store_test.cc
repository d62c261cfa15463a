// One suite, run against both back ends: SQLite (a temporary file) and PostgreSQL (a fresh
// schema per test in the database named by CLAIMSCA_TEST_PG_URL, see
// tests/integration/pg_server.sh).

#include "store/store.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/migrations.h"
#include "store/store_test_fixture.h"

namespace claimsca::store {
namespace {

using namespace test;  // NOLINT: the shared fixture and helpers
using std::chrono::seconds;

TEST_P(StoreTest, MigrateIsIdempotentAndRecordsVersion) {
  const int latest = internal::SqliteMigrations().back().version;
  EXPECT_EQ(latest, internal::PostgresMigrations().back().version);
  ASSERT_EQ(store_->SchemaVersion().value(), latest);
  ASSERT_OK(store_->Migrate());
  ASSERT_OK(store_->Migrate());
  EXPECT_EQ(store_->SchemaVersion().value(), latest);
  // A second store on the same database sees the schema and migrates as a no-op.
  auto other = OpenStore(url_);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  ASSERT_OK((*other)->Migrate());
  EXPECT_EQ((*other)->SchemaVersion().value(), latest);
}

TEST_P(StoreTest, InsertIntentRoundTrips) {
  CertificateRecord in = Intent("0a1b", "100000000001");
  ASSERT_OK(store_->InsertIntent(in));
  auto got = store_->GetCertificate("0a1b");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->serial, in.serial);
  EXPECT_EQ(got->issuer_id, in.issuer_id);
  EXPECT_EQ(got->program, in.program);
  EXPECT_EQ(got->institution_code, in.institution_code);
  EXPECT_EQ(got->common_name, in.common_name);
  EXPECT_EQ(got->terminal_name, in.terminal_name);
  EXPECT_EQ(got->key_algorithm, in.key_algorithm);
  EXPECT_EQ(got->not_before, in.not_before);
  EXPECT_EQ(got->not_after, in.not_after);
  EXPECT_EQ(got->tbs_der, in.tbs_der);
  EXPECT_EQ(got->cert_der, "");
  EXPECT_EQ(got->state, CertState::kIntent);
  EXPECT_FALSE(got->revoked_at.has_value());
  EXPECT_EQ(got->revocation_reason, -1);
  EXPECT_FALSE(got->invalidity_date.has_value());
  EXPECT_EQ(got->created_at, in.created_at);
  EXPECT_CODE(store_->GetCertificate("ffff").status(), kNotFound);
}

TEST_P(StoreTest, RequestIdRoundTripsAndActiveSerialsOfInstitution) {
  CertificateRecord a = Intent("d1", "100000000001");
  a.request_id = "20260000000001";
  CertificateRecord b = Intent("d2", "100000000002");
  b.created_at = a.created_at + seconds(1);
  CertificateRecord other = Intent("d3", "100000000003", "issuing-2");
  other.institution_code = "1399999999";
  CertificateRecord expired = Intent("d4", "100000000004");
  expired.not_after = kT0 + seconds(10);
  CertificateRecord intent_only = Intent("d5", "100000000005");
  CertificateRecord revoked = Intent("d6", "100000000006");
  for (const auto* r : {&a, &b, &other, &expired, &intent_only, &revoked}) {
    ASSERT_OK(store_->InsertIntent(*r));
    if (r != &intent_only) ASSERT_OK(store_->MarkIssued(r->serial, "der"));
  }
  ASSERT_OK(store_->Revoke("d6", kT0, kReasonKeyCompromise, std::nullopt));
  EXPECT_EQ(store_->GetCertificate("d1")->request_id, "20260000000001");
  EXPECT_EQ(store_->GetCertificate("d2")->request_id, "");
  auto active = store_->ActiveSerialsOfInstitution("1312345678", kT0 + seconds(60));
  ASSERT_TRUE(active.ok()) << active.status().ToString();
  EXPECT_EQ(*active, (std::vector<std::string>{"d1", "d2"}));
  EXPECT_TRUE(store_->ActiveSerialsOfInstitution("0000000000", kT0)->empty());
}

TEST_P(StoreTest, InsertIntentConflictsAndValidation) {
  ASSERT_OK(store_->InsertIntent(Intent("01", "100000000001")));
  EXPECT_CODE(store_->InsertIntent(Intent("01", "100000000002")), kConflict);
  EXPECT_CODE(store_->InsertIntent(Intent("02", "100000000001")), kConflict);
  ASSERT_OK(store_->InsertIntent(Intent("02", "100000000002")));
  CertificateRecord bad = Intent("03", "100000000003");
  bad.state = CertState::kIssued;
  EXPECT_CODE(store_->InsertIntent(bad), kInvalidArgument);
  bad = Intent("03", "100000000003");
  bad.cert_der = "x";
  EXPECT_CODE(store_->InsertIntent(bad), kInvalidArgument);
  EXPECT_CODE(store_->GetCertificate("03").status(), kNotFound);
}

TEST_P(StoreTest, MarkIssuedAndFailedTransitions) {
  ASSERT_OK(store_->InsertIntent(Intent("a1", "100000000001")));
  ASSERT_OK(store_->InsertIntent(Intent("a2", "100000000002")));
  const std::string der("\x30\x00\xff signed", 10);
  ASSERT_OK(store_->MarkIssued("a1", der));
  auto got = store_->GetCertificate("a1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->state, CertState::kIssued);
  EXPECT_EQ(got->cert_der, der);
  EXPECT_CODE(store_->MarkIssued("a1", der), kFailedPrecondition);
  EXPECT_CODE(store_->MarkFailed("a1"), kFailedPrecondition);
  EXPECT_CODE(store_->MarkIssued("a1", ""), kInvalidArgument);

  ASSERT_OK(store_->MarkFailed("a2"));
  EXPECT_EQ(store_->GetCertificate("a2")->state, CertState::kFailed);
  EXPECT_CODE(store_->MarkIssued("a2", der), kFailedPrecondition);
  EXPECT_CODE(store_->MarkFailed("a2"), kFailedPrecondition);
  // The failed serial stays reserved.
  EXPECT_CODE(store_->InsertIntent(Intent("a2", "100000000003")), kConflict);

  EXPECT_CODE(store_->MarkIssued("zz", der), kNotFound);
  EXPECT_CODE(store_->MarkFailed("zz"), kNotFound);
}

// The batch forms give each element the status its single call would have had, in
// order: one conflict or one invalid record fails only itself.
TEST_P(StoreTest, BatchIntentsAndCertificatesFailOneByOne) {
  ASSERT_OK(store_->InsertIntent(Intent("b0", "100000000020")));
  CertificateRecord invalid = Intent("b4", "100000000024");
  invalid.cert_der = "x";
  const std::vector<CertificateRecord> intents = {
      Intent("b1", "100000000021"), Intent("b0", "100000000022"),  // serial taken
      Intent("b2", "100000000020"),                                // Common Name taken
      invalid, Intent("b3", "100000000023")};
  std::vector<Status> got = store_->InsertIntents(intents);
  ASSERT_EQ(got.size(), 5u);
  EXPECT_CODE(got[0], kOk);
  EXPECT_CODE(got[1], kConflict);
  EXPECT_CODE(got[2], kConflict);
  EXPECT_CODE(got[3], kInvalidArgument);
  EXPECT_CODE(got[4], kOk);
  EXPECT_CODE(store_->GetCertificate("b2").status(), kNotFound);
  EXPECT_EQ(store_->GetCertificate("b3")->state, CertState::kIntent);
  EXPECT_TRUE(store_->InsertIntents({}).empty());
  // Only SQLite asks an issuer to batch for it (serve's IssueQueue).
  EXPECT_EQ(store_->SingleWriter(), GetParam() == "sqlite");

  const std::string der("\x30\x00\xff signed", 10);
  ASSERT_OK(store_->MarkIssued("b0", der));
  const std::vector<CertificateWriter::IssuedDer> certs = {
      {"b1", der}, {"b0", der} /* already issued */, {"zz", der}, {"b3", ""}, {"b3", der}};
  for (bool defer : {false, true}) {
    got = store_->MarkIssuedAll(certs, defer);
    ASSERT_EQ(got.size(), 5u);
    if (!defer) {
      EXPECT_CODE(got[0], kOk);
      EXPECT_CODE(got[4], kOk);
    } else {  // the second time b1 and b3 are issued already
      EXPECT_CODE(got[0], kFailedPrecondition);
      EXPECT_CODE(got[4], kFailedPrecondition);
    }
    EXPECT_CODE(got[1], kFailedPrecondition);
    EXPECT_CODE(got[2], kNotFound);
    EXPECT_CODE(got[3], kInvalidArgument);
    ASSERT_OK(store_->Flush());
  }
  EXPECT_EQ(store_->GetCertificate("b1")->cert_der, der);
  EXPECT_EQ(store_->GetCertificate("b3")->state, CertState::kIssued);
}

// One call for a batch's certificates and the next batch's intents: each element gets
// its own status, as from the two calls.
TEST_P(StoreTest, IntentsAndCertificatesInOneCall) {
  for (const Status& st : store_->InsertIntents(std::vector<CertificateRecord>{
           Intent("p1", "100000000041"), Intent("p2", "100000000042")})) {
    ASSERT_OK(st);
  }
  const std::vector<CertificateRecord> intents = {Intent("p3", "100000000043"),
                                                  Intent("p1", "100000000044")};  // taken
  const std::vector<CertificateWriter::IssuedDer> certs = {{"p1", "cert-p1"}, {"zz", "x"}};
  for (bool defer : {true, false}) {
    CertificateWriter::IntentsAndCerts got = store_->InsertIntentsAndMarkIssued(
        defer ? intents : std::vector<CertificateRecord>{},
        defer ? certs : std::vector<CertificateWriter::IssuedDer>{{"p2", "cert-p2"}}, defer);
    if (defer) {
      ASSERT_EQ(got.intents.size(), 2u);
      ASSERT_EQ(got.certs.size(), 2u);
      EXPECT_CODE(got.intents[0], kOk);
      EXPECT_CODE(got.intents[1], kConflict);
      EXPECT_CODE(got.certs[0], kOk);
      EXPECT_CODE(got.certs[1], kNotFound);
      ASSERT_OK(store_->Flush());
    } else {
      EXPECT_TRUE(got.intents.empty());
      ASSERT_EQ(got.certs.size(), 1u);
      EXPECT_CODE(got.certs[0], kOk);
    }
  }
  EXPECT_EQ(store_->GetCertificate("p1")->cert_der, "cert-p1");
  EXPECT_EQ(store_->GetCertificate("p2")->cert_der, "cert-p2");
  EXPECT_EQ(store_->GetCertificate("p3")->state, CertState::kIntent);
}

// Stored with a deferred sync, the certificates are visible at once (a reader needs no
// Flush); Flush makes them durable.
TEST_P(StoreTest, DeferredSyncIsVisibleAndFlushes) {
  const std::vector<CertificateRecord> intents = {Intent("d1", "100000000031"),
                                                  Intent("d2", "100000000032")};
  for (const Status& st : store_->InsertIntents(intents)) ASSERT_OK(st);
  const std::vector<CertificateWriter::IssuedDer> certs = {{"d1", "cert-d1"}, {"d2", "cert-d2"}};
  for (const Status& st : store_->MarkIssuedAll(certs, /*defer_sync=*/true)) ASSERT_OK(st);
  EXPECT_EQ(store_->GetCertificate("d2")->state, CertState::kIssued);
  ASSERT_OK(store_->Flush());
  ASSERT_OK(store_->Flush());  // nothing new: returns at once
  EXPECT_EQ(store_->GetCertificate("d1")->cert_der, "cert-d1");
}

// An issued row keeps one copy of the TBS, inside the certificate: read back, the record's
// tbs_der is the certificate's own TBSCertificate element. (The issuer signs the stored
// intent's bytes, so both are equal in practice; they differ here to show which is read.)
TEST_P(StoreTest, IssuedRecordTakesItsTbsFromTheCertificate) {
  CertificateRecord in = Intent("c1", "100000000011");
  in.tbs_der = std::string("\x30\x03\x02\x01\x05", 5);
  ASSERT_OK(store_->InsertIntent(in));
  EXPECT_EQ(store_->GetCertificate("c1")->tbs_der, in.tbs_der);
  const std::string tbs("\x30\x03\x02\x01\x07", 5);
  const std::string cert =
      std::string("\x30\x0a", 2) + tbs + std::string("\x30\x00\x03\x01\x00", 5);
  ASSERT_OK(store_->MarkIssued("c1", cert));
  auto got = store_->GetCertificate("c1");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->cert_der, cert);
  EXPECT_EQ(got->tbs_der, tbs);
}

TEST_P(StoreTest, RevokeCodesCounterAndStatus) {
  ASSERT_OK(store_->InsertIntent(Intent("b0", "100000000000")));
  Issue("b1", "100000000001", "issuing-1", kT0 + seconds(1000));
  Issue("b2", "100000000002", "issuing-1", kT0 + seconds(1000));
  const Instant at = kT0 + seconds(100);

  EXPECT_CODE(store_->Revoke("zz", at, kReasonKeyCompromise, std::nullopt), kNotFound);
  EXPECT_CODE(store_->Revoke("b0", at, kReasonKeyCompromise, std::nullopt), kFailedPrecondition);
  EXPECT_CODE(store_->Revoke("b1", at, 7, std::nullopt), kInvalidArgument);
  EXPECT_EQ(store_->GetCrlState("issuing-1")->revocation_counter, 0);

  ASSERT_OK(store_->Revoke("b1", at, kReasonKeyCompromise, at - seconds(50)));
  EXPECT_CODE(store_->Revoke("b1", at, kReasonKeyCompromise, std::nullopt), kConflict);
  auto crl = store_->GetCrlState("issuing-1");
  ASSERT_TRUE(crl.ok()) << crl.status().ToString();
  EXPECT_EQ(crl->revocation_counter, 1);
  EXPECT_EQ(crl->crl_number, 0);
  EXPECT_EQ(crl->last_revocation_at, at);

  // A back-dated revocation bumps the counter but does not move last_revocation_at back.
  ASSERT_OK(store_->Revoke("b2", at - seconds(60), kReasonCessationOfOperation, std::nullopt));
  crl = store_->GetCrlState("issuing-1");
  EXPECT_EQ(crl->revocation_counter, 2);
  EXPECT_EQ(crl->last_revocation_at, at);

  auto st = store_->GetStatus("issuing-1", "b1");
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->state, CertState::kIssued);
  EXPECT_EQ(st->not_after, kT0 + seconds(1000));
  EXPECT_EQ(st->revoked_at, at);
  EXPECT_EQ(st->revocation_reason, kReasonKeyCompromise);
  auto full = store_->GetCertificate("b1");
  EXPECT_EQ(full->invalidity_date, at - seconds(50));
  EXPECT_EQ(full->revocation_reason, kReasonKeyCompromise);
}

TEST_P(StoreTest, GetStatus) {
  ASSERT_OK(store_->InsertIntent(Intent("c0", "100000000000")));
  Issue("c1", "100000000001", "issuing-2", kT0 + seconds(10));
  auto st = store_->GetStatus("issuing-1", "c0");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->state, CertState::kIntent);
  st = store_->GetStatus("issuing-2", "c1");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->state, CertState::kIssued);
  EXPECT_FALSE(st->revoked_at.has_value());
  EXPECT_EQ(st->revocation_reason, -1);
  EXPECT_CODE(store_->GetStatus("issuing-1", "c1").status(), kNotFound);  // other issuer
  EXPECT_CODE(store_->GetStatus("issuing-2", "c9").status(), kNotFound);
}

TEST_P(StoreTest, ForEachRevokedFiltersByIssuerAndExpiry) {
  const Instant cut = kT0 + seconds(5000);
  Issue("d1", "100000000001", "issuing-1", cut - seconds(1));  // expired before the cut
  Issue("d2", "100000000002", "issuing-1", cut);               // boundary: included
  Issue("d3", "100000000003", "issuing-1", cut + seconds(9));
  Issue("d4", "100000000004", "issuing-2", cut + seconds(9));  // other issuer
  Issue("d5", "100000000005", "issuing-1", cut + seconds(9));  // not revoked
  for (const char* s : {"d1", "d2", "d3", "d4"}) {
    ASSERT_OK(store_->Revoke(s, kT0 + seconds(1), kReasonKeyCompromise, std::nullopt));
  }
  EXPECT_CODE(store_->Revoke("d3", kT0 + seconds(2), 0, kT0), kConflict);
  std::map<std::string, RevokedEntry> seen;
  ASSERT_OK(
      store_->ForEachRevoked("issuing-1", cut, [&](const RevokedEntry& e) { seen[e.serial] = e; }));
  ASSERT_EQ(seen.size(), 2u);
  ASSERT_TRUE(seen.contains("d2") && seen.contains("d3"));
  EXPECT_EQ(seen["d3"].revoked_at, kT0 + seconds(1));
  EXPECT_EQ(seen["d3"].reason, kReasonKeyCompromise);
  EXPECT_FALSE(seen["d3"].invalidity_date.has_value());
  int all = 0;
  ASSERT_OK(store_->ForEachRevoked("issuing-1", Instant{}, [&](const RevokedEntry&) { ++all; }));
  EXPECT_EQ(all, 3);
  int none = 0;
  ASSERT_OK(store_->ForEachRevoked("issuing-9", Instant{}, [&](const RevokedEntry&) { ++none; }));
  EXPECT_EQ(none, 0);
}

TEST_P(StoreTest, CrlStateWithOptimisticPut) {
  auto fresh = store_->GetCrlState("issuing-1");
  ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
  EXPECT_EQ(fresh->issuer_id, "issuing-1");
  EXPECT_EQ(fresh->crl_number, 0);
  EXPECT_EQ(store_->GetCrlDer("issuing-1")->first, "");
  EXPECT_FALSE(fresh->last_revocation_at.has_value());

  const std::string der1("\x30\x01\x00", 3), der2("\x30\x02\xff\x00", 4);
  EXPECT_CODE(store_->PutCrl("issuing-1", 2, der1, kT0, kT0 + seconds(60), 0), kConflict);
  EXPECT_CODE(store_->PutCrl("issuing-1", 0, der1, kT0, kT0 + seconds(60), 0), kInvalidArgument);
  ASSERT_OK(store_->PutCrl("issuing-1", 1, der1, kT0, kT0 + seconds(60), 0));
  EXPECT_CODE(store_->PutCrl("issuing-1", 1, der1, kT0, kT0 + seconds(60), 0), kConflict);
  EXPECT_CODE(store_->PutCrl("issuing-1", 3, der1, kT0, kT0 + seconds(60), 0), kConflict);

  Issue("e1", "100000000001", "issuing-1", kT0 + seconds(999));
  ASSERT_OK(store_->Revoke("e1", kT0 + seconds(30), kReasonKeyCompromise, std::nullopt));
  auto st = store_->GetCrlState("issuing-1");
  ASSERT_EQ(st->revocation_counter, 1);
  ASSERT_OK(store_->PutCrl("issuing-1", 2, der2, kT0 + seconds(40), kT0 + seconds(100),
                           st->revocation_counter));
  st = store_->GetCrlState("issuing-1");
  EXPECT_EQ(st->crl_number, 2);
  EXPECT_EQ(store_->GetCrlDer("issuing-1")->first, der2);
  EXPECT_EQ(store_->GetCrlDer("issuing-1")->second, 2);
  EXPECT_EQ(st->this_update, kT0 + seconds(40));
  EXPECT_EQ(st->next_update, kT0 + seconds(100));
  EXPECT_EQ(st->revocation_counter, 1);
  EXPECT_EQ(st->covered_counter, 1);
  EXPECT_EQ(st->last_revocation_at, kT0 + seconds(30));

  // The first CRL of an issuer whose row was created by a revocation.
  Issue("e2", "100000000002", "issuing-2", kT0 + seconds(999));
  ASSERT_OK(store_->Revoke("e2", kT0 + seconds(30), kReasonKeyCompromise, std::nullopt));
  ASSERT_OK(store_->PutCrl("issuing-2", 1, der1, kT0, kT0 + seconds(60), 1));
  st = store_->GetCrlState("issuing-2");
  EXPECT_EQ(st->crl_number, 1);
  EXPECT_EQ(st->revocation_counter, 1);
  EXPECT_EQ(st->covered_counter, 1);
}

TEST_P(StoreTest, LeasesTwoHoldersExpiryRenewal) {
  const seconds ttl(60);
  EXPECT_TRUE(store_->TryLease("crl", "a", kT0, ttl).value());
  EXPECT_FALSE(store_->TryLease("crl", "b", kT0 + seconds(10), ttl).value());
  EXPECT_TRUE(store_->TryLease("other", "b", kT0 + seconds(10), ttl).value());
  EXPECT_TRUE(store_->TryLease("crl", "a", kT0 + seconds(50), ttl).value());  // renew to +110
  EXPECT_FALSE(store_->TryLease("crl", "b", kT0 + seconds(100), ttl).value());
  EXPECT_TRUE(store_->TryLease("crl", "b", kT0 + seconds(110), ttl).value());  // expired
  EXPECT_FALSE(store_->TryLease("crl", "a", kT0 + seconds(120), ttl).value());
  EXPECT_CODE(store_->TryLease("crl", "a", kT0, seconds(-1)).status(), kInvalidArgument);
  // Release: the holder renews with a zero ttl, and another holder may take it at once.
  EXPECT_TRUE(store_->TryLease("crl", "b", kT0 + seconds(130), seconds(0)).value());
  EXPECT_TRUE(store_->TryLease("crl", "a", kT0 + seconds(130), ttl).value());
}

TEST_P(StoreTest, KeyPoolPutTakeCount) {
  EXPECT_FALSE(store_->TakePooledKey("rsa2048").value().has_value());
  ASSERT_OK(store_->PutPooledKey("rsa2048", std::string("k1\0x", 4)));
  ASSERT_OK(store_->PutPooledKey("rsa2048", "k2"));
  ASSERT_OK(store_->PutPooledKey("ecp256", "e1"));
  EXPECT_EQ(store_->CountPooledKeys("rsa2048").value(), 2);
  EXPECT_EQ(store_->CountPooledKeys("ecp256").value(), 1);
  EXPECT_EQ(store_->TakePooledKey("rsa2048").value(), std::string("k1\0x", 4));  // oldest first
  EXPECT_EQ(store_->TakePooledKey("rsa2048").value(), "k2");
  EXPECT_FALSE(store_->TakePooledKey("rsa2048").value().has_value());
  EXPECT_EQ(store_->CountPooledKeys("rsa2048").value(), 0);
  EXPECT_EQ(store_->CountPooledKeys("ecp256").value(), 1);
}

TEST_P(StoreTest, KeyPoolTakeIsExclusiveUnderConcurrency) {
  constexpr int kKeys = 300, kThreads = 8;
  for (int i = 0; i < kKeys; ++i)
    ASSERT_OK(store_->PutPooledKey("ecp256", "key" + std::to_string(i)));
  std::mutex mu;
  std::vector<std::string> taken;
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      while (true) {
        auto k = store_->TakePooledKey("ecp256");
        if (!k.ok()) {
          ++errors;
          return;
        }
        if (!k->has_value()) return;
        std::lock_guard lock(mu);
        taken.push_back(**k);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(taken.size(), static_cast<size_t>(kKeys));
  EXPECT_EQ(std::set<std::string>(taken.begin(), taken.end()).size(), static_cast<size_t>(kKeys));
  EXPECT_EQ(store_->CountPooledKeys("ecp256").value(), 0);
}

TEST_P(StoreTest, ConcurrentWritersLoseNothing) {
  constexpr int kThreads = 8, kPerThread = 200;
  std::vector<std::vector<std::string>> serials(kThreads);
  std::atomic<int> errors{0}, dup_ok{0}, dup_conflict{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        if (i % 50 == 25) {
          // Failing writes mixed in (one common name for all) must not disturb the others.
          Status dup = store_->InsertIntent(Intent(RandomHex(16), "same-cn-" + std::to_string(i)));
          (dup.ok() ? dup_ok : dup_conflict) += dup.ok() || dup.code() == Code::kConflict;
        }
        std::string serial = RandomHex(16);
        Status st = store_->InsertIntent(Intent(serial, "cn" + serial));
        if (st.ok()) st = store_->MarkIssued(serial, "der" + serial);
        if (!st.ok()) {
          ++errors;
          ADD_FAILURE() << st.ToString();
          continue;
        }
        serials[t].push_back(serial);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(dup_ok.load(), kPerThread / 50);
  EXPECT_EQ(dup_conflict.load(), (kThreads - 1) * kPerThread / 50);
  int found = 0;
  for (const auto& list : serials) {
    for (const auto& s : list) {
      auto st = store_->GetStatus("issuing-1", s);
      if (st.ok() && st->state == CertState::kIssued) ++found;
    }
  }
  EXPECT_EQ(found, kThreads * kPerThread);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values("sqlite", "postgres"), BackendName);

TEST(OpenStoreTest, RejectsUnknownUrls) {
  EXPECT_CODE(OpenStore("mysql://x").status(), kInvalidArgument);
  EXPECT_CODE(OpenStore("sqlite:").status(), kInvalidArgument);
  EXPECT_CODE(OpenStore("/tmp/x.db").status(), kInvalidArgument);
  EXPECT_EQ(OpenStore("mysql://u:secret@h/db").status().message().find("secret"),
            std::string::npos);
}

TEST(OpenStoreTest, UnreachablePostgresIsUnavailable) {
  // Port 1 on loopback: nothing listens there.
  EXPECT_CODE(OpenStore("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2").status(),
              kUnavailable);
}

TEST(OpenStoreTest, CertStateNames) {
  EXPECT_EQ(CertStateName(CertState::kIntent), "intent");
  EXPECT_EQ(CertStateName(CertState::kIssued), "issued");
  EXPECT_EQ(CertStateName(CertState::kFailed), "failed");
}

}  // namespace
}  // namespace claimsca::store
