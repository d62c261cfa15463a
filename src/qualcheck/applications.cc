#include "qualcheck/applications.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/iso_date.h"
#include "crypto/random.h"
#include "domain/normalize.h"
#include "qualcheck/named_account.h"
#include "store/module_sql.h"
#include "store/store.h"

namespace claimsca::qualcheck {
namespace {

using store::SqlRow;
using store::SqlTx;
using store::SqlValue;

#define QC_SELECT(where)                                                                     \
  "SELECT id, channel, paper_ref, institution_code, kinds, state, form_json, "               \
  "CASE WHEN password_hash IS NULL THEN 0 ELSE 1 END, bank_check, devices, use_start_date, " \
  "end_date, end_action, account_id, reason, letters_batch, created_at, created_by, "        \
  "decided_at, decided_by, tracking_number, shipping_status, shipping_status_on "            \
  "FROM qc_applications " where
constexpr char kById[] = QC_SELECT("WHERE id = $1");
constexpr char kByToken[] = QC_SELECT("WHERE form_token = $1");
constexpr char kByRef[] = QC_SELECT("WHERE paper_ref = $1");
constexpr char kListAll[] = QC_SELECT("ORDER BY created_at DESC, id DESC");
constexpr char kListState[] = QC_SELECT("WHERE state = $1 ORDER BY created_at DESC, id DESC");
constexpr char kListCode[] =
    QC_SELECT("WHERE institution_code = $1 ORDER BY created_at DESC, id DESC");
constexpr char kListStateCode[] =
    QC_SELECT("WHERE state = $1 AND institution_code = $2 ORDER BY created_at DESC, id DESC");
constexpr char kUseStart[] = QC_SELECT(
    "WHERE institution_code = $1 AND state = 'approved' AND kinds IN ('2', '12') "
    "ORDER BY decided_at DESC, id DESC");
constexpr char kPendingLetters[] = QC_SELECT(
    "WHERE state = 'approved' AND letters_batch IS NULL AND kinds IN ('1', '2', '12') "
    "ORDER BY decided_at, id");
constexpr char kLastEnd[] = QC_SELECT(
    "WHERE institution_code = $1 AND state = 'approved' AND kinds = '3' AND decided_at >= $2 "
    "ORDER BY decided_at DESC, id DESC");
#undef QC_SELECT

constexpr char kInsert[] =
    "INSERT INTO qc_applications (id, channel, paper_ref, institution_code, kinds, state, "
    "form_json, password_hash, bank_check, devices, end_date, end_action, created_at, "
    "created_by, form_token) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, "
    "$15)";
constexpr char kUpdateAgreed[] =
    "UPDATE qc_applications SET state = $2, institution_code = $3, kinds = $4, form_json = $5, "
    "password_hash = $6, bank_check = $7, devices = $8, end_date = $9, end_action = $10 "
    "WHERE id = $1";
constexpr char kInsertKeying[] =
    "INSERT INTO qc_keyings (application_id, seq, keyer, fields_json, password_hash, "
    "bank_hash, differs_json, keyed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
constexpr char kLastKeying[] =
    "SELECT seq, keyer, fields_json, password_hash, bank_hash FROM qc_keyings "
    "WHERE application_id = $1 ORDER BY seq DESC";
constexpr char kKeyings[] =
    "SELECT seq, keyer, fields_json, differs_json, keyed_at FROM qc_keyings "
    "WHERE application_id = $1 ORDER BY seq";
constexpr char kEraseKeyingSecrets[] =
    "UPDATE qc_keyings SET password_hash = NULL, bank_hash = NULL WHERE application_id = $1";
constexpr char kApprove[] =
    "UPDATE qc_applications SET state = 'approved', decided_at = $2, decided_by = $3, "
    "use_start_date = $4, account_id = $5, password_hash = NULL, sealed_password = $6 "
    "WHERE id = $1 AND state = 'agreed'";
constexpr char kReject[] =
    "UPDATE qc_applications SET state = 'rejected', decided_at = $2, decided_by = $3, "
    "reason = $4, password_hash = NULL WHERE id = $1 AND state IN ('keying', 'differs', "
    "'agreed')";
constexpr char kPasswordHash[] =
    "SELECT password_hash FROM qc_applications WHERE id = $1 AND state = 'agreed'";
constexpr char kMarkLetters[] =
    "UPDATE qc_applications SET letters_batch = $2, sealed_password = NULL "
    "WHERE id = $1 AND state = 'approved'";
// With the account's current (temporary) hash: the requirement ends once it differs.
constexpr char kRequireChange[] =
    "INSERT INTO qc_initial_passwords (account_id, application_id, required_at, temporary_hash) "
    "SELECT account_id, CAST($2 AS TEXT), CAST($3 AS BIGINT), password_hash FROM accounts "
    "WHERE account_id = $1";
constexpr char kSealed[] = "SELECT sealed_password FROM qc_applications WHERE id = $1";

constexpr std::string_view kFormPrefix = "form: ";

int64_t Secs(Instant t) { return t.time_since_epoch().count(); }
Instant FromSecs(int64_t s) { return Instant(std::chrono::seconds(s)); }

std::string FieldsJson(const Form& f) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : ComparedFields(f)) j[k] = v;
  return j.dump();
}

