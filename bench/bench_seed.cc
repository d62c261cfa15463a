// bench_seed: fills a claimsca data directory (made by `claimsca init`) for the benchmarks,
// and writes the same certificates in the formats the anchors read.
//
//   bench_seed issue DATA COUNT THREADS OUTDIR [CERTDB_COUNT]
//     Issues COUNT certificates through the real ca::Issuer (intent → sign → store, each
//     durably stored, exactly as `claimsca sign` does), for one reused P-256 key (as the
//     anchors' mkcerts.cpp), on THREADS threads. Writes into OUTDIR:
//       index.txt     OpenSSL `ca` index (status V) for `openssl ocsp -index`
//       certdb.sql    cfssl certdb rows (sqlite) for the first CERTDB_COUNT certificates
//                     (default: all), for `cfssl ocsprefresh`
//       fixed.pem     one certificate (from the certdb subset) used for the fixed OCSP request
//     prints: count seconds certs_per_sec
//
//   bench_seed revoked DATA COUNT OUTDIR [SHARDS]
//     Inserts COUNT revoked certificate rows directly with SQL into DATA/claimsca.db (one
//     transaction). Only what the CRL reads is real (serial, issuer, not_after, revoked_at,
//     reason); tbs_der / cert_der are a short placeholder. Writes OUTDIR/index.txt with
//     the same serials (status R, same revocation times and reasons) for `openssl ca
//     -gencrl`. Serials are 16 bytes like the ones claimsca draws. One in ten entries has
//     reason keyCompromise (written as such in both), the others unspecified (no
//     reasonCode extension in either CRL). With SHARDS > 0 each row is stored with its CRL
//     shard (ca::CrlShardOf, as the issuer assigns it) and each shard's revocation counter is
//     bumped, as Revoke() and migration 096's trigger would have.
//     prints: count seconds rows_per_sec

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ca/crl_shard.h"
#include "cmd/app.h"
#include "cmd/config.h"
#include "common/clock.h"
#include "crypto/keys.h"
#include "crypto/ossl.h"

namespace {

using claimsca::Result;
using claimsca::Status;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "bench_seed: %s\n", what.c_str());
  std::exit(1);
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// "YYMMDDHHMMSSZ" (OpenSSL index.txt) of a Unix time.
std::string IndexTime(time_t t) {
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%y%m%d%H%M%SZ", &tm);
  return buf;
}

