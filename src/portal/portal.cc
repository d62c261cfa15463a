#include "portal/portal.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>

#include "auth/token.h"
#include "common/time_util.h"
#include "crypto/ossl.h"
#include "crypto/random.h"
#include "domain/category.h"
#include "domain/prefecture.h"
#include "portal/application_detail.h"
#include "portal/apply_prefill.h"
#include "portal/kokuhoren_views.h"
#include "portal/page.h"
#include "portal/render.h"
#include "portal/routes.h"
#include "portal/throttle.h"
#include "portal/util.h"
#include "portal/views.h"
#include "store/register_csv.h"

namespace claimsca::portal {
namespace {

using nlohmann::json;
using store::ApplicationRecord;
using store::ApplicationState;

// The twelve fields of the flat form, in the order of the guide's screens.
const std::pair<const char*, std::string ra::ApplicationForm::*> kFormFields[] = {
    {"applicant_kind", &ra::ApplicationForm::applicant_kind},
    {"category", &ra::ApplicationForm::category},
    {"prefecture", &ra::ApplicationForm::prefecture},
    {"score_table", &ra::ApplicationForm::score_table},
    {"facility_code", &ra::ApplicationForm::facility_code},
    {"institution_name", &ra::ApplicationForm::institution_name},
    {"insurer_number", &ra::ApplicationForm::insurer_number},
    {"insurer_name", &ra::ApplicationForm::insurer_name},
    {"contact_name", &ra::ApplicationForm::contact_name},
    {"phone", &ra::ApplicationForm::phone},
    {"email", &ra::ApplicationForm::email},
    {"terminal_name", &ra::ApplicationForm::terminal_name},
};

ra::ApplicationForm FormFrom(const FormData& f) {
  ra::ApplicationForm form;
  for (const auto& [name, member] : kFormFields) form.*member = f.Get(name);
  form.applicant_kind = form.applicant_kind == "insurer" ? "insurer" : "institution";
  if (form.applicant_kind == "insurer") form.category = "7";
  return form;
}

struct FieldSpec {
  const char* name;
  const char* label;
  const char* help;
  const char* type;  // "text", "tel", "email", "select"
};

// 図表4 and 図表6: each field with its help text. The contact fields are the same on both.
constexpr FieldSpec kContactField{"contact_name", "担当部署/担当者名",
                                  "担当部署または担当者名を入力してください。※発行通知書を郵送する"
                                  "際の簡易書留の宛名として使います。",
                                  "text"};
constexpr FieldSpec kPhoneField{"phone", "電話番号",
                                "担当部署または担当者の電話番号を入力してください。", "tel"};
constexpr FieldSpec kEmailField{"email", "メールアドレス",
                                "担当部署または担当者のメールアドレスを入力してください。※発行申請"
                                "の受付完了などのお知らせに使います。",
                                "email"};
const FieldSpec kInstitutionFields[] = {
    {"category", "分類", "電子証明書を利用される医療機関等の分類を選んでください。", "select"},
    {"prefecture", "都道府県コード",
     "電子証明書を利用する医療機関等の所在の都道府県を選んでください。", "select"},
    {"score_table", "点数表",
     "1：医療機関（医科）、3：医療機関（歯科）、4：薬局、6：訪問看護、7：職域診療所（特健機関は選ば"
     "ないでください）。",
     "select"},
    {"facility_code", "医療機関コード（7桁）",
     "医療機関（医科・歯科）、薬局、訪問看護ステーション、職域診療所は7桁の医療機関コード（10桁の"
     "医療機関等コードから先頭の都道府県2桁と点数表1桁を除いたもの）、特定健診機関は10桁の機関番号"
     "を"
     "入力してください。",
     "text"},
    {"institution_name", "医療機関(薬局)名称",
     "保険医療機関届、特定健診・特定保健指導機関届、診療所開設届で届け出た機関名称を入力してくださ"
     "い。",
     "text"},
    kContactField,
    kPhoneField,
    kEmailField,
    {"terminal_name", "端末名称等",
     "電子証明書をインストールする端末の名称を入力してください（例：オンライン資格確認用端末）。",
     "text"},
};
const FieldSpec kInsurerFields[] = {
    {"insurer_number", "保険者番号", "8桁の保険者番号を入力してください。", "text"},
    {"insurer_name", "医療保険者等名", "医療保険者等名を入力してください。", "text"},
    kContactField,
    kPhoneField,
    kEmailField,
    {"terminal_name", "端末名称等",
     "電子証明書をインストールする端末の名称を入力してください（例：オンライン請求用端末）。",
     "text"},
};

std::string FieldValue(const ra::ApplicationForm& form, std::string_view name) {
  for (const auto& [n, member] : kFormFields) {
    if (n == name) return form.*member;
  }
  return "";
}

// `categories`: the 分類 offered (those that fit the account's institution); empty = all.
json Options(std::string_view field, const std::string& selected,
             const std::vector<std::string>& categories) {
  json opts = json::array();
  opts.push_back({{"value", ""}, {"label", "選んでください"}, {"selected", selected.empty()}});
  auto add = [&](std::string_view code, std::string label) {
    opts.push_back({{"value", std::string(code)},
                    {"label", std::move(label)},
                    {"selected", code == selected}});
  };
  if (field == "category") {
    for (const auto& c : domain::AllCategories()) {
      if (c.form != domain::FormKind::kInstitution) continue;
      if (!categories.empty() &&
          std::find(categories.begin(), categories.end(), c.code) == categories.end()) {
        continue;
      }
      add(c.code, std::string(c.code) + "：" + std::string(c.label_ja));
    }
  } else if (field == "prefecture") {
    for (const auto& p : domain::AllPrefectures()) {
      add(p.code, std::string(p.code) + "：" + std::string(p.name_ja));
    }
  } else if (field == "score_table") {
    opts[0]["label"] = "選んでください（特健機関は選ばない）";
    for (const auto& s : domain::AllScoreTables()) {
      add(s.code, std::string(s.code) + "：" + std::string(s.label_ja));
    }
  }
  return opts;
}

// Field views for the form and confirmation templates.
// One message given for two fields (the prefecture that does not fit the code's check digit)
// is shown once, on the first; the second is marked and points to it (aria-describedby).
json FieldsJson(const ra::ApplicationForm& form, const std::vector<domain::FieldError>& errors,
                const std::vector<std::string>& categories = {}) {
  std::map<std::string, std::string> shown;  // message → the id of the element showing it
  const bool insurer = form.applicant_kind == "insurer";
  json fields = json::array();
  auto specs = insurer ? std::span<const FieldSpec>(kInsurerFields)
                       : std::span<const FieldSpec>(kInstitutionFields);
  for (const FieldSpec& s : specs) {
    std::string value = FieldValue(form, s.name);
    json f = {{"name", s.name},
              {"label", s.label},
              {"help", s.help},
              {"value", value},
              {"display", DisplayValue(s.name, value)},
              {"type", s.type},
              {"is_select", std::string_view(s.type) == "select"},
              {"is_terminal", std::string_view(s.name) == "terminal_name"}};
    if (f["is_select"].get<bool>()) f["options"] = Options(s.name, value, categories);
    std::string message;
    std::string see;  // ids of messages shown on an earlier field
    bool invalid = false;
    for (const auto& e : errors) {
      if (e.field == s.name ||
          (e.field == "institution_code" && (std::string_view(s.name) == "facility_code" ||
                                             std::string_view(s.name) == "insurer_number")) ||
          (e.field == "form" && std::string_view(s.name) == "category")) {
        invalid = true;
        if (auto it = shown.find(e.message_ja); it != shown.end()) {
          see += it->second + " ";
          continue;
        }
        shown.emplace(e.message_ja, std::string("e-") + s.name);
        message += (message.empty() ? "" : " ") + e.message_ja;
      }
    }
    if (!message.empty()) f["error"] = message;
    f["invalid"] = invalid;
    f["describedby"] = (message.empty() ? "" : std::string("e-") + s.name + " ") + see + "h-" +
                       std::string(s.name);
    fields.push_back(f);
  }
  return fields;
}

// Errors that belong to no field shown (reported at the top of the form).
std::vector<std::string> OtherErrors(const ra::ApplicationForm& form,
                                     const std::vector<domain::FieldError>& errors) {
  json fields = FieldsJson(form, {});
  std::vector<std::string> out;
  for (const auto& e : errors) {
    bool shown = e.field == "institution_code" || e.field == "form";
    for (const auto& f : fields) shown = shown || f["name"] == e.field;
    if (!shown) out.push_back(e.message_ja);
  }
  return out;
}

json HiddenFields(const ra::ApplicationForm& form, bool with_terminal) {
  json h = json::array();
  for (const auto& [name, member] : kFormFields) {
    if (!with_terminal && std::string_view(name) == "terminal_name") continue;
    h.push_back({{"name", name}, {"value", form.*member}});
  }
  return h;
}

class Portal {
 public:
  Portal(PortalDeps deps, std::shared_ptr<OneTimeFiles> files)
      : d_(std::move(deps)),
        files_(std::move(files)),
        login_throttle_(d_.state, kLoginScope, d_.login_per_minute, d_.clock),
        download_throttle_(d_.state, kDownloadScope, d_.download_per_minute, d_.clock) {
    root_sha1_ = crypto::Thumbprint(d_.root_cert_der, EVP_sha1());
    root_sha256_ = crypto::Thumbprint(d_.root_cert_der, EVP_sha256());
  }

