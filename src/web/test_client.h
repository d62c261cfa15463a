#pragma once

// Test-only helpers: a minimal blocking HTTP/1.x client on plain sockets, and a shell
// command runner (for curl / openssl).

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace claimsca::web::testing {

struct ClientResponse {
  int status = 0;  // 0: no (parsable) response
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string Header(std::string_view name) const;  // case-insensitive, "" if absent
};

// A blocking connection to 127.0.0.1:port with a 10 s receive timeout.
class TestConnection {
 public:
  explicit TestConnection(uint16_t port);
  ~TestConnection();
  TestConnection(const TestConnection&) = delete;
  TestConnection& operator=(const TestConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  bool Send(std::string_view bytes);
  // Reads one response; `head` = the request was HEAD (no body follows).
  ClientResponse Read(bool head = false);
  // True when the peer has closed the connection (read returns 0 or an error).
  bool PeerClosed();

 private:
  bool Fill();  // reads more bytes into buf_
  int fd_ = -1;
  std::string buf_;
};

// One request on a fresh connection ("Connection: close").
ClientResponse Fetch(uint16_t port, std::string_view method, std::string_view target,
                     std::string_view body = {});

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout
};
CommandResult RunCommand(const std::string& command);

}  // namespace claimsca::web::testing
