// One HTTP connection (plain or TLS): Asio sockets and Beast's HTTP parser. Beast is
// confined to this file.

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <time.h>

#include <array>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <charconv>
#include <nlohmann/json.hpp>
#include <optional>

#include "web/server_internal.h"

namespace claimsca::web::internal {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// IMF-fixdate of the current second, cached per thread.
std::string_view DateHeader(const claimsca::Clock& clock) {
  thread_local int64_t cached_second = INT64_MIN;
  thread_local char buf[40];
  thread_local size_t len = 0;
  const int64_t now = clock.Now().time_since_epoch().count();
  if (now != cached_second) {
    cached_second = now;
    const time_t t = static_cast<time_t>(now);
    struct tm tm;
    gmtime_r(&t, &tm);
    len = strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  }
  return {buf, len};
}

bool SafeHeader(std::string_view s) {
  return s.find_first_of("\r\n", 0) == std::string_view::npos && !s.empty();
}

// Serializes the response head into `out` (status line, fields, CRLF CRLF).
void AppendHead(std::string& out, unsigned version, int status, const Response& r,
                std::string_view date, size_t content_length, bool close) {
  out += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  char num[24];
  auto [end, ec] = std::to_chars(num, num + sizeof num, status);
  out.append(num, end);
  out += ' ';
  out += ReasonPhrase(status);
  out += "\r\n";
  if (!r.content_type.empty() && SafeHeader(r.content_type)) {
    out += "Content-Type: ";
    out += r.content_type;
    out += "\r\n";
  }
  for (const auto& [k, v] : r.headers) {
    if (!SafeHeader(k) || v.find_first_of("\r\n") != std::string::npos) continue;
    out += k;
    out += ": ";
    out += v;
    out += "\r\n";
  }
  out += "Date: ";
  out += date;
  out += "\r\nContent-Length: ";
  auto [end2, ec2] = std::to_chars(num, num + sizeof num, content_length);
  out.append(num, end2);
  if (close) {
    out += "\r\nConnection: close";
  } else if (version == 10) {
    out += "\r\nConnection: keep-alive";
  }
  out += "\r\n\r\n";
}

// One connection. Reads with async_read_some and feeds Beast's parser synchronously;
// writes the serialized head and the body with one gather write. Timeouts use one timer
// per connection that is armed rarely: activity only moves `deadline_`, and the timer,
// when it fires, re-arms itself until the deadline really passed.
template <class Stream>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = !std::is_same_v<Stream, tcp::socket>;

 public:
  Session(Core& core, tcp::socket socket, asio::ssl::context* ssl)
      : core_(core), stream_(MakeStream(std::move(socket), ssl)), timer_(stream_.get_executor()) {}

  ~Session() override {
    if (registered_) core_.Unregister(registration_);
  }

  void Run() {
    beast::error_code ec;
    auto ep = Socket().remote_endpoint(ec);
    if (!ec) req_.remote_addr = ep.address().to_string();
    req_.tls = kTls;
    registration_ = core_.Register(this->weak_from_this());
    registered_ = true;
    if (core_.stopping.load()) return Close();
    if constexpr (kTls) {
      SetDeadline(core_.options.tls_handshake_timeout);
      ArmTimer();
      stream_.async_handshake(
          asio::ssl::stream_base::server,
          [self = this->shared_from_this()](beast::error_code e) { self->OnHandshake(e); });
    } else {
      SetDeadline(core_.options.io_timeout);
      ArmTimer();
      Read();
    }
  }

