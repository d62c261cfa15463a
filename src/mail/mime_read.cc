#include "mail/mime_read.h"

#include <array>
#include <cctype>
#include <cstdint>
#include <optional>
#include <vector>

namespace claimsca::mail {
namespace {

// base64 (RFC 4648 §4) ignoring whitespace; nullopt on any other stray character.
std::optional<std::string> UnBase64(std::string_view in) {
  static const std::array<int, 256> kValue = [] {
    std::array<int, 256> v{};
    v.fill(-1);
    const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 64; ++i) v[static_cast<unsigned char>(alphabet[i])] = i;
    return v;
  }();
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char ch : in) {
    if (ch == '=' || ch == '\r' || ch == '\n' || ch == ' ' || ch == '\t') continue;
    const int v = kValue[static_cast<unsigned char>(ch)];
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

std::string UnQuoted(std::string_view in) {  // RFC 2047 "Q": _ is a space, =XX a byte
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '_') {
      out.push_back(' ');
    } else if (in[i] == '=' && i + 2 < in.size() &&
               std::isxdigit(static_cast<unsigned char>(in[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(in[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(in.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

}  // namespace

std::string DecodeHeaderWords(std::string_view value) {
  std::string out;
  size_t i = 0;
  bool last_was_word = false;
  while (i < value.size()) {
    const size_t start = value.find("=?", i);
    const size_t q1 = start == std::string_view::npos ? start : value.find('?', start + 2);
    const size_t q2 = q1 == std::string_view::npos ? q1 : value.find('?', q1 + 1);
    const size_t end = q2 == std::string_view::npos ? q2 : value.find("?=", q2 + 1);
    if (end == std::string_view::npos) {
      out += value.substr(i);
      break;
    }
    std::string_view between = value.substr(i, start - i);
    // Whitespace (folding included) between two encoded-words is not part of the text.
    const bool blank = between.find_first_not_of(" \t\r\n") == std::string_view::npos;
    if (!(last_was_word && blank)) out += between;
    std::string charset(value.substr(start + 2, q1 - start - 2));
    for (char& c : charset) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const char encoding =
        static_cast<char>(std::toupper(static_cast<unsigned char>(value[q1 + 1])));
    const std::string_view text = value.substr(q2 + 1, end - q2 - 1);
    std::optional<std::string> decoded;
    if (charset == "utf-8" && encoding == 'B') decoded = UnBase64(text);
    if (charset == "utf-8" && encoding == 'Q') decoded = UnQuoted(text);
    out += decoded ? *decoded : std::string(value.substr(start, end + 2 - start));
    last_was_word = true;
    i = end + 2;
  }
  return out;
}

Result<ReadMessage> ReadMime(std::string_view mime) {
  size_t split = mime.find("\r\n\r\n");
  size_t body_at = split + 4;
  if (split == std::string_view::npos) {
    split = mime.find("\n\n");
    body_at = split + 2;
  }
  if (split == std::string_view::npos) return InvalidArgument("mail: no end of headers");
  // Unfold, then split into "Name: value" lines.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view head = mime.substr(0, split);
  size_t pos = 0;
  while (pos <= head.size()) {
    size_t eol = head.find('\n', pos);
    if (eol == std::string_view::npos) eol = head.size();
    std::string line(head.substr(pos, eol - pos));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t') && !headers.empty()) {
      headers.back().second += line;
    } else if (const size_t colon = line.find(':'); colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      size_t v = colon + 1;
      while (v < line.size() && line[v] == ' ') ++v;
      headers.emplace_back(name, line.substr(v));
    }
    pos = eol + 1;
  }
  ReadMessage m;
  std::string transfer = "7bit";
  for (const auto& [name, value] : headers) {
    if (name == "from") m.from = DecodeHeaderWords(value);
    if (name == "date") m.date = value;
    if (name == "subject") m.subject = DecodeHeaderWords(value);
    if (name == "to") {
      m.to = value;
      if (m.to.size() >= 2 && m.to.front() == '<' && m.to.back() == '>') {
        m.to = m.to.substr(1, m.to.size() - 2);
      }
    }
    if (name == "content-transfer-encoding") {
      transfer = value;
      for (char& c : transfer) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  std::string body(mime.substr(body_at));
  if (transfer == "base64") {
    auto decoded = UnBase64(body);
    if (!decoded) return InvalidArgument("mail: malformed base64 body");
    body = std::move(*decoded);
  }
  for (char c : body) {
    if (c != '\r') m.body.push_back(c);
  }
  return m;
}

}  // namespace claimsca::mail
