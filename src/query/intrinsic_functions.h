// The 18 States.* intrinsic functions applied to already evaluated arguments. Internal to the
// query module: Intrinsic (intrinsic.h) parses calls and evaluates their arguments, this file
// holds what each function does with them and AWS's argument checks. Pure functions apart
// from the Rng; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "base/asl_error.h"
#include "json/json_fwd.h"

namespace flowstate::base {
class Rng;
}  // namespace flowstate::base

namespace flowstate::query {

enum class IntrinsicFn {
  kFormat,
  kStringToJson,
  kJsonToString,
  kArray,
  kArrayPartition,
  kArrayContains,
  kArrayRange,
  kArrayGetItem,
  kArrayLength,
  kArrayUnique,
  kBase64Encode,
  kBase64Decode,
  kHash,
  kJsonMerge,
  kMathRandom,
  kMathAdd,
  kStringSplit,
  kUuid,
};

struct IntrinsicSpec {
  std::string_view name;  // "States.Format"
  IntrinsicFn fn;
  size_t min_args;
  size_t max_args;
};

// The function called `name` ("States.Format"), or nullptr.
const IntrinsicSpec* FindIntrinsic(std::string_view name);

// Applies `spec` to its evaluated arguments. `format_template` is the raw text (escapes kept)
// of a literal States.Format template, else nullptr. `rng` serves States.UUID and an unseeded
// States.MathRandom. Rejected arguments: kIntrinsicRuntimeError with
// "Invalid arguments in States.<Name>".
tl::expected<json::Json, base::AslError> ApplyIntrinsic(const IntrinsicSpec& spec,
                                                        std::span<const json::Json* const> args,
                                                        const std::string* format_template,
                                                        base::Rng* rng);

}  // namespace flowstate::query
