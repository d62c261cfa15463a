#include "cmd/billing_payments.h"

#include <cstdio>

#include "billing/payment_store.h"
#include "cmd/billing_revoke.h"
#include "cmd/ca_files.h"
#include "common/iso_date.h"

namespace claimsca::cmd {
namespace {

using billing::NonPaymentCase;
using billing::RevocationOutcome;

std::string Actor(const PaymentsCli& cli) { return "operator:" + cli.by; }

int ImportPayments(App& app, const PaymentsCli& cli) {
  auto bytes = ReadFile(cli.file);
  if (!bytes.ok()) return ExitWithError(bytes.status());
  const Instant now = app.clock->Now();
  const std::string name = cli.file.substr(cli.file.find_last_of('/') + 1);
  auto r = billing::ImportPayments(*app.store, *bytes, name, JstDate(now), now, Actor(cli));
  if (!r.ok()) return ExitWithError(r.status().WithContext(cli.file));
  if (r->repeated_file) {
    std::printf("already imported (sha256 %s): nothing new\n", r->sha256.c_str());
    return 0;
  }
  for (const std::string& line : r->lines) std::printf("%s\n", line.c_str());
  std::printf("applied %lld, queued %lld, already imported %lld (of %lld transfers)\n",
              static_cast<long long>(r->applied), static_cast<long long>(r->queued),
              static_cast<long long>(r->skipped), static_cast<long long>(r->transfers));
  return 0;
}

int ShowQueue(App& app) {
  auto q = billing::PaymentQueue(*app.store);
  if (!q.ok()) return ExitWithError(q.status());
  std::printf(
      "id\tbooking_date\tinquiry\tamount\treason\tinvoice\tcandidates\tpayer_code\tpayer\n");
  for (const auto& p : *q) {
    std::printf("%lld\t%s\t%s\t%lld\t%s\t%s\t%s\t%s\t%s\n", static_cast<long long>(p.id),
                p.booking_date.c_str(), p.inquiry_number.c_str(),
                static_cast<long long>(p.amount_yen), p.outcome.c_str(), p.invoice_number.c_str(),
                p.candidates.c_str(), p.payer_code.c_str(), p.payer_name.c_str());
  }
  std::fprintf(stderr, "%zu payment(s) in the queue\n", q->size());
  return 0;
}

int Resolve(App& app, const PaymentsCli& cli) {
  const int given = !cli.invoice.empty() + !cli.ignore.empty() + !cli.refund.empty();
  if (given != 1) {
    return ExitWithError(InvalidArgument("give exactly one of --invoice, --ignore or --refund"));
  }
  const billing::Resolution how = !cli.invoice.empty()  ? billing::Resolution::kApply
                                  : !cli.ignore.empty() ? billing::Resolution::kIgnore
                                                        : billing::Resolution::kRefund;
  const std::string reason = !cli.ignore.empty() ? cli.ignore : cli.refund;
  auto r = billing::ResolvePayment(*app.store, cli.id, how, cli.invoice, reason, app.clock->Now(),
                                   Actor(cli));
  if (!r.ok()) return ExitWithError(r.status());
  if (how != billing::Resolution::kApply) {
    std::printf("payment %lld %s: %s\n", static_cast<long long>(cli.id),
                how == billing::Resolution::kIgnore ? "ignored" : "to be refunded", reason.c_str());
    return 0;
  }
  std::printf("payment %lld applied to %s: open %lld → %lld yen%s\n",
              static_cast<long long>(cli.id), cli.invoice.c_str(),
              static_cast<long long>(r->open_before), static_cast<long long>(r->open_after),
              r->open_after < 0 ? " (overpaid: refund the difference)" : "");
  return 0;
}

int ListUnpaid(App& app) {
  const int grace = app.config.billing_grace_days;
  const Date today = JstDate(app.clock->Now());
  auto list = billing::UnpaidInvoices(*app.store, today, grace);
  if (!list.ok()) return ExitWithError(list.status());
  std::printf("invoice\tinstitution\tdue_date\tamount\tpaid\toutstanding\tconfirmed\tname\n");
  for (const auto& u : *list) {
    std::printf("%s\t%s\t%s\t%lld\t%lld\t%lld\t%lld\t%s\n", u.number.c_str(),
                u.institution_code.c_str(), IsoDate(u.due_date).c_str(),
                static_cast<long long>(u.amount_yen), static_cast<long long>(u.paid_yen),
                static_cast<long long>(u.amount_yen - u.paid_yen),
                static_cast<long long>(u.confirmations), u.name.c_str());
  }
  std::fprintf(stderr, "%zu invoice(s) unpaid past the due date + %d days of grace on %s\n",
               list->size(), grace, IsoDate(today).c_str());
  return 0;
}

int RevokeUnpaid(App& app, const PaymentsCli& cli) {
  const int grace = app.config.billing_grace_days;
  const Instant now = app.clock->Now();
  auto c = billing::NonPaymentOf(*app.store, cli.invoice, JstDate(now), grace);
  if (!c.ok()) return ExitWithError(c.status());
  std::printf("invoice %s of %s (%s): %lld yen outstanding, due %s\n", c->invoice.number.c_str(),
              c->invoice.institution_code.c_str(), c->invoice.name.c_str(),
              static_cast<long long>(c->invoice.amount_yen - c->invoice.paid_yen),
              IsoDate(c->invoice.due_date).c_str());
  for (const std::string& ref : c->request_ids) std::printf("  application %s\n", ref.c_str());
  if (!cli.confirm) {
    return ExitWithError(FailedPrecondition(
        "nothing revoked: the operator's confirmation is required (add --confirm)"));
  }
  auto outcomes = RevokeUnpaidInvoice(app, cli.invoice, OperatorCaller(cli.by));
  if (!outcomes.ok()) return ExitWithError(outcomes.status());
  int failed = 0;
  for (const RevocationOutcome& o : *outcomes) {
    failed += o.outcome == "failed";
    std::printf("%s %s%s%s\n", o.outcome.c_str(), o.request_id.c_str(),
                o.detail.empty() ? "" : ": ", o.detail.c_str());
  }
  std::fprintf(stderr, "%zu revoked or already revoked, %d failed\n", outcomes->size() - failed,
               failed);
  return failed == 0 ? 0 : 4;
}

}  // namespace

void AddPaymentsCli(CLI::App* billing, PaymentsCli* cli,
                    const std::function<void(CLI::App*)>& add_common) {
  const auto add_by = [&](CLI::App* sub) {
    sub->add_option("--by", cli->by, "operator name for the audit trail")->capture_default_str();
  };
  cli->import = billing->add_subcommand(
      "import-payments", "import the bank's 全銀協 振込入金通知 file (all or nothing)");
  add_common(cli->import);
  cli->import->add_option("FILE", cli->file, "the payment file")->required();
  add_by(cli->import);

  auto* payments = billing->add_subcommand("payments", "the payments operator queue");
  payments->require_subcommand(1);
  cli->queue = payments->add_subcommand("queue", "payments not applied automatically");
  add_common(cli->queue);
  cli->resolve = payments->add_subcommand(
      "resolve", "apply a queued payment to an invoice, or ignore / refund it with a reason");
  add_common(cli->resolve);
  cli->resolve->add_option("ID", cli->id, "the payment's id (payments queue)")->required();
  cli->resolve->add_option("--invoice", cli->invoice, "apply it whole to this invoice number");
  cli->resolve->add_option("--ignore", cli->ignore, "ignore it, with this reason");
  cli->resolve->add_option("--refund", cli->refund, "to be refunded, with this reason");
  add_by(cli->resolve);

  cli->unpaid = billing->add_subcommand(
      "unpaid", "invoices unpaid past their due date plus billing.grace_days");
  add_common(cli->unpaid);
  cli->revoke = billing->add_subcommand(
      "revoke-unpaid",
      "revoke every certificate on an unpaid invoice (cessationOfOperation; needs --confirm)");
  add_common(cli->revoke);
  cli->revoke->add_option("--invoice", cli->invoice, "the unpaid invoice's number")->required();
  cli->revoke->add_flag("--confirm", cli->confirm, "the operator's confirmation");
  add_by(cli->revoke);
}

std::optional<int> RunPaymentsCli(const PaymentsCli& cli,
                                  const std::function<Result<std::unique_ptr<App>>()>& open) {
  const bool any = cli.import->parsed() || cli.queue->parsed() || cli.resolve->parsed() ||
                   cli.unpaid->parsed() || cli.revoke->parsed();
  if (!any) return std::nullopt;
  auto app = open();
  if (!app.ok()) return ExitWithError(app.status());
  if (cli.import->parsed()) return ImportPayments(**app, cli);
  if (cli.queue->parsed()) return ShowQueue(**app);
  if (cli.resolve->parsed()) return Resolve(**app, cli);
  if (cli.unpaid->parsed()) return ListUnpaid(**app);
  return RevokeUnpaid(**app, cli);
}

}  // namespace claimsca::cmd
