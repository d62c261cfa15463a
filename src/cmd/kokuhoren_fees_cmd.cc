#include "cmd/kokuhoren_fees_cmd.h"

#include <cstdio>
#include <filesystem>

#include "billing/month.h"
#include "cmd/billing_config.h"
#include "cmd/ca_files.h"
#include "common/iso_date.h"
#include "kokuhoren/fees.h"
#include "kokuhoren/offset_file.h"
#include "store/module_sql.h"

namespace claimsca::cmd {
namespace {

using kokuhoren::FeeEntry;

std::string Actor(const KokuhorenFeesCli& cli) { return "operator:" + cli.by; }

int Balance(App& app, const KokuhorenFeesCli& cli) {
  int64_t balance = 0;
  Status st = store::RunRead(*app.store, [&](store::SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(balance, kokuhoren::BalanceOfOffice(tx, cli.office));
    return Status::Ok();
  });
  if (!st.ok()) return ExitWithError(st);
  std::printf("%s\t%lld\n", cli.office.c_str(), static_cast<long long>(balance));
  return 0;
}

int Ledger(App& app, const KokuhorenFeesCli& cli) {
  std::printf(
      "entry\tdate\toffice\tkind\tmethod\tfee\tamount\tapplication\taccount\tapplicant\t"
      "reference\tactor\n");
  Status st = store::RunRead(*app.store, [&](store::SqlTx& tx) {
    return kokuhoren::ForEachFeeEntry(tx, cli.office, [](const FeeEntry& e) {
      std::printf("%lld\t%s\t%s\t%s\t%s\t%s\t%lld\t%s\t%s\t%s\t%s\t%s\n",
                  static_cast<long long>(e.entry_id), e.entry_date.c_str(), e.office_number.c_str(),
                  std::string(kokuhoren::Name(e.kind)).c_str(),
                  std::string(kokuhoren::Name(e.method)).c_str(),
                  e.renewal ? "renewal" : "issuance", static_cast<long long>(e.amount_yen),
                  e.application_id.c_str(), e.account_id.c_str(), e.applicant_account.c_str(),
                  e.reference.c_str(), e.actor.c_str());
      return Status::Ok();
    });
  });
  return st.ok() ? 0 : ExitWithError(st);
}

int OffsetFile(App& app, const KokuhorenFeesCli& cli) {
  auto month = billing::ParseMonth(cli.month);
  if (!month.ok()) return ExitWithError(month.status());
  const std::string dir = app.config.Path(cli.out.empty() ? app.config.billing_files_dir : cli.out);
  Result<kokuhoren::OffsetFile> f = InvalidArgument("not run");
  Status st = store::RunInTransaction(*app.store, [&](store::SqlTx& tx) -> Status {
    f = kokuhoren::MakeOffsetFile(tx, *month, Actor(cli), app.clock->Now());
    return f.status();
  });
  if (!st.ok()) return ExitWithError(st);
  Result<std::string> path =
      WriteFileWithDigest(dir, f->file_name, f->content, f->sha256_file_name, f->sha256_content);
  if (!path.ok()) return ExitWithError(path.status());
  std::printf("%s\t%s: %lld office(s), %lld yen\n", path->c_str(),
              f->created ? "made" : "made before (same bytes)", static_cast<long long>(f->lines),
              static_cast<long long>(f->total_yen));
  return 0;
}

int Invoice(App& app, const KokuhorenFeesCli& cli) {
  if (cli.application.empty() == cli.number.empty()) {
    return ExitWithError(InvalidArgument("give exactly one of --application or --invoice"));
  }
  if (Status ready = BillingPayeeReady(app.config); !ready.ok()) return ExitWithError(ready);
  std::optional<kokuhoren::TransferInvoice> inv;
  Status st = store::RunRead(*app.store, [&](store::SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(inv, cli.number.empty() ? kokuhoren::InvoiceOfApplication(tx, cli.application)
                                             : kokuhoren::InvoiceByNumber(tx, cli.number));
    return Status::Ok();
  });
  if (!st.ok()) return ExitWithError(st);
  if (!inv) {
    return ExitWithError(
        NotFound("no 振込 invoice for " + (cli.number.empty() ? cli.application : cli.number)));
  }
  const Config& c = app.config;
  auto pdf = kokuhoren::RenderTransferInvoicePdf(
      *inv, InvoicePayee(c),
      kokuhoren::KokuhorenInvoiceIssuer(c.kokuhoren_sender_organisation,
                                        c.kokuhoren_sender_postal_code,
                                        c.kokuhoren_sender_address));
  if (!pdf.ok()) return ExitWithError(pdf.status());
  const std::string out = cli.out.empty() ? "kokuhoren-invoice-" + inv->number + ".pdf" : cli.out;
  if (Status w = WriteFileAtomic(out, *pdf); !w.ok()) return ExitWithError(w);
  std::printf("%s\t%s\t%lld yen\tdue %s\t%s\n", out.c_str(), inv->number.c_str(),
              static_cast<long long>(inv->amount_yen), IsoDate(inv->due_date).c_str(),
              inv->paid ? "paid" : "open");
  return 0;
}

int Import(App& app, const KokuhorenFeesCli& cli, const PaymentRelease& release) {
  auto bytes = ReadFile(cli.file);
  if (!bytes.ok()) return ExitWithError(bytes.status());
  const Instant now = app.clock->Now();
  Result<kokuhoren::ImportSummary> r = InvalidArgument("not run");
  Status st = store::RunInTransaction(*app.store, [&](store::SqlTx& tx) -> Status {
    r = kokuhoren::ImportTransferPayments(tx, *bytes, JstDate(now), Actor(cli), now, nullptr);
    return r.status();
  });
  if (!st.ok()) return ExitWithError(st.WithContext(cli.file));
  for (const kokuhoren::ImportedTransfer& t : r->transfers) {
    std::printf("%d\t%lld\t%s\t%s\t%s\n", t.record, static_cast<long long>(t.amount_yen),
                t.already_imported ? "already_imported" : t.outcome.c_str(),
                t.invoice_number.c_str(), t.payer_name.c_str());
  }
  // The applications of the payments applied leave awaiting_payment (kjcert), each in its
  // own transaction after the ledger's; `kokuhoren confirm-payment ID` finishes one that a
  // failure here left behind.
  int released = 0;
  for (const kokuhoren::ImportedTransfer& t : r->transfers) {
    if (t.already_imported || t.outcome != "applied" || !release) continue;
    Status st2 = release(app, t.application_id, Actor(cli));
    if (!st2.ok()) return ExitWithError(st2.WithContext("application " + t.application_id));
    ++released;
  }
  if (released > 0) std::printf("%d application(s) moved to pending\n", released);
  std::printf("applied %d, queued for an operator %d, already imported %d, not 国保連 %d\n",
              r->applied, r->queued, r->already, r->not_kokuhoren);
  return 0;
}

}  // namespace

void AddKokuhorenFeesCli(CLI::App* kokuhoren, KokuhorenFeesCli* cli,
                         const std::function<void(CLI::App*)>& add_common) {
  cli->balance =
      kokuhoren->add_subcommand("balance", "発行手数料残高 of an office (the ledger's sum)");
  cli->balance->add_option("--office", cli->office, "介護保険事業所番号")->required();
  cli->ledger = kokuhoren->add_subcommand("ledger", "list the fee ledger's entries");
  cli->ledger->add_option("--office", cli->office, "only this office (介護保険事業所番号)");
  cli->offset_file = kokuhoren->add_subcommand(
      "offset-file", "the monthly 相殺 file for the benefits payment (settles the balances)");
  cli->offset_file->add_option("--month", cli->month, "YYYY-MM")->required();
  cli->offset_file->add_option("--out", cli->out, "directory (default billing.files_dir)");
  cli->invoice =
      kokuhoren->add_subcommand("invoice", "the 振込 invoice (請求書) of an application as PDF");
  cli->invoice->add_option("--application", cli->application, "the application's id");
  cli->invoice->add_option("--invoice", cli->number, "the invoice number (10 digits)");
  cli->invoice->add_option("--out", cli->out, "PDF file (default kokuhoren-invoice-<number>.pdf)");
  cli->import = kokuhoren->add_subcommand("import-payments",
                                          "pay 振込 invoices from a 全銀協 振込入金通知 file");
  cli->import->add_option("file", cli->file, "the bank's file")->required();
  for (CLI::App* sub : {cli->balance, cli->ledger, cli->offset_file, cli->invoice, cli->import}) {
    add_common(sub);
  }
  for (CLI::App* sub : {cli->offset_file, cli->import}) {
    sub->add_option("--by", cli->by, "operator name for the audit trail")->capture_default_str();
  }
}

std::optional<int> RunKokuhorenFeesCli(const KokuhorenFeesCli& cli,
                                       const std::function<Result<std::unique_ptr<App>>()>& open,
                                       const PaymentRelease& release) {
  const bool any = cli.balance->parsed() || cli.ledger->parsed() || cli.offset_file->parsed() ||
                   cli.invoice->parsed() || cli.import->parsed();
  if (!any) return std::nullopt;
  auto app = open();
  if (!app.ok()) return ExitWithError(app.status());
  App& a = **app;
  if (cli.balance->parsed()) return Balance(a, cli);
  if (cli.ledger->parsed()) return Ledger(a, cli);
  if (cli.offset_file->parsed()) return OffsetFile(a, cli);
  if (cli.invoice->parsed()) return Invoice(a, cli);
  return Import(a, cli, release);
}

}  // namespace claimsca::cmd
