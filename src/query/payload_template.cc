#include "query/payload_template.h"

#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include "json/json.h"

namespace flowstate::query {

using json::Json;

struct PayloadTemplate::Node {
  enum class Kind { kConstant, kObject, kArray, kDynamic } kind = Kind::kConstant;
  Json constant;
  // kObject: output key (".$" stripped) and its node.
  std::vector<std::pair<std::string, Node>> fields;
  bool unique_keys = true;  // kObject: no two fields share an output key ("a" and "a.$")
  std::vector<Node> items;
  std::optional<DynamicValue> dynamic;
  std::string field_name;  // kDynamic: the key as written, with ".$"
};

namespace {

using Node = PayloadTemplate::Node;

constexpr std::string_view kDynamicSuffix = ".$";

base::Result<Node> CompileNode(const Json& value);

base::Result<Node> CompileObject(const Json& object) {
  Node node;
  node.kind = Node::Kind::kObject;
  bool constant = true;
  for (const auto& [key, item] : object.items()) {
    if (key.size() > kDynamicSuffix.size() && key.ends_with(kDynamicSuffix)) {
      if (!item.is_string()) {
        return base::Err(base::Status::InvalidArgument(
            "The value for the field '" + key +
            "' must be a STRING that contains a JSONPath or an intrinsic function call"));
      }
      auto dynamic = DynamicValue::Compile(item.get_ref<const std::string&>());
      if (!dynamic) {
        return base::Err(base::Status::InvalidArgument(
            "The value for the field '" + key +
            "' must be a valid JSONPath or a valid intrinsic function call: " +
            dynamic.error().message()));
      }
      Node child;
      child.kind = Node::Kind::kDynamic;
      child.dynamic = std::move(*dynamic);
      child.field_name = key;
      node.fields.emplace_back(key.substr(0, key.size() - kDynamicSuffix.size()), std::move(child));
      constant = false;
      continue;
    }
    auto child = CompileNode(item);
    if (!child) {
      return base::Err(child.error());
    }
    constant = constant && child->kind == Node::Kind::kConstant;
    node.fields.emplace_back(key, std::move(*child));
  }
  if (constant) {
    Node folded;
    folded.constant = object;
    return folded;
  }
  for (size_t i = 0; i < node.fields.size() && node.unique_keys; ++i) {
    for (size_t j = i + 1; j < node.fields.size(); ++j) {
      if (node.fields[i].first == node.fields[j].first) {
        node.unique_keys = false;
        break;
      }
    }
  }
  return node;
}

base::Result<Node> CompileNode(const Json& value) {
  if (value.is_object()) {
    return CompileObject(value);
  }
  if (value.is_array()) {
    Node node;
    node.kind = Node::Kind::kArray;
    bool constant = true;
    for (const Json& item : value) {
      auto child = CompileNode(item);
      if (!child) {
        return base::Err(child.error());
      }
      constant = constant && child->kind == Node::Kind::kConstant;
      node.items.push_back(std::move(*child));
    }
    if (!constant) {
      return node;
    }
  }
  Node folded;
  folded.constant = value;
  return folded;
}

// Evaluates `node` into `out`, which is null on entry: each value is built where it ends up,
// with no temporary to move and destroy per field.
std::optional<base::AslError> EvaluateInto(const Node& node, const EvalContext& ctx, Json& out) {
  switch (node.kind) {
    case Node::Kind::kConstant:
      out = node.constant;
      return std::nullopt;
    case Node::Kind::kDynamic:
      if (const Json* found = node.dynamic->Find(ctx)) {
        out = *found;
        return std::nullopt;
      } else {
        auto value = node.dynamic->Evaluate(ctx, node.field_name);
        if (!value) return std::move(value.error());
        out = std::move(*value);
        return std::nullopt;
      }
    case Node::Kind::kArray: {
      out = Json::array();
      auto* items = out.get_ptr<Json::array_t*>();
      items->reserve(node.items.size());
      for (const Node& item : node.items) {
        if (auto error = EvaluateInto(item, ctx, items->emplace_back())) return error;
      }
      return std::nullopt;
    }
    case Node::Kind::kObject:
      break;
  }
  out = Json::object();
  auto* members = out.get_ptr<Json::object_t*>();
  // One allocation for the members instead of a regrowth per power of two.
  members->reserve(node.fields.size());
  for (const auto& [key, child] : node.fields) {
    if (node.unique_keys) {
      // No lookup: the key is known new. Constants and what a definite path selects are copied
      // straight into their member; the rest is evaluated into a null member, which stays
      // where it is (reserved above).
      const Json* copied = child.kind == Node::Kind::kConstant  ? &child.constant
                           : child.kind == Node::Kind::kDynamic ? child.dynamic->Find(ctx)
                                                                : nullptr;
      if (copied != nullptr) {
        members->emplace_back(std::piecewise_construct, std::forward_as_tuple(key),
                              std::forward_as_tuple(*copied));
      } else if (auto error =
                     EvaluateInto(child, ctx, members->emplace_back(key, nullptr).second)) {
        return error;
      }
    } else {
      Json value;
      if (auto error = EvaluateInto(child, ctx, value)) return error;
      out[key] = std::move(value);
    }
  }
  return std::nullopt;
}

}  // namespace

base::Result<DynamicValue> DynamicValue::Compile(std::string_view text) {
  DynamicValue value;
  if (Intrinsic::LooksLikeIntrinsic(text)) {
    auto intrinsic = Intrinsic::Parse(text);
    if (!intrinsic) {
      return base::Err(intrinsic.error());
    }
    value.intrinsic_ = std::move(*intrinsic);
    return value;
  }
  auto path = JsonPath::Parse(text);
  if (!path) {
    return base::Err(path.error());
  }
  value.path_ = std::move(*path);
  return value;
}

const json::Json* DynamicValue::Find(const EvalContext& ctx) const {
  return path_ && path_->IsDefinite() ? path_->Find(ctx) : nullptr;
}

const std::string& DynamicValue::text() const { return path_ ? path_->text() : intrinsic_->text(); }

tl::expected<json::Json, base::AslError> DynamicValue::Evaluate(const EvalContext& ctx,
                                                                std::string_view field_name) const {
  if (intrinsic_) {
    return intrinsic_->Evaluate(ctx, field_name);
  }
  auto matches = path_->Evaluate(ctx);
  if (!matches) {
    static const Json kNull;
    return tl::unexpected(base::AslError{
        "States.Runtime",
        PathNotFoundCause(path_->text(), field_name, ctx.input != nullptr ? *ctx.input : kNull)});
  }
  return matches->ToJson();
}

base::Result<PayloadTemplate> PayloadTemplate::Compile(const json::Json& tmpl) {
  auto root = CompileNode(tmpl);
  if (!root) {
    return base::Err(root.error());
  }
  return PayloadTemplate(std::make_shared<const Node>(std::move(*root)));
}

tl::expected<json::Json, base::AslError> PayloadTemplate::Evaluate(const EvalContext& ctx) const {
  Json out;
  if (auto error = EvaluateInto(*root_, ctx, out)) return tl::unexpected(std::move(*error));
  return out;
}

bool PayloadTemplate::IsConstant() const { return root_->kind == Node::Kind::kConstant; }

}  // namespace flowstate::query