  static void Register(web::Router& router, const std::shared_ptr<Portal>& self) {
    web::RouteOptions slow{.slow = true};
    auto bind = [self](web::Response (Portal::*fn)(const web::Request&)) {
      return [self, fn](const web::Request& r) { return (self.get()->*fn)(r); };
    };
    router.Handle("GET", "/", false, [](const web::Request&) { return Redirect("/portal/"); });
    router.Handle("GET", "/static/portal.css", false,
                  [](const web::Request&) { return Static("portal.css", "text/css"); });
    router.Handle("GET", "/static/portal.js", false, [](const web::Request&) {
      return Static("portal.js", "text/javascript; charset=utf-8");
    });
    router.Handle("GET", "/portal/login", false, bind(&Portal::LoginPage), slow);
    router.Handle("POST", "/portal/login", false, bind(&Portal::LoginPost), slow);
    router.Handle("POST", "/portal/logout", false, bind(&Portal::Logout), slow);
    router.Handle("GET", "/portal/", false, bind(&Portal::MyPage), slow);
    router.Handle("GET", "/portal", false,
                  [](const web::Request&) { return Redirect("/portal/"); });
    router.Handle("GET", "/portal/apply", false, bind(&Portal::ApplyPortal), slow);
    router.Handle("POST", "/portal/apply", false, bind(&Portal::ApplyPortal), slow);
    router.Handle("GET", "/portal/applications", false, bind(&Portal::List), slow);
    router.Handle("GET", "/portal/applications/", true, bind(&Portal::OneApplication), slow);
    router.Handle("POST", "/portal/applications/", true, bind(&Portal::OneApplication), slow);
    router.Handle("GET", "/network/", false, bind(&Portal::ApplyNetwork), slow);
    router.Handle("POST", "/network/", false, bind(&Portal::ApplyNetwork), slow);
    router.Handle("GET", "/download/", false, bind(&Portal::DownloadPage), slow);
    router.Handle("POST", "/download/", false, bind(&Portal::DownloadPost), slow);
    router.Handle(
        "GET", "/download/file", false,
        [self](const web::Request& r) {
          return ServeOneTimeFile(*self->files_, r, "/download/", "ダウンロードの画面へ");
        },
        slow);
  }

