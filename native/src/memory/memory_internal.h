// Internal: the pointer-chase machinery the latency, TLB and loaded-latency probes
// share, also the hook the tests use to check a chain's structure.
#ifndef ARMBENCH_MEMORY_MEMORY_INTERNAL_H
#define ARMBENCH_MEMORY_MEMORY_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

namespace armbench {
namespace memory {

// Where a chain's nodes live. Node (element e, pass j) is the 8-byte slot at
//   e * element_bytes + line(e) * 64 + j * 8
// where line(e) = (e * kLineSpread) % lines, or 0 when lines <= 1. The latency
// chase uses lines = 1 (one stride-sized element per node, slot j for pass j); the
// TLB chase uses elements = pages and lines = page_bytes / 64, so the touched lines
// fall in different cache sets instead of all in the set of the page's first line.
struct ChainShape {
  size_t elements;
  size_t element_bytes;
  unsigned passes;
  size_t lines;
};

constexpr size_t kLineSpread = 37;  // odd: a permutation of the lines when lines is a power of two

inline char* chain_node(void* base, const ChainShape& s, size_t element, unsigned pass) {
  const size_t line = s.lines > 1 ? (element * kLineSpread) % s.lines : 0;
  return static_cast<char*>(base) + element * s.element_bytes + line * 64 + pass * 8u;
}

// Writes into base one cycle of passes x elements pointers: each pass visits every
// element once in an order drawn (Sattolo) from seed, and its last node links to the
// next pass's first (the last pass back to pass 0). Returns pass 0's first node.
// Needs elements >= 2 and elements <= UINT32_MAX; the caller checks that the nodes
// fit in base. Deterministic in (shape, seed): the seed is the whole record.
void* build_chain(void* base, const ChainShape& shape, uint64_t seed);

// `loads` dependent loads p = *(void**)p from p; returns where the chain got to.
void* chase_loads(void* p, uint64_t loads);

}  // namespace memory
}  // namespace armbench

#endif
