#include "billing/zengin.h"

#include <map>
#include <optional>

#include "billing/kana.h"
#include "common/iso_date.h"

namespace claimsca::billing {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;

// A field of a record: its name in the published layout, 1-based first byte, length.
struct Field {
  const char* name;
  size_t pos;
  size_t len;
};

// The layout (docs/billing.md, "payments"). Each record's fields cover bytes 1–200.
constexpr Field kDataType{"データ区分", 1, 1};
// ヘッダー・レコード
constexpr Field kTypeCode{"種別コード", 2, 2};
constexpr Field kCodeKind{"コード区分", 4, 1};
constexpr Field kCreated{"作成日", 5, 6};
constexpr Field kFrom{"勘定日(自)", 11, 6};
constexpr Field kTo{"勘定日(至)", 17, 6};
constexpr Field kBankCode{"銀行コード", 23, 4};
constexpr Field kBankName{"銀行名", 27, 15};
constexpr Field kBranchCode{"支店コード", 42, 3};
constexpr Field kBranchName{"支店名", 45, 15};
constexpr Field kAccountType{"預金種目", 60, 1};
constexpr Field kAccountNumber{"口座番号", 61, 7};
constexpr Field kAccountName{"口座名", 68, 40};
constexpr Field kHeaderDummy{"ダミー", 108, 93};
// データ・レコード
constexpr Field kInquiry{"照会番号", 2, 6};
constexpr Field kBooking{"勘定日", 8, 6};
constexpr Field kValue{"起算日", 14, 6};
constexpr Field kAmount{"金額", 20, 10};
constexpr Field kOtherBank{"うち他店券金額", 30, 10};
constexpr Field kPayerCode{"振込依頼人コード", 40, 10};
constexpr Field kPayerName{"振込依頼人名", 50, 48};
constexpr Field kRemitBank{"仕向銀行名", 98, 15};
constexpr Field kRemitBranch{"仕向支店名", 113, 15};
constexpr Field kCancel{"取消区分", 128, 1};
constexpr Field kEdi{"EDI情報", 129, 20};
constexpr Field kDataDummy{"ダミー", 149, 52};
// トレーラー・レコード
constexpr Field kCount{"振込合計件数", 2, 6};
constexpr Field kSum{"振込合計金額", 8, 12};
constexpr Field kCancelCount{"取消合計件数", 20, 6};
constexpr Field kCancelSum{"取消合計金額", 26, 12};
constexpr Field kTrailerDummy{"ダミー", 38, 163};
// エンド・レコード
constexpr Field kEndDummy{"ダミー", 2, 199};

std::string Describe(const Field& f) {
  return std::string(f.name) + " (byte" +
         (f.len == 1 ? " " + std::to_string(f.pos)
                     : "s " + std::to_string(f.pos) + "-" + std::to_string(f.pos + f.len - 1)) +
         ")";
}

// Printable form of bytes for a message: ASCII as is, anything else as \xNN.
std::string Show(std::string_view bytes) {
  std::string out = "'";
  for (unsigned char c : bytes) {
    if (c >= 0x20 && c <= 0x7E && c != '\'' && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out + "'";
}

const char* RecordName(char type) {
  switch (type) {
    case '1':
      return "ヘッダー・レコード";
    case '2':
      return "データ・レコード";
    case '8':
      return "トレーラー・レコード";
    case '9':
      return "エンド・レコード";
    default:
      return "?";
  }
}

// Reads the fields of one record, stopping at the first broken rule (error()).
class RecordReader {
 public:
  RecordReader(std::string_view record, int number, Date today)
      : record_(record), number_(number), today_(today) {}

  const std::optional<ZenginError>& error() const { return error_; }
  bool ok() const { return !error_; }

  bool Fail(const Field& f, std::string rule) {
    if (!error_) error_ = ZenginError{number_, Describe(f), std::move(rule)};
    return false;
  }

  std::string_view Bytes(const Field& f) const { return record_.substr(f.pos - 1, f.len); }

  // N: ASCII digits only.
  bool Digits(const Field& f, std::string* out) {
    if (!ok()) return false;
    const std::string_view b = Bytes(f);
    for (char c : b) {
      if (c < '0' || c > '9') return Fail(f, "not a digit in a numeric field: " + Show(b));
    }
    if (out) out->assign(b);
    return true;
  }

  bool Number(const Field& f, int64_t* out) {
    std::string digits;
    if (!Digits(f, &digits)) return false;
    int64_t v = 0;
    for (char c : digits) v = v * 10 + (c - '0');  // at most 12 digits: no overflow
    *out = v;
    return true;
  }

  // C: ASCII 0x20–0x7E and JIS X 0201 katakana.
  bool Text(const Field& f, ZenginText* out) {
    if (!ok()) return false;
    const std::string_view b = Bytes(f);
    for (size_t i = 0; i < b.size(); ++i) {
      if (!IsZenginCharacter(static_cast<unsigned char>(b[i]))) {
        return Fail(f, "byte " + std::to_string(f.pos + i) + " " + Show(b.substr(i, 1)) +
                           " is not a half-width character (ASCII or JIS X 0201 kana)");
      }
    }
    if (out) *out = ZenginText{std::string(b), DecodeZenginText(b)};
    return true;
  }

  // YYMMDD in the 令和 era (R1 = 2019, from 2019-05-01), not after today.
  bool WarekiDate(const Field& f, Date* out) {
    std::string d;
    if (!Digits(f, &d)) return false;
    const int yy = (d[0] - '0') * 10 + (d[1] - '0');
    const unsigned mm = (d[2] - '0') * 10 + (d[3] - '0');
    const unsigned dd = (d[4] - '0') * 10 + (d[5] - '0');
    const Date date{year{2018 + yy}, month{mm}, day{dd}};
    if (yy == 0 || !date.ok()) return Fail(f, "not a date (令和 YYMMDD): " + Show(d));
    if (date < Date{year{2019}, month{5}, day{1}}) {
      return Fail(f, "before 令和 began (2019-05-01): " + Show(d));
    }
    if (date > today_) {
      return Fail(f, Show(d) + " is " + IsoDate(date) + ", after today (" + IsoDate(today_) +
                         "); the layout's dates are 令和 YYMMDD, not Western years");
    }
    *out = date;
    return true;
  }

 private:
  std::string_view record_;
  int number_;
  Date today_;
  std::optional<ZenginError> error_;
};

Status Refuse(const ZenginError& e, ZenginError* out) {
  if (out) *out = e;
  return InvalidArgument("payment file refused: " + e.ToString());
}

// Splits the file into records, checking their lengths.
bool SplitRecords(std::string_view bytes, ZenginFile::Layout* layout,
                  std::vector<std::string_view>* records, ZenginError* error) {
  const size_t nl = bytes.find_first_of("\r\n");
  const Field whole{"record", 1, kZenginRecordLength};
  if (nl == std::string_view::npos) {
    *layout = ZenginFile::Layout::kNoNewlines;
    for (size_t at = 0; at < bytes.size(); at += kZenginRecordLength) {
      const std::string_view r = bytes.substr(at, kZenginRecordLength);
      if (r.size() < kZenginRecordLength) {
        *error = {static_cast<int>(records->size()) + 1, Describe(whole),
                  "truncated record: " + std::to_string(r.size()) +
                      " bytes at the end of the file, expected 200"};
        return false;
      }
      records->push_back(r);
    }
    return true;
  }
  const bool crlf = bytes[nl] == '\r';
  *layout = crlf ? ZenginFile::Layout::kCrLf : ZenginFile::Layout::kLf;
  const std::string_view sep = crlf ? "\r\n" : "\n";
  size_t at = 0;
  while (at < bytes.size()) {
    const size_t end = bytes.find(sep, at);
    const std::string_view r =
        bytes.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
    const int number = static_cast<int>(records->size()) + 1;
    if (r.size() != kZenginRecordLength) {
      *error = {number, Describe(whole),
                "wrong length: " + std::to_string(r.size()) +
                    " bytes between line ends, expected " + "200" +
                    (end == std::string_view::npos ? " (truncated last record?)" : "")};
      return false;
    }
    records->push_back(r);
    if (end == std::string_view::npos) break;
    at = end + sep.size();
  }
  return true;
}

bool ReadHeader(RecordReader& r, ZenginAccount* a) {
  std::string type, kind, account_type;
  r.Digits(kTypeCode, &type);
  if (r.ok() && type != "01") {
    return r.Fail(kTypeCode, Show(type) + ": only 01 (振込入金通知) is accepted" +
                                 (type == "03" ? " (03 is 入出金取引明細, another layout)" : ""));
  }
  r.Digits(kCodeKind, &kind);
  if (r.ok() && kind != "0") return r.Fail(kCodeKind, Show(kind) + ": only 0 (JIS) is accepted");
  r.WarekiDate(kCreated, &a->created);
  r.WarekiDate(kFrom, &a->booking_from);
  r.WarekiDate(kTo, &a->booking_to);
  if (r.ok() && a->booking_to < a->booking_from) {
    return r.Fail(kTo,
                  IsoDate(a->booking_to) + " is before 勘定日(自) " + IsoDate(a->booking_from));
  }
  if (r.ok() && a->created < a->booking_to) {
    return r.Fail(kCreated,
                  IsoDate(a->created) + " is before 勘定日(至) " + IsoDate(a->booking_to));
  }
  r.Digits(kBankCode, &a->bank_code);
  r.Text(kBankName, &a->bank_name);
  r.Digits(kBranchCode, &a->branch_code);
  r.Text(kBranchName, &a->branch_name);
  r.Digits(kAccountType, &account_type);
  if (r.ok() && account_type.find_first_of("1249") == std::string::npos) {
    return r.Fail(kAccountType, Show(account_type) + ": not 1, 2, 4 or 9");
  }
  if (r.ok()) a->account_type = account_type[0];
  r.Digits(kAccountNumber, &a->account_number);
  r.Text(kAccountName, &a->account_name);
  r.Text(kHeaderDummy, nullptr);
  return r.ok();
}

bool ReadTransfer(RecordReader& r, const ZenginAccount& a, ZenginTransfer* t) {
  r.Digits(kInquiry, &t->inquiry_number);
  r.WarekiDate(kBooking, &t->booking_date);
  if (r.ok() && (t->booking_date < a.booking_from || t->booking_date > a.booking_to)) {
    return r.Fail(kBooking, IsoDate(t->booking_date) + " is outside the header's 勘定日 " +
                                IsoDate(a.booking_from) + " to " + IsoDate(a.booking_to));
  }
  r.WarekiDate(kValue, &t->value_date);
  r.Number(kAmount, &t->amount);
  if (r.ok() && t->amount == 0) return r.Fail(kAmount, "zero amount");
  r.Number(kOtherBank, &t->other_bank_amount);
  if (r.ok() && t->other_bank_amount > t->amount) {
    return r.Fail(kOtherBank, "larger than 金額 " + std::to_string(t->amount));
  }
  r.Digits(kPayerCode, &t->payer_code);
  r.Text(kPayerName, &t->payer_name);
  r.Text(kRemitBank, &t->remitting_bank);
  r.Text(kRemitBranch, &t->remitting_branch);
  ZenginText cancel;
  r.Text(kCancel, &cancel);
  if (r.ok() && cancel.raw != " " && cancel.raw != "0" && cancel.raw != "1") {
    return r.Fail(kCancel, Show(cancel.raw) + ": not blank, 0 or 1 (取消)");
  }
  t->cancelled = cancel.raw == "1";
  r.Text(kEdi, &t->edi);
  r.Text(kDataDummy, nullptr);
  return r.ok();
}

bool CheckTrailer(RecordReader& r, const ZenginAccount& a) {
  int64_t count = 0, sum = 0, cancel_count = 0, cancel_sum = 0;
  r.Number(kCount, &count);
  r.Number(kSum, &sum);
  r.Number(kCancelCount, &cancel_count);
  r.Number(kCancelSum, &cancel_sum);
  r.Text(kTrailerDummy, nullptr);
  if (!r.ok()) return false;
  int64_t n = 0, s = 0, cn = 0, cs = 0;
  for (const ZenginTransfer& t : a.transfers) {
    (t.cancelled ? cn : n) += 1;
    (t.cancelled ? cs : s) += t.amount;
  }
  const auto mismatch = [&](const Field& f, int64_t written, int64_t counted, const char* what) {
    return r.Fail(f, std::to_string(written) + " written, but the data records since record " +
                         std::to_string(a.record) + " have " + std::to_string(counted) + " " +
                         what);
  };
  if (count != n) return mismatch(kCount, count, n, "transfers (not cancelled)");
  if (sum != s) return mismatch(kSum, sum, s, "yen of transfers (not cancelled)");
  if (cancel_count != cn) return mismatch(kCancelCount, cancel_count, cn, "cancellations");
  if (cancel_sum != cs) return mismatch(kCancelSum, cancel_sum, cs, "yen of cancellations");
  return true;
}

}  // namespace

std::string ZenginError::ToString() const {
  std::string out = record > 0 ? "record " + std::to_string(record) : std::string("file");
  if (!field.empty()) out += ", field " + field;
  return out + ": " + rule;
}

std::string TransferKey(const ZenginAccount& a, const ZenginTransfer& t) {
  return a.bank_code + "-" + a.branch_code + "-" + a.account_type + "-" + a.account_number + ":" +
         t.inquiry_number + ":" + IsoDate(t.booking_date) + (t.cancelled ? ":C" : "");
}

Result<ZenginFile> ParseZengin(std::string_view bytes, Date today, ZenginError* error) {
  ZenginFile file;
  // An MS-DOS end-of-file mark after the last record is tolerated.
  if (!bytes.empty() && bytes.back() == '\x1A') bytes.remove_suffix(1);
  std::string converted;
  for (unsigned char c : bytes) {
    if (c >= 0xE0) {  // no single-byte character: maybe the kana came as UTF-8
      if (Utf8HalfWidthKanaToSingleBytes(bytes, &converted)) {
        bytes = converted;
        file.utf8_kana = true;
      }
      break;
    }
  }
  std::vector<std::string_view> records;
  ZenginError e;
  if (!SplitRecords(bytes, &file.layout, &records, &e)) return Refuse(e, error);
  if (records.empty()) return Refuse({0, "", "empty file: no ヘッダー・レコード"}, error);

  // Expected next: header, then data or trailer, then header or end; nothing after the end.
  char prev = 0;
  std::map<std::string, int> seen;  // TransferKey → record
  for (size_t i = 0; i < records.size(); ++i) {
    const int number = static_cast<int>(i) + 1;
    RecordReader r(records[i], number, today);
    const char type = records[i][0];
    if (type != '1' && type != '2' && type != '8' && type != '9') {
      r.Fail(kDataType, "unknown record type " + Show(records[i].substr(0, 1)) +
                            " (1 header, 2 data, 8 trailer, 9 end)");
      return Refuse(*r.error(), error);
    }
    const bool in_order = (type == '1' && (prev == 0 || prev == '8')) ||
                          ((type == '2' || type == '8') && (prev == '1' || prev == '2')) ||
                          (type == '9' && prev == '8');
    if (!in_order) {
      r.Fail(kDataType, std::string("records out of order: a ") + RecordName(type) +
                            (prev == 0 ? " first" : std::string(" after a ") + RecordName(prev)));
      return Refuse(*r.error(), error);
    }
    prev = type;
    if (type == '1') {
      ZenginAccount a;
      a.record = number;
      if (!ReadHeader(r, &a)) return Refuse(*r.error(), error);
      file.accounts.push_back(std::move(a));
    } else if (type == '2') {
      ZenginAccount& a = file.accounts.back();
      ZenginTransfer t;
      t.record = number;
      if (!ReadTransfer(r, a, &t)) return Refuse(*r.error(), error);
      const auto [it, fresh] = seen.emplace(TransferKey(a, t), number);
      if (!fresh) {
        r.Fail(kInquiry, "照会番号 " + t.inquiry_number + " of 勘定日 " + IsoDate(t.booking_date) +
                             " is already in record " + std::to_string(it->second));
        return Refuse(*r.error(), error);
      }
      a.transfers.push_back(std::move(t));
    } else if (type == '8') {
      if (!CheckTrailer(r, file.accounts.back())) return Refuse(*r.error(), error);
    } else {
      r.Text(kEndDummy, nullptr);
      if (!r.ok()) return Refuse(*r.error(), error);
    }
  }
  if (prev != '9') {
    const int next = static_cast<int>(records.size()) + 1;
    return Refuse(
        {next, Describe(kDataType),
         std::string("the file ends without an エンド・レコード (last: ") + RecordName(prev) + ")"},
        error);
  }
  return file;
}

}  // namespace claimsca::billing
