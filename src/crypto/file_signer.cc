#include "crypto/file_signer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

namespace claimsca::crypto {
namespace {

constexpr size_t kMaxKeyFileSize = 1 << 20;

std::string ErrnoText(int err) { return std::strerror(err); }

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now, reporting the error (close can report delayed write errors).
  int Close() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

Result<std::string> ReadSmallFile(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    int err = errno;
    std::string m = "cannot open key file " + path + ": " + ErrnoText(err);
    return err == ENOENT ? NotFound(m) : Unavailable(m);
  }
  std::string data;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Unavailable("cannot read key file " + path + ": " + ErrnoText(errno));
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
    if (data.size() > kMaxKeyFileSize) return InvalidArgument("key file " + path + " is too large");
  }
  return data;
}

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Unavailable("write failed: " + ErrnoText(errno));
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

std::string DirectoryOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Writes `data` to `path` with mode 0600 without ever exposing a partial file and without
// replacing an existing one.
Status WriteNewFileAtomically(const std::string& path, std::string_view data) {
  std::string tmp = path + ".tmp.XXXXXX";
  Fd fd(::mkostemp(tmp.data(), O_CLOEXEC));  // created with mode 0600
  if (fd.get() < 0) return Unavailable("cannot create " + tmp + ": " + ErrnoText(errno));
  struct Unlink {
    const std::string& p;
    ~Unlink() { ::unlink(p.c_str()); }  // the temp name never survives
  } unlink_tmp{tmp};
  if (::fchmod(fd.get(), S_IRUSR | S_IWUSR) != 0) {
    return Unavailable("cannot chmod " + tmp + ": " + ErrnoText(errno));
  }
  RETURN_IF_ERROR(WriteAll(fd.get(), data).WithContext(tmp));
  if (::fsync(fd.get()) != 0) return Unavailable("fsync " + tmp + ": " + ErrnoText(errno));
  if (fd.Close() != 0) return Unavailable("close " + tmp + ": " + ErrnoText(errno));
  // link() is atomic and fails if `path` exists, unlike rename().
  if (::link(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    if (err == EEXIST) return Conflict("key file " + path + " already exists; not overwriting");
    return Unavailable("cannot create " + path + ": " + ErrnoText(err));
  }
  std::string dir = DirectoryOf(path);
  Fd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() < 0 || ::fsync(dir_fd.get()) != 0) {
    return Unavailable("fsync of directory " + dir + ": " + ErrnoText(errno));
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<KeyFileSigner>> KeyFileSigner::Load(const std::string& path,
                                                           std::string_view password) {
  ASSIGN_OR_RETURN(std::string pem, ReadSmallFile(path));
  auto key = ReadEncryptedKeyPem(pem, password);
  if (!key.ok()) return key.status().WithContext("key file " + path);
  auto algorithm = KeyAlgorithmOf(key->get());
  if (!algorithm.ok()) return algorithm.status().WithContext("key file " + path);
  return std::unique_ptr<KeyFileSigner>(
      new KeyFileSigner(path, std::move(key).value(), *algorithm));
}

Result<std::unique_ptr<KeyFileSigner>> KeyFileSigner::Create(const std::string& path,
                                                             KeyAlgorithm algorithm,
                                                             std::string_view password,
                                                             int iterations) {
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) {
    return Conflict("key file " + path + " already exists; not overwriting");
  }
  ASSIGN_OR_RETURN(EvpPkeyPtr key, GenerateKey(algorithm));
  ASSIGN_OR_RETURN(std::string pem, WriteEncryptedKeyPem(key.get(), password, iterations));
  RETURN_IF_ERROR(WriteNewFileAtomically(path, pem));
  return std::unique_ptr<KeyFileSigner>(new KeyFileSigner(path, std::move(key), algorithm));
}

}  // namespace claimsca::crypto
