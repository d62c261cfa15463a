// The console's 補助金 pages (docs/qualcheck.md "Subsidy"): the list by state with the
// keyed entry of a paper 申請書 (subsidy_apply, reviewer and up), the detail with the
// receipts and the computed amount, 承認 / 却下 (subsidy_review, reviewer and up), and the
// payment file with its download and the payment confirmation (subsidy_pay, operator and
// up).

#include <memory>
#include <nlohmann/json.hpp>

#include "common/iso_date.h"
#include "portal/page.h"
#include "portal/routes.h"
#include "portal/subsidy_pages.h"
#include "portal/subsidy_views.h"
#include "portal/views.h"

namespace claimsca::portal {
namespace {

using auth::Permission;
using nlohmann::json;

constexpr char kList[] = "/console/subsidy";

class SubsidyConsole {
 public:
  SubsidyConsole(PortalDeps d, const SubsidyPages& p) : d_(std::move(d)), p_(p) {}

  // GET /console/subsidy
  web::Response List(const web::Request& req) {
    web::Response refused;
    auto s = Operator(req, Permission::kSubsidyReview, &refused);
    if (!s) return refused;
    return ListPage(*s, FormData::Parse(req.query), FormData::Parse(""), json::object(), 200);
  }

  // POST /console/subsidy/apply: a keyed paper form (計算する / 申請する).
  web::Response Apply(const web::Request& req) {
    web::Response refused;
    auto s = Operator(req, Permission::kSubsidyApply, &refused);
    if (!s) return refused;
    const FormData f = FormData::Parse(req.body);
    if (!CsrfMatches(s->csrf, f.Get("csrf"))) return CsrfRefused(&*s);
    json extra = json::object();
    Result<std::vector<subsidy::Receipt>> receipts = SubsidyReceiptsFromForm(f);
    Result<subsidy::Calculation> calc =
        receipts.ok() ? p_.preview(*receipts) : Result<subsidy::Calculation>(receipts.status());
    if (!calc.ok()) {
      extra["error"] = std::string(calc.status().message());
      return ListPage(*s, FormData::Parse(""), f, extra, 422);
    }
    if (f.Get("action") != "submit") {
      extra["calc"] = SubsidyCalculationJson(*calc);
      return ListPage(*s, FormData::Parse(""), f, extra, 200);
    }
    Result<subsidy::Application> a = p_.apply(subsidy::ApplyRequest{
        f.Get("code"), "", subsidy::Channel::kPaper, *receipts, s->caller.Actor()});
    if (!a.ok()) {
      extra["error"] = std::string(a.status().message());
      return ListPage(*s, FormData::Parse(""), f, extra,
                      a.status().code() == Code::kConflict ? 409 : 422);
    }
    return Redirect(std::string(kList) + "/" + a->application_id + "?done=applied");
  }

  // GET /console/subsidy/{id}; POST /console/subsidy/{id}/approve | /reject
  web::Response Detail(const web::Request& req) {
    web::Response refused;
    auto s = Operator(req, Permission::kSubsidyReview, &refused);
    if (!s) return refused;
    const auto [id, action] = IdAndAction(req.path, "/console/subsidy/");
    if (!action.empty()) return NotFoundPage(&*s);
    auto a = p_.get(id);
    if (!a.ok()) return a.status().code() == Code::kNotFound ? NotFoundPage(&*s) : Busy(&*s);
    const std::string done = FormData::Parse(req.query).Get("done");
    json data = {{"title", "補助金申請 " + a->application_id},
                 {"app", SubsidyApplicationJson(*a)},
                 {"review", a->state == subsidy::State::kSubmitted},
                 {"done", done == "approve"   ? "承認しました。"
                          : done == "reject"  ? "却下しました。"
                          : done == "applied" ? "申請書の入力を登録しました。"
                                              : ""}};
    return Page("console_subsidy_detail", data, &*s);
  }

