#include "qualcheck/letters.h"

#include <algorithm>

#include "auth/password.h"
#include "common/iso_date.h"
#include "crypto/ossl.h"
#include "crypto/random.h"
#include "pdf/document.h"

namespace claimsca::qualcheck {
namespace {

using pdf::Style;

constexpr double kLeft = 56;
constexpr double kWidth = pdf::kPageWidth - 2 * kLeft;

Style Font(const char* family, double size, bool bold = false) {
  Style s;
  s.family = family;
  s.size = size;
  s.bold = bold;
  return s;
}

std::string Postal(const std::string& p) {
  return p.size() == 7 ? "〒" + p.substr(0, 3) + "-" + p.substr(3) : p;
}

// Addressee, date and sender, title; returns the y under the title.
double Head(pdf::Document& doc, const Letter& l, const LetterSender& sender, Date on,
            const std::string& title) {
  double y = 56;
  y += doc.Text(kLeft, y, 260, Postal(l.addressee.postal_code), Font(pdf::kMincho, 10.5));
  y += doc.Text(kLeft, y, 260, l.addressee.address, Font(pdf::kMincho, 10.5));
  doc.Text(kLeft, y + 4, 280, l.addressee.name + "　御中", Font(pdf::kMincho, 12));
  Style right = Font(pdf::kMincho, 10.5);
  right.align = pdf::Align::kRight;
  double ry = 56;
  ry += doc.Text(kLeft + kWidth - 220, ry, 220, FormatDateJa(on), right);
  ry += doc.Text(kLeft + kWidth - 220, ry, 220, sender.organisation, right);
  ry += doc.Text(kLeft + kWidth - 220, ry, 220, Postal(sender.postal_code), right);
  doc.Text(kLeft + kWidth - 220, ry, 220, sender.address, right);
  Style t = Font(pdf::kGothic, 15, true);
  t.align = pdf::Align::kCenter;
  return 170 + doc.Text(kLeft, 170, kWidth, title, t) + 14;
}

double Rows(pdf::Document& doc, double y,
            const std::vector<std::pair<std::string, std::string>>& rows, double label_w = 170) {
  constexpr double kRow = 24;
  for (const auto& [label, value] : rows) {
    doc.Fill(kLeft, y, label_w, kRow, 0.9);
    doc.Frame(kLeft, y, kWidth, kRow, 0.8);
    doc.Line(kLeft + label_w, y, kLeft + label_w, y + kRow, 0.8);
    doc.Text(kLeft + 6, y + 6, label_w - 12, label, Font(pdf::kGothic, 10));
    Style v = Font(pdf::kGothic, 11.5, true);
    v.max_lines = 1;
    doc.Text(kLeft + label_w + 8, y + 5, kWidth - label_w - 16, value, v);
    y += kRow;
  }
  return y + 12;
}

std::string KindsShortJa(const std::string& kinds) {
  if (kinds == "12") return "1・2（ポータルサイトユーザー登録・アプリ利用開始）";
  if (kinds == "1") return "1（ポータルサイトユーザー登録）";
  if (kinds == "2") return "2（マイナ資格確認アプリ利用開始）";
  return kinds;
}

std::string Or(const std::string& s, const char* dash = "—") { return s.empty() ? dash : s; }

std::string DateJaOf(const std::string& iso) {
  const auto d = ParseEndDate(iso);
  return d ? FormatDateJa(*d) : Or(iso);
}

void SettingsPage(pdf::Document& doc, const Letter& l, const LetterSender& sender, Date on) {
  const Application& a = l.app;
  double y = Head(doc, l, sender, on, "マイナ資格確認アプリ ユーザー設定情報");
  y += doc.Text(kLeft, y, kWidth,
                "オンライン資格確認（資格確認限定型）利用に関する申請を承認しましたので、"
                "マイナ資格確認アプリの設定に必要な情報をお知らせします。内容を確認し、"
                "マイナ資格確認アプリのセットアップを行ってください。",
                Font(pdf::kMincho, 10.5));
  y += 10;
  std::vector<std::pair<std::string, std::string>> rows = {
      {"申請番号", a.id},
      {"申請区分", KindsShortJa(a.kinds)},
      {"医療機関等コード", a.institution_code},
      {"医療機関等名", a.form.name},
      {"開設者氏名", a.form.founder_name},
      {"担当者名", a.form.contact_name},
      {"ユーザーID（メールアドレス）", Or(a.account_id)},
      {"仮パスワード",
       l.temporary_password.empty() ? "（申請書に記入されたパスワード）" : l.temporary_password},
      {"運用開始（予定）日", DateJaOf(a.use_start_date)},
      {"申請台数", Or(a.form.devices)},
      {"職員数", Or(a.form.staff_count)},
  };
  y = Rows(doc, y, rows, 180);
  std::string notes =
      "・運用開始（予定）日は、実施機関において申請を登録した日です（申請書の注記のとおり）。\n"
      "・端末の登録は申請台数までです。業務に必要な台数のみご登録ください。\n";
  if (!l.temporary_password.empty()) {
    notes +=
        "・仮パスワードは最初のログインで必ず変更してください。このお知らせは他人に見られない"
        "よう保管してください。\n";
  }
  notes +=
      "・同封の「オンライン資格確認（資格確認限定型）補助金に関する申請書」で補助金を申請"
      "できます。";
  if (!sender.portal_url.empty()) notes += "\n・医療機関等向けポータルサイト: " + sender.portal_url;
  doc.Text(kLeft, y, kWidth, notes, Font(pdf::kMincho, 10));
}

void SubsidyPage(pdf::Document& doc, const Letter& l, const LetterSender& sender,
                 const SubsidyTerms& terms, Date on) {
  const Application& a = l.app;
  double y = Head(doc, l, sender, on, "オンライン資格確認（資格確認限定型）補助金に関する申請書");
  const auto deadline = ParseEndDate(terms.deadline);
  y += doc.Text(
      kLeft, y, kWidth,
      "マイナ資格確認アプリで使用する機器の購入費用について、補助金を申請します。"
      "補助額は事業費の" +
          terms.rate + "（上限 " + std::to_string(terms.cap_yen) +
          " 円）です。申請期限: " + (deadline ? FormatDateJa(*deadline) : Or(terms.deadline)) +
          "（必着）。領収書の写しを添付してください。",
      Font(pdf::kMincho, 10.5));
  y += 10;
  y = Rows(doc, y,
           {{"申請番号（利用申請）", a.id},
            {"医療機関等コード", a.institution_code},
            {"医療機関等名", a.form.name},
            {"開設者氏名", a.form.founder_name},
            {"運用開始（予定）日", DateJaOf(a.use_start_date)},
            {"申請台数", Or(a.form.devices)}},
           180);
  // The receipts: one blank row per device kind and line.
  constexpr double kRow = 24;
  const double cols[] = {kLeft, kLeft + 130, kLeft + 230, kLeft + 330, kLeft + kWidth};
  const char* heads[] = {"機器の種類", "購入日", "台数", "金額（税込・円）"};
  doc.Fill(kLeft, y, kWidth, kRow, 0.9);
  for (int c = 0; c < 4; ++c) {
    doc.Text(cols[c] + 6, y + 6, cols[c + 1] - cols[c] - 12, heads[c], Font(pdf::kGothic, 10));
  }
  const char* kinds[] = {"スマートフォン", "タブレット", "汎用カードリーダー"};
  for (int r = 0; r <= 3; ++r) {
    const double ry = y + kRow * r;
    doc.Frame(kLeft, ry, kWidth, kRow, 0.8);
    for (int c = 1; c < 4; ++c) doc.Line(cols[c], ry, cols[c], ry + kRow, 0.8);
    if (r > 0) doc.Text(cols[0] + 6, ry + 6, 118, kinds[r - 1], Font(pdf::kGothic, 10));
  }
  y += kRow * 5;
  doc.Frame(kLeft, y - kRow, kWidth, kRow, 0.8);
  doc.Text(cols[0] + 6, y - kRow + 6, 300, "合計金額（円）", Font(pdf::kGothic, 10));
  y += 12;
  y = Rows(doc, y, {{"振込先口座", ""}, {"申請者氏名・押印", ""}, {"記入日", "　　年　　月　　日"}},
           180);
  doc.Text(
      kLeft, y, kWidth,
      "・補助の対象: スマートフォン、タブレット（マイナンバーカード読み取り機能の無いタブレット"
      "は Bluetooth "
      "汎用カードリーダーが必要）、パソコン・タブレットに接続する汎用カードリーダー。\n"
      "・ポータルサイトからも申請できます。" +
          (sender.portal_url.empty() ? std::string() : "（" + sender.portal_url + "）"),
      Font(pdf::kMincho, 9.5));
}

template <typename PageFn>
Result<std::string> Pages(const std::vector<Letter>& letters, const std::string& title, Date on,
                          PageFn page) {
  if (letters.empty()) return InvalidArgument("letters: nothing to print");
  ASSIGN_OR_RETURN(auto doc, pdf::Document::Create(title, on));
  for (size_t i = 0; i < letters.size(); ++i) {
    if (i > 0) doc->NextPage();
    page(*doc, letters[i]);
  }
  return doc->Finish();
}

// A quoted CSV cell: one line, quotes doubled, a leading formula character defused.
std::string CsvField(const std::string& raw) {
  const std::string v = pdf::CleanText(raw);
  std::string out = "\"";
  if (!v.empty() && std::string_view("=+-@").find(v[0]) != std::string_view::npos) out += '\'';
  for (char c : v)
    out += c == '\n' ? std::string(" ") : c == '"' ? std::string(2, c) : std::string(1, c);
  return out + "\"";
}

Result<std::string> TemporaryPassword() {
  for (int i = 0; i < 20; ++i) {
    ASSIGN_OR_RETURN(std::string p, crypto::RandomPassword(16));
    if (auth::CheckPasswordPolicy(p).empty()) return p;
  }
  return Internal("could not draw a temporary password meeting the policy");
}

}  // namespace

Status ApproveWithAccount(ApplicationStore& apps, store::Store& store, auth::AuthService& auth,
                          const crypto::SealedBox& sealer, std::string_view id,
                          std::string_view actor, Instant at) {
  ASSIGN_OR_RETURN(Application a, apps.Get(id));
  if (a.state != State::kAgreed) {
    return Conflict("application " + a.id + " is " + std::string(Name(a.state)) +
                    ": only an agreed application (two matching keyings) can be approved");
  }
  const std::string account_id = auth::AuthService::NormalizeAccountId(a.form.email);
  std::string sealed;
  if (a.kinds.find('1') != std::string::npos) {
    if (store.GetAccount(account_id).ok()) {
      return Conflict("a portal account " + account_id +
                      " exists already: apply with 申請区分 2 only (注1)");
    }
    store::AccountRecord rec;
    rec.account_id = account_id;
    rec.kind = "institution";
    rec.institution_codes = {a.institution_code};
    rec.display_name = a.form.name;
    rec.email = account_id;
    if (a.kinds == "12") {
      ASSIGN_OR_RETURN(std::string temp, TemporaryPassword());
      ASSIGN_OR_RETURN(std::string box, sealer.Seal(temp, "qualcheck-temp:" + a.id));
      sealed = crypto::HexEncode(box);
      RETURN_IF_ERROR(auth.CreateAccount(rec, temp, actor));
    } else {
      // {1}: the form's password, as its argon2id hash (the clear text is long gone).
      ASSIGN_OR_RETURN(std::string hash, apps.PasswordHash(a.id));
      if (hash.empty()) return FailedPrecondition("application " + a.id + " has no password");
      ASSIGN_OR_RETURN(std::string placeholder, TemporaryPassword());
      ASSIGN_OR_RETURN(store::AccountRecord prepared, auth.PrepareAccount(rec, placeholder));
      prepared.password_hash = hash;
      RETURN_IF_ERROR(store.CreateAccount(
          prepared, store::AuditEvent{at, std::string(actor), "account.create", account_id,
                                      auth::AuthService::CreationDetails(prepared)}));
    }
  }
  return apps.Approve(a.id, actor, at, account_id, sealed);
}

Result<std::string> UserSettingsPdf(const std::vector<Letter>& letters, const LetterSender& sender,
                                    Date printed_on) {
  return Pages(
      letters, "マイナ資格確認アプリ ユーザー設定情報", printed_on,
      [&](pdf::Document& doc, const Letter& l) { SettingsPage(doc, l, sender, printed_on); });
}

Result<std::string> SubsidyFormPdf(const std::vector<Letter>& letters, const LetterSender& sender,
                                   const SubsidyTerms& terms, Date printed_on) {
  return Pages(
      letters, "オンライン資格確認（資格確認限定型）補助金に関する申請書", printed_on,
      [&](pdf::Document& doc, const Letter& l) { SubsidyPage(doc, l, sender, terms, printed_on); });
}

std::string LettersMailingCsv(const std::vector<Letter>& letters) {
  std::string csv =
      "\"page\",\"postal_code\",\"address\",\"name\",\"application_id\",\"kinds\",\"subsidy_"
      "form\"\r\n";
  for (size_t i = 0; i < letters.size(); ++i) {
    const Letter& l = letters[i];
    csv += CsvField(std::to_string(i + 1)) + "," + CsvField(Postal(l.addressee.postal_code)) + "," +
           CsvField(l.addressee.address) + "," + CsvField(l.addressee.name) + "," +
           CsvField(l.app.id) + "," + CsvField(l.app.kinds) + "," +
           CsvField(l.app.kinds.find('2') != std::string::npos ? "1" : "0") + "\r\n";
  }
  return csv;
}

Result<LettersBatch> PrintLetters(
    ApplicationStore& apps, store::Store& store, const crypto::SealedBox& sealer,
    const LetterSender& sender, const SubsidyTerms& terms, const std::string& dir, Instant at,
    const std::function<Status(const std::string& path, std::string_view data)>& write) {
  LettersBatch batch;
  const Date on = JstDate(at);
  std::string stamp = IsoDate(on);
  stamp.erase(std::remove(stamp.begin(), stamp.end(), '-'), stamp.end());
  batch.stamp = stamp;
  ASSIGN_OR_RETURN(auto pending, apps.PendingLetters());
  if (pending.empty()) return batch;
  std::vector<Letter> letters;
  std::vector<std::string> ids;
  for (auto& [a, sealed] : pending) {
    Letter l;
    auto reg = store.FindInRegister(a.institution_code);
    if (reg.ok()) {
      l.addressee = *reg;
    } else {
      l.addressee.institution_code = a.institution_code;
    }
    if (l.addressee.name.empty()) l.addressee.name = a.form.name;
    if (!sealed.empty()) {
      ASSIGN_OR_RETURN(std::string box, crypto::HexDecode(sealed));
      ASSIGN_OR_RETURN(l.temporary_password, sealer.Open(box, "qualcheck-temp:" + a.id));
    }
    ids.push_back(a.id);
    l.app = std::move(a);
    letters.push_back(std::move(l));
  }
  ASSIGN_OR_RETURN(std::string settings, UserSettingsPdf(letters, sender, on));
  // The subsidy form goes to applications that start the app use (申請区分 2).
  std::vector<Letter> subsidy;
  for (const Letter& l : letters) {
    if (l.app.kinds.find('2') != std::string::npos) subsidy.push_back(l);
  }
  const std::string base =
      dir + "/qualcheck-" + stamp + "-" + std::to_string(at.time_since_epoch().count());
  batch.files.push_back(base + "-settings.pdf");
  RETURN_IF_ERROR(write(batch.files.back(), settings));
  if (!subsidy.empty()) {
    ASSIGN_OR_RETURN(std::string form, SubsidyFormPdf(subsidy, sender, terms, on));
    batch.files.push_back(base + "-subsidy.pdf");
    RETURN_IF_ERROR(write(batch.files.back(), form));
  }
  batch.files.push_back(base + "-mailing.csv");
  RETURN_IF_ERROR(write(batch.files.back(), LettersMailingCsv(letters)));
  RETURN_IF_ERROR(apps.MarkLetters(ids, stamp));
  batch.letters = letters.size();
  return batch;
}

}  // namespace claimsca::qualcheck
