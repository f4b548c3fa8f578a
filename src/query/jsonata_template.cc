#include "query/jsonata_template.h"

#include <cctype>
#include <optional>
#include <utility>

#include "json/json.h"
#include "query/jsonata/direct_plan.h"
#include "query/jsonata/expression.h"

namespace flowstate::query {

struct JsonataTemplate::Node {
  enum class Kind { kLiteral, kExpression, kObject, kArray };
  Kind kind = Kind::kLiteral;
  json::Json literal;                             // kLiteral
  std::optional<jsonata::Expression> expression;  // kExpression
  // kExpression: the expression run on documents directly, when it is of that kind.
  std::shared_ptr<const jsonata::DirectPlan> direct;
  std::string text;                    // kExpression: the trimmed source
  std::vector<std::string> variables;  // kExpression: the `$names` it mentions but `$states`
  bool reads_states = false;           // kExpression: it mentions `$states`
  std::vector<std::pair<std::string, Node>> members;  // kObject
  std::vector<Node> items;                            // kArray
  bool constant = true;
};

namespace {

using Node = JsonataTemplate::Node;
using Outcome = tl::expected<json::Json, base::AslError>;

constexpr std::string_view kQueryError = "States.QueryEvaluationError";

std::string Trim(std::string_view text) {
  size_t begin = 0;
  size_t end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return std::string(text.substr(begin, end - begin));
}

std::string Prefix(std::string_view text, std::string_view field) {
  return "The JSONata expression '" + std::string(text) + "' specified for the field '" +
         std::string(field) + "' ";
}

// Whether `text` may read `$states.context`: true unless every `$states` in it is followed by
// `.input`, `.result` or `.errorOutput` (building the context object is the costly part).
bool MayReadContext(std::string_view text) {
  static constexpr std::string_view kStates = "$states";
  static constexpr std::string_view kCheap[] = {".input", ".result", ".errorOutput"};
  for (size_t pos = text.find(kStates); pos != std::string_view::npos;
       pos = text.find(kStates, pos + 1)) {
    std::string_view rest = text.substr(pos + kStates.size());
    bool cheap = false;
    for (std::string_view member : kCheap) {
      if (rest.substr(0, member.size()) == member) {
        char after = rest.size() > member.size() ? rest[member.size()] : ' ';
        cheap = !(std::isalnum(static_cast<unsigned char>(after)) || after == '_');
        if (cheap) break;
      }
    }
    if (!cheap) return true;
  }
  return false;
}

// Where a value sits in its field ("Output/a/b[1]"), rendered only when an error names it so
// the happy path builds no strings.
struct FieldPath {
  const FieldPath* parent = nullptr;
  std::string_view prefix;  // root only: e.g. "Choices[0]/"
  std::string_view key;     // root: the field name; a member: its key
  int64_t index = -1;       // an array item: its index

