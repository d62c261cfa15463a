// The 国保連 【証明書】 pages (docs/kokuhoren.md "Pages"; seeds 001 Q10 and 002 Q1–Q3):
// the history with 発行手数料残高, 証明書の発行申請をする (証明書発行用パスワード入力 →
// 有効期間選択 → for agents 証明書利用区分 and 支払方法, 相殺 → the offset office's user ID
// and password → 送信確認 with the 利用規約 → 処理終了), 証明書をダウンロード・インストール
// する (the PKCS#12, with the root's SHA-1 thumbprint to compare), 請求書を表示する, and the
// re-issue of the 証明書発行用パスワード.
//
// The wizard keeps what was typed between its screens in one hidden field, sealed
// (AES-256-GCM, crypto::SealedBox) under a key derived from the session token, which the
// page never holds (an HttpOnly cookie): the issuance password and the offset office's
// password are never written into a page in clear, and no server state is kept.

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "crypto/ossl.h"
#include "crypto/sealed_box.h"
#include "kokuhoren/applications.h"
#include "kokuhoren/types.h"
#include "portal/kokuhoren_views.h"
#include "portal/routes.h"
#include "portal/util.h"

namespace claimsca::portal {
namespace {

using nlohmann::json;

// The version of the 電子請求受付システム 認証サービス利用規約 in _kj_terms.mustache
// (kokuhoren::kTermsVersion; an application records the version agreed to). Change both
// together.
constexpr std::string_view kTermsVersion = kokuhoren::kTermsVersion;

// The wizard's state between its screens.
struct Wizard {
  std::string office;
  std::string issuance_password;
  std::string validity;
  std::string usage;
  std::string payment;
  std::string offset_user_id;
  std::string offset_password;
  std::string key;  // idempotency key of the application
};

class KjCertificate {
 public:
  KjCertificate(PortalDeps d, const KokuhorenPages& k) : d_(std::move(d)), k_(k) {
    root_sha1_ = crypto::Thumbprint(d_.root_cert_der, EVP_sha1());
  }

  // 【証明書】: the office (agents choose), its history and balance, and the three ways on.
  web::Response Certificate(const web::Request& req) {
    web::Response refused;
    auto c = LoadKj(d_, k_, req, &refused);
    if (!c) return refused;
    FormData q = FormData::Parse(req.query);
    auto office = KjOfficeOf(*c, auth::Permission::kKjRead, q.Get("office"));
    if (!office) return NotFound(&*c);
    const std::string choice = q.Get("choice");
    const std::string at = "?office=" + UrlEncode(*office);
    if (choice == "apply") return Redirect("/kj/apply" + at);
    if (choice == "download") return Redirect("/kj/download" + at);
    if (choice == "invoice") return Redirect("/kj/invoice" + at);
    auto rows = k_.certificates(c->s.caller, *office);
    if (!rows.ok()) return Unavailable(&*c);
    json list = json::array();
    bool invoices = false;
    for (const auto& r : *rows) {
      list.push_back({{"id", r.application_id},
                      {"applied", Day(r.applied_at)},
                      {"not_before", Day(r.not_before)},
                      {"not_after", Day(r.not_after)},
                      {"state", KjStateJa(r.state)},
                      {"state_class", r.state},
                      {"usage", KjUsageJa(r.usage)},
                      {"payment", KjPaymentJa(r.payment)}});
      invoices = invoices || r.has_invoice;
    }
    json data = {{"title", "証明書"},
                 {"office", *office},
                 {"offices", OfficesJson(*c, *office)},
                 {"several", c->account.offices.size() > 1},
                 {"office_name", OfficeName(*c, *office)},
                 {"rows", list},
                 {"empty", list.empty()},
                 {"invoices", invoices && static_cast<bool>(k_.invoice)}};
    if (k_.balance) {
      auto b = k_.balance(*office);
      data["balance"] = b.ok() ? KjYen(*b) : "—";
    }
    return KjPage("kj_certificate", data, &*c);
  }

