// A tiny check library for the native tests: CHECK keeps going after a failure
// (so one run shows every broken expectation), and check_summary() prints
// "N passed, M failed" and gives the exit status.
#ifndef ARMBENCH_TEST_CHECK_H
#define ARMBENCH_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

namespace check {

inline int passed = 0;
inline int failed = 0;

inline bool record(bool ok, const char* expr, const char* file, int line) {
  if (ok) {
    ++passed;
  } else {
    ++failed;
    fprintf(stderr, "%s:%d: CHECK failed: %s\n", file, line, expr);
  }
  return ok;
}

inline int summary(const char* name) {
  printf("%s: %d passed, %d failed\n", name, passed, failed);
  fflush(stdout);
  return failed == 0 ? 0 : 1;
}

}  // namespace check

// Set by scripts/test-aarch64.sh: the tests run under qemu, where timings mean
// nothing and sizes are kept small.
inline bool emulated() {
  const char* e = getenv("ARMBENCH_EMULATED");
  return e != nullptr && strcmp(e, "1") == 0;
}

// Both evaluate to the condition, so a test can skip what depends on it.
#define CHECK(cond) ::check::record(static_cast<bool>(cond), #cond, __FILE__, __LINE__)
// CHECK_MSG(cond, fmt, ...): also prints a formatted explanation on failure.
#define CHECK_MSG(cond, ...)                                                   \
  (::check::record(static_cast<bool>(cond), #cond, __FILE__, __LINE__)         \
       ? true                                                                  \
       : (fprintf(stderr, "    "), fprintf(stderr, __VA_ARGS__), fprintf(stderr, "\n"), false))

#endif
