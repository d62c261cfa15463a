#include "newinst/designations.h"

#include <map>
#include <optional>

#include "billing/ledger_move.h"
#include "crypto/ossl.h"
#include "domain/codes.h"
#include "domain/normalize.h"
#include "store/module_sql.h"
#include "store/store.h"

namespace claimsca::newinst {
namespace {

using Kind = DesignationOutcome::Kind;

#define NEWINST_COLUMNS \
  "provisional_code, prefecture, score_table, name, state, reception_number, real_code"
constexpr char kByReception[] =
    "SELECT " NEWINST_COLUMNS " FROM newinst_institutions WHERE reception_number = $1";
constexpr char kByProvisional[] =
    "SELECT " NEWINST_COLUMNS " FROM newinst_institutions WHERE provisional_code = $1";
constexpr char kRegisterName[] =
    "SELECT name FROM register_entries WHERE institution_code = $1 AND version = "
    "(SELECT max(version) FROM register_versions)";
constexpr char kOtherNewinst[] =
    "SELECT provisional_code FROM newinst_institutions WHERE (real_code = $1 OR reception_number = "
    "$1) "
    "AND provisional_code <> $2";
constexpr char kInAccounts[] =
    "SELECT account_id FROM account_institutions WHERE institution_code = $1";
constexpr char kInApplications[] =
    "SELECT request_id FROM applications WHERE institution_code = $1";
constexpr char kDesignate[] =
    "UPDATE newinst_institutions SET state = 'designated', real_code = $2, designated_at = $3 "
    "WHERE provisional_code = $1 AND state IN ('provisional', 'presented')";
constexpr char kAccountsCopy[] =
    "INSERT INTO account_institutions (account_id, institution_code) SELECT account_id, $2 "
    "FROM account_institutions WHERE institution_code = $1 ON CONFLICT DO NOTHING";
constexpr char kAccountsDrop[] = "DELETE FROM account_institutions WHERE institution_code = $1";
constexpr char kApplications[] =
    "UPDATE applications SET institution_code = $2, facility_code = $3 WHERE institution_code = $1";
constexpr char kLogImport[] =
    "INSERT INTO newinst_imports (file_name, file_sha256, rows_total, swapped, imported_at, "
    "imported_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING import_id";
constexpr char kLogSwap[] =
    "INSERT INTO newinst_swaps (provisional_code, import_id, file_row, reception_number, "
    "real_code, designated_on, swapped_at, charges_moved, applications, accounts) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

struct Newinst {
  std::string provisional_code, prefecture, score_table, name, state;
  std::optional<std::string> reception_number, real_code;
};

Result<std::optional<Newinst>> FindNewinst(store::SqlTx& tx, const char* sql,
                                           const std::string& key) {
  if (key.empty()) return std::optional<Newinst>();
  ASSIGN_OR_RETURN(std::optional<store::SqlRow> r, tx.QueryFirst(sql, {key}));
  if (!r) return std::optional<Newinst>();
  Newinst n;
  ASSIGN_OR_RETURN(n.provisional_code, r->Text(0));
  ASSIGN_OR_RETURN(n.prefecture, r->Text(1));
  ASSIGN_OR_RETURN(n.score_table, r->Text(2));
  ASSIGN_OR_RETURN(n.name, r->Text(3));
  ASSIGN_OR_RETURN(n.state, r->Text(4));
  ASSIGN_OR_RETURN(n.reception_number, r->OptText(5));
  ASSIGN_OR_RETURN(n.real_code, r->OptText(6));
  return std::optional<Newinst>(std::move(n));
}

Result<bool> Exists(store::SqlTx& tx, const char* sql, const store::SqlParams& params) {
  ASSIGN_OR_RETURN(std::optional<store::SqlRow> r, tx.QueryFirst(sql, params));
  return r.has_value();
}

std::string Json(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (static_cast<unsigned char>(c) >= 0x20) out.push_back(c);
  }
  return out + "\"";
}

// The checks of one row against the database; fills `o` (kind, codes, refusal).
class RowChecker {
 public:
  explicit RowChecker(store::SqlTx& tx) : tx_(tx) {}

