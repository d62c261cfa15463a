// HttpServer: listeners, event loops, threads, TLS contexts. The per-connection protocol
// lives in session.cc.

#include "web/server.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <optional>
#include <thread>

#include "web/server_internal.h"
#include "web/tls_policy.h"

namespace claimsca::web {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace internal {

Core::Registration Core::Register(std::weak_ptr<SessionBase> s) {
  open->Add(1);
  std::lock_guard lock(mu_);
  return sessions_.insert(sessions_.end(), std::move(s));
}

void Core::Unregister(Registration it) {
  open->Add(-1);
  std::lock_guard lock(mu_);
  sessions_.erase(it);
  if (sessions_.empty()) cv_.notify_all();
}

size_t Core::LiveSessions() {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

bool Core::DrainUntil(std::chrono::steady_clock::time_point deadline) {
  std::vector<std::shared_ptr<SessionBase>> live;
  {
    std::lock_guard lock(mu_);
    for (auto& w : sessions_) {
      if (auto s = w.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live) s->RequestStop();
  live.clear();  // the sessions must be able to die
  std::unique_lock lock(mu_);
  return cv_.wait_until(lock, deadline, [&] { return sessions_.empty(); });
}

}  // namespace internal

namespace {

struct Listener {
  explicit Listener(asio::io_context& ctx) : acceptor(ctx), retry(ctx) {}
  tcp::acceptor acceptor;
  asio::steady_timer retry;
  std::optional<tcp::socket> socket;
  asio::ssl::context* ssl = nullptr;
};

Status TlsError(std::string_view what, const boost::system::error_code& ec) {
  return InvalidArgument("TLS: " + std::string(what) + ": " + ec.message());
}

}  // namespace

int internal::ExplainRefusedExIndex() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

struct HttpServer::Impl {
  Impl(const Router& r, Metrics& m, Logger& l, const Clock& c, ServerOptions o)
      : core(r, m, l, c, o) {}

  Result<std::unique_ptr<asio::ssl::context>> MakeTls(const TlsOptions& t);
  void Accept(Listener* l);
  void OnAccept(Listener* l, const boost::system::error_code& ec);

  internal::Core core;
  std::vector<std::unique_ptr<asio::ssl::context>> tls_contexts;
  // TlsOptions::verify_time of each mutual-TLS context (the contexts point at these).
  std::vector<std::unique_ptr<std::function<int64_t()>>> verify_times;
  // TlsOptions::explain_refused_client_cert, likewise.
  std::vector<std::unique_ptr<internal::ExplainRefusedFn>> explainers;
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<std::unique_ptr<Listener>> listeners;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  std::vector<std::thread> threads;
  std::unique_ptr<asio::thread_pool> pool;
  size_t next_context = 0;
  bool started = false;
  bool stopped = false;
};

HttpServer::HttpServer(const Router& router, Metrics& metrics, Logger& logger, const Clock& clock,
                       ServerOptions options)
    : impl_(std::make_unique<Impl>(router, metrics, logger, clock, options)) {
  auto& o = impl_->core.options;
  const int loops = o.shared_event_loop ? 1 : std::max(1, o.io_threads);
  for (int i = 0; i < loops; ++i) {
    impl_->contexts.push_back(std::make_unique<asio::io_context>(o.shared_event_loop ? -1 : 1));
  }
  auto& core = impl_->core;
  core.open = &metrics.GetGauge("claimsca_http_connections_open", "Open HTTP connections.");
  const char* conn_help = "Accepted HTTP connections.";
  core.accepted_plain =
      &metrics.GetCounter("claimsca_http_connections_total", conn_help, {{"tls", "false"}});
  core.accepted_tls =
      &metrics.GetCounter("claimsca_http_connections_total", conn_help, {{"tls", "true"}});
  const char* rej_help = "Connections closed before serving: over the limit, TLS failure.";
  core.rejected_limit = &metrics.GetCounter("claimsca_http_connections_rejected_total", rej_help,
                                            {{"reason", "limit"}});
  core.rejected_handshake = &metrics.GetCounter("claimsca_http_connections_rejected_total",
                                                rej_help, {{"reason", "tls_handshake"}});
}

HttpServer::~HttpServer() {
  Stop();
  // Sessions die with the event loops; they need the TLS contexts and the core.
  impl_->listeners.clear();
  impl_->contexts.clear();
}

Result<std::unique_ptr<asio::ssl::context>> HttpServer::Impl::MakeTls(const TlsOptions& t) {
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  boost::system::error_code ec;
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1 | asio::ssl::context::no_compression,
                   ec);
  if (ec) return TlsError("options", ec);
  SSL_CTX* native = ctx->native_handle();
  RETURN_IF_ERROR(ApplyTlsPolicy(native));  // Mozilla "intermediate" (tls_policy.h)
  ctx->use_certificate_chain_file(t.cert_chain_file, ec);
  if (ec) return TlsError("certificate chain " + t.cert_chain_file, ec);
  ctx->use_private_key_file(t.private_key_file, asio::ssl::context::pem, ec);
  if (ec) return TlsError("private key " + t.private_key_file, ec);
  if (SSL_CTX_check_private_key(native) != 1) {
    return InvalidArgument("TLS: private key does not match the certificate");
  }
  if (!t.client_ca_file.empty()) {
    ctx->load_verify_file(t.client_ca_file, ec);
    if (ec) return TlsError("client CA file " + t.client_ca_file, ec);
    // Tell clients which CAs we accept.
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(t.client_ca_file.c_str())) {
      SSL_CTX_set_client_CA_list(native, names);
    }
    // No session resumption: a resumed session skips certificate verification and so
    // the accept hook, and a certificate revoked since must not get back in.
    SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(native, SSL_OP_NO_TICKET);
    SSL_CTX_set_num_tickets(native, 0);
    static const unsigned char kSidCtx[] = "claimsca-mtls";
    SSL_CTX_set_session_id_context(native, kSidCtx, sizeof kSidCtx - 1);
    ctx->set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert, ec);
    if (ec) return TlsError("verify mode", ec);
    ctx->set_verify_depth(t.verify_depth, ec);
    if (ec) return TlsError("verify depth", ec);
    if (t.verify_time) {
      verify_times.push_back(std::make_unique<std::function<int64_t()>>(t.verify_time));
      SSL_CTX_set_cert_verify_callback(
          native,
          [](X509_STORE_CTX* sc, void* arg) -> int {
            const auto* now = static_cast<const std::function<int64_t()>*>(arg);
            X509_STORE_CTX_set_time(sc, 0, static_cast<time_t>((*now)()));
            return X509_verify_cert(sc);
          },
          verify_times.back().get());
    }
    // Expired or refused terminal certificates admitted to be told why (the session
    // answers them; SSL_get_verify_result stays the error).
    const bool explain = static_cast<bool>(t.explain_refused_client_cert);
    if (explain) {
      explainers.push_back(
          std::make_unique<internal::ExplainRefusedFn>(t.explain_refused_client_cert));
      SSL_CTX_set_ex_data(native, internal::ExplainRefusedExIndex(), explainers.back().get());
    }
    ctx->set_verify_callback(
        [hook = t.accept_client_cert, explain](bool preverified, asio::ssl::verify_context& vc) {
          X509_STORE_CTX* sc = vc.native_handle();
          if (!preverified) {
            return explain && X509_STORE_CTX_get_error_depth(sc) == 0 &&
                   X509_STORE_CTX_get_error(sc) == X509_V_ERR_CERT_HAS_EXPIRED;
          }
          if (X509_STORE_CTX_get_error_depth(sc) != 0 || !hook) return true;
          X509* cert = X509_STORE_CTX_get_current_cert(sc);
          unsigned char* der = nullptr;
          const int n = i2d_X509(cert, &der);
          if (n <= 0) return false;
          std::string s(reinterpret_cast<char*>(der), static_cast<size_t>(n));
          OPENSSL_free(der);
          bool ok = false;
          try {
            ok = hook(s);
          } catch (...) {
            ok = false;
          }
          if (!ok) X509_STORE_CTX_set_error(sc, X509_V_ERR_CERT_REJECTED);
          return ok || explain;
        },
        ec);
    if (ec) return TlsError("verify callback", ec);
  }
  return ctx;
}

Result<uint16_t> HttpServer::Listen(const ListenerOptions& options) {
  if (impl_->started) return FailedPrecondition("Listen after Start");
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(options.host, ec);
  if (ec) return InvalidArgument("listen address '" + options.host + "': " + ec.message());
  asio::ssl::context* ssl = nullptr;
  if (options.tls) {
    ASSIGN_OR_RETURN(auto ctx, impl_->MakeTls(*options.tls));
    ssl = ctx.get();
    impl_->tls_contexts.push_back(std::move(ctx));
  }
  auto l = std::make_unique<Listener>(*impl_->contexts[0]);
  l->ssl = ssl;
  const tcp::endpoint ep(address, options.port);
  const std::string where = options.host + ":" + std::to_string(options.port);
  if (l->acceptor.open(ep.protocol(), ec); ec)
    return Unavailable("open " + where + ": " + ec.message());
  l->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (l->acceptor.bind(ep, ec); ec) return Unavailable("bind " + where + ": " + ec.message());
  if (l->acceptor.listen(asio::socket_base::max_listen_connections, ec); ec) {
    return Unavailable("listen " + where + ": " + ec.message());
  }
  const uint16_t port = l->acceptor.local_endpoint(ec).port();
  if (ec) return Unavailable("local endpoint: " + ec.message());
  impl_->listeners.push_back(std::move(l));
  return port;
}

void HttpServer::Impl::Accept(Listener* l) {
  asio::io_context& ctx = *contexts[next_context++ % contexts.size()];
  if (core.options.shared_event_loop) {
    l->socket.emplace(asio::make_strand(ctx));
  } else {
    l->socket.emplace(ctx.get_executor());
  }
  l->acceptor.async_accept(*l->socket,
                           [this, l](const boost::system::error_code& ec) { OnAccept(l, ec); });
}

void HttpServer::Impl::OnAccept(Listener* l, const boost::system::error_code& ec) {
  if (ec == asio::error::operation_aborted || core.stopping.load()) return;
  if (ec) {  // e.g. out of file descriptors: back off instead of spinning
    l->retry.expires_after(std::chrono::milliseconds(50));
    l->retry.async_wait([this, l](const boost::system::error_code& e) {
      if (!e && !core.stopping.load()) Accept(l);
    });
    return;
  }
  boost::system::error_code ignored;
  if (static_cast<size_t>(std::max<int64_t>(0, core.open->Value())) >=
      core.options.max_connections) {
    core.rejected_limit->Inc();
    l->socket->close(ignored);
  } else {
    l->socket->set_option(tcp::no_delay(true), ignored);
    (l->ssl ? core.accepted_tls : core.accepted_plain)->Inc();
    internal::StartSession(core, std::move(*l->socket), l->ssl);
  }
  Accept(l);
}

Status HttpServer::Start() {
  Impl& m = *impl_;
  if (m.started) return FailedPrecondition("server already started");
  if (m.listeners.empty()) return FailedPrecondition("no listener");
  m.started = true;
  auto& core = m.core;
  bool any_slow = false;
  const char* req_help = "HTTP requests served, by route and status class.";
  const char* lat_help = "HTTP request latency from request read to response written.";
  auto make_stats = [&](const std::string& label, uint32_t log_every) {
    auto s = std::make_unique<internal::RouteStats>();
    s->label = label;
    s->log_every = log_every;
    for (int c = 1; c <= 5; ++c) {
      s->by_class[c] =
          &core.metrics.GetCounter("claimsca_http_requests_total", req_help,
                                   {{"route", label}, {"code", std::to_string(c) + "xx"}});
    }
    s->latency = &core.metrics.GetHistogram("claimsca_http_request_duration_seconds", lat_help,
                                            {{"route", label}});
    return s;
  };
  for (const auto& r : core.router.routes()) {
    core.stats.push_back(make_stats(r->pattern, r->options.access_log_every));
    any_slow |= r->options.slow || r->async_handler != nullptr;
  }
  core.unmatched = make_stats("unmatched", 1);
  if (any_slow) {
    m.pool = std::make_unique<asio::thread_pool>(std::max(1, core.options.worker_threads));
    core.pool = m.pool.get();
  }
  for (auto& ctx : m.contexts) m.guards.push_back(asio::make_work_guard(*ctx));
  for (auto& l : m.listeners) {
    asio::post(*m.contexts[0], [&m, lp = l.get()] { m.Accept(lp); });
  }
  const int nthreads = std::max(1, core.options.io_threads);
  for (int i = 0; i < nthreads; ++i) {
    asio::io_context& ctx = *m.contexts[static_cast<size_t>(i) % m.contexts.size()];
    m.threads.emplace_back([&ctx] { ctx.run(); });
  }
  return Status::Ok();
}

void HttpServer::Stop() {
  Impl& m = *impl_;
  if (m.stopped) return;
  m.stopped = true;
  m.core.stopping = true;
  if (!m.started) return;
  for (auto& l : m.listeners) {
    asio::post(*m.contexts[0], [lp = l.get()] {
      boost::system::error_code ignored;
      lp->acceptor.close(ignored);
      lp->retry.cancel();
    });
  }
  m.core.DrainUntil(std::chrono::steady_clock::now() + m.core.options.drain_timeout);
  m.guards.clear();
  for (auto& ctx : m.contexts) ctx->stop();
  for (auto& t : m.threads) t.join();
  m.threads.clear();
  if (m.pool) m.pool->join();
}

void AddHealthRoute(Router& router, std::function<Status()> check, RouteOptions options) {
  router.Handle(
      "GET", "/healthz", false,
      [check = std::move(check)](const Request&) {
        if (check) {
          Status s = check();
          if (!s.ok()) return Response::Error(503, CodeName(s.code()), s.message());
        }
        return Response::Text("ok");
      },
      options);
}

void AddMetricsRoute(Router& router, const Metrics& metrics, RouteOptions options) {
  router.Handle(
      "GET", "/metrics", false,
      [&metrics](const Request&) {
        return Response::Bytes("text/plain; version=0.0.4; charset=utf-8",
                               metrics.RenderPrometheus());
      },
      options);
}

}  // namespace claimsca::web
