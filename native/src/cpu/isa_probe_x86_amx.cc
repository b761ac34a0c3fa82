// AMX has no probe (armbench_probe_feature returns ARMBENCH_PROBE_NONE for
// amx_tile, amx_bf16 and amx_int8), by choice:
//
// Linux arms XFD for tile data, so any tile instruction raises SIGILL until the
// process has called arch_prctl(ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA). That
// request enlarges every later signal frame and context switch of the process; it
// belongs to the AMX kernels that need it, not to feature detection. Detection
// (cpu_features_x86.cc) still reports AMX from cpuid and XCR0.
//
// The file stays in the build, compiled with the AMX flags, so the kernels that do
// request tile state have their place.
