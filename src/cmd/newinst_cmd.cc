#include "cmd/newinst_cmd.h"

#include <cstdio>

#include "common/time_util.h"
#include "newinst/deadlines.h"
#include "newinst/reminder_mail.h"

namespace claimsca::cmd {
namespace {

using newinst::Institution;

std::string Deadline(const Institution& in, bool presentation) {
  auto m = newinst::ParseOpeningMonth(in.opening_month);
  if (!m.ok()) return "?";
  const newinst::Deadlines d = newinst::DeadlinesFor(*m);
  return newinst::FormatDeadline(presentation ? d.presentation : d.reply);
}

int Issue(App& app, const NewinstCli& cli) {
  newinst::InstitutionStore store(*app.store);
  auto r = store.Issue(cli.entry, "operator:" + cli.by, app.clock->Now());
  if (!r.ok()) return ExitWithError(r.status());
  std::printf("%s\n", r->provisional_code.c_str());
  std::fprintf(stderr, "診療開始月 %s: 受付番号の回答 %s まで, 提示期限 %s\n",
               r->opening_month.c_str(), Deadline(*r, false).c_str(), Deadline(*r, true).c_str());
  return 0;
}

int List(App& app, const NewinstCli& cli) {
  std::optional<newinst::State> state;
  if (!cli.state.empty()) {
    state = newinst::ParseState(cli.state);
    if (!state) return ExitWithError(InvalidArgument("unknown state " + cli.state));
  }
  newinst::InstitutionStore store(*app.store);
  auto rows = store.List(state);
  if (!rows.ok()) return ExitWithError(rows.status());
  std::printf(
      "provisional_code\tstate\topening_month\treply_deadline\tpresentation_deadline\t"
      "reception_number\tlate\treal_code\tname\n");
  for (const Institution& in : *rows) {
    std::printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", in.provisional_code.c_str(),
                std::string(newinst::Name(in.state)).c_str(), in.opening_month.c_str(),
                Deadline(in, false).c_str(), Deadline(in, true).c_str(),
                in.reception_number.value_or("").c_str(), in.presented_late ? "late" : "",
                in.real_code.value_or("").c_str(), in.name.c_str());
  }
  return 0;
}

void PrintRow(const Institution& in) {
  const auto line = [](const char* k, const std::string& v) {
    std::printf("%s\t%s\n", k, v.c_str());
  };
  line("provisional_code", in.provisional_code);
  line("state", std::string(newinst::Name(in.state)));
  line("state_ja", std::string(newinst::JapaneseName(in.state)));
  line("name", in.name);
  line("category", in.category);
  line("postal_code", in.postal_code);
  line("address", in.address);
  line("billing_method", in.billing_method);
  line("email", in.email);
  line("opening_month", in.opening_month);
  line("reply_deadline", Deadline(in, false));
  line("presentation_deadline", Deadline(in, true));
  line("reception_number", in.reception_number.value_or(""));
  line("presented_at", in.presented_at ? FormatUtc(*in.presented_at) : "");
  line("presented_late", in.presented_late ? "yes" : "no");
  line("real_code", in.real_code.value_or(""));
  line("created_at", FormatUtc(in.created_at));
  line("created_by", in.created_by);
}

int Show(App& app, const NewinstCli& cli) {
  newinst::InstitutionStore store(*app.store);
  auto r = store.FindByAnyCode(cli.code);
  if (!r.ok()) return ExitWithError(r.status());
  PrintRow(*r);
  return 0;
}

// One run of the deadline reminders at the App's clock (`--at`): the line the job logs.
Result<std::string> RemindOnce(App& app, Instant now) {
  ASSIGN_OR_RETURN(std::vector<int> days,
                   newinst::ParseReminderDays(app.config.newinst_reminder_days_before));
  if (!app.mail_composer) return FailedPrecondition("newinst remind: no mail composer");
  ASSIGN_OR_RETURN(newinst::ReminderMailReport r,
                   newinst::SendDeadlineReminders(*app.store, *app.mail_composer, days, now));
  std::string line =
      "mailed=" + std::to_string(r.mailed) + " already_sent=" + std::to_string(r.already_sent);
  for (const std::string& code : r.codes) line += " " + code;
  return line;
}

int Remind(App& app, const NewinstCli&) {
  auto r = RemindOnce(app, app.clock->Now());
  if (!r.ok()) return ExitWithError(r.status());
  std::printf("%s\n", r->c_str());
  return 0;
}

int Present(App& app, const NewinstCli& cli) {
  newinst::InstitutionStore store(*app.store);
  auto r = store.Present(cli.code, cli.reception, "operator:" + cli.by, app.clock->Now());
  if (!r.ok()) return ExitWithError(r.status());
  std::printf("%s\t%s\t%s\n", r->provisional_code.c_str(), r->reception_number->c_str(),
              r->presented_late ? "late" : "on_time");
  if (r->presented_late) {
    std::fprintf(stderr,
                 "warning: 提示期限 (%s) を過ぎています。診療開始日からの利用は保証されません。\n",
                 Deadline(*r, true).c_str());
  }
  return 0;
}

}  // namespace

