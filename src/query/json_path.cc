#include "query/json_path.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <optional>
#include <regex>

#include "base/check.h"
#include "json/json.h"
#include "query/java_text.h"
#include "query/json_equal.h"
#include "query/json_path_ast.h"

namespace flowstate::query {
namespace {

using json::Json;
using jsonpath::AppendCanonical;
using jsonpath::Filter;
using jsonpath::FilterOp;
using jsonpath::Operand;
using jsonpath::Token;
using jsonpath::TokenKind;

bool IsVariableStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_';
}
bool IsVariableChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

}  // namespace

struct JsonPath::Compiled {
  std::string text;
  std::string canonical;
  std::string variable;
  PathRoot root = PathRoot::kInput;
  std::vector<Token> tokens;
  // prefixes[i]: Jayway's rendering of the path through token i (definite paths only).
  std::vector<std::string> prefixes;
  std::vector<PathStep> steps;
  bool definite = true;
  bool reference = true;
};

namespace {

// ---------------------------------------------------------------------------------------
// Evaluation

class Walker {
 public:
  Walker(const Json& root_doc, std::vector<const Json*>& out) : root_doc_(root_doc), out_(out) {}

  void Walk(const std::vector<Token>& tokens, size_t idx, const Json& node) {
    if (idx == tokens.size()) {
      out_.push_back(&node);
      return;
    }
    const Token& token = tokens[idx];
    switch (token.kind) {
      case TokenKind::kProperty:
        if (node.is_object()) {
          for (const auto& name : token.names) {
            auto it = node.find(name);
            if (it != node.end()) {
              Walk(tokens, idx + 1, *it);
            }
          }
        }
        return;
      case TokenKind::kIndex:
        if (node.is_array()) {
          const auto size = static_cast<int64_t>(node.size());
          for (int64_t index : token.indexes) {
            const int64_t effective = index < 0 ? size + index : index;
            if (effective >= 0 && effective < size) {
              Walk(tokens, idx + 1, node[static_cast<size_t>(effective)]);
            }
          }
        }
        return;
      case TokenKind::kWildcard:
        if (node.is_structured()) {
          for (const auto& child : node) {
            Walk(tokens, idx + 1, child);
          }
        }
        return;
      case TokenKind::kSlice:
        WalkSlice(tokens, idx, node);
        return;
      case TokenKind::kScan:
        Scan(tokens, idx + 1, node);
        return;
      case TokenKind::kFilter:
        if (node.is_array()) {
          for (const auto& child : node) {
            if (Accept(*token.filter, child)) {
              Walk(tokens, idx + 1, child);
            }
          }
        } else if (node.is_object() && Accept(*token.filter, node)) {
          Walk(tokens, idx + 1, node);
        }
        return;
    }
  }

 private:
  void Scan(const std::vector<Token>& tokens, size_t next, const Json& node) {
    Walk(tokens, next, node);
    if (node.is_structured()) {
      for (const auto& child : node) {
        if (child.is_structured()) {
          Scan(tokens, next, child);
        }
      }
    }
  }

  void WalkSlice(const std::vector<Token>& tokens, size_t idx, const Json& node) {
    if (!node.is_array()) {
      return;
    }
    const Token& token = tokens[idx];
    const auto size = static_cast<int64_t>(node.size());
    const int64_t step = token.step.value_or(1);
    auto clamp = [size](int64_t value, int64_t low, int64_t high) {
      if (value < 0) {
        value += size;
      }
      return std::clamp(value, low, high);
    };
    if (step > 0) {
      int64_t from = token.from ? clamp(*token.from, 0, size) : 0;
      int64_t to = token.to ? clamp(*token.to, 0, size) : size;
      for (int64_t i = from; i < to; i += step) {
        Walk(tokens, idx + 1, node[static_cast<size_t>(i)]);
      }
    } else {
      int64_t from = token.from ? clamp(*token.from, -1, size - 1) : size - 1;
      int64_t to = token.to ? clamp(*token.to, -1, size - 1) : -1;
      for (int64_t i = from; i > to; i += step) {
        Walk(tokens, idx + 1, node[static_cast<size_t>(i)]);
      }
    }
  }

  // The operand's value for `node`: nullptr when a path selects nothing. Indefinite paths
  // produce an array of their matches in `storage`.
  const Json* Resolve(const Operand& operand, const Json& node, Json& storage) {
    if (operand.kind == Operand::Kind::kLiteral) {
      return operand.literal.get();
    }
    const Json& start = operand.kind == Operand::Kind::kRelative ? node : root_doc_;
    std::vector<const Json*> matches;
    Walker inner(root_doc_, matches);
    inner.Walk(operand.tokens, 0, start);
    const bool definite = std::all_of(operand.tokens.begin(), operand.tokens.end(),
                                      [](const Token& t) { return t.Definite(); });
    if (definite) {
      return matches.empty() ? nullptr : matches[0];
    }
    storage = Json::array();
    for (const Json* match : matches) {
      storage.push_back(*match);
    }
    return &storage;
  }

