// Parsing TOML text with Debian 12's toml++ 3.3 without its undefined behaviour.
//
// toml++ 3.3 tests characters for whitespace with a generated table that reaches
// __builtin_unreachable for U+00A1–U+0499, U+2C5E–U+2FFF, U+3001–U+3057 and U+FB26–U+FEFE
// (upstream tomlplusplus#190 and #295, fixed after 3.3). It tests the character after every
// value, after a backslash in a multi-line string and in several other places, so no
// description of "where the text is safe" is complete (fuzz/config_fuzz.cc found three).
// ParseToml therefore never lets toml++ see those code points: each is replaced, one for
// one, by a code point of the supplementary private use plane (U+F0000 + the code point),
// which toml++ classifies without its table; after parsing, every string value is mapped
// back, and so is the error text. Input that already holds characters of that plane is
// refused.
#pragma once

#include <toml++/toml.h>

#include <string>
#include <string_view>

#include "common/status.h"

namespace claimsca::cmd {

// Parses `text` (named `source` in toml++'s positions). A syntax error comes back as
// InvalidArgument "<what> (line N)", with the text's own characters.
Result<toml::table> ParseToml(std::string_view text, std::string_view source);

}  // namespace claimsca::cmd
