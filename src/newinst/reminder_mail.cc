#include "newinst/reminder_mail.h"

#include <nlohmann/json.hpp>

#include "newinst/deadlines.h"
#include "newinst/institutions.h"
#include "store/module_sql.h"

namespace claimsca::newinst {
namespace {

constexpr char kSent[] = "SELECT 1 FROM mail_outbox WHERE dedup_key = $1";

}  // namespace

std::string ReminderMailBody(const Institution& in, const Reminder& r) {
  std::string opening = in.opening_month;
  if (Result<YearMonth> m = ParseOpeningMonth(in.opening_month); m.ok()) {
    opening = FormatMonthJa(*m);
  }
  std::string s =
      in.name + "（仮コード " + in.provisional_code + "、診療開始月 " + opening + "）\n\n";
  if (r.kind == DeadlineKind::kReply) {
    s += "地方厚生（支）局からの受付番号の回答は、" + FormatDeadline(r.deadline) +
         "までに届く予定です。\n";
    s += "回答書が届きましたら、医療機関等向けポータルサイトの「新規開設の手続き」で受付番号を"
         "入力してください。\n";
  } else {
    s += "受付番号の提示期限は " + FormatDeadline(r.deadline) + " です。\n";
    s += "医療機関等向けポータルサイトの「新規開設の手続き」で、地方厚生（支）局から回答された"
         "受付番号を入力してください。\n";
  }
  s += "期限を過ぎても入力はできますが、診療開始月の初日からオンライン資格確認を利用できることは"
       "保証できません。\n";
  return s;
}

Result<ReminderMailReport> SendDeadlineReminders(store::Store& store,
                                                 const mail::Composer& composer,
                                                 const std::vector<int>& days_before, Instant now) {
  InstitutionStore institutions(store);
  ASSIGN_OR_RETURN(std::vector<Institution> rows, institutions.List(State::kProvisional));
  const Date today = JstDate(now);
  ReminderMailReport report;
  for (const Institution& in : rows) {
    if (in.email.empty()) continue;
    const std::optional<Reminder> r = DueReminder(in, today, days_before);
    if (!r) continue;
    ASSIGN_OR_RETURN(
        store::OutboxMail m,
        composer.Compose("newinst_deadline", in.provisional_code, in.email,
                         {{"display_name", in.name}, {"body", ReminderMailBody(in, *r)}},
                         r->dedupe_key));
    bool sent = false;
    Status st = store::RunInTransaction(store, [&](store::SqlTx& tx) -> Status {
      ASSIGN_OR_RETURN(std::optional<store::SqlRow> row, tx.QueryFirst(kSent, {r->dedupe_key}));
      sent = row.has_value();
      if (sent) return Status();
      store::AuditEvent ev{
          now, "system:newinst-remind", "newinst.remind", in.provisional_code,
          nlohmann::json{{"deadline", r->kind == DeadlineKind::kReply ? "reply" : "presentation"},
                         {"date", FormatDeadline(r->deadline)},
                         {"days_before", r->days_before}}
              .dump()};
      ev.mail.push_back(m);
      return tx.AppendAudit(ev);
    });
    RETURN_IF_ERROR(st);
    if (sent) {
      ++report.already_sent;
      continue;
    }
    ++report.mailed;
    report.codes.push_back(in.provisional_code);
  }
  return report;
}

}  // namespace claimsca::newinst
