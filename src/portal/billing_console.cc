// The operator console's billing page (docs/portal.md, "Console: billing"): the months'
// runs and the files they produced, the files imported (deduction results, payment files)
// with their SHA-256, the unmatched payments, the unpaid invoices with the confirmed
// revocation, and the forms that run a month, import the two result files and download
// the accounting report. Reading needs `read` on every institution (reviewer and up); every
// action needs `billing` (operator and up), CSRF, and is done by the billing module's own
// functions (BillingPages), which audit it.

#include <memory>
#include <nlohmann/json.hpp>

#include "common/iso_date.h"
#include "common/time_util.h"
#include "portal/billing_pages.h"
#include "portal/labels.h"
#include "portal/page.h"
#include "portal/routes.h"
#include "portal/util.h"
#include "portal/views.h"

namespace claimsca::portal {
namespace {

using nlohmann::json;

constexpr char kBack[] = "/console/billing";
constexpr char kBackLabel[] = "請求・入金の管理に戻る";

json Files(const std::vector<BillingFileView>& files) {
  json out = json::array();
  for (const auto& f : files) {
    out.push_back({{"what", f.what},
                   {"name", f.name},
                   {"sha256", f.sha256},
                   {"at", f.at},
                   {"detail", f.detail}});
  }
  return out;
}

bool IsMonth(const std::string& m) {
  return m.size() == 7 && m[4] == '-' && m.find_first_not_of("0123456789-") == std::string::npos &&
         m.find('-', 5) == std::string::npos;
}

class BillingConsole {
 public:
  BillingConsole(PortalDeps d, const BillingPages& b) : d_(std::move(d)), b_(b) {}

  // The session of an account that reads every institution (else `refused`); with
  // `action`, one that also holds `billing`.
  std::optional<Session> Operator(const web::Request& req, web::Response* refused, bool action) {
    auto s = ConsoleSession(d_, req, "請求・入金の管理", refused);
    if (!s) return std::nullopt;
    if (action && !auth::Allows(s->caller.principal, auth::Permission::kBilling)) {
      *refused =
          Message(&*s, 403, "請求・入金の管理",
                  "このアカウントの権限では、請求・入金の操作はできません。", kBack, kBackLabel);
      return std::nullopt;
    }
    return s;
  }

  web::Response Overview(const web::Request& req) {
    web::Response refused;
    auto s = Operator(req, &refused, false);
    if (!s) return refused;
    auto o = b_.overview();
    if (!o.ok()) {
      return Message(&*s, 503, "請求・入金の管理",
                     "表示できませんでした（" + o.status().message() + "）。", "/console/",
                     "コンソールに戻る");
    }
    json runs = json::array();
    for (const auto& r : o->runs) {
      runs.push_back({{"month", r.month},
                      {"state", labels::BillingRunState(r.state)},
                      {"issue_date", r.issue_date},
                      {"started_by", labels::Actor(r.started_by)},
                      {"files", Files(r.files)},
                      {"no_files", r.files.empty()}});
    }
    json queue = json::array();
    for (const auto& q : o->queue) {
      queue.push_back({{"id", q.id},
                       {"booking_date", q.booking_date},
                       {"amount", GroupDigits(q.amount_yen) + "円"},
                       {"payer_name", q.payer_name},
                       {"outcome", labels::BillingOutcome(q.outcome)},
                       {"invoice_number", q.invoice_number}});
    }
    json unpaid = json::array();
    for (const auto& u : o->unpaid) {
      unpaid.push_back({{"number", u.number},
                        {"institution_code", u.institution_code},
                        {"name", u.name},
                        {"amount", GroupDigits(u.amount_yen) + "円"},
                        {"paid", GroupDigits(u.paid_yen) + "円"},
                        {"due_date", u.due_date},
                        {"confirmed", u.confirmations > 0},
                        {"action", std::string(kBack) + "/unpaid/" + u.number + "/revoke"}});
    }
    const bool can_act = auth::Allows(s->caller.principal, auth::Permission::kBilling);
    const Date today = JstDate(d_.clock.Now());
    const std::string month = IsoDate(today).substr(0, 7);
    json data = {{"title", "請求・入金の管理"},
                 {"runs", runs},
                 {"no_runs", runs.empty()},
                 {"imports", Files(o->imports)},
                 {"no_imports", o->imports.empty()},
                 {"queue", queue},
                 {"no_queue", queue.empty()},
                 {"unpaid", unpaid},
                 {"no_unpaid", unpaid.empty()},
                 {"grace_days", o->grace_days},
                 {"this_month", month},
                 {"can_act", can_act},
                 {"can_run", can_act && bool(b_.run_month)},
                 {"can_import_deduction", can_act && bool(b_.import_deduction_result)},
                 {"can_import_payments", can_act && bool(b_.import_payments)},
                 {"can_revoke", can_act && bool(b_.revoke_unpaid)},
                 {"can_report", can_act && bool(b_.accounting_report)}};
    return Page("console_billing", data, &*s);
  }

  web::Response Done(const Session& s, const std::string& title, const Result<std::string>& r) {
    json data = {{"title", title}, {"ok", r.ok()}};
    if (r.ok()) {
      json lines = json::array();
      for (size_t p = 0; p < r->size();) {
        size_t q = r->find('\n', p);
        if (q == std::string::npos) q = r->size();
        if (q > p) lines.push_back(r->substr(p, q - p));
        p = q + 1;
      }
      data["lines"] = lines;
    } else {
      data["error"] = r.status().message();
    }
    int status = r.ok() ? 200 : web::HttpStatusFor(r.status().code());
    return Page("console_billing_done", data, &s, status);
  }

