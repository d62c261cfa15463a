#pragma once

// The Japanese web portal (docs/portal.md): server-side rendered pages over the
// registration authority for institutions (login, マイページ, application with the
// pre-submit pop-up and confirmation, 申請状況照会, 詳細/編集), the network-terminal
// application form without an account, the download site, and the operator console.
// Thin like the JSON API: parse the form, call the RA / AuthService, render a template.

#include <chrono>
#include <functional>
#include <string>

#include "auth/address_ranges.h"
#include "auth/auth_service.h"
#include "auth/self_service.h"
#include "common/clock.h"
#include "portal/billing_pages.h"
#include "portal/help_pages.h"
#include "portal/kokuhoren_pages.h"
#include "portal/newinst_pages.h"
#include "portal/notice_pages.h"
#include "portal/qualcheck_pages.h"
#include "portal/subsidy_pages.h"
#include "ra/registration_authority.h"
#include "ra/renewal_status.h"
#include "ra/slip_cancel.h"
#include "store/bulk_store.h"
#include "store/store.h"
#include "web/http.h"

namespace claimsca::portal {

struct PortalDeps {
  ra::RegistrationAuthority& ra;
  auth::AuthService& auth;
  store::AccountStore& accounts;  // the session's CSRF secret and the account's display name
  // What every serve process shares of the pages (rate limits, one-time file links:
  // src/webstate), in the same database.
  store::Store& state;
  const auth::AddressRanges& network_ranges;  // where /network/ is open
  const Clock& clock;
  std::string root_cert_der;  // its thumbprints are shown on the download site
  // A session ends session_idle after its last request, and session_max after login.
  std::chrono::seconds session_idle{std::chrono::minutes(30)};
  std::chrono::seconds session_max{std::chrono::hours(2)};
  // Per client address: login and download tries per minute (0 = no limit).
  int login_per_minute = 20;
  int download_per_minute = 20;
  // Registration and password reset pages; absent (null) = not offered.
  auth::SelfService* self_service = nullptr;
  // The console's audit trail of an application and its register import; null = absent.
  store::AuditReader* audit = nullptr;
  store::RegisterWriter* register_writer = nullptr;
  // The terminal's revocation page: the mTLS listener's client certificate as the store
  // knows it, and its application; the page is absent unless both are set.
  store::ApplicationStore* applications = nullptr;
  std::function<Result<store::CertificateRecord>(const web::Request&)> presented_certificate;
  // The billing pages (請求明細, the console's billing page); null = not offered. Must
  // outlive the router.
  const BillingPages* billing = nullptr;
  // The 国保連 program's pages (/kj/…, /console/kokuhoren); null = not offered. Must
  // outlive the router.
  const KokuhorenPages* kokuhoren = nullptr;
  // The console's upload of the bureau's 新規指定医療機関一覧表 (/console/newinst/designations,
  // newinst::ImportDesignations runs its own transaction on it); null = not offered.
  store::Store* newinst_store = nullptr;
  // The 資格確認限定型 pages (/console/qualcheck…, /portal/qualcheck); null = not offered.
  const QualcheckPages* qualcheck = nullptr;
  // The new-institution pages (/console/newinst, /portal/newinst); null = not offered.
  const NewinstPages* newinst = nullptr;
  // The 資格確認限定型 subsidy's pages (/portal/subsidy, /console/subsidy…); null = not
  // offered. Must outlive the router.
  const SubsidyPages* subsidy = nullptr;
  // 指定なし (newinst_withdraw.cc): withdraws everything on the 仮コード / 受付番号 `code` for
  // `caller` and returns the sentence to show; empty = the page is not offered.
  std::function<Result<std::string>(const ra::Caller& caller, const std::string& code)>
      newinst_withdraw;
  // The renewal window and fee of a certificate (the terminal site's 更新, the list's
  // 更新可能); null = neither is offered.
  const ra::RenewalStatusReader* renewal = nullptr;
  // The お問い合わせ page and the guide's documents (help_pages.cc); null = not offered.
  const HelpPages* help = nullptr;
  // A demo's outbox, shown at /console/demo-mail (demo_mail.cc); null (production, always
  // unless serve runs a demo: docs/operations.md "Demo") = no such page.
  store::OutboxStore* demo_outbox = nullptr;
  // The application form (apply_prefill.cc): the account's institution as the register
  // knows it fills the form; null = the form starts from the account's codes alone.
  store::RegisterReader* register_reader = nullptr;
  // A slip costs nothing (issue 24 point 3): cancelling an automatically approved
  // application before the notice batch took it; null = only pending ones can be cancelled.
  ra::SlipCancellation* slips = nullptr;
  // Many terminals from one CSV file (bulk_apply.cc): all rows in one transaction; null =
  // the page is not offered.
  store::BulkStore* bulk = nullptr;
  // The console's notices page (/console/notices…, console_notices.cc): the day's batch,
  // its files and the tracking list import; null = not offered. Must outlive the router.
  const NoticePages* notices = nullptr;
};

// Registers /portal/…, /network/, /download/, /console/…, /static/portal.css|js and "/"
// (a redirect to /portal/); with self_service the registration and reset pages, with
// presented_certificate and applications /terminal/ (the holder's revocation page), with
// billing /portal/billing… and /console/billing… (docs/portal.md). Everything
// referenced by `deps` must outlive the router.
void AddPortalRoutes(web::Router& router, PortalDeps deps);

}  // namespace claimsca::portal