  web::Response Action(const web::Request& req) {
    web::Response refused;
    auto s = Operator(req, Permission::kSubsidyReview, &refused);
    if (!s) return refused;
    const auto [id, action] = IdAndAction(req.path, "/console/subsidy/");
    const FormData f = FormData::Parse(req.body);
    if (!CsrfMatches(s->csrf, f.Get("csrf"))) return CsrfRefused(&*s);
    Result<subsidy::Application> r =
        action == "approve"  ? p_.approve(id, s->caller.Actor())
        : action == "reject" ? p_.reject(id, f.Get("reason"), s->caller.Actor())
                             : Result<subsidy::Application>(NotFound("no such operation"));
    if (!r.ok()) return Refused(&*s, r.status(), std::string(kList) + "/" + id);
    return Redirect(std::string(kList) + "/" + id + "?done=" + action);
  }

  // POST /console/subsidy/payment-file (date): makes the file, shows it with its download.
  web::Response PaymentFile(const web::Request& req) {
    web::Response refused;
    auto s = Operator(req, Permission::kSubsidyPay, &refused);
    if (!s) return refused;
    const FormData f = FormData::Parse(req.body);
    if (!CsrfMatches(s->csrf, f.Get("csrf"))) return CsrfRefused(&*s);
    auto file = p_.payment_file(f.Get("date"), s->caller.Actor());
    if (!file.ok()) return Refused(&*s, file.status(), kList);
    return FilePage(*s, *file, "");
  }

  // GET /console/subsidy/payment-files/{date}.csv | .csv.sha256;
  // POST /console/subsidy/payment-files/{date}/paid
  web::Response File(const web::Request& req) {
    web::Response refused;
    auto s = Operator(req, Permission::kSubsidyPay, &refused);
    if (!s) return refused;
    const auto [name, action] = IdAndAction(req.path, "/console/subsidy/payment-files/");
    if (req.method == "POST") {
      if (action != "paid") return NotFoundPage(&*s);
      const FormData f = FormData::Parse(req.body);
      if (!CsrfMatches(s->csrf, f.Get("csrf"))) return CsrfRefused(&*s);
      auto n = p_.mark_paid(name, s->caller.Actor());
      if (!n.ok()) return Refused(&*s, n.status(), kList);
      auto file = p_.stored_payment_file(name);
      if (!file.ok()) return Refused(&*s, file.status(), kList);
      return FilePage(*s, *file, std::to_string(*n) + "件の支払を記録しました。");
    }
    const bool sha = name.ends_with(".csv.sha256");
    if (!action.empty() || !(sha || name.ends_with(".csv"))) return NotFoundPage(&*s);
    auto file = p_.stored_payment_file(name.substr(0, 10));
    if (!file.ok()) return Refused(&*s, file.status(), kList);
    auto r = web::Response::Bytes(sha ? "text/plain; charset=utf-8" : "text/csv; charset=utf-8",
                                  sha ? file->sha256_content : file->content);
    r.headers.emplace_back(
        "Content-Disposition",
        "attachment; filename=\"" + (sha ? file->sha256_file_name : file->file_name) + "\"");
    return WithHeaders(std::move(r));
  }

 private:
  std::optional<Session> Operator(const web::Request& req, Permission perm,
                                  web::Response* refused) {
    auto s = LoadSession(d_, req);
    if (!s) {
      *refused = Redirect("/portal/login");
      return std::nullopt;
    }
    if (s->caller.principal.kind != "operator") {
      *refused = Message(&*s, 403, "運用者コンソール",
                         "運用者コンソールは、認証局の運用者のアカウントでのみ利用できます。",
                         "/portal/", "戻る");
      return std::nullopt;
    }
    if (!auth::Allows(s->caller.principal, perm, auth::kEveryInstitution)) {
      *refused = Message(&*s, 403, "この操作はできません",
                         "このアカウントの権限では、この操作はできません。", kList, "一覧に戻る");
      return std::nullopt;
    }
    return s;
  }