  // POST /console/billing/run: month=YYYY-MM.
  web::Response Run(const web::Request& req) {
    web::Response refused;
    auto s = Operator(req, &refused, true);
    if (!s) return refused;
    if (!b_.run_month) return RaFailure(&*s, NotFound("billing run"));
    FormData f = FormData::Parse(req.body);
    if (!CsrfMatches(s->csrf, f.Get("csrf"))) return CsrfRefused(&*s);
    const std::string month = f.Get("month");
    if (!IsMonth(month)) {
      return Done(*s, "月次請求の実行", InvalidArgument("month: YYYY-MM の形式で入力してください"));
    }
    return Done(*s, "月次請求の実行（" + month + "）", b_.run_month(month, s->caller));
  }

  // POST /console/billing/deduction-result and /console/billing/payments (multipart: csrf,
  // file).
  web::Response Import(const web::Request& req) {
    web::Response refused;
    auto s = Operator(req, &refused, true);
    if (!s) return refused;
    const bool payments = req.path == "/console/billing/payments";
    if (payments ? !b_.import_payments : !b_.import_deduction_result) {
      return RaFailure(&*s, NotFound("billing import"));
    }
    auto parts = ParseMultipart(req.Header("Content-Type"), req.body);
    auto part = [&](std::string_view name) { return MultipartPart(parts, name); };
    if (!parts || !CsrfMatches(s->csrf, part("csrf"))) return CsrfRefused(&*s);
    const std::string title = payments ? "入金明細（全銀協）の取込" : "控除結果ファイルの取込";
    const std::string file = part("file");
    if (file.empty()) return Done(*s, title, InvalidArgument("取り込むファイルを選んでください"));
    return Done(*s, title,
                payments ? b_.import_payments(file, "console upload", s->caller)
                         : b_.import_deduction_result(file, s->caller));
  }

  // POST /console/billing/unpaid/{number}/revoke: confirmed=0 shows the question once;
  // confirmed=1 confirms the non-payment and revokes.
  web::Response Revoke(const web::Request& req) {
    web::Response refused;
    auto s = Operator(req, &refused, true);
    if (!s) return refused;
    const auto [number, action] = IdAndAction(req.path, "/console/billing/unpaid/");
    if (action != "revoke" || number.size() != 10 ||
        number.find_first_not_of("0123456789") != std::string::npos || !b_.revoke_unpaid) {
      return RaFailure(&*s, NotFound("invoice"));
    }
    FormData f = FormData::Parse(req.body);
    if (!CsrfMatches(s->csrf, f.Get("csrf"))) return CsrfRefused(&*s);
    if (f.Get("confirmed") != "1") {
      return Page("console_billing_confirm",
                  {{"title", "未納による失効の確認"},
                   {"number", number},
                   {"action", req.path},
                   {"back", kBack}},
                  &*s);
    }
    return Done(*s, "未納による失効（請求番号 " + number + "）",
                b_.revoke_unpaid(number, s->caller));
  }

  // GET /console/billing/report?month=YYYY-MM: the accounting report CSV.
  web::Response Report(const web::Request& req) {
    web::Response refused;
    auto s = Operator(req, &refused, true);
    if (!s) return refused;
    if (!b_.accounting_report) return RaFailure(&*s, NotFound("report"));
    const std::string month = FormData::Parse(req.query).Get("month");
    if (!IsMonth(month)) {
      return Done(*s, "月次会計レポート",
                  InvalidArgument("month: YYYY-MM の形式で入力してください"));
    }
    auto csv = b_.accounting_report(month);
    if (!csv.ok()) return Done(*s, "月次会計レポート", csv.status());
    auto r = web::Response::Bytes("text/csv; charset=utf-8", std::move(*csv));
    std::string compact = month.substr(0, 4) + month.substr(5, 2);
    r.headers.emplace_back("Content-Disposition",
                           "attachment; filename=\"accounting-report-" + compact + ".csv\"");
    return WithHeaders(std::move(r));
  }

 private:
  PortalDeps d_;
  const BillingPages& b_;  // outlives the router (PortalDeps::billing)
};

}  // namespace

void AddBillingConsoleRoutes(web::Router& router, const PortalDeps& deps) {
  if (!deps.billing || !deps.billing->overview) return;
  auto self = std::make_shared<BillingConsole>(deps, *deps.billing);
  auto bind = [self](web::Response (BillingConsole::*fn)(const web::Request&)) {
    return [self, fn](const web::Request& r) { return (self.get()->*fn)(r); };
  };
  web::RouteOptions slow{.slow = true};
  const BillingPages& b = *deps.billing;
  router.Handle("GET", "/console/billing", false, bind(&BillingConsole::Overview), slow);
  // An action's route exists only when its function is wired.
  if (b.run_month) {
    router.Handle("POST", "/console/billing/run", false, bind(&BillingConsole::Run), slow);
  }
  if (b.import_deduction_result) {
    router.Handle("POST", "/console/billing/deduction-result", false, bind(&BillingConsole::Import),
                  slow);
  }
  if (b.import_payments) {
    router.Handle("POST", "/console/billing/payments", false, bind(&BillingConsole::Import), slow);
  }
  if (b.revoke_unpaid) {
    router.Handle("POST", "/console/billing/unpaid/", true, bind(&BillingConsole::Revoke), slow);
  }
  if (b.accounting_report) {
    router.Handle("GET", "/console/billing/report", false, bind(&BillingConsole::Report), slow);
  }
}

}  // namespace claimsca::portal