  static bool Equal(const Json& a, const Json& b) { return JsonEqual(a, b); }

  static std::optional<int> Compare(const Json& a, const Json& b) {
    if (a.is_number() && b.is_number()) {
      const double x = a.get<double>();
      const double y = b.get<double>();
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    if (a.is_string() && b.is_string()) {
      const int c = a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    return std::nullopt;
  }

  static bool Contains(const Json& haystack, const Json& needle) {
    if (!haystack.is_array()) {
      return false;
    }
    return std::any_of(haystack.begin(), haystack.end(),
                       [&needle](const Json& item) { return Equal(item, needle); });
  }

  bool Accept(const Filter& filter, const Json& node) {
    switch (filter.op) {
      case FilterOp::kOr:
        return Accept(*filter.children[0], node) || Accept(*filter.children[1], node);
      case FilterOp::kAnd:
        return Accept(*filter.children[0], node) && Accept(*filter.children[1], node);
      case FilterOp::kNot:
        return !Accept(*filter.children[0], node);
      default:
        break;
    }
    Json left_storage;
    const Json* left = Resolve(filter.left, node, left_storage);
    if (filter.op == FilterOp::kExists) {
      if (filter.left.kind == Operand::Kind::kLiteral) {
        return left->is_boolean() && left->get<bool>();
      }
      return left != nullptr;
    }
    if (filter.op == FilterOp::kRegex) {
      return left != nullptr && left->is_string() && filter.right.regex != nullptr &&
             std::regex_match(left->get_ref<const std::string&>(), *filter.right.regex);
    }
    Json right_storage;
    const Json* right = Resolve(filter.right, node, right_storage);
    if (left == nullptr || right == nullptr) {
      return filter.op == FilterOp::kNe || filter.op == FilterOp::kNin;
    }
    switch (filter.op) {
      case FilterOp::kEq:
        return Equal(*left, *right);
      case FilterOp::kNe:
        return !Equal(*left, *right);
      case FilterOp::kIn:
        return Contains(*right, *left);
      case FilterOp::kNin:
        return !Contains(*right, *left);
      default:
        break;
    }
    const std::optional<int> order = Compare(*left, *right);
    if (!order) {
      return false;
    }
    switch (filter.op) {
      case FilterOp::kLt:
        return *order < 0;
      case FilterOp::kLe:
        return *order <= 0;
      case FilterOp::kGt:
        return *order > 0;
      case FilterOp::kGe:
        return *order >= 0;
      default:
        return false;
    }
  }

  const Json& root_doc_;
  std::vector<const Json*>& out_;
};

const char* JavaClassName(const Json& value) {
  switch (value.type()) {
    case Json::value_t::object:
      return "net.minidev.json.JSONObject";
    case Json::value_t::array:
      return "net.minidev.json.JSONArray";
    case Json::value_t::string:
      return "java.lang.String";
    case Json::value_t::boolean:
      return "java.lang.Boolean";
    case Json::value_t::number_float:
      return "java.lang.Double";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return value.get<int64_t>() >= INT32_MIN && value.get<int64_t>() <= INT32_MAX
                 ? "java.lang.Integer"
                 : "java.lang.Long";
    default:
      return "null";
  }
}

// Walks a definite path the way Jayway does without SUPPRESS_EXCEPTIONS, producing its
// PathNotFoundException message when the path selects nothing.
const Json* FindDefinite(const JsonPath::Compiled& path, const Json& root, std::string* error) {
  const Json* node = &root;
  const size_t count = path.tokens.size();
  for (size_t i = 0; i < count; ++i) {
    const Token& token = path.tokens[i];
    const bool leaf = i + 1 == count;
    const std::string& parent_path = i == 0 ? path.prefixes.front() : path.prefixes[i];
    if (token.kind == TokenKind::kProperty) {
      if (!node->is_object()) {
        if (error != nullptr) {
          std::string fragment;
          AppendCanonical(token, fragment);
          *error = "Expected to find an object with property " + fragment + " in path " +
                   parent_path + " but found '" + JavaClassName(*node) +
                   "'. This is not a json object according to the JsonProvider: "
                   "'com.jayway.jsonpath.spi.json.JsonSmartJsonProvider'.";
        }
        return nullptr;
      }
      auto it = node->find(token.names[0]);
      if (it == node->end()) {
        if (error != nullptr) {
          *error = leaf ? "No results for path: " + path.canonical
                        : "Missing property in path " + path.prefixes[i + 1];
        }
        return nullptr;
      }
      node = &*it;
      continue;
    }
    // Single index.
    if (!node->is_array()) {
      if (error != nullptr) {
        if (node->is_null()) {
          *error = "The path " + parent_path + " is null";
        } else {
          std::string fragment;
          AppendCanonical(token, fragment);
          *error = "Filter: " + fragment +
                   " can only be applied to arrays. Current context is: " + JavaToString(*node);
        }
      }
      return nullptr;
    }
    const auto size = static_cast<int64_t>(node->size());
    const int64_t effective = token.indexes[0] < 0 ? size + token.indexes[0] : token.indexes[0];
    if (effective < 0 || effective >= size) {
      if (error != nullptr) {
        *error = "No results for path: " + path.canonical;
      }
      return nullptr;
    }
    node = &(*node)[static_cast<size_t>(effective)];
  }
  return node;
}

const Json* RootDocument(const JsonPath::Compiled& path, const EvalContext& ctx) {
  switch (path.root) {
    case PathRoot::kInput:
      return ctx.input;
    case PathRoot::kContext:
      return ctx.context;
    case PathRoot::kVariable: {
      if (ctx.variables == nullptr || !ctx.variables->is_object()) {
        return nullptr;
      }
      auto it = ctx.variables->find(path.variable);
      return it == ctx.variables->end() ? nullptr : &*it;
    }
  }
  return nullptr;
}

}  // namespace

json::Json PathMatches::ToJson() const {
  if (definite_) {
    return single_ != nullptr ? *single_ : Json();
  }
  Json out = Json::array();
  out.get_ptr<Json::array_t*>()->reserve(many_.size());
  for (const Json* match : many_) {
    out.push_back(*match);
  }
  return out;
}

base::Result<JsonPath> JsonPath::Parse(std::string_view text) {
  auto fail = [text](const std::string& why) {
    return base::Err(
        base::Status::InvalidArgument("Invalid JSONPath '" + std::string(text) + "': " + why));
  };
  if (text.empty() || text[0] != '$') {
    return fail("a path must start with '$'");
  }
  auto compiled = std::make_shared<Compiled>();
  compiled->text = std::string(text);
  size_t pos = 1;
  if (pos < text.size() && text[pos] == '$') {
    compiled->root = PathRoot::kContext;
    pos = 2;
  } else if (pos < text.size() && IsVariableStart(text[pos])) {
    compiled->root = PathRoot::kVariable;
    while (pos < text.size() && IsVariableChar(text[pos])) {
      ++pos;
    }
    compiled->variable = std::string(text.substr(1, pos - 1));
  }
  std::string error;
  if (!jsonpath::ParseSteps(text, pos, compiled->tokens, error)) {
    return fail(error);
  }
  // Jayway renders every root as "$": AWS evaluates the rest of the path on the document
  // the root names.
  compiled->canonical = "$";
  compiled->prefixes.push_back("$");
  for (const Token& token : compiled->tokens) {
    AppendCanonical(token, compiled->canonical);
    compiled->prefixes.push_back(compiled->canonical);
    if (!token.Definite()) {
      compiled->definite = false;
      compiled->reference = false;
    } else if (token.kind == TokenKind::kProperty) {
      compiled->steps.push_back(PathStep{token.names[0], 0, false});
    } else {
      compiled->steps.push_back(PathStep{"", token.indexes[0], true});
    }
  }
  if (!compiled->definite) {
    compiled->steps.clear();
  }
  return JsonPath(std::move(compiled));
}

const std::string& JsonPath::text() const { return compiled_->text; }
PathRoot JsonPath::root() const { return compiled_->root; }
const std::string& JsonPath::variable_name() const { return compiled_->variable; }
const std::string& JsonPath::canonical() const { return compiled_->canonical; }
const std::vector<PathStep>& JsonPath::steps() const { return compiled_->steps; }
bool JsonPath::IsDefinite() const { return compiled_->definite; }
bool JsonPath::IsReferencePath() const { return compiled_->reference; }

tl::expected<PathMatches, std::string> JsonPath::Evaluate(const EvalContext& ctx) const {
  const Compiled& path = *compiled_;
  PathMatches matches;
  matches.definite_ = path.definite;
  const Json* root = RootDocument(path, ctx);
  if (path.definite) {
    if (root == nullptr) {
      return tl::unexpected("No results for path: " + path.canonical);
    }
    std::string error;
    matches.single_ = FindDefinite(path, *root, &error);
    if (matches.single_ == nullptr) {
      return tl::unexpected(std::move(error));
    }
    return matches;
  }
  if (root != nullptr) {
    Walker walker(*root, matches.many_);
    walker.Walk(path.tokens, 0, *root);
  }
  return matches;
}

const json::Json* JsonPath::Find(const EvalContext& ctx) const {
  FS_DCHECK(IsDefinite());
  const Json* root = RootDocument(*compiled_, ctx);
  return root == nullptr ? nullptr : FindDefinite(*compiled_, *root, nullptr);
}

tl::expected<json::Json, base::AslError> JsonPath::Select(const EvalContext& ctx) const {
  auto matches = Evaluate(ctx);
  if (!matches) {
    return tl::unexpected(base::AslError{
        "States.Runtime", "Invalid path '" + compiled_->text + "' : " + matches.error()});
  }
  return matches->ToJson();
}

bool LooksLikePath(std::string_view text) { return !text.empty() && text[0] == '$'; }

}  // namespace flowstate::query