  void RequestStop() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->stop_ = true;
      if (!self->busy_) self->Close();
    });
  }

 private:
  static Stream MakeStream(tcp::socket socket, asio::ssl::context* ssl) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *ssl);
    } else {
      (void)ssl;
      return Stream(std::move(socket));
    }
  }

  tcp::socket& Socket() {
    if constexpr (kTls) {
      return stream_.next_layer();
    } else {
      return stream_;
    }
  }

  void SetDeadline(std::chrono::steady_clock::duration d) { deadline_ = Clock::now() + d; }

  void ArmTimer() {
    timer_.expires_at(deadline_);
    timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (ec || self->closed_) return;
      if (Clock::now() < self->deadline_) return self->ArmTimer();
      self->Close();  // timed out: a stalled read, write, handshake or an idle keep-alive
    });
  }

  void OnHandshake(beast::error_code ec) {
    if (ec) {
      core_.rejected_handshake->Inc();
      return Close();
    }
    if constexpr (kTls) {
      SSL* ssl = stream_.native_handle();
      if (X509* cert = SSL_get1_peer_certificate(ssl)) {
        unsigned char* der = nullptr;
        const int n = i2d_X509(cert, &der);
        if (n > 0) req_.client_cert_der.assign(reinterpret_cast<char*>(der), n);
        OPENSSL_free(der);
        X509_free(cert);
      }
      if (SSL_get_verify_result(ssl) != X509_V_OK) {
        // Admitted only to be told why (TlsOptions::explain_refused_client_cert).
        const auto* explain = static_cast<const ExplainRefusedFn*>(
            SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ExplainRefusedExIndex()));
        if (explain != nullptr && !req_.client_cert_der.empty()) {
          try {
            refused_ = (*explain)(req_.client_cert_der);
          } catch (...) {
            refused_.reset();
          }
        }
        if (!refused_) {
          core_.rejected_handshake->Inc();
          return Close();
        }
        req_.client_cert_der.clear();  // never an authenticated request
      }
    }
    Read();
  }

  void Read() {
    if (stop_) return Close();
    busy_ = false;
    continue_sent_ = false;
    parser_.emplace();
    parser_->eager(true);
    parser_->header_limit(static_cast<uint32_t>(core_.options.max_header_bytes));
    parser_->body_limit(core_.options.max_body_bytes);
    SetDeadline(core_.options.io_timeout);
    if (buffer_.size() > 0) return Parse();  // pipelined bytes already here
    ReadMore();
  }

  void ReadMore() {
    stream_.async_read_some(buffer_.prepare(16 * 1024),
                            [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                              self->OnReadSome(ec, n);
                            });
  }

  void OnReadSome(beast::error_code ec, size_t n) {
    buffer_.commit(n);
    if (ec) {
      if (ec == asio::error::eof && buffer_.size() > 0)
        return OnReadError(http::error::partial_message);
      return Close();  // peer closed, reset, timeout, stopping
    }
    busy_ = true;
    Parse();
  }

  void Parse() {
    busy_ = true;
    while (buffer_.size() > 0 && !parser_->is_done()) {
      beast::error_code ec;
      const size_t n = parser_->put(buffer_.data(), ec);
      buffer_.consume(n);
      if (ec == http::error::need_more) break;
      if (ec) return OnReadError(ec);
      if (n == 0) break;
    }
    if (parser_->is_done()) return Handle();
    if (parser_->is_header_done() && !continue_sent_ && buffer_.size() == 0 &&
        beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
      continue_sent_ = true;
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                        [self = this->shared_from_this()](beast::error_code e, size_t) {
                          if (e) return self->Close();
                          self->ReadMore();
                        });
      return;
    }
    busy_ = false;
    ReadMore();
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::partial_message || stop_) return Close();
    force_close_ = true;
    head_ = false;
    keep_alive_ = false;
    version_ = 11;
    match_ = {};
    stats_ = core_.unmatched.get();
    t0_ = Clock::now();
    req_.method = "-";
    req_.path.clear();
    if (ec == http::error::body_limit) {
      return Write(Response::Error(413, "payload_too_large", "request body too large"));
    }
    if (ec == http::error::header_limit) {
      return Write(Response::Error(431, "header_too_large", "request header too large"));
    }
    Write(Response::Error(400, "bad_request", "malformed HTTP request"));
  }

  void Handle() {
    t0_ = Clock::now();
    auto& msg = parser_->get();
    req_.method = msg.method_string();
    const std::string_view target = msg.target();
    const size_t q = target.find('?');
    req_.path.assign(target.substr(0, q));
    if (q == std::string_view::npos) {
      req_.query.clear();
    } else {
      req_.query.assign(target.substr(q + 1));
    }
    req_.body = std::move(msg.body());
    req_.headers.clear();
    for (const auto& f : msg) req_.headers.emplace_back(f.name_string(), f.value());
    keep_alive_ = msg.keep_alive();
    head_ = msg.method() == http::verb::head;
    version_ = msg.version();
    if (refused_) {  // a terminal certificate admitted only to be told why
      match_ = {};
      stats_ = core_.unmatched.get();
      core_.logger.Event("mtls_refused", {{"remote", req_.remote_addr},
                                          {"method", req_.method},
                                          {"path", req_.path},
                                          {"status", refused_->status},
                                          {"answer", refused_->body}});
      return Write(*refused_);
    }

    match_ = core_.router.Find(req_.method, req_.path);
    stats_ = match_.route ? core_.stats[match_.route->id].get() : core_.unmatched.get();
    if (match_.route && match_.route->async_handler && core_.pool != nullptr) {
      try {
        match_.route->async_handler(req_, MakeReply());
      } catch (...) {
        Write(Response::Error(500, "internal", "handler failed"));
      }
      return;
    }
    if (match_.route && match_.route->options.slow && core_.pool != nullptr) {
      return MakeReply().Offload(
          [self = this->shared_from_this()] { return Router::Invoke(self->match_, self->req_); });
    }
    Write(Router::Invoke(match_, req_));
  }

  // Answers from any thread: the response is written on this session's executor; offloaded
  // work runs on the worker pool first.
  Reply MakeReply() {
    auto send = [self = this->shared_from_this()](Response r) {
      asio::post(self->stream_.get_executor(),
                 [self, r = std::move(r)]() mutable { self->Write(std::move(r)); });
    };
    auto offload = [self = this->shared_from_this(), send](Reply::Work work) {
      asio::post(*self->core_.pool, [work = std::move(work), send] {
        Response r;
        try {
          r = work();
        } catch (...) {
          r = Response::Error(500, "internal", "handler failed");
        }
        send(std::move(r));
      });
    };
    return Reply(std::move(send), std::move(offload));
  }

  void Write(Response r) {
    close_after_ = force_close_ || !keep_alive_ || stop_;
    status_ = r.status;
    body_bytes_ = r.body.size();
    head_buf_.clear();
    AppendHead(head_buf_, version_ == 10 ? 10 : 11, r.status, r, DateHeader(core_.clock),
               r.body.size(), close_after_);
    body_ = std::move(r.body);
    if (head_) body_.clear();
    SetDeadline(core_.options.io_timeout);
    const std::array<asio::const_buffer, 2> bufs{asio::buffer(head_buf_), asio::buffer(body_)};
    asio::async_write(
        stream_, bufs,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnWrite(ec); });
  }

  void OnWrite(beast::error_code ec) {
    Record();
    if (ec || close_after_) return Close();
    Read();
  }

  void Record() {
    const auto d = Clock::now() - t0_;
    const int cls = status_ >= 100 && status_ < 600 ? status_ / 100 : 5;
    stats_->by_class[cls]->Inc();
    stats_->latency->Observe(std::chrono::duration_cast<std::chrono::nanoseconds>(d));
    if (!stats_->ShouldLog()) return;
    AccessRecord rec;
    rec.method = req_.method;
    rec.path = req_.path;
    rec.status = status_;
    rec.bytes = body_bytes_;
    rec.duration_us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
    rec.remote = req_.remote_addr;
    rec.route = match_.route ? std::string_view(match_.route->pattern) : std::string_view();
    core_.logger.Access(rec);
  }

  void Close() {
    if (closed_) return;
    busy_ = true;
    beast::error_code ignored;
    if constexpr (kTls) {
      if (!stop_ && !shutdown_started_ && SSL_is_init_finished(stream_.native_handle())) {
        shutdown_started_ = true;
        SetDeadline(core_.options.tls_handshake_timeout);
        stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {
          self->shutdown_started_ = true;
          self->Close();
        });
        return;
      }
    }
    closed_ = true;
    timer_.cancel();
    Socket().shutdown(tcp::socket::shutdown_send, ignored);
    Socket().close(ignored);
  }

  Core& core_;
  Stream stream_;
  asio::steady_timer timer_;
  Clock::time_point deadline_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string head_buf_;
  std::string body_;
  Request req_;
  Router::Match match_;
  RouteStats* stats_ = nullptr;
  Clock::time_point t0_;
  Core::Registration registration_;
  bool registered_ = false;
  bool busy_ = true;  // not waiting for a request (handshake, handling, writing)
  // Set when the client certificate was admitted only to be told why it is refused.
  std::optional<Response> refused_;
  bool stop_ = false;
  bool closed_ = false;
  bool shutdown_started_ = false;
  bool continue_sent_ = false;
  bool keep_alive_ = false;
  bool force_close_ = false;
  bool close_after_ = false;
  bool head_ = false;
  unsigned version_ = 11;
  int status_ = 0;
  size_t body_bytes_ = 0;
};

}  // namespace

void StartSession(Core& core, tcp::socket socket, asio::ssl::context* ssl) {
  // Run on the connection's own executor (the accepting thread may be another one).
  auto ex = socket.get_executor();
  if (ssl != nullptr) {
    auto s =
        std::make_shared<Session<asio::ssl::stream<tcp::socket>>>(core, std::move(socket), ssl);
    asio::post(ex, [s] { s->Run(); });
  } else {
    auto s = std::make_shared<Session<tcp::socket>>(core, std::move(socket), nullptr);
    asio::post(ex, [s] { s->Run(); });
  }
}

}  // namespace claimsca::web::internal