  web::Response ListPage(const Session& s, const FormData& q, const FormData& form, json data,
                         int status) {
    std::optional<subsidy::State> state;
    const std::string wanted = q.Has("state") ? q.Get("state") : "submitted";
    if (wanted != "all") {
      auto st = subsidy::ParseState(wanted);
      if (st.ok()) state = *st;
    }
    auto list = p_.list(state, std::nullopt);
    if (!list.ok()) return Busy(&s);
    json rows = json::array();
    for (const subsidy::Application& a : *list) rows.push_back(SubsidyApplicationJson(a));
    json states = json::array();
    for (const auto& [value, label] :
         std::vector<std::pair<std::string, std::string>>{{"submitted", "申請中"},
                                                          {"approved", "承認"},
                                                          {"rejected", "却下"},
                                                          {"paid", "支払済み"},
                                                          {"all", "すべて"}}) {
      states.push_back({{"value", value}, {"label", label}, {"selected", value == wanted}});
    }
    data["title"] = "運用者コンソール（補助金）";
    data["rows"] = rows;
    data["empty"] = rows.empty();
    data["states"] = states;
    data["code"] = form.Get("code");
    data["receipt_rows"] = SubsidyReceiptRows(form);
    data["can_key"] = auth::Allows(s.caller.principal, Permission::kSubsidyApply);
    data["can_pay"] = auth::Allows(s.caller.principal, Permission::kSubsidyPay);
    data["today"] = IsoDate(JstDate(d_.clock.Now()));
    return Page("console_subsidy", data, &s, status);
  }

  web::Response FilePage(const Session& s, const subsidy::PaymentFile& f, std::string done) {
    const std::string base = "/console/subsidy/payment-files/" + f.file_date;
    return Page("console_subsidy_file",
                {{"title", "補助金 支払ファイル " + f.file_date},
                 {"date", f.file_date},
                 {"file_name", f.file_name},
                 {"lines", f.lines},
                 {"total", SubsidyYen(f.total_yen)},
                 {"sha256", f.sha256_content.substr(0, 64)},
                 {"created", f.created},
                 {"csv", base + ".csv"},
                 {"sha_href", base + ".csv.sha256"},
                 {"paid_action", base + "/paid"},
                 {"done", done}},
                &s);
  }

  static web::Response NotFoundPage(const Session* s) {
    return Message(s, 404, "見つかりません", "指定された補助金申請は見つかりません。", kList,
                   "一覧に戻る");
  }
  static web::Response Busy(const Session* s) {
    return Message(s, 503, "補助金", "ただいま表示できません。", kList, "一覧に戻る");
  }
  static web::Response Refused(const Session* s, const Status& st, const std::string& back) {
    switch (st.code()) {
      case Code::kNotFound:
        return Message(s, 404, "見つかりません", st.message(), back, "戻る");
      case Code::kInvalidArgument:
        return Message(s, 422, "入力を確認してください", st.message(), back, "戻る");
      case Code::kFailedPrecondition:
      case Code::kConflict:
        return Message(s, 409, "この操作はできません", st.message(), back, "戻る");
      default:
        return Busy(s);
    }
  }

  PortalDeps d_;
  const SubsidyPages& p_;  // outlives the router (PortalDeps::subsidy)
};

}  // namespace

void AddSubsidyConsoleRoutes(web::Router& router, const PortalDeps& deps) {
  if (!deps.subsidy || !deps.subsidy->list) return;
  auto self = std::make_shared<SubsidyConsole>(deps, *deps.subsidy);
  web::RouteOptions slow{.slow = true};
  auto route = [&](const char* method, const char* path, bool prefix,
                   web::Response (SubsidyConsole::*fn)(const web::Request&)) {
    router.Handle(
        method, path, prefix, [self, fn](const web::Request& r) { return ((*self).*fn)(r); }, slow);
  };
  route("GET", "/console/subsidy", false, &SubsidyConsole::List);
  route("POST", "/console/subsidy/apply", false, &SubsidyConsole::Apply);
  route("POST", "/console/subsidy/payment-file", false, &SubsidyConsole::PaymentFile);
  route("GET", "/console/subsidy/payment-files/", true, &SubsidyConsole::File);
  route("POST", "/console/subsidy/payment-files/", true, &SubsidyConsole::File);
  route("GET", "/console/subsidy/", true, &SubsidyConsole::Detail);
  route("POST", "/console/subsidy/", true, &SubsidyConsole::Action);
}

}  // namespace claimsca::portal