 private:
  // ---- responses ------------------------------------------------------------------------

  static web::Response Static(std::string_view name, std::string type) {
    auto text = StaticFile(name);
    if (!text) return web::Response::Error(404, "not_found", "no such file");
    auto r = web::Response::Bytes(std::move(type), std::string(*text));
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    r.headers.emplace_back("Cache-Control", "max-age=300");
    return r;
  }

  // ---- sessions and CSRF ----------------------------------------------------------------

  // ---- login / logout -------------------------------------------------------------------

  web::Response LoginPage(const web::Request& req) {
    if (auto s = LoadSession(d_, req)) return Redirect(Home(s->caller.principal.kind));
    bool fresh = false;
    std::string csrf = AnonCsrf(req, &fresh);
    FormData q = FormData::Parse(req.query);
    json data = {{"title", "ログイン"}, {"form_csrf", csrf}, {"logged_out", q.Has("out")}};
    return SetAnonCookie(Page("login", data, nullptr), req, csrf, fresh);
  }

  // The 国保連 program's accounts have their own pages (/kj/, kokuhoren_portal.cc).
  static std::string Home(const std::string& kind) {
    return kind == "operator" ? "/console/" : IsKjAccount(kind) ? "/kj/" : "/portal/";
  }

  web::Response LoginPost(const web::Request& req) {
    FormData f = FormData::Parse(req.body);
    if (!AnonCsrfOk(req, f.Get("csrf"))) return CsrfRefused(nullptr);
    std::string id = f.Get("account_id");
    if (!login_throttle_.Allow(req.remote_addr)) {
      return Page("login",
                  {{"title", "ログイン"},
                   {"form_csrf", f.Get("csrf")},
                   {"account_id", id},
                   {"error",
                    "短い時間にログインが続いたため、受け付けを止めています。1分ほど待"
                    "ってから、もう一度お試しください。"}},
                  nullptr, 429);
    }
    std::string password = f.Get("password");
    Instant locked_until{};
    auto principal = d_.auth.Login(id, password, &locked_until);
    OPENSSL_cleanse(password.data(), password.size());
    json data = {{"title", "ログイン"}, {"form_csrf", f.Get("csrf")}, {"account_id", id}};
    if (!principal.ok()) {
      switch (principal.status().code()) {
        case Code::kRateLimited:
          data["error"] = "パスワードの誤りが続いたため、このアカウントをロックしました。" +
                          Minute(locked_until) + " を過ぎてから、もう一度ログインしてください。";
          return Page("login", data, nullptr, 429);
        case Code::kForbidden:
          if (auto a = d_.accounts.GetAccount(auth::AuthService::NormalizeAccountId(id));
              a.ok() && !a->email_verified && a->kind == "institution" && d_.self_service) {
            data["error"] =
                "メールアドレスの確認が済んでいません。登録のときに届いたメールのリンクを開いて"
                "から、ログインしてください。";
            return Page("login", data, nullptr, 403);
          }
          data["error"] =
              "このアカウントは利用を停止しています。認証局の窓口にお問い合わせください。";
          return Page("login", data, nullptr, 403);
        case Code::kUnauthorized:
          data["error"] = "アカウントIDまたはパスワードが正しくありません。";
          return Page("login", data, nullptr, 401);
        default:
          data["error"] = "ただいまログインできません。しばらくしてから、もう一度お試しください。";
          return Page("login", data, nullptr, 503);
      }
    }
    // The letter's temporary password (qualcheck): 初回パスワード変更 first, no session.
    if (auto forced = InitialPasswordScreen(d_, principal->account_id, f.Get("csrf"))) {
      return *forced;
    }
    std::string csrf = RandomHex(32);
    auto token = d_.auth.IssueToken(principal->account_id, "session",
                                    std::min(d_.session_idle, d_.session_max), csrf);
    if (!token.ok() || csrf.empty()) {
      data["error"] = "ただいまログインできません。しばらくしてから、もう一度お試しください。";
      return Page("login", data, nullptr, 503);
    }
    auto r = Redirect(Home(principal->kind));
    r.headers.emplace_back("Set-Cookie", SetCookie(kSessionCookie, *token, req.tls,
                                                   static_cast<long>(d_.session_max.count())));
    return r;
  }

