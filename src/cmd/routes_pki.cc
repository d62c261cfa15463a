#include <openssl/evp.h>

#include <algorithm>
#include <cstdint>

#include "cmd/ca_ceremony.h"
#include "cmd/crl_shards_cmd.h"
#include "cmd/routes.h"
#include "crypto/ossl.h"
#include "portal/ca_page.h"
#include "web/json_util.h"

namespace claimsca::cmd {

std::optional<std::string> PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    auto hex = [](char c) {
      return c >= '0' && c <= '9'   ? c - '0'
             : c >= 'a' && c <= 'f' ? c - 'a' + 10
             : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                    : -1;
    };
    int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi << 4 | lo));
    i += 2;
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view s) {
  std::string in(s);
  while (in.size() % 4) in.push_back('=');
  if (in.empty() || in.size() > (1u << 20)) return std::nullopt;
  std::string out(in.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  if (n < 0) return std::nullopt;
  size_t pad = 0;
  for (size_t i = in.size(); i > 0 && in[i - 1] == '='; --i) ++pad;
  out.resize(static_cast<size_t>(n) - std::min<size_t>(pad, 2));
  return out;
}

namespace {

struct PublishedCert {
  std::string name;  // "root", "issuing-1", "ocsp"
  std::string der;
  std::string pem;
  portal::PublishedCa::Role role;
  std::string program;  // display name of the program it serves alone; "" = every program
};

std::string ThumbprintsJson(const std::vector<PublishedCert>& certs) {
  std::string j = "{\"certificates\":[";
  for (size_t i = 0; i < certs.size(); ++i) {
    auto cert = crypto::CertFromDer(certs[i].der);
    char subject[512] = {0};
    X509_NAME_oneline(X509_get_subject_name(cert->get()), subject, sizeof subject);
    j += i ? "," : "";
    j += "{\"name\":";
    web::AppendJsonString(j, certs[i].name);
    j += ",\"subject\":";
    web::AppendJsonString(j, subject);
    j += ",\"sha1\":\"" + crypto::Thumbprint(certs[i].der, EVP_sha1()) + "\"";
    j += ",\"sha256\":\"" + crypto::Thumbprint(certs[i].der, EVP_sha256()) + "\"";
    j += ",\"pem_url\":\"/ca/" + certs[i].name + ".pem\",\"der_url\":\"/ca/" + certs[i].name +
         ".der\"}";
  }
  return j + "]}";
}

// RFC 5019 §6.2: an HTTP cache may keep a GET answer until its nextUpdate and no longer.
// The values were made when the response was signed; only max-age is counted here.
void AddCacheHeaders(web::Response& r, const ocsp::HttpFreshness& f, Instant now) {
  const auto left = std::max<int64_t>(0, (f.next_update - now).count());
  std::string cache_control = "max-age=";
  cache_control += std::to_string(left);
  cache_control += ", public, no-transform, must-revalidate";
  r.headers.reserve(4);
  r.headers.emplace_back("Cache-Control", std::move(cache_control));
  r.headers.emplace_back("Expires", f.expires);
  r.headers.emplace_back("Last-Modified", f.last_modified);
  if (!f.etag.empty()) r.headers.emplace_back("ETag", f.etag);
}

}  // namespace

void AddPkiRoutes(web::Router& router, RouteDeps deps) {
  App& app = deps.app;
  auto certs = std::make_shared<std::vector<PublishedCert>>();
  using Role = portal::PublishedCa::Role;
  struct Published {
    std::string name;
    X509* cert;
    Role role;
    std::string program;
  };
  std::vector<Published> published = {
      {"root", app.ca.root.get(), Role::kRoot, ""},
      {app.config.issuer_id, app.ca.issuing.get(), Role::kIssuing, ""},
      {"ocsp", app.ca.ocsp.get(), Role::kOcsp, ""}};
  // The programs' own issuing CAs and their OCSP responders (docs/certificate-profile.md).
  for (const ProgramIssuingCa& p : app.ca.program_issuing) {
    auto program = app.programs.Find(p.program);
    const std::string label = program.ok() ? (*program)->display_name : p.program;
    published.push_back({p.issuer_id, p.cert.get(), Role::kIssuing, label});
    published.push_back({"ocsp-" + p.issuer_id, p.ocsp.get(), Role::kOcsp, label});
  }
  for (const Published& p : published) {
    certs->push_back({p.name, crypto::CertToDer(p.cert).value(), crypto::CertToPem(p.cert).value(),
                      p.role, p.program});
  }
  for (const PublishedCert& c : *certs) {
    router.Handle("GET", "/ca/" + c.name + ".pem", false, [pem = c.pem](const web::Request&) {
      return web::Response::Bytes("application/x-pem-file", pem);
    });
    router.Handle("GET", "/ca/" + c.name + ".der", false, [der = c.der](const web::Request&) {
      return web::Response::Bytes("application/pkix-cert", der);
    });
  }
  router.Handle("GET", "/ca/thumbprints", false,
                [json = ThumbprintsJson(*certs)](auto&) { return web::Response::Json(json); });
  // The page a clinic reads (portal/ca_page.h), in Japanese; made once.
  std::vector<portal::PublishedCa> page_certs;
  for (const PublishedCert& c : *certs) page_certs.push_back({c.name, c.role, c.program, c.der});
  router.Handle("GET", "/ca/", false,
                [page = portal::CaCertificatesPage(page_certs)](auto&) { return page; });

  // CRLs: the latest published DER, read from the database (another process may have
  // published it).
  std::vector<std::string> issuer_ids = {app.config.issuer_id};
  for (const ProgramIssuingCa& p : app.ca.program_issuing) issuer_ids.push_back(p.issuer_id);
  for (const std::string& issuer_id : issuer_ids) {
    router.Handle("GET", "/crl/" + issuer_id + ".crl", false,
                  [&app, issuer_id](const web::Request&) {
                    return CrlAnswer(app.store->GetCrlDer(issuer_id));
                  },
                  {.slow = true});
  }

  // Their shards (docs/revocation.md, "Sharded CRLs"), on read-only nodes too.
  AddCrlShardRoutes(router, app);

  // The root's ARL (docs/revocation.md): the file the last key ceremony wrote, read at each
  // request, so that a new one is served without a restart.
  router.Handle("GET", "/crl/root.crl", false,
                [&app](const web::Request&) {
                  auto der = ReadFile(ArlPath(app.config));
                  if (!der.ok()) {
                    return web::Response::Error(503, "unavailable",
                                                "no ARL has been published yet");
                  }
                  auto r = web::Response::Bytes("application/pkix-crl", std::move(*der));
                  r.headers.emplace_back("Cache-Control", "max-age=3600");
                  return r;
                },
                {.slow = true});

  // OCSP (RFC 6960 Appendix A): POST with the DER request, or GET with it base64 in the
  // path. The responder always produces an OCSPResponse (errors included).
  web::RouteOptions ocsp_opts{.access_log_every = deps.access_log_ocsp ? 1u : 0u};
  ocsp::OcspResponder& responder = deps.ocsp;
  // POST answers claim no cacheability: RFC 5019 §6 caches GET answers, and a POST answer
  // without explicit freshness is kept by no HTTP cache (RFC 9111 §3).
  router.Handle(
      "POST", "/ocsp", false,
      [&responder](const web::Request& req) {
        if (req.Header("Content-Type") != "application/ocsp-request") {
          return web::Response::Error(415, "invalid_argument",
                                      "Content-Type must be application/ocsp-request");
        }
        return web::Response::Bytes("application/ocsp-response", responder.Respond(req.body));
      },
      ocsp_opts);
  router.Handle(
      "GET", "/ocsp/", true,
      [&responder, &clock = *app.clock](const web::Request& req) {
        auto decoded = PercentDecode(std::string_view(req.path).substr(6));
        auto der = decoded ? Base64Decode(*decoded) : std::nullopt;
        // Malformed → malformedRequest.
        ocsp::OcspAnswer a = responder.Answer(der ? *der : std::string_view());
        auto r = web::Response::Bytes("application/ocsp-response", std::move(a.der));
        if (a.freshness) AddCacheHeaders(r, *a.freshness, clock.Now());
        return r;
      },
      ocsp_opts);
}

}  // namespace claimsca::cmd
