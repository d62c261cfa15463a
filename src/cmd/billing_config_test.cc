// The [billing] section: defaults, round trip through what init writes, and each bad value
// refused with the key named.

#include "cmd/billing_config.h"

#include <gtest/gtest.h>

#include <string>

namespace claimsca::cmd {
namespace {

constexpr char kPayee[] =
    "[billing]\n"
    "payee_bank_name = \"みずほ銀行\"\n"
    "payee_branch_name = \"本店\"\n"
    "payee_account_type = \"当座\"\n"
    "payee_account_number = \"1234567\"\n"
    "payee_account_holder = \"ｼﾔｶｲﾎｹﾝｼﾝﾘﾖｳﾎｳｼﾕｳｼﾊﾗｲｷｷﾝ\"\n";

TEST(BillingConfig, DefaultsLoadWithoutPayeeButPrintingNeedsIt) {
  auto c = ParseConfig("", "/data");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->billing_invoice_day, 10);
  EXPECT_EQ(c->billing_due_days, 0);
  EXPECT_EQ(c->billing_grace_days, 14);
  EXPECT_TRUE(c->billing_job_enabled);
  EXPECT_EQ(c->billing_payee_account_type, "普通");
  EXPECT_EQ(c->billing_files_dir, "billing");
  const Status ready = BillingPayeeReady(*c);
  EXPECT_EQ(ready.code(), Code::kFailedPrecondition);
  EXPECT_NE(ready.message().find("billing.payee_bank_name"), std::string::npos) << ready.message();
}

TEST(BillingConfig, PayeeAndScheduleAreRead) {
  auto c = ParseConfig(std::string(kPayee) +
                           "invoice_day = 12\ndue_days = 30\ngrace_days = 7\njob_enabled = false\n"
                           "files_dir = \"/srv/billing\"\n",
                       "/data");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->billing_payee_bank_name, "みずほ銀行");
  EXPECT_EQ(c->billing_payee_branch_name, "本店");
  EXPECT_EQ(c->billing_payee_account_type, "当座");
  EXPECT_EQ(c->billing_payee_account_number, "1234567");
  EXPECT_EQ(c->billing_payee_account_holder, "ｼﾔｶｲﾎｹﾝｼﾝﾘﾖｳﾎｳｼﾕｳｼﾊﾗｲｷｷﾝ");
  EXPECT_EQ(c->billing_invoice_day, 12);
  EXPECT_EQ(c->billing_due_days, 30);
  EXPECT_EQ(c->billing_grace_days, 7);
  EXPECT_FALSE(c->billing_job_enabled);
  EXPECT_EQ(c->Path(c->billing_files_dir), "/srv/billing");
  EXPECT_TRUE(BillingPayeeReady(*c).ok());
}

TEST(BillingConfig, DemoPayeeRoundTripsThroughRenderAndSaysDemo) {
  Config c;
  c.data_dir = "/data";
  SetDemoBillingPayee(c);
  EXPECT_NE(c.billing_payee_bank_name.find("デモ"), std::string::npos);
  EXPECT_NE(c.billing_payee_bank_name.find("実在しません"), std::string::npos);
  auto loaded = ParseConfig(RenderConfig(c), "/data");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->billing_payee_bank_name, c.billing_payee_bank_name);
  EXPECT_EQ(loaded->billing_payee_account_holder, c.billing_payee_account_holder);
  EXPECT_TRUE(BillingPayeeReady(*loaded).ok());
}

