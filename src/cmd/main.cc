// claimsca: one binary, subcommands. main does the wiring and nothing else.

#include <CLI/CLI.hpp>
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "ca/server_key_issuance.h"
#include "cmd/admin.h"
#include "cmd/agent_cmd.h"
#include "cmd/app.h"
#include "cmd/audit_cmd.h"
#include "cmd/billing_cmd.h"
#include "cmd/billing_config.h"
#include "cmd/billing_ledger_cmd.h"
#include "cmd/billing_payments.h"
#include "cmd/billing_report_cmd.h"
#include "cmd/ca_ceremony.h"
#include "cmd/demo_setup.h"
#include "cmd/jobs.h"
#include "cmd/kokuhoren_accounts_cmd.h"
#include "cmd/kokuhoren_cert_cmd.h"
#include "cmd/kokuhoren_fees_cmd.h"
#include "cmd/newinst_cmd.h"
#include "cmd/newinst_import_cmd.h"
#include "cmd/newinst_withdraw_cmd.h"
#include "cmd/notices.h"
#include "cmd/qualcheck_cmd.h"
#include "cmd/rehearsal.h"
#include "cmd/serve.h"
#include "cmd/subsidy_cmd.h"
#include "common/time_util.h"
#include "crypto/ossl.h"
#include "crypto/pkcs12.h"
#include "store/register_csv.h"

namespace claimsca::cmd {
namespace {

struct Common {
  std::string data = "var";
  std::vector<std::string> sets;
  std::string at;      // --at: act as if it were this instant
  bool force = false;  // --force: a future --at even while a live serve runs

  void Add(CLI::App* sub, bool with_at = true, bool with_force = true) {
    sub->add_option("--data", data, "data directory (claimsca.toml, keys, database)")
        ->capture_default_str();
    sub->add_option("--set", sets, "override a setting: section.key=value (repeatable)");
    if (with_at) {
      sub->add_option("--at", at,
                      "act at this instant (ISO 8601; Asia/Tokyo when no offset), for tests "
                      "and rehearsals");
    }
    if (with_at && with_force) {
      sub->add_flag("--force", force,
                    "run with a future --at even while a live serve runs on this database "
                    "(docs/operations.md)");
    }
  }

