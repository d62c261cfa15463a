// The 資格確認限定型 pages (docs/qualcheck.md; docs/portal.md):
// console (staff: qc_apply keys a paper form, qc_review approves / rejects)
//   GET  /console/qualcheck                 the applications and the keying form
//   POST /console/qualcheck/key             one keying of a paper form (受付番号 + fields)
//   GET  /console/qualcheck/{id}            the last two keyings side by side, differences
//                                           marked; the correction form; approve / reject
//   POST /console/qualcheck/{id}/approve | /reject
// portal (institutions: qc_apply on their own codes, single entry)
//   GET  /portal/qualcheck                  its applications and their state, the form
//   POST /portal/qualcheck                  an application

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>

#include "portal/page.h"
#include "portal/qualcheck_pages.h"
#include "portal/routes.h"
#include "portal/util.h"
#include "portal/views.h"

namespace claimsca::portal {
namespace {

using nlohmann::json;
using qualcheck::Form;

constexpr char kConsole[] = "/console/qualcheck";
constexpr const char* kTextFields[] = {
    "contact_name", "prefecture", "score_table", "facility_code", "name",
    "founder_name", "phone",      "email",       "password",      "bank_last4",
    "staff_count",  "devices",    "end_date"};

Form FormOf(const FormData& f) {
  Form form;
  form.kind1 = f.Get("kind1") == "1";
  form.kind2 = f.Get("kind2") == "1";
  form.kind3 = f.Get("kind3") == "1";
  for (const char* name : kTextFields) {
    const std::string v = f.Get(name);
    if (std::string_view(name) == "password") {
      form.password = v;
    } else if (std::string_view(name) == "bank_last4") {
      form.bank_last4 = v;
    } else {
      qualcheck::SetField(name, v, &form);
    }
  }
  form.end_action = f.Get("end_action");
  return form;
}

std::string Help(std::string_view name) {
  if (name == "password")
    return "英数字8文字以上100文字以下。「1」と「2」を同時に申請する場合は空欄（注1）。";
  if (name == "bank_last4")
    return "診療報酬の請求に使用している口座番号の下4桁（注2）。本人確認のみに使用します。";
  if (name == "end_date") return "申請区分「3」のみ。西暦 YYYY-MM-DD（注5）。";
  if (name == "devices") return "マイナ資格確認アプリを利用する端末の台数（注4）。";
  if (name == "staff_count") return "マイナ資格確認アプリを利用する職員数（注3）。";
  return "";
}

// The form's fields for _field.mustache: values (never the secrets), errors, and which
// ones are marked as differing.
json Fields(const Form& form, const std::vector<domain::FieldError>& errors,
            const std::vector<std::string>& blank) {
  json out = json::array();
  const auto values = qualcheck::ComparedFields(form);
  for (const char* name : kTextFields) {
    std::string value;
    for (const auto& [k, v] : values) {
      if (k == name) value = v;
    }
    if (std::string_view(name) == "phone") value = form.phone;
    if (std::find(blank.begin(), blank.end(), name) != blank.end()) value.clear();
    std::string error;
    for (const auto& e : errors) {
      if (e.field == name) error = e.message_ja;
    }
    const bool secret = std::string_view(name) == "password";
    out.push_back({{"name", name},
                   {"label", std::string(qualcheck::FieldLabelJa(name))},
                   {"type", secret ? "password" : "text"},
                   {"value", secret || std::string_view(name) == "bank_last4" ? "" : value},
                   {"autocomplete", "off"},
                   {"help", Help(name)},
                   {"error", error}});
  }
  return out;
}

json FormData_(const Form& form, const std::vector<domain::FieldError>& errors,
               const std::vector<std::string>& blank = {}) {
  std::string kinds_error;
  for (const auto& e : errors) {
    if (e.field == "kinds" || e.field == "end_action") kinds_error += e.message_ja;
  }
  return {{"fields", Fields(form, errors, blank)},
          {"kind1", form.kind1},
          {"kind2", form.kind2},
          {"kind3", form.kind3},
          {"end_cancel", form.end_action == "cancel"},
          {"end_change", form.end_action == "change"},
          {"kinds_error", kinds_error}};
}

// The letters' envelope as the clinic sees it: status, day and tracking number.
std::string ShippingJa(const qualcheck::Application& a) {
  if (a.shipping_status.empty()) return a.letters_batch.empty() ? "" : "印刷済み（発送準備中）";
  const std::string status = a.shipping_status == "shipped"     ? "発送済み"
                             : a.shipping_status == "delivered" ? "お届け済み"
                                                                : "不達（返送されました）";
  return status + "（" + FormatDateJa(std::string_view(a.shipping_status_on)) + "）";
}

json Row(const qualcheck::Application& a, const std::string& link) {
  return {{"id", a.id},
          {"shipping", ShippingJa(a)},
          {"tracking", a.tracking_number},
          {"link", link},
          {"channel", a.channel == "paper" ? "郵送" : "ポータル"},
          {"paper_ref", a.paper_ref},
          {"code", a.institution_code},
          {"name", a.form.name},
          {"kinds", a.kinds},
          {"state", std::string(qualcheck::NameJa(a.state))},
          {"state_code", std::string(qualcheck::Name(a.state))},
          {"bank", a.bank_check ? std::string(qualcheck::NameJa(*a.bank_check)) : "—"},
          {"use_start", FormatDateJa(std::string_view(a.use_start_date))},
          {"reason", a.reason},
          {"created", Minute(a.created_at)}};
}

class QualcheckPagesImpl {
 public:
  QualcheckPagesImpl(PortalDeps d, const QualcheckPages& q) : d_(std::move(d)), q_(q) {}

