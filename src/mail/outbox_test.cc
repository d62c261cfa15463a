// The outbox against a REAL SMTP server on loopback (python3-aiosmtpd, testdata/
// smtp_sink.py), on a real SQLite store: the messages arrive with their Japanese headers
// and bodies (decoded by Python's email package), once per key; a server that is down is
// retried with backoff and the message sent once it is up, never twice; AUTH works.

#include "mail/outbox.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "common/time_util.h"

extern char** environ;

namespace claimsca::mail {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

// A loopback port nobody listens on right now.
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

// The SMTP server process: saves each message under dir.
class SmtpSink {
 public:
  SmtpSink(fs::path dir, int port, std::vector<std::string> options = {})
      : dir_(std::move(dir)), port_(port) {
    fs::create_directories(dir_);
    std::vector<std::string> args = {CLAIMSCA_PYTHON, CLAIMSCA_SMTP_SINK, dir_.string(),
                                     std::to_string(port_)};
    for (auto& a : options) args.push_back(a);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    EXPECT_EQ(posix_spawn(&pid_, argv[0], nullptr, nullptr, argv.data(), environ), 0);
    // Ready when the script has its listener up (it writes dir/ready).
    for (int i = 0; i < 500 && !fs::exists(dir_ / "ready"); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_TRUE(fs::exists(dir_ / "ready")) << "smtp_sink.py did not start";
  }
  ~SmtpSink() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }

  // The decoded summaries of every message received, in order.
  std::vector<nlohmann::json> Messages() const {
    std::vector<nlohmann::json> out;
    for (int n = 1;; ++n) {
      char name[16];
      std::snprintf(name, sizeof name, "%03d.json", n);
      std::ifstream in(dir_ / name);
      if (!in) return out;
      out.push_back(nlohmann::json::parse(in));
    }
  }

 private:
  fs::path dir_;
  int port_;
  pid_t pid_ = -1;
};

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("claimsca_mail_" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
    auto s = store::OpenStore("sqlite:" + (dir_ / "store.db").string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    ASSERT_TRUE(store_->Migrate().ok());
    port_ = FreePort();
    options_.from_address = "no-reply@ca.example.jp";
    options_.from_name = "共通認証局";
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  SmtpConfig Config() const {
    SmtpConfig c;
    c.url = "smtp://127.0.0.1:" + std::to_string(port_);
    c.starttls = SmtpConfig::StartTls::kNone;
    c.timeout = seconds(10);
    return c;
  }

  static std::map<std::string, std::string> Values() {
    return {{"contact_name", "医事課 山田"},
            {"institution_name", "テスト中です#%& * > ? @"},
            {"institution_code", "1312345678"},
            {"request_id", "20261124000001"},
            {"terminal_name", "受付PC1"},
            {"submitted_at", "2026/11/24 10:00"},
            {"issued_on", "2026/11/24"},
            {"download_deadline", "2027/05/23"},
            {"not_after", "2030/02/24"},
            {"reason", "コード未登録"},
            {"serial", "5e1000"},
            {"revoked_at", "2026/12/01 09:00"}};
  }

  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  int port_ = 0;
  OutboxOptions options_;
  FixedClock clock_{*ParseInstant("2026-11-24T10:00:00+09:00")};
};

TEST_F(OutboxTest, EveryKindArrivesDecodedOncePerKey) {
  SmtpSink sink(dir_ / "smtp", port_);
  SmtpMailer mailer(Config());
  Outbox outbox(*store_, mailer, clock_, options_);
  for (const char* kind : {"application_received", "issued", "rejected", "revoked"}) {
    auto e = outbox.Enqueue(kind, "20261124000001", "yamada@example.jp", Values());
    ASSERT_TRUE(e.ok()) << kind << ": " << e.status().ToString();
    EXPECT_TRUE(*e);
  }
  // The same key again (same subject, kind and JST day): nothing new.
  auto again = outbox.Enqueue("issued", "20261124000001", "yamada@example.jp", Values());
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);

  auto r = outbox.SendDue(100);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->sent, 4);
  r = outbox.SendDue(100);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->sent, 0);

  const auto got = sink.Messages();
  ASSERT_EQ(got.size(), 4u);
  const std::vector<std::string> subjects = {
      "【電子証明書 申請情報受付通知】", "【電子証明書 発行完了通知】",
      "【電子証明書 発行申請棄却通知】", "【電子証明書 失効完了通知】"};
  for (size_t i = 0; i < got.size(); ++i) {
    const auto& m = got[i];
    EXPECT_EQ(m["subject"], subjects[i]);
    EXPECT_EQ(m["mail_from"], "no-reply@ca.example.jp");
    EXPECT_EQ(m["rcpt_tos"], nlohmann::json::array({"yamada@example.jp"}));
    EXPECT_EQ(m["from"], "共通認証局 <no-reply@ca.example.jp>");
    EXPECT_EQ(m["to"], "yamada@example.jp");
    EXPECT_EQ(m["content_type"], "text/plain");
    EXPECT_EQ(m["charset"], "utf-8");
    EXPECT_EQ(m["date"], "Tue, 24 Nov 2026 10:00:00 +0900");
    const std::string body = m["body"];
    EXPECT_NE(body.find("医事課 山田 様"), std::string::npos) << body;
    EXPECT_NE(body.find("テスト中です#%& * > ? @"), std::string::npos) << body;
    EXPECT_NE(body.find("オンライン請求ネットワーク関連システム等共通認証局"), std::string::npos);
  }
  EXPECT_NE(std::string(got[2]["body"]).find("棄却理由     : コード未登録"), std::string::npos);
  // Distinct Message-IDs at the sender's domain.
  EXPECT_NE(got[0]["message_id"], got[1]["message_id"]);
  EXPECT_NE(std::string(got[0]["message_id"]).find("@ca.example.jp>"), std::string::npos);

  // The next JST day the same kind may be written again (a daily reminder, say).
  clock_.Advance(seconds(86400));
  again = outbox.Enqueue("issued", "20261124000001", "yamada@example.jp", Values());
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(*again);
}

