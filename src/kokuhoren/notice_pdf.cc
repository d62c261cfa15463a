#include "kokuhoren/notice_pdf.h"

#include <memory>

#include "kokuhoren/types.h"
#include "pdf/document.h"

namespace claimsca::kokuhoren {
namespace {

using pdf::Style;

constexpr double kLeft = 60;
constexpr double kWidth = pdf::kPageWidth - 2 * kLeft;
constexpr int kOfficeColumns = 4;
constexpr int kOfficeRows = 25;  // an agent's page lists up to 100 offices

Style Gothic(double size, bool bold = false) {
  Style s;
  s.family = pdf::kGothic;
  s.size = size;
  s.bold = bold;
  return s;
}
Style Mincho(double size) {
  Style s;
  s.family = pdf::kMincho;
  s.size = size;
  return s;
}

std::string Postal(const std::string& p) {
  return p.size() == 7 ? "〒" + p.substr(0, 3) + "-" + p.substr(3) : p;
}

// The addressee (top left), the date and the sender (top right), the title; returns the y
// below the title.
double Head(pdf::Document& doc, const std::string& postal, const std::string& address,
            const std::string& name, const NoticeSender& sender, Date on,
            const std::string& title) {
  double y = 60;
  y += doc.Text(kLeft, y, 260, Postal(postal), Mincho(10.5));
  y += doc.Text(kLeft, y, 260, address, Mincho(10.5));
  y += 4;
  doc.Text(kLeft, y, 260, name + "　御中", Mincho(12));
  double ry = 60;
  Style right = Mincho(10.5);
  right.align = pdf::Align::kRight;
  ry += doc.Text(kLeft + kWidth - 220, ry, 220, FormatDateJa(on), right);
  ry += doc.Text(kLeft + kWidth - 220, ry, 220, sender.organisation, right);
  ry += doc.Text(kLeft + kWidth - 220, ry, 220, Postal(sender.postal_code), right);
  doc.Text(kLeft + kWidth - 220, ry, 220, sender.address, right);
  y = 190;
  Style t = Gothic(16, true);
  t.align = pdf::Align::kCenter;
  y += doc.Text(kLeft, y, kWidth, title, t);
  return y + 18;
}

// A two-column box of label / value rows; returns the y below it.
double Rows(pdf::Document& doc, double y,
            const std::vector<std::pair<std::string, std::string>>& rows) {
  constexpr double kRow = 26;
  constexpr double kLabel = 170;
  for (const auto& [label, value] : rows) {
    doc.Fill(kLeft, y, kLabel, kRow, 0.9);
    doc.Frame(kLeft, y, kWidth, kRow, 0.8);
    doc.Line(kLeft + kLabel, y, kLeft + kLabel, y + kRow, 0.8);
    doc.Text(kLeft + 8, y + 7, kLabel - 16, label, Gothic(10.5));
    Style v = Gothic(13, true);
    v.max_lines = 1;
    doc.Text(kLeft + kLabel + 10, y + 5, kWidth - kLabel - 20, value, v);
    y += kRow;
  }
  return y + 14;
}

void RegistrationPage(pdf::Document& doc, const Registration& r, const NoticeSender& sender,
                      Date on) {
  const bool agent = r.kind == kAgentKind;
  double y = Head(doc, r.postal_code, r.address, r.name, sender, on, RegistrationNoticeTitle(r));
  const bool reset = r.issuance_password.empty();
  y += doc.Text(kLeft, y, kWidth,
                reset ? "ログインパスワードを初期化しましたので、電子請求受付システムの"
                        "ユーザID及び仮パスワードをお知らせします。証明書発行用パスワードは"
                        "変わりません。"
                : agent ? "代理人請求の登録が完了しましたので、電子請求受付システムのユーザID、"
                          "仮パスワード及び証明書発行用パスワードをお知らせします。"
                        : "電子請求の登録が完了しましたので、電子請求受付システムのユーザID、"
                          "仮パスワード及び証明書発行用パスワードをお知らせします。",
                Mincho(10.5));
  y += 14;
  std::vector<std::pair<std::string, std::string>> rows = {
      {agent ? "代理人名" : "事業所名", r.name}};
  if (!agent && !r.offices.empty()) rows.push_back({"事業所番号", r.offices.front()});
  rows.push_back({"ユーザID", r.user_id});
  rows.push_back({"仮パスワード", r.temporary_password});
  if (!reset) rows.push_back({"証明書発行用パスワード", r.issuance_password});
  y = Rows(doc, y, rows);
  const std::string notes =
      "・初めてログインするときは、ユーザIDと仮パスワードを入力してください。仮パスワードは"
      "最初のログインで変更していただきます。\n"
      "・パスワードを3回続けて間違えると、しばらくの間ログインできなくなります。\n"
      "・証明書発行用パスワードは、電子証明書の発行申請と、ダウンロードした証明書を"
      "インストールするときに入力します。" +
      std::string(agent ? "\n・支払方法で「相殺」を選ぶときは、相殺する事業所の「電子請求登録"
                          "結果に関するお知らせ」に記載されたユーザIDとパスワードを入力します。"
                        : "") +
      "\n・このお知らせは大切に保管してください。証明書発行用パスワードを紛失したときは、"
      "システムから再発行できます（再発行した場合、以前のパスワードで申請した電子証明書は"
      "インストールできません）。" +
      (sender.login_url.empty() ? std::string() : "\n・電子請求受付システム: " + sender.login_url);
  y += doc.Text(kLeft, y, kWidth, notes, Mincho(10));
  if (!agent) return;
  y += 14;
  y += doc.Text(kLeft, y, kWidth,
                "代理する事業所（" + std::to_string(r.offices.size()) + " 事業所）",
                Gothic(10.5, true));
  y += 4;
  const size_t fit = kOfficeColumns * kOfficeRows;
  const size_t shown = r.offices.size() > fit ? fit - 1 : r.offices.size();
  const double col = kWidth / kOfficeColumns;
  for (size_t i = 0; i < shown; ++i) {
    const double x = kLeft + col * static_cast<double>(i / kOfficeRows);
    doc.Text(x, y + 13.0 * static_cast<double>(i % kOfficeRows), col, r.offices[i], Gothic(9.5));
  }
  if (shown < r.offices.size()) {
    const double x = kLeft + col * static_cast<double>(shown / kOfficeRows);
    doc.Text(x, y + 13.0 * static_cast<double>(shown % kOfficeRows), col,
             "ほか " + std::to_string(r.offices.size() - shown) + " 事業所", Gothic(9.5));
  }
}

}  // namespace

std::string RegistrationNoticeTitle(const Registration& r) {
  if (r.issuance_password.empty()) return "仮パスワード再発行のお知らせ";
  return r.kind == kAgentKind ? "代理人申請登録結果に関するお知らせ"
                              : "電子請求登録結果に関するお知らせ";
}

Result<std::string> RegistrationNoticesPdf(const std::vector<Registration>& registrations,
                                           const NoticeSender& sender, Date printed_on) {
  if (registrations.empty()) return InvalidArgument("registration notices: none to print");
  ASSIGN_OR_RETURN(std::unique_ptr<pdf::Document> doc,
                   pdf::Document::Create("登録結果に関するお知らせ", printed_on));
  for (size_t i = 0; i < registrations.size(); ++i) {
    if (i > 0) doc->NextPage();
    RegistrationPage(*doc, registrations[i], sender, printed_on);
  }
  return doc->Finish();
}

Result<std::string> IssuancePasswordNoticePdf(const PasswordNotice& n, const NoticeSender& sender) {
  ASSIGN_OR_RETURN(std::unique_ptr<pdf::Document> doc,
                   pdf::Document::Create("証明書発行用パスワード通知書", n.issued_on));
  double y = Head(*doc, "", "", n.name, sender, n.issued_on, "証明書発行用パスワード通知書");
  y += doc->Text(kLeft, y, kWidth, "証明書発行用パスワードを再発行しましたので、お知らせします。",
                 Mincho(10.5));
  y += 14;
  y = Rows(*doc, y,
           {{"ユーザID", n.user_id},
            {"証明書発行用パスワード", n.issuance_password},
            {"再発行日", FormatDateJa(n.issued_on)}});
  doc->Text(kLeft, y, kWidth,
            "・再発行した証明書発行用パスワードでは、以前の証明書発行用パスワードで申請した"
            "電子証明書をインストールできません。新たに電子証明書の発行申請を行ってください。\n"
            "・この通知書は大切に保管してください。",
            Mincho(10));
  return doc->Finish();
}

}  // namespace claimsca::kokuhoren
