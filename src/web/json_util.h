#pragma once

// Minimal JSON string writing for hot paths (log lines, answers whose values are ASCII):
// no allocation beyond the output string's growth.

#include <string>
#include <string_view>

namespace claimsca::web {

// Appends `s` as a JSON string literal (with the quotes). Control characters, '"' and
// '\\' are escaped; well-formed UTF-8 (Japanese messages) is written as it is, and each
// byte that is not part of a well-formed sequence (RFC 3629: no overlong forms, no
// surrogates, nothing past U+10FFFF) becomes U+FFFD, so the output is always valid JSON
// and valid UTF-8 whatever the input bytes are.
void AppendJsonString(std::string& out, std::string_view s);

}  // namespace claimsca::web