  web::Response Logout(const web::Request& req) { return portal::Logout(d_, req, "/portal/login"); }

  // ---- マイページ ----------------------------------------------------------------------

  std::string DisplayName(const Session& s) {
    auto a = d_.accounts.GetAccount(s.caller.principal.account_id);
    return a.ok() && !a->display_name.empty() ? a->display_name : s.caller.principal.account_id;
  }

  std::string Codes(const Session& s) {
    std::string codes;
    for (const auto& c : s.caller.principal.institution_codes) {
      codes += (codes.empty() ? "" : "、") + c;
    }
    return codes;
  }

  web::Response MyPage(const web::Request& req) {
    auto s = LoadSession(d_, req);
    if (!s) return Redirect("/portal/login");
    if (s->caller.principal.kind != "institution") return Redirect(Home(s->caller.principal.kind));
    bool has_insurer = false, has_institution = false;
    for (const std::string& c : s->caller.principal.institution_codes) {
      (c.size() == 8 ? has_insurer : has_institution) = true;
    }
    return Page("mypage",
                {{"title", "マイページ"},
                 {"name", DisplayName(*s)},
                 {"codes", Codes(*s)},
                 // Only the forms that fit the account's codes (an account without any: both).
                 {"has_institution", !has_insurer || has_institution},
                 {"has_insurer", has_insurer || !has_institution},
                 {"billing", d_.billing != nullptr}},
                &*s);
  }

  // ---- application (図表3–9) -------------------------------------------------------------