  // A staff session holding `perm` for every institution (reviewer and up), else `refused`.
  std::optional<Session> Staff(const web::Request& req, web::Response* refused,
                               auth::Permission perm) {
    auto s = LoadSession(d_, req);
    if (!s) {
      *refused = Redirect("/portal/login");
      return std::nullopt;
    }
    if (!auth::Allows(s->caller.principal, perm, auth::kEveryInstitution)) {
      *refused = Message(&*s, 403, "資格確認限定型の申請",
                         "このアカウントの権限では、この操作はできません。", "/console/",
                         "コンソールに戻る");
      return std::nullopt;
    }
    return s;
  }

  web::Response List(const web::Request& req) {
    web::Response refused;
    auto s = Staff(req, &refused, auth::Permission::kQcApply);
    if (!s) return refused;
    return ListPage(*s, Form{}, {}, "", 200);
  }

  web::Response ListPage(const Session& s, const Form& form,
                         const std::vector<domain::FieldError>& errors,
                         const std::string& paper_ref, int status) {
    auto list = q_.apps->List(std::nullopt);
    if (!list.ok()) return RaFailure(&s, list.status());
    json rows = json::array();
    for (const auto& a : *list) rows.push_back(Row(a, std::string(kConsole) + "/" + a.id));
    json data = FormData_(form, errors);
    data["title"] = "資格確認限定型の申請（郵送分の入力）";
    data["rows"] = rows;
    data["no_rows"] = rows.empty();
    data["paper_ref"] = paper_ref;
    data["action"] = std::string(kConsole) + "/key";
    data["errors"] = !errors.empty();
    return Page("console_qualcheck", data, &s, status);
  }

  web::Response Key(const web::Request& req) {
    web::Response refused;
    auto s = Staff(req, &refused, auth::Permission::kQcApply);
    if (!s) return refused;
    FormData f = FormData::Parse(req.body);
    if (!CsrfMatches(s->csrf, f.Get("csrf"))) return CsrfRefused(&*s);
    const Form form = FormOf(f);
    const std::string ref = f.Get("paper_ref");
    auto r = q_.apps->Key(ref, form, s->caller.principal.account_id, d_.clock.Now());
    if (!r.ok()) {
      auto errors = qualcheck::FieldErrorsOf(r.status());
      if (errors.empty()) {
        return Message(&*s, web::HttpStatusFor(r.status().code()), "入力できませんでした",
                       r.status().message(), kConsole, "一覧に戻る");
      }
      return ListPage(*s, qualcheck::Normalize(form), errors, ref, 400);
    }
    return Redirect(std::string(kConsole) + "/" + r->id);
  }

