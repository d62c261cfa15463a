#include "newinst/reminders.h"

#include <algorithm>

#include "domain/calendar.h"
#include "newinst/deadlines.h"

namespace claimsca::newinst {

namespace {

std::optional<Deadlines> DeadlinesOf(const Institution& in) {
  auto m = ParseOpeningMonth(in.opening_month);
  if (!m.ok()) return std::nullopt;
  return DeadlinesFor(*m);
}

}  // namespace

std::optional<Reminder> DueReminder(const Institution& in, Date today,
                                    const std::vector<int>& days_before) {
  if (in.state != State::kProvisional) return std::nullopt;
  const std::optional<Deadlines> d = DeadlinesOf(in);
  if (!d) return std::nullopt;
  const auto day = [](Date x) { return std::chrono::sys_days{x}; };
  DeadlineKind kind = DeadlineKind::kReply;
  Date deadline = d->reply;
  if (day(today) > day(d->reply)) {
    kind = DeadlineKind::kPresentation;
    deadline = d->presentation;
  }
  if (day(today) > day(deadline)) return std::nullopt;
  std::vector<int> ns = days_before;
  std::sort(ns.begin(), ns.end());
  for (int n : ns) {
    if (n < 0) continue;
    if (day(today) >= day(domain::AddBusinessDays(deadline, -n))) {
      const char* what = kind == DeadlineKind::kReply ? "reply" : "presentation";
      return Reminder{
          kind, deadline, n,
          "newinst.remind." + in.provisional_code + "." + what + "." + std::to_string(n)};
    }
  }
  return std::nullopt;
}

Result<std::vector<int>> ParseReminderDays(std::string_view text) {
  std::vector<int> out;
  const auto bad = [&] {
    return InvalidArgument("newinst.reminder_days_before: expected e.g. \"5,1\", got \"" +
                           std::string(text) + "\"");
  };
  size_t i = 0;
  while (i <= text.size()) {
    size_t j = text.find(',', i);
    if (j == std::string_view::npos) j = text.size();
    std::string_view part = text.substr(i, j - i);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    if (part.empty() || part.size() > 2) return bad();
    int n = 0;
    for (char c : part) {
      if (c < '0' || c > '9') return bad();
      n = n * 10 + (c - '0');
    }
    out.push_back(n);
    i = j + 1;
  }
  return out;
}

bool PresentationOverdue(const Institution& in, Date today) {
  if (in.state != State::kProvisional) return false;
  const std::optional<Deadlines> d = DeadlinesOf(in);
  return d && std::chrono::sys_days{today} > std::chrono::sys_days{d->presentation};
}

}  // namespace claimsca::newinst
