// Private: markers around a microkernel's inner loop for llvm-mca (npm run mca).
//
// Built with ARMBENCH_MCA_REGIONS defined (only scripts/mca.ts does that), a marker is
// an assembly comment that GCC copies into its .s output, naming the region:
//   ARMBENCH_MCA_BEGIN("gemm.f32_neon_8x12");
//   ARMBENCH_MCA_BEGIN("nchwc.row_f32.t%c0" :: "i"(T));   // a template's width in the name
//   for (...) { ... }
//   ARMBENCH_MCA_END();
// The script cuts each region's innermost loop out of the assembly and hands it to
// llvm-mca. In every other build the markers are nothing, so the library's code is the
// code the markers were placed in. The comments follow llvm-mca's own region syntax, so
// a whole .s file can also be given to llvm-mca by hand.
#ifndef ARMBENCH_SRC_RUNTIME_MCA_REGION_H
#define ARMBENCH_SRC_RUNTIME_MCA_REGION_H

#if defined(ARMBENCH_MCA_REGIONS)
#define ARMBENCH_MCA_BEGIN(...) asm volatile("# LLVM-MCA-BEGIN " __VA_ARGS__)
#define ARMBENCH_MCA_END() asm volatile("# LLVM-MCA-END")
#else
#define ARMBENCH_MCA_BEGIN(...) ((void)0)
#define ARMBENCH_MCA_END() ((void)0)
#endif

#endif
