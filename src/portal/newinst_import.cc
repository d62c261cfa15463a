// The console's upload of the bureau's 新規指定医療機関一覧表 (docs/newinst.md "The bureau's
// list and the code swap"): GET shows the form, POST (multipart: csrf, file, optional
// dry_run) checks every row and, unless a row is refused or it is a dry run, swaps the codes
// in one transaction (newinst::ImportDesignations, which audits). The answer is the table of
// rows with their result. Needs `newinst_manage` (operator and up) through auth::Allows.

#include <memory>
#include <nlohmann/json.hpp>

#include "newinst/designations.h"
#include "portal/page.h"
#include "portal/routes.h"
#include "portal/util.h"
#include "portal/views.h"

namespace claimsca::portal {
namespace {

using nlohmann::json;

constexpr char kPath[] = "/console/newinst/designations";
constexpr char kTitle[] = "新規指定医療機関一覧表の取込";

std::string ResultJa(const newinst::DesignationOutcome& o, bool changed) {
  switch (o.kind) {
    case newinst::DesignationOutcome::Kind::kSwap:
      return changed ? "切替済み" : "切替可（未実行）";
    case newinst::DesignationOutcome::Kind::kAlreadyDone:
      return "切替済み（前回の取込）";
    case newinst::DesignationOutcome::Kind::kRefused:
      return "不可";
  }
  return "";
}

web::Response Handle(const PortalDeps& d, const web::Request& req) {
  auto s = LoadSession(d, req);
  if (!s) return Redirect("/portal/login");
  if (d.newinst_store == nullptr ||
      !auth::Allows(s->caller.principal, auth::Permission::kNewinstManage)) {
    return Message(&*s, 403, kTitle,
                   "このアカウントの権限では、新規指定医療機関一覧表を取り込めません。",
                   "/console/", "コンソールに戻る");
  }
  json data = {{"title", kTitle}, {"action", kPath}};
  if (req.method != "POST") return Page("console_newinst_import", data, &*s);
  auto parts = ParseMultipart(req.Header("Content-Type"), req.body);
  auto part = [&](std::string_view name) { return MultipartPart(parts, name); };
  if (!parts || !CsrfMatches(s->csrf, part("csrf"))) return CsrfRefused(&*s);
  const std::string bytes = part("file");
  if (bytes.empty()) {
    data["error"] = "取り込むファイル（xlsx または CSV）を選んでください。";
    return Page("console_newinst_import", data, &*s, 422);
  }
  const bool dry_run = part("dry_run") == "1";
  auto list = newinst::ReadDesignationFile(bytes);
  if (!list.ok()) {
    data["error"] = "ファイルを読めないため、取り込みませんでした（何も変わっていません）: " +
                    list.status().message();
    return Page("console_newinst_import", data, &*s, 422);
  }
  auto report = newinst::ImportDesignations(*d.newinst_store, d.clock, *list,
                                            {"console upload", bytes, s->caller.Actor(), dry_run});
  if (!report.ok()) return RaFailure(&*s, report.status());
  json rows = json::array();
  for (const newinst::DesignationOutcome& o : report->rows) {
    rows.push_back({{"row", o.row},
                    {"result", ResultJa(o, report->changed)},
                    {"kind", std::string(newinst::KindName(o.kind))},
                    {"real_code", o.real_code},
                    {"provisional_code", o.provisional_code},
                    {"reception_number", o.reception_number},
                    {"name", o.name},
                    {"reason", o.message_ja},
                    {"reason_code", o.code}});
  }
  data["rows"] = rows;
  data["has_rows"] = !rows.empty();
  if (report->refused > 0) {
    data["error"] = std::to_string(report->refused) +
                    " 行に誤りがあるため、取り込みませんでした（何も変わっていません）。";
    return Page("console_newinst_import", data, &*s, 422);
  }
  data["done"] = dry_run ? "確認のみ: " + std::to_string(report->swapped) +
                               " 件を切り替えられます（何も変えていません）。"
                 : report->changed ? std::to_string(report->swapped) +
                                         " 件を本来の医療機関等コードに切り替えました。"
                                   : "すべての行が切替済みです。何も変わっていません。";
  return Page("console_newinst_import", data, &*s);
}

}  // namespace

void AddNewinstImportRoutes(web::Router& router, const PortalDeps& deps) {
  if (deps.newinst_store == nullptr) return;
  auto d = std::make_shared<PortalDeps>(deps);
  auto h = [d](const web::Request& r) { return Handle(*d, r); };
  web::RouteOptions slow{.slow = true};
  router.Handle("GET", kPath, false, h, slow);
  router.Handle("POST", kPath, false, h, slow);
}

}  // namespace claimsca::portal
