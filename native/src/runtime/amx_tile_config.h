// Private: the one AMX tile configuration armbench uses, every tile full. Types and a
// constant only (no inline functions), so ISA files compiled with -mamx-* may share it.
#ifndef ARMBENCH_SRC_RUNTIME_AMX_TILE_CONFIG_H
#define ARMBENCH_SRC_RUNTIME_AMX_TILE_CONFIG_H

#include <stdint.h>

namespace armbench {
namespace runtime {

// LDTILECFG's 64-byte memory operand, palette 1 (Intel SDM vol. 2, LDTILECFG; vol. 1,
// "Intel AMX"): byte 0 palette, byte 1 start_row, bytes 2..15 reserved (zero), bytes
// 16..47 bytes per row of tmm0..15, bytes 48..63 rows of tmm0..15. Palette 1 has eight
// tiles of at most 16 rows x 64 bytes; entries 8..15 must stay zero.
struct alignas(64) AmxTileConfig {
  uint8_t palette_id;
  uint8_t start_row;
  uint8_t reserved[14];
  uint16_t colsb[16];
  uint8_t rows[16];
};
static_assert(sizeof(AmxTileConfig) == 64, "LDTILECFG reads 64 bytes");

// All eight tiles 16 rows x 64 bytes: what TDPBF16PS and TDPBUSD on full tiles need
// (C rows = A rows, C bytes per row = B bytes per row, A bytes per row = 4 * B rows).
constexpr AmxTileConfig kAmxFullTiles = {1, 0, {}, {64, 64, 64, 64, 64, 64, 64, 64}, {16, 16, 16, 16, 16, 16, 16, 16}};

}  // namespace runtime
}  // namespace armbench

#endif