  // 証明書の発行申請をする: GET shows 証明書発行用パスワード入力; each POST is one screen on.
  web::Response Apply(const web::Request& req) {
    web::Response refused;
    auto c = LoadKj(d_, k_, req, &refused);
    if (!c) return refused;
    if (req.method != "POST") {
      auto office =
          KjOfficeOf(*c, auth::Permission::kKjApply, FormData::Parse(req.query).Get("office"));
      if (!office) return NotFound(&*c);
      Wizard w;
      w.office = *office;
      w.key = RandomHex(16);
      return Screen(*c, "password", w);
    }
    FormData f = FormData::Parse(req.body);
    if (!CsrfMatches(c->s.csrf, f.Get("csrf"))) return CsrfRefused(&c->s);
    auto w = Open(*c, f.Get("state"));
    if (!w || !KjOfficeOf(*c, auth::Permission::kKjApply, w->office)) {
      return KjMessage(&*c, 400, "最初からやり直してください",
                       "入力の途中の情報が正しくありません。証明書の画面から、もう一度操作してくだ"
                       "さい。",
                       "/kj/certificate", "証明書の画面へ");
    }
    const std::string step = f.Get("step");
    const bool agent = c->account.agent;
    if (step == "password") {
      std::string typed = f.Get("issuance_password");
      Status st = k_.check_issuance_password(c->s.caller, typed);
      if (!st.ok()) {
        OPENSSL_cleanse(typed.data(), typed.size());
        return Screen(
            *c, "password", *w,
            st.code() == Code::kUnauthorized
                ? "証明書発行用パスワードが正しくありません。"
                  "「電子請求登録結果に関するお知らせ」または「証明書発行用パスワード通知書」"
                  "の記載をもう一度確かめてください。"
                : "ただいま確認できません。しばらくしてから、もう一度お試しください。",
            st.code() == Code::kUnauthorized ? 401 : 503);
      }
      w->issuance_password = std::move(typed);
      return Screen(*c, "validity", *w);
    }
    if (w->issuance_password.empty()) return Screen(*c, "password", *w);
    if (step == "validity") {
      auto v = kokuhoren::ParseValidityStart(f.Get("validity"));
      if (!v) return Screen(*c, "validity", *w, "有効期間を選んでください。", 422);
      w->validity = std::string(kokuhoren::Name(*v));
      if (agent) return Screen(*c, "usage", *w);
      w->usage = std::string(kokuhoren::Name(kokuhoren::UsageCategory::kCareInsurance));
      w->payment = std::string(kokuhoren::Name(kokuhoren::PaymentMethod::kOffset));
      return Screen(*c, "confirm", *w);
    }
    if (w->validity.empty()) return Screen(*c, "validity", *w);
    if (step == "usage" && agent) {
      auto u = kokuhoren::ParseUsageCategory(f.Get("usage"));
      auto m = kokuhoren::ParsePaymentMethod(f.Get("payment"));
      if (!u || !m)
        return Screen(*c, "usage", *w, "証明書利用区分と支払方法を選んでください。", 422);
      w->usage = std::string(kokuhoren::Name(*u));
      w->payment = std::string(kokuhoren::Name(*m));
      w->offset_user_id.clear();
      w->offset_password.clear();
      if (*m == kokuhoren::PaymentMethod::kOffset) return Screen(*c, "offset", *w);
      return Screen(*c, "confirm", *w);
    }
    if (w->usage.empty() || w->payment.empty()) return Screen(*c, "usage", *w);
    if (step == "offset" && agent && w->payment == "offset") {
      std::string user = f.Get("offset_user_id");
      std::string password = f.Get("offset_password");
      if (!kokuhoren::IsUserId(user)) {
        OPENSSL_cleanse(password.data(), password.size());
        return Screen(*c, "offset", *w, "ユーザIDは「KJ」から始まる番号を入力してください。", 422);
      }
      Status st = k_.check_offset_office(user, password);
      if (!st.ok()) {
        OPENSSL_cleanse(password.data(), password.size());
        return Screen(*c, "offset", *w,
                      st.code() == Code::kRateLimited
                          ? "パスワードの誤りが続いたため、相殺する事業所のユーザIDはロックされて"
                            "います。時間をおいてお試しください。"
                      : st.code() == Code::kUnauthorized || st.code() == Code::kForbidden
                          ? "相殺する事業所のユーザIDまたはパスワードが正しくありません。"
                          : "ただいま確認できません。しばらくしてから、もう一度お試しください。",
                      st.code() == Code::kRateLimited    ? 429
                      : st.code() == Code::kUnauthorized ? 401
                      : st.code() == Code::kForbidden    ? 403
                                                         : 503);
      }
      w->offset_user_id = kokuhoren::DisplayUserId(kokuhoren::AccountIdOf(user));
      w->offset_password = std::move(password);
      return Screen(*c, "confirm", *w);
    }
    if (agent && w->payment == "offset" && w->offset_user_id.empty()) {
      return Screen(*c, "offset", *w);
    }
    if (step != "submit") return Screen(*c, "confirm", *w);
    // 送信: the 利用規約 must have been agreed to (the check box sits after the last
    // article; the script enables it only once the text is scrolled to its end, and the
    // server refuses a form without it).
    if (f.Get("agree") != "1" || f.Get("terms") != kTermsVersion) {
      return Screen(*c, "confirm", *w,
                    "利用規約を最後までお読みになり、「上記内容に同意する」にチェックを入れてから"
                    "送信してください。",
                    422);
    }
    KjApplyRequest r{.caller = c->s.caller,
                     .office = w->office,
                     .issuance_password = w->issuance_password,
                     .validity = w->validity,
                     .usage = w->usage,
                     .payment = w->payment,
                     .offset_user_id = w->offset_user_id,
                     .offset_password = w->offset_password,
                     .terms_version = std::string(kTermsVersion),
                     .idempotency_key = w->key};
    auto id = k_.apply(r);
    for (std::string* p :
         {&r.issuance_password, &r.offset_password, &w->issuance_password, &w->offset_password}) {
      OPENSSL_cleanse(p->data(), p->size());
    }
    if (!id.ok()) return ApplyFailure(*c, *w, id.status());
    return KjPage("kj_apply_done",
                  {{"title", "処理終了"},
                   {"office", w->office},
                   {"transfer", w->payment == "transfer"},
                   {"application_id", *id}},
                  &*c);
  }

