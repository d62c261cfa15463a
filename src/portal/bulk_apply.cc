// Many terminals at once (issue 24 point 10; docs/portal.md "Many terminals at once"): a
// hospital or a claims agent applies for many terminals from one CSV file.
//   GET  /portal/apply/bulk               the upload form and the template's link
//   GET  /portal/apply/bulk/template.csv  the template (UTF-8 with BOM, the account's
//                                         institution filled in)
//   POST /portal/apply/bulk               multipart (csrf, file): every row checked as the
//                                         form is; errors by row and field, or the count
//                                         and the fee for the whole file, to confirm;
//                                         urlencoded (csrf, step=submit, csv, key): the
//                                         confirmation stores every row in one transaction
//                                         (idempotent on key: a resend stores nothing twice)
// An institution account with kApply, as the form (/portal/apply).

#include <memory>
#include <nlohmann/json.hpp>

#include "portal/apply_prefill.h"
#include "portal/bulk_csv.h"
#include "portal/page.h"
#include "portal/routes.h"
#include "portal/util.h"
#include "portal/views.h"

namespace claimsca::portal {
namespace {

using nlohmann::json;

constexpr char kPath[] = "/portal/apply/bulk";
constexpr char kTemplatePath[] = "/portal/apply/bulk/template.csv";
constexpr char kTitle[] = "複数の端末の一括申請（CSVファイル）";

std::vector<ra::ApplicationForm> Forms(const BulkFile& file) {
  std::vector<ra::ApplicationForm> forms;
  for (const BulkRow& r : file.rows) forms.push_back(r.form);
  return forms;
}

// The refused rows: one line per error, with the row's line and the field's label.
json RowErrors(const BulkFile& file, const ra::BulkResult& checked) {
  json out = json::array();
  for (size_t i = 0; i < checked.errors.size() && i < file.rows.size(); ++i) {
    for (const domain::FieldError& e : checked.errors[i]) {
      std::string_view label = BulkLabel(e.field);
      out.push_back({{"line", file.rows[i].line},
                     {"terminal", file.rows[i].form.terminal_name},
                     {"field", label.empty() ? std::string("（全体）") : std::string(label)},
                     {"message", e.message_ja}});
    }
  }
  return out;
}

json Rows(const BulkFile& file) {
  json out = json::array();
  for (const BulkRow& r : file.rows) {
    const ra::ApplicationForm n = NormalizedForm(r.form);  // "1" → "01", as it is stored
    out.push_back({{"line", r.line},
                   {"terminal", n.terminal_name},
                   {"contact", n.contact_name},
                   {"code", n.prefecture + n.score_table + n.facility_code}});
  }
  return out;
}

class BulkApply {
 public:
  explicit BulkApply(PortalDeps d) : d_(std::move(d)) {}

  web::Response Template(const web::Request& req) const {
    auto s = LoadSession(d_, req);
    if (!s) return Redirect("/portal/login");
    if (s->caller.principal.kind != "institution") return Redirect("/portal/");
    Prefill p = PrefillFor(s->caller.principal, d_.register_reader, "");
    auto r = web::Response::Bytes("text/csv; charset=utf-8", BulkTemplateCsv(p.form));
    r.headers.emplace_back("Content-Disposition",
                           "attachment; filename=\"bulk-apply-template.csv\"");
    return WithHeaders(std::move(r));
  }

  web::Response Handle(const web::Request& req) const {
    auto s = LoadSession(d_, req);
    if (!s) return Redirect("/portal/login");
    if (s->caller.principal.kind != "institution") return Redirect("/portal/");
    json data = {{"title", kTitle},
                 {"action", kPath},
                 {"template", kTemplatePath},
                 {"max_rows", ra::RegistrationAuthority::kMaxBulkRows},
                 {"form_csrf", s->csrf}};
    if (req.method != "POST") return Page("apply_bulk", data, &*s);
    if (req.Header("Content-Type").starts_with("multipart/form-data")) {
      auto parts = ParseMultipart(req.Header("Content-Type"), req.body);
      if (!parts || !CsrfMatches(s->csrf, MultipartPart(parts, "csrf"))) return CsrfRefused(&*s);
      return Check(*s, MultipartPart(parts, "file"), data);
    }
    FormData f = FormData::Parse(req.body);
    if (!CsrfMatches(s->csrf, f.Get("csrf"))) return CsrfRefused(&*s);
    if (f.Get("step") != "submit" || f.Get("key").size() != 32) {
      return Page("apply_bulk", data, &*s);
    }
    return Submit(*s, f.Get("csv"), f.Get("key"), data);
  }

