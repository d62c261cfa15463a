#include "store/postgres/pg_conn.h"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <utility>

namespace claimsca::store::pg {
namespace {

// libpq error messages end with a newline; logs want one line.
std::string Trim(const char* msg) {
  std::string s = msg != nullptr ? msg : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

bool UnavailableState(std::string_view sqlstate) {
  return sqlstate.starts_with("08") ||  // connection_exception
         sqlstate.starts_with("53") ||  // insufficient_resources
         sqlstate.starts_with("57") ||  // operator_intervention (shutdown, cancel)
         sqlstate == "40001" ||         // serialization_failure
         sqlstate == "40P01" ||         // deadlock_detected
         sqlstate == "55P03";           // lock_not_available
}

}  // namespace

const Result<LibPq>& LoadLibPq() {
  static const Result<LibPq> lib = BindLibrary<LibPq>(
      "libpq.so.5", "libpq5",
      [](SharedLibrary& so, LibPq& api) { CLAIMSCA_LIBPQ_FUNCTIONS(CLAIMSCA_BIND_FUNCTION) });
  return lib;
}

Params& Params::Add(const char* data, size_t size) {
  // A null pointer would mean SQL NULL to libpq.
  values_.push_back(data != nullptr ? data : "");
  lengths_.push_back(static_cast<int>(size));
  formats_.push_back(1);
  return *this;
}

Params& Params::Int8(int64_t v) {
  auto& buf = ints_.emplace_back();
  auto u = static_cast<uint64_t>(v);
  for (int i = 7; i >= 0; --i, u >>= 8) buf[i] = static_cast<char>(u & 0xff);
  return Add(buf.data(), buf.size());
}

Params& Params::OptInt8(std::optional<int64_t> v) {
  if (v) return Int8(*v);
  values_.push_back(nullptr);
  lengths_.push_back(0);
  formats_.push_back(1);
  return *this;
}

int64_t PgResult::Affected() const {
  const char* n = Pq().PQcmdTuples(res_.get());
  int64_t v = 0;
  if (n == nullptr || *n == '\0') return 0;
  std::from_chars(n, n + std::strlen(n), v);
  return v;
}

std::string_view PgResult::Bytes(int row, int col) const {
  return {Pq().PQgetvalue(res_.get(), row, col),
          static_cast<size_t>(Pq().PQgetlength(res_.get(), row, col))};
}

Result<int64_t> PgResult::Int(int row, int col) const {
  std::string_view b = Bytes(row, col);
  if (IsNull(row, col) || (b.size() != 2 && b.size() != 4 && b.size() != 8)) {
    return Internal("postgres: column " + std::to_string(col) + " is not a non-null integer");
  }
  uint64_t u = 0;
  for (char c : b) u = (u << 8) | static_cast<unsigned char>(c);
  // Sign-extend the big-endian two's complement value.
  const int shift = 64 - 8 * static_cast<int>(b.size());
  return static_cast<int64_t>(u << shift) >> shift;
}

Result<std::optional<int64_t>> PgResult::OptInt(int row, int col) const {
  if (IsNull(row, col)) return std::optional<int64_t>();
  ASSIGN_OR_RETURN(int64_t v, Int(row, col));
  return std::optional<int64_t>(v);
}

Status PgError(PGconn* conn, const PGresult* res, std::string_view context) {
  std::string msg(context);
  msg += ": ";
  if (res == nullptr) {
    msg += Trim(Pq().PQerrorMessage(conn));
    return Unavailable(std::move(msg));
  }
  const char* state = Pq().PQresultErrorField(res, PG_DIAG_SQLSTATE);
  std::string_view sqlstate = state != nullptr ? state : "";
  msg += Trim(Pq().PQresultErrorMessage(res));
  if (!sqlstate.empty()) msg += " [SQLSTATE " + std::string(sqlstate) + "]";
  if (sqlstate == "23505") return Conflict(std::move(msg));
  if (Pq().PQstatus(conn) != CONNECTION_OK || sqlstate.empty() || UnavailableState(sqlstate)) {
    return Unavailable(std::move(msg));
  }
  return Internal(std::move(msg));
}

Result<std::unique_ptr<PgConn>> PgConn::Connect(const std::string& conninfo) {
  if (!LoadLibPq().ok()) return LoadLibPq().status();
  PGconn* raw = Pq().PQconnectdb(conninfo.c_str());
  if (raw == nullptr) return Unavailable("postgres connect: out of memory");
  std::unique_ptr<PgConn> conn(new PgConn(raw));
  if (Pq().PQstatus(raw) != CONNECTION_OK) {
    return Unavailable("postgres connect: " + Trim(Pq().PQerrorMessage(raw)));
  }
  // Server NOTICEs (e.g. "relation already exists, skipping") are informational; libpq
  // would print them on stderr.
  Pq().PQsetNoticeProcessor(
      raw, [](void*, const char*) {}, nullptr);
  return conn;
}

PgConn::~PgConn() { Pq().PQfinish(conn_); }

bool PgConn::Reusable() const {
  return Pq().PQstatus(conn_) == CONNECTION_OK && Pq().PQtransactionStatus(conn_) == PQTRANS_IDLE;
}

bool PgConn::StillOpen() {
  if (!Reusable()) return false;
  const int fd = Pq().PQsocket(conn_);
  if (fd < 0) return false;
  char byte = 0;
  const ssize_t n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

Result<PgResult> PgConn::Check(PGresult* res, std::string_view context) {
  PgResult owned(res);  // frees res on every path
  ExecStatusType st = res != nullptr ? Pq().PQresultStatus(res) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return owned;
  return PgError(conn_, res, context);
}

Result<PgResult> PgConn::Exec(const Query& q, const Params& p, std::string_view context) {
  if (p.size() != static_cast<int>(q.param_types.size())) {
    return Internal(std::string(context) + ": parameter count mismatch for " + q.name);
  }
  if (!prepared_.contains(&q)) {
    PGresult* res = Pq().PQprepare(conn_, q.name, q.sql, static_cast<int>(q.param_types.size()),
                                   q.param_types.data());
    RETURN_IF_ERROR(Check(res, std::string(context) + ": prepare " + q.name).status());
    prepared_.insert(&q);
  }
  return Check(Pq().PQexecPrepared(conn_, q.name, p.size(), p.values(), p.lengths(), p.formats(),
                                   /*resultFormat=binary*/ 1),
               context);
}

Result<PgResult> PgConn::ExecCached(const char* sql, std::span<const Oid> types, const Params& p,
                                    bool text_result, std::string_view context) {
  if (p.size() != static_cast<int>(types.size())) {
    return Internal(std::string(context) + ": parameter count mismatch");
  }
  auto key = std::make_pair(sql, std::vector<Oid>(types.begin(), types.end()));
  auto it = cached_.find(key);
  if (it == cached_.end()) {
    std::string name = "claimsca_cached_" + std::to_string(cached_.size() + 1);
    PGresult* res =
        Pq().PQprepare(conn_, name.c_str(), sql, static_cast<int>(types.size()), types.data());
    RETURN_IF_ERROR(Check(res, std::string(context) + ": prepare").status());
    it = cached_.emplace(std::move(key), std::move(name)).first;
  }
  return Check(Pq().PQexecPrepared(conn_, it->second.c_str(), p.size(), p.values(), p.lengths(),
                                   p.formats(), text_result ? 0 : 1),
               context);
}

Result<PgResult> PgConn::ExecScript(std::string_view sql, std::string_view context) {
  std::string text(sql);  // libpq needs a NUL-terminated string
  return Check(Pq().PQexec(conn_, text.c_str()), context);
}

Result<PgResult> PgConn::ExecParams(const char* sql, std::span<const Oid> types, const Params& p,
                                    std::string_view context) {
  if (p.size() != static_cast<int>(types.size())) {
    return Internal(std::string(context) + ": parameter count mismatch");
  }
  return Check(Pq().PQexecParams(conn_, sql, p.size(), types.data(), p.values(), p.lengths(),
                                 p.formats(), /*resultFormat=binary*/ 1),
               context);
}

Result<int64_t> PgConn::CopyIn(const char* copy_sql, std::string_view data,
                               std::string_view context) {
  PgResult start(Pq().PQexec(conn_, copy_sql));
  if (Pq().PQresultStatus(start.get()) != PGRES_COPY_IN) {
    return PgError(conn_, start.get(), std::string(context) + ": COPY");
  }
  constexpr size_t kChunk = 1 << 20;
  std::string error;
  for (size_t off = 0; off < data.size(); off += kChunk) {
    const size_t n = std::min(kChunk, data.size() - off);
    if (Pq().PQputCopyData(conn_, data.data() + off, static_cast<int>(n)) != 1) {
      error = Trim(Pq().PQerrorMessage(conn_));
      break;
    }
  }
  if (Pq().PQputCopyEnd(conn_, error.empty() ? nullptr : error.c_str()) != 1) {
    return Unavailable(std::string(context) + ": COPY end: " + Trim(Pq().PQerrorMessage(conn_)));
  }
  // Drain every result: the last one is the outcome of the COPY.
  std::optional<Result<PgResult>> outcome;
  while (PGresult* res = Pq().PQgetResult(conn_)) {
    if (!outcome || outcome->ok()) {
      outcome.emplace(Check(res, context));
    } else {
      Pq().PQclear(res);
    }
  }
  if (!outcome) return Internal(std::string(context) + ": COPY returned no result");
  if (!outcome->ok()) return outcome->status();
  return (*outcome)->Affected();
}

Status InTransaction(PgConn& conn, std::string_view begin_sql, std::string_view context,
                     const std::function<Status()>& body) {
  RETURN_IF_ERROR(conn.ExecScript(begin_sql, context).status());
  Status st = body();
  if (st.ok()) {
    st = conn.ExecScript("COMMIT", context).status();
    if (st.ok()) return st;
  }
  Status rst = conn.ExecScript("ROLLBACK", context).status();
  if (!rst.ok()) st = st.WithContext("(rollback failed: " + rst.ToString() + ")");
  return st;
}

Result<std::unique_ptr<PgPool>> PgPool::Create(std::string conninfo, size_t max_conns,
                                               std::chrono::milliseconds acquire_timeout) {
  if (max_conns == 0) return InvalidArgument("postgres pool: max_conns must be positive");
  std::unique_ptr<PgPool> pool(new PgPool(std::move(conninfo), max_conns, acquire_timeout));
  ASSIGN_OR_RETURN(Lease first, pool->Acquire());  // fail early if unreachable
  return pool;
}

PgPool::Lease::~Lease() {
  if (conn_ == nullptr) return;
  bool reusable = !discard_ && conn_->Reusable();
  pool_->Release(std::move(conn_), reusable);
}

void PgPool::Release(std::unique_ptr<PgConn> conn, bool reusable) {
  {
    std::lock_guard lock(mu_);
    if (reusable) {
      idle_.push_back(std::move(conn));
    } else {
      --open_;
    }
  }
  cv_.notify_one();
  // A broken connection is closed here, outside the lock.
}

Result<PgPool::Lease> PgPool::Acquire() {
  std::vector<std::unique_ptr<PgConn>> closed;  // closed after the lock is released
  {
    std::unique_lock lock(mu_);
    bool ready =
        cv_.wait_for(lock, timeout_, [this] { return !idle_.empty() || open_ < max_conns_; });
    if (!ready) return Unavailable("postgres pool: no connection free within the timeout");
    while (!idle_.empty()) {
      std::unique_ptr<PgConn> conn = std::move(idle_.back());
      idle_.pop_back();
      if (conn->StillOpen()) return Lease(this, std::move(conn));
      closed.push_back(std::move(conn));
      --open_;
    }
    ++open_;  // reserve a slot, connect outside the lock
  }
  closed.clear();
  auto conn = PgConn::Connect(conninfo_);
  if (!conn.ok()) {
    {
      std::lock_guard lock(mu_);
      --open_;
    }
    cv_.notify_one();
    return conn.status();
  }
  return Lease(this, std::move(conn).value());
}

}  // namespace claimsca::store::pg
