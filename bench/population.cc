// bench_population: fills a claimsca data directory (made by `claimsca init`, SQLite or
// PostgreSQL) with a realistic population for the benchmarks at scale (issue 22, point 6;
// bench/README.md "A million certificates"):
//
//   bench_population DATA COUNT REGISTER_CSV [AT|auto] [THREADS]
//
// COUNT applications over the institutions of REGISTER_CSV (the register in data/, about
// 92,000). AT (ISO 8601) defaults to 46 months after the issuing CA's notBefore: the
// population's history must lie inside the CA's validity, so the benchmarks run every
// command with --at AT (time is an input). Most institutions hold one to three terminals, a few
// dozen hospitals many; the first medical institution of the file holds exactly 50 (the portal
// list's benchmark) and its code is printed. Relative to AT:
//   - issued: applications decided over the 45 months before AT, each certificate signed by
//     the data directory's issuing CA through the real ca::Issuer (IssueBatch, one reused
//     P-256 terminal key; notBefore = the decision, so those older than the 39-month
//     validity have expired and the live ones end evenly over the coming 39 months — the
//     reminders due on any day are ~1/1,200 of them per stage day);
//   - revoked: 4 % of those (certificate and application, reason keyCompromise for one in
//     ten, else cessationOfOperation, at a time after issuance);
//   - pending: 1 % of the applications, submitted in the last 10 days, not decided.
// The application rows are written in batches through store::RunInTransaction (the same
// SQL on both back ends); the certificates through the issuer. Deterministic for a COUNT
// (fixed seed), except the serials, which the issuer draws.
// prints: count seconds certs_per_sec big_institution_code AT

#include <openssl/asn1.h>
#include <openssl/x509.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iterator>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "ca/crl_shard.h"
#include "cmd/app.h"
#include "cmd/config.h"
#include "common/clock.h"
#include "common/time_util.h"
#include "crypto/keys.h"
#include "crypto/ossl.h"
#include "store/module_sql.h"
#include "store/register_csv.h"

namespace {

using claimsca::Instant;
using claimsca::Status;
namespace store = claimsca::store;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "bench_population: %s\n", what.c_str());
  std::exit(1);
}

int64_t Unix(Instant t) { return t.time_since_epoch().count(); }

enum class Fate { kIssued, kRevoked, kPending };

struct Item {
  size_t institution;  // index into the register
  int terminal;        // 1.. within the institution
  Instant decided;     // issuance (or submission, for a pending one)
  Fate fate;
  std::string request_id;
};

// Terminals per institution: COUNT spread so that most hold 1–3 and a few many; the
// first medical institution (score table 1) exactly 50.
std::vector<int> TerminalsPer(size_t institutions, int64_t count, size_t big, std::mt19937& rng) {
  std::vector<int> n(institutions, 0);
  int64_t left = count;
  n[big] = static_cast<int>(std::min<int64_t>(50, left));
  left -= n[big];
  std::uniform_real_distribution<double> u(0.0, 1.0);
  while (left > 0) {
    for (size_t i = 0; i < institutions && left > 0; ++i) {
      if (i == big) continue;
      // Pareto-like: mostly 1, sometimes 2–3, rarely up to 40.
      const double x = u(rng);
      int k = x < 0.70 ? 1 : x < 0.90 ? 2 : x < 0.97 ? 3 : 4 + static_cast<int>(u(rng) * 36);
      k = static_cast<int>(std::min<int64_t>(k, left));
      n[i] += k;
      left -= k;
    }
  }
  return n;
}

constexpr char kInsertApplication[] =
    "INSERT INTO applications (request_id, program, channel, account_id, idempotency_key, "
    "applicant_kind, category, prefecture, score_table, facility_code, institution_code, "
    "institution_name, contact_name, phone, email, terminal_name, state, register_version, "
    "hold_reason, submitted_at, decided_at, decided_by, reject_reason, serial, common_name, "
    "issued_at, not_after, download_deadline, download_password_hash, download_failures, "
    "download_count, last_downloaded_at, revoked_at, revocation_reason, revoked_by, "
    "claim_holder) VALUES ($1, 'common', 'portal', $2, $3, 'institution', $4, $5, $6, $7, $8, "
    "$9, '担当 太郎', '03-1234-5678', $10, $11, $12, 1, '', $13, $14, $15, '', $16, $17, $18, "
    "$19, $20, '', 0, $21, $22, $23, $24, $25, '')";