  Status Check(const DesignationRow& r, DesignationOutcome& o) {
    o.row = r.row;
    o.real_code = r.real_code;
    o.name = r.name;
    o.kind = Kind::kRefused;
    if (!r.problem_code.empty()) return Refuse(o, r.problem_code, r.problem_ja);
    if (!domain::InstitutionCodeOk(r.real_code)) {
      return Refuse(o, "bad_check_digit",
                    "医療機関等コード「" + r.real_code + "」の検証番号が正しくありません");
    }
    if (r.prefecture != r.real_code.substr(0, 2) || r.score_table != r.real_code.substr(2, 1)) {
      return Refuse(o, "code_contradicts_row",
                    "都道府県「" + r.prefecture + "」・点数表「" + r.score_table +
                        "」が医療機関等コード「" + r.real_code + "」と合いません");
    }
    if (auto it = seen_codes_.find(r.real_code); it != seen_codes_.end()) {
      return Refuse(o, "duplicate_row",
                    std::to_string(it->second) + "行目と同じ医療機関等コード「" + r.real_code +
                        "」の行が重複しています");
    }
    seen_codes_[r.real_code] = r.row;

    ASSIGN_OR_RETURN(std::optional<Newinst> by_reception,
                     FindNewinst(tx_, kByReception, r.reception_number));
    ASSIGN_OR_RETURN(std::optional<Newinst> by_provisional,
                     FindNewinst(tx_, kByProvisional, r.provisional_code));
    if (by_reception && by_provisional &&
        by_reception->provisional_code != by_provisional->provisional_code) {
      return Refuse(o, "matches_twice",
                    "受付番号「" + r.reception_number + "」と仮コード「" + r.provisional_code +
                        "」が別々の新規開設の登録（" + by_reception->provisional_code + "、" +
                        by_provisional->provisional_code + "）に当たります");
    }
    const std::optional<Newinst>& n = by_reception ? by_reception : by_provisional;
    if (!n) {
      return Refuse(o, "no_match",
                    "受付番号「" + r.reception_number + "」・仮コード「" + r.provisional_code +
                        "」に当たる新規開設の登録がありません");
    }
    o.provisional_code = n->provisional_code;
    o.reception_number = n->reception_number.value_or("");
    if (auto it = seen_newinst_.find(n->provisional_code); it != seen_newinst_.end()) {
      return Refuse(o, "matches_twice",
                    std::to_string(it->second) + "行目と同じ新規開設の登録（仮コード「" +
                        n->provisional_code + "」）に当たります");
    }
    seen_newinst_[n->provisional_code] = r.row;
    if (!r.reception_number.empty() && n->reception_number &&
        *n->reception_number != r.reception_number) {
      return Refuse(o, "reception_number_contradicts",
                    "受付番号「" + r.reception_number + "」が登録の受付番号「" +
                        *n->reception_number + "」と違います");
    }
    if (n->prefecture != r.prefecture) {
      return Refuse(
          o, "prefecture_contradicts",
          "都道府県「" + r.prefecture + "」が登録の都道府県「" + n->prefecture + "」と違います");
    }
    if (n->score_table != r.score_table) {
      return Refuse(
          o, "score_table_contradicts",
          "点数表「" + r.score_table + "」が登録の点数表「" + n->score_table + "」と違います");
    }
    if (domain::NameKey(n->name) != domain::NameKey(r.name)) {
      return Refuse(o, "name_contradicts",
                    "医療機関名称「" + r.name + "」が登録の名称「" + n->name + "」と違います");
    }
    if (n->state == "designated") {
      if (n->real_code == r.real_code) {
        o.kind = Kind::kAlreadyDone;
        return Status::Ok();
      }
      return Refuse(o, "already_designated",
                    "仮コード「" + n->provisional_code + "」は既に医療機関等コード「" +
                        n->real_code.value_or("") + "」に切り替え済みです");
    }
    if (n->state != "provisional" && n->state != "presented") {
      return Refuse(o, "withdrawn",
                    "仮コード「" + n->provisional_code + "」は指定なしとして取り下げ済みです");
    }
    return CheckCodeFree(r, *n, o);
  }

