#include "cmd/qualcheck_cmd.h"

#include <openssl/crypto.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cmd/ca_files.h"
#include "common/iso_date.h"
#include "common/time_util.h"
#include "crypto/ossl.h"
#include "crypto/random.h"
#include "qualcheck/tracking.h"
#include "subsidy/calc.h"

namespace claimsca::cmd {
namespace {

using qualcheck::Application;

std::string Actor(const QualcheckCli& q) { return "operator:" + q.by; }

void PrintList(const std::vector<Application>& list) {
  std::printf("id\tchannel\tpaper_ref\tcode\tkinds\tstate\tbank_check\tuse_start\tname\n");
  for (const Application& a : list) {
    std::printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a.id.c_str(), a.channel.c_str(),
                a.paper_ref.c_str(), a.institution_code.c_str(), a.kinds.c_str(),
                std::string(qualcheck::Name(a.state)).c_str(),
                a.bank_check ? std::string(qualcheck::Name(*a.bank_check)).c_str() : "-",
                a.use_start_date.empty() ? "-" : a.use_start_date.c_str(), a.form.name.c_str());
  }
}

int Compare(qualcheck::ApplicationStore& apps, const std::string& ref_or_id) {
  auto found = apps.FindByPaperRef(ref_or_id);
  if (!found.ok()) return ExitWithError(found.status());
  std::string id = *found ? (*found)->id : ref_or_id;
  auto a = apps.Get(id);
  if (!a.ok()) return ExitWithError(a.status());
  auto keyings = apps.Keyings(id);
  if (!keyings.ok()) return ExitWithError(keyings.status());
  std::printf("%s\t%s\t%s\n", a->id.c_str(), a->paper_ref.c_str(),
              std::string(qualcheck::NameJa(a->state)).c_str());
  if (keyings->size() < 2) {
    std::printf("keyed once (by %s): waiting for the second keying\n",
                keyings->empty() ? "-" : keyings->back().keyer.c_str());
    return 0;
  }
  const auto& prev = (*keyings)[keyings->size() - 2];
  const auto& last = keyings->back();
  std::printf("field\t%s (#%lld)\t%s (#%lld)\tsame\n", prev.keyer.c_str(),
              static_cast<long long>(prev.seq), last.keyer.c_str(),
              static_cast<long long>(last.seq));
  const auto left = qualcheck::ComparedFields(prev.form);
  const auto right = qualcheck::ComparedFields(last.form);
  for (size_t i = 0; i < left.size(); ++i) {
    std::printf("%s\t%s\t%s\t%s\n", std::string(qualcheck::FieldLabelJa(left[i].first)).c_str(),
                left[i].second.c_str(), right[i].second.c_str(),
                left[i].second == right[i].second ? "=" : "≠");
  }
  for (const char* secret : {"password", "bank_last4"}) {
    const bool differs =
        std::find(last.differs.begin(), last.differs.end(), secret) != last.differs.end();
    std::printf("%s\t*\t*\t%s\n", std::string(qualcheck::FieldLabelJa(secret)).c_str(),
                differs ? "≠" : "=");
  }
  return 0;
}

}  // namespace

Result<std::unique_ptr<Qualcheck>> WireQualcheck(App& app) {
  const std::string path = app.config.Path("secrets/qualcheck_bank.key");
  auto hex = ReadSecret(path);
  if (!hex.ok() && hex.status().code() == Code::kNotFound) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    ASSIGN_OR_RETURN(std::string fresh, crypto::RandomBytes(32));
    RETURN_IF_ERROR(WriteFileAtomic(path, crypto::HexEncode(fresh) + "\n", 0600));
    OPENSSL_cleanse(fresh.data(), fresh.size());
    hex = ReadSecret(path);
  }
  if (!hex.ok()) return hex.status();
  ASSIGN_OR_RETURN(std::string key, crypto::HexDecode(*hex));
  if (key.size() < 16) return FailedPrecondition(path + ": the key is shorter than 16 bytes");
  auto q = std::make_unique<Qualcheck>();
  q->bank = std::make_unique<qualcheck::BankDigits>(std::move(key));
  q->apps =
      std::make_unique<qualcheck::ApplicationStore>(*app.store, *q->bank, app.auth->options().kdf);
  q->initial = std::make_unique<qualcheck::InitialPasswords>(*app.store);
  q->sender = {app.config.notice_sender_organisation, app.config.notice_sender_postal_code,
               app.config.notice_sender_address, app.config.public_url + "/portal/"};
  return q;
}

