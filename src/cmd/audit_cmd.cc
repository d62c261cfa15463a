#include "cmd/audit_cmd.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "audit/anchor.h"
#include "cmd/ca_files.h"
#include "cmd/rehearsal.h"
#include "common/time_util.h"
#include "crypto/keys.h"

namespace claimsca::cmd {
namespace {

constexpr char kAuditKey[] = "audit";
constexpr int kBroken = 5;  // exit code of a broken trail (docs/operations.md)

std::string PublicKeyPath(const Config& c) { return c.Path("ca/audit.pub.pem"); }

// ca/audit.pub.pem, or NotFound.
Result<crypto::EvpPkeyPtr> AuditPublicKey(const Config& c) {
  ASSIGN_OR_RETURN(std::string pem, ReadFile(PublicKeyPath(c)));
  return crypto::PublicKeyFromPem(pem);
}

// Opens the key, or creates it while holding ca/audit.lock.
Result<std::unique_ptr<crypto::Signer>> OpenOrCreate(const Config& c) {
  auto opened = OpenSigner(c, kAuditKey);
  if (opened.ok() || opened.status().code() != Code::kNotFound) return opened;
  const std::string lock_path = c.Path("ca/audit.lock");
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0 || ::flock(fd, LOCK_EX) != 0) {
    if (fd >= 0) ::close(fd);
    return Internal("cannot lock " + lock_path);
  }
  opened = OpenSigner(c, kAuditKey);  // another process may have made it meanwhile
  if (!opened.ok() && opened.status().code() == Code::kNotFound) opened = CreateKey(c, kAuditKey);
  ::close(fd);
  return opened;
}

}  // namespace

Result<std::unique_ptr<crypto::Signer>> OpenAuditSigner(const Config& c) {
  auto signer = OpenOrCreate(c);
  if (!signer.ok()) return signer.status().WithContext("the audit signer");
  ASSIGN_OR_RETURN(std::string key_id, audit::KeyId((*signer)->key()));
  auto pinned = AuditPublicKey(c);
  if (!pinned.ok() && pinned.status().code() == Code::kNotFound) {
    ASSIGN_OR_RETURN(std::string pem, crypto::PublicKeyPem((*signer)->key()));
    RETURN_IF_ERROR(WriteFileAtomic(PublicKeyPath(c), pem));
    return signer;
  }
  if (!pinned.ok()) return pinned.status().WithContext(PublicKeyPath(c));
  ASSIGN_OR_RETURN(std::string pinned_id, audit::KeyId(pinned->get()));
  if (pinned_id != key_id) {
    return FailedPrecondition(PublicKeyPath(c) + " does not hold the audit signer's public key");
  }
  return signer;
}

namespace {

// Verifies with the pinned public key (none yet: no checkpoint file may exist either).
Result<audit::AnchoredReport> Verify(App& app, const audit::CheckpointLog& log) {
  auto key = AuditPublicKey(app.config);
  if (!key.ok() && key.status().code() == Code::kNotFound) {
    if (std::filesystem::exists(log.path())) {
      return Internal(log.path() + " exists but " + PublicKeyPath(app.config) +
                      " is missing: the checkpoints cannot be verified");
    }
    return audit::VerifyAnchored(*app.store, log, nullptr);
  }
  if (!key.ok()) return key.status();
  return audit::VerifyAnchored(*app.store, log, key->get());
}

}  // namespace

int RunAuditVerify(App& app) {
  audit::CheckpointLog log(app.config.Path(app.config.audit_checkpoint_file));
  auto r = Verify(app, log);
  if (!r.ok()) {
    std::fprintf(stderr, "audit trail BROKEN: %s\n", r.status().message().c_str());
    return kBroken;
  }
  std::printf("audit trail intact: %lld rows", static_cast<long long>(r->rows));
  if (r->newest) {
    std::printf(
        "; %lld checkpoints verified, the newest signed %s covers seq %lld; %lld rows "
        "since, anchored at the next checkpoint\n",
        static_cast<long long>(r->checkpoints), FormatJst(r->newest->at).c_str(),
        static_cast<long long>(r->newest->seq), static_cast<long long>(r->unanchored));
  } else {
    std::printf(
        " (no checkpoint yet: only the chain's own consistency was checked; "
        "see docs/audit.md)\n");
  }
  if (r->torn_last_line) {
    std::fprintf(stderr,
                 "note: the last line of %s was cut short (a crash while writing); "
                 "the next checkpoint removes it\n",
                 log.path().c_str());
  }
  return 0;
}

int RunAuditCheckpoint(App& app) {
  auto signer = OpenAuditSigner(app.config);
  if (!signer.ok()) return ExitWithError(signer.status());
  auto key = AuditPublicKey(app.config);
  if (!key.ok()) return ExitWithError(key.status());
  audit::CheckpointLog log(app.config.Path(app.config.audit_checkpoint_file));
  auto c = audit::WriteCheckpoint(*app.store, log, **signer, key->get(), WallClock());
  if (!c.ok()) {
    std::fprintf(stderr, "audit trail BROKEN, no checkpoint written: %s\n",
                 c.status().message().c_str());
    return kBroken;
  }
  std::printf("checkpoint: seq %lld, head %s, signed %s (%s)\n", static_cast<long long>(c->seq),
              c->head.substr(0, 16).c_str(), FormatJst(c->at).c_str(), log.path().c_str());
  return 0;
}

void AddAuditCheckpointJob(App& app, jobs::Runner& runner) {
  const int interval = app.config.audit_checkpoint_interval_seconds;
  if (interval <= 0) return;
  auto log =
      std::make_shared<audit::CheckpointLog>(app.config.Path(app.config.audit_checkpoint_file));
  jobs::Job job{
      "audit-checkpoint", std::nullopt,
      [&app, log,
       signer = std::shared_ptr<crypto::Signer>()](Instant) mutable -> Result<std::string> {
        if (!signer) {
          ASSIGN_OR_RETURN(auto opened, OpenAuditSigner(app.config));
          signer = std::move(opened);
        }
        ASSIGN_OR_RETURN(crypto::EvpPkeyPtr key, AuditPublicKey(app.config));
        ASSIGN_OR_RETURN(audit::Checkpoint c,
                         audit::WriteCheckpoint(*app.store, *log, *signer, key.get(), WallClock()));
        return "seq=" + std::to_string(c.seq) + " head=" + c.head.substr(0, 16);
      }};
  job.due = [&app, log, interval](Instant) {
    return audit::CheckpointDue(*app.store, *log, WallClock(), std::chrono::seconds(interval));
  };
  runner.Add(std::move(job));
}

}  // namespace claimsca::cmd
