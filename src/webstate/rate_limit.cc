#include "webstate/rate_limit.h"

#include <chrono>

#include "store/module_sql.h"

namespace claimsca::webstate {
namespace {

int64_t Seconds(Instant t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// $3 is the current minute. A new minute moves the count to prev_tries when the row's
// minute was the one just before ($3 - 60), else forgets it. Both SET expressions read the
// row as it was (SQL evaluates every right-hand side before assigning).
constexpr char kTry[] =
    "INSERT INTO rate_limits (scope, client, window_start, tries, prev_tries) "
    "VALUES ($1, $2, $3, 1, 0) ON CONFLICT (scope, client) DO UPDATE SET "
    "tries = CASE WHEN rate_limits.window_start = excluded.window_start "
    "THEN rate_limits.tries + 1 ELSE 1 END, "
    "prev_tries = CASE WHEN rate_limits.window_start = excluded.window_start "
    "THEN rate_limits.prev_tries "
    "WHEN rate_limits.window_start = excluded.window_start - 60 THEN rate_limits.tries "
    "ELSE 0 END, "
    "window_start = excluded.window_start "
    "RETURNING tries, prev_tries";
constexpr char kPurge[] = "DELETE FROM rate_limits WHERE window_start < $1";

}  // namespace

Result<bool> RateLimit::Allow(std::string_view client) {
  if (per_minute_ <= 0) return true;
  const int64_t now = Seconds(clock_.Now());
  const int64_t minute = now - (now % 60 + 60) % 60;
  int64_t tries = 0, prev = 0;
  RETURN_IF_ERROR(store::RunInTransaction(store_, [&](store::SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(std::optional<store::SqlRow> row,
                     tx.QueryFirst(kTry, {scope_, std::string(client), minute}));
    if (!row) return Internal("rate limit: the upsert returned no row");
    ASSIGN_OR_RETURN(tries, row->Int(0));
    ASSIGN_OR_RETURN(prev, row->Int(1));
    return Status::Ok();
  }));
  // The previous minute's tries, weighted by how much of it is still within 60 seconds.
  const int64_t into = now - minute;  // 0..59
  return tries * 60 + prev * (60 - into) <= int64_t{per_minute_} * 60;
}

Result<int64_t> PurgeRateLimits(store::Store& store, Instant now) {
  const int64_t t = Seconds(now);
  const int64_t minute = t - (t % 60 + 60) % 60;
  int64_t n = 0;
  RETURN_IF_ERROR(store::RunInTransaction(store, [&](store::SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(n, tx.Exec(kPurge, {minute - 60}));
    return Status::Ok();
  }));
  return n;
}

}  // namespace claimsca::webstate
