#include "billing/ledger_store.h"

#include <utility>

#include "billing/month.h"
#include "common/time_util.h"

namespace claimsca::billing {
namespace {

using store::SqlRow;
using store::SqlTx;

// The columns ReadEntry reads, from fee_charges f joined to applications a.
#define CLAIMSCA_LEDGER_COLUMNS                                                         \
  "f.entry_id, f.request_id, f.institution_code, f.program, f.kind, f.charge_date, "    \
  "f.billing_month, f.issuance_fee_yen, f.mailing_fee_yen, f.total_yen, f.created_at, " \
  "f.serial, f.cancels_entry_id, f.reason, a.terminal_name FROM fee_charges f JOIN "    \
  "applications a ON a.request_id = f.request_id "

constexpr char kEntriesOfMonth[] =
    "SELECT " CLAIMSCA_LEDGER_COLUMNS
    "WHERE f.billing_month = $1 ORDER BY f.institution_code, f.entry_id";
constexpr char kEntries[] = "SELECT " CLAIMSCA_LEDGER_COLUMNS
                            "WHERE ($1 = '' OR f.billing_month = $1) AND "
                            "($2 = '' OR f.institution_code = $2) ORDER BY f.entry_id";
constexpr char kEntriesOfInstitution[] =
    "SELECT " CLAIMSCA_LEDGER_COLUMNS
    "WHERE f.institution_code = $1 AND ($2 = 0 OR f.entry_id < $2) "
    "ORDER BY f.entry_id DESC LIMIT $3";
#undef CLAIMSCA_LEDGER_COLUMNS

constexpr char kNetOfCertificate[] =
    "SELECT coalesce(sum(total_yen), 0) FROM fee_charges WHERE request_id = $1 AND serial = $2";

// The change in force: the latest effective in or before the month.
constexpr char kMethodChange[] =
    "SELECT method FROM billing_method_changes WHERE institution_code = $1 AND "
    "effective_month <= $2 ORDER BY effective_month DESC, id DESC LIMIT 1";
constexpr char kRegisterMethod[] =
    "SELECT billing_method FROM register_entries WHERE institution_code = $1 AND "
    "version = (SELECT max(version) FROM register_versions)";
// Bulk: every change effective by the month, so that the last per code is the one in force.
constexpr char kMethodChanges[] =
    "SELECT institution_code, method FROM billing_method_changes WHERE effective_month <= $1 "
    "ORDER BY institution_code, effective_month, id";
constexpr char kRegisterMethods[] =
    "SELECT institution_code, billing_method FROM register_entries "
    "WHERE version = (SELECT max(version) FROM register_versions)";

Result<LedgerEntry> ReadEntry(const SqlRow& r) {
  LedgerEntry e;
  ASSIGN_OR_RETURN(e.entry_id, r.Int(0));
  ASSIGN_OR_RETURN(e.request_id, r.Text(1));
  ASSIGN_OR_RETURN(e.institution_code, r.Text(2));
  ASSIGN_OR_RETURN(e.program, r.Text(3));
  ASSIGN_OR_RETURN(e.kind, r.Text(4));
  ASSIGN_OR_RETURN(e.charge_date, r.Text(5));
  ASSIGN_OR_RETURN(e.billing_month, r.Text(6));
  ASSIGN_OR_RETURN(e.issuance_fee_yen, r.Int(7));
  ASSIGN_OR_RETURN(e.mailing_fee_yen, r.Int(8));
  ASSIGN_OR_RETURN(e.total_yen, r.Int(9));
  ASSIGN_OR_RETURN(int64_t created, r.Int(10));
  e.created_at = Instant(std::chrono::seconds(created));
  ASSIGN_OR_RETURN(e.serial, r.Text(11));
  ASSIGN_OR_RETURN(e.cancels_entry_id, r.OptInt(12));
  ASSIGN_OR_RETURN(e.reason, r.Text(13));
  ASSIGN_OR_RETURN(e.terminal_name, r.Text(14));
  return e;
}

std::function<Status(const SqlRow&)> Reader(const std::function<Status(const LedgerEntry&)>& fn) {
  return [&fn](const SqlRow& r) -> Status {
    ASSIGN_OR_RETURN(LedgerEntry e, ReadEntry(r));
    return fn(e);
  };
}

Result<domain::BillingMethod> ParseMethod(const std::string& code, const std::string& name) {
  std::optional<domain::BillingMethod> m = domain::ParseBillingMethod(name);
  if (!m) return Internal("billing method of " + code + ": unknown \"" + name + "\"");
  return *m;
}

}  // namespace

Status ForEachEntryOfMonth(SqlTx& tx, std::string_view month,
                           const std::function<Status(const LedgerEntry&)>& fn) {
  RETURN_IF_ERROR(ParseMonth(month).status());
  return tx.QueryEach(kEntriesOfMonth, {month}, Reader(fn));
}

Status ForEachEntry(SqlTx& tx, std::string_view month, std::string_view institution_code,
                    const std::function<Status(const LedgerEntry&)>& fn) {
  if (!month.empty()) RETURN_IF_ERROR(ParseMonth(month).status());
  return tx.QueryEach(kEntries, {month, institution_code}, Reader(fn));
}

Result<LedgerPage> EntriesOfInstitution(SqlTx& tx, std::string_view institution_code,
                                        int64_t before_entry_id, int limit) {
  if (limit < 1 || limit > 500) return InvalidArgument("ledger page: limit must be 1..500");
  if (before_entry_id < 0) return InvalidArgument("ledger page: before must not be negative");
  LedgerPage page;
  RETURN_IF_ERROR(tx.QueryEach(kEntriesOfInstitution,
                               {institution_code, before_entry_id, int64_t{limit} + 1},
                               Reader([&page](const LedgerEntry& e) {
                                 page.entries.push_back(e);
                                 return Status::Ok();
                               })));
  if (page.entries.size() > static_cast<size_t>(limit)) {
    page.entries.pop_back();
    page.next_before = page.entries.back().entry_id;
  }
  return page;
}

Result<int64_t> NetYenOfCertificate(SqlTx& tx, std::string_view request_id,
                                    std::string_view serial) {
  ASSIGN_OR_RETURN(std::optional<SqlRow> r, tx.QueryFirst(kNetOfCertificate, {request_id, serial}));
  if (!r) return Internal("ledger: sum returned no row");
  return r->Int(0);
}

Result<std::optional<domain::BillingMethod>> MethodInForce(SqlTx& tx,
                                                           std::string_view institution_code,
                                                           std::string_view month) {
  RETURN_IF_ERROR(ParseMonth(month).status());
  const std::string code(institution_code);
  ASSIGN_OR_RETURN(std::optional<SqlRow> change, tx.QueryFirst(kMethodChange, {code, month}));
  if (!change) {
    ASSIGN_OR_RETURN(change, tx.QueryFirst(kRegisterMethod, {code}));
  }
  if (!change) return std::optional<domain::BillingMethod>();
  ASSIGN_OR_RETURN(std::string name, change->Text(0));
  ASSIGN_OR_RETURN(domain::BillingMethod m, ParseMethod(code, name));
  return std::optional<domain::BillingMethod>(m);
}

Result<std::map<std::string, domain::BillingMethod>> MethodsInForce(
    SqlTx& tx, std::string_view month, const std::set<std::string>& codes) {
  RETURN_IF_ERROR(ParseMonth(month).status());
  std::map<std::string, domain::BillingMethod> out;
  // The register first; a change overrides it (the last change per code wins).
  auto collect = [&](const SqlRow& r) -> Status {
    ASSIGN_OR_RETURN(std::string code, r.Text(0));
    if (!codes.contains(code)) return Status::Ok();
    ASSIGN_OR_RETURN(std::string name, r.Text(1));
    ASSIGN_OR_RETURN(domain::BillingMethod m, ParseMethod(code, name));
    out[code] = m;
    return Status::Ok();
  };
  RETURN_IF_ERROR(tx.QueryEach(kRegisterMethods, {}, collect));
  RETURN_IF_ERROR(tx.QueryEach(kMethodChanges, {month}, collect));
  return out;
}

LedgerSource MakeLedgerSource() {
  LedgerSource s;
  s.for_each_charge = [](SqlTx& tx, YearMonth month,
                         const std::function<Status(const ChargeItem&)>& fn) -> Status {
    return ForEachEntryOfMonth(tx, FormatMonth(month), [&fn](const LedgerEntry& e) -> Status {
      ChargeItem c;
      c.entry_id = e.entry_id;
      c.institution_code = e.institution_code;
      c.certificate_ref = e.serial.empty() ? e.request_id : e.serial;
      c.amount_yen = e.total_yen;
      ASSIGN_OR_RETURN(Instant day, ParseInstant(e.charge_date));
      c.charge_date = JstDate(day);
      c.request_id = e.request_id;
      c.terminal_name = e.terminal_name;
      c.kind = e.kind;
      c.mailing_yen = e.mailing_fee_yen;
      return fn(c);
    });
  };
  s.methods_in_force = [](SqlTx& tx, YearMonth month, const std::set<std::string>& codes) {
    return MethodsInForce(tx, FormatMonth(month), codes);
  };
  return s;
}

}  // namespace claimsca::billing