  web::Response ApplyPortal(const web::Request& req) {
    auto s = LoadSession(d_, req);
    if (!s) return Redirect("/portal/login");
    if (s->caller.principal.kind != "institution") return Redirect(Home(s->caller.principal.kind));
    return Apply(req, s->caller, &*s, "/portal/apply", s->csrf);
  }

  web::Response ApplyNetwork(const web::Request& req) {
    if (!d_.network_ranges.Contains(req.remote_addr)) {
      return Message(nullptr, 403, "この画面は利用できません",
                     "電子証明書発行申請サイトは、レセプトオンライン請求端末またはオンライン資格確"
                     "認端末から接続してください（インターネットからは接続できません）。");
    }
    ra::Caller caller;
    caller.channel = ra::Channel::kNetwork;
    bool fresh = false;
    std::string csrf = AnonCsrf(req, &fresh);
    if (req.method == "POST" && fresh) return CsrfRefused(nullptr);
    return SetAnonCookie(Apply(req, caller, nullptr, "/network/", csrf), req, csrf, fresh);
  }

  // `s` null: the network channel (no account; every category, both forms offered).
  json FormPage(const ra::ApplicationForm& form, const std::vector<domain::FieldError>& errors,
                const std::string& action, const std::string& csrf, const Session* s) {
    const bool insurer = form.applicant_kind == "insurer";
    std::vector<std::string> categories;
    bool has_insurer = s == nullptr, has_institution = s == nullptr;
    json choices = json::array();
    if (s != nullptr) {
      categories = AllowedCategories(s->caller.principal, d_.register_reader);
      const std::string current = insurer ? form.insurer_number
                                  : form.category == "6"
                                      ? form.facility_code
                                      : form.prefecture + form.score_table + form.facility_code;
      for (const std::string& c : s->caller.principal.institution_codes) {
        (c.size() == 8 ? has_insurer : has_institution) = true;
        choices.push_back({{"code", c}, {"current", c == current}});
      }
    }
    return {{"title", insurer ? "証明書発行申請情報の入力（医療保険者等）"
                              : "証明書発行申請情報の入力（医療機関等）"},
            {"action", action},
            {"form_csrf", csrf},
            {"insurer", insurer},
            {"network", s == nullptr},
            {"show_switch", insurer ? has_institution : has_insurer},
            {"code_choices", choices},
            {"has_code_choices", choices.size() > 1},
            {"fields", FieldsJson(form, errors, categories)},
            {"has_errors", !errors.empty()},
            {"other_errors", OtherErrors(form, errors)},
            {"kind", form.applicant_kind}};
  }

