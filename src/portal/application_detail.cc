// The clinic's 詳細/編集 page (application_detail.h; docs/portal.md "The detail page").

#include "portal/application_detail.h"

#include "domain/normalize.h"
#include "portal/util.h"
#include "portal/views.h"
#include "ra/registration_authority.h"

namespace claimsca::portal {

using nlohmann::json;
using store::ApplicationRecord;
using store::ApplicationState;

namespace {

// Why a certificate was revoked (RFC 5280 CRLReason), in the words of the terminal site's
// choices (DOMAIN.md §6).
std::string RevocationReasonJa(int reason) {
  switch (reason) {
    case 1:
      return "電子証明書・発行通知書・端末の盗難や紛失";
    case 3:
      return "医療機関等の廃止・移転など";
    case 4:
      return "新しい電子証明書に切り替えた";
    case 5:
      return "端末の廃棄・利用の終了";
    default:
      return "理由の指定なし";
  }
}

bool Downloaded(const ApplicationRecord& a) {
  return a.download_count > 0 || a.last_downloaded_at.has_value();
}

void AddDate(json& dates, const char* label, const std::optional<Instant>& t) {
  if (t) dates.push_back({{"label", label}, {"value", FormatDateJa(*t)}});
}

// The editable fields of 図表15 with their label and what fits them: the input's type,
// the characters it takes, its width class (portal.css) and what the browser may fill in.
struct EditField {
  const char* name;
  const char* label;
  std::string ApplicationRecord::*value;
  const char* type;
  size_t max_chars;
  const char* width;  // CSS class: w-name (a name), w-email, w-phone
  const char* autocomplete;
  const char* inputmode;  // "" = the type's own
};
constexpr size_t kMaxPhoneChars = 20;  // "（011）123-4567" in full-width, with room
const EditField kEditFields[] = {
    {"contact_name", "担当部署/担当者名", &ApplicationRecord::contact_name, "text",
     domain::kMaxContactNameChars, "w-name", "off", ""},
    {"terminal_name", "端末名称等", &ApplicationRecord::terminal_name, "text",
     domain::kMaxTerminalNameChars, "w-name", "off", ""},
    {"email", "メールアドレス", &ApplicationRecord::email, "email", domain::kMaxEmailLength,
     "w-email", "email", ""},
    {"phone", "電話番号", &ApplicationRecord::phone, "tel", kMaxPhoneChars, "w-phone", "tel",
     "tel"},
};

}  // namespace

json DetailStatus(const ApplicationRecord& a, const DetailFacts& f) {
  json says = json::array();
  std::string state = StateJa(a.state);
  std::string state_class(store::ApplicationStateName(a.state));
  std::string next;
  std::string reject_reason;
  std::string notice;  // the shipping section's sentence while there is no shipping row
  bool apply_again = false;
  json dates = json::array();
  AddDate(dates, "申請日", a.submitted_at);
  switch (a.state) {
    case ApplicationState::kPending:
      says.push_back("申請を受け付け、審査しています。");
      says.push_back(
          "審査が終わると、結果をメールでお知らせします。承認されると電子証明書を発行し、発行通"
          "知書を届出の住所へ簡易書留で郵送します。");
      next =
          "審査の結果をお待ちください。申請を取り下げるときは、申請状況照会の画面の「発行申請の"
          "キャンセル」からキャンセルできます（発行料はかかりません）。";
      notice = "発行通知書は、承認されたあとに作成し、届出の住所へ簡易書留で郵送します。";
      break;
    case ApplicationState::kRejected:
      AddDate(dates, "棄却日", a.decided_at);
      says.push_back("審査の結果、この発行申請は棄却されました。");
      says.push_back("電子証明書は発行されず、発行通知書も送られません。発行料はかかりません。");
      reject_reason = a.reject_reason.empty()
                          ? "理由は記録されていません。お問い合わせの窓口にお問い合わせください。"
                          : a.reject_reason;
      next = "棄却の理由を確かめて、申請の内容を直してから、あらためて発行申請をしてください。";
      apply_again = true;
      break;
    case ApplicationState::kCancelled:
      AddDate(dates, "キャンセル日", a.cancelled_at);
      says.push_back("この発行申請はキャンセルされました。");
      if (f.fee_credited) {
        says.push_back(
            "承認の後、発行通知書の作成前にキャンセルしたため、発行した電子証明書は失効させ、い"
            "ったん計上した発行料は取り消しました。発行料はかかりません。");
      } else {
        says.push_back("承認の前にキャンセルしたため、発行料はかかりません。");
      }
      says.push_back("発行通知書は送られません。");
      next = "電子証明書が必要なときは、あらためて発行申請をしてください。";
      apply_again = true;
      break;
    case ApplicationState::kRevoked:
      AddDate(dates, "発行日", a.issued_at);
      AddDate(dates, "失効日", a.revoked_at);
      says.push_back(f.unpaid ? "お支払いがなかったため、この電子証明書は失効しました。"
                              : "この電子証明書は失効しています（失効の理由：" +
                                    RevocationReasonJa(a.revocation_reason) + "）。");
      says.push_back("失効した電子証明書は、二度と使えません。");
      next =
          "端末にインストールしている場合は、端末から削除してください。引き続き電子証明書が必要"
          "なときは、あらためて発行申請をしてください。";
      apply_again = true;
      break;
    case ApplicationState::kIssued: {
      AddDate(dates, "発行日", a.issued_at);
      AddDate(dates, "ダウンロード有効期限", a.download_deadline);
      AddDate(dates, "証明書有効期限", a.not_after);
      const std::string end = a.not_after ? FormatDateJa(*a.not_after) : "";
      const std::string deadline = a.download_deadline ? FormatDateJa(*a.download_deadline) : "";
      if (a.not_after && f.now >= *a.not_after) {
        state = "有効期限切れ";
        state_class = "expired";
        says.push_back("この電子証明書は、有効期限（" + end + "）を過ぎたため使えません。");
        next =
            "有効期限を過ぎた電子証明書は更新できません。引き続き必要なときは、あらためて発行申"
            "請をしてください（発行料と郵送料がかかります）。";
        apply_again = true;
      } else if (Downloaded(a)) {
        says.push_back("電子証明書はダウンロード済みです" +
                       (a.last_downloaded_at ? "（最後のダウンロード：" +
                                                   FormatJstMinute(*a.last_downloaded_at) + "）"
                                             : std::string()) +
                       "。有効期限は " + end + " です（この日の終わりまで使えます）。");
        says.push_back(
            "心当たりのないダウンロードのときは、すぐに申請状況照会の画面の「証明書の失効」から"
            "失効してください。");
        if (f.renewal_opens && f.now >= *f.renewal_opens) {
          next =
              "更新できます。有効期限までに、この電子証明書をインストールした端末で「この端末の"
              "電子証明書」の画面を開いて更新してください（郵送はありません）。";
        } else if (f.renewal_opens) {
          next = FormatDateJa(*f.renewal_opens) +
                 "から、この電子証明書をインストールした端末で更新できます。それまでは、何もする"
                 "必要はありません。";
        }
      } else if (a.download_deadline && f.now >= *a.download_deadline) {
        state = "ダウンロード期限切れ";
        state_class = "expired";
        says.push_back("ダウンロード有効期限（" + deadline +
                       "）を過ぎたため、この電子証明書はダウンロードできません。");
        next = "電子証明書が必要なときは、あらためて発行申請をしてください。";
        apply_again = true;
      } else if (!f.shipping && !a.sealed_password.empty()) {
        says.push_back(
            "審査が終わり、電子証明書を発行しました。ダウンロードに必要なリクエストIDとダウンロ"
            "ードパスワードを記載した発行通知書を作成して、届出の住所へ簡易書留で郵送します。");
        notice =
            "発行通知書はまだ作成していません。作成後、翌発送対応日（月曜～土曜。祝日等を除く）に"
            "届出の住所へ簡易書留で発送します。";
        if (f.free_cancel_until) {
          says.push_back(FormatJstMinute(*f.free_cancel_until) +
                         "（発行通知書の作成）までであれば、発行申請をキャンセルでき、発行料はか"
                         "かりません。");
        }
        next =
            "発行通知書が届いたら、ダウンロードサイトから電子証明書をダウンロードしてください"
            "（ダウンロード有効期限：" +
            deadline + "）。";
      } else {
        says.push_back(
            "発行通知書を作成しました。発送の状況は、下の「発送状況確認」で確かめられます。");
        notice = "発送の状況は、発送後に表示されます。";
        next =
            "発行通知書が届いたら、記載のリクエストIDとダウンロードパスワードで、ダウンロードサ"
            "イトから電子証明書をダウンロードしてください（ダウンロード有効期限：" +
            deadline + "）。";
      }
      break;
    }
  }
  return {{"state", state},   {"state_class", state_class},     {"says", says},
          {"next", next},     {"reject_reason", reject_reason}, {"dates", dates},
          {"notice", notice}, {"apply_again", apply_again}};
}

namespace {

// Reads the audit trail of the application for what the row no longer says.
void AuditFacts(const PortalDeps& d, const ApplicationRecord& a, DetailFacts& f) {
  if (d.audit == nullptr) return;
  if (a.state != ApplicationState::kCancelled && a.state != ApplicationState::kRevoked) return;
  auto rows = d.audit->AuditBySubject(a.request_id, 200);
  if (!rows.ok()) return;
  for (const store::AuditEntry& e : *rows) {
    if (e.action == "application.cancel_before_notice") f.fee_credited = true;
    if (e.action == "application.revoke") {
      const json details = json::parse(e.details, nullptr, false);
      if (details.is_object() && details.value("cause", "") == "unpaid") f.unpaid = true;
    }
  }
}

}  // namespace

web::Response ApplicationDetailPage(const PortalDeps& d, const Session& s, const std::string& id,
                                    const std::vector<domain::FieldError>& errors,
                                    const std::map<std::string, std::string>& after,
                                    std::string_view query) {
  auto a = d.ra.Get(s.caller, id);
  if (!a.ok()) return RaFailure(&s, a.status());
  auto account = d.accounts.GetAccount(s.caller.principal.account_id);
  auto shipping = d.ra.Shipping(s.caller, id);
  if (!shipping.ok()) return RaFailure(&s, shipping.status());

  DetailFacts facts;
  facts.now = d.clock.Now();
  if (*shipping) facts.shipping = &**shipping;
  if (d.slips) facts.free_cancel_until = d.slips->FreeUntil(*a);
  if (d.renewal && a->state == ApplicationState::kIssued)
    facts.renewal_opens = d.renewal->Opens(*a);
  AuditFacts(d, *a, facts);
  json status = DetailStatus(*a, facts);

  const bool editable = a->state == ApplicationState::kIssued;
  json fields = json::array();
  for (const EditField& e : kEditFields) {
    const std::string& before = (*a).*(e.value);
    auto it = after.find(e.name);
    json f = {{"name", e.name},          {"label", e.label},
              {"before", before},        {"after", it == after.end() ? before : it->second},
              {"type", e.type},          {"maxlength", e.max_chars},
              {"width", e.width},        {"autocomplete", e.autocomplete},
              {"inputmode", e.inputmode}};
    for (const auto& err : errors) {
      if (err.field == e.name) f["error"] = err.message_ja;
    }
    fields.push_back(f);
  }
  FormData q = FormData::Parse(query);
  json data = {{"title", "電子証明書申請情報編集"},
               {"account_name", account.ok() ? account->display_name : ""},
               {"account_email", account.ok() ? account->email : ""},
               {"account_id", s.caller.principal.account_id},
               {"request_id", a->request_id},
               {"common_name", a->common_name},
               {"notice_text", status["notice"]},
               {"status", status},
               {"editable", editable},
               {"pending", a->state == ApplicationState::kPending},
               {"fields", fields},
               {"updated", q.Has("updated")},
               {"nochange", q.Has("nochange")},
               {"has_errors", !errors.empty()}};
  if (facts.shipping) {
    const store::ShippingInfo& sh = *facts.shipping;
    data["shipping"] = {{"status", std::string(ra::ShippingLabelJa(sh.status))},
                        {"dispatch_on", FormatDateJa(std::string_view(sh.dispatch_on))},
                        {"tracking_number", sh.tracking_number},
                        {"status_on", FormatDateJa(std::string_view(sh.status_on))},
                        {"undeliverable", sh.status == store::ShippingStatus::kUndeliverable}};
  }
  return Page("detail", data, &s, errors.empty() ? 200 : 422);
}

}  // namespace claimsca::portal
