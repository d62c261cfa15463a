#include "billing/run_store.h"

#include "billing/month.h"
#include "common/iso_date.h"
#include "store/store.h"

namespace claimsca::billing {
namespace {

using store::SqlRow;
using store::SqlTx;

constexpr char kLoadRun[] =
    "SELECT month, state, issue_date, started_at, finished_at, started_by, deduction_file, "
    "deduction_sha256, invoice_file, invoice_sha256, mailing_file, mailing_sha256 "
    "FROM billing_runs WHERE month = $1";

constexpr char kMonthsAwaiting[] =
    "SELECT DISTINCT b.run_month FROM bills b "
    "LEFT JOIN deduction_results r ON r.bill_number = b.number "
    "WHERE b.method = 'deduction' AND b.run_month < $1 AND r.bill_number IS NULL "
    "ORDER BY b.run_month";

constexpr char kOpenFailed[] =
    "SELECT b.run_month, b.institution_code, i.entry_id, i.origin, i.amount_yen, "
    "i.certificate_ref, i.charge_date, i.request_id, i.terminal_name, i.kind, i.mailing_yen "
    "FROM deduction_results r "
    "JOIN bills b ON b.number = r.bill_number "
    "JOIN bill_items i ON i.bill_number = b.number "
    "WHERE r.outcome = 'not_deducted' AND b.run_month < $1 "
    "AND NOT EXISTS (SELECT 1 FROM bill_items i2 JOIN bills b2 ON b2.number = i2.bill_number "
    "WHERE i2.entry_id = i.entry_id AND b2.run_month > b.run_month) "
    "ORDER BY i.entry_id";

constexpr char kInsertRun[] =
    "INSERT INTO billing_runs (month, state, issue_date, started_at, started_by) "
    "VALUES ($1, 'planned', $2, $3, $4) ON CONFLICT (month) DO NOTHING";

// On PostgreSQL the plan's rows go in by multi-row INSERTs of kBatchRows rows (one round
// trip each instead of one per row: a month holds up to a million items), the rest row by
// row. On SQLite there is no round trip to save, and binding $N by number costs a search of
// the statement's parameter names (quadratic in a 2,000-parameter statement: it was a third
// of the run), so rows go one by one there. The batch texts are built once and live as
// long as the program (SqlTx caches statements by the address of their text).
constexpr int kBatchRows = 200;

constexpr char kBillsHead[] =
    "INSERT INTO bills (number, run_month, institution_code, method, kind, amount_yen, "
    "certificates, issue_date, due_date, name, postal_code, address) VALUES ";
constexpr int kBillCols = 12;
constexpr char kItemsHead[] =
    "INSERT INTO bill_items (bill_number, entry_id, origin, amount_yen, certificate_ref, "
    "charge_date, request_id, terminal_name, kind, mailing_yen) VALUES ";
constexpr int kItemCols = 10;
constexpr char kUnbilledHead[] =
    "INSERT INTO billing_run_unbilled (run_month, entry_id, amount_yen) VALUES ";
constexpr int kUnbilledCols = 3;

// `head` followed by `rows` tuples of `cols` parameters: ($1, $2), ($3, $4), …
std::string MultiRowInsert(const char* head, int cols, int rows) {
  std::string sql = head;
  int n = 0;
  for (int r = 0; r < rows; ++r) {
    sql += r == 0 ? "(" : ", (";
    for (int c = 0; c < cols; ++c) sql += (c == 0 ? "$" : ", $") + std::to_string(++n);
    sql += ")";
  }
  return sql;
}

// Rows of one table, sent kBatchRows at a time.
class BatchInsert {
 public:
  BatchInsert(SqlTx& tx, const std::string& batch_sql, const std::string& single_sql, int cols)
      : tx_(tx),
        batch_sql_(batch_sql),
        single_sql_(single_sql),
        cols_(cols),
        batched_(tx.Backend() == "postgres") {}

  Status Add(store::SqlParams row) {
    if (!batched_) return tx_.Exec(single_sql_.c_str(), row).status();
    pending_.insert(pending_.end(), std::make_move_iterator(row.begin()),
                    std::make_move_iterator(row.end()));
    if (static_cast<int>(pending_.size()) < kBatchRows * cols_) return Status::Ok();
    Status st = tx_.Exec(batch_sql_.c_str(), pending_).status();
    pending_.clear();
    return st;
  }
  Status Flush() {
    for (size_t at = 0; at < pending_.size(); at += cols_) {
      store::SqlParams row(pending_.begin() + at, pending_.begin() + at + cols_);
      RETURN_IF_ERROR(tx_.Exec(single_sql_.c_str(), row).status());
    }
    pending_.clear();
    return Status::Ok();
  }