  web::Response Apply(const web::Request& req, const ra::Caller& caller, const Session* s,
                      const std::string& action, const std::string& csrf) {
    const bool network = caller.channel == ra::Channel::kNetwork;
    if (req.method != "POST") {
      const FormData q = FormData::Parse(req.query);
      ra::ApplicationForm form;
      form.applicant_kind = q.Get("kind") == "insurer" ? "insurer" : "institution";
      if (form.applicant_kind == "insurer") form.category = "7";
      json data;
      if (s != nullptr) {
        // The account's institution fills the form (issue 24 point 4): the clinic types only
        // the contact fields and the terminal.
        std::string wanted = q.Get("code");
        for (const std::string& c : s->caller.principal.institution_codes) {
          if (wanted.empty() && form.applicant_kind == "insurer" && c.size() == 8) wanted = c;
        }
        Prefill p = PrefillFor(s->caller.principal, d_.register_reader, wanted);
        if (!p.code.empty()) form = p.form;
        data = FormPage(form, {}, action, csrf, s);
        if (!p.code.empty()) {
          data["prefilled"] = "医療機関等コード（10桁）" + p.code +
                              "の登録内容を入力してあります。内容を確かめ、担当部署/担当者名から"
                              "下を入力してください。";
          if (p.code.size() == 8) {
            data["prefilled"] = "保険者番号" + p.code + "の登録内容を入力してあります。";
          }
        }
      } else {
        data = FormPage(form, {}, action, csrf, s);
      }
      return Page("apply_form", data, s);
    }
    FormData f = FormData::Parse(req.body);
    if (!CsrfMatches(csrf, f.Get("csrf"))) return CsrfRefused(s);
    ra::ApplicationForm form = FormFrom(f);
    const std::string step = f.Get("step");
    if (step == "edit") return Page("apply_form", FormPage(form, {}, action, csrf, s), s);
    if (step == "submit") {
      std::string key = f.Get("idempotency_key");
      if (key.size() != 32) return Page("apply_form", FormPage(form, {}, action, csrf, s), s);
      auto result = d_.ra.Submit(caller, form, key);
      if (!result.ok()) return RaFailure(s, result.status());
      if (!result->errors.empty()) {
        return Page("apply_form", FormPage(form, result->errors, action, csrf, s), s, 422);
      }
      const ApplicationRecord& a = result->application;
      json data = {{"title", "発行申請成功"},
                   {"action", action},
                   {"form_csrf", csrf},
                   {"network", network},
                   {"request_id", a.request_id},
                   {"state", StateJa(a.state)},
                   {"again", HiddenFields(form, false)},
                   {"pending", a.state == ApplicationState::kPending}};
      if (auto until = d_.slips ? d_.slips->FreeUntil(a) : std::nullopt) {
        data["free_cancel_until"] = FormatDateTimeJa(*until);
      }
      return Page("apply_done", data, s);
    }
    // 次へ (step "next") and the fallback pop-up's OK (step "confirm") both preview.
    auto preview = d_.ra.PreviewApplication(caller, form);
    if (!preview.ok()) return RaFailure(s, preview.status());
    if (!preview->errors.empty()) {
      return Page("apply_form", FormPage(form, preview->errors, action, csrf, s), s, 422);
    }
    const ra::Preview& p = preview->preview;
    form = NormalizedForm(std::move(form));
    json popup = {{"earlier", p.earlier_applications},
                  {"has_earlier", p.earlier_applications > 0},
                  {"issuance_yen", GroupDigits(p.fee.issuance_yen)},
                  {"mailing_yen", GroupDigits(p.fee.mailing_yen)},
                  {"has_mailing", p.fee.mailing_yen > 0},
                  {"total_yen", GroupDigits(p.fee.total_yen)}};
    json data = {{"title", "証明書発行申請情報の確認"},
                 {"action", action},
                 {"form_csrf", csrf},
                 {"network", network},
                 {"fields", FieldsJson(form, {})},
                 {"hidden", HiddenFields(form, true)},
                 {"popup", popup},
                 {"idempotency_key", RandomHex(16)}};
    if (step == "next" && f.Get("js") != "1") {
      data["title"] = "申請件数と発行料の確認";
      return Page("apply_popup", data, s);
    }
    data["show_popup"] = step == "next";
    return Page("apply_confirm", data, s);
  }

  // ---- 申請状況照会 (図表11–14) ----------------------------------------------------------

  web::Response List(const web::Request& req) {
    auto s = LoadSession(d_, req);
    if (!s) return Redirect("/portal/login");
    if (s->caller.principal.kind != "institution") return Redirect(Home(s->caller.principal.kind));
    store::ApplicationFilter filter;
    filter.limit = 200;
    auto page = d_.ra.List(s->caller, filter);
    if (!page.ok()) return RaFailure(&*s, page.status());
    json rows = json::array();
    int n = 0;
    bool any_renewable = false;
    for (const auto& a : page->items) {
      json row = Row(a, ++n, "/portal/applications/");
      if (RenewableNow(a)) row["renewable"] = any_renewable = true;
      // A slip costs nothing: an approved application is cancelled free until the notice
      // batch has taken it (ra/slip_cancel.h).
      if (auto until = d_.slips ? d_.slips->FreeUntil(a) : std::nullopt) {
        row["can_cancel"] = true;
        row["free_cancel_until"] = FormatDateTimeJa(*until);
      }
      rows.push_back(std::move(row));
    }
    FormData q = FormData::Parse(req.query);
    std::string done;
    if (q.Get("done") == "cancel") done = "発行申請をキャンセルしました。";
    if (q.Get("done") == "revoke") done = "証明書を失効しました。";
    return Page("list",
                {{"title", "電子証明書申請状況照会"},
                 {"name", DisplayName(*s)},
                 {"codes", Codes(*s)},
                 {"rows", rows},
                 {"empty", rows.empty()},
                 {"any_renewable", any_renewable},
                 {"done", done}},
                &*s);
  }