  std::string Render() const {
    if (parent == nullptr) return std::string(prefix) + std::string(key);
    std::string out = parent->Render();
    if (index >= 0) return out + "[" + std::to_string(index) + "]";
    return out + "/" + std::string(key);
  }
};

struct Flags {
  bool reads_states = false;
  bool may_read_context = false;
};

base::Result<Node> CompileNode(const json::Json& value, Flags& flags) {
  Node node;
  if (value.is_string() && IsJsonataString(value.get_ref<const std::string&>())) {
    const std::string& source = value.get_ref<const std::string&>();
    node.kind = Node::Kind::kExpression;
    node.text = Trim(std::string_view(source).substr(2, source.size() - 4));
    auto compiled = jsonata::Expression::Compile(node.text);
    if (!compiled) {
      return base::Err(base::Status::InvalidArgument("The JSONata expression '" + node.text +
                                                     "' is not valid: " + compiled.error().code +
                                                     ": " + compiled.error().message));
    }
    for (std::string& name : compiled->VariableNames()) {
      if (name == "states") {
        node.reads_states = true;
        flags.reads_states = true;
        flags.may_read_context |= MayReadContext(node.text);
      } else {
        node.variables.push_back(std::move(name));
      }
    }
    node.direct = jsonata::DirectPlan::Compile(*compiled->root());
    node.expression.emplace(std::move(*compiled));
    node.constant = false;
    return node;
  }
  if (value.is_object()) {
    node.kind = Node::Kind::kObject;
    for (auto it = value.begin(); it != value.end(); ++it) {
      auto member = CompileNode(it.value(), flags);
      if (!member) return base::Err(member.error());
      node.constant &= member->constant;
      node.members.emplace_back(it.key(), std::move(*member));
    }
    if (node.constant) {
      node.kind = Node::Kind::kLiteral;
      node.members.clear();
      node.literal = value;
    }
    return node;
  }
  if (value.is_array()) {
    node.kind = Node::Kind::kArray;
    for (const json::Json& item : value) {
      auto compiled = CompileNode(item, flags);
      if (!compiled) return base::Err(compiled.error());
      node.constant &= compiled->constant;
      node.items.push_back(std::move(*compiled));
    }
    if (node.constant) {
      node.kind = Node::Kind::kLiteral;
      node.items.clear();
      node.literal = value;
    }
    return node;
  }
  node.literal = value;
  return node;
}

Outcome NothingError(const Node& node, const FieldPath& path) {
  const std::string field = path.Render();
  return tl::unexpected(base::AslError{
      std::string(kQueryError), Prefix(node.text, field) + "returned nothing (undefined).", field});
}

// The direct plan's answer, or none when it declines (the evaluator then decides).
std::optional<Outcome> EvaluateDirect(const Node& node, const JsonataScope& scope,
                                      const FieldPath& path, bool whole_value) {
  jsonata::DirectPlan::Scope direct;
  if (scope.states != nullptr) {
    direct.input = scope.states->input;
    direct.result = scope.states->result;
    direct.error_output = scope.states->error_output;
    // Only the one expression of the whole value can be the input's last reader.
    if (whole_value) {
      direct.consumable_input = scope.states->consumable_input;
      direct.take_budget = scope.states->take_budget;
    }
  }
  direct.variables = scope.variables;
  direct.functions = scope.functions;
  Outcome out{tl::in_place};
  switch (node.direct->Evaluate(direct, *out)) {
    case jsonata::DirectPlan::Outcome::kValue:
      return out;
    case jsonata::DirectPlan::Outcome::kUndefined:
      return NothingError(node, path);
    case jsonata::DirectPlan::Outcome::kDecline:
      break;
  }
  return std::nullopt;
}

Outcome EvaluateExpression(const Node& node, const JsonataScope& scope, const FieldPath& path,
                           jsonata::Value* value_out, bool whole_value) {
  if (node.direct != nullptr) {
    if (std::optional<Outcome> out = EvaluateDirect(node, scope, path, whole_value)) {
      return std::move(*out);
    }
  }
  jsonata::EvalOptions options;
  options.functions = scope.functions;
  options.rng = scope.rng;
  if (node.reads_states && scope.states != nullptr) {
    options.bindings.emplace_back("states", scope.states->AsValue());
  }
  if (scope.variables != nullptr && scope.variables->is_object()) {
    for (const std::string& name : node.variables) {
      auto it = scope.variables->find(name);
      if (it != scope.variables->end()) {
        options.bindings.emplace_back(name, jsonata::FromJson(*it));
      }
    }
  }
  auto result = node.expression->Evaluate(jsonata::Value(), options);
  if (!result) {
    const jsonata::Error& error = result.error();
    const std::string field = path.Render();
    return tl::unexpected(base::AslError{std::string(kQueryError),
                                         Prefix(node.text, field) +
                                             "threw an error during evaluation. " + error.code +
                                             ": " + error.message,
                                         field});
  }
  if (result->IsUndefined()) return NothingError(node, path);
  Outcome out{tl::in_place};
  jsonata::ToJson(*result, *out);
  if (value_out != nullptr) *value_out = std::move(*result);
  return out;
}

Outcome EvaluateNode(const Node& node, const JsonataScope& scope, const FieldPath& path) {
  switch (node.kind) {
    case Node::Kind::kLiteral:
      return node.literal;
    case Node::Kind::kExpression:
      return EvaluateExpression(node, scope, path, nullptr, /*whole_value=*/false);
    case Node::Kind::kObject: {
      json::Json out = json::Json::object();
      for (const auto& [key, member] : node.members) {
        FieldPath member_path{&path, {}, key, -1};
        auto value = EvaluateNode(member, scope, member_path);
        if (!value) return value;
        out[key] = std::move(*value);
      }
      return out;
    }
    case Node::Kind::kArray: {
      json::Json out = json::Json::array();
      for (size_t idx = 0; idx < node.items.size(); ++idx) {
        FieldPath item_path{&path, {}, {}, static_cast<int64_t>(idx)};
        auto value = EvaluateNode(node.items[idx], scope, item_path);
        if (!value) return value;
        out.push_back(std::move(*value));
      }
      return out;
    }
  }
  return json::Json();
}

void CollectExpressions(const Node& node, std::vector<const jsonata::Expression*>& out) {
  if (node.kind == Node::Kind::kExpression) out.push_back(&*node.expression);
  for (const auto& [key, member] : node.members) CollectExpressions(member, out);
  for (const auto& item : node.items) CollectExpressions(item, out);
}

}  // namespace

bool IsJsonataString(std::string_view text) {
  return text.size() >= 4 && text.substr(0, 2) == "{%" && text.substr(text.size() - 2) == "%}";
}

base::Result<JsonataTemplate> JsonataTemplate::Compile(const json::Json& value) {
  Flags flags;
  auto root = CompileNode(value, flags);
  if (!root) return base::Err(root.error());
  JsonataTemplate compiled;
  compiled.root_ = std::make_shared<const Node>(std::move(*root));
  compiled.reads_states_ = flags.reads_states;
  compiled.may_read_context_ = flags.may_read_context;
  return compiled;
}

tl::expected<json::Json, base::AslError> JsonataTemplate::Evaluate(
    const JsonataScope& scope, std::string_view field, std::string_view prefix,
    jsonata::Value* value_out) const {
  const FieldPath path{nullptr, prefix, field, -1};
  if (root_->kind == Node::Kind::kExpression) {
    return EvaluateExpression(*root_, scope, path, value_out, /*whole_value=*/true);
  }
  return EvaluateNode(*root_, scope, path);
}

bool JsonataTemplate::IsConstant() const { return root_->constant; }

const std::string& JsonataTemplate::single_text() const {
  static const std::string kEmpty;
  return root_->kind == Node::Kind::kExpression ? root_->text : kEmpty;
}

std::vector<const jsonata::Expression*> JsonataTemplate::expressions() const {
  std::vector<const jsonata::Expression*> out;
  CollectExpressions(*root_, out);
  return out;
}

std::string_view JsonTypeName(const json::Json& value) {
  if (value.is_array()) return "array";
  if (value.is_object()) return "object";
  if (value.is_string()) return "string";
  if (value.is_number()) return "number";
  if (value.is_boolean()) return "boolean";
  return "null";
}

base::AslError JsonataTypeError(std::string_view expression, std::string_view field,
                                std::string_view expected, const json::Json& value) {
  return {std::string(kQueryError),
          Prefix(expression, field) + "returned an unexpected result type. Expected '" +
              std::string(expected) + "', but was '" + std::string(JsonTypeName(value)) +
              "' for value: " + json::Dump(value),
          std::string(field)};
}

}  // namespace flowstate::query
