#include "portal/util.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace claimsca::portal {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    size_t semi = header.find(';');
    std::string_view pair = Trim(header.substr(0, semi));
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos && Trim(pair.substr(0, eq)) == name) {
      std::string_view v = Trim(pair.substr(eq + 1));
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      return std::string(v);
    }
    if (semi == std::string_view::npos) break;
    header.remove_prefix(semi + 1);
  }
  return std::nullopt;
}

std::string SetCookie(std::string_view name, std::string_view value, bool secure,
                      long max_age_seconds) {
  std::string c =
      std::string(name) + "=" + std::string(value) + "; Path=/; HttpOnly; SameSite=Strict";
  if (secure) c += "; Secure";
  if (max_age_seconds >= 0) c += "; Max-Age=" + std::to_string(max_age_seconds);
  return c;
}

std::optional<std::string> FormDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

FormData FormData::Parse(std::string_view body) {
  FormData f;
  while (!body.empty()) {
    size_t amp = body.find('&');
    std::string_view pair = body.substr(0, amp);
    size_t eq = pair.find('=');
    auto name = FormDecode(pair.substr(0, eq));
    auto value = FormDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    if (name && value && !name->empty()) f.values_.emplace(std::move(*name), std::move(*value));
    if (amp == std::string_view::npos) break;
    body.remove_prefix(amp + 1);
  }
  return f;
}

std::string FormData::Get(std::string_view name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::string() : it->second;
}

bool FormData::Has(std::string_view name) const { return values_.find(name) != values_.end(); }

std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

bool CsrfMatches(std::string_view expected, std::string_view submitted) {
  if (expected.empty() || submitted.size() != expected.size()) return false;
  return CRYPTO_memcmp(expected.data(), submitted.data(), expected.size()) == 0;
}

std::vector<std::pair<std::string, std::string>> SecurityHeaders() {
  return {{"Content-Security-Policy", std::string(kContentSecurityPolicy)},
          {"X-Content-Type-Options", "nosniff"},
          {"Referrer-Policy", "no-referrer"},
          {"X-Frame-Options", "DENY"},
          {"Cache-Control", "no-store"}};
}

std::string GroupDigits(long long n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return n < 0 ? "-" + out : out;
}

bool IsRequestIdSyntax(std::string_view id) {
  return id.size() == 14 && id.find_first_not_of("0123456789") == std::string_view::npos;
}

std::optional<std::map<std::string, std::string, std::less<>>> ParseMultipart(
    std::string_view content_type, std::string_view body) {
  auto lower = [](std::string_view v) {
    std::string out(v);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  const std::string ct = lower(content_type);
  if (!ct.starts_with("multipart/form-data")) return std::nullopt;
  size_t b = ct.find("boundary=");
  if (b == std::string::npos) return std::nullopt;
  std::string_view boundary = content_type.substr(b + 9);
  boundary = boundary.substr(0, boundary.find(';'));
  if (boundary.size() >= 2 && boundary.front() == '"' && boundary.back() == '"') {
    boundary = boundary.substr(1, boundary.size() - 2);
  }
  if (boundary.empty() || boundary.size() > 70) return std::nullopt;
  const std::string first = "--" + std::string(boundary) + "\r\n";
  const std::string next = "\r\n--" + std::string(boundary);
  if (!body.starts_with(first)) return std::nullopt;
  std::map<std::string, std::string, std::less<>> out;
  size_t pos = first.size();
  while (true) {
    size_t head_end = body.find("\r\n\r\n", pos);
    size_t end = body.find(next, pos);
    if (head_end == std::string_view::npos || end == std::string_view::npos || head_end > end) {
      return std::nullopt;
    }
    std::string headers = lower(body.substr(pos, head_end - pos));
    std::string_view raw_headers = body.substr(pos, head_end - pos);
    size_t n = headers.find("content-disposition:");
    if (n == std::string::npos) return std::nullopt;
    size_t name = headers.find(" name=\"", n);
    if (name == std::string::npos) name = headers.find(";name=\"", n);
    if (name == std::string::npos) return std::nullopt;
    size_t name_end = raw_headers.find('"', name + 7);
    if (name_end == std::string_view::npos) return std::nullopt;
    std::string key(raw_headers.substr(name + 7, name_end - name - 7));
    // A part without content: the blank line's CRLF is the delimiter's (RFC 2046 §5.1.1).
    const size_t start = std::min(head_end + 4, end);
    out.emplace(std::move(key), std::string(body.substr(start, end - start)));
    pos = end + next.size();
    if (body.substr(pos).starts_with("--")) return out;
    if (!body.substr(pos).starts_with("\r\n")) return std::nullopt;
    pos += 2;
  }
}

std::pair<std::string, std::string> IdAndAction(std::string_view path, std::string_view prefix) {
  std::string_view rest = path.substr(std::min(prefix.size(), path.size()));
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return {std::string(rest), ""};
  return {std::string(rest.substr(0, slash)), std::string(rest.substr(slash + 1))};
}

std::string MultipartPart(
    const std::optional<std::map<std::string, std::string, std::less<>>>& parts,
    std::string_view name) {
  if (!parts) return std::string();
  auto it = parts->find(name);
  return it == parts->end() ? std::string() : it->second;
}

std::string FormatDateJa(const std::optional<Instant>& t) { return t ? FormatDateJa(*t) : ""; }

std::string FormatDateTimeJa(Instant t) { return FormatJstMinute(t); }

std::string FormatDateTimeJa(const std::optional<Instant>& t) {
  return t ? FormatDateTimeJa(*t) : "";
}

std::string FormatDateJa(std::string_view iso) {
  auto t = ParseInstant(iso);
  return t.ok() ? FormatDateJa(*t) : std::string(iso);
}

std::string FormatDateTimeJa(std::string_view iso) {
  auto t = ParseInstant(iso);
  return t.ok() ? FormatDateTimeJa(*t) : std::string(iso);
}

}  // namespace claimsca::portal