  // 更新可能: issued, and the renewal window of its certificate is open (the terminal site's
  // rule, ra::RenewalStatusReader::Opens).
  bool RenewableNow(const store::ApplicationRecord& a) const {
    if (a.state != store::ApplicationState::kIssued || !a.not_after) return false;
    if (d_.renewal == nullptr) return false;
    const std::optional<Instant> opens = d_.renewal->Opens(a);
    const Instant now = d_.clock.Now();
    return opens && now >= *opens && now < *a.not_after;
  }

  // /portal/applications/{id}[/cancel|/revoke|/edit]
  web::Response OneApplication(const web::Request& req) {
    auto s = LoadSession(d_, req);
    if (!s) return Redirect("/portal/login");
    if (s->caller.principal.kind != "institution") return Redirect(Home(s->caller.principal.kind));
    const auto [id, action] = IdAndAction(req.path, "/portal/applications/");
    if (!IsRequestIdSyntax(id)) return RaFailure(&*s, NotFound("request id"));
    if (req.method == "GET" && action.empty())
      return ApplicationDetailPage(d_, *s, id, {}, {}, req.query);
    if (req.method != "POST") return RaFailure(&*s, NotFound("no such page"));
    FormData f = FormData::Parse(req.body);
    if (!CsrfMatches(s->csrf, f.Get("csrf"))) return CsrfRefused(&*s);
    if (action == "cancel" || action == "revoke") {
      auto a = d_.ra.Get(s->caller, id);
      if (!a.ok()) return RaFailure(&*s, a.status());
      if (f.Get("confirmed") != "1") return ConfirmPage(&*s, *a, std::string(action));
      Status st = action == "revoke" ? d_.ra.Revoke(s->caller, id, 0)
                  : d_.slips         ? d_.slips->Cancel(s->caller, id)
                                     : d_.ra.Cancel(s->caller, id);
      if (st.code() == Code::kFailedPrecondition && action == "cancel" &&
          a->state == ApplicationState::kIssued) {
        return Message(&*s, 409, "キャンセルできません",
                       "この申請は発行通知書の作成が済んでいる（または電子証明書がダウンロードさ"
                       "れている）ため、キャンセルできません。電子証明書が不要な場合は、申請状況"
                       "照会画面の「証明書の失効」から失効してください。発行料は、申請が承認され"
                       "た時点で発生しているため、失効しても返金されません。",
                       "/portal/applications", "申請状況照会に戻る");
      }
      if (!st.ok()) return RaFailure(&*s, st);
      return Redirect("/portal/applications?done=" + std::string(action));
    }
    if (action == "edit") {
      std::vector<std::pair<std::string, std::string>> changes;
      auto a = d_.ra.Get(s->caller, id);
      if (!a.ok()) return RaFailure(&*s, a.status());
      std::map<std::string, std::string> after;
      for (const char* field : {"contact_name", "terminal_name", "email", "phone"}) {
        std::string v = f.Get(field);
        after[field] = v;
        const std::string& before = field == std::string_view("contact_name")    ? a->contact_name
                                    : field == std::string_view("terminal_name") ? a->terminal_name
                                    : field == std::string_view("email")         ? a->email
                                                                                 : a->phone;
        if (v != before) changes.emplace_back(field, v);
      }
      if (changes.empty()) return ApplicationDetailPage(d_, *s, id, {}, after, "nochange=1");
      std::vector<domain::FieldError> errors;
      auto edits = d_.ra.Edit(s->caller, id, changes, &errors);
      if (!edits.ok()) return RaFailure(&*s, edits.status());
      if (!errors.empty()) return ApplicationDetailPage(d_, *s, id, errors, after, "");
      return Redirect("/portal/applications/" + id + "?updated=1");
    }
    return RaFailure(&*s, NotFound("no such operation"));
  }

  // ---- download site --------------------------------------------------------------------

  json DownloadData(const std::string& csrf) {
    return {{"title", "電子証明書ダウンロード"},
            {"form_csrf", csrf},
            {"sha1", root_sha1_},
            {"sha256", root_sha256_},
            {"password_hint", "発行通知書に記載の「ダウンロードパスワード」"}};
  }

  web::Response DownloadPage(const web::Request& req) {
    bool fresh = false;
    std::string csrf = AnonCsrf(req, &fresh);
    return SetAnonCookie(Page("download", DownloadData(csrf), nullptr), req, csrf, fresh);
  }

