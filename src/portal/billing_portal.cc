// The institution's 請求明細 (docs/portal.md): its charges with billing month, method and
// state, paged newest first, and its invoices with their PDF. An institution sees only its
// own codes; another's code or invoice answers 404, as if it did not exist.

#include <charconv>
#include <memory>
#include <nlohmann/json.hpp>

#include "billing/month.h"
#include "portal/billing_pages.h"
#include "portal/page.h"
#include "portal/routes.h"
#include "portal/util.h"
#include "portal/views.h"

namespace claimsca::portal {
namespace {

using nlohmann::json;

constexpr int kPageSize = 50;

// "2027年1月" for "2027-01" (FormatMonthJa); other text unchanged.
std::string MonthJa(const std::string& ym) {
  auto m = billing::ParseMonth(ym);
  return m.ok() ? FormatMonthJa(*m) : ym;
}

std::string Yen(int64_t yen) { return GroupDigits(yen) + "円"; }

std::string MethodJa(const std::string& method) {
  if (method == "deduction") return "診療（調剤）報酬からの控除";
  if (method == "invoice") return "払込請求書";
  return "—";
}

// The ledger's kinds (docs/billing.md "ledger"); a new application's amount includes the
// mailing fee of its notice.
std::string KindJa(const billing::StatementLine& l) {
  std::string k = l.kind == "new_application" ? "発行料"
                  : l.kind == "renewal"       ? "更新料"
                  : l.kind == "reapplication" ? "発行料（再申請）"
                  : l.kind == "credit_note"   ? "取消（減額）"
                                              : l.kind;
  if (l.mailing_yen > 0) k += "・郵送料（" + Yen(l.mailing_yen) + "）";
  return k;
}

class BillingPortal {
 public:
  BillingPortal(PortalDeps d, const BillingPages& b) : d_(std::move(d)), b_(b) {}

  // The institution session and the code it asks for (?code=, default its first); else
  // `refused` is set: the login page, the console for operators, 404 for a code it does
  // not hold.
  std::optional<std::pair<Session, std::string>> Institution(const web::Request& req,
                                                             web::Response* refused) {
    auto s = LoadSession(d_, req);
    if (!s) {
      *refused = Redirect("/portal/login");
      return std::nullopt;
    }
    if (s->caller.principal.kind == "operator") {
      *refused = Redirect("/console/billing");
      return std::nullopt;
    }
    const auto& codes = s->caller.principal.institution_codes;
    std::string code = FormData::Parse(req.query).Get("code");
    if (code.empty() && !codes.empty()) code = codes.front();
    if (!auth::Allows(s->caller.principal, auth::Permission::kRead, code)) {
      *refused = NotFoundPage(&*s);
      return std::nullopt;
    }
    return std::make_pair(std::move(*s), code);
  }

  static web::Response NotFoundPage(const Session* s) {
    return Message(s, 404, "見つかりません", "お探しの請求情報は見つかりませんでした。",
                   "/portal/billing", "請求明細に戻る");
  }

  static web::Response Unavailable(const Session* s) {
    return Message(s, 503, "請求明細",
                   "ただいま請求明細を表示できません。しばらくしてから、もう一度お試しください。",
                   "/portal/", "マイページに戻る");
  }