  // 証明書ダウンロード: the office's issued certificates with [ダウンロード], and the root's
  // thumbprint (SHA-1, as the Windows import dialog shows it, 002 Q2 ⑩).
  web::Response Download(const web::Request& req) {
    web::Response refused;
    auto c = LoadKj(d_, k_, req, &refused);
    if (!c) return refused;
    if (req.method == "POST") {
      FormData f = FormData::Parse(req.body);
      if (!CsrfMatches(c->s.csrf, f.Get("csrf"))) return CsrfRefused(&c->s);
      auto office = KjOfficeOf(*c, auth::Permission::kKjDownload, f.Get("office"));
      if (!office) return NotFound(&*c);
      auto file = k_.download(c->s.caller, *office, f.Get("application_id"));
      if (!file.ok()) return DownloadList(*c, *office, &file.status());
      auto r = web::Response::Bytes(file->content_type, std::move(file->bytes));
      r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + file->name + "\"");
      return WithHeaders(std::move(r));
    }
    auto office =
        KjOfficeOf(*c, auth::Permission::kKjDownload, FormData::Parse(req.query).Get("office"));
    if (!office) return NotFound(&*c);
    return DownloadList(*c, *office, nullptr);
  }

  // 請求書を表示する: the office's transfer applications; /kj/invoice/{id}.pdf the PDF.
  web::Response Invoice(const web::Request& req) {
    web::Response refused;
    auto c = LoadKj(d_, k_, req, &refused);
    if (!c) return refused;
    auto office =
        KjOfficeOf(*c, auth::Permission::kKjRead, FormData::Parse(req.query).Get("office"));
    if (!office) return NotFound(&*c);
    std::string_view rest = req.path;
    rest.remove_prefix(std::string_view("/kj/invoice").size());
    if (rest.starts_with("/") && rest.ends_with(".pdf")) {
      rest.remove_prefix(1);
      rest.remove_suffix(4);
      auto pdf = k_.invoice(c->s.caller, *office, std::string(rest));
      if (!pdf.ok()) {
        return pdf.status().code() == Code::kNotFound ? NotFound(&*c) : Unavailable(&*c);
      }
      auto r = web::Response::Bytes("application/pdf", std::move(pdf->bytes));
      r.headers.emplace_back("Content-Disposition", "inline; filename=\"" + pdf->name + "\"");
      return WithHeaders(std::move(r));
    }
    if (!rest.empty()) return NotFound(&*c);
    auto rows = k_.certificates(c->s.caller, *office);
    if (!rows.ok()) return Unavailable(&*c);
    json list = json::array();
    for (const auto& r : *rows) {
      if (!r.has_invoice) continue;
      list.push_back(
          {{"id", r.application_id},
           {"applied", Day(r.applied_at)},
           {"state", KjStateJa(r.state)},
           {"href", "/kj/invoice/" + r.application_id + ".pdf?office=" + UrlEncode(*office)}});
    }
    return KjPage(
        "kj_invoice",
        {{"title", "請求書"}, {"office", *office}, {"rows", list}, {"empty", list.empty()}}, &*c);
  }

