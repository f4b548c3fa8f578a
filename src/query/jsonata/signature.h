// Function signatures (`<s-n?:s>`): parsed once, then used to validate and adjust arguments
// (context substitution for `-`, wrapping singletons for array parameters).
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "query/jsonata/value.h"

namespace flowstate::query::jsonata {

struct SigParam {
  std::string allowed;    // type symbols this parameter accepts (m = undefined)
  char kind = 'x';        // declared type letter ('(' for a choice)
  std::string array_of;   // element type for a<...>
  bool optional = false;  // ?
  bool repeat = false;    // +
  bool context = false;   // - : missing argument is taken from the context
};

class Signature {
 public:
  // Throws Failure (S0401/S0402) on a malformed signature.
  static std::shared_ptr<const Signature> Parse(std::string_view text, int64_t position);
  // Checks args against the signature and returns them adjusted. Throws T0410/T0411/T0412.
  std::vector<Value> Validate(const std::vector<Value>& args, const Value& context,
                              bool has_context, const std::string& function_name,
                              int64_t position) const;
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
  std::vector<SigParam> params_;
  std::string text_;
};

// The type letter of a value as signatures use it.
char TypeSymbol(const Value& v);

}  // namespace flowstate::query::jsonata
