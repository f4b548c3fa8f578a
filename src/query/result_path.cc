#include "query/result_path.h"

#include <string>

#include "json/compact_text.h"
#include "json/discard.h"
#include "json/json.h"
#include "query/java_text.h"

namespace flowstate::query {

using json::Json;

namespace {

tl::unexpected<base::AslError> MatchFailure(const PathStep& step, const Json& node) {
  const std::string step_text = step.is_index ? std::to_string(step.index) : step.name;
  return tl::unexpected(
      base::AslError{"States.ResultPathMatchFailure",
                     "Unable to apply step \"" + step_text + "\" to input " + JavaJsonText(node)});
}

}  // namespace

base::Result<ResultPath> ResultPath::Compile(const json::Json& field) {
  if (field.is_null()) {
    return Discard();
  }
  if (!field.is_string()) {
    return base::Err(base::Status::InvalidArgument("ResultPath must be a string or null"));
  }
  return Parse(field.get_ref<const std::string&>());
}

base::Result<ResultPath> ResultPath::Parse(std::string_view text) {
  auto path = JsonPath::Parse(text);
  if (!path) {
    return base::Err(path.error());
  }
  if (path->root() != PathRoot::kInput || !path->IsReferencePath()) {
    return base::Err(
        base::Status::InvalidArgument("The value for the field 'ResultPath' must be "
                                      "a valid Reference Path: '" +
                                      std::string(text) + "'"));
  }
  ResultPath result;
  if (!path->steps().empty()) {
    result.path_ = std::move(*path);
  }
  return result;
}

ResultPath ResultPath::Replace() { return ResultPath(); }

ResultPath ResultPath::Discard() {
  ResultPath result;
  result.discard_ = true;
  return result;
}

tl::expected<json::Json, base::AslError> ResultPath::Apply(json::Json input,
                                                           json::Json result) const {
  if (discard_) {
    return input;
  }
  if (!path_) {
    return result;
  }
  const std::vector<PathStep>& steps = path_->steps();
  Json* node = &input;
  for (size_t i = 0; i < steps.size(); ++i) {
    const PathStep& step = steps[i];
    const bool last = i + 1 == steps.size();
    if (step.is_index) {
      const auto size = node->is_array() ? static_cast<int64_t>(node->size()) : 0;
      const int64_t effective = step.index < 0 ? size + step.index : step.index;
      if (!node->is_array() || effective < 0 || effective >= size) {
        return MatchFailure(step, *node);
      }
      node = &(*node)[static_cast<size_t>(effective)];
    } else {
      if (!node->is_object()) {
        return MatchFailure(step, *node);
      }
      auto it = node->find(step.name);
      if (it == node->end()) {
        // Missing intermediate objects are created; the last step receives the result.
        node = &json::AppendMember(*node, step.name, last ? std::move(result) : Json::object());
        if (last) break;
      } else {
        node = &*it;
      }
    }
    if (last) {
      json::Replace(*node, std::move(result));
    }
  }
  return input;
}

bool ResultPath::AppliesTo(const Json& input) const {
  if (discard_ || !path_) {
    return true;
  }
  const Json* node = &input;
  bool creating = false;  // past a missing member, Apply builds the rest from empty objects
  for (const PathStep& step : path_->steps()) {
    if (creating) {
      if (step.is_index) return false;
      continue;
    }
    if (step.is_index) {
      const auto size = node->is_array() ? static_cast<int64_t>(node->size()) : 0;
      const int64_t effective = step.index < 0 ? size + step.index : step.index;
      if (!node->is_array() || effective < 0 || effective >= size) return false;
      node = &(*node)[static_cast<size_t>(effective)];
    } else {
      if (!node->is_object()) return false;
      auto it = node->find(step.name);
      if (it == node->end()) {
        creating = true;
      } else {
        node = &*it;
      }
    }
  }
  return true;
}

size_t ResultPath::MaxGrowth(const Json& result) const {
  size_t growth = json::CompactTextSize(result);
  if (path_) {
    // A created member: its key (each byte escaped to at most 6), quotes, colon, comma, and
    // the braces of the object it opens.
    for (const PathStep& step : path_->steps()) growth += 6 * step.name.size() + 6;
  }
  return growth;
}

}  // namespace flowstate::query
