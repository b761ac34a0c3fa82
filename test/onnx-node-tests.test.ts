import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

import { defaultAlgoChooser } from "../src/engine/lower.js";
import { loadOnnxFile } from "../src/engine/onnx.js";
import { runTestSets } from "../src/model/testdata.js";
import { loadNative } from "../src/native.js";

const BACKEND = "/usr/share/libonnx-testdata/data/node";

/**
 * The ONNX backend node tests of the transformer op set (issue 17) that armbench runs:
 * each must load and pass its test data through the path `armbench model --onnx M
 * --test-data D` takes (shape and axes inputs taken as constants at load where given).
 */
const PASSING = [
  ...["2d", "3d", "4d"].map((r) => `test_matmul_${r}`),
  ...["all_attributes", "alpha", "beta", "default_matrix_bias", "default_no_bias", "default_scalar_bias", "default_single_elem_vector_bias", "default_vector_bias", "default_zero_bias", "transposeA", "transposeB"].map((s) => `test_gemm_${s}`),
  ...["axis_0", "axis_1", "axis_2", "default_axis", "example", "large_number", "negative_axis"].map((s) => `test_softmax_${s}`),
  ...["axis_0", "axis_1", "axis_2", "default_axis", "example_1", "large_number", "negative_axis"].map((s) => `test_logsoftmax_${s}`),
  ...["2d_axis0", "2d_axis1", "2d_axis_negative_1", "2d_axis_negative_2", "3d_axis0_epsilon", "3d_axis1_epsilon", "3d_axis2_epsilon", "3d_axis_negative_1_epsilon",
    "3d_axis_negative_2_epsilon", "3d_axis_negative_3_epsilon", "4d_axis0", "4d_axis1", "4d_axis2", "4d_axis3", "4d_axis_negative_1", "4d_axis_negative_2",
    "4d_axis_negative_3", "4d_axis_negative_4", "default_axis"].map((s) => `test_layer_normalization_${s}`),
  "test_erf", "test_tanh", "test_tanh_example", "test_sqrt", "test_sqrt_example",
  "test_div", "test_div_bcast", "test_div_example", "test_sub", "test_sub_bcast", "test_sub_example",
  "test_pow", "test_pow_bcast_array", "test_pow_bcast_scalar", "test_pow_example",
  ...["default_axes_keepdims", "do_not_keepdims", "keepdims", "negative_axes_keepdims"].flatMap((s) => [`test_reduce_mean_${s}_example`, `test_reduce_mean_${s}_random`]),
  ...[0, 1, 2, 3, 4, 5].map((i) => `test_transpose_all_permutations_${i}`), "test_transpose_default",
  ...["extended_dims", "negative_dim", "negative_extended_dims", "one_dim", "reduced_dims", "reordered_all_dims", "reordered_last_dims", "zero_and_negative_dim", "zero_dim"].map((s) => `test_reshape_${s}`),
  "test_squeeze", "test_squeeze_negative_axes", ...[0, 1, 2, 3].map((a) => `test_unsqueeze_axis_${a}`),
  ...["axis0", "axis1", "axis2", "axis3", "default_axis", "negative_axis1", "negative_axis2", "negative_axis3", "negative_axis4"].map((s) => `test_flatten_${s}`),
  "test_gather_0", "test_gather_1", "test_gather_2d_indices", "test_gather_negative_indices",
  "test_concat_2d_axis_1", "test_concat_2d_axis_negative_1", "test_concat_3d_axis_1", "test_concat_3d_axis_negative_2",
];

test("the ONNX backend node tests of the transformer op set pass through --test-data", { skip: existsSync(BACKEND) ? false : `${BACKEND} is missing (install libonnx-testdata)` }, async () => {
  const native = loadNative();
  const failed: string[] = [];
  for (const name of PASSING) {
    const dir = path.join(BACKEND, name);
    try {
      const file = path.join(dir, "model.onnx");
      const results = await runTestSets(native, (bind) => loadOnnxFile(file, bind ? { bind } : {}), dir, defaultAlgoChooser, 1e-3, 1e-5);
      const bad = results.find((r) => !r.passed);
      if (bad) failed.push(`${name}: ${bad.error ?? JSON.stringify(bad.worst)}`);
    } catch (e) {
      failed.push(`${name}: ${(e as Error).message}`);
    }
  }
  assert.deepEqual(failed, [], `${failed.length} of ${PASSING.length} failed`);
});

test("a node test whose op armbench folds at load only is refused in one sentence, not run wrong", { skip: existsSync(BACKEND) ? false : `${BACKEND} is missing` }, async () => {
  const dir = path.join(BACKEND, "test_expand_dim_changed");
  const file = path.join(dir, "model.onnx");
  const results = await runTestSets(loadNative(), (bind) => loadOnnxFile(file, bind ? { bind } : {}), dir, defaultAlgoChooser, 1e-3, 1e-5);
  assert.equal(results[0]!.passed, false);
  assert.match(results[0]!.error ?? "", /armbench computes Expand at load only, and its input "data" is not known then/);
});