  // GET /console/qualcheck/{id}; POST …/{id}/approve | reject.
  web::Response Detail(const web::Request& req) {
    web::Response refused;
    auto s = Staff(req, &refused, auth::Permission::kQcApply);
    if (!s) return refused;
    const auto [id, action] = IdAndAction(req.path, std::string(kConsole) + "/");
    auto a = q_.apps->Get(id);
    if (!a.ok()) return RaFailure(&*s, a.status());
    if (req.method == "POST") return Decide(req, *s, *a, action);
    if (!action.empty()) return RaFailure(&*s, NotFound("page"));
    auto keyings = q_.apps->Keyings(id);
    if (!keyings.ok()) return RaFailure(&*s, keyings.status());
    json data = Row(*a, "");
    data["title"] = "申請 " + a->id;
    json cols = json::array();
    std::vector<std::string> differs;
    if (!keyings->empty()) {
      const auto& last = keyings->back();
      const qualcheck::Keying* prev =
          keyings->size() >= 2 ? &(*keyings)[keyings->size() - 2] : nullptr;
      differs = last.differs;
      const auto right = qualcheck::ComparedFields(last.form);
      const auto left = prev ? qualcheck::ComparedFields(prev->form) : right;
      json rows = json::array();
      for (size_t i = 0; i < right.size(); ++i) {
        const bool d = std::find(differs.begin(), differs.end(), right[i].first) != differs.end();
        rows.push_back({{"field", right[i].first},
                        {"label", std::string(qualcheck::FieldLabelJa(right[i].first))},
                        {"left", prev ? left[i].second : ""},
                        {"right", right[i].second},
                        {"differs", d}});
      }
      for (const char* secret : {"password", "bank_last4"}) {
        const bool d = std::find(differs.begin(), differs.end(), secret) != differs.end();
        rows.push_back({{"field", secret},
                        {"label", std::string(qualcheck::FieldLabelJa(secret))},
                        {"left", "＊＊＊＊"},
                        {"right", "＊＊＊＊"},
                        {"differs", d}});
      }
      data["compare"] = rows;
      data["left_keyer"] = prev ? prev->keyer + "（" + std::to_string(prev->seq) + "回目）" : "";
      data["right_keyer"] = last.keyer + "（" + std::to_string(last.seq) + "回目）";
      // The correction form: the agreed fields filled in, the differing ones blank.
      json form = FormData_(last.form, {}, differs);
      for (auto& [k, v] : form.items()) data[k] = v;
    }
    const bool open =
        a->state == qualcheck::State::kKeying || a->state == qualcheck::State::kDiffers;
    data["can_key"] = open && a->channel == "paper";
    data["action"] = std::string(kConsole) + "/key";
    data["paper_ref"] = a->paper_ref;
    const bool reviewer =
        auth::Allows(s->caller.principal, auth::Permission::kQcReview, auth::kEveryInstitution);
    data["can_approve"] = reviewer && a->state == qualcheck::State::kAgreed;
    data["can_reject"] = reviewer && (open || a->state == qualcheck::State::kAgreed);
    data["approve_action"] = std::string(kConsole) + "/" + a->id + "/approve";
    data["reject_action"] = std::string(kConsole) + "/" + a->id + "/reject";
    data["differs_list"] = differs;
    data["has_differs"] = !differs.empty();
    return Page("console_qualcheck_detail", data, &*s);
  }

  web::Response Decide(const web::Request& req, const Session& s, const qualcheck::Application& a,
                       const std::string& action) {
    if (!auth::Allows(s.caller.principal, auth::Permission::kQcReview, auth::kEveryInstitution)) {
      return Message(&s, 403, "資格確認限定型の申請", "承認・却下の権限がありません。", kConsole,
                     "一覧に戻る");
    }
    FormData f = FormData::Parse(req.body);
    if (!CsrfMatches(s.csrf, f.Get("csrf"))) return CsrfRefused(&s);
    Status st;
    if (action == "approve") {
      st = q_.approve(a.id, s.caller.principal.account_id);
    } else if (action == "reject") {
      st = q_.apps->Reject(a.id, s.caller.principal.account_id, d_.clock.Now(), f.Get("reason"));
    } else {
      return RaFailure(&s, NotFound("action"));
    }
    if (!st.ok()) {
      return Message(&s, web::HttpStatusFor(st.code()), "処理できませんでした", st.message(),
                     std::string(kConsole) + "/" + a.id, "申請に戻る");
    }
    return Redirect(std::string(kConsole) + "/" + a.id);
  }