  // 証明書発行用パスワード再発行 (002 Q3): the notice to look for first, then the
  // warning, then the re-issue; the new password's notice arrives in お知らせ.
  web::Response Reissue(const web::Request& req) {
    web::Response refused;
    auto c = LoadKj(d_, k_, req, &refused);
    if (!c) return refused;
    if (!auth::Allows(c->s.caller.principal, auth::Permission::kKjPassword)) return NotFound(&*c);
    if (req.method != "POST") {
      const bool lost = FormData::Parse(req.query).Get("step") == "lost";
      return KjPage(
          "kj_reissue",
          {{"title", lost ? "証明書発行用パスワード再発行" : "電子請求登録結果に関するお知らせ"},
           {"lost", lost},
           {"agent", c->account.agent}},
          &*c);
    }
    FormData f = FormData::Parse(req.body);
    if (!CsrfMatches(c->s.csrf, f.Get("csrf"))) return CsrfRefused(&c->s);
    std::string password = f.Get("password");
    Status st = k_.reissue_issuance_password(c->s.caller, password);
    OPENSSL_cleanse(password.data(), password.size());
    if (!st.ok()) {
      if (st.code() != Code::kUnauthorized && st.code() != Code::kRateLimited) {
        return Unavailable(&*c);
      }
      return KjPage("kj_reissue",
                    {{"title", "証明書発行用パスワード再発行"},
                     {"lost", true},
                     {"error", st.code() == Code::kUnauthorized
                                   ? "ログインパスワードが正しくありません。"
                                   : "パスワードの誤りが続いたため、このユーザIDをロックしました。"
                                     "時間をおいてお試しください。"}},
                    &*c, st.code() == Code::kUnauthorized ? 401 : 429);
    }
    return KjPage("kj_reissue", {{"title", "証明書発行用パスワード再発行"}, {"done", true}}, &*c);
  }

 private:
  static web::Response NotFound(const KjContext* c) {
    return KjMessage(c, 404, "見つかりません", "お探しの情報は見つかりませんでした。",
                     "/kj/certificate", "証明書の画面へ");
  }
  static web::Response Unavailable(const KjContext* c) {
    return KjMessage(c, 503, "ただいま処理できません", "しばらくしてから、もう一度お試しください。",
                     "/kj/certificate", "証明書の画面へ");
  }

  static json OfficesJson(const KjContext& c, const std::string& selected) {
    json out = json::array();
    for (const auto& o : c.account.offices) {
      out.push_back({{"number", o.number}, {"name", o.name}, {"selected", o.number == selected}});
    }
    return out;
  }
  static std::string OfficeName(const KjContext& c, const std::string& office) {
    for (const auto& o : c.account.offices) {
      if (o.number == office) return o.name;
    }
    return "";
  }

  // ---- the wizard's sealed state ----

