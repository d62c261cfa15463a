#pragma once

// Test helper (unit tests and fuzz seeds only): writes 振込入金通知 records from the layout
// documented in docs/billing.md "payments", so tests build valid files and then break them.

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace claimsca::billing::testing {

struct TestTransfer {
  std::string inquiry = "000001";  // 照会番号
  std::string booking = "081204";  // 勘定日 (令和8年12月4日)
  std::string value = "081204";    // 起算日
  int64_t amount = 1500;
  int64_t other_bank = 0;
  std::string payer_code = "0000000000";
  std::string payer_name;                             // JIS X 0201 bytes
  std::string remit_bank = "\xD0\xBD\xDE\xCE";        // ﾐｽﾞﾎ
  std::string remit_branch = "\xC4\xB3\xB7\xAE\xB3";  // ﾄｳｷｮｳ
  char cancel = ' ';
  std::string edi;
};

// Field writers: numbers right-aligned zero-filled, text left-aligned space-filled.
inline std::string Num(int64_t v, size_t width) {
  std::string s = std::to_string(v);
  return std::string(width > s.size() ? width - s.size() : 0, '0') + s;
}
inline std::string Txt(const std::string& v, size_t width) {
  std::string s = v.substr(0, width);
  return s + std::string(width - s.size(), ' ');
}

inline std::string HeaderRecord(const std::string& created = "081205",
                                const std::string& from = "081201",
                                const std::string& to = "081204",
                                const std::string& account = "1234567") {
  return "1"
         "01"
         "0" +
         created + from + to + "0005" + Txt("\xC3\xBD\xC4 \xB7\xDE\xDD\xBA\xB3", 15) +  // ﾃｽﾄ ｷﾞﾝｺｳ
         "001" + Txt("\xCE\xDD\xC3\xDD", 15) + "1" + account +                // ﾎﾝﾃﾝ
         Txt("\xBC\xAC)\xC3\xBD\xC4\xB7\xAE\xB3\xB6\xB2", 40) + Txt("", 93);  // ｼｬ)ﾃｽﾄｷｮｳｶｲ
}

inline std::string DataRecord(const TestTransfer& t) {
  return "2" + t.inquiry + t.booking + t.value + Num(t.amount, 10) + Num(t.other_bank, 10) +
         t.payer_code + Txt(t.payer_name, 48) + Txt(t.remit_bank, 15) + Txt(t.remit_branch, 15) +
         std::string(1, t.cancel) + Txt(t.edi, 20) + Txt("", 52);
}

inline std::string TrailerRecord(const std::vector<TestTransfer>& ts) {
  int64_t n = 0, s = 0, cn = 0, cs = 0;
  for (const TestTransfer& t : ts) {
    (t.cancel == '1' ? cn : n) += 1;
    (t.cancel == '1' ? cs : s) += t.amount;
  }
  return "8" + Num(n, 6) + Num(s, 12) + Num(cn, 6) + Num(cs, 12) + Txt("", 163);
}

inline std::string EndRecord() { return "9" + Txt("", 199); }

// Header, one data record per transfer, trailer, end.
inline std::vector<std::string> Records(const std::vector<TestTransfer>& ts) {
  std::vector<std::string> out{HeaderRecord()};
  for (const TestTransfer& t : ts) out.push_back(DataRecord(t));
  out.push_back(TrailerRecord(ts));
  out.push_back(EndRecord());
  return out;
}

inline std::string Join(const std::vector<std::string>& records, const std::string& sep = "") {
  std::string out;
  for (const std::string& r : records) out += r + sep;
  return out;
}

// The same bytes with each JIS X 0201 kana as UTF-8 (U+FF61–U+FF9F), as some banks deliver.
inline std::string KanaAsUtf8(const std::string& bytes) {
  std::string out;
  for (unsigned char c : bytes) {
    if (c >= 0xA1 && c <= 0xDF) {
      const char32_t cp = 0xFF61 + (c - 0xA1);
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

}  // namespace claimsca::billing::testing
