#include "query/jsonata_functions.h"

#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "base/rng.h"
#include "json/json.h"
#include "query/intrinsic_functions.h"
#include "query/jsonata/error.h"
#include "query/jsonata/function_data.h"
#include "query/jsonata/value.h"

namespace flowstate::query {
namespace {

using jsonata::CallContext;
using jsonata::Value;

// Error code for a Step Functions function given unusable arguments. jsonata-js has no such
// function, so no code of its own; D3900-D3905 stay clear of the D30xx-D31xx it uses.
[[noreturn]] void Reject(const char* code, const std::string& message, int64_t position) {
  jsonata::FailWithMessage(code, message, position);
}

// Runs the States.* twin of a function on JSON copies of the arguments.
Value ViaIntrinsic(std::string_view intrinsic, const char* code, const char* function,
                   const std::vector<Value>& args, int64_t position) {
  std::vector<json::Json> values;
  values.reserve(args.size());
  for (const Value& arg : args) values.push_back(jsonata::ToJson(arg));
  std::vector<const json::Json*> pointers;
  for (const json::Json& value : values) pointers.push_back(&value);
  const IntrinsicSpec* spec = FindIntrinsic(intrinsic);
  auto result = ApplyIntrinsic(*spec, pointers, nullptr, nullptr);
  if (!result) {
    Reject(code, std::string("Invalid arguments in $") + function, position);
  }
  return jsonata::FromJson(*result);
}

void RequireDefined(const std::vector<Value>& args, size_t count, const char* code,
                    const char* function, int64_t position) {
  if (args.size() != count) {
    Reject(code, std::string("$") + function + " takes " + std::to_string(count) + " arguments",
           position);
  }
  for (const Value& arg : args) {
    if (arg.IsUndefined() || arg.IsFunction()) {
      Reject(code, std::string("Invalid arguments in $") + function, position);
    }
  }
}

Value Partition(CallContext& ctx, std::vector<Value>& args) {
  RequireDefined(args, 2, "D3900", "partition", ctx.position);
  return ViaIntrinsic("States.ArrayPartition", "D3900", "partition", args, ctx.position);
}

Value Range(CallContext& ctx, std::vector<Value>& args) {
  RequireDefined(args, 3, "D3901", "range", ctx.position);
  return ViaIntrinsic("States.ArrayRange", "D3901", "range", args, ctx.position);
}

Value Hash(CallContext& ctx, std::vector<Value>& args) {
  RequireDefined(args, 2, "D3902", "hash", ctx.position);
  return ViaIntrinsic("States.Hash", "D3902", "hash", args, ctx.position);
}

Value Parse(CallContext& ctx, std::vector<Value>& args) {
  if (args.size() != 1 || !args[0].IsString()) {
    Reject("D3905", "$parse takes one string argument", ctx.position);
  }
  auto parsed = json::Parse(args[0].AsString());
  if (!parsed) {
    Reject("D3905", "$parse: the argument is not valid JSON: " + args[0].AsString(), ctx.position);
  }
  return jsonata::FromJson(*parsed);
}

}  // namespace

double SeededRandom(int64_t seed) {
  // java.util.Random: a 48-bit LCG; nextDouble() takes 26 + 27 bits.
  constexpr uint64_t kMultiplier = 0x5DEECE66DULL;
  constexpr uint64_t kMask = (uint64_t{1} << 48) - 1;
  uint64_t state = (static_cast<uint64_t>(seed) ^ kMultiplier) & kMask;
  auto next = [&](int bits) {
    state = (state * kMultiplier + 0xBULL) & kMask;
    return static_cast<int64_t>(state >> (48 - bits));
  };
  int64_t high = next(26);
  int64_t low = next(27);
  return static_cast<double>((high << 27) + low) * 0x1.0p-53;
}

namespace {

jsonata::FunctionTable BuildStepFunctionsFunctions() {
  jsonata::FunctionTable table;
  auto add = [&](const std::string& name, jsonata::NativeFunction fn) {
    table[name] = jsonata::MakeNativeFunction(name, "", std::move(fn));
  };
  add("partition", Partition);
  add("range", Range);
  add("hash", Hash);
  add("parse", Parse);
  add("random", [](CallContext& ctx, std::vector<Value>& args) -> Value {
    if (args.size() > 1) Reject("D3903", "$random takes at most one argument", ctx.position);
    if (args.size() == 1) {
      const Value& seed = args[0];
      if (!seed.IsNumber() || !std::isfinite(seed.AsNumber()) ||
          seed.AsNumber() != std::floor(seed.AsNumber())) {
        Reject("D3903", "The seed of $random must be an integer", ctx.position);
      }
      return Value::Number(SeededRandom(static_cast<int64_t>(seed.AsNumber())));
    }
    base::Rng* rng = ctx.evaluator.rng();
    if (rng == nullptr) Reject("D3903", "$random is not available here", ctx.position);
    return Value::Number(rng->NextDouble());
  });
  add("uuid", [](CallContext& ctx, std::vector<Value>& args) -> Value {
    if (!args.empty()) Reject("D3904", "$uuid takes no arguments", ctx.position);
    base::Rng* rng = ctx.evaluator.rng();
    if (rng == nullptr) Reject("D3904", "$uuid is not available here", ctx.position);
    return Value::String(rng->Uuid());
  });
  return table;
}

}  // namespace

const jsonata::FunctionTable& StepFunctionsFunctions() {
  static const jsonata::FunctionTable* table =
      new jsonata::FunctionTable(BuildStepFunctionsFunctions());
  return *table;
}

}  // namespace flowstate::query