TEST_F(OutboxTest, RetriesWithBackoffWhileDownSendsOnceWhenUp) {
  SmtpMailer mailer(Config());
  Outbox outbox(*store_, mailer, clock_, options_);
  ASSERT_TRUE(*outbox.Enqueue("issued", "20261124000001", "yamada@example.jp", Values()));
  const Instant t0 = clock_.Now();

  // Down: connection refused → retried after 1 minute, then 2.
  auto r = outbox.SendDue(10);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->retrying, 1);
  auto due = store_->DueMail(t0 + seconds(59), 10);
  EXPECT_TRUE(due->empty());
  auto row = store_->GetMail(1);
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->attempts, 1);
  EXPECT_EQ(row->next_attempt_at, t0 + seconds(60));
  EXPECT_NE(row->last_error.find("127.0.0.1"), std::string::npos) << row->last_error;
  EXPECT_EQ(outbox.SendDue(10)->retrying, 0);  // not due yet: nothing tried

  clock_.Advance(seconds(60));
  EXPECT_EQ(outbox.SendDue(10)->retrying, 1);
  row = store_->GetMail(1);
  EXPECT_EQ(row->attempts, 2);
  EXPECT_EQ(row->next_attempt_at, t0 + seconds(60 + 120));

  // Up: sent at the next due time, once.
  SmtpSink sink(dir_ / "smtp", port_);
  clock_.Advance(seconds(119));
  EXPECT_EQ(outbox.SendDue(10)->sent, 0);
  clock_.Advance(seconds(1));
  EXPECT_EQ(outbox.SendDue(10)->sent, 1);
  clock_.Advance(seconds(86400));
  EXPECT_EQ(outbox.SendDue(10)->sent, 0);
  row = store_->GetMail(1);
  EXPECT_EQ(row->state, store::MailState::kSent);
  EXPECT_EQ(row->attempts, 3);
  ASSERT_EQ(sink.Messages().size(), 1u);
  EXPECT_EQ(sink.Messages()[0]["subject"], "【電子証明書 発行完了通知】");
}

TEST_F(OutboxTest, GivesUpAfterMaxAttempts) {
  options_.max_attempts = 3;
  SmtpMailer mailer(Config());
  Outbox outbox(*store_, mailer, clock_, options_);
  ASSERT_TRUE(*outbox.Enqueue("revoked", "5e1000", "yamada@example.jp", Values()));
  EXPECT_EQ(outbox.SendDue(10)->retrying, 1);
  clock_.Advance(seconds(60));
  EXPECT_EQ(outbox.SendDue(10)->retrying, 1);
  clock_.Advance(seconds(120));
  EXPECT_EQ(outbox.SendDue(10)->failed, 1);
  EXPECT_EQ(store_->GetMail(1)->state, store::MailState::kFailed);
  EXPECT_EQ(store_->GetMail(1)->attempts, 3);
}

