#pragma once

// Writing CSV back for the import round trips of the fuzz targets: every field quoted,
// '"' doubled (RFC 4180), LF line ends.

#include <string>
#include <string_view>
#include <vector>

inline std::string CsvLine(const std::vector<std::string_view>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : fields[i]) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  return out + "\n";
}