Form FormFromJson(const std::string& text) {
  Form f;
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return f;
  for (const auto& [k, v] : j.items()) {
    if (v.is_string()) SetField(k, v.get<std::string>(), &f);
  }
  if (f.end_action == "end" && !f.kind3) f.end_action.clear();
  return f;
}

Status FormError(const std::vector<domain::FieldError>& errors) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& e : errors) {
    a.push_back({{"field", e.field}, {"rule", e.rule}, {"message_ja", e.message_ja}});
  }
  return InvalidArgument(std::string(kFormPrefix) + a.dump());
}

Result<Application> FromRow(const SqlRow& r) {
  Application a;
  ASSIGN_OR_RETURN(a.id, r.Text(0));
  ASSIGN_OR_RETURN(a.channel, r.Text(1));
  ASSIGN_OR_RETURN(auto ref, r.OptText(2));
  a.paper_ref = ref.value_or("");
  ASSIGN_OR_RETURN(a.institution_code, r.Text(3));
  ASSIGN_OR_RETURN(a.kinds, r.Text(4));
  ASSIGN_OR_RETURN(std::string state, r.Text(5));
  a.state = ParseState(state).value_or(State::kKeying);
  ASSIGN_OR_RETURN(std::string form, r.Text(6));
  a.form = FormFromJson(form);
  ASSIGN_OR_RETURN(int64_t has_pw, r.Int(7));
  a.has_password = has_pw != 0;
  ASSIGN_OR_RETURN(auto bank, r.OptText(8));
  if (bank == "match") a.bank_check = BankCheck::kMatch;
  if (bank == "mismatch") a.bank_check = BankCheck::kMismatch;
  if (bank == "unregistered") a.bank_check = BankCheck::kUnregistered;
  ASSIGN_OR_RETURN(a.devices, r.OptInt(9));
  ASSIGN_OR_RETURN(auto use_start, r.OptText(10));
  a.use_start_date = use_start.value_or("");
  ASSIGN_OR_RETURN(auto end_date, r.OptText(11));
  a.end_date = end_date.value_or("");
  ASSIGN_OR_RETURN(auto end_action, r.OptText(12));
  a.end_action = end_action.value_or("");
  ASSIGN_OR_RETURN(auto account, r.OptText(13));
  a.account_id = account.value_or("");
  ASSIGN_OR_RETURN(auto reason, r.OptText(14));
  a.reason = reason.value_or("");
  ASSIGN_OR_RETURN(auto batch, r.OptText(15));
  a.letters_batch = batch.value_or("");
  ASSIGN_OR_RETURN(int64_t created, r.Int(16));
  a.created_at = FromSecs(created);
  ASSIGN_OR_RETURN(a.created_by, r.Text(17));
  ASSIGN_OR_RETURN(auto decided, r.OptInt(18));
  if (decided) a.decided_at = FromSecs(*decided);
  ASSIGN_OR_RETURN(auto decided_by, r.OptText(19));
  a.decided_by = decided_by.value_or("");
  ASSIGN_OR_RETURN(auto tracking, r.OptText(20));
  a.tracking_number = tracking.value_or("");
  ASSIGN_OR_RETURN(auto shipping, r.OptText(21));
  a.shipping_status = shipping.value_or("");
  ASSIGN_OR_RETURN(auto shipping_on, r.OptText(22));
  a.shipping_status_on = shipping_on.value_or("");
  return a;
}

