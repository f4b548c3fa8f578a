#include "query/choice_rule.h"

#include <array>
#include <cctype>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "json/json.h"
#include "query/json_path.h"

namespace flowstate::query {

using json::Json;

namespace {

enum class Family { kString, kStringMatches, kNumeric, kBoolean, kTimestamp, kTypeTest };
enum class Relation { kEq, kLt, kGt, kLe, kGe };
enum class TypeTest { kNull, kPresent, kNumeric, kString, kBoolean, kTimestamp };

// A point in time with the nanosecond precision of RFC 3339 text (Java's Instant), since
// base::Timestamp keeps milliseconds only.
struct Instant {
  int64_t seconds = 0;
  int32_t nanos = 0;
  auto operator<=>(const Instant&) const = default;
};

constexpr int kFractionDigits = 9;
constexpr int64_t kMillisPerSecond = 1000;
constexpr size_t kSecondsEnd = 19;  // "YYYY-MM-DDThh:mm:ss"

std::optional<Instant> ParseInstant(std::string_view text) {
  auto stamp = base::ParseIso8601(text);
  if (!stamp) {
    return std::nullopt;
  }
  const int64_t millis = base::ToUnixMillis(*stamp);
  Instant instant;
  instant.seconds = millis >= 0 ? millis / kMillisPerSecond : -((-millis + 999) / kMillisPerSecond);
  // The fraction digits, if any, follow the seconds; zone offsets are whole minutes, so
  // they never change the sub-second part.
  if (text.size() > kSecondsEnd && text[kSecondsEnd] == '.') {
    int digits = 0;
    for (size_t i = kSecondsEnd + 1;
         i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0; ++i) {
      if (digits < kFractionDigits) {
        instant.nanos = instant.nanos * 10 + (text[i] - '0');
        ++digits;
      }
    }
    for (; digits < kFractionDigits; ++digits) {
      instant.nanos *= 10;
    }
  }
  return instant;
}

struct ComparatorSpec {
  std::string_view name;
  Family family;
  Relation relation;
  bool is_path;
  TypeTest test;
};

constexpr ComparatorSpec Cmp(std::string_view name, Family family, Relation relation,
                             bool is_path) {
  return ComparatorSpec{name, family, relation, is_path, TypeTest::kNull};
}
constexpr ComparatorSpec Test(std::string_view name, TypeTest test) {
  return ComparatorSpec{name, Family::kTypeTest, Relation::kEq, false, test};
}

constexpr std::array<ComparatorSpec, 39> kComparators = {{
    Cmp("StringEquals", Family::kString, Relation::kEq, false),
    Cmp("StringEqualsPath", Family::kString, Relation::kEq, true),
    Cmp("StringLessThan", Family::kString, Relation::kLt, false),
    Cmp("StringLessThanPath", Family::kString, Relation::kLt, true),
    Cmp("StringGreaterThan", Family::kString, Relation::kGt, false),
    Cmp("StringGreaterThanPath", Family::kString, Relation::kGt, true),
    Cmp("StringLessThanEquals", Family::kString, Relation::kLe, false),
    Cmp("StringLessThanEqualsPath", Family::kString, Relation::kLe, true),
    Cmp("StringGreaterThanEquals", Family::kString, Relation::kGe, false),
    Cmp("StringGreaterThanEqualsPath", Family::kString, Relation::kGe, true),
    Cmp("StringMatches", Family::kStringMatches, Relation::kEq, false),
    Cmp("NumericEquals", Family::kNumeric, Relation::kEq, false),
    Cmp("NumericEqualsPath", Family::kNumeric, Relation::kEq, true),
    Cmp("NumericLessThan", Family::kNumeric, Relation::kLt, false),
    Cmp("NumericLessThanPath", Family::kNumeric, Relation::kLt, true),
    Cmp("NumericGreaterThan", Family::kNumeric, Relation::kGt, false),
    Cmp("NumericGreaterThanPath", Family::kNumeric, Relation::kGt, true),
    Cmp("NumericLessThanEquals", Family::kNumeric, Relation::kLe, false),
    Cmp("NumericLessThanEqualsPath", Family::kNumeric, Relation::kLe, true),
    Cmp("NumericGreaterThanEquals", Family::kNumeric, Relation::kGe, false),
    Cmp("NumericGreaterThanEqualsPath", Family::kNumeric, Relation::kGe, true),
    Cmp("BooleanEquals", Family::kBoolean, Relation::kEq, false),
    Cmp("BooleanEqualsPath", Family::kBoolean, Relation::kEq, true),
    Cmp("TimestampEquals", Family::kTimestamp, Relation::kEq, false),
    Cmp("TimestampEqualsPath", Family::kTimestamp, Relation::kEq, true),
    Cmp("TimestampLessThan", Family::kTimestamp, Relation::kLt, false),
    Cmp("TimestampLessThanPath", Family::kTimestamp, Relation::kLt, true),
    Cmp("TimestampGreaterThan", Family::kTimestamp, Relation::kGt, false),
    Cmp("TimestampGreaterThanPath", Family::kTimestamp, Relation::kGt, true),
    Cmp("TimestampLessThanEquals", Family::kTimestamp, Relation::kLe, false),
    Cmp("TimestampLessThanEqualsPath", Family::kTimestamp, Relation::kLe, true),
    Cmp("TimestampGreaterThanEquals", Family::kTimestamp, Relation::kGe, false),
    Cmp("TimestampGreaterThanEqualsPath", Family::kTimestamp, Relation::kGe, true),
    Test("IsNull", TypeTest::kNull),
    Test("IsPresent", TypeTest::kPresent),
    Test("IsNumeric", TypeTest::kNumeric),
    Test("IsString", TypeTest::kString),
    Test("IsBoolean", TypeTest::kBoolean),
    Test("IsTimestamp", TypeTest::kTimestamp),
}};

// Keys a rule may carry besides its condition; they belong to the Choice state.
constexpr std::array<std::string_view, 4> kIgnoredKeys = {"Next", "Comment", "Assign", "Output"};

}  // namespace

struct ChoiceRule::Node {
  enum class Kind { kAnd, kOr, kNot, kCompare } kind = Kind::kCompare;
  std::vector<Node> children;
  std::optional<JsonPath> variable;
  const ComparatorSpec* spec = nullptr;
  Json value;                          // literal operand
  std::optional<JsonPath> value_path;  // `...Path` operand
  std::optional<Instant> stamp;        // literal Timestamp* operand, parsed once
};

namespace {

using Node = ChoiceRule::Node;

tl::unexpected<base::Status> Malformed(std::string message) {
  return base::Err(base::Status::InvalidArgument(std::move(message)));
}

bool Ignored(std::string_view key) {
  for (std::string_view ignored : kIgnoredKeys) {
    if (key == ignored) {
      return true;
    }
  }
  return false;
}

base::Result<JsonPath> CompileReferencePath(const Json& value, std::string_view field) {
  if (!value.is_string()) {
    return Malformed("The value for the field '" + std::string(field) + "' must be a STRING");
  }
  auto path = JsonPath::Parse(value.get_ref<const std::string&>());
  if (!path || !path->IsReferencePath()) {
    return Malformed("The value for the field '" + std::string(field) +
                     "' must be a valid Reference Path: '" + value.get<std::string>() + "'");
  }
  return std::move(*path);
}

base::Result<Node> CompileNode(const Json& rule);

base::Result<Node> CompileCombination(const Json& rule, std::string_view key, const Json& operand) {
  Node node;
  if (key == "Not") {
    node.kind = Node::Kind::kNot;
    if (!operand.is_object()) {
      return Malformed("The value for the field 'Not' must be an OBJECT");
    }
    auto child = CompileNode(operand);
    if (!child) {
      return base::Err(child.error());
    }
    node.children.push_back(std::move(*child));
  } else {
    node.kind = key == "And" ? Node::Kind::kAnd : Node::Kind::kOr;
    if (!operand.is_array() || operand.empty()) {
      return Malformed("The value for the field '" + std::string(key) +
                       "' must be a non-empty ARRAY of rules");
    }
    for (const Json& item : operand) {
      if (!item.is_object()) {
        return Malformed("Each rule in '" + std::string(key) + "' must be an OBJECT");
      }
      auto child = CompileNode(item);
      if (!child) {
        return base::Err(child.error());
      }
      node.children.push_back(std::move(*child));
    }
  }
  if (rule.contains("Variable")) {
    return Malformed("A rule with '" + std::string(key) + "' cannot have a 'Variable'");
  }
  return node;
}

base::Status CheckOperandType(const ComparatorSpec& spec, const Json& value, Node& node) {
  const std::string name(spec.name);
  switch (spec.family) {
    case Family::kString:
    case Family::kStringMatches:
      if (!value.is_string()) {
        return base::Status::InvalidArgument("The value for the field '" + name +
                                             "' must be a STRING");
      }
      break;
    case Family::kNumeric:
      if (!value.is_number()) {
        return base::Status::InvalidArgument("The value for the field '" + name +
                                             "' must be a NUMBER");
      }
      break;
    case Family::kBoolean:
    case Family::kTypeTest:
      if (!value.is_boolean()) {
        return base::Status::InvalidArgument("The value for the field '" + name +
                                             "' must be a BOOLEAN");
      }
      break;
    case Family::kTimestamp:
      node.stamp =
          value.is_string() ? ParseInstant(value.get_ref<const std::string&>()) : std::nullopt;
      if (!node.stamp) {
        return base::Status::InvalidArgument("The value for the field '" + name +
                                             "' must be a valid ISO-8601 timestamp");
      }
      break;
  }
  return base::Status::Ok();
}

base::Result<Node> CompileComparison(const Json& rule) {
  Node node;
  std::string comparator_key;
  for (const auto& [key, value] : rule.items()) {
    if (key == "Variable" || Ignored(key)) {
      continue;
    }
    const ComparatorSpec* found = nullptr;
    for (const ComparatorSpec& spec : kComparators) {
      if (spec.name == key) {
        found = &spec;
      }
    }
    if (found == nullptr) {
      return Malformed("Unsupported field in a Choice rule: '" + key + "'");
    }
    if (node.spec != nullptr) {
      return Malformed("A Choice rule must have exactly one comparison operator, found '" +
                       comparator_key + "' and '" + key + "'");
    }
    node.spec = found;
    comparator_key = key;
    if (found->is_path) {
      auto path = CompileReferencePath(value, key);
      if (!path) {
        return base::Err(path.error());
      }
      node.value_path = std::move(*path);
    } else {
      base::Status status = CheckOperandType(*found, value, node);
      if (!status.ok()) {
        return base::Err(status);
      }
      node.value = value;
    }
  }
  if (node.spec == nullptr) {
    return Malformed("A Choice rule must have a comparison operator, 'And', 'Or' or 'Not'");
  }
  auto variable_it = rule.find("Variable");
  if (variable_it == rule.end()) {
    return Malformed("A Choice rule with '" + comparator_key + "' must have a 'Variable'");
  }
  auto variable = CompileReferencePath(*variable_it, "Variable");
  if (!variable) {
    return base::Err(variable.error());
  }
  node.variable = std::move(*variable);
  return node;
}

base::Result<Node> CompileNode(const Json& rule) {
  if (!rule.is_object()) {
    return Malformed("A Choice rule must be an OBJECT");
  }
  for (std::string_view key : {"And", "Or", "Not"}) {
    auto it = rule.find(key);
    if (it != rule.end()) {
      for (std::string_view other : {"And", "Or", "Not"}) {
        if (other != key && rule.contains(other)) {
          return Malformed("A Choice rule cannot combine '" + std::string(key) + "' and '" +
                           std::string(other) + "'");
        }
      }
      for (const auto& [field, unused] : rule.items()) {
        if (field != key && !Ignored(field) && field != "Variable") {
          return Malformed("Unsupported field in a Choice rule with '" + std::string(key) + "': '" +
                           field + "'");
        }
      }
      return CompileCombination(rule, key, *it);
    }
  }
  return CompileComparison(rule);
}

tl::unexpected<base::AslError> InvalidPath(const JsonPath& path) {
  return tl::unexpected(base::AslError{
      "States.Runtime", "Invalid path '" + path.text() +
                            "': The choice state's condition path references an invalid value."});
}

template <typename T>
bool Relate(Relation relation, const T& left, const T& right) {
  switch (relation) {
    case Relation::kEq:
      return left == right;
    case Relation::kLt:
      return left < right;
    case Relation::kGt:
      return left > right;
    case Relation::kLe:
      return left <= right;
    case Relation::kGe:
      return left >= right;
  }
  return false;
}

std::optional<Instant> TimestampOf(const Json& value) {
  if (!value.is_string()) {
    return std::nullopt;
  }
  return ParseInstant(value.get_ref<const std::string&>());
}

bool TypeMatches(TypeTest test, const Json& value) {
  switch (test) {
    case TypeTest::kNull:
      return value.is_null();
    case TypeTest::kPresent:
      return true;
    case TypeTest::kNumeric:
      return value.is_number();
    case TypeTest::kString:
      return value.is_string();
    case TypeTest::kBoolean:
      return value.is_boolean();
    case TypeTest::kTimestamp:
      return TimestampOf(value).has_value();
  }
  return false;
}

bool CompareValues(const Node& node, const Json& left, const Json& right) {
  const ComparatorSpec& spec = *node.spec;
  switch (spec.family) {
    case Family::kString:
      return left.is_string() && right.is_string() &&
             Relate(spec.relation, left.get_ref<const std::string&>(),
                    right.get_ref<const std::string&>());
    case Family::kStringMatches:
      return left.is_string() && right.is_string() &&
             MatchesWildcard(left.get_ref<const std::string&>(),
                             right.get_ref<const std::string&>());
    case Family::kNumeric:
      if (!left.is_number() || !right.is_number()) {
        return false;
      }
      if (left.is_number_integer() && right.is_number_integer()) {
        return Relate(spec.relation, left.get<int64_t>(), right.get<int64_t>());
      }
      return Relate(spec.relation, left.get<double>(), right.get<double>());
    case Family::kBoolean:
      return left.is_boolean() && right.is_boolean() && left.get<bool>() == right.get<bool>();
    case Family::kTimestamp: {
      auto left_stamp = TimestampOf(left);
      auto right_stamp = node.stamp && !node.value_path ? node.stamp : TimestampOf(right);
      return left_stamp && right_stamp && Relate(spec.relation, *left_stamp, *right_stamp);
    }
    case Family::kTypeTest:
      return TypeMatches(spec.test, left) == right.get<bool>();
  }
  return false;
}

tl::expected<bool, base::AslError> EvaluateNode(const Node& node, const EvalContext& ctx) {
  switch (node.kind) {
    case Node::Kind::kNot: {
      auto inner = EvaluateNode(node.children[0], ctx);
      if (!inner) {
        return inner;
      }
      return !*inner;
    }
    case Node::Kind::kAnd:
    case Node::Kind::kOr: {
      const bool is_and = node.kind == Node::Kind::kAnd;
      for (const Node& child : node.children) {
        auto result = EvaluateNode(child, ctx);
        if (!result) {
          return result;
        }
        if (*result != is_and) {
          return !is_and;
        }
      }
      return is_and;
    }
    case Node::Kind::kCompare:
      break;
  }
  const Json* variable = node.variable->Find(ctx);
  if (node.spec->family == Family::kTypeTest && node.spec->test == TypeTest::kPresent) {
    return (variable != nullptr) == node.value.get<bool>();
  }
  if (variable == nullptr) {
    return InvalidPath(*node.variable);
  }
  const Json* operand = &node.value;
  if (node.value_path) {
    operand = node.value_path->Find(ctx);
    if (operand == nullptr) {
      return InvalidPath(*node.value_path);
    }
  }
  return CompareValues(node, *variable, *operand);
}

}  // namespace

base::Result<ChoiceRule> ChoiceRule::Compile(const json::Json& rule) {
  auto root = CompileNode(rule);
  if (!root) {
    return base::Err(root.error());
  }
  return ChoiceRule(std::make_shared<const Node>(std::move(*root)));
}

tl::expected<bool, base::AslError> ChoiceRule::Evaluate(const EvalContext& ctx) const {
  return EvaluateNode(*root_, ctx);
}

bool MatchesWildcard(std::string_view text, std::string_view pattern) {
  // Greedy matching with backtracking to the last star: linear in practice.
  size_t t = 0;
  size_t p = 0;
  size_t star_p = std::string_view::npos;
  size_t star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star_p = ++p;
      star_t = t;
      continue;
    }
    if (p < pattern.size()) {
      char expected = pattern[p];
      size_t width = 1;
      if (expected == '\\' && p + 1 < pattern.size()) {
        expected = pattern[p + 1];
        width = 2;
      }
      if (expected == text[t]) {
        p += width;
        ++t;
        continue;
      }
    }
    if (star_p == std::string_view::npos) {
      return false;
    }
    p = star_p;
    t = ++star_t;
  }
  while (p < pattern.size() && pattern[p] == '*') {
    ++p;
  }
  return p == pattern.size();
}

}  // namespace flowstate::query
