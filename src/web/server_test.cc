#include "web/server.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <utility>
#include <vector>

#include "web/test_client.h"

namespace claimsca::web {
namespace {

using namespace std::chrono_literals;
using testing::ClientResponse;
using testing::Fetch;
using testing::TestConnection;

RouteOptions NoLog() {
  RouteOptions o;
  o.access_log_every = 0;
  return o;
}

RouteOptions Slow() {
  RouteOptions o;
  o.slow = true;
  return o;
}

template <class F>
ServerOptions Opts(F f) {
  ServerOptions o;
  f(o);
  return o;
}

ListenerOptions Local(uint16_t port = 0) {
  ListenerOptions o;
  o.port = port;
  return o;
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_file_ = std::tmpfile();
    ASSERT_NE(log_file_, nullptr);
    logger_ = std::make_unique<Logger>(clock_, fileno(log_file_));
    router_.Handle("GET", "/hello", false,
                   [](const Request& r) { return Response::Text("hello " + r.query); });
    router_.Handle("POST", "/echo", false, [](const Request& r) {
      Response resp = Response::Bytes(std::string(r.Header("content-type")), r.body);
      resp.headers.emplace_back("X-Remote", r.remote_addr);
      resp.headers.emplace_back("X-Method", std::string(r.method));
      return resp;
    });
    router_.Handle(
        "GET", "/quiet/", true, [](const Request& r) { return Response::Text(r.path); }, NoLog());
    router_.Handle(
        "GET", "/slow", false,
        [this](const Request&) {
          release_.wait();
          return Response::Text("slow done");
        },
        Slow());
    // Answered later from another thread (a queue of its own), or offloaded.
    router_.HandleAsync("POST", "/later", false, [this](const Request& r, Reply reply) {
      std::lock_guard lock(later_mu_);
      later_.emplace_back(std::string(r.body), std::move(reply));
    });
    router_.HandleAsync("GET", "/offload", false, [](const Request& r, Reply reply) {
      if (r.query == "now") return reply.Send(Response::Text("at once"));
      reply.Offload([] { return Response::Text("offloaded"); });
    });
    AddHealthRoute(router_, [this] { return healthy_ ? Status::Ok() : Unavailable("db down"); });
    AddMetricsRoute(router_, metrics_);
  }

  void TearDown() override {
    if (server_) server_->Stop();
    if (log_file_) std::fclose(log_file_);
  }

  uint16_t StartServer(ServerOptions opts = {}) {
    server_ = std::make_unique<HttpServer>(router_, metrics_, *logger_, clock_, opts);
    auto port = server_->Listen(Local());
    EXPECT_TRUE(port.ok()) << port.status().ToString();
    EXPECT_TRUE(server_->Start().ok());
    return *port;
  }

  std::vector<nlohmann::json> LogLines() {
    std::fflush(log_file_);
    std::string all;
    char buf[4096];
    ssize_t n;
    off_t off = 0;
    while ((n = ::pread(fileno(log_file_), buf, sizeof buf, off)) > 0) {
      all.append(buf, static_cast<size_t>(n));
      off += n;
    }
    std::vector<nlohmann::json> out;
    size_t pos = 0, nl;
    while ((nl = all.find('\n', pos)) != std::string::npos) {
      out.push_back(nlohmann::json::parse(all.substr(pos, nl - pos)));
      pos = nl + 1;
    }
    return out;
  }