 private:
  // The uploaded file: refused (errors by row and field) or shown for confirmation.
  web::Response Check(const Session& s, const std::string& bytes, json data) const {
    if (bytes.empty()) {
      data["file_errors"] = json::array({"CSVファイルを選んでください。"});
      return Page("apply_bulk", data, &s, 422);
    }
    BulkFile file = ParseBulkCsv(bytes, ra::RegistrationAuthority::kMaxBulkRows);
    if (!file.errors.empty()) {
      data["file_errors"] = file.errors;
      return Page("apply_bulk", data, &s, 422);
    }
    auto checked = d_.ra.PreviewMany(s.caller, Forms(file));
    if (!checked.ok()) return RaFailure(&s, checked.status());
    if (checked->refused) {
      data["row_errors"] = RowErrors(file, *checked);
      data["refused"] = true;
      return Page("apply_bulk", data, &s, 422);
    }
    data["confirm"] = {{"count", file.rows.size()},
                       {"fee_yen", GroupDigits(checked->fee.total_yen)},
                       {"total_yen", GroupDigits(checked->total_yen)},
                       {"tariff_from", checked->tariff_from},
                       {"rows", Rows(file)},
                       {"csv", file.text},
                       {"key", RandomHex(16)}};
    return Page("apply_bulk", data, &s);
  }

  web::Response Submit(const Session& s, const std::string& csv, const std::string& key,
                       json data) const {
    BulkFile file = ParseBulkCsv(csv, ra::RegistrationAuthority::kMaxBulkRows);
    if (!file.errors.empty()) {
      data["file_errors"] = file.errors;
      return Page("apply_bulk", data, &s, 422);
    }
    auto result = d_.ra.SubmitMany(s.caller, Forms(file), key, *d_.bulk);
    if (!result.ok()) return RaFailure(&s, result.status());
    if (result->refused) {  // something changed since the check (e.g. the register)
      data["row_errors"] = RowErrors(file, *result);
      data["refused"] = true;
      return Page("apply_bulk", data, &s, 422);
    }
    json rows = json::array();
    for (size_t i = 0; i < result->applications.size(); ++i) {
      const store::ApplicationRecord& a = result->applications[i];
      json row = {{"line", i < file.rows.size() ? file.rows[i].line : 0},
                  {"request_id", a.request_id},
                  {"terminal", a.terminal_name},
                  {"state", StateJa(a.state)},
                  {"href", "/portal/applications/" + a.request_id}};
      if (auto until = d_.slips ? d_.slips->FreeUntil(a) : std::nullopt) {
        row["free_cancel_until"] = FormatDateTimeJa(*until);
      }
      rows.push_back(std::move(row));
    }
    data["done"] = {{"count", rows.size()},
                    {"resent", result->created == 0},
                    {"rows", rows},
                    {"total_yen", GroupDigits(result->total_yen)}};
    data["title"] = "一括申請の完了";
    return Page("apply_bulk", data, &s);
  }

  PortalDeps d_;
};

}  // namespace

void AddBulkApplyRoutes(web::Router& router, const PortalDeps& deps) {
  if (deps.bulk == nullptr) return;
  auto b = std::make_shared<BulkApply>(deps);
  web::RouteOptions slow{.slow = true};
  router.Handle(
      "GET", kPath, false, [b](const web::Request& r) { return b->Handle(r); }, slow);
  router.Handle(
      "POST", kPath, false, [b](const web::Request& r) { return b->Handle(r); }, slow);
  router.Handle(
      "GET", kTemplatePath, false, [b](const web::Request& r) { return b->Template(r); }, slow);
}

}  // namespace claimsca::portal
