#include "web/log.h"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <nlohmann/json.hpp>

#include "common/time_util.h"
#include "web/json_util.h"

namespace claimsca::web {
namespace {

void AppendInt(std::string& out, int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

}  // namespace

Logger::Logger(const Clock& clock, int fd) : clock_(clock), fd_(fd) {}

void Logger::AppendTime(std::string& out) const {
  thread_local int64_t cached_second = INT64_MIN;
  thread_local std::string cached;
  const int64_t now = clock_.Now().time_since_epoch().count();
  if (now != cached_second) {
    cached_second = now;
    cached = FormatUtc(Instant(std::chrono::seconds(now)));
  }
  out += "\"time\":\"";
  out += cached;
  out += '"';
}

void Logger::Access(const AccessRecord& r) {
  thread_local std::string line;
  line.clear();
  line.reserve(512);
  line += '{';
  AppendTime(line);
  line += ",\"kind\":\"access\",\"method\":";
  AppendJsonString(line, r.method);
  line += ",\"path\":";
  AppendJsonString(line, r.path);
  line += ",\"status\":";
  AppendInt(line, r.status);
  line += ",\"bytes\":";
  AppendInt(line, static_cast<int64_t>(r.bytes));
  line += ",\"duration_us\":";
  AppendInt(line, r.duration_us);
  line += ",\"remote\":";
  AppendJsonString(line, r.remote);
  line += ",\"route\":";
  AppendJsonString(line, r.route);
  line += "}\n";
  WriteRaw(line);
}

void Logger::Event(std::string_view kind, const nlohmann::json& fields) {
  std::string line = "{";
  AppendTime(line);
  line += ",\"kind\":";
  AppendJsonString(line, kind);
  const auto dump = [](const nlohmann::json& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  if (fields.is_object()) {
    for (const auto& [k, v] : fields.items()) {
      if (k == "time" || k == "kind") continue;
      line += ',';
      AppendJsonString(line, k);
      line += ':';
      line += dump(v);
    }
  } else if (!fields.is_null()) {
    line += ",\"fields\":";
    line += dump(fields);
  }
  line += '}';
  WriteLine(line);
}

void Logger::WriteLine(std::string_view line) {
  thread_local std::string buf;
  buf.assign(line);
  buf += '\n';
  WriteRaw(buf);
}

void Logger::WriteRaw(std::string_view data) {
  std::lock_guard lock(write_mu_);
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // nowhere to report a failing log sink
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace claimsca::web
