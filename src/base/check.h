// FS_CHECK aborts with file:line when an invariant is broken (always on); FS_DCHECK only in
// debug builds. Never reachable from user input: user input gets a Status or an AWS error.
#pragma once

namespace flowstate::base {
[[noreturn]] void CheckFailed(const char* file, int line, const char* condition);
}  // namespace flowstate::base

#define FS_CHECK(cond)                                           \
  do {                                                           \
    if (!(cond)) {                                               \
      ::flowstate::base::CheckFailed(__FILE__, __LINE__, #cond); \
    }                                                            \
  } while (false)

#ifdef NDEBUG
#define FS_DCHECK(cond) \
  do {                  \
  } while (false)
#else
#define FS_DCHECK(cond) FS_CHECK(cond)
#endif
