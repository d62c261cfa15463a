// The on-screen expiry reminder for terminals (mTLS listener; docs/notices-and-mail.md).

#include <nlohmann/json.hpp>

#include "cmd/api_util.h"
#include "cmd/routes.h"
#include "common/time_util.h"
#include "jobs/reminders.h"

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
}

}  // namespace claimsca::cmd
