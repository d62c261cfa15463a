// The configuration file parser (src/cmd/config.h: ParseConfig, the path of LoadConfig) on
// arbitrary TOML text. Invariants: an accepted configuration rendered (RenderConfig, what
// `init` writes) parses again to the same rendering; every integer setting of an accepted
// file (sections and programs) keeps the value written in the file.

#include <toml++/toml.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "check.h"
#include "cmd/config.h"
#include "cmd/toml_text.h"

namespace {

// Every integer of `in` at [section].key or [programs.id].key has the same value in `out`.
void CheckIntegers(const toml::table& in, const toml::table& out) {
  for (auto&& [section, node] : in) {
    const toml::table* t = node.as_table();
    if (t == nullptr || section.str() == "tariff") continue;
    for (auto&& [key, value] : *t) {
      const toml::table* program = value.as_table();
      if (section.str() == "programs" && program != nullptr) {
        for (auto&& [k, v] : *program) {
          if (!v.is_integer()) continue;
          auto kept = out[section.str()][key.str()][k.str()].value<int64_t>();
          FUZZ_CHECK(kept && *kept == *v.value<int64_t>(), "a program integer is kept");
        }
      } else if (value.is_integer()) {
        auto kept = out[section.str()][key.str()].value<int64_t>();
        FUZZ_CHECK(kept && *kept == *value.value<int64_t>(), "an integer setting is kept");
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto config = claimsca::cmd::ParseConfig(in, "/fuzz-data");
  if (!config.ok()) return 0;
  const std::string rendered = claimsca::cmd::RenderConfig(*config);
  auto again = claimsca::cmd::ParseConfig(rendered, "/fuzz-data");
  FUZZ_CHECK(again.ok(), "a rendered configuration parses");
  FUZZ_CHECK(claimsca::cmd::RenderConfig(*again) == rendered, "render/parse round trip");
  // toml::parse itself would reach toml++ 3.3's undefined behaviour (cmd/toml_text.h).
  auto parsed_in = claimsca::cmd::ParseToml(in, "in");
  auto parsed_out = claimsca::cmd::ParseToml(rendered, "rendered");
  FUZZ_CHECK(parsed_in.ok() && parsed_out.ok(), "what ParseConfig accepted parses");
  CheckIntegers(*parsed_in, *parsed_out);
  return 0;
}
