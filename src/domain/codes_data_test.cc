// Checks the check-digit rules against the real published codes in
// data/institutions-2025-08.csv (about 92,000 rows, data/README.md).

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "domain/codes.h"
#include "domain/prefecture.h"

namespace claimsca::domain {
namespace {

std::string DataPath() {
  const char* source_dir = std::getenv("CLAIMSCA_SOURCE_DIR");
  if (source_dir != nullptr && *source_dir != '\0') {
    return std::string(source_dir) + "/data/institutions-2025-08.csv";
  }
  return std::string(CLAIMSCA_DATA_DIR) + "/institutions-2025-08.csv";
}

struct Row {
  std::string prefecture, score_table, facility_code;
};

// The first three columns never contain commas or quotes; the rest is not needed.
std::vector<Row> ReadRows(const std::string& path) {
  std::vector<Row> rows;
  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line)) return rows;  // header
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    Row r;
    size_t a = line.find(',');
    size_t b = a == std::string::npos ? a : line.find(',', a + 1);
    size_t c = b == std::string::npos ? b : line.find(',', b + 1);
    if (c == std::string::npos) {
      r.facility_code = "malformed line: " + line;
    } else {
      r.prefecture = line.substr(0, a);
      r.score_table = line.substr(a + 1, b - a - 1);
      r.facility_code = line.substr(b + 1, c - b - 1);
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

TEST(InstitutionDataTest, EveryPublishedCodePassesAndEveryOtherLastDigitFails) {
  const std::string path = DataPath();
  const std::vector<Row> rows = ReadRows(path);
  ASSERT_GT(rows.size(), 90000u) << "cannot read " << path;

  size_t failures = 0, false_accepts = 0, short_payload = 0;
  for (const Row& r : rows) {
    if (IsShortPayloadPrefecture(r.prefecture)) ++short_payload;
    if (!FacilityCodeCheckDigitOk(r.prefecture, r.score_table, r.facility_code)) {
      if (++failures <= 10) {
        ADD_FAILURE() << "rejected: " << r.prefecture << "," << r.score_table << ","
                      << r.facility_code;
      }
      continue;
    }
    EXPECT_TRUE(InstitutionCodeOk(r.prefecture + r.score_table + r.facility_code));
    std::string changed = r.facility_code;
    for (char d = '0'; d <= '9'; ++d) {
      if (d == r.facility_code[6]) continue;
      changed[6] = d;
      if (FacilityCodeCheckDigitOk(r.prefecture, r.score_table, changed) && ++false_accepts <= 10) {
        ADD_FAILURE() << "accepted altered code: " << r.prefecture << "," << r.score_table << ","
                      << changed;
      }
    }
  }
  EXPECT_EQ(failures, 0u);
  EXPECT_EQ(false_accepts, 0u);
  EXPECT_GT(short_payload, 20000u);  // 11–14 are well represented, so the exception is tested
}

// The provisional code format (docs/newinst.md) relies on no published code having 郡市区
// "00": check it against the whole register, so a future data file that breaks the
// assumption fails here.
TEST(InstitutionDataTest, NoPublishedCodeLooksProvisional) {
  const std::vector<Row> rows = ReadRows(DataPath());
  ASSERT_GT(rows.size(), 90000u);
  for (const Row& r : rows) {
    EXPECT_NE(r.facility_code.substr(0, 2), "00")
        << r.prefecture << r.score_table << r.facility_code;
    EXPECT_FALSE(ProvisionalFacilityCodeOk(r.prefecture, r.score_table, r.facility_code));
  }
}

}  // namespace
}  // namespace claimsca::domain
