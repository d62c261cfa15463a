// The mail templates (files embedded at build time): every kind renders, placeholders are
// checked, values are inserted as plain text.

#include "mail/template.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace claimsca::mail {
namespace {

std::map<std::string, std::string> Values() {
  return {{"contact_name", "医事課 山田"},
          {"institution_name", "テスト中です#%& * > ? @"},
          {"institution_code", "1312345678"},
          {"request_id", "20261124000001"},
          {"terminal_name", "受付PC1"},
          {"submitted_at", "2026/11/24 10:00"},
          {"issued_on", "2026/11/24"},
          {"download_deadline", "2027/05/23"},
          {"not_after", "2030/02/24"},
          {"reason", "医療機関等コードが登録されていません"},
          {"serial", "5e1000"},
          {"revoked_at", "2026/12/01 09:00"},
          {"invoice_number", "2612000123"},
          {"due_date", "2027/01/31"},
          {"days_left", "15"},
          {"renewal_opens", "有効期限の3か月前"},
          {"account_id", "iji@example.jp"},
          {"display_name", "テスト中です#%& * > ? @"},
          {"link", "https://ca.example/portal/verify?token=x"},
          {"expires_at", "2026/11/25 10:00"},
          {"ca_name", "共通認証局"},
          {"body", "有効終了年月日 : 2029/12/10"},
          {"provisional_code", "1310000013"},
          {"reception_number", "1310000017"},
          {"revoked_count", "2"},
          {"cancelled_count", "1"},
          {"downloaded_at", "2026/11/25 10:00"},
          {"client_address", "192.0.2.7"},
          {"channel", "ダウンロードサイト"},
          {"failure_days", "  2026/11/20  1回"},
          {"days_count", "3"},
          {"last_reason", "server down or unreachable"},
          {"not_after_date", "2030/02/24"}};
}

TEST(Template, EveryKindRendersWithItsSubject) {
  const std::map<std::string, std::string> subjects = {
      {"application_received", "【電子証明書 申請情報受付通知】"},
      {"download_reminder", "【電子証明書 ダウンロード有効期限のお知らせ】あと15日です"},
      {"downloaded", "【電子証明書 ダウンロードのお知らせ】受付PC1"},
      {"email_verify", "【電子証明書発行申請サイト】メールアドレスの確認"},
      {"expiry_reminder", "【電子証明書 有効期限のお知らせ】あと15日で有効期限が切れます"},
      {"issued", "【電子証明書 発行完了通知】"},
      {"kj_expiry_notice", "【電子請求受付システム】証明書有効期限切れ事前通知"},
      {"newinst_deadline", "【医療機関等向けポータルサイト】受付番号の提示期限のお知らせ"},
      {"newinst_withdrawn", "【電子証明書】指定なしによる取り下げ完了のお知らせ"},
      {"password_reset", "【電子証明書発行申請サイト】パスワードの再設定"},
      {"rejected", "【電子証明書 発行申請棄却通知】"},
      {"renewal_failing", "【電子証明書 自動更新ができていません】受付PC1"},
      {"revoked", "【電子証明書 失効完了通知】"},
      {"revoked_unpaid", "【電子証明書 失効完了通知】発行・更新料未納のため"}};
  std::vector<std::string> kinds;
  for (const auto& [k, s] : subjects) kinds.push_back(k);
  EXPECT_EQ(TemplateKinds(), kinds);
  for (const auto& [kind, subject] : subjects) {
    auto m = RenderTemplate(kind, Values());
    ASSERT_TRUE(m.ok()) << kind << ": " << m.status().ToString();
    EXPECT_EQ(m->subject, subject);
    EXPECT_EQ(m->body.find("{{"), std::string::npos) << kind;
    EXPECT_NE(m->body.find("テスト中です#%& * > ? @"), std::string::npos) << kind;
    if (kind == "email_verify" || kind == "password_reset") {  // account mails: a link
      EXPECT_NE(m->body.find("https://ca.example/portal/verify?token=x"), std::string::npos);
      EXPECT_NE(m->body.find("2026/11/25 10:00"), std::string::npos) << kind;
      continue;
    }
    if (kind == "newinst_withdrawn") {  // 指定なし: to the clinic, naming its numbers
      EXPECT_NE(m->body.find("仮コード 1310000013（受付番号 1310000017）"), std::string::npos);
      continue;
    }
    if (kind == "newinst_deadline") {  // the body is newinst::ReminderMailBody's
      EXPECT_NE(m->body.find("有効終了年月日 : 2029/12/10"), std::string::npos);
      continue;
    }
    if (kind == "kj_expiry_notice") {  // 国保連: the notice's text as the inbox shows it
      EXPECT_NE(m->body.find("2029/12/10"), std::string::npos);
      continue;
    }
    EXPECT_NE(m->body.find("医事課 山田 様"), std::string::npos) << kind;
    EXPECT_NE(m->body.find("20261124000001"), std::string::npos) << kind;
  }
  EXPECT_NE(RenderTemplate("rejected", Values())->body.find("棄却理由     : 医療機関等コード"),
            std::string::npos);
  EXPECT_NE(RenderTemplate("revoked", Values())->body.find("端末から削除"), std::string::npos);
  // Revoked for non-payment (docs/billing.md "payments"): the mail says why, with the invoice.
  const std::string unpaid = RenderTemplate("revoked_unpaid", Values())->body;
  EXPECT_NE(unpaid.find("失効理由     : 電子証明書発行・更新料の未納"), std::string::npos);
  EXPECT_NE(unpaid.find("請求番号     : 2612000123"), std::string::npos);
  EXPECT_NE(unpaid.find("お支払期限   : 2027/01/31"), std::string::npos);
  // The renewal window comes from the program profile (国保連 here), not the template.
  EXPECT_NE(RenderTemplate("expiry_reminder", Values())->body.find("有効期限の3か月前から、"),
            std::string::npos);
}

TEST(Template, MissingValueUnknownKindAndControls) {
  auto v = Values();
  v.erase("reason");
  EXPECT_EQ(RenderTemplate("rejected", v).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(RenderTemplate("nope", Values()).status().code(), Code::kNotFound);
  v = Values();
  v["contact_name"] = "山田\r\x01様";
  auto m = RenderTemplate("issued", v);
  ASSERT_TRUE(m.ok());
  EXPECT_NE(m->body.find("山田  様 様"), std::string::npos);
  // A value cannot open a placeholder of its own.
  v = Values();
  v["contact_name"] = "{{reason}}";
  EXPECT_NE(RenderTemplate("issued", v)->body.find("{{reason}} 様"), std::string::npos);
}

}  // namespace
}  // namespace claimsca::mail
