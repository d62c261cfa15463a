#include "web/log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <thread>

namespace claimsca::web {
namespace {

using namespace std::chrono_literals;

// Reads everything written to a pipe after the writer closed.
std::vector<nlohmann::json> ReadLines(int fd) {
  std::string all;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) all.append(buf, static_cast<size_t>(n));
  std::vector<nlohmann::json> out;
  size_t pos = 0, nl;
  while ((nl = all.find('\n', pos)) != std::string::npos) {
    out.push_back(nlohmann::json::parse(all.substr(pos, nl - pos)));
    pos = nl + 1;
  }
  EXPECT_EQ(pos, all.size());
  return out;
}

TEST(LoggerTest, AccessAndEventLines) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  FixedClock clock(Instant(1767322800s));  // 2026-01-02T03:00:00Z
  {
    Logger log(clock, p[1]);
    AccessRecord r;
    r.method = "POST";
    r.path = "/ocsp/\"x\xff";
    r.status = 200;
    r.bytes = 1500;
    r.duration_us = 42;
    r.remote = "127.0.0.1";
    r.route = "/ocsp/";
    log.Access(r);
    log.Event("revoke", {{"serial", "ab12"}, {"reason", 1}, {"kind", "ignored"}});
  }
  ::close(p[1]);
  auto lines = ReadLines(p[0]);
  ::close(p[0]);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["time"], "2026-01-02T03:00:00Z");
  EXPECT_EQ(lines[0]["kind"], "access");
  EXPECT_EQ(lines[0]["method"], "POST");
  EXPECT_EQ(lines[0]["path"], "/ocsp/\"x\xef\xbf\xbd");  // a lone 0xff byte: U+FFFD
  EXPECT_EQ(lines[0]["status"], 200);
  EXPECT_EQ(lines[0]["bytes"], 1500);
  EXPECT_EQ(lines[0]["duration_us"], 42);
  EXPECT_EQ(lines[0]["remote"], "127.0.0.1");
  EXPECT_EQ(lines[0]["route"], "/ocsp/");
  EXPECT_EQ(lines[1]["kind"], "revoke");
  EXPECT_EQ(lines[1]["serial"], "ab12");
  EXPECT_EQ(lines[1]["reason"], 1);
}

TEST(LoggerTest, ThreadsNeverInterleave) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  FixedClock clock(Instant(0s));
  std::thread reader;
  std::vector<nlohmann::json> lines;
  reader = std::thread([&] { lines = ReadLines(p[0]); });
  {
    Logger log(clock, p[1]);
    std::vector<std::thread> ts;
    for (int t = 0; t < 4; ++t) {
      ts.emplace_back([&, t] {
        for (int i = 0; i < 500; ++i) {
          log.Event("e", {{"t", t}, {"i", i}, {"pad", std::string(300, 'x')}});
        }
      });
    }
    for (auto& t : ts) t.join();
  }
  ::close(p[1]);
  reader.join();
  ::close(p[0]);
  EXPECT_EQ(lines.size(), 2000u);  // every line parsed as JSON
}

}  // namespace
}  // namespace claimsca::web
