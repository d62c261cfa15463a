#pragma once

// Structured logs: one JSON object per line, written to a file descriptor with a single
// write() per line (under a mutex, retrying short writes), so lines from several threads
// never interleave. Thread-safe.

#include <cstdint>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace claimsca::web {

// One served request, as the server reports it.
struct AccessRecord {
  std::string_view method;
  std::string_view path;  // without the query
  int status = 0;
  uint64_t bytes = 0;  // response body bytes
  int64_t duration_us = 0;
  std::string_view remote;
  std::string_view route;  // the registered pattern; "" when no route matched
};

class Logger {
 public:
  // Writes to `fd` (not owned, not closed); stderr by default. `clock` gives the "time"
  // field and must outlive the logger.
  explicit Logger(const Clock& clock, int fd = 2);
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  // {"time":"2026-01-02T03:04:05Z","kind":"access","method":"GET","path":"/x",
  //  "status":200,"bytes":12,"duration_us":35,"remote":"127.0.0.1","route":"/x"}
  // Built in a reused per-thread buffer without iostreams or JSON library.
  void Access(const AccessRecord& r);

  // {"time":"...","kind":"<kind>", ...fields}: the members of `fields` (an object) are
  // merged after "time" and "kind"; a non-object `fields` goes under "fields". Invalid
  // UTF-8 in strings is replaced, never thrown.
  void Event(std::string_view kind, const nlohmann::json& fields);

  // Writes `line` (which must not contain a newline) plus '\n'.
  void WriteLine(std::string_view line);

 private:
  // Appends "time":"...", cached per thread for the current second.
  void AppendTime(std::string& out) const;
  // Writes `data` (complete lines) with as few write() calls as the fd allows.
  void WriteRaw(std::string_view data);

  const Clock& clock_;
  int fd_;
  std::mutex write_mu_;
};

}  // namespace claimsca::web
