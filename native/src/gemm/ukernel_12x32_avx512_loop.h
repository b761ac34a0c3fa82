// The k loop of the 12x32 AVX-512 microkernels, in inline asm: fp32 FMA
// (ukernel_f32_avx512.cc) and int8 VPDPBUSD (ukernel_u8s8_avx512vnni.cc). Both read,
// per k step, 48 bytes of A (12 rows of one 4-byte element: an fp32, or 4 int8 of k)
// and 128 bytes of B (two zmm), and run 24 multiply-accumulates: the same addressing,
// so one loop with the broadcast and the multiply-accumulate as parameters. Written in
// asm because with intrinsics GCC spilled accumulators to the stack inside the loop
// (measured: fp32 ~101-104 vs 116 GFLOP/s on Zen 4; int8 389 GOP/s, 47% of the
// VPDPBUSD peak, on an Intel VM).
//
// Included only by files built with -mavx512f.
#ifndef ARMBENCH_SRC_GEMM_UKERNEL_12X32_AVX512_LOOP_H
#define ARMBENCH_SRC_GEMM_UKERNEL_12X32_AVX512_LOOP_H

#include <immintrin.h>
#include <stddef.h>

// One k step's row: one broadcast of A, two multiply-accumulates with the two B
// vectors (zmm30, zmm31). Broadcast temporaries rotate over zmm24-29 so consecutive
// rows do not wait on one register.
#define ARMBENCH_12X32_ROW(BCAST, MADD, off, t, c0, c1) \
  BCAST " " off "(%[a]), %%zmm" t "\n\t"                \
  MADD " %%zmm30, %%zmm" t ", %%zmm" c0 "\n\t"          \
  MADD " %%zmm31, %%zmm" t ", %%zmm" c1 "\n\t"

// PF: instructions at the start of each step (prefetches), or "".
#define ARMBENCH_12X32_STEP(PF, BCAST, MADD)                    \
  PF                                                            \
  "vmovups (%[b]), %%zmm30\n\t"                                 \
  "vmovups 64(%[b]), %%zmm31\n\t"                               \
  ARMBENCH_12X32_ROW(BCAST, MADD, "0", "24", "0", "1")          \
  ARMBENCH_12X32_ROW(BCAST, MADD, "4", "25", "2", "3")          \
  ARMBENCH_12X32_ROW(BCAST, MADD, "8", "26", "4", "5")          \
  ARMBENCH_12X32_ROW(BCAST, MADD, "12", "27", "6", "7")         \
  ARMBENCH_12X32_ROW(BCAST, MADD, "16", "28", "8", "9")         \
  ARMBENCH_12X32_ROW(BCAST, MADD, "20", "29", "10", "11")       \
  ARMBENCH_12X32_ROW(BCAST, MADD, "24", "24", "12", "13")       \
  ARMBENCH_12X32_ROW(BCAST, MADD, "28", "25", "14", "15")       \
  ARMBENCH_12X32_ROW(BCAST, MADD, "32", "26", "16", "17")       \
  ARMBENCH_12X32_ROW(BCAST, MADD, "36", "27", "18", "19")       \
  ARMBENCH_12X32_ROW(BCAST, MADD, "40", "28", "20", "21")       \
  ARMBENCH_12X32_ROW(BCAST, MADD, "44", "29", "22", "23")       \
  "add $48, %[a]\n\t"                                           \
  "add $128, %[b]\n\t"

