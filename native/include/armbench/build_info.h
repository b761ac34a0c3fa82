/* How this library was built, recorded in every results file. */
#ifndef ARMBENCH_BUILD_INFO_H
#define ARMBENCH_BUILD_INFO_H

#ifdef __cplusplus
extern "C" {
#endif

const char* armbench_build_compiler(void);   /* e.g. "GNU 12.2.0" */
const char* armbench_build_type(void);       /* CMAKE_BUILD_TYPE */
const char* armbench_build_flags(void);      /* flags every file was compiled with */
/* Per-ISA source files and their own flags: "file: flags; file: flags". */
const char* armbench_build_isa_flags(void);
const char* armbench_build_target_arch(void);

#ifdef __cplusplus
}
#endif

#endif
