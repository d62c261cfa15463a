#include "mail/mime.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>

#include "common/time_util.h"

namespace claimsca::mail {
namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

bool PrintableAscii(std::string_view v) {
  for (char c : v) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7e) return false;
  }
  // "=?" would read as the start of an encoded-word.
  return v.find("=?") == std::string_view::npos;
}

std::string OneLine(std::string_view v) {
  std::string out;
  for (char c : v) out += (c == '\r' || c == '\n') ? ' ' : c;
  return out;
}

// Length of the UTF-8 sequence starting with byte `b` (1 for a stray byte).
size_t Utf8Len(unsigned char b) {
  if (b >= 0xf0) return 4;
  if (b >= 0xe0) return 3;
  if (b >= 0xc0) return 2;
  return 1;
}

}  // namespace

std::string Base64(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    const uint32_t v = (uint32_t(uint8_t(data[i])) << 16) | (uint32_t(uint8_t(data[i + 1])) << 8) |
                       uint8_t(data[i + 2]);
    out += kB64[v >> 18];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += kB64[v & 63];
  }
  if (i + 1 == data.size()) {
    const uint32_t v = uint32_t(uint8_t(data[i])) << 16;
    out += kB64[v >> 18];
    out += kB64[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == data.size()) {
    const uint32_t v = (uint32_t(uint8_t(data[i])) << 16) | (uint32_t(uint8_t(data[i + 1])) << 8);
    out += kB64[v >> 18];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

// Always encoded-words (see EncodeHeaderValue).
std::string EncodeWords(const std::string& value, size_t used) {
  // Each word: "=?UTF-8?B?" + base64 + "?=" ≤ 75 characters → ≤ 63 base64 characters →
  // ≤ 45 bytes of text; the first word also fits the line after the header name.
  std::string out;
  size_t pos = 0;
  size_t line = used;
  while (pos < value.size()) {
    const size_t room = line + 12 + 1 > 76 ? 1 : (76 - line - 12 - 1);
    const size_t max_bytes = std::max<size_t>(3, std::min<size_t>(45, room / 4 * 3));
    size_t end = pos;
    while (end < value.size()) {
      const size_t n = Utf8Len(static_cast<unsigned char>(value[end]));
      if (end - pos + n > max_bytes && end > pos) break;
      end += n;
    }
    end = std::min(end, value.size());
    const std::string word = "=?UTF-8?B?" + Base64(value.substr(pos, end - pos)) + "?=";
    if (!out.empty()) {
      out += "\r\n ";
      line = 1;
    }
    out += word;
    line += word.size();
    pos = end;
  }
  return out;
}

std::string EncodeHeaderValue(std::string_view raw, size_t used) {
  const std::string value = OneLine(raw);
  if (PrintableAscii(value)) return value;
  return EncodeWords(value, used);
}

std::string FormatRfc5322DateJst(Instant t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto local = t + kJstOffset;
  const auto day = std::chrono::floor<std::chrono::days>(local);
  const std::chrono::year_month_day ymd(day);
  const std::chrono::hh_mm_ss hms(local - day);
  const std::chrono::weekday wd(day);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %u %s %d %02d:%02d:%02d +0900", kDays[wd.c_encoding()],
                static_cast<unsigned>(ymd.day()), kMonths[static_cast<unsigned>(ymd.month()) - 1],
                static_cast<int>(ymd.year()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
  return buf;
}

bool ValidAddress(std::string_view a) {
  const size_t at = a.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= a.size()) return false;
  if (a.find('@', at + 1) != std::string_view::npos || a.size() > 254) return false;
  for (char c : a) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '<' || c == '>' || c == '"' || c == ',' || c == '(' ||
        c == ')' || c == ';' || c == '\\') {
      return false;
    }
  }
  return true;
}

Result<std::string> BuildMime(const MailMessage& m) {
  if (!ValidAddress(m.from_address)) return InvalidArgument("mail: bad From address");
  if (!ValidAddress(m.to_address)) return InvalidArgument("mail: bad To address");
  if (m.message_id.empty() || !ValidAddress(m.message_id)) {
    return InvalidArgument("mail: bad Message-ID");
  }
  std::string out;
  out += "Date: " + FormatRfc5322DateJst(m.date) + "\r\n";
  out += "From: ";
  if (!m.from_name.empty()) {
    const std::string name = OneLine(m.from_name);
    bool plain = PrintableAscii(name);
    for (char c : name) plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == ' ');
    out += (plain ? name : EncodeWords(name, 6)) + " ";
  }
  out += "<" + m.from_address + ">\r\n";
  out += "To: <" + m.to_address + ">\r\n";
  out += "Subject: " + EncodeHeaderValue(m.subject, 9) + "\r\n";
  out += "Message-ID: <" + m.message_id + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=UTF-8\r\n";
  out += "Content-Transfer-Encoding: base64\r\n";
  out += "\r\n";
  // CRLF line ends inside the encoded text, as RFC 2046 §4.1.1 asks of text.
  std::string body;
  for (size_t i = 0; i < m.body.size(); ++i) {
    if (m.body[i] == '\n' && (i == 0 || m.body[i - 1] != '\r')) body += '\r';
    body += m.body[i];
  }
  const std::string b64 = Base64(body);
  for (size_t i = 0; i < b64.size(); i += 76) out += b64.substr(i, 76) + "\r\n";
  return out;
}

}  // namespace claimsca::mail
