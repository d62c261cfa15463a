#include "portal/subsidy_views.h"

#include "common/iso_date.h"
#include "portal/page.h"

namespace claimsca::portal {
namespace {

using nlohmann::json;
using subsidy::DeviceKind;

std::string Row(int i, const char* field) { return "r" + std::to_string(i) + "_" + field; }

}  // namespace

std::string SubsidyYen(int64_t yen) { return GroupDigits(yen) + "円"; }

json SubsidyReceiptRows(const FormData& f) {
  json rows = json::array();
  for (int i = 1; i <= kSubsidyReceiptRows; ++i) {
    const std::string kind = f.Get(Row(i, "kind"));
    json kinds = json::array();
    for (DeviceKind k : {DeviceKind::kSmartphone, DeviceKind::kTablet, DeviceKind::kCardReader}) {
      const std::string name(subsidy::DeviceKindName(k));
      kinds.push_back({{"value", name},
                       {"label", std::string(subsidy::DeviceKindLabel(k))},
                       {"selected", name == kind}});
    }
    rows.push_back({{"n", i},
                    {"kinds", kinds},
                    {"purchase_date", f.Get(Row(i, "date"))},
                    {"amount", f.Get(Row(i, "amount"))},
                    {"vendor", f.Get(Row(i, "vendor"))}});
  }
  return rows;
}

Result<std::vector<subsidy::Receipt>> SubsidyReceiptsFromForm(const FormData& f) {
  std::vector<subsidy::Receipt> out;
  for (int i = 1; i <= kSubsidyReceiptRows; ++i) {
    const std::string amount = f.Get(Row(i, "amount")), vendor = f.Get(Row(i, "vendor"));
    const std::string date = f.Get(Row(i, "date"));
    if (amount.empty() && vendor.empty() && date.empty()) continue;
    Result<subsidy::Receipt> r = subsidy::ParseReceipt(f.Get(Row(i, "kind")), date, amount, vendor);
    if (!r.ok()) return r.status().WithContext(std::to_string(i) + "行目");
    out.push_back(std::move(*r));
  }
  if (out.empty()) return InvalidArgument("領収書を1件以上入力してください");
  return out;
}

json SubsidyCalculationJson(const subsidy::Calculation& c) {
  return {{"eligible", SubsidyYen(c.eligible_yen)},
          {"eligible_yen", c.eligible_yen},
          {"amount", SubsidyYen(c.subsidy_yen)},
          {"amount_yen", c.subsidy_yen},
          {"capped", c.capped},
          {"cap", SubsidyYen(c.entry.cap_yen)},
          {"rate", subsidy::FormatRate(c.entry.rate)},
          {"deadline", FormatDateJa(c.entry.deadline)}};
}

json SubsidyApplicationJson(const subsidy::Application& a) {
  json receipts = json::array();
  for (const subsidy::Receipt& r : a.receipts) {
    receipts.push_back({{"kind", std::string(subsidy::DeviceKindLabel(r.kind))},
                        {"purchase_date", FormatDateJa(r.purchase_date)},
                        {"amount", SubsidyYen(r.amount_yen)},
                        {"vendor", r.vendor}});
  }
  return {{"id", a.application_id},
          {"code", a.institution_code},
          {"name", a.institution_name},
          {"channel", a.channel == subsidy::Channel::kPaper ? "郵送（入力）" : "ポータル"},
          {"state", std::string(subsidy::StateLabel(a.state))},
          {"state_class", std::string(subsidy::StateName(a.state))},
          {"applied", FormatDateJa(a.applied_date)},
          {"eligible", SubsidyYen(a.eligible_yen)},
          {"amount", SubsidyYen(a.amount_yen)},
          {"amount_yen", a.amount_yen},
          {"cap", SubsidyYen(a.entry.cap_yen)},
          {"rate", subsidy::FormatRate(a.entry.rate)},
          {"deadline", FormatDateJa(a.entry.deadline)},
          {"approval_date", FormatDateJa(std::string_view(a.approval_date.value_or("")))},
          {"reason", a.reject_reason.value_or("")},
          {"payment_file_date", FormatDateJa(std::string_view(a.payment_file_date.value_or("")))},
          {"paid", a.paid_at ? Day(a.paid_at) : ""},
          {"submitted", a.state == subsidy::State::kSubmitted},
          {"receipts", receipts}};
}

}  // namespace claimsca::portal
