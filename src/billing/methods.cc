#include "billing/methods.h"

#include <map>
#include <set>
#include <utility>

#include "billing/ledger_store.h"
#include "billing/month.h"
#include "common/time_util.h"
#include "domain/category.h"
#include "store/module_sql.h"

namespace claimsca::billing {
namespace {

using store::SqlRow;
using store::SqlTx;

constexpr char kRegisterCategories[] =
    "SELECT institution_code, category FROM register_entries "
    "WHERE version = (SELECT max(version) FROM register_versions)";
constexpr char kInsertChange[] =
    "INSERT INTO billing_method_changes (institution_code, method, effective_month, "
    "changed_by, at, source) VALUES ($1, $2, $3, $4, $5, $6)";

bool IsCode(std::string_view s) {
  if (s.size() != 8 && s.size() != 10) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::string Where(int line, std::string_view field) {
  return (line > 0 ? "line " + std::to_string(line) + ", " : std::string()) + std::string(field);
}

// Keeps what is safe inside a JSON string without escaping.
std::string Plain(std::string_view s) {
  std::string out;
  for (char c : s) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    c == '.' || c == '-' || c == '_' || c == ':' || c == '/';
    out += ok ? c : '_';
  }
  return out;
}

}  // namespace

Result<std::vector<MethodRow>> ParseMethodsCsv(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::vector<MethodRow> rows;
  std::vector<std::string> errors;
  std::set<std::string> seen;
  int line = 0;
  size_t pos = 0;
  bool header = false;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    std::string_view l = text.substr(pos, end == std::string_view::npos ? end : end - pos);
    pos = end == std::string_view::npos ? text.size() : end + 1;
    ++line;
    if (l.ends_with('\r')) l.remove_suffix(1);
    if (!header) {
      if (l != kMethodsCsvHeader) {
        return InvalidArgument("line 1: the header must be \"" + std::string(kMethodsCsvHeader) +
                               "\"");
      }
      header = true;
      continue;
    }
    if (l.empty()) continue;
    const size_t comma = l.find(',');
    if (comma == std::string_view::npos || l.find(',', comma + 1) != std::string_view::npos) {
      errors.push_back(Where(line, "row") +
                       ": 2 fields expected (institution_code,billing_method)");
      continue;
    }
    MethodRow r{line, std::string(l.substr(0, comma)), std::string(l.substr(comma + 1))};
    bool ok = true;
    if (!IsCode(r.institution_code)) {
      errors.push_back(Where(line, "institution_code") + ": 8 or 10 ASCII digits expected");
      ok = false;
    } else if (!seen.insert(r.institution_code).second) {
      errors.push_back(Where(line, "institution_code") + ": " + r.institution_code +
                       " is given twice");
      ok = false;
    }
    if (!domain::ParseBillingMethod(r.method)) {
      errors.push_back(Where(line, "billing_method") + ": \"deduction\" or \"invoice\" expected");
      ok = false;
    }
    if (ok) rows.push_back(std::move(r));
  }
  if (!header)
    return InvalidArgument("line 1: the header must be \"" + std::string(kMethodsCsvHeader) + "\"");
  if (!errors.empty()) {
    std::string msg = "billing methods file refused, nothing imported:";
    for (const auto& e : errors) msg += "\n" + e;
    return InvalidArgument(msg);
  }
  if (rows.empty()) return InvalidArgument("billing methods file has no rows");
  return rows;
}

Result<MethodsReport> ApplyMethods(store::Store& store, const std::vector<MethodRow>& rows,
                                   std::string_view actor, std::string_view source, Instant at) {
  if (actor.empty() || source.empty()) return InvalidArgument("billing methods: actor and source");
  const Date today = JstDate(at);
  MethodsReport report;
  report.effective_month =
      FormatMonth(YearMonth(today.year(), today.month()) + std::chrono::months(1));
  report.rows = static_cast<int>(rows.size());
  std::set<std::string> codes;
  for (const MethodRow& r : rows) codes.insert(r.institution_code);
  Status st = store::RunInTransaction(store, [&](SqlTx& tx) -> Status {
    report.changed = report.unchanged = 0;
    std::map<std::string, std::string> category;
    RETURN_IF_ERROR(tx.QueryEach(kRegisterCategories, {}, [&](const SqlRow& row) -> Status {
      ASSIGN_OR_RETURN(std::string code, row.Text(0));
      if (!codes.contains(code)) return Status::Ok();
      ASSIGN_OR_RETURN(category[code], row.Text(1));
      return Status::Ok();
    }));
    ASSIGN_OR_RETURN(auto in_force, MethodsInForce(tx, report.effective_month, codes));
    std::vector<std::string> errors;
    std::vector<const MethodRow*> changes;
    for (const MethodRow& r : rows) {
      std::optional<domain::BillingMethod> method = domain::ParseBillingMethod(r.method);
      if (!method || !IsCode(r.institution_code)) {
        errors.push_back(Where(r.line, "row") + ": malformed");
        continue;
      }
      auto cat = category.find(r.institution_code);
      if (cat == category.end()) {
        errors.push_back(Where(r.line, "institution_code") +
                         ": not_registered: " + r.institution_code +
                         " は医療機関等マスタにありません (not in the register)");
        continue;
      }
      std::optional<domain::Category> c = domain::FindCategory(cat->second);
      if (!c) {
        errors.push_back(Where(r.line, "institution_code") + ": the register's category \"" +
                         cat->second + "\" is unknown");
        continue;
      }
      if (!domain::IsBillingMethodAllowed(*c, *method)) {
        errors.push_back(Where(r.line, "billing_method") + ": deduction_not_allowed: 分類「" +
                         std::string(c->label_ja) +
                         "」は払込請求書のみです。診療報酬からの控除は選べません (category " +
                         std::string(c->code) + " is invoice only)");
        continue;
      }
      auto now = in_force.find(r.institution_code);
      if (now != in_force.end() && now->second == *method) {
        ++report.unchanged;
        continue;
      }
      changes.push_back(&r);
    }
    if (!errors.empty()) {
      std::string msg = "billing methods refused, nothing changed:";
      for (const auto& e : errors) msg += "\n" + e;
      return InvalidArgument(msg);
    }
    const int64_t unix = at.time_since_epoch().count();
    for (const MethodRow* r : changes) {
      RETURN_IF_ERROR(tx.Exec(kInsertChange, {r->institution_code, r->method,
                                              report.effective_month, actor, unix, source})
                          .status());
    }
    // Audit last (PostgreSQL takes the chain's lock there), one row per change.
    for (const MethodRow* r : changes) {
      store::AuditEvent e{at, std::string(actor), "billing.method.change", r->institution_code,
                          "{\"method\":\"" + r->method + "\",\"effective_month\":\"" +
                              report.effective_month + "\",\"source\":\"" + Plain(source) + "\"}"};
      RETURN_IF_ERROR(tx.AppendAudit(e));
    }
    report.changed = static_cast<int>(changes.size());
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return report;
}

Result<MethodsReport> SetMethod(store::Store& store, std::string_view institution_code,
                                std::string_view method, std::string_view actor, Instant at) {
  if (!IsCode(institution_code)) {
    return InvalidArgument("institution_code: 8 or 10 ASCII digits expected");
  }
  if (!domain::ParseBillingMethod(method)) {
    return InvalidArgument("billing_method: \"deduction\" or \"invoice\" expected");
  }
  return ApplyMethods(store, {{0, std::string(institution_code), std::string(method)}}, actor,
                      "cli", at);
}

}  // namespace claimsca::billing
