#include "query/json_equal.h"

#include "json/json.h"

namespace flowstate::query {

bool JsonEqual(const json::Json& left, const json::Json& right) {
  if (left.is_number() && right.is_number()) {
    if (left.is_number_integer() && right.is_number_integer()) {
      return left == right;
    }
    return left.get<double>() == right.get<double>();
  }
  if (left.type() != right.type()) {
    return false;
  }
  if (left.is_object()) {
    if (left.size() != right.size()) {
      return false;
    }
    for (const auto& [key, value] : left.items()) {
      auto it = right.find(key);
      if (it == right.end() || !JsonEqual(value, *it)) {
        return false;
      }
    }
    return true;
  }
  if (left.is_array()) {
    if (left.size() != right.size()) {
      return false;
    }
    for (size_t i = 0; i < left.size(); ++i) {
      if (!JsonEqual(left[i], right[i])) {
        return false;
      }
    }
    return true;
  }
  return left == right;
}

}  // namespace flowstate::query
