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
    "4d_axis_negative_3", "4d_axis_negative_4", "default_axis"].flatMap((s) => [`test_layer_normalization_${s}`, `test_layer_normalization_${s}_expanded`]),
  "test_neg", "test_neg_example", "test_reciprocal", "test_reciprocal_example",
  "test_erf", "test_tanh", "test_tanh_example", "test_sqrt", "test_sqrt_example",
  "test_div", "test_div_bcast", "test_div_example", "test_sub", "test_sub_bcast", "test_sub_example",
  "test_pow", "test_pow_bcast_array", "test_pow_bcast_scalar", "test_pow_example",
  ...["default_axes_keepdims", "do_not_keepdims", "keepdims", "negative_axes_keepdims"].flatMap((s) => [`test_reduce_mean_${s}_example`, `test_reduce_mean_${s}_random`]),
  ...[0, 1, 2, 3, 4, 5].map((i) => `test_transpose_all_permutations_${i}`), "test_transpose_default",
  ...["extended_dims", "negative_dim", "negative_extended_dims", "one_dim", "reduced_dims", "reordered_all_dims", "reordered_last_dims", "zero_and_negative_dim", "zero_dim"].map((s) => `test_reshape_${s}`),
  "test_squeeze", "test_squeeze_negative_axes", ...[0, 1, 2, 3].map((a) => `test_unsqueeze_axis_${a}`),
  ...["negative_axes", "three_axes", "two_axes", "unsorted_axes"].map((s) => `test_unsqueeze_${s}`),
  ...["axis0", "axis1", "axis2", "axis3", "default_axis", "negative_axis1", "negative_axis2", "negative_axis3", "negative_axis4"].map((s) => `test_flatten_${s}`),
  ...["", "_default_axes", "_default_steps", "_end_out_of_bounds", "_neg", "_neg_steps", "_negative_axes"].map((s) => `test_slice${s}`),
  "test_expand_dim_changed", "test_expand_dim_unchanged", "test_constantofshape_float_ones",
  "test_gather_0", "test_gather_1", "test_gather_2d_indices", "test_gather_negative_indices",
  ...["1d_axis_0", "1d_axis_negative_1", "2d_axis_0", "2d_axis_1", "2d_axis_negative_1", "2d_axis_negative_2", "3d_axis_0", "3d_axis_1", "3d_axis_2",
    "3d_axis_negative_1", "3d_axis_negative_2", "3d_axis_negative_3"].map((s) => `test_concat_${s}`),
];

/** Bool and integer values (comparisons, the logical ops, Where, Dropout's mask, Shape and Size as outputs), Casts among the floats, Exp, Log, the reductions, and softmax spelled out in them. */
const BOOLS_AND_REDUCTIONS = [
  "test_equal", "test_equal_bcast", "test_where_example", "test_greater", "test_greater_bcast", "test_less", "test_less_bcast",
  ...["greater_equal", "less_equal"].flatMap((op) => ["", "_bcast"].flatMap((b) => [`test_${op}${b}`, `test_${op}${b}_expanded`])),
  ...["and", "or", "xor"].flatMap((op) => ["2d", "3d", "4d", "_bcast3v1d", "_bcast3v2d", "_bcast4v2d", "_bcast4v3d", "_bcast4v4d"].map((s) => `test_${op}${s}`)),
  "test_dropout_default_mask", "test_dropout_default_mask_ratio", "test_constantofshape_int_zeros", "test_size", "test_size_example",
  ...["", "_clip_end", "_clip_start", "_end_1", "_end_negative_1", "_example", "_start_1", "_start_1_end_2", "_start_1_end_negative_1", "_start_negative_1"].map((s) => `test_shape${s}`),
  ...["FLOAT16_to_DOUBLE", "FLOAT16_to_FLOAT", "FLOAT_to_DOUBLE", "FLOAT_to_FLOAT16", "BFLOAT16_to_FLOAT"].map((s) => `test_cast_${s}`),
  ...["FLOAT16_to_FLOAT", "FLOAT_to_FLOAT16"].flatMap((s) => [`test_castlike_${s}`, `test_castlike_${s}_expanded`]),
  "test_not_2d", "test_not_3d", "test_not_4d", "test_exp", "test_exp_example", "test_log", "test_log_example",
  ...["max", "min"].flatMap((op) => ["default_axes_keepdims", "do_not_keepdims", "keepdims", "negative_axes_keepdims"].flatMap((s) => [`test_reduce_${op}_${s}_example`, `test_reduce_${op}_${s}_random`]))
    // ONNX spells this one "keepdim".
    .map((t) => t.replace("test_reduce_max_default_axes_keepdims_example", "test_reduce_max_default_axes_keepdim_example")),
  ...["default_axes_keepdims", "do_not_keepdims", "keepdims", "negative_axes_keepdims"].flatMap((s) => [`test_reduce_sum_${s}_example`, `test_reduce_sum_${s}_random`]),
  "test_reduce_sum_empty_axes_input_noop_example", "test_reduce_sum_empty_axes_input_noop_random",
  ...["axis_0", "axis_1", "axis_2", "default_axis", "example", "large_number", "negative_axis"].map((s) => `test_softmax_${s}_expanded`),
  ...["axis_0", "axis_1", "axis_2", "default_axis", "example_1", "large_number", "negative_axis"].map((s) => `test_logsoftmax_${s}_expanded`),
];