  // The institution's page.
  std::optional<Session> Institution(const web::Request& req, web::Response* refused) {
    auto s = LoadSession(d_, req);
    if (!s) {
      *refused = Redirect("/portal/login");
      return std::nullopt;
    }
    if (s->caller.principal.kind != "institution" ||
        !auth::Allows(s->caller.principal, auth::Permission::kQcApply)) {
      *refused =
          Message(&*s, 403, "マイナ資格確認アプリの利用申請",
                  "医療機関等のアカウントでログインしてください。", "/portal/", "マイページに戻る");
      return std::nullopt;
    }
    return s;
  }

  // `token`: the form's one-time token (a fresh one for a new form, the posted one when the
  // form is shown again with its errors).
  web::Response PortalPage(const Session& s, const Form& form,
                           const std::vector<domain::FieldError>& errors, int status,
                           const std::string& done, std::string token = "") {
    json rows = json::array();
    for (const std::string& code : s.caller.principal.institution_codes) {
      auto list = q_.apps->List(std::nullopt, code);
      if (!list.ok()) return RaFailure(&s, list.status());
      for (const auto& a : *list) rows.push_back(Row(a, ""));
    }
    json data = FormData_(form, errors);
    data["title"] = "マイナ資格確認アプリの利用申請";
    data["rows"] = rows;
    data["no_rows"] = rows.empty();
    data["action"] = "/portal/qualcheck";
    data["done"] = done;
    data["form_token"] = token.empty() ? RandomHex(16) : token;
    return Page("qualcheck", data, &s, status);
  }

  web::Response Portal(const web::Request& req) {
    web::Response refused;
    auto s = Institution(req, &refused);
    if (!s) return refused;
    Form form;
    if (!s->caller.principal.institution_codes.empty()) {
      const std::string& c = s->caller.principal.institution_codes.front();
      if (c.size() == 10) {
        form.prefecture = c.substr(0, 2);
        form.score_table = c.substr(2, 1);
        form.facility_code = c.substr(3);
      }
    }
    return PortalPage(*s, form, {}, 200, "");
  }

  web::Response PortalApply(const web::Request& req) {
    web::Response refused;
    auto s = Institution(req, &refused);
    if (!s) return refused;
    FormData f = FormData::Parse(req.body);
    if (!CsrfMatches(s->csrf, f.Get("csrf"))) return CsrfRefused(&*s);
    const Form form = qualcheck::Normalize(FormOf(f));
    const std::string token = f.Get("form_token");
    if (!auth::Allows(s->caller.principal, auth::Permission::kQcApply,
                      qualcheck::InstitutionCode(form))) {
      return PortalPage(*s, form,
                        {{"facility_code", "own_code",
                          "「医療機関コード・薬局コード」はこのアカウントの医療機関等のものを入力し"
                          "てください。"}},
                        400, "", token);
    }
    // A resent form (the same token) answers with the application of the first.
    auto id = q_.apps->SubmitPortal(form, s->caller.principal.account_id, d_.clock.Now(), token);
    if (!id.ok()) {
      auto errors = qualcheck::FieldErrorsOf(id.status());
      if (errors.empty()) return RaFailure(&*s, id.status());
      return PortalPage(*s, form, errors, 400, "", token);
    }
    return PortalPage(*s, Form{}, {}, 200, *id);
  }

 private:
  PortalDeps d_;
  const QualcheckPages& q_;
};

}  // namespace

void AddQualcheckRoutes(web::Router& router, const PortalDeps& deps) {
  if (deps.qualcheck == nullptr || deps.qualcheck->apps == nullptr) return;
  auto self = std::make_shared<QualcheckPagesImpl>(deps, *deps.qualcheck);
  auto bind = [self](web::Response (QualcheckPagesImpl::*fn)(const web::Request&)) {
    return [self, fn](const web::Request& r) { return (self.get()->*fn)(r); };
  };
  web::RouteOptions slow{.slow = true};  // argon2id of the secrets
  router.Handle("GET", kConsole, false, bind(&QualcheckPagesImpl::List));
  router.Handle("POST", "/console/qualcheck/key", false, bind(&QualcheckPagesImpl::Key), slow);
  router.Handle("GET", "/console/qualcheck/", true, bind(&QualcheckPagesImpl::Detail));
  router.Handle("POST", "/console/qualcheck/", true, bind(&QualcheckPagesImpl::Detail), slow);
  router.Handle("GET", "/portal/qualcheck", false, bind(&QualcheckPagesImpl::Portal));
  router.Handle("POST", "/portal/qualcheck", false, bind(&QualcheckPagesImpl::PortalApply), slow);
}

}  // namespace claimsca::portal
