#include "query/jsonata/signature.h"

#include <array>

#include "query/jsonata/error.h"

namespace flowstate::query::jsonata {

namespace {

std::string AllowedFor(char kind) {
  switch (kind) {
    case 'a':
    case 'x':
      return "asnblfom";
    case 'j':
      return "asnblom";
    case 'u':
      return "snblm";
    default:
      return std::string(1, kind) + "m";
  }
}

// The Type bits of a string of type symbols.
uint32_t MaskOf(std::string_view symbols) {
  static constexpr std::string_view kByType = "mlbnsaof";  // in Type's order
  uint32_t mask = 0;
  for (char c : symbols) {
    size_t at = kByType.find(c);
    if (at != std::string_view::npos) mask |= 1u << at;
  }
  return mask;
}

[[noreturn]] void FailArg(const std::string& code, int64_t position, const std::string& fn,
                          size_t index, const Value* value, const std::string& type = "") {
  Error e = MakeError(code, position, fn);
  auto replace = [&](const std::string& from, const std::string& to) {
    size_t at = e.message.find(from);
    if (at != std::string::npos) e.message.replace(at, from.size(), to);
  };
  replace("{{index}}", std::to_string(index));
  replace("{{type}}", type);
  e.token = fn;
  e.position = position;
  if (value != nullptr) e.value = *value;
  e.function_name = fn;
  throw Failure(std::move(e));
}

std::string TypeName(char c) {
  switch (c) {
    case 'a':
      return "arrays";
    case 'b':
      return "booleans";
    case 'f':
      return "functions";
    case 'l':
      return "nulls";
    case 'n':
      return "numbers";
    case 'o':
      return "objects";
    case 's':
      return "strings";
    default:
      return std::string(1, c);
  }
}

}  // namespace

char TypeSymbol(const Value& v) {
  switch (v.type()) {
    case Type::kUndefined:
      return 'm';
    case Type::kNull:
      return 'l';
    case Type::kBool:
      return 'b';
    case Type::kNumber:
      return 'n';
    case Type::kString:
      return 's';
    case Type::kArray:
      return 'a';
    case Type::kObject:
      return 'o';
    case Type::kFunction:
      return 'f';
  }
  return 'm';
}

std::shared_ptr<const Signature> Signature::Parse(std::string_view text, int64_t position) {
  auto sig = std::make_shared<Signature>();
  sig->text_ = std::string(text);
  size_t i = 1;  // skip '<'
  while (i < text.size()) {
    char c = text[i];
    if (c == ':' || c == '>') break;
    if (c == '?' || c == '+' || c == '-') {
      if (!sig->params_.empty()) {
        auto& p = sig->params_.back();
        if (c == '?') p.optional = true;
        if (c == '+') p.repeat = true;
        if (c == '-') {
          p.context = true;
          p.optional = true;
        }
      }
      i++;
      continue;
    }
    if (c == '(') {
      size_t end = text.find(')', i);
      if (end == std::string_view::npos) Fail("S0402", position);
      SigParam p;
      p.kind = '(';
      for (size_t k = i + 1; k < end; ++k) {
        if (text[k] == '<') Fail("S0402", position);
        p.allowed += AllowedFor(text[k]);
      }
      sig->params_.push_back(p);
      i = end + 1;
      continue;
    }
    if (c == '<') {
      if (sig->params_.empty() ||
          (sig->params_.back().kind != 'a' && sig->params_.back().kind != 'f')) {
        Fail("S0401", position);
      }
      int depth = 1;
      size_t k = i + 1;
      while (k < text.size() && depth > 0) {
        if (text[k] == '<') depth++;
        if (text[k] == '>') depth--;
        k++;
      }
      if (sig->params_.back().kind == 'a') {
        SigParam& p = sig->params_.back();
        p.array_of = std::string(text.substr(i + 1, k - i - 2));
        if (!p.array_of.empty() && p.array_of != "x") {
          std::string allowed;
          if (p.array_of[0] == '(') {
            for (char t : p.array_of) {
              if (t != '(' && t != ')') allowed += AllowedFor(t);
            }
          } else {
            allowed = AllowedFor(p.array_of[0]);
          }
          p.element_mask = MaskOf(allowed);
        }
      }
      i = k;
      continue;
    }
    SigParam p;
    p.kind = c;
    p.allowed = AllowedFor(c);
    sig->params_.push_back(p);
    i++;
  }
  for (SigParam& p : sig->params_) {
    p.allowed_mask = MaskOf(p.allowed);
    sig->repeats_ |= p.repeat;
  }
  return sig;
}

bool Signature::Match(std::string_view symbols, size_t param, size_t arg, int* counts) const {
  if (param == params_.size()) return arg == symbols.size();
  const SigParam& p = params_[param];
  size_t max_take = 0;
  while (arg + max_take < symbols.size() &&
         p.allowed.find(symbols[arg + max_take]) != std::string::npos) {
    max_take++;
    if (!p.repeat) break;
  }
  size_t min_take = p.optional ? 0 : 1;
  for (size_t take = max_take + 1; take-- > min_take;) {
    counts[param] = static_cast<int>(take);
    if (Match(symbols, param + 1, arg + take, counts)) return true;
  }
  return false;
}

void Signature::Validate(std::vector<Value>& args, const Value& context, bool has_context,
                         const std::string& function_name, int64_t position) const {
  // The usual call gives each parameter one argument of an accepted type: without repeats
  // that is the only way to match, so the arguments are only adjusted where they are.
  if (!repeats_ && args.size() == params_.size()) {
    bool accepted = true;
    for (size_t i = 0; i < args.size() && accepted; ++i) {
      accepted = (params_[i].allowed_mask & TypeBit(args[i])) != 0;
    }
    if (accepted) {
      for (size_t i = 0; i < args.size(); ++i) {
        AdjustArg(params_[i], args[i], i, function_name, position);
      }
      return;
    }
  }
  // One letter per argument (a short string stays inline) and a count per parameter: on the
  // stack for the usual handful of parameters.
  std::string symbols;
  symbols.reserve(args.size());
  for (const auto& a : args) symbols.push_back(TypeSymbol(a));
  constexpr size_t kInlineParams = 8;
  std::array<int, kInlineParams> inline_counts{};
  std::vector<int> heap_counts;
  int* counts = inline_counts.data();
  if (params_.size() > kInlineParams) {
    heap_counts.assign(params_.size(), 0);
    counts = heap_counts.data();
  }
  if (!Match(symbols, 0, 0, counts)) {
    // Report the first argument that cannot be matched by a greedy walk.
    size_t arg = 0;
    for (const auto& p : params_) {
      size_t taken = 0;
      while (arg < symbols.size() && p.allowed.find(symbols[arg]) != std::string::npos) {
        arg++;
        taken++;
        if (!p.repeat) break;
      }
      if (taken == 0 && !p.optional) break;
    }
    const Value* bad = arg < args.size() ? &args[arg] : nullptr;
    FailArg("T0410", position, function_name, arg + 1, bad);
  }
  // Laid out anew: context substitution, repeats, omitted optionals.
  std::vector<Value> out;
  out.reserve(args.size() + 1);
  size_t arg = 0;
  for (size_t pi = 0; pi < params_.size(); ++pi) {
    const SigParam& p = params_[pi];
    if (counts[pi] == 0) {
      if (p.context && has_context) {
        if (p.allowed.find(TypeSymbol(context)) == std::string::npos) {
          FailArg("T0411", position, function_name, arg + 1, &context);
        }
        out.push_back(context);
      } else if (p.context) {
        out.push_back(Value());
      }
      continue;
    }
    for (int k = 0; k < counts[pi]; ++k, ++arg) {
      out.push_back(std::move(args[arg]));
      AdjustArg(p, out.back(), arg, function_name, position);
    }
  }
  args = std::move(out);
}

void Signature::AdjustArg(const SigParam& p, Value& v, size_t arg, const std::string& function_name,
                          int64_t position) const {
  const bool wrap = p.kind == 'a' && !v.IsArray() && v.IsDefined();
  if (p.element_mask != 0) {
    auto check = [&](const Value& e) {
      if ((p.element_mask & TypeBit(e)) == 0) {
        FailArg("T0412", position, function_name, arg + 1, &v, TypeName(p.array_of[0]));
      }
    };
    if (wrap) {
      check(v);
    } else if (v.IsArray()) {
      for (const auto& e : v.AsArray().items) check(e);
    }
  }
  if (wrap) v = MakeArray({v});
}

}  // namespace flowstate::query::jsonata