 private:
  SqlTx& tx_;
  const std::string& batch_sql_;
  const std::string& single_sql_;
  const int cols_;
  const bool batched_;
  store::SqlParams pending_;
};

struct BatchTexts {
  std::string batch, single;
};
const BatchTexts& Texts(const char* head) {
  // One pair per table, built on first use; never freed (their addresses key the caches).
  static const auto* bills = new BatchTexts{MultiRowInsert(kBillsHead, kBillCols, kBatchRows),
                                            MultiRowInsert(kBillsHead, kBillCols, 1)};
  static const auto* items = new BatchTexts{MultiRowInsert(kItemsHead, kItemCols, kBatchRows),
                                            MultiRowInsert(kItemsHead, kItemCols, 1)};
  static const auto* unbilled =
      new BatchTexts{MultiRowInsert(kUnbilledHead, kUnbilledCols, kBatchRows),
                     MultiRowInsert(kUnbilledHead, kUnbilledCols, 1)};
  return head == kBillsHead ? *bills : head == kItemsHead ? *items : *unbilled;
}

BatchInsert Batch(SqlTx& tx, const char* head, int cols) {
  const BatchTexts& t = Texts(head);
  return BatchInsert(tx, t.batch, t.single, cols);
}

constexpr char kLoadBills[] =
    "SELECT number, run_month, institution_code, method, kind, amount_yen, certificates, "
    "issue_date, due_date, name, postal_code, address "
    "FROM bills WHERE run_month = $1 ORDER BY number";

constexpr char kLoadItems[] =
    "SELECT i.bill_number, i.entry_id, i.origin, i.amount_yen, i.certificate_ref, "
    "i.charge_date, i.request_id, i.terminal_name, i.kind, i.mailing_yen "
    "FROM bill_items i JOIN bills b ON b.number = i.bill_number "
    "WHERE b.run_month = $1 ORDER BY i.bill_number, i.entry_id";

constexpr char kLoadBill[] =
    "SELECT number, run_month, institution_code, method, kind, amount_yen, certificates, "
    "issue_date, due_date, name, postal_code, address FROM bills WHERE number = $1";

constexpr char kLoadBillItems[] =
    "SELECT bill_number, entry_id, origin, amount_yen, certificate_ref, charge_date, "
    "request_id, terminal_name, kind, mailing_yen "
    "FROM bill_items WHERE bill_number = $1 ORDER BY entry_id";

constexpr char kMarkDone[] =
    "UPDATE billing_runs SET state = 'done', finished_at = $2, deduction_file = $3, "
    "deduction_sha256 = $4, invoice_file = $5, invoice_sha256 = $6, mailing_file = $7, "
    "mailing_sha256 = $8 WHERE month = $1 AND state = 'planned'";

// A row of kLoadBills / kLoadBill.
Result<BillRecord> BillOfRow(const SqlRow& row) {
  BillRecord b;
  ASSIGN_OR_RETURN(b.number, row.Text(0));
  ASSIGN_OR_RETURN(b.run_month, row.Text(1));
  ASSIGN_OR_RETURN(b.institution_code, row.Text(2));
  ASSIGN_OR_RETURN(b.method, row.Text(3));
  ASSIGN_OR_RETURN(b.kind, row.Text(4));
  ASSIGN_OR_RETURN(b.amount_yen, row.Int(5));
  ASSIGN_OR_RETURN(b.certificates, row.Int(6));
  ASSIGN_OR_RETURN(b.issue_date, row.Text(7));
  ASSIGN_OR_RETURN(b.due_date, row.OptText(8));
  ASSIGN_OR_RETURN(b.recipient.name, row.Text(9));
  ASSIGN_OR_RETURN(b.recipient.postal_code, row.Text(10));
  ASSIGN_OR_RETURN(b.recipient.address, row.Text(11));
  return b;
}

// A row of kLoadItems / kLoadBillItems (column 0 is the bill number).
Result<BillItemRecord> ItemOfRow(const SqlRow& row) {
  BillItemRecord i;
  ASSIGN_OR_RETURN(i.entry_id, row.Int(1));
  ASSIGN_OR_RETURN(i.origin, row.Text(2));
  ASSIGN_OR_RETURN(i.amount_yen, row.Int(3));
  ASSIGN_OR_RETURN(i.certificate_ref, row.Text(4));
  ASSIGN_OR_RETURN(i.charge_date, row.Text(5));
  ASSIGN_OR_RETURN(i.request_id, row.Text(6));
  ASSIGN_OR_RETURN(i.terminal_name, row.Text(7));
  ASSIGN_OR_RETURN(i.kind, row.Text(8));
  ASSIGN_OR_RETURN(i.mailing_yen, row.Int(9));
  return i;
}

Result<ItemOrigin> ParseOrigin(const std::string& s) {
  if (s == "new") return ItemOrigin::kNew;
  if (s == "carried") return ItemOrigin::kCarried;
  if (s == "fallback") return ItemOrigin::kFallback;
  return Internal("bill_items.origin holds " + s);
}

Result<Date> ParseIsoDate(const std::string& s) {
  ASSIGN_OR_RETURN(Instant t, ParseInstant(s));
  return JstDate(t);
}

}  // namespace

Result<std::optional<RunRecord>> LoadRun(SqlTx& tx, YearMonth month) {
  ASSIGN_OR_RETURN(std::optional<SqlRow> row, tx.QueryFirst(kLoadRun, {FormatMonth(month)}));
  if (!row) return std::optional<RunRecord>();
  RunRecord r;
  ASSIGN_OR_RETURN(r.month, row->Text(0));
  ASSIGN_OR_RETURN(r.state, row->Text(1));
  ASSIGN_OR_RETURN(r.issue_date, row->Text(2));
  ASSIGN_OR_RETURN(r.started_at, row->Int(3));
  ASSIGN_OR_RETURN(r.finished_at, row->OptInt(4));
  ASSIGN_OR_RETURN(r.started_by, row->Text(5));
  ASSIGN_OR_RETURN(r.files.deduction_file, row->Text(6));
  ASSIGN_OR_RETURN(r.files.deduction_sha256, row->Text(7));
  ASSIGN_OR_RETURN(r.files.invoice_file, row->Text(8));
  ASSIGN_OR_RETURN(r.files.invoice_sha256, row->Text(9));
  ASSIGN_OR_RETURN(r.files.mailing_file, row->Text(10));
  ASSIGN_OR_RETURN(r.files.mailing_sha256, row->Text(11));
  return std::optional<RunRecord>(std::move(r));
}

Result<std::vector<std::string>> MonthsAwaitingResults(SqlTx& tx, YearMonth month) {
  ASSIGN_OR_RETURN(std::vector<SqlRow> rows, tx.Query(kMonthsAwaiting, {FormatMonth(month)}));
  std::vector<std::string> out;
  for (const SqlRow& row : rows) {
    ASSIGN_OR_RETURN(std::string m, row.Text(0));
    out.push_back(std::move(m));
  }
  return out;
}

Result<std::vector<FailedDeduction>> OpenFailedDeductions(SqlTx& tx, YearMonth month) {
  std::vector<FailedDeduction> out;
  RETURN_IF_ERROR(tx.QueryEach(kOpenFailed, {FormatMonth(month)}, [&](const SqlRow& row) -> Status {
    FailedDeduction f;
    ASSIGN_OR_RETURN(std::string failed_month, row.Text(0));
    ASSIGN_OR_RETURN(f.failed_month, ParseMonth(failed_month));
    ASSIGN_OR_RETURN(f.item.institution_code, row.Text(1));
    ASSIGN_OR_RETURN(f.item.entry_id, row.Int(2));
    ASSIGN_OR_RETURN(std::string origin, row.Text(3));
    ASSIGN_OR_RETURN(f.origin, ParseOrigin(origin));
    ASSIGN_OR_RETURN(f.item.amount_yen, row.Int(4));
    ASSIGN_OR_RETURN(f.item.certificate_ref, row.Text(5));
    ASSIGN_OR_RETURN(std::string date, row.Text(6));
    ASSIGN_OR_RETURN(f.item.charge_date, ParseIsoDate(date));
    ASSIGN_OR_RETURN(f.item.request_id, row.Text(7));
    ASSIGN_OR_RETURN(f.item.terminal_name, row.Text(8));
    ASSIGN_OR_RETURN(f.item.kind, row.Text(9));
    ASSIGN_OR_RETURN(f.item.mailing_yen, row.Int(10));
    out.push_back(std::move(f));
    return Status::Ok();
  }));
  return out;
}

Status InsertPlan(SqlTx& tx, const Plan& plan, const std::map<std::string, Recipient>& recipients,
                  int64_t started_at, const std::string& started_by) {
  const std::string month = FormatMonth(plan.month);
  ASSIGN_OR_RETURN(int64_t n,
                   tx.Exec(kInsertRun, {month, IsoDate(plan.issue_date), started_at, started_by}));
  if (n == 0) return Conflict("the billing run of " + month + " is already recorded");
  BatchInsert bills = Batch(tx, kBillsHead, kBillCols);
  BatchInsert items = Batch(tx, kItemsHead, kItemCols);
  BatchInsert unbilled = Batch(tx, kUnbilledHead, kUnbilledCols);
  for (const PlannedBill& b : plan.bills) {
    auto rcpt = recipients.find(b.institution_code);
    if (rcpt == recipients.end()) {
      return InvalidArgument("no recipient for institution " + b.institution_code);
    }
    std::optional<std::string> due;
    if (b.due_date) due = IsoDate(*b.due_date);
    RETURN_IF_ERROR(
        bills.Add({b.number, month, b.institution_code, domain::BillingMethodName(b.method),
                   BillKindName(b.kind), b.amount_yen, b.certificates, IsoDate(b.issue_date), due,
                   rcpt->second.name, rcpt->second.postal_code, rcpt->second.address}));
  }
  // Items after all bills (their foreign key).
  RETURN_IF_ERROR(bills.Flush());
  for (const PlannedBill& b : plan.bills) {
    for (const PlannedItem& p : b.items) {
      RETURN_IF_ERROR(
          items.Add({b.number, p.item.entry_id, ItemOriginName(p.origin), p.item.amount_yen,
                     p.item.certificate_ref, IsoDate(p.item.charge_date), p.item.request_id,
                     p.item.terminal_name, p.item.kind, p.item.mailing_yen}));
    }
  }
  RETURN_IF_ERROR(items.Flush());
  for (const PlannedItem& p : plan.not_billed) {
    RETURN_IF_ERROR(unbilled.Add({month, p.item.entry_id, p.item.amount_yen}));
  }
  RETURN_IF_ERROR(unbilled.Flush());
  return Status::Ok();
}

Result<std::vector<BillRecord>> LoadBills(SqlTx& tx, YearMonth month) {
  const std::string m = FormatMonth(month);
  std::vector<BillRecord> bills;
  RETURN_IF_ERROR(tx.QueryEach(kLoadBills, {m}, [&](const SqlRow& row) -> Status {
    ASSIGN_OR_RETURN(BillRecord b, BillOfRow(row));
    bills.push_back(std::move(b));
    return Status::Ok();
  }));
  // Both queries are ordered by bill number: merge.
  size_t at = 0;
  RETURN_IF_ERROR(tx.QueryEach(kLoadItems, {m}, [&](const SqlRow& row) -> Status {
    ASSIGN_OR_RETURN(std::string number, row.Text(0));
    while (at < bills.size() && bills[at].number < number) ++at;
    if (at == bills.size() || bills[at].number != number) {
      return Internal("bill item of unknown bill " + number);
    }
    ASSIGN_OR_RETURN(BillItemRecord i, ItemOfRow(row));
    bills[at].items.push_back(std::move(i));
    return Status::Ok();
  }));
  return bills;
}

Result<std::optional<BillRecord>> LoadBill(SqlTx& tx, std::string_view number) {
  ASSIGN_OR_RETURN(std::optional<SqlRow> row, tx.QueryFirst(kLoadBill, {number}));
  if (!row) return std::optional<BillRecord>();
  ASSIGN_OR_RETURN(BillRecord b, BillOfRow(*row));
  RETURN_IF_ERROR(tx.QueryEach(kLoadBillItems, {number}, [&](const SqlRow& r) -> Status {
    ASSIGN_OR_RETURN(BillItemRecord i, ItemOfRow(r));
    b.items.push_back(std::move(i));
    return Status::Ok();
  }));
  return std::optional<BillRecord>(std::move(b));
}

Status AppendBillingAudit(SqlTx& tx, Instant at, const std::string& actor,
                          const std::string& action, const std::string& subject,
                          std::string details) {
  store::AuditEvent e;
  e.at = at;
  e.actor = actor;
  e.action = action;
  e.subject = subject;
  e.details = std::move(details);
  return tx.AppendAudit(e);
}

Status MarkRunDone(SqlTx& tx, YearMonth month, const RunFiles& f, int64_t finished_at) {
  ASSIGN_OR_RETURN(
      int64_t n,
      tx.Exec(kMarkDone, {FormatMonth(month), finished_at, f.deduction_file, f.deduction_sha256,
                          f.invoice_file, f.invoice_sha256, f.mailing_file, f.mailing_sha256}));
  if (n != 1)
    return FailedPrecondition("the billing run of " + FormatMonth(month) + " is not planned");
  return Status::Ok();
}

}  // namespace claimsca::billing
