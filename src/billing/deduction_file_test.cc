#include "billing/deduction_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "billing/text_encoding.h"

namespace claimsca::billing {
namespace {

using std::chrono::January;
using std::chrono::year;

const YearMonth kJan2027{year(2027), January};

std::vector<DeductionLine> TwoLines() {
  return {
      {"0110113719", "医療法人 \"北\" 診療所", kJan2027, 2, 4500, "2701000001"},
      {"1318814790", "さくら薬局", kJan2027, 1, 1500, "2701000002"},
  };
}

TEST(DeductionRequestTest, LayoutIsCp932CsvWithCrlfAndTrailer) {
  auto file = RenderDeductionRequest(kJan2027, TwoLines());
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  auto utf8 = Cp932ToUtf8(*file);
  ASSERT_TRUE(utf8.ok());
  EXPECT_EQ(*utf8,
            "2,0110113719,\"医療法人 \"\"北\"\" 診療所\",202701,2,4500,2701000001\r\n"
            "2,1318814790,\"さくら薬局\",202701,1,1500,2701000002\r\n"
            "8,2,3,6000\r\n");
  EXPECT_NE(*file, *utf8);  // really CP932, not UTF-8
  EXPECT_EQ(DeductionRequestFileName(kJan2027), "deduction-request-202701.csv");
}

TEST(DeductionRequestTest, SameInputSameBytes) {
  EXPECT_EQ(*RenderDeductionRequest(kJan2027, TwoLines()),
            *RenderDeductionRequest(kJan2027, TwoLines()));
}

TEST(DeductionRequestTest, NameLineBreaksBecomeSpaces) {
  auto lines = TwoLines();
  lines[1].name = "さくら\r\n薬局";
  auto utf8 = Cp932ToUtf8(*RenderDeductionRequest(kJan2027, lines));
  EXPECT_NE(utf8->find("\"さくら  薬局\""), std::string::npos) << *utf8;
}

TEST(DeductionRequestTest, BadFieldsNamed) {
  struct Case {
    void (*mutate)(std::vector<DeductionLine>&);
    std::string want;
  };
  const Case cases[] = {
      {[](auto& l) { l[1].institution_code = "131881479"; }, "line 2, field institution_code"},
      {[](auto& l) { l[1].institution_code = l[0].institution_code; },
       "line 2, field institution_code: second line"},
      {[](auto& l) { l[0].amount_yen = 0; }, "line 1, field amount"},
      {[](auto& l) { l[0].amount_yen = -1500; }, "line 1, field amount"},
      {[](auto& l) { l[0].certificates = -1; }, "line 1, field certificates"},
      {[](auto& l) { l[1].bill_number = "27010000x2"; }, "line 2, field bill_number"},
      {[](auto& l) { l[1].billing_month = kJan2027 + std::chrono::months(1); },
       "line 2, field billing_month"},
      {[](auto& l) { l.clear(); }, "no deduction line"},
  };
  for (const Case& c : cases) {
    auto lines = TwoLines();
    c.mutate(lines);
    auto file = RenderDeductionRequest(kJan2027, lines);
    ASSERT_FALSE(file.ok()) << c.want;
    EXPECT_NE(file.status().message().find(c.want), std::string::npos) << file.status().message();
  }
}

TEST(DeductionRequestTest, RealSha256sumAcceptsTheChecksumFile) {
  auto dir =
      std::filesystem::temp_directory_path() / ("claimsca-dedfile-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string name = DeductionRequestFileName(kJan2027);
  auto content = RenderDeductionRequest(kJan2027, TwoLines());
  ASSERT_TRUE(content.ok());
  std::ofstream(dir / name, std::ios::binary) << *content;
  std::ofstream(dir / (name + ".sha256"), std::ios::binary) << Sha256SumFile(*content, name);
  const std::string check =
      "cd '" + dir.string() + "' && sha256sum -c --status '" + name + ".sha256'";
  EXPECT_EQ(std::system(check.c_str()), 0);
  // A changed byte must make sha256sum refuse (the test can fail).
  std::ofstream(dir / name, std::ios::binary | std::ios::app) << "x";
  EXPECT_NE(std::system(check.c_str()), 0);
  std::filesystem::remove_all(dir);
}

constexpr std::string_view kResult =
    "2,0110113719,202701,2701000001,0,4500\r\n"
    "2,1318814790,202701,2701000002,1,1500\r\n"
    "8,2,6000\r\n";

TEST(DeductionResultTest, ParsesOutcomes) {
  auto r = ParseDeductionResult(kResult);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0], (DeductionResultLine{1, "0110113719", kJan2027, "2701000001",
                                          DeductionOutcome::kDeducted, 4500}));
  EXPECT_EQ((*r)[1], (DeductionResultLine{2, "1318814790", kJan2027, "2701000002",
                                          DeductionOutcome::kNotDeducted, 1500}));
}

TEST(DeductionResultTest, LfLineEndsAccepted) {
  std::string lf(kResult);
  std::erase(lf, '\r');
  EXPECT_TRUE(ParseDeductionResult(lf).ok());
}

TEST(DeductionResultTest, EveryBadFileRefusedWithLineAndField) {
  const std::pair<std::string, std::string> cases[] = {
      {"2,0110113719,202701,2701000001,0,4500\r\n8,1,4500", "line 2, field record_type"},
      {"2,0110113719,202701,2701000001,0,4500\r\n", "line 2, field record_type: no trailer"},
      {"2,011011371,202701,2701000001,0,4500\r\n8,1,4500\r\n", "line 1, field institution_code"},
      {"2,0110113719,202713,2701000001,0,4500\r\n8,1,4500\r\n", "line 1, field billing_month"},
      {"2,0110113719,202701,270100001,0,4500\r\n8,1,4500\r\n", "line 1, field bill_number"},
      {"2,0110113719,202701,2701000001,2,4500\r\n8,1,4500\r\n", "line 1, field result"},
      {"2,0110113719,202701,2701000001,0,-4500\r\n8,1,-4500\r\n", "line 1, field amount"},
      {"2,0110113719,202701,2701000001,0,04500\r\n8,1,4500\r\n", "line 1, field amount"},
      {"2,0110113719,202701,2701000001,0,0\r\n8,1,0\r\n", "line 1, field amount: zero"},
      {"2,0110113719,202701,2701000001,0\r\n8,1,4500\r\n",
       "line 1, field record_type: a data line has 6"},
      {"2,0110113719,202701,2701000001,0,4500\r\n8,2,4500\r\n", "line 2, field count"},
      {"2,0110113719,202701,2701000001,0,4500\r\n8,1,4501\r\n", "line 2, field total_amount"},
      {"2,0110113719,202701,2701000001,0,4500\r\n2,0110113719,202701,2701000002,0,1\r\n8,2,"
       "4501\r\n",
       "line 2, field institution_code: second line"},
      {"2,0110113719,202701,2701000001,0,4500\r\n2,1318814790,202702,2701000002,0,1\r\n8,2,"
       "4501\r\n",
       "line 2, field billing_month"},
      {"2,0110113719,202701,2701000001,0,4500\r\n8,1,4500\r\n2,1318814790,202701,2701000002,0,"
       "1\r\n",
       "line 3, field record_type: a line after the trailer"},
      {"2,0110113719,202701,2701000001,0,4500\r\n\r\n8,1,4500\r\n", "line 2, field record_type"},
      {"2,0110113719,202701,2701000001,0,\xef\xbc\x94\r\n8,1,4500\r\n",
       "line 1, field record_type: a byte"},
      {"8,0,0\r\n", "field count: no data line"},
      {"", "line 1, field record_type: no trailer"},
  };
  for (const auto& [file, want] : cases) {
    auto r = ParseDeductionResult(file);
    ASSERT_FALSE(r.ok()) << want;
    EXPECT_NE(r.status().message().find(want), std::string::npos)
        << "want " << want << ", got " << r.status().message();
  }
}

TEST(DeductionResultTest, EveryTruncationOfAGoodFileIsRefused) {
  for (size_t n = 0; n + 1 < kResult.size(); ++n) {
    // Cutting right after a line end that still precedes the trailer leaves no trailer.
    EXPECT_FALSE(ParseDeductionResult(kResult.substr(0, n)).ok()) << n;
  }
}

}  // namespace
}  // namespace claimsca::billing
