// The institution register import (src/store/register_csv.h: ParseRegisterCsv and its CSV
// reader) on arbitrary text. Invariants: every field of a row split by SplitCsvLine written
// back quoted splits to the same fields; an accepted register has valid rows (10-digit codes
// passing the check digit, 7-digit postal codes, a category, deduction billing) and, written
// back as CSV, parses to the same entries.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "check.h"
#include "csv_roundtrip.h"
#include "domain/codes.h"
#include "store/register_csv.h"

namespace {

namespace store = claimsca::store;

bool Same(const store::RegisterEntry& a, const store::RegisterEntry& b) {
  return a.institution_code == b.institution_code && a.name == b.name &&
         a.postal_code == b.postal_code && a.address == b.address && a.category == b.category &&
         a.billing_method == b.billing_method;
}

void CheckSplit(std::string_view text) {
  std::vector<std::string> fields, again;
  for (std::string_view rest = text; !rest.empty();) {
    const size_t nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl);
    if (store::SplitCsvLine(line, fields)) {
      FUZZ_CHECK(!fields.empty(), "a line has at least one field");
      std::vector<std::string_view> views(fields.begin(), fields.end());
      std::string written = CsvLine(views);
      written.pop_back();
      FUZZ_CHECK(store::SplitCsvLine(written, again) && again == fields, "CSV line round trip");
    }
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  CheckSplit(in);
  auto entries = store::ParseRegisterCsv(in);
  if (!entries.ok()) {
    FUZZ_CHECK(entries.status().code() == claimsca::Code::kInvalidArgument, "InvalidArgument");
    return 0;
  }
  std::string csv = std::string(store::kRegisterCsvHeader) + "\r\n";
  for (const auto& e : *entries) {
    FUZZ_CHECK(claimsca::domain::InstitutionCodeOk(e.institution_code), "a valid code");
    FUZZ_CHECK(e.postal_code.size() == 7 && claimsca::domain::IsAsciiDigits(e.postal_code),
               "a 7-digit postal code");
    FUZZ_CHECK(!e.name.empty() && !e.address.empty() && !e.category.empty(), "fields set");
    FUZZ_CHECK(e.billing_method == "deduction", "deduction");
    const std::string_view code = e.institution_code;
    csv += CsvLine(
        {code.substr(0, 2), code.substr(2, 1), code.substr(3), e.name, e.postal_code, e.address});
  }
  auto again = store::ParseRegisterCsv(csv);
  FUZZ_CHECK(again.ok() && again->size() == entries->size(), "the register written back parses");
  for (size_t i = 0; i < entries->size(); ++i) {
    FUZZ_CHECK(Same((*again)[i], (*entries)[i]), "register round trip");
  }
  return 0;
}