  // A key of the session (its token never reaches the page): SHA-256 of a label and it.
  static std::optional<crypto::SealedBox> BoxOf(const Session& s) {
    std::string material = "claimsca kokuhoren apply wizard";
    material.push_back('\0');
    material += s.token;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_Digest(material.data(), material.size(), digest, &n, EVP_sha256(), nullptr) != 1) {
      return std::nullopt;
    }
    OPENSSL_cleanse(material.data(), material.size());
    auto box = crypto::SealedBox::Create(std::string(reinterpret_cast<char*>(digest), n));
    OPENSSL_cleanse(digest, sizeof digest);
    if (!box.ok()) return std::nullopt;
    return std::move(*box);
  }

  static std::string Seal(const KjContext& c, const Wizard& w) {
    auto box = BoxOf(c.s);
    if (!box) return "";
    json j = {
        {"o", w.office},  {"p", w.issuance_password}, {"v", w.validity},         {"u", w.usage},
        {"m", w.payment}, {"ou", w.offset_user_id},   {"op", w.offset_password}, {"k", w.key}};
    std::string text = j.dump();
    auto sealed = box->Seal(text, c.s.caller.principal.account_id);
    OPENSSL_cleanse(text.data(), text.size());
    return sealed.ok() ? crypto::HexEncode(*sealed) : "";
  }

  static std::optional<Wizard> Open(const KjContext& c, const std::string& hex) {
    auto box = BoxOf(c.s);
    auto sealed = crypto::HexDecode(hex);
    if (!box || !sealed.ok()) return std::nullopt;
    auto text = box->Open(*sealed, c.s.caller.principal.account_id);
    if (!text.ok()) return std::nullopt;
    json j = json::parse(*text, nullptr, false);
    OPENSSL_cleanse(text->data(), text->size());
    if (!j.is_object()) return std::nullopt;
    auto get = [&](const char* name) {
      return j.contains(name) && j[name].is_string() ? j[name].get<std::string>() : "";
    };
    Wizard w{get("o"), get("p"), get("v"), get("u"), get("m"), get("ou"), get("op"), get("k")};
    if (w.key.size() != 32) return std::nullopt;
    return w;
  }

  // One screen of the wizard: "password", "validity", "usage", "offset", "confirm".
  web::Response Screen(const KjContext& c, const std::string& screen, const Wizard& w,
                       const std::string& error = "", int status = 200) {
    static const std::pair<const char*, const char*> kTitles[] = {
        {"password", "証明書発行用パスワード入力"},
        {"validity", "証明書有効期間選択"},
        {"usage", "証明書利用区分・支払方法選択"},
        {"offset", "相殺する事業所の確認"},
        {"confirm", "送信確認"}};
    std::string title;
    for (const auto& [name, t] : kTitles) {
      if (screen == name) title = t;
    }
    json data = {{"title", title},
                 {"state", Seal(c, w)},
                 {"office", w.office},
                 {"office_name", OfficeName(c, w.office)},
                 {"agent", c.account.agent},
                 {"error", error},
                 {screen, true}};
    if (screen == "validity" || screen == "confirm") {
      std::optional<Instant> from;
      if (k_.continue_from) {
        auto cf = k_.continue_from(w.office);
        if (cf.ok()) from = *cf;
      }
      if (from) data["continue_from"] = KjDateJa(*from);
      data["continue_selected"] = w.validity == "continue" || (w.validity.empty() && from);
    }
    if (screen == "usage") {
      data["care_and_disability"] = w.usage == "care_and_disability";
      data["transfer"] = w.payment == "transfer";
    }
    if (screen == "confirm") {
      data["validity_ja"] = w.validity == "continue" && data.contains("continue_from")
                                ? data["continue_from"].get<std::string>() + "から有効な証明書"
                                : "発行日から有効な証明書";
      data["usage_ja"] = KjUsageJa(w.usage);
      data["payment_ja"] = KjPaymentJa(w.payment);
      data["offset_user_id"] = w.offset_user_id;
      data["terms"] = std::string(kTermsVersion);
    }
    return KjPage("kj_apply", data, &c, status);
  }