portal::QualcheckPages QualcheckPagesOf(App& app, Qualcheck& q) {
  portal::QualcheckPages p;
  p.apps = q.apps.get();
  p.initial_passwords = q.initial.get();
  p.approve = [&app, &q](const std::string& id, const std::string& actor) {
    return qualcheck::ApproveWithAccount(*q.apps, *app.store, *app.auth, *app.sealer, id, actor,
                                         app.clock->Now());
  };
  return p;
}

Result<qualcheck::Form> FormFromJson(std::string_view json) {
  const auto j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_object()) return InvalidArgument("form: not a JSON object");
  qualcheck::Form f;
  for (const auto& [k, v] : j.items()) {
    if (!v.is_string()) return InvalidArgument("form: " + k + " must be a string");
    const std::string s = v.get<std::string>();
    if (k == "password") {
      f.password = s;
    } else if (k == "bank_last4") {
      f.bank_last4 = s;
    } else if (!qualcheck::SetField(k, s, &f)) {
      return InvalidArgument("form: unknown field " + k);
    }
  }
  return f;
}

void AddQualcheckCli(CLI::App& cli, QualcheckCli* q,
                     const std::function<void(CLI::App*)>& add_common) {
  auto* g = cli.add_subcommand("qualcheck", "資格確認限定型 applications (docs/qualcheck.md)");
  g->require_subcommand(1);
  q->key = g->add_subcommand("key", "key a paper form (a second person keys it again)");
  q->key->add_option("--ref", q->ref, "受付番号 of the paper form")->required();
  q->key->add_option("--form", q->form_file, "the form as JSON (holds secrets)")->required();
  q->compare = g->add_subcommand("compare", "the last two keyings of a form side by side");
  q->compare->add_option("ref", q->ref, "受付番号 or application id")->required();
  q->approve = g->add_subcommand("approve", "approve an agreed application");
  q->approve->add_option("id", q->id, "application id")->required();
  q->reject = g->add_subcommand("reject", "reject an application with a reason");
  q->reject->add_option("id", q->id, "application id")->required();
  q->reject->add_option("--reason", q->reason, "却下理由")->required();
  q->list = g->add_subcommand("list", "list applications");
  q->list->add_option("--state", q->state, "keying, differs, agreed, approved or rejected");
  q->list->add_option("--code", q->code, "institution code");
  q->letters = g->add_subcommand("letters", "print the day's letters (two PDFs and a CSV)");
  q->letters->add_option("--out", q->out, "directory of the files")->capture_default_str();
  q->letters->add_option("--cap", q->cap,
                         "subsidy cap in yen (default: the [[subsidy.schedule]] entry in force)");
  q->letters->add_option("--deadline", q->deadline,
                         "subsidy deadline YYYY-MM-DD (default: the entry in force)");
  q->bank_import =
      g->add_subcommand("bank-import", "import institution_code,last4 of the claims accounts");
  q->bank_import->add_option("file", q->file, "the CSV file")->required();
  q->import_tracking = g->add_subcommand(
      "import-tracking", "import the letters' tracking list (request_id = application id)");
  q->import_tracking->add_option("file", q->file, "the CSV file")->required();
  for (CLI::App* sub : {q->key, q->compare, q->approve, q->reject, q->list, q->letters,
                        q->bank_import, q->import_tracking}) {
    add_common(sub);
    if (sub != q->compare && sub != q->list) {
      sub->add_option("--by", q->by, "staff name for the audit trail")->capture_default_str();
    }
  }
}

