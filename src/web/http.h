#pragma once

// HTTP request/response values and the router. No Boost here: route handlers include only
// this header (plus metrics.h / log.h when they need them).
//
// Threading model: handlers run synchronously on the server's I/O threads, so a handler
// must be fast (no blocking I/O, no database round trips, no sleeping). A handler that may
// block (certificate issuance waiting for a database commit, an HSM call) must be
// registered with RouteOptions::slow = true: the server then runs it on a small worker pool
// and the I/O thread keeps serving other connections meanwhile. Handlers of both kinds may
// run concurrently on several threads and must be thread-safe.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/status.h"

namespace claimsca::web {

// One HTTP request as a handler sees it. Views point into server-owned buffers and are
// valid only during the handler call: copy what must outlive it.
struct Request {
  std::string_view method;  // as sent, e.g. "GET"; a HEAD request routed to a GET
                            // handler shows "HEAD"
  std::string path;         // request target before '?', not percent-decoded
  std::string query;        // after '?', without it; not decoded
  std::string body;
  // Header fields in arrival order (names as sent).
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  std::string remote_addr;      // peer IP address, e.g. "127.0.0.1" or "::1"
  std::string client_cert_der;  // DER of the verified TLS client certificate, else empty
  bool tls = false;             // arrived over TLS

  // Value of the first header named `name` (ASCII case-insensitive); empty if absent.
  std::string_view Header(std::string_view name) const;
};

// A response a handler returns. Content-Length, Date and Connection are set by the server.
struct Response {
  int status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra header fields

  // text/plain; charset=utf-8.
  static Response Text(std::string body, int status = 200);
  // application/json; `json` must already be serialized JSON.
  static Response Json(std::string json, int status = 200);
  // `body` with an explicit content type (application/ocsp-response, application/pkix-crl).
  static Response Bytes(std::string content_type, std::string body, int status = 200);
  // {"error":{"code":"<code>","message":"<message>"}} as application/json.
  static Response Error(int status, std::string_view code, std::string_view message);
  // Error(HttpStatusFor(s.code()), CodeName(s.code()), s.message()). Precondition: !s.ok().
  static Response FromStatus(const Status& s);
};

// The HTTP status for an error code: 400, 401, 403, 404, 409, 429, 422, 503, 500 ...
int HttpStatusFor(Code code);
// "OK", "Not Found"...; "" for unknown codes.
std::string_view ReasonPhrase(int status);

using Handler = std::function<Response(const Request&)>;

// How a handler registered with Router::HandleAsync answers: later, from any thread.
// Copyable; exactly one Send or Offload must happen per request (a reply never sent
// leaves the client waiting until the server's I/O timeout).
class Reply {
 public:
  using Work = std::function<Response()>;
  Reply(std::function<void(Response)> send, std::function<void(Work)> offload)
      : send_(std::move(send)), offload_(std::move(offload)) {}
  void Send(Response r) const { send_(std::move(r)); }
  // Runs `work` where blocking is allowed (the worker pool) and sends its response.
  void Offload(Work work) const { offload_(std::move(work)); }

 private:
  std::function<void(Response)> send_;
  std::function<void(Work)> offload_;
};
// Runs on the I/O thread like a fast handler, so it must not block: it hands the request
// on (copying what it needs: `request` is valid only during the call) and returns.
using AsyncHandler = std::function<void(const Request&, Reply)>;

struct RouteOptions {
  // Access logging: 0 = off, 1 = every request, N = one request in N (sampling; e.g. for
  // an OCSP route at tens of thousands of requests per second). Metrics are always kept.
  uint32_t access_log_every = 1;
  // The handler may block: run it on the worker pool, not on an I/O thread.
  bool slow = false;
};

struct Route {
  size_t id = 0;        // dense index in registration order
  std::string method;   // "GET", "POST"...
  std::string pattern;  // exact path, or prefix when `prefix`
  bool prefix = false;
  Handler handler;             // or, for a route registered with HandleAsync:
  AsyncHandler async_handler;  // (then handler is empty)
  RouteOptions options;
};

// Maps (method, path) to handlers. Register every route before the server starts; after
// that the router is only read and is safe to share between threads. Registration is not
// thread-safe.
//
// Matching: the exact pattern equal to the path is tried first, then prefix patterns from
// longest to shortest; the first of those candidates with a handler for the method wins.
// A GET handler also answers HEAD (the server drops the body) unless a HEAD handler exists.
// A path no pattern matches gives 404; a path some pattern matches, but with no handler
// for the method, gives 405 with an Allow header. Both are JSON error bodies.
class Router {
 public:
  // Registers `handler`. The same (method, pattern, prefix) registered again replaces the
  // earlier handler.
  void Handle(std::string method, std::string path_or_prefix, bool prefix, Handler handler,
              RouteOptions options = {});
  // The same for a handler that answers through a Reply: requests it hands to a queue of
  // its own (batched certificate issuance) occupy no thread while they wait.
  void HandleAsync(std::string method, std::string path_or_prefix, bool prefix,
                   AsyncHandler handler, RouteOptions options = {});

  struct Match {
    const Route* route = nullptr;  // set when status == 200
    int status = 404;              // 200, 404 or 405
    std::string allow;             // for 405: "GET, HEAD, POST"
  };
  Match Find(std::string_view method, std::string_view path) const;

  // Runs the matched handler (or builds the 404/405 answer). An exception escaping a
  // handler becomes a 500 response. Does not strip HEAD bodies. An asynchronous handler
  // is waited for (its offloaded work runs on the calling thread).
  static Response Invoke(const Match& match, const Request& request);

  // Find + Invoke, with HEAD bodies dropped: for tests and in-process callers.
  Response Serve(const Request& request) const;

  const std::vector<std::unique_ptr<Route>>& routes() const { return routes_; }

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // Routes registered for one pattern, by method.
  struct Entry {
    std::vector<const Route*> by_method;
  };
  Route& Add(std::string method, std::string path_or_prefix, bool prefix, RouteOptions options);
  const Route* Lookup(const Entry& e, std::string_view method) const;
  std::string AllowOf(const Entry& e) const;

  std::vector<std::unique_ptr<Route>> routes_;
  std::unordered_map<std::string, Entry, StringHash, std::equal_to<>> exact_;
  std::vector<std::pair<std::string, Entry>> prefixes_;  // longest first
};

}  // namespace claimsca::web
