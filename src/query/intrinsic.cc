#include "query/intrinsic.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <span>
#include <vector>

#include "json/json.h"
#include "query/intrinsic_functions.h"
#include "query/java_text.h"
#include "query/json_path.h"

namespace flowstate::query {
namespace {

using json::Json;

constexpr int kMaxNesting = 10;

}  // namespace

struct Intrinsic::Node {
  enum class Kind { kLiteral, kPath, kCall } kind = Kind::kLiteral;
  Json literal;
  // For string literals: the text between the quotes with escapes kept, because
  // States.Format must tell `\{` from a placeholder.
  std::string raw;
  bool string_literal = false;
  std::optional<JsonPath> path;
  const IntrinsicSpec* spec = nullptr;
  std::vector<Node> args;
};

namespace {

using Node = Intrinsic::Node;

// ---------------------------------------------------------------------------------------
// Parsing

class CallParser {
 public:
  explicit CallParser(std::string_view text) : text_(text) {}

  base::Result<Node> ParseAll() {
    Node root;
    if (!ParseCall(root, 1)) {
      return Error();
    }
    SkipSpaces();
    if (pos_ != text_.size()) {
      error_ = "unexpected text after the closing ')'";
      return Error();
    }
    return root;
  }

 private:
  tl::unexpected<base::Status> Error() const {
    return base::Err(base::Status::InvalidArgument("Invalid intrinsic function call '" +
                                                   std::string(text_) + "': " + error_));
  }

  bool Fail(std::string message) {
    if (error_.empty()) {
      error_ = std::move(message);
    }
    return false;
  }

  void SkipSpaces() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_])) != 0) {
      ++pos_;
    }
  }

  bool ParseCall(Node& out, int depth) {
    if (depth > kMaxNesting) {
      return Fail("intrinsic functions cannot be nested more than 10 levels deep");
    }
    SkipSpaces();
    const size_t start = pos_;
    while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) != 0 ||
                                   text_[pos_] == '.' || text_[pos_] == '_')) {
      ++pos_;
    }
    const std::string_view name = text_.substr(start, pos_ - start);
    out.spec = FindIntrinsic(name);
    if (out.spec == nullptr) {
      return Fail("unknown function '" + std::string(name) + "'");
    }
    out.kind = Node::Kind::kCall;
    SkipSpaces();
    if (pos_ >= text_.size() || text_[pos_] != '(') {
      return Fail("expected '(' after " + std::string(name));
    }
    ++pos_;
    SkipSpaces();
    if (pos_ < text_.size() && text_[pos_] == ')') {
      ++pos_;
    } else {
      while (true) {
        Node arg;
        if (!ParseArg(arg, depth)) {
          return false;
        }
        out.args.push_back(std::move(arg));
        SkipSpaces();
        if (pos_ < text_.size() && text_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (pos_ < text_.size() && text_[pos_] == ')') {
          ++pos_;
          break;
        }
        return Fail("expected ',' or ')' in the arguments of " + std::string(name));
      }
    }
    if (out.args.size() < out.spec->min_args || out.args.size() > out.spec->max_args) {
      return Fail(std::string(name) + " does not take " + std::to_string(out.args.size()) +
                  " argument(s)");
    }
    return true;
  }

  bool ParseArg(Node& out, int depth) {
    SkipSpaces();
    if (pos_ >= text_.size()) {
      return Fail("unexpected end of the call");
    }
    const char c = text_[pos_];
    if (text_.substr(pos_).starts_with("States.")) {
      return ParseCall(out, depth + 1);
    }
    if (c == '\'') {
      return ParseString(out);
    }
    if (c == '$') {
      return ParsePath(out);
    }
    return ParseScalar(out);
  }

  bool ParseString(Node& out) {
    ++pos_;
    std::string value;
    std::string raw;
    while (pos_ < text_.size() && text_[pos_] != '\'') {
      const char c = text_[pos_];
      if (c == '\\' && pos_ + 1 < text_.size()) {
        const char next = text_[pos_ + 1];
        raw += c;
        raw += next;
        if (next == '\'' || next == '{' || next == '}' || next == '\\') {
          value += next;
        } else {
          value += c;
          value += next;
        }
        pos_ += 2;
        continue;
      }
      raw += c;
      value += c;
      ++pos_;
    }
    if (pos_ >= text_.size()) {
      return Fail("unterminated string literal");
    }
    ++pos_;
    out.kind = Node::Kind::kLiteral;
    out.string_literal = true;
    out.literal = std::move(value);
    out.raw = std::move(raw);
    return true;
  }

  bool ParsePath(Node& out) {
    const size_t start = pos_;
    int depth = 0;
    char quote = 0;
    for (; pos_ < text_.size(); ++pos_) {
      const char c = text_[pos_];
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        }
        continue;
      }
      if (depth > 0 && (c == '\'' || c == '"')) {
        quote = c;
      } else if (c == '[' || (depth > 0 && c == '(')) {
        ++depth;
      } else if ((c == ']' || c == ')') && depth > 0) {
        --depth;
      } else if (depth == 0 &&
                 (c == ',' || c == ')' || std::isspace(static_cast<unsigned char>(c)) != 0)) {
        break;
      }
    }
    auto path = JsonPath::Parse(text_.substr(start, pos_ - start));
    if (!path) {
      return Fail(path.error().message());
    }
    out.kind = Node::Kind::kPath;
    out.path = std::move(*path);
    return true;
  }

  bool ParseScalar(Node& out) {
    const size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != ')' &&
           std::isspace(static_cast<unsigned char>(text_[pos_])) == 0) {
      ++pos_;
    }
    const std::string_view word = text_.substr(start, pos_ - start);
    auto parsed = json::Parse(word);
    if (word.empty() || !parsed || parsed->is_structured() || parsed->is_string()) {
      return Fail("invalid argument '" + std::string(word) + "'");
    }
    out.kind = Node::Kind::kLiteral;
    out.literal = std::move(*parsed);
    return true;
  }

  std::string_view text_;
  size_t pos_ = 0;
  std::string error_;
};

