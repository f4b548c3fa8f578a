#include "query/jsonata/functions.h"

#include "query/jsonata/ast.h"

namespace flowstate::query::jsonata {

size_t FunctionData::Arity() const {
  switch (kind) {
    case FunctionKind::kLambda:
      return lambda->params.size();
    case FunctionKind::kPartial: {
      size_t n = 0;
      for (bool h : holes) n += h ? 1 : 0;
      return n;
    }
    case FunctionKind::kNative:
      return signature ? signature->required_count() : 1;
    default:
      return 1;
  }
}

Value MakeNativeFunction(std::string name, std::string_view signature, NativeFunction fn) {
  auto fd = std::make_shared<FunctionData>();
  fd->kind = FunctionKind::kNative;
  fd->name = std::move(name);
  fd->native = std::move(fn);
  if (!signature.empty()) fd->signature = Signature::Parse(signature, 0);
  return Value::FromFunction(std::move(fd));
}

void Register(FunctionTable& table, const std::string& name, std::string_view signature,
              NativeFunction fn) {
  table[name] = MakeNativeFunction(name, signature, std::move(fn));
}

const FunctionTable& BuiltinFunctions() {
  static const FunctionTable* table = [] {
    auto* t = new FunctionTable();
    RegisterStringFunctions(*t);
    RegisterRegexFunctions(*t);
    RegisterNumericFunctions(*t);
    RegisterFormatFunctions(*t);
    RegisterArrayFunctions(*t);
    RegisterObjectFunctions(*t);
    RegisterHigherOrderFunctions(*t);
    RegisterDateTimeFunctions(*t);
    return t;
  }();
  return *table;
}

}  // namespace flowstate::query::jsonata
