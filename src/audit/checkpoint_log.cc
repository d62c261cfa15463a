#include "audit/checkpoint_log.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "crypto/ossl.h"

namespace claimsca::audit {
namespace {

// The complete lines of `text` and whether a partial line follows them.
std::vector<std::string_view> Lines(std::string_view text, bool* torn) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start < text.size()) {
    const size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) break;
    out.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  *torn = start < text.size();
  return out;
}

Result<std::string> ReadAll(const std::string& path, bool* exists) {
  std::ifstream in(path, std::ios::binary);
  *exists = static_cast<bool>(in);
  if (!in) return std::string();
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<std::string> ReadFd(int fd, const std::string& path) {
  std::string text;
  char buf[65536];
  off_t off = 0;
  while (true) {
    ssize_t n = ::pread(fd, buf, sizeof buf, off);
    if (n < 0) return Internal("cannot read " + path);
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    off += n;
  }
  return text;
}

// An open descriptor holding an exclusive flock, closed (and unlocked) on destruction.
class LockedFd {
 public:
  explicit LockedFd(int fd) : fd_(fd) {}
  ~LockedFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  LockedFd(const LockedFd&) = delete;
  LockedFd& operator=(const LockedFd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

Result<CheckpointFile> CheckpointLog::ReadVerified(EVP_PKEY* public_key) const {
  bool exists = false;
  ASSIGN_OR_RETURN(std::string text, ReadAll(path_, &exists));
  CheckpointFile out;
  std::string prev(kFirstPrev);
  const Checkpoint* last = nullptr;
  int n = 0;
  for (std::string_view line : Lines(text, &out.torn_last_line)) {
    ++n;
    auto broken = [&](const std::string& why) {
      return Internal("checkpoint file " + path_ + " line " + std::to_string(n) + ": " + why);
    };
    Result<Checkpoint> c = ParseLine(line);
    if (!c.ok()) return broken("malformed (" + c.status().message() + ")");
    Status sig = VerifySignature(*c, public_key);
    if (!sig.ok()) return broken(sig.message() + ": the line was forged or edited");
    if (c->prev != prev) return broken("does not follow the line before (a line was removed)");
    // Not `at`: the real clock may be stepped back; seq cannot.
    if (last != nullptr && c->seq < last->seq) return broken("goes back in seq");
    prev = crypto::Sha256Hex(line);
    out.checkpoints.push_back(std::move(*c));
    last = &out.checkpoints.back();
  }
  return out;
}

Result<std::optional<Checkpoint>> CheckpointLog::Last() const {
  bool exists = false;
  ASSIGN_OR_RETURN(std::string text, ReadAll(path_, &exists));
  bool torn = false;
  std::vector<std::string_view> lines = Lines(text, &torn);
  if (lines.empty()) return std::optional<Checkpoint>();
  ASSIGN_OR_RETURN(Checkpoint c, ParseLine(lines.back()));
  return std::optional<Checkpoint>(std::move(c));
}

Result<Checkpoint> CheckpointLog::Append(Checkpoint c, const crypto::Signer& signer) {
  const std::filesystem::path dir = std::filesystem::path(path_).parent_path();
  std::error_code ec;
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  LockedFd fd(::open(path_.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644));
  if (fd.get() < 0) return Internal("cannot open " + path_);
  if (::flock(fd.get(), LOCK_EX) != 0) return Internal("cannot lock " + path_);
  ASSIGN_OR_RETURN(std::string text, ReadFd(fd.get(), path_));
  bool torn = false;
  std::vector<std::string_view> lines = Lines(text, &torn);
  if (torn) {  // a crash cut the last append short: drop the partial line
    const size_t keep = text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1;
    if (::ftruncate(fd.get(), static_cast<off_t>(keep)) != 0) {
      return Internal("cannot cut the torn line of " + path_);
    }
  }
  c.prev = lines.empty() ? std::string(kFirstPrev) : crypto::Sha256Hex(lines.back());
  RETURN_IF_ERROR(Sign(c, signer));
  const std::string line = FormatLine(c) + "\n";
  const ssize_t n = ::write(fd.get(), line.data(), line.size());
  if (n != static_cast<ssize_t>(line.size()) || ::fsync(fd.get()) != 0) {
    return Internal("cannot append to " + path_);
  }
  if (text.empty() && !dir.empty()) {  // a new file: make its directory entry durable
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      (void)::fsync(dfd);
      ::close(dfd);
    }
  }
  return c;
}

}  // namespace claimsca::audit
