#include "billing/deduction_file.h"

#include <charconv>
#include <cstdio>
#include <set>

#include "billing/text_encoding.h"
#include "crypto/ossl.h"
#include "domain/codes.h"

namespace claimsca::billing {
namespace {

using domain::IsAsciiDigits;

bool TenDigits(std::string_view s) { return s.size() == 10 && IsAsciiDigits(s); }

Status LineError(int line, std::string_view field, std::string_view what) {
  return InvalidArgument("line " + std::to_string(line) + ", field " + std::string(field) + ": " +
                         std::string(what));
}

// A non-negative decimal without sign or leading zeros (except "0"), at most 15 digits
// (below 10^15 yen, so sums cannot overflow int64).
Result<int64_t> ParseAmount(std::string_view s) {
  if (!IsAsciiDigits(s) || s.size() > 15 || (s.size() > 1 && s[0] == '0')) {
    return InvalidArgument("not a decimal number of 1 to 15 digits without leading zeros");
  }
  int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

// The name as one CSV field: always quoted, inner quotes doubled, line breaks and other
// control characters turned into spaces (a name is one line of text).
std::string QuotedName(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') {
      out += "\"\"";
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      out += ' ';
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

std::vector<std::string_view> SplitFields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (true) {
    size_t comma = line.find(',', start);
    if (comma == std::string_view::npos) {
      fields.push_back(line.substr(start));
      return fields;
    }
    fields.push_back(line.substr(start, comma - start));
    start = comma + 1;
  }
}

constexpr int64_t kMaxSum = 1'000'000'000'000'000'000;

}  // namespace

std::string CompactMonth(YearMonth month) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d%02u", static_cast<int>(month.year()),
                static_cast<unsigned>(month.month()));
  return buf;
}

Result<YearMonth> ParseCompactMonth(std::string_view text) {
  if (text.size() != 6 || !IsAsciiDigits(text)) return InvalidArgument("not YYYYMM");
  int y = 0;
  unsigned m = 0;
  std::from_chars(text.data(), text.data() + 4, y);
  std::from_chars(text.data() + 4, text.data() + 6, m);
  YearMonth ym{std::chrono::year(y), std::chrono::month(m)};
  if (!ym.ok() || y < 2000) return InvalidArgument("not a month from 2000 on");
  return ym;
}

std::string DeductionRequestFileName(YearMonth month) {
  return "deduction-request-" + CompactMonth(month) + ".csv";
}

Result<std::string> RenderDeductionRequest(YearMonth month,
                                           const std::vector<DeductionLine>& lines) {
  if (lines.empty()) return InvalidArgument("no deduction line: no file for an empty month");
  std::string utf8;
  std::set<std::string_view> seen;
  int64_t certificates = 0;
  int64_t amount = 0;
  int n = 0;
  for (const DeductionLine& l : lines) {
    ++n;
    if (!TenDigits(l.institution_code)) {
      return LineError(n, "institution_code", "not 10 digits");
    }
    if (!seen.insert(l.institution_code).second) {
      return LineError(n, "institution_code", "second line of " + l.institution_code);
    }
    if (l.billing_month != month) return LineError(n, "billing_month", "not the file's month");
    if (l.certificates < 0) return LineError(n, "certificates", "negative");
    if (l.amount_yen <= 0 || l.amount_yen >= 1'000'000'000'000'000) {
      return LineError(n, "amount", "not in 1..10^15-1 yen");
    }
    if (!TenDigits(l.bill_number)) return LineError(n, "bill_number", "not 10 digits");
    certificates += l.certificates;
    amount += l.amount_yen;
    utf8 += std::string(kDataRecord) + "," + l.institution_code + "," + QuotedName(l.name) + "," +
            CompactMonth(l.billing_month) + "," + std::to_string(l.certificates) + "," +
            std::to_string(l.amount_yen) + "," + l.bill_number + "\r\n";
  }
  utf8 += std::string(kTrailerRecord) + "," + std::to_string(n) + "," +
          std::to_string(certificates) + "," + std::to_string(amount) + "\r\n";
  return Utf8ToCp932(utf8);
}

