#include "cmd/kokuhoren_accounts_cmd.h"

#include <cstdio>

#include "cmd/ca_files.h"
#include "kokuhoren/notice_pdf.h"
#include "kokuhoren/offices_csv.h"
#include "kokuhoren/types.h"

namespace claimsca::cmd {
namespace {

kokuhoren::NoticeSender Sender(const App& app) {
  const Config& c = app.config;
  return {c.kokuhoren_sender_organisation, c.kokuhoren_sender_postal_code,
          c.kokuhoren_sender_address, c.kokuhoren_login_url};
}

// Writes the notices (mode 0600: they hold passwords) and prints one line per registration.
Status WriteNotices(App& app, const std::vector<kokuhoren::Registration>& regs,
                    const std::string& notice_file) {
  if (regs.empty()) return Status::Ok();
  ASSIGN_OR_RETURN(std::string pdf,
                   kokuhoren::RegistrationNoticesPdf(regs, Sender(app), JstDate(app.clock->Now())));
  RETURN_IF_ERROR(WriteFileAtomic(notice_file, pdf, 0600));
  for (const auto& r : regs) {
    std::printf("%s\t%s\t%s\t%zu\n", r.user_id.c_str(), r.kind.c_str(), r.name.c_str(),
                r.offices.size());
  }
  std::printf("notices\t%s\t%zu pages\n", notice_file.c_str(), regs.size());
  return Status::Ok();
}

}  // namespace

int RunKokuhorenOfficeAdd(App& app, const kokuhoren::Office& office, const std::string& notice_file,
                          const std::string& by) {
  kokuhoren::Accounts& accounts = *app.kj_accounts;
  auto reg = accounts.RegisterOffice(office, "operator:" + by);
  if (!reg.ok()) return ExitWithError(reg.status());
  Status st = WriteNotices(app, {*reg}, notice_file);
  return st.ok() ? 0 : ExitWithError(st);
}

int RunKokuhorenOfficeImport(App& app, const std::string& csv_file, const std::string& notice_file,
                             const std::string& by) {
  auto text = ReadFile(csv_file);
  if (!text.ok()) return ExitWithError(text.status());
  auto offices = kokuhoren::ParseOfficesCsv(*text);
  if (!offices.ok()) return ExitWithError(offices.status());
  kokuhoren::Accounts& accounts = *app.kj_accounts;
  std::vector<kokuhoren::Registration> done;
  Status failed;
  for (const kokuhoren::Office& o : *offices) {
    auto reg = accounts.RegisterOffice(o, "operator:" + by);
    if (!reg.ok()) {
      failed = reg.status().WithContext("office " + o.care_office_number);
      break;
    }
    done.push_back(std::move(*reg));
  }
  Status st = WriteNotices(app, done, notice_file);
  if (!st.ok()) return ExitWithError(st);
  return failed.ok() ? 0 : ExitWithError(failed);
}

int RunKokuhorenAgentAdd(App& app, kokuhoren::Agent agent, const std::string& offices_file,
                         const std::string& notice_file, const std::string& by) {
  if (!offices_file.empty()) {
    auto text = ReadFile(offices_file);
    if (!text.ok()) return ExitWithError(text.status());
    auto numbers = kokuhoren::ParseOfficeNumbers(*text);
    if (!numbers.ok()) return ExitWithError(numbers.status());
    agent.offices.insert(agent.offices.end(), numbers->begin(), numbers->end());
  }
  kokuhoren::Accounts& accounts = *app.kj_accounts;
  auto reg = accounts.RegisterAgent(std::move(agent), "operator:" + by);
  if (!reg.ok()) return ExitWithError(reg.status());
  Status st = WriteNotices(app, {*reg}, notice_file);
  return st.ok() ? 0 : ExitWithError(st);
}

int RunKokuhorenAccountReset(App& app, const std::string& user_id, const std::string& notice_file,
                             const std::string& by) {
  auto reg = app.kj_accounts->ResetLoginPassword(user_id, "operator:" + by);
  if (!reg.ok()) return ExitWithError(reg.status());
  Status st = WriteNotices(app, {*reg}, notice_file);
  return st.ok() ? 0 : ExitWithError(st);
}

int RunKokuhorenOfficeList(App& app) {
  kokuhoren::Accounts& accounts = *app.kj_accounts;
  auto offices = accounts.ListOffices();
  if (!offices.ok()) return ExitWithError(offices.status());
  std::printf("care_office_number\tuser_id\tname\temail\n");
  for (const auto& o : *offices) {
    std::printf("%s\t%s\t%s\t%s\n", o.care_office_number.c_str(),
                kokuhoren::DisplayUserId(o.account_id).c_str(), o.name.c_str(), o.email.c_str());
  }
  return 0;
}

int RunKokuhorenAgentList(App& app) {
  kokuhoren::Accounts& accounts = *app.kj_accounts;
  auto agents = accounts.ListAgents();
  if (!agents.ok()) return ExitWithError(agents.status());
  std::printf("user_id\tname\toffices\n");
  for (const auto& g : *agents) {
    std::printf("%s\t%s\t%zu\n", kokuhoren::DisplayUserId(g.account_id).c_str(), g.name.c_str(),
                g.offices.size());
  }
  return 0;
}

}  // namespace claimsca::cmd
