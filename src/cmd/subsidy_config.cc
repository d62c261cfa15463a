#include "cmd/subsidy_config.h"

#include "common/iso_date.h"

namespace claimsca::cmd {
namespace {

Result<Date> DateValue(const toml::node& v, const std::string& where) {
  if (v.is_date()) {
    const toml::date d = *v.value<toml::date>();
    return Date{std::chrono::year(d.year), std::chrono::month(d.month), std::chrono::day(d.day)};
  }
  if (v.is_string()) {
    const std::string s = *v.value<std::string>();
    Result<Instant> t = ParseInstant(s);
    if (s.size() == 10 && t.ok()) return JstDate(*t);
  }
  return InvalidArgument(where + ": a date YYYY-MM-DD");
}

Result<subsidy::ScheduleEntry> ReadEntry(const toml::table& t) {
  subsidy::ScheduleEntry e;
  bool from = false, deadline = false, cap = false;
  for (auto&& [k, v] : t) {
    const std::string key(k.str());
    const std::string where = "claimsca.toml: subsidy.schedule." + key;
    if (key == "from") {
      ASSIGN_OR_RETURN(e.from, DateValue(v, where));
      from = true;
    } else if (key == "deadline") {
      ASSIGN_OR_RETURN(e.deadline, DateValue(v, where));
      deadline = true;
    } else if (key == "cap_yen" && v.is_integer()) {
      e.cap_yen = *v.value<int64_t>();
      cap = true;
    } else if (key == "rate" && v.is_string()) {
      Result<subsidy::Rate> rate = subsidy::ParseRate(*v.value<std::string>());
      if (!rate.ok()) return rate.status().WithContext(where);
      e.rate = *rate;
    } else {
      return InvalidArgument(where + ": unknown or mistyped key");
    }
  }
  if (!from || !deadline || !cap) {
    return InvalidArgument("claimsca.toml: [[subsidy.schedule]] needs from, deadline, cap_yen");
  }
  return e;
}

}  // namespace

Status ReadSubsidyConfig(const toml::table& table, Config& c) {
  const toml::table* section = table["subsidy"].as_table();
  if (!section) {
    if (table.contains("subsidy")) return InvalidArgument("claimsca.toml: [subsidy] is a table");
    return Status::Ok();
  }
  for (auto&& [k, v] : *section) {
    if (k.str() != "schedule") {
      return InvalidArgument("claimsca.toml: unknown key subsidy." + std::string(k.str()));
    }
    const toml::array* entries = v.as_array();
    if (!entries) return InvalidArgument("claimsca.toml: subsidy.schedule: [[subsidy.schedule]]");
    c.subsidy_schedule.clear();
    for (auto&& node : *entries) {
      if (!node.is_table()) return InvalidArgument("claimsca.toml: subsidy.schedule: tables");
      ASSIGN_OR_RETURN(subsidy::ScheduleEntry e, ReadEntry(*node.as_table()));
      c.subsidy_schedule.push_back(e);
    }
  }
  return subsidy::Schedule::Create(c.subsidy_schedule).status().WithContext("claimsca.toml");
}

void RenderSubsidyConfig(const Config& c, toml::table& root) {
  toml::array schedule;
  for (const subsidy::ScheduleEntry& e : c.subsidy_schedule) {
    schedule.push_back(toml::table{{"from", IsoDate(e.from)},
                                   {"deadline", IsoDate(e.deadline)},
                                   {"cap_yen", e.cap_yen},
                                   {"rate", subsidy::FormatRate(e.rate)}});
  }
  root.insert("subsidy", toml::table{{"schedule", schedule}});
}

}  // namespace claimsca::cmd