// ---------------------------------------------------------------------------------------
// Evaluation

// An argument's value: a pointer into the input/literal when possible, else owned.
// An argument's value: a pointer into the input/literal when possible, else owned.
struct Value {
  Json owned;
  const Json* ref = nullptr;
  const Json& get() const { return ref != nullptr ? *ref : owned; }
};

tl::expected<Value, base::AslError> EvalNode(const Node& node, const EvalContext& ctx,
                                             std::string_view field_name) {
  Value value;
  switch (node.kind) {
    case Node::Kind::kLiteral:
      value.ref = &node.literal;
      return value;
    case Node::Kind::kPath: {
      auto matches = node.path->Evaluate(ctx);
      if (!matches) {
        static const Json kNull;
        return tl::unexpected(base::AslError{
            "States.Runtime", PathNotFoundCause(node.path->text(), field_name,
                                                ctx.input != nullptr ? *ctx.input : kNull)});
      }
      if (matches->definite()) {
        value.ref = &(*matches)[0];
      } else {
        value.owned = matches->ToJson();
      }
      return value;
    }
    case Node::Kind::kCall:
      break;
  }
  // Calls take few arguments (MathAdd: 2): kept on the stack, no allocation per call.
  constexpr size_t kInlineArgs = 4;
  std::array<Value, kInlineArgs> inline_args;
  std::array<const Json*, kInlineArgs> inline_values{};
  std::vector<Value> heap_args;
  std::vector<const Json*> heap_values;
  const size_t count = node.args.size();
  Value* args = inline_args.data();
  const Json** arg_values = inline_values.data();
  if (count > kInlineArgs) {
    heap_args.resize(count);
    heap_values.resize(count);
    args = heap_args.data();
    arg_values = heap_values.data();
  }
  for (size_t i = 0; i < count; ++i) {
    auto evaluated = EvalNode(node.args[i], ctx, field_name);
    if (!evaluated) {
      return tl::unexpected(std::move(evaluated.error()));
    }
    args[i] = std::move(*evaluated);
    arg_values[i] = &args[i].get();
  }
  const Node& first = node.args.empty() ? node : node.args[0];
  const std::string* format_template =
      node.spec->fn == IntrinsicFn::kFormat && first.string_literal ? &first.raw : nullptr;
  auto result = ApplyIntrinsic(*node.spec, std::span<const Json* const>(arg_values, count),
                               format_template, ctx.rng);
  if (!result) {
    return tl::unexpected(std::move(result.error()));
  }
  value.owned = std::move(*result);
  return value;
}

}  // namespace

bool Intrinsic::LooksLikeIntrinsic(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size() && std::isspace(static_cast<unsigned char>(text[pos])) != 0) {
    ++pos;
  }
  return text.substr(pos).starts_with("States.");
}

base::Result<Intrinsic> Intrinsic::Parse(std::string_view text) {
  CallParser parser(text);
  auto root = parser.ParseAll();
  if (!root) {
    return base::Err(root.error());
  }
  return Intrinsic(std::string(text), std::make_shared<const Node>(std::move(*root)));
}

const std::string& Intrinsic::text() const { return *text_; }

namespace {

void CollectVariables(const Intrinsic::Node& node, std::vector<std::string>& out) {
  if (node.kind == Intrinsic::Node::Kind::kPath && node.path &&
      node.path->root() == PathRoot::kVariable) {
    const std::string& name = node.path->variable_name();
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  }
  for (const auto& arg : node.args) CollectVariables(arg, out);
}

}  // namespace

std::vector<std::string> Intrinsic::VariableNames() const {
  std::vector<std::string> names;
  CollectVariables(*root_, names);
  return names;
}

tl::expected<json::Json, base::AslError> Intrinsic::Evaluate(const EvalContext& ctx,
                                                             std::string_view field_name) const {
  auto value = EvalNode(*root_, ctx, field_name);
  if (!value) {
    return tl::unexpected(std::move(value.error()));
  }
  if (value->ref != nullptr) {
    return *value->ref;
  }
  return std::move(value->owned);
}

std::string PathNotFoundCause(std::string_view path, std::string_view field,
                              const json::Json& input) {
  std::string cause = "The JSONPath '";
  cause += path;
  cause += "' specified for the field '";
  cause += field;
  cause += "' could not be found in the input '";
  cause += JavaJsonText(input);
  cause += '\'';
  return cause;
}

}  // namespace flowstate::query
