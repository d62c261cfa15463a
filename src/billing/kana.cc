#include "billing/kana.h"

#include <vector>

#include "domain/normalize.h"

namespace claimsca::billing {
namespace {

// JIS X 0201 0xA1–0xDF (U+FF61–U+FF9F) as full-width characters.
constexpr char32_t kFullWidth[63] = {
    0x3002, 0x300C, 0x300D, 0x3001, 0x30FB, 0x30F2, 0x30A1, 0x30A3, 0x30A5, 0x30A7, 0x30A9,
    0x30E3, 0x30E5, 0x30E7, 0x30C3, 0x30FC, 0x30A2, 0x30A4, 0x30A6, 0x30A8, 0x30AA, 0x30AB,
    0x30AD, 0x30AF, 0x30B1, 0x30B3, 0x30B5, 0x30B7, 0x30B9, 0x30BB, 0x30BD, 0x30BF, 0x30C1,
    0x30C4, 0x30C6, 0x30C8, 0x30CA, 0x30CB, 0x30CC, 0x30CD, 0x30CE, 0x30CF, 0x30D2, 0x30D5,
    0x30D8, 0x30DB, 0x30DE, 0x30DF, 0x30E0, 0x30E1, 0x30E2, 0x30E4, 0x30E6, 0x30E8, 0x30E9,
    0x30EA, 0x30EB, 0x30EC, 0x30ED, 0x30EF, 0x30F3, 0x309B, 0x309C};

constexpr char32_t kVoicedMark = 0x309B;      // ゛ (ﾞ)
constexpr char32_t kSemiVoicedMark = 0x309C;  // ゜ (ﾟ)

bool TakesVoicedMark(char32_t c) {
  // カ–ト (the K, S, T rows, every other code point; ッ excluded) and the H row.
  if (c >= 0x30AB && c <= 0x30C2) return (c - 0x30AB) % 2 == 0;
  if (c == 0x30C4 || c == 0x30C6 || c == 0x30C8) return true;
  return c >= 0x30CF && c <= 0x30DB && (c - 0x30CF) % 3 == 0;
}

bool TakesSemiVoicedMark(char32_t c) { return c >= 0x30CF && c <= 0x30DB && (c - 0x30CF) % 3 == 0; }

// Appends `c`, composing a voiced/semi-voiced mark with the katakana before it.
void PushComposed(std::vector<char32_t>* out, char32_t c) {
  const bool voiced = c == kVoicedMark || c == 0x3099;
  const bool semi = c == kSemiVoicedMark || c == 0x309A;
  if ((voiced || semi) && !out->empty()) {
    char32_t& prev = out->back();
    if (voiced && prev == 0x30A6) {  // ウ → ヴ
      prev = 0x30F4;
      return;
    }
    if (voiced && TakesVoicedMark(prev)) {
      prev += 1;
      return;
    }
    if (semi && TakesSemiVoicedMark(prev)) {
      prev += 2;
      return;
    }
  }
  if (c == 0x3099) c = kVoicedMark;
  if (c == 0x309A) c = kSemiVoicedMark;
  out->push_back(c);
}

void AppendUtf8(std::string* out, char32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string Encode(const std::vector<char32_t>& cps) {
  std::string out;
  out.reserve(cps.size() * 3);
  for (char32_t cp : cps) AppendUtf8(&out, cp);
  return out;
}

char32_t LargeKana(char32_t c) {
  switch (c) {
    case 0x30A1:
    case 0x30A3:
    case 0x30A5:
    case 0x30A7:
    case 0x30A9:  // ァィゥェォ
    case 0x30C3:
    case 0x30E3:
    case 0x30E5:
    case 0x30E7:
    case 0x30EE:  // ッャュョヮ
      return c + 1;
    default:
      return c;
  }
}

}  // namespace

bool IsZenginCharacter(unsigned char c) {
  return (c >= 0x20 && c <= 0x7E) || (c >= 0xA1 && c <= 0xDF);
}

std::string DecodeZenginText(std::string_view bytes) {
  size_t end = bytes.size();
  while (end > 0 && bytes[end - 1] == ' ') --end;
  std::vector<char32_t> cps;
  cps.reserve(end);
  for (size_t i = 0; i < end; ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c == 0x5C) {
      cps.push_back(0xA5);  // JIS X 0201 roman: ¥
    } else if (c >= 0x20 && c <= 0x7E) {
      cps.push_back(c);
    } else if (c >= 0xA1 && c <= 0xDF) {
      PushComposed(&cps, kFullWidth[c - 0xA1]);
    } else {
      cps.push_back(0xFFFD);
    }
  }
  return Encode(cps);
}

bool Utf8HalfWidthKanaToSingleBytes(std::string_view in, std::string* out) {
  out->clear();
  out->reserve(in.size());
  bool any = false;
  size_t pos = 0;
  while (pos < in.size()) {
    const char32_t cp = domain::DecodeUtf8(in, &pos);
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp >= 0xFF61 && cp <= 0xFF9F) {
      out->push_back(static_cast<char>(0xA1 + (cp - 0xFF61)));
      any = true;
    } else {
      return false;
    }
  }
  return any;
}

std::string PayerNameKey(std::string_view text) {
  std::vector<char32_t> cps;
  cps.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t start = pos;
    char32_t cp = domain::DecodeUtf8(text, &pos);
    if (cp == domain::kInvalidCodePoint) {
      cps.push_back(static_cast<unsigned char>(text[start]) | 0x80000000u);  // kept raw
      continue;
    }
    if (cp == ' ' || cp == 0x3000) continue;
    if (cp >= 0xFF01 && cp <= 0xFF5E) cp -= 0xFEE0;
    if (cp >= 'a' && cp <= 'z') cp -= 0x20;
    if (cp >= 0xFF61 && cp <= 0xFF9F) cp = kFullWidth[cp - 0xFF61];
    if (cp >= 0x3041 && cp <= 0x3096) cp += 0x60;  // hiragana → katakana
    PushComposed(&cps, LargeKana(cp));
  }
  std::string out;
  out.reserve(cps.size() * 3);
  for (char32_t cp : cps) {
    if (cp & 0x80000000u) {
      out.push_back(static_cast<char>(cp & 0xFF));
    } else {
      AppendUtf8(&out, cp);
    }
  }
  return out;
}

}  // namespace claimsca::billing
