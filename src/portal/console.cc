// The operator console (docs/portal.md): counts per status, the review queue with
// filters and search, an application's detail with the register beside it and its history
// (console_review.cc), approve / reject after a confirmation step, revoke on behalf, and the
// register upload. Every word shown comes from labels.h, never an internal code.

#include <cstring>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "crypto/ossl.h"
#include "portal/console_review.h"
#include "portal/labels.h"
#include "portal/page.h"
#include "portal/routes.h"
#include "portal/util.h"
#include "portal/views.h"
#include "store/register_csv.h"

namespace claimsca::portal {
namespace {

using nlohmann::json;
using store::ApplicationRecord;
using store::ApplicationState;

class Console {
 public:
  explicit Console(PortalDeps deps) : d_(std::move(deps)) {}

  // The session of someone who reads every institution; else `refused` is set. An
  // application page (`resource`) answers an institution account 404, as for any
  // application it may not read (docs/accounts.md: not found, never forbidden).
  std::optional<Session> OperatorSession(const web::Request& req, web::Response* refused,
                                         bool resource = false) {
    auto s = LoadSession(d_, req);
    if (!s) {
      *refused = Redirect("/portal/login");
      return std::nullopt;
    }
    if (!auth::Allows(s->caller.principal, auth::Permission::kRead, auth::kEveryInstitution)) {
      if (resource) {
        *refused = RaFailure(&*s, NotFound("application"));
        return std::nullopt;
      }
      *refused = Message(&*s, 403, "運用者コンソール",
                         "運用者コンソールは、認証局の運用者のアカウントでのみ利用できます。",
                         "/portal/", "マイページに戻る");
      return std::nullopt;
    }
    return s;
  }

  web::Response Dashboard(const web::Request& req) {
    web::Response refused;
    auto s = OperatorSession(req, &refused);
    if (!s) return refused;
    FormData q = FormData::Parse(req.query);
    store::ApplicationFilter filter;
    filter.limit = 100;
    std::string state = q.Has("state") ? q.Get("state") : "held";
    if (state == "held") {
      filter.only_held = true;
    } else if (!state.empty() && state != "all") {
      auto parsed = store::ParseApplicationState(state);
      if (parsed.ok()) filter.state = *parsed;
    }
    std::string search = q.Get("q");
    std::string trimmed;
    for (char c : search) {
      if (c != ' ' && c != ':' && c != '-') trimmed.push_back(c);
    }
    std::string search_note;
    if (!trimmed.empty()) {
      if (IsRequestIdSyntax(trimmed)) {
        filter.request_id = trimmed;
        search_note = "リクエストID";
      } else if ((trimmed.size() == 10 || trimmed.size() == 8) &&
                 trimmed.find_first_not_of("0123456789") == std::string::npos) {
        filter.institution_codes = {trimmed};
        search_note = "医療機関等コード・保険者番号";
      } else if (auto serial = crypto::CanonicalSerialHex(trimmed); serial.ok()) {
        filter.serial = *serial;
        search_note = "シリアル番号";
      } else {
        search_note = "（検索できない形式です）";
        filter.request_id = "-";
      }
      filter.only_held = false;
      filter.state.reset();
      state = "all";
    }
    auto page = d_.ra.List(s->caller, filter);
    if (!page.ok()) return RaFailure(&*s, page.status());
    json rows = json::array();
    int n = 0;
    for (const auto& a : page->items) {
      json row = Row(a, ++n, "/console/applications/");
      row["hold_reason"] = labels::HoldReason(a.hold_reason);
      rows.push_back(std::move(row));
    }
    json counts = json::array();
    counts.push_back({{"label", "審査待ち（保留）"},
                      {"state", "held"},
                      {"count", CountState(s->caller, ApplicationState::kPending, true)}});
    for (ApplicationState st :
         {ApplicationState::kPending, ApplicationState::kIssued, ApplicationState::kRejected,
          ApplicationState::kCancelled, ApplicationState::kRevoked}) {
      counts.push_back({{"label", labels::State(st)},
                        {"state", std::string(store::ApplicationStateName(st))},
                        {"count", CountState(s->caller, st, false)}});
    }
    json states = json::array();
    for (const auto& [value, label] :
         std::vector<std::pair<std::string, std::string>>{{"held", "審査待ち（保留）"},
                                                          {"pending", "発行承認待ち"},
                                                          {"issued", "発行済み"},
                                                          {"rejected", "発行申請棄却"},
                                                          {"cancelled", "申請取消済み"},
                                                          {"revoked", "失効済み"},
                                                          {"all", "すべて"}}) {
      states.push_back({{"value", value}, {"label", label}, {"selected", value == state}});
    }
    return Page("console",
                {{"title", "運用者コンソール"},
                 {"rows", rows},
                 {"empty", rows.empty()},
                 {"counts", counts},
                 {"states", states},
                 {"q", search},
                 {"search_note", search_note},
                 {"billing", d_.billing != nullptr},
                 {"notices", d_.notices != nullptr},
                 {"newinst_import", d_.newinst_store != nullptr},
                 {"kokuhoren", d_.kokuhoren != nullptr && d_.kokuhoren->queue != nullptr}},
                &*s);
  }

