// The mailing list and the accounting report, byte for byte: BOM, CRLF, quoting, formula
// guard, the page numbers of a batch, the category rows and the total.

#include "billing/reports.h"

#include <gtest/gtest.h>

#include "billing/invoice_testing.h"

namespace claimsca::billing {
namespace {

InvoiceDocument Invoice(const std::string& number, int lines) {
  InvoiceDocument inv = billing::testing::Sample(number, lines);
  inv.institution_name = "霞が関クリニック";
  return inv;
}

TEST(InvoiceMailingList, ExactBytes) {
  InvoiceDocument a = Invoice("2701000001", 1);
  InvoiceDocument b = Invoice("2701000002", 60);  // several pages: the next starts later
  b.institution_name = "=HYPERLINK(\"x\"),\"医療法人\"";
  b.address = "札幌市\r\n中央区, 1-1";
  b.postal_code = "060-0001";
  InvoiceDocument c = Invoice("2701000003", 2);
  c.institution_name = "名\xff";
  const int b_pages = InvoicePageCount(b);
  ASSERT_GT(b_pages, 1);
  EXPECT_EQ(InvoiceMailingListCsv({a, b, c}),
            "\xEF\xBB\xBF"
            "\"page\",\"pages\",\"invoice_number\",\"postal_code\",\"address\",\"name\","
            "\"institution_code\"\r\n"
            "1,1,\"2701000001\",\"100-0013\",\"東京都千代田区霞が関一丁目2番2号\","
            "\"霞が関クリニック\",\"1312345678\"\r\n"
            "2," +
                std::to_string(b_pages) +
                ",\"2701000002\",\"060-0001\",\"札幌市  中央区, 1-1\","
                "\"'=HYPERLINK(\"\"x\"\"),\"\"医療法人\"\"\",\"1312345678\"\r\n" +
                std::to_string(2 + b_pages) +
                ",1,\"2701000003\",\"100-0013\",\"東京都千代田区霞が関一丁目2番2号\","
                "\"名\xEF\xBF\xBD\",\"1312345678\"\r\n");
  // No amount in the list.
  EXPECT_EQ(InvoiceMailingListCsv({a}).find("1,500"), std::string::npos);
  EXPECT_EQ(InvoiceMailingListCsv({}),
            "\xEF\xBB\xBF\"page\",\"pages\",\"invoice_number\",\"postal_code\",\"address\","
            "\"name\",\"institution_code\"\r\n");
}

TEST(AccountingReport, ExactBytesWithEveryCategoryAndTheTotal) {
  AccountingReport r;
  r.month = std::chrono::year(2027) / 1;
  r.rows = {{"s", {1, 1500, 0, 1500, 0, 1500}},
            {"1", {4, 5292, 3000, 2292, 2292, 0}},
            {"7", {3, 3000, 0, 4500, 1500, -1500}}};  // an over-payment shows negative
  auto csv = AccountingReportCsv(r);
  ASSERT_TRUE(csv.ok()) << csv.status().ToString();
  EXPECT_EQ(*csv,
            "\xEF\xBB\xBF"
            "\"対象月\",\"分類\",\"分類名\",\"発生件数\",\"発生額\",\"控除額\",\"請求書発行額\","
            "\"入金額\",\"未収額\"\r\n"
            "\"2027-01\",\"1\",\"保険医療機関（医科）\",4,5292,3000,2292,2292,0\r\n"
            "\"2027-01\",\"2\",\"保険医療機関（歯科）\",0,0,0,0,0,0\r\n"
            "\"2027-01\",\"3\",\"保険薬局（調剤）\",0,0,0,0,0,0\r\n"
            "\"2027-01\",\"4\",\"請求事務代行者（医科）\",0,0,0,0,0,0\r\n"
            "\"2027-01\",\"5\",\"請求事務代行者（歯科）\",0,0,0,0,0,0\r\n"
            "\"2027-01\",\"8\",\"請求事務代行者（調剤）\",0,0,0,0,0,0\r\n"
            "\"2027-01\",\"6\",\"特健機関\",0,0,0,0,0,0\r\n"
            "\"2027-01\",\"n\",\"訪問看護\",0,0,0,0,0,0\r\n"
            "\"2027-01\",\"s\",\"職域診療所\",1,1500,0,1500,0,1500\r\n"
            "\"2027-01\",\"7\",\"保険者\",3,3000,0,4500,1500,-1500\r\n"
            "\"2027-01\",\"合計\",\"全体\",8,9792,3000,8292,3792,0\r\n");
}

TEST(AccountingReport, BadInputIsRefused) {
  AccountingReport r;
  r.month = std::chrono::year(2027) / 1;
  r.rows = {{"9", {}}};
  EXPECT_NE(AccountingReportCsv(r).status().message().find("unknown category \"9\""),
            std::string::npos);
  r.rows = {{"1", {}}, {"1", {}}};
  EXPECT_NE(AccountingReportCsv(r).status().message().find("appears twice"), std::string::npos);
  r.rows = {{"1", {0, INT64_MAX, 0, 0, 0, 0}}, {"2", {0, 1, 0, 0, 0, 0}}};
  EXPECT_NE(AccountingReportCsv(r).status().message().find("overflows"), std::string::npos);
  r.rows = {};
  r.month = std::chrono::year(2027) / 13;
  EXPECT_EQ(AccountingReportCsv(r).status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace claimsca::billing
