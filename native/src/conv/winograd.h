// Private to native/src/conv (and its test): the Winograd F(m x m, 3 x 3) transform
// matrices of Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks" (2015),
// for m = 2, 4, 6 (tile t = m + 2). The 1-D F(m, 3) is
//   y = A^T [(G g) . (B^T d)],  y[i] = sum_j d[i + j] g[j]  (correlation),
// and the 2-D one nests it: Y = A^T [(G g G^T) . (B^T d B)] A.
// The interpolation points (one of them infinity) are the usual ones (wincnn, NNPACK,
// oneDNN, ncnn): small powers of two keep B^T and A^T short and their entries exact in
// binary; the error grows with m because the points spread (A^T's last row holds 2^5 for
// F(6)). Every entry is a double; B^T and A^T entries are exact in fp32, G's are not
// (1/6, 2/9, ...), so the weight transform is done in double and rounded once.
#ifndef ARMBENCH_SRC_CONV_WINOGRAD_H
#define ARMBENCH_SRC_CONV_WINOGRAD_H

namespace armbench {
namespace conv {
namespace winograd {

// F(2, 3): points 0, 1, -1, infinity.
constexpr double kBT2[4][4] = {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}};
constexpr double kG2[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
constexpr double kAT2[2][4] = {{1, 1, 1, 0}, {0, 1, -1, -1}};

// F(4, 3): points 0, 1, -1, 2, -2, infinity.
constexpr double kBT4[6][6] = {{4, 0, -5, 0, 1, 0},  {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0},
                               {0, -2, -1, 2, 1, 0}, {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}};
constexpr double kG4[6][3] = {{1.0 / 4, 0, 0},
                              {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                              {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                              {1.0 / 24, 1.0 / 12, 1.0 / 6},
                              {1.0 / 24, -1.0 / 12, 1.0 / 6},
                              {0, 0, 1}};
constexpr double kAT4[4][6] = {{1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 0}, {0, 1, 1, 4, 4, 0}, {0, 1, -1, 8, -8, 1}};

// F(6, 3): points 0, 1, -1, 2, -2, 1/2, -1/2, infinity.
constexpr double kBT6[8][8] = {{1, 0, -21.0 / 4, 0, 21.0 / 4, 0, -1, 0},
                               {0, 1, 1, -17.0 / 4, -17.0 / 4, 1, 1, 0},
                               {0, -1, 1, 17.0 / 4, -17.0 / 4, -1, 1, 0},
                               {0, 0.5, 0.25, -2.5, -1.25, 2, 1, 0},
                               {0, -0.5, 0.25, 2.5, -1.25, -2, 1, 0},
                               {0, 2, 4, -2.5, -5, 0.5, 1, 0},
                               {0, -2, 4, 2.5, -5, -0.5, 1, 0},
                               {0, -1, 0, 21.0 / 4, 0, -21.0 / 4, 0, 1}};
constexpr double kG6[8][3] = {{1, 0, 0},
                              {-2.0 / 9, -2.0 / 9, -2.0 / 9},
                              {-2.0 / 9, 2.0 / 9, -2.0 / 9},
                              {1.0 / 90, 1.0 / 45, 2.0 / 45},
                              {1.0 / 90, -1.0 / 45, 2.0 / 45},
                              {32.0 / 45, 16.0 / 45, 8.0 / 45},
                              {32.0 / 45, -16.0 / 45, 8.0 / 45},
                              {0, 0, 1}};
constexpr double kAT6[6][8] = {{1, 1, 1, 1, 1, 1, 1, 0},         {0, 1, -1, 2, -2, 0.5, -0.5, 0},
                               {0, 1, 1, 4, 4, 0.25, 0.25, 0},    {0, 1, -1, 8, -8, 0.125, -0.125, 0},
                               {0, 1, 1, 16, 16, 1.0 / 16, 1.0 / 16, 0}, {0, 1, -1, 32, -32, 1.0 / 32, -1.0 / 32, 1}};

// The matrices of F(m, 3) as row-major arrays: bt t x t, g t x 3, at m x t.
struct Transform {
  unsigned m, t;
  const double* bt;
  const double* g;
  const double* at;
};

// m in {2, 4, 6}; anything else gives m = 0.
inline Transform transform_for(unsigned m) {
  switch (m) {
    case 2: return {2, 4, &kBT2[0][0], &kG2[0][0], &kAT2[0][0]};
    case 4: return {4, 6, &kBT4[0][0], &kG4[0][0], &kAT4[0][0]};
    case 6: return {6, 8, &kBT6[0][0], &kG6[0][0], &kAT6[0][0]};
    default: return {0, 0, nullptr, nullptr, nullptr};
  }
}

}  // namespace winograd
}  // namespace conv
}  // namespace armbench

#endif