 private:
  // The real code must not belong to anyone else: the register (under another name), another
  // newinst row, or accounts / applications (unless it is this clinic's own 受付番号).
  Status CheckCodeFree(const DesignationRow& r, const Newinst& n, DesignationOutcome& o) {
    ASSIGN_OR_RETURN(std::optional<store::SqlRow> reg,
                     tx_.QueryFirst(kRegisterName, {r.real_code}));
    if (reg) {
      ASSIGN_OR_RETURN(std::string reg_name, reg->Text(0));
      if (domain::NameKey(reg_name) != domain::NameKey(r.name)) {
        return Refuse(o, "code_in_register",
                      "医療機関等コード「" + r.real_code + "」は医療機関等マスタで別の機関（" +
                          reg_name + "）のものです");
      }
    }
    ASSIGN_OR_RETURN(bool other, Exists(tx_, kOtherNewinst, {r.real_code, n.provisional_code}));
    const bool own_reception = n.reception_number == r.real_code;
    bool used = other;
    if (!own_reception && !used) {
      ASSIGN_OR_RETURN(bool acc, Exists(tx_, kInAccounts, {r.real_code}));
      ASSIGN_OR_RETURN(bool app, Exists(tx_, kInApplications, {r.real_code}));
      used = acc || app;
    }
    if (used) {
      return Refuse(o, "code_in_use",
                    "医療機関等コード「" + r.real_code + "」は既に別の機関が使っています");
    }
    o.kind = Kind::kSwap;
    return Status::Ok();
  }

  static Status Refuse(DesignationOutcome& o, std::string code, std::string why) {
    o.kind = Kind::kRefused;
    o.code = std::move(code);
    o.message_ja = std::to_string(o.row) + "行目: " + why;
    return Status::Ok();
  }

  store::SqlTx& tx_;
  std::map<std::string, int> seen_codes_, seen_newinst_;
};

// The swap of one checked row (kind kSwap) in `tx`.
Status Swap(store::SqlTx& tx, const DesignationRow& r, DesignationOutcome& o, int64_t import_id,
            const DesignationImport& import, Instant at) {
  const int64_t now = at.time_since_epoch().count();
  ASSIGN_OR_RETURN(int64_t n, tx.Exec(kDesignate, {o.provisional_code, o.real_code, now}));
  if (n != 1) return Internal("newinst row " + o.provisional_code + " changed during the import");
  std::vector<std::string> old_codes = {o.provisional_code};
  if (!o.reception_number.empty() && o.reception_number != o.real_code)
    old_codes.push_back(o.reception_number);
  const std::string reason = "code swap: " + o.provisional_code + " designated as " + o.real_code;
  for (const std::string& old : old_codes) {
    ASSIGN_OR_RETURN(int64_t accounts, tx.Exec(kAccountsCopy, {old, o.real_code}));
    RETURN_IF_ERROR(tx.Exec(kAccountsDrop, {old}).status());
    ASSIGN_OR_RETURN(int64_t apps,
                     tx.Exec(kApplications, {old, o.real_code, o.real_code.substr(3)}));
    ASSIGN_OR_RETURN(int64_t moved, billing::MoveUnbilledCharges(tx, old, o.real_code, reason, at));
    RETURN_IF_ERROR(
        billing::CopyMethodChanges(tx, old, o.real_code, import.actor, "newinst_swap", at)
            .status());
    o.accounts += accounts;
    o.applications += apps;
    o.charges_moved += moved;
  }
  return tx
      .Exec(kLogSwap,
            {o.provisional_code, import_id, int64_t{r.row},
             o.reception_number.empty() ? store::SqlValue() : store::SqlValue(o.reception_number),
             o.real_code, r.designated_on, now, o.charges_moved, o.applications, o.accounts})
      .status();
}

}  // namespace

