// The new-institution pages (docs/newinst.md, docs/portal.md "新規開設の手続き"):
// /console/newinst for operators (list of 仮コード with state and deadlines; the form that
// issues one, newinst_manage) and /portal/newinst for a clinic (its own 仮コード, the
// chosen 診療開始月, the two deadlines with weekday, the on-screen reminder, and the form
// that enters the 受付番号, newinst_present on the 仮コード). Another's code is 404.

#include "portal/newinst_pages.h"

#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "domain/calendar.h"
#include "newinst/deadlines.h"
#include "newinst/reminders.h"
#include "portal/page.h"
#include "portal/routes.h"
#include "portal/util.h"
#include "portal/views.h"

namespace claimsca::portal {
namespace {

using newinst::Institution;
using nlohmann::json;

constexpr char kConsole[] = "/console/newinst";
constexpr char kPortal[] = "/portal/newinst";

json RowView(const Institution& in, Date today) {
  json row = {{"provisional_code", in.provisional_code},
              {"name", in.name},
              {"opening_month", in.opening_month},
              {"state", std::string(newinst::Name(in.state))},
              {"state_ja", std::string(newinst::JapaneseName(in.state))},
              {"reception_number", in.reception_number.value_or("")},
              {"real_code", in.real_code.value_or("")},
              {"late", in.presented_late},
              {"overdue", newinst::PresentationOverdue(in, today)}};
  if (auto m = newinst::ParseOpeningMonth(in.opening_month); m.ok()) {
    const newinst::Deadlines d = newinst::DeadlinesFor(*m);
    row["reply_deadline"] = newinst::FormatDeadline(d.reply);
    row["presentation_deadline"] = newinst::FormatDeadline(d.presentation);
    row["opening_month_ja"] = FormatMonthJa(*m);
  }
  return row;
}

// The on-screen reminder: the same rule as the mails (newinst::DueReminder).
std::string ReminderText(const Institution& in, Date today, const std::vector<int>& days) {
  const auto r = newinst::DueReminder(in, today, days);
  if (!r) return "";
  const std::string date = newinst::FormatDeadline(r->deadline);
  if (r->kind == newinst::DeadlineKind::kReply) {
    return "地方厚生（支）局からの受付番号の回答は " + date +
           " までに届く予定です。届いたら、提示期限までにこの画面で受付番号を登録してください。";
  }
  return "受付番号の提示期限は " + date + " です。期限までにこの画面で受付番号を登録してください。";
}

class NewinstWeb {
 public:
  NewinstWeb(PortalDeps d, const NewinstPages& p) : d_(std::move(d)), p_(p) {}

  // GET /console/newinst.
  web::Response Console(const web::Request& req) {
    web::Response refused;
    auto s = Operator(req, &refused);
    if (!s) return refused;
    return ConsolePage(*s, {}, "", "", 200);
  }

  // POST /console/newinst: issue a 仮コード.
  web::Response Issue(const web::Request& req) {
    web::Response refused;
    auto s = Operator(req, &refused);
    if (!s) return refused;
    FormData f = FormData::Parse(req.body);
    if (!CsrfMatches(s->csrf, f.Get("csrf"))) return CsrfRefused(&*s);
    newinst::NewInstitution n{f.Get("prefecture"),    f.Get("score_table"),    f.Get("category"),
                              f.Get("name"),          f.Get("postal_code"),    f.Get("address"),
                              f.Get("opening_month"), f.Get("billing_method"), f.Get("email")};
    auto r = p_.institutions->Issue(n, "account:" + s->caller.principal.account_id, d_.clock.Now());
    if (!r.ok()) {
      if (r.status().code() != Code::kInvalidArgument) return Unavailable(&*s, kConsole);
      return ConsolePage(*s, f, "", r.status().message(), 422);
    }
    return ConsolePage(*s, {}, r->provisional_code, "", 200);
  }

  // GET /portal/newinst.
  web::Response Portal(const web::Request& req) {
    web::Response refused;
    auto s = Clinic(req, &refused);
    if (!s) return refused;
    return PortalPage(*s, "", false, "", 200);
  }

  // POST /portal/newinst/present: the clinic enters its 受付番号.
  web::Response Present(const web::Request& req) {
    web::Response refused;
    auto s = Clinic(req, &refused);
    if (!s) return refused;
    FormData f = FormData::Parse(req.body);
    if (!CsrfMatches(s->csrf, f.Get("csrf"))) return CsrfRefused(&*s);
    const std::string code = f.Get("provisional_code");
    auto row = p_.institutions->FindByProvisional(code);
    if (!row.ok() || !auth::Allows(s->caller.principal, auth::Permission::kNewinstPresent, code)) {
      return NotFound(&*s);
    }
    std::string number;
    for (char c : f.Get("reception_number")) {
      if (c != '-' && c != ' ') number += c;
    }
    auto r = p_.institutions->Present(code, number, "account:" + s->caller.principal.account_id,
                                      d_.clock.Now());
    if (!r.ok()) {
      const Code c = r.status().code();
      if (c != Code::kInvalidArgument && c != Code::kFailedPrecondition) {
        return Unavailable(&*s, kPortal);
      }
      std::string message = r.status().message();
      if (auto colon = message.find(": ");
          c == Code::kInvalidArgument && colon != std::string::npos) {
        message = message.substr(colon + 2);
      }
      return PortalPage(*s, "", false, message, 422);
    }
    // The session's codes now include the 受付番号 (account_institutions).
    return PortalPage(*s, number, r->presented_late, "", 200);
  }

