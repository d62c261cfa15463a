#pragma once

// Private to src/web (server.cc and session.cc): shared state of one HttpServer.

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <condition_variable>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "web/http.h"
#include "web/log.h"
#include "web/metrics.h"
#include "web/server.h"

namespace claimsca::web::internal {

// Per-route instruments, created at Start.
struct RouteStats {
  std::string label;
  Counter* by_class[6] = {};  // index status / 100, 1..5
  Histogram* latency = nullptr;
  uint32_t log_every = 1;
  std::atomic<uint32_t> seq{0};

  bool ShouldLog() {
    if (log_every <= 1) return log_every == 1;
    return seq.fetch_add(1, std::memory_order_relaxed) % log_every == 0;
  }
};

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Thread-safe: asks the session to close once its current request is answered.
  virtual void RequestStop() = 0;
};

struct Core {
  Core(const Router& r, Metrics& m, Logger& l, const Clock& c, ServerOptions o)
      : router(r), metrics(m), logger(l), clock(c), options(o) {}

  const Router& router;
  Metrics& metrics;
  Logger& logger;
  const Clock& clock;
  const ServerOptions options;

  std::vector<std::unique_ptr<RouteStats>> stats;  // by Route::id
  std::unique_ptr<RouteStats> unmatched;
  boost::asio::thread_pool* pool = nullptr;  // for slow routes; may be null

  Gauge* open = nullptr;
  Counter* accepted_plain = nullptr;
  Counter* accepted_tls = nullptr;
  Counter* rejected_limit = nullptr;
  Counter* rejected_handshake = nullptr;
  std::atomic<bool> stopping{false};

  using Registration = std::list<std::weak_ptr<SessionBase>>::iterator;
  Registration Register(std::weak_ptr<SessionBase> s);
  void Unregister(Registration it);
  size_t LiveSessions();
  // Calls RequestStop on every live session, then waits until none is left or `deadline`.
  // Returns true when all are gone.
  bool DrainUntil(std::chrono::steady_clock::time_point deadline);

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::list<std::weak_ptr<SessionBase>> sessions_;
};

// TlsOptions::explain_refused_client_cert of a mutual-TLS context, kept in the SSL_CTX's ex
// data at this index (null when not set).
using ExplainRefusedFn = std::function<std::optional<Response>(const std::string&)>;
int ExplainRefusedExIndex();

// Serves an accepted connection until it closes. `ssl` non-null: TLS (handshake first).
void StartSession(Core& core, boost::asio::ip::tcp::socket socket, boost::asio::ssl::context* ssl);

}  // namespace claimsca::web::internal