  // 登録簿の取込: the institution register CSV uploaded (multipart/form-data), parsed and
  // stored as a new version in one transaction, or refused as a whole with its errors.
  web::Response ConsoleRegister(const web::Request& req) {
    web::Response refused;
    auto s = OperatorSession(req, &refused);
    if (!s) return refused;
    if (!d_.register_writer ||
        !auth::Allows(s->caller.principal, auth::Permission::kImportRegister)) {
      return Message(&*s, 403, "登録簿の取込", "このアカウントの権限では、登録簿を取り込めません。",
                     "/console/", "コンソールに戻る");
    }
    json data = {{"title", "登録簿の取込"}};
    if (req.method != "POST") return Page("console_register", data, &*s);
    auto parts = ParseMultipart(req.Header("Content-Type"), req.body);
    auto part = [&](std::string_view name) { return MultipartPart(parts, name); };
    if (!parts || !CsrfMatches(s->csrf, part("csrf"))) return CsrfRefused(&*s);
    const std::string text = part("file");
    if (text.empty()) {
      data["error"] = "取り込むファイル（CSV）を選んでください。";
      return Page("console_register", data, &*s, 422);
    }
    auto rows = store::ParseRegisterCsv(text);
    if (!rows.ok()) {
      data["error"] =
          "ファイルに誤りがあるため、取り込みませんでした（登録簿は変わっていません）。";
      json details = json::array();
      std::string m = rows.status().message();
      for (size_t p = 0; p != std::string::npos;) {
        size_t q = m.find("; ", p);
        std::string item = m.substr(p, q == std::string::npos ? q : q - p);
        // "register csv: 2 error(s)" → the count in Japanese; the lines stay as the parser
        // wrote them ("line N, <field>: <why>"), for operators.
        if (size_t c = item.find(": "); p == 0 && c != std::string::npos) {
          item = "誤り " + item.substr(c + 2, item.find(' ', c + 2) - c - 2) + " 件（最初の10件）";
        }
        details.push_back(std::move(item));
        p = q == std::string::npos ? q : q + 2;
      }
      data["details"] = details;
      data["has_details"] = !details.empty();
      return Page("console_register", data, &*s, 422);
    }
    auto version = d_.register_writer->ImportRegister(*rows, "console upload", s->caller.Actor(),
                                                      d_.clock.Now());
    if (!version.ok()) {
      data["error"] = "取り込めませんでした（" + version.status().message() + "）。";
      return Page("console_register", data, &*s,
                  version.status().code() == Code::kConflict ? 409 : 503);
    }
    data["done"] = true;
    data["rows"] = GroupDigits(static_cast<long long>(rows->size()));
    data["version"] = *version;
    return Page("console_register", data, &*s);
  }

