// ledger_read_bench: how long the billing run's reads of the ledger take at the issue's
// size (docs/billing.md, "ledger"; docs/benchmarks.md): N charges of N/5 institutions in
// one billing month, read once in institution order (billing::ForEachEntryOfMonth, what
// billing::MakeLedgerSource gives the run), and the method in force for every institution
// (billing::MethodsInForce). Not a test: prints the times.
//
//   ledger_read_bench URL [charges]   e.g. sqlite:/tmp/l.db 1000000, or a PostgreSQL URL
//   (an empty database: the bench migrates it and fills it by SQL).

#include <chrono>
#include <cstdio>
#include <set>
#include <string>

#include "billing/ledger_store.h"
#include "store/module_sql.h"
#include "store/store.h"

using namespace claimsca;  // NOLINT: a small program

namespace {

// $1 = number of charges; institution = 1000000000 + i % ($1 / 5), one application each.
constexpr char kFillApplications[] =
    "INSERT INTO applications (request_id, program, channel, account_id, idempotency_key, "
    "applicant_kind, category, prefecture, score_table, facility_code, institution_code, "
    "institution_name, contact_name, phone, email, terminal_name, state, register_version, "
    "hold_reason, submitted_at, decided_by, reject_reason, serial, common_name, "
    "download_password_hash, download_failures, download_count, revoked_by, claim_holder) "
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) "
    "SELECT CAST(20000000000000 + i AS TEXT), 'common', 'portal', 'a', '', 'institution', '1', "
    "'13', '1', '1234567', CAST(1000000000 + i % ($1 / 5) AS TEXT), 'n', 'c', 'p', 'e', "
    "'受付PC', 'pending', 1, '', 0, '', '', '', '', '', 0, 0, '', '' FROM n";
constexpr char kFillCharges[] =
    "INSERT INTO fee_charges (request_id, kind, institution_code, program, charge_date, "
    "billing_month, issuance_fee_yen, mailing_fee_yen, total_yen, created_at, serial) "
    "SELECT request_id, 'new_application', institution_code, 'common', '2026-11-04', "
    "'2027-01', 1500, 792, 2292, 0, CAST(seq AS TEXT) FROM applications";
constexpr char kFillRegisterVersion[] =
    "INSERT INTO register_versions (version, imported_at, source, row_count, imported_by) "
    "VALUES (1, 0, 'bench', 0, 'bench')";
constexpr char kFillRegister[] =
    "INSERT INTO register_entries (version, institution_code, name, postal_code, address, "
    "category, billing_method) SELECT DISTINCT 1, institution_code, 'n', '1000001', 'a', '1', "
    "CASE WHEN CAST(institution_code AS BIGINT) % 10 = 0 THEN 'invoice' ELSE 'deduction' END "
    "FROM applications";

double Seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: ledger_read_bench URL [charges]\n");
    return 2;
  }
  const int64_t charges = argc > 2 ? std::stoll(argv[2]) : 1'000'000;
  auto store = store::OpenStore(argv[1]);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  Status st = (*store)->Migrate();
  auto t0 = std::chrono::steady_clock::now();
  if (st.ok()) {
    st = store::RunInTransaction(**store, [&](store::SqlTx& tx) -> Status {
      RETURN_IF_ERROR(tx.Exec(kFillApplications, {charges}).status());
      RETURN_IF_ERROR(tx.Exec(kFillCharges).status());
      RETURN_IF_ERROR(tx.Exec(kFillRegisterVersion).status());
      return tx.Exec(kFillRegister).status();
    });
  }
  if (!st.ok()) {
    std::fprintf(stderr, "fill: %s\n", st.ToString().c_str());
    return 1;
  }
  std::printf("backend=%s charges=%lld fill_s=%.1f\n", std::string((*store)->Backend()).c_str(),
              static_cast<long long>(charges), Seconds(t0));

  t0 = std::chrono::steady_clock::now();
  int64_t n = 0, yen = 0;
  std::set<std::string> codes;
  const billing::LedgerSource source = billing::MakeLedgerSource();
  const billing::YearMonth month(std::chrono::year(2027), std::chrono::month(1));
  st = store::RunRead(**store, [&](store::SqlTx& tx) {
    return source.for_each_charge(tx, month, [&](const billing::ChargeItem& c) {
      ++n;
      yen += c.amount_yen;
      codes.insert(codes.end(), c.institution_code);
      return Status::Ok();
    });
  });
  const double read_s = Seconds(t0);
  t0 = std::chrono::steady_clock::now();
  size_t methods = 0;
  if (st.ok()) {
    st = store::RunRead(**store, [&](store::SqlTx& tx) -> Status {
      ASSIGN_OR_RETURN(auto m, source.methods_in_force(tx, month, codes));
      methods = m.size();
      return Status::Ok();
    });
  }
  if (!st.ok()) {
    std::fprintf(stderr, "read: %s\n", st.ToString().c_str());
    return 1;
  }
  std::printf(
      "entries=%lld institutions=%zu yen=%lld read_month_s=%.2f methods=%zu methods_s=%.2f\n",
      static_cast<long long>(n), codes.size(), static_cast<long long>(yen), read_s, methods,
      Seconds(t0));
  return 0;
}
