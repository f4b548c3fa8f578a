// Function signatures (`<s-n?:s>`): parsed once, then used to validate and adjust arguments
// (context substitution for `-`, wrapping singletons for array parameters).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "query/jsonata/value.h"

namespace flowstate::query::jsonata {

struct SigParam {
  std::string allowed;        // type symbols this parameter accepts (m = undefined)
  uint32_t allowed_mask = 0;  // the same as a bit per Type (TypeBit)
  char kind = 'x';            // declared type letter ('(' for a choice)
  std::string array_of;       // element type for a<...>
  uint32_t element_mask = 0;  // a<...>: the Types its elements may have (0: any)
  bool optional = false;      // ?
  bool repeat = false;        // +
  bool context = false;       // - : missing argument is taken from the context
};

class Signature {
 public:
  // Throws Failure (S0401/S0402) on a malformed signature.
  static std::shared_ptr<const Signature> Parse(std::string_view text, int64_t position);
  // Checks args against the signature and adjusts them in place (context substitution,
  // singletons wrapped for array parameters). Throws T0410/T0411/T0412.
  void Validate(std::vector<Value>& args, const Value& context, bool has_context,
                const std::string& function_name, int64_t position) const;
  size_t param_count() const { return params_.size(); }
  // Parameters that are not optional (`?`): the arity higher-order functions pass.
  size_t required_count() const {
    size_t n = 0;
    for (const auto& p : params_) n += (p.optional && !p.context) ? 0 : 1;
    return n;
  }
  const std::string& text() const { return text_; }

 private:
  bool Match(std::string_view symbols, size_t param, size_t arg, int* counts) const;
  // Wraps a singleton for an array parameter and checks the element types of `v`, argument
  // number `arg` (0-based).
  void AdjustArg(const SigParam& p, Value& v, size_t arg, const std::string& function_name,
                 int64_t position) const;
  std::vector<SigParam> params_;
  bool repeats_ = false;  // some parameter takes `+` (several arguments)
  std::string text_;
};

// The type letter of a value as signatures use it.
char TypeSymbol(const Value& v);
inline uint32_t TypeBit(const Value& v) { return 1u << static_cast<unsigned>(v.type()); }

}  // namespace flowstate::query::jsonata
