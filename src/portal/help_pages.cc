// The public help pages (docs/portal.md "Help"), linked from every page's footer:
//   GET /portal/contact        お問い合わせ: the contact the operator configures ([contact])
//   GET /portal/guide/cps      303 to [guide] cps_url, or a page saying it is not set
//   GET /portal/guide/manual   303 to [guide] manual_url, or a page with the notice's manual
// Every page whose message says to contact the body links /portal/contact (page.cc).

#include <memory>
#include <nlohmann/json.hpp>

#include "portal/page.h"
#include "portal/routes.h"
#include "portal/views.h"

namespace claimsca::portal {
namespace {

using nlohmann::json;

// The document's page: a redirect to the operator's URL, else our own placeholder.
web::Response Document(const PortalDeps& d, const web::Request& req, const std::string& url,
                       const std::string& title, const std::string& key) {
  if (!url.empty()) return Redirect(url);
  auto s = LoadSession(d, req);
  json data = {{"title", title}, {"key", key}};
  if (key == "manual" && !d.help->notice_manual_url.empty()) {
    data["notice_manual_url"] = d.help->notice_manual_url;
  }
  return Page("guide", data, s ? &*s : nullptr);
}

}  // namespace

void AddHelpRoutes(web::Router& router, const PortalDeps& deps) {
  if (deps.help == nullptr) return;
  router.Handle("GET", "/portal/contact", false, [deps](const web::Request& req) {
    const HelpPages& h = *deps.help;
    json rows = json::array();
    auto add = [&rows](const char* label, const std::string& value, const char* href) {
      if (value.empty()) return;
      json row = {{"label", label}, {"value", value}};
      if (href != nullptr) row["href"] = std::string(href) + value;
      rows.push_back(row);
    };
    add("窓口", h.contact_name, nullptr);
    add("電話番号", h.contact_phone, "tel:");
    add("受付時間", h.contact_hours, nullptr);
    add("メールアドレス", h.contact_email, "mailto:");
    auto s = LoadSession(deps, req);
    return Page("contact", {{"title", "お問い合わせ"}, {"rows", rows}, {"none", rows.empty()}},
                s ? &*s : nullptr);
  });
  router.Handle("GET", "/portal/guide/cps", false, [deps](const web::Request& req) {
    return Document(deps, req, deps.help->cps_url, "CP/CPS（証明書ポリシー・認証局運用規程）",
                    "cps");
  });
  router.Handle("GET", "/portal/guide/manual", false, [deps](const web::Request& req) {
    return Document(deps, req, deps.help->manual_url, "操作マニュアル", "manual");
  });
}

}  // namespace claimsca::portal
