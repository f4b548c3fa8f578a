// EvalContext names the documents a JSONPath-mode expression reads: `$` (the current input),
// `$$` (the context object), `$name` (workflow variables) and the Rng behind States.UUID and
// States.MathRandom. It only points at data the caller owns; it is cheap to build per
// evaluation and must not outlive what it points at. Not thread-safe (the Rng is mutable).
#pragma once

#include "json/json_fwd.h"

namespace flowstate::base {
class Rng;
}  // namespace flowstate::base

namespace flowstate::query {

struct EvalContext {
  // `$`: the state input (or the raw result for ResultSelector). Required.
  const json::Json* input = nullptr;
  // `$$`: the context object built by the engine. Null reads as a missing path.
  const json::Json* context = nullptr;
  // `$name`: an object mapping variable names to values. Null when no variable is defined.
  const json::Json* variables = nullptr;
  // Randomness for States.UUID / States.MathRandom without a seed. Null: those fail.
  base::Rng* rng = nullptr;
};

}  // namespace flowstate::query
