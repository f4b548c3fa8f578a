#include "api/request_reader.h"

#include "json/json.h"

namespace flowstate::api {

const json::Json* RequestReader::Find(std::string_view name) const {
  auto it = body_.find(name);
  if (it == body_.end() || it->is_null()) {
    return nullptr;
  }
  return &*it;
}

ApiResult<std::string> RequestReader::RequiredString(std::string_view name) const {
  auto value = OptionalString(name);
  if (!value) {
    return tl::unexpected(value.error());
  }
  if (!*value) {
    return MissingField(name);
  }
  return std::move(**value);
}

ApiResult<std::optional<std::string>> RequestReader::OptionalString(std::string_view name) const {
  const json::Json* value = Find(name);
  if (value == nullptr) {
    return std::optional<std::string>();
  }
  if (!value->is_string()) {
    return WrongType(name, "a string");
  }
  return std::optional<std::string>(value->get<std::string>());
}

ApiResult<std::optional<int64_t>> RequestReader::OptionalInt(std::string_view name) const {
  const json::Json* value = Find(name);
  if (value == nullptr) {
    return std::optional<int64_t>();
  }
  if (!value->is_number_integer()) {
    return WrongType(name, "an integer");
  }
  return std::optional<int64_t>(value->get<int64_t>());
}

ApiResult<std::optional<bool>> RequestReader::OptionalBool(std::string_view name) const {
  const json::Json* value = Find(name);
  if (value == nullptr) {
    return std::optional<bool>();
  }
  if (!value->is_boolean()) {
    return WrongType(name, "a boolean");
  }
  return std::optional<bool>(value->get<bool>());
}

ApiResult<const json::Json*> RequestReader::OptionalObject(std::string_view name) const {
  const json::Json* value = Find(name);
  if (value != nullptr && !value->is_object()) {
    return WrongType(name, "a structure");
  }
  return value;
}

ApiResult<const json::Json*> RequestReader::OptionalArray(std::string_view name) const {
  const json::Json* value = Find(name);
  if (value != nullptr && !value->is_array()) {
    return WrongType(name, "a list");
  }
  return value;
}

}  // namespace flowstate::api
