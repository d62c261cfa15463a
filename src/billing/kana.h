#pragma once

// Half-width kana of bank files (全銀協 formats, docs/billing.md "payments"): the JIS X 0201
// katakana of Shift_JIS single bytes (0xA1–0xDF), turned into text people and matching can
// use. Pure functions; no I/O, no locale.

#include <string>
#include <string_view>

namespace claimsca::billing {

// True for the bytes a 全銀協 character field may hold: ASCII 0x20–0x7E and the JIS X 0201
// katakana 0xA1–0xDF. (0x5C is the yen sign ¥ in JIS X 0201.)
bool IsZenginCharacter(unsigned char c);

// Display text (UTF-8) of a field's bytes: JIS X 0201 katakana as full-width katakana with
// the voiced marks composed (ｶﾞ → ガ, ﾊﾟ → パ, ｳﾞ → ヴ; a mark that cannot compose becomes ゛/゜),
// 0x5C as ¥, other ASCII as is; trailing spaces removed. Precondition: every byte
// IsZenginCharacter (a byte that is not becomes U+FFFD).
std::string DecodeZenginText(std::string_view bytes);

// Half-width kana sent as UTF-8 (U+FF61–U+FF9F, 3 bytes each), as some banks' download
// services deliver the same records, back to their single JIS X 0201 bytes. Returns false
// (and leaves *out unspecified) unless `in` is valid UTF-8 whose only non-ASCII characters
// are U+FF61–U+FF9F and which has at least one of them.
bool Utf8HalfWidthKanaToSingleBytes(std::string_view in, std::string* out);

// Key for comparing payer names (UTF-8 in, any width): full-width ASCII folded to ASCII,
// Latin letters upper-cased, half-width katakana to full-width (marks composed), small kana
// to their large form (banks send ﾂ for ッ), every space (ASCII, U+3000) removed. Invalid
// UTF-8 bytes are kept as they are.
std::string PayerNameKey(std::string_view text);

}  // namespace claimsca::billing
