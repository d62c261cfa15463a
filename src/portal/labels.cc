#include "portal/labels.h"

#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>

#include "ra/registration_authority.h"

namespace claimsca::portal::labels {
namespace {

using Table = std::map<std::string, std::string, std::less<>>;

// Every audit action the code writes (labels_test checks the application's, certificate's,
// download's, notice's and terminal's against the source), in the console's words.
const Table& Actions() {
  static const Table kActions = {
      {"application.submit", "申請の受付"},
      {"application.approve", "承認・証明書の発行"},
      {"application.approve_refused", "承認の拒否（申請した人と同じ人は承認できません）"},
      {"application.issue", "証明書の発行"},
      {"application.reject", "棄却"},
      {"application.cancel", "申請の取消"},
      {"application.cancel_before_notice", "発行通知書の印刷前の取消（手数料なし）"},
      {"application.revoke", "証明書の失効"},
      {"application.edit", "申請情報の変更"},
      {"application.note", "メモ"},
      {"application.download", "証明書のダウンロード"},
      {"application.renew", "証明書の更新"},
      {"application.renew_repeated", "証明書の更新（同じ要求の再送）"},
      {"application.renewal_confirmed", "更新した証明書の利用開始"},
      {"application.reissue_real_code", "正式な医療機関等コードでの再発行"},
      {"application.cmp_enroll", "端末による証明書の更新（CMP）"},
      {"application.cmp_cert_rejected", "端末が更新後の証明書を受け取れなかった"},
      {"certificate.revoke", "証明書の失効"},
      {"certificate.renew", "証明書の更新"},
      {"certificate.renewal_revert", "更新の取り消し（前の証明書に戻す）"},
      {"download.success", "証明書のダウンロード"},
      {"download.failure", "ダウンロードパスワードの誤り"},
      {"download_password.hand_over", "ダウンロードパスワードの引き渡し"},
      {"notice.batch", "発行通知書の印刷"},
      {"notice.resend", "発行通知書の再送"},
      {"notice.shipping", "追跡番号の取込（発行通知書の発送状況）"},
      {"notice.take", "発行通知書の印刷"},
      {"terminal.renewal_failure", "端末からの更新失敗の報告"},
      {"cmp.ir_mac_failure", "端末の自動更新の認証失敗"},
      {"account.create", "アカウントの作成"},
      {"account.register", "アカウントの登録"},
      {"account.verify", "メールアドレスの確認"},
      {"account.verify_email", "メールアドレスの確認"},
      {"account.login", "ログイン"},
      {"account.login_failed", "ログインの失敗"},
      {"account.disable", "アカウントの停止"},
      {"account.enable", "アカウントの再開"},
      {"account.password", "パスワードの変更"},
      {"account.change_password", "パスワードの変更"},
      {"account.reset_password", "パスワードの再設定"},
      {"account.password_reset", "パスワードの再設定"},
      {"account.rehash", "パスワードの保存形式の更新"},
      {"register.import", "登録簿の取込"},
      {"billing.method.change", "請求方法の変更"},
      {"billing.run.plan", "請求の作成開始"},
      {"billing.run.done", "請求の作成完了"},
      {"billing.payments.import", "入金明細の取込"},
      {"billing.payment.resolve", "入金の消込"},
      {"billing.deduction_result.import", "控除結果の取込"},
      {"billing.nonpayment.confirm", "未払いの確認"},
      {"billing.nonpayment.revoked", "未払いによる失効"},
  };
  return kActions;
}

// The Japanese name of a detail key; keys not here are not shown on the console.
const Table& DetailKeys() {
  static const Table kKeys = {
      {"reason", "理由"},
      {"serial", "シリアル番号"},
      {"previous_serial", "前の証明書のシリアル番号"},
      {"superseded_serial", "前の証明書のシリアル番号"},
      {"channel", "申請の経路"},
      {"hold_reason", "保留の理由"},
      {"institution_code", "医療機関等コード・保険者番号"},
      {"client", "接続元"},
      {"fee_yen", "手数料（円）"},
      {"download_deadline", "ダウンロード期限"},
      {"not_after", "有効期限"},
      {"not_before", "有効期間の開始"},
      {"field", "変更した項目"},
      {"before", "変更前"},
      {"after", "変更後"},
      {"note", "メモ"},
      {"applied_by", "申請したアカウント"},
      {"rows", "行数"},
  };
  return kKeys;
}

bool Digits(std::string_view s, std::initializer_list<size_t> at) {
  for (size_t i : at) {
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

// "2027-06-05" → "2027/06/05" and "2027-06-05T23:59:59+09:00" → "2027/06/05 23:59" (the
// console's one date format); other text unchanged.
std::string Dated(const std::string& s) {
  if (s.size() < 10 || s[4] != '-' || s[7] != '-' || !Digits(s, {0, 1, 2, 3, 5, 6, 8, 9})) return s;
  std::string day = s.substr(0, 4) + "/" + s.substr(5, 2) + "/" + s.substr(8, 2);
  if (s.size() == 10) return day;
  if (s.size() >= 16 && (s[10] == 'T' || s[10] == ' ') && Digits(s, {11, 12, 14, 15})) {
    return day + " " + s.substr(11, 5);
  }
  return s;
}

std::string Scalar(const nlohmann::json& v) {
  if (v.is_string()) return Dated(v.get<std::string>());
  if (v.is_boolean()) return v.get<bool>() ? "はい" : "いいえ";
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  return "";
}

}  // namespace

std::string State(store::ApplicationState s) { return std::string(ra::StateLabelJa(s)); }

std::string Channel(std::string_view channel) {
  if (channel == "portal") return "ポータル";
  if (channel == "network") return "ネットワーク端末";
  if (channel == "api") return "API連携（システム）";
  if (channel == "operator") return "運用者の代理入力（郵送・電話）";
  if (channel == "cmp") return "端末の自動更新";
  if (channel == "paper") return "郵送";
  if (channel == "mail" || channel == "email") return "メール";
  return "その他の経路";
}

std::string HoldReason(std::string_view rule) {
  if (rule.empty()) return "";
  if (rule == "manual_review") return "自動審査が止まっています（すべて運用者が審査）";
  if (rule == "not_in_register") return "医療機関等コードが登録簿にありません";
  if (rule == "name_mismatch") return "名称が登録簿と一致しません";
  if (rule == "too_many_certificates") return "有効な証明書と申請中の数が上限に達しています";
  if (rule == "review_error") return "自動審査の途中で誤りが起きました";
  return "自動審査の対象外です";
}

std::string Shipping(store::ShippingStatus s) {
  switch (s) {
    case store::ShippingStatus::kPrinted:
      return "印刷済み（発送待ち）";
    case store::ShippingStatus::kShipped:
      return "発送済み";
    case store::ShippingStatus::kDelivered:
      return "お届け済み";
    case store::ShippingStatus::kUndeliverable:
      return "不達（再送待ち）";
  }
  return "";
}

std::string BillingRunState(std::string_view state) {
  if (state == "done") return "完了";
  if (state == "planned") return "作成中（ファイル未完成）";
  return "不明な状態";
}

std::string BillingOutcome(std::string_view outcome) {
  if (outcome == "partial") return "金額不足";
  if (outcome == "excess") return "金額超過（支払済みを含む）";
  if (outcome == "unknown_invoice") return "該当する請求番号なし";
  if (outcome == "no_invoice_number") return "請求番号の記載なし";
  if (outcome == "several_candidates") return "請求番号が複数";
  if (outcome == "cancelled") return "取消（組戻し）";
  return "確認が必要な入金";
}

std::string RevocationReason(int reason) {
  switch (reason) {
    case 0:
      return "理由を特定しない";
    case 1:
      return "秘密鍵の危殆化";
    case 3:
      return "所属の変更";
    case 4:
      return "再発行・更新による置き換え";
    case 5:
      return "運用の終了（廃止・端末撤去）";
    case 9:
      return "資格の取消（未払い等）";
    default:
      return "その他の理由";
  }
}

std::optional<std::string> FindAction(std::string_view action) {
  auto it = Actions().find(action);
  if (it == Actions().end()) return std::nullopt;
  return it->second;
}

std::string Action(std::string_view action) { return FindAction(action).value_or("その他の記録"); }

std::string Actor(std::string_view actor) {
  const size_t colon = actor.find(':');
  const std::string_view kind = actor.substr(0, colon);
  const std::string rest =
      colon == std::string_view::npos ? "" : std::string(actor.substr(colon + 1));
  if (kind == "operator") return rest == "api-token" ? "運用者（コマンド・API）" : "運用者 " + rest;
  if (kind == "account") return "申請者 " + rest;
  if (kind == "self") return "本人 " + rest;
  if (kind == "download") return "ダウンロードサイト（接続元 " + rest + "）";
  if (kind == "terminal" || kind == "certificate" || kind == "cmp") return "端末（自動更新）";
  if (kind == "holder") return "証明書を使う端末（この端末の電子証明書のページ）";
  if (kind == "job") return "システム（自動処理）";
  if (kind == "portal" || kind == "network" || kind == "api")
    return "申請者（" + Channel(kind) + "）";
  if (kind == "system") {
    if (rest == "auto-review" || rest == "auto-issue") return "システム（自動審査）";
    return "システム（自動処理）";
  }
  if (actor.empty()) return "";
  return "運用者（コマンド）";
}

std::vector<DetailRow> Details(std::string_view action, std::string_view details_json) {
  std::vector<DetailRow> out;
  nlohmann::json j = nlohmann::json::parse(details_json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return out;
  const bool revocation = action.find("revoke") != std::string_view::npos;
  for (const auto& [key, value] : j.items()) {
    auto label = DetailKeys().find(key);
    if (label == DetailKeys().end()) continue;
    std::string text;
    if (key == "channel" && value.is_string()) {
      text = Channel(value.get<std::string>());
    } else if (key == "hold_reason" && value.is_string()) {
      text = HoldReason(value.get<std::string>());
      if (text.empty()) text = "なし（自動審査の対象）";
    } else if (key == "reason" && value.is_number_integer() && revocation) {
      text = RevocationReason(value.get<int>());
    } else {
      text = Scalar(value);
    }
    if (!text.empty()) out.push_back({label->second, text});
  }
  return out;
}

std::vector<std::string> KnownActions() {
  std::vector<std::string> out;
  for (const auto& [action, label] : Actions()) out.push_back(action);
  return out;
}

std::vector<std::string> KnownHoldReasons() {
  return {"manual_review", "not_in_register", "name_mismatch", "too_many_certificates",
          "review_error"};
}

}  // namespace claimsca::portal::labels
