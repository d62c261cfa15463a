#include "notice/notice.h"

#include <algorithm>
#include <memory>

#include "pdf/document.h"

namespace claimsca::notice {
namespace {

using pdf::Align;
using pdf::kGothic;
using pdf::kMincho;

// A4 in points, and the printable box.
constexpr double kMargin = 48;
constexpr double kTextWidth = pdf::kPageWidth - 2 * kMargin;

// The notice's calls in the shape they had before pdf::Document: text at (x, y) in a box
// `width` wide, at most `max_lines` lines (0 = unlimited).
class Writer {
 public:
  explicit Writer(pdf::Document& doc) : doc_(doc) {}
  double Text(double x, double y, double width, const std::string& text, const char* family,
              double size, int max_lines = 0, bool bold = false, Align align = Align::kLeft) {
    return doc_.Text(x, y, width, text, {family, size, max_lines, bold, align});
  }

 private:
  pdf::Document& doc_;
};

void DrawNotice(pdf::Document& doc, const NoticeData& n, const NoticeSender& s, Date printed_on,
                size_t page, size_t pages) {
  Writer w(doc);
  const double half = kTextWidth / 2;

  // Sheet counter and date, top right.
  w.Text(kMargin, kMargin - 18, kTextWidth,
         std::to_string(page) + "/" + std::to_string(pages) + "  " + CleanText(n.request_id),
         kGothic, 8, 1, false, Align::kRight);
  w.Text(kMargin, kMargin, kTextWidth, FormatDateJa(printed_on), kMincho, 10.5, 1, false,
         Align::kRight);

  // Addressee (left; the window of the envelope): registered postal code, address, name,
  // then the application's 担当部署/担当者.
  double y = kMargin + 24;
  const double box = half - 10;
  y += w.Text(kMargin, y, box, "〒" + FormatPostalCode(n.postal_code), kMincho, 11, 1);
  y += w.Text(kMargin, y, box, n.address, kMincho, 11, 3);
  y += 4;
  y += w.Text(kMargin, y, box, n.institution_name, kMincho, 12, 2);
  y += w.Text(kMargin, y, box, n.contact_name + " 様", kMincho, 12, 2);
  const double left_end = y;

  // Sender block (right).
  double sy = kMargin + 24;
  const double sx = kMargin + half + 10;
  sy += w.Text(sx, sy, box, "〒" + FormatPostalCode(s.postal_code), kMincho, 9, 1);
  for (const std::string& line : s.address_lines) sy += w.Text(sx, sy, box, line, kMincho, 9, 2);
  sy += w.Text(sx, sy, box, s.organisation, kMincho, 10, 2);
  sy += 4;
  for (const std::string& line : s.agent_lines) sy += w.Text(sx, sy, box, line, kMincho, 7.5, 2);

  y = std::max(left_end, sy) + 18;
  // Title and greeting.
  y += w.Text(kMargin, y, kTextWidth, s.ca_name, kGothic, 13, 2, true, Align::kCenter);
  y += w.Text(kMargin, y, kTextWidth, "電子証明書発行通知書", kGothic, 15, 1, true, Align::kCenter);
  y += 10;
  y += w.Text(kMargin, y, kTextWidth,
              "平素は、" + s.ca_name +
                  "の業務運営につきまして、格別のご理解とご協力を賜り厚くお礼申し上げます。\n"
                  "電子証明書の発行依頼に基づき、発行手続きが完了しましたのでお知らせいたします。",
              kMincho, 9.5, 4);
  y += 8;

  // The download data, framed.
  const double frame_top = y;
  y += 6;
  y +=
      w.Text(kMargin + 8, y, kTextWidth - 16, "■ 証明書の取得に関する情報", kGothic, 10.5, 1, true);
  const double label = 150;
  auto row = [&](const std::string& k, const std::string& v, double size, int lines) {
    const double h1 = w.Text(kMargin + 16, y, label, k, kGothic, 9.5, 1);
    const double h2 =
        w.Text(kMargin + 16 + label, y, kTextWidth - 32 - label, v, kGothic, size, lines);
    y += std::max(h1, h2) + 2;
  };
  row("リクエストID", n.request_id, 12, 1);
  row("ダウンロードパスワード", n.download_password, 12, 2);
  row("医療機関等コード", n.institution_code, 9.5, 1);
  row("端末名称等", n.terminal_name, 9.5, 2);
  row("発行日", FormatDateJa(n.issued_at), 9.5, 1);
  row("ダウンロード有効期限",
      FormatDateJa(n.download_deadline) + "（この日を過ぎると取得できません）", 9.5, 1);
  row("証明書有効期限", FormatDateJa(n.not_after), 9.5, 1);
  y += 6;
  doc.Frame(kMargin, frame_top, kTextWidth, y - frame_top, 0.8);
  y += 10;

  // Steps.
  y += w.Text(kMargin, y, kTextWidth, "■ 電子証明書のダウンロードとインストールの手順", kGothic,
              10.5, 1, true);
  y += w.Text(kMargin + 8, y, kTextWidth - 8,
              "1. 証明書をインストールする端末で、ダウンロードサイト（" + s.download_url +
                  "）を開きます。\n"
                  "2. 上記のリクエストIDとダウンロードパスワードを入力し、証明書ファイル"
                  "（PKCS#12、拡張子 .p12）をダウンロードします。\n"
                  "3. ファイルを開き、証明書のインポートウィザードでダウンロードパスワードを"
                  "入力してインストールします。\n"
                  "4. ルート証明書の拇印（フィンガープリント）が、サイトに掲載された値と一致する"
                  "ことを確認します。\n"
                  "5. ダウンロードしたファイルは、再インストールに備えて媒体等にバックアップし、"
                  "大切に保管してください。\n"
                  "詳しくはユーザーマニュアル（" +
                  s.manual_url + "）の「1. 証明書の取得とインストール」を参照ください。",
              kMincho, 9, 14);
  y += 8;

  // Notes: fees, deadline, keep the notice.
  y += w.Text(kMargin, y, kTextWidth, "【留意事項】", kGothic, 10.5, 1, true);
  w.Text(kMargin + 8, y, kTextWidth - 8,
         "・電子証明書の発行（更新）料は、「" + s.ca_name +
             "運用規程（CP/CPS）」をご確認ください。\n"
             "・保険医療機関（特定健診・特定保健指導を実施している保険医療機関を含む）及び保険"
             "薬局への発行（更新）料は、電子証明書発行月（電子証明書有効期間の開始月）の翌々月"
             "に、診療（調剤）報酬支払額からの控除又は「電子証明書発行・更新料払込請求書」に"
             "よる振込みとなります。\n"
             "・特定健診・特定保健指導機関及び医療保険者等への発行（更新）料は、電子証明書発行月"
             "（電子証明書有効期間の開始月）の翌々月に、「電子証明書発行・更新料払込請求書」"
             "による振込みとなります。\n"
             "・電子証明書の有効期限（電子証明書有効期間の終了日）前に電子証明書の更新が必要"
             "です。更新方法については、ユーザーマニュアルを参照ください。\n"
             "・ダウンロード有効期限の30日前及び15日前に、申請時に登録されたメールアドレス宛て"
             "にお知らせします。\n"
             "・本通知書は、電子証明書の更新や失効等の申請の際に必要となりますので、大切に保管"
             "してください。ダウンロードパスワードは本通知書にのみ記載され、再表示できません。"
             "紛失した場合は、電子証明書を失効のうえ、再度申請してください。",
         kMincho, 8.5, 24);
}

}  // namespace

std::string CleanText(const std::string& text) { return pdf::CleanText(text); }

std::string FormatPostalCode(const std::string& digits) {
  bool all_digits = digits.size() == 7;
  for (char c : digits) all_digits = all_digits && c >= '0' && c <= '9';
  if (!all_digits) return CleanText(digits);
  return digits.substr(0, 3) + "-" + digits.substr(3);
}

Result<std::string> RenderNoticePdf(const std::vector<NoticeData>& notices,
                                    const NoticeSender& sender, Date printed_on) {
  if (notices.empty()) return InvalidArgument("a notice batch needs at least one notice");
  // No creation date pinned: a notice batch is printed once (its passwords are erased after).
  ASSIGN_OR_RETURN(std::unique_ptr<pdf::Document> doc,
                   pdf::Document::Create("電子証明書発行通知書", std::nullopt));
  for (size_t i = 0; i < notices.size(); ++i) {
    if (i > 0) doc->NextPage();
    DrawNotice(*doc, notices[i], sender, printed_on, i + 1, notices.size());
  }
  return doc->Finish();
}

std::string MailingListCsv(const std::vector<NoticeData>& notices) {
  auto field = [](const std::string& raw) {
    std::string v = CleanText(raw);
    for (char& c : v) {
      if (c == '\n') c = ' ';
    }
    if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@')) v = "'" + v;
    std::string out = "\"";
    for (char c : v) {
      if (c == '"') out += '"';
      out += c;
    }
    return out + "\"";
  };
  std::string csv =
      "\"page\",\"postal_code\",\"address\",\"name\",\"addressee\",\"request_id\"\r\n";
  for (size_t i = 0; i < notices.size(); ++i) {
    const NoticeData& n = notices[i];
    csv += field(std::to_string(i + 1)) + "," + field(FormatPostalCode(n.postal_code)) + "," +
           field(n.address) + "," + field(n.institution_name) + "," + field(n.contact_name) + "," +
           field(n.request_id) + "\r\n";
  }
  return csv;
}

}  // namespace claimsca::notice