Result<std::vector<Application>> Rows(SqlTx& tx, const char* sql, const store::SqlParams& p) {
  ASSIGN_OR_RETURN(auto rows, tx.Query(sql, p));
  std::vector<Application> out;
  for (const SqlRow& r : rows) {
    ASSIGN_OR_RETURN(Application a, FromRow(r));
    out.push_back(std::move(a));
  }
  return out;
}

Result<std::string> NewId() {
  ASSIGN_OR_RETURN(std::string digits, crypto::RandomDigits(10));
  return "QC" + digits;
}

SqlValue OptHash(const std::string& secret, const auth::KdfParams& kdf, Status* st) {
  if (secret.empty()) return SqlValue();
  auto h = auth::HashPassword(secret, kdf);
  if (!h.ok()) {
    *st = h.status();
    return SqlValue();
  }
  return SqlValue(*h);
}

// Whether the clear `value` is what the previous keying's hash holds (both empty: equal).
bool SameSecret(const std::optional<std::string>& hash, const std::string& value) {
  if (!hash || hash->empty()) return value.empty();
  if (value.empty()) return false;
  return auth::VerifyPassword(*hash, value);
}

// The columns of qc_applications taken from a form besides its JSON.
struct Columns {
  explicit Columns(const Form& f) {
    if (auto n = Devices(f)) devices = SqlValue(int64_t{*n});
    if (!f.end_date.empty()) end_date = SqlValue(f.end_date);
    const std::string action = f.kind3 && f.end_action.empty() ? "end" : f.end_action;
    if (!action.empty()) end_action = SqlValue(action);
  }
  SqlValue devices, end_date, end_action;
};

nlohmann::json AuditDetails(const Application& a) {
  return {{"kinds", a.kinds}, {"channel", a.channel}, {"state", Name(a.state)}};
}

}  // namespace

std::string_view Name(State s) {
  switch (s) {
    case State::kKeying:
      return "keying";
    case State::kDiffers:
      return "differs";
    case State::kAgreed:
      return "agreed";
    case State::kApproved:
      return "approved";
    case State::kRejected:
      return "rejected";
  }
  return "keying";
}

std::string_view NameJa(State s) {
  switch (s) {
    case State::kKeying:
      return "入力中（2人目の入力待ち）";
    case State::kDiffers:
      return "相違あり（訂正入力待ち）";
    case State::kAgreed:
      return "審査待ち";
    case State::kApproved:
      return "承認済み";
    case State::kRejected:
      return "却下";
  }
  return "";
}

std::optional<State> ParseState(std::string_view s) {
  for (State st :
       {State::kKeying, State::kDiffers, State::kAgreed, State::kApproved, State::kRejected}) {
    if (Name(st) == s) return st;
  }
  return std::nullopt;
}

std::vector<domain::FieldError> FieldErrorsOf(const Status& st) {
  std::vector<domain::FieldError> out;
  if (st.code() != Code::kInvalidArgument || !st.message().starts_with(kFormPrefix)) return out;
  const auto j = nlohmann::json::parse(st.message().substr(kFormPrefix.size()), nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& e : j) {
    out.push_back(
        domain::FieldError{e.value("field", ""), e.value("rule", ""), e.value("message_ja", "")});
  }
  return out;
}

