#include "notice/shipping.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "common/iso_date.h"
#include "store/register_csv.h"

namespace claimsca::notice {
namespace {

Result<store::ShippingStatus> ParseStatus(std::string_view s) {
  if (s == "発送済み" || s == "shipped") return store::ShippingStatus::kShipped;
  if (s == "お届け済み" || s == "delivered") return store::ShippingStatus::kDelivered;
  if (s == "不達" || s == "undeliverable") return store::ShippingStatus::kUndeliverable;
  return InvalidArgument("expected 発送済み, お届け済み or 不達");
}

// "YYYY-MM-DD" for a valid "YYYY-MM-DD" or "YYYY/MM/DD"; empty otherwise.
std::string ParseDay(std::string_view s) {
  if (s.size() != 10 || (s[4] != '-' && s[4] != '/') || s[7] != s[4]) return "";
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return "";
  }
  const auto num = [&](size_t at, size_t n) {
    int v = 0;
    for (size_t i = at; i < at + n; ++i) v = v * 10 + (s[i] - '0');
    return v;
  };
  const Date d{std::chrono::year(num(0, 4)), std::chrono::month(static_cast<unsigned>(num(5, 2))),
               std::chrono::day(static_cast<unsigned>(num(8, 2)))};
  if (!d.ok()) return "";
  return IsoDate(d);
}

bool IsRequestId(std::string_view s) {
  return s.size() == 14 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Tracking numbers: 1–32 ASCII letters, digits or '-'.
bool IsTrackingNumber(std::string_view s) {
  return !s.empty() && s.size() <= 32 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-';
  });
}

}  // namespace

Result<std::vector<store::ShippingUpdate>> ParseTrackingCsv(std::string_view text) {
  return ParseTrackingCsv(text, IsRequestId, "not a 14-digit request ID");
}

Result<std::vector<store::ShippingUpdate>> ParseTrackingCsv(
    std::string_view text, const std::function<bool(std::string_view)>& is_id,
    std::string_view id_rule) {
  store::CsvErrors errors;
  std::vector<store::ShippingUpdate> out;
  std::map<std::string, int64_t> seen;  // request_id -> line
  store::ForEachCsvRow(text, kTrackingCsvHeader, 4, errors,
                       [&](int64_t line_no, std::string_view, std::vector<std::string>& f) {
                         store::ShippingUpdate u;
                         u.line = line_no;
                         u.request_id = f[0];
                         u.tracking_number = f[1];
                         const size_t before = errors.count();
                         if (!is_id(u.request_id)) {
                           errors.Add(line_no, "request_id", id_rule);
                         }
                         auto status = ParseStatus(f[2]);
                         if (!status.ok()) {
                           errors.Add(line_no, "status", status.status().message());
                         } else {
                           u.status = *status;
                         }
                         if (!u.tracking_number.empty() && !IsTrackingNumber(u.tracking_number)) {
                           errors.Add(line_no, "tracking_number", "1–32 letters, digits or '-'");
                         } else if (u.tracking_number.empty() && status.ok() &&
                                    u.status == store::ShippingStatus::kShipped) {
                           errors.Add(line_no, "tracking_number", "required when shipped");
                         }
                         u.status_on = ParseDay(f[3]);
                         if (u.status_on.empty())
                           errors.Add(line_no, "date", "not a date YYYY-MM-DD");
                         if (errors.count() != before) return;
                         auto [it, inserted] = seen.emplace(u.request_id, line_no);
                         if (!inserted) {
                           errors.Add(line_no, "request_id",
                                      "also on line " + std::to_string(it->second));
                           return;
                         }
                         out.push_back(std::move(u));
                       });
  RETURN_IF_ERROR(errors.ToStatus("tracking list"));
  return out;
}

Status ImportTracking(store::Store& store, const std::vector<store::ShippingUpdate>& updates,
                      std::string_view actor, Instant now) {
  std::map<std::string_view, int> counts;
  for (const auto& u : updates) ++counts[store::ShippingStatusName(u.status)];
  std::string details = "{\"rows\":" + std::to_string(updates.size());
  for (const auto& [status, n] : counts) {
    details += ",\"" + std::string(status) + "\":" + std::to_string(n);
  }
  details += "}";
  store::AuditEvent ev{now, std::string(actor), "notice.shipping", "tracking-list", details};
  return store.ApplyShippingUpdates(updates, ev);
}

Result<ResendList> PrepareResend(store::Store& store, int limit) {
  ASSIGN_OR_RETURN(std::vector<store::ShippingInfo> queue, store.ListResendQueue(limit));
  ResendList list;
  std::vector<NoticeData> envelopes;
  for (const store::ShippingInfo& s : queue) {
    ASSIGN_OR_RETURN(store::ApplicationRecord a, store.GetApplication(s.request_id));
    Result<store::RegisterEntry> reg = store.FindInRegister(a.institution_code);
    if (reg.status().code() == Code::kNotFound) {
      list.skipped_not_in_register.push_back(a.request_id);
      continue;
    }
    RETURN_IF_ERROR(reg.status());
    NoticeData n;
    n.request_id = a.request_id;
    n.postal_code = reg->postal_code;
    n.address = reg->address;
    n.institution_name = reg->name;
    n.contact_name = a.contact_name;
    envelopes.push_back(std::move(n));
    list.request_ids.push_back(a.request_id);
  }
  if (!envelopes.empty()) list.csv = MailingListCsv(envelopes);
  return list;
}

Status CommitResend(store::Store& store, const ResendList& list, std::string_view actor,
                    Instant now) {
  std::string ids;
  for (const std::string& id : list.request_ids) ids += (ids.empty() ? "\"" : ",\"") + id + "\"";
  store::AuditEvent ev{now, std::string(actor), "notice.resend", "resend-list",
                       "{\"request_ids\":[" + ids + "]}"};
  return store.MarkResendPrinted(list.request_ids, ev);
}

}  // namespace claimsca::notice
