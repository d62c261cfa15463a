#pragma once

// The HTTP/1.1 server (Boost.Beast inside; nothing of Boost leaks through this header).
//
// Lifecycle: construct, register every route on the Router, Listen() once per listener
// (binding happens here, so port 0 can be resolved before Start), Start(), and finally
// Stop() (also done by the destructor). Listen/Start/Stop must be called from one
// controlling thread; everything else happens on the server's own threads.
//
// Handlers run synchronously on an I/O thread (see web/http.h): a slow handler blocks
// every connection of that thread. Register blocking handlers with RouteOptions::slow so
// they run on the worker pool instead.
//
// The server records, by itself, for every route (label route = the registered pattern,
// "unmatched" for 404/405 answers without a route; code = "2xx".."5xx"):
//   claimsca_http_requests_total{route,code}         counter
//   claimsca_http_request_duration_seconds{route}    histogram (read complete → written)
//   claimsca_http_connections_open                   gauge
//   claimsca_http_connections_total{tls}             counter
//   claimsca_http_connections_rejected_total{reason} counter (limit, tls_handshake)
// and one access log line per request (Logger::Access) unless the route samples or
// disables them (RouteOptions::access_log_every).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "web/http.h"
#include "web/log.h"
#include "web/metrics.h"

namespace claimsca::web {

struct ServerOptions {
  int io_threads = 2;
  // false: each I/O thread runs its own event loop and accepted connections are spread
  // round-robin over them (no shared reactor lock when the threads run on several cores).
  // true: all I/O threads share one event loop (connections use strands). Both measured
  // the same CPU cost per request on one core (~120k requests per CPU-second, 1.5 KB
  // responses, keep-alive, access log off).
  bool shared_event_loop = false;
  // Threads of the pool that runs RouteOptions::slow handlers; created on Start only when
  // such a route exists.
  int worker_threads = 4;
  size_t max_body_bytes = 1 << 20;     // larger bodies get 413 and the connection closes
  size_t max_header_bytes = 16 << 10;  // larger request heads get 431
  size_t max_connections = 10000;      // further connections are accepted and closed
  // A connection must deliver a whole request (or finish writing a response) within
  // this time; an idle keep-alive connection is closed after it.
  std::chrono::seconds io_timeout{60};
  std::chrono::seconds tls_handshake_timeout{10};
  // Stop() lets in-flight requests finish for at most this long.
  std::chrono::milliseconds drain_timeout{5000};
};

struct TlsOptions {
  std::string cert_chain_file;   // PEM: leaf first, then intermediates
  std::string private_key_file;  // PEM
  // Mutual TLS when not empty: a client certificate chaining to a CA in this PEM file is
  // required (TLS 1.2+, chain depth at most verify_depth). Clients without one, or with
  // one that does not verify, fail the handshake.
  std::string client_ca_file;
  int verify_depth = 3;
  // Called on the I/O thread during the handshake, after the chain verified, with the
  // client certificate's DER. Returning false fails the handshake (the client sees a TLS
  // alert and no HTTP exchange happens): use it to refuse revoked or unknown
  // certificates. Must be fast (an in-memory lookup) and thread-safe. Optional. It runs
  // once per connection (TLS session resumption is disabled on mutual-TLS listeners so
  // every connection is checked); a keep-alive connection lives at most io_timeout idle.
  std::function<bool(const std::string& client_cert_der)> accept_client_cert;
  // When set, client certificate chains are verified as of this instant (Unix seconds)
  // instead of the system clock: the server's clock (`serve --at`) decides validity.
  // Called once per handshake; must outlive the server and be thread-safe.
  std::function<int64_t()> verify_time;
  // When set, a client certificate whose chain verifies but that is expired, or refused by
  // accept_client_cert (revoked, ...), does not fail the handshake: the hook is called
  // once with it, and every request on that connection is answered with the response it
  // returns (e.g. 409 with the explanation in Japanese) and logged as one "mtls_refused"
  // line, never routed. nullopt closes the connection instead. Thread-safe, as above.
  std::function<std::optional<Response>(const std::string& client_cert_der)>
      explain_refused_client_cert;
};

struct ListenerOptions {
  std::string host = "127.0.0.1";  // an IP address literal ("0.0.0.0", "::")
  uint16_t port = 0;               // 0: any free port (Listen returns it)
  std::optional<TlsOptions> tls;   // plain HTTP when absent
};

class HttpServer {
 public:
  // All references must outlive the server. The router must not change after Start.
  HttpServer(const Router& router, Metrics& metrics, Logger& logger, const Clock& clock,
             ServerOptions options = {});
  ~HttpServer();  // Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens; returns the bound port. Before Start only. Errors: bad address,
  // port in use, unreadable or mismatched TLS files (InvalidArgument / Unavailable).
  Result<uint16_t> Listen(const ListenerOptions& options);

  // Starts the I/O threads (and the worker pool if needed). Once only.
  Status Start();

  // Stops accepting, lets in-flight requests finish (up to drain_timeout), closes every
  // connection and joins all threads. Idempotent.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Built-in routes, for the caller to register.
// GET /healthz: 200 "ok", or 503 with the JSON error when `check` returns an error.
// `check` runs on an I/O thread: it must be fast. Access logs off by default (probes).
void AddHealthRoute(Router& router, std::function<Status()> check = nullptr,
                    RouteOptions options = RouteOptions{0, false});
// GET /metrics: Metrics::RenderPrometheus() as text/plain; version=0.0.4.
void AddMetricsRoute(Router& router, const Metrics& metrics, RouteOptions options = {});

}  // namespace claimsca::web
