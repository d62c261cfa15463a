#pragma once

// What the 国保連 pages share (kokuhoren_portal.cc, kokuhoren_certificate.cc,
// kokuhoren_console.cc): the KJ session, the office a request is about, the state words,
// the dates as the seeds print them. Internal to claimsca_portal.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "portal/kokuhoren_pages.h"
#include "portal/page.h"
#include "portal/portal.h"

namespace claimsca::portal {

// A logged-in KJ account: its session and how the pages show it.
struct KjContext {
  Session s;
  KjAccount account;
};

// The KJ session of the request. Else `refused` is set: no session → /kj/login, an
// operator → /console/kokuhoren, an institution → /portal/, the temporary password not yet
// changed → /kj/password (unless `password_page`), the account unreadable → 503.
std::optional<KjContext> LoadKj(const PortalDeps& d, const KokuhorenPages& k,
                                const web::Request& req, web::Response* refused,
                                bool password_page = false);

// The office the request is about: `requested` ("" = the account's first) if the account
// may `perm` for it; nullopt otherwise (the pages answer 404, as for any other's data).
std::optional<std::string> KjOfficeOf(const KjContext& c, auth::Permission perm,
                                      const std::string& requested);

// Whether an account kind is one of the 国保連 program's (kj_office, kj_agent).
bool IsKjAccount(std::string_view kind);

// The template `tmpl` in the 電子請求受付システム layout (the KJ header and menu).
web::Response KjPage(std::string_view tmpl, nlohmann::json data, const KjContext* c,
                     int status = 200);
web::Response KjMessage(const KjContext* c, int status, std::string title, std::string message,
                        std::string back = "/kj/", std::string back_label = "メインメニューへ");

// 入金確認待ち, 発行申請中, 発行済み, 失効済み, 取消, 有効期限切れ.
std::string KjStateJa(std::string_view state);
// 介護保険証明書 / 介護・障害共通証明書, 相殺 / 振込 ("" for "").
std::string KjUsageJa(std::string_view usage);
std::string KjPaymentJa(std::string_view payment);
// "2017年10月2日" (Asia/Tokyo).
std::string KjDateJa(Instant t);
// "7,800円".
std::string KjYen(int64_t yen);

}  // namespace claimsca::portal
