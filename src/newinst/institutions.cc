#include "newinst/institutions.h"

#include <nlohmann/json.hpp>

#include "domain/category.h"
#include "domain/codes.h"
#include "newinst/deadlines.h"
#include "store/module_sql.h"
#include "store/store.h"

namespace claimsca::newinst {
namespace {

using store::SqlRow;
using store::SqlTx;

#define NEWINST_COLUMNS                                                               \
  "provisional_code, prefecture, score_table, category, name, postal_code, address, " \
  "billing_method, email, opening_month, state, reception_number, presented_at, "     \
  "presented_late, real_code, designated_at, withdrawn_at, withdrawn_by, created_at, created_by "

constexpr char kByProvisional[] =
    "SELECT " NEWINST_COLUMNS "FROM newinst_institutions WHERE provisional_code = $1";
constexpr char kByReception[] =
    "SELECT " NEWINST_COLUMNS "FROM newinst_institutions WHERE reception_number = $1";
constexpr char kByReal[] =
    "SELECT " NEWINST_COLUMNS "FROM newinst_institutions WHERE real_code = $1";
constexpr char kByAny[] = "SELECT " NEWINST_COLUMNS
                          "FROM newinst_institutions WHERE provisional_code = $1 "
                          "OR reception_number = $1 OR real_code = $1 ORDER BY created_at LIMIT 1";
constexpr char kListAll[] =
    "SELECT " NEWINST_COLUMNS "FROM newinst_institutions ORDER BY opening_month, provisional_code";
constexpr char kListState[] = "SELECT " NEWINST_COLUMNS
                              "FROM newinst_institutions WHERE state = $1 "
                              "ORDER BY opening_month, provisional_code";
// The highest serial of a prefecture + 点数表: digits 6–9 of the 仮コード.
constexpr char kMaxSerial[] =
    "SELECT max(substr(provisional_code, 6, 4)) FROM newinst_institutions "
    "WHERE prefecture = $1 AND score_table = $2";
constexpr char kInsert[] =
    "INSERT INTO newinst_institutions (provisional_code, prefecture, score_table, category, "
    "name, postal_code, address, billing_method, email, opening_month, state, created_at, "
    "created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'provisional', $11, $12)";
// The imported register only (its current version), not the fallback of FindInRegister.
constexpr char kInRegister[] =
    "SELECT 1 FROM register_entries WHERE institution_code = $1 "
    "AND version = (SELECT max(version) FROM register_versions)";
constexpr char kCodeUsed[] =
    "SELECT provisional_code FROM newinst_institutions WHERE provisional_code <> $2 AND "
    "(reception_number = $1 OR real_code = $1 OR provisional_code = $1)";
constexpr char kPresent[] =
    "UPDATE newinst_institutions SET state = 'presented', reception_number = $2, "
    "presented_at = $3, presented_late = $4 WHERE provisional_code = $1 AND state = 'provisional'";
// Every account holding the 仮コード also gets the 受付番号.
constexpr char kAddToAccounts[] =
    "INSERT INTO account_institutions (account_id, institution_code) "
    "SELECT account_id, $2 FROM account_institutions WHERE institution_code = $1 "
    "ON CONFLICT DO NOTHING";

#undef NEWINST_COLUMNS

int64_t Seconds(Instant t) { return t.time_since_epoch().count(); }
std::optional<Instant> OptInstant(const std::optional<int64_t>& s) {
  if (!s) return std::nullopt;
  return Instant(std::chrono::seconds(*s));
}

Result<Institution> FromRow(const SqlRow& r) {
  Institution in;
  ASSIGN_OR_RETURN(in.provisional_code, r.Text(0));
  ASSIGN_OR_RETURN(in.prefecture, r.Text(1));
  ASSIGN_OR_RETURN(in.score_table, r.Text(2));
  ASSIGN_OR_RETURN(in.category, r.Text(3));
  ASSIGN_OR_RETURN(in.name, r.Text(4));
  ASSIGN_OR_RETURN(in.postal_code, r.Text(5));
  ASSIGN_OR_RETURN(in.address, r.Text(6));
  ASSIGN_OR_RETURN(in.billing_method, r.Text(7));
  ASSIGN_OR_RETURN(in.email, r.Text(8));
  ASSIGN_OR_RETURN(in.opening_month, r.Text(9));
  ASSIGN_OR_RETURN(std::string state, r.Text(10));
  const std::optional<State> s = ParseState(state);
  if (!s) return Internal("newinst_institutions: unknown state " + state);
  in.state = *s;
  ASSIGN_OR_RETURN(in.reception_number, r.OptText(11));
  ASSIGN_OR_RETURN(std::optional<int64_t> presented_at, r.OptInt(12));
  in.presented_at = OptInstant(presented_at);
  ASSIGN_OR_RETURN(int64_t late, r.Int(13));
  in.presented_late = late != 0;
  ASSIGN_OR_RETURN(in.real_code, r.OptText(14));
  ASSIGN_OR_RETURN(std::optional<int64_t> designated_at, r.OptInt(15));
  in.designated_at = OptInstant(designated_at);
  ASSIGN_OR_RETURN(std::optional<int64_t> withdrawn_at, r.OptInt(16));
  in.withdrawn_at = OptInstant(withdrawn_at);
  ASSIGN_OR_RETURN(in.withdrawn_by, r.OptText(17));
  ASSIGN_OR_RETURN(int64_t created_at, r.Int(18));
  in.created_at = Instant(std::chrono::seconds(created_at));
  ASSIGN_OR_RETURN(in.created_by, r.Text(19));
  return in;
}

Status Bad(std::string_view field, std::string_view message) {
  return InvalidArgument(std::string(field) + ": " + std::string(message));
}

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

// Checks the operator's entry; normalises the postal code.
Result<NewInstitution> Validated(NewInstitution in, Instant now) {
  const int pref =
      AllDigits(in.prefecture) && in.prefecture.size() == 2 ? std::stoi(in.prefecture) : 0;
  if (pref < 1 || pref > 47) return Bad("prefecture", "都道府県番号は 01〜47 の2桁です");
  const std::optional<domain::Category> cat = domain::FindCategory(in.category);
  if (!domain::FindScoreTable(in.score_table)) {
    return Bad("score_table", "点数表は 1, 3, 4, 6, 7 のいずれかです");
  }
  if (!cat || cat->code_field != domain::CodeField::kFacilityCode) {
    return Bad("category", "医療機関コードを持つ分類を選んでください");
  }
  if (cat->score_table != in.score_table) {
    return Bad("category", "分類と点数表が合いません (分類 " + in.category + " は点数表 " +
                               std::string(cat->score_table) + ")");
  }
  const std::optional<domain::BillingMethod> method = domain::ParseBillingMethod(in.billing_method);
  if (!method || !domain::IsBillingMethodAllowed(*cat, *method)) {
    return Bad("billing_method", "この分類では選べない請求方法です");
  }
  if (in.name.empty() || in.name.size() > 400) return Bad("name", "名称を入力してください");
  std::string postal;
  for (char c : in.postal_code) {
    if (c != '-') postal += c;
  }
  if (postal.size() != 7 || !AllDigits(postal)) {
    return Bad("postal_code", "郵便番号は7桁の数字です");
  }
  in.postal_code = postal;
  if (in.address.empty() || in.address.size() > 400) {
    return Bad("address", "所在地を入力してください");
  }
  ASSIGN_OR_RETURN(YearMonth opening, ParseOpeningMonth(in.opening_month));
  const Date today = JstDate(now);
  if (opening < YearMonth{today.year(), today.month()}) {
    return Bad("opening_month", "診療開始月が過去の月です");
  }
  in.opening_month = FormatOpeningMonth(opening);
  if (!in.email.empty() && (in.email.find('@') == std::string::npos || in.email.size() > 254 ||
                            in.email.find_first_of(" \r\n<>,;") != std::string::npos)) {
    return Bad("email", "メールアドレスの形式が正しくありません");
  }
  return in;
}

}  // namespace

Result<Institution> InstitutionStore::Issue(const NewInstitution& entry, std::string_view by,
                                            Instant now) {
  ASSIGN_OR_RETURN(NewInstitution in, Validated(entry, now));
  std::string code;
  const Status st = store::RunInTransaction(store_, [&](SqlTx& tx) -> Status {
    RETURN_IF_ERROR(tx.Lock("newinst.serial." + in.prefecture + in.score_table));
    ASSIGN_OR_RETURN(std::optional<SqlRow> max,
                     tx.QueryFirst(kMaxSerial, {in.prefecture, in.score_table}));
    ASSIGN_OR_RETURN(std::optional<std::string> last, max->OptText(0));
    const int serial = last ? std::stoi(*last) + 1 : 1;
    const std::optional<std::string> facility =
        domain::MakeProvisionalFacilityCode(in.prefecture, in.score_table, serial);
    if (!facility) {
      return FailedPrecondition("no provisional serial left for prefecture " + in.prefecture +
                                " score table " + in.score_table);
    }
    code = in.prefecture + in.score_table + *facility;
    ASSIGN_OR_RETURN(int64_t n,
                     tx.Exec(kInsert, {code, in.prefecture, in.score_table, in.category, in.name,
                                       in.postal_code, in.address, in.billing_method, in.email,
                                       in.opening_month, Seconds(now), by}));
    if (n != 1) return Internal("newinst issue: insert wrote " + std::to_string(n) + " rows");
    return tx.AppendAudit(store::AuditEvent{
        now, std::string(by), "newinst.issue", code,
        nlohmann::json{{"opening_month", in.opening_month}, {"name", in.name}}.dump()});
  });
  if (!st.ok()) return st;
  return FindByProvisional(code);
}

Result<Institution> InstitutionStore::FindOne(const char* sql, std::string_view code,
                                              std::string_view what) {
  std::optional<Institution> found;
  RETURN_IF_ERROR(store::RunRead(store_, [&](SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(std::optional<SqlRow> row, tx.QueryFirst(sql, {code}));
    if (!row) return Status::Ok();
    ASSIGN_OR_RETURN(found, FromRow(*row));
    return Status::Ok();
  }));
  if (!found)
    return NotFound("no new institution with " + std::string(what) + " " + std::string(code));
  return *std::move(found);
}

Result<Institution> InstitutionStore::FindByProvisional(std::string_view code) {
  return FindOne(kByProvisional, code, "provisional code");
}
Result<Institution> InstitutionStore::FindByReception(std::string_view code) {
  return FindOne(kByReception, code, "reception number");
}
Result<Institution> InstitutionStore::FindByRealCode(std::string_view code) {
  return FindOne(kByReal, code, "real code");
}
Result<Institution> InstitutionStore::FindByAnyCode(std::string_view code) {
  return FindOne(kByAny, code, "code");
}

Result<std::optional<Institution>> InstitutionStore::FindIn(SqlTx& tx, std::string_view code) {
  ASSIGN_OR_RETURN(std::optional<SqlRow> row, tx.QueryFirst(kByAny, {code}));
  if (!row) return std::optional<Institution>();
  ASSIGN_OR_RETURN(Institution in, FromRow(*row));
  return std::optional<Institution>(std::move(in));
}

Result<std::vector<Institution>> InstitutionStore::List(std::optional<State> state) {
  std::vector<Institution> out;
  RETURN_IF_ERROR(store::RunRead(store_, [&](SqlTx& tx) -> Status {
    const auto add = [&](const SqlRow& r) -> Status {
      ASSIGN_OR_RETURN(Institution in, FromRow(r));
      out.push_back(std::move(in));
      return Status::Ok();
    };
    if (state) return tx.QueryEach(kListState, {std::string(Name(*state))}, add);
    return tx.QueryEach(kListAll, {}, add);
  }));
  return out;
}

Result<Institution> InstitutionStore::Present(std::string_view provisional_code,
                                              std::string_view reception_number,
                                              std::string_view by, Instant now) {
  const std::string number(reception_number);
  if (number.size() != 10 || !AllDigits(number) || !domain::InstitutionCodeOk(number)) {
    return Bad("reception_number",
               "受付番号は10桁の医療機関等コードです (検証番号を確認してください)");
  }
  const Status st = store::RunInTransaction(store_, [&](SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(std::optional<SqlRow> row, tx.QueryFirst(kByProvisional, {provisional_code}));
    if (!row)
      return NotFound("no new institution with provisional code " + std::string(provisional_code));
    ASSIGN_OR_RETURN(Institution in, FromRow(*row));
    if (in.state == State::kPresented && in.reception_number == number) return Status::Ok();
    if (in.state != State::kProvisional) {
      return FailedPrecondition("仮コード " + in.provisional_code + " は" +
                                std::string(JapaneseName(in.state)) +
                                "です。受付番号は登録できません");
    }
    if (number.substr(0, 3) != in.provisional_code.substr(0, 3)) {
      return Bad("reception_number", "受付番号の都道府県・点数表が仮コード (" +
                                         in.provisional_code.substr(0, 3) + ") と一致しません");
    }
    ASSIGN_OR_RETURN(std::optional<SqlRow> reg, tx.QueryFirst(kInRegister, {number}));
    if (reg) return Bad("reception_number", "この受付番号は既に医療機関等マスタに登録されています");
    ASSIGN_OR_RETURN(std::optional<SqlRow> used,
                     tx.QueryFirst(kCodeUsed, {number, in.provisional_code}));
    if (used) return Bad("reception_number", "この受付番号は別の仮コードで使われています");
    ASSIGN_OR_RETURN(YearMonth opening, ParseOpeningMonth(in.opening_month));
    const bool late = JstDate(now) > DeadlinesFor(opening).presentation;
    ASSIGN_OR_RETURN(int64_t n, tx.Exec(kPresent, {in.provisional_code, number, Seconds(now),
                                                   int64_t{late ? 1 : 0}}));
    if (n != 1) return Internal("newinst present: update wrote " + std::to_string(n) + " rows");
    RETURN_IF_ERROR(tx.Exec(kAddToAccounts, {in.provisional_code, number}).status());
    return tx.AppendAudit(
        store::AuditEvent{now, std::string(by), "newinst.present", in.provisional_code,
                          nlohmann::json{{"reception_number", number}, {"late", late}}.dump()});
  });
  if (!st.ok()) return st;
  return FindByProvisional(provisional_code);
}

}  // namespace claimsca::newinst
