// GCC vector types the ISA probes pass to inline asm as register operands. Only
// types live here: no functions, so nothing compiled with one file's ISA flags can
// leak into another file through this header.
#ifndef ARMBENCH_CPU_PROBE_VECTORS_H
#define ARMBENCH_CPU_PROBE_VECTORS_H

namespace armbench {
namespace cpu {

typedef signed char v16qi __attribute__((vector_size(16)));
typedef short v8hi __attribute__((vector_size(16)));
typedef int v4si __attribute__((vector_size(16)));
typedef float v4sf __attribute__((vector_size(16)));

typedef char v32qi __attribute__((vector_size(32)));
typedef int v8si __attribute__((vector_size(32)));
typedef float v8sf __attribute__((vector_size(32)));

typedef char v64qi __attribute__((vector_size(64)));
typedef short v32hi __attribute__((vector_size(64)));
typedef int v16si __attribute__((vector_size(64)));
typedef float v16sf __attribute__((vector_size(64)));

}  // namespace cpu
}  // namespace armbench

#endif
