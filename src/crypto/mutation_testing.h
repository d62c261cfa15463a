#pragma once

// For tests: random byte-level mutations of encoded inputs (DER requests, TBSs), drawn from
// OpenSSL's random generator, to check that parsers never crash and never accept what they
// must not.

#include <string>

#include "crypto/random.h"

namespace claimsca::crypto::testing {

class Mutator {
 public:
  explicit Mutator(size_t noise_bytes = 65536) : noise_(RandomBytes(noise_bytes).value()) {}

  // `in` with 1 to `max_edits` edits, each a byte replaced, deleted or inserted, or the
  // tail cut off.
  std::string Mutate(std::string in, int max_edits) {
    int edits = 1 + Next() % max_edits;
    for (int e = 0; e < edits && !in.empty(); ++e) {
      size_t at = (Next() << 8 | Next()) % in.size();
      switch (Next() % 4) {
        case 0:
          in[at] = static_cast<char>(Next());
          break;
        case 1:
          in.erase(at, 1);
          break;
        case 2:
          in.insert(at, 1, static_cast<char>(Next()));
          break;
        default:
          in.resize(at);
          break;
      }
    }
    return in;
  }

 private:
  size_t Next() { return static_cast<unsigned char>(noise_[k_++ % noise_.size()]); }
  std::string noise_;
  size_t k_ = 0;
};

}  // namespace claimsca::crypto::testing