Result<KeyResult> ApplicationStore::Key(std::string_view paper_ref, const Form& raw,
                                        std::string_view keyer, Instant at) {
  const std::string ref(domain::NormalizeCode(paper_ref));
  if (ref.empty() || ref.size() > 40) {
    return FormError({{"paper_ref", "required", "「受付番号」を入力してください。"}});
  }
  const Form f = Normalize(raw);
  if (auto errors = Validate(f); !errors.empty()) return FormError(errors);
  ASSIGN_OR_RETURN(auto account_errors, CheckNamedAccount(store_, f));
  if (!account_errors.empty()) return FormError(account_errors);
  const std::string code = InstitutionCode(f);
  const std::string fields = FieldsJson(f);
  // The hashes of this keying (the next keyer is compared against them).
  Status hash_st;
  const SqlValue pw_hash = OptHash(f.password, kdf_, &hash_st);
  const SqlValue bank_hash = OptHash(f.bank_last4, kdf_, &hash_st);
  RETURN_IF_ERROR(hash_st);
  ASSIGN_OR_RETURN(const std::string new_id, NewId());
  KeyResult result;
  const Status tx_st = store::RunInTransaction(store_, [&](SqlTx& tx) -> Status {
    RETURN_IF_ERROR(tx.Lock("qualcheck.paper:" + ref));
    result = KeyResult{};
    ASSIGN_OR_RETURN(auto existing, Rows(tx, kByRef, {ref}));
    ASSIGN_OR_RETURN(const BankCheck bank, bank_.Check(tx, code, f.bank_last4));
    const std::string bank_name(Name(bank));
    const Columns c(f);
    if (existing.empty()) {
      result.id = new_id;
      result.state = State::kKeying;
      RETURN_IF_ERROR(tx.Exec(kInsert, {new_id, "paper", ref, code, KindsCode(f), "keying", fields,
                                        SqlValue(), bank_name, c.devices, c.end_date, c.end_action,
                                        Secs(at), std::string(keyer), SqlValue()})
                          .status());
      RETURN_IF_ERROR(tx.Exec(kInsertKeying, {new_id, int64_t{1}, std::string(keyer), fields,
                                              pw_hash, bank_hash, "[]", Secs(at)})
                          .status());
    } else {
      const Application& a = existing.front();
      result.id = a.id;
      if (a.state != State::kKeying && a.state != State::kDiffers) {
        return Conflict("application " + a.id + " is " + std::string(Name(a.state)) +
                        ": no more keying");
      }
      // Every keying, newest first: the new one agrees when it matches the latest keying
      // of any other person; otherwise its differences are against the newest keying.
      ASSIGN_OR_RETURN(auto rows, tx.Query(kLastKeying, {a.id}));
      if (rows.empty()) return Internal("application " + a.id + " has no keying");
      ASSIGN_OR_RETURN(const int64_t prev_seq, rows.front().Int(0));
      bool other_person = false;
      for (const SqlRow& row : rows) {
        ASSIGN_OR_RETURN(const std::string k, row.Text(1));
        other_person = other_person || k != keyer;
      }
      if (!other_person) {
        return Status(Code::kForbidden,
                      "the same person may not key a paper form twice: a different staff member "
                      "keys it (二重入力は別の職員が行います)");
      }
      std::vector<std::string> seen = {std::string(keyer)};
      bool first = true;
      for (const SqlRow& row : rows) {
        ASSIGN_OR_RETURN(const std::string other, row.Text(1));
        if (std::find(seen.begin(), seen.end(), other) != seen.end()) continue;
        seen.push_back(other);
        ASSIGN_OR_RETURN(const std::string other_fields, row.Text(2));
        ASSIGN_OR_RETURN(const auto other_pw, row.OptText(3));
        ASSIGN_OR_RETURN(const auto other_bank, row.OptText(4));
        const auto mine = ComparedFields(f);
        const auto theirs = ComparedFields(FormFromJson(other_fields));
        std::vector<std::string> diff;
        for (size_t i = 0; i < mine.size(); ++i) {
          if (mine[i].second != theirs[i].second) diff.push_back(mine[i].first);
        }
        if (!SameSecret(other_pw, f.password)) diff.push_back("password");
        if (!SameSecret(other_bank, f.bank_last4)) diff.push_back("bank_last4");
        if (first || diff.empty()) result.differs = diff;
        first = false;
        if (diff.empty()) break;
      }
      const nlohmann::json differs = result.differs;
      RETURN_IF_ERROR(tx.Exec(kInsertKeying, {a.id, prev_seq + 1, std::string(keyer), fields,
                                              pw_hash, bank_hash, differs.dump(), Secs(at)})
                          .status());
      result.state = result.differs.empty() ? State::kAgreed : State::kDiffers;
      RETURN_IF_ERROR(
          tx.Exec(kUpdateAgreed, {a.id, std::string(Name(result.state)), code, KindsCode(f), fields,
                                  result.state == State::kAgreed ? pw_hash : SqlValue(), bank_name,
                                  c.devices, c.end_date, c.end_action})
              .status());
      if (result.state == State::kAgreed) {
        RETURN_IF_ERROR(tx.Exec(kEraseKeyingSecrets, {a.id}).status());
      }
    }
    nlohmann::json d = {{"paper_ref", ref},
                        {"state", Name(result.state)},
                        {"differs", result.differs},
                        {"bank_check", bank_name}};
    return tx.AppendAudit(
        store::AuditEvent{at, std::string(keyer), "qualcheck.key", result.id, d.dump()});
  });
  if (!tx_st.ok()) return tx_st;
  return result;
}

