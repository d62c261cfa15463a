#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "web/server.h"
#include "web/test_client.h"

namespace claimsca::web {
namespace {

using namespace std::chrono_literals;
using testing::RunCommand;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A throwaway PKI made with the openssl CLI: CA, server (127.0.0.1), two clients of the CA
// ("good" and "revoked"), and a client of another CA.
class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/claimsca-web-tls-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    const std::string d = dir_ + "/";
    std::ofstream(d + "server.ext") << "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                                    << "extendedKeyUsage=serverAuth\n";
    std::ofstream(d + "client.ext") << "extendedKeyUsage=clientAuth\n";
    const std::string key = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
    std::string script = "set -e; cd " + dir_ + "; exec 2>openssl.log;";
    for (const char* ca : {"ca", "otherca"}) {
      script += "openssl req -x509 " + key + " -keyout " + ca + ".key -out " + ca +
                ".pem -days 2 -subj /CN=" + ca + ";";
    }
    const auto leaf = [&](const std::string& name, const std::string& ca, const std::string& ext) {
      script += "openssl req " + key + " -keyout " + name + ".key -out " + name +
                ".csr -subj /CN=" + name + ";";
      script += "openssl x509 -req -in " + name + ".csr -CA " + ca + ".pem -CAkey " + ca +
                ".key -CAcreateserial -days 2 -out " + name + ".pem -extfile " + ext + ";";
      script += "openssl x509 -in " + name + ".pem -outform DER -out " + name + ".der;";
    };
    leaf("server", "ca", "server.ext");
    leaf("good", "ca", "client.ext");
    leaf("revoked", "ca", "client.ext");
    leaf("stranger", "otherca", "client.ext");
    const auto res = RunCommand(script);
    ASSERT_EQ(res.exit_code, 0) << ReadFile(d + "openssl.log");
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }

  void SetUp() override {
    router_.Handle("GET", "/whoami", false, [](const Request& r) {
      return Response::Bytes("application/pkix-cert", r.client_cert_der);
    });
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }

  uint16_t Start(bool mutual) {
    TlsOptions tls;
    tls.cert_chain_file = dir_ + "/server.pem";
    tls.private_key_file = dir_ + "/server.key";
    if (mutual) {
      tls.client_ca_file = dir_ + "/ca.pem";
      const std::string revoked = ReadFile(dir_ + "/revoked.der");
      tls.accept_client_cert = [revoked](const std::string& der) { return der != revoked; };
    }
    server_ = std::make_unique<HttpServer>(router_, metrics_, logger_, clock_);
    ListenerOptions lo;
    lo.tls = tls;
    auto port = server_->Listen(lo);
    EXPECT_TRUE(port.ok()) << port.status().ToString();
    EXPECT_TRUE(server_->Start().ok());
    return port.ok() ? *port : 0;
  }

  // Runs curl; returns its exit code (0 and the body in `out` on success).
  int Curl(uint16_t port, const std::string& client, std::string* out = nullptr) {
    std::string cmd = "curl -sS --max-time 10 --cacert " + dir_ + "/ca.pem";
    if (!client.empty()) {
      cmd += " --cert " + dir_ + "/" + client + ".pem --key " + dir_ + "/" + client + ".key";
    }
    const std::string body = dir_ + "/body.out";
    std::filesystem::remove(body);
    cmd += " -o " + body + " https://127.0.0.1:" + std::to_string(port) + "/whoami 2>/dev/null";
    const int rc = RunCommand(cmd).exit_code;
    if (out) *out = ReadFile(body);
    return rc;
  }

  static inline std::string dir_;
  FixedClock clock_{Instant(1767322800s)};
  Router router_;
  Metrics metrics_;
  Logger logger_{clock_, ::open("/dev/null", O_WRONLY | O_CLOEXEC)};
  std::unique_ptr<HttpServer> server_;
};

TEST_F(TlsTest, ServerOnlyTls) {
  const uint16_t port = Start(/*mutual=*/false);
  std::string body = "unset";
  ASSERT_EQ(Curl(port, "", &body), 0);
  EXPECT_EQ(body, "");  // no client certificate
}

TEST_F(TlsTest, MutualTlsPassesTheVerifiedClientCertificate) {
  const uint16_t port = Start(/*mutual=*/true);
  std::string body;
  ASSERT_EQ(Curl(port, "good", &body), 0);
  EXPECT_EQ(body, ReadFile(dir_ + "/good.der"));
}

TEST_F(TlsTest, MutualTlsRefusesMissingRejectedAndForeignCertificates) {
  const uint16_t port = Start(/*mutual=*/true);
  EXPECT_NE(Curl(port, ""), 0);
  EXPECT_NE(Curl(port, "revoked"), 0);
  EXPECT_NE(Curl(port, "stranger"), 0);
  // Plain HTTP on the TLS port is refused too, and the server keeps serving.
  EXPECT_EQ(testing::Fetch(port, "GET", "/whoami").status, 0);
  std::string body;
  ASSERT_EQ(Curl(port, "good", &body), 0);
  EXPECT_EQ(body, ReadFile(dir_ + "/good.der"));
  EXPECT_NE(metrics_.RenderPrometheus().find(
                "claimsca_http_connections_rejected_total{reason=\"tls_handshake\"} 4\n"),
            std::string::npos)
      << metrics_.RenderPrometheus();
}

}  // namespace
}  // namespace claimsca::web