  FixedClock clock_{Instant(1767322800s)};
  Router router_;
  Metrics metrics_;
  std::FILE* log_file_ = nullptr;
  std::unique_ptr<Logger> logger_;
  std::unique_ptr<HttpServer> server_;
  bool healthy_ = true;
  std::shared_future<void> release_;
  std::mutex later_mu_;
  std::vector<std::pair<std::string, Reply>> later_;  // guarded by later_mu_
};

TEST_F(ServerTest, RoutesQueryAnd404And405) {
  const uint16_t port = StartServer();
  ClientResponse r = Fetch(port, "GET", "/hello?name=x");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello name=x");
  EXPECT_EQ(r.Header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(r.Header("Date"), "Fri, 02 Jan 2026 03:00:00 GMT");

  r = Fetch(port, "GET", "/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(nlohmann::json::parse(r.body)["error"]["code"], "not_found");

  r = Fetch(port, "DELETE", "/hello");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.Header("Allow"), "GET, HEAD");
  EXPECT_EQ(nlohmann::json::parse(r.body)["error"]["code"], "method_not_allowed");
}

TEST_F(ServerTest, PostBodyHeadersAndRemote) {
  const uint16_t port = StartServer();
  TestConnection c(port);
  std::string req =
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/ocsp-request\r\n"
      "Content-Length: 5\r\n\r\n";
  req += std::string("ab\0cd", 5);
  ASSERT_TRUE(c.Send(req));
  ClientResponse r = c.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, std::string("ab\0cd", 5));
  EXPECT_EQ(r.Header("Content-Type"), "application/ocsp-request");
  EXPECT_EQ(r.Header("X-Remote"), "127.0.0.1");
  EXPECT_EQ(r.Header("X-Method"), "POST");
}

TEST_F(ServerTest, HeadAndKeepAlive) {
  const uint16_t port = StartServer();
  TestConnection c(port);
  ASSERT_TRUE(c.Send("HEAD /hello?abc HTTP/1.1\r\nHost: x\r\n\r\n"));
  ClientResponse r = c.Read(/*head=*/true);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("Content-Length"), "9");  // "hello abc"
  EXPECT_EQ(r.body, "");
  // Same connection: nothing of the HEAD body may be left in the stream.
  ASSERT_TRUE(c.Send("GET /hello?2 HTTP/1.1\r\nHost: x\r\n\r\n"));
  r = c.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello 2");
  ASSERT_TRUE(c.Send("GET /hello?3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  r = c.Read();
  EXPECT_EQ(r.body, "hello 3");
  EXPECT_EQ(r.Header("Connection"), "close");
  EXPECT_TRUE(c.PeerClosed());
}

TEST_F(ServerTest, Http10ClosesUnlessKeepAlive) {
  const uint16_t port = StartServer();
  {
    TestConnection c(port);
    ASSERT_TRUE(c.Send("GET /hello HTTP/1.0\r\n\r\n"));
    ClientResponse r = c.Read();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "hello ");
    EXPECT_TRUE(c.PeerClosed());
  }
  TestConnection c(port);
  ASSERT_TRUE(c.Send("GET /hello?1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  EXPECT_EQ(c.Read().body, "hello 1");
  ASSERT_TRUE(c.Send("GET /hello?2 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  EXPECT_EQ(c.Read().body, "hello 2");
}

TEST_F(ServerTest, BodyLimitGives413AndHeaderLimit431) {
  const uint16_t port = StartServer(Opts([](ServerOptions& o) {
    o.max_body_bytes = 1000;
    o.max_header_bytes = 2048;
  }));
  TestConnection c(port);
  ASSERT_TRUE(c.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n"));
  ClientResponse r = c.Read();
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(nlohmann::json::parse(r.body)["error"]["code"], "payload_too_large");
  EXPECT_TRUE(c.PeerClosed());

  TestConnection c2(port);
  ASSERT_TRUE(c2.Send("GET /hello HTTP/1.1\r\nX-Big: " + std::string(4000, 'a') + "\r\n\r\n"));
  EXPECT_EQ(c2.Read().status, 431);

  r = Fetch(port, "POST", "/echo", std::string(1000, 'b'));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.size(), 1000u);
}

TEST_F(ServerTest, GarbageGives400ThenServerStillServes) {
  const uint16_t port = StartServer();
  for (std::string garbage :
       {std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11),
        std::string("GET / HTTP/9.9\r\n\r\n"), std::string("NOT HTTP AT ALL\r\n\r\n"),
        std::string("GET /hello HTTP/1.1\r\nContent-Length: -5\r\n\r\n")}) {
    TestConnection c(port);
    ASSERT_TRUE(c.Send(garbage));
    ClientResponse r = c.Read();
    EXPECT_EQ(r.status, 400) << garbage;
    EXPECT_TRUE(c.PeerClosed());
  }
  {
    TestConnection c(port);
    ASSERT_TRUE(c.Send("GET /hel"));  // and then the client goes away
  }
  EXPECT_EQ(Fetch(port, "GET", "/hello").status, 200);
}

TEST_F(ServerTest, ExpectContinue) {
  const uint16_t port = StartServer();
  TestConnection c(port);
  ASSERT_TRUE(c.Send(
      "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"));
  EXPECT_EQ(c.Read().status, 100);
  ASSERT_TRUE(c.Send("xyz"));
  ClientResponse r = c.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "xyz");
}

TEST_F(ServerTest, HealthzAndMetrics) {
  const uint16_t port = StartServer();
  EXPECT_EQ(Fetch(port, "GET", "/healthz").body, "ok");
  healthy_ = false;
  ClientResponse r = Fetch(port, "GET", "/healthz");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(nlohmann::json::parse(r.body)["error"]["code"], "unavailable");
  Fetch(port, "GET", "/hello");
  Fetch(port, "GET", "/hello");
  Fetch(port, "GET", "/nowhere");
  r = Fetch(port, "GET", "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("# TYPE claimsca_http_requests_total counter"), std::string::npos);
  EXPECT_NE(r.body.find("claimsca_http_requests_total{route=\"/hello\",code=\"2xx\"} 2\n"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("claimsca_http_requests_total{route=\"/healthz\",code=\"5xx\"} 1\n"),
            std::string::npos);
  EXPECT_NE(r.body.find("claimsca_http_requests_total{route=\"unmatched\",code=\"4xx\"} 1\n"),
            std::string::npos);
  EXPECT_NE(r.body.find("claimsca_http_request_duration_seconds_count{route=\"/hello\"} 2\n"),
            std::string::npos);
  EXPECT_NE(r.body.find("claimsca_http_connections_total{tls=\"false\"}"), std::string::npos);
}

TEST_F(ServerTest, AccessLogLinesAndPerRouteSwitch) {
  const uint16_t port = StartServer();
  Fetch(port, "GET", "/hello?secret=1");
  Fetch(port, "GET", "/quiet/x");
  Fetch(port, "GET", "/missing");
  server_->Stop();
  auto lines = LogLines();
  ASSERT_EQ(lines.size(), 2u);
  const auto& a = lines[0];
  EXPECT_EQ(a["time"], "2026-01-02T03:00:00Z");
  EXPECT_EQ(a["kind"], "access");
  EXPECT_EQ(a["method"], "GET");
  EXPECT_EQ(a["path"], "/hello");  // no query
  EXPECT_EQ(a["status"], 200);
  EXPECT_EQ(a["bytes"], 14);
  EXPECT_TRUE(a["duration_us"].is_number_integer());
  EXPECT_EQ(a["remote"], "127.0.0.1");
  EXPECT_EQ(a["route"], "/hello");
  EXPECT_EQ(lines[1]["status"], 404);
  EXPECT_EQ(lines[1]["route"], "");
}

TEST_F(ServerTest, SlowRouteRunsOffTheIoThread) {
  std::promise<void> gate;
  release_ = gate.get_future().share();
  const uint16_t port = StartServer(Opts([](ServerOptions& o) { o.io_threads = 1; }));
  TestConnection slow(port);
  ASSERT_TRUE(slow.Send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
  // The only I/O thread keeps serving while the slow handler blocks.
  EXPECT_EQ(Fetch(port, "GET", "/hello").status, 200);
  gate.set_value();
  ClientResponse r = slow.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "slow done");
}

TEST_F(ServerTest, AsyncRouteAnswersFromAnotherThreadInAnyOrder) {
  const uint16_t port = StartServer(Opts([](ServerOptions& o) { o.io_threads = 1; }));
  TestConnection a(port), b(port);
  ASSERT_TRUE(a.Send("POST /later HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\na"));
  ASSERT_TRUE(b.Send("POST /later HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nb"));
  for (int i = 0; i < 500; ++i) {
    {
      std::lock_guard lock(later_mu_);
      if (later_.size() == 2) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  // Both wait without holding a thread: the only I/O thread still serves.
  EXPECT_EQ(Fetch(port, "GET", "/hello").status, 200);
  std::vector<std::pair<std::string, Reply>> waiting;
  {
    std::lock_guard lock(later_mu_);
    waiting.swap(later_);
  }
  ASSERT_EQ(waiting.size(), 2u);
  // Answered in reverse order, from a thread of our own.
  std::thread([&] {
    for (auto it = waiting.rbegin(); it != waiting.rend(); ++it) {
      it->second.Send(Response::Text("got " + it->first, 201));
    }
  }).join();
  ClientResponse rb = b.Read();
  ClientResponse ra = a.Read();
  EXPECT_EQ(ra.status, 201);
  EXPECT_EQ(ra.body, "got a");
  EXPECT_EQ(rb.body, "got b");
  // The connection stays usable (keep-alive) after an asynchronous answer.
  ASSERT_TRUE(a.Send("GET /offload HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(a.Read().body, "offloaded");
  ASSERT_TRUE(a.Send("GET /offload?now HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(a.Read().body, "at once");
}

TEST_F(ServerTest, SharedEventLoopAndStopWithIdleConnections) {
  const uint16_t port = StartServer(Opts([](ServerOptions& o) {
    o.io_threads = 2;
    o.shared_event_loop = true;
  }));
  TestConnection idle(port);
  ASSERT_TRUE(idle.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(idle.Read().status, 200);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(Fetch(port, "GET", "/hello").status, 200);
  const auto t0 = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
  EXPECT_TRUE(idle.PeerClosed());
  EXPECT_FALSE(TestConnection(port).connected());
}

TEST_F(ServerTest, ListenErrors) {
  HttpServer s(router_, metrics_, *logger_, clock_);
  ListenerOptions bad_host;
  bad_host.host = "not-an-ip";
  EXPECT_FALSE(s.Listen(bad_host).ok());
  auto port = s.Listen(Local());
  ASSERT_TRUE(port.ok());
  HttpServer s2(router_, metrics_, *logger_, clock_);
  EXPECT_EQ(s2.Listen(Local(*port)).status().code(), Code::kUnavailable);
  ListenerOptions bad_tls;
  bad_tls.tls.emplace();
  bad_tls.tls->cert_chain_file = "/nonexistent.pem";
  bad_tls.tls->private_key_file = "/nonexistent.key";
  EXPECT_FALSE(s2.Listen(bad_tls).ok());
}

}  // namespace
}  // namespace claimsca::web
