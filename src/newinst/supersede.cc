// SupersedeReplaced (supersede.h): walks the designated clinics, their applications on the
// real code and the certificates of each.

#include "newinst/supersede.h"

#include <nlohmann/json.hpp>

#include "ra/code_change.h"
#include "store/module_sql.h"

namespace claimsca::newinst {
namespace {

constexpr int kReasonSuperseded = 4;

constexpr char kDesignated[] =
    "SELECT provisional_code, coalesce(reception_number, ''), real_code FROM "
    "newinst_institutions WHERE state = 'designated' AND real_code IS NOT NULL "
    "ORDER BY provisional_code";

struct Swap {
  std::string provisional, reception, real;
  bool Old(const std::string& code) const {
    return code != real && (code == provisional || (!reception.empty() && code == reception));
  }
};

Result<std::vector<Swap>> Designated(store::Store& store) {
  std::vector<Swap> out;
  RETURN_IF_ERROR(store::RunRead(store, [&](store::SqlTx& tx) -> Status {
    out.clear();
    ASSIGN_OR_RETURN(std::vector<store::SqlRow> rows, tx.Query(kDesignated));
    for (const auto& r : rows) {
      Swap s;
      ASSIGN_OR_RETURN(s.provisional, r.Text(0));
      ASSIGN_OR_RETURN(s.reception, r.Text(1));
      ASSIGN_OR_RETURN(s.real, r.Text(2));
      out.push_back(std::move(s));
    }
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<store::ApplicationRecord>> IssuedOf(store::Store& store,
                                                       const std::string& code) {
  std::vector<store::ApplicationRecord> out;
  store::ApplicationFilter f;
  f.institution_codes = {code};
  f.state = store::ApplicationState::kIssued;
  f.limit = 500;
  do {
    ASSIGN_OR_RETURN(store::ApplicationPage page, store.ListApplications(f));
    for (auto& a : page.items) out.push_back(std::move(a));
    f.before_seq = page.next_before_seq;
  } while (f.before_seq != 0);
  return out;
}

Status Revoke(store::Store& store, Instant now, const store::ApplicationRecord& a,
              const std::string& serial, const char* why, SupersedeReport& report) {
  Status s = store.Revoke(serial, now, kReasonSuperseded, std::nullopt);
  if (s.code() == Code::kConflict) return Status::Ok();  // revoked meanwhile
  RETURN_IF_ERROR(s);
  const nlohmann::json d = {{"reason", kReasonSuperseded},
                            {"request_id", a.request_id},
                            {"replaced_by", a.serial},
                            {"why", why}};
  const store::AuditEvent ev{now, "system:newinst-supersede", "certificate.revoke", serial,
                             d.dump()};
  RETURN_IF_ERROR(store.AppendAudit(ev));
  report.revoked.push_back(serial);
  return Status::Ok();
}

}  // namespace

Result<SupersedeReport> SupersedeReplaced(store::Store& store, Instant now, int grace_days) {
  if (grace_days < 0) return InvalidArgument("reissue_grace_days must be 0 or more");
  SupersedeReport report;
  ASSIGN_OR_RETURN(std::vector<Swap> swaps, Designated(store));
  for (const Swap& swap : swaps) {
    ASSIGN_OR_RETURN(std::vector<store::ApplicationRecord> apps, IssuedOf(store, swap.real));
    for (const auto& a : apps) {
      ASSIGN_OR_RETURN(std::vector<store::CertificateRecord> certs,
                       store.CertificatesForRequest(a.request_id));
      ASSIGN_OR_RETURN(std::optional<store::PendingRenewal> pending,
                       store.GetPendingRenewal(a.request_id));
      for (const auto& c : certs) {
        if (c.state != store::CertState::kIssued || c.revoked_at || c.not_after <= now) continue;
        ASSIGN_OR_RETURN(std::string code, ra::SubjectCodeOf(c.cert_der));
        if (!swap.Old(code)) continue;
        if (c.serial == a.serial) {
          ++report.not_reissued;
        } else if (!pending || pending->previous_serial != c.serial) {
          RETURN_IF_ERROR(Revoke(store, now, a, c.serial, "re-issue confirmed", report));
        } else if (now >= pending->created_at + std::chrono::days(grace_days)) {
          RETURN_IF_ERROR(Revoke(store, now, a, c.serial, "grace period over", report));
        } else {
          ++report.waiting;
        }
      }
    }
  }
  return report;
}

}  // namespace claimsca::newinst
