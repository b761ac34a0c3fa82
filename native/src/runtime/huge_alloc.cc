// Zeroed large buffers on transparent huge pages where the kernel offers them.
#include "huge_alloc.h"

#include <stdlib.h>
#include <string.h>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace armbench {
namespace runtime {

void* huge_calloc(size_t bytes) {
  constexpr size_t kHuge = size_t{2} << 20, kLine = 64;
  const size_t align = bytes >= kHuge ? kHuge : kLine;
  const size_t rounded = ((bytes > 0 ? bytes : 1) + align - 1) / align * align;
  if (rounded < bytes) return nullptr;
  void* p = aligned_alloc(align, rounded);
  if (p == nullptr) return nullptr;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  // Advice only: where huge pages are off or unavailable, the buffer stays on small ones.
  if (align == kHuge) (void)madvise(p, rounded, MADV_HUGEPAGE);
#endif
  // Touched after the advice, so the pages it faults in can be huge ones.
  memset(p, 0, rounded);
  return p;
}

}  // namespace runtime
}  // namespace armbench