Result<std::string> ApplicationStore::SubmitPortal(const Form& raw, std::string_view actor,
                                                   Instant at, std::string_view form_token) {
  const Form f = Normalize(raw);
  if (auto errors = Validate(f); !errors.empty()) return FormError(errors);
  ASSIGN_OR_RETURN(auto account_errors, CheckNamedAccount(store_, f));
  if (!account_errors.empty()) return FormError(account_errors);
  const std::string code = InstitutionCode(f);
  const std::string token(form_token);
  if (token.size() > 100) return InvalidArgument("form token: at most 100 characters");
  Status hash_st;
  const SqlValue pw_hash = OptHash(f.password, kdf_, &hash_st);
  RETURN_IF_ERROR(hash_st);
  ASSIGN_OR_RETURN(std::string id, NewId());
  const Status tx_st = store::RunInTransaction(store_, [&](SqlTx& tx) -> Status {
    if (!token.empty()) {
      // A resent form: the application of the first submission, nothing new.
      RETURN_IF_ERROR(tx.Lock("qualcheck.form:" + token));
      ASSIGN_OR_RETURN(auto earlier, Rows(tx, kByToken, {token}));
      if (!earlier.empty()) {
        if (earlier.front().created_by != actor) {
          return Conflict("this form was submitted by another account");
        }
        id = earlier.front().id;
        return Status::Ok();
      }
    }
    ASSIGN_OR_RETURN(const BankCheck bank, bank_.Check(tx, code, f.bank_last4));
    const Columns c(f);
    RETURN_IF_ERROR(tx.Exec(kInsert, {id, "portal", SqlValue(), code, KindsCode(f), "agreed",
                                      FieldsJson(f), pw_hash, std::string(Name(bank)), c.devices,
                                      c.end_date, c.end_action, Secs(at), std::string(actor),
                                      token.empty() ? SqlValue() : SqlValue(token)})
                        .status());
    nlohmann::json d = {{"kinds", KindsCode(f)}, {"channel", "portal"}, {"bank_check", Name(bank)}};
    return tx.AppendAudit(
        store::AuditEvent{at, std::string(actor), "qualcheck.apply", id, d.dump()});
  });
  if (!tx_st.ok()) return tx_st;
  return id;
}

Result<Application> ApplicationStore::Get(std::string_view id) {
  std::vector<Application> rows;
  const Status tx_st = store::RunRead(store_, [&](SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(rows, Rows(tx, kById, {id}));
    return Status::Ok();
  });
  if (!tx_st.ok()) return tx_st;
  if (rows.empty()) return NotFound("qualcheck application " + std::string(id));
  return rows.front();
}

