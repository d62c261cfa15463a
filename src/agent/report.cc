#include "agent/report.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cctype>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>

#include "crypto/ossl.h"

namespace claimsca::agent {
namespace {

using SslCtxPtr = std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>;
using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free_all)>;

bool IsIpAddress(const std::string& host) {
  ASN1_OCTET_STRING* ip = a2i_IPADDRESS(host.c_str());
  if (ip == nullptr) return false;
  ASN1_OCTET_STRING_free(ip);
  return true;
}

}  // namespace

Result<std::string> ReportRenewalFailure(const ReportTarget& target, std::string_view reason) {
  const size_t colon = target.server.rfind(':');
  if (colon == std::string::npos) return InvalidArgument("report server: host:port");
  const std::string host = target.server.substr(0, colon);
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()), &SSL_CTX_free);
  if (ctx == nullptr) return crypto::OpensslError("TLS context");
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  if (SSL_CTX_load_verify_locations(ctx.get(), target.trusted_file.c_str(), nullptr) != 1) {
    return crypto::OpensslError("reading " + target.trusted_file);
  }
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), target.cert_file.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx.get(), target.key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx.get()) != 1) {
    return crypto::OpensslError("the terminal's certificate and key");
  }
  BioPtr bio(BIO_new_ssl_connect(ctx.get()), &BIO_free_all);
  if (bio == nullptr) return crypto::OpensslError("TLS connection");
  SSL* ssl = nullptr;
  BIO_get_ssl(bio.get(), &ssl);
  BIO_set_conn_hostname(bio.get(), target.server.c_str());
  if (IsIpAddress(host)) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str());
  } else {
    SSL_set_tlsext_host_name(ssl, host.c_str());
    SSL_set1_host(ssl, host.c_str());
  }
  if (BIO_do_connect(bio.get()) != 1 || BIO_do_handshake(bio.get()) != 1) {
    const std::string why = ERR_error_string(ERR_get_error(), nullptr);
    ERR_clear_error();
    return Unavailable("cannot reach " + target.server + " over TLS (" + why + ")");
  }
  const std::string body = nlohmann::json{{"reason", std::string(reason)}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
  const std::string request =
      "POST /terminal/renewal-failures HTTP/1.1\r\nHost: " + target.server +
      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\nConnection: close\r\n\r\n" + body;
  if (BIO_write(bio.get(), request.data(), static_cast<int>(request.size())) !=
      static_cast<int>(request.size())) {
    ERR_clear_error();
    return Unavailable("the report could not be sent to " + target.server);
  }
  // Read until the whole answer is in (its Content-Length), or the server closes.
  std::string response;
  char buf[4096];
  for (int n; (n = BIO_read(bio.get(), buf, sizeof buf)) > 0;) {
    response.append(buf, n);
    const size_t end = response.find("\r\n\r\n");
    if (end == std::string::npos) continue;
    std::string head = response.substr(0, end);
    for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const size_t cl = head.find("\r\ncontent-length:");
    if (cl == std::string::npos) continue;
    const size_t length = std::strtoul(head.c_str() + cl + 17, nullptr, 10);
    if (response.size() >= end + 4 + length) break;
  }
  ERR_clear_error();
  // "HTTP/1.1 201 Created\r\n...\r\n\r\n<body>"
  const size_t sp = response.find(' ');
  const size_t head_end = response.find("\r\n\r\n");
  if (sp == std::string::npos || head_end == std::string::npos || response.size() < sp + 4) {
    return Unavailable("no answer from " + target.server);
  }
  const std::string status = response.substr(sp + 1, 3);
  const std::string answer = response.substr(head_end + 4);
  if (status != "201") return FailedPrecondition("the server answered " + status + ": " + answer);
  return answer;
}

}  // namespace claimsca::agent