std::string Sha256SumFile(std::string_view content, std::string_view file_name) {
  return crypto::Sha256Hex(content) + "  " + std::string(file_name) + "\n";
}

std::string_view DeductionOutcomeName(DeductionOutcome outcome) {
  return outcome == DeductionOutcome::kDeducted ? "deducted" : "not_deducted";
}

Result<std::vector<DeductionResultLine>> ParseDeductionResult(std::string_view bytes) {
  std::vector<DeductionResultLine> out;
  std::set<std::string> seen;
  bool trailer_seen = false;
  int64_t sum = 0;
  int line_no = 0;
  size_t pos = 0;
  while (pos < bytes.size()) {
    ++line_no;
    size_t nl = bytes.find('\n', pos);
    if (nl == std::string_view::npos) {
      return LineError(line_no, "record_type", "the line has no line end (truncated file?)");
    }
    std::string_view line = bytes.substr(pos, nl - pos);
    pos = nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    for (char c : line) {
      if (static_cast<unsigned char>(c) >= 0x80 || static_cast<unsigned char>(c) < 0x20) {
        return LineError(line_no, "record_type", "a byte that is not printable ASCII");
      }
    }
    if (trailer_seen) return LineError(line_no, "record_type", "a line after the trailer");
    std::vector<std::string_view> f = SplitFields(line);
    if (f[0] == kTrailerRecord) {
      if (f.size() != 3) {
        return LineError(line_no, "record_type",
                         "a trailer has 3 fields, not " + std::to_string(f.size()));
      }
      auto count = ParseAmount(f[1]);
      if (!count.ok()) return LineError(line_no, "count", count.status().message());
      if (*count != static_cast<int64_t>(out.size())) {
        return LineError(line_no, "count",
                         "says " + std::string(f[1]) + ", the file has " +
                             std::to_string(out.size()) + " data lines");
      }
      auto total = ParseAmount(f[2]);
      if (!total.ok()) return LineError(line_no, "total_amount", total.status().message());
      if (*total != sum) {
        return LineError(
            line_no, "total_amount",
            "says " + std::string(f[2]) + ", the data lines add up to " + std::to_string(sum));
      }
      trailer_seen = true;
      continue;
    }
    if (f[0] != kDataRecord)
      return LineError(line_no, "record_type", "not 2 (data) or 8 (trailer)");
    if (f.size() != 6) {
      return LineError(line_no, "record_type",
                       "a data line has 6 fields, not " + std::to_string(f.size()));
    }
    DeductionResultLine r;
    r.line = line_no;
    if (!TenDigits(f[1])) return LineError(line_no, "institution_code", "not 10 digits");
    r.institution_code = std::string(f[1]);
    auto month = ParseCompactMonth(f[2]);
    if (!month.ok()) return LineError(line_no, "billing_month", month.status().message());
    r.billing_month = *month;
    if (!out.empty() && out.front().billing_month != r.billing_month) {
      return LineError(line_no, "billing_month",
                       "differs from line " + std::to_string(out.front().line) + "'s");
    }
    if (!TenDigits(f[3])) return LineError(line_no, "bill_number", "not 10 digits");
    r.bill_number = std::string(f[3]);
    if (f[4] == "0") {
      r.outcome = DeductionOutcome::kDeducted;
    } else if (f[4] == "1") {
      r.outcome = DeductionOutcome::kNotDeducted;
    } else {
      return LineError(line_no, "result", "not 0 (deducted) or 1 (not deducted)");
    }
    auto amount = ParseAmount(f[5]);
    if (!amount.ok()) return LineError(line_no, "amount", amount.status().message());
    if (*amount == 0) return LineError(line_no, "amount", "zero");
    r.amount_yen = *amount;
    if (!seen.insert(r.institution_code).second) {
      return LineError(line_no, "institution_code", "second line of " + r.institution_code);
    }
    if (sum > kMaxSum - r.amount_yen) return LineError(line_no, "amount", "the sum exceeds 10^18");
    sum += r.amount_yen;
    out.push_back(std::move(r));
  }
  if (!trailer_seen) return LineError(line_no + 1, "record_type", "no trailer (8) line");
  if (out.empty()) return LineError(line_no, "count", "no data line");
  return out;
}

}  // namespace claimsca::billing