std::optional<int> RunQualcheckCli(const QualcheckCli& q,
                                   const std::function<Result<std::unique_ptr<App>>()>& open) {
  bool any = false;
  for (CLI::App* sub : {q.key, q.compare, q.approve, q.reject, q.list, q.letters, q.bank_import,
                        q.import_tracking}) {
    any = any || (sub != nullptr && sub->parsed());
  }
  if (!any) return std::nullopt;
  auto app = open();
  if (!app.ok()) return ExitWithError(app.status());
  auto wired = WireQualcheck(**app);
  if (!wired.ok()) return ExitWithError(wired.status());
  qualcheck::ApplicationStore& apps = *(*wired)->apps;
  const Instant now = (*app)->clock->Now();
  if (q.key->parsed()) {
    auto text = ReadFile(q.form_file);
    if (!text.ok()) return ExitWithError(text.status());
    auto form = FormFromJson(*text);
    OPENSSL_cleanse(text->data(), text->size());
    if (!form.ok()) return ExitWithError(form.status());
    auto r = apps.Key(q.ref, *form, Actor(q), now);
    OPENSSL_cleanse(form->password.data(), form->password.size());
    OPENSSL_cleanse(form->bank_last4.data(), form->bank_last4.size());
    if (!r.ok()) {
      for (const auto& e : qualcheck::FieldErrorsOf(r.status())) {
        std::fprintf(stderr, "%s\t%s\t%s\n", e.field.c_str(), e.rule.c_str(), e.message_ja.c_str());
      }
      return ExitWithError(r.status());
    }
    std::string differs;
    for (const auto& d : r->differs) differs += (differs.empty() ? "" : ",") + d;
    std::printf("%s\t%s\t%s\n", r->id.c_str(), std::string(qualcheck::Name(r->state)).c_str(),
                differs.c_str());
    return 0;
  }
  if (q.compare->parsed()) return Compare(apps, q.ref);
  if (q.approve->parsed()) {
    Status st = qualcheck::ApproveWithAccount(apps, *(*app)->store, *(*app)->auth, *(*app)->sealer,
                                              q.id, Actor(q), now);
    if (!st.ok()) return ExitWithError(st);
    auto a = apps.Get(q.id);
    if (!a.ok()) return ExitWithError(a.status());
    std::printf("%s\tapproved\t%s\t%s\n", a->id.c_str(), a->account_id.c_str(),
                a->use_start_date.c_str());
    return 0;
  }
  if (q.reject->parsed()) {
    Status st = apps.Reject(q.id, Actor(q), now, q.reason);
    if (!st.ok()) return ExitWithError(st);
    std::printf("%s\trejected\n", q.id.c_str());
    return 0;
  }
  if (q.list->parsed()) {
    std::optional<qualcheck::State> state;
    if (!q.state.empty()) {
      state = qualcheck::ParseState(q.state);
      if (!state) return ExitWithError(InvalidArgument("--state: unknown state " + q.state));
    }
    auto list = apps.List(state, q.code);
    if (!list.ok()) return ExitWithError(list.status());
    PrintList(*list);
    return 0;
  }
  if (q.letters->parsed()) {
    std::filesystem::create_directories(q.out);
    // The subsidy form prints the cap and deadline of the [[subsidy.schedule]] entry in force
    // on the letters' date unless the operator names them (--cap / --deadline).
    qualcheck::SubsidyTerms terms;
    terms.cap_yen = q.cap;
    terms.deadline = q.deadline;
    if (q.cap == 0 || q.deadline.empty()) {
      auto schedule = subsidy::Schedule::Create((*app)->config.subsidy_schedule);
      if (!schedule.ok()) return ExitWithError(schedule.status());
      auto entry = schedule->InForce(JstDate(now));
      if (!entry.ok()) return ExitWithError(entry.status());
      if (q.cap == 0) terms.cap_yen = entry->cap_yen;
      if (q.deadline.empty()) terms.deadline = IsoDate(entry->deadline);
    }
    auto batch =
        qualcheck::PrintLetters(apps, *(*app)->store, *(*app)->sealer, (*wired)->sender, terms,
                                q.out, now, [](const std::string& path, std::string_view data) {
                                  return WriteFileAtomic(path, data, 0600);
                                });
    if (!batch.ok()) return ExitWithError(batch.status());
    for (const auto& f : batch->files) std::printf("%s\n", f.c_str());
    std::fprintf(stderr, "%zu letter(s)\n", batch->letters);
    return 0;
  }
  auto text = ReadFile(q.file);
  if (!text.ok()) return ExitWithError(text.status());
  if (q.import_tracking->parsed()) {
    auto updates = qualcheck::ParseLetterTracking(*text);
    if (!updates.ok()) return ExitWithError(updates.status());
    auto changed = qualcheck::ImportLetterTracking(*(*app)->store, *updates, Actor(q), now);
    if (!changed.ok()) return ExitWithError(changed.status());
    std::printf("rows %zu\tchanged %lld\n", updates->size(), static_cast<long long>(*changed));
    return 0;
  }
  auto n = (*wired)->bank->Import(*(*app)->store, *text, Actor(q), now);
  OPENSSL_cleanse(text->data(), text->size());
  if (!n.ok()) return ExitWithError(n.status());
  std::printf("imported %lld\n", static_cast<long long>(*n));
  return 0;
}

}  // namespace claimsca::cmd
