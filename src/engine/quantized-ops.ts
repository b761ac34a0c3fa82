/**
 * Quantized ops written as the ops that define them, for the loader (an ONNX
 * DynamicQuantizeLinear) and for decompose (the quantizer's DynamicQuantMatMul): the
 * executor runs the pieces, and the answer is ONNX's to the bit.
 */
import type { Node } from "./ir.js";
import type { Emit } from "./runtime-weights.js";

/**
 * DynamicQuantizeLinear: the range of x widened to hold 0, scale = (max - min) / 255,
 * zero point = saturate(round(-min / scale)) (a QuantizeLinear of -min with zero point
 * 0), y = QuantizeLinear(x, scale, zero point). The last node writes y.
 */
export function dynamicQuantizeAsOps(name: string, x: string, y: string, scale: string, zeroPoint: string, e: Emit): Node[] {
  const zero = e.constant("zero", { dims: [], data: Float32Array.of(0) });
  const qmax = e.constant("qmax", { dims: [], data: Float32Array.of(255) });
  const zeroPoint0 = e.constant("zero_point_0", { dims: [], data: Float32Array.of(0), dtype: "uint8" });
  const v = (s: string) => e.value(s);
  const node = (op: "ReduceMin" | "ReduceMax" | "Min" | "Max" | "Sub" | "Div" | "QuantizeLinear", ins: string[], out: string): Node =>
    op === "ReduceMin" || op === "ReduceMax" ? { op, name: `${name}/${out.split("/").pop()}`, inputs: ins, outputs: [out], attrs: { axes: [], keepdims: false } }
    : op === "QuantizeLinear" ? { op, name: out === y ? name : `${name}/${out.split("/").pop()}`, inputs: ins, outputs: [out], attrs: { axis: 0 } }
    : { op, name: `${name}/${out.split("/").pop()}_${op.toLowerCase()}`, inputs: ins, outputs: [out], attrs: {} };
  return [
    node("ReduceMin", [x], v("min")),
    node("Min", [v("min"), zero], v("min_with_0")),
    node("ReduceMax", [x], v("max")),
    node("Max", [v("max"), zero], v("max_with_0")),
    node("Sub", [v("max_with_0"), v("min_with_0")], v("range")),
    node("Div", [v("range"), qmax], scale),
    node("Sub", [zero, v("min_with_0")], v("minus_min")),
    node("QuantizeLinear", [v("minus_min"), scale, zeroPoint0], zeroPoint),
    node("QuantizeLinear", [x, scale, zeroPoint], y),
  ];
}

/**
 * DynamicQuantMatMul [x, w, w scale] -> y as onnxruntime's quantize_dynamic writes a
 * MatMul: x quantized to uint8 (DynamicQuantizeLinear), MatMulInteger with w (zero point
 * 0), the int32 product cast to float, times x's scale times w's per-column scale (the
 * two scales multiplied first, as that graph does).
 */
export function dynamicQuantMatMulAsOps(n: Node, e: Emit): Node[] {
  const [x, w, wScale] = n.inputs as [string, string, string];
  const y = n.outputs[0]!;
  const v = (s: string) => e.value(s);
  return [
    ...dynamicQuantizeAsOps(`${n.name}/quantize`, x, v("x_quantized"), v("x_scale"), v("x_zero_point"), e),
    { op: "MatMulInteger", name: `${n.name}/matmul_integer`, inputs: [v("x_quantized"), w, v("x_zero_point")], outputs: [v("product")], attrs: {} },
    { op: "Cast", name: `${n.name}/cast`, inputs: [v("product")], outputs: [v("product_float")], attrs: { to: "float32" } },
    { op: "Mul", name: `${n.name}/scales`, inputs: [v("x_scale"), wScale], outputs: [v("scale")], attrs: {} },
    { op: "Mul", name: n.name, inputs: [v("product_float"), v("scale")], outputs: [y], attrs: {} },
  ];
}