 private:
  std::optional<Session> Operator(const web::Request& req, web::Response* refused) {
    auto s = LoadSession(d_, req);
    if (!s) {
      *refused = Redirect("/portal/login");
      return std::nullopt;
    }
    if (!auth::Allows(s->caller.principal, auth::Permission::kNewinstManage)) {
      *refused = Message(&*s, 403, "新規開設（仮コード）",
                         "このアカウントの権限では、仮コードの管理はできません。", "/portal/",
                         "マイページに戻る");
      return std::nullopt;
    }
    return s;
  }

  std::optional<Session> Clinic(const web::Request& req, web::Response* refused) {
    auto s = LoadSession(d_, req);
    if (!s) {
      *refused = Redirect("/portal/login");
      return std::nullopt;
    }
    if (s->caller.principal.kind == "operator") {
      *refused = Redirect(kConsole);
      return std::nullopt;
    }
    if (s->caller.principal.kind != "institution") {  // the 国保連 accounts: not theirs
      *refused = NotFound(&*s);
      return std::nullopt;
    }
    return s;
  }

  static web::Response NotFound(const Session* s) {
    return Message(s, 404, "見つかりません", "お探しの仮コードは見つかりませんでした。", kPortal,
                   "新規開設の手続きに戻る");
  }
  static web::Response Unavailable(const Session* s, const char* back) {
    return Message(s, 503, "新規開設",
                   "ただいま処理できません。しばらくしてから、もう一度お試しください。", back,
                   "戻る");
  }

  web::Response ConsolePage(const Session& s, const FormData& f, const std::string& issued,
                            const std::string& error, int status) {
    auto rows = p_.institutions->List();
    if (!rows.ok()) return Unavailable(&s, "/console/");
    const Date today = JstDate(d_.clock.Now());
    json list = json::array();
    for (const Institution& in : *rows) list.push_back(RowView(in, today));
    json data = {{"title", "新規開設（仮コード）"},
                 {"rows", list},
                 {"no_rows", list.empty()},
                 {"issued", issued},
                 {"error", error},
                 {"csrf", s.csrf},
                 {"can_issue", true}};
    for (const char* k :
         {"prefecture", "category", "name", "postal_code", "address", "opening_month", "email"}) {
      data[std::string("form_") + k] = f.Get(k);
    }
    return Page("console_newinst", data, &s, status);
  }

  web::Response PortalPage(const Session& s, const std::string& presented, bool late,
                           const std::string& error, int status) {
    const Date today = JstDate(d_.clock.Now());
    json rows = json::array();
    std::set<std::string> seen;
    // The session's codes as loaded; a 受付番号 just presented belongs to a row already seen.
    for (const std::string& code : s.caller.principal.institution_codes) {
      auto in = p_.institutions->FindByAnyCode(code);
      if (!in.ok()) {
        if (in.status().code() == Code::kNotFound) continue;
        return Unavailable(&s, "/portal/");
      }
      if (!seen.insert(in->provisional_code).second) continue;
      if (!auth::Allows(s.caller.principal, auth::Permission::kNewinstPresent,
                        in->provisional_code)) {
        continue;
      }
      json row = RowView(*in, today);
      row["reminder"] = ReminderText(*in, today, p_.reminder_days_before);
      row["can_present"] = in->state == newinst::State::kProvisional;
      rows.push_back(std::move(row));
    }
    json data = {{"title", "新規開設の手続き"},
                 {"rows", rows},
                 {"no_rows", rows.empty()},
                 {"presented", presented},
                 {"presented_late", late},
                 {"error", error},
                 {"csrf", s.csrf}};
    return Page("newinst", data, &s, status);
  }

  PortalDeps d_;
  const NewinstPages& p_;  // outlives the router (PortalDeps::newinst)
};

}  // namespace

void AddNewinstRoutes(web::Router& router, const PortalDeps& deps) {
  if (!deps.newinst || !deps.newinst->institutions) return;
  auto self = std::make_shared<NewinstWeb>(deps, *deps.newinst);
  auto bind = [self](web::Response (NewinstWeb::*fn)(const web::Request&)) {
    return [self, fn](const web::Request& r) { return (self.get()->*fn)(r); };
  };
  web::RouteOptions slow{.slow = true};
  router.Handle("GET", kConsole, false, bind(&NewinstWeb::Console), slow);
  router.Handle("POST", kConsole, false, bind(&NewinstWeb::Issue), slow);
  router.Handle("GET", kPortal, false, bind(&NewinstWeb::Portal), slow);
  router.Handle("POST", "/portal/newinst/present", false, bind(&NewinstWeb::Present), slow);
}

}  // namespace claimsca::portal
