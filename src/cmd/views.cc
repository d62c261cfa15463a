#include "cmd/views.h"

#include "common/iso_date.h"
#include "common/time_util.h"

namespace claimsca::cmd {
namespace {

using nlohmann::json;
using store::ApplicationRecord;
using store::ApplicationState;

// 申請日, 発行日 …: the JST date of an instant.
std::string DateJst(Instant t) { return IsoDate(JstDate(t)); }

}  // namespace

json ShippingJson(const store::ShippingInfo& s) {
  return {{"status", std::string(store::ShippingStatusName(s.status))},
          {"status_ja", std::string(ra::ShippingLabelJa(s.status))},
          {"tracking_number", s.tracking_number},
          {"dispatch_on", s.dispatch_on},
          {"status_on", s.status_on},
          {"resend_count", s.resend_count}};
}

json ApplicationJson(const ApplicationRecord& a, Instant now, bool for_operator) {
  json j = {{"request_id", a.request_id},
            {"state", std::string(store::ApplicationStateName(a.state))},
            {"state_ja", std::string(ra::StateLabelJa(a.state))},
            {"program", a.program},
            {"channel", a.channel},
            {"applicant_kind", a.applicant_kind},
            {"category", a.category},
            {"institution_code", a.institution_code},
            {"institution_name", a.institution_name},
            {"contact_name", a.contact_name},
            {"phone", a.phone},
            {"email", a.email},
            {"terminal_name", a.terminal_name},
            {"submitted_at", FormatJst(a.submitted_at)},
            {"submitted_on", DateJst(a.submitted_at)}};
  if (a.applicant_kind == "institution") {
    j["prefecture"] = a.prefecture;
    j["score_table"] = a.score_table;
    j["facility_code"] = a.facility_code;
  } else {
    j["insurer_number"] = a.institution_code;
  }
  if (!a.hold_reason.empty() && a.state == ApplicationState::kPending) {
    j["hold_reason"] = a.hold_reason;
  }
  if (a.decided_at) j["decided_at"] = FormatJst(*a.decided_at);
  if (for_operator && !a.decided_by.empty()) j["decided_by"] = a.decided_by;
  if (!a.reject_reason.empty()) j["reject_reason"] = a.reject_reason;
  if (!a.serial.empty()) {
    j["serial"] = a.serial;
    j["common_name"] = a.common_name;
  }
  if (a.issued_at) j["issued_on"] = DateJst(*a.issued_at);
  if (a.not_after) {
    j["not_after"] = FormatJst(*a.not_after);
    j["not_after_on"] = DateJst(*a.not_after);
    j["expired"] = *a.not_after <= now;
  }
  if (a.download_deadline) {
    j["download_deadline"] = FormatJst(*a.download_deadline);
    j["download_deadline_on"] = DateJst(*a.download_deadline);
    j["download_count"] = a.download_count;
    j["downloadable"] = a.state == ApplicationState::kIssued && !a.pkcs12_der.empty() &&
                        *a.download_deadline >= now;
  }
  if (a.cancelled_at) j["cancelled_at"] = FormatJst(*a.cancelled_at);
  if (a.revoked_at) {
    j["revoked_at"] = FormatJst(*a.revoked_at);
    j["revocation_reason"] = a.revocation_reason;
  }
  if (for_operator) j["password_handed_over"] = a.sealed_password.empty();
  // What the status list offers for this state (000 図表12).
  json ops = json::array({"detail"});
  if (a.state == ApplicationState::kPending) ops.push_back("cancel");
  if (a.state == ApplicationState::kIssued) {
    ops.push_back("revoke");
    ops.push_back("edit");
  }
  j["operations"] = ops;
  return j;
}

json PreviewJson(const ra::Preview& p) {
  json states = json::object();
  for (const auto& [state, n] : p.by_state) {
    states[std::string(store::ApplicationStateName(state))] = n;
  }
  return {{"institution_code", p.institution_code},
          {"earlier_applications", p.earlier_applications},
          {"earlier_by_state", states},
          {"in_register", p.in_register},
          {"fee",
           {{"issuance_yen", p.fee.issuance_yen},
            {"mailing_yen", p.fee.mailing_yen},
            {"total_yen", p.fee.total_yen},
            {"tariff_from", p.tariff_from}}}};
}

}  // namespace claimsca::cmd
