#pragma once

// Windows-31J (CP932), the "Shift_JIS" of Japanese business files (docs/billing.md, run).
// glibc iconv does the conversion; no table lives in this code.

#include <string>
#include <string_view>

#include "common/status.h"

namespace claimsca::billing {

// The geta mark 〓 (U+3013) in CP932: what a character CP932 lacks is written as, the
// usual JIS practice for an unrepresentable character.
inline constexpr std::string_view kCp932Geta = "\x81\xac";

// UTF-8 → CP932. A character CP932 cannot hold (e.g. 𠮷) becomes kCp932Geta; an
// ill-formed UTF-8 byte is InvalidArgument naming its offset.
Result<std::string> Utf8ToCp932(std::string_view utf8);

// CP932 → UTF-8; InvalidArgument naming the offset of the first byte that is not CP932.
Result<std::string> Cp932ToUtf8(std::string_view cp932);

}  // namespace claimsca::billing