  // Counted by paging through the list (at most 10,000; more shows as "10000+").
  std::string CountState(const ra::Caller& caller, ApplicationState st, bool held) {
    store::ApplicationFilter f;
    f.state = st;
    f.only_held = held;
    f.limit = 500;
    int64_t total = 0;
    for (int i = 0; i < 20; ++i) {
      auto page = d_.ra.List(caller, f);
      if (!page.ok()) return "?";
      total += static_cast<int64_t>(page->items.size());
      if (page->next_before_seq == 0) return std::to_string(total);
      f.before_seq = page->next_before_seq;
    }
    return std::to_string(total) + "+";
  }

  // /console/applications/{id}[/approve|/reject|/revoke]
  web::Response ConsoleApplication(const web::Request& req) {
    web::Response refused;
    auto s = OperatorSession(req, &refused, /*resource=*/true);
    if (!s) return refused;
    const auto [id, action] = IdAndAction(req.path, "/console/applications/");
    if (!IsRequestIdSyntax(id)) return RaFailure(&*s, NotFound("request id"));
    if (req.method == "GET" && action.empty()) return ConsoleDetail(*s, id, req.query, "");
    if (req.method != "POST") return RaFailure(&*s, NotFound("no such page"));
    FormData f = FormData::Parse(req.body);
    if (!CsrfMatches(s->csrf, f.Get("csrf"))) return CsrfRefused(&*s);
    if (action == "approve" || action == "reject") return Review(*s, id, action, f);
    if (action == "revoke") {
      auto a = d_.ra.Get(s->caller, id);
      if (!a.ok()) return RaFailure(&*s, a.status());
      if (f.Get("confirmed") != "1") return ConfirmPage(&*s, *a, "revoke", f.Get("reason"));
      int reason = 0;
      const std::string r = f.Get("reason");
      if (r == "keyCompromise") reason = 1;
      if (r == "affiliationChanged") reason = 3;
      if (r == "superseded") reason = 4;
      if (r == "cessationOfOperation") reason = 5;
      Status st = d_.ra.Revoke(s->caller, id, reason);
      if (!st.ok()) return Back(*s, id, st);
      return Redirect("/console/applications/" + id + "?done=revoke");
    }
    return RaFailure(&*s, NotFound("no such operation"));
  }

  // approve / reject: the confirmation page first (and again, saying nothing changed, when
  // the confirmation box was not ticked); the RA only with confirmed=1. A rejection needs
  // its reason (kept in the application's reject_reason, shown to the clinic and mailed).
  web::Response Review(const Session& s, const std::string& id, const std::string& op,
                       const FormData& f) {
    const std::string reason = f.Get("reason");
    if (op == "reject" && reason.find_first_not_of(" \t\r\n") == std::string::npos) {
      return ConsoleDetail(s, id, "", "棄却の理由を入力してください。");
    }
    auto a = d_.ra.Get(s.caller, id);
    if (!a.ok()) return RaFailure(&s, a.status());
    if (a->state != ApplicationState::kPending) {
      return Message(&s, 409, "この操作はできません",
                     "この申請は「" + labels::State(a->state) +
                         "」のため、承認・棄却はできません（変更はしていません）。",
                     "/console/applications/" + id, "申請の詳細に戻る");
    }
    if (f.Get("confirmed") != "1") {
      const std::string error =
          f.Get("step") == "confirm"
              ? (op == "approve"
                     ? "確認の欄にチェックを入れてから押してください。まだ承認していません。"
                     : "確認の欄にチェックを入れてから押してください。まだ棄却していません。")
              : "";
      return ReviewConfirmPage(s, *a, op, reason, RegisterComparison(d_.register_reader, *a),
                               error);
    }
    if (op == "approve") {
      auto approved = d_.ra.Approve(s.caller, id);
      if (!approved.ok()) return Back(s, id, approved.status());
      return Redirect("/console/applications/" + id + "?done=approve");
    }
    Status st = d_.ra.Reject(s.caller, id, reason);
    if (!st.ok()) return Back(s, id, st);
    return Redirect("/console/applications/" + id + "?done=reject");
  }

  web::Response Back(const Session& s, const std::string& id, const Status& st) {
    if (st.code() == Code::kNotFound) return RaFailure(&s, st);
    return Message(&s, web::HttpStatusFor(st.code()), "この操作はできません", ConsoleError(st),
                   "/console/applications/" + id, "申請の詳細に戻る");
  }

