// Per-thread scratch memory shared by the GEMM paths that run without a pool.
#include "scratch.h"

#include <stdlib.h>

namespace armbench {
namespace gemm {
namespace {

struct Scratch {
  void* p = nullptr;
  size_t bytes = 0;
  ~Scratch() { free(p); }
};

}  // namespace

void* thread_scratch(size_t bytes) {
  static thread_local Scratch s;
  if (bytes <= s.bytes) return s.p;
  free(s.p);
  s.p = nullptr;
  s.bytes = 0;
  const size_t rounded = (bytes + 4095) / 4096 * 4096;
  s.p = aligned_alloc(4096, rounded);
  if (s.p != nullptr) s.bytes = rounded;
  return s.p;
}

}  // namespace gemm
}  // namespace armbench