TEST_F(OutboxTest, RefusalAfterTheEndOfDataTakesTheMarkBack) {
  // The row is marked sent before the end-of-data mark; the server's 451/554 reply to it
  // turns the row back to pending (retried) or failed, counted once.
  SmtpSink sink(dir_ / "smtp", port_);
  SmtpMailer mailer(Config());
  Outbox outbox(*store_, mailer, clock_, options_);
  ASSERT_TRUE(*outbox.Enqueue("issued", "20261124000001", "defer-data@example.jp", Values()));
  ASSERT_TRUE(*outbox.Enqueue("revoked", "5e1000", "reject-data@example.jp", Values()));
  ASSERT_TRUE(*outbox.Enqueue("rejected", "20261124000002", "yamada@example.jp", Values()));
  auto r = outbox.SendDue(10);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->sent, 1);
  EXPECT_EQ(r->retrying, 1);
  EXPECT_EQ(r->failed, 1);
  auto deferred = store_->GetMail(1);
  ASSERT_TRUE(deferred.ok());
  EXPECT_EQ(deferred->state, store::MailState::kPending);
  EXPECT_EQ(deferred->attempts, 1);
  EXPECT_EQ(deferred->sent_at, std::nullopt);
  EXPECT_EQ(deferred->next_attempt_at, clock_.Now() + seconds(60));
  EXPECT_NE(deferred->last_error.find("451"), std::string::npos) << deferred->last_error;
  auto refused = store_->GetMail(2);
  EXPECT_EQ(refused->state, store::MailState::kFailed);
  EXPECT_NE(refused->last_error.find("554"), std::string::npos) << refused->last_error;
  EXPECT_EQ(store_->GetMail(3)->state, store::MailState::kSent);
  ASSERT_EQ(sink.Messages().size(), 1u);
  EXPECT_EQ(sink.Messages()[0]["rcpt_tos"][0], "yamada@example.jp");
}

TEST(RetryDelay, DoublesUpToTheCap) {
  OutboxOptions o;
  o.first_retry = seconds(60);
  o.max_retry = seconds(3600);
  EXPECT_EQ(RetryDelay(o, 1), seconds(60));
  EXPECT_EQ(RetryDelay(o, 2), seconds(120));
  EXPECT_EQ(RetryDelay(o, 6), seconds(1920));
  EXPECT_EQ(RetryDelay(o, 7), seconds(3600));
  EXPECT_EQ(RetryDelay(o, 1000), seconds(3600));
}

TEST_F(OutboxTest, SmtpAuth) {
  SmtpSink sink(dir_ / "smtp", port_, {"--auth", "claimsca", "s3cret"});
  SmtpConfig c = Config();
  c.username = "claimsca";
  c.password = "wrong";
  SmtpMailer bad(c);
  const std::string mime = "Subject: t\r\n\r\nbody\r\n";
  const Status refused = bad.Send("no-reply@ca.example.jp", "a@example.jp", mime);
  EXPECT_EQ(refused.code(), Code::kUnavailable) << refused.ToString();  // retried, not lost
  EXPECT_NE(refused.message().find("reply 535"), std::string::npos) << refused.ToString();
  c.password = "s3cret";
  SmtpMailer good(c);
  const Status ok = good.Send("no-reply@ca.example.jp", "a@example.jp", mime);
  ASSERT_TRUE(ok.ok()) << ok.ToString();
  ASSERT_EQ(sink.Messages().size(), 1u);
  EXPECT_TRUE(sink.Messages()[0]["authenticated"]);
  // STARTTLS required but the server offers none: refused, nothing sent in clear.
  c.starttls = SmtpConfig::StartTls::kRequired;
  SmtpMailer tls(c);
  EXPECT_FALSE(tls.Send("no-reply@ca.example.jp", "a@example.jp", mime).ok());
  EXPECT_EQ(sink.Messages().size(), 1u);
}

TEST_F(OutboxTest, StartTls) {
  // A certificate for 127.0.0.1, trusted through ca_file.
  const std::string cert = (dir_ / "smtp.pem").string();
  const std::string key = (dir_ / "smtp.key").string();
  const std::string cmd =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
      "-days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 "
      "-keyout '" +
      key + "' -out '" + cert + "' 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  SmtpSink sink(dir_ / "smtp", port_, {"--tls", cert, key});
  const std::string mime = "Subject: t\r\n\r\nbody\r\n";
  SmtpConfig c = Config();
  // Without TLS the server refuses MAIL (530 STARTTLS first): nothing accepted.
  const Status plain = SmtpMailer(c).Send("no-reply@ca.example.jp", "a@example.jp", mime);
  EXPECT_NE(plain.message().find("reply 530"), std::string::npos) << plain.ToString();
  // Required STARTTLS, but a certificate we do not trust: refused before any message.
  c.starttls = SmtpConfig::StartTls::kRequired;
  const Status untrusted = SmtpMailer(c).Send("no-reply@ca.example.jp", "a@example.jp", mime);
  EXPECT_NE(untrusted.message().find("certificate"), std::string::npos) << untrusted.ToString();
  EXPECT_TRUE(sink.Messages().empty());
  c.ca_file = cert;
  const Status ok = SmtpMailer(c).Send("no-reply@ca.example.jp", "a@example.jp", mime);
  ASSERT_TRUE(ok.ok()) << ok.ToString();
  ASSERT_EQ(sink.Messages().size(), 1u);
  EXPECT_TRUE(sink.Messages()[0]["tls"]);
}

}  // namespace
}  // namespace claimsca::mail
