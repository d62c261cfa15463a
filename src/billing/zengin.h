#pragma once

// The 全銀協 standard format of 振込入金通知 (入金明細; 種別コード 01): fixed-length
// 200-byte records, header (1) / data (2)... / trailer (8), repeated per account, then one
// end record (9). The accepted layout, field by field, and every rule that refuses a file
// are in docs/billing.md, section "payments". Pure: no I/O; the caller reads the file.
//
// A file is accepted whole or refused whole: the first broken rule names the record number
// (1-based, in file order), the field and the rule, and nothing of the file is returned.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/time_util.h"

namespace claimsca::billing {

inline constexpr size_t kZenginRecordLength = 200;

// A character field: the bytes as delivered (JIS X 0201, trailing spaces kept) and its
// display text (UTF-8, full-width katakana, trailing spaces removed; kana.h).
struct ZenginText {
  std::string raw;
  std::string text;

  bool operator==(const ZenginText&) const = default;
};

// A data record (データ・レコード): one transfer received, or its cancellation.
struct ZenginTransfer {
  int record = 0;                 // record number in the file (1-based)
  std::string inquiry_number;     // 照会番号, 6 digits as written
  Date booking_date;              // 勘定日
  Date value_date;                // 起算日
  int64_t amount = 0;             // 金額 (yen, > 0)
  int64_t other_bank_amount = 0;  // うち他店券金額 (<= amount)
  std::string payer_code;     // 振込依頼人コード, 10 digits as written ("0000000000": none)
  ZenginText payer_name;      // 振込依頼人名
  ZenginText remitting_bank;  // 仕向銀行名
  ZenginText remitting_branch;  // 仕向支店名
  bool cancelled = false;       // 取消区分 "1"
  ZenginText edi;               // EDI情報

  bool operator==(const ZenginTransfer&) const = default;
};

// One header … trailer group: the transfers into one account over the header's period.
struct ZenginAccount {
  int record = 0;         // the header's record number
  Date created;           // 作成日
  Date booking_from;      // 勘定日(自)
  Date booking_to;        // 勘定日(至)
  std::string bank_code;  // 銀行コード (4 digits)
  ZenginText bank_name;
  std::string branch_code;  // 支店コード (3 digits)
  ZenginText branch_name;
  char account_type = '1';     // 預金種目: 1 普通, 2 当座, 4 貯蓄, 9 その他
  std::string account_number;  // 口座番号 (7 digits)
  ZenginText account_name;     // 口座名
  std::vector<ZenginTransfer> transfers;

  bool operator==(const ZenginAccount&) const = default;
};

struct ZenginFile {
  // Line layout as delivered: records back to back, or each followed by CRLF / LF.
  enum class Layout { kNoNewlines, kCrLf, kLf };
  Layout layout = Layout::kNoNewlines;
  bool utf8_kana = false;  // half-width kana came as UTF-8 (3 bytes each), see docs
  std::vector<ZenginAccount> accounts;
};

// Where a file broke a rule: what the refusal names.
struct ZenginError {
  int record = 0;     // 1-based record number (0: the file as a whole)
  std::string field;  // e.g. "金額 (bytes 20-29)", or "record" for the record itself
  std::string rule;   // English, e.g. "not a digit: '12A4567890'"

  std::string ToString() const;
};

// Parses and checks a whole file. `today` (JST) bounds the dates: a date after it is refused
// (it catches a Western-year file read as 令和). On failure returns kInvalidArgument with
// ZenginError::ToString() as the message, and fills *error if given.
Result<ZenginFile> ParseZengin(std::string_view bytes, Date today, ZenginError* error = nullptr);

// The stable identity of a transfer across files: the receiving account, 照会番号, 勘定日
// and the cancellation flag ("0172-001-1-1234567:000123:2026-12-04", "...:C" if cancelled).
std::string TransferKey(const ZenginAccount& account, const ZenginTransfer& transfer);

}  // namespace claimsca::billing