  web::Response ApplyFailure(const KjContext& c, const Wizard& w, const Status& st) {
    switch (st.code()) {
      case Code::kUnauthorized:
        return Screen(c, "password", w, "証明書発行用パスワードが正しくありません。", 401);
      case Code::kInvalidArgument:
      case Code::kFailedPrecondition:
      case Code::kConflict:
        return Screen(c, "confirm", w,
                      "この内容では発行申請を受け付けられません（" + st.message() + "）。", 409);
      default:
        return KjMessage(
            &c, 503, "ただいま処理できません",
            "発行申請を受け付けられませんでした。しばらくしてから、もう一度お試しくださ"
            "い。",
            "/kj/certificate", "証明書の画面へ");
    }
  }

  web::Response DownloadList(const KjContext& c, const std::string& office, const Status* failed) {
    auto rows = k_.certificates(c.s.caller, office);
    if (!rows.ok()) return Unavailable(&c);
    json list = json::array();
    for (const auto& r : *rows) {
      if (r.state != "issued") continue;
      list.push_back({{"id", r.application_id},
                      {"applied", Day(r.applied_at)},
                      {"not_before", Day(r.not_before)},
                      {"not_after", Day(r.not_after)},
                      {"usage", KjUsageJa(r.usage)},
                      {"old_generation", r.old_generation}});
    }
    json data = {{"title", "証明書ダウンロード"},
                 {"office", office},
                 {"rows", list},
                 {"empty", list.empty()},
                 {"sha1", root_sha1_}};
    int status = 200;
    if (failed) {
      const bool old = failed->code() == Code::kFailedPrecondition &&
                       (failed->message().find("generation") != std::string::npos ||
                        failed->message().find(kOldGenerationJa) != std::string::npos);
      data["error"] =
          old ? std::string(kOldGenerationJa)
          : failed->code() == Code::kNotFound || failed->code() == Code::kFailedPrecondition
              ? "この電子証明書は、いまはダウンロードできません（失効、有効期限切れ、または発行前"
                "です）。"
              : "ただいまダウンロードできません。しばらくしてから、もう一度お試しください。";
      status = failed->code() == Code::kNotFound             ? 404
               : failed->code() == Code::kFailedPrecondition ? 409
                                                             : 503;
    }
    return KjPage("kj_download", data, &c, status);
  }

  // The words of 002 Q3 ⑪.
  static constexpr std::string_view kOldGenerationJa =
      "再発行した証明書発行用パスワードでは、以前の証明書発行用パスワードで申請した電子証明書を"
      "インストールできません。新たに電子証明書の発行申請を行ってください。";

  PortalDeps d_;
  const KokuhorenPages& k_;  // outlives the router (PortalDeps::kokuhoren)
  std::string root_sha1_;
};

}  // namespace

void AddKokuhorenCertificateRoutes(web::Router& router, const PortalDeps& deps) {
  const KokuhorenPages* k = deps.kokuhoren;
  if (!k || !k->account || !k->certificates) return;
  auto self = std::make_shared<KjCertificate>(deps, *k);
  web::RouteOptions slow{.slow = true};
  auto bind = [self](web::Response (KjCertificate::*fn)(const web::Request&)) {
    return [self, fn](const web::Request& r) { return (self.get()->*fn)(r); };
  };
  router.Handle("GET", "/kj/certificate", false, bind(&KjCertificate::Certificate), slow);
  if (k->apply && k->check_issuance_password && k->check_offset_office) {
    router.Handle("GET", "/kj/apply", false, bind(&KjCertificate::Apply), slow);
    router.Handle("POST", "/kj/apply", false, bind(&KjCertificate::Apply), slow);
  }
  if (k->download) {
    router.Handle("GET", "/kj/download", false, bind(&KjCertificate::Download), slow);
    router.Handle("POST", "/kj/download", false, bind(&KjCertificate::Download), slow);
  }
  if (k->invoice) {
    router.Handle("GET", "/kj/invoice", false, bind(&KjCertificate::Invoice), slow);
    router.Handle("GET", "/kj/invoice/", true, bind(&KjCertificate::Invoice), slow);
  }
  if (k->reissue_issuance_password) {
    router.Handle("GET", "/kj/reissue", false, bind(&KjCertificate::Reissue), slow);
    router.Handle("POST", "/kj/reissue", false, bind(&KjCertificate::Reissue), slow);
  }
}

}  // namespace claimsca::portal
