#include "cmd/toml_text.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <sstream>

namespace claimsca::cmd {
namespace {

constexpr char32_t kShift = 0xF0000;  // the supplementary private use area A

bool Hazardous(char32_t c) {
  return (c >= 0xA1 && c <= 0x499) || (c >= 0x2C5E && c <= 0x2FFF) ||
         (c >= 0x3001 && c <= 0x3057) || (c >= 0xFB26 && c <= 0xFEFE);
}

// The code point at `s[i]` and its length in bytes, when `s[i]` starts a well-formed UTF-8
// sequence of two to four bytes; nothing otherwise (toml++ reports malformed text itself).
std::optional<std::pair<char32_t, size_t>> DecodeAt(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  size_t n;
  char32_t c;
  if ((b(0) & 0xE0) == 0xC0) {
    n = 2, c = b(0) & 0x1F;
  } else if ((b(0) & 0xF0) == 0xE0) {
    n = 3, c = b(0) & 0x0F;
  } else if ((b(0) & 0xF8) == 0xF0) {
    n = 4, c = b(0) & 0x07;
  } else {
    return std::nullopt;
  }
  if (i + n > s.size()) return std::nullopt;
  for (size_t k = 1; k < n; ++k) {
    if ((b(k) & 0xC0) != 0x80) return std::nullopt;
    c = (c << 6) | (b(k) & 0x3F);
  }
  return std::make_pair(c, n);
}

void AppendUtf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// Rewrites every well-formed multi-byte character of `s` through `map`; bytes of anything
// else are copied as they are. `map` returns the character to write or an error.
template <typename Map>
Result<std::string> Rewrite(std::string_view s, Map map) {
  std::string out;
  out.reserve(s.size() + s.size() / 4);
  for (size_t i = 0; i < s.size();) {
    const auto decoded = static_cast<unsigned char>(s[i]) >= 0x80 ? DecodeAt(s, i) : std::nullopt;
    if (!decoded) {
      out += s[i++];
      continue;
    }
    ASSIGN_OR_RETURN(char32_t c, map(decoded->first, i));
    AppendUtf8(out, c);
    i += decoded->second;
  }
  return out;
}

std::string Restore(std::string_view s) {
  auto restored = Rewrite(s, [](char32_t c, size_t) -> Result<char32_t> {
    return c >= kShift && Hazardous(c - kShift) ? c - kShift : c;
  });
  return restored.ok() ? *restored : std::string(s);
}

void RestoreStrings(toml::node& node) {
  if (toml::table* t = node.as_table()) {
    for (auto&& [key, value] : *t) RestoreStrings(value);
  } else if (toml::array* a = node.as_array()) {
    for (toml::node& element : *a) RestoreStrings(element);
  } else if (toml::value<std::string>* v = node.as_string()) {
    if (v->get().find('\xF3') != std::string::npos) v->get() = Restore(v->get());
  }
}

}  // namespace

Result<toml::table> ParseToml(std::string_view text, std::string_view source) {
  auto line_of = [&](size_t at) {
    return std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n') + 1;
  };
  ASSIGN_OR_RETURN(
      std::string shifted, Rewrite(text, [&](char32_t c, size_t at) -> Result<char32_t> {
        if (c >= kShift && c <= 0xFFFFF) {
          return InvalidArgument("a character of the private use plane U+F0000–U+FFFFF (line " +
                                 std::to_string(line_of(at)) + ")");
        }
        return Hazardous(c) ? c + kShift : c;
      }));
  toml::table table;
  try {
    table = toml::parse(shifted, source);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << Restore(e.description()) << " (line " << e.source().begin.line << ")";
    return InvalidArgument(msg.str());
  }
  RestoreStrings(table);
  return table;
}

}  // namespace claimsca::cmd