  web::Response Statement(const web::Request& req) {
    web::Response refused;
    auto who = Institution(req, &refused);
    if (!who) return refused;
    auto& [s, code] = *who;
    FormData q = FormData::Parse(req.query);
    int64_t before = 0;
    const std::string b = q.Get("before");
    if (!b.empty()) {
      auto [p, ec] = std::from_chars(b.data(), b.data() + b.size(), before);
      if (ec != std::errc() || p != b.data() + b.size() || before < 0) return NotFoundPage(&s);
    }
    auto page = b_.statement(code, before, kPageSize);
    if (!page.ok()) return Unavailable(&s);
    json lines = json::array();
    for (const auto& l : page->lines) {
      json row = {{"entry_id", l.entry_id},
                  {"charge_on", FormatDateJa(l.charge_date)},
                  {"kind", KindJa(l)},
                  {"request_id", l.request_id},
                  {"terminal_name", l.terminal_name},
                  {"amount", Yen(l.amount_yen)},
                  {"billing_month", MonthJa(l.billing_month)},
                  {"method", MethodJa(l.method)},
                  {"state", std::string(billing::ChargeStateLabelJa(l.state.state))},
                  {"state_class", std::string(billing::ChargeStateName(l.state.state))},
                  {"next", l.state.next_ja},
                  {"bill_number", l.state.bill ? l.state.bill->bill_number : ""}};
      lines.push_back(std::move(row));
    }
    json invoices = json::array();
    if (b_.invoices) {
      auto list = b_.invoices(code);
      if (!list.ok()) return Unavailable(&s);
      for (const auto& i : *list) {
        invoices.push_back(
            {{"number", i.number},
             {"month", MonthJa(i.run_month)},
             {"fallback", i.kind == "fallback"},
             {"amount", Yen(i.amount_yen)},
             {"paid", Yen(i.paid_yen)},
             {"issue_on", FormatDateJa(i.issue_date)},
             {"due_on", FormatDateJa(i.due_date)},
             {"state", std::string(billing::ChargeStateLabelJa(i.state))},
             {"state_class", std::string(billing::ChargeStateName(i.state))},
             {"revoked", i.revoked_for_nonpayment},
             {"href", "/portal/billing/invoices/" + i.number + ".pdf?code=" + UrlEncode(code)}});
      }
    }
    json codes = json::array();
    for (const auto& c : s.caller.principal.institution_codes) {
      codes.push_back({{"code", c}, {"selected", c == code}});
    }
    json data = {{"title", "請求明細"},      {"code", code},
                 {"codes", codes},           {"several_codes", codes.size() > 1},
                 {"lines", lines},           {"empty", lines.empty()},
                 {"invoices", invoices},     {"no_invoices", invoices.empty()},
                 {"first_page", before == 0}};
    if (page->next_before != 0) {
      data["next"] = "/portal/billing?code=" + UrlEncode(code) +
                     "&before=" + std::to_string(page->next_before);
    }
    return Page("billing", data, &s);
  }

  // /portal/billing/invoices/{number}.pdf
  web::Response InvoicePdf(const web::Request& req) {
    web::Response refused;
    auto who = Institution(req, &refused);
    if (!who) return refused;
    auto& [s, code] = *who;
    std::string_view name = req.path;
    name.remove_prefix(std::string_view("/portal/billing/invoices/").size());
    if (!name.ends_with(".pdf")) return NotFoundPage(&s);
    name.remove_suffix(4);
    const std::string number(name);
    if (number.size() != 10 || number.find_first_not_of("0123456789") != std::string::npos ||
        !b_.invoice_pdf) {
      return NotFoundPage(&s);
    }
    auto pdf = b_.invoice_pdf(code, number);
    if (!pdf.ok()) {
      return pdf.status().code() == Code::kNotFound ? NotFoundPage(&s) : Unavailable(&s);
    }
    auto r = web::Response::Bytes("application/pdf", std::move(*pdf));
    r.headers.emplace_back("Content-Disposition",
                           "attachment; filename=\"invoice-" + number + ".pdf\"");
    return WithHeaders(std::move(r));
  }

 private:
  PortalDeps d_;
  const BillingPages& b_;  // outlives the router (PortalDeps::billing)
};

}  // namespace

void AddBillingPortalRoutes(web::Router& router, const PortalDeps& deps) {
  if (!deps.billing || !deps.billing->statement) return;
  auto self = std::make_shared<BillingPortal>(deps, *deps.billing);
  web::RouteOptions slow{.slow = true};
  router.Handle(
      "GET", "/portal/billing", false, [self](const web::Request& r) { return self->Statement(r); },
      slow);
  router.Handle(
      "GET", "/portal/billing/invoices/", true,
      [self](const web::Request& r) { return self->InvoicePdf(r); }, slow);
}

}  // namespace claimsca::portal
