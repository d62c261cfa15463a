#include "domain/normalize.h"

namespace claimsca::domain {
namespace {

bool IsHyphenLike(char32_t cp) {
  return (cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212 || cp == 0xFE63 || cp == 0xFF0D ||
         cp == 0x30FC || cp == 0xFF70;
}

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

constexpr std::string_view kIdeographicSpace = "\u3000";

bool IsDisallowedInText(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

// Width folding shared by NormalizeCode and NormalizePhone.
std::string Fold(std::string_view s, bool phone) {
  std::string out;
  out.reserve(s.size());
  size_t pos = 0;
  while (pos < s.size()) {
    const size_t start = pos;
    const char32_t cp = DecodeUtf8(s, &pos);
    if (phone && IsHyphenLike(cp)) {
      out.push_back('-');
    } else if (cp >= 0xFF01 && cp <= 0xFF5E) {
      out.push_back(static_cast<char>(cp - 0xFEE0));
    } else if (cp == 0x3000) {
      out.push_back(' ');
    } else {
      out.append(s.substr(start, pos - start));
    }
  }
  return std::string(TrimSpaces(out));
}

bool IsAtext(char c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

bool IsValidLocalPart(std::string_view local) {
  if (local.empty() || local.size() > 64) return false;
  if (local.front() == '.' || local.back() == '.') return false;
  char prev = '\0';
  for (char c : local) {
    if (c == '.') {
      if (prev == '.') return false;
    } else if (!IsAtext(c)) {
      return false;
    }
    prev = c;
  }
  return true;
}

bool IsValidDomain(std::string_view domain) {
  if (domain.empty() || domain.size() > 253) return false;
  int labels = 0;
  size_t start = 0;
  while (true) {
    const size_t dot = domain.find('.', start);
    const std::string_view label =
        domain.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      const bool ok =
          (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
      if (!ok) return false;
    }
    ++labels;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return labels >= 2;
}

}  // namespace

char32_t DecodeUtf8(std::string_view s, size_t* pos) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char b0 = byte(*pos);
  size_t len;
  char32_t cp;
  char32_t min;
  if (b0 < 0x80) {
    ++*pos;
    return b0;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    ++*pos;
    return kInvalidCodePoint;
  }
  if (*pos + len > s.size()) {
    ++*pos;
    return kInvalidCodePoint;
  }
  for (size_t i = 1; i < len; ++i) {
    const unsigned char b = byte(*pos + i);
    if ((b & 0xC0) != 0x80) {
      ++*pos;
      return kInvalidCodePoint;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++*pos;
    return kInvalidCodePoint;
  }
  *pos += len;
  return cp;
}

std::string_view TrimSpaces(std::string_view s) {
  while (true) {
    if (!s.empty() && IsAsciiSpace(s.front())) {
      s.remove_prefix(1);
    } else if (s.starts_with(kIdeographicSpace)) {
      s.remove_prefix(kIdeographicSpace.size());
    } else {
      break;
    }
  }
  while (true) {
    if (!s.empty() && IsAsciiSpace(s.back())) {
      s.remove_suffix(1);
    } else if (s.ends_with(kIdeographicSpace)) {
      s.remove_suffix(kIdeographicSpace.size());
    } else {
      break;
    }
  }
  return s;
}

std::string NormalizeCode(std::string_view s) { return Fold(s, /*phone=*/false); }

std::string NormalizePhone(std::string_view s) {
  std::string folded = Fold(s, /*phone=*/true);
  // The written forms: "(03)1234-5678", "03 1234 5678", "+81 3-1234-5678". Parentheses,
  // spaces and hyphens separate digit groups; the groups are joined by single hyphens.
  // Anything else (letters, "内線") leaves the folded text as it is, for validation to refuse.
  std::string_view rest = folded;
  std::string out;
  const bool international = rest.starts_with("+81");
  if (international) rest.remove_prefix(3);
  bool separator = false;
  for (char c : rest) {
    if (c >= '0' && c <= '9') {
      if (international && out.empty()) {
        out.push_back('0');  // the trunk prefix, once ("+81 (0)3…" has it already)
        if (c == '0') continue;
      } else if (separator && !out.empty() && !(international && out.size() == 1)) {
        out.push_back('-');
      }
      separator = false;
      out.push_back(c);
    } else if (c == '-' || c == ' ' || c == '(' || c == ')') {
      separator = true;
    } else {
      return folded;
    }
  }
  return out;
}

std::string NormalizeText(std::string_view s) { return std::string(TrimSpaces(s)); }

bool IsValidPhone(std::string_view phone) {
  if (phone.empty() || phone.front() != '0' || phone.back() == '-') return false;
  size_t digits = 0;
  char prev = '\0';
  for (char c : phone) {
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (c != '-' || prev == '-') {
      return false;
    }
    prev = c;
  }
  return digits == 10 || digits == 11;
}

std::string PhoneDigits(std::string_view phone) {
  std::string out;
  for (char c : phone) {
    if (c != '-') out.push_back(c);
  }
  return out;
}

bool IsValidEmail(std::string_view email) {
  if (email.empty() || email.size() > kMaxEmailLength) return false;
  const size_t at = email.rfind('@');
  if (at == std::string_view::npos) return false;
  return IsValidLocalPart(email.substr(0, at)) && IsValidDomain(email.substr(at + 1));
}

std::optional<size_t> Utf8Length(std::string_view s) {
  size_t n = 0;
  size_t pos = 0;
  while (pos < s.size()) {
    if (DecodeUtf8(s, &pos) == kInvalidCodePoint) return std::nullopt;
    ++n;
  }
  return n;
}

TextIssue CheckText(std::string_view text, size_t max_chars) {
  size_t n = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    const char32_t cp = DecodeUtf8(text, &pos);
    if (cp == kInvalidCodePoint) return TextIssue::kInvalidUtf8;
    if (IsDisallowedInText(cp)) return TextIssue::kControlCharacter;
    ++n;
  }
  return n > max_chars ? TextIssue::kTooLong : TextIssue::kOk;
}

std::string NameKey(std::string_view s) {
  std::string folded = NormalizeCode(s);
  std::string out;
  for (size_t i = 0; i < folded.size(); ++i) {
    if (folded[i] == ' ') continue;
    // U+3000 IDEOGRAPHIC SPACE (E3 80 80), in case folding kept it.
    if (folded.compare(i, 3, "\xE3\x80\x80") == 0) {
      i += 2;
      continue;
    }
    out.push_back(folded[i]);
  }
  return out;
}

}  // namespace claimsca::domain