  Result<std::unique_ptr<Clock>> MakeClock(bool running) const {
    if (at.empty()) return std::unique_ptr<Clock>(std::make_unique<SystemClock>());
    ASSIGN_OR_RETURN(Instant t, ParseInstant(at));
    if (running) return std::unique_ptr<Clock>(std::make_unique<OffsetClock>(t));
    return std::unique_ptr<Clock>(std::make_unique<FixedClock>(t));
  }
};

Result<std::unique_ptr<App>> Open(const Common& common, bool running, CaNeeds needs,
                                  const std::vector<std::string>& extra_sets = {}) {
  std::vector<std::string> sets = common.sets;
  sets.insert(sets.end(), extra_sets.begin(), extra_sets.end());
  ASSIGN_OR_RETURN(Config config, LoadConfig(common.data, sets));
  ASSIGN_OR_RETURN(auto clock, common.MakeClock(running));
  ASSIGN_OR_RETURN(auto app, OpenApp(std::move(config), std::move(clock), needs));
  // One-shot commands only: a `serve --at` is a rehearsal server of its own (it marks
  // nothing live; docs/operations.md).
  if (!running) RETURN_IF_ERROR(GuardRehearsal(*app, common.force));
  return app;
}

}  // namespace

int Main(int argc, char** argv) {
  // A peer that closes its socket must give a write error (EPIPE), not kill the process:
  // the agent, the CLI's HTTP and SMTP clients and serve all write to sockets. Without
  // this, `agent check` died silently (exit 141, no output) when a proxy dropped the
  // connection while it was still sending.
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App cli{
      "claimsca: certificate authority and enrollment portal for the online claims "
      "network"};
  cli.require_subcommand(1);

  // init
  Common init_c;
  std::string init_signer = "file", init_alg = "rsa2048", init_public_url, init_db,
              init_pkcs11_module, init_pkcs11_token, init_pkcs11_pin_file;
  bool init_force = false, init_demo = false;
  auto* init = cli.add_subcommand("init", "create a CA hierarchy, configuration and database");
  init_c.Add(init, true, false);
  init->add_option("--signer", init_signer, "key back end: file or pkcs11")->capture_default_str();
  init->add_option("--key-algorithm", init_alg, "CA key: rsa2048, rsa3072, ecp256")
      ->capture_default_str();
  init->add_option("--public-url", init_public_url, "base URL put in certificates (CRL, OCSP)");
  init->add_option("--database", init_db, "database URL (sqlite:FILE or postgresql://...)");
  init->add_option("--pkcs11-module", init_pkcs11_module, "PKCS#11 module path");
  init->add_option("--pkcs11-token", init_pkcs11_token, "PKCS#11 token label");
  init->add_option("--pkcs11-pin-file", init_pkcs11_pin_file, "file holding the user PIN");
  init->add_flag("--force", init_force, "overwrite an existing configuration");
  init->add_flag("--demo", init_demo,
                 "demo deployment: names say so, the register of --register imported, demo "
                 "logins, the demo mailbox (docs/operations.md \"Demo\")");
  std::string init_register, init_listen;
  init->add_option("--listen", init_listen,
                   "HOST:PORT of the plain HTTP listener, written to claimsca.toml (the public "
                   "URL follows it unless --public-url)");
  init->add_option("--register", init_register,
                   "with --demo: import this institution register (data/institutions-2025-08.csv) "
                   "and create the demo logins (`make run`)");

  // serve
  Common serve_c;
  std::string listen;
  auto* serve = cli.add_subcommand("serve", "serve OCSP, CRLs, CA certificates and the API");
  serve_c.Add(serve, true, false);
  serve->add_option("--listen", listen, "HOST:PORT of the plain HTTP listener");
  bool list_routes = false, read_only = false;
  serve->add_flag("--read-only", read_only,
                  "OCSP, CRLs and CA certificates only, from a database this process never "
                  "writes (a PostgreSQL standby; docs/operations.md \"Cluster\")");
  serve->add_flag("--list-routes", list_routes,
                  "print every route (METHOD PATTERN, * = prefix) and exit without serving");

  // sign
  Common sign_c;
  std::string csr_path, code, terminal, program = "common";
  auto* sign = cli.add_subcommand("sign", "issue a certificate from a CSR and print it (PEM)");
  sign_c.Add(sign);
  sign->add_option("--csr", csr_path, "CSR file (PEM or DER)")->required();
  sign->add_option("--code", code, "10-digit institution code or 8-digit insurer number")
      ->required();
  sign->add_option("--terminal", terminal, "terminal name (端末名称等)")->required();
  sign->add_option("--program", program, "program profile")->capture_default_str();

  // issue (server-made key, PKCS#12)
  Common issue_c;
  std::string issue_code, issue_terminal, issue_program = "common", issue_out, issue_alg;
  bool issue_legacy = false;
  auto* issue = cli.add_subcommand(
      "issue", "issue with a server-made key; write a password-protected PKCS#12");
  issue_c.Add(issue);
  issue->add_option("--code", issue_code, "institution code or insurer number")->required();
  issue->add_option("--terminal", issue_terminal, "terminal name (端末名称等)")->required();
  issue->add_option("--program", issue_program, "program profile")->capture_default_str();
  issue->add_option("--key-algorithm", issue_alg, "rsa2048 (default of the program), ecp256");
  issue->add_option("--out", issue_out, "PKCS#12 output file")->required();
  issue->add_flag("--legacy", issue_legacy, "3DES/SHA-1 PKCS#12 for old Windows importers");
  std::string issue_usage;
  issue->add_option("--usage-category", issue_usage,
                    "証明書利用区分 (kokuhoren), e.g. 介護保険証明書");

  // revoke
  Common revoke_c;
  std::string serial, reason = "unspecified", invalidity;
  auto* revoke = cli.add_subcommand("revoke", "revoke a certificate (effective at once)");
  revoke_c.Add(revoke);
  revoke->add_option("--serial", serial, "serial number (hex)")->required();
  revoke->add_option("--reason", reason, "RFC 5280 reason, e.g. keyCompromise")
      ->capture_default_str();
  revoke->add_option("--invalidity-date", invalidity, "when the key was known to be compromised");

  // crl
  Common crl_c;
  std::string crl_out;
  auto* crl = cli.add_subcommand("crl", "publish a new CRL now");
  crl_c.Add(crl);
  crl->add_option("--out", crl_out, "also write the DER CRL to this file");

  // ca: root key ceremonies (docs/revocation.md). No --at: what they sign is published.
  auto* ca_cmd =
      cli.add_subcommand("ca", "root key ceremonies: the ARL, the issuing CA certificate");
  ca_cmd->require_subcommand(1);
  Common arl_c, reissue_c;
  ArlCommand arl_o;
  auto* ca_arl = ca_cmd->add_subcommand(
      "arl", "sign a new ARL (the root's CRL of issuing CA certificates) into ca/root.crl");
  arl_c.Add(ca_arl, false);
  ca_arl->add_option("--revoke", arl_o.revoke_files, "issuing CA certificate (PEM) to revoke");
  ca_arl->add_option("--reason", arl_o.reason, "RFC 5280 reason, e.g. keyCompromise")
      ->capture_default_str();
  ca_arl->add_option("--invalidity-date", arl_o.invalidity, "when the key was compromised");
  ca_arl->add_option("--validity-days", arl_o.validity_days, "nextUpdate = now + this")
      ->capture_default_str();
  ca_arl->add_option("--out", arl_o.out, "also write the DER ARL to this file");
  auto* ca_reissue = ca_cmd->add_subcommand(
      "reissue-issuing", "re-issue the issuing CA certificate (same key) with today's profile");
  reissue_c.Add(ca_reissue, false);
  Common add_issuing_c;
  std::string add_issuing_program;
  auto* ca_add_issuing = ca_cmd->add_subcommand(
      "add-issuing", "make a program's own issuing CA in an existing data directory");
  add_issuing_c.Add(ca_add_issuing, false);
  ca_add_issuing->add_option("--program", add_issuing_program, "program id, e.g. kokuhoren")
      ->required();

  // admin
  auto* admin = cli.add_subcommand("admin", "operator commands");
  admin->require_subcommand(1);
  Common import_c;
  std::string register_file, operator_name = "operator";
  auto* import = admin->add_subcommand(
      "import-register", "import the institution register (医療機関等マスタ) CSV as a new version");
  import_c.Add(import);
  import->add_option("--file", register_file, "CSV: " + std::string(store::kRegisterCsvHeader))
      ->required();
  import->add_option("--by", operator_name, "operator name for the audit trail")
      ->capture_default_str();
  Common lookup_c;
  std::string lookup_code;
  auto* lookup = admin->add_subcommand("register-lookup", "show a code's registered data");
  lookup_c.Add(lookup);
  lookup->add_option("--code", lookup_code, "10-digit institution code")->required();

  // admin: the registration authority
  Common apps_c;
  ApplicationQuery apps_q;
  auto* apps = admin->add_subcommand("applications", "list applications, newest first");
  apps_c.Add(apps);
  apps->add_option("--state", apps_q.state, "pending, issued, rejected, cancelled, revoked");
  apps->add_option("--code", apps_q.institution_code, "institution code or insurer number");
  apps->add_flag("--held", apps_q.held, "only pending applications held for manual review");
  apps->add_option("--limit", apps_q.limit, "at most this many (1..500)")->capture_default_str();
  std::string request_id, by = "operator", reject_reason, serials_file, revoke_code,
                          revoke_reason = "unspecified";
  auto add_by = [&](CLI::App* sub) {
    sub->add_option("--by", by, "operator name for the audit trail")->capture_default_str();
  };
  Common show_c;
  auto* show = admin->add_subcommand("show", "one application as JSON, with its edits");
  show_c.Add(show);
  show->add_option("--request-id", request_id, "リクエストID (14 digits)")->required();
  Common approve_c;
  auto* approve = admin->add_subcommand(
      "approve", "approve a pending application: issue its certificate and PKCS#12");
  approve_c.Add(approve);
  approve->add_option("--request-id", request_id, "リクエストID")->required();
  add_by(approve);
  Common reject_c;
  auto* reject = admin->add_subcommand("reject", "reject a pending application with a reason");
  reject_c.Add(reject);
  reject->add_option("--request-id", request_id, "リクエストID")->required();
  reject->add_option("--reason", reject_reason, "reason told to the applicant")->required();
  add_by(reject);
  Common arevoke_c;
  auto* arevoke = admin->add_subcommand(
      "revoke", "revoke an application's certificate, or in bulk: an institution, a list");
  arevoke_c.Add(arevoke);
  arevoke->add_option("--request-id", request_id, "one application");
  arevoke->add_option("--code", revoke_code, "every active certificate of this institution");
  arevoke->add_option("--serials-file", serials_file, "serials, one per line");
  arevoke->add_option("--reason", revoke_reason, "RFC 5280 reason, e.g. keyCompromise")
      ->capture_default_str();
  add_by(arevoke);
  Common pw_c;
  auto* pw = admin->add_subcommand("download-password",
                                   "print an issued application's download password, once");
  pw_c.Add(pw);
  pw->add_option("--request-id", request_id, "リクエストID")->required();
  add_by(pw);
  Common acct_c;
  store::AccountRecord account;
  std::string password_file = "-";
  auto* acct = admin->add_subcommand("create-account", "create a portal or operator account");
  acct_c.Add(acct);
  acct->add_option("--id", account.account_id, "login name (e-mail for institutions)")->required();
  acct->add_option("--kind", account.kind, "institution or operator")->required();
  acct->add_option("--role", account.roles, "operator role: reviewer, operator, administrator");
  acct->add_option("--code", account.institution_codes, "institution code the account acts for");
  acct->add_option("--name", account.display_name, "display name");
  acct->add_option("--email", account.email, "e-mail address");
  acct->add_option("--password-file", password_file, "file with the password; - = stdin")
      ->capture_default_str();
  add_by(acct);

  // notices
  auto* notices = cli.add_subcommand("notices", "issuance notices (発行通知書)");
  notices->require_subcommand(1);
  Common print_c;
  std::string print_out;
  int print_limit = 10000;
  auto* print = notices->add_subcommand(
      "print", "print every notice awaiting print (PDF + mailing list), then erase the passwords");
  print_c.Add(print);
  print->add_option("--out", print_out, "directory for the PDF and the CSV")->required();
  print->add_option("--limit", print_limit, "at most this many notices")->capture_default_str();

  Common tracking_c;
  std::string tracking_file, tracking_by = "operator";
  auto* tracking = notices->add_subcommand(
      "import-tracking",
      "apply the mailing service's tracking list (request_id,tracking_number,status,date)");
  tracking_c.Add(tracking);
  tracking->add_option("--file", tracking_file, "the CSV file")->required();
  tracking->add_option("--by", tracking_by, "operator name for the audit trail")
      ->capture_default_str();

  // billing (docs/billing.md)
  auto* billing = cli.add_subcommand("billing", "fees and billing: methods, ledger, runs");
  billing->require_subcommand(1);
  auto* methods = billing->add_subcommand("methods", "billing method per institution");
  methods->require_subcommand(1);
  Common mset_c, mimport_c, ledger_c;
  std::string billing_code, billing_method, billing_file, billing_by = "operator", ledger_month,
                                                          ledger_code;
  auto* mset = methods->add_subcommand(
      "set", "change an institution's billing method, from the next billing month");
  mset_c.Add(mset);
  mset->add_option("code", billing_code, "institution code or insurer number")->required();
  mset->add_option("method", billing_method, "deduction or invoice")->required();
  mset->add_option("--by", billing_by, "operator name for the audit trail")->capture_default_str();
  auto* mimport = methods->add_subcommand(
      "import", "change billing methods from a CSV file (institution_code,billing_method)");
  mimport_c.Add(mimport);
  mimport->add_option("file", billing_file, "the CSV file")->required();
  mimport->add_option("--by", billing_by, "operator name for the audit trail")
      ->capture_default_str();
  auto* ledger = billing->add_subcommand("ledger", "list ledger entries (charges, credit notes)");
  ledger_c.Add(ledger);
  ledger->add_option("--month", ledger_month, "billing month YYYY-MM");
  ledger->add_option("--institution", ledger_code, "institution code");

  // kokuhoren offices and agents (docs/kokuhoren.md "Offices, agents and accounts")
  // (Other parts add to the same `kokuhoren` command.)
  CLI::App* kokuhoren = nullptr;
  for (CLI::App* sub :
       cli.get_subcommands([](CLI::App* a) { return a->get_name() == "kokuhoren"; })) {
    kokuhoren = sub;
  }
  if (kokuhoren == nullptr) {
    kokuhoren = cli.add_subcommand("kokuhoren", "the 国保連 program (docs/kokuhoren.md)");
    kokuhoren->require_subcommand(1);
  }
  auto* kj_office = kokuhoren->add_subcommand("office", "国保連 offices (事業所) and accounts");
  kj_office->require_subcommand(1);
  auto* kj_agent = kokuhoren->add_subcommand("agent", "国保連 agents (代理人請求)");
  kj_agent->require_subcommand(1);
  auto* kj_account = kokuhoren->add_subcommand("account", "国保連 accounts");
  kj_account->require_subcommand(1);
  Common kj_oadd_c, kj_oimp_c, kj_olist_c, kj_aadd_c, kj_alist_c, kj_reset_c;
  kokuhoren::Office kj_new_office;
  kokuhoren::Agent kj_new_agent;
  std::string kj_csv, kj_offices_file, kj_notice = "registration-notices.pdf", kj_by = "operator",
                                       kj_user_id;
  auto* kj_oadd = kj_office->add_subcommand("add", "register an office and print its notice");
  auto* kj_oimp = kj_office->add_subcommand("import", "register the offices of a CSV file");
  auto* kj_aadd = kj_agent->add_subcommand("add", "register an agent for registered offices");
  auto* kj_reset = kj_account->add_subcommand(
      "reset", "a new temporary login password for a lost one, with its notice");
  kj_reset_c.Add(kj_reset);
  kj_reset->add_option("user_id", kj_user_id, "KJ user ID")->required();
  for (auto* sub : {kj_oadd, kj_oimp, kj_aadd, kj_reset}) {
    sub->add_option("--notice", kj_notice, "registration result notice PDF to write")
        ->capture_default_str();
    sub->add_option("--by", kj_by, "operator name for the audit trail")->capture_default_str();
  }
  kj_oadd_c.Add(kj_oadd);
  kj_oadd->add_option("number", kj_new_office.care_office_number, "介護保険事業所番号")->required();
  kj_oadd->add_option("--name", kj_new_office.name, "事業所名")->required();
  kj_oadd->add_option("--postal-code", kj_new_office.postal_code, "postal code");
  kj_oadd->add_option("--address", kj_new_office.address, "address");
  kj_oadd->add_option("--email", kj_new_office.email, "e-mail for reminders");
  kj_oimp_c.Add(kj_oimp);
  kj_oimp->add_option("--file", kj_csv, "CSV: care_office_number,name,postal_code,address,email")
      ->required();
  kj_aadd_c.Add(kj_aadd);
  kj_aadd->add_option("--name", kj_new_agent.name, "代理人名")->required();
  kj_aadd->add_option("--office", kj_new_agent.offices, "an office it acts for (repeatable)");
  kj_aadd->add_option("--offices-file", kj_offices_file, "file of office numbers");
  kj_aadd->add_option("--postal-code", kj_new_agent.postal_code, "postal code");
  kj_aadd->add_option("--address", kj_new_agent.address, "address");
  kj_aadd->add_option("--email", kj_new_agent.email, "e-mail");
  auto* kj_olist = kj_office->add_subcommand("list", "list the registered offices");
  kj_olist_c.Add(kj_olist);
  auto* kj_alist = kj_agent->add_subcommand("list", "list the registered agents");
  kj_alist_c.Add(kj_alist);

  // jobs
  auto* jobs = cli.add_subcommand("jobs", "scheduled jobs (reminders, notices, mail, CRL, purge)");
  jobs->require_subcommand(1);
  Common jobs_c;
  std::vector<std::string> jobs_only;
  auto* jobs_run =
      jobs->add_subcommand("run",
                           "run every job due now (or at --at) once: reminders, notice-batch, "
                           "purge-downloads, mail, crl, audit-checkpoint");
  jobs_c.Add(jobs_run);
  jobs_run->add_option("--job", jobs_only, "only this job (repeatable)");

  // billing run (docs/billing.md "run")
  Common bill_run_c, bill_import_c;
  std::string bill_month, bill_out, bill_file, bill_by = "operator";
  auto* bill_run = billing->add_subcommand("run", "the monthly billing run of a month");
  bill_run_c.Add(bill_run);
  bill_run->add_option("--month", bill_month, "the run month, YYYY-MM")->required();
  bill_run->add_option("--out", bill_out, "directory of the files (default billing.files_dir)");
  auto* bill_import = billing->add_subcommand("import-deduction-result",
                                              "apply the payment system's deduction result file");
  bill_import_c.Add(bill_import);
  bill_import->add_option("file", bill_file, "the result file")->required();
  bill_import->add_option("--by", bill_by, "operator name for the audit trail");

  // audit
  auto* audit = cli.add_subcommand("audit", "the hash-chained audit trail");
  audit->require_subcommand(1);
  Common verify_c;
  auto* verify = audit->add_subcommand(
      "verify", "check the audit chain against its signed checkpoints: no row altered or removed");
  verify_c.Add(verify, false);
  Common checkpoint_c;
  auto* checkpoint = audit->add_subcommand(
      "checkpoint", "sign the audit chain's head into the checkpoint file (docs/audit.md)");
  checkpoint_c.Add(checkpoint, false);

  // billing report (docs/billing.md "report")
  Common report_c;
  std::string report_month, report_out;
  auto* report = billing->add_subcommand(
      "report", "the monthly accounting report (CSV, UTF-8 with BOM) per category");
  report_c.Add(report, false);
  report->add_option("--month", report_month, "the month, YYYY-MM")->required();
  report->add_option("--out", report_out, "write the CSV into this file (default: stdout)");

  // The terminal agent (docs/renewal-and-cmp.md): no data directory, only the terminal's
  // files and the CMP server.
  auto* agent_cmd = cli.add_subcommand("agent", "terminal agent: reminders and self-renewal (CMP)");
  agent_cmd->require_subcommand(1);
  agent::AgentOptions agent_o;
  std::string agent_at;
  int agent_days = 1;
  auto agent_common = [&](CLI::App* sub) {
    sub->add_option("--cert", agent_o.cert_file, "the terminal's certificate (PEM)")->required();
    sub->add_option("--at", agent_at, "act at this instant (ISO 8601), for tests and rehearsals");
    sub->add_option("--renew-within", agent_o.renew_within_days,
                    "renew when fewer days than this remain (minus the spread)")
        ->capture_default_str();
    sub->add_option("--jitter-days", agent_o.jitter_days,
                    "spread renewals over this many days, per terminal")
        ->capture_default_str();
    sub->add_option(
           "--window-days", agent_o.window_days,
           "the server's renewal window in days: never renew with more days left than this")
        ->capture_default_str();
  };
  auto* agent_check = agent_cmd->add_subcommand("check", "the daily check: remind, renew when due");
  agent_common(agent_check);
  agent_check->add_option("--key", agent_o.key_file, "the terminal's private key (PEM)")
      ->required();
  agent_check->add_option("--server", agent_o.server, "CMP server host:port")->required();
  agent_check->add_option("--path", agent_o.server_path, "CMP path")->capture_default_str();
  agent_check
      ->add_option("--trusted,--srvcert", agent_o.trusted_file,
                   "root or issuing CA certificate (PEM) that CMP responses must chain to")
      ->required();
  agent_check->add_option("--report-server", agent_o.report_server,
                          "the server's mTLS listener host:port: report failed renewals there");
  agent_check->add_option("--days", agent_days, "run this many daily checks, one day apart")
      ->capture_default_str();
  auto* agent_status = agent_cmd->add_subcommand("status", "one line: when it ends, what is next");
  agent_common(agent_status);

  // billing payments (docs/billing.md "payments"). Last before parsing: the `billing` group
  // is shared, whoever else added it.
  auto payments_group =
      cli.get_subcommands([](const CLI::App* a) { return a->get_name() == "billing"; });
  auto* payments_parent = payments_group.empty() ? cli.add_subcommand("billing", "fees and billing")
                                                 : payments_group.front();
  payments_parent->require_subcommand(1);
  Common payments_c;  // one of the payment commands runs at a time
  PaymentsCli payments;
  AddPaymentsCli(payments_parent, &payments, [&](CLI::App* sub) { payments_c.Add(sub); });

  // kokuhoren certificate applications (docs/kokuhoren.md): the `kokuhoren` group is
  // shared with the other parts of the program, whoever added it first.
  auto kj_group =
      cli.get_subcommands([](const CLI::App* a) { return a->get_name() == "kokuhoren"; });
  auto* kj_parent = kj_group.empty()
                        ? cli.add_subcommand("kokuhoren", "the 国保連 電子請求受付システム program")
                        : kj_group.front();
  kj_parent->require_subcommand(1);
  Common kj_cert_c;  // one of the application commands runs at a time
  KokuhorenCertCli kj_cert;
  AddKokuhorenCertCli(kj_parent, &kj_cert, [&](CLI::App* sub) { kj_cert_c.Add(sub); });
  Common kj_fees_c;
  KokuhorenFeesCli kj_fees;
  AddKokuhorenFeesCli(kj_parent, &kj_fees, [&](CLI::App* sub) { kj_fees_c.Add(sub); });
  Common newinst_c;  // newinst issue | list | show | present (docs/newinst.md)
  NewinstCli newinst_cli;
  AddNewinstCli(cli, &newinst_cli, [&](CLI::App* sub) { newinst_c.Add(sub); });
  Common newinst_import_c;  // newinst import-designations (niswap; docs/newinst.md)
  NewinstImportCli newinst_import;
  AddNewinstImportCli(cli, &newinst_import, [&](CLI::App* sub) { newinst_import_c.Add(sub); });

  // 資格確認限定型 applications (docs/qualcheck.md).
  Common qc_c;
  QualcheckCli qc;
  AddQualcheckCli(cli, &qc, [&](CLI::App* sub) { qc_c.Add(sub); });
  Common ni_certs_c;
  NewinstCertsCli ni_certs;
  AddNewinstCertsCli(cli, &ni_certs, [&](CLI::App* sub) { ni_certs_c.Add(sub); });

  // the 資格確認限定型 subsidy (docs/qualcheck.md "Subsidy")
  Common subsidy_c;
  SubsidyCli subsidy_cli;
  AddSubsidyCli(cli, &subsidy_cli, [&](CLI::App* sub) { subsidy_c.Add(sub); });

  CLI11_PARSE(cli, argc, argv);

  if (agent_cmd->parsed()) return RunAgent(agent_o, agent_at, agent_status->parsed(), agent_days);

  const CaNeeds kNoSigners{.issuing_signer = false, .ocsp_signer = false};
  if (import->parsed()) {
    auto app = Open(import_c, false, kNoSigners);
    if (!app.ok()) return ExitWithError(app.status());
    return RunImportRegister(**app, register_file, operator_name);
  }
  if (mset->parsed() || mimport->parsed() || ledger->parsed()) {
    const Common& c = mset->parsed() ? mset_c : mimport->parsed() ? mimport_c : ledger_c;
    auto app = Open(c, false, kNoSigners);
    if (!app.ok()) return ExitWithError(app.status());
    if (mset->parsed())
      return RunBillingMethodsSet(**app, billing_code, billing_method, billing_by);
    if (mimport->parsed()) return RunBillingMethodsImport(**app, billing_file, billing_by);
    return RunBillingLedger(**app, ledger_month, ledger_code);
  }
  const std::pair<CLI::App*, Common*> kj_commands[] = {
      {kj_oadd, &kj_oadd_c},   {kj_oimp, &kj_oimp_c},   {kj_aadd, &kj_aadd_c},
      {kj_olist, &kj_olist_c}, {kj_alist, &kj_alist_c}, {kj_reset, &kj_reset_c}};
  for (const auto& [cmd, common] : kj_commands) {
    if (!cmd->parsed()) continue;
    auto app = Open(*common, false, kNoSigners);
    if (!app.ok()) return ExitWithError(app.status());
    if (cmd == kj_oadd) return RunKokuhorenOfficeAdd(**app, kj_new_office, kj_notice, kj_by);
    if (cmd == kj_oimp) return RunKokuhorenOfficeImport(**app, kj_csv, kj_notice, kj_by);
    if (cmd == kj_aadd) {
      return RunKokuhorenAgentAdd(**app, kj_new_agent, kj_offices_file, kj_notice, kj_by);
    }
    if (cmd == kj_reset) return RunKokuhorenAccountReset(**app, kj_user_id, kj_notice, kj_by);
    return cmd == kj_olist ? RunKokuhorenOfficeList(**app) : RunKokuhorenAgentList(**app);
  }
  if (lookup->parsed()) {
    auto app = Open(lookup_c, false, kNoSigners);
    if (!app.ok()) return ExitWithError(app.status());
    return RunRegisterLookup(**app, lookup_code);
  }
  // Commands that never sign open without the CA keys; approve loads the issuing key.
  const std::pair<CLI::App*, Common*> ra_commands[] = {
      {apps, &apps_c},       {show, &show_c}, {approve, &approve_c}, {reject, &reject_c},
      {arevoke, &arevoke_c}, {pw, &pw_c},     {acct, &acct_c}};
  for (const auto& [cmd, common] : ra_commands) {
    if (!cmd->parsed()) continue;
    CaNeeds needs = kNoSigners;
    if (cmd == approve) needs.issuing_signer = true;
    auto app = Open(*common, false, needs);
    if (!app.ok()) return ExitWithError(app.status());
    App& a = **app;
    if (cmd == apps) return RunListApplications(a, apps_q);
    if (cmd == show) return RunShowApplication(a, request_id);
    if (cmd == approve) return RunApprove(a, request_id, by);
    if (cmd == reject) return RunReject(a, request_id, reject_reason, by);
    if (cmd == arevoke) {
      return RunRevokeApplications(a, request_id, revoke_code, serials_file, revoke_reason, by);
    }
    if (cmd == pw) return RunDownloadPassword(a, request_id, by);
    return RunCreateAccount(a, account, password_file, by);
  }
  if (auto exit_code = RunQualcheckCli(qc, [&] { return Open(qc_c, false, kNoSigners); })) {
    return *exit_code;
  }
  if (auto exit_code =
          RunPaymentsCli(payments, [&] { return Open(payments_c, false, kNoSigners); })) {
    return *exit_code;
  }
  if (auto exit_code =
          RunNewinstCertsCli(ni_certs, [&] { return Open(ni_certs_c, false, kNoSigners); })) {
    return *exit_code;
  }
  if (auto exit_code = RunKokuhorenCertCli(kj_cert, [&](bool issuing) {
        CaNeeds needs = kNoSigners;
        needs.issuing_signer = issuing;
        return Open(kj_cert_c, false, needs);
      })) {
    return *exit_code;
  }
  if (auto exit_code =
          RunNewinstCli(newinst_cli, [&] { return Open(newinst_c, false, kNoSigners); })) {
    return *exit_code;
  }
  if (auto exit_code = RunNewinstImportCli(
          newinst_import, [&] { return Open(newinst_import_c, false, kNoSigners); })) {
    return *exit_code;
  }
  if (auto exit_code = RunKokuhorenFeesCli(
          kj_fees, [&] { return Open(kj_fees_c, false, kNoSigners); },
          [](App& app, const std::string& id, const std::string& actor) -> Status {
            ASSIGN_OR_RETURN(std::unique_ptr<KjCert> kj, WireKjCert(app));
            return kj->ConfirmPayment(id, actor).status();
          })) {
    return *exit_code;
  }
  if (auto exit_code =
          RunSubsidyCli(subsidy_cli, [&] { return Open(subsidy_c, false, kNoSigners); })) {
    return *exit_code;
  }
  if (print->parsed()) {
    auto app = Open(print_c, false, kNoSigners);
    if (!app.ok()) return ExitWithError(app.status());
    return RunNoticesPrint(**app, print_out, print_limit);
  }
  if (tracking->parsed()) {
    auto app = Open(tracking_c, false, kNoSigners);
    if (!app.ok()) return ExitWithError(app.status());
    return RunImportTracking(**app, tracking_file, "operator:" + tracking_by);
  }
  if (bill_run->parsed() || bill_import->parsed()) {
    auto app = Open(bill_run->parsed() ? bill_run_c : bill_import_c, false, kNoSigners);
    if (!app.ok()) return ExitWithError(app.status());
    if (bill_run->parsed()) return RunBillingRunCommand(**app, bill_month, bill_out);
    return RunImportDeductionResult(**app, bill_file, bill_by);
  }
  if (jobs_run->parsed()) {
    // The issuing key only for the crl job (loading it costs a key derivation).
    const bool crl_job = jobs_only.empty() ||
                         std::find(jobs_only.begin(), jobs_only.end(), "crl") != jobs_only.end();
    auto app = Open(jobs_c, false, CaNeeds{.issuing_signer = crl_job, .ocsp_signer = false});
    if (!app.ok()) return ExitWithError(app.status());
    return RunJobsCommand(**app, jobs_only);
  }
  if (verify->parsed()) {
    auto app = Open(verify_c, false, kNoSigners);
    if (!app.ok()) return ExitWithError(app.status());
    return RunAuditVerify(**app);
  }
  if (checkpoint->parsed()) {
    auto app = Open(checkpoint_c, false, kNoSigners);
    if (!app.ok()) return ExitWithError(app.status());
    return RunAuditCheckpoint(**app);
  }
  if (report->parsed()) {
    auto app = Open(report_c, false, kNoSigners);
    if (!app.ok()) return ExitWithError(app.status());
    return RunBillingReportCommand(**app, report_month, report_out);
  }

  if (ca_add_issuing->parsed()) {
    auto config = LoadConfig(add_issuing_c.data, add_issuing_c.sets);
    if (!config.ok()) return ExitWithError(config.status());
    SystemClock clock;
    return RunAddIssuing(*config, clock, add_issuing_program);
  }
  if (ca_arl->parsed() || ca_reissue->parsed()) {
    const Common& cc = ca_arl->parsed() ? arl_c : reissue_c;
    auto config = LoadConfig(cc.data, cc.sets);
    if (!config.ok()) return ExitWithError(config.status());
    SystemClock clock;
    return ca_arl->parsed() ? RunCaArl(*config, clock, arl_o) : RunReissueIssuing(*config, clock);
  }

  if (init->parsed()) {
    Config config;
    config.data_dir = init_c.data;
    config.signer = init_signer;
    config.key_algorithm = init_alg;
    if (!init_listen.empty()) config.listen = init_listen;
    // "" = follows the listener (docs/operations.md): init's certificates get the default's.
    config.public_url =
        init_public_url.empty() ? PublicUrlOfListen(config.listen) : init_public_url;
    config.public_url_from_listen = init_public_url.empty();
    if (!init_db.empty()) config.database_url = init_db;
    if (!init_pkcs11_module.empty()) config.pkcs11_module = init_pkcs11_module;
    if (!init_pkcs11_token.empty()) config.pkcs11_token = init_pkcs11_token;
    if (!init_pkcs11_pin_file.empty()) config.pkcs11_pin_file = init_pkcs11_pin_file;
    config.programs = {ca::CommonProgramDefaults(), ca::KokuhorenProgramDefaults()};
    config.cmp_name = "claimsca Demo CMP Signer 1";
    if (!init_demo) {
      config.organization = "claimsca";
      config.root_name = "claimsca Root CA";
      config.issuing_name = "claimsca Issuing CA 1";
      config.ocsp_name = "claimsca OCSP Responder 1";
      config.cmp_name = "claimsca CMP Signer 1";
      config.programs[1].issuing_name = "claimsca Kokuhoren Issuing CA 1";
    }
    if (init_demo) SetDemoBillingPayee(config);  // says it is a demo (docs/operations.md)
    if (init_demo) SetDemoConfig(config);
    // `make run`'s journey: an operator reviews each application in the console.
    if (!init_register.empty()) config.ra_auto_review = false;
    auto clock = init_c.MakeClock(false);
    if (!clock.ok()) return ExitWithError(clock.status());
    std::string token;
    Status st = InitDataDir(config, {init_force}, **clock, &token);
    if (!st.ok()) return ExitWithError(st);
    std::printf("Initialised a CA in %s (%s keys, %s).\n", init_c.data.c_str(),
                config.signer.c_str(), config.key_algorithm.c_str());
    std::printf("Operator API token (shown once, only its hash is stored): %s\n", token.c_str());
    if (!init_register.empty() && !init_demo) {
      return ExitWithError(InvalidArgument("--register is for a demo (--demo)"));
    }
    if (!init_register.empty()) {
      auto app = Open(init_c, false, kNoSigners);
      if (!app.ok()) return ExitWithError(app.status());
      Status demo = RunDemoSetup(**app, init_register);
      if (!demo.ok()) return ExitWithError(demo.WithContext("init --demo"));
    }
    return 0;
  }

  if (serve->parsed()) {
    std::vector<std::string> extra;
    if (!listen.empty()) extra.push_back("server.listen=" + listen);
    if (read_only) extra.push_back("server.read_only=true");
    // A read-only node (the flag or server.read_only) signs OCSP answers only: it needs no
    // issuing CA or CMP key.
    if (!read_only) {
      std::vector<std::string> sets = serve_c.sets;
      sets.insert(sets.end(), extra.begin(), extra.end());
      auto config = LoadConfig(serve_c.data, sets);
      read_only = config.ok() && config->read_only;  // an error is reported by Open
    }
    const CaNeeds needs = read_only ? CaNeeds{.issuing_signer = false, .ocsp_signer = true}
                                    : CaNeeds{.cmp_signer = true};
    auto app = Open(serve_c, true, needs, extra);
    if (!app.ok()) return ExitWithError(app.status());
    return RunServe(**app, list_routes);
  }

  if (sign->parsed()) {
    auto app = Open(sign_c, false, {.issuing_signer = true, .ocsp_signer = false});
    if (!app.ok()) return ExitWithError(app.status());
    auto csr = ReadFile(csr_path);
    if (!csr.ok()) return ExitWithError(csr.status());
    auto issuer = (*app)->IssuerFor(program);
    if (!issuer.ok()) return ExitWithError(issuer.status());
    auto issued = (*issuer)->IssueFromCsr({program, code, terminal}, *csr);
    if (!issued.ok()) return ExitWithError(issued.status());
    std::fputs(crypto::CertDerToPem(issued->cert_der).c_str(), stdout);
    std::fprintf(stderr, "issued serial %s, Common Name %s, valid until %s\n",
                 issued->serial.c_str(), issued->common_name.c_str(),
                 FormatJst(issued->not_after).c_str());
    return 0;
  }

  if (issue->parsed()) {
    auto app = Open(issue_c, false, {.issuing_signer = true, .ocsp_signer = false});
    if (!app.ok()) return ExitWithError(app.status());
    ca::ServerKeyRequest req;
    req.issue = {issue_program, issue_code, issue_terminal};
    req.issue.usage_category = issue_usage;
    req.key_algorithm = issue_alg;
    req.mode = issue_legacy ? crypto::P12Mode::kLegacy : crypto::P12Mode::kModern;
    App& a = **app;
    auto issuer = a.IssuerFor(issue_program);
    if (!issuer.ok()) return ExitWithError(issuer.status());
    auto issued =
        ca::IssueWithServerKey(**issuer, *a.key_pool, a.programs, a.ChainFor(issue_program), req);
    if (!issued.ok()) return ExitWithError(issued.status());
    Status st = WriteFileAtomic(issue_out, issued->pkcs12_der, 0600);
    if (!st.ok()) return ExitWithError(st);
    std::printf("serial=%s\ncommon_name=%s\nnot_after=%s\npassword=%s\n",
                issued->certificate.serial.c_str(), issued->certificate.common_name.c_str(),
                FormatJst(issued->certificate.not_after).c_str(), issued->password.c_str());
    return 0;
  }

  if (revoke->parsed()) {
    auto app = Open(revoke_c, false, kNoSigners);
    if (!app.ok()) return ExitWithError(app.status());
    auto canonical = crypto::CanonicalSerialHex(serial);
    if (!canonical.ok()) return ExitWithError(canonical.status());
    auto code_value = ParseRevocationReason(reason);
    if (!code_value.ok()) return ExitWithError(code_value.status());
    std::optional<Instant> invalid_at;
    if (!invalidity.empty()) {
      auto t = ParseInstant(invalidity);
      if (!t.ok()) return ExitWithError(t.status().WithContext("--invalidity-date"));
      invalid_at = *t;
    }
    Instant now = (*app)->clock->Now();
    // Through the RA: a certificate of an application revokes the application too.
    auto items =
        (*app)->ra->RevokeSerials(OperatorCaller("cli"), {*canonical}, *code_value, invalid_at);
    if (!items.ok()) return ExitWithError(items.status());
    if (!items->front().status.ok()) return ExitWithError(items->front().status);
    std::printf("revoked %s at %s (reason %s)\n", canonical->c_str(), FormatJst(now).c_str(),
                reason.c_str());
    return 0;
  }

  if (crl->parsed()) {
    auto app = Open(crl_c, false, {.issuing_signer = true, .ocsp_signer = false});
    if (!app.ok()) return ExitWithError(app.status());
    return RunCrl(**app, crl_out);
  }
  return 0;
}

}  // namespace claimsca::cmd

int main(int argc, char** argv) { return claimsca::cmd::Main(argc, argv); }
