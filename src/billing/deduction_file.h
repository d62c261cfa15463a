#pragma once

// The two files exchanged with the payment system (支払基金 / 国保連 payment of
// 診療(調剤)報酬) for deduction billing (docs/billing.md, section "run", has the layouts):
//   - the deduction request file we send: one line per institution, a totals line; CSV,
//     CRLF, Windows-31J (CP932); the SHA-256 file beside it in `sha256sum` format;
//   - the result file the payment system returns: per institution, deducted in full or not
//     deducted, with the amount. A file with any bad line is refused whole, naming the line
//     and the field; nothing of it is returned.
// Pure functions, no I/O.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace claimsca::billing {

using YearMonth = std::chrono::year_month;

// Record types, in the 全銀 habit of numbered records (1 header, 2 data, 8 trailer).
inline constexpr std::string_view kDataRecord = "2";
inline constexpr std::string_view kTrailerRecord = "8";

struct DeductionLine {
  std::string institution_code;  // 医療機関等コード, 10 digits
  std::string name;              // UTF-8; written in CP932 (〓 for what CP932 lacks)
  YearMonth billing_month;       // the run month
  int64_t certificates = 0;      // distinct certificates charged on this line, >= 0
  int64_t amount_yen = 0;        // > 0
  std::string bill_number;       // 請求番号, 10 digits (TEAM.md)

  bool operator==(const DeductionLine&) const = default;
};

// The request file's bytes, lines in the given order (the caller sorts them by
// institution code). InvalidArgument naming the line and field when a field is out of its
// domain (code or number not 10 digits, amount <= 0, two lines of one institution, a month
// other than `month`), or when there is no line (no file is made for an empty month).
Result<std::string> RenderDeductionRequest(YearMonth month,
                                           const std::vector<DeductionLine>& lines);

// "deduction-request-YYYYMM.csv".
std::string DeductionRequestFileName(YearMonth month);

// The SHA-256 file's content for `content` stored as `file_name` (no directory): one line
// "<64 hex>  <file_name>\n", which `sha256sum -c` accepts in the file's directory.
std::string Sha256SumFile(std::string_view content, std::string_view file_name);

enum class DeductionOutcome { kDeducted, kNotDeducted };

// "deducted" / "not_deducted" (stored and audited under these names).
std::string_view DeductionOutcomeName(DeductionOutcome outcome);

struct DeductionResultLine {
  int line = 0;  // 1-based line of the file
  std::string institution_code;
  YearMonth billing_month;
  std::string bill_number;
  DeductionOutcome outcome = DeductionOutcome::kNotDeducted;
  int64_t amount_yen = 0;  // the requested amount the result is about

  bool operator==(const DeductionResultLine&) const = default;
};

// Parses a result file. Every line must be well formed, the trailer must match the data
// lines (count and sum), all lines must be of one billing month and no institution may
// appear twice; otherwise InvalidArgument "line N, field <name>: …" and nothing is
// returned. CRLF or LF line ends; ASCII only.
Result<std::vector<DeductionResultLine>> ParseDeductionResult(std::string_view bytes);

// "YYYYMM" and back (the files' month format).
std::string CompactMonth(YearMonth month);
Result<YearMonth> ParseCompactMonth(std::string_view text);

}  // namespace claimsca::billing
