// The console's review screen parts (console_review.h).

#include "portal/console_review.h"

#include "domain/normalize.h"
#include "portal/labels.h"
#include "portal/util.h"
#include "portal/views.h"

namespace claimsca::portal {
namespace {

using nlohmann::json;

std::string PostalCode(const std::string& digits) {
  if (digits.size() != 7) return digits;
  return "〒" + digits.substr(0, 3) + "-" + digits.substr(3);
}

}  // namespace

json RegisterComparison(store::RegisterReader* reader, const store::ApplicationRecord& a) {
  json out = {{"found", false}};
  if (reader == nullptr) {
    out["missing"] = "登録簿を参照できません。";
    return out;
  }
  auto row = reader->FindInRegister(a.institution_code);
  if (!row.ok()) {
    out["missing"] = row.status().code() == Code::kNotFound
                         ? "この医療機関等コード・保険者番号は、登録簿（現在の版）にありません。"
                           "名称・所在地を申請者に確かめてから審査してください。"
                         : "登録簿を読めませんでした。しばらくしてからもう一度開いてください。";
    return out;
  }
  json rows = json::array();
  auto add = [&](const char* label, const std::string& typed, const std::string& registered,
                 bool same) {
    rows.push_back({{"label", label},
                    {"typed", typed},
                    {"registered", registered},
                    {"same", same},
                    {"mark", same ? "✓ 一致" : "⚠ 相違あり"}});
  };
  add("医療機関等コード・保険者番号", a.institution_code, row->institution_code,
      a.institution_code == row->institution_code);
  add("名称", a.institution_name, row->name,
      domain::NameKey(a.institution_name) == domain::NameKey(row->name));
  if (!a.category.empty() && !row->category.empty()) {
    add("分類", DisplayValue("category", a.category), DisplayValue("category", row->category),
        a.category == row->category);
  }
  int differences = 0;
  for (const auto& r : rows) differences += r["same"].get<bool>() ? 0 : 1;
  out["found"] = true;
  out["rows"] = rows;
  out["address"] = PostalCode(row->postal_code) + " " + row->address;
  out["has_differences"] = differences > 0;
  out["summary"] = differences == 0
                       ? "申請の内容は登録簿と一致しています。"
                       : "登録簿と異なる項目が " + std::to_string(differences) +
                             " つあります（⚠ の行）。申請者に確かめてから審査してください。";
  auto version = reader->CurrentRegisterVersion();
  if (version.ok()) out["version"] = *version;
  return out;
}

json HistoryRows(const std::vector<store::AuditEntry>& trail) {
  json history = json::array();
  for (const auto& e : trail) {
    json details = json::array();
    for (const auto& d : labels::Details(e.action, e.details)) {
      details.push_back({{"label", d.label}, {"value", d.value}});
    }
    history.push_back({{"at", Minute(e.at)},
                       {"what", labels::Action(e.action)},
                       {"by", labels::Actor(e.actor)},
                       {"details", details}});
  }
  return history;
}

json HistoryFromRecord(const store::ApplicationRecord& a) {
  json history = json::array();
  auto add = [&](Instant at, std::string what, std::string by) {
    history.push_back({{"at", Minute(at)},
                       {"what", std::move(what)},
                       {"by", std::move(by)},
                       {"details", json::array()}});
  };
  add(a.submitted_at, "申請の受付（" + labels::Channel(a.channel) + "）",
      a.account_id.empty() ? "ネットワーク端末" : "申請者 " + a.account_id);
  if (a.decided_at) {
    add(*a.decided_at,
        a.state == store::ApplicationState::kRejected ? "棄却" : "承認・証明書の発行",
        labels::Actor(a.decided_by));
  }
  if (a.cancelled_at) add(*a.cancelled_at, "申請の取消", "");
  if (a.revoked_at) {
    add(*a.revoked_at, "証明書の失効（" + labels::RevocationReason(a.revocation_reason) + "）",
        labels::Actor(a.revoked_by));
  }
  return history;
}

web::Response ReviewConfirmPage(const Session& s, const store::ApplicationRecord& a,
                                const std::string& op, const std::string& reason,
                                const json& comparison, const std::string& error) {
  const bool approve = op == "approve";
  json data = {
      {"title", approve ? "承認の確認" : "棄却の確認"},
      {"approve", approve},
      {"request_id", a.request_id},
      {"institution_code", a.institution_code},
      {"institution_name", a.institution_name},
      {"terminal_name", a.terminal_name},
      {"state", labels::State(a.state)},
      {"reason", reason},
      {"register", comparison},
      {"action", "/console/applications/" + a.request_id + "/" + op},
      {"back", "/console/applications/" + a.request_id},
      {"question", approve ? "この申請を承認し、電子証明書を発行します。発行すると取り消せません"
                             "（失効のみ）。よろしいですか。"
                           : "この申請を棄却します。理由は申請者に伝わります。よろしいですか。"},
      {"error", error}};
  return Page("console_review_confirm", std::move(data), &s, error.empty() ? 200 : 422);
}

}  // namespace claimsca::portal
