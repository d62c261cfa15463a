#include "notice/batch.h"

#include <algorithm>
#include <cstdio>

#include "common/iso_date.h"
#include "crypto/ossl.h"
#include "domain/calendar.h"
#include "notice/dispatch.h"

namespace claimsca::notice {
namespace {

// Overwrites a secret before its memory is released.
void Wipe(std::string& s) {
  volatile char* p = s.data();
  for (size_t i = 0; i < s.size(); ++i) p[i] = 0;
  s.clear();
}

}  // namespace

// "20261124T103000" in JST.
std::string FileStamp(Instant t) {
  const auto local = t + kJstOffset;
  const auto day = std::chrono::floor<std::chrono::days>(local);
  const Date d(day);
  const std::chrono::hh_mm_ss hms(local - day);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02u%02uT%02d%02d%02d", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

Result<std::optional<PreparedBatch>> PrepareNoticeBatch(store::Store& store,
                                                        const crypto::SealedBox& sealer,
                                                        const NoticeSender& sender, Instant now,
                                                        int limit, std::string created_by) {
  ASSIGN_OR_RETURN(std::vector<store::ApplicationRecord> apps, store.ListAwaitingNotice(limit));
  PreparedBatch batch;
  // The register entry and dispatch date of each application that can be printed.
  struct Waiting {
    const store::ApplicationRecord* a;
    store::RegisterEntry reg;
    Date dispatch;
  };
  std::vector<Waiting> waiting;
  for (const store::ApplicationRecord& a : apps) {
    Result<store::RegisterEntry> reg = store.FindInRegister(a.institution_code);
    if (reg.status().code() == Code::kNotFound) {
      batch.skipped_not_in_register.push_back(a.request_id);
      continue;
    }
    RETURN_IF_ERROR(reg.status());
    waiting.push_back(
        {&a, std::move(reg).value(), DispatchDateInBatch(a.issued_at.value_or(now), now)});
  }
  // The batch's dispatch date: the earliest of the waiting ones.
  Date dispatch = waiting.empty() ? JstDate(now) : waiting.front().dispatch;
  for (const Waiting& w : waiting) {
    if (std::chrono::sys_days(w.dispatch) < std::chrono::sys_days(dispatch)) dispatch = w.dispatch;
  }
  std::vector<NoticeData> notices;
  auto wipe_all = [&] {
    for (NoticeData& n : notices) Wipe(n.download_password);
  };
  for (const Waiting& w : waiting) {
    const store::ApplicationRecord& a = *w.a;
    if (w.dispatch != dispatch) {
      batch.later_dispatch.push_back(a.request_id);
      continue;
    }
    const store::RegisterEntry* reg = &w.reg;
    // Sealed by the RA under the request ID as associated data.
    Result<std::string> password = sealer.Open(a.sealed_password, a.request_id);
    if (!password.ok()) {
      wipe_all();
      return Internal("the sealed download password of " + a.request_id +
                      " does not open (wrong secrets/ key?)");
    }
    NoticeData n;
    n.request_id = a.request_id;
    n.download_password = std::move(password).value();
    n.postal_code = reg->postal_code;
    n.address = reg->address;
    n.institution_name = reg->name;
    n.contact_name = a.contact_name;
    n.institution_code = a.institution_code;
    n.terminal_name = a.terminal_name;
    n.issued_at = a.issued_at.value_or(now);
    n.download_deadline = a.download_deadline.value_or(now);
    n.not_after = a.not_after.value_or(now);
    notices.push_back(std::move(n));
    batch.record.items.push_back({a.request_id, static_cast<int64_t>(notices.size())});
  }
  if (notices.empty()) {
    // (Never with later_dispatch alone: the earliest date always has an application.)
    if (batch.skipped_not_in_register.empty()) return std::optional<PreparedBatch>();
    PreparedBatch only_skipped;
    only_skipped.skipped_not_in_register = std::move(batch.skipped_not_in_register);
    return std::optional<PreparedBatch>(std::move(only_skipped));
  }
  const Date today = JstDate(now);
  Result<std::string> pdf = RenderNoticePdf(notices, sender, today);
  batch.csv = MailingListCsv(notices);
  wipe_all();
  if (!pdf.ok()) return pdf.status();
  batch.pdf = std::move(pdf).value();
  batch.record.printed_on = IsoDate(today);
  batch.record.dispatch_on = IsoDate(dispatch);
  std::string stem = "notices-" + FileStamp(now);
  if (dispatch != domain::NextShippingDay(today)) {
    std::string day = batch.record.dispatch_on;
    day.erase(std::remove(day.begin(), day.end(), '-'), day.end());
    stem += "-" + day;
  }
  batch.record.pdf_file = stem + ".pdf";
  batch.record.csv_file = stem + ".csv";
  batch.record.pdf_sha256 = crypto::Sha256Hex(batch.pdf);
  batch.record.created_by = std::move(created_by);
  batch.record.created_at = now;
  return std::optional<PreparedBatch>(std::move(batch));
}

Result<int64_t> CommitNoticeBatch(store::NoticeStore& store, const PreparedBatch& batch) {
  const store::NoticeBatch& r = batch.record;
  store::AuditEvent audit;
  audit.at = r.created_at;
  audit.actor = r.created_by;
  audit.action = "notice.batch";
  audit.subject = r.pdf_file;
  audit.details = "{\"pages\":" + std::to_string(r.items.size()) + ",\"dispatch_on\":\"" +
                  r.dispatch_on + "\",\"pdf_sha256\":\"" + r.pdf_sha256 + "\"}";
  return store.RecordNoticeBatch(r, audit);
}

}  // namespace claimsca::notice
