import assert from "node:assert/strict";
import { test } from "node:test";

import { decodeArmCore, decodeX86Core, parseArmCpuinfo, splitMidr } from "../src/sysinfo/microarch.js";

test("MIDR splits into its fields", () => {
  assert.deepEqual(splitMidr(0x414fd0c1n), { implementer: 0x41, variant: 4, architecture: 0xf, part: 0xd0c, revision: 1 });
  assert.deepEqual(splitMidr(0x481fd010), { implementer: 0x48, variant: 1, architecture: 0xf, part: 0xd01, revision: 0 });
});

test("Arm server cores decode by implementer and part", () => {
  const cases: [number, number, string][] = [
    [0x41, 0xd0c, "Neoverse N1"],
    [0x41, 0xd40, "Neoverse V1"],
    [0x41, 0xd49, "Neoverse N2"],
    [0x41, 0xd4f, "Neoverse V2"],
    [0x41, 0xd8e, "Neoverse N3"],
    [0x41, 0xd84, "Neoverse V3"],
    [0x41, 0xd08, "Cortex-A72"],
    [0x41, 0xd0b, "Cortex-A76"],
    [0x48, 0xd01, "TaiShan v110"],
    [0xc0, 0xac3, "AmpereOne"],
    [0x46, 0x001, "A64FX"],
  ];
  for (const [impl, part, name] of cases) assert.equal(decodeArmCore(impl, part).name, name, `${impl}:${part}`);
  assert.match(decodeArmCore(0x48, 0xd01).seenIn ?? "", /Kunpeng 920/);
  assert.match(decodeArmCore(0x41, 0xd49).seenIn ?? "", /Yitian 710/);
  assert.match(decodeArmCore(0x41, 0xd0c).seenIn ?? "", /Altra/);
});

test("an unknown Arm part is reported as unknown with its ids", () => {
  const u = decodeArmCore(0x41, 0xfff);
  assert.equal(u.name, "unknown");
  assert.equal(u.designer, "Arm");
  assert.match(u.source, /0x41.*0xfff/);
  assert.match(decodeArmCore(0x99, 1).designer, /0x99/);
});

const kunpengCpuinfo = `processor\t: 0
BogoMIPS\t: 200.00
Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm jscvt fcma dcpop asimddp asimdfhm
CPU implementer\t: 0x48
CPU architecture: 8
CPU variant\t: 0x1
CPU part\t: 0xd01
CPU revision\t: 0

processor\t: 1
BogoMIPS\t: 200.00
Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm jscvt fcma dcpop asimddp asimdfhm
CPU implementer\t: 0x48
CPU architecture: 8
CPU variant\t: 0x1
CPU part\t: 0xd01
CPU revision\t: 0
`;

test("aarch64 /proc/cpuinfo yields each distinct core once", () => {
  const cores = parseArmCpuinfo(kunpengCpuinfo);
  assert.equal(cores.length, 1);
  assert.equal(decodeArmCore(cores[0]!.implementer, cores[0]!.part).name, "TaiShan v110");
  const bigLittle = `CPU implementer\t: 0x41\nCPU part\t: 0xd05\n\nCPU implementer\t: 0x41\nCPU part\t: 0xd0b\n`;
  assert.deepEqual(parseArmCpuinfo(bigLittle).map((m) => m.part), [0xd05, 0xd0b]);
  assert.deepEqual(parseArmCpuinfo("processor : 0\nflags : fpu sse\n"), []);
});

test("x86 cores decode from vendor, family and model", () => {
  assert.equal(decodeX86Core("AuthenticAMD", 0x19, 0x11).name, "Zen 4");
  assert.equal(decodeX86Core("AuthenticAMD", 0x19, 0x01).name, "Zen 3");
  assert.equal(decodeX86Core("AuthenticAMD", 0x1a, 0x02).name, "Zen 5");
  assert.equal(decodeX86Core("GenuineIntel", 6, 0x8f).name, "Sapphire Rapids");
  assert.equal(decodeX86Core("GenuineIntel", 6, 0x6a).name, "Ice Lake-SP");
  const u = decodeX86Core("GenuineIntel", 6, 0x01);
  assert.equal(u.name, "unknown");
  assert.match(u.source, /family 0x06 model 0x01/);
});
