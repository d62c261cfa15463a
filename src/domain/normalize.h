#pragma once

// Normalisation and syntax checks for what people type into the application form
// (docs/codes.md, "Normalisation"). An "NFKC-lite": only the foldings that matter for codes,
// phone numbers and e-mail addresses; free text is never rewritten, only trimmed.
// Pure functions; no I/O, no locale.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace claimsca::domain {

// Removes ASCII white space (space, \t, \n, \v, \f, \r) and U+3000 IDEOGRAPHIC SPACE from
// both ends. Everything between is returned unchanged. The view points into `s`.
std::string_view TrimSpaces(std::string_view s);

// For codes (category, prefecture, score_table, facility_code, insurer_number) and e-mail
// addresses: folds full-width ASCII (U+FF01–U+FF5E: "０１２", "ＡＢ", "＠", "－") to ASCII and
// U+3000 to a space, then trims. Nothing else changes; invalid UTF-8 is copied through
// unchanged (and then fails validation). Dashes are NOT turned into '-' here.
std::string NormalizeCode(std::string_view s);

// For phone numbers: NormalizeCode, and every hyphen-like character becomes '-':
// U+2010–U+2015 (‐ ‑ ‒ – — ―), U+2212 (−), U+FE63 (﹣), U+FF0D (－), and the katakana
// prolonged sound marks U+30FC (ー) and U+FF70 (ｰ), which people type for a hyphen in phone
// numbers (and only there: they are letters in names, which are never rewritten).
// Then the common written forms are brought to digits and single hyphens: parentheses and
// spaces separate groups like hyphens ("（03）1234-5678" and "03 1234 5678" →
// "03-1234-5678"), repeated separators collapse, leading/trailing ones go, and a leading
// "+81" becomes the trunk prefix 0 ("+81 3-1234-5678", "+81(0)3…" → "03-1234-5678"). Text
// with any other character is returned folded but otherwise unchanged (IsValidPhone refuses
// it, so the clinic sees what it typed).
std::string NormalizePhone(std::string_view s);

// For free text (names, contact, terminal name): TrimSpaces only. The text is otherwise kept
// byte for byte (no width folding, no Unicode normalisation).
std::string NormalizeText(std::string_view s);

// Names compared (the register's and a typed one): NormalizeCode's width folding, then
// every ASCII space and U+3000 removed ("医療法人　愛全病院" and "医療法人愛全病院" match).
std::string NameKey(std::string_view s);

// A phone number after NormalizePhone: ASCII digits with optional single hyphens between
// them, 10 or 11 digits in all, starting with 0 ("03-1234-5678", "09012345678",
// "04312345678"). No "+81", no parentheses, no spaces.
bool IsValidPhone(std::string_view phone);

// The digits of a phone number, hyphens removed ("03-1234-5678" → "0312345678").
std::string PhoneDigits(std::string_view phone);

inline constexpr size_t kMaxEmailLength = 254;  // RFC 5321 path limit minus the brackets

// A practical subset of the RFC 5322 addr-spec, ASCII only, at most 254 characters:
// local-part "@" domain. local-part: 1–64 characters of atext (A–Z a–z 0–9 and
// !#$%&'*+-/=?^_`{|}~) and dots, no leading, trailing or double dot (no quoted strings).
// domain: at least two dot-separated labels of 1–63 letters, digits or hyphens, not starting
// or ending with a hyphen, 253 characters at most (no IP literals, no IDN in U-label form).
bool IsValidEmail(std::string_view email);

// Decodes the code point at s[*pos] (*pos < s.size()) and advances *pos past it. On invalid
// UTF-8 (overlong forms, surrogates, code points above U+10FFFF, truncated sequences)
// returns kInvalidCodePoint and advances by one byte.
inline constexpr char32_t kInvalidCodePoint = 0xFFFFFFFF;
char32_t DecodeUtf8(std::string_view s, size_t* pos);

// The number of Unicode code points in `s`, or nullopt if `s` is not valid UTF-8 (overlong
// forms, surrogates, code points above U+10FFFF and truncated sequences are invalid).
std::optional<size_t> Utf8Length(std::string_view s);

enum class TextIssue {
  kOk,
  kInvalidUtf8,
  kControlCharacter,  // C0/C1 controls, DEL, U+2028/U+2029, bidi embeddings and isolates
  kTooLong,           // more than max_chars code points
};

// Checks a free-text field: valid UTF-8, none of the characters listed at
// TextIssue::kControlCharacter, at most `max_chars` code points. Any other text passes,
// symbols and markup characters included ("テスト中です#%& * > ? @", "<b>"): escaping is the
// job of whoever renders it. The first issue found is returned.
TextIssue CheckText(std::string_view text, size_t max_chars);

}  // namespace claimsca::domain