constexpr char kRevokeCertificate[] =
    "UPDATE certificates SET revoked_at = $2, revocation_reason = $3 WHERE serial = $1";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) Die("usage: bench_population DATA COUNT REGISTER_CSV [AT] [THREADS]");
  const std::string data = argv[1];
  const int64_t count = std::atoll(argv[2]);
  if (count < 50) Die("COUNT must be at least 50");
  std::ifstream csv(argv[3], std::ios::binary);
  if (!csv) Die(std::string("cannot read ") + argv[3]);
  const std::string text((std::istreambuf_iterator<char>(csv)), std::istreambuf_iterator<char>());
  auto reg = store::ParseRegisterCsv(text);
  if (!reg.ok()) Die(reg.status().ToString());
  const std::vector<store::RegisterEntry>& inst = *reg;
  const int threads = argc > 5 ? std::max(1, std::atoi(argv[5])) : 2;

  auto config = claimsca::cmd::LoadConfig(data, {});
  if (!config.ok()) Die(config.status().ToString());
  // The issuer checks each certificate's period at its notBefore, not at the clock.
  auto app = claimsca::cmd::OpenApp(std::move(*config), std::make_unique<claimsca::SystemClock>());
  if (!app.ok()) Die(app.status().ToString());
  claimsca::cmd::App& a = **app;
  if (a.issuer == nullptr) Die("no issuing CA in " + data);
  // Default AT: 46 months after the issuing CA's notBefore, so that 45 months of
  // certificates fit inside its validity (a fresh `claimsca init` is "now").
  struct tm nb = {};
  if (ASN1_TIME_to_tm(X509_get0_notBefore(a.issuer->issuer_cert()), &nb) != 1) {
    Die("issuing CA notBefore");
  }
  Instant at = std::chrono::time_point_cast<std::chrono::seconds>(
                   std::chrono::system_clock::from_time_t(timegm(&nb))) +
               std::chrono::hours(24 * 30 * 46);
  if (argc > 4 && std::string(argv[4]) != "auto") {
    auto parsed = claimsca::ParseInstant(argv[4]);
    if (!parsed.ok()) Die(parsed.status().ToString());
    at = *parsed;
  }

  size_t big = 0;
  while (big < inst.size() && inst[big].institution_code.substr(2, 1) != "1") ++big;
  if (big == inst.size()) Die("no medical institution in the register");
  std::mt19937 rng(static_cast<unsigned>(count));
  const std::vector<int> per = TerminalsPer(inst.size(), count, big, rng);

  // The items, in order of decision (request IDs are YYYYMMDD + a 6-digit number of the day).
  std::vector<Item> items;
  items.reserve(static_cast<size_t>(count));
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const auto span = std::chrono::hours(24 * 30 * 45);
  for (size_t i = 0; i < inst.size(); ++i) {
    for (int t = 1; t <= per[i]; ++t) {
      const double f = u(rng);
      Fate fate = f < 0.01 ? Fate::kPending : f < 0.05 ? Fate::kRevoked : Fate::kIssued;
      Instant when =
          fate == Fate::kPending
              ? at - std::chrono::seconds(static_cast<int64_t>(u(rng) * 10 * 86400))
              : at - std::chrono::seconds(60) -
                    std::chrono::seconds(static_cast<int64_t>(
                        u(rng) * std::chrono::duration_cast<std::chrono::seconds>(span).count()));
      // The big institution's terminals are all live (its list is what is measured).
      if (i == big) {
        fate = Fate::kIssued;
        when = at - std::chrono::hours(24 * (30 + t * 7));
      }
      items.push_back({i, t, when, fate, {}});
    }
  }
  std::sort(items.begin(), items.end(),
            [](const Item& x, const Item& y) { return x.decided < y.decided; });
  std::string day;
  int64_t seq = 0;
  for (Item& it : items) {
    const claimsca::Date d = claimsca::JstDate(it.decided);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d%02u%02u", static_cast<int>(d.year()),
                  static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
    if (day != buf) {
      day = buf;
      seq = 0;
    }
    std::snprintf(buf + 8, sizeof buf - 8, "%06lld", static_cast<long long>(++seq));
    it.request_id = buf;
  }

  auto key = claimsca::crypto::GenerateKey(claimsca::crypto::KeyAlgorithm::kEcP256);
  if (!key.ok()) Die(key.status().ToString());
  auto spki = claimsca::crypto::PublicKeyDer(key->get());
  if (!spki.ok()) Die(spki.status().ToString());

  constexpr size_t kBatch = 500;
  std::atomic<size_t> next{0};
  std::atomic<int64_t> done{0};
  std::mutex err_mu;
  std::string error;
  const auto t0 = std::chrono::steady_clock::now();
  auto worker = [&] {
    for (;;) {
      const size_t from = next.fetch_add(kBatch);
      if (from >= items.size()) return;
      const size_t to = std::min(items.size(), from + kBatch);
      std::vector<claimsca::ca::IssueRequest> reqs;
      std::vector<size_t> which;
      for (size_t k = from; k < to; ++k) {
        if (items[k].fate == Fate::kPending) continue;
        const store::RegisterEntry& e = inst[items[k].institution];
        claimsca::ca::IssueRequest r;
        r.subject_code = e.institution_code;
        r.terminal_name = "端末" + std::to_string(items[k].terminal);
        r.request_id = items[k].request_id;
        r.not_before = items[k].decided;
        r.keep_period = true;
        reqs.push_back(std::move(r));
        which.push_back(k);
      }
      std::vector<claimsca::ca::Issuer::KeyItem> keys;
      for (const auto& r : reqs) keys.push_back({&r, key->get(), *spki});
      auto issued = a.issuer->IssueBatch(keys);
      std::vector<const claimsca::ca::IssuedCertificate*> by_item(to - from, nullptr);
      for (size_t j = 0; j < issued.size(); ++j) {
        if (!issued[j].ok()) {
          std::lock_guard<std::mutex> l(err_mu);
          error = "issue " + reqs[j].request_id + ": " + issued[j].status().ToString();
          return;
        }
        by_item[which[j] - from] = &*issued[j];
      }
      // The revocations of the batch, applied after its rows in ascending CRL shard order:
      // each one bumps its shard's counter row (migration 096's trigger), and two threads'
      // batches taking those rows in different orders deadlock on PostgreSQL.
      struct Revocation {
        int shard;
        std::string serial;
        int64_t at;
        int reason;
      };
      std::vector<Revocation> revocations;
      Status st = store::RunInTransaction(*a.store, [&](store::SqlTx& tx) -> Status {
        revocations.clear();
        for (size_t k = from; k < to; ++k) {
          const Item& it = items[k];
          const store::RegisterEntry& e = inst[it.institution];
          const claimsca::ca::IssuedCertificate* c = by_item[k - from];
          const std::string account = "clinic-" + e.institution_code + "@bench.example.jp";
          const std::string& code = e.institution_code;  // prefecture, table, facility
          store::SqlParams p{it.request_id,
                             account,
                             "bench-" + it.request_id,
                             e.category,
                             code.substr(0, 2),
                             code.substr(2, 1),
                             code.substr(3),
                             code,
                             e.name,
                             account,
                             "端末" + std::to_string(it.terminal)};
          if (c == nullptr) {  // pending
            const store::SqlValue null;
            p.insert(p.end(), {std::string("pending"), Unix(it.decided), null, std::string(""),
                               std::string(""), std::string(""), null, null, null, int64_t{0}, null,
                               null, null, std::string("")});
          } else {
            const bool revoked = it.fate == Fate::kRevoked;
            const int64_t issued_at = Unix(c->not_before);
            const int64_t revoked_at =
                issued_at +
                static_cast<int64_t>((Unix(std::min(at, c->not_after)) - issued_at) * 0.5);
            const int reason = (it.request_id.back() == '0') ? 1 : 5;
            p.insert(p.end(),
                     {std::string(revoked ? "revoked" : "issued"), issued_at - 86400, issued_at,
                      std::string("bench-operator"), c->serial, c->common_name, issued_at,
                      Unix(c->not_after), issued_at + 30 * 86400, int64_t{1}, issued_at + 3600,
                      revoked ? store::SqlValue(revoked_at) : store::SqlValue(),
                      revoked ? store::SqlValue(int64_t{reason}) : store::SqlValue(),
                      std::string(revoked ? "bench-operator" : "")});
            if (revoked) {
              revocations.push_back(
                  {claimsca::ca::CrlShardOf(c->serial, a.issuer->options().crl_shards).value_or(-1),
                   c->serial, revoked_at, reason});
            }
          }
          auto n = tx.Exec(kInsertApplication, p);
          if (!n.ok()) return n.status();
        }
        std::sort(revocations.begin(), revocations.end(),
                  [](const Revocation& x, const Revocation& y) {
                    return std::tie(x.shard, x.serial) < std::tie(y.shard, y.serial);
                  });
        for (const Revocation& r : revocations) {
          auto n = tx.Exec(kRevokeCertificate, {r.serial, r.at, int64_t{r.reason}});
          if (!n.ok()) return n.status();
        }
        return Status::Ok();
      });
      if (!st.ok()) {
        std::lock_guard<std::mutex> l(err_mu);
        error = "applications: " + st.ToString();
        return;
      }
      done += static_cast<int64_t>(to - from);
    }
  };
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  if (!error.empty()) Die(error);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%lld\t%.1f\t%.0f\t%s\t%s\n", static_cast<long long>(done.load()), secs,
              static_cast<double>(done.load()) / secs, inst[big].institution_code.c_str(),
              claimsca::FormatUtc(at).c_str());
  return 0;
}