// Zeroes 24 accumulators, runs `steps` k steps (unrolled by 4) from a and b, and leaves
// row i's two vectors in acc[2 * i], acc[2 * i + 1] (__m512 acc[24]; an integer kernel
// reinterprets them). The accumulators live in zmm0-23 for the asm loop (local
// register variables are GCC's documented way to pin asm operands); zmm24-31 are its
// temporaries. Operands: 24 outputs and 3 read-write pointers/counters, GCC's limit
// of 30.
#define ARMBENCH_12X32_KLOOP(PF, BCAST, MADD, a_ptr, b_ptr, steps, acc)                                        \
  do {                                                                                                         \
    register __m512 r0 asm("zmm0");                                                                            \
    register __m512 r1 asm("zmm1");                                                                            \
    register __m512 r2 asm("zmm2");                                                                            \
    register __m512 r3 asm("zmm3");                                                                            \
    register __m512 r4 asm("zmm4");                                                                            \
    register __m512 r5 asm("zmm5");                                                                            \
    register __m512 r6 asm("zmm6");                                                                            \
    register __m512 r7 asm("zmm7");                                                                            \
    register __m512 r8 asm("zmm8");                                                                            \
    register __m512 r9 asm("zmm9");                                                                            \
    register __m512 r10 asm("zmm10");                                                                          \
    register __m512 r11 asm("zmm11");                                                                          \
    register __m512 r12 asm("zmm12");                                                                          \
    register __m512 r13 asm("zmm13");                                                                          \
    register __m512 r14 asm("zmm14");                                                                          \
    register __m512 r15 asm("zmm15");                                                                          \
    register __m512 r16 asm("zmm16");                                                                          \
    register __m512 r17 asm("zmm17");                                                                          \
    register __m512 r18 asm("zmm18");                                                                          \
    register __m512 r19 asm("zmm19");                                                                          \
    register __m512 r20 asm("zmm20");                                                                          \
    register __m512 r21 asm("zmm21");                                                                          \
    register __m512 r22 asm("zmm22");                                                                          \
    register __m512 r23 asm("zmm23");                                                                          \
    const void* loop_a = (a_ptr);                                                                              \
    const void* loop_b = (b_ptr);                                                                              \
    size_t loop_k = (steps);                                                                                   \
    __asm__ volatile(                                                                                          \
        "vpxord %%zmm0, %%zmm0, %%zmm0\n\t"                                                                    \
        "vpxord %%zmm1, %%zmm1, %%zmm1\n\t"                                                                    \
        "vpxord %%zmm2, %%zmm2, %%zmm2\n\t"                                                                    \
        "vpxord %%zmm3, %%zmm3, %%zmm3\n\t"                                                                    \
        "vpxord %%zmm4, %%zmm4, %%zmm4\n\t"                                                                    \
        "vpxord %%zmm5, %%zmm5, %%zmm5\n\t"                                                                    \
        "vpxord %%zmm6, %%zmm6, %%zmm6\n\t"                                                                    \
        "vpxord %%zmm7, %%zmm7, %%zmm7\n\t"                                                                    \
        "vpxord %%zmm8, %%zmm8, %%zmm8\n\t"                                                                    \
        "vpxord %%zmm9, %%zmm9, %%zmm9\n\t"                                                                    \
        "vpxord %%zmm10, %%zmm10, %%zmm10\n\t"                                                                 \
        "vpxord %%zmm11, %%zmm11, %%zmm11\n\t"                                                                 \
        "vpxord %%zmm12, %%zmm12, %%zmm12\n\t"                                                                 \
        "vpxord %%zmm13, %%zmm13, %%zmm13\n\t"                                                                 \
        "vpxord %%zmm14, %%zmm14, %%zmm14\n\t"                                                                 \
        "vpxord %%zmm15, %%zmm15, %%zmm15\n\t"                                                                 \
        "vpxord %%zmm16, %%zmm16, %%zmm16\n\t"                                                                 \
        "vpxord %%zmm17, %%zmm17, %%zmm17\n\t"                                                                 \
        "vpxord %%zmm18, %%zmm18, %%zmm18\n\t"                                                                 \
        "vpxord %%zmm19, %%zmm19, %%zmm19\n\t"                                                                 \
        "vpxord %%zmm20, %%zmm20, %%zmm20\n\t"                                                                 \
        "vpxord %%zmm21, %%zmm21, %%zmm21\n\t"                                                                 \
        "vpxord %%zmm22, %%zmm22, %%zmm22\n\t"                                                                 \
        "vpxord %%zmm23, %%zmm23, %%zmm23\n\t"                                                                 \
        "mov %[k], %%r11\n\t"                                                                                  \
        "and $3, %%r11\n\t"                                                                                    \
        "shr $2, %[k]\n\t"                                                                                     \
        "jz 2f\n\t"                                                                                            \
        "1:\n\t"                                                                                               \
        ARMBENCH_12X32_STEP(PF, BCAST, MADD) ARMBENCH_12X32_STEP(PF, BCAST, MADD)                              \
        ARMBENCH_12X32_STEP(PF, BCAST, MADD) ARMBENCH_12X32_STEP(PF, BCAST, MADD)                              \
        "dec %[k]\n\t"                                                                                         \
        "jnz 1b\n\t"                                                                                           \
        "2:\n\t"                                                                                               \
        "test %%r11, %%r11\n\t"                                                                                \
        "jz 4f\n\t"                                                                                            \
        "3:\n\t"                                                                                               \
        ARMBENCH_12X32_STEP(PF, BCAST, MADD)                                                                   \
        "dec %%r11\n\t"                                                                                        \
        "jnz 3b\n\t"                                                                                           \
        "4:\n\t"                                                                                               \
        : [a] "+r"(loop_a), [b] "+r"(loop_b), [k] "+r"(loop_k), "=v"(r0), "=v"(r1), "=v"(r2), "=v"(r3),        \
          "=v"(r4), "=v"(r5), "=v"(r6), "=v"(r7), "=v"(r8), "=v"(r9), "=v"(r10), "=v"(r11), "=v"(r12),        \
          "=v"(r13), "=v"(r14), "=v"(r15), "=v"(r16), "=v"(r17), "=v"(r18), "=v"(r19), "=v"(r20), "=v"(r21),  \
          "=v"(r22), "=v"(r23)                                                                                 \
        :                                                                                                      \
        : "r11", "zmm24", "zmm25", "zmm26", "zmm27", "zmm28", "zmm29", "zmm30", "zmm31", "cc", "memory");      \
    acc[0] = r0, acc[1] = r1, acc[2] = r2, acc[3] = r3, acc[4] = r4, acc[5] = r5, acc[6] = r6, acc[7] = r7;    \
    acc[8] = r8, acc[9] = r9, acc[10] = r10, acc[11] = r11, acc[12] = r12, acc[13] = r13, acc[14] = r14;       \
    acc[15] = r15, acc[16] = r16, acc[17] = r17, acc[18] = r18, acc[19] = r19, acc[20] = r20, acc[21] = r21;   \
    acc[22] = r22, acc[23] = r23;                                                                              \
  } while (0)

#endif