Result<std::optional<Application>> ApplicationStore::FindByPaperRef(std::string_view paper_ref) {
  std::vector<Application> rows;
  const Status tx_st = store::RunRead(store_, [&](SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(rows, Rows(tx, kByRef, {domain::NormalizeCode(paper_ref)}));
    return Status::Ok();
  });
  if (!tx_st.ok()) return tx_st;
  if (rows.empty()) return std::optional<Application>();
  return std::optional<Application>(rows.front());
}

Result<std::vector<Keying>> ApplicationStore::Keyings(std::string_view id) {
  std::vector<Keying> out;
  const Status tx_st = store::RunRead(store_, [&](SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(auto rows, tx.Query(kKeyings, {id}));
    for (const SqlRow& r : rows) {
      Keying k;
      ASSIGN_OR_RETURN(k.seq, r.Int(0));
      ASSIGN_OR_RETURN(k.keyer, r.Text(1));
      ASSIGN_OR_RETURN(std::string fields, r.Text(2));
      k.form = FormFromJson(fields);
      ASSIGN_OR_RETURN(std::string differs, r.Text(3));
      const auto j = nlohmann::json::parse(differs, nullptr, false);
      if (j.is_array()) {
        for (const auto& d : j) {
          if (d.is_string()) k.differs.push_back(d.get<std::string>());
        }
      }
      ASSIGN_OR_RETURN(int64_t keyed, r.Int(4));
      k.keyed_at = FromSecs(keyed);
      out.push_back(std::move(k));
    }
    return Status::Ok();
  });
  if (!tx_st.ok()) return tx_st;
  return out;
}

Result<std::vector<Application>> ApplicationStore::List(std::optional<State> state,
                                                        std::string_view institution_code) {
  std::vector<Application> out;
  const Status tx_st = store::RunRead(store_, [&](SqlTx& tx) -> Status {
    const std::string st = state ? std::string(Name(*state)) : "";
    const std::string code(institution_code);
    if (state && !code.empty()) {
      ASSIGN_OR_RETURN(out, Rows(tx, kListStateCode, {st, code}));
    } else if (state) {
      ASSIGN_OR_RETURN(out, Rows(tx, kListState, {st}));
    } else if (!code.empty()) {
      ASSIGN_OR_RETURN(out, Rows(tx, kListCode, {code}));
    } else {
      ASSIGN_OR_RETURN(out, Rows(tx, kListAll, {}));
    }
    return Status::Ok();
  });
  if (!tx_st.ok()) return tx_st;
  return out;
}

Status ApplicationStore::Approve(std::string_view id, std::string_view actor, Instant at,
                                 std::string_view account_id, std::string_view sealed_password) {
  return store::RunInTransaction(store_, [&](SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(auto rows, Rows(tx, kById, {id}));
    if (rows.empty()) return NotFound("qualcheck application " + std::string(id));
    Application a = rows.front();
    if (a.state != State::kAgreed) {
      return Conflict("application " + a.id + " is " + std::string(Name(a.state)) +
                      ": only an agreed application (two matching keyings) can be approved");
    }
    const bool use = a.kinds.find('2') != std::string::npos;
    const SqlValue start = use ? SqlValue(IsoDate(JstDate(at))) : SqlValue();
    const SqlValue account = account_id.empty() ? SqlValue() : SqlValue(account_id);
    const SqlValue sealed = sealed_password.empty() ? SqlValue() : SqlValue(sealed_password);
    ASSIGN_OR_RETURN(
        int64_t n, tx.Exec(kApprove, {a.id, Secs(at), std::string(actor), start, account, sealed}));
    if (n != 1) return Conflict("application " + a.id + " changed meanwhile");
    if (!sealed_password.empty() && !account_id.empty()) {
      // The temporary password of the letter: changed at the first login.
      ASSIGN_OR_RETURN(int64_t required,
                       tx.Exec(kRequireChange, {std::string(account_id), a.id, Secs(at)}));
      if (required != 1) return Internal("account " + std::string(account_id) + " not found");
    }
    a.state = State::kApproved;
    nlohmann::json d = AuditDetails(a);
    if (use) d["use_start_date"] = IsoDate(JstDate(at));
    if (!account_id.empty()) d["account_id"] = account_id;
    return tx.AppendAudit(
        store::AuditEvent{at, std::string(actor), "qualcheck.approve", a.id, d.dump()});
  });
}

