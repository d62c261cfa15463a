#include "kokuhoren/reminders.h"

#include <nlohmann/json.hpp>

#include "common/time_util.h"
#include "kokuhoren/applications_sql.h"
#include "store/store.h"

namespace claimsca::kokuhoren {
namespace {

using internal::Seconds;
using store::SqlRow;
using store::SqlTx;

// Issued, ending within `$2` (a superset of the window: the calendar months are checked
// in code), not noticed, and not followed by a later certificate of the same office.
constexpr char kCandidates[] =
    "SELECT " KJ_APPLICATION_COLUMNS " FROM kj_applications WHERE " KJ_ISSUED_NOT_REVOKED
    " AND kj_applications.not_after > $1 AND kj_applications.not_after <= $2 "
    "AND NOT EXISTS (SELECT 1 FROM kj_expiry_notices n "
    "WHERE n.application_id = kj_applications.id) "
    "AND NOT EXISTS (SELECT 1 FROM kj_applications b "
    "WHERE b.office_number = kj_applications.office_number "
    "AND b.state = 'issued' AND b.not_after > kj_applications.not_after) "
    "ORDER BY kj_applications.not_after, kj_applications.id";
constexpr char kRecord[] =
    "INSERT INTO kj_expiry_notices (application_id, account_id, noticed_at, emailed_to) "
    "VALUES ($1, $2, $3, $4) ON CONFLICT (application_id) DO NOTHING";

}  // namespace

std::string ExpiryNoticeBody(const CertApplication& a) {
  const Date end = JstDate(*a.not_after);
  const Date next = JstDate(*a.not_after + std::chrono::seconds(1));
  std::string s;
  if (a.account_kind == kAgentKind) {
    s += "代理人請求を行っている事業所（事業所番号 " + a.office_number +
         "）の電子証明書の有効期限が近づいています。\n";
  } else {
    s += "貴事業所（事業所番号 " + a.office_number + "）の電子証明書の有効期限が近づいています。\n";
  }
  s += "\n  証明書利用区分 : " + std::string(JapaneseName(a.usage)) + "\n";
  s += "  有効終了年月日 : " + FormatDateJa(end) + "\n\n";
  s += "電子証明書の更新は、有効期間の終了日の3か月前から行うことができます。\n";
  s += "電子請求受付システムにログインし、「証明書」から「証明書の発行申請をする」を選択して"
       "発行申請を行ってください。\n";
  s += "有効期間選択で「" + FormatDateJa(next) +
       "から有効な証明書」を選択すると、現在の証明書に続けて切れ目なく使用できます。\n";
  if (a.account_kind == kAgentKind) {
    s += "代理人請求の場合は、証明書利用区分と支払方法（相殺／振込）も選択してください。\n";
  }
  s += "有効期限が切れると請求データを伝送できなくなりますので、お早めに手続きしてください。\n";
  return s;
}

ExpiryNotices::ExpiryNotices(store::Store& store, KjAccounts& accounts,
                             const ca::ProgramProfile& program, const mail::Composer* composer)
    : store_(store), accounts_(accounts), program_(program), composer_(composer) {}

Result<ExpiryNoticeReport> ExpiryNotices::Run(Instant now) {
  const int months = program_.renewal_window_months > 0 ? program_.renewal_window_months : 3;
  // A superset of every window: 31 days per month.
  const Instant horizon = now + std::chrono::days(31 * months);
  std::vector<CertApplication> due;
  Status st = store::RunRead(store_, [&](SqlTx& tx) -> Status {
    return tx.QueryEach(kCandidates, {Seconds(now), Seconds(horizon)},
                        [&](const SqlRow& row) -> Status {
                          ASSIGN_OR_RETURN(CertApplication a, internal::ReadApplication(row));
                          // From 00:00 JST of the day `months` before the end date.
                          if (JstMidnight(AddMonths(JstDate(*a.not_after), -months)) <= now) {
                            due.push_back(a);
                          }
                          return Status();
                        });
  });
  if (!st.ok()) return st;
  ExpiryNoticeReport report;
  for (const CertApplication& a : due) {
    ASSIGN_OR_RETURN(KjAccount account, accounts_.Find(a.account_id));
    const std::string body = ExpiryNoticeBody(a);
    const std::string key = "kj-expiry:" + a.id;
    RETURN_IF_ERROR(accounts_.PostInbox(a.account_id, kExpiryNoticeTitle, body, key, now).status());
    store::AuditEvent ev{
        now, "system:kj-expiry-notice", "kokuhoren.expiry_notice", a.id,
        nlohmann::json{{"account", a.account_id}, {"not_after", FormatJst(*a.not_after)}}.dump()};
    std::string emailed;
    if (composer_ != nullptr && !account.email.empty()) {
      ASSIGN_OR_RETURN(store::OutboxMail m,
                       composer_->Compose("kj_expiry_notice", a.id, account.email,
                                          {{"body", body}, {"display_name", account.name}}, key));
      ev.mail.push_back(std::move(m));
      emailed = account.email;
    }
    bool recorded = false;
    st = store::RunInTransaction(store_, [&](SqlTx& tx) -> Status {
      ASSIGN_OR_RETURN(int64_t n, tx.Exec(kRecord, {a.id, a.account_id, Seconds(now), emailed}));
      recorded = n == 1;
      if (!recorded) return Status();  // another run got there first
      return tx.AppendAudit(ev);
    });
    if (!st.ok()) return st;
    if (!recorded) continue;
    ++report.noticed;
    if (!emailed.empty()) ++report.emailed;
    report.ids.push_back(a.id);
  }
  return report;
}

}  // namespace claimsca::kokuhoren
