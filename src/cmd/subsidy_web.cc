#include "cmd/subsidy_web.h"

#include "cmd/subsidy_cmd.h"
#include "common/iso_date.h"

namespace claimsca::cmd {
namespace {

Result<Date> DayOf(const std::string& text) {
  Result<Instant> t = ParseInstant(text);
  if (text.size() != 10 || !t.ok()) return InvalidArgument("日付は YYYY-MM-DD で入力してください");
  return JstDate(*t);
}

}  // namespace

portal::SubsidyPages MakeSubsidyPages(App& app, subsidy::SubsidyStore& subs) {
  portal::SubsidyPages p;
  p.preview = [&subs](const std::vector<subsidy::Receipt>& r) { return subs.Preview(r); };
  p.apply = [&app, &subs](subsidy::ApplyRequest r) -> Result<subsidy::Application> {
    ASSIGN_OR_RETURN(r.institution_name, InstitutionName(app, r.institution_code));
    return subs.Apply(r);
  };
  p.list = [&subs](std::optional<subsidy::State> state, std::optional<std::string> code) {
    return subs.List(state, std::move(code));
  };
  p.get = [&subs](const std::string& id) { return subs.Get(id); };
  p.approve = [&subs](const std::string& id, const std::string& actor) {
    return subs.Approve(id, actor);
  };
  p.reject = [&subs](const std::string& id, const std::string& reason, const std::string& actor) {
    return subs.Reject(id, reason, actor);
  };
  p.payment_file = [&app](const std::string& date,
                          const std::string& actor) -> Result<subsidy::PaymentFile> {
    ASSIGN_OR_RETURN(Date d, DayOf(date));
    return subsidy::MakePaymentFile(*app.store, d, actor, app.clock->Now());
  };
  p.stored_payment_file = [&app](const std::string& date) -> Result<subsidy::PaymentFile> {
    ASSIGN_OR_RETURN(Date d, DayOf(date));
    return subsidy::StoredPaymentFile(*app.store, d);
  };
  p.mark_paid = [&app](const std::string& date, const std::string& actor) -> Result<int64_t> {
    ASSIGN_OR_RETURN(Date d, DayOf(date));
    ASSIGN_OR_RETURN(subsidy::PaymentFile f, subsidy::StoredPaymentFile(*app.store, d));
    return subsidy::MarkPaid(*app.store, f.content, actor, app.clock->Now());
  };
  return p;
}

}  // namespace claimsca::cmd
