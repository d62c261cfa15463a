// Crash safety of the SQLite store: a child process inserting intents is SIGKILLed
// mid-way; every serial it reported as committed must survive, and the file must pass
// PRAGMA integrity_check.

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "store/store.h"

namespace claimsca::store {
namespace {

// Runs in the forked child: never returns.
[[noreturn]] void InsertForever(const std::string& url, int out_fd) {
  auto s = OpenStore(url);
  if (!s.ok()) _exit(2);
  for (long i = 0;; ++i) {
    CertificateRecord r;
    char serial[32];
    std::snprintf(serial, sizeof serial, "%016lx", i + 1);
    r.serial = serial;
    r.issuer_id = "issuing-1";
    r.program = "common";
    r.institution_code = "1312345678";
    r.common_name = std::string("cn") + serial;
    r.key_algorithm = "ecp256";
    r.tbs_der = std::string(600, 'x');
    if (!(*s)->InsertIntent(r).ok()) _exit(3);
    // Reported only after InsertIntent (and so the commit) returned.
    std::string line = r.serial + "\n";
    if (write(out_fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(4);
  }
}

TEST(SqliteStoreCrash, KilledWriterLosesNoCommittedIntent) {
  auto dir =
      std::filesystem::path(::testing::TempDir()) / ("claimsca_crash_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "crash.db").string();
  {
    auto s = OpenStore("sqlite:" + path);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    ASSERT_TRUE((*s)->Migrate().ok());
  }
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    InsertForever("sqlite:" + path, fds[1]);
  }
  close(fds[1]);

  // Read until the child has committed a good number of rows, then kill it mid-flight.
  std::vector<std::string> committed;
  std::string buf;
  char chunk[4096];
  bool killed = false;
  while (true) {
    ssize_t n = read(fds[0], chunk, sizeof chunk);
    if (n <= 0) break;  // EOF once the killed child's pipe end is closed
    buf.append(chunk, static_cast<size_t>(n));
    for (size_t nl; (nl = buf.find('\n')) != std::string::npos; buf.erase(0, nl + 1)) {
      committed.push_back(buf.substr(0, nl));
    }
    if (!killed && committed.size() >= 300) {
      ASSERT_EQ(kill(pid, SIGKILL), 0);
      killed = true;
    }
  }
  close(fds[0]);
  int wstatus = 0;
  ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL)
      << "child exited by itself, status " << wstatus;

  // The database must be intact and hold every reported serial.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  sqlite3_stmt* check = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &check, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(check), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(check, 0)), "ok");
  sqlite3_finalize(check);
  sqlite3_close(db);

  auto s = OpenStore("sqlite:" + path);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_GE(committed.size(), 300u);
  size_t missing = 0;
  for (const auto& serial : committed) {
    if (!(*s)->GetStatus("issuing-1", serial).ok()) ++missing;
  }
  EXPECT_EQ(missing, 0u) << "of " << committed.size() << " committed";
  // One more insert works: the store recovered.
  CertificateRecord r;
  r.serial = "ffffffffffffffff";
  r.issuer_id = "issuing-1";
  r.common_name = "after-crash";
  r.tbs_der = "t";
  EXPECT_TRUE((*s)->InsertIntent(r).ok());
  s->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace claimsca::store
