// The newinst certificate commands and job (newinst_withdraw_cmd.h).

#include "cmd/newinst_withdraw_cmd.h"

#include <cstdio>

#include "newinst/supersede.h"
#include "newinst/withdrawal.h"

namespace claimsca::cmd {
namespace {

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out.empty() ? "-" : out;
}

std::string SupersedeLine(const newinst::SupersedeReport& r) {
  return "superseded=" + std::to_string(r.revoked.size()) +
         " waiting=" + std::to_string(r.waiting) +
         " not_reissued=" + std::to_string(r.not_reissued);
}

}  // namespace

void AddNewinstCertsCli(CLI::App& cli, NewinstCertsCli* out,
                        const std::function<void(CLI::App*)>& add_common) {
  auto group = cli.get_subcommands([](const CLI::App* a) { return a->get_name() == "newinst"; });
  CLI::App* parent =
      group.empty() ? cli.add_subcommand("newinst", "newly opened institutions") : group.front();
  parent->require_subcommand(1);
  out->supersede = parent->add_subcommand(
      "supersede", "revoke (superseded) the certificates on replaced codes that were re-issued");
  add_common(out->supersede);
  out->withdraw = parent->add_subcommand(
      "withdraw", "not designated: withdraw everything on a 仮コード or 受付番号");
  add_common(out->withdraw);
  out->withdraw->add_option("code", out->code, "the 仮コード or the 受付番号")->required();
  out->withdraw->add_option("--by", out->by, "operator name for the audit trail")
      ->capture_default_str();
}

std::optional<int> RunNewinstCertsCli(const NewinstCertsCli& cli,
                                      const std::function<Result<std::unique_ptr<App>>()>& open) {
  const bool supersede = cli.supersede != nullptr && cli.supersede->parsed();
  const bool withdraw = cli.withdraw != nullptr && cli.withdraw->parsed();
  if (!supersede && !withdraw) return std::nullopt;
  auto app = open();
  if (!app.ok()) return ExitWithError(app.status());
  App& a = **app;
  if (supersede) {
    auto r =
        newinst::SupersedeReplaced(*a.store, a.clock->Now(), a.config.newinst_reissue_grace_days);
    if (!r.ok()) return ExitWithError(r.status());
    for (const auto& s : r->revoked) std::printf("revoked %s superseded\n", s.c_str());
    std::printf("%s\n", SupersedeLine(*r).c_str());
    return 0;
  }
  newinst::Withdrawal w(*a.store, *a.ra, a.mail_composer.get(), *a.clock);
  auto r = w.Withdraw(OperatorCaller(cli.by), cli.code);
  if (!r.ok()) return ExitWithError(r.status());
  if (r->already) {
    std::printf("%s already withdrawn\n", r->provisional_code.c_str());
    return 0;
  }
  std::printf(
      "withdrawn %s (受付番号 %s): revoked=%s cancelled=%s closed_accounts=%s credited_yen=%lld\n",
      r->provisional_code.c_str(), r->reception_number.empty() ? "-" : r->reception_number.c_str(),
      Join(r->revoked_serials).c_str(), Join(r->cancelled_requests).c_str(),
      Join(r->closed_accounts).c_str(), static_cast<long long>(r->credited_yen));
  return 0;
}

std::function<Result<std::string>(const ra::Caller&, const std::string&)> NewinstWithdrawForPages(
    App& app) {
  return [&app](const ra::Caller& caller, const std::string& code) -> Result<std::string> {
    newinst::Withdrawal w(*app.store, *app.ra, app.mail_composer.get(), *app.clock);
    ASSIGN_OR_RETURN(newinst::WithdrawalReport r, w.Withdraw(caller, code));
    if (r.already) return "仮コード " + r.provisional_code + " は、すでに取り下げ済みです。";
    return "仮コード " + r.provisional_code +
           " で設定した内容を取り下げました。失効した電子証明書 " +
           std::to_string(r.revoked_serials.size()) + " 件、取り消した発行申請 " +
           std::to_string(r.cancelled_requests.size()) + " 件、閉鎖したアカウント " +
           std::to_string(r.closed_accounts.size()) + " 件、取り消した料金 " +
           std::to_string(r.credited_yen) + " 円。";
  };
}

void AddNewinstCertsJobs(App& app, jobs::Runner& runner) {
  runner.Add({"newinst-supersede", std::nullopt, [&app](Instant now) -> Result<std::string> {
                ASSIGN_OR_RETURN(newinst::SupersedeReport r,
                                 newinst::SupersedeReplaced(*app.store, now,
                                                            app.config.newinst_reissue_grace_days));
                return SupersedeLine(r);
              }});
}

}  // namespace claimsca::cmd
