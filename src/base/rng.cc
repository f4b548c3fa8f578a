#include "base/rng.h"

#include <cstdio>

namespace flowstate::base {

double Rng::NextDouble() {
  constexpr double kTwoToThe53 = 9007199254740992.0;
  return static_cast<double>(Next() >> 11) / kTwoToThe53;
}

std::string Rng::Uuid() {
  uint64_t hi = Next();
  uint64_t lo = Next();
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-%04x-%04x-%012llx",
                static_cast<unsigned>(hi >> 32), static_cast<unsigned>((hi >> 16) & 0xFFFF),
                static_cast<unsigned>(hi & 0xFFFF), static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  return buf;
}

uint64_t SecureRandom64() {
  std::random_device device;
  return (static_cast<uint64_t>(device()) << 32) ^ device();
}

}  // namespace flowstate::base