std::string_view KindName(DesignationOutcome::Kind k) {
  switch (k) {
    case Kind::kSwap:
      return "swap";
    case Kind::kAlreadyDone:
      return "already_done";
    case Kind::kRefused:
      return "refused";
  }
  return "refused";
}

Result<DesignationList> ReadDesignationFile(std::string_view bytes) {
  if (bytes.substr(0, 4) == std::string_view("PK\x03\x04", 4)) {
    ASSIGN_OR_RETURN(XlsxSheet sheet, ReadFirstSheet(bytes));
    return ReadDesignationList(sheet);
  }
  return ReadDesignationCsv(bytes);
}

Result<DesignationReport> ImportDesignations(store::Store& store, const Clock& clock,
                                             const DesignationList& list,
                                             const DesignationImport& import) {
  const Instant at = clock.Now();
  DesignationReport report;
  report.dry_run = import.dry_run;
  const store::SqlTxFn fn = [&](store::SqlTx& tx) -> Status {
    report = DesignationReport{};
    report.dry_run = import.dry_run;
    RETURN_IF_ERROR(tx.Lock("newinst.designations"));
    RowChecker checker(tx);
    for (const DesignationRow& r : list.rows) {
      DesignationOutcome o;
      RETURN_IF_ERROR(checker.Check(r, o));
      report.swapped += o.kind == Kind::kSwap;
      report.already_done += o.kind == Kind::kAlreadyDone;
      report.refused += o.kind == Kind::kRefused;
      report.rows.push_back(std::move(o));
    }
    if (report.refused > 0 || report.swapped == 0 || import.dry_run) return Status::Ok();
    ASSIGN_OR_RETURN(
        std::vector<store::SqlRow> id_rows,
        tx.Query(kLogImport, {import.file_name, crypto::Sha256Hex(import.file_bytes),
                              static_cast<int64_t>(list.rows.size()), int64_t{report.swapped},
                              at.time_since_epoch().count(), import.actor}));
    ASSIGN_OR_RETURN(int64_t import_id, id_rows.at(0).Int(0));
    std::vector<store::AuditEvent> audits;
    for (std::size_t i = 0; i < list.rows.size(); ++i) {
      DesignationOutcome& o = report.rows[i];
      if (o.kind != Kind::kSwap) continue;
      RETURN_IF_ERROR(Swap(tx, list.rows[i], o, import_id, import, at));
      audits.push_back(store::AuditEvent{
          at, import.actor, "newinst.designate", o.real_code,
          "{\"provisional_code\":" + Json(o.provisional_code) + ",\"reception_number\":" +
              Json(o.reception_number) + ",\"real_code\":" + Json(o.real_code) +
              ",\"designated_on\":" + Json(list.rows[i].designated_on) + ",\"import_id\":" +
              std::to_string(import_id) + ",\"applications\":" + std::to_string(o.applications) +
              ",\"accounts\":" + std::to_string(o.accounts) +
              ",\"charges_moved\":" + std::to_string(o.charges_moved) + "}"});
    }
    audits.push_back(store::AuditEvent{at, import.actor, "newinst.import", import.file_name,
                                       "{\"import_id\":" + std::to_string(import_id) +
                                           ",\"swapped\":" + std::to_string(report.swapped) + "}"});
    for (const store::AuditEvent& e : audits) RETURN_IF_ERROR(tx.AppendAudit(e));
    report.changed = true;
    return Status::Ok();
  };
  Status st = import.dry_run ? store::RunRead(store, fn) : store::RunInTransaction(store, fn);
  if (!st.ok()) return st;
  return report;
}

}  // namespace claimsca::newinst
