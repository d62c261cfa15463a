#include "cmd/subsidy_cmd.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "cmd/ca_files.h"
#include "common/iso_date.h"
#include "qualcheck/applications.h"
#include "qualcheck/bank.h"
#include "store/store.h"
#include "subsidy/payment_file.h"

namespace claimsca::cmd {
namespace {

std::string Actor(const SubsidyCli& s) { return "operator:" + s.by; }

void PrintApplication(const subsidy::Application& a) {
  std::printf("%s\t%s\t%s\t%s\t%s\t%lld\t%lld\t%s\t%s\n", a.application_id.c_str(),
              a.institution_code.c_str(), a.institution_name.c_str(),
              std::string(subsidy::StateName(a.state)).c_str(), IsoDate(a.applied_date).c_str(),
              static_cast<long long>(a.eligible_yen), static_cast<long long>(a.amount_yen),
              a.approval_date.value_or("-").c_str(), a.payment_file_date.value_or("-").c_str());
}

constexpr char kListHeader[] =
    "application\tinstitution\tname\tstate\tapplied\teligible_yen\tamount_yen\tapproved\t"
    "payment_file\n";

int Apply(App& app, subsidy::SubsidyStore& subs, const SubsidyCli& s) {
  subsidy::ApplyRequest r;
  r.institution_code = s.code;
  r.channel = subsidy::Channel::kPaper;
  r.actor = Actor(s);
  for (size_t i = 0; i < s.receipts.size(); ++i) {
    std::vector<std::string> f;
    size_t start = 0;
    for (int k = 0; k < 3; ++k) {
      size_t comma = s.receipts[i].find(',', start);
      if (comma == std::string::npos) break;
      f.push_back(s.receipts[i].substr(start, comma - start));
      start = comma + 1;
    }
    f.push_back(s.receipts[i].substr(start));
    if (f.size() != 4) {
      return ExitWithError(
          InvalidArgument("--receipt " + std::to_string(i + 1) + ": kind,YYYY-MM-DD,yen,vendor"));
    }
    Result<subsidy::Receipt> rc = subsidy::ParseReceipt(f[0], f[1], f[2], f[3]);
    if (!rc.ok()) {
      return ExitWithError(rc.status().WithContext("領収書" + std::to_string(i + 1)));
    }
    r.receipts.push_back(*rc);
  }
  Result<std::string> name = InstitutionName(app, s.code);
  if (!name.ok()) return ExitWithError(name.status());
  r.institution_name = *name;
  Result<subsidy::Application> a = subs.Apply(r);
  if (!a.ok()) return ExitWithError(a.status());
  std::fputs(kListHeader, stdout);
  PrintApplication(*a);
  return 0;
}

int Show(subsidy::SubsidyStore& subs, const SubsidyCli& s) {
  Result<subsidy::Application> a = subs.Get(s.id);
  if (!a.ok()) return ExitWithError(a.status());
  std::fputs(kListHeader, stdout);
  PrintApplication(*a);
  std::printf("schedule\tfrom %s\tdeadline %s\tcap %lld\trate %s\n", IsoDate(a->entry.from).c_str(),
              IsoDate(a->entry.deadline).c_str(), static_cast<long long>(a->entry.cap_yen),
              subsidy::FormatRate(a->entry.rate).c_str());
  for (const subsidy::Receipt& r : a->receipts) {
    std::printf("receipt\t%s\t%s\t%lld\t%s\n", std::string(subsidy::DeviceKindName(r.kind)).c_str(),
                IsoDate(r.purchase_date).c_str(), static_cast<long long>(r.amount_yen),
                r.vendor.c_str());
  }
  if (a->reject_reason) std::printf("reason\t%s\n", a->reject_reason->c_str());
  return 0;
}

int List(subsidy::SubsidyStore& subs, const SubsidyCli& s) {
  std::optional<subsidy::State> state;
  if (!s.state.empty()) {
    Result<subsidy::State> st = subsidy::ParseState(s.state);
    if (!st.ok()) return ExitWithError(st.status());
    state = *st;
  }
  auto list = subs.List(state, s.code.empty() ? std::nullopt : std::optional<std::string>(s.code));
  if (!list.ok()) return ExitWithError(list.status());
  std::fputs(kListHeader, stdout);
  for (const subsidy::Application& a : *list) PrintApplication(a);
  return 0;
}

int PaymentFile(App& app, const SubsidyCli& s) {
  Result<Instant> day = ParseInstant(s.date);
  if (s.date.size() != 10 || !day.ok()) {
    return ExitWithError(InvalidArgument("--date: YYYY-MM-DD"));
  }
  Result<subsidy::PaymentFile> f =
      subsidy::MakePaymentFile(*app.store, JstDate(*day), Actor(s), app.clock->Now());
  if (!f.ok()) return ExitWithError(f.status());
  const std::string dir = app.config.Path(s.out.empty() ? app.config.billing_files_dir : s.out);
  Result<std::string> path =
      WriteFileWithDigest(dir, f->file_name, f->content, f->sha256_file_name, f->sha256_content);
  if (!path.ok()) return ExitWithError(path.status());
  std::printf("%s\t%s: %lld subsidy(ies), %lld yen\n", path->c_str(),
              f->created ? "made" : "made before (same bytes)", static_cast<long long>(f->lines),
              static_cast<long long>(f->total_yen));
  return 0;
}

int MarkPaid(App& app, const SubsidyCli& s) {
  std::ifstream in(s.file, std::ios::binary);
  if (!in) return ExitWithError(NotFound(s.file + ": cannot be read"));
  const std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Result<int64_t> n = subsidy::MarkPaid(*app.store, content, Actor(s), app.clock->Now());
  if (!n.ok()) return ExitWithError(n.status());
  std::printf("%s\t%lld subsidy(ies) marked paid\n", s.file.c_str(), static_cast<long long>(*n));
  return 0;
}

}  // namespace

Result<std::unique_ptr<subsidy::SubsidyStore>> WireSubsidy(App& app) {
  ASSIGN_OR_RETURN(subsidy::Schedule schedule,
                   subsidy::Schedule::Create(app.config.subsidy_schedule));
  // qualcheck's applications, for their read API only: ApprovedUseStart reads no bank
  // digits, so the HMAC key of the bank check is not loaded here (an empty key).
  struct Lookup {
    qualcheck::BankDigits bank{std::string()};
    qualcheck::ApplicationStore applications;
    explicit Lookup(store::Store& s) : applications(s, bank) {}
  };
  auto lookup = std::make_shared<Lookup>(*app.store);
  const Clock* clock = app.clock.get();
  subsidy::ApprovedUse approved = [lookup, clock](std::string_view code) -> Result<bool> {
    ASSIGN_OR_RETURN(std::optional<qualcheck::UseStart> use,
                     lookup->applications.ApprovedUseStart(code, JstDate(clock->Now())));
    return use.has_value();
  };
  return std::make_unique<subsidy::SubsidyStore>(*app.store, std::move(schedule), *app.clock,
                                                 std::move(approved));
}

Result<std::string> InstitutionName(App& app, const std::string& code) {
  Result<store::RegisterEntry> e = app.store->FindInRegister(code);
  if (!e.ok()) {
    if (e.status().code() == Code::kNotFound) {
      return NotFound("医療機関等コード " + code + " は登録されていません");
    }
    return e.status();
  }
  return e->name;
}

void AddSubsidyCli(CLI::App& cli, SubsidyCli* s, const std::function<void(CLI::App*)>& add_common) {
  CLI::App* g = cli.add_subcommand("subsidy", "the 資格確認限定型 subsidy (docs/qualcheck.md)");
  g->require_subcommand(1);
  s->apply = g->add_subcommand("apply", "key a paper subsidy application (申請書, by post)");
  s->apply->add_option("--code", s->code, "医療機関等コード (10 digits)")->required();
  s->apply
      ->add_option("--receipt", s->receipts,
                   "a receipt: kind,YYYY-MM-DD,yen,vendor (kind smartphone, tablet or "
                   "card_reader; repeatable)")
      ->required();
  s->list = g->add_subcommand("list", "list subsidy applications, newest first");
  s->list->add_option("--state", s->state, "submitted, approved, rejected or paid");
  s->list->add_option("--code", s->code, "only this institution");
  s->show = g->add_subcommand("show", "one application with its receipts");
  s->approve = g->add_subcommand("approve", "approve a submitted application (amount fixed)");
  s->reject = g->add_subcommand("reject", "reject a submitted application");
  s->reject->add_option("--reason", s->reason, "the reason (shown to the clinic)")->required();
  for (CLI::App* sub : {s->show, s->approve, s->reject}) {
    sub->add_option("id", s->id, "the application id (SUB000001)")->required();
  }
  s->payment_file = g->add_subcommand(
      "payment-file", "the CSV of the approved, unpaid subsidies (marks them in the file)");
  s->payment_file->add_option("--date", s->date, "the file's date YYYY-MM-DD")->required();
  s->payment_file->add_option("--out", s->out, "directory (default billing.files_dir)");
  s->mark_paid = g->add_subcommand("mark-paid", "record the payment of a payment file");
  s->mark_paid->add_option("file", s->file, "the payment file made here")->required();
  for (CLI::App* sub :
       {s->apply, s->list, s->show, s->approve, s->reject, s->payment_file, s->mark_paid}) {
    add_common(sub);
  }
  for (CLI::App* sub : {s->apply, s->approve, s->reject, s->payment_file, s->mark_paid}) {
    sub->add_option("--by", s->by, "operator name for the audit trail")->capture_default_str();
  }
}

std::optional<int> RunSubsidyCli(const SubsidyCli& s,
                                 const std::function<Result<std::unique_ptr<App>>()>& open) {
  if (s.apply == nullptr) return std::nullopt;
  const bool any = s.apply->parsed() || s.list->parsed() || s.show->parsed() ||
                   s.approve->parsed() || s.reject->parsed() || s.payment_file->parsed() ||
                   s.mark_paid->parsed();
  if (!any) return std::nullopt;
  auto app = open();
  if (!app.ok()) return ExitWithError(app.status());
  App& a = **app;
  if (s.payment_file->parsed()) return PaymentFile(a, s);
  if (s.mark_paid->parsed()) return MarkPaid(a, s);
  auto subs = WireSubsidy(a);
  if (!subs.ok()) return ExitWithError(subs.status());
  if (s.apply->parsed()) return Apply(a, **subs, s);
  if (s.list->parsed()) return List(**subs, s);
  if (s.show->parsed()) return Show(**subs, s);
  Result<subsidy::Application> r = s.approve->parsed() ? (*subs)->Approve(s.id, Actor(s))
                                                       : (*subs)->Reject(s.id, s.reason, Actor(s));
  if (!r.ok()) return ExitWithError(r.status());
  std::fputs(kListHeader, stdout);
  PrintApplication(*r);
  return 0;
}

}  // namespace claimsca::cmd
