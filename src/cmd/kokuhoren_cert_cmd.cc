#include "cmd/kokuhoren_cert_cmd.h"

#include <openssl/crypto.h>

#include <cstdio>

#include "cmd/ca_files.h"
#include "cmd/kokuhoren_fees_web.h"
#include "common/iso_date.h"
#include "common/time_util.h"
#include "kokuhoren/fee_hooks.h"
#include "kokuhoren/reminders.h"
#include "kokuhoren/types.h"

namespace claimsca::cmd {
namespace {

using kokuhoren::CertApplication;

std::string Actor(const KokuhorenCertCli& cli) { return "operator:" + cli.by; }

// The first line of a password file, without its line end.
Result<std::string> ReadPassword(const std::string& path, const char* what) {
  if (path.empty()) return InvalidArgument(std::string(what) + ": a password file is required");
  ASSIGN_OR_RETURN(std::string s, ReadFile(path));
  const size_t end = s.find_first_of("\r\n");
  if (end != std::string::npos) s.resize(end);
  return s;
}

std::string DateOr(const std::optional<Instant>& t) {
  return t ? IsoDate(JstDate(*t)) : std::string("-");
}

void PrintHeader() {
  std::printf(
      "id\toffice\tapplied\tvalid_from\tvalid_to\tstate\tstatus\tusage\tpayment\tapplicant\n");
}

void PrintRow(const CertApplication& a, Instant now) {
  std::printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a.id.c_str(), a.office_number.c_str(),
              IsoDate(JstDate(a.applied_at)).c_str(), DateOr(a.ValidFrom()).c_str(),
              DateOr(a.not_after).c_str(),
              std::string(a.Expired(now) ? "expired" : kokuhoren::Name(a.state)).c_str(),
              std::string(a.StatusJa(now)).c_str(), std::string(kokuhoren::Name(a.usage)).c_str(),
              std::string(kokuhoren::Name(a.payment)).c_str(),
              kokuhoren::DisplayUserId(a.account_id).c_str());
}

void PrintIssued(const CertApplication& a) {
  std::printf("issued %s: serial %s, %s .. %s\n", a.id.c_str(), a.serial.c_str(),
              FormatJst(*a.not_before).c_str(), FormatJst(*a.not_after).c_str());
}

Result<kokuhoren::ApplyRequest> ApplyRequestOf(const KokuhorenCertCli& cli) {
  kokuhoren::ApplyRequest r;
  r.account_id = kokuhoren::AccountIdOf(cli.account);
  r.office_number = cli.office;
  ASSIGN_OR_RETURN(r.issuance_password, ReadPassword(cli.password_file, "issuance password"));
  auto v = kokuhoren::ParseValidityStart(cli.validity);
  auto u = kokuhoren::ParseUsageCategory(cli.usage);
  auto p = kokuhoren::ParsePaymentMethod(cli.payment);
  if (!v) return InvalidArgument("--validity: continue or from_issuance");
  if (!u) return InvalidArgument("--usage: care_insurance or care_and_disability");
  if (!p) return InvalidArgument("--payment: offset or transfer");
  r.validity = *v;
  r.usage = *u;
  r.payment = *p;
  if (!cli.offset_user.empty()) {
    r.offset_user_id = cli.offset_user;
    ASSIGN_OR_RETURN(r.offset_password,
                     ReadPassword(cli.offset_password_file, "offset office password"));
  }
  r.terms_accepted = cli.agree;
  return r;
}

int Run(App& app, KjCert& kj, const KokuhorenCertCli& cli) {
  const Instant now = app.clock->Now();
  if (cli.apply->parsed()) {
    auto r = ApplyRequestOf(cli);
    if (!r.ok()) return ExitWithError(r.status());
    auto a = kj.Apply(*r);
    OPENSSL_cleanse(r->issuance_password.data(), r->issuance_password.size());
    if (!a.ok()) return ExitWithError(a.status());
    std::printf("%s\t%s\t%s\n", a->id.c_str(), std::string(kokuhoren::Name(a->state)).c_str(),
                a->ValidFrom() ? FormatJst(*a->ValidFrom()).c_str() : "from_issuance");
    return 0;
  }
  if (cli.list->parsed()) {
    Result<std::vector<CertApplication>> list = std::vector<CertApplication>{};
    if (!cli.office.empty()) {
      list = kj.applications->ListForOffice(cli.office);
    } else {
      std::optional<kokuhoren::ApplicationState> state;
      if (!cli.state.empty()) {
        state = kokuhoren::ParseApplicationState(cli.state);
        if (!state) return ExitWithError(InvalidArgument("--state: unknown state " + cli.state));
      }
      list = kj.applications->List(state, cli.limit);
    }
    if (!list.ok()) return ExitWithError(list.status());
    PrintHeader();
    for (const CertApplication& a : *list) PrintRow(a, now);
    std::fprintf(stderr, "%zu application(s)\n", list->size());
    return 0;
  }
  if (cli.confirm->parsed()) {
    // kjfees: the ledger's payment first (repeatable), then the application moves.
    if (Status paid =
            kokuhoren::RecordTransferPaid(*app.store, cli.id, "", Actor(cli), app.clock->Now());
        !paid.ok()) {
      return ExitWithError(paid);
    }
    auto a = kj.ConfirmPayment(cli.id, Actor(cli));
    if (!a.ok()) return ExitWithError(a.status());
    if (a->state == kokuhoren::ApplicationState::kIssued) {
      PrintIssued(*a);
    } else {
      std::printf("%s: payment confirmed, pending\n", a->id.c_str());
    }
    return 0;
  }
  if (cli.cancel->parsed()) {
    auto a = kj.applications->Cancel(cli.id, Actor(cli));
    if (!a.ok()) return ExitWithError(a.status());
    // kjfees: an open fee is cancelled with the application (a 'cancel' ledger row).
    Status fee = store::RunInTransaction(*app.store, [&](store::SqlTx& tx) {
      return kokuhoren::CancelCharge(tx, a->id, "取消", Actor(cli), app.clock->Now()).status();
    });
    if (!fee.ok()) return ExitWithError(fee);
    std::printf("%s: cancelled\n", a->id.c_str());
    return 0;
  }
  if (cli.approve->parsed()) {
    if (kj.issuance == nullptr) return ExitWithError(Unavailable("the issuing CA is not loaded"));
    if (cli.all_pending) {
      auto n = kj.issuance->IssuePending(Actor(cli));
      if (!n.ok()) return ExitWithError(n.status());
      std::printf("issued %d\n", *n);
      return 0;
    }
    if (cli.id.empty())
      return ExitWithError(InvalidArgument("give an application ID or --all-pending"));
    auto a = kj.issuance->Issue(cli.id, Actor(cli));
    if (!a.ok()) return ExitWithError(a.status());
    PrintIssued(*a);
    return 0;
  }
  // download
  if (kj.issuance == nullptr) return ExitWithError(Unavailable("the issuing CA is not loaded"));
  auto d = kj.issuance->Download(kokuhoren::AccountIdOf(cli.account), cli.id);
  if (!d.ok()) return ExitWithError(d.status());
  Status st = WriteFileAtomic(cli.out, d->pkcs12_der, 0600);
  if (!st.ok()) return ExitWithError(st);
  std::printf("%s: %s (%zu bytes)\n", d->application.id.c_str(), cli.out.c_str(),
              d->pkcs12_der.size());
  return 0;
}

}  // namespace

