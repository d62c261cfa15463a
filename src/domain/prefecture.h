#pragma once

// 都道府県コード (prefecture): the 47 prefectures of Japan, numbered 01–47 in the order of
// JIS X 0401. Pure data and lookups; no I/O.

#include <optional>
#include <span>
#include <string_view>

namespace claimsca::domain {

struct Prefecture {
  std::string_view code;     // "01" … "47", two ASCII digits
  std::string_view name_ja;  // "北海道", "東京都", "大阪府", "沖縄県" (UTF-8)
  std::string_view romaji;   // "hokkaido", as in the seed's "01:北海道_hokkaido"
};

inline constexpr int kPrefectureCount = 47;

// All prefectures in JIS X 0401 order; AllPrefectures()[i].code is i + 1, zero-padded.
// The span refers to static storage and is valid for the life of the program.
std::span<const Prefecture> AllPrefectures();

// Returns the prefecture whose code is exactly `code` ("01"–"47", two ASCII digits), or
// nullopt for anything else ("1", "00", "48", "０１", " 01"). Normalise input first
// (normalize.h) if it comes from a person.
std::optional<Prefecture> FindPrefecture(std::string_view code);

// True iff FindPrefecture(code) has a value.
bool IsValidPrefecture(std::string_view code);

// True for 埼玉 (11), 千葉 (12), 東京 (13) and 神奈川 (14): the prefectures whose published
// 医療機関コード carry a check digit computed over 郡市区 + 番号 only (docs/codes.md).
// Precondition: none; returns false for anything that is not one of those four codes.
bool IsShortPayloadPrefecture(std::string_view code);

}  // namespace claimsca::domain
