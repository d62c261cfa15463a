// The on-screen expiry reminder for terminals (mTLS listener; docs/notices-and-mail.md).

#include <nlohmann/json.hpp>

#include "cmd/api_util.h"
#include "cmd/routes.h"
#include "common/time_util.h"
#include "jobs/reminders.h"
#include "jobs/renewal_failures.h"

namespace claimsca::cmd {

void AddReminderRoutes(web::Router& router, RouteDeps deps) {
  App& app = deps.app;
  // Whether the terminal presenting its certificate shows the expiry dialog today
  // (90, 60, 30, 15, 7 days before the end, then daily), with the text to show.
  router.Handle("GET", "/terminal/reminder", false,
                [&app](const web::Request& req) {
                  auto record = PresentedCertificate(*app.store, req);
                  if (!record.ok()) return web::Response::FromStatus(record.status());
                  auto r = jobs::ScreenReminderFor(*app.store, *record, app.clock->Now());
                  if (!r.ok()) return web::Response::FromStatus(r.status());
                  nlohmann::json j = {{"serial", record->serial},
                                      {"show", r->show},
                                      {"days_left", r->days_left},
                                      {"not_after", FormatJst(r->not_after)}};
                  if (r->show) {
                    j["title"] = r->title;
                    j["message"] = r->message;
                  }
                  return web::Response::Json(j.dump());
                },
                {.slow = true});
  // The agent reports a failed renewal of the certificate it presents (issue 24 point 11,
  // docs/notices-and-mail.md "Renewal is failing"): counted per JST day; the daily
  // reminders job mails the institution once failures span jobs.renewal_failing_days days.
  router.Handle("POST", "/terminal/renewal-failures", false,
                [&app](const web::Request& req) {
                  auto record = PresentedCertificate(*app.store, req);
                  if (!record.ok()) return web::Response::FromStatus(record.status());
                  auto body = ParseJsonBody(req);
                  if (!body.ok()) return web::Response::FromStatus(body.status());
                  const auto it = body->find("reason");
                  if (it == body->end() || !it->is_string()) {
                    return web::Response::FromStatus(
                        InvalidArgument("reason: a string saying why the renewal failed"));
                  }
                  auto r = jobs::RecordRenewalFailure(*app.store, *record, it->get<std::string>(),
                                                      req.remote_addr, app.clock->Now());
                  if (!r.ok()) return web::Response::FromStatus(r.status());
                  nlohmann::json j = {{"serial", record->serial},
                                      {"day", r->day},
                                      {"reports_that_day", r->reports},
                                      {"days", r->days}};
                  return web::Response::Json(j.dump(), 201);
                },
                {.slow = true});
}

}  // namespace claimsca::cmd
