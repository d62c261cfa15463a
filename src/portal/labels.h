#pragma once

// The console's words (docs/portal.md "Console: labels"): every state, channel, audit action,
// actor and detail the operator console shows, in Japanese. Console pages show these and
// never the internal code or the stored JSON. A value without a label reads as a generic
// Japanese phrase (その他の記録, …), and labels_test fails for every state, rule or audit
// action in the code that has none, so a new one cannot reach the console unlabelled.
// Internal to claimsca_portal.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace claimsca::portal::labels {

// 発行承認待ち, 発行済み, … (ra::StateLabelJa, the guide's words).
std::string State(store::ApplicationState s);
// How the application came in: portal → ポータル, network → ネットワーク端末, api → API
// 連携（システム）, operator → 運用者の代理入力（郵送・電話）, cmp → 端末の自動更新 (CMP).
std::string Channel(std::string_view channel);
// Why automatic review held an application (RA HoldReason rule names); "" for none.
std::string HoldReason(std::string_view rule);
// Where a printed notice is (store::ShippingStatus): 印刷済み, 発送済み, お届け済み, 不達.
std::string Shipping(store::ShippingStatus s);
// A billing run's state: planned → 作成中（ファイル未完成）, done → 完了.
std::string BillingRunState(std::string_view state);
// Why a payment waits in the billing queue (the payments part's outcome names).
std::string BillingOutcome(std::string_view outcome);
// The RFC 5280 revocation reason codes the RA stores (0 理由を特定しない, 1 秘密鍵の危殆化, …).
std::string RevocationReason(int reason);

// An audit action ("application.approve" → 承認・証明書の発行). nullopt when it has none.
std::optional<std::string> FindAction(std::string_view action);
// FindAction, or 「その他の記録」.
std::string Action(std::string_view action);
// Who did it: "operator:tanaka" → 運用者 tanaka, "account:a@b" → 申請者 a@b,
// "download:192.0.2.1" → ダウンロードサイト（接続元 192.0.2.1）, "system:…" → システム（自動処理）…
std::string Actor(std::string_view actor);

// One line of an audit event's details: 「理由」「入力ミス」.
struct DetailRow {
  std::string label;
  std::string value;
};
// The details of an audit event (a JSON object) as Japanese rows: known keys by their
// Japanese name and known values (channel, rule, revocation reason…) by their label.
// Keys without a label are left out (they are for the audit trail, not the console);
// malformed JSON gives no rows.
std::vector<DetailRow> Details(std::string_view action, std::string_view details_json);

// Every value with a label, for labels_test.
std::vector<std::string> KnownActions();
std::vector<std::string> KnownHoldReasons();

}  // namespace claimsca::portal::labels