Status ApplicationStore::Reject(std::string_view id, std::string_view actor, Instant at,
                                std::string_view reason) {
  const std::string why(domain::NormalizeText(reason));
  if (why.empty()) return InvalidArgument("reject: a reason is required (却下理由)");
  if (domain::CheckText(why, 400) != domain::TextIssue::kOk) {
    return InvalidArgument("reject: the reason must be plain text of at most 400 characters");
  }
  return store::RunInTransaction(store_, [&](SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(auto rows, Rows(tx, kById, {id}));
    if (rows.empty()) return NotFound("qualcheck application " + std::string(id));
    ASSIGN_OR_RETURN(int64_t n,
                     tx.Exec(kReject, {std::string(id), Secs(at), std::string(actor), why}));
    if (n != 1) {
      return Conflict("application " + std::string(id) + " is already " +
                      std::string(Name(rows.front().state)));
    }
    nlohmann::json d = {{"reason", why}};
    return tx.AppendAudit(
        store::AuditEvent{at, std::string(actor), "qualcheck.reject", std::string(id), d.dump()});
  });
}

Result<std::string> ApplicationStore::PasswordHash(std::string_view id) {
  std::string hash;
  const Status tx_st = store::RunRead(store_, [&](SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(auto row, tx.QueryFirst(kPasswordHash, {id}));
    if (!row) return NotFound("no password for application " + std::string(id));
    ASSIGN_OR_RETURN(auto h, row->OptText(0));
    hash = h.value_or("");
    return Status::Ok();
  });
  if (!tx_st.ok()) return tx_st;
  return hash;
}

Result<std::vector<std::pair<Application, std::string>>> ApplicationStore::PendingLetters() {
  std::vector<std::pair<Application, std::string>> out;
  const Status tx_st = store::RunRead(store_, [&](SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(auto apps, Rows(tx, kPendingLetters, {}));
    for (Application& a : apps) {
      ASSIGN_OR_RETURN(auto row, tx.QueryFirst(kSealed, {a.id}));
      std::string sealed;
      if (row) {
        ASSIGN_OR_RETURN(auto s, row->OptText(0));
        sealed = s.value_or("");
      }
      out.emplace_back(std::move(a), std::move(sealed));
    }
    return Status::Ok();
  });
  if (!tx_st.ok()) return tx_st;
  return out;
}

Status ApplicationStore::MarkLetters(const std::vector<std::string>& ids, std::string_view batch) {
  return store::RunInTransaction(store_, [&](SqlTx& tx) -> Status {
    for (const std::string& id : ids) {
      RETURN_IF_ERROR(tx.Exec(kMarkLetters, {id, std::string(batch)}).status());
    }
    return Status::Ok();
  });
}

Result<std::optional<UseStart>> ApplicationStore::ApprovedUseStart(
    std::string_view institution_code, std::optional<Date> on) {
  std::optional<UseStart> out;
  const Status tx_st = store::RunRead(store_, [&](SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(auto uses, Rows(tx, kUseStart, {institution_code}));
    if (uses.empty()) return Status::Ok();
    const Application& use = uses.front();
    ASSIGN_OR_RETURN(auto ends, Rows(tx, kLastEnd, {institution_code, Secs(*use.decided_at)}));
    if (!ends.empty() && on) {
      const Application& end = ends.front();
      if (end.end_action != "cancel" && !end.end_date.empty() && end.end_date < IsoDate(*on)) {
        return Status::Ok();
      }
    }
    const auto date = ParseEndDate(use.use_start_date);
    if (!date) return Internal("application " + use.id + ": bad use_start_date");
    out = UseStart{use.id, *date, use.devices.value_or(0)};
    return Status::Ok();
  });
  if (!tx_st.ok()) return tx_st;
  return out;
}

}  // namespace claimsca::qualcheck
