#include "portal/kokuhoren_views.h"

#include "common/time_util.h"
#include "kokuhoren/types.h"
#include "portal/util.h"
#include "portal/views.h"

namespace claimsca::portal {

using nlohmann::json;

std::optional<KjContext> LoadKj(const PortalDeps& d, const KokuhorenPages& k,
                                const web::Request& req, web::Response* refused,
                                bool password_page) {
  auto s = LoadSession(d, req);
  if (!s) {
    *refused = Redirect("/kj/login");
    return std::nullopt;
  }
  const std::string& kind = s->caller.principal.kind;
  if (kind == "operator") {
    *refused = Redirect("/console/kokuhoren");
    return std::nullopt;
  }
  if (!IsKjAccount(kind)) {
    *refused = Redirect("/portal/");
    return std::nullopt;
  }
  auto account = k.account ? k.account(s->caller.principal.account_id)
                           : Result<KjAccount>(Unavailable("no kokuhoren accounts"));
  if (!account.ok()) {
    *refused = Message(&*s, 503, "ただいま処理できません",
                       "しばらくしてから、もう一度お試しください。", "/kj/login", "ログイン画面へ");
    return std::nullopt;
  }
  KjContext c{std::move(*s), std::move(*account)};
  if (c.account.must_change_password && !password_page) {
    *refused = Redirect("/kj/password");
    return std::nullopt;
  }
  return c;
}

std::optional<std::string> KjOfficeOf(const KjContext& c, auth::Permission perm,
                                      const std::string& requested) {
  std::string office = requested;
  if (office.empty() && !c.account.offices.empty()) office = c.account.offices.front().number;
  if (office.empty() || !auth::Allows(c.s.caller.principal, perm, office)) return std::nullopt;
  return office;
}

bool IsKjAccount(std::string_view kind) {
  return kind == kokuhoren::kOfficeKind || kind == kokuhoren::kAgentKind;
}

web::Response KjPage(std::string_view tmpl, json data, const KjContext* c, int status) {
  data["kj"] = true;
  if (c) {
    data["kj_user"] = c->account.user_id;
    data["kj_name"] = c->account.name;
    data["kj_agent"] = c->account.agent;
    data["kj_menu"] = !c->account.must_change_password;
  }
  return Page(tmpl, std::move(data), c ? &c->s : nullptr, status);
}

web::Response KjMessage(const KjContext* c, int status, std::string title, std::string message,
                        std::string back, std::string back_label) {
  return KjPage("message",
                {{"title", std::move(title)},
                 {"message", std::move(message)},
                 {"back", std::move(back)},
                 {"back_label", std::move(back_label)}},
                c, status);
}

std::string KjStateJa(std::string_view state) {
  if (state == "awaiting_payment") return "入金確認待ち";
  if (state == "pending") return "発行申請中";
  if (state == "issued") return "発行済み";
  if (state == "revoked") return "失効済み";
  if (state == "cancelled") return "取消";
  if (state == "expired") return "有効期限切れ";
  return std::string(state);
}

std::string KjUsageJa(std::string_view usage) {
  auto u = kokuhoren::ParseUsageCategory(usage);
  return u ? std::string(kokuhoren::JapaneseName(*u)) : std::string(usage);
}

std::string KjPaymentJa(std::string_view payment) {
  auto m = kokuhoren::ParsePaymentMethod(payment);
  return m ? std::string(kokuhoren::JapaneseName(*m)) : std::string(payment);
}

std::string KjDateJa(Instant t) { return FormatDateJa(t); }

std::string KjYen(int64_t yen) { return GroupDigits(yen) + "円"; }

}  // namespace claimsca::portal