/** Weights, statistics and bounds given as graph inputs; Max and Min; 1-D pools. */
const RUNTIME_WEIGHTS = [
  "test_conv_with_autopad_same", "test_conv_with_strides_and_asymmetric_padding", "test_conv_with_strides_no_padding", "test_conv_with_strides_padding",
  "test_batchnorm_epsilon", "test_batchnorm_example",
  ...["", "_default_inbounds", "_default_max", "_default_min", "_example", "_inbounds", "_outbounds", "_splitbounds"].map((s) => `test_clip${s}`),
  ...["max", "min"].flatMap((op) => ["example", "float32", "one_input", "two_inputs"].map((s) => `test_${op}_${s}`)),
  "test_averagepool_1d_default", "test_maxpool_1d_default",
];

/** The package's PyTorch exports of opset 6 that armbench runs: every one whose ops it supports. */
const PYTORCH = [
  ...["AvgPool1d", "AvgPool1d_stride", "AvgPool2d", "AvgPool2d_stride", "BatchNorm1d_3d_input_eval", "BatchNorm2d_eval", "BatchNorm2d_momentum_eval",
    "Conv1d", "Conv1d_dilated", "Conv1d_groups", "Conv1d_pad1", "Conv1d_pad1size1", "Conv1d_pad2", "Conv1d_pad2size1", "Conv1d_stride",
    "Conv2d", "Conv2d_depthwise", "Conv2d_depthwise_padded", "Conv2d_depthwise_strided", "Conv2d_depthwise_with_multiplier", "Conv2d_dilated",
    "Conv2d_groups", "Conv2d_groups_thnn", "Conv2d_no_bias", "Conv2d_padding", "Conv2d_strided", "Embedding", "Embedding_sparse", "Linear", "Softmin",
    "ConstantPad2d", "ReflectionPad2d", "ReplicationPad2d", "ZeroPad2d",
    "Linear_no_bias", "LogSoftmax", "MaxPool1d", "MaxPool1d_stride", "MaxPool2d", "ReLU", "Sigmoid", "Softmax", "Tanh", "log_softmax_dim3",
    "log_softmax_lastdim", "softmax_functional_dim3", "softmax_lastdim", "PixelShuffle"].map((t) => `../pytorch-converted/test_${t}`),
  ...["addmm", "basic", "params", "clip", "concat2", "conv", "flatten", "index", "max", "maxpool", "min", "mm", "pad", "permute2", "pow", "reduced_mean", "reduced_mean_keepdim", "sqrt", "view"]
    .map((t) => `../pytorch-operator/test_operator_${t}`),
];

/** The quantized ops (issue 18): 8-bit values, integer outputs compared exactly; Round for DynamicQuantizeLinear's expansion. */
const QUANTIZED = [
  "test_quantizelinear", "test_quantizelinear_axis", "test_dequantizelinear", "test_dequantizelinear_axis",
  ...["", "_max_adjusted", "_min_adjusted"].flatMap((s) => [`test_dynamicquantizelinear${s}`, `test_dynamicquantizelinear${s}_expanded`]),
  "test_matmulinteger", "test_qlinearmatmul_2D", "test_qlinearmatmul_3D",
  "test_basic_convinteger", "test_convinteger_with_padding", "test_convinteger_without_padding", "test_qlinearconv", "test_round",
];

/** Each test's failure (or refusal) in one line; none when all pass. */
async function failures(names: string[]): Promise<string[]> {
  const native = loadNative();
  const failed: string[] = [];
  for (const name of names) {
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
  return failed;
}

const skip = existsSync(BACKEND) ? false : `${BACKEND} is missing (install libonnx-testdata)`;

test("the ONNX backend node tests of the transformer op set pass through --test-data", { skip }, async () => {
  const failed = await failures(PASSING);
  assert.deepEqual(failed, [], `${failed.length} of ${PASSING.length} failed`);
});

test("the node tests of comparisons, logical ops, Where, Exp, Log and the reductions pass", { skip }, async () => {
  const failed = await failures(BOOLS_AND_REDUCTIONS);
  assert.deepEqual(failed, [], `${failed.length} of ${BOOLS_AND_REDUCTIONS.length} failed`);
});

test("the node tests whose weights, statistics or bounds are graph inputs pass, and Max, Min and 1-D pools'", { skip }, async () => {
  const failed = await failures(RUNTIME_WEIGHTS);
  assert.deepEqual(failed, [], `${failed.length} of ${RUNTIME_WEIGHTS.length} failed`);
});

test("the node tests of the quantized ops pass, their integer outputs compared exactly", { skip }, async () => {
  const failed = await failures(QUANTIZED);
  assert.deepEqual(failed, [], `${failed.length} of ${QUANTIZED.length} failed`);
  const dir = path.join(BACKEND, "test_matmulinteger");
  const [r] = await runTestSets(loadNative(), () => loadOnnxFile(path.join(dir, "model.onnx")), dir, defaultAlgoChooser, 1e-3, 1e-5);
  assert.deepEqual(r!.exactOutputs, [0]);
});

test("PyTorch's opset-6 exports of supported ops pass their test data", { skip }, async () => {
  const failed = await failures(PYTORCH);
  assert.deepEqual(failed, [], `${failed.length} of ${PYTORCH.length} failed`);
});

test("a node test whose op armbench folds at load only is refused in one sentence, not run wrong", { skip: existsSync(BACKEND) ? false : `${BACKEND} is missing` }, async () => {
  const dir = path.join(BACKEND, "test_range_float_type_positive_delta");
  const file = path.join(dir, "model.onnx");
  const results = await runTestSets(loadNative(), (bind) => loadOnnxFile(file, bind ? { bind } : {}), dir, defaultAlgoChooser, 1e-3, 1e-5);
  assert.equal(results[0]!.passed, false);
  assert.match(results[0]!.error ?? "", /armbench computes Range at load only, and its input "start" is not known then/);
});
