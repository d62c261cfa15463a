#include "kokuhoren/offset_file.h"

#include <utility>

#include "billing/deduction_file.h"
#include "billing/month.h"
#include "common/iso_date.h"
#include "common/time_util.h"
#include "crypto/ossl.h"
#include "kokuhoren/fees.h"
#include "store/store.h"

namespace claimsca::kokuhoren {
namespace {

using store::SqlRow;
using store::SqlTx;

// Open 相殺 charges dated before $1, by office then entry.
constexpr char kOpenOffsetCharges[] =
    "SELECT c.application_id, c.office_number, c.amount_yen FROM kj_fee_ledger c "
    "WHERE c.kind = 'charge' AND c.method = 'offset' AND c.entry_date < $1 AND NOT EXISTS "
    "(SELECT 1 FROM kj_fee_ledger s WHERE s.application_id = c.application_id AND "
    "s.kind <> 'charge') ORDER BY c.office_number, c.entry_id";
constexpr char kStored[] =
    "SELECT month, file_name, content, sha256, lines, total_yen FROM kj_offset_files "
    "WHERE month = $1";
constexpr char kInsertFile[] =
    "INSERT INTO kj_offset_files (month, file_name, content, sha256, lines, total_yen, "
    "made_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING";

void Finish(OffsetFile& f) {
  f.sha256_file_name = f.file_name + ".sha256";
  f.sha256_content = billing::Sha256SumFile(f.content, f.file_name);
}

}  // namespace

std::string OffsetFileName(std::chrono::year_month month) {
  return "kokuhoren-offset-" + billing::CompactMonth(month) + ".csv";
}

Result<std::string> RenderOffsetFile(std::chrono::year_month month,
                                     const std::vector<OffsetLine>& lines) {
  if (!month.ok()) return InvalidArgument("offset file: not a month");
  const std::string ym = billing::CompactMonth(month);
  const Date cutoff{month.year(), month.month(), std::chrono::day(1)};
  std::string out = "1,kokuhoren-offset," + ym + "," + IsoDate(cutoff) + "\r\n";
  int64_t charges = 0, total = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    const OffsetLine& l = lines[i];
    const std::string where = "offset file line " + std::to_string(i + 2) + ": ";
    if (l.office_number.empty() ||
        l.office_number.find_first_not_of("0123456789") != std::string::npos) {
      return InvalidArgument(where + "office number '" + l.office_number + "' is not digits");
    }
    if (i > 0 && !(lines[i - 1].office_number < l.office_number)) {
      return InvalidArgument(where + "offices must be sorted, each once");
    }
    if (l.charges <= 0 || l.amount_yen <= 0) {
      return InvalidArgument(where + "charges and amount must be > 0");
    }
    charges += l.charges;
    total += l.amount_yen;
    out += "2," + l.office_number + "," + ym + "," + std::to_string(l.charges) + "," +
           std::to_string(l.amount_yen) + "\r\n";
  }
  out += "8," + std::to_string(lines.size()) + "," + std::to_string(charges) + "," +
         std::to_string(total) + "\r\n";
  return out;
}

Result<OffsetFile> StoredOffsetFile(SqlTx& tx, std::chrono::year_month month) {
  ASSIGN_OR_RETURN(std::optional<SqlRow> row,
                   tx.QueryFirst(kStored, {billing::FormatMonth(month)}));
  if (!row) return NotFound("no offset file for " + billing::FormatMonth(month));
  OffsetFile f;
  ASSIGN_OR_RETURN(f.month, row->Text(0));
  ASSIGN_OR_RETURN(f.file_name, row->Text(1));
  ASSIGN_OR_RETURN(f.content, row->Text(2));
  ASSIGN_OR_RETURN(std::string sha, row->Text(3));
  ASSIGN_OR_RETURN(f.lines, row->Int(4));
  ASSIGN_OR_RETURN(f.total_yen, row->Int(5));
  Finish(f);
  if (crypto::Sha256Hex(f.content) != sha) {
    return Internal("offset file " + f.month + ": stored bytes do not match their SHA-256");
  }
  return f;
}

Result<OffsetFile> MakeOffsetFile(SqlTx& tx, std::chrono::year_month month, std::string_view actor,
                                  Instant now) {
  if (!month.ok()) return InvalidArgument("offset file: not a month");
  if (actor.empty()) return InvalidArgument("offset file: actor required");
  const Date first{month.year(), month.month(), std::chrono::day(1)};
  if (JstDate(now) < first) {
    return FailedPrecondition("offset file " + billing::FormatMonth(month) +
                              ": the month has not started (charges of the month before "
                              "may still come)");
  }
  RETURN_IF_ERROR(tx.Lock("kokuhoren.offset_file"));
  Result<OffsetFile> stored = StoredOffsetFile(tx, month);
  if (stored.ok() || stored.status().code() != Code::kNotFound) return stored;

  // Step 1: the open 相殺 charges before the month, grouped by office.
  std::vector<OffsetLine> lines;
  std::vector<std::string> applications;
  RETURN_IF_ERROR(
      tx.QueryEach(kOpenOffsetCharges, {IsoDate(first)}, [&](const SqlRow& r) -> Status {
        ASSIGN_OR_RETURN(std::string application_id, r.Text(0));
        ASSIGN_OR_RETURN(std::string office, r.Text(1));
        ASSIGN_OR_RETURN(int64_t amount, r.Int(2));
        if (lines.empty() || lines.back().office_number != office) lines.push_back({office, 0, 0});
        lines.back().charges += 1;
        lines.back().amount_yen += amount;
        applications.push_back(std::move(application_id));
        return Status::Ok();
      }));
  // Step 2: the bytes.
  OffsetFile f;
  f.month = billing::FormatMonth(month);
  f.file_name = OffsetFileName(month);
  ASSIGN_OR_RETURN(f.content, RenderOffsetFile(month, lines));
  f.lines = static_cast<int64_t>(lines.size());
  for (const OffsetLine& l : lines) f.total_yen += l.amount_yen;
  Finish(f);
  f.created = true;
  // Step 3: settle every charge in the file, then keep the file; both or neither.
  const std::string reference = "offset-file:" + f.month;
  for (const std::string& id : applications) {
    RETURN_IF_ERROR(Settle(tx, id, EntryKind::kOffset, reference, actor, now).status());
  }
  ASSIGN_OR_RETURN(
      int64_t n,
      tx.Exec(
          kInsertFile,
          {f.month, f.file_name, f.content, crypto::Sha256Hex(f.content), f.lines, f.total_yen,
           actor,
           int64_t{
               std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count()}}));
  if (n != 1) return Conflict("offset file " + f.month + " was made meanwhile");
  RETURN_IF_ERROR(tx.AppendAudit(store::AuditEvent{
      now, std::string(actor), "kokuhoren.offset_file", f.month,
      "{\"lines\":" + std::to_string(f.lines) + ",\"total_yen\":" + std::to_string(f.total_yen) +
          ",\"sha256\":\"" + crypto::Sha256Hex(f.content) + "\"}"}));
  return f;
}

}  // namespace claimsca::kokuhoren