std::string SqlTime(time_t t) {
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::string HexToDecimal(const std::string& hex) {
  BIGNUM* bn = nullptr;
  if (!BN_hex2bn(&bn, hex.c_str())) Die("serial hex");
  char* dec = BN_bn2dec(bn);
  std::string s = dec;
  OPENSSL_free(dec);
  BN_free(bn);
  return s;
}

struct Issued {
  std::string serial_hex;  // canonical lowercase
  std::string common_name;
  std::string cert_der;
  time_t not_after = 0;
};

int CmdIssue(int argc, char** argv) {
  if (argc < 6) Die("usage: bench_seed issue DATA COUNT THREADS OUTDIR [CERTDB_COUNT]");
  std::string data = argv[2];
  long count = std::atol(argv[3]);
  int threads = std::max(1, std::atoi(argv[4]));
  std::string out = argv[5];
  long certdb_count = argc > 6 ? std::min(std::atol(argv[6]), count) : count;

  auto config = claimsca::cmd::LoadConfig(data, {"key_pool.threads=0"});
  if (!config.ok()) Die(config.status().ToString());
  auto app = claimsca::cmd::OpenApp(std::move(*config), std::make_unique<claimsca::SystemClock>());
  if (!app.ok()) Die(app.status().ToString());
  claimsca::cmd::App& a = **app;

  auto key = claimsca::crypto::GenerateKey(claimsca::crypto::KeyAlgorithm::kEcP256);
  if (!key.ok()) Die(key.status().ToString());

  std::vector<Issued> issued(static_cast<size_t>(count));
  std::atomic<long> next{0};
  std::mutex err_mu;
  std::string first_error;
  auto t0 = std::chrono::steady_clock::now();
  auto worker = [&] {
    for (;;) {
      long i = next.fetch_add(1);
      if (i >= count) return;
      claimsca::ca::IssueRequest req{"common", "1310000001", "bench-" + std::to_string(i)};
      auto r = a.issuer->IssueForKey(req, key->get());
      if (!r.ok()) {
        std::lock_guard<std::mutex> lock(err_mu);
        if (first_error.empty()) first_error = r.status().ToString();
        next.store(count);
        return;
      }
      Issued& x = issued[static_cast<size_t>(i)];
      x.serial_hex = r->serial;
      x.common_name = r->common_name;
      x.cert_der = std::move(r->cert_der);
      x.not_after = std::chrono::system_clock::to_time_t(r->not_after);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!first_error.empty()) Die("issuance failed: " + first_error);

  // AKI of the leaf certificates = SKI of the issuing CA (cfssl certdb key).
  const ASN1_OCTET_STRING* skid = X509_get0_subject_key_id(a.ca.issuing.get());
  std::string aki =
      skid ? claimsca::crypto::HexEncode(std::string_view(reinterpret_cast<const char*>(skid->data),
                                                          static_cast<size_t>(skid->length)))
           : "";

  FILE* idx = std::fopen((out + "/index.txt").c_str(), "w");
  FILE* sql = std::fopen((out + "/certdb.sql").c_str(), "w");
  if (!idx || !sql) Die("cannot write to " + out);
  std::fputs("BEGIN TRANSACTION;\n", sql);
  for (long i = 0; i < count; ++i) {
    const Issued& x = issued[static_cast<size_t>(i)];
    std::fprintf(idx, "V\t%s\t\t%s\tunknown\t/CN=%s\n", IndexTime(x.not_after).c_str(),
                 Upper(x.serial_hex).c_str(), x.common_name.c_str());
    if (i < certdb_count) {
      auto cert = claimsca::crypto::CertFromDer(x.cert_der);
      auto pem =
          cert.ok() ? claimsca::crypto::CertToPem(cert->get()) : Result<std::string>(cert.status());
      if (!pem.ok()) Die(pem.status().ToString());
      std::fprintf(sql,
                   "INSERT INTO certificates VALUES('%s','%s','','good',0,'%s',"
                   "'0001-01-01 00:00:00+00:00','%s');\n",
                   HexToDecimal(x.serial_hex).c_str(), aki.c_str(), SqlTime(x.not_after).c_str(),
                   pem->c_str());
    }
  }
  std::fputs("COMMIT;\n", sql);
  std::fclose(sql);
  std::fclose(idx);
  // The fixed OCSP request names a certificate in the middle of the cfssl subset.
  const Issued& fixed = issued[static_cast<size_t>(certdb_count / 2)];
  auto cert = claimsca::crypto::CertFromDer(fixed.cert_der);
  if (!cert.ok()) Die(cert.status().ToString());
  FILE* f = std::fopen((out + "/fixed.pem").c_str(), "w");
  if (!f) Die("fixed.pem");
  std::fputs(claimsca::crypto::CertToPem(cert->get()).value().c_str(), f);
  std::fclose(f);
  std::printf("%ld\t%.3f\t%.1f\n", count, el, count / el);
  return 0;
}

uint64_t SplitMix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

void Check(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    Die(std::string(what) + ": " + sqlite3_errmsg(db));
  }
}

int CmdRevoked(int argc, char** argv) {
  if (argc < 5) Die("usage: bench_seed revoked DATA COUNT OUTDIR [SHARDS]");
  std::string data = argv[2];
  long count = std::atol(argv[3]);
  std::string out = argv[4];
  const int shards = argc > 5 ? std::atoi(argv[5]) : 0;
  if (shards < 0 || shards > claimsca::ca::kMaxCrlShards) Die("SHARDS out of range");
  std::vector<long> per_shard(static_cast<size_t>(shards));
  auto config = claimsca::cmd::LoadConfig(data, {});
  if (!config.ok()) Die(config.status().ToString());
  std::string url = config->DatabaseUrl();
  if (!url.starts_with("sqlite:")) Die("revoked: only the SQLite back end is supported");
  std::string issuer_id = config->issuer_id;

  sqlite3* db = nullptr;
  if (sqlite3_open(url.substr(7).c_str(), &db) != SQLITE_OK) Die("open " + url);
  sqlite3_busy_timeout(db, 10000);
  FILE* idx = std::fopen((out + "/index.txt").c_str(), "w");
  if (!idx) Die("cannot write " + out + "/index.txt");

  auto t0 = std::chrono::steady_clock::now();
  Check(sqlite3_exec(db, "PRAGMA journal_mode=WAL; BEGIN IMMEDIATE", nullptr, nullptr, nullptr), db,
        "begin");
  sqlite3_stmt* st = nullptr;
  Check(sqlite3_prepare_v2(
            db,
            "INSERT INTO certificates (serial, issuer_id, state, not_before, not_after, "
            "revoked_at, revocation_reason, invalidity_date, program, institution_code, "
            "common_name, terminal_name, key_algorithm, created_at, tbs_der, cert_der, crl_shard) "
            "VALUES (?1, ?2, 'issued', ?3, ?4, ?5, ?6, NULL, 'common', '1310000001', ?7, "
            "'bench', 'ecp256', ?3, x'300a0c0862656e6368746273', x'300b0c0962656e636863657274', "
            "?8)",
            -1, &st, nullptr),
        db, "prepare");
  const time_t now = std::time(nullptr);
  const time_t not_before = now - 400 * 86400;
  const time_t not_after = now + 800 * 86400;
  const time_t revoked_at = now - 3600;
  const std::string rev_idx = IndexTime(revoked_at);
  const std::string na_idx = IndexTime(not_after);
  char serial[40], cn[32];
  for (long i = 0; i < count; ++i) {
    // 16 bytes, top bit clear, first byte non-zero: the shape of a claimsca serial.
    uint64_t hi =
        (SplitMix(static_cast<uint64_t>(i)) & 0x3fffffffffffffffULL) | 0x4000000000000000ULL;
    std::snprintf(serial, sizeof serial, "%016llx%016llx", static_cast<unsigned long long>(hi),
                  static_cast<unsigned long long>(i));
    std::snprintf(cn, sizeof cn, "9%011ld", i);
    int reason = i % 10 == 0 ? 1 : 0;
    sqlite3_bind_text(st, 1, serial, 32, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, issuer_id.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, not_before);
    sqlite3_bind_int64(st, 4, not_after);
    sqlite3_bind_int64(st, 5, revoked_at);
    sqlite3_bind_int(st, 6, reason);
    sqlite3_bind_text(st, 7, cn, -1, SQLITE_STATIC);
    if (shards > 0) {
      const int shard = claimsca::ca::CrlShardOf(serial, shards).value_or(0);
      ++per_shard[static_cast<size_t>(shard)];
      sqlite3_bind_int(st, 8, shard);
    } else {
      sqlite3_bind_null(st, 8);
    }
    Check(sqlite3_step(st), db, "insert");
    sqlite3_reset(st);
    std::fprintf(idx, "R\t%s\t%s%s\t%s\tunknown\t/CN=%s\n", na_idx.c_str(), rev_idx.c_str(),
                 reason == 1 ? ",keyCompromise" : "", Upper(serial).c_str(), cn);
  }
  sqlite3_finalize(st);
  // The revocation counter, as Revoke() would have bumped it.
  std::string bump =
      "INSERT INTO crl_state (issuer_id, revocation_counter, last_revocation_at) VALUES ('" +
      issuer_id + "', " + std::to_string(count) + ", " + std::to_string(revoked_at) +
      ") ON CONFLICT (issuer_id) DO UPDATE SET revocation_counter = revocation_counter + " +
      std::to_string(count) + ", last_revocation_at = excluded.last_revocation_at";
  Check(sqlite3_exec(db, bump.c_str(), nullptr, nullptr, nullptr), db, "crl_state");
  for (int s = 0; s < shards; ++s) {
    if (per_shard[static_cast<size_t>(s)] == 0) continue;
    std::string shard_bump =
        "INSERT INTO crl_state (issuer_id, revocation_counter, last_revocation_at) VALUES ('" +
        claimsca::store::CrlShardScope(issuer_id, s) + "', " +
        std::to_string(per_shard[static_cast<size_t>(s)]) + ", " + std::to_string(revoked_at) +
        ") ON CONFLICT (issuer_id) DO UPDATE SET revocation_counter = revocation_counter + " +
        std::to_string(per_shard[static_cast<size_t>(s)]) +
        ", last_revocation_at = excluded.last_revocation_at";
    Check(sqlite3_exec(db, shard_bump.c_str(), nullptr, nullptr, nullptr), db, "shard crl_state");
  }
  Check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db, "commit");
  double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  sqlite3_close(db);
  std::fclose(idx);
  std::printf("%ld\t%.3f\t%.1f\n", count, el, count / el);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::string(argv[1]) == "issue") return CmdIssue(argc, argv);
  if (argc >= 2 && std::string(argv[1]) == "revoked") return CmdRevoked(argc, argv);
  std::fprintf(stderr,
               "usage: bench_seed issue DATA COUNT THREADS OUTDIR [CERTDB_COUNT]\n"
               "       bench_seed revoked DATA COUNT OUTDIR [SHARDS]\n");
  return 2;
}