Result<CertApplication> KjCert::Apply(const kokuhoren::ApplyRequest& r) {
  ASSIGN_OR_RETURN(CertApplication a, applications->Apply(r));
  if (!auto_issue || issuance == nullptr || a.state != kokuhoren::ApplicationState::kPending) {
    return a;
  }
  return issuance->Issue(a.id, "system:auto-issue");
}

Result<CertApplication> KjCert::ConfirmPayment(std::string_view id, std::string_view actor) {
  ASSIGN_OR_RETURN(CertApplication a, applications->ConfirmPayment(id, actor));
  if (!auto_issue || issuance == nullptr) return a;
  return issuance->Issue(a.id, "system:auto-issue");
}

Result<std::unique_ptr<KjCert>> WireKjCert(App& app, kokuhoren::ApplyHook on_apply) {
  if (!app.sealer) return FailedPrecondition("kokuhoren: no sealing key");
  ASSIGN_OR_RETURN(const ca::ProgramProfile* program,
                   app.programs.Find(std::string(kokuhoren::kProgram)));
  if (!app.kj_account_api) return FailedPrecondition("kokuhoren: no accounts");
  auto kj = std::make_unique<KjCert>();
  kokuhoren::ApplicationOptions options;
  options.program = program;
  options.sealer = &*app.sealer;
  // kjfees: without a hook of the caller's, the fee is charged in Apply's transaction.
  options.on_apply = on_apply ? std::move(on_apply) : FeeChargeHook(app);
  kj->applications = std::make_unique<kokuhoren::Applications>(*app.store, *app.kj_account_api,
                                                               *app.clock, options);
  // The issuer of the program: its own issuing CA (issuing-kj-1), or the deployment's in a
  // data directory made before it (docs/kokuhoren.md "The issuing CA").
  auto issuer = app.IssuerFor(kokuhoren::kProgram);
  if (issuer.ok() && app.key_pool != nullptr) {
    kj->issuance = std::make_unique<kokuhoren::Issuance>(
        *app.store, **issuer, *app.key_pool, app.programs, app.ChainFor(kokuhoren::kProgram),
        *app.sealer, *app.kj_account_api, *app.clock, ProcessHolder());
  }
  kj->auto_issue = app.config.kokuhoren_auto_issue;
  return kj;
}

