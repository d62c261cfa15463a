#include "subsidy/store.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <utility>

#include "common/iso_date.h"
#include "store/module_sql.h"
#include "store/store.h"

namespace claimsca::subsidy {
namespace {

using store::SqlRow;
using store::SqlTx;

constexpr size_t kMaxReasonBytes = 500;

constexpr char kNextSeq[] = "SELECT COALESCE(MAX(seq), 0) + 1 FROM subsidy_applications";
constexpr char kOpenOf[] =
    "SELECT application_id, state FROM subsidy_applications WHERE institution_code = $1 AND "
    "state <> 'rejected'";
constexpr char kInsert[] =
    "INSERT INTO subsidy_applications (application_id, seq, institution_code, "
    "institution_name, channel, state, applied_date, schedule_from, deadline, cap_yen, rate, "
    "eligible_yen, amount_yen, applied_by, applied_at) VALUES ($1, $2, $3, $4, $5, "
    "'submitted', $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT DO NOTHING";
constexpr char kInsertReceipt[] =
    "INSERT INTO subsidy_receipts (application_id, line_no, kind, purchase_date, amount_yen, "
    "vendor) VALUES ($1, $2, $3, $4, $5, $6)";
#define SUBSIDY_COLUMNS                                                                        \
  "application_id, institution_code, institution_name, channel, state, applied_date, "         \
  "schedule_from, deadline, cap_yen, rate, eligible_yen, amount_yen, applied_by, applied_at, " \
  "reviewed_by, approval_date, reject_reason, payment_file_date, paid_at"
constexpr char kGet[] =
    "SELECT " SUBSIDY_COLUMNS " FROM subsidy_applications WHERE application_id = $1";
constexpr char kListAll[] =
    "SELECT " SUBSIDY_COLUMNS " FROM subsidy_applications ORDER BY seq DESC";
constexpr char kListState[] =
    "SELECT " SUBSIDY_COLUMNS " FROM subsidy_applications WHERE state = $1 ORDER BY seq DESC";
constexpr char kListCode[] =
    "SELECT " SUBSIDY_COLUMNS
    " FROM subsidy_applications WHERE institution_code = $1 ORDER BY seq DESC";
constexpr char kListStateCode[] =
    "SELECT " SUBSIDY_COLUMNS
    " FROM subsidy_applications WHERE state = $1 AND institution_code = $2 ORDER BY seq DESC";
#undef SUBSIDY_COLUMNS
constexpr char kReceipts[] =
    "SELECT kind, purchase_date, amount_yen, vendor FROM subsidy_receipts "
    "WHERE application_id = $1 ORDER BY line_no";
constexpr char kApprove[] =
    "UPDATE subsidy_applications SET state = 'approved', reviewed_by = $2, reviewed_at = $3, "
    "approval_date = $4 WHERE application_id = $1 AND state = 'submitted'";
constexpr char kReject[] =
    "UPDATE subsidy_applications SET state = 'rejected', reviewed_by = $2, reviewed_at = $3, "
    "reject_reason = $4 WHERE application_id = $1 AND state = 'submitted'";

int64_t Seconds(Instant t) { return t.time_since_epoch().count(); }

Result<Date> DateOf(const std::string& iso) {
  Result<Instant> t = ParseInstant(iso);
  if (iso.size() != 10 || !t.ok()) return Internal("subsidy: stored date '" + iso + "'");
  return JstDate(*t);
}

Result<Application> FromRow(const SqlRow& r) {
  Application a;
  ASSIGN_OR_RETURN(a.application_id, r.Text(0));
  ASSIGN_OR_RETURN(a.institution_code, r.Text(1));
  ASSIGN_OR_RETURN(a.institution_name, r.Text(2));
  ASSIGN_OR_RETURN(std::string channel, r.Text(3));
  a.channel = channel == "paper" ? Channel::kPaper : Channel::kPortal;
  ASSIGN_OR_RETURN(std::string state, r.Text(4));
  ASSIGN_OR_RETURN(a.state, ParseState(state));
  ASSIGN_OR_RETURN(std::string applied, r.Text(5));
  ASSIGN_OR_RETURN(a.applied_date, DateOf(applied));
  ASSIGN_OR_RETURN(std::string from, r.Text(6));
  ASSIGN_OR_RETURN(a.entry.from, DateOf(from));
  ASSIGN_OR_RETURN(std::string deadline, r.Text(7));
  ASSIGN_OR_RETURN(a.entry.deadline, DateOf(deadline));
  ASSIGN_OR_RETURN(a.entry.cap_yen, r.Int(8));
  ASSIGN_OR_RETURN(std::string rate, r.Text(9));
  ASSIGN_OR_RETURN(a.entry.rate, ParseRate(rate));
  ASSIGN_OR_RETURN(a.eligible_yen, r.Int(10));
  ASSIGN_OR_RETURN(a.amount_yen, r.Int(11));
  ASSIGN_OR_RETURN(a.applied_by, r.Text(12));
  ASSIGN_OR_RETURN(int64_t at, r.Int(13));
  a.applied_at = Instant(std::chrono::seconds(at));
  ASSIGN_OR_RETURN(a.reviewed_by, r.OptText(14));
  ASSIGN_OR_RETURN(a.approval_date, r.OptText(15));
  ASSIGN_OR_RETURN(a.reject_reason, r.OptText(16));
  ASSIGN_OR_RETURN(a.payment_file_date, r.OptText(17));
  ASSIGN_OR_RETURN(std::optional<int64_t> paid, r.OptInt(18));
  if (paid) a.paid_at = Instant(std::chrono::seconds(*paid));
  return a;
}

Result<Application> Load(SqlTx& tx, std::string_view id) {
  ASSIGN_OR_RETURN(std::optional<SqlRow> row, tx.QueryFirst(kGet, {id}));
  if (!row) return NotFound("補助金申請 " + std::string(id) + " はありません");
  ASSIGN_OR_RETURN(Application a, FromRow(*row));
  ASSIGN_OR_RETURN(std::vector<SqlRow> rows, tx.Query(kReceipts, {id}));
  for (const SqlRow& r : rows) {
    Receipt rc;
    ASSIGN_OR_RETURN(std::string kind, r.Text(0));
    ASSIGN_OR_RETURN(rc.kind, ParseDeviceKind(kind));
    ASSIGN_OR_RETURN(std::string bought, r.Text(1));
    ASSIGN_OR_RETURN(rc.purchase_date, DateOf(bought));
    ASSIGN_OR_RETURN(rc.amount_yen, r.Int(2));
    ASSIGN_OR_RETURN(rc.vendor, r.Text(3));
    a.receipts.push_back(std::move(rc));
  }
  return a;
}

std::string Details(const Application& a, nlohmann::json extra = nlohmann::json::object()) {
  extra["institution_code"] = a.institution_code;
  extra["amount_yen"] = a.amount_yen;
  extra["eligible_yen"] = a.eligible_yen;
  return extra.dump();
}

}  // namespace

std::string_view StateName(State s) {
  switch (s) {
    case State::kSubmitted:
      return "submitted";
    case State::kApproved:
      return "approved";
    case State::kRejected:
      return "rejected";
    case State::kPaid:
      return "paid";
  }
  return "?";
}

std::string_view StateLabel(State s) {
  switch (s) {
    case State::kSubmitted:
      return "申請中";
    case State::kApproved:
      return "承認";
    case State::kRejected:
      return "却下";
    case State::kPaid:
      return "支払済み";
  }
  return "?";
}

Result<State> ParseState(std::string_view name) {
  for (State s : {State::kSubmitted, State::kApproved, State::kRejected, State::kPaid}) {
    if (name == StateName(s)) return s;
  }
  return InvalidArgument("subsidy state '" + std::string(name) +
                         "': submitted, approved, rejected or paid");
}

SubsidyStore::SubsidyStore(store::Store& store, Schedule schedule, const Clock& clock,
                           ApprovedUse approved_use)
    : store_(store),
      schedule_(std::move(schedule)),
      clock_(clock),
      approved_use_(std::move(approved_use)) {}

Result<Calculation> SubsidyStore::Preview(const std::vector<Receipt>& receipts) const {
  return Calculate(schedule_, clock_.Now(), receipts);
}

Result<Application> SubsidyStore::Apply(const ApplyRequest& r) {
  if (r.actor.empty()) return InvalidArgument("subsidy: actor required");
  if (r.institution_code.size() != 10) {
    return InvalidArgument("医療機関等コード（institution_code）は10桁です");
  }
  const Instant now = clock_.Now();
  ASSIGN_OR_RETURN(Calculation c, Calculate(schedule_, now, r.receipts));
  ASSIGN_OR_RETURN(bool approved, approved_use_(r.institution_code));
  if (!approved) {
    return FailedPrecondition("医療機関等コード " + r.institution_code +
                              " にはマイナ資格確認アプリの利用開始（申請区分2）の承認がないため、補"
                              "助金は申請できません。");
  }
  Application a;
  a.institution_code = r.institution_code;
  a.institution_name = r.institution_name;
  a.channel = r.channel;
  a.applied_date = c.application_date;
  a.entry = c.entry;
  a.eligible_yen = c.eligible_yen;
  a.amount_yen = c.subsidy_yen;
  a.applied_by = r.actor;
  a.applied_at = now;
  a.receipts = r.receipts;
  const Status st = store::RunInTransaction(store_, [&](SqlTx& tx) -> Status {
    RETURN_IF_ERROR(tx.Lock("subsidy.apply"));
    ASSIGN_OR_RETURN(std::optional<SqlRow> open, tx.QueryFirst(kOpenOf, {r.institution_code}));
    if (open) {
      ASSIGN_OR_RETURN(std::string id, open->Text(0));
      return Conflict("医療機関等コード " + r.institution_code + " の補助金申請 " + id +
                      " が既にあります（補助金は1機関1回です。却下された場合のみ再申請できます）");
    }
    ASSIGN_OR_RETURN(std::optional<SqlRow> next, tx.QueryFirst(kNextSeq));
    ASSIGN_OR_RETURN(int64_t seq, next->Int(0));
    char id[32];
    std::snprintf(id, sizeof id, "SUB%06lld", static_cast<long long>(seq));
    a.application_id = id;
    ASSIGN_OR_RETURN(
        int64_t n,
        tx.Exec(kInsert, {a.application_id, seq, a.institution_code, a.institution_name,
                          a.channel == Channel::kPaper ? "paper" : "portal",
                          IsoDate(a.applied_date), IsoDate(a.entry.from), IsoDate(a.entry.deadline),
                          a.entry.cap_yen, FormatRate(a.entry.rate), a.eligible_yen, a.amount_yen,
                          a.applied_by, Seconds(now)}));
    if (n != 1) return Conflict("補助金申請が同時に行われました。もう一度お試しください");
    for (size_t i = 0; i < a.receipts.size(); ++i) {
      const Receipt& rc = a.receipts[i];
      RETURN_IF_ERROR(tx.Exec(kInsertReceipt, {a.application_id, static_cast<int64_t>(i + 1),
                                               DeviceKindName(rc.kind), IsoDate(rc.purchase_date),
                                               rc.amount_yen, rc.vendor})
                          .status());
    }
    nlohmann::json extra = {{"channel", a.channel == Channel::kPaper ? "paper" : "portal"},
                            {"receipts", a.receipts.size()},
                            {"deadline", IsoDate(a.entry.deadline)}};
    return tx.AppendAudit(
        store::AuditEvent{now, r.actor, "subsidy.apply", a.application_id, Details(a, extra)});
  });
  if (!st.ok()) return st;
  return a;
}

Result<Application> SubsidyStore::Get(std::string_view application_id) {
  Result<Application> out = NotFound("");
  const Status st = store::RunRead(store_, [&](SqlTx& tx) -> Status {
    out = Load(tx, application_id);
    return out.status();
  });
  if (!st.ok()) return st;
  return out;
}

Result<std::vector<Application>> SubsidyStore::List(std::optional<State> state,
                                                    std::optional<std::string> code) {
  std::vector<Application> out;
  const Status st = store::RunRead(store_, [&](SqlTx& tx) -> Status {
    const char* sql = state ? (code ? kListStateCode : kListState) : (code ? kListCode : kListAll);
    store::SqlParams params;
    if (state) params.emplace_back(StateName(*state));
    if (code) params.emplace_back(*code);
    return tx.QueryEach(sql, params, [&](const SqlRow& r) -> Status {
      ASSIGN_OR_RETURN(Application a, FromRow(r));
      out.push_back(std::move(a));
      return Status::Ok();
    });
  });
  if (!st.ok()) return st;
  return out;
}

Result<Application> SubsidyStore::Approve(std::string_view id, std::string_view actor) {
  if (actor.empty()) return InvalidArgument("subsidy: actor required");
  const Instant now = clock_.Now();
  Result<Application> out = NotFound("");
  const Status st = store::RunInTransaction(store_, [&](SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(Application a, Load(tx, id));
    if (a.state != State::kSubmitted) {
      return FailedPrecondition("補助金申請 " + a.application_id + " は" +
                                std::string(StateLabel(a.state)) + "のため承認できません");
    }
    const std::string day = IsoDate(JstDate(now));
    ASSIGN_OR_RETURN(int64_t n, tx.Exec(kApprove, {id, actor, Seconds(now), day}));
    if (n != 1) return Conflict("補助金申請 " + a.application_id + " は同時に更新されました");
    a.state = State::kApproved;
    a.reviewed_by = std::string(actor);
    a.approval_date = day;
    RETURN_IF_ERROR(tx.AppendAudit(store::AuditEvent{now, std::string(actor), "subsidy.approve",
                                                     a.application_id, Details(a)}));
    out = std::move(a);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<Application> SubsidyStore::Reject(std::string_view id, std::string_view reason,
                                         std::string_view actor) {
  if (actor.empty()) return InvalidArgument("subsidy: actor required");
  if (reason.empty() || reason.size() > kMaxReasonBytes) {
    return InvalidArgument("却下の理由（reason）を入力してください（500バイトまで）");
  }
  const Instant now = clock_.Now();
  Result<Application> out = NotFound("");
  const Status st = store::RunInTransaction(store_, [&](SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(Application a, Load(tx, id));
    if (a.state != State::kSubmitted) {
      return FailedPrecondition("補助金申請 " + a.application_id + " は" +
                                std::string(StateLabel(a.state)) + "のため却下できません");
    }
    ASSIGN_OR_RETURN(int64_t n, tx.Exec(kReject, {id, actor, Seconds(now), reason}));
    if (n != 1) return Conflict("補助金申請 " + a.application_id + " は同時に更新されました");
    a.state = State::kRejected;
    a.reviewed_by = std::string(actor);
    a.reject_reason = std::string(reason);
    RETURN_IF_ERROR(tx.AppendAudit(
        store::AuditEvent{now, std::string(actor), "subsidy.reject", a.application_id,
                          Details(a, {{"reason", std::string(reason)}})}));
    out = std::move(a);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

}  // namespace claimsca::subsidy
