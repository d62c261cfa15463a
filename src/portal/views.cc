#include "portal/views.h"

#include "auth/token.h"
#include "domain/category.h"
#include "domain/prefecture.h"
#include "portal/page.h"
#include "portal/util.h"
#include "store/module_sql.h"

namespace claimsca::portal {

using nlohmann::json;
using store::ApplicationRecord;
using store::ApplicationState;

std::string StateJa(ApplicationState s) { return std::string(ra::StateLabelJa(s)); }

// Why automatic review held an application (RA AutoReviewPolicy rule names), in Japanese
// with the rule name kept for operators.
std::string HoldReasonJa(const std::string& rule) {
  if (rule.empty()) return "";
  std::string ja = rule == "not_in_register" ? "医療機関等コードが登録簿にありません"
                   : rule == "name_mismatch" ? "名称が登録簿と一致しません"
                   : rule == "too_many_certificates"
                       ? "有効な証明書と申請中の数が上限に達しています"
                       : "自動審査の対象外です";
  return ja + "（" + rule + "）";
}

// The label shown on the confirmation screen for a select's value ("1:保険医療機関（医科）").
std::string DisplayValue(std::string_view field, const std::string& value) {
  if (field == "category") {
    if (auto c = domain::FindCategory(value)) return value + "：" + std::string(c->label_ja);
  } else if (field == "prefecture") {
    if (auto p = domain::FindPrefecture(value)) return value + "：" + std::string(p->name_ja);
  } else if (field == "score_table") {
    if (value.empty()) return "なし";
    if (auto s = domain::FindScoreTable(value)) return value + "：" + std::string(s->label_ja);
  }
  return value;
}

// Moves a session's idle end later, never earlier (two nodes may move it at once).
constexpr char kExtendSession[] =
    "UPDATE auth_tokens SET expires_at = $1 WHERE token_hash = $2 AND expires_at < $1";

std::optional<Session> LoadSession(const PortalDeps& d_, const web::Request& req) {
  auto token = CookieValue(req.Header("Cookie"), kSessionCookie);
  if (!token || token->empty()) return std::nullopt;
  auto principal = d_.auth.Authenticate(*token);
  if (!principal.ok()) return std::nullopt;
  const Instant now = d_.clock.Now();
  auto record = d_.accounts.GetToken(auth::TokenHash(*token), now);
  if (!record.ok() || record->kind != "session" || record->data.empty()) return std::nullopt;
  // Absolute end: session_max after login, however active. Idle end: the token's
  // expires_at, moved to now + session_idle when a request comes more than a minute
  // after the last move: one UPDATE, so that a request of the same session at that moment
  // (another tab, another node) never finds the row missing (it was deleted and put again
  // before, and such a request was sent to the login page: issue 22's portal benchmark).
  const Instant absolute_end = record->created_at + d_.session_max;
  if (now >= absolute_end) {
    (void)d_.accounts.DeleteToken(record->token_hash);
    return std::nullopt;
  }
  const Instant idle_end = std::min(absolute_end, now + d_.session_idle);
  if (idle_end - record->expires_at >= std::chrono::minutes(1) ||
      (d_.session_idle < std::chrono::minutes(2) && idle_end > record->expires_at)) {
    (void)store::RunInTransaction(d_.state, [&](store::SqlTx& tx) {
      const int64_t end =
          std::chrono::duration_cast<std::chrono::seconds>(idle_end.time_since_epoch()).count();
      return tx.Exec(kExtendSession, {end, record->token_hash}).status();
    });
  }
  Session s;
  s.caller.principal = std::move(*principal);
  s.caller.channel =
      s.caller.principal.kind == "operator" ? ra::Channel::kOperator : ra::Channel::kPortal;
  s.token = std::move(*token);
  s.csrf = std::move(record->data);
  return s;
}

std::optional<Session> ConsoleSession(const PortalDeps& d, const web::Request& req,
                                      const std::string& title, web::Response* refused) {
  auto s = LoadSession(d, req);
  if (!s) {
    *refused = Redirect("/portal/login");
    return std::nullopt;
  }
  if (!auth::Allows(s->caller.principal, auth::Permission::kRead, auth::kEveryInstitution)) {
    *refused = Message(&*s, 403, title,
                       "運用者コンソールは、認証局の運用者のアカウントでのみ利用できます。",
                       "/portal/", "マイページに戻る");
    return std::nullopt;
  }
  return s;
}

web::Response Logout(const PortalDeps& d, const web::Request& req, const std::string& login_page) {
  auto s = LoadSession(d, req);
  FormData f = FormData::Parse(req.body);
  if (s) {
    if (!CsrfMatches(s->csrf, f.Get("csrf"))) return CsrfRefused(&*s);
    (void)d.auth.RevokeToken(s->token);
  }
  auto r = Redirect(login_page + "?out=1");
  r.headers.emplace_back("Set-Cookie", SetCookie(kSessionCookie, "", req.tls, 0));
  return r;
}

web::Response RaFailure(const Session* s, const Status& st) {
  switch (st.code()) {
    case Code::kNotFound:
      return Message(s, 404, "申請が見つかりません",
                     "指定された申請は見つかりません。申請状況照会の画面から選び直してください。",
                     s ? "/portal/applications" : "", "申請状況照会に戻る");
    case Code::kForbidden:
    case Code::kUnauthorized:
      return Message(s, 403, "この操作はできません", "このアカウントでは、この操作はできません。",
                     s ? "/portal/" : "", "戻る");
    case Code::kFailedPrecondition:
    case Code::kConflict:
      return Message(
          s, 409, "この操作はできません",
          "申請の状態が変わったため、この操作はできません。一覧で最新の状態を確かめてください。",
          s ? "/portal/applications" : "", "申請状況照会に戻る");
    case Code::kInvalidArgument:
      return Message(s, 400, "入力を確かめてください", "入力された内容を受け付けられませんでした。",
                     s ? "/portal/" : "", "戻る");
    default:
      return Message(s, 503, "ただいま処理できません", "しばらくしてから、もう一度お試しください。",
                     s ? "/portal/" : "", "戻る");
  }
}

json Row(const ApplicationRecord& a, int n, const std::string& base) {
  return {{"n", n},
          {"request_id", a.request_id},
          {"submitted_on", Day(a.submitted_at)},
          {"contact_name", a.contact_name},
          {"terminal_name", a.terminal_name},
          {"institution_code", a.institution_code},
          {"institution_name", a.institution_name},
          {"state", StateJa(a.state)},
          {"state_class", std::string(store::ApplicationStateName(a.state))},
          {"held", a.state == ApplicationState::kPending && !a.hold_reason.empty()},
          {"hold_reason", HoldReasonJa(a.hold_reason)},
          {"issued_on", Day(a.issued_at)},
          {"not_after_on", Day(a.not_after)},
          {"deadline_on", Day(a.download_deadline)},
          {"can_cancel", a.state == ApplicationState::kPending},
          {"can_revoke", a.state == ApplicationState::kIssued},
          {"href", base + a.request_id}};
}

web::Response ConfirmPage(const Session* s, const ApplicationRecord& a, const std::string& op,
                          const std::string& reason) {
  const bool cancel = op == "cancel";
  const std::string base =
      s->caller.principal.kind == "operator" ? "/console/applications/" : "/portal/applications/";
  return Page(
      "confirm_action",
      {{"title", cancel ? "発行申請のキャンセル" : "証明書の失効"},
       {"question", cancel ? "電子証明書の発行申請のキャンセル処理を行います。よろしいでしょうか？"
                           : "電子証明書の失効申請を行います。よろしいでしょうか？"},
       {"action", base + a.request_id + "/" + op},
       {"back",
        s->caller.principal.kind == "operator" ? base + a.request_id : "/portal/applications"},
       {"row", Row(a, 1, base)},
       {"reason", op == "revoke" ? reason : ""}},
      s);
}

}  // namespace claimsca::portal