  static std::string ConsoleError(const Status& st) {
    switch (st.code()) {
      case Code::kForbidden:
        return "このアカウントの権限では、この操作はできません。";
      case Code::kFailedPrecondition:
      case Code::kConflict:
        return "申請の状態が変わったため、この操作はできません（" + st.message() + "）。";
      default:
        return "処理できませんでした（" + st.message() + "）。";
    }
  }

  web::Response ConsoleDetail(const Session& s, const std::string& id, std::string_view query,
                              const std::string& reject_error) {
    auto a = d_.ra.Get(s.caller, id);
    if (!a.ok()) return RaFailure(&s, a.status());
    json history = HistoryFromRecord(*a);
    if (d_.audit) {
      auto trail = d_.audit->AuditBySubject(id, 200);
      if (trail.ok()) history = HistoryRows(*trail);
    }
    FormData q = FormData::Parse(query);
    std::string done = q.Get("done") == "approve"  ? "承認し、証明書を発行しました。"
                       : q.Get("done") == "reject" ? "棄却しました。"
                       : q.Get("done") == "revoke" ? "失効しました。"
                                                   : "";
    json fields = json::array();
    auto add = [&](const char* label, const std::string& value) {
      if (!value.empty()) fields.push_back({{"label", label}, {"value", value}});
    };
    add("リクエストID", a->request_id);
    add("ステータス", labels::State(a->state));
    add("保留の理由",
        a->state == ApplicationState::kPending ? labels::HoldReason(a->hold_reason) : "");
    add("申請者の種類", a->applicant_kind == "insurer" ? "医療保険者等" : "医療機関等");
    add("分類", DisplayValue("category", a->category));
    add("医療機関等コード・保険者番号", a->institution_code);
    add("名称", a->institution_name);
    add("担当部署/担当者名", a->contact_name);
    add("電話番号", a->phone);
    add("メールアドレス", a->email);
    add("端末名称等", a->terminal_name);
    add("申請日時", Minute(a->submitted_at));
    add("申請経路", labels::Channel(a->channel));
    add("申請アカウント", a->account_id);
    add("棄却の理由", a->reject_reason);
    add("シリアル番号", a->serial);
    add("証明書の名前（Common Name）", a->common_name);
    add("発行日", Day(a->issued_at));
    add("証明書有効期限", Day(a->not_after));
    add("ダウンロード有効期限", Day(a->download_deadline));
    if (a->state == ApplicationState::kIssued) {
      add("ダウンロード回数", std::to_string(a->download_count));
      add("ダウンロードパスワードの引き渡し", a->sealed_password.empty() ? "済み" : "まだ");
    }
    json data = {{"title", "申請の詳細（運用者）"},
                 {"request_id", a->request_id},
                 {"fields", fields},
                 {"history", history},
                 {"register", RegisterComparison(d_.register_reader, *a)},
                 {"pending", a->state == ApplicationState::kPending},
                 {"issued", a->state == ApplicationState::kIssued},
                 {"done", done},
                 {"reject_error", reject_error}};
    return Page("console_detail", data, &s, reject_error.empty() ? 200 : 422);
  }

 private:
  PortalDeps d_;
};

}  // namespace

void AddConsoleRoutes(web::Router& router, const PortalDeps& deps) {
  auto self = std::make_shared<Console>(deps);
  auto bind = [self](web::Response (Console::*fn)(const web::Request&)) {
    return [self, fn](const web::Request& r) { return (self.get()->*fn)(r); };
  };
  web::RouteOptions slow{.slow = true};
  router.Handle("GET", "/console/", false, bind(&Console::Dashboard), slow);
  router.Handle("GET", "/console/register", false, bind(&Console::ConsoleRegister), slow);
  router.Handle("POST", "/console/register", false, bind(&Console::ConsoleRegister), slow);
  router.Handle("GET", "/console/applications/", true, bind(&Console::ConsoleApplication), slow);
  router.Handle("POST", "/console/applications/", true, bind(&Console::ConsoleApplication), slow);
  AddConsoleNoticeRoutes(router, deps);  // console_notices.cc
}

}  // namespace claimsca::portal
