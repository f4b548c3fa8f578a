// Rng is the only source of randomness the engine sees (States.UUID, States.MathRandom,
// jitter), so a step can be replayed exactly. Not thread-safe: one per lane or per call.
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace flowstate::base {

class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}

  uint64_t Next() { return engine_(); }
  // Uniform in [0, 1).
  double NextDouble();
  // A version-4 UUID in lower-case canonical form.
  std::string Uuid();

 private:
  std::mt19937_64 engine_;
};

// 64 bits from the operating system's entropy source, for seeding and unguessable ids.
uint64_t SecureRandom64();

}  // namespace flowstate::base
