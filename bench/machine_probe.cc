// machine_probe: what the kernel charges for the things a server does besides computing,
// so that figures from different machines (or VM kinds) can be told apart. bench/run.sh
// prints these in the summary beside the host line.
// usage: machine_probe DIR        (DIR: a directory on the disk the benchmarks use)
// prints one line: fault_us syscall_ns fdatasync_us
//   fault_us      first touch of a fresh anonymous page (64 MiB, one write per 4 KiB page)
//   syscall_ns    a getppid(2) system call (the cheapest round trip into the kernel)
//   fdatasync_us  median of 200 x (4 KiB pwrite + fdatasync) on a file in DIR
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

double FaultMicros() {
  constexpr size_t kBytes = size_t{64} << 20;
  constexpr size_t kPage = 4096;
  auto t0 = std::chrono::steady_clock::now();
  void* map = mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (map == MAP_FAILED) return -1;
  volatile char* p = static_cast<char*>(map);
  for (size_t i = 0; i < kBytes; i += kPage) p[i] = 1;
  double s = Seconds(t0);
  munmap(map, kBytes);
  return s * 1e6 / (kBytes / kPage);
}

double SyscallNanos() {
  constexpr int kCalls = 200000;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < kCalls; ++i) syscall(SYS_getppid);
  return Seconds(t0) * 1e9 / kCalls;
}

double FdatasyncMicros(const std::string& dir) {
  std::string path = dir + "/machine_probe.tmp";
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return -1;
  std::vector<char> block(4096, 'x');
  std::vector<double> us;
  bool ok = true;
  for (int i = 0; i < 200 && ok; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    ok = pwrite(fd, block.data(), block.size(), off_t{i % 16} * 4096) >= 0 && fdatasync(fd) == 0;
    us.push_back(Seconds(t0) * 1e6);
  }
  const int err = errno;  // for perror in main, past close and unlink
  close(fd);
  unlink(path.c_str());
  if (!ok) {
    errno = err;
    return -1;
  }
  std::nth_element(us.begin(), us.begin() + us.size() / 2, us.end());
  return us[us.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  double fault = FaultMicros();
  double sys = SyscallNanos();
  double sync = FdatasyncMicros(argv[1]);
  if (fault < 0 || sync < 0) {
    std::perror("machine_probe");
    return 1;
  }
  std::printf("%.2f %.0f %.0f\n", fault, sys, sync);
  return 0;
}