  web::Response DownloadPost(const web::Request& req) {
    FormData f = FormData::Parse(req.body);
    if (!AnonCsrfOk(req, f.Get("csrf"))) return CsrfRefused(nullptr);
    std::string id = f.Get("request_id");
    std::string password = f.Get("password");
    json data = DownloadData(f.Get("csrf"));
    data["request_id"] = id;
    auto fail = [&](int status, std::string message) {
      data["error"] = std::move(message);
      return Page("download", data, nullptr, status);
    };
    if (!download_throttle_.Allow(req.remote_addr)) {
      OPENSSL_cleanse(password.data(), password.size());
      return fail(429,
                  "短い時間にダウンロードの操作が続いたため、受け付けを止めています。1分ほど待っ"
                  "てから、もう一度お試しください。");
    }
    if (!IsRequestIdSyntax(id)) {
      OPENSSL_cleanse(password.data(), password.size());
      return fail(400, "リクエストIDは、発行通知書に記載の14桁の数字を入力してください。");
    }
    auto d = d_.ra.DownloadPkcs12(id, password, req.remote_addr);
    OPENSSL_cleanse(password.data(), password.size());
    if (!d.ok()) {
      const std::string& m = d.status().message();
      switch (d.status().code()) {
        case Code::kUnauthorized:
          // One message whatever the reason (unknown ID, wrong password, locked): it must
          // not tell which request IDs exist (docs/applications.md, "Download").
          return fail(401,
                      "リクエストIDまたはダウンロードパスワードが正しくありません。発行通知書の記"
                      "載をもう一度確かめてください。ダウンロードパスワードの誤りが続くと、しばら"
                      "くの間（正しいパスワードでも）ダウンロードできなくなります。時間をおいてお"
                      "試しください。");
        case Code::kFailedPrecondition:
          if (m.starts_with("revoked")) {
            return fail(409, "この電子証明書は失効しているため、ダウンロードできません。");
          }
          if (m.starts_with("deadline")) {
            return fail(410,
                        "ダウンロード有効期限（発行日から180日）を過ぎたため、ダウンロードできませ"
                        "ん。あらためて発行申請をしてください。");
          }
          return fail(409, "この電子証明書は、いまはダウンロードできません。");
        default:
          return fail(503,
                      "ただいまダウンロードできません。しばらくしてから、もう一度お試しください。");
      }
    }
    // The answer is a page saying so; the file follows by a short-lived link that the page
    // starts (docs/portal.md, "Download site").
    const Result<std::string> token = files_->Put(
        OneTimeOwner(req), {d->filename, "application/x-pkcs12", std::move(d->pkcs12_der)});
    if (!token.ok()) {
      return fail(503,
                  "ただいまダウンロードできません。しばらくしてから、もう一度お試しください。");
    }
    data["done"] = true;
    data["file_name"] = d->filename;
    data["file_href"] = "/download/file?t=" + *token;
    return Page("download", data, nullptr);
  }

  PortalDeps d_;
  std::shared_ptr<OneTimeFiles> files_;
  Throttle login_throttle_;
  Throttle download_throttle_;
  std::string root_sha1_;
  std::string root_sha256_;
};

}  // namespace

void AddPortalRoutes(web::Router& router, PortalDeps deps) {
  if (deps.self_service) {
    AddSelfServiceRoutes(router, *deps.self_service, deps.state, deps.clock, deps.login_per_minute);
  }
  auto files = std::make_shared<OneTimeFiles>(deps.state, deps.clock);
  if (deps.presented_certificate && deps.applications) AddTerminalPageRoutes(router, deps, files);
  AddConsoleRoutes(router, deps);
  AddBillingPortalRoutes(router, deps);
  AddBillingConsoleRoutes(router, deps);
  AddKokuhorenPortalRoutes(router, deps);
  AddKokuhorenCertificateRoutes(router, deps);
  AddKokuhorenConsoleRoutes(router, deps);
  AddNewinstImportRoutes(router, deps);
  AddQualcheckRoutes(router, deps);
  AddInitialPasswordRoutes(router, deps);
  AddNewinstRoutes(router, deps);
  AddSubsidyPortalRoutes(router, deps);
  AddSubsidyConsoleRoutes(router, deps);
  AddNewinstWithdrawRoutes(router, deps);
  AddHelpRoutes(router, deps);
  AddDemoMailRoutes(router, deps);
  SetDemoMailboxLink(deps.demo_outbox != nullptr);
  AddBulkApplyRoutes(router, deps);
  Portal::Register(router, std::make_shared<Portal>(std::move(deps), std::move(files)));
}

}  // namespace claimsca::portal