CLI::App* NewinstGroup(CLI::App& cli) {
  auto found = cli.get_subcommands([](const CLI::App* a) { return a->get_name() == "newinst"; });
  if (!found.empty()) return found.front();
  CLI::App* g = cli.add_subcommand(
      "newinst", "newly opened institutions: 仮コード, 受付番号, the swap (docs/newinst.md)");
  g->require_subcommand(1);
  return g;
}

void AddNewinstCli(CLI::App& cli, NewinstCli* out,
                   const std::function<void(CLI::App*)>& add_common) {
  CLI::App* g = NewinstGroup(cli);
  out->issue = g->add_subcommand("issue", "issue a 仮コード for a clinic about to open");
  newinst::NewInstitution& e = out->entry;
  out->issue->add_option("--prefecture", e.prefecture, "都道府県番号 01–47")->required();
  out->issue->add_option("--score-table", e.score_table, "点数表 1, 3, 4, 6, 7")->required();
  out->issue->add_option("--category", e.category, "分類 (docs/accounts.md)")->required();
  out->issue->add_option("--name", e.name, "名称")->required();
  out->issue->add_option("--postal", e.postal_code, "郵便番号 (7 digits)")->required();
  out->issue->add_option("--address", e.address, "所在地")->required();
  out->issue->add_option("--opening-month", e.opening_month, "診療開始月 YYYY-MM")->required();
  out->issue->add_option("--billing-method", e.billing_method, "deduction | invoice")
      ->capture_default_str();
  out->issue->add_option("--email", e.email, "for the deadline reminders");
  out->list = g->add_subcommand("list", "list the 仮コード with their state and deadlines");
  out->list->add_option("--state", out->state, "provisional | presented | designated | withdrawn");
  out->show = g->add_subcommand("show", "one row, by 仮コード, 受付番号 or real code");
  out->show->add_option("code", out->code, "the code")->required();
  out->present = g->add_subcommand("present", "enter the 受付番号 on the clinic's behalf");
  out->present->add_option("provisional", out->code, "the 仮コード")->required();
  out->present->add_option("reception", out->reception, "the 受付番号 (10 digits)")->required();
  out->remind = g->add_subcommand(
      "remind", "mail the 受付番号 deadline reminders that are due (the newinst-remind job)");
  for (CLI::App* sub : {out->issue, out->list, out->show, out->present, out->remind}) {
    add_common(sub);
  }
  for (CLI::App* sub : {out->issue, out->present}) {
    sub->add_option("--by", out->by, "operator name for the audit trail")->capture_default_str();
  }
}

std::optional<int> RunNewinstCli(const NewinstCli& cli,
                                 const std::function<Result<std::unique_ptr<App>>()>& open) {
  int (*run)(App&, const NewinstCli&) = nullptr;
  if (cli.issue->parsed()) run = Issue;
  if (cli.list->parsed()) run = List;
  if (cli.show->parsed()) run = Show;
  if (cli.present->parsed()) run = Present;
  if (cli.remind->parsed()) run = Remind;
  if (run == nullptr) return std::nullopt;
  auto app = open();
  if (!app.ok()) return ExitWithError(app.status());
  return run(**app, cli);
}

Status AddNewinstReminderJob(App& app, jobs::Runner& runner) {
  ASSIGN_OR_RETURN(int at, jobs::ParseTimeOfDay(app.config.jobs_reminders_at, "jobs.reminders_at"));
  RETURN_IF_ERROR(newinst::ParseReminderDays(app.config.newinst_reminder_days_before).status());
  runner.Add({"newinst-remind", at,
              [&app](Instant now) -> Result<std::string> { return RemindOnce(app, now); }});
  return Status();
}

}  // namespace claimsca::cmd
