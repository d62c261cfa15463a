// HTTP requests as the server reads them (src/web/session.cc): Beast's request parser fed
// the bytes of a connection in pieces (the first input byte chooses the piece size), with
// the server's limits (ServerOptions: 16 KiB head, 1 MiB body), pipelined requests one
// after the other; each parsed request becomes a web::Request exactly as Session::Handle
// builds it and goes through the router (src/web/http.h) with exact, prefix and
// method-specific routes. Invariants: the Request written back as HTTP/1.1 (body by
// Content-Length) parses to the same method, target, fields and body; Request::Header finds the
// first field of that name whatever its case; the router answers 200 only from a route registered
// for the path and method, 405 with an Allow list, otherwise 404, and never throws.

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "check.h"
#include "web/http.h"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using claimsca::web::Request;
using claimsca::web::Response;
using claimsca::web::Router;

constexpr size_t kMaxHeader = 16 << 10;  // ServerOptions::max_header_bytes
constexpr size_t kMaxBody = 1 << 20;     // ServerOptions::max_body_bytes

const Router& TestRouter() {
  static const Router* router = [] {
    auto* r = new Router();
    auto answer = [](const char* what) {
      return [what](const Request& req) {
        return Response::Text(std::string(what) + " " + std::string(req.method));
      };
    };
    r->Handle("GET", "/", false, answer("root"));
    r->Handle("GET", "/ocsp/", true, answer("ocsp-get"));
    r->Handle("POST", "/ocsp", false, answer("ocsp-post"));
    r->Handle("POST", "/api/v1/certificates", false, answer("issue"));
    r->Handle("GET", "/api/v1/certificates/", true, answer("cert"));
    r->Handle("POST", "/api/v1/certificates/", true, answer("revoke"));
    r->Handle("GET", "/portal/", true, answer("portal"));
    r->Handle("DELETE", "/portal/session", false, answer("logout"));
    r->HandleAsync("POST", "/cmp", false, [](const Request&, const claimsca::web::Reply& reply) {
      reply.Offload([] { return Response::Bytes("application/pkixcmp", "x"); });
    });
    return r;
  }();
  return *router;
}

std::optional<http::request<http::string_body>> ParseWhole(std::string_view bytes) {
  http::request_parser<http::string_body> p;
  p.eager(true);
  p.header_limit(kMaxHeader);
  p.body_limit(kMaxBody);
  beast::error_code ec;
  size_t used = 0;
  while (used < bytes.size() && !p.is_done()) {
    const size_t n = p.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
    used += n;
    if (ec || n == 0) break;
  }
  if (!p.is_done()) {
    p.put_eof(ec);
    if (ec || !p.is_done()) return std::nullopt;
  }
  return p.release();
}

void CheckRequest(http::request<http::string_body>& msg) {
  // Session::Handle.
  Request req;
  req.method = msg.method_string();
  const std::string_view target = msg.target();
  const size_t q = target.find('?');
  req.path.assign(target.substr(0, q));
  if (q != std::string_view::npos) req.query.assign(target.substr(q + 1));
  req.body = msg.body();
  for (const auto& f : msg) req.headers.emplace_back(f.name_string(), f.value());

  for (const auto& [name, value] : req.headers) {
    std::string upper(name);
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    const std::string_view found = req.Header(upper);
    for (const auto& [n2, v2] : req.headers) {
      if (beast::iequals(n2, name)) {
        FUZZ_CHECK(found == v2, "Header() is the first field of that name");
        break;
      }
    }
  }
  const Router& router = TestRouter();
  const Router::Match m = router.Find(req.method, req.path);
  if (m.status == 200) {
    FUZZ_CHECK(m.route != nullptr, "a match has a route");
    FUZZ_CHECK(
        m.route->prefix ? req.path.starts_with(m.route->pattern) : req.path == m.route->pattern,
        "the route's pattern matches the path");
    FUZZ_CHECK(m.route->method == req.method || (m.route->method == "GET" && req.method == "HEAD"),
               "the route's method");
  } else {
    FUZZ_CHECK(m.route == nullptr && (m.status == 404 || m.status == 405), "404 or 405");
    FUZZ_CHECK((m.status == 405) == !m.allow.empty(), "405 lists what is allowed");
  }
  const Response r = router.Serve(req);
  FUZZ_CHECK(r.status == m.status, "Serve answers what Find found");

  // The Request keeps what the message said: written back as HTTP/1.1 with the body by
  // Content-Length (the framing fields dropped), it parses to the same Request.
  std::string text = std::string(req.method) + " " + std::string(target) + " HTTP/1.1\r\n";
  std::vector<std::pair<std::string_view, std::string_view>> kept;
  for (const auto& [name, value] : req.headers) {
    if (beast::iequals(name, "Content-Length") || beast::iequals(name, "Transfer-Encoding")) {
      continue;
    }
    kept.emplace_back(name, value);
    text += std::string(name) + ": " + std::string(value) + "\r\n";
  }
  text += "Content-Length: " + std::to_string(req.body.size()) + "\r\n\r\n" + req.body;
  auto again = ParseWhole(text);
  FUZZ_CHECK(again.has_value(), "a Request written back parses");
  FUZZ_CHECK(again->method_string() == req.method && again->target() == target &&
                 again->body() == req.body,
             "the same method, target and body");
  size_t i = 0;
  for (const auto& f : *again) {
    if (beast::iequals(f.name_string(), "Content-Length")) continue;
    FUZZ_CHECK(i < kept.size() && f.name_string() == kept[i].first && f.value() == kept[i].second,
               "the same fields in the same order");
    ++i;
  }
  FUZZ_CHECK(i == kept.size(), "no field lost");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t piece = data[0] % 16 == 0 ? size : 1 + data[0] % 16;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  beast::flat_buffer buffer;
  std::optional<http::request_parser<http::string_body>> parser;
  for (int requests = 0; requests < 8; ++requests) {
    // Session::Read and Session::Parse, the socket delivering `piece` bytes at a time.
    parser.emplace();
    parser->eager(true);
    parser->header_limit(static_cast<uint32_t>(kMaxHeader));
    parser->body_limit(kMaxBody);
    bool failed = false, want_more = buffer.size() == 0;
    while (!parser->is_done() && !failed) {
      if (want_more) {
        if (in.empty()) break;  // the server waits for more, then times out
        const size_t n = std::min(piece, in.size());
        auto dst = buffer.prepare(n);
        std::memcpy(dst.data(), in.data(), n);
        buffer.commit(n);
        in.remove_prefix(n);
      }
      want_more = true;
      while (buffer.size() > 0 && !parser->is_done()) {
        beast::error_code ec;
        const size_t n = parser->put(buffer.data(), ec);
        buffer.consume(n);
        if (ec == http::error::need_more) break;
        if (ec) {
          failed = true;  // the server answers 400/413/431 and closes
          break;
        }
        if (n == 0) break;
      }
    }
    if (failed || !parser->is_done()) break;
    CheckRequest(parser->get());
  }
  return 0;
}
