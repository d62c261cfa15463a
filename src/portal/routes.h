#pragma once

// The portal's route sets besides the main one (portal.cc), registered by AddPortalRoutes.
// Internal to claimsca_portal.

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "auth/self_service.h"
#include "common/clock.h"
#include "portal/one_time_files.h"
#include "portal/portal.h"
#include "ra/registration_authority.h"
#include "store/store.h"
#include "web/http.h"

namespace claimsca::portal {

// /console/…: the operator console (console.cc), with the notices page.
void AddConsoleRoutes(web::Router& router, const PortalDeps& deps);
// /console/notices…: the day's notice batch, its files and the tracking list import
// (console_notices.cc). Nothing when deps.notices is null.
void AddConsoleNoticeRoutes(web::Router& router, const PortalDeps& deps);

// /portal/billing and /portal/billing/invoices/{number}.pdf: the institution's 請求明細
// (billing_portal.cc); /console/billing…: the operator's billing page (billing_console.cc).
// Nothing when deps.billing is null.
void AddBillingPortalRoutes(web::Router& router, const PortalDeps& deps);
void AddBillingConsoleRoutes(web::Router& router, const PortalDeps& deps);

// The 国保連 program's pages (kokuhoren_portal.cc: /kj/login, /kj/password, /kj/, /kj/inbox…;
// kokuhoren_certificate.cc: /kj/certificate, /kj/apply, /kj/download, /kj/invoice…,
// /kj/reissue; kokuhoren_console.cc: /console/kokuhoren…). Nothing when deps.kokuhoren is
// null; a route whose function is null is not registered.
void AddKokuhorenPortalRoutes(web::Router& router, const PortalDeps& deps);
void AddKokuhorenCertificateRoutes(web::Router& router, const PortalDeps& deps);
void AddKokuhorenConsoleRoutes(web::Router& router, const PortalDeps& deps);
// /console/newinst/designations (newinst_import.cc; docs/newinst.md): with newinst_store.
void AddNewinstImportRoutes(web::Router& router, const PortalDeps& deps);

// /console/qualcheck… and /portal/qualcheck (qualcheck_console.cc). Nothing when
// deps.qualcheck is null.
void AddQualcheckRoutes(web::Router& router, const PortalDeps& deps);
// /portal/password/initial: 初回パスワード変更 (initial_password.cc). Nothing when
// deps.qualcheck has no initial_passwords. InitialPasswordScreen: the screen the login
// shows instead of a session when `account_id` still holds the letter's temporary password.
void AddInitialPasswordRoutes(web::Router& router, const PortalDeps& deps);
std::optional<web::Response> InitialPasswordScreen(const PortalDeps& d,
                                                   const std::string& account_id,
                                                   const std::string& csrf);
// /console/newinst and /portal/newinst… (newinst_pages.cc; docs/newinst.md). Nothing when
// deps.newinst is null.
void AddNewinstRoutes(web::Router& router, const PortalDeps& deps);

// The subsidy's pages (subsidy_portal.cc: /portal/subsidy; subsidy_console.cc:
// /console/subsidy…). Nothing when deps.subsidy is null.
void AddSubsidyPortalRoutes(web::Router& router, const PortalDeps& deps);
void AddSubsidyConsoleRoutes(web::Router& router, const PortalDeps& deps);
// /portal/newinst/withdraw and /console/newinst/withdraw: 指定なし (newinst_withdraw.cc).
// Nothing when deps.newinst_withdraw is empty.
void AddNewinstWithdrawRoutes(web::Router& router, const PortalDeps& deps);

// /portal/contact, /portal/guide/cps, /portal/guide/manual (help_pages.cc). Nothing when
// deps.help is null.
void AddHelpRoutes(web::Router& router, const PortalDeps& deps);
// /console/demo-mail… (demo_mail.cc). Nothing when deps.demo_outbox is null.
void AddDemoMailRoutes(web::Router& router, const PortalDeps& deps);
// /portal/apply/bulk and /portal/apply/bulk/template.csv: many terminals from one CSV file
// (bulk_apply.cc; docs/portal.md). Nothing when deps.bulk is null.
void AddBulkApplyRoutes(web::Router& router, const PortalDeps& deps);

// /portal/register, /portal/verify, /portal/reset-request, /portal/reset. `per_minute`
// limits registrations and reset requests per client address (counted in `state`). `svc`,
// `state` and `clock` must outlive the router.
void AddSelfServiceRoutes(web::Router& router, auth::SelfService& svc, store::Store& state,
                          const Clock& clock, int per_minute);

// /terminal/, POST /terminal/revoke, POST /terminal/update and GET /terminal/file: the
// terminal's own certificate, its revocation and its renewal by the holder (reached over
// the mTLS listener; elsewhere deps.presented_certificate refuses). Needs
// deps.presented_certificate and deps.applications; `files` hands the renewed file over.
void AddTerminalPageRoutes(web::Router& router, const PortalDeps& deps,
                           std::shared_ptr<OneTimeFiles> files);

}  // namespace claimsca::portal
