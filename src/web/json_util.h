#pragma once

// Minimal JSON string writing for hot paths (log lines, answers whose values are ASCII):
// no allocation beyond the output string's growth.

#include <string>
#include <string_view>

namespace claimsca::web {

// Appends `s` as a JSON string literal (with the quotes). Control characters, '"' and
// '\\' are escaped; bytes >= 0x80 are written as \u00XX so the output is always valid
// JSON whatever the input bytes are.
void AppendJsonString(std::string& out, std::string_view s);

}  // namespace claimsca::web