void AddKokuhorenCertCli(CLI::App* kokuhoren, KokuhorenCertCli* cli,
                         const std::function<void(CLI::App*)>& add_common) {
  const auto add_by = [&](CLI::App* sub) {
    sub->add_option("--by", cli->by, "operator name for the audit trail")->capture_default_str();
  };
  cli->apply = kokuhoren->add_subcommand(
      "apply", "apply for an office's certificate as its KJ account (証明書の発行申請)");
  add_common(cli->apply);
  cli->apply->add_option("--account", cli->account, "the applicant's user ID (KJ…)")->required();
  cli->apply->add_option("--office", cli->office, "介護保険事業所番号")->required();
  cli->apply
      ->add_option("--issuance-password-file", cli->password_file,
                   "file holding the 証明書発行用パスワード")
      ->required();
  cli->apply->add_option("--validity", cli->validity, "continue or from_issuance")
      ->capture_default_str();
  cli->apply->add_option("--usage", cli->usage, "agents: care_insurance or care_and_disability")
      ->capture_default_str();
  cli->apply->add_option("--payment", cli->payment, "agents: offset or transfer")
      ->capture_default_str();
  cli->apply->add_option("--offset-user", cli->offset_user, "相殺: the offset office's user ID");
  cli->apply->add_option("--offset-password-file", cli->offset_password_file,
                         "相殺: file holding the offset office's login password");
  cli->apply->add_flag("--agree-terms", cli->agree, "consent to the terms of use (required)");

  cli->list = kokuhoren->add_subcommand("list", "certificate applications (TSV)");
  add_common(cli->list);
  cli->list->add_option("--office", cli->office, "one office's history (the 証明書 list)");
  cli->list->add_option("--state", cli->state,
                        "awaiting_payment, pending, issued, revoked or cancelled");
  cli->list->add_option("--limit", cli->limit, "at most this many")->capture_default_str();

  cli->approve = kokuhoren->add_subcommand("approve", "issue a pending application (kj_review)");
  add_common(cli->approve);
  cli->approve->add_option("ID", cli->id, "the application ID (KJA…)");
  cli->approve->add_flag("--all-pending", cli->all_pending, "issue every pending application");
  add_by(cli->approve);

  cli->confirm = kokuhoren->add_subcommand("confirm-payment",
                                           "a 振込 application's payment arrived (→ pending)");
  add_common(cli->confirm);
  cli->confirm->add_option("ID", cli->id, "the application ID (KJA…)")->required();
  add_by(cli->confirm);

  cli->cancel = kokuhoren->add_subcommand("cancel", "withdraw an open application");
  add_common(cli->cancel);
  cli->cancel->add_option("ID", cli->id, "the application ID (KJA…)")->required();
  add_by(cli->cancel);

  cli->download = kokuhoren->add_subcommand(
      "download", "write the PKCS#12 of an issued certificate as the given KJ account");
  add_common(cli->download);
  cli->download->add_option("ID", cli->id, "the application ID (KJA…)")->required();
  cli->download->add_option("--account", cli->account, "user ID (KJ…) of the office or agent")
      ->required();
  cli->download->add_option("--out", cli->out, "PKCS#12 output file")->required();
}

std::optional<int> RunKokuhorenCertCli(
    const KokuhorenCertCli& cli,
    const std::function<Result<std::unique_ptr<App>>(bool issuing)>& open) {
  const bool any = cli.apply->parsed() || cli.list->parsed() || cli.approve->parsed() ||
                   cli.confirm->parsed() || cli.cancel->parsed() || cli.download->parsed();
  if (!any) return std::nullopt;
  // Signing only in approve (and apply/confirm with auto_issue); download needs the
  // stored file only, but Issuance is built with the issuer, so it loads it too.
  const bool issuing = !cli.list->parsed() && !cli.cancel->parsed();
  auto app = open(issuing);
  if (!app.ok()) return ExitWithError(app.status());
  auto kj = WireKjCert(**app);
  if (!kj.ok()) return ExitWithError(kj.status());
  return Run(**app, **kj, cli);
}

Status AddKokuhorenCertJobs(App& app, jobs::Runner& runner) {
  ASSIGN_OR_RETURN(int at, jobs::ParseTimeOfDay(app.config.jobs_reminders_at, "jobs.reminders_at"));
  auto program = app.programs.Find(std::string(kokuhoren::kProgram));
  if (!program.ok()) return Status();  // a deployment without the program: no job
  runner.Add({"kj-expiry-notice", at, [&app, p = *program](Instant now) -> Result<std::string> {
                if (!app.kj_account_api) return FailedPrecondition("kokuhoren: no accounts");
                kokuhoren::ExpiryNotices notices(*app.store, *app.kj_account_api, *p,
                                                 app.mail_composer.get());
                ASSIGN_OR_RETURN(kokuhoren::ExpiryNoticeReport r, notices.Run(now));
                return "noticed=" + std::to_string(r.noticed) +
                       " emailed=" + std::to_string(r.emailed);
              }});
  return Status();
}

}  // namespace claimsca::cmd
