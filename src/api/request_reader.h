// RequestReader reads the members of an AWS JSON 1.0 request body with the API model's rules:
// a member that is absent or null is "not given"; a member of the wrong JSON type is a
// SerializationException; a required member not given is a ValidationException
// (AWS-REFERENCE.md §1-2). Borrows the body; not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/api_error.h"
#include "json/json_fwd.h"

namespace flowstate::api {

class RequestReader {
 public:
  // REQUIRES: `body` is a JSON object and outlives the reader.
  explicit RequestReader(const json::Json& body) : body_(body) {}

  ApiResult<std::string> RequiredString(std::string_view name) const;
  ApiResult<std::optional<std::string>> OptionalString(std::string_view name) const;
  ApiResult<std::optional<int64_t>> OptionalInt(std::string_view name) const;
  ApiResult<std::optional<bool>> OptionalBool(std::string_view name) const;
  // A structure member; nullptr when not given.
  ApiResult<const json::Json*> OptionalObject(std::string_view name) const;
  // A list member; nullptr when not given.
  ApiResult<const json::Json*> OptionalArray(std::string_view name) const;

 private:
  const json::Json* Find(std::string_view name) const;
  const json::Json& body_;
};

}  // namespace flowstate::api