TEST(BillingConfig, BadValuesNameTheirKey) {
  struct Case {
    std::string toml;
    std::string key;
  };
  const std::string payee = kPayee;
  const Case cases[] = {
      {"[billing]\ninvoice_day = 0\n", "billing.invoice_day"},
      {"[billing]\ninvoice_day = 29\n", "billing.invoice_day"},
      {"[billing]\ninvoice_day = \"10\"\n", "billing.invoice_day"},
      {"[billing]\ndue_days = 366\n", "billing.due_days"},
      {"[billing]\ngrace_days = 400\n", "billing.grace_days"},
      {"[billing]\njob_enabled = \"yes\"\n", "billing.job_enabled"},
      {"[billing]\nfiles_dir = \"\"\n", "billing.files_dir"},
      {"[billing]\npayee_account_type = \"savings\"\n", "billing.payee_account_type"},
      {"[billing]\npayee_bank_nme = \"x\"\n", "billing.payee_bank_nme"},
      // Incomplete: only some payee keys set.
      {"[billing]\npayee_bank_name = \"みずほ銀行\"\n", "billing.payee_branch_name"},
      {payee + "payee_account_number = \"123456\"\n", "billing.payee_account_number"},
      {payee + "payee_account_number = \"12345678\"\n", "billing.payee_account_number"},
      {payee + "payee_account_number = \"123456a\"\n", "billing.payee_account_number"},
      {payee + "payee_account_holder = \"社会保険診療報酬支払基金\"\n",
       "billing.payee_account_holder"},
      {payee + "payee_account_holder = \"shiharai kikin\"\n", "billing.payee_account_holder"},
      {payee + "payee_account_holder = \"  \"\n", "billing.payee_account_holder"},
      {payee + "payee_bank_name = \"みずほ\\n銀行\"\n", "billing.payee_bank_name"},
      {payee + "payee_branch_name = \"\\u3000\"\n", "billing.payee_branch_name"},
  };
  for (const Case& k : cases) {
    // A later duplicate key is a TOML error, so a payee override replaces its line.
    std::string text = k.toml;
    for (const char* key :
         {"payee_account_number", "payee_account_holder", "payee_bank_name", "payee_branch_name"}) {
      const std::string prefix = std::string(key) + " = ";
      const size_t first = text.find("\n" + prefix);
      const size_t last = text.rfind("\n" + prefix);
      if (first != last) text.erase(first + 1, text.find('\n', first + 1) - first);
    }
    auto c = ParseConfig(text, "/data");
    ASSERT_FALSE(c.ok()) << text;
    EXPECT_EQ(c.status().code(), Code::kInvalidArgument) << text;
    EXPECT_NE(c.status().message().find(k.key), std::string::npos)
        << text << " → " << c.status().ToString();
  }
}

TEST(BillingConfig, EnvironmentAndSetOverride) {
  auto c = ParseConfig(kPayee, "/data");
  ASSERT_TRUE(c.ok());
  ::setenv("CLAIMSCA_BILLING_INVOICE_DAY", "31", 1);
  auto bad = ParseConfig(kPayee, "/data");
  ::unsetenv("CLAIMSCA_BILLING_INVOICE_DAY");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("billing.invoice_day"), std::string::npos);
}

TEST(BillingConfig, InvoicePrintsThePayeeAndTheNoticeSender) {
  auto c = ParseConfig(std::string(kPayee) +
                           "[notice]\nsender_address = \"東京都港区1-1\\nビル3階\"\n"
                           "sender_organisation = \"支払基金\"\nca_name = \"認証局\"\n",
                       "/data");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const billing::PayeeAccount payee = InvoicePayee(*c);
  EXPECT_EQ(payee.bank_name, "みずほ銀行");
  EXPECT_EQ(payee.branch_name, "本店");
  EXPECT_EQ(payee.account_type, "当座");
  EXPECT_EQ(payee.account_number, "1234567");
  EXPECT_EQ(payee.holder_kana, "ｼﾔｶｲﾎｹﾝｼﾝﾘﾖｳﾎｳｼﾕｳｼﾊﾗｲｷｷﾝ");
  const billing::InvoiceIssuer issuer = InvoiceIssuerOf(*c);
  EXPECT_EQ(issuer.postal_code, "1050004");
  EXPECT_EQ(issuer.address_lines, (std::vector<std::string>{"東京都港区1-1", "ビル3階"}));
  EXPECT_EQ(issuer.organisation, "支払基金");
  EXPECT_EQ(issuer.ca_name, "認証局");
}

TEST(KanaAccountName, AcceptsWhatATransferAccepts) {
  for (const char* ok : {"ｼﾔｶｲﾎｹﾝｼﾝﾘﾖｳﾎｳｼﾕｳｼﾊﾗｲｷｷﾝ", "シャカイホケン　シンリョウホウシュウ",
                         "ｶ)ｸﾚｱ.ﾃﾞﾓ-1/2", "ＡＢＣ（カ）", "ABC ｶﾌﾞｼｷｶﾞｲｼﾔ"}) {
    EXPECT_TRUE(IsKanaAccountName(ok)) << ok;
  }
  for (const char* bad :
       {"", " ", "支払基金", "ひらがな", "abc", "ｶﾅ\n", "ｶﾅ\xff", "ｶﾅ@", "ｼｬｶｲ"}) {
    EXPECT_FALSE(IsKanaAccountName(bad)) << bad;
  }
}

}  // namespace
}  // namespace claimsca::cmd
