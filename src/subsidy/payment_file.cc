#include "subsidy/payment_file.h"

#include <nlohmann/json.hpp>

#include "billing/deduction_file.h"
#include "common/iso_date.h"
#include "crypto/ossl.h"
#include "store/module_sql.h"
#include "store/store.h"

namespace claimsca::subsidy {
namespace {

using store::SqlRow;
using store::SqlTx;

constexpr char kHeader[] =
    "institution_code,institution_name,amount_yen,application_id,"
    "approval_date\r\n";

constexpr char kDue[] =
    "SELECT institution_code, institution_name, amount_yen, application_id, approval_date "
    "FROM subsidy_applications WHERE state = 'approved' AND payment_file_date IS NULL AND "
    "approval_date <= $1 ORDER BY institution_code, application_id";
constexpr char kMarkInFile[] =
    "UPDATE subsidy_applications SET payment_file_date = $2 WHERE application_id = $1 AND "
    "state = 'approved' AND payment_file_date IS NULL";
constexpr char kStored[] =
    "SELECT file_date, file_name, content, sha256, lines, total_yen FROM "
    "subsidy_payment_files WHERE file_date = $1";
constexpr char kStoredBySha[] =
    "SELECT file_date FROM subsidy_payment_files WHERE sha256 = $1 ORDER BY file_date";
constexpr char kInsertFile[] =
    "INSERT INTO subsidy_payment_files (file_date, file_name, content, sha256, lines, "
    "total_yen, made_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
    "ON CONFLICT DO NOTHING";
constexpr char kUnpaidInFile[] =
    "SELECT application_id, institution_code, amount_yen FROM subsidy_applications "
    "WHERE payment_file_date = $1 AND state = 'approved' ORDER BY application_id";
constexpr char kMarkPaid[] =
    "UPDATE subsidy_applications SET state = 'paid', paid_by = $2, paid_at = $3 "
    "WHERE application_id = $1 AND state = 'approved'";

std::string Csv(std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void Finish(PaymentFile& f) {
  f.sha256_file_name = f.file_name + ".sha256";
  f.sha256_content = billing::Sha256SumFile(f.content, f.file_name);
}

Result<std::optional<PaymentFile>> Stored(SqlTx& tx, const std::string& day) {
  ASSIGN_OR_RETURN(std::optional<SqlRow> row, tx.QueryFirst(kStored, {day}));
  if (!row) return std::optional<PaymentFile>();
  PaymentFile f;
  ASSIGN_OR_RETURN(f.file_date, row->Text(0));
  ASSIGN_OR_RETURN(f.file_name, row->Text(1));
  ASSIGN_OR_RETURN(f.content, row->Text(2));
  ASSIGN_OR_RETURN(std::string sha, row->Text(3));
  ASSIGN_OR_RETURN(f.lines, row->Int(4));
  ASSIGN_OR_RETURN(f.total_yen, row->Int(5));
  Finish(f);
  if (crypto::Sha256Hex(f.content) != sha) {
    return Internal("subsidy payment file " + day + ": stored bytes do not match their SHA-256");
  }
  return std::optional<PaymentFile>(std::move(f));
}

}  // namespace

std::string PaymentFileName(Date d) {
  std::string iso = IsoDate(d);
  return "subsidy-payment-" + iso.substr(0, 4) + iso.substr(5, 2) + iso.substr(8, 2) + ".csv";
}

Result<std::string> RenderPaymentFile(const std::vector<PaymentLine>& lines) {
  std::string out = kHeader;
  int64_t total = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    const PaymentLine& l = lines[i];
    if (l.amount_yen <= 0) {
      return InvalidArgument("payment file line " + std::to_string(i + 2) + ": amount <= 0");
    }
    total += l.amount_yen;
    out += Csv(l.institution_code) + "," + Csv(l.institution_name) + "," +
           std::to_string(l.amount_yen) + "," + Csv(l.application_id) + "," + Csv(l.approval_date) +
           "\r\n";
  }
  out += "TOTAL," + std::to_string(lines.size()) + "," + std::to_string(total) + ",,\r\n";
  return out;
}

Result<PaymentFile> MakePaymentFile(store::Store& store, Date date, std::string_view actor,
                                    Instant now) {
  if (!date.ok()) return InvalidArgument("payment file: not a date");
  if (actor.empty()) return InvalidArgument("payment file: actor required");
  if (date > JstDate(now)) {
    return FailedPrecondition("payment file " + IsoDate(date) +
                              ": the date is after today (approvals of that day may still come)");
  }
  const std::string day = IsoDate(date);
  PaymentFile f;
  const Status st = store::RunInTransaction(store, [&](SqlTx& tx) -> Status {
    RETURN_IF_ERROR(tx.Lock("subsidy.payment_file"));
    ASSIGN_OR_RETURN(std::optional<PaymentFile> stored, Stored(tx, day));
    if (stored) {
      f = std::move(*stored);
      return Status::Ok();
    }
    // Step 1: the approved subsidies in no file yet.
    std::vector<PaymentLine> lines;
    RETURN_IF_ERROR(tx.QueryEach(kDue, {day}, [&](const SqlRow& r) -> Status {
      PaymentLine l;
      ASSIGN_OR_RETURN(l.institution_code, r.Text(0));
      ASSIGN_OR_RETURN(l.institution_name, r.Text(1));
      ASSIGN_OR_RETURN(l.amount_yen, r.Int(2));
      ASSIGN_OR_RETURN(l.application_id, r.Text(3));
      ASSIGN_OR_RETURN(l.approval_date, r.Text(4));
      lines.push_back(std::move(l));
      return Status::Ok();
    }));
    // Step 2: the bytes. Step 3: mark each line and keep the file; both or neither.
    f = PaymentFile{};
    f.file_date = day;
    f.file_name = PaymentFileName(date);
    ASSIGN_OR_RETURN(f.content, RenderPaymentFile(lines));
    f.lines = static_cast<int64_t>(lines.size());
    for (const PaymentLine& l : lines) f.total_yen += l.amount_yen;
    Finish(f);
    f.created = true;
    for (const PaymentLine& l : lines) {
      ASSIGN_OR_RETURN(int64_t n, tx.Exec(kMarkInFile, {l.application_id, day}));
      if (n != 1) return Conflict("subsidy " + l.application_id + " changed meanwhile");
    }
    const std::string sha = crypto::Sha256Hex(f.content);
    ASSIGN_OR_RETURN(int64_t n,
                     tx.Exec(kInsertFile, {day, f.file_name, f.content, sha, f.lines, f.total_yen,
                                           actor, int64_t{now.time_since_epoch().count()}}));
    if (n != 1) return Conflict("subsidy payment file " + day + " was made meanwhile");
    nlohmann::json details = {{"lines", f.lines}, {"total_yen", f.total_yen}, {"sha256", sha}};
    return tx.AppendAudit(
        store::AuditEvent{now, std::string(actor), "subsidy.payment_file", day, details.dump()});
  });
  if (!st.ok()) return st;
  return f;
}

Result<PaymentFile> StoredPaymentFile(store::Store& store, Date date) {
  std::optional<PaymentFile> f;
  const Status st = store::RunRead(store, [&](SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(f, Stored(tx, IsoDate(date)));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  if (!f) return NotFound("支払ファイル " + IsoDate(date) + " は作成されていません");
  return std::move(*f);
}

Result<int64_t> MarkPaid(store::Store& store, std::string_view content, std::string_view actor,
                         Instant now) {
  if (actor.empty()) return InvalidArgument("mark paid: actor required");
  const std::string sha = crypto::Sha256Hex(content);
  int64_t marked = 0;
  const Status st = store::RunInTransaction(store, [&](SqlTx& tx) -> Status {
    marked = 0;
    ASSIGN_OR_RETURN(std::optional<SqlRow> file, tx.QueryFirst(kStoredBySha, {sha}));
    if (!file) {
      return NotFound("no subsidy payment file has these bytes (sha256 " + sha +
                      "): not made here, or edited");
    }
    ASSIGN_OR_RETURN(std::string day, file->Text(0));
    ASSIGN_OR_RETURN(std::vector<SqlRow> rows, tx.Query(kUnpaidInFile, {day}));
    std::vector<store::AuditEvent> events;  // appended last (module_sql.h)
    for (const SqlRow& r : rows) {
      ASSIGN_OR_RETURN(std::string id, r.Text(0));
      ASSIGN_OR_RETURN(std::string code, r.Text(1));
      ASSIGN_OR_RETURN(int64_t amount, r.Int(2));
      ASSIGN_OR_RETURN(int64_t n,
                       tx.Exec(kMarkPaid, {id, actor, int64_t{now.time_since_epoch().count()}}));
      if (n != 1) return Conflict("subsidy " + id + " changed meanwhile");
      nlohmann::json details = {
          {"institution_code", code}, {"amount_yen", amount}, {"payment_file_date", day}};
      events.push_back(
          store::AuditEvent{now, std::string(actor), "subsidy.paid", id, details.dump()});
    }
    for (const store::AuditEvent& e : events) RETURN_IF_ERROR(tx.AppendAudit(e));
    marked = static_cast<int64_t>(events.size());
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return marked;
}

}  // namespace claimsca::subsidy
