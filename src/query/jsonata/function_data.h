// Function values: built-in (native) functions, lambdas closing over their scope, partial
// applications, regex matchers, and the tail-call thunks the evaluator trampolines.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "query/jsonata/signature.h"
#include "query/jsonata/value.h"

namespace flowstate::query::jsonata {

struct Node;
class Frame;
class Evaluator;
class Regex;

// What a native function sees of its call.
struct CallContext {
  Evaluator& evaluator;
  const Value& input;  // the context value at the call site
  Frame* env;
  int64_t position;
};

using NativeFunction = std::function<Value(CallContext&, std::vector<Value>& args)>;

enum class FunctionKind { kNative, kLambda, kPartial, kRegex, kThunk };

struct FunctionData : HeapData {
  FunctionKind kind = FunctionKind::kNative;
  std::string name;  // native name (without $), for messages
  NativeFunction native;
  std::shared_ptr<const Signature> signature;
  // Lambda.
  const Node* lambda = nullptr;
  Frame* closure = nullptr;
  Value closure_input;
  // Partial application: target with bound arguments; placeholders are `holes`.
  Value target;
  std::vector<Value> bound;
  std::vector<bool> holes;
  // Regex.
  std::shared_ptr<const Regex> regex;
  // Thunk (tail call): target applied to bound.
  int64_t position = 0;

  // Number of parameters, as $length-style introspection and $reduce need.
  size_t Arity() const;
};

// Creates a native function value; `signature` like "<s-n?:s>" (may be empty).
Value MakeNativeFunction(std::string name, std::string_view signature, NativeFunction fn);

}  // namespace flowstate::query::jsonata
