// keygen_bench: key-generation rate with OpenSSL 3 EVP_PKEY_keygen, on THREADS threads.
// Adapted from the anchors' keygen_bench.cpp (the project's own anchor measurements,
// /work/shared/anchors at the time), with a thread count added so that it measures the
// keygen limit of the cores it is pinned to (run it under `taskset -c CPUS`).
// usage: keygen_bench <rsa2048|ecp256> <seconds> [threads]
// prints: alg keys seconds keys_per_sec threads
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

static EVP_PKEY_CTX* MakeCtx(const std::string& alg) {
  EVP_PKEY_CTX* ctx = nullptr;
  if (alg == "rsa2048") {
    ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);
    if (!ctx || EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 2048) <= 0)
      return nullptr;
  } else if (alg == "ecp256") {
    ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
    if (!ctx || EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_CTX_set_group_name(ctx, "P-256") <= 0)
      return nullptr;
  }
  return ctx;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s <rsa2048|ecp256> <seconds> [threads]\n", argv[0]);
    return 2;
  }
  std::string alg = argv[1];
  double max_s = std::atof(argv[2]);
  int threads = argc > 3 ? std::atoi(argv[3]) : 1;
  if (threads < 1) threads = 1;
  std::atomic<long> done{0};
  std::atomic<bool> failed{false};
  auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  // Each thread stops at the first key finished after the deadline; keys count when done.
  auto work = [&] {
    EVP_PKEY_CTX* ctx = MakeCtx(alg);
    if (!ctx) {
      failed = true;
      return;
    }
    while (elapsed() < max_s) {
      EVP_PKEY* pk = nullptr;
      if (EVP_PKEY_keygen(ctx, &pk) <= 0) {
        failed = true;
        break;
      }
      EVP_PKEY_free(pk);
      if (elapsed() <= max_s) done.fetch_add(1);
    }
    EVP_PKEY_CTX_free(ctx);
  };
  std::vector<std::thread> ts;
  for (int i = 0; i < threads; ++i) ts.emplace_back(work);
  for (auto& t : ts) t.join();
  if (failed) {
    ERR_print_errors_fp(stderr);
    return 1;
  }
  std::printf("%s\t%ld\t%.3f\t%.2f\t%d\n", alg.c_str(), done.load(), max_s, done.load() / max_s,
              threads);
  return 0;
}
