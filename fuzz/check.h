#pragma once

// FUZZ_CHECK(cond, what): an invariant of a fuzz target. A violated one prints `what` and
// aborts, which libFuzzer reports as a crash and saves the input (docs/fuzzing.md).

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond, what)                                                                 \
  do {                                                                                         \
    if (!(cond)) {                                                                             \
      std::fprintf(stderr, "invariant violated at %s:%d: %s (%s)\n", __FILE__, __LINE__, what, \
                   #cond);                                                                     \
      std::abort();                                                                            \
    }                                                                                          \
  } while (0)
